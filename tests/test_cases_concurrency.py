"""Several processes writing one case store at once, and a writer killed mid-transaction."""
import datetime as dt
import multiprocessing as mp
import os
import signal
import time

import pandas as pd

from xueji_audit.cases.store import CaseStore
from xueji_audit.profile import load_profile

WORKERS, WRITES = 8, 200
D = dt.date(2026, 11, 20)
CTX = mp.get_context("fork")


def _finding(worker: int, i: int) -> pd.DataFrame:
    return pd.DataFrame({"rule_id": ["ID-01"], "rule_name": ["证件号错误"], "severity": ["高"],
                         "学籍号": [f"G{worker:02d}{i:04d}"], "detail": ["校验位错误"]})


def _writer(path: str, worker: int) -> None:
    calendar = load_profile().calendar()
    with CaseStore(path) as store:  # each process its own connection
        for i in range(WRITES):
            store.open_case("核查", f"{worker}-{i}", _finding(worker, i), deadline_workdays=5,
                            user=f"进程{worker}", on=D, calendar=calendar)


def test_eight_processes_writing_at_once_lose_nothing(tmp_path):
    path = str(tmp_path / "cases.sqlite")
    CaseStore(path).close_store()
    procs = [CTX.Process(target=_writer, args=(path, w)) for w in range(WORKERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * WORKERS
    with CaseStore(path) as store:
        c = store.conn
        assert c.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == WORKERS * WRITES
        assert c.execute("SELECT COUNT(*) FROM history").fetchone()[0] == WORKERS * WRITES
        assert c.execute("SELECT COUNT(*) FROM case_findings").fetchone()[0] == WORKERS * WRITES
        per_user = dict(c.execute("SELECT user, COUNT(DISTINCT case_id) FROM history GROUP BY user"))
        assert per_user == {f"进程{w}": WRITES for w in range(WORKERS)}
        titles = {r[0] for r in c.execute("SELECT title FROM cases")}
        assert titles == {f"{w}-{i}" for w in range(WORKERS) for i in range(WRITES)}
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _stalling_writer(path: str, reached) -> None:
    """Open one case fully, then start a second and stall just before its history row."""
    calendar = load_profile().calendar()
    store = CaseStore(path)
    store.open_case("核查", "完整", _finding(0, 0), deadline_workdays=5, user="甲", on=D,
                    calendar=calendar)

    def trace(sql: str) -> None:
        if sql.startswith("INSERT INTO history"):
            reached.set()
            time.sleep(60)

    store.conn.set_trace_callback(trace)
    findings = pd.concat([_finding(1, i) for i in range(50)], ignore_index=True)
    store.open_case("督办", "写到一半", findings, [("G1", "G2")], deadline_workdays=5, user="甲",
                    on=D, calendar=calendar)


def test_writer_killed_mid_transaction_leaves_store_consistent(tmp_path):
    path = str(tmp_path / "cases.sqlite")
    CaseStore(path).close_store()
    reached = CTX.Event()
    child = CTX.Process(target=_stalling_writer, args=(path, reached))
    child.start()
    assert reached.wait(30), "the writer never reached its history insert"
    with CaseStore(path) as peek:  # the half-written case is invisible while it sleeps
        assert peek.conn.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 1
    os.kill(child.pid, signal.SIGKILL)
    child.join(10)
    assert child.exitcode == -signal.SIGKILL
    with CaseStore(path) as store:
        c = store.conn
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert c.execute("PRAGMA foreign_key_check").fetchall() == []
        assert [r[0] for r in c.execute("SELECT title FROM cases")] == ["完整"]
        assert c.execute("SELECT COUNT(*) FROM cases WHERE id NOT IN "
                         "(SELECT case_id FROM history WHERE case_id IS NOT NULL)").fetchone()[0] == 0
        assert c.execute("SELECT COUNT(*) FROM case_findings").fetchone()[0] == 1
        assert c.execute("SELECT COUNT(*) FROM case_pairs").fetchone()[0] == 0
        # the lock died with the writer: the next write goes through
        new = store.open_case("核查", "之后", deadline_workdays=1, user="乙", on=D,
                              calendar=load_profile().calendar())
        assert store.get_case(new)["history"]["新值"].tolist() == ["立案"]
