"""RULES.md section H, amendments: each at its boundary, and the case the old reading got wrong.

(ST-01, ST-03, ST-05, TR-08, TR-10 and LX-02 have their cases in test_rules_identity_status.py
and test_rules_business.py; the 升级, TR-01, RJ-03, the 校历 and the profiles are here.)
"""
from __future__ import annotations

import datetime as dt
import textwrap

import pytest
from test_rules_helpers import (
    SCHOOL_A,
    SCHOOL_B,
    biz,
    keys,
    pid,
    step,
    stu,
    tables,
)

from xueji_audit.audit import run_audit
from xueji_audit.errors import ProfileError
from xueji_audit.profile import load_profile
from xueji_audit.rules import CATALOGUE

XJ = "ningxia-xiji"


# ---------------------------------------------------------------- the 升级 on Aug 10


def test_ag01_school_year_turns_on_aug_11():
    # born 2018-05-01, grade 1: expected 2 in 2025–26, 3 from the 升级 of 2026
    data = tables([stu(birth=dt.date(2018, 5, 1), 年级=1)])
    g = "G" + pid(1, dt.date(2018, 5, 1))
    assert keys("AG-01", data, as_of=dt.date(2026, 8, 10)) == []
    assert keys("AG-01", data, as_of=dt.date(2026, 8, 11)) == [g]  # Sep 1 reading: not yet


def _ag02(start: str, birth: dt.date) -> dict:
    s = stu(birth=birth, 年级=1)
    return tables([s], changes=[biz("P", s["学籍号"], "跨省转学", start, 原年级=1, 转入年级=1,
                                    转出学校标识码="2151000001")])


def test_ag02_cutoff_of_the_school_year_after_the_promotion():
    born = dt.date(2020, 8, 31)  # 6 on 2026-08-31, 5 on 2025-08-31
    assert keys("AG-02", _ag02("2026-08-10 10:00", born)) == ["P"]  # school year 2025–26
    assert keys("AG-02", _ag02("2026-08-11 10:00", born)) == []  # the Sep 1 reading flagged it


def _tr07(start: str, closed: str) -> dict:
    return tables(changes=[biz("G6", stu()["学籍号"], start=start, 原年级=6, 转入年级=6,
                               办结日期=closed)])


def test_tr07_a_transfer_from_aug_11_belongs_to_the_new_school_year():
    late = "2027-08-02 10:00"  # after Jul 30 2027
    # from Aug 11 the deadline is Jul 30 of the next year (the Sep 1 reading saw none)
    assert keys("TR-07", _tr07("2026-08-11 10:00", late), as_of=dt.date(2027, 9, 1)) == ["G6"]
    assert keys("TR-07", _tr07("2026-08-10 10:00", late), as_of=dt.date(2027, 9, 1)) == []


