"""Login through Jupyter Server's own identity machinery: :class:`XuejiIdentityProvider` (a
subclass of ``jupyter_server.auth.IdentityProvider``) checks a name and password against the
workspace's accounts (:mod:`.users`) and keeps the person signed in with Jupyter Server's signed
cookie. No token is accepted (nothing secret ever sits in a URL, a log or a kernel's
environment). The login and logout pages are Chinese and need no other file from the server.
"""
from __future__ import annotations

import html
import time

from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.auth.identity import IdentityProvider, User
from jupyter_server.auth.login import LoginFormHandler
from jupyter_server.base.handlers import JupyterHandler
from tornado import web
from traitlets import Unicode

from .users import Account, AccountError, UserStore

LOGIN_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>登录 · 学籍专项督查</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; background: #f6f8fa; }}
form {{ max-width: 340px; margin: 12vh auto; background: #fff; border: 1px solid #d0d7de;
  border-radius: 6px; padding: 24px 28px; }}
h1 {{ font-size: 20px; margin: 0 0 16px; }}
label {{ display: block; margin: 10px 0 4px; }}
input[type=text], input[type=password] {{ width: 100%; box-sizing: border-box; padding: 6px;
  font-size: 15px; }}
button {{ margin-top: 16px; width: 100%; padding: 8px; font-size: 15px; background: #1f6feb;
  color: #fff; border: 0; border-radius: 4px; }}
.msg {{ color: #b42318; }} .info {{ color: #1a7f37; }}
</style></head>
<body><form method="post" action="{action}">
<h1>学籍专项督查 · 登录</h1>{message}
{xsrf}<input type="hidden" name="next" value="{next}">
<label for="username">账号</label><input type="text" id="username" name="username" autofocus
  autocomplete="username" value="{username}">
<label for="password">密码</label><input type="password" id="password" name="password"
  autocomplete="current-password">
<button type="submit">登录</button>
</form></body></html>
"""


def login_page(handler: web.RequestHandler, message: str = "", kind: str = "msg",
               username: str = "") -> str:
    """The Chinese login form (its ``_xsrf`` field included)."""
    base = getattr(handler, "base_url", "/")
    shown = f'<p class="{kind}">{html.escape(message)}</p>' if message else ""
    return LOGIN_PAGE.format(action=html.escape(base + "login"), message=shown,
                             xsrf=handler.xsrf_form_html(), username=html.escape(username),
                             next=html.escape(handler.get_argument("next", default=base)))


class LoginHandler(LoginFormHandler):
    """``/login``: the Chinese form; a wrong password, a locked or disabled account says so."""

    def _render(self, message=None):
        text = "" if not message else message.get("error") or message.get("info") or ""
        kind = "info" if message and "info" in message else "msg"
        self.write(login_page(self, text, kind, self.get_argument("username", default="")))

    @allow_unauthenticated
    def post(self):
        try:
            user = self.identity_provider.login(self)
        except AccountError as exc:
            self.set_status(401)
            self._render({"error": str(exc)})
            return
        self.current_user = user
        self.identity_provider.set_login_cookie(self, user)
        self.log.info("登录：%s", user.username)
        self._redirect_safe(self.get_argument("next", default=self.base_url))


class LogoutHandler(JupyterHandler):
    """``/logout``: clears the login cookie and shows the login form again."""

    @allow_unauthenticated
    def get(self):
        self.identity_provider.clear_login_cookie(self)
        self.write(login_page(self, "已退出登录。", "info"))


class XuejiIdentityProvider(IdentityProvider):
    """People log in with a workspace account; a cookie whose account was removed or disabled
    since stops working at the next request."""

    workspace = Unicode("", config=True, help="The workspace holding users.sqlite.")

    def get_handlers(self) -> list[tuple[str, object]]:
        return [(r"/login", LoginHandler), (r"/logout", LogoutHandler)]

    @property
    def users(self) -> UserStore:
        if not self.workspace:
            raise RuntimeError("XuejiIdentityProvider.workspace is not set")
        return UserStore(self.workspace)

    @property
    def auth_enabled(self) -> bool:
        return True

    @property
    def login_available(self) -> bool:
        return True

    def get_user_token(self, handler):  # no token is ever accepted
        return None

    def user_to_cookie(self, user: User) -> str:
        return user.username

    def user_from_cookie(self, cookie_value: str) -> User | None:
        account = self.users.get(cookie_value)
        return None if account is None or account.disabled else user_of(account)

    def account(self, handler: web.RequestHandler) -> Account | None:
        """The enabled account signed in by ``handler``'s cookie, for any tornado handler
        (static files too); no side effects."""
        value = handler.get_secure_cookie(self.get_cookie_name(handler),
                                          **self.get_secure_cookie_kwargs)
        if not value:
            return None
        account = self.users.get(value.decode("utf-8", "replace"))
        return None if account is None or account.disabled else account

    def login(self, handler: web.RequestHandler) -> User:
        """The user of a login form's name and password (:class:`AccountError` otherwise);
        the server edge reads the clock here for the lock after repeated failures."""
        name = handler.get_argument("username", default="").strip()
        account = self.users.authenticate(name, handler.get_argument("password", default=""),
                                          now=time.time())
        return user_of(account)

    def process_login_form(self, handler: web.RequestHandler) -> User | None:
        try:
            return self.login(handler)
        except AccountError:
            return None

    def validate_security(self, app, ssl_options=None) -> None:
        return None


def user_of(account: Account) -> User:
    shown = f"{account.name}（{account.role}" + (f"·{account.school}" if account.school else "") + "）"
    return User(username=account.name, name=account.name, display_name=shown)
