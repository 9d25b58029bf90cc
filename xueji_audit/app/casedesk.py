"""Data of the case desk app (案件办理): choosing findings, opening cases, the case card,
assigning, status changes and drafting the official forms with download links.

Every write goes to the session's case store with ``session.config.user`` and
``session.config.as_of``; deadlines count working days on the profile's calendar.
"""
from __future__ import annotations

import base64
import datetime as dt
import html
import mimetypes
from pathlib import Path

import pandas as pd

from ..cases import replies
from ..cases.store import CLOSED, KINDS, TRANSITIONS
from ..errors import XuejiError
from ..forms import CASE_KINDS, PER_CHILD
from ..privacy import mask_xjh
from ..reports.cases import draft_logged
from ..reports.cases import escalate as escalate_case
from ..rules.catalogue import CATALOGUE
from ..workdays import WorkCalendar
from ..workspace.exports import FINDING_HEADERS
from .display import card_html, escape, table_html
from .session import Progress, Session

ALL_SCHOOLS = "全部"
DEFAULT_WORKDAYS = 10
FORM_OF_KIND: dict[str, str] = {"核查": "核查单", "督办": "督办单", "报告": "报告单",
                                "排查": "排查表", "复学通知": "复学通知书"}
"""Case kind → the form drafted for it by default."""
MIME: dict[str, str] = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
}
CARD_FINDING_HEADERS: dict[str, str] = {**FINDING_HEADERS, "整改状态": "整改状态",
                                        "整改日期": "整改日期"}
"""The columns of the case card's findings table."""
HISTORY_WORDS: dict[str, dict[str, str]] = {
    "对象": {"case": "案件", "pair": "疑似重复", "finding": "问题"},
    "字段": {"status": "状态", "unit": "承办单位", "note": "处理意见"},
}
"""Stored history words → the Chinese shown on the case card."""
OVERDUE_STYLE = "color:#b42318;font-weight:bold"
LINK_STYLE = "color:#0969da;text-decoration:underline"
SCROLL_STYLE = "overflow:auto;max-width:100%;max-height:420px"


def calendar(session: Session) -> WorkCalendar:
    """The working-day calendar of the workspace's profile."""
    return session.workspace.profile.calendar()


def _rule_name(rule_id: str, findings: pd.DataFrame | None = None) -> str:
    if rule_id in CATALOGUE:
        return CATALOGUE[rule_id].name
    if findings is not None and len(findings):
        names = findings.loc[findings["rule_id"] == rule_id, "rule_name"].dropna()
        if len(names):
            return str(names.iloc[0])
    return rule_id


def rule_options(session: Session) -> list[tuple[str, str]]:
    """(``ID-01 名称（N 条）``, rule id) of every rule with findings, by rule id."""
    f = session.findings
    if f is None or f.empty:
        return []
    counts = f["rule_id"].dropna().astype(str).value_counts().sort_index()
    return [(f"{rid} {_rule_name(rid, f)}（{n} 条）", rid) for rid, n in counts.items()]


def school_options(session: Session) -> list[tuple[str, str]]:
    """(label, 学校标识码) of 全部 (value ``""``) and every school with findings, by code;
    a school's label is its name, code and number of findings."""
    f = session.findings
    out = [(ALL_SCHOOLS, "")]
    if f is None or f.empty:
        return out
    counts = f["学校标识码"].dropna().astype(str).value_counts().sort_index()
    names = session.names
    for code, n in counts.items():
        name = names.get(code) if names is not None else None
        label = f"{name}（{code}，{n} 条）" if isinstance(name, str) and name else f"{code}（{n} 条）"
        out.append((label, code))
    return out


def choose_findings(session: Session, rules, school: str = "") -> pd.DataFrame:
    """The findings of the rule ids ``rules`` (at the school with code ``school`` when given)."""
    f = session.findings
    rules = [str(r) for r in (rules or ())]
    if f is None or f.empty or not rules:
        return (f if f is not None else pd.DataFrame()).iloc[0:0]
    mask = f["rule_id"].isin(rules).fillna(False)
    if (school or "").strip():
        mask &= (f["学校标识码"].astype("string") == school.strip()).fillna(False)
    return f[mask.to_numpy(dtype=bool)].reset_index(drop=True)


