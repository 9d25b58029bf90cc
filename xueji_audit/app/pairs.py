"""Data of the duplicate-pair reviewer app (疑似重复): the queue of DU-04 pairs with their
decisions, the two register records side by side, and saving a decision in the case store.

The pairs come from the audit (``session.result.duplicates.pairs``); the decisions live in the
case store (``decide_pair`` / ``decisions_frame``), so a decision shows again after a reload and
the next audit run respects it. A pair is unordered: it is matched to its decision by the
ordered pair of 学籍号.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import XuejiError
from ..matching.decisions import COLUMNS as DECISION_COLUMNS
from ..privacy import mask_id, mask_phone, mask_text, mask_xjh
from .display import card_html, escape, table_html
from .session import Session

ALL = "全部"
BANDS: tuple[str, ...] = (ALL, "确定", "疑似", "待复核")
"""Choices of the band filter (全部 = every band)."""
PENDING, DECIDED = "待认定", "已认定"
SHOWS: tuple[str, ...] = (PENDING, DECIDED, ALL)
"""Choices of the decision filter."""
ACCEPT_WORD, REJECT_WORD = "接受", "排除"
DECISION_LABELS: dict[str, str] = {ACCEPT_WORD: "确认重复", REJECT_WORD: "不是重复"}
"""决定 in the store → the words of the reviewer's buttons."""
DECISION_FIELDS: tuple[str, ...] = tuple(DECISION_COLUMNS[2:])  # 决定, 核查人, 日期, 备注

FIELDS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("姓名", ("姓名",), "姓名"),
    ("性别", ("性别",), "性别"),
    ("出生日期", ("出生日期",), "出生日期"),
    ("身份证件号", ("身份证件号",), "身份证件号"),
    ("学籍号", ("学籍号",), ""),
    ("学校", ("学校标识码",), "学校"),
    ("年级/班级", ("年级", "班级"), ""),
    ("学籍状态", ("学籍状态",), ""),
    ("监护人姓名", ("成员1姓名",), "监护人姓名"),
    ("监护人身份证件号", ("成员1身份证件号",), "监护人身份证件号"),
    ("联系电话", ("联系电话",), "联系电话"),
    ("现住址", ("现住址",), "现住址"),
    ("民族", ("民族",), "民族"),
)
"""Rows of the side-by-side table: (label, register columns, evidence column of the pairs)."""
SIDE_COLUMNS: tuple[str, ...] = ("字段", "学生甲", "学生乙", "比对结果")
_KIND_OF_FIELD = {"身份证件号": "id", "监护人身份证件号": "id", "学籍号": "xjh", "联系电话": "phone"}
_MASKERS = {"id": mask_id, "xjh": mask_xjh, "phone": mask_phone}
MISSING_LEVEL = "缺失"
UNLISTED = "本次比对未列出此对（已有认定）"
"""说明 of a decided pair that the latest audit no longer lists."""


def duplicates_reason(session: Session) -> str:
    """Why there are no pairs to review ("" when DU-04 ran)."""
    if session.result.duplicates is not None:
        return ""
    runs = session.result.rules_run
    why = runs.loc[runs["rule_id"] == "DU-04", "reason"] if "reason" in runs else pd.Series()
    text = str(why.iloc[0]) if len(why) and pd.notna(why.iloc[0]) else ""
    return text.strip() or "规则 DU-04 未运行"


def listed_pairs(session: Session) -> pd.DataFrame:
    """Every pair the audit's matching listed, with the register rows of its two records
    (``_row_a``, ``_row_b``) when known; a Chinese error when DU-04 did not run."""
    dup = session.result.duplicates
    if dup is None:
        raise XuejiError(f"未做重复学生比对：{duplicates_reason(session)}")
    rows = getattr(dup, "rows", None)  # absent from a workspace saved by an older version
    if rows is None or len(rows) != len(dup.pairs):
        return dup.pairs
    return dup.pairs.assign(_row_a=rows[:, 0], _row_b=rows[:, 1])


