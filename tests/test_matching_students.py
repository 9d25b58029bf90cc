"""Duplicate students (DU-04): the matcher on a synthetic register with planted truth, its
outputs, the inspector's decisions and the dask engine."""
import datetime as dt
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_matching_data import build  # noqa: E402

from xueji_audit.matching import find_duplicates, write_outputs  # noqa: E402
from xueji_audit.matching.evaluate import cluster_pairs, scores  # noqa: E402


@pytest.fixture(scope="module")
def county():
    return build(1500, seed=3)


@pytest.fixture(scope="module")
def result(county):
    return find_duplicates(county[0])


def test_finds_the_planted_duplicates_and_keeps_decoys_apart(county, result):
    _, truth, decoys = county
    s = scores(cluster_pairs(result.clusters, key_col="学籍号"), truth, decoys)
    assert s["f1"] >= 0.99
    assert s["decoys_matched"] == 0


def test_blocking_compares_a_tiny_fraction(result):
    assert result.stats["reduction_ratio"] > 0.999


def test_pairs_carry_per_field_evidence(county, result):
    df = county[0]
    p = result.pairs
    assert list(p.columns[:4]) == ["学籍号_a", "学籍号_b", "score", "band"]
    assert set(p["band"]) <= {"确定", "疑似", "待复核"}
    trad = df["姓名"].str.contains("張|劉|陳|楊|黃|趙|吳|偉|靜|麗|強|軍|傑|濤")
    key = df.loc[trad, "学籍号"].iloc[0]
    row = p[(p["学籍号_a"] == key) | (p["学籍号_b"] == key)].iloc[0]
    assert row["姓名"].startswith(("繁简或异体字一致", "同音或形近"))
    assert row["主要依据"]


def test_outputs_written(result, tmp_path):
    paths = write_outputs(result, tmp_path)
    pairs = pd.read_csv(paths[0], encoding="utf-8-sig", dtype=str)
    clusters = pd.read_csv(paths[1], encoding="utf-8-sig", dtype=str)
    assert list(clusters.columns[:2]) == ["cluster_id", "学籍号"]
    assert paths[0].read_bytes()[:3] == b"\xef\xbb\xbf"
    assert len(pairs) == len(result.pairs)


def test_decisions_are_respected(county, result):
    df, truth, _ = county
    a, b = sorted(truth)[0]
    dec = pd.DataFrame({"学籍号_a": [a], "学籍号_b": [b], "accept": [False]})
    again = find_duplicates(df, decisions=dec)
    pairs = cluster_pairs(again.clusters, key_col="学籍号")
    assert (a, b) not in pairs
    assert len(pairs) == len(cluster_pairs(result.clusters, key_col="学籍号")) - 1
    # an accepted pair the matcher would not propose is clustered, band 确定
    x, y = df["学籍号"].iloc[10], df["学籍号"].iloc[11]
    dec = pd.DataFrame({"学籍号_a": [x], "学籍号_b": [y], "accept": [True]})
    again = find_duplicates(df, decisions=dec)
    row = again.pairs[(again.pairs["学籍号_a"] == min(x, y)) & (again.pairs["学籍号_b"] == max(x, y))]
    assert row["band"].tolist() == ["确定"]
    assert row["说明"].iloc[0] == "已人工确认为同一学生"


def test_du04_findings(county, result):
    from xueji_audit.audit import run_audit
    from xueji_audit.rules import duplicates  # noqa: F401  (registers DU-04)
    df = county[0]
    out = run_audit({"students": df}, dt.date(2026, 11, 20))
    du = out.findings[out.findings["rule_id"] == "DU-04"]
    assert set(du["学籍号"]) == set(result.clusters["学籍号"])
    one = du.iloc[0]
    assert one["severity"] == "中" and "办法2013 第六条" in one["basis"]
    others = result.clusters[result.clusters["cluster_id"] == result.clusters.loc[
        result.clusters["学籍号"] == one["学籍号"], "cluster_id"].iloc[0]]["学籍号"]
    assert all(k in one["detail"] for k in others if k != one["学籍号"])
    assert "匹配概率" in one["detail"] and "主要依据" in one["detail"]


def test_dask_engine_gives_the_same_pairs(county, result):
    import dask
    df = county[0]
    # a LocalCluster of 2 worker processes; task-based shuffles suit this small table
    with dask.config.set({"dataframe.shuffle.method": "tasks"}):
        on_dask = find_duplicates(df, engine="dask")
    key = ["学籍号_a", "学籍号_b", "band", "score"]
    assert on_dask.pairs[key].sort_values(key[:2]).reset_index(drop=True).equals(
        result.pairs[key].sort_values(key[:2]).reset_index(drop=True))
    assert on_dask.stats["candidate_pairs"] == result.stats["candidate_pairs"]


@pytest.mark.parametrize("n", [0, 1])
def test_a_register_too_small_to_pair_gives_no_duplicates(app_session, n):
    result = find_duplicates(app_session.students.iloc[:n])
    assert result.pairs.empty and result.clusters.empty


def test_a_register_without_the_household_columns_is_matched_on_the_rest(county):
    students, truth, _ = county
    household = ["成员1身份证件号", "成员1姓名", "联系电话", "现住址"]
    res = find_duplicates(students.drop(columns=household))
    ids = dict(zip(students["学籍号"], students["身份证件号"].astype("string").fillna(""),
                   strict=True))
    same_id = {frozenset(p) for p in truth if ids[p[0]] != "" and ids[p[0]] == ids[p[1]]}
    found = {frozenset(p) for p in cluster_pairs(res.clusters, key_col="学籍号")}
    assert same_id and same_id <= found
    assert len(res.pairs) and res.pairs["监护人身份证件号"].str.startswith("缺失").all()
