"""Heavy noise for the demo's duplicates (``noise='heavy'``) and the decoys that go with it.

Each second record (B) carries one identity corruption — no ID at all (then a J or L 学籍号),
an ID with one digit wrong or two swapped, or the 15-digit form — and one to four more: 简繁 or
variant characters, a homophone or look-alike typo, a dropped or added character, a changed
given name (改名, surname kept), a shortened compound surname, a birth date off by a day, with
day and month swapped or off by a year, another school and grade, another phone, the other
parent as guardian, a rewritten address. The combinations stay recognisable with all fields in
view: a changed name keeps the ID link, the birth date, the guardian and the address (疑似改名);
a record without ID keeps its name but for one slip, and all but one household field; a year
off keeps the ID link and the name. Decoys planted beside them: twins, triplets, siblings a year
apart, and groups of children sharing a name and a birth date.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from . import names as nm
from .context import Ctx
from .idgen import with_check
from .people import phones
from .plant_identity import age_ok, clone
from .schools import COUNTY_CODE, PREFECTURE, PROVINCE

IDENTITY = ("无证件", "ID错位", "15位旧号")
NAME = ("繁简", "同音形近", "增删字", "改名", "复姓简写")
BIRTH = ("日差一天", "日月颠倒", "年差一岁")
OTHER = ("换校换年级", "换电话", "另一监护人", "住址改写")
HOUSEHOLD = ("换电话", "另一监护人", "住址改写")


def allowed(chosen: list[str], item: str, identity: str) -> bool:
    """Whether ``item`` may join the corruptions ``chosen`` of a record whose identity
    corruption is ``identity`` (the recognisability rules of the module docstring)."""
    names = [c for c in chosen if c in NAME]
    if item in BIRTH and any(c in BIRTH for c in chosen):
        return False
    if "改名" in chosen or item == "改名":
        if identity == "无证件" or names or any(c in BIRTH or c in ("另一监护人", "住址改写")
                                               for c in [*chosen, item] if c != "改名"):
            return False
    if identity == "无证件" and ((item in NAME and names)
                                 or (item in HOUSEHOLD and any(c in HOUSEHOLD for c in chosen))):
        return False
    if "年差一岁" in (*chosen, item) and (identity == "无证件" or any(
            c in ("增删字", "改名", "复姓简写") for c in [*chosen, item])):
        return False
    return True


def _given_of(name: str) -> tuple[str, str]:
    k = 2 if name[:2] in nm.COMPOUND_SURNAMES else 1
    return name[:k], name[k:]


def _name(kind: str, b: dict, rng) -> bool:
    name = b["姓名"]
    if "·" in name:
        return False
    surname, given = _given_of(name)
    male = b["性别"] == "男"
    if kind == "繁简":
        new = nm.traditional(name)
    elif kind == "同音形近":
        new = nm.typo(name, rng) or name
    elif kind == "增删字":
        if len(given) >= 2:
            k = int(rng.integers(0, len(given)))
            new = surname + given[:k] + given[k + 1:]
        else:
            new = surname + given + nm.draw_given(rng, np.array([male]))[0][:1]
    elif kind == "改名":
        new = name
        for _ in range(10):
            new = surname + nm.draw_given(rng, np.array([male]))[0]
            if nm.pinyin_of(new[len(surname):]) != nm.pinyin_of(given) and new[len(surname):] != given:
                break
    else:  # 复姓简写
        if len(surname) < 2:
            return False
        new = surname[0] + given
    if new == name or len(new) < 2:
        return False
    b["姓名"] = new
    return True


def _birth(kind: str, b: dict, rng, ctx: Ctx) -> bool:
    bd = b["出生日期"]
    if kind == "日差一天":
        new = bd + pd.Timedelta(days=int(rng.choice([-1, 1])))
    elif kind == "日月颠倒":
        if not (bd.day <= 12 and bd.day != bd.month):
            return False
        new = bd.replace(month=bd.day, day=bd.month)
    else:
        year = bd.year + int(rng.choice([-1, 1]))
        new = bd.replace(year=year, day=min(bd.day, 28 if bd.month == 2 else bd.day))
    if not age_fits(ctx, int(b["年级"]), new):
        return False
    b["出生日期"] = pd.Timestamp(new)
    return True


def age_fits(ctx: Ctx, grade: int, birth) -> bool:
    """AG-01 stays quiet: ``grade`` within one of the grade expected for ``birth``."""
    from ..terms import expected_grade
    return abs(grade - expected_grade(pd.Timestamp(birth).date(), ctx.as_of)) <= 1


def _address(addr: str, rng) -> str:
    new = addr
    if rng.random() < 0.7:
        new = new.replace(PROVINCE + PREFECTURE, "")
    if rng.random() < 0.6:
        new = new.replace("组", "社" if rng.random() < 0.5 else "队")
    if new == addr or rng.random() < 0.3:
        new = new.replace("村", "村委会")
    return new


def _household(kind: str, b: dict, rng) -> bool:
    if kind == "换电话":
        phone = phones(rng, 1)[0]
        b.update(联系电话=phone, 成员1联系电话=phone)
    elif kind == "另一监护人":
        if not b.get("成员2身份证件号") or not b.get("成员2姓名"):
            return False
        b.update(成员1姓名=b["成员2姓名"], 成员2姓名=b["成员1姓名"], 成员1身份证件号=b["成员2身份证件号"],
                 成员2身份证件号=b["成员1身份证件号"], 成员1关系="母亲", 成员1联系电话=b["_phone2"],
                 联系电话=b["_phone2"])
    else:
        new = _address(b["现住址"], rng)
        if new == b["现住址"]:
            return False
        b["现住址"] = new
    return True


def _no_id(ctx: Ctx, b: dict, rng, j_used: dict) -> str:
    built = pd.Timestamp(ctx.as_of - dt.timedelta(days=int(rng.integers(20, 200))))
    b.update(身份证件号=None, 身份证件类型=None, 建籍日期=built, 入学年月=built.replace(day=1))
    day = b["出生日期"].strftime("%Y%m%d")
    seq = j_used.get(day, 970)
    if rng.random() < 0.5 and seq <= 987:
        j_used[day] = seq + 1
        b["学籍号"] = "J" + with_check(COUNTY_CODE + day + str(seq))
        return "无证件J号"
    b["学籍号"] = "L640426" + f"7{ctx.next_id():0>11}"
    return "无证件L号"


def corrupt(ctx: Ctx, b: dict, identity: str, k: int, applied: list[str], mistype,
            j_used: dict) -> tuple[list[str], list[str]]:
    """Apply ``identity`` and more corruptions to ``b`` (a copy of a record) until ``k`` besides
    the identity one are applied, ``applied`` being those already done (another school and
    grade); ``mistype(full)`` gives a mistyped ID. Returns (the corruptions, identity
    findings of b)."""
    rng = ctx.rng
    pool = [*NAME, *BIRTH, *OTHER[1:]]
    pool = [pool[x] for x in rng.permutation(len(pool))]
    applied = list(applied)
    for item in pool:
        if len(applied) == k:
            break
        if not allowed(applied, item, identity):
            continue
        if item in NAME:
            ok = _name(item, b, rng)
        elif item in BIRTH:
            ok = _birth(item, b, rng, ctx)
        else:
            ok = _household(item, b, rng)
        if ok:
            applied.append(item)
    full = b["身份证件号"]
    finds: list[str] = []
    if identity == "无证件":
        label = _no_id(ctx, b, rng, j_used)
    elif identity == "ID错位":
        wrong = mistype(full)
        b.update(身份证件号=wrong, 学籍号="G" + wrong)
        label, finds = identity, ["ID-01"]
    else:
        from ..ids import upgrade_15_to_18
        short = full[:6] + full[8:17]
        b.update(身份证件号=short, 学籍号="G" + upgrade_15_to_18(short))
        label, finds = identity, ["ID-05", "ID-02"]
    return [label, *applied], finds


# ---------------------------------------------------------------- decoys


def _other_given(ctx: Ctx, name: str, male: bool, avoid: set[str]) -> str:
    surname, _ = _given_of(name)
    while True:
        new = surname + nm.draw_given(ctx.rng, np.array([male]))[0]
        if new not in avoid and nm.pinyin_of(new) not in {nm.pinyin_of(x) for x in avoid}:
            return new


def plant_decoys(ctx: Ctx) -> None:
    """Twins and triplets (one household, one birth date, consecutive IDs), siblings a year
    apart (one household, adjacent grades), and groups sharing a name and a birth date."""
    st, rng, n = ctx.st, ctx.rng, len(ctx.st)
    for size, count in ((2, max(3, n * 3 // 1000)), (3, max(1, n // 5000))):
        for a in ctx.take(count, roster=None, cond=lambda s: ~s["姓名"].astype(str).str.contains(
                "·").to_numpy()):
            region, birth = st.at[a, "身份证件号"][:6], st.at[a, "出生日期"]
            ida = ctx.fresh_id(region, birth, st.at[a, "性别"] == "男")
            ctx.set(a, 身份证件号=ida, 学籍号="G" + ida)
            members, names = [a], {st.at[a, "姓名"]}
            for _ in range(size - 1):
                male = bool(rng.random() < 0.5)
                name = _other_given(ctx, st.at[a, "姓名"], male, names)
                names.add(name)
                idb = ctx.fresh_id(region, birth, male)
                members.append(clone(ctx, a, 姓名=name, 性别="男" if male else "女",
                                     身份证件号=idb, 学籍号="G" + idb))
            kind = "twins" if size == 2 else "triplets"
            for x, y in [(x, y) for p, x in enumerate(members) for y in members[p + 1:]]:
                ctx.decoys.append({"_a": x, "_b": y, "kind": kind})
    _siblings(ctx, max(3, n * 3 // 1000))
    _namesakes(ctx, max(2, n // 2000))


HOME = ("成员1姓名", "成员1关系", "成员2姓名", "联系电话", "成员1身份证件号", "成员1联系电话",
        "成员2身份证件号", "现住址", "户口所在地", "民族", "是否留守儿童", "是否进城务工人员随迁子女",
        "_fam", "_phone2", "_region")


def _siblings(ctx: Ctx, count: int) -> None:
    st, rng = ctx.st, ctx.rng
    for a in ctx.take(count, roster=None, grades=range(2, 10), cond=lambda s: ~s["姓名"].astype(
            str).str.contains("·").to_numpy()):
        g, code = int(st.at[a, "年级"]), st.at[a, "学校标识码"]
        birth = st.at[a, "出生日期"] + pd.Timedelta(days=int(365 + rng.integers(-20, 21)))
        try:
            (d,) = ctx.take(1, roster=None, cond=lambda s, g=g, code=code: (
                (s["年级"] == g - 1) & (s["学校标识码"] == code)).to_numpy())
        except AssertionError:
            continue
        if not age_ok(ctx, d, birth):
            continue
        male = st.at[d, "性别"] == "男"
        name = _other_given(ctx, st.at[a, "姓名"], male, {st.at[a, "姓名"]})
        new = ctx.fresh_id(st.at[a, "身份证件号"][:6], birth, male)
        ctx.set(d, 姓名=name, 出生日期=pd.Timestamp(birth), 身份证件号=new, 学籍号="G" + new,
                **{c: st.at[a, c] for c in HOME})
        ctx.decoys.append({"_a": a, "_b": d, "kind": "siblings_year_apart"})


def _namesakes(ctx: Ctx, groups: int) -> None:
    st, rng = ctx.st, ctx.rng
    for a in ctx.take(groups, roster=None):
        g, code, sex = st.at[a, "年级"], st.at[a, "学校标识码"], st.at[a, "性别"]
        k = int(rng.integers(2, 6))
        try:
            donors = ctx.take(k, roster=None, cond=lambda s, g=g, code=code, sex=sex: (
                (s["年级"] == g) & (s["学校标识码"] != code) & (s["性别"] == sex)).to_numpy())
        except AssertionError:
            continue
        group = [a]
        for d in donors:
            new = ctx.fresh_id(st.at[d, "身份证件号"][:6], st.at[a, "出生日期"], sex == "男")
            ctx.set(d, 姓名=st.at[a, "姓名"], 出生日期=st.at[a, "出生日期"], 身份证件号=new,
                    学籍号="G" + new)
            group.append(d)
        for x, y in [(x, y) for p, x in enumerate(group) for y in group[p + 1:]]:
            ctx.decoys.append({"_a": x, "_b": y, "kind": "same_name_birth"})
