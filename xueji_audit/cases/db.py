"""The case store's SQLite file: connection settings, write transactions and versioned migrations.

One file in a workspace folder (on a local disk: WAL needs shared memory, so not a network share).
Every connection runs in WAL mode with foreign keys on and a busy timeout, so several processes
(Voila kernels) can write at once: readers never block, writers queue. A write transaction starts
with ``BEGIN IMMEDIATE`` (the write lock is taken at once, never upgraded later, so two writers
cannot deadlock) and is retried when SQLite still reports the database busy. ``synchronous=NORMAL``
(the WAL setting SQLite recommends): the file is always consistent and a process killed at any
point loses only its uncommitted transaction; a power cut may lose the last commits, never corrupt.
``FULL`` would fsync every commit (about 6 ms each here, ten times the cost of a write).

Migrations are numbered; ``schema_migrations`` lists the ones applied (``PRAGMA user_version``
mirrors the highest). :func:`migrate` applies the missing ones in order, each in its own
transaction, so a database of any earlier version is upgraded in place. Version 2 adds triggers:
history is append-only, no record is deleted, and a case's status / unit / note or a finding's
整改状态 cannot change unless the latest history row for it already records the new value.
Version 3 adds ``recorded_at``, the real time of each history and access-log row (:data:`NOW`).
Version 4 adds ``cases.version`` for optimistic concurrency: every history row of a case raises
its version by one (a trigger, so no write can forget it) and the version never goes back.
Version 5 makes every table that matters append-only in the database itself: a case's status
follows :data:`ALLOWED_MOVES` and 交办 needs a unit; its title, like its status, changes only with
a history row; a finding's content never changes and findings or pairs join an existing case only
after a history row saying so; the access log is never changed; a pair decision is written only
after the history row recording exactly it (decision, who, when, note) and is never deleted.

A store in a read-only folder is opened read-only (:func:`connect` with ``readonly=True``, as the
read-only commands do); a full disk or a read-only file met while writing is one Chinese
:class:`~xueji_audit.errors.OutputError` (:func:`store_error`), never a traceback.
"""
from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import OutputError, XuejiError

BUSY_TIMEOUT_MS = 30_000
BUSY_RETRIES = 20

_V1 = (
    """CREATE TABLE cases (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('核查', '督办', '报告', '排查', '复学通知')),
        title TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT '立案'
            CHECK (status IN ('立案', '交办', '核查中', '督办', '办结', '撤销')),
        unit TEXT NOT NULL DEFAULT '',
        opened_by TEXT NOT NULL,
        opened_on TEXT NOT NULL,
        deadline_workdays INTEGER NOT NULL CHECK (deadline_workdays >= 0),
        deadline TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '')""",
    """CREATE TABLE case_findings (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE RESTRICT,
        rule_id TEXT NOT NULL, rule_name TEXT, severity TEXT,
        xjh TEXT NOT NULL DEFAULT '', name TEXT, school TEXT NOT NULL DEFAULT '',
        business_no TEXT NOT NULL DEFAULT '', class TEXT NOT NULL DEFAULT '',
        detail TEXT, basis TEXT, due_date TEXT,
        UNIQUE (case_id, rule_id, xjh, business_no, school, class))""",
    """CREATE TABLE case_pairs (
        case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE RESTRICT,
        xjh_a TEXT NOT NULL, xjh_b TEXT NOT NULL CHECK (xjh_a < xjh_b),
        PRIMARY KEY (case_id, xjh_a, xjh_b))""",
    """CREATE TABLE history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id INTEGER REFERENCES cases(id) ON DELETE RESTRICT,
        entity TEXT NOT NULL, entity_key TEXT NOT NULL DEFAULT '',
        field TEXT NOT NULL, old TEXT, new TEXT, note TEXT NOT NULL DEFAULT '',
        user TEXT NOT NULL, at TEXT NOT NULL)""",
    "CREATE INDEX history_case ON history(case_id)",
)

_V2 = (
    "ALTER TABLE case_findings ADD COLUMN state TEXT NOT NULL DEFAULT '未整改' "
    "CHECK (state IN ('未整改', '已整改'))",
    "ALTER TABLE case_findings ADD COLUMN state_on TEXT",
    "CREATE INDEX case_findings_identity ON case_findings(rule_id, xjh, business_no, school, class)",
    """CREATE TABLE pair_decisions (
        xjh_a TEXT NOT NULL, xjh_b TEXT NOT NULL CHECK (xjh_a < xjh_b),
        accept INTEGER NOT NULL CHECK (accept IN (0, 1)),
        decided_by TEXT NOT NULL, decided_on TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (xjh_a, xjh_b))""",
    """CREATE TABLE access_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        action TEXT NOT NULL, case_id INTEGER REFERENCES cases(id) ON DELETE RESTRICT,
        user TEXT NOT NULL, at TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '')""",
    """CREATE TABLE audit_runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT, run_at TEXT NOT NULL, user TEXT NOT NULL,
        findings INTEGER NOT NULL, resolved INTEGER NOT NULL, reopened INTEGER NOT NULL)""",
)


