"""The ``match`` and ``eval-matching`` command modules (HELP, register, run)."""
import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from test_matching_data import build  # noqa: E402

from xueji_audit.commands import eval_matching, match  # noqa: E402
from xueji_audit.matching.decisions import record_decision  # noqa: E402


def _run(mod, argv):
    parser = argparse.ArgumentParser()
    mod.register(parser)
    return mod.run(parser.parse_args(argv))


def test_match_command_writes_outputs_and_respects_decisions(tmp_path, capsys):
    df, truth, _ = build(600, seed=5)
    data = tmp_path / "数据"
    data.mkdir()
    df.assign(出生日期=df["出生日期"].dt.strftime("%Y-%m-%d"), 年级=3, 学籍状态="在校").to_csv(
        data / "学生信息.csv", index=False, encoding="utf-8-sig")
    out = tmp_path / "结果"
    assert _run(match, [str(data), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "疑似重复组" in text
    clusters = pd.read_csv(out / "疑似重复分组.csv", encoding="utf-8-sig", dtype=str)
    pairs = pd.read_csv(out / "疑似重复.csv", encoding="utf-8-sig", dtype=str)
    assert list(pairs.columns[:4]) == ["学籍号_a", "学籍号_b", "匹配概率", "等级"]
    found = set(clusters["学籍号"])
    assert {k for pair in truth for k in pair} <= found
    # the inspector rejects one pair: the next run keeps the two apart
    a, b = sorted(truth)[0]
    record_decision(tmp_path / "认定.csv", a, b, False, inspector="督查员")
    assert _run(match, [str(data), "--out", str(out), "--decisions",
                        str(tmp_path / "认定.csv")]) == 0
    again = pd.read_csv(out / "疑似重复分组.csv", encoding="utf-8-sig", dtype=str)
    ca = again.loc[again["学籍号"] == a, "分组号"].tolist()
    cb = again.loc[again["学籍号"] == b, "分组号"].tolist()
    assert not (set(ca) & set(cb))
    assert len(pairs) > 0


def test_eval_matching_febrl(capsys):
    assert eval_matching.HELP and match.HELP
    assert _run(eval_matching, ["--demo-students", "0", "--febrl"]) == 0
    text = capsys.readouterr().out
    assert "febrl3" in text and "febrl4" in text and "F1" in text
