"""The unit's reply per child, evidence kept by hash, the inspector's review and the history."""
import datetime as dt
import hashlib
import re
import sqlite3

import pandas as pd
import pytest

from xueji_audit.cases import replies as rp
from xueji_audit.cases.store import CaseStore
from xueji_audit.errors import XuejiError
from xueji_audit.profile import load_profile

D = dt.date(2026, 11, 20)
CAL = load_profile().calendar()
A, B = "G110101201001010011", "G110101201001010022"
F = pd.DataFrame({"rule_id": ["ID-01", "ID-02", "ID-01"], "rule_name": ["证件号错误"] * 3,
                  "severity": ["高"] * 3, "学籍号": [A, A, B], "姓名": ["张小明", "张小明", "李小红"],
                  "学校标识码": ["2111000001"] * 3, "detail": ["校验位错误"] * 3})


@pytest.fixture
def opened(tmp_path):
    path = tmp_path / "cases.sqlite"
    with CaseStore(path) as s:
        cid = s.open_case("核查", "证件号", F, deadline_workdays=5, user="督查员", on=D,
                          calendar=CAL)
        s.assign(cid, "第一小学", user="督查员", on=D)
    return path, cid


def test_a_reply_with_evidence_is_kept_with_its_hash_and_survives_a_restart(opened):
    path, cid = opened
    photo = b"\x89PNG fake scan of the register page"
    with CaseStore(path) as s:
        items = rp.items(s, cid)
        assert items[["child", "姓名", "问题数", "state"]].values.tolist() == [
            [A, "张小明", 2, "待答复"], [B, "李小红", 1, "待答复"]]
        rp.record_reply(s, cid, A, verified="证件号录入错误", handled="已更正", user="第一小学王老师",
                        on=dt.date(2026, 11, 23), evidence=[("户口本.png", photo)])
        assert s.get_case(cid)["status"] == "核查中"  # the first reply starts the check
    with CaseStore(path) as s:  # a new process / restart
        items = rp.items(s, cid).set_index("child")
        assert items.loc[A, ["state", "verified", "handled", "evidence"]].tolist() == [
            "已答复", "证件号录入错误", "已更正", 1]
        assert items.loc[B, "state"] == "待答复"
        ev = rp.evidence_files(s, cid)
        digest = hashlib.sha256(photo).hexdigest()
        assert ev[["学生标识", "文件名", "SHA-256", "大小"]].values.tolist() == [
            [A, "户口本.png", digest, len(photo)]]
        stored = path.parent / ev["保存位置"].iloc[0]
        assert stored.name == f"{digest}.png" and stored.read_bytes() == photo
        h = s.get_case(cid)["history"]
        row = h[h["字段"] == "办理状态"].iloc[0]
        assert (row["操作人"], row["标识"], row["原值"], row["新值"]) == (
            "第一小学王老师", A, "待答复", "已答复")
        assert "户口本.png" in row["备注"] and digest[:12] in row["备注"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", row["操作时间"])  # real time


def test_returned_reply_reopens_the_item_and_accepting_closes_it(opened):
    path, cid = opened
    with CaseStore(path) as s:
        rp.record_reply(s, cid, A, verified="已核实", user="王老师", on=D)
        with pytest.raises(XuejiError, match="事项已答复，不能再登记答复"):
            rp.record_reply(s, cid, A, verified="再答", user="王老师", on=D)
        with pytest.raises(XuejiError, match="退回答复须写明理由"):
            rp.review(s, cid, A, False, user="督查员", on=D)
        rp.review(s, cid, A, False, reason="缺户口本复印件", user="督查员", on=D)
        assert rp.items(s, cid).set_index("child").loc[A, "state"] == "已退回"
        rp.record_reply(s, cid, A, verified="已核实", handled="补交复印件", user="王老师", on=D,
                        evidence=[("复印件.pdf", b"%PDF-1.4 copy")])
        rp.review(s, cid, A, True, user="督查员", on=D)
        assert rp.items(s, cid).set_index("child").loc[A, "state"] == "已办结"
        with pytest.raises(XuejiError, match="只有已答复的事项可以采纳或退回"):
            rp.review(s, cid, A, False, reason="x", user="督查员", on=D)
        h = s.get_case(cid)["history"]
        steps = h[h["字段"] == "办理状态"][["操作人", "新值", "备注"]].values.tolist()
        assert [x[:2] for x in steps] == [["王老师", "已答复"], ["督查员", "已退回"],
                                          ["王老师", "已答复"], ["督查员", "已办结"]]
        assert steps[1][2] == "缺户口本复印件"


def test_evidence_is_never_overwritten_and_tampering_is_found(opened):
    path, cid = opened
    with CaseStore(path) as s:
        rp.record_reply(s, cid, A, verified="x", done=False, user="u", on=D,
                        evidence=[("a.jpg", b"same bytes")])
        assert rp.items(s, cid).set_index("child").loc[A, "state"] == "办理中"
        stored = path.parent / rp.evidence_files(s, cid)["保存位置"].iloc[0]
        stored.chmod(0o644)
        stored.write_bytes(b"changed!")
        with pytest.raises(XuejiError, match="已被改动（哈希不符）"):
            rp.record_reply(s, cid, A, verified="y", user="u", on=D,
                            evidence=[("b.jpg", b"same bytes")])


def test_bad_replies_are_refused_and_the_database_keeps_replies(opened, tmp_path):
    path, cid = opened
    with CaseStore(path) as s:
        with pytest.raises(XuejiError, match="案件 1 中没有学生「G999」"):
            rp.record_reply(s, cid, "G999", verified="x", user="u", on=D)
        with pytest.raises(XuejiError, match="答复须填写经核实的情况或办理情况"):
            rp.record_reply(s, cid, A, user="u", on=D)
        new = s.open_case("核查", "未交办", F, deadline_workdays=5, user="u", on=D, calendar=CAL)
        with pytest.raises(XuejiError, match="当前状态为「立案」，不能登记答复"):
            rp.record_reply(s, new, A, verified="x", user="u", on=D)
        rp.record_reply(s, cid, B, verified="x", user="u", on=D, evidence=[("e.txt", b"e")])
        for sql, message in [("UPDATE replies SET verified = '改'", "答复不可修改"),
                             ("DELETE FROM replies", "答复不可删除"),
                             ("UPDATE evidence SET sha256 = '0'", "佐证材料不可修改"),
                             ("UPDATE child_items SET state = '已办结'", "未写变更历史"),
                             ("DELETE FROM child_items", "学生事项不可删除")]:
            with pytest.raises(sqlite3.IntegrityError, match=message):
                s.conn.execute(sql)


def test_a_re_audit_that_no_longer_finds_a_childs_problem_marks_it_fixed(opened):
    path, cid = opened
    with CaseStore(path) as s:
        s.attach_findings(F[F["学籍号"] == B], dt.date(2026, 11, 30), "督查员")
        items = rp.items(s, cid).set_index("child")
        assert items.loc[A, "未整改"] == 0 and items.loc[B, "未整改"] == 1
        assert set(s.get_case(cid)["findings"].query("学籍号 == @A")["整改状态"]) == {"已整改"}


def test_reply_and_review_from_the_command_line(opened, tmp_path, capsys):
    from xueji_audit.cli import main
    path, cid = opened
    ws = ["--workspace", str(path.parent)]
    scan = tmp_path / "扫描件.pdf"
    scan.write_bytes(b"%PDF-1.4 scan")
    assert main(["case", "reply", str(cid), "--child", A, "--verified", "学生在校就读",
                 "--handled", "已更正证件号", "--evidence", str(scan), *ws, "--user", "王老师",
                 "--as-of", "2026-11-23"]) == 0
    assert main(["case", "review", str(cid), "--child", A, "--return", *ws, "--user", "督查员",
                 "--as-of", "2026-11-24"]) == 2
    assert "退回答复须写明理由" in capsys.readouterr().err
    assert main(["case", "review", str(cid), "--child", A, "--accept", *ws, "--user", "督查员",
                 "--as-of", "2026-11-24"]) == 0
    capsys.readouterr()
    assert main(["case", "items", str(cid), *ws]) == 0
    out = capsys.readouterr().out
    assert "已办结" in out and "学生在校就读" in out and A not in out  # 学籍号 masked
    with CaseStore(path) as s:
        assert rp.evidence_files(s, cid)["文件名"].tolist() == ["扫描件.pdf"]


def test_case_show_lists_each_childs_item_masked(opened, capsys):
    from xueji_audit.cli import main
    path, cid = opened
    with CaseStore(path) as s:
        rp.record_reply(s, cid, B, verified="学生已转学", user="王老师", on=D)
    assert main(["case", "show", str(cid), "--workspace", str(path.parent)]) == 0
    out = capsys.readouterr().out
    section = out.split("学生事项与承办单位答复：")[1]
    assert "学生已转学" in section and "已答复" in section and "待答复" in section
    assert A not in out and B not in out
