"""Masking personal numbers: known masked forms of ID numbers, 学籍号 and phone numbers, in
whole cells and inside free text, and codes that must stay readable."""
import pandas as pd

from xueji_audit.privacy import mask_frame, mask_id, mask_phone, mask_text, mask_xjh


def test_mask_id_keeps_six_and_four():
    s = pd.Series(["640426201503041234", "64042620150304123X", "640426150304123", None])
    assert mask_id(s).tolist()[:3] == ["640426********1234", "640426********123X",
                                       "640426*****4123"]
    assert pd.isna(mask_id(s).iloc[3])


def test_mask_xjh_keeps_kind_letter():
    s = pd.Series(["G640426201503041234", "L640426800000000180", "640426201503041234"])
    assert mask_xjh(s).tolist() == ["G640426********1234", "L640426********0180",
                                    "640426********1234"]


def test_mask_phone():
    s = pd.Series(["13812345678", "138-1234-5678", "0954 5012345"])
    assert mask_phone(s).tolist() == ["138****5678", "138****5678", "095****2345"]


def test_mask_text_finds_numbers_inside_sentences():
    s = pd.Series(["身份证件号 64042620150304123 位数错误，学籍号G640426201503041234，"
                   "电话13812345678；学校 2164040015，业务 2026 年",
                   "一致：640426201503041234 / 6404262015A3041234"])
    assert mask_text(s).tolist() == [
        "身份证件号 640426********4123 位数错误，学籍号G640426********1234，"
        "电话138****5678；学校 2164040015，业务 2026 年",
        "一致：640426********1234 / 640426********1234"]


def test_mask_frame_by_header_and_reveal():
    df = pd.DataFrame({"学籍号": ["G640426201503041234"], "身份证件号": ["640426201503041234"],
                       "联系电话": ["13812345678"], "业务编号": ["6404262026090100001"],
                       "问题说明": ["证件号 640426201503041234 重复"], "人数": [3]})
    m = mask_frame(df)
    assert m.iloc[0].tolist() == ["G640426********1234", "640426********1234", "138****5678",
                                  "6404262026090100001", "证件号 640426********1234 重复", 3]
    assert df.iloc[0, 0] == "G640426201503041234"  # the input is not changed
    assert mask_frame(df, reveal=True).equals(df)
