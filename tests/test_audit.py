"""run_audit, summary_text, the clerk's output files and the ``audit`` / ``rules`` subcommands."""
from __future__ import annotations

import csv
import datetime as dt

import openpyxl
import pandas as pd
import pytest
from test_rules_helpers import AS_OF, biz, my_rules, only_mine, step, stu, tables

from xueji_audit.audit import RUN_COLUMNS, run_audit, summary_text
from xueji_audit.cli import main
from xueji_audit.rules import CATALOGUE
from xueji_audit.schema import FINDING_COLUMNS


def _data():
    bad = stu(2, 姓名="=HYPERLINK(\"x\")", 身份证件号="640522201605010000")
    return tables([stu(1), bad], changes=[biz("B1", stu(1)["学籍号"], 证明材料="无")])


def test_findings_and_rules_run_shape():
    r = run_audit(_data(), AS_OF, only_mine())
    assert list(r.findings.columns) == list(FINDING_COLUMNS)
    assert list(r.rules_run.columns) == list(RUN_COLUMNS)
    assert list(r.rules_run["rule_id"]) == list(CATALOGUE)
    assert set(r.findings["rule_id"]) <= my_rules()
    assert sorted(r.findings["rule_id"].unique()) == ["ID-01", "TR-11"]
    ran = r.rules_run.set_index("rule_id")
    assert ran.loc["ID-01", "findings"] == 1 and ran.loc["ID-01", "status"] == "ran"
    f = r.findings.set_index("rule_id")
    assert f.loc["TR-11", "业务编号"] == "B1" and f.loc["TR-11", "学籍号"] == stu(1)["学籍号"]
    assert f.loc["ID-01", "basis"] == CATALOGUE["ID-01"].basis


def test_missing_table_and_column_are_not_run_with_reason():
    r = run_audit(tables([stu()]), AS_OF, only_mine()).rules_run.set_index("rule_id")
    assert r.loc["TR-01", "status"] == "not run" and "异动环节" in r.loc["TR-01", "reason"]
    assert r.loc["TR-02", "status"] == "not run" and "学籍异动" in r.loc["TR-02", "reason"]
    data = tables([{k: v for k, v in stu().items() if k != "最后核查日期"}])
    r = run_audit(data, AS_OF, only_mine()).rules_run.set_index("rule_id")
    assert r.loc["ST-05", "status"] == "not run" and "最后核查日期" in r.loc["ST-05", "reason"]
    assert r.loc["LX-01", "status"] == "not run" and "未启用" in r.loc["LX-01", "reason"]


def test_rule_with_alternative_needs_runs_on_either():
    data = tables([stu(学籍状态="休学")])  # no 休学日期, no changes
    assert run_audit(data, AS_OF, only_mine()).rules_run.set_index("rule_id").loc["ST-02", "status"] \
        == "not run"
    data = tables([stu(学籍状态="休学")], changes=[biz("B", stu()["学籍号"], "休学",
                                                       "2025-01-02", 办结日期="2025-01-03")])
    r = run_audit(data, AS_OF, only_mine())
    assert r.rules_run.set_index("rule_id").loc["ST-02", "findings"] == 1


def test_summary_text():
    text = summary_text(run_audit(_data(), AS_OF, only_mine()))
    assert "共发现问题 2 条：高 2 条，中 0 条，低 0 条。" in text
    assert "ID-01 身份证件号格式或校验位错误（高）：1 条" in text
    assert "TR-01 核办环节超期：缺少异动环节表" in text
    assert "本配置未启用的规则：" in text and "LX-01、LX-02" in text
    assert "周一至周五" not in text  # no working-day fallback; the term defaults are noted
    assert "说明：规则配置未给出以下学期的实际开学日期" in text and "2026年春季学期" in text


def test_calendar_note_in_summary():
    data = tables([stu()], steps=[step("B1", 1, arrived="2031-03-03", handled="2031-03-18")])
    r = run_audit(data, dt.date(2031, 6, 1), only_mine())
    assert r.notes and "2031年" in summary_text(r)


# ---------------------------------------------------------------- the CLI


def _folder(tmp_path, name2: str = "学生2"):
    d = tmp_path / "data"
    d.mkdir()
    s = tables([stu(1), stu(2, 姓名=name2, 身份证件号="640522201605010000")])["students"]
    s.to_csv(d / "学生信息.csv", index=False, encoding="utf-8-sig", date_format="%Y-%m-%d")
    return d


