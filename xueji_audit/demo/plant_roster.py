"""Class sizes (CL-01/02, LX-02), 人籍一致 (RJ-01…04), roster variants, and the rosters.

Big classes are chosen first and fully reserved, so nothing else planted lands in them and
their register and roster counts stay exact. Planted roster cases use names that no other
record of the school shares, even as a homophone.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import names as nm
from .context import XIJI, Ctx
from .people import draw_students
from .plant_identity import unique_name_at

BIG = ((56, "CL-01", True), (60, "CL-01", True), (66, "CL-02", False), (70, "CL-02", True),
       (55, None, True))
RARE_SURNAMES = ("祁", "栾", "冼", "甄")
RARE_GIVEN = ("翊骁", "芮汐", "珩瑜", "骞", "沅芷")


def plant_classes(ctx: Ctx) -> None:
    """Grow some classes to 55–70 students (and one at a roster-less school to 58)."""
    st, s = ctx.st, ctx.schools
    ctx.big = set()
    cells = (st[st["年级"].isin([2, 3, 4, 5]) & st["_stage"].eq("小学")]
             .groupby(["学校标识码", "班级"], observed=True).size())
    rosterless = set(s.loc[~s["_roster"], "学校标识码"])
    plans = [(size, rule, link, True) for size, rule, link in BIG] + [(58, "CL-01", False, False)]
    used_schools = set()
    batches = []
    for size, rule, link, roster in plans:
        pool = [k for k in cells.index if (k[0] in rosterless) != roster and k[0] not in used_schools]
        if not roster:
            rl = (st[st["年级"].isin([2, 3, 4, 5]) & st["学校标识码"].isin(rosterless)]
                  .groupby(["学校标识码", "班级"], observed=True).size())
            pool = list(rl.index)
        school, klass = pool[int(ctx.rng.integers(0, len(pool)))]
        used_schools.add(school)
        ctx.big.add((school, klass))
        members = st.index[(st["学校标识码"] == school) & (st["班级"] == klass)]
        st.loc[members, "_reserved"] = True
        st.loc[members, "_big"] = True
        first = members[0]
        extra = size - len(members)
        slots = pd.DataFrame({"_school": int(st.at[first, "_school"]), "年级": int(st.at[first, "年级"]),
                              "_class": int(st.at[first, "_class"])}, index=range(extra))
        new = draw_students(ctx.rng, ctx.schools, slots, ctx.sy, ctx.as_of, ctx.term0,
                            seq_base=400 + 8 * len(ctx.big), siblings=0, spread=1)
        new["班级"] = klass
        for col in ("_roster", "_stage"):
            new[col] = st.at[first, col]
        new["_big"] = True
        batches.append(new)
        if rule:
            ctx.find(rule, school=school, klass=klass, note=f"{size}人")
        else:
            ctx.edge("CL-01", school=school, klass=klass, why="55人，未达大班额")
        ctx.big_plans = getattr(ctx, "big_plans", []) + [(school, klass, size, link)]
    ctx.add_students(pd.concat(batches, ignore_index=True))


def plant_big_transfers(ctx: Ctx, county) -> None:
    """LX-02: transfers into classes that had 56 or more before the child (edges: the classes
    of 56 and 55 with the child)."""
    from .plant_business import other

    st = ctx.st
    day = ctx.first_workdays(ctx.term0, 3)[-1]
    for school, klass, size, link in ctx.big_plans:
        if not link:
            continue
        i = st.index[(st["学校标识码"] == school) & (st["班级"] == klass)][0]
        g = int(st.at[i, "年级"])
        b = county(ctx, i, pd.Timestamp(day) + pd.Timedelta(hours=10), other(ctx, school, [g]),
                   school, g)
        # RULES.md H: the class before the child arrived (``size`` counts the child)
        if size - 1 >= 56:
            ctx.find("LX-02", i, biz=b, profiles=XIJI, note=f"转入前{size - 1}人的班级")
        else:
            ctx.edge("LX-02", i, biz=b, profiles=XIJI,
                     why=f"转入前{size - 1}人的班级（含该生{size}人），未达大班额")


def _unique(ctx: Ctx, i, school=None) -> bool:
    st = ctx.st
    return unique_name_at(ctx, st.at[i, "姓名"], st.at[i, "性别"], school or st.at[i, "学校标识码"],
                          skip=[i])


def _alone_unmatched(ctx: Ctx, i) -> bool:
    """No other record that no roster can claim (roster-less school, or kept off its roster)
    shares the name (or its homophone) and sex — the cross-school match stays unambiguous."""
    st = ctx.st
    loose = (~st["_roster"].astype(bool) | st["_off_roster"].astype(bool)) & (st["学籍状态"] == "在校")
    loose &= (st["性别"] == st.at[i, "性别"]) & (st.index != i)
    key = nm.pinyin_of(st.at[i, "姓名"])
    others = st.loc[loose, "姓名"]
    return not ((others == st.at[i, "姓名"]).any() or others.map(nm.pinyin_of).eq(key).any())


def take_unique(ctx: Ctx, **kw) -> int:
    while True:
        (i,) = ctx.take(1, **kw)
        if _unique(ctx, i) and "·" not in ctx.st.at[i, "姓名"]:
            return i


def plant_rj(ctx: Ctx) -> None:
    st, s = ctx.st, ctx.schools
    for _ in range(4):
        i = take_unique(ctx)
        ctx.set(i, _off_roster=True)
        ctx.find("RJ-01", i, note="在籍不在校（空挂）")
    for code in s.loc[~s["_roster"], "学校标识码"]:
        ctx.edge("RJ-01", school=code, why="该校未报送在校名单，不能判断在籍不在校")
    roster_schools = s.loc[s["_roster"] & s["_lo"].eq(1), "学校标识码"].tolist()
    for k in range(3):
        code = roster_schools[k % len(roster_schools)]
        klass = next(c for c in st.loc[st["学校标识码"] == code, "班级"] if (code, c) not in ctx.big)
        male = k % 2 == 0
        name = RARE_SURNAMES[k] + RARE_GIVEN[k]
        ctx.roster_extra.append({"学校标识码": code, "班级": klass, "姓名": name,
                                 "性别": "男" if male else "女"})
        ctx.find("RJ-02", school=code, klass=klass, name=name, note="在校不在籍")
    # the last: a 送教上门 child on another school's roster — not RJ-03 (RULES.md H)
    for roster_t, home in ((True, False), (True, False), (False, False), (True, True)):
        while True:
            i = take_unique(ctx, roster=roster_t, grades=range(2, 7))
            g = int(st.at[i, "年级"])
            cand = s[s["_roster"] & s["学校标识码"].isin(ctx.free_schools([g]))
                     & (s["学校标识码"] != st.at[i, "学校标识码"])]
            code = cand["学校标识码"].iloc[int(ctx.rng.integers(0, len(cand)))]
            klass = [c for c in st.loc[(st["学校标识码"] == code) & (st["年级"] == g), "班级"]
                     if (code, c) not in ctx.big]
            if _unique(ctx, i, code) and _alone_unmatched(ctx, i) and klass:
                break
        klass = klass[0]
        ctx.set(i, _roster_school=code, _roster_class=klass)
        if home:
            ctx.set(i, 随班就读="送教上门", 残疾类型="肢体残疾")
            ctx.edge("RJ-03", i, why="送教上门学生，不计人籍分离")
        else:
            ctx.find("RJ-03", i, note="人在他校就读，学籍未转")
        if roster_t:
            ctx.find("RJ-01", i, note="人在他校，不在本校名单" + ("（送教上门）" if home else ""))
    three = pd.Timestamp(ctx.as_of) - pd.DateOffset(months=3)
    exact = three + pd.DateOffset(months=3) == pd.Timestamp(ctx.as_of)  # no month-end clipping
    for left, fires in ((three - pd.Timedelta(days=1), True), (three - pd.Timedelta(days=45), True),
                        (three, False)):
        if not (fires or exact):
            continue
        i = take_unique(ctx)
        ctx.set(i, 离校日期=left, _roster_leave=left)
        note = "名单注明已离校，是否算在校未定"
        ctx.find("RJ-01", i, kind="allowed", note=note)
        (ctx.find("RJ-04", i, note="离校超过3个月仍在校") if fires else
         ctx.edge("RJ-04", i, why="离校恰好3个月"))
    for k in range(6):
        while True:
            i = take_unique(ctx)
            name = st.at[i, "姓名"]
            variant = nm.traditional(name) if k % 2 == 0 else nm.typo(name, ctx.rng)
            if variant and variant != name and unique_name_at(
                    ctx, variant, st.at[i, "性别"], st.at[i, "学校标识码"], skip=[i]):
                break
            st.at[i, "_reserved"] = True
        ctx.set(i, _roster_name=variant)
        ctx.variants.append({"_i": i, "名单姓名": variant, "kind": "繁体" if k % 2 == 0 else "同音形近"})


def build_rosters(ctx: Ctx) -> pd.DataFrame:
    """One row per child present, from every roster school (canonical columns)."""
    st, s = ctx.st, ctx.schools
    taken = set(s.loc[s["_roster"], "学校标识码"])
    on = st[(st["学籍状态"] == "在校") & ~st["_off_roster"].astype(bool)].copy()
    on["学校标识码"] = on["_roster_school"].fillna(on["学校标识码"])
    on["班级"] = on["_roster_class"].fillna(on["班级"])
    on["姓名"] = on["_roster_name"].fillna(on["姓名"])
    on = on[on["学校标识码"].isin(taken)]
    rows = pd.DataFrame({"学校标识码": on["学校标识码"], "班级": on["班级"], "姓名": on["姓名"],
                         "性别": on["性别"], "出生日期": on["出生日期"], "离校日期": on["_roster_leave"]})
    extra = pd.DataFrame(ctx.roster_extra)
    rows = pd.concat([rows, extra], ignore_index=True)
    codes = sorted(taken)
    rng = np.random.default_rng(int(ctx.rng.integers(0, 2**31)))
    # RJ-06: rosters are checked within the first 5 working days of the term (the start is
    # day 1); one school on day 5 exactly (an edge), one on day 6 (every class a finding)
    week = ctx.first_workdays(ctx.term0, 6)
    checked = {c: pd.Timestamp(week[int(rng.integers(0, 5))]) for c in codes}
    late, edge = codes[0], codes[1]
    checked[late], checked[edge] = pd.Timestamp(week[5]), pd.Timestamp(week[4])
    # RJ-05: a school that handed in no roster, and one class missing at a roster school
    active = st[st["学籍状态"] == "在校"]
    for code in sorted(set(active["学校标识码"]) - taken):
        ctx.find("RJ-05", school=code, note="有在校学生，未提交在校名单")
    gap = _class_gap(ctx, rows, taken)
    if gap is not None:
        rows = rows[~((rows["学校标识码"] == gap[0]) & (rows["班级"] == gap[1])).to_numpy()]
        ctx.find("RJ-05", school=gap[0], klass=gap[1], note="其他班级已提交名单，此班未提交")
    with_birth = {c: bool(rng.random() < 0.4) for c in codes}
    rows["核对日期"] = rows["学校标识码"].map(checked)
    rows.loc[~rows["学校标识码"].map(with_birth), "出生日期"] = pd.NaT
    for klass in sorted(rows.loc[rows["学校标识码"] == late, "班级"].dropna().unique()):
        ctx.find("RJ-06", school=late, klass=klass, note="开学后第6个工作日才核对名单")
    for klass in sorted(rows.loc[rows["学校标识码"] == edge, "班级"].dropna().unique())[:1]:
        ctx.edge("RJ-06", school=edge, klass=klass, why="开学后第5个工作日核对名单，未超期")
    return rows.sort_values(["学校标识码", "班级"], kind="stable").reset_index(drop=True)


def _class_gap(ctx: Ctx, rows: pd.DataFrame, taken: set) -> tuple[str, str] | None:
    """A (school, class) of a roster school whose children are all unplanted, not in a big
    class and not the only class of the school: its roster is left out (RJ-05)."""
    st = ctx.st
    on = st[(st["学籍状态"] == "在校") & st["学校标识码"].isin(taken)]
    busy = on.groupby(["学校标识码", "班级"], observed=True)["_reserved"].any()
    per_school = rows.groupby("学校标识码")["班级"].nunique()
    for (code, klass), reserved in busy.items():
        if not reserved and per_school.get(code, 0) > 1 and (code, klass) not in ctx.big:
            return code, klass
    return None
