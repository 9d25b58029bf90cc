"""``xueji-audit load DATA_DIR [--out DIR]``: read a data folder and report what was found."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..ingest import load_folder, summary_text
from ..output import check_out_dir, write_csv
from ..profile import load_profile
from .common import add_profile

HELP = "读取数据文件夹，报告每个文件和工作表识别出的表及读取/载入/拒收行数"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data_dir", type=Path, help="数据文件夹（学籍系统导出的表格）")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="输出文件夹：写入 rejects.csv（拒收的行及原因）；不能在数据文件夹内")
    add_profile(parser)


def run(args: argparse.Namespace) -> int:
    if args.out is not None:
        check_out_dir(args.out, args.data_dir)
    result = load_folder(args.data_dir, values=load_profile(args.profile).values)
    print(summary_text(result))
    if args.out is not None:
        path = write_csv(result.rejects, Path(args.out) / "rejects.csv")
        print(f"已写出 {path}（{len(result.rejects)} 行）。")
    return 0
