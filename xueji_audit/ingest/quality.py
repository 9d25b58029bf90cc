"""Data-quality findings of a load (DQ-01 数据质量：取值无法识别).

They are not rules of the catalogue: the loader found them, and :func:`run_audit` appends them
to the audit's findings so that an inspector sees them in 问题清单 beside the rule findings.
One finding per table, column and value, with the number of rows and the files.
"""
from __future__ import annotations

import pandas as pd

from ..schema import FINDING_COLUMNS, RAW_PREFIX

DQ_UNKNOWN = ("DQ-01", "数据质量：取值无法识别", "低",
              "数据约定（DATA.md）：取值无法识别的行照常载入并报告，不因一个代码丢失一条学籍")
"""(rule id, name, severity, basis) of the finding."""


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
