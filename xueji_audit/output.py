"""Writing output files the way DATA.md asks: CSV as UTF-8 with BOM, no formula injection,
and never a half-written file: everything is written to a temporary name beside the target and
renamed into place when complete (:func:`atomic_path`); a full disk or a read-only folder is one
clear Chinese message (:func:`disk_error`), not a traceback.
"""
from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from .errors import OutputDirError, OutputError

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def check_out_dir(out_dir: str | Path, data_dir: str | Path | None) -> None:
    """Refuse an output folder that is the data folder or inside it (the kit never writes
    into the user's data)."""
    if data_dir is None:
        return
    out, data = Path(out_dir).resolve(), Path(data_dir).resolve()
    if out == data or data in out.parents:
        raise OutputDirError(
            f"输出文件夹「{out_dir}」在数据目录「{data_dir}」之内。为避免改动原始数据，"
            "请用 --out 另选数据文件夹以外的文件夹。")


def escape_formula(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells cannot start a spreadsheet formula."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or isinstance(out[col].dtype, pd.StringDtype):
            s = out[col].astype(object)
            try:
                mask = s.str.startswith(_FORMULA_START, na=False).astype(bool)
            except AttributeError:  # an object column without any text
                continue
            if mask.any():
                s = s.where(~mask, "'" + s[mask].astype(str))
            out[col] = s
    return out


def disk_error(path: str | Path, exc: OSError) -> OutputError:
    """The Chinese message for an ``OSError`` met while writing ``path``."""
    where = Path(path)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return OutputError(f"磁盘空间不足，文件「{where}」未能写完（未完成的文件已删除）。"
                           "请清理磁盘或换一个输出文件夹后重试。")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return OutputError(f"文件夹「{where.parent}」不可写（只读或没有权限），文件「{where.name}」"
                           "未能写出。请换一个可写的输出文件夹后重试。")
    if exc.errno == errno.ENAMETOOLONG:
        return OutputError(f"文件名过长，无法写出「{where.name[:60]}…」。")
    return OutputError(f"无法写出文件「{where}」：{exc.strerror or exc}。")


def make_dir(path: str | Path) -> Path:
    """Create a folder (and its parents); a disk problem is an :class:`OutputError`."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise disk_error(path / "_", exc) from None
    return path


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary file beside ``path`` to write; renamed onto ``path`` when the block ends
    without error, removed otherwise (so no half-written file is ever left as if complete)."""
    path = Path(path)
    make_dir(path.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem[:40]}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise disk_error(path, exc) from None
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise disk_error(path, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` as UTF-8 with BOM (Excel on Chinese Windows reads it), formulas escaped."""
    path = Path(path)
    with atomic_path(path) as tmp:
        safe_frame(df).to_csv(tmp, index=False, encoding="utf-8-sig", date_format="%Y-%m-%d")
    return path


def write_xlsx(df: pd.DataFrame, path: str | Path, sheet_name: str = "Sheet1") -> Path:
    """Write ``df`` as .xlsx with openpyxl, every text cell stored as text, formulas escaped."""
    return write_xlsx_sheets({sheet_name: df}, path)


def write_xlsx_sheets(sheets: dict[str, pd.DataFrame], path: str | Path) -> Path:
    """Write several frames as the sheets of one .xlsx (names cut to Excel's 31 characters)."""
    path = Path(path)
    with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as xw:
        for name, df in sheets.items():
            safe_frame(df).to_excel(xw, index=False, sheet_name=name[:31])
    return path
