"""Which files of a data folder are read, and why each other file is not.

Every file under the folder is either read or named in the load report with the reason: a
format the kit cannot read (.et, .ods, .numbers …), an Office lock file, a file that is not a
table, a hidden file, a name that looks like a path (``..\\x.csv``), or a link leading outside the data folder (never followed). Only the demo's answer keys
(``truth/``) and hidden folders are left out unnamed.
"""
from __future__ import annotations

import os
from pathlib import Path

SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".csv"})
SKIP_DIRS = frozenset({"truth"})
_RESAVE = "请用 Excel 或 WPS 打开后另存为 .xlsx 再放入数据文件夹"
_FORMATS = {
    ".et": f"WPS 表格（.et）无法直接读取：{_RESAVE}",
    ".ett": f"WPS 表格模板（.ett）无法直接读取：{_RESAVE}",
    ".ods": f"OpenDocument 表格（.ods）无法直接读取：{_RESAVE}",
    ".numbers": f"Numbers 表格无法直接读取：{_RESAVE}",
    ".xlsb": f"Excel 二进制工作簿（.xlsb）无法直接读取：{_RESAVE}",
    ".dbf": f"DBF 数据库文件无法直接读取：{_RESAVE}",
}


def _reason(path: Path, rel: Path, root: Path) -> str | None:
    """Why ``path`` is not read (None: it is read)."""
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return "链接无效或指向自身，未读取"
        if not target.is_relative_to(root):
            return "链接指向数据文件夹之外，未跟随、未读取"
        if target.is_dir():
            return "指向文件夹的链接，未跟随；请把文件直接放入数据文件夹"
    elif path.is_dir():
        return None
    if not path.is_file():
        return "不是普通文件，未读取"
    name = path.name
    if name.startswith(("~$", ".~lock.")):
        return "Office 临时锁定文件，未读取"
    if name.startswith("..") or "\\" in name:
        return "文件名像一个路径（含「..」或「\\」），未读取：请改成普通的文件名"
    if name.startswith("."):
        return "隐藏文件（文件名以「.」开头），未读取"
    suffix = path.suffix.lower()
    if suffix in SUFFIXES:
        return None
    return _FORMATS.get(suffix, f"不是表格文件（{suffix or '无扩展名'}），未读取")


def scan_folder(folder: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """(files to read, [(relative path, reason)] of the files not read), in name order."""
    root = folder.resolve()
    read, skipped = [], []
    for dirpath, dirnames, filenames in os.walk(folder):  # never descends into a linked folder
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames) + [d for d in dirnames if (here / d).is_symlink()]:
            path = here / name
            rel = path.relative_to(folder)
            why = _reason(path, rel, root)
            if why is None:
                read.append(path)
            else:
                skipped.append((rel.as_posix(), why))
        dirnames[:] = [d for d in dirnames if not (here / d).is_symlink()]
    read.sort()
    skipped.sort()
    return read, skipped


def data_files(folder: Path) -> list[Path]:
    """The data files under ``folder`` that are read (see :func:`scan_folder`)."""
    return scan_folder(folder)[0]
