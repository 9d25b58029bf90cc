"""The case store: opening cases, deadlines, status transitions, history, decisions, access log,
attaching audit runs and upgrading a version-1 file."""
import datetime as dt
import sqlite3

import pandas as pd
import pytest

from xueji_audit.cases import db
from xueji_audit.cases.store import ACTION_DRAFT, ACTION_SHOW_ID, CaseStore
from xueji_audit.errors import XuejiError
from xueji_audit.profile import load_profile

D = dt.date(2026, 11, 20)  # a Friday
CAL = load_profile().calendar()


def _findings(rows):
    cols = ["rule_id", "rule_name", "severity", "学籍号", "姓名", "学校标识码", "业务编号", "班级",
            "detail", "basis", "due_date"]
    return pd.DataFrame([dict(zip(cols, r, strict=True)) for r in rows])


F = _findings([
    ("ID-01", "证件号错误", "高", "G110101201001010011", "张小明", "2111000001", None, "三年级(1)班",
     "校验位错误", "办法2013 第五条", pd.Timestamp("2026-12-01")),
    ("TR-01", "转学超期", "中", "G110101201001010022", "李小红", "2111000001", "ZX001", None,
     "超期 3 天", "办法2013 第十二条", pd.NaT),
    ("XJ-02", "学籍缺失", "低", None, "王小刚", "2111000002", None, "一年级(2)班", "无学籍号", "",
     pd.NaT),
])


@pytest.fixture
def store(tmp_path):
    with CaseStore(tmp_path / "cases.sqlite") as s:
        yield s


def _history(store):
    return [tuple(r) for r in store.conn.execute(
        "SELECT case_id, entity, field, old, new, user, at FROM history "
                              "ORDER BY id").fetchall()]


def test_open_case_round_trip_and_deadline_in_working_days(store):
    cid = store.open_case("核查", "证件号与转学问题", F, [("B2", "A1")], unit="", deadline_workdays=10,
                          user="督查员甲", on=D, calendar=CAL, note="请核实")
    case = store.get_case(cid)
    assert case["kind_name"] == "问题核查单" and case["status"] == "立案"
    assert case["opened_on"] == D and case["opened_by"] == "督查员甲"
    # 10 working days after Fri 2026-11-20: Nov 23–27 and Nov 30–Dec 4 (no holidays)
    assert case["deadline"] == dt.date(2026, 12, 4) and case["deadline_workdays"] == 10
    f = case["findings"]
    assert list(f["学籍号"].fillna("-")) == ["G110101201001010011", "G110101201001010022", "-"]
    assert f["业务编号"].isna().tolist() == [True, False, True]
    assert f.loc[0, "due_date"] == pd.Timestamp("2026-12-01") and pd.isna(f.loc[1, "due_date"])
    assert set(f["整改状态"]) == {"未整改"}
    assert case["pairs"][["学籍号_a", "学籍号_b", "决定"]].values.tolist() == [["A1", "B2", ""]]
    assert _history(store) == [(cid, "case", "status", None, "立案", "督查员甲", "2026-11-20")]


def test_deadline_skips_national_day_and_counts_makeup_saturday(store):
    # 2026-10-01..07 are holidays, Sat 2026-10-10 is a make-up workday
    cid = store.open_case("督办", "t", deadline_workdays=3, user="u", on=dt.date(2026, 9, 30),
                          calendar=CAL)
    assert store.get_case(cid)["deadline"] == dt.date(2026, 10, 10)


def test_duplicate_finding_identity_is_stored_once(store):
    twice = pd.concat([F.iloc[:1], F.iloc[:1].assign(detail="另一种说法")], ignore_index=True)
    cid = store.open_case("核查", "t", twice, deadline_workdays=5, user="u", on=D, calendar=CAL)
    assert len(store.get_case(cid)["findings"]) == 1


