"""The data every app works on: the loaded export files, the audit, the case store.

The data loader app builds a :class:`Session` (load, audit, save) and the other apps open the
saved one (:meth:`Session.open`, a fraction of a second), so a page is usable at once. The
state file is written to a temporary name and renamed into place, so a page opened while the
loader saves sees the old state or the new one, never half of it.
"""
from __future__ import annotations

import datetime as dt
import os
import pickle
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..audit import AuditResult, run_audit
from ..cases.store import ACTION_SHOW_ID, CaseStore
from ..errors import XuejiError
from ..ingest import SUFFIXES, LoadResult, load_folder
from ..profile import load_profile
from ..reports.findings import school_names
from .config import AppConfig

Progress = Callable[[float, str], None]
"""``progress(fraction 0–1, Chinese message)``, called as a long step goes on."""
STATE_VERSION = 1
LOAD_SHARE = 0.7  # of the progress bar: loading files, then the audit


def _quiet(fraction: float, message: str) -> None:
    return None


@dataclass
class Session:
    """``data_dir``: the folder loaded; ``loaded`` / ``result``: the load and the audit;
    ``names``: 学校标识码 → 学校名称. ``store`` opens the case store on first use."""

    config: AppConfig
    data_dir: str
    loaded: LoadResult
    result: AuditResult
    names: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))
    _store: CaseStore | None = field(default=None, repr=False)

    @property
    def store(self) -> CaseStore:
        if self._store is None:
            self.config.workspace.mkdir(parents=True, exist_ok=True)
            self._store = CaseStore(self.config.store_path)
        return self._store

    @property
    def students(self) -> pd.DataFrame:
        return self.loaded.tables["students"]

    @property
    def findings(self) -> pd.DataFrame:
        return self.result.findings

    @classmethod
    def build(cls, config: AppConfig, data_dir: str | Path,
              progress: Progress | None = None) -> Session:
        """Load ``data_dir``, run the audit (respecting the pair decisions in the case store)
        and save the state into the workspace."""
        progress = progress or _quiet

        def on_file(done: int, total: int, rel: str) -> None:
            progress(LOAD_SHARE * done / max(total, 1),
                     f"读取文件 {done + 1}/{total}：{rel}" if rel else "文件读取完毕")

        loaded = load_folder(data_dir, progress=on_file)
        progress(LOAD_SHARE, "运行督查规则与重复学籍查找…")
        config.workspace.mkdir(parents=True, exist_ok=True)
        with CaseStore(config.store_path) as store:
            decisions = store.decisions_frame()
        result = run_audit(loaded, config.as_of, config.profile, decisions=decisions)
        progress(0.95, "保存工作区…")
        session = cls(config, str(data_dir), loaded, result, school_names(loaded))
        session.save()
        progress(1.0, f"完成：载入学生 {len(session.students)} 人，发现问题 {len(result.findings)} 条。")
        return session

    @classmethod
    def from_uploads(cls, config: AppConfig, files: Iterable[tuple[str, bytes]],
                     progress: Progress | None = None) -> Session:
        """Build from uploaded files (name, content): they are written into a fresh folder
        under the workspace's ``uploads`` (replacing the previous upload) and loaded."""
        files = list(files)
        if not files:
            raise XuejiError("没有选择文件：请选择学籍系统导出的 Excel 或 CSV 文件。")
        bad = [name for name, _ in files if Path(name).suffix.lower() not in SUFFIXES]
        if bad:
            raise XuejiError(f"不支持的文件类型：{'、'.join(bad)}（可上传 .xlsx、.xls、.csv）。")
        config.uploads_dir.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix="upload-", dir=config.uploads_dir))
        used: set[str] = set()
        for name, content in files:
            safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", Path(name).name) or "文件"
            stem, suffix, k = Path(safe).stem, Path(safe).suffix, 1
            while safe in used:
                k += 1
                safe = f"{stem}_{k}{suffix}"
            used.add(safe)
            (folder / safe).write_bytes(bytes(content))
        current = config.uploads_dir / "current"
        if current.exists():
            shutil.rmtree(current)
        folder.rename(current)
        return cls.build(config, current, progress)

    def save(self) -> None:
        """Write the state file atomically (temporary file, then rename)."""
        state = {"version": STATE_VERSION, "data_dir": self.data_dir,
                 "as_of": self.config.as_of, "profile": self.config.profile,
                 "tables": self.loaded.tables, "rejects": self.loaded.rejects,
                 "report": self.loaded.report, "columns_found": self.loaded.columns_found,
                 "findings": self.result.findings, "rules_run": self.result.rules_run,
                 "notes": self.result.notes, "duplicates": self.result.duplicates,
                 "names": self.names}
        path = self.config.state_path
        fd, tmp = tempfile.mkstemp(prefix=".state-", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)

    @classmethod
    def open(cls, config: AppConfig) -> Session | None:
        """The saved state of the workspace, or None when nothing was loaded yet (or it was
        saved by another version of the kit, or for another date or profile)."""
        try:
            with open(config.state_path, "rb") as fh:
                state = pickle.load(fh)
        except (FileNotFoundError, EOFError, pickle.UnpicklingError, AttributeError,
                ModuleNotFoundError):
            return None
        if (state.get("version") != STATE_VERSION or state["as_of"] != config.as_of
                or state["profile"] != config.profile):
            return None
        loaded = LoadResult(tables=state["tables"], rejects=state["rejects"],
                            report=state["report"], columns_found=state["columns_found"])
        result = AuditResult(state["findings"], state["rules_run"], state["notes"],
                             config.as_of, load_profile(config.profile), state["duplicates"])
        return cls(config, state["data_dir"], loaded, result, state["names"])

    @classmethod
    def for_app(cls, config: AppConfig, progress: Progress | None = None) -> Session | None:
        """The saved session, else one built from ``config.seed_data`` when given, else None."""
        session = cls.open(config)
        if session is None and config.seed_data:
            session = cls.build(config, config.seed_data, progress)
        return session

    def log_reveal(self, page: str, detail: str = "", case_id: int | None = None) -> int:
        """Record in the access log that ``config.user`` showed unmasked numbers on ``page``."""
        at = dt.datetime.combine(self.config.as_of, dt.time())
        text = f"页面：{page}" + (f"；{detail}" if detail else "")
        return self.store.log_access(ACTION_SHOW_ID, case_id, self.config.user, at, text)

    def close(self) -> None:
        if self._store is not None:
            self._store.close_store()
            self._store = None
