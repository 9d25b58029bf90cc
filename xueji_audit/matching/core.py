"""The matching pipeline on any table: features → blocking → comparison → EM → clusters.

:func:`match` is the generic entry point (a table and a :class:`MatchSpec`); the student
register uses it through :func:`xueji_audit.matching.find_duplicates`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .blocking import BlockingReport, candidate_pairs, reduction_ratio, rule_name
from .cluster import CANNOT_LINK, MATCH, cluster
from .compare import compare
from .em import Model, match_weight, probability, term_frequencies, train
from .features import MatchSpec, prepare_coded

SURE = 0.95  # 确定 at or above; 疑似 from MATCH; 待复核 from REVIEW
REVIEW = 0.2
BANDS = ("确定", "疑似", "待复核")
SIBLING_CAP = 0.01
DOUBT_CAP = 0.9  # at most 疑似
APART_CAP = 0.45  # 待复核 at most: two valid ID numbers, neither equal nor one slip apart
RENAME_FLOOR = 0.3  # 待复核 at least: a suspected name change (spec.renames)
CHUNK = 1_000_000


@dataclass
class MatchResult:
    """``pairs``: key_a, key_b, score, band, then one level column per field (and, for the
    student register, evidence text); ``clusters``: cluster_id, key, band; ``stats``: counts,
    timings and the learnt model; ``rows``: the positions in the matched table of the two
    records of each pair (an ``(n, 2)`` array aligned with ``pairs``): a key held by two
    records (one 学籍号 twice) names its records only through them."""

    pairs: pd.DataFrame
    clusters: pd.DataFrame
    stats: dict = field(default_factory=dict)
    model: Model | None = None
    rows: np.ndarray | None = None


class Scorer:
    """Scores arbitrary pairs of one feature frame with a learnt model (and the decisions);
    ``codes``: integer codes of feature columns (:func:`.features.prepare_coded`)."""

    def __init__(self, features: pd.DataFrame, spec: MatchSpec, model: Model,
                 decisions: dict[tuple[int, int], bool] | None = None,
                 tf: dict[str, np.ndarray] | None = None,
                 codes: dict[str, np.ndarray] | None = None):
        self.features, self.spec, self.model, self.codes = features, spec, model, codes
        self.tf = term_frequencies(features, spec, codes) if tf is None else tf
        self.decisions = decisions or {}

    def levels(self, i: np.ndarray, j: np.ndarray, progress: bool = False) -> pd.DataFrame:
        if len(i) <= CHUNK:
            return compare(self.features, self.spec, i, j, self.codes)
        starts = range(0, len(i), CHUNK)
        if progress:
            from tqdm.auto import tqdm
            starts = tqdm(starts, desc="比较候选对", unit="百万对")
        return pd.concat([compare(self.features, self.spec, i[s:s + CHUNK], j[s:s + CHUNK],
                                  self.codes) for s in starts], ignore_index=True)

    def probability(self, i: np.ndarray, j: np.ndarray, levels: pd.DataFrame) -> np.ndarray:
        p = probability(match_weight(self.model, self.spec, levels, i, self.tf))
        p = np.where(sibling_mask(self.spec, levels), np.minimum(p, SIBLING_CAP), p)
        p = np.where(doubt_mask(self.spec, levels), np.minimum(p, DOUBT_CAP), p)
        p = np.where(apart_mask(self.spec, levels), np.minimum(p, APART_CAP), p)
        p = np.where(rename_mask(self.spec, levels), np.maximum(p, RENAME_FLOOR), p)
        if self.decisions:
            n = len(self.features)
            dk = np.array([min(a, b) * n + max(a, b) for a, b in self.decisions], np.int64)
            dv = np.array([1.0 if v else 0.0 for v in self.decisions.values()])
            order = np.argsort(dk)
            dk, dv = dk[order], dv[order]
            keys = i * n + j
            at = np.clip(np.searchsorted(dk, keys), 0, len(dk) - 1)
            hit = dk[at] == keys
            p = np.where(hit, dv[at], p)
        return p

    def decision(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """'accept', 'reject' or '' for each pair."""
        out = np.full(len(i), "", dtype=object)
        n = len(self.features)
        keys = i * n + j
        for (a, b), accept in self.decisions.items():
            out[keys == min(a, b) * n + max(a, b)] = "accept" if accept else "reject"
        return out

    def __call__(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        return self.probability(i, j, self.levels(i, j))


def _household(spec: MatchSpec, levels: pd.DataFrame):
    """Per guard: (name level, a household field agrees, the ID levels (min over ID fields
    outside the household, -1 when missing))."""
    for name_col, household in spec.guards:
        same_home = np.zeros(len(levels), dtype=bool)
        for h in household:
            same_home |= levels[h].to_numpy() == 0
        ids = [levels[fs.column].to_numpy() for fs in spec.fields
               if fs.kind == "id_cn" and fs.column not in household]
        id_lv = np.min(np.column_stack(ids), axis=1) if ids else np.full(len(levels), -1)
        dates = [levels[fs.column].to_numpy() for fs in spec.fields if fs.kind == "date"]
        other_day = (np.min(np.column_stack(dates), axis=1) >= 3 if dates
                     else np.zeros(len(levels), dtype=bool))
        yield levels[name_col].to_numpy(), same_home, id_lv, other_day


def sibling_mask(spec: MatchSpec, levels: pd.DataFrame) -> np.ndarray:
    """Pairs taken for siblings (twins): a household field agrees, the ID numbers are neither
    equal nor one slip apart, and the names have nothing but the surname in common — or are
    merely similar while both ID numbers are valid and different — or both ID numbers are
    valid and different and so are the birth dates (beyond a swap or a one-digit slip)."""
    out = np.zeros(len(levels), dtype=bool)
    for name_lv, same_home, id_lv, other_day in _household(spec, levels):
        out |= same_home & ~np.isin(id_lv, (0, 1)) & (
            (name_lv >= 4) | ((name_lv == 3) & (id_lv == 4)) | ((id_lv == 4) & other_day))
    return out


def apart_mask(spec: MatchSpec, levels: pd.DataFrame) -> np.ndarray:
    """Pairs whose ID numbers (outside the household) are both valid and neither equal nor
    one slip apart: two people however alike the rest — at most 待复核 (a changed number is
    for an inspector to confirm)."""
    ids = [levels[fs.column].to_numpy() for fs in spec.fields if fs.kind == "id_cn"
           and not fs.group]
    if not ids:
        return np.zeros(len(levels), dtype=bool)
    return np.min(np.column_stack(ids), axis=1) == 4


def rename_mask(spec: MatchSpec, levels: pd.DataFrame) -> np.ndarray:
    """Suspected name changes (疑似改名, ``spec.renames``): the names share no more than the
    surname while birth date, guardian and address (the rename's fields) agree exactly, and
    no two valid ID numbers tell the records apart."""
    out = np.zeros(len(levels), dtype=bool)
    for name_col, same in spec.renames:
        m = levels[name_col].to_numpy() >= 4
        for c in same:
            m &= levels[c].to_numpy() == 0
        out |= m
    return out & ~apart_mask(spec, levels)


def doubt_mask(spec: MatchSpec, levels: pd.DataFrame) -> np.ndarray:
    """Pairs of one household whose names differ by more than 简繁, homophone or look-alike
    while no ID number links them: a typo or a sibling — never 确定 without an inspector."""
    out = np.zeros(len(levels), dtype=bool)
    for name_lv, same_home, id_lv, _ in _household(spec, levels):
        out |= same_home & (name_lv == 3) & ~np.isin(id_lv, (0, 1))
    return out


def _decision_positions(keys: pd.Series, decisions: pd.DataFrame | None
                        ) -> dict[tuple[int, int], bool]:
    if decisions is None or len(decisions) == 0:
        return {}
    pos = pd.Series(np.arange(len(keys)), index=keys.to_numpy())
    pos = pos[~pos.index.duplicated()]
    a = pos.reindex(decisions["key_a"].to_numpy()).to_numpy()
    b = pos.reindex(decisions["key_b"].to_numpy()).to_numpy()
    ok = ~(np.isnan(a) | np.isnan(b))
    acc = decisions["accept"].to_numpy(dtype=bool)
    return {(int(x), int(y)): bool(z) for x, y, z in zip(a[ok], b[ok], acc[ok], strict=True)}


def bands(i: np.ndarray, j: np.ndarray, p: np.ndarray, label: np.ndarray) -> np.ndarray:
    """确定 / 疑似 for pairs inside one cluster, 待复核 for the rest (p ≥ REVIEW)."""
    same = (label[i] >= 0) & (label[i] == label[j])
    return np.where(same, np.where(p >= SURE, "确定", "疑似"), "待复核")


def match(df: pd.DataFrame, spec: MatchSpec, *, decisions: pd.DataFrame | None = None,
          progress: bool = False, u_sample: int = 100_000) -> MatchResult:
    """Find records of ``df`` that are the same entity, per the mapping ``spec``; without
    ``spec.blocks`` the blocking keys are proposed from the data (:mod:`.propose`; chosen keys
    and estimated pairs in ``stats['proposed_blocks']``).

    ``decisions``: a frame ``key_a, key_b, accept`` (bool) of an inspector's decisions; an
    accepted pair scores 1, a rejected pair 0 (and can never be clustered together).
    """
    t0 = time.perf_counter()
    timings = {}
    proposed = None
    if not spec.blocks:  # blocking proposed from the data
        from .propose import propose_blocks
        blocks, proposed = propose_blocks(df, spec)
        spec = replace(spec, blocks=blocks)
        timings["propose"] = time.perf_counter() - t0
    bar = _stages(progress)
    features, codes = prepare_coded(df, spec)
    timings["features"] = time.perf_counter() - t0 - sum(timings.values())
    bar.update(1)
    report = BlockingReport()
    i, j = candidate_pairs(features, spec, report, codes)
    dec = _decision_positions(features["_key"], decisions)
    if dec:
        extra = np.array([(min(a, b), max(a, b)) for a, b in dec], dtype=np.int64)
        n = len(features)
        keys = np.unique(np.concatenate([i * n + j, extra[:, 0] * n + extra[:, 1]]))
        i, j = keys // n, keys % n
    timings["blocking"] = time.perf_counter() - t0 - sum(timings.values())
    bar.update(1)
    placeholder = Model((), {}, {}, 0.5)
    scorer = Scorer(features, spec, placeholder, dec, codes=codes)
    levels = scorer.levels(i, j, progress)
    timings["compare"] = time.perf_counter() - t0 - sum(timings.values())
    bar.update(1)
    scorer.model = train(features, spec, levels, u_sample, sibling_mask(spec, levels), codes)
    p = scorer.probability(i, j, levels)
    timings["score"] = time.perf_counter() - t0 - sum(timings.values())
    bar.update(1)
    out = finish(features, spec, scorer, i, j, levels, p, report, timings, t0)
    if proposed is not None:
        out.stats["proposed_blocks"] = {rule_name(r): n for r, n in proposed.items()}
    bar.update(1)
    bar.close()
    return out


class _Silent:
    """A progress bar that shows nothing."""

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _stages(progress: bool):
    """A tqdm bar over the five stages (terminal or notebook), or a silent stand-in."""
    if not progress:
        return _Silent()
    from tqdm.auto import tqdm
    return tqdm(total=5, desc="查找重复学籍", unit="步")


def finish(features, spec, scorer, i, j, levels, p, report, timings, t0,
           n_total: int | None = None) -> MatchResult:
    """Cluster the scored candidate pairs and build the result frames (shared by engines).

    ``features`` may be a subset of the records (the dask engine brings back only those in
    a retained pair); ``n_total`` is then the number of all records."""
    keep = p >= REVIEW
    i, j, p, levels = i[keep], j[keep], p[keep], levels[keep].reset_index(drop=True)
    n = len(features)
    label, (ai, aj, ap) = cluster(n, i, j, p, scorer, MATCH, CANNOT_LINK)
    if len(ai) > len(i):  # closure pairs: add their levels
        extra = scorer.levels(ai[len(i):], aj[len(i):])
        levels = pd.concat([levels, extra], ignore_index=True)
    same = (label[ai] >= 0) & (label[ai] == label[aj])
    show = same | (ap >= REVIEW)
    ai, aj, ap, levels = ai[show], aj[show], ap[show], levels[show].reset_index(drop=True)
    band = bands(ai, aj, ap, label)
    keys = features["_key"].to_numpy(dtype=object)
    pairs = pd.DataFrame({"key_a": keys[ai], "key_b": keys[aj], "score": np.round(ap, 4),
                          "band": band, "_i": ai, "_j": aj})
    pairs = pd.concat([pairs, levels], axis=1)
    pairs["sibling"] = sibling_mask(spec, levels)
    pairs["decision"] = scorer.decision(ai, aj)
    pairs = pairs.sort_values(["band", "score"], ascending=[True, False], kind="stable")
    clusters = cluster_frame(keys, label, pairs)
    timings["cluster"] = time.perf_counter() - t0 - sum(timings.values())
    n_all = n if n_total is None else n_total
    stats = {
        "records": n_all,
        "candidate_pairs": report.candidate_pairs,
        "reduction_ratio": reduction_ratio(report.candidate_pairs, n_all),
        "pairs_per_rule": report.pairs_per_rule,
        "skipped_blocks": report.skipped_blocks,
        "lambda": scorer.model.lam,
        "em_iterations": scorer.model.iterations,
        "clusters": int(clusters["cluster_id"].nunique()) if len(clusters) else 0,
        "clustered_records": len(clusters),
        "seconds": timings,
    }
    return MatchResult(pairs.reset_index(drop=True), clusters, stats, scorer.model)


def cluster_frame(keys: np.ndarray, label: np.ndarray, pairs: pd.DataFrame) -> pd.DataFrame:
    """cluster_id (C000001 …, ordered by the smallest key), key and the cluster's band."""
    rows = np.flatnonzero(label >= 0)
    if len(rows) == 0:
        return pd.DataFrame({"cluster_id": [], "key": [], "band": []}, dtype=object)
    frame = pd.DataFrame({"label": label[rows], "key": keys[rows]})
    least = frame.sort_values("key", kind="stable").drop_duplicates("label")
    first = frame["label"].map(least.set_index("label")["key"])  # each cluster's least key
    frame = frame.assign(first=first).sort_values(["first", "key"])
    ids = frame["label"].map({lab: f"C{k + 1:06d}" for k, lab in
                              enumerate(frame["label"].drop_duplicates())})
    inside = pairs[pairs["band"] != "待复核"]
    unsure = set(label[inside.loc[inside["band"] == "疑似", "_i"].to_numpy()].tolist())
    band = np.where(frame["label"].isin(unsure), "疑似", "确定")
    return pd.DataFrame({"cluster_id": ids.to_numpy(), "key": frame["key"].to_numpy(),
                         "band": band})
