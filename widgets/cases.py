"""The case desk (案件办理): open a case from chosen findings, then assign it, change its
status, draft its official forms (Word and PDF download links), record the unit's reply per
child with evidence, accept or return it, and escalate an overdue case to 督办."""
from __future__ import annotations

import ipywidgets as w

from xueji_audit.app import casedesk as cd
from xueji_audit.app.display import message_html
from xueji_audit.app.session import Session
from xueji_audit.cases.store import KINDS
from xueji_audit.forms import CASE_KINDS

from .common import Message, ProgressPanel, RevealSwitch

PAGE = "案件办理"
NO_CASES = "尚无案件：请在上方「立案」中选择问题并立案。"
_WIDE = {"description_width": "9em"}


class CaseDesk(w.VBox):
    """立案 (rules, school, kind, title, unit, deadline → ``open_case``) above 案件 (``cases``,
    ``assign``, ``set_status``, ``draft`` with ``downloads``, ``reveal`` and ``case_info``)."""

    def __init__(self, session: Session):
        self.session = session
        self._busy = False
        self._auto_title = ""
        self._auto_unit = ""

        # 立案
        self.rules = w.SelectMultiple(options=cd.rule_options(session), rows=11,
                                      description="问题类型", style=_WIDE,
                                      layout=w.Layout(width="500px"))
        self.selected = w.HTML()
        self.rules_hint = w.HTML(message_html("按住 Ctrl 或 Shift 键可选择多类问题。", "note"))
        self.school = w.Dropdown(options=cd.school_options(session), value="", description="学校",
                                 style=_WIDE, layout=w.Layout(width="620px"))
        self.kind = w.Dropdown(options=[(name, key) for key, name in KINDS.items()], value="核查",
                               description="案件类型", style=_WIDE, layout=w.Layout(width="420px"))
        self.title = w.Text(description="标题", style=_WIDE, layout=w.Layout(width="620px"))
        self.unit = w.Text(description="承办单位", placeholder="可留空，交办时再填",
                           style=_WIDE, layout=w.Layout(width="620px"))
        self.deadline = w.BoundedIntText(value=cd.DEFAULT_WORKDAYS, min=0, max=365,
                                         description="办理期限（工作日）", style=_WIDE,
                                         layout=w.Layout(width="260px"))
        self.open_case = w.Button(description="立案", button_style="primary", icon="folder-open")

        # 案件
        self.cases = w.Dropdown(options=[], description="案件", style={"description_width": "4em"},
                                layout=w.Layout(width="98%", max_width="1100px"))
        self.assign_unit = w.Text(description="承办单位", placeholder="交办给：学校或乡镇全称",
                                  style={"description_width": "5em"},
                                  layout=w.Layout(width="420px"))
        self.assign = w.Button(description="交办", icon="share")
        self.status = w.Dropdown(options=[], description="新状态", style={"description_width": "5em"},
                                 layout=w.Layout(width="220px"))
        self.status_note = w.Text(description="说明", placeholder="变更原因或处理意见（可选）",
                                  style={"description_width": "3em"},
                                  layout=w.Layout(width="420px"))
        self.set_status = w.Button(description="变更状态", icon="exchange")
        self.form_kind = w.Dropdown(options=list(CASE_KINDS), value="核查单", description="文书",
                                    style={"description_width": "5em"},
                                    layout=w.Layout(width="220px"))
        self.draft = w.Button(description="起草文书", icon="file-text", button_style="info")
        self.progress = ProgressPanel()
        self.message = Message()
        self.downloads = w.HTML()
        self.reveal = RevealSwitch(session, PAGE)
        self.case_info = w.HTML()
        # 答复与督办
        self.child = w.Dropdown(options=[], description="学生", style={"description_width": "5em"},
                                layout=w.Layout(width="620px"))
        self.verified = w.Textarea(description="经核实的情况", placeholder="由承办单位填写",
                                   style=_WIDE,
                                   layout=w.Layout(width="620px", height="60px"))
        self.handled = w.Textarea(description="办理情况", style=_WIDE,
                                  layout=w.Layout(width="620px", height="60px"))
        self.evidence = w.FileUpload(multiple=True, description="佐证材料")
        self.done = w.Checkbox(value=True, description="标记为已答复")
        self.reply = w.Button(description="登记答复", icon="reply")
        self.reason = w.Text(description="退回理由", style={"description_width": "5em"},
                             layout=w.Layout(width="420px"))
        self.accept = w.Button(description="采纳（办结）", icon="check", button_style="success")
        self.give_back = w.Button(description="退回", icon="undo", button_style="warning")
        self.escalate = w.Button(description="逾期督办", icon="bell", button_style="danger",
                                 tooltip="逾期案件转为督办，并为未办结的学生起草督办单")
        self.items = w.HTML()

        opening = w.VBox([
            w.HTML("<h3>立案</h3>"),
            w.HBox([w.VBox([self.rules, self.rules_hint, self.selected]),
                    w.VBox([self.school, self.kind, self.title, self.unit, self.deadline,
                            self.open_case])]),
        ])
        handling = w.VBox([
            w.HTML("<h3>案件</h3>"), self.cases,
            w.HBox([self.assign_unit, self.assign]),
            w.HBox([self.status, self.status_note, self.set_status]),
            w.HBox([self.form_kind, self.draft, self.escalate]),
            self.progress, self.message, self.downloads,
            w.HTML("<h3>承办单位答复</h3>"), self.child, self.verified, self.handled,
            w.HBox([self.evidence, self.done, self.reply]),
            w.HBox([self.reason, self.accept, self.give_back]),
            self.items, self.reveal, self.case_info,
        ])
        super().__init__([opening, handling])

        self.rules.observe(self._choice_changed, names="value")
        self.school.observe(self._choice_changed, names="value")
        self.open_case.on_click(self._on_open)
        self.cases.observe(self._case_changed, names="value")
        self.assign.on_click(self._on_assign)
        self.set_status.on_click(self._on_set_status)
        self.draft.on_click(self._on_draft)
        self.reply.on_click(self._on_reply)
        self.accept.on_click(lambda _: self._on_review(True))
        self.give_back.on_click(lambda _: self._on_review(False))
        self.escalate.on_click(self._on_escalate)
        self.reveal.observe(lambda _: self._show_case(), names="value")
        self._choice_changed()
        self._refresh_cases()

    # ---------------------------------------------------------------- 立案

    def _school_name(self) -> str:
        code = self.school.value or ""
        name = self.session.names.get(code) if code else None
        return name if isinstance(name, str) else code

    def _choice_changed(self, _=None) -> None:
        rules, school = list(self.rules.value), self.school.value or ""
        self.selected.value = message_html(
            cd.selection_text(cd.choose_findings(self.session, rules, school)), "note")
        title = cd.default_title(rules, self._school_name())
        if self.title.value.strip() in ("", self._auto_title):
            self.title.value = title
        self._auto_title = title
        unit = self._school_name()
        if self.unit.value.strip() in ("", self._auto_unit):
            self.unit.value = unit
        self._auto_unit = unit

    def _on_open(self, _=None) -> None:
        self.message.clear()
        case_id = self.message.guard(lambda: cd.open_case(
            self.session, self.kind.value, list(self.rules.value), self.school.value or "",
            title=self.title.value, unit=self.unit.value,
            deadline_workdays=self.deadline.value))
        if case_id is None:
            return
        self.downloads.value = ""
        self._refresh_cases(select=case_id)
        info = cd.case_card(self.session, case_id)["info"]
        self.message.ok(f"已立案：案件 {case_id}「{info['标题']}」，"
                        f"办理期限 {info['办理期限']}（{info['期限（工作日）']} 个工作日）。")

    # ---------------------------------------------------------------- 案件

    def _refresh_cases(self, select: int | None = None) -> None:
        """Reload the case list, keeping (or moving to ``select``) the chosen case."""
        before = self.cases.value
        keep = select if select is not None else before
        options = cd.case_options(self.session)
        ids = [cid for _, cid in options]
        self._busy = True
        try:
            self.cases.options = options
            self.cases.value = keep if keep in ids else (ids[-1] if ids else None)
        finally:
            self._busy = False
        self._show_case(new=self.cases.value != before)

    def _case_changed(self, _=None) -> None:
        if self._busy:
            return
        self.downloads.value = ""
        self.message.clear()
        self._show_case(new=True)

    def _show_case(self, new: bool = False) -> None:
        """Show the chosen case's card and the actions its status allows."""
        case_id = self.cases.value
        if case_id is None:
            self.case_info.value = message_html(NO_CASES, "note")
            self.status.options = []
            self.child.options, self.items.value = [], ""
            for b in (self.assign, self.set_status, self.draft, self.reply, self.accept,
                      self.give_back, self.escalate):
                b.disabled = True
            return
        card = cd.case_card(self.session, case_id)
        case = card["case"]
        self.shown_version = case["version"]  # a write made by someone else after it is refused
        self.case_info.value = cd.card_html_of(card, self.reveal.value)
        allowed = cd.allowed_statuses(case["status"])
        self.status.options = list(allowed)
        self.status.value = allowed[0] if allowed else None
        self.set_status.disabled = not allowed
        self.assign.disabled = case["status"] in cd.CLOSED
        self.draft.disabled = False
        chosen = self.child.value
        options = cd.child_options(self.session, case_id, self.reveal.value)
        self.child.options = options
        keys = [k for _, k in options]
        self.child.value = chosen if chosen in keys else (keys[0] if keys else None)
        self.items.value = cd.items_html(self.session, case_id, self.reveal.value)
        closed = case["status"] in cd.CLOSED
        for b in (self.reply, self.accept, self.give_back):
            b.disabled = closed or not keys
        self.escalate.disabled = not card["overdue"]
        if new or not self.assign_unit.value.strip():
            self.assign_unit.value = case["unit"] or ""
        if new:
            self.form_kind.value = cd.FORM_OF_KIND.get(case["kind"], self.form_kind.value)

    def _on_assign(self, _=None) -> None:
        case_id = self.cases.value
        self.message.clear()
        if case_id is None:
            self.message.error(NO_CASES)
            return
        unit = self.assign_unit.value
        version = getattr(self, "shown_version", None)
        if not self.message.guard(
                lambda: cd.assign(self.session, case_id, unit, version) or True):
            self._refresh_cases()  # another page may have changed the case meanwhile
            return
        self._refresh_cases()
        self.message.ok(f"案件 {case_id} 已交办给「{unit.strip()}」。")

    def _on_set_status(self, _=None) -> None:
        case_id, status = self.cases.value, self.status.value
        self.message.clear()
        if case_id is None or not status:
            self.message.error("当前案件已办结或撤销，不能再变更状态。" if case_id else NO_CASES)
            return
        note = self.status_note.value
        if not self.message.guard(
                lambda: cd.set_status(self.session, case_id, status, note,
                                      getattr(self, "shown_version", None)) or True):
            self._refresh_cases()  # another page may have changed the case meanwhile
            return
        self.status_note.value = ""
        self._refresh_cases()
        self.message.ok(f"案件 {case_id} 状态已变更为「{status}」。")

    def _on_draft(self, _=None) -> None:
        case_id, kind = self.cases.value, self.form_kind.value
        self.message.clear()
        self.downloads.value = ""
        if case_id is None:
            self.message.error(NO_CASES)
            return
        self.draft.disabled = True
        self.progress.update(0.0, f"正在起草{kind}…")
        try:
            paths = self.message.guard(
                lambda: cd.draft_form(self.session, case_id, kind, self.progress.update))
        finally:
            self.draft.disabled = False
            self.progress.layout.display = "none"
        if not paths:
            return
        self.downloads.value = cd.download_links_html(cd.offered(paths))
        self.message.ok(f"已起草案件 {case_id} 的{kind}：共 {len(paths)} 个文件，保存在 "
                        f"{paths[0].parent}（已记入访问日志）。")

    # ---------------------------------------------------------------- 答复与督办

    def _uploaded(self) -> list[tuple[str, bytes]]:
        """The chosen evidence files as (name, content)."""
        return [(f["name"], bytes(f["content"])) for f in self.evidence.value]

    def _on_reply(self, _=None) -> None:
        case_id, child = self.cases.value, self.child.value
        self.message.clear()
        if case_id is None or child is None:
            self.message.error(NO_CASES)
            return
        files = self._uploaded()
        if self.message.guard(lambda: cd.record_reply(
                self.session, case_id, child, self.verified.value, self.handled.value, files,
                self.done.value)) is None:
            return
        self.verified.value = self.handled.value = ""
        self.evidence.value = ()
        self._refresh_cases()
        self.message.ok(f"已登记案件 {case_id} 的答复（佐证材料 {len(files)} 份）。")

    def _on_review(self, accept: bool) -> None:
        case_id, child = self.cases.value, self.child.value
        self.message.clear()
        if case_id is None or child is None:
            self.message.error(NO_CASES)
            return
        reason = self.reason.value
        if not self.message.guard(
                lambda: cd.review_reply(self.session, case_id, child, accept, reason) or True):
            return
        self.reason.value = ""
        self._refresh_cases()
        self.message.ok("已采纳答复，该生事项办结。" if accept else "已退回答复，承办单位须重新办理。")

    def _on_escalate(self, _=None) -> None:
        case_id = self.cases.value
        self.message.clear()
        self.downloads.value = ""
        if case_id is None:
            self.message.error(NO_CASES)
            return
        self.escalate.disabled = True
        self.progress.update(0.0, "正在转为督办并起草督办单…")
        try:
            paths = self.message.guard(
                lambda: cd.escalate(self.session, case_id, self.progress.update))
        finally:
            self.progress.layout.display = "none"
        self._refresh_cases()
        if not paths:
            return
        self.form_kind.value = "督办单"
        self.downloads.value = cd.download_links_html(cd.offered(paths))
        self.message.ok(f"案件 {case_id} 已转为督办，督办单共 {len(paths)} 个文件（已记入访问日志）。")
