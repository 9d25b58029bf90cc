"""Data for the reports 01 问题学籍总览 and 02 疑似重复学生: tables with Chinese headers.

Every function reads the workspace's stored audit (never the raw files) and returns
DataFrames; the notebooks only display them (masked by :mod:`xueji_audit.privacy`).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..audit import NOT_RUN, AuditResult
from ..workspace.exports import SEVERITIES, dropout_table
from ..workspace.exports import findings_table as clerk_findings

BAND_NOTES: dict[str, str] = {
    "确定": "身份证件号等强证据一致，可直接核实合并",
    "疑似": "多项信息一致但缺少决定性证据，需核实",
    "待复核": "与同组其他学生相似度较低，需人工复核",
}


def school_mask(codes: pd.Series, school: str, names: pd.Series) -> pd.Series:
    """Rows whose 学校标识码 is ``school`` or whose school name contains it; all when empty."""
    school = (school or "").strip()
    if not school:
        return pd.Series(True, index=codes.index)
    codes = codes.astype("string")
    named = codes.map(names).astype("string").str.contains(school, regex=False)
    return ((codes == school) | named).fillna(False).astype(bool)


def findings_table(result: AuditResult, names: pd.Series, school: str = "",
                   rule_prefix: tuple[str, ...] = ()) -> pd.DataFrame:
    """The whole finding list with Chinese headers, most severe first, optionally one
    school's and only the rules whose id starts with one of ``rule_prefix``."""
    f = result.findings
    keep = school_mask(f["学校标识码"], school, names)
    if rule_prefix:
        keep &= f["rule_id"].str.startswith(rule_prefix).fillna(False).astype(bool)
    return clerk_findings(f[keep.to_numpy()], names)


def severity_counts(findings: pd.DataFrame) -> pd.DataFrame:
    """严重程度, 问题数 (every severity, zero included) of a :func:`findings_table`."""
    n = findings["严重程度"].value_counts().reindex(list(SEVERITIES), fill_value=0)
    return pd.DataFrame({"严重程度": list(SEVERITIES), "问题数": n.to_numpy(dtype="int64")})


