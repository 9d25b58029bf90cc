"""Raw reading of data files into header-less cell grids, whatever the real format is.

A file is recognised by its content, not its name: an ``.xls`` may be a real BIFF workbook, an
``.xlsx``, an HTML table, a SpreadsheetML 2003 XML file or plain text. Workbooks are read with
python-calamine (it reads .xlsx and BIFF .xls; on a 100,000-row export it used 2.8 s of CPU
against 45 s for openpyxl's read-only mode). An .xlsx is read faster by
:mod:`xueji_audit.ingest.readers_xlsx` (fastexcel plus a scan of the sheet XML for the cell types: 1M
rows in ~22 s of CPU against ~37 s), with calamine for any sheet that path declines; CSV is read
by :mod:`xueji_audit.ingest.readers_text`, HTML and XML by :mod:`xueji_audit.ingest.readers_markup`.

Every cell becomes text (``''`` when empty). A numeric cell keeps its value in
:attr:`Grid.numbers` as well, because an ID number that Excel turned into a number, or an Excel
date serial, can only be told from the cell type.
"""
from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import EmptyFileError, UnreadableFileError

SCAN_ROWS = 30
"""How many rows at the top of a sheet are searched for the header row."""
FAST_XLSX = True
"""Read .xlsx with fastexcel and an XML type scan (False: python-calamine for every sheet)."""

_CHUNK = 65_536
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
RESAVE = "请用 Excel 打开后另存为 .xlsx 再试；如果 Excel 也打不开，请重新导出该文件。"


@dataclass
class Grid:
    """A block of rows: one text array per column plus the row numbers the user sees."""

    columns: list[pa.Array]
    numbers: list[np.ndarray | None]  # float value of numeric cells, NaN elsewhere; None: none
    rows: np.ndarray  # 1-based row number (Excel) or line number (CSV) of each row
    encoding: str | None = None  # the text encoding found while decoding (CSV)
    flags: dict[int, str] = field(default_factory=dict)  # row number -> why it cannot load

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return len(self.columns)

    def slice(self, start: int) -> Grid:
        """The rows from position ``start`` on."""
        return Grid([c.slice(start) for c in self.columns],
                    [None if n is None else n[start:] for n in self.numbers], self.rows[start:],
                    self.encoding, self.flags)

    def top(self, n: int = SCAN_ROWS) -> list[list[str]]:
        """The first ``n`` rows as lists of text."""
        cols = [c.slice(0, n).to_pylist() for c in self.columns]
        return [list(r) for r in zip(*cols, strict=True)] if cols else []


def empty_grid(width: int = 0) -> Grid:
    return Grid([pa.array([], pa.string())] * width, [None] * width, np.zeros(0, np.int64))


@dataclass
class RawSheet:
    """One sheet (or the only table of a CSV/HTML file) before its header is known."""

    name: str
    top: list[list[str]]  # the first SCAN_ROWS rows as text, merged areas filled
    top_rows: list[int]  # their row numbers
    body: Callable[[int], Grid]  # body(i): the rows below top[i]
    notes: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(cell.strip() for row in self.top for cell in row)


@dataclass
class RawFile:
    path: Path
    source: str  # xlsx, xls, csv, html, xml (SpreadsheetML 2003), text
    engine: str  # calamine, or the text encoding
    sheets: Iterator[RawSheet]
    notes: list[str] = field(default_factory=list)


def number_text(v: float) -> str:
    """How a numeric cell reads as text: integers without ``.0``, else 15 significant digits."""
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return format(v, ".15g")


def _cell_text(v: object) -> str:
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, dt.time):
        return v.strftime("%H:%M:%S")
    return "" if v is None else str(v)


def _column(values: tuple) -> tuple[pa.Array, np.ndarray | None]:
    """Text of a column of cell values; numbers also returned as floats."""
    try:  # a list, not the tuple: pyarrow converts lists ~7× faster
        return pa.array(list(values), type=pa.string()), None
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        pass
    nums = np.full(len(values), np.nan)
    texts = []
    for i, v in enumerate(values):
        if isinstance(v, int | float) and not isinstance(v, bool):
            nums[i] = v
            texts.append(number_text(float(v)))
        else:
            texts.append(v if isinstance(v, str) else _cell_text(v))
    return pa.array(texts, type=pa.string()), (nums if not np.isnan(nums).all() else None)


