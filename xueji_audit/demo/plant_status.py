"""Planted status and record-keeping cases: ST-01…05, AG-01, CH-04 and TR-09.

Businesses used here are 休学 / 复学 / 死亡 / 毕业回退 (two steps: 学校审核, 县级核办), so no
transfer rule can fire on them.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from . import business as bz
from .bulk import _previous_term
from .context import ALL, N2013, Ctx
from .people import birth_for_grade

N2025 = "national-2025;ningxia-xiji"


def ts(d, h: int = 9, m: int = 0) -> pd.Timestamp:
    return pd.Timestamp(d) + pd.Timedelta(hours=h, minutes=m)


def _term_day(ctx: Ctx, term: dt.date, k: int = 1) -> dt.date:
    """The k-th working day of a term (within its first 14 days)."""
    return ctx.first_workdays(term, k)[-1]


def leave(ctx: Ctx, i, term: dt.date, k: int = 2, state="核办通过") -> str:
    """A 休学 business started on the k-th working day of ``term``."""
    return bz.one(ctx, "休学", i, ts(_term_day(ctx, term, k)), bz.simple(ctx.st.at[i, "学校名称"]),
                  [1, 2], state=state)


def plant_status(ctx: Ctx) -> None:
    st = ctx.st
    for status, g, fires in (("退学", 8, True), ("开除", 5, True), ("退学", 3, True), ("退学", 11, False)):
        (i,) = ctx.take(1, grades=[g])
        ctx.set(i, 学籍状态=status)
        if fires:
            ctx.find("ST-01", i, note=f"义务教育阶段{status}")
        else:
            ctx.edge("ST-01", i, why="高中阶段退学，不属于义务教育")
    # RULES.md H: a 退学 business of a grade 1–9 student, whatever the current status
    (i,) = ctx.take(1, grades=[4])
    bz.one(ctx, "退学", i, ts(_term_day(ctx, ctx.term0, 3)), bz.simple(st.at[i, "学校名称"]), [1, 1],
           state="核办不通过")
    ctx.find("ST-01", i, note="义务教育阶段申请退学（未通过，仍在校）")
    (i,) = ctx.take(1, grades=[7])
    bz.one(ctx, "退学", i, ts(_term_day(ctx, ctx.term0, 3)), bz.simple(st.at[i, "学校名称"]), [1, -1],
           state="撤销")
    ctx.edge("ST-01", i, why="退学业务已撤销")

    # ST-02 — 休学 longer than a year (休学日期, else the 休学 business's 办结日期)
    one_year = pd.Timestamp(ctx.as_of) - pd.DateOffset(years=1)
    t1 = ctx.term0
    while pd.Timestamp(t1) + pd.DateOffset(years=1) >= pd.Timestamp(ctx.as_of) - pd.Timedelta(days=20):
        t1 = _previous_term(t1)
    exact = one_year + pd.DateOffset(years=1) == pd.Timestamp(ctx.as_of)  # not Feb 29
    for use_date, fires in ((True, True), (False, True), ("edge", False)):
        if not (fires or exact):
            continue
        (i,) = ctx.take(1, grades=range(1, 12))
        term = t1 if use_date is not False else _previous_term(t1)
        b = leave(ctx, i, term)
        done = ctx.changes[-1]["办结日期"].iloc[0].normalize()
        start = {True: done, False: pd.NaT, "edge": one_year}[use_date]
        ctx.set(i, 学籍状态="休学", 休学日期=start)
        if fires:
            ctx.find("ST-02", i, profiles=N2025, note="休学超过1年未复学")
        else:
            ctx.edge("ST-02", i, biz=b, why="休学日期恰好在1年前，未超期")
    # a renewal (休学 applied for again after the leave began) starts a new year
    recent = ctx.term0 if _term_day(ctx, ctx.term0, 3) < ctx.as_of else _previous_term(ctx.term0)
    for renewed_in, fires in ((recent, False), (t1, True)):
        (i,) = ctx.take(1, grades=range(1, 12))
        leave(ctx, i, _previous_term(_previous_term(renewed_in)))
        ctx.set(i, 学籍状态="休学", 休学日期=ctx.changes[-1]["办结日期"].iloc[0].normalize())
        b = leave(ctx, i, renewed_in)
        if fires:
            ctx.find("ST-02", i, profiles=N2025, note="续办休学后超过1年未复学")
        else:
            ctx.edge("ST-02", i, biz=b, why="休学已满1年但已续办休学，续休未满1年")

    # ST-03 — death deregistration (60 working days; 10 under national-2013)
    # RULES.md H: the school's report (the business's 发起日期) is timed, not its 办结日期
    def death(d, begin_wd, profiles, edge_profiles=None, note=""):
        (i,) = ctx.take(1)
        ctx.set(i, 学籍状态="死亡", 死亡日期=pd.Timestamp(d))
        b = ""
        if begin_wd is not None:
            b = bz.one(ctx, "死亡", i, ts(ctx.wd_add(d, begin_wd), 10), bz.simple(st.at[i, "学校名称"]),
                       [1, 2])
        if profiles:
            ctx.find("ST-03", i, profiles=profiles, note=note)
        if edge_profiles:
            ctx.edge("ST-03", i, biz=b, profiles=edge_profiles, why=note + "（按日期比较，未超期）")

    base = ctx.as_of - dt.timedelta(days=200)
    death(base, 67, ALL, note="死亡后第67个工作日才上报注销")
    death(base - dt.timedelta(days=9), 25, N2013, note="第25个工作日上报，仅超10个工作日时限")
    death(base - dt.timedelta(days=21), 60, N2013, N2025, note="恰好第60个工作日上报")
    death(base - dt.timedelta(days=27), 58, N2013, N2025, note="第58个工作日上报、第61个工作日才办结")
    death(base - dt.timedelta(days=33), 10, None, ALL, note="恰好第10个工作日上报")
    death(base - dt.timedelta(days=40), None, ALL, note="无死亡注销业务")
    d = ctx.as_of - dt.timedelta(days=30)
    assert 10 < ctx.cal.workdays_between(d, ctx.as_of) <= 60
    death(d, None, N2013, note="无死亡注销业务，已过10个工作日")

    # ST-04 — 建籍日期 later than 入学 + 2 months (1 under national-2013)
    entry = pd.Timestamp(ctx.sy - 1, 9, 1)
    for built, fires, edge_p, note in (
            (pd.Timestamp(ctx.sy - 1, 12, 15), ALL, None, "入学三个半月后建籍"),
            (pd.Timestamp(ctx.sy - 1, 10, 20), N2013, N2025, "入学一个半月后建籍"),
            (pd.Timestamp(ctx.sy - 1, 11, 1), N2013, N2025, "恰好入学2个月后建籍"),
            (pd.Timestamp(ctx.sy - 1, 10, 1), None, ALL, "恰好入学1个月后建籍")):
        (i,) = ctx.take(1, grades=[2], cond=lambda s: s["_stage"].isin(["小学", "五四"]).to_numpy())
        ctx.set(i, 入学年月=entry, 建籍日期=built)
        if fires:
            ctx.find("ST-04", i, profiles=fires, note=note)
        if edge_p:
            ctx.edge("ST-04", i, profiles=edge_p, why=note + "，未超期")

    # ST-05 — not verified during the last term that has ended (RULES.md H)
    t0, tp = pd.Timestamp(ctx.term0), pd.Timestamp(_previous_term(ctx.term0))
    for value, fires, why in ((tp - pd.DateOffset(months=5), True, ""), (pd.NaT, True, ""),
                              (tp - pd.Timedelta(days=1), True, ""),
                              (tp, False, "上一学期第一天核查过"),
                              (t0 - pd.Timedelta(days=1), False, "上一学期最后一天核查过，本学期尚未结束")):
        (i,) = ctx.take(1)
        ctx.set(i, 最后核查日期=value)
        (ctx.find("ST-05", i) if fires else ctx.edge("ST-05", i, why=why))

    # AG-01 — age and grade two or more apart (new IDs keep ID-02 quiet)
    def reborn(i, birth):
        new = ctx.fresh_id(st.at[i, "身份证件号"][:6], birth, st.at[i, "性别"] == "男")
        ctx.set(i, 出生日期=pd.Timestamp(birth), 身份证件号=new, 学籍号="G" + new)

    for g, as_grade in ((3, 5), (6, 3), (8, 5)):
        (i,) = ctx.take(1, grades=[g])
        reborn(i, birth_for_grade(ctx.rng, [as_grade], ctx.sy)[0])
        ctx.find("AG-01", i, note=f"{g}年级，按年龄应在{as_grade}年级")
    (i,) = ctx.take(1, grades=[3], cond=lambda s: s["_stage"].ne("五四").to_numpy())
    reborn(i, dt.date(ctx.sy - 10, 8, 31))
    ctx.find("AG-01", i, note="8月31日出生，应高两个年级")
    (i,) = ctx.take(1, grades=[3], cond=lambda s: s["_stage"].ne("五四").to_numpy())
    reborn(i, dt.date(ctx.sy - 10, 9, 1))
    ctx.edge("AG-01", i, why="9月1日出生，只差一个年级")

    # CH-04 — status against the latest completed business
    term = ctx.term0 if (ctx.as_of - ctx.term0).days >= 25 else _previous_term(ctx.term0)
    (i,) = ctx.take(1)
    leave(ctx, i, term)
    ctx.find("CH-04", i, note="休学已核办但仍为在校")
    (i,) = ctx.take(1)
    bz.one(ctx, "复学", i, ts(_term_day(ctx, term, 3)), bz.simple(st.at[i, "学校名称"]), [1, 1])
    ctx.find("CH-04", i, note="复学前无休学")
    while True:
        (i,) = ctx.take(1)
        from .plant_identity import unique_name_at

        if unique_name_at(ctx, st.at[i, "姓名"], st.at[i, "性别"], st.at[i, "学校标识码"], skip=[i]):
            break
    bz.one(ctx, "死亡", i, ts(_term_day(ctx, term, 4)), bz.simple(st.at[i, "学校名称"]), [1, 2])
    ctx.set(i, _off_roster=True)
    ctx.find("CH-04", i, note="死亡已核办但仍为在校")
    ctx.find("RJ-01", i, note="已死亡，不在名单")
    (i,) = ctx.take(1)
    ctx.set(i, 学籍状态="转出")
    ctx.find("CH-04", i, note="转出但无任何异动记录")
    (i,) = ctx.take(1)
    leave(ctx, i, _previous_term(_previous_term(term)))
    bz.one(ctx, "复学", i, ts(_term_day(ctx, _previous_term(term), 5)), bz.simple(st.at[i, "学校名称"]), [1, 1])
    ctx.edge("CH-04", i, why="休学后已复学，在校一致")

    plant_rollbacks(ctx)
    from .plant_records import plant_records  # noqa: PLC0415  (it uses this module's helpers)

    plant_records(ctx)


def plant_rollbacks(ctx: Ctx) -> None:
    """TR-09: 毕业回退 more than 6 months after 毕业日期 (rejected, so status stays 毕业)."""
    grad = dt.date(ctx.sy - 1, 7, 8)
    while not ctx.cal.is_workday((pd.Timestamp(grad) + pd.DateOffset(months=6)).date()):
        grad += dt.timedelta(days=1)
    six = pd.Timestamp(grad) + pd.DateOffset(months=6)
    for start, fires in ((six + pd.Timedelta(days=1, hours=9), True),
                         (six + pd.DateOffset(months=4) + pd.Timedelta(hours=10), True),
                         (six, False)):
        while not ctx.cal.is_workday(start.date()):
            start += pd.Timedelta(days=1)
        (i,) = ctx.take(1, grades=[9])
        ctx.set(i, 学籍状态="毕业", 毕业日期=pd.Timestamp(grad))
        b = bz.one(ctx, "毕业回退", i, start, bz.simple(ctx.st.at[i, "学校名称"]), [1, 1],
                   state="核办不通过")
        if fires:
            ctx.find("TR-09", i, biz=b, note="毕业超过6个月后申请回退")
        else:
            ctx.edge("TR-09", i, biz=b, why="恰好毕业6个月时（0点）申请回退")
