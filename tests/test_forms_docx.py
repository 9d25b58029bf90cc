"""Every field of each generated .docx, read back with python-docx."""
from __future__ import annotations

import jinja2
import pytest
from test_forms_data import FORM_DATE, REP_ID, STU1_ID, all_text, label_pairs, make_case, table_rows

from xueji_audit.forms import draft
from xueji_audit.forms.data import BLANK, BLANK_DATE
from xueji_audit.forms.docx import render_docx
from xueji_audit.workdays import WorkCalendar

CAL = WorkCalendar()


def _docx(kind, case, tmp_path, user="张三"):
    paths = draft(kind, case, on=FORM_DATE, calendar=CAL, out_dir=tmp_path, user=user)
    return [p for p in paths if p.suffix == ".docx"]


def _clean(path):
    text = all_text(path)
    assert "None" not in text and "nan" not in text and "{{" not in text and "{%" not in text


@pytest.mark.parametrize("kind,issuer,handler,assigned",
                         [("核查单", "交办单位", "核查单位", "交办时间"),
                          ("督办单", "督办单位", "承办单位", "督办时间")])
def test_check_and_supervise_fields(tmp_path, kind, issuer, handler, assigned):
    (path,) = _docx(kind, make_case(), tmp_path)
    rows = label_pairs(path)
    who = "问题反映人姓名" if kind == "核查单" else "反映问题人姓名"
    assert rows[0] == {who: "赵某某", "性别": "女", "年龄": "36岁", "民族": "汉族"}
    assert rows[1] == {"身份证号": REP_ID, "联系电话": BLANK}
    assert rows[2] == {"学生姓名": "王小明", "性别": "男", "年龄": "9岁", "民族": "回族"}
    assert rows[3] == {"学生学籍号": "G640422201510050011", "学生身份证号": STU1_ID}
    matters = next(v for r in rows for k, v in r.items() if k.startswith(("所反映事项", "反映事项")))
    lines = matters.split("\n")
    assert lines[0] == "家长反映学生学籍与就读学校不一致"
    assert lines[1] == "（共涉及学生2名，上栏填写第一名）"
    assert lines[2].startswith("1. 学生王小明、学籍号G640422201510050011：在籍不在校（RJ-01）")
    assert "依据：办法2013 第六条; 西吉2020" in lines[3]
    merged = {k: v for r in rows for k, v in r.items()}
    assert merged[issuer] == "某某县教育体育局"
    assert merged["责任人"] == "刘某" and "0954-0000000" in [r.get("联系电话") for r in rows]
    assert merged[handler] == "某某县第一小学"
    assert merged["承办人"] == BLANK
    assert merged[assigned] == "2025年09月26日"
    assert merged["完成时限"] == "2025年10月16日"  # 10 working days over 国庆 2025
    if kind == "督办单":
        assert merged["办理意见"] == "请核实后整改"
        assert merged["办理情况（承办单位填写）"] == ""
    else:
        assert merged["经核实的情况（由核查单位填写）"] == ""
    _clean(path)


def test_missing_people_leave_blank_lines(tmp_path):
    case = make_case(complainant=None, issuer={"单位": None})
    (path,) = _docx("核查单", case, tmp_path)
    rows = label_pairs(path)
    assert set(rows[0].values()) == {BLANK} and set(rows[1].values()) == {BLANK}
    assert rows[4 + 1]["交办单位"] == BLANK and rows[4 + 1]["责任人"] == BLANK
    _clean(path)


def test_report_fields_and_notes(tmp_path):
    (path,) = _docx("报告单", make_case(), tmp_path)
    rows = label_pairs(path)
    assert rows[0] == {"业务联系人": "刘某", "单位": "某某县教育体育局", "电话": "0954-0000000"}
    assert rows[1] == {"技术联系人": BLANK, "单位": BLANK, "电话": BLANK}
    assert rows[2] == {"报送时间": "2025年09月26日"}
    problems = rows[3]["问题描述（有多个问题请分条列出）"].split("\n")
    assert [p[:3] for p in problems] == ["1. ", "2. "]
    assert "人籍分离（RJ-03）" in problems[1]
    assert rows[4] == {"教育部受理人": "", "受理单位": "", "受理时间": ""}
    assert rows[5] == {"处理意见": ""}
    text = all_text(path)
    assert f"省份：{BLANK}（盖章）" in text
    for note in ("说明：", "1. 问题报告单需省级教育行政部门盖章后报教育部基础教育一司或教育部教育管理信息中心。",
                 "2. 报送问题较多的，“问题描述”部分可另附页。",
                 "3. 问题报告单及附件需另以电子格式报送至：wanggw@moe.edu.cn，qingsanji@moe.edu.cn。"):
        assert note in text.split("\n")
    _clean(path)


