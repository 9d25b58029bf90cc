"""HTML pieces the app widgets show: tables (masked unless revealed), key–value cards, notices.

Plain HTML strings (escaped), so the widgets stay ``ipywidgets.HTML`` and the pages work in
Voila without front-end extensions.
"""
from __future__ import annotations

import html

import pandas as pd

from ..privacy import mask_frame

CSS = """
<style>
.xj-app { max-width: 1320px; font-size: 14px; }
.xj-app .widget-html, .xj-app .widget-html-content { min-width: 0; max-width: 100%; }
.xj-table { border-collapse: collapse; font-size: 13px; margin: 4px 0; }
.xj-table th { background: #eef2f7; position: sticky; top: 0; }
.xj-table th, .xj-table td { border: 1px solid #d0d7de; padding: 3px 6px; text-align: left;
  vertical-align: top; white-space: nowrap; }
.xj-table td.wrap { white-space: normal; min-width: 16em; }
.xj-table tr.same td { background: #eef8ee; }
.xj-table tr.diff td { background: #fdf0ee; }
.xj-card { border: 1px solid #d0d7de; border-radius: 4px; padding: 6px 10px; margin: 4px 0; }
.xj-card dl { display: grid; grid-template-columns: max-content 1fr; column-gap: 1.2em;
  row-gap: 2px; margin: 4px 0; }
.xj-card dt { font-weight: bold; margin: 0; float: none; width: auto; white-space: nowrap; }
.xj-card dd { margin: 0; width: auto; }
.xj-note { color: #57606a; }
.xj-error { color: #b42318; font-weight: bold; }
.xj-banner { background: #fff8c5; border: 1px solid #d4a72c; padding: 4px 8px; font-weight: bold; }
.xj-ok { color: #1a7f37; font-weight: bold; }
.xj-nav { font-size: 15px; padding: 4px 0 8px; border-bottom: 1px solid #d0d7de; margin-bottom: 6px; }
.xj-nav a { margin-right: 1.4em; }
.xj-nav a.here { font-weight: bold; text-decoration: none; color: #24292f; }
</style>
"""
"""The stylesheet of every app page (one HTML widget holds it)."""
WRAP_COLUMNS = frozenset({"问题说明", "政策依据", "说明", "主要依据", "依据", "详情"})

APPS: dict[str, str] = {"loader": "数据导入", "findings": "问题学籍", "pairs": "疑似重复",
                        "chains": "转学链", "cases": "案件办理"}
"""Notebook stem under ``notebooks/apps`` → page title."""


def escape(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return html.escape(str(value))


def table_html(df: pd.DataFrame, reveal: bool = False, empty: str = "无记录。",
               row_classes: list[str] | None = None) -> str:
    """``df`` as an HTML table with personal numbers masked unless ``reveal``."""
    if df is None or len(df) == 0:
        return f'<p class="xj-note">{escape(empty)}</p>'
    shown = mask_frame(df.reset_index(drop=True), reveal)
    head = "".join(f"<th>{escape(c)}</th>" for c in shown.columns)
    wrap = [' class="wrap"' if str(c) in WRAP_COLUMNS else "" for c in shown.columns]
    rows = []
    for k, row in enumerate(shown.itertuples(index=False, name=None)):
        cls = f' class="{row_classes[k]}"' if row_classes and row_classes[k] else ""
        cells = "".join(f"<td{w}>{escape(v)}</td>" for w, v in zip(wrap, row, strict=True))
        rows.append(f"<tr{cls}>{cells}</tr>")
    return (f'<table class="xj-table"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def card_html(items: dict[str, object], reveal: bool = False, title: str = "") -> str:
    """A key–value card; values of keys named like 身份证件号 / 学籍号 / 电话 masked."""
    frame = mask_frame(pd.DataFrame({k: [v if v is None or isinstance(v, str) or pd.isna(v)
                                         else str(v)] for k, v in items.items()}), reveal)
    body = "".join(f"<dt>{escape(k)}</dt><dd>{escape(frame.at[0, k])}</dd>" for k in items)
    head = f"<b>{escape(title)}</b>" if title else ""
    return f'<div class="xj-card">{head}<dl>{body}</dl></div>'


def message_html(text: str, kind: str = "note") -> str:
    """A one-line message: ``kind`` note, ok or error."""
    return f'<p class="xj-{kind}">{escape(text)}</p>'


def nav_html(here: str, query: str = "") -> str:
    """Links between the app pages (Voila's ``/voila/render/<stem>.ipynb``), ``here`` bold."""
    links = []
    for stem, title in APPS.items():
        cls = ' class="here"' if stem == here else ""
        links.append(f'<a{cls} href="{stem}.ipynb{query}" target="_self">{escape(title)}</a>')
    return f'<div class="xj-nav">{"".join(links)}</div>'


NO_DATA = "尚未导入数据：请先在「数据导入」页面上传导出文件或选择数据文件夹。"