@pytest.mark.parametrize("kwargs, message", [
    ({"kind": "其他"}, "案件类型"), ({"user": " "}, "操作人"), ({"on": "2026-11-20"}, "日期"),
    ({"deadline_workdays": -1}, "期限"), ({"pairs": [("A", "A")]}, "疑似重复对"),
])
def test_open_case_rejects_bad_input_without_writing(store, kwargs, message):
    args = {"kind": "核查", "title": "t", "deadline_workdays": 5, "user": "u", "on": D,
            "calendar": CAL, **kwargs}
    with pytest.raises(XuejiError, match=message):
        store.open_case(**args)
    assert store.conn.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 0


def test_status_path_assign_and_history_of_every_change(store):
    cid = store.open_case("核查", "t", F, deadline_workdays=5, user="甲", on=D, calendar=CAL)
    store.assign(cid, "第一中学", user="乙", on=dt.date(2026, 11, 21))
    store.set_status(cid, "核查中", user="丙", on=dt.date(2026, 11, 23), note="已到校")
    store.set_status(cid, "督办", user="甲", on=dt.date(2026, 11, 30))
    store.assign(cid, "第二中学", user="甲", on=dt.date(2026, 12, 1))
    store.set_note(cid, "限期整改", user="甲", on=dt.date(2026, 12, 1))
    store.close(cid, user="甲", on=dt.date(2026, 12, 2), note="已整改完毕")
    assert [h[2:6] for h in _history(store)] == [
        ("status", None, "立案", "甲"), ("unit", "", "第一中学", "乙"), ("status", "立案", "交办", "乙"),
        ("status", "交办", "核查中", "丙"), ("status", "核查中", "督办", "甲"),
        ("unit", "第一中学", "第二中学", "甲"), ("note", "", "限期整改", "甲"),
        ("status", "督办", "办结", "甲")]
    case = store.get_case(cid)
    assert (case["status"], case["unit"], case["note"]) == ("办结", "第二中学", "限期整改")
    assert case["history"]["备注"].tolist()[3] == "已到校"
    assert len(case["history"]) == 8


@pytest.mark.parametrize("path, bad", [
    ([], "办结"), ([], "核查中"), (["交办"], "立案"), (["交办", "核查中", "办结"], "核查中"),
    (["撤销"], "交办"), (["交办", "核查中", "督办"], "核查中"), (["交办", "督办"], "交办"),
])
def test_disallowed_transition_is_a_chinese_error_and_writes_nothing(store, path, bad):
    cid = store.open_case("核查", "t", unit="第一中学", deadline_workdays=5, user="u", on=D,
                          calendar=CAL)
    for s in path:
        store.set_status(cid, s, user="u", on=D)
    before = len(_history(store))
    with pytest.raises(XuejiError, match="不能改为"):
        store.set_status(cid, bad, user="u", on=D)
    assert len(_history(store)) == before


def test_closed_case_cannot_be_assigned_and_unknown_case_is_reported(store):
    cid = store.open_case("核查", "t", deadline_workdays=5, user="u", on=D, calendar=CAL)
    store.set_status(cid, "撤销", user="u", on=D)
    with pytest.raises(XuejiError, match="不能再交办"):
        store.assign(cid, "某校", user="u", on=D)
    with pytest.raises(XuejiError, match="案件 99 不存在"):
        store.get_case(99)


def test_list_cases_counts_and_overdue(store):
    a = store.open_case("核查", "a", F, deadline_workdays=10, user="u", on=D, calendar=CAL)
    b = store.open_case("报告", "b", deadline_workdays=1, user="u", on=D, calendar=CAL)
    store.set_status(b, "撤销", user="u", on=D)
    c = store.open_case("排查", "c", deadline_workdays=1, user="u", on=D, calendar=CAL)
    out = store.list_cases(as_of=dt.date(2026, 11, 25))  # deadlines: a Dec 4, b/c Nov 23
    assert out[["id", "findings", "open_findings", "overdue"]].values.tolist() == [
        [a, 3, 3, False], [b, 0, 0, False], [c, 0, 0, True]]
    assert store.list_cases("撤销")["id"].tolist() == [b]
    with pytest.raises(XuejiError, match="状态"):
        store.list_cases("完成")


