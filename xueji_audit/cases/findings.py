"""Findings in the case store: column mapping, finding identity and attaching an audit run.

A finding's identity is ``(rule_id, 学籍号, 业务编号, 学校标识码, 班级)`` (:data:`IDENTITY`), a
missing part counting as empty text. Two runs of the audit produce the same identity for the
same problem of the same record, while its wording (``detail``) or ``due_date`` may change, so
those are not part of it. Attaching a run (:func:`attach_run`) compares identities: a finding of
an open case (not 办结 / 撤销) that no longer fires becomes 已整改; one marked 已整改 that fires
again goes back to 未整改. Findings are never deleted; every state change has a history row.
"""
from __future__ import annotations

import sqlite3

import pandas as pd

from ..schema import FINDING_COLUMNS
from . import db

IDENTITY: tuple[str, ...] = ("rule_id", "学籍号", "业务编号", "学校标识码", "班级")
"""The columns that identify a finding across audit runs."""

DB_COLUMNS: dict[str, str] = {
    "rule_id": "rule_id", "rule_name": "rule_name", "severity": "severity", "学籍号": "xjh",
    "姓名": "name", "学校标识码": "school", "业务编号": "business_no", "班级": "class",
    "detail": "detail", "basis": "basis", "due_date": "due_date",
}
"""schema.FINDING_COLUMNS → the columns of table ``case_findings``."""

OPEN, FIXED = "未整改", "已整改"
STATE_COLUMNS: tuple[str, ...] = ("整改状态", "整改日期")


def identity_key(frame: pd.DataFrame) -> pd.Series:
    """One text key per finding row from the :data:`IDENTITY` columns (missing → empty)."""
    parts = [frame[c].astype("string").fillna("").str.strip() if c in frame.columns
             else pd.Series("", index=frame.index, dtype="string") for c in IDENTITY]
    key = parts[0]
    for p in parts[1:]:
        key = key + "\x1f" + p
    return key


def _text(value) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return str(value).strip()


def _day(value) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date().isoformat()


def to_rows(findings: pd.DataFrame | None) -> list[tuple]:
    """Findings (FINDING_COLUMNS; only ``rule_id`` required) as tuples of the ``case_findings``
    columns (:data:`DB_COLUMNS` order): trimmed text or None (an identity part: empty text),
    ``due_date`` as ISO date text; one tuple per identity, the first kept. A case holds tens
    to hundreds of findings and each becomes one INSERT, so this is a plain loop."""
    if findings is None or len(findings) == 0:
        return []
    f = findings.reindex(columns=list(DB_COLUMNS)).astype(object)
    ident = [list(DB_COLUMNS).index(c) for c in IDENTITY]
    out, seen = [], set()
    for raw in f.itertuples(index=False, name=None):
        row = [_text(v) for v in raw[:-1]] + [_day(raw[-1])]
        for i in ident:
            row[i] = row[i] or ""
        key = tuple(row[i] for i in ident)
        if key not in seen:
            seen.add(key)
            out.append(tuple(row))
    return out


def from_rows(rows: list[sqlite3.Row]) -> pd.DataFrame:
    """``case_findings`` rows back as FINDING_COLUMNS (+ 整改状态, 整改日期); empty identity
    parts become missing again."""
    db = pd.DataFrame([dict(r) for r in rows],
                      columns=[*DB_COLUMNS.values(), "state", "state_on"])
    out = pd.DataFrame({col: db[name].astype("string") for col, name in DB_COLUMNS.items()})
    for col in IDENTITY[1:]:
        out[col] = out[col].mask(out[col] == "")
    out["due_date"] = pd.to_datetime(db["due_date"], errors="coerce")
    out["整改状态"] = db["state"].astype("string")
    out["整改日期"] = pd.to_datetime(db["state_on"], errors="coerce")
    return out[[*FINDING_COLUMNS, *STATE_COLUMNS]]


def insert(conn: sqlite3.Connection, case_id: int, findings: pd.DataFrame | None) -> int:
    """Insert the findings of one case; return how many (identities already there are kept)."""
    rows = to_rows(findings)
    cols = ["case_id", *DB_COLUMNS.values()]
    sql = (f"INSERT OR IGNORE INTO case_findings ({', '.join(cols)}) "
           f"VALUES ({', '.join('?' * len(cols))})")
    conn.executemany(sql, [(case_id, *r) for r in rows])
    return len(rows)


def attach_run(conn: sqlite3.Connection, findings: pd.DataFrame, stamp: str,
               user: str) -> pd.DataFrame:
    """Mark the findings of open cases by this run, each with its history row (inside the
    caller's transaction); return the changes: ``case_id, key`` (identity joined by ``|``),
    ``old``, ``new`` state."""
    rows = conn.execute(
        "SELECT f.id, f.case_id, f.rule_id, f.xjh, f.business_no, f.school, f.class, f.state "
        "FROM case_findings f JOIN cases c ON c.id = f.case_id "
        "WHERE c.status NOT IN ('办结', '撤销')").fetchall()
    if not rows:
        return pd.DataFrame(columns=["case_id", "key", "old", "new"])
    have = pd.DataFrame([dict(r) for r in rows]).rename(
        columns={"xjh": "学籍号", "business_no": "业务编号", "school": "学校标识码", "class": "班级"})
    have["key"] = identity_key(have)
    fires = have["key"].isin(set(identity_key(findings)))
    changes = pd.concat([have.loc[~fires & (have["state"] == OPEN)].assign(new=FIXED),
                         have.loc[fires & (have["state"] == FIXED)].assign(new=OPEN)])
    out = pd.DataFrame({"case_id": changes["case_id"].astype(int),
                        "key": changes["key"].str.replace("\x1f", "|", regex=False),
                        "old": changes["state"], "new": changes["new"]})
    conn.executemany(
        "INSERT INTO history (case_id, entity, entity_key, field, old, new, user, at, recorded_at) "
        f"VALUES (?, 'finding', ?, '整改状态', ?, ?, ?, ?, {db.NOW})",
        [(int(c), k, o, n, user, stamp) for c, k, o, n in out.itertuples(index=False, name=None)])
    ids = changes["id"].astype(int).tolist()
    conn.executemany("UPDATE case_findings SET state = ?, state_on = ? WHERE id = ?",
                     [(new, stamp, i) for new, i in zip(changes["new"], ids, strict=True)])
    return out
