"""``xueji-audit serve [--data DIR] --workspace DIR``: the Voila apps for county staff."""
from __future__ import annotations

import argparse
import os
import sys

from ..profile import DEFAULT_PROFILE
from .common import action_date, add_as_of, user_of

HELP = "启动浏览器应用（数据导入、问题学籍、疑似重复、转学链、案件办理），仅本机访问，需令牌"


def register(parser: argparse.ArgumentParser) -> None:
    from ..app.serve import DEFAULT_PORT

    parser.add_argument("--workspace", required=True, metavar="文件夹",
                        help="工作区：存放案件库、已载入的数据、上传的文件和起草的文书")
    parser.add_argument("--data", default="", metavar="数据目录",
                        help="启动前先读取并督查此文件夹（也可以在「数据导入」页面上传或选择）")
    parser.add_argument("--user", default=os.environ.get("USER", ""), metavar="姓名",
                        help="操作人，记入案件变更历史与访问日志（默认取环境变量 USER）")
    add_as_of(parser, "办理日期（页面上的操作都记为这一天；在「数据导入」页面督查时也作督查基准日）")
    parser.add_argument("--profile", default=DEFAULT_PROFILE, metavar="名称或文件",
                        help=f"规则配置（默认 {DEFAULT_PROFILE}）")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="端口",
                        help=f"端口（默认 {DEFAULT_PORT}；只监听 127.0.0.1）")
    parser.add_argument("--apps", default="", metavar="文件夹",
                        help="应用笔记本所在文件夹（默认项目的 notebooks/apps）")


def _progress(fraction: float, message: str) -> None:
    print(f"  [{fraction:4.0%}] {message}", file=sys.stderr, flush=True)


def _heating(ready: int, wanted: int) -> None:
    print(f"  准备应用页面：{ready}/{wanted}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    from ..app import AppConfig, Session
    from ..app.serve import Running

    config = AppConfig(args.workspace, user_of(args), action_date(args), args.profile)
    config.workspace.mkdir(mode=0o700, parents=True, exist_ok=True)
    if args.data:
        print(f"读取并督查 {args.data} …", file=sys.stderr)
        Session.build(config, args.data, _progress).close()
    log = config.workspace / "voila.log"
    print("启动应用并预热页面（首次约半分钟）…", file=sys.stderr, flush=True)
    running = Running(config, port=args.port, apps=args.apps or None, log=log,
                      progress=_heating)
    try:
        with running as srv:
            print(f"应用已就绪（操作人：{config.user}，办理日期：{config.as_of}，"
                  f"工作区：{config.workspace}；服务日志：{log}）。")
            print("请在浏览器中打开（链接含访问令牌，请勿转发）：")
            print(f"  {srv.page_url('loader')}", flush=True)
            print("按 Ctrl+C 停止。", flush=True)
            return running.wait()
    except KeyboardInterrupt:
        print("应用已停止。")
        return 0
