"""DU-04 in the audit: duplicate files written, inspectors' decisions respected on the next run."""
import pandas as pd
import pytest
from conftest import AS_OF

from xueji_audit.audit import run_audit, write_audit
from xueji_audit.demo import generate_tables
from xueji_audit.matching.decisions import read_decisions, record_decision


@pytest.fixture(scope="module")
def county():
    return generate_tables(3000, seed=3, as_of=AS_OF)


def _du04(result) -> set[str]:
    f = result.findings
    return set(f.loc[f["rule_id"] == "DU-04", "学籍号"])


def test_audit_writes_duplicate_files_and_rejected_pair_is_not_reported_again(county, tmp_path):
    first = run_audit(county.tables, county.as_of)
    flagged = _du04(first)
    assert flagged, "the demo county plants duplicates"
    written = {p.name for p in write_audit(first, None, tmp_path / "out")}
    assert {"duplicate_pairs.csv", "duplicate_clusters.csv"} <= written
    clusters = pd.read_csv(tmp_path / "out" / "duplicate_clusters.csv", dtype=str,
                           encoding="utf-8-sig")
    assert set(clusters.columns[:2]) == {"cluster_id", "学籍号"}
    assert flagged <= set(clusters["学籍号"])

    sizes = clusters.groupby("cluster_id")["学籍号"].agg(list)
    a, b = next(m for m in sizes if len(m) == 2)
    path = tmp_path / "decisions.csv"
    record_decision(path, a, b, accept=False, inspector="测试员")
    second = run_audit(county.tables, county.as_of, decisions=read_decisions(path))
    assert a not in _du04(second) and b not in _du04(second)
    assert _du04(second) == flagged - {a, b}
