"""Data of the transfer-chain viewer app (转学链): finding a child, the child's path as a
timeline (the audit's completed businesses, :class:`xueji_audit.chains.Chains`, businesses not
completed, then the register records), the step timing of each business
(:func:`xueji_audit.timing.step_timing`, as TR-01 counts it) and the child's CH / TR findings.

:func:`chain_data` builds everything once (a widget keeps it); the other functions take it as
``data`` and build it themselves when it is not given.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..chains import Chains, valid_id18
from ..errors import XuejiError
from ..privacy import mask_frame
from ..schema import TRANSFER_TYPES
from ..timing import step_timing
from .display import card_html, escape
from .session import Session

DONE = "核办通过"
RECORD_EVENT = "学籍记录"
OTHER_EVENT = "其他问题"
CHAIN_RULES: tuple[str, ...] = ("CH-",)
TIMELINE_RULES: tuple[str, ...] = ("CH-", "TR-")
"""Findings shown on a timeline (chain and business rules); a problem chain has a CH finding."""
TIMELINE_COLUMNS: tuple[str, ...] = (
    "日期", "事项", "业务编号", "学籍号", "办理状态", "从学校", "到学校", "班级", "学籍状态",
    "环节用时", "超期环节", "问题", "问题说明",
)
PERSON_COLUMNS: tuple[str, ...] = ("学籍号", "姓名", "性别", "出生日期", "学校", "学籍状态",
                                   "学籍记录数", "已办结异动")
PROBLEM_COLUMNS: tuple[str, ...] = ("学籍号", "姓名", "学校", "问题", "问题数")
MAX_MATCHES = 100
"""At most this many persons are offered after a search."""
_PROBLEM_STYLE = "border-color:#b42318;background:#fdf0ee"


@dataclass(frozen=True)
class ChainData:
    """Everything the viewer needs, built once by :func:`chain_data`.

    ``people``   searchable records, one per register record (``register`` True) plus one per
                 学籍号 seen only in the businesses: 学籍号, 姓名, 性别, 出生日期, 身份证件号,
                 ``id18``, 学校标识码, 班级, 学籍状态, ``person``;
    ``changes``  the businesses with their ``person`` (-1 when none), or None;
    ``timing``   业务编号 → step durations text (「环节 用时/时限 个工作日」 joined by 「；」);
    ``overdue``  业务编号 → number of overdue steps;
    ``findings`` the CH / TR findings with their ``person``;
    ``events``   per person, the number of completed businesses;
    ``limit``    the TR-01 time limit of a step (working days).
    """

    chains: Chains
    people: pd.DataFrame
    changes: pd.DataFrame | None
    timing: pd.Series
    overdue: pd.Series
    findings: pd.DataFrame
    events: np.ndarray
    limit: int


def _text(s: pd.Series) -> pd.Series:
    return s.astype("string").fillna("").str.strip()


def _ymd(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s).dt.strftime("%Y-%m-%d").astype("string").fillna("")


def _person_of(persons: pd.Series, xjh: pd.Series) -> np.ndarray:
    return persons.reindex(_text(xjh).to_numpy()).fillna(-1).to_numpy(dtype=np.int64)


def school_label(session: Session, codes: pd.Series) -> pd.Series:
    """School names of ``codes`` (the code itself when the name is unknown; "" when empty)."""
    codes = _text(pd.Series(codes))
    return codes.map(session.names).astype("string").fillna(codes)


def _step_texts(session: Session, limit: int) -> tuple[pd.Series, pd.Series]:
    steps = session.loaded.tables.get("steps")
    empty = pd.Series(dtype=object), pd.Series(dtype="int64")
    if steps is None or len(steps) == 0:
        return empty
    cal = session.result.profile.calendar(vacations=True)
    t = step_timing(steps, session.workspace.as_of, cal, limit)  # as TR-01 timed them
    t = t.sort_values(["业务编号", "环节序号"], kind="stable")
    name = _text(t["环节名称"]).where(_text(t["环节名称"]) != "", "环节" + _text(t["环节序号"]))
    used = t["workdays"].astype("Int64").astype("string")
    text = name + " " + used.fillna("") + f"/{limit} 个工作日"
    late = "超期 " + t["overdue_days"].astype("string") + " 天"
    pending, overdue = t["pending"].to_numpy(dtype=bool), t["overdue"].to_numpy(dtype=bool)
    note = late.where(overdue, "")
    note = ("未办理" + note.where(~overdue, "，" + note)).where(pending, note)
    text = text + ("（" + note + "）").where(note != "", "")
    text = text.where(used.notna(), name + "（未到达）")
    key = _text(t["业务编号"])
    timing = text.groupby(key.to_numpy(), sort=False).agg("；".join)
    overdue = t["overdue"].groupby(key.to_numpy(), sort=False).sum().astype("int64")
    return timing, overdue


def chain_data(session: Session) -> ChainData:
    """Build the chains, the searchable records, the step timing and the CH / TR findings."""
    students = session.loaded.tables.get("students")
    if students is None:
        raise XuejiError("没有学生表，无法查看转学链。请先在「数据导入」页面导入学籍系统的学生名单。")
    changes = session.loaded.tables.get("changes")
    id18 = valid_id18(students)
    chains = session.result.chains  # the audit's chains (the CH rules used them)
    cols = {c: _text(students[c]) if c in students else pd.Series("", index=students.index)
            for c in ("学籍号", "姓名", "性别", "身份证件号", "学校标识码", "班级", "学籍状态")}
    people = pd.DataFrame(cols)
    people["出生日期"] = (_ymd(students["出生日期"]) if "出生日期" in students else "")
    people["id18"] = id18.astype("string").fillna("").to_numpy()
    people["person"] = chains.records["person"].to_numpy()
    people["register"] = True
    if changes is not None and len(changes):
        changes = changes.assign(person=_person_of(chains.persons, changes["学籍号"]))
        extra = changes[~_text(changes["学籍号"]).isin(people["学籍号"]).to_numpy()
                        & (changes["person"] >= 0).to_numpy()].drop_duplicates("学籍号")
        if len(extra):
            more = pd.DataFrame({"学籍号": _text(extra["学籍号"]), "姓名": _text(extra["姓名"]),
                                 "学校标识码": _text(extra["转出学校标识码"]),
                                 "person": extra["person"].to_numpy(), "register": False})
            people = pd.concat([people, more], ignore_index=True).fillna("")
    else:
        changes = None
    people = people.reset_index(drop=True)
    limit = int(session.result.profile.params_for("TR-01").get("workdays", 10))
    timing, overdue = _step_texts(session, limit)
    f = session.findings
    f = f[f["rule_id"].str.startswith(TIMELINE_RULES).fillna(False).to_numpy()]
    f = f.assign(person=_person_of(chains.persons, f["学籍号"]))
    events = np.bincount(chains.chain["person"].to_numpy(dtype=np.int64),
                         minlength=chains.n_persons)
    return ChainData(chains, people, changes, timing, overdue, f.reset_index(drop=True),
                     events, limit)


def _group_join(values: pd.Series, keys: np.ndarray) -> pd.Series:
    """Distinct non-empty values per key joined with 「、」, in order of appearance."""
    frame = pd.DataFrame({"k": keys, "v": values.to_numpy()})
    frame = frame[frame["v"] != ""].drop_duplicates()
    return frame.groupby("k", sort=False)["v"].agg("、".join)


def find_persons(session: Session, query: str, data: ChainData | None = None) -> pd.DataFrame:
    """The persons matching ``query``: a 学籍号 or an ID number (the whole number, or at least
    6 of its characters in a row), or a part of a name. One row per person
    (:data:`PERSON_COLUMNS`; 学籍号 is that of the person's first record), ordered by name."""
    q = str(query or "").strip()
    if not q:
        raise XuejiError("请输入学籍号、身份证件号或姓名。")
    data = chain_data(session) if data is None else data
    p = data.people
    qn = re.sub(r"\s+", "", q).upper()
    xjh, idn = p["学籍号"].str.upper(), p["身份证件号"].str.upper()
    hit = (xjh == qn) | (idn == qn) | (p["id18"] == qn) | p["姓名"].str.contains(q, regex=False)
    if len(qn) >= 6 and qn.isalnum():
        hit |= xjh.str.contains(qn, regex=False) | idn.str.contains(qn, regex=False)
    persons = np.unique(p.loc[hit.fillna(False).to_numpy(), "person"].to_numpy())
    persons = persons[persons >= 0]
    if len(persons) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in PERSON_COLUMNS})
    rec = p[np.isin(p["person"].to_numpy(), persons)]
    rec = rec.sort_values("register", ascending=False, kind="stable")
    key = rec["person"].to_numpy()
    g = rec.groupby(key, sort=False)
    out = pd.DataFrame({
        "学籍号": g["学籍号"].first(), "姓名": g["姓名"].first(), "性别": g["性别"].first(),
        "出生日期": g["出生日期"].first(),
        "学校": _group_join(school_label(session, rec["学校标识码"]), key),
        "学籍状态": _group_join(rec["学籍状态"], key),
        "学籍记录数": g["register"].sum().astype("int64"),
    })
    out["已办结异动"] = data.events[out.index.to_numpy()].astype("int64")
    out = out.fillna("").sort_values(["姓名", "学籍号"], kind="stable")
    return out[list(PERSON_COLUMNS)].reset_index(drop=True)


