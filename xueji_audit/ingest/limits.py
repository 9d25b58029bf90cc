"""Limits every reader checks before it allocates: a hostile or broken file is refused with one
Chinese message naming it (:class:`~xueji_audit.errors.FileTooLargeError`), never an abort.

The readers build dense grids (python-calamine and fastexcel allocate rows × columns cells at
once), so what matters is the *area* a sheet spans, not how many cells it holds: an .xlsx of
2 KB with cells at A1 and XFD1048576 spans 17 billion cells. The limits are far above any real
学籍 export (1,048,576 rows × ~60 columns) and far below what would exhaust a 4 GB machine.
"""
from __future__ import annotations

import re
import zipfile

import numpy as np

from ..errors import FileTooLargeError

MAX_COLUMNS = 1_000
"""Columns a sheet may span (a 学籍 table has ~60)."""
MAX_ROWS = 1_048_576
"""Rows a sheet may span (Excel's own limit)."""
MAX_AREA = 64 * 1024 * 1024
"""Cells (rows × columns spanned) of one sheet: 1,048,576 rows × 64 columns."""
MAX_SPAN = 1_000
"""colspan / rowspan / MergeAcross of one HTML or XML cell."""
MAX_UNPACKED = 6 * 1024 ** 3
"""Decompressed bytes of all parts of an .xlsx."""
MAX_RATIO = 200
"""Compression ratio above which a part larger than :data:`RATIO_FLOOR` is a zip bomb."""
RATIO_FLOOR = 64 * 1024 * 1024
MAX_CSV_FIELD = 128 * 1024
"""Bytes of one CSV cell (a name or address is a few dozen)."""

_SPLIT = 1 << 24  # decompressed bytes scanned at a time
_Q = (ord('"'), ord("'"))
_WS = (ord(" "), ord("\t"), ord("\n"), ord("\r"))

RESAVE_SMALL = "请确认选对了文件；如确为学籍导出，请在 Excel 中删除多余的行列后另存为 .xlsx 再试。"


def too_large(file: str, problem: str, action: str = RESAVE_SMALL) -> FileTooLargeError:
    return FileTooLargeError(file, problem, action)


def check_area(file: str, rows: int, cols: int, sheet: str | None = None) -> None:
    """Refuse a sheet spanning more rows, columns or cells than the limits."""
    if cols > MAX_COLUMNS:
        raise FileTooLargeError(file, f"表格跨 {cols:,} 列，超过上限 {MAX_COLUMNS:,} 列",
                                RESAVE_SMALL, sheet)
    if rows > MAX_ROWS:
        raise FileTooLargeError(file, f"表格跨 {rows:,} 行，超过上限 {MAX_ROWS:,} 行",
                                RESAVE_SMALL, sheet)
    if rows * cols > MAX_AREA:
        raise FileTooLargeError(file, f"表格范围 {rows:,} 行 × {cols:,} 列，超过上限 {MAX_AREA:,} 个单元格",
                                RESAVE_SMALL, sheet)


def span(file: str, value: str | None, what: str) -> int:
    """A colspan / rowspan / MergeAcross value: 1 when absent or not a number (as browsers
    read it), refused above :data:`MAX_SPAN`."""
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit()):
        return 1
    if len(text) > 9 or int(text) > MAX_SPAN:
        raise FileTooLargeError(file, f"单元格的 {what}=\"{text[:20]}\" 超过上限 {MAX_SPAN}",
                                "文件可能已损坏或被篡改；请重新导出该文件。")
    return max(int(text), 1)


def index(file: str, value: str, what: str, limit: int) -> int:
    """An ss:Index (1-based row or column position): refused when not a number or past
    ``limit``."""
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or int(text[:12]) < 1:
        raise FileTooLargeError(file, f"{what}=\"{text[:20]}\" 不是有效的位置",
                                "文件可能已损坏或被篡改；请重新导出该文件。")
    if len(text) > 9 or int(text) > limit:
        raise FileTooLargeError(file, f"{what}=\"{text[:20]}\" 超过上限 {limit:,}",
                                RESAVE_SMALL)
    return int(text)


def check_zip(file: str, zf: zipfile.ZipFile) -> None:
    """Refuse an .xlsx whose parts decompress to more than the limits (zip bomb)."""
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise FileTooLargeError(
                file, f"压缩包内的 {info.filename} 解压后 {info.file_size / 1024 ** 2:,.0f} MB，"
                      f"压缩比超过 {MAX_RATIO}:1（疑似「压缩炸弹」）",
                "文件可能已损坏或被篡改；请重新导出该文件。")
    if total > MAX_UNPACKED:
        raise FileTooLargeError(file, f"解压后共 {total / 1024 ** 3:.1f} GB，超过上限 "
                                      f"{MAX_UNPACKED / 1024 ** 3:.0f} GB", RESAVE_SMALL)


