"""The fast routes of the matcher against plain ones: integer codes of the feature columns,
blocking, comparison levels, ID repair and term frequencies — on a demo county and on the
same county with messy text (odd whitespace, lower-case x, NUL characters, long values)."""
import datetime as dt
import random

import numpy as np
import pandas as pd
import pytest
from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel, JaroWinkler

from xueji_audit import names as zh
from xueji_audit.demo import generate_tables
from xueji_audit.matching.blocking import candidate_pairs, pairs_within, rule_name
from xueji_audit.matching.compare import compare
from xueji_audit.matching.em import sample_pairs, term_frequencies
from xueji_audit.matching.features import _safe_table, prepare, prepare_coded
from xueji_audit.matching.idrepair import repair_candidates, repair_pairs
from xueji_audit.matching.students import STUDENT_SPEC

AS_OF = dt.date(2026, 11, 20)
TEXT = ["学籍号", "姓名", "性别", "身份证件号", "成员1身份证件号", "成员1姓名", "联系电话", "现住址",
        "学校标识码", "民族"]
MESS = [lambda s: " " + s, lambda s: s + "\t", lambda s: "\u3000" + s + "\xa0", lambda s: s.lower(),
        lambda s: s + "\x1c", lambda s: s[:-1] + "x", lambda s: s * 2, lambda s: "Ａ" + s,
        lambda s: "張" + s, lambda s: s.replace("·", "・"), lambda s: s + "ß", lambda s: "İ" + s,
        lambda s: s[:5], lambda s: "", lambda s: None, lambda s: s[:6] + s[8:17]]


def _messy(students: pd.DataFrame, nul: bool) -> pd.DataFrame:
    """Every 9th text value altered; with ``nul``, some ID numbers, names and 民族 end in
    a NUL character."""
    rng = random.Random(7)
    out = students[["出生日期", *TEXT]].copy()
    for col in TEXT:
        values = out[col].astype(object).where(out[col].notna(), None).tolist()
        for r in range(rng.randrange(9), len(values), 9):
            if values[r] is not None:
                values[r] = rng.choice(MESS)(values[r])
        if nul and col in ("身份证件号", "民族", "姓名"):
            for r in range(3, len(values), 97):
                values[r] = (values[r] or "") + "\x00"
        out[col] = pd.Series(values, index=out.index, dtype=object)
    return out


@pytest.fixture(scope="module")
def students():
    return generate_tables(6000, seed=5, as_of=AS_OF).tables["students"]


@pytest.fixture(scope="module", params=["clean", "messy", "nul"])
def frame(request, students):
    if request.param == "clean":
        return students
    return _messy(students, nul=request.param == "nul").astype(
        {c: "string" for c in TEXT} if request.param == "messy" else {})


@pytest.fixture(scope="module")
def coded(frame):
    return prepare_coded(frame, STUDENT_SPEC)


def test_codes_match_the_text_one_to_one(frame, coded):
    features, codes = coded
    pd.testing.assert_frame_equal(features, prepare(frame, STUDENT_SPEC))
    assert {"姓名", "姓名:sound", "出生日期:swap", "性别", "成员1身份证件号"} <= set(codes)
    for col, c in codes.items():
        text = features[col].tolist()
        assert ((c == -1) == (features[col] == "").to_numpy()).all(), col
        pairs = set(zip(c.tolist(), text, strict=True))
        assert len(pairs) == len({k for k, _ in pairs}) == len(set(text)), col


def test_a_column_with_a_nul_character_gets_no_codes(students):
    _, codes = prepare_coded(_messy(students, nul=True), STUDENT_SPEC)
    assert not {"身份证件号:id15", "身份证件号:p14", "民族"} & set(codes)
    assert "成员1身份证件号" in codes


def _rule_pairs(features: pd.DataFrame, rule: tuple[str, ...], max_block: int) -> set:
    """Pairs of records equal and non-empty on every key of ``rule`` (Python grouping)."""
    groups: dict[tuple, list[int]] = {}
    for r, key in enumerate(zip(*(features[c].tolist() for c in rule), strict=True)):
        if "" not in key:
            groups.setdefault(key, []).append(r)
    return {(a, b) for g in groups.values() if len(g) <= max_block
            for k, a in enumerate(g) for b in g[k + 1:]}


