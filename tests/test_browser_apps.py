"""The Voila apps in a real browser: Debian's Chromium driven by Playwright (headless).

One server (``xueji-audit serve``'s Voila set-up) on the demo county for the module; each test
drives one app as a county clerk would. Screenshots of every app page are saved under
``test-artifacts/screenshots`` (1366×768).
"""
from __future__ import annotations

import http.client
import os
import re
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import docx
import pytest
from conftest import APP_USER, AS_OF, PASSWORD, login
from playwright.sync_api import expect, sync_playwright

from xueji_audit.app import AppConfig, Session
from xueji_audit.app import casedesk as cd
from xueji_audit.app import pairs as ap
from xueji_audit.app.browser import VIEWPORT, launch
from xueji_audit.app.display import APPS
from xueji_audit.app.serve import Running
from xueji_audit.cases import organisation
from xueji_audit.server.users import UserStore

ARTIFACTS = Path(os.environ.get("XUEJI_ARTIFACTS",
                                Path(__file__).resolve().parents[1] / "test-artifacts"))
SHOTS = ARTIFACTS / "screenshots"
OUTSIDE = re.compile(r"^https?://(?!127\.0\.0\.1[:/])")
PAGE_TIMEOUT = 60_000  # ms: a page is a kernel start plus the notebook run


@pytest.fixture(scope="module")
def served(tmp_path_factory, app_county):
    workspace = tmp_path_factory.mktemp("served")
    config = AppConfig(workspace, APP_USER, AS_OF)
    expected = Session.build(config, app_county)
    expected.close()
    school = str(expected.findings["学校标识码"].value_counts().index[0])
    users = UserStore(workspace)
    users.add(APP_USER, "督查员", PASSWORD)
    users.add("李老师", "学校", PASSWORD, school)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with Running(workspace, AS_OF) as srv:
        yield srv, config, expected


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


def _context(browser, outside: list[str]):
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="zh-CN")
    context.set_default_timeout(PAGE_TIMEOUT)
    # an office network may drop them: a page must not need any
    context.route(OUTSIDE, lambda route: (outside.append(route.request.url), route.abort()))
    return context


@pytest.fixture
def page(browser, served):
    outside: list[str] = []
    context = _context(browser, outside)
    pg = login(context, served[0], APP_USER)
    yield pg
    context.close()
    assert not outside, f"requests leaving the machine: {outside}"


def _fits_the_width(page) -> None:
    """A wide table scrolls inside its own box: no part of the page needs a sideways scroll."""
    right = page.evaluate("Math.max(...Array.from(document.querySelectorAll("
                          "'.xj-app .widget-html-content')).map(e => e.getBoundingClientRect().right))")
    assert right <= VIEWPORT["width"]


def _status(url: str) -> tuple[int, str]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=PAGE_TIMEOUT / 1000)
    conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
    resp = conn.getresponse()
    body = resp.read().decode("utf-8", "replace")
    conn.close()
    return resp.status, resp.getheader("Location") or body


def test_without_login_a_page_shows_the_chinese_login(served, browser):
    srv, _, _ = served
    for path in ["", "voila/tree"] + [f"voila/render/{stem}.ipynb" for stem in APPS]:
        status, where = _status(srv.url + path)
        assert status == 302 and where.startswith("/login"), (path, status)
    context = _context(browser, [])
    pg = context.new_page()
    pg.goto(srv.page_url("findings"))
    expect(pg).to_have_title("登录 · 学籍专项督查")
    pg.fill("#username", APP_USER)
    pg.fill("#password", "wrong-password")
    pg.get_by_role("button", name="登录").click()
    expect(pg.get_by_text("账号或密码不正确")).to_be_visible()
    context.close()


