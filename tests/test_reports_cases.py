"""Report 05 案件与表单: open cases with working-day deadlines, their findings, drafting a form
into the access log."""
import datetime as dt

import pandas as pd
import pytest

from xueji_audit.cases import CaseStore, organisation
from xueji_audit.reports import cases as rc
from xueji_audit.workdays import WorkCalendar

CAL = WorkCalendar()


def finding(rule, xjh, school, name="张三"):
    return {"rule_id": rule, "rule_name": "测试问题", "severity": "高", "学籍号": xjh,
            "姓名": name, "学校标识码": school, "业务编号": None, "班级": "一年级1班",
            "detail": f"身份证件号 640426201501011234 有误（{xjh}）", "basis": "测试",
            "due_date": pd.Timestamp("2026-12-01")}


@pytest.fixture
def store(tmp_path):
    s = CaseStore(tmp_path / "cases.sqlite")
    organisation.set_part(tmp_path, "技术部门", unit="某某县教育局技术科")
    # Mon 2026-11-02 + 5 working days = Mon 2026-11-09
    late = s.open_case("核查", "甲", pd.DataFrame([finding("ID-01", "G640426201501011234", "S1"),
                                                  finding("ID-02", "G640426201601011234", "S1")]),
                       deadline_workdays=5, user="u", on=dt.date(2026, 11, 2), calendar=CAL)
    # Tue 2026-11-10 + 10 working days = Tue 2026-11-24
    s.open_case("督办", "乙", pd.DataFrame([finding("TR-01", "G640426201701011234", "S2")]),
                unit="第二小学", deadline_workdays=10, user="u", on=dt.date(2026, 11, 10),
                calendar=CAL)
    done = s.open_case("排查", "丙", None, deadline_workdays=1, user="u",
                       on=dt.date(2026, 11, 2), calendar=CAL)
    s.assign(done, "第三小学", user="u", on=dt.date(2026, 11, 2))
    s.set_status(done, "撤销", user="u", on=dt.date(2026, 11, 3))
    s.assign(late, "第一小学", user="u", on=dt.date(2026, 11, 2))
    yield s
    s.close_store()


def test_open_cases_count_working_days_and_flag_overdue(store):
    t = rc.open_cases(store, "2026-11-12", CAL)
    assert list(t["案件号"]) == [1, 2]  # the closed case 3 is left out; most overdue first
    assert list(t["办理期限"]) == ["2026-11-09", "2026-11-24"]
    # 11-10, 11-11, 11-12 past the deadline; 13,16,17,18,19,20,23,24 still to go
    assert list(t["剩余工作日"]) == [-3, 8]
    assert list(t["逾期"]) == ["是", "否"]
    assert list(t["类型"]) == ["问题核查单", "问题督办单"]
    assert list(t["状态"]) == ["交办", "立案"]
    assert list(t["问题数"]) == [2, 1] and list(t["未整改"]) == [2, 1]
    on_deadline = rc.open_cases(store, "2026-11-09", CAL)
    assert list(on_deadline["剩余工作日"]) == [0, 11] and list(on_deadline["逾期"]) == ["否", "否"]


def test_school_keeps_cases_with_a_finding_or_unit_there(store):
    names = pd.Series({"S1": "第一小学", "S2": "第二小学"})
    assert list(rc.open_cases(store, "2026-11-12", CAL, "S2", names)["案件号"]) == [2]
    assert list(rc.open_cases(store, "2026-11-12", CAL, "第一", names)["案件号"]) == [1]
    assert rc.open_cases(store, "2026-11-12", CAL, "第九", names).empty


def test_case_findings_name_case_and_school(store):
    f = rc.case_findings(store, [1, 2], pd.Series({"S1": "第一小学"}))
    assert list(f["案件号"]) == [1, 1, 2]
    assert list(f["规则编号"]) == ["ID-01", "ID-02", "TR-01"]
    assert list(f["学校"].fillna("")) == ["第一小学", "第一小学", ""]
    assert list(f["整改状态"]) == ["未整改"] * 3
    assert list(f["整改期限"]) == ["2026-12-01"] * 3
    assert rc.case_findings(store, []).empty


def test_drafting_writes_docx_and_pdf_and_logs_the_access(store, tmp_path):
    cases = rc.open_cases(store, "2026-11-12", CAL)
    assert rc.form_case(cases) == 1 and rc.form_case(cases, "督办") == 2
    assert rc.form_case(cases.iloc[0:0]) is None
    files = rc.draft_case_form(store, 1, "核查单", on="2026-11-12", calendar=CAL,
                               out_dir=tmp_path / "forms", user="李督查")
    # one form per child (both children are named 张三), a 汇总表 and one merged PDF
    assert list(files["格式"]) == ["docx", "pdf", "docx", "pdf", "xlsx", "docx", "pdf"]
    assert {p.name for p in (tmp_path / "forms").iterdir()} == {
        "核查单_案件1_张三.docx", "核查单_案件1_张三.pdf", "核查单_案件1_张三_2.docx",
        "核查单_案件1_张三_2.pdf", "核查单汇总表_案件1.xlsx", "核查单汇总表_案件1.docx",
        "核查单_案件1_合并打印.pdf"}
    summary = pd.read_excel(tmp_path / "forms" / "核查单汇总表_案件1.xlsx", dtype=str)
    assert summary["学籍号"].tolist() == ["G640426201501011234", "G640426201601011234"]
    assert summary["承办单位"].tolist() == ["第一小学"] * 2
    assert summary["完成时限"].tolist() == ["2026年11月09日"] * 2  # the case's stored deadline
    assert (files["大小（KB）"] > 1).all()
    log = rc.access_table(store)
    assert log[["日期", "操作人", "操作", "案件号"]].values.tolist() == [
        ["2026-11-12T00:00:00", "李督查", "起草文书", 1]]
    assert log["说明"].iloc[0].startswith("核查单：核查单_案件1_张三.docx、核查单_案件1_张三.pdf、")


def test_a_drafted_form_carries_the_register_details(store, tmp_path):
    import docx

    register = pd.DataFrame({"学籍号": ["G640426201601011234", "G640426201501011234"],
                             "姓名": ["乙生", "甲生"], "性别": ["女", "男"],
                             "出生日期": pd.to_datetime(["2016-01-01", "2015-01-01"]),
                             "民族": ["回族", "汉族"],
                             "身份证件号": ["640426201601011242", "640426201501011239"]})

    def text(folder):
        d = docx.Document(folder / "核查单_案件1_张三.docx")
        return "\n".join(c.text for t in d.tables for r in t.rows for c in r.cells)

    rc.draft_case_form(store, 1, "核查单", on="2026-11-12", calendar=CAL,
                       out_dir=tmp_path / "with", user="李督查", students=register)
    rc.draft_case_form(store, 1, "核查单", on="2026-11-12", calendar=CAL,
                       out_dir=tmp_path / "without", user="李督查")
    assert "640426201501011239" in text(tmp_path / "with")
    assert "640426201501011239" not in text(tmp_path / "without")