def test_roster_check_rows(tmp_path):
    (path,) = _docx("排查表", make_case(), tmp_path, user="张三")
    rows = table_rows(path)
    assert rows[0] == ["序号", "班级", "学生姓名", "性别", "学籍号", "类别", "原因", "整改措施", "备注"]
    # sorted by class: 三年级(1)班 before 三年级(2)班
    assert rows[1] == ["1", "三年级(1)班", "李小红", "女", "G640422201502020022", "人籍分离",
                       BLANK, BLANK, "在乙校就读，学籍在甲校"]
    assert rows[2] == ["2", "三年级(2)班", "王小明", "男", "G640422201510050011", "在籍不在校",
                       BLANK, BLANK, "学籍在校但不在在校名单上"]
    assert len(rows) == 3
    text = all_text(path)
    assert (f"学校：某某县第一小学        排摸日期：2025年09月26日        填表人：张三        "
            f"校长签字：{BLANK}") in text
    _clean(path)


def test_roster_check_without_findings_gives_rows_to_fill(tmp_path):
    case = make_case()
    case["findings"] = case["findings"].iloc[0:0]
    (path,) = _docx("排查表", case, tmp_path, user="")
    rows = table_rows(path)
    assert len(rows) == 11 and rows[10] == ["10"] + [""] * 8
    assert f"填表人：{BLANK}" in all_text(path)


def test_return_notices_one_per_student(tmp_path):
    paths = _docx("复学通知书", make_case(), tmp_path)
    assert [p.name for p in paths] == [
        "复学通知书_案件7_G640422201510050011_王小明.docx",
        "复学通知书_案件7_G640422201502020022_李小红.docx"]
    first, second = (label_pairs(p) for p in paths)
    assert first[0] == {"学生姓名": "王小明", "性别": "男", "出生日期": "2015年10月05日"}
    assert first[1] == {"原就读学校": "某某县第一小学", "年级班级": "三年级(2)班"}
    assert second[0]["出生日期"] == BLANK_DATE
    text = all_text(paths[0])
    assert "王大山（监护人）：" in text
    assert "现责令你于 2025年10月16日 前送该生到 某某县第一小学 复学报到。" in text
    assert "联系人：刘某    联系电话：0954-0000000" in text
    assert "某某县教育体育局（盖章）" in text and "回    执" in text
    assert "第五条" in text and "第十一条" in text
    assert f"{BLANK}（监护人）：" in all_text(paths[1])
    for p in paths:
        _clean(p)


def test_strict_undefined_fails_on_a_missing_placeholder(tmp_path):
    from xueji_audit.forms.data import complaint_context
    ctx = complaint_context(make_case(), FORM_DATE, CAL)
    del ctx["stu_xjh"]
    with pytest.raises(jinja2.UndefinedError, match="stu_xjh"):
        render_docx("核查单", ctx, tmp_path / "x.docx")


def test_templates_are_a4_with_cjk_fonts():
    from docx import Document
    from docx.oxml.ns import qn

    from xueji_audit.forms.data import TEMPLATE_DIR
    for kind in ("报告单", "核查单", "督办单", "排查表", "复学通知书", "月度通报"):
        doc = Document(str(TEMPLATE_DIR / f"{kind}.docx"))
        sec = doc.sections[0]
        assert sorted([round(sec.page_width.cm, 1), round(sec.page_height.cm, 1)]) == [21.0, 29.7]
        fonts = {r.get(qn("w:eastAsia")) for r in doc.element.body.iter(qn("w:rFonts"))}
        assert fonts <= {"宋体", "黑体"} and "黑体" in fonts, kind
        borders = doc.tables[0]._tbl.tblPr.find(qn("w:tblBorders"))
        assert borders is not None and borders.find(qn("w:insideH")).get(qn("w:val")) == "single"
