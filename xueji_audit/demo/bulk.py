"""The clean background of the county: transfers, 休学/复学, deaths, graduates, modifications.

Everything here is clean under every profile: transfers start within the first 8 working days
of a term, in a non-entry non-graduating grade (2, 3, 4, 5, 8, 11 — none from the 五四 school),
with proof, steps of at most 5 working days and a timely 调档; 休学 starts within the first 10
days of a term; deaths are deregistered within 8 working days.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from . import business as bz
from .context import Ctx

TRANSFER_GRADES = (2, 3, 4, 5, 8, 11)


def _waits(ctx: Ctx, n: int, k: int, hi: int = 5) -> np.ndarray:
    return ctx.rng.integers(0, hi + 1, (n, k))


def _pick(ctx: Ctx, frac: float, minimum: int, **kw) -> list[int]:
    n = max(minimum, int(len(ctx.st) * frac))
    return ctx.take(n, **kw)


def transfers(ctx: Ctx) -> None:
    """In-county and cross-province transfers into the students' current schools."""
    st, sch = ctx.st, ctx.schools
    days = ctx.first_workdays(ctx.term0, 8)
    idx = _pick(ctx, 0.015, 5, grades=TRANSFER_GRADES, cond=lambda s: s["_stage"].ne("五四").to_numpy())
    # the 转出 school: another county school serving the grade (not the 五四 school)
    by_grade = {g: sch.loc[(sch["_lo"] <= g) & (sch["_hi"] >= g) & (sch["学制"] == "六三"),
                           "学校标识码"].tolist() for g in TRANSFER_GRADES}
    out_codes = []
    for g, here, r in zip(st.loc[idx, "年级"], st.loc[idx, "学校标识码"], ctx.rng.random(len(idx)),
                          strict=True):
        cand = [c for c in by_grade[int(g)] if c != here]
        out_codes.append(cand[int(r * len(cand))])
    names = sch.set_index("学校标识码")["学校名称"]
    info = pd.DataFrame({"学籍号": st.loc[idx, "学籍号"].to_numpy(), "姓名": st.loc[idx, "姓名"].to_numpy(),
                         "转出学校标识码": out_codes, "转入学校标识码": st.loc[idx, "学校标识码"].to_numpy(),
                         "原年级": st.loc[idx, "年级"].astype("Int64").to_numpy(),
                         "转入年级": st.loc[idx, "年级"].astype("Int64").to_numpy(),
                         "发起日期": bz.start_times(ctx, days, len(idx))})
    steps = [bz.in_county(names[o], names[c]) for o, c in
             zip(out_codes, info["转入学校标识码"], strict=True)]
    bz.add_businesses(ctx, "转学", info, steps, _waits(ctx, len(idx), 4), "核办通过")

    idx = _pick(ctx, 0.004, 3, grades=TRANSFER_GRADES)
    others = [bz.other_school(ctx.rng, int(st.at[i, "年级"])) for i in idx]
    info = pd.DataFrame({"学籍号": st.loc[idx, "学籍号"].to_numpy(), "姓名": st.loc[idx, "姓名"].to_numpy(),
                         "转出学校标识码": [o[3] for o in others],
                         "转入学校标识码": st.loc[idx, "学校标识码"].to_numpy(),
                         "原年级": st.loc[idx, "年级"].astype("Int64").to_numpy(),
                         "转入年级": st.loc[idx, "年级"].astype("Int64").to_numpy(),
                         "发起日期": bz.start_times(ctx, days, len(idx))})
    steps = [bz.cross_in(o[0], o[1], o[2], st.at[i, "学校名称"]) for o, i in zip(others, idx, strict=True)]
    bz.add_businesses(ctx, "跨省转学", info, steps, _waits(ctx, len(idx), 6), "核办通过")

    if ctx.term0.month == 9:  # entrants after graduating elsewhere (window Aug 15 – Dec 14)
        idx = _pick(ctx, 0.002, 2, grades=(7, 10))
        others = [bz.other_school(ctx.rng, 6) for _ in idx]
        g1 = st.loc[idx, "年级"].astype("Int64").to_numpy()
        info = pd.DataFrame({"学籍号": st.loc[idx, "学籍号"].to_numpy(), "姓名": st.loc[idx, "姓名"].to_numpy(),
                             "转出学校标识码": [o[3] for o in others],
                             "转入学校标识码": st.loc[idx, "学校标识码"].to_numpy(),
                             "原年级": g1 - 1, "转入年级": g1,
                             "发起日期": bz.start_times(ctx, days, len(idx))})
        steps = [bz.cross_in(o[0], o[1], o[2], st.at[i, "学校名称"]) for o, i in
                 zip(others, idx, strict=True)]
        bz.add_businesses(ctx, "毕业后跨省就学", info, steps, _waits(ctx, len(idx), 6), "核办通过")