def _person(data: ChainData, xjh: str) -> int:
    p = data.chains.persons.get(str(xjh or "").strip())
    if p is None or int(p) < 0:
        raise XuejiError("找不到该学籍号的学生，请重新查找。")
    return int(p)


def _finding_text(f: pd.DataFrame) -> tuple[str, str]:
    """(rule ids 「、」-joined, 「rule 名称：说明」 「；」-joined) of a few findings."""
    if len(f) == 0:
        return "", ""
    ids = list(dict.fromkeys(f["rule_id"].astype(str)))
    text = "；".join(f"{r} {n}：{d}" for r, n, d in zip(
        f["rule_id"].astype(str), _text(f["rule_name"]), _text(f["detail"]), strict=True))
    return "、".join(ids), text


def timeline(session: Session, xjh: str, data: ChainData | None = None) -> pd.DataFrame:
    """The path of the child holding 学籍号 ``xjh``, one row per event (:data:`TIMELINE_COLUMNS`):
    the completed businesses in chain order (school and status after each), the businesses not
    completed (办理状态 在办 …) by their 发起日期, then one 学籍记录 row per register record
    (dated ``as_of``). 环节用时 is each step's working days against the limit; 问题 / 问题说明
    the child's CH / TR findings on that business (or, without a business, on that record)."""
    data = chain_data(session) if data is None else data
    p = _person(data, xjh)
    ch = data.chains
    c = ch.chain
    lo, hi = np.searchsorted(c["person"].to_numpy(), [p, p + 1])
    c = c.iloc[lo:hi]
    done = pd.DataFrame({
        "日期": _ymd(c["_when"]).to_numpy(), "事项": _text(c["业务类型"]).to_numpy(),
        "业务编号": _text(c["业务编号"]).to_numpy(), "学籍号": _text(c["学籍号"]).to_numpy(),
        "办理状态": DONE,
        "从学校": school_label(session, c["school_before"]).to_numpy(),
        "到学校": school_label(session, c["school_after"]).to_numpy(),
        "班级": "", "学籍状态": _text(c["status_after"]).to_numpy(),
    })
    frames = [done]
    if data.changes is not None:
        b = data.changes
        b = b[(b["person"] == p).to_numpy() & (_text(b["业务状态"]) != DONE).to_numpy()]
        b = b.sort_values("发起日期", kind="stable")
        frames.append(pd.DataFrame({
            "日期": _ymd(b["发起日期"]).to_numpy(), "事项": _text(b["业务类型"]).to_numpy(),
            "业务编号": _text(b["业务编号"]).to_numpy(), "学籍号": _text(b["学籍号"]).to_numpy(),
            "办理状态": _text(b["业务状态"]).to_numpy(),
            "从学校": school_label(session, b["转出学校标识码"]).to_numpy(),
            "到学校": school_label(session, b["转入学校标识码"]).to_numpy(),
            "班级": "", "学籍状态": "",
        }))
    events = pd.concat(frames, ignore_index=True)
    events = events.sort_values("日期", kind="stable", key=lambda s: s.replace("", "9999"))
    biz = events["业务编号"]
    events["环节用时"] = biz.map(data.timing).astype("string").fillna("").to_numpy()
    events["超期环节"] = biz.map(data.overdue).fillna(0).astype("int64").to_numpy()
    people = data.people
    rec = people[(people["person"] == p).to_numpy() & people["register"].to_numpy()]
    records = pd.DataFrame({
        "日期": session.config.as_of.isoformat(), "事项": RECORD_EVENT, "业务编号": "",
        "学籍号": rec["学籍号"].to_numpy(), "办理状态": "", "从学校": "",
        "到学校": school_label(session, rec["学校标识码"]).to_numpy(),
        "班级": rec["班级"].to_numpy(), "学籍状态": rec["学籍状态"].to_numpy(),
        "环节用时": "", "超期环节": 0,
    })
    out = pd.concat([events, records], ignore_index=True)
    out["问题"], out["问题说明"] = "", ""
    _attach_findings(out, data.findings[(data.findings["person"] == p).to_numpy()],
                     rec["学校标识码"].to_numpy(), session)
    return out[list(TIMELINE_COLUMNS)]


