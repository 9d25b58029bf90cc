"""问题学籍: filter the findings, page through them, read one finding with the student's record."""
from __future__ import annotations

import ipywidgets as w
import numpy as np

from xueji_audit.app.display import card_html, message_html, table_html
from xueji_audit.app.findings import (
    ALL,
    DOWNLOAD_LIMIT,
    PAGE_SIZE,
    TABLE_COLUMNS,
    class_options,
    csv_data_uri,
    filter_options,
    filter_rows,
    finding_detail,
    findings_rows,
    page_count,
    pick_options,
    rows_page,
    student_record,
)
from xueji_audit.app.session import Session

from .common import RevealSwitch

PAGE = "问题学籍"
SCROLL = "overflow:auto; max-height:480px"
_WIDE = {"description_width": "initial"}


def _pair(*cards: str) -> str:
    """Cards side by side, wrapping on a narrow screen."""
    boxes = "".join(f'<div style="flex:1 1 440px; min-width:0">{c}</div>' for c in cards)
    return f'<div style="display:flex; gap:12px; flex-wrap:wrap">{boxes}</div>'


class FindingsBrowser(w.VBox):
    """Filters (:attr:`rule`, :attr:`severity`, :attr:`school`, :attr:`klass`), the count, a
    page of the list (:attr:`table`, :attr:`prev`, :attr:`next`, :attr:`page_label`), the
    finding chosen in :attr:`pick` with the student's record (:attr:`detail`), a CSV
    :attr:`download` of the filtered list; numbers masked unless :attr:`reveal` is ticked."""

    def __init__(self, session: Session):
        self.session = session
        opts = filter_options(session)
        self.rule = w.Dropdown(options=opts["rule"], value=ALL, description="规则",
                               style=_WIDE, layout=w.Layout(width="380px"))
        self.severity = w.Dropdown(options=opts["severity"], value=ALL, description="严重程度",
                                   style=_WIDE, layout=w.Layout(width="150px"))
        self.school = w.Dropdown(options=opts["school"], value=ALL, description="学校",
                                 style=_WIDE, layout=w.Layout(width="300px"))
        self.klass = w.Dropdown(options=class_options(session, ALL), value=ALL,
                                description="班级", disabled=True, style=_WIDE,
                                layout=w.Layout(width="210px"))
        self.count = w.HTML()
        self.download = w.HTML()
        self.reveal = RevealSwitch(session, PAGE)
        self.table = w.HTML(layout=w.Layout(width="100%"))
        self.prev = w.Button(description="上一页", icon="chevron-left",
                             layout=w.Layout(width="96px"))
        self.next = w.Button(description="下一页", icon="chevron-right",
                             layout=w.Layout(width="96px"))
        self.page_label = w.Label(layout=w.Layout(width="140px"))
        self.pick = w.Dropdown(options=[], description="查看问题", style=_WIDE,
                               layout=w.Layout(width="560px"))
        self.detail = w.HTML(layout=w.Layout(width="100%"))
        self._rows = np.empty(0, dtype="int64")
        self._page = 1
        self._busy = False

        for d in (self.rule, self.severity, self.klass):
            d.observe(self._filter, names="value")
        self.school.observe(self._school, names="value")
        self.prev.on_click(lambda _: self._turn(-1))
        self.next.on_click(lambda _: self._turn(1))
        self.pick.observe(self._show_detail, names="value")
        self.reveal.observe(self._revealed, names="value")
        super().__init__([
            w.HBox([self.rule, self.severity, self.school, self.klass],
                   layout=w.Layout(flex_flow="row wrap")),
            w.HBox([self.count, self.download], layout=w.Layout(align_items="center",
                                                                grid_gap="24px")),
            self.reveal, self.table,
            w.HBox([self.prev, self.page_label, self.next], layout=w.Layout(align_items="center")),
            self.pick, self.detail,
        ], layout=w.Layout(width="100%", max_width="1320px"))
        self._filter()

    # -- handlers -------------------------------------------------------------------------
    def _school(self, _=None) -> None:
        self._busy = True
        try:
            self.klass.options = class_options(self.session, self.school.value)
            self.klass.value = ALL
            self.klass.disabled = not self.school.value
        finally:
            self._busy = False
        self._filter()

    def _filter(self, _=None) -> None:
        if self._busy:
            return
        self._rows = filter_rows(self.session, self.rule.value, self.severity.value,
                                 self.school.value, self.klass.value)
        self._page = 1
        self.count.value = f'<b class="xj-count">共 {len(self._rows)} 条</b>'
        self._show_download()
        self._show_page()

    def _turn(self, step: int) -> None:
        self._page = min(max(1, self._page + step), page_count(len(self._rows), PAGE_SIZE))
        self._show_page()

    def _revealed(self, _=None) -> None:
        self._show_download()
        self._show_page(keep=self.pick.value)

    # -- rendering ------------------------------------------------------------------------
    def _show_page(self, keep: int | None = None) -> None:
        reveal = bool(self.reveal.value)
        pages = page_count(len(self._rows), PAGE_SIZE)
        frame = rows_page(self.session, self._rows, self._page, PAGE_SIZE)
        self.page_label.value = f"第 {self._page} / {pages} 页"
        self.prev.disabled = self._page <= 1
        self.next.disabled = self._page >= pages
        self.table.value = (f'<div style="{SCROLL}">'
                            f'{table_html(frame[list(TABLE_COLUMNS)], reveal, "没有符合条件的问题。")}'
                            "</div>")
        options = pick_options(frame, reveal)
        values = [v for _, v in options]
        self._busy = True
        try:
            self.pick.options = options
            self.pick.value = keep if keep in values else (values[0] if values else None)
        finally:
            self._busy = False
        self._show_detail()

    def _show_detail(self, _=None) -> None:
        if self._busy:
            return
        row = self.pick.value
        if row is None:
            self.detail.value = message_html("没有可查看的问题。", "note")
            return
        reveal = bool(self.reveal.value)
        item = finding_detail(self.session, row)
        record = student_record(self.session, item["学籍号"], item["学校标识码"])
        register = (card_html(record, reveal, "学籍系统中的学生记录") if record else
                    '<div class="xj-card"><b>学籍系统中的学生记录</b>'
                    f'{message_html("学籍系统中没有该学籍号的记录。", "note")}</div>')
        self.detail.value = _pair(card_html(item, reveal, "问题详情"), register)

    def _show_download(self) -> None:
        n = len(self._rows)
        if n == 0:
            self.download.value = message_html("没有可下载的记录。", "note")
        elif n > DOWNLOAD_LIMIT:
            self.download.value = message_html(
                f"筛选结果 {n} 条，超过页面下载上限 {DOWNLOAD_LIMIT} 条：请缩小筛选范围，"
                "或用命令 xueji-audit audit 导出完整的问题清单。", "note")
        else:
            name = f"问题学籍_{self.session.config.as_of:%Y%m%d}.csv"
            self.download.value = csv_data_uri(findings_rows(self.session, self._rows), name,
                                               bool(self.reveal.value))
