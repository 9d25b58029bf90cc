"""The transfer-chain viewer widget without a browser: search, the timeline, the problem list,
masking and the logged reveal."""
from __future__ import annotations

import shutil

import pandas as pd
from conftest import APP_USER, AS_OF
from xueji_audit.widgets.chains import ChainViewer

from xueji_audit.app import AppConfig, Session
from xueji_audit.cases.store import ACTION_SHOW_ID
from xueji_audit.workspace import build_workspace


def _planted(app_county, rule: str) -> pd.Series:
    truth = pd.read_csv(app_county / "truth" / "findings.csv", dtype=str,
                        encoding="utf-8-sig", keep_default_na=False)
    return truth[(truth["rule_id"] == rule) & (truth["kind"] == "planted")].iloc[0]


def test_viewer_starts_with_the_summary_and_the_problem_list(app_session):
    v = ChainViewer(app_session)
    assert v.query.placeholder == "学籍号、身份证件号或姓名"
    assert v.search.description == "查找"
    assert v.problems.description == "有问题的转学链"
    f = app_session.findings
    ch = f[f["rule_id"].str.startswith("CH-")]
    changes = app_session.loaded.tables["changes"]
    n_done = int(((changes["业务状态"] == "核办通过") & changes["学籍号"].notna()).sum())
    assert f"<dd>{n_done:,}</dd>" in v.summary.value
    assert f"<dt>转学链问题（CH）</dt><dd>{len(ch)}</dd>" in v.summary.value
    values = [x for _, x in v.problems.options]
    assert values[0] == "" and v.problems.value == ""
    assert set(values[1:]) <= set(ch["学籍号"])
    # one option per child with a CH finding (a child: one ID number, 15-digit widened)
    ids = app_session.students.drop_duplicates("学籍号").set_index("学籍号")["身份证件号"]
    ids = (ids.str[:6] + "19" + ids.str[6:]).where((ids.str.len() == 15).fillna(False),
                                                     ids.str[:17])
    children = ch["学籍号"].map(ids).fillna(ch["学籍号"])
    assert len(values) - 1 == children.nunique()
    assert set(children[ch["学籍号"].isin(values[1:])]) == set(children)
    for label, _ in v.problems.options[1:]:
        assert "CH-0" in label and "********" in label
    assert v.timeline.value == ""


def test_search_by_number_shows_the_timeline_with_the_planted_finding(app_session, app_county):
    planted = _planted(app_county, "CH-03")
    xjh, biz = planted["学籍号"], planted["业务编号"]
    v = ChainViewer(app_session)
    v.query.value = xjh
    v.search.click()
    assert [x for _, x in v.matches.options] == [xjh]
    assert v.matches.value == xjh
    assert "找到 1 人" in v.message.value
    html = v.timeline.value
    assert "CH-03 往返或频繁转学" in html and biz in html
    assert xjh not in html and xjh not in v.matches.options[0][0]
    name = app_session.students.set_index("学籍号").at[xjh, "姓名"]
    assert v.matches.options[0][0].startswith(name)
    changes = app_session.loaded.tables["changes"]
    done = changes[(changes["学籍号"] == xjh) & (changes["业务状态"] == "核办通过")]
    assert html.count("核办通过") == len(done)


def test_search_by_name_lists_the_matching_children(app_session):
    st = app_session.students
    counts = st["姓名"].value_counts()
    ids = st["身份证件号"].value_counts()
    unique = st[st["姓名"].map(counts).eq(1) & st["身份证件号"].map(ids).eq(1)].iloc[3]
    v = ChainViewer(app_session)
    v.query.value = unique["姓名"]
    v.search.click()
    assert [x for _, x in v.matches.options] == [unique["学籍号"]]
    assert "学籍记录" in v.timeline.value
    v.query.value = "王"
    v.search.click()
    n = len(v.matches.options)
    assert 1 < n <= 100
    assert all("王" in label.split("（")[0] for label, _ in v.matches.options)
    first = v.matches.options[1][1]
    v.matches.value = first
    assert app_session.students.set_index("学籍号").at[first, "姓名"] in v.timeline.value


def test_search_errors_are_shown_not_raised(app_session):
    v = ChainViewer(app_session)
    v.search.click()
    assert "请输入" in v.message.value and "xj-error" in v.message.value
    v.query.value = "查无此人"
    v.search.click()
    assert "没有找到" in v.message.value
    assert v.matches.options == () and v.timeline.value == ""


def test_problem_list_jumps_to_the_child(app_session):
    v = ChainViewer(app_session)
    label, xjh = next((lab, x) for lab, x in v.problems.options if "CH-04" in lab)
    v.problems.value = xjh
    assert v.matches.value == xjh
    f = app_session.findings
    detail = f[(f["rule_id"] == "CH-04") & (f["学籍号"] == xjh)]["detail"].iloc[0]
    assert "CH-04 学籍状态与异动记录矛盾" in v.timeline.value
    assert detail.split("（")[0] in v.timeline.value


def test_reveal_unmasks_and_logs(app_session, app_county):
    xjh = _planted(app_county, "CH-03")["学籍号"]
    v = ChainViewer(app_session)
    v.query.value = xjh
    v.search.click()
    assert xjh not in v.timeline.value
    v.reveal.value = True
    assert xjh in v.timeline.value
    assert v.matches.value == xjh and xjh in v.matches.options[0][0]
    assert all("********" not in label for label, _ in v.problems.options[1:])
    log = app_session.store.access_log()
    assert len(log) == 1
    assert log.loc[0, "action"] == ACTION_SHOW_ID and log.loc[0, "user"] == APP_USER
    assert log.loc[0, "detail"] == "页面：转学链"


def test_viewer_without_businesses_or_steps(tmp_path, app_county):
    data = tmp_path / "data"
    shutil.copytree(app_county, data, ignore=shutil.ignore_patterns("学籍异动"))
    build_workspace(data, tmp_path / "ws", as_of=AS_OF, user=APP_USER).close()
    session = Session.open(AppConfig(tmp_path / "ws", APP_USER, AS_OF))
    assert session.loaded.tables.keys().isdisjoint({"changes", "steps"})
    f = session.findings
    v = ChainViewer(session)
    assert "<dt>已办结异动业务</dt><dd>0</dd>" in v.summary.value
    xjh = f.loc[f["rule_id"] == "CH-01", "学籍号"].iloc[0]
    v.query.value = xjh
    v.search.click()
    assert "CH-01" in v.timeline.value and "核办通过" not in v.timeline.value
