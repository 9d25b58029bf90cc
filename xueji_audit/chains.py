"""Transfer chains (RULES.md E): every person's ordered completed businesses, with the school
and status of each period.

A *person* is a connected group of 学籍号 and valid ID numbers: two register records sharing
a 学籍号 or an ID number (18-digit form) are the same person, so a child whose L number became
a G number (both records in the register, same ID) has one chain over both numbers. A business
joins its person through its 学籍号.

The chain is the person's 核办通过 businesses in order of 办结日期 (then 发起日期, then file
order). After each business the child is at ``school_after`` with ``status_after``: a transfer
moves the child to its 转入学校 in status 在校; 休学 → 休学; 复学, 毕业回退 → 在校; 退学 → 退学;
死亡 → 死亡; other types keep the school and status. The school before a transfer is its
转出学校; a business before any transfer is at the first transfer's 转出学校, else at the
person's (first) register school.

Everything runs on integer codes (学籍号, schools, persons) with numpy; text columns are only
decoded for the output.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .ids import validate_ids
from .schema import RESIDENT_ID, STRING, TRANSFER_TYPES, arrow_text

STATUS_AFTER: dict[str, str] = {
    "转学": "在校", "跨省转学": "在校", "毕业后跨省就学": "在校", "休学": "休学", "复学": "在校",
    "退学": "退学", "死亡": "死亡", "毕业回退": "在校",
}
"""The status a completed business leaves; types not listed keep the previous status."""
STATUSES: tuple[str, ...] = ("在校", "休学", "退学", "死亡")

CHAIN_COLUMNS: tuple[str, ...] = (
    "person", "seq", "学籍号", "业务编号", "业务类型", "发起日期", "办结日期", "转出学校标识码",
    "转入学校标识码", "school_before", "school_after", "status_before", "status_after",
    "period_end",
)
RECORD_COLUMNS: tuple[str, ...] = ("学籍号", "姓名", "学校标识码", "班级", "学籍状态", "入学年月")


@dataclass(frozen=True)
class Chains:
    """The persons and chains of a register.

    ``persons``  学籍号 → person number, for every 学籍号 of the register or the businesses;
    ``records``  the register's :data:`RECORD_COLUMNS` (those present) plus ``person``, and the
                 integer ``_school`` code of each record;
    ``chain``    one row per completed business (:data:`CHAIN_COLUMNS`, then the integer
                 codes ``_out``, ``_into``, ``_transfer``, ``_when`` used by the checks),
                 ordered by person and ``seq``;
    ``schools``  the school codes behind every ``_school`` / ``_out`` / ``_into`` integer.
    """

    persons: pd.Series
    records: pd.DataFrame
    chain: pd.DataFrame
    schools: np.ndarray

    @property
    def n_persons(self) -> int:
        return int(self.persons.max()) + 1 if len(self.persons) else 0

    def of(self, xjh: str) -> pd.DataFrame:
        """The chain of the person holding 学籍号 ``xjh`` (empty when unknown)."""
        p = self.persons.get(xjh)
        if p is None:
            return self.chain.iloc[:0][list(CHAIN_COLUMNS)]
        c = self.chain
        lo, hi = np.searchsorted(c["person"].to_numpy(), [p, p + 1])
        return c.iloc[lo:hi][list(CHAIN_COLUMNS)]

    def last_of_person(self, mask: np.ndarray | None = None) -> np.ndarray:
        """Per person, the chain row position of its last business (among ``mask``), -1 if none."""
        rows = np.arange(len(self.chain)) if mask is None else np.flatnonzero(mask)
        out = np.full(self.n_persons, -1, dtype=np.int64)
        np.maximum.at(out, self.chain["person"].to_numpy()[rows], rows)
        return out


def valid_id18(students: pd.DataFrame) -> pd.Series:
    """The 18-digit form of each record's 居民身份证 number when valid, else NA."""
    v = validate_ids(students["身份证件号"])
    t = students["身份证件类型"] if "身份证件类型" in students else pd.Series(
        pd.NA, index=students.index, dtype=STRING)
    resident = ((t == RESIDENT_ID) | t.isna()).fillna(False).to_numpy()
    return v["id18"].where(resident & v["valid"].to_numpy())


