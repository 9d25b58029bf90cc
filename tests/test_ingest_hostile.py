"""``xueji-audit load`` on every hostile input of issue 18, each in a child process limited to
4 GB of address space (``RLIMIT_AS``) and 60 s: no traceback, no abort, a Chinese message.

Exit codes (docs/data.md): 0 when the folder was loaded (broken rows rejected alone, unreadable
files named in the report); 2 when a file had to be refused as a whole (the message names it).
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from test_ingest_limits import HEADER, ROW, _bomb, corner_xlsx, html_file, xml_file

LIMIT = 4 * 1024 ** 3
CHILD = f"""
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({LIMIT}, {LIMIT}))
from xueji_audit.cli import main
sys.exit(main(["load", sys.argv[1]]))
"""


def run_load(folder):
    proc = subprocess.run([sys.executable, "-c", CHILD, str(folder)], capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PYTHONFAULTHANDLER": ""})
    return proc.returncode, proc.stdout, proc.stderr


def good_csv(folder, n=20, name="学生.csv"):
    rows = [",".join(HEADER)] + [",".join([f"G1101052008010{k:05d}", f"学生{k}", *ROW[2:]])
                                 for k in range(1, n + 1)]
    (folder / name).write_text("\n".join(rows) + "\n", encoding="utf-8")
    return rows


def _corner(d):
    corner_xlsx(d / "角落.xlsx")


def _bomb_sheet(d):
    _bomb(d, "xl/worksheets/sheet1.xml").rename(d / "炸弹.xlsx")


def _html(span):
    return lambda d: html_file(d / "网页.xls", f"<td {span}>x</td>")


def _xml(row_attr="", cell_attr=""):
    return lambda d: xml_file(d / "表格.xls", row_attr, cell_attr)


def _big_cell(d):
    good_csv(d, name="大单元格.csv")
    with open(d / "大单元格.csv", "a", encoding="utf-8") as fh:
        fh.write(",".join([ROW[0], "名" * 50_000, *ROW[2:]]) + "\n")


REFUSED = {
    "cells at A1 and XFD1048576": (_corner, "角落.xlsx"),
    "zip bomb": (_bomb_sheet, "炸弹.xlsx"),
    'colspan="30000000"': (_html('colspan="30000000"'), "网页.xls"),
    'rowspan="30000000"': (_html('rowspan="30000000"'), "网页.xls"),
    'ss:Index="abc"': (_xml(cell_attr=' ss:Index="abc"'), "表格.xls"),
    'ss:Index="300000000"': (_xml(cell_attr=' ss:Index="300000000"'), "表格.xls"),
    'Row ss:Index="300000000"': (_xml(row_attr=' ss:Index="300000000"'), "表格.xls"),
    "CSV cell over 128 KB": (_big_cell, "大单元格.csv"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_hostile_file_refused_with_one_chinese_message(tmp_path, case):
    make, name = REFUSED[case]
    good_csv(tmp_path)
    make(tmp_path)
    code, out, err = run_load(tmp_path)
    assert code == 2, (code, err[-2000:])
    assert "Traceback" not in err and "panicked" not in err and "memory allocation" not in err
    assert err.strip().startswith("错误：文件 ")
    assert name in err and len(err.strip().splitlines()) <= 2


def _stray_quote(d):
    rows = good_csv(d)
    rows[5] = rows[5].replace("学生5", '"学生5')
    (d / "学生.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def _garbage(d):
    rows = [r.encode("gb18030") for r in good_csv(d)]
    rows[7] = rows[7].replace("学生7".encode("gb18030"), b"\x81\x20\xff")
    (d / "学生.csv").write_bytes(b"\r\n".join(rows) + b"\r\n")


def _beside(d):
    good_csv(d)
    (d / "旧表.et").write_bytes(b"\xd0\xcf\x11\xe0")
    (d / "旧表.ods").write_bytes(b"PK\x03\x04")
    (d / "..\\..\\x.csv").write_text("a,b\n", encoding="utf-8")
    os.symlink("/etc/passwd", d / "passwd.csv")


def _colspan_abc(d):
    good_csv(d)
    html_file(d / "网页.xls", '<td colspan="abc">x</td>')


LOADED = {
    "stray quote": (_stray_quote, "读取 20 行，载入 19 行，拒收 1 行"),
    "GB18030 garbage bytes": (_garbage, "读取 20 行，载入 19 行，拒收 1 行"),
    ".et/.ods/..\\..\\x.csv/symlink beside a good file": (_beside, "读取 20 行，载入 20 行，拒收 0 行"),
    'colspan="abc"': (_colspan_abc, "读取 22 行，载入 21 行，拒收 1 行"),
}


@pytest.mark.parametrize("case", list(LOADED))
def test_recoverable_input_loads_under_the_limit(tmp_path, case):
    make, summary = LOADED[case]
    make(tmp_path)
    code, out, err = run_load(tmp_path)
    assert code == 0, err[-2000:]
    assert "Traceback" not in err and summary in out
    assert "root:" not in out
