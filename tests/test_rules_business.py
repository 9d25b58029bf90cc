"""Cases of section D (TR-*) and the ningxia-xiji overlay (LX-*), calendar edges included.

Working-day counts are worked out by hand from the official 2025 and 2026 calendars:
2025-10-01..08 off, 2025-09-28 (Sunday) and 2025-10-11 (Saturday) worked; no holiday in
March, the first half of September or November 2026; 2031 is unknown (Mon–Fri).
"""
from __future__ import annotations

import datetime as dt

import pytest
from test_rules_helpers import (
    AS_OF,
    SCHOOL_A,
    SCHOOL_B,
    Case,
    biz,
    case,
    keys,
    mod,
    only_mine,
    step,
    stu,
    tables,
)

from xueji_audit.audit import run_audit

_FIRST = len(__import__("test_rules_helpers").CASES)
S1 = stu()
G1 = S1["学籍号"]
XJ = "ningxia-xiji"

# ---------------------------------------------------------------- TR-01 (10 working days)


@case("TR-01", "B1")
def tr01_over_national_day():  # arrived Fri 2025-09-26, day 10 is 2025-10-16
    return tables(steps=[step("B1", 1, arrived="2025-09-26 15:00", handled="2025-10-17 09:00"),
                         step("B1", 2, arrived="2025-09-26", handled="2025-10-16 18:00")],
                  changes=[biz("B1", G1)])


@case("TR-01")
def tr01_on_the_tenth_day_with_weekend():  # Mon 2026-03-02 → handled Sun 03-15 (9), 03-16 (10)
    return tables(steps=[step("B1", 1, arrived="2026-03-02", handled="2026-03-15"),
                         step("B1", 2, arrived="2026-03-02", handled="2026-03-16")])


@case("TR-01", "B1")
def tr01_summer_not_counted():  # Wed 2026-07-08: 4 days in July, then Sep 1.. day 10 = Sep 8
    return tables(steps=[step("B1", 1, arrived="2026-07-08", handled="2026-09-08"),
                         step("B1", 2, arrived="2026-07-08", handled="2026-09-09")],
                  changes=[biz("B1", G1)])


@case("TR-01", "B1")
def tr01_still_pending():  # Sun 2026-11-01: 15 working days to as_of
    return tables(steps=[step("B1", 1, arrived="2026-11-01", handled=None, result="待办")],
                  changes=[biz("B1", G1, 业务状态="在办", 办结日期=None)])


@case("TR-01")
def tr01_pending_due_on_as_of():  # Fri 2026-11-06: 10 working days to as_of
    return tables(steps=[step("B1", 1, arrived="2026-11-06", handled=None, result="待办")])


@case("TR-01", "B1", as_of=dt.date(2031, 6, 1))
def tr01_unknown_year_mon_fri():  # Mon 2031-03-03: 03-17 is day 10, 03-18 day 11
    return tables(steps=[step("B1", 1, arrived="2031-03-03", handled="2031-03-17"),
                         step("B1", 2, arrived="2031-03-03", handled="2031-03-18")],
                  changes=[biz("B1", G1)])


def test_tr01_detail_due_date_and_unit():
    r = run_audit(tr01_over_national_day(), AS_OF, only_mine())
    f = r.findings[r.findings["rule_id"] == "TR-01"].iloc[0]
    assert f["due_date"] == pd_ts("2025-10-16")
    assert "西吉县第一小学" in f["detail"] and "11 个工作日" in f["detail"]
    assert f["学校标识码"] == S1["学校标识码"] and f["姓名"] == "学生1"
    assert [n for n in r.notes if "[calendar.terms]" not in n] == []


def test_unknown_year_is_noted():
    r = run_audit(tr01_unknown_year_mon_fri(), dt.date(2031, 6, 1), only_mine())
    fallback = [n for n in r.notes if "周一至周五" in n]
    assert len(fallback) == 1 and "2031年" in fallback[0]


def pd_ts(text: str):
    import pandas as pd
    return pd.Timestamp(text)