def _logged(table: str, column: str, when: str, key: str, field: str) -> str:
    """A trigger refusing an UPDATE of ``column`` unless the latest history row of that
    (case, entity key, field) already records the new value: no change without history."""
    return (f"CREATE TRIGGER {table}_{column}_logged BEFORE UPDATE OF {column} ON {table} "
            f"WHEN OLD.{column} IS NOT NEW.{column} AND NOT EXISTS (SELECT 1 FROM history h "
            f"WHERE h.id = (SELECT MAX(id) FROM history WHERE case_id = {when} "
            f"AND entity_key = {key} AND field = '{field}') AND h.new IS NEW.{column}) "
            f"BEGIN SELECT RAISE(ABORT, '未写变更历史的修改被拒绝'); END")


_FINDING_KEY = ("NEW.rule_id || '|' || NEW.xjh || '|' || NEW.business_no || '|' || NEW.school "
                "|| '|' || NEW.class")
_V2 += (
    _logged("cases", "status", "NEW.id", "CAST(NEW.id AS TEXT)", "status"),
    _logged("cases", "unit", "NEW.id", "CAST(NEW.id AS TEXT)", "unit"),
    _logged("cases", "note", "NEW.id", "CAST(NEW.id AS TEXT)", "note"),
    _logged("case_findings", "state", "NEW.case_id", _FINDING_KEY, "整改状态"),
    "CREATE TRIGGER cases_fixed BEFORE UPDATE OF kind, opened_by, opened_on, deadline_workdays, "
    "deadline ON cases BEGIN SELECT RAISE(ABORT, '立案信息不可修改'); END",
    *(f"CREATE TRIGGER {t}_kept BEFORE DELETE ON {t} "
      f"BEGIN SELECT RAISE(ABORT, '案件库中的记录不可删除'); END"
      for t in ("cases", "case_findings", "case_pairs", "access_log")),
    "CREATE TRIGGER history_append_only BEFORE UPDATE ON history "
    "BEGIN SELECT RAISE(ABORT, '变更历史不可修改'); END",
    "CREATE TRIGGER history_kept BEFORE DELETE ON history "
    "BEGIN SELECT RAISE(ABORT, '变更历史不可删除'); END",
)

NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
"""SQL for the real time (UTC) of a write, as the database sees it: history and access-log rows
carry it beside the business date the user gave (``at``); the kit itself never reads the clock."""
_V3 = tuple(
    stmt for table in ("history", "access_log") for stmt in (
        f"ALTER TABLE {table} ADD COLUMN recorded_at TEXT",
        f"CREATE TRIGGER {table}_recorded BEFORE INSERT ON {table} WHEN NEW.recorded_at IS NULL "
        f"BEGIN SELECT RAISE(ABORT, '未记录实际操作时间的写入被拒绝'); END",
    )
)

_V4 = (
    "ALTER TABLE cases ADD COLUMN version INTEGER NOT NULL DEFAULT 0",
    "UPDATE cases SET version = (SELECT COUNT(*) FROM history h WHERE h.case_id = cases.id)",
    "CREATE TRIGGER history_bumps_case_version AFTER INSERT ON history "
    "WHEN NEW.case_id IS NOT NULL "
    "BEGIN UPDATE cases SET version = version + 1 WHERE id = NEW.case_id; END",
    "CREATE TRIGGER cases_version_forward BEFORE UPDATE OF version ON cases "
    "WHEN NEW.version IS NOT OLD.version + 1 "
    "BEGIN SELECT RAISE(ABORT, '案件版本只能逐次递增'); END",
)

ALLOWED_MOVES: dict[str, tuple[str, ...]] = {
    "立案": ("交办", "撤销"), "交办": ("核查中", "督办", "撤销"), "核查中": ("督办", "办结", "撤销"),
    "督办": ("办结", "撤销"), "办结": (), "撤销": (),
}
"""Allowed status changes (forward along 立案 → 交办 → 核查中 → 督办 → 办结, or 撤销 while open;
a case 交办 but overdue may go straight to 督办; one settled without escalation goes 核查中 → 办结).
The store checks them with a message; the database refuses anything else (migration 5)."""
_MOVES_SQL = ", ".join(f"'{a}>{b}'" for a, bs in ALLOWED_MOVES.items() for b in bs)
_FINDING_CONTENT = ("case_id", "rule_id", "rule_name", "severity", "xjh", "name", "school",
                    "business_no", "class", "detail", "basis", "due_date")


