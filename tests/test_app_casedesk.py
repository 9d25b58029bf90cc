"""The case desk's data functions on the demo county: choosing findings, opening a case,
the case card with working-day deadlines, assigning, status changes and drafting forms."""
from __future__ import annotations

import base64
import datetime as dt
import re

import docx
import pandas as pd
import pytest

from xueji_audit.app import casedesk as cd
from xueji_audit.cases import organisation
from xueji_audit.cases.store import TRANSITIONS
from xueji_audit.errors import XuejiError
from xueji_audit.profile import load_profile


def _calendar(session):
    return load_profile(session.config.profile).calendar()


def _docx_text(path) -> str:
    d = docx.Document(str(path))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def test_rule_and_school_options_count_the_findings(app_session):
    f = app_session.findings
    counts = f["rule_id"].value_counts()
    options = cd.rule_options(app_session)
    assert [rid for _, rid in options] == sorted(counts.index)
    labels = dict((rid, label) for label, rid in options)
    assert labels["ID-01"] == f"ID-01 身份证件号格式或校验位错误（{counts['ID-01']} 条）"
    schools = cd.school_options(app_session)
    assert schools[0] == ("全部", "")
    assert [code for _, code in schools[1:]] == sorted(f["学校标识码"].dropna().unique())
    code = "2164040007"
    n = int((f["学校标识码"] == code).sum())
    assert dict((c, lab) for lab, c in schools)[code] == \
        f"{app_session.names[code]}（{code}，{n} 条）"


def test_choose_findings_by_rules_and_school(app_session):
    f = app_session.findings
    chosen = cd.choose_findings(app_session, ["ID-01", "ID-02"], "")
    expected = f[f["rule_id"].isin(["ID-01", "ID-02"])]
    assert len(chosen) == len(expected) > 0
    assert cd.selection_text(chosen) == (f"已选问题 {len(expected)} 条（涉及学生 "
                                         f"{expected['学籍号'].nunique()} 人）")
    at = cd.choose_findings(app_session, ["ID-01"], "2164040007")
    assert len(at) == int(((f["rule_id"] == "ID-01") & (f["学校标识码"] == "2164040007")).sum())
    assert set(at["学校标识码"]) == {"2164040007"}
    assert cd.choose_findings(app_session, [], "").empty
    assert cd.selection_text(cd.choose_findings(app_session, [], "")) == "已选问题 0 条（涉及学生 0 人）"


def test_default_title_names_the_rules():
    assert cd.default_title(["ID-01"]) == "身份证件号格式或校验位错误（ID-01）"
    assert cd.default_title(["ID-01"], "清川县第一小学") == \
        "清川县第一小学：身份证件号格式或校验位错误（ID-01）"
    assert cd.default_title(["ID-01", "ID-02", "ID-03", "TR-01"]).startswith(
        "身份证件号格式或校验位错误等4类学籍问题")
    assert cd.default_title([]) == "学籍问题核查"


def test_open_case_holds_exactly_the_chosen_findings(app_session):
    f = app_session.findings
    expected = f[f["rule_id"] == "ID-01"]
    case_id = cd.open_case(app_session, "核查", ["ID-01"])
    case = app_session.store.get_case(case_id)
    assert len(case["findings"]) == len(expected)
    assert sorted(case["findings"]["学籍号"]) == sorted(expected["学籍号"])
    assert set(case["findings"]["rule_id"]) == {"ID-01"}
    as_of = app_session.config.as_of
    assert (case["opened_by"], case["opened_on"], case["status"]) == (app_session.config.user, as_of, "立案")
    assert case["title"] == "身份证件号格式或校验位错误（ID-01）"
    card = cd.case_card(app_session, case_id)
    deadline = _calendar(app_session).add_workdays(as_of, 10)
    assert card["case"]["deadline"] == deadline
    assert card["info"]["办理期限"] == deadline.isoformat()
    assert card["left"] == 10 and card["info"]["剩余工作日"] == "剩余10个工作日"
    assert not card["overdue"]
    assert list(card["findings"]["规则编号"]) == ["ID-01"] * len(expected)
    label, value = cd.case_options(app_session)[0]
    assert value == case_id
    assert label == (f"案件{case_id} 问题核查单 身份证件号格式或校验位错误（ID-01） 立案 "
                     f"期限{deadline.isoformat()} 剩余10个工作日")


