"""学籍异动 businesses and their 异动环节 steps, built in batches with numpy.

A batch shares one step template; ``waits[i, k]`` is how many working days step k of business
i took (0 = the same day), −1 marks the pending step (待办, nothing after it) and −2 a step
that does not exist. A step arrives when the previous one was handled; the first arrives at
发起日期.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .context import Ctx
from .schools import BUREAU, PROVINCE_BUREAU

OTHER_PROVINCES = (("甘肃省", "靖川县", "62"), ("陕西省", "秦源县", "61"), ("河南省", "洛川县", "41"),
                   ("内蒙古自治区", "河套县", "15"), ("四川省", "蜀安县", "51"))


def in_county(out_name: str, in_name: str) -> list[tuple[str, str]]:
    return [("转入校审核", in_name), ("转入地县核办", BUREAU), ("转出校审核", out_name),
            ("转出地县核办", BUREAU)]


def cross_in(other_school: str, other_bureau: str, province: str, in_name: str,
             archive: bool = True) -> list[tuple[str, str]]:
    steps = [("转入校审核", in_name), ("转入地县核办", BUREAU), ("转出校审核", other_school),
             ("转出地县核办", other_bureau), ("省级核办", f"{province}教育厅")]
    return steps + ([("调档", other_bureau)] if archive else [])


def cross_out(other_school: str, other_bureau: str, province: str, out_name: str,
              archive: bool = True) -> list[tuple[str, str]]:
    steps = [("转入校审核", other_school), ("转入地县核办", other_bureau), ("转出校审核", out_name),
             ("转出地县核办", BUREAU), ("省级核办", PROVINCE_BUREAU)]
    return steps + ([("调档", BUREAU)] if archive else [])


def simple(school_name: str) -> list[tuple[str, str]]:
    return [("学校审核", school_name), ("县级核办", BUREAU)]


def other_school(rng, stage_grade: int) -> tuple[str, str, str, str]:
    """(school name, bureau, province, school code) of a fictional out-of-province school."""
    prov, county, code = OTHER_PROVINCES[int(rng.integers(0, len(OTHER_PROVINCES)))]
    kind = "小学" if stage_grade <= 6 else "中学"
    name = f"{prov}{county}第{'一二三四'[int(rng.integers(0, 4))]}{kind}"
    return name, f"{county}教育局", prov, f"21{code}{int(rng.integers(10**5, 10**6))}"[:10]


def _at(days: np.ndarray, minutes: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[ns]") + minutes.astype(
        "timedelta64[m]").astype("timedelta64[ns]")


def add_businesses(ctx: Ctx, kind: str, info: pd.DataFrame, steps: list[list[tuple[str, str]]],
                   waits: np.ndarray, state, proof="有", results=None) -> list[str]:
    """Add a batch of businesses. ``info`` has 学籍号, 姓名, 转出学校标识码, 转入学校标识码,
    原年级, 转入年级 and 发起日期 (datetime64); ``steps[i]`` the (环节名称, 处理单位) list of
    business i. Returns the 业务编号 list."""
    n = len(info)
    rng = ctx.rng
    start = info["发起日期"].to_numpy(dtype="datetime64[ns]")
    ids = [f"{ctx.next_id('640426' + pd.Timestamp(s).strftime('%Y%m%d'))}" for s in start]
    state = np.broadcast_to(np.asarray(state, dtype=object), (n,))
    k_max = waits.shape[1]
    rows = []
    arrive = start.copy()
    done_at = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    live = np.ones(n, dtype=bool)
    for k in range(k_max):
        w = waits[:, k]
        has = live & (w != -2)
        pending = has & (w == -1)
        handled = has & (w >= 0)
        hdate = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        if handled.any():
            a_days = pd.Series(arrive[handled]).dt.normalize()
            d = ctx.cal.add_workdays_many(a_days, w[handled]).to_numpy(dtype="datetime64[ns]")
            minutes = rng.integers(8 * 60 + 30, 17 * 60 + 30, handled.sum())
            t = _at(d.astype("datetime64[D]"), minutes)
            floor = arrive[handled] + np.timedelta64(20, "m")
            hdate[handled] = np.maximum(t, floor)
        for i in np.flatnonzero(has):
            name, unit = steps[i][k] if k < len(steps[i]) else (None, None)
            if name is None:
                continue
            last = k == k_max - 1 or waits[i, k + 1] == -2 or k + 1 >= len(steps[i])
            res = "待办" if pending[i] else "通过"
            if handled[i] and last and state[i] == "核办不通过":
                res = "不通过"
            if results is not None and results.get((i, k)):
                res = results[(i, k)]
            rows.append({"业务编号": ids[i], "环节序号": k + 1, "环节名称": name, "处理单位": unit,
                         "到达日期": arrive[i], "处理日期": hdate[i], "处理结果": res})
        done_at = np.where(handled, hdate, done_at)
        arrive = np.where(handled, hdate, arrive)
        live &= handled
    closed = np.isin(state, ["核办通过", "核办不通过"])
    ch = pd.DataFrame({
        "业务编号": ids, "业务类型": kind, "学籍号": info["学籍号"].to_numpy(),
        "姓名": info["姓名"].to_numpy(), "转出学校标识码": info.get("转出学校标识码"),
        "转入学校标识码": info.get("转入学校标识码"), "原年级": info.get("原年级"),
        "转入年级": info.get("转入年级"), "发起日期": start, "业务状态": state,
        "办结日期": np.where(closed, done_at, np.datetime64("NaT")),
        "证明材料": np.broadcast_to(np.asarray(proof, dtype=object), (n,)),
    })
    ctx.changes.append(ch)
    if rows:
        ctx.steps.append(pd.DataFrame(rows))
    return ids


def start_times(ctx: Ctx, days: list[dt.date] | np.ndarray, n: int) -> np.ndarray:
    """``n`` 发起日期 date-times on days drawn from ``days`` (working hours)."""
    pick = np.asarray(days, dtype="datetime64[D]")[ctx.rng.integers(0, len(days), n)]
    return _at(pick, ctx.rng.integers(8 * 60 + 10, 17 * 60 + 50, n))


def one(ctx: Ctx, kind: str, i, start, steps, waits, state="核办通过", proof="有",
        out_code=None, in_code=None, g0=None, g1=None, xjh=None, name=None,
        results=None) -> str:
    """Add one business for student ``i`` (or an explicit 学籍号/姓名); ``start`` a datetime;
    ``waits`` a list (−1 pending)."""
    r = ctx.st.loc[i] if i is not None else None
    info = pd.DataFrame({
        "学籍号": [xjh if xjh is not None else r["学籍号"]],
        "姓名": [name if name is not None else r["姓名"]],
        "转出学校标识码": [out_code], "转入学校标识码": [in_code],
        "原年级": pd.array([g0], dtype="Int64"), "转入年级": pd.array([g1], dtype="Int64"),
        "发起日期": [pd.Timestamp(start)],
    })
    w = np.array([list(waits) + [-2] * (len(steps) - len(waits))], dtype=np.int64)
    return add_businesses(ctx, kind, info, [steps], w, [state], [proof],
                          None if results is None else {(0, k): v for k, v in results.items()})[0]
