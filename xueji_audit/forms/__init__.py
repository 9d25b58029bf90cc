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

import pandas as pd

from ..cases import organisation
from ..errors import XuejiError
from ..output import make_dir
from ..workdays import WorkCalendar
from . import data, summary
from .docx import render_docx
from .names import form_stem, unique
from .pdf import merge, render_document, render_pdf, write_document

CASE_KINDS: tuple[str, ...] = ("报告单", "核查单", "督办单", "排查表", "复学通知书")
KINDS: tuple[str, ...] = (*CASE_KINDS, "月度通报")


def with_organisation(kind: str, case: dict, settings: dict) -> dict:
    """The case with ``issuer`` (the department issuing ``kind``, refused with the missing
    setting named), ``handler`` (the contact of the unit it is assigned to) and the
    ``organisation`` settings (a 复学通知书 finds its township there)."""
    out = {**case, "handler": organisation.contact(settings, case.get("unit")),
           "organisation": settings}
    if kind in organisation.FORM_ISSUER:
        out["issuer"] = organisation.issuer(settings, kind)
    return out


def _children(case: dict) -> list[tuple[str, dict]]:
    """(child's name, the case narrowed to that child's findings and register row), one per
    child in the findings' order (by 学籍号, else by school, class and name)."""
    f = case.get("findings")
    if f is None or len(f) == 0:
        return [("", case)]
    key = f["学籍号"].astype("string").fillna(
        "~" + f["学校标识码"].astype("string").fillna("") + "|" + f["班级"].astype("string")
        .fillna("") + "|" + f["姓名"].astype("string").fillna(""))
    reg = case.get("students")
    out = []
    for k in pd.unique(key):
        part = f[(key == k).to_numpy()]
        rows = reg[reg["学籍号"].astype("string") == k] if reg is not None and len(reg) else None
        name = part["姓名"].dropna()
        out.append((str(name.iloc[0]) if len(name) else "",
                    {**case, "findings": part, "students": rows}))
    return out


def contexts(kind: str, case: dict, *, on: dt.date, calendar: WorkCalendar,
             user: str = "") -> list[tuple[str, dict]]:
    """(file stem, context) of each document of ``kind`` for ``case``: a 核查单 / 督办单 per
    child, a 复学通知书 per eligible child (:mod:`.rules`), a 排查表 per school, one 报告单.
    Stems carry the case number, the form and the child's (school's) name as a safe slug."""
    cid = case["id"]
    if kind in ("核查单", "督办单"):
        docs = [(form_stem(cid, kind, who), data.complaint_context(sub, on, calendar))
                for who, sub in _children(case)]
    elif kind == "报告单":
        docs = [(form_stem(cid, kind), data.report_context(case, on, calendar))]
    elif kind == "排查表":
        docs = [(form_stem(cid, kind, school), ctx)
                for school, ctx in data.roster_contexts(case, on, calendar, user)]
    elif kind == "复学通知书":
        docs = [(form_stem(cid, kind, c["stu_name"]), c)
                for c in data.notice_contexts(case, on, calendar)]
    else:
        raise XuejiError(f"未知的表单种类「{kind}」，可选：{'、'.join(CASE_KINDS)}。")
    return list(zip(unique([d[0] for d in docs]), [d[1] for d in docs], strict=True))


PER_CHILD: tuple[str, ...] = ("核查单", "督办单", "复学通知书")
"""Forms drafted one per child, with a 汇总表 and a merged PDF."""


def _write(kind: str, stem: str, context: dict, out: Path) -> list[Path]:
    return [render_docx(kind, context, out / f"{stem}.docx"),
            render_pdf(kind, context, out / f"{stem}.pdf")]


def draft(kind: str, case: dict, *, on: dt.date, calendar: WorkCalendar, out_dir: str | Path,
          user: str = "", progress: Callable[[float, str], None] | None = None,
          bundle: bool = False) -> list[Path]:
    """Write form ``kind`` for ``case`` dated ``on`` into ``out_dir``: a ``.docx`` and ``.pdf``
    per document (:func:`contexts`); for the per-child forms also the 汇总表 (.xlsx, .docx) and
    one merged PDF of all of them; with ``bundle`` a .zip of everything. Return the paths
    (docx then pdf per document, then those). ``progress(fraction, message)`` is called before
    each document. Nothing is written when the form is refused; every file is written under a
    temporary name and renamed when complete."""
    docs = contexts(kind, case, on=on, calendar=calendar, user=user)
    out = make_dir(out_dir)
    paths: list[Path] = []
    rendered = []
    for k, (stem, ctx) in enumerate(docs):
        if progress is not None:
            progress(k / len(docs), f"生成文书 {k + 1}/{len(docs)}：{stem}（Word 与 PDF）")
        document = render_document(kind, ctx)
        paths += [render_docx(kind, ctx, out / f"{stem}.docx"),
                  write_document(document, out / f"{stem}.pdf")]
        if kind in PER_CHILD:
            rendered.append(document)
    if kind in PER_CHILD:
        if progress is not None:
            progress(len(docs) / (len(docs) + 1), "生成汇总表与合并打印的 PDF")
        cid = int(case["id"])
        paths += summary.write_summary(kind, case, summary.summary_frame(kind, docs), out)
        paths.append(merge(rendered, out / f"{kind}_案件{cid}_合并打印.pdf"))
    if bundle:
        paths.append(summary.write_zip(paths, out / f"{kind}_案件{int(case['id'])}_全部文书.zip"))
    return paths


def draft_bulletin(b, *, on: dt.date, out_dir: str | Path, region: str = "",
                   issuer: dict | None = None) -> list[Path]:
    """Write ``月度通报_YYYY-MM.docx`` and ``.pdf`` of a Bulletin (alongside its ``.xlsx``)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ctx = data.bulletin_context(b, on, region, issuer)
    return _write("月度通报", f"月度通报_{b.month}", ctx, out)
