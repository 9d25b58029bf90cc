"""Chinese name normalisation, pinyin with surname readings, similarity (xueji_audit.names)."""
import numpy as np
import pandas as pd
import pytest

from xueji_audit.names import clean_names, name_similarity, normalize_names


def norm(*names):
    return normalize_names(pd.Series(list(names), dtype=object))


def test_traditional_and_variants_become_simplified():
    out = norm("張偉", "锺书", "衞青", "歐陽娜娜", " 王　芳 ")
    assert out["name"].tolist() == ["张伟", "钟书", "卫青", "欧阳娜娜", "王芳"]


@pytest.mark.parametrize("name, pinyin", [
    ("曾国藩", "zeng guo fan"), ("单田芳", "shan tian fang"), ("解缙", "xie jin"),
    ("朴树", "piao shu"), ("区家明", "ou jia ming"), ("仇英", "qiu ying"),
    ("欧阳娜娜", "ou yang na na"), ("长孙无忌", "zhang sun wu ji"), ("张伟", "zhang wei"),
])
def test_pinyin_reads_surnames_as_surnames(name, pinyin):
    assert norm(name)["pinyin"].iloc[0] == pinyin


def test_surname_split_with_compound_surnames():
    out = norm("欧阳娜娜", "司马光", "张伟", "买买提·艾力")
    assert out["surname"].tolist() == ["欧阳", "司马", "张", ""]
    assert out["given"].tolist() == ["娜娜", "光", "伟", "买买提·艾力"]


def test_homophones_share_the_sound_code_and_others_do_not():
    out = norm("张伟", "章玮", "張偉", "张军", "刘强", "牛强")
    s = out["sound"].tolist()
    assert s[0] == s[1] == s[2]
    assert s[0] != s[3]
    assert s[4] == s[5]  # l / n are folded (a common dialect confusion)


def test_lookalikes_share_the_shape_code():
    out = norm("王芳", "玉芳", "李芳")
    assert out["shape"].iloc[0] == out["shape"].iloc[1] != out["shape"].iloc[2]


def test_middle_dot_variants_and_missing_values():
    out = normalize_names(pd.Series(["买买提・艾力", None, "买买提.艾力"], index=[5, 7, 9]))
    assert out.index.tolist() == [5, 7, 9]
    assert out["name"].tolist() == ["买买提·艾力", "", "买买提·艾力"]


def test_name_similarity_values():
    # 简繁 equal 1; a homophone edit costs 0.3 of 2 characters; a plain edit costs 1 of 2.
    sim = name_similarity(["張偉", "张伟", "张伟", "张伟", "王芳", "张伟"],
                          ["张伟", "张玮", "张军", "", "玉芳", "张伟明"])
    np.testing.assert_allclose(sim, [1.0, 0.85, 0.5, 0.0, 0.85, 2 / 3])


def test_name_similarity_needs_equal_lengths():
    with pytest.raises(ValueError):
        name_similarity(["张伟"], [])


def test_clean_names_of_an_all_empty_column_is_all_missing():
    # the loader supplies absent optional columns (e.g. 曾用名) as all-NA string columns
    s = pd.Series([None, None], dtype="string")
    assert clean_names(s).isna().all() and len(clean_names(s)) == 2
    mixed = pd.Series(["張 偉", None, "阿依古丽．买买提"], dtype="string")
    assert clean_names(mixed).tolist() == ["張偉", None, "阿依古丽·买买提"]
