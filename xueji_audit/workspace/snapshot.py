"""A workspace's snapshots: each build writes its tables as Parquet into a new folder.

A build writes into ``snapshots/.tmp-…`` and renames it to ``snapshots/build-NNNN`` only when
every file is complete; the manifest then points at it (renamed into place in one step), so a
page reading the workspace while a new build is written sees the old snapshot or the new one,
never half of either. The previous snapshot is kept for pages still reading it; older ones are
removed. Every file's SHA-256 goes into the manifest and is checked when the file is read.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..schema import STRING
from .manifest import TamperedWorkspaceError, sha256_file

SNAPSHOTS = "snapshots"
KEEP = 2
"""Snapshots kept: the current one and the one before it."""


class SnapshotWriter:
    """Collects the tables of one build in a private folder; :meth:`commit` renames it into
    ``snapshots/build-NNNN`` and returns (relative folder, {file: sha256})."""

    def __init__(self, workspace: Path, build: int):
        self.workspace, self.build = workspace, build
        root = workspace / SNAPSHOTS
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
        self.hashes: dict[str, str] = {}

    def frame(self, name: str, df: pd.DataFrame) -> None:
        """Store ``df`` (index dropped) as ``name.parquet``; its pandas dtypes survive."""
        path = self.folder / f"{name}.parquet"
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        table = pa.Table.from_pandas(df.reset_index(drop=True), preserve_index=False)
        pq.write_table(table, path, compression="zstd")
        os.chmod(path, 0o600)
        self.hashes[f"{name}.parquet"] = sha256_file(path)

    def commit(self) -> tuple[str, dict[str, str]]:
        name = f"build-{self.build:04d}"
        target = self.workspace / SNAPSHOTS / name
        if target.exists():  # left by a build that failed after renaming
            shutil.rmtree(target)
        os.replace(self.folder, target)
        return f"{SNAPSHOTS}/{name}", dict(self.hashes)

    def abort(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def prune(workspace: Path, current: str) -> None:
    """Remove snapshots older than the :data:`KEEP` newest (and failed temporary ones)."""
    root = workspace / SNAPSHOTS
    if not root.is_dir():
        return
    builds = sorted(p for p in root.iterdir() if p.name.startswith("build-"))
    keep = {p.name for p in builds[-KEEP:]} | {Path(current).name}
    for p in root.iterdir():
        if p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)


def read_frame(workspace: Path, snapshot: str, name: str, expected: str) -> pd.DataFrame:
    """The stored table ``name`` after checking its SHA-256 against the manifest."""
    path = workspace / snapshot / f"{name}.parquet"
    if not path.is_file():
        raise TamperedWorkspaceError(
            f"工作区「{workspace}」缺少数据文件 {snapshot}/{name}.parquet，请重新督查以重建工作区。")
    if sha256_file(path) != expected:
        raise TamperedWorkspaceError(
            f"工作区「{workspace}」的数据文件 {snapshot}/{name}.parquet 与建立时不一致"
            "（被修改或损坏），不能使用。请重新督查以重建工作区。")
    return read_parquet(path)


def read_parquet(path: Path) -> pd.DataFrame:
    """A Parquet file as pandas: the columns written as ``string`` come back as
    :data:`~xueji_audit.schema.STRING` straight from the Arrow buffers (no Python object per
    value); every other column as pandas reads it."""
    table = pq.read_table(path)
    frame = table.to_pandas()
    text = [c["name"] for c in (table.schema.pandas_metadata or {}).get("columns", [])
            if c.get("numpy_type") == "string" and c["name"] in frame.columns]
    for name in text:
        frame[name] = pd.Series(pd.array(table.column(name), dtype=STRING), index=frame.index)
    return frame
