"""Privacy in one place: masking personal numbers, and logging who revealed or drafted what.

Masking: ID numbers, 学籍号 and phone numbers.

Whole-cell maskers (:func:`mask_id`, :func:`mask_xjh`, :func:`mask_phone`) work on a Series of
values of one kind; :func:`mask_text` finds the same numbers inside free text (a finding's
说明, the evidence of a duplicate pair); :func:`mask_frame` applies them to every column of a
table by its header. All of them are pandas string operations over the whole column.

Formats: an ID number keeps its first 6 and last 4 characters (``640426********1234``), a
学籍号 its kind letter, the next 6 and the last 4 (``G640426********1234``), a phone number its
first 3 and last 4 digits (``138****5678``).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

_NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z*])"
_NOT_ALNUM_AFTER = r"(?![0-9A-Za-z])"
TEXT_PATTERNS: tuple[tuple[str, str], ...] = (
    # 学籍号 and ID numbers, also mistyped ones (a digit too many, a letter inside): a run of
    # 14-20 letters and digits that starts with 6 digits (after a 学籍号's kind letter)
    (_NOT_ALNUM_BEFORE + r"([A-Za-z]?\d{6})[0-9A-Za-z]{4,10}([0-9A-Za-z]{4})" + _NOT_ALNUM_AFTER,
     r"\1********\2"),
    # mobile phone number, optionally with +86 and separators
    (r"(?<![0-9A-Za-z*])((?:\+?86[- ]?)?1[3-9]\d)[- ]?\d{4}[- ]?(\d{4})" + _NOT_ALNUM_AFTER,
     r"\1****\2"),
)
"""(regex, replacement) pairs applied in order by :func:`mask_text`."""

ID_MARKERS: tuple[str, ...] = ("身份证件号", "身份证号", "证件号码")
XJH_MARKERS: tuple[str, ...] = ("学籍号", "学籍辅号", "个人标识码")
PHONE_MARKERS: tuple[str, ...] = ("电话", "手机")
KEEP_COLUMNS: frozenset[str] = frozenset({"业务编号", "学校标识码", "处理单位", "组号"})
"""Columns of codes that are not personal: never masked."""


def _text(s: pd.Series) -> pd.Series:
    return s.astype("string")


def _keep_ends(s: pd.Series, head: int, tail: int, min_len: int) -> pd.Series:
    """Keep ``head`` leading and ``tail`` trailing characters, stars in between, for values
    of at least ``min_len`` characters; shorter values become all stars."""
    s = _text(s).str.strip()
    n = s.str.len()
    long = n >= min_len
    stars = pd.Series("*", index=s.index, dtype="string").str.repeat(
        (n - head - tail).where(long, n).fillna(0).clip(lower=0).astype("int64"))
    masked = s.str.slice(0, head) + stars + s.str.slice(-tail)
    return masked.where(long, stars).where(s.notna() & (n > 0), s)


def mask_id(s: pd.Series) -> pd.Series:
    """ID numbers → first 6 + stars + last 4 (``640426********1234``); text that is not a
    bare number (evidence like ``一致：… / …``) is masked by :func:`mask_text` instead."""
    s = _text(s)
    bare = s.str.strip().str.fullmatch(r"[0-9A-Za-z]{11,}").fillna(False)
    return _keep_ends(s, 6, 4, 11).where(bare, mask_text(s))


def mask_xjh(s: pd.Series) -> pd.Series:
    """学籍号 → kind letter + 6 + stars + last 4 (``G640426********1234``); bare numbers
    without a letter are masked like ID numbers; other text by :func:`mask_text`."""
    s = _text(s)
    t = s.str.strip()
    lettered = t.str.fullmatch(r"[A-Za-z][0-9A-Za-z]{11,}").fillna(False)
    bare = t.str.fullmatch(r"[0-9A-Za-z]{11,}").fillna(False) & ~lettered
    out = mask_text(s)
    out = out.where(~bare, _keep_ends(s, 6, 4, 11))
    return out.where(~lettered, _keep_ends(s, 7, 4, 12))


def mask_phone(s: pd.Series) -> pd.Series:
    """Phone numbers → first 3 + stars + last 4 digits (``138****5678``); separators are
    dropped from a bare number; other text by :func:`mask_text`."""
    s = _text(s)
    digits = s.str.replace(r"[\s\-()（）+]", "", regex=True)
    bare = digits.str.fullmatch(r"\d{7,}").fillna(False)
    return _keep_ends(digits, 3, 4, 8).where(bare, mask_text(s))


def mask_text(s: pd.Series) -> pd.Series:
    """Free text with every 学籍号, ID number (also a mistyped one) and mobile number in it
    masked; the first 6 (after a kind letter) and last 4 characters are kept."""
    out = _text(s)
    for pattern, repl in TEXT_PATTERNS:
        out = out.str.replace(pattern, repl, regex=True)
    return out


def _kind(column: str) -> str:
    if column in KEEP_COLUMNS:
        return "keep"
    if any(m in column for m in ID_MARKERS):
        return "id"
    if any(m in column for m in XJH_MARKERS):
        return "xjh"
    if any(m in column for m in PHONE_MARKERS):
        return "phone"
    return "text"


_MASKERS = {"id": mask_id, "xjh": mask_xjh, "phone": mask_phone, "text": mask_text}


def mask_frame(df: pd.DataFrame, reveal: bool = False) -> pd.DataFrame:
    """A copy of ``df`` with personal numbers masked: columns named like 身份证件号 / 学籍号 /
    电话 by their masker, codes (:data:`KEEP_COLUMNS`) as they are, every other text column
    by :func:`mask_text`. With ``reveal`` (the report's ``reveal_pii``) ``df`` is returned
    unchanged."""
    if reveal:
        return df
    out = df.copy()
    for col in out.columns:
        s = out[col]
        kind = _kind(str(col))
        if kind != "keep" and (s.dtype == object or isinstance(s.dtype, pd.StringDtype)):
            out[col] = _MASKERS[kind](s).astype(object).where(s.notna(), s)
    return out


# ---------------------------------------------------------------------------- logged actions
# Showing unmasked numbers and drafting a form (which carries full values) are written to the
# case store's access log under the person who did it, with the business date they work on
# (the store adds the real time). The CLI, the report notebooks and the app pages all call
# these two functions; a report notebook run directly with ``reveal_pii=True`` is logged too.


def _who(user: str, what: str) -> str:
    from .errors import XuejiError

    if not str(user or "").strip():
        raise XuejiError(f"{what}须记入访问日志：请给出操作人（--user 或页面的登录人）。")
    return str(user).strip()


def log_reveal(store, user: str, on: dt.date, where: str, case_id: int | None = None) -> int:
    """Record that ``user`` showed unmasked numbers in ``where`` (a page, report or command)."""
    from .cases.store import ACTION_SHOW_ID

    return store.log_access(ACTION_SHOW_ID, case_id, _who(user, "显示完整证件号"),
                            dt.datetime.combine(on, dt.time()), where)


def log_draft(store, user: str, on: dt.date, case_id: int, kind: str,
              paths: Iterable[str | Path]) -> int:
    """Record that ``user`` drafted form ``kind`` of case ``case_id`` as the files ``paths``."""
    from .cases.store import ACTION_DRAFT

    names = "、".join(Path(p).name for p in paths)
    return store.log_access(ACTION_DRAFT, int(case_id), _who(user, "起草文书"),
                            dt.datetime.combine(on, dt.time()), f"{kind}：{names}")
