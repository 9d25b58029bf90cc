"""Candidate pairs: records that agree on at least one blocking key.

Each blocking rule is a tuple of feature names; two records form a candidate pair when all of
them are equal and non-empty. The pairs of all rules are united. A block larger than
``max_block`` records (a placeholder value such as ``未知`` shared by thousands) is skipped and
reported, never silently: it would add millions of pairs and no evidence.

Pairs are ``(i, j)`` row positions with ``i < j``, as int64 arrays, sorted by ``(i, j)``.
Pair generation is vectorised with numpy (no loop over blocks).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .features import MatchSpec
from .idrepair import repair_pairs


@dataclass
class BlockingReport:
    """Pairs per rule (before union) and the blocks skipped for their size."""

    pairs_per_rule: dict[str, int] = field(default_factory=dict)
    skipped_blocks: dict[str, int] = field(default_factory=dict)
    candidate_pairs: int = 0


def rule_name(rule: tuple[str, ...]) -> str:
    return " + ".join(rule)


def block_codes(features: pd.DataFrame, rule: tuple[str, ...]) -> np.ndarray:
    """One integer code per record for ``rule`` (-1 where any part is empty)."""
    parts = [features[c].to_numpy(dtype=object) for c in rule]
    empty = np.zeros(len(features), dtype=bool)
    for p in parts:
        empty |= p == ""
    if len(parts) == 1:
        codes, _ = pd.factorize(parts[0])
    else:
        frame = pd.DataFrame({str(k): p for k, p in enumerate(parts)})
        codes = frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy()
    codes = np.asarray(codes, dtype=np.int64)
    codes[empty] = -1
    return codes


def pairs_within(codes: np.ndarray, max_block: int) -> tuple[np.ndarray, np.ndarray, int]:
    """All pairs of positions sharing a code (code -1 excluded); blocks above ``max_block``
    are skipped. Returns ``(i, j, skipped_blocks)`` with ``i < j``."""
    keep = np.flatnonzero(codes >= 0)
    order = keep[np.argsort(codes[keep], kind="stable")]
    c = codes[order]
    if len(c) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), 0
    starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
    sizes = np.diff(np.r_[starts, len(c)])
    big = sizes > max_block
    size_of = np.repeat(sizes, sizes)
    start_of = np.repeat(starts, sizes)
    pos = np.arange(len(c))
    ok = ~np.repeat(big, sizes)
    partners = np.where(ok, start_of + size_of - pos - 1, 0)
    total = int(partners.sum())
    left = np.repeat(pos, partners)
    offsets = np.repeat(np.cumsum(partners) - partners, partners)
    right = left + 1 + (np.arange(total) - offsets)
    i, j = order[left], order[right]
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    return lo.astype(np.int64), hi.astype(np.int64), int(big.sum())


def candidate_pairs(features: pd.DataFrame, spec: MatchSpec,
                    report: BlockingReport | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The union of the pairs of every blocking rule of ``spec`` (cross-source only when
    ``spec.source`` is set)."""
    n = len(features)
    keys = []
    source = features["_source"].to_numpy(dtype=object) if spec.source else None
    for rule in spec.blocks:
        i, j, skipped = pairs_within(block_codes(features, rule), spec.max_block)
        if source is not None:
            cross = source[i] != source[j]
            i, j = i[cross], j[cross]
        if report is not None:
            report.pairs_per_rule[rule_name(rule)] = len(i)
            if skipped:
                report.skipped_blocks[rule_name(rule)] = skipped
        keys.append(i * n + j)
    for id_col, birth_col, sex_col in spec.repair:
        i, j = repair_pairs(features, id_col, birth_col, sex_col)
        if report is not None:
            report.pairs_per_rule[f"{id_col} 修正候选"] = len(i)
        keys.append(i * n + j)
    allkeys = np.unique(np.concatenate(keys)) if keys else np.zeros(0, np.int64)
    if report is not None:
        report.candidate_pairs = len(allkeys)
    return allkeys // max(n, 1), allkeys % max(n, 1)


def pairs_completeness(found_i: np.ndarray, found_j: np.ndarray, true_i: np.ndarray,
                       true_j: np.ndarray, n: int) -> float:
    """Share of the true pairs (positions) that are among the candidate pairs."""
    if len(true_i) == 0:
        return 1.0
    t = np.minimum(true_i, true_j) * n + np.maximum(true_i, true_j)
    f = found_i * n + found_j
    return float(np.isin(t, f).mean())


def reduction_ratio(n_pairs: int, n: int, n_other: int | None = None) -> float:
    """1 − candidate pairs / all possible pairs (n(n−1)/2, or n × n_other when linking)."""
    total = n * n_other if n_other is not None else n * (n - 1) / 2
    return 1.0 - n_pairs / total if total else 1.0