def test_upload_the_demo_files_and_see_the_findings_count(served, page, app_county):
    srv, _, expected = served
    files = [str(p) for p in sorted(app_county.rglob("*"))
             if p.is_file() and "truth" not in p.parts]
    page.goto(srv.page_url("loader"))
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name=re.compile("选择导出文件")).click()
    chooser.value.set_files(files)
    expect(page.get_by_role("button", name=re.compile(rf"选择导出文件 \({len(files)}\)"))
           ).to_be_visible()
    page.get_by_role("button", name="上传并督查").click()
    # the page may already show the same county's saved count: wait for this load to finish
    expect(page.get_by_text("导入完成")).to_be_visible(timeout=120_000)
    count = page.locator("span.xj-findings-count")
    expect(count).to_have_text(str(len(expected.findings)))
    page.screenshot(path=SHOTS / "loader.png", full_page=False)
    _fits_the_width(page)


def test_findings_page_lists_and_filters(served, page):
    srv, _, expected = served
    page.goto(srv.page_url("findings"))
    expect(page).to_have_title("问题学籍 · 学籍专项督查")
    expect(page.get_by_text(f"共 {len(expected.findings)} 条")).to_be_visible()
    page.screenshot(path=SHOTS / "findings.png")
    _fits_the_width(page)
    rule = expected.findings["rule_id"].value_counts().index[0]
    n = int((expected.findings["rule_id"] == rule).sum())
    select = page.locator("select").first
    label = next(o for o in select.locator("option").all_inner_texts() if o.startswith(rule))
    select.select_option(label=label)
    expect(page.get_by_text(f"共 {n} 条")).to_be_visible()


def _decisions(config: AppConfig) -> list[tuple]:
    with sqlite3.connect(config.workspace / "cases.sqlite") as conn:
        return conn.execute("SELECT xjh_a, xjh_b, accept, decided_by FROM pair_decisions"
                            ).fetchall()


def test_review_a_pair_and_the_decision_persists_after_reload(served, page):
    srv, config, expected = served
    page.goto(srv.page_url("pairs"))
    accept = page.get_by_role("button", name="确认重复")
    expect(accept).to_be_visible()
    page.screenshot(path=SHOTS / "pairs.png")
    _fits_the_width(page)
    total = len(ap.pair_queue(expected, "全部", "全部"))
    expect(page.get_by_text(f"第 1 / {total} 对")).to_be_visible()
    accept.click()
    expect(page.get_by_text(f"第 1 / {total - 1} 对")).to_be_visible()
    decided = _decisions(config)
    assert len(decided) == 1 and decided[0][2] == 1 and decided[0][3] == APP_USER
    page.reload()
    expect(page.get_by_text(f"第 1 / {total - 1} 对")).to_be_visible()
    page.locator("select").nth(1).select_option(label="已认定")
    expect(page.get_by_text("第 1 / 1 对")).to_be_visible()
    expect(page.get_by_text("已认定：确认重复")).to_be_visible()


def test_chain_page_shows_a_childs_path(served, page):
    srv, _, expected = served
    page.goto(srv.page_url("chains"))
    expect(page.get_by_role("button", name="查找")).to_be_visible()
    ch = expected.findings[expected.findings["rule_id"].str.startswith("CH-")]
    problems = page.locator("select").first
    options = problems.locator("option").all_inner_texts()
    assert len(options) > 1 and options[0] == "（请选择）"
    problems.select_option(index=1)
    card = page.get_by_text(re.compile(r"⚠\s*CH-0\d")).first
    expect(card).to_be_visible()
    shown = re.search(r"CH-0\d", card.inner_text()).group(0)
    assert shown in set(ch["rule_id"])
    page.screenshot(path=SHOTS / "chains.png")
    card.scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "chains-timeline.png")
    _fits_the_width(page)


