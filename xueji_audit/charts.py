"""Pictures, data first: each ``*_table`` function returns the numbers, a ``draw_*`` function
draws that table as a matplotlib :class:`~matplotlib.figure.Figure` (no pyplot state).

CJK labels use Debian's ``fonts-noto-cjk``: :func:`use_cjk_font` registers 'Noto Sans CJK SC'
with matplotlib's font manager and makes it the default sans-serif; it raises
:class:`~xueji_audit.errors.XuejiError` when the font is missing instead of drawing boxes.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .chains import Chains
from .errors import XuejiError
from .reconcile import ReconcileResult

CJK_FAMILY = "Noto Sans CJK SC"
FONT_DIRS: tuple[Path, ...] = (Path("/usr/share/fonts/opentype/noto"),
                               Path("/usr/share/fonts/truetype/noto"))
FONT_FILES: tuple[str, ...] = ("NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc")
STATUS_COLOURS: dict[str, str] = {
    "在校": "#4c78a8", "休学": "#f58518", "退学": "#e45756", "死亡": "#555555",
    "转出": "#b279a2",
}
RENJI_COLUMNS: tuple[str, ...] = ("人籍一致", "在籍不在校", "在校不在籍", "人籍分离")


def use_cjk_font() -> str:
    """Register 'Noto Sans CJK SC' and make it matplotlib's default sans-serif; return its
    family name. Raises XuejiError (in Chinese) when the font files are not installed."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    if CJK_FAMILY not in names:
        for d in FONT_DIRS:
            for f in FONT_FILES:
                if (d / f).is_file():
                    font_manager.fontManager.addfont(str(d / f))
        names = {f.name for f in font_manager.fontManager.ttflist}
    if CJK_FAMILY not in names:
        raise XuejiError(f"未找到中文字体「{CJK_FAMILY}」，图表中的汉字无法显示。"
                         "请安装系统软件包 fonts-noto-cjk（apt-get install fonts-noto-cjk）后重试。")
    sans = matplotlib.rcParams["font.sans-serif"]
    matplotlib.rcParams["font.sans-serif"] = [CJK_FAMILY, *[s for s in sans if s != CJK_FAMILY]]
    matplotlib.rcParams["font.family"] = ["sans-serif"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return CJK_FAMILY


def _figure(width: float, height: float) -> Figure:
    use_cjk_font()
    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _counts_axis(ax) -> None:
    """Whole numbers on the x axis, with room after the longest bar."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0, max(ax.get_xlim()[1] * 1.05, 1))


# ------------------------------------------------------------------ a child's chain


def chain_timeline_table(chains: Chains, xjh: str, as_of) -> pd.DataFrame:
    """The periods of the child holding 学籍号 ``xjh``: 学校, 状态, 开始, 结束, 起始业务.

    The first period runs from the earliest 入学年月 of the child's records (else the first
    business's 发起日期) to the first completed business; each business opens a period that
    ends at the next one, the last at ``as_of``. Without any business: one period at the
    register school in the register status.
    """
    as_of = pd.Timestamp(as_of)
    c = chains.of(xjh)
    p = chains.persons.get(xjh)
    recs = chains.records[(chains.records["person"] == p).to_numpy()] if p is not None else \
        chains.records.iloc[:0]
    entry = pd.to_datetime(recs["入学年月"]).min() if "入学年月" in recs else pd.NaT
    cols = ["学校", "状态", "开始", "结束", "起始业务"]
    if len(c) == 0:
        if len(recs) == 0:
            return pd.DataFrame({k: [] for k in cols})
        r = recs.iloc[0]
        return pd.DataFrame([[r["学校标识码"], r["学籍状态"], entry, as_of, ""]], columns=cols)
    when = c["办结日期"].fillna(c["发起日期"]).dt.normalize()
    first_start = entry if pd.notna(entry) and entry <= when.iloc[0] else c["发起日期"].iloc[0]
    head = pd.DataFrame([[c["school_before"].iloc[0], c["status_before"].iloc[0],
                          pd.Timestamp(first_start).normalize(), when.iloc[0], "（入学）"]],
                        columns=cols)
    rest = pd.DataFrame({
        "学校": c["school_after"].to_numpy(), "状态": c["status_after"].to_numpy(),
        "开始": when.to_numpy(), "结束": np.append(when.to_numpy()[1:], as_of.to_datetime64()),
        "起始业务": (c["业务类型"] + " " + c["业务编号"]).to_numpy(),
    })
    return pd.concat([head, rest], ignore_index=True)


def draw_chain_timeline(table: pd.DataFrame, title: str = "学籍变动时间线") -> Figure:
    """One lane per school, one bar per period coloured by status, the business at its start."""
    schools = list(dict.fromkeys(table["学校"].astype(str)))
    fig = _figure(10, 1.2 + 0.6 * max(len(schools), 1))
    ax = fig.add_subplot()
    for row in table.itertuples(index=False):  # one bar per period: a handful per child
        y = schools.index(str(row.学校))
        start, end = pd.Timestamp(row.开始), pd.Timestamp(row.结束)
        width = max((end - start).days, 1)
        colour = STATUS_COLOURS.get(str(row.状态), "#9d9d9d")
        ax.broken_barh([(mdates.date2num(start), width)], (y - 0.3, 0.6),
                       facecolors=colour)
        ax.annotate(f"{row.状态}\n{row.起始业务}", (mdates.date2num(start), y + 0.35),
                    fontsize=8, va="bottom")
    ax.set_yticks(range(len(schools)), schools)
    ax.set_ylim(-0.6, len(schools) - 0.1 + 0.5)
    ax.xaxis_date()
    ax.set_xlabel("日期")
    ax.set_ylabel("学校")
    ax.set_title(title)
    return fig


# ------------------------------------------------------------------ overdue steps per unit


def overdue_by_unit_table(summary: pd.DataFrame, top: int = 20) -> pd.DataFrame:
    """The ``top`` worst units of a :func:`~xueji_audit.timing.bulletin_summary` table:
    处理单位, 超期环节数, 未办理环节数, 已超期办理环节数."""
    t = summary.head(top)
    return pd.DataFrame({
        "处理单位": t["处理单位"].astype(str).to_numpy(),
        "超期环节数": t["超期环节数"].to_numpy(),
        "未办理环节数": t["未办理环节数"].to_numpy(),
        "已超期办理环节数": (t["超期环节数"] - t["未办理环节数"]).to_numpy(),
    })


def draw_overdue_by_unit(table: pd.DataFrame, title: str = "各责任单位超期环节数") -> Figure:
    """Horizontal stacked bars per unit: still pending and handled late, worst at the top."""
    fig = _figure(9, 1.5 + 0.35 * max(len(table), 1))
    ax = fig.add_subplot()
    y = np.arange(len(table))[::-1]
    ax.barh(y, table["未办理环节数"], color="#e45756", label="仍未办理")
    ax.barh(y, table["已超期办理环节数"], left=table["未办理环节数"], color="#f58518",
            label="超期后办理")
    ax.set_yticks(y, table["处理单位"])
    ax.set_xlabel("超期环节数（超过10个工作日，不计寒暑假）")
    _counts_axis(ax)
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


# ------------------------------------------------------------------ 人籍一致 per school


def renji_by_school_table(result: ReconcileResult,
                          school_names: pd.Series | None = None) -> pd.DataFrame:
    """Per school whose roster was taken: 人籍一致 (roster rows matched at the school),
    在籍不在校, 在校不在籍, 人籍分离 (roster rows at the school registered elsewhere)."""
    p = result.pairs
    counts = {
        "人籍一致": p.loc[p["same_school"].to_numpy(), "roster_school"].value_counts(),
        "在籍不在校": result.absent["学校标识码"].value_counts(),
        "在校不在籍": result.unregistered["学校标识码"].value_counts(),
        "人籍分离": result.separated["roster_school"].value_counts(),
    }
    schools = sorted(result.roster_schools)
    out = pd.DataFrame({k: v.reindex(schools, fill_value=0).to_numpy(dtype=np.int64)
                        for k, v in counts.items()})
    out.insert(0, "学校标识码", schools)
    name = (out["学校标识码"].map(school_names) if school_names is not None else None)
    out.insert(1, "学校", out["学校标识码"] if name is None else name.fillna(out["学校标识码"]))
    return out


def draw_renji_by_school(table: pd.DataFrame, title: str = "各校人籍不一致人数") -> Figure:
    """Per school, stacked bars of 在籍不在校 / 在校不在籍 / 人籍分离, the most problems at the
    top; each school's label carries its 人籍一致 count."""
    problems = list(RENJI_COLUMNS[1:])
    t = table.assign(_n=table[problems].sum(axis=1)).sort_values(
        ["_n", "学校"], ascending=[False, True], kind="stable")
    fig = _figure(9, 1.5 + 0.35 * max(len(t), 1))
    ax = fig.add_subplot()
    y = np.arange(len(t))[::-1]
    left = np.zeros(len(t))
    for col, colour in zip(problems, ("#e45756", "#f58518", "#b279a2"), strict=True):
        ax.barh(y, t[col], left=left, color=colour, label=col)
        left = left + t[col].to_numpy()
    ax.set_yticks(y, t["学校"].astype(str) + "（一致 " + t["人籍一致"].astype(str) + " 人）")
    ax.set_xlabel("人数")
    _counts_axis(ax)
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig
