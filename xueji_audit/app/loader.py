"""Data of the 数据导入 app: the load report, the rejected rows and the summary of a session.

Tables carry Chinese headers; the widget shows them with :func:`.display.table_html` (masked
unless revealed).
"""
from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..ingest import LoadResult, report_table
from ..reports.overview import severity_counts
from .display import escape, table_html
from .session import Session

REJECT_HEADERS: dict[str, str] = {"file": "文件", "sheet": "工作表", "row": "行号",
                                  "table": "识别为", "reason": "拒收原因", "content": "行内容"}
SCROLL = "overflow:auto; max-height:480px"
"""Style of the box around a long table (it scrolls, the page does not)."""


def rejects_table(loaded: LoadResult) -> pd.DataFrame:
    """The rejected rows with their reasons, Chinese headers (:data:`REJECT_HEADERS`)."""
    r = loaded.rejects
    out = pd.DataFrame({h: r[k] if k in r else pd.Series(index=r.index, dtype=object)
                        for k, h in REJECT_HEADERS.items()})
    return out.reset_index(drop=True)


def severity_table(findings: pd.DataFrame) -> pd.DataFrame:
    """严重程度, 问题数 of an audit's findings (every severity, zero included)."""
    return severity_counts(findings.rename(columns={"severity": "严重程度"}))


def summary_line(session: Session) -> str:
    """``载入学生 N 人，发现问题学籍 M 条``."""
    return f"载入学生 {len(session.students)} 人，发现问题学籍 {len(session.findings)} 条"


def summary_html(session: Session) -> str:
    """The summary line (the findings count in ``<span class="xj-findings-count">``), the
    data folder, the findings per severity and the per-sheet load report."""
    n, m = len(session.students), len(session.findings)
    line = (f'<p class="xj-summary-line" id="xj-summary-line">载入学生 '
            f'<span class="xj-students-count">{n}</span> 人，发现问题学籍 '
            f'<span class="xj-findings-count" id="xj-findings-count">{m}</span> 条</p>')
    report = report_table(session.loaded)
    totals = report[["读取", "载入", "拒收", "空行"]].sum()
    source = (f'<p class="xj-note">数据来源：{escape(session.data_dir)}；共 {len(report)} 个工作表'
              f'（文件），读取 {totals["读取"]} 行，载入 {totals["载入"]} 行，拒收 {totals["拒收"]} 行，'
              f'跳过空行 {totals["空行"]} 行。</p>')
    banner = (f'<p class="xj-banner">{escape(session.workspace.banner)}</p>'
              if session.workspace.banner else "")
    return (f'<div class="xj-summary">{banner}{line}{source}'
            f"<h4>问题严重程度</h4>{table_html(severity_table(session.findings))}"
            f'<h4>各文件读取情况</h4><div style="{SCROLL}">{table_html(report)}</div></div>')


def rejects_html(loaded: LoadResult, reveal: bool = False, limit: int = 200) -> str:
    """The first ``limit`` rejected rows (masked unless ``reveal``) with a note of the total."""
    t = rejects_table(loaded)
    if not len(t):
        return '<h4>拒收的行</h4><p class="xj-note">没有拒收的行。</p>'
    note = f"共 {len(t)} 行未能载入" + (f"，下表列出前 {limit} 行" if len(t) > limit else "")
    note += "；请按拒收原因在学籍系统中核对后重新导出。"
    return (f'<h4>拒收的行</h4><p class="xj-note">{escape(note)}</p>'
            f'<div style="{SCROLL}">{table_html(t.head(limit), reveal)}</div>')


def upload_files(value) -> list[tuple[str, bytes]]:
    """``FileUpload.value`` as ``[(name, content bytes)]``: ipywidgets 8 gives a tuple of dicts
    (name, type, size, content as memoryview, last_modified); ipywidgets 7 a dict name → dict
    with ``metadata`` and ``content``."""
    if not value:
        return []
    if isinstance(value, Mapping):
        return [(str(v.get("metadata", {}).get("name", k)), bytes(v["content"]))
                for k, v in value.items()]
    return [(str(v["name"]), bytes(v["content"])) for v in value]
