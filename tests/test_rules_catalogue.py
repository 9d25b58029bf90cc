"""The catalogue itself: every rule is complete and covered by positive and negative cases."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import test_rules_business  # noqa: F401  (registers its cases)
import test_rules_identity_status  # noqa: F401
import test_rules_new  # noqa: F401
from test_rules_helpers import CASES, my_rules

from xueji_audit.rules import CATALOGUE, SEVERITIES, Context
from xueji_audit.rules.context import RESULT_COLUMNS

SEEDS = Path("/work/shared/seeds/README.md")
SHORT_NAMES = ("办法2013", "通知2016", "西吉2020", "办法2025", "义务教育法", "学籍系统")
RULES_MD_IDS = (
    [f"ID-0{i}" for i in range(1, 7)] + [f"XJ-0{i}" for i in range(1, 5)]
    + ["DU-01", "DU-02", "DU-03"] + [f"ST-{i:02d}" for i in range(1, 11)] + ["AG-01", "AG-02"]
    + [f"TR-{i:02d}" for i in range(1, 14)] + ["CL-01", "CL-02"]
    + [f"LX-0{i}" for i in range(1, 8)]
)
SECOND_READING = ("ST-06", "ST-07", "ST-08", "ST-09", "ST-10", "RJ-05", "RJ-06", "TR-12", "TR-13",
                  "TR-14", "LX-07")


def test_this_engine_implements_these_rules_in_rules_md_order():
    assert [r for r in CATALOGUE if r in my_rules()] == RULES_MD_IDS


def test_catalogue_follows_the_sections_of_rules_md():
    order = ("ID", "XJ", "DU", "ST", "AG", "TR", "CH", "RJ", "CL", "LX")
    prefixes = [order.index(r.split("-")[0]) for r in CATALOGUE]
    assert prefixes == sorted(prefixes)


def test_every_rule_is_complete():
    for r in (CATALOGUE[i] for i in my_rules()):
        assert r.name and re.search(r"[\u4e00-\u9fff]", r.name), r.id
        assert r.severity in SEVERITIES, r.id
        assert r.help and re.search(r"[\u4e00-\u9fff]", r.help), r.id
        assert any(n in r.basis for n in SHORT_NAMES), (r.id, r.basis)
        assert r.needs and all(r.needs), r.id
        assert callable(r.check), r.id
        for p in r.params:
            assert p.help, (r.id, p.name)


def test_every_rule_has_a_positive_and_a_negative_case():
    pos = {c.rule_id for c in CASES if c.positive}
    neg = {c.rule_id for c in CASES if not c.positive}
    assert sorted(my_rules() - pos) == []
    assert sorted(my_rules() - neg) == []


def test_severities_named_in_rules_md():
    given = {"ID-05": "低", "XJ-02": "中", "XJ-04": "低", "AG-01": "中", "TR-08": "中",
             "CL-01": "中", "CL-02": "高", "LX-01": "中"}
    assert {k: CATALOGUE[k].severity for k in given} == given


def test_only_local_rules_are_off_by_default():
    off = sorted(r.id for r in CATALOGUE.values() if not r.default_on and r.id in my_rules())
    assert off == [f"LX-0{i}" for i in range(1, 8)]


def test_the_catalogue_has_the_eleven_new_rules_of_section_h():
    assert set(SECOND_READING) <= set(CATALOGUE)
    # 48 rules in the tables of RULES.md A–G and the ningxia-xiji overlay, 11 from section H
    assert len(CATALOGUE) == 48 + 11
    given = {"ST-06": "高", "ST-07": "中", "ST-08": "中", "ST-09": "低", "ST-10": "中",
             "RJ-05": "中", "RJ-06": "低", "TR-12": "中", "LX-03": "中", "LX-04": "中"}
    assert {k: CATALOGUE[k].severity for k in given} == given


def test_a_check_returns_the_result_columns_even_when_empty():
    from test_rules_helpers import tables

    from xueji_audit.profile import load_profile
    data = tables()
    p = load_profile("national-2025")
    ctx = Context(data, {"students": frozenset(data["students"].columns)},
                  pd.Timestamp("2026-11-20"), p.calendar(), p.calendar(True), p.term_starts,
                  p.age_cutoff)
    out = CATALOGUE["ID-01"].check(ctx.for_rule({}))
    assert list(out.columns) == list(RESULT_COLUMNS) and out.empty
