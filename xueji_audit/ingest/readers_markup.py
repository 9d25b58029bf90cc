"""Reading markup saved as ``.xls``: HTML tables (a common web-system export) and SpreadsheetML
2003 XML. Every cell becomes text; colspan/rowspan and MergeAcross keep the columns aligned.
"""
from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..errors import UnreadableFileError
from . import limits
from .readers import RESAVE, RawFile, grid_from_rows, sheet_from_grid

_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)


def _html_encoding(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    m = _CHARSET.search(data[:4096])
    if m:
        declared = m.group(1).decode("ascii").lower()
        try:
            codecs.lookup(declared)
        except LookupError:
            declared = ""
        if declared in ("gb2312", "gbk", "x-gbk"):
            return "gb18030"  # a superset: decodes whatever was written as GB2312/GBK
        if declared:
            return declared
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def _html_table_rows(table, file: str) -> list[list[str]]:
    """Cell texts of an HTML table; a colspan/rowspan cell fills its first slot, '' the rest.

    Spans are read as browsers read them (not a number → 1) and refused above the limits
    (:mod:`.limits`); the area is checked as the rows are built."""
    rows: list[list[str]] = []
    covered: dict[int, int] = {}  # column -> rows below still covered by a rowspan
    cells = 0
    for tr in table.iter("tr"):
        row: list[str] = []
        new: dict[int, int] = {}
        c = 0
        for cell in tr.xpath("./td|./th"):
            while covered.get(c, 0) > 0:
                row.append("")
                c += 1
            across = limits.span(file, cell.get("colspan"), "colspan")
            down = limits.span(file, cell.get("rowspan"), "rowspan")
            limits.check_area(file, len(rows) + 1, c + across)
            row.append(cell.text_content())
            row.extend([""] * (across - 1))
            if down > 1:
                new.update(dict.fromkeys(range(c, c + across), down - 1))
            c += across
        while covered.get(c, 0) > 0:
            row.append("")
            c += 1
        covered = {k: v - 1 for k, v in covered.items() if v > 1}
        covered.update(new)
        cells += len(row)
        if cells > limits.MAX_AREA:
            limits.check_area(file, len(rows) + 1, limits.MAX_COLUMNS + 1)
        rows.append(row)
    return rows


def read_html(path: Path) -> RawFile:
    """An HTML table saved as ``.xls``: every ``<table>`` is a sheet, every cell text."""
    import lxml.html

    data = path.read_bytes()
    encoding = _html_encoding(data)
    text = data.decode(encoding, errors="replace")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text.lstrip("\ufeff"))
    try:
        doc = lxml.html.document_fromstring(text)
    except Exception as exc:
        raise UnreadableFileError(str(path), f"HTML 表格无法解析（{exc}）", RESAVE) from exc
    tables = [t for t in doc.iter("table") if not t.xpath("ancestor::table")]
    sheets = []
    for k, table in enumerate(tables, start=1):
        rows = _html_table_rows(table, str(path))
        name = "" if len(tables) == 1 else f"表{k}"
        sheet = sheet_from_grid(name, grid_from_rows(rows))
        sheet.notes.append(f"文件实为 HTML 网页表格（编码 {encoding}），已按文本读取")
        sheets.append(sheet)
    return RawFile(path, "html", encoding, iter(sheets))


_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"


def _xml_rows(table, file: str) -> tuple[list[list], list[int]]:
    rows, numbers = [], []
    r = 0
    count = 0
    for row in table.iter(f"{_SS}Row"):
        at = row.get(f"{_SS}Index")
        r = r + 1 if at is None else limits.index(file, at, "ss:Index", limits.MAX_ROWS)
        cells: list = []
        for cell in row.iter(f"{_SS}Cell"):
            at = cell.get(f"{_SS}Index")
            idx = len(cells) + 1 if at is None else limits.index(file, at, "ss:Index",
                                                                 limits.MAX_COLUMNS)
            cells.extend([""] * (idx - 1 - len(cells)))
            data = cell.find(f"{_SS}Data")
            value: object = "" if data is None else "".join(data.itertext())
            kind = None if data is None else data.get(f"{_SS}Type")
            if kind == "Number":
                try:
                    value = float(value)
                except ValueError:
                    pass
            elif kind == "DateTime":
                value = str(value).replace("T", " ").split(".")[0]
            cells.append(value)
            merge = (cell.get(f"{_SS}MergeAcross") or "").strip()
            if merge.isascii() and merge.isdigit() and merge.strip("0"):
                cells.extend([""] * limits.span(file, merge, "MergeAcross"))
            limits.check_area(file, max(r, 1), len(cells))
        count += len(cells)
        if count > limits.MAX_AREA:
            limits.check_area(file, len(rows) + 1, limits.MAX_COLUMNS + 1)
        rows.append(cells)
        numbers.append(r)
    return rows, numbers


def read_spreadsheetml(path: Path) -> RawFile:
    """A SpreadsheetML 2003 XML workbook saved as ``.xls``; one sheet per ``Worksheet``."""
    from lxml import etree

    try:
        root = etree.fromstring(path.read_bytes(), parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        raise UnreadableFileError(str(path), f"XML 表格无法解析（{exc}）", RESAVE) from exc
    sheets = []
    for ws in root.iter(f"{_SS}Worksheet"):
        rows, numbers = [], []
        table = ws.find(f"{_SS}Table")
        if table is not None:
            rows, numbers = _xml_rows(table, str(path))
        sheet = sheet_from_grid(ws.get(f"{_SS}Name", ""), grid_from_rows(rows, numbers))
        sheet.notes.append("文件实为 Excel 2003 XML 表格，已读取")
        sheets.append(sheet)
    return RawFile(path, "xml", "lxml", iter(sheets))
