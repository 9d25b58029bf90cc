"""Field comparisons: for each candidate pair and each field, an ordinal agreement level.

Level 0 is the strongest agreement; ``-1`` means a value is missing on either side (no
evidence either way). The levels of each kind, with their Chinese evidence labels, are in
:data:`LEVELS`. All comparisons run on whole pair arrays: string distances with rapidfuzz's
``process.cpdist(..., workers=-1)``, digit-by-digit checks with numpy.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel, JaroWinkler

from .. import names as zh
from .features import FieldSpec, MatchSpec

LEVELS: dict[str, tuple[str, ...]] = {
    "name_zh": ("完全一致", "繁简或异体字一致", "同音或形近", "相似", "仅姓相同", "不同"),
    "name": ("一致", "高度相似", "相似", "不同"),
    "text": ("一致", "高度相似", "相似", "不同"),
    "code": ("一致", "一位之差", "两位之差", "不同"),
    "date": ("一致", "日月颠倒", "一位之差", "两位之差", "不同"),
    "id_cn": ("一致", "一位之差且一方校验位错误（可修复）", "一位之差（双方均有效）", "不同",
              "不同（双方均为有效号码）"),
    "exact": ("一致", "不同"),
}
NULL_LABEL = "缺失"
EXACT_LEVELS: dict[str, tuple[int, ...]] = {"name_zh": (0, 1), "name": (0,), "text": (0,),
                                            "code": (0,), "date": (0,), "id_cn": (0,),
                                            "exact": (0,)}
"""Levels meaning "the (normalised) values are equal": where a term-frequency adjustment
applies."""


def _dist(a: np.ndarray, b: np.ndarray, scorer) -> np.ndarray:
    if len(a) == 0:
        return np.zeros(0)
    return process.cpdist(a.tolist(), b.tolist(), scorer=scorer, workers=-1)


class _Pairs:
    """The values of feature columns at the pairs ``(i, j)``, each column taken once: text,
    or the integer codes of :func:`.features.prepare_coded` where given (equal codes ⇔ equal
    text, -1 ⇔ ``""``) for the equality tests."""

    def __init__(self, features: pd.DataFrame, i: np.ndarray, j: np.ndarray,
                 codes: dict[str, np.ndarray] | None):
        self.features, self.i, self.j = features, i, j
        self.codes = codes or {}
        self._text: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._eq: dict[str, np.ndarray] = {}
        self._empty: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def __len__(self) -> int:
        return len(self.i)

    def text(self, col: str, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The texts of ``col`` at every pair, or at the pairs ``rows`` only."""
        if col in self._text:
            a, b = self._text[col]
            return (a, b) if rows is None else (a[rows], b[rows])
        v = self.features[col].to_numpy(dtype=object)
        if rows is not None:
            return v[self.i[rows]], v[self.j[rows]]
        self._text[col] = v[self.i], v[self.j]
        return self._text[col]

    def equal(self, col: str) -> np.ndarray:
        if col not in self._eq:
            if col in self.codes:
                c = self.codes[col]
                self._eq[col] = c[self.i] == c[self.j]
            else:
                a, b = self.text(col)
                self._eq[col] = a == b
        return self._eq[col]

    def empty(self, col: str) -> tuple[np.ndarray, np.ndarray]:
        if col not in self._empty:
            if col in self.codes:
                c = self.codes[col]
                self._empty[col] = c[self.i] < 0, c[self.j] < 0
            else:
                a, b = self.text(col)
                self._empty[col] = a == "", b == ""
        return self._empty[col]

    def missing(self, col: str) -> np.ndarray:
        ea, eb = self.empty(col)
        return ea | eb


def _levels_name_zh(p: _Pairs, c: str) -> np.ndarray:
    same_sound, same_shape = p.equal(f"{c}:sound"), p.equal(f"{c}:shape")
    same_name = p.equal(c)
    lv = np.full(len(p), 5, dtype=np.int8)
    lv[p.equal(f"{c}:surname") & ~p.empty(f"{c}:surname")[0]] = 4
    rest = np.flatnonzero(~same_sound & ~same_shape & ~same_name & ~p.missing(c))
    if len(rest):  # the similarity is needed only where no code agrees
        na, nb = p.text(c, rest)
        # edits cost at most 1 each: where the plain edit distance already gives a
        # similarity of 0.6, so does the full one (as computed by name_similarity_normalized)
        longest = np.maximum(zh._lengths(na), zh._lengths(nb)).astype(np.float64)
        d_char = zh._distances(na, nb)
        sure = (longest > 0) & (np.clip(1.0 - d_char / np.maximum(longest, 1.0), 0.0, 1.0)
                                >= 0.6)
        lv[rest[sure]] = 3
        rest, d_char, longest = rest[~sure], d_char[~sure], longest[~sure]
        sa, sb = p.text(f"{c}:sound", rest)
        ha, hb = p.text(f"{c}:shape", rest)
        sim = zh._similarity(d_char, longest, {"sound": sa, "shape": ha},
                             {"sound": sb, "shape": hb}, (na[~sure], nb[~sure])
                             ) if len(rest) else np.zeros(0)
        lv[rest[sim >= 0.6]] = 3
    lv[same_sound | same_shape] = 2
    lv[same_name] = 1
    lv[p.equal(f"{c}:raw")] = 0
    return lv


