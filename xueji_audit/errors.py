"""Typed exceptions. Each carries a readable Chinese message for the user.

The CLI prints ``str(exc)`` for any :class:`XuejiError` and exits with status 2, no traceback.
"""
from __future__ import annotations


class XuejiError(Exception):
    """Base class of every error the kit reports to a user."""


class DataFileError(XuejiError):
    """A data file cannot be used as it is. ``file`` names it; the message says what to do."""

    def __init__(self, file: str, problem: str, action: str, sheet: str | None = None):
        self.file, self.problem, self.action, self.sheet = str(file), problem, action, sheet
        where = f"{self.file}" + (f"（工作表「{sheet}」）" if sheet else "")
        super().__init__(f"文件 {where}：{problem}。{action}")


class UnreadableFileError(DataFileError):
    """The file is not a readable spreadsheet or CSV (corrupt, encrypted, wrong format)."""


class FileTooLargeError(DataFileError):
    """The file declares or spans more than the readers' limits (dimensions, spans, decompressed
    size, one CSV cell): refused before anything is allocated."""


class EmptyFileError(DataFileError):
    """The file (or every sheet of it) holds no data rows."""


class NoHeaderError(DataFileError):
    """No row of a sheet could be recognised as the header of a known table."""


class MissingColumnError(DataFileError):
    """A recognised table lacks a required column."""

    def __init__(self, file: str, table: str, missing: list[str], sheet: str | None = None):
        self.table, self.missing = table, list(missing)
        super().__init__(
            file,
            f"识别为「{table}」表，但缺少必需列：{'、'.join(missing)}",
            "请在导出时勾选这些列，或在表头中补上列名后重试。",
            sheet,
        )


class NoStudentTableError(XuejiError):
    """The data folder holds no 学生 table, the only required one."""


class OutputDirError(XuejiError):
    """The output folder is the data folder or inside it."""


class OutputError(XuejiError):
    """A file could not be written (disk full, read-only or forbidden folder); nothing
    half-written is left behind."""


class ProfileError(XuejiError):
    """A rule profile has unknown keys, wrong types or unknown rule ids."""


class InvalidDateError(XuejiError):
    """A date given by the user (e.g. --as-of) cannot be parsed."""


class MatchSpecError(XuejiError):
    """A matching spec file (``xueji-audit match --spec``) or the table it maps is unusable."""
