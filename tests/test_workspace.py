"""The workspace: built once, opened by every reader; nothing that runs code when read; a
tampered, stale or foreign workspace refused with a message that says how to rebuild it."""
from __future__ import annotations

import json
import os
import shutil
import stat

import pandas as pd
import pytest
from conftest import APP_USER, AS_OF, copy_workspace

from xueji_audit import __version__
from xueji_audit.cases.store import CaseStore
from xueji_audit.demo import generate
from xueji_audit.matching.decisions import record_decision
from xueji_audit.workspace import (
    IncompatibleWorkspaceError,
    NoWorkspaceError,
    StaleWorkspaceError,
    TamperedWorkspaceError,
    Workspace,
    WorkspaceError,
    build_workspace,
)
from xueji_audit.workspace.build import build_lock


@pytest.fixture
def ws(tmp_path, _app_workspace):
    return copy_workspace(_app_workspace, tmp_path / "ws")


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """A small demo county: these tests build many workspaces."""
    folder = tmp_path_factory.mktemp("small") / "data"
    generate(folder, students=600, seed=5, as_of=AS_OF)
    return folder


@pytest.fixture
def own_data(tmp_path, county):
    """A private copy of the demo county (the tests change its files)."""
    return shutil.copytree(county, tmp_path / "data")


def test_reopening_gives_back_what_the_build_stored(tmp_path, own_data):
    built = build_workspace(own_data, tmp_path / "ws", as_of=AS_OF, user=APP_USER)
    again = Workspace.open(tmp_path / "ws")
    for key, frame in built.loaded.tables.items():
        pd.testing.assert_frame_equal(again.table(key), frame)
    pd.testing.assert_frame_equal(again.findings, built.findings)
    pd.testing.assert_frame_equal(again.rules_run, built.rules_run)
    pd.testing.assert_frame_equal(again.duplicates.pairs, built.duplicates.pairs)
    assert (again.duplicates.rows == built.duplicates.rows).all()
    pd.testing.assert_frame_equal(again.chains.chain, built.chains.chain)
    assert list(again.chains.persons.items()) == list(built.chains.persons.items())
    assert again.reconcile.roster_schools == built.reconcile.roster_schools
    assert [r.rows_read for r in again.loaded.report] == [r.rows_read for r in built.loaded.report]
    assert again.as_of == AS_OF and again.profile.name == "national-2025"
    assert again.demo and again.data_dir == str(own_data.resolve())
    m = json.loads((tmp_path / "ws" / "manifest.json").read_text("utf-8"))
    assert m["kit_version"] == __version__ and m["as_of"] == AS_OF.isoformat()
    assert set(m["inputs"]) >= {"学生信息/清川县中小学生学籍信息.xlsx", "学籍异动/学籍异动业务.csv"}
    assert all(len(v["sha256"]) == 64 for v in m["inputs"].values())


def test_nothing_in_a_workspace_can_run_code_when_read(ws):
    kinds = {p.suffix for p in ws.rglob("*") if p.is_file()}
    assert kinds <= {".parquet", ".json", ".sqlite", ".lock", ".sqlite-wal", ".sqlite-shm"}
    for p in ws.rglob("*"):
        if p.is_file():
            assert p.read_bytes()[:2] not in (b"\x80\x04", b"\x80\x05")  # no pickle stream


def test_workspace_files_are_private(ws):
    for p in [ws, *ws.rglob("*")]:
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode & 0o077 == 0, f"{p} is {oct(mode)}"


def test_a_tampered_table_is_refused(ws):
    opened = Workspace.open(ws)
    path = ws / opened.manifest.snapshot / "audit" / "findings.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(TamperedWorkspaceError, match="与建立时不一致.*重新督查"):
        Workspace.open(ws).frame("audit/findings")
    (ws / opened.manifest.snapshot / "audit" / "rules_run.parquet").unlink()
    with pytest.raises(TamperedWorkspaceError, match="缺少数据文件"):
        Workspace.open(ws).frame("audit/rules_run")


def test_a_workspace_of_another_version_is_refused(ws):
    path = ws / "manifest.json"
    doc = json.loads(path.read_text("utf-8"))
    path.write_text(json.dumps({**doc, "kit_version": "0.1.9"}), encoding="utf-8")
    with pytest.raises(IncompatibleWorkspaceError, match="0.1.9.*重新督查.*xueji-audit audit"):
        Workspace.open(ws)
    path.write_text(json.dumps({**doc, "format": 99}), encoding="utf-8")
    with pytest.raises(IncompatibleWorkspaceError, match="另一版本"):
        Workspace.open(ws)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(TamperedWorkspaceError, match="已损坏"):
        Workspace.open(ws)
    with pytest.raises(NoWorkspaceError, match="还没有督查数据.*xueji-audit audit"):
        Workspace.open(ws.parent / "empty")