def grid_from_rows(rows: Iterable[list], row_numbers: Iterable[int] | None = None,
                   width: int | None = None) -> Grid:
    """Build a :class:`Grid` from row lists of cell values, converting chunk by chunk."""
    cols: list[list[pa.Array]] = []
    nums: list[list[np.ndarray | None]] = []
    n = 0
    it = iter(rows)
    while chunk := list(itertools.islice(it, _CHUNK)):
        w = width or max(len(r) for r in chunk)
        if any(len(r) != w for r in chunk):
            chunk = [list(r[:w]) + [""] * (w - len(r)) for r in chunk]
        while len(cols) < w:  # a later chunk may be wider
            cols.append([pa.nulls(n, pa.string()).fill_null("")])
            nums.append([None])
        for j, values in enumerate(zip(*chunk, strict=True)):
            text, num = _column(values)
            cols[j].append(text)
            nums[j].append(num)
        n += len(chunk)
    if n == 0:
        return empty_grid(width or 0)
    rn = (np.arange(1, n + 1, dtype=np.int64) if row_numbers is None
          else np.fromiter(row_numbers, np.int64, count=n))
    out_cols = [pa.concat_arrays(c) if len(c) > 1 else c[0] for c in cols]
    out_nums = []
    for parts, text_parts in zip(nums, cols, strict=True):
        if all(p is None for p in parts):
            out_nums.append(None)
        else:
            out_nums.append(np.concatenate([np.full(len(t), np.nan) if p is None else p
                                            for p, t in zip(parts, text_parts, strict=True)]))
    return Grid(out_cols, out_nums, rn)


def fill_merged(top: list[list[str]], merged: Iterable[tuple[tuple[int, int], tuple[int, int]]],
                col0: int = 0) -> None:
    """Copy the value of each merged area's first cell into the area (top rows only)."""
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(top):
            continue
        value = top[r0][c0 - col0] if 0 <= c0 - col0 < len(top[r0]) else ""
        for r in range(r0, min(r1, len(top) - 1) + 1):
            for c in range(max(c0 - col0, 0), min(c1 - col0 + 1, len(top[r]))):
                top[r][c] = value


def sheet_from_grid(name: str, grid: Grid, merged=(), col0: int = 0) -> RawSheet:
    """A :class:`RawSheet` over a grid already in memory."""
    top = grid.top()
    fill_merged(top, merged, col0)
    return RawSheet(name, top, grid.rows[:len(top)].tolist(), lambda i: grid.slice(i + 1))


def blank_mask(grid: Grid) -> np.ndarray:
    """True for rows whose every cell is empty or whitespace."""
    mask = np.ones(len(grid), dtype=bool)
    for col in grid.columns:
        empty = pc.or_(pc.equal(pc.binary_length(col), 0), pc.utf8_is_space(col))
        mask &= empty.to_numpy(zero_copy_only=False)
    return mask


def _calamine_sheet(path: Path, wb, name: str) -> RawSheet:
    """One sheet read with python-calamine (BIFF .xls, and .xlsx the fast path declines)."""
    try:
        sheet = wb.get_sheet_by_name(name)
    except Exception as exc:  # calamine raises its own error types
        raise UnreadableFileError(str(path), f"工作表「{name}」无法读取（{exc}）", RESAVE) from exc
    start = sheet.start
    if start is None:  # nothing in the sheet
        return RawSheet(name, [], [], lambda i: empty_grid())
    grid = grid_from_rows(sheet.iter_rows(), width=sheet.width)
    try:
        merged = sheet.merged_cell_ranges or []
    except Exception:  # not available for every format
        merged = []
    del sheet  # free calamine's copy of the cells before the sheet is normalised
    return sheet_from_grid(name, grid, merged, col0=start[1])


def _workbook_sheets(path: Path, wb) -> Iterator[RawSheet]:
    for name in wb.sheet_names:
        yield _calamine_sheet(path, wb, name)


