"""File formats, encodings, broken files, blank/totals rows and folder loading (DATA.md)."""
from __future__ import annotations

import io

import msoffcrypto.format.ooxml
import openpyxl
import pandas as pd
import pytest
import xlwt

from xueji_audit.errors import EmptyFileError, NoStudentTableError, UnreadableFileError
from xueji_audit.ingest import load_file, load_folder, summary_text

HEADER = ["学籍号", "姓名", "性别", "出生日期", "身份证件号", "学校标识码", "年级", "学籍状态"]
ROWS = [["G110105200801011234", "张三", "男", "2008-01-01", "110105200801011234", "1101050001",
         "三年级", "在校"],
        ["G110105200902021235", "李𠮷", "女", "2009-02-02", "110105200902021235", "1101050001",
         "二年级", "休学"]]


def csv_text(rows, delim=","):
    return "\r\n".join(delim.join(r) for r in rows) + "\r\n"


def write_xlsx(path, rows, title="Sheet1"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def check_invariant(res):
    for rep in res.report:
        assert rep.rows_read == rep.rows_loaded + rep.rows_rejected, rep


@pytest.mark.parametrize("encoding, data", [
    ("utf-8", csv_text([HEADER, *ROWS]).encode("utf-8")),
    ("utf-8-sig", csv_text([HEADER, *ROWS]).encode("utf-8-sig")),
    ("gbk", csv_text([HEADER, ROWS[0]]).encode("gbk")),
    ("gb18030", csv_text([HEADER, *ROWS]).encode("gb18030")),  # 𠮷 is not in GBK
])
def test_csv_encodings_detected(tmp_path, encoding, data):
    path = tmp_path / "学生.csv"
    path.write_bytes(data)
    res = load_file(path)
    rep = res.report[0]
    assert rep.encoding == encoding and rep.source == "csv"
    df = res.tables["students"]
    assert df.loc[0, "姓名"] == "张三"
    if len(df) > 1:
        assert df.loc[1, "姓名"] == "李𠮷"
    assert df["_row"].tolist() == list(range(2, 2 + len(df)))


def test_tab_delimited_and_undecodable_row_rejected_alone(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(csv_text([HEADER, *ROWS], "\t").encode("utf-8"))
    assert load_file(path).tables["students"]["学籍号"].tolist() == [ROWS[0][0], ROWS[1][0]]
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_text([HEADER, ROWS[0]]).encode("utf-8") + b"\x81\x20\xff\xfe\x80\x80")
    res = load_file(bad)
    assert res.tables["students"]["学籍号"].tolist() == [ROWS[0][0]]
    assert res.rejects["row"].tolist() == [3]
    assert res.rejects["reason"].iloc[0].startswith("含无法识别的字节：本行按 utf-8 解码失败")


def test_csv_line_numbers_with_quoted_line_breaks_and_short_rows(tmp_path):
    text = ("学生名单\n" + ",".join(HEADER) + "\n"
            + ",".join(ROWS[0][:1]) + ',"张\n三",' + ",".join(ROWS[0][2:]) + "\n"
            + "\n"
            + ",".join(ROWS[1]) + "\n"
            + "合计,2人\n")
    path = tmp_path / "q.csv"
    path.write_text(text, encoding="utf-8")
    res = load_file(path)
    df = res.tables["students"]
    assert df["姓名"].tolist() == ["张三", "李𠮷"]
    assert df["_row"].tolist() == [3, 6]  # line 3-4 is one record, line 5 is blank
    assert res.rejects["row"].tolist() == [7]
    assert res.rejects.loc[0, "content"] == "合计 | 2人"
    rep = res.report[0]
    assert (rep.header_row, rep.rows_read, rep.rows_loaded, rep.rows_rejected, rep.blank_rows) == (
        2, 3, 2, 1, 1)


def test_blank_rows_and_totals_row_counted_nothing_lost(tmp_path):
    rows = [["某校学生名单"], HEADER, ROWS[0], [], [None, "  "], ROWS[1],
            ["", "总 计", "2"], []]
    res = load_file(write_xlsx(tmp_path / "b.xlsx", rows))
    rep = res.report[0]
    assert (rep.rows_read, rep.rows_loaded, rep.rows_rejected, rep.blank_rows) == (3, 2, 1, 2)
    assert any("跳过空行 2 行" in n for n in rep.notes)
    assert res.rejects.to_dict("records") == [{
        "file": "b.xlsx", "sheet": "Sheet1", "row": 7, "table": "学生",
        "reason": "合计行（汇总数字，不是一条记录），未载入", "content": " | 总 计 | 2"}]
    check_invariant(res)
    assert "跳过空行 2 行" in summary_text(res)


def test_xls_biff_written_by_xlwt(tmp_path):
    wb = xlwt.Workbook()
    ws = wb.add_sheet("学生")
    ws.write(0, 0, "导出的学生名单")
    for j, h in enumerate(HEADER):
        ws.write(1, j, h)
    first = ROWS[0][:4] + [110105200801011000.0] + ROWS[0][5:]  # an ID that became a number
    second = ["G2", *ROWS[1][1:3], 39480.0, *ROWS[1][4:]]  # a date serial number: 2008-02-02
    for i, r in enumerate((first, second), start=2):
        for j, v in enumerate(r):
            ws.write(i, j, v)
    path = tmp_path / "old.xls"
    wb.save(str(path))
    res = load_file(path)
    assert res.report[0].source == "xls"
    df = res.tables["students"]
    assert df["学籍号"].tolist() == ["G2"]
    assert df.loc[0, "出生日期"] == pd.Timestamp("2008-02-02")
    assert res.rejects.loc[0, "row"] == 3 and "后几位已丢失" in res.rejects.loc[0, "reason"]


def test_html_table_saved_as_xls_in_gbk(tmp_path):
    cells = "".join(f"<td>{h}</td>" for h in HEADER)
    data = "".join(f"<td>{v}</td>" for v in ROWS[0])
    html = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
            f'</head><body><table><tr><td colspan="8">学生名单</td></tr><tr>{cells}</tr>'
            f'<tr>{data}</tr><tr><td colspan="2">合计</td><td>1</td></tr></table></body></html>')
    path = tmp_path / "export.xls"
    path.write_bytes(b"\r\n  " + html.encode("gbk"))
    res = load_file(path)
    rep = res.report[0]
    assert rep.source == "HTML网页表格" and any("HTML" in n for n in rep.notes)
    assert (rep.header_row, rep.rows_loaded, rep.rows_rejected) == (2, 1, 1)
    assert res.tables["students"].loc[0, "身份证件号"] == "110105200801011234"
    assert res.rejects.loc[0, "content"] == "合计 |  | 1"


