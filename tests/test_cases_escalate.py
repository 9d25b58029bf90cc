"""Overdue cases: listed as 逾期, escalated to 督办 in one action that drafts the 督办单 for the
children still open."""
import datetime as dt

import pandas as pd
import pytest
from conftest import APP_USER, AS_OF, copy_workspace

from xueji_audit.cases import organisation
from xueji_audit.cases import replies as rp
from xueji_audit.cases.store import CaseStore
from xueji_audit.cli import main
from xueji_audit.errors import XuejiError
from xueji_audit.profile import load_profile
from xueji_audit.reports import cases as rc

D = dt.date(2026, 11, 2)  # + 5 working days = 2026-11-09
CAL = load_profile().calendar()
A, B = "G110101201001010011", "G110101201001010022"
F = pd.DataFrame({"rule_id": ["ID-01", "ID-01"], "rule_name": ["证件号错误"] * 2, "severity": ["高"] * 2,
                  "学籍号": [A, B], "姓名": ["张小明", "李小红"], "学校标识码": ["2111000001"] * 2,
                  "detail": ["校验位错误"] * 2})


@pytest.fixture
def store(tmp_path):
    with CaseStore(tmp_path / "cases.sqlite") as s:
        cid = s.open_case("核查", "证件号", F, deadline_workdays=5, user="督查员", on=D,
                          calendar=CAL)
        s.assign(cid, "第一小学", user="督查员", on=D)
        rp.record_reply(s, cid, A, verified="已更正", user="王老师", on=D)
        rp.review(s, cid, A, True, user="督查员", on=D)
        yield s


def test_escalating_an_overdue_case_drafts_the_supervision_form_for_the_rest(store, tmp_path):
    late = dt.date(2026, 11, 10)
    assert store.list_cases(as_of=late)["overdue"].tolist() == [True]
    with pytest.raises(organisation.MissingSettingError, match="未设置行政部门"):
        rc.escalate(store, 1, on=late, calendar=CAL, out_dir=tmp_path / "out", user="督查员")
    assert store.get_case(1)["status"] == "核查中"  # refused before any change
    organisation.set_part(tmp_path, "行政部门", unit="某县教育局基础教育股", person="何股长")
    with pytest.raises(XuejiError, match="在 2026-11-09 尚未逾期"):
        rc.escalate(store, 1, on=dt.date(2026, 11, 9), calendar=CAL, out_dir=tmp_path / "out",
                    user="督查员")
    paths = rc.escalate(store, 1, on=late, calendar=CAL, out_dir=tmp_path / "out", user="督查员")
    assert [p.name for p in paths] == [
        "督办单_案件1_李小红.docx", "督办单_案件1_李小红.pdf", "督办单汇总表_案件1.xlsx",
        "督办单汇总表_案件1.docx", "督办单_案件1_合并打印.pdf", "督办单_案件1_全部文书.zip"]
    case = store.get_case(1)
    assert case["status"] == "督办"
    last = case["history"].iloc[-1]
    assert (last["新值"], last["操作人"]) == ("督办", "督查员")
    assert "督办未办结的 1 名学生" in last["备注"]
    assert store.access_log(1)["action"].tolist() == ["起草文书"]
    summary = pd.read_excel(paths[2], dtype=str)
    assert summary["学籍号"].tolist() == [B] and summary["完成时限"].tolist() == ["2026年11月09日"]


def test_nothing_left_open_or_a_closed_case_is_not_escalated(store, tmp_path):
    organisation.set_part(tmp_path, "行政部门", unit="某县教育局基础教育股")
    store.attach_findings(F.iloc[0:0], dt.date(2026, 11, 10), "督查员")  # B fixed on re-audit
    with pytest.raises(XuejiError, match="均已办结或整改，无需督办"):
        rc.escalate(store, 1, on=dt.date(2026, 11, 10), calendar=CAL, out_dir=tmp_path,
                    user="督查员")
    store.close(1, user="督查员", on=dt.date(2026, 11, 10))
    with pytest.raises(XuejiError, match="已办结，不能督办"):
        rc.escalate(store, 1, on=dt.date(2026, 11, 10), calendar=CAL, out_dir=tmp_path,
                    user="督查员")


def test_escalate_from_the_command_line(tmp_path, capsys, _app_workspace):
    ws = copy_workspace(_app_workspace, tmp_path / "ws")
    organisation.set_part(ws, "行政部门", unit="清川县教育体育局基础教育股")
    w = ["--workspace", str(ws), "--user", APP_USER]
    assert main(["case", "open", "--kind", "核查", "--title", "证件号", "--rule", "ID-01",
                 "--xjh", "x", "--unit", "清川县第一小学", "--deadline", "1", *w,
                 "--as-of", AS_OF.isoformat()]) == 2  # no such child: nothing opened
    with CaseStore(ws / "cases.sqlite") as s:
        f = s.list_cases()
    assert f.empty
    from xueji_audit.workspace import Workspace
    with Workspace.open(ws) as opened:
        xjh = opened.findings.query("rule_id == 'ID-01'")["学籍号"].dropna().iloc[:2].tolist()
    assert main(["case", "open", "--kind", "核查", "--title", "证件号", "--rule", "ID-01",
                 *sum((["--xjh", x] for x in xjh), []), "--deadline", "1", *w,
                 "--as-of", AS_OF.isoformat()]) == 0
    assert main(["case", "assign", "1", "--unit", "清川县第一小学", *w,
                 "--as-of", AS_OF.isoformat()]) == 0
    later = (AS_OF + dt.timedelta(days=7)).isoformat()
    capsys.readouterr()
    assert main(["case", "list", "--workspace", str(ws), "--as-of", later]) == 0
    assert "逾期" in capsys.readouterr().out.splitlines()[-1]
    assert main(["case", "escalate", "1", *w, "--as-of", later]) == 0
    assert "已转为督办" in capsys.readouterr().out
    drafted = sorted(p.name for p in (ws / "forms" / "案件1").glob("督办单_案件1_*.docx"))
    assert len(drafted) == 2 and not any(x in n for x in xjh for n in drafted)
