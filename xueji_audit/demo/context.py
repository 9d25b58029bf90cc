"""The state shared while a demo county is built: tables under construction and the truth."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..terms import school_year_start, term_start
from ..workdays import WorkCalendar

VACATIONS = (("01-20", "02-19"), ("07-15", "08-31"))
ALL = "national-2025;national-2013;ningxia-xiji"
XIJI = "ningxia-xiji"
N2013 = "national-2013"


@dataclass
class Ctx:
    rng: np.random.Generator
    as_of: dt.date
    schools: pd.DataFrame
    st: pd.DataFrame = field(default_factory=pd.DataFrame)
    changes: list[pd.DataFrame] = field(default_factory=list)
    steps: list[pd.DataFrame] = field(default_factory=list)
    mods: list[dict] = field(default_factory=list)
    roster_extra: list[dict] = field(default_factory=list)
    truth: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)
    dups: list[dict] = field(default_factory=list)
    decoys: list[dict] = field(default_factory=list)
    variants: list[dict] = field(default_factory=list)
    counter: int = 0
    seq_used: dict = field(default_factory=dict)

    def __post_init__(self):
        self.cal = WorkCalendar()
        self.calv = WorkCalendar(vacations=VACATIONS)
        self.sy = school_year_start(self.as_of)
        self.term0 = term_start(self.as_of)

    # ---------------------------------------------------------------- dates

    def wd_add(self, d, n: int) -> dt.date:
        """The n-th working day after d (d itself for 0)."""
        return self.cal.add_workdays(d, n)

    def first_workdays(self, start: dt.date, n: int) -> list[dt.date]:
        """The first n working days on or after ``start``."""
        first = start if self.cal.is_workday(start) else self.wd_add(start, 1)
        return [first] + [self.wd_add(first, k) for k in range(1, n)]

    def next_id(self, prefix: str = "") -> str:
        self.counter += 1
        return f"{prefix}{self.counter:05d}"

    # ---------------------------------------------------------------- students

    def set(self, i, **values) -> None:
        for k, v in values.items():
            self.st.at[i, k] = v

    def take(self, n: int = 1, *, grades=None, roster=True, school=None, stage=None,
             status="在校", cond=None) -> list[int]:
        """Reserve ``n`` clean bulk students matching the criteria (random order)."""
        st = self.st
        m = ~st["_reserved"].to_numpy(dtype=bool) & (st["学籍状态"] == status).to_numpy()
        m &= st["_g"].to_numpy(dtype=bool)
        if grades is not None:
            m &= np.isin(st["年级"].to_numpy(), list(grades))
        if roster is not None:
            m &= st["_roster"].to_numpy(dtype=bool) == roster
        if school is not None:
            m &= (st["学校标识码"] == school).to_numpy()
        if stage is not None:
            m &= st["_stage"].isin([stage] if isinstance(stage, str) else stage).to_numpy()
        if cond is not None:
            m &= np.asarray(cond(st), dtype=bool)
        pool = np.flatnonzero(m)
        if len(pool) < n:
            raise AssertionError("demo county too small for the planted cases")
        picked = np.sort(self.rng.choice(pool, size=n, replace=False)) if n > 1 else \
            self.rng.choice(pool, size=n, replace=False)
        idx = st.index[picked].tolist()
        st.loc[idx, "_reserved"] = True
        return idx

    def conform(self, df: pd.DataFrame) -> pd.DataFrame:
        """``df`` with the working frame's columns and categorical dtypes."""
        df = df.reindex(columns=self.st.columns)
        df["_reserved"] = True
        for col, default in (("_off_roster", False), ("_big", False), ("_spare", False)):
            df[col] = [default if pd.isna(v) else bool(v) for v in df[col]]
        df["_g"] = df["学籍号"].astype(str).str.startswith("G")
        for col, dtype in self.st.dtypes.items():
            if df[col].dtype != dtype:
                df[col] = df[col].astype(dtype)
        return df

    def add_students(self, df: pd.DataFrame) -> list[int]:
        """Add new (planted) records into the spare rows kept at the end of the frame (filled
        in place, so callers' references to ``st`` stay valid); returns their labels."""
        spare = self.st.index[self.st["_spare"].to_numpy(dtype=bool)]
        df = self.conform(df)
        if len(spare) < len(df):
            raise AssertionError("out of spare rows")
        labels = spare[: len(df)].tolist()
        if len(df) <= 5:
            for label, (_, row) in zip(labels, df.iterrows(), strict=True):
                for col, v in row.items():
                    self.st.at[label, col] = v
        else:
            for col in self.st.columns:
                self.st.loc[labels, col] = df[col].to_numpy()
        return labels

    def fresh_id(self, region: str, birth, male: bool) -> str:
        """A valid ID number unused by the bulk (sequence numbers 460–499)."""
        from .idgen import build_ids

        key = (region, pd.Timestamp(birth).date(), bool(male))
        seq = self.seq_used.get(key, 460)
        self.seq_used[key] = seq + 1
        return build_ids([region], np.array([np.datetime64(key[1], "D")]), [seq], [male])[0]

    def free_schools(self, grades) -> set[str]:
        """Schools with a class of each of ``grades`` that is not a planted big class."""
        if getattr(self, "_classes", None) is None:
            cls = self.st.loc[~self.st["_spare"].to_numpy(dtype=bool), ["学校标识码", "年级", "班级"]]
            self._classes = cls.drop_duplicates().astype(object)
        big = getattr(self, "big", set())
        cls = self._classes
        cls = cls[[(c, k) not in big for c, k in zip(cls["学校标识码"], cls["班级"], strict=True)]]
        out = None
        for g in grades:
            have = set(cls.loc[cls["年级"] == g, "学校标识码"])
            out = have if out is None else out & have
        return out or set()

    def school(self, code: str) -> pd.Series:
        if getattr(self, "_by_code", None) is None:
            self._by_code = {c: r for c, r in self.schools.set_index("学校标识码").iterrows()}
        return self._by_code[code]

    # ---------------------------------------------------------------- truth

    def find(self, rule: str, i=None, biz: str = "", profiles: str = ALL, kind: str = "planted",
             note: str = "", school: str = "", klass: str = "", name: str = "",
             xjh: str = "") -> None:
        """One truth row. ``i`` is a student index (学籍号, 学校, 班级, 姓名 taken from it at
        the end, so later edits of the record are reflected)."""
        self.truth.append({"rule_id": rule, "_i": i, "学籍号": xjh, "业务编号": biz, "学校标识码": school,
                           "班级": klass, "姓名": name, "profiles": profiles, "kind": kind,
                           "note": note})

    def edge(self, rule: str, i=None, biz: str = "", profiles: str = ALL, why: str = "",
             school: str = "", klass: str = "") -> None:
        """A case on the non-firing side of a rule's boundary (truth/edges.csv)."""
        self.edges.append({"rule_id": rule, "_i": i, "业务编号": biz, "学校标识码": school,
                           "班级": klass, "profiles": profiles, "why": why})


def _append(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """``a`` then ``b`` (same columns and dtypes), column by column — pd.concat scans mostly
    empty object columns element by element, which costs seconds at a million rows."""
    cols = {}
    for col in a.columns:
        x, y = a[col], b[col]
        if isinstance(x.dtype, pd.CategoricalDtype):
            codes = np.concatenate([x.cat.codes.to_numpy(), y.cat.codes.to_numpy()])
            cols[col] = pd.Categorical.from_codes(codes, dtype=x.dtype)
        else:
            cols[col] = np.concatenate([x.to_numpy(), y.to_numpy()])
    return pd.DataFrame(cols, index=a.index.append(b.index))

