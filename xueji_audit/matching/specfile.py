"""A matching spec file for any table (``xueji-audit match 表格 --spec 规格.json``).

The file names the key column and each compared field with its kind, nothing about
blocking (the keys are proposed from the data, :mod:`.propose`)::

    {"key": "rec_id",
     "fields": [{"column": "given_name", "kind": "name"},
                {"column": "date_of_birth", "kind": "date", "label": "出生日期"}],
     "source": "file"}                     # optional: link two sources

Kinds: ``name_zh``, ``name``, ``text``, ``id_cn``, ``code``, ``date``, ``exact``.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..errors import MatchSpecError
from .features import KINDS, FieldSpec, MatchSpec

MAX_SPEC_BYTES = 1_000_000


def read_spec(path: str | Path) -> MatchSpec:
    """The :class:`MatchSpec` (without blocks) of a spec file; a Chinese error otherwise."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_SPEC_BYTES:
            raise MatchSpecError(f"规格文件「{path}」过大（超过 1 MB），不像是字段说明。")
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise MatchSpecError(f"无法读取规格文件「{path}」：{exc.strerror or exc}。") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise MatchSpecError(f"规格文件「{path}」不是有效的 JSON（UTF-8）：{exc}。") from None
    if not isinstance(data, dict) or not isinstance(data.get("key"), str):
        raise MatchSpecError(f"规格文件「{path}」须含 \"key\"（记录编号所在列的列名）。")
    fields = data.get("fields")
    if not isinstance(fields, list) or not fields:
        raise MatchSpecError(f"规格文件「{path}」须含 \"fields\"：比对字段的列表。")
    out = []
    for k, f in enumerate(fields, 1):
        if not isinstance(f, dict) or not isinstance(f.get("column"), str):
            raise MatchSpecError(f"规格文件「{path}」第 {k} 个字段须写明 \"column\"（列名）。")
        if f.get("kind") not in KINDS:
            raise MatchSpecError(f"规格文件「{path}」字段「{f['column']}」的 kind「{f.get('kind')}」"
                                 f"不认识；可用：{'、'.join(KINDS)}。")
        out.append(FieldSpec(f["column"], f["kind"], str(f.get("label") or f["column"])))
    source = data.get("source")
    return MatchSpec(key=data["key"], fields=tuple(out),
                     source=source if isinstance(source, str) and source else None)


def read_table(path: str | Path, spec: MatchSpec) -> pd.DataFrame:
    """The table (.csv in UTF-8 or GB18030, .xlsx / .xls) as text, checked against ``spec``."""
    path = Path(path)
    try:
        if path.suffix.lower() in (".xlsx", ".xls"):
            df = pd.read_excel(path, dtype=str, engine="calamine")
        elif path.suffix.lower() == ".csv":
            try:
                df = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
            except UnicodeDecodeError:
                df = pd.read_csv(path, dtype=str, encoding="gb18030", keep_default_na=False)
        else:
            raise MatchSpecError(f"「{path}」不是 .csv 或 .xlsx 表格文件；用 --spec 时请给一个表格文件。")
    except (OSError, ValueError) as exc:
        raise MatchSpecError(f"无法读取表格「{path}」：{exc}。") from None
    need = [spec.key, *(f.column for f in spec.fields), *([spec.source] if spec.source else [])]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise MatchSpecError(f"表格「{path}」缺少规格文件中的列：{'、'.join(missing)}。")
    return df
