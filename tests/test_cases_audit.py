"""The case store with the audit on the demo county: decisions respected, findings attached,
and the ``case`` / ``audit`` commands on a workspace end to end."""
import datetime as dt

import pandas as pd
import pytest

from xueji_audit import cli
from xueji_audit.audit import run_audit
from xueji_audit.cases.store import CaseStore
from xueji_audit.demo import generate, generate_tables
from xueji_audit.profile import load_profile

AS_OF = dt.date(2026, 11, 20)


def _du04(findings: pd.DataFrame) -> set[str]:
    return set(findings.loc[findings["rule_id"] == "DU-04", "学籍号"].dropna())


def _pair(clusters: pd.DataFrame) -> tuple[str, str]:
    """A cluster of exactly two different students."""
    members = clusters.groupby("cluster_id")["学籍号"].agg(lambda s: sorted(set(s)))
    return tuple(next(m for m in members if len(m) == 2))


def test_store_decisions_are_respected_and_fixed_findings_marked(tmp_path):
    county = generate_tables(3000, seed=3, as_of=AS_OF)
    first = run_audit(county.tables, county.as_of)
    flagged = _du04(first.findings)
    a, b = _pair(first.duplicates.clusters)
    assert {a, b} <= flagged
    covered = first.findings[(first.findings["rule_id"] == "DU-04")
                             & first.findings["学籍号"].isin([a, b])]
    with CaseStore(tmp_path / "cases.sqlite") as store:
        cid = store.open_case("核查", "疑似重复学籍", covered, [(a, b)], deadline_workdays=10,
                              user="督查员", on=AS_OF, calendar=load_profile().calendar())
        store.decide_pair(b, a, False, user="督查员", on=dt.date(2026, 11, 23), note="双胞胎")
        second = run_audit(county.tables, county.as_of, decisions=store.decisions_frame())
        assert _du04(second.findings) == flagged - {a, b}
        run = store.attach_findings(second.findings, dt.date(2026, 11, 30), "督查员")
        assert (run["resolved"], run["reopened"]) == (len(covered), 0)
        case = store.get_case(cid)
        assert case["findings"]["整改状态"].tolist() == ["已整改"] * len(covered)
        assert case["pairs"][["学籍号_a", "学籍号_b", "决定"]].values.tolist() == [[a, b, "排除"]]


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("county")
    generate(root / "data", students=600, seed=3, as_of=AS_OF)
    return root


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_round_trip(demo_dir, tmp_path, capsys):
    data, ws = str(demo_dir / "data"), str(tmp_path / "工作区")
    w = ["--workspace", ws, "--user", "督查员"]
    assert _run(capsys, "audit", data, *w, "--as-of", "2026-11-20")[0] == 0
    out1 = tmp_path / "工作区" / "督查结果"
    f1 = pd.read_csv(out1 / "问题清单.csv", dtype=str, encoding="utf-8-sig").rename(
        columns={"规则编号": "rule_id"})
    a, b = _pair(pd.read_csv(out1 / "疑似重复分组.csv", dtype=str, encoding="utf-8-sig").rename(
        columns={"分组号": "cluster_id"}))
    flagged = _du04(f1)
    n_covered = int((f1["rule_id"].eq("DU-04") & f1["学籍号"].isin([a, b])).sum())
    assert {a, b} <= flagged and n_covered >= 2

    code, out, _ = _run(capsys, "case", "open", *w, "--as-of", "2026-11-20", "--kind", "核查",
                        "--title", "重复学籍", "--rule", "DU-04", "--xjh", a, "--xjh", b,
                        "--pair", a, b)
    assert code == 0 and f"问题 {n_covered} 条" in out and "办理期限 2026-12-04" in out
    assert _run(capsys, "case", "assign", "1", *w, "--as-of", "2026-11-21",
                "--unit", "清川县第一小学")[0] == 0
    assert _run(capsys, "case", "status", "1", *w, "--as-of", "2026-11-23", "--to", "核查中")[0] == 0
    code, _, err = _run(capsys, "case", "status", "1", *w, "--as-of", "2026-11-23", "--to", "立案")
    assert code == 2 and "不能改为「立案」" in err and len(err.strip().splitlines()) == 1
    assert _run(capsys, "case", "decide", a, b, "--reject", *w, "--as-of", "2026-11-23")[0] == 0

    code, out, _ = _run(capsys, "audit", data, *w, "--as-of", "2026-11-20", "--out",
                        str(tmp_path / "o2"))
    assert code == 0 and f"{n_covered} 条问题标为已整改" in out
    f2 = pd.read_csv(tmp_path / "o2" / "问题清单.csv", dtype=str, encoding="utf-8-sig").rename(
        columns={"规则编号": "rule_id"})
    assert _du04(f2) == flagged - {a, b}

    code, out, _ = _run(capsys, "case", "show", "1", *w, "--as-of", "2026-11-24")
    assert code == 0 and "已整改" in out and "清川县第一小学" in out
    assert a not in out and a[:7] + "********" + a[-4:] in out  # masked by default
    code, out, _ = _run(capsys, "case", "show", "1", *w, "--as-of", "2026-11-24", "--show-id")
    assert code == 0 and a in out and b in out
    assert _run(capsys, "case", "close", "1", *w, "--as-of", "2026-11-25")[0] == 0
    code, out, _ = _run(capsys, "case", "list", "--workspace", ws, "--status", "办结")
    assert code == 0 and "重复学籍" in out
    header = out.splitlines()[1].split()
    assert header[:3] == ["案件号", "类型", "标题"] and "期限（工作日）" in header
    assert not any(h.isascii() for h in header)  # every column named in Chinese
    code, out, _ = _run(capsys, "case", "log", "--workspace", ws)
    assert code == 0 and "显示完整身份证件号" in out and "督查员" in out and "2026-11-24" in out
    with CaseStore(tmp_path / "工作区" / "cases.sqlite") as s:
        hist = s.get_case(1)["history"]
        assert hist["新值"].tolist() == ["立案", "清川县第一小学", "交办", "核查中", "排除",
                                        *["已整改"] * n_covered, "办结"]
        assert hist["操作时间"].str.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}").all()