def test_pair_decisions_history_and_read_decisions_shape(store):
    cid = store.open_case("核查", "t", pairs=[("G2", "G1")], deadline_workdays=5, user="u", on=D,
                          calendar=CAL)
    store.decide_pair("G2", "G1", True, user="甲", on=D, note="同一人")
    store.decide_pair("G1", "G2", False, user="乙", on=dt.date(2026, 11, 23))
    store.decide_pair("G3", "G4", True, user="乙", on=dt.date(2026, 11, 23))
    d = store.decisions_frame()
    assert list(d.columns) == ["学籍号_a", "学籍号_b", "决定", "核查人", "日期", "备注", "accept"]
    assert d[["学籍号_a", "学籍号_b", "accept", "核查人"]].values.tolist() == [
        ["G1", "G2", False, "乙"], ["G3", "G4", True, "乙"]]
    pairs = store.get_case(cid)["pairs"]
    assert pairs[["决定", "核查人", "日期"]].values.tolist() == [["排除", "乙", "2026-11-23"]]
    hist = store.get_case(cid)["history"]
    assert hist.loc[hist["对象"] == "pair", ["原值", "新值"]].values.tolist() == [
        [None, "接受"], ["接受", "排除"]]


def test_attach_findings_marks_fixed_never_deletes_and_reopens(store):
    open_id = store.open_case("核查", "t", F, deadline_workdays=5, user="u", on=D, calendar=CAL)
    done = store.open_case("核查", "closed", F, deadline_workdays=5, user="u", on=D, calendar=CAL)
    store.set_status(done, "撤销", user="u", on=D)
    # run 2: only the TR-01 finding still fires (its wording changed: same identity)
    run = store.attach_findings(F.iloc[[1]].assign(detail="超期 5 天"), dt.date(2026, 12, 1), "程序")
    assert (run["resolved"], run["reopened"]) == (2, 0)
    f = store.get_case(open_id)["findings"]
    assert f["整改状态"].tolist() == ["已整改", "未整改", "已整改"]
    assert f["整改日期"].tolist()[0] == pd.Timestamp("2026-12-01")
    assert set(store.get_case(done)["findings"]["整改状态"]) == {"未整改"}  # closed: untouched
    # run 3: the ID-01 finding fires again
    run = store.attach_findings(F.iloc[[0, 1]], dt.date(2026, 12, 8), "程序")
    assert (run["resolved"], run["reopened"]) == (0, 1)
    assert store.get_case(open_id)["findings"]["整改状态"].tolist() == ["未整改", "未整改", "已整改"]
    rows = [h for h in _history(store) if h[1] == "finding"]
    assert [(h[0], h[3], h[4], h[6]) for h in rows] == [
        (open_id, "未整改", "已整改", "2026-12-01"), (open_id, "未整改", "已整改", "2026-12-01"),
        (open_id, "已整改", "未整改", "2026-12-08")]
    assert store.conn.execute("SELECT COUNT(*) FROM case_findings").fetchone()[0] == 6


def test_access_log(store):
    cid = store.open_case("复学通知", "t", F, deadline_workdays=5, user="u", on=D, calendar=CAL)
    store.log_access(ACTION_SHOW_ID, cid, "甲", dt.datetime(2026, 11, 20, 9, 30), "查看案件")
    store.log_access(ACTION_DRAFT, cid, "乙", dt.datetime(2026, 11, 20, 10, 0))
    log = store.access_log()
    assert log[["at", "user", "action", "case_id"]].values.tolist() == [
        ["2026-11-20T09:30:00", "甲", "显示完整身份证件号", cid],
        ["2026-11-20T10:00:00", "乙", "起草文书", cid]]
    assert len(store.access_log(cid + 1)) == 0
    with pytest.raises(XuejiError, match="访问类型"):
        store.log_access("偷看", cid, "甲", dt.datetime(2026, 11, 20))
    with pytest.raises(XuejiError, match="不存在"):
        store.log_access(ACTION_DRAFT, 42, "甲", dt.datetime(2026, 11, 20))