def _attach_findings(out: pd.DataFrame, f: pd.DataFrame, rec_school: np.ndarray,
                     session: Session) -> None:
    """Put each finding on its business row, else on its record (学籍号 and school), else on
    the first record of its 学籍号, else on the first record, else on an extra row."""
    n_events = len(out) - len(rec_school)
    target = np.full(len(f), -1, dtype=np.int64)
    fx = _text(f["学籍号"]).to_numpy()
    fb = _text(f["业务编号"]).to_numpy()
    fs = _text(f["学校标识码"]).to_numpy()
    biz = out["业务编号"].to_numpy()[:n_events]
    xjh = out["学籍号"].to_numpy()[n_events:]
    for k in range(len(f)):  # a child has a few findings
        on_biz = np.flatnonzero((biz == fb[k]) & (fb[k] != ""))
        same = np.flatnonzero((xjh == fx[k]) & (rec_school == fs[k]))
        same_xjh = np.flatnonzero(xjh == fx[k])
        for hits, base in ((on_biz, 0), (same, n_events), (same_xjh, n_events),
                           (np.arange(len(xjh)), n_events)):
            if len(hits):
                target[k] = base + hits[0]
                break
    if (target < 0).any():
        out.loc[len(out)] = {"日期": session.config.as_of.isoformat(), "事项": OTHER_EVENT,
                             "业务编号": "", "学籍号": "", "办理状态": "", "从学校": "",
                             "到学校": "", "班级": "", "学籍状态": "", "环节用时": "",
                             "超期环节": 0, "问题": "", "问题说明": ""}
        target[target < 0] = len(out) - 1
    for row in np.unique(target):
        ids, text = _finding_text(f[target == row])
        out.loc[row, "问题"], out.loc[row, "问题说明"] = ids, text