def selection_text(findings: pd.DataFrame) -> str:
    """``已选问题 N 条（涉及学生 M 人）``."""
    n = 0 if findings is None else len(findings)
    m = 0 if not n else int(findings["学籍号"].dropna().nunique())
    return f"已选问题 {n} 条（涉及学生 {m} 人）"


def default_title(rules, school: str = "") -> str:
    """A case title from the chosen rule ids (and the school's name when given)."""
    rules = [str(r) for r in (rules or ())]
    prefix = f"{school.strip()}：" if (school or "").strip() else ""
    if not rules:
        return f"{prefix}学籍问题核查"
    names = [_rule_name(r) for r in rules]
    if len(rules) <= 3:
        return f"{prefix}{'、'.join(names)}（{'、'.join(rules)}）"
    return f"{prefix}{names[0]}等{len(rules)}类学籍问题（{rules[0]}等）"


def open_case(session: Session, kind: str, rules, school: str = "", *, title: str = "",
              unit: str = "", deadline_workdays: int = DEFAULT_WORKDAYS) -> int:
    """Open a case of ``kind`` (a :data:`KINDS` key) with the findings of ``rules`` at
    ``school`` (all schools when empty); return its id."""
    if not rules:
        raise XuejiError("未选择问题：请先在「问题类型」中选择至少一类问题。")
    findings = choose_findings(session, rules, school)
    if findings.empty:
        raise XuejiError("所选学校没有所选类型的问题，请换一个学校或问题类型。")
    if not (title or "").strip():
        name = session.names.get(school) if (school or "").strip() else None
        title = default_title(rules, name if isinstance(name, str) else "")
    return session.store.open_case(
        kind, title.strip(), findings, unit=(unit or "").strip(),
        deadline_workdays=int(deadline_workdays), user=session.config.user,
        on=session.config.as_of, calendar=calendar(session))


def workdays_left(cal: WorkCalendar, as_of: dt.date, deadline: dt.date) -> int:
    """Working days from ``as_of`` to ``deadline`` (negative: working days overdue)."""
    return int(cal.workdays_between(as_of, deadline)) - int(cal.workdays_between(deadline, as_of))


def left_text(left: int, status: str = "") -> str:
    """``剩余N个工作日`` / ``今日到期`` / ``逾期N个工作日`` (``已办结`` / ``已撤销`` when closed)."""
    if status in CLOSED:
        return f"已{status}"
    if left > 0:
        return f"剩余{left}个工作日"
    return "今日到期" if left == 0 else f"逾期{-left}个工作日"


def case_options(session: Session) -> list[tuple[str, int]]:
    """(``案件号 类型 标题 状态 期限 剩余N个工作日/逾期``, id) of every case, by id."""
    cases = session.store.list_cases()
    if cases.empty:
        return []
    on = session.config.as_of
    deadline = pd.to_datetime(cases["deadline"])
    cal = calendar(session)
    left = (cal.workdays_between_many(on, deadline).to_numpy(dtype="int64")
            - cal.workdays_between_many(deadline, on).to_numpy(dtype="int64"))
    return [(f"案件{cid} {KINDS[kind]} {title} {status} 期限{d} {left_text(int(n), status)}",
             int(cid))
            for cid, kind, title, status, d, n in zip(
                cases["id"], cases["kind"], cases["title"], cases["status"], cases["deadline"],
                left, strict=True)]


