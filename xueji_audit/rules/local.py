"""Local overlay of 西吉2020 (profile ``ningxia-xiji``): LX-01..07, off unless a profile enables them."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..terms import is_in_first_days, is_in_first_workdays, term_starts
from .business import IN_SCHOOL_TRANSFERS, _biz, _route
from .catalogue import Param, register, rule
from .classsize import register_sizes
from .context import Context, text, ymd

_BASIS = "西吉2020"


def lx01(ctx: Context) -> pd.DataFrame:
    grades = list(ctx.params["grades"])
    c = ctx.changes_of(IN_SCHOOL_TRANSFERS)
    hit = (c["原年级"].isin(grades) | c["转入年级"].isin(grades)).fillna(False).to_numpy()
    f = c[hit]
    detail = (_route(f) + "原年级" + text(f["原年级"]) + "年级、转入年级" + text(f["转入年级"])
              + "年级，属于起始或毕业年级，一般不准转学")
    return _biz(ctx, f, detail)


def lx02(ctx: Context) -> pd.DataFrame:
    low = ctx.params["min"]
    c = ctx.changes_of(IN_SCHOOL_TRANSFERS)
    c = c[(c["业务状态"] == "核办通过").fillna(False).to_numpy() & (c["_pos"] >= 0).to_numpy()]
    now = ctx.take_register(c["_pos"].to_numpy(), ["学籍状态", "学校标识码", "班级"])
    here = ((now["学籍状态"] == "在校") & (now["学校标识码"] == c["转入学校标识码"].to_numpy())
            ).fillna(False).to_numpy()
    m = c[here].assign(学校标识码=now["学校标识码"].to_numpy()[here],
                       班级=now["班级"].to_numpy()[here])
    m = m.merge(register_sizes(ctx), on=["学校标识码", "班级"])
    m = m.assign(before=m["n"] - 1)  # RULES.md H: the class before the child arrived
    m = m[(m["before"] >= low).to_numpy()]
    detail = (_route(m) + "转入 " + text(m["班级"]) + "，转入前该班已有在校学生 "
              + m["before"].astype(str) + " 人（" + str(low)
              + "人及以上为大班额），大班额班级原则上不接收转入")
    return _biz(ctx, m, detail)


def lx03(ctx: Context) -> pd.DataFrame:
    n = ctx.params["workdays"]
    c = ctx.changes_of(IN_SCHOOL_TRANSFERS).dropna(subset=["发起日期"])
    ctx.note_dates(c["发起日期"])
    ctx.term_start_of(c["发起日期"])  # notes the terms whose start was assumed
    inside = is_in_first_workdays(c["发起日期"], n, ctx.calendar, ctx.term_starts)
    f = c[~inside.fillna(True).to_numpy()]
    start = term_starts(f["发起日期"], ctx.term_starts)
    detail = (_route(f) + "于 " + ymd(f["发起日期"]) + " 发起，不在本学期（" + ymd(start)
              + " 开学）前" + str(n) + "个工作日的集中办理期内")
    return _biz(ctx, f, detail)


def lx04(ctx: Context) -> pd.DataFrame:
    days = ctx.params["days"]
    c = ctx.changes_of(("休学",)).dropna(subset=["发起日期"])
    ctx.term_start_of(c["发起日期"])
    inside = is_in_first_days(c["发起日期"], days, ctx.term_starts)
    f = c[~inside.fillna(True).to_numpy()]
    start = term_starts(f["发起日期"], ctx.term_starts)
    detail = ("休学于 " + ymd(f["发起日期"]) + " 发起，不在本学期（" + ymd(start) + " 开学）开学"
              + str(days) + "天内")
    return _biz(ctx, f, detail)


def lx07(ctx: Context) -> pd.DataFrame:
    c = ctx.changes_of(("休学", "复学"))
    f = c[(c["证明材料"] == "无").fillna(False).to_numpy()]
    need = text(f["业务类型"]).map({"休学": "诊断证明等休学证明", "复学": "康复证明等复学证明"})
    detail = text(f["业务类型"]) + "于 " + ymd(f["发起日期"]) + " 发起，未上传" + need + "材料"
    return _biz(ctx, f, detail)


def _key_changes(ctx: Context) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """(姓名 / 身份证件号 modifications, per-row student code, per-code counts [姓名, 证件号])."""
    def make():
        m = ctx.tables["modifications"]
        m = m[ctx.mask("modifications", "变更项目", "姓名", "身份证件号")
              & m["学籍号"].notna().to_numpy()]
        code = pd.factorize(m["学籍号"])[0]
        is_id = (m["变更项目"] == "身份证件号").to_numpy(dtype=bool)
        n = int(code.max(initial=-1)) + 1
        counts = np.stack([np.bincount(code[~is_id], minlength=n),
                           np.bincount(code[is_id], minlength=n)], axis=1)
        return m, code, counts
    return ctx.cached("key_changes", make)


def _changes_of_students(ctx: Context, keep) -> pd.DataFrame:
    """姓名 / 身份证件号 modifications of the students for whom ``keep(counts)`` holds (counts:
    per student [姓名, 身份证件号]), labelled and sorted by student and date."""
    m, code, counts = _key_changes(ctx)
    m = m[keep(counts)[code]].sort_values(["学籍号", "变更日期"], kind="stable")
    label = (text(m["变更项目"]) + " " + ymd(m["变更日期"]) + " " + text(m["原值"]) + "→"
             + text(m["新值"]))
    return m.assign(_label=label)


def _per_student(ctx: Context, m: pd.DataFrame, head: str) -> pd.DataFrame:
    g = m.groupby("学籍号", sort=True)["_label"]
    f = pd.DataFrame({"学籍号": g.size().index, "labels": g.agg("；".join).to_numpy()})
    return _biz(ctx, f, head + f["labels"])


def lx05(ctx: Context) -> pd.DataFrame:
    m = _changes_of_students(ctx, lambda n: n[:, 1] > 1)
    m = m[(m["变更项目"] == "身份证件号").to_numpy()]
    return _per_student(ctx, m, "身份证件号被修改一次以上（只能修改一次）：")


def lx06(ctx: Context) -> pd.DataFrame:
    m = _changes_of_students(ctx, lambda n: (n[:, 0] > 0) & (n[:, 1] > 0))
    return _per_student(ctx, m, "姓名和身份证件号均被修改（不能全部修改）：")


_T, _M = ("changes",), ("modifications",)
register(
    "local",
    rule("LX-01", "起始或毕业年级转学", "中", _T, _BASIS + " 二(二)1",
         "转出或转入年级为起始年级（一、七、高一）或毕业年级（六、九、高三）", lx01,
         (Param("grades", [1, 6, 7, 9, 10, 12], "grades", "起始与毕业年级"),), default_on=False),
    rule("LX-02", "大班额学校接收转入", "中", ("students", "changes"), _BASIS + " 二(二)1",
         "转入班级在该生转入前的在校人数已达到大班额", lx02,
         (Param("min", 56, "int", "大班额下限（人）"),), default_on=False),
    rule("LX-03", "非集中办理期申请转学", "中", _T, _BASIS + " 二(二)2",
         "转学不在每学期（按校历实际开学日）开学后前若干个工作日内发起（原则上，特殊情况除外）", lx03,
         (Param("workdays", 10, "int", "集中办理期（工作日）"),), default_on=False),
    rule("LX-04", "非规定时间申请休学", "中", _T, _BASIS + " 二(三)1",
         "休学不在每学期（按校历实际开学日）开学后若干天内发起（原则上，特殊情况除外）", lx04,
         (Param("days", 14, "int", "休学申请期（日）"),), default_on=False),
    rule("LX-05", "身份证件号修改超过一次", "高", _M, _BASIS + " 二(四)",
         "同一学生的身份证件号被修改一次以上", lx05, default_on=False),
    rule("LX-06", "姓名与身份证件号均被修改", "高", _M, _BASIS + " 二(四)",
         "同一学生的姓名和身份证件号都被修改过", lx06, default_on=False),
    rule("LX-07", "休学复学缺少证明材料", "高", _T, _BASIS + " 二(三) (诊断证明、康复证明)",
         "休学或复学业务未上传证明材料", lx07, default_on=False),
)
