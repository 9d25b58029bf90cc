"""The chain viewer's data functions on the demo county: finding a child, the timeline (checked
against the businesses, the steps and the planted CH findings), the problem children."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from xueji_audit.app import chains as ac
from xueji_audit.errors import XuejiError


@pytest.fixture
def data(app_session):
    return ac.chain_data(app_session)


def _planted(app_county, rule: str) -> pd.DataFrame:
    truth = pd.read_csv(app_county / "truth" / "findings.csv", dtype=str,
                        encoding="utf-8-sig", keep_default_na=False)
    return truth[(truth["rule_id"] == rule) & (truth["kind"] == "planted")]


def _person_key(session) -> pd.Series:
    """学籍号 → the student's ID number in its first 17 characters (a 15-digit number widened
    with 19), else the 学籍号: one key per child here."""
    st = session.students.drop_duplicates("学籍号").set_index("学籍号")["身份证件号"]
    old = (st.str.len() == 15).fillna(False)
    st = (st.str[:6] + "19" + st.str[6:]).where(old, st.str[:17])
    return st.where(st.notna(), st.index.to_series())


def test_timeline_of_a_planted_round_trip_lists_the_finding(app_session, app_county, data):
    planted = _planted(app_county, "CH-03").iloc[0]
    xjh, biz = planted["学籍号"], planted["业务编号"]
    tl = ac.timeline(app_session, xjh, data)
    assert list(tl.columns) == list(ac.TIMELINE_COLUMNS)
    row = tl[tl["业务编号"] == biz]
    assert len(row) == 1
    assert row["问题"].iloc[0] == "CH-03"
    f = app_session.findings
    detail = f[(f["rule_id"] == "CH-03") & (f["业务编号"] == biz)]["detail"].iloc[0]
    assert detail in row["问题说明"].iloc[0]
    # the completed businesses of the child, in the order they were completed
    ch = app_session.loaded.tables["changes"]
    done = ch[(ch["学籍号"] == xjh) & (ch["业务状态"] == "核办通过")].sort_values("办结日期")
    got = tl[tl["办理状态"] == "核办通过"]
    assert got["业务编号"].tolist() == done["业务编号"].tolist()
    assert got["日期"].tolist() == done["办结日期"].dt.strftime("%Y-%m-%d").tolist()
    names = app_session.names
    assert got["到学校"].tolist() == done["转入学校标识码"].map(names).tolist()
    assert got["从学校"].tolist() == done["转出学校标识码"].map(names).tolist()
    assert (got["学籍状态"] == "在校").all()
    # ends with the register record
    last = tl.iloc[-1]
    rec = app_session.students[app_session.students["学籍号"] == xjh].iloc[0]
    assert last["事项"] == "学籍记录" and last["学籍号"] == xjh
    assert last["到学校"] == names[rec["学校标识码"]] and last["学籍状态"] == rec["学籍状态"]


def test_two_records_of_one_child_both_carry_ch01(app_session, app_county, data):
    planted = _planted(app_county, "CH-01")
    key = _person_key(app_session)
    two = planted.assign(k=planted["学籍号"].map(key)).groupby("k")["学籍号"].nunique()
    person = two[two == 2].index[0]  # one child with two 学籍号 (L → G)
    xjhs = sorted(planted.loc[planted["学籍号"].map(key) == person, "学籍号"])
    tl = ac.timeline(app_session, xjhs[0], data)
    records = tl[tl["事项"] == "学籍记录"]
    assert sorted(records["学籍号"]) == xjhs
    assert (records["问题"] == "CH-01").all()
    assert tl.equals(ac.timeline(app_session, xjhs[1], data))  # the same child either way
    head = ac.child_header(app_session, xjhs[0], tl, data)
    st = app_session.students
    assert head["姓名"] == st.loc[st["学籍号"] == xjhs[0], "姓名"].iloc[0]
    assert sorted(head["学籍号"].split("、")) == xjhs
    assert head["有问题的事项"] == "2 项"


def test_step_timing_against_tr01(app_session, data):
    f = app_session.findings
    tr = f[f["rule_id"] == "TR-01"]
    biz = tr["业务编号"].value_counts().index[0]
    xjh = tr.loc[tr["业务编号"] == biz, "学籍号"].iloc[0]
    tl = ac.timeline(app_session, xjh, data)
    row = tl[tl["业务编号"] == biz].iloc[0]
    assert row["超期环节"] == int((tr["业务编号"] == biz).sum())
    for detail in tr.loc[tr["业务编号"] == biz, "detail"]:
        step = re.search(r"环节「(.+?)」", detail).group(1)
        used = re.search(r"用时 (\d+) 个工作日", detail).group(1)
        late = re.search(r"时限 (\d+) 天", detail).group(1)
        assert f"{step} {used}/10 个工作日" in row["环节用时"]
        assert f"超期 {late} 天" in row["环节用时"]
    assert "TR-01" in row["问题"]
    steps = app_session.loaded.tables["steps"]
    assert row["环节用时"].count("个工作日") + row["环节用时"].count("未到达") == int(
        (steps["业务编号"] == biz).sum())


def test_a_business_not_completed_is_on_the_timeline(app_session, data):
    ch = app_session.loaded.tables["changes"]
    open_ = ch[ch["业务状态"] == "在办"].iloc[0]
    tl = ac.timeline(app_session, open_["学籍号"], data)
    row = tl[tl["业务编号"] == open_["业务编号"]].iloc[0]
    assert row["办理状态"] == "在办"
    assert row["日期"] == open_["发起日期"].strftime("%Y-%m-%d")


def test_find_persons_by_number_and_name(app_session, data):
    st = app_session.students
    one = st[st["身份证件号"].notna()].drop_duplicates("学籍号").iloc[100]
    by_xjh = ac.find_persons(app_session, f" {one['学籍号'].lower()} ", data)
    assert list(by_xjh.columns) == list(ac.PERSON_COLUMNS)
    assert one["学籍号"] in set(st.loc[st["姓名"] == by_xjh.loc[0, "姓名"], "学籍号"])
    assert len(by_xjh) == 1 and by_xjh.loc[0, "姓名"] == one["姓名"]
    by_id = ac.find_persons(app_session, one["身份证件号"], data)
    assert by_id["姓名"].tolist() == [one["姓名"]]
    # a name written once in the register, with an ID number nobody else has: one child
    counts = st["姓名"].value_counts()
    ids = st["身份证件号"].value_counts()
    unique = st[st["姓名"].map(counts).eq(1) & st["身份证件号"].map(ids).eq(1)].iloc[0]
    found = ac.find_persons(app_session, unique["姓名"], data)
    assert found["学籍号"].tolist() == [unique["学籍号"]]
    assert found.loc[0, "学校"] == app_session.names[unique["学校标识码"]]
    surname = ac.find_persons(app_session, "王", data)
    assert surname["姓名"].str.contains("王").all()
    assert len(surname) <= int(st["姓名"].str.contains("王").sum())
    assert ac.find_persons(app_session, "不存在的人", data).empty
    with pytest.raises(XuejiError, match="请输入"):
        ac.find_persons(app_session, "  ", data)
    with pytest.raises(XuejiError, match="找不到"):
        ac.timeline(app_session, "G000000000000000000", data)


def test_problem_children_are_the_children_with_ch_findings(app_session, data):
    f = app_session.findings
    ch = f[f["rule_id"].str.startswith("CH-")]
    key = _person_key(app_session)
    children = ch["学籍号"].map(key)
    pc = ac.problem_children(app_session, data)
    assert list(pc.columns) == list(ac.PROBLEM_COLUMNS)
    assert len(pc) == children.nunique()
    assert int(pc["问题数"].sum()) == len(ch)
    assert set(pc["学籍号"]) <= set(ch["学籍号"])
    for row in pc.itertuples(index=False):
        rules = sorted(set(ch.loc[children == key[row.学籍号], "rule_id"]))
        assert row.问题 == "、".join(rules)
    summary = ac.chain_summary(app_session, data)
    changes = app_session.loaded.tables["changes"]
    done = changes[(changes["业务状态"] == "核办通过") & changes["学籍号"].notna()]
    assert summary["已办结异动业务"] == len(done)
    assert summary["转学链有问题的学生"] == len(pc)
    assert summary["转学链问题（CH）"] == len(ch)


def test_timeline_html_masks_unless_revealed(app_session, app_county, data):
    xjh = _planted(app_county, "CH-03").iloc[0]["学籍号"]
    tl = ac.timeline(app_session, xjh, data)
    masked, shown = ac.timeline_html(tl, False), ac.timeline_html(tl, True)
    assert xjh not in masked and f"{xjh[:7]}********{xjh[-4:]}" in masked
    assert xjh in shown
    assert masked.count("xj-error") == int((tl["问题"] != "").sum()) >= 1
    assert "→" in masked
    options = ac.person_options(ac.find_persons(app_session, xjh, data))
    assert options[0][1] == xjh and xjh not in options[0][0]
