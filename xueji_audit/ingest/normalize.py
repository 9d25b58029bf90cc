"""Normalising the cells of one recognised table, column by column, by the column's kind.

Works on pyarrow text arrays (vectorised; a value is only rewritten when it needs it) and
returns typed pandas columns plus, for the rows that cannot be loaded, the Chinese reasons.
Kinds are described in :mod:`xueji_audit.schema`; date parsing lives in
:mod:`xueji_audit.ingest.normalize_dates`.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import schema
from ..schema import Table
from .normalize_dates import parse_dates

# Required columns whose *value* may be empty: an empty 身份证件号 is itself a finding (ID-06,
# DU-03, XJ-04 look at it), so such a row is loaded, not rejected.
EMPTY_ALLOWED = frozenset({("students", "身份证件号")})
ID_NUMBER_COLUMNS = frozenset({"身份证件号", "成员1身份证件号", "成员2身份证件号"})
UPPER_COLUMNS = ID_NUMBER_COLUMNS | {"学籍号"}
_SCI = r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$"
_LONG_DECIMAL = r"^\d{16,}\.\d*$"
_SHORT_DECIMAL = r"^(\d{1,15})\.0*$"
_CN = "一二三四五六七八九十"
_LOST = ("{col}「{v}」已被 Excel 转成数字，后几位已丢失，无法恢复；"
         "请在导出或编辑时把该列设为文本后重新导出")


Values = dict[str, dict[str, str]]
"""Local spellings from a rule profile: column name → {local value → accepted spelling}."""


def vocabulary(kind: str, local: dict[str, str] | None = None) -> dict[str, object]:
    """The accepted spellings of a coded kind (:data:`schema.VOCABULARY`) plus ``local`` ones
    (a profile's ``[values.<列>]``), each local value resolved through the vocabulary."""
    base = schema.VOCABULARY[kind]
    if not local:
        return base
    out = dict(base)
    for value, target in local.items():
        key = _spelling(kind, value)
        out[key] = base.get(_spelling(kind, str(target)), out.get(key))
    return out


def _spelling(kind: str, value: str) -> str:
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return text.upper() if kind in schema.UPPER_KINDS else text


@dataclass
class Problems:
    """Reasons why rows cannot be loaded, gathered column by column (row position → texts)."""

    parts: list[pd.Series] = field(default_factory=list)

    def add(self, mask: np.ndarray, messages: list[str] | str) -> None:
        pos = np.flatnonzero(mask)
        if len(pos):
            msgs = [messages] * len(pos) if isinstance(messages, str) else messages
            self.parts.append(pd.Series(msgs, index=pos, dtype=object))

    def reasons(self) -> pd.Series:
        """One ``'；'``-joined reason per problem row, indexed by row position."""
        if not self.parts:
            return pd.Series([], dtype=object)
        s = pd.concat(self.parts)
        return s.groupby(level=0, sort=True).agg("；".join)


def _any(mask) -> bool:
    return bool(pc.any(mask).as_py())


def _where(arr: pa.Array, pattern: str) -> pa.Array:
    return pc.fill_null(pc.match_substring_regex(arr, pattern), False)


def _sub(arr: pa.Array, pattern: str, repl: str) -> pa.Array:
    """Regex replace, only run when some value matches."""
    return pc.replace_substring_regex(arr, pattern, repl) if _any(_where(arr, pattern)) else arr


def _null_if_empty(arr: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(pc.binary_length(arr), 0), pa.scalar(None, pa.string()), arr)


def clean_text(arr: pa.Array) -> pa.Array:
    """NFKC, leading apostrophe and line breaks removed, trimmed; empty → null.

    Applied to the distinct values only (``dictionary_encode``), then spread back.
    """
    enc = pc.dictionary_encode(arr)
    d = enc.dictionary
    if not pc.all(pc.string_is_ascii(d)).as_py():
        d = pc.utf8_normalize(d, form="NFKC")
    d = _sub(d, r"^\s*'", "")
    d = _sub(d, r"[\r\n]+", "")
    d = _null_if_empty(pc.utf8_trim_whitespace(d))
    return d.take(enc.indices)


def _clean_id_values(arr: pa.Array, upper: bool) -> pa.Array:
    if not pc.all(pc.string_is_ascii(arr)).as_py():
        arr = pc.utf8_normalize(arr, form="NFKC")
    arr = pc.replace_substring_regex(arr, r"[\s\x{3000}\x{a0}\x{feff}\x{200b}']+", "")
    arr = pc.utf8_upper(arr) if upper else arr
    return pc.replace_substring_regex(arr, _SHORT_DECIMAL, r"\1")


def clean_id(arr: pa.Array, upper: bool) -> pa.Array:
    """Identifier text: half-width, no whitespace at all, no Excel ``'`` marker; empty → null.

    Only the values holding anything but ASCII letters and digits are rewritten.
    """
    arr = pc.fill_null(arr, "")
    plain = pc.ascii_is_alnum(arr)
    if upper:
        plain = pc.and_(plain, pc.invert(pc.ascii_is_lower(arr)))
        plain = pc.and_(plain, pc.invert(pc.ends_with(arr, "x")))
    need = pc.invert(plain)
    if _any(need):
        fixed = _clean_id_values(arr.filter(need), upper)
        arr = pc.replace_with_mask(arr, need, fixed)
    return _null_if_empty(arr)


def _int64(arr: pa.Array) -> pd.Series:
    """A nullable ``Int64`` column from an integer pyarrow array."""
    mask = pc.is_null(arr).to_numpy(zero_copy_only=False)
    values = pc.fill_null(arr, 0).cast(pa.int64()).to_numpy(zero_copy_only=False)
    return pd.Series(pd.arrays.IntegerArray(values, mask))


def _strings(arr: pa.Array) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(arr))


