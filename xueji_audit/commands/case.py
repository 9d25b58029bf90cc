"""``xueji-audit case open|list|show|assign|status|close|decide|log --store PATH``: the case store."""
from __future__ import annotations

import argparse
import os

import pandas as pd

from ..cases.store import ACTION_SHOW_ID, KINDS, TRANSITIONS, CaseStore
from ..dates import parse_date
from ..errors import XuejiError
from ..privacy import mask_frame
from ..profile import DEFAULT_PROFILE, load_profile

HELP = "案件管理：立案、查看、交办、变更状态、办结，以及敏感信息访问日志"
ACTIONS = {"open": "立案（可附督查问题清单中的问题与疑似重复对）", "list": "列出案件",
           "show": "查看一个案件的问题、疑似重复对与变更历史", "assign": "交办给承办单位",
           "status": "变更案件状态", "close": "办结案件",
           "decide": "认定一对疑似重复学生是否为同一人（以后的督查保持此认定）",
           "log": "查看敏感信息访问日志"}
LIST_HEADERS = {"id": "案件号", "kind": "类型", "title": "标题", "status": "状态", "unit": "承办单位",
                "opened_by": "立案人", "opened_on": "立案日期", "deadline_workdays": "期限（工作日）",
                "deadline": "办理期限", "note": "处理意见",
                "findings": "问题数", "open_findings": "未整改", "overdue": "逾期"}


def _common(p: argparse.ArgumentParser, writes: bool, date_required: bool = True) -> None:
    p.add_argument("--store", required=True, metavar="文件",
                   help="案件库文件（SQLite，不存在时自动创建），如 工作区/案件库.sqlite")
    if writes:
        p.add_argument("--as-of", required=date_required, metavar="日期",
                       help="本次操作的日期，如 2026-11-20（记入变更历史或访问日志）")
        p.add_argument("--user", default=os.environ.get("USER", ""), metavar="姓名",
                       help="操作人（默认取环境变量 USER）")


def register(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="操作", required=True,
                                help="、".join(f"{k}：{v}" for k, v in ACTIONS.items()))
    p = {name: sub.add_parser(name, help=text, description=text) for name, text in ACTIONS.items()}
    for name in ("open", "assign", "status", "close", "decide"):
        _common(p[name], writes=True)
    _common(p["show"], writes=True, date_required=False)
    for name in ("list", "log"):
        _common(p[name], writes=False)
    o = p["open"]
    o.add_argument("--kind", required=True, choices=list(KINDS), metavar="类型",
                   help="案件类型：" + "、".join(f"{k}（{v}）" for k, v in KINDS.items()))
    o.add_argument("--title", required=True, metavar="标题", help="案件标题")
    o.add_argument("--findings", metavar="文件", help="督查输出的问题清单 findings.csv")
    o.add_argument("--rule", action="append", default=[], metavar="规则编号",
                   help="只取这些规则的问题（可重复，如 --rule ID-01）")
    o.add_argument("--xjh", action="append", default=[], metavar="学籍号",
                   help="只取这些学生的问题（可重复）")
    o.add_argument("--pair", action="append", default=[], nargs=2, metavar=("学籍号A", "学籍号B"),
                   help="案件涉及的疑似重复学生对（可重复）")
    o.add_argument("--unit", default="", metavar="单位", help="承办单位（可稍后交办）")
    o.add_argument("--deadline", type=int, default=10, metavar="工作日",
                   help="办理期限：立案后的工作日数（默认 10）")
    o.add_argument("--profile", default=DEFAULT_PROFILE, metavar="名称或文件",
                   help=f"规则配置，其工作日历用于计算期限（默认 {DEFAULT_PROFILE}）")
    o.add_argument("--note", default="", metavar="文字", help="处理意见或备注")
    p["list"].add_argument("--status", choices=list(TRANSITIONS), metavar="状态",
                           help="只列出此状态的案件：" + "、".join(TRANSITIONS))
    p["list"].add_argument("--as-of", metavar="日期", help="标出在此日期已逾期的未结案件")
    p["show"].add_argument("case_id", type=int, metavar="案件号", help="案件号")
    p["show"].add_argument("--show-id", action="store_true",
                           help="显示完整身份证件号与学籍号（此次查看记入访问日志）")
    p["assign"].add_argument("case_id", type=int, metavar="案件号", help="案件号")
    p["assign"].add_argument("--unit", required=True, metavar="单位", help="承办单位")
    p["status"].add_argument("case_id", type=int, metavar="案件号", help="案件号")
    p["status"].add_argument("--to", required=True, choices=list(TRANSITIONS), metavar="状态",
                             help="新状态：" + "、".join(TRANSITIONS))
    for name in ("status", "close"):
        p[name].add_argument("--note", default="", metavar="文字", help="说明（记入变更历史）")
    p["close"].add_argument("case_id", type=int, metavar="案件号", help="案件号")
    d = p["decide"]
    d.add_argument("xjh_a", metavar="学籍号A", help="疑似重复对中的一个学籍号")
    d.add_argument("xjh_b", metavar="学籍号B", help="疑似重复对中的另一个学籍号")
    same = d.add_mutually_exclusive_group(required=True)
    same.add_argument("--accept", action="store_true", help="接受：是同一学生（重复学籍）")
    same.add_argument("--reject", action="store_true", help="排除：不是同一学生")
    d.add_argument("--note", default="", metavar="文字", help="认定依据或说明")
    p["log"].add_argument("--case", type=int, metavar="案件号", help="只列出此案件的访问记录")