def _levels_graded(p: _Pairs, c: str, similarity, cuts: tuple[float, ...]) -> np.ndarray:
    same = p.equal(c)
    lv = np.full(len(p), len(cuts) + 1, dtype=np.int8)
    rows = np.flatnonzero(~same & ~p.missing(c))  # the others are equal or missing
    sims = similarity(*p.text(c, rows))
    for k in range(len(cuts) - 1, -1, -1):
        lv[rows[sims >= cuts[k]]] = k + 1
    lv[same] = 0
    return lv


def _levels_code(p: _Pairs, c: str) -> np.ndarray:
    """一致 / 一位之差 / 两位之差 / 不同 by the OSA distance (a swap of two neighbours is one)."""
    same = p.equal(c)
    lv = np.full(len(p), 3, dtype=np.int8)
    rows = np.flatnonzero(~same & ~p.missing(c))
    d = _dist(*p.text(c, rows), OSA.distance)
    lv[rows[d <= 2]] = 2
    lv[rows[d <= 1]] = 1
    lv[same] = 0
    return lv


def _levels_date(p: _Pairs, c: str) -> np.ndarray:
    same, swapped = p.equal(c), p.equal(f"{c}:swap")
    lv = np.full(len(p), 4, dtype=np.int8)
    rows = np.flatnonzero(~same & ~swapped & ~p.missing(c))
    d = _dist(*p.text(c, rows), OSA.distance)
    lv[rows[d <= 2]] = 3
    lv[rows[d <= 1]] = 2
    lv[swapped] = 1
    lv[same] = 0
    return lv


def _levels_id(p: _Pairs, c: str) -> np.ndarray:
    ea, eb = p.empty(f"{c}:valid")
    va, vb = ~ea, ~eb  # valid is "1" or ""
    a15_empty = p.empty(f"{c}:id15")[0]
    # equal, or equal but for the century digits (a 15-digit number read with the wrong century)
    same = p.equal(c) | (p.equal(f"{c}:id18") & va & vb) | (p.equal(f"{c}:id15") & ~a15_empty)
    lv = np.where(va & vb, 4, 3).astype(np.int8)
    rows = np.flatnonzero(~same & ~p.missing(c) & (va | vb))  # where the distance counts
    a, b = p.text(c, rows)
    ia, ib = p.text(f"{c}:id18", rows)
    near = rows[_dist(np.where(va[rows], ia, a), np.where(vb[rows], ib, b), OSA.distance) <= 1]
    lv[near[va[near] & vb[near]]] = 2
    lv[near[va[near] != vb[near]]] = 1
    lv[same] = 0
    return lv


def _compare(p: _Pairs, fs: FieldSpec) -> np.ndarray:
    c = fs.column
    if fs.kind == "name_zh":
        lv = _levels_name_zh(p, c)
    elif fs.kind == "name":
        lv = _levels_graded(p, c, lambda a, b: _dist(a, b, JaroWinkler.normalized_similarity),
                            (0.92, 0.8))
    elif fs.kind == "text":
        lv = _levels_graded(p, c, lambda a, b: _dist(a, b, Indel.normalized_similarity),
                            (0.9, 0.7))
    elif fs.kind == "code":
        lv = _levels_code(p, c)
    elif fs.kind == "date":
        lv = _levels_date(p, c)
    elif fs.kind == "id_cn":
        lv = _levels_id(p, c)
    else:
        lv = np.where(p.equal(c), 0, 1).astype(np.int8)
    lv[p.missing(c)] = -1
    return lv


def compare_field(features: pd.DataFrame, fs: FieldSpec, i: np.ndarray, j: np.ndarray,
                  codes: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """The agreement level (int8, -1 = missing) of field ``fs`` for the pairs ``(i, j)``;
    ``codes`` as given by :func:`.features.prepare_coded`."""
    return _compare(_Pairs(features, i, j, codes), fs)


def compare(features: pd.DataFrame, spec: MatchSpec, i: np.ndarray, j: np.ndarray,
            codes: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """Levels of every field of ``spec`` for the pairs ``(i, j)``: one int8 column each."""
    p = _Pairs(features, i, j, codes)
    return pd.DataFrame({fs.column: _compare(p, fs) for fs in spec.fields})


def n_levels(fs: FieldSpec) -> int:
    return len(LEVELS[fs.kind])


def level_label(fs: FieldSpec, levels: np.ndarray) -> np.ndarray:
    """Chinese label of each level of ``fs`` (``缺失`` for -1)."""
    labels = np.array((*LEVELS[fs.kind], NULL_LABEL), dtype=object)
    return labels[np.where(levels < 0, len(labels) - 1, levels)]