def components(u, v, n: int) -> np.ndarray:
    """Connected-component label (the smallest node) of nodes ``0..n-1`` under edges (u, v)."""
    u, v = np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64)
    label = np.arange(n, dtype=np.int64)
    while True:
        m = np.minimum(label[u], label[v])
        new = label.copy()
        np.minimum.at(new, u, m)
        np.minimum.at(new, v, m)
        new = new[new]
        if np.array_equal(new, label):
            return label
        label = new


def encode_text(*columns) -> tuple[list[np.ndarray], np.ndarray]:
    """Shared integer codes (-1 = missing) of several text columns, and the values behind the
    codes. Hashing runs in Arrow, several times faster than pandas on Python strings."""
    arrays = [arrow_text(c) for c in columns]
    if not arrays:
        return [], np.array([], dtype=object)
    d = pa.concat_arrays(arrays).dictionary_encode()
    codes = pc.fill_null(d.indices, -1).to_numpy().astype(np.int64)
    out, at = [], 0
    for a in arrays:
        out.append(codes[at: at + len(a)])
        at += len(a)
    return out, d.dictionary.to_numpy(zero_copy_only=False).astype(object)


def _text(s: pd.Series) -> np.ndarray:
    """A text column as an object array with "" for missing values (safe to compare)."""
    return s.to_numpy(dtype=object, na_value="")


def link_persons(students: pd.DataFrame, xjh_extra: pd.Series | None = None,
                 id18: pd.Series | None = None) -> pd.Series:
    """学籍号 → person number, linking 学籍号 through shared valid ID numbers.

    ``xjh_extra`` adds 学籍号 seen elsewhere (the businesses); ``id18`` may pass the register's
    precomputed :func:`valid_id18`.
    """
    return _link(students, xjh_extra, id18)[0]


def _link(students: pd.DataFrame, xjh_extra: pd.Series | None, id18: pd.Series | None):
    """(persons, person of each record, person of each ``xjh_extra`` value; -1 = none)."""
    extra = xjh_extra if xjh_extra is not None else pd.Series([], dtype=object)
    (rec, ext), uniq = encode_text(students["学籍号"], extra)
    ids = valid_id18(students) if id18 is None else id18
    (idc,), _ = encode_text(ids)
    ok = (rec >= 0) & (idc >= 0)
    n = len(uniq)
    label = components(rec[ok], n + idc[ok], n + int(idc.max(initial=-1)) + 1)
    # A component with a 学籍号 is labelled by its smallest 学籍号 node (< n): number densely.
    is_label = np.zeros(n, dtype=bool)
    is_label[label[:n]] = True
    rank = np.cumsum(is_label) - 1
    person = np.append(rank[label[:n]], -1).astype(np.int64)  # code -1 → person -1
    persons = pd.Series(person[:-1], index=pd.Index(uniq, name="学籍号"), name="person")
    return persons, person[rec], person[ext]