def _joins_logged(table: str, field: str, what: str) -> str:
    """Rows join an existing case (one whose history has begun) only right after a history
    row of that case recording ``field``."""
    return (f"CREATE TRIGGER {table}_join_logged BEFORE INSERT ON {table} "
            f"WHEN (SELECT version FROM cases WHERE id = NEW.case_id) > 0 AND NOT EXISTS ("
            f"SELECT 1 FROM history h WHERE h.id = (SELECT MAX(id) FROM history "
            f"WHERE case_id = NEW.case_id) AND h.field = '{field}') "
            f"BEGIN SELECT RAISE(ABORT, '未写变更历史的{what}被拒绝'); END")


_PAIR_LOGGED = (
    "NOT EXISTS (SELECT 1 FROM history h WHERE h.id = (SELECT MAX(id) FROM history "
    "WHERE entity = 'pair' AND entity_key = NEW.xjh_a || '|' || NEW.xjh_b AND field = '决定') "
    "AND h.new IS (CASE NEW.accept WHEN 1 THEN '接受' ELSE '排除' END) "
    "AND h.user IS NEW.decided_by AND h.at IS NEW.decided_on AND h.note IS NEW.note)")
_V5 = (
    "CREATE TRIGGER cases_status_moves BEFORE UPDATE OF status ON cases "
    f"WHEN OLD.status IS NOT NEW.status AND OLD.status || '>' || NEW.status NOT IN ({_MOVES_SQL}) "
    "BEGIN SELECT RAISE(ABORT, '不允许的案件状态变更'); END",
    "CREATE TRIGGER cases_assigned_needs_unit BEFORE UPDATE OF status ON cases "
    "WHEN NEW.status = '交办' AND TRIM(NEW.unit) = '' "
    "BEGIN SELECT RAISE(ABORT, '交办须指定承办单位'); END",
    _logged("cases", "title", "NEW.id", "CAST(NEW.id AS TEXT)", "title"),
    f"CREATE TRIGGER case_findings_fixed BEFORE UPDATE OF {', '.join(_FINDING_CONTENT)} "
    "ON case_findings BEGIN SELECT RAISE(ABORT, '案件中的问题内容不可修改'); END",
    "CREATE TRIGGER case_findings_state_on BEFORE UPDATE OF state_on ON case_findings "
    "WHEN NEW.state IS OLD.state AND NEW.state_on IS NOT OLD.state_on "
    "BEGIN SELECT RAISE(ABORT, '未写变更历史的修改被拒绝'); END",
    "CREATE TRIGGER case_pairs_fixed BEFORE UPDATE ON case_pairs "
    "BEGIN SELECT RAISE(ABORT, '案件中的疑似重复对不可修改'); END",
    _joins_logged("case_findings", "问题", "追加问题"),
    _joins_logged("case_pairs", "疑似重复对", "追加疑似重复对"),
    "CREATE TRIGGER access_log_append_only BEFORE UPDATE ON access_log "
    "BEGIN SELECT RAISE(ABORT, '访问日志不可修改'); END",
    "CREATE TRIGGER pair_decisions_kept BEFORE DELETE ON pair_decisions "
    "BEGIN SELECT RAISE(ABORT, '重复对认定不可删除'); END",
    f"CREATE TRIGGER pair_decisions_insert_logged BEFORE INSERT ON pair_decisions WHEN {_PAIR_LOGGED} "
    "BEGIN SELECT RAISE(ABORT, '未写变更历史的认定被拒绝'); END",
    f"CREATE TRIGGER pair_decisions_update_logged BEFORE UPDATE ON pair_decisions WHEN {_PAIR_LOGGED} "
    "BEGIN SELECT RAISE(ABORT, '未写变更历史的认定被拒绝'); END",
)

MIGRATIONS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (1, "案件、问题、疑似重复对与变更历史", _V1),
    (2, "问题整改状态、重复对认定、访问日志与督查运行记录", _V2),
    (3, "变更历史与访问日志记录实际操作时间", _V3),
    (4, "案件版本号（防止并发覆盖）", _V4),
    (5, "状态流转、交办单位与各表只增不改由数据库强制", _V5),
)
"""(version, Chinese description, statements) in order; never edit one that has shipped."""

