"""The 案件办理 page in headless Chromium (same harness as test_browser_apps): open a case from
findings, 交办 an overdue case, record the unit's reply, escalate it to 督办 and download the
督办单 汇总表 — nothing on the page shows a full 学籍号."""
from __future__ import annotations

import datetime as dt
import re

import docx
import pytest
from conftest import APP_USER, AS_OF, PASSWORD, copy_workspace, login
from playwright.sync_api import expect, sync_playwright

from xueji_audit.app import AppConfig
from xueji_audit.app.browser import VIEWPORT, launch
from xueji_audit.app.serve import Running
from xueji_audit.cases import CaseStore
from xueji_audit.demo.organisation import set_demo_organisation
from xueji_audit.server.users import UserStore
from xueji_audit.workspace import Workspace

PAGE_TIMEOUT = 60_000


@pytest.fixture(scope="module")
def served(tmp_path_factory, _app_workspace):
    """The demo county served, with its organisation set and one case opened 30 days ago on
    two children of one rule (overdue at the audit date)."""
    workspace = copy_workspace(_app_workspace, tmp_path_factory.mktemp("cases-served") / "ws")
    config = AppConfig(workspace, APP_USER, AS_OF)
    set_demo_organisation(workspace)
    UserStore(workspace).add(APP_USER, "督查员", PASSWORD)
    with Workspace.open(workspace) as ws:
        f = ws.findings[ws.findings["学籍号"].notna() & (ws.findings["rule_id"] != "ID-01")]
        rule = f["rule_id"].value_counts().index[0]
        chosen = f[f["rule_id"] == rule].drop_duplicates("学籍号").head(2)
        with CaseStore(workspace / "cases.sqlite") as s:
            old = s.open_case("核查", "早先立案的核查", chosen, deadline_workdays=5, user=APP_USER,
                              on=AS_OF - dt.timedelta(days=30), calendar=ws.profile.calendar())
    with Running(workspace, AS_OF) as srv:
        yield srv, config, old, chosen


@pytest.fixture
def page(served):
    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="zh-CN")
        context.set_default_timeout(PAGE_TIMEOUT)
        yield login(context, served[0], APP_USER)
        context.close()
        browser.close()


def test_open_assign_reply_escalate_and_download_the_supervision_form(served, page, tmp_path):
    srv, config, old, chosen = served
    page.goto(srv.page_url("cases"))
    rules = page.locator("select[multiple]").first
    rule = rules.locator("option", has_text=re.compile("^ID-01")).first
    rule.wait_for(state="attached")  # the page has rendered its widgets
    rules.select_option(label=rule.inner_text())
    page.get_by_role("button", name="立案").click()
    expect(page.get_by_text(re.compile("已立案：案件"))).to_be_visible()

    cases = page.locator("select").filter(has=page.locator("option", has_text=re.compile(rf"^案件{old}\s")))
    case = cases.locator("option", has_text=re.compile(rf"^案件{old}\s")).first
    case.wait_for(state="attached")
    cases.select_option(label=case.inner_text())
    page.get_by_placeholder("交办给：学校或乡镇全称").fill("清川县第一小学")
    page.get_by_role("button", name="交办").click()
    expect(page.get_by_text(re.compile(f"案件 {old} 已交办给"))).to_be_visible()

    page.get_by_placeholder("由承办单位填写").fill("经核实，学籍信息录入有误")
    page.get_by_role("button", name="登记答复").click()
    expect(page.get_by_text(re.compile(f"已登记案件 {old} 的答复"))).to_be_visible()

    page.get_by_role("button", name="逾期督办").click()
    link = page.locator("a.xj-download", has_text=f"督办单汇总表_案件{old}.docx")
    expect(link).to_be_visible(timeout=120_000)
    shown = page.locator("body").inner_text()
    assert not any(x in shown for x in chosen["学籍号"])  # masked on the page
    with page.expect_download() as info:
        link.click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    text = "\n".join(c.text for t in docx.Document(saved).tables for r in t.rows for c in r.cells)
    # the first child answered but was not accepted: both are still open and listed in full
    assert all(x in text for x in chosen["学籍号"])
    with CaseStore(config.workspace / "cases.sqlite") as s:
        assert s.get_case(old)["status"] == "督办"
