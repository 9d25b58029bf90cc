"""The unit's reply per child and the inspector's review, in the case store.

A case covers children (by 学籍号; a child without one by school, class and name, see
:func:`child_key`). For each, the unit it was assigned to records 经核实的情况 and 办理情况 with
evidence files (:func:`record_reply`; kept in the workspace under ``evidence/案件N/`` named by
their SHA-256, so a file is never overwritten and its hash is checked), and marks it done. The
inspector accepts it (办结) or returns it with a reason, which reopens the item for the unit
(:func:`review`). Every step is a history row (who, business date and real time) in the same
transaction; the item's state changes only with its history row (database triggers). The first
reply moves a case from 交办 to 核查中.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

import pandas as pd

from ..errors import XuejiError
from ..output import atomic_path, disk_error
from . import db
from .store import CLOSED, CaseStore, _stamp, _user

EVIDENCE_DIR = "evidence"
MAX_EVIDENCE_BYTES = 50 * 1024 * 1024
MAX_TEXT = 5000
ITEM_HEADERS = {"child": "学生标识", "姓名": "姓名", "学校标识码": "学校标识码", "班级": "班级",
                "问题数": "问题数", "未整改": "未整改", "state": "办理状态", "verified": "经核实的情况",
                "handled": "办理情况", "evidence": "佐证材料"}
WAITING = "待答复"


def child_key(findings: pd.DataFrame) -> pd.Series:
    """The child each finding concerns: its 学籍号, else ``~学校标识码|班级|姓名``."""
    def part(col):
        return findings[col].astype("string").fillna("") if col in findings else ""
    return findings["学籍号"].astype("string").fillna(
        "~" + part("学校标识码") + "|" + part("班级") + "|" + part("姓名")).astype(str)


def items(store: CaseStore, case_id: int) -> pd.DataFrame:
    """One row per child of the case: name, school, class, findings and those still 未整改, the
    item's state (:data:`WAITING` before any reply), the latest reply and its evidence count."""
    case = store.get_case(case_id)
    f = case["findings"]
    if f.empty:
        return pd.DataFrame(columns=list(ITEM_HEADERS))
    f = f.assign(child=child_key(f), open=(f["整改状态"] == "未整改").astype(int))
    out = f.groupby("child", sort=False).agg(
        姓名=("姓名", "first"), 学校标识码=("学校标识码", "first"), 班级=("班级", "first"),
        问题数=("rule_id", "size"), 未整改=("open", "sum")).reset_index()
    state = dict(store.conn.execute("SELECT child, state FROM child_items WHERE case_id = ?",
                                    (int(case_id),)).fetchall())
    last = {r["child"]: r for r in store.conn.execute(
        "SELECT r.*, (SELECT COUNT(*) FROM evidence e WHERE e.reply_id = r.id) AS n "
        "FROM replies r WHERE r.id IN (SELECT MAX(id) FROM replies WHERE case_id = ? "
        "GROUP BY child)", (int(case_id),)).fetchall()}
    out["state"] = out["child"].map(lambda c: state.get(c, WAITING))
    out["verified"] = out["child"].map(lambda c: last[c]["verified"] if c in last else "")
    out["handled"] = out["child"].map(lambda c: last[c]["handled"] if c in last else "")
    out["evidence"] = out["child"].map(lambda c: int(last[c]["n"]) if c in last else 0)
    return out[list(ITEM_HEADERS)]


def _item_state(store: CaseStore, case_id: int, child: str) -> str:
    row = store.conn.execute("SELECT state FROM child_items WHERE case_id = ? AND child = ?",
                             (int(case_id), child)).fetchone()
    return row[0] if row else WAITING


def _set_state(store: CaseStore, case_id: int, child: str, new: str, user: str, at: str,
               note: str) -> None:
    old = _item_state(store, case_id, child)
    store._history(int(case_id), "child", child, "办理状态", old, new, user, at, note)
    if old == WAITING:
        store.conn.execute("INSERT INTO child_items (case_id, child, state) VALUES (?, ?, ?)",
                           (int(case_id), child, new))
    else:
        store.conn.execute("UPDATE child_items SET state = ? WHERE case_id = ? AND child = ?",
                           (new, int(case_id), child))


def _check_child(store: CaseStore, case_id: int, child: str) -> str:
    child = str(child or "").strip()
    f = store.get_case(case_id)["findings"]
    if child not in set(child_key(f)):
        raise XuejiError(f"案件 {case_id} 中没有学生「{child}」：请用 case items {case_id} 查看"
                         "本案的学生。")
    return child


def _text(value: str, label: str) -> str:
    s = str(value or "").strip()
    if len(s) > MAX_TEXT:
        raise XuejiError(f"{label}过长（{len(s)} 字），请控制在 {MAX_TEXT} 字以内，详情可作为佐证材料附上。")
    return s


