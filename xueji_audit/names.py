"""Chinese personal names: one normal form, pinyin, and similarity that knows 简繁 and homophones.

Public API (used by duplicate matching and by roster reconciliation):

``normalize_names(names) -> DataFrame``
    One row per input name (same index) with the columns

    ``name``      cleaned, simplified form: NFKC (full-width → half-width), spaces removed, the
                  middle-dot variants unified to ``·``, traditional → simplified with OpenCC plus
                  :data:`VARIANTS` (characters OpenCC leaves, e.g. 锺 → 钟);
    ``surname``   the surname: a compound surname of :data:`COMPOUND_SURNAMES` (欧阳, 司马 …) or
                  the first character; empty for a name without one (e.g. a single character);
    ``given``     the rest of the name;
    ``pinyin``    toneless pinyin, syllables separated by spaces; the surname is read with
                  :data:`SURNAME_READINGS` (曾 zeng, 单 shan, 解 xie, 朴 piao, 区 ou, 仇 qiu …);
    ``pinyin_surname``  pinyin of the surname alone (a blocking key);
    ``sound``     a homophone code: one character per syllable after folding the sounds that are
                  commonly confused (zh/z, ch/c, sh/s, n/l, -ng/-n), so 张伟 / 章玮 share it;
    ``shape``     a look-alike code: ``name`` with the characters of :data:`LOOKALIKES` folded
                  to one representative (王/玉, 己/已/巳 …).

``name_similarity(a, b) -> ndarray``
    Element-wise similarity in [0, 1] of two aligned sequences of raw names: an edit that a
    homophone or look-alike explains costs 0.3, any other edit 1, divided by the longer length.

``name_similarity_normalized(na, nb) -> ndarray``
    The same on two frames already returned by :func:`normalize_names` (no re-normalisation).

All work is done once per distinct name and per distinct character (OpenCC and pypinyin are
called per character, cached for the process), so a million names take about a second.
"""
from __future__ import annotations

import re
import unicodedata
from itertools import repeat

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

# Characters that OpenCC t2s leaves as they are but registers write either way.
VARIANTS: dict[str, str] = {
    "锺": "钟", "衞": "卫", "囯": "国", "喆": "哲", "堃": "坤", "淸": "清", "靑": "青",
    "姫": "姬", "茘": "荔", "緖": "绪", "呉": "吴",
}

# Readings of a character when it is a surname (pypinyin's default reading is the common one).
SURNAME_READINGS: dict[str, str] = {
    "曾": "zeng", "单": "shan", "解": "xie", "朴": "piao", "区": "ou", "仇": "qiu", "查": "zha",
    "盖": "ge", "缪": "miao", "覃": "qin", "翟": "zhai", "乐": "yue", "秘": "bi", "种": "chong",
    "员": "yun", "召": "shao", "句": "gou", "阚": "kan", "隗": "wei", "繁": "po", "冼": "xian",
    "牟": "mou", "宁": "ning", "折": "she", "朝": "chao", "盛": "sheng", "沈": "shen",
    "任": "ren", "那": "na", "薄": "bo", "眭": "sui", "祭": "zhai", "藏": "zang", "尉": "wei",
    "长": "chang", "重": "chong", "华": "hua", "燕": "yan", "褚": "chu", "柏": "bai",
    "费": "fei", "郇": "xun", "鲜": "xian", "逄": "pang", "颉": "xie", "能": "nai",
    "纪": "ji", "石": "shi", "寻": "xun", "闭": "bi",
}

COMPOUND_SURNAMES: dict[str, str] = {
    "欧阳": "ou yang", "司马": "si ma", "诸葛": "zhu ge", "上官": "shang guan",
    "东方": "dong fang", "皇甫": "huang fu", "令狐": "ling hu", "公孙": "gong sun",
    "慕容": "mu rong", "尉迟": "yu chi", "长孙": "zhang sun", "宇文": "yu wen",
    "司徒": "si tu", "夏侯": "xia hou", "轩辕": "xuan yuan", "端木": "duan mu",
    "独孤": "du gu", "南宫": "nan gong", "西门": "xi men", "万俟": "mo qi", "澹台": "tan tai",
    "呼延": "hu yan", "申屠": "shen tu", "司空": "si kong", "闻人": "wen ren",
    "太史": "tai shi", "百里": "bai li", "钟离": "zhong li", "宗政": "zong zheng",
    "濮阳": "pu yang", "淳于": "chun yu", "单于": "chan yu", "公冶": "gong ye",
    "赫连": "he lian", "第五": "di wu", "拓跋": "tuo ba",
}