def test_open_case_refuses_an_empty_choice(app_session):
    with pytest.raises(XuejiError, match="未选择问题"):
        cd.open_case(app_session, "核查", [])
    f = app_session.findings
    elsewhere = sorted(set(f["学校标识码"].dropna()) - set(f.loc[f["rule_id"] == "ID-01",
                                                                  "学校标识码"].dropna()))[0]
    with pytest.raises(XuejiError, match="所选学校没有所选类型的问题"):
        cd.open_case(app_session, "核查", ["ID-01"], elsewhere)
    assert app_session.store.list_cases().empty


def test_an_overdue_case_is_counted_in_working_days_and_shown_red(app_session):
    as_of = app_session.config.as_of
    cal = _calendar(app_session)
    opened = as_of - dt.timedelta(days=30)
    case_id = app_session.store.open_case(
        "督办", "超期督办", cd.choose_findings(app_session, ["TR-01"]), deadline_workdays=5,
        user=app_session.config.user, on=opened, calendar=cal)
    deadline = cal.add_workdays(opened, 5)
    overdue = cal.workdays_between(deadline, as_of)
    card = cd.case_card(app_session, case_id)
    assert overdue > 0 and card["left"] == -overdue and card["overdue"]
    assert card["info"]["剩余工作日"] == f"逾期{overdue}个工作日"
    assert re.search(r'<dd class="xj-overdue" style="color:#b42318[^"]*">逾期', cd.card_html_of(card))
    assert cd.case_options(app_session)[0][0].endswith(f"逾期{overdue}个工作日")


def test_assign_and_status_changes_follow_the_transitions(app_session):
    case_id = cd.open_case(app_session, "核查", ["ID-01"])
    store, as_of = app_session.store, app_session.config.as_of.isoformat()
    cd.assign(app_session, case_id, "清川县第一小学")
    case = store.get_case(case_id)
    assert (case["status"], case["unit"]) == ("交办", "清川县第一小学")
    h = case["history"]
    assert h[["字段", "原值", "新值", "操作人", "时间"]].values.tolist()[1:] == [
        ["unit", "", "清川县第一小学", app_session.config.user, as_of],
        ["status", "立案", "交办", app_session.config.user, as_of]]
    assert cd.allowed_statuses("交办") == TRANSITIONS["交办"] == ("核查中", "督办", "撤销")
    assert cd.allowed_statuses("办结") == ()
    with pytest.raises(XuejiError, match="状态「完成」无效"):
        cd.allowed_statuses("完成")
    with pytest.raises(XuejiError, match="当前状态为「交办」，不能改为「办结」"):
        cd.set_status(app_session, case_id, "办结")
    assert store.get_case(case_id)["status"] == "交办"
    assert len(store.get_case(case_id)["history"]) == 3
    assert cd.case_card(app_session, case_id)["history"][["对象", "字段"]].values.tolist() == [
        ["案件", "状态"], ["案件", "承办单位"], ["案件", "状态"]]
    cd.set_status(app_session, case_id, "核查中", "已电话联系学校")
    h = store.get_case(case_id)["history"]
    assert h.iloc[-1][["新值", "备注", "操作人"]].tolist() == ["核查中", "已电话联系学校", app_session.config.user]


