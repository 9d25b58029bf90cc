"""B. Status and record keeping, second reading (RULES.md H): ST-06, ST-08, ST-09, ST-10, and
the 控辍保学 list drawn from ST-06.

- **ST-06** 疑似辍学（控辍保学）: a grade 1–9 record in status 辍学, 失踪 or 其他离校 (高); each
  is a 控辍保学 case and the basis of a 限期复学通知书 (:func:`dropout_list`).
- **ST-08** 非毕业年级学生学籍状态为毕业: status 毕业 and 年级 not a graduating grade of the
  school's 学制 (六三: 6, 9, 12; 五四: 5, 9, 12) (中).
- **ST-09** 学籍信息不完整或相互矛盾: a 在校 record missing 现住址, 户口所在地, 联系电话 or
  成员1姓名 (only columns the data has), or 是否留守儿童 = 是 and 是否进城务工人员随迁子女 = 是, or
  随迁子女 with 户口所在地 naming the school's own county; one finding listing every problem (低).
- **ST-10** 随班就读或送教上门学生缺残疾类型: 随班就读 is 是, 随班就读 or 送教上门 and 残疾类型
  empty (中).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import STRING
from ..terms import graduating_grades
from .catalogue import register, rule
from .context import Context, result, text, ymd

DROPOUT_STATUSES = ("辍学", "失踪", "其他离校")
INCLUSIVE_VALUES = ("是", "随班就读", "送教上门")
REQUIRED_INFO = ("现住址", "户口所在地", "联系电话", "成员1姓名")
LEFT_BEHIND, MIGRANT = "是否留守儿童", "是否进城务工人员随迁子女"
_COUNTY = r"^(.+?[县区旗])"
_TOWNSHIP = r"([^省市县区旗]{1,8}?(?:镇|乡))"
DROPOUT_COLUMNS = ("学籍号", "姓名", "学校", "年级", "班级", "学籍状态", "离校日期", "监护人",
                   "监护人电话", "乡镇", "现住址")


def _school_column(ctx: Context, column: str) -> pd.Series:
    """``column`` of the schools table for each student (NA when unknown)."""
    s = ctx.students
    if not ctx.has("schools"):
        return pd.Series(pd.NA, index=s.index, dtype=object)
    sch = ctx.tables["schools"].drop_duplicates("学校标识码").set_index("学校标识码")[column]
    return s["学校标识码"].map(sch)


def st06(ctx: Context) -> pd.DataFrame:
    s = ctx.students
    hit = ctx.mask("students", "学籍状态", *DROPOUT_STATUSES) & s["年级"].between(1, 9).fillna(
        False).to_numpy()
    f = s[hit]
    since = ("，离校日期 " + ymd(f["离校日期"])).where(f["离校日期"].notna(), "")
    detail = ("义务教育阶段（" + text(f["年级"]) + "年级）学生学籍状态为" + text(f["学籍状态"])
              + since + "，属控辍保学对象：应核实去向、劝返复学，并发出限期复学通知书")
    return result(f, detail)


def st08(ctx: Context) -> pd.DataFrame:
    s = ctx.students
    wusi = (_school_column(ctx, "学制") == "五四").fillna(False).to_numpy()
    grade = s["年级"]
    last = np.where(wusi, grade.isin(graduating_grades("五四")).fillna(False).to_numpy(),
                    grade.isin(graduating_grades("六三")).fillna(False).to_numpy())
    hit = ctx.mask("students", "学籍状态", "毕业") & grade.notna().to_numpy() & ~last
    f = s[hit]
    system = pd.Series(np.where(wusi[hit], "五四", "六三"), index=f.index)
    detail = ("学籍状态为毕业，但年级为" + text(f["年级"]) + "年级，不是" + system
              + "学制下本学段的毕业年级，请核实是否误置毕业")
    return result(f, detail)


def _yes(s: pd.DataFrame, column: str) -> pd.Series:
    return (s[column] == "是").fillna(False)


def st09(ctx: Context) -> pd.DataFrame:
    s = ctx.students  # rows taken once, at the end (a wide table)
    problems = pd.Series("", index=s.index, dtype=object)
    missing = [c for c in REQUIRED_INFO if ctx.has(f"students.{c}")]
    for col in missing:
        empty = s[col].isna() | (s[col].astype(STRING).str.strip() == "").fillna(True)
        problems = problems.where(~empty, problems + "缺" + col + "；")
    if ctx.has(f"students.{LEFT_BEHIND}") and ctx.has(f"students.{MIGRANT}"):
        both = _yes(s, LEFT_BEHIND) & _yes(s, MIGRANT)
        problems = problems.where(~both, problems + "同时标为留守儿童和随迁子女；")
    if ctx.has(f"students.{MIGRANT}") and ctx.has("students.户口所在地"):
        name = _school_column(ctx, "学校名称").loc[s.index]
        if ctx.has("students.学校名称"):
            name = name.fillna(s["学校名称"])
        county = name.astype(STRING).str.extract(_COUNTY, expand=False)
        hukou = s["户口所在地"].astype(STRING)
        inside = pd.Series(False, index=s.index)
        for c in county.dropna().unique():  # a county has few names: one vectorised pass each
            rows = (county == c).fillna(False).to_numpy()
            inside[rows] = hukou[rows].str.contains(c, regex=False).fillna(False).to_numpy()
        local = _yes(s, MIGRANT) & inside
        problems = problems.where(~local, problems + "标为随迁子女但户口所在地在本县（"
                                  + county.fillna("").astype(object) + "）；")
    hit = ctx.mask("students", "学籍状态", "在校") & (problems != "").to_numpy()
    f = s[hit]
    return result(f, "学籍信息：" + problems[hit].str.rstrip("；") + "，请核实补正")


def st10(ctx: Context) -> pd.DataFrame:
    s = ctx.students
    hit = ctx.mask("students", "随班就读", *INCLUSIVE_VALUES) & (
        s["残疾类型"].isna() | (s["残疾类型"].astype(STRING).str.strip() == "")).fillna(
        True).to_numpy()
    f = s[hit]
    detail = ("标记为" + text(f["随班就读"]).replace("是", "随班就读")
              + "，但残疾类型为空；随班就读、送教上门须凭残疾证明登记残疾类型")
    return result(f, detail)


def township(address: pd.Series) -> pd.Series:
    """The 乡 / 镇 named in an address (empty when none)."""
    return address.astype(STRING).str.extract(_TOWNSHIP, expand=False).fillna("").astype(object)


def dropout_list(students: pd.DataFrame, findings: pd.DataFrame,
                 schools: pd.DataFrame | None = None) -> pd.DataFrame:
    """The 控辍保学 list: one row per ST-06 finding — the child, school (by name), status, since
    when (离校日期), guardian (成员1姓名, its phone) and township (from 现住址, else 户口所在地).
    Chinese column headers :data:`DROPOUT_COLUMNS`; full values (the caller masks for pages)."""
    keys = findings.loc[findings["rule_id"] == "ST-06", "学籍号"].dropna().unique()
    s = students[students["学籍号"].isin(keys).to_numpy()
                 & students["学籍状态"].isin(DROPOUT_STATUSES).fillna(False).to_numpy()]
    s = s.drop_duplicates("学籍号")

    def col(name: str) -> pd.Series:
        return s[name] if name in s.columns else pd.Series(pd.NA, index=s.index, dtype=object)

    school = col("学校名称")
    if schools is not None and len(schools):
        names = schools.drop_duplicates("学校标识码").set_index("学校标识码")["学校名称"]
        school = s["学校标识码"].map(names).fillna(school)
    school = school.fillna(s["学校标识码"])
    town = township(col("现住址"))
    town = town.where(town != "", township(col("户口所在地")))
    phone = col("成员1联系电话").fillna(col("联系电话"))
    out = pd.DataFrame({
        "学籍号": s["学籍号"], "姓名": s["姓名"], "学校": school, "年级": s["年级"],
        "班级": col("班级"), "学籍状态": s["学籍状态"], "离校日期": ymd(col("离校日期")),
        "监护人": col("成员1姓名"), "监护人电话": phone, "乡镇": town, "现住址": col("现住址"),
    })
    return out.sort_values(["乡镇", "学校", "年级", "学籍号"], kind="stable").reset_index(drop=True)


_ST = ("students",)
register(
    "records",
    rule("ST-06", "疑似辍学（控辍保学）", "高", _ST,
         "办法2013 第二十二条; 通知2016 附件1 五.2; 西吉2020",
         "义务教育阶段学生学籍状态为辍学、失踪或其他离校，列入控辍保学名单并发限期复学通知书", st06),
    rule("ST-08", "非毕业年级学生学籍状态为毕业", "中", _ST, "办法2013 第十二条",
         "学籍状态为毕业，但年级不是本学段的毕业年级（六或五四制五、九、高三）", st08),
    rule("ST-09", "学籍信息不完整或相互矛盾", "低", _ST, "通知2016 附件1 六、七",
         "在校学生缺现住址、户口所在地、联系电话或监护人，或留守儿童与随迁子女同时标记，"
         "或随迁子女户口在本县", st09),
    rule("ST-10", "随班就读或送教上门学生缺残疾类型", "中", ("students", "students.随班就读"),
         "办法2025 (随班就读、送教上门凭残疾证明)", "标记随班就读或送教上门但残疾类型为空", st10),
)
