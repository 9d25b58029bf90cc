"""The standard answer of the demo county, and the finding keys of docs/rules.md.

``findings`` lists every finding a literal reading of docs/rules.md gives on the generated
data (``kind`` = planted), plus the few whose reading is open (``kind`` = allowed, with the
reason in ``note``). ``profiles`` names the profiles under which each must appear.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..ids import validate_ids

FINDING_COLUMNS = ("rule_id", "学籍号", "业务编号", "学校标识码", "班级", "姓名", "profiles", "kind",
                   "note")
KEY_COLUMNS = ("rule_id", "学籍号", "业务编号", "学校标识码", "班级", "姓名")
BUSINESS_RULES = frozenset({"AG-02", "CH-03", "LX-01", "LX-02", "LX-03", "LX-04", "LX-07"})
STUDENT_TR_RULES = frozenset({"TR-10", "TR-12"})
CLASS_RULES = frozenset({"CL-01", "CL-02", "RJ-05", "RJ-06"})


def _text(v) -> str:
    return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


def finding_key(df: pd.DataFrame) -> pd.DataFrame:
    """The comparison key of each finding (docs/rules.md "Findings and their keys"): columns
    ``KEY_COLUMNS`` with the parts a rule does not use left empty. Compare two sets of findings
    as multisets of rows of this frame."""
    rule = df["rule_id"].astype(str)
    cols = {c: (df[c].map(_text) if c in df else pd.Series("", index=df.index)) for c in KEY_COLUMNS}
    business = rule.str.startswith("TR-") & ~rule.isin(STUDENT_TR_RULES) | rule.isin(BUSINESS_RULES)
    classes = rule.isin(CLASS_RULES)
    roster = rule.eq("RJ-02")
    out = pd.DataFrame({"rule_id": rule})
    out["学籍号"] = cols["学籍号"].where(~classes & ~roster, "")
    out["业务编号"] = cols["业务编号"].where(business, "")
    out["学校标识码"] = cols["学校标识码"].where(classes | roster, "")
    out["班级"] = cols["班级"].where(classes, "")
    out["姓名"] = cols["姓名"].where(roster, "")
    return out


def expected_findings(truth_df: pd.DataFrame, profile: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(planted, allowed) truth rows whose ``profiles`` include ``profile``."""
    has = truth_df["profiles"].astype(str).str.split(";").map(lambda p: profile in p)
    rows = truth_df[has]
    return (rows[rows["kind"] == "planted"].reset_index(drop=True),
            rows[rows["kind"] == "allowed"].reset_index(drop=True))


def _resolve(rows: list[dict], st: pd.DataFrame) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    has = df["_i"].notna()
    idx = df.loc[has, "_i"].astype(int)
    for col in ("学籍号", "学校标识码", "班级", "姓名"):
        if col not in df:
            df[col] = ""
        df[col] = df[col].astype(object)
        fill = st.loc[idx, col].to_numpy()
        keep = df.loc[has, col].map(_text).to_numpy() != ""
        df.loc[has, col] = [o if k else f for o, k, f in zip(df.loc[has, col], keep, fill, strict=True)]
    return df.drop(columns="_i").fillna("")


def natural_namesakes(st: pd.DataFrame, exclude: set, valid: np.ndarray) -> pd.DataFrame:
    """Pairs of records with valid, different IDs sharing 姓名 + 性别 + 出生日期."""
    cand = st[valid & ~st.index.isin(list(exclude))]
    grp = cand[cand.duplicated(["姓名", "性别", "出生日期"], keep=False)]
    grp = grp.sort_values(["姓名", "性别", "出生日期"])
    out = []
    for _, g in grp.groupby(["姓名", "性别", "出生日期"], observed=True):
        ix = g.index.tolist()
        for a, b in zip(ix, ix[1:], strict=False):
            if g.at[a, "身份证件号"] != g.at[b, "身份证件号"] and g.at[a, "_fam"] != g.at[b, "_fam"]:
                out.append((a, b))
    return pd.DataFrame(out, columns=["_a", "_b"])


def check_no_stray_groups(st: pd.DataFrame, findings: pd.DataFrame, v: pd.DataFrame) -> None:
    """Guard: every DU-01/02/03 group in the data is one that was planted (declared)."""
    declared = {r: set(findings.loc[findings["rule_id"] == r, "学籍号"]) for r in ("DU-01", "DU-02", "DU-03")}
    id18 = v["id18"].where(v["valid"])
    groups = {
        "DU-01": st["学籍号"][id18.notna().to_numpy() & id18.duplicated(keep=False).to_numpy()],
        "DU-02": st["学籍号"][st["学籍号"].duplicated(keep=False)],
    }
    nv = st[~v["valid"].to_numpy()]
    groups["DU-03"] = nv["学籍号"][nv.duplicated(["姓名", "性别", "出生日期"], keep=False)]
    for rule, xjh in groups.items():
        stray = set(xjh) - declared[rule]
        if stray:
            raise AssertionError(f"undeclared {rule} group: {sorted(stray)[:5]}")


def _school_year(d: pd.Timestamp) -> int:
    """The school year of a date, turning at the 升级 on Aug 10 (docs/rules.md)."""
    return d.year - ((d.month, d.day) <= (8, 10))


