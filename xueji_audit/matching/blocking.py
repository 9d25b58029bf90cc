"""Candidate pairs: records that agree on at least one blocking key.

Each blocking rule is a tuple of feature names; two records form a candidate pair when all of
them are equal and non-empty. The pairs of all rules are united. A block larger than
``max_block`` records (a placeholder value such as ``未知`` shared by thousands, or a common
name in a province) is not dropped but capped: sorted by the spec's ``order`` feature (the
name's sound), each record is paired with its next ``window`` records (sorted neighbourhood),
so no rule's pairs grow with the square of the data; such blocks are reported. A rule whose
blocks are each small enough but together give more than ``budget`` pairs per record (a key
nearly every record shares a part of, e.g. one given-name character with the birth date) has its
largest blocks treated the same way, largest first, until it fits (with a narrower window
if even every block windowed does not).

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
    """Pairs per rule (before union) and the blocks per rule that gave only their sorted
    neighbourhood (or nothing, without a window) for their size or the rule's pair budget."""

    pairs_per_rule: dict[str, int] = field(default_factory=dict)
    skipped_blocks: dict[str, int] = field(default_factory=dict)
    candidate_pairs: int = 0


def rule_name(rule: tuple[str, ...]) -> str:
    return " + ".join(rule)


def _column_codes(features: pd.DataFrame, column: str, known: dict[str, np.ndarray]
                  ) -> np.ndarray:
    """Codes of one feature column (equal ⇔ equal text, -1 ⇔ ""), factorized once."""
    if column not in known:
        text = features[column].to_numpy(dtype=object)
        codes, _ = pd.factorize(text)
        known[column] = np.where(text == "", -1, codes)
    return known[column]


