"""What the matcher compares: a column mapping (:class:`MatchSpec`) and the derived features.

A mapping names the record key and, for each compared column, its *kind*:

``name_zh``  a Chinese personal name (:mod:`xueji_audit.names`): keys ``:sound``, ``:shape``,
             ``:surname`` (pinyin of the surname), ``:raw`` (cleaned, not simplified);
``name``     a Latin-script name (lower-cased);
``text``     free text such as an address (lower-cased, no spaces);
``id_cn``    a 居民身份证 number: ``:id18`` (the 18-digit form of a valid number, 15 → 18),
             ``:id15`` (the 15-digit form: no century digits, no check digit), ``:valid``, ``:p14`` (region + birth, digits 1–14, also of an invalid number);
``code``     any other identifier compared character by character;
``date``     a date (``datetime64`` or ``YYYYMMDD`` text): ``:ym``, ``:y``, ``:swap`` (the same
             for a date and its day/month swap);

Any column also has ``:first2``, ``:last2``, ``:first4``, ``:last4`` for blocking; these and
``:ym``, ``:y``, ``:p14`` are computed only when a blocking rule names them.
``exact``    a categorical value compared for equality.

Every feature column is text (object) with ``""`` for missing, so blocking keys join simply.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import names as zh
from ..ids import validate_ids

KINDS: tuple[str, ...] = ("name_zh", "name", "text", "id_cn", "code", "date", "exact")


@dataclass(frozen=True)
class FieldSpec:
    """One compared column: its name in the data, its kind and its Chinese label."""

    column: str
    kind: str
    label: str = ""
    tf: bool = False  # term-frequency adjustment of an exact agreement
    group: str = ""  # fields of one group (e.g. the household) count as one piece of evidence

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown field kind {self.kind!r}; use one of {KINDS}")


@dataclass(frozen=True)
class MatchSpec:
    """A column mapping for :func:`xueji_audit.matching.match`.

    ``blocks`` are the blocking rules: each a tuple of feature names (a column, or
    ``column:key``) that must all be equal and non-empty for two records to be compared.
    ``source`` names a column telling the data sets apart when linking two of them: only
    pairs across sources are then compared. ``guards`` are (name field, household fields):
    when the names differ clearly while a household field agrees, the pair is taken for
    siblings (twins) and kept apart.
    """

    key: str
    fields: tuple[FieldSpec, ...]
    blocks: tuple[tuple[str, ...], ...]
    source: str | None = None
    max_block: int = 2000
    guards: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())
    repair: tuple[tuple[str, str | None, str | None], ...] = field(default=())

    def field(self, column: str) -> FieldSpec:
        for f in self.fields:
            if f.column == column:
                return f
        raise KeyError(column)


def _by_unique(s: pd.Series, fn) -> pd.DataFrame | pd.Series:
    """``fn`` applied to the distinct values of ``s`` only, spread back to every row."""
    codes, uniq = pd.factorize(s, use_na_sentinel=False)
    res = fn(pd.Series(uniq, dtype=object))
    res = res.iloc[codes]
    res.index = s.index
    return res


def _strings(s: pd.Series) -> np.ndarray | None:
    """The values of a text column as an object array of ``str`` (``""`` where missing), or
    None when the column holds anything but text."""
    if isinstance(s.dtype, pd.StringDtype):
        return s.to_numpy(dtype=object, na_value="")
    if s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
        arr = s.to_numpy(dtype=object, copy=True)
        arr[pd.isna(arr)] = ""
        return arr
    return None


def _each(fn, arr: np.ndarray, index: pd.Index) -> pd.Series:
    """``fn`` applied to every string of ``arr``, as an object Series."""
    out = np.empty(len(arr), dtype=object)
    out[:] = [fn(x) for x in arr.tolist()]
    return pd.Series(out, index=index, dtype=object)


def _text(s: pd.Series) -> pd.Series:
    """Text (object), stripped, ``""`` where missing."""
    arr = _strings(s)
    if arr is not None:
        return _each(str.strip, arr, s.index)

    def clean(u: pd.Series) -> pd.Series:
        out = u.where(u.notna(), "").astype(str).str.strip()
        return out.where(u.notna(), "").astype(object)
    return _by_unique(s, clean)


def _ymd(s: pd.Series) -> pd.Series:
    """Datetimes as ``YYYYMMDD`` text, ``""`` where missing (without slow strftime)."""
    ok = s.notna().to_numpy()
    num = (s.dt.year * 10000 + s.dt.month * 100 + s.dt.day).fillna(0).to_numpy(np.int64)
    text = num.astype(str).astype(object)
    text[~ok] = ""
    return pd.Series(text, index=s.index, dtype=object)


def _date_text(s: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s):
        return _ymd(s)
    t = _text(s).str.replace(r"[^0-9]", "", regex=True)
    return t.where(t.str.len() == 8, "")


def _number_text(num: np.ndarray, ok: np.ndarray, index: pd.Index) -> pd.Series:
    """Integers as decimal text (once per distinct value), ``""`` where not ``ok``."""
    codes, uniq = pd.factorize(num)
    text = uniq.astype(str).astype(object)[codes]
    text[~ok] = ""
    return pd.Series(text, index=index, dtype=object)


def _date_features(name: str, s: pd.Series) -> dict[str, pd.Series]:
    if pd.api.types.is_datetime64_any_dtype(s):
        ok = s.notna().to_numpy()
        y = s.dt.year.fillna(0).to_numpy(np.int64)
        m = s.dt.month.fillna(0).to_numpy(np.int64)
        d = s.dt.day.fillna(0).to_numpy(np.int64)
        swap = y * 10000 + np.minimum(m, d) * 100 + np.maximum(m, d)
        return {name: _number_text(y * 10000 + m * 100 + d, ok, s.index),
                f"{name}:swap": _number_text(swap, ok, s.index)}
    t = _date_text(s)
    ok = t != ""
    mm, dd = t.str[4:6], t.str[6:8]
    first = mm <= dd
    lo, hi = mm.where(first, dd), dd.where(first, mm)
    swap = (t.str[:4] + lo + hi).where(ok, "")
    return {name: t, f"{name}:swap": swap}


def _id15(raw: str) -> str:
    """The 15-digit form (no century, no check digit) of a 15- or 18-character number."""
    n = len(raw)
    return raw if n == 15 else raw[:6] + raw[8:17] if n == 18 else ""


def _id_frame(name: str, raw: pd.Series) -> pd.DataFrame:
    """The ID features of upper-cased, stripped numbers (``""`` where missing)."""
    v = validate_ids(raw.where(raw != "", None))
    id15 = np.empty(len(raw), dtype=object)
    id15[:] = [_id15(x) for x in raw.tolist()]
    return pd.DataFrame({
        name: raw.astype(object),
        f"{name}:id15": id15,
        f"{name}:id18": v["id18"].to_numpy(dtype=object, na_value=""),
        f"{name}:valid": np.where(v["valid"].to_numpy(), "1", "").astype(object),
    }, index=raw.index)


def _id_features(name: str, s: pd.Series) -> dict[str, pd.Series]:
    arr = _strings(s)
    if arr is not None:
        out = _id_frame(name, _each(lambda x: x.strip().upper(), arr, s.index))
    else:
        out = _by_unique(s, lambda u: _id_frame(name, _text(u).str.upper()))
    return {c: out[c] for c in out.columns}


def _p14(features: pd.DataFrame, name: str) -> pd.Series:
    def p14(raw: str, id18: str) -> str:
        body = raw if len(raw) == 18 else id18
        return body[:14] if len(body) >= 14 else ""
    out = np.empty(len(features), dtype=object)
    out[:] = [p14(r, i) for r, i in zip(features[name].tolist(),
                                       features[f"{name}:id18"].tolist(), strict=True)]
    return pd.Series(out, index=features.index, dtype=object)


def _slice(start: int | None, stop: int | None):
    """A derived key: a slice of every text of a feature column."""
    def derive(f: pd.DataFrame, c: str) -> pd.Series:
        out = np.empty(len(f), dtype=object)
        out[:] = [x[start:stop] for x in f[c].tolist()]
        return pd.Series(out, index=f.index, dtype=object)
    return derive


_DERIVED = {
    "first2": _slice(None, 2), "last2": _slice(-2, None),
    "first4": _slice(None, 4), "last4": _slice(-4, None),
    "ym": _slice(None, 6), "y": _slice(None, 4), "p14": _p14,
}
"""Keys computed only when a blocking rule names them."""


def _squeeze(s: pd.Series, case, sep: str) -> pd.Series:
    """Stripped text in ``case`` (str.lower / str.upper), each run of whitespace → ``sep``."""
    arr = _strings(s)
    if arr is not None:  # str.split() and the regex \s both split at str.isspace characters
        return _each(lambda x: sep.join(case(x).split()), arr, s.index)
    return _by_unique(s, lambda u: getattr(_text(u).str, case.__name__)().str.replace(
        r"\s+", sep, regex=True).astype(object))


def _name_zh(c: str, s: pd.Series) -> dict[str, pd.Series]:
    """The Chinese-name features, computed once per distinct name."""
    arr = _strings(s)
    if arr is None:
        n, raw = zh.normalize_names(s), zh.clean_names(s).fillna("")
    else:  # a missing name and "" give the same features
        codes, uniq = pd.factorize(arr)
        u = pd.Series(uniq, dtype=object)
        n = zh.normalize_names(u).iloc[codes].set_axis(s.index)
        raw = zh.clean_names(u).fillna("").iloc[codes].set_axis(s.index)
    return {c: n["name"], f"{c}:raw": raw, f"{c}:sound": n["sound"], f"{c}:shape": n["shape"],
            f"{c}:surname": n["pinyin_surname"], f"{c}:given": n["given"]}


def prepare(df: pd.DataFrame, spec: MatchSpec) -> pd.DataFrame:
    """The feature frame of ``df`` (row order kept, a fresh 0..n-1 index)."""
    df = df.reset_index(drop=True)
    cols: dict[str, pd.Series] = {"_key": _text(df[spec.key])}
    if spec.source:
        cols["_source"] = _text(df[spec.source])
    for f in spec.fields:
        if f.column not in df.columns:
            cols[f.column] = pd.Series("", index=df.index, dtype=object)
            continue
        s, c = df[f.column], f.column
        if f.kind == "name_zh":
            cols.update(_name_zh(c, s))
        elif f.kind in ("name", "text"):
            cols[c] = _squeeze(s, str.lower, " " if f.kind == "name" else "")
        elif f.kind == "id_cn":
            cols.update(_id_features(c, s))
        elif f.kind == "code":
            cols[c] = _squeeze(s, str.upper, "")
        elif f.kind == "date":
            cols.update(_date_features(c, s))
        else:
            cols[c] = _text(s)
    out = pd.DataFrame(cols)
    for rule in spec.blocks:
        for item in rule:
            if item not in out.columns:
                base, _, key = item.partition(":")
                if key not in _DERIVED:
                    raise ValueError(f"unknown blocking key {item!r}")
                out[item] = _DERIVED[key](out, base)
    return out
