"""What a rule's ``check`` sees: the tables, the audit date, the calendar and its parameters.

A :class:`Context` is built once per audit; :meth:`Context.for_rule` gives each rule a view
with its own parameters that shares the caches (validated IDs, 学籍号 kinds, …) and the set
of calendar years used, from which the audit reports the Mon–Fri fallback note.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from ..ids import validate_ids, xjh_kinds
from ..schema import RESIDENT_ID, STRING, TRANSFER_TYPES, arrow_text
from ..terms import DEFAULT_PROMOTION, TermCalendar
from ..workdays import years_of

CROSS_PROVINCE: tuple[str, ...] = ("跨省转学", "毕业后跨省就学")
RESULT_COLUMNS: tuple[str, ...] = ("学籍号", "姓名", "学校标识码", "业务编号", "班级", "detail",
                                   "due_date")


@dataclass
class Shared:
    """State shared by every rule of one audit."""

    cache: dict[str, Any] = field(default_factory=dict)
    years: set[int] = field(default_factory=set)
    assumed_terms: set[str] = field(default_factory=set)  # terms whose start was a default


@dataclass(frozen=True)
class Context:
    tables: dict[str, pd.DataFrame]
    present: dict[str, frozenset[str]]  # table key -> columns really present
    as_of: pd.Timestamp
    calendar: Any  # workdays.WorkCalendar, without 寒暑假
    vacation_calendar: Any  # the same with the profile's 寒暑假 not counted (TR-01)
    term_starts: Any  # month-days of the term starts, or a terms.TermCalendar (the 校历)
    age_cutoff: tuple[int, int]
    params: dict[str, Any] = field(default_factory=dict)
    shared: Shared = field(default_factory=Shared)
    promotion: tuple[int, int] = DEFAULT_PROMOTION  # the 升级 day (last day of a school year)

    def for_rule(self, params: dict[str, Any]) -> Context:
        """A view of this context carrying one rule's parameters."""
        return replace(self, params=dict(params))

    def has(self, item: str) -> bool:
        """``"changes"`` or ``"students.最后核查日期"`` is present in the data."""
        table, _, col = item.partition(".")
        return table in self.tables and (not col or col in self.present.get(table, ()))

    def cached(self, key: str, make):
        if key not in self.shared.cache:
            self.shared.cache[key] = make()
        return self.shared.cache[key]

    # ------------------------------------------------------------ tables and derived columns

    def mask(self, table: str, column: str, *values: str) -> np.ndarray:
        """Rows of ``table`` whose ``column`` is one of ``values`` (bool array, cached)."""
        def make():
            return self.tables[table][column].isin(values).fillna(False).to_numpy(dtype=bool)
        return self.cached(f"mask:{table}:{column}:{values}", make)

    def rows(self, table: str, column: str, *values: str) -> pd.DataFrame:
        """The rows of ``table`` whose ``column`` is one of ``values``."""
        return self.tables[table][self.mask(table, column, *values)]

    @property
    def students(self) -> pd.DataFrame:
        return self.tables["students"]

    def ids(self) -> pd.DataFrame:
        """validate_ids of the students' 身份证件号 plus ``resident`` (type 居民身份证, or empty
        type with a number) and ``ok`` (a valid ID in the sense of docs/rules.md)."""
        def make():
            s = self.students
            v = validate_ids(s["身份证件号"])
            t = s["身份证件类型"]
            v["resident"] = ((t == RESIDENT_ID) | (t.isna() & s["身份证件号"].notna())).fillna(
                False).astype(bool)
            v["ok"] = v["resident"] & v["valid"]
            return v
        return self.cached("ids", make)

    def kinds(self) -> pd.Series:
        return self.cached("kinds", lambda: xjh_kinds(self.students["学籍号"]))

    def changes_of(self, types: tuple[str, ...] = TRANSFER_TYPES) -> pd.DataFrame:
        """The businesses of the given types (transfers by default); see :meth:`all_changes`.
        Cached: every rule reads the same frame (none modifies it)."""
        return self.cached(f"changes_of:{types}", lambda: self.all_changes()[
            self.mask("changes", "业务类型", *types)])

    def all_changes(self) -> pd.DataFrame:
        """The changes table with ``_pos`` (the row of the student's first register record, -1
        when unregistered), ``_学校`` / ``_姓名`` (that record's school and name) and ``_key``
        (an integer code of the 学籍号)."""
        def make():
            c = self.tables["changes"]
            pos = self.register_positions(c["学籍号"])
            reg = self.take_register(pos, ["学校标识码", "姓名"])
            key = pd.factorize(c["学籍号"])[0]
            return c.assign(_pos=pos, _学校=reg["学校标识码"].to_numpy(),
                            _姓名=reg["姓名"].to_numpy(), _key=key)
        return self.cached("changes", make)

    def business_codes(self) -> tuple[np.ndarray, np.ndarray]:
        """Integer codes of 业务编号 shared by the changes and the steps tables."""
        def make():
            c = self.tables["changes"]["业务编号"] if self.has("changes") else pd.Series(
                [], dtype=STRING)
            st = self.tables["steps"]["业务编号"] if self.has("steps") else pd.Series(
                [], dtype=STRING)
            both = np.concatenate([c.to_numpy(dtype=object), st.to_numpy(dtype=object)])
            codes = pd.factorize(both, use_na_sentinel=True)[0]
            return codes[:len(c)], codes[len(c):]
        return self.cached("business_codes", make)

    def has_step(self, name: str, result: str | None = None) -> np.ndarray:
        """Per changes row: the business has a step named ``name`` (with ``result``)."""
        def make():
            cc, sc = self.business_codes()
            if not self.has("steps"):
                return np.zeros(len(cc), dtype=bool)
            m = self.mask("steps", "环节名称", name)
            if result is not None:
                m = m & self.mask("steps", "处理结果", result)
            seen = np.zeros(max(cc.max(initial=-1), sc.max(initial=-1)) + 1, dtype=bool)
            seen[sc[m]] = True
            return seen[cc] if len(cc) else np.zeros(0, dtype=bool)
        return self.cached(f"has_step:{name}:{result}", make)

    def register_positions(self, xjh: pd.Series) -> np.ndarray:
        """Row of the first register record of each 学籍号, -1 when there is none."""
        def make():
            x = self.students["学籍号"]
            first = (x.notna() & ~x.duplicated()).to_numpy()
            return arrow_text(x[first]), np.flatnonzero(first)
        index, rows = self.cached("register_index", make)
        pos = pc.index_in(arrow_text(xjh), value_set=index).fill_null(-1).to_numpy()
        return np.where(pos >= 0, rows[np.maximum(pos, 0)] if len(rows) else -1, -1)

    def take_register(self, pos: np.ndarray, columns: list[str]) -> pd.DataFrame:
        """``columns`` of the register rows ``pos`` (NA where ``pos`` is -1), positional index."""
        s = self.students[columns]
        if not len(s):
            s = s.reindex([0])
        out = s.iloc[np.maximum(pos, 0)].reset_index(drop=True)
        return out.where(np.repeat((pos >= 0)[:, None], len(columns), axis=1))

    def register_lookup(self, xjh: pd.Series, columns: list[str]) -> pd.DataFrame:
        """``columns`` of the register record of each 学籍号 (its first record; NA when none),
        indexed like ``xjh``."""
        return self.take_register(self.register_positions(xjh), columns).set_axis(xjh.index)

    def register_of(self, frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
        """:meth:`register_lookup` of the 学籍号 of ``frame``, read off its ``_pos`` when it is
        made of :meth:`all_changes` rows (found once for them all)."""
        if "_pos" not in frame.columns:
            return self.register_lookup(frame["学籍号"], columns)
        return self.take_register(frame["_pos"].to_numpy(), columns).set_axis(frame.index)

    # ------------------------------------------------------------ calendar

    @property
    def terms(self) -> TermCalendar:
        t = self.term_starts
        return t if isinstance(t, TermCalendar) else TermCalendar(tuple(t))

    def term_start_of(self, dates: pd.Series, back: int = 0) -> pd.Series:
        """The start of each date's term (``back`` terms earlier), from the 校历 where it gives
        the term; the terms whose default start was assumed are remembered for the note."""
        out, assumed = self.terms.locate(dates, back)
        self.shared.assumed_terms.update(assumed)
        return out

    def note_dates(self, *series: pd.Series) -> None:
        """Remember the calendar years spanned by dates used to count working days (for the
        Mon–Fri fallback note)."""
        years = years_of(*(pd.Series([pd.Series(x).min(), pd.Series(x).max()]) for x in series))
        if years:
            self.shared.years.update(range(min(years), max(years) + 1))

    def workdays_between(self, a: pd.Series, b: pd.Series, vacations: bool = False) -> pd.Series:
        """Working days in ``(a, b]`` per row (Int64); NA where either date is missing."""
        cal = self.vacation_calendar if vacations else self.calendar
        a, b = day(a), day(b)
        self.note_dates(a, b)
        return cal.workdays_between_many(a, b)

    def add_workdays(self, a: pd.Series, n: int, vacations: bool = False) -> pd.Series:
        """The date on which ``n`` working days after ``a`` are reached."""
        cal = self.vacation_calendar if vacations else self.calendar
        a = day(a)
        out = cal.add_workdays_many(a, n)
        self.note_dates(a, out)
        return out


# ---------------------------------------------------------------- helpers for checks


def day(s: pd.Series) -> pd.Series:
    """A datetime column with the time of day dropped."""
    return pd.to_datetime(s).dt.normalize()


def ymd(s: pd.Series) -> pd.Series:
    """Dates as ``YYYY-MM-DD`` text, empty where missing."""
    s = pd.Series(s)
    days = pd.to_datetime(s).to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    out = np.datetime_as_string(days).astype(object)
    out[np.isnat(days)] = ""
    return pd.Series(out, index=s.index)


def ymd_hm(s: pd.Series) -> pd.Series:
    """Date-times as ``YYYY-MM-DD HH:MM`` text, empty where missing."""
    s = pd.Series(s)
    mins = pd.to_datetime(s).to_numpy(dtype="datetime64[ns]").astype("datetime64[m]")
    out = np.datetime_as_string(mins).astype(object)
    if len(out):
        out = np.char.replace(out.astype(str), "T", " ").astype(object)
    out[np.isnat(mins)] = ""
    return pd.Series(out, index=s.index)


def text(s: pd.Series) -> pd.Series:
    """Any column as object text, empty where missing (for detail strings)."""
    return s.astype(STRING).fillna("").astype(object)


def monthday(s: pd.Series) -> pd.Series:
    """month × 100 + day of a date column (NA where missing)."""
    s = pd.to_datetime(s)
    return s.dt.month * 100 + s.dt.day


def md_int(md: tuple[int, int]) -> int:
    return md[0] * 100 + md[1]


def result(frame: pd.DataFrame, detail: pd.Series, due: pd.Series | None = None,
           **columns: pd.Series) -> pd.DataFrame:
    """Finding rows from ``frame`` (its 学籍号, 姓名, … when it has them) with a detail text."""
    out = pd.DataFrame(index=frame.index)
    for col in RESULT_COLUMNS[:5]:
        if col in columns:
            out[col] = columns[col]
        elif col in frame.columns:
            out[col] = frame[col]
        else:
            out[col] = pd.NA
    out["detail"] = detail
    out["due_date"] = pd.NaT if due is None else day(due)
    return out.reset_index(drop=True)


def empty_result() -> pd.DataFrame:
    """A check result with no rows."""
    return result(pd.DataFrame(), pd.Series(dtype=object))