def test_promotion_is_a_profile_parameter(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('extends = "national-2025"\n[calendar]\npromotion = "08-31"\n',
                    encoding="utf-8")
    assert load_profile(path).promotion == (8, 31) and load_profile().promotion == (8, 10)
    data = tables([stu(birth=dt.date(2018, 5, 1), 年级=1)])
    assert keys("AG-01", data, as_of=dt.date(2026, 8, 11), profile=str(path)) == []


# ---------------------------------------------------------------- TR-01 transfers only


def _slow(kind: str, name: str = "转入校审核") -> dict:
    return tables(changes=[biz("B", stu()["学籍号"], kind)],
                  steps=[step("B", 1, name, arrived="2026-09-03", handled="2026-09-18")])


@pytest.mark.parametrize("kind", ["转学", "跨省转学", "毕业后跨省就学"])
def test_tr01_times_transfer_steps(kind):
    assert keys("TR-01", _slow(kind)) == ["B"]  # 11 working days


def test_tr01_leaves_other_businesses_and_archive_steps():
    assert keys("TR-01", _slow("复学")) == []  # the old reading flagged it
    assert keys("TR-01", _slow("休学")) == []
    assert keys("TR-01", _slow("跨省转学", "调档")) == []  # TR-05's alone


def test_tr01_needs_the_changes_table():
    data = _slow("转学")
    del data["changes"]
    r = run_audit(data, dt.date(2026, 11, 20), "national-2025").rules_run.set_index("rule_id")
    assert r.loc["TR-01", "status"] == "not run" and "学籍异动" in r.loc["TR-01", "reason"]


# ---------------------------------------------------------------- RJ-03 exemptions


def _rj(school_rows=None, changes=None, **kw) -> dict:
    s = stu(1, 姓名="祁翊骁", **kw)
    others = [stu(2, 姓名="甄芮汐", 学校标识码=SCHOOL_B, 班级="五年级(1)班")]
    roster = [{"学校标识码": SCHOOL_B, "班级": "五年级(1)班", "姓名": "祁翊骁", "性别": "男"},
              {"学校标识码": SCHOOL_B, "班级": "五年级(1)班", "姓名": "甄芮汐", "性别": "男"},
              {"学校标识码": SCHOOL_A, "班级": "五年级(1)班", "姓名": "栾骞", "性别": "男"}]
    extra = {"changes": changes} if changes else {}
    if school_rows:
        extra["schools"] = school_rows
    return tables([s, *others, stu(3, 姓名="栾骞")], rosters=roster, **extra)


def _rj_findings(data) -> dict[str, list[str]]:
    f = run_audit(data, dt.date(2026, 11, 20), "national-2025").findings
    return {r: f.loc[f["rule_id"] == r, "detail"].tolist() for r in ("RJ-01", "RJ-03")}


def test_rj03_raised_for_a_plain_separation():
    got = _rj_findings(_rj())
    assert len(got["RJ-03"]) == 1 and len(got["RJ-01"]) == 1
    assert "说明" not in got["RJ-01"][0]


def test_rj03_not_for_home_teaching_and_rj01_says_so():
    got = _rj_findings(_rj(随班就读="送教上门"))
    assert got["RJ-03"] == [] and "送教上门学生" in got["RJ-01"][0]


def test_rj03_not_for_special_schools():
    rows = [{"学校标识码": SCHOOL_A, "学校名称": "西吉县特殊教育学校", "学段": "特殊教育", "学制": "六三"},
            {"学校标识码": SCHOOL_B, "学校名称": "西吉县第二小学", "学段": "小学", "学制": "六三"}]
    assert _rj_findings(_rj(rows))["RJ-03"] == []
    rows[0] = {"学校标识码": SCHOOL_A, "学校名称": "西吉县专门学校", "学段": "初中", "学制": "六三"}
    assert _rj_findings(_rj(rows))["RJ-03"] == []


def test_rj03_not_while_a_transfer_between_the_two_schools_is_pending():
    g = stu(1)["学籍号"]
    pending = [biz("T", g, 业务状态="在办", 办结日期=None)]
    got = _rj_findings(_rj(changes=pending))
    assert got["RJ-03"] == [] and "两校间转学在办" in got["RJ-01"][0]
    elsewhere = [biz("T", g, 业务状态="在办", 办结日期=None, 转入学校标识码="6405220009")]
    assert len(_rj_findings(_rj(changes=elsewhere))["RJ-03"]) == 1


# ---------------------------------------------------------------- LX-03 / LX-04 and the 校历


def _calendar_profile(tmp_path, terms: str) -> str:
    path = tmp_path / "xiji-2026.toml"
    path.write_text(textwrap.dedent(f"""\
        extends = "ningxia-xiji"
        [calendar.terms]
        {terms}
        """), encoding="utf-8")
    return str(path)


def test_lx03_lx04_are_medium():
    assert CATALOGUE["LX-03"].severity == "中" and CATALOGUE["LX-04"].severity == "中"


def test_lx03_runs_from_the_real_term_start(tmp_path):
    p = _calendar_profile(tmp_path, '"2026-autumn" = 2026-09-07')
    g = stu()["学籍号"]
    # Mon Sep 7 is day 1, Fri Sep 18 day 10, Mon Sep 21 day 11
    data = tables(changes=[biz("D10", g, start="2026-09-18 10:00"),
                           biz("D11", g, start="2026-09-21 10:00"),
                           biz("BEFORE", g, start="2026-09-04 10:00")])
    assert keys("LX-03", data, profile=p) == ["BEFORE", "D11"]
    # the default Sep 1 start: Sep 18 is day 14, Sep 4 day 4
    assert keys("LX-03", data, profile=XJ) == ["D10", "D11"]


def test_lx04_runs_from_the_real_term_start(tmp_path):
    p = _calendar_profile(tmp_path, '"2027-spring" = "2027-02-22"')
    g = stu()["学籍号"]
    data = tables(changes=[biz("L14", g, "休学", "2027-03-07 10:00"),
                           biz("L15", g, "休学", "2027-03-08 10:00")])
    assert keys("LX-04", data, as_of=dt.date(2027, 4, 1), profile=p) == ["L15"]
    assert keys("LX-04", data, as_of=dt.date(2027, 4, 1), profile=XJ) == []  # Mar 1: days 7, 8


def test_st05_uses_the_real_term_start(tmp_path):
    p = _calendar_profile(tmp_path, '"2027-spring" = "2027-03-08"')
    data = tables([stu(最后核查日期=dt.date(2026, 8, 1))])
    g = stu()["学籍号"]
    on = dt.date(2027, 3, 5)  # spring starts Mar 8: autumn 2026 is still running
    assert keys("ST-05", data, as_of=on, profile=p) == []
    assert keys("ST-05", data, as_of=on) == [g]  # default Mar 1: autumn 2026 has ended


def test_the_audit_notes_assumed_term_starts(tmp_path):
    p = _calendar_profile(tmp_path, '"2026-autumn" = 2026-09-07\n"2026-spring" = 2026-03-02')
    data = tables([stu()])
    given = run_audit(data, dt.date(2026, 11, 20), p).notes
    assumed = run_audit(data, dt.date(2026, 11, 20), XJ).notes
    assert not any("[calendar.terms]" in n for n in given)
    assert any("[calendar.terms]" in n and "2026年春季学期" in n for n in assumed)


def test_calendar_terms_in_a_profile(tmp_path):
    p = load_profile(_calendar_profile(tmp_path, '"2027-spring" = "2027-02-22"'))
    assert p.terms == (("2027-spring", dt.date(2027, 2, 22)),)
    child = tmp_path / "child.toml"
    child.write_text('extends = "xiji-2026.toml"\n[calendar.terms]\n"2026-autumn" = 2026-08-31\n',
                     encoding="utf-8")
    assert load_profile(child).terms == (("2026-autumn", dt.date(2026, 8, 31)),
                                         ("2027-spring", dt.date(2027, 2, 22)))


@pytest.mark.parametrize("terms, needle", [
    ('"2027-winter" = 2027-01-10', "2027-winter"),
    ('"2027-spring" = 2027-09-01', "2027-spring"),
    ('"2027-spring" = "soon"', "soon"),
    ('"2026-autumn" = 2027-09-01', "2026-autumn"),
])
def test_bad_calendar_terms(tmp_path, terms, needle):
    with pytest.raises(ProfileError) as exc:
        load_profile(_calendar_profile(tmp_path, terms))
    assert needle in str(exc.value) and "calendar.terms" in str(exc.value)


# ---------------------------------------------------------------- XJ-03, national-2013


def test_xj03_basis_and_inspection_parameter():
    r = CATALOGUE["XJ-03"]
    assert r.basis == "通知2016 附件1 一.1" and "检查参数" in r.help
    assert "检查参数" in r.param("months").help


def test_national_2013_has_no_one_year_leave_limit():
    data = tables([stu(学籍状态="休学", 休学日期=dt.date(2025, 1, 5))])
    assert keys("ST-02", data) == [stu()["学籍号"]]
    assert keys("ST-02", data, profile="national-2013") == []
    assert not load_profile("national-2013").is_enabled("ST-02")


def test_timed_steps_are_the_transfer_steps_without_archive():
    from xueji_audit.rules.business import timed_steps

    data = tables(changes=[biz("T", stu()["学籍号"]), biz("K", stu()["学籍号"], "跨省转学"),
                           biz("R", stu()["学籍号"], "复学")],
                  steps=[step("T", 1), step("K", 1), step("K", 2, "调档"), step("R", 1)])
    got = timed_steps(data["steps"], data["changes"])
    assert list(zip(got["业务编号"], got["环节名称"], strict=True)) == [("T", "转入校审核"),
                                                                  ("K", "转入校审核")]


def test_business_codes_without_steps_raise_no_future_warning():
    import warnings

    data = tables(changes=[biz("T", stu()["学籍号"])])
    empty = tables(steps=[step("T", 1)])["steps"].iloc[:0]
    data["steps"] = empty.astype({"业务编号": object})  # an empty steps sheet, as read
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        f = run_audit(data, dt.date(2026, 11, 20), "national-2025").findings
    assert f.empty or "TR-02" not in set(f["rule_id"])
