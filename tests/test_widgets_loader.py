"""The 数据导入 page and its data functions: load a folder or uploaded files, report, mask."""
import datetime as dt
import re

import pytest
from conftest import AS_OF
from xueji_audit.widgets.loader import DataLoader

from xueji_audit.app import AppConfig, Session
from xueji_audit.app.loader import (
    REJECT_HEADERS,
    rejects_html,
    rejects_table,
    severity_table,
    summary_html,
    summary_line,
    upload_files,
)
from xueji_audit.ingest import REPORT_HEADERS, report_table

USER = "测试督查员"
ID_TOKEN = re.compile(r"\d{17}[\dXx]")


def findings_count(html: str) -> int:
    return int(re.search(r'<span class="xj-findings-count"[^>]*>(\d+)</span>', html).group(1))


def reject_ids(session) -> set[str]:
    """The full ID numbers inside the rejected rows' content (guardians', in 学籍号)."""
    return set(ID_TOKEN.findall(" ".join(session.loaded.rejects["content"].astype(str))))


def upload_value(files) -> tuple[dict, ...]:
    """What ipywidgets 8 ``FileUpload.value`` holds after the user picked ``files``."""
    stamp = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    return tuple({"name": p.name, "type": "", "size": p.stat().st_size,
                  "content": memoryview(p.read_bytes()), "last_modified": stamp} for p in files)


@pytest.fixture
def config(tmp_path):
    return AppConfig(tmp_path / "workspace", USER, AS_OF)


# -- package functions ----------------------------------------------------------------------
def test_load_report_counts_are_those_of_the_sheets(app_session):
    report = app_session.loaded.report
    t = report_table(app_session.loaded)
    assert tuple(t.columns) == REPORT_HEADERS and len(t) == len(report)
    for col, attr in (("读取", "rows_read"), ("载入", "rows_loaded"), ("拒收", "rows_rejected"),
                      ("空行", "blank_rows")):
        assert int(t[col].sum()) == sum(getattr(r, attr) for r in report)
    students = t[t["识别为"] == "学生"]
    assert int(students["载入"].sum()) == len(app_session.students)
    assert t["说明"].str.contains("跳过空行").any()


def test_rejects_and_severities(app_session):
    r = rejects_table(app_session.loaded)
    assert list(r.columns) == list(REJECT_HEADERS.values())
    assert len(r) == len(app_session.loaded.rejects) > 0
    assert r["拒收原因"].tolist() == app_session.loaded.rejects["reason"].tolist()
    sev = severity_table(app_session.findings)
    counts = app_session.findings["severity"].value_counts()
    assert sev["严重程度"].tolist() == ["高", "中", "低"]
    assert sev["问题数"].tolist() == [int(counts.get(s, 0)) for s in ("高", "中", "低")]
    n, m = len(app_session.students), len(app_session.findings)
    assert summary_line(app_session) == f"载入学生 {n} 人，发现问题学籍 {m} 条"
    assert findings_count(summary_html(app_session)) == m


def test_rejects_masked_unless_revealed(app_session):
    ids = reject_ids(app_session)
    assert ids
    assert not ids & set(ID_TOKEN.findall(rejects_html(app_session.loaded)))
    assert ids <= set(ID_TOKEN.findall(rejects_html(app_session.loaded, reveal=True)))
    one = rejects_html(app_session.loaded, limit=2)
    n = len(app_session.loaded.rejects)
    assert f"共 {n} 行未能载入，下表列出前 2 行" in one and one.count("<tr>") == 3


def test_upload_files_reads_both_ipywidgets_formats(app_county):
    paths = sorted((app_county / "学校").glob("*.xlsx"))
    got = upload_files(upload_value(paths))
    assert got == [(p.name, p.read_bytes()) for p in paths]
    old = {p.name: {"metadata": {"name": p.name}, "content": p.read_bytes()} for p in paths}
    assert upload_files(old) == got
    assert upload_files(()) == [] and upload_files({}) == []