# ---------------------------------------------------------------- TR-02 (90 days)


def _pending(no: str, start: str, **kw):
    return biz(no, G1, start=start, 业务状态="在办", 办结日期=None, **kw)


@case("TR-02", "B2")
def tr02_91_days():
    return tables(changes=[_pending("B2", "2026-08-21 16:00")], steps=[step("B2", 1)])


@case("TR-02")
def tr02_90_days_or_in_archive_step():
    return tables(changes=[_pending("B2", "2026-08-22 08:00"), _pending("B3", "2026-01-05")],
                  steps=[step("B3", 1), step("B3", 2, name="调档", handled=None)])


# ---------------------------------------------------------------- TR-03 freeze window


@case("TR-03", "A", "C")
def tr03_inside_freeze():
    return tables(changes=[biz("A", G1, start="2026-07-15 00:00:00"),
                           biz("C", G1, "跨省转学", start="2026-08-14 23:59:59")])


@case("TR-03")
def tr03_outside_freeze():
    return tables(changes=[biz("B", G1, start="2026-07-14 23:59:59"),
                           biz("D", G1, start="2026-08-15 00:00:00"),
                           biz("E", G1, "毕业后跨省就学", start="2026-07-20 10:00")])


# ---------------------------------------------------------------- TR-04 windows


def _after_grad(no: str, start: str):
    return biz(no, G1, "毕业后跨省就学", start=start, 原年级=6, 转入年级=7)


@case("TR-04", "A", "C", "E")
def tr04_outside_windows():
    return tables(changes=[_after_grad("A", "2026-08-14 23:59"), _after_grad("C", "2026-12-15"),
                           _after_grad("E", "2026-06-01 00:00")])


@case("TR-04")
def tr04_inside_windows():
    return tables(changes=[_after_grad("B", "2026-08-15 00:00"), _after_grad("D", "2026-12-14"),
                           _after_grad("F", "2026-05-31 23:00"), _after_grad("G", "2026-03-01")])


# ---------------------------------------------------------------- TR-05 调档 10 working days


def _cross(no: str, last_handled: str, archive: bool = False):
    steps = [step(no, 1, arrived="2026-10-20", handled="2026-10-21"),
             step(no, 2, "省级核办", arrived="2026-10-21", handled=last_handled)]
    if archive:
        steps.append(step(no, 3, "调档", arrived=last_handled, handled=None, result="待办"))
    return [biz(no, G1, "跨省转学", start="2026-10-20")], steps


@case("TR-05", "X1")
def tr05_eleven_days():  # Thu 2026-11-05 → as_of is working day 11
    c, s = _cross("X1", "2026-11-05")
    return tables(changes=c, steps=s)


@case("TR-05")
def tr05_ten_days_or_archived():
    c1, s1 = _cross("X1", "2026-11-06")
    c2, s2 = _cross("X2", "2026-10-01", archive=True)
    return tables(changes=c1 + c2, steps=s1 + s2)


# ---------------------------------------------------------------- TR-06


def _leave(no, start, kind="休学"):
    return biz(no, G1, kind, start=start, 办结日期=start)


@case("TR-06", "T")
def tr06_transfer_while_on_leave():
    return tables(changes=[_leave("H0", "2025-03-03"), _leave("R0", "2025-09-02", "复学"),
                           _leave("H1", "2026-03-05"), biz("T", G1)])


@case("TR-06")
def tr06_resumed_before_transfer():
    return tables(changes=[_leave("H1", "2026-03-05"), _leave("R1", "2026-09-01", "复学"),
                           biz("T", G1), biz("U", G1, start="2025-09-03")])


# ---------------------------------------------------------------- TR-07 graduating grades

SCHOOLS = [{"学校标识码": "6405220001", "学校名称": "甲小学", "学段": "小学", "学制": "五四"},
           {"学校标识码": "6405220003", "学校名称": "乙小学", "学段": "小学", "学制": "六三"}]


def _school(code: str, system: str, stage: str = "小学") -> dict:
    return {"学校标识码": code, "学校名称": f"学校{code[-2:]}", "学段": stage, "学制": system}


