"""The fast feature preparation against the slow, obvious route: every feature of a demo
county (as generated, and with messy text) recomputed element by element, messy text, and
results independent of row order."""
import datetime as dt
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xueji_audit import names as zh
from xueji_audit.demo import generate_tables
from xueji_audit.ids import is_valid_id, upgrade_15_to_18
from xueji_audit.matching import find_duplicates
from xueji_audit.matching.features import prepare
from xueji_audit.matching.students import STUDENT_SPEC

sys.path.insert(0, str(Path(__file__).parent))
from test_matching_fastpaths import _messy  # noqa: E402

AS_OF = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def county():
    return generate_tables(20000, seed=4, as_of=AS_OF).tables["students"]


@pytest.fixture(scope="module", params=["as generated", "messy"])
def students(request, county):
    """The demo county; or every 9th text value altered (whitespace of all kinds, lower case,
    long, cut, missing, 繁体, look-alike dots …), in object columns."""
    return county if request.param == "as generated" else _messy(county, nul=False)


@pytest.fixture(scope="module")
def features(students):
    return prepare(students, STUDENT_SPEC)


def _s(x) -> str:
    return "" if pd.isna(x) else str(x)


def _id(x) -> tuple[str, str, str, str]:
    raw = _s(x).strip().upper()
    valid = is_valid_id(raw) if raw else False
    id18 = (raw if len(raw) == 18 else upgrade_15_to_18(raw)) if valid else ""
    id15 = raw if len(raw) == 15 else raw[:6] + raw[8:17] if len(raw) == 18 else ""
    return raw, id15, id18, "1" if valid else ""


def _date(x) -> tuple[str, str]:
    if pd.isna(x):
        return "", ""
    lo, hi = sorted((x.month, x.day))
    return x.strftime("%Y%m%d"), f"{x.year:04d}{lo:02d}{hi:02d}"


def test_every_feature_equals_the_element_by_element_route(students, features):
    f = features
    assert f["_key"].tolist() == [_s(x).strip() for x in students["学籍号"]]
    assert f["现住址"].tolist() == [re.sub(r"\s+", "", _s(x).strip().lower())
                                 for x in students["现住址"]]
    assert f["联系电话"].tolist() == [re.sub(r"\s+", "", _s(x).strip().upper())
                                  for x in students["联系电话"]]
    for col in ("性别", "学校标识码", "民族"):
        assert f[col].tolist() == [_s(x).strip() for x in students[col]]
    for col in ("身份证件号", "成员1身份证件号"):
        want = [_id(x) for x in students[col]]
        got = zip(f[col], f[f"{col}:id15"], f[f"{col}:id18"], f[f"{col}:valid"], strict=True)
        assert list(got) == want
    dates = [_date(x) for x in students["出生日期"]]
    assert list(zip(f["出生日期"], f["出生日期:swap"], strict=True)) == dates
    assert f["出生日期:ym"].tolist() == [d[:6] for d, _ in dates]
    p14 = [(r if len(r) == 18 else i)[:14] for r, i in zip(f["身份证件号"], f["身份证件号:id18"],
                                                           strict=True)]
    assert f["身份证件号:p14"].tolist() == [p if len(p) == 14 else "" for p in p14]


@pytest.mark.parametrize("col", ["姓名", "成员1姓名"])
def test_name_features_equal_one_name_at_a_time(students, county, features, col):
    rows = np.random.default_rng(0).choice(len(students), 2000 if students is county else 500,
                                           replace=False)
    for r in rows.tolist():
        x = students[col].iloc[r]
        n = zh.normalize_names(pd.Series([x], dtype=object)).iloc[0]
        raw = zh.clean_names(pd.Series([x], dtype=object)).iloc[0]
        got = features.iloc[r]
        assert (got[col], got[f"{col}:sound"], got[f"{col}:shape"], got[f"{col}:surname"],
                got[f"{col}:given"]) == (n["name"], n["sound"], n["shape"],
                                         n["pinyin_surname"], n["given"])
        assert got[f"{col}:raw"] == ("" if raw is None else raw)


def test_messy_text_in_object_and_string_columns():
    spec = STUDENT_SPEC
    values = {"学籍号": [" G1 ", None, "\u3000J2\t", "L3"],
              "姓名": ["張 偉", None, "欧阳\u3000娜娜", ""],
              "现住址": ["A  Road\u00a0 5 ", None, "\x1c南京路\u3000 1号", "x"],
              "联系电话": ["138 0013\t8000", None, " abc ", ""],
              "身份证件号": [" 11010519491231002x ", None, "110105491231002", "123"]}
    objects = pd.DataFrame(values, dtype=object).assign(出生日期=pd.NaT)
    for frame in (objects, objects.astype("string")):
        f = prepare(frame, spec)
        assert f["_key"].tolist() == ["G1", "", "J2", "L3"]
        assert f["姓名"].tolist() == ["张伟", "", "欧阳娜娜", ""]
        assert f["姓名:surname"].tolist() == ["zhang", "", "ou yang", ""]
        assert f["现住址"].tolist() == ["aroad5", "", "南京路1号", "x"]
        assert f["联系电话"].tolist() == ["13800138000", "", "ABC", ""]
        assert f["身份证件号"].tolist() == ["11010519491231002X", "", "110105491231002", "123"]
        assert f["身份证件号:id15"].tolist() == ["110105491231002", "", "110105491231002", ""]
        assert f["身份证件号:id18"].tolist() == ["11010519491231002X", "", "11010519491231002X",
                                             ""]
        assert f["身份证件号:valid"].tolist() == ["1", "", "1", ""]


def test_numeric_key_column_takes_the_general_route():
    frame = pd.DataFrame({"学籍号": [7, 8, 7], "姓名": [1.5, None, 1.5], "出生日期": pd.NaT,
                          "身份证件号": [None, None, None]})
    f = prepare(frame, STUDENT_SPEC)
    assert f["_key"].tolist() == ["7", "8", "7"]
    assert f["姓名"].tolist() == ["1·5", "", "1·5"]  # the dot unified as in a name


def _pairs(result) -> set[tuple[str, str, float]]:
    p = result.pairs
    return {(min(a, b), max(a, b), s) for a, b, s in zip(p["学籍号_a"], p["学籍号_b"], p["score"],
                                                       strict=True)}


def test_duplicates_do_not_depend_on_row_order(county):
    first = find_duplicates(county)
    shuffled = county.sample(frac=1.0, random_state=11)
    second = find_duplicates(shuffled)
    assert len(first.pairs) > 100
    assert _pairs(first) == _pairs(second)
    c1 = first.clusters.groupby("cluster_id")["学籍号"].apply(frozenset)
    c2 = second.clusters.groupby("cluster_id")["学籍号"].apply(frozenset)
    assert set(c1) == set(c2)
