"""Data for the report 05 案件与表单: open cases with their deadlines, their findings, the access
log and one drafted form, from the workspace's case store (:class:`~xueji_audit.cases.CaseStore`).
"""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pandas as pd

from ..cases import organisation
from ..cases.replies import child_key
from ..cases.store import CLOSED, KINDS, CaseStore
from ..dates import parse_date
from ..errors import XuejiError
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
                 rosters: pd.DataFrame | None = None, bundle: bool = False,
                 children: set[str] | None = None) -> list[Path]:
    """Draft form ``kind`` of ``case_id`` into ``out_dir``, its students' details filled from
    the register ``students`` (``schools``, ``rosters``) when given and its issuer and handler from the organisation
    settings of the store's workspace, and log it as 起草文书 by ``user`` on ``on``;
    return the written paths (``progress`` as for :func:`~xueji_audit.forms.draft`; ``bundle``
    adds a .zip; ``children`` limits the forms to those children, by
    :func:`~xueji_audit.cases.replies.child_key`)."""
    on = parse_date(on)
    case = store.get_case(int(case_id))
    if children is not None:  # only these children's findings (e.g. those still open)
        case["findings"] = case["findings"][child_key(case["findings"]).isin(children).to_numpy()]
    case = with_register(case, students, schools, rosters)
    case = with_organisation(kind, case, organisation.load(store.path.parent))
    paths = draft(kind, case, on=on, calendar=calendar, out_dir=out_dir, user=user,
                  progress=progress, bundle=bundle)
    log_draft(store, user, on, int(case_id), kind, paths)
    return paths


def remaining_children(store: CaseStore, case_id: int) -> set[str]:
    """The children of the case whose item is not 办结 and who still have a 未整改 finding."""
    items = store.items(case_id)
    left = items[(items["state"] != "已办结") & (items["未整改"] > 0)]
    return set(left["child"])


def escalate(store: CaseStore, case_id: int, *, on: dt.date | str, calendar: WorkCalendar,
             out_dir: str | Path, user: str, students: pd.DataFrame | None = None,
             schools: pd.DataFrame | None = None, progress=None,
             expected_version: int | None = None) -> list[Path]:
    """One action for an overdue case (its working-day deadline passed at ``on``): move it to
    督办 and draft the 督办单 (one per child still open, with its 汇总表, merged PDF and .zip),
    logged as 起草文书. Refused, with the reason, for a case not overdue, closed or with no
    child left open. Returns the drafted paths."""
    on = parse_date(on)
    case = store.get_case(int(case_id))
    if case["status"] in CLOSED:
        raise XuejiError(f"案件 {case_id} 已{case['status']}，不能督办。")
    if case["deadline"] >= on:
        raise XuejiError(f"案件 {case_id} 的办理期限为 {case['deadline']}，在 {on} 尚未逾期，"
                         "不能转为督办。")
    left = remaining_children(store, case_id)
    if not left:
        raise XuejiError(f"案件 {case_id} 的学生事项均已办结或整改，无需督办。")
    if case["status"] != "督办":
        with_issuer(store, "督办单")  # refuse before any change when 行政部门 is not set
        store.set_status(int(case_id), "督办", user=user, on=on,
                         note=f"逾期（期限 {case['deadline']}），督办未办结的 {len(left)} 名学生",
                         expected_version=expected_version)
    return draft_logged(store, case_id, "督办单", on=on, calendar=calendar, out_dir=out_dir,
                        user=user, students=students, schools=schools, progress=progress,
                        bundle=True, children=left)


def with_issuer(store: CaseStore, kind: str) -> dict:
    """The issuer of ``kind`` from the store's workspace settings (refused when not set)."""
    return organisation.issuer(organisation.load(store.path.parent), kind)


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