FINDINGS_HEADER = ["规则编号", "问题类型", "严重程度", "学籍号", "姓名", "学校", "学校标识码", "班级",
                   "业务编号", "问题说明", "政策依据", "整改期限"]
"""DATA.md: the columns of 问题清单."""


def test_cli_audit_writes_the_workspace_and_the_clerks_files(tmp_path, capsys):
    d = _folder(tmp_path, '=HYPERLINK("x")')
    ws = tmp_path / "ws"
    assert main(["audit", str(d), "--workspace", str(ws), "--as-of", "2026-11-20",
                 "--profile", "national-2013", "--user", "测试"]) == 0
    text = capsys.readouterr().out
    assert "共发现问题" in text and "ID-01" in text and "national-2013" in text
    out = ws / "督查结果"
    raw = (out / "问题清单.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == FINDINGS_HEADER
    assert not any(cell in ("nan", "NaN", "<NA>", "NaT") for row in rows for cell in row)
    names = [row[4] for row in rows[1:]]
    assert any(n.startswith("'=HYPERLINK") for n in names) and not any(n.startswith("=")
                                                                        for n in names)
    f = pd.read_csv(out / "问题清单.csv", encoding="utf-8-sig", dtype=str)
    assert [r for r in f["规则编号"] if r in my_rules()] == ["ID-01"]
    assert {p.name for p in out.iterdir()} == {"问题清单.csv", "问题清单.xlsx", "规则执行情况.csv",
                                              "疑似重复.csv", "疑似重复分组.csv", "未载入行.csv",
                                              "载入情况.csv", "控辍保学名单.csv", "控辍保学名单.xlsx"}
    run = pd.read_csv(out / "规则执行情况.csv", encoding="utf-8-sig", dtype=str)
    assert list(run.columns) == ["规则编号", "问题类型", "严重程度", "状态", "原因", "问题数"]
    assert set(run["状态"]) == {"已运行", "未运行"} and len(run) == len(CATALOGUE)
    sheet = openpyxl.load_workbook(out / "问题清单.xlsx").active
    assert [c.value for c in sheet[1]] == FINDINGS_HEADER
    pairs = pd.read_csv(out / "疑似重复.csv", encoding="utf-8-sig", dtype=str)
    assert list(pairs.columns[:4]) == ["学籍号_a", "学籍号_b", "匹配概率", "等级"]
    assert (ws / "manifest.json").is_file()


def test_cli_audit_uses_and_prints_todays_date(tmp_path, capsys):
    assert main(["audit", str(_folder(tmp_path)), "--workspace", str(tmp_path / "ws"),
                 "--user", "测试"]) == 0
    today = dt.date.today().isoformat()
    assert f"督查基准日：{today}" in capsys.readouterr().out
    assert f'"as_of": "{today}"' in (tmp_path / "ws" / "manifest.json").read_text("utf-8")


def test_cli_audit_refuses_out_in_data(tmp_path, capsys):
    d = _folder(tmp_path)
    assert main(["audit", str(d), "--workspace", str(tmp_path / "ws"), "--out", str(d / "out"),
                 "--as-of", "2026-11-20", "--user", "测试"]) == 2
    assert main(["audit", str(d), "--workspace", str(d / "ws"), "--as-of", "2026-11-20",
                 "--user", "测试"]) == 2
    assert "数据目录" in capsys.readouterr().err


def test_cli_bad_date_and_profile(tmp_path, capsys):
    d = _folder(tmp_path)
    assert main(["audit", str(d), "--workspace", str(tmp_path / "o"), "--as-of", "2026-13-01",
                 "--user", "测试"]) == 2
    assert main(["rules", "--profile", "nope"]) == 2
    err = capsys.readouterr().err
    assert "2026-13-01" in err and "nope" in err


@pytest.mark.parametrize("cmd", ["audit", "rules"])
def test_cli_help(cmd, capsys):
    with pytest.raises(SystemExit) as exc:
        main([cmd, "--help"])
    assert exc.value.code == 0
    assert "--profile" in capsys.readouterr().out


def test_cli_rules(capsys):
    assert main(["rules", "--profile", "ningxia-xiji"]) == 0
    text = capsys.readouterr().out
    for r in CATALOGUE.values():
        assert r.id in text and r.name in text and r.basis in text
    line = next(x for x in text.splitlines() if x.startswith("LX-03"))
    assert line.endswith("启用") and not line.endswith("未启用")
    assert "workdays = 10" in text
    assert main(["rules"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("LX-03"))
    assert line.endswith("未启用")
