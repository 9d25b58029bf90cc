"""``xueji-audit demo-data --out DIR [--students N] [--seed S] [--noise gentle|heavy]
[--as-of DATE]``."""
from __future__ import annotations

import argparse
from pathlib import Path

from .common import action_date, add_as_of

HELP = "生成一个合成示范县（学生、异动、环节、名单、学校、信息变更及标准答案 truth/）"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, metavar="输出目录", help="示范数据写入的文件夹")
    parser.add_argument("--students", type=int, default=20000, metavar="人数",
                        help="学生人数（默认 20000，至少 600）")
    parser.add_argument("--seed", type=int, default=0, metavar="种子",
                        help="随机种子，相同种子生成完全相同的文件（默认 0）")
    parser.add_argument("--noise", choices=("gentle", "heavy"), default="gentle", metavar="噪声",
                        help="重复学籍的噪声：gentle（默认，每条一两处差异）或 heavy（每条2–5处差异，"
                             "另有双胞胎、三胞胎、相差一岁的兄弟姐妹和同名同生日的易混学生）")
    add_as_of(parser, "示范县的督查基准日（埋设的问题按此日期计算）")


def run(args: argparse.Namespace) -> int:
    from ..demo import generate, latest_demo_date

    if args.as_of:
        as_of = action_date(args)
    else:  # today, or (early in a term) the end of the previous term
        as_of = latest_demo_date(args.today)
        why = "" if as_of == args.today else "（今天距开学不足40天，取上学期末）"
        print(f"示范县督查基准日：{as_of:%Y-%m-%d}{why}；督查时请用同一日期：--as-of {as_of:%Y-%m-%d}")
    out = Path(args.out)
    county = generate(out, students=args.students, seed=args.seed, as_of=as_of, noise=args.noise)
    t, truth = county.tables, county.truth
    planted = truth["findings"][truth["findings"]["kind"] == "planted"]
    per_rule = planted["rule_id"].value_counts().sort_index()
    print(f"示范县已生成（种子 {county.seed}，督查日期 {county.as_of}）：")
    print(f"  学校 {len(t['schools'])} 所，学生 {len(t['students'])} 人，"
          f"学籍异动 {len(t['changes'])} 条（环节 {len(t['steps'])} 条），"
          f"在校名单 {len(t['rosters'])} 行，信息变更 {len(t['modifications'])} 条")
    print(f"  埋设问题 {len(planted)} 条，涉及 {len(per_rule)} 条规则：")
    print("  " + "，".join(f"{r} {n}" for r, n in per_rule.items()))
    print(f"  疑似重复学生 {truth['duplicates']['cluster_id'].nunique()} 组，"
          f"易混淆的非重复对 {len(truth['decoys'])} 对，应拒收的坏行 {len(truth['rejects'])} 行")
    print(f"  输出目录：{out}（标准答案在 {out / 'truth'}）")
    return 0
