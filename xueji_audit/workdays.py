"""Official mainland working days (with 调休), profile overrides and 寒暑假.

The official calendar comes from the ``chinese_calendar`` package (its data covers the years
in :data:`OFFICIAL_YEARS`). For any other year the calendar falls back to Monday–Friday unless
the profile supplies holidays or make-up workdays for that year; :meth:`WorkCalendar.fallback_years`
and :meth:`WorkCalendar.note_for` say so.

All counting goes through a per-day table: ``cum[i]`` is the number of working days among the
first ``i`` days of the table, so a count over any interval is one subtraction and "the n-th
working day after a" is one ``searchsorted``. The table covers whole years and is rebuilt
(wider) when a date outside it is asked for.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import chinese_calendar
import numpy as np
import pandas as pd

from .errors import ProfileError

_OFFICIAL_HOLIDAYS = frozenset(chinese_calendar.constants.holidays)
_OFFICIAL_WORKDAYS = frozenset(chinese_calendar.constants.workdays)
OFFICIAL_YEARS: frozenset[int] = frozenset(d.year for d in _OFFICIAL_HOLIDAYS)
"""Years the package's data covers (2004–2026 in chinesecalendar 1.11)."""

_EPOCH = dt.date(1970, 1, 1)
_MD = re.compile(r"^(\d{1,2})-(\d{1,2})$")
_MAX_YEARS_AHEAD = 200


