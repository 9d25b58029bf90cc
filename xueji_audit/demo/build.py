"""Putting the demo county together: bulk, planted cases, rosters, canonical tables, truth."""
from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from ..errors import InvalidDateError, XuejiError
from ..schema import STATUSES, TABLES
from ..terms import term_start
from . import bulk
from .context import Ctx, _append
from .dupes import plant_duplicates
from .people import allocate, draw_students
from .plant_business import county, plant_transfers
from .plant_identity import plant_decoys, plant_dup_ids, plant_ids, plant_xjh
from .plant_roster import build_rosters, plant_big_transfers, plant_classes, plant_rj
from .plant_status import plant_status
from .schools import build_schools
from .truth import build_truth

NOISE = ("gentle", "heavy")
MIN_TERM_DAYS = 40
MIN_STUDENTS = 600
"""The smallest county that holds every planted case."""
"""The planted calendar cases need this much of the current term behind the audit date."""
INTERNAL_DEFAULTS = {"_reserved": False, "_off_roster": False, "_big": False, "_messy": None,
                     "_roster_school": None, "_roster_class": None, "_roster_name": None,
                     "_roster_leave": pd.NaT}


@dataclass
class DemoCounty:
    """The generated county: loader-shaped ``tables``, ``truth`` frames, and the internal
    ``register`` (students with generator columns) used when writing the export files."""

    tables: dict[str, pd.DataFrame]
    truth: dict[str, pd.DataFrame]
    as_of: dt.date
    seed: int
    register: pd.DataFrame = field(repr=False, default=None)
    schools_internal: pd.DataFrame = field(repr=False, default=None)


def canonical(df: pd.DataFrame, key: str) -> pd.DataFrame:
    """``df`` in the loader's form: every column of the table, in schema order and dtype."""
    out = {}
    n = len(df)
    for col in TABLES[key].columns:
        v = df[col.name] if col.name in df else pd.Series([None] * n, index=df.index)
        if col.kind in ("date", "datetime", "month"):
            s = pd.to_datetime(v).astype("datetime64[ns]")
            out[col.name] = s.dt.normalize() if col.kind != "datetime" else s
        elif col.kind in ("int", "grade"):
            out[col.name] = pd.array(pd.to_numeric(v), dtype="Int64")
        else:
            vals = pa.array(v.astype(object).to_numpy(), type=pa.string(), from_pandas=True)
            out[col.name] = pd.Series(pd.arrays.ArrowStringArray(vals), index=df.index)
    return pd.DataFrame(out).reset_index(drop=True)


CATEGORIES = {"学籍状态": list(STATUSES), "性别": ["男", "女"]}


def _working_frame(st: pd.DataFrame, schools: pd.DataFrame, spares: int) -> pd.DataFrame:
    """The register while it is built: categorical keys (fast comparisons at a million rows),
    a flag for G numbers, and spare rows at the end that planted records fill in place."""
    st["_g"] = st["学籍号"].str.startswith("G")
    st["_spare"] = False
    spare = st.iloc[np.zeros(spares, dtype=np.int64)].copy()
    spare.index = range(len(st), len(st) + spares)
    for col in ("学籍号", "姓名", "学校标识码", "班级", "学籍状态"):
        spare[col] = None
    spare["_spare"] = spare["_reserved"] = True
    spare["_g"] = False
    st = _append(st, spare)
    cats = {**CATEGORIES, "学校标识码": schools["学校标识码"].tolist(),
            "班级": sorted(st["班级"].dropna().unique()), "_stage": ["小学", "五四", *sorted(
                set(schools["学段"]) - {"小学"})]}
    for col, values in cats.items():
        st[col] = pd.Categorical(st[col], categories=values)
    return st


def _graduates(ctx: Ctx, n: int) -> pd.DataFrame:
    """A few 毕业 records at the high schools (graduated on Jul 5 of this school year)."""
    high = ctx.schools.index[ctx.schools["学段"] == "高中"]
    slots = pd.DataFrame({"_school": np.resize(high.to_numpy(), n), "年级": 12, "_class": 1})
    g = draw_students(ctx.rng, ctx.schools, slots, ctx.sy - 1, ctx.as_of, ctx.term0,
                      seq_base=300, siblings=0)
    g["学籍状态"] = "毕业"
    g["毕业日期"] = pd.Timestamp(ctx.sy, 7, 5)
    g["最后核查日期"] = pd.Timestamp(ctx.sy, 6, 20)
    return g


