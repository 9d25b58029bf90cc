"""Data for the reports 03 转学链与人籍一致 and 04 月度通报: tables with Chinese headers."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..audit import AuditResult
from ..bulletin import Bulletin, bulletin_tables
from ..chains import Chains
from ..errors import XuejiError
from ..ingest import LoadResult
from ..profile import Profile
from ..schema import TRANSFER_TYPES
from ..timing import month_bounds
from .overview import findings_table, school_mask

CHAIN_RULES: tuple[str, ...] = ("CH-",)
RENJI_RULES: tuple[str, ...] = ("RJ-",)


def business_counts(chains: Chains) -> pd.DataFrame:
    """业务类型, 已办结笔数, 涉及学生数 of the completed businesses, most first."""
    c = chains.chain
    if len(c) == 0:
        return pd.DataFrame(columns=["业务类型", "已办结笔数", "涉及学生数"])
    g = c.groupby("业务类型").agg(已办结笔数=("业务编号", "size"), 涉及学生数=("person", "nunique"))
    return g.reset_index().sort_values(["已办结笔数", "业务类型"], ascending=[False, True],
                                       kind="stable").reset_index(drop=True)


def transfer_count_table(chains: Chains) -> pd.DataFrame:
    """转学次数, 学生数: how many children moved school once, twice, … (transfers only)."""
    c = chains.chain
    moved = c[c["业务类型"].isin(TRANSFER_TYPES).to_numpy()]
    n = moved.groupby("person").size().value_counts().sort_index()
    return pd.DataFrame({"转学次数": n.index.to_numpy(dtype="int64"),
                         "学生数": n.to_numpy(dtype="int64")})


def repeated_transfers(chains: Chains, names: pd.Series, min_transfers: int = 2) -> pd.DataFrame:
    """Children with at least ``min_transfers`` completed transfers: 学籍号 (the last), 转学次数,
    转学路线 (school names in order), 首次办结, 末次办结."""
    c = chains.chain
    moved = c[c["业务类型"].isin(TRANSFER_TYPES).to_numpy()]
    size = moved.groupby("person")["业务编号"].transform("size")
    moved = moved[(size >= min_transfers).to_numpy()]
    cols = ["学籍号", "转学次数", "转学路线", "首次办结", "末次办结"]
    if len(moved) == 0:
        return pd.DataFrame(columns=cols)
    label = lambda s: s.astype("string").map(names).fillna(s.astype("string"))  # noqa: E731
    first = moved.groupby("person", sort=True).head(1).set_index("person")
    stops = pd.concat([first["school_before"].pipe(label).rename("s").to_frame().assign(k=0),
                       moved.set_index("person")["school_after"].pipe(label).rename("s")
                       .to_frame().assign(k=1)]).reset_index()
    stops = stops.sort_values(["person", "k"], kind="stable")
    route = stops.groupby("person")["s"].agg(" → ".join)
    g = moved.groupby("person")
    out = pd.DataFrame({"学籍号": g["学籍号"].last(), "转学次数": g.size(), "转学路线": route,
                        "首次办结": g["办结日期"].min().dt.strftime("%Y-%m-%d"),
                        "末次办结": g["办结日期"].max().dt.strftime("%Y-%m-%d")})
    return out.sort_values(["转学次数", "学籍号"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)[cols]


@dataclass(frozen=True)
class Movement:
    """The tables of report 03; ``renji`` is empty (with ``renji_reason``) without rosters."""

    businesses: pd.DataFrame
    transfer_counts: pd.DataFrame
    repeated: pd.DataFrame
    chain_findings: pd.DataFrame
    renji: pd.DataFrame  # charts.renji_by_school_table columns
    renji_findings: pd.DataFrame
    renji_reason: str


def movement_tables(result: AuditResult, names: pd.Series, school: str = "") -> Movement:
    """Transfer chains (business counts, repeated transfers, CH findings) and 人籍一致 per
    school (RJ findings) of the audit; ``school`` narrows the school-level tables."""
    from ..charts import renji_by_school_table

    chains = result.chains
    repeated = repeated_transfers(chains, names)
    if school:
        keep = chains.records.loc[school_mask(chains.records["学校标识码"], school,
                                              names).to_numpy(), "学籍号"]
        repeated = repeated[repeated["学籍号"].isin(keep)].reset_index(drop=True)
    if result.reconcile is None:
        renji, reason = pd.DataFrame(), "数据目录中没有在校名单，未做人籍一致核对。"
    else:
        renji = renji_by_school_table(result.reconcile, names)
        renji = renji[school_mask(renji["学校标识码"], school, names).to_numpy()]
        renji, reason = renji.reset_index(drop=True), ""
    return Movement(business_counts(chains), transfer_count_table(chains), repeated,
                    findings_table(result, names, school, CHAIN_RULES), renji,
                    findings_table(result, names, school, RENJI_RULES), reason)


def previous_month(on: dt.date) -> str:
    """``YYYY-MM`` of the month before ``on`` (the last whole month at that date)."""
    first = on.replace(day=1) - dt.timedelta(days=1)
    return f"{first:%Y-%m}"


def monthly_bulletin(loaded: LoadResult, month: str, profile: Profile,
                     school: str = "", names: pd.Series | None = None) -> Bulletin:
    """The 月度通报 of ``month`` with the profile's 寒暑假 and TR-01 time limit; ``school``
    keeps only that responsible unit."""
    try:
        month_bounds(month)
    except ValueError:
        raise XuejiError(f"无法识别月份「{month}」，请写成 YYYY-MM，例如 2026-10。") from None
    steps = loaded.tables.get("steps")
    if steps is None:
        raise XuejiError("数据目录中没有「异动环节」表，无法生成月度通报。请从学籍系统导出后重试。")
    limit = profile.params_for("TR-01").get("workdays", 10)
    b = bulletin_tables(steps, month.strip(), profile.calendar(vacations=True), limit,
                        loaded.tables.get("changes"), loaded.tables.get("schools"))
    if not school:
        return b
    names = names if names is not None else pd.Series(dtype=object)
    keep = school_mask(b.summary["处理单位"], school, names).to_numpy()
    units = b.summary.loc[keep, "处理单位"]
    detail = b.detail[np.isin(b.detail["处理单位"].to_numpy(), units.to_numpy())]
    return Bulletin(b.month, b.summary[keep].reset_index(drop=True),
                    detail.reset_index(drop=True), b.limit)
