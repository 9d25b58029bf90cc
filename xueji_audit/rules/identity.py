"""A. Identity and 学籍号: ID-01..06, XJ-01..04, DU-01..03 (DU-04 comes with matching)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import RESIDENT_ID
from .catalogue import Param, register, rule
from .context import Context, day, result, text, ymd

_LIST_MAX = 10  # other records listed in a duplicate's detail


def _ids(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    return ctx.students, ctx.ids()


def id01(ctx: Context) -> pd.DataFrame:
    s, v = _ids(ctx)
    hit = (v["resident"] & s["身份证件号"].notna() & ~v["valid"]).to_numpy()
    f = s[hit]
    detail = "身份证件号 " + text(f["身份证件号"]) + " " + text(v["problem"][hit]) + "，请核对户口簿后更正"
    return result(f, detail)


def id02(ctx: Context) -> pd.DataFrame:
    s, v = _ids(ctx)
    hit = (v["ok"] & s["出生日期"].notna() & (v["birth"] != day(s["出生日期"]))).to_numpy()
    f = s[hit]
    detail = ("身份证件号中的出生日期为 " + ymd(v["birth"][hit]) + "，学籍登记的出生日期为 "
              + ymd(f["出生日期"]))
    return result(f, detail)


def id03(ctx: Context) -> pd.DataFrame:
    s, v = _ids(ctx)
    hit = (v["ok"] & s["性别"].notna() & (v["sex"] != s["性别"]).fillna(False)).to_numpy()
    f = s[hit]
    detail = ("身份证件号第17位表示性别为" + text(v["sex"][hit]) + "，学籍登记的性别为"
              + text(f["性别"]))
    return result(f, detail)


def id04(ctx: Context) -> pd.DataFrame:
    s, v = _ids(ctx)
    hit = (v["ok"] & ~v["province_ok"]).to_numpy()
    f = s[hit]
    detail = ("身份证件号 " + text(f["身份证件号"]) + " 的前两位「" + text(f["身份证件号"]).str[:2]
              + "」不是有效的省级行政区划代码")
    return result(f, detail)


def id05(ctx: Context) -> pd.DataFrame:
    s, v = _ids(ctx)
    hit = (v["ok"] & v["legacy15"]).to_numpy()
    f = s[hit]
    detail = ("15位旧身份证号 " + text(f["身份证件号"]) + "，对应18位号码为 " + text(v["id18"][hit])
              + "，请更新为18位号码")
    return result(f, detail)


def id06(ctx: Context) -> pd.DataFrame:
    s = ctx.students
    hit = ((s["身份证件类型"] == RESIDENT_ID) & s["身份证件号"].isna()).fillna(False).to_numpy()
    return result(s[hit], pd.Series("证件类型为居民身份证，但身份证件号为空，请凭户口簿补录",
                                    index=s.index[hit], dtype=object))


def xj01(ctx: Context) -> pd.DataFrame:
    s = ctx.students
    hit = ctx.kinds().isna().to_numpy()
    f = s[hit]
    shown = text(f["学籍号"]).where(f["学籍号"].notna().to_numpy(), "（空）")
    detail = ("学籍号 " + shown + " 不符合格式：应为 G 或 J 加17位数字和1位校验位，"
              "或 L 加18位数字")
    return result(f, detail)


def xj02(ctx: Context) -> pd.DataFrame:
    s, v = _ids(ctx)
    k = ctx.kinds()
    hit = ((k == "G") & v["ok"] & (s["学籍号"].str[1:] != v["id18"])).fillna(False).to_numpy()
    f = s[hit]
    detail = ("G字头学籍号中的证件号为 " + text(f["学籍号"]).str[1:] + "，与身份证件号 "
              + text(v["id18"][hit]) + " 不一致（如有证件号变更记录请核实）")
    return result(f, detail)


def xj03(ctx: Context) -> pd.DataFrame:
    s = ctx.students
    months = ctx.params["months"]
    start = day(s["建籍日期"]).fillna(day(s["入学年月"]))
    which = pd.Series("建籍日期", index=s.index).where(s["建籍日期"].notna(), "入学年月")
    due = start + pd.DateOffset(months=months)
    hit = ((ctx.kinds() == "L") & (due < ctx.as_of)).fillna(False).to_numpy()
    f = s[hit]
    detail = ("临时学籍号（L字头）自" + which[hit] + " " + ymd(start[hit]) + " 起已超过"
              + str(months) + "个月仍未转正，应于 " + ymd(due[hit]) + " 前转为正式学籍号")
    return result(f, detail, due[hit])


def xj04(ctx: Context) -> pd.DataFrame:
    s, v = _ids(ctx)
    hit = ((ctx.kinds() == "J") & v["ok"]).fillna(False).to_numpy()
    f = s[hit]
    detail = ("J字头学籍号，但已有有效居民身份证号 " + text(v["id18"][hit])
              + "，查重后应转为G字头学籍号")
    return result(f, detail)


def _others(keys: pd.Series, labels) -> pd.DataFrame:
    """Rows of ``keys`` (positions) whose key repeats: n (records sharing it) and the '、'-joined
    labels (``labels(positions)``) of the other records (at most _LIST_MAX, then 等).

    Linear in the records: each record meets only the first _LIST_MAX + 1 records of its group
    (a group of 10,000 sharing one ID is 10,000 × 11 rows, not 10,000² pairs)."""
    pos = np.flatnonzero((keys.notna() & keys.duplicated(keep=False)).to_numpy())
    frame = pd.DataFrame({"k": pd.factorize(keys.to_numpy()[pos])[0], "pos": pos})
    groups = frame.groupby("k", sort=False)
    n = groups["pos"].transform("size").to_numpy()
    head = frame[(groups.cumcount() <= _LIST_MAX).to_numpy()]
    head = pd.DataFrame({"k": head["k"].to_numpy(), "pos_o": head["pos"].to_numpy(),
                         "lab_o": labels(head["pos"].to_numpy()).to_numpy()})
    pairs = frame.merge(head, on="k")
    pairs = pairs[(pairs["pos"] != pairs["pos_o"]).to_numpy()].sort_values(
        ["pos", "pos_o"], kind="stable")
    shown = pairs.groupby("pos").head(_LIST_MAX).groupby("pos")["lab_o"].agg("、".join)
    out = pd.DataFrame({"n": pd.Series(n, index=pos), "others": shown}).sort_index()
    more = (out["n"] - 1 > _LIST_MAX).to_numpy()
    out.loc[more, "others"] = out.loc[more, "others"] + " 等"
    return out


def _dup_result(s: pd.DataFrame, keys: pd.Series, labels, head, what: str
                ) -> pd.DataFrame:
    """One finding per record whose key repeats; ``head(f)`` opens the detail of rows ``f``."""
    o = _others(keys.reset_index(drop=True), labels)
    f = s.iloc[o.index]
    detail = (head(f).to_numpy() + " 共出现在 " + o["n"].astype(str).to_numpy() + " 条记录，其他记录"
              + what + "：" + o["others"].to_numpy())
    return result(f, pd.Series(detail, index=f.index))


def du01(ctx: Context) -> pd.DataFrame:
    s, v = _ids(ctx)
    keys = v["id18"].where(v["ok"])
    return _dup_result(s, keys, lambda p: text(s["学籍号"].iloc[p]),
                       lambda f: "身份证件号 " + text(v["id18"].loc[f.index]), "学籍号")


def du02(ctx: Context) -> pd.DataFrame:
    s = ctx.students
    def labels(p):
        return text(s["姓名"].iloc[p]) + "（学校 " + text(s["学校标识码"].iloc[p]) + "）"
    return _dup_result(s, s["学籍号"], labels, lambda f: "学籍号 " + text(f["学籍号"]), "")


def du03(ctx: Context) -> pd.DataFrame:
    s, v = _ids(ctx)
    cand = (~v["ok"] & s["姓名"].notna() & s["性别"].notna() & s["出生日期"].notna()).to_numpy()
    c = s[cand]
    keys = pd.Series(pd.NA, index=s.index, dtype=object)
    keys[cand] = (text(c["姓名"]) + "|" + text(c["性别"]) + "|" + ymd(c["出生日期"])).to_numpy()
    return _dup_result(s, keys, lambda p: text(s["学籍号"].iloc[p]), lambda f: (
        "无有效身份证件号，姓名「" + text(f["姓名"]) + "」性别" + text(f["性别"]) + " 出生日期 "
        + ymd(f["出生日期"])), "学籍号")


_ST = ("students",)
register(
    "identity",
    rule("ID-01", "身份证件号格式或校验位错误", "高", _ST, "办法2013 第五条; 通知2016 附件1 一",
         "居民身份证号不是18位、出生日期不存在或校验位错误", id01),
    rule("ID-02", "身份证件号与出生日期不符", "高", _ST, "办法2013 第六条 (不得以虚假信息建籍)",
         "有效身份证号第7–14位与登记的出生日期不一致", id02),
    rule("ID-03", "身份证件号与性别不符", "高", _ST, "办法2013 第六条 (不得以虚假信息建籍)",
         "身份证号第17位（奇数为男、偶数为女）与登记的性别不一致", id03),
    rule("ID-04", "身份证件号地址码无效", "高", _ST, "办法2013 第六条 (不得以虚假信息建籍)",
         "身份证号前两位不是 GB/T 2260 的省级代码", id04),
    rule("ID-05", "身份证件号为15位旧号", "低", _ST, "通知2016 附件1 一.2",
         "15位旧身份证号，给出对应的18位号码", id05),
    rule("ID-06", "居民身份证号缺失", "高", _ST, "办法2025 (凭有效身份证件采集)",
         "证件类型为居民身份证但号码为空", id06),
    rule("XJ-01", "学籍号格式错误", "高", _ST, "通知2016 附件1 一",
         "学籍号不是 G/J+17位数字+校验位，也不是 L+18位数字", xj01),
    rule("XJ-02", "G字头学籍号与身份证件号不一致", "中", _ST, "通知2016 附件1 一.2",
         "G字头学籍号去掉G后与有效身份证号（18位形式）不同", xj02),
    rule("XJ-03", "临时学籍号长期未转正", "高", (("students", "students.建籍日期"),
                                           ("students", "students.入学年月")),
         "通知2016 附件1 一.1",
         "L字头临时学籍号自建籍（或入学）起超过检查参数规定的月数仍未转正（月数为督查设定的检查"
         "参数，非文件规定时限）", xj03,
         (Param("months", 12, "int", "临时学籍号转正检查参数（月，非文件时限）"),)),
    rule("XJ-04", "J字头学籍号已具备身份证件号", "低", _ST, "通知2016 附件1 一.1",
         "J字头学籍号的学生已有有效居民身份证号，查重后应转为G字头", xj04),
    rule("DU-01", "身份证件号重复", "高", _ST, "办法2013 第六条; 办法2025 一人一籍",
         "同一有效身份证号出现在两条及以上学籍记录", du01),
    rule("DU-02", "学籍号重复", "高", _ST, "办法2013 第六条; 办法2025 一人一籍",
         "同一学籍号出现在两条及以上记录", du02),
    rule("DU-03", "无证件学生姓名性别出生日期重复", "中", _ST, "学籍系统「问题学籍」类型",
         "无有效身份证号的记录之间姓名、性别、出生日期完全相同", du03),
)
