"""Step durations (TR-01's arithmetic) and the 月度通报 selection, on hand-counted dates.

November 2026 has no public holiday, so its working days are Monday–Friday: 2026-11-02 is a
Monday; (11-02, 11-16] holds 4 + 5 + 1 = 10 working days, (11-02, 11-20] 14, (11-02, 11-30] 20.
"""
import datetime as dt

import pandas as pd
import pytest

from xueji_audit.timing import bulletin_summary, month_bounds, monthly_overdue, step_timing
from xueji_audit.workdays import WorkCalendar

SUMMER = WorkCalendar(vacations=[("01-20", "02-19"), ("07-15", "08-31")])


def steps(rows):
    df = pd.DataFrame(rows, columns=["业务编号", "环节序号", "环节名称", "处理单位", "到达日期",
                                     "处理日期"])
    df["到达日期"] = pd.to_datetime(df["到达日期"], format="mixed")
    df["处理日期"] = pd.to_datetime(df["处理日期"], format="mixed")
    return df


def test_durations_overdue_and_due_dates():
    st = steps([
        ("B1", 1, "转入校审核", "甲校", "2026-11-02 09:30", "2026-11-16 17:00"),  # exactly 10
        ("B1", 2, "转入地县核办", "县局", "2026-11-02", "2026-11-17"),  # 11 → 1 day late
        ("B2", 1, "转出校审核", "乙校", "2026-11-02", None),  # pending: 14 at 11-20
        ("B3", 1, "转出校审核", "乙校", "2026-11-25", None),  # arrived after as_of: not judged
        ("B4", 1, "转出校审核", "乙校", None, None),  # no arrival date
    ])
    t = step_timing(st, dt.date(2026, 11, 20), SUMMER)
    assert t["workdays"].tolist()[:3] == [10, 11, 14]
    assert t["workdays"].isna().tolist() == [False, False, False, True, True]
    assert t["overdue"].tolist() == [False, True, True, False, False]
    assert t["overdue_days"].tolist() == [0, 1, 4, 0, 0]
    assert t["pending"].tolist() == [False, False, True, True, True]
    assert t["due_date"].iloc[0] == pd.Timestamp("2026-11-16")
    assert t["due_date"].iloc[2] == pd.Timestamp("2026-11-16")
    assert t["due_date"].iloc[3:].isna().all()
    assert t["处理单位"].tolist() == ["甲校", "县局", "乙校", "乙校", "乙校"]


def test_summer_vacation_days_do_not_count():
    # (07-10, 09-04]: 07-13 and 07-14, then 09-01..09-04 — the summer in between is skipped.
    st = steps([("B1", 1, "调档", "县局", "2026-07-10", "2026-09-04")])
    assert step_timing(st, dt.date(2026, 11, 20), SUMMER)["workdays"].iloc[0] == 6
    plain = step_timing(st, dt.date(2026, 11, 20), WorkCalendar())
    assert plain["workdays"].iloc[0] > 30 and plain["overdue"].iloc[0]


def test_limit_is_a_parameter():
    st = steps([("B1", 1, "转入校审核", "甲校", "2026-11-02", "2026-11-09")])  # 5 days
    assert not step_timing(st, dt.date(2026, 11, 20), SUMMER, limit=5)["overdue"].iloc[0]
    t = step_timing(st, dt.date(2026, 11, 20), SUMMER, limit=4)
    assert t["overdue"].iloc[0] and t["overdue_days"].iloc[0] == 1
    assert t["due_date"].iloc[0] == pd.Timestamp("2026-11-06")


MONTH = steps([
    ("A", 1, "转入校审核", "丙校", "2026-09-01", "2026-09-30"),  # late, handled in September
    ("B", 1, "转入校审核", "甲校", "2026-11-02", None),  # pending 20 at 11-30 → 10 late
    ("C", 1, "转入地县核办", "县局", "2026-11-02", "2026-11-17"),  # handled 1 day late
    ("D", 1, "转入校审核", "甲校", "2026-11-02", "2026-11-16"),  # in time
    ("E", 1, "转出校审核", "乙校", "2026-11-20", "2026-12-10"),  # 6 days by 11-30
    ("F", 2, "转出地县核办", "甲校", "2026-11-02", "2026-12-15"),  # still pending on 11-30
    ("G", 1, "转入校审核", "丁校", "2026-10-12", "2026-11-03"),  # late since October
])


def test_monthly_bulletin_selects_steps_late_during_the_month():
    late = monthly_overdue(MONTH, "2026-11", SUMMER)
    assert set(late["业务编号"]) == {"B", "C", "F", "G"}
    by = late.set_index("业务编号")
    assert by.loc["B", "overdue_days"] == 10 and by.loc["F", "overdue_days"] == 10
    assert by.loc["F", "pending"] and not by.loc["C", "pending"]
    assert set(monthly_overdue(MONTH, "2026-09", SUMMER)["业务编号"]) == {"A"}


def test_summary_is_worst_first():
    s = bulletin_summary(monthly_overdue(MONTH, "2026-11", SUMMER))
    assert s["处理单位"].iloc[0] == "甲校"
    first = s.iloc[0]
    assert (first["超期环节数"], first["未办理环节数"], first["合计超期工作日"],
            first["最长超期工作日"]) == (2, 2, 20, 10)
    assert set(s["处理单位"]) == {"甲校", "县局", "丁校"}
    assert s["超期环节数"].is_monotonic_decreasing


def test_empty_month_and_bad_month():
    assert len(bulletin_summary(monthly_overdue(MONTH, "2026-06", SUMMER))) == 0
    assert month_bounds("2026-02") == (pd.Timestamp("2026-02-01"), pd.Timestamp("2026-02-28"))
    with pytest.raises(ValueError):
        month_bounds("2026-13")
