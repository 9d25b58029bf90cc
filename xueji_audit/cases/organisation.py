"""Organisation settings of a workspace: who issues each form and who answers it.

One JSON file in the workspace folder (:data:`ORGANISATION_FILE`), written atomically::

    {"教育局": {"单位": …, "责任人": …, "联系电话": …},      # the county bureau (报告单)
     "技术部门": {…},                                         # issues 核查单 (通知2016 附件3)
     "行政部门": {…},                                         # issues 督办单 (通知2016 附件4)
     "乡镇": {"吉强镇": {"单位": "吉强镇人民政府", …}},        # issue 复学通知书 (西吉2020)
     "学校": {"学校标识码": {"单位": 学校名称, "责任人": 联系人, "联系电话": …}}}

A form whose issuer is not set is refused with :class:`MissingSettingError` naming the setting
and the command that sets it; the unit a case is assigned to (a school or a township, by name)
gives the form's 承办单位 contact when it is set.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from ..errors import XuejiError
from ..output import atomic_path

ORGANISATION_FILE = "organisation.json"
DEPARTMENTS: dict[str, str] = {"教育局": "县级教育行政部门（问题报告单的报送单位）",
                               "技术部门": "教育局技术部门（核查单的交办单位）",
                               "行政部门": "教育局行政部门（督办单的督办单位）"}
GROUPS: dict[str, str] = {"乡镇": "乡镇人民政府（按户口所在地发复学通知书）",
                          "学校": "学校（承办核查、填写排查表；按学校标识码）"}
PARTS: tuple[str, ...] = (*DEPARTMENTS, *GROUPS)
FIELDS: tuple[str, ...] = ("单位", "责任人", "联系电话")
FORM_ISSUER: dict[str, tuple[str, str]] = {"核查单": ("技术部门", "核查单的交办单位"),
                                           "督办单": ("行政部门", "督办单的督办单位"),
                                           "报告单": ("教育局", "报告单的报送单位")}
"""The department that issues each form, and its role (复学通知书: the township, see
:func:`township`; 排查表 is filled by the school and needs none)."""
MAX_TEXT = 100
_BAD = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


class MissingSettingError(XuejiError):
    """A form needs an organisation setting that is not set; ``part`` (and ``key``) name it."""

    def __init__(self, part: str, key: str = "", why: str = ""):
        self.part, self.key = part, key
        where = f"{part}「{key}」" if key else part
        how = (f"xueji-audit case org --workspace 工作区 --part {part}"
               + (f" --key {key}" if key else "") + " --unit 单位名称 --person 责任人 --phone 电话")
        super().__init__(f"未设置{where}{'（' + why + '）' if why else ''}，无法起草：请先在"
                         f"「机构设置」中填写，或运行 {how}。")


def _clean(value, label: str) -> str:
    s = "" if value is None else str(value).strip()
    if len(s) > MAX_TEXT or _BAD.search(s):
        raise XuejiError(f"{label}「{s[:20]}…」无效：不超过 {MAX_TEXT} 个字，且不含控制字符。")
    return s


def load(folder: str | Path) -> dict:
    """The settings of the workspace ``folder`` (empty parts when never set)."""
    path = Path(folder) / ORGANISATION_FILE
    data: dict = {}
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise XuejiError(f"机构设置文件 {path} 无法读取（{exc}），请重新设置。") from None
        if not isinstance(data, dict):
            raise XuejiError(f"机构设置文件 {path} 格式不对，请重新设置。")
    out = {part: dict(data.get(part) or {}) for part in PARTS}
    return out


def save(folder: str | Path, settings: dict) -> Path:
    """Write ``settings`` into the workspace ``folder`` (temporary file, then renamed)."""
    path = Path(folder) / ORGANISATION_FILE
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(settings, ensure_ascii=False, indent=1, sort_keys=True),
                       encoding="utf-8")
    return path


def set_part(folder: str | Path, part: str, *, key: str = "", unit: str = "", person: str = "",
             phone: str = "") -> dict:
    """Set one department (``key`` empty) or one township / school (``key``: the township's
    name or the 学校标识码); return the entry written."""
    if part not in PARTS:
        raise XuejiError(f"设置项「{part}」无效，可选：{'、'.join(PARTS)}。")
    key = _clean(key, "名称或学校标识码")
    if (part in GROUPS) != bool(key):
        raise XuejiError(f"设置{part}时须给出 --key（乡镇名称或学校标识码）。" if part in GROUPS
                         else f"设置{part}时不用 --key。")
    entry = {"单位": _clean(unit, "单位"), "责任人": _clean(person, "责任人"),
             "联系电话": _clean(phone, "联系电话")}
    if not entry["单位"]:
        raise XuejiError(f"{part}{'「' + key + '」' if key else ''}的单位名称不能为空。")
    settings = load(folder)
    if key:
        settings[part][key] = entry
    else:
        settings[part] = entry
    save(folder, settings)
    return entry


def issuer(settings: dict, form: str) -> dict:
    """单位 / 责任人 / 联系电话 of the department issuing ``form`` (refused when not set)."""
    part, role = FORM_ISSUER[form]
    entry = settings.get(part) or {}
    if not str(entry.get("单位") or "").strip():
        raise MissingSettingError(part, why=role)
    return {k: entry.get(k) or "" for k in FIELDS}


def township(settings: dict, name: str) -> dict:
    """The government of township ``name`` (refused, naming it, when not set)."""
    entry = (settings.get("乡镇") or {}).get(str(name or "").strip()) or {}
    if not str(entry.get("单位") or "").strip():
        raise MissingSettingError("乡镇", str(name or "").strip() or "（户口所在地不详）",
                                  "复学通知书由户口所在地乡镇人民政府发出")
    return {k: entry.get(k) or "" for k in FIELDS}


def contact(settings: dict, unit: str) -> dict:
    """The contact of the unit a case is assigned to, found by its name among the schools and
    townships (or its 学校标识码); empty fields when it is not set."""
    unit = str(unit or "").strip()
    for part in GROUPS:
        for key, entry in (settings.get(part) or {}).items():
            if unit and unit in (key, entry.get("单位")):
                return {k: entry.get(k) or "" for k in FIELDS}
    return {"单位": unit, "责任人": "", "联系电话": ""}


def table(settings: dict):
    """All settings as rows 设置项, 名称或代码, 单位, 责任人, 联系电话 (for show)."""
    import pandas as pd

    rows = [(part, "", *(settings.get(part, {}).get(k, "") for k in FIELDS))
            for part in DEPARTMENTS]
    rows += [(part, key, *(e.get(k, "") for k in FIELDS))
             for part in GROUPS for key, e in sorted((settings.get(part) or {}).items())]
    return pd.DataFrame(rows, columns=["设置项", "名称或代码", *FIELDS])
