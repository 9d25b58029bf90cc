"""This rule engine (not matching, chains or rosters) against the demo county's planted truth, for each built-in profile.

Every planted finding of an implemented rule must be found, and nothing outside planted ∪
allowed may be reported (multisets of docs/rules.md finding keys); the edge cases of
truth/edges.csv must not fire.
"""
from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest
from conftest import AS_OF
from test_rules_helpers import my_rules, only_mine

from xueji_audit.audit import run_audit
from xueji_audit.demo import generate
from xueji_audit.demo.truth import finding_key
from xueji_audit.ingest import load_folder

PROFILES = ("national-2025", "national-2013", "ningxia-xiji")


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    generate(out, students=3000, seed=11, as_of=AS_OF)
    read = {name: pd.read_csv(out / "truth" / f"{name}.csv", dtype=str, encoding="utf-8-sig",
                              keep_default_na=False) for name in ("findings", "edges")}
    return load_folder(out), read["findings"], read["edges"]


def _keys(df: pd.DataFrame) -> Counter:
    return Counter(finding_key(df).itertuples(index=False, name=None)) if len(df) else Counter()


def _for(truth: pd.DataFrame, profile: str) -> pd.DataFrame:
    on = truth["profiles"].str.split(";").apply(lambda names: profile in names)
    return truth[on.to_numpy() & truth["rule_id"].isin(list(my_rules())).to_numpy()]


@pytest.mark.parametrize("profile", PROFILES)
def test_findings_equal_the_planted_truth(county, profile):
    loaded, truth, _ = county
    got = run_audit(loaded, AS_OF, only_mine(profile)).findings
    got = got[got["rule_id"].isin(list(my_rules())).to_numpy()]
    assert not (got["detail"].isna() | got["detail"].str.contains("<NA>|NaT")).any()
    t = _for(truth, profile)
    planted = _keys(t[(t["kind"] == "planted").to_numpy()])
    allowed = _keys(t[(t["kind"] == "allowed").to_numpy()])
    found = _keys(got)
    missing = planted - found
    unexpected = found - planted - allowed
    assert not missing, f"planted but not found: {sorted(missing)[:20]}"
    assert not unexpected, f"found but not planted: {sorted(unexpected)[:20]}"


@pytest.mark.parametrize("profile", PROFILES)
def test_edge_cases_do_not_fire(county, profile):
    loaded, truth, edges = county
    got = _keys(run_audit(loaded, AS_OF, only_mine(profile)).findings)
    expected = _keys(_for(truth, profile))
    e = edges[edges["rule_id"].isin(list(my_rules())).to_numpy()]
    if "profiles" in e.columns:
        e = _for(e, profile)
    fired = [k for k in _keys(e) if got[k] > expected[k]]
    assert len(e) and not fired, f"edge cases that fired: {fired[:20]}"
