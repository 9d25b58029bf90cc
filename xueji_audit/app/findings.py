"""Data of the 问题学籍 app: filter options, the filtered finding list, one finding's card.

Filtering is boolean masks over the whole finding list, in an order sorted once per list
(:func:`sort_order`), and a page builds only its own rows (:func:`rows_page`), so a county
with a million findings stays responsive. :func:`filter_findings` keeps the index of
``session.findings`` (the source row), which :func:`finding_detail` takes back.
"""
from __future__ import annotations

import base64
import html
import re
import weakref

import numpy as np
import pandas as pd

from ..output import safe_frame
from ..privacy import mask_frame
from ..rules import CATALOGUE
from ..workspace.exports import FINDING_HEADERS, SEVERITIES, school_label
from .session import Session

ALL = ""
"""Filter value meaning 全部."""
BLANK = "（未填）"
"""Filter value of the findings without a school (or class)."""
PAGE_SIZE = 50
DOWNLOAD_LIMIT = 10_000
"""Most rows offered as a CSV download from the page (a larger list: the ``audit`` command)."""
TABLE_COLUMNS: tuple[str, ...] = ("序号", "规则编号", "问题类型", "严重程度", "学籍号", "姓名",
                                  "学校", "班级", "业务编号", "问题说明", "整改期限")
"""Columns of the on-page table (the CSV has every column of :data:`FINDING_HEADERS`)."""
_ORDERS: dict[int, tuple[weakref.ref, np.ndarray]] = {}  # id(findings) → (frame, sort order)
_RANK = {s: k for k, s in enumerate(SEVERITIES)}
_NUMERALS = {c: k for k, c in enumerate("一二三四五六七八九", start=1)}
_CLASS = re.compile(r"^(高)?([一二三四五六七八九])(?:年级)?[（(]?(\d*)")


def _eq(s: pd.Series, value: str) -> np.ndarray:
    """Rows of ``s`` equal to ``value`` (missing ones for :data:`BLANK`), as a numpy mask."""
    if value == BLANK:
        return s.isna().to_numpy(dtype=bool)
    return (s == value).fillna(False).to_numpy(dtype=bool)


def _mask(f: pd.DataFrame, rule: str = ALL, severity: str = ALL, school: str = ALL,
          klass: str = ALL) -> np.ndarray:
    keep = np.ones(len(f), dtype=bool)
    for col, value in (("rule_id", rule), ("severity", severity), ("学校标识码", school),
                       ("班级", klass)):
        if value:
            keep &= _eq(f[col], value)
    return keep


def _counts(s: pd.Series) -> pd.Series:
    """Value → rows, missing values under :data:`BLANK`."""
    n = s.value_counts(dropna=False)
    n.index = pd.Index([BLANK if pd.isna(k) else str(k) for k in n.index], dtype=object)
    return n.groupby(level=0).sum()


def _class_key(name: str) -> tuple[int, int, str]:
    """一年级(1)班 < 二年级(2)班 < … < 九年级 < 高一 < 高三; unknown names last."""
    m = _CLASS.match(name)
    if not m:
        return (99, 0, name)
    grade = _NUMERALS[m.group(2)] + (9 if m.group(1) else 0)
    return (grade, int(m.group(3) or 0), name)


def filter_options(session: Session) -> dict[str, list[tuple[str, str]]]:
    """Dropdown options ``(label, value)`` for ``rule`` (rules with findings, catalogue order,
    with counts), ``severity`` (全部/高/中/低) and ``school`` (schools with findings, by code,
    with counts); the first option of each is 全部 (value :data:`ALL`)."""
    f = session.findings
    per_rule = f["rule_id"].value_counts()
    names = f.drop_duplicates("rule_id").set_index("rule_id")["rule_name"]
    order = {r: k for k, r in enumerate(CATALOGUE)}
    rules = [(f"{r} {CATALOGUE[r].name if r in CATALOGUE else names.get(r, '')}"
              f"（{int(per_rule[r])}）", str(r))
             for r in sorted(per_rule.index, key=lambda r: (order.get(r, len(order)), r))]
    per_school = _counts(f["学校标识码"])
    schools = [(f"{session.names.get(c, c) if c != BLANK else '（未填学校）'}（{int(n)}）", c)
               for c, n in sorted(per_school.items(), key=lambda kv: (kv[0] == BLANK, kv[0]))]
    return {"rule": [("全部规则", ALL)] + rules,
            "severity": [("全部", ALL)] + [(s, s) for s in SEVERITIES],
            "school": [("全部学校", ALL)] + schools}