def _quoted(raw: pa.Array, mask: np.ndarray, template: str, **kw) -> list[str]:
    values = raw.filter(pa.array(mask)).to_pylist()
    return [template.format(v=v, **kw) for v in values]


def _lost_digits(col: str, raw: pa.Array, cleaned: pa.Array, numbers: np.ndarray | None,
                 problems: Problems) -> np.ndarray:
    """Rows whose identifier went through a number and lost digits (then set to NA)."""
    bad = np.zeros(len(raw), dtype=bool)
    if numbers is not None:
        bad |= np.abs(np.nan_to_num(numbers)) >= 1e15
    if col in ID_NUMBER_COLUMNS:
        dotted = pc.fill_null(pc.invert(pc.ascii_is_alnum(cleaned)), False)
        pos = np.flatnonzero(dotted.to_numpy(zero_copy_only=False))
        if len(pos):
            sub = cleaned.take(pa.array(pos))
            hit = pc.or_(_where(sub, _SCI), _where(sub, _LONG_DECIMAL))
            bad[pos] |= hit.to_numpy(zero_copy_only=False)
    problems.add(bad, _quoted(raw, bad, _LOST, col=col))
    return bad


def map_codes(arr: pa.Array, mapping: dict[str, object]) -> tuple[pa.Array, np.ndarray]:
    """Map each value through ``mapping`` (vectorised); also return where a value is unknown."""
    keys = pa.array(list(mapping), pa.string())
    values = pa.array(list(mapping.values()))
    idx = pc.index_in(arr, value_set=keys)
    out = values.take(idx)
    unknown = pc.and_(pc.is_valid(arr), pc.is_null(idx)).to_numpy(zero_copy_only=False)
    return out, unknown


@dataclass
class Unknown:
    """Coded values the vocabulary did not know: per column, the rows and their raw text."""

    columns: dict[str, tuple[np.ndarray, pa.Array]] = field(default_factory=dict)

    def add(self, col: str, mask: np.ndarray, raw: pa.Array) -> None:
        if mask.any():
            self.columns[col] = (mask, raw)


