"""Which form a case may draft, for which child: the one place of these policies.

* 复学通知书 (西吉2020): only for a child of compulsory-education age (grade 1–9) with a
  疑似辍学 / 其他离校 / 在籍不在校 finding (:data:`NOTICE_RULES`), issued by the government of
  the township of the child's 户口所在地.
* 排查表 (西吉2020 附件1): only from 人籍一致 findings (:data:`ROSTER_RULES`, by rule id).
* 核查单 / 督办单 (通知2016 附件3/4): one per child.

A refusal is a :class:`FormRefusedError` naming the child and the reason, the same on the
command line and the pages (both call :func:`~xueji_audit.forms.contexts`).
"""
from __future__ import annotations

import re

import pandas as pd

from ..errors import XuejiError

NOTICE_RULES: dict[str, str] = {"ST-06": "疑似辍学", "RJ-04": "其他离校", "RJ-01": "在籍不在校"}
"""Findings that make a child the subject of a 限期复学通知书 (rule id → what it says)."""
ROSTER_RULES: dict[str, str] = {"RJ-01": "在籍不在校", "RJ-02": "在校不在籍", "RJ-03": "人籍分离",
                                "RJ-04": "在籍不在校"}
"""The 人籍一致 rules and the 排查表 类别 of each."""
COMPULSORY_GRADES = range(1, 10)
_CN = {c: i for i, c in enumerate("一二三四五六七八九", start=1)}
_STAGE = {"初": 6, "高": 9}


class FormRefusedError(XuejiError):
    """This form cannot be drafted for this case or child; the message says why."""


def grade_of(grade, klass) -> int | None:
    """The grade 1–12 of a register row: its 年级 number, else read from the class name
    (三年级(1)班, 七年级2班, 初二(3)班, 高三1班); None when neither says."""
    try:
        if grade is not None and not pd.isna(grade) and str(grade).strip():
            return int(float(str(grade).strip()))
    except (TypeError, ValueError):
        pass
    k = str(klass or "")
    m = re.search(r"([初高])([一二三])", k)
    if m:
        return _STAGE[m.group(1)] + _CN[m.group(2)]
    m = re.search(r"(\d{1,2}|[一二三四五六七八九]|十[一二]?)年级", k)
    if m:
        g = m.group(1)
        return int(g) if g.isdigit() else (_CN.get(g) or 10 + _CN.get(g[1:], 0))
    return None


def _who(row: dict) -> str:
    name = row.get("姓名") or "（无姓名）"
    klass = row.get("班级")
    return f"{name}（{klass}）" if isinstance(klass, str) and klass else str(name)


def notice_children(case: dict, students: list[dict]) -> list[dict]:
    """The register rows of the children a 复学通知书 may be drafted for: every child of the
    case with a :data:`NOTICE_RULES` finding, each of grade 1–9 (refused otherwise, by name)."""
    f = case.get("findings")
    hit = f[f["rule_id"].isin(list(NOTICE_RULES))] if f is not None and len(f) else None
    if hit is None or len(hit) == 0:
        raise FormRefusedError(
            f"案件 {case['id']} 没有疑似辍学、其他离校或在籍不在校的问题，不能起草限期复学通知书"
            f"（西吉2020：仅对确认疑似辍学的义务教育阶段学生，由户口所在地乡镇人民政府发出）。")
    wanted = set(hit["学籍号"].dropna().astype(str))
    rows = [s for s in students if str(s.get("学籍号")) in wanted]
    known = {str(s.get("学籍号")) for s in rows}
    missing = [r for r in hit.to_dict("records") if str(r.get("学籍号")) not in known]
    rows += [{"学籍号": r.get("学籍号"), "姓名": r.get("姓名"), "班级": r.get("班级")}
             for r in pd.DataFrame(missing).drop_duplicates("学籍号").to_dict("records")] \
        if missing else []
    bad = [(s, grade_of(s.get("年级"), s.get("班级"))) for s in rows]
    bad = [(s, g) for s, g in bad if g not in COMPULSORY_GRADES]
    if bad:
        why = "；".join(f"学生{_who(s)}" + (f"在{g}年级，不在义务教育阶段（1–9年级）" if g
                                          else "年级不详，无法确认在义务教育阶段")
                       for s, g in bad[:5])
        more = f"等 {len(bad)} 名" if len(bad) > 5 else ""
        raise FormRefusedError(f"案件 {case['id']} 不能起草限期复学通知书：{why}{more}。"
                               "限期复学通知书只发给义务教育阶段学生的监护人（西吉2020）。")
    return rows


def roster_findings(case: dict) -> pd.DataFrame:
    """The 人籍一致 findings of the case with their 排查表 类别 (refused when there are none)."""
    f = case.get("findings")
    hit = f[f["rule_id"].isin(list(ROSTER_RULES))] if f is not None and len(f) else None
    if hit is None or len(hit) == 0:
        raise FormRefusedError(f"案件 {case['id']} 没有人籍一致问题（{'、'.join(ROSTER_RULES)}），"
                               "不能起草人籍不一致学生排查表（西吉2020 附件1）。")
    return hit.assign(类别=hit["rule_id"].map(ROSTER_RULES))


_TOWN = re.compile(r"(?:县|区|市|旗)([^省市县区旗]{1,10}?(?:镇|乡))")


def township_of(address) -> str:
    """The township (…镇 / …乡) named in a 户口所在地 address ('' when none)."""
    m = _TOWN.search(str(address or ""))
    return m.group(1) if m else ""
