"""``xueji-audit forms``: drafting from the workspace's case store, --all-open, the access log."""
from __future__ import annotations

import datetime as dt

from conftest import copy_workspace
from docx import Document
from test_forms_data import FORM_DATE, make_case

from xueji_audit.cases import CaseStore, organisation
from xueji_audit.cli import main
from xueji_audit.workdays import WorkCalendar
from xueji_audit.workspace import Workspace


def set_departments(folder) -> None:
    """The county's 技术部门 and 行政部门 (the issuers of 核查单 and 督办单)."""
    organisation.set_part(folder, "技术部门", unit="某某县教育体育局技术科", person="刘某",
                          phone="0954-0000001")
    organisation.set_part(folder, "行政部门", unit="某某县教育体育局基础教育股", person="马某",
                          phone="0954-0000002")


def _store(tmp_path, built):
    ws = copy_workspace(built, tmp_path / "ws")
    set_departments(ws)
    path = ws / "cases.sqlite"
    findings = make_case()["findings"]
    with CaseStore(path) as s:
        a = s.open_case("核查", "家长反映学生学籍与就读学校不一致", findings, unit="某某县第一小学",
                        deadline_workdays=10, user="张三", on=FORM_DATE, calendar=WorkCalendar())
        b = s.open_case("核查", "第二件", findings.iloc[[0]], deadline_workdays=5, user="张三",
                        on=FORM_DATE, calendar=WorkCalendar())
        c = s.open_case("督办", "第三件", findings.iloc[[1]], deadline_workdays=5, user="张三",
                        on=FORM_DATE, calendar=WorkCalendar())
        s.set_status(b, "撤销", user="张三", on=FORM_DATE)
    return ws, (a, b, c)


def test_forms_command_drafts_and_logs(tmp_path, capsys, _app_workspace):
    ws, (a, _, _) = _store(tmp_path, _app_workspace)
    out = tmp_path / "文书"
    rc = main(["forms", str(a), "--kind", "核查单", "--out", str(out), "--workspace", str(ws),
               "--as-of", "2025-09-26", "--user", "李四"])
    assert rc == 0
    assert {p.name for p in out.iterdir()} == {
        f"核查单_案件{a}_王小明.docx", f"核查单_案件{a}_王小明.pdf", f"核查单_案件{a}_李小红.docx",
        f"核查单_案件{a}_李小红.pdf", f"核查单汇总表_案件{a}.xlsx", f"核查单汇总表_案件{a}.docx",
        f"核查单_案件{a}_合并打印.pdf"}
    doc = Document(str(out / f"核查单_案件{a}_王小明.docx"))
    cells = [c.text for r in doc.tables[0].rows for c in r.cells]
    assert "2025年10月16日" in cells and "某某县第一小学" in cells
    assert "王小明" in [c.text for c in doc.tables[0].rows[2].cells]  # student from findings
    with CaseStore(ws / "cases.sqlite") as s:
        log = s.access_log(a)
    assert list(log["action"]) == ["起草文书"] and list(log["user"]) == ["李四"]
    assert str(log["at"].iloc[0]).startswith("2025-09-26")
    assert f"案件 {a}" in capsys.readouterr().out


def test_forms_all_open_skips_closed_and_other_kinds(tmp_path, _app_workspace):
    ws, (a, b, c) = _store(tmp_path, _app_workspace)
    out = tmp_path / "文书"
    assert main(["forms", "--all-open", "--kind", "核查单", "--out", str(out), "--workspace",
                 str(ws), "--as-of", "2025-09-26", "--user", "李四"]) == 0
    assert {p.name for p in out.glob("核查单_*.docx")} == {f"核查单_案件{a}_王小明.docx",
                                                           f"核查单_案件{a}_李小红.docx"}
    assert main(["forms", "--all-open", "--kind", "督办单", "--out", str(out), "--workspace",
                 str(ws), "--as-of", "2025-09-26", "--user", "李四"]) == 0
    assert f"督办单_案件{c}_李小红.pdf" in {p.name for p in out.iterdir()}


def test_forms_needs_one_case_or_all_open(tmp_path, capsys, _app_workspace):
    ws, _ = _store(tmp_path, _app_workspace)
    base = ["--kind", "核查单", "--out", str(tmp_path / "文书"), "--workspace", str(ws),
            "--as-of", "2025-09-26"]
    assert main(["forms", *base, "--user", "李四"]) == 2
    assert "--all-open" in capsys.readouterr().err
    assert main(["forms", "99", *base, "--user", "李四"]) == 2
    assert "案件 99 不存在" in capsys.readouterr().err
    assert main(["forms", "1", *base, "--user", " "]) == 2
    assert "--user" in capsys.readouterr().err
    assert not (tmp_path / "文书").exists()  # nothing drafted without a user to log


