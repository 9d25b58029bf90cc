"""What one person may see and change, enforced in the package (not by hiding a widget).

:func:`scoped` gives a page its view of the workspace for ``config.role``/``config.school``:

- a 学校 account's view (:class:`SchoolView`) holds only its school's rows — students, findings,
  input tables, school names; tables that cannot be tied to a school are left out, and the
  county-wide matching, chains and reconciliation are absent;
- every role's case store (:class:`ScopedStore`) refuses what the role may not do: 只读 writes
  nothing and reveals nothing; 学校 sees and answers (note, 核查中, the reply per child) only
  cases whose findings are all at its school and cannot open, assign, close, review or decide; every write is recorded under
  the logged-in person, never under a name the caller passes.
"""
from __future__ import annotations

import sqlite3
from dataclasses import replace

import pandas as pd

from ..audit import AuditResult
from ..cases.store import ACTION_DRAFT, ACTION_SHOW_ID
from ..errors import XuejiError
from .users import COUNTY, INSPECTOR, READER, SCHOOL

MANAGERS = frozenset({INSPECTOR, COUNTY})
SCHOOL_COLUMNS = ("学校标识码", "school")
SCHOOL_STATUSES = frozenset({"核查中"})
"""The status a school may set on its own case (its reply: being checked)."""


class ScopeError(XuejiError):
    """The logged-in person's role or school does not allow this."""


def may_load(role: str) -> bool:
    """Whether ``role`` may import data and rebuild the audit."""
    return role in MANAGERS


def school_rows(frame: pd.DataFrame | None, school: str, xjh: set[str] | None = None):
    """The rows of ``frame`` at ``school`` (by 学校标识码, else by the school's 学籍号);
    none when the table cannot be tied to a school."""
    if frame is None:
        return None
    for col in SCHOOL_COLUMNS:
        if col in frame.columns:
            return frame[frame[col].astype("string") == school]
    if xjh is not None and "学籍号" in frame.columns:
        return frame[frame["学籍号"].isin(xjh)]
    return frame.iloc[0:0]


class SchoolView:
    """The workspace as a 学校 account sees it: its school's rows only."""

    PASSED = ("as_of", "profile", "banner", "demo", "path", "data_dir", "forms_dir",
              "uploads_dir", "notes", "rules_run", "close", "has")

    def __init__(self, workspace, school: str):
        self._ws, self.school = workspace, str(school)
        self.students = school_rows(workspace.students, self.school)
        self._xjh = set(self.students["学籍号"].astype(str))
        self.findings = school_rows(workspace.findings, self.school, self._xjh)
        names = workspace.names
        self.names = names[names.index.astype(str) == self.school]
        self.duplicates = self.chains = self.reconcile = None
        self.decisions = workspace.decisions.iloc[0:0]
        self.result = AuditResult(self.findings, workspace.rules_run, workspace.notes,
                                  workspace.as_of, workspace.profile)

    def __getattr__(self, name):
        if name in self.PASSED:
            return getattr(self._ws, name)
        raise AttributeError(f"学校视图不提供「{name}」")

    def table(self, key: str) -> pd.DataFrame | None:
        return school_rows(self._ws.table(key), self.school, self._xjh)

    def frame(self, name: str) -> pd.DataFrame:
        if name == "audit/findings":
            return self.findings
        return school_rows(self._ws.frame(name), self.school, self._xjh)

    @property
    def loaded(self):
        load = self._ws.loaded
        tables = {k: school_rows(v, self.school, self._xjh) for k, v in load.tables.items()}
        return replace(load, tables=tables, rejects=load.rejects.iloc[0:0])

    @property
    def store(self):
        raise AttributeError("学校视图的案件库请用 Session.store（按角色限制）")


