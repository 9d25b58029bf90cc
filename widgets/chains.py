"""The transfer-chain viewer (转学链): find a child, see the child's path as a timeline with
the step timing and the chain / business findings; jump to a child whose chain has a problem."""
from __future__ import annotations

import ipywidgets as w

from xueji_audit.app import chains as ac
from xueji_audit.app.display import APPS, card_html
from xueji_audit.app.session import Session

from .common import Message, RevealSwitch


class ChainViewer(w.VBox):
    """Transfer chains of ``session``; the chains are built once, on first use."""

    def __init__(self, session: Session):
        self.session = session
        self._data: ac.ChainData | None = None
        self._found = None  # the last find_persons frame
        self._problems = None  # problem_children frame
        self.query = w.Text(value="", placeholder="学籍号、身份证件号或姓名", description="查找学生",
                            layout=w.Layout(width="360px"))
        self.search = w.Button(description="查找", button_style="primary")
        self.matches = w.Dropdown(options=[], description="查找结果",
                                  layout=w.Layout(width="560px"))
        self.problems = w.Dropdown(options=[("（请选择）", "")], value="",
                                   description="有问题的转学链", style={"description_width": "initial"},
                                   layout=w.Layout(width="560px"))
        self.reveal = RevealSwitch(session, APPS["chains"])
        self.summary = w.HTML("")
        self.timeline = w.HTML("")
        self.message = Message()
        self._quiet = False  # set while options are relabelled
        super().__init__([
            self.summary, self.problems, w.HBox([self.query, self.search]), self.matches,
            self.reveal, self.message, self.timeline,
        ])
        self.message.guard(self._start)
        self.search.on_click(lambda _: self.message.guard(self._search))
        self.matches.observe(self._on_match, names="value")
        self.problems.observe(self._on_problem, names="value")
        self.reveal.observe(self._on_reveal, names="value")

    @property
    def data(self) -> ac.ChainData:
        """The chains and what goes with them, built on first use."""
        if self._data is None:
            self._data = ac.chain_data(self.session)
        return self._data

    def _start(self) -> None:
        self.summary.value = ac.summary_html(ac.chain_summary(self.session, self.data))
        self._problems = ac.problem_children(self.session, self.data)
        self._set_options(self.problems, ac.problem_options(self._problems, self.reveal.value))

    def _set_options(self, dropdown: w.Dropdown, options: list, value=None) -> None:
        """Replace the options without showing anything; keep ``value`` when given."""
        self._quiet = True
        try:
            dropdown.options = options
            keep = [v for _, v in options]
            dropdown.value = value if value in keep else (keep[0] if keep else None)
        finally:
            self._quiet = False

    # --------------------------------------------------------------- handlers
    def _search(self) -> None:
        found = ac.find_persons(self.session, self.query.value, self.data)
        self._found = found
        options = ac.person_options(found, self.reveal.value)
        self._set_options(self.matches, options)
        if not options:
            self.timeline.value = ""
            self.message.note("没有找到符合条件的学生。")
            return
        more = (f"，只列出前 {ac.MAX_MATCHES} 人，请输入更完整的学籍号、证件号或姓名"
                if len(found) > ac.MAX_MATCHES else "")
        self.message.ok(f"找到 {len(found)} 人{more}。")
        self.show(self.matches.value)

    def _on_match(self, change) -> None:
        if not self._quiet and change["new"]:
            self.message.clear()
            self.message.guard(lambda: self.show(change["new"]))

    def _on_problem(self, change) -> None:
        if self._quiet or not change["new"]:
            return

        def jump():
            xjh = change["new"]
            self._found = self._problems[self._problems["学籍号"] == xjh]
            self._set_options(self.matches, ac.person_options(self._found, self.reveal.value),
                              xjh)
            self.message.clear()
            self.show(xjh)
        self.message.guard(jump)

    def _on_reveal(self, change) -> None:
        reveal = bool(change["new"])
        self._set_options(self.problems, ac.problem_options(self._problems, reveal)
                          if self._problems is not None else [("（请选择）", "")],
                          self.problems.value)
        if self._found is not None:
            self._set_options(self.matches, ac.person_options(self._found, reveal),
                              self.matches.value)
        if self.matches.value:
            self.message.guard(lambda: self.show(self.matches.value))

    # -------------------------------------------------------------- rendering
    def show(self, xjh: str) -> None:
        """Show the timeline of the child holding 学籍号 ``xjh``."""
        frame = ac.timeline(self.session, xjh, self.data)
        reveal = self.reveal.value
        head = ac.child_header(self.session, xjh, frame, self.data)
        self.timeline.value = (card_html(head, reveal, title="转学链")
                               + ac.timeline_html(frame, reveal))
