"""The duplicate-pair reviewer (疑似重复): one DU-04 pair at a time, its two records side by
side, and 确认重复 / 不是重复 saved in the case store."""
from __future__ import annotations

import ipywidgets as w
import pandas as pd

from xueji_audit.app import pairs as ap
from xueji_audit.app.display import APPS, message_html
from xueji_audit.app.session import Session

from .common import Message, RevealSwitch


class PairReviewer(w.VBox):
    """Review the suspected duplicate pairs of ``session``, best score first.

    The pair queue and the register index are computed once; a decision writes one row to the
    case store, updates the queue in memory and shows the next pair of the current view. The
    filters re-read the decisions from the store (so others' decisions show up).
    """

    def __init__(self, session: Session):
        self.session = session
        self.band = w.Dropdown(options=list(ap.BANDS), value=ap.ALL, description="档次")
        self.show = w.Dropdown(options=list(ap.SHOWS), value=ap.PENDING, description="显示")
        self.reveal = RevealSwitch(session, APPS["pairs"])
        self.position = w.Label("")
        self.records = w.HTML("")
        self.note = w.Text(value="", description="备注", placeholder="认定理由（可不填）",
                           layout=w.Layout(width="480px"))
        self.accept = w.Button(description="确认重复", button_style="danger")
        self.reject = w.Button(description="不是重复", button_style="success")
        self.skip = w.Button(description="跳过")
        self.prev = w.Button(description="上一对")
        self.message = Message()
        self.aside = w.HTML("")
        self._index: ap.StudentIndex | None = None
        self._queue: pd.DataFrame | None = None
        self._view: pd.DataFrame | None = None
        self._pos = 0
        super().__init__([
            w.HBox([self.band, self.show]), self.reveal, self.position, self.aside, self.records,
            self.note, w.HBox([self.accept, self.reject, self.skip, self.prev]), self.message,
        ])
        self.reason = ap.duplicates_reason(session)
        if self.reason:
            self._no_pairs()
            return
        self._index = ap.student_index(session)
        self._queue = ap.all_pairs(session)
        one = len(ap.one_xjh_pairs(session))
        if one:
            self.aside.value = message_html(
                f"另有 {one} 对是同一学籍号的两条记录：属学籍号重复，已列入「问题学籍」DU-02，"
                "不在此认定。", "note")
        self._filter()
        self.band.observe(self._on_filter, names="value")
        self.show.observe(self._on_filter, names="value")
        self.reveal.observe(lambda _: self._render(keep_note=True), names="value")
        self.accept.on_click(lambda _: self.message.guard(lambda: self._decide(True)))
        self.reject.on_click(lambda _: self.message.guard(lambda: self._decide(False)))
        self.skip.on_click(lambda _: self._move(+1))
        self.prev.on_click(lambda _: self._move(-1))

    # ------------------------------------------------------------------ state
    @property
    def current(self) -> pd.Series | None:
        """The pair shown (a row of the queue), None when the view is empty."""
        if self._view is None or not len(self._view):
            return None
        return self._view.iloc[self._pos]

    def _no_pairs(self) -> None:
        self.position.value = "第 0 / 0 对"
        self.records.value = message_html(f"未做重复学生比对：{self.reason}", "note")
        for b in (self.accept, self.reject, self.skip, self.prev):
            b.disabled = True

    def _filter(self) -> None:
        self._view = ap.filter_queue(self._queue, self.band.value, self.show.value)
        self._pos = 0
        self._render()

    def _on_filter(self, _change) -> None:
        def run():
            self._queue = ap.all_pairs(self.session)
            self.message.clear()
            self._filter()
        self.message.guard(run)

    # --------------------------------------------------------------- handlers
    def _decide(self, accept: bool) -> None:
        row = self.current
        if row is None:
            self.message.note("没有可认定的疑似重复对。")
            return
        a, b = row["学籍号_a"], row["学籍号_b"]
        decision = ap.decide(self.session, a, b, accept, self.note.value)
        ap.apply_decision(self._queue, a, b, decision)
        rank, k = int(row["rank"]), self._pos + 1
        self._view = ap.filter_queue(self._queue, self.band.value, self.show.value)
        later = (self._view["rank"] > rank).to_numpy().nonzero()[0]
        label = ap.DECISION_LABELS[decision["决定"]]
        if len(later):
            self._pos = int(later[0])
            self.message.ok(f"已保存第 {k} 对的认定：{label}。")
        else:
            self._pos = 0
            tail = "已到最后一对，回到第一对。" if len(self._view) else ""
            self.message.ok(f"已保存第 {k} 对的认定：{label}。{tail}")
        self._render()

    def _move(self, step: int) -> None:
        n = 0 if self._view is None else len(self._view)
        target = self._pos + step
        if n == 0:
            self.message.note("没有可显示的疑似重复对。")
        elif target >= n:
            self.message.note("已是最后一对。")
        elif target < 0:
            self.message.note("已是第一对。")
        else:
            self._pos = target
            self.message.clear()
            self._render()

    # -------------------------------------------------------------- rendering
    def _render(self, keep_note: bool = False) -> None:
        row = self.current
        n = 0 if self._view is None else len(self._view)
        self.position.value = f"第 {self._pos + 1 if n else 0} / {n} 对"
        self.accept.disabled = self.reject.disabled = row is None
        if row is None:
            scope = "" if self.show.value == ap.ALL else self.show.value
            self.records.value = message_html(f"没有{scope}的疑似重复对。", "note")
            self.note.value = ""
            return
        self.records.value = ap.pair_html(self.session, row, self.reveal.value, self._index)
        if not keep_note:
            self.note.value = str(row["备注"])
