"""Fuzzy duplicates for DU-04 and matching: about 1% of children registered a second time.

The second record (B) differs from the first (A) in how it is identified — an L number without
ID, a mistyped or transposed ID digit, or a 15-digit legacy number — and possibly in one more
field: the name in traditional characters, a homophone / look-alike typo, day and month of the
birth date swapped, or another school. B is always at a school whose roster was never taken
(A too when both are at one school), so no 人籍一致 finding depends on which record a roster
row is matched to. B's own co-firing identity findings are declared with it.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from . import names as nm
from .context import Ctx
from .plant_identity import age_ok

IDENTITY = ("L号", "ID错位", "15位旧号")
ATTRIBUTE = ("", "繁简", "同音形近", "日月颠倒", "换校")
MAX_CLASS = 52


def _mistype(rng, full: str, taken: set) -> str:
    """One digit of the sequence part changed, or two adjacent differing digits swapped —
    a number not in ``taken`` (which it joins): two children's IDs one digit apart are common
    in a large county, and mistyping both into the same number would make an undeclared
    DU-02 group of two different children."""
    for _ in range(20):
        wrong = _one_mistype(rng, full)
        if wrong not in taken:
            taken.add(wrong)
            return wrong
    raise AssertionError("no free mistyped ID")


def _one_mistype(rng, full: str) -> str:
    if rng.random() < 0.5:
        k = int(rng.integers(14, 17))
        return full[:k] + str((int(full[k]) + int(rng.integers(1, 10))) % 10) + full[k + 1:]
    for k in (14, 15, 13, 12, 11, 10, 9):
        if full[k] != full[k + 1]:
            return full[:k] + full[k + 1] + full[k] + full[k + 2:]
    return full[:16] + str((int(full[16]) + 2) % 10) + full[17:]


def plant_duplicates(ctx: Ctx, rate: float = 0.01, noise: str = "gentle") -> None:
    """About ``rate`` of the children registered a second time; ``noise`` 'gentle' (one
    identity change and at most one more) or 'heavy' (:mod:`.noise`: 2–5 corruptions, with
    twins, triplets, siblings a year apart and namesake groups planted as decoys first)."""
    st, s, rng = ctx.st, ctx.schools, ctx.rng
    heavy = noise == "heavy"
    if heavy:
        from . import noise as hv
        hv.plant_decoys(ctx)
    n = max(8, int(len(st) * rate))
    rosterless = s.loc[~s["_roster"], "学校标识码"].tolist()
    live = st[(st["学籍状态"] == "在校") & st["学校标识码"].isin(rosterless)]
    room = (MAX_CLASS - live.groupby(["学校标识码", "班级"], observed=True).size()).to_dict()
    for key in ctx.big:
        room.pop(key, None)
    by_grade: dict[tuple[str, int], list[str]] = {}
    grades = live.groupby(["学校标识码", "班级"], observed=True)["年级"].first()
    for (code, klass), g in grades.items():
        if (code, klass) in room:
            by_grade.setdefault((code, int(g)), []).append(klass)
    attrs = rng.choice(len(ATTRIBUTE), size=n, p=[0.3, 0.2, 0.2, 0.1, 0.2])
    move = attrs == ATTRIBUTE.index("换校")
    n_move, n_stay = int(move.sum()), int((~move).sum())
    stay = ctx.take(n_stay, grades=range(1, 10), roster=False,
                    cond=lambda d: ~d["_big"].to_numpy())
    moved = ctx.take(n_move, grades=range(1, 10), roster=True)
    pairs = list(zip(stay, attrs[~move], strict=True)) + list(zip(moved, attrs[move], strict=True))
    ident = rng.choice(len(IDENTITY), size=len(pairs), p=[1 / 3] * 3 if heavy else [0.5, 0.3, 0.2])
    new_rows, clusters = [], []
    taken = set(st["身份证件号"].dropna())
    j_used: dict = {}
    records = st.loc[[a for a, _ in pairs]].to_dict("records")
    for (a, attr), idk, r in zip(pairs, ident, records, strict=True):
        g = int(r["年级"])
        moving = ATTRIBUTE[attr] == "换校"
        targets = [g + d for d in (-1, 1) if 1 <= g + d <= 9] if heavy and moving else [g]
        if moving:
            options = [(c, k, t) for c in rosterless if c != r["学校标识码"] for t in targets
                       for k in by_grade.get((c, t), []) if room[(c, k)] > 0
                       and (not heavy or hv.age_fits(ctx, t, r["出生日期"]))]
        else:
            options = [(r["学校标识码"], k, g) for k in [r["班级"], *by_grade.get((r["学校标识码"], g), [])]
                       if room.get((r["学校标识码"], k), 0) > 0]
        if not options:
            continue
        code, klass, grade = options[int(rng.integers(0, len(options)))] if moving else options[0]
        room[(code, klass)] -= 1
        b = dict(r)
        sch = ctx.school(code)
        b.update(学校标识码=code, 学校名称=sch["学校名称"], 班级=klass, 年级=grade, _roster=bool(sch["_roster"]))
        if heavy:
            if grade != g:
                b["_stage"] = sch["学段"] if sch["学制"] == "六三" else "五四"
            noise_, finds = hv.corrupt(ctx, b, hv.IDENTITY[idk], int(rng.integers(1, 5)),
                                       ["换校换年级"] if moving else [],
                                       lambda full: _mistype(rng, full, taken), j_used)
        else:
            noise_, finds = _gentle(ctx, a, r, b, IDENTITY[idk], ATTRIBUTE[attr], taken)
        new_rows.append(b)
        clusters.append((a, ";".join(noise_), finds))
    if not new_rows:
        return
    frame = pd.DataFrame(new_rows)
    frame["_off_roster"] = False
    ids = ctx.add_students(frame)
    for j, (a, noise_, finds) in zip(ids, clusters, strict=True):
        cid = f"DUP-{ctx.next_id()}"
        for x in (a, j):
            ctx.dups.append({"cluster_id": cid, "_i": x, "noise": noise_})
            ctx.find("DU-04", x, note=noise_)
        for rule in finds:
            ctx.find(rule, j, note="重复学籍的第二条记录")


def _gentle(ctx: Ctx, a, r: dict, b: dict, identity: str, kind: str, taken: set
            ) -> tuple[list[str], list[str]]:
    """The gentle corruptions of ``b`` (a copy of record ``a``, ``r``): the identity change and
    at most one more. Returns (the corruptions, identity findings of b)."""
    rng = ctx.rng
    noise = [identity]
    finds = []
    full = r["身份证件号"]
    if identity == "L号":
        built = pd.Timestamp(ctx.as_of - dt.timedelta(days=int(rng.integers(20, 200))))
        b.update(学籍号="L640426" + f"8{ctx.next_id():0>11}", 身份证件号=None, 身份证件类型=None,
                 建籍日期=built, 入学年月=built.replace(day=1))
    elif identity == "ID错位":
        wrong = _mistype(rng, full, taken)
        b.update(身份证件号=wrong, 学籍号="G" + wrong)
        finds.append("ID-01")
    else:
        from ..ids import upgrade_15_to_18

        short = full[:6] + full[8:17]
        b.update(身份证件号=short, 学籍号="G" + upgrade_15_to_18(short))
        finds += ["ID-05", "ID-02"]
    if kind == "繁简":
        trad = nm.traditional(r["姓名"])
        if trad != r["姓名"]:
            b["姓名"] = trad
        else:
            kind = "同音形近"
    if kind == "同音形近":
        typo = nm.typo(r["姓名"], rng)
        if typo:
            b["姓名"] = typo
        else:
            kind = ""
    if kind == "日月颠倒":
        bd = r["出生日期"]
        if bd.day <= 12 and bd.day != bd.month and age_ok(ctx, a, bd.replace(month=bd.day, day=bd.month)):
            b["出生日期"] = bd.replace(month=bd.day, day=bd.month)
        else:
            kind = ""
    if kind:
        noise.append(kind)
    return noise, finds
