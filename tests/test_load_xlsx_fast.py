""".xlsx fast path (fastexcel + XML type scan) against the python-calamine path."""
from __future__ import annotations

import datetime as dt
import zipfile
from xml.sax.saxutils import escape

import fastexcel
import numpy as np
import openpyxl
import pandas as pd
import pytest
from test_load_values import HEADER, row  # the same student row shapes

from xueji_audit.ingest import load_file, readers, readers_xlsx

TITLE = "示范县2026年秋季学期学生名单"
LOST = "已被 Excel 转成数字，后几位已丢失"


# sheet rows 1..10: title (merged A1:K1), header, data with blank rows 5 and 8 inside
ROWS = [
    [TITLE], HEADER,
    row(学籍号="G1", 出生日期=dt.datetime(2008, 1, 2, 10, 30), 入学年月=dt.date(2019, 9, 1)),
    row(学籍号="G2", 身份证件号=110105200801011000),  # an 18-digit ID that became a number
    [],
    row(学籍号="G3", 身份证件号=110105080101123, 学校标识码=1101050001, 出生日期=39449),
    row(学籍号="G4", 身份证件号="11010520080101123X", 建籍日期=dt.date(2019, 9, 16)),
    [None, "   "],
    row(学籍号="G5", 姓名=True, 出生日期=1234),
    ["合计", "5人"],
]


def openpyxl_file(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "学生名单"
    for r in ROWS:
        ws.append(r)
    ws.merge_cells("A1:K1")
    wb.save(path)
    return path


def shared_strings_file(path, rows, merge="A1:K1"):
    """An .xlsx as Excel writes it: text in a shared-strings table (``t="s"``), numbers bare."""
    strings: dict[str, int] = {}
    xml = []
    for r, cells in enumerate(rows, start=1):
        out = []
        for j, v in enumerate(cells):
            ref = f"{chr(65 + j)}{r}"
            if isinstance(v, str):
                out.append(f'<c r="{ref}" t="s"><v>{strings.setdefault(v, len(strings))}</v></c>')
            elif v is not None:
                out.append(f'<c r="{ref}"><v>{v!r}</v></c>')
        xml.append(f'<row r="{r}">{"".join(out)}</row>')
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", (
            f'<Types xmlns="{pkg}/content-types"><Default Extension="rels" ContentType='
            '"application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            f'ContentType="{ct}.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" '
            f'ContentType="{ct}.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" '
            f'ContentType="{ct}.sharedStrings+xml"/></Types>'))
        zf.writestr("_rels/.rels", f'<Relationships xmlns="{pkg}/relationships"><Relationship '
                    f'Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        zf.writestr("xl/workbook.xml", f'<workbook {ns} xmlns:r="{rel}"><sheets><sheet name="学生" '
                    'sheetId="1" r:id="rId1"/></sheets></workbook>')
        zf.writestr("xl/_rels/workbook.xml.rels", (
            f'<Relationships xmlns="{pkg}/relationships"><Relationship Id="rId1" '
            f'Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
            f'Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'))
        zf.writestr("xl/sharedStrings.xml", f'<sst {ns}>' + "".join(
            f"<si><t>{escape(s)}</t></si>" for s in strings) + "</sst>")
        zf.writestr("xl/worksheets/sheet1.xml", (
            f'<worksheet {ns}><sheetData>{"".join(xml)}</sheetData><mergeCells count="1">'
            f'<mergeCell ref="{merge}"/></mergeCells></worksheet>'))
    return path


def both_paths(path) -> tuple[readers.RawSheet, readers.RawSheet]:
    """The first sheet read by the fast path (which must not decline it) and by calamine."""
    with zipfile.ZipFile(path) as zf:
        name, part = next(iter(readers_xlsx.sheet_parts(zf).items()))
        grid, merged, col0 = readers_xlsx.read_sheet(
            fastexcel.read_excel(path), zf, name, part, readers_xlsx.duration_styles(zf))
    fast = readers.sheet_from_grid(name, grid, merged, col0)
    wb = readers._open_workbook(path, "xlsx")
    return fast, next(readers._workbook_sheets(path, wb))


def assert_same_grid(fast: readers.RawSheet, slow: readers.RawSheet) -> None:
    assert fast.top == slow.top and fast.top_rows == slow.top_rows
    a, b = fast.body(-1), slow.body(-1)
    assert a.rows.tolist() == b.rows.tolist()
    assert [c.to_pylist() for c in a.columns] == [c.to_pylist() for c in b.columns]
    for x, y in zip(a.numbers, b.numbers, strict=True):
        assert (x is None) == (y is None)
        if x is not None:
            np.testing.assert_array_equal(x, y)


def load_both(path, monkeypatch) -> tuple:
    fast = load_file(path)
    monkeypatch.setattr(readers, "FAST_XLSX", False)
    slow = load_file(path)
    monkeypatch.setattr(readers, "FAST_XLSX", True)
    return fast, slow


