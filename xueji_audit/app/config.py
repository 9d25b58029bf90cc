"""An app's settings, frozen, from ``xueji-audit serve`` through environment variables.

Voila starts one kernel per page; ``serve`` puts the settings in the environment those kernels
inherit (:meth:`AppConfig.to_env`), and each app reads them back with :meth:`AppConfig.from_env`.
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..dates import parse_date
from ..errors import XuejiError
from ..profile import DEFAULT_PROFILE

ENV: dict[str, str] = {"workspace": "XUEJI_WORKSPACE", "user": "XUEJI_USER",
                       "as_of": "XUEJI_AS_OF", "profile": "XUEJI_PROFILE",
                       "role": "XUEJI_ROLE", "school": "XUEJI_SCHOOL"}
"""Setting → environment variable."""


@dataclass(frozen=True)
class AppConfig:
    """``workspace``: the workspace folder (:mod:`xueji_audit.workspace`: the stored audit, the
    case store, uploads and drafted forms); ``user``: who is working (recorded in history and
    the access log); ``as_of``: the working date (the date of every write, and the audit date
    of a load made from the pages; ``serve`` passes today's date); ``profile``: the rule profile
    (name or TOML file) of a load made from the pages; ``role`` and ``school``: what the person
    may do and see (:mod:`xueji_audit.server.users`; the server puts the logged-in account's
    into each page kernel; outside the server a notebook works as 督查员)."""

    workspace: Path
    user: str
    as_of: dt.date
    profile: str = DEFAULT_PROFILE
    role: str = "督查员"
    school: str = ""

    def __post_init__(self) -> None:
        if not str(self.user or "").strip():
            raise XuejiError("未指定操作人：请用 `xueji-audit serve --user 姓名` 启动。")
        object.__setattr__(self, "workspace", Path(self.workspace))
        object.__setattr__(self, "as_of", parse_date(self.as_of))
        object.__setattr__(self, "profile", str(self.profile or DEFAULT_PROFILE))
        object.__setattr__(self, "role", str(self.role or "督查员"))
        object.__setattr__(self, "school", str(self.school or ""))
        if self.role == "学校" and not self.school:
            raise XuejiError("学校账号未指定所属学校：请管理员用 xueji-audit users add --school 重建。")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> AppConfig:
        """Settings from the environment (:data:`ENV`), ``overrides`` (non-empty) winning; a
        missing workspace or user is a Chinese error naming the variable."""
        environ = os.environ if environ is None else environ
        values = {k: environ.get(v, "") for k, v in ENV.items()}
        values.update({k: v for k, v in overrides.items() if v not in (None, "")})
        unknown = set(values) - set(ENV)
        if unknown:
            raise XuejiError(f"未知的应用设置：{'、'.join(sorted(unknown))}。")
        if not str(values["workspace"]).strip():
            raise XuejiError(f"未指定工作区：请用 `xueji-audit serve --workspace 工作区` 启动应用"
                             f"（或在页面参数中给出 workspace，或设置环境变量 {ENV['workspace']}）。")
        if not str(values["as_of"]).strip():
            raise XuejiError(f"未指定办理日期：请用 `xueji-audit serve` 启动应用（或在页面参数中给出 "
                             f"as_of，或设置环境变量 {ENV['as_of']}）。")
        return cls(workspace=Path(values["workspace"]), user=values["user"],
                   as_of=values["as_of"], profile=values["profile"] or DEFAULT_PROFILE,
                   role=values["role"], school=values["school"])

    def to_env(self) -> dict[str, str]:
        """The environment variables that :meth:`from_env` reads back."""
        return {ENV["workspace"]: str(self.workspace.resolve()), ENV["user"]: self.user,
                ENV["as_of"]: self.as_of.isoformat(), ENV["profile"]: self.profile,
                ENV["role"]: self.role, ENV["school"]: self.school}


def resolve_config(workspace: str = "", user: str = "", as_of: str = "", profile: str = "",
                   environ: Mapping[str, str] | None = None) -> AppConfig:
    """An app notebook's settings: its parameters, else those ``xueji-audit serve`` put in the
    environment; without a workspace or a date a Chinese error says how to start the app."""
    return AppConfig.from_env(environ, workspace=workspace, user=user, as_of=as_of,
                              profile=profile)