def case_card(session: Session, case_id: int) -> dict:
    """The case ``case_id``: ``case`` (the store's dict), ``info`` (Chinese label → value),
    ``left`` (working days left, negative when overdue), ``overdue`` (bool), ``findings``
    (Chinese headers), ``pairs`` and ``history`` (its words in Chinese)."""
    case = session.store.get_case(int(case_id))
    left = workdays_left(calendar(session), session.config.as_of, case["deadline"])
    info = {"案件号": str(case["id"]), "类型": case["kind_name"], "标题": case["title"],
            "状态": case["status"], "承办单位": case["unit"] or "（未交办）",
            "立案人": case["opened_by"], "立案日期": case["opened_on"].isoformat(),
            "期限（工作日）": str(case["deadline_workdays"]),
            "办理期限": case["deadline"].isoformat(),
            "剩余工作日": left_text(left, case["status"]), "处理意见": case["note"] or ""}
    f = case["findings"]
    names = session.names if session.names is not None else pd.Series(dtype=object)
    f = f.assign(学校=f["学校标识码"].astype("string").map(names),
                 due_date=pd.to_datetime(f["due_date"]).dt.strftime("%Y-%m-%d"))
    findings = f.rename(columns=CARD_FINDING_HEADERS)[list(CARD_FINDING_HEADERS.values())]
    history = case["history"].assign(**{
        col: case["history"][col].map(words).fillna(case["history"][col])
        for col, words in HISTORY_WORDS.items()})
    return {"case": case, "info": info, "left": left,
            "overdue": case["status"] not in CLOSED and left < 0,
            "findings": findings, "pairs": case["pairs"], "history": history}


def card_html_of(card: dict, reveal: bool = False) -> str:
    """The case card as HTML: the facts (剩余工作日 red when overdue), findings, pairs and
    history tables; personal numbers masked unless ``reveal``."""
    info = card["info"]
    head = card_html(info, reveal, title=f"案件 {info['案件号']}：{info['类型']}")
    if card["overdue"]:
        key = f"<dt>{escape('剩余工作日')}</dt><dd>"
        head = head.replace(key, f'{key[:-1]} class="xj-overdue" style="{OVERDUE_STYLE}">', 1)
    parts = [(f"问题清单（{len(card['findings'])} 条）", card["findings"], "本案没有问题记录。"),
             ("疑似重复学生", card["pairs"], "本案没有疑似重复学生。"),
             ("办理记录", card["history"], "尚无办理记录。")]
    return head + "".join(
        f'<h4>{escape(title)}</h4><div style="{SCROLL_STYLE}">{table_html(df, reveal, empty)}</div>'
        for title, df, empty in parts)


def allowed_statuses(status: str) -> tuple[str, ...]:
    """The statuses a case in ``status`` may move to (:data:`TRANSITIONS`; none when closed)."""
    if status not in TRANSITIONS:
        raise XuejiError(f"状态「{status}」无效，可选：{'、'.join(TRANSITIONS)}。")
    return TRANSITIONS[status]


def assign(session: Session, case_id: int, unit: str,
           expected_version: int | None = None) -> None:
    """Assign the case to ``unit`` (立案 → 交办). With ``expected_version`` (the version the
    page showed) a change made meanwhile by someone else is refused with a
    :class:`~xueji_audit.cases.store.StaleCaseError` naming who made it."""
    session.store.assign(int(case_id), (unit or "").strip(), user=session.config.user,
                         on=session.config.as_of, expected_version=expected_version)


def set_status(session: Session, case_id: int, status: str, note: str = "",
               expected_version: int | None = None) -> None:
    """Move the case to ``status`` (the store refuses what :data:`TRANSITIONS` does not allow;
    ``expected_version`` as in :func:`assign`)."""
    session.store.set_status(int(case_id), status, user=session.config.user,
                             on=session.config.as_of, note=(note or "").strip(),
                             expected_version=expected_version)


def _quiet(fraction: float, message: str) -> None:
    return None


