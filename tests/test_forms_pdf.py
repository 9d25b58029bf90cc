"""Each form's PDF: rendered by weasyprint without a missing glyph, then to PNG with pdftoppm;
and the 月度通报 as .docx and .pdf from a Bulletin."""
from __future__ import annotations

import datetime as dt
import logging
import subprocess

import jinja2
import pandas as pd
import pytest
from test_forms_data import FORM_DATE, make_case, table_rows

from xueji_audit.bulletin import bulletin_tables
from xueji_audit.forms import CASE_KINDS, draft, draft_bulletin
from xueji_audit.forms.data import BLANK, complaint_context
from xueji_audit.forms.pdf import render_pdf
from xueji_audit.workdays import WorkCalendar

CAL = WorkCalendar()


def _glyph_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name.startswith("weasyprint") and r.levelno >= logging.WARNING]


def _png_and_text(pdf, tmp_path) -> str:
    stem = tmp_path / pdf.stem
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(stem)],
                   check=True)
    pngs = list(tmp_path.glob(f"{pdf.stem}*.png"))
    assert len(pngs) == 1 and pngs[0].stat().st_size > 2000
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout
    assert "FormSerif" in fonts  # the embedded Noto Serif CJK of forms.css
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.parametrize("kind,title", [
    ("报告单", "中小学生学籍管理问题报告单"), ("核查单", "中小学生学籍管理问题核查单"),
    ("督办单", "中小学生学籍管理问题督办单"), ("排查表", "人籍不一致学生排查表"),
    ("复学通知书", "义务教育阶段学生限期复学通知书")])
def test_pdf_renders_every_glyph(tmp_path, caplog, kind, title):
    assert kind in CASE_KINDS
    caplog.set_level(logging.WARNING, logger="weasyprint")
    pdfs = [p for p in draft(kind, make_case(), on=FORM_DATE, calendar=CAL, out_dir=tmp_path,
                             user="张三") if p.suffix == ".pdf"]
    assert pdfs and _glyph_warnings(caplog) == []
    text = "".join(_png_and_text(pdfs[0], tmp_path).split())
    assert title in text
    assert "None" not in text and "nan" not in text
    if kind in ("核查单", "督办单"):
        assert "2025年10月16日" in text and "赵某某" in text


def test_missing_glyph_is_caught(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    ctx = complaint_context(make_case(), FORM_DATE, CAL)
    ctx["stu_name"] = "王\U00013000"  # an Egyptian hieroglyph no installed font has
    render_pdf("核查单", ctx, tmp_path / "x.pdf")
    assert any(".notdef" in m for m in _glyph_warnings(caplog))


def test_pdf_template_is_strict(tmp_path):
    ctx = complaint_context(make_case(), FORM_DATE, CAL)
    del ctx["due_on"]
    with pytest.raises(jinja2.UndefinedError, match="due_on"):
        render_pdf("核查单", ctx, tmp_path / "x.pdf")


def test_bulletin_docx_and_pdf(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    # Unit A: step arrived Thu 2026-09-03, never handled: by 09-30 that is 19 working days
    # (Sep 4..30 has 19 weekdays, no holiday), 10 allowed → 9 over. Unit B: arrived 09-16,
    # 10 working days pass on 09-29 (Sep 17..30 has 10 weekdays) → 0 over, not listed.
    steps = pd.DataFrame({
        "业务编号": ["Y1", "Y2"], "环节序号": [1, 1], "环节名称": ["转出校审核", "转入校审核"],
        "处理单位": ["2164000001", "2164000002"],
        "到达日期": pd.to_datetime(["2026-09-03", "2026-09-16"]),
        "处理日期": pd.to_datetime([pd.NaT, pd.NaT]), "处理结果": [None, None]})
    b = bulletin_tables(steps, "2026-09", CAL)
    paths = draft_bulletin(b, on=dt.date(2026, 10, 9), out_dir=tmp_path, region="某某县",
                           issuer={"单位": "某某县教育体育局"})
    assert [p.name for p in paths] == ["月度通报_2026-09.docx", "月度通报_2026-09.pdf"]
    rows = table_rows(paths[0])
    assert rows[0] == ["序号", "处理单位", "单位名称", "超期环节数", "未办理环节数", "最长超期工作日"]
    assert rows[1] == ["1", "2164000001", BLANK, "1", "1", "9"]
    detail = rows[2:]
    assert detail[0][0] == "处理单位" and len(detail) == 2
    assert detail[1] == ["2164000001", "Y1", BLANK, BLANK, BLANK, "1 转出校审核", "2026-09-03",
                         "2026-09-17", "截至09月30日仍未办理", "9"]
    assert _glyph_warnings(caplog) == []
    text = "".join(_png_and_text(paths[1], tmp_path).split())
    assert "某某县2026年9月学籍异动业务超期办理情况通报" in text
