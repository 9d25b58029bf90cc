"""Grades against the record's own dates (RULES.md H): ST-07 and TR-12.

- **ST-07** 年级与入学年月不符 (中): a 在校 record with 入学年月 whose expected grade — the entry
  grade of its current stage (小学 1; 初中 7, or 6 in a 五四 school; 高中 10; a 九年一贯制 pupil in
  grade 7–9 entered 初中 in year 7) plus the school years from the one of 入学年月 to the one of
  ``as_of``, turning at the 升级 — differs from 年级, unless a 核办通过 留级 or 跳级 of the student,
  or a 核办通过 transfer across provinces or between schools of different 学制, explains it.
- **TR-12** 非起始年级新建学籍 (中): 建籍日期 within the last *12* months (after ``as_of`` − 12
  months, not after ``as_of``) in a grade that is not an entry grade of its 学制 (1, 7, 10; 五四:
  1, 6, 10), with no 核办通过 transfer of that 学籍号 into that school.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..terms import entry_grades, school_year_start, school_year_starts
from .catalogue import Param, register, rule
from .context import CROSS_PROVINCE, Context, day, result, text, ymd
from .records import _school_column

GRADE_BUSINESSES = ("留级", "跳级")


def stage_entry(grade: pd.Series, wusi: np.ndarray) -> pd.Series:
    """The entry grade of the stage each grade belongs to (1, 6 / 7, 10)."""
    g = grade.astype("Int64")
    junior = np.where(wusi, 6, 7)
    out = np.where((g >= 10).fillna(False), 10,
                   np.where((g >= junior).fillna(False), junior, 1))
    return pd.Series(out, index=grade.index).where(g.notna())


def _explained(ctx: Context, xjh: pd.Series) -> np.ndarray:
    """Students with a 核办通过 留级 / 跳级, or a 核办通过 transfer across provinces or 学制."""
    if not ctx.has("changes"):
        return np.zeros(len(xjh), dtype=bool)
    c = ctx.all_changes()
    ok = ctx.mask("changes", "业务状态", "核办通过")
    grade_biz = ctx.mask("changes", "业务类型", *GRADE_BUSINESSES)
    cross = ctx.mask("changes", "业务类型", *CROSS_PROVINCE)
    if ctx.has("schools"):
        sch = ctx.tables["schools"].drop_duplicates("学校标识码").set_index("学校标识码")["学制"]
        a, b = c["转出学校标识码"].map(sch), c["转入学校标识码"].map(sch)
        cross = cross | (a.notna() & b.notna() & (a != b)).fillna(False).to_numpy(dtype=bool)
    keys = c.loc[ok & (grade_biz | cross), "学籍号"].dropna().unique()
    return xjh.isin(keys).fillna(False).to_numpy()


def st07(ctx: Context) -> pd.DataFrame:
    s = ctx.students
    wusi = (_school_column(ctx, "学制") == "五四").fillna(False).to_numpy()
    entry = stage_entry(s["年级"], wusi)
    years = school_year_start(ctx.as_of.date(), ctx.promotion) - school_year_starts(
        s["入学年月"], ctx.promotion)
    expected = (entry + years).astype("Int64")
    hit = (ctx.mask("students", "学籍状态", "在校")
           & (s["年级"].astype("Int64") != expected).fillna(False).to_numpy()
           & ~_explained(ctx, s["学籍号"]))
    f, entry, expected = s[hit], entry[hit], expected[hit]
    detail = ("入学年月 " + ymd(f["入学年月"]).str[:7] + "（本学段起始" + text(entry.astype("Int64"))
              + "年级），按正常升级现应在" + text(expected) + "年级，登记为" + text(f["年级"])
              + "年级，且无留级、跳级或跨学制转学记录")
    return result(f, detail)


def tr12(ctx: Context) -> pd.DataFrame:
    months = ctx.params["months"]
    s = ctx.students
    wusi = (_school_column(ctx, "学制") == "五四").fillna(False).to_numpy()
    grade = s["年级"]
    entry = np.where(wusi, grade.isin(entry_grades("五四")).fillna(False).to_numpy(),
                     grade.isin(entry_grades("六三")).fillna(False).to_numpy())
    built = day(s["建籍日期"])
    since = ctx.as_of - pd.DateOffset(months=months)
    recent = ((built > since) & (built <= ctx.as_of)).fillna(False).to_numpy()
    hit = recent & ~entry & grade.notna().to_numpy()
    if ctx.has("changes") and hit.any():
        c = ctx.changes_of()
        c = c[(c["业务状态"] == "核办通过").fillna(False).to_numpy()]
        moved = set(zip(c["学籍号"], c["转入学校标识码"], strict=True))
        pos = np.flatnonzero(hit)
        came = [(x, sc) in moved for x, sc in zip(s["学籍号"].to_numpy()[pos],
                                                  s["学校标识码"].to_numpy()[pos], strict=True)]
        hit[pos[np.asarray(came, dtype=bool)]] = False
    f = s[hit]
    detail = ("建籍日期 " + ymd(f["建籍日期"]) + "（近" + str(months) + "个月内），年级为"
              + text(f["年级"]) + "年级，不是起始年级，且无转入本校的转学记录；应核实是否经全国查重")
    return result(f, detail)


register(
    "grades",
    rule("ST-07", "年级与入学年月不符", "中",
         ("students", "students.入学年月"), "办法2013 第十二条 (正常升级)",
         "在校学生按入学年月正常升级应在的年级与登记年级不同，且无留级、跳级或跨学制转学记录", st07),
    rule("TR-12", "非起始年级新建学籍", "中", ("students", "students.建籍日期"),
         "通知2016 附件1 二", "近期在非起始年级新建学籍且无转入本校的转学记录（须经全国查重）", tr12,
         (Param("months", 12, "int", "新建学籍的回看期（月）"),)),
)