def child_header(session: Session, xjh: str, frame: pd.DataFrame,
                 data: ChainData | None = None) -> dict[str, str]:
    """姓名, 性别, 出生日期, 学籍号 (of every record), 已办结异动 and 有问题的事项 of the child
    holding ``xjh`` whose :func:`timeline` is ``frame``, for a card."""
    data = chain_data(session) if data is None else data
    p = _person(data, xjh)
    rec = data.people[(data.people["person"] == p).to_numpy()]

    def distinct(col: str) -> str:
        return "、".join(dict.fromkeys(x for x in rec[col].astype(str) if x))

    return {"姓名": distinct("姓名"), "性别": distinct("性别"), "出生日期": distinct("出生日期"),
            "学籍号": distinct("学籍号") or str(xjh),
            "已办结异动": f"{int((frame['办理状态'] == DONE).sum())} 笔",
            "有问题的事项": f"{int((frame['问题'] != '').sum())} 项"}

def problem_children(session: Session, data: ChainData | None = None) -> pd.DataFrame:
    """The children whose chain has a CH finding, one row per person (:data:`PROBLEM_COLUMNS`:
    学籍号 of the first finding, 问题 the rule ids), ordered by 问题 then 学籍号."""
    data = chain_data(session) if data is None else data
    f = data.findings
    f = f[f["rule_id"].str.startswith(CHAIN_RULES).fillna(False).to_numpy()
          & (f["person"] >= 0).to_numpy()]
    if len(f) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in PROBLEM_COLUMNS})
    key = f["person"].to_numpy()
    g = f.groupby(key, sort=False)
    rules = f.sort_values("rule_id", kind="stable")
    out = pd.DataFrame({
        "学籍号": _text(g["学籍号"].first()), "姓名": _text(g["姓名"].first()),
        "学校": school_label(session, g["学校标识码"].first()),
        "问题": _group_join(_text(rules["rule_id"]), rules["person"].to_numpy()),
        "问题数": g.size().astype("int64"),
    })
    out = out.sort_values(["问题", "学籍号"], kind="stable")
    return out[list(PROBLEM_COLUMNS)].reset_index(drop=True)


