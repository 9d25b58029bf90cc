"""Rule profiles: which rules run, their parameters and the calendar, from a TOML file.

Built-in profiles live in ``xueji_audit/profiles/<name>.toml``; a user may pass the path of
their own file, which may ``extends`` a built-in profile (by name) or another file (by a path
relative to it). A child replaces the keys it sets: a calendar list replaces the parent's list,
``[rules] enable/disable`` apply on top of the parent's set, ``[params.RULE-ID]`` override
single parameters, ``[values.<列>]`` add local spellings of a coded column (学籍状态, 性别,
身份证件类型, 年级 …: ``"在册" = "在校"``), read by the loader.

Every mistake — an unknown key, a wrong type, an unknown rule id or parameter — raises
:class:`~xueji_audit.errors.ProfileError` naming the file, the key and the value.
"""
from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .dates import parse_date
from .errors import ProfileError, XuejiError
from .rules import CATALOGUE, parse_monthday, validate_param
from .terms import TermCalendar
from .workdays import WorkCalendar

PROFILE_DIR = Path(__file__).parent / "profiles"
DEFAULT_PROFILE = "national-2025"
DEFAULT_CALENDAR: dict[str, Any] = {
    "vacations": (("01-20", "02-19"), ("07-15", "08-31")),
    "extra_holidays": (),
    "extra_workdays": (),
    "term_starts": ("09-01", "03-01"),
    "age_cutoff": "08-31",
    "promotion": "08-10",
    "terms": {},
}
_TERM_KEY = re.compile(r"^\d{4}-(autumn|spring)$")
_TOP_KEYS = {"name": "字符串", "title": "字符串", "extends": "字符串", "calendar": "表",
             "rules": "表", "params": "表", "values": "表"}
_RULES_KEYS = ("enable", "disable")


@dataclass(frozen=True)
class Profile:
    name: str
    title: str  # Chinese
    source: str  # the file it was read from
    chain: tuple[str, ...]  # names from the root ancestor to this profile
    vacations: tuple  # (start, end) pairs: "MM-DD" texts or dates, inclusive
    extra_holidays: tuple[dt.date, ...]
    extra_workdays: tuple[dt.date, ...]
    term_starts: tuple[tuple[int, int], ...]
    age_cutoff: tuple[int, int]
    enabled: frozenset[str]
    overrides: MappingProxyType  # rule id -> {param: value} set by this profile or a parent
    promotion: tuple[int, int] = (8, 10)  # the 升级 day: the last day of a school year
    terms: tuple[tuple[str, dt.date], ...] = ()  # the 校历: ("2027-spring", real start), sorted
    values: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))  # column -> {local value: accepted spelling}

    def is_enabled(self, rule_id: str) -> bool:
        return rule_id in self.enabled

    def params_for(self, rule_id: str) -> dict[str, Any]:
        """The parameters of a rule: its defaults with this profile's overrides."""
        return {**CATALOGUE[rule_id].defaults, **self.overrides.get(rule_id, {})}

    def term_calendar(self) -> TermCalendar:
        """The term starts: the 校历's real ones where given, else ``term_starts``."""
        return TermCalendar(self.term_starts, self.terms)

    def calendar(self, vacations: bool = False) -> WorkCalendar:
        """The working-day calendar; with ``vacations`` the 寒暑假 days do not count (TR-01)."""
        return WorkCalendar(self.extra_holidays, self.extra_workdays,
                            self.vacations if vacations else ())


def builtin_profiles() -> list[str]:
    """Names of the profiles shipped with the kit."""
    return sorted(p.stem for p in PROFILE_DIR.glob("*.toml"))


def load_profile(name_or_path: str | Path | None = None) -> Profile:
    """A built-in profile by name (default ``national-2025``) or a user's TOML file by path."""
    return _load(_locate(name_or_path or DEFAULT_PROFILE, None), ())


def _locate(ref: str | Path, base: Path | None) -> Path:
    ref_s = str(ref)
    if ref_s in builtin_profiles():
        return PROFILE_DIR / f"{ref_s}.toml"
    path = Path(ref_s)
    if base is not None and not path.is_absolute():
        path = base / path
    if path.is_file():
        return path
    raise ProfileError(f"找不到规则配置「{ref_s}」。内置配置有：{'、'.join(builtin_profiles())}；"
                       "也可以给出自己的 .toml 文件路径。")


def _type_name(value: Any) -> str:
    names = {str: "字符串", int: "整数", float: "小数", bool: "布尔值", list: "列表", dict: "表",
             dt.date: "日期"}
    return names.get(type(value), type(value).__name__)


