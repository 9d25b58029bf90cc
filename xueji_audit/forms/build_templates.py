"""Build the docxtpl templates of the official forms in ``templates/`` with python-docx.

Run ``python -m xueji_audit.forms.build_templates`` after changing a layout; the generated
``.docx`` files are committed so the kit does not need to build them at run time. Every form is
A4 with a bordered table; runs carry 宋体 (body) or 黑体 (titles) as their East-Asian font
(``w:eastAsia``) and the font table names Noto CJK as the substitute where those are missing.
Placeholders are Jinja tags read by :mod:`xueji_audit.forms.docx` (ASCII context keys).
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from .data import REPORT_NOTES, TEMPLATE_DIR

SONG, HEI = "宋体", "黑体"
_FALLBACK = {SONG: "Noto Serif CJK SC", HEI: "Noto Sans CJK SC"}
_FIXED_TIME = dt.datetime(2026, 1, 1)

# A row is a list of cells (text, span); text is a label, a ``{{ key }}`` or a ``{%p %}`` block
# (lines joined with "\n" become separate paragraphs). ``height`` in cm is a minimum.
Row = tuple[list[tuple[str, int]], float]


def _fonts(run, name: str = SONG, size: float = 12, bold: bool = False) -> None:
    run.font.name = "Times New Roman"
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    rfonts.set(qn("w:eastAsia"), name)


def _para(container, text: str, font: str = SONG, size: float = 12, bold: bool = False,
          align=WD_ALIGN_PARAGRAPH.LEFT, space_after: float = 0):
    p = container.add_paragraph()
    p.alignment = align
    p.paragraph_format.space_after = Pt(space_after)
    p.paragraph_format.space_before = Pt(0)
    if text:
        _fonts(p.add_run(text), font, size, bold)
    return p


def _new_document(landscape: bool = False):
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    if landscape:
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_width, sec.page_height = Cm(29.7), Cm(21)
    sec.top_margin = sec.bottom_margin = Cm(2.2)
    sec.left_margin = sec.right_margin = Cm(2.0)
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), SONG)
    doc._body.clear_content()
    props = doc.core_properties
    props.author = props.last_modified_by = "xueji-audit"
    props.created = props.modified = _FIXED_TIME
    props.revision = 1
    _font_fallbacks(doc)
    return doc


def _font_fallbacks(doc) -> None:
    """Name 宋体/黑体 in the font table with Noto CJK as their alternative (w:altName)."""
    part = next(p for p in doc.part.package.iter_parts()
                if str(p.partname) == "/word/fontTable.xml")
    xml = part.blob.decode("utf-8")
    entries = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
        f'<w:family w:val="{"roman" if name == SONG else "modern"}"/>'
        f'<w:pitch w:val="variable"/></w:font>' for name, alt in _FALLBACK.items())
    part._blob = re.sub(r"</w:fonts>\s*$", entries + "</w:fonts>", xml).encode("utf-8")


def _borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "8")
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    tbl_pr.append(borders)


def _fill(cell, text: str, size: float, label: bool) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)
    align = WD_ALIGN_PARAGRAPH.CENTER if label else WD_ALIGN_PARAGRAPH.LEFT
    for line in text.split("\n"):
        _para(cell, line, SONG, size, align=align)


def _table(doc, ncols: int, rows: list[Row], widths: list[float], size: float = 11):
    """A bordered table; a cell whose text has no ``{`` is a centred label."""
    table = doc.add_table(rows=len(rows), cols=ncols)
    table.style = doc.styles["Table Grid"]
    _borders(table)
    table.autofit = False
    for r, (cells, height) in enumerate(rows):
        row = table.rows[r]
        if height:
            row.height = Cm(height)
            row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        c = 0
        for text, span in cells:
            cell = row.cells[c]
            if span > 1:
                cell = cell.merge(row.cells[c + span - 1])
            _fill(cell, text, size, label="{" not in text)
            c += span
        if c != ncols:
            raise ValueError(f"row {r} spans {c} of {ncols} columns")
    for r in table.rows:
        for i, cell in enumerate(r.cells):
            cell.width = Cm(widths[i])
    return table


def _heading(doc, annex: str, title: str) -> None:
    if annex:
        _para(doc, annex, HEI, 16)
    _para(doc, title, HEI, 18, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)


def _lines(key: str) -> str:
    """A paragraph per item of the list ``key`` (docxtpl ``{%p %}`` loop)."""
    return f"{{%p for line in {key} %}}\n{{{{ line }}}}\n{{%p endfor %}}"


def _people_block() -> list[Row]:
    return [
        ([("问题反映人\n姓名", 1), ("{{ rep_name }}", 1), ("性别", 1), ("{{ rep_sex }}", 1),
          ("年龄", 1), ("{{ rep_age }}", 1), ("民族", 1), ("{{ rep_ethnic }}", 1)], 1.1),
        ([("身份证号", 1), ("{{ rep_id }}", 3), ("联系电话", 1), ("{{ rep_phone }}", 3)], 1.0),
        ([("学生姓名", 1), ("{{ stu_name }}", 1), ("性别", 1), ("{{ stu_sex }}", 1),
          ("年龄", 1), ("{{ stu_age }}", 1), ("民族", 1), ("{{ stu_ethnic }}", 1)], 1.0),
        ([("学生学籍号", 1), ("{{ stu_xjh }}", 3), ("学生\n身份证号", 1), ("{{ stu_id }}", 3)], 1.1),
    ]


_W8 = [2.6, 2.4, 1.4, 1.6, 1.4, 2.2, 1.4, 4.0]


def build_check() -> Document:
    """附件3 中小学生学籍管理问题核查单."""
    doc = _new_document()
    _heading(doc, "附件3", "中小学生学籍管理问题核查单")
    rows = _people_block() + [
        ([("所反映事项\n（由交办单位填写）", 1), (_lines("matters"), 7)], 6.0),
        ([("交办单位", 1), ("{{ issuer_unit }}", 3), ("责任人", 1), ("{{ issuer_person }}", 1),
          ("联系电话", 1), ("{{ issuer_phone }}", 1)], 1.1),
        ([("核查单位", 1), ("{{ handler_unit }}", 3), ("承办人", 1), ("{{ handler_person }}", 1),
          ("联系电话", 1), ("{{ handler_phone }}", 1)], 1.1),
        ([("交办时间", 1), ("{{ assigned_on }}", 3), ("完成时限", 1), ("{{ due_on }}", 3)], 1.0),
        ([("经核实的情况\n（由核查单位填写）", 1), ("{{ findings_text }}", 7)], 7.0),
    ]
    _table(doc, 8, rows, _W8)
    return doc


def build_supervise() -> Document:
    """附件4 中小学生学籍管理问题督办单."""
    doc = _new_document()
    _heading(doc, "附件4", "中小学生学籍管理问题督办单")
    people = _people_block()
    people[0][0][0] = ("反映问题人\n姓名", 1)
    rows = people + [
        ([("反映事项", 1), (_lines("matters"), 7)], 5.0),
        ([("督办单位", 1), ("{{ issuer_unit }}", 3), ("责任人", 1), ("{{ issuer_person }}", 1),
          ("联系电话", 1), ("{{ issuer_phone }}", 1)], 1.1),
        ([("承办单位", 1), ("{{ handler_unit }}", 3), ("承办人", 1), ("{{ handler_person }}", 1),
          ("联系电话", 1), ("{{ handler_phone }}", 1)], 1.1),
        ([("督办时间", 1), ("{{ assigned_on }}", 3), ("完成时限", 1), ("{{ due_on }}", 3)], 1.0),
        ([("办理意见", 1), ("{{ opinion }}", 7)], 3.5),
        ([("办理情况\n（承办单位填写）", 1), ("{{ findings_text }}", 7)], 5.0),
    ]
    _table(doc, 8, rows, _W8)
    return doc


def build_report() -> Document:
    """附件2 中小学生学籍管理问题报告单, with the notes of the original under it."""
    doc = _new_document()
    _heading(doc, "附件2", "中小学生学籍管理问题报告单")
    _para(doc, "省份：{{ province }}（盖章）", SONG, 12, space_after=6)
    w = [2.6, 4.0, 1.6, 4.4, 1.6, 2.8]
    rows = [
        ([("业务联系人", 1), ("{{ biz_person }}", 1), ("单位", 1), ("{{ biz_unit }}", 1),
          ("电话", 1), ("{{ biz_phone }}", 1)], 1.1),
        ([("技术联系人", 1), ("{{ tech_person }}", 1), ("单位", 1), ("{{ tech_unit }}", 1),
          ("电话", 1), ("{{ tech_phone }}", 1)], 1.1),
        ([("报送时间", 1), ("{{ reported_on }}", 5)], 1.0),
        ([("问题描述\n（有多个问题请分条列出）", 1), (_lines("problems"), 5)], 9.0),
        ([("教育部\n受理人", 1), ("{{ moe_person }}", 1), ("受理单位", 1), ("{{ moe_unit }}", 1),
          ("受理\n时间", 1), ("{{ moe_date }}", 1)], 1.2),
        ([("处理意见", 1), ("{{ moe_opinion }}", 5)], 4.0),
    ]
    _table(doc, 6, rows, w)
    _para(doc, "", space_after=4)
    _para(doc, "说明：", SONG, 10.5)
    for note in REPORT_NOTES:
        _para(doc, note, SONG, 10.5)
    return doc


def build_roster_check() -> Document:
    """人籍不一致学生排查表 (西吉2020 附件1): one table per school, rows repeated."""
    doc = _new_document(landscape=True)
    _heading(doc, "附件1", "人籍不一致学生排查表")
    _para(doc, "{%p for school in schools %}")
    _para(doc, "学校：{{ school.name }}        排摸日期：{{ surveyed_on }}        "
          "填表人：{{ filled_by }}        校长签字：{{ principal }}", SONG, 12, space_after=6)
    heads = ["序号", "班级", "学生姓名", "性别", "学籍号", "类别", "原因", "整改措施", "备注"]
    keys = ["no", "klass", "name", "sex", "xjh", "category", "reason", "measure", "remark"]
    rows = [([(h, 1) for h in heads], 0.9),
            ([("{%tr for r in school.rows %}", 9)], 0),
            ([(f"{{{{ r.{k} }}}}", 1) for k in keys], 0.9),
            ([("{%tr endfor %}", 9)], 0)]
    _table(doc, 9, rows, [1.1, 2.4, 2.0, 1.1, 4.6, 2.4, 3.4, 3.8, 4.9], size=10.5)
    _para(doc, "类别：在籍不在校 / 在校不在籍 / 人籍分离。原因：已转外校未办转接 / 不具备转学条件外出 / "
          "重度残疾送教上门 / 疑似辍学 / 符合条件未办手续 / 违规招收 / 无户口 / 其他。", SONG, 10.5)
    _para(doc, "{%p if not loop.last %}")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _para(doc, "{%p endif %}")
    _para(doc, "{%p endfor %}")
    return doc


def build_return_notice() -> Document:
    """义务教育阶段学生限期复学通知书 with a tear-off receipt (回执)."""
    doc = _new_document()
    _heading(doc, "", "义务教育阶段学生限期复学通知书")
    _para(doc, "{{ guardian }}：", SONG, 14, space_after=6)
    rows = [
        ([("学生姓名", 1), ("{{ stu_name }}", 1), ("性别", 1), ("{{ stu_sex }}", 1),
          ("出生日期", 1), ("{{ stu_birth }}", 1)], 1.0),
        ([("原就读学校", 1), ("{{ school }}", 3), ("年级班级", 1), ("{{ grade_class }}", 1)], 1.0),
    ]
    _table(doc, 6, rows, [2.4, 3.0, 1.4, 2.0, 2.4, 5.8])
    body = (
        "    你的子女（被监护人）上述学生目前未到校接受义务教育。根据《中华人民共和国义务教育法》"
        "第五条“适龄儿童、少年的父母或者其他法定监护人应当依法保证其按时入学接受并完成义务教育”"
        "和第十一条“凡年满六周岁的儿童，其父母或者其他法定监护人应当送其入学接受并完成义务教育”"
        "的规定，现责令你于 {{ return_by }} 前送该生到 {{ report_school }} 复学报到。")
    _para(doc, "", space_after=4)
    _para(doc, body, SONG, 14, space_after=6)
    _para(doc, "    联系人：{{ contact }}    联系电话：{{ contact_phone }}", SONG, 14, space_after=6)
    _para(doc, "    逾期不送子女复学的，将依法追究监护人的法律责任。", SONG, 14, space_after=24)
    _para(doc, "{{ issuer_unit }}（盖章）", SONG, 14, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, "{{ issued_on }}", SONG, 14, align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=18)
    _para(doc, "- - - - - - - - - - - - - - - - - - 沿此线剪开 - - - - - - - - - - - - - - - - - -",
          SONG, 10.5, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    _para(doc, "回    执", HEI, 16, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=6)
    _para(doc, "    本人已收到{{ issuer_unit }}于 {{ issued_on }} 发出的关于学生 {{ stu_name }} 的"
          "《义务教育阶段学生限期复学通知书》，将于 {{ return_by }} 前送其到 {{ report_school }}"
          " 复学报到。", SONG, 14, space_after=12)
    _para(doc, "监护人（签字）：＿＿＿＿＿＿＿＿    日期：＿＿＿＿年＿＿月＿＿日", SONG, 14,
          align=WD_ALIGN_PARAGRAPH.RIGHT)
    return doc


def build_bulletin() -> Document:
    """月度通报: summary per responsible unit (worst first), then the late steps."""
    doc = _new_document(landscape=True)
    _heading(doc, "", "{{ title }}")
    _para(doc, "{{ lead }}", SONG, 12, space_after=6)
    _para(doc, "一、各责任单位超期情况", HEI, 14, space_after=4)
    heads = ["序号", "处理单位", "单位名称", "超期环节数", "未办理环节数", "最长超期工作日"]
    keys = ["no", "unit", "name", "late", "pending", "worst"]
    rows = [([(h, 1) for h in heads], 0.9), ([("{%tr for r in summary %}", 6)], 0),
            ([(f"{{{{ r.{k} }}}}", 1) for k in keys], 0.8), ([("{%tr endfor %}", 6)], 0)]
    _table(doc, 6, rows, [1.4, 5.0, 8.0, 3.0, 3.0, 5.2], size=10.5)
    _para(doc, "", space_after=4)
    _para(doc, "二、超期业务明细", HEI, 14, space_after=4)
    heads = ["处理单位", "业务编号", "业务类型", "学籍号", "姓名", "环节", "到达日期", "应办理日期",
             "办理情况", "超期工作日"]
    keys = ["unit", "biz", "kind", "xjh", "name", "step", "arrived", "due", "state", "days"]
    rows = [([(h, 1) for h in heads], 0.9), ([("{%tr for r in detail %}", 10)], 0),
            ([(f"{{{{ r.{k} }}}}", 1) for k in keys], 0.8), ([("{%tr endfor %}", 10)], 0)]
    _table(doc, 10, rows, [3.0, 3.2, 2.2, 3.6, 1.8, 2.6, 2.3, 2.3, 3.0, 1.6], size=9)
    _para(doc, "", space_after=12)
    _para(doc, "{{ issuer_unit }}", SONG, 12, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, "{{ issued_on }}", SONG, 12, align=WD_ALIGN_PARAGRAPH.RIGHT)
    return doc


BUILDERS = {
    "报告单": build_report, "核查单": build_check, "督办单": build_supervise,
    "排查表": build_roster_check, "复学通知书": build_return_notice, "月度通报": build_bulletin,
}


def build_all(out_dir: str | Path = TEMPLATE_DIR) -> list[Path]:
    """Write ``<kind>.docx`` for every form kind into ``out_dir``; return the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind, build in BUILDERS.items():
        path = out / f"{kind}.docx"
        build().save(path)
        paths.append(path)
    return paths


if __name__ == "__main__":
    for p in build_all():
        print(p)
