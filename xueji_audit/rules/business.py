"""D. Transfers and other business: TR-01..11."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import TRANSFER_TYPES
from ..terms import graduating_grades, school_year_starts
from ..timing import step_timing
from .catalogue import Param, parse_monthday, register, rule
from .context import (
    CROSS_PROVINCE,
    Context,
    day,
    md_int,
    monthday,
    result,
    text,
    ymd,
    ymd_hm,
)

ARCHIVE_STEP = "调档"
GRADE_APPROVAL_STEP = "年级变更审批"
IN_SCHOOL_TRANSFERS = ("转学", "跨省转学")


def _who(ctx: Context, f: pd.DataFrame) -> dict[str, pd.Series]:
    """姓名 and 学校标识码 of a business's student from the register, else from the business."""
    if "_学校" in f.columns:  # rows of ctx.changes_of()
        school, name = f["_学校"], f["_姓名"]
    else:
        reg = ctx.register_of(f, ["学校标识码", "姓名"])
        school, name = reg["学校标识码"], reg["姓名"]
    if "转出学校标识码" in f.columns:
        school = school.fillna(f["转出学校标识码"])
    if "姓名" in f.columns:
        name = f["姓名"].fillna(name)
    return {"学校标识码": school, "姓名": name}


def _biz(ctx: Context, f: pd.DataFrame, detail: pd.Series, due=None) -> pd.DataFrame:
    return result(f, detail, due, **_who(ctx, f))


def _route(f: pd.DataFrame) -> pd.Series:
    return text(f["业务类型"]) + "（" + text(f["转出学校标识码"]) + "→" + text(f["转入学校标识码"]) + "）"


def _no_archive(ctx: Context, c: pd.DataFrame) -> np.ndarray:
    """Rows of ``c`` (changes rows) whose business has no step named 调档."""
    return ~ctx.has_step(ARCHIVE_STEP)[c.index.to_numpy()]


