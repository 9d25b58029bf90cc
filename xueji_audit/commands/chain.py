"""``xueji-audit chain 学籍号 --workspace WS [--as-of DATE] [--picture FILE.png]``: one child's
chain of completed businesses (as the workspace's audit built it), with the school and status
of each period."""
from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from ..chains import Chains
from ..errors import XuejiError
from .common import action_date, add_as_of, add_workspace, open_workspace

HELP = "显示一名学生的学籍变动链：按办结顺序列出已办结的异动业务及每段时间所在学校和学籍状态"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("xjh", metavar="学籍号", help="要查看的学生学籍号（学籍号变更前后均可）")
    add_workspace(parser)
    add_as_of(parser, "查看日期，最后一段时间截至此日")
    parser.add_argument("--picture", metavar="图片文件",
                        help="另存一张时间线图（.png），图中汉字使用 Noto Sans CJK SC 字体")


def _d(value) -> str:
    return "" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def chain_text(chains: Chains, xjh: str, names: pd.Series | None = None) -> str:
    """The child's register records and chain as Chinese lines, schools by name (``names``:
    学校标识码 → 学校名称)."""
    names = names if names is not None else pd.Series(dtype=object)

    def school(code) -> str:
        if code is None or (not isinstance(code, str) and pd.isna(code)):
            return "（未知学校）"
        name = names.get(str(code))
        return f"{name}（{code}）" if isinstance(name, str) and name else str(code)

    p = chains.persons.get(xjh)
    if p is None:
        raise XuejiError(f"学生表和异动表中都没有学籍号「{xjh}」，请检查学籍号是否输入正确。")
    recs = chains.records[(chains.records["person"] == p).to_numpy()]
    lines = ["学籍记录："]
    for r in recs.itertuples(index=False):  # the records of one child: a handful
        lines.append(f"  {r.学籍号}  {r.姓名}  {school(r.学校标识码)}  {r.学籍状态}")
    numbers = sorted(chains.persons.index[(chains.persons == p).to_numpy()])
    if len(numbers) > 1:
        lines.append("  同一人的学籍号（经身份证件号关联）：" + "、".join(numbers))
    c = chains.of(xjh)
    if len(c) == 0:
        lines.append("没有已办结（核办通过）的异动业务。")
        return "\n".join(lines)
    lines.append(f"已办结的异动业务 {len(c)} 笔：")
    first = c.iloc[0]
    lines.append(f"  起初：{school(first['school_before'])}，{first['status_before']}")
    for r in c.itertuples(index=False):
        end = _d(r.period_end) or "至今"
        route = (f"{school(r.转出学校标识码)} → {school(r.转入学校标识码)}"
                 if pd.notna(r.转入学校标识码) else "")
        lines.append(f"  {r.seq}. {_d(r.办结日期)} 办结 {r.业务类型} {r.业务编号} {route}"
                     f"（学籍号 {r.学籍号}）")
        lines.append(f"     此后 {_d(r.办结日期)} — {end}：在 {school(r.school_after)}，"
                     f"{r.status_after}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    as_of = action_date(args, "查看日期")
    with open_workspace(args) as ws:
        chains, names = ws.chains, ws.names
    print(chain_text(chains, args.xjh, names))
    if args.picture:
        from ..charts import chain_timeline_table, draw_chain_timeline

        table = chain_timeline_table(chains, args.xjh, as_of)
        fig = draw_chain_timeline(table, f"学籍号 {args.xjh} 学籍变动时间线")
        Path(args.picture).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(args.picture)
        print(f"时间线图已保存：{args.picture}")
    return 0