def store_evidence(folder: Path, case_id: int, name: str, content: bytes) -> tuple[str, str]:
    """Keep ``content`` as ``evidence/案件N/<sha256><suffix>`` in the workspace ``folder``
    (written once; an existing file of that hash is the same content and is left alone);
    return (sha256, path relative to the workspace)."""
    if len(content) > MAX_EVIDENCE_BYTES:
        raise XuejiError(f"佐证材料「{name}」超过 {MAX_EVIDENCE_BYTES // 1024 // 1024} MB，"
                         "请压缩后再附。")
    digest = hashlib.sha256(content).hexdigest()
    suffix = "".join(c for c in Path(str(name)).suffix[:10] if c.isalnum() or c == ".")
    rel = Path(EVIDENCE_DIR) / f"案件{int(case_id)}" / f"{digest}{suffix.lower()}"
    target = folder / rel
    if not target.exists():
        with atomic_path(target) as tmp:
            tmp.write_bytes(content)
        try:
            os.chmod(target, 0o444)
        except OSError as exc:
            raise disk_error(target, exc) from None
    elif hashlib.sha256(target.read_bytes()).hexdigest() != digest:
        raise XuejiError(f"工作区中的佐证材料 {rel} 已被改动（哈希不符），请检查工作区。")
    return digest, str(rel)


def record_reply(store: CaseStore, case_id: int, child: str, *, verified: str = "",
                 handled: str = "", evidence: list[tuple[str, bytes]] = (), done: bool = True,
                 user: str, on: dt.date, expected_version: int | None = None) -> int:
    """Record the unit's reply for ``child`` (经核实的情况 ``verified``, 办理情况 ``handled``,
    evidence files as (file name, content)); ``done`` marks it answered (已答复), else it stays
    办理中. Refused for a closed case or an item already answered or 办结. Returns the reply id."""
    user, at = _user(user), _stamp(on)
    verified, handled = _text(verified, "经核实的情况"), _text(handled, "办理情况")
    if done and not (verified or handled):
        raise XuejiError("答复须填写经核实的情况或办理情况。")
    child = _check_child(store, case_id, child)
    kept = [(str(name), *store_evidence(store.path.parent, case_id, str(name), bytes(data)),
             len(data)) for name, data in evidence]
    with db.write(store.conn):
        row = store._expect(case_id, expected_version)
        if row["status"] in CLOSED or row["status"] == "立案":
            raise XuejiError(f"案件 {case_id} 当前状态为「{row['status']}」，不能登记答复"
                             "（须先交办，且未办结或撤销）。")
        old = _item_state(store, case_id, child)
        if old in ("已答复", "已办结"):
            raise XuejiError(f"案件 {case_id} 学生「{child}」的事项{old}，不能再登记答复"
                             "（核查人退回后才可重新答复）。")
        rid = store.conn.execute(
            "INSERT INTO replies (case_id, child, verified, handled, unit, done, user, at, "
            f"recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, {db.NOW})",
            (int(case_id), child, verified, handled, row["unit"], int(bool(done)), user,
             at)).lastrowid
        store.conn.executemany(
            "INSERT INTO evidence (reply_id, name, sha256, size, stored) VALUES (?, ?, ?, ?, ?)",
            [(rid, name, digest, size, rel) for name, digest, rel, size in kept])
        files = "；".join(f"{n}（SHA-256 {d[:12]}…）" for n, d, _, _ in kept)
        note = (f"经核实的情况：{verified or '（未填）'}；办理情况：{handled or '（未填）'}"
                + (f"；佐证材料：{files}" if files else ""))
        _set_state(store, case_id, child, "已答复" if done else "办理中", user, at, note)
        if row["status"] == "交办":
            store._change(case_id, "status", "核查中", user, at, "承办单位开始答复")
    return int(rid)


def review(store: CaseStore, case_id: int, child: str, accept: bool, *, reason: str = "",
           user: str, on: dt.date, expected_version: int | None = None) -> None:
    """The inspector accepts (已办结) or returns (已退回, ``reason`` required; the unit may
    answer again) the answered item of ``child``."""
    user, at = _user(user), _stamp(on)
    reason = _text(reason, "退回理由")
    if not accept and not reason:
        raise XuejiError("退回答复须写明理由。")
    child = _check_child(store, case_id, child)
    with db.write(store.conn):
        store._expect(case_id, expected_version)
        old = _item_state(store, case_id, child)
        if old != "已答复":
            raise XuejiError(f"案件 {case_id} 学生「{child}」的事项当前为「{old}」，"
                             "只有已答复的事项可以采纳或退回。")
        _set_state(store, case_id, child, "已办结" if accept else "已退回", user, at,
                   reason or "核查人采纳答复")


def evidence_files(store: CaseStore, case_id: int) -> pd.DataFrame:
    """The evidence of the case: child, file name, SHA-256, size, stored path, who and when."""
    rows = store.conn.execute(
        "SELECT r.child, e.name, e.sha256, e.size, e.stored, r.user, r.at FROM evidence e "
        "JOIN replies r ON r.id = e.reply_id WHERE r.case_id = ? ORDER BY e.id",
        (int(case_id),)).fetchall()
    return pd.DataFrame([tuple(r) for r in rows],
                        columns=["学生标识", "文件名", "SHA-256", "大小", "保存位置", "登记人", "日期"])
