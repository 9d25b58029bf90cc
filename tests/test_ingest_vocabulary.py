"""Vocabularies that bend: synonyms of coded columns, unknown values kept and reported (DQ-01),
local spellings from a profile's ``[values."<列>"]`` (issue 18)."""
from __future__ import annotations

import csv
import shutil
import textwrap

import pytest
from conftest import AS_OF

from xueji_audit.audit import run_audit
from xueji_audit.cli import main
from xueji_audit.errors import ProfileError
from xueji_audit.ingest import load_file, load_folder, report_table, summary_text
from xueji_audit.profile import load_profile
from xueji_audit.rules import CATALOGUE
from xueji_audit.schema import VOCABULARY

HEADER = ["学籍号", "姓名", "性别", "出生日期", "身份证件类型", "身份证件号", "学校标识码", "年级",
          "学籍状态"]


def student(k: int, **kw) -> list[str]:
    base = {"学籍号": f"G1101052008010{k:05d}", "姓名": f"学生{k}", "性别": "男",
            "出生日期": "2008-01-01", "身份证件类型": "居民身份证", "身份证件号": "",
            "学校标识码": "1101050001", "年级": "三年级", "学籍状态": "在校"}
    base.update(kw)
    return [base[h] for h in HEADER]


def write_csv(path, rows, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows([HEADER, *rows])
    return path


def test_real_export_writing_zaiji_loads_every_row(tmp_path):
    rows = [student(k, 学籍状态="在籍") for k in range(97)] + [student(97 + k) for k in range(3)]
    res = load_file(write_csv(tmp_path / "s.csv", rows))
    df = res.tables["students"]
    assert len(df) == 100 and len(res.rejects) == 0
    assert set(df["学籍状态"]) == {"在校"}
    assert len(res.unknown_values) == 0 and "原值_学籍状态" not in df


@pytest.mark.parametrize("written, expected", [
    ("在读", "在校"), ("注册", "在校"), ("在籍", "在校"), ("已毕业", "毕业"), ("休学中", "休学"),
    ("已转出", "转出"), ("出国(境)", "出国"), ("其它离校", "其他离校"), ("下落不明", "失踪"),
])
def test_status_synonyms(tmp_path, written, expected):
    df = load_file(write_csv(tmp_path / "s.csv", [student(1, 学籍状态=written)])).tables["students"]
    assert df["学籍状态"].tolist() == [expected]


def test_document_types_residence_permit_and_no_document(tmp_path):
    rows = [student(1, 身份证件类型="港澳台居民居住证", 身份证件号="810000200801010011"),
            student(2, 身份证件类型="无"), student(3, 身份证件类型="空"), student(4, 身份证件类型="1"),
            student(5, 身份证件类型="身份证"), student(6, 身份证件类型="a")]
    res = load_file(write_csv(tmp_path / "s.csv", rows))
    df = res.tables["students"]
    assert len(df) == 6 and len(res.rejects) == 0 and len(res.unknown_values) == 0
    assert df["身份证件类型"].fillna("（无）").tolist() == [
        "港澳台居民居住证", "（无）", "（无）", "居民身份证", "居民身份证", "护照"]


def test_sex_and_grade_synonyms(tmp_path):
    rows = [student(1, 性别="女性", 年级="初1"), student(2, 性别="F", 年级="小三"),
            student(3, 性别="2", 年级="高中2年级")]
    df = load_file(write_csv(tmp_path / "s.csv", rows)).tables["students"]
    assert df["性别"].tolist() == ["女", "女", "女"]
    assert df["年级"].tolist() == [7, 3, 11]


def test_vocabulary_is_one_table_for_every_coded_kind():
    assert set(VOCABULARY) == {"sex", "idtype", "status", "grade"}
    assert VOCABULARY["status"]["在籍"] == "在校" and VOCABULARY["idtype"]["无"] is None


def test_unknown_value_keeps_the_row_and_is_counted_per_value(tmp_path):
    rows = ([student(k) for k in range(5)] + [student(10 + k, 学籍状态="在册") for k in range(3)]
            + [student(20, 学籍状态="挂靠"), student(21, 性别="未知")])
    write_csv(tmp_path / "学生.csv", rows, encoding="gbk")
    res = load_folder(tmp_path)
    df = res.tables["students"]
    assert len(df) == 10 and len(res.rejects) == 0
    rep = res.report[0]
    assert rep.rows_read == rep.rows_loaded + rep.rows_rejected == 10
    raw = df.set_index("学籍号")["原值_学籍状态"]
    assert raw["G110105200801000010"] == "在册" and raw.isna().sum() == 6
    assert df.set_index("学籍号")["学籍状态"].isna().sum() == 4
    counts = {(r.column, r.value): r.rows for r in res.unknown_values.itertuples()}
    assert counts == {("学籍状态", "在册"): 3, ("学籍状态", "挂靠"): 1, ("性别", "未知"): 1}
    notes = report_table(res)["说明"].iloc[0]
    assert "数据质量：「学籍状态」取值无法识别 4 行（「在册」3 行、「挂靠」1 行）" in notes
    assert "原值保留在「原值_学籍状态」列" in notes
    assert "「性别」取值无法识别 1 行" in summary_text(res)


def test_unknown_values_are_audit_findings_dq01_outside_the_catalogue(tmp_path):
    rows = [student(k) for k in range(4)] + [student(10 + k, 学籍状态="在册") for k in range(3)]
    write_csv(tmp_path / "a.csv", rows)
    write_csv(tmp_path / "b.csv", [student(30, 学籍状态="在册"), student(31, 年级="十三年级")])
    result = run_audit(load_folder(tmp_path), AS_OF)
    dq = result.findings[result.findings["rule_id"] == "DQ-01"]
    assert len(dq) == 2
    assert set(dq["rule_name"]) == {"数据质量：取值无法识别"}
    status = dq[dq["detail"].str.contains("「在册」")].iloc[0]
    assert "学生表「学籍状态」列的取值「在册」无法识别，共 4 行（a.csv、b.csv）" in status["detail"]
    assert "共 1 行（b.csv）" in dq[dq["detail"].str.contains("十三年级")].iloc[0]["detail"]
    assert "DQ-01" not in CATALOGUE and "DQ-01" not in set(result.rules_run["rule_id"])


def test_clean_load_has_no_dq_findings(tmp_path):
    write_csv(tmp_path / "a.csv", [student(k) for k in range(3)])
    assert not (run_audit(load_folder(tmp_path), AS_OF).findings["rule_id"] == "DQ-01").any()


def _profile(tmp_path, body: str):
    path = tmp_path / "local.toml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_profile_maps_local_values(tmp_path):
    prof = load_profile(_profile(tmp_path, """
        extends = "national-2025"
        [values."学籍状态"]
        "在册" = "在校"
        "挂靠" = "其它离校"
        [values."年级"]
        "七年" = 7
    """))
    data = tmp_path / "data"
    data.mkdir()
    write_csv(data / "s.csv", [student(1, 学籍状态="在册"), student(2, 学籍状态="挂靠", 年级="七年"),
                               student(3, 学籍状态="别的")])
    res = load_folder(data, values=prof.values)
    df = res.tables["students"]
    assert df["学籍状态"].fillna("").tolist() == ["在校", "其他离校", ""]
    assert df["年级"].tolist() == [3, 7, 3]
    assert res.unknown_values[["column", "value", "rows"]].values.tolist() == [["学籍状态", "别的", 1]]
    assert len(load_folder(data).unknown_values) == 4  # without the profile: 在册, 挂靠, 别的, 七年


def test_load_command_takes_the_profile(tmp_path, capsys):
    prof = _profile(tmp_path, """
        [values."学籍状态"]
        "在册" = "在校"
    """)
    data = tmp_path / "data"
    data.mkdir()
    write_csv(data / "s.csv", [student(1, 学籍状态="在册"), student(2, 学籍状态="挂靠")])
    assert main(["load", str(data), "--profile", str(prof)]) == 0
    out = capsys.readouterr().out
    assert "合计：读取 2 行，载入 2 行，拒收 0 行" in out
    assert "「学籍状态」取值无法识别 1 行（「挂靠」1 行）" in out


@pytest.mark.parametrize("body, message", [
    ('[values."学籍状态"]\n"在册" = "不存在"\n', "键「values.学籍状态.在册」应为可识别的学籍状态"),
    ('[values."姓名"]\n"x" = "y"\n', "未知的键「values.姓名」"),
    ('[values]\n"学籍状态" = "在校"\n', "键「values.学籍状态」应为表"),
])
def test_bad_values_section_named(tmp_path, body, message):
    with pytest.raises(ProfileError, match=message):
        load_profile(_profile(tmp_path, body))


def test_workspace_keeps_unknown_values_and_dq_findings(tmp_path, app_county):
    """A demo county plus an export with local spellings: audited into a workspace, reopened."""
    from xueji_audit.workspace import Workspace, build_workspace

    data = tmp_path / "data"
    shutil.copytree(app_county, data)
    write_csv(data / "补充学生.csv", [student(1, 学籍状态="在册"), student(2, 学籍状态="在册"),
                                     student(3, 性别="未知", 身份证件类型="无")], encoding="gbk")
    prof = _profile(tmp_path, """
        extends = "national-2025"
        [values."性别"]
        "未知" = "男"
    """)
    build_workspace(data, tmp_path / "ws", as_of=AS_OF, user="测试", profile=str(prof)).close()
    ws = Workspace.open(tmp_path / "ws")
    dq = ws.findings
    dq = dq[dq["rule_id"] == "DQ-01"]
    assert len(dq) == 1 and "「在册」无法识别，共 2 行（补充学生.csv）" in dq.iloc[0]["detail"]
    students = ws.frame("tables/students")
    extra = students[students["_file"] == "补充学生.csv"]
    assert extra["原值_学籍状态"].fillna("").tolist() == ["在册", "在册", ""]
    assert extra["性别"].tolist() == ["男", "男", "男"]
