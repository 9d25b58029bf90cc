"""The context of each official form, built from a case (the dict of ``CaseStore.get_case``),
its findings and register rows, the form's date and a :class:`~xueji_audit.workdays.WorkCalendar`.

Every value is display text: a missing value becomes :data:`BLANK` (a line to write on), never
``None`` or ``nan``. Ages are whole years at the form's date; 完成时限 (and a 复学 限期) is the
case's stored deadline (its ``deadline_workdays``-th working day after it was opened; only a case
dict without one counts from the form's date). Official forms carry full ID numbers.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from ..cases.organisation import township
from ..ids import id_birth_date
from ..resources import templates_dir
from ..workdays import WorkCalendar
from .rules import notice_children, roster_findings, township_of

TEMPLATE_DIR = templates_dir()
BLANK = "＿＿＿＿＿＿"
BLANK_DATE = "＿＿＿＿年＿＿月＿＿日"
PROVINCES: dict[str, str] = dict(zip(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 "
    "64 65 71 81 82".split(),
    "北京市 天津市 河北省 山西省 内蒙古自治区 辽宁省 吉林省 黑龙江省 上海市 江苏省 浙江省 安徽省 "
    "福建省 江西省 山东省 河南省 湖北省 湖南省 广东省 广西壮族自治区 海南省 重庆市 四川省 贵州省 "
    "云南省 西藏自治区 陕西省 甘肃省 青海省 宁夏回族自治区 新疆维吾尔自治区 台湾省 "
    "香港特别行政区 澳门特别行政区".split(), strict=True))
"""Province (first two digits of a 行政区划码, GB/T 2260) → name, for the 报告单's 省份."""
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
    """The ``workdays``-th working day after the 交办/督办 date ``on``."""
    return calendar.add_workdays(on, int(workdays))


def case_due(case: dict, on: dt.date, calendar: WorkCalendar) -> dt.date:
    """完成时限 of a form: the case's stored deadline (else counted from ``on``)."""
    stored = _date(case.get("deadline"))
    return stored or due_date(on, case["deadline_workdays"], calendar)


def _rows(frame: pd.DataFrame | None) -> list[dict]:
    if frame is None or len(frame) == 0:
        return []
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def with_register(case: dict, students: pd.DataFrame, schools: pd.DataFrame | None = None,
                  rosters: pd.DataFrame | None = None) -> dict:
    """The case with ``students`` = the register rows of the 学籍号s its findings name (in the
    findings' order), so a form can show sex, birth date, 民族, ID number … of each student;
    ``schools`` (its schools' rows, for the 报告单's 省份) and ``rosters`` (the 在校名单 rows of
    its schools, for a child not on the register) when given."""
    f = case.get("findings")
    if f is None or len(f) == 0:
        return case
    out = dict(case)
    codes = set(f["学校标识码"].dropna().astype(str))
    if schools is not None and "学校标识码" in schools:
        out["schools"] = schools[schools["学校标识码"].astype(str).isin(codes)]
    if rosters is not None and "学校标识码" in rosters:
        out["rosters"] = rosters[rosters["学校标识码"].astype(str).isin(codes)]
    if students is None:
        return out
    order = pd.Index(f["学籍号"].dropna().drop_duplicates())
    rows = students[students["学籍号"].isin(order)]
    rows = rows.iloc[order.get_indexer(rows["学籍号"]).argsort(kind="stable")]
    out["students"] = rows.drop_duplicates("学籍号")
    return out


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
    """附件3 核查单 / 附件4 督办单 of one child (the case narrowed to it): complainant, the
    child, matters, units and dates."""
    c = case.get("complainant") or {}
    students = students_of(case)
    s = students[0] if students else {}
    matters = [text(case.get("title"))] + problem_lines(case.get("findings"))
    ctx = {
        **_person("rep", c.get("姓名"), c.get("性别"), c.get("出生日期"), c.get("民族"),
                  c.get("身份证号"), on),
        "rep_phone": text(c.get("联系电话")),
        **_person("stu", s.get("姓名"), s.get("性别"), s.get("出生日期"), s.get("民族"),
                  s.get("身份证件号"), on),
        "stu_xjh": text(s.get("学籍号")),
        "stu_school": text(s.get("学校名称")), "stu_class": text(s.get("班级")),
        "matters": matters,
        **_issuer(case),
        "handler_unit": text(case.get("unit")),
        "handler_person": text((case.get("handler") or {}).get("责任人")),
        "handler_phone": text((case.get("handler") or {}).get("联系电话")),
        "assigned_on": date_text(on),
        "due_on": date_text(case_due(case, on, calendar)),
        "opinion": text(case.get("note")),
        "findings_text": "",
    }
    return ctx


def report_context(case: dict, on: dt.date, calendar: WorkCalendar) -> dict:
    """附件2 报告单: the province's contacts, the date and one line per problem; the
    ministry's block stays empty."""
    issuer = _issuer(case)
    problems = problem_lines(case.get("findings")) or [text(case.get("title"))]
    return {"province": text(province_of(case)), "biz_person": issuer["issuer_person"],
            "biz_unit": issuer["issuer_unit"], "biz_phone": issuer["issuer_phone"],
            "tech_person": BLANK, "tech_unit": BLANK, "tech_phone": BLANK,
            "reported_on": date_text(on), "problems": problems,
            "moe_person": "", "moe_unit": "", "moe_date": "", "moe_opinion": "",
            "notes": list(REPORT_NOTES)}