def _group_bounds(person: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows sorted by person: the first and one-past-last row of each row's person."""
    return (np.searchsorted(person, person, side="left"),
            np.searchsorted(person, person, side="right"))


def _ffill(valid: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Position of the last ``valid`` row at or before each row within its group, else -1."""
    idx = np.maximum.accumulate(np.where(valid, np.arange(len(valid)), -1)) if len(valid) else \
        np.zeros(0, dtype=np.int64)
    return np.where(idx >= start, idx, -1)


def _bfill(valid: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Position of the first ``valid`` row at or after each row within its group, else -1."""
    n = len(valid)
    if not n:
        return np.zeros(0, dtype=np.int64)
    idx = np.minimum.accumulate(np.where(valid, np.arange(n), n)[::-1])[::-1]
    return np.where(idx < end, idx, -1)


def _pick(values: np.ndarray, pos: np.ndarray, missing=-1) -> np.ndarray:
    return np.where(pos >= 0, values[np.maximum(pos, 0)], missing)


def build_chains(students: pd.DataFrame, changes: pd.DataFrame | None = None,
                 id18: pd.Series | None = None) -> Chains:
    """The persons and chains of a register and its 学籍异动 table (see the module docstring)."""
    empty = pd.Series([], dtype=object)
    if changes is None:
        changes = pd.DataFrame({c: empty for c in ("业务编号", "业务类型", "学籍号", "转出学校标识码",
                                                   "转入学校标识码", "业务状态")}
                               | {"发起日期": pd.Series([], dtype="datetime64[ns]"),
                                  "办结日期": pd.Series([], dtype="datetime64[ns]")})
    persons, rp, cp = _link(students, changes["学籍号"], id18)
    done = np.flatnonzero((_text(changes["业务状态"]) == "核办通过") & (cp >= 0))
    (rec_school, out_code, in_code), schools = encode_text(
        students["学校标识码"], changes["转出学校标识码"].iloc[done],
        changes["转入学校标识码"].iloc[done])
    cols = [c for c in RECORD_COLUMNS if c in students]
    records = pd.DataFrame({c: students[c].array for c in cols}, copy=False)
    records["person"] = rp
    records["_school"] = rec_school
    n_person = len(persons) and int(persons.max()) + 1
    home = np.full(n_person + 1, -1, dtype=np.int64)  # home[-1] stays -1
    first = np.unique(rp, return_index=True)
    home[first[0]] = rec_school[first[1]]
    home[-1] = -1

    person = cp[done]
    start = changes["发起日期"].to_numpy(dtype="datetime64[ns]")[done]
    closed = changes["办结日期"].to_numpy(dtype="datetime64[ns]")[done]
    when = np.where(np.isnat(closed), start, closed).astype("datetime64[D]")
    order = np.lexsort((np.arange(len(person)), start, when, person))
    rows = done[order]
    person, when, out_code, in_code = person[order], when[order], out_code[order], in_code[order]
    (kind_code,), kinds = encode_text(changes["业务类型"].iloc[rows])
    kinds = np.append(kinds, "").astype(object)  # code -1 → ""
    kind = kinds[kind_code]
    is_tr = np.isin(kind_code, np.flatnonzero(np.isin(kinds, TRANSFER_TYPES)))
    lo, hi = _group_bounds(person)
    idx = np.arange(len(person))
    into = np.where(is_tr, in_code, -1)
    out = np.where(is_tr, out_code, -1)
    f, b = _ffill(into >= 0, lo), _bfill(out >= 0, hi)
    after = _pick(into, f)
    after = np.where(after >= 0, after, _pick(out, b))
    after = np.where(after >= 0, after, home[person])
    prev = np.where(idx > lo, after[np.maximum(idx - 1, 0)], -1)
    before = np.where(out >= 0, out, prev)
    before = np.where(before >= 0, before, _pick(out, b))
    before = np.where(before >= 0, before, home[person])
    st_code = np.array([STATUSES.index(STATUS_AFTER[k]) if k in STATUS_AFTER else -1
                        for k in kinds], dtype=np.int64)[kind_code]
    st_after = _pick(st_code, _ffill(st_code >= 0, lo), 0)
    st_before = np.where(idx > lo, st_after[np.maximum(idx - 1, 0)],
                         np.where(kind_code == kinds.tolist().index("复学"), 1, 0)
                         if "复学" in kinds else 0)
    nxt = np.where(idx + 1 < hi, np.minimum(idx + 1, max(len(idx) - 1, 0)), -1)
    school_txt = np.append(schools, None)  # code -1 decodes to None
    status_txt = np.array(STATUSES, dtype=object)
    chain = pd.DataFrame({
        "person": person,
        "seq": idx - lo + 1,
        "学籍号": changes["学籍号"].array.take(rows),
        "业务编号": changes["业务编号"].array.take(rows),
        "业务类型": kind,
        "发起日期": changes["发起日期"].to_numpy(dtype="datetime64[ns]")[rows],
        "办结日期": changes["办结日期"].to_numpy(dtype="datetime64[ns]")[rows],
        "转出学校标识码": changes["转出学校标识码"].array.take(rows),
        "转入学校标识码": changes["转入学校标识码"].array.take(rows),
        "school_before": school_txt[before],
        "school_after": school_txt[after],
        "status_before": status_txt[st_before],
        "status_after": status_txt[st_after],
        "period_end": np.where(nxt >= 0, when[np.maximum(nxt, 0)] if len(when) else when,
                               np.datetime64("NaT")).astype("datetime64[ns]"),
        "_out": out_code, "_into": in_code, "_transfer": is_tr,
        "_when": when.astype("datetime64[ns]"),
    }, copy=False)
    return Chains(persons, records, chain, schools)
