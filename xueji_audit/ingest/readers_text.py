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
from . import limits
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


def _cell_too_large(path: Path) -> UnreadableFileError:
    return limits.too_large(
        str(path), f"有单元格超过 {limits.MAX_CSV_FIELD // 1024} KB（正常的单元格只有几十个字）",
        "文件可能已损坏，或有引号未配对把许多行并成了一格；请检查该文件或重新导出。")


def sniff_delimiter(lines: list[str]) -> str:
    """Comma, tab or semicolon: the one appearing most often on a single line."""
    best, best_count = ",", 0
    for delim in (",", "\t", ";"):
        count = max((line.count(delim) for line in lines), default=0)
        if count > best_count:
            best, best_count = delim, count
    return best


def _prefix(data: bytes, start: int, fixed: str | None, path: Path) -> tuple[str, str]:
    """Encoding and text of the first lines (BOM, else strict UTF-8, else GBK, else GB18030;
    when some bytes decode under none, the one leaving the fewest undecodable bytes)."""
    chunk = data[start:start + _PREFIX_BYTES]
    if start + _PREFIX_BYTES < len(data) and b"\n" in chunk:
        chunk = chunk[: chunk.rindex(b"\n") + 1]
    candidates = [fixed] if fixed else ["utf-8", "gbk", "gb18030"]
    for enc in candidates:
        try:
            return enc, chunk.decode(_CODEC.get(enc, enc))
        except UnicodeDecodeError:
            continue
    if fixed:
        return fixed, chunk.decode(_CODEC.get(fixed, fixed), errors="replace")
    best = min(("utf-8", "gb18030"),
               key=lambda e: chunk.decode(e, errors="replace").count("\ufffd"))
    return best, chunk.decode(best, errors="replace")


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
    try:
        for row in reader:
            top_rows.append(ends[-1] + 1 if ends else 1)
            top.append(row)
            ends.append(reader.line_num)
            if len(top) >= SCAN_ROWS:
                break
    except csv.Error as exc:  # a cell over the csv module's field limit
        raise _cell_too_large(path) from exc

    def body(i: int) -> Grid:
        head = "".join(lines[: ends[i]]).encode(_CODEC.get(encoding, encoding))
        width = max((len(r) for r in top[i:]), default=0)
        return parse_body(data, start + len(head), delim, width, ends[i] + 1, encoding, path,
                          sure=encoding == "utf-8" and not prefix.isascii())

    sheet = RawSheet("", top, top_rows, body)
    sheet.notes.append(DELIM_NAMES[delim])
    return RawFile(path, "csv", encoding, iter([sheet]))


def _decode_column(col: pa.ChunkedArray, encoding: str, lenient: bool = False
                   ) -> tuple[pa.Array, np.ndarray | None]:
    """Binary cells → text; non-ASCII columns are decoded once per distinct value.

    With ``lenient`` a value that does not decode is decoded with replacement characters and
    its rows are returned as a mask (else ``UnicodeDecodeError`` / ``ArrowInvalid``)."""
    arr = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    codec = _CODEC.get(encoding, encoding)
    if codec == "utf-8":
        try:
            return pc.cast(arr, pa.string()), None  # validates UTF-8
        except pa.ArrowInvalid:
            if not lenient:
                raise
    else:
        text = arr.view(pa.string())
        if pc.all(pc.string_is_ascii(text)).as_py() is not False:
            return text, None
    enc = pc.dictionary_encode(arr)
    values, bad = [], []
    for k, b in enumerate(enc.dictionary.to_pylist()):
        try:
            values.append(b.decode(codec))
        except UnicodeDecodeError:
            if not lenient:
                raise
            values.append(b.decode(codec, errors="replace"))
            bad.append(k)
    out = pa.array(values, pa.string()).take(enc.indices)
    if not bad:
        return out, None
    return out, pc.is_in(enc.indices, pa.array(bad, enc.indices.type)).to_numpy(
        zero_copy_only=False)


def _decode_columns(cols: list[pa.ChunkedArray], encoding: str, sure: bool
                    ) -> tuple[list[pa.Array], str, np.ndarray | None]:
    """Decode every column, moving on to GBK then GB18030 when the guess was wrong; the last
    candidate (or a ``sure`` guess) decodes leniently and returns the rows it could not."""
    order = ["utf-8", "gbk", "gb18030"]
    tries = ([encoding] if encoding in ("utf-8-sig", "utf-16") or sure
             else order[order.index(encoding):])
    for enc in tries:
        last = enc == tries[-1]
        try:
            pairs = [_decode_column(c, enc, lenient=last) for c in cols]
        except (UnicodeDecodeError, pa.ArrowInvalid):
            continue
        bad = [m for _, m in pairs if m is not None]
        return [a for a, _ in pairs], enc, (np.logical_or.reduce(bad) if bad else None)
    raise AssertionError("the last encoding decodes leniently")


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


def _to_utf8(raw: bytes, encoding: str, sure: bool) -> tuple[bytes, str, bool]:
    """The bytes as UTF-8, the encoding used and whether some bytes did not decode."""
    order = ["utf-8", "gbk", "gb18030"]
    codec = _CODEC.get(encoding, encoding)
    tries = ([encoding] if (codec == "utf-8" and encoding != "utf-8") or sure
             else order[order.index(codec):])
    for enc in tries:
        try:
            return raw.decode(_CODEC.get(enc, enc)).encode("utf-8"), enc, False
        except UnicodeDecodeError:
            continue
    enc = tries[-1]
    return raw.decode(_CODEC.get(enc, enc), errors="replace").encode("utf-8"), enc, True