def _xlsx_sheets(path: Path, fast) -> Iterator[RawSheet]:
    """The sheets of an .xlsx: fastexcel and an XML scan, calamine where they decline."""
    from .readers_xlsx import read_sheet

    reader, zf, parts, durations = fast
    wb = None
    try:
        for name in reader.sheet_names:
            try:
                grid, merged, col0 = read_sheet(reader, zf, name, parts.get(name, ""), durations)
            except Exception:  # fastexcel's errors, or a sheet the scan cannot vouch for
                wb = wb or _open_workbook(path, "xlsx")
                yield _calamine_sheet(path, wb, name)
                continue
            yield sheet_from_grid(name, grid, merged, col0)
            del grid
    finally:
        zf.close()


def _open_fast(path: Path):
    """fastexcel's reader, the zip and its sheet parts; None when any of them fails."""
    import zipfile

    from .readers_xlsx import duration_styles, sheet_parts

    try:
        import fastexcel

        reader = fastexcel.read_excel(path)
        zf = zipfile.ZipFile(path)
    except Exception:
        return None
    try:
        return reader, zf, sheet_parts(zf), duration_styles(zf)
    except Exception:
        zf.close()
        return None


def _open_workbook(path: Path, source: str):
    import python_calamine as calamine

    try:
        return calamine.CalamineWorkbook.from_path(str(path))
    except calamine.PasswordError as exc:
        raise _password_error(path) from exc
    except Exception as exc:
        if source == "ole" and _ENCRYPTED in path.read_bytes():
            raise _password_error(path) from exc
        raise UnreadableFileError(
            str(path), f"文件已损坏或不是有效的 Excel 文件（{type(exc).__name__}: {exc}）", RESAVE
        ) from exc


def _password_error(path: Path) -> UnreadableFileError:
    return UnreadableFileError(str(path), "文件设置了打开密码，无法读取",
                               "请在 Excel 中取消密码（文件 → 信息 → 保护工作簿）后另存为 .xlsx 再试。")


def sniff(head: bytes) -> str:
    """The real format from the first bytes: xlsx, ole, html, xml or text."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(_OLE_MAGIC):
        return "ole"
    from .readers_text import decode_head

    text = decode_head(head).lstrip("\ufeff \t\r\n").lower()
    if text.startswith(("<html", "<table", "<!doctype", "<meta")):
        return "html"
    if text.startswith("<?xml"):
        if "<workbook" in text or "<ss:workbook" in text:
            return "xml"
        if "<html" in text:
            return "html"
    return "text"


def read_file(path: str | Path) -> RawFile:
    """Open ``path`` and return its sheets (lazily), whatever its real format."""
    from . import readers_markup, readers_text
    from .limits import check_xlsx

    path = Path(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(8192)
    except OSError as exc:
        raise UnreadableFileError(str(path), f"文件无法打开（{exc.strerror}）",
                                  "请确认文件没有被其他程序占用，并有读取权限。") from exc
    if not head:
        raise EmptyFileError(str(path), "文件是空的（0 字节）", "请重新导出该文件。")
    kind = sniff(head)
    suffix = path.suffix.lower()
    if kind == "xlsx" and FAST_XLSX:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1) as pool:  # fastexcel opens while the limits are checked
            checked = pool.submit(check_xlsx, path)
            fast = _open_fast(path)
            try:
                checked.result()  # raises when the file is beyond the limits
            except BaseException:
                if fast is not None:
                    fast[1].close()
                raise
        if fast is not None:
            return RawFile(path, "xlsx", "calamine", _xlsx_sheets(path, fast))
    elif kind == "xlsx":
        check_xlsx(path)
    if kind in ("xlsx", "ole"):
        wb = _open_workbook(path, kind)
        source = "xlsx" if kind == "xlsx" else "xls"
        return RawFile(path, source, "calamine", _workbook_sheets(path, wb))
    if kind == "html":
        return readers_markup.read_html(path)
    if kind == "xml":
        return readers_markup.read_spreadsheetml(path)
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFileError(str(path), "不是表格文件（无法识别的文件格式）",
                                  "请确认选对了文件；表格请另存为 .xlsx 或 .csv 后再试。")
    raw = readers_text.read_csv(path)
    if suffix != ".csv":
        raw.notes.append(f"扩展名为 {suffix}，实为文本表格，已按 CSV 读取")
    return raw
