"""Running the rule catalogue over loaded tables: :func:`run_audit` (pure).

A rule that the profile does not enable, or whose tables or columns are missing, is listed in
``rules_run`` as "not run" with the reason in Chinese — never silently skipped. The result also
carries what the rules computed on the way and others show: the duplicate matching behind DU-04
and the transfer chains behind CH-01..04. :mod:`xueji_audit.workspace` stores it; the files a
clerk opens are written from there (:mod:`xueji_audit.workspace.exports`).
"""
from __future__ import annotations

import datetime as dt
import gc
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .dates import parse_date
from .ingest import quality_findings
from .profile import Profile, load_profile
from .rules import CATALOGUE, Context, Rule, needs_text
from .rules.chains import chains_of
from .rules.duplicates import DECISIONS_KEY, DUPLICATES_KEY
from .rules.rosters import reconciled
from .schema import FINDING_COLUMNS, STRING, TABLES, dtype_of

RUN_COLUMNS: tuple[str, ...] = ("rule_id", "rule_name", "severity", "status", "reason", "findings")
RAN, NOT_RUN = "ran", "not run"
XLSX_MAX_ROWS = 1_048_575  # one header row + this many rows fill an Excel sheet


@dataclass(frozen=True)
class AuditResult:
    findings: pd.DataFrame  # schema.FINDING_COLUMNS
    rules_run: pd.DataFrame  # RUN_COLUMNS
    notes: list[str]  # Chinese remarks for the report (calendar fallback …)
    as_of: dt.date
    profile: Profile
    duplicates: Any = None  # the MatchResult behind DU-04 when it ran
    chains: Any = None  # the transfer chains (xueji_audit.chains.Chains) of the register
    reconcile: Any = None  # the register against the rosters (ReconcileResult), with rosters


def _tables(data) -> tuple[dict[str, pd.DataFrame], dict[str, frozenset[str]]]:
    """(tables with every schema column, columns really present) of a LoadResult or a dict."""
    raw = data.tables if hasattr(data, "tables") else dict(data)
    tables, present = {}, {}
    for key, frame in raw.items():
        if key not in TABLES or frame is None:
            continue
        cols = (frozenset(data.present_columns(key)) if hasattr(data, "present_columns")
                else frozenset(frame.columns))
        if not cols:
            continue
        frame = frame.copy(deep=False)  # new columns and index only: the data are shared
        frame.index = pd.RangeIndex(len(frame))
        for name, dtype in frame.dtypes.items():  # the loader's text dtype, whoever built it
            if isinstance(dtype, pd.StringDtype) and dtype != STRING:
                frame[name] = frame[name].astype(STRING)
        for c in TABLES[key].columns:
            if c.name not in frame.columns:
                frame[c.name] = pd.Series(pd.NA, index=frame.index, dtype=dtype_of(c))
        tables[key] = frame
        present[key] = cols
    return tables, present


def _missing_reason(rule: Rule, ctx: Context) -> str | None:
    """None when one alternative of the rule's needs is satisfied, else the Chinese reason."""
    if any(all(ctx.has(item) for item in alt) for alt in rule.needs):
        return None
    lacks = []
    for alt in rule.needs:
        for item in alt:
            table, _, col = item.partition(".")
            if not ctx.has(table):
                lacks.append(f"{TABLES[table].name}表")
            elif col and not ctx.has(item):
                lacks.append(f"{TABLES[table].name}表的「{col}」列")
    lacks = list(dict.fromkeys(lacks))
    return f"缺少{'、'.join(lacks)}（需要：{needs_text(rule)}）"