def with_decisions(pairs: pd.DataFrame, decisions: pd.DataFrame) -> pd.DataFrame:
    """``pairs`` ordered best score first (then by 学籍号), with the decision columns 决定,
    核查人, 日期, 备注 ("" while undecided) and ``rank`` (0, 1, … in that order).

    A decided pair that the matcher no longer lists (an audit run after a 排除 scores it 0) is
    added at the end without score, band or evidence, so 已认定 still shows every decision."""
    p = pairs.sort_values(["score", "学籍号_a", "学籍号_b"], ascending=[False, True, True],
                          kind="stable").reset_index(drop=True)
    a, b = p["学籍号_a"].astype(str).str.strip(), p["学籍号_b"].astype(str).str.strip()
    first = (a <= b).to_numpy()
    keys = pd.DataFrame({"_lo": np.where(first, a, b), "_hi": np.where(first, b, a)})
    d = decisions.rename(columns={"学籍号_a": "_lo", "学籍号_b": "_hi"})
    d = d[["_lo", "_hi", *DECISION_FIELDS]].drop_duplicates(["_lo", "_hi"], keep="last")
    found = keys.merge(d, on=["_lo", "_hi"], how="left")
    out = p.drop(columns=[c for c in DECISION_FIELDS if c in p.columns])
    for col in DECISION_FIELDS:
        out[col] = found[col].astype(object).where(found[col].notna(), "").astype(str).to_numpy()
    gone = d.merge(keys, on=["_lo", "_hi"], how="left", indicator=True)
    gone = gone[(gone["_merge"] == "left_only").to_numpy()]
    if len(gone):
        extra = pd.DataFrame({"学籍号_a": gone["_lo"].to_numpy(), "学籍号_b": gone["_hi"].to_numpy(),
                              "score": np.nan, "band": "", "说明": UNLISTED})
        for col in DECISION_FIELDS:
            extra[col] = gone[col].astype(object).where(gone[col].notna(), "").astype(str
                                                                                     ).to_numpy()
        out = pd.concat([out, extra], ignore_index=True)
    out["rank"] = np.arange(len(out))
    return out


def _one_xjh(pairs: pd.DataFrame) -> np.ndarray:
    return (pairs["学籍号_a"].astype(str).str.strip()
            == pairs["学籍号_b"].astype(str).str.strip()).to_numpy()


def one_xjh_pairs(session: Session) -> pd.DataFrame:
    """Listed pairs of two records holding one 学籍号: already findings of DU-02 (学籍号重复)
    and not open to a decision, which the case store keys by two different 学籍号."""
    pairs = listed_pairs(session)
    return pairs[_one_xjh(pairs)]


def all_pairs(session: Session) -> pd.DataFrame:
    """Every pair of two different 学籍号 with the decisions now in the case store
    (:func:`with_decisions`)."""
    pairs = listed_pairs(session)
    return with_decisions(pairs[~_one_xjh(pairs)], session.store.decisions_frame())


def filter_queue(queue: pd.DataFrame, band: str = "", show: str = PENDING) -> pd.DataFrame:
    """The rows of ``queue`` in ``band`` ("" or 全部: any) and ``show`` (待认定 / 已认定 / 全部)."""
    band = (band or ALL).strip()
    if band not in BANDS:
        raise XuejiError(f"档次「{band}」无效，可选：{'、'.join(BANDS)}。")
    if show not in SHOWS:
        raise XuejiError(f"显示范围「{show}」无效，可选：{'、'.join(SHOWS)}。")
    keep = np.ones(len(queue), dtype=bool)
    if band != ALL:
        keep &= (queue["band"] == band).to_numpy()
    decided = (queue["决定"] != "").to_numpy()
    if show == PENDING:
        keep &= ~decided
    elif show == DECIDED:
        keep &= decided
    return queue[keep]


def pair_queue(session: Session, band: str = "", show: str = PENDING) -> pd.DataFrame:
    """The pairs to review, best score first, with their decision columns (决定 …, "" while
    undecided); ``band`` and ``show`` filter as :func:`filter_queue`. A Chinese error when
    DU-04 did not run."""
    return filter_queue(all_pairs(session), band, show).reset_index(drop=True)


