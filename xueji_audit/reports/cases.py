"""Data for the report 05 案件与表单: open cases with their deadlines, their findings, the access
log and one drafted form, from the workspace's case store (:class:`~xueji_audit.cases.CaseStore`).
"""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pandas as pd

from ..cases import organisation
from ..cases.store import CLOSED, KINDS, CaseStore
from ..dates import parse_date
from ..forms import draft, with_organisation
from ..forms.data import with_register
from ..privacy import log_draft
from ..workdays import WorkCalendar
from ..workspace.exports import FINDING_HEADERS
from .overview import school_mask

CASE_HEADERS: dict[str, str] = {
    "id": "案件号", "kind": "类型", "title": "标题", "status": "状态", "unit": "承办单位",
    "opened_on": "立案日期", "deadline_workdays": "期限（工作日）", "deadline": "办理期限",
    "left": "剩余工作日", "overdue": "逾期", "findings": "问题数", "open_findings": "未整改",
}
ACCESS_HEADERS: dict[str, str] = {"id": "序号", "at": "日期", "recorded_at": "操作时间",
                                  "user": "操作人", "action": "操作", "case_id": "案件号",
                                  "detail": "说明"}


def _school_cases(store: CaseStore, cases: pd.DataFrame, school: str,
                  names: pd.Series) -> pd.DataFrame:
    """The cases with a finding at ``school`` or whose unit names it (all when empty)."""
    if not (school or "").strip() or cases.empty:
        return cases
    hit = set()
    for case_id in cases["id"]:
        f = store.get_case(int(case_id))["findings"]
        if school_mask(f["学校标识码"], school, names).any():
            hit.add(case_id)
    by_unit = cases["unit"].str.contains(school.strip(), regex=False)
    return cases[cases["id"].isin(hit) | by_unit]


def open_cases(store: CaseStore, as_of: dt.date | str, calendar: WorkCalendar,
               school: str = "", names: pd.Series | None = None) -> pd.DataFrame:
    """Cases not 办结 / 撤销 with Chinese headers: kind, status, unit, deadline in working days
    and as a date, 剩余工作日 at ``as_of`` (negative: working days overdue), 逾期 (是/否),
    findings and findings still 未整改; most overdue first."""
    on = parse_date(as_of)
    c = store.list_cases(as_of=on)
    c = c[~c["status"].isin(CLOSED)]
    c = _school_cases(store, c, school, names if names is not None else pd.Series(dtype=object))
    if c.empty:
        return pd.DataFrame(columns=list(CASE_HEADERS.values()))
    deadline = pd.to_datetime(c["deadline"])
    left = (calendar.workdays_between_many(on, deadline).to_numpy(dtype="int64")
            - calendar.workdays_between_many(deadline, on).to_numpy(dtype="int64"))
    c = c.assign(kind=c["kind"].map(KINDS), opened_on=c["opened_on"].str.slice(0, 10),
                 left=left, overdue=c["overdue"].map({True: "是", False: "否"}))
    c = c.sort_values(["left", "id"], kind="stable")
    return c[list(CASE_HEADERS)].rename(columns=CASE_HEADERS).reset_index(drop=True)


def case_findings(store: CaseStore, case_ids, names: pd.Series | None = None) -> pd.DataFrame:
    """The findings of the cases ``case_ids``: 案件号, the finding headers of report 01 and
    整改状态."""
    frames = []
    for case_id in case_ids:
        f = store.get_case(int(case_id))["findings"]
        frames.append(f.assign(案件号=int(case_id)))
    cols = ["案件号", *FINDING_HEADERS.values(), "整改状态"]
    if not frames:
        return pd.DataFrame(columns=cols)
    f = pd.concat(frames, ignore_index=True)
    names = names if names is not None else pd.Series(dtype=object)
    f = f.assign(学校=f["学校标识码"].astype("string").map(names),
                 due_date=f["due_date"].dt.strftime("%Y-%m-%d"))
    return f.rename(columns=FINDING_HEADERS)[cols]


def access_table(store: CaseStore) -> pd.DataFrame:
    """The access log with Chinese headers, oldest first."""
    return store.access_log().rename(columns=ACCESS_HEADERS)


def draft_logged(store: CaseStore, case_id: int, kind: str, *, on: dt.date | str,
                 calendar: WorkCalendar, out_dir: str | Path, user: str,
                 students: pd.DataFrame | None = None, progress=None,
                 schools: pd.DataFrame | None = None,
                 rosters: pd.DataFrame | None = None, bundle: bool = False) -> list[Path]:
    """Draft form ``kind`` of ``case_id`` into ``out_dir``, its students' details filled from
    the register ``students`` (``schools``, ``rosters``) when given and its issuer and handler from the organisation
    settings of the store's workspace, and log it as 起草文书 by ``user`` on ``on``;
    return the written paths (``progress`` as for :func:`~xueji_audit.forms.draft`)."""
    on = parse_date(on)
    case = with_register(store.get_case(int(case_id)), students, schools, rosters)
    case = with_organisation(kind, case, organisation.load(store.path.parent))
    paths = draft(kind, case, on=on, calendar=calendar, out_dir=out_dir, user=user,
                  progress=progress, bundle=bundle)
    log_draft(store, user, on, int(case_id), kind, paths)
    return paths


def draft_case_form(store: CaseStore, case_id: int, kind: str, *, on: dt.date | str,
                    calendar: WorkCalendar, out_dir: str | Path, user: str,
                    students: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`draft_logged` into ``out_dir`` (a new temporary folder when empty); return
    文件, 格式, 大小（KB） of the written files."""
    out = Path(out_dir) if str(out_dir or "").strip() else Path(
        tempfile.mkdtemp(prefix="xueji-forms-"))
    paths = draft_logged(store, case_id, kind, on=on, calendar=calendar, out_dir=out,
                         user=user, students=students)
    return pd.DataFrame({"文件": [str(p) for p in paths],
                         "格式": [p.suffix.lstrip(".") for p in paths],
                         "大小（KB）": [round(p.stat().st_size / 1024, 1) for p in paths]})


def form_case(cases: pd.DataFrame, kind: str = "核查") -> int | None:
    """The case a report drafts its form for: the first open case of ``kind`` (its
    :data:`KINDS` name in 类型), else the first open case; None without open cases."""
    if cases.empty:
        return None
    fitting = cases[cases["类型"] == KINDS[kind]]
    chosen = fitting if len(fitting) else cases
    return int(chosen["案件号"].min())
