"""Building a workspace: load → merge the duplicate decisions once → audit → persist.

:func:`build_workspace` is the only place the kit loads a data folder and runs the audit for
others to read. The inspectors' duplicate decisions live in the workspace's case store; a
decision file given to the build is imported into the store first (a pair the store already
decided keeps the store's decision), so every later reader sees one set of decisions. The audit
is then attached to the store (findings of open cases that no longer fire become 已整改).
"""
from __future__ import annotations

import datetime as dt
import fcntl
import os
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from ..audit import run_audit
from ..cases.store import CaseStore
from ..dates import parse_date
from ..errors import XuejiError
from ..ingest import DEMO_MARKER, LoadResult, load_folder
from ..matching.decisions import read_decisions
from ..profile import DEFAULT_PROFILE, load_profile
from .core import RECONCILE_PARTS, STORE_FILE, Workspace, profile_identity
from .manifest import Manifest, NoWorkspaceError, WorkspaceError, fingerprint
from .snapshot import SnapshotWriter, prune

Progress = Callable[[float, str], None]
"""``progress(fraction 0–1, Chinese message)``."""
LOAD_SHARE = 0.6
LOCK = ".build.lock"


def _quiet(fraction: float, message: str) -> None:
    return None


def is_demo_folder(data_dir: str | Path) -> bool:
    return (Path(data_dir) / DEMO_MARKER).is_file()


def create_folder(path: Path) -> None:
    """The workspace folder, private to its owner (0700)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)


@contextmanager
def build_lock(workspace: Path):
    """One build of a workspace at a time (across processes)."""
    create_folder(workspace)
    fd = os.open(workspace / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WorkspaceError(f"工作区「{workspace}」正在被另一个程序重新督查，请稍后再试。"
                                 ) from None
        yield
    finally:
        os.close(fd)


def import_decisions(store: CaseStore, path: str | Path, *, user: str, on: dt.date) -> int:
    """Record the decisions of a decision file in the store, except for pairs the store has
    already decided (the store's decision stands); return how many were imported."""
    given = read_decisions(path)
    have = store.decisions_frame()
    decided = set(zip(have["学籍号_a"], have["学籍号_b"], strict=True))
    n = 0
    for row in given.itertuples(index=False):
        a, b = str(row.学籍号_a), str(row.学籍号_b)
        if a == b or (a, b) in decided:
            continue
        who = str(getattr(row, "核查人", "") or "").strip()
        note = f"由认定文件 {Path(path).name} 导入" + (f"（核查人 {who}）" if who else "")
        store.decide_pair(a, b, bool(row.accept), user=user, on=on, note=note)
        n += 1
    return n


def _school_names(loaded: LoadResult) -> pd.DataFrame:
    for key in ("schools", "students"):
        t = loaded.tables.get(key)
        if t is not None and "学校名称" in t and t["学校名称"].notna().any():
            t = t.dropna(subset=["学校标识码", "学校名称"]).drop_duplicates("学校标识码")
            return pd.DataFrame({"学校标识码": t["学校标识码"].astype(str).to_numpy(),
                                 "学校名称": t["学校名称"].astype(str).to_numpy()})
    return pd.DataFrame({"学校标识码": pd.Series(dtype=str), "学校名称": pd.Series(dtype=str)})


def _json_safe(value):
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()
                if isinstance(v, str | int | float | bool | dict | list | tuple | np.generic)
                or v is None}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _previous(workspace: Path) -> Manifest | None:
    try:
        return Manifest.read(workspace)
    except (NoWorkspaceError, WorkspaceError):
        return None


