"""``xueji-audit chain``: one child's chain from a workspace, across a 学籍号 change."""
import argparse
import datetime as dt

import pandas as pd
import pytest

from xueji_audit.commands import chain as command
from xueji_audit.errors import XuejiError
from xueji_audit.ids import make_id, make_xjh_g, make_xjh_l
from xueji_audit.output import write_csv
from xueji_audit.workspace import build_workspace

ID = make_id("640426", dt.date(2016, 4, 5), 21, "女")
L, G = make_xjh_l("640426", 31), make_xjh_g(ID)


def data_dir(tmp_path):
    d = tmp_path / "data"
    write_csv(pd.DataFrame({
        "学籍号": [L, G], "姓名": ["李娜", "李娜"], "性别": ["女", "女"],
        "出生日期": ["2016-04-05"] * 2, "身份证件类型": ["居民身份证"] * 2, "身份证件号": [ID, ID],
        "学校标识码": ["6404260001", "6404260003"], "年级": ["四年级"] * 2,
        "学籍状态": ["转出", "在校"], "入学年月": ["202209"] * 2}), d / "学生.csv")
    write_csv(pd.DataFrame({
        "业务编号": ["T1", "T2", "X9"], "业务类型": ["转学", "转学", "转学"], "学籍号": [L, G, G],
        "转出学校标识码": ["6404260001", "6404260002", "6404260003"],
        "转入学校标识码": ["6404260002", "6404260003", "6404260004"],
        "发起日期": ["2024-03-04", "2025-09-08", "2026-10-09"],
        "业务状态": ["核办通过", "核办通过", "撤销"],
        "办结日期": ["2024-03-11", "2025-09-15", ""]}), d / "异动.csv")
    ws = tmp_path / "ws"
    build_workspace(d, ws, as_of=dt.date(2026, 11, 20), user="测试").close()
    return ws


def run(argv):
    p = argparse.ArgumentParser()
    command.register(p)
    return command.run(p.parse_args(argv))


def test_chain_across_a_number_change(tmp_path, capsys):
    d = data_dir(tmp_path)
    pic = tmp_path / "out" / "chain.png"
    assert run([L, "--workspace", str(d), "--as-of", "2026-11-20", "--picture", str(pic)]) == 0
    out = capsys.readouterr().out
    assert f"{L}、{G}" in out or f"{G}、{L}" in out  # both numbers named as one person
    assert "1. 2024-03-11 办结 转学 T1 6404260001 → 6404260002" in out
    assert "2. 2025-09-15 办结 转学 T2 6404260002 → 6404260003" in out
    assert "2025-09-15 — 至今：在 6404260003，在校" in out
    assert "X9" not in out  # a revoked business is not in the chain
    assert pic.stat().st_size > 5000


def test_unknown_number_is_one_chinese_error(tmp_path):
    with pytest.raises(XuejiError, match="没有学籍号"):
        run(["G000", "--workspace", str(data_dir(tmp_path)), "--as-of", "2026-11-20"])
