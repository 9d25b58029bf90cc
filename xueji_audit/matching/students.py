"""Duplicate students in the register (DU-04): the mapping of the 学生 table and the outputs.

:func:`find_duplicates` runs the matcher on the loader's 学生 table; :func:`pairs_frame` and
:func:`clusters_frame` give ``duplicate_pairs.csv`` and ``duplicate_clusters.csv`` (DATA.md),
:func:`write_outputs` writes them.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..output import write_csv
from ..schema import STRING
from .compare import level_label
from .core import MatchResult, match, rename_mask
from .features import FieldSpec, MatchSpec

STUDENT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("姓名", "name_zh", "姓名", tf=True),
    FieldSpec("性别", "exact", "性别"),
    FieldSpec("出生日期", "date", "出生日期"),
    FieldSpec("身份证件号", "id_cn", "身份证件号"),
    FieldSpec("成员1身份证件号", "id_cn", "监护人身份证件号", group="household"),
    FieldSpec("成员1姓名", "name_zh", "监护人姓名", group="household"),
    FieldSpec("家长身份证件号", "exact", "父母身份证件号", group="household"),
    FieldSpec("联系电话", "code", "联系电话", group="household"),
    FieldSpec("现住址", "text", "现住址", group="household"),
    FieldSpec("学校标识码", "exact", "学校"),
    FieldSpec("民族", "exact", "民族"),
)

STUDENT_BLOCKS: tuple[tuple[str, ...], ...] = (
    ("身份证件号:id15",),                 # same ID (compared in its 15-digit form)
    ("姓名:sound", "出生日期:swap"),       # homophone / 简繁 name, birth date or its day-month swap
    ("姓名:shape", "出生日期:swap"),       # look-alike name
    ("姓名:sound", "出生日期:ym"),         # homophone name, a slip in the day of birth
    ("姓名:sound", "身份证件号:p14"),      # homophone name, same region + birth date in the ID
    ("学校标识码", "姓名"),               # same school and name
    ("成员1身份证件号",),                 # same guardian
    ("家长身份证件号",),                  # same parents, either listed first
    ("联系电话",),                       # same phone
    ("姓名:head", "出生日期:swap"),        # a character of the given name dropped, added or
    ("姓名:tail", "出生日期:swap"),        # changed: its first or last character kept
)
# A mistyped ID number is also blocked with the valid numbers one slip away (STUDENT_SPEC.repair).

STUDENT_SPEC = MatchSpec(
    key="学籍号", fields=STUDENT_FIELDS, blocks=STUDENT_BLOCKS, max_block=2000,
    guards=(("姓名", ("成员1身份证件号", "家长身份证件号", "联系电话", "现住址")),),
    renames=(("姓名", ("性别", "出生日期", "成员1身份证件号", "现住址")),),
    repair=(("身份证件号", "出生日期", "性别"),),
)

PAIR_COLUMNS: tuple[str, ...] = ("学籍号_a", "学籍号_b", "score", "band")


RENAME_NOTE = "疑似改名：名字不同，而性别、出生日期、监护人身份证件号和现住址均一致"
DERIVED = frozenset({"家长身份证件号"})
"""Compared columns derived from the register (their evidence is the level alone)."""


def student_table(students: pd.DataFrame) -> pd.DataFrame:
    """The columns of the 学生 table that matching reads, plus ``家长身份证件号``: the two
    parents' ID numbers in sorted order (equal when a second record lists the other parent
    first)."""
    cols = [c for c in dict.fromkeys([STUDENT_SPEC.key, *(f.column for f in STUDENT_FIELDS)])
            if c in students.columns]
    out = pd.DataFrame({c: students[c] for c in cols}, index=students.index)
    out["家长身份证件号"] = _parents(students)
    return out


def _parents(students: pd.DataFrame) -> pd.Series:
    n = len(students)
    ids = [students[c].astype(STRING).str.strip().fillna("").to_numpy(dtype=object)
           if c in students.columns else np.full(n, "", dtype=object)
           for c in ("成员1身份证件号", "成员2身份证件号")]
    a, b = ids
    lo, hi = np.where(a <= b, a, b), np.where(a <= b, b, a)
    both = (lo != "") & (hi != "")
    return pd.Series(np.where(both, lo + "|" + hi, ""), index=students.index, dtype=object)


def find_duplicates(students: pd.DataFrame, *, decisions: pd.DataFrame | None = None,
                    engine: str = "local", progress: bool = False,
                    scheduler: str | None = None) -> MatchResult:
    """Suspected duplicate students of the 学生 table (canonical columns of the loader).

    ``decisions``: a frame ``学籍号_a, 学籍号_b, decision`` (接受 / 排除, or accept / reject)
    as read by :func:`xueji_audit.matching.decisions.read_decisions`. ``engine='dask'`` runs
    the same matching on a dask.distributed cluster (``scheduler`` address, else a local one).
    Returns a :class:`MatchResult` whose ``pairs`` and ``clusters`` are already in the
    DATA.md shape (see :func:`pairs_frame`, :func:`clusters_frame`).
    """
    dec = None
    if decisions is not None and len(decisions):
        dec = pd.DataFrame({"key_a": decisions["学籍号_a"], "key_b": decisions["学籍号_b"],
                            "accept": decisions["accept"].astype(bool)})
    students = student_table(students)
    if engine == "dask":
        from .engine_dask import match_dask
        raw = match_dask(students, STUDENT_SPEC, decisions=dec, progress=progress,
                         scheduler=scheduler)
    elif engine == "local":
        raw = match(students, STUDENT_SPEC, decisions=dec, progress=progress)
    else:
        raise ValueError(f"engine must be 'local' or 'dask', got {engine!r}")
    rows = np.column_stack([raw.pairs["_i"].to_numpy(dtype=np.int64),
                            raw.pairs["_j"].to_numpy(dtype=np.int64)])
    return MatchResult(pairs_frame(raw, students), clusters_frame(raw), raw.stats, raw.model,
                       rows)


def _values(students: pd.DataFrame, col: str, rows: np.ndarray) -> np.ndarray:
    if col not in students.columns:
        return np.full(len(rows), "", dtype=object)
    s = students[col].iloc[rows]  # only the rows shown: a few thousand of a million
    if pd.api.types.is_datetime64_any_dtype(s):
        s = s.dt.strftime("%Y-%m-%d")
    return s.astype(STRING).fillna("").to_numpy(dtype=object)


def main_evidence(raw: MatchResult, top: int = 3) -> np.ndarray:
    """The fields weighing most for each pair, e.g. 身份证件号一致；姓名繁简或异体字一致."""
    pairs, model = raw.pairs, raw.model
    if len(pairs) == 0:
        return np.zeros(0, dtype=object)
    weights = np.column_stack([
        np.where(pairs[f.column].to_numpy() >= 0,
                 model.weights(f.column)[np.maximum(pairs[f.column].to_numpy(), 0)], -np.inf)
        for f in STUDENT_FIELDS])
    order = np.argsort(-weights, axis=1)[:, :top]
    texts = np.column_stack([
        np.array([f.label for f in STUDENT_FIELDS], dtype=object)[order[:, k]]
        + np.column_stack([level_label(f, pairs[f.column].to_numpy()) for f in STUDENT_FIELDS]
                          )[np.arange(len(pairs)), order[:, k]]
        for k in range(order.shape[1])])
    positive = np.take_along_axis(weights, order, axis=1) > 0
    texts = np.where(positive, texts, "")
    return np.array(["；".join(t for t in row if t) for row in texts.tolist()], dtype=object)


def pairs_frame(raw: MatchResult, students: pd.DataFrame) -> pd.DataFrame:
    """``duplicate_pairs.csv``: 学籍号_a, 学籍号_b, score, band, then per field the evidence
    ``<level>：<value a> / <value b>``, the main evidence and a note (siblings, decisions)."""
    p = raw.pairs
    out = pd.DataFrame({"学籍号_a": p["key_a"].to_numpy(), "学籍号_b": p["key_b"].to_numpy(),
                        "score": p["score"].to_numpy(), "band": p["band"].to_numpy()})
    i, j = p["_i"].to_numpy(), p["_j"].to_numpy()
    for f in STUDENT_FIELDS:
        lab = level_label(f, p[f.column].to_numpy()) if len(p) else np.zeros(0, object)
        out[f.label] = lab if f.column in DERIVED else lab + "：" + _values(
            students, f.column, i) + " / " + _values(students, f.column, j)
    out["主要依据"] = main_evidence(raw)
    note = np.where(p["sibling"].to_numpy(), "姓名明显不同而监护人、电话或住址相同，疑为双胞胎或兄弟姐妹", "")
    note = np.where(rename_mask(STUDENT_SPEC, p), RENAME_NOTE, note)
    note = np.where(p["decision"].to_numpy() == "accept", "已人工确认为同一学生", note)
    out["说明"] = note
    return out


def clusters_frame(raw: MatchResult) -> pd.DataFrame:
    """``duplicate_clusters.csv``: cluster_id, 学籍号, band."""
    c = raw.clusters
    return pd.DataFrame({"cluster_id": c["cluster_id"].to_numpy(),
                         "学籍号": c["key"].to_numpy(), "band": c["band"].to_numpy()})


def write_outputs(result: MatchResult, out_dir: str | Path) -> list[Path]:
    """Write ``duplicate_pairs.csv`` and ``duplicate_clusters.csv`` into ``out_dir``."""
    out_dir = Path(out_dir)
    return [write_csv(result.pairs, out_dir / "duplicate_pairs.csv"),
            write_csv(result.clusters, out_dir / "duplicate_clusters.csv")]
