"""Every field of each generated .docx, read back with python-docx."""
from __future__ import annotations

import re
import subprocess
import zipfile

import jinja2
import pandas as pd
import pytest
from test_forms_data import FORM_DATE, REP_ID, STU1_ID, all_text, label_pairs, make_case, table_rows

from xueji_audit.forms import draft
from xueji_audit.forms.data import BLANK
from xueji_audit.forms.docx import render_docx
from xueji_audit.forms.rules import FormRefusedError
from xueji_audit.workdays import WorkCalendar

CAL = WorkCalendar()


def _docx(kind, case, tmp_path, user="张三"):
    paths = draft(kind, case, on=FORM_DATE, calendar=CAL, out_dir=tmp_path, user=user)
    return [p for p in paths if p.suffix == ".docx" and "汇总表" not in p.name]


def _clean(path):
    text = all_text(path)
    assert "None" not in text and "nan" not in text and "{{" not in text and "{%" not in text


@pytest.mark.parametrize("kind,issuer,handler,assigned",
                         [("核查单", "交办单位", "核查单位", "交办时间"),
                          ("督办单", "督办单位", "承办单位", "督办时间")])
def test_check_and_supervise_fields(tmp_path, kind, issuer, handler, assigned):
    path, second = _docx(kind, make_case(), tmp_path)  # one form per child
    assert (path.name, second.name) == (f"{kind}_案件7_王小明.docx", f"{kind}_案件7_李小红.docx")
    rows = label_pairs(path)
    who = "问题反映人姓名" if kind == "核查单" else "反映问题人姓名"
    assert rows[0] == {who: "赵某某", "性别": "女", "年龄": "36岁", "民族": "汉族"}
    assert rows[1] == {"身份证号": REP_ID, "联系电话": BLANK}
    assert rows[2] == {"学生姓名": "王小明", "性别": "男", "年龄": "9岁", "民族": "回族"}
    assert rows[3] == {"学生学籍号": "G640422201510050011", "学生身份证号": STU1_ID}
    matters = next(v for r in rows for k, v in r.items() if k.startswith(("所反映事项", "反映事项")))
    lines = matters.split("\n")
    assert lines[0] == "家长反映学生学籍与就读学校不一致" and len(lines) == 2
    assert lines[1].startswith("1. 学生王小明、学籍号G640422201510050011：在籍不在校（RJ-01）")
    assert "依据：通知2016 附件1 五.2; 西吉2020" in lines[1]
    other = label_pairs(second)
    assert other[2]["学生姓名"] == "李小红"
    assert "人籍分离（RJ-03）" in next(v for r in other for k, v in r.items()
                                   if k.startswith(("所反映事项", "反映事项")))
    merged = {k: v for r in rows for k, v in r.items()}
    assert merged[issuer] == "某某县教育体育局"
    assert merged["责任人"] == "刘某" and "0954-0000000" in [r.get("联系电话") for r in rows]
    assert merged[handler] == "某某县第一小学"
    assert merged["承办人"] == BLANK
    assert merged[assigned] == "2025年09月26日"
    assert merged["完成时限"] == "2025年10月16日"  # the case's stored deadline
    if kind == "督办单":
        assert merged["办理意见"] == "请核实后整改"
        assert merged["办理情况（承办单位填写）"] == ""
    else:
        assert merged["经核实的情况（由核查单位填写）"] == ""
    _clean(path)


def _pages(pdf) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


def test_one_form_per_child_with_a_summary_merged_pdf_and_bundle(tmp_path):
    seen = []
    paths = draft("核查单", make_case(), on=FORM_DATE, calendar=CAL, out_dir=tmp_path,
                  bundle=True, progress=lambda f, m: seen.append(m))
    assert [p.name for p in paths] == [
        "核查单_案件7_王小明.docx", "核查单_案件7_王小明.pdf", "核查单_案件7_李小红.docx",
        "核查单_案件7_李小红.pdf", "核查单汇总表_案件7.xlsx", "核查单汇总表_案件7.docx",
        "核查单_案件7_合并打印.pdf", "核查单_案件7_全部文书.zip"]
    assert seen[:2] == ["生成文书 1/2：核查单_案件7_王小明（Word 与 PDF）",
                        "生成文书 2/2：核查单_案件7_李小红（Word 与 PDF）"]
    summary = pd.read_excel(paths[4], dtype=str)
    assert summary[["学生姓名", "学籍号", "承办单位", "完成时限"]].values.tolist() == [
        ["王小明", "G640422201510050011", "某某县第一小学", "2025年10月16日"],
        ["李小红", "G640422201502020022", "某某县第一小学", "2025年10月16日"]]
    assert "在籍不在校（RJ-01）" in summary["问题"].iloc[0]
    assert "李小红" in all_text(paths[5]) and "G640422201502020022" in all_text(paths[5])
    assert _pages(paths[6]) == _pages(paths[1]) + _pages(paths[3]) >= 2
    assert sorted(zipfile.ZipFile(paths[7]).namelist()) == sorted(p.name for p in paths[:7])
    assert not list(tmp_path.glob("*.tmp"))


