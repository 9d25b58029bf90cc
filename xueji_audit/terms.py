"""Terms, school years, ages and expected grades.

Terms start on fixed month-days (default Sep 1 and Mar 1, profile ``term_starts``) unless the
profile's 校历 (``[calendar.terms]``, e.g. ``"2027-spring" = "2027-02-22"``) gives a term's real
start: a :class:`TermCalendar`. The term of a date started on the latest term start on or
before it. The school year turns at the 升级 (RULES.md H: *Aug 10* 24:00, profile
``promotion``): a date up to Aug 10 belongs to the school year that began the previous
autumn, a date from Aug 11 on to the one beginning that year.
Every function has a scalar form (dates) and a vectorised form (date Series, NaT → NA).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .workdays import WorkCalendar, _is_vector, _missing, _to_date

DEFAULT_TERM_STARTS: tuple[tuple[int, int], ...] = ((9, 1), (3, 1))
DEFAULT_CUTOFF: tuple[int, int] = (8, 31)
DEFAULT_PROMOTION: tuple[int, int] = (8, 10)
"""The 升级 day (通知2016 附件1 三.5: 升级时间为8月10日24时): the last day of a school year."""
SEASONS: tuple[str, ...] = ("autumn", "spring")

_GRADUATING = {"六三": frozenset({6, 9, 12}), "五四": frozenset({5, 9, 12})}
_ENTRY = {"六三": frozenset({1, 7, 10}), "五四": frozenset({1, 6, 10})}


def _datetimes(values) -> pd.Series:
    """A date column as a datetime64[ns] Series normalised to midnight."""
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if not pd.api.types.is_datetime64_any_dtype(s.dtype):
        s = pd.to_datetime(s)
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_localize(None)
    return s.astype("datetime64[ns]").dt.normalize()


def _from_ymd(year, month: int, day: int) -> np.ndarray:
    """datetime64[ns] of (year array, fixed month, fixed day)."""
    years = np.asarray(year, dtype=np.int64) - 1970
    out = (years.astype("datetime64[Y]").astype("datetime64[M]") + (month - 1)).astype(
        "datetime64[D]") + (day - 1)
    return out.astype("datetime64[ns]")


# ------------------------------------------------------------ terms and school years


def season_of(monthday: tuple[int, int]) -> str:
    """``autumn`` for a term starting from July on, else ``spring``."""
    return "autumn" if monthday[0] >= 7 else "spring"


@dataclass(frozen=True)
class TermCalendar:
    """Term starts: the real ones of the 校历 (``real``: ``"YYYY-autumn"`` / ``"YYYY-spring"`` →
    date) where given, else the default month-days ``starts`` of each year."""

    starts: tuple[tuple[int, int], ...] = DEFAULT_TERM_STARTS
    real: tuple[tuple[str, dt.date], ...] = ()

    @property
    def is_default(self) -> bool:
        return not self.real

    def table(self, first_year: int, last_year: int) -> tuple[np.ndarray, list[str], np.ndarray]:
        """(sorted start dates datetime64[ns], their labels, whether each start was assumed)
        of the terms of the years ``first_year``..``last_year``."""
        real = dict(self.real)
        rows = []
        for y in range(first_year, last_year + 1):
            for m, d in self.starts:
                label = f"{y}-{season_of((m, d))}"
                rows.append((real.get(label, dt.date(y, m, d)), label, label not in real))
        rows.sort()
        return (np.array([r[0] for r in rows], dtype="datetime64[ns]"), [r[1] for r in rows],
                np.array([r[2] for r in rows], dtype=bool))

    def locate(self, dates: pd.Series, back: int = 0) -> tuple[pd.Series, set[str]]:
        """(start of the term of each date — or of the term ``back`` terms before it —, the
        labels of the terms used whose start was assumed, not given)."""
        s = _datetimes(dates)
        ok = s.notna().to_numpy()
        out = np.full(len(s), np.datetime64("NaT"), dtype="datetime64[ns]")
        if not ok.any():
            return pd.Series(out, index=s.index), set()
        years = s.dt.year.to_numpy(dtype=np.float64, na_value=np.nan)[ok].astype(np.int64)
        starts, labels, assumed = self.table(int(years.min()) - 2, int(years.max()) + 1)
        pos = np.searchsorted(starts, s.to_numpy(dtype="datetime64[ns]")[ok], side="right") - 1
        pos = pos - back
        out[ok] = starts[pos]
        used = np.unique(pos)
        return pd.Series(out, index=s.index), {labels[p] for p in used if assumed[p]}


def _terms(starts) -> TermCalendar:
    return starts if isinstance(starts, TermCalendar) else TermCalendar(tuple(starts))


def term_start(d, starts=DEFAULT_TERM_STARTS) -> dt.date:
    """The latest term start on or before ``d`` (Jan–Feb → the previous Sep 1; Jul–Aug → Mar 1
    under the default starts); ``starts`` is month-days or a :class:`TermCalendar`."""
    d = _to_date(d)
    if isinstance(starts, TermCalendar):
        return starts.locate(pd.Series([pd.Timestamp(d)]))[0].iloc[0].date()
    return max(dt.date(d.year - ((d.month, d.day) < (m, dd)), m, dd) for m, dd in starts)


def term_starts(dates, starts=DEFAULT_TERM_STARTS) -> pd.Series:
    """Vectorised :func:`term_start`: datetime64[ns], NaT where the date is missing."""
    if isinstance(starts, TermCalendar):
        return starts.locate(dates)[0]
    s = _datetimes(dates)
    md = (s.dt.month * 100 + s.dt.day).to_numpy(dtype=np.float64, na_value=np.nan)
    year = s.dt.year.to_numpy(dtype=np.float64, na_value=np.nan)
    na = s.isna().to_numpy()
    year = np.where(na, 1970, year).astype(np.int64)
    best = None
    for m, dd in starts:
        cand = _from_ymd(year - (md < m * 100 + dd), m, dd)
        best = cand if best is None else np.maximum(best, cand)
    best[na] = np.datetime64("NaT")
    return pd.Series(best, index=s.index)


def school_year_start(d, promotion=DEFAULT_PROMOTION) -> int:
    """The year in which the school year containing ``d`` began: the year of ``d`` when ``d``
    is after the 升级 day ``promotion`` (Aug 10), else the year before."""
    d = _to_date(d)
    return d.year - ((d.month, d.day) <= tuple(promotion))


def school_year_starts(dates, promotion=DEFAULT_PROMOTION) -> pd.Series:
    """Vectorised :func:`school_year_start` (Int64, NA where the date is missing)."""
    s = _datetimes(dates)
    md = s.dt.month * 100 + s.dt.day
    return (s.dt.year - (md <= promotion[0] * 100 + promotion[1])).astype("Int64")


# ------------------------------------------------------------ ages and grades


def age_on(birth, on) -> int:
    """Full years of age on the date ``on`` (a 29 Feb birthday is reached on 1 Mar in a common
    year)."""
    birth, on = _to_date(birth), _to_date(on)
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _as_date_series(on, like: pd.Series) -> pd.Series:
    return _datetimes(on) if _is_vector(on) else pd.Series(
        pd.NaT if _missing(on) else pd.Timestamp(_to_date(on)), index=like.index,
        dtype="datetime64[ns]")


def ages_on(births, on) -> pd.Series:
    """Vectorised :func:`age_on` (Int64, NA where either date is missing); ``on`` is a date
    or a column aligned with ``births``."""
    b = _datetimes(births)
    o = _as_date_series(on, b)
    before = ((o.dt.month * 100 + o.dt.day) < (b.dt.month * 100 + b.dt.day)).astype("Int64")
    return (o.dt.year.astype("Int64") - b.dt.year.astype("Int64") - before).rename(None)


def expected_grade(birth, as_of, cutoff=DEFAULT_CUTOFF, promotion=DEFAULT_PROMOTION) -> int:
    """The grade a child born on ``birth`` should be in at ``as_of``: school-year start year −
    birth year − 5, minus 1 when the birthday (month, day) is after the cut-off."""
    birth = _to_date(birth)
    late = (birth.month, birth.day) > tuple(cutoff)
    return school_year_start(as_of, promotion) - birth.year - 5 - late


def expected_grades(births, as_of, cutoff=DEFAULT_CUTOFF, promotion=DEFAULT_PROMOTION
                    ) -> pd.Series:
    """Vectorised :func:`expected_grade` (Int64, NA where the birth date is missing)."""
    b = _datetimes(births)
    late = (b.dt.month * 100 + b.dt.day) > cutoff[0] * 100 + cutoff[1]
    start = school_year_start(as_of, promotion)
    return (start - b.dt.year.astype("Int64") - 5 - late.astype("Int64")).rename(None)


def graduating_grades(system: str = "六三") -> frozenset[int]:
    """Graduating grades: 六三 → {6, 9, 12}; 五四 → {5, 9, 12}."""
    return _GRADUATING[_system(system)]


def entry_grades(system: str = "六三") -> frozenset[int]:
    """Entry grades: 六三 → {1, 7, 10}; 五四 → {1, 6, 10}."""
    return _ENTRY[_system(system)]


def _system(system: str) -> str:
    if system not in _GRADUATING:
        raise ValueError(f"unknown 学制 {system!r}: expected 六三 or 五四")
    return system


# ------------------------------------------------------------ windows at the start of a term


def is_in_first_workdays(d, n: int, cal: WorkCalendar, starts=DEFAULT_TERM_STARTS):
    """True where ``d`` falls within the first ``n`` working days of its term: on or before
    the n-th working day counted from the term start (the start is day 1 when it is a working
    day). A date gives a bool; a column gives a ``boolean`` Series (NA where missing)."""
    if not _is_vector(d):
        if _missing(d):
            return pd.NA
        start = term_start(d, starts)
        return _to_date(d) <= cal.add_workdays(start - dt.timedelta(days=1), n)
    s = _datetimes(d)
    before_start = term_starts(s, starts) - pd.Timedelta(days=1)
    last = cal.add_workdays_many(before_start, n)
    return (s <= last).astype("boolean").mask(s.isna())


def is_in_first_days(d, n_days: int, starts=DEFAULT_TERM_STARTS):
    """True where ``d`` falls within the first ``n_days`` calendar days of its term (the start
    is day 1). A date gives a bool; a column gives a ``boolean`` Series (NA where missing)."""
    if not _is_vector(d):
        if _missing(d):
            return pd.NA
        return (_to_date(d) - term_start(d, starts)).days < n_days
    s = _datetimes(d)
    inside = (s - term_starts(s, starts)) < pd.Timedelta(days=n_days)
    return inside.astype("boolean").mask(s.isna())
