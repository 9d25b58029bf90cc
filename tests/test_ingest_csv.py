"""CSV rows that break and folders that hold more than tables (issue 18): nothing is lost or
silently skipped, and links never lead the loader outside the data folder."""
from __future__ import annotations

import os

import openpyxl

from xueji_audit.cli import main
from xueji_audit.ingest import load_file, load_folder, report_table

HEADER = ["学籍号", "姓名", "性别", "出生日期", "身份证件号", "学校标识码", "年级", "学籍状态"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def row(k: int) -> list[str]:
    return [f"G1101052008010{k:05d}", f"{SURNAMES[k % 20]}小{k}", "男", "2008-01-01", "",
            "1101050001", "三年级", "在校"]


def name(k: int) -> str:
    return row(k)[1]


def lines(n: int = 20) -> list[str]:
    return [",".join(HEADER)] + [",".join(row(k)) for k in range(1, n + 1)]


def invariant(res, expected_rows: int):
    assert sum(r.rows_read for r in res.report) == expected_rows
    for r in res.report:
        assert r.rows_read == r.rows_loaded + r.rows_rejected


def test_stray_quote_swallowing_rows_is_reported_and_reading_goes_on(tmp_path, capsys):
    text = lines()
    text[5] = text[5].replace(name(5), '"' + name(5), 1)  # a stray quote starting one name
    (tmp_path / "学生.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    res = load_folder(tmp_path)
    invariant(res, 20)
    assert len(res.tables["students"]) == 19
    assert res.rejects["row"].tolist() == [6]
    assert res.rejects["reason"].iloc[0].startswith("引号不配对：本行的引号把其后 15 行并成了一格")
    assert res.tables["students"]["_row"].tolist() == [r for r in range(2, 22) if r != 6]
    assert "引号不配对 1 行（第 6 行），列入拒收" in report_table(res)["说明"].iloc[0]
    assert main(["load", str(tmp_path)]) == 0
    assert "合计：读取 20 行，载入 19 行，拒收 1 行" in capsys.readouterr().out


def test_stray_quote_closed_by_a_later_quote(tmp_path):
    text = lines()
    text[3] = text[3].replace(name(3), '"' + name(3), 1)
    text[9] = text[9].replace("三年级", '"三年级"', 1)
    (tmp_path / "s.csv").write_text("\n".join(text) + "\n", encoding="gbk")
    res = load_file(tmp_path / "s.csv")
    invariant(res, 20)
    assert res.rejects["row"].tolist() == [4]
    assert res.tables["students"].set_index("_row").loc[10, "年级"] == 3


def test_quoted_line_break_in_an_address_is_not_a_stray_quote(tmp_path):
    text = lines(3)
    text[2] = text[2].replace(name(2), '"张小\n2"', 1)
    (tmp_path / "s.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    res = load_file(tmp_path / "s.csv")
    assert len(res.rejects) == 0 and res.tables["students"]["姓名"].tolist()[1] == "张小2"


def test_gb18030_file_with_garbage_bytes_rejects_that_row_alone(tmp_path):
    data = [line.encode("gb18030") for line in lines()]
    data[7] = data[7].replace("小7".encode("gb18030"), b"\x81\x20\xff" + "小7".encode("gb18030"))
    (tmp_path / "s.csv").write_bytes(b"\r\n".join(data) + b"\r\n")
    res = load_file(tmp_path / "s.csv")
    invariant(res, 20)
    assert res.rejects["row"].tolist() == [8]
    assert "含无法识别的字节" in res.rejects["reason"].iloc[0]
    names = res.tables["students"]["姓名"].tolist()
    assert len(names) == 19 and names[0] == "李小1" and names[-1] == "王小20"
    assert res.report[0].encoding == "gb18030"


def test_utf8_file_with_garbage_bytes_stays_utf8(tmp_path):
    data = [line.encode("utf-8") for line in lines(40)]
    data[30] += b"\xff\xfe"
    (tmp_path / "s.csv").write_bytes(b"\n".join(data) + b"\n")
    res = load_file(tmp_path / "s.csv")
    invariant(res, 40)
    assert res.rejects["row"].tolist() == [31]
    assert res.tables["students"]["姓名"].iloc[0] == "李小1"


def test_every_file_is_read_or_named_with_its_reason(tmp_path):
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    (data / "学生.csv").write_text("\n".join(lines(3)) + "\n", encoding="utf-8")
    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    wb.active.append(row(9))
    wb.save(data / "sub" / "补充.xlsx")
    (data / "学生.et").write_bytes(b"\xd0\xcf\x11\xe0 wps")
    (data / "学生.ods").write_bytes(b"PK\x03\x04 ods")
    (data / "..\\..\\x.csv").write_text("\n".join(lines(2)) + "\n", encoding="utf-8")
    (data / "说明.txt").write_text("导出说明", encoding="utf-8")
    (data / "~$学生.xlsx").write_bytes(b"lock")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd.csv").write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    os.symlink(outside / "passwd.csv", data / "passwd.csv")
    os.symlink(outside, data / "外部文件夹")
    os.symlink(data / "学生.csv", data / "sub" / "链接.csv")  # inside the folder: read
    res = load_folder(data)
    table = report_table(res)
    notes = dict(zip(table["文件"], table["说明"], strict=True))
    assert notes["学生.et"].startswith("WPS 表格（.et）无法直接读取")
    assert notes["学生.ods"].startswith("OpenDocument 表格（.ods）无法直接读取")
    assert notes["..\\..\\x.csv"].startswith("文件名像一个路径")
    assert notes["说明.txt"].startswith("不是表格文件（.txt）")
    assert notes["~$学生.xlsx"] == "Office 临时锁定文件，未读取"
    assert notes["passwd.csv"].startswith("链接指向数据文件夹之外，未跟随")
    assert notes["外部文件夹"].startswith("链接指向数据文件夹之外")
    read = set(res.tables["students"]["_file"])
    assert read == {"学生.csv", "sub/补充.xlsx", "sub/链接.csv"}
    assert len(res.tables["students"]) == 7
    assert not any("root" in str(v) for v in res.rejects["content"])


def test_named_files_appear_in_the_printed_summary(tmp_path, capsys):
    (tmp_path / "学生.csv").write_text("\n".join(lines(2)) + "\n", encoding="utf-8")
    (tmp_path / "旧名单.et").write_bytes(b"wps")
    assert main(["load", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "旧名单.et：WPS 表格（.et）无法直接读取" in out
