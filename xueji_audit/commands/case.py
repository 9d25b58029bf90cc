"""``xueji-audit case open|list|show|assign|status|close|decide|log --workspace WS``: the case
store of a workspace. ``case open`` takes its findings from the workspace's audit (``--rule``,
``--xjh``, ``--school``) or from a 问题清单.csv written by ``audit`` (``--findings``)."""
from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from ..cases.store import KINDS, TRANSITIONS, CaseStore
from ..errors import XuejiError
from ..privacy import log_reveal, mask_frame
from ..reports.cases import ACCESS_HEADERS
from ..workspace.core import STORE_FILE
from ..workspace.exports import FINDING_HEADERS
from .common import action_date, add_as_of, add_user, add_workspace, open_workspace, user_of

HELP = "案件管理：立案、查看、交办、变更状态、办结，以及敏感信息访问日志"
ACTIONS = {"open": "立案（可附督查问题清单中的问题与疑似重复对）", "list": "列出案件",
           "show": "查看一个案件的问题、疑似重复对与变更历史", "assign": "交办给承办单位",
           "status": "变更案件状态", "close": "办结案件",
           "decide": "认定一对疑似重复学生是否为同一人（以后的督查保持此认定）",
           "log": "查看敏感信息访问日志"}
LIST_HEADERS = {"id": "案件号", "kind": "类型", "title": "标题", "status": "状态", "unit": "承办单位",
                "opened_by": "立案人", "opened_on": "立案日期", "deadline_workdays": "期限（工作日）",
                "deadline": "办理期限", "note": "处理意见",
                "version": "版本", "findings": "问题数", "open_findings": "未整改", "overdue": "逾期"}
READ_ONLY = ("list", "log")
"""Actions that only read the store (opened read-only, so they work in a read-only workspace);
``show`` too unless ``--show-id`` (which logs the reveal)."""


def _common(p: argparse.ArgumentParser, writes: bool) -> None:
    add_workspace(p)
    if writes:
        add_as_of(p, "本次操作的日期（记入变更历史或访问日志）")
        add_user(p)


def register(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="操作", required=True,
                                help="、".join(f"{k}：{v}" for k, v in ACTIONS.items()))
    p = {name: sub.add_parser(name, help=text, description=text) for name, text in ACTIONS.items()}
    for name in ("open", "assign", "status", "close", "decide", "show"):
        _common(p[name], writes=True)
    for name in ("list", "log"):
        _common(p[name], writes=False)
    o = p["open"]
    o.add_argument("--kind", required=True, choices=list(KINDS), metavar="类型",
                   help="案件类型：" + "、".join(f"{k}（{v}）" for k, v in KINDS.items()))
    o.add_argument("--title", required=True, metavar="标题", help="案件标题")
    o.add_argument("--findings", metavar="文件",
                   help="从 audit 写出的问题清单（问题清单.csv）取问题；不填则取工作区督查结果中的问题")
    o.add_argument("--rule", action="append", default=[], metavar="规则编号",
                   help="只取这些规则的问题（可重复，如 --rule ID-01）")
    o.add_argument("--xjh", action="append", default=[], metavar="学籍号",
                   help="只取这些学生的问题（可重复）")
    o.add_argument("--school", default="", metavar="学校标识码", help="只取这所学校的问题")
    o.add_argument("--pair", action="append", default=[], nargs=2, metavar=("学籍号A", "学籍号B"),
                   help="案件涉及的疑似重复学生对（可重复）")
    o.add_argument("--unit", default="", metavar="单位", help="承办单位（可稍后交办）")
    o.add_argument("--deadline", type=int, default=10, metavar="工作日",
                   help="办理期限：立案后的工作日数（默认 10）")
    o.add_argument("--note", default="", metavar="文字", help="处理意见或备注")
    p["list"].add_argument("--status", choices=list(TRANSITIONS), metavar="状态",
                           help="只列出此状态的案件：" + "、".join(TRANSITIONS))
    p["list"].add_argument("--as-of", metavar="日期", help="标出在此日期已逾期的未结案件（默认今天）")
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


_OLD_HEADERS = {"rule_id": "规则编号", "rule_name": "问题类型", "severity": "严重程度",
                "detail": "问题说明", "basis": "政策依据", "due_date": "整改期限"}
"""The English headers of findings.csv before 0.2, still read for one release."""


def _from_file(path: str) -> pd.DataFrame:
    """The findings of a 问题清单.csv (or an older findings.csv), as finding columns."""
    f = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    f = f.rename(columns=_OLD_HEADERS).rename(columns={v: k for k, v in FINDING_HEADERS.items()})
    if "rule_id" not in f.columns:
        raise XuejiError(f"文件 {path} 不是督查输出的问题清单（缺少「规则编号」列）。")
    return f.replace("", pd.NA)