def province_of(case: dict) -> str | None:
    """The province of the case's schools from their 行政区划码 (its first two digits), when
    the schools' table is at hand and they agree on one."""
    schools = case.get("schools")
    if schools is None or len(schools) == 0 or "行政区划码" not in schools:
        return None
    codes = schools["行政区划码"].dropna().astype(str).str.strip().str[:2]
    names = {PROVINCES[c] for c in codes if c in PROVINCES}
    return names.pop() if len(names) == 1 else None


def _sex_lookup(case: dict):
    """性别 of a finding's child: the register's (by 学籍号), else the 在校名单's (a child not
    on the register, RJ-02, by school, class and name)."""
    reg = pd.DataFrame(_rows(case.get("students")))
    by_xjh = (dict(zip(reg["学籍号"].astype(str), reg["性别"], strict=True))
              if {"学籍号", "性别"} <= set(reg.columns) else {})
    ros = pd.DataFrame(_rows(case.get("rosters")))
    cols = ["学校标识码", "班级", "姓名", "性别"]
    by_roster = ({tuple(str(x) for x in r[:3]): r[3] for r in ros[cols].itertuples(index=False)}
                 if set(cols) <= set(ros.columns) else {})

    def sex(r: dict):
        if r.get("学籍号") and str(r["学籍号"]) in by_xjh:
            return by_xjh[str(r["学籍号"])]
        return by_roster.get((str(r.get("学校标识码")), str(r.get("班级")), str(r.get("姓名"))))
    return sex


def roster_contexts(case: dict, on: dt.date, calendar: WorkCalendar,
                    user: str = "") -> list[tuple[str, dict]]:
    """人籍不一致学生排查表: (school name, context) per school of the case's 人籍一致 findings
    (taken by rule id, :data:`~.rules.ROSTER_RULES`), one table per class, rows by name; to be
    filled by the school (原因 and 整改措施 left blank; 填表人 the school's contact when the
    organisation settings name one)."""
    f = roster_findings(case).sort_values(["学校标识码", "班级", "姓名"], na_position="last",
                                          kind="stable")
    reg = pd.DataFrame(_rows(case.get("students")))
    names = (dict(zip(reg["学籍号"].astype(str), reg["学校名称"], strict=True))
             if {"学籍号", "学校名称"} <= set(reg.columns) else {})
    sex = _sex_lookup(case)
    settings = case.get("organisation")
    out = []
    for code, school in f.groupby("学校标识码", sort=False, dropna=False):
        # filled by the school: its contact from the settings (the drafter without settings)
        filler = (((settings.get("学校") or {}).get(str(code)) or {}).get("责任人")
                  if settings is not None else user)
        head = {"surveyed_on": date_text(on), "filled_by": text(filler), "principal": BLANK}
        known = [names[x] for x in school["学籍号"].dropna().astype(str) if names.get(x)]
        name = known[0] if known else (None if pd.isna(code) else str(code))
        tables = []
        for klass, group in school.groupby("班级", sort=False, dropna=False):
            rows = [{"no": str(i), "klass": text(r.get("班级")), "name": text(r.get("姓名")),
                     "sex": text(sex(r)), "xjh": text(r.get("学籍号")), "category": r["类别"],
                     "reason": BLANK, "measure": BLANK, "remark": text(r.get("detail"))}
                    for i, r in enumerate(_rows(group), start=1)]
            tables.append({"name": f"{text(name)}　{text(klass)}", "rows": rows})
        out.append((text(name), {**head, "schools": tables}))
    return out


def _township(case: dict, s: dict) -> dict:
    """The government issuing a child's 复学通知书: the township of its 户口所在地 from the
    organisation settings (the case's ``issuer`` when drafted without settings)."""
    settings = case.get("organisation")
    if settings is None:
        return case.get("issuer") or {}
    address = str(s.get("户口所在地") or "")
    towns = sorted((t for t in (settings.get("乡镇") or {}) if t and t in address),
                   key=len, reverse=True)
    return township(settings, towns[0] if towns else township_of(address))


def _guardian(s: dict) -> str:
    name, relation = s.get("成员1姓名"), s.get("成员1关系")
    name = text(name)
    relation = str(relation).strip() if isinstance(relation, str) and relation.strip() else ""
    return f"学生{relation}{name}（监护人）" if relation and name != BLANK else f"{name}（监护人）"


def notice_contexts(case: dict, on: dt.date, calendar: WorkCalendar) -> list[dict]:
    """义务教育阶段学生限期复学通知书: one per eligible child (:func:`~.rules.notice_children`),
    in the name of the township of its 户口所在地, to its guardian named by relation."""
    return_by = date_text(case_due(case, on, calendar))
    out = []
    for s in notice_children(case, students_of(case)):
        grade = s.get("年级")
        grade = f"{int(grade)}年级" if grade is not None and not pd.isna(grade) else ""
        klass = s.get("班级") or ""
        if "年级" in klass:
            grade = ""
        town = _township(case, s)
        out.append({
            "guardian": _guardian(s), "stu_name": text(s.get("姓名")),
            "stu_sex": text(s.get("性别")), "stu_birth": date_text(s.get("出生日期")),
            "stu_xjh": text(s.get("学籍号")),
            "school": text(s.get("学校名称")), "grade_class": text(f"{grade}{klass}"),
            "return_by": return_by, "report_school": text(s.get("学校名称")),
            "contact": text(town.get("责任人")), "contact_phone": text(town.get("联系电话")),
            "issuer_unit": text(town.get("单位")), "issued_on": date_text(on)})
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
