"""ID numbers (GB 11643) and 学籍号. All numbers are synthetic (region 640422, made-up births).

Check digits below are worked by hand: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 on the 17 body
digits, sum mod 11 = 0..10 maps to 1 0 X 9 8 7 6 5 4 3 2.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xueji_audit import ids

# 6 4 0 4 2 2 2 0 1 5 0 3 0 1 0 0 1
# 42+36+0+20+16+8+4+0+6+15+0+27+0+5+0+0+2 = 181; 181 mod 11 = 5 -> '7'
ID_BOY = "640422201503010017"
# same body with digits 16-17 = '2','1': 179 + 4*2 + 2*1 = 189; 189 mod 11 = 2 -> 'X'
ID_X = "64042220150301021X"
# digits 16-17 = '0','2': 179 + 0 + 2*2 = 183; 183 mod 11 = 7 -> '5'; 17th digit 2 is even
ID_GIRL = "640422201503010025"
# 15-digit 640422 850615 123 -> body 64042219850615123:
# 42+36+0+20+16+8+2+9+48+15+0+54+10+25+8+8+6 = 307; 307 mod 11 = 10 -> '2'
ID15 = "640422850615123"
ID15_AS_18 = "640422198506151232"
# 2015-02-29 does not exist (2015 is not a leap year); check digit right: 232 mod 11 = 1 -> '0'
ID_FEB29_2015 = "640422201502290010"
# 2016-02-29 exists: 235 mod 11 = 4 -> '8'
ID_FEB29_2016 = "640422201602290018"
# month 13, check digit right: 188 mod 11 = 1 -> '0'
ID_MONTH13 = "640422201513010010"
# province 99 (not a GB/T 2260 code): 181 + 7*3 + 9*5 = 247; 247 mod 11 = 5 -> '7'
ID_PROV99 = "990422201503010017"
# province 82 (Macao): 181 + 7*2 - 9*2 = 177; 177 mod 11 = 1 -> '0'
ID_PROV82 = "820422201503010010"


def test_check_digit_worked_examples():
    assert ids.check_digit("64042220150301001") == "7"
    assert ids.check_digit("64042220150301021") == "X"
    assert ids.check_digit("64042219850615123") == "2"
    with pytest.raises(ValueError):
        ids.check_digit("6404222015030100")


def test_valid_numbers_and_their_fields():
    for s in (ID_BOY, ID_X, ID_GIRL, ID_FEB29_2016, ID15):
        assert ids.is_valid_id(s), s
        assert ids.id_problem(s) is None
    assert ids.id_birth_date(ID_BOY) == dt.date(2015, 3, 1)
    assert ids.id_birth_date(ID15) == dt.date(1985, 6, 15)
    assert ids.id_birth_date(ID_FEB29_2016) == dt.date(2016, 2, 29)
    assert ids.id_sex(ID_BOY) == "男"
    assert ids.id_sex(ID_X) == "男"
    assert ids.id_sex(ID_GIRL) == "女"
    assert ids.id_sex(ID15) == "男"  # 15th digit 3
    assert ids.id_province(ID_BOY) == "64"


def test_upgrade_15_to_18():
    assert ids.upgrade_15_to_18(ID15) == ID15_AS_18
    with pytest.raises(ValueError):
        ids.upgrade_15_to_18("64042285061512")


def test_invalid_numbers_have_chinese_reasons():
    assert ids.id_problem("640422201503010018") == "校验位错误（应为 7）"
    assert ids.id_problem("640422201503010210") == "校验位错误（应为 X）"
    assert ids.id_problem(ID_FEB29_2015) == "出生日期不存在"
    assert ids.id_problem(ID_MONTH13) == "出生日期不存在"
    assert ids.id_problem("640422189903010017").startswith("出生年份")
    assert ids.id_problem("64042220150301001") == "位数错误（17位，应为18位）"
    assert ids.id_problem("6404222015030100170") == "位数错误（19位，应为18位）"
    assert "非法字符" in ids.id_problem("6404222015O3010017")  # letter O
    assert "非法字符" in ids.id_problem("６40422201503010017")  # full-width digit
    assert "非法字符" in ids.id_problem("64042285061512A")
    assert ids.id_problem("640422851315123") == "出生日期不存在"  # 15 digits, month 13
    for s in (ID_FEB29_2015, ID_MONTH13, "640422201503010018", "12345"):
        assert not ids.is_valid_id(s)
        assert ids.id_birth_date(s) is None and ids.id_sex(s) is None
    assert ids.id_problem(None) is None and not ids.is_valid_id(None)


def test_lower_case_x_is_not_accepted():
    """The loader upper-cases x; the id functions themselves do not normalise."""
    lower = ID_X.lower()
    assert not ids.is_valid_id(lower)
    assert "非法字符" in ids.id_problem(lower)
    assert "大写X" in ids.id_problem(lower)
    assert not ids.validate_ids(pd.Series([lower])).valid.iloc[0]


def test_province_codes():
    assert "82" in ids.PROVINCE_CODES and "99" not in ids.PROVINCE_CODES
    assert len(ids.PROVINCE_CODES) == 5 + 3 + 7 + 6 + 5 + 5 + 3
    assert {"11", "15", "21", "23", "31", "37", "41", "46", "50", "54", "61", "65", "71",
            "81"} <= ids.PROVINCE_CODES
    assert not {"10", "16", "20", "24", "38", "47", "55", "66", "72", "83"} & ids.PROVINCE_CODES
    # province is not part of validity
    assert ids.is_valid_id(ID_PROV99) and ids.is_valid_id(ID_PROV82)
    v = ids.validate_ids(pd.Series([ID_PROV99, ID_PROV82]))
    assert v.valid.tolist() == [True, True]
    assert v.province_ok.tolist() == [False, True]


MIXED = [ID_BOY, ID_X, ID_GIRL, ID15, ID_FEB29_2015, ID_FEB29_2016, ID_MONTH13, ID_PROV99,
         ID_PROV82, "640422201503010018", ID_X.lower(), "12345", "", None, np.nan,
         "6404222015030100170" * 3, "６40422201503010017", "640422189903010017",
         "640422851315123", "64042285061512A", "640422000001010010"]


def test_validate_ids_matches_scalar_functions():
    s = pd.Series(MIXED, index=range(100, 100 + len(MIXED)), dtype=object)
    v = ids.validate_ids(s)
    assert list(v.index) == list(s.index)
    assert list(v.columns) == ["id18", "valid", "legacy15", "problem", "birth", "sex",
                               "province_ok"]
    for value, row in zip(MIXED, v.itertuples(), strict=True):
        valid = ids.is_valid_id(value)
        assert row.valid == valid, value
        problem = ids.id_problem(value)
        assert (pd.isna(row.problem) if problem is None else row.problem == problem), value
        birth = ids.id_birth_date(value)
        assert (pd.isna(row.birth) if birth is None else row.birth.date() == birth), value
        sex = ids.id_sex(value)
        assert (pd.isna(row.sex) if sex is None else row.sex == sex), value
        assert row.legacy15 == (valid and len(value) == 15)
    assert v.id18[103] == ID15_AS_18 and v.id18[100] == ID_BOY
    assert v.id18[[104, 113, 114]].isna().all()
    assert v.problem[[113, 114]].isna().all() and not v.valid[[113, 114]].any()
    assert v.birth.dtype == "datetime64[ns]"
    # the same answers from a pandas string column
    same = ids.validate_ids(s.astype("string"))
    pd.testing.assert_frame_equal(same, v)


def test_xjh_kinds():
    cases = {
        "G" + ID_BOY: "G", "G" + ID_X: "G", "J" + ID_GIRL: "J", "L640422000000000123": "L",
        "L64042200000000012X": None, "G" + ID_X.lower(): None, "G" + ID_BOY + "1": None,
        "X" + ID_BOY: None, "g" + ID_BOY: None, ID_BOY: None, "G" + ID_BOY + "\n": None,
        "G６40422201503010017": None, "": None,
    }
    for s, kind in cases.items():
        assert ids.xjh_kind(s) == kind, s
    assert ids.xjh_kind(None) is None
    series = pd.Series([*cases, None], dtype=object)
    got = ids.xjh_kinds(series)
    want = [*cases.values(), None]
    assert [None if pd.isna(g) else g for g in got] == want


def test_generators():
    assert ids.make_id("640422", dt.date(2015, 3, 1), 1, "男") == "640422201503010" + "11" + \
        ids.check_digit("64042220150301011")
    assert ids.make_id("640422", dt.date(2015, 3, 1), 2, "男") == ID_X
    assert ids.make_id15("640422", dt.date(1985, 6, 15), 12, "男") == "640422850615121"
    assert ids.upgrade_15_to_18(ids.make_id15("640422", dt.date(1985, 6, 15), 12, "女")) == \
        ids.make_id("640422", dt.date(1985, 6, 15), 12, "女")
    assert ids.make_xjh_g(ID_BOY) == "G" + ID_BOY
    assert ids.make_xjh_j("640422", dt.date(2015, 3, 1), 2, "男") == "J" + ID_X
    assert ids.make_xjh_j("64042220150301021") == "J" + ID_X
    assert ids.make_xjh_l("640422", 123) == "L640422000000000123"
    for bad in (lambda: ids.make_id("64042", dt.date(2015, 3, 1), 1, "男"),
                lambda: ids.make_id("640422", dt.date(2015, 3, 1), 500, "男"),
                lambda: ids.make_id("640422", dt.date(2015, 3, 1), 1, "M"),
                lambda: ids.make_id15("640422", dt.date(2005, 3, 1), 1, "男")):
        with pytest.raises(ValueError):
            bad()


# ---------------------------------------------------------------- properties

region6 = st.builds(lambda p, rest: p + rest, st.sampled_from(sorted(ids.PROVINCE_CODES)),
                    st.from_regex(r"[0-9]{4}", fullmatch=True))
births = st.dates(dt.date(1950, 1, 1), dt.date(2025, 12, 31))
sexes = st.sampled_from(["男", "女"])
generated_ids = st.builds(ids.make_id, region6, births, st.integers(0, 99), sexes)


@settings(max_examples=150, deadline=None)
@given(region6, births, st.integers(0, 99), sexes)
def test_every_generated_number_is_valid(region, birth, seq, sex):
    s = ids.make_id(region, birth, seq, sex)
    assert ids.is_valid_id(s) and ids.has_valid_check(s)
    assert ids.id_birth_date(s) == birth and ids.id_sex(s) == sex
    assert ids.id_province(s) == region[:2]
    row = ids.validate_ids(pd.Series([s])).iloc[0]
    assert row.valid and row.province_ok and row.birth.date() == birth and row.sex == sex
    if birth.year <= 1999:
        s15 = ids.make_id15(region, birth, seq, sex)
        assert ids.is_valid_id(s15) and ids.upgrade_15_to_18(s15) == s


def _single_changes(s: str):
    for i in range(len(s)):
        for c in "0123456789X":
            if c != s[i]:
                yield s[:i] + c + s[i + 1:]


def _adjacent_swaps(s: str):
    for i in range(len(s) - 1):
        if s[i] != s[i + 1]:
            yield s[:i] + s[i + 1] + s[i] + s[i + 2:]


@settings(max_examples=100, deadline=None)
@given(generated_ids)
def test_every_single_change_and_transposition_is_caught(s):
    changed = list(_single_changes(s))
    assert len(changed) == 18 * 10
    swapped = list(_adjacent_swaps(s))
    for t in changed + swapped:
        assert not ids.has_valid_check(t), t
        assert not ids.is_valid_id(t), t
    assert not ids.validate_ids(pd.Series(changed + swapped)).valid.any()


@settings(max_examples=100, deadline=None)
@given(generated_ids, st.sampled_from(["G", "J"]))
def test_xjh_embedded_check_digit_catches_changes(s, letter):
    xjh = ids.make_xjh_g(s) if letter == "G" else ids.make_xjh_j(s[:17])
    assert ids.xjh_kind(xjh) == letter and ids.xjh_check_ok(xjh)
    body = xjh[1:]
    for t in [*_single_changes(body), *_adjacent_swaps(body)]:
        assert not ids.xjh_check_ok(letter + t), t
