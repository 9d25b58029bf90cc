"""The 汇总表 of a case's per-child forms (.xlsx and .docx: child, 学籍号, problems, unit,
deadline), the merged PDF for printing and the optional .zip bundle of every drafted file."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd

from ..output import atomic_path, write_xlsx
from .build_templates import HEI, SONG, _fonts, _heading, _new_document, _para

COLUMNS: tuple[str, ...] = ("序号", "学生姓名", "学籍号", "学校", "班级", "问题", "承办单位",
                            "完成时限", "文书文件")


def summary_frame(kind: str, docs: list[tuple[str, dict]]) -> pd.DataFrame:
    """One row per drafted form of ``kind`` (its stem and context)."""
    rows = []
    for i, (stem, ctx) in enumerate(docs, start=1):
        if kind == "复学通知书":
            problems, unit, school, klass = "疑似辍学（限期复学）", ctx["issuer_unit"], \
                ctx["school"], ctx["grade_class"]
            due = ctx["return_by"]
        else:
            problems = "；".join(m.split("：", 1)[-1] for m in ctx["matters"][1:])
            unit, due = ctx["handler_unit"], ctx["due_on"]
            school, klass = ctx.get("stu_school", ""), ctx.get("stu_class", "")
        rows.append((str(i), ctx["stu_name"], ctx["stu_xjh"], school, klass, problems, unit, due,
                     f"{stem}.docx"))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def write_summary(kind: str, case: dict, frame: pd.DataFrame, out: Path) -> list[Path]:
    """``{kind}汇总表_案件{id}`` as .xlsx and as a landscape .docx table."""
    stem = out / f"{kind}汇总表_案件{int(case['id'])}"
    xlsx = write_xlsx(frame, stem.with_suffix(".xlsx"), sheet_name=f"{kind}汇总表")
    doc = _new_document(landscape=True)
    _heading(doc, "", f"{kind}汇总表")
    _para(doc, f"案件 {case['id']}：{case.get('title') or ''}（共 {len(frame)} 份）", SONG, 12,
          space_after=6)
    table = doc.add_table(rows=1 + len(frame), cols=len(COLUMNS) - 1)
    table.style = doc.styles["Table Grid"]
    for c, name in enumerate(COLUMNS[:-1]):
        _fonts(table.rows[0].cells[c].paragraphs[0].add_run(name), HEI, 10)
    for r, row in enumerate(frame.itertuples(index=False), start=1):
        for c, value in enumerate(row[:-1]):
            _fonts(table.rows[r].cells[c].paragraphs[0].add_run(str(value)), SONG, 10)
    docx_path = stem.with_suffix(".docx")
    with atomic_path(docx_path) as tmp:
        doc.save(tmp)
    return [xlsx, docx_path]


def write_zip(paths: list[Path], target: Path) -> Path:
    """Every drafted file in one .zip (names only, no folders)."""
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for p in paths:
            z.write(p, arcname=p.name)
    return target
