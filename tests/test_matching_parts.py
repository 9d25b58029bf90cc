"""Parts of the matcher on hand-made data: blocking, ID repair, levels, EM, clustering,
decisions."""
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from xueji_audit.errors import DataFileError
from xueji_audit.ids import make_id
from xueji_audit.matching.blocking import pairs_within
from xueji_audit.matching.cluster import cluster, components
from xueji_audit.matching.compare import compare
from xueji_audit.matching.decisions import read_decisions, record_decision
from xueji_audit.matching.em import fit_em
from xueji_audit.matching.features import FieldSpec, MatchSpec, prepare
from xueji_audit.matching.idrepair import repair_candidates

GOOD = make_id("640422", dt.date(2015, 3, 7), 12, "男")


def test_pairs_within_blocks_and_skips_big_blocks():
    i, j, skipped = pairs_within(np.array([0, 0, 1, 0, -1, 1, 2, 2, 2]), max_block=2)
    assert set(zip(i.tolist(), j.tolist(), strict=True)) == {(2, 5)}
    assert skipped == 2  # the blocks of code 0 and 2 (3 records each)
    i, j, _ = pairs_within(np.array([0, 0, 1, 0, -1, 1]), max_block=10)
    assert set(zip(i.tolist(), j.tolist(), strict=True)) == {(0, 1), (0, 3), (1, 3), (2, 5)}


def test_repair_candidates_find_the_true_number():
    wrong_digit = GOOD[:3] + str((int(GOOD[3]) + 1) % 10) + GOOD[4:]
    swapped = GOOD[:15] + GOOD[16] + GOOD[15] + GOOD[17]
    wrong_birth = GOOD[:12] + "09" + GOOD[14:]  # a slip in the birth date part
    c = repair_candidates(pd.Series([wrong_digit, swapped, GOOD, wrong_birth]),
                          pd.Series(pd.to_datetime(["2015-03-07"] * 4)), pd.Series(["男"] * 4))
    assert GOOD in set(c.loc[c["row"] == 0, "candidate"])
    assert GOOD in set(c.loc[c["row"] == 1, "candidate"])
    assert (c["row"] != 2).all()  # a valid number needs no repair
    # candidates keep the record's birth date and sex
    assert (c["candidate"].str[6:14] == "20150307").all()
    assert (c["candidate"].str[16].astype(int) % 2 == 1).all()
    assert GOOD in set(c.loc[c["row"] == 3, "candidate"])


def _levels(kind, a, b):
    spec = MatchSpec("k", (FieldSpec("v", kind),), ())
    df = pd.DataFrame({"k": [f"r{x}" for x in range(2 * len(a))], "v": list(a) + list(b)})
    f = prepare(df, spec)
    n = len(a)
    return compare(f, spec, np.arange(n), np.arange(n) + n)["v"].tolist()


def test_date_levels_know_day_month_swaps():
    a = pd.to_datetime(["2015-03-07", "2015-03-07", "2015-03-07", "2015-03-07", None])
    b = pd.to_datetime(["2015-03-07", "2015-07-03", "2015-03-08", "2012-11-20", "2015-03-07"])
    assert _levels("date", a, b) == [0, 1, 2, 4, -1]


def test_id_levels_tell_typos_from_different_people():
    typo = GOOD[:3] + str((int(GOOD[3]) + 1) % 10) + GOOD[4:]
    old = make_id("640422", dt.date(1995, 3, 7), 12, "男")
    legacy = old[:6] + old[8:17]  # the 15-digit form of the same number
    twin = make_id("640422", dt.date(2015, 3, 7), 13, "男")
    other = make_id("640422", dt.date(2011, 1, 1), 40, "女")
    a = [old, GOOD, GOOD, GOOD, GOOD]
    b = [legacy, typo, twin, other, ""]
    assert _levels("id_cn", a, b) == [0, 1, 4, 4, -1]
    # a 15-digit number of a child born in 2011 reads 1911: the same number all the same
    young = make_id("640422", dt.date(2011, 11, 27), 12, "男")
    assert _levels("id_cn", [young, young], [young[:6] + young[8:17], make_id("640422", dt.date(2011, 11, 27), 13, "男")]) == [0, 4]


