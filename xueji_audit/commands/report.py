"""``xueji-audit report NAME|all --data DIR --out DIR [-p key=value …]``: run report notebooks
with papermill and write each as an HTML report without code."""
from __future__ import annotations

import argparse
import datetime as dt
import os
from pathlib import Path

from ..dates import DEFAULT_AS_OF, parse_date
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
                             "-p reveal_pii=True（显示完整证件号，须同时给出 --store）")
    parser.add_argument("--store", default="", metavar="文件",
                        help="案件库文件：显示完整证件号的报告记入其访问日志（谁、何日、哪份报告）")
    parser.add_argument("--user", default=os.environ.get("USER", ""), metavar="姓名",
                        help="操作人，记入访问日志（默认取环境变量 USER）")


def parse_params(items: list[str]) -> dict[str, str]:
    """``["key=value", …]`` → dict; a missing ``=`` raises XuejiError in Chinese."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise XuejiError(f"参数「{item}」应写成 名称=值，例如 -p as_of=2026-11-20。")
        out[key.strip()] = value
    return out


def _reveal_logger(store: str, user: str, as_of: str):
    """A callback writing 显示完整身份证件号 for a report into the case store's access log."""
    from ..cases.store import ACTION_SHOW_ID, CaseStore

    on = dt.datetime.combine(parse_date(as_of or DEFAULT_AS_OF), dt.time())

    def log(files) -> None:
        with CaseStore(store) as s:
            s.log_access(ACTION_SHOW_ID, None, user, on, f"报告（显示完整证件号）：{files.html.name}")
    return log


def run(args: argparse.Namespace) -> int:
    from ..reports.run import run_reports

    if args.data:
        if not Path(args.data).is_dir():
            raise XuejiError(f"数据目录「{args.data}」不存在，请检查路径。")
        check_out_dir(Path(args.out), Path(args.data))
    params = parse_params(args.param)
    log = _reveal_logger(args.store, args.user, params.get("as_of", "")) if args.store else None
    print(f"正在生成报告，写入 {args.out}：")
    done = run_reports(list(args.names), args.data, args.out, params, log_reveal=log)
    print(f"已生成 {len(done)} 份报告。")
    return 0