def class_options(session: Session, school: str) -> list[tuple[str, str]]:
    """全部 plus the classes of ``school`` with findings (grade order, with counts); only 全部
    when no school is chosen."""
    if not school:
        return [("全部班级", ALL)]
    f = session.findings
    per = _counts(f.loc[_eq(f["学校标识码"], school), "班级"])
    keys = sorted(per.index, key=lambda k: (k == BLANK, _class_key(k)))
    return [("全部班级", ALL)] + [
        (f"{'（未填班级）' if k == BLANK else k}（{int(per[k])}）", k) for k in keys]


def _dates(s: pd.Series) -> pd.Series:
    """Dates as ``YYYY-MM-DD`` text, formatting each distinct date once."""
    codes, uniques = pd.factorize(s)
    text = np.append(np.asarray(pd.DatetimeIndex(uniques).strftime("%Y-%m-%d"), dtype=object),
                     None)
    return pd.Series(text[codes], index=s.index, dtype=object)


def sort_order(findings: pd.DataFrame) -> np.ndarray:
    """Positions of ``findings`` most severe first, then by rule, school and 学籍号 (the order
    of :func:`xueji_audit.workspace.exports.findings_table`); sorted once per frame and remembered while the
    frame lives, so filtering a million findings needs no new sort."""
    key = id(findings)
    hit = _ORDERS.get(key)
    if hit is not None and hit[0]() is findings and len(hit[1]) == len(findings):
        return hit[1]
    keys = pd.DataFrame({"r": findings["severity"].map(_RANK).to_numpy(),
                         "a": findings["rule_id"].to_numpy(),
                         "b": findings["学校标识码"].to_numpy(),
                         "c": findings["学籍号"].to_numpy()}, copy=False)
    order = keys.sort_values(["r", "a", "b", "c"], kind="stable").index.to_numpy()
    _ORDERS[key] = (weakref.ref(findings, lambda _, k=key: _ORDERS.pop(k, None)), order)
    return order


def filter_rows(session: Session, rule: str = ALL, severity: str = ALL, school: str = ALL,
                klass: str = ALL) -> np.ndarray:
    """Positions in ``session.findings`` of the findings kept by the filters, in the order of
    :func:`sort_order`."""
    f = session.findings
    order = sort_order(f)
    return order[_mask(f, rule, severity, school, klass)[order]]


def findings_rows(session: Session, rows: np.ndarray) -> pd.DataFrame:
    """The findings at positions ``rows`` with Chinese headers (:data:`FINDING_HEADERS`, with
    学校 names and 整改期限 as text); the index is the source row label."""
    sub = session.findings.iloc[rows]
    cols = {h: sub[k] for k, h in FINDING_HEADERS.items() if k in sub}
    cols["学校"] = school_label(sub["学校标识码"], session.names)
    cols["整改期限"] = _dates(sub["due_date"])
    return pd.DataFrame(cols, index=sub.index, copy=False)[list(FINDING_HEADERS.values())]


def filter_findings(session: Session, rule: str = ALL, severity: str = ALL, school: str = ALL,
                    klass: str = ALL) -> pd.DataFrame:
    """The findings kept by the filters, with Chinese headers (:data:`FINDING_HEADERS`), most
    severe first (as :func:`xueji_audit.workspace.exports.findings_table`); the index is the source row label
    of ``session.findings``."""
    return findings_rows(session, filter_rows(session, rule, severity, school, klass))


