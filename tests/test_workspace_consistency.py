"""One workspace, one truth: with pairs an inspector rejected (one in the case store, one in a
decision file), the DU-04 findings and the duplicate pairs are the same in the ``audit`` output,
report 02, the 疑似重复 page and a case opened from the audit."""
import re

import pandas as pd
import pytest
from conftest import APP_USER, AS_OF

from xueji_audit.app import AppConfig, Session
from xueji_audit.app.pairs import listed_pairs
from xueji_audit.cases.store import CaseStore
from xueji_audit.cli import main
from xueji_audit.matching.decisions import record_decision
from xueji_audit.workspace import build_workspace


def _two_member_pairs(clusters: pd.DataFrame, n: int) -> list[tuple[str, str]]:
    members = clusters.groupby("cluster_id")["学籍号"].agg(lambda s: tuple(sorted(set(s))))
    return [m for m in members if len(m) == 2][:n]


def _unordered(a, b) -> set[frozenset]:
    return {frozenset(p) for p in zip(a, b, strict=True)}


@pytest.fixture(scope="module")
def audited(tmp_path_factory, app_county):
    base = tmp_path_factory.mktemp("consistency")
    first = build_workspace(app_county, base / "first", as_of=AS_OF, user=APP_USER)
    (a, b), (c, d) = _two_member_pairs(first.duplicates.clusters, 2)
    first.close()
    ws = base / "ws"
    with CaseStore(_store(ws)) as store:
        store.decide_pair(a, b, False, user=APP_USER, on=AS_OF, note="双胞胎")
    decisions = base / "认定.csv"
    record_decision(decisions, c, d, accept=False, inspector="乙")
    assert main(["audit", str(app_county), "--workspace", str(ws), "--as-of", AS_OF.isoformat(),
                 "--decisions", str(decisions), "--user", APP_USER]) == 0
    return base, ws, (a, b), (c, d)


def _store(ws):
    ws.mkdir(parents=True, exist_ok=True)
    return ws / "cases.sqlite"


def test_rejected_pairs_are_gone_everywhere_and_counts_agree(audited, tmp_path, capsys):
    base, ws, (a, b), (c, d) = audited
    out = ws / "督查结果"
    findings = pd.read_csv(out / "问题清单.csv", dtype=str, encoding="utf-8-sig")
    du04 = findings[findings["规则编号"] == "DU-04"]
    pairs = pd.read_csv(out / "疑似重复.csv", dtype=str, encoding="utf-8-sig")
    rejected = {frozenset((a, b)), frozenset((c, d))}
    cli_pairs = _unordered(pairs["学籍号_a"], pairs["学籍号_b"])
    assert len(du04) and not rejected & cli_pairs
    assert not {a, b, c, d} & set(du04["学籍号"])

    # the 疑似重复 page lists the same pairs, and counts the same DU-04 records
    session = Session.open(AppConfig(ws, APP_USER, AS_OF))
    page = listed_pairs(session)
    assert _unordered(page["学籍号_a"], page["学籍号_b"]) == cli_pairs
    assert (session.findings["rule_id"] == "DU-04").sum() == len(du04)
    session.close()

    # a case opened from the audit holds the same DU-04 findings (each identity once: two
    # records under one 学籍号 at one school and class are one finding of a case)
    capsys.readouterr()
    assert main(["case", "open", "--workspace", str(ws), "--kind", "核查", "--title", "重复学籍",
                 "--rule", "DU-04", "--as-of", AS_OF.isoformat(), "--user", APP_USER]) == 0
    identities = du04.drop_duplicates(["学籍号", "学校标识码", "班级"])
    assert f"问题 {len(identities)} 条" in capsys.readouterr().out
    with CaseStore(ws / "cases.sqlite") as store:
        held = store.get_case(1)["findings"]
    assert sorted(held["学籍号"]) == sorted(identities["学籍号"])

    # report 02, unmasked (logged), lists exactly these students and no rejected one
    assert main(["report", "02", "--workspace", str(ws), "--out", str(tmp_path / "r"),
                 "--as-of", AS_OF.isoformat(), "--user", APP_USER,
                 "-p", "reveal_pii=True"]) == 0
    html = next((tmp_path / "r").glob("02_*.html")).read_text(encoding="utf-8")
    groups = re.search(r"疑似重复 <strong>(\d+)</strong> 组", html)
    assert groups and int(groups.group(1)) == pairs.merge(
        pd.read_csv(out / "疑似重复分组.csv", dtype=str, encoding="utf-8-sig"),
        left_on="学籍号_a", right_on="学籍号")["分组号"].nunique()
    assert all(x not in html for x in (a, b, c, d))
    assert all(x in html for x in du04["学籍号"])
    with CaseStore(ws / "cases.sqlite") as store:
        log = store.access_log()
    assert "报告：疑似重复学生（显示完整证件号）" in set(log["detail"])
    assert set(log["user"]) == {APP_USER}
