"""Reading CSV in any of the usual Chinese encodings (and text tables saved as ``.xls``).

CSV encoding is detected, never asked: a BOM, else strict UTF-8, else GBK, else GB18030. The
header is looked for with the :mod:`csv` module on the first lines only; the body is parsed by
pyarrow (after transcoding to UTF-8), every cell as text.
"""
from __future__ import annotations

import codecs
import csv
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from ..errors import UnreadableFileError
from .readers import (
    SCAN_ROWS,
    Grid,
    RawFile,
    RawSheet,
    empty_grid,
    grid_from_rows,
)

DELIM_NAMES = {",": "逗号分隔", "\t": "制表符分隔", ";": "分号分隔"}
_PREFIX_BYTES = 1 << 16
_CODEC = {"utf-8-sig": "utf-8", "utf-16": "utf-8"}  # after the BOM / transcoding
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$")


def decode_head(head: bytes) -> str:
    """Best-effort text of the first bytes, only to sniff the format."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="ignore")
    return head.decode("latin-1")


def _undecodable(path: Path) -> UnreadableFileError:
    return UnreadableFileError(
        str(path), "无法识别文件的文字编码（不是 UTF-8、GBK 或 GB18030）",
        "请用 Excel 打开后另存为 .xlsx，或另存为「CSV UTF-8（逗号分隔）」后再试。")


def sniff_delimiter(lines: list[str]) -> str:
    """Comma, tab or semicolon: the one appearing most often on a single line."""
    best, best_count = ",", 0
    for delim in (",", "\t", ";"):
        count = max((line.count(delim) for line in lines), default=0)
        if count > best_count:
            best, best_count = delim, count
    return best


def _prefix(data: bytes, start: int, fixed: str | None, path: Path) -> tuple[str, str]:
    """Encoding and text of the first lines (BOM, else strict UTF-8, else GBK, else GB18030)."""
    chunk = data[start:start + _PREFIX_BYTES]
    if start + _PREFIX_BYTES < len(data) and b"\n" in chunk:
        chunk = chunk[: chunk.rindex(b"\n") + 1]
    for enc in ([fixed] if fixed else ["utf-8", "gbk", "gb18030"]):
        try:
            return enc, chunk.decode(_CODEC.get(enc, enc))
        except UnicodeDecodeError:
            continue
    raise _undecodable(path)


def read_csv(path: Path) -> RawFile:
    """A CSV (or text table) as one :class:`RawSheet` named ``''``.

    The header is found on the decoded first lines; the body is parsed by pyarrow straight from
    the file's bytes (GBK never puts a byte below 0x40 inside a character, so delimiters, quotes
    and line breaks are found correctly) and each column is decoded afterwards.
    """
    data = path.read_bytes()
    start, fixed = 0, None
    if data.startswith(codecs.BOM_UTF8):
        start, fixed = len(codecs.BOM_UTF8), "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            data, fixed = data.decode("utf-16").encode("utf-8"), "utf-16"
        except UnicodeDecodeError as exc:
            raise _undecodable(path) from exc
    encoding, prefix = _prefix(data, start, fixed, path)
    lines = _LINES.findall(prefix)
    delim = sniff_delimiter(lines[:SCAN_ROWS])
    reader = csv.reader(lines, delimiter=delim)
    top, top_rows, ends = [], [], []
    for row in reader:
        top_rows.append(ends[-1] + 1 if ends else 1)
        top.append(row)
        ends.append(reader.line_num)
        if len(top) >= SCAN_ROWS:
            break

    def body(i: int) -> Grid:
        head = "".join(lines[: ends[i]]).encode(_CODEC.get(encoding, encoding))
        width = max((len(r) for r in top[i:]), default=0)
        return parse_body(data, start + len(head), delim, width, ends[i] + 1, encoding, path)

    sheet = RawSheet("", top, top_rows, body)
    sheet.notes.append(DELIM_NAMES[delim])
    return RawFile(path, "csv", encoding, iter([sheet]))


def _decode_column(col: pa.ChunkedArray, encoding: str) -> pa.Array:
    """Binary cells → text; non-ASCII columns are decoded once per distinct value."""
    arr = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    if _CODEC.get(encoding, encoding) == "utf-8":
        return pc.cast(arr, pa.string())  # validates UTF-8
    text = arr.view(pa.string())
    if pc.all(pc.string_is_ascii(text)).as_py() is not False:
        return text
    enc = pc.dictionary_encode(arr)
    values = [b.decode(encoding) for b in enc.dictionary.to_pylist()]
    return pa.array(values, pa.string()).take(enc.indices)


def _decode_columns(cols: list[pa.ChunkedArray], encoding: str, path: Path
                    ) -> tuple[list[pa.Array], str]:
    """Decode every column, moving on to GBK then GB18030 when the guess was wrong."""
    order = ["utf-8", "gbk", "gb18030"]
    tries = [encoding] if encoding in ("utf-8-sig", "utf-16") else order[order.index(encoding):]
    for enc in tries:
        try:
            return [_decode_column(c, enc) for c in cols], enc
        except (UnicodeDecodeError, pa.ArrowInvalid):
            continue
    raise _undecodable(path)


def _parse(buf: pa.Buffer, delim: str, width: int, quoted: bool, ragged: bool
           ) -> tuple[pa.Table, list[tuple[int | None, str]]]:
    """Parse with pyarrow, every cell as bytes.

    Without ``ragged`` a row with another number of cells raises ``ArrowInvalid``; with it such
    rows are collected (record number and text — the buffer must then be UTF-8).
    """
    names = [f"c{j}" for j in range(width)]
    invalid: list[tuple[int | None, str]] = []

    def handler(row) -> str:
        invalid.append((row.number, row.text))
        return "skip"

    table = pv.read_csv(
        pa.BufferReader(buf),
        read_options=pv.ReadOptions(column_names=names, use_threads=not ragged,
                                    block_size=min(max(buf.size + 1, 1 << 20), 1 << 30)),
        parse_options=pv.ParseOptions(delimiter=delim, newlines_in_values=quoted,
                                      ignore_empty_lines=False,
                                      invalid_row_handler=handler if ragged else None),
        convert_options=pv.ConvertOptions(column_types=dict.fromkeys(names, pa.binary()),
                                          strings_can_be_null=False,
                                          quoted_strings_can_be_null=False))
    return table, invalid


def _to_utf8(raw: bytes, encoding: str, path: Path) -> tuple[bytes, str]:
    order = ["utf-8", "gbk", "gb18030"]
    codec = _CODEC.get(encoding, encoding)
    tries = [encoding] if codec == "utf-8" and encoding != "utf-8" else order[order.index(codec):]
    for enc in tries:
        try:
            return raw.decode(_CODEC.get(enc, enc)).encode("utf-8"), enc
        except UnicodeDecodeError:
            continue
    raise _undecodable(path)


def parse_body(data: bytes, offset: int, delim: str, width: int, first_line: int,
               encoding: str, path: Path) -> Grid:
    """Parse the CSV body (from byte ``offset``) into a :class:`Grid` with line numbers."""
    buf = pa.py_buffer(memoryview(data)[offset:])
    if width == 0 or (buf.size < 4096 and not bytes(buf).strip(b"\r\n")):
        return empty_grid(width)
    quoted = data.find(b'"', offset) >= 0
    try:
        table, invalid = _parse(buf, delim, width, quoted, ragged=False)
        columns, encoding = _decode_columns([table.column(j) for j in range(width)], encoding,
                                            path)
    except pa.ArrowInvalid:
        # rows with another number of cells: transcode to UTF-8, then collect those rows
        utf8, encoding = _to_utf8(bytes(buf), encoding, path)
        table, invalid = _parse(pa.py_buffer(utf8), delim, width, quoted, ragged=True)
        columns = [pc.cast(table.column(j).combine_chunks(), pa.string()) for j in range(width)]
    n_total = table.num_rows + len(invalid)
    bad_idx = np.array([num - 1 for num, _ in invalid], dtype=np.int64)
    good = np.ones(n_total, dtype=bool)
    good[bad_idx] = False
    breaks = np.zeros(n_total, dtype=np.int64)
    if quoted:
        counts = np.zeros(table.num_rows, dtype=np.int64)
        for col in columns:
            counts += pc.count_substring(col, "\n").to_numpy(zero_copy_only=False)
        breaks[good] = counts
        breaks[bad_idx] = [t.count("\n") for _, t in invalid]
    lines = first_line + np.arange(n_total, dtype=np.int64) + np.concatenate(
        [[0], np.cumsum(breaks)[:-1]])
    grid = Grid(columns, [None] * width, lines[good])
    if invalid:
        extra_rows = [next(csv.reader([t], delimiter=delim), []) for _, t in invalid]
        grid = _concat_sorted(grid, grid_from_rows(extra_rows, lines[bad_idx]))
    grid.encoding = encoding
    return grid


def _concat_sorted(a: Grid, b: Grid) -> Grid:
    width = max(a.width, b.width)
    cols = []
    for j in range(width):
        parts = [g.columns[j] if j < g.width else pa.array([""] * len(g), pa.string())
                 for g in (a, b)]
        cols.append(pa.concat_arrays(parts))
    rows = np.concatenate([a.rows, b.rows])
    order = np.argsort(rows, kind="stable")
    idx = pa.array(order)
    return Grid([c.take(idx) for c in cols], [None] * width, rows[order])
