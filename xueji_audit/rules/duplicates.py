"""A. DU-04 疑似重复学生: fuzzy duplicates found by :mod:`xueji_audit.matching`.

Reading (RULES.md MATCHING): one finding per record of a 确定 or 疑似 cluster; the detail names
the other 学籍号s of its cluster, the best score with them and the main evidence. Pairs of band
待复核 are written to ``duplicate_pairs.csv`` only. An inspector's decisions, when the audit
puts them in the shared cache under ``"match_decisions"`` (a frame of
:func:`xueji_audit.matching.decisions.read_decisions`), are respected.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..matching import MatchResult, find_duplicates
from .catalogue import register, rule
from .context import Context, empty_result, result

DECISIONS_KEY = "match_decisions"
DUPLICATES_KEY = "duplicates"


def duplicates(ctx: Context) -> MatchResult:
    """The matching of this audit's students, computed once."""
    return ctx.cached(DUPLICATES_KEY, lambda: find_duplicates(
        ctx.students, decisions=ctx.shared.cache.get(DECISIONS_KEY)))


def du04(ctx: Context) -> pd.DataFrame:
    res = duplicates(ctx)
    clusters, pairs = res.clusters, res.pairs
    if len(clusters) == 0:
        return empty_result()
    inside = pairs[pairs["band"] != "待复核"]
    both = pd.concat([
        inside[["学籍号_a", "学籍号_b", "score", "主要依据"]].rename(
            columns={"学籍号_a": "学籍号", "学籍号_b": "other"}),
        inside[["学籍号_b", "学籍号_a", "score", "主要依据"]].rename(
            columns={"学籍号_b": "学籍号", "学籍号_a": "other"}),
    ], ignore_index=True).sort_values(["学籍号", "score"], ascending=[True, False])
    best = both.drop_duplicates("学籍号")
    members = clusters.merge(clusters, on="cluster_id", suffixes=("", "_o"))
    members = members[members["学籍号"] != members["学籍号_o"]]
    others = members.groupby("学籍号")["学籍号_o"].agg(lambda s: "、".join(sorted(s)))
    band = clusters.drop_duplicates("学籍号").set_index("学籍号")["band"]

    s = ctx.students
    hit = s["学籍号"].isin(clusters["学籍号"]).fillna(False).to_numpy()
    f = s[hit]
    keys = f["学籍号"].to_numpy(dtype=object)
    b = best.set_index("学籍号").reindex(keys)
    score = np.round(b["score"].to_numpy(dtype=float) * 100).astype(int).astype(str)
    detail = ("与学籍号 " + others.reindex(keys).fillna("").to_numpy(dtype=object)
              + " 疑似为同一学生（" + band.reindex(keys).fillna("").to_numpy(dtype=object)
              + "，匹配概率 " + score + "%；主要依据：" + b["主要依据"].fillna("").to_numpy(
                  dtype=object) + "），请核实后保留一条学籍")
    return result(f, pd.Series(detail, index=f.index, dtype=object))


register(
    "duplicates",
    rule("DU-04", "疑似重复学生", "中", ("students",), "办法2013 第六条（查重）",
         "姓名（繁简、同音、形近）、出生日期、身份证件号、监护人等多项比对后疑似同一学生重复建籍",
         du04),
)
