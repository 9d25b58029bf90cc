"""Coded values the vocabulary did not know: kept beside the row, counted, and turned into
data-quality findings (DQ-01 数据质量：取值无法识别).

They are not rules of the catalogue: the loader found them, and :func:`run_audit` appends them
to the audit's findings so that an inspector sees them in 问题清单 beside the rule findings.
One finding per table, column and value, with the number of rows and the files.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..schema import FINDING_COLUMNS, RAW_PREFIX
from .normalize import Unknown

UNKNOWN_COLUMNS = ("table", "column", "value", "rows", "file")
"""Columns of ``LoadResult.unknown_values``: one row per table, column, value and file."""

DQ_UNKNOWN = ("DQ-01", "数据质量：取值无法识别", "低",
              "数据约定（DATA.md）：取值无法识别的行照常载入并报告，不因一个代码丢失一条学籍")
"""(rule id, name, severity, basis) of the finding."""


def keep_unknown(frame: pd.DataFrame, unknown: Unknown, keep: np.ndarray, table: str,
                  rel: str, rep) -> pd.DataFrame | None:
    """Add a ``原值_<列>`` column per column with unknown values (raw text on those rows) and
    return the counts per value; notes go to the sheet's report."""
    counts = []
    for col, (mask, raw) in unknown.columns.items():
        mask = mask & keep
        if not mask.any():
            continue
        values = raw.filter(pa.array(mask))
        kept = pc.if_else(pa.array(mask), raw, pa.scalar(None, pa.string())).filter(pa.array(keep))
        frame[RAW_PREFIX + col] = pd.Series(pd.arrays.ArrowStringArray(kept))
        per = pd.Series(values.to_pylist(), dtype=object).value_counts(sort=True)
        counts.append(pd.DataFrame({"table": table, "column": col, "value": per.index,
                                    "rows": per.to_numpy(dtype=np.int64), "file": rel}))
        shown = "、".join(f"「{v}」{n} 行" for v, n in per.head(5).items())
        more = f" 等 {len(per)} 种" if len(per) > 5 else ""
        rep.notes.append(f"数据质量：「{col}」取值无法识别 {int(mask.sum())} 行（{shown}{more}），"
                         f"已载入，原值保留在「{RAW_PREFIX}{col}」列")
    return pd.concat(counts, ignore_index=True) if counts else None


def quality_findings(result) -> pd.DataFrame:
    """DQ-01 findings (``schema.FINDING_COLUMNS``) of a :class:`LoadResult`; empty when none."""
    unknown = getattr(result, "unknown_values", None)
    if unknown is None or not len(unknown):
        return pd.DataFrame(columns=list(FINDING_COLUMNS))
    rule_id, name, severity, basis = DQ_UNKNOWN
    rows = []
    for (table, column, value), part in unknown.groupby(["table", "column", "value"], sort=True):
        files = "、".join(dict.fromkeys(part["file"]))
        n = int(part["rows"].sum())
        rows.append({
            "rule_id": rule_id, "rule_name": name, "severity": severity, "basis": basis,
            "detail": f"{table}表「{column}」列的取值「{value}」无法识别，共 {n} 行（{files}）；"
                      f"这些行已载入，原值保留在「{RAW_PREFIX}{column}」列。如是本地写法，"
                      f"请在规则配置的 [values.{column}] 中映射到标准取值",
        })
    out = pd.DataFrame(rows, columns=list(FINDING_COLUMNS))
    out["due_date"] = pd.NaT
    return out
