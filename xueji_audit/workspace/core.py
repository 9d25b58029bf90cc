"""A built workspace, opened for reading: :class:`Workspace`.

Every part of the kit that shows or acts on an audit — the commands, the report notebooks, the
app pages, the forms — opens the workspace and reads the same stored result; none of them loads
the raw files or runs the rules again. Tables are read from Parquet on first use (and their hash
checked), so opening is quick and a page only pays for what it shows.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import fields
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ..audit import AuditResult
from ..cases.store import CaseStore
from ..chains import Chains
from ..ingest import LoadResult, SheetReport
from ..matching import MatchResult
from ..profile import Profile, load_profile
from ..reconcile import ReconcileResult
from ..schema import TABLES
from . import snapshot
from .manifest import (
    Manifest,
    StaleWorkspaceError,
    changed_inputs,
    check_compatible,
    stale_message,
)

STORE_FILE = "cases.sqlite"
WORKSPACE_ENV = "XUEJI_WORKSPACE"
"""The environment variable naming the workspace when a report or page is given none (set by
``xueji-audit serve`` for its pages, or by the user for a direct notebook run)."""
RECONCILE_PARTS: tuple[str, ...] = ("pairs", "absent", "unregistered", "separated")
DEMO_BANNER = "示范数据：以下内容基于自动生成的合成示范县，不是真实学籍。"
"""Shown on every report, page and command output computed from demo data."""


def _plain(value: Any) -> Any:
    """A JSON-able, order-stable form of a profile field."""
    if isinstance(value, MappingProxyType | dict):
        return {str(k): _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, frozenset | set):
        return sorted(_plain(v) for v in value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def profile_identity(profile: Profile, ref: str) -> dict[str, Any]:
    """How the workspace records its profile: the reference to load it again, its name and
    title, and a digest of everything that decides the audit (rules, parameters, calendar)."""
    import hashlib

    body = {f.name: _plain(getattr(profile, f.name)) for f in fields(profile)
            if f.name not in ("name", "title", "source", "chain")}
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()
                            ).hexdigest()
    return {"ref": ref, "name": profile.name, "title": profile.title, "digest": digest}


class Workspace:
    """A built workspace (see :mod:`xueji_audit.workspace`). Open it with :meth:`open`."""

    def __init__(self, path: Path, manifest: Manifest, profile: Profile):
        self.path, self.manifest, self.profile = Path(path), manifest, profile
        self._store: CaseStore | None = None

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, path: str | Path, *, check_inputs: bool = True) -> Workspace:
        """Open the workspace at ``path``; refuse (with a Chinese message saying how to
        rebuild) one that is missing, written by an incompatible kit, or — unless
        ``check_inputs`` is False — whose data files or profile changed since it was built."""
        path = Path(path)
        manifest = Manifest.read(path)
        check_compatible(manifest, path)
        profile = load_profile(manifest.profile["ref"])
        if profile_identity(profile, manifest.profile["ref"])["digest"] != manifest.profile[
                "digest"]:
            raise StaleWorkspaceError(
                f"工作区「{path}」建立后，规则配置「{manifest.profile['ref']}」已修改，督查结果已过期。"
                f"请重新督查：`xueji-audit audit {manifest.data_dir} --workspace {path}`。")
        if check_inputs:
            changes = changed_inputs(manifest)
            if any(changes.values()):
                raise StaleWorkspaceError(stale_message(path, manifest, changes))
        return cls(path, manifest, profile)

    # ------------------------------------------------------------------ facts
    @property
    def as_of(self) -> dt.date:
        """The audit date (督查基准日) the findings were computed for."""
        return dt.date.fromisoformat(self.manifest.as_of)

    @property
    def data_dir(self) -> str:
        return self.manifest.data_dir

    @property
    def demo(self) -> bool:
        """Whether the data is the generated demo county (pages and reports say so)."""
        return bool(self.manifest.demo)

    @property
    def banner(self) -> str:
        """:data:`DEMO_BANNER` for demo data, else empty."""
        return DEMO_BANNER if self.demo else ""

    @property
    def store_path(self) -> Path:
        return self.path / STORE_FILE

    @property
    def forms_dir(self) -> Path:
        return self.path / "forms"

    @property
    def uploads_dir(self) -> Path:
        return self.path / "uploads"

    # ------------------------------------------------------------------ tables
    def frame(self, name: str) -> pd.DataFrame:
        """The stored table ``name`` (hash checked)."""
        key = f"{name}.parquet"
        if key not in self.manifest.artifacts:
            raise KeyError(name)
        return snapshot.read_frame(self.path, self.manifest.snapshot, name,
                                   self.manifest.artifacts[key])

    def has(self, name: str) -> bool:
        return f"{name}.parquet" in self.manifest.artifacts

    def table(self, key: str) -> pd.DataFrame | None:
        """A loaded input table (``students``, ``changes`` …), None when the data had none."""
        return self._tables.get(key)

    @cached_property
    def _tables(self) -> dict[str, pd.DataFrame]:
        return {key: self.frame(f"tables/{key}") for key in TABLES if self.has(f"tables/{key}")}

    @cached_property
    def loaded(self) -> LoadResult:
        """The load as :class:`~xueji_audit.ingest.LoadResult` (tables, rejects, report)."""
        load = self.manifest.load
        return LoadResult(tables=dict(self._tables), rejects=self.frame("rejects"),
                          report=[SheetReport(**r) for r in load.get("report", [])],
                          columns_found={k: set(v) for k, v in
                                         load.get("columns_found", {}).items()})

    @property
    def students(self) -> pd.DataFrame:
        return self._tables["students"]

    @cached_property
    def names(self) -> pd.Series:
        """学校标识码 → 学校名称."""
        t = self.frame("school_names")
        return pd.Series(t["学校名称"].to_numpy(dtype=object),
                         index=t["学校标识码"].to_numpy(dtype=object), dtype=object)

    @cached_property
    def findings(self) -> pd.DataFrame:
        return self.frame("audit/findings")

    @cached_property
    def rules_run(self) -> pd.DataFrame:
        return self.frame("audit/rules_run")

    @property
    def notes(self) -> list[str]:
        return list(self.manifest.audit.get("notes", []))

    @cached_property
    def duplicates(self) -> MatchResult | None:
        """DU-04's matching (pairs with per-field evidence, clusters), None when it did not run."""
        if not self.has("audit/pairs"):
            return None
        pairs = self.frame("audit/pairs")
        rows = pairs[["_row_a", "_row_b"]].to_numpy(dtype=np.int64)
        return MatchResult(pairs.drop(columns=["_row_a", "_row_b"]),
                           self.frame("audit/clusters"),
                           dict(self.manifest.audit.get("matching", {})), None, rows)

    @cached_property
    def chains(self) -> Chains:
        """The transfer chains the audit's CH rules used."""
        persons = self.frame("chains/persons")
        return Chains(pd.Series(persons["person"].to_numpy(),
                                index=persons["学籍号"].to_numpy(dtype=object)),
                      self.frame("chains/records"), self.frame("chains/chain"),
                      self.frame("chains/schools")["学校标识码"].to_numpy(dtype=object))

    @cached_property
    def reconcile(self) -> ReconcileResult | None:
        """The register against the rosters (人籍一致), None without rosters."""
        if not self.has("reconcile/pairs"):
            return None
        schools = self.frame("reconcile/roster_schools")["学校标识码"]
        return ReconcileResult(*(self.frame(f"reconcile/{p}") for p in RECONCILE_PARTS),
                               frozenset(schools.astype(str)))

    @cached_property
    def decisions(self) -> pd.DataFrame:
        """The inspectors' duplicate decisions this audit respected."""
        return self.frame("audit/decisions")

    @cached_property
    def result(self) -> AuditResult:
        """The audit as :class:`~xueji_audit.audit.AuditResult`."""
        return AuditResult(self.findings, self.rules_run, self.notes, self.as_of, self.profile,
                           self.duplicates, self.chains, self.reconcile)

    # ------------------------------------------------------------------ case store
    @property
    def store(self) -> CaseStore:
        """The workspace's case store (opened on first use)."""
        if self._store is None:
            self._store = CaseStore(self.store_path)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close_store()
            self._store = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
