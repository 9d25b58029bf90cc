"""Shared fixtures: a small demo county and an app session built on it once per test run."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest

from xueji_audit.app import AppConfig, Session
from xueji_audit.app.config import STATE_FILE
from xueji_audit.demo import generate

AS_OF = dt.date(2026, 11, 20)
"""The audit date of the tests' demo counties (the kit itself has no default date)."""
APP_USER = "测试督查员"
APP_STUDENTS = 2000


@pytest.fixture(scope="session")
def app_county(tmp_path_factory):
    """A 2,000-student demo county (files as exported) generated once for the run."""
    folder = tmp_path_factory.mktemp("app-county") / "data"
    generate(folder, students=APP_STUDENTS, seed=3, as_of=AS_OF)
    return folder


@pytest.fixture(scope="session")
def _app_state(tmp_path_factory, app_county):
    workspace = tmp_path_factory.mktemp("app-state")
    Session.build(AppConfig(workspace, APP_USER), app_county).close()
    return workspace / STATE_FILE


@pytest.fixture
def app_session(tmp_path, _app_state):
    """A Session on the demo county in a fresh workspace (its own empty case store)."""
    shutil.copy(_app_state, tmp_path / STATE_FILE)
    session = Session.open(AppConfig(tmp_path, APP_USER))
    assert session is not None
    yield session
    session.close()
