"""The case store: cases, their findings and duplicate pairs, pair decisions, history, access log.

Stable API (the forms use :meth:`CaseStore.get_case` and :meth:`CaseStore.log_access`):

    CaseStore(path)                         # creates or migrates the file
    open_case(kind, title, findings=None, pairs=None, *, unit="", deadline_workdays, user, on,
              calendar=None, note="") -> int
    get_case(case_id) -> dict               # keys below
    list_cases(status=None, as_of=None) -> DataFrame
    version(case_id) -> int                 # raised by every change of the case
    assign(case_id, unit, *, user, on, expected_version=None)   # 立案 → 交办 on the first one
    set_status(case_id, status, *, user, on, note="", expected_version=None)
    close(case_id, *, user, on, note="", expected_version=None)
    set_note(case_id, note, *, user, on, expected_version=None)
    decide_pair(a, b, accept, *, user, on, note="") / decisions_frame() -> DataFrame
    attach_findings(findings, run_at, user) -> dict
    log_access(action, case_id, user, at, detail="") -> int / access_log(case_id=None)

``get_case`` returns ``id, kind, kind_name, title, status, unit, opened_by, opened_on (date),
deadline_workdays (int), deadline (date), note, version (int)`` and three DataFrames: ``findings``
(schema.FINDING_COLUMNS + 整改状态, 整改日期), ``pairs`` (decisions.COLUMNS: 学籍号_a, 学籍号_b,
决定, 核查人, 日期, 备注; 决定 empty while undecided) and ``history`` (时间, 操作时间, 操作人,
对象, 标识, 字段, 原值, 新值, 备注). Every write is given its ``user`` and business date (``on`` /
``at``, a date or datetime, stored as ISO text, shown as 时间); the database adds the real time of
the write (``recorded_at``, shown as 操作时间 in Beijing time). Every change writes a history row in
the same transaction, before the update (database triggers refuse an update of a case's status,
unit or note, or of a finding's 整改状态, whose history row is missing, and any deletion).
Optimistic concurrency: each case carries a ``version`` that every history row of the case raises
by one (a database trigger). A mutating call given ``expected_version=`` (the version the user's
page showed) checks it under the write lock and raises :class:`StaleCaseError`, naming who changed
the case and when, if someone else wrote in between; without it the call applies as before.
A finding is identified across audit runs by ``(rule_id, 学籍号, 业务编号, 学校标识码, 班级)``
(:data:`~xueji_audit.cases.findings.IDENTITY`); a case holds each identity once.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from ..errors import XuejiError
from ..matching.decisions import COLUMNS as DECISION_COLUMNS
from ..matching.decisions import normalize_decisions
from ..workdays import WorkCalendar
from . import db
from . import findings as cf

KINDS: dict[str, str] = {"核查": "问题核查单", "督办": "问题督办单", "报告": "问题报告单",
                         "排查": "人籍不一致排查表", "复学通知": "限期复学通知书"}
TRANSITIONS: dict[str, tuple[str, ...]] = db.ALLOWED_MOVES
"""Allowed status changes (:data:`~.db.ALLOWED_MOVES`); 办结 and 撤销 are final."""
CLOSED: tuple[str, ...] = ("办结", "撤销")
ACTION_SHOW_ID, ACTION_DRAFT, ACTION_EXPORT = "显示完整身份证件号", "起草文书", "导出文书"
ACCESS_ACTIONS: tuple[str, ...] = (ACTION_SHOW_ID, ACTION_DRAFT, ACTION_EXPORT)
HISTORY_HEADERS = {"at": "时间", "recorded_at": "操作时间", "user": "操作人", "entity": "对象",
                   "entity_key": "标识",
                   "field": "字段", "old": "原值", "new": "新值", "note": "备注"}
_CASE_FIELDS = ("id", "kind", "title", "status", "unit", "opened_by", "opened_on",
                "deadline_workdays", "deadline", "note", "version")


BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")
"""The zone in which the real times of actions are shown (they are stored in UTC)."""


def local_time(stamps: pd.Series) -> pd.Series:
    """Stored UTC times (``recorded_at``) as ``YYYY-MM-DD HH:MM:SS`` Beijing time; rows from
    before the store recorded real times stay empty."""
    t = pd.to_datetime(stamps, utc=True, errors="coerce", format="ISO8601")
    return t.dt.tz_convert(BEIJING).dt.strftime("%Y-%m-%d %H:%M:%S").fillna("").astype(object)


class StaleCaseError(XuejiError):
    """The case changed since the caller read it (``expected_version`` is behind). ``case_id``,
    ``expected``, ``current``, ``changed_by`` and ``changed_at`` (Beijing time) say what happened."""

    def __init__(self, case_id: int, expected: int, current: int, changed_by: str,
                 changed_at: str):
        self.case_id, self.expected, self.current = int(case_id), int(expected), int(current)
        self.changed_by, self.changed_at = changed_by, changed_at
        when = f"于 {changed_at} " if changed_at else ""
        super().__init__(f"案件 {case_id} 已被「{changed_by}」{when}修改（您看到的是第 {expected} "
                         f"版，现为第 {current} 版），本次操作未保存。请刷新案件后再操作。")


def _stamp(value: dt.date | dt.datetime) -> str:
    if not isinstance(value, dt.date):
        raise XuejiError(f"日期「{value}」无效：每次写入案件库都须给出日期（或日期时间）。")
    return value.isoformat()


def _user(user: str) -> str:
    if not user or not str(user).strip():
        raise XuejiError("未指定操作人：每次写入案件库都须给出操作人。")
    return str(user).strip()


def _pair(a: str, b: str) -> tuple[str, str]:
    a, b = str(a).strip(), str(b).strip()
    if not a or not b or a == b:
        raise XuejiError(f"疑似重复对「{a}」「{b}」无效：须为两个不同的学籍号。")
    return (a, b) if a < b else (b, a)


class CaseStore:
    """The case store in the SQLite file ``path`` (created and migrated when needed).

    ``conn`` is the underlying :class:`sqlite3.Connection` (one per store; one store per process).
    With ``readonly`` an existing file is opened for reading only (also in a read-only folder);
    it must be up to date, and any write is refused with a Chinese message.
    """

    def __init__(self, path: str | Path, readonly: bool = False):
        self.path = Path(path)
        self.readonly = readonly
        self.conn = db.connect(self.path, readonly=readonly)
        if not readonly:
            db.migrate(self.conn)
        elif db.version(self.conn) != db.SCHEMA_VERSION:
            found = db.version(self.conn)
            self.conn.close()
            raise XuejiError(f"案件库 {self.path} 的版本（{found}）与本程序（{db.SCHEMA_VERSION}）"
                             "不同，只读打开时无法升级：请先在可写的工作区中执行一次写入命令"
                             "（如 case open）或升级 xueji-audit。")

    def close_store(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> CaseStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close_store()

    def _history(self, case_id, entity, key, field, old, new, user, at, note="") -> None:
        self.conn.execute(
            "INSERT INTO history (case_id, entity, entity_key, field, old, new, note, user, at, "
            f"recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, {db.NOW})",
            (case_id, entity, key, field, old, new, note, user, at))

    def _row(self, case_id: int):
        row = self.conn.execute("SELECT * FROM cases WHERE id = ?", (int(case_id),)).fetchone()
        if row is None:
            raise XuejiError(f"案件 {case_id} 不存在，请用 `xueji-audit case list` 查看案件号。")
        return row

    def _expect(self, case_id: int, expected_version: int | None):
        """The case's row, after checking ``expected_version`` (inside a write transaction)."""
        row = self._row(case_id)
        if expected_version is not None and int(expected_version) != row["version"]:
            last = self.conn.execute(
                "SELECT user, recorded_at FROM history WHERE case_id = ? ORDER BY id DESC LIMIT 1",
                (row["id"],)).fetchone()
            who, when = (last["user"], last["recorded_at"]) if last else ("", None)
            raise StaleCaseError(row["id"], int(expected_version), row["version"], who,
                                 local_time(pd.Series([when])).iloc[0])
        return row

    def version(self, case_id: int) -> int:
        """The case's current version (compare with ``expected_version=`` of a later change)."""
        return int(self._row(case_id)["version"])

    def open_case(self, kind: str, title: str, findings: pd.DataFrame | None = None,
                  pairs: list[tuple[str, str]] | None = None, *, unit: str = "",
                  deadline_workdays: int, user: str, on: dt.date,
                  calendar: WorkCalendar | None = None, note: str = "") -> int:
        """Open a case (status 立案) covering ``findings`` and duplicate ``pairs``; its deadline
        is ``calendar.add_workdays(on, deadline_workdays)`` (default profile's calendar)."""
        if kind not in KINDS:
            raise XuejiError(f"案件类型「{kind}」无效，可选：{'、'.join(KINDS)}。")
        if int(deadline_workdays) < 0:
            raise XuejiError("办理期限（工作日）不能为负数。")
        user, at = _user(user), _stamp(on)
        if calendar is None:
            from ..profile import load_profile
            calendar = load_profile().calendar()
        deadline = calendar.add_workdays(on, int(deadline_workdays))
        pairs = sorted({_pair(a, b) for a, b in (pairs or [])})
        with db.write(self.conn):
            case_id = self.conn.execute(
                "INSERT INTO cases (kind, title, unit, opened_by, opened_on, deadline_workdays, "
                "deadline, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (kind, title or "", unit or "", user, at, int(deadline_workdays),
                 deadline.isoformat(), note or "")).lastrowid
            n = cf.insert(self.conn, case_id, findings)
            self.conn.executemany("INSERT INTO case_pairs (case_id, xjh_a, xjh_b) VALUES (?, ?, ?)",
                                  [(case_id, a, b) for a, b in pairs])
            summary = (f"{KINDS[kind]}；问题 {n} 条；疑似重复 {len(pairs)} 对；"
                       f"期限 {deadline_workdays} 个工作日（{deadline.isoformat()}）")
            self._history(case_id, "case", str(case_id), "status", None, "立案", user, at, summary)
        return int(case_id)

    def get_case(self, case_id: int) -> dict:
        """The case with its findings, pairs (with decisions) and history (see module doc)."""
        row = self._row(case_id)
        case = {k: row[k] for k in _CASE_FIELDS}
        case["kind_name"] = KINDS[case["kind"]]
        case["opened_on"] = dt.date.fromisoformat(case["opened_on"][:10])
        case["deadline"] = dt.date.fromisoformat(case["deadline"])
        rows = self.conn.execute("SELECT * FROM case_findings WHERE case_id = ? ORDER BY id",
                                 (row["id"],)).fetchall()
        case["findings"] = cf.from_rows(rows)
        pairs = self.conn.execute(
            "SELECT p.xjh_a, p.xjh_b, CASE d.accept WHEN 1 THEN '接受' WHEN 0 THEN '排除' "
            "ELSE '' END, COALESCE(d.decided_by, ''), COALESCE(d.decided_on, ''), "
            "COALESCE(d.note, '') FROM case_pairs p LEFT JOIN pair_decisions d "
            "ON d.xjh_a = p.xjh_a AND d.xjh_b = p.xjh_b WHERE p.case_id = ? "
            "ORDER BY p.xjh_a, p.xjh_b", (row["id"],)).fetchall()
        case["pairs"] = pd.DataFrame([tuple(p) for p in pairs], columns=list(DECISION_COLUMNS))
        hist = self.conn.execute(
            "SELECT at, recorded_at, user, entity, entity_key, field, old, new, note FROM history "
            "WHERE case_id = ? OR (entity = 'pair' AND entity_key IN "
            "(SELECT xjh_a || '|' || xjh_b FROM case_pairs WHERE case_id = ?)) ORDER BY id",
            (row["id"], row["id"])).fetchall()
        history = pd.DataFrame([tuple(h) for h in hist], columns=list(HISTORY_HEADERS.values()))
        case["history"] = history.assign(操作时间=local_time(history["操作时间"]))
        return case

    def list_cases(self, status: str | None = None, as_of: dt.date | None = None) -> pd.DataFrame:
        """One row per case (``status`` filters): the case fields, ``findings`` and
        ``open_findings`` counts and, with ``as_of``, ``overdue`` (open past its deadline)."""
        if status is not None and status not in TRANSITIONS:
            raise XuejiError(f"状态「{status}」无效，可选：{'、'.join(TRANSITIONS)}。")
        rows = self.conn.execute(
            f"SELECT {', '.join('c.' + f for f in _CASE_FIELDS)}, COUNT(f.id) AS findings, "
            f"COALESCE(SUM(f.state = '{cf.OPEN}'), 0) AS open_findings FROM cases c "
            "LEFT JOIN case_findings f ON f.case_id = c.id WHERE (? IS NULL OR c.status = ?) "
            "GROUP BY c.id ORDER BY c.id", (status, status)).fetchall()
        out = pd.DataFrame([tuple(r) for r in rows],
                           columns=[*_CASE_FIELDS, "findings", "open_findings"])
        if as_of is not None:
            out["overdue"] = (~out["status"].isin(CLOSED)) & (out["deadline"] < as_of.isoformat())
        return out

    def _change(self, case_id: int, field: str, new: str, user: str, on, note: str = "") -> None:
        """Set one field of a case with its history row (inside a write transaction)."""
        old = self._row(case_id)[field]
        self._history(int(case_id), "case", str(case_id), field, old, new, user, on, note)
        self.conn.execute(f"UPDATE cases SET {field} = ? WHERE id = ?", (new, int(case_id)))

    def set_status(self, case_id: int, status: str, *, user: str, on: dt.date,
                   note: str = "", expected_version: int | None = None) -> None:
        """Move the case to ``status`` if :data:`TRANSITIONS` allows it (else a Chinese error)."""
        user, at = _user(user), _stamp(on)
        with db.write(self.conn):
            old = self._expect(case_id, expected_version)["status"]
            if status not in TRANSITIONS[old]:
                allowed = "、".join(TRANSITIONS[old]) or "无（案件已" + old + "）"
                raise XuejiError(f"案件 {case_id} 当前状态为「{old}」，不能改为「{status}」"
                                 f"（可改为：{allowed}）。")
            if status == "交办" and not self._row(case_id)["unit"].strip():
                raise XuejiError(f"案件 {case_id} 还没有承办单位，不能改为「交办」："
                                 "请用「交办」指定承办单位（命令 case assign --unit）。")
            self._change(case_id, "status", status, user, at, note)

    def close(self, case_id: int, *, user: str, on: dt.date, note: str = "",
              expected_version: int | None = None) -> None:
        """办结 the case."""
        self.set_status(case_id, "办结", user=user, on=on, note=note,
                        expected_version=expected_version)

    def assign(self, case_id: int, unit: str, *, user: str, on: dt.date,
               expected_version: int | None = None) -> None:
        """Assign the case to ``unit``; a case still 立案 becomes 交办."""
        user, at = _user(user), _stamp(on)
        if not unit or not unit.strip():
            raise XuejiError("承办单位不能为空。")
        with db.write(self.conn):
            row = self._expect(case_id, expected_version)
            if row["status"] in CLOSED:
                raise XuejiError(f"案件 {case_id} 已{row['status']}，不能再交办。")
            if row["unit"] != unit.strip():
                self._change(case_id, "unit", unit.strip(), user, at)
            if row["status"] == "立案":
                self._change(case_id, "status", "交办", user, at)

    def set_note(self, case_id: int, note: str, *, user: str, on: dt.date,
                 expected_version: int | None = None) -> None:
        """Replace the case's note (its 处理意见)."""
        user, at = _user(user), _stamp(on)
        with db.write(self.conn):
            self._expect(case_id, expected_version)
            self._change(case_id, "note", note or "", user, at)

    def decide_pair(self, a: str, b: str, accept: bool, *, user: str, on: dt.date,
                    note: str = "") -> None:
        """Record that ``a`` and ``b`` are (``accept``) or are not the same child; the audit's
        duplicate matcher respects it through :meth:`decisions_frame`."""
        user, at = _user(user), _stamp(on)
        a, b = _pair(a, b)
        word = {True: "接受", False: "排除"}
        with db.write(self.conn):
            old = self.conn.execute("SELECT accept FROM pair_decisions WHERE xjh_a = ? AND "
                                    "xjh_b = ?", (a, b)).fetchone()
            self._history(None, "pair", f"{a}|{b}", "决定",
                          word[bool(old[0])] if old else None, word[bool(accept)], user, at,
                          note or "")
            self.conn.execute(
                "INSERT INTO pair_decisions (xjh_a, xjh_b, accept, decided_by, decided_on, note) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (xjh_a, xjh_b) DO UPDATE SET "
                "accept = excluded.accept, decided_by = excluded.decided_by, "
                "decided_on = excluded.decided_on, note = excluded.note",
                (a, b, int(bool(accept)), user, at, note or ""))

    def decisions_frame(self) -> pd.DataFrame:
        """Every pair decision in the shape of :func:`~xueji_audit.matching.decisions.read_decisions`
        (``学籍号_a, 学籍号_b, 决定, 核查人, 日期, 备注, accept``), for ``run_audit(decisions=…)``."""
        rows = self.conn.execute(
            "SELECT xjh_a, xjh_b, CASE accept WHEN 1 THEN '接受' ELSE '排除' END, decided_by, "
            "decided_on, note FROM pair_decisions ORDER BY xjh_a, xjh_b").fetchall()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=list(DECISION_COLUMNS), dtype=object)
        return normalize_decisions(frame, str(self.path))

    def attach_findings(self, findings: pd.DataFrame, run_at: dt.date, user: str) -> dict:
        """Attach an audit run: findings of open cases that no longer fire become 已整改 (those
        that fire again 未整改), each with a history row; returns ``run_id, resolved, reopened``."""
        user, at = _user(user), _stamp(run_at)
        with db.write(self.conn):
            changes = cf.attach_run(self.conn, findings, at, user)
            resolved = int((changes["new"] == cf.FIXED).sum())
            run_id = self.conn.execute(
                "INSERT INTO audit_runs (run_at, user, findings, resolved, reopened) "
                "VALUES (?, ?, ?, ?, ?)",
                (at, user, len(findings), resolved, len(changes) - resolved)).lastrowid
        return {"run_id": int(run_id), "resolved": resolved, "reopened": len(changes) - resolved}

    def log_access(self, action: str, case_id: int | None, user: str, at: dt.datetime,
                   detail: str = "") -> int:
        """Record a sensitive access (:data:`ACCESS_ACTIONS`: showing an unmasked ID number,
        drafting or exporting a form) of ``case_id``; returns the log row's id."""
        if action not in ACCESS_ACTIONS:
            raise XuejiError(f"访问类型「{action}」无效，可选：{'、'.join(ACCESS_ACTIONS)}。")
        user, stamp = _user(user), _stamp(at)
        with db.write(self.conn):
            if case_id is not None:
                self._row(case_id)
            return int(self.conn.execute(
                "INSERT INTO access_log (action, case_id, user, at, detail, recorded_at) "
                f"VALUES (?, ?, ?, ?, ?, {db.NOW})",
                (action, None if case_id is None else int(case_id), user, stamp,
                 detail or "")).lastrowid)

    def access_log(self, case_id: int | None = None) -> pd.DataFrame:
        """The access log (of one case when given), oldest first."""
        rows = self.conn.execute(
            "SELECT id, at, user, action, case_id, detail, recorded_at FROM access_log "
            "WHERE (? IS NULL OR case_id = ?) ORDER BY id", (case_id, case_id)).fetchall()
        log = pd.DataFrame([tuple(r) for r in rows], columns=[
            "id", "at", "user", "action", "case_id", "detail", "recorded_at"])
        return log.assign(recorded_at=local_time(log["recorded_at"]))

    # --- the unit's reply per child (kept in :mod:`.replies`) --------------------------
    def items(self, case_id: int) -> pd.DataFrame:
        """The children of the case with their state and latest reply."""
        from . import replies
        return replies.items(self, case_id)

    def record_reply(self, case_id: int, child: str, **kwargs) -> int:
        """The unit's reply for ``child`` (:func:`.replies.record_reply`)."""
        from . import replies
        return replies.record_reply(self, case_id, child, **kwargs)

    def review(self, case_id: int, child: str, accept: bool, **kwargs) -> None:
        """The inspector accepts or returns ``child``'s reply (:func:`.replies.review`)."""
        from . import replies
        replies.review(self, case_id, child, accept, **kwargs)

    def evidence_files(self, case_id: int) -> pd.DataFrame:
        """The evidence files the unit sent for the case."""
        from . import replies
        return replies.evidence_files(self, case_id)
