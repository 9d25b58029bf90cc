"""F. 人籍一致: RJ-01..06 and TR-14 (调档 of a child missing from the roster) over
:func:`xueji_audit.reconcile.reconcile`; the readings of RJ-05, RJ-06 and TR-14 are in docs/rules.md.

Readings of RULES.md section F chosen here (for docs/rules.md):

- The register side is the 在校 records only (docs/rules.md, Conventions). Matching is one to
  one, in the passes of :mod:`xueji_audit.reconcile`: 学籍号 / 身份证件号 when the roster has
  them, then at the same school class + name + sex, name + sex, homophone and look-alike
  codes (names in their simplified normal form), then across schools by the same keys only
  where the key is unambiguous. A roster 出生日期, when present, must equal the register's.
- A school's roster "was taken" when the rosters table has at least one row for it; a roster
  row with a 离校日期 still accounts for its child (it is RJ-04's business, not RJ-01's).
- **RJ-01**: a 在校 record at a school S whose roster was taken, in a class with at least one
  roster row (RULES.md H: a class without a roster is RJ-05's), not matched to a row of S's
  roster — also when it matched a row of another school's roster (then it is RJ-03 as well:
  the child is not on S's roster, literally).
- **RJ-02**: a roster row matched to no 在校 record anywhere; 学籍号 empty.
- **RJ-03**: a roster row at S matched to a 在校 record at T ≠ S; the finding is on the
  record (学籍号, its school T), the detail names S. Not raised (RULES.md H) for a student of a
  特殊教育 school or 专门学校, a 送教上门 student, or while a transfer between S and T is 在办;
  RJ-01's detail names such an exemption where it applies.
- **RJ-04**: a matched roster row with 离校日期 such that 离校日期 + *3* months < as_of (the
  matched record is 在校 by construction).

Every RJ finding carries ``类别`` (在籍不在校 / 在校不在籍 / 人籍分离; RJ-04 在籍不在校) and an
empty ``原因`` for the school to fill with one of :data:`~xueji_audit.reconcile.CAUSES`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..reconcile import CAUSES, ReconcileResult, reconcile
from .business import ARCHIVE_STEP
from .catalogue import Param, register, rule
from .context import RESULT_COLUMNS, Context, day, result, text, ymd

_NEEDS = ("students", "rosters")
_BASIS = "西吉2020 二(一); 办法2025 (人籍分离)"
_CAUSE_HINT = "请学校核实并在「原因」栏填写：" + "／".join(CAUSES)


def reconciled(ctx: Context) -> ReconcileResult:
    """The roster ↔ register matching of this audit, computed once for RJ-01..04."""
    return ctx.cached("reconcile", lambda: reconcile(ctx.students, ctx.tables["rosters"]))


def _tag(frame: pd.DataFrame, category: str) -> pd.DataFrame:
    return frame.assign(类别=category, 原因="")


SPECIAL_STAGE = "特殊教育"
SPECIAL_SCHOOL_WORD = "专门学校"
HOME_TEACHING = "送教上门"


def _special_schools(ctx: Context) -> frozenset:
    """学校标识码 of 特殊教育 schools (学段) and 专门学校 (by name)."""
    def make():
        if not ctx.has("schools"):
            return frozenset()
        sch = ctx.tables["schools"]
        hit = (sch["学段"] == SPECIAL_STAGE).fillna(False) | sch["学校名称"].str.contains(
            SPECIAL_SCHOOL_WORD, regex=False).fillna(False)
        return frozenset(sch.loc[hit.to_numpy(), "学校标识码"].dropna())
    return ctx.cached("special_schools", make)


def exemptions(ctx: Context, register_row: pd.Series, other_school: pd.Series | None
               ) -> pd.Series:
    """Why RJ-03 is not raised for each register record (RULES.md H), "" when it is: a
    特殊教育 school or 专门学校 student, a 送教上门 student, or a transfer 在办 between its school
    and ``other_school`` (with None: any transfer 在办 out of its school)."""
    pos = register_row.to_numpy()
    s = ctx.students
    school = s["学校标识码"].iloc[pos].reset_index(drop=True)
    why = pd.Series("", index=range(len(pos)), dtype=object)
    special = _special_schools(ctx)
    sp = school.isin(special)
    if other_school is not None:
        sp |= other_school.reset_index(drop=True).isin(special)
    why[sp.to_numpy()] = "特殊教育学校或专门学校学生"
    home = (s["随班就读"].iloc[pos] == HOME_TEACHING).fillna(False).to_numpy()
    why[home & (why == "").to_numpy()] = "送教上门学生"
    if ctx.has("changes"):
        c = ctx.changes_of()
        c = c[(c["业务状态"] == "在办").fillna(False).to_numpy()]
        pending = set(zip(c["学籍号"], c["转出学校标识码"], c["转入学校标识码"], strict=True))
        xjh = s["学籍号"].iloc[pos].to_numpy()
        if other_school is None:
            out_of = {(x, a) for x, a, _ in pending}
            busy = [(x, t) in out_of for x, t in zip(xjh, school, strict=True)]
        else:
            busy = [(x, t, o) in pending or (x, o, t) in pending for x, t, o in
                    zip(xjh, school, other_school.reset_index(drop=True), strict=True)]
        why[pd.Series(busy, dtype=bool).to_numpy() & (why == "").to_numpy()] = "两校间转学在办"
    return why


def _handed_classes(ctx: Context) -> pd.MultiIndex:
    """(学校标识码, 班级) of every class with at least one roster row."""
    r = ctx.tables["rosters"]
    return ctx.cached("handed_classes", lambda: pd.MultiIndex.from_frame(
        r[["学校标识码", "班级"]].dropna().drop_duplicates()))


def rj01(ctx: Context) -> pd.DataFrame:
    f = reconciled(ctx).absent
    # RULES.md H (RJ-05): a class whose roster was not handed in is not checked by RJ-01
    handed = pd.MultiIndex.from_frame(f[["学校标识码", "班级"]]).isin(_handed_classes(ctx))
    f = f[handed | f["班级"].isna().to_numpy()]
    why = exemptions(ctx, f["register_row"], None).to_numpy()
    note = pd.Series(why, index=f.index, dtype=object)
    note = ("（说明：" + note + "，不计人籍分离）").where(note != "", "")
    detail = ("学籍系统中在校（" + text(f["班级"]) + "），但不在本校在校名单上（在籍不在校）"
              + note + "。" + _CAUSE_HINT)
    return _tag(result(f, detail), "在籍不在校")


def rj02(ctx: Context) -> pd.DataFrame:
    f = reconciled(ctx).unregistered
    detail = ("在校名单上有此学生（" + text(f["班级"]) + "，" + text(f["性别"])
              + "），但全县学籍系统中找不到其在校学籍（在校不在籍）。" + _CAUSE_HINT)
    return _tag(result(f.assign(学籍号=pd.NA), detail), "在校不在籍")


def rj03(ctx: Context) -> pd.DataFrame:
    p = reconciled(ctx).separated
    p = p[(exemptions(ctx, p["register_row"], p["roster_school"]) == "").to_numpy()]
    f = pd.DataFrame({"学籍号": p["学籍号"], "姓名": p["register_name"],
                      "学校标识码": p["register_school"], "班级": p["register_class"]})
    detail = ("学籍在 " + text(p["register_school"]) + "（在校），人在 " + text(p["roster_school"])
              + " " + text(p["roster_class"]) + " 就读（名单姓名 " + text(p["roster_name"])
              + "），人籍分离，应按籍随人走办理转学。" + _CAUSE_HINT)
    return _tag(result(f, detail), "人籍分离")


def rj04(ctx: Context) -> pd.DataFrame:
    months = ctx.params["months"]
    res = reconciled(ctx)
    rosters = ctx.tables["rosters"]
    p = res.pairs
    left = day(rosters["离校日期"]).iloc[p["roster_row"].to_numpy()].to_numpy()
    p = p.assign(left=left)
    due = p["left"] + pd.DateOffset(months=months)
    hit = (due < ctx.as_of).fillna(False).to_numpy()
    p, due = p[hit], due[hit]
    f = pd.DataFrame({"学籍号": p["学籍号"], "姓名": p["register_name"],
                      "学校标识码": p["register_school"], "班级": p["register_class"]})
    detail = ("在校名单记载该生已于 " + ymd(p["left"]) + " 离校，超过" + str(months)
              + "个月（" + ymd(due) + "）仍为在校状态，应按其他离校处理。" + _CAUSE_HINT)
    return _tag(result(f, detail, due), "在籍不在校")


def rj05(ctx: Context) -> pd.DataFrame:
    reg = ctx.students[["学校标识码", "班级"]][ctx.mask("students", "学籍状态", "在校")]
    reg = reg[reg["学校标识码"].notna().to_numpy()]
    r = ctx.tables["rosters"]
    taken = set(r["学校标识码"].dropna())
    whole = reg[~reg["学校标识码"].isin(taken).to_numpy()].groupby(
        "学校标识码", observed=True).size().rename("n").reset_index()
    whole = whole.assign(班级=pd.NA)
    classes = reg[reg["学校标识码"].isin(taken).to_numpy()].dropna(subset=["班级"])
    classes = classes.groupby(["学校标识码", "班级"], observed=True).size().rename("n").reset_index()
    gap = classes[~pd.MultiIndex.from_frame(classes[["学校标识码", "班级"]]).isin(
        _handed_classes(ctx))]
    detail_whole = ("本校学籍系统有在校学生 " + whole["n"].astype(str)
                    + " 人，但未提交任何在校名单，人籍一致无法核对（逐班核对）")
    detail_gap = ("本校已提交其他班级的在校名单，但 " + text(gap["班级"]) + "（学籍系统在校 "
                  + gap["n"].astype(str) + " 人）未提交名单，该班未做在籍不在校核对")
    parts = [p.astype({c: "string" for c in RESULT_COLUMNS if c != "due_date"})
             for p in (result(whole, detail_whole), result(gap, detail_gap))]
    return pd.concat(parts, ignore_index=True)


def rj06(ctx: Context) -> pd.DataFrame:
    n = ctx.params["workdays"]
    r = ctx.tables["rosters"].dropna(subset=["学校标识码", "核对日期"])
    g = r.groupby(["学校标识码", "班级"], observed=True, dropna=False)["核对日期"].max().reset_index()
    start = ctx.term_start_of(g["核对日期"])
    limit = ctx.add_workdays(start - pd.Timedelta(days=1), n)
    hit = (day(g["核对日期"]) > limit).fillna(False).to_numpy()
    f, start, limit = g[hit], start[hit], limit[hit]
    detail = ("在校名单核对日期 " + ymd(f["核对日期"]) + "，本学期 " + ymd(start) + " 开学，应在开学后"
              + str(n) + "个工作日内（" + ymd(limit) + " 前）完成逐班核对")
    return result(f, detail, limit)


def tr14(ctx: Context) -> pd.DataFrame:
    c = ctx.changes_of()
    st = ctx.tables["steps"]
    arch = st[ctx.mask("steps", "环节名称", ARCHIVE_STEP)]
    when = day(arch["处理日期"].fillna(arch["到达日期"])).groupby(arch["业务编号"]).min()
    c = c.assign(_调档=day(c["业务编号"].map(when)))
    c = c[c["_调档"].notna().to_numpy()]
    r = ctx.tables["rosters"]
    latest = day(r.groupby("学校标识码")["核对日期"].max())
    c = c.assign(_名单=c["转入学校标识码"].map(latest))
    c = c[(c["_名单"] > c["_调档"]).fillna(False).to_numpy()]
    p = reconciled(ctx).pairs
    on = set(zip(ctx.students["学籍号"].to_numpy()[p["register_row"].to_numpy()],
                 r["学校标识码"].to_numpy()[p["roster_row"].to_numpy()], strict=True))
    present = np.array([(x, sc) in on for x, sc in zip(c["学籍号"], c["转入学校标识码"],
                                                      strict=True)], dtype=bool)
    f = c[~present]
    detail = (text(f["业务类型"]) + "（" + text(f["转出学校标识码"]) + "→" + text(f["转入学校标识码"])
              + "）已于 " + ymd(f["_调档"]) + " 调档，但转入学校 " + ymd(f["_名单"])
              + " 核对的在校名单上没有该生：未报到的学生不得调档")
    school = f["_学校"].fillna(f["转入学校标识码"])
    return result(f, detail, 学校标识码=school, 姓名=f["姓名"].fillna(f["_姓名"]))


register(
    "rosters",
    rule("RJ-01", "在籍不在校", "高", _NEEDS, _BASIS,
         "学籍系统中在校，但已报送在校名单的学校名单上没有该生", rj01),
    rule("RJ-02", "在校不在籍", "高", _NEEDS, _BASIS,
         "在校名单上的学生在全县学籍系统中没有在校学籍", rj02),
    rule("RJ-03", "人籍分离", "高", _NEEDS,
         "办法2013 第六条, 第十七条; 西吉2020; 办法2025; 通知2016 附件1 一",
         "学生在甲校就读，学籍却在乙校在校（籍随人走，应办理转学）；特殊教育、专门学校、送教上门"
         "学生及两校间转学在办的除外", rj03),
    rule("RJ-04", "离校超3个月应置其他离校", "高", ("students", "rosters", "rosters.离校日期"),
         "通知2016 附件1 五.2", "在校名单记载已离校超过规定月数，学籍仍为在校", rj04,
         (Param("months", 3, "int", "离校后应置为其他离校的期限（月）"),)),
    rule("RJ-05", "未提交在校名单", "中", _NEEDS, "西吉2020 二(一) (逐班核对)",
         "有在校学生的学校未提交任何在校名单，或已提交名单的学校缺某班名单（该班未做在籍不在校核对）",
         rj05),
    rule("RJ-06", "在校名单核对超期", "低", ("rosters", "rosters.核对日期"),
         "西吉2020 二(一) (每学期开学一周内)", "班级在校名单的核对日期晚于开学后规定工作日", rj06,
         (Param("workdays", 5, "int", "开学后核对时限（工作日，开学日为第1天）"),)),
)

register(
    "roster_business",
    rule("TR-14", "学生未到校即调档", "高",
         ("students", "changes", "steps", "rosters", "rosters.核对日期"),
         "通知2016 附件1 三.6 (未报到的学生不得发起调档)",
         "已调档的转学，转入学校在调档后核对的在校名单上没有该生", tr14),
)
