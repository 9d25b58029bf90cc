"""Finding the same child registered twice: Chinese-aware record matching (RULES.md MATCHING).

Pipeline (:mod:`.core`): features (:mod:`.features`, names via :mod:`xueji_audit.names`) →
candidate pairs from several blocking keys and ID repair candidates (:mod:`.blocking`,
:mod:`.idrepair`) → per-field agreement levels (:mod:`.compare`) → Fellegi–Sunter weights
learnt without labels by EM, with term-frequency adjustment (:mod:`.em`) → clusters that
resist chaining, bands 确定 / 疑似 / 待复核 (:mod:`.cluster`). Inspectors' decisions
(:mod:`.decisions`) are respected on the next run; :mod:`.engine_dask` runs the same on a
dask.distributed cluster; :mod:`.evaluate` measures it.

Public API::

    find_duplicates(students_df, *, decisions=None, engine="local", progress=False)
        -> MatchResult(pairs, clusters, stats)       # the 学生 table, DATA.md outputs
    match(df, spec, *, decisions=None, progress=False) -> MatchResult   # any table
    MatchSpec(key, fields=(FieldSpec(column, kind), ...), blocks=(...))
"""
from .core import MatchResult, match
from .features import FieldSpec, MatchSpec
from .students import STUDENT_SPEC, find_duplicates, write_outputs

__all__ = ["FieldSpec", "MatchResult", "MatchSpec", "STUDENT_SPEC", "find_duplicates", "match",
           "write_outputs"]