def test_version_1_file_is_upgraded_in_place(tmp_path):
    path = tmp_path / "old.sqlite"
    conn = db.connect(path)
    assert db.migrate(conn, target=1) == 1
    conn.execute("INSERT INTO cases (kind, title, opened_by, opened_on, deadline_workdays, "
                 "deadline) VALUES ('督办', '旧案', '甲', '2025-03-03', 5, '2025-03-10')")
    conn.execute("INSERT INTO case_findings (case_id, rule_id, xjh) VALUES (1, 'ID-01', 'G1')")
    conn.execute("INSERT INTO history (case_id, entity, field, new, user, at) "
                 "VALUES (1, 'case', 'status', '立案', '甲', '2025-03-03')")
    conn.close()
    with CaseStore(path) as store:
        assert db.version(store.conn) == db.SCHEMA_VERSION
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
        assert [r[0] for r in store.conn.execute("SELECT version FROM schema_migrations")] == list(
            range(1, db.SCHEMA_VERSION + 1))
        case = store.get_case(1)
        assert (case["title"], case["deadline"]) == ("旧案", dt.date(2025, 3, 10))
        assert case["findings"]["整改状态"].tolist() == ["未整改"]
        store.decide_pair("G1", "G2", True, user="乙", on=D)
        assert store.attach_findings(F.iloc[:0], D, "乙")["resolved"] == 1
    with CaseStore(path) as store:  # opening again applies nothing twice
        assert store.conn.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] == \
            db.SCHEMA_VERSION
        history = store.get_case(1)["history"]  # rows from before version 3 have no real time
        assert history["操作时间"].tolist()[0] == "" and history["操作时间"].tolist()[-1] != ""
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_newer_file_is_refused_and_constraints_hold(tmp_path):
    path = tmp_path / "new.sqlite"
    with CaseStore(path) as store:
        with pytest.raises(sqlite3.IntegrityError):  # foreign keys are enforced
            store.conn.execute("INSERT INTO case_findings (case_id, rule_id) VALUES (7, 'X')")
        store.conn.execute("INSERT INTO schema_migrations VALUES (?, '未来版本')",
                           (db.SCHEMA_VERSION + 1,))
    with pytest.raises(XuejiError, match="版本"):
        CaseStore(path)


def test_the_database_refuses_changes_without_history_and_deletions(store):
    cid = store.open_case("核查", "t", F, unit="某校", deadline_workdays=5, user="u", on=D,
                          calendar=CAL)
    c = store.conn
    for sql, message in [
        (f"UPDATE cases SET status = '交办' WHERE id = {cid}", "未写变更历史"),
        (f"UPDATE cases SET unit = '别校' WHERE id = {cid}", "未写变更历史"),
        (f"UPDATE case_findings SET state = '已整改' WHERE case_id = {cid}", "未写变更历史"),
        (f"UPDATE cases SET deadline = '2030-01-01' WHERE id = {cid}", "立案信息不可修改"),
        (f"DELETE FROM case_findings WHERE case_id = {cid}", "不可删除"),
        (f"DELETE FROM cases WHERE id = {cid}", "不可删除"),
        ("UPDATE history SET user = '别人'", "变更历史不可修改"),
        ("DELETE FROM history", "变更历史不可删除"),
    ]:
        with pytest.raises(sqlite3.IntegrityError, match=message):
            c.execute(sql)
    # a history row must carry the real time of the write
    with pytest.raises(sqlite3.IntegrityError, match="实际操作时间"):
        c.execute("INSERT INTO history (case_id, entity, entity_key, field, old, new, user, at) "
                  f"VALUES ({cid}, 'case', '{cid}', 'status', '立案', '交办', 'u', '2026-11-21')")
    # a history row recording the new value first lets the same update through
    c.execute("INSERT INTO history (case_id, entity, entity_key, field, old, new, user, at, "
              f"recorded_at) VALUES ({cid}, 'case', '{cid}', 'status', '立案', '交办', 'u', "
              f"'2026-11-21', {db.NOW})")
    c.execute(f"UPDATE cases SET status = '交办' WHERE id = {cid}")
    assert store.get_case(cid)["status"] == "交办"