def test_spreadsheetml_2003_xml_saved_as_xls(tmp_path):
    def cell(v, t="String"):
        return f'<Cell><Data ss:Type="{t}">{v}</Data></Cell>'
    rows = [
        "<Row>" + cell("学生名单") + "</Row>",
        "<Row>" + "".join(cell(h) for h in HEADER) + "</Row>",
        "<Row>" + "".join(cell(v) for v in ROWS[0][:3]) + cell("2008-01-01T00:00:00.000", "DateTime")
        + cell("1.10105200801011E+17", "Number") + "".join(cell(v) for v in ROWS[0][5:]) + "</Row>",
        '<Row ss:Index="5">' + "".join(cell(v) for v in ROWS[1]) + "</Row>",
    ]
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<?mso-application progid="Excel.Sheet"?>\n'
           '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
           'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">'
           f'<Worksheet ss:Name="学生"><Table>{"".join(rows)}</Table></Worksheet></Workbook>')
    path = tmp_path / "x.xls"
    path.write_text(xml, encoding="utf-8")
    res = load_file(path)
    assert res.report[0].source == "Excel2003 XML"
    assert res.tables["students"]["_row"].tolist() == [5]
    assert res.rejects["row"].tolist() == [3]
    assert "后几位已丢失" in res.rejects.loc[0, "reason"]