class ScopedStore:
    """A case store that does for one person only what their role allows."""

    READS = ("path", "readonly", "decisions_frame", "close_store")

    def __init__(self, workspace, user: str, role: str, school: str = ""):
        self._ws, self.user, self.role, self.school = workspace, user, role, str(school)

    @property
    def _store(self):
        return self._ws.store  # opened on first use, again after the workspace is closed

    def __getattr__(self, name):
        if name in self.READS:
            value = getattr(self._store, name)
            if name == "decisions_frame" and self.role == SCHOOL:
                return lambda: value().iloc[0:0]
            return value
        raise AttributeError(name)

    # --- what the person may see -------------------------------------------------------
    def _schools(self) -> dict[int, set[str]]:
        uri = f"file:{self._store.path}?mode=ro"
        with sqlite3.connect(uri, uri=True) as conn:
            rows = conn.execute("SELECT case_id, school FROM case_findings").fetchall()
        found: dict[int, set[str]] = {}
        for case_id, school in rows:
            found.setdefault(int(case_id), set()).add(str(school or ""))
        return found

    def visible(self, case_id: int) -> bool:
        return self.role != SCHOOL or self._schools().get(int(case_id)) == {self.school}

    def _see(self, case_id: int) -> None:
        if not self.visible(case_id):
            raise ScopeError(f"案件 {case_id} 不属于本校（{self.school}），无权查看或办理。")

    def get_case(self, case_id: int) -> dict:
        self._see(case_id)
        return self._store.get_case(case_id)

    def version(self, case_id: int) -> int:
        self._see(case_id)
        return self._store.version(case_id)

    def list_cases(self, *args, **kwargs) -> pd.DataFrame:
        cases = self._store.list_cases(*args, **kwargs)
        if self.role != SCHOOL:
            return cases
        mine = {k for k, v in self._schools().items() if v == {self.school}}
        return cases[cases["id"].astype(int).isin(mine)]

    def access_log(self, case_id: int | None = None) -> pd.DataFrame:
        if self.role == SCHOOL:
            if case_id is None:
                raise ScopeError("学校账号只能查看本校案件的访问日志。")
            self._see(case_id)
        return self._store.access_log(case_id)

    # --- what the person may change -----------------------------------------------------
    def _as_me(self, user: str) -> str:
        if str(user) != self.user:
            raise ScopeError(f"操作须记在登录的账号「{self.user}」名下。")
        return self.user

    def _manager(self, what: str) -> None:
        if self.role not in MANAGERS:
            raise ScopeError(f"「{self.role}」账号不能{what}。")

    def open_case(self, *args, user: str, **kwargs) -> int:
        self._manager("立案")
        return self._store.open_case(*args, user=self._as_me(user), **kwargs)

    def assign(self, case_id: int, unit: str, *, user: str, **kwargs) -> None:
        self._manager("交办案件")
        self._store.assign(case_id, unit, user=self._as_me(user), **kwargs)

    def close(self, case_id: int, *, user: str, **kwargs) -> None:
        self._manager("办结案件")
        self._store.close(case_id, user=self._as_me(user), **kwargs)

    def set_status(self, case_id: int, status: str, *, user: str, **kwargs) -> None:
        if self.role == SCHOOL:
            self._see(case_id)
            if status not in SCHOOL_STATUSES:
                raise ScopeError(f"学校账号只能把本校案件标为「{'、'.join(SCHOOL_STATUSES)}」。")
        else:
            self._manager("变更案件状态")
        self._store.set_status(case_id, status, user=self._as_me(user), **kwargs)

    def set_note(self, case_id: int, note: str, *, user: str, **kwargs) -> None:
        if self.role == SCHOOL:
            self._see(case_id)
        else:
            self._manager("填写处理意见")
        self._store.set_note(case_id, note, user=self._as_me(user), **kwargs)

    def decide_pair(self, *args, user: str, **kwargs) -> None:
        self._manager("认定疑似重复")
        self._store.decide_pair(*args, user=self._as_me(user), **kwargs)

    def attach_findings(self, findings, run_at, user: str) -> dict:
        self._manager("导入督查结果")
        return self._store.attach_findings(findings, run_at, self._as_me(user))

    def items(self, case_id: int) -> pd.DataFrame:
        self._see(case_id)
        return self._store.items(case_id)

    def evidence_files(self, case_id: int) -> pd.DataFrame:
        self._see(case_id)
        return self._store.evidence_files(case_id)

    def record_reply(self, case_id: int, child: str, *, user: str, **kwargs) -> int:
        if self.role == READER:
            raise ScopeError("只读账号不能答复案件。")
        self._see(case_id)
        return self._store.record_reply(case_id, child, user=self._as_me(user), **kwargs)

    def review(self, case_id: int, child: str, accept: bool, *, user: str, **kwargs) -> None:
        self._manager("审核承办单位的答复")
        self._store.review(case_id, child, accept, user=self._as_me(user), **kwargs)

    def log_access(self, action: str, case_id: int | None, user: str, *args, **kwargs) -> int:
        if self.role == READER and action in (ACTION_SHOW_ID, ACTION_DRAFT):
            raise ScopeError("只读账号不能显示完整证件号或起草文书。")
        if case_id is not None:
            self._see(case_id)
        return self._store.log_access(action, case_id, self._as_me(user), *args, **kwargs)


def scoped(workspace, user: str, role: str, school: str = ""):
    """(the workspace view, the case store) for one person."""
    view = SchoolView(workspace, school) if role == SCHOOL else workspace
    return view, ScopedStore(workspace, user, role, school)
