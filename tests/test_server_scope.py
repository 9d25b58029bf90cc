"""Scope in the package (issue 14): a 学校 account's session holds only its school's rows and
cases, each role's store refuses what the role may not do, every write is recorded under the
logged-in person, and two people acting on one case at once never lose an update."""
from __future__ import annotations

import pytest
from conftest import AS_OF, copy_workspace
from xueji_audit.widgets.cases import CaseDesk

from xueji_audit.app import AppConfig, Session
from xueji_audit.app import casedesk as cd
from xueji_audit.server.scope import ScopeError


@pytest.fixture
def county(tmp_path, _app_workspace):
    """The demo workspace, its two schools with the most findings, and a case of each."""
    ws = copy_workspace(_app_workspace, tmp_path / "ws")
    inspector = Session.open(AppConfig(ws, "张督查", AS_OF))
    counts = inspector.findings["学校标识码"].value_counts()
    mine, other = str(counts.index[0]), str(counts.index[1])
    f = inspector.findings
    cases = {school: cd.open_case(inspector, "核查",
                                  sorted(set(f.loc[f["学校标识码"] == school, "rule_id"])),
                                  school, title=f"{school} 的问题")
             for school in (mine, other)}
    county_wide = cd.open_case(inspector, "核查", sorted(set(f["rule_id"])), title="全县")
    yield ws, inspector, mine, other, cases, county_wide
    inspector.close()


def _session(ws, user, role, school=""):
    return Session.open(AppConfig(ws, user, AS_OF, role=role, school=school))


def test_a_school_session_holds_only_its_schools_rows(county):
    ws, inspector, mine, _, _, _ = county
    clerk = _session(ws, "李老师", "学校", mine)
    assert len(clerk.findings) == (inspector.findings["学校标识码"] == mine).sum() > 0
    assert set(clerk.findings["学校标识码"]) == {mine}
    assert set(clerk.students["学校标识码"]) == {mine}
    assert len(clerk.students) == (inspector.students["学校标识码"] == mine).sum()
    assert list(clerk.names.index) == [mine]
    assert set(clerk.result.findings["学校标识码"]) == {mine}
    for table in clerk.loaded.tables.values():
        if table is not None and "学校标识码" in table.columns:
            assert set(table["学校标识码"]) <= {mine}
    assert len(clerk.loaded.rejects) == 0
    assert clerk.result.duplicates is None and clerk.workspace.chains is None
    with pytest.raises(AttributeError):
        clerk.workspace.manifest  # noqa: B018 — nothing beyond the view


def test_a_school_sees_and_answers_only_its_own_cases(county):
    ws, _, mine, other, cases, county_wide = county
    clerk = _session(ws, "李老师", "学校", mine)
    assert list(clerk.store.list_cases()["id"]) == [cases[mine]]
    assert [cid for _, cid in cd.case_options(clerk)] == [cases[mine]]
    for refused in (cases[other], county_wide):
        with pytest.raises(ScopeError, match="不属于本校"):
            cd.case_card(clerk, refused)
        with pytest.raises(ScopeError, match="不属于本校"):
            clerk.store.set_note(refused, "答复", user="李老师", on=AS_OF)
        with pytest.raises(ScopeError):
            clerk.store.access_log(refused)
    card = cd.case_card(clerk, cases[mine])
    assert set(card["findings"]["学校"]) <= {clerk.names.get(mine)}
    clerk.store.set_note(cases[mine], "已核实，正在整改", user="李老师", on=AS_OF)
    with pytest.raises(ScopeError, match="只能把本校案件标为「核查中」"):
        cd.set_status(clerk, cases[mine], "撤销")
    with pytest.raises(ScopeError, match="不能立案"):
        cd.open_case(clerk, "核查", ["ID-01"], mine)
    with pytest.raises(ScopeError, match="不能交办"):
        cd.assign(clerk, cases[mine], "某校")
    with pytest.raises(ScopeError, match="不能办结"):
        clerk.store.close(cases[mine], user="李老师", on=AS_OF)
    with pytest.raises(ScopeError, match="不能认定"):
        clerk.store.decide_pair("A1", "B2", True, user="李老师", on=AS_OF)
    with pytest.raises(ScopeError, match="不能导入"):
        Session.build(clerk.config, ws)
    history = cd.case_card(clerk, cases[mine])["history"]
    assert "李老师" in set(history["操作人"])


