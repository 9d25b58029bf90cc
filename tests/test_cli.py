"""Every subcommand has Chinese help text and a working --help; errors print one line, exit 2."""
import datetime as dt
import json
import re
import socket
import subprocess
import sys

import pytest

from xueji_audit import cli
from xueji_audit.workspace import Workspace

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_main_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for name in cli.command_modules():
        assert name in out


@pytest.mark.parametrize("name", list(cli.command_modules()))
def test_every_command_has_chinese_help(name, capsys):
    mod = cli.command_modules()[name]
    assert CJK.search(mod.HELP), f"{name}: HELP must be Chinese"
    with pytest.raises(SystemExit) as exc:
        cli.main([name, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert mod.HELP in out
    # every option of the command is documented
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices[name]
    for action in sub._actions:
        if action.dest != "help":
            assert action.help and CJK.search(action.help), f"{name} {action.dest} lacks Chinese help"


def test_bad_as_of_is_one_chinese_line(tmp_path, capsys):
    code = cli.main(["demo-data", "--out", str(tmp_path / "d"), "--as-of", "2026-13-45"])
    err = capsys.readouterr().err
    assert code == 2
    assert "无法识别日期" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_commands_without_as_of_use_and_print_todays_date(reports_built, tmp_path, capsys):
    """forms, case, serve, chain and report take today's date, read once at the command line,
    and say so (``forms`` and ``audit`` are checked in their own tests)."""
    base, _ = reports_built
    ws = str(base / "ws")
    today = dt.date.today().isoformat()

    def said(*argv: str) -> str:
        cli.main(list(argv))
        out = capsys.readouterr()
        return out.out + out.err

    assert f"办理日期：{today}" in said("case", "list", "--workspace", ws)
    xjh = Workspace.open(ws).students["学籍号"].iloc[0]
    assert f"查看日期：{today}" in said("chain", xjh, "--workspace", ws)
    assert f"办理日期：{today}" in said("report", "99", "--workspace", ws, "--out",
                                     str(tmp_path / "r"))
    with socket.socket() as taken:  # serve stops at the taken port, after saying its date
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        text = said("serve", "--workspace", str(tmp_path / "s"), "--user", "甲", "--port",
                    str(taken.getsockname()[1]))
    assert f"办理日期：{today}" in text and "已被占用" in text


def test_ingest_imports_nothing_above_it():
    """Layers: ingest needs only the data contract and the error types."""
    code = ("import json, sys, xueji_audit.ingest; print(json.dumps(sorted(m for m in "
            "sys.modules if m.startswith('xueji_audit'))))")
    names = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                      text=True, check=True).stdout)
    assert {n for n in names if not n.startswith("xueji_audit.ingest")} <= {
        "xueji_audit", "xueji_audit.errors", "xueji_audit.schema"}