def test_changed_input_files_make_the_workspace_stale(tmp_path, own_data):
    build_workspace(own_data, tmp_path / "ws", as_of=AS_OF, user=APP_USER).close()
    csv = own_data / "学籍异动" / "学籍异动业务.csv"
    os.utime(csv, ns=(0, 0))  # touched but the same bytes: still current
    Workspace.open(tmp_path / "ws").close()
    csv.write_bytes(csv.read_bytes() + b"\n")
    (own_data / "补充名单.csv").write_text("学籍号,姓名\n", encoding="utf-8")
    with pytest.raises(StaleWorkspaceError, match="新增 补充名单.csv；修改 学籍异动/学籍异动业务.csv"):
        Workspace.open(tmp_path / "ws")
    Workspace.open(tmp_path / "ws", check_inputs=False).close()  # the case desk may still look
    shutil.rmtree(own_data)  # a data folder taken away: the workspace holds the data itself
    assert len(Workspace.open(tmp_path / "ws").students)


def test_a_changed_profile_makes_the_workspace_stale(tmp_path, county):
    profile = tmp_path / "县配置.toml"
    profile.write_text('name = "县"\nextends = "national-2025"\n', encoding="utf-8")
    build_workspace(county, tmp_path / "ws", as_of=AS_OF, user=APP_USER,
                    profile=profile).close()
    assert Workspace.open(tmp_path / "ws").profile.name == "县"
    profile.write_text('name = "县"\nextends = "national-2025"\n[params.TR-02]\ndays = 60\n',
                       encoding="utf-8")
    with pytest.raises(StaleWorkspaceError, match="规则配置.*已修改"):
        Workspace.open(tmp_path / "ws")


def test_rebuilding_keeps_the_case_store_and_two_snapshots(tmp_path, county):
    ws = tmp_path / "ws"
    first = build_workspace(county, ws, as_of=AS_OF, user=APP_USER)
    first.store.open_case("核查", "甲", first.findings.head(3), deadline_workdays=5,
                          user=APP_USER, on=AS_OF)
    first.close()
    for _ in range(2):
        build_workspace(county, ws, as_of=AS_OF, user=APP_USER).close()
    opened = Workspace.open(ws)
    assert opened.manifest.build == 3
    assert sorted(p.name for p in (ws / "snapshots").iterdir()) == ["build-0002", "build-0003"]
    assert len(opened.store.list_cases()) == 1


def test_one_build_at_a_time(ws, app_county):
    with build_lock(ws), pytest.raises(WorkspaceError, match="正在被另一个程序重新督查"):
        build_workspace(app_county, ws, as_of=AS_OF, user=APP_USER)


def test_a_decision_file_is_imported_once_and_the_store_wins(tmp_path, county):
    ws = tmp_path / "ws"
    pairs = build_workspace(county, ws, as_of=AS_OF, user=APP_USER).duplicates.pairs
    two = pairs[pairs["学籍号_a"] != pairs["学籍号_b"]].head(2)
    (a, b), (c, d) = two[["学籍号_a", "学籍号_b"]].itertuples(index=False, name=None)
    with CaseStore(ws / "cases.sqlite") as store:
        store.decide_pair(a, b, True, user="甲", on=AS_OF)  # the store already says: the same
    file = tmp_path / "认定.csv"
    record_decision(file, a, b, accept=False, inspector="乙")  # the file disagrees
    record_decision(file, c, d, accept=False, inspector="乙")
    built = build_workspace(county, ws, as_of=AS_OF, user=APP_USER, decisions=file)
    decided = built.decisions.set_index(["学籍号_a", "学籍号_b"])["决定"]
    assert decided[tuple(sorted((a, b)))] == "接受" and decided[tuple(sorted((c, d)))] == "排除"
    assert built.manifest.decisions["imported"] == 1
    again = build_workspace(county, ws, as_of=AS_OF, user=APP_USER, decisions=file)
    assert again.manifest.decisions["imported"] == 0  # nothing imported twice


def test_a_folder_without_the_demo_marker_is_not_demo_data(tmp_path, own_data):
    (own_data / "示范数据说明.txt").unlink()
    built = build_workspace(own_data, tmp_path / "ws", as_of=AS_OF, user=APP_USER)
    assert not built.demo and built.banner == ""