def test_read_only_writes_and_reveals_nothing(county):
    ws, _, mine, _, cases, _ = county
    reader = _session(ws, "王只读", "只读")
    assert len(reader.findings) > 0 and len(reader.store.list_cases()) == 3
    with pytest.raises(ScopeError, match="只读"):
        reader.log_reveal("问题学籍")
    for action in (lambda: cd.assign(reader, cases[mine], "某校"),
                   lambda: cd.set_status(reader, cases[mine], "撤销"),
                   lambda: reader.store.set_note(cases[mine], "x", user="王只读", on=AS_OF),
                   lambda: cd.open_case(reader, "核查", ["ID-01"])):
        with pytest.raises(ScopeError, match="「只读」账号不能"):
            action()
    assert reader.store.access_log().empty


def test_writes_are_recorded_under_the_logged_in_person_only(county):
    ws, _, mine, _, cases, _ = county
    county_admin = _session(ws, "赵管理", "县级管理员")
    with pytest.raises(ScopeError, match="赵管理"):
        county_admin.store.assign(cases[mine], "某校", user="张督查", on=AS_OF)
    cd.assign(county_admin, cases[mine], "某校")
    county_admin.log_reveal("问题学籍")
    log = county_admin.store.access_log()
    assert list(log["user"]) == ["赵管理"]


def test_two_people_on_one_case_never_lose_an_update(county):
    """A clerk and an inspector have the same case open; each acts; the later write, made on
    what the page showed before the other's change, is refused naming who changed the case,
    and after a refresh it goes through: both updates are in the history."""
    ws, _, mine, _, cases, _ = county
    inspector = _session(ws, "张督查", "督查员")
    clerk = _session(ws, "李老师", "学校", mine)
    desk_i, desk_c = CaseDesk(inspector), CaseDesk(clerk)
    desk_i.cases.value = cases[mine]
    assert desk_c.cases.value == cases[mine]
    desk_i.assign_unit.value = "某校"
    desk_i.assign.click()  # 立案 → 交办
    assert "已交办" in desk_i.message.value
    desk_c.status.options = ("核查中",)  # the clerk's answer, chosen on the page it had open
    desk_c.status.value = "核查中"
    desk_c.set_status.click()  # made on version it showed before the assignment
    assert "已被「张督查」于" in desk_c.message.value and "本次操作未保存" in desk_c.message.value
    assert desk_c.shown_version == inspector.store.version(cases[mine])  # refreshed
    desk_c.status.value = "核查中"
    desk_c.set_status.click()
    assert "状态已变更为「核查中」" in desk_c.message.value
    case = inspector.store.get_case(cases[mine])
    assert case["status"] == "核查中" and case["unit"] == "某校"
    changes = case["history"][case["history"]["字段"].isin(["status", "unit"])]
    assert {"张督查", "李老师"} <= set(changes["操作人"])


def test_a_school_replies_per_child_on_its_own_case_only_and_cannot_review(county):
    """The unit's reply (issue 13) goes through the role's store: the school answers for a
    child of its own case, not of another school's; only the inspector accepts it."""
    ws, inspector, mine, other, cases, _ = county
    for school in (mine, other):
        cd.assign(inspector, cases[school], school)
    clerk = _session(ws, "李老师", "学校", mine)
    child = cd.child_options(clerk, cases[mine])[0][1]
    cd.record_reply(clerk, cases[mine], child, "经核实属实", "已更正")
    assert clerk.store.items(cases[mine]).set_index("child").loc[child, "state"] == "已答复"
    other_child = cd.child_options(inspector, cases[other])[0][1]
    with pytest.raises(ScopeError, match="不属于本校"):
        cd.record_reply(clerk, cases[other], other_child, "x", "y")
    with pytest.raises(ScopeError, match="不属于本校"):
        clerk.store.items(cases[other])
    with pytest.raises(ScopeError, match="审核"):
        cd.review_reply(clerk, cases[mine], child, True)
    reader = _session(ws, "王科员", "只读")
    with pytest.raises(ScopeError, match="只读"):
        cd.record_reply(reader, cases[mine], child, "x", "y")
    cd.review_reply(inspector, cases[mine], child, True)
    assert inspector.store.items(cases[mine]).set_index("child").loc[child, "state"] == "已办结"
    history = inspector.store.get_case(cases[mine])["history"]
    assert {"李老师", "张督查"} <= set(history["操作人"])
    clerk.close()
    reader.close()
