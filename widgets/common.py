"""Parts every app page shares: the page frame, a progress panel, the reveal switch, messages."""
from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from xueji_audit.app.display import CSS, NO_DATA, nav_html
from xueji_audit.app.display import message_html as _message
from xueji_audit.app.session import Session
from xueji_audit.errors import XuejiError


class Page(w.VBox):
    """An app page: stylesheet, links to the other apps (``here`` marked), the 示范数据 banner
    when the workspace holds demo data, then ``body``; the notebook's own Markdown cell is the
    page's title."""

    def __init__(self, here: str, body: w.Widget, banner: str = ""):
        self.style_html = w.HTML(CSS)
        self.nav = w.HTML(nav_html(here))
        self.banner = w.HTML(_message(banner, "banner") if banner else "")
        self.body = body
        super().__init__([self.style_html, self.nav, self.banner, body])
        self.add_class("xj-app")


class Message(w.HTML):
    """A line of feedback: :meth:`ok`, :meth:`error`, :meth:`note`, :meth:`clear`."""

    def ok(self, text: str) -> None:
        self.value = _message(text, "ok")

    def error(self, text: str) -> None:
        self.value = _message(text, "error")

    def note(self, text: str) -> None:
        self.value = _message(text, "note")

    def clear(self) -> None:
        self.value = ""

    def guard(self, action: Callable[[], object]) -> object | None:
        """Run ``action``; a kit error (or a bad value) is shown in Chinese instead of raised."""
        try:
            return action()
        except (XuejiError, ValueError) as exc:
            self.error(f"操作未完成：{exc}")
            return None


class ProgressPanel(w.VBox):
    """A bar and a line of text; :meth:`update` is a :data:`~xueji_audit.app.session.Progress`."""

    def __init__(self):
        self.bar = w.FloatProgress(value=0.0, min=0.0, max=1.0, description="进度",
                                   layout=w.Layout(width="420px"))
        self.label = w.Label("")
        super().__init__([self.bar, self.label])
        self.layout.display = "none"

    def update(self, fraction: float, message: str) -> None:
        self.layout.display = None
        self.bar.value = max(0.0, min(1.0, float(fraction)))
        self.label.value = message

    def done(self, message: str = "") -> None:
        self.bar.value = 1.0
        self.label.value = message


class RevealSwitch(w.Checkbox):
    """显示完整号码: unmasking is logged (page and user) in the case store's access log; a
    switch without a session yet (the loader before its first load) logs nothing."""

    def __init__(self, session: Session | None, page: str):
        super().__init__(value=False, description="显示完整证件号、学籍号和电话（将记入访问日志）",
                         indent=False, layout=w.Layout(width="auto"))
        self.session, self.page = session, page
        self.observe(self._changed, names="value")

    def _changed(self, change) -> None:
        if change["new"] and self.session is not None:
            self.session.log_reveal(self.page)


def no_data(here: str, problem: str = "") -> Page:
    """The page shown when the workspace has no audit yet, or (``problem``) cannot be used."""
    return Page(here, w.HTML(_message(problem, "error") if problem else _message(NO_DATA, "note")))
