"""The 问题学籍 app's data functions, checked against counts taken with pandas on the findings."""
import base64
import io
import re
import time
import types

import numpy as np
import pandas as pd
import pytest

from xueji_audit.app.findings import (
    ALL,
    BLANK,
    class_options,
    csv_bytes,
    csv_data_uri,
    filter_findings,
    filter_options,
    filter_rows,
    finding_detail,
    page,
    page_count,
    pick_options,
    rows_page,
    student_record,
)
from xueji_audit.reports.overview import findings_table
from xueji_audit.rules import CATALOGUE
from xueji_audit.workspace.exports import FINDING_HEADERS

ID_TOKEN = re.compile(r"\d{17}[\dXx]")


def full_ids(session) -> set[str]:
    """Every 18-character ID number of the register."""
    ids = session.students["身份证件号"].dropna().astype(str)
    return set(ids[ids.str.fullmatch(r"\d{17}[\dXx]")])


def busiest_school(f: pd.DataFrame) -> str:
    return str(f["学校标识码"].value_counts().index[0])


def test_rule_options_are_the_rules_with_findings_with_their_counts(app_session):
    f = app_session.findings
    opts = filter_options(app_session)
    assert opts["rule"][0] == ("全部规则", ALL)
    per_rule = f["rule_id"].value_counts()
    rules = opts["rule"][1:]
    assert {v for _, v in rules} == set(per_rule.index)
    order = list(CATALOGUE)
    assert [v for _, v in rules] == sorted(per_rule.index, key=order.index)
    for label, rid in rules:
        assert label == f"{rid} {CATALOGUE[rid].name}（{per_rule[rid]}）"
    assert opts["severity"] == [("全部", ""), ("高", "高"), ("中", "中"), ("低", "低")]


def test_school_options_cover_every_finding_once(app_session):
    f = app_session.findings
    schools = filter_options(app_session)["school"]
    assert schools[0] == ("全部学校", ALL)
    codes = [v for _, v in schools[1:]]
    expected = set(f["学校标识码"].dropna()) | ({BLANK} if f["学校标识码"].isna().any() else set())
    assert set(codes) == expected and len(codes) == len(expected)
    counts = [int(re.search(r"（(\d+)）$", label).group(1)) for label, _ in schools[1:]]
    assert sum(counts) == len(f)
    code = busiest_school(f)
    label = dict((v, k) for k, v in schools)[code]
    assert label.startswith(app_session.names[code])


def test_class_options_depend_on_the_school(app_session):
    f = app_session.findings
    assert class_options(app_session, ALL) == [("全部班级", ALL)]
    code = busiest_school(f)
    opts = class_options(app_session, code)
    assert opts[0] == ("全部班级", ALL)
    mine = f.loc[(f["学校标识码"] == code).fillna(False), "班级"]
    expected = set(mine.dropna()) | ({BLANK} if mine.isna().any() else set())
    values = [v for _, v in opts[1:]]
    assert set(values) == expected
    per = mine.value_counts()
    for label, v in opts[1:]:
        if v != BLANK:
            assert label == f"{v}（{per[v]}）"
    grades = [v for v in values if v != BLANK]
    primary = [v for v in grades if "年级" in v]
    numerals = "一二三四五六七八九"
    assert [numerals.index(v[0]) for v in primary] == sorted(numerals.index(v[0]) for v in primary)


def test_filters_keep_what_pandas_counts(app_session):
    f = app_session.findings
    assert len(filter_findings(app_session)) == len(f)
    for rid, n in f["rule_id"].value_counts().items():
        assert len(filter_findings(app_session, rule=rid)) == n
    for sev in ("高", "中", "低"):
        assert len(filter_findings(app_session, severity=sev)) == int((f["severity"] == sev).sum())
    code = busiest_school(f)
    at = (f["学校标识码"] == code).fillna(False)
    klass = f.loc[at, "班级"].value_counts().index[0]
    both = at & (f["班级"] == klass).fillna(False)
    got = filter_findings(app_session, school=code, klass=klass)
    assert len(got) == int(both.sum())
    high = filter_findings(app_session, severity="高", school=code)
    assert len(high) == int((at & (f["severity"] == "高")).sum())
    assert len(filter_findings(app_session, school=BLANK)) == int(f["学校标识码"].isna().sum())
    assert len(filter_findings(app_session, rule="ID-01", severity="低")) == int(
        ((f["rule_id"] == "ID-01") & (f["severity"] == "低")).sum())


def test_filtered_list_matches_the_report_table_and_maps_back(app_session):
    f = app_session.findings
    mine = filter_findings(app_session)
    assert list(mine.columns) == list(FINDING_HEADERS.values())
    report = findings_table(app_session.result, app_session.names)
    assert mine.reset_index(drop=True).astype("string").fillna("").equals(
        report.astype("string").fillna(""))
    # the index is the source row: 学籍号 and 问题说明 come back from session.findings
    one = filter_findings(app_session, rule="ID-01")
    src = f.loc[one.index]
    assert (src["rule_id"] == "ID-01").all()
    assert src["detail"].tolist() == one["问题说明"].tolist()
    assert src["学籍号"].fillna("").tolist() == one["学籍号"].fillna("").tolist()
    np.testing.assert_array_equal(filter_rows(app_session, rule="ID-01"), f.index.get_indexer(
        one.index))


