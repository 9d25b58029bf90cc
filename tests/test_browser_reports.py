"""The HTML reports in a real browser with no network: every report opens from disk, its
interactive tables work, and nothing is requested from outside the machine (an intranet or
offline PC must not stall on a CDN)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect, sync_playwright

from xueji_audit.app.browser import VIEWPORT, launch
from xueji_audit.reports.run import REPORTS

OUTSIDE = re.compile(r"^https?://")


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.mark.parametrize("stem", list(REPORTS))
def test_a_report_opens_offline_with_working_tables(reports_built, browser, stem):
    base, rc = reports_built
    assert rc == 0
    html = base / "out" / f"{stem}_{REPORTS[stem]}.html"
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    outside: list[str] = []
    context.route(OUTSIDE, lambda route: (outside.append(route.request.url), route.abort()))
    page = context.new_page()
    try:
        page.goto(html.as_uri(), wait_until="load", timeout=30_000)
        expect(page.locator("h1").first).to_contain_text(REPORTS[stem])
        expect(page.get_by_text("示范数据").first).to_be_visible()
        # itables turned the tables into DataTables (sortable, a filter box per column; the
        # Chinese search box on tables longer than a page)
        expect(page.locator("table.dataTable").first).to_be_visible(timeout=15_000)
        assert page.locator("table.dataTable tfoot input").count() >= 2
        assert "NaN" not in page.inner_text("body") and "<NA>" not in page.inner_text("body")
        cell = page.locator("table.dataTable td").first
        assert cell.evaluate("e => getComputedStyle(e).textAlign") in ("left", "start")
    finally:
        context.close()
    assert not outside, f"requests leaving the machine: {outside}"