def _bad(path: Path, key: str, expected: str, value: Any) -> ProfileError:
    return ProfileError(f"规则配置 {path}：键「{key}」应为{expected}，实际为 {value!r}"
                        f"（{_type_name(value)}）。")


def _unknown(path: Path, key: str, allowed) -> ProfileError:
    return ProfileError(f"规则配置 {path}：未知的键「{key}」。可用的键：{'、'.join(allowed)}。")


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"规则配置 {path} 不是有效的 TOML：{exc}。") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"无法读取规则配置 {path}：{exc}。") from None


def _load(path: Path, seen: tuple[Path, ...]) -> Profile:
    path = path.resolve()
    if path in seen:
        raise ProfileError(f"规则配置 {path} 的 extends 形成循环。")
    doc = _read(path)
    for key, value in doc.items():
        if key not in _TOP_KEYS:
            raise _unknown(path, key, _TOP_KEYS)
        want = dict if _TOP_KEYS[key] == "表" else str
        if not isinstance(value, want):
            raise _bad(path, key, _TOP_KEYS[key], value)
    parent = _load(_locate(doc["extends"], path.parent), (*seen, path)) if "extends" in doc \
        else None
    name = doc.get("name", path.stem)
    cal = _calendar(path, doc.get("calendar", {}), parent)
    return Profile(
        name=name,
        title=doc.get("title", parent.title if parent and "name" not in doc else name),
        source=str(path),
        chain=(*(parent.chain if parent else ()), name),
        enabled=_enabled(path, doc.get("rules", {}), parent),
        overrides=_overrides(path, doc.get("params", {}), parent),
        values=_values(path, doc.get("values", {}), parent),
        **cal,
    )


def _dates(path: Path, key: str, value: Any) -> tuple[dt.date, ...]:
    if not isinstance(value, list):
        raise _bad(path, key, "日期列表", value)
    out = []
    for v in value:
        try:
            out.append(parse_date(v) if isinstance(v, str | dt.date) else None)
        except XuejiError:
            out.append(None)
        if out[-1] is None:
            raise _bad(path, key, "日期列表（YYYY-MM-DD）", v)
    return tuple(out)


def _monthday(path: Path, key: str, value: Any) -> tuple[int, int]:
    try:
        return parse_monthday(value)
    except ValueError:
        raise _bad(path, key, "月-日字符串（如 \"08-31\"）", value) from None


def _terms(path: Path, doc: Any, parent: tuple) -> tuple[tuple[str, dt.date], ...]:
    """``[calendar.terms]``: "YYYY-autumn" / "YYYY-spring" = the real start date, added to
    (or replacing single terms of) the parent's 校历."""
    if not isinstance(doc, dict):
        raise _bad(path, "calendar.terms", "表（如 \"2027-spring\" = 2027-02-22）", doc)
    out = dict(parent)
    for key, value in doc.items():
        if not _TERM_KEY.match(key):
            raise _bad(path, "calendar.terms", "形如「2026-autumn」「2027-spring」的学期名", key)
        (start,) = _dates(path, f"calendar.terms.{key}", [value])
        year = int(key[:4])
        if start.year != year or (key.endswith("autumn") != (start.month >= 7)):
            raise _bad(path, f"calendar.terms.{key}", f"{key} 学期内的开学日期", value)
        out[key] = start
    return tuple(sorted(out.items()))


