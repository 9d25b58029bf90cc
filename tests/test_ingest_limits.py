"""Bounded reading (issue 18): every reader checks declared dimensions, spans and decompressed
sizes before allocating and stops with one Chinese message naming the file. Every hostile file
is generated here."""
from __future__ import annotations

import csv
import re
import zipfile

import openpyxl
import pytest

from xueji_audit.cli import main
from xueji_audit.errors import FileTooLargeError
from xueji_audit.ingest import load_file
from xueji_audit.ingest.limits import MAX_AREA, MAX_COLUMNS, check_area

HEADER = ["学籍号", "姓名", "性别", "出生日期", "身份证件号", "学校标识码", "年级", "学籍状态"]
ROW = ["G110105200801011234", "张三", "男", "2008-01-01", "110105200801011234", "1101050001",
       "三年级", "在校"]


def corner_xlsx(path, far="XFD1048576"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(ROW)
    ws[far] = "x"
    wb.save(path)
    return path


def rewrite_sheet(src, dst, change):
    """Copy an .xlsx, passing the first sheet's XML through ``change``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            zout.writestr(info.filename, data)
    return dst


def refused(path, *words):
    with pytest.raises(FileTooLargeError) as err:
        load_file(path)
    text = str(err.value)
    assert path.name in text
    for w in words:
        assert w in text
    return text


def test_xlsx_cells_at_a1_and_xfd1048576(tmp_path):
    assert corner_xlsx(tmp_path / "corner.xlsx").stat().st_size < 10_000
    refused(tmp_path / "corner.xlsx", "16,384 列", "超过上限")


def test_xlsx_far_cell_without_or_with_a_lying_dimension(tmp_path):
    src = corner_xlsx(tmp_path / "src.xlsx")
    nodim = rewrite_sheet(src, tmp_path / "nodim.xlsx", lambda d: re.sub(rb"<dimension[^>]*/>", b"", d))
    lying = rewrite_sheet(src, tmp_path / "lying.xlsx",
                          lambda d: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:H2"', d))
    refused(nodim, "16,384 列")
    refused(lying, "16,384 列")


def test_xlsx_tall_and_wide_but_under_the_column_limit(tmp_path):
    """ZZ1048576 stays under the column limit yet spans 736 million cells."""
    refused(corner_xlsx(tmp_path / "tall.xlsx", far="ZZ1048576"), "个单元格")


def test_xlsx_declared_dimension_alone(tmp_path):
    src = corner_xlsx(tmp_path / "src.xlsx", far="H3")
    big = rewrite_sheet(src, tmp_path / "dim.xlsx",
                        lambda d: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', d))
    refused(big, "16,384 列")


def test_a_normal_xlsx_still_loads(tmp_path):
    res = load_file(corner_xlsx(tmp_path / "ok.xlsx", far="H3"))
    assert (res.report[0].rows_read, res.report[0].rows_loaded, res.report[0].rows_rejected) == (
        2, 1, 1)


def _bomb(tmp_path, part, size=96 * 1024 * 1024):
    src = corner_xlsx(tmp_path / "src.xlsx", far="H3")
    dst = tmp_path / "bomb.xlsx"
    chunk = b"<row><c><v>1</v></c></row>" * 40_000
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != part:
                zout.writestr(info.filename, zin.read(info.filename))
        with zout.open(part, "w") as fh:
            fh.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                     b"<sheetData>")
            for _ in range(size // len(chunk)):
                fh.write(chunk)
            fh.write(b"</sheetData></worksheet>")
    return dst


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"])
def test_zip_bomb_xlsx(tmp_path, part):
    bomb = _bomb(tmp_path, part)
    assert bomb.stat().st_size < 1_500_000
    refused(bomb, "压缩炸弹")


def html_file(path, cell):
    head = "".join(f"<th>{h}</th>" for h in HEADER)
    row = "".join(f"<td>{v}</td>" for v in ROW)
    path.write_text(f"<html><body><table><tr>{head}</tr><tr>{row}</tr><tr>{cell}{row}</tr>"
                    "</table></body></html>", encoding="utf-8")
    return path


def test_html_colspan_not_a_number_reads_as_one(tmp_path):
    res = load_file(html_file(tmp_path / "a.xls", ""))
    assert len(res.tables["students"]) == 2
    path = tmp_path / "b.xls"
    path.write_text("<html><body><table><tr>" + "".join(f"<th>{h}</th>" for h in HEADER)
                    + '</tr><tr><td colspan="abc">' + "</td><td>".join(ROW) + "</td></tr>"
                    "</table></body></html>", encoding="utf-8")
    assert load_file(path).tables["students"]["姓名"].tolist() == ["张三"]


@pytest.mark.parametrize("attr", ['colspan="30000000"', 'rowspan="30000000"',
                                  'colspan="999999999999999999999"'])
def test_html_huge_spans_refused(tmp_path, attr):
    refused(html_file(tmp_path / "span.xls", f"<td {attr}>x</td>"), "超过上限")


def test_html_many_wide_cells_refused_by_the_column_limit(tmp_path):
    refused(html_file(tmp_path / "wide.xls", '<td colspan="900">x</td>' * 3),
            f"超过上限 {MAX_COLUMNS:,} 列")


def xml_file(path, row_attr="", cell_attr=""):
    ns = 'xmlns="urn:schemas-microsoft-com:office:spreadsheet" ' \
         'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"'

    def row(values, attr=""):
        cells = "".join(f'<Cell{attr if k == 0 else ""}><Data ss:Type="String">{v}</Data></Cell>'
                        for k, v in enumerate(values))
        return f"<Row>{cells}</Row>"

    body = row(HEADER) + row(ROW) + f"<Row{row_attr}>" + row(ROW, cell_attr)[5:]
    path.write_text(f'<?xml version="1.0"?><Workbook {ns}><Worksheet ss:Name="学生"><Table>'
                    f"{body}</Table></Worksheet></Workbook>", encoding="utf-8")
    return path


def test_spreadsheetml_normal_and_with_merge_across(tmp_path):
    assert len(load_file(xml_file(tmp_path / "ok.xls")).tables["students"]) == 2
    res = load_file(xml_file(tmp_path / "m.xls", cell_attr=' ss:MergeAcross="0"'))
    assert len(res.tables["students"]) == 2


@pytest.mark.parametrize("row_attr, cell_attr, words", [
    ("", ' ss:Index="abc"', "不是有效的位置"),
    ("", ' ss:Index="300000000"', "超过上限"),
    (' ss:Index="abc"', "", "不是有效的位置"),
    (' ss:Index="300000000"', "", "超过上限"),
    ("", ' ss:MergeAcross="30000000"', "超过上限"),
])
def test_spreadsheetml_bad_indexes_refused(tmp_path, row_attr, cell_attr, words):
    refused(xml_file(tmp_path / "x.xls", row_attr, cell_attr), words)


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *rows])
    return path


@pytest.mark.parametrize("where", [0, 5])
def test_csv_cell_over_128_kb(tmp_path, where):
    rows = [ROW] * 8
    rows[where] = [ROW[0], "名" * 50_000, *ROW[2:]]
    refused(write_csv(tmp_path / "big.csv", rows), "128 KB")


def test_cli_names_the_file_and_exits_2_without_traceback(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    write_csv(data / "学生.csv", [ROW])
    corner_xlsx(data / "角落.xlsx")
    assert main(["load", str(data)]) == 2
    err = capsys.readouterr().err
    assert "角落.xlsx" in err and "超过上限" in err and "Traceback" not in err


def test_limits_are_far_above_a_real_export():
    check_area("x", 1_048_576, 60)
    with pytest.raises(FileTooLargeError):
        check_area("x", 1_048_576, MAX_AREA // 1_048_576 + 1)


def test_far_cell_hidden_in_the_middle_of_a_large_sheet(tmp_path):
    """Out of order, past the first 16 MB block, no dimension: still found."""
    src = corner_xlsx(tmp_path / "src.xlsx", far="H3")
    dst = tmp_path / "hidden.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                zout.writestr(info.filename, zin.read(info.filename))
        with zout.open("xl/worksheets/sheet1.xml", "w") as fh:
            fh.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                     b"<sheetData>")
            for start in range(1, 600_001, 10_000):
                fh.write(b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i)
                                  for i in range(start, start + 10_000)))
                if start == 450_001:
                    fh.write(b'<row r="7"><c r="ZZ1048576"><v>1</v></c></row>')
            fh.write(b"</sheetData></worksheet>")
    refused(dst, "个单元格")
