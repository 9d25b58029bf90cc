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

from ..dates import DEFAULT_AS_OF, parse_date
from ..errors import XuejiError
from ..profile import DEFAULT_PROFILE

ENV: dict[str, str] = {"workspace": "XUEJI_WORKSPACE", "user": "XUEJI_USER",
                       "as_of": "XUEJI_AS_OF", "profile": "XUEJI_PROFILE"}
"""Setting → environment variable."""
STORE_FILE = "cases.sqlite"
STATE_FILE = "state.pkl"


@dataclass(frozen=True)
class AppConfig:
    """``workspace``: the folder holding the case store, the loaded state, uploads and drafted
    forms; ``user``: who is working (recorded in history and the access log); ``as_of``: the
    working date (audit reference date and the date of every write); ``profile``: the rule
    profile (name or TOML file); ``seed_data``: a data folder loaded when the workspace holds
    no data yet (the demo county of a notebook opened by hand)."""

    workspace: Path
    user: str
    as_of: dt.date = DEFAULT_AS_OF
    profile: str = DEFAULT_PROFILE
    seed_data: str = ""  # a data folder loaded when the workspace holds no data yet

    def __post_init__(self) -> None:
        if not str(self.user or "").strip():
            raise XuejiError("未指定操作人：请用 `xueji-audit serve --user 姓名` 启动。")
        object.__setattr__(self, "workspace", Path(self.workspace))
        object.__setattr__(self, "as_of", parse_date(self.as_of))
        object.__setattr__(self, "profile", str(self.profile or DEFAULT_PROFILE))

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
            raise XuejiError(f"未指定工作区：请用 `xueji-audit serve` 启动应用"
                             f"（或设置环境变量 {ENV['workspace']}）。")
        return cls(workspace=Path(values["workspace"]), user=values["user"],
                   as_of=values["as_of"] or DEFAULT_AS_OF,
                   profile=values["profile"] or DEFAULT_PROFILE)

    def to_env(self) -> dict[str, str]:
        """The environment variables that :meth:`from_env` reads back."""
        return {ENV["workspace"]: str(self.workspace.resolve()), ENV["user"]: self.user,
                ENV["as_of"]: self.as_of.isoformat(), ENV["profile"]: self.profile}

    @property
    def store_path(self) -> Path:
        return self.workspace / STORE_FILE

    @property
    def state_path(self) -> Path:
        return self.workspace / STATE_FILE

    @property
    def uploads_dir(self) -> Path:
        return self.workspace / "uploads"

    @property
    def forms_dir(self) -> Path:
        return self.workspace / "forms"


DEMO_USER = "示范督查员"


def resolve_config(workspace: str = "", user: str = "", as_of: str = "", profile: str = "",
                   environ: Mapping[str, str] | None = None) -> AppConfig:
    """An app notebook's settings: its parameters, else those ``xueji-audit serve`` put in the
    environment, else (opened by hand with neither) a demo workspace on the demo county."""
    environ = os.environ if environ is None else environ
    if str(workspace).strip() or environ.get(ENV["workspace"], "").strip():
        return AppConfig.from_env(environ, workspace=workspace, user=user, as_of=as_of,
                                  profile=profile)
    from ..reports.demo_cache import cache_root, demo_dir

    as_of = parse_date(as_of or DEFAULT_AS_OF)
    return AppConfig(cache_root() / "app-workspace", user or DEMO_USER, as_of,
                     profile or DEFAULT_PROFILE, str(demo_dir(as_of=as_of)))
