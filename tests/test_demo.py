"""The demo county in memory: planted truth, clean background, independent checks."""
from __future__ import annotations

import re

import pandas as pd
import pytest
from conftest import AS_OF

from xueji_audit import ids
from xueji_audit.demo import expected_findings, finding_key, generate_tables
from xueji_audit.terms import expected_grade

RULE_IDS = (
    "ID-01 ID-02 ID-03 ID-04 ID-05 ID-06 XJ-01 XJ-02 XJ-03 XJ-04 DU-01 DU-02 DU-03 DU-04 "
    "ST-01 ST-02 ST-03 ST-04 ST-05 AG-01 AG-02 TR-01 TR-02 TR-03 TR-04 TR-05 TR-06 TR-07 TR-08 "
    "TR-09 TR-10 TR-11 CH-01 CH-02 CH-03 CH-04 RJ-01 RJ-02 RJ-03 RJ-04 CL-01 CL-02 "
    "LX-01 LX-02 LX-03 LX-04 LX-05 LX-06").split()
PROFILES = ("national-2025", "national-2013", "ningxia-xiji")
IDENTITY = ("ID-01", "ID-02", "ID-03", "ID-04", "ID-05", "ID-06", "XJ-01", "XJ-02", "XJ-04")


@pytest.fixture(scope="module")
def county():
    return generate_tables(3000, seed=0, as_of=AS_OF)


@pytest.fixture(scope="module")
def big():
    return generate_tables(20000, seed=3, as_of=AS_OF)


def planted(county, rule=None, profile="national-2025"):
    rows, _ = expected_findings(county.truth["findings"], profile)
    return rows if rule is None else rows[rows["rule_id"] == rule]


def test_same_seed_same_county_other_seed_differs(county):
    again = generate_tables(3000, seed=0, as_of=AS_OF)
    for key, frame in county.tables.items():
        pd.testing.assert_frame_equal(frame, again.tables[key])
    for key, frame in county.truth.items():
        pd.testing.assert_frame_equal(frame, again.truth[key])
    other = generate_tables(3000, seed=1, as_of=AS_OF)
    assert not county.tables["students"]["学籍号"].equals(other.tables["students"]["学籍号"])


def test_every_rule_is_planted_under_some_profile(county):
    truth = county.truth["findings"]
    got = set(truth.loc[truth["kind"] == "planted", "rule_id"])
    assert set(RULE_IDS) <= got
    for rule in ("ST-03", "ST-04"):  # also cases that fire only under national-2013
        rows = truth[(truth["rule_id"] == rule)]
        assert (rows["profiles"] == "national-2013").any()
    lx = truth[truth["rule_id"].str.startswith("LX")]
    assert (lx["profiles"] == "ningxia-xiji").all()
    assert len(planted(county, profile="ningxia-xiji")) > len(planted(county))


def _identity_findings(st: pd.DataFrame) -> set[tuple[str, str]]:
    """ID-01…06, XJ-01/02/04 read literally from docs/rules.md, with the scalar ids functions."""
    out = set()
    st = st.astype(object).where(st.notna(), None)
    for r in st.itertuples(index=False):
        xjh, num, kind = r.学籍号, r.身份证件号, r.身份证件类型
        resident = kind == "居民身份证" or (kind is None and num is not None)
        if ids.xjh_kind(xjh) is None:
            out.add(("XJ-01", xjh))
        if resident and num is None:
            if kind == "居民身份证":
                out.add(("ID-06", xjh))
            continue
        if not resident:
            continue
        if not ids.is_valid_id(num):
            out.add(("ID-01", xjh))
            continue
        id18 = ids.upgrade_15_to_18(num) if len(num) == 15 else num
        if len(num) == 15:
            out.add(("ID-05", xjh))
        if ids.id_birth_date(id18) != r.出生日期.date():
            out.add(("ID-02", xjh))
        if ids.id_sex(id18) != r.性别:
            out.add(("ID-03", xjh))
        if id18[:2] not in ids.PROVINCE_CODES:
            out.add(("ID-04", xjh))
        if xjh.startswith("G") and ids.xjh_kind(xjh) == "G" and xjh[1:] != id18:
            out.add(("XJ-02", xjh))
        if ids.xjh_kind(xjh) == "J":
            out.add(("XJ-04", xjh))
    return out


def test_identity_truth_matches_an_independent_reading(county):
    truth = planted(county)
    want = set(zip(truth["rule_id"], truth["学籍号"], strict=True))
    want = {k for k in want if k[0] in IDENTITY}
    assert _identity_findings(county.tables["students"]) == want


