"""The 月度通报: tables, the .xlsx file and the ``bulletin`` command, on hand-counted dates.

November 2026 has no public holiday; 2026-11-02 is a Monday, so a step arriving then and still
pending on 11-30 has used 20 working days (10 late); handled 11-17 it used 11 (1 late).
"""
import argparse
import datetime as dt

import pandas as pd
import pytest
from docx import Document
from openpyxl import load_workbook

from xueji_audit.bulletin import DETAIL_COLUMNS, bulletin_tables, bulletin_text, write_bulletin
from xueji_audit.commands import bulletin as command
from xueji_audit.errors import XuejiError
from xueji_audit.output import write_csv
from xueji_audit.workdays import WorkCalendar
from xueji_audit.workspace import build_workspace

CAL = WorkCalendar(vacations=[("01-20", "02-19"), ("07-15", "08-31")])
STEPS = pd.DataFrame({
    "业务编号": ["B1", "B1", "B2", "B3", "B4"],
    "环节序号": [1, 2, 1, 1, 1],
    "环节名称": ["转入校审核", "转入地县核办", "转入校审核", "转出校审核", "转入校审核"],
    "处理单位": ["第一小学", "清川县教育体育局", "6404260001", "第一小学", "第二小学"],
    "到达日期": pd.to_datetime(["2026-11-02", "2026-11-02", "2026-11-02", "2026-11-02",
                               "2026-11-02"]),
    "处理日期": pd.to_datetime([None, "2026-11-17", "2026-12-01", "2026-11-16", None]),
    "处理结果": ["待办", "通过", "通过", "通过", "待办"],
})
CHANGES = pd.DataFrame({"业务编号": ["B1", "B2", "B3", "B4"], "业务类型": ["转学"] * 4,
                        "学籍号": ["G1", "G2", "G3", "G4"], "姓名": ["张伟", "李娜", "王芳", "赵敏"],
                        "发起日期": pd.to_datetime(["2026-11-02"] * 4),
                        "业务状态": ["在办"] * 4})
SCHOOLS = pd.DataFrame({"学校标识码": ["6404260001"], "学校名称": ["清川县第三小学"], "学段": ["小学"]})


def test_tables_rank_units_and_list_every_late_step():
    b = bulletin_tables(STEPS, "2026-11", CAL, 10, CHANGES, SCHOOLS)
    s = b.summary
    assert s["处理单位"].tolist()[0] in ("第一小学", "6404260001", "第二小学")
    assert set(s["处理单位"]) == {"第一小学", "6404260001", "第二小学", "清川县教育体育局"}
    assert s.set_index("处理单位").loc["6404260001", "单位名称"] == "清川县第三小学"
    assert (s.set_index("处理单位")["合计超期工作日"].to_dict()
            == {"第一小学": 10, "6404260001": 10, "第二小学": 10, "清川县教育体育局": 1})
    assert s["处理单位"].iloc[-1] == "清川县教育体育局"
    d = b.detail
    assert list(d.columns) == list(DETAIL_COLUMNS)
    assert sorted(d["业务编号"]) == ["B1", "B1", "B2", "B4"]  # B3 was in time
    b2 = d[d["业务编号"] == "B2"].iloc[0]  # handled in December: pending as of 11-30
    assert b2["办理情况"].startswith("截至11月30日") and b2["超期工作日"] == 10
    assert b2["姓名"] == "李娜" and b2["应办理日期"] == "2026-11-16" and b2["处理日期"] == ""
    assert "4 个责任单位共 4 个环节" in bulletin_text(b)


