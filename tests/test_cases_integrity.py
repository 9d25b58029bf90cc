"""The case store's rules held by the store and the database: allowed status changes only, 交办
only with a unit, append-only tables, and a read-only folder or a full disk as one Chinese
message (read-only commands keep working in a read-only workspace)."""
import datetime as dt
import shlex
import sqlite3
import subprocess
import sys

import pandas as pd
import pytest

from xueji_audit.cases import db
from xueji_audit.cases.store import CaseStore
from xueji_audit.errors import OutputError, XuejiError
from xueji_audit.profile import load_profile

D = dt.date(2026, 11, 20)
CAL = load_profile().calendar()
F = pd.DataFrame({"rule_id": ["ID-01", "ID-01"], "rule_name": ["证件号错误"] * 2, "severity": ["高"] * 2,
                  "学籍号": ["G110101201001010011", "G110101201001010022"], "姓名": ["张小明", "李小红"],
                  "detail": ["校验位错误"] * 2})


@pytest.fixture
def store(tmp_path):
    with CaseStore(tmp_path / "cases.sqlite") as s:
        yield s


def _history_first(c, cid, field, new):
    c.execute("INSERT INTO history (case_id, entity, entity_key, field, new, user, at, recorded_at)"
              f" VALUES (?, 'case', ?, ?, ?, 'u', '2026-11-21', {db.NOW})", (cid, str(cid), field, new))


def test_assigning_needs_a_unit_in_the_store_and_in_the_database(store):
    cid = store.open_case("核查", "t", F, deadline_workdays=5, user="u", on=D, calendar=CAL)
    with pytest.raises(XuejiError, match=f"案件 {cid} 还没有承办单位，不能改为「交办」"):
        store.set_status(cid, "交办", user="u", on=D)
    _history_first(store.conn, cid, "status", "交办")
    with pytest.raises(sqlite3.IntegrityError, match="交办须指定承办单位"):
        store.conn.execute("UPDATE cases SET status = '交办' WHERE id = ?", (cid,))
    store.assign(cid, "第一小学", user="u", on=D)
    assert store.get_case(cid)["status"] == "交办"


@pytest.mark.parametrize("path, bad", [([], "办结"), ([], "督办"), (["交办", "核查中", "督办"], "核查中"),
                                       (["交办", "核查中", "办结"], "撤销")])
def test_the_database_refuses_a_move_outside_the_chain_even_with_history(store, path, bad):
    cid = store.open_case("核查", "t", unit="第一小学", deadline_workdays=5, user="u", on=D,
                          calendar=CAL)
    for s in path:
        store.set_status(cid, s, user="u", on=D)
    _history_first(store.conn, cid, "status", bad)
    with pytest.raises(sqlite3.IntegrityError, match="不允许的案件状态变更"):
        store.conn.execute("UPDATE cases SET status = ? WHERE id = ?", (bad, cid))


def test_the_chain_itself_is_allowed(store):
    cid = store.open_case("核查", "t", unit="第一小学", deadline_workdays=5, user="u", on=D,
                          calendar=CAL)
    for s in ("交办", "核查中", "督办", "办结"):
        store.set_status(cid, s, user="u", on=D)
    assert store.get_case(cid)["history"]["新值"].tolist() == ["立案", "交办", "核查中", "督办", "办结"]