def test_clean_records_have_consistent_ids(county):
    st = county.tables["students"]
    named = set(planted(county)["学籍号"]) | set(county.truth["edges"]["学籍号"])
    clean = st[~st["学籍号"].isin(named) & (st["身份证件类型"] == "居民身份证")]
    assert len(clean) > 2500
    for r in clean.itertuples(index=False):
        assert ids.is_valid_id(r.身份证件号), r.身份证件号
        assert ids.id_birth_date(r.身份证件号) == r.出生日期.date()
        assert ids.id_sex(r.身份证件号) == r.性别
        assert r.学籍号[1:] == r.身份证件号 or r.学籍号.startswith("L")
    foreign = st[st["学籍号"].str.startswith("J") & ~st["学籍号"].isin(named)]
    assert (foreign["身份证件类型"] != "居民身份证").all()
    assert st["学籍号"].str.startswith("L").any()


def test_age_and_grade(county):
    st = county.tables["students"]
    st = st[st["学籍状态"] == "在校"]
    diff = [abs(int(g) - expected_grade(b.date(), county.as_of))
            for g, b in zip(st["年级"], st["出生日期"], strict=True)]
    far = set(st["学籍号"][[d >= 2 for d in diff]])
    assert far == set(planted(county, "AG-01")["学籍号"])
    assert sum(d == 1 for d in diff) < 0.03 * len(st)


def test_class_sizes(county):
    st, ro = county.tables["students"], county.tables["rosters"]
    taken = set(ro["学校标识码"])
    reg = st[(st["学籍状态"] == "在校") & ~st["学校标识码"].isin(taken)]
    sizes = pd.concat([ro.groupby(["学校标识码", "班级"]).size(),
                       reg.groupby(["学校标识码", "班级"]).size()])
    big = {(s, c, "CL-01" if n < 66 else "CL-02") for (s, c), n in sizes.items() if n >= 56}
    truth = county.truth["findings"]
    cl = truth[truth["rule_id"].isin(["CL-01", "CL-02"])]
    assert big == set(zip(cl["学校标识码"], cl["班级"], cl["rule_id"], strict=True))
    assert 45 <= sizes.drop(labels=[(s, c) for s, c, _ in big]).max() < 56


def test_names(big):
    names = big.tables["students"]["姓名"]
    assert names.notna().all() and (names.str.len() >= 2).all()
    assert names.str.match("^(欧阳|司马|上官|诸葛|东方|皇甫|慕容)").sum() >= 20
    dotted = big.tables["students"][names.str.contains("·", regex=False)]
    assert len(dotted) >= 20 and (dotted["民族"] == "维吾尔族").all()
    assert {"王", "李", "张", "马"} <= set(names.str[0].value_counts().index[:6])


def test_duplicates_and_decoys(big):
    dups = big.truth["duplicates"]
    kinds = set(";".join(dups["noise"]).split(";"))
    assert {"L号", "ID错位", "15位旧号", "繁简", "同音形近", "日月颠倒", "换校"} <= kinds
    assert dups.groupby("cluster_id").size().eq(2).all()
    du04 = planted(big, "DU-04")
    assert set(du04["学籍号"]) <= set(dups["学籍号"])
    st = big.tables["students"].set_index("学籍号")
    twins = big.truth["decoys"][big.truth["decoys"]["kind"] == "twins"]
    assert len(twins) >= 2
    for a, b in zip(twins["学籍号_a"], twins["学籍号_b"], strict=True):
        ra, rb = st.loc[a], st.loc[b]
        assert ra["出生日期"] == rb["出生日期"] and ra["成员1姓名"] == rb["成员1姓名"]
        assert ra["现住址"] == rb["现住址"] and ra["姓名"] != rb["姓名"]
        assert abs(int(ra["身份证件号"][14:16]) - int(rb["身份证件号"][14:16])) <= 1
    same = big.truth["decoys"][big.truth["decoys"]["kind"] == "same_name_birth"]
    for a, b in zip(same["学籍号_a"], same["学籍号_b"], strict=True):
        ra, rb = st.loc[a], st.loc[b]
        assert ra["姓名"] == rb["姓名"] and ra["身份证件号"] != rb["身份证件号"]
        assert ra["成员1身份证件号"] != rb["成员1身份证件号"]


def test_simple_business_rules_match_an_independent_reading(county):
    ch = county.tables["changes"]
    transfer = ch["业务类型"].isin(["转学", "跨省转学"])
    md = ch["发起日期"].dt.month * 100 + ch["发起日期"].dt.day
    tr03 = ch[transfer & (md >= 715) & (md < 815)]
    tr04 = ch[(ch["业务类型"] == "毕业后跨省就学")
              & ~(((md >= 815) & (md < 1215)) | ((md >= 301) & (md < 601)))]
    tr11 = ch[transfer & (ch["证明材料"] == "无")]
    for rule, got in (("TR-03", tr03), ("TR-04", tr04), ("TR-11", tr11)):
        want = planted(county, rule)
        assert set(got["业务编号"]) == set(want["业务编号"]), rule
    mods = county.tables["modifications"]
    key = mods[mods["变更项目"].isin(["姓名", "身份证件号", "性别", "出生日期", "民族"])
               & (mods["证明材料"] == "无")]
    assert sorted(key["学籍号"]) == sorted(planted(county, "TR-10")["学籍号"])
    ids_changed = mods[mods["变更项目"] == "身份证件号"].groupby("学籍号").size()
    assert set(ids_changed[ids_changed > 1].index) == set(
        planted(county, "LX-05", "ningxia-xiji")["学籍号"])


