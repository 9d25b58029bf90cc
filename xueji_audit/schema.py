"""The data contract (DATA.md) as data: tables, canonical headers, aliases, kinds and codes.

Everything that recognises, normalises or generates the input tables reads this module, so a
header alias or a code is added in one place.

Column *kinds* decide how the loader normalises a value:

``id``       identifier kept as text (full-width → half-width, spaces removed, ``x`` → ``X``);
             an ID number that Excel turned into a number is rejected.
``text``     free text, stripped, inner line breaks removed.
``date``     a calendar date (``datetime64[ns]``, time dropped).
``datetime`` a date-time (``datetime64[ns]``).
``month``    a year-month (``YYYYMM`` or a date), stored as the first day of the month.
``int``      a small integer (nullable ``Int64``).
``grade``    1–12 from 一年级…九年级, 初一…初三, 高一…高三, 七年级, or a number.
``sex``      男 / 女 from the name or the code 1 / 2.
``idtype``   the 证件类型 name from its name or code (1, 6, 7, 8, 9, A, Z); 无/空 → no document.
``status``   a 学籍状态, 在籍/在读/注册 → 在校.

The coded kinds (``sex``, ``idtype``, ``status``, ``grade``) read their accepted spellings from
:data:`VOCABULARY`, one table for every coded column. A value found nowhere in it is not a
reason to drop the row: the row is loaded with the column empty, the raw text kept in
``原值_<列>`` and counted in the load report (finding DQ-01). A rule profile may add local
spellings (``[values.学籍状态]``).
``yesno``    有/无, 是/否 kept as written after trimming.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"
    aliases: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class Table:
    key: str  # English key used in code: students, changes, steps, rosters, schools, modifications
    name: str  # Chinese name shown to users
    columns: tuple[Column, ...]
    # A header row is taken for this table when all of `signature` are present.
    signature: tuple[str, ...] = field(default=())

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _c(name: str, kind: str = "text", *aliases: str, required: bool = False) -> Column:
    return Column(name, kind, tuple(aliases), required)


ID_TYPES: dict[str, str] = {
    "1": "居民身份证",
    "6": "香港特区护照/身份证明",
    "7": "澳门特区护照/身份证明",
    "8": "台湾居民来往大陆通行证",
    "9": "境外永久居住证",
    "A": "护照",
    "Z": "其他",
}
RESIDENT_ID = ID_TYPES["1"]
RESIDENCE_PERMIT = "港澳台居民居住证"  # a document type since 2018 (no code in the 2013 list)

SEX_CODES: dict[str, str] = {"1": "男", "2": "女", "男": "男", "女": "女"}
SEX_ALIASES: dict[str, str] = {"男性": "男", "女性": "女", "男生": "男", "女生": "女", "M": "男",
                               "F": "女", "MALE": "男", "FEMALE": "女", "01": "男", "02": "女"}

STATUSES: tuple[str, ...] = (
    "在校", "休学", "转出", "毕业", "结业", "肄业", "退学", "开除", "死亡", "出国", "其他离校",
    "辍学", "失踪",
)
STATUS_ALIASES: dict[str, str] = {
    "在读": "在校", "在籍": "在校", "注册": "在校", "已注册": "在校", "在校生": "在校", "正常": "在校",
    "在籍在校": "在校", "正常在校": "在校", "休学中": "休学", "已休学": "休学", "已转出": "转出",
    "转出学校": "转出", "已毕业": "毕业", "毕业离校": "毕业", "已结业": "结业", "已肄业": "肄业",
    "已退学": "退学", "已开除": "开除", "开除学籍": "开除", "已死亡": "死亡", "注销(死亡)": "死亡",
    "出国(境)": "出国", "出境": "出国", "出国出境": "出国", "离校": "其他离校", "其它离校": "其他离校",
    "已辍学": "辍学", "流失": "辍学", "下落不明": "失踪",
}

ID_TYPE_ALIASES: dict[str, str] = {
    "身份证": RESIDENT_ID, "二代身份证": RESIDENT_ID, "居民身份证号": RESIDENT_ID,
    "中华人民共和国居民身份证": RESIDENT_ID, "港澳居民居住证": RESIDENCE_PERMIT,
    "台湾居民居住证": RESIDENCE_PERMIT, "居住证(港澳台居民)": RESIDENCE_PERMIT,
    "香港身份证": ID_TYPES["6"], "香港特区护照": ID_TYPES["6"], "澳门身份证": ID_TYPES["7"],
    "澳门特区护照": ID_TYPES["7"], "台胞证": ID_TYPES["8"], "外国护照": ID_TYPES["A"],
    "其它": ID_TYPES["Z"],
}
NO_DOCUMENT: tuple[str, ...] = ("无", "空", "无证件", "暂无", "没有", "未办理", "NULL", "NONE",
                                "N/A", "-", "/", "—")
"""身份证件类型 values meaning "no document": loaded as an empty type, not unknown."""


def _grades() -> dict[str, int]:
    names = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]
    out: dict[str, int] = {}
    for g, cn in enumerate(names, start=1):
        out.update({str(g): g, f"0{g}" if g < 10 else str(g): g, f"{cn}年级": g,
                    f"{g}年级": g})
        if g <= 6:
            out.update({f"小学{cn}年级": g, f"小{cn}": g, f"小学{g}年级": g})
    for k, cn in enumerate("一二三", start=1):
        out.update({f"初{cn}": 6 + k, f"初中{cn}年级": 6 + k, f"高{cn}": 9 + k,
                    f"高中{cn}年级": 9 + k, f"初{k}": 6 + k, f"高{k}": 9 + k,
                    f"初中{k}年级": 6 + k, f"高中{k}年级": 9 + k})
    return out


VOCABULARY: dict[str, dict[str, object]] = {
    "sex": {**SEX_CODES, **SEX_ALIASES},
    "idtype": {**ID_TYPES, **{v: v for v in ID_TYPES.values()}, RESIDENCE_PERMIT: RESIDENCE_PERMIT,
               **ID_TYPE_ALIASES, **dict.fromkeys(NO_DOCUMENT)},
    "status": {**{s: s for s in STATUSES}, **STATUS_ALIASES},
    "grade": _grades(),
}
"""Every coded kind: accepted spelling (after NFKC and trimming; upper case for ``sex`` and
``idtype``) → canonical value (``None``: no value, e.g. 身份证件类型「无」)."""
VOCABULARY_HINTS: dict[str, str] = {
    "sex": "男/女 或代码 1/2",
    "idtype": "证件类型名称或代码 1、6、7、8、9、A、Z",
    "status": "在校、休学、转出、毕业等学籍状态",
    "grade": "一年级…九年级、初一…初三、高一…高三 或 1–12",
}
UPPER_KINDS = frozenset({"sex", "idtype"})
RAW_PREFIX = "原值_"
"""Prefix of the column keeping the raw text of a coded value the vocabulary did not know."""


def coded_columns() -> dict[str, str]:
    """Column name → kind, for every coded column of every table."""
    return {c.name: c.kind for t in TABLES.values() for c in t.columns if c.kind in VOCABULARY}


BUSINESS_TYPES: tuple[str, ...] = (
    "转学", "跨省转学", "毕业后跨省就学", "休学", "复学", "退学", "死亡", "跳级", "留级",
    "毕业回退", "招生回退", "其他",
)
TRANSFER_TYPES: tuple[str, ...] = ("转学", "跨省转学", "毕业后跨省就学")
BUSINESS_STATES: tuple[str, ...] = ("在办", "核办通过", "核办不通过", "撤销", "已清理")
STEP_RESULTS: tuple[str, ...] = ("通过", "不通过", "待办")
SCHOOL_STAGES: tuple[str, ...] = ("小学", "初中", "九年一贯制", "高中", "完全中学", "特殊教育")
SCHOOL_SYSTEMS: tuple[str, ...] = ("六三", "五四")

STUDENT_OPTIONAL_TEXT = (
    "民族", "国籍/地区", "户口所在地", "现住址", "是否留守儿童", "是否进城务工人员随迁子女",
    "是否持有居住证", "残疾类型", "随班就读", "班内学号", "曾用名", "成员1姓名", "成员1关系",
    "成员2姓名",
)

STUDENTS = Table(
    "students",
    "学生",
    (
        _c("学籍号", "id", "全国学籍号", "个人标识码", "学籍编号", required=True),
        _c("姓名", "text", "学生姓名", required=True),
        _c("性别", "sex", required=True),
        _c("出生日期", "date", required=True),
        _c("身份证件类型", "idtype", "证件类型"),
        _c("身份证件号", "id", "身份证号", "证件号码", "身份证件号码", required=True),
        _c("学校标识码", "id", "学校代码", required=True),
        _c("学校名称", "text", "学校"),
        _c("年级", "grade", required=True),
        _c("班级", "text", "班级名称"),
        _c("学籍状态", "status", "状态", "在校状态", required=True),
        _c("入学年月", "month"),
        *(_c(n) for n in STUDENT_OPTIONAL_TEXT),
        _c("联系电话", "id"),
        _c("学籍辅号", "id"),
        _c("成员1身份证件号", "id"),
        _c("成员1联系电话", "id"),
        _c("成员2身份证件号", "id"),
        _c("建籍日期", "date", "学籍建立日期"),
        _c("最后核查日期", "date", "最后更新日期", "信息核查日期"),
        _c("死亡日期", "date"),
        _c("休学日期", "date"),
        _c("离校日期", "date"),
        _c("毕业日期", "date"),
    ),
    signature=("学籍号", "姓名", "学籍状态"),
)

CHANGES = Table(
    "changes",
    "学籍异动",
    (
        _c("业务编号", "id", required=True),
        _c("业务类型", "text", required=True),
        _c("学籍号", "id", required=True),
        _c("姓名", "text"),
        _c("转出学校标识码", "id"),
        _c("转入学校标识码", "id"),
        _c("原年级", "grade"),
        _c("转入年级", "grade"),
        _c("发起日期", "datetime", required=True),
        _c("业务状态", "text", required=True),
        _c("办结日期", "datetime"),
        _c("证明材料", "yesno"),
    ),
    signature=("业务编号", "业务类型"),
)

STEPS = Table(
    "steps",
    "异动环节",
    (
        _c("业务编号", "id", required=True),
        _c("环节序号", "int", required=True),
        _c("环节名称", "text", required=True),
        _c("处理单位", "text", required=True),
        _c("到达日期", "datetime", required=True),
        _c("处理日期", "datetime"),
        _c("处理结果", "text"),
    ),
    signature=("业务编号", "环节序号"),
)

ROSTERS = Table(
    "rosters",
    "在校名单",
    (
        _c("学校标识码", "id", "学校代码", required=True),
        _c("班级", "text", "班级名称", required=True),
        _c("姓名", "text", "学生姓名", required=True),
        _c("性别", "sex", required=True),
        _c("出生日期", "date"),
        _c("身份证件号", "id", "身份证号", "证件号码", "身份证件号码"),
        _c("学籍号", "id", "全国学籍号", "个人标识码", "学籍编号"),
        _c("核对日期", "date"),
        _c("离校日期", "date"),
    ),
    signature=("学校标识码", "班级", "姓名", "性别"),
)

SCHOOLS = Table(
    "schools",
    "学校",
    (
        _c("学校标识码", "id", "学校代码", required=True),
        _c("学校名称", "text", "学校", required=True),
        _c("行政区划码", "id"),
        _c("学段", "text"),
        _c("学制", "text"),
    ),
    signature=("学校标识码", "学校名称", "学段"),
)

MODIFICATIONS = Table(
    "modifications",
    "信息变更",
    (
        _c("学籍号", "id", required=True),
        _c("变更项目", "text", required=True),
        _c("原值", "text", required=True),
        _c("新值", "text", required=True),
        _c("变更日期", "date", required=True),
        _c("证明材料", "yesno"),
    ),
    signature=("变更项目", "原值", "新值"),
)

TABLES: dict[str, Table] = {
    t.key: t for t in (STUDENTS, CHANGES, STEPS, ROSTERS, SCHOOLS, MODIFICATIONS)
}

# Output columns of findings.csv (DATA.md "What the kit writes").
FINDING_COLUMNS: tuple[str, ...] = (
    "rule_id", "rule_name", "severity", "学籍号", "姓名", "学校标识码", "业务编号", "班级",
    "detail", "basis", "due_date",
)
REJECT_COLUMNS: tuple[str, ...] = ("file", "sheet", "row", "table", "reason", "content")


STRING = pd.StringDtype("pyarrow")
"""The loader's text dtype: pandas ``string`` (equal to ``"string"``) kept in Arrow buffers.
Against ``string[python]`` (a Python object per value), a million-row register takes a
third of the memory, and filtering or sorting it copies bytes instead of touching every
object."""



def arrow_text(values) -> pa.Array:
    """Text (a Series or array, missing values as NA/None/NaN) as an Arrow ``large_string``
    array: a :data:`STRING` column's own buffers, anything else converted once."""
    if isinstance(values, pd.Series) and values.dtype == STRING:
        a = pa.array(values.array)
        a = a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
    else:
        raw = values.array if isinstance(values, pd.Series) else values
        a = pa.array(np.asarray(raw, dtype=object), from_pandas=True)
    return a if a.type == pa.large_string() else a.cast(pa.large_string())


