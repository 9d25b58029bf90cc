"""人籍一致: roster ↔ register matching and RJ-01..04 on a small county with known answers."""
import pandas as pd

from xueji_audit.reconcile import (
    CAUSES,
    INVESTIGATION_COLUMNS,
    investigation_table,
    reconcile,
    write_investigation_xlsx,
)
from xueji_audit.rules.context import Context
from xueji_audit.rules.rosters import rj01, rj02, rj03, rj04
from xueji_audit.schema import conform
from xueji_audit.workdays import WorkCalendar


def table(key: str, rows: list[tuple], cols: list[str]) -> pd.DataFrame:
    return conform(key, pd.DataFrame(rows, columns=cols))


S_COLS = ["学籍号", "姓名", "性别", "出生日期", "学校标识码", "班级", "学籍状态"]
R_COLS = ["学校标识码", "班级", "姓名", "性别", "出生日期", "学籍号", "离校日期"]
C1, C2 = "一年级(1)班", "一年级(2)班"
STUDENTS = table("students", [
    ("G01", "张伟", "男", "2019-05-01", "S1", C1, "在校"),   # roster: 張偉 (traditional)
    ("G02", "王芳", "女", "2019-06-01", "S1", C1, "在校"),   # same-name pair in one class
    ("G03", "王芳", "女", "2019-07-01", "S1", C1, "在校"),
    ("G04", "李思思", "女", "2019-01-01", "S1", C1, "在校"),  # twins with distinct names
    ("G05", "李念念", "女", "2019-01-01", "S1", C1, "在校"),
    ("G06", "赵敏", "女", "2019-02-02", "S1", C2, "在校"),   # on no roster: RJ-01
    ("G07", "刘洋", "男", "2019-03-03", "S1", C2, "在校"),   # roster says 留洋 (homophone)
    ("G08", "陈晨", "男", "2019-04-04", "S1", C2, "休学"),   # not 在校: not compared
    ("G09", "孙强", "男", "2018-01-01", "S3", "二年级(1)班", "在校"),  # studies at S1: RJ-03
    ("G10", "周杰", "男", "2018-02-02", "S3", "二年级(1)班", "在校"),  # S3 has no roster
    ("G11", "吴昊", "男", "2018-03-03", "S2", "二年级(1)班", "在校"),  # left in March: RJ-04
    ("G12", "郑爽", "女", "2018-04-04", "S2", "二年级(1)班", "在校"),  # left in Sept: not yet
    ("G13", "马丽", "女", "2018-05-05", "S2", "二年级(2)班", "在校"),  # roster: 学籍号 only
    ("G14", "黄磊", "男", "2018-06-06", "S2", "二年级(2)班", "在校"),  # roster birth differs
    ("G15", "何静", "女", "2018-07-07", "S3", "二年级(1)班", "在校"),  # two 何静 elsewhere:
    ("G16", "何静", "女", "2018-08-08", "S4", "二年级(1)班", "在校"),  # ambiguous, no RJ-03
    ("G17", "冯刚", "男", "2018-09-09", "S2", "二年级(2)班", "在校"),  # on S1's roster, not S2's:
], S_COLS)                                                           # RJ-01 and RJ-03
ROSTERS = table("rosters", [
    ("S1", C1, "張偉", "男", None, None, None),
    ("S1", C1, "王芳", "女", None, None, None),
    ("S1", C1, "王芳", "女", None, None, None),
    ("S1", C1, "王芳", "女", None, None, None),   # a third 王芳: no record left → RJ-02
    ("S1", C1, "李念念", "女", None, None, None),
    ("S1", C1, "李思思", "女", None, None, None),
    ("S1", C2, "留洋", "男", None, None, None),
    ("S1", C2, "孙强", "男", None, None, None),
    ("S1", C2, "钱多多", "男", None, None, None),  # nobody of that name: RJ-02
    ("S2", "二年级(1)班", "吴昊", "男", None, None, "2026-03-01"),
    ("S2", "二年级(1)班", "郑爽", "女", None, None, "2026-09-01"),
    ("S2", "二年级(2)班", "马力", "女", None, "G13", None),
    ("S2", "二年级(2)班", "黄磊", "男", "2018-06-07", None, None),
    ("S2", "二年级(2)班", "何静", "女", None, None, None),
    ("S1", C2, "冯刚", "男", None, None, None),
], R_COLS)


def context(params=None) -> Context:
    tables = {"students": STUDENTS, "rosters": ROSTERS}
    present = {k: frozenset(v.columns) for k, v in tables.items()}
    cal = WorkCalendar()
    return Context(tables, present, pd.Timestamp("2026-11-20"), cal, cal, ((9, 1), (3, 1)),
                   (8, 31), dict(params or {}))


