"""``xueji-audit match DATA_DIR --out DIR [--decisions FILE] [--engine local|dask]``
(or ``xueji-audit match TABLE --spec SPEC.json --out DIR`` for any table):
find students registered twice and write 疑似重复.csv / 疑似重复分组.csv (a matching run on its
own, outside any workspace; the audit's DU-04 is ``xueji-audit audit``)."""
from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from ..ingest import load_folder
from ..ingest import summary_text as load_summary
from ..matching import find_duplicates
from ..matching.decisions import read_decisions
from ..output import check_out_dir, write_csv
from ..workspace.exports import clusters_table, pairs_table

HELP = "查找疑似重复学籍（繁简、同音形近、身份证号笔误、日月颠倒等），输出疑似重复对与重复组"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data_dir", metavar="数据目录",
                        help="学籍系统导出文件所在的文件夹（用 --spec 时为一个表格文件 .csv/.xlsx）")
    parser.add_argument("--spec", metavar="规格文件",
                        help="任意表格查重：JSON 规格文件，只写记录编号列（key）和比对字段及其类型"
                             "（fields: column, kind）；分块键由程序按数据自动选择并打印")
    parser.add_argument("--out", required=True, metavar="输出目录",
                        help="结果写入的文件夹（不能在数据目录之内）")
    parser.add_argument("--decisions", metavar="决定文件",
                        help="核查人员的认定（CSV：学籍号_a, 学籍号_b, 决定=接受/排除），再次运行时沿用")
    parser.add_argument("--engine", choices=("local", "dask"), default="local",
                        help="计算方式：local 本机（默认）；dask 分布式集群（全省千万级数据）")
    parser.add_argument("--scheduler", metavar="地址",
                        help="dask 调度器地址，如 tcp://10.0.0.5:8786（不填则在本机启动集群）")


def run(args: argparse.Namespace) -> int:
    data_dir, out = Path(args.data_dir), Path(args.out)
    if args.spec:
        return _run_spec(args, data_dir, out)
    check_out_dir(out, data_dir)
    loaded = load_folder(data_dir, progress=True)
    print(load_summary(loaded))
    print()
    decisions = read_decisions(args.decisions) if args.decisions else None
    result = find_duplicates(loaded.tables["students"], decisions=decisions, engine=args.engine,
                             progress=True, scheduler=args.scheduler)
    write_csv(pairs_table(result.pairs), out / "疑似重复.csv")
    write_csv(clusters_table(result.clusters), out / "疑似重复分组.csv")
    st = result.stats
    bands = result.pairs["band"].value_counts()
    print(f"学生记录 {st['records']} 条，比较候选对 {st['candidate_pairs']} 对"
          f"（仅占全部两两组合的 {1 - st['reduction_ratio']:.4%}）。")
    print(f"疑似重复组 {st['clusters']} 个，涉及 {st['clustered_records']} 条记录；"
          f"确定 {bands.get('确定', 0)} 对、疑似 {bands.get('疑似', 0)} 对、"
          f"待复核 {bands.get('待复核', 0)} 对。")
    if decisions is not None and len(decisions):
        print(f"已沿用 {len(decisions)} 条人工认定。")
    print(f"结果已写入 {out}：疑似重复.csv、疑似重复分组.csv")
    return 0


def _run_spec(args: argparse.Namespace, table_path: Path, out: Path) -> int:
    """Any table with a spec file naming only its fields and kinds: the blocking keys are
    proposed from the data and printed with their estimated pairs."""
    from ..matching import match
    from ..matching.compare import level_label
    from ..matching.propose import describe
    from ..matching.specfile import read_spec, read_table

    check_out_dir(out, table_path)
    spec = read_spec(args.spec)
    table = read_table(table_path, spec)
    result = match(table, spec, progress=True)
    chosen = result.stats.get("proposed_blocks", {})
    print(describe([tuple(k.split(" + ")) for k in chosen],
                   {tuple(k.split(" + ")): v for k, v in chosen.items()}))
    p = result.pairs
    pairs = pd.DataFrame({"记录_a": p["key_a"], "记录_b": p["key_b"], "匹配概率": p["score"],
                          "等级": p["band"]})
    for f in spec.fields:
        pairs[f.label or f.column] = level_label(f, p[f.column].to_numpy()) if len(p) else []
    clusters = result.clusters.rename(columns={"cluster_id": "分组号", "key": "记录", "band": "等级"})
    write_csv(pairs, out / "匹配对.csv")
    write_csv(clusters, out / "匹配分组.csv")
    st = result.stats
    print(f"记录 {st['records']} 条，比较候选对 {st['candidate_pairs']} 对；"
          f"匹配分组 {st['clusters']} 个，涉及 {st['clustered_records']} 条记录。")
    print(f"结果已写入 {out}：匹配对.csv、匹配分组.csv")
    return 0