def test_the_card_masks_numbers_unless_revealed(app_session):
    case_id = cd.open_case(app_session, "核查", ["ID-01"])
    card = cd.case_card(app_session, case_id)
    xjh = list(card["case"]["findings"]["学籍号"])
    masked, shown = cd.card_html_of(card, False), cd.card_html_of(card, True)
    assert not any(x in masked for x in xjh)
    assert all(x in shown for x in xjh)
    ids = re.findall(r"身份证件号 (\w{15,18})", " ".join(card["case"]["findings"]["detail"]))
    assert ids and not any(i in masked for i in ids) and all(i in shown for i in ids)


def test_draft_form_writes_full_values_links_and_logs(app_session):
    organisation.set_part(app_session.store.path.parent, "技术部门", unit="清川县教育局技术科")
    case_id = cd.open_case(app_session, "核查", ["ID-01"], "2164040007")
    seen = []
    paths = cd.draft_form(app_session, case_id, "核查单", lambda f, m: seen.append(f))
    folder = app_session.forms_dir / f"案件{case_id}"
    findings = app_session.store.get_case(case_id)["findings"]
    n = findings["学籍号"].nunique()
    assert len(paths) == 2 * n + 4 and all(p.parent == folder for p in paths)
    names = [p.name for p in paths]
    bundle = [f"核查单汇总表_案件{case_id}.xlsx", f"核查单汇总表_案件{case_id}.docx",
              f"核查单_案件{case_id}_合并打印.pdf", f"核查单_案件{case_id}_全部文书.zip"]
    assert names[-4:] == bundle and [p.name for p in cd.offered(paths)] == bundle
    assert all(x.startswith(f"核查单_案件{case_id}_") for x in names[:-4])
    assert seen[-1] == 1.0 and seen == sorted(seen)
    first = findings["学籍号"].iloc[0]
    text = _docx_text(paths[0])
    assert first in text and findings["姓名"].iloc[0] in names[0]
    students = app_session.students
    reg_id = students.loc[students["学籍号"] == first, "身份证件号"].iloc[0]
    assert reg_id and reg_id in text  # from the register: with_register was used
    assert not any(x in name for x in findings["学籍号"] for name in names)  # never in a name
    assert not any(reg_id in name for name in names)
    assert paths[1].read_bytes().startswith(b"%PDF")
    log = app_session.store.access_log(case_id)
    assert log[["user", "action", "at"]].values.tolist() == [
        [app_session.config.user, "起草文书", f"{app_session.config.as_of.isoformat()}T00:00:00"]]
    assert log["detail"].iloc[0].startswith(f"核查单：{names[0]}、{names[1]}")
    paths = paths[:2]
    links = cd.download_links_html(paths)
    found = re.findall(r'<a class="xj-download" download="([^"]+)" href="data:([^;]+);base64,'
                       r'([^"]+)"[^>]*>下载 ([^<]+)</a>', links)
    assert [(n, m) for n, m, _, _ in found] == [
        (paths[0].name, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (paths[1].name, "application/pdf")]
    assert [base64.b64decode(b) for _, _, b, _ in found] == [p.read_bytes() for p in paths]
    assert cd.data_uri(paths[1]).startswith("data:application/pdf;base64,JVBER")
    with pytest.raises(XuejiError, match="未知的表单种类"):
        cd.draft_form(app_session, case_id, "通知单")


def test_open_case_default_title_and_unit_fields(app_session):
    code = "2164040007"
    case_id = cd.open_case(app_session, "督办", ["ID-01", "ID-02"], code, unit="  兴隆镇学校 ",
                           deadline_workdays=3)
    case = app_session.store.get_case(case_id)
    assert case["title"].startswith(f"{app_session.names[code]}：")
    assert (case["kind"], case["unit"], case["deadline_workdays"]) == ("督办", "兴隆镇学校", 3)
    f = app_session.findings
    expected = f[f["rule_id"].isin(["ID-01", "ID-02"]) & (f["学校标识码"] == code)]
    assert len(case["findings"]) == len(expected)
    assert pd.Series(sorted(case["findings"]["学籍号"])).equals(
        pd.Series(sorted(expected["学籍号"])))
