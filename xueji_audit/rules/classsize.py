"""G. Class size: CL-01 大班额, CL-02 超大班额."""
from __future__ import annotations

import pandas as pd

from .catalogue import Param, register, rule
from .context import Context, result

_KEYS = ["学校标识码", "班级"]


def register_sizes(ctx: Context) -> pd.DataFrame:
    """在校 students per (学校标识码, 班级) in the register: columns 学校标识码, 班级, n."""
    def make():
        if not ctx.has("students"):
            return pd.DataFrame({"学校标识码": [], "班级": [], "n": []})
        s = ctx.students[_KEYS][ctx.mask("students", "学籍状态", "在校")].dropna()
        return s.groupby(_KEYS, observed=True).size().rename("n").reset_index()
    return ctx.cached("register_sizes", make)


def class_sizes(ctx: Context) -> pd.DataFrame:
    """Class sizes from the rosters for the schools they cover (children without a 离校日期),
    from the register for the others; column ``source`` says which."""
    def make():
        reg = register_sizes(ctx).assign(source="学籍系统在校学生")
        if not ctx.has("rosters"):
            return reg
        r = ctx.tables["rosters"]
        r = r.loc[r["离校日期"].isna().to_numpy(), _KEYS].dropna()
        ros = r.groupby(_KEYS, observed=True).size().rename("n").reset_index()
        reg = reg[~reg["学校标识码"].isin(r["学校标识码"].unique()).to_numpy()]
        return pd.concat([ros.assign(source="在校名单"), reg], ignore_index=True)
    return ctx.cached("class_sizes", make)


def _classes(ctx: Context, low: int, high: int | None, limit: str) -> pd.DataFrame:
    c = class_sizes(ctx)
    hit = c["n"] >= low
    if high is not None:
        hit &= c["n"] <= high
    f = c[hit.to_numpy()]
    detail = ("班级人数 " + f["n"].astype(str) + " 人（来源：" + f["source"] + "），" + limit)
    return result(f, detail)


def cl01(ctx: Context) -> pd.DataFrame:
    lo, hi = ctx.params["min"], ctx.params["max"]
    return _classes(ctx, lo, hi, f"属于{lo}–{hi}人的大班额")


def cl02(ctx: Context) -> pd.DataFrame:
    lo = ctx.params["min"]
    return _classes(ctx, lo, None, f"达到{lo}人及以上的超大班额")


register(
    "classsize",
    rule("CL-01", "大班额", "中", (("students",), ("rosters",)), "西吉2020 (控制大班额)",
         "班级在校人数在大班额区间内（有在校名单的学校按名单计）", cl01,
         (Param("min", 56, "int", "大班额下限（人）"), Param("max", 65, "int", "大班额上限（人）"))),
    rule("CL-02", "超大班额", "高", (("students",), ("rosters",)), "西吉2020 (控制大班额)",
         "班级在校人数达到超大班额（有在校名单的学校按名单计）", cl02,
         (Param("min", 66, "int", "超大班额下限（人）"),)),
)
