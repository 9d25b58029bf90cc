"""Loading a data folder: every file and sheet recognised by its headers, nothing lost.

Every non-blank row below a header is *read*; it is then either *loaded* into its table or
*rejected* (with file, sheet, row number and a Chinese reason), so for every sheet
``rows_read == rows_loaded + rows_rejected``. Blank rows are counted separately.
"""
from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import EmptyFileError, NoHeaderError, NoStudentTableError
from ..schema import REJECT_COLUMNS, STRING, TABLES
from .folder import scan_folder
from .headers import detect_header, normalize_header
from .normalize import Values, normalize_table
from .quality import UNKNOWN_COLUMNS, keep_unknown
from .readers import Grid, RawSheet, blank_mask, read_file

PROVENANCE = ("_file", "_sheet", "_row")
_TOTALS = re.compile(r"^[合总小共]\s*计")
_SOURCE_NAMES = {"xlsx": "xlsx", "xls": "xls", "csv": "csv", "html": "HTML网页表格",
                 "xml": "Excel2003 XML"}


@dataclass
class SheetReport:
    """What happened to one sheet (or CSV file)."""

    file: str
    sheet: str
    table: str  # Chinese table name, '' when the sheet was skipped
    source: str  # xlsx, xls, csv, html, xml
    encoding: str  # text encoding of CSV/HTML, else the engine (calamine)
    header_row: int | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    blank_rows: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class LoadResult:
    """The tables found, the rejected rows and a report per sheet."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    rejects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REJECT_COLUMNS))
    report: list[SheetReport] = field(default_factory=list)
    columns_found: dict[str, set[str]] = field(default_factory=dict)
    unknown_values: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(UNKNOWN_COLUMNS)))
    """Coded values the vocabulary did not know, one row per table, column, value and file
    (``UNKNOWN_COLUMNS``); their rows are loaded with the raw text in ``原值_<列>``."""

    def present_columns(self, table_key: str) -> set[str]:
        """The canonical columns of ``table_key`` that some file actually had."""
        return set(self.columns_found.get(table_key, set()))


@dataclass
class _Piece:
    table: str
    frame: pd.DataFrame
    rejects: pd.DataFrame
    columns: set[str]
    unknown: pd.DataFrame | None = None


def totals_rows(grid: Grid) -> np.ndarray:
    """Positions of totals rows: the first non-empty of the first three cells starts with
    合计/总计/小计/共计."""
    head = grid.columns[:3]
    cand = np.zeros(len(grid), dtype=bool)
    for c in head:
        cand |= pc.fill_null(pc.match_substring(c, "计"), False).to_numpy(zero_copy_only=False)
    pos = np.flatnonzero(cand)
    if not len(pos):
        return pos
    idx = pa.array(pos)
    cells = zip(*(c.take(idx).to_pylist() for c in head), strict=True)
    first = [next((v.strip() for v in row if v and v.strip()), "") for row in cells]
    return pos[[bool(_TOTALS.match(v)) for v in first]]


def _contents(grid: Grid, positions: np.ndarray) -> list[str]:
    """The raw cells of some rows joined with ' | ' (trailing empty cells left out)."""
    idx = pa.array(positions)
    cols = [c.take(idx).to_pylist() for c in grid.columns]
    out = []
    for cells in zip(*cols, strict=True):
        cells = list(cells)
        while cells and not str(cells[-1]).strip():
            cells.pop()
        out.append(" | ".join(cells))
    return out


def _take(grid: Grid, keep: np.ndarray) -> Grid:
    idx = pa.array(np.flatnonzero(keep))
    return Grid([c.take(idx) for c in grid.columns],
                [None if n is None else n[keep] for n in grid.numbers], grid.rows[keep],
                grid.encoding, grid.flags)


def _load_sheet(sheet: RawSheet, rel: str, rep: SheetReport, values: Values | None = None
                ) -> _Piece:
    match = detect_header(sheet.top, rel, sheet.name or None)
    table = match.table
    rep.table, rep.header_row = table.name, sheet.top_rows[match.row_index]
    grid = sheet.body(match.row_index)
    rep.encoding = grid.encoding or rep.encoding
    blank = blank_mask(grid)
    rep.blank_rows = int(blank.sum())
    if rep.blank_rows:
        grid = _take(grid, ~blank)
        rep.notes.append(f"跳过空行 {rep.blank_rows} 行")
    n = len(grid)
    if match.unknown:
        rep.notes.append(f"未识别的列（未载入）：{'、'.join(dict.fromkeys(match.unknown))}")
    if match.duplicates:
        rep.notes.append(f"重复的列（只用第一列）：{'、'.join(dict.fromkeys(match.duplicates))}")
    header = sheet.top[match.row_index]
    for j in range(grid.width):
        nameless = j >= len(header) or not normalize_header(header[j])
        if nameless and j not in match.columns and pc.any(
                pc.greater(pc.binary_length(pc.utf8_trim_whitespace(grid.columns[j])), 0)).as_py():
            rep.notes.append(f"第 {j + 1} 列没有列名但有内容，未载入")
    cols = {name: (grid.columns[j], grid.numbers[j]) for j, name in match.columns.items()}
    frame, problems, unknown = normalize_table(table, cols, n, values)
    reasons = problems.reasons()
    if grid.flags:  # rows the reader could not read whole (broken quotes, undecodable bytes)
        flagged = np.flatnonzero(np.isin(grid.rows, np.fromiter(grid.flags, np.int64)))
        why = [grid.flags[int(r)] for r in grid.rows[flagged]]
        reasons = pd.concat([reasons.drop(flagged, errors="ignore"),
                             pd.Series(why, index=flagged, dtype=object)]).sort_index()
        for label in dict.fromkeys(w.split("：")[0] if "：" in w else "无法读取" for w in why):
            at = [str(grid.rows[p]) for p, w in zip(flagged, why, strict=True)
                  if w.startswith(label) or (label == "无法读取" and "：" not in w)]
            rep.notes.append(f"{label} {len(at)} 行（第 {'、'.join(at[:5])}{' 等' if len(at) > 5 else ''}"
                             " 行），列入拒收")
    totals = totals_rows(grid)
    if len(totals):
        reasons = reasons.drop(totals, errors="ignore")
        reasons = pd.concat([reasons, pd.Series("合计行（汇总数字，不是一条记录），未载入",
                                                index=totals, dtype=object)]).sort_index()
        rep.notes.append(f"合计行 {len(totals)} 行列入拒收")
    bad = reasons.index.to_numpy(dtype=np.int64)
    keep = np.ones(n, dtype=bool)
    keep[bad] = False
    if len(bad):
        frame = frame[keep].reset_index(drop=True)
    found = keep_unknown(frame, unknown, keep, table.name, rel, rep)
    frame["_file"] = pd.Series([rel] * len(frame), dtype=STRING)
    frame["_sheet"] = pd.Series([sheet.name] * len(frame), dtype=STRING)
    frame["_row"] = grid.rows[keep]
    rejects = pd.DataFrame({
        "file": rel, "sheet": sheet.name, "row": grid.rows[bad], "table": table.name,
        "reason": reasons.to_numpy(dtype=object), "content": _contents(grid, bad),
    }, columns=list(REJECT_COLUMNS))
    rep.rows_read, rep.rows_loaded, rep.rows_rejected = n, int(keep.sum()), len(bad)
    if n == 0:
        rep.notes.append("表头下方没有数据行")
    return _Piece(table.key, frame, rejects, match.matched, found)


def _load_raw(path: Path, rel: str, values: Values | None = None
              ) -> tuple[list[_Piece], list[SheetReport]]:
    raw = read_file(path)
    pieces, reports, skipped = [], [], []
    for sheet in raw.sheets:
        rep = SheetReport(rel, sheet.name, "", _SOURCE_NAMES[raw.source], raw.engine,
                          notes=raw.notes + sheet.notes)
        reports.append(rep)
        if sheet.is_empty:
            rep.notes.append("空工作表，已跳过" if sheet.name else "文件没有内容")
            continue
        try:
            pieces.append(_load_sheet(sheet, rel, rep, values))
        except NoHeaderError as exc:
            skipped.append(exc)
            rep.notes.append("找不到可识别的表头，已跳过")
    if not pieces:
        if skipped:
            raise skipped[0]
        raise EmptyFileError(rel, "文件中没有任何内容（所有工作表都是空的）",
                             "请确认导出是否成功；如不需要该文件，请把它移出数据文件夹。")
    if not any(rep.rows_read for rep in reports):
        raise EmptyFileError(rel, "只有表头，没有任何数据行",
                             "请确认导出时选择了数据范围；如不需要该文件，请把它移出数据文件夹。")
    return pieces, reports


def _combine(pieces: list[_Piece], reports: list[SheetReport]) -> LoadResult:
    result = LoadResult(report=reports)
    by_table: dict[str, list[pd.DataFrame]] = {}
    for p in pieces:
        by_table.setdefault(p.table, []).append(p.frame)
        result.columns_found.setdefault(p.table, set()).update(p.columns)
    for key in TABLES:
        frames = by_table.get(key)
        if frames:
            result.tables[key] = (frames[0] if len(frames) == 1
                                  else pd.concat(frames, ignore_index=True))
    rejects = [p.rejects for p in pieces if len(p.rejects)]
    if rejects:
        result.rejects = pd.concat(rejects, ignore_index=True)
    unknown = [p.unknown for p in pieces if p.unknown is not None]
    if unknown:
        result.unknown_values = pd.concat(unknown, ignore_index=True)
    return result


def load_file(path: str | Path, *, values: Values | None = None) -> LoadResult:
    """Load one file; ``_file`` is its name. ``values``: local spellings of coded columns
    (a profile's ``[values.<列>]``)."""
    path = Path(path)
    pieces, reports = _load_raw(path, path.name, values)
    return _combine(pieces, reports)


def load_folder(path: str | Path, *,
                progress: bool | Callable[[int, int, str], None] = False,
                values: Values | None = None) -> LoadResult:
    """Load every data file under ``path`` (recursively), recognised by its headers.

    ``progress``: True prints each file to stderr; a callable is called as
    ``progress(done, total, relative_path)`` before each file (and once more at the end with
    ``done == total``). ``values``: local spellings of coded columns (a profile's
    ``[values.<列>]``, column → {local value → accepted spelling}). Raises :class:`NoStudentTableError` when no 学生 table was found.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise NoStudentTableError(f"数据文件夹「{folder}」不存在或不是文件夹，请检查路径。")
    pieces, reports = [], []
    files, skipped = scan_folder(folder)
    for done, f in enumerate(files):
        rel = f.relative_to(folder).as_posix()
        if callable(progress):
            progress(done, len(files), rel)
        elif progress:
            print(f"读取 {rel} …", file=sys.stderr, flush=True)
        p, r = _load_raw(f, rel, values)
        pieces += p
        reports += r
    if callable(progress):
        progress(len(files), len(files), "")
    reports += [SheetReport(rel, "", "", "-", "-", notes=[why]) for rel, why in skipped]
    result = _combine(pieces, reports)
    if "students" not in result.tables:
        raise NoStudentTableError(
            f"数据文件夹「{folder}」中没有找到「学生」表（表头需包含 学籍号、姓名、学籍状态 等列）。"
            "请把学籍系统导出的学生信息表放入该文件夹后重试。")
    return result


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, width: int) -> str:
    return s + " " * max(width - _width(s), 0)


REPORT_HEADERS: tuple[str, ...] = ("文件", "工作表", "识别为", "格式", "表头行", "读取", "载入",
                                   "拒收", "空行", "说明")
"""Headers of :func:`report_table`."""
SKIPPED = "（跳过）"


def report_table(result: LoadResult) -> pd.DataFrame:
    """One row per sheet (or CSV file) read: what it was recognised as, the row counts and
    the notes (joined by ；)."""
    rows = [(r.file, r.sheet or "-", r.table or SKIPPED, f"{r.source}/{r.encoding}",
             r.header_row if r.header_row else "-", r.rows_read, r.rows_loaded, r.rows_rejected,
             r.blank_rows, "；".join(r.notes)) for r in result.report]
    out = pd.DataFrame(rows, columns=list(REPORT_HEADERS))
    return out.astype({k: "int64" for k in ("读取", "载入", "拒收", "空行")})


def summary_text(result: LoadResult) -> str:
    """The per-file/sheet table the ``load`` command prints (Chinese)."""
    table = report_table(result)
    head = REPORT_HEADERS[:-1]
    rows = [head] + [tuple(str(v) for v in row)
                     for row in table[list(head)].itertuples(index=False, name=None)]
    widths = [max(_width(row[k]) for row in rows) for k in range(len(head))]
    lines = ["  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    notes = [f"  · {r.file}" + (f"「{r.sheet}」" if r.sheet else "") + f"：{note}"
             for r in result.report for note in r.notes]
    if notes:
        lines += ["", "说明："] + notes
    total = [sum(getattr(r, k) for r in result.report)
             for k in ("rows_read", "rows_loaded", "rows_rejected", "blank_rows")]
    found = "、".join(f"{TABLES[k].name} {len(df)} 行" for k, df in result.tables.items())
    lines += ["", f"合计：读取 {total[0]} 行，载入 {total[1]} 行，拒收 {total[2]} 行，"
                  f"跳过空行 {total[3]} 行。", f"识别出的表：{found or '无'}。"]
    if total[2]:
        lines.append("拒收的行及原因见 rejects.csv（用 --out 指定输出文件夹）。")
    return "\n".join(lines)
