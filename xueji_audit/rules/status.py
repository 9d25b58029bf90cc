"""B. Status and record keeping: ST-01..05."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import STRING
from .catalogue import Param, register, rule
from .context import Context, day, result, text, ymd


def _compulsory(grades: pd.Series) -> np.ndarray:
    return grades.between(1, 9).fillna(False).to_numpy()


def st01(ctx: Context) -> pd.DataFrame:
    s = ctx.students
    by_status = ctx.mask("students", "学籍状态", "退学", "开除") & _compulsory(s["年级"])
    biz = pd.Series("", index=s.index, dtype=object)
    if ctx.has("changes"):  # RULES.md H: a 退学 business, whatever the current status
        c = ctx.all_changes()
        c = c[ctx.mask("changes", "业务类型", *LEAVING) & ~ctx.mask("changes", "业务状态", "撤销")
              & (c["_pos"] >= 0).to_numpy()]
        grade = c["原年级"].astype("Int64").fillna(
            s["年级"].astype("Int64").iloc[c["_pos"].to_numpy()].set_axis(c.index))
        c = c[_compulsory(grade)].drop_duplicates("_pos")
        biz.iloc[c["_pos"].to_numpy()] = ("；办理过" + text(c["业务类型"]) + "业务（"
                                          + text(c["业务编号"]) + "，" + ymd(c["发起日期"])
                                          + " 发起，" + text(c["业务状态"]) + "）").to_numpy()
    hit = by_status | (biz != "").to_numpy()
    f = s[hit]
    detail = ("义务教育阶段（" + text(f["年级"]) + "年级）学生学籍状态为" + text(f["学籍状态"])
              + biz[hit] + "，义务教育阶段不得办理退学或开除，请核实并恢复学籍或按其他离校处理")
    return result(f, detail)


LEAVING = ("退学", "开除")


def _approved(ctx: Context, kind: str) -> pd.DataFrame:
    c = ctx.tables["changes"]
    return c[ctx.mask("changes", "业务类型", kind) & ctx.mask("changes", "业务状态", "核办通过")]


def _started_after(s: pd.DataFrame, start: pd.Series, business: pd.DataFrame) -> pd.DataFrame:
    """The ``business`` rows of each student of ``s`` started after that student's ``start``,
    with ``pos``, the student's row position in ``s``."""
    both = pd.DataFrame({"学籍号": s["学籍号"], "start": start, "pos": range(len(s))}).merge(
        business[["学籍号", "发起日期", "办结日期"]], on="学籍号")
    return both[(day(both["发起日期"]) > both["start"]).to_numpy()]


def st02(ctx: Context) -> pd.DataFrame:
    s = ctx.rows("students", "学籍状态", "休学")
    years = ctx.params["years"]
    start = day(s["休学日期"]) if ctx.has("students.休学日期") else pd.Series(
        pd.NaT, index=s.index, dtype="datetime64[ns]")
    resumed = pd.Series(False, index=s.index)
    renewal = pd.Series(False, index=s.index)
    if ctx.has("changes"):
        leave = _approved(ctx, "休学").dropna(subset=["办结日期"])
        last = day(leave.groupby("学籍号")["办结日期"].max())
        start = start.fillna(s["学籍号"].map(last))
        # 休学期满后确需继续休学的，应重新申请办理 (办法2025): a 休学 applied for after the
        # leave began renews it, and the year runs from that approval
        renewed = day(_started_after(s, start, leave).groupby("pos")["办结日期"].max())
        start.iloc[renewed.index.to_numpy()] = renewed.to_numpy()
        renewal.iloc[renewed.index.to_numpy()] = True
        resumed.iloc[_started_after(s, start, _approved(ctx, "复学"))["pos"].unique()] = True
    due = start + pd.DateOffset(years=years)
    hit = ((due < ctx.as_of) & ~resumed).fillna(False).to_numpy()
    f = s[hit]
    began = pd.Series("起休学", index=f.index).where(~renewal[hit], "起续办休学")
    detail = ("自 " + ymd(start[hit]) + began + "，已超过" + str(years) + "年（应于 "
              + ymd(due[hit]) + " 前复学或续办休学），且无复学记录")
    return result(f, detail, due[hit])


