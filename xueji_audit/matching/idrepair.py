"""Repair candidates of a mistyped 居民身份证 number.

The check digit (GB 11643) says that an 18-digit number is wrong, not where. The candidates
are the numbers one typing slip away — one digit replaced, two adjacent digits swapped, or
the check digit itself wrong — that pass the check. The record's own birth date and sex say
which digits to trust: a candidate must carry the record's 出生日期 in digits 7–14 and a 17th
digit of the record's sex (odd 男, even 女) when these are known. A 15-digit number is
upgraded to 18 by :func:`xueji_audit.ids.validate_ids`, not here.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..ids import CHECK_CHARS, WEIGHTS, base11
from ..schema import STRING

_CHECK = np.frombuffer(CHECK_CHARS.encode(), dtype=np.uint8) - 48  # 'X' -> 40


def _check_of(body: np.ndarray) -> np.ndarray:
    """Check digit value (0–9, 40 for X) of N × 17 digit rows."""
    return _CHECK[(body * WEIGHTS).sum(axis=1) % 11]


def repair_candidates(ids: pd.Series, birth: pd.Series | None = None,
                      sex: pd.Series | None = None) -> pd.DataFrame:
    """Candidates for every 18-character number that fails the check.

    ``ids`` are 18-character texts (others are ignored); ``birth`` (datetime) and ``sex``
    (男/女) are the record's own values, aligned with ``ids``. Returns ``row`` (position in
    ``ids``), ``candidate`` (a valid 18-digit number) and ``how`` (Chinese: which digit was
    changed).
    """
    s = ids.astype(STRING).fillna("").to_numpy(dtype=object)
    arr = np.asarray(s, dtype="U18")
    codes = arr.view(np.uint32).reshape(len(arr), 18) if len(arr) else np.zeros((0, 18),
                                                                                np.uint32)
    lengths = np.char.str_len(arr) if len(arr) else np.zeros(0, int)
    digits = (codes >= 48) & (codes <= 57)
    shaped = (lengths == 18) & digits[:, :17].all(axis=1) & (digits[:, 17] | (codes[:, 17] == 88))
    d = codes.astype(np.int64) - 48
    d[:, 17] = np.where(codes[:, 17] == 88, 40, d[:, 17])
    bad = shaped & (_check_of(d[:, :17]) != d[:, 17])
    rows = np.flatnonzero(bad)
    body, chk = d[rows, :17], d[rows, 17]

    cands, origin, how = [], [], []
    # the check digit alone is wrong
    cands.append(np.c_[body, _check_of(body)])
    origin.append(rows)
    how.append(np.full(len(rows), "校验位"))
    # one body digit replaced: the one digit value that makes the check right
    for k in range(17):
        for v in range(10):
            alt = body.copy()
            alt[:, k] = v
            ok = (body[:, k] != v) & (_check_of(alt) == chk)
            cands.append(np.c_[alt[ok], chk[ok]])
            origin.append(rows[ok])
            how.append(np.full(int(ok.sum()), f"第{k + 1}位"))
    # two adjacent digits swapped (the check digit included)
    full = np.c_[body, chk]
    for k in range(17):
        alt = full.copy()
        alt[:, [k, k + 1]] = alt[:, [k + 1, k]]
        ok = (full[:, k] != full[:, k + 1]) & (alt[:, :17] < 10).all(axis=1)
        ok &= _check_of(np.minimum(alt[:, :17], 9)) == alt[:, 17]
        cands.append(alt[ok])
        origin.append(rows[ok])
        how.append(np.full(int(ok.sum()), f"第{k + 1}、{k + 2}位互换"))

    allc = np.concatenate(cands) if cands else np.zeros((0, 18), np.int64)
    row = np.concatenate(origin) if origin else np.zeros(0, np.int64)
    text = np.where(allc == 40, ord("X"), allc + 48).astype(np.uint32)
    cand = text.view("U18").ravel() if len(text) else np.zeros(0, "U18")
    out = pd.DataFrame({"row": row, "candidate": cand.astype(object),
                        "how": np.concatenate(how) if how else []})
    if len(out) == 0:
        return out
    cb = pd.to_datetime(out["candidate"].str[6:14], format="%Y%m%d", errors="coerce")
    keep = cb.notna().to_numpy()
    if birth is not None:
        b = pd.to_datetime(birth).to_numpy()[out["row"].to_numpy()]
        keep &= pd.isna(b) | (cb.to_numpy() == b)
    if sex is not None:
        sx = sex.astype(STRING).fillna("").to_numpy(dtype=object)[out["row"].to_numpy()]
        odd = out["candidate"].str[16].astype(int).to_numpy() % 2 == 1
        keep &= (sx == "") | ((sx == "男") == odd)
    return out[keep].drop_duplicates(["row", "candidate"]).reset_index(drop=True)


def _keys18(texts: np.ndarray) -> np.ndarray:
    """Base-11 numbers of 18-character texts of digits and ``X`` (one per text)."""
    d = np.asarray(texts, dtype="U18").view(np.uint32).reshape(len(texts), 18)
    return base11(np.ascontiguousarray(d.T))[0]


def repair_pairs(features: pd.DataFrame, id_col: str, birth_col: str | None,
                 sex_col: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i < j) where a repair candidate of record i's invalid number is record j's
    valid number (or the reverse), from a feature frame of :mod:`.features`."""
    # only a number that is not valid can fail the check digit
    rows = np.flatnonzero(features[f"{id_col}:valid"].to_numpy(dtype=object) != "1")
    birth = None
    if birth_col:
        b = features[birth_col].iloc[rows].reset_index(drop=True)
        birth = pd.to_datetime(b.where(b != ""), format="%Y%m%d", errors="coerce")
    sex = features[sex_col].iloc[rows].reset_index(drop=True) if sex_col else None
    cand = repair_candidates(features[id_col].iloc[rows].reset_index(drop=True), birth, sex)
    cand = cand.assign(row=rows[cand["row"].to_numpy(np.int64)]) if len(cand) else cand
    valid = features[f"{id_col}:id18"].to_numpy(dtype=object)
    other = np.flatnonzero(valid != "")
    if len(cand):  # keep the valid numbers some candidate names (compared as numbers)
        other = other[pd.Series(_keys18(valid[other])).isin(
            _keys18(cand["candidate"].to_numpy(dtype=object))).to_numpy()]
    target = pd.DataFrame({"candidate": valid[other], "other": other})
    hits = cand.merge(target, on="candidate")
    i, j = hits["row"].to_numpy(np.int64), hits["other"].to_numpy(np.int64)
    keep = i != j
    return np.minimum(i, j)[keep], np.maximum(i, j)[keep]
