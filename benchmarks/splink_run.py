"""Splink 5 (DuckDB) deduplication of a 学生 parquet table, run by ``benchmarks/matching.py``.

Usage: ``python benchmarks/splink_run.py TABLE.parquet OUT.parquet [CLUSTER_THRESHOLD]``.

Prints one JSON line (wall seconds, peak RSS, scored candidate pairs, EM sessions that failed)
and writes the clusters of two or more records as ``cluster_id, 学籍号``.

The set-up follows Splink's documentation, with the columns a Splink user would derive first
(timed as part of the run): ``name_simplified`` and ``name_pinyin`` from
:func:`xueji_audit.names.normalize_names` (Splink's string functions in DuckDB work on UTF-8
bytes, so characters alone are a poor fit for Jaro-Winkler), and ``id15``, the ID number in its
15-digit form (no century digits, no check digit) so that an old 15-digit number equals its
18-digit one. Comparisons: the name as ``NameComparison``'s Jaro-Winkler levels on the
pinyin under an exact-characters level (term-frequency adjusted), ``DateOfBirthComparison``,
``DamerauLevenshteinAtThresholds`` (≤ 1) on the ID, ``ExactMatch`` for sex, guardian ID and
school. λ from deterministic rules, u by random sampling, m by EM blocked on the name pinyin
with the birth date and on the ID (the documentation's pattern: each comparison is trained in
a session that does not block on it), then predict and connected components.
"""
from __future__ import annotations

import json
import logging
import resource
import sys
import time

import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.backends.duckdb import DuckDBAPI
from splink.blocking_analysis import count_comparisons_from_blocking_rules

from xueji_audit.names import normalize_names

PREDICT_RULES = [
    block_on("id15"),                                          # same ID (15-digit form)
    block_on("name_pinyin", "dob"),                        # homophone / 简繁 name, same birth
    block_on("substr(name_simplified, 1, 1)", "dob"),      # same surname, same birth date
    block_on("name_simplified", "school"),                  # same name, same school
    block_on("name_pinyin", "substr(id15, 1, 12)"),            # same name, region + birth in ID
    block_on("guardian_id"),                                # same guardian
]


def splink_frame(students: pd.DataFrame) -> pd.DataFrame:
    """The input table for Splink: raw columns plus the derived name and ID columns."""
    names = normalize_names(students["姓名"])
    raw = students["身份证件号"].astype("string").str.upper()
    n = raw.str.len()
    id15 = raw.where(n == 15, raw.str[:6] + raw.str[8:17]).where((n == 15) | (n == 18))
    df = pd.DataFrame({
        "unique_id": range(len(students)),
        "学籍号": students["学籍号"].astype("string"),
        "name_simplified": names["name"].replace("", None),
        "name_pinyin": names["pinyin"].replace("", None),
        "sex": students["性别"].astype("string"),
        "dob": pd.to_datetime(students["出生日期"]).dt.strftime("%Y-%m-%d"),
        "id15": id15,
        "guardian_id": students["成员1身份证件号"].astype("string"),
        "school": students["学校标识码"].astype("string"),
    })
    return df.astype(object).where(df.notna(), None)


def settings() -> SettingsCreator:
    """The Splink model: comparisons and prediction blocking rules."""
    name = cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel("name_simplified"),
            cll.ExactMatchLevel("name_simplified").configure(
                tf_adjustment_column="name_simplified"),
            cll.ExactMatchLevel("name_pinyin"),
            cll.JaroWinklerLevel("name_pinyin", 0.92),
            cll.JaroWinklerLevel("name_pinyin", 0.88),
            cll.JaroWinklerLevel("name_pinyin", 0.70),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            name,
            cl.ExactMatch("sex"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.DamerauLevenshteinAtThresholds("id15", 1),
            cl.ExactMatch("guardian_id"),
            cl.ExactMatch("school"),
        ],
        blocking_rules_to_generate_predictions=PREDICT_RULES,
    )


def dedupe(students: pd.DataFrame, threshold: float) -> tuple[pd.DataFrame, list[str]]:
    """Train, predict and cluster; return (unique_id, cluster_id) and failed EM sessions."""
    df = splink_frame(students)
    linker = Linker(DuckDBAPI().register(df), settings(), log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("id15"), block_on("name_simplified", "dob")], recall=0.9)
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
    failed = []
    for rule in (block_on("name_pinyin", "dob"), block_on("id15")):
        try:  # a session fails if a level it trains never occurs; the other still trains
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        except ValueError as exc:
            failed.append(str(exc)[:100])
    pred = linker.inference.predict(threshold_match_probability=threshold)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, threshold)
    return clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]], failed


def main(argv: list[str]) -> int:
    table, out = argv[0], argv[1]
    threshold = float(argv[2]) if len(argv) > 2 else 0.95
    students = pd.read_parquet(table).reset_index(drop=True)
    t = time.perf_counter()
    c, failed = dedupe(students, threshold)
    wall = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    c = c[c.groupby("cluster_id")["unique_id"].transform("size") > 1]
    keys = students["学籍号"].astype(str).to_numpy()
    pd.DataFrame({"cluster_id": c["cluster_id"].astype(str),
                  "学籍号": keys[c["unique_id"].astype(int).to_numpy()]}).to_parquet(out)
    counts = count_comparisons_from_blocking_rules(  # after timing: a second blocking pass
        DuckDBAPI().register(splink_frame(students)), blocking_rules=PREDICT_RULES,
        link_type="dedupe_only", record_sample_proportion=1.0)
    print(json.dumps({"wall": wall, "peak_mb": peak, "threshold": threshold,
                      "candidate_pairs": int(counts[-1]["cumulative_comparison_count"]),
                      "em_sessions_failed": failed}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
