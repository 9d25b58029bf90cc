"""The planted CH truth of a small demo county is recovered exactly, and its edges stay quiet."""
import pandas as pd
import pytest
from conftest import AS_OF

import xueji_audit.rules.chains  # noqa: F401  (registers CH-01..04)
from xueji_audit.audit import run_audit
from xueji_audit.chains import build_chains
from xueji_audit.demo import expected_findings, finding_key, generate_tables

FAMILY = r"^CH-"


@pytest.fixture(scope="module")
def county():
    d = generate_tables(3000, seed=5, as_of=AS_OF)
    return d, run_audit(d.tables, d.as_of, "national-2025")


def keys(df: pd.DataFrame) -> pd.Series:
    return finding_key(df).astype(str).value_counts()


def compare(county, family: str):
    d, res = county
    found = res.findings[res.findings["rule_id"].str.match(family).to_numpy()]
    planted, allowed = expected_findings(d.truth["findings"], "national-2025")
    planted = planted[planted["rule_id"].str.match(family).to_numpy()]
    allowed = allowed[allowed["rule_id"].str.match(family).to_numpy()]
    got, want, ok = keys(found), keys(planted), keys(allowed)
    missing = (want - got.reindex(want.index, fill_value=0)).clip(lower=0)
    extra = (got - want.reindex(got.index, fill_value=0)).clip(lower=0)
    extra = extra[(extra > 0) & ~extra.index.isin(ok.index)]
    return missing[missing > 0], extra, found


def test_planted_chain_findings_exactly(county):
    missing, extra, found = compare(county, FAMILY)
    assert missing.empty, f"not found:\n{missing}"
    assert extra.empty, f"not planted:\n{extra}"
    assert set(found["rule_id"]) == {"CH-01", "CH-02", "CH-03", "CH-04"}


def test_chain_edges_stay_quiet(county):
    d, res = county
    edges = d.truth["edges"]
    edges = edges[edges["rule_id"].str.match(FAMILY).to_numpy()]
    assert len(edges)
    f = res.findings
    for e in edges.itertuples(index=False):  # a handful of edge cases
        hit = (f["rule_id"] == e.rule_id) & (f["学籍号"] == e.学籍号)
        if e.业务编号:
            hit &= f["业务编号"] == e.业务编号
        assert not hit.any(), f"{e.rule_id} fired on the edge case: {e.why}"


def test_chain_of_a_planted_round_trip(county):
    d, res = county
    f = res.findings[(res.findings["rule_id"] == "CH-03").to_numpy()]
    xjh, biz = f["学籍号"].iloc[0], f["业务编号"].iloc[0]
    chains = build_chains(d.tables["students"], d.tables["changes"])
    c = chains.of(xjh)
    row = c[c["业务编号"] == biz].iloc[0]
    prev = c[c["seq"] == row["seq"] - 1].iloc[0]  # the leg it returns from / follows
    assert prev["转入学校标识码"] == row["转出学校标识码"] == row["school_before"]
    assert row["school_after"] == row["转入学校标识码"] and row["status_after"] == "在校"
