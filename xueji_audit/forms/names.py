"""Safe file names for drafted forms: case number, form and the child's name, never an ID
number or 学籍号 (a G 学籍号 is the full ID number), and nothing a file system or a reader
could misread: no path separators, control or bidi characters, bounded length."""
from __future__ import annotations

import re
import unicodedata

MAX_NAME = 20
"""Characters of a child's name kept in a file name (names are short; a hostile one is cut)."""
_DIGITS_X = re.compile(r"[0-9Xx]{6,}")


def slug(text, limit: int = MAX_NAME) -> str:
    """``text`` reduced to letters, digits, CJK and ``·-`` (NFKC; separators, dots, control,
    format/bidi and other characters dropped; runs of 6+ digits dropped so no number leaks);
    at most ``limit`` characters; ``无名`` when nothing is left."""
    s = unicodedata.normalize("NFKC", str(text or ""))
    keep = "".join(c for c in s if c in "·-" or unicodedata.category(c)[0] in "LN")
    keep = _DIGITS_X.sub("", keep)[:limit]
    return keep or "无名"


def form_stem(case_id: int, form: str, who: str = "") -> str:
    """``{form}_案件{id}`` or ``{form}_案件{id}_{slug(who)}``."""
    stem = f"{form}_案件{int(case_id)}"
    return f"{stem}_{slug(who)}" if who else stem


def unique(stems: list[str]) -> list[str]:
    """``stems`` with repeats numbered (张伟, 张伟_2 …) so no file overwrites another."""
    seen: dict[str, int] = {}
    out = []
    for s in stems:
        seen[s] = seen.get(s, 0) + 1
        out.append(s if seen[s] == 1 else f"{s}_{seen[s]}")
    return out