def test_matching_is_one_to_one_and_tolerates_variants():
    res = reconcile(STUDENTS, ROSTERS)
    p = res.pairs
    assert not p["register_row"].duplicated().any() and not p["roster_row"].duplicated().any()
    got = dict(zip(p["roster_row"], p["学籍号"], strict=True))
    assert got[0] == "G01"  # 張偉 = 张伟
    assert {got[1], got[2]} == {"G02", "G03"} and 3 not in got
    assert got[4] == "G05" and got[5] == "G04"  # twins each get their own record
    assert got[6] == "G07"  # 留洋 / 刘洋 sound alike
    assert got[11] == "G13"  # by 学籍号 although the name is mistyped
    assert 12 not in got  # a roster birth date must agree
    assert res.roster_schools == frozenset({"S1", "S2"})


def test_three_lists():
    res = reconcile(STUDENTS, ROSTERS)
    assert sorted(res.absent["学籍号"]) == ["G06", "G14", "G17"]  # S3/S4 rosters never taken
    assert sorted(res.unregistered["姓名"]) == ["何静", "王芳", "钱多多", "黄磊"]
    assert res.separated["学籍号"].tolist() == ["G09", "G17"]
    assert res.separated["roster_school"].tolist() == ["S1", "S1"]


def test_rules_rj01_to_rj04():
    ctx = context({"months": 3})
    r1, r2, r3, r4 = rj01(ctx), rj02(ctx), rj03(ctx), rj04(ctx)
    assert sorted(r1["学籍号"]) == ["G06", "G14", "G17"]
    assert r2["学籍号"].isna().all() and sorted(r2["姓名"]) == ["何静", "王芳", "钱多多", "黄磊"]
    assert r3["学籍号"].tolist() == ["G09", "G17"] and r3["学校标识码"].tolist() == ["S3", "S2"]
    assert r4["学籍号"].tolist() == ["G11"]
    assert r4["due_date"].tolist() == [pd.Timestamp("2026-06-01")]
    for f, kind in ((r1, "在籍不在校"), (r2, "在校不在籍"), (r3, "人籍分离")):
        assert (f["类别"] == kind).all() and (f["原因"] == "").all()


def test_roster_with_a_number_of_another_school():
    # S1's roster names G11 (registered at S2) by 学籍号: 人籍分离, and G11 is not on S2's roster.
    r = table("rosters", [("S1", C1, "吴昊", "男", None, "G11", None),
                          ("S2", "二年级(1)班", "郑爽", "女", None, None, None)], R_COLS)
    res = reconcile(STUDENTS, r)
    assert res.separated["学籍号"].tolist() == ["G11"]
    assert res.separated["method"].tolist() == ["学籍号一致"]
    assert "G11" in set(res.absent["学籍号"]) and "G12" not in set(res.absent["学籍号"])


def test_school_without_roster_gives_no_rj01():
    only_s1 = ROSTERS[(ROSTERS["学校标识码"] == "S1").to_numpy()].reset_index(drop=True)
    res = reconcile(STUDENTS, only_s1)
    assert sorted(res.absent["学籍号"]) == ["G06"]
    assert set(res.absent["学校标识码"]) == {"S1"}


def test_investigation_table(tmp_path):
    res = reconcile(STUDENTS, ROSTERS)
    t = investigation_table(res, "S1")
    assert list(t.columns) == list(INVESTIGATION_COLUMNS)
    assert t["序号"].tolist() == list(range(1, len(t) + 1))
    assert sorted(t["学生姓名"]) == ["冯刚", "孙强", "王芳", "赵敏", "钱多多"]
    assert set(t["类别"]) == {"在籍不在校", "在校不在籍", "人籍分离"}
    assert (t["原因"] == "").all()
    s3 = investigation_table(res, "S3")  # the 人籍分离 child also appears where the record is
    assert s3["学籍号"].tolist() == ["G09"] and "S1" in s3["备注"].iloc[0]
    s2 = investigation_table(res, "S2")  # G17 is listed once, as 人籍分离
    assert s2.loc[s2["学籍号"] == "G17", "类别"].tolist() == ["人籍分离"]
    assert s2.loc[s2["类别"] == "在籍不在校", "学籍号"].tolist() == ["G14"]
    from openpyxl import load_workbook

    path = write_investigation_xlsx(res, "S1", tmp_path / "排查表.xlsx", "第一小学", "2026-11-20")
    ws = load_workbook(path).active
    assert ws["A3"].value == "序号" and ws.cell(row=4 + len(t), column=1).value is None
    rule = ws.data_validations.dataValidation[0]
    assert all(c in rule.formula1 for c in CAUSES)
