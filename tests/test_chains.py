"""Transfer chains and CH-01..04 on small hand-made registers with known answers."""
import datetime as dt

import pandas as pd

from xueji_audit.chains import build_chains, components, link_persons
from xueji_audit.ids import make_id, make_xjh_g, make_xjh_l
from xueji_audit.rules.chains import ch01, ch02, ch03, ch04
from xueji_audit.rules.context import Context
from xueji_audit.schema import conform
from xueji_audit.workdays import WorkCalendar

ID_A = make_id("640426", dt.date(2015, 3, 4), 11, "男")
ID_B = make_id("640426", dt.date(2014, 7, 9), 12, "女")
L_A = make_xjh_l("640426", 7)
G_A = make_xjh_g(ID_A)
G_B = make_xjh_g(ID_B)


def table(key: str, rows: list[dict]) -> pd.DataFrame:
    """A table with every schema column (missing ones empty) and the loader's dtypes."""
    return conform(key, pd.DataFrame(rows))


def student(xjh, school, status="在校", idno=None, name="测试生"):
    return {"学籍号": xjh, "姓名": name, "性别": "男", "出生日期": "2015-03-04",
            "身份证件类型": "居民身份证" if idno else None, "身份证件号": idno,
            "学校标识码": school, "年级": 3, "班级": "三年级(1)班", "学籍状态": status}


def biz(no, kind, xjh, done, out=None, into=None, state="核办通过"):
    return {"业务编号": no, "业务类型": kind, "学籍号": xjh, "转出学校标识码": out,
            "转入学校标识码": into, "发起日期": pd.Timestamp(done) - pd.Timedelta(days=5),
            "业务状态": state, "办结日期": done if state == "核办通过" else None}


def context(students, changes=None, params=None) -> Context:
    tables = {"students": table("students", students)}
    if changes is not None:
        tables["changes"] = table("changes", changes)
    present = {k: frozenset(v.columns) for k, v in tables.items()}
    cal = WorkCalendar()
    return Context(tables, present, pd.Timestamp("2026-11-20"), cal, cal,
                   ((9, 1), (3, 1)), (8, 31), dict(params or {}))


def ids_of(findings):
    return sorted(findings["学籍号"].tolist())


def test_components_join_transitively():
    label = components([0, 2, 3], [1, 3, 4], 6)
    assert label.tolist() == [0, 0, 2, 2, 2, 5]


def test_learning_number_change_l_to_g_is_one_chain():
    # The child had an L number at school A (record now 转出), moved to B, and holds a G number
    # there; the same ID joins the two records, so one chain runs A → B → C across both numbers.
    st = [student(L_A, "S-A", "转出", ID_A), student(G_A, "S-C", "在校", ID_A)]
    ch = [biz("T1", "转学", L_A, "2025-03-10", "S-A", "S-B"),
          biz("T2", "转学", G_A, "2025-10-10", "S-B", "S-C")]
    persons = link_persons(table("students", st), table("changes", ch)["学籍号"])
    assert persons[L_A] == persons[G_A]
    chains = build_chains(table("students", st), table("changes", ch))
    c = chains.of(L_A)
    assert c["业务编号"].tolist() == ["T1", "T2"]
    assert c["school_before"].tolist() == ["S-A", "S-B"]
    assert c["school_after"].tolist() == ["S-B", "S-C"]
    assert chains.of(G_A)["业务编号"].tolist() == ["T1", "T2"]
    ctx = context(st, ch, {"return_days": 180, "days": 365, "count": 3})
    assert len(ch02(ctx)) == 0 and len(ch04(ctx)) == 0 and len(ch01(ctx)) == 0