def assert_same_load(fast, slow) -> None:
    assert fast.tables.keys() == slow.tables.keys()
    for key in fast.tables:
        pd.testing.assert_frame_equal(fast.tables[key], slow.tables[key])
    pd.testing.assert_frame_equal(fast.rejects, slow.rejects)
    assert [vars(r) for r in fast.report] == [vars(r) for r in slow.report]


def test_openpyxl_file_same_cells_as_calamine(tmp_path):
    fast, slow = both_paths(openpyxl_file(tmp_path / "s.xlsx"))
    assert_same_grid(fast, slow)
    assert fast.top[0] == [TITLE] * 11  # the merged title fills its area
    body = fast.body(1)
    assert body.rows.tolist() == list(range(3, 11))
    assert body.columns[3].to_pylist()[:4] == ["2008-01-02 10:30:00", "2008-01-01", "", "39449"]
    assert body.columns[5].to_pylist()[1] == "1.10105200801011e+17"
    assert body.columns[1].to_pylist()[6] == "TRUE"
    assert body.numbers[5][1] == 110105200801011000 and np.isnan(body.numbers[5][0])


def test_openpyxl_file_loads_like_calamine(tmp_path, monkeypatch):
    path = openpyxl_file(tmp_path / "s.xlsx")
    fast, slow = load_both(path, monkeypatch)
    assert_same_load(fast, slow)
    df = fast.tables["students"]
    assert df["学籍号"].tolist() == ["G1", "G3", "G4", "G5"]
    assert df["_row"].tolist() == [3, 6, 7, 9]
    assert df["身份证件号"].tolist()[1] == "110105080101123"
    assert df["学校标识码"].tolist()[1] == "1101050001"
    assert df["姓名"].tolist()[3] == "TRUE"
    # real date cells, a serial 39449 and a numeric 1234 (serial: 1903-05-18)
    assert df["出生日期"].tolist() == [pd.Timestamp("2008-01-02"), pd.Timestamp("2008-01-02"),
                                   pd.Timestamp("2008-01-01"), pd.Timestamp("1903-05-18")]
    assert df["入学年月"].tolist()[0] == pd.Timestamp("2019-09-01")
    assert df["建籍日期"].tolist()[2] == pd.Timestamp("2019-09-16")
    assert fast.rejects["row"].tolist() == [4, 10]
    assert fast.rejects["reason"].tolist() == [
        "身份证件号「1.10105200801011e+17」已被 Excel 转成数字，后几位已丢失，无法恢复；"
        "请在导出或编辑时把该列设为文本后重新导出", "合计行（汇总数字，不是一条记录），未载入"]
    assert (fast.report[0].header_row, fast.report[0].blank_rows) == (2, 2)


@pytest.mark.parametrize("block", [readers_xlsx._BLOCK, 300])
def test_shared_strings_file_and_small_blocks(tmp_path, monkeypatch, block):
    # blocks of 300 bytes: most hold only text cells and are skipped by the count check
    monkeypatch.setattr(readers_xlsx, "_BLOCK", block)
    rows = [[TITLE], HEADER, row(学籍号="G1"), [], row(学籍号="G2", 身份证件号=110105200801011000),
            row(学籍号="G3"), row(学籍号="G4", 学校标识码=1101050001, 出生日期=39450.5)]
    path = shared_strings_file(tmp_path / "ss.xlsx", rows)
    fast, slow = both_paths(path)
    assert_same_grid(fast, slow)
    res, ref = load_both(path, monkeypatch)
    assert_same_load(res, ref)
    assert res.tables["students"]["_row"].tolist() == [3, 6, 7]
    assert res.tables["students"]["出生日期"].tolist()[-1] == pd.Timestamp("2008-01-03")
    assert res.rejects["row"].tolist() == [5] and LOST in res.rejects.loc[0, "reason"]


def test_sheet_starting_at_column_c_and_row_3(tmp_path, monkeypatch):
    rows = [[], [], [None, None, TITLE], [None, None, *HEADER],
            [None, None, *row(学籍号="G1", 身份证件号=110105200801011000)],
            [None, None, *row(学籍号="G2")]]
    path = shared_strings_file(tmp_path / "c3.xlsx", rows, merge="C3:M3")
    fast, slow = both_paths(path)
    assert_same_grid(fast, slow)
    res, ref = load_both(path, monkeypatch)
    assert_same_load(res, ref)
    assert res.report[0].header_row == 4
    assert res.tables["students"]["_row"].tolist() == [6]
    assert res.rejects["row"].tolist() == [5]


def test_duration_cells_are_left_to_calamine(tmp_path, monkeypatch):
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in (HEADER, row(学籍号="G1"), row(学籍号="G2", 姓名=dt.timedelta(hours=30))):
        ws.append(r)
    wb.save(tmp_path / "d.xlsx")
    with zipfile.ZipFile(tmp_path / "d.xlsx") as zf, pytest.raises(readers_xlsx.Unsupported):
        readers_xlsx.scan_sheet(zf, "xl/worksheets/sheet1.xml", readers_xlsx.duration_styles(zf))
    res, ref = load_both(tmp_path / "d.xlsx", monkeypatch)
    assert_same_load(res, ref)
    assert res.tables["students"]["姓名"].tolist() == ["张三", "1 day, 6:00:00"]