def test_status_rules_match_an_independent_reading(county):
    st = county.tables["students"]
    ch = county.tables["changes"]
    quit_ = ch[(ch["业务类型"] == "退学") & (ch["业务状态"] != "撤销")]["学籍号"]
    st01 = st[(st["学籍状态"].isin(["退学", "开除"]) | st["学籍号"].isin(quit_)) & (st["年级"] <= 9)]
    assert set(st01["学籍号"]) == set(planted(county, "ST-01")["学籍号"])
    term = pd.Timestamp(2026, 3, 1)  # the last term that has ended at 2026-11-20 (RULES.md H)
    st05 = st[(st["学籍状态"] == "在校") & ~(st["最后核查日期"] >= term)]
    assert set(st05["学籍号"]) == set(planted(county, "ST-05")["学籍号"])
    for profile, months in (("national-2025", 2), ("national-2013", 1)):
        late = st[st["建籍日期"] > st["入学年月"] + pd.DateOffset(months=months)]
        assert set(late["学籍号"]) == set(planted(county, "ST-04", profile)["学籍号"]), profile


def test_edges_are_not_findings(county):
    truth, edges = county.truth["findings"], county.truth["edges"]
    assert len(edges) >= 30
    for profile in PROFILES:
        rows, allowed = expected_findings(truth, profile)
        keys = set(map(tuple, finding_key(pd.concat([rows, allowed])).to_numpy()))
        e = edges[edges["profiles"].str.split(";").map(lambda p, pr=profile: pr in p)]
        e_keys = set(map(tuple, finding_key(e).to_numpy()))
        assert not (e_keys & keys), profile


def test_finding_key_and_expected_findings():
    df = pd.DataFrame({
        "rule_id": ["ID-01", "TR-01", "CL-01", "RJ-02", "TR-10"],
        "学籍号": ["G1", "G2", "", "", "G3"], "业务编号": ["B0", "B1", "", "", "B9"],
        "学校标识码": ["S", "S", "S1", "S2", "S"], "班级": ["c", "c", "一年级(1)班", "", "c"],
        "姓名": ["a", "b", "", "张三", "c"],
        "profiles": ["national-2025", "national-2013;ningxia-xiji", "national-2025",
                     "ningxia-xiji", "national-2025"],
        "kind": ["planted", "planted", "allowed", "planted", "planted"],
    })
    key = finding_key(df)
    assert key.iloc[0].tolist() == ["ID-01", "G1", "", "", "", ""]
    assert key.iloc[1].tolist() == ["TR-01", "G2", "B1", "", "", ""]
    assert key.iloc[2].tolist() == ["CL-01", "", "", "S1", "一年级(1)班", ""]
    assert key.iloc[3].tolist() == ["RJ-02", "", "", "S2", "", "张三"]
    assert key.iloc[4].tolist() == ["TR-10", "G3", "", "", "", ""]
    p, a = expected_findings(df, "national-2025")
    assert p["rule_id"].tolist() == ["ID-01", "TR-10"] and a["rule_id"].tolist() == ["CL-01"]
    p, _ = expected_findings(df, "ningxia-xiji")
    assert p["rule_id"].tolist() == ["TR-01", "RJ-02"]


def test_truth_rows_point_at_records(county):
    st = county.tables["students"]
    truth = county.truth["findings"]
    rec = truth[~truth["rule_id"].isin(["CL-01", "CL-02", "RJ-02", "RJ-05", "RJ-06"])]
    incoming = rec["业务编号"].isin(county.tables["changes"]["业务编号"]) & ~rec["学籍号"].isin(st["学籍号"])
    assert rec.loc[~incoming, "学籍号"].isin(st["学籍号"]).all()
    biz = truth[truth["业务编号"] != ""]
    assert biz["业务编号"].isin(county.tables["changes"]["业务编号"]).all()
    assert truth["note"].map(lambda s: not re.search("[a-z]{4}", s)).all()


def test_other_audit_dates_and_too_early_a_date():
    import datetime as dt

    from xueji_audit.errors import InvalidDateError

    spring = generate_tables(2500, seed=4, as_of=dt.date(2027, 5, 30))
    truth = spring.truth["findings"]
    assert set(RULE_IDS) - {"TR-02"} <= set(truth["rule_id"])
    assert "2027-05-30" == str(spring.as_of)
    with pytest.raises(InvalidDateError):
        generate_tables(2500, seed=0, as_of=dt.date(2027, 3, 20))
