"""A small synthetic 学生 table with planted duplicates and look-alike non-duplicates, for the
matching tests. The truth is known by construction (never derived from the matcher)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from xueji_audit.ids import make_id, make_xjh_g, make_xjh_l

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘")
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂子轩涵浩宇欣怡梓晨佳琪思雨博文鑫瑶")
TRAD = {"张": "張", "刘": "劉", "陈": "陳", "杨": "楊", "黄": "黃", "赵": "趙", "吴": "吳",
        "伟": "偉", "静": "靜", "丽": "麗", "强": "強", "军": "軍", "杰": "傑", "涛": "濤"}
HOMOPHONE = {"伟": "玮", "芳": "方", "丽": "莉", "军": "君", "明": "鸣", "宇": "雨", "欣": "心",
             "涵": "含", "浩": "皓", "佳": "嘉", "琪": "淇", "文": "雯", "静": "婧", "杰": "洁"}
NOISES = ("trad", "homophone", "id_digit", "id_swap", "no_id", "date_swap", "school")


def _noisy(r: dict, noise: str, rng) -> dict:
    r = dict(r)
    name, idn = r["姓名"], r["身份证件号"]
    if noise == "trad":
        r["姓名"] = "".join(TRAD.get(c, c) for c in name)
    elif noise == "homophone":
        r["姓名"] = name[0] + "".join(HOMOPHONE.get(c, c) for c in name[1:])
    elif noise == "id_digit" and idn:
        k = int(rng.integers(0, 17))
        r["身份证件号"] = idn[:k] + str((int(idn[k]) + 1 + int(rng.integers(0, 8))) % 10) + idn[k + 1:]
    elif noise == "id_swap" and idn and idn[14] != idn[15]:
        r["身份证件号"] = idn[:14] + idn[15] + idn[14] + idn[16:]
    elif noise == "no_id":
        r["身份证件号"] = None
    elif noise == "date_swap":
        b = r["出生日期"]
        if b.day <= 12 and b.day != b.month:
            r["出生日期"] = dt.date(b.year, b.day, b.month)
    elif noise == "school":
        r["学校标识码"] = f"{6404000000 + int(rng.integers(0, 40))}"
    return r


def build(n: int = 1500, seed: int = 3) -> tuple[pd.DataFrame, set, set]:
    """(students, true duplicate 学籍号 pairs, decoy pairs): 3 % duplicated with two kinds of
    noise each (one an L-number record), 1 % twins, 1 % namesakes born the same day."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(n):
        sex = "男" if rng.random() < 0.5 else "女"
        birth = dt.date(2010, 1, 1) + dt.timedelta(days=int(rng.integers(0, 3650)))
        idn = make_id("640422", birth, k % 100, sex)
        sur = SURNAMES[min(int(rng.exponential(8)), len(SURNAMES) - 1)]
        guardian = make_id("640422", dt.date(1985, 1, 1) + dt.timedelta(days=k), 7, "男")
        rows.append({
            "学籍号": make_xjh_g(idn), "姓名": sur + "".join(rng.choice(GIVEN, 2)), "性别": sex,
            "出生日期": birth, "身份证件号": idn, "成员1身份证件号": guardian,
            "成员1姓名": sur + "".join(rng.choice(GIVEN, 2)),
            "联系电话": f"139{k:08d}", "现住址": f"西吉县{k % 19}乡{k % 47}村{k}号",
            "学校标识码": f"{6404000000 + int(rng.integers(0, 40))}", "民族": "汉族"})
    truth, decoys = set(), set()
    serial = 0
    for k in rng.choice(n, int(n * 0.03), replace=False):
        r = rows[k]
        dup = r
        for noise in rng.choice(NOISES, 2, replace=False):
            dup = _noisy(dup, str(noise), rng)
        serial += 1
        dup["学籍号"] = make_xjh_l("640422", serial)
        rows.append(dup)
        truth.add(tuple(sorted((r["学籍号"], dup["学籍号"]))))
    for k in rng.choice(n, int(n * 0.01), replace=False):
        r = dict(rows[k])
        r["姓名"] = r["姓名"][0] + "".join(rng.choice([g for g in GIVEN if g not in r["姓名"]], 2))
        r["身份证件号"] = make_id("640422", r["出生日期"], 100 + k % 100, r["性别"])
        r["学籍号"] = make_xjh_g(r["身份证件号"])
        rows.append(r)
        decoys.add(tuple(sorted((rows[k]["学籍号"], r["学籍号"]))))
    for k in rng.choice(n, int(n * 0.01), replace=False):
        o = rows[k]
        r = dict(rows[int(rng.integers(0, n))])
        r.update(姓名=o["姓名"], 出生日期=o["出生日期"], 性别=o["性别"])
        r["身份证件号"] = make_id("640422", o["出生日期"], 200 + k % 100, o["性别"])
        r["学籍号"] = make_xjh_g(r["身份证件号"])
        rows.append(r)
        decoys.add(tuple(sorted((o["学籍号"], r["学籍号"]))))
    df = pd.DataFrame(rows)
    df["出生日期"] = pd.to_datetime(df["出生日期"])
    return df, truth, decoys
