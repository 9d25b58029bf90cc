"""Value normalisation per column kind, and the row-level rejects (DATA.md "Bad input")."""
from __future__ import annotations

import datetime as dt

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pytest

from xueji_audit.ingest import load_file
from xueji_audit.ingest.normalize_dates import parse_dates

HEADER = ["学籍号", "姓名", "性别", "出生日期", "身份证件类型", "身份证件号", "学校标识码", "年级",
          "学籍状态", "入学年月", "建籍日期"]


def row(**kw) -> list:
    base = {"学籍号": "G110105200801011234", "姓名": "张三", "性别": "男", "出生日期": "2008-01-01",
            "身份证件类型": "居民身份证", "身份证件号": "110105200801011234",
            "学校标识码": "1101050001", "年级": "三年级", "学籍状态": "在校", "入学年月": "201909",
            "建籍日期": "2019-09-15"}
    base.update(kw)
    return [base[h] for h in HEADER]


def load_csv(tmp_path, rows, name="s.csv"):
    import csv

    path = tmp_path / name
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *rows])
    return load_file(path)


def load_xlsx(tmp_path, rows, name="s.xlsx"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    wb.save(tmp_path / name)
    return load_file(tmp_path / name)


def test_identifiers_fullwidth_spaces_linebreaks_lowercase_x_apostrophe(tmp_path):
    res = load_csv(tmp_path, [
        row(学籍号="ｇ１１０１０５２００８０１０１１２３ｘ", 身份证件号="１１０１０５２００８０１０１１２３ｘ"),
        row(学籍号=" G110105200801011235\n", 身份证件号="110105 2008\t0101 1235"),
        row(学籍号="'G110105200801011236", 身份证件号="'11010520080101123x"),
        row(学校标识码="１１０１０５０００１ "),
    ])
    df = res.tables["students"]
    assert df["学籍号"].tolist() == ["G11010520080101123X", "G110105200801011235",
                                   "G110105200801011236", "G110105200801011234"]
    assert df["身份证件号"].tolist() == ["11010520080101123X", "110105200801011235",
                                    "11010520080101123X", "110105200801011234"]
    assert df["学校标识码"].tolist()[-1] == "1101050001"
    assert isinstance(df["学籍号"].dtype, pd.StringDtype)


def test_text_trimmed_line_breaks_removed_fullwidth_halved(tmp_path):
    res = load_csv(tmp_path, [row(姓名=" 李\n四 "), row(姓名="阿依·木\r\n拉提")])
    assert res.tables["students"]["姓名"].tolist() == ["李四", "阿依·木拉提"]


@pytest.mark.parametrize("text, expected", [
    ("20080102", "2008-01-02"), ("2008-01-02", "2008-01-02"), ("2008/1/2", "2008-01-02"),
    ("2008.1.2", "2008-01-02"), ("2008年1月2日", "2008-01-02"), ("2008-01-02 13:45", "2008-01-02"),
    ("2008/1/2 13:45:10", "2008-01-02"), ("39449", "2008-01-02"), ("２００８年１月２日", "2008-01-02"),
])
def test_every_date_format(tmp_path, text, expected):
    df = load_csv(tmp_path, [row(出生日期=text)]).tables["students"]
    assert df.loc[0, "出生日期"] == pd.Timestamp(expected)
    assert df["出生日期"].dtype == "datetime64[ns]"


def test_datetime_and_month_kinds():
    text = pa.array(["2026-03-01 08:30", "2026/3/1 8:30:15", "20260301", None, "46082.5"])
    values, bad = parse_dates(text, None, "datetime")
    assert list(values[:3]) == [np.datetime64("2026-03-01T08:30"),
                                np.datetime64("2026-03-01T08:30:15"), np.datetime64("2026-03-01")]
    assert np.isnat(values[3]) and not bad.any()
    # Excel serial 46082.5 = 2026-03-01 12:00 (1899-12-30 epoch)
    assert values[4] == np.datetime64("2026-03-01T12:00")
    months, bad = parse_dates(pa.array(["201909", "2019-9", "2019年9月", "2019-09-15", "201913"]),
                              None, "month")
    assert list(months[:4]) == [np.datetime64("2019-09-01")] * 4
    assert bad.tolist() == [False, False, False, False, True]


def test_excel_date_cells_and_serial_numbers_in_xlsx(tmp_path):
    res = load_xlsx(tmp_path, [
        row(出生日期=dt.datetime(2008, 1, 2, 10, 30), 入学年月=dt.date(2019, 9, 1)),
        row(出生日期=39449, 入学年月=201909, 建籍日期=43723),
    ])
    df = res.tables["students"]
    assert df["出生日期"].tolist() == [pd.Timestamp("2008-01-02")] * 2
    assert df["入学年月"].tolist() == [pd.Timestamp("2019-09-01")] * 2
    assert df.loc[1, "建籍日期"] == pd.Timestamp("2019-09-15")


def test_coded_fields_by_code_and_by_name(tmp_path):
    cases = [("1", "1", "一年级", "在读"), ("2", "6", "初一", "休学"), ("男", "A", "七年级", "转出"),
             ("女", "护照", "高三", "毕业"), ("1", "Z", "12", "死亡"), ("2", "9", "3年级", "在校"),
             ("1", "居民身份证", "初三", "其他离校")]
    res = load_csv(tmp_path, [row(性别=s, 身份证件类型=t, 年级=g, 学籍状态=st) for s, t, g, st in cases])
    df = res.tables["students"]
    assert df["性别"].tolist() == ["男", "女", "男", "女", "男", "女", "男"]
    assert df["身份证件类型"].tolist() == ["居民身份证", "香港特区护照/身份证明", "护照", "护照",
                                       "其他", "境外永久居住证", "居民身份证"]
    assert df["年级"].tolist() == [1, 7, 7, 12, 12, 3, 9]
    assert str(df["年级"].dtype) == "Int64"
    assert df["学籍状态"].tolist() == ["在校", "休学", "转出", "毕业", "死亡", "在校", "其他离校"]


def test_bad_date_rejected_but_unknown_codes_only_reported(tmp_path):
    res = load_csv(tmp_path, [row(), row(性别="3", 出生日期="2008-02-30", 年级="十三年级", 学籍状态="在籍"),
                              row(性别="3", 年级="十三年级", 学籍状态="某状态")])
    df = res.tables["students"]
    assert len(df) == 2 and df["_row"].tolist() == [2, 4]
    assert df["原值_性别"].fillna("").tolist() == ["", "3"] and df["性别"].isna().tolist() == [False, True]
    assert df["原值_学籍状态"].fillna("").tolist() == ["", "某状态"]
    assert df["学籍状态"].fillna("").tolist() == ["在校", ""] and df["年级"].isna().tolist() == [False, True]
    rej = res.rejects.iloc[0]
    assert (rej["file"], rej["sheet"], rej["row"], rej["table"]) == ("s.csv", "", 3, "学生")
    assert rej["reason"] == "出生日期「2008-02-30」不是可识别的日期"
    assert rej["content"].startswith("G110105200801011234 | 张三 | 3 | 2008-02-30")


def test_required_value_empty_rejected_but_empty_id_number_loaded(tmp_path):
    res = load_csv(tmp_path, [row(学籍号=""), row(姓名="  "), row(身份证件号="", 学籍号="J1")])
    assert res.tables["students"]["学籍号"].tolist() == ["J1"]
    assert res.tables["students"]["身份证件号"].isna().all()
    assert res.rejects["reason"].tolist() == ["必填项「学籍号」为空", "必填项「姓名」为空"]
    assert res.rejects["row"].tolist() == [2, 3]


@pytest.mark.parametrize("text", ["1.10105E+17", "1.10105200801011E+17", "110105200801011000.0"])
def test_id_mangled_to_number_in_text_is_rejected(tmp_path, text):
    res = load_csv(tmp_path, [row(身份证件号=text), row(学籍号="G2")])
    assert res.tables["students"]["学籍号"].tolist() == ["G2"]
    reason = res.rejects.loc[0, "reason"]
    assert reason == (f"身份证件号「{text}」已被 Excel 转成数字，后几位已丢失，无法恢复；"
                      "请在导出或编辑时把该列设为文本后重新导出")


def test_numeric_id_cells_in_xlsx(tmp_path):
    # an 18-digit number stored as a numeric cell ends in 000 and has lost digits;
    # a 15-digit numeric cell (legacy number) is exact and kept as text
    res = load_xlsx(tmp_path, [row(身份证件号=110105200801011000),
                               row(学籍号="G2", 身份证件号=110105080101123),
                               row(学籍号="G3", 身份证件号="110105200801011000")])
    df = res.tables["students"]
    assert df["学籍号"].tolist() == ["G2", "G3"]
    assert df["身份证件号"].tolist() == ["110105080101123", "110105200801011000"]
    rej = res.rejects.iloc[0]
    assert rej["row"] == 2 and "已被 Excel 转成数字，后几位已丢失" in rej["reason"]


def test_int_column_and_bad_int(tmp_path):
    import csv

    path = tmp_path / "steps.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["业务编号", "环节序号", "环节名称", "处理单位", "到达日期", "处理日期"],
                                  ["B1", "1", "转入校审核", "甲校", "2026-09-01 08:00", ""],
                                  ["B1", "第二", "转出校审核", "乙校", "2026-09-02 08:00", ""]])
    res = load_file(path)
    df = res.tables["steps"]
    assert df["环节序号"].tolist() == [1] and str(df["环节序号"].dtype) == "Int64"
    assert df.loc[0, "到达日期"] == pd.Timestamp("2026-09-01 08:00")
    assert df["处理日期"].isna().all()
    assert res.rejects.loc[0, "reason"] == "环节序号「第二」不是整数"