def test_round_trip_a_b_a():
    st = [student(G_B, "S-A", "在校", ID_B)]
    ch = [biz("T1", "转学", G_B, "2025-09-20", "S-A", "S-B"),
          biz("T2", "转学", G_B, "2026-03-10", "S-B", "S-A"),  # 171 days later: a round trip
          biz("T3", "休学", G_B, "2026-04-01"), biz("T4", "复学", G_B, "2026-05-01")]
    ctx = context(st, ch, {"return_days": 180, "days": 365, "count": 3})
    f = ch03(ctx)
    assert f["业务编号"].tolist() == ["T2"] and f["学籍号"].tolist() == [G_B]
    c = build_chains(ctx.students, ctx.tables["changes"]).of(G_B)
    assert c["status_after"].tolist() == ["在校", "在校", "休学", "在校"]
    assert c["school_after"].tolist() == ["S-B", "S-A", "S-A", "S-A"]
    assert len(ch02(ctx)) == 0 and len(ch04(ctx)) == 0
    slow = context(st, ch, {"return_days": 170, "days": 365, "count": 3})
    assert len(ch03(slow)) == 0


def test_three_transfers_within_a_year():
    st = [student(G_B, "S-D", "在校", ID_B)]
    ch = [biz("T1", "转学", G_B, "2025-01-10", "S-A", "S-B"),
          biz("T2", "转学", G_B, "2025-08-01", "S-B", "S-C"),
          biz("T3", "转学", G_B, "2026-01-09", "S-C", "S-D"),  # 364 days after T1
          biz("T0", "转学", G_B, "2025-05-01", "S-X", "S-Y", state="撤销")]  # not completed
    f = ch03(context(st, ch, {"return_days": 180, "days": 365, "count": 3}))
    assert f["业务编号"].tolist() == ["T3"]
    assert len(ch03(context(st, ch, {"return_days": 180, "days": 363, "count": 3}))) == 0


def test_leave_without_return_and_other_contradictions():
    st = [student(G_A, "S-A", "在校", ID_A),  # 休学 approved, still 在校: CH-04
          student(G_B, "S-A", "在校", ID_B),  # 复学 without a 休学: CH-04
          student("G3", "S-A", "在校"),  # 死亡 completed, status 在校: CH-04
          student("G4", "S-A", "转出"),  # 转出 without any business: CH-04
          student("G5", "S-A", "休学"),  # 休学 without 复学 and status 休学: consistent
          student("G6", "S-B", "转出")]  # 转出 after a transfer: consistent
    ch = [biz("B1", "休学", G_A, "2026-03-05"), biz("B2", "复学", G_B, "2026-03-05"),
          biz("B3", "死亡", "G3", "2026-05-05"), biz("B5", "休学", "G5", "2026-03-05"),
          biz("B6", "转学", "G6", "2026-03-05", "S-B", "S-C")]
    ctx = context(st, ch)
    assert ids_of(ch04(ctx)) == sorted([G_A, G_B, "G3", "G4"])
    chains = build_chains(ctx.students, ctx.tables["changes"])
    leave = chains.of("G5")  # 休学 without 复学: the last period is 休学, open to this day
    assert leave["status_before"].tolist() == ["在校"] and leave["status_after"].tolist() == ["休学"]
    assert leave["period_end"].isna().all() and leave["school_after"].tolist() == ["S-A"]
    assert chains.of("G4").empty


def test_two_schools_at_once_and_chain_end_mismatch():
    st = [student(G_A, "S-A", "在校", ID_A), student("J1", "S-B", "在校", ID_A),  # same ID
          student(G_B, "S-A", "在校", ID_B),  # chain ends at S-B but registered at S-A
          student("G7", "S-A", "在校"), student("G7", "S-A", "在校")]  # same school twice
    ch = [biz("T1", "转学", G_B, "2026-03-05", "S-A", "S-B")]
    ctx = context(st, ch)
    assert ids_of(ch01(ctx)) == sorted([G_A, "J1"])
    f = ch02(ctx)
    assert ids_of(f) == [G_B] and f["学校标识码"].tolist() == ["S-A"]


def test_no_completed_business_at_all():
    st = [student(G_A, "S-A", "转出", ID_A), student(G_B, "S-B", "在校", ID_B)]
    ch = [biz("T1", "转学", G_A, "2026-03-05", "S-A", "S-B", state="在办")]
    ctx = context(st, ch, {"return_days": 180, "days": 365, "count": 3})
    assert [len(f(ctx)) for f in (ch01, ch02, ch03)] == [0, 0, 0]
    assert ids_of(ch04(ctx)) == [G_A]  # 转出 with no completed transfer
    assert build_chains(ctx.students).chain.empty  # no 学籍异动 table
