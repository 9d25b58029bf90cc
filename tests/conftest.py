"""Shared fixtures: a small demo county, and a workspace audited from it once per test run."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest

from xueji_audit.app import AppConfig, Session
from xueji_audit.demo import generate
from xueji_audit.demo.organisation import set_demo_organisation
from xueji_audit.workspace import build_workspace

AS_OF = dt.date(2026, 11, 20)
"""The audit date of the tests' demo counties (the kit itself has no default date)."""
APP_USER = "测试督查员"
APP_STUDENTS = 2000
PASSWORD = "示范密码-123"
"""The password of the accounts the served tests create."""


@pytest.fixture(scope="session")
def app_county(tmp_path_factory):
    """A 2,000-student demo county (files as exported) generated once for the run."""
    folder = tmp_path_factory.mktemp("app-county") / "data"
    generate(folder, students=APP_STUDENTS, seed=3, as_of=AS_OF)
    return folder


@pytest.fixture(scope="session")
def _app_workspace(tmp_path_factory, app_county):
    """The county audited into a workspace once (its case store is left out of copies)."""
    workspace = tmp_path_factory.mktemp("app-state") / "ws"
    build_workspace(app_county, workspace, as_of=AS_OF, user=APP_USER).close()
    return workspace


def copy_workspace(built, target):
    """A copy of a built workspace without its case store (a fresh, empty one)."""
    shutil.copytree(built, target, ignore=shutil.ignore_patterns("cases.sqlite*", ".build.lock"))
    return target


@pytest.fixture
def app_session(tmp_path, _app_workspace):
    """A Session on the demo county in a fresh workspace (its own empty case store)."""
    ws = copy_workspace(_app_workspace, tmp_path / "ws")
    session = Session.open(AppConfig(ws, APP_USER, AS_OF))
    assert session is not None
    yield session
    session.close()


@pytest.fixture(scope="session")
def reports_built(tmp_path_factory, _app_workspace):
    """``report all`` once on a copy of the audited county with an open case:
    (folder holding ``ws``, ``out`` and ``xlsx``, exit code)."""
    from xueji_audit.cli import main

    base = tmp_path_factory.mktemp("reports")
    ws = copy_workspace(_app_workspace, base / "ws")
    set_demo_organisation(ws)  # the issuers of the forms report 05 drafts
    assert main(["case", "open", "--workspace", str(ws), "--kind", "核查",
                 "--title", "身份证件号问题", "--rule", "ID-01", "--as-of", AS_OF.isoformat(),
                 "--user", APP_USER]) == 0
    rc = main(["report", "all", "--workspace", str(ws), "--out", str(base / "out"),
               "--as-of", AS_OF.isoformat(), "--user", APP_USER, "-p", "month=2026-10",
               "-p", f"output_dir={base / 'xlsx'}"])
    return base, rc


def login(context, srv, name: str):
    """A new page of the browser ``context`` logged in to the served kit as ``name``."""
    import re

    page = context.new_page()
    page.goto(srv.url + "login")
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/voila/render/"))
    return page
