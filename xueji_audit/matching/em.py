"""Fellegi–Sunter weights learnt without labels.

* ``u`` (how often two *different* records agree at each level) is measured on random record
  pairs: among n records almost every random pair is a non-match.
* ``m`` (how often a *true* pair agrees at each level) is learnt by expectation–maximisation
  on the candidate pairs (with their own ``u`` and share of matches, since blocking makes
  candidate non-matches agree more than random pairs). EM works on the counts of distinct
  level patterns, so it costs nothing per pair. The prior ``λ`` for scoring is the expected
  number of matches over all possible pairs.
* A pair's match weight is ``log2(λ/(1−λ)) + Σ log2(m/u)`` over its non-missing fields; with
  term-frequency adjustment, an exact agreement on a value shared by a fraction ``tf`` of the
  records weighs ``log2(m/tf)`` instead of ``log2(m/u)`` — two 王芳 prove less than two 欧阳娜娜.
* Fields of one group (the household: guardian, phone, address) are one piece of evidence:
  the group adds its strongest agreement, or its strongest disagreement, not their sum.
* The match probability is ``1 / (1 + 2^−weight)``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .compare import EXACT_LEVELS, compare, n_levels
from .features import MatchSpec

_EPS = 1e-6
_PSEUDO = 0.5  # pseudo-count of true pairs at each level (no level is impossible)


@dataclass
class Model:
    """Learnt parameters: per field, ``m`` and ``u`` per level; the prior ``lam``."""

    fields: tuple[str, ...]
    m: dict[str, np.ndarray]
    u: dict[str, np.ndarray]
    lam: float  # prior probability that two records match (scoring)
    iterations: int = 0
    lam_candidates: float = 0.0  # share of matches among the candidate pairs (EM)

    def weights(self, column: str) -> np.ndarray:
        return np.log2(self.m[column] / self.u[column])

    def table(self) -> pd.DataFrame:
        """One row per (field, level): m, u and the weight in bits, for reports."""
        rows = [(f, k, self.m[f][k], self.u[f][k], self.weights(f)[k])
                for f in self.fields for k in range(len(self.m[f]))]
        return pd.DataFrame(rows, columns=["field", "level", "m", "u", "weight"])


def sample_pairs(n: int, size: int, seed: int = 20260101) -> tuple[np.ndarray, np.ndarray]:
    """``size`` random pairs of distinct positions in ``0..n-1`` (i < j), reproducible."""
    if n < 2:  # no pair to draw
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    rng = np.random.default_rng(seed)
    i = rng.integers(0, n, size)
    j = rng.integers(0, n - 1, size)
    j = np.where(j >= i, j + 1, j)
    return np.minimum(i, j), np.maximum(i, j)


def estimate_u(features: pd.DataFrame, spec: MatchSpec, size: int = 100_000,
               seed: int = 20260101, codes: dict[str, np.ndarray] | None = None
               ) -> dict[str, np.ndarray]:
    """``u`` per field and level from random pairs (cross-source only when linking)."""
    i, j = sample_pairs(len(features), size, seed)
    return u_from_pairs(features, spec, i, j, codes)


def u_from_pairs(features: pd.DataFrame, spec: MatchSpec, i: np.ndarray,
                 j: np.ndarray, codes: dict[str, np.ndarray] | None = None
                 ) -> dict[str, np.ndarray]:
    """``u`` per field and level from the given (random) pairs of ``features``
    (``codes`` as in :func:`.compare.compare`)."""
    if spec.source:
        src = features["_source"].to_numpy(dtype=object)
        keep = src[i] != src[j]
        i, j = i[keep], j[keep]
    lv = compare(features, spec, i, j, codes)
    u = {}
    for fs in spec.fields:
        x = lv[fs.column].to_numpy()
        x = x[x >= 0]
        counts = np.bincount(x, minlength=n_levels(fs)).astype(np.float64)
        u[fs.column] = (counts + 0.5) / (counts.sum() + 0.5 * len(counts))
    return u


def patterns(levels: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(distinct level rows, their counts, the pattern index of every pair).

    Each row of levels is packed into one int64 (mixed radix), so counting is a 1-D unique."""
    arr = levels.to_numpy(dtype=np.int64) + 1
    if len(arr) == 0:
        return arr.astype(np.int16), np.zeros(0, np.int64), np.zeros(0, np.int64)
    base = arr.max(axis=0) + 1
    code = np.zeros(len(arr), dtype=np.int64)
    for k in range(arr.shape[1]):
        code = code * base[k] + arr[:, k]
    uniq_code, inverse, counts = np.unique(code, return_inverse=True, return_counts=True)
    uniq = np.zeros((len(uniq_code), arr.shape[1]), dtype=np.int64)
    rest = uniq_code.copy()
    for k in range(arr.shape[1] - 1, -1, -1):
        uniq[:, k] = rest % base[k]
        rest //= base[k]
    return (uniq - 1).astype(np.int16), counts, inverse.ravel()


