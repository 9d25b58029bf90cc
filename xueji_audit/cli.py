"""The ``xueji-audit`` console command.

Each subcommand lives in ``xueji_audit/commands/<name>.py`` with ``HELP`` (one Chinese line),
``register(parser)`` adding its arguments and ``run(args) -> int``. Errors of the kit
(:class:`~xueji_audit.errors.XuejiError`) are printed as one message, without a traceback.

This is the edge of the kit: the only place that reads today's date (once, passed to the
command as ``args.today``; see :func:`xueji_audit.commands.common.action_date`), and it makes
every file the command creates private to the user (umask 077: the files hold children's data).
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import sys

from .errors import XuejiError

COMMANDS: tuple[str, ...] = ("demo_data", "load", "rules", "audit", "chain", "bulletin", "match", "eval_matching", "case", "forms", "report", "serve", "users")


def command_modules():
    return {name.replace("_", "-"): importlib.import_module(f".commands.{name}", __package__)
            for name in COMMANDS}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xueji-audit",
        description="中小学生学籍专项督查与案件工具：读取学籍系统导出数据，查找问题学籍。",
    )
    sub = parser.add_subparsers(dest="command", metavar="命令", required=True)
    for name, mod in command_modules().items():
        p = sub.add_parser(name, help=mod.HELP, description=mod.HELP)
        mod.register(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.today = dt.date.today()
    umask = os.umask(0o077)
    try:
        return int(args._run(args) or 0)
    except XuejiError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    finally:
        os.umask(umask)


if __name__ == "__main__":
    sys.exit(main())