def rule_counts(findings: pd.DataFrame) -> pd.DataFrame:
    """规则编号, 问题类型, 严重程度, 问题数, 涉及学校数 per rule with findings, most first."""
    if len(findings) == 0:
        return pd.DataFrame(columns=["规则编号", "问题类型", "严重程度", "问题数", "涉及学校数"])
    school = findings["学校标识码"].replace("", pd.NA)
    g = findings.assign(学校标识码=school).groupby(["规则编号", "问题类型", "严重程度"], sort=False,
                                                 dropna=False)
    out = g.agg(问题数=("规则编号", "size"), 涉及学校数=("学校标识码", "nunique")).reset_index()
    return out.sort_values(["问题数", "规则编号"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)


def school_counts(findings: pd.DataFrame) -> pd.DataFrame:
    """学校标识码, 学校, 高, 中, 低, 合计 per school with findings, most first (findings without a
    school under 「（未填学校）」)."""
    code = findings["学校标识码"].astype(object).replace("", None).fillna("（未填学校）")
    t = pd.crosstab(code, findings["严重程度"]).reindex(columns=list(SEVERITIES), fill_value=0)
    t["合计"] = t.sum(axis=1)
    t = t.reset_index().rename(columns={"row_0": "学校标识码"})
    t.columns.name = None
    t = t.rename(columns={t.columns[0]: "学校标识码"})
    names = findings.drop_duplicates("学校标识码").set_index("学校标识码")["学校"]
    t.insert(1, "学校", t["学校标识码"].map(names).fillna(t["学校标识码"]))
    return t.sort_values(["合计", "学校标识码"], ascending=[False, True],
                         kind="stable").reset_index(drop=True)


def rules_not_run(result: AuditResult) -> pd.DataFrame:
    """规则编号, 规则名称, 严重程度, 未运行原因 of every rule that did not run."""
    r = result.rules_run
    r = r[r["status"] == NOT_RUN]
    return pd.DataFrame({"规则编号": r["rule_id"].to_numpy(), "规则名称": r["rule_name"].to_numpy(),
                         "严重程度": r["severity"].to_numpy(), "未运行原因": r["reason"].to_numpy()})


@dataclass(frozen=True)
class Overview:
    """The tables of report 01."""

    findings: pd.DataFrame
    severity: pd.DataFrame
    rules: pd.DataFrame
    schools: pd.DataFrame
    not_run: pd.DataFrame
    rules_ran: int


def findings_overview(result: AuditResult, names: pd.Series, school: str = "") -> Overview:
    """Findings by rule, severity and school, plus the rules not run and why."""
    f = findings_table(result, names, school)
    ran = int((result.rules_run["status"] != NOT_RUN).sum())
    return Overview(f, severity_counts(f), rule_counts(f), school_counts(f),
                    rules_not_run(result), ran)


def dropout_section(result: AuditResult, students: pd.DataFrame, names: pd.Series,
                    school: str = "") -> pd.DataFrame:
    """控辍保学名单 of report 01 (ST-06: child, school, status, since when, guardian, township),
    optionally one school's."""
    f = result.findings
    keep = school_mask(f["学校标识码"], school, names)
    return dropout_table(f[keep.to_numpy()], students, names)


@dataclass(frozen=True)
class Duplicates:
    """The tables of report 02; ``reason`` says why there are none when DU-04 did not run."""

    bands: pd.DataFrame  # 档次, 说明, 组数, 学生数, 学生对数
    clusters: pd.DataFrame  # 组号, 档次, 学籍号, 姓名, 性别, 出生日期, 学校标识码, 学校, 学籍状态
    pairs: pd.DataFrame  # 学籍号甲, 学籍号乙, 得分, 档次, 主要依据, then the evidence per field
    reason: str


def duplicate_tables(result: AuditResult, students: pd.DataFrame, names: pd.Series,
                     school: str = "") -> Duplicates:
    """Clusters of suspected duplicate students with their register records, and the scored
    pairs with the evidence of each field; ``school`` keeps clusters with a member there."""
    m = result.duplicates
    if m is None:
        r = result.rules_run.set_index("rule_id").get("reason", pd.Series(dtype=object))
        why = str(r.get("DU-04", "")) or "规则 DU-04 未运行"
        empty = pd.DataFrame()
        return Duplicates(empty, empty, empty, why)
    c = m.clusters.rename(columns={"cluster_id": "组号", "band": "档次"})
    reg = students.drop_duplicates("学籍号").set_index("学籍号")
    cols = [k for k in ("姓名", "性别", "出生日期", "学校标识码", "学籍状态") if k in reg]
    c = c.join(reg[cols], on="学籍号")
    if "出生日期" in c:
        c["出生日期"] = pd.to_datetime(c["出生日期"]).dt.strftime("%Y-%m-%d")
    c.insert(c.columns.get_loc("学校标识码") + 1, "学校", c["学校标识码"].astype("string").map(names))
    hit = school_mask(c["学校标识码"], school, names)
    c = c[c["组号"].isin(c.loc[hit.to_numpy(), "组号"])].reset_index(drop=True)
    p = m.pairs.rename(columns={"学籍号_a": "学籍号甲", "学籍号_b": "学籍号乙", "score": "得分",
                                "band": "档次"})
    p = p[p["学籍号甲"].isin(c["学籍号"]) | p["学籍号乙"].isin(c["学籍号"])]
    p = p.assign(得分=p["得分"].round(3)).sort_values("得分", ascending=False, kind="stable")
    per = c.groupby("档次").agg(组数=("组号", "nunique"), 学生数=("学籍号", "size"))
    bands = pd.DataFrame({"档次": list(BAND_NOTES), "说明": list(BAND_NOTES.values())})
    bands = bands.join(per, on="档次").fillna({"组数": 0, "学生数": 0})
    bands["学生对数"] = bands["档次"].map(p["档次"].value_counts()).fillna(0).astype("int64")
    bands = bands.astype({"组数": "int64", "学生数": "int64"})
    return Duplicates(bands, c, p.reset_index(drop=True), "")
