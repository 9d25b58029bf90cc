"""Blocking proposed from the data: a spec without ``blocks`` (and ``match --spec``)."""
from __future__ import annotations

import argparse
import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from xueji_audit.commands import match as match_command
from xueji_audit.errors import MatchSpecError
from xueji_audit.matching import FieldSpec, MatchSpec, match
from xueji_audit.matching.evaluate import (
    cluster_pairs,
    evaluate_result,
    febrl_spec,
    load_febrl,
    scores,
)
from xueji_audit.matching.propose import _pair_count, candidates
from xueji_audit.matching.specfile import read_spec


@pytest.mark.parametrize("which", ["febrl3", "febrl4"])
def test_febrl_with_proposed_blocking(which):
    df, truth = load_febrl(which)
    spec = replace(febrl_spec(link=which == "febrl4"), blocks=())
    r = match(df, spec)
    chosen = r.stats["proposed_blocks"]
    assert chosen and all(v > 0 for v in chosen.values())
    assert sum(chosen.values()) <= max(20 * len(df), 50_000)
    assert evaluate_result(r, truth)["f1"] >= 0.99


def test_candidates_from_kinds():
    spec = MatchSpec("id", (FieldSpec("name", "name_zh"), FieldSpec("sex", "exact"),
                            FieldSpec("birth", "date")))
    rules = candidates(spec)
    assert ("name:sound",) in rules and ("birth:swap",) in rules
    assert ("sex",) not in rules  # too coarse alone
    assert ("name:sound", "sex") in rules and ("name:head", "birth:ym") in rules
    assert not any(r[0].split(":")[0] == r[-1].split(":")[0] for r in rules if len(r) == 2)


def test_pair_count_of_blocks_and_of_oversized_blocks():
    codes = np.array([0, 0, 0, 1, 1, -1, 2])
    assert _pair_count(codes, None, max_block=10, window=5) == 3 + 1
    assert _pair_count(codes, None, max_block=2, window=1) == 3 + 1  # 3 records × window 1
    src = np.array(["A", "B", "B", "A", "A", "B", "B"], dtype=object)
    assert _pair_count(codes, src, max_block=10, window=5) == 2  # A×B crossings of block 0


def _run(argv):
    parser = argparse.ArgumentParser()
    match_command.register(parser)
    return match_command.run(parser.parse_args(argv))


def test_match_command_with_a_spec_file(tmp_path, capsys):
    df, truth = load_febrl("febrl3")
    table = tmp_path / "people.csv"
    df.to_csv(table, index=False, encoding="utf-8-sig")
    spec = {"key": "rec_id", "fields": [{"column": f.column, "kind": f.kind}
                                         for f in febrl_spec().fields]}
    (tmp_path / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    out = tmp_path / "out"
    assert _run([str(table), "--spec", str(tmp_path / "spec.json"), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "自动选择的分块键" in text and "约" in text
    groups = pd.read_csv(out / "匹配分组.csv", encoding="utf-8-sig", dtype=str)
    assert scores(cluster_pairs(groups, "分组号", "记录"), truth)["f1"] >= 0.99


@pytest.mark.parametrize("text, words", [
    ("{", "JSON"), ('{"fields": []}', "key"), ('{"key": "id", "fields": []}', "fields"),
    ('{"key": "id", "fields": [{"column": "a", "kind": "fuzzy"}]}', "kind"),
])
def test_bad_spec_files_get_a_chinese_message(tmp_path, text, words):
    path = tmp_path / "s.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MatchSpecError, match=words):
        read_spec(path)


def test_proposed_blocking_on_the_heavy_demo():
    """The student register's fields without its hand-made keys: the proposed keys keep the
    heavy demo's F1, and no proposed key is one oversized block (a pair in it counts as
    covered only when its block is compared in full)."""
    from conftest import AS_OF

    from xueji_audit.demo import generate_tables
    from xueji_audit.matching import STUDENT_SPEC
    from xueji_audit.matching.evaluate import demo_truth
    from xueji_audit.matching.students import student_table

    county = generate_tables(8000, seed=6, as_of=AS_OF, noise="heavy")
    truth, decoys = demo_truth(county)
    r = match(student_table(county.tables["students"]), replace(STUDENT_SPEC, blocks=()))
    assert r.stats["candidate_pairs"] < 20 * 8200
    assert not r.stats["skipped_blocks"]
    s = scores(cluster_pairs(r.clusters), truth, decoys)
    assert s["f1"] >= 0.97 and s["decoys_matched"] <= 0.01 * s["decoys"]