def draft_form(session: Session, case_id: int, kind: str,
               progress: Progress | None = None) -> list[Path]:
    """Write the ``.docx`` and ``.pdf`` of form ``kind`` (:data:`CASE_KINDS`) for the case
    into ``forms_dir/案件{id}`` — per child with a 汇总表, merged PDF and .zip for the per-child
    forms — with full register values, dated ``as_of``; log 起草文书."""
    if kind not in CASE_KINDS:
        raise XuejiError(f"未知的表单种类「{kind}」，可选：{'、'.join(CASE_KINDS)}。")
    progress = progress or _quiet
    paths = draft_logged(session.store, int(case_id), kind, on=session.config.as_of,
                         calendar=calendar(session), user=session.config.user,
                         out_dir=session.forms_dir / f"案件{int(case_id)}",
                         students=session.students, progress=progress,
                         schools=session.workspace.table("schools"),
                         rosters=session.workspace.table("rosters"), bundle=kind in PER_CHILD)
    progress(1.0, f"已生成 {len(paths)} 个文件。")
    return paths


def data_uri(path: str | Path) -> str:
    """The file as a ``data:<mime>;base64,…`` URI."""
    path = Path(path)
    mime = MIME.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] \
        or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def offered(paths) -> list[Path]:
    """The files a page offers for download: of a per-child form the .zip of all of them, its
    汇总表 and the merged PDF (hundreds of links would bury them); else every file."""
    paths = [Path(p) for p in paths]
    if not any(p.suffix == ".zip" for p in paths):
        return paths
    return [p for p in paths if p.suffix == ".zip" or "汇总表" in p.name or "合并打印" in p.name]


def download_links_html(paths) -> str:
    """One ``<a class="xj-download" download=…>下载 文件名</a>`` per file (data URIs)."""
    links = []
    for p in paths:
        p = Path(p)
        name = html.escape(p.name, quote=True)
        size = round(p.stat().st_size / 1024, 1)
        links.append(f'<li><a class="xj-download" download="{name}" href="{data_uri(p)}" '
                     f'style="{LINK_STYLE}">'
                     f'下载 {name}</a> <span class="xj-note">（{size} KB）</span></li>')
    return f"<ul>{''.join(links)}</ul>" if links else ""


# ------------------------------------------------------------------ replies and escalation
def child_options(session: Session, case_id: int, reveal: bool = False) -> list[tuple[str, str]]:
    """(label, child key) per child of the case: name, 学籍号 (masked unless ``reveal``) and
    the item's state."""
    items = session.store.items(int(case_id))
    shown = items["child"] if reveal else mask_xjh(items["child"].astype(object))
    return [(f"{r.姓名 if pd.notna(r.姓名) and r.姓名 else '（无姓名）'}（{s}）— {r.state}", r.child)
            for r, s in zip(items.itertuples(index=False), shown, strict=True)]


def items_html(session: Session, case_id: int, reveal: bool = False) -> str:
    """The children of the case with their state and latest reply, masked unless ``reveal``."""
    items = session.store.items(int(case_id)).rename(columns=replies.ITEM_HEADERS)
    return "<h4>学生事项与承办单位答复</h4>" + table_html(items, reveal, empty="本案没有学生事项。")


def record_reply(session: Session, case_id: int, child: str, verified: str, handled: str,
                 files=(), done: bool = True) -> int:
    """Record the unit's reply for ``child`` with evidence ``files`` ((name, bytes) pairs)."""
    return session.store.record_reply(int(case_id), child, verified=verified,
                                handled=handled, evidence=list(files), done=done,
                                user=session.config.user, on=session.config.as_of)


def review_reply(session: Session, case_id: int, child: str, accept: bool,
                 reason: str = "") -> None:
    """Accept (办结) or return (with ``reason``) the answered item of ``child``."""
    session.store.review(int(case_id), child, accept, reason=reason,
                   user=session.config.user, on=session.config.as_of)


def escalate(session: Session, case_id: int, progress: Progress | None = None) -> list[Path]:
    """Move the overdue case to 督办 and draft the 督办单 of the children still open."""
    paths = escalate_case(session.store, int(case_id), on=session.config.as_of,
                          calendar=calendar(session), user=session.config.user,
                          out_dir=session.forms_dir / f"案件{int(case_id)}",
                          students=session.students, schools=session.workspace.table("schools"),
                          progress=progress or _quiet)
    (progress or _quiet)(1.0, f"已生成 {len(paths)} 个文件。")
    return paths
