"""The planted RJ and CL truth of a small demo county is recovered exactly; every roster name
typed as a 简繁 or look-alike variant matches its own record; edges stay quiet."""
import pandas as pd
import pytest
from conftest import AS_OF

import xueji_audit.rules.rosters  # noqa: F401  (registers RJ-01..04)
from xueji_audit.audit import run_audit
from xueji_audit.demo import expected_findings, finding_key, generate_tables
from xueji_audit.reconcile import reconcile

FAMILY = r"^(RJ|CL)-"


@pytest.fixture(scope="module")
def county():
    d = generate_tables(3000, seed=3, as_of=AS_OF)
    return d, run_audit(d.tables, d.as_of, "national-2025")


def keys(df: pd.DataFrame) -> pd.Series:
    return finding_key(df).astype(str).value_counts()


def test_planted_roster_and_class_findings_exactly(county):
    d, res = county
    found = res.findings[res.findings["rule_id"].str.match(FAMILY).to_numpy()]
    planted, allowed = expected_findings(d.truth["findings"], "national-2025")
    planted = planted[planted["rule_id"].str.match(FAMILY).to_numpy()]
    allowed = allowed[allowed["rule_id"].str.match(FAMILY).to_numpy()]
    got, want, ok = keys(found), keys(planted), keys(allowed)
    missing = (want - got.reindex(want.index, fill_value=0)).clip(lower=0)
    extra = (got - want.reindex(got.index, fill_value=0)).clip(lower=0)
    extra = extra[(extra > 0) & ~extra.index.isin(ok.index)]
    assert missing[missing > 0].empty, f"not found:\n{missing[missing > 0]}"
    assert extra.empty, f"not planted:\n{extra}"
    assert {"RJ-01", "RJ-02", "RJ-03", "RJ-04", "CL-01", "CL-02"} <= set(found["rule_id"])


def test_roster_variants_match_their_own_record(county):
    d, _ = county
    variants = d.truth["roster_variants"]
    assert len(variants) >= 4
    res = reconcile(d.tables["students"], d.tables["rosters"])
    p = res.pairs
    for v in variants.itertuples(index=False):
        row = p[(p["roster_name"] == v.名单姓名) & (p["roster_school"] == v.学校标识码)]
        assert row["学籍号"].tolist() == [v.学籍号], f"{v.名单姓名} ({v.kind}) not matched to {v.姓名}"
    assert not p["register_row"].duplicated().any()


def test_edges_stay_quiet(county):
    d, res = county
    edges = d.truth["edges"]
    edges = edges[edges["rule_id"].str.match(FAMILY).to_numpy()]
    f = res.findings
    assert {"RJ-01", "RJ-04", "CL-01"} <= set(edges["rule_id"])
    for e in edges.itertuples(index=False):  # a few dozen edge cases at most
        hit = f["rule_id"] == e.rule_id
        if e.学籍号:
            hit &= f["学籍号"] == e.学籍号
        elif e.rule_id.startswith("CL-"):
            hit &= (f["学校标识码"] == e.学校标识码) & (f["班级"] == e.班级)
        else:  # RJ-01 at a school whose roster was never taken: no record there may fire
            hit &= f["学校标识码"] == e.学校标识码
        assert not hit.any(), f"{e.rule_id} fired on the edge case: {e.why}"