def test_forms_fill_the_student_from_the_workspace_register(tmp_path, _app_workspace):
    ws = copy_workspace(_app_workspace, tmp_path / "ws")
    set_departments(ws)
    with Workspace.open(ws) as opened:
        found, st = opened.findings, opened.students
    # a finding on a student whose register row has a full resident ID number
    ok = st[st["身份证件号"].str.fullmatch(r"\d{17}[\dX]").fillna(False)]
    f = found[found["学籍号"].isin(ok["学籍号"])].iloc[[0]]
    pupil = ok[ok["学籍号"] == f["学籍号"].iloc[0]].iloc[0]
    with CaseStore(ws / "cases.sqlite") as s:
        case = s.open_case("核查", "核查", f, deadline_workdays=10, user="张三", on=FORM_DATE,
                           calendar=WorkCalendar())
    assert main(["forms", str(case), "--kind", "核查单", "--workspace", str(ws),
                 "--as-of", "2025-09-26", "--user", "李四"]) == 0
    (drafted,) = (ws / "forms" / f"案件{case}").glob(f"核查单_案件{case}_*.docx")
    doc = Document(str(drafted))
    cells = [c.text for r in doc.tables[0].rows for c in r.cells]
    assert pupil["身份证件号"] in cells and pupil["姓名"] in cells and pupil["性别"] in cells
    b = pupil["出生日期"]
    age = 2025 - b.year - ((9, 26) < (b.month, b.day))  # full years on the form's date
    assert str(age) in cells or f"{age}岁" in cells


def test_forms_without_a_date_use_and_print_today(tmp_path, capsys, _app_workspace):
    ws, (a, _, _) = _store(tmp_path, _app_workspace)
    assert main(["forms", str(a), "--kind", "核查单", "--workspace", str(ws), "--user", "李四"]) == 0
    today = dt.date.today()
    assert f"办理日期：{today:%Y-%m-%d}" in capsys.readouterr().out
    with CaseStore(ws / "cases.sqlite") as s:
        assert str(s.access_log(a)["at"].iloc[0]).startswith(today.isoformat())


def test_forms_take_issuer_and_handler_from_the_organisation_settings(tmp_path, capsys,
                                                                      _app_workspace):
    ws, (a, _, c) = _store(tmp_path, _app_workspace)
    organisation.set_part(ws, "学校", key="2164040001", unit="某某县第一小学", person="杨老师",
                          phone="13900000000")
    out = tmp_path / "文书"
    base = ["--workspace", str(ws), "--out", str(out), "--as-of", "2025-09-26", "--user", "李四"]
    assert main(["forms", str(a), "--kind", "核查单", *base]) == 0
    cells = [c.text for r in Document(str(out / f"核查单_案件{a}_王小明.docx")).tables[0].rows
             for c in r.cells]
    for value in ("某某县教育体育局技术科", "刘某", "0954-0000001", "某某县第一小学", "杨老师",
                  "13900000000"):
        assert value in cells
    assert main(["forms", str(c), "--kind", "督办单", *base]) == 0
    cells = [c.text for r in Document(str(out / f"督办单_案件{c}_李小红.docx")).tables[0].rows
             for c in r.cells]
    assert "某某县教育体育局基础教育股" in cells and "马某" in cells
    assert main(["case", "org", "--workspace", str(ws)]) == 0
    shown = capsys.readouterr().out
    assert "杨老师" in shown and "某某县教育体育局技术科" in shown


def test_a_missing_issuer_is_named_in_the_refusal(tmp_path, capsys, _app_workspace):
    ws = copy_workspace(_app_workspace, tmp_path / "ws")
    with CaseStore(ws / "cases.sqlite") as s:
        a = s.open_case("核查", "核查", make_case()["findings"], deadline_workdays=10, user="张三",
                        on=FORM_DATE, calendar=WorkCalendar())
    base = ["--workspace", str(ws), "--as-of", "2025-09-26", "--user", "李四"]
    assert main(["forms", str(a), "--kind", "核查单", *base]) == 2
    err = capsys.readouterr().err
    assert "未设置技术部门（核查单的交办单位），无法起草" in err and "--part 技术部门" in err
    assert not (ws / "forms").exists()
    organisation.set_part(ws, "技术部门", unit="某某县教育体育局技术科")
    assert main(["forms", str(a), "--kind", "督办单", *base]) == 2
    assert "未设置行政部门（督办单的督办单位）" in capsys.readouterr().err
    assert main(["forms", str(a), "--kind", "核查单", *base]) == 0


def test_drafting_into_a_read_only_folder_is_one_chinese_message(tmp_path, _app_workspace):
    import shlex
    import subprocess
    import sys

    ws, (a, _, _) = _store(tmp_path, _app_workspace)
    out = tmp_path / "只读文书"
    out.mkdir()
    cli = shlex.join([sys.executable, "-c", "import sys; from xueji_audit import cli; "
                      "sys.exit(cli.main(sys.argv[1:]))", "forms", str(a), "--kind", "核查单",
                      "--out", str(out), "--workspace", str(ws), "--as-of", "2025-09-26",
                      "--user", "李四"])
    script = f"mount --bind -o ro {shlex.quote(str(out))} {shlex.quote(str(out))} && {cli}"
    run = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 2 and "Traceback" not in run.stderr + run.stdout, run
    assert "不可写（只读或没有权限）" in run.stderr
    assert list(out.iterdir()) == []  # nothing half-written
    with CaseStore(ws / "cases.sqlite") as s:
        assert s.access_log(a).empty  # nothing drafted, nothing logged
