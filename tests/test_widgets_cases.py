"""The case desk widget without a browser: set values, click, read the widgets and the store."""
from __future__ import annotations

import base64
import re

import docx
from conftest import APP_USER
from xueji_audit.widgets.cases import CaseDesk

from xueji_audit.cases import organisation
from xueji_audit.cases.store import TRANSITIONS
from xueji_audit.profile import load_profile


def _id01(session):
    f = session.findings
    return f[f["rule_id"] == "ID-01"]


def _open_id01(desk):
    desk.rules.value = ("ID-01",)
    desk.open_case.click()
    return desk.cases.value


def test_choosing_findings_updates_the_count_and_the_title(app_session):
    desk = CaseDesk(app_session)
    f = app_session.findings
    assert len(desk.rules.options) == f["rule_id"].nunique()
    assert "已选问题 0 条（涉及学生 0 人）" in desk.selected.value
    desk.rules.value = ("ID-01", "ID-02")
    both = f[f["rule_id"].isin(["ID-01", "ID-02"])]
    assert f"已选问题 {len(both)} 条（涉及学生 {both['学籍号'].nunique()} 人）" in desk.selected.value
    names = f.drop_duplicates("rule_id").set_index("rule_id")["rule_name"]
    assert desk.title.value == f"{names['ID-01']}、{names['ID-02']}（ID-01、ID-02）"
    code = "2164040007"
    desk.school.value = code
    at = both[both["学校标识码"] == code]
    assert f"已选问题 {len(at)} 条（涉及学生 {at['学籍号'].nunique()} 人）" in desk.selected.value
    name = app_session.names[code]
    assert desk.title.value.startswith(f"{name}：") and desk.unit.value == name
    desk.title.value = "我的标题"
    desk.rules.value = ("ID-01",)
    assert desk.title.value == "我的标题"  # a title typed by the user is kept
    assert desk.kind.options[0] == ("问题核查单", "核查") and desk.deadline.value == 10
    assert desk.cases.options == () and "尚无案件" in desk.case_info.value
    assert desk.assign.disabled and desk.set_status.disabled and desk.draft.disabled


def test_opening_a_case_stores_the_findings_and_selects_it(app_session):
    desk = CaseDesk(app_session)
    case_id = _open_id01(desk)
    store = app_session.store
    assert list(store.list_cases()["id"]) == [case_id]
    case = store.get_case(case_id)
    expected = _id01(app_session)
    assert sorted(case["findings"]["学籍号"]) == sorted(expected["学籍号"])
    assert (case["opened_by"], case["opened_on"]) == (app_session.config.user,
                                                       app_session.config.as_of)
    deadline = load_profile(app_session.config.profile).calendar().add_workdays(
        app_session.config.as_of, 10)
    assert case["deadline"] == deadline
    assert f"<dd>{deadline.isoformat()}</dd>" in desk.case_info.value
    assert "剩余10个工作日" in desk.case_info.value
    assert f"问题清单（{len(expected)} 条）" in desk.case_info.value
    assert desk.cases.label.startswith(f"案件{case_id} 问题核查单 ")
    assert "已立案" in desk.message.value and "xj-ok" in desk.message.value
    assert desk.status.options == TRANSITIONS["立案"]
    assert desk.form_kind.value == "核查单"
    desk.rules.value = ()
    desk.open_case.click()
    assert "未选择问题" in desk.message.value and len(store.list_cases()) == 1


