"""The Voila application of the county server: ``python -m xueji_audit.server.voila_app``.

:class:`XuejiVoila` is Voila's own application with Jupyter Server's identity machinery
switched to ours (:class:`~.identity.XuejiIdentityProvider`, :class:`~.authorizer.RoleAuthorizer`,
:class:`~.kernels.ScopedKernelManager`) and its URL table narrowed:

- every URL except ``/login`` needs a logged-in, enabled account: pages, static files, themes,
  extensions, the kernel API and websockets (a GET goes to the login page, anything else 403);
- a page is served only to the roles of :data:`~.authorizer.PAGES`, and sets the ``_xsrf``
  cookie that the page's own shutdown request (sent when the tab closes) carries back, so a
  closed page's kernel is shut down at once;
- a kernel's shutdown, model and websocket answer only the person who opened the page;
- no contents API, file server, directory listing or pre-heat socket (``/voila/query``) exists;
- configuration files in the current folder are not read; with ``certfile``/``keyfile`` it
  listens with TLS.
"""
from __future__ import annotations

import inspect
import ssl
import sys
from pathlib import Path
from urllib.parse import quote

from jupyter_server.base.handlers import JupyterHandler
from tornado import web
from traitlets import Unicode, default
from voila.app import Voila
from voila.request_info_handler import RequestInfoSocketHandler
from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
from voila.static_file_handler import AllowListFileHandler
from voila.tornado.contentshandler import VoilaContentsHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.treehandler import TornadoVoilaTreeHandler

from ..app.display import APPS
from .authorizer import may_open, pages_for
from .identity import LoginHandler, LogoutHandler
from .kernels import CURRENT, ServerBusy

DROPPED = (VoilaContentsHandler, AllowListFileHandler, RequestInfoSocketHandler)
MESSAGES = {403: "没有权限访问此页面。", 404: "页面不存在。",
            503: "服务器繁忙，请稍后再试。"}


def _error_page(handler: web.RequestHandler, status: int, text: str) -> None:
    handler.set_status(status)
    handler.set_header("Content-Type", "text/html; charset=utf-8")
    handler.finish(f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
                   f'<title>学籍专项督查</title></head><body><p>{text}</p>'
                   f'<p><a href="/">返回</a>　<a href="/logout">退出登录</a></p></body></html>')


class ChineseErrors:
    """Error responses as one Chinese line (no traceback, no template lookup)."""

    def write_error(self, status_code: int, **kwargs) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        text = getattr(exc, "message", None) if isinstance(exc, ServerBusy) else None
        _error_page(self, status_code, text or MESSAGES.get(status_code, "请求无法完成。"))


def _is_websocket(handler: web.RequestHandler) -> bool:
    return handler.request.headers.get("Upgrade", "").lower() == "websocket"


def guarded(cls: type) -> type:
    """``cls`` answering only a logged-in, enabled account."""

    class Guarded(ChineseErrors, cls):
        async def prepare(self, *args, **kwargs):
            result = super().prepare(*args, **kwargs)
            if inspect.isawaitable(result):
                await result
            if self._finished:
                return
            if self.settings["identity_provider"].account(self) is None:
                if self.request.method in ("GET", "HEAD") and not _is_websocket(self):
                    self.redirect(f"/login?next={quote(self.request.uri or '/')}")
                    return
                raise web.HTTPError(403)

    Guarded.__name__ = Guarded.__qualname__ = f"Guarded{cls.__name__}"
    return Guarded


class PageHandler(ChineseErrors, TornadoVoilaHandler):
    """``/voila/render/<stem>.ipynb`` for the roles that may open it; the kernel it starts
    learns the account from :data:`~.kernels.CURRENT`."""

    async def get(self, path=None):
        account = self.identity_provider.account(self)
        if account is None:
            self.redirect(f"/login?next={quote(self.request.uri or '/')}")
            return
        name = Path(path or "")
        if name.suffix != ".ipynb" or name.stem not in APPS or not may_open(account.role,
                                                                           name.stem):
            raise web.HTTPError(403)
        self.xsrf_token  # noqa: B018 — sets the _xsrf cookie the page's shutdown beacon sends
        CURRENT.set(account)
        await super().get(path)


class HomeHandler(ChineseErrors, JupyterHandler):
    """``/`` and ``/voila/tree``: the first page the account may open."""

    async def get(self, path=""):
        account = self.identity_provider.account(self)
        if account is None:
            self.redirect("/login")
            return
        pages = pages_for(account.role)
        self.redirect(f"/voila/render/{pages[0]}.ipynb" if pages else "/logout")


class ShutdownHandler(ChineseErrors, VoilaShutdownKernelHandler):
    """The closing page's ``POST /voila/api/shutdown/<kernel>``, for its owner only."""

    @web.authenticated
    async def post(self, kernel_id):
        account = self.identity_provider.account(self)
        if account is None or self.kernel_manager.owner(kernel_id) != account.name:
            raise web.HTTPError(403)
        await self.kernel_manager.shutdown_kernel(kernel_id)
        self.set_status(204)
        self.finish()


class XuejiVoila(Voila):
    certfile = Unicode("", config=True, help="TLS certificate (PEM); with keyfile: HTTPS.")
    keyfile = Unicode("", config=True, help="TLS private key (PEM).")

    @default("config_file_paths")
    def _config_file_paths_default(self):
        return []  # never read a voila.py / voila.json from the current folder

    def init_handlers(self) -> list:
        table = []
        for pattern, cls, *rest in super().init_handlers():
            if cls in DROPPED:
                continue
            if cls is TornadoVoilaHandler:
                cls = PageHandler
            elif cls is TornadoVoilaTreeHandler:
                cls, rest = HomeHandler, []
            elif cls is VoilaShutdownKernelHandler:
                cls = ShutdownHandler
            elif cls not in (LoginHandler, LogoutHandler):
                cls = guarded(cls)
            table.append((pattern, cls, *rest))
        return table

    def listen(self):
        if self.certfile:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.certfile, self.keyfile or None)
            plain = self.app.listen
            self.app.listen = lambda port, address="", **kw: plain(port, address,
                                                                   ssl_options=context, **kw)
        super().listen()


main = XuejiVoila.launch_instance

if __name__ == "__main__":
    sys.exit(main())