# Groups of look-alike characters; each folds to its first member.
LOOKALIKES: tuple[str, ...] = (
    "王玉主", "己已巳", "未末", "士土", "日曰", "人入八", "大太犬", "戊戌戍", "鸟乌",
    "历厉", "候侯", "汩汨", "衰哀", "折拆", "免兔", "徽微", "晴睛", "崇祟", "辩辨辫",
    "析折", "贝见", "今令", "天夭", "干千于", "田由甲申", "刀力", "壶壸", "冶治",
    "茶荼", "侍待", "綦綮", "祯桢", "婷亭", "琦绮", "瑜喻", "钰珏",
)

_DOTS = re.compile(r"[・•‧∙⋅·．.]")
_SPACE = re.compile(r"\s+")
_FUZZY = ((re.compile(r"^zh"), "z"), (re.compile(r"^ch"), "c"), (re.compile(r"^sh"), "s"),
          (re.compile(r"^l"), "n"), (re.compile(r"ng$"), "n"))

# Per-character caches, filled on demand.
_SIMPLE: dict[int, str] = {}
_PINYIN: dict[str, str] = {}
_SOUND_CODE: dict[str, str] = {}
_PY_TABLE: dict[int, str] = {}
_SOUND_TABLE: dict[int, str] = {}
_SHAPE: dict[int, str] = {ord(c): g[0] for g in LOOKALIKES for c in g[1:]}
_CONVERTER = None


def _converter():
    global _CONVERTER
    if _CONVERTER is None:
        import opencc
        _CONVERTER = opencc.OpenCC("t2s")
    return _CONVERTER


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or ch >= "\U00020000"


def _translate(texts: list[str], table: dict[int, str]) -> list[str]:
    """``t.translate(table)`` of each text, done in one call on the texts joined by newlines
    (cleaned names hold none); text by text when a newline is in a text or in the table."""
    joined = "\n".join(texts)
    if texts and 10 not in table and joined.count("\n") == len(texts) - 1:
        out = joined.translate(table).split("\n")
        if len(out) == len(texts):
            return out
    return [t.translate(table) for t in texts]


def _simplify(texts: list[str]) -> list[str]:
    for c in set("".join(texts)):
        if ord(c) not in _SIMPLE:
            s = _converter().convert(c) if _is_han(c) else c
            _SIMPLE[ord(c)] = VARIANTS.get(s, s)
    return _translate(texts, _SIMPLE)


def _char_pinyin(ch: str) -> str:
    if ch not in _PINYIN:
        if _is_han(ch):
            from pypinyin import Style, pinyin
            readings = pinyin(ch, style=Style.NORMAL, errors="ignore")
            _PINYIN[ch] = readings[0][0] if readings else ""
        else:
            _PINYIN[ch] = ch.lower() if ch.isalnum() else ""
    return _PINYIN[ch]


def _fold(syllable: str) -> str:
    for pat, rep in _FUZZY:
        syllable = pat.sub(rep, syllable)
    return syllable


def _sound_table() -> dict[str, str]:
    """Folded syllable → one private-use character, the same in every process: the toneless
    syllables of pypinyin's dictionary, folded, sorted and numbered from U+E000."""
    if not _SOUND_CODE:
        from pypinyin.constants import PINYIN_DICT
        from pypinyin.contrib.tone_convert import to_normal
        toned = {p for v in set(PINYIN_DICT.values()) for p in v.split(",")}
        folded = sorted({_fold(to_normal(p)) for p in toned})
        _SOUND_CODE.update({syl: chr(0xE000 + k) for k, syl in enumerate(folded)})
    return _SOUND_CODE