def block_codes(features: pd.DataFrame, rule: tuple[str, ...],
                known: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """One integer code per record for ``rule`` (-1 where any part is empty). ``known``:
    codes of feature columns (see :func:`.features.prepare_coded`), filled as columns are
    factorized."""
    known = {} if known is None else known
    if len(rule) == 1:
        return np.maximum(_column_codes(features, rule[0], known), -1)
    empty = np.zeros(len(features), dtype=bool)
    codes = np.zeros(len(features), dtype=np.int64)
    top = 1
    for c in rule:
        part = _column_codes(features, c, known)
        empty |= part < 0
        part = np.maximum(part, 0)
        size = int(part.max()) + 1 if len(part) else 1
        if size > 2**31:  # codes far from consecutive (numbers read from text): renumber
            part, uniq = pd.factorize(part)
            size = len(uniq)
        if top * size >= 2**62:  # renumber before the product could overflow
            codes, uniq = pd.factorize(codes)
            top = len(uniq)
        codes = codes * size + part
        top *= size
    codes[empty] = -1
    return codes


def _windows(pos: np.ndarray, block: np.ndarray, order: np.ndarray | None, window: int
             ) -> tuple[np.ndarray, np.ndarray]:
    """Sorted neighbourhood inside oversized blocks: records ``pos`` of blocks ``block`` sorted
    by ``order`` (then position); each paired with the next ``window`` of its block."""
    key = order[pos] if order is not None else pos
    s = np.lexsort((pos, key, block))
    pos, block = pos[s], block[s]
    li, lj = [], []
    for d in range(1, window + 1):
        same = block[d:] == block[:-d]
        li.append(pos[:-d][same])
        lj.append(pos[d:][same])
    i, j = np.concatenate(li), np.concatenate(lj)
    return np.minimum(i, j), np.maximum(i, j)


def _windowed(sizes: np.ndarray, window: int) -> np.ndarray:
    """Pairs of blocks of ``sizes`` when each record is paired with its next ``window``."""
    m = np.minimum(window, sizes - 1).astype(float)
    return m * sizes - m * (m + 1) / 2


def _over_budget(sizes: np.ndarray, big: np.ndarray, window: int, budget: float
                 ) -> tuple[np.ndarray, int]:
    """``big`` widened by the largest remaining blocks, largest first, until the pairs of all
    blocks fit in ``budget``; if even every block windowed does not fit, a narrower window.
    Returns (windowed blocks, window)."""
    full, win = sizes * (sizes - 1) / 2.0, _windowed(sizes, window)
    total = float(np.where(big, win, full).sum())
    if total <= budget:
        return big, window
    saved = np.where(big, 0.0, full - win)
    order = np.argsort(-sizes, kind="stable")
    order = order[saved[order] > 0]
    cut = np.searchsorted(-(total - np.cumsum(saved[order])), -budget)  # first k that fits
    big = big.copy()
    big[order[:cut + 1]] = True
    while window > 1 and float(np.where(big, _windowed(sizes, window), full).sum()) > budget:
        window //= 2
    return big, window


def pairs_within(codes: np.ndarray, max_block: int, window: int = 0,
                 sort_by: np.ndarray | None = None, budget: float | None = None
                 ) -> tuple[np.ndarray, np.ndarray, int]:
    """All pairs of positions sharing a code (code -1 excluded). A block above ``max_block``
    is skipped, or with ``window`` gives only the pairs of each record with its next
    ``window`` records when sorted by ``sort_by`` (integer codes per position, e.g. the name's
    sound; else by position). With ``window`` and ``budget`` (pairs in all), the largest
    blocks are windowed as well until the pairs fit the budget. Returns ``(i, j,
    windowed_or_skipped_blocks)`` with ``i < j``."""
    keep = np.flatnonzero(codes >= 0)
    if len(keep) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), 0
    bits = max(1, (len(codes) - 1).bit_length())
    c = codes[keep].astype(np.int64)
    if int(c.max()) >= 2 ** (62 - bits):  # too wide to pack with a position: renumber
        c = pd.factorize(c)[0].astype(np.int64)
    packed = np.sort((c << bits) | keep)  # by code, then position (a stable sort)
    order, c = packed & ((1 << bits) - 1), packed >> bits
    starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
    sizes = np.diff(np.r_[starts, len(c)])
    big = sizes > max_block
    if window and budget is not None:
        big, window = _over_budget(sizes, big, window, budget)
    all_starts = starts
    pick = (sizes >= 2) & ~big  # blocks that give pairs
    starts, sizes = starts[pick], sizes[pick]
    size_of = np.repeat(sizes, sizes)
    start_of = np.repeat(starts, sizes)
    pos = start_of + (np.arange(len(size_of)) - np.repeat(np.cumsum(sizes) - sizes, sizes))
    partners = start_of + size_of - pos - 1
    total = int(partners.sum())
    left = np.repeat(pos, partners)
    offsets = np.repeat(np.cumsum(partners) - partners, partners)
    right = left + 1 + (np.arange(total) - offsets)
    i, j = order[left], order[right]
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    if window and big.any():
        members = np.flatnonzero(np.repeat(big, np.diff(np.r_[all_starts, len(c)])))
        wi, wj = _windows(order[members], c[members], sort_by, window)
        lo, hi = np.concatenate([lo, wi]), np.concatenate([hi, wj])
    return lo.astype(np.int64), hi.astype(np.int64), int(big.sum())


def _unique(keys: np.ndarray) -> np.ndarray:
    """The distinct values of ``keys``, sorted (by sorting: faster than np.unique's hashing
    on a wide range of int64)."""
    s = np.sort(keys)
    return s[np.r_[True, s[1:] != s[:-1]]] if len(s) else s


def candidate_pairs(features: pd.DataFrame, spec: MatchSpec,
                    report: BlockingReport | None = None,
                    codes: dict[str, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The union of the pairs of every blocking rule of ``spec`` (cross-source only when
    ``spec.source`` is set). ``codes``: integer codes of feature columns, when known."""
    n = len(features)
    keys = []
    known = dict(codes or {})
    source = features["_source"].to_numpy(dtype=object) if spec.source else None
    sort_by = None
    if spec.window and spec.order_by:
        sort_by = np.maximum(_column_codes(features, spec.order_by, known), -1)
    for rule in spec.blocks:
        i, j, skipped = pairs_within(block_codes(features, rule, known), spec.max_block,
                                     spec.window, sort_by, spec.rule_budget * max(n, 1000))
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
    allkeys = _unique(np.concatenate(keys)) if keys else np.zeros(0, np.int64)
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