def _selected(args: argparse.Namespace, ws_dir: Path) -> pd.DataFrame:
    """The findings ``case open`` takes: from the file or the workspace, narrowed by
    ``--rule``, ``--xjh`` and ``--school``."""
    if args.findings:
        f = _from_file(args.findings)
    else:
        if not (args.rule or args.xjh or args.school):
            return None
        with open_workspace(args) as ws:
            f = ws.findings
    keep = pd.Series(True, index=f.index)
    if args.rule:
        keep &= f["rule_id"].isin(args.rule)
    if args.xjh:
        keep &= f["学籍号"].isin(args.xjh)
    if args.school:
        keep &= f["学校标识码"] == args.school.strip()
    keep = keep.fillna(False).astype(bool)
    if not keep.any():
        raise XuejiError("督查结果中没有符合 --rule / --xjh / --school 条件的问题。")
    return f.loc[keep.to_numpy()]


def _print(frame: pd.DataFrame) -> None:
    with pd.option_context("display.max_rows", None, "display.max_columns", None,
                           "display.width", 200):
        print(frame.to_string(index=False) if len(frame) else "（无）")


def _show(store: CaseStore, args: argparse.Namespace) -> None:
    case = store.get_case(args.case_id)
    if args.show_id:
        log_reveal(store, user_of(args), action_date(args), "命令：case show --show-id",
                   args.case_id)
    print(f"案件 {case['id']}【{case['kind_name']}】{case['title']}")
    print(f"状态：{case['status']}  承办单位：{case['unit'] or '（未交办）'}  立案：{case['opened_by']} "
          f"{case['opened_on']}  期限：{case['deadline_workdays']} 个工作日（{case['deadline']}）")
    if case["note"]:
        print(f"处理意见：{case['note']}")
    for title, key in (("问题", "findings"), ("疑似重复学生对", "pairs"), ("变更历史", "history")):
        print(f"\n{title}：")
        shown = case[key].drop(columns=["basis"], errors="ignore")
        _print(shown if args.show_id else mask_frame(shown))


def _store(args: argparse.Namespace) -> CaseStore:
    folder = Path(args.workspace)
    if not folder.is_dir():
        raise XuejiError(f"工作区「{folder}」不存在。请先运行 "
                         f"`xueji-audit audit 数据目录 --workspace {folder}`。")
    readonly = args.action in READ_ONLY or (args.action == "show" and not args.show_id)
    return CaseStore(folder / STORE_FILE, readonly=readonly)


def run(args: argparse.Namespace) -> int:
    store = _store(args)
    try:
        if args.action == "open":
            on, user = action_date(args), user_of(args)
            findings = _selected(args, Path(args.workspace))
            calendar = _calendar(args)
            case_id = store.open_case(args.kind, args.title, findings,
                                      [tuple(p) for p in args.pair], unit=args.unit,
                                      deadline_workdays=args.deadline, user=user, on=on,
                                      calendar=calendar, note=args.note)
            case = store.get_case(case_id)
            print(f"已立案：案件 {case_id}（{case['kind_name']}），问题 {len(case['findings'])} 条，"
                  f"办理期限 {case['deadline']}。")
        elif args.action == "list":
            _print(store.list_cases(args.status, action_date(args)).rename(columns=LIST_HEADERS))
        elif args.action == "show":
            _show(store, args)
        elif args.action == "assign":
            store.assign(args.case_id, args.unit, user=user_of(args), on=action_date(args))
            print(f"案件 {args.case_id} 已交办给 {args.unit}。")
        elif args.action in ("status", "close"):
            to = args.to if args.action == "status" else "办结"
            store.set_status(args.case_id, to, user=user_of(args), on=action_date(args),
                             note=args.note)
            print(f"案件 {args.case_id} 状态已改为「{to}」。")
        elif args.action == "decide":
            store.decide_pair(args.xjh_a, args.xjh_b, args.accept, user=user_of(args),
                              on=action_date(args), note=args.note)
            print(f"已认定 {args.xjh_a} 与 {args.xjh_b}："
                  + ("是同一学生。" if args.accept else "不是同一学生。")
                  + "下次督查（xueji-audit audit）时生效。")
        else:
            _print(store.access_log(args.case).rename(columns=ACCESS_HEADERS))
    finally:
        store.close_store()
    return 0


def _calendar(args: argparse.Namespace):
    """The working-day calendar of the workspace's profile (the default profile's before the
    first audit)."""
    from ..profile import load_profile
    from ..workspace.manifest import NoWorkspaceError

    try:
        with open_workspace(args, check_inputs=False) as ws:
            return ws.profile.calendar()
    except NoWorkspaceError:
        return load_profile().calendar()
