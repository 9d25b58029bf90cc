"""Organisation settings of a workspace: set, shown, validated, and the demo county's."""
import pytest
from conftest import copy_workspace

from xueji_audit.cases import organisation as org
from xueji_audit.demo.organisation import set_demo_organisation
from xueji_audit.errors import XuejiError


def test_settings_round_trip_and_lookups(tmp_path):
    assert org.load(tmp_path) == {p: {} for p in org.PARTS}  # never set: empty, no file
    org.set_part(tmp_path, "技术部门", unit="某县教育局技术科", person="刘某", phone="0954-1")
    org.set_part(tmp_path, "乡镇", key="城关镇", unit="某县城关镇人民政府", person="王某")
    org.set_part(tmp_path, "学校", key="2164040001", unit="某县第一小学", person="杨老师",
                 phone="139")
    s = org.load(tmp_path)
    assert org.issuer(s, "核查单") == {"单位": "某县教育局技术科", "责任人": "刘某", "联系电话": "0954-1"}
    assert org.township(s, "城关镇")["单位"] == "某县城关镇人民政府"
    assert org.contact(s, "某县第一小学") == {"单位": "某县第一小学", "责任人": "杨老师",
                                             "联系电话": "139"}
    assert org.contact(s, "2164040001")["责任人"] == "杨老师"
    assert org.contact(s, "别的学校") == {"单位": "别的学校", "责任人": "", "联系电话": ""}
    assert org.table(s)["单位"].tolist() == ["", "某县教育局技术科", "", "某县城关镇人民政府",
                                             "某县第一小学"]
    org.set_part(tmp_path, "技术部门", unit="某县教育局信息中心")  # replaces the entry
    assert org.issuer(org.load(tmp_path), "核查单")["责任人"] == ""


@pytest.mark.parametrize("kwargs, message", [
    ({"part": "财务科", "unit": "x"}, "设置项「财务科」无效"),
    ({"part": "学校", "unit": "x"}, "须给出 --key"),
    ({"part": "技术部门", "key": "x", "unit": "x"}, "不用 --key"),
    ({"part": "行政部门", "unit": " "}, "单位名称不能为空"),
    ({"part": "行政部门", "unit": "某县\u202e局"}, "不含控制字符"),
    ({"part": "行政部门", "unit": "局" * 101}, "不超过 100 个字"),
])
def test_bad_settings_are_refused_in_chinese_and_nothing_is_written(tmp_path, kwargs, message):
    part = kwargs.pop("part")
    with pytest.raises(XuejiError, match=message):
        org.set_part(tmp_path, part, **kwargs)
    assert not (tmp_path / org.ORGANISATION_FILE).exists()


def test_missing_settings_name_the_setting(tmp_path):
    s = org.load(tmp_path)
    with pytest.raises(org.MissingSettingError, match="未设置行政部门（督办单的督办单位）"):
        org.issuer(s, "督办单")
    with pytest.raises(org.MissingSettingError, match="未设置乡镇「河湾镇」"):
        org.township(s, "河湾镇")
    (tmp_path / org.ORGANISATION_FILE).write_text("[1, 2", encoding="utf-8")
    with pytest.raises(XuejiError, match="机构设置文件 .* 无法读取"):
        org.load(tmp_path)


def test_the_demo_county_sets_every_issuer_and_each_school(tmp_path, _app_workspace):
    ws = copy_workspace(_app_workspace, tmp_path / "ws")
    set_demo_organisation(ws)
    s = org.load(ws)
    assert org.issuer(s, "核查单")["单位"] == "清川县教育体育局教育信息技术中心"
    assert org.issuer(s, "督办单")["单位"] == "清川县教育体育局基础教育股"
    assert org.township(s, "城关镇")["单位"] == "清川县城关镇人民政府"
    from xueji_audit.workspace import Workspace
    with Workspace.open(ws) as opened:
        codes = set(opened.students["学校标识码"].dropna().astype(str))
    assert set(s["学校"]) == codes