def _sound_of(syllable: str) -> str:
    """One private-use character standing for a (folded) syllable; a syllable outside the
    dictionary (a Latin letter, a digit) stands for itself."""
    return _sound_table().get(_fold(syllable), syllable)


def _split(names: list[str]) -> tuple[list[str], list[str]]:
    """(surnames, given names): a compound surname when the name has a third character, else
    the first character when the name has a second one and no ``·``, else no surname."""
    cut = [2 if len(n) >= 3 and n[:2] in COMPOUND_SURNAMES else
           1 if len(n) >= 2 and "·" not in n else 0 for n in names]
    return ([n[:k] for n, k in zip(names, cut, strict=True)],
            [n[k:] for n, k in zip(names, cut, strict=True)])


def _surname_pinyin(surname: str) -> str:
    if surname in COMPOUND_SURNAMES:
        return COMPOUND_SURNAMES[surname]
    if surname in SURNAME_READINGS:
        return SURNAME_READINGS[surname]
    return _char_pinyin(surname) if surname else ""


def _clean(values: np.ndarray) -> list[str]:
    """NFKC, no whitespace, one middle dot ``·``: each value (as text) on its own."""
    texts = pd.Series(values, dtype=object).astype(str).tolist()
    out = map(unicodedata.normalize, repeat("NFKC"), texts)
    out = map(_SPACE.sub, repeat(""), out)
    return list(map(_DOTS.sub, repeat("·"), out))


def clean_names(names: pd.Series) -> pd.Series:
    """NFKC, no whitespace, one middle dot ``·``; NA stays NA (no simplification)."""
    s = names.astype("object").where(names.notna(), None)
    codes, uniq = pd.factorize(s)
    values = np.empty(len(uniq) + 1, dtype=object)  # code -1 (NA) takes the last slot
    values[:-1] = _clean(uniq)
    return pd.Series(values[codes], index=names.index, dtype=object)


def to_simplified(names: pd.Series) -> pd.Series:
    """The cleaned, simplified form of each name (see ``name`` in the module docstring)."""
    return normalize_names(names)["name"]


def _char_tables(texts: list[str]) -> None:
    """Fill the per-character pinyin and sound translation tables for ``texts``."""
    for c in set("".join(texts)):
        if ord(c) not in _PY_TABLE:
            p = _char_pinyin(c)
            _PY_TABLE[ord(c)] = " " + p if p else ""
            _SOUND_TABLE[ord(c)] = _sound_of(p) if p else ""


FORMS: tuple[str, ...] = ("name", "surname", "given", "pinyin", "pinyin_surname", "sound",
                          "shape")


def _forms(cleaned: list[str], pinyin: bool = True) -> dict[str, list[str]]:
    """The columns of :func:`normalize_names` for distinct cleaned names (``pinyin`` only
    when asked)."""
    simple = _simplify(cleaned)
    surnames, given = _split(simple)
    _char_tables(given)
    sur_py = {sur: _surname_pinyin(sur) for sur in set(surnames)}
    sur_sound = {sur: "".join(_sound_of(x) for x in py.split()) for sur, py in sur_py.items()}
    py_sur = [sur_py[sur] for sur in surnames]
    out = {"name": simple, "surname": surnames, "given": given}
    if pinyin:
        out["pinyin"] = [(sp + gp).strip() for sp, gp in zip(
            py_sur, _translate(given, _PY_TABLE), strict=True)]
    out["pinyin_surname"] = py_sur
    out["sound"] = [sur_sound[sur] + g for sur, g in zip(
        surnames, _translate(given, _SOUND_TABLE), strict=True)]
    out["shape"] = _translate(simple, _SHAPE)
    return out