def _to_date(value) -> dt.date:
    """A date from a date, datetime, Timestamp, numpy datetime64 or ISO text (time dropped)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()


def _profile_date(value) -> dt.date:
    """A profile holiday or make-up workday as a date, or a ProfileError saying which."""
    try:
        return _to_date(value)
    except (ValueError, TypeError):
        raise ProfileError(f"节假日或调休上班日「{value}」无法识别，请写成 YYYY-MM-DD。") from None


def _day(d: dt.date) -> int:
    return (d - _EPOCH).days


def _md_date(year: int, md: str, end: bool) -> dt.date:
    """``MM-DD`` in ``year``; a day past the month's end (02-29 in a common year) becomes the
    month's last day for a range end and the next month's first day for a range start."""
    m = _MD.match(md)
    month, day = int(m.group(1)), int(m.group(2))
    first = dt.date(year, month, 1)
    d = first + dt.timedelta(days=day - 1)
    if end and d.month != month:
        d -= dt.timedelta(days=d.day)
    return d


def _parse_vacation(rng) -> tuple[str, str] | tuple[dt.date, dt.date]:
    """Check one vacation range: two ``MM-DD`` texts, or two full dates."""
    try:
        start, end = rng
    except (TypeError, ValueError):
        raise ProfileError(f"寒暑假范围「{rng}」应为两个日期，例如 (\"07-15\", \"08-31\")。") from None
    if isinstance(start, str) and isinstance(end, str) and _MD.match(start) and _MD.match(end):
        for md in (start, end):
            month, day = map(int, md.split("-"))
            if not (1 <= month <= 12 and 1 <= day <= 31):
                raise ProfileError(f"寒暑假范围中的「{md}」不是有效的月-日。")
        return start, end
    try:
        a, b = _to_date(start), _to_date(end)
    except (ValueError, TypeError):
        raise ProfileError(
            f"寒暑假范围「{start}」至「{end}」无法识别，请写成 MM-DD 或 YYYY-MM-DD。") from None
    if b < a:
        raise ProfileError(f"寒暑假范围「{a}」至「{b}」的结束日期早于开始日期。")
    return a, b


@dataclass(frozen=True)
class _Table:
    first: int  # day number (since 1970-01-01) of table index 0
    years: tuple[int, int]
    cum: np.ndarray  # cum[i] = working days among table days [0, i)


@dataclass(frozen=True, init=False)
class WorkCalendar:
    """Working days: official calendar, then profile days, then 寒暑假 (never working days).

    ``vacations`` are inclusive ranges, either ``("07-15", "08-31")`` repeated every year (a
    range whose start is after its end, like ``("12-25", "01-05")``, runs over New Year) or
    full dates ``("2027-01-25", "2027-02-20")``. A profile make-up workday inside a vacation
    range is still not a working day for a calendar built with vacations.
    """

    extra_holidays: frozenset[dt.date]
    extra_workdays: frozenset[dt.date]
    vacations: tuple
    _cache: dict = field(repr=False, compare=False, hash=False)

    def __init__(self, extra_holidays: Iterable = (), extra_workdays: Iterable = (),
                 vacations: Iterable = ()):
        holidays = frozenset(_profile_date(d) for d in extra_holidays)
        workdays = frozenset(_profile_date(d) for d in extra_workdays)
        both = sorted(holidays & workdays)
        if both:
            days = "、".join(d.isoformat() for d in both)
            raise ProfileError(f"{days} 同时被列为节假日和调休上班日，请只保留一种。")
        object.__setattr__(self, "extra_holidays", holidays)
        object.__setattr__(self, "extra_workdays", workdays)
        object.__setattr__(self, "vacations", tuple(_parse_vacation(v) for v in vacations))
        object.__setattr__(self, "_cache", {})

    # ------------------------------------------------------------ the day table

    def _working_mask(self, y0: int, y1: int) -> np.ndarray:
        """One bool per day of the years y0..y1: is it a working day?"""
        first = _day(dt.date(y0, 1, 1))
        n = _day(dt.date(y1, 12, 31)) - first + 1
        days = np.arange(first, first + n)
        work = (days + 3) % 7 < 5  # 1970-01-01 was a Thursday (weekday 3)

        def mark(dates: Iterable[dt.date], value: bool) -> None:
            idx = np.array([_day(d) - first for d in dates], dtype=np.int64)
            idx = idx[(idx >= 0) & (idx < n)]
            work[idx] = value

        mark(_OFFICIAL_HOLIDAYS, False)
        mark(_OFFICIAL_WORKDAYS, True)
        mark(self.extra_holidays, False)
        mark(self.extra_workdays, True)
        for a, b in self._vacation_spans(y0, y1):
            lo, hi = max(_day(a) - first, 0), min(_day(b) - first + 1, n)
            if lo < hi:
                work[lo:hi] = False
        return work

    def _vacation_spans(self, y0: int, y1: int):
        for start, end in self.vacations:
            if isinstance(start, dt.date):
                yield start, end
                continue
            for year in range(y0 - 1, y1 + 1):
                a = _md_date(year, start, end=False)
                b = _md_date(year, end, end=True)
                if b < a:
                    b = _md_date(year + 1, end, end=True)
                yield a, b

    def _table(self, y0: int, y1: int) -> _Table:
        """A table covering at least the years y0..y1 (cached; widened when needed)."""
        t = self._cache.get("table")
        if t is None or y0 < t.years[0] or y1 > t.years[1]:
            if t is not None:
                y0, y1 = min(y0, t.years[0]), max(y1, t.years[1])
            cum = np.zeros(_day(dt.date(y1, 12, 31)) - _day(dt.date(y0, 1, 1)) + 2, np.int64)
            np.cumsum(self._working_mask(y0, y1), out=cum[1:])
            t = _Table(_day(dt.date(y0, 1, 1)), (y0, y1), cum)
            self._cache["table"] = t
        return t

    # ------------------------------------------------------------ vectorised core

    def _days_table(self, *day_arrays: np.ndarray, extra_days: int = 0) -> _Table:
        """A table covering every (non-NaT) day in the arrays, plus ``extra_days`` after."""
        present = [a[a != _NAT] for a in day_arrays]
        present = [a for a in present if a.size]
        if not present:
            return self._table(2000, 2000)
        lo = min(int(a.min()) for a in present)
        hi = max(int(a.max()) for a in present) + extra_days
        return self._table(_year(lo), _year(hi))

    def _count(self, t: _Table, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Working days in (a, b], 0 when b <= a (day numbers, no NaT)."""
        wa = t.cum[a - t.first + 1]
        wb = t.cum[b - t.first + 1]
        return np.where(b > a, wb - wa, 0)

    def _add(self, a: np.ndarray, n: np.ndarray) -> np.ndarray:
        """Day numbers of the n-th working day after each a (no NaT)."""
        if (n < 0).any():
            raise ValueError("n must be >= 0")
        if a.size == 0:
            return a
        last = int(a.max())
        t = self._days_table(a, extra_days=3 * int(n.max()) + 400)
        target = t.cum[a - t.first + 1] + n
        while int(target.max()) > int(t.cum[-1]):
            if t.years[1] - _year(last) > _MAX_YEARS_AHEAD:
                raise ProfileError("按当前的节假日与寒暑假设置，找不到足够的工作日，请检查规则配置。")
            t = self._table(t.years[0], 2 * t.years[1] - t.years[0] + 1)
            target = t.cum[a - t.first + 1] + n
        idx = np.searchsorted(t.cum, target, side="left")
        return np.maximum(idx - 1 + t.first, a)

    # ------------------------------------------------------------ public API

    def is_workday(self, d):
        """Is ``d`` a working day? A date-like gives a bool (NA for a missing value); a Series
        or array of dates gives a ``boolean`` Series (NA where NaT)."""
        if _is_vector(d):
            days, na, index = _to_days(d)
            t = self._days_table(days)
            safe = np.where(na, t.first, days)
            out = (t.cum[safe - t.first + 1] - t.cum[safe - t.first]).astype(bool)
            return pd.Series(pd.arrays.BooleanArray(out, na), index=index)
        if _missing(d):
            return pd.NA
        day = _day(_to_date(d))
        t = self._days_table(np.array([day]))
        return bool(t.cum[day - t.first + 1] - t.cum[day - t.first])

    def workdays_between(self, a, b):
        """Working days in the half-open interval (a, b]; 0 when b <= a. Vectors → Int64 Series."""
        if _is_vector(a) or _is_vector(b):
            return self.workdays_between_many(a, b)
        if _missing(a) or _missing(b):
            return pd.NA
        x, y = np.array([_day(_to_date(a))]), np.array([_day(_to_date(b))])
        return int(self._count(self._days_table(x, y), x, y)[0])

    def add_workdays(self, a, n: int):
        """The n-th working day after ``a`` (the date where ``workdays_between(a, ·)`` first
        reaches n; ``a`` itself for n = 0). Vectors → datetime64 Series; missing → None/NaT."""
        if _is_vector(a):
            return self.add_workdays_many(a, n)
        if _missing(a):
            return None
        day = self._add(np.array([_day(_to_date(a))]), np.array([n], dtype=np.int64))[0]
        return _EPOCH + dt.timedelta(days=int(day))

    def workdays_between_many(self, a, b) -> pd.Series:
        """Element-wise :meth:`workdays_between` of two aligned date columns (Int64, NA where
        either is NaT). Either side may be a single date (e.g. ``as_of``); the index is that of
        ``a`` when it is a Series, else that of ``b``."""
        if not _is_vector(a):
            a = _repeat(a, b)
        if not _is_vector(b):
            b = _repeat(b, a)
        da, na_a, index_a = _to_days(a)
        db, na_b, index_b = _to_days(b)
        if len(da) != len(db):
            raise ValueError("a and b must have the same length")
        na = na_a | na_b
        t = self._days_table(da, db)
        out = self._count(t, np.where(na, t.first, da), np.where(na, t.first, db))
        index = index_a if isinstance(a, pd.Series) or not isinstance(b, pd.Series) else index_b
        return pd.Series(pd.arrays.IntegerArray(out, na), index=index)

    def add_workdays_many(self, a, n) -> pd.Series:
        """Element-wise :meth:`add_workdays` (``n`` an int or one per row); datetime64[ns],
        NaT where ``a`` is NaT."""
        days, na, index = _to_days(a)
        n = np.broadcast_to(np.asarray(n, dtype=np.int64), days.shape)
        if len(n) and (n < 0).any():
            raise ValueError("n must be >= 0")
        out = np.full(days.shape, np.datetime64("NaT"), dtype="datetime64[ns]")
        if (~na).any():
            out[~na] = self._add(days[~na], n[~na]).astype("datetime64[D]")
        return pd.Series(out, index=index)

    def fallback_years(self, years: Iterable[int]) -> list[int]:
        """The years among ``years`` for which Mon–Fri was used: no official data and no
        profile holiday or make-up workday in that year."""
        profile_years = {d.year for d in self.extra_holidays | self.extra_workdays}
        return sorted({int(y) for y in years} - OFFICIAL_YEARS - profile_years)

    def note_for(self, years: Iterable[int]) -> str | None:
        """A Chinese sentence for the report when some of ``years`` fell back to Mon–Fri."""
        fallback = self.fallback_years(years)
        if not fallback:
            return None
        names = "、".join(f"{y}年" for y in fallback)
        return (f"{names}的法定节假日与调休安排未知，已按周一至周五计算工作日；"
                "如需精确，请在规则配置中补充节假日与调休上班日。")


