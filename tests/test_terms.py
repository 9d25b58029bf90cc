"""Terms, school years, ages, expected grades and start-of-term windows (answers by hand)."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from xueji_audit import terms
from xueji_audit.workdays import DEFAULT, WorkCalendar

D = dt.date


def test_term_start_boundaries():
    cases = {
        D(2026, 1, 15): D(2025, 9, 1),
        D(2026, 2, 28): D(2025, 9, 1),
        D(2026, 3, 1): D(2026, 3, 1),
        D(2026, 3, 2): D(2026, 3, 1),
        D(2026, 8, 31): D(2026, 3, 1),
        D(2026, 9, 1): D(2026, 9, 1),
        D(2026, 12, 31): D(2026, 9, 1),
    }
    for d, start in cases.items():
        assert terms.term_start(d) == start, d
    series = pd.Series([pd.Timestamp(d) + pd.Timedelta(hours=15) for d in cases] + [pd.NaT])
    got = terms.term_starts(series)
    assert [x.date() for x in got.iloc[:-1]] == list(cases.values())
    assert pd.isna(got.iloc[-1])
    # custom starts: Feb 20 and Sep 1
    assert terms.term_start(D(2026, 2, 19), ((9, 1), (2, 20))) == D(2025, 9, 1)
    assert terms.term_start(D(2026, 2, 20), ((9, 1), (2, 20))) == D(2026, 2, 20)


def test_school_year_start():
    # the school year turns at the 升级, Aug 10 24:00 (RULES.md H), not Sep 1
    cases = {D(2026, 1, 1): 2025, D(2026, 8, 10): 2025, D(2026, 8, 11): 2026,
             D(2026, 8, 31): 2026, D(2026, 9, 1): 2026, D(2025, 9, 30): 2025,
             D(2026, 3, 1): 2025}
    for d, year in cases.items():
        assert terms.school_year_start(d) == year
    got = terms.school_year_starts(pd.Series([*map(pd.Timestamp, cases), pd.NaT]))
    assert got.dtype == "Int64"
    assert got.iloc[:-1].tolist() == list(cases.values()) and pd.isna(got.iloc[-1])


def test_age_on():
    assert terms.age_on(D(2019, 8, 31), D(2025, 8, 31)) == 6
    assert terms.age_on(D(2019, 9, 1), D(2025, 8, 31)) == 5
    assert terms.age_on(D(2016, 2, 29), D(2025, 2, 28)) == 8
    assert terms.age_on(D(2016, 2, 29), D(2025, 3, 1)) == 9
    births = pd.Series(pd.to_datetime(["2019-08-31", "2019-09-01", None, "2016-02-29"]))
    got = terms.ages_on(births, D(2025, 8, 31))
    assert got.dtype == "Int64"
    assert got.tolist()[:2] == [6, 5] and pd.isna(got.iloc[2]) and got.iloc[3] == 9


def test_expected_grade_cutoff():
    # born 2019-08-31: grade 1 in school year 2025-26; born 2019-09-01: grade 1 in 2026-27
    assert terms.expected_grade(D(2019, 8, 31), D(2025, 10, 1)) == 1
    assert terms.expected_grade(D(2019, 9, 1), D(2025, 10, 1)) == 0
    assert terms.expected_grade(D(2019, 9, 1), D(2026, 10, 1)) == 1
    assert terms.expected_grade(D(2019, 8, 31), D(2026, 8, 10)) == 1  # still 2025-26
    assert terms.expected_grade(D(2019, 8, 31), D(2026, 8, 11)) == 2  # 升级 on Aug 10
    assert terms.expected_grade(D(2019, 8, 31), D(2026, 8, 31), promotion=(8, 31)) == 1
    assert terms.expected_grade(D(2013, 1, 5), D(2026, 11, 20)) == 8  # 2026 − 2013 − 5
    # a profile cut-off of Sep 1 lets a Sep 1 birthday in
    assert terms.expected_grade(D(2019, 9, 1), D(2025, 10, 1), cutoff=(9, 1)) == 1
    births = pd.Series(pd.to_datetime(["2019-08-31", "2019-09-01", None, "2013-01-05"]))
    got = terms.expected_grades(births, D(2025, 10, 1))
    assert got.dtype == "Int64"
    assert got.tolist()[:2] == [1, 0] and pd.isna(got.iloc[2]) and got.iloc[3] == 7


def test_graduating_and_entry_grades():
    assert terms.graduating_grades("六三") == {6, 9, 12}
    assert terms.graduating_grades("五四") == {5, 9, 12}
    assert terms.graduating_grades() == {6, 9, 12}
    assert terms.entry_grades("六三") == {1, 7, 10}
    assert terms.entry_grades("五四") == {1, 6, 10}


def test_first_working_days_of_a_term():
    # Autumn 2025: Mon Sep 1 is day 1; Sep 1-5 and 8-12 are the first 10 working days.
    assert terms.is_in_first_workdays(D(2025, 9, 1), 10, DEFAULT)
    assert terms.is_in_first_workdays(D(2025, 9, 12), 10, DEFAULT)
    assert terms.is_in_first_workdays(D(2025, 9, 6), 10, DEFAULT)  # a Saturday inside
    assert not terms.is_in_first_workdays(D(2025, 9, 13), 10, DEFAULT)
    assert not terms.is_in_first_workdays(D(2025, 10, 9), 10, DEFAULT)
    # Spring 2026: Sun Mar 1 is not a working day; Mon Mar 2 is day 1, Fri Mar 13 day 10.
    assert terms.is_in_first_workdays(D(2026, 3, 13), 10, DEFAULT)
    assert not terms.is_in_first_workdays(D(2026, 3, 16), 10, DEFAULT)
    # A term starting Fri Sep 25 2026 (Mid-Autumn holiday): Sep 28, 29, 30, Oct 8, 9,
    # Sat Oct 10 (make-up), Oct 12, 13, 14, 15 -> day 10 is Oct 15.
    starts = ((9, 25), (3, 1))
    assert terms.is_in_first_workdays(D(2026, 10, 15), 10, DEFAULT, starts)
    assert not terms.is_in_first_workdays(D(2026, 10, 16), 10, DEFAULT, starts)
    # a calendar with a profile holiday on Sep 8 2025 moves day 10 to Mon Sep 15
    cal = WorkCalendar(extra_holidays=[D(2025, 9, 8)])
    assert terms.is_in_first_workdays(D(2025, 9, 15), 10, cal)
    assert not terms.is_in_first_workdays(D(2025, 9, 16), 10, cal)
    # January belongs to the autumn term, long past its first 10 working days
    assert not terms.is_in_first_workdays(D(2026, 1, 5), 10, DEFAULT)

    s = pd.Series(pd.to_datetime(["2025-09-12 16:30", "2025-09-13", None, "2026-03-13",
                                  "2026-03-16", "2025-09-01"], format="ISO8601"),
                  index=list("abcdef"))
    got = terms.is_in_first_workdays(s, 10, DEFAULT)
    assert got.dtype == "boolean" and list(got.index) == list("abcdef")
    assert got.tolist() == [True, False, pd.NA, True, False, True]


def test_first_calendar_days_of_a_term():
    assert terms.is_in_first_days(D(2025, 9, 14), 14)
    assert not terms.is_in_first_days(D(2025, 9, 15), 14)
    assert terms.is_in_first_days(D(2026, 3, 1), 14)
    assert terms.is_in_first_days(D(2026, 3, 14), 14)
    assert not terms.is_in_first_days(D(2026, 3, 15), 14)
    assert not terms.is_in_first_days(D(2026, 2, 10), 14)
    s = pd.Series(pd.to_datetime(["2025-09-14 23:00", "2025-09-15", None, "2026-03-01"],
                                  format="ISO8601"))
    assert terms.is_in_first_days(s, 14).tolist() == [True, False, pd.NA, True]


def test_vectorised_terms_equal_scalar_on_every_day():
    days = pd.Series(pd.date_range("2003-09-01", "2032-12-31", freq="D"))
    starts = terms.term_starts(days)
    years = terms.school_year_starts(days)
    first10 = terms.is_in_first_workdays(days, 10, DEFAULT)
    first14 = terms.is_in_first_days(days, 14)
    for i, ts in enumerate(days):
        d = ts.date()
        start = terms.term_start(d)
        assert starts.iloc[i].date() == start
        assert 0 <= (d - start).days <= 183  # Mar 1 – Aug 31 is the longest term
        assert years.iloc[i] == terms.school_year_start(d)
        assert first10.iloc[i] == terms.is_in_first_workdays(d, 10, DEFAULT)
        assert first14.iloc[i] == terms.is_in_first_days(d, 14)
    # each term has exactly 14 days in its first-14-days window and 10 working days in its
    # first-10-working-days window (2004–2026 have official data, others are Mon–Fri)
    term_of = starts.dt.date
    assert (first14.groupby(term_of).sum() == 14).all()
    workday = DEFAULT.is_workday(days)
    assert ((first10 & workday).groupby(term_of).sum() == 10).all()
