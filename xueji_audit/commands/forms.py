"""``xueji-audit forms CASE_ID --kind 核查单 --workspace WS [--out DIR] [--zip] [--as-of DATE]``
(or ``--all-open`` instead of CASE_ID): draft an official form as .docx and .pdf — one per child
for 核查单, 督办单 and 复学通知书, with a 汇总表 and one merged PDF — the students' details from
the workspace's register, the issuers from its organisation settings (``case org``)."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..cases.store import CLOSED
from ..errors import XuejiError
from ..forms import CASE_KINDS
from ..reports.cases import draft_logged
from .common import action_date, add_as_of, add_user, add_workspace, open_workspace, user_of

HELP = "起草案件文书：问题报告单、核查单、督办单、人籍不一致排查表、限期复学通知书（Word 与 PDF）"
CASE_KIND_OF: dict[str, str] = {"报告单": "报告", "核查单": "核查", "督办单": "督办",
                                "排查表": "排查", "复学通知书": "复学通知"}
"""The case kind (cases.store.KINDS) whose open cases ``--all-open`` drafts a form kind for."""


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case_id", nargs="?", type=int, metavar="案件号",
                        help="要起草文书的案件号（与 --all-open 二选一）")
    parser.add_argument("--kind", required=True, choices=list(CASE_KINDS), metavar="文书",
                        help="文书种类：" + "、".join(CASE_KINDS))
    add_workspace(parser)
    parser.add_argument("--out", metavar="输出目录",
                        help=".docx 与 .pdf 写入的文件夹（默认 工作区/forms/案件号）")
    parser.add_argument("--all-open", action="store_true",
                        help="为该类文书对应类型的全部未办结案件各起草一份")
    parser.add_argument("--zip", action="store_true",
                        help="另把本案全部文书打包为一个 .zip（便于发送）")
    add_as_of(parser, "文书日期（交办/督办时间，年龄按此日计算）")
    add_user(parser)


def _case_ids(store, args: argparse.Namespace) -> list[int]:
    if args.all_open == (args.case_id is not None):
        raise XuejiError("请给出一个案件号，或使用 --all-open（两者只能选一）。")
    if args.case_id is not None:
        return [args.case_id]
    cases = store.list_cases()
    chosen = cases[~cases["status"].isin(CLOSED) & (cases["kind"] == CASE_KIND_OF[args.kind])]
    return [int(i) for i in chosen["id"]]


def _progress(fraction: float, message: str) -> None:
    print(f"  [{fraction:4.0%}] {message}", flush=True)


def run(args: argparse.Namespace) -> int:
    user, on = user_of(args), action_date(args)
    with open_workspace(args) as ws:
        ids = _case_ids(ws.store, args)
        if not ids:
            print(f"没有未办结的「{CASE_KIND_OF[args.kind]}」类案件，未起草{args.kind}。")
            return 0
        calendar = ws.profile.calendar()
        for case_id in ids:
            out = Path(args.out) if args.out else ws.forms_dir / f"案件{case_id}"
            paths = draft_logged(ws.store, case_id, args.kind, on=on, calendar=calendar,
                                 out_dir=out, user=user, students=ws.students,
                                 schools=ws.table("schools"), rosters=ws.table("rosters"),
                                 bundle=args.zip, progress=_progress)
            print(f"案件 {case_id}：已写入 {out}：{'、'.join(p.name for p in paths)}")
    return 0
