"""An inspector's accept / reject of a suspected duplicate pair, kept and respected next time.

Until the case store exists, decisions live in a CSV file (UTF-8 with BOM, so it opens in
Excel) with the columns ``学籍号_a, 学籍号_b, 决定, 核查人, 日期, 备注``. ``决定`` is 接受 (the
same child) or 排除 (different children); ``accept`` / ``reject``, 是 / 否 and 同一人 / 不同人 are
read too. A pair is unordered; when it is decided twice the later row wins. On the next run an
accepted pair scores 1 (band 确定) and a rejected pair scores 0: it is never put in one cluster.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from ..errors import DataFileError
from ..output import write_csv

COLUMNS: tuple[str, ...] = ("学籍号_a", "学籍号_b", "决定", "核查人", "日期", "备注")
ACCEPT = frozenset({"接受", "accept", "是", "同一人", "确认", "1", "true"})
REJECT = frozenset({"排除", "reject", "否", "不同人", "0", "false"})


def _ordered(a: pd.Series, b: pd.Series) -> tuple[pd.Series, pd.Series]:
    first = a <= b
    return a.where(first, b), b.where(first, a)


def normalize_decisions(frame: pd.DataFrame, file: str = "") -> pd.DataFrame:
    """Decisions with ordered pairs, ``accept`` (bool), the last decision per pair kept.

    Raises :class:`~xueji_audit.errors.DataFileError` for a missing column or an unknown
    decision word.
    """
    missing = [c for c in COLUMNS[:3] if c not in frame.columns]
    if missing:
        raise DataFileError(file or "决定文件", f"缺少列：{'、'.join(missing)}",
                            "请使用 学籍号_a、学籍号_b、决定 三列（决定填“接受”或“排除”）。")
    word = frame["决定"].astype("string").str.strip().str.lower()
    unknown = ~(word.isin(ACCEPT) | word.isin(REJECT)).fillna(False)
    if unknown.any():
        bad = "、".join(sorted(set(frame.loc[unknown, "决定"].astype(str)))[:5])
        raise DataFileError(file or "决定文件", f"无法识别的决定：{bad}",
                            "决定一栏请填写“接受”（同一学生）或“排除”（不是同一学生）。")
    a, b = _ordered(frame["学籍号_a"].astype(str).str.strip(),
                    frame["学籍号_b"].astype(str).str.strip())
    out = frame.assign(学籍号_a=a, 学籍号_b=b, accept=word.isin(ACCEPT).to_numpy())
    return out.drop_duplicates(["学籍号_a", "学籍号_b"], keep="last").reset_index(drop=True)


def read_decisions(path: str | Path) -> pd.DataFrame:
    """The decisions of a CSV file (an absent file means no decisions yet)."""
    path = Path(path)
    if not path.exists():
        return pd.DataFrame({c: pd.Series(dtype=object) for c in (*COLUMNS, "accept")})
    frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    return normalize_decisions(frame, str(path))


def record_decision(path: str | Path, a: str, b: str, accept: bool, *, inspector: str = "",
                    on: dt.date | None = None, note: str = "") -> pd.DataFrame:
    """Store one decision in the file at ``path`` (created when absent) and return them all."""
    old = read_decisions(path)
    row = pd.DataFrame([{"学籍号_a": a, "学籍号_b": b, "决定": "接受" if accept else "排除",
                         "核查人": inspector, "日期": on.isoformat() if on else "",
                         "备注": note}])
    merged = normalize_decisions(pd.concat([old[list(COLUMNS)], row], ignore_index=True))
    write_csv(merged[list(COLUMNS)], path)
    return merged
