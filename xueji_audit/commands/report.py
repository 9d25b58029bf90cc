"""``xueji-audit report NAME|all --workspace WS --out DIR [-p key=value …]``: run report
notebooks on the workspace's audit with papermill and write each as an HTML report."""
from __future__ import annotations

import argparse

from ..errors import XuejiError
from .common import action_date, add_as_of, add_user, add_workspace, open_workspace

HELP = "生成督查报告（HTML）：问题学籍总览、疑似重复学生、转学链与人籍一致、月度通报、案件与表单，或 all 全部"


def register(parser: argparse.ArgumentParser) -> None:
    from ..reports.run import REPORTS

    parser.add_argument("names", nargs="+", metavar="报告",
                        help="报告名称：" + "、".join(f"{k[:2]}/{k}（{v}）" for k, v in REPORTS.items())
                             + "，或 all 表示全部")
    add_workspace(parser)
    parser.add_argument("--out", required=True, metavar="输出目录",
                        help="报告（.html）与运行后的笔记本（.ipynb）写入的文件夹")
    parser.add_argument("-p", "--param", action="append", default=[], metavar="参数=值",
                        help="报告参数，可多次使用，如 -p school=2164040007 -p month=2026-11 "
                             "-p reveal_pii=True（显示完整证件号，记入访问日志）")
    add_as_of(parser, "办理日期（记入访问日志，报告 05 按此日计算剩余工作日）")
    add_user(parser)


def parse_params(items: list[str]) -> dict[str, str]:
    """``["key=value", …]`` → dict; a missing ``=`` raises XuejiError in Chinese."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise XuejiError(f"参数「{item}」应写成 名称=值，例如 -p school=2164040007。")
        out[key.strip()] = value
    return out


def run(args: argparse.Namespace) -> int:
    from ..reports.run import run_reports

    on = action_date(args)
    ws = open_workspace(args)  # refused here, with its message, when missing or stale
    ws.close()
    params = {"as_of": on.isoformat(), "user": str(args.user or "").strip()}
    params |= parse_params(args.param)
    print(f"正在生成报告（工作区 {args.workspace}，督查基准日 {ws.as_of}），写入 {args.out}：")
    if ws.banner:
        print(ws.banner)
    done = run_reports(list(args.names), args.workspace, args.out, params)
    print(f"已生成 {len(done)} 份报告。")
    return 0
