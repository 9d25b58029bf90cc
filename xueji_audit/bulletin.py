"""The 月度通报 (通知2016 附件1 三.7): per responsible unit, the business steps not handled
within 10 working days (寒暑假 not counted) during one month, worst unit first, as ``.xlsx``.

:func:`bulletin_tables` gives the two tables (summary per unit, detail per step);
:func:`write_bulletin` writes them as one workbook with a title line per sheet.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .output import safe_frame
from .rules.business import timed_steps
from .timing import bulletin_summary, month_bounds, monthly_overdue

DETAIL_COLUMNS: tuple[str, ...] = (
    "处理单位", "业务编号", "业务类型", "学籍号", "姓名", "环节序号", "环节名称", "到达日期",
    "应办理日期", "处理日期", "办理情况", "超期工作日",
)


@dataclass(frozen=True)
class Bulletin:
    month: str
    summary: pd.DataFrame  # timing.bulletin_summary columns, with 单位名称 when known
    detail: pd.DataFrame  # DETAIL_COLUMNS
    limit: int


def _unit_names(schools: pd.DataFrame | None) -> pd.Series:
    if schools is None or len(schools) == 0:
        return pd.Series(dtype=object)
    s = schools.dropna(subset=["学校标识码"]).drop_duplicates("学校标识码")
    return pd.Series(s["学校名称"].to_numpy(dtype=object), index=s["学校标识码"].astype(str))


def bulletin_tables(steps: pd.DataFrame, month: str, calendar, limit: int = 10,
                    changes: pd.DataFrame | None = None,
                    schools: pd.DataFrame | None = None) -> Bulletin:
    """The 月度通报 of ``month`` (``YYYY-MM``) from the 异动环节 table.

    ``calendar`` is the profile's WorkCalendar with 寒暑假; ``changes`` keeps the steps of
    transfer businesses only, without their 调档 steps (as TR-01 times them, RULES.md H), and
    adds 业务类型, 学籍号 and 姓名 to the detail; ``schools`` names a 处理单位 that is a 学校标识码.
    """
    _, last = month_bounds(month)
    if changes is not None:
        steps = timed_steps(steps, changes)  # transfers only; 调档 is TR-05's (RULES.md H)
    late = monthly_overdue(steps, month, calendar, limit)
    summary = bulletin_summary(late)
    names = _unit_names(schools)
    summary.insert(1, "单位名称", summary["处理单位"].astype(str).map(names).fillna(""))
    biz = (changes.drop_duplicates("业务编号").set_index("业务编号") if changes is not None
           else pd.DataFrame(columns=["业务类型", "学籍号", "姓名"]))
    rank = pd.Series(range(len(summary)), index=summary["处理单位"].to_numpy())
    late = late.assign(_rank=late["处理单位"].map(rank)).sort_values(
        ["_rank", "overdue_days", "业务编号", "环节序号"], ascending=[True, False, True, True],
        kind="stable")
    ids = late["业务编号"]
    detail = pd.DataFrame({
        "处理单位": late["处理单位"],
        "业务编号": ids,
        "业务类型": ids.map(biz["业务类型"]) if len(biz) else pd.NA,
        "学籍号": ids.map(biz["学籍号"]) if len(biz) else pd.NA,
        "姓名": ids.map(biz["姓名"]) if len(biz) else pd.NA,
        "环节序号": late["环节序号"],
        "环节名称": late["环节名称"],
        "到达日期": late["arrived"].dt.strftime("%Y-%m-%d"),
        "应办理日期": late["due_date"].dt.strftime("%Y-%m-%d"),
        "处理日期": late["handled"].dt.strftime("%Y-%m-%d").fillna(""),
        "办理情况": late["pending"].map({True: f"截至{last:%m月%d日}仍未办理",
                                      False: "超期后办理"}),
        "超期工作日": late["overdue_days"].astype("int64"),
    })
    return Bulletin(month, summary, detail.reset_index(drop=True), limit)


def write_bulletin(b: Bulletin, out_dir: str | Path, region: str = "") -> Path:
    """Write ``月度通报_YYYY-MM.xlsx`` into ``out_dir``: sheet 通报汇总 (units, worst first) and
    sheet 超期明细 (every late step); return its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"月度通报_{b.month}.xlsx"
    year, month = b.month.split("-")
    title = (f"{region}{int(year)}年{int(month)}月学籍异动业务超期办理情况通报（超过{b.limit}个"
             "工作日未办理的环节，不计寒暑假）")
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for name, frame in (("通报汇总", b.summary), ("超期明细", b.detail)):
            safe_frame(frame).to_excel(xw, index=False, sheet_name=name, startrow=2)
            ws = xw.sheets[name]
            ws["A1"] = title
            ws["A2"] = (f"共 {len(b.summary)} 个责任单位、{len(b.detail)} 个环节超期"
                        if len(b.detail) else "本月没有超期未办理的环节")
            for col, width in zip("ABCDEFGHIJKL", (18, 22, 12, 22, 10, 10, 14, 12, 12, 12, 18, 10),
                                  strict=True):
                ws.column_dimensions[col].width = width
    return path


def bulletin_text(b: Bulletin, top: int = 10) -> str:
    """A few Chinese lines: the month, the totals and the worst units."""
    lines = [f"{b.month} 月度通报：{len(b.summary)} 个责任单位共 {len(b.detail)} 个环节超过"
             f"{b.limit}个工作日未办理（不计寒暑假）。"]
    for r in b.summary.head(top).itertuples(index=False):
        name = f"（{r.单位名称}）" if r.单位名称 else ""
        lines.append(f"  {r.处理单位}{name}：超期环节 {r.超期环节数} 个，其中仍未办理 "
                     f"{r.未办理环节数} 个，最长超期 {r.最长超期工作日} 个工作日")
    return "\n".join(lines)