def test_tables_are_append_only_in_the_database(store):
    cid = store.open_case("核查", "t", F, [("G1", "G2")], deadline_workdays=5, user="u", on=D,
                          calendar=CAL)
    store.decide_pair("G1", "G2", True, user="甲", on=D, note="同一人")
    store.decide_pair("G1", "G2", False, user="乙", on=D, note="双胞胎")  # an update, logged
    store.log_access("起草文书", cid, "甲", dt.datetime(2026, 11, 20, 9))
    c = store.conn
    for sql, message in [
        ("UPDATE access_log SET user = '别人'", "访问日志不可修改"),
        ("DELETE FROM access_log", "不可删除"),
        ("UPDATE pair_decisions SET accept = 1", "未写变更历史的认定"),
        ("UPDATE pair_decisions SET note = '改了'", "未写变更历史的认定"),
        ("DELETE FROM pair_decisions", "重复对认定不可删除"),
        ("INSERT INTO pair_decisions VALUES ('G3', 'G4', 1, 'x', '2026-11-20', '')",
         "未写变更历史的认定"),
        (f"UPDATE cases SET title = '别的标题' WHERE id = {cid}", "未写变更历史"),
        ("UPDATE case_findings SET name = '别人'", "问题内容不可修改"),
        ("UPDATE case_findings SET detail = ''", "问题内容不可修改"),
        ("UPDATE case_findings SET state_on = '2026-11-21'", "未写变更历史"),
        (f"INSERT INTO case_findings (case_id, rule_id, xjh) VALUES ({cid}, 'ID-02', 'G9')",
         "追加问题"),
        (f"INSERT INTO case_pairs VALUES ({cid}, 'G5', 'G6')", "追加疑似重复对"),
        (f"UPDATE case_pairs SET xjh_b = 'G3' WHERE case_id = {cid}", "疑似重复对不可修改"),
    ]:
        with pytest.raises(sqlite3.IntegrityError, match=message):
            c.execute(sql)
    decided = store.decisions_frame()
    assert decided[["决定", "核查人", "备注"]].values.tolist() == [["排除", "乙", "双胞胎"]]
    case = store.get_case(cid)
    assert case["title"] == "t" and case["findings"]["姓名"].tolist() == ["张小明", "李小红"]
    _history_first(c, cid, "title", "新标题")  # with its history row the title may change
    c.execute(f"UPDATE cases SET title = '新标题' WHERE id = {cid}")
    assert store.get_case(cid)["title"] == "新标题"


def test_a_full_disk_is_one_chinese_message_and_the_store_stays_whole(store):
    cid = store.open_case("核查", "t", F, deadline_workdays=5, user="u", on=D, calendar=CAL)
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own SQLITE_FULL path
    many = pd.DataFrame({"rule_id": "ID-01", "学籍号": [f"G{i:017d}" for i in range(5000)],
                         "detail": "校验位错误" * 20})
    with pytest.raises(OutputError, match="磁盘空间不足，案件库「.*cases.sqlite」的本次写入未完成"):
        store.open_case("核查", "大案", many, deadline_workdays=5, user="u", on=D, calendar=CAL)
    assert store.list_cases()["id"].tolist() == [cid]
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _in_read_only_folder(ws, *argv) -> subprocess.CompletedProcess:
    """Run the CLI with ``ws`` bind-mounted read-only (a private mount namespace): every write
    into it fails with EROFS, for root too."""
    cli = shlex.join([sys.executable, "-c", "import sys; from xueji_audit import cli; "
                      "sys.exit(cli.main(sys.argv[1:]))", *argv])
    script = f"mount --bind -o ro {shlex.quote(str(ws))} {shlex.quote(str(ws))} && {cli}"
    return subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True,
                          text=True, timeout=120)


def test_read_only_workspace_reads_cases_and_refuses_writes_in_chinese(tmp_path):
    ws = tmp_path / "工作区"
    ws.mkdir()
    with CaseStore(ws / "cases.sqlite") as s:
        cid = s.open_case("核查", "证件号问题", F, unit="第一小学", deadline_workdays=5, user="u",
                          on=D, calendar=CAL)
        s.log_access("起草文书", cid, "甲", dt.datetime(2026, 11, 20, 9), "问题核查单")
    w = ["--workspace", str(ws)]
    for argv, expect in ((["case", "list", *w, "--as-of", "2026-11-20"], "证件号问题"),
                         (["case", "log", *w], "问题核查单"),
                         (["case", "show", str(cid), *w], "张小明")):
        run = _in_read_only_folder(ws, *argv)
        assert (run.returncode, run.stderr) == (0, "") and expect in run.stdout, run
    run = _in_read_only_folder(ws, "case", "assign", str(cid), "--unit", "第二小学", *w,
                               "--as-of", "2026-11-21", "--user", "u")
    assert run.returncode == 2 and "Traceback" not in run.stderr + run.stdout
    assert "只读" in run.stderr + run.stdout, run
    assert sorted(p.name for p in ws.iterdir()) == ["cases.sqlite"]
