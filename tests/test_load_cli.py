"""The ``xueji-audit load`` subcommand, run through the real console entry point."""
from __future__ import annotations

import csv

import pytest

from xueji_audit.cli import main

HEADER = ["学籍号", "姓名", "性别", "出生日期", "身份证件号", "学校标识码", "年级", "学籍状态"]
GOOD = ["G110105200801011234", "张三", "男", "2008-01-01", "110105200801011234", "1101050001",
        "三年级", "在校"]


@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    with open(folder / "学生.csv", "w", encoding="gbk", newline="") as fh:
        csv.writer(fh).writerows([HEADER, GOOD, ["G2", "", "男", "2008-01-01", "1.10105E+17",
                                                  "1101050001", "三年级", "在校"], ["=1+1", "李四"]])
    return folder


def test_load_prints_summary_and_writes_rejects(data_dir, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["load", str(data_dir), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "学生.csv" in text and "学生" in text and "csv/gbk" in text
    assert "合计：读取 3 行，载入 1 行，拒收 2 行" in text
    rows = list(csv.DictReader(open(out / "rejects.csv", encoding="utf-8-sig")))
    assert [r["row"] for r in rows] == ["3", "4"]
    assert "必填项「姓名」为空" in rows[0]["reason"] and "后几位已丢失" in rows[0]["reason"]
    assert rows[1]["content"].startswith("'=1+1")  # formula injection escaped
    assert not (data_dir / "rejects.csv").exists()


def test_out_inside_data_folder_is_refused(data_dir, capsys):
    assert main(["load", str(data_dir), "--out", str(data_dir / "结果")]) == 2
    err = capsys.readouterr().err
    assert "数据文件夹" in err and "--out" in err
    assert not (data_dir / "结果").exists()


def test_unreadable_file_one_line_exit_2(data_dir, capsys):
    (data_dir / "坏文件.xlsx").write_bytes(b"PK\x03\x04 broken")
    assert main(["load", str(data_dir)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "坏文件.xlsx" in lines[0] and lines[0].startswith("错误：")
    assert "Traceback" not in captured.err + captured.out


def test_help(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["load", "--help"])
    assert exc.value.code == 0
    assert "读取数据文件夹" in capsys.readouterr().out
