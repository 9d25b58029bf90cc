"""``xueji-audit users add|list|disable|enable|passwd --workspace WS``: the accounts of the
server (:mod:`xueji_audit.server.users`). Passwords are typed (twice) or read as one line from
standard input, never given on the command line, where the process list would show them."""
from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys

from ..errors import XuejiError
from .common import add_workspace

HELP = "管理应用服务的账号：新建、列出、停用、启用、重设密码"
ACTIONS = {"add": "新建账号（密码从终端输入两次，或从标准输入读一行）", "list": "列出账号",
           "disable": "停用账号（已登录的页面随即失效）", "enable": "重新启用账号",
           "passwd": "重设密码（同时解除锁定）"}


def register(parser: argparse.ArgumentParser) -> None:
    from ..server.users import ROLES

    sub = parser.add_subparsers(dest="action", metavar="操作", required=True,
                                help="、".join(f"{k}：{v}" for k, v in ACTIONS.items()))
    p = {name: sub.add_parser(name, help=text, description=text) for name, text in ACTIONS.items()}
    for name, q in p.items():
        add_workspace(q)
        if name != "list":
            q.add_argument("name", metavar="账号", help="账号名（一般用姓名）")
    p["add"].add_argument("--role", required=True, choices=list(ROLES), metavar="角色",
                          help="角色：" + "；".join(f"{k}（{v}）" for k, v in ROLES.items()))
    p["add"].add_argument("--school", default="", metavar="学校",
                          help="学校账号所属学校的学校标识码（与学籍数据中的一致）")


def _password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("密码（至少 8 个字符）：")
        if first != getpass.getpass("再输入一次："):
            raise XuejiError("两次输入的密码不一致。")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def run(args: argparse.Namespace) -> int:
    from ..server.users import UserStore

    store = UserStore(args.workspace)
    if args.action == "list":
        accounts = store.list()
        if not accounts:
            print("（还没有账号）")
        now = dt.datetime.now().timestamp()  # the edge reads the clock: is an account locked
        for a in accounts:
            state = "已停用" if a.disabled else ("已锁定" if a.locked(now) else "可用")
            school = f"\t{a.school}" if a.school else ""
            print(f"{a.name}\t{a.role}\t{state}{school}")
        return 0
    if args.action == "add":
        account = store.add(args.name, args.role, _password(), args.school)
        print(f"已新建账号「{account.name}」（{account.role}"
              + (f"，{account.school}" if account.school else "") + "）。")
    elif args.action == "passwd":
        store.set_password(args.name, _password())
        print(f"已重设「{args.name}」的密码。")
    else:
        store.disable(args.name, args.action == "disable")
        print(f"已{'停用' if args.action == 'disable' else '启用'}账号「{args.name}」。")
    return 0