SCHEMA_VERSION = MIGRATIONS[-1][0]


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    msg = str(exc).lower()
    return "locked" in msg or "busy" in msg


def store_error(path: str | Path, exc: sqlite3.Error) -> XuejiError:
    """The Chinese message for an SQLite error met while opening or writing the store."""
    msg = str(exc).lower()
    if "disk is full" in msg or "disk i/o" in msg:
        return OutputError(f"磁盘空间不足，案件库「{path}」的本次写入未完成（已撤回，库内数据完好）。"
                           "请清理磁盘后重试。")
    if "readonly" in msg or "read-only" in msg or "unable to open" in msg:
        return OutputError(f"案件库「{path}」所在的文件夹或文件只读（或没有权限），本次写入未完成。"
                           "查看案件（case list / show / log）仍可使用；写入请换到可写的工作区。")
    return XuejiError(f"案件库「{path}」出错：{exc}。")


def _open_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection; in a folder nobody can write (no WAL index can be made there)
    the file is opened as immutable, which is exact because no one can change it."""
    if not path.is_file():
        raise XuejiError(f"案件库 {path} 不存在：工作区还没有案件库。")
    uri = path.resolve().as_uri()
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None,
                               timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        if os.access(path.parent, os.W_OK):
            raise XuejiError(f"无法只读打开案件库 {path}，请检查文件权限。") from None
        conn = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, isolation_level=None)
    conn.row_factory = sqlite3.Row
    return conn


def connect(path: str | Path, readonly: bool = False) -> sqlite3.Connection:
    """A connection to the store file at ``path`` (created when absent) in WAL mode, foreign
    keys on, a busy timeout, autocommit (transactions are explicit, see :func:`write`); with
    ``readonly`` an existing file opened for reading only (works in a read-only folder)."""
    path = Path(path)
    if not path.parent.is_dir():
        raise XuejiError(f"案件库所在的文件夹 {path.parent} 不存在，请先创建该文件夹。")
    if readonly:
        return _open_readonly(path)
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except sqlite3.Error as exc:
        raise XuejiError(f"无法打开案件库 {path}：{exc}。请检查路径与权限。") from None
    conn.row_factory = sqlite3.Row
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        for attempt in range(BUSY_RETRIES):
            try:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                break
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or attempt == BUSY_RETRIES - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
    except sqlite3.OperationalError as exc:
        conn.close()
        raise store_error(path, exc) from None
    if str(mode).lower() != "wal":
        conn.close()
        raise XuejiError(f"案件库 {path} 无法使用 WAL 日志模式（网络共享文件夹不支持），"
                         "请把工作区放在本机磁盘上。")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


@contextmanager
def write(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction (``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error).

    Taking the lock may be retried when SQLite reports busy past its timeout; the body runs once.
    """
    for attempt in range(BUSY_RETRIES):
        try:
            conn.execute("BEGIN IMMEDIATE")
            break
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise store_error(_path_of(conn), exc) from None
            if attempt == BUSY_RETRIES - 1:
                raise XuejiError(f"案件库忙，写入未完成：{exc}。请稍后重试。") from None
            time.sleep(0.05 * (attempt + 1))
    try:
        yield conn
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if _is_busy(exc):
            raise
        raise store_error(_path_of(conn), exc) from None
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _path_of(conn: sqlite3.Connection) -> str:
    row = conn.execute("PRAGMA database_list").fetchone()
    return row[2] if row else ""


def version(conn: sqlite3.Connection) -> int:
    """The highest migration applied (0 for a new file)."""
    has = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                       "AND name = 'schema_migrations'").fetchone()
    if not has:
        return 0
    return conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()[0]


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Apply the migrations above the file's version up to ``target``; return the new version.

    An up-to-date file is only read (no write lock). Each migration is one transaction that
    re-reads the version under the write lock, so processes opening the same new file at once
    apply each migration exactly once.
    """
    current = version(conn)
    if current > SCHEMA_VERSION:
        raise XuejiError(f"案件库版本（{current}）高于本程序支持的版本（{SCHEMA_VERSION}），"
                         "请升级 xueji-audit 后再打开。")
    for number, name, statements in MIGRATIONS:
        if number > target:
            break
        if number <= current:
            continue
        with write(conn):
            conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                         "version INTEGER PRIMARY KEY, name TEXT NOT NULL)")
            if version(conn) >= number:
                continue
            for sql in statements:
                conn.execute(sql)
            conn.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                         (number, name))
            conn.execute(f"PRAGMA user_version = {number}")
    return version(conn)
