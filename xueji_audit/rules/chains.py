"""E. Transfer chains: CH-01..04 over :mod:`xueji_audit.chains`.

Readings of RULES.md section E chosen here (for docs/rules.md):

- A *person* is a connected group of 学籍号 and valid ID numbers (ID-01 sense, a 15-digit
  number through its 18-digit form): records sharing a 学籍号 or a valid ID are one person,
  so a 学籍号 change (L → G, both records in the register with the same ID) keeps one chain.
  A business joins its person by its 学籍号.
- The chain is the person's 核办通过 businesses ordered by 办结日期 (then 发起日期, then file
  order); transfers are 转学, 跨省转学, 毕业后跨省就学. Other states (在办, 撤销 …) are not in it.
- **CH-01**: a person with 在校 records at two or more distinct 学校标识码; every such 在校
  record is a finding (two records with one 学籍号 give two findings with the same key).
- **CH-02**: a person with at least one completed transfer; the school at the end of the chain
  is the 转入学校 of the last completed transfer. Every record of the person that is not in
  status 转出 (a 转出 record at an earlier school agrees with the chain, e.g. a child gone to
  another province) and whose 学校标识码 differs is a finding.
- **CH-03**: on the completed transfers of a person in chain order, dated by 办结日期 (the
  day the move took effect): a transfer Y→X directly following X→Y with at most *180* days
  between their 办结日期 (往返), or a transfer whose 办结日期 is at most *365* days after that
  of the transfer *3* − 1 = 2 places before it (the 3rd within 365 days). One finding per
  business completing a pattern, on that business.
- **CH-04**: each record of a person is compared with the person's latest completed business
  (any type): latest 休学 and status 在校; latest 复学 with no earlier completed 休学 in the
  chain; latest 死亡 and status not 死亡; status 转出 and the latest business is not a transfer
  (or there is none). One finding per record, the first matching case named.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..chains import Chains, build_chains
from ..schema import TRANSFER_TYPES
from .catalogue import Param, register, rule
from .context import Context, result, text, ymd

_BASIS_CH = "办法2013 第六条; 西吉2020 (空挂学籍)"


def chains_of(ctx: Context) -> Chains:
    """The chains of this audit, built once and shared by CH-01..04."""
    def make():
        ids = ctx.ids()
        return build_chains(ctx.students, ctx.tables.get("changes"), ids["id18"].where(ids["ok"]))
    return ctx.cached("chains", make)


def _take(values: np.ndarray, pos: np.ndarray, missing) -> np.ndarray:
    """``values[pos]`` with ``missing`` where ``pos`` is -1 (also when ``values`` is empty)."""
    return np.append(values, np.array([missing], dtype=np.asarray(values).dtype))[pos]


def _status(ch: Chains) -> np.ndarray:
    return ch.records["学籍状态"].to_numpy(dtype=object, na_value="")


def _rows(ch: Chains, hit: np.ndarray) -> pd.DataFrame:
    return ch.records.iloc[np.flatnonzero(hit)]


def _series(values, like: pd.DataFrame) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=object), index=like.index)


def ch01(ctx: Context) -> pd.DataFrame:
    ch = chains_of(ctx)
    person, school = ch.records["person"].to_numpy(), ch.records["_school"].to_numpy()
    active = (_status(ch) == "在校") & (person >= 0) & (school >= 0)
    pairs = pd.unique(person[active] * (len(ch.schools) + 1) + school[active])
    n = np.bincount(pairs // (len(ch.schools) + 1), minlength=ch.n_persons)
    hit = active & (_take(n, person, 0) >= 2)
    f = _rows(ch, hit)
    where = f.groupby("person")["学校标识码"].agg(lambda s: "、".join(sorted(s.dropna().unique())))
    detail = ("同一人（学籍号或身份证件号相同）同时在 " + text(_series(where.reindex(f["person"]), f))
              + " 在校；本记录学籍号 " + text(f["学籍号"]) + "，在 " + text(f["学校标识码"]))
    return result(f, detail)


def ch02(ctx: Context) -> pd.DataFrame:
    ch = chains_of(ctx)
    c = ch.chain
    last_tr = ch.last_of_person(c["_transfer"].to_numpy())
    person, school = ch.records["person"].to_numpy(), ch.records["_school"].to_numpy()
    row = _take(last_tr, person, -1)
    end = _take(c["_into"].to_numpy(), row, -1)
    hit = (end >= 0) & (_status(ch) != "转出") & (school != end)
    f, r = _rows(ch, hit), row[hit]
    b = c.iloc[r]
    detail = ("转学链最后一笔转学 " + text(_series(b["业务编号"], f)) + "（"
              + ymd(pd.Series(b["办结日期"].to_numpy(), index=f.index)) + " 办结）转入 " + text(_series(b["转入学校标识码"], f))
              + "，但学籍系统中该生在 " + text(f["学校标识码"]) + "（" + text(f["学籍状态"])
              + "），籍随人走，请核实")
    return result(f, detail)


def ch03(ctx: Context) -> pd.DataFrame:
    back_days, window, count = ctx.params["return_days"], ctx.params["days"], ctx.params["count"]
    ch = chains_of(ctx)
    c = ch.chain[ch.chain["_transfer"].to_numpy()]
    p = c["person"].to_numpy()
    out, into = c["_out"].to_numpy(), c["_into"].to_numpy()
    day = c["办结日期"].to_numpy(dtype="datetime64[D]")
    day = np.where(np.isnat(day), c["_when"].to_numpy(dtype="datetime64[D]"), day)
    n = len(c)
    i = np.arange(n)
    j = np.maximum(i - 1, 0)
    gap = (day - day[j]).astype(np.int64)
    round_trip = ((i >= 1) & (p[j] == p) & (out[j] >= 0) & (into[j] >= 0) & (out[j] == into)
                  & (into[j] == out) & (gap <= back_days))
    k = np.maximum(i - (count - 1), 0)
    span = (day - day[k]).astype(np.int64)
    frequent = (i >= count - 1) & (p[k] == p) & (span <= window) if count >= 2 else \
        np.ones(n, dtype=bool)
    hit = round_trip | frequent
    f = c[hit]
    why = np.where(round_trip[hit],
                   "往返转学，距上次转学（" + text(_series(c["转出学校标识码"].to_numpy()[j[hit]], f))
                   + "→" + text(_series(c["转入学校标识码"].to_numpy()[j[hit]], f)) + "）办结 "
                   + _series(gap[hit].astype(str), f) + " 天（" + str(back_days) + "天内）",
                   str(count) + "次及以上转学发生在" + str(window) + "天内（自 "
                   + ymd(pd.Series(c["办结日期"].to_numpy()[k[hit]], index=f.index)) + " 起）")
    detail = ("转学 " + text(f["转出学校标识码"]) + "→" + text(f["转入学校标识码"]) + "（"
              + ymd(f["办结日期"]) + " 办结），" + _series(why, f) + "，疑似空挂学籍")
    return _with_name(ctx, f, detail)


def _with_name(ctx: Context, f: pd.DataFrame, detail: pd.Series) -> pd.DataFrame:
    reg = ctx.register_lookup(f["学籍号"], ["姓名", "学校标识码"])
    return result(f, detail, 姓名=reg["姓名"],
                  学校标识码=reg["学校标识码"].fillna(f["转入学校标识码"]))


def ch04(ctx: Context) -> pd.DataFrame:
    ch = chains_of(ctx)
    c = ch.chain
    kinds = c["业务类型"].to_numpy(dtype=object)
    last = ch.last_of_person()
    leave = np.full(ch.n_persons, np.iinfo(np.int64).max, dtype=np.int64)
    is_leave = kinds == "休学"
    np.minimum.at(leave, c["person"].to_numpy()[is_leave], c["seq"].to_numpy()[is_leave])
    person = ch.records["person"].to_numpy()
    row = _take(last, person, -1)
    kind = _take(kinds, row, "")
    seq = _take(c["seq"].to_numpy(), row, 0)
    leave_before = _take(leave, person, np.iinfo(np.int64).max) < seq
    status = _status(ch)
    cases = (
        ((kind == "休学") & (status == "在校"), "最近办结的业务为休学，但学籍状态为在校且无复学业务"),
        ((kind == "复学") & ~leave_before, "最近办结的业务为复学，但此前没有办结的休学业务"),
        ((kind == "死亡") & (status != "死亡"), "死亡业务已办结，但学籍状态不是死亡"),
        ((status == "转出") & ~np.isin(kind, TRANSFER_TYPES), "学籍状态为转出，但最近没有办结的转学业务"),
    )
    why = np.full(len(status), None, dtype=object)
    for mask, reason in reversed(cases):
        why[mask] = reason
    hit = why != None  # noqa: E711 (element-wise)
    f = _rows(ch, hit)
    r = row[hit]
    biz = _take(c["业务编号"].to_numpy(dtype=object, na_value=""), r, "")
    detail = (_series(why[hit], f) + "（学籍状态 " + text(f["学籍状态"]) + "）"
              + _series(np.where(biz != "", "，最近业务 " + biz.astype(str), ""), f))
    return result(f, detail)


_CH_NEEDS = ("students", "changes")
register(
    "chains",
    rule("CH-01", "同时在两校在籍", "高", ("students",), _BASIS_CH,
         "同一人（学籍号或身份证件号相同）在两所及以上学校同时为在校状态", ch01),
    rule("CH-02", "转学链与在籍学校不一致", "高", _CH_NEEDS, "办法2025 (籍随人走)",
         "已办结的转学链最终转入的学校与学籍系统中的在籍学校不一致", ch02),
    rule("CH-03", "往返或频繁转学", "中", ("changes",), "西吉2020; 办法2025 (空挂学籍)",
         "短期内往返转学或一年内多次转学，疑似空挂学籍", ch03,
         (Param("return_days", 180, "int", "往返转学的间隔（天）"),
          Param("days", 365, "int", "频繁转学的统计期（天）"),
          Param("count", 3, "int", "统计期内转学次数达到此数即提示"))),
    rule("CH-04", "学籍状态与异动记录矛盾", "高", _CH_NEEDS, "办法2013 第十三条",
         "学籍状态与最近一笔已办结的异动业务相矛盾", ch04),
)
