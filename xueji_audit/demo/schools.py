"""The demo county and its schools (fictional 清川县 under the real province prefix 64).

The school count scales with the number of students (about one school per 800). Every
九年一贯制 school is one whose roster (在校名单) was never taken; the county has one 五四
primary school so that its graduating grade 5 is exercised.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

PROVINCE = "宁夏回族自治区"
PREFECTURE = "固原市"
COUNTY = "清川县"
COUNTY_CODE = "640426"  # not a real county code (固原市 has 640402, 640422–640425)
BUREAU = f"{COUNTY}教育体育局"
PROVINCE_BUREAU = f"{PROVINCE}教育厅"
TOWNS = ("城关镇", "河湾镇", "石门镇", "兴隆镇", "新营乡", "柳沟乡", "红崖乡", "东坪乡",
         "西塬乡", "白河乡", "马莲乡", "杨庄乡", "沙沟乡", "青石乡")
_VILLAGE_A = tuple("王李马杨张刘何苏罗田高赵韩海金石柳河黄白")
_VILLAGE_B = tuple("庄洼沟湾河岔塬坪堡寨")
_CN = "一二三四五六七八九十"

STAGE_GRADES: dict[str, tuple[int, int]] = {
    "小学": (1, 6), "初中": (7, 9), "九年一贯制": (1, 9), "高中": (10, 12), "完全中学": (7, 12),
}


def _ordinal(k: int) -> str:
    if k > 99:
        return str(k)
    if k <= 10:
        return _CN[k - 1]
    tens, ones = divmod(k, 10)
    return (_CN[tens - 1] if tens > 1 else "") + "十" + (_CN[ones - 1] if ones else "")


_VILLAGE_C = ("", "上", "下", "前", "后", "东", "西", "南", "北", "大", "小")


def village(k: int) -> str:
    """The k-th fictional village name (unique for k < 2200)."""
    a, b = len(_VILLAGE_A), len(_VILLAGE_B)
    return (_VILLAGE_A[k % a] + _VILLAGE_B[(k // a) % b] + _VILLAGE_C[(k // (a * b)) % len(_VILLAGE_C)]
            + "村")


MIN_FIVE_FOUR = 12
"""Students per grade the 五四 school has at least, however small the county."""


def build_schools(students: int, rng: np.random.Generator) -> pd.DataFrame:
    """The schools table plus internal columns ``_lo``/``_hi`` (grades), ``_weight``,
    ``_town``, ``_roster`` (whether a roster was taken) and ``_min`` (students per grade at
    least)."""
    n = max(20, round(students / 800))
    n_high = max(2, round(n * 0.08))
    n_full = max(1, round(n * 0.04))
    n_junior = max(3, round(n * 0.15))
    n_nine = max(1, round(n * 0.04))
    n_primary = n - n_high - n_full - n_junior - n_nine
    rows: list[dict] = []

    def add(name, stage, system, weight, town):
        rows.append({"学校名称": name, "学段": stage, "学制": system, "_weight": weight,
                     "_town": town})

    middle = 0
    for _ in range(n_high):
        middle += 1
        add(f"{COUNTY}第{_ordinal(middle)}中学", "高中", "六三", 3.0, TOWNS[0])
    for _ in range(n_full):
        middle += 1
        add(f"{COUNTY}第{_ordinal(middle)}中学", "完全中学", "六三", 2.5, TOWNS[0])
    for k in range(n_junior):
        town = TOWNS[k % len(TOWNS)]
        suffix = "" if k < len(TOWNS) else _ordinal(k // len(TOWNS) + 1)
        add(f"{COUNTY}{town}{suffix}中学", "初中", "六三", 2.0 if k == 0 else 1.2, town)
    for k in range(n_nine):
        town = TOWNS[(k + 3) % len(TOWNS)]
        suffix = "" if k < len(TOWNS) else _ordinal(k // len(TOWNS) + 1)
        add(f"{COUNTY}{town}{suffix}九年一贯制学校", "九年一贯制", "六三", 3.0, town)
    add(f"{COUNTY}实验小学", "小学", "五四", 2.0, TOWNS[0])
    for k in range(n_primary - 1):
        if k < 2:
            add(f"{COUNTY}第{_ordinal(k + 1)}小学", "小学", "六三", 3.0, TOWNS[0])
        elif k < 2 + len(TOWNS):
            town = TOWNS[k - 2]
            add(f"{COUNTY}{town}中心小学", "小学", "六三", 1.6, town)
        else:
            town = TOWNS[k % len(TOWNS)]
            add(f"{COUNTY}{town}{village(k)}小学", "小学", "六三", 0.6, town)
    df = pd.DataFrame(rows)
    if df["学校名称"].duplicated().any():
        raise AssertionError("duplicate school names")
    df.insert(0, "学校标识码", [f"2164{COUNTY_CODE[2:4]}{i + 1:04d}" for i in range(len(df))])
    df["行政区划码"] = COUNTY_CODE
    lo_hi = df["学段"].map(STAGE_GRADES)
    df["_lo"] = [a for a, _ in lo_hi]
    df["_hi"] = [5 if s == "五四" else b for (_, b), s in zip(lo_hi, df["学制"], strict=True)]
    df["_roster"] = df["学段"] != "九年一贯制"
    df["_weight"] = df["_weight"] * rng.uniform(0.85, 1.15, len(df))
    # the one 五四 school hosts several planted cases per grade: it is never left (nearly) empty
    df["_min"] = np.where(df["学制"] == "五四", MIN_FIVE_FOUR, 0)
    return df


def grade_label(grade) -> np.ndarray:
    """一年级…九年级, 高一…高三 for grades 1–12."""
    labels = np.array(["", *[f"{c}年级" for c in _CN[:9]], "高一", "高二", "高三"], dtype=object)
    return labels[np.asarray(grade, dtype=np.int64)]


def class_name(grade, k) -> np.ndarray:
    """Class names such as 三年级(2)班."""
    return grade_label(grade) + "(" + np.asarray(k).astype(str).astype(object) + ")班"