KIND_DTYPES: dict[str, str] = {"date": "datetime64[ns]", "datetime": "datetime64[ns]",
                               "month": "datetime64[ns]", "int": "Int64", "grade": "Int64"}
"""The loader's dtype per column kind; every other kind is :data:`STRING`."""


def dtype_of(column: Column) -> str | pd.StringDtype:
    return KIND_DTYPES.get(column.kind, STRING)


def conform(key: str, frame: pd.DataFrame, *, complete: bool = True) -> pd.DataFrame:
    """``frame`` with the loader's dtypes: the table's columns converted (values already
    normalised, e.g. 年级 as numbers); with ``complete`` every column of the table in schema order
    (absent ones all-NA) followed by any other columns."""
    table = TABLES[key]
    out = frame.copy()
    for col in table.columns:
        if col.name not in out:
            if complete:
                out[col.name] = pd.Series(pd.NA, index=out.index, dtype=dtype_of(col))
            continue
        dtype = dtype_of(col)
        if isinstance(dtype, str) and dtype.startswith("datetime"):
            out[col.name] = pd.to_datetime(out[col.name], format="mixed")
        else:
            out[col.name] = out[col.name].astype(dtype)
    if not complete:
        return out
    names = [c.name for c in table.columns]
    return out[names + [c for c in out.columns if c not in names]]