def _grad(no, grade, school="6405220003", closed="2026-07-31", state="核办通过"):
    return biz(no, G1, start="2026-05-10", 原年级=grade, 转入年级=grade, 转出学校标识码=school,
               办结日期=closed, 业务状态=state)


@case("TR-07", "G6", "W5", "P9")
def tr07_closed_after_jul30():
    return tables(changes=[_grad("G6", 6), _grad("W5", 5, "6405220001"),
                           _grad("P9", 9, closed=None, state="在办")], schools=SCHOOLS)


@case("TR-07")
def tr07_on_time_or_not_graduating():
    return tables(changes=[_grad("G6", 6, closed="2026-07-30 18:00"), _grad("S5", 5),
                           _grad("W6", 6, "6405220001"),
                           biz("L9", G1, start="2026-07-31", 原年级=9, 办结日期="2026-09-10")],
                  schools=SCHOOLS)


# ---------------------------------------------------------------- TR-08..TR-11


@case("TR-08", "B", "C")
def tr08_grade_changed_without_approval():
    return tables(changes=[biz("B", G1, "跨省转学", 原年级=5, 转入年级=4),
                           biz("C", G1, "毕业后跨省就学", 原年级=6, 转入年级=6)],
                  steps=[step("B", 1), step("B", 2, "年级变更审批", result="不通过")])


@case("TR-08")
def tr08_in_province_same_system_is_not_judged():  # the old reading flagged A (RULES.md H)
    return tables(changes=[biz("A", G1, 原年级=5, 转入年级=4)],
                  schools=[_school(SCHOOL_A, "六三"), _school(SCHOOL_B, "六三")])


@case("TR-08", "A")
def tr08_in_province_between_systems():  # 六三 → 五四 inside the province
    return tables(changes=[biz("A", G1, 原年级=5, 转入年级=4)],
                  schools=[_school(SCHOOL_A, "六三"), _school(SCHOOL_B, "五四")])


@case("TR-08")
def tr08_expected_or_approved():
    return tables(changes=[biz("A", G1, 原年级=5, 转入年级=4),
                           biz("C", G1, "毕业后跨省就学", 原年级=6, 转入年级=7)],
                  steps=[step("A", 1), step("A", 2, "年级变更审批")])


@case("TR-09", "R2")
def tr09_late_rollback():
    return tables([stu(学籍状态="毕业", 毕业日期=dt.date(2026, 1, 15))],
                  changes=[biz("R1", G1, "毕业回退", start="2026-07-15 16:00"),
                           biz("R2", G1, "毕业回退", start="2026-07-16 08:00")])


@case("TR-09")
def tr09_no_graduation_date():
    return tables([stu(毕业日期=None)], changes=[biz("R2", G1, "毕业回退", start="2026-07-16")])


@case("TR-10", G1, G1, G1, G1, G1)
def tr10_key_items_without_proof():  # 民族, 性别 and 出生日期 too (RULES.md H)
    return tables(modifications=[mod(G1, "姓名", "学生一", "学生1", proof="无"),
                                 mod(G1, "身份证件号", "1", "2", proof="无"),
                                 mod(G1, "民族", "汉族", "回族", proof="无"),
                                 mod(G1, "性别", "女", "男", proof="无"),
                                 mod(G1, "出生日期", "2016-05-02", "2016-05-01", proof="无"),
                                 mod(G1, "现住址", "甲", "乙", proof="无")])


@case("TR-10", G1, G1)
def tr10_name_and_id_without_proof_old_items():
    return tables(modifications=[mod(G1, "姓名", "学生一", "学生1", proof="无"),
                                 mod(G1, "身份证件号", "1", "2", proof="无"),
                                 mod(G1, "民族", "汉族", "回族", proof="有")])


@case("TR-10")
def tr10_with_proof():
    return tables(modifications=[mod(G1, "姓名", "学生一", "学生1", proof="有")])


