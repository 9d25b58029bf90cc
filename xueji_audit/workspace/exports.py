"""What a clerk opens: the audit as Chinese tables and files (DATA.md "What the kit writes").

The functions turn the workspace's stored frames (English identifiers inside the kit) into
tables with Chinese headers, schools named by name and no ``NaN`` — the same tables the
reports and pages show — and :func:`write_exports` writes them as files:
``问题清单.csv/.xlsx``, ``规则执行情况.csv``, ``疑似重复.csv``, ``疑似重复分组.csv``,
``未载入行.csv``, ``载入情况.csv`` and the 控辍保学 list ``控辍保学名单.csv/.xlsx`` (ST-06).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..audit import NOT_RUN, RAN
from ..ingest import report_table
from ..output import write_csv, write_xlsx
from ..rules.records import dropout_list

SEVERITIES: tuple[str, ...] = ("高", "中", "低")
FINDING_HEADERS: dict[str, str] = {
    "rule_id": "规则编号", "rule_name": "问题类型", "severity": "严重程度", "学籍号": "学籍号",
    "姓名": "姓名", "学校": "学校", "学校标识码": "学校标识码", "班级": "班级",
    "业务编号": "业务编号", "detail": "问题说明", "basis": "政策依据", "due_date": "整改期限",
}
"""Finding columns → the headers of 问题清单 (DATA.md order)."""
RUN_STATUS: dict[str, str] = {RAN: "已运行", NOT_RUN: "未运行"}
BAND_HEADERS: dict[str, str] = {"学籍号_a": "学籍号_a", "学籍号_b": "学籍号_b", "score": "匹配概率",
                                "band": "等级"}
REJECT_HEADERS: dict[str, str] = {"file": "文件", "sheet": "工作表", "row": "行号", "table": "表",
                                  "reason": "原因", "content": "内容"}
XLSX_MAX_ROWS = 1_048_575  # one header row + this many rows fill an Excel sheet


def _text(s: pd.Series) -> pd.Series:
    """Text with missing values as empty strings (never ``NaN`` / ``<NA>``)."""
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.dt.strftime("%Y-%m-%d").fillna("").astype(object)
    return s.astype("string").fillna("").astype(object)


def school_label(codes: pd.Series, names: pd.Series) -> pd.Series:
    """A school's name for each code (the code itself when no name is known; empty for none)."""
    codes = codes.astype("string")
    return codes.map(names).astype("string").fillna(codes).fillna("").astype(object)


def findings_table(findings: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """问题清单: one row per finding with :data:`FINDING_HEADERS`, most severe first."""
    rank = findings["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
    f = findings.assign(_r=rank).sort_values(["_r", "rule_id", "学校标识码", "学籍号"],
                                             kind="stable")
    f = f.assign(学校=school_label(f["学校标识码"], names))
    out = pd.DataFrame({h: _text(f[c]) for c, h in FINDING_HEADERS.items()})
    return out.reset_index(drop=True)


def rules_run_table(rules_run: pd.DataFrame) -> pd.DataFrame:
    """规则执行情况: 规则编号, 问题类型, 严重程度, 状态 (已运行 / 未运行), 原因, 问题数."""
    r = rules_run
    return pd.DataFrame({"规则编号": _text(r["rule_id"]), "问题类型": _text(r["rule_name"]),
                         "严重程度": _text(r["severity"]),
                         "状态": r["status"].map(RUN_STATUS).fillna(r["status"]).to_numpy(),
                         "原因": _text(r["reason"]),
                         "问题数": r["findings"].astype("int64").to_numpy()})


def pairs_table(pairs: pd.DataFrame) -> pd.DataFrame:
    """疑似重复: 学籍号_a, 学籍号_b, 匹配概率, 等级, then the evidence of every field."""
    p = pairs.rename(columns=BAND_HEADERS)
    p = p.assign(匹配概率=p["匹配概率"].astype(float).round(4))
    rest = [c for c in p.columns if c not in BAND_HEADERS.values() and not c.startswith("_")]
    return pd.concat([p[list(BAND_HEADERS.values())],
                      p[rest].apply(_text)], axis=1).reset_index(drop=True)


def clusters_table(clusters: pd.DataFrame) -> pd.DataFrame:
    """疑似重复分组: 分组号, 学籍号, 等级."""
    return pd.DataFrame({"分组号": clusters["cluster_id"].to_numpy(),
                         "学籍号": _text(clusters["学籍号"]), "等级": _text(clusters["band"])})


def rejects_table(rejects: pd.DataFrame) -> pd.DataFrame:
    """未载入行: 文件, 工作表, 行号, 表, 原因, 内容."""
    return pd.DataFrame({h: _text(rejects[c]) if c != "row" else rejects[c].to_numpy()
                         for c, h in REJECT_HEADERS.items()})


def dropout_table(findings: pd.DataFrame, students: pd.DataFrame, names: pd.Series
                  ) -> pd.DataFrame:
    """控辍保学名单: one row per ST-06 finding — 学籍号, 姓名, 学校 (by name), 年级, 班级, 学籍状态,
    离校日期, 监护人, 监护人电话, 乡镇, 现住址 — empty cells for unknown values."""
    schools = pd.DataFrame({"学校标识码": names.index.astype(object),
                            "学校名称": names.to_numpy(dtype=object)})
    out = dropout_list(students, findings, schools)
    return out.apply(_text).reset_index(drop=True)


def write_exports(ws, out_dir: str | Path) -> list[Path]:
    """Write the clerk's files of workspace ``ws`` into ``out_dir``; return their paths."""
    out = Path(out_dir)
    findings = findings_table(ws.findings, ws.names)
    written = [
        write_csv(findings, out / "问题清单.csv"),
        write_xlsx(findings.head(XLSX_MAX_ROWS), out / "问题清单.xlsx", "问题清单"),
        write_csv(rules_run_table(ws.rules_run), out / "规则执行情况.csv"),
        write_csv(rejects_table(ws.loaded.rejects), out / "未载入行.csv"),
        write_csv(report_table(ws.loaded), out / "载入情况.csv"),
    ]
    if "students" in ws.loaded.tables:
        dropouts = dropout_table(ws.findings, ws.students, ws.names)
        written += [write_csv(dropouts, out / "控辍保学名单.csv"),
                    write_xlsx(dropouts, out / "控辍保学名单.xlsx", "控辍保学名单")]
    dup = ws.duplicates
    if dup is not None:
        written += [write_csv(pairs_table(dup.pairs), out / "疑似重复.csv"),
                    write_csv(clusters_table(dup.clusters), out / "疑似重复分组.csv")]
    return written