def run_audit(data, as_of: dt.date | str, profile: Profile | str | Path | None = None,
              decisions: pd.DataFrame | None = None) -> AuditResult:
    """Run every rule the profile enables over ``data`` (a LoadResult or a dict of tables).

    ``decisions`` are inspectors' accept / reject decisions on duplicate pairs
    (:func:`xueji_audit.matching.decisions.read_decisions`); DU-04 respects them."""
    as_of = parse_date(as_of)
    if not isinstance(profile, Profile):
        profile = load_profile(profile)
    tables, present = _tables(data)
    ctx = Context(tables, present, pd.Timestamp(as_of), profile.calendar(),
                  profile.calendar(vacations=True), profile.term_calendar(), profile.age_cutoff,
                  promotion=profile.promotion)
    if decisions is not None:
        ctx.shared.cache[DECISIONS_KEY] = decisions
    found, runs = [], []
    collecting = gc.isenabled()
    gc.disable()  # rules make millions of small objects; cyclic GC passes would dominate
    try:
        for rule in CATALOGUE.values():
            _run_rule(rule, ctx, profile, found, runs)
    finally:
        if collecting:
            gc.enable()
    dq = quality_findings(data)  # DQ-01: values the loader could not read (not in the catalogue)
    findings = _frame(found + ([dq] if len(dq) else []))
    note = profile.calendar().note_for(ctx.shared.years)
    notes = [note] if note else []
    if ctx.shared.assumed_terms:
        notes.append("规则配置未给出以下学期的实际开学日期（[calendar.terms]），按默认开学日计算："
                     + "、".join(_term_name(t) for t in sorted(ctx.shared.assumed_terms)))
    chains = chains_of(ctx) if "students" in tables else None
    renji = reconciled(ctx) if "students" in tables and "rosters" in tables else None
    return AuditResult(findings, pd.DataFrame(runs, columns=list(RUN_COLUMNS)),
                       notes, as_of, profile,
                       ctx.shared.cache.get(DUPLICATES_KEY), chains, renji)


def _term_name(label: str) -> str:
    """``2026-autumn`` → ``2026年秋季学期``."""
    year, season = label.split("-")
    return f"{year}年{'秋季' if season == 'autumn' else '春季'}学期"


def _run_rule(rule: Rule, ctx: Context, profile: Profile, found: list, runs: list) -> None:
    """Run one rule (or record why not), appending to ``found`` and ``runs``."""
    reason = None if profile.is_enabled(rule.id) else f"规则配置「{profile.name}」未启用此规则"
    reason = reason or _missing_reason(rule, ctx)
    if reason:
        runs.append((rule.id, rule.name, rule.severity, NOT_RUN, reason, 0))
        return
    rows = rule.check(ctx.for_rule(profile.params_for(rule.id)))
    runs.append((rule.id, rule.name, rule.severity, RAN, "", len(rows)))
    if len(rows):
        found.append(rows.assign(rule_id=rule.id, rule_name=rule.name,
                                 severity=rule.severity, basis=rule.basis))


def _frame(found: list[pd.DataFrame]) -> pd.DataFrame:
    if not found:
        out = pd.DataFrame({c: pd.Series(dtype="string") for c in FINDING_COLUMNS})
        out["due_date"] = pd.Series(dtype="datetime64[ns]")
        return out
    parts = [f.astype({c: "string" for c in FINDING_COLUMNS if c != "due_date"})
             .astype({"due_date": "datetime64[ns]"})[list(FINDING_COLUMNS)] for f in found]
    return pd.concat(parts, ignore_index=True)


def summary_text(result: AuditResult) -> str:
    """The audit in a few Chinese lines: findings per severity, top rules, rules not run, notes."""
    f, runs = result.findings, result.rules_run
    p = result.profile
    lines = [f"督查日期 {result.as_of:%Y-%m-%d}，规则配置：{p.title}（{p.name}）"]
    per = f["severity"].value_counts()
    lines.append(f"共发现问题 {len(f)} 条：" + "，".join(
        f"{s} {int(per.get(s, 0))} 条" for s in ("高", "中", "低")) + "。")
    ran = runs[runs["status"] == RAN]
    top = ran[ran["findings"] > 0].sort_values("findings", ascending=False, kind="stable")
    if len(top):
        lines.append("问题最多的规则：")
        lines += [f"  {r.rule_id} {r.rule_name}（{r.severity}）：{r.findings} 条"
                  for r in top.head(10).itertuples()]
    disabled = runs["reason"].str.startswith("规则配置")
    missing = runs[(runs["status"] == NOT_RUN) & ~disabled]
    if len(missing):
        lines.append(f"因缺少数据未运行的规则 {len(missing)} 条：")
        lines += [f"  {r.rule_id} {r.rule_name}：{r.reason}" for r in missing.itertuples()]
    off = runs[(runs["status"] == NOT_RUN) & disabled]
    if len(off):
        lines.append(f"本配置未启用的规则：{'、'.join(off['rule_id'])}")
    if len(f) > XLSX_MAX_ROWS:
        lines.append(f"问题超过 {XLSX_MAX_ROWS} 条，问题清单.xlsx 只含前 {XLSX_MAX_ROWS} 条，"
                     "完整清单见 问题清单.csv。")
    lines += [f"说明：{n}" for n in result.notes]
    return "\n".join(lines)