@case("TR-11", "A", "B")
def tr11_transfer_without_proof():
    return tables(changes=[biz("A", G1, 证明材料="无"), biz("B", G1, "跨省转学", 证明材料="无"),
                           biz("C", G1, "毕业后跨省就学", 原年级=6, 转入年级=7, 证明材料="无")])


@case("TR-11")
def tr11_with_proof():
    return tables(changes=[biz("A", G1), biz("B", G1, "跨省转学")])


# ---------------------------------------------------------------- LX-* (ningxia-xiji only)


@case("LX-01", "A", "B", profile=XJ)
def lx01_entry_or_graduating():
    return tables(changes=[biz("A", G1, 原年级=6, 转入年级=6), biz("B", G1, 原年级=6, 转入年级=7),
                           biz("C", G1, 原年级=5, 转入年级=5)])


@case("LX-01")
def lx01_off_in_national():
    return lx01_entry_or_graduating()


def _big_class(n):
    return [stu(100 + k, 学校标识码=SCHOOL_B, 班级="五年级(3)班") for k in range(n)]


@case("LX-02", "A", profile=XJ)
def lx02_into_class_of_56():  # 56 before the child arrived (57 now)
    s = stu(1, 学校标识码=SCHOOL_B, 班级="五年级(3)班")
    return tables([s] + _big_class(56), changes=[biz("A", G1)])


@case("LX-02", profile=XJ)
def lx02_into_class_of_55():  # 55 before, 56 with the child: the old reading flagged it
    s = stu(1, 学校标识码=SCHOOL_B, 班级="五年级(3)班")
    return tables([s] + _big_class(55), changes=[biz("A", G1)])


# Autumn 2026 starts Tue Sep 1: working day 10 is Mon Sep 14. Spring 2026 starts on Sunday
# Mar 1: Mar 2 is day 1, Mar 13 day 10.
@case("LX-03", "B", "D", profile=XJ)
def lx03_outside_first_ten_days():
    return tables(changes=[biz("A", G1, start="2026-09-14 17:00"),
                           biz("B", G1, start="2026-09-15 08:00"),
                           biz("C", G1, start="2026-03-13"), biz("D", G1, start="2026-03-16")])


@case("LX-03", profile=XJ)
def lx03_inside_first_ten_days():
    return tables(changes=[biz("A", G1, start="2026-09-01"), biz("C", G1, start="2026-03-01")])


@case("LX-04", "B", "C", profile=XJ)
def lx04_outside_two_weeks():
    return tables(changes=[_leave("A", "2026-09-14 23:00"), _leave("B", "2026-09-15 00:00"),
                           _leave("C", "2026-08-31")])


@case("LX-04", profile=XJ)
def lx04_inside_two_weeks():
    return tables(changes=[_leave("A", "2026-03-01"), _leave("B", "2026-03-14 12:00"),
                           biz("T", G1, start="2026-10-10")])


@case("LX-05", G1, profile=XJ)
def lx05_two_id_changes():
    return tables(modifications=[mod(G1, "身份证件号", "1", "2"),
                                 mod(G1, "身份证件号", "2", "3", day="2026-05-01")])


@case("LX-05", profile=XJ)
def lx05_one_id_change():
    return tables(modifications=[mod(G1, "身份证件号", "1", "2"), mod(G1, "姓名", "甲", "乙")])


@case("LX-06", G1, profile=XJ)
def lx06_name_and_id():
    return tables(modifications=[mod(G1, "身份证件号", "1", "2"), mod(G1, "姓名", "甲", "乙")])


@case("LX-06", profile=XJ)
def lx06_name_only():
    return tables(modifications=[mod(G1, "姓名", "甲", "乙"), mod(G1, "姓名", "乙", "丙")])


MODULE_CASES = __import__("test_rules_helpers").CASES[_FIRST:]


@pytest.mark.parametrize("c", MODULE_CASES, ids=lambda c: f"{c.rule_id}-{c.label}")
def test_case(c: Case):
    assert keys(c.rule_id, c.build(), c.as_of, c.profile) == list(c.expect)
