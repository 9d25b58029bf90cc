"""Accounts (``xueji-audit users``): salted Argon2id hashes, roles, lock after five wrong
passwords, disabling, password reset; nothing of the password on the command line or on disk."""
from __future__ import annotations

import io
import os
import sqlite3
import stat

import pytest

from xueji_audit import cli
from xueji_audit.server.users import (
    LOCK_SECONDS,
    MAX_FAILURES,
    AccountError,
    UserStore,
)

NOW = 1_790_000_000.0  # the server edge passes the time in
PASSWORD = "示范密码-123"


def _cli(monkeypatch, capsys, *argv: str, stdin: str = "") -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(["users", *argv])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_users_command_adds_lists_disables_and_resets(tmp_path, monkeypatch, capsys):
    ws = str(tmp_path)
    code, text = _cli(monkeypatch, capsys, "add", "张督查", "--role", "督查员", "--workspace", ws,
                      stdin=PASSWORD + "\n")
    assert code == 0 and "已新建账号「张督查」（督查员）" in text
    code, text = _cli(monkeypatch, capsys, "add", "李老师", "--role", "学校", "--workspace", ws,
                      stdin=PASSWORD + "\n")
    assert code == 2 and "学校标识码" in text
    code, _ = _cli(monkeypatch, capsys, "add", "李老师", "--role", "学校", "--school",
                   "1164000001", "--workspace", ws, stdin=PASSWORD + "\n")
    assert code == 0
    code, text = _cli(monkeypatch, capsys, "add", "短", "--role", "只读", "--workspace", ws,
                      stdin="1234\n")
    assert code == 2 and "至少 8 个字符" in text
    code, text = _cli(monkeypatch, capsys, "add", "张督查", "--role", "只读", "--workspace", ws,
                      stdin=PASSWORD + "\n")
    assert code == 2 and "已存在" in text
    code, text = _cli(monkeypatch, capsys, "list", "--workspace", ws)
    assert code == 0
    assert text.splitlines() == ["张督查\t督查员\t可用", "李老师\t学校\t可用\t1164000001"]
    assert _cli(monkeypatch, capsys, "disable", "李老师", "--workspace", ws)[0] == 0
    assert "李老师\t学校\t已停用" in _cli(monkeypatch, capsys, "list", "--workspace", ws)[1]
    with pytest.raises(AccountError, match="已停用"):
        UserStore(ws).authenticate("李老师", PASSWORD, NOW)
    assert _cli(monkeypatch, capsys, "enable", "李老师", "--workspace", ws)[0] == 0
    assert UserStore(ws).authenticate("李老师", PASSWORD, NOW).school == "1164000001"
    code, _ = _cli(monkeypatch, capsys, "passwd", "李老师", "--workspace", ws,
                   stdin="新的密码-456\n")
    assert code == 0
    with pytest.raises(AccountError, match="不正确"):
        UserStore(ws).authenticate("李老师", PASSWORD, NOW)
    assert UserStore(ws).authenticate("李老师", "新的密码-456", NOW).name == "李老师"
    assert _cli(monkeypatch, capsys, "passwd", "无此人", "--workspace", ws, stdin="x" * 9)[0] == 2


def test_hashes_are_salted_argon2_and_the_file_is_private(tmp_path):
    store = UserStore(tmp_path)
    store.add("甲", "督查员", PASSWORD)
    store.add("乙", "只读", PASSWORD)
    assert stat.S_IMODE(os.stat(tmp_path / "users.sqlite").st_mode) == 0o600
    with sqlite3.connect(tmp_path / "users.sqlite") as conn:
        hashes = [r[0] for r in conn.execute("SELECT hash FROM users")]
    assert all(h.startswith("$argon2id$") for h in hashes) and hashes[0] != hashes[1]
    assert PASSWORD.encode() not in (tmp_path / "users.sqlite").read_bytes()


def test_five_wrong_passwords_lock_the_account_for_a_while(tmp_path):
    store = UserStore(tmp_path)
    store.add("甲", "县级管理员", PASSWORD)
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(AccountError, match="不正确"):
            store.authenticate("甲", "wrong-one", NOW)
    store.authenticate("甲", PASSWORD, NOW)  # a success clears the count
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(AccountError, match="不正确"):
            store.authenticate("甲", "wrong-one", NOW)
    with pytest.raises(AccountError, match="已锁定"):
        store.authenticate("甲", "wrong-one", NOW)
    with pytest.raises(AccountError, match="已锁定"):
        store.authenticate("甲", PASSWORD, NOW + LOCK_SECONDS - 1)
    assert store.get("甲").locked(NOW)
    assert store.authenticate("甲", PASSWORD, NOW + LOCK_SECONDS + 1).role == "县级管理员"
    for _ in range(MAX_FAILURES):
        with pytest.raises(AccountError):
            store.authenticate("甲", "wrong-one", NOW)
    store.set_password("甲", "重设的密码-789")  # the administrator's reset unlocks it
    assert store.authenticate("甲", "重设的密码-789", NOW).name == "甲"


def test_bad_accounts_are_refused(tmp_path):
    store = UserStore(tmp_path)
    with pytest.raises(AccountError, match="角色"):
        store.add("甲", "校长", PASSWORD)
    with pytest.raises(AccountError, match="无效"):
        store.add("a/b", "只读", PASSWORD)
    with pytest.raises(AccountError, match="只有学校账号"):
        store.add("甲", "只读", PASSWORD, school="1164000001")
    with pytest.raises(AccountError, match="不存在"):
        UserStore(tmp_path / "nowhere")
    with pytest.raises(AccountError, match="不正确"):
        store.authenticate("无此人", PASSWORD, NOW)
