"""``xueji-audit bulletin --data DIR --month YYYY-MM --out DIR [--profile P]``: the 月度通报."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..bulletin import bulletin_tables, bulletin_text, write_bulletin
from ..dates import parse_date
from ..errors import InvalidDateError, XuejiError
from ..forms import draft_bulletin
from ..ingest import load_folder
from ..output import check_out_dir
from ..profile import DEFAULT_PROFILE, load_profile
from ..timing import month_bounds

HELP = "生成月度通报：按责任单位列出当月超过10个工作日（不计寒暑假）未办理的异动审核环节"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", required=True, metavar="数据目录",
                        help="学籍系统导出文件所在的文件夹（需含异动环节表）")
    parser.add_argument("--month", required=True, metavar="年-月",
                        help="通报的月份，如 2026-10（按该月最后一天统计）")
    parser.add_argument("--out", required=True, metavar="输出目录",
                        help="通报 .xlsx 与图表写入的文件夹（不能在数据目录之内）")
    parser.add_argument("--profile", default=DEFAULT_PROFILE, metavar="名称或文件",
                        help=f"规则配置，决定寒暑假与办理时限（默认 {DEFAULT_PROFILE}）")
    parser.add_argument("--region", default="", metavar="地区",
                        help="通报标题中的地区名称，如 某某县（可省略）")
    parser.add_argument("--as-of", metavar="日期",
                        help="通报落款日期（默认为该月最后一天）")


def run(args: argparse.Namespace) -> int:
    try:
        _, month_end = month_bounds(args.month)
    except ValueError:
        raise InvalidDateError(f"无法识别月份「{args.month}」，请写成 YYYY-MM，例如 2026-10。"
                               ) from None
    on = parse_date(args.as_of) if args.as_of else month_end.date()
    data_dir, out = Path(args.data), Path(args.out)
    check_out_dir(out, data_dir)
    profile = load_profile(args.profile)
    loaded = load_folder(data_dir)
    steps = loaded.tables.get("steps")
    if steps is None:
        raise XuejiError(f"数据目录 {data_dir} 中没有「异动环节」表（表头需含 业务编号、环节序号、"
                         "处理单位、到达日期 等列），无法生成月度通报。请从学籍系统导出后重试。")
    limit = profile.params_for("TR-01").get("workdays", 10)
    b = bulletin_tables(steps, args.month.strip(), profile.calendar(vacations=True), limit,
                        loaded.tables.get("changes"), loaded.tables.get("schools"))
    path = write_bulletin(b, out, args.region)
    print(bulletin_text(b))
    written = [path.name] + [p.name for p in draft_bulletin(b, on=on, out_dir=out,
                                                              region=args.region)]
    if len(b.summary):
        from ..charts import draw_overdue_by_unit, overdue_by_unit_table

        fig = draw_overdue_by_unit(overdue_by_unit_table(b.summary),
                                   f"{args.month} 各责任单位超期环节数")
        png = out / f"月度通报_{b.month}.png"
        fig.savefig(png)
        written.append(png.name)
    print(f"已写入 {out}：{'、'.join(written)}")
    return 0
