"""Planted identity cases: ID-01…06, XJ-01…04, DU-01…03, CH-01, twins and name-sharing decoys.

Each case mutates a clean bulk record (or clones one) and declares every finding a literal
reading of docs/rules.md gives on it, co-firing rules included.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from ..terms import expected_grade
from .context import Ctx
from .idgen import with_check


def clone(ctx: Ctx, i, **values) -> int:
    """A second record of the same child (all fields copied, then ``values``)."""
    row = ctx.st.loc[[i]].copy()
    for k, v in values.items():
        row[k] = [v]
    row["_off_roster"] = False
    return ctx.add_students(row)[0]


def move(ctx: Ctx, j, school_code: str, grade: int) -> None:
    """Put record j into a class of ``grade`` at another school."""
    sch = ctx.school(school_code)
    classes = ctx.st.loc[(ctx.st["学校标识码"] == school_code) & (ctx.st["年级"] == grade), "班级"]
    klass = next(c for c in classes if (school_code, c) not in ctx.big)
    ctx.set(j, 学校标识码=school_code, 学校名称=sch["学校名称"], 班级=klass,
            _roster=bool(sch["_roster"]), _stage=sch["学段"] if sch["学制"] == "六三" else "五四")


def other_school(ctx: Ctx, i, roster: bool) -> str:
    g, here = ctx.st.at[i, "年级"], ctx.st.at[i, "学校标识码"]
    s = ctx.schools
    cand = s[(s["_lo"] <= g) & (s["_hi"] >= g) & (s["学校标识码"] != here) & (s["_roster"] == roster)
             & s["学校标识码"].isin(ctx.free_schools([g]))]
    return cand["学校标识码"].iloc[int(ctx.rng.integers(0, len(cand)))]


def l_number(ctx: Ctx) -> str:
    return "L640426" + f"9{ctx.next_id():0>11}"


def recent_build(ctx: Ctx, j) -> None:
    """Make record j a recent one (建籍 40 days ago, 入学 the same month)."""
    built = pd.Timestamp(ctx.as_of - dt.timedelta(days=40))
    ctx.set(j, 建籍日期=built, 入学年月=built.replace(day=1))


def unique_name_at(ctx: Ctx, name: str, sex: str, school: str, skip=()) -> bool:
    """No other 在校 record at ``school`` with the same name (or homophone) and sex."""
    from .names import pinyin_of

    st = ctx.st
    m = (st["学校标识码"] == school) & (st["性别"] == sex) & ~st.index.isin(list(skip))
    others = st.loc[m, "姓名"]
    key = pinyin_of(name)
    return not ((others == name).any() or others.map(pinyin_of).eq(key).any())


def age_ok(ctx: Ctx, i, birth) -> bool:
    return abs(int(ctx.st.at[i, "年级"]) - expected_grade(pd.Timestamp(birth).date(), ctx.as_of)) <= 1


def plant_ids(ctx: Ctx) -> None:
    st = ctx.st
    a, b, c, d = ctx.take(4)
    ctx.set(a, 身份证件号=st.at[a, "身份证件号"][:17] + ("0" if st.at[a, "身份证件号"][17] != "0" else "1"))
    ctx.set(b, 身份证件号=st.at[b, "身份证件号"][:17])
    body = st.at[c, "身份证件号"][:6] + st.at[c, "出生日期"].strftime("%Y") + "0230" + st.at[c, "身份证件号"][14:17]
    ctx.set(c, 身份证件号=with_check(body))
    ctx.set(d, 身份证件号=st.at[d, "身份证件号"][:10] + "A" + st.at[d, "身份证件号"][11:])
    for i, note in ((a, "校验位错误"), (b, "17位"), (c, "出生日期不存在（2月30日）"), (d, "含字母")):
        ctx.find("ID-01", i, note=note)
    ends_x = st["身份证件号"].str.endswith("X") & ~st["_reserved"] & st["学籍号"].str.startswith("G")
    for i in st.index[ends_x][:2]:
        st.at[i, "_reserved"] = True
        st.at[i, "_messy"] = "lower_x"
        ctx.edge("ID-01", i, why="导出文件中末位为小写x，载入时规范为X，号码有效")
    for i in ctx.take(2):
        st.at[i, "_messy"] = "fullwidth"
        ctx.edge("ID-01", i, why="导出文件中为全角数字，载入时规范为半角，号码有效")

    picked = 0
    for i in ctx.take(12):
        if picked == 2:
            st.at[i, "_reserved"] = False
            continue
        birth = st.at[i, "出生日期"]
        if picked == 0 and birth.day <= 25:
            new = birth + pd.Timedelta(days=3)
        elif picked == 1 and birth.day <= 12 and birth.day != birth.month:
            new = birth.replace(month=birth.day, day=birth.month)
        else:
            st.at[i, "_reserved"] = False
            continue
        if not age_ok(ctx, i, new):
            st.at[i, "_reserved"] = False
            continue
        ctx.set(i, 出生日期=new)
        ctx.find("ID-02", i, note="出生日期与证件号不符" + ("（日月颠倒）" if picked else ""))
        picked += 1

    for i in ctx.take(2):
        male = st.at[i, "性别"] == "男"
        new = ctx.fresh_id(st.at[i, "身份证件号"][:6], st.at[i, "出生日期"], not male)
        ctx.set(i, 身份证件号=new, 学籍号="G" + new)
        ctx.find("ID-03", i, note="证件号第17位与性别不符")
    for i, region in zip(ctx.take(2), ("900426", "390426"), strict=True):
        new = ctx.fresh_id(region, st.at[i, "出生日期"], st.at[i, "性别"] == "男")
        ctx.set(i, 身份证件号=new, 学籍号="G" + new)
        ctx.find("ID-04", i, note=f"地址码前两位 {region[:2]} 不是省级代码")
    (i,) = ctx.take(1)
    new = ctx.fresh_id("810000", st.at[i, "出生日期"], st.at[i, "性别"] == "男")
    ctx.set(i, 身份证件号=new, 学籍号="G" + new)
    ctx.edge("ID-04", i, why="地址码 81（香港）是有效的省级代码")
    for i in ctx.take(2):
        full = st.at[i, "身份证件号"]
        ctx.set(i, 身份证件号=full[:6] + full[8:17])
        ctx.find("ID-05", i, note="15位旧号")
        ctx.find("ID-02", i, note="15位旧号按19xx年解读，与出生日期不符")
        ctx.find("XJ-02", i, note="学籍号为18位新号，证件号为15位旧号")
    for i in ctx.take(2):
        ctx.set(i, 身份证件号=None)
        ctx.find("ID-06", i)
    (i,) = ctx.take(1)
    ctx.set(i, 身份证件号=None, 身份证件类型=None)
    ctx.edge("ID-06", i, why="证件类型与证件号均为空，不算缺失")


def plant_xjh(ctx: Ctx) -> None:
    st = ctx.st
    (a,) = ctx.take(1, grades=[1])
    (b,) = ctx.take(1, grades=[10])
    c, d = ctx.take(2)
    ctx.set(a, 学籍号="L640426" + st.at[a, "身份证件号"][6:16])
    ctx.set(b, 学籍号="L640426" + st.at[b, "身份证件号"][6:18] + "0")
    ctx.set(c, 学籍号="K" + st.at[c, "身份证件号"])
    ctx.set(d, 学籍号="6" + st.at[d, "身份证件号"])
    for i in (a, b, c, d):
        ctx.find("XJ-01", i, note=f"学籍号「{st.at[i, '学籍号']}」格式错误")
    for i in ctx.take(2):
        old = ctx.fresh_id(st.at[i, "身份证件号"][:6], st.at[i, "出生日期"], st.at[i, "性别"] == "男")
        ctx.set(i, 学籍号="G" + old)
        ctx.mods.append({"学籍号": "G" + old, "变更项目": "身份证件号", "原值": old,
                         "新值": st.at[i, "身份证件号"], "变更日期": pd.Timestamp(ctx.as_of - dt.timedelta(days=200)),
                         "证明材料": "有"})
        ctx.find("XJ-02", i, note="证件号已变更，学籍号仍含旧号")
    # XJ-03: L numbers older than 12 months (建籍日期, else 入学年月) and the edges
    twelve = pd.Timestamp(ctx.as_of) - pd.DateOffset(months=12)
    cases = ((twelve - pd.Timedelta(days=1), True, "建籍日期早于12个月前一天"),
             (twelve - pd.Timedelta(days=60), True, "建籍超过12个月"),
             (None, True, "无建籍日期，入学年月超过12个月"),
             (twelve, False, "建籍恰好12个月，未超期"))
    exact = twelve + pd.DateOffset(months=12) == pd.Timestamp(ctx.as_of)  # not Feb 29
    for built, fires, note in cases:
        if not (fires or exact):
            continue
        (i,) = ctx.take(1, grades=[2, 3, 4, 5])
        if built is None:
            ctx.set(i, 建籍日期=pd.NaT, 入学年月=(twelve - pd.DateOffset(months=3)).replace(day=1))
        else:
            ctx.set(i, 建籍日期=built, 入学年月=built.replace(day=1))
        ctx.set(i, 学籍号=l_number(ctx))
        (ctx.find if fires else ctx.edge)("XJ-03", i, **({"note": note} if fires else {"why": note}))
    for k, i in enumerate(ctx.take(2)):
        body = "640426" + st.at[i, "出生日期"].strftime("%Y%m%d") + f"96{k}"
        ctx.set(i, 学籍号="J" + with_check(body))
        ctx.find("XJ-04", i, note="J字头学籍号但已有有效居民身份证号")


def plant_dup_ids(ctx: Ctx) -> None:
    """DU-01/DU-02/DU-03 and CH-01: the same child twice with equal keys, and siblings."""
    st = ctx.st
    allowed = "完全相同的证件号/学籍号已由 DU-01/02/03 报告，匹配可另报或不报 DU-04"

    def dup(a, b, noise):
        cid = f"DUP-K{ctx.next_id()}"
        for j in (a, b):
            ctx.dups.append({"cluster_id": cid, "_i": j, "noise": noise})
            ctx.find("DU-04", j, kind="allowed", note=allowed)

    rosterless = set(ctx.schools.loc[~ctx.schools["_roster"], "学校标识码"])
    nine_grades = [g for g in range(1, 10) if ctx.free_schools([g]) & rosterless]
    # p1: same ID, second record (L number) at another roster school, absent from its roster
    while True:
        (a,) = ctx.take(1, grades=range(1, 10))
        t = other_school(ctx, a, roster=True)
        if unique_name_at(ctx, st.at[a, "姓名"], st.at[a, "性别"], t):
            break
    b = clone(ctx, a, 学籍号=l_number(ctx))
    move(ctx, b, t, int(st.at[a, "年级"]))
    recent_build(ctx, b)
    ctx.set(b, _off_roster=True)
    for j in (a, b):
        ctx.find("DU-01", j)
        ctx.find("CH-01", j)
    ctx.find("RJ-01", b, note="重复学籍，人在原校")
    dup(a, b, "同号;换校")
    # p2: same ID and 学籍号, same (roster-less) school
    (a,) = ctx.take(1, grades=range(1, 10), roster=False)
    b = clone(ctx, a)
    for j in (a, b):
        ctx.find("DU-01", j)
        ctx.find("DU-02", j)
    dup(a, b, "同号同籍")
    # p3: 15-digit number at a roster school and its 18-digit form at a roster-less school
    (a,) = ctx.take(1, grades=nine_grades)
    full = st.at[a, "身份证件号"]
    from ..ids import upgrade_15_to_18

    b = clone(ctx, a, 学籍号=l_number(ctx), 身份证件号=upgrade_15_to_18(full[:6] + full[8:17]))
    ctx.set(a, 身份证件号=full[:6] + full[8:17])
    move(ctx, b, other_school(ctx, a, roster=False), int(st.at[a, "年级"]))
    recent_build(ctx, b)
    ctx.find("ID-05", a)
    ctx.find("XJ-02", a, note="15位旧号的18位形式与学籍号不符")
    for j in (a, b):
        ctx.find("ID-02", j, note="19xx年出生")
        ctx.find("DU-01", j, note="15位号码按18位形式比较")
        ctx.find("CH-01", j)
    dup(a, b, "15位旧号;换校")
    # p4: identical records at a roster school and a roster-less school
    (a,) = ctx.take(1, grades=nine_grades)
    b = clone(ctx, a)
    move(ctx, b, other_school(ctx, a, roster=False), int(st.at[a, "年级"]))
    for j in (a, b):
        for rule in ("DU-01", "DU-02", "CH-01"):
            ctx.find(rule, j)
    dup(a, b, "同号同籍;换校")
    # p5: a sibling given the elder's 学籍号
    fam = st.loc[~st["_reserved"] & (st["学籍状态"] == "在校") & st["学籍号"].str.startswith("G")
                 & st["_roster"], "_fam"]
    twice = fam[fam.duplicated(keep=False)]
    same_school = st.loc[twice.index].groupby(["_fam", "学校标识码"], observed=True).size()
    pairs = same_school[same_school >= 2]
    if len(pairs):
        f, s = pairs.index[0]
        x, y = st.index[(st["_fam"] == f) & (st["学校标识码"] == s) & ~st["_reserved"]][:2]
    else:
        x, y = twice.index[:2]
    st.loc[[x, y], "_reserved"] = True
    ctx.set(y, 学籍号=st.at[x, "学籍号"])
    for j in (x, y):
        ctx.find("DU-02", j, note="兄弟姐妹共用一个学籍号")
        ctx.find("DU-04", j, kind="allowed", note="兄弟姐妹共用学籍号与监护人，匹配可能误配")
        if st.at[x, "学校标识码"] != st.at[y, "学校标识码"]:
            ctx.find("CH-01", j, note="同一学籍号在两校在校")
    ctx.find("XJ-02", y, note="学籍号为兄弟姐妹的证件号")
    # DU-03: the same child twice without a valid ID, at a roster-less school
    (a,) = ctx.take(1, grades=range(2, 10), roster=False)
    b = clone(ctx, a, 学籍号=l_number(ctx), 身份证件号=None, 身份证件类型=None)
    recent_build(ctx, b)
    ctx.set(a, 身份证件类型="护照", 身份证件号="E" + st.at[a, "身份证件号"][8:16],
            学籍号="J" + with_check("640426" + st.at[a, "出生日期"].strftime("%Y%m%d") + "988"),
            **{"国籍/地区": "俄罗斯"})
    for j in (a, b):
        ctx.find("DU-03", j)
    dup(a, b, "无证件;L号")
    (a,) = ctx.take(1, grades=range(2, 10), roster=False)
    full = st.at[a, "身份证件号"]
    b = clone(ctx, a, 学籍号=l_number(ctx), 身份证件号=full[:17] + ("1" if full[17] != "1" else "2"))
    recent_build(ctx, b)
    ctx.set(a, 身份证件号=full[:15] + full[16] + full[15] + full[17]
            if full[15] != full[16] else full[:14] + full[15] + full[14] + full[16:])
    for j in (a, b):
        ctx.find("ID-01", j)
        ctx.find("DU-03", j)
    dup(a, b, "ID错位;L号")


def plant_decoys(ctx: Ctx, twins: int = 3, namesakes: int = 3) -> None:
    """Twins (same family, birth date, consecutive IDs) and unrelated namesakes."""
    from . import names as nm

    st = ctx.st
    for _ in range(twins):
        (a,) = ctx.take(1)
        male_b = bool(ctx.rng.random() < 0.5)
        full = st.at[a, "姓名"]
        if "·" in full:
            continue
        surname = full[:2] if full[:2] in nm.COMPOUND_SURNAMES else full[:1]
        while True:
            given = nm.draw_given(ctx.rng, [male_b])[0]
            name = surname + given
            if name != st.at[a, "姓名"] and unique_name_at(ctx, name, "男" if male_b else "女",
                                                          st.at[a, "学校标识码"]):
                break
        region = st.at[a, "身份证件号"][:6]
        ida = ctx.fresh_id(region, st.at[a, "出生日期"], st.at[a, "性别"] == "男")
        idb = ctx.fresh_id(region, st.at[a, "出生日期"], male_b)
        ctx.set(a, 身份证件号=ida, 学籍号="G" + ida)
        b = clone(ctx, a, 姓名=name, 性别="男" if male_b else "女", 身份证件号=idb, 学籍号="G" + idb)
        ctx.decoys.append({"_a": a, "_b": b, "kind": "twins"})
    for _ in range(namesakes):
        (a,) = ctx.take(1)
        g, code, sex = st.at[a, "年级"], st.at[a, "学校标识码"], st.at[a, "性别"]
        (donor,) = ctx.take(1, cond=lambda s, g=g, code=code, sex=sex: (
            (s["年级"] == g) & (s["学校标识码"] != code) & (s["性别"] == sex)).to_numpy())
        new = ctx.fresh_id(st.at[donor, "身份证件号"][:6], st.at[a, "出生日期"], st.at[a, "性别"] == "男")
        ctx.set(donor, 姓名=st.at[a, "姓名"], 出生日期=st.at[a, "出生日期"], 身份证件号=new,
                学籍号="G" + new)
        ctx.decoys.append({"_a": a, "_b": donor, "kind": "same_name_birth"})
