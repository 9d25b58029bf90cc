"""Planted cases of the second reading (RULES.md H): ST-06…10, TR-12 and LX-07.

First the bulk records are made consistent with the readings of docs/rules.md that the
generator does not know: a 九年一贯制 pupil in grade 7–9 entered 初中 in year 7 (入学年月), and a
随迁子女 is not also a 留守儿童. Then each rule gets firing cases and quiet edges.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from . import business as bz
from .bulk import _previous_term
from .context import XIJI, Ctx


def entry_of(ctx: Ctx, grade: int, stage: str) -> pd.Timestamp:
    """Sep 1 of the year a pupil now in ``grade`` entered its current stage."""
    first = 10 if grade >= 10 else (6 if stage == "五四" and grade >= 6 else 7 if grade >= 7 else 1)
    return pd.Timestamp(ctx.sy - (grade - first), 9, 1)


def normalise(ctx: Ctx) -> None:
    st = ctx.st
    free = ~st["_reserved"].to_numpy(dtype=bool) & (st["学籍状态"] == "在校").to_numpy()
    nine = free & (st["_stage"] == "九年一贯制").to_numpy() & (st["年级"] >= 7).to_numpy()
    grade = st.loc[nine, "年级"].astype(int).to_numpy()
    st.loc[nine, "入学年月"] = pd.to_datetime(
        pd.DataFrame({"year": ctx.sy - (grade - 7), "month": 9, "day": 1}))
    both = (st["是否留守儿童"] == "是").to_numpy() & (st["是否进城务工人员随迁子女"] == "是").to_numpy()
    st.loc[both, "是否留守儿童"] = "否"


def plant_records(ctx: Ctx) -> None:
    normalise(ctx)
    st = ctx.st
    term = ctx.term0
    day3 = pd.Timestamp(ctx.first_workdays(term, 3)[-1]) + pd.Timedelta(hours=9)

    # ST-06 — 控辍保学: grade 1–9 辍学 / 失踪 / 其他离校 (the child leaves the roster)
    for status, g, left in (("辍学", 4, 40), ("失踪", 8, None), ("其他离校", 6, 120)):
        (i,) = ctx.take(1, grades=[g])
        ctx.set(i, 学籍状态=status, 离校日期=pd.Timestamp(ctx.as_of - dt.timedelta(days=left))
                if left else pd.NaT)
        ctx.find("ST-06", i, note=f"义务教育阶段{status}")
    (i,) = ctx.take(1, grades=[11])
    ctx.set(i, 学籍状态="辍学")
    ctx.edge("ST-06", i, why="高中阶段辍学，不属于控辍保学")

    # ST-07 — grade against 入学年月 (the school year turns at the 升级 on Aug 10)
    early = {"入学年月": pd.Timestamp(ctx.sy - 4, 9, 1), "建籍日期": pd.Timestamp(ctx.sy - 4, 9, 15)}
    (i,) = ctx.take(1, grades=[4], cond=lambda s: s["_stage"].eq("小学").to_numpy())
    ctx.set(i, **early)
    ctx.find("ST-07", i, note="入学已满5个学年仍在4年级，无留级记录")
    (i,) = ctx.take(1, grades=[4], cond=lambda s: s["_stage"].eq("小学").to_numpy())
    ctx.set(i, **early)
    bz.one(ctx, "留级", i, pd.Timestamp(ctx.sy - 1, 9, 8, 9), bz.simple(st.at[i, "学校名称"]),
           [1, 1], g0=5, g1=4)
    ctx.edge("ST-07", i, why="有留级记录，年级与入学年月的差异已得到解释")
    (i,) = ctx.take(1, grades=[8], roster=None,
                    cond=lambda s: s["_stage"].eq("九年一贯制").to_numpy())
    ctx.set(i, 入学年月=entry_of(ctx, 8, "九年一贯制"))
    ctx.edge("ST-07", i, why="九年一贯制学校8年级，入学年月为升入初中（7年级）的年月")
    (i,) = ctx.take(1, grades=[1], cond=lambda s: s["_stage"].eq("小学").to_numpy())
    ctx.set(i, 入学年月=pd.Timestamp(ctx.sy, 8, 1), 建籍日期=pd.Timestamp(ctx.sy, 8, 20))
    ctx.find("ST-07", i, note="入学年月在8月10日升级之前，属上一学年，应在2年级")

    # ST-08 — 毕业 outside a graduating grade
    (i,) = ctx.take(1, grades=[8])
    ctx.set(i, 学籍状态="毕业", 毕业日期=pd.Timestamp(ctx.sy, 7, 1))
    ctx.find("ST-08", i, note="8年级学生学籍状态为毕业")
    (i,) = ctx.take(1, grades=[5], stage="五四")
    ctx.set(i, 学籍状态="毕业", 毕业日期=pd.Timestamp(ctx.sy, 7, 1))
    ctx.edge("ST-08", i, why="五四制小学五年级毕业")

    # ST-09 — incomplete or contradictory information (one finding per record)
    for change, note in (({"联系电话": None, "成员1联系电话": None}, "缺联系电话"),
                         ({"现住址": None, "成员1姓名": None}, "缺现住址和监护人"),
                         ({"是否留守儿童": "是", "是否进城务工人员随迁子女": "是",
                           "户口所在地": "甘肃省靖川县城关镇"}, "留守儿童与随迁子女同时标记"),
                         ({"是否进城务工人员随迁子女": "是"}, "随迁子女户口在本县")):
        (i,) = ctx.take(1, cond=lambda s: s["是否进城务工人员随迁子女"].eq("否").to_numpy())
        ctx.set(i, **change)
        ctx.find("ST-09", i, note=note)
    (i,) = ctx.take(1, cond=lambda s: s["是否进城务工人员随迁子女"].eq("否").to_numpy())
    ctx.set(i, 是否进城务工人员随迁子女="是", 户口所在地="甘肃省靖川县城关镇")
    ctx.edge("ST-09", i, why="随迁子女户口在外省，信息一致")

    # ST-10 — 随班就读 / 送教上门 without 残疾类型
    for value, kind, fires in (("是", None, True), ("送教上门", None, True),
                               ("随班就读", "肢体残疾", False), ("否", None, False)):
        (i,) = ctx.take(1, grades=range(1, 10))
        ctx.set(i, 随班就读=value, 残疾类型=kind)
        (ctx.find("ST-10", i, note=f"{value}，无残疾类型") if fires else
         ctx.edge("ST-10", i, why=f"{value}，残疾类型「{kind or '无需'}」"))

    # TR-12 — a record created within 12 months outside an entry grade
    twelve = pd.Timestamp(ctx.as_of) - pd.DateOffset(months=12)
    for built, g, fires, note in ((twelve + pd.Timedelta(days=1), 4, True, "12个月内在4年级新建学籍"),
                                  (twelve, 4, False, "建籍恰好12个月前"),
                                  (pd.Timestamp(ctx.sy, 9, 6), 1, False, "起始年级新建学籍")):
        (i,) = ctx.take(1, grades=[g], cond=lambda s: s["_stage"].eq("小学").to_numpy())
        ctx.set(i, 建籍日期=built)
        (ctx.find("TR-12", i, note=note) if fires else ctx.edge("TR-12", i, why=note))
        if g != 1:  # entered years ago, registered only now: late as well
            ctx.find("ST-04", i, note="入学多年后才建立学籍")

    # LX-07 — 休学 / 复学 without 证明材料 (ningxia-xiji); the child is 休学 since this term
    (i,) = ctx.take(1, grades=range(1, 10))
    b = bz.one(ctx, "休学", i, day3, bz.simple(st.at[i, "学校名称"]), [1, 1], proof="无")
    ctx.set(i, 学籍状态="休学", 休学日期=ctx.changes[-1]["办结日期"].iloc[0].normalize())
    ctx.find("LX-07", i, biz=b, profiles=XIJI, note="休学无诊断证明")
    (i,) = ctx.take(1, grades=range(2, 10))
    prev = _previous_term(term)
    first = pd.Timestamp(ctx.first_workdays(prev, 3)[-1]) + pd.Timedelta(hours=9)
    bz.one(ctx, "休学", i, first, bz.simple(st.at[i, "学校名称"]), [1, 1])
    b = bz.one(ctx, "复学", i, day3, bz.simple(st.at[i, "学校名称"]), [1, 1], proof="无")
    ctx.find("LX-07", i, biz=b, profiles=XIJI, note="复学无康复证明")