def _display(s: pd.Series) -> pd.Series:
    """A register column as display text ("" for missing; dates as YYYY-MM-DD)."""
    if pd.api.types.is_datetime64_any_dtype(s):
        s = s.dt.strftime("%Y-%m-%d")
    return s.astype("string").fillna("").str.strip()


@dataclass(frozen=True)
class StudentIndex:
    """The register as display text: ``frame`` has one row per register row (in register
    order) and one column per :data:`FIELDS` label whose register columns are present;
    ``first`` is the row of each 学籍号's first record."""

    frame: pd.DataFrame
    first: pd.Series

    def records(self, pair_row) -> pd.DataFrame:
        """The two records of a pair (empty text where one is unknown): the rows the matcher
        compared when the pair names them, else each 学籍号's first record."""
        rows = []
        for side in ("a", "b"):
            row = pair_row.get(f"_row_{side}")
            if row is None or pd.isna(row) or not 0 <= int(row) < len(self.frame):
                row = self.first.get(str(pair_row[f"学籍号_{side}"]).strip())
            rows.append(-1 if row is None else int(row))
        two = self.frame.iloc[[max(r, 0) for r in rows]].reset_index(drop=True)
        for k, r in enumerate(rows):
            if r < 0:
                two.iloc[k] = ""
        return two


def student_index(session: Session) -> StudentIndex:
    """The register as display text for :func:`side_by_side` (see :class:`StudentIndex`)."""
    st = session.students
    present = session.loaded.present_columns("students") or set(st.columns)
    out = {}
    for label, cols, _ in FIELDS:
        cols = [c for c in cols if c in st.columns and c in present]
        if not cols:
            continue
        if label == "学校":
            code = _display(st["学校标识码"])
            out[label] = code.map(session.names).astype("string").fillna(code)
        elif label == "年级/班级":
            parts = [_display(st[c]) for c in cols]
            parts = [(p + "年级").where(p != "", "") if c == "年级" else p
                     for c, p in zip(cols, parts, strict=True)]
            text = parts[0]
            for p in parts[1:]:
                sep = pd.Series(np.where((text != "") & (p != ""), " / ", ""), index=p.index)
                text = text + sep + p
            out[label] = text
        else:
            out[label] = _display(st[cols[0]])
    frame = pd.DataFrame(out, index=st.index).reset_index(drop=True)
    keys = pd.Series(np.arange(len(st)), index=_display(st["学籍号"]).to_numpy())
    return StudentIndex(frame, keys[~keys.index.duplicated(keep="first")])


def _level(evidence) -> str:
    """The agreement level of an evidence text ``<level>：<a> / <b>``."""
    if evidence is None or (not isinstance(evidence, str) and pd.isna(evidence)):
        return ""
    return str(evidence).split("：", 1)[0].strip()


def _row_class(level: str, a: str, b: str, has_evidence: bool) -> str:
    if has_evidence:
        if not level or level == MISSING_LEVEL:
            return ""
        return "same" if level.endswith("一致") else "diff"
    if not a or not b:
        return ""
    return "same" if a == b else "diff"


def side_by_side(session: Session, pair_row, index: StudentIndex | None = None
                 ) -> tuple[pd.DataFrame, list[str]]:
    """The two records of a pair, one row per field (字段, 学生甲, 学生乙, 比对结果: the
    matcher's level for that field), unmasked; and each row's class "same" / "diff" / ""
    (missing on a side). ``index`` is :func:`student_index` (computed when not given)."""
    index = student_index(session) if index is None else index
    two = index.records(pair_row)
    rows, classes = [], []
    for label, _, evidence in FIELDS:
        if label not in two.columns:
            continue
        va, vb = str(two.at[0, label]), str(two.at[1, label])
        has = bool(evidence) and evidence in pair_row and _text(pair_row[evidence]) != ""
        level = _level(pair_row[evidence]) if has else ""
        if not has:
            level = "" if not va or not vb else ("一致" if va == vb else "不同")
        rows.append((label, va, vb, level))
        classes.append(_row_class(level, va, vb, has))
    return pd.DataFrame(rows, columns=list(SIDE_COLUMNS)), classes