def test_name_levels():
    a = ["张伟", "张伟", "张伟", "王芳", "张伟", "张伟"]
    b = ["张伟", "張偉", "章玮", "玉芳", "张强", "李强"]
    assert _levels("name_zh", a, b) == [0, 1, 2, 2, 4, 5]


def test_em_recovers_the_share_of_matches():
    rng = np.random.default_rng(1)
    m, u = np.array([0.9, 0.1]), np.array([0.05, 0.95])
    n, lam = 20000, 0.2
    match = rng.random(n) < lam
    cols = [np.where(match, rng.random(n) >= m[0], rng.random(n) >= u[0]).astype(int)
            for _ in range(4)]
    arr = np.column_stack(cols)
    uniq, counts = np.unique(arr, axis=0, return_counts=True)
    model = fit_em(uniq, counts, ("a", "b", "c", "d"), (2, 2, 2, 2))
    assert model.lam == pytest.approx(lam, abs=0.02)
    assert model.m["a"][0] == pytest.approx(0.9, abs=0.03)
    assert model.u["a"][0] == pytest.approx(0.05, abs=0.02)


def test_components_follow_chains():
    label = components(6, np.array([0, 1, 4]), np.array([1, 2, 5]))
    assert label.tolist() == [0, 0, 0, 3, 4, 4]


def test_clusters_resist_chaining():
    # A~B and B~C are strong, but A and C are two different people (scored 0): no A~C.
    i, j, p = np.array([0, 1]), np.array([1, 2]), np.array([0.99, 0.98])
    label, (ai, aj, ap) = cluster(3, i, j, p, lambda x, y: np.zeros(len(x)))
    assert label[0] == label[1] != label[2] or label[1] == label[2] != label[0]
    assert (0, 2) in set(zip(ai.tolist(), aj.tolist(), strict=True))
    # with evidence for A~C, the three are one cluster
    label, _ = cluster(3, i, j, p, lambda x, y: np.full(len(x), 0.9))
    assert label[0] == label[1] == label[2] >= 0


def test_decisions_file_round_trip(tmp_path):
    path = tmp_path / "认定.csv"
    record_decision(path, "G2", "G1", True, inspector="督查员甲", on=dt.date(2026, 11, 20))
    record_decision(path, "G3", "G4", True)
    record_decision(path, "G1", "G2", False, note="经核实为两名学生")  # later decision wins
    d = read_decisions(path)
    assert sorted(zip(d["学籍号_a"], d["学籍号_b"], d["accept"], strict=True)) == [
        ("G1", "G2", False), ("G3", "G4", True)]
    assert read_decisions(tmp_path / "none.csv").empty


def test_decisions_file_with_unknown_word(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("学籍号_a,学籍号_b,决定\nG1,G2,也许\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="无法识别的决定"):
        read_decisions(path)


def test_code_levels_count_the_edits():
    import numpy as np
    import pandas as pd

    from xueji_audit.matching.compare import compare_field
    from xueji_audit.matching.features import FieldSpec

    f = pd.DataFrame({"电话": ["13895760359", "13895760359", "13895760358", "13895760539",
                               "13895760000", "15700641691", ""]})
    fs = FieldSpec("电话", "code")
    i, j = np.zeros(6, dtype=np.int64), np.arange(1, 7)
    # same, one digit, one swap of neighbours, three digits, all different, missing
    assert compare_field(f, fs, i, j).tolist() == [0, 1, 1, 3, 3, -1]
    assert compare_field(f, fs, np.array([2]), np.array([3])).tolist() == [2]
