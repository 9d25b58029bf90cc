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


def _pick(features: pd.DataFrame, col: str, i: np.ndarray, j: np.ndarray):
    v = features[col].to_numpy(dtype=object)
    return v[i], v[j]


def _levels_name_zh(f: pd.DataFrame, c: str, i, j) -> np.ndarray:
    ra, rb = _pick(f, f"{c}:raw", i, j)
    na, nb = _pick(f, c, i, j)
    sa, sb = _pick(f, f"{c}:sound", i, j)
    ha, hb = _pick(f, f"{c}:shape", i, j)
    pa, pb = _pick(f, f"{c}:surname", i, j)
    lv = np.full(len(i), 5, dtype=np.int8)
    lv[(pa == pb) & (pa != "")] = 4
    rest = np.flatnonzero((sa != sb) & (ha != hb) & (na != nb))
    if len(rest):  # the similarity is needed only where no code agrees
        sim = zh.name_similarity_normalized(
            pd.DataFrame({"name": na[rest], "sound": sa[rest], "shape": ha[rest]}),
            pd.DataFrame({"name": nb[rest], "sound": sb[rest], "shape": hb[rest]}))
        lv[rest[sim >= 0.6]] = 3
    lv[(sa == sb) | (ha == hb)] = 2
    lv[na == nb] = 1
    lv[ra == rb] = 0
    return lv


def _levels_graded(a, b, sims: np.ndarray, cuts: tuple[float, ...]) -> np.ndarray:
    lv = np.full(len(a), len(cuts) + 1, dtype=np.int8)
    for k in range(len(cuts) - 1, -1, -1):
        lv[sims >= cuts[k]] = k + 1
    lv[a == b] = 0
    return lv


def _levels_date(f: pd.DataFrame, c: str, i, j) -> np.ndarray:
    a, b = _pick(f, c, i, j)
    sa, sb = _pick(f, f"{c}:swap", i, j)
    d = _dist(a, b, OSA.distance)
    lv = np.full(len(a), 4, dtype=np.int8)
    lv[d <= 2] = 3
    lv[d <= 1] = 2
    lv[sa == sb] = 1
    lv[a == b] = 0
    return lv


def _levels_id(f: pd.DataFrame, c: str, i, j) -> np.ndarray:
    a, b = _pick(f, c, i, j)
    ia, ib = _pick(f, f"{c}:id18", i, j)
    va, vb = _pick(f, f"{c}:valid", i, j)
    va, vb = va == "1", vb == "1"
    fa, fb = np.where(va, ia, a), np.where(vb, ib, b)
    fa15, fb15 = _pick(f, f"{c}:id15", i, j)
    d = _dist(fa, fb, OSA.distance)
    lv = np.where(va & vb, 4, 3).astype(np.int8)
    lv[(d <= 1) & va & vb] = 2
    lv[(d <= 1) & (va != vb)] = 1
    # equal, or equal but for the century digits (a 15-digit number read with the wrong century)
    lv[(a == b) | ((ia == ib) & va & vb) | ((fa15 == fb15) & (fa15 != ""))] = 0
    return lv


def compare_field(features: pd.DataFrame, fs: FieldSpec, i: np.ndarray,
                  j: np.ndarray) -> np.ndarray:
    """The agreement level (int8, -1 = missing) of field ``fs`` for the pairs ``(i, j)``."""
    c = fs.column
    a, b = _pick(features, c, i, j)
    if fs.kind == "name_zh":
        lv = _levels_name_zh(features, c, i, j)
    elif fs.kind == "name":
        lv = _levels_graded(a, b, _dist(a, b, JaroWinkler.normalized_similarity), (0.92, 0.8))
    elif fs.kind == "text":
        lv = _levels_graded(a, b, _dist(a, b, Indel.normalized_similarity), (0.9, 0.7))
    elif fs.kind == "code":
        lv = _levels_graded(a, b, -_dist(a, b, OSA.distance), (-1.0, -2.0))
    elif fs.kind == "date":
        lv = _levels_date(features, c, i, j)
    elif fs.kind == "id_cn":
        lv = _levels_id(features, c, i, j)
    else:
        lv = np.where(a == b, 0, 1).astype(np.int8)
    lv[(a == "") | (b == "")] = -1
    return lv


def compare(features: pd.DataFrame, spec: MatchSpec, i: np.ndarray,
            j: np.ndarray) -> pd.DataFrame:
    """Levels of every field of ``spec`` for the pairs ``(i, j)``: one int8 column each."""
    return pd.DataFrame({fs.column: compare_field(features, fs, i, j) for fs in spec.fields})


def n_levels(fs: FieldSpec) -> int:
    return len(LEVELS[fs.kind])


def level_label(fs: FieldSpec, levels: np.ndarray) -> np.ndarray:
    """Chinese label of each level of ``fs`` (``缺失`` for -1)."""
    labels = np.array((*LEVELS[fs.kind], NULL_LABEL), dtype=object)
    return labels[np.where(levels < 0, len(labels) - 1, levels)]
