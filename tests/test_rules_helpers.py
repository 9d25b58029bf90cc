"""Builders of small tables for the rule tests (imported by test_rules_*.py; no tests here).

A baseline student, business or step triggers no rule: tests change one field to make a
positive case, or move it to the edge of a rule to make a negative one.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from xueji_audit.audit import run_audit
from xueji_audit.ids import make_id
from xueji_audit.profile import Profile, load_profile
from xueji_audit.rules import CATALOGUE
from xueji_audit.schema import TABLES, conform

AS_OF = dt.date(2026, 11, 20)
REGION = "640522"
SCHOOL_A, SCHOOL_B = "6405220001", "6405220002"
BIRTH = dt.date(2016, 5, 1)  # grade 5 in the school year 2026–2027


def weighted_check(body17: str) -> str:
    """GB 11643 check digit written out in the test (independent of xueji_audit.ids)."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * w for c, w in zip(body17, weights, strict=True)) % 11]


def pid(n: int = 1, birth: dt.date = BIRTH, sex: str = "男", region: str = REGION) -> str:
    return make_id(region, birth, n, sex)


def stu(n: int = 1, birth: dt.date = BIRTH, sex: str = "男", **kw: Any) -> dict:
    """A clean 在校 grade-5 student; keyword arguments replace fields."""
    i = pid(n, birth, sex)
    row = {
        "学籍号": "G" + i, "姓名": f"学生{n}", "性别": sex, "出生日期": birth,
        "身份证件类型": "居民身份证", "身份证件号": i, "学校标识码": SCHOOL_A, "年级": 5,
        "班级": "五年级(1)班", "学籍状态": "在校", "入学年月": dt.date(2022, 9, 1),
        "建籍日期": dt.date(2022, 9, 10), "最后核查日期": dt.date(2026, 9, 15),
    }
    row.update(kw)
    return row


def biz(no: str, xjh: str, kind: str = "转学", start: str = "2026-09-03 09:00", **kw: Any) -> dict:
    """A clean approved in-province transfer of grade 5 initiated early in the autumn term."""
    row = {
        "业务编号": no, "业务类型": kind, "学籍号": xjh, "姓名": "学生1",
        "转出学校标识码": SCHOOL_A, "转入学校标识码": SCHOOL_B, "原年级": 5, "转入年级": 5,
        "发起日期": start, "业务状态": "核办通过", "办结日期": "2026-09-08 10:00", "证明材料": "有",
    }
    row.update(kw)
    return row


def step(no: str, seq: int, name: str = "转入校审核", arrived: str = "2026-09-03",
         handled: str | None = "2026-09-04", result: str = "通过", unit: str = "西吉县第一小学"
         ) -> dict:
    return {"业务编号": no, "环节序号": seq, "环节名称": name, "处理单位": unit,
            "到达日期": arrived, "处理日期": handled, "处理结果": result}


def mod(xjh: str, item: str, old: str, new: str, day: str = "2026-03-10",
        proof: str = "有") -> dict:
    return {"学籍号": xjh, "变更项目": item, "原值": old, "新值": new, "变更日期": day,
            "证明材料": proof}


def frame(key: str, rows: list[dict]) -> pd.DataFrame:
    """Rows as a table in the loader's dtypes (only the columns the rows have)."""
    cols = list(dict.fromkeys(c for r in rows for c in r)) or TABLES[key].required
    return conform(key, pd.DataFrame(rows, columns=cols), complete=False)


def tables(students: list[dict] | None = None, **others: list[dict]) -> dict[str, pd.DataFrame]:
    out = {"students": frame("students", students if students is not None else [stu()])}
    out.update({k: frame(k, v) for k, v in others.items()})
    return out


MY_FAMILIES = frozenset({"identity", "status", "records", "grades", "age", "business",
                         "classsize", "local"})


def my_rules() -> frozenset[str]:
    """Ids of the rules of this engine's families (other families may be registered too)."""
    return frozenset(r.id for r in CATALOGUE.values() if r.family in MY_FAMILIES)


def only_mine(profile: str | None = None) -> Profile:
    """The profile with the rules of other families (matching, chains, rosters) switched off,
    so that these unit tests exercise this engine alone."""
    p = load_profile(profile)
    return replace(p, enabled=p.enabled & my_rules())


def keys(rule_id: str, data: dict, as_of: dt.date = AS_OF, profile: str | None = None
         ) -> list[str]:
    """The sorted finding keys of one rule (docs/rules.md key table)."""
    f = run_audit(data, as_of, only_mine(profile)).findings
    f = f[f["rule_id"] == rule_id]
    bad = f["detail"].isna() | f["detail"].str.contains("<NA>|nan|NaT", regex=True)
    assert not bad.any(), f["detail"][bad].tolist()  # every finding explains itself
    if rule_id.startswith("CL-"):
        k = f["学校标识码"] + "|" + f["班级"]
    elif rule_id.startswith(("TR-", "AG-02", "LX-0")) and rule_id not in (
            "TR-10", "TR-12", "LX-05", "LX-06"):
        k = f["业务编号"]
    else:
        k = f["学籍号"]
    return sorted(k.fillna("").tolist())


@dataclass(frozen=True)
class Case:
    rule_id: str
    label: str
    build: Any  # () -> tables
    expect: tuple[str, ...]
    as_of: dt.date = AS_OF
    profile: str | None = None

    @property
    def positive(self) -> bool:
        return bool(self.expect)


CASES: list[Case] = []


def case(rule_id: str, *expect: str, as_of: dt.date = AS_OF, profile: str | None = None):
    """Register the decorated table builder as a case of ``rule_id`` expecting ``expect``."""
    def deco(fn):
        CASES.append(Case(rule_id, fn.__name__, fn, tuple(sorted(expect)), as_of, profile))
        return fn
    return deco