def natural_grade_findings(ctx) -> list[dict]:
    """ST-07 and TR-12 on records that other plantings made (a child registered a second time
    with an L number, a record built late): read record by record, independently of the
    rules, and declared when not already planted."""
    st, as_of = ctx.st, pd.Timestamp(ctx.as_of)
    with warnings.catch_warnings():  # all-empty columns of some batches
        warnings.simplefilter("ignore", FutureWarning)
        ch = pd.concat([c for c in ctx.changes if len(c)], ignore_index=True)
    ok = ch[ch["业务状态"] == "核办通过"]
    system = dict(zip(ctx.schools["学校标识码"], ctx.schools["学制"], strict=True))
    explained, moved_in = set(), set()
    for r in ok.itertuples(index=False):
        a, b = system.get(r.转出学校标识码), system.get(r.转入学校标识码)
        if r.业务类型 in ("留级", "跳级", "跨省转学", "毕业后跨省就学") or (a and b and a != b):
            explained.add(r.学籍号)
        if r.业务类型 in ("转学", "跨省转学", "毕业后跨省就学"):
            moved_in.add((r.学籍号, r.转入学校标识码))
    declared = {(t["rule_id"], t["_i"]) for t in ctx.truth}
    out = []
    for i, r in st[st["学籍状态"] == "在校"].iterrows():
        g, wusi = int(r["年级"]), r["_stage"] == "五四"
        entry = 10 if g >= 10 else (6 if wusi and g >= 6 else 7 if g >= 7 else 1)
        if pd.notna(r["入学年月"]) and r["学籍号"] not in explained and ("ST-07", i) not in declared:
            if entry + _school_year(as_of) - _school_year(pd.Timestamp(r["入学年月"])) != g:
                out.append(("ST-07", i))
        first = {1, 6, 10} if wusi else {1, 7, 10}
        built = r["建籍日期"]
        if (pd.notna(built) and as_of - pd.DateOffset(months=12) < built <= as_of
                and g not in first and (r["学籍号"], r["学校标识码"]) not in moved_in
                and ("TR-12", i) not in declared):
            out.append(("TR-12", i))
    return [{"rule_id": rule, "_i": i, "学籍号": "", "业务编号": "", "学校标识码": "", "班级": "",
             "姓名": "", "profiles": "national-2025;national-2013;ningxia-xiji", "kind": "planted",
             "note": "其他种植产生的记录（重复建籍、补建学籍等）"} for rule, i in out]


def build_truth(ctx) -> dict[str, pd.DataFrame]:
    st = ctx.st
    ctx.truth.extend(natural_grade_findings(ctx))
    findings = _resolve(ctx.truth, st)[list(FINDING_COLUMNS)]
    v = validate_ids(st["身份证件号"].astype("string"))
    check_no_stray_groups(st, findings, v)
    edges = _resolve(ctx.edges, st)
    edges = edges[["rule_id", "学籍号", "业务编号", "学校标识码", "班级", "profiles", "why"]]
    dups = pd.DataFrame(ctx.dups)
    dup_idx = set(dups["_i"]) if len(dups) else set()
    duplicates = pd.DataFrame({"cluster_id": dups["cluster_id"],
                               "学籍号": st.loc[dups["_i"], "学籍号"].to_numpy(),
                               "noise": dups["noise"]})
    planted = pd.DataFrame(ctx.decoys)
    natural = natural_namesakes(st, dup_idx | set(planted["_a"]) | set(planted["_b"]),
                                v["valid"].to_numpy())
    natural["kind"] = "same_name_birth"
    dec = pd.concat([planted, natural], ignore_index=True)
    decoys = pd.DataFrame({"学籍号_a": st.loc[dec["_a"], "学籍号"].to_numpy(),
                           "学籍号_b": st.loc[dec["_b"], "学籍号"].to_numpy(), "kind": dec["kind"]})
    busy = dup_idx | set(dec["_a"]) | set(dec["_b"])
    rejects = _plan_rejects(ctx, busy)
    var = pd.DataFrame(ctx.variants)
    variants = pd.DataFrame({"学校标识码": st.loc[var["_i"], "学校标识码"].to_numpy(),
                             "班级": st.loc[var["_i"], "班级"].to_numpy(),
                             "学籍号": st.loc[var["_i"], "学籍号"].to_numpy(),
                             "姓名": st.loc[var["_i"], "姓名"].to_numpy(),
                             "名单姓名": var["名单姓名"], "kind": var["kind"]})
    return {"findings": findings, "duplicates": duplicates, "decoys": decoys, "edges": edges,
            "rejects": rejects, "roster_variants": variants}


def _plan_rejects(ctx, busy: set) -> pd.DataFrame:
    """Records whose export cell Excel mangled: clean 在校 records at a roster-less school
    (outside big classes) and 毕业 records at the high schools — nothing depends on them."""
    st = ctx.st
    # a number Excel can hold: G + 18 digits (an ID ending in X stays text in Excel)
    numeric = st["学籍号"].str.fullmatch(r"G\d{18}")
    free = ~st["_reserved"] & ~st.index.isin(list(busy)) & numeric
    nine = st.index[free & ~st["_roster"] & ~st["_big"] & (st["学籍状态"] == "在校")][:2]
    grads = st.index[(st["学籍状态"] == "毕业") & (st["_stage"] == "高中")
                     & numeric & ~st.index.isin(list(busy))][:2]
    st.loc[nine, "_messy"] = "excel_number"
    st.loc[grads, "_messy"] = "excel_sci"
    rows = [{"学籍号": st.at[i, "学籍号"], "kind": st.at[i, "_messy"]} for i in [*nine, *grads]]
    return pd.DataFrame(rows, columns=["学籍号", "kind"])