def st03(ctx: Context) -> pd.DataFrame:
    s = ctx.students
    n = ctx.params["workdays"]
    dead = s[s["死亡日期"].notna().to_numpy()]
    due = ctx.add_workdays(dead["死亡日期"], n)
    if ctx.has("changes"):  # RULES.md H: the school's report, i.e. the business's 发起日期
        c = ctx.tables["changes"]
        c = c[ctx.mask("changes", "业务类型", "死亡") & ~ctx.mask("changes", "业务状态", "撤销")]
        reported = dead["学籍号"].map(day(c.groupby("学籍号")["发起日期"].min()))
        known = pd.Series(True, index=dead.index)
    else:  # without the changes table only the status tells whether it was deregistered
        reported = pd.Series(pd.NaT, index=dead.index, dtype="datetime64[ns]")
        known = dead["学籍状态"] != "死亡"
    as_of = pd.Series(ctx.as_of, index=dead.index)
    late_done = reported.notna() & (reported > due)
    late_open = reported.isna() & known.fillna(False) & (as_of > due)
    hit = (late_done | late_open).to_numpy()
    f, due, reported = dead[hit], due[hit], reported[hit]
    end = reported.fillna(as_of[hit])
    over = ctx.workdays_between(due, end).astype(STRING).fillna("?").astype(object)
    head = ("死亡日期 " + ymd(f["死亡日期"]) + "，学校应在" + str(n) + "个工作日内（" + ymd(due)
            + " 前）上报注销学籍；")
    tail = ("死亡业务于 " + ymd(reported) + " 才发起").where(
        reported.notna(), "截至 " + ymd(end) + " 仍未发起死亡业务")
    detail = head + tail + "，超期 " + over + " 个工作日"
    return result(f, detail, due)


def st04(ctx: Context) -> pd.DataFrame:
    s = ctx.students
    months = ctx.params["months"]
    entry = day(s["入学年月"]).dt.to_period("M").dt.to_timestamp()
    due = entry + pd.DateOffset(months=months)
    hit = (day(s["建籍日期"]) > due).fillna(False).to_numpy()
    f = s[hit]
    detail = ("入学年月 " + ymd(f["入学年月"]).str[:7] + "，建籍日期 " + ymd(f["建籍日期"])
              + "，超过入学后" + str(months) + "个月（" + ymd(due[hit]) + "）才建立学籍")
    return result(f, detail, due[hit])


def st05(ctx: Context) -> pd.DataFrame:
    s = ctx.students  # rows taken once, at the end (a wide table)
    # RULES.md H: only a term that has ended is judged — the one before the current term
    start = ctx.term_start_of(pd.Series([ctx.as_of]), back=1).iloc[0]
    end = ctx.term_start_of(pd.Series([ctx.as_of])).iloc[0] - pd.Timedelta(days=1)
    checked = day(s["最后核查日期"])
    hit = ctx.mask("students", "学籍状态", "在校") & (
        checked.isna() | (checked < start)).fillna(False).to_numpy()
    f = s[hit]
    last = ("最后核查日期 " + ymd(f["最后核查日期"])).where(f["最后核查日期"].notna(), "从未核查")
    detail = (last + "，上一学期（" + start.strftime("%Y-%m-%d") + " 至 "
              + end.strftime("%Y-%m-%d") + "）未核查学籍信息")
    return result(f, detail)


_ST = ("students",)
register(
    "status",
    rule("ST-01", "义务教育阶段学生退学或开除", "高", _ST,
         "办法2025 (义务教育阶段不予办理退学); 义务教育法 第二十七条",
         "1–9年级学生学籍状态为退学或开除，或办理过退学（开除）业务", st01),
    rule("ST-02", "休学超期", "高", (("students", "students.休学日期"), ("students", "changes")),
         "办法2025", "休学开始已超过规定年限，且无复学或续休记录", st02,
         (Param("years", 1, "int", "一次休学的最长年限（年）"),)),
    rule("ST-03", "死亡学籍注销超期", "高", ("students", "students.死亡日期"),
         "办法2013 第二十一条 (学校…报上级); 办法2025",
         "学校在死亡日期后超过规定工作日才发起死亡业务（或仍未发起）",
         st03, (Param("workdays", 60, "int", "死亡注销时限（工作日）"),)),
    rule("ST-04", "学籍建立超期", "高",
         ("students", "students.建籍日期", "students.入学年月"), "办法2013 第七条; 办法2025",
         "建籍日期晚于入学年月首日加规定月数", st04,
         (Param("months", 2, "int", "入学后建籍时限（月）"),)),
    rule("ST-05", "学籍信息未按学期核查", "中", ("students", "students.最后核查日期"),
         "通知2016 附件1 六; 办法2025 (每学期核准)", "在校学生在已结束的上一学期内未核查学籍信息", st05),
)