# -- the widget -----------------------------------------------------------------------------
def test_empty_workspace_waits_for_data(config):
    loader = DataLoader(config)
    assert loader.session is None and loader.summary.value == "" and loader.rejects.value == ""
    assert loader.reveal.disabled and loader.progress.layout.display == "none"
    assert loader.upload.accept == ".xlsx,.xls,.csv" and loader.upload.multiple
    assert loader.load_upload.description == "上传并督查"
    assert loader.load_folder.description == "读取文件夹并督查"


def test_saved_session_is_shown_at_start(app_session):
    loader = DataLoader(app_session.config)
    try:
        assert loader.session is not None and not loader.reveal.disabled
        assert findings_count(loader.summary.value) == len(app_session.findings)
        assert f"载入学生 <span class=\"xj-students-count\">{len(app_session.students)}" \
            in loader.summary.value
        assert "已打开工作区中的督查结果" in loader.message.value
    finally:
        loader.session.close()


def test_folder_load_reports_and_reveals(config, app_county, app_session):
    seen, states = [], []
    loader = DataLoader(config, on_loaded=seen.append)
    loader.progress.update = lambda f, m: states.append(
        (loader.load_folder.disabled, loader.load_upload.disabled))
    loader.folder.value = str(app_county)
    loader.load_folder.click()
    try:
        s = loader.session
        assert s is not None and seen == [s]
        assert states and all(a and b for a, b in states)
        assert not loader.load_folder.disabled and not loader.load_upload.disabled
        assert len(s.students) == len(app_session.students)
        assert len(s.findings) == len(app_session.findings)
        assert findings_count(loader.summary.value) == len(s.findings)
        assert "导入完成" in loader.message.value
        assert loader.summary.value.count("<tr>") == 1 + 3 + 1 + len(s.loaded.report)
        again = Session.open(config)
        assert again is not None and len(again.findings) == len(s.findings)
        again.close()
        ids = reject_ids(s)
        assert not ids & set(ID_TOKEN.findall(loader.rejects.value))
        assert s.store.access_log().empty
        loader.reveal.value = True
        assert ids <= set(ID_TOKEN.findall(loader.rejects.value))
        log = s.store.access_log()
        assert len(log) == 1 and "数据导入" in log.at[0, "detail"] and log.at[0, "user"] == USER
    finally:
        loader.session.close()


def test_upload_loads_the_chosen_files(config, app_county, app_session):
    files = sorted((app_county / "学生信息").iterdir()) + sorted((app_county / "学校").iterdir())
    loader = DataLoader(config)
    loader.upload.value = upload_value(files)
    assert len(loader.upload.value) == len(files)
    loader.load_upload.click()
    try:
        s = loader.session
        assert s is not None, loader.message.value
        assert set(s.loaded.tables) == {"students", "schools"}
        assert len(s.students) == len(app_session.students)
        assert findings_count(loader.summary.value) == len(s.findings)
        assert {r.file for r in s.loaded.report} == {p.name for p in files}
        assert not loader.reveal.disabled and not loader.reveal.value
    finally:
        loader.session.close()


def test_errors_are_shown_in_chinese(config, app_county, tmp_path):
    loader = DataLoader(config)
    loader.load_upload.click()
    assert "没有选择文件" in loader.message.value and "xj-error" in loader.message.value
    loader.load_folder.click()
    assert "请填写数据文件夹路径" in loader.message.value
    loader.folder.value = str(tmp_path / "没有这个文件夹")
    loader.load_folder.click()
    assert "不存在" in loader.message.value and loader.session is None
    note = tmp_path / "说明.txt"
    note.write_text("不是数据", encoding="utf-8")
    loader.upload.value = upload_value([note])
    loader.load_upload.click()
    assert "不支持的文件类型" in loader.message.value and loader.session is None
    loader.upload.value = upload_value(sorted((app_county / "学校").iterdir()))
    loader.load_upload.click()
    assert "操作未完成" in loader.message.value and "学生" in loader.message.value
    assert loader.session is None and loader.reveal.disabled
    assert not loader.load_upload.disabled and not loader.load_folder.disabled