def build_workspace(data_dir: str | Path, workspace: str | Path, *, as_of: dt.date | str,
                    user: str, profile: str | Path | None = None,
                    decisions: str | Path | None = None, progress: Progress | None = None
                    ) -> Workspace:
    """Load ``data_dir``, audit it on ``as_of`` with ``profile`` (name or .toml file) and store
    everything in the folder ``workspace`` (created when absent); ``user`` is recorded as the
    one who ran the audit and imported ``decisions`` (a decision file). Returns the opened
    workspace."""
    as_of = parse_date(as_of)
    if not str(user or "").strip():
        raise XuejiError("未指定操作人：督查结果要记入案件库，请给出操作人（--user）。")
    progress = progress or _quiet
    ws, data = Path(workspace), Path(data_dir)
    if not data.is_dir():
        raise XuejiError(f"数据目录「{data}」不存在或不是文件夹，请检查路径。")
    ref = str(profile or DEFAULT_PROFILE)
    if Path(ref).suffix == ".toml":
        ref = str(Path(ref).resolve())
    prof = load_profile(ref)
    with build_lock(ws):
        def on_file(done: int, total: int, rel: str) -> None:
            progress(LOAD_SHARE * done / max(total, 1),
                     f"读取文件 {done + 1}/{total}：{rel}" if rel else "文件读取完毕")

        loaded = load_folder(data, progress=on_file, values=prof.values)
        inputs = fingerprint(data)
        progress(LOAD_SHARE, "运行督查规则、重复学籍查找与转学链…")
        with CaseStore(ws / STORE_FILE) as store:
            imported = import_decisions(store, decisions, user=user, on=as_of) if decisions \
                else 0
            merged = store.decisions_frame()
            result = run_audit(loaded, as_of, prof, decisions=merged)
            progress(0.9, "保存工作区…")
            previous = _previous(ws)
            build = (previous.build + 1) if previous else 1
            folder, hashes = _persist(ws, build, loaded, result, merged)
            attached = store.attach_findings(result.findings, as_of, user)
        manifest = Manifest(
            kit_version=__version__, as_of=result.as_of.isoformat(),
            profile=profile_identity(prof, ref), data_dir=str(data.resolve()),
            demo=is_demo_folder(data), snapshot=folder, build=build, inputs=inputs,
            artifacts=hashes,
            decisions={"file": str(Path(decisions).resolve()) if decisions else None,
                       "imported": imported, "count": len(merged)},
            load={"report": [asdict(r) for r in loaded.report],
                  "columns_found": {k: sorted(v) for k, v in loaded.columns_found.items()}},
            audit={"notes": list(result.notes), "attached": attached,
                   "matching": _json_safe(dict(result.duplicates.stats))
                   if result.duplicates is not None else {}})
        manifest.write(ws)
        prune(ws, manifest.snapshot)
    opened = Workspace.open(ws, check_inputs=False)
    progress(1.0, f"完成：载入学生 {len(opened.students)} 人，发现问题 {len(opened.findings)} 条。")
    return opened


def _persist(ws: Path, build: int, loaded: LoadResult, result, decisions: pd.DataFrame
             ) -> tuple[str, dict[str, str]]:
    """Write the snapshot of one build; (its folder, {file: sha256})."""
    writer = SnapshotWriter(ws, build)
    try:
        for key, frame in loaded.tables.items():
            writer.frame(f"tables/{key}", frame)
        writer.frame("rejects", loaded.rejects)
        writer.frame("school_names", _school_names(loaded))
        writer.frame("audit/findings", result.findings)
        writer.frame("audit/rules_run", result.rules_run)
        writer.frame("audit/decisions", decisions.astype(str))
        dup = result.duplicates
        if dup is not None:
            rows = dup.rows if dup.rows is not None else np.full((len(dup.pairs), 2), -1)
            writer.frame("audit/pairs", dup.pairs.assign(_row_a=rows[:, 0], _row_b=rows[:, 1]))
            writer.frame("audit/clusters", dup.clusters)
        ch = result.chains
        writer.frame("chains/persons", pd.DataFrame({"学籍号": ch.persons.index.astype(str),
                                                      "person": ch.persons.to_numpy()}))
        writer.frame("chains/records", ch.records)
        writer.frame("chains/chain", ch.chain)
        writer.frame("chains/schools", pd.DataFrame({"学校标识码": ch.schools.astype(object)}))
        rj = result.reconcile
        if rj is not None:
            for part in RECONCILE_PARTS:
                writer.frame(f"reconcile/{part}", getattr(rj, part))
            writer.frame("reconcile/roster_schools",
                         pd.DataFrame({"学校标识码": sorted(rj.roster_schools)}, dtype=object))
        return writer.commit()
    except BaseException:
        writer.abort()
        raise