def test_open_a_case_and_download_its_form(served, page, tmp_path):
    srv, config, expected = served
    organisation.set_part(config.workspace, "技术部门", unit="清川县教育体育局技术中心")
    page.goto(srv.page_url("cases"))
    open_button = page.get_by_role("button", name="立案")
    expect(open_button).to_be_visible()
    ids = expected.findings[expected.findings["rule_id"] == "ID-01"]
    page.locator("select[multiple]").first.select_option(
        label=next(o for o in page.locator("select[multiple]").first.locator("option")
                   .all_inner_texts() if o.startswith("ID-01")))
    open_button.click()
    page.get_by_role("button", name="起草文书").click()
    link = page.locator("a.xj-download", has_text=".docx").first
    expect(link).to_be_visible(timeout=120_000)
    link.scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "cases.png")
    _fits_the_width(page)
    with page.expect_download() as info:
        link.click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.name.startswith("核查单") and saved.suffix == ".docx"
    text = "\n".join(p.text for p in docx.Document(saved).paragraphs)
    text += "\n".join(c.text for t in docx.Document(saved).tables for r in t.rows for c in r.cells)
    assert any(x in text for x in ids["学籍号"].dropna())
    with sqlite3.connect(config.workspace / "cases.sqlite") as conn:
        assert conn.execute("SELECT COUNT(*) FROM case_findings").fetchone()[0] == len(ids)
        actions = [r[0] for r in conn.execute("SELECT action FROM access_log")]
    assert "起草文书" in actions


def test_a_clerk_and_an_inspector_at_once(served, browser):
    """Issue 14's two people: the 学校 clerk sees only their school's findings and cases and
    is refused the county's pages; the inspector sees all; both change one case at the same
    time and neither update is lost (the later, stale one is refused naming who changed the
    case, and goes through once the page shows the change)."""
    srv, config, expected = served
    school = UserStore(config.workspace).get("李老师").school
    inspector_session = Session.open(config)
    f = expected.findings
    mine = f[f["学校标识码"] == school]
    case_id = cd.open_case(inspector_session, "核查", sorted(set(mine["rule_id"])), school,
                           title="本校问题")
    cd.assign(inspector_session, case_id, "某校")
    inspector_session.close()
    outside: list[str] = []
    ci, cc = _context(browser, outside), _context(browser, outside)
    inspector, clerk = login(ci, srv, APP_USER), login(cc, srv, "李老师")
    expect(clerk.get_by_text(f"共 {len(mine)} 条")).to_be_visible()  # its home page
    inspector.goto(srv.page_url("findings"))
    expect(inspector.get_by_text(f"共 {len(f)} 条")).to_be_visible()
    assert _status_with(cc, srv.page_url("loader")) == 403
    # both open the case page on the same case
    inspector.goto(srv.page_url("cases"))
    clerk.goto(srv.page_url("cases"))
    for pg in (inspector, clerk):
        expect(pg.get_by_role("button", name="变更状态")).to_be_visible()
    clerk_cases = clerk.locator("select").filter(has_text="本校问题").first
    options = clerk_cases.locator("option").all_inner_texts()
    assert len(options) == 1 and "本校问题" in options[0]
    # the clerk answers first; the inspector's page still shows the case as it was
    _choose_status(clerk, "核查中")
    expect(clerk.get_by_text("状态已变更为「核查中」")).to_be_visible()
    inspector.locator("select").filter(has_text="本校问题").first.select_option(
        label=next(o for o in inspector.locator("select").filter(has_text="本校问题").first
                   .locator("option").all_inner_texts() if "本校问题" in o))
    _choose_status(inspector, "督办")
    expect(inspector.get_by_text(re.compile("已被「李老师」于.*本次操作未保存"))).to_be_visible()
    _choose_status(inspector, "督办")  # the page now shows the clerk's change
    expect(inspector.get_by_text("状态已变更为「督办」")).to_be_visible()
    inspector.screenshot(path=SHOTS / "cases-two-people.png")
    ci.close()
    cc.close()
    assert not outside
    with sqlite3.connect(config.workspace / "cases.sqlite") as conn:
        moves = conn.execute("SELECT user, old, new FROM history WHERE case_id = ? AND "
                             "field = 'status' ORDER BY id", (case_id,)).fetchall()
    assert ("李老师", "交办", "核查中") in moves and (APP_USER, "核查中", "督办") in moves


def _choose_status(pg, status: str) -> None:
    exact = pg.locator("option", has_text=re.compile(f"^{status}$"))
    pg.locator("select").filter(has=exact).filter(has_not_text="本校问题").last.select_option(
        label=status)
    pg.get_by_role("button", name="变更状态").click()


def _status_with(context, url: str) -> int:
    return context.request.get(url, max_redirects=0).status
