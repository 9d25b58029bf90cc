"""``xueji-audit audit DATA_DIR --out OUT --as-of DATE [--profile P]``: run the rules."""
from __future__ import annotations

import argparse
import os
from pathlib import Path

import pandas as pd

from ..audit import run_audit, summary_text, write_audit
from ..cases.store import CaseStore
from ..dates import parse_date
from ..ingest import load_folder
from ..ingest import summary_text as load_summary
from ..matching.decisions import normalize_decisions, read_decisions
from ..output import check_out_dir
from ..profile import DEFAULT_PROFILE, load_profile

HELP = "读取数据目录并按规则配置督查，输出问题清单（findings.csv/.xlsx）与规则运行情况"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data_dir", metavar="数据目录", help="学籍系统导出文件所在的文件夹")
    parser.add_argument("--out", required=True, metavar="输出目录",
                        help="结果写入的文件夹（不能在数据目录之内）")
    parser.add_argument("--as-of", required=True, metavar="日期",
                        help="督查日期，如 2026-11-20（所有期限都按此日期计算）")
    parser.add_argument("--profile", default=DEFAULT_PROFILE, metavar="名称或文件",
                        help=f"规则配置：内置名称或自己的 .toml 文件（默认 {DEFAULT_PROFILE}）")
    parser.add_argument("--decisions", metavar="文件",
                        help="督查人员对疑似重复学生的认定（CSV：学籍号_a, 学籍号_b, 决定 …），"
                             "已认定的结果在本次督查中保持")
    parser.add_argument("--store", metavar="文件",
                        help="案件库文件：采用其中对疑似重复学生的认定，并把本次结果关联到案件"
                             "（未结案件中不再出现的问题标为“已整改”，操作人取环境变量 USER）")


def run(args: argparse.Namespace) -> int:
    as_of = parse_date(args.as_of)
    profile = load_profile(args.profile)
    data_dir, out = Path(args.data_dir), Path(args.out)
    check_out_dir(out, data_dir)
    loaded = load_folder(data_dir)
    print(load_summary(loaded))
    print()
    decisions = read_decisions(args.decisions) if args.decisions else None
    store = CaseStore(args.store) if args.store else None
    if store is not None:  # the store's decisions win over the file's for the same pair
        parts = [d for d in (decisions, store.decisions_frame()) if d is not None]
        decisions = normalize_decisions(pd.concat(parts, ignore_index=True), args.store)
    result = run_audit(loaded, as_of, profile, decisions=decisions)
    written = write_audit(result, loaded, out, data_dir)
    print(summary_text(result))
    if store is not None:
        run = store.attach_findings(result.findings, as_of, os.environ.get("USER") or "督查程序")
        store.close_store()
        print(f"已关联案件库 {args.store}：{run['resolved']} 条问题标为已整改，"
              f"{run['reopened']} 条问题再次出现。")
    print(f"结果已写入 {out}：" + "、".join(p.name for p in written))
    return 0
