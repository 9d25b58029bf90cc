"""``xueji-audit serve --workspace DIR``: the browser apps for county and school staff, with
named accounts (``xueji-audit users``), on this machine only — or, with ``--host``, on the
office network over TLS."""
from __future__ import annotations

import argparse
import datetime as dt
import socket
import sys

from ..profile import DEFAULT_PROFILE
from .common import action_date, add_as_of

HELP = "启动浏览器应用（数据导入、问题学籍、疑似重复、转学链、案件办理），用账号登录"


def register(parser: argparse.ArgumentParser) -> None:
    from ..app.serve import CULL_IDLE, DEFAULT_PORT, HOST, MAX_KERNELS

    parser.add_argument("--workspace", required=True, metavar="文件夹",
                        help="工作区：存放案件库、账号、已载入的数据、上传的文件和起草的文书")
    parser.add_argument("--data", default="", metavar="数据目录",
                        help="启动前先读取并督查此文件夹（也可以在「数据导入」页面上传或选择）")
    parser.add_argument("--user", default="", metavar="姓名",
                        help="只用于 --data：这次督查的操作人（页面上的操作记在登录的账号名下）")
    add_as_of(parser, "办理日期（页面上的操作都记为这一天；在「数据导入」页面督查时也作督查基准日）")
    parser.add_argument("--profile", default=DEFAULT_PROFILE, metavar="名称或文件",
                        help=f"规则配置（默认 {DEFAULT_PROFILE}）")
    parser.add_argument("--host", default=HOST, metavar="地址",
                        help=f"监听地址（默认 {HOST}，只有本机能访问；0.0.0.0 对局域网开放，必须用 TLS）")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="端口",
                        help=f"端口（默认 {DEFAULT_PORT}）")
    parser.add_argument("--cert", default="", metavar="证书文件",
                        help="TLS 证书（PEM）；对局域网开放而不给证书时，自动生成自签名证书并打印其指纹")
    parser.add_argument("--key", default="", metavar="私钥文件", help="TLS 证书的私钥（PEM）")
    parser.add_argument("--max-pages", type=int, default=MAX_KERNELS, metavar="个数",
                        help=f"同时打开的页面上限（每个页面约占 300 MB 内存；默认 {MAX_KERNELS}）")
    parser.add_argument("--idle-minutes", type=int, default=CULL_IDLE // 60, metavar="分钟",
                        help=f"页面闲置多久后关闭其后台（默认 {CULL_IDLE // 60} 分钟）")
    parser.add_argument("--apps", default="", metavar="文件夹",
                        help="应用笔记本所在文件夹（默认项目的 notebooks/apps）")


def _progress(fraction: float, message: str) -> None:
    print(f"  [{fraction:4.0%}] {message}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    from ..app import AppConfig, Session
    from ..app.serve import Running, is_loopback, stop_on_signals
    from ..errors import XuejiError
    from ..server.tls import fingerprint, self_signed

    as_of = action_date(args)
    workspace = args.workspace
    if args.data:
        if not args.user.strip():
            raise XuejiError("用 --data 督查时请用 --user 给出操作人。")
        print(f"读取并督查 {args.data} …", file=sys.stderr)
        config = AppConfig(workspace, args.user, as_of, args.profile)
        config.workspace.mkdir(mode=0o700, parents=True, exist_ok=True)
        Session.build(config, args.data, _progress).close()
    cert, key = args.cert, args.key
    if not is_loopback(args.host) and not cert:
        hosts = [args.host, socket.gethostname()]
        cert, key = (str(p) for p in self_signed(workspace, hosts, dt.datetime.now(dt.UTC)))
        print(f"已生成自签名证书 {cert}。", flush=True)
    if cert:
        print(f"证书 SHA-256 指纹：{fingerprint(cert)}", flush=True)
        print("请同事在浏览器首次打开时核对此指纹，一致才继续。", flush=True)
    running = Running(workspace, as_of, profile=args.profile, host=args.host, port=args.port,
                      certfile=cert, keyfile=key, apps=args.apps or None,
                      max_kernels=args.max_pages, cull_idle=args.idle_minutes * 60)
    try:
        with stop_on_signals(), running as srv:
            print(f"应用已启动（{running.started_in:.1f} 秒；办理日期：{as_of}，工作区：{workspace}；"
                  f"服务日志：{running.log}）。页面在打开时启动，约需数秒。", flush=True)
            print("请在浏览器中打开，用账号登录：", flush=True)
            print(f"  {srv.url}", flush=True)
            print("按 Ctrl+C 停止。", flush=True)
            return running.wait()
    except KeyboardInterrupt:
        print("应用已停止。", flush=True)
        return 0