def distinct_forms(values: np.ndarray, pinyin: bool = True
                   ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The forms of an object array of names (None / NA for missing), each computed once:
    ``(codes, forms)`` where ``forms`` holds ``raw`` (the cleaned name, ``""`` for missing)
    and the columns of :func:`normalize_names` (``pinyin`` only when asked), one object
    array each over the distinct values, and ``codes`` gives each value's position."""
    codes, uniq = pd.factorize(values, use_na_sentinel=False)
    missing = pd.isna(uniq)
    cleaned = np.empty(len(uniq), dtype=object)
    cleaned[~missing] = _clean(uniq[~missing])
    cleaned[missing] = ""
    inner, distinct = pd.factorize(cleaned)  # names equal once cleaned: their forms once
    forms = {"raw": cleaned}
    for col, v in _forms(distinct.tolist(), pinyin).items():
        arr = np.empty(len(v), dtype=object)
        arr[:] = v
        forms[col] = arr[inner]
    return codes, forms


def normalize_names(names: pd.Series) -> pd.DataFrame:
    """Normal form, surname, given name, pinyin and homophone / look-alike codes of each name.

    See the module docstring for the columns. A missing name gives empty strings.
    """
    s = names.astype("object").where(names.notna(), None)
    codes, forms = distinct_forms(s.to_numpy(dtype=object))
    return pd.DataFrame({c: forms[c][codes] for c in FORMS}, index=names.index, dtype=object,
                        copy=False)


def _distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return process.cpdist(a.tolist(), b.tolist(), scorer=Levenshtein.distance,
                          workers=-1).astype(np.float64)


def _lengths(texts: np.ndarray) -> np.ndarray:
    try:
        return np.fromiter(map(len, texts.tolist()), dtype=np.int64, count=len(texts))
    except TypeError:  # not all text
        return pd.Series(texts).str.len().to_numpy()


def name_similarity_normalized(na: pd.DataFrame, nb: pd.DataFrame) -> np.ndarray:
    """Similarity of aligned rows of two :func:`normalize_names` frames, in [0, 1].

    Edits explained by a homophone (same ``sound``) or a look-alike (same ``shape``) cost 0.3;
    other edits cost 1; the sum is divided by the longer name. Two empty names score 0.
    """
    a_name, b_name = na["name"].to_numpy(dtype=object), nb["name"].to_numpy(dtype=object)
    if len(a_name) == 0:
        return np.zeros(0)
    longest = np.maximum(_lengths(a_name), _lengths(b_name)).astype(np.float64)
    return _similarity(_distances(a_name, b_name), longest, na, nb)


def _similarity(d_char: np.ndarray, longest: np.ndarray, na, nb, names=None) -> np.ndarray:
    """:func:`name_similarity_normalized` given the plain edit distances and the longer
    lengths of the names; ``na``, ``nb`` need ``sound`` and ``shape``. With ``names`` (the
    two name arrays), pairs whose shapes are the names themselves (no look-alike character)
    take the plain distance for the shape distance without computing it again."""
    d_sound = _distances(np.asarray(na["sound"], dtype=object),
                         np.asarray(nb["sound"], dtype=object))
    ha, hb = np.asarray(na["shape"], dtype=object), np.asarray(nb["shape"], dtype=object)
    if names is None:
        d_shape = _distances(ha, hb)
    else:
        d_shape = d_char.copy()
        folded = np.flatnonzero((ha != names[0]) | (hb != names[1]))
        d_shape[folded] = _distances(ha[folded], hb[folded]) if len(folded) else 0.0
    d_soft = np.minimum(np.minimum(d_sound, d_shape), d_char)
    cost = d_soft + 0.3 * (d_char - d_soft)
    sim = np.where(longest > 0, 1.0 - cost / np.maximum(longest, 1.0), 0.0)
    return np.clip(sim, 0.0, 1.0)


def name_similarity(a, b) -> np.ndarray:
    """Element-wise similarity in [0, 1] of two aligned sequences of raw names.

    ``name_similarity(["張偉"], ["张伟"])`` is 1.0; 张伟 / 张玮 (homophone) 0.85; 张伟 / 张军 0.5.
    """
    sa, sb = pd.Series(list(a), dtype=object), pd.Series(list(b), dtype=object)
    if len(sa) != len(sb):
        raise ValueError("name_similarity needs two sequences of the same length")
    both = normalize_names(pd.concat([sa, sb], ignore_index=True))
    return name_similarity_normalized(both.iloc[: len(sa)], both.iloc[len(sa):])
