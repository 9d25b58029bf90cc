"""C. Age and grade: AG-01, AG-02."""
from __future__ import annotations

import pandas as pd

from ..terms import ages_on, expected_grades, school_year_start, school_year_starts
from .catalogue import Param, register, rule
from .context import CROSS_PROVINCE, Context, result, text, ymd


def _cutoff_text(ctx: Context) -> str:
    return f"{ctx.age_cutoff[0]}月{ctx.age_cutoff[1]}日"


def ag01(ctx: Context) -> pd.DataFrame:
    s = ctx.students  # rows taken once, at the end (a wide table)
    diff = ctx.params["difference"]
    expected = expected_grades(s["出生日期"], ctx.as_of.date(), ctx.age_cutoff, ctx.promotion)
    gap = (s["年级"].astype("Int64") - expected).abs()
    hit = ctx.mask("students", "学籍状态", "在校") & (gap >= diff).fillna(False).to_numpy()
    f = s[hit]
    sy = school_year_start(ctx.as_of.date(), ctx.promotion)
    detail = ("出生日期 " + ymd(f["出生日期"]) + "，按" + _cutoff_text(ctx) + "入学年龄截止，"
              + f"{sy}—{sy + 1}学年应读" + text(expected[hit]) + "年级，实际为" + text(f["年级"])
              + "年级，相差" + text(gap[hit]) + "个年级")
    return result(f, detail)


def ag02(ctx: Context) -> pd.DataFrame:
    age = ctx.params["age"]
    c = ctx.changes_of(CROSS_PROVINCE)
    c = c[(c["转入年级"] == 1).fillna(False).to_numpy() & c["发起日期"].notna().to_numpy()]
    b = ctx.register_of(c, ["出生日期"])["出生日期"]
    sy = school_year_starts(c["发起日期"], ctx.promotion)
    month, day = ctx.age_cutoff
    cutoff = pd.to_datetime(pd.DataFrame({"year": sy.astype("int64"), "month": month, "day": day},
                                         index=c.index))
    hit = (ages_on(b, cutoff) < age).fillna(False).to_numpy()
    f, b, cutoff = c[hit], b[hit], cutoff[hit]
    detail = (text(f["业务类型"]) + "转入一年级，出生日期 " + ymd(b) + "，到 " + ymd(cutoff)
              + "（入学年龄截止日）未满" + str(age) + "周岁")
    return result(f, detail, 学校标识码=f["转入学校标识码"])


register(
    "age",
    rule("AG-01", "年龄与年级不符", "中", ("students",), "义务教育法 第十一条; 办法2025 (缓学)",
         "在校学生的实际年级与按出生日期推算的年级相差过大", ag01,
         (Param("difference", 2, "int", "年级相差多少即提示"),)),
    rule("AG-02", "未足龄跨省入学", "中", ("students", "changes"), "通知2016 附件1 三.8",
         "跨省转学或毕业后跨省就学转入一年级，但在入学年龄截止日未满6周岁", ag02,
         (Param("age", 6, "int", "一年级入学年龄（周岁）"),)),
)