def years_of(*values) -> set[int]:
    """The calendar years of the given dates / date columns (missing values ignored), e.g. to
    pass to :meth:`WorkCalendar.note_for`."""
    years: set[int] = set()
    for v in values:
        if _is_vector(v):
            days, na, _ = _to_days(v)
            years |= set(days[~na].astype("datetime64[D]").astype("datetime64[Y]")
                         .astype(np.int64) + 1970)
        elif not _missing(v):
            years.add(_to_date(v).year)
    return {int(y) for y in years}


# ------------------------------------------------------------ helpers

_NAT = np.iinfo(np.int64).min


def _year(day: int) -> int:
    return (_EPOCH + dt.timedelta(days=day)).year


def _repeat(value, like) -> pd.Series:
    """A date (or NaT) repeated to the length and index of the vector ``like``."""
    index = like.index if isinstance(like, pd.Series) else pd.RangeIndex(len(like))
    stamp = pd.NaT if _missing(value) else pd.Timestamp(_to_date(value))
    return pd.Series(stamp, index=index, dtype="datetime64[ns]")


def _is_vector(x) -> bool:
    return isinstance(x, pd.Series | pd.Index | np.ndarray | pd.api.extensions.ExtensionArray)


def _missing(x) -> bool:
    return x is None or x is pd.NaT or (not isinstance(x, str | dt.date) and bool(pd.isna(x)))


def _to_days(values) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """(day numbers since 1970-01-01 with NaT as _NAT, NaT mask, index) of a date column.

    Times of day are dropped; time-zone-aware values keep their local date.
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if not pd.api.types.is_datetime64_any_dtype(s.dtype):
        s = pd.to_datetime(s)
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_localize(None)
    days = s.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)
    na = days == _NAT
    return days, na, s.index


DEFAULT = WorkCalendar()
"""The official calendar without profile days or vacations."""