def _repair_reference(features: pd.DataFrame) -> set:
    """The repair pairs by the full join of every candidate with every valid number."""
    birth = pd.to_datetime(features["出生日期"].where(features["出生日期"] != ""),
                           format="%Y%m%d", errors="coerce")
    cand = repair_candidates(features["身份证件号"], birth, features["性别"])
    valid = pd.DataFrame({"candidate": features["身份证件号:id18"], "other": range(len(features))})
    hits = cand.merge(valid[valid["candidate"] != ""], on="candidate")
    return {(min(a, b), max(a, b)) for a, b in zip(hits["row"], hits["other"], strict=True)
            if a != b}


def test_blocking_with_codes_equals_blocking_on_text(frame, coded):
    features, codes = coded
    i, j = candidate_pairs(features, STUDENT_SPEC, None, codes)
    i0, j0 = candidate_pairs(features, STUDENT_SPEC)
    assert np.array_equal(i, i0) and np.array_equal(j, j0)
    if not any("\x00" in "".join(features[c]) for c in features.columns):  # pandas reads a
        # text only up to a NUL when grouping it; Python's == does not
        want = set().union(*(_rule_pairs(features, r, STUDENT_SPEC.max_block)
                             for r in STUDENT_SPEC.blocks)) | _repair_reference(features)
        assert set(zip(i.tolist(), j.tolist(), strict=True)) == want
    ri, rj = repair_pairs(features, "身份证件号", "出生日期", "性别")
    assert set(zip(ri.tolist(), rj.tolist(), strict=True)) == _repair_reference(features)


