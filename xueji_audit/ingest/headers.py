"""Header cells → canonical column names, and which table a sheet is.

The header row is searched for in the first rows of a sheet (it often sits under title rows
such as 「XX县2026年秋季学期学生名单」 or 「导出时间：…」). A header cell is normalised (NFKC,
whitespace removed, ``*`` markers and a trailing bracketed unit dropped) and looked up among the
canonical names and aliases of :mod:`xueji_audit.schema`.

A table is a candidate when all its ``signature`` columns are present; the candidate matching
most of its columns wins. A header that nearly matches a table (most of its signature and at
least 3 columns) is reported as that table with its missing required columns named.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from ..errors import MissingColumnError, NoHeaderError
from ..schema import TABLES, Table

_SPACE = re.compile(r"\s+")
_UNIT = re.compile(r"[(\[【][^()\[\]【】]*[)\]】]$")
_MARKS = "*＊"
# Columns that a 学生 export has and a class roster never has: a header holding any of them is
# not a roster, even if the roster's signature is present (e.g. a 学生 export lacking 学籍状态).
STUDENT_ONLY = frozenset({"学籍状态", "身份证件类型", "年级", "入学年月"})


def normalize_header(cell: object) -> str:
    """``' 上下学距离（公里）*'`` → ``'上下学距离'``: NFKC, no spaces, no markers or units."""
    s = unicodedata.normalize("NFKC", "" if cell is None else str(cell))
    s = _SPACE.sub("", s).strip(_MARKS)
    while True:
        stripped = _UNIT.sub("", s).strip(_MARKS)
        if stripped == s or not stripped:
            return s
        s = stripped


@cache
def aliases(table_key: str) -> dict[str, str]:
    """Normalised header text → canonical column name, for one table."""
    out: dict[str, str] = {}
    for col in TABLES[table_key].columns:
        for name in (col.name, *col.aliases):
            out.setdefault(normalize_header(name), col.name)
    return out


@dataclass
class HeaderMatch:
    """A sheet's header row and the table it was recognised as."""

    table: Table
    row_index: int  # position in the scanned top rows
    columns: dict[int, str]  # grid column position → canonical name
    unknown: list[str] = field(default_factory=list)  # header texts not in the schema
    duplicates: list[str] = field(default_factory=list)  # canonical names seen twice

    @property
    def matched(self) -> set[str]:
        return set(self.columns.values())


def match_row(cells: list[str], table: Table, above: list[str] | None = None) -> HeaderMatch:
    """Map one candidate header row onto ``table``'s columns.

    ``above`` is the row above: under a merged group header such as 「成员1」 a cell 「姓名」
    is read as 「成员1姓名」 when that is a column of the table.
    """
    names = aliases(table.key)
    columns: dict[int, str] = {}
    unknown: list[str] = []
    duplicates: list[str] = []
    for j, cell in enumerate(cells):
        h = normalize_header(cell)
        if not h:
            continue
        up = normalize_header(above[j]) if above and j < len(above) else ""
        canonical = names.get(up + h) if up and up != h else None
        canonical = canonical or names.get(h)
        if canonical is None:
            unknown.append(h)
        elif canonical in columns.values():
            duplicates.append(canonical)
        else:
            columns[j] = canonical
    return HeaderMatch(table, -1, columns, unknown, duplicates)




def detect_header(top: list[list[str]], file: str, sheet: str | None = None) -> HeaderMatch:
    """Find the header row among ``top`` and recognise the table, or raise.

    Raises :class:`MissingColumnError` when the best match lacks required columns and
    :class:`NoHeaderError` when nothing is recognisable.
    """
    best: HeaderMatch | None = None
    near: HeaderMatch | None = None
    for r, cells in enumerate(top):
        above = top[r - 1] if r else None
        student = match_row(cells, TABLES["students"], above)
        for table in TABLES.values():
            m = student if table.key == "students" else match_row(cells, table, above)
            m.row_index = r
            if table.key == "rosters" and student.matched & STUDENT_ONLY:
                continue
            hits = len(set(table.signature) & m.matched)
            if hits == len(table.signature):
                # more columns wins; on a tie the lower row (a two-row header's second row)
                if best is None or (len(m.matched), r) > (len(best.matched), best.row_index):
                    best = m
            elif 2 * hits > len(table.signature) and len(m.matched) >= 3:
                if near is None or len(m.matched) > len(near.matched):
                    near = m
    found = best or near
    if found is None:
        raise NoHeaderError(
            file, f"前 {len(top)} 行中找不到可识别的表头（例如「学籍号」「姓名」「学籍状态」等列名）",
            "请确认这是学籍系统导出的表格，且表头行的列名没有被删改。", sheet)
    missing = [c for c in found.table.required if c not in found.matched]
    if missing:
        raise MissingColumnError(file, found.table.name, missing, sheet)
    return found