def test_only_transfer_steps_are_in_the_bulletin_and_not_their_archive_step():
    """RULES.md H: the 月度通报 times transfer businesses only; a 休学 step and a transfer's
    调档 step (TR-05's) stay out however late they are."""
    steps = pd.concat([STEPS, pd.DataFrame({
        "业务编号": ["B5", "B1"], "环节序号": [1, 3], "环节名称": ["学校审核", "调档"],
        "处理单位": ["第四小学", "第五小学"],
        "到达日期": pd.to_datetime(["2026-11-02", "2026-11-02"]),
        "处理日期": pd.to_datetime([None, None]), "处理结果": ["待办", "待办"]})],
        ignore_index=True)
    changes = pd.concat([CHANGES, pd.DataFrame({
        "业务编号": ["B5"], "业务类型": ["休学"], "学籍号": ["G5"], "姓名": ["钱多"],
        "发起日期": pd.to_datetime(["2026-11-02"]), "业务状态": ["在办"]})], ignore_index=True)
    b = bulletin_tables(steps, "2026-11", CAL, 10, changes, SCHOOLS)
    assert sorted(b.detail["业务编号"]) == ["B1", "B1", "B2", "B4"]
    assert not {"第四小学", "第五小学"} & set(b.summary["处理单位"])
    assert len(bulletin_tables(steps, "2026-11", CAL, 10).detail) == 6  # no types: every step


def test_xlsx_layout(tmp_path):
    b = bulletin_tables(STEPS, "2026-11", CAL, 10, CHANGES)
    path = write_bulletin(b, tmp_path, "清川县")
    assert path.name == "月度通报_2026-11.xlsx"
    wb = load_workbook(path)
    assert wb.sheetnames == ["通报汇总", "超期明细"]
    ws = wb["通报汇总"]
    assert ws["A1"].value.startswith("清川县2026年11月") and "10个工作日" in ws["A1"].value
    assert ws["A3"].value == "处理单位" and ws.max_row == 3 + 4
    assert wb["超期明细"].max_row == 3 + 4


def data_dir(tmp_path):
    d = tmp_path / "data"
    students = pd.DataFrame({"学籍号": ["G1"], "姓名": ["张伟"], "性别": ["男"],
                             "出生日期": ["2015-01-01"], "身份证件号": [""],
                             "学校标识码": ["6404260001"], "年级": ["三年级"], "学籍状态": ["在校"]})
    write_csv(students, d / "学生.csv")
    write_csv(STEPS.assign(到达日期=STEPS["到达日期"].dt.strftime("%Y-%m-%d"),
                           处理日期=STEPS["处理日期"].dt.strftime("%Y-%m-%d")), d / "环节.csv")
    write_csv(CHANGES.assign(发起日期="2026-11-02"), d / "异动.csv")
    return d


def run(argv):
    p = argparse.ArgumentParser()
    command.register(p)
    return command.run(p.parse_args(argv))


def workspace(tmp_path):
    ws = tmp_path / "ws"
    build_workspace(data_dir(tmp_path), ws, as_of=dt.date(2026, 12, 4), user="测试").close()
    return ws


def test_command_writes_xlsx_docx_pdf_and_chart(tmp_path, capsys):
    ws, out = workspace(tmp_path), tmp_path / "out"
    assert run(["--workspace", str(ws), "--month", "2026-11", "--out", str(out)]) == 0
    assert (out / "月度通报_2026-11.xlsx").is_file()
    assert (out / "月度通报_2026-11.png").stat().st_size > 5000
    assert (out / "月度通报_2026-11.pdf").read_bytes().startswith(b"%PDF")
    doc = Document(out / "月度通报_2026-11.docx")
    words = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "2026年11月30日" in words  # dated the month's last day by default
    text = capsys.readouterr().out
    assert "4 个责任单位共 4 个环节" in text


def test_command_defaults_to_the_month_before_the_audit_date(tmp_path, capsys):
    ws = workspace(tmp_path)  # audited on 2026-12-04
    assert run(["--workspace", str(ws)]) == 0
    assert (ws / "月度通报" / "月度通报_2026-11.xlsx").is_file()


def test_command_errors_in_chinese(tmp_path):
    ws = workspace(tmp_path)
    with pytest.raises(XuejiError, match="YYYY-MM"):
        run(["--workspace", str(ws), "--month", "2026-13", "--out", str(tmp_path / "o")])
    with pytest.raises(XuejiError, match="还没有督查数据"):
        run(["--workspace", str(tmp_path / "empty"), "--month", "2026-11"])
