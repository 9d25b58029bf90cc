"""Planted transfer cases: TR-02…08, TR-10, TR-11, CH-02, CH-03, AG-02, LX-01, LX-03…06.

Dates are built from the audit date: ``Y`` is the start year of the current school year, so
the summer freeze (Jul 15 – Aug 14) of year Y and the spring term starting Mar 1 of Y lie
before ``as_of``.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from ..terms import is_in_first_workdays
from . import business as bz
from .bulk import _previous_term
from .context import ALL, XIJI, Ctx
from .plant_identity import move
from .plant_status import leave, ts
from .schools import BUREAU

PRIMARY = lambda s: s["_stage"].eq("小学").to_numpy()  # noqa: E731  六三 primary schools only


def other(ctx: Ctx, code: str, grades, exclude=()) -> str:
    """Another 六三 county school serving every grade in ``grades``."""
    s = ctx.schools
    m = (s["学制"] == "六三") & ~s["学校标识码"].isin([code, *exclude])
    m &= s["学校标识码"].isin(ctx.free_schools(grades))
    cand = s.loc[m, "学校标识码"]
    return cand.iloc[int(ctx.rng.integers(0, len(cand)))]


def name_of(ctx: Ctx, code: str) -> str:
    return ctx.school(code)["学校名称"]


def county(ctx: Ctx, i, start, a: str, b: str, g0: int, g1: int | None = None, waits=(1, 1, 1, 1),
           state="核办通过", proof="有") -> str:
    """A 转学 from county school a to county school b."""
    return bz.one(ctx, "转学", i, start, bz.in_county(name_of(ctx, a), name_of(ctx, b)), list(waits),
                  state=state, proof=proof, out_code=a, in_code=b, g0=g0,
                  g1=g0 if g1 is None else g1)


def cross(ctx: Ctx, i, kind: str, start, b: str, g0: int, g1: int, archive=True, proof="有",
          waits=None, state="核办通过", extra=None, xjh=None, name=None) -> str:
    """A cross-province business into county school b (跨省转学 / 毕业后跨省就学)."""
    o = bz.other_school(ctx.rng, g0)
    steps = bz.cross_in(o[0], o[1], o[2], name_of(ctx, b), archive=False)
    steps += extra or []
    steps += [("调档", o[1])] if archive else []
    return bz.one(ctx, kind, i, start, steps, list(waits or [1] * len(steps)), state=state,
                  proof=proof, out_code=o[3], in_code=b, g0=g0, g1=g1, xjh=xjh, name=name)


def out_province(ctx: Ctx, i, start, g: int, archive=True) -> str:
    o = bz.other_school(ctx.rng, g)
    a = ctx.st.at[i, "学校标识码"]
    steps = bz.cross_out(o[0], o[1], o[2], name_of(ctx, a), archive=archive)
    b = bz.one(ctx, "跨省转学", i, start, steps, [1] * len(steps), out_code=a, in_code=o[3],
               g0=g, g1=g)
    ctx.set(i, 学籍状态="转出")
    ctx.find("CH-02", i, kind="allowed", note="已转出外省，登记学校仍为原校：转出记录是否比对转学链未定")
    return b


def wd_back(ctx: Ctx, d: dt.date, n: int) -> dt.date:
    """The working day from which ``d`` is the n-th working day."""
    x = d
    while ctx.cal.workdays_between(x, d) < n or not ctx.cal.is_workday(x):
        x -= dt.timedelta(days=1)
    return x


def plant_transfers(ctx: Ctx) -> None:
    st, Y = ctx.st, ctx.sy
    t0, tp = ctx.term0, _previous_term(ctx.term0)
    day = lambda term, k: ts(ctx.first_workdays(term, k)[-1], 10)  # noqa: E731

    # TR-02 — 在办 more than 90 days
    (i,) = ctx.take(1, grades=[3, 4, 5], cond=PRIMARY)
    g0 = int(st.at[i, "年级"]) - (1 if tp.month == 3 else 0)
    a = st.at[i, "学校标识码"]
    b = county(ctx, i, day(tp, 2), a, other(ctx, a, [g0]), g0, waits=(2, 3, -1), state="在办")
    ctx.find("TR-02", i, biz=b)
    ctx.find("TR-01", i, biz=b, note="转出校审核待办超期")
    for days, fires in ((91, True), (90, False)):
        start = pd.Timestamp(ctx.as_of - dt.timedelta(days=days)) + pd.Timedelta(hours=9)
        if not (8, 15) <= (start.month, start.day) < (12, 15):  # keep TR-04 / TR-07 quiet
            continue
        xjh, nm = "G" + ctx.fresh_id("620421", dt.date(Y - 12, 3, 3), True), "马明轩" if fires else "杨子豪"
        b = cross(ctx, None, "毕业后跨省就学", start, other(ctx, "", [7]), 6, 7, waits=[1, 2, -1],
                  state="在办", xjh=xjh, name=nm)
        ctx.find("TR-01", None, biz=b, xjh=xjh, name=nm, note="转出校审核待办超期（学生尚未入籍）")
        if fires:
            ctx.find("TR-02", None, biz=b, xjh=xjh, name=nm, note="在办91天")
        else:
            ctx.edge("TR-02", None, biz=b, why="在办恰好90天")

    # TR-03 — the summer freeze, both edges
    for when, fires in ((dt.datetime(Y, 7, 15, 0, 0), True), (dt.datetime(Y, 7, 14, 23, 59), False),
                        (dt.datetime(Y, 8, 14, 23, 59), True), (dt.datetime(Y, 8, 15, 0, 0), False),
                        (dt.datetime(Y, 7, 28, 10, 0), True)):
        (i,) = ctx.take(1, grades=[3, 4, 5, 6], cond=PRIMARY)
        g0 = int(st.at[i, "年级"]) - 1
        here = st.at[i, "学校标识码"]
        b = county(ctx, i, when, other(ctx, here, [g0]), here, g0)
        ctx.find("LX-03", i, biz=b, profiles=XIJI, note="暑期发起")
        (ctx.find("TR-03", i, biz=b) if fires else
         ctx.edge("TR-03", i, biz=b, why="冻结期之外（边界时刻）"))

    # TR-04 — 毕业后跨省就学 outside Aug 15–Dec 14 and Mar 1–May 31
    for when, grade, fires in ((dt.datetime(Y, 6, 10, 10), 7, True), (dt.datetime(Y, 6, 1, 0, 0), 7, True),
                               (dt.datetime(Y, 5, 31, 23, 0), 7, False),
                               (dt.datetime(Y, 8, 15, 0, 0), 7, False),
                               (dt.datetime(Y, 8, 10, 10), 7, True),
                               (dt.datetime(Y - 1, 12, 21, 10), 8, True)):
        (i,) = ctx.take(1, grades=[grade])
        b = cross(ctx, i, "毕业后跨省就学", when, st.at[i, "学校标识码"], 6, 7)
        (ctx.find("TR-04", i, biz=b) if fires else
         ctx.edge("TR-04", i, biz=b, why="在允许的时间段内（边界时刻）"))

    # TR-05 — cross-province approvals done, no 调档
    (i,) = ctx.take(1, grades=[3, 4, 5, 8])
    b = cross(ctx, i, "跨省转学", day(t0, 2), st.at[i, "学校标识码"], int(st.at[i, "年级"]),
              int(st.at[i, "年级"]), archive=False)
    ctx.find("TR-05", i, biz=b)
    for n, fires in ((11, True), (10, False)):
        c = wd_back(ctx, ctx.as_of, n)
        start = ts(wd_back(ctx, c, 5), 9)
        if not ((8, 15) <= (start.month, start.day) < (12, 15) or 3 <= start.month <= 5):
            continue
        (i,) = ctx.take(1, grades=[7])
        b = cross(ctx, i, "毕业后跨省就学", start, st.at[i, "学校标识码"], 6, 7, archive=False,
                  waits=[1, 1, 1, 1, 1])
        (ctx.find("TR-05", i, biz=b, note="核办完成11个工作日无调档") if fires else
         ctx.edge("TR-05", i, biz=b, why="核办完成恰好10个工作日，尚未超期"))
    (i,) = ctx.take(1, grades=[3, 4, 5])
    g0 = int(st.at[i, "年级"]) - (1 if tp.month == 3 else 0)
    b = out_province(ctx, i, day(tp, 3), g0, archive=False)
    ctx.find("TR-05", i, biz=b, note="转出外省未调档")
    for i in ctx.take(2, grades=[2, 3, 4, 5, 8]):
        out_province(ctx, i, day(t0, 3), int(st.at[i, "年级"]))

    # TR-06 — transfer while 休学
    for variant in ("rejected", "out", "moved", "edge"):
        (i,) = ctx.take(1, grades=[2, 3, 4, 5], cond=PRIMARY)
        g = int(st.at[i, "年级"])
        a = st.at[i, "学校标识码"]
        if variant == "edge":
            leave(ctx, i, _previous_term(tp))
            bz.one(ctx, "复学", i, day(tp, 4), bz.simple(st.at[i, "学校名称"]), [1, 1])
        else:
            leave(ctx, i, tp)
            ctx.set(i, 学籍状态="休学", 休学日期=ctx.changes[-1]["办结日期"].iloc[0].normalize())
        if variant == "rejected":
            b = county(ctx, i, day(t0, 3), a, other(ctx, a, [g]), g, waits=(1, 1, 1, -2),
                       state="核办不通过")
        elif variant == "out":
            b = out_province(ctx, i, day(t0, 3), g)
        else:
            target = other(ctx, a, [g])
            b = county(ctx, i, day(t0, 3), a, target, g)
            move(ctx, i, target, g)
        if variant == "edge":
            ctx.edge("TR-06", i, biz=b, why="休学后已复学再转学")
        else:
            ctx.find("TR-06", i, biz=b)

    plant_slow_steps(ctx, day)
    plant_archive_and_autumn(ctx, day, tp)
    plant_graduating(ctx, day)
    plant_grades_and_proof(ctx, day, t0)
    plant_chains(ctx, day, t0, tp)
    plant_local(ctx, day, t0)


def _span(ctx: Ctx, count: int, lo: dt.date, hi: dt.date, weekday_differs: bool) -> dt.date | None:
    """A working day a in [lo, hi] with ``count`` working days (vacations excluded) in
    (a, add_workdays(a, count)] whose Mon–Fri count differs (when asked)."""
    d = lo
    while d <= hi:
        if ctx.calv.is_workday(d):
            b = ctx.calv.add_workdays(d, count)
            same = ctx.cal.workdays_between(d, b) == count
            plain = sum(1 for k in range(1, (b - d).days + 1)
                        if (d + dt.timedelta(days=k)).weekday() < 5)
            if same and b < ctx.as_of and (plain != count) == weekday_differs:
                return d
        d += dt.timedelta(days=1)
    return None


def plant_slow_steps(ctx: Ctx, day) -> None:
    """TR-01 on 转学 businesses (RULES.md H: transfers only, 调档 steps are TR-05's): 11 working
    days fires, 10 does not; 调休 and summer spans; a slow 复学 and a slow 调档 stay quiet.
    The county transfers are rejected (核办不通过), so the student stays where they are."""
    st = ctx.st
    lo = ctx.as_of - dt.timedelta(days=330)

    def slow(a, waits_by_step, fires_steps, why=None, state="核办不通过"):
        (i,) = ctx.take(1, grades=[2, 3, 4, 5], cond=PRIMARY)
        g = int(st.at[i, "年级"])
        here = st.at[i, "学校标识码"]
        start = ts(a, 9) if not isinstance(a, pd.Timestamp) else a
        b = county(ctx, i, start, here, other(ctx, here, [g]), g, waits=waits_by_step, state=state)
        for k in fires_steps:
            ctx.find("TR-01", i, biz=b, note=f"第{k + 1}环节超过10个工作日")
        if why:
            ctx.edge("TR-01", i, biz=b, why=why)
        if (7, 15) <= (start.month, start.day) <= (8, 14):
            ctx.find("TR-03", i, biz=b, note="暑期冻结期发起")
        if not is_in_first_workdays(start.date(), 10, ctx.cal):
            ctx.find("LX-03", i, biz=b, profiles=XIJI, note="不在集中办理期发起")
        return i, b

    a = _span(ctx, 30, lo, ctx.as_of, False)
    slow(a, [11, 1], [0])
    slow(a, [10, 1], [], why="环节恰好10个工作日")
    slow(a, [12, 14], [0, 1])
    a = _span(ctx, 10, lo, ctx.as_of, True)
    if a is not None:
        slow(a, [10, 1], [], why="跨调休上班日，按官方日历恰好10个工作日")
    summer = dt.date(ctx.as_of.year if ctx.as_of.month >= 9 else ctx.as_of.year - 1, 7, 10)
    while not ctx.cal.is_workday(summer):
        summer -= dt.timedelta(days=1)
    handled = dt.date(summer.year, 8, 5)
    while not ctx.cal.is_workday(handled):
        handled += dt.timedelta(days=1)
    n = ctx.cal.workdays_between(summer, handled)
    assert ctx.calv.workdays_between(summer, handled) <= 10 < n
    slow(summer, [n, 1], [], why="跨暑假，假期不计，未超10个工作日")
    # a pending transfer whose 转出校 step is overdue
    begin = ctx.as_of - dt.timedelta(days=35)
    while not (ctx.cal.is_workday(begin)
               and ctx.calv.workdays_between(ctx.wd_add(begin, 1), ctx.as_of) >= 15):
        begin -= dt.timedelta(days=1)
    assert ctx.calv.workdays_between(ctx.wd_add(begin, 1), ctx.as_of) > 10
    i, b = slow(begin, [1, -1], [1], state="在办")
    # quiet: a 复学 business is not a transfer; a slow 调档 step is timed by TR-05 alone
    (i,) = ctx.take(1)
    leave(ctx, i, _previous_term(_previous_term(ctx.term0)))
    a = _span(ctx, 30, lo, ctx.as_of, False)
    b = bz.one(ctx, "复学", i, ts(a, 9), bz.simple(st.at[i, "学校名称"]), [12, 1])
    ctx.edge("TR-01", i, biz=b, why="复学业务的环节超期，不属于转学业务，TR-01不计")
    (i,) = ctx.take(1, grades=[3, 4, 5, 8])
    g = int(st.at[i, "年级"])
    b = cross(ctx, i, "跨省转学", day(ctx.term0, 2), st.at[i, "学校标识码"], g, g,
              waits=[1, 1, 1, 1, 1, 12])
    ctx.edge("TR-01", i, biz=b, why="调档环节用时12个工作日，由TR-05计时，TR-01不重复计")


def plant_archive_and_autumn(ctx: Ctx, day, tp) -> None:
    """TR-13 (an autumn 毕业后跨省就学 done after Nov 30) and TR-14 (调档 for a child missing from
    the receiving school's later roster), with their quiet twins."""
    st, Y = ctx.st, ctx.sy
    for start, waits, fires in ((pd.Timestamp(Y - 1, 11, 3, 9), [5, 5, 5, 5, 5, 1], True),
                                (pd.Timestamp(Y - 1, 10, 9, 9), [3, 3, 3, 3, 3, 1], False)):
        (i,) = ctx.take(1, grades=[8], stage="初中")
        b = cross(ctx, i, "毕业后跨省就学", start, st.at[i, "学校标识码"], 6, 7, waits=waits)
        done = ctx.changes[-1]["办结日期"].iloc[0]
        assert (done > pd.Timestamp(Y - 1, 11, 30, 23, 59)) == fires
        (ctx.find("TR-13", i, biz=b, note="秋季申请，11月30日后才办结") if fires else
         ctx.edge("TR-13", i, biz=b, why="秋季申请，11月30日前办结"))
    for on_roster in (False, True):
        (i,) = ctx.take(1, grades=[3, 4, 5], cond=PRIMARY)
        g0 = int(st.at[i, "年级"]) - (1 if tp.month == 3 else 0)
        b = cross(ctx, i, "跨省转学", day(tp, 2), st.at[i, "学校标识码"], g0, g0)
        if on_roster:
            ctx.edge("TR-14", i, biz=b, why="调档后转入学校的在校名单上有该生")
        else:
            ctx.set(i, _off_roster=True)
            ctx.find("TR-14", i, biz=b, note="调档后转入学校的在校名单上没有该生")
            ctx.find("RJ-01", i, note="跨省转入已调档，但不在本校名单上")


def plant_graduating(ctx: Ctx, day) -> None:
    """TR-07: graduating-grade transfers not finished by Jul 30."""
    st = ctx.st
    # the last school year whose Jul 30 is behind as_of; its spring term
    y_end = ctx.as_of.year if ctx.as_of > dt.date(ctx.as_of.year, 8, 6) else ctx.as_of.year - 1
    spring = dt.date(y_end, 3, 1)
    # 原年级 9, finished on Aug 4 (one step sat for months); the student has graduated
    (i,) = ctx.take(1, grades=[9], stage="初中")
    b_code = st.at[i, "学校标识码"]
    a = other(ctx, b_code, [9])
    start = day(spring, 2)
    arrive3 = ctx.wd_add(ctx.wd_add(start.date(), 1), 1)
    end = dt.date(y_end, 8, 4)
    while not ctx.cal.is_workday(end):
        end += dt.timedelta(days=1)
    b = county(ctx, i, start, a, b_code, 9, waits=(1, 1, ctx.cal.workdays_between(arrive3, end), 1))
    ctx.set(i, 学籍状态="毕业", 毕业日期=pd.Timestamp(y_end, 7, 10))
    ctx.find("TR-07", i, biz=b, note="毕业年级转学8月才办结")
    ctx.find("LX-01", i, biz=b, profiles=XIJI, note="毕业年级转学")
    ctx.find("TR-01", i, biz=b, note="转出校审核超期")
    # still 在办: grade 5 from the 五四 school (fires), grade 6 (fires), grade 5 六三 (edge)
    for stage, g, fires in (("五四", 5, True), ("小学", 6, True), ("小学", 5, False)):
        (i,) = ctx.take(1, grades=[g], stage=stage)
        a = st.at[i, "学校标识码"]
        b = county(ctx, i, day(spring, 2), a, other(ctx, a, [g]), g, waits=(1, 2, -1), state="在办")
        ctx.find("TR-02", i, biz=b)
        ctx.find("TR-01", i, biz=b, note="转出校审核待办超期")
        if g == 6:
            ctx.find("LX-01", i, biz=b, profiles=XIJI)
        (ctx.find("TR-07", i, biz=b) if fires else
         ctx.edge("TR-07", i, biz=b, why="六三制五年级不是毕业年级"))


def plant_grades_and_proof(ctx: Ctx, day, t0) -> None:
    st = ctx.st
    # TR-08 — grade changed across school systems
    for g0, g1, approved in ((3, 2, False), (4, 5, False), (3, 2, True)):
        (i,) = ctx.take(1, grades=[g1], cond=PRIMARY)
        extra = [("年级变更审批", BUREAU)] if approved else None
        b = cross(ctx, i, "跨省转学", day(t0, 2), st.at[i, "学校标识码"], g0, g1, extra=extra)
        (ctx.edge("TR-08", i, biz=b, why="有年级变更审批（通过）") if approved else
         ctx.find("TR-08", i, biz=b, note=f"原{g0}年级转入{g1}年级"))
    (i,) = ctx.take(1, grades=[6], cond=PRIMARY)
    b = cross(ctx, i, "毕业后跨省就学", day(t0, 2), st.at[i, "学校标识码"], 6, 6)
    ctx.find("TR-08", i, biz=b, note="毕业后跨省就学应升入7年级")
    # RULES.md H: an in-province transfer between 六三 schools is not judged by TR-08
    (i,) = ctx.take(1, grades=[2], cond=PRIMARY)
    here = st.at[i, "学校标识码"]
    b = county(ctx, i, day(t0, 2), other(ctx, here, [3]), here, 3, 2)
    ctx.edge("TR-08", i, biz=b, why="省内同为六三制学校间转学，年级变化不属TR-08")
    # AG-02 — under-age cross-province entry into grade 1 (LX-01 co-fires)
    for birth, fires in ((dt.date(ctx.sy - 6, 10, 5), True), (dt.date(ctx.sy - 5, 1, 15), True),
                         (dt.date(ctx.sy - 6, 8, 31), False)):
        (i,) = ctx.take(1, grades=[1])
        new = ctx.fresh_id(st.at[i, "身份证件号"][:6], birth, st.at[i, "性别"] == "男")
        ctx.set(i, 出生日期=pd.Timestamp(birth), 身份证件号=new, 学籍号="G" + new)
        b = cross(ctx, i, "跨省转学", day(t0, 2), st.at[i, "学校标识码"], 1, 1)
        ctx.find("LX-01", i, biz=b, profiles=XIJI, note="一年级转学")
        (ctx.find("AG-02", i, biz=b) if fires else
         ctx.edge("AG-02", i, biz=b, why="8月31日满6周岁"))
    # RULES.md H: from Aug 11 (after the 升级) a business belongs to the new school year
    (i,) = ctx.take(1, grades=[1])
    birth = dt.date(ctx.sy - 6, 8, 31)
    new = ctx.fresh_id(st.at[i, "身份证件号"][:6], birth, st.at[i, "性别"] == "男")
    ctx.set(i, 出生日期=pd.Timestamp(birth), 身份证件号=new, 学籍号="G" + new)
    b = cross(ctx, i, "跨省转学", pd.Timestamp(ctx.sy, 8, 11, 10), st.at[i, "学校标识码"], 1, 1)
    ctx.edge("AG-02", i, biz=b, why="8月11日（升级后）发起，按新学年8月31日已满6周岁")
    ctx.find("TR-03", i, biz=b, note="暑期冻结期发起")
    ctx.find("LX-01", i, biz=b, profiles=XIJI, note="一年级转学")
    ctx.find("LX-03", i, biz=b, profiles=XIJI, note="暑期发起")
    # TR-11 — no proof of the reason
    for kind in ("转学", "转学", "跨省转学", "毕业后跨省就学"):
        grades = [7] if kind == "毕业后跨省就学" else [2, 3, 4, 5]
        (i,) = ctx.take(1, grades=grades, cond=PRIMARY if kind == "转学" else None)
        g = int(st.at[i, "年级"])
        here = st.at[i, "学校标识码"]
        if kind == "转学":
            b = county(ctx, i, day(t0, 4), other(ctx, here, [g]), here, g, proof="无")
        else:
            b = cross(ctx, i, kind, day(t0, 4), here, g - 1 if g == 7 else g, g, proof="无")
        (ctx.edge("TR-11", i, biz=b, why="毕业后跨省就学不要求转学原因证明") if kind == "毕业后跨省就学"
         else ctx.find("TR-11", i, biz=b))
    # TR-10 / LX-05 / LX-06 — modifications of 姓名 and 身份证件号
    def mod(i, item, proof, days):
        r = st.loc[i]
        birth = pd.Timestamp(r["出生日期"])
        old = {"姓名": r["姓名"] + "儿",
               "身份证件号": ctx.fresh_id(r["身份证件号"][:6], r["出生日期"], r["性别"] == "男"),
               "民族": "汉族" if r["民族"] != "汉族" else "回族",
               "性别": "女" if r["性别"] == "男" else "男",
               "出生日期": (birth + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
               "现住址": "西吉县吉强镇旧址"}[item]
        new = birth.strftime("%Y-%m-%d") if item == "出生日期" else (
            "西吉县吉强镇新址" if item == "现住址" else r[item])
        ctx.mods.append({"学籍号": r["学籍号"], "变更项目": item, "原值": old, "新值": new,
                         "变更日期": pd.Timestamp(ctx.as_of - dt.timedelta(days=days)), "证明材料": proof})

    # RULES.md H: 性别, 出生日期 and 民族 need 证明材料 too; 现住址 does not
    plans = (((("姓名", "无"),), ["TR-10"]), ((("身份证件号", "无"),), ["TR-10"]),
             ((("姓名", "无"), ("姓名", "无")), ["TR-10", "TR-10"]),
             ((("民族", "无"),), ["TR-10"]), ((("性别", "无"),), ["TR-10"]),
             ((("出生日期", "无"),), ["TR-10"]), ((("现住址", "无"),), []),
             ((("身份证件号", "有"), ("身份证件号", "有")), ["LX-05"]),
             ((("身份证件号", "有"), ("身份证件号", "有"), ("姓名", "有")), ["LX-05", "LX-06"]),
             ((("姓名", "有"), ("身份证件号", "有")), ["LX-06"]),
             ((("姓名", "有"), ("姓名", "有")), []))
    for items, rules in plans:
        (i,) = ctx.take(1)
        for k, (item, proof) in enumerate(items):
            mod(i, item, proof, 100 + 50 * k)
        for r in rules:
            ctx.find(r, i, profiles=XIJI if r.startswith("LX") else ALL)
        if not rules:
            ctx.edge("TR-10" if items[0][0] == "现住址" else "LX-06", i,
                     profiles=ALL if items[0][0] == "现住址" else XIJI,
                     why="现住址变更不需证明材料" if items[0][0] == "现住址" else "只改姓名两次")


def plant_chains(ctx: Ctx, day, t0, tp) -> None:
    """CH-02 (chain ends elsewhere) and CH-03 (A→B→A within 180 days, 3 in 365 days)."""
    st = ctx.st
    (i,) = ctx.take(1, grades=[2, 3, 4, 5], cond=PRIMARY)
    a = st.at[i, "学校标识码"]
    g = int(st.at[i, "年级"])
    county(ctx, i, day(t0, 3), a, other(ctx, a, [g]), g)
    ctx.find("CH-02", i, note="已转出但登记仍在原校")
    (i,) = ctx.take(1, grades=[3, 4, 5], cond=PRIMARY)
    a, g = st.at[i, "学校标识码"], int(st.at[i, "年级"])
    b_code = other(ctx, a, [g - 1, g])
    county(ctx, i, day(tp, 3), a, b_code, g - (1 if tp.month == 3 else 0))
    county(ctx, i, day(t0, 3), b_code, other(ctx, b_code, [g], exclude=[a]), g)
    move(ctx, i, b_code, g)
    ctx.find("CH-02", i, note="登记学校是转学链中间一站")
    # A→B→A
    for first, back_days in ((day(tp, 2), 70), (day(t0, 2), 40)):
        (i,) = ctx.take(1, grades=[3, 4, 5], cond=PRIMARY)
        a, g = st.at[i, "学校标识码"], int(st.at[i, "年级"])
        g0 = g - (1 if first.month == 3 else 0)
        b_code = other(ctx, a, [g0])
        county(ctx, i, first, a, b_code, g0)
        back = (first + pd.Timedelta(days=back_days)).date()
        while not ctx.cal.is_workday(back):
            back += dt.timedelta(days=1)
        ret = county(ctx, i, ts(back, 11), b_code, a, g0)
        ctx.find("CH-03", i, biz=ret, note="往返转学")
        ctx.find("LX-03", i, biz=ret, profiles=XIJI)
    # three transfers within 365 days, and a return after about a year (edge)
    (i,) = ctx.take(1, grades=[3, 4, 5], cond=PRIMARY)
    a, g = st.at[i, "学校标识码"], int(st.at[i, "年级"])
    tpp = _previous_term(tp)
    g_old = g - 1
    b1 = other(ctx, a, [g_old, g])
    c1 = other(ctx, b1, [g_old, g], exclude=[a])
    d1 = other(ctx, c1, [g], exclude=[a, b1])
    county(ctx, i, day(tpp, 8), a, b1, g_old)  # 8th working day: the third leg is < 365 days on
    county(ctx, i, day(tp, 2), b1, c1, g_old)
    third = county(ctx, i, day(t0, 2), c1, d1, g)
    move(ctx, i, d1, g)
    ctx.find("CH-03", i, biz=third, note="365天内第3次转学")
    (i,) = ctx.take(1, grades=[3, 4, 5], cond=PRIMARY)
    a, g = st.at[i, "学校标识码"], int(st.at[i, "年级"])
    b_code = other(ctx, a, [g - 1, g])
    county(ctx, i, day(_previous_term(tp), 2), a, b_code, g - 1)
    ret = county(ctx, i, day(t0, 2), b_code, a, g)
    ctx.edge("CH-03", i, biz=ret, why="一年后才转回原校")


def plant_local(ctx: Ctx, day, t0) -> None:
    """LX-01 (entry grades), LX-03 (first 10 working days), LX-04 (first 14 days)."""
    st = ctx.st
    for g, kind in ((7, "转学"), (1, "转学"), (10, "跨省转学")):
        (i,) = ctx.take(1, grades=[g], cond=lambda s: s["_stage"].ne("五四").to_numpy())
        here = st.at[i, "学校标识码"]
        b = (county(ctx, i, day(t0, 3), other(ctx, here, [g]), here, g) if kind == "转学"
             else cross(ctx, i, kind, day(t0, 3), here, g, g))
        ctx.find("LX-01", i, biz=b, profiles=XIJI, note="起始年级转学")
    ten = ctx.first_workdays(t0, 11)
    late = ctx.wd_add(ten[-1], 20)
    for when, fires in ((ten[9], False), (ten[10], True), (late, True)):
        (i,) = ctx.take(1, grades=[2, 3, 4, 5], cond=PRIMARY)
        here, g = st.at[i, "学校标识码"], int(st.at[i, "年级"])
        b = county(ctx, i, ts(when, 15), other(ctx, here, [g]), here, g)
        (ctx.find("LX-03", i, biz=b, profiles=XIJI) if fires else
         ctx.edge("LX-03", i, biz=b, profiles=XIJI, why="学期第10个工作日发起"))
    for offset, fires in ((13, False), (14, True), (49, True)):
        (i,) = ctx.take(1, grades=range(1, 12))
        when = ctx.term0 + dt.timedelta(days=offset)
        b = bz.one(ctx, "休学", i, ts(when, 10), bz.simple(st.at[i, "学校名称"]), [1, 1])
        ctx.set(i, 学籍状态="休学", 休学日期=ctx.changes[-1]["办结日期"].iloc[0].normalize())
        (ctx.find("LX-04", i, biz=b, profiles=XIJI) if fires else
         ctx.edge("LX-04", i, biz=b, profiles=XIJI, why="学期第14天发起"))