def test_missing_people_leave_blank_lines(tmp_path):
    case = make_case(complainant=None, issuer={"单位": None})
    path, _ = _docx("核查单", case, tmp_path)
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
    assert path.name == "排查表_案件7_某某县第一小学.docx"  # one per school
    rows = table_rows(path)
    head = ["序号", "班级", "学生姓名", "性别", "学籍号", "类别", "原因", "整改措施", "备注"]
    # one table per class: 三年级(1)班 before 三年级(2)班
    assert rows == [head, ["1", "三年级(1)班", "李小红", "女", "G640422201502020022", "人籍分离",
                           BLANK, BLANK, "在乙校就读，学籍在甲校"],
                    head, ["1", "三年级(2)班", "王小明", "男", "G640422201510050011", "在籍不在校",
                           BLANK, BLANK, "学籍在校但不在在校名单上"]]
    text = all_text(path)
    assert (f"学校：某某县第一小学　三年级(1)班        排摸日期：2025年09月26日        填表人：张三        "
            f"校长签字：{BLANK}") in text
    _clean(path)


def test_roster_check_takes_findings_by_rule_id_and_the_roster_sex(tmp_path):
    case = make_case()
    f = case["findings"]
    f.loc[0, ["rule_id", "rule_name"]] = ["RJ-04", "离校超3个月应置其他离校"]  # not a category
    f.loc[1, ["rule_id", "rule_name", "学籍号", "姓名"]] = ["RJ-02", "在校不在籍", None, "马小花"]
    case["rosters"] = pd.DataFrame({"学校标识码": ["2164000001"], "班级": ["三年级(1)班"],
                                    "姓名": ["马小花"], "性别": ["女"]})
    (path,) = _docx("排查表", case, tmp_path)
    rows = [r for r in table_rows(path) if r[0] == "1"]
    assert [r[2:6] for r in rows] == [["马小花", "女", BLANK, "在校不在籍"],
                                      ["王小明", "男", "G640422201510050011", "在籍不在校"]]


def test_roster_check_needs_a_roster_finding(tmp_path):
    case = make_case()
    case["findings"] = case["findings"].assign(rule_id="ID-01", rule_name="证件号错误")
    with pytest.raises(FormRefusedError, match="案件 7 没有人籍一致问题"):
        _docx("排查表", case, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_return_notices_only_for_eligible_children(tmp_path):
    case = make_case()
    case["students"].loc[0, "成员1关系"] = "父亲"
    paths = _docx("复学通知书", case, tmp_path)
    assert [p.name for p in paths] == ["复学通知书_案件7_王小明.docx"]  # RJ-03 is no reason
    (first,) = (label_pairs(p) for p in paths)
    assert first[0] == {"学生姓名": "王小明", "性别": "男", "出生日期": "2015年10月05日"}
    assert first[1] == {"原就读学校": "某某县第一小学", "年级班级": "三年级(2)班"}
    text = all_text(paths[0])
    assert "学生父亲王大山（监护人）：" in text
    assert "现责令你于 2025年10月16日 前送该生到 某某县第一小学 复学报到。" in text
    assert "联系人：刘某    联系电话：0954-0000000" in text
    assert "某某县教育体育局（盖章）" in text and "回    执" in text
    assert "第五条" in text and "第十一条" in text
    _clean(paths[0])


def test_return_notice_refused_by_name_above_grade_nine_and_without_a_reason(tmp_path):
    case = make_case()
    case["students"].loc[0, ["年级", "班级"]] = [12, "高三(1)班"]
    with pytest.raises(FormRefusedError, match=r"学生王小明（高三\(1\)班）在12年级，不在义务教育阶段"):
        _docx("复学通知书", case, tmp_path)
    case = make_case()
    case["findings"] = case["findings"].assign(rule_id="ID-01", rule_name="证件号错误")
    with pytest.raises(FormRefusedError, match="没有疑似辍学、其他离校或在籍不在校的问题"):
        _docx("复学通知书", case, tmp_path)
    assert list(tmp_path.iterdir()) == []


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


def test_roster_check_is_filled_in_by_the_schools_contact(tmp_path):
    from xueji_audit.forms import with_organisation
    settings = {"学校": {"2164000001": {"单位": "某某县第一小学", "责任人": "杨老师"}}}
    case = with_organisation("排查表", make_case(), settings)
    (path,) = _docx("排查表", case, tmp_path, user="督查员")
    assert "填表人：杨老师" in all_text(path) and "督查员" not in all_text(path)