def _selected(args: argparse.Namespace) -> pd.DataFrame | None:
    if not args.findings:
        if args.rule or args.xjh:
            raise XuejiError("--rule / --xjh 需要与 --findings 一起使用。")
        return None
    f = pd.read_csv(args.findings, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    if "rule_id" not in f.columns:
        raise XuejiError(f"文件 {args.findings} 不是督查输出的问题清单（缺少 rule_id 列）。")
    f = f.replace("", pd.NA)
    keep = pd.Series(True, index=f.index)
    if args.rule:
        keep &= f["rule_id"].isin(args.rule)
    if args.xjh:
        keep &= f["学籍号"].isin(args.xjh)
    if not keep.any():
        raise XuejiError("问题清单中没有符合 --rule / --xjh 条件的问题。")
    return f.loc[keep]


def _print(frame: pd.DataFrame) -> None:
    with pd.option_context("display.max_rows", None, "display.max_columns", None,
                           "display.width", 200):
        print(frame.to_string(index=False) if len(frame) else "（无）")


def _show(store: CaseStore, args: argparse.Namespace, user: str, on) -> None:
    case = store.get_case(args.case_id)
    if args.show_id:
        if on is None:
            raise XuejiError("使用 --show-id 时须用 --as-of 给出查看日期（记入访问日志）。")
        store.log_access(ACTION_SHOW_ID, args.case_id, user, on, "case show --show-id")
    print(f"案件 {case['id']}【{case['kind_name']}】{case['title']}")
    print(f"状态：{case['status']}  承办单位：{case['unit'] or '（未交办）'}  立案：{case['opened_by']} "
          f"{case['opened_on']}  期限：{case['deadline_workdays']} 个工作日（{case['deadline']}）")
    if case["note"]:
        print(f"处理意见：{case['note']}")
    for title, key in (("问题", "findings"), ("疑似重复学生对", "pairs"), ("变更历史", "history")):
        print(f"\n{title}：")
        shown = case[key].drop(columns=["basis"], errors="ignore")
        _print(shown if args.show_id else mask_frame(shown))


def run(args: argparse.Namespace) -> int:
    store = CaseStore(args.store)
    try:
        user = getattr(args, "user", "")
        on = parse_date(args.as_of) if getattr(args, "as_of", None) else None
        if args.action == "open":
            calendar = load_profile(args.profile).calendar()
            case_id = store.open_case(args.kind, args.title, _selected(args),
                                      [tuple(p) for p in args.pair], unit=args.unit,
                                      deadline_workdays=args.deadline, user=user, on=on,
                                      calendar=calendar, note=args.note)
            case = store.get_case(case_id)
            print(f"已立案：案件 {case_id}（{case['kind_name']}），问题 {len(case['findings'])} 条，"
                  f"办理期限 {case['deadline']}。")
        elif args.action == "list":
            _print(store.list_cases(args.status, on).rename(columns=LIST_HEADERS))
        elif args.action == "show":
            _show(store, args, user, on)
        elif args.action == "assign":
            store.assign(args.case_id, args.unit, user=user, on=on)
            print(f"案件 {args.case_id} 已交办给 {args.unit}。")
        elif args.action in ("status", "close"):
            to = args.to if args.action == "status" else "办结"
            store.set_status(args.case_id, to, user=user, on=on, note=args.note)
            print(f"案件 {args.case_id} 状态已改为「{to}」。")
        elif args.action == "decide":
            store.decide_pair(args.xjh_a, args.xjh_b, args.accept, user=user, on=on,
                              note=args.note)
            print(f"已认定 {args.xjh_a} 与 {args.xjh_b}："
                  + ("是同一学生。" if args.accept else "不是同一学生。"))
        else:
            log = store.access_log(args.case)
            _print(log.rename(columns={"id": "序号", "at": "时间", "user": "操作人",
                                       "action": "操作", "case_id": "案件号", "detail": "说明"}))
    finally:
        store.close_store()
    return 0
