"""The server's accounts: who may log in, with which role and (for a school) which school.

Kept in the workspace as ``users.sqlite`` (0600), beside the case store: a name, a role
(:data:`ROLES`), a school for 学校 accounts, an Argon2id password hash (``argon2-cffi``, salted,
no home-made crypto), whether the account is disabled, and the failed-login count and lock time
that stop password guessing (:data:`MAX_FAILURES` wrong passwords lock it for :data:`LOCK_SECONDS`).

Times are passed in (``now``, seconds since the epoch): only the server edge reads the clock.
"""
from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..errors import XuejiError

FILE = "users.sqlite"
INSPECTOR, COUNTY, SCHOOL, READER = "督查员", "县级管理员", "学校", "只读"
ROLES: dict[str, str] = {
    INSPECTOR: "全部数据与案件，导入数据，查看完整证件号",
    COUNTY: "全县数据与案件，交办、督办",
    SCHOOL: "本校的问题学籍、名册与案件，答复本校案件",
    READER: "查看报告和页面，不能修改，不能显示完整证件号",
}
"""Role → what it may do (shown by ``users list`` and in the docs)."""
MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60
MIN_PASSWORD = 8
_HASHER = PasswordHasher()
SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    school TEXT NOT NULL DEFAULT '',
    hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    locked_until REAL NOT NULL DEFAULT 0
);
"""


class AccountError(XuejiError):
    """An account cannot be created, changed or used as asked."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    school: str = ""
    disabled: bool = False
    locked_until: float = 0.0

    def locked(self, now: float) -> bool:
        return self.locked_until > now


class UserStore:
    """The accounts of one workspace (``users.sqlite`` in it, private to its owner)."""

    def __init__(self, workspace: str | Path):
        self.path = Path(workspace) / FILE
        if not self.path.parent.is_dir():
            raise AccountError(f"工作区「{self.path.parent}」不存在：请先用 xueji-audit audit 建立。")
        if not self.path.exists():
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        os.chmod(self.path, 0o600)
        with closing(self._connect()) as conn, conn:
            conn.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        conn.execute("PRAGMA busy_timeout=10000")
        return conn

    def add(self, name: str, role: str, password: str, school: str = "") -> Account:
        name, school = str(name or "").strip(), str(school or "").strip()
        if not name or any(c in name for c in "\x00\r\n\t/\\"):
            raise AccountError(f"账号名「{name}」无效：不能为空，不能含斜杠或控制字符。")
        if role not in ROLES:
            raise AccountError(f"角色「{role}」无效，应为 {'、'.join(ROLES)} 之一。")
        if role == SCHOOL and not school:
            raise AccountError("学校账号须用 --school 给出所属学校的学校标识码。")
        if role != SCHOOL and school:
            raise AccountError(f"只有学校账号属于一所学校；「{role}」账号不用 --school。")
        _check_password(password)
        with closing(self._connect()) as conn, conn:
            try:
                conn.execute("INSERT INTO users (name, role, school, hash) VALUES (?, ?, ?, ?)",
                             (name, role, school, _HASHER.hash(password)))
            except sqlite3.IntegrityError:
                raise AccountError(f"账号「{name}」已存在；改密码请用 users passwd。") from None
        return self.get(name)

    def get(self, name: str) -> Account | None:
        with closing(self._connect()) as conn:
            row = conn.execute("SELECT name, role, school, disabled, locked_until FROM users "
                               "WHERE name = ?", (str(name),)).fetchone()
        return None if row is None else Account(row[0], row[1], row[2], bool(row[3]), row[4])

    def list(self) -> list[Account]:
        with closing(self._connect()) as conn:
            rows = conn.execute("SELECT name, role, school, disabled, locked_until FROM users "
                                "ORDER BY name").fetchall()
        return [Account(r[0], r[1], r[2], bool(r[3]), r[4]) for r in rows]

    def _require(self, name: str) -> Account:
        account = self.get(name)
        if account is None:
            raise AccountError(f"没有账号「{name}」；用 users list 查看全部账号。")
        return account

    def disable(self, name: str, disabled: bool = True) -> Account:
        self._require(name)
        with closing(self._connect()) as conn, conn:
            conn.execute("UPDATE users SET disabled = ? WHERE name = ?", (int(disabled), name))
        return self.get(name)

    def set_password(self, name: str, password: str) -> Account:
        """A new password; it also clears the failure count and any lock."""
        self._require(name)
        _check_password(password)
        with closing(self._connect()) as conn, conn:
            conn.execute("UPDATE users SET hash = ?, failures = 0, locked_until = 0 "
                         "WHERE name = ?", (_HASHER.hash(password), name))
        return self.get(name)

    def authenticate(self, name: str, password: str, now: float) -> Account:
        """The account when ``password`` is right and the account usable at ``now``; otherwise
        :class:`AccountError` with a Chinese message (the same one for an unknown name and a
        wrong password). The :data:`MAX_FAILURES`-th wrong password in a row locks it."""
        problem = ""
        with closing(self._connect()) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute("SELECT hash, disabled, failures, locked_until FROM users "
                                   "WHERE name = ?", (str(name),)).fetchone()
                if row is None:
                    _HASHER.hash(password or "-")  # about the same time as a real check
                    problem = "账号或密码不正确。"
                elif row[3] > now:
                    minutes = max(1, round((row[3] - now) / 60))
                    problem = (f"密码连续输错 {MAX_FAILURES} 次，账号已锁定，"
                               f"请约 {minutes} 分钟后再试，或请管理员重设密码。")
                elif not _verify(row[0], password):
                    failures = row[2] + 1
                    lock = now + LOCK_SECONDS if failures >= MAX_FAILURES else 0
                    conn.execute("UPDATE users SET failures = ?, locked_until = ? "
                                 "WHERE name = ?", (0 if lock else failures, lock, name))
                    problem = (f"密码连续输错 {MAX_FAILURES} 次，账号已锁定 "
                               f"{LOCK_SECONDS // 60} 分钟。" if lock else "账号或密码不正确。")
                elif row[1]:
                    problem = "此账号已停用，请联系管理员。"
                else:
                    conn.execute("UPDATE users SET failures = 0, locked_until = 0 "
                                 "WHERE name = ?", (name,))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        if problem:
            raise AccountError(problem)
        return self.get(name)


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password or "")
    except (VerificationError, InvalidHashError):
        return False


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(f"密码太短：至少 {MIN_PASSWORD} 个字符。")
