"""Fast reading of .xlsx sheets: fastexcel for the cell text, a scan of the sheet XML for types.

python-calamine hands every cell to Python as an object (25 million of them for a 1,000,000-row
export, ~21 s of CPU before any work is done). fastexcel runs the same calamine parser in Rust
and returns Arrow string columns directly, but renders every cell as text, so the cell *type*
— which the loader needs to reject an ID number that Excel turned into a number, and to read a
numeric date serial — is lost. It is recovered by a scan of the sheet's XML inside the zip, run
in a thread beside fastexcel (which releases the GIL):

* blocks of the XML without numeric cells are recognised by two ``bytes.count`` calls (every
  cell with a ``<v>`` value is a shared-string cell ``t="s"``), and skipped;
* other blocks are split into cells and matched with pyarrow's vectorised regular expressions;
  numeric (no ``t`` or ``t="n"``), boolean (``t="b"``) and error (``t="e"``) cells are kept.

The result is the same :class:`~xueji_audit.ingest.readers.Grid` the calamine path builds: text as
python-calamine's values render (``number_text`` for numbers, ``TRUE``/``FALSE``, dates as
``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM:SS`` or ``HH:MM:SS``, errors empty), numeric values in
``Grid.numbers`` and row ``i`` of the grid being row ``i + 1`` of the sheet. Anything the scan does
not understand raises :class:`Unsupported`, and the caller reads that sheet with calamine.
"""
from __future__ import annotations

import re
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from xml.etree import ElementTree

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .readers import Grid, number_text

_BLOCK = 1 << 24  # bytes of decompressed XML per block
_FIRST_CELLS = 5_000  # cells of the first block used to place the grid's first column
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_DATE_TEXT = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"
_NUMERIC, _BOOL, _ERROR = 0, 1, 2
_KNOWN_TYPES = {"s", "str", "inlineStr", "n", "b", "e"}


class Unsupported(Exception):
    """The fast path cannot vouch for this sheet; read it with calamine instead."""


@dataclass
class SheetScan:
    """Typed cells of one sheet (0-based absolute positions) and its merged areas."""

    rows: np.ndarray
    cols: np.ndarray
    kinds: np.ndarray  # _NUMERIC, _BOOL or _ERROR
    values: np.ndarray  # the cell's number (numeric and boolean cells)
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    first_cells: tuple[np.ndarray, np.ndarray] | None = None  # valued cells of the first block


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → path of its XML part inside the workbook zip."""
    wb = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    out = {}
    for el in wb.iter():
        if el.tag.rsplit("}", 1)[-1] == "sheet":
            target = targets.get(el.get(f"{{{_REL_NS}}}id"), "")
            path = (target.lstrip("/") if target.startswith("/")
                    else str(PurePosixPath("xl") / target))
            out[el.get("name", "")] = path
    return out


def duration_styles(zf: zipfile.ZipFile) -> frozenset[int]:
    """Style indices whose number format is a duration (``[h]:mm:ss``): python-calamine reads
    such cells as ``timedelta``, which fastexcel's text does not show, so they go to calamine."""
    try:
        root = ElementTree.fromstring(zf.read("xl/styles.xml"))
    except (KeyError, ElementTree.ParseError):
        return frozenset()
    local = {el: el.tag.rsplit("}", 1)[-1] for el in root.iter()}
    durations = {46} | {int(el.get("numFmtId", -1)) for el, tag in local.items()
                        if tag == "numFmt" and re.search(r"\[[hms]", el.get("formatCode", ""), re.I)}
    xfs = next((el for el, tag in local.items() if tag == "cellXfs"), None)
    if xfs is None:
        return frozenset()
    return frozenset(i for i, xf in enumerate(xfs) if int(xf.get("numFmtId", 0)) in durations)


def _col_index(letters: np.ndarray) -> np.ndarray:
    """Excel column letters (bytes, at most 3) → 0-based index."""
    m = np.frombuffer(letters.astype("S3").tobytes(), np.uint8).reshape(-1, 3).astype(np.int64)
    out = np.zeros(len(letters), np.int64)
    for k in range(3):
        present = m[:, k] > 0
        out = np.where(present, out * 26 + (m[:, k] - 64), out)
    return out - 1


