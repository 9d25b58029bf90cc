"""Normalising the cells of one recognised table, column by column, by the column's kind.

Works on pyarrow text arrays (vectorised; a value is only rewritten when it needs it) and
returns typed pandas columns plus, for the rows that cannot be loaded, the Chinese reasons.
Kinds are described in :mod:`xueji_audit.schema`; date parsing lives in
:mod:`xueji_audit.ingest.normalize_dates`.
"""
from __future__ import annotations

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


def _grades() -> dict[str, int]:
    names = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]
    out: dict[str, int] = {}
    for g, cn in enumerate(names, start=1):
        out.update({str(g): g, f"0{g}" if g < 10 else str(g): g, f"{cn}年级": g,
                    f"{g}年级": g})
        if g <= 6:
            out[f"小学{cn}年级"] = g
    for k, cn in enumerate("一二三", start=1):
        out.update({f"初{cn}": 6 + k, f"初中{cn}年级": 6 + k, f"高{cn}": 9 + k,
                    f"高中{cn}年级": 9 + k})
    return out


GRADES = _grades()
ID_TYPE_CODES = {**schema.ID_TYPES, **{v: v for v in schema.ID_TYPES.values()},
                 "身份证": schema.RESIDENT_ID}
SEXES = {**schema.SEX_CODES, "男性": "男", "女性": "女"}
STATUS_CODES = {**{s: s for s in schema.STATUSES}, **schema.STATUS_ALIASES}
_CODED = {"sex": (SEXES, "男/女 或代码 1/2"),
          "idtype": (ID_TYPE_CODES, "证件类型名称或代码 1、6、7、8、9、A、Z"),
          "status": (STATUS_CODES, "在校、休学、转出、毕业等学籍状态"),
          "grade": (GRADES, "一年级…九年级、初一…初三、高一…高三 或 1–12")}


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


def normalize_column(col: str, kind: str, raw: pa.Array, numbers: np.ndarray | None,
                     problems: Problems) -> tuple[pd.Series, np.ndarray]:
    """One column: typed values and where the cell is empty; unusable values get a reason."""
    if kind == "id":
        cleaned = clean_id(raw, upper=col in UPPER_COLUMNS)
        empty = pc.is_null(cleaned).to_numpy(zero_copy_only=False)
        bad = _lost_digits(col, raw, cleaned, numbers, problems)
        if bad.any():
            cleaned = pc.if_else(pa.array(bad), pa.scalar(None, pa.string()), cleaned)
        return _strings(cleaned), empty
    text = clean_text(raw)
    return _typed(col, kind, raw, text, numbers, problems), pc.is_null(text).to_numpy(
        zero_copy_only=False)


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
    mapping, expected = _CODED[kind]
    text = pc.utf8_upper(text) if kind == "idtype" else text
    mapped, bad = map_codes(text, mapping)
    problems.add(bad, _quoted(raw, bad, "{col}「{v}」无法识别（应为 {e}）", col=col,
                              e=expected))
    if kind == "grade":
        return _int64(mapped)
    return _strings(mapped)


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
                    n: int) -> tuple[pd.DataFrame, Problems]:
    """All of ``table``'s columns, typed (absent ones all-NA), and the problems found."""
    problems = Problems()
    out: dict[str, pd.Series] = {}
    for column in table.columns:
        if column.name not in raw:
            out[column.name] = empty_column(column.kind, n)
            continue
        arr, numbers = raw[column.name]
        series, empty = normalize_column(column.name, column.kind, arr, numbers, problems)
        if column.required and (table.key, column.name) not in EMPTY_ALLOWED:
            problems.add(empty, f"必填项「{column.name}」为空")
        out[column.name] = series
    return pd.DataFrame(out, copy=False), problems  # no copy into consolidated blocks
