"""Options the commands share, and the one place the command line reads today's date.

``xueji-audit`` reads the clock once, in :func:`xueji_audit.cli.main`, and passes it as
``args.today``; a command whose ``--as-of`` was not given uses it through :func:`action_date`
and prints it, so a run always says which date it used.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os

from ..dates import parse_date
from ..errors import XuejiError
from ..profile import DEFAULT_PROFILE


def add_workspace(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument("--workspace", required=required, metavar="工作区",
                        help="工作区文件夹：保存载入的数据、督查结果与案件库"
                             "（由 xueji-audit audit 数据目录 --workspace 工作区 建立）")


def add_as_of(parser: argparse.ArgumentParser, what: str = "办理日期") -> None:
    parser.add_argument("--as-of", metavar="日期",
                        help=f"{what}，如 2026-12-04（不填则取今天，并在开头打印）")


def add_user(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", default=os.environ.get("USER", ""), metavar="姓名",
                        help="操作人，记入变更历史与访问日志（默认取环境变量 USER）")


def add_profile(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", default=DEFAULT_PROFILE, metavar="名称或文件",
                        help=f"规则配置：内置名称或自己的 .toml 文件（默认 {DEFAULT_PROFILE}）")


def action_date(args: argparse.Namespace, label: str = "办理日期") -> dt.date:
    """``--as-of`` when given, else today's date read by the CLI (printed with ``label``)."""
    if getattr(args, "as_of", None):
        return parse_date(args.as_of)
    today = getattr(args, "today", None)
    if today is None:
        raise XuejiError("未给出日期：请用 --as-of 指定，例如 --as-of 2026-12-04。")
    print(f"{label}：{today:%Y-%m-%d}（今天；可用 --as-of 指定其他日期）", flush=True)
    return today


def user_of(args: argparse.Namespace) -> str:
    """The ``--user`` given (or the login name); a Chinese error when there is none."""
    user = str(getattr(args, "user", "") or "").strip()
    if not user:
        raise XuejiError("未指定操作人：请用 --user 给出姓名（记入变更历史与访问日志）。")
    return user


def open_workspace(args: argparse.Namespace, check_inputs: bool = True):
    """The workspace named by ``--workspace``, opened (refused when missing or, unless
    ``check_inputs`` is False, stale)."""
    from ..workspace import Workspace

    return Workspace.open(args.workspace, check_inputs=check_inputs)