def _refs(cells: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """0-based (row, column) of each cell from its ``r`` attribute."""
    ref = pc.extract_regex(cells, r"""^[^>]*?\br\s*=\s*["'](?P<c>[A-Z]{1,3})(?P<r>\d+)["']""")
    if ref.null_count:
        raise Unsupported("cell without a reference")
    rows = pc.cast(pc.struct_field(ref, "r"), pa.int64()).to_numpy() - 1
    letters = pc.struct_field(ref, "c").to_numpy(zero_copy_only=False)
    return rows, _col_index(letters.astype("S3"))


def _cells_of(block: bytes, prefix: str) -> pa.Array:
    """The block split at each ``<c `` tag (the attributes and content of one cell each)."""
    if any(f"<{prefix}c{sep}".encode() in block for sep in ("\n", "\r", "\t", ">", "/")):
        raise Unsupported("cell tags not followed by a space")
    text = pa.array([block], pa.large_string())
    return pc.list_flatten(pc.split_pattern(text, f"<{prefix}c "))[1:]


def _typed_cells(block: bytes, prefix: str, first: bool, durations: frozenset[int]):
    """The numeric, boolean and error cells of one block of ``<row>`` elements."""
    cells = _cells_of(block, prefix)
    t = pc.struct_field(pc.extract_regex(
        cells, r"""^(?:[^>]*?\s)?t\s*=\s*["'](?P<t>[^"']*)["']|^"""), "t")
    types = set(pc.unique(t).to_pylist()) - {""}
    if not types <= _KNOWN_TYPES:
        raise Unsupported(f"cell types {sorted(types - _KNOWN_TYPES)}")
    has_v = pc.match_substring(cells, f"<{prefix}v>")
    first_cells = None
    if first:  # the leading rows suffice to place the grid's first column
        head = cells.slice(0, _FIRST_CELLS)
        valued = pc.or_(pc.match_substring(head, f"<{prefix}v>"),
                        pc.match_substring(head, f"<{prefix}is>"))
        rows, cols = _refs(head.filter(valued))
        whole = rows < rows.max() if len(rows) > 1 and len(cells) > _FIRST_CELLS else slice(None)
        first_cells = rows[whole], cols[whole]
    kind = pc.if_else(pc.is_in(t, pa.array(["", "n"])), _NUMERIC,
                      pc.if_else(pc.equal(t, "b"), _BOOL,
                                 pc.if_else(pc.equal(t, "e"), _ERROR, -1)))
    keep = pc.and_(pc.greater_equal(kind, 0), pc.or_(has_v, pc.equal(t, "e")))
    sel, kind = cells.filter(keep), kind.filter(keep)
    v = pc.utf8_trim_whitespace(
        pc.struct_field(pc.extract_regex(sel, f"(?s)^(?:.*?<{prefix}v>(?P<v>[^<]*)<)?"), "v"))
    error = pc.equal(kind, _ERROR)
    filled = pc.or_(error, pc.not_equal(v, ""))  # an empty <v/> is an empty cell
    sel, kind, v, error = (a.filter(filled) for a in (sel, kind, v, error))
    if durations:
        style = pc.struct_field(pc.extract_regex(
            sel, r"""^(?:[^>]*?\s)?s\s*=\s*["'](?P<s>\d+)["']|^"""), "s")
        style = pc.cast(pc.if_else(pc.equal(style, ""), "0", style), pa.int64())
        if pc.any(pc.is_in(style, pa.array(sorted(durations)))).as_py():
            raise Unsupported("duration cells")
    rows, cols = _refs(sel)
    number = pc.if_else(error, pa.scalar(None, pa.string()), v)
    values = pc.fill_null(pc.cast(number, pa.float64()), np.nan).to_numpy(zero_copy_only=False)
    return rows, cols, kind.to_numpy().astype(np.int8), values, first_cells


def _merged(tail: bytes) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    out = []
    for m in re.finditer(rb"""<(?:\w+:)?mergeCell\s[^>]*?\bref\s*=\s*["']([A-Z]+)(\d+)"""
                         rb"""(?::([A-Z]+)(\d+))?["']""", tail):
        c0, r0, c1, r1 = m.group(1), m.group(2), m.group(3) or m.group(1), m.group(4) or m.group(2)
        cols = _col_index(np.array([c0, c1]))
        out.append(((int(r0) - 1, int(cols[0])), (int(r1) - 1, int(cols[1]))))
    return out


def scan_sheet(zf: zipfile.ZipFile, part: str, durations: frozenset[int] = frozenset()
               ) -> SheetScan:
    """Scan one sheet's XML for its typed cells and merged areas."""
    if not part.endswith(".xml"):
        raise Unsupported(f"sheet part {part}")
    found: list[tuple] = []
    first_cells = None
    prefix = None
    buf = b""
    with zf.open(part) as fh:
        while True:
            data = fh.read(_BLOCK)
            buf += data
            if prefix is None:
                m = re.search(rb"<(\w+:)?sheetData\b", buf)
                if m is None:
                    if data:
                        continue
                    raise Unsupported("no sheetData")
                prefix = (m.group(1) or b"").decode()
                row_end = f"</{prefix}row>".encode()
                v_open, s_type = f"<{prefix}v>".encode(), b' t="s"'
            cut = buf.rfind(row_end) + len(row_end) if data else len(buf)
            if data and cut < len(row_end):
                continue
            block, buf = buf[:cut], buf[cut:]
            first = first_cells is None
            if first or block.count(v_open) != block.count(s_type):
                *typed, cells = _typed_cells(block, prefix, first, durations)
                found.append(typed)
                first_cells = cells if first else first_cells
            if not data:
                break
    end = block.rfind(f"</{prefix}sheetData>".encode())
    merged = _merged(block[end:]) if end >= 0 else []
    parts = [np.concatenate(p) for p in zip(*found, strict=True)]  # the first block is in
    return SheetScan(*parts, merged=merged, first_cells=first_cells)


def _start_column(scan: SheetScan, columns: list[pa.Array]) -> int:
    """Absolute index of the grid's first column, from the first block's valued cells."""
    rows, cols = scan.first_cells
    if not len(rows):
        raise Unsupported("nothing in the first block")
    last = int(rows.max()) + 1
    used = [j for j, c in enumerate(columns) if c.slice(0, last).null_count < min(last, len(c))]
    if not used:
        raise Unsupported("first block not in the grid")
    return int(cols.min()) - used[0]


def _date_text(fx_text: pa.Array, values: np.ndarray) -> pa.Array:
    """python-calamine's rendering of date cells from fastexcel's ``YYYY-MM-DD HH:MM:SS``."""
    time_only = pc.utf8_slice_codeunits(fx_text, 11, 19)
    day = pc.utf8_slice_codeunits(fx_text, 0, 10)
    full = pc.utf8_slice_codeunits(fx_text, 0, 19)
    whole = values == np.floor(values)
    return pc.if_else(pa.array(values < 1), time_only, pc.if_else(pa.array(whole), day, full))


def _number_texts(values: np.ndarray) -> pa.Array:
    """``number_text`` of each value; integers vectorised, the rest one by one."""
    exact = (values == np.floor(values)) & (np.abs(values) < 1e15)
    ints = pc.cast(pa.array(np.where(exact, values, 0).astype(np.int64)), pa.string())
    if exact.all():
        return ints
    other = pa.array([number_text(float(v)) for v in values[~exact]], pa.string())
    return pc.replace_with_mask(ints, pa.array(~exact), other)


def _typed_column(col: pa.Array, pos: np.ndarray, kinds: np.ndarray, values: np.ndarray
                  ) -> tuple[pa.Array, np.ndarray | None]:
    """Rewrite the typed cells of one column; return its text and numbers."""
    order = np.argsort(pos, kind="stable")
    pos, kinds, values = pos[order], kinds[order], values[order]
    fx_text = col.take(pa.array(pos))
    date = (kinds == _NUMERIC) & pc.fill_null(
        pc.match_substring_regex(fx_text, _DATE_TEXT), False).to_numpy(zero_copy_only=False)
    number = (kinds == _NUMERIC) & ~date
    text = _number_texts(np.where(number, values, 0))
    text = pc.if_else(pa.array(date), _date_text(fx_text, values), text)
    text = pc.if_else(pa.array(kinds == _BOOL), pc.if_else(pa.array(values != 0), "TRUE", "FALSE"),
                      text)
    text = pc.if_else(pa.array(kinds == _ERROR), "", text)
    mask = np.zeros(len(col), bool)
    mask[pos] = True
    out = pc.replace_with_mask(col, pa.array(mask), text.cast(col.type))
    if not number.any():
        return out, None
    nums = np.full(len(col), np.nan)
    nums[pos[number]] = values[number]
    return out, nums


def build_grid(batch: pa.RecordBatch, scan: SheetScan) -> tuple[Grid, int]:
    """The sheet's :class:`Grid` (row ``i`` = sheet row ``i + 1``) and its first column."""
    columns = [c.cast(pa.string()) if c.type != pa.string() else c for c in batch.columns]
    n = batch.num_rows
    if n == 0:
        return Grid([], [], np.zeros(0, np.int64)), 0
    col0 = _start_column(scan, columns)
    j = scan.cols - col0
    if len(j) and (j.min() < 0 or j.max() >= len(columns) or scan.rows.max() >= n):
        raise Unsupported("typed cells outside the grid")
    texts, numbers = [], []
    for k, col in enumerate(columns):
        here = j == k
        if here.any():
            col, nums = _typed_column(col, scan.rows[here], scan.kinds[here], scan.values[here])
        else:
            nums = None
        texts.append(pc.fill_null(col, ""))
        numbers.append(nums)
    return Grid(texts, numbers, np.arange(1, n + 1, dtype=np.int64)), col0


def read_sheet(reader, zf: zipfile.ZipFile, name: str, part: str,
               durations: frozenset[int] = frozenset()) -> tuple[Grid, list, int]:
    """Read one sheet: fastexcel in this thread, the XML scan in another."""
    box: dict[str, object] = {}

    def scan() -> None:
        try:
            box["scan"] = scan_sheet(zf, part, durations)
        except Exception as exc:  # reported to the caller below
            box["error"] = exc

    worker = threading.Thread(target=scan, daemon=True)
    worker.start()
    try:
        batch = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string",
                                  eager=True)
    finally:
        worker.join()
    if "error" in box:
        err = box["error"]
        raise err if isinstance(err, Unsupported) else Unsupported(str(err)) from err
    scan = box["scan"]
    assert isinstance(scan, SheetScan)
    grid, col0 = build_grid(batch, scan)
    return grid, scan.merged, col0
