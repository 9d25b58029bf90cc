"""The duplicate-pair reviewer widget without a browser: clicks, the store, a reload, masking."""
from __future__ import annotations

import dataclasses

from conftest import APP_USER
from xueji_audit.widgets.pairs import PairReviewer

from xueji_audit.app import AppConfig, Session
from xueji_audit.app import pairs as ap
from xueji_audit.cases.store import ACTION_SHOW_ID


def _sorted_pairs(session):
    p = session.result.duplicates.pairs
    p = p[(p["学籍号_a"] != p["学籍号_b"]).to_numpy()]  # one 学籍号 twice: DU-02, not queued
    return p.sort_values(["score", "学籍号_a", "学籍号_b"], ascending=[False, True, True],
                         kind="stable").reset_index(drop=True)


def _key(row) -> frozenset:
    return frozenset((row["学籍号_a"], row["学籍号_b"]))


def test_first_pair_is_shown_masked(app_session):
    r = PairReviewer(app_session)
    pairs = _sorted_pairs(app_session)
    assert r.position.value == f"第 1 / {len(pairs)} 对"
    every = app_session.result.duplicates.pairs
    one = int((every["学籍号_a"] == every["学籍号_b"]).sum())
    assert one and f"另有 {one} 对是同一学籍号的两条记录" in r.aside.value
    assert r.show.value == "待认定" and r.band.value == "全部"
    assert list(r.band.options) == ["全部", "确定", "疑似", "待复核"]
    assert [b.description for b in (r.accept, r.reject, r.skip, r.prev)] == [
        "确认重复", "不是重复", "跳过", "上一对"]
    first = pairs.iloc[0]
    assert _key(r.current) == _key(first)
    st = app_session.students.drop_duplicates("学籍号").set_index("学籍号")
    html = r.records.value
    assert first["主要依据"] in html
    assert st.at[first["学籍号_a"], "姓名"] in html
    for xjh in (first["学籍号_a"], first["学籍号_b"]):
        assert xjh not in html  # 学籍号 masked
        assert str(st.at[xjh, "成员1身份证件号"]) not in html
        assert str(st.at[xjh, "联系电话"]) not in html
    assert app_session.store.access_log().empty


def test_reveal_shows_numbers_and_logs_the_access(app_session):
    r = PairReviewer(app_session)
    first = r.current
    r.reveal.value = True
    assert first["学籍号_a"] in r.records.value and first["学籍号_b"] in r.records.value
    log = app_session.store.access_log()
    assert len(log) == 1
    assert log.loc[0, "action"] == ACTION_SHOW_ID and log.loc[0, "user"] == APP_USER
    assert log.loc[0, "detail"] == "页面：疑似重复"
    r.reveal.value = False
    assert first["学籍号_a"] not in r.records.value


def test_accept_saves_the_decision_and_moves_on(app_session):
    r = PairReviewer(app_session)
    pairs = _sorted_pairs(app_session)
    r.note.value = "证件号仅一位之差"
    r.accept.click()
    stored = app_session.store.decisions_frame()
    assert len(stored) == 1
    assert frozenset(stored.loc[0, ["学籍号_a", "学籍号_b"]]) == _key(pairs.iloc[0])
    assert stored.loc[0, "决定"] == "接受" and stored.loc[0, "核查人"] == APP_USER
    assert stored.loc[0, "日期"] == app_session.config.as_of.isoformat()
    assert stored.loc[0, "备注"] == "证件号仅一位之差"
    assert r.position.value == f"第 1 / {len(pairs) - 1} 对"
    assert _key(r.current) == _key(pairs.iloc[1])
    assert r.note.value == ""
    assert "已保存" in r.message.value and "确认重复" in r.message.value
    r.reject.click()
    stored = app_session.store.decisions_frame().set_index(["学籍号_a", "学籍号_b"])
    b = pairs.iloc[1]
    assert stored.loc[tuple(sorted((b["学籍号_a"], b["学籍号_b"]))), "决定"] == "排除"
    assert r.position.value == f"第 1 / {len(pairs) - 2} 对"
    assert _key(r.current) == _key(pairs.iloc[2])


def test_skip_and_prev_walk_the_queue(app_session):
    r = PairReviewer(app_session)
    pairs = _sorted_pairs(app_session)
    r.prev.click()
    assert "已是第一对" in r.message.value and r.position.value.startswith("第 1 /")
    r.skip.click()
    r.skip.click()
    assert r.position.value == f"第 3 / {len(pairs)} 对"
    assert _key(r.current) == _key(pairs.iloc[2])
    r.accept.click()  # the 3rd is decided; the next pending one is the 4th of the list
    assert r.position.value == f"第 3 / {len(pairs) - 1} 对"
    assert _key(r.current) == _key(pairs.iloc[3])
    r.prev.click()
    assert _key(r.current) == _key(pairs.iloc[1])


def test_in_the_all_view_a_decision_moves_to_the_next_pair(app_session):
    r = PairReviewer(app_session)
    pairs = _sorted_pairs(app_session)
    r.show.value = "全部"
    r.reject.click()
    assert r.position.value == f"第 2 / {len(pairs)} 对"
    r.prev.click()
    assert "已认定：不是重复" in r.records.value


def test_decision_persists_after_a_reload(app_session):
    r = PairReviewer(app_session)
    pairs = _sorted_pairs(app_session)
    r.accept.click()
    config = app_session.config
    app_session.close()
    again = Session.open(AppConfig(config.workspace, config.user, config.as_of, config.profile))
    try:
        r2 = PairReviewer(again)
        assert r2.position.value == f"第 1 / {len(pairs) - 1} 对"
        pending = ap.pair_queue(again)
        assert _key(pairs.iloc[0]) not in set(map(frozenset, zip(
            pending["学籍号_a"], pending["学籍号_b"], strict=True)))
        r2.show.value = "已认定"
        assert r2.position.value == "第 1 / 1 对"
        assert _key(r2.current) == _key(pairs.iloc[0])
        assert f"已认定：确认重复（{APP_USER}，{config.as_of.isoformat()}）" in r2.records.value
        r2.show.value = "待认定"
        r2.band.value = "确定"
        n = int((pairs["band"] == "确定").sum()) - (pairs.iloc[0]["band"] == "确定")
        assert r2.position.value == f"第 {1 if n else 0} / {n} 对"
    finally:
        again.close()


def test_reviewer_says_why_when_du04_did_not_run(app_session):
    runs = app_session.result.rules_run.copy()
    runs.loc[runs["rule_id"] == "DU-04", ["status", "reason"]] = ["not run", "缺少学生表的姓名列"]
    app_session.workspace.result = dataclasses.replace(app_session.result, duplicates=None,
                                             rules_run=runs)
    r = PairReviewer(app_session)
    assert "缺少学生表的姓名列" in r.records.value
    assert r.position.value == "第 0 / 0 对"
    assert r.accept.disabled and r.reject.disabled


def test_reviewer_with_no_pairs_at_all(app_session):
    dup = app_session.result.duplicates
    empty = dataclasses.replace(dup, pairs=dup.pairs.iloc[:0])
    app_session.workspace.result = dataclasses.replace(app_session.result, duplicates=empty)
    r = PairReviewer(app_session)
    assert r.position.value == "第 0 / 0 对"
    assert "没有待认定的疑似重复对" in r.records.value
    r.accept.click()
    assert "没有可认定" in r.message.value
    assert app_session.store.decisions_frame().empty


def test_revealing_keeps_the_note_being_typed(app_session):
    r = PairReviewer(app_session)
    r.note.value = "待与学校核实"
    r.reveal.value = True
    assert r.note.value == "待与学校核实"