def test_assign_and_status_changes(app_session):
    desk = CaseDesk(app_session)
    case_id = _open_id01(desk)
    desk.assign_unit.value = "清川县第一小学"
    desk.assign.click()
    case = app_session.store.get_case(case_id)
    assert (case["status"], case["unit"]) == ("交办", "清川县第一小学")
    assert case["history"]["新值"].tolist() == ["立案", "清川县第一小学", "交办"]
    assert set(case["history"]["操作人"]) == {app_session.config.user}
    assert desk.status.options == TRANSITIONS["交办"]
    assert " 交办 " in desk.cases.label and "交办" in desk.case_info.value
    desk.status.value = "核查中"
    desk.status_note.value = "学校已核实"
    desk.set_status.click()
    case = app_session.store.get_case(case_id)
    assert case["status"] == "核查中"
    assert case["history"].iloc[-1][["新值", "备注"]].tolist() == ["核查中", "学校已核实"]
    assert desk.status.options == TRANSITIONS["核查中"] and desk.status_note.value == ""


def test_a_new_page_selects_the_newest_case_with_its_form(app_session):
    desk = CaseDesk(app_session)
    desk.kind.value = "复学通知"
    desk.rules.value = ("ST-01",)
    desk.open_case.click()
    first = desk.cases.value
    assert desk.form_kind.value == "复学通知书"
    desk.kind.value = "督办"
    desk.rules.value = ("TR-01",)
    desk.open_case.click()
    assert desk.cases.value == first + 1 and desk.form_kind.value == "督办单"
    page = CaseDesk(app_session)
    assert [v for _, v in page.cases.options] == [first, first + 1]
    assert page.cases.value == first + 1 and page.form_kind.value == "督办单"
    page.cases.value = first
    assert page.form_kind.value == "复学通知书" and "限期复学通知书" in page.case_info.value


def test_a_stale_status_choice_is_refused_in_chinese(app_session):
    first = CaseDesk(app_session)
    case_id = _open_id01(first)
    second = CaseDesk(app_session)  # another page on the same store
    assert second.cases.value == case_id
    second.status.value = "撤销"
    second.set_status.click()
    store = app_session.store
    assert store.get_case(case_id)["status"] == "撤销"
    rows = len(store.get_case(case_id)["history"])
    assert first.status.options == TRANSITIONS["立案"]  # not reloaded yet
    first.status.value = "交办"
    first.set_status.click()
    # the page held version 1: the store refuses the stale write and says who changed the case
    assert f"案件 {case_id} 已被「{APP_USER}」于" in first.message.value
    assert "本次操作未保存" in first.message.value and "xj-error" in first.message.value
    assert store.get_case(case_id)["status"] == "撤销"
    assert len(store.get_case(case_id)["history"]) == rows
    assert first.status.options == () and first.set_status.disabled and first.assign.disabled


