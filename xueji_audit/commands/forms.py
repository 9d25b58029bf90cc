"""``xueji-audit forms CASE_ID --kind 核查单 --out DIR --store PATH [--as-of DATE] [--user NAME]``
(or ``--all-open`` instead of CASE_ID): draft an official form as .docx and .pdf."""
from __future__ import annotations

import argparse
import datetime as dt
import os

from ..cases.store import ACTION_DRAFT, CLOSED, CaseStore
from ..dates import DEFAULT_AS_OF, parse_date
from ..errors import XuejiError
from ..forms import CASE_KINDS, draft
from ..forms.data import with_register
from ..ingest import load_folder
from ..profile import DEFAULT_PROFILE, load_profile

HELP = "起草案件文书：问题报告单、核查单、督办单、人籍不一致排查表、限期复学通知书（Word 与 PDF）"
CASE_KIND_OF: dict[str, str] = {"报告单": "报告", "核查单": "核查", "督办单": "督办",
                                "排查表": "排查", "复学通知书": "复学通知"}
"""The case kind (cases.store.KINDS) whose open cases ``--all-open`` drafts a form kind for."""


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case_id", nargs="?", type=int, metavar="案件号",
                        help="要起草文书的案件号（与 --all-open 二选一）")
    parser.add_argument("--kind", required=True, choices=list(CASE_KINDS), metavar="文书",
                        help="文书种类：" + "、".join(CASE_KINDS))
    parser.add_argument("--out", required=True, metavar="输出目录", help=".docx 与 .pdf 写入的文件夹")
    parser.add_argument("--store", required=True, metavar="文件", help="案件库文件（SQLite）")
    parser.add_argument("--all-open", action="store_true",
                        help="为该类文书对应类型的全部未办结案件各起草一份")
    parser.add_argument("--as-of", default=DEFAULT_AS_OF.isoformat(), metavar="日期",
                        help="文书日期（交办/督办时间，年龄按此日计算；默认 %(default)s）")
    parser.add_argument("--user", default=os.environ.get("USER", ""), metavar="姓名",
                        help="起草人（记入访问日志，默认取环境变量 USER）")
    parser.add_argument("--data", metavar="数据目录",
                        help="学籍系统导出文件所在的文件夹：用学生表补全性别、出生日期（年龄）、民族、身份证号等")
    parser.add_argument("--profile", default=DEFAULT_PROFILE, metavar="名称或文件",
                        help=f"规则配置，其工作日历用于计算完成时限（默认 {DEFAULT_PROFILE}）")


def _case_ids(store: CaseStore, args: argparse.Namespace) -> list[int]:
    if args.all_open == (args.case_id is not None):
        raise XuejiError("请给出一个案件号，或使用 --all-open（两者只能选一）。")
    if args.case_id is not None:
        return [args.case_id]
    cases = store.list_cases()
    chosen = cases[~cases["status"].isin(CLOSED) & (cases["kind"] == CASE_KIND_OF[args.kind])]
    return [int(i) for i in chosen["id"]]


def run(args: argparse.Namespace) -> int:
    if not args.user.strip():
        raise XuejiError("请用 --user 给出起草人姓名：起草文书须记入访问日志。")
    on = parse_date(args.as_of)
    calendar = load_profile(args.profile).calendar()
    register = load_folder(args.data).tables["students"] if args.data else None
    with CaseStore(args.store) as store:
        ids = _case_ids(store, args)
        if not ids:
            print(f"没有未办结的「{CASE_KIND_OF[args.kind]}」类案件，未起草{args.kind}。")
            return 0
        for case_id in ids:
            case = with_register(store.get_case(case_id), register)
            paths = draft(args.kind, case, on=on, calendar=calendar, out_dir=args.out,
                          user=args.user)
            names = "、".join(p.name for p in paths)
            store.log_access(ACTION_DRAFT, case_id, args.user,
                             dt.datetime.combine(on, dt.time()), f"{args.kind}：{names}")
            print(f"案件 {case_id}：已写入 {args.out}：{names}")
    return 0