_UNDECODABLE = "含无法识别的字节：本行按 {enc} 解码失败，未载入；请检查该行或重新导出"
_SWALLOWED = ("引号不配对：本行的引号把其后 {n} 行并成了一格；本行未载入，其后各行已逐行读取，"
              "请修正本行后重新导出")


def parse_body(data: bytes, offset: int, delim: str, width: int, first_line: int,
               encoding: str, path: Path, sure: bool = False) -> Grid:
    """Parse the CSV body (from byte ``offset``) into a :class:`Grid` with line numbers.

    A row with bytes the encoding cannot decode, and a row whose unpaired quote swallowed the
    lines after it, are flagged (:attr:`Grid.flags`) and rejected alone; the swallowed lines are
    read one by one. ``sure``: the encoding is known (the first lines decoded as UTF-8)."""
    buf = pa.py_buffer(memoryview(data)[offset:])
    if width == 0 or (buf.size < 4096 and not bytes(buf).strip(b"\r\n")):
        return empty_grid(width)
    quoted = data.find(b'"', offset) >= 0
    body, codec, lossy = memoryview(data)[offset:], None, False
    try:
        table, invalid = _parse(buf, delim, width, quoted, ragged=False)
        columns, encoding, undecodable = _decode_columns(
            [table.column(j) for j in range(width)], encoding, sure)
    except pa.ArrowInvalid:
        # rows with another number of cells: transcode to UTF-8, then collect those rows
        utf8, encoding, lossy = _to_utf8(bytes(buf), encoding, sure)
        body, codec = memoryview(utf8), "utf-8"
        table, invalid = _parse(pa.py_buffer(utf8), delim, width, quoted, ragged=True)
        columns = [pc.cast(table.column(j).combine_chunks(), pa.string()) for j in range(width)]
        undecodable = None
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
    if undecodable is not None and undecodable.any():
        grid.flags.update(dict.fromkeys(grid.rows[undecodable].tolist(),
                                        _UNDECODABLE.format(enc=encoding)))
    if invalid:
        extra_rows = [next(csv.reader([t], delimiter=delim), []) for _, t in invalid]
        grid = _concat_sorted(grid, grid_from_rows(extra_rows, lines[bad_idx]))
    if codec and lossy:  # transcoded with replacement characters: flag the rows holding them
        mask = np.logical_or.reduce([pc.match_substring(c, "\ufffd").to_numpy(
            zero_copy_only=False) for c in grid.columns])
        grid.flags.update(dict.fromkeys(grid.rows[mask].tolist(),
                                        _UNDECODABLE.format(enc=encoding)))
    if quoted and breaks.any():
        grid = _unswallow(grid, lines[breaks > 0], breaks[breaks > 0], bytes(body),
                          codec or _CODEC.get(encoding, encoding), delim, first_line)
    for col in grid.columns:
        if len(col) and pc.max(pc.binary_length(col)).as_py() > limits.MAX_CSV_FIELD:
            raise _cell_too_large(path)
    grid.encoding = encoding
    return grid


def _unswallow(grid: Grid, starts: np.ndarray, breaks: np.ndarray, body: bytes, codec: str,
               delim: str, first_line: int) -> Grid:
    """Records spanning several lines whose inner lines look like records of their own (an
    unpaired quote swallowed them): the first line is flagged, every line read alone."""
    pos = np.searchsorted(grid.rows, starts)
    need = max(1, (grid.width - 1) // 2)
    idx = pa.array(pos)
    cells = list(zip(*(c.take(idx).to_pylist() for c in grid.columns), strict=True))
    swallowed = [i for i, row in enumerate(cells)
                 if any(line.count(delim) >= need for cell in row if cell and "\n" in cell
                        for line in cell.split("\n")[1:])]
    if not swallowed:
        return grid
    ends = np.flatnonzero(np.frombuffer(body, np.uint8) == 10)
    rows, numbers, drop = [], [], np.zeros(len(grid), bool)
    for i in swallowed:
        first, n = int(starts[i]), int(breaks[i])
        drop[pos[i]] = True
        for k in range(first - first_line, first - first_line + n + 1):
            lo = 0 if k == 0 else int(ends[k - 1]) + 1
            hi = int(ends[k]) if k < len(ends) else len(body)
            text = body[lo:hi].decode(codec, errors="replace").rstrip("\r")
            rows.append(next(csv.reader([text], delimiter=delim), []))
            numbers.append(first_line + k)
        grid.flags[first] = _SWALLOWED.format(n=n)
    keep = pa.array(np.flatnonzero(~drop))
    rest = Grid([c.take(keep) for c in grid.columns], [None] * grid.width, grid.rows[~drop])
    out = _concat_sorted(rest, grid_from_rows(rows, numbers))
    out.flags = grid.flags
    return out


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
    return Grid([c.take(idx) for c in cols], [None] * width, rows[order],
                flags={**a.flags, **b.flags})