def test_drafting_gives_download_links_of_full_forms_and_logs(app_session):
    """A form per child; the page offers the 汇总表, the merged PDF and the .zip of all."""
    organisation.set_part(app_session.store.path.parent, "技术部门", unit="清川县教育局技术科")
    desk = CaseDesk(app_session)
    case_id = _open_id01(desk)
    desk.form_kind.value = "核查单"
    desk.draft.click()
    assert desk.progress.layout.display == "none" and not desk.draft.disabled
    folder = app_session.forms_dir / f"案件{case_id}"
    docx_path = folder / f"核查单汇总表_案件{case_id}.docx"  # the 汇总表 names every child
    links = re.findall(r'<a class="xj-download" download="([^"]+)" href="data:([^;]+);base64,'
                       r'([^"]+)"[^>]*>', desk.downloads.value)
    assert [(n, m) for n, m, _ in links] == [
        (f"核查单汇总表_案件{case_id}.xlsx",
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (docx_path.name, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (f"核查单_案件{case_id}_合并打印.pdf", "application/pdf"),
        (f"核查单_案件{case_id}_全部文书.zip", "application/zip")]
    assert base64.b64decode(links[1][2]) == docx_path.read_bytes()
    assert base64.b64decode(links[3][2]) == (folder / links[3][0]).read_bytes()
    d = docx.Document(str(docx_path))
    text = "\n".join([p.text for p in d.paragraphs]
                     + [c.text for t in d.tables for r in t.rows for c in r.cells])
    xjh = _id01(app_session)["学籍号"]
    assert all(x in text for x in xjh)  # full, unmasked
    log = app_session.store.access_log(case_id)
    assert log[["user", "action"]].values.tolist() == [[app_session.config.user, "起草文书"]]
    assert "已起草" in desk.message.value
    st = app_session.students
    full = set(xjh) | set(st.loc[st["学籍号"].isin(xjh), "身份证件号"].dropna())
    visible = desk.message.value + re.sub(r'href="[^"]*"', "", desk.downloads.value)
    names = [p.name for p in folder.iterdir()]
    assert full and not any(i in visible or any(i in n for n in names) for i in full)
    desk.cases.value = case_id  # same case: links stay
    assert desk.downloads.value


def test_the_card_is_masked_until_revealed_and_revealing_logs(app_session):
    desk = CaseDesk(app_session)
    case_id = _open_id01(desk)
    xjh = list(_id01(app_session)["学籍号"])
    ids = re.findall(r"身份证件号 (\w{15,18})", " ".join(_id01(app_session)["detail"]))
    assert ids
    assert not any(x in desk.case_info.value for x in xjh + ids)
    assert app_session.store.access_log().empty
    desk.reveal.value = True
    assert all(x in desk.case_info.value for x in xjh + ids)
    log = app_session.store.access_log()
    assert log[["user", "action"]].values.tolist() == [[app_session.config.user, "显示完整身份证件号"]]
    assert "案件办理" in log["detail"].iloc[0]
    desk.reveal.value = False
    assert not any(x in desk.case_info.value for x in xjh)
    assert case_id == desk.cases.value


def test_reply_review_and_escalate_from_the_page(app_session):
    import datetime as dt

    from xueji_audit.app import AppConfig, Session

    organisation.set_part(app_session.store.path.parent, "行政部门", unit="清川县教育体育局基础教育股")
    desk = CaseDesk(app_session)
    desk.deadline.value = 1
    case_id = _open_id01(desk)
    assert desk.reply.disabled is False and desk.escalate.disabled  # not overdue yet
    desk.assign_unit.value = "清川县第一小学"
    desk.assign.click()
    first = desk.child.options[0][1]
    assert first not in desk.child.options[0][0]  # the label masks the 学籍号
    desk.child.value = first
    desk.verified.value, desk.handled.value = "证件号录入有误", "已更正"
    desk.evidence.value = ({"name": "户口本.png", "type": "image/png", "size": 7,
                            "content": memoryview(b"\x89PNG..."),
                            "last_modified": dt.datetime(2026, 11, 20, tzinfo=dt.UTC)},)
    desk.reply.click()
    assert "已登记案件" in desk.message.value and "佐证材料 1 份" in desk.message.value
    items = app_session.store.items(case_id).set_index("child")
    assert items.loc[first, ["state", "verified", "evidence"]].tolist() == ["已答复", "证件号录入有误", 1]
    assert "已答复" in desk.items.value and app_session.store.get_case(case_id)["status"] == "核查中"
    desk.give_back.click()  # no reason
    assert "退回答复须写明理由" in desk.message.value
    desk.reason.value = "缺少佐证"
    desk.give_back.click()
    assert app_session.store.items(case_id).set_index("child").loc[first, "state"] == "已退回"

    later = Session.open(AppConfig(app_session.config.workspace, app_session.config.user,
                                   app_session.config.as_of + dt.timedelta(days=14)))
    try:
        late = CaseDesk(later)
        late.cases.value = case_id
        assert not late.escalate.disabled  # overdue now
        late.escalate.click()
        assert "已转为督办" in late.message.value
        assert later.store.get_case(case_id)["status"] == "督办"
        links = re.findall(r'download="([^"]+)"', late.downloads.value)
        assert f"督办单汇总表_案件{case_id}.docx" in links and late.form_kind.value == "督办单"
    finally:
        later.close()
