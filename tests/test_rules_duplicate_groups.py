"""DU-01/DU-02/DU-03 on one very large group: linear memory, one finding per record."""
from __future__ import annotations

import tracemalloc

import pandas as pd
from test_rules_helpers import AS_OF, frame, only_mine, pid, stu

from xueji_audit.audit import run_audit

N = 10_000


def _big_group() -> dict[str, pd.DataFrame]:
    same = pid(1)
    rows = [stu(1, 学籍号="G" + same, 身份证件号=same)] * N  # one child registered 10,000 times
    twin = stu(2, 身份证件号=None, 身份证件类型=None, 姓名="祁翊骁")  # no ID: DU-03 by name
    rows = rows + [{**twin, "学籍号": f"L6405229{k:011d}"} for k in range(N)]
    return {"students": frame("students", rows)}


def test_a_group_of_10000_is_one_finding_per_record_in_linear_memory():
    data = _big_group()
    tracemalloc.start()
    f = run_audit(data, AS_OF, only_mine()).findings
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    per = f["rule_id"].value_counts()
    assert per["DU-01"] == N and per["DU-02"] == N and per["DU-03"] == N
    du01 = f.loc[f["rule_id"] == "DU-01", "detail"]
    assert du01.str.contains(f"共出现在 {N} 条记录").all() and du01.str.endswith(" 等").all()
    listed = du01.iloc[0].rsplit("：", 1)[1].removesuffix(" 等").split("、")
    assert len(listed) == 10
    first = f.loc[f["rule_id"] == "DU-03", "detail"].iloc[0].rsplit("：", 1)[1]
    assert "L640522900000000000" not in first  # a record never lists itself ...
    assert "L640522900000000010" in first  # ... but the next ten of its group
    assert peak < 600 * 2**20  # 10,000² pairs would need gigabytes