def test_zero_byte_file(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    with pytest.raises(EmptyFileError) as err:
        load_file(path)
    assert "empty.xlsx" in str(err.value) and "0 字节" in str(err.value)


def test_workbook_with_only_empty_sheets_and_header_only_file(tmp_path):
    wb = openpyxl.Workbook()
    wb.create_sheet("另一个")
    wb.save(tmp_path / "blank.xlsx")
    with pytest.raises(EmptyFileError) as err:
        load_file(tmp_path / "blank.xlsx")
    assert "所有工作表都是空的" in str(err.value)
    with pytest.raises(EmptyFileError) as err:
        load_file(write_xlsx(tmp_path / "head.xlsx", [["标题"], HEADER, []]))
    assert "只有表头" in str(err.value)


def test_header_only_sheet_beside_data_sheet_reports_zero_rows(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "有数据"
    for r in (HEADER, ROWS[0]):
        ws.append(r)
    wb.create_sheet("无数据").append(HEADER)
    wb.save(tmp_path / "two.xlsx")
    res = load_file(tmp_path / "two.xlsx")
    empty = [r for r in res.report if r.sheet == "无数据"][0]
    assert (empty.table, empty.rows_read, empty.rows_loaded) == ("学生", 0, 0)


@pytest.mark.parametrize("name, data", [
    ("broken.xlsx", b"PK\x03\x04 this is not really a zip file"),
    ("random.xls", bytes(range(256)) * 4),
    ("picture.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
])
def test_unreadable_files(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(UnreadableFileError) as err:
        load_file(path)
    msg = str(err.value)
    assert name in msg and ("另存为" in msg or "请确认" in msg)


def test_password_protected_xlsx(tmp_path):
    plain = write_xlsx(tmp_path / "plain.xlsx", [HEADER, ROWS[0]])
    out = io.BytesIO()
    with open(plain, "rb") as fh:
        office = msoffcrypto.format.ooxml.OOXMLFile(fh)
        office.encrypt("secret", out)
    path = tmp_path / "locked.xlsx"
    path.write_bytes(out.getvalue())
    with pytest.raises(UnreadableFileError) as err:
        load_file(path)
    assert "locked.xlsx" in str(err.value) and "密码" in str(err.value)


def test_xls_that_is_really_text(tmp_path):
    path = tmp_path / "export.xls"
    path.write_bytes(csv_text([HEADER, ROWS[0]], "\t").encode("gbk"))
    res = load_file(path)
    assert res.report[0].encoding == "gbk"
    assert any("实为文本表格" in n for n in res.report[0].notes)
    assert len(res.tables["students"]) == 1


def test_load_folder_recursive_skips_truth_temp_hidden(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "truth").mkdir()
    write_xlsx(tmp_path / "sub" / "学生信息(2026秋).xlsx", [HEADER, ROWS[0]])
    (tmp_path / "roster.csv").write_text(
        csv_text([["学校标识码", "班级", "姓名", "性别"], ["1101050001", "1班", "张三", "1"]]),
        encoding="utf-8")
    (tmp_path / "truth" / "answers.csv").write_text("not,a,table\n", encoding="utf-8")
    (tmp_path / "~$学生信息.xlsx").write_bytes(b"lock")
    (tmp_path / ".hidden.csv").write_bytes(b"junk")
    (tmp_path / "readme.txt").write_text("说明", encoding="utf-8")
    res = load_folder(tmp_path)
    assert set(res.tables) == {"students", "rosters"}
    assert res.tables["students"]["_file"].tolist() == ["sub/学生信息(2026秋).xlsx"]
    assert res.tables["rosters"]["_sheet"].tolist() == [""]
    assert list(res.rejects.columns) == ["file", "sheet", "row", "table", "reason", "content"]
    check_invariant(res)


def test_folder_without_student_table(tmp_path):
    (tmp_path / "roster.csv").write_text(
        csv_text([["学校标识码", "班级", "姓名", "性别"], ["1101050001", "1班", "张三", "1"]]),
        encoding="utf-8")
    with pytest.raises(NoStudentTableError) as err:
        load_folder(tmp_path)
    assert "没有找到「学生」表" in str(err.value)


def test_gbk_csv_with_a_short_row(tmp_path):
    # "合计,2人" has fewer cells than the header: pyarrow needs the text as UTF-8 for it
    path = tmp_path / "short.csv"
    path.write_bytes(csv_text([HEADER, ROWS[0], ["合计", "1人"]]).encode("gbk"))
    res = load_file(path)
    assert res.report[0].encoding == "gbk"
    assert res.tables["students"]["姓名"].tolist() == ["张三"]
    assert res.rejects[["row", "content"]].to_dict("records") == [{"row": 3, "content": "合计 | 1人"}]
