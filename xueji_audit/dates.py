"""Parsing dates that a user types (``--as-of``)."""
from __future__ import annotations

import datetime as dt
import re

from .errors import InvalidDateError

_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)

def parse_date(text: str | dt.date) -> dt.date:
    """``2026-11-20``, ``2026/11/20``, ``20261120`` or ``2026年11月20日`` → a date."""
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    s = str(text).strip()
    for pat in _PATTERNS:
        m = pat.match(s)
        if m:
            try:
                return dt.date(*map(int, m.groups()))
            except ValueError:
                break
    raise InvalidDateError(f"无法识别日期「{s}」，请写成 YYYY-MM-DD，例如 2026-11-20。")
