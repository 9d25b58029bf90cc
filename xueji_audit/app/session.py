"""The data every app page works on: the workspace (:mod:`xueji_audit.workspace`).

The 数据导入 page builds the workspace (:meth:`Session.build`, :meth:`Session.from_uploads`);
every page opens it (:meth:`Session.open`, a fraction of a second: tables are read when shown).
A page never loads raw files or runs the rules itself, so every page, report and command shows
the same audit.
"""
from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..audit import AuditResult
from ..cases.store import CaseStore
from ..errors import XuejiError
from ..ingest import SUFFIXES, LoadResult
from ..privacy import log_reveal
from ..server.scope import ScopedStore, ScopeError, may_load, scoped
from ..workspace import NoWorkspaceError, Workspace, build_workspace
from .config import AppConfig

Progress = Callable[[float, str], None]
"""``progress(fraction 0–1, Chinese message)``, called as a long step goes on."""


@dataclass
class Session:
    """A page's view of the workspace, acting as ``config.user`` on ``config.as_of``, within
    what ``config.role`` and ``config.school`` allow (:mod:`xueji_audit.server.scope`): a 学校
    account's session holds its school's rows only, and the store refuses what the role may
    not do."""

    config: AppConfig
    workspace: Workspace
    _store: ScopedStore | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.workspace, self._store = scoped(self.workspace, self.config.user,
                                             self.config.role, self.config.school)

    @property
    def data_dir(self) -> str:
        return self.workspace.data_dir

    @property
    def loaded(self) -> LoadResult:
        return self.workspace.loaded

    @property
    def result(self) -> AuditResult:
        return self.workspace.result

    @property
    def names(self) -> pd.Series:
        return self.workspace.names

    @property
    def store(self) -> CaseStore:
        return self._store

    @property
    def students(self) -> pd.DataFrame:
        return self.workspace.students

    @property
    def findings(self) -> pd.DataFrame:
        return self.workspace.findings

    @property
    def forms_dir(self) -> Path:
        return self.workspace.forms_dir

    @classmethod
    def build(cls, config: AppConfig, data_dir: str | Path,
              progress: Progress | None = None) -> Session:
        """Audit ``data_dir`` into the workspace (as ``config.user`` on ``config.as_of`` with
        ``config.profile``) and open it."""
        _may_load(config)
        ws = build_workspace(data_dir, config.workspace, as_of=config.as_of, user=config.user,
                             profile=config.profile, progress=progress)
        return cls(config, ws)

    @classmethod
    def from_uploads(cls, config: AppConfig, files: Iterable[tuple[str, bytes]],
                     progress: Progress | None = None) -> Session:
        """Build from uploaded files (name, content): they are written into a fresh folder
        under the workspace's ``uploads`` (replacing the previous upload) and audited; a file
        the loader cannot read is kept there and named in the load report."""
        _may_load(config)
        files = list(files)
        if not files:
            raise XuejiError("没有选择文件：请选择学籍系统导出的 Excel 或 CSV 文件。")
        if not any(Path(name).suffix.lower() in SUFFIXES for name, _ in files):
            names = "、".join(name for name, _ in files[:5])
            raise XuejiError(f"不支持的文件类型：{names}（可上传 .xlsx、.xls、.csv）。")
        uploads = config.workspace / "uploads"
        uploads.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix="upload-", dir=uploads))
        used: set[str] = set()
        for name, content in files:
            safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", Path(name).name) or "文件"
            stem, suffix, k = Path(safe).stem, Path(safe).suffix, 1
            while safe in used:
                k += 1
                safe = f"{stem}_{k}{suffix}"
            used.add(safe)
            (folder / safe).write_bytes(bytes(content))
        current = uploads / "current"
        if current.exists():
            shutil.rmtree(current)
        folder.rename(current)
        return cls.build(config, current, progress)

    @classmethod
    def open(cls, config: AppConfig) -> Session | None:
        """The workspace's audit, or None when nothing was audited into it yet. A workspace
        that cannot be used (another version, changed data files) raises its Chinese message."""
        try:
            return cls(config, Workspace.open(config.workspace))
        except NoWorkspaceError:
            return None

    def log_reveal(self, page: str, detail: str = "", case_id: int | None = None) -> int:
        """Record in the access log that ``config.user`` showed unmasked numbers on ``page``."""
        where = f"页面：{page}" + (f"；{detail}" if detail else "")
        return log_reveal(self.store, self.config.user, self.config.as_of, where, case_id)

    def close(self) -> None:
        self.workspace.close()


def _may_load(config: AppConfig) -> None:
    if not may_load(config.role):
        raise ScopeError(f"「{config.role}」账号不能导入数据或重新督查。")
