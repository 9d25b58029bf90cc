"""Cases of sections A, B, C and G: identity, 学籍号, duplicates, status, age, class size.

Each case is a small table built here with the expected finding keys worked out by hand.
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
    only_mine,
    pid,
    stu,
    tables,
    weighted_check,
)

_FIRST = len(__import__("test_rules_helpers").CASES)

G1 = "G" + pid(1)

# ---------------------------------------------------------------- A. identity


@case("ID-01", G1)
def id01_wrong_check_digit():
    i = pid(1)
    bad = i[:17] + ("0" if i[17] != "0" else "1")
    return tables([stu(身份证件号=bad)])


@case("ID-01")
def id01_clean_and_passport():
    return tables([stu(), stu(2, 身份证件类型="护照", 身份证件号="E12345678")])


@case("ID-01")
def id01_fifteen_digits_is_not_id01():
    return tables([stu(身份证件号=REGION15)])


@case("ID-01", G1)
def id01_empty_type_with_bad_number():
    return tables([stu(身份证件类型=None, 身份证件号="64052220160230011X")])


@case("ID-02", G1)
def id02_birth_differs():
    return tables([stu(出生日期=dt.date(2016, 5, 2))])


@case("ID-02")
def id02_birth_matches():
    return tables([stu()])


@case("ID-03", "G" + pid(1, sex="女"))
def id03_sex_differs():
    return tables([stu(sex="女", 性别="男")])


@case("ID-03")
def id03_sex_matches():
    return tables([stu(sex="女")])


@case("ID-04", "G" + pid(1, region="990522"))
def id04_province_99():
    i = pid(1, region="990522")
    return tables([stu(学籍号="G" + i, 身份证件号=i)])


@case("ID-04")
def id04_province_64():
    return tables([stu()])


# A 15-digit legacy number of a child born 1998-05-01 (region 640522, sequence 011).
REGION15 = "640522980501011"
ID18_OF_15 = "64052219980501011" + weighted_check("64052219980501011")


@case("ID-05", "J6405221998050101X9")
def id05_legacy():
    return tables([stu(学籍号="J6405221998050101X9", 身份证件号=REGION15,
                       出生日期=dt.date(1998, 5, 1), 年级=None)])


def test_id05_detail_gives_the_18_digit_form():
    from xueji_audit.audit import run_audit
    f = run_audit(id05_legacy(), AS_OF, only_mine()).findings
    assert ID18_OF_15 in f.loc[f["rule_id"] == "ID-05", "detail"].iloc[0]


def test_id01_detail_gives_the_expected_check_digit():
    from xueji_audit.audit import run_audit
    f = run_audit(id01_wrong_check_digit(), AS_OF, only_mine()).findings
    right = weighted_check(pid(1)[:17])
    assert f"应为 {right}" in f.loc[f["rule_id"] == "ID-01", "detail"].iloc[0]


@case("ID-05")
def id05_eighteen_digits():
    return tables([stu()])


@case("ID-06", G1)
def id06_missing_number():
    return tables([stu(身份证件号=None)])


@case("ID-06")
def id06_empty_type_and_number():
    return tables([stu(身份证件类型=None, 身份证件号=None)])


@case("XJ-01", "J123")
def xj01_short():
    return tables([stu(学籍号="J123")])


@case("XJ-01")
def xj01_l_number_ok():
    return tables([stu(学籍号="L640522000000000001")])


@case("XJ-02", "G" + pid(7))
def xj02_other_id():
    return tables([stu(学籍号="G" + pid(7))])


@case("XJ-02")
def xj02_same_id_from_15_digits():
    return tables([stu(学籍号="G" + ID18_OF_15, 身份证件号=REGION15, 出生日期=dt.date(1998, 5, 1),
                       年级=None)])


@case("XJ-03", "L640522000000000001")
def xj03_older_than_12_months():  # 2025-11-19 + 12 months = 2026-11-19 < as_of
    return tables([stu(学籍号="L640522000000000001", 建籍日期=dt.date(2025, 11, 19))])


@case("XJ-03")
def xj03_exactly_12_months():
    return tables([stu(学籍号="L640522000000000001", 建籍日期=dt.date(2025, 11, 20))])


@case("XJ-03", "L640522000000000001")
def xj03_falls_back_to_entry_month():
    return tables([stu(学籍号="L640522000000000001", 建籍日期=None,
                       入学年月=dt.date(2025, 10, 1))])


@case("XJ-04", "J" + pid(1)[:17] + "5")
def xj04_j_with_id():
    return tables([stu(学籍号="J" + pid(1)[:17] + "5")])


@case("XJ-04")
def xj04_j_without_id():
    return tables([stu(学籍号="J" + pid(1)[:17] + "5", 身份证件类型="其他", 身份证件号=None)])


@case("DU-01", G1, "G" + ID18_OF_15)
def du01_same_person_18_and_15():
    return tables([stu(学籍号=G1, 身份证件号=ID18_OF_15, 出生日期=dt.date(1998, 5, 1), 年级=None),
                   stu(学籍号="G" + ID18_OF_15, 身份证件号=REGION15, 出生日期=dt.date(1998, 5, 1),
                       年级=None)])


@case("DU-01")
def du01_distinct():
    return tables([stu(1), stu(2)])


@case("DU-02", G1, G1)
def du02_same_xjh():
    return tables([stu(1), stu(1, 姓名="学生九", 学校标识码=SCHOOL_B)])


@case("DU-02")
def du02_distinct():
    return tables([stu(1), stu(2)])


@case("DU-03", "L640522000000000001", "L640522000000000002")
def du03_same_name_sex_birth_without_id():
    return tables([stu(1, 学籍号="L640522000000000001", 身份证件类型="护照", 身份证件号="E1"),
                   stu(2, 学籍号="L640522000000000002", 姓名="学生1", 身份证件号=None,
                       身份证件类型=None)])


@case("DU-03")
def du03_with_ids_or_other_birth():
    return tables([stu(1), stu(2, 姓名="学生1"),
                   stu(3, 学籍号="L640522000000000003", 身份证件号=None, 身份证件类型=None,
                       姓名="学生9"),
                   stu(4, 学籍号="L640522000000000004", 身份证件号=None, 身份证件类型=None,
                       姓名="学生9", 出生日期=dt.date(2016, 5, 2))])


def test_duplicate_detail_lists_the_other_records():
    from xueji_audit.audit import run_audit
    f = run_audit(du03_same_name_sex_birth_without_id(), AS_OF, only_mine()).findings
    d = f[f["rule_id"] == "DU-03"].set_index("学籍号")["detail"]
    assert "L640522000000000002" in d["L640522000000000001"]
    assert "L640522000000000001" in d["L640522000000000002"]


# ---------------------------------------------------------------- B. status


@case("ST-01", G1)
def st01_dropout_grade_8():
    return tables([stu(学籍状态="退学", 年级=8)])


@case("ST-01")
def st01_dropout_senior():
    return tables([stu(学籍状态="退学", 年级=10)])


@case("ST-01", G1, "G" + pid(3))
def st01_dropout_business_whatever_the_status():  # RULES.md H: the old reading saw only status
    return tables([stu(1, 学籍状态="其他离校"), stu(2, 年级=10), stu(3, 年级=9)],
                  changes=[biz("Q1", G1, "退学", 原年级=9, 转入年级=None),
                           biz("Q2", "G" + pid(2), "退学", 原年级=10, 转入年级=None),
                           biz("Q3", "G" + pid(3), "退学", 原年级=None, 转入年级=None,
                               业务状态="核办不通过")])


@case("ST-01")
def st01_dropout_business_withdrawn_or_senior():  # 原年级 10 is not compulsory; 撤销 is void
    return tables([stu(1), stu(2, 年级=10)],
                  changes=[biz("Q1", G1, "退学", 原年级=9, 业务状态="撤销"),
                           biz("Q2", "G" + pid(2), "退学", 原年级=10)])


@case("ST-02", G1)
def st02_leave_over_a_year():
    return tables([stu(学籍状态="休学", 休学日期=dt.date(2025, 11, 19))])


@case("ST-02")
def st02_leave_exactly_a_year():
    return tables([stu(学籍状态="休学", 休学日期=dt.date(2025, 11, 20))])


@case("ST-02", G1)
def st02_leave_from_business():
    return tables([stu(学籍状态="休学")],
                  changes=[biz("B1", G1, "休学", "2025-03-02 10:00", 办结日期="2025-03-10")])


@case("ST-02")
def st02_resumed_after_leave():
    return tables([stu(学籍状态="休学")],
                  changes=[biz("B1", G1, "休学", "2025-03-02 10:00", 办结日期="2025-03-10"),
                           biz("B2", G1, "复学", "2025-09-02 10:00", 办结日期="2025-09-05")])


# Death on Friday 2025-09-26: 10 working days with 2025-09-28 (Sunday) and 2025-10-11
# (Saturday) worked and 10-01..10-08 off run to 2025-10-16. RULES.md H: the school's report
# (发起日期) is measured, not the bureau's 办结日期.
@case("ST-03", G1, profile="national-2013")
def st03_reported_a_day_late_2013():
    return tables([stu(学籍状态="死亡", 死亡日期=dt.date(2025, 9, 26))],
                  changes=[biz("D1", G1, "死亡", "2025-10-17 09:00", 办结日期="2025-10-20 09:00")])


@case("ST-03", profile="national-2013")
def st03_reported_on_the_due_day_2013():
    return tables([stu(学籍状态="死亡", 死亡日期=dt.date(2025, 9, 26))],
                  changes=[biz("D1", G1, "死亡", "2025-10-16 17:00", 办结日期="2025-10-28 09:00")])


@case("ST-03", profile="national-2013")
def st03_reported_in_time_closed_late_2013():  # the old reading (办结日期) flagged it
    return tables([stu(学籍状态="死亡", 死亡日期=dt.date(2025, 9, 26))],
                  changes=[biz("D1", G1, "死亡", "2025-10-10 09:00", 办结日期="2025-10-17 09:00")])


@case("ST-03")
def st03_reported_a_day_late_2013_is_fine_in_2025():
    return st03_reported_a_day_late_2013()


@case("ST-03", G1, profile="national-2013")
def st03_never_closed():  # 2026-11-01 + 10 working days = 2026-11-13 < as_of
    return tables([stu(死亡日期=dt.date(2026, 11, 1))], changes=[])


@case("ST-03", "G" + pid(2), profile="national-2013")
def st03_without_changes_table_status_decides():  # no 异动 table: 死亡 status = deregistered
    return tables([stu(1, 学籍状态="死亡", 死亡日期=dt.date(2026, 11, 1)),
                   stu(2, 死亡日期=dt.date(2026, 11, 1)),
                   stu(3, 死亡日期=dt.date(2026, 11, 11))])  # due 2026-11-25, not yet


@case("ST-04", G1)
def st04_record_after_two_months():
    return tables([stu(建籍日期=dt.date(2022, 11, 2))])


@case("ST-04")
def st04_record_on_the_due_day():
    return tables([stu(建籍日期=dt.date(2022, 11, 1))])


@case("ST-04", G1, profile="national-2013")
def st04_after_one_month_2013():
    return tables([stu(建籍日期=dt.date(2022, 10, 2))])


# RULES.md H: only the last term that has ended is judged. At 2026-11-20 that is the spring
# term 2026 (2026-03-01 .. 2026-08-31).
@case("ST-05", G1, "G" + pid(2))
def st05_not_checked_last_term():
    return tables([stu(1, 最后核查日期=dt.date(2026, 2, 28)), stu(2, 最后核查日期=None)])


@case("ST-05")
def st05_checked_on_last_term_start_or_not_in_school():
    return tables([stu(1, 最后核查日期=dt.date(2026, 3, 1)),
                   stu(2, 最后核查日期=None, 学籍状态="毕业")])


@case("ST-05")
def st05_running_term_is_not_judged():  # the old reading flagged it (not checked since Sep 1)
    return tables([stu(最后核查日期=dt.date(2026, 8, 31))])


@case("ST-05", G1, as_of=dt.date(2027, 2, 10))
def st05_february_belongs_to_autumn_term():  # autumn 2026 runs on; spring 2026 is judged
    return tables([stu(最后核查日期=dt.date(2026, 2, 27))])


@case("ST-05", as_of=dt.date(2027, 3, 1))
def st05_on_spring_start_autumn_is_judged():
    return tables([stu(最后核查日期=dt.date(2026, 9, 1))])


# ---------------------------------------------------------------- C. age


@case("AG-01", "G" + pid(1, dt.date(2016, 8, 31)))
def ag01_aug31_two_grades_below():  # born Aug 31: expected grade 5, actual 3
    return tables([stu(birth=dt.date(2016, 8, 31), 年级=3)])


@case("AG-01")
def ag01_sep1_one_grade_below():  # born Sep 1: expected grade 4, actual 3
    return tables([stu(birth=dt.date(2016, 9, 1), 年级=3)])


@case("AG-01")
def ag01_not_in_school():
    return tables([stu(年级=9, 学籍状态="毕业")])


@case("AG-02", "K2")
def ag02_born_sep1_is_under_six():
    s = stu(birth=dt.date(2020, 9, 1))
    return tables([s, stu(2, birth=dt.date(2020, 8, 31))],
                  changes=[biz("K2", s["学籍号"], "跨省转学", "2026-09-05 10:00", 原年级=1,
                               转入年级=1),
                           biz("K3", stu(2, birth=dt.date(2020, 8, 31))["学籍号"], "跨省转学",
                               "2026-09-05 10:00", 原年级=1, 转入年级=1)])


@case("AG-02")
def ag02_in_province_transfer():
    s = stu(birth=dt.date(2020, 9, 1))
    return tables([s], changes=[biz("K2", s["学籍号"], "转学", 原年级=1, 转入年级=1)])


# ---------------------------------------------------------------- G. class size


def _class(n: int, school: str = SCHOOL_A, klass: str = "五年级(1)班", first: int = 100):
    return [stu(first + k, 班级=klass, 学校标识码=school) for k in range(n)]


@case("CL-01", f"{SCHOOL_A}|五年级(1)班", f"{SCHOOL_A}|五年级(2)班")
def cl01_56_and_65():
    return tables(_class(56) + _class(65, klass="五年级(2)班", first=200) + _class(55, klass="x",
                                                                                first=300))


@case("CL-01")
def cl01_55_and_66():
    return tables(_class(55) + _class(66, klass="五年级(2)班", first=200))


@case("CL-02", f"{SCHOOL_A}|五年级(2)班")
def cl02_66():
    return tables(_class(65) + _class(66, klass="五年级(2)班", first=200))


@case("CL-02")
def cl02_66_with_one_left():
    rows = _class(66)
    rows[0]["学籍状态"] = "转出"
    return tables(rows)


@case("CL-01", f"{SCHOOL_A}|五年级(1)班", f"{SCHOOL_B}|一班")
def cl01_from_roster():
    roster = [{"学校标识码": SCHOOL_B, "班级": "一班", "姓名": f"名{k}", "性别": "男"}
              for k in range(57)]
    roster.append({"学校标识码": SCHOOL_B, "班级": "一班", "姓名": "走", "性别": "女",
                   "离校日期": "2026-10-01"})
    return tables(_class(60), rosters=roster)  # school A has no roster: counted in the register


@case("CL-02")
def cl02_roster_replaces_register():
    roster = [{"学校标识码": SCHOOL_A, "班级": "五年级(1)班", "姓名": f"名{k}", "性别": "男"}
              for k in range(40)]
    return tables(_class(70), rosters=roster)


MODULE_CASES = __import__("test_rules_helpers").CASES[_FIRST:]


@pytest.mark.parametrize("c", MODULE_CASES, ids=lambda c: f"{c.rule_id}-{c.label}")
def test_case(c: Case):
    assert keys(c.rule_id, c.build(), c.as_of, c.profile) == list(c.expect)