def chain_summary(session: Session, data: ChainData | None = None) -> dict[str, int]:
    """Counts for the page: persons with a completed business, completed businesses, persons
    with two or more transfers, children whose chain has a CH finding, CH findings."""
    data = chain_data(session) if data is None else data
    c = data.chains.chain
    moved = c.loc[c["业务类型"].isin(TRANSFER_TYPES).to_numpy(), "person"].value_counts()
    ch = data.findings["rule_id"].str.startswith(CHAIN_RULES).fillna(False)
    return {"有已办结异动的学生": int((data.events > 0).sum()), "已办结异动业务": len(c),
            "转学两次及以上的学生": int((moved >= 2).sum()),
            "转学链有问题的学生": len(problem_children(session, data)),
            "转学链问题（CH）": int(ch.sum())}


def summary_html(summary: dict[str, int]) -> str:
    """The counts of :func:`chain_summary` as a card."""
    return card_html({k: f"{v:,}" for k, v in summary.items()}, title="全县转学链概况")


def _labels(frame: pd.DataFrame, reveal: bool, extra: str = "") -> list[str]:
    shown = mask_frame(frame[["学籍号", "姓名", "学校", *([extra] if extra else [])]]
                       .astype(object), reveal)
    label = (shown["姓名"].astype(str) + "（" + shown["学籍号"].astype(str) + "）· "
             + shown["学校"].astype(str))
    if extra:
        label = label + " · " + shown[extra].astype(str)
    return label.tolist()


def person_options(found: pd.DataFrame, reveal: bool = False) -> list[tuple[str, str]]:
    """Dropdown options (label, 学籍号) of :func:`find_persons` rows, 学籍号 masked in the
    label unless ``reveal`` (at most :data:`MAX_MATCHES`)."""
    found = found.head(MAX_MATCHES)
    if len(found) == 0:
        return []
    return list(zip(_labels(found, reveal), found["学籍号"].astype(str), strict=True))


def problem_options(problems: pd.DataFrame, reveal: bool = False) -> list[tuple[str, str]]:
    """Dropdown options of :func:`problem_children`, after a first 「（请选择）」 option."""
    head = [("（请选择）", "")]
    if len(problems) == 0:
        return head
    return head + list(zip(_labels(problems, reveal, "问题"), problems["学籍号"].astype(str),
                           strict=True))


def timeline_html(frame: pd.DataFrame, reveal: bool = False) -> str:
    """A :func:`timeline` as a vertical line of cards, problem cards highlighted, personal
    numbers masked unless ``reveal``."""
    if frame is None or len(frame) == 0:
        return '<p class="xj-note">没有异动记录。</p>'
    m = mask_frame(frame.reset_index(drop=True).astype(object), reveal)
    cards = []
    for r in m.to_dict("records"):  # one child: a few rows
        style = _PROBLEM_STYLE if r["问题"] else "border-color:#d0d7de;background:#ffffff"
        dot = "#b42318" if r["问题"] else ("#0969da" if r["事项"] != RECORD_EVENT else "#57606a")
        head = f'<b>{escape(r["日期"])}</b>　<b>{escape(r["事项"])}</b>'
        if r["办理状态"]:
            head += f'　<span class="xj-note">{escape(r["办理状态"])}</span>'
        if r["业务编号"]:
            head += f'　<span class="xj-note">业务编号 {escape(r["业务编号"])}</span>'
        lines = [head]
        place = r["到学校"] if not r["从学校"] or r["从学校"] == r["到学校"] else \
            f'{r["从学校"]} → {r["到学校"]}'
        where = "　".join(x for x in (place, r["班级"]) if x)
        if where:
            lines.append(f"学校：{escape(where)}")
        who = "　".join(x for x in (f'学籍号 {r["学籍号"]}' if r["学籍号"] else "",
                                   f'学籍状态：{r["学籍状态"]}' if r["学籍状态"] else "") if x)
        if who:
            lines.append(escape(who))
        if r["环节用时"]:
            late = f'（超期环节 {r["超期环节"]} 个）' if int(r["超期环节"] or 0) else ""
            lines.append(f"环节用时（已用/时限）：{escape(r['环节用时'])}{escape(late)}")
        if r["问题"]:
            lines.append(f'<span class="xj-error">⚠ {escape(r["问题说明"])}</span>')
        body = "".join(f"<div>{x}</div>" for x in lines)
        cards.append(
            f'<div style="position:relative;margin:8px 0;padding:6px 10px;border:1px solid;'
            f'border-radius:4px;{style}">'
            f'<span style="position:absolute;left:-21px;top:10px;width:10px;height:10px;'
            f'border-radius:50%;background:{dot}"></span>{body}</div>')
    return ('<div class="xj-timeline" style="border-left:3px solid #8c959f;margin-left:8px;'
            f'padding-left:14px">{"".join(cards)}</div>')
