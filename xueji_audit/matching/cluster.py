"""From scored pairs to clusters that resist chaining.

Records linked by pairs at or above the match threshold form connected components. A
component of two records is a cluster. In a larger one, every pair inside it is scored (the
"closure": A~B and B~C make us *look at* A~C, not assume it), and the records are merged by
average linkage: two groups join when the mean probability over all their cross pairs is at
least the threshold and no cross pair is a clear non-match (below ``cannot_link``, e.g. two
different valid ID numbers, or a pair an inspector rejected).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .blocking import pairs_within

MATCH = 0.5
CANNOT_LINK = 0.05
MAX_COMPONENT = 60  # larger components are clustered on their strong edges only


def components(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Connected-component label (the smallest member position) of each of ``n`` records."""
    label = np.arange(n, dtype=np.int64)
    if len(i) == 0:
        return label
    while True:
        li, lj = label[i], label[j]
        low = np.minimum(li, lj)
        before = label.copy()
        np.minimum.at(label, i, low)
        np.minimum.at(label, j, low)
        label = label[label]  # pointer jumping
        if np.array_equal(label, before):
            return label


def _average_link(members: np.ndarray, prob: dict[tuple[int, int], float], threshold: float,
                  cannot_link: float) -> list[list[int]]:
    groups: list[list[int]] = [[int(x)] for x in members]
    while len(groups) > 1:
        best, best_ab = threshold, None
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                ps = [prob.get((min(x, y), max(x, y)), 0.0) for x in groups[a] for y in groups[b]]
                mean = sum(ps) / len(ps)
                if mean >= best and min(ps) >= cannot_link:
                    best, best_ab = mean, (a, b)
        if best_ab is None:
            break
        a, b = best_ab
        groups[a] = groups[a] + groups[b]
        del groups[b]
    return [g for g in groups if len(g) > 1]


def cluster(n: int, i: np.ndarray, j: np.ndarray, p: np.ndarray,
            score: Callable[[np.ndarray, np.ndarray], np.ndarray],
            threshold: float = MATCH, cannot_link: float = CANNOT_LINK
            ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Cluster ids (-1 = a singleton) for ``n`` records from scored pairs ``(i, j, p)``.

    ``score(i, j)`` returns the probability of arbitrary pairs; it is called once for the
    unscored pairs inside components of three or more. Returns the labels and every pair
    scored (the given ones plus the closure) as ``(i, j, p)``.
    """
    strong = p >= threshold
    comp = components(n, i[strong], j[strong])
    sizes = np.bincount(comp, minlength=n)
    label = np.full(n, -1, dtype=np.int64)
    in_pair = sizes[comp] == 2
    label[in_pair] = comp[in_pair]

    big = (sizes[comp] >= 3) & (sizes[comp] <= MAX_COMPONENT)
    codes = np.where(big, comp, -1)
    ci, cj, _ = pairs_within(codes, MAX_COMPONENT)
    known = dict(zip((i * n + j).tolist(), p.tolist(), strict=True))
    keys = ci * n + cj
    missing = ~np.isin(keys, i * n + j)
    if missing.any():
        extra = score(ci[missing], cj[missing])
        known.update(zip(keys[missing].tolist(), extra.tolist(), strict=True))
    all_i = np.concatenate([i, ci[missing]])
    all_j = np.concatenate([j, cj[missing]])
    all_p = np.concatenate([p, extra]) if missing.any() else p

    prob = {(k // n, k % n): v for k, v in zip(keys.tolist(), [known[k] for k in keys.tolist()],
                                                strict=True)}
    order = np.argsort(codes[big], kind="stable")
    members_all = np.flatnonzero(big)[order]
    if len(members_all):
        bounds = np.flatnonzero(np.r_[True, np.diff(codes[members_all]) != 0, True])
        for s, e in zip(bounds[:-1], bounds[1:], strict=True):
            for g in _average_link(members_all[s:e], prob, threshold, cannot_link):
                label[g] = min(g)

    huge = sizes[comp] > MAX_COMPONENT  # fallback: strong edges only, no closure
    label[huge] = comp[huge]
    return label, (all_i, all_j, all_p)