def test_pages_of_fifty(app_session):
    frame = filter_findings(app_session)
    n = len(frame)
    pages = page_count(n)
    assert pages == -(-n // 50) and page_count(0) == 1
    first, last = page(frame, 1), page(frame, pages)
    assert len(first) == 50 and first["序号"].tolist() == list(range(1, 51))
    assert len(last) == n - 50 * (pages - 1) and last["序号"].iloc[-1] == n
    assert page(frame, pages + 5).equals(last) and page(frame, 0).equals(first)
    assert first.index.tolist() == frame.index[:50].tolist()
    rows = filter_rows(app_session)
    built = rows_page(app_session, rows, 2)
    assert built.astype("string").fillna("").equals(page(frame, 2).astype("string").fillna(""))


def test_pick_labels_mask_the_student_number(app_session):
    frame = page(filter_findings(app_session, rule="ID-01"), 1)
    masked, shown = pick_options(frame), pick_options(frame, reveal=True)
    assert [v for _, v in masked] == frame.index.tolist()
    xjh = frame["学籍号"].dropna().tolist()
    assert xjh and not any(x in label for x in xjh for label, _ in masked)
    assert all(any(x in label for label, _ in shown) for x in xjh)
    assert masked[0][0].startswith("1. ID-01 ")


def test_finding_detail_has_the_rule_basis_and_help(app_session):
    f = app_session.findings
    row = f.index[(f["rule_id"] == "ID-01").to_numpy()][0]
    d = finding_detail(app_session, row)
    assert d["规则编号"] == "ID-01" and d["严重程度"] == f.at[row, "severity"]
    assert d["规则说明"] == CATALOGUE["ID-01"].help
    assert d["政策依据"] == f.at[row, "basis"] and d["问题说明"] == f.at[row, "detail"]
    assert d["学籍号"] == f.at[row, "学籍号"]
    assert d["学校"] == app_session.names[f.at[row, "学校标识码"]]
    due = f.loc[f["due_date"].notna()].index[0]
    assert finding_detail(app_session, due)["整改期限"] == f.at[due, "due_date"].strftime("%Y-%m-%d")


def test_student_record_from_the_register(app_session):
    s = app_session.students
    once = s[~s["学籍号"].duplicated(keep=False) & s["成员1姓名"].notna()].iloc[0]
    rec = student_record(app_session, once["学籍号"])
    assert rec["姓名"] == once["姓名"] and rec["身份证件号"] == once["身份证件号"]
    assert rec["出生日期"] == once["出生日期"].strftime("%Y-%m-%d")
    assert rec["监护人"].startswith(once["成员1姓名"])
    assert "学籍记录数" not in rec
    assert student_record(app_session, "G000000000000000000") == {}
    assert student_record(app_session, "") == {}
    twice = s[s["学籍号"].duplicated(keep=False) & s["学籍号"].notna()]
    twice = twice[twice.groupby("学籍号")["学校标识码"].transform("nunique") > 1]
    xjh = twice["学籍号"].iloc[0]
    for code, name in twice.loc[twice["学籍号"] == xjh, ["学校标识码", "学校名称"]].to_numpy():
        rec = student_record(app_session, xjh, code)
        assert rec["学校"] == name and "本校" in rec["学籍记录数"]


def test_csv_link_is_utf8_bom_masked_unless_revealed(app_session):
    frame = filter_findings(app_session, rule="ID-01")
    link = csv_data_uri(frame, "问题学籍.csv")
    assert 'download="问题学籍.csv"' in link
    raw = base64.b64decode(re.search(r"base64,([^\"]+)\"", link).group(1))
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", dtype=str)
    assert list(back.columns) == list(FINDING_HEADERS.values()) and len(back) == len(frame)
    ids = full_ids(app_session)
    text = raw.decode("utf-8-sig")
    assert not ids & set(ID_TOKEN.findall(text))
    shown = csv_bytes(frame, reveal=True).decode("utf-8-sig")
    assert ids & set(ID_TOKEN.findall(shown))
    assert all(x in shown for x in frame["学籍号"].dropna())


def test_csv_escapes_formulas():
    frame = pd.DataFrame({"姓名": ["=HYPERLINK(1)", "张三"], "问题说明": ["+1", "正常"]})
    back = pd.read_csv(io.BytesIO(csv_bytes(frame)), encoding="utf-8-sig", dtype=str)
    assert back["姓名"].tolist() == ["'=HYPERLINK(1)", "张三"]
    assert back["问题说明"].tolist() == ["'+1", "正常"]


@pytest.fixture
def big_session(app_session):
    """The demo findings repeated to ~500,000 rows (a large county's list)."""
    f = app_session.findings
    k = 500_000 // len(f) + 1
    big = pd.concat([f] * k, ignore_index=True)
    return types.SimpleNamespace(findings=big, names=app_session.names,
                                 students=app_session.students), k


def test_large_lists_filter_by_masks(big_session):
    session, k = big_session
    f = session.findings
    small = f.iloc[: len(f) // k]
    filter_rows(session)  # the one sort, remembered for the frame
    start = time.perf_counter()
    for rid, n in small["rule_id"].value_counts().head(5).items():
        assert len(filter_rows(session, rule=rid)) == n * k
    code = busiest_school(small)
    assert len(filter_rows(session, school=code, severity="高")) == k * int(
        ((small["学校标识码"] == code) & (small["severity"] == "高")).fillna(False).sum())
    rows = filter_rows(session)
    assert len(rows_page(session, rows, page_count(len(rows)))) == len(rows) - 50 * (
        page_count(len(rows)) - 1)
    assert time.perf_counter() - start < 5  # generous: the machine is shared
