"""Optimistic concurrency: every change of a case raises its version, and a change made against an
old version is refused with a Chinese message naming who changed the case and when."""
import datetime as dt
import re
import sqlite3

import pandas as pd
import pytest

from xueji_audit.cases import StaleCaseError, db
from xueji_audit.cases.store import CaseStore
from xueji_audit.profile import load_profile

D = dt.date(2026, 11, 20)
CAL = load_profile().calendar()
F = pd.DataFrame({"rule_id": ["ID-01"], "rule_name": ["证件号错误"], "severity": ["高"],
                  "学籍号": ["G110101201001010011"], "detail": ["校验位错误"]})


@pytest.fixture
def two(tmp_path):
    """Two stores (two real SQLite connections) on one file, as two pages or processes have."""
    path = tmp_path / "cases.sqlite"
    with CaseStore(path) as a, CaseStore(path) as b:
        yield a, b


def test_every_change_raises_the_version_seen_by_another_connection(two):
    a, b = two
    cid = a.open_case("核查", "证件号", F, deadline_workdays=5, user="甲", on=D, calendar=CAL)
    assert a.version(cid) == b.version(cid) == 1 == b.get_case(cid)["version"]
    b.assign(cid, "第一小学", user="乙", on=D)  # unit and 立案 → 交办: two history rows
    assert a.version(cid) == 3
    a.set_note(cid, "请核实", user="甲", on=D, expected_version=3)
    assert b.version(cid) == 4
    assert list(b.list_cases()["version"]) == [4]
    a.attach_findings(F.iloc[0:0], D, "甲")  # the finding no longer fires: 已整改 is a change
    assert b.version(cid) == 5


def test_stale_write_is_refused_naming_who_and_when_and_writes_nothing(two):
    a, b = two
    cid = a.open_case("核查", "证件号", F, deadline_workdays=5, user="甲", on=D, calendar=CAL)
    seen = a.version(cid)
    b.assign(cid, "第一小学", user="督查员乙", on=D, expected_version=seen)
    for call in (lambda: a.set_status(cid, "撤销", user="甲", on=D, expected_version=seen),
                 lambda: a.assign(cid, "第二小学", user="甲", on=D, expected_version=seen),
                 lambda: a.set_note(cid, "x", user="甲", on=D, expected_version=seen),
                 lambda: a.close(cid, user="甲", on=D, expected_version=seen)):
        with pytest.raises(StaleCaseError) as err:
            call()
        e = err.value
        assert (e.case_id, e.expected, e.current, e.changed_by) == (cid, 1, 3, "督查员乙")
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", e.changed_at)
        assert str(e) == (f"案件 {cid} 已被「督查员乙」于 {e.changed_at} 修改（您看到的是第 1 版，"
                          "现为第 3 版），本次操作未保存。请刷新案件后再操作。")
    case = b.get_case(cid)
    assert (case["status"], case["unit"], case["note"], case["version"]) == ("交办", "第一小学", "", 3)
    assert len(case["history"]) == 3
    a.set_status(cid, "核查中", user="甲", on=D, expected_version=a.version(cid))  # after refresh
    assert b.get_case(cid)["status"] == "核查中"


def test_database_keeps_the_version_moving_forward(two):
    a, _ = two
    cid = a.open_case("核查", "证件号", F, deadline_workdays=5, user="甲", on=D, calendar=CAL)
    for v in (0, 1, 5):
        with pytest.raises(sqlite3.IntegrityError, match="案件版本只能逐次递增"):
            a.conn.execute("UPDATE cases SET version = ? WHERE id = ?", (v, cid))
    assert a.version(cid) == 1


def test_version_3_file_gets_versions_counted_from_its_history(tmp_path):
    path = tmp_path / "cases.sqlite"
    conn = db.connect(path)
    db.migrate(conn, target=3)
    conn.execute("INSERT INTO cases (kind, opened_by, opened_on, deadline_workdays, deadline) "
                 "VALUES ('核查', '甲', '2026-11-20', 5, '2026-11-27')")
    for new in ("立案", "交办"):
        conn.execute("INSERT INTO history (case_id, entity, entity_key, field, new, user, at, "
                     f"recorded_at) VALUES (1, 'case', '1', 'status', ?, '甲', '2026-11-20', "
                     f"{db.NOW})", (new,))
    conn.close()
    with CaseStore(path) as store:
        assert db.version(store.conn) == db.SCHEMA_VERSION
        assert store.version(1) == 2
