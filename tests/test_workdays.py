"""Working days. Expected answers are worked out by hand from the State Council holiday notices
(which chinese_calendar 1.11 encodes; checked in test_official_data_as_announced):

- National Day + Mid-Autumn 2025: Oct 1 (Wed) – Oct 8 (Wed) off; Sun Sep 28 and Sat Oct 11 are
  make-up working days.
- Spring Festival 2026: Feb 15 (Sun) – Feb 23 (Mon) off; Sat Feb 14 and Sat Feb 28 worked.
- National Day 2026: Oct 1 (Thu) – Oct 7 (Wed) off, Mid-Autumn Sep 25 (Fri) – Sep 27 off;
  Sun Sep 20 and Sat Oct 10 worked.
- 2031 is unknown to the package: Mon–Fri. 2031-01-01 is a Wednesday, so is 2031-10-01.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xueji_audit.errors import ProfileError
from xueji_audit.workdays import DEFAULT, OFFICIAL_YEARS, WorkCalendar, years_of

D = dt.date
VACATIONS = [("07-15", "08-31"), ("01-20", "02-19")]
SCHOOL = WorkCalendar(vacations=VACATIONS)


def test_official_data_as_announced():
    assert min(OFFICIAL_YEARS) == 2004 and max(OFFICIAL_YEARS) == 2026
    assert OFFICIAL_YEARS == set(range(2004, 2027))
    off_2025 = [D(2025, 10, d) for d in range(1, 9)]
    assert not any(DEFAULT.is_workday(d) for d in off_2025)
    assert DEFAULT.is_workday(D(2025, 9, 28)) and DEFAULT.is_workday(D(2025, 10, 11))
    assert DEFAULT.is_workday(D(2025, 10, 9)) and not DEFAULT.is_workday(D(2025, 10, 12))


def test_national_day_2025():
    # (Sep 30, Oct 9]: only Thu Oct 9
    assert DEFAULT.workdays_between(D(2025, 9, 30), D(2025, 10, 9)) == 1
    # (Sep 28, Oct 12]: Sep 29, Sep 30, Oct 9, Oct 10, Oct 11 (Sat, make-up)
    assert DEFAULT.workdays_between(D(2025, 9, 28), D(2025, 10, 12)) == 5
    # (Fri Sep 26, Sun Sep 28]: Sat Sep 27 off, Sun Sep 28 worked
    assert DEFAULT.workdays_between(D(2025, 9, 26), D(2025, 9, 28)) == 1
    assert DEFAULT.add_workdays(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert DEFAULT.add_workdays(D(2025, 9, 30), 3) == D(2025, 10, 11)
    assert DEFAULT.add_workdays(D(2025, 9, 30), 4) == D(2025, 10, 13)
    assert DEFAULT.add_workdays(D(2025, 9, 26), 1) == D(2025, 9, 28)


def test_spring_festival_2026():
    assert DEFAULT.is_workday(D(2026, 2, 14))  # Saturday, make-up day
    assert not any(DEFAULT.is_workday(D(2026, 2, d)) for d in range(15, 24))
    assert DEFAULT.is_workday(D(2026, 2, 24))
    # (Fri Feb 13, Tue Feb 24]: Feb 14 and Feb 24
    assert DEFAULT.workdays_between(D(2026, 2, 13), D(2026, 2, 24)) == 2
    assert DEFAULT.add_workdays(D(2026, 2, 14), 1) == D(2026, 2, 24)
    # (Feb 24, Mar 2]: Feb 25, 26, 27, Sat Feb 28 (make-up), Mon Mar 2
    assert DEFAULT.workdays_between(D(2026, 2, 24), D(2026, 3, 2)) == 5


def test_plain_weekend_and_times_of_day():
    assert not DEFAULT.is_workday(D(2025, 11, 15)) and not DEFAULT.is_workday(D(2025, 11, 16))
    assert DEFAULT.workdays_between(D(2025, 11, 14), D(2025, 11, 17)) == 1
    assert DEFAULT.workdays_between(dt.datetime(2025, 11, 14, 23, 59),
                                    pd.Timestamp("2025-11-17 08:00")) == 1
    assert DEFAULT.workdays_between(D(2025, 11, 17), D(2025, 11, 17)) == 0
    assert DEFAULT.workdays_between(D(2025, 11, 20), D(2025, 11, 17)) == 0
    assert DEFAULT.add_workdays(D(2025, 11, 15), 0) == D(2025, 11, 15)
    assert DEFAULT.add_workdays(D(2025, 11, 14), 1) == D(2025, 11, 17)


def test_unknown_year_falls_back_to_monday_to_friday():
    assert DEFAULT.is_workday(D(2031, 1, 1)) and DEFAULT.is_workday(D(2031, 10, 1))
    # (Tue Sep 30, Tue Oct 7]: Oct 1, 2, 3, 6, 7
    assert DEFAULT.workdays_between(D(2031, 9, 30), D(2031, 10, 7)) == 5
    assert DEFAULT.fallback_years([2025, 2026, 2031]) == [2031]
    assert DEFAULT.fallback_years(range(2024, 2029)) == [2027, 2028]
    note = DEFAULT.note_for([2031, 2025])
    assert note.startswith("2031年的法定节假日与调休安排未知") and "周一至周五" in note
    assert DEFAULT.note_for([2025]) is None
    assert years_of(pd.Series(pd.to_datetime(["2030-12-31", None, "2031-01-01"])),
                    D(2025, 1, 1), None) == {2025, 2030, 2031}


def test_profile_days_override_the_official_calendar():
    cal = WorkCalendar(
        extra_holidays=[D(2031, 10, d) for d in range(1, 8)] + [D(2025, 11, 14)],
        extra_workdays=[D(2025, 10, 8), "2031-09-27"],
    )
    assert not cal.is_workday(D(2025, 11, 14))  # a Friday made a holiday
    assert cal.is_workday(D(2025, 10, 8))  # an official holiday made a workday
    assert cal.is_workday(D(2031, 9, 27))  # a Saturday
    assert cal.workdays_between(D(2031, 9, 30), D(2031, 10, 7)) == 0
    assert cal.fallback_years([2031, 2032]) == [2032]
    assert cal.note_for([2031]) is None
    with pytest.raises(ProfileError):
        WorkCalendar(extra_holidays=[D(2031, 1, 2)], extra_workdays=[D(2031, 1, 2)])


def test_vacations_are_not_working_days():
    # (Fri Jul 11, Mon Sep 1] 2025: Mon Jul 14, then Jul 15 – Aug 31 is summer vacation, Sep 1
    assert SCHOOL.workdays_between(D(2025, 7, 11), D(2025, 9, 1)) == 2
    assert DEFAULT.workdays_between(D(2025, 7, 11), D(2025, 7, 18)) == 5
    assert not SCHOOL.is_workday(D(2026, 1, 20)) and not SCHOOL.is_workday(D(2026, 2, 19))
    assert SCHOOL.is_workday(D(2026, 1, 19)) and SCHOOL.is_workday(D(2026, 2, 24))
    assert not SCHOOL.is_workday(D(2026, 2, 14))  # make-up Saturday inside the winter vacation
    assert SCHOOL.add_workdays(D(2025, 7, 14), 1) == D(2025, 9, 1)
    # full dates, in a fallback year: 2027-01-22 Fri, vacation Mon Jan 25 – Sat Feb 20
    cal = WorkCalendar(vacations=[("2027-01-25", "2027-02-20")])
    assert cal.workdays_between(D(2027, 1, 22), D(2027, 2, 22)) == 1
    # a month-day range across New Year: Dec 25 – Jan 5 (2025-12-26 Fri, 2026-01-06 Tue)
    cal = WorkCalendar(vacations=[("12-25", "01-05")])
    assert cal.workdays_between(D(2025, 12, 24), D(2026, 1, 6)) == 1
    with pytest.raises(ProfileError):
        WorkCalendar(vacations=[("13-01", "13-05")])
    with pytest.raises(ProfileError):
        WorkCalendar(vacations=[("2027-02-20", "2027-01-25")])


def test_vectorised_equals_scalar():
    rng = np.random.default_rng(7)
    start = pd.Timestamp("2024-12-01")
    a = pd.Series(start + pd.to_timedelta(rng.integers(0, 800, 300), unit="D"),
                  index=np.arange(300) * 3)
    b = a + pd.to_timedelta(rng.integers(-3, 60, 300), unit="D")
    a.iloc[::17] = pd.NaT
    b.iloc[5::23] = pd.NaT
    for cal in (DEFAULT, SCHOOL):
        between = cal.workdays_between_many(a, b)
        added = cal.add_workdays_many(a, 10)
        work = cal.is_workday(a)
        assert between.dtype == "Int64" and added.dtype == "datetime64[ns]"
        assert list(between.index) == list(a.index)
        for x, y, n, d, w in zip(a, b, between, added, work, strict=True):
            if pd.isna(x) or pd.isna(y):
                assert pd.isna(n)
            else:
                assert n == cal.workdays_between(x.date(), y.date())
            if pd.isna(x):
                assert pd.isna(d) and pd.isna(w)
            else:
                assert d.date() == cal.add_workdays(x.date(), 10)
                assert w == cal.is_workday(x.date())
    as_of = D(2026, 11, 20)
    many = DEFAULT.workdays_between(a, as_of)
    assert many.iloc[1] == DEFAULT.workdays_between(a.iloc[1], as_of)
    days = a.dropna().to_numpy().astype("datetime64[D]")
    assert DEFAULT.add_workdays(days, 3).tolist() == DEFAULT.add_workdays_many(a.dropna(), 3).tolist()


dates = st.dates(D(2003, 1, 1), D(2033, 12, 31))


@settings(max_examples=200, deadline=None)
@given(dates, st.integers(0, 400), st.booleans())
def test_add_workdays_inverts_workdays_between(a, n, school):
    cal = SCHOOL if school else DEFAULT
    d = cal.add_workdays(a, n)
    assert cal.workdays_between(a, d) == n
    if n >= 1:
        assert cal.is_workday(d)
        assert cal.workdays_between(a, d - dt.timedelta(days=1)) == n - 1


def test_a_calendar_without_working_days_is_reported():
    cal = WorkCalendar(vacations=[("01-01", "12-31")])
    assert cal.workdays_between(D(2025, 1, 1), D(2025, 12, 31)) == 0
    with pytest.raises(ProfileError):
        cal.add_workdays(D(2025, 3, 1), 1)
