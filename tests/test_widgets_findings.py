"""The 问题学籍 browser, driven as a user would: set filters, click, read the widgets."""
import base64
import io
import re

import pandas as pd
from xueji_audit.widgets.findings import FindingsBrowser

from xueji_audit.rules import CATALOGUE
from xueji_audit.workspace.exports import FINDING_HEADERS

ID_TOKEN = re.compile(r"\d{17}[\dXx]")


def body_rows(html: str) -> int:
    return html.split("<tbody>", 1)[1].count("<tr") if "<tbody>" in html else 0


def first_numbers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"<tr><td>(\d+)</td>", html)]


def csv_of(browser) -> pd.DataFrame:
    data = re.search(r"base64,([^\"]+)\"", browser.download.value).group(1)
    return pd.read_csv(io.BytesIO(base64.b64decode(data)), encoding="utf-8-sig", dtype=str)


def shown_text(b) -> str:
    """Everything the page shows about findings and students."""
    picks = " ".join(label for label, _ in b.pick.options)
    return " ".join([b.table.value, b.detail.value, picks, csv_of(b).to_csv()])


def test_opens_on_the_first_page_of_everything(app_session):
    f = app_session.findings
    b = FindingsBrowser(app_session)
    pages = -(-len(f) // 50)
    assert b.count.value.endswith(f"共 {len(f)} 条</b>")
    assert b.page_label.value == f"第 1 / {pages} 页"
    assert body_rows(b.table.value) == 50 and len(b.pick.options) == 50
    assert first_numbers(b.table.value)[:3] == [1, 2, 3]
    assert b.prev.disabled and not b.next.disabled
    assert 'overflow:auto; max-height:480px' in b.table.value
    assert not b.klass.options[1:] and b.klass.disabled
    assert len(csv_of(b)) == len(f)


def test_paging_with_the_buttons(app_session):
    n = len(app_session.findings)
    pages = -(-n // 50)
    b = FindingsBrowser(app_session)
    b.next.click()
    assert b.page_label.value == f"第 2 / {pages} 页" and first_numbers(b.table.value)[0] == 51
    for _ in range(pages + 2):
        b.next.click()
    assert b.page_label.value == f"第 {pages} / {pages} 页" and b.next.disabled
    assert body_rows(b.table.value) == n - 50 * (pages - 1)
    b.prev.click()
    assert b.page_label.value == f"第 {pages - 1} / {pages} 页" and not b.next.disabled


def test_filters_count_like_pandas(app_session):
    f = app_session.findings
    b = FindingsBrowser(app_session)
    rid = f["rule_id"].value_counts().index[1]
    b.rule.value = rid
    n = int((f["rule_id"] == rid).sum())
    assert b.count.value.endswith(f"共 {n} 条</b>")
    assert len(csv_of(b)) == n and set(csv_of(b)["规则编号"]) == {rid}
    b.rule.value = ""
    b.severity.value = "中"
    code = str(f["学校标识码"].value_counts().index[0])
    b.school.value = code
    at = (f["学校标识码"] == code).fillna(False)
    assert b.count.value.endswith(f"共 {int((at & (f['severity'] == '中')).sum())} 条</b>")
    assert not b.klass.disabled
    classes = {v for _, v in b.klass.options[1:]}
    assert classes == set(f.loc[at, "班级"].dropna()) | (
        {"（未填）"} if f.loc[at, "班级"].isna().any() else set())
    b.severity.value = ""
    klass = f.loc[at, "班级"].value_counts().index[0]
    b.klass.value = klass
    n = int((at & (f["班级"] == klass).fillna(False)).sum())
    assert b.count.value.endswith(f"共 {n} 条</b>") and body_rows(b.table.value) == min(n, 50)
    b.school.value = ""
    assert b.klass.value == "" and b.klass.disabled
    assert b.count.value.endswith(f"共 {len(f)} 条</b>")


def test_picking_a_finding_shows_its_card_and_register_record(app_session):
    f = app_session.findings
    s = app_session.students
    b = FindingsBrowser(app_session)
    b.rule.value = "ID-01"
    row = b.pick.options[-1][1]
    b.pick.value = row
    d = b.detail.value
    assert "ID-01" in d and CATALOGUE["ID-01"].help in d and CATALOGUE["ID-01"].name in d
    assert f.at[row, "basis"] in d
    assert "学籍系统中的学生记录" in d
    student = s[s["学籍号"] == f.at[row, "学籍号"]].iloc[0]
    assert student["学籍状态"] in d and student["性别"] in d
    assert student["身份证件号"][:6] + "********" in d


def test_masked_until_revealed_and_the_reveal_is_logged(app_session):
    s = app_session.students
    ids = set(s["身份证件号"].dropna()[s["身份证件号"].dropna().str.fullmatch(r"\d{17}[\dXx]")])
    b = FindingsBrowser(app_session)
    b.rule.value = "ID-02"
    row = next(v for _, v in b.pick.options
               if (s["学籍号"] == app_session.findings.at[v, "学籍号"]).any())
    b.pick.value = row
    assert not ids & set(ID_TOKEN.findall(shown_text(b)))
    assert app_session.store.access_log().empty
    b.reveal.value = True
    assert b.pick.value == row
    student = s[s["学籍号"] == app_session.findings.at[row, "学籍号"]].iloc[0]
    assert student["身份证件号"] in b.detail.value
    assert ids & set(ID_TOKEN.findall(shown_text(b)))
    assert set(csv_of(b)["学籍号"].dropna()) == set(
        app_session.findings.loc[app_session.findings["rule_id"] == "ID-02", "学籍号"].dropna())
    log = app_session.store.access_log()
    assert len(log) == 1 and log.at[0, "user"] == app_session.config.user
    assert "问题学籍" in log.at[0, "detail"]
    b.reveal.value = False
    assert not ids & set(ID_TOKEN.findall(shown_text(b)))
    assert len(app_session.store.access_log()) == 1


def test_download_has_every_column_and_a_dated_name(app_session):
    b = FindingsBrowser(app_session)
    b.severity.value = "低"
    frame = csv_of(b)
    assert list(frame.columns) == list(FINDING_HEADERS.values())
    assert len(frame) == int((app_session.findings["severity"] == "低").sum())
    as_of = app_session.config.as_of.strftime("%Y%m%d")
    assert f'download="问题学籍_{as_of}.csv"' in b.download.value
