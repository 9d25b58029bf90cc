"""A literal case dict (the shape of CaseStore.get_case) shared by the form tests; synthetic
people, ID numbers with valid check digits."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from docx import Document

from xueji_audit.ids import check_digit
from xueji_audit.schema import FINDING_COLUMNS


def make_id(first17: str) -> str:
    return first17 + check_digit(first17)


REP_ID = make_id("64042219881001002")  # born 1988-10-01
STU1_ID = make_id("64042220151005001")  # born 2015-10-05
STU2_ID = make_id("64042220150202002")  # born 2015-02-02
FORM_DATE = dt.date(2025, 9, 26)


def make_case(**over) -> dict:
    findings = pd.DataFrame([
        ["RJ-01", "在籍不在校", "高", "G640422201510050011", "王小明", "2164000001", None,
         "三年级(2)班", "学籍在校但不在在校名单上", "通知2016 附件1 五.2; 西吉2020", None],
        ["RJ-03", "人籍分离", "高", "G640422201502020022", "李小红", "2164000001", None,
         "三年级(1)班", "在乙校就读，学籍在甲校", "办法2013 第六条; 西吉2020", None],
    ], columns=list(FINDING_COLUMNS))
    students = pd.DataFrame([
        {"姓名": "王小明", "性别": "男", "出生日期": pd.Timestamp("2015-10-05"), "民族": "回族",
         "学籍号": "G640422201510050011", "身份证件号": STU1_ID, "学校名称": "某某县第一小学",
         "年级": 3, "班级": "三年级(2)班", "成员1姓名": "王大山", "成员1联系电话": "13800000000"},
        {"姓名": "李小红", "性别": "女", "出生日期": pd.NaT, "民族": None,
         "学籍号": "G640422201502020022", "身份证件号": STU2_ID, "学校名称": "某某县第一小学",
         "年级": 3, "班级": "三年级(1)班", "成员1姓名": None, "成员1联系电话": None},
    ])
    case = {
        "id": 7, "kind": "投诉", "title": "家长反映学生学籍与就读学校不一致", "status": "open",
        "unit": "某某县第一小学", "opened_by": "张三", "opened_on": FORM_DATE,
        "deadline_workdays": 10, "deadline": dt.date(2025, 10, 16), "note": "请核实后整改",
        "findings": findings, "students": students,
        "complainant": {"姓名": "赵某某", "性别": "女", "出生日期": dt.date(1988, 10, 1),
                        "民族": "汉族", "身份证号": REP_ID, "联系电话": None},
        "issuer": {"单位": "某某县教育体育局", "责任人": "刘某", "联系电话": "0954-0000000"},
    }
    case.update(over)
    return case


def _norm(s: str) -> str:
    return "".join(s.split())


def table_rows(path) -> list[list[tuple[str, str]]]:
    """Per row of every table: the distinct cells' texts (merged cells once), whitespace
    removed within labels."""
    doc = Document(str(path))
    out = []
    for table in doc.tables:
        for row in table.rows:
            seen, cells = set(), []
            for c in row.cells:
                if id(c._tc) in seen:
                    continue
                seen.add(id(c._tc))
                cells.append(c.text)
            out.append(cells)
    return out


def label_pairs(path) -> list[dict[str, str]]:
    """Per table row: {label: value} pairing each cell with the next one."""
    return [{_norm(cells[i]): cells[i + 1] for i in range(0, len(cells) - 1, 2)}
            for cells in table_rows(path)]


def all_text(path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


# ------------------------------------------------------------------ context tests

def test_ages_at_the_form_date():
    from xueji_audit.forms.data import age_at
    # the day before, on and after the 10th birthday
    assert age_at(dt.date(2015, 9, 27), FORM_DATE) == 9
    assert age_at(dt.date(2015, 9, 26), FORM_DATE) == 10
    assert age_at(pd.Timestamp("2015-09-25"), FORM_DATE) == 10
    assert age_at(None, FORM_DATE) is None
    assert age_at(pd.NaT, FORM_DATE) is None


def test_deadline_over_national_day_2025():
    from xueji_audit.forms.data import due_date
    from xueji_audit.workdays import WorkCalendar
    # 交办 Fri 2025-09-26, 10 working days: Sun 09-28 (调休) 1, Mon 09-29 2, Tue 09-30 3,
    # 10-01..10-08 国庆中秋 holiday, Thu 10-09 4, Fri 10-10 5, Sat 10-11 (调休) 6,
    # Mon 10-13 7, Tue 10-14 8, Wed 10-15 9, Thu 10-16 10.
    assert due_date(FORM_DATE, 10, WorkCalendar()) == dt.date(2025, 10, 16)


def test_complaint_context_blanks_and_ids():
    from xueji_audit.forms.data import BLANK, complaint_context
    from xueji_audit.workdays import WorkCalendar
    case = make_case(complainant=None, issuer=None, unit=None)
    case["students"] = case["students"].iloc[[1]]
    ctx = complaint_context(case, FORM_DATE, WorkCalendar())
    for key in ("rep_name", "rep_sex", "rep_age", "rep_ethnic", "rep_id", "rep_phone",
                "issuer_unit", "issuer_person", "issuer_phone", "handler_unit", "stu_ethnic"):
        assert ctx[key] == BLANK, key
    # 李小红 has no 出生日期: her age comes from the ID (born 2015-02-02) → 10 at 2025-09-26
    assert ctx["stu_age"] == "10岁"
    assert ctx["stu_id"] == STU2_ID  # full number, not masked
    assert all("None" not in str(v) and "nan" not in str(v) for v in ctx.values())


def test_problem_lines_name_rule_and_basis():
    from xueji_audit.forms.data import problem_lines
    lines = problem_lines(make_case()["findings"])
    assert lines == [
        "1. 学生王小明、学籍号G640422201510050011：在籍不在校（RJ-01），学籍在校但不在在校名单上"
        "（依据：通知2016 附件1 五.2; 西吉2020）。",
        "2. 学生李小红、学籍号G640422201502020022：人籍分离（RJ-03），在乙校就读，学籍在甲校"
        "（依据：办法2013 第六条; 西吉2020）。",
    ]


def test_report_province_comes_from_the_schools_division_code():
    from xueji_audit.forms.data import BLANK, report_context
    from xueji_audit.workdays import WorkCalendar
    case = make_case(schools=pd.DataFrame({"学校标识码": ["2164000001"], "行政区划码": ["640426"]}))
    assert report_context(case, FORM_DATE, WorkCalendar())["province"] == "宁夏回族自治区"
    two = make_case(schools=pd.DataFrame({"行政区划码": ["640426", "620102"]}))  # no one province
    assert report_context(two, FORM_DATE, WorkCalendar())["province"] == BLANK


def test_grades_townships_and_safe_file_names():
    from xueji_audit.forms.names import form_stem, slug, unique
    from xueji_audit.forms.rules import grade_of, township_of
    assert [grade_of(g, k) for g, k in [(3, "x"), (None, "三年级(1)班"), (None, "七年级2班"),
                                        (None, "初二(3)班"), (None, "高三1班"), ("", "十一年级"),
                                        (None, "幼儿班")]] == [3, 3, 7, 8, 12, 11, None]
    assert township_of("宁夏回族自治区固原市清川县兴隆镇王庄村") == "兴隆镇"
    assert township_of("甘肃省定西市安定区") == ""
    assert slug("张/三\u202e\x00..") == "张三" and slug("") == "无名" and slug("李" * 400) == "李" * 20
    assert slug("王G640422201510050011") == "王G"  # no number leaks into a file name
    assert form_stem(7, "核查单", "贾方") == "核查单_案件7_贾方"
    assert unique(["a", "a", "b", "a"]) == ["a", "a_2", "b", "a_3"]