def page_count(rows: int, size: int = PAGE_SIZE) -> int:
    """Pages of ``rows`` rows (at least 1)."""
    return max(1, -(-int(rows) // size))


def _numbered(frame: pd.DataFrame, start: int) -> pd.DataFrame:
    out = frame.assign(序号=np.arange(start + 1, start + len(frame) + 1))
    return out[["序号"] + [c for c in frame.columns if c != "序号"]]


def page(frame: pd.DataFrame, number: int, size: int = PAGE_SIZE) -> pd.DataFrame:
    """Page ``number`` (1-based, clamped to the pages there are) of ``frame``, with a 序号
    column (position in ``frame``, from 1) first; the index is kept."""
    number = min(max(1, int(number)), page_count(len(frame), size))
    start = (number - 1) * size
    return _numbered(frame.iloc[start:start + size], start)


def rows_page(session: Session, rows: np.ndarray, number: int,
              size: int = PAGE_SIZE) -> pd.DataFrame:
    """:func:`page` of ``findings_rows(session, rows)``, building only the page's rows."""
    number = min(max(1, int(number)), page_count(len(rows), size))
    start = (number - 1) * size
    return _numbered(findings_rows(session, rows[start:start + size]), start)


def pick_options(frame: pd.DataFrame, reveal: bool = False) -> list[tuple[str, int]]:
    """Options ``(label, source row)`` of a :func:`page`: 序号, 规则编号, 姓名 and 学籍号 (masked
    unless ``reveal``)."""
    shown = mask_frame(frame[["序号", "规则编号", "姓名", "学籍号"]], reveal).astype("string")
    label = (shown["序号"] + ". " + shown["规则编号"] + " " + shown["姓名"].fillna("（无姓名）")
             + " " + shown["学籍号"].fillna("（无学籍号）"))
    return list(zip(label.tolist(), [int(k) for k in frame.index], strict=True))


def _text(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


def finding_detail(session: Session, row) -> dict[str, str]:
    """The card of the finding at index label ``row`` of ``session.findings``: rule, severity,
    the student, 问题说明, 政策依据, the rule's 规则说明 (catalogue help) and 整改期限."""
    r = session.findings.loc[row]
    rule = CATALOGUE.get(str(r["rule_id"]))
    code = _text(r["学校标识码"])
    return {"规则编号": _text(r["rule_id"]), "问题类型": _text(r["rule_name"]),
            "严重程度": _text(r["severity"]), "姓名": _text(r["姓名"]),
            "学籍号": _text(r["学籍号"]), "学校": _text(session.names.get(code, "")),
            "学校标识码": code, "班级": _text(r["班级"]), "业务编号": _text(r["业务编号"]),
            "问题说明": _text(r["detail"]), "政策依据": _text(r["basis"]),
            "规则说明": rule.help if rule else "", "整改期限": _text(r["due_date"])}


def student_record(session: Session, xjh: str, school: str = "") -> dict[str, str]:
    """The register record of 学籍号 ``xjh`` (姓名, 性别, 出生日期, 身份证件号, 学籍状态, 学校, 班级,
    监护人, 联系电话 where present); when the number is on several rows, the one at
    ``school`` (学校标识码) if any, with 学籍记录数 saying so. Empty when the register has no
    such number."""
    s = session.students
    if not xjh or "学籍号" not in s:
        return {}
    hit = s[(s["学籍号"] == xjh).fillna(False).to_numpy(dtype=bool)]
    if not len(hit):
        return {}
    here = np.flatnonzero((hit["学校标识码"] == school).fillna(False).to_numpy(dtype=bool)) \
        if school and "学校标识码" in hit else np.empty(0, dtype="int64")
    r = hit.iloc[int(here[0]) if len(here) else 0]

    def get(col: str) -> str:
        return _text(r[col]) if col in hit else ""

    name = get("学校名称") or _text(session.names.get(get("学校标识码"), ""))
    guardian = get("成员1姓名")
    if guardian and get("成员1关系"):
        guardian += f"（{get('成员1关系')}）"
    values = {"姓名": get("姓名"), "性别": get("性别"), "出生日期": get("出生日期"),
              "身份证件号": get("身份证件号"), "学籍状态": get("学籍状态"), "学校": name,
              "班级": get("班级"), "监护人": guardian,
              "联系电话": get("联系电话") or get("成员1联系电话")}
    out = {k: v for k, v in values.items() if v}
    if len(hit) > 1:
        which = "本校的一条" if len(here) else "第一条"
        out["学籍记录数"] = f"该学籍号在学籍系统中有 {len(hit)} 条记录，此处为{which}"
    return out


def csv_bytes(frame: pd.DataFrame, reveal: bool = False) -> bytes:
    """``frame`` as CSV, UTF-8 with BOM, numbers masked unless ``reveal``, formulas escaped."""
    shown = safe_frame(mask_frame(frame.reset_index(drop=True), reveal))
    return shown.to_csv(index=False, date_format="%Y-%m-%d").encode("utf-8-sig")


def csv_data_uri(frame: pd.DataFrame, name: str, reveal: bool = False) -> str:
    """A download link ``<a class="xj-download" download="name" href="data:text/csv;…">`` of
    ``frame`` as :func:`csv_bytes` (the link text says how many rows, and whether masked)."""
    data = base64.b64encode(csv_bytes(frame, reveal)).decode("ascii")
    label = f"下载 CSV（{len(frame)} 条，{'含完整号码' if reveal else '号码已遮盖'}）"
    return (f'<a class="xj-download" download="{html.escape(name, quote=True)}" '
            f'href="data:text/csv;charset=utf-8;base64,{data}">{html.escape(label)}</a>')
