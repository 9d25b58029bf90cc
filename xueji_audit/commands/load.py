"""``xueji-audit load DATA_DIR [--out DIR]``: read a data folder and report what was found."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import XuejiError
from ..load import load_folder, summary_text
from ..output import write_csv

HELP = "读取数据文件夹，报告每个文件和工作表识别出的表及读取/载入/拒收行数"


class OutputDirError(XuejiError):
    """The output folder would write into the data folder."""


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data_dir", type=Path, help="数据文件夹（学籍系统导出的表格）")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="输出文件夹：写入 rejects.csv（拒收的行及原因）；不能在数据文件夹内")


def check_out_dir(data_dir: Path, out: Path) -> None:
    """Refuse an output folder equal to or inside the data folder."""
    data, target = data_dir.resolve(), out.resolve()
    if target == data or data in target.parents:
        raise OutputDirError(
            f"输出文件夹「{out}」在数据文件夹「{data_dir}」之内。为避免改动原始数据，"
            "请用 --out 指定数据文件夹以外的文件夹。")


def run(args: argparse.Namespace) -> int:
    if args.out is not None:
        check_out_dir(args.data_dir, args.out)
    result = load_folder(args.data_dir)
    print(summary_text(result))
    if args.out is not None:
        path = write_csv(result.rejects, Path(args.out) / "rejects.csv")
        print(f"已写出 {path}（{len(result.rejects)} 行）。")
    return 0
