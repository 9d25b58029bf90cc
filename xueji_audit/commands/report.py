"""``xueji-audit report NAME|all --data DIR --out DIR [-p key=value …]``: run report notebooks
with papermill and write each as an HTML report without code."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import XuejiError
from ..output import check_out_dir

HELP = "生成督查报告（HTML）：问题学籍总览、疑似重复学生、转学链与人籍一致、月度通报，或 all 全部"


def register(parser: argparse.ArgumentParser) -> None:
    from ..reports.run import REPORTS

    parser.add_argument("names", nargs="+", metavar="报告",
                        help="报告名称：" + "、".join(f"{k[:2]}/{k}（{v}）" for k, v in REPORTS.items())
                             + "，或 all 表示全部")
    parser.add_argument("--data", default="", metavar="数据目录",
                        help="学籍系统导出文件所在的文件夹（不填则使用自动生成的示范县）")
    parser.add_argument("--out", required=True, metavar="输出目录",
                        help="报告（.html）与运行后的笔记本（.ipynb）写入的文件夹")
    parser.add_argument("-p", "--param", action="append", default=[], metavar="参数=值",
                        help="报告参数，可多次使用，如 -p as_of=2026-11-20 -p school=2164040007 "
                             "-p reveal_pii=True（显示完整证件号）")


def parse_params(items: list[str]) -> dict[str, str]:
    """``["key=value", …]`` → dict; a missing ``=`` raises XuejiError in Chinese."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise XuejiError(f"参数「{item}」应写成 名称=值，例如 -p as_of=2026-11-20。")
        out[key.strip()] = value
    return out


def run(args: argparse.Namespace) -> int:
    from ..reports.run import run_reports

    if args.data:
        if not Path(args.data).is_dir():
            raise XuejiError(f"数据目录「{args.data}」不存在，请检查路径。")
        check_out_dir(Path(args.out), Path(args.data))
    params = parse_params(args.param)
    print(f"正在生成报告，写入 {args.out}：")
    done = run_reports(list(args.names), args.data, args.out, params)
    print(f"已生成 {len(done)} 份报告。")
    return 0
