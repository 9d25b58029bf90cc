"""The heavy-noise demo county (``noise='heavy'``): what each duplicate carries, the decoys, and
that every other rule still finds exactly its planted truth."""
from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest
from conftest import AS_OF
from test_rules_helpers import my_rules, only_mine

from xueji_audit import ids
from xueji_audit.audit import run_audit
from xueji_audit.demo import generate, generate_tables
from xueji_audit.demo.noise import BIRTH, HOUSEHOLD, IDENTITY, NAME, OTHER, allowed
from xueji_audit.demo.truth import finding_key
from xueji_audit.ingest import load_folder

KNOWN = {"无证件J号", "无证件L号", *IDENTITY[1:], *NAME, *BIRTH, *OTHER}


@pytest.fixture(scope="module")
def heavy():
    return generate_tables(6000, seed=5, as_of=AS_OF, noise="heavy")


def _pairs(county) -> pd.DataFrame:
    """One row per planted heavy pair: the noise and both records (A first, B second)."""
    d = county.truth["duplicates"]
    st = county.tables["students"].set_index("学籍号")
    d = d[d["noise"].str.split(";").map(lambda x: set(x) <= KNOWN)]
    rows = []
    for _, g in d.groupby("cluster_id"):
        a, b = g["学籍号"].tolist()
        ra, rb = st.loc[a], st.loc[b]
        if pd.isna(ra["身份证件号"]) or not ids.is_valid_id(ra["身份证件号"]):
            ra, rb = rb, ra
        rows.append({"noise": g["noise"].iloc[0].split(";"), "a": ra, "b": rb})
    return pd.DataFrame(rows)


def test_each_duplicate_carries_two_to_five_corruptions(heavy):
    p = _pairs(heavy)
    assert len(p) >= 50
    sizes = p["noise"].map(len)
    assert sizes.between(2, 5).all()
    assert set(sizes) >= {2, 3, 4, 5}
    first = p["noise"].map(lambda x: x[0])
    assert first.isin(["无证件J号", "无证件L号", "ID错位", "15位旧号"]).all()
    no_id = first.str.startswith("无证件")
    assert 0.15 < no_id.mean() < 0.5  # a third, drawn
    for _, r in p[no_id].iterrows():
        assert pd.isna(r["b"]["身份证件号"]) and r["b"].name[0] in "JL"
    kinds = Counter(k for x in p["noise"] for k in x[1:])
    assert set(kinds) >= {"繁简", "同音形近", "增删字", "改名", "日差一天", "日月颠倒", "年差一岁",
                          "换校换年级", "换电话", "另一监护人", "住址改写"}


def test_every_duplicate_stays_recognisable(heavy):
    """The rules of :func:`allowed` hold for each planted combination, and a changed given
    name keeps the surname, birth date, guardian and address (疑似改名)."""
    for _, r in _pairs(heavy).iterrows():
        identity = "无证件" if r["noise"][0].startswith("无证件") else r["noise"][0]
        rest = r["noise"][1:]
        for k, item in enumerate(rest):
            assert allowed(rest[:k], item, identity), r["noise"]
        if identity == "无证件":
            assert sum(x in HOUSEHOLD for x in rest) <= 1
        a, b = r["a"], r["b"]
        if "改名" in rest:
            assert a["出生日期"] == b["出生日期"] and a["现住址"] == b["现住址"]
            assert a["成员1身份证件号"] == b["成员1身份证件号"]
            assert a["姓名"][0] == b["姓名"][0] and a["姓名"] != b["姓名"]
        if "另一监护人" in rest:
            assert b["成员1身份证件号"] == a["成员2身份证件号"]
        if "年差一岁" in rest:
            assert abs((b["出生日期"] - a["出生日期"]).days) in range(364, 368)
        if not set(rest) & set(NAME):
            assert a["姓名"] == b["姓名"]


def test_decoys_of_every_kind(heavy):
    dec = heavy.truth["decoys"]
    st = heavy.tables["students"].set_index("学籍号")
    kinds = dec["kind"].value_counts()
    assert kinds["twins"] >= 15 and kinds["triplets"] >= 3
    assert kinds["siblings_year_apart"] >= 10 and kinds["same_name_birth"] >= 6
    for _, r in dec.iterrows():
        a, b = st.loc[r["学籍号_a"]], st.loc[r["学籍号_b"]]
        assert ids.is_valid_id(a["身份证件号"]) and ids.is_valid_id(b["身份证件号"])
        assert a["身份证件号"] != b["身份证件号"]
        if r["kind"] in ("twins", "triplets"):
            assert a["出生日期"] == b["出生日期"] and a["姓名"] != b["姓名"]
            assert a["成员1身份证件号"] == b["成员1身份证件号"]
        elif r["kind"] == "siblings_year_apart":
            assert 340 <= abs((b["出生日期"] - a["出生日期"]).days) <= 390
            assert a["现住址"] == b["现住址"] and a["姓名"] != b["姓名"]
        else:
            assert (a["姓名"], a["出生日期"]) == (b["姓名"], b["出生日期"])


def test_other_rules_find_exactly_their_planted_truth(tmp_path):
    out = tmp_path / "heavy"
    generate(out, students=3000, seed=11, as_of=AS_OF, noise="heavy")
    truth = pd.read_csv(out / "truth" / "findings.csv", dtype=str, encoding="utf-8-sig",
                        keep_default_na=False)
    profile = "national-2025"
    got = run_audit(load_folder(out), AS_OF, only_mine(profile)).findings
    got = got[got["rule_id"].isin(list(my_rules())).to_numpy()]
    t = truth[truth["profiles"].str.split(";").map(lambda x: profile in x).to_numpy()
              & truth["rule_id"].isin(list(my_rules())).to_numpy()]

    def keys(df):
        return Counter(finding_key(df).itertuples(index=False, name=None)) if len(df) else Counter()
    planted = keys(t[(t["kind"] == "planted").to_numpy()])
    found = keys(got)
    assert not planted - found, sorted(planted - found)[:20]
    assert not found - planted - keys(t[(t["kind"] == "allowed").to_numpy()]), \
        sorted(found - planted)[:20]


def test_unknown_noise_is_refused():
    with pytest.raises(ValueError, match="noise"):
        generate_tables(100, seed=0, as_of=AS_OF, noise="loud")


def test_demo_data_command_writes_the_heavy_county(tmp_path, capsys):
    from xueji_audit.cli import main

    out = tmp_path / "d"
    assert main(["demo-data", "--out", str(out), "--students", "1500", "--seed", "2",
                 "--noise", "heavy", "--as-of", "2026-11-20"]) == 0
    d = pd.read_csv(out / "truth" / "duplicates.csv", dtype=str, encoding="utf-8-sig")
    assert d["noise"].str.contains("无证件").any()
    assert d["noise"].str.split(";").map(len).max() >= 4
    assert "易混淆的非重复对" in capsys.readouterr().out