def _calendar(path: Path, doc: dict, parent: Profile | None) -> dict[str, Any]:
    for key in doc:
        if key not in DEFAULT_CALENDAR:
            raise _unknown(path, f"calendar.{key}", DEFAULT_CALENDAR)
    if parent is None:
        out = {"vacations": DEFAULT_CALENDAR["vacations"], "extra_holidays": (),
               "extra_workdays": (), "age_cutoff": parse_monthday(DEFAULT_CALENDAR["age_cutoff"]),
               "term_starts": tuple(parse_monthday(t) for t in DEFAULT_CALENDAR["term_starts"]),
               "promotion": parse_monthday(DEFAULT_CALENDAR["promotion"]), "terms": ()}
    else:
        out = {k: getattr(parent, k) for k in DEFAULT_CALENDAR}
    if "vacations" in doc:
        v = doc["vacations"]
        if not isinstance(v, list) or not all(
                isinstance(p, list) and len(p) == 2 and all(isinstance(x, str | dt.date) for x in p)
                for p in v):
            raise _bad(path, "calendar.vacations", "[开始, 结束] 对的列表（月-日或完整日期）", v)
        out["vacations"] = tuple(tuple(p) for p in v)
    for key in ("extra_holidays", "extra_workdays"):
        if key in doc:
            out[key] = _dates(path, f"calendar.{key}", doc[key])
    if "term_starts" in doc:
        t = doc["term_starts"]
        if not isinstance(t, list) or not t:
            raise _bad(path, "calendar.term_starts", "月-日字符串列表", t)
        out["term_starts"] = tuple(_monthday(path, "calendar.term_starts", x) for x in t)
    if "age_cutoff" in doc:
        out["age_cutoff"] = _monthday(path, "calendar.age_cutoff", doc["age_cutoff"])
    if "promotion" in doc:
        out["promotion"] = _monthday(path, "calendar.promotion", doc["promotion"])
    if "terms" in doc:
        out["terms"] = _terms(path, doc["terms"], out["terms"])
    try:  # let the calendar check the ranges and the holiday/workday overlap
        WorkCalendar(out["extra_holidays"], out["extra_workdays"], out["vacations"])
    except ProfileError as exc:
        raise ProfileError(f"规则配置 {path}：{exc}") from None
    return out


def _rule_ids(path: Path, key: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _bad(path, key, "规则编号列表", value)
    unknown = [v for v in value if v not in CATALOGUE]
    if unknown:
        raise ProfileError(f"规则配置 {path}：键「{key}」中有未知的规则编号："
                           f"{'、'.join(unknown)}。可用 xueji-audit rules 查看全部规则。")
    return value


def _enabled(path: Path, doc: dict, parent: Profile | None) -> frozenset[str]:
    for key in doc:
        if key not in _RULES_KEYS:
            raise _unknown(path, f"rules.{key}", _RULES_KEYS)
    on = set(parent.enabled) if parent else {r.id for r in CATALOGUE.values() if r.default_on}
    on |= set(_rule_ids(path, "rules.enable", doc.get("enable", [])))
    on -= set(_rule_ids(path, "rules.disable", doc.get("disable", [])))
    return frozenset(on)


def _overrides(path: Path, doc: dict, parent: Profile | None) -> MappingProxyType:
    out = {k: dict(v) for k, v in (parent.overrides.items() if parent else ())}
    for rule_id, values in doc.items():
        if rule_id not in CATALOGUE:
            raise ProfileError(f"规则配置 {path}：[params.{rule_id}] 中的规则编号未知。"
                               "可用 xueji-audit rules 查看全部规则。")
        if not isinstance(values, dict):
            raise _bad(path, f"params.{rule_id}", "表", values)
        r = CATALOGUE[rule_id]
        for pname, value in values.items():
            try:
                param = r.param(pname)
            except KeyError:
                names = "、".join(p.name for p in r.params) or "（无）"
                raise ProfileError(f"规则配置 {path}：规则 {rule_id} 没有参数「{pname}」。"
                                   f"可用参数：{names}。") from None
            expected = validate_param(param, value)
            if expected:
                raise _bad(path, f"params.{rule_id}.{pname}", expected, value)
            out.setdefault(rule_id, {})[pname] = value
    return MappingProxyType(out)


def _values(path: Path, doc: dict, parent: Profile | None) -> MappingProxyType:
    """``[values.<列>]``: local spellings of coded columns, each mapped to a spelling the
    vocabulary accepts (:data:`xueji_audit.schema.VOCABULARY`); merged over the parent's."""
    from .ingest.normalize import vocabulary
    from .schema import VOCABULARY_HINTS, coded_columns

    columns = coded_columns()
    out = {k: dict(v) for k, v in (parent.values.items() if parent else ())}
    for column, mapping in doc.items():
        if column not in columns:
            raise _unknown(path, f"values.{column}", columns)
        if not isinstance(mapping, dict):
            raise _bad(path, f"values.{column}", "表（本地写法 = 标准取值）", mapping)
        known = vocabulary(columns[column])
        for local, target in mapping.items():
            spelled = str(target).strip().upper() if isinstance(target, str | int) else None
            if isinstance(target, bool) or spelled is None or not (
                    spelled in known or str(target).strip() in known):
                raise _bad(path, f"values.{column}.{local}",
                           f"可识别的{column}（{VOCABULARY_HINTS[columns[column]]}）", target)
            out.setdefault(column, {})[local] = str(target).strip()
    return MappingProxyType(out)
