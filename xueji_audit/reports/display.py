"""Showing report tables and charts in a notebook: interactive tables (itables, embedded so
the HTML works offline) with Chinese labels and no ``NaN``, charts as PNG with CJK fonts, every
table masked by :func:`~xueji_audit.privacy.mask_frame` unless ``reveal_pii``.

:func:`open_report` opens the workspace a report reads, shows the 示范数据 banner for demo data
and logs a report run with ``reveal_pii`` in the access log (also when run directly by papermill).
"""
from __future__ import annotations

import html
import io
import os
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..charts import use_cjk_font
from ..dates import parse_date
from ..errors import XuejiError
from ..output import safe_frame
from ..privacy import log_reveal, mask_frame

DT_LANGUAGE: dict[str, object] = {
    "search": "搜索：", "lengthMenu": "每页 _MENU_ 条", "info": "第 _START_–_END_ 条，共 _TOTAL_ 条",
    "infoEmpty": "没有记录", "infoFiltered": "（从 _MAX_ 条中筛选）", "zeroRecords": "没有符合条件的记录",
    "emptyTable": "没有记录", "paginate": {"first": "首页", "last": "末页", "next": "下一页",
                                         "previous": "上一页"},
}
"""DataTables' interface texts in Chinese."""


def setup() -> None:
    """Embed the table library into the notebook (no internet needed to view the HTML) and
    make the CJK font matplotlib's default."""
    import itables

    itables.init_notebook_mode(all_interactive=False, connected=False)
    use_cjk_font()


def heading(text: str, level: int = 2) -> None:
    """A Markdown heading in the output (headings survive the HTML export without code)."""
    from IPython.display import Markdown, display

    display(Markdown(f"{'#' * level} {text}"))


def note(text: str) -> None:
    """A paragraph of Markdown text."""
    from IPython.display import Markdown, display

    display(Markdown(text))


def open_report(workspace: str, title: str, *, reveal_pii: bool = False, user: str = "",
                as_of: str = ""):
    """The workspace a report reads (:class:`~xueji_audit.workspace.Workspace`). Shows the
    示范数据 banner for demo data; a report shown with ``reveal_pii`` is written to the access log
    under ``user`` on ``as_of`` (else the audit date) — without a user it is refused. With no
    ``workspace`` the one named by the environment variable ``XUEJI_WORKSPACE`` is read."""
    from ..workspace import WORKSPACE_ENV, Workspace

    workspace = str(workspace or "").strip() or os.environ.get(WORKSPACE_ENV, "").strip()
    if not workspace:
        raise XuejiError("未指定工作区：请用 `xueji-audit report 报告 --workspace 工作区` 生成报告，"
                         "或在参数 workspace 中给出工作区文件夹（由 xueji-audit audit 建立），"
                         f"或设置环境变量 {WORKSPACE_ENV}。")
    ws = Workspace.open(workspace)
    if ws.banner:
        banner(ws.banner)
    if reveal_pii:
        on = parse_date(as_of) if str(as_of or "").strip() else ws.as_of
        log_reveal(ws.store, user, on, f"报告：{title}（显示完整证件号）")
    return ws


def banner(text: str) -> None:
    """A highlighted line at the top of a report (the 示范数据 notice)."""
    from IPython.display import HTML, display

    display(HTML(f'<p class="xj-banner">{html.escape(text)}</p>'))


def blank_missing(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with missing values shown as empty text (never ``NaN`` / ``<NA>`` / ``NaT``);
    dates as ``YYYY-MM-DD``."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[col] = s.dt.strftime("%Y-%m-%d").fillna("").astype(object)
        elif s.isna().any():
            out[col] = s.astype(object).where(s.notna(), "")
    return out


def show_table(df: pd.DataFrame, caption: str = "", reveal_pii: bool = False,
               page_length: int = 10) -> None:
    """The whole of ``df`` as a sortable, searchable table with a filter box per column."""
    import itables

    if df is None or len(df) == 0:
        note(f"{caption}：无记录。" if caption else "无记录。")
        return
    shown = blank_missing(mask_frame(df, reveal_pii).reset_index(drop=True))
    itables.show(shown, caption=caption or None, maxBytes=0, maxRows=0, showIndex=False,
                 column_filters="footer", pageLength=page_length,
                 lengthMenu=[10, 25, 50, 100], language=DT_LANGUAGE, classes="display compact")


def show_figure(fig: Figure) -> None:
    """The figure as an embedded PNG."""
    from IPython.display import Image, display

    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    display(Image(data=buf.getvalue()))


def barh(table: pd.DataFrame, label: str, values: list[str], title: str,
         xlabel: str = "问题数", top: int = 20) -> Figure:
    """Horizontal (stacked when several ``values``) bars of the first ``top`` rows of
    ``table``, the first row at the top."""
    use_cjk_font()
    t = table.head(top)
    fig = Figure(figsize=(9, 1.4 + 0.35 * max(len(t), 1)), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(t))[::-1]
    left = np.zeros(len(t))
    colours = ("#e45756", "#f58518", "#4c78a8", "#72b7b2", "#b279a2")
    for col, colour in zip(values, colours, strict=False):
        v = t[col].to_numpy(dtype=float)
        ax.barh(y, v, left=left, color=colour, label=col)
        left = left + v
    ax.set_yticks(y, t[label].astype(str))
    ax.set_xlabel(xlabel)
    ax.set_xlim(0, max(left.max(initial=0) * 1.08, 1))
    ax.set_title(title)
    if len(values) > 1:
        ax.legend(loc="lower right")
    return fig


def save_tables(tables: dict[str, pd.DataFrame], output_dir: str | Path, name: str,
                reveal_pii: bool = False) -> None:
    """Write the tables as one ``name.xlsx`` (one sheet each, masked unless ``reveal_pii``)
    into ``output_dir`` and say where; nothing when ``output_dir`` is empty."""
    if not str(output_dir or "").strip():
        return
    path = Path(output_dir) / f"{name}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for sheet, frame in tables.items():
            if frame is not None and len(frame.columns):
                safe_frame(mask_frame(frame, reveal_pii)).to_excel(xw, index=False,
                                                                    sheet_name=sheet[:31])
    note(f"表格已另存：`{path}`")