def normalize_column(col: str, kind: str, raw: pa.Array, numbers: np.ndarray | None,
                     problems: Problems, unknown: Unknown | None = None,
                     local: dict[str, str] | None = None) -> tuple[pd.Series, np.ndarray]:
    """One column: typed values and where the cell is empty; unusable values get a reason.

    A coded value the vocabulary does not know leaves the cell empty and is recorded in
    ``unknown`` (the row is still loaded)."""
    if kind == "id":
        cleaned = clean_id(raw, upper=col in UPPER_COLUMNS)
        empty = pc.is_null(cleaned).to_numpy(zero_copy_only=False)
        bad = _lost_digits(col, raw, cleaned, numbers, problems)
        if bad.any():
            cleaned = pc.if_else(pa.array(bad), pa.scalar(None, pa.string()), cleaned)
        return _strings(cleaned), empty
    text = clean_text(raw)
    empty = pc.is_null(text).to_numpy(zero_copy_only=False)
    if kind in schema.VOCABULARY:
        text = pc.utf8_upper(text) if kind in schema.UPPER_KINDS else text
        mapped, bad = map_codes(text, vocabulary(kind, local))
        (unknown or Unknown()).add(col, bad, raw)
        return (_int64(mapped) if kind == "grade" else _strings(mapped)), empty
    return _typed(col, kind, raw, text, numbers, problems), empty


def _typed(col: str, kind: str, raw: pa.Array, text: pa.Array, numbers: np.ndarray | None,
           problems: Problems) -> pd.Series:
    if kind in ("text", "yesno"):
        return _strings(text)
    if kind in ("date", "datetime", "month"):
        values, bad = _dates(text, numbers, kind)
        problems.add(bad, _quoted(raw, bad, "{col}「{v}」不是可识别的日期", col=col))
        return pd.Series(values)
    if kind == "int":
        ok = _where(text, r"^[+-]?\d{1,9}$")
        bad = pc.and_(pc.is_valid(text), pc.invert(ok)).to_numpy(zero_copy_only=False)
        problems.add(bad, _quoted(raw, bad, "{col}「{v}」不是整数", col=col))
        ints = pc.cast(pc.if_else(ok, text, pa.scalar(None, pa.string())), pa.int64())
        return _int64(ints)
    raise ValueError(f"unknown column kind {kind!r}")


def _dates(text: pa.Array, numbers: np.ndarray | None, kind: str
           ) -> tuple[np.ndarray, np.ndarray]:
    """Parse dates once per distinct text when no cell was numeric."""
    if numbers is not None:
        return parse_dates(text, numbers, kind)
    enc = pc.dictionary_encode(text)
    values, bad = parse_dates(enc.dictionary, None, kind)
    # one extra slot for empty cells (null index)
    values = np.append(values, np.datetime64("NaT", "ns"))
    bad = np.append(bad, False)
    idx = pc.fill_null(enc.indices, len(values) - 1).to_numpy(zero_copy_only=False)
    return values[idx], bad[idx]


def empty_column(kind: str, n: int) -> pd.Series:
    """An all-NA column of the dtype a kind loads as."""
    if kind in ("date", "datetime", "month"):
        return pd.Series(np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"))
    if kind in ("int", "grade"):
        return pd.Series(pd.array([pd.NA] * n, dtype="Int64"))
    return _strings(pa.nulls(n, pa.string()))


def normalize_table(table: Table, raw: dict[str, tuple[pa.Array, np.ndarray | None]],
                    n: int, values: Values | None = None
                    ) -> tuple[pd.DataFrame, Problems, Unknown]:
    """All of ``table``'s columns, typed (absent ones all-NA), the problems found and the
    coded values not understood (``values``: a profile's local spellings per column)."""
    problems, unknown = Problems(), Unknown()
    out: dict[str, pd.Series] = {}
    for column in table.columns:
        if column.name not in raw:
            out[column.name] = empty_column(column.kind, n)
            continue
        arr, numbers = raw[column.name]
        series, empty = normalize_column(column.name, column.kind, arr, numbers, problems,
                                         unknown, (values or {}).get(column.name))
        if column.required and (table.key, column.name) not in EMPTY_ALLOWED:
            problems.add(empty, f"必填项「{column.name}」为空")
        out[column.name] = series
    return pd.DataFrame(out, copy=False), problems, unknown  # no copy into consolidated blocks