def latest_demo_date(on: dt.date) -> dt.date:
    """The latest audit date, on or before ``on``, that a demo county can be generated for
    (:data:`MIN_TERM_DAYS` into a term): ``on`` itself, or early in a term the day before it
    began (the end of the previous term)."""
    return on if (on - term_start(on)).days >= MIN_TERM_DAYS else term_start(on) - dt.timedelta(1)


def generate_tables(students: int = 20000, seed: int = 0, *, as_of: dt.date,
                    noise: str = "gentle") -> DemoCounty:
    """Generate the demo county in memory (no files); ``noise`` of the duplicates: 'gentle' or
    'heavy' (:mod:`.noise`)."""
    if noise not in NOISE:
        raise ValueError(f"noise must be one of {NOISE}, got {noise!r}")
    if students < MIN_STUDENTS:
        raise XuejiError(f"示范县至少要有 {MIN_STUDENTS} 名学生才能埋设全部问题，{students} 人太少；"
                         f"请用 --students {MIN_STUDENTS} 或更多。")
    if (as_of - term_start(as_of)).days < MIN_TERM_DAYS:
        raise InvalidDateError(f"示范县的督查日期须在学期开学（9月1日或3月1日）{MIN_TERM_DAYS}天之后，"
                               f"「{as_of}」太早；请换一个日期，例如 2026-11-20。")
    rng = np.random.default_rng(seed)
    schools = build_schools(students, rng)
    ctx = Ctx(rng, as_of, schools)
    slots = allocate(rng, schools, students)
    st = draw_students(rng, schools, slots, ctx.sy, as_of, ctx.term0)
    grads = _graduates(ctx, max(3, students // 2000))
    st["毕业日期"] = pd.NaT
    st = _append(st, grads.reindex(columns=st.columns))
    st.index = range(len(st))
    st["_roster"] = schools["_roster"].to_numpy()[st["_school"].to_numpy()]
    st["_stage"] = np.where(schools["学制"].to_numpy() == "五四", "五四",
                            schools["学段"].to_numpy())[st["_school"].to_numpy()]
    for col in ("休学日期", "死亡日期", "离校日期"):
        st[col] = pd.NaT
    st["毕业日期"] = pd.to_datetime(st["毕业日期"])
    st["曾用名"] = None
    for k, v in INTERNAL_DEFAULTS.items():
        st[k] = v
    st["_reserved"] = st["学籍状态"] != "在校"
    ctx.st = _working_frame(st, schools, 600 + int(students * (0.015 if noise == "gentle" else 0.02)))
    plant_classes(ctx)
    bulk.transfers(ctx)
    bulk.pending_entrants(ctx)
    bulk.leaves(ctx)
    bulk.modifications(ctx)
    plant_ids(ctx)
    plant_xjh(ctx)
    plant_dup_ids(ctx)
    plant_decoys(ctx)
    plant_status(ctx)
    plant_transfers(ctx)
    plant_big_transfers(ctx, county)
    plant_rj(ctx)
    plant_duplicates(ctx, noise=noise)
    ctx.st = ctx.st[~ctx.st["_spare"].to_numpy(dtype=bool)]
    rosters = build_rosters(ctx)
    with warnings.catch_warnings():  # all-empty columns of some batches (e.g. 转出学校标识码)
        warnings.simplefilter("ignore", FutureWarning)
        changes = pd.concat(ctx.changes, ignore_index=True)
        steps = pd.concat(ctx.steps, ignore_index=True)
    mods = pd.DataFrame(ctx.mods)
    truth = build_truth(ctx)
    st = ctx.st.reset_index(drop=False).rename(columns={"index": "_i"})
    tables = {
        "students": canonical(st, "students"),
        "changes": canonical(changes, "changes"),
        "steps": canonical(steps, "steps"),
        "rosters": canonical(rosters, "rosters"),
        "schools": canonical(schools, "schools"),
        "modifications": canonical(mods, "modifications"),
    }
    return DemoCounty(tables, truth, as_of, seed, register=st, schools_internal=schools)
