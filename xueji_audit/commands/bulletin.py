"""``xueji-audit bulletin --workspace WS [--month YYYY-MM] [--out DIR]``: the 月度通报 of the
workspace's 异动环节 table (the profile's 寒暑假 and time limit)."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..bulletin import bulletin_text, write_bulletin
from ..dates import parse_date
from ..forms import draft_bulletin
from ..reports.movement import monthly_bulletin, previous_month
from ..timing import month_bounds
from .common import add_workspace, open_workspace

HELP = "生成月度通报：按责任单位列出当月超过10个工作日（不计寒暑假）未办理的异动审核环节"


def register(parser: argparse.ArgumentParser) -> None:
    add_workspace(parser)
    parser.add_argument("--month", metavar="年-月",
                        help="通报的月份，如 2026-11（按该月最后一天统计；默认督查基准日的上一个月）")
    parser.add_argument("--out", metavar="输出目录",
                        help="通报 .xlsx、.docx、.pdf 与图表写入的文件夹（默认 工作区/月度通报）")
    parser.add_argument("--region", default="", metavar="地区",
                        help="通报标题中的地区名称，如 某某县（可省略）")
    parser.add_argument("--as-of", metavar="日期",
                        help="通报落款日期（默认为该月最后一天）")


def run(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        month = (args.month or previous_month(ws.as_of)).strip()
        b = monthly_bulletin(ws.loaded, month, ws.profile)
        out = Path(args.out) if args.out else ws.path / "月度通报"
    on = parse_date(args.as_of) if args.as_of else month_bounds(b.month)[1].date()
    path = write_bulletin(b, out, args.region)
    print(bulletin_text(b))
    written = [path.name] + [p.name for p in draft_bulletin(b, on=on, out_dir=out,
                                                              region=args.region)]
    if len(b.summary):
        from ..charts import draw_overdue_by_unit, overdue_by_unit_table

        fig = draw_overdue_by_unit(overdue_by_unit_table(b.summary),
                                   f"{b.month} 各责任单位超期环节数")
        png = out / f"月度通报_{b.month}.png"
        fig.savefig(png)
        written.append(png.name)
    print(f"已写入 {out}：{'、'.join(written)}")
    return 0
