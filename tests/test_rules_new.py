"""The eleven rules of RULES.md section H, on both sides of every boundary.

ST-06..10, TR-12, TR-13 and LX-07 are cases of the catalogue (test_rules_catalogue requires a
positive and a negative one); RJ-05, RJ-06 and TR-14 work on rosters and are tested with the
whole audit below. Expected keys are worked out by hand.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from test_rules_helpers import (
    AS_OF,
    SCHOOL_A,
    SCHOOL_B,
    Case,
    biz,
    case,
    keys,
    pid,
    step,
    stu,
    tables,
)

from xueji_audit.audit import run_audit
from xueji_audit.rules.records import DROPOUT_COLUMNS, dropout_list

_FIRST = len(__import__("test_rules_helpers").CASES)
G1 = stu()["学籍号"]
G2, G3, G4 = ("G" + pid(n) for n in (2, 3, 4))
XJ = "ningxia-xiji"
SCHOOLS = [{"学校标识码": SCHOOL_A, "学校名称": "清川县第一小学", "学段": "小学", "学制": "六三"},
           {"学校标识码": SCHOOL_B, "学校名称": "清川县第二小学", "学段": "小学", "学制": "五四"}]


# ---------------------------------------------------------------- ST-06


@case("ST-06", G1, G2, G3)
def st06_dropout_missing_or_left():
    return tables([stu(1, 学籍状态="辍学", 年级=1), stu(2, 学籍状态="失踪", 年级=9),
                   stu(3, 学籍状态="其他离校", 年级=6, 离校日期=dt.date(2026, 6, 1))])


@case("ST-06")
def st06_senior_or_other_status():
    return tables([stu(1, 学籍状态="辍学", 年级=10), stu(2, 学籍状态="出国", 年级=5),
                   stu(3, 学籍状态="转出", 年级=5)])


def test_dropout_list_has_child_school_status_since_guardian_township():
    s = [stu(1, 学籍状态="辍学", 年级=4, 离校日期=dt.date(2026, 10, 8), 成员1姓名="祁大山",
             成员1联系电话="13900000001", 现住址="宁夏回族自治区固原市清川县将台乡红庄村3组"),
         stu(2, 学籍状态="其他离校", 年级=7, 学校标识码=SCHOOL_B, 户口所在地="清川县新营镇"),
         stu(3, 学籍状态="辍学", 年级=11)]
    r = run_audit(tables(s, schools=SCHOOLS), AS_OF, "national-2025")
    data = tables(s, schools=SCHOOLS)
    got = dropout_list(data["students"], r.findings, data["schools"])
    assert list(got.columns) == list(DROPOUT_COLUMNS)
    rows = got.set_index("学籍号")
    assert set(rows.index) == {G1, G2}  # the grade 11 child is not compulsory
    assert rows.loc[G1, "学校"] == "清川县第一小学" and rows.loc[G1, "离校日期"] == "2026-10-08"
    assert rows.loc[G1, "监护人"] == "祁大山" and rows.loc[G1, "监护人电话"] == "13900000001"
    assert rows.loc[G1, "乡镇"] == "将台乡" and rows.loc[G2, "乡镇"] == "新营镇"
    assert rows.loc[G2, "学籍状态"] == "其他离校" and rows.loc[G2, "学校"] == "清川县第二小学"


# ---------------------------------------------------------------- ST-07
# as_of 2026-11-20 lies in the school year 2026–27.


@case("ST-07", G1, G2)
def st07_grade_behind_or_ahead_of_entry():
    return tables([stu(1, 年级=5, 入学年月=dt.date(2021, 9, 1)),  # should be 6
                   stu(2, 年级=8, 入学年月=dt.date(2026, 9, 1))],  # entered 初中 now: 7
                  schools=SCHOOLS[:1])


@case("ST-07")
def st07_regular_promotion_or_explained():
    return tables([stu(1, 年级=5, 入学年月=dt.date(2022, 9, 1)),
                   stu(2, 年级=7, 入学年月=dt.date(2026, 9, 1)),  # 九年一贯制: 初中 entry year 7
                   stu(3, 年级=6, 入学年月=dt.date(2026, 9, 1), 学校标识码=SCHOOL_B),  # 五四 初中
                   stu(4, 年级=4, 入学年月=dt.date(2022, 9, 1))],  # repeated a year
                  changes=[biz("R", G4, "留级", 原年级=5, 转入年级=4)], schools=SCHOOLS)


@case("ST-07", "G" + pid(5))
def st07_entry_month_before_the_promotion_counts_for_the_old_year():
    # entered 2026-08 (before the 升级 on Aug 10): school year 2025–26, so grade 2 is expected
    return tables([stu(5, 年级=1, 入学年月=dt.date(2026, 8, 1))])


# ---------------------------------------------------------------- ST-08


@case("ST-08", G1, G2)
def st08_graduated_from_a_middle_grade():
    return tables([stu(1, 学籍状态="毕业", 年级=8), stu(2, 学籍状态="毕业", 年级=6,
                                                     学校标识码=SCHOOL_B)], schools=SCHOOLS)


@case("ST-08")
def st08_graduated_from_the_last_grade():
    return tables([stu(1, 学籍状态="毕业", 年级=6), stu(2, 学籍状态="毕业", 年级=5,
                                                     学校标识码=SCHOOL_B),
                   stu(3, 学籍状态="毕业", 年级=9), stu(4, 学籍状态="毕业", 年级=12),
                   stu(5, 学籍状态="在校", 年级=8)], schools=SCHOOLS)


# ---------------------------------------------------------------- ST-09

_FULL = {"现住址": "清川县将台乡红庄村", "户口所在地": "清川县将台乡", "联系电话": "13900000000",
         "成员1姓名": "祁大山", "是否留守儿童": "否", "是否进城务工人员随迁子女": "否"}


def _full(n, **kw):
    return stu(n, **{**_FULL, **kw})


@case("ST-09", G1, G2, G3, G4)
def st09_missing_or_contradictory():
    return tables([_full(1, 联系电话=None), _full(2, 成员1姓名=" "),
                   _full(3, 是否留守儿童="是", 是否进城务工人员随迁子女="是", 户口所在地="甘肃省靖川县"),
                   _full(4, 是否进城务工人员随迁子女="是")],  # hukou in the school's own county
                  schools=SCHOOLS)


@case("ST-09")
def st09_complete_and_consistent():
    return tables([_full(1), _full(2, 是否进城务工人员随迁子女="是", 户口所在地="甘肃省靖川县"),
                   _full(3, 联系电话=None, 学籍状态="毕业")], schools=SCHOOLS)


def test_st09_lists_every_problem_in_one_finding():
    data = tables([_full(1, 现住址=None, 联系电话=None, 是否进城务工人员随迁子女="是")],
                  schools=SCHOOLS)
    f = run_audit(data, AS_OF, "national-2025").findings
    (detail,) = f.loc[f["rule_id"] == "ST-09", "detail"]
    assert "缺现住址" in detail and "缺联系电话" in detail and "户口所在地在本县（清川县）" in detail


def test_st09_only_checks_the_columns_the_data_has():
    f = run_audit(tables([stu()]), AS_OF, "national-2025").findings
    assert not (f["rule_id"] == "ST-09").any()


# ---------------------------------------------------------------- ST-10


@case("ST-10", G1, G2, G3)
def st10_inclusive_without_disability_type():
    return tables([stu(1, 随班就读="是"), stu(2, 随班就读="送教上门", 残疾类型=""),
                   stu(3, 随班就读="随班就读")])


@case("ST-10")
def st10_with_disability_type_or_not_marked():
    return tables([stu(1, 随班就读="是", 残疾类型="视力残疾"), stu(2, 随班就读="否"),
                   stu(3, 随班就读=None)])


# ---------------------------------------------------------------- TR-12
# 12 months before 2026-11-20 is 2025-11-20: a record built on that day is not recent.


@case("TR-12", G1, G3)
def tr12_new_record_in_a_middle_grade():
    return tables([stu(1, 年级=4, 建籍日期=dt.date(2025, 11, 21)),
                   stu(2, 年级=4, 建籍日期=dt.date(2025, 11, 20)),
                   stu(3, 年级=5, 建籍日期=dt.date(2026, 10, 1), 学校标识码=SCHOOL_B)],
                  schools=SCHOOLS)


@case("TR-12")
def tr12_entry_grade_or_transferred_in():
    return tables([stu(1, 年级=1, 建籍日期=dt.date(2026, 9, 5)),
                   stu(2, 年级=6, 建籍日期=dt.date(2026, 9, 5), 学校标识码=SCHOOL_B),  # 五四 初一
                   stu(3, 年级=4, 建籍日期=dt.date(2026, 9, 5), 学校标识码=SCHOOL_B)],
                  changes=[biz("T", G3, 转出学校标识码="2151000001", 转入学校标识码=SCHOOL_B)],
                  schools=SCHOOLS)


# ---------------------------------------------------------------- TR-13


def _tr13(no, start, closed, state="核办通过"):
    return biz(no, G1, "毕业后跨省就学", start, 原年级=6, 转入年级=7, 办结日期=closed, 业务状态=state)


@case("TR-13", "LATE", "OPEN")
def tr13_autumn_application_not_done_by_nov_30():
    return tables(changes=[_tr13("LATE", "2025-10-20 09:00", "2025-12-01 09:00"),
                           _tr13("OPEN", "2025-12-14 09:00", None, "在办")])


@case("TR-13")
def tr13_done_by_nov_30_spring_or_not_yet_due():
    return tables(changes=[_tr13("OK", "2025-10-20 09:00", "2025-11-30 17:00"),
                           _tr13("SPRING", "2026-03-10 09:00", "2026-12-10 09:00"),
                           _tr13("DEC15", "2025-12-15 09:00", None, "在办"),
                           _tr13("NOW", "2026-11-02 09:00", None, "在办")])


# ---------------------------------------------------------------- LX-07


@case("LX-07", "H", "F", profile=XJ)
def lx07_leave_or_return_without_proof():
    return tables(changes=[biz("H", G1, "休学", 证明材料="无"), biz("F", G1, "复学", 证明材料="无"),
                           biz("T", G1, 证明材料="有")])


@case("LX-07", profile=XJ)
def lx07_with_proof():
    return tables(changes=[biz("H", G1, "休学"), biz("F", G1, "复学"),
                           biz("T", G1, "转学", 证明材料="无")])


def test_lx07_only_under_ningxia():
    data = lx07_leave_or_return_without_proof()
    f = run_audit(data, AS_OF, "national-2025").findings
    assert not (f["rule_id"] == "LX-07").any()


# ---------------------------------------------------------------- RJ-05, RJ-06, TR-14


def _audit(data, as_of=AS_OF) -> pd.DataFrame:
    return run_audit(data, as_of, "national-2025").findings


def _roster(school, klass, name, sex="男", checked="2026-09-07"):
    return {"学校标识码": school, "班级": klass, "姓名": name, "性别": sex, "核对日期": checked}


def test_rj05_schools_and_classes_without_roster():
    s = [stu(1, 姓名="祁翊骁"), stu(2, 姓名="甄芮汐", 班级="五年级(2)班"),
         stu(3, 姓名="栾骞", 学校标识码=SCHOOL_B), stu(4, 姓名="冼沅芷", 学校标识码="6405220009",
                                                    学籍状态="毕业")]
    f = _audit(tables(s, rosters=[_roster(SCHOOL_A, "五年级(1)班", "祁翊骁")]))
    rj05 = f[f["rule_id"] == "RJ-05"]
    got = sorted(zip(rj05["学校标识码"], rj05["班级"].fillna(""), strict=True))
    assert got == [(SCHOOL_A, "五年级(2)班"), (SCHOOL_B, "")]  # a school of graduates only: none
    # the child of the class without a roster is not RJ-01 (it is RJ-05's)
    assert not (f["rule_id"] == "RJ-01").any()


def test_rj05_quiet_when_every_class_handed_in():
    s = [stu(1, 姓名="祁翊骁"), stu(2, 姓名="甄芮汐", 班级="五年级(2)班")]
    f = _audit(tables(s, rosters=[_roster(SCHOOL_A, "五年级(1)班", "祁翊骁"),
                                  _roster(SCHOOL_A, "五年级(2)班", "甄芮汐")]))
    assert not f["rule_id"].isin(["RJ-05", "RJ-01"]).any()


def test_rj06_roster_checked_after_the_fifth_working_day():
    # autumn 2026 starts Tue Sep 1: working day 5 is Mon Sep 7, day 6 Tue Sep 8
    rows = [_roster(SCHOOL_A, "五年级(1)班", "祁翊骁", checked="2026-09-07"),
            _roster(SCHOOL_A, "五年级(2)班", "甄芮汐", checked="2026-09-08"),
            _roster(SCHOOL_A, "五年级(3)班", "栾骞", checked="2026-09-01")]
    f = _audit(tables([stu()], rosters=rows))
    rj06 = f[f["rule_id"] == "RJ-06"]
    assert rj06["班级"].tolist() == ["五年级(2)班"]
    assert rj06["due_date"].iloc[0] == pd.Timestamp("2026-09-07")


def test_rj06_counts_from_the_real_term_start(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('extends = "national-2025"\n[calendar.terms]\n"2026-autumn" = 2026-09-07\n',
                    encoding="utf-8")
    rows = [_roster(SCHOOL_A, "五年级(1)班", "祁翊骁", checked="2026-09-11"),
            _roster(SCHOOL_A, "五年级(2)班", "甄芮汐", checked="2026-09-14")]
    f = run_audit(tables([stu()], rosters=rows), AS_OF, path).findings
    assert f.loc[f["rule_id"] == "RJ-06", "班级"].tolist() == ["五年级(2)班"]


def _tr14(on_roster: bool, checked: str = "2026-09-07"):
    s = [stu(1, 姓名="祁翊骁", 学校标识码=SCHOOL_B), stu(2, 姓名="甄芮汐", 学校标识码=SCHOOL_B)]
    rows = [_roster(SCHOOL_B, "五年级(1)班", "甄芮汐", checked=checked)]
    if on_roster:
        rows.append(_roster(SCHOOL_B, "五年级(1)班", "祁翊骁", checked=checked))
    steps = [step("X", 1, "转入校审核", "2026-06-01", "2026-06-02"),
             step("X", 2, "调档", "2026-06-03", "2026-06-05")]
    return tables(s, changes=[biz("X", G1, "跨省转学", "2026-06-01 09:00",
                                  转出学校标识码="2151000001", 办结日期="2026-06-02 10:00")],
                  steps=steps, rosters=rows)


def test_tr14_archive_moved_for_a_child_missing_from_the_later_roster():
    f = _audit(_tr14(on_roster=False))
    assert f.loc[f["rule_id"] == "TR-14", "业务编号"].tolist() == ["X"]


def test_tr14_quiet_when_the_child_is_on_it_or_the_roster_is_older():
    assert not (_audit(_tr14(on_roster=True))["rule_id"] == "TR-14").any()
    assert not (_audit(_tr14(False, checked="2026-06-05"))["rule_id"] == "TR-14").any()


MODULE_CASES = __import__("test_rules_helpers").CASES[_FIRST:]


@pytest.mark.parametrize("c", MODULE_CASES, ids=lambda c: f"{c.rule_id}-{c.label}")
def test_case(c: Case):
    assert keys(c.rule_id, c.build(), c.as_of, c.profile) == list(c.expect)
