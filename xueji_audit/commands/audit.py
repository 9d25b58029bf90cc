"""``xueji-audit audit DATA_DIR --workspace WS [--out OUT] [--as-of DATE] [--profile P]``:
load the data folder, audit it into the workspace and write the clerk's files."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..audit import summary_text
from ..ingest import summary_text as load_summary
from ..output import check_out_dir
from ..workspace import build_workspace
from ..workspace.exports import write_exports
from .common import action_date, add_as_of, add_profile, add_user, add_workspace, user_of

HELP = "读取数据目录并督查：结果存入工作区（供报告、页面、案件与文书使用），并写出问题清单等文件"
RESULTS_DIR = "督查结果"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data_dir", metavar="数据目录", help="学籍系统导出文件所在的文件夹")
    add_workspace(parser)
    parser.add_argument("--out", metavar="输出目录",
                        help=f"问题清单等文件写入的文件夹（默认 工作区/{RESULTS_DIR}；不能在数据目录之内）")
    add_as_of(parser, "督查基准日（所有期限都按此日期计算）")
    add_profile(parser)
    parser.add_argument("--decisions", metavar="文件",
                        help="督查人员对疑似重复学生的认定（CSV：学籍号_a, 学籍号_b, 决定 …）：导入工作区的"
                             "案件库（案件库中已有认定的学生对以案件库为准），本次及以后的督查都沿用")
    add_user(parser)


def _progress(fraction: float, message: str) -> None:
    print(f"  [{fraction:4.0%}] {message}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    as_of = action_date(args, "督查基准日")
    data_dir, ws_dir = Path(args.data_dir), Path(args.workspace)
    out = Path(args.out) if args.out else ws_dir / RESULTS_DIR
    check_out_dir(out, data_dir)
    check_out_dir(ws_dir, data_dir)
    ws = build_workspace(data_dir, ws_dir, as_of=as_of, user=user_of(args), profile=args.profile,
                         decisions=args.decisions, progress=_progress)
    if ws.banner:
        print(ws.banner)
    print(load_summary(ws.loaded))
    print()
    print(summary_text(ws.result))
    attached = ws.manifest.audit.get("attached", {})
    if attached:
        print(f"案件库：{attached['resolved']} 条问题标为已整改，{attached['reopened']} 条问题再次出现。")
    decided = ws.manifest.decisions
    if decided.get("count"):
        print(f"沿用人工认定 {decided['count']} 条（本次从认定文件导入 {decided['imported']} 条）。")
    written = write_exports(ws, out)
    print(f"工作区：{ws_dir}")
    print(f"结果已写入 {out}：" + "、".join(p.name for p in written))
    return 0
