"""Data for the report 05 案件与表单: open cases with their deadlines, their findings, the access
log and one drafted form, from a case store (:class:`~xueji_audit.cases.CaseStore`).

Without a store the report uses :func:`demo_store`: the audit of the demo county, with one case
per kind 核查 / 督办 / 排查 / 复学通知 opened from fitting findings by :data:`DEMO_USER`.
"""
from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..cases.findings import identity_key
from ..cases.store import ACTION_DRAFT, CLOSED, KINDS, CaseStore
from ..dates import parse_date
from ..errors import XuejiError
from ..forms import draft
from ..forms.data import with_register
from ..workdays import WorkCalendar
from .findings import FINDING_HEADERS, load_and_audit, school_mask, school_names

DEMO_USER = "示范督查员"
REPORT_USER = "案件与表单报告"
"""The user recorded when the report drafts a form in a store it was given."""
DEMO_FILE = "示范案件库.sqlite"


@dataclass(frozen=True)
class DemoCase:
    """One demo case: its kind, the rule ids (prefixes) of its findings, title, deadline in
    working days, calendar days between opening and the report date, final status."""

    kind: str
    rules: tuple[str, ...]
    title: str
    workdays: int
    opened_days_before: int
    status: str


DEMO_CASES: tuple[DemoCase, ...] = (
    DemoCase("核查", ("ID-", "XJ-"), "身份证件号与学籍号问题核查", 10, 30, "核查中"),
    DemoCase("督办", ("TR-01", "TR-02"), "学籍异动业务超期督办", 5, 3, "交办"),
    DemoCase("排查", ("RJ-01", "RJ-02", "RJ-03"), "人籍不一致学生排查", 15, 20, "交办"),
    DemoCase("复学通知", ("ST-01",), "义务教育阶段学生限期复学", 15, 1, "立案"),
)
CASE_HEADERS: dict[str, str] = {
    "id": "案件号", "kind": "类型", "title": "标题", "status": "状态", "unit": "承办单位",
    "opened_on": "立案日期", "deadline_workdays": "期限（工作日）", "deadline": "办理期限",
    "left": "剩余工作日", "overdue": "逾期", "findings": "问题数", "open_findings": "未整改",
}
ACCESS_HEADERS: dict[str, str] = {"id": "序号", "at": "时间", "user": "操作人", "action": "操作",
                                  "case_id": "案件号", "detail": "说明"}


def _busiest_school(findings: pd.DataFrame) -> str | None:
    """The 学校标识码 with the most findings a case would hold (one per identity, e.g. two
    late steps of one business are one finding; ties: the smallest code)."""
    findings = findings[~identity_key(findings).duplicated().to_numpy()]
    codes = findings["学校标识码"].dropna().astype(str)
    if codes.empty:
        return None
    n = codes.value_counts()
    return sorted(n[n == n.max()].index)[0]


def demo_store(data_dir: str | Path, as_of: dt.date | str, profile: str | None,
               path: str | Path) -> CaseStore:
    """A new case store at ``path`` (which must not exist) with one case per
    :data:`DEMO_CASES` entry: the findings of its rules at the school with the most of them,
    assigned to that school and moved to its status, all by :data:`DEMO_USER`."""
    path = Path(path)
    if path.exists():
        raise XuejiError(f"案件库文件「{path}」已存在；示范案件库须新建，请换一个文件名。")
    on = parse_date(as_of)
    loaded, result = load_and_audit(data_dir, on, profile)
    names = school_names(loaded)
    calendar = result.profile.calendar()
    store = CaseStore(path)
    for spec in DEMO_CASES:
        f = result.findings
        f = f[f["rule_id"].str.startswith(spec.rules).fillna(False).to_numpy()]
        code = _busiest_school(f)
        if code is None:
            continue
        f = f[(f["学校标识码"] == code).fillna(False).to_numpy()]
        opened = on - dt.timedelta(days=spec.opened_days_before)
        unit = str(names.get(code, code))
        case_id = store.open_case(spec.kind, spec.title, f, deadline_workdays=spec.workdays,
                                  user=DEMO_USER, on=opened, calendar=calendar)
        if spec.status != "立案":
            store.assign(case_id, unit, user=DEMO_USER, on=opened)
        if spec.status == "核查中":
            store.set_status(case_id, "核查中", user=DEMO_USER, on=opened + dt.timedelta(days=1))
    return store


@dataclass(frozen=True)
class ReportStore:
    """The store a report reads, the user its drafts are logged under, and whether it is
    the demo store."""

    store: CaseStore
    user: str
    demo: bool


def report_store(store: str | Path, data_dir: str | Path, as_of: dt.date | str,
                 profile: str | None) -> ReportStore:
    """The case store at ``store`` (it must exist), else a new :func:`demo_store` in a fresh
    temporary folder built from ``data_dir``."""
    if str(store or "").strip():
        if not Path(store).is_file():
            raise XuejiError(f"案件库文件「{store}」不存在，请检查路径；不填则使用示范案件库。")
        return ReportStore(CaseStore(store), REPORT_USER, False)
    folder = Path(tempfile.mkdtemp(prefix="xueji-cases-"))
    return ReportStore(demo_store(data_dir, as_of, profile, folder / DEMO_FILE), DEMO_USER, True)


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
                 students: pd.DataFrame | None = None, progress=None) -> list[Path]:
    """Draft form ``kind`` of ``case_id`` into ``out_dir``, its students' details filled from
    the register ``students`` when given, and log it as 起草文书 by ``user`` on ``on``;
    return the written paths (``progress`` as for :func:`~xueji_audit.forms.draft`)."""
    on = parse_date(on)
    case = with_register(store.get_case(int(case_id)), students)
    paths = draft(kind, case, on=on, calendar=calendar, out_dir=out_dir, user=user,
                  progress=progress)
    store.log_access(ACTION_DRAFT, int(case_id), user, dt.datetime.combine(on, dt.time()),
                     f"{kind}：" + "、".join(p.name for p in paths))
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
