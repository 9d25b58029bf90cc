"""The context of each official form, built from a case (the dict of ``CaseStore.get_case``),
its findings and register rows, the form's date and a :class:`~xueji_audit.workdays.WorkCalendar`.

Every value is display text: a missing value becomes :data:`BLANK` (a line to write on), never
``None`` or ``nan``. Ages are whole years at the form's date; 完成时限 (and a 复学 限期) is the
case's ``deadline_workdays``-th working day after the form's date (交办/督办时间). Official
forms carry full ID numbers.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from ..ids import id_birth_date
from ..resources import templates_dir
from ..workdays import WorkCalendar

TEMPLATE_DIR = templates_dir()
BLANK = "＿＿＿＿＿＿"
BLANK_DATE = "＿＿＿＿年＿＿月＿＿日"
ROSTER_CATEGORIES: tuple[str, ...] = ("在籍不在校", "在校不在籍", "人籍分离")
BLANK_ROSTER_ROWS = 10
REPORT_NOTES: tuple[str, ...] = (
    "1. 问题报告单需省级教育行政部门盖章后报教育部基础教育一司或教育部教育管理信息中心。",
    "2. 报送问题较多的，“问题描述”部分可另附页。",
    "3. 问题报告单及附件需另以电子格式报送至：wanggw@moe.edu.cn，qingsanji@moe.edu.cn。",
)


def text(value) -> str:
    """``value`` as trimmed text, or :data:`BLANK` when it is missing or empty."""
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return BLANK
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        value = value.date()
    s = str(value).strip()
    return s if s else BLANK


def _date(value) -> dt.date | None:
    if value is None or value is pd.NaT or (not isinstance(value, dt.date) and pd.isna(value)):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return pd.Timestamp(value).date()
    except (ValueError, TypeError):
        return None


def date_text(value) -> str:
    """``2025年09月26日``, or :data:`BLANK_DATE` for a missing date."""
    d = _date(value)
    return f"{d.year}年{d.month:02d}月{d.day:02d}日" if d else BLANK_DATE


def age_at(birth, on: dt.date) -> int | None:
    """Whole years from ``birth`` to ``on`` (None when the birth date is missing)."""
    b = _date(birth)
    if b is None:
        return None
    return on.year - b.year - ((on.month, on.day) < (b.month, b.day))


def _age_text(birth, id_number, on: dt.date) -> str:
    age = age_at(birth if _date(birth) else id_birth_date(id_number), on)
    return BLANK if age is None else f"{age}岁"


def due_date(on: dt.date, workdays: int, calendar: WorkCalendar) -> dt.date:
    """完成时限: the ``workdays``-th working day after the 交办/督办 date ``on``."""
    return calendar.add_workdays(on, int(workdays))


def _rows(frame: pd.DataFrame | None) -> list[dict]:
    if frame is None or len(frame) == 0:
        return []
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def with_register(case: dict, students: pd.DataFrame) -> dict:
    """The case with ``students`` = the register rows of the 学籍号s its findings name (in the
    findings' order), so a form can show sex, birth date, 民族, ID number … of each student."""
    f = case.get("findings")
    if f is None or len(f) == 0 or students is None:
        return case
    order = pd.Index(f["学籍号"].dropna().drop_duplicates())
    rows = students[students["学籍号"].isin(order)]
    rows = rows.iloc[order.get_indexer(rows["学籍号"]).argsort(kind="stable")]
    return {**case, "students": rows.drop_duplicates("学籍号")}


def students_of(case: dict) -> list[dict]:
    """The register rows of the case; else one row per student named in its findings."""
    rows = _rows(case.get("students"))
    if rows:
        return rows
    f = case.get("findings")
    if f is None or len(f) == 0:
        return []
    named = f.dropna(subset=["学籍号"]).drop_duplicates("学籍号")
    return _rows(named[["学籍号", "姓名", "班级"]])


def problem_lines(findings: pd.DataFrame | None) -> list[str]:
    """One numbered line per finding: student, rule name and id, detail and policy basis."""
    out = []
    for i, f in enumerate(_rows(findings), start=1):
        who = "、".join(x for x in (f.get("姓名"), f.get("学籍号") and f"学籍号{f['学籍号']}")
                       if x)
        head = f"学生{who}：" if who else ""
        detail = f"，{f['detail']}" if f.get("detail") else ""
        basis = f"（依据：{f['basis']}）" if f.get("basis") else ""
        out.append(f"{i}. {head}{f['rule_name']}（{f['rule_id']}）{detail}{basis}。")
    return out


def _person(prefix: str, name, sex, birth, ethnic, id_number, on: dt.date) -> dict:
    return {f"{prefix}_name": text(name), f"{prefix}_sex": text(sex),
            f"{prefix}_age": _age_text(birth, id_number, on), f"{prefix}_ethnic": text(ethnic),
            f"{prefix}_id": text(id_number)}


def _issuer(case: dict) -> dict:
    issuer = case.get("issuer") or {}
    return {"issuer_unit": text(issuer.get("单位")), "issuer_person": text(issuer.get("责任人")),
            "issuer_phone": text(issuer.get("联系电话"))}


def complaint_context(case: dict, on: dt.date, calendar: WorkCalendar) -> dict:
    """附件3 核查单 / 附件4 督办单: complainant, first student, matters, units and dates."""
    c = case.get("complainant") or {}
    students = students_of(case)
    s = students[0] if students else {}
    matters = [text(case.get("title"))] + problem_lines(case.get("findings"))
    if len(students) > 1:
        matters.insert(1, f"（共涉及学生{len(students)}名，上栏填写第一名）")
    ctx = {
        **_person("rep", c.get("姓名"), c.get("性别"), c.get("出生日期"), c.get("民族"),
                  c.get("身份证号"), on),
        "rep_phone": text(c.get("联系电话")),
        **_person("stu", s.get("姓名"), s.get("性别"), s.get("出生日期"), s.get("民族"),
                  s.get("身份证件号"), on),
        "stu_xjh": text(s.get("学籍号")),
        "matters": matters,
        **_issuer(case),
        "handler_unit": text(case.get("unit")), "handler_person": BLANK, "handler_phone": BLANK,
        "assigned_on": date_text(on),
        "due_on": date_text(due_date(on, case["deadline_workdays"], calendar)),
        "opinion": text(case.get("note")),
        "findings_text": "",
    }
    return ctx


def report_context(case: dict, on: dt.date, calendar: WorkCalendar) -> dict:
    """附件2 报告单: the province's contacts, the date and one line per problem; the
    ministry's block stays empty."""
    issuer = _issuer(case)
    problems = problem_lines(case.get("findings")) or [text(case.get("title"))]
    return {"province": BLANK, "biz_person": issuer["issuer_person"],
            "biz_unit": issuer["issuer_unit"], "biz_phone": issuer["issuer_phone"],
            "tech_person": BLANK, "tech_unit": BLANK, "tech_phone": BLANK,
            "reported_on": date_text(on), "problems": problems,
            "moe_person": "", "moe_unit": "", "moe_date": "", "moe_opinion": "",
            "notes": list(REPORT_NOTES)}


def _blank_row(no: int) -> dict:
    return {"no": str(no), "klass": "", "name": "", "sex": "", "xjh": "", "category": "",
            "reason": "", "measure": "", "remark": ""}


def roster_context(case: dict, on: dt.date, calendar: WorkCalendar, user: str = "") -> dict:
    """人籍不一致学生排查表: one table per school of the 在籍不在校 / 在校不在籍 / 人籍分离
    findings (by class, then name); blank rows to fill in when the case has none."""
    f = case.get("findings")
    f = f[f["rule_name"].isin(ROSTER_CATEGORIES)] if f is not None and len(f) else None
    reg = pd.DataFrame(_rows(case.get("students")))
    info = reg.drop_duplicates("学籍号").set_index("学籍号") if "学籍号" in reg else pd.DataFrame()
    head = {"surveyed_on": date_text(on), "filled_by": text(user), "principal": BLANK}
    if f is None or len(f) == 0:
        name = text(case.get("unit"))
        return {**head, "schools": [{"name": name, "rows": [
            _blank_row(i) for i in range(1, BLANK_ROSTER_ROWS + 1)]}]}
    schools = []
    f = f.sort_values(["学校标识码", "班级", "姓名"], na_position="last", kind="stable")
    for code, group in f.groupby("学校标识码", sort=False, dropna=False):
        rows = []
        for i, r in enumerate(_rows(group), start=1):
            reg_row = info.loc[r["学籍号"]] if r.get("学籍号") in info.index else {}
            rows.append({"no": str(i), "klass": text(r.get("班级")), "name": text(r.get("姓名")),
                         "sex": text(reg_row.get("性别")), "xjh": text(r.get("学籍号")),
                         "category": r["rule_name"], "reason": BLANK, "measure": BLANK,
                         "remark": text(r.get("detail"))})
        names = [info.loc[x].get("学校名称") for x in group["学籍号"] if x in info.index]
        name = next((n for n in names if isinstance(n, str) and n), None)
        schools.append({"name": text(name or case.get("unit") or code), "rows": rows})
    return {**head, "schools": schools}


def notice_contexts(case: dict, on: dt.date, calendar: WorkCalendar) -> list[dict]:
    """义务教育阶段学生限期复学通知书: one notice per student of the case."""
    issuer = _issuer(case)
    return_by = date_text(due_date(on, case["deadline_workdays"], calendar))
    out = []
    for s in students_of(case) or [{}]:
        grade = s.get("年级")
        grade = f"{int(grade)}年级" if grade is not None and not pd.isna(grade) else ""
        klass = s.get("班级") or ""
        if "年级" in klass:
            grade = ""
        out.append({
            "guardian": text(s.get("成员1姓名")), "stu_name": text(s.get("姓名")),
            "stu_sex": text(s.get("性别")), "stu_birth": date_text(s.get("出生日期")),
            "stu_xjh": text(s.get("学籍号")),
            "school": text(s.get("学校名称")), "grade_class": text(f"{grade}{klass}"),
            "return_by": return_by, "report_school": text(s.get("学校名称")),
            "contact": issuer["issuer_person"], "contact_phone": issuer["issuer_phone"],
            "issuer_unit": issuer["issuer_unit"], "issued_on": date_text(on)})
    return out


def bulletin_context(b, on: dt.date, region: str = "", issuer: dict | None = None) -> dict:
    """月度通报 from a :class:`~xueji_audit.bulletin.Bulletin`."""
    year, month = b.month.split("-")
    s, d = b.summary, b.detail
    summary = [{"no": str(i), "unit": text(r["处理单位"]), "name": text(r.get("单位名称") or None),
                "late": str(r["超期环节数"]), "pending": str(r["未办理环节数"]),
                "worst": str(r["最长超期工作日"])} for i, r in enumerate(_rows(s), start=1)]
    detail = [{"unit": text(r["处理单位"]), "biz": text(r["业务编号"]), "kind": text(r["业务类型"]),
               "xjh": text(r["学籍号"]), "name": text(r["姓名"]),
               "step": text(f"{r['环节序号']} {r['环节名称'] or ''}"),
               "arrived": text(r["到达日期"]), "due": text(r["应办理日期"]),
               "state": text(r["办理情况"]), "days": str(r["超期工作日"])} for r in _rows(d)]
    lead = (f"本月共有 {len(s)} 个责任单位、{len(d)} 个学籍异动审核环节超过{b.limit}个工作日"
            "未办理（不计寒暑假），现予通报，请各单位按时限办理。" if len(d)
            else "本月没有超期未办理的环节。")
    return {"title": f"{region}{int(year)}年{int(month)}月学籍异动业务超期办理情况通报",
            "lead": lead, "summary": summary, "detail": detail,
            "issuer_unit": text((issuer or {}).get("单位")), "issued_on": date_text(on)}
