"""Writing output files the way DATA.md asks: CSV as UTF-8 with BOM, no formula injection."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import OutputDirError

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


def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` as UTF-8 with BOM (Excel on Chinese Windows reads it), formulas escaped."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    safe_frame(df).to_csv(path, index=False, encoding="utf-8-sig", date_format="%Y-%m-%d")
    return path


def write_xlsx(df: pd.DataFrame, path: str | Path, sheet_name: str = "Sheet1") -> Path:
    """Write ``df`` as .xlsx with openpyxl, every text cell stored as text, formulas escaped."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        safe_frame(df).to_excel(xw, index=False, sheet_name=sheet_name)
    return path
