"""``xueji-audit report``: every report runs on a demo county into HTML without code, with
Chinese headings, interactive tables and no full ID number, 学籍号 or phone number."""
import re

import pandas as pd
import pytest

from xueji_audit.cases.store import CaseStore
from xueji_audit.cli import main
from xueji_audit.errors import XuejiError
from xueji_audit.forms import CASE_KINDS
from xueji_audit.reports.run import REPORTS, run_report
from xueji_audit.workspace import Workspace

TITLES = {"01_findings": ("问题学籍总览", "问题清单", "未运行的规则"),
          "02_duplicates": ("疑似重复学生", "疑似重复组", "比对证据"),
          "03_chains": ("转学链与人籍一致", "多次转学的学生", "人籍一致核对"),
          "04_bulletin": ("月度通报", "2026年10月学籍异动业务超期办理情况通报", "超期环节明细"),
          "05_cases": ("案件与表单", "未办结案件", "已写入的文件", "访问日志")}


@pytest.fixture(scope="module")
def run(reports_built):
    """(the workspace's loaded data, the folder, the exit code) of ``report all``."""
    base, rc = reports_built
    with Workspace.open(base / "ws") as ws:
        loaded = ws.loaded
    return loaded, base, rc


def secrets(county) -> set[str]:
    """Every ID number (digits of a 学籍号 included) and phone number of the county's tables."""
    found = set()
    for frame in county.tables.values():
        for col in frame.columns:
            if any(k in col for k in ("身份证件号", "学籍号", "电话")):
                found |= set(frame[col].dropna().astype(str))
    core = {re.sub(r"^[A-Z]", "", s) for s in found}
    return {s for s in found | core if len(re.sub(r"\D", "", s)) >= 11}


def test_every_report_is_written_without_code(run):
    county, base, rc = run
    assert rc == 0
    for stem, words in TITLES.items():
        html = (base / "out" / f"{stem}_{REPORTS[stem]}.html").read_text(encoding="utf-8")
        assert all(w in html for w in words), stem
        assert "resolve_data_dir" not in html and "Traceback" not in html
        assert "PosixPath" not in html
        assert html.count('id="itables_') >= 2  # interactive itables tables
        assert (base / "out" / f"{stem}.ipynb").is_file()


def test_no_full_personal_number_in_any_report(run):
    county, base, _ = run
    numbers = secrets(county)
    assert len(numbers) > 1000
    for path in sorted((base / "out").glob("*.html")):
        html = path.read_text(encoding="utf-8")
        leaked = [n for n in numbers if n in html]
        assert leaked == [], f"{path.name}: {leaked[:3]}"
        assert "********" in html
    tables = [p for p in (base / "xlsx").glob("*.xlsx") if not p.name.startswith(CASE_KINDS)]
    assert tables
    for path in sorted(tables):
        text = pd.concat(pd.read_excel(path, sheet_name=None, dtype=str).values()).to_csv()
        assert [n for n in numbers if n in text] == [], path.name
    # the 核查单 report 05 drafted is an official form: its 汇总表 names each child in full
    (summary,) = (base / "xlsx").glob("核查单汇总表_案件*.xlsx")
    text = pd.concat(pd.read_excel(summary, sheet_name=None, dtype=str).values()).to_csv()
    assert any(n in text for n in numbers)


def test_reports_read_the_workspace_its_cases_and_mark_demo_data(run):
    _, base, _ = run
    for path in (base / "out").glob("*.html"):
        assert "示范数据" in path.read_text(encoding="utf-8"), path.name
    cases = next((base / "out").glob("05_*.html")).read_text(encoding="utf-8")
    assert "身份证件号问题" in cases and "未办结案件 <strong>1</strong> 件" in cases


def test_bad_report_name_or_parameter_is_refused(run, tmp_path, capsys):
    ws = str(run[1] / "ws")
    assert main(["report", "99", "--workspace", ws, "--out", str(tmp_path)]) == 2
    assert "没有名为「99」的报告" in capsys.readouterr().err
    assert main(["report", "01", "--workspace", ws, "--out", str(tmp_path), "-p",
                 "colour=red"]) == 2
    assert "没有参数「colour」" in capsys.readouterr().err
    assert main(["report", "01", "--workspace", ws, "--out", str(tmp_path), "-p",
                 "reveal_pii=maybe"]) == 2
    assert "应为 True 或 False" in capsys.readouterr().err
    assert main(["report", "01", "--workspace", ws, "--out", str(tmp_path), "-p",
                 "reveal_pii"]) == 2
    assert "名称=值" in capsys.readouterr().err
    assert main(["report", "01", "--workspace", str(tmp_path / "none"), "--out",
                 str(tmp_path)]) == 2
    assert "还没有督查数据" in capsys.readouterr().err


def test_a_report_run_directly_needs_a_workspace_and_logs_a_reveal(run, tmp_path):
    """papermill without the CLI: no demo data appears, and an unmasked report is logged."""
    _, base, _ = run
    with pytest.raises(XuejiError, match="未指定工作区"):
        run_report("01", "", tmp_path / "none", {"workspace": ""})
    with pytest.raises(XuejiError, match="须记入访问日志"):
        run_report("04", base / "ws", tmp_path / "anon", {"reveal_pii": True})
    run_report("04", base / "ws", tmp_path / "out", {"reveal_pii": True, "user": "督查员乙",
                                                     "as_of": "2026-11-23"})
    with CaseStore(base / "ws" / "cases.sqlite") as s:
        log = s.access_log()
    assert log[["user", "action", "at"]].values.tolist()[-1] == [
        "督查员乙", "显示完整身份证件号", "2026-11-23T00:00:00"]
    assert log["detail"].iloc[-1] == "报告：月度通报（显示完整证件号）"


def test_a_report_without_a_workspace_parameter_reads_the_one_the_environment_names(
        run, tmp_path, monkeypatch):
    """nbval and a hand-run notebook name the workspace as `serve` names it to its pages."""
    _, base, _ = run
    monkeypatch.setenv("XUEJI_WORKSPACE", str(base / "ws"))
    html = run_report("01", "", tmp_path / "env", {"workspace": ""}).html.read_text(encoding="utf-8")
    expected = len(Workspace.open(base / "ws").findings)
    assert f"发现问题 <strong>{expected}</strong> 条" in html
