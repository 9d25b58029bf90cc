"""The 控辍保学 list (ST-06): its own file in the clerk's exports and its own section in report 01."""
from __future__ import annotations

import pandas as pd
from conftest import copy_workspace

from xueji_audit.reports.overview import dropout_section
from xueji_audit.rules.records import DROPOUT_COLUMNS
from xueji_audit.workspace import Workspace
from xueji_audit.workspace.exports import write_exports


def test_dropout_list_file_and_report_section(tmp_path, _app_workspace):
    ws_dir = copy_workspace(_app_workspace, tmp_path / "ws")
    with Workspace.open(ws_dir) as ws:
        written = write_exports(ws, tmp_path / "out")
        st06 = ws.findings[ws.findings["rule_id"] == "ST-06"]
        section = dropout_section(ws.result, ws.students, ws.names)
        one = st06["学校标识码"].iloc[0]
        of_one = dropout_section(ws.result, ws.students, ws.names, school=one)
        names = ws.names
    names_written = {p.name for p in written}
    assert {"控辍保学名单.csv", "控辍保学名单.xlsx"} <= names_written
    table = pd.read_csv(tmp_path / "out" / "控辍保学名单.csv", dtype=str, keep_default_na=False,
                        encoding="utf-8-sig")
    assert list(table.columns) == list(DROPOUT_COLUMNS)
    assert len(st06) >= 3 and sorted(table["学籍号"]) == sorted(st06["学籍号"])
    assert set(table["学校"]) <= set(names.to_numpy()) and (table["学籍状态"] != "").all()
    assert (table["监护人"] != "").all() and (table["乡镇"].str.match(r".+[乡镇]$")).all()
    assert sorted(section["学籍号"]) == sorted(table["学籍号"])
    assert 0 < len(of_one) <= len(section) and set(of_one["学校"]) == {names[one]}
