"""The rule catalogue: a rule is data plus one vectorised ``check(ctx) -> DataFrame``.

Each family module (``identity``, ``status``, ``age``, ``business``, ``classsize``, ``local``)
declares its rules with :func:`rule` and :func:`register`; :data:`CATALOGUE` holds them in the
order of RULES.md. A later family (matching, chains, 人籍一致) plugs in the same way.

``needs`` lists alternatives: the rule runs when every item of at least one alternative is
present. An item is a table key (``"changes"``) or ``"table.column"`` for an optional column
(``"students.最后核查日期"``).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from ..schema import TABLES

SEVERITIES: tuple[str, ...] = ("高", "中", "低")
PARAM_KINDS: tuple[str, ...] = ("int", "monthday", "windows", "grades", "monthday_pair")
_MONTHDAY = re.compile(r"^(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class Param:
    """A rule parameter that a profile may override (an italic number of RULES.md)."""

    name: str
    default: Any
    kind: str  # one of PARAM_KINDS
    help: str  # Chinese

    def __post_init__(self) -> None:
        if self.kind not in PARAM_KINDS:
            raise ValueError(f"unknown parameter kind {self.kind!r}")
        validate_param(self, self.default)


@dataclass(frozen=True)
class Rule:
    id: str
    name: str  # Chinese
    severity: str  # 高 / 中 / 低
    needs: tuple[tuple[str, ...], ...]  # alternatives, see the module docstring
    basis: str  # citation with the short names of seeds/README.md
    help: str  # one Chinese line
    check: Callable[[Any], pd.DataFrame] = field(repr=False)
    params: tuple[Param, ...] = ()
    default_on: bool = True
    family: str = ""

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    @property
    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}


def parse_monthday(text: str) -> tuple[int, int]:
    """``"08-31"`` → (8, 31); raises ValueError for anything else (Feb 29 is allowed)."""
    m = _MONTHDAY.match(text) if isinstance(text, str) else None
    if not m:
        raise ValueError(text)
    month, day = int(m.group(1)), int(m.group(2))
    limits = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    if not (1 <= month <= 12 and 1 <= day <= limits[month - 1]):
        raise ValueError(text)
    return month, day


def validate_param(param: Param, value: Any) -> str | None:
    """None when ``value`` suits ``param``, else the expected type in Chinese."""
    if param.kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        return None if ok else "非负整数"
    if param.kind == "monthday":
        try:
            parse_monthday(value)
            return None
        except ValueError:
            return "月-日字符串，如 \"07-15\""
    if param.kind == "monthday_pair":
        try:
            ok = isinstance(value, list | tuple) and len(value) == 2 and all(
                parse_monthday(v) for v in value)
        except ValueError:
            ok = False
        return None if ok else "[开始, 结束] 月-日对，如 [\"08-15\", \"12-14\"]"
    if param.kind == "grades":
        ok = isinstance(value, list | tuple) and all(
            isinstance(g, int) and not isinstance(g, bool) and 1 <= g <= 12 for g in value)
        return None if ok else "1–12 的整数列表"
    ok = isinstance(value, list | tuple) and all(
        isinstance(w, list | tuple) and len(w) == 2 for w in value)
    if ok:
        try:
            for a, b in value:
                parse_monthday(a), parse_monthday(b)
        except ValueError:
            ok = False
    return None if ok else "[开始, 结束] 月-日对的列表，如 [[\"08-15\", \"12-14\"]]"


def rule(id: str, name: str, severity: str, needs, basis: str, help: str,
         check: Callable, params: tuple[Param, ...] = (), default_on: bool = True) -> Rule:
    """Declare a rule; ``needs`` may be one alternative (a tuple of str) or several."""
    if needs and isinstance(needs[0], str):
        needs = (tuple(needs),)
    if severity not in SEVERITIES:
        raise ValueError(f"{id}: severity {severity!r}")
    for alt in needs:
        for item in alt:
            table, _, col = item.partition(".")
            if table not in TABLES or (col and col not in
                                       [c.name for c in TABLES[table].columns]):
                raise ValueError(f"{id}: unknown need {item!r}")
    return Rule(id, name, severity, tuple(tuple(a) for a in needs), basis, help, check,
                tuple(params), default_on)


CATALOGUE: dict[str, Rule] = {}
PREFIX_ORDER: tuple[str, ...] = ("ID", "XJ", "DU", "ST", "AG", "TR", "CH", "RJ", "CL", "LX")
"""Sections of RULES.md in order; the catalogue is kept in this order whatever the import order."""


def _order(rule_id: str) -> tuple[int, str]:
    prefix = rule_id.split("-")[0]
    return (PREFIX_ORDER.index(prefix) if prefix in PREFIX_ORDER else len(PREFIX_ORDER), rule_id)


def register(family: str, *rules: Rule) -> None:
    """Add ``rules`` of ``family`` to :data:`CATALOGUE` (ids must be new)."""
    for r in rules:
        if r.id in CATALOGUE:
            raise ValueError(f"duplicate rule id {r.id}")
        CATALOGUE[r.id] = replace(r, family=family)
    ordered = sorted(CATALOGUE.values(), key=lambda r: _order(r.id))
    CATALOGUE.clear()
    CATALOGUE.update((r.id, r) for r in ordered)


def needs_text(r: Rule) -> str:
    """The needs of a rule in Chinese, e.g. ``学生（休学日期） 或 学生 + 学籍异动``."""
    def alt_text(alt: tuple[str, ...]) -> str:
        cols: dict[str, list[str]] = {}
        for it in alt:
            table, _, col = it.partition(".")
            cols.setdefault(table, [])
            if col:
                cols[table].append(col)
        return " + ".join(TABLES[t].name + (f"（{'、'.join(c)}）" if c else "")
                          for t, c in cols.items())
    return " 或 ".join(alt_text(alt) for alt in r.needs)