def pending_entrants(ctx: Ctx) -> None:
    """毕业后跨省就学 still 在办 at as_of: the child is not in the county register yet."""
    last = [ctx.as_of - dt.timedelta(days=k) for k in range(1, 12)]
    last = [d for d in last if ctx.cal.is_workday(d) and ctx.cal.workdays_between(d, ctx.as_of) <= 6
            and ((8, 15) <= (d.month, d.day) < (12, 15) or 3 <= d.month <= 5)]
    if not last:
        return
    from .people import birth_for_grade
    n = max(2, len(ctx.st) // 5000)
    rng = ctx.rng
    for _ in range(n):
        o = bz.other_school(rng, 6)
        birth = birth_for_grade(rng, np.array([7]), ctx.sy)
        male = bool(rng.random() < 0.5)
        pid = ctx.fresh_id("620421", birth[0], male)  # never a registered child's ID
        target = ctx.schools[ctx.schools["_lo"] == 7].iloc[0]
        when = pd.Timestamp(last[int(rng.integers(0, len(last)))]) + pd.Timedelta(hours=10)
        bz.one(ctx, "毕业后跨省就学", None, when, bz.cross_in(o[0], o[1], o[2], target["学校名称"]),
               [1, -1], state="在办", out_code=o[3], in_code=target["学校标识码"], g0=6, g1=7,
               xjh="G" + pid, name="马" + ("浩然" if male else "雨涵"))


def leaves(ctx: Ctx) -> None:
    """休学 now (status 休学), 休学 then 复学 (status 在校), deaths, graduates."""
    st = ctx.st
    term = ctx.term0 if (ctx.as_of - ctx.term0).days >= 25 else _previous_term(ctx.term0)
    days = [d for d in ctx.first_workdays(term, 8) if (d - term).days < 10]
    idx = _pick(ctx, 0.003, 3, grades=range(1, 12))
    info = _info(st, idx, bz.start_times(ctx, days, len(idx)))
    ids = bz.add_businesses(ctx, "休学", info, [bz.simple(st.at[i, "学校名称"]) for i in idx],
                            _waits(ctx, len(idx), 2), "核办通过")
    done = _done(ctx, ids)
    for i, b in zip(idx, ids, strict=True):
        ctx.set(i, 学籍状态="休学", 休学日期=done[b].normalize())

    prev = _previous_term(_previous_term(term))
    idx = _pick(ctx, 0.001, 2, grades=range(2, 12))
    pdays = [d for d in ctx.first_workdays(prev, 8) if (d - prev).days < 10]
    info = _info(st, idx, bz.start_times(ctx, pdays, len(idx)))
    bz.add_businesses(ctx, "休学", info, [bz.simple(st.at[i, "学校名称"]) for i in idx],
                      _waits(ctx, len(idx), 2), "核办通过")
    back = [d for d in ctx.first_workdays(_previous_term(term), 15)]
    info = _info(st, idx, bz.start_times(ctx, back, len(idx)))
    bz.add_businesses(ctx, "复学", info, [bz.simple(st.at[i, "学校名称"]) for i in idx],
                      _waits(ctx, len(idx), 2), "核办通过")

    idx = _pick(ctx, 0.0001, 2, grades=range(1, 13))
    for i in idx:
        death = ctx.as_of - dt.timedelta(days=int(ctx.rng.integers(40, 300)))
        begin = ctx.wd_add(death, 2)
        bz.one(ctx, "死亡", i, pd.Timestamp(begin) + pd.Timedelta(hours=9),
                   bz.simple(st.at[i, "学校名称"]), [2, 3])
        ctx.set(i, 学籍状态="死亡", 死亡日期=pd.Timestamp(death))


def _previous_term(t: dt.date) -> dt.date:
    return dt.date(t.year, 3, 1) if t.month == 9 else dt.date(t.year - 1, 9, 1)


def _info(st: pd.DataFrame, idx, start) -> pd.DataFrame:
    return pd.DataFrame({"学籍号": st.loc[idx, "学籍号"].to_numpy(), "姓名": st.loc[idx, "姓名"].to_numpy(),
                         "发起日期": start})


def _done(ctx: Ctx, ids: list[str]) -> pd.Series:
    ch = ctx.changes[-1]
    return ch.set_index("业务编号")["办结日期"].loc[ids]


def modifications(ctx: Ctx) -> None:
    """Recorded changes of 姓名 (曾用名 kept), 身份证件号 (at most one), 民族 — all with proof."""
    st, rng = ctx.st, ctx.rng
    idx = _pick(ctx, 0.01, 6)
    when = pd.Timestamp(ctx.as_of) - pd.to_timedelta(rng.integers(30, 700, len(idx)), unit="D")
    kinds = rng.choice(["姓名", "身份证件号", "民族"], size=len(idx), p=[0.6, 0.25, 0.15])
    records = st.loc[idx].to_dict("records")
    for i, k, w, r in zip(idx, kinds, when, records, strict=True):
        if k == "姓名":
            old = r["姓名"][0] + ("小" if len(r["姓名"]) == 2 else "") + r["姓名"][1:] if "·" not in r["姓名"] else r["姓名"] + "江"
            old = old if old != r["姓名"] else r["姓名"] + "儿"
            ctx.st.at[i, "曾用名"] = old
            ctx.mods.append({"学籍号": r["学籍号"], "变更项目": "姓名", "原值": old, "新值": r["姓名"],
                             "变更日期": pd.Timestamp(w).normalize(), "证明材料": "有"})
        elif k == "身份证件号":
            old = r["身份证件号"][:14] + f"{(int(r['身份证件号'][14:16]) + 37) % 100:02d}" + r["身份证件号"][16:]
            ctx.mods.append({"学籍号": r["学籍号"], "变更项目": "身份证件号", "原值": old,
                             "新值": r["身份证件号"], "变更日期": pd.Timestamp(w).normalize(),
                             "证明材料": "有"})
        else:
            new = "汉族" if r["民族"] != "汉族" else "回族"
            ctx.mods.append({"学籍号": r["学籍号"], "变更项目": "民族", "原值": new, "新值": r["民族"],
                             "变更日期": pd.Timestamp(w).normalize(), "证明材料": "有"})
