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


def _text(s: pd.Series) -> pd.Series:
    """Text (object), stripped, ``""`` where missing."""
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


def _date_features(name: str, s: pd.Series) -> dict[str, pd.Series]:
    if pd.api.types.is_datetime64_any_dtype(s):
        ok = s.notna().to_numpy()
        y = s.dt.year.fillna(0).to_numpy(np.int64)
        m = s.dt.month.fillna(0).to_numpy(np.int64)
        d = s.dt.day.fillna(0).to_numpy(np.int64)
        swap = y * 10000 + np.minimum(m, d) * 100 + np.maximum(m, d)
        out = {}
        for col, num in ((name, y * 10000 + m * 100 + d), (f"{name}:swap", swap)):
            text = num.astype(str).astype(object)
            text[~ok] = ""
            out[col] = pd.Series(text, index=s.index, dtype=object)
        return out
    t = _date_text(s)
    ok = t != ""
    mm, dd = t.str[4:6], t.str[6:8]
    first = mm <= dd
    lo, hi = mm.where(first, dd), dd.where(first, mm)
    swap = (t.str[:4] + lo + hi).where(ok, "")
    return {name: t, f"{name}:swap": swap}


def _id_features(name: str, s: pd.Series) -> dict[str, pd.Series]:
    def features(u: pd.Series) -> pd.DataFrame:
        raw = _text(u).str.upper()
        v = validate_ids(raw.where(raw != "", None))
        n = raw.str.len()
        id15 = raw.where(n == 15, raw.str[:6] + raw.str[8:17]).where((n == 15) | (n == 18), "")
        return pd.DataFrame({
            name: raw.astype(object),
            f"{name}:id15": id15.astype(object),
            f"{name}:id18": v["id18"].astype("string").fillna("").astype(object),
            f"{name}:valid": np.where(v["valid"].to_numpy(), "1", "").astype(object),
        })
    out = _by_unique(s, features)
    return {c: out[c] for c in out.columns}


def _p14(features: pd.DataFrame, name: str) -> pd.Series:
    raw = features[name]
    body = raw.where(raw.str.len() == 18, features[f"{name}:id18"])
    return body.str[:14].where(body.str.len() >= 14, "")


_DERIVED = {
    "first2": lambda f, c: f[c].str[:2], "last2": lambda f, c: f[c].str[-2:],
    "first4": lambda f, c: f[c].str[:4], "last4": lambda f, c: f[c].str[-4:],
    "ym": lambda f, c: f[c].str[:6], "y": lambda f, c: f[c].str[:4], "p14": _p14,
}
"""Keys computed only when a blocking rule names them."""


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
            n = zh.normalize_names(s)
            raw = zh.clean_names(s).fillna("")
            cols.update({c: n["name"], f"{c}:raw": raw, f"{c}:sound": n["sound"],
                         f"{c}:shape": n["shape"], f"{c}:surname": n["pinyin_surname"],
                         f"{c}:given": n["given"]})
        elif f.kind in ("name", "text"):
            sep = " " if f.kind == "name" else ""
            cols[c] = _by_unique(s, lambda u, sep=sep: _text(u).str.lower().str.replace(
                r"\s+", sep, regex=True).astype(object))
        elif f.kind == "id_cn":
            cols.update(_id_features(c, s))
        elif f.kind == "code":
            cols[c] = _by_unique(s, lambda u: _text(u).str.upper().str.replace(
                r"\s+", "", regex=True).astype(object))
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
