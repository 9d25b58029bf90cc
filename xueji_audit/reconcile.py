"""人籍一致: match the schools' rosters (在校名单) to the register, one to one.

A roster row is a child seen in a class; it usually has only school, class, name and sex. It is
matched to a 在校 register record in passes, each an exact join on a key, most certain first:

1. 学籍号, then 身份证件号 (18-digit form), when the roster has them — anywhere in the county;
2. at the same school: class + name + sex; name + sex; homophone code + sex; look-alike code
   + sex (names are compared in the simplified normal form of :mod:`xueji_audit.names`, so
   張偉 = 张伟; 张伟 / 章玮 share the homophone code);
3. across schools (人籍分离): name + sex, then the homophone and look-alike codes, each only
   where the key is unambiguous — exactly one unmatched roster row and one unmatched record.

When a roster row has a 出生日期 every pass also requires it to equal the register's. Within a
pass the rows sharing a key are paired in file order, so no record ever goes to two roster rows
and two children of the same name in one school (twins with distinct names trivially) each get
their own record. What is left gives the three lists of 西吉2020 附件1: 在籍不在校 (a 在校 record
at a school whose roster was taken, not on that roster — even when the child turned up on
another school's roster), 在校不在籍 (a roster row matched to nothing) and 人籍分离 (a roster
row at S matched to a record 在校 at T ≠ S).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .chains import encode_text
from .ids import validate_ids
from .names import normalize_names

CATEGORIES: tuple[str, ...] = ("在籍不在校", "在校不在籍", "人籍分离")
CAUSES: tuple[str, ...] = ("已转外校未办转接", "不具备转学条件外出", "重度残疾送教上门", "疑似辍学",
                           "符合条件未办手续", "违规招收", "无户口", "其他")
"""The 原因 categories of the 人籍不一致学生排查表 (西吉2020 附件1), filled in by the school."""
INVESTIGATION_COLUMNS: tuple[str, ...] = ("序号", "班级", "学生姓名", "性别", "学籍号", "类别",
                                          "原因", "整改措施", "备注")

REGISTER_COLUMNS: tuple[str, ...] = ("学籍号", "姓名", "性别", "出生日期", "身份证件号",
                                     "学校标识码", "班级", "学籍状态")
"""The register columns reconciliation reads (and :attr:`ReconcileResult.absent` carries)."""
_SAME = ("学籍号一致", "身份证件号一致", "同班同名", "同校同名", "同校同音", "同校形近")


@dataclass(frozen=True)
class ReconcileResult:
    """Outcome of :func:`reconcile`.

    ``pairs``         one row per matched roster row: ``roster_row`` / ``register_row`` (positions
                      in the rosters and students tables), 学籍号, ``method`` (which pass),
                      ``roster_school`` / ``register_school``, ``same_school``;
    ``absent``        在籍不在校: 在校 records at a school whose roster was taken that are not on
                      it (a 人籍分离 child registered there included), with ``register_row``;
    ``unregistered``  在校不在籍: roster rows (the rosters' columns) plus ``roster_row``;
    ``separated``     人籍分离: the cross-school pairs with the roster's 班级/姓名/性别 and the
                      register's 学籍号, 姓名, 班级;
    ``roster_schools`` the schools whose roster was taken.
    """

    pairs: pd.DataFrame
    absent: pd.DataFrame
    unregistered: pd.DataFrame
    separated: pd.DataFrame
    roster_schools: frozenset[str]


def normalize_class(s: pd.Series) -> pd.Series:
    """Class text compared loosely: NFKC (full-width brackets and digits), no spaces."""
    codes, uniq = pd.factorize(s.astype(object).where(s.notna(), None))
    u = pd.Series(uniq, dtype=object).astype(str).str.normalize("NFKC")
    u = u.str.replace(r"\s+", "", regex=True).str.replace("班级", "班", regex=False)
    out = np.where(codes >= 0, u.to_numpy(dtype=object)[np.maximum(codes, 0)], None)
    return pd.Series(out, index=s.index, dtype=object)


def _factor(*columns) -> np.ndarray:
    """Integer codes of text columns laid end to end (-1 for a missing or empty value)."""
    codes, uniq = encode_text(*columns)
    codes = np.concatenate(codes)
    empty = np.flatnonzero(uniq == "")
    return np.where(codes == empty[0], -1, codes) if len(empty) else codes


def _combine(*parts: np.ndarray) -> np.ndarray:
    """One code per row for a combination of key codes (-1 where any part is -1)."""
    out = parts[0]
    for c in parts[1:]:
        ok = (out >= 0) & (c >= 0)
        key = out * (int(c.max(initial=0)) + 1) + c
        out = np.where(ok, pd.factorize(np.where(ok, key, -1))[0], -1)
    return out


def _dates(frame: pd.DataFrame, col: str) -> pd.Series:
    if col in frame:
        return pd.to_datetime(frame[col]).dt.normalize()
    return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")


def _keys(rosters: pd.DataFrame, register: pd.DataFrame) -> dict[str, np.ndarray]:
    """Integer codes of every key column over roster rows followed by register rows."""
    names = normalize_names(pd.concat([rosters["姓名"], register["姓名"]], ignore_index=True))
    birth = pd.concat([_dates(rosters, "出生日期"), _dates(register, "出生日期")],
                      ignore_index=True)
    days = birth.to_numpy(dtype="datetime64[D]").astype(np.int64)
    return {
        "school": _factor(rosters["学校标识码"], register["学校标识码"]),
        "klass": _factor(normalize_class(rosters["班级"]), normalize_class(register["班级"])),
        "sex": _factor(rosters["性别"], register["性别"]),
        "name": _factor(names["name"]), "sound": _factor(names["sound"]),
        "shape": _factor(names["shape"]),
        "birth": np.where(birth.isna().to_numpy(), -1, pd.factorize(days)[0]),
    }


def _ranked(codes: np.ndarray, rows: np.ndarray, unique: bool):
    """(code × rank-in-code keys, rows) for ``rows`` in file order; with ``unique`` only rows
    whose code no other row of ``rows`` shares."""
    c = codes[rows]
    order = np.argsort(c, kind="stable")
    c, rows = c[order], rows[order]
    first = np.searchsorted(c, c, side="left")
    rank = np.arange(len(c)) - first
    if unique:
        last = np.searchsorted(c, c, side="right")
        keep = (last - first) == 1
        c, rows, rank = c[keep], rows[keep], rank[keep]
    return c * (len(codes) + 1) + rank, rows


def _join(ros_code: np.ndarray, reg_code: np.ndarray, ros_free: np.ndarray,
          reg_free: np.ndarray, unique: bool) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (roster positions, register positions) of free rows sharing a code, one to one in
    file order; with ``unique`` only codes held by exactly one free row on each side."""
    width = max(len(ros_code), len(reg_code))
    kr, r = _ranked(np.append(ros_code, np.full(width - len(ros_code), -1)),
                    np.flatnonzero(ros_free & (ros_code >= 0)), unique)
    kg, g = _ranked(np.append(reg_code, np.full(width - len(reg_code), -1)),
                    np.flatnonzero(reg_free & (reg_code >= 0)), unique)
    _, ir, ig = np.intersect1d(kr, kg, assume_unique=True, return_indices=True)
    return r[ir], g[ig]


PASSES: tuple[tuple[str, tuple[str, ...], bool, bool], ...] = (
    ("同班同名", ("school", "klass", "name", "sex"), True, False),
    ("同校同名", ("school", "name", "sex"), True, False),
    ("同校同音", ("school", "sound", "sex"), True, False),
    ("同校形近", ("school", "shape", "sex"), True, False),
    ("跨校同名", ("name", "sex"), False, True),
    ("跨校同音", ("sound", "sex"), False, True),
    ("跨校形近", ("shape", "sex"), False, True),
)
"""(method, key columns, same school, unique only) after the ID passes, most certain first."""


def _id_codes(rosters: pd.DataFrame, register: pd.DataFrame, col: str):
    """Codes of the 学籍号 or the 18-digit ID number on both sides (-1 where missing)."""
    if col not in rosters or rosters[col].notna().sum() == 0:
        return None
    if col == "身份证件号":
        a, b = validate_ids(rosters[col])["id18"], validate_ids(register[col])["id18"]
    else:
        a, b = rosters[col], register[col]
    codes = _factor(a, b)
    return codes[: len(a)], codes[len(a):]


def reconcile(students: pd.DataFrame, rosters: pd.DataFrame) -> ReconcileResult:
    """Match every roster row to at most one 在校 register record (see the module docstring)."""
    status = students["学籍状态"].to_numpy(dtype=object, na_value="")
    active = np.flatnonzero(status == "在校")
    register = students[[c for c in REGISTER_COLUMNS if c in students]].iloc[active]
    n = len(rosters)
    keys = _keys(rosters, register)
    ros_free = np.ones(n, dtype=bool)
    reg_free = np.ones(len(register), dtype=bool)
    has_birth = keys["birth"][:n] >= 0
    school = keys["school"]
    found: list[pd.DataFrame] = []

    on_own = np.zeros(len(register), dtype=bool)  # on its own school's roster

    def take(r: np.ndarray, g: np.ndarray, method: str) -> None:
        ros_free[r], reg_free[g] = False, False
        on_own[g[school[r] == school[n + g]]] = True
        found.append(pd.DataFrame({"roster_row": r, "g": g, "method": method}))

    for method, col in zip(_SAME[:2], ("学籍号", "身份证件号"), strict=True):
        codes = _id_codes(rosters, register, col)
        if codes is not None:
            take(*_join(codes[0], codes[1], ros_free, reg_free, False), method)
    for method, cols, same, unique in PASSES:
        for with_birth in (True, False):
            code = _combine(*(keys[c] for c in cols + (("birth",) if with_birth else ())))
            rc = np.where(has_birth == with_birth, code[:n], -1)
            r, g = _join(rc, code[n:], ros_free, reg_free, unique)
            if not same:  # a record of the roster's own school is not 人籍分离
                differ = school[r] != school[n + g]
                r, g = r[differ], g[differ]
            take(r, g, method)

    pairs = pd.concat(found, ignore_index=True)
    pairs = _describe(pairs, rosters, register, active)
    taken = np.unique(school[:n][school[:n] >= 0])
    roster_schools = frozenset(rosters["学校标识码"].dropna().astype(str).unique().tolist())
    left = np.flatnonzero(~on_own & np.isin(school[n:], taken))
    absent = register.iloc[left].assign(register_row=active[left])
    unregistered = rosters.iloc[np.flatnonzero(ros_free)].assign(
        roster_row=np.flatnonzero(ros_free))
    separated = pairs[~pairs["same_school"].to_numpy()]
    return ReconcileResult(pairs, absent.reset_index(drop=True),
                           unregistered.reset_index(drop=True),
                           separated.reset_index(drop=True), roster_schools)


def _describe(pairs, rosters, register, active) -> pd.DataFrame:
    """Add the roster's and the register's identifying columns to the matched pairs."""
    r, g = pairs["roster_row"].to_numpy(dtype=np.int64), pairs["g"].to_numpy(dtype=np.int64)
    out = pd.DataFrame({
        "roster_row": r,
        "register_row": active[g],
        "学籍号": register["学籍号"].to_numpy()[g],
        "method": pairs["method"].to_numpy(),
        "roster_school": rosters["学校标识码"].to_numpy(dtype=object)[r],
        "roster_class": rosters["班级"].to_numpy()[r],
        "roster_name": rosters["姓名"].to_numpy()[r],
        "roster_sex": rosters["性别"].to_numpy()[r],
        "register_school": register["学校标识码"].to_numpy(dtype=object)[g],
        "register_class": register["班级"].to_numpy()[g] if "班级" in register else pd.NA,
        "register_name": register["姓名"].to_numpy()[g],
        "register_sex": register["性别"].to_numpy()[g],
    })
    out["same_school"] = (out["roster_school"] == out["register_school"]).to_numpy(dtype=bool)
    return out.sort_values("roster_row", ignore_index=True)


def investigation_table(result: ReconcileResult, school: str) -> pd.DataFrame:
    """The 人籍不一致学生排查表 rows of one school (FORMS.md; columns
    :data:`INVESTIGATION_COLUMNS`), ordered by 班级 then 类别, 原因/整改措施 left blank.

    A 人籍分离 child appears at both schools, as 人籍分离 only: at the roster's school with 备注
    naming where the record is, at the record's school with 备注 naming where the child studies.
    """
    a = result.absent[((result.absent["学校标识码"] == school).fillna(False)
                       & ~result.absent["register_row"].isin(result.separated["register_row"])
                       ).to_numpy()]
    u = result.unregistered[(result.unregistered["学校标识码"] == school).fillna(False).to_numpy()]
    sep = result.separated
    here = sep[(sep["roster_school"] == school).to_numpy()]
    away = sep[(sep["register_school"] == school).to_numpy()]
    xjh_u = u["学籍号"] if "学籍号" in u else pd.Series(pd.NA, index=u.index)
    parts = [
        pd.DataFrame({"班级": a["班级"], "学生姓名": a["姓名"], "性别": a["性别"],
                      "学籍号": a["学籍号"], "类别": "在籍不在校", "备注": ""}),
        pd.DataFrame({"班级": u["班级"], "学生姓名": u["姓名"], "性别": u["性别"],
                      "学籍号": xjh_u, "类别": "在校不在籍", "备注": ""}),
        pd.DataFrame({"班级": here["roster_class"], "学生姓名": here["roster_name"],
                      "性别": here["roster_sex"], "学籍号": here["学籍号"], "类别": "人籍分离",
                      "备注": "学籍在 " + here["register_school"].astype(str) + "（"
                      + here["register_class"].astype(str) + "）"}),
        pd.DataFrame({"班级": away["register_class"], "学生姓名": away["register_name"],
                      "性别": away["register_sex"], "学籍号": away["学籍号"], "类别": "人籍分离",
                      "备注": "人在 " + away["roster_school"].astype(str) + "（"
                      + away["roster_class"].astype(str) + "）就读"}),
    ]
    out = pd.concat([p.astype(object) for p in parts], ignore_index=True)
    order = out["类别"].map({c: i for i, c in enumerate(CATEGORIES)})
    out = out.assign(_o=order).sort_values(["班级", "_o", "学生姓名"], kind="stable",
                                            ignore_index=True).drop(columns="_o")
    out.insert(0, "序号", range(1, len(out) + 1))
    out["原因"], out["整改措施"] = "", ""
    return out[list(INVESTIGATION_COLUMNS)]


def write_investigation_xlsx(result: ReconcileResult, school: str, path,
                             school_name: str = "", checked_on: str = "") -> Path:
    """Write the 排查表 of ``school`` as .xlsx: the header lines of FORMS.md, then the table, with
    a drop-down of :data:`CAUSES` on every 原因 cell for the school to choose from."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    from .output import escape_formula

    table = investigation_table(result, school)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "排查表"
    ws.append(["人籍不一致学生排查表"])
    ws.append([f"学校：{school_name or school}", "", "", f"排摸日期：{checked_on}", "",
               "填表人：", "", "校长签字："])
    ws.append(list(INVESTIGATION_COLUMNS))
    for row in table.itertuples(index=False):
        ws.append([escape_formula(None if pd.isna(v) else v) for v in row])
    causes = DataValidation(type="list", formula1='"' + ",".join(CAUSES) + '"',
                            allow_blank=True)
    ws.add_data_validation(causes)
    col = INVESTIGATION_COLUMNS.index("原因") + 1
    letter = ws.cell(row=1, column=col).column_letter
    causes.add(f"{letter}4:{letter}{max(len(table), 1) + 3 + 50}")
    wb.save(path)
    return path
