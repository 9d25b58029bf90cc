"""Business timing: the working-day duration of every approval step, and the 月度通报 data.

:func:`step_timing` is THE computation of a step's duration (TR-01 and the bulletin both use
it): working days in ``(到达日期, 处理日期 or as_of]`` on a calendar that does not count the
profile's 寒暑假 (``WorkCalendar(..., vacations=...)``), overdue when that count exceeds the
limit, due on ``add_workdays(到达日期, limit)`` (docs/rules.md, Conventions).

:func:`monthly_overdue` picks the steps of one month's 月度通报 (通知2016 附件1 三.7) and
:func:`bulletin_summary` ranks the responsible units, worst first.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

TIMING_COLUMNS: tuple[str, ...] = (
    "业务编号", "环节序号", "环节名称", "处理单位", "arrived", "handled", "pending", "workdays",
    "overdue", "overdue_days", "due_date",
)


def _day(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s).dt.normalize()


def _days(s: pd.Series) -> np.ndarray:
    """A date-time column as ``datetime64[D]`` (time of day dropped, NaT kept)."""
    return pd.to_datetime(s).to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")


def step_timing(steps: pd.DataFrame, as_of: dt.date, calendar, limit: int = 10) -> pd.DataFrame:
    """Duration and lateness of every step of 异动环节 (one row per input row, same order).

    ``calendar`` is a :class:`~xueji_audit.workdays.WorkCalendar` built with the profile's
    寒暑假 so vacation days do not count. Columns:

    ``arrived``, ``handled``  到达日期 / 处理日期 without the time of day (NaT when empty);
    ``pending``      not handled yet (no 处理日期);
    ``workdays``     working days in ``(arrived, handled or as_of]`` (Int64; NA when the step
                     has no 到达日期 or arrived after ``as_of``: it is not judged);
    ``overdue``      ``workdays > limit``;
    ``overdue_days`` ``workdays - limit`` when overdue, else 0;
    ``due_date``     ``add_workdays(arrived, limit)`` (NaT when not judged).
    """
    as_of = np.datetime64(pd.Timestamp(as_of).date(), "D")
    arrived = _days(steps["到达日期"])
    handled = _days(steps["处理日期"])
    judged = ~np.isnat(arrived) & (arrived <= as_of)
    nat = np.datetime64("NaT", "D")
    start = pd.Series(np.where(judged, arrived, nat).astype("datetime64[ns]"))
    end = np.where(judged, np.where(np.isnat(handled), as_of, handled), nat)
    used = calendar.workdays_between_many(start, pd.Series(end.astype("datetime64[ns]")))
    used.index = steps.index
    n = used.to_numpy(dtype=np.int64, na_value=-1)
    overdue = n > limit
    out = pd.DataFrame({
        "业务编号": steps["业务编号"],
        "环节序号": steps["环节序号"],
        "环节名称": steps["环节名称"] if "环节名称" in steps else pd.NA,
        "处理单位": steps["处理单位"],
        "arrived": arrived.astype("datetime64[ns]"),
        "handled": handled.astype("datetime64[ns]"),
        "pending": np.isnat(handled),
        "workdays": used.array,  # Int64: NA where not judged
        "overdue": overdue,
        "overdue_days": np.where(overdue, n - limit, 0),
        "due_date": _due_dates(arrived, judged, calendar, limit),
    }, index=steps.index, copy=False)
    return out


def _due_dates(arrived: np.ndarray, judged: np.ndarray, calendar, limit: int) -> np.ndarray:
    """``add_workdays(arrived, limit)`` where judged, else NaT — computed once per distinct
    day of the arrival range (steps share few days) and looked up."""
    out = np.full(len(arrived), np.datetime64("NaT"), dtype="datetime64[ns]")
    if not judged.any():
        return out
    days = arrived[judged]
    lo, hi = days.min(), days.max()
    span = np.arange(lo, hi + np.timedelta64(1, "D"), dtype="datetime64[D]")
    due = calendar.add_workdays_many(pd.Series(span.astype("datetime64[ns]")), limit).to_numpy()
    out[judged] = due[(days - lo).astype(np.int64)]
    return out


def month_bounds(month: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """``"2026-10"`` → (2026-10-01, 2026-10-31). Raises ValueError for anything else."""
    period = pd.Period(month, freq="M")
    if f"{period.year:04d}-{period.month:02d}" != month.strip():
        raise ValueError(month)
    return period.start_time.normalize(), period.end_time.normalize()


def monthly_overdue(steps: pd.DataFrame, month: str, calendar, limit: int = 10) -> pd.DataFrame:
    """The steps of the 月度通报 of ``month`` (``YYYY-MM``): those overdue at some moment of it.

    The month is judged as of its last day: a step handled after that day counts as still
    pending then. A step is listed when it was overdue at the month's end (by that day still
    pending past its limit, or handled late) and it was not already handled before the month
    began — so a step handled late in September is in September's bulletin only, while one
    pending since August is in every bulletin until it is handled. Columns as
    :func:`step_timing`; rows ordered by unit, then most overdue first.
    """
    first, last = month_bounds(month)
    handled = _day(steps["处理日期"])
    clipped = steps.assign(处理日期=handled.where(handled <= last))
    t = step_timing(clipped, last.date(), calendar, limit)
    keep = t["overdue"] & (t["handled"].isna() | (t["handled"] >= first))
    t = t[keep.to_numpy()]
    return t.sort_values(["处理单位", "overdue_days", "业务编号", "环节序号"],
                         ascending=[True, False, True, True], kind="stable")


def bulletin_summary(late: pd.DataFrame) -> pd.DataFrame:
    """Per responsible unit of :func:`monthly_overdue` rows, worst first.

    Columns 处理单位, 超期环节数, 涉及业务数, 未办理环节数, 合计超期工作日, 最长超期工作日;
    ordered by 超期环节数, then 合计超期工作日, then 最长超期工作日 (all descending), then unit.
    """
    if len(late) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object if c == "处理单位" else np.int64)
                             for c in ("处理单位", "超期环节数", "涉及业务数", "未办理环节数",
                                       "合计超期工作日", "最长超期工作日")})
    days = late["overdue_days"].astype(np.int64)
    g = late.assign(_d=days).groupby("处理单位", sort=False)
    out = pd.DataFrame({
        "超期环节数": g.size(),
        "涉及业务数": g["业务编号"].nunique(),
        "未办理环节数": g["pending"].sum().astype(np.int64),
        "合计超期工作日": g["_d"].sum(),
        "最长超期工作日": g["_d"].max(),
    }).reset_index()
    return out.sort_values(["超期环节数", "合计超期工作日", "最长超期工作日", "处理单位"],
                           ascending=[False, False, False, True], kind="stable",
                           ignore_index=True)