def _reference_levels(f: pd.DataFrame, fs, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """The levels of one field computed on every pair, straight from the text."""
    def pick(col):
        v = f[col].to_numpy(dtype=object)
        return v[i], v[j]

    def dist(a, b, scorer):
        return process.cpdist(a.tolist(), b.tolist(), scorer=scorer) if len(a) else np.zeros(0)

    def graded(a, b, sims, cuts):
        lv = np.full(len(a), len(cuts) + 1, dtype=np.int8)
        for k in range(len(cuts) - 1, -1, -1):
            lv[sims >= cuts[k]] = k + 1
        lv[a == b] = 0
        return lv

    c = fs.column
    a, b = pick(c)
    if fs.kind == "name_zh":
        (ra, rb), (sa, sb), (ha, hb), (pa, pb) = (pick(f"{c}:{k}") for k in
                                                  ("raw", "sound", "shape", "surname"))
        lv = np.full(len(i), 5, dtype=np.int8)
        lv[(pa == pb) & (pa != "")] = 4
        rest = np.flatnonzero((sa != sb) & (ha != hb) & (a != b))
        if len(rest):
            sim = zh.name_similarity_normalized(
                pd.DataFrame({"name": a[rest], "sound": sa[rest], "shape": ha[rest]}),
                pd.DataFrame({"name": b[rest], "sound": sb[rest], "shape": hb[rest]}))
            lv[rest[sim >= 0.6]] = 3
        lv[(sa == sb) | (ha == hb)] = 2
        lv[a == b] = 1
        lv[ra == rb] = 0
    elif fs.kind == "text":
        lv = graded(a, b, dist(a, b, Indel.normalized_similarity), (0.9, 0.7))
    elif fs.kind == "name":
        lv = graded(a, b, dist(a, b, JaroWinkler.normalized_similarity), (0.92, 0.8))
    elif fs.kind == "code":  # by the OSA distance: 1, 2 or more edits
        d = dist(a, b, OSA.distance).astype(np.int64)
        lv = np.select([a == b, d <= 1, d <= 2], [0, 1, 2], 3).astype(np.int8)
    elif fs.kind == "date":
        sa, sb = pick(f"{c}:swap")
        d = dist(a, b, OSA.distance)
        lv = np.full(len(a), 4, dtype=np.int8)
        lv[d <= 2], lv[d <= 1] = 3, 2
        lv[sa == sb] = 1
        lv[a == b] = 0
    elif fs.kind == "id_cn":
        (ia, ib), (va, vb), (fa15, fb15) = (pick(f"{c}:{k}") for k in ("id18", "valid", "id15"))
        va, vb = va == "1", vb == "1"
        d = dist(np.where(va, ia, a), np.where(vb, ib, b), OSA.distance)
        lv = np.where(va & vb, 4, 3).astype(np.int8)
        lv[(d <= 1) & va & vb] = 2
        lv[(d <= 1) & (va != vb)] = 1
        lv[(a == b) | ((ia == ib) & va & vb) | ((fa15 == fb15) & (fa15 != ""))] = 0
    else:
        lv = np.where(a == b, 0, 1).astype(np.int8)
    lv[(a == "") | (b == "")] = -1
    return lv


def test_levels_equal_the_levels_computed_on_every_pair(coded):
    features, codes = coded
    i, j = candidate_pairs(features, STUDENT_SPEC, None, codes)
    si, sj = sample_pairs(len(features), 20000)
    for a, b in ((i, j), (si, sj)):
        levels = compare(features, STUDENT_SPEC, a, b, codes)
        pd.testing.assert_frame_equal(levels, compare(features, STUDENT_SPEC, a, b))
        for fs in STUDENT_SPEC.fields:
            assert levels[fs.column].tolist() == _reference_levels(features, fs, a, b).tolist()


def test_term_frequencies_from_codes(coded):
    features, codes = coded
    got, want = term_frequencies(features, STUDENT_SPEC, codes), term_frequencies(
        features, STUDENT_SPEC)
    assert got.keys() == want.keys() == {"姓名"}
    assert np.array_equal(got["姓名"], want["姓名"])
    assert got["姓名"][0] == (features["姓名"] == features["姓名"][0]).mean()


@pytest.mark.parametrize("high", [50, 10**15])
def test_pairs_within_equals_grouping_by_code(high):
    rng = np.random.default_rng(2)
    codes = rng.integers(-1, 400, 3000) * (high // 50)
    codes[codes < 0] = -1
    i, j, skipped = pairs_within(codes, max_block=12)
    groups: dict[int, list[int]] = {}
    for r, c in enumerate(codes.tolist()):
        if c >= 0:
            groups.setdefault(c, []).append(r)
    want = [(a, b) for g in groups.values() if len(g) <= 12 for k, a in enumerate(g)
            for b in g[k + 1:]]
    assert sorted(zip(i.tolist(), j.tolist(), strict=True)) == sorted(want)
    assert skipped == sum(len(g) > 12 for g in groups.values()) > 0


def test_report_counts_are_those_of_the_text_route(coded):
    features, codes = coded
    from xueji_audit.matching.blocking import BlockingReport
    fast, plain = BlockingReport(), BlockingReport()
    candidate_pairs(features, STUDENT_SPEC, fast, codes)
    candidate_pairs(features, STUDENT_SPEC, plain)
    assert fast == plain and set(fast.pairs_per_rule) >= {rule_name(r)
                                                          for r in STUDENT_SPEC.blocks}


@pytest.mark.parametrize("case", [str.lower, str.upper])
def test_safe_characters_keep_their_case_and_are_no_whitespace(case):
    for cp in np.flatnonzero(_safe_table(case)).tolist():
        ch = chr(cp)
        assert case(ch) == ch and not ch.isspace() and ch.strip() == ch


def test_translate_falls_back_for_texts_with_a_newline():
    table = {ord("張"): "张", ord("\n"): "|"}
    assert zh._translate(["張三", "李\n四"], table) == ["张三", "李|四"]
    assert zh._translate(["張三", "李\n四"], {ord("張"): "张"}) == ["张三", "李\n四"]
    assert zh._translate([], table) == []


def test_preparing_in_two_threads_changes_nothing(frame, coded, monkeypatch):
    import xueji_audit.matching.features as features_module
    monkeypatch.setattr(features_module, "THREADS", 0)
    features, codes = prepare_coded(frame, STUDENT_SPEC)
    pd.testing.assert_frame_equal(features, coded[0])
    assert codes.keys() == coded[1].keys()
    assert all(np.array_equal(codes[k], coded[1][k]) for k in codes)
