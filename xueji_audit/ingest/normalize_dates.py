"""Vectorised parsing of the date forms found in 学籍 exports.

Accepted: ``YYYYMMDD``, ``YYYY-MM-DD``, ``YYYY/M/D``, ``YYYY.M.D``, ``YYYY年M月D日``, each with an
optional time ``HH:MM[:SS]``; Excel serial numbers (numeric cells, or 5-digit text 20000–80000);
real date cells (the readers render them as ``YYYY-MM-DD HH:MM:SS``). For 入学年月 (kind
``month``) also ``YYYYMM``, ``YYYY-MM`` and ``YYYY年M月``.

Each form is picked out with a regular expression over the whole column (pyarrow), the parts are
turned into numbers and checked (no 2月30日) with numpy — no per-value Python.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_COMPACT = r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"
_SEPARATED = (r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
              r"(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?$")
_MONTH_COMPACT = r"^(?P<y>\d{4})(?P<m>\d{2})$"
_MONTH_SEPARATED = r"^(?P<y>\d{4})-(?P<m>\d{1,2})-?$"
_SERIAL_TEXT = r"^\d{5}(\.\d+)?$"
_EXCEL_EPOCH = np.datetime64("1899-12-30", "ns")
_NS_PER_DAY = 86_400 * 10**9


def _where(arr: pa.Array, pattern: str) -> np.ndarray:
    return pc.fill_null(pc.match_substring_regex(arr, pattern), False).to_numpy(
        zero_copy_only=False)


def canonical(text: pa.Array) -> pa.Array:
    """``2008年1月2日`` / ``2008/1/2`` / ``2008.1.2`` → ``2008-1-2``; ``T`` → space."""
    if not _where(text, r"[^0-9 :\-]").any():
        return text
    text = pc.replace_substring_regex(text, r"(:\d{2})\.\d+$", r"\1")
    text = pc.replace_substring_regex(text, r"[年月/.]", "-")
    text = pc.replace_substring_regex(text, r"[日号]", "")
    return pc.replace_substring_regex(text, r"(\d)T(\d)", r"\1 \2")


def _parts(text: pa.Array, pattern: str, names: str) -> tuple[np.ndarray, list[np.ndarray]]:
    """Where ``pattern`` matches, and its named groups as int arrays (0 where absent)."""
    hit = _where(text, pattern)
    if not hit.any():
        return hit, [np.zeros(len(text), np.int64) for _ in names]
    found = pc.extract_regex(text, pattern)
    groups = []
    for name in names:
        try:
            f = pc.struct_field(found, name)
        except (KeyError, pa.ArrowInvalid):
            groups.append(np.zeros(len(text), np.int64))
            continue
        f = pc.if_else(pc.equal(f, ""), "0", f)
        groups.append(pc.fill_null(pc.cast(f, pa.int64()), 0).to_numpy(zero_copy_only=False))
    return hit, groups


def compose(y, m, d, hh=0, mm=0, ss=0) -> tuple[np.ndarray, np.ndarray]:
    """Date-times (``datetime64[ns]``) from parts, and which parts form a real date-time."""
    y, m, d = (np.asarray(a, np.int64) for a in (y, m, d))
    ok = (y >= 1900) & (y <= 2100) & (m >= 1) & (m <= 12) & (d >= 1)
    months = np.where(ok, (y - 1970) * 12 + m - 1, 0).astype("datetime64[M]")
    start = months.astype("datetime64[D]")
    dim = ((months + 1).astype("datetime64[D]") - start).astype(np.int64)
    ok &= d <= dim
    hh, mm, ss = (np.broadcast_to(np.asarray(a, np.int64), y.shape) for a in (hh, mm, ss))
    ok &= (hh < 24) & (mm < 60) & (ss < 60)
    days = start + np.where(ok, d - 1, 0).astype("timedelta64[D]")
    secs = (hh * 3600 + mm * 60 + ss).astype("timedelta64[s]")
    out = days.astype("datetime64[ns]") + secs.astype("timedelta64[ns]")
    out[~ok] = np.datetime64("NaT")
    return out, ok


def parse_dates(text: pa.Array, numbers: np.ndarray | None, kind: str
                ) -> tuple[np.ndarray, np.ndarray]:
    """Parse a cleaned text column (null = empty) → ``(datetime64[ns] array, bad mask)``.

    ``kind`` is ``date`` (time dropped), ``datetime`` or ``month`` (first of the month).
    """
    n = len(text)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    done = np.zeros(n, dtype=bool)
    canon = canonical(text)
    forms = [(_COMPACT, "ymd"), (_SEPARATED, "ymdHMS")]
    if kind == "month":
        forms = [(_MONTH_COMPACT, "ym"), (_MONTH_SEPARATED, "ym"), *forms]
    for pattern, names in forms:
        hit, parts = _parts(canon, pattern, names)
        hit &= ~done
        if not hit.any():
            continue
        p = dict(zip(names, parts, strict=True))
        day = np.ones(n, np.int64) if kind == "month" else p["d"]
        hms = (p.get("H", 0), p.get("M", 0), p.get("S", 0))
        values, ok = compose(p["y"], p["m"], day, *(hms if kind == "datetime" else (0, 0, 0)))
        # the written day and time must be real even where they are not kept
        ok &= compose(p["y"], p["m"], p.get("d", day), *hms)[1]
        hit &= ok
        out[hit] = values[hit]
        done |= hit
    serial = np.full(n, np.nan)
    if numbers is not None:
        serial = np.where((numbers >= 1) & (numbers < 100_000), numbers, np.nan)
    text_serial = _where(text, _SERIAL_TEXT) & ~done
    if text_serial.any():
        vals = pc.cast(text.filter(pa.array(text_serial)), pa.float64()).to_numpy()
        vals = np.where((vals >= 20_000) & (vals <= 80_000), vals, np.nan)
        serial[text_serial] = vals
    use = ~done & ~np.isnan(serial)
    if use.any():
        days = serial[use] if kind == "datetime" else np.floor(serial[use])
        values = _EXCEL_EPOCH + (days * _NS_PER_DAY).round().astype("timedelta64[ns]")
        if kind == "month":
            values = values.astype("datetime64[M]").astype("datetime64[ns]")
        out[use] = values
        done |= use
    bad = pc.is_valid(text).to_numpy(zero_copy_only=False) & ~done
    return out, bad
