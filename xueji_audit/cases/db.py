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
transaction, so a database of any earlier version is upgraded in place; the schema itself (what
each version adds, the database triggers that keep history append-only) is in :mod:`.migrations`.

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
from .migrations import ALLOWED_MOVES, ITEM_STATES, MIGRATIONS, NOW, SCHEMA_VERSION

__all__ = ["ALLOWED_MOVES", "ITEM_STATES", "MIGRATIONS", "NOW", "SCHEMA_VERSION", "connect",
           "migrate", "store_error", "version", "write"]

BUSY_TIMEOUT_MS = 30_000
BUSY_RETRIES = 20


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
