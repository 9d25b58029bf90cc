"""Header normalisation, header-row detection and table recognition (DATA.md)."""
from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from xueji_audit.errors import MissingColumnError, NoHeaderError
from xueji_audit.ingest import load_file
from xueji_audit.ingest.headers import detect_header, normalize_header

HEADER = ["学籍号", "姓名", "性别", "出生日期", "身份证件号", "学校标识码", "年级", "学籍状态"]
ROW = ["G110105200801011234", "张三", "男", "2008-01-01", "110105200801011234", "1101050001",
       "三年级", "在校"]


def write_xlsx(path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    wb.save(path)
    return path


@pytest.mark.parametrize("cell, expected", [
    (" 学籍号 ", "学籍号"),
    ("学籍\n号", "学籍号"),
    ("*姓名", "姓名"),
    ("姓名＊", "姓名"),
    ("上下学距离（公里）", "上下学距离"),
    ("学费(元)", "学费"),
    ("学籍号[必填]", "学籍号"),
    ("学籍号*(必填)", "学籍号"),
    ("成员１身份证件号", "成员1身份证件号"),
    ("国籍/地区", "国籍/地区"),
])
def test_normalize_header(cell, expected):
    assert normalize_header(cell) == expected


def test_header_under_title_rows_with_merged_title(tmp_path):
    rows = [["XX县2026年秋季学期学生名单"], ["导出时间：2026-11-20 09:00"], [], HEADER, ROW]
    path = write_xlsx(tmp_path / "学生信息(2026秋).xlsx", {"Sheet1": rows},
                      {"Sheet1": ["A1:H1"]})
    res = load_file(path)
    rep = res.report[0]
    assert (rep.table, rep.header_row, rep.rows_read, rep.rows_loaded) == ("学生", 4, 1, 1)
    assert res.tables["students"]["_row"].tolist() == [5]


def test_aliases_markers_fullwidth_and_units_are_accepted(tmp_path):
    header = ["全国学籍号*", "＊学生姓名", "性　别", "出生日期（年月日）", "证件类型",
              "身份证号", "学校代码", "年级", "班级名称", "在校状态", "上下学距离（公里）"]
    row = ["G110105200801011234", "张三", "1", "20080101", "1", "110105200801011234",
           "1101050001", "3", "3班", "在读", "2.5"]
    res = load_file(write_xlsx(tmp_path / "a.xlsx", {"s": [header, row]}))
    df = res.tables["students"]
    assert df.loc[0, "学籍号"] == "G110105200801011234"
    assert df.loc[0, "姓名"] == "张三"
    assert df.loc[0, "班级"] == "3班"
    assert df.loc[0, "学籍状态"] == "在校"
    assert df.loc[0, "身份证件类型"] == "居民身份证"
    assert res.present_columns("students") == {
        "学籍号", "姓名", "性别", "出生日期", "身份证件类型", "身份证件号", "学校标识码", "年级",
        "班级", "学籍状态"}
    # the unknown column is noted, not loaded; absent optional columns are all-NA
    assert any("上下学距离" in n for n in res.report[0].notes)
    assert "上下学距离" not in df.columns
    assert df["民族"].isna().all() and df["入学年月"].isna().all()


def test_two_row_header_under_merged_group_label(tmp_path):
    top = HEADER + ["成员1", None, None]
    sub = [None] * len(HEADER) + ["姓名", "关系", "身份证件号"]
    row = ROW + ["张父", "父亲", "110105198001011111"]
    merges = [f"{c}1:{c}2" for c in "ABCDEFGH"] + ["I1:K1"]
    path = write_xlsx(tmp_path / "two.xlsx", {"s": [top, sub, row]}, {"s": merges})
    res = load_file(path)
    df = res.tables["students"]
    assert res.report[0].header_row == 2
    assert df.loc[0, "姓名"] == "张三"
    assert df.loc[0, "成员1姓名"] == "张父"
    assert df.loc[0, "成员1关系"] == "父亲"
    assert df.loc[0, "成员1身份证件号"] == "110105198001011111"


def test_student_export_missing_status_is_named_not_a_roster():
    header = ["学籍号", "姓名", "性别", "出生日期", "身份证件类型", "身份证件号", "学校标识码",
              "年级", "班级"]
    with pytest.raises(MissingColumnError) as err:
        detect_header([["学生名单"], header], "x.xlsx", "Sheet1")
    assert "识别为「学生」表，但缺少必需列：学籍状态" in str(err.value)
    assert "x.xlsx" in str(err.value) and "Sheet1" in str(err.value)


def test_missing_several_required_columns_named_all(tmp_path):
    header = ["学籍号", "姓名", "学籍状态", "性别", "年级"]
    path = write_xlsx(tmp_path / "m.xlsx", {"s": [header, ["G1", "张三", "在校", "男", "1"]]})
    with pytest.raises(MissingColumnError) as err:
        load_file(path)
    assert err.value.missing == ["出生日期", "身份证件号", "学校标识码"]
    assert "m.xlsx" in str(err.value)


def test_roster_is_recognised_by_its_headers():
    m = detect_header([["学校代码", "班级", "学生姓名", "性别", "核对日期"]], "r.csv")
    assert m.table.key == "rosters"
    assert m.columns == {0: "学校标识码", 1: "班级", 2: "姓名", 3: "性别", 4: "核对日期"}


@pytest.mark.parametrize("header, key", [
    (["业务编号", "业务类型", "学籍号", "发起日期", "业务状态"], "changes"),
    (["业务编号", "环节序号", "环节名称", "处理单位", "到达日期"], "steps"),
    (["学校标识码", "学校名称", "学段", "学制"], "schools"),
    (["学籍号", "变更项目", "原值", "新值", "变更日期"], "modifications"),
])
def test_other_tables_recognised(header, key):
    assert detect_header([header], "f.xlsx").table.key == key


def test_sheet_without_recognisable_header(tmp_path):
    path = write_xlsx(tmp_path / "notes.xlsx", {"说明": [["本表说明"], ["请勿修改"], ["a", "b"]]})
    with pytest.raises(NoHeaderError) as err:
        load_file(path)
    assert "notes.xlsx" in str(err.value) and "找不到可识别的表头" in str(err.value)


def test_unrecognised_sheet_beside_a_good_one_is_noted(tmp_path):
    path = write_xlsx(tmp_path / "wb.xlsx", {"学生": [HEADER, ROW], "说明": [["导出说明"]]})
    res = load_file(path)
    assert len(res.tables["students"]) == 1
    skipped = [r for r in res.report if r.sheet == "说明"][0]
    assert skipped.table == "" and "找不到可识别的表头" in "".join(skipped.notes)


def test_several_sheets_one_class_each_are_concatenated(tmp_path):
    roster = ["学校标识码", "班级", "姓名", "性别"]
    sheets = {"一班": [["一年级一班名单"], roster, ["1101050001", "一班", "甲", "男"],
                      ["1101050001", "一班", "乙", "女"]],
              "空表": [],
              "二班": [roster, ["1101050001", "二班", "丙", "2"]]}
    res = load_file(write_xlsx(tmp_path / "rosters.xlsx", sheets))
    df = res.tables["rosters"]
    assert df["姓名"].tolist() == ["甲", "乙", "丙"]
    assert df["性别"].tolist() == ["男", "女", "女"]
    assert df["_sheet"].tolist() == ["一班", "一班", "二班"]
    assert df["_row"].tolist() == [3, 4, 2]
    empty = [r for r in res.report if r.sheet == "空表"][0]
    assert "空工作表" in "".join(empty.notes) and empty.rows_read == 0
    assert isinstance(df["_file"].dtype, pd.StringDtype)
