"""ID numbers of the demo generator at sizes the small test counties never reach."""
from __future__ import annotations

import datetime as dt

import numpy as np

from xueji_audit import ids
from xueji_audit.demo.dupes import _mistype
from xueji_audit.demo.idgen import build_ids
from xueji_audit.demo.people import _region_seq, native_codes
from xueji_audit.demo.schools import COUNTY_CODE


def test_mistyped_ids_never_repeat():
    """A large county has many children whose IDs are one digit apart; two of them mistyped into
    the same number made an undeclared DU-02 group (1M students, seeds 3, 7, 12, 13). Fifteen
    mistypes of one ID (about 30 possible) would repeat almost surely if drawn blindly."""
    full = ids.make_id(COUNTY_CODE, dt.date(2015, 3, 19), 42, "男")
    taken = {full}
    rng = np.random.default_rng(0)
    wrongs = [_mistype(rng, full, taken) for _ in range(15)]
    assert len(set(wrongs)) == 15
    assert full not in wrongs
    assert set(wrongs) <= taken
    for w in wrongs:
        assert len(w) == 18 and w[:14] == full[:14] and not ids.is_valid_id(w)


def _draw(n_native: int, n_migrant: int = 0):
    n = n_native + n_migrant
    migrant = np.r_[np.zeros(n_native, bool), np.ones(n_migrant, bool)]
    uyghur = np.zeros(n, bool)
    fam = np.arange(n)
    fam[1] = 0  # a pair of siblings
    bdays = np.full(n, np.datetime64("2015-03-19", "D").astype(np.int64))
    male = np.ones(n, bool)
    return _region_seq(migrant, uyghur, np.zeros(n, np.int64), fam, bdays, male, 0, 40)


def test_a_county_too_big_for_one_region_code_uses_the_next_codes():
    """700 boys of the county born on one day need more than the 300 bulk sequence numbers of
    a region code (2M students in one county: "ID sequence range exhausted")."""
    region, seq = _draw(700, 5)
    assert seq.max() < 300
    assert set(region[:700]) == set(native_codes(3)) and native_codes(3)[0] == COUNTY_CODE
    assert region[1] == region[0]
    assert (region[700:] == "620421").all()
    birth = np.full(len(seq), np.datetime64("2015-03-19", "D"))
    made = build_ids(region, birth, seq, np.ones(len(seq), bool))
    assert len(set(made)) == len(made)
    assert all(ids.is_valid_id(x) for x in made)


def test_a_normal_county_keeps_its_one_code():
    region, seq = _draw(250)
    assert set(region) == {COUNTY_CODE}
    assert len(set(zip(region, seq, strict=True))) == 250


def test_j_numbers_of_two_batches_never_meet():
    """Foreign children get J numbers (region + birth date + a per-day rank); the planted big
    classes are drawn as a batch of their own, whose ranks started again at 900 and gave a bulk
    child's J number twice (1M students, seed 13)."""
    from conftest import AS_OF

    from xueji_audit.demo.people import allocate, draw_students
    from xueji_audit.demo.schools import build_schools
    from xueji_audit.terms import school_year_start, term_start

    rng = np.random.default_rng(5)
    schools = build_schools(40000, rng)
    slots = allocate(rng, schools, 40000)
    sy, term0 = school_year_start(AS_OF), term_start(AS_OF)
    bulk = draw_students(rng, schools, slots, sy, AS_OF, term0)
    big = draw_students(rng, schools, slots, sy, AS_OF, term0, seq_base=408, siblings=0,
                        spread=1)
    j_bulk = set(bulk.loc[bulk["学籍号"].str.startswith("J"), "学籍号"])
    j_big = set(big.loc[big["学籍号"].str.startswith("J"), "学籍号"])
    assert len(j_bulk) > 50 and len(j_big) > 50
    assert not j_bulk & j_big
    assert all(ids.xjh_check_ok(x) for x in j_bulk | j_big)