def _level_shares(x: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    ok = x >= 0
    num = np.bincount(x[ok], weights=weights[ok], minlength=size) + _PSEUDO
    return num / num.sum()


def fit_em(uniq: np.ndarray, counts: np.ndarray, fields: tuple[str, ...],
           sizes: tuple[int, ...], max_iter: int = 300,
           tol: float = 1e-7) -> Model:
    """EM for ``m``, ``u`` and ``λ`` of the candidate pairs, on pattern counts.

    Both ``m`` and ``u`` are learnt here: the non-matches among candidate pairs are not random
    pairs (blocking made them agree on something), so the ``u`` of random pairs would push
    EM to call every pair sharing a blocking key a match. The returned ``u`` and ``lam``
    describe the candidate pairs; :func:`fit_spec` swaps in the random-pair ``u`` and the
    population prior for scoring.
    """
    w = counts.astype(np.float64)
    if w.sum() == 0:  # no candidate pair: nothing to learn, keep the starting reading
        max_iter = 0
    # start from a plain reading: a pair agreeing exactly on most of its known fields is a
    # match (EM from flat starting values can settle on "no pair matches" in small data)
    known = (uniq >= 0).sum(axis=1)
    agree = (uniq == 0).sum(axis=1)
    post = (agree >= np.maximum(0.6 * known, 1)).astype(np.float64)
    m, u = {}, {}
    for k, (f, L) in enumerate(zip(fields, sizes, strict=True)):
        m[f] = _level_shares(uniq[:, k], post * w, L)
        u[f] = _level_shares(uniq[:, k], (1 - post) * w, L)
    lam = float(np.clip((post * w).sum() / max(w.sum(), 1.0), 1e-4, 0.5))
    it = 0
    while it < max_iter:
        it += 1
        log_r = np.zeros(len(uniq))
        for k, f in enumerate(fields):
            x = uniq[:, k]
            ok = x >= 0
            log_r[ok] += np.log(m[f][x[ok]]) - np.log(u[f][x[ok]])
        log_prior = np.log(lam) - np.log1p(-lam)
        post = 1.0 / (1.0 + np.exp(-np.clip(log_prior + log_r, -700, 700)))
        new_lam = float(np.clip((post * w).sum() / w.sum(), _EPS, 1 - _EPS))
        delta = abs(new_lam - lam)
        for k, (f, L) in enumerate(zip(fields, sizes, strict=True)):
            new_m = _level_shares(uniq[:, k], post * w, L)
            new_u = _level_shares(uniq[:, k], (1 - post) * w, L)
            delta = max(delta, float(np.abs(new_m - m[f]).max()),
                        float(np.abs(new_u - u[f]).max()))
            m[f], u[f] = new_m, new_u
        lam = new_lam
        if delta < tol:
            break
    return Model(tuple(fields), m, u, lam, it)


def train(features: pd.DataFrame, spec: MatchSpec, levels: pd.DataFrame,
          u_sample: int = 100_000, exclude: np.ndarray | None = None,
          codes: dict[str, np.ndarray] | None = None) -> Model:
    """Estimate ``u`` on random pairs and fit ``m``, ``λ`` by EM on the candidate pairs
    (less those marked in ``exclude``: pairs the sibling guard keeps apart)."""
    u = estimate_u(features, spec, u_sample, codes=codes)
    if exclude is not None and exclude.any():
        levels = levels[~exclude]
    uniq, counts, _ = patterns(levels)
    return fit_spec(spec, uniq, counts, u, all_pairs(features, spec))


def all_pairs(features: pd.DataFrame, spec: MatchSpec) -> float:
    """The number of pairs the matcher could compare: n(n−1)/2, or n_a × n_b when linking."""
    if spec.source:
        sizes = features["_source"].value_counts()
        return float(sizes.iloc[0]) * float(sizes.iloc[1:].sum())
    n = len(features)
    return n * (n - 1) / 2


def fit_spec(spec: MatchSpec, uniq: np.ndarray, counts: np.ndarray,
             u: dict[str, np.ndarray], total_pairs: float) -> Model:
    """EM on the candidates (:func:`fit_em`), then the model used for scoring: ``m`` from EM,
    ``u`` of random pairs, and the prior ``λ`` = expected matches / all possible pairs."""
    fields = tuple(fs.column for fs in spec.fields)
    fitted = fit_em(uniq, counts, fields, tuple(n_levels(fs) for fs in spec.fields))
    matches = fitted.lam * float(counts.sum())
    lam = float(np.clip(matches / max(total_pairs, 1.0), 1e-12, 0.5))
    return Model(fields, fitted.m, dict(u), lam, fitted.iterations, fitted.lam)


def term_frequencies(features: pd.DataFrame, spec: MatchSpec,
                     codes: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """For each field with ``tf=True``: the share of records holding each record's value
    (counted on the integer ``codes`` of the column when given)."""
    out = {}
    for fs in spec.fields:
        if fs.tf:
            if codes and fs.column in codes:
                c = codes[fs.column] + 1  # "" (code -1) is a value too
                if len(c) and c.max() >= len(c):  # not consecutive: renumber
                    c = pd.factorize(c)[0]
                out[fs.column] = (np.bincount(c) / len(c))[c]
                continue
            v = features[fs.column]
            freq = v.map(v.value_counts(normalize=True)).to_numpy(dtype=np.float64)
            out[fs.column] = freq
    return out


def match_weight(model: Model, spec: MatchSpec, levels: pd.DataFrame, i: np.ndarray,
                 tf: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """The match weight (bits) of each pair; ``tf`` from :func:`term_frequencies`."""
    total = np.full(len(levels), np.log2(model.lam / (1 - model.lam)))
    groups: dict[str, list[np.ndarray]] = {}
    for fs in spec.fields:
        x = levels[fs.column].to_numpy()
        ok = x >= 0
        w = np.zeros(len(x))
        w[ok] = model.weights(fs.column)[x[ok]]
        if tf and fs.column in tf:
            exact = np.isin(x, EXACT_LEVELS[fs.kind])
            u_exact = model.u[fs.column][x[exact]]
            freq = np.maximum(tf[fs.column][i[exact]], _EPS)
            w[exact] += np.log2(u_exact / freq)
        if fs.group:
            groups.setdefault(fs.group, []).append(w)
        else:
            total += w
    for ws in groups.values():  # one piece of evidence: the strongest agreement, else the
        m = np.column_stack(ws)  # strongest disagreement
        hi, lo = m.max(axis=1), m.min(axis=1)
        total += np.where(hi > 0, hi, lo)
    return total


def probability(weight: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp2(-np.clip(weight, -60, 60)))
