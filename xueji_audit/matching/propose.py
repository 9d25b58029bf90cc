"""Blocking proposed from the data, for a mapping that names only fields and kinds.

:func:`propose_blocks` chooses the blocking keys of a :class:`MatchSpec` without ``blocks``:

1. candidate keys from each field's kind (a name's sound, its first and last characters, an
   ID's 15-digit form and region + birth digits, a date, its day-month swap and month, the
   first or last digits of a code …), alone and in pairs across fields;
2. each candidate's pair count estimated on the data (on a sample above :data:`SAMPLE`
   records, scaled up), oversized blocks counted as their sorted neighbourhood;
3. a first pass — the cheapest candidates united up to the pair budget — compared and scored
   by the EM model; the pairs it scores as matches are the sample of likely matches;
4. greedily, the candidate covering most of the likely matches not yet covered, among those
   whose estimated pairs fit in what is left of the budget, until none adds coverage.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from .blocking import block_codes, candidate_pairs, rule_name
from .cluster import MATCH
from .compare import compare
from .em import match_weight, probability, term_frequencies, train
from .features import MatchSpec, prepare_coded

KEYS_BY_KIND: dict[str, tuple[str, ...]] = {
    "name_zh": (":sound", "", ":head", ":tail", ":surname"),
    "name": ("", ":first2", ":last2"),
    "text": ("", ":first4"),
    "id_cn": (":id15", ":p14"),
    "code": ("", ":first4", ":last4"),
    "date": ("", ":swap", ":ym", ":y"),
    "exact": ("",),
}
SAMPLE = 200_000
COARSE = ("exact",)  # alone too coarse to block on; only in pairs


def candidates(spec: MatchSpec) -> list[tuple[str, ...]]:
    """Candidate blocking rules: each field's keys alone (not for ``exact`` fields) and every
    pair of keys of two different fields."""
    singles = [(f, f.column + k) for f in spec.fields for k in KEYS_BY_KIND[f.kind]]
    out = [(key,) for f, key in singles if f.kind not in COARSE]
    for a in range(len(singles)):
        for b in range(a + 1, len(singles)):
            if singles[a][0].column != singles[b][0].column:
                out.append((singles[a][1], singles[b][1]))
    return out


def _pair_count(codes: np.ndarray, source: np.ndarray | None, max_block: int, window: int
                ) -> float:
    """Pairs a blocking code gives (within sources' crossings when linking); a block above
    ``max_block`` counts as its sorted neighbourhood."""
    ok = codes >= 0
    c = pd.factorize(codes[ok])[0]
    if source is not None:
        s = pd.factorize(source[ok])[0]
        table = np.bincount(c * 2 + np.minimum(s, 1), minlength=2 * (c.max(initial=-1) + 1))
        a, b = table[0::2].astype(float), table[1::2].astype(float)
        size = a + b
        return float(np.where(size > max_block, size * window / 2, a * b).sum())
    size = np.bincount(c).astype(float)
    return float(np.where(size > max_block, size * window, size * (size - 1) / 2).sum())


def estimate_pairs(features: pd.DataFrame, spec: MatchSpec, rules, codes: dict
                   ) -> dict[tuple[str, ...], float]:
    """Estimated candidate pairs of each rule on all the records."""
    n = len(features)
    rows = np.arange(n)
    if n > SAMPLE:
        rows = np.sort(np.random.default_rng(20260101).choice(n, SAMPLE, replace=False))
    scale = (n / len(rows)) ** 2 if len(rows) else 1.0
    source = features["_source"].to_numpy(dtype=object)[rows] if spec.source else None
    known = dict(codes)
    return {r: _pair_count(block_codes(features, r, known)[rows], source, spec.max_block,
                           spec.window) * scale for r in rules}


def propose_blocks(df: pd.DataFrame, spec: MatchSpec, budget: int | None = None
                   ) -> tuple[tuple[tuple[str, ...], ...], dict[tuple[str, ...], float]]:
    """The blocking rules chosen for ``spec`` on ``df`` and their estimated pair counts.
    ``budget``: the total of estimated candidate pairs allowed (default 20 per record, at
    least 50,000)."""
    rules = candidates(spec)
    wide = replace(spec, blocks=tuple(rules))
    features, codes = prepare_coded(df, wide)
    n = len(features)
    budget = budget or max(20 * n, 50_000)
    est = estimate_pairs(features, wide, rules, codes)
    affordable = sorted((r for r in rules if 0 < est[r] <= budget), key=lambda r: est[r])
    first, total = [], 0.0
    for r in affordable:
        if total + est[r] > budget:
            break
        first.append(r)
        total += est[r]
    if not first:
        return (), {}
    probe = replace(spec, blocks=tuple(first), repair=())
    i, j = candidate_pairs(features, probe, None, codes)
    levels = compare(features, probe, i, j, codes)
    model = train(features, probe, levels, codes=codes)
    p = probability(match_weight(model, probe, levels, i, term_frequencies(features, probe,
                                                                            codes)))
    mi, mj = i[p >= MATCH], j[p >= MATCH]
    known = dict(codes)
    agree = {}
    for r in affordable:
        c = block_codes(features, r, known)
        ok = c >= 0
        size = np.zeros(len(c), dtype=np.int64)
        f, uniq = pd.factorize(c[ok])
        size[ok] = np.bincount(f, minlength=len(uniq))[f]
        # a pair counts as covered only in a block compared in full (an oversized block
        # gives only its sorted neighbourhood)
        agree[r] = (c[mi] == c[mj]) & ok[mi] & (size[mi] <= spec.max_block)
    covered = np.zeros(len(mi), dtype=bool)
    chosen: list[tuple[str, ...]] = []
    left = float(budget)
    while True:
        best, gain = None, 0
        for r in affordable:
            if r in chosen or est[r] > left:
                continue
            g = int((agree[r] & ~covered).sum())
            if g > gain or (g == gain and g > 0 and est[r] < est[best]):
                best, gain = r, g
        if best is None:
            break
        chosen.append(best)
        covered |= agree[best]
        left -= est[best]
    return tuple(chosen), {r: est[r] for r in chosen}


def describe(blocks, est: dict) -> str:
    """The chosen keys and their estimated pairs, one line each (Chinese)."""
    lines = [f"  {rule_name(r)}：约 {int(round(est.get(r, 0))):,} 对" for r in blocks]
    return "自动选择的分块键（按数据估计的候选对数）：\n" + "\n".join(lines)
