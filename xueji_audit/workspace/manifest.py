"""The workspace manifest: what a workspace holds and how it was made, as JSON.

``manifest.json`` names the kit version and storage format that wrote the workspace, the audit
date and the profile, the data folder with a fingerprint (size, modification time, SHA-256) of
every file in it, and the SHA-256 of every stored table. Opening a workspace compares these
with the kit and the files now (:func:`check_compatible`, :func:`changed_inputs`), so a
workspace from another version, with edited tables or stale inputs, is refused with a message
instead of being read as if current. Nothing in a workspace can run code when read: the tables
are Parquet, everything else JSON.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import XuejiError

FORMAT = 1
"""Storage format of the workspace; a workspace of another format is rebuilt, never guessed."""
MANIFEST = "manifest.json"
_CHUNK = 1 << 20


class WorkspaceError(XuejiError):
    """A workspace cannot be used as it is; the message says what to do."""


class NoWorkspaceError(WorkspaceError):
    """The folder holds no built workspace yet."""


class IncompatibleWorkspaceError(WorkspaceError):
    """The workspace was written by a kit whose audit may differ (another format or version)."""


class TamperedWorkspaceError(WorkspaceError):
    """A stored table no longer matches the hash the manifest recorded for it."""


class StaleWorkspaceError(WorkspaceError):
    """The data files changed since the workspace was built (or its profile did)."""


def audit_version(version: str = __version__) -> str:
    """The part of a kit version that decides the audit's result: ``major.minor``."""
    return ".".join(version.split(".")[:2])


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Manifest:
    """See the module docstring; ``inputs`` maps a data file (relative path) to ``size``,
    ``mtime_ns`` and ``sha256``; ``artifacts`` maps a stored file (relative to the snapshot) to
    its SHA-256; ``load`` holds the per-sheet load report and the columns found; ``audit`` the
    notes, the matching statistics and whether DU-04 ran."""

    kit_version: str
    as_of: str
    profile: dict[str, Any]
    data_dir: str
    demo: bool
    snapshot: str
    build: int
    inputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    artifacts: dict[str, str] = field(default_factory=dict)
    decisions: dict[str, Any] = field(default_factory=dict)
    load: dict[str, Any] = field(default_factory=dict)
    audit: dict[str, Any] = field(default_factory=dict)
    format: int = FORMAT

    def write(self, folder: Path) -> Path:
        """Write ``manifest.json`` atomically (a temporary file renamed into place)."""
        path = folder / MANIFEST
        tmp = folder / f".{MANIFEST}.tmp"
        text = json.dumps(asdict(self), ensure_ascii=False, indent=1, sort_keys=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        return path

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        path = folder / MANIFEST
        if not path.is_file():
            raise NoWorkspaceError(
                f"工作区「{folder}」中还没有督查数据。请先运行 "
                f"`xueji-audit audit 数据目录 --workspace {folder}`（或在「数据导入」页面导入）。")
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise TamperedWorkspaceError(
                f"工作区「{folder}」的清单文件 {MANIFEST} 已损坏（{exc}）。请重新建立工作区："
                f"`xueji-audit audit 数据目录 --workspace {folder}`。") from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise IncompatibleWorkspaceError(
                f"工作区「{folder}」由另一版本的 xueji-audit 建立（存储格式 "
                f"{doc.get('format') if isinstance(doc, dict) else '未知'}，本程序为 {FORMAT}），"
                f"不能直接使用。请用本版本重新建立：`xueji-audit audit 数据目录 --workspace {folder}`。")
        known = {f for f in cls.__dataclass_fields__}
        try:
            return cls(**{k: v for k, v in doc.items() if k in known})
        except TypeError as exc:
            raise TamperedWorkspaceError(f"工作区「{folder}」的清单文件不完整（{exc}），"
                                         "请重新建立工作区。") from None


def check_compatible(manifest: Manifest, folder: Path) -> None:
    """Refuse a workspace whose audit was made by a kit of another ``major.minor`` version."""
    if audit_version(manifest.kit_version) != audit_version():
        raise IncompatibleWorkspaceError(
            f"工作区「{folder}」由 xueji-audit {manifest.kit_version} 建立，本程序为 {__version__}，"
            "两版的督查规则可能不同。请重新督查以更新工作区："
            f"`xueji-audit audit {manifest.data_dir or '数据目录'} --workspace {folder}`"
            "（案件库与认定记录会保留）。")


def input_files(data_dir: Path) -> list[Path]:
    """Every regular file under ``data_dir`` (recursively, links not followed)."""
    out = []
    for root, dirs, files in os.walk(data_dir, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            p = Path(root) / name
            if p.is_file() and not p.is_symlink():
                out.append(p)
    return out


def fingerprint(data_dir: Path, known: dict[str, dict[str, Any]] | None = None
                ) -> dict[str, dict[str, Any]]:
    """Size, modification time and SHA-256 of every input file; a file whose size and time
    equal those in ``known`` keeps its known hash (it is not read again)."""
    known = known or {}
    out = {}
    for p in input_files(data_dir):
        rel = p.relative_to(data_dir).as_posix()
        st = p.stat()
        old = known.get(rel)
        if old and old.get("size") == st.st_size and old.get("mtime_ns") == st.st_mtime_ns:
            digest = old["sha256"]
        else:
            digest = sha256_file(p)
        out[rel] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": digest}
    return out


def changed_inputs(manifest: Manifest) -> dict[str, list[str]]:
    """``added``, ``removed`` and ``changed`` data files since the build (empty lists when the
    data folder is as it was). A data folder that no longer exists reports nothing: the
    workspace holds the loaded data itself."""
    folder = Path(manifest.data_dir)
    if not manifest.data_dir or not folder.is_dir():
        return {"added": [], "removed": [], "changed": []}
    now = fingerprint(folder, manifest.inputs)
    before = manifest.inputs
    return {"added": sorted(set(now) - set(before)),
            "removed": sorted(set(before) - set(now)),
            "changed": sorted(k for k in set(now) & set(before)
                              if now[k]["sha256"] != before[k]["sha256"])}


def stale_message(folder: Path, manifest: Manifest, changes: dict[str, list[str]]) -> str:
    """The Chinese message refusing a stale workspace, naming a few changed files."""
    words = {"added": "新增", "removed": "删除", "changed": "修改"}
    parts = []
    for key, word in words.items():
        names = changes[key]
        if names:
            shown = "、".join(names[:3]) + (f" 等 {len(names)} 个文件" if len(names) > 3 else "")
            parts.append(f"{word} {shown}")
    return (f"工作区「{folder}」建立后，数据目录「{manifest.data_dir}」中的文件已变化（"
            f"{'；'.join(parts)}），督查结果已过期。请重新督查："
            f"`xueji-audit audit {manifest.data_dir} --workspace {folder}`"
            "（或在「数据导入」页面重新读取；案件库与认定记录会保留）。")


def workspace_data_dir(folder: str | Path) -> str:
    """The data folder a workspace was built from ("" when unknown), read even from a
    workspace that cannot be opened (to offer auditing that folder again)."""
    try:
        doc = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
        return str(doc.get("data_dir", "")) if isinstance(doc, dict) else ""
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return ""