def _run(buf: np.ndarray, start: np.ndarray, lo: int, hi: int, most: int) -> np.ndarray:
    """Length of the run of bytes in ``lo..hi`` from each ``start`` (capped at ``most``)."""
    length = np.zeros(len(start), np.int64)
    alive = np.ones(len(start), bool)
    for k in range(most):
        alive &= (buf[start + k] - np.uint8(lo)) <= np.uint8(hi - lo)
        if not alive.any():
            break
        length += alive
    return length


def _value(buf: np.ndarray, start: np.ndarray, length: int, base: int, zero: int) -> int:
    out = np.zeros(len(start), np.int64)
    for k in range(length):
        out = out * base + (buf[start + k].astype(np.int64) - zero)
    return int(out.max()) if len(out) else 0


def _refs(buf: np.ndarray) -> tuple[int, int]:
    """Largest row and column among the ``r="…"`` references (cells and rows) of a block
    (``buf`` padded with 16 zero bytes); vectorised, only the longest references are valued."""
    n = len(buf) - 16
    pos = np.flatnonzero(buf[1:n] == ord("r")) + 1
    if not len(pos):
        return 0, 0
    quote = buf[pos + 2]
    before = buf[pos - 1]
    ok = (buf[pos + 1] == ord("=")) & ((quote == _Q[0]) | (quote == _Q[1])) & (
        (before == _WS[0]) | (before == _WS[1]) | (before == _WS[2]) | (before == _WS[3]))
    v = pos[ok] + 3
    if not len(v):
        return 0, 0
    letters = _run(buf, v, ord("A"), ord("Z"), 4)
    digits_at = v + letters
    digits = _run(buf, digits_at, ord("0"), ord("9"), 8)
    nl, nd = int(letters.max()), int(digits.max())
    col = MAX_COLUMNS + 1 if nl > 3 else _value(buf, v[letters == nl], nl, 26, 64)
    row = MAX_ROWS + 1 if nd > 7 else _value(buf, digits_at[digits == nd], nd, 10, 48)
    return row, col


_DIMENSION = re.compile(rb"""<(?:\w+:)?dimension\s[^>]*?\bref\s*=\s*["'][A-Z]*\d*:?([A-Z]+)(\d+)["']""")


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters[:4]:
        n = n * 26 + ch - 64
    return n if len(letters) <= 3 else MAX_COLUMNS + 1


def check_sheet_xml(file: str, zf: zipfile.ZipFile, part: str) -> None:
    """Stream one sheet's XML and refuse it when its cell references (or its declared
    ``<dimension>``) span more than the limits — before any reader allocates the grid."""
    from concurrent.futures import ThreadPoolExecutor

    rows = cols = 0
    tail = b""
    read = 0
    pending = None
    with zf.open(part) as fh, ThreadPoolExecutor(1) as pool:  # scan a block, inflate the next
        while data := fh.read(_SPLIT):
            read += len(data)
            if read > MAX_UNPACKED:
                raise too_large(file, "工作表解压后超过上限（疑似「压缩炸弹」）",
                                "文件可能已损坏或被篡改；请重新导出该文件。")
            block = tail + data  # blocks overlap by 32 bytes: no reference is cut in two
            tail = block[-32:]
            if read == len(data) and (m := _DIMENSION.search(block[:65536])):
                check_area(file, int(m.group(2)[:9]), _column_number(m.group(1)))
            if pending is not None:
                r, c = pending.result()
                rows, cols = max(rows, r), max(cols, c)
                check_area(file, rows, cols)
            pending = pool.submit(_refs, np.frombuffer(block + b"\0" * 16, np.uint8))
        if pending is not None:
            r, c = pending.result()
            check_area(file, max(rows, r), max(cols, c))


def check_xlsx(path) -> None:
    """Refuse an .xlsx beyond the limits (decompressed sizes, the area every
    sheet spans) before python-calamine or fastexcel allocate anything."""
    import zlib

    from .readers_xlsx import sheet_parts

    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a readable zip: the reader says so
    with zf:
        check_zip(str(path), zf)
        names = set(zf.namelist())
        try:
            parts = set(sheet_parts(zf).values())
        except Exception:  # no workbook part: the reader says so
            parts = set()
        parts |= {n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")}
        for part in sorted(parts & names):
            try:
                check_sheet_xml(str(path), zf, part)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError):
                continue  # a damaged part: the reader reports the file as unreadable
