"""The official forms of a case as editable ``.docx`` (docxtpl) and PDF (weasyprint).

Kinds: 报告单 (通知2016 附件2), 核查单 (附件3), 督办单 (附件4), 排查表 (西吉2020 附件1 人籍不一致
学生排查表), 复学通知书 (义务教育阶段学生限期复学通知书, one per student) — all from a case via
:func:`draft` — and 月度通报 from a :class:`~xueji_audit.bulletin.Bulletin` via
:func:`draft_bulletin`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from ..errors import XuejiError
from ..workdays import WorkCalendar
from . import data
from .docx import render_docx
from .pdf import render_pdf

CASE_KINDS: tuple[str, ...] = ("报告单", "核查单", "督办单", "排查表", "复学通知书")
KINDS: tuple[str, ...] = (*CASE_KINDS, "月度通报")


def contexts(kind: str, case: dict, *, on: dt.date, calendar: WorkCalendar,
             user: str = "") -> list[tuple[str, dict]]:
    """(file stem, context) of each document of ``kind`` for ``case``."""
    stem = f"{kind}_案件{case['id']}"
    if kind in ("核查单", "督办单"):
        return [(stem, data.complaint_context(case, on, calendar))]
    if kind == "报告单":
        return [(stem, data.report_context(case, on, calendar))]
    if kind == "排查表":
        return [(stem, data.roster_context(case, on, calendar, user))]
    if kind == "复学通知书":
        out = data.notice_contexts(case, on, calendar)
        if len(out) == 1:
            return [(stem, out[0])]
        return [(f"{stem}_{c['stu_xjh']}_{c['stu_name']}", c) for c in out]
    raise XuejiError(f"未知的表单种类「{kind}」，可选：{'、'.join(CASE_KINDS)}。")


def _write(kind: str, stem: str, context: dict, out: Path) -> list[Path]:
    return [render_docx(kind, context, out / f"{stem}.docx"),
            render_pdf(kind, context, out / f"{stem}.pdf")]


def draft(kind: str, case: dict, *, on: dt.date, calendar: WorkCalendar, out_dir: str | Path,
          user: str = "", progress: Callable[[float, str], None] | None = None) -> list[Path]:
    """Write the ``.docx`` and ``.pdf`` of form ``kind`` for ``case`` dated ``on`` into
    ``out_dir``; return the paths (docx then pdf, per document). ``progress(fraction,
    message)`` is called before each document."""
    docs = contexts(kind, case, on=on, calendar=calendar, user=user)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for k, (stem, ctx) in enumerate(docs):
        if progress is not None:
            progress(k / len(docs), f"生成文书 {k + 1}/{len(docs)}：{stem}（Word 与 PDF）")
        paths += _write(kind, stem, ctx, out)
    return paths


def draft_bulletin(b, *, on: dt.date, out_dir: str | Path, region: str = "",
                   issuer: dict | None = None) -> list[Path]:
    """Write ``月度通报_YYYY-MM.docx`` and ``.pdf`` of a Bulletin (alongside its ``.xlsx``)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ctx = data.bulletin_context(b, on, region, issuer)
    return _write("月度通报", f"月度通报_{b.month}", ctx, out)
