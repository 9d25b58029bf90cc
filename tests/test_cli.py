"""Every subcommand has Chinese help text and a working --help; errors print one line, exit 2."""
import re

import pytest

from xueji_audit import cli

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
