"""Synthetic Chinese names: surname frequencies, given names by sex, minority names, variants.

Names are built from small pools with numpy index arrays, so a million names cost a few vector
operations. Every pool character's pinyin is known, which gives a vectorised homophone key
(used to keep planted roster cases unambiguous). Nothing here is a real person's name list.
"""
from __future__ import annotations

from functools import cache, lru_cache

import numpy as np
from pypinyin import lazy_pinyin

# (surname, relative frequency) — the common order of mainland surnames; 马 is raised for a
# county in Ningxia. 复姓 come separately.
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 7.1), ("李", 7.0), ("张", 6.8), ("刘", 5.4), ("陈", 4.6), ("杨", 3.3), ("黄", 2.2),
    ("赵", 2.1), ("吴", 2.0), ("周", 1.9), ("马", 4.5), ("徐", 1.5), ("孙", 1.5), ("胡", 1.3),
    ("朱", 1.3), ("高", 1.3), ("林", 1.2), ("何", 1.2), ("郭", 1.2), ("罗", 0.9), ("梁", 0.8),
    ("宋", 0.8), ("郑", 0.8), ("谢", 0.7), ("韩", 0.7), ("唐", 0.7), ("冯", 0.7), ("于", 0.6),
    ("董", 0.6), ("萧", 0.3), ("程", 0.6), ("曹", 0.6), ("袁", 0.5), ("邓", 0.5), ("许", 0.5),
    ("傅", 0.5), ("沈", 0.5), ("曾", 0.5), ("彭", 0.5), ("吕", 0.5), ("苏", 0.5), ("卢", 0.5),
    ("蒋", 0.5), ("蔡", 0.5), ("贾", 0.4), ("丁", 0.4), ("魏", 0.4), ("薛", 0.4), ("叶", 0.4),
    ("阎", 0.4), ("余", 0.4), ("潘", 0.4), ("杜", 0.4), ("戴", 0.3), ("夏", 0.3), ("钟", 0.3),
    ("汪", 0.3), ("田", 0.3), ("任", 0.3), ("姜", 0.3), ("范", 0.3), ("方", 0.3), ("石", 0.3),
    ("姚", 0.3), ("谭", 0.3), ("廖", 0.3), ("邹", 0.3), ("熊", 0.3), ("金", 0.3), ("陆", 0.3),
    ("郝", 0.3), ("孔", 0.3), ("白", 0.3), ("崔", 0.3), ("康", 0.3), ("毛", 0.3), ("邱", 0.3),
    ("秦", 0.3), ("江", 0.3), ("史", 0.3), ("顾", 0.3), ("侯", 0.3), ("邵", 0.3), ("孟", 0.3),
    ("龙", 0.3), ("万", 0.3), ("段", 0.3), ("海", 0.2), ("纳", 0.1), ("哈", 0.1), ("撒", 0.1),
)
COMPOUND_SURNAMES: tuple[str, ...] = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "慕容")
COMPOUND_RATE = 0.004

GIVEN_MALE = tuple("伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建国"
                   "晨博文轩然睿哲航泽宏瑞源子铭皓天翔一嘉豪诚毅峰彬")
GIVEN_FEMALE = tuple("芳娜敏静丽艳娟霞秀玲桂英丹萍红梅琳雪婷慧颖欣怡瑶佳悦琪涵萱雨馨婉"
                     "晶茜倩璐蕾可心语彤诗梦菲妍思月怡")
ADULT_MALE = tuple("建国志强海军永红卫东德明宏伟国庆立新学文金山春生玉林")
ADULT_FEMALE = tuple("秀兰桂英玉梅凤霞春花淑珍丽萍红霞美玲小燕翠芳")

# Uyghur-style names written with '·': given name · father's name.
UYGHUR_MALE = ("艾力", "买买提江", "阿卜杜拉", "艾克拜尔", "努尔兰", "伊力哈木", "塔依尔", "肉孜")
UYGHUR_FEMALE = ("阿依古丽", "古丽娜尔", "热依拉", "迪丽努尔", "帕提曼", "阿依努尔", "米娜瓦尔",
                 "再娜甫")
UYGHUR_FATHER = ("买买提", "吐尔逊", "艾买提", "吾斯曼", "阿不都", "肉孜", "卡德尔", "司马义")
UYGHUR_RATE = 0.003

# Homophone / look-alike substitutions a typing teacher or clerk makes (张伟/张玮/章伟).
TYPO: dict[str, str] = {
    "伟": "玮", "张": "章", "杰": "洁", "明": "铭", "静": "婧", "丽": "莉", "军": "君", "华": "桦",
    "芳": "方", "晨": "辰", "欣": "馨", "宇": "雨", "涛": "韬", "婷": "亭", "鹏": "朋", "浩": "皓",
    "琳": "林", "刚": "钢", "勇": "永", "红": "虹", "王": "汪", "李": "理", "刘": "浏", "陈": "晨",
    "杨": "扬", "黄": "皇", "吴": "吾", "周": "舟", "斌": "彬", "未": "末", "玉": "王",
}


def _weights(pairs) -> tuple[np.ndarray, np.ndarray]:
    names = np.array([p[0] for p in pairs])
    w = np.array([p[1] for p in pairs], dtype=float)
    return names, w / w.sum()


_SUR, _SUR_P = _weights(SURNAMES)


@cache
def _char_pinyin(ch: str) -> str:
    return "".join(lazy_pinyin(ch))


def pinyin_of(text: str) -> str:
    """Tone-less pinyin of a name, one syllable per character joined by spaces (the homophone
    key; each character read alone, which is how a name is read)."""
    return " ".join(_char_pinyin(c) for c in text)


def draw_surnames(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` surnames by frequency, with a few 复姓 per thousand."""
    out = _SUR[rng.choice(len(_SUR), size=n, p=_SUR_P)].astype(object)
    compound = rng.random(n) < COMPOUND_RATE
    out[compound] = np.array(COMPOUND_SURNAMES, dtype=object)[
        rng.integers(0, len(COMPOUND_SURNAMES), compound.sum())]
    return out


def draw_given(rng: np.random.Generator, male: np.ndarray, adult: bool = False) -> np.ndarray:
    """Given names of 1–2 characters by sex (``male`` a bool array)."""
    n = len(male)
    pm = np.array(ADULT_MALE if adult else GIVEN_MALE, dtype=object)
    pf = np.array(ADULT_FEMALE if adult else GIVEN_FEMALE, dtype=object)
    a = np.where(male, pm[rng.integers(0, len(pm), n)], pf[rng.integers(0, len(pf), n)])
    b = np.where(male, pm[rng.integers(0, len(pm), n)], pf[rng.integers(0, len(pf), n)])
    two = rng.random(n) < 0.72
    same = a == b
    b = np.where(same, np.where(male, "子", "儿"), b)
    return np.where(two, a + b, a)


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def traditional(name: str) -> str:
    """The traditional-character spelling of a simplified name (张伟 → 張偉)."""
    return _s2t().convert(name)


def typo(name: str, rng: np.random.Generator) -> str | None:
    """A homophone or look-alike misspelling of one character, or None when none applies."""
    spots = [i for i, ch in enumerate(name) if ch in TYPO]
    if not spots:
        return None
    i = spots[int(rng.integers(0, len(spots)))]
    return name[:i] + TYPO[name[i]] + name[i + 1:]
