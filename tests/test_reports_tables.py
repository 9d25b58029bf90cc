"""The data behind the reports, on small hand-made audits with counts worked out by hand."""
import datetime as dt

import pandas as pd

from xueji_audit.audit import AuditResult
from xueji_audit.chains import build_chains
from xueji_audit.ids import make_id, make_xjh_g
from xueji_audit.matching.core import MatchResult
from xueji_audit.profile import load_profile
from xueji_audit.reports.movement import repeated_transfers, transfer_count_table
from xueji_audit.reports.overview import duplicate_tables, findings_overview
from xueji_audit.schema import FINDING_COLUMNS, conform

NAMES = pd.Series({"S1": "第一小学", "S2": "第二小学", "S3": "第三小学"})
G_A = make_xjh_g(make_id("640426", dt.date(2015, 3, 4), 11, "男"))
G_B = make_xjh_g(make_id("640426", dt.date(2014, 7, 9), 12, "女"))


def finding(rule, severity, school, xjh="G1"):
    return {"rule_id": rule, "rule_name": f"规则{rule}", "severity": severity, "学籍号": xjh,
            "姓名": "测试生", "学校标识码": school, "业务编号": None, "班级": None,
            "detail": "说明", "basis": "依据", "due_date": pd.NaT}


def result(findings, duplicates=None) -> AuditResult:
    f = pd.DataFrame(findings, columns=list(FINDING_COLUMNS)).astype(
        {c: "string" for c in FINDING_COLUMNS if c != "due_date"})
    f["due_date"] = pd.to_datetime(f["due_date"])
    runs = pd.DataFrame([("ID-01", "规则ID-01", "高", "ran", "", 2),
                         ("RJ-01", "在籍不在校", "高", "not run", "缺少在校名单表", 0)],
                        columns=["rule_id", "rule_name", "severity", "status", "reason",
                                 "findings"])
    return AuditResult(f, runs, [], dt.date(2026, 11, 20), load_profile(None), duplicates)


def test_overview_counts_by_severity_rule_and_school():
    r = result([finding("ID-01", "高", "S1"), finding("ID-01", "高", "S2"),
                finding("TR-02", "中", "S1"), finding("XJ-01", "低", None)])
    ov = findings_overview(r, NAMES)
    assert ov.findings["严重程度"].tolist() == ["高", "高", "中", "低"]
    assert ov.findings["学校"].tolist()[:3] == ["第一小学", "第二小学", "第一小学"]
    assert ov.severity["问题数"].tolist() == [2, 1, 1]
    assert ov.rules[["规则编号", "问题数", "涉及学校数"]].values.tolist() == [
        ["ID-01", 2, 2], ["TR-02", 1, 1], ["XJ-01", 1, 0]]
    assert ov.schools[["学校标识码", "学校", "高", "中", "低", "合计"]].values.tolist() == [
        ["S1", "第一小学", 1, 1, 0, 2], ["S2", "第二小学", 1, 0, 0, 1],
        ["（未填学校）", "（未填学校）", 0, 0, 1, 1]]
    assert ov.not_run.values.tolist() == [["RJ-01", "在籍不在校", "高", "缺少在校名单表"]]
    assert ov.rules_ran == 1


def test_overview_of_one_school_by_code_or_name():
    r = result([finding("ID-01", "高", "S1"), finding("ID-01", "高", "S2"),
                finding("TR-02", "中", "S1")])
    assert findings_overview(r, NAMES, "第一").severity["问题数"].tolist() == [1, 1, 0]
    assert findings_overview(r, NAMES, "S2").findings["学校标识码"].tolist() == ["S2"]


def test_duplicate_tables_join_register_and_filter_school():
    students = conform("students", pd.DataFrame([
        {"学籍号": "A1", "姓名": "甲", "学校标识码": "S1", "学籍状态": "在校"},
        {"学籍号": "A2", "姓名": "甲", "学校标识码": "S2", "学籍状态": "在校"},
        {"学籍号": "B1", "姓名": "乙", "学校标识码": "S3", "学籍状态": "在校"},
        {"学籍号": "B2", "姓名": "乙", "学校标识码": "S3", "学籍状态": "在校"}]))
    clusters = pd.DataFrame({"cluster_id": ["C1", "C1", "C2", "C2"],
                             "学籍号": ["A1", "A2", "B1", "B2"],
                             "band": ["确定", "确定", "疑似", "疑似"]})
    pairs = pd.DataFrame({"学籍号_a": ["A1", "B1"], "学籍号_b": ["A2", "B2"],
                          "score": [0.99, 0.8123], "band": ["确定", "疑似"],
                          "主要依据": ["身份证件号一致", "姓名完全一致"]})
    r = result([], MatchResult(pairs, clusters))
    d = duplicate_tables(r, students, NAMES)
    assert d.bands[["档次", "组数", "学生数", "学生对数"]].values.tolist() == [
        ["确定", 1, 2, 1], ["疑似", 1, 2, 1], ["待复核", 0, 0, 0]]
    assert d.clusters["学校"].tolist() == ["第一小学", "第二小学", "第三小学", "第三小学"]
    assert d.pairs["得分"].tolist() == [0.99, 0.812]
    one = duplicate_tables(r, students, NAMES, "S2")
    assert one.clusters["学籍号"].tolist() == ["A1", "A2"]  # the whole cluster of a member
    assert one.pairs["学籍号甲"].tolist() == ["A1"]
    assert duplicate_tables(result([]), students, NAMES).reason == "规则 DU-04 未运行"


def _biz(no, xjh, done, out, into):
    return {"业务编号": no, "业务类型": "转学", "学籍号": xjh, "转出学校标识码": out,
            "转入学校标识码": into, "发起日期": pd.Timestamp(done) - pd.Timedelta(days=5),
            "业务状态": "核办通过", "办结日期": done}


def test_repeated_transfers_route_and_counts():
    students = conform("students", pd.DataFrame([
        {"学籍号": G_A, "姓名": "甲", "学校标识码": "S3", "学籍状态": "在校"},
        {"学籍号": G_B, "姓名": "乙", "学校标识码": "S2", "学籍状态": "在校"}]))
    changes = conform("changes", pd.DataFrame([
        _biz("B2", G_A, "2026-06-01", "S2", "S3"), _biz("B1", G_A, "2026-03-01", "S1", "S2"),
        _biz("B3", G_B, "2026-04-01", "S1", "S2")]))
    chains = build_chains(students, changes)
    assert transfer_count_table(chains).values.tolist() == [[1, 1], [2, 1]]
    rep = repeated_transfers(chains, NAMES)
    assert rep.values.tolist() == [[G_A, 2, "第一小学 → 第二小学 → 第三小学", "2026-03-01",
                                    "2026-06-01"]]