def timed_steps(steps: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """The steps TR-01 and the 月度通报 time (RULES.md H): those of 转学, 跨省转学 and
    毕业后跨省就学 businesses, without the 调档 steps (TR-05 times those)."""
    transfers = changes.loc[changes["业务类型"].isin(TRANSFER_TYPES).fillna(False).to_numpy(),
                            "业务编号"]
    keep = steps["业务编号"].isin(transfers) & ~(steps["环节名称"] == ARCHIVE_STEP).fillna(False)
    return steps[keep.fillna(False).to_numpy()]


def tr01(ctx: Context) -> pd.DataFrame:
    n = ctx.params["workdays"]
    st = ctx.tables["steps"]
    cc, sc = ctx.business_codes()
    transfer = np.zeros(max(cc.max(initial=-1), sc.max(initial=-1)) + 2, dtype=bool)  # [-1]: NA
    transfer[cc[ctx.mask("changes", "业务类型", *TRANSFER_TYPES) & (cc >= 0)]] = True
    keep = transfer[sc] & (sc >= 0) & ~ctx.mask("steps", "环节名称", ARCHIVE_STEP)
    st = st[keep]
    timing = step_timing(st, ctx.as_of.date(), ctx.vacation_calendar, n)
    ctx.note_dates(timing["arrived"], timing["due_date"], pd.Series([ctx.as_of]))
    hit = timing["overdue"].to_numpy()
    f, t = st[hit], timing[hit]
    used = t["workdays"]
    end = t["handled"].fillna(ctx.as_of)
    first = np.full(len(transfer), -1)  # the business's first changes row, by code
    first[cc[::-1]] = np.arange(len(cc))[::-1]
    rows = first[sc[st.index.to_numpy()[hit]]]
    biz = ctx.all_changes().reindex(rows)
    f = f.assign(学籍号=biz["学籍号"].to_numpy(), 姓名=biz["姓名"].to_numpy(),
                 _学校=biz["_学校"].to_numpy(), _姓名=biz["_姓名"].to_numpy())
    due = t["due_date"]
    done = ("于 " + ymd(f["处理日期"]) + " 办理").where(f["处理日期"].notna(),
                                                   "截至 " + ymd(end) + " 仍未办理")
    detail = ("环节「" + text(f["环节名称"]) + "」于 " + ymd(f["到达日期"]) + " 到达「"
              + text(f["处理单位"]) + "」，" + done + "，用时 " + used.astype(str)
              + " 个工作日（不计寒暑假），超过" + str(n) + "个工作日时限 "
              + t["overdue_days"].astype(str) + " 天，应于 " + ymd(due) + " 前办理；责任单位："
              + text(f["处理单位"]))
    return _biz(ctx, f, detail, due)


def tr02(ctx: Context) -> pd.DataFrame:
    days = ctx.params["days"]
    c = ctx.changes_of()
    age = (ctx.as_of - day(c["发起日期"])).dt.days
    hit = ((c["业务状态"] == "在办") & (age > days)).fillna(False).to_numpy() & _no_archive(ctx, c)
    f, age = c[hit], age[hit]
    due = day(f["发起日期"]) + pd.Timedelta(days=days)
    detail = (_route(f) + "于 " + ymd(f["发起日期"]) + " 发起，至 " + ctx.as_of.strftime("%Y-%m-%d")
              + " 已 " + age.astype(str) + " 天仍在办且未进入调档，超过" + str(days)
              + "天应予清理")
    return _biz(ctx, f, detail, due)


def tr03(ctx: Context) -> pd.DataFrame:
    a, b = md_int(parse_monthday(ctx.params["start"])), md_int(parse_monthday(ctx.params["end"]))
    c = ctx.changes_of(IN_SCHOOL_TRANSFERS)
    hit = monthday(c["发起日期"]).between(a, b).fillna(False).to_numpy()
    f = c[hit]
    detail = (_route(f) + "于 " + ymd_hm(f["发起日期"]) + " 发起，处于暑期冻结期（"
              + ctx.params["start"] + " 至 " + ctx.params["end"] + "）内")
    return _biz(ctx, f, detail)


def tr04(ctx: Context) -> pd.DataFrame:
    c = ctx.changes_of(("毕业后跨省就学",))
    md = monthday(c["发起日期"])
    inside = pd.Series(False, index=c.index)
    for a, b in ctx.params["windows"]:
        inside |= md.between(md_int(parse_monthday(a)), md_int(parse_monthday(b))).fillna(False)
    hit = (~inside & c["发起日期"].notna()).to_numpy()
    f = c[hit]
    windows = "、".join(f"{a} 至 {b}" for a, b in ctx.params["windows"])
    detail = ("毕业后跨省就学于 " + ymd(f["发起日期"]) + " 发起，不在规定的申请时间（" + windows + "）内")
    return _biz(ctx, f, detail)


def _last_approval(ctx: Context) -> np.ndarray:
    """Per changes row: 处理日期 of the business's last step (by 环节序号) not named 调档."""
    cc, sc = ctx.business_codes()
    st = ctx.tables["steps"]
    keep = ~ctx.mask("steps", "环节名称", ARCHIVE_STEP)
    seq = st["环节序号"].fillna(0).to_numpy(dtype=np.int64)[keep]
    code, handled = sc[keep], st["处理日期"].to_numpy(dtype="datetime64[ns]")[keep]
    order = np.lexsort((seq, code))
    last = np.full(max(cc.max(initial=-1), sc.max(initial=-1)) + 1, np.datetime64("NaT"),
                   dtype="datetime64[ns]")
    last[code[order]] = handled[order]  # later assignments (higher 环节序号) win
    return last[cc]


def tr05(ctx: Context) -> pd.DataFrame:
    n = ctx.params["workdays"]
    c = ctx.changes_of(CROSS_PROVINCE)
    c = c[(c["业务状态"] == "核办通过").fillna(False).to_numpy() & _no_archive(ctx, c)]
    c = c.assign(_c=_last_approval(ctx)[c.index.to_numpy()])
    c = c[c["_c"].notna().to_numpy()]
    used = ctx.workdays_between(c["_c"], pd.Series(ctx.as_of, index=c.index))
    hit = (used > n).fillna(False).to_numpy()
    f, used = c[hit], used[hit]
    due = ctx.add_workdays(f["_c"], n)
    detail = (_route(f) + "审批已于 " + ymd(f["_c"]) + " 完成，至今 " + used.astype(str)
              + " 个工作日仍无调档环节（应在" + str(n) + "个工作日内、" + ymd(due) + " 前调档）")
    return _biz(ctx, f, detail, due)


def tr06(ctx: Context) -> pd.DataFrame:
    ok = ctx.mask("changes", "业务状态", "核办通过")
    t = ctx.changes_of().dropna(subset=["发起日期", "学籍号"])
    t = t.assign(_n=range(len(t))).sort_values("发起日期")

    def latest(kind: str, col: str) -> pd.Series:
        ev = ctx.changes_of((kind,))
        ev = ev[ok[ev.index.to_numpy()] & ev["发起日期"].notna().to_numpy()
                & ev["学籍号"].notna().to_numpy()]
        ev = ev[["_key", "发起日期"]].sort_values("发起日期")
        ev = ev.assign(**{col: ev["发起日期"]})
        m = pd.merge_asof(t[["_key", "发起日期", "_n"]], ev, on="发起日期", by="_key",
                          allow_exact_matches=False)
        return m.set_index("_n")[col].sort_index()

    leave, back = latest("休学", "h"), latest("复学", "r")
    t = t.sort_values("_n")
    hit = (leave.notna() & (back.isna() | (back <= leave))).to_numpy()
    f, leave = t[hit], leave[hit].set_axis(t.index[hit])
    detail = (_route(f) + "于 " + ymd(f["发起日期"]) + " 发起，学生已于 " + ymd(leave)
              + " 办理休学且此后未复学，休学学生应先复学再转学")
    return _biz(ctx, f, detail)


def _graduating(ctx: Context, c: pd.DataFrame) -> pd.Series:
    """原年级 is a graduating grade: 五四 grades when the 转出 school is a 五四 小学."""
    wusi = pd.Series(False, index=c.index)
    if ctx.has("schools"):
        sch = ctx.tables["schools"].drop_duplicates("学校标识码").set_index("学校标识码")
        wusi = ((c["转出学校标识码"].map(sch["学制"]) == "五四")
                & (c["转出学校标识码"].map(sch["学段"]) == "小学")).fillna(False)
    six3 = c["原年级"].isin(graduating_grades("六三")).fillna(False)
    five4 = c["原年级"].isin(graduating_grades("五四")).fillna(False)
    return five4.where(wusi, six3)


def tr07(ctx: Context) -> pd.DataFrame:
    md = parse_monthday(ctx.params["deadline"])
    c = ctx.changes_of()
    c = c[_graduating(ctx, c).to_numpy() & c["发起日期"].notna().to_numpy()]
    end_year = school_year_starts(c["发起日期"], ctx.promotion).astype("int64") + 1
    deadline = pd.to_datetime(pd.DataFrame({"year": end_year, "month": md[0], "day": md[1]}))
    closed = day(c["办结日期"])
    late = (closed.notna() & (closed > deadline)) | (
        (c["业务状态"] == "在办") & closed.isna() & (ctx.as_of > deadline))
    hit = ((day(c["发起日期"]) <= deadline) & late).fillna(False).to_numpy()
    f, deadline, closed = c[hit], deadline[hit], closed[hit]
    state = ("至 " + ymd(closed) + " 才办结").where(closed.notna(), "至今仍在办")
    detail = (_route(f) + "，原年级" + text(f["原年级"]) + "年级为毕业年级，于 " + ymd(f["发起日期"])
              + " 发起，应在毕业前（" + ymd(deadline) + "）办结，" + state)
    return _biz(ctx, f, detail, deadline)


def _systems(ctx: Context, schools: pd.Series) -> pd.Series:
    """学制 (六三 / 五四) of each 学校标识码 from the schools table (NA when unknown)."""
    if not ctx.has("schools"):
        return pd.Series(pd.NA, index=schools.index, dtype=object)
    sch = ctx.tables["schools"].drop_duplicates("学校标识码").set_index("学校标识码")["学制"]
    return schools.map(sch)


def tr08(ctx: Context) -> pd.DataFrame:
    c = ctx.changes_of()
    # RULES.md H: only across provinces or between schools of different 学制
    a, b = _systems(ctx, c["转出学校标识码"]), _systems(ctx, c["转入学校标识码"])
    cross = c["业务类型"].isin(CROSS_PROVINCE).fillna(False) | (
        a.notna() & b.notna() & (a != b)).fillna(False).astype(bool)
    c = c[cross.to_numpy()]
    expected = c["原年级"].astype("Int64") + (c["业务类型"] == "毕业后跨省就学").astype("Int64")
    approved = ctx.has_step(GRADE_APPROVAL_STEP, "通过")[c.index.to_numpy()]
    hit = (c["转入年级"] != expected).fillna(False).to_numpy() & ~approved
    f = c[hit]
    detail = (_route(f) + "原年级" + text(f["原年级"]) + "年级，应转入" + text(expected[hit])
              + "年级，实际转入" + text(f["转入年级"]) + "年级，未见「" + GRADE_APPROVAL_STEP
              + "」通过记录")
    return _biz(ctx, f, detail)


def tr09(ctx: Context) -> pd.DataFrame:
    months = ctx.params["months"]
    c = ctx.changes_of(("毕业回退",))
    g = day(ctx.register_of(c, ["毕业日期"])["毕业日期"])
    due = g + pd.DateOffset(months=months)
    hit = (day(c["发起日期"]) > due).fillna(False).to_numpy()
    f, g, due = c[hit], g[hit], due[hit]
    detail = ("毕业日期 " + ymd(g) + "，毕业回退于 " + ymd(f["发起日期"]) + " 发起，超过毕业后"
              + str(months) + "个月（" + ymd(due) + "）")
    return _biz(ctx, f, detail, due)


KEY_ITEMS = ("姓名", "身份证件号", "性别", "出生日期", "民族")
"""Items whose change needs 证明材料 (通知2016 附件1 一.3; RULES.md H: 办法2013 第十条, 西吉2020)."""


def tr10(ctx: Context) -> pd.DataFrame:
    m = ctx.tables["modifications"]
    hit = (m["变更项目"].isin(KEY_ITEMS) & (m["证明材料"] == "无")).fillna(False)
    f = m[hit.to_numpy()]
    detail = (ymd(f["变更日期"]) + " 将" + text(f["变更项目"]) + "由「" + text(f["原值"]) + "」改为「"
              + text(f["新值"]) + "」，未上传证明材料")
    return _biz(ctx, f, detail)


def tr11(ctx: Context) -> pd.DataFrame:
    c = ctx.changes_of(IN_SCHOOL_TRANSFERS)
    f = c[(c["证明材料"] == "无").fillna(False).to_numpy()]
    detail = _route(f) + "于 " + ymd(f["发起日期"]) + " 发起，转入学校未上传转学原因证明材料"
    return _biz(ctx, f, detail)


def tr13(ctx: Context) -> pd.DataFrame:
    a, b = (md_int(parse_monthday(x)) for x in ctx.params["window"])
    md = parse_monthday(ctx.params["deadline"])
    c = ctx.changes_of(("毕业后跨省就学",))
    c = c[monthday(c["发起日期"]).between(a, b).fillna(False).to_numpy()]
    year = pd.to_datetime(c["发起日期"]).dt.year.astype("int64")
    deadline = pd.to_datetime(pd.DataFrame({"year": year, "month": md[0], "day": md[1]},
                                           index=c.index))
    closed = day(c["办结日期"])
    late = (closed > deadline) | (closed.isna() & (c["业务状态"] == "在办")
                                  & (ctx.as_of > deadline))
    hit = late.fillna(False).to_numpy()
    f, deadline, closed = c[hit], deadline[hit], closed[hit]
    state = ("至 " + ymd(closed) + " 才办结").where(closed.notna(), "至今仍在办")
    detail = ("毕业后跨省就学于 " + ymd(f["发起日期"]) + " 发起（秋季申请期），应在 " + ymd(deadline)
              + " 前完成，" + state)
    return _biz(ctx, f, detail, deadline)


_C, _CS, _CT = ("changes",), ("changes", "steps"), ("students", "changes")
_B16 = "通知2016 附件1 "
register(
    "business",
    rule("TR-01", "核办环节超期", "高", _CS,
         "办法2013 第十四条; 通知2016 附件1 三.7; 办法2025",
         "转学类业务的审核环节到达后超过规定工作日才处理（或仍未处理），寒暑假不计，"
         "调档环节由TR-05计时，列明责任单位", tr01,
         (Param("workdays", 10, "int", "每个环节的办理时限（工作日）"),)),
    rule("TR-02", "业务超90天未办结", "高", _CS, _B16 + "三.7",
         "转学业务发起超过规定天数仍在办且未进入调档", tr02,
         (Param("days", 90, "int", "在办业务清理期限（日）"),)),
    rule("TR-03", "暑期冻结期发起转学", "高", _C, _B16 + "三.5",
         "转学或跨省转学在暑期冻结期内发起", tr03,
         (Param("start", "07-15", "monthday", "冻结期开始（含）"),
          Param("end", "08-14", "monthday", "冻结期结束（含当日24时前）"))),
    rule("TR-04", "毕业后跨省就学发起时间违规", "高", _C, _B16 + "三.5",
         "毕业后跨省就学不在规定的申请时间内发起", tr04,
         (Param("windows", [["08-15", "12-14"], ["03-01", "05-31"]], "windows",
                "允许发起的时间段（含首尾）"),)),
    rule("TR-05", "调档超期", "高", _CS, _B16 + "三.6",
         "跨省业务审批完成后超过规定工作日仍无调档环节", tr05,
         (Param("workdays", 10, "int", "调档时限（工作日）"),)),
    rule("TR-06", "休学学生直接办理转学", "高", _C, _B16 + "三.2",
         "学生休学期间（未复学）发起转学", tr06),
    rule("TR-07", "毕业年级转学未在毕业前办结", "高", _C, _B16 + "三.5",
         "毕业年级学生的转学在毕业前（7月30日）仍未办结", tr07,
         (Param("deadline", "07-30", "monthday", "毕业年级转学办结截止日"),)),
    rule("TR-08", "跨学制转学年级变更", "中", _C, _B16 + "四.2",
         "跨省或跨学制转学的转入年级与原年级不对应，且无年级变更审批通过记录", tr08),
    rule("TR-09", "毕业回退超期", "高", ("changes", "students.毕业日期"), _B16 + "四.3",
         "毕业回退在毕业日期后超过规定月数才发起", tr09,
         (Param("months", 6, "int", "毕业回退期限（月）"),)),
    rule("TR-10", "关键信息修改无证明材料", "高", ("modifications",),
         _B16 + "一.3; 办法2013 第十条; 西吉2020 二(四)",
         "修改姓名、身份证件号、性别、出生日期或民族未上传证明材料", tr10),
    rule("TR-11", "转学缺少转学原因证明材料", "高", _C, _B16 + "三.1",
         "转学或跨省转学未上传转学原因证明材料", tr11),
    rule("TR-13", "毕业后跨省就学超期未办结", "高", _C, _B16 + "三.5 (11月30日之前完成)",
         "秋季申请期发起的毕业后跨省就学在当年11月30日前未办结", tr13,
         (Param("window", ["08-15", "12-14"], "monthday_pair", "秋季申请期（含首尾）"),
          Param("deadline", "11-30", "monthday", "办结截止日"))),
)