def mask_side(frame: pd.DataFrame, reveal: bool = False) -> pd.DataFrame:
    """A :func:`side_by_side` table with ID numbers, 学籍号 and phone numbers masked by the
    field of each row (unchanged with ``reveal``)."""
    if reveal or len(frame) == 0:
        return frame
    out = frame.copy()
    cells = out[["学生甲", "学生乙"]].to_numpy(dtype=object)
    kinds = out["字段"].map(_KIND_OF_FIELD).to_numpy()
    for kind, masker in _MASKERS.items():
        hit = kinds == kind
        if hit.any():
            values = pd.Series(cells[hit].ravel(), dtype="string")
            cells[hit] = masker(values).fillna("").to_numpy(dtype=object).reshape(-1, 2)
    out["学生甲"], out["学生乙"] = cells[:, 0], cells[:, 1]
    return out

def pair_header(pair_row) -> dict:
    """学籍号甲, 学籍号乙, 得分, 档次, 主要依据 and 说明 (when any) of a pair, for a card."""
    head = {"学籍号甲": str(pair_row["学籍号_a"]), "学籍号乙": str(pair_row["学籍号_b"]),
            "得分": "—" if pd.isna(pair_row["score"]) else f"{float(pair_row['score']):.3f}",
            "档次": _text(pair_row["band"]) or "—",
            "主要依据": _text(pair_row.get("主要依据"))}
    note = _text(pair_row.get("说明"))
    if note:
        head["说明"] = note
    return head


def _text(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def decision_text(pair_row) -> str:
    """「已认定：确认重复（核查人，日期）」 (with its 备注) of a decided pair, "" otherwise."""
    word = _text(pair_row.get("决定"))
    if not word:
        return ""
    label = DECISION_LABELS.get(word, word)
    text = f"已认定：{label}（{_text(pair_row.get('核查人'))}，{_text(pair_row.get('日期'))}）"
    note = _text(pair_row.get("备注"))
    return text + (f"；备注：{note}" if note else "")


def decide(session: Session, a: str, b: str, accept: bool, note: str = "") -> dict:
    """Save in the case store that ``a`` and ``b`` are (``accept``) or are not the same child,
    by ``config.user`` on ``config.as_of``; returns the decision columns 决定, 核查人, 日期,
    备注 as the store now holds them."""
    user, on = session.config.user, session.config.as_of
    note = (note or "").strip()
    session.store.decide_pair(a, b, bool(accept), user=user, on=on, note=note)
    return {"决定": ACCEPT_WORD if accept else REJECT_WORD, "核查人": str(user).strip(),
            "日期": on.isoformat(), "备注": note}


def apply_decision(queue: pd.DataFrame, a: str, b: str, decision: dict) -> pd.DataFrame:
    """Write ``decision`` (as :func:`decide` returns it) into the row of pair (a, b) of
    ``queue`` in place (either order); returns ``queue``."""
    a, b = str(a).strip(), str(b).strip()
    qa, qb = queue["学籍号_a"].astype(str), queue["学籍号_b"].astype(str)
    hit = (((qa == a) & (qb == b)) | ((qa == b) & (qb == a))).to_numpy()
    for col in DECISION_FIELDS:
        queue.loc[hit, col] = str(decision.get(col, ""))
    return queue


def pair_html(session: Session, pair_row, reveal: bool = False,
              index: StudentIndex | None = None) -> str:
    """The page part of one pair: its header card, its decision (if any) and the records side
    by side, masked unless ``reveal``."""
    frame, classes = side_by_side(session, pair_row, index)
    parts = [card_html(pair_header(pair_row), reveal)]
    done = decision_text(pair_row)
    if done:
        shown = done if reveal else str(mask_text(pd.Series([done])).iloc[0])
        parts.append(f'<p class="xj-ok">{escape(shown)}</p>')
    parts.append(table_html(mask_side(frame, reveal), reveal, row_classes=classes))
    return "".join(parts)
