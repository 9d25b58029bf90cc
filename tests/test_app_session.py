"""App settings, the saved session every app page opens, and the serve command's set-up."""
import json
import os
import socket
from pathlib import Path

import papermill
import pytest
from conftest import APP_USER, AS_OF

from xueji_audit import cli
from xueji_audit.app import AppConfig, Session
from xueji_audit.app.config import ENV, resolve_config
from xueji_audit.app.display import APPS
from xueji_audit.app.serve import HOST, Running, apps_dir, free_port, server
from xueji_audit.errors import XuejiError

APPS_DIR = Path(__file__).resolve().parents[1] / "notebooks" / "apps"  # the checkout's pages


def test_config_round_trips_through_the_environment(tmp_path):
    config = AppConfig(tmp_path, "县学籍管理员", "2026-10-09", "ningxia-xiji")
    back = AppConfig.from_env(config.to_env())
    assert back == AppConfig(tmp_path.resolve(), "县学籍管理员", "2026-10-09", "ningxia-xiji")
    assert back.as_of.isoformat() == "2026-10-09"


def test_config_refuses_missing_user_workspace_date_and_unknown_keys(tmp_path):
    with pytest.raises(XuejiError, match="操作人"):
        AppConfig(tmp_path, " ", AS_OF)
    with pytest.raises(XuejiError, match=ENV["workspace"]):
        AppConfig.from_env({ENV["user"]: "甲", ENV["as_of"]: "2026-11-20"})
    with pytest.raises(XuejiError, match=ENV["as_of"]):  # no date is ever assumed
        AppConfig.from_env({ENV["workspace"]: str(tmp_path), ENV["user"]: "甲"})
    with pytest.raises(XuejiError, match="未知的应用设置"):
        AppConfig.from_env({ENV["workspace"]: str(tmp_path), ENV["user"]: "甲",
                            ENV["as_of"]: "2026-11-20"}, colour="red")
    with pytest.raises(AttributeError):
        AppConfig(tmp_path, "甲", AS_OF).user = "乙"  # frozen


def test_parameters_win_over_environment_and_there_is_no_demo_fallback(tmp_path):
    env = {ENV["workspace"]: str(tmp_path / "a"), ENV["user"]: "甲", ENV["as_of"]: "2026-11-02"}
    c = resolve_config(user="乙", environ=env)
    assert (c.workspace, c.user, c.as_of.isoformat()) == (tmp_path / "a", "乙", "2026-11-02")
    with pytest.raises(XuejiError, match="未指定工作区"):
        resolve_config(environ={})


def test_build_audits_into_the_workspace_that_every_page_opens(tmp_path, app_county):
    config = AppConfig(tmp_path / "ws", APP_USER, AS_OF)
    assert Session.open(config) is None
    seen = []
    built = Session.build(config, app_county, lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("读取文件" in m for _, m in seen) and "完成" in seen[-1][1]
    opened = Session.open(config)
    assert opened.findings.equals(built.findings)
    assert opened.students.equals(built.students)
    assert list(opened.result.duplicates.pairs["学籍号_a"]) == list(
        built.result.duplicates.pairs["学籍号_a"])
    # another working date or profile opens the same audit: the workspace holds its own
    other = Session.open(AppConfig(tmp_path / "ws", APP_USER, "2026-12-01", "national-2013"))
    assert other.result.as_of == AS_OF and other.result.profile.name == "national-2025"
    assert other.findings.equals(built.findings)


def test_build_respects_pair_decisions_in_the_store(app_session):
    pairs = app_session.result.duplicates.pairs
    a, b = pairs[(pairs["学籍号_a"] != pairs["学籍号_b"]).to_numpy()].iloc[0][["学籍号_a", "学籍号_b"]]
    app_session.store.decide_pair(a, b, False, user=APP_USER, on=app_session.config.as_of)
    rebuilt = Session.build(app_session.config, app_session.data_dir)
    again = rebuilt.result.duplicates.pairs
    assert again[(again["学籍号_a"] == a) & (again["学籍号_b"] == b)].empty
    clusters = rebuilt.result.duplicates.clusters
    together = clusters[clusters.iloc[:, 1].isin([a, b])].groupby("cluster_id").size()
    assert (together < 2).all()
    before = app_session.result.duplicates.clusters
    assert before[before.iloc[:, 1].isin([a, b])].groupby("cluster_id").size().max() == 2


def test_uploads_are_saved_and_loaded(tmp_path, app_county):
    config = AppConfig(tmp_path, APP_USER, AS_OF)
    files = [(p.name, p.read_bytes()) for p in sorted(app_county.rglob("*"))
             if p.is_file() and "truth" not in p.parts and p.suffix in (".xlsx", ".csv")]
    s = Session.from_uploads(config, files)
    direct = Session.build(AppConfig(tmp_path / "direct", APP_USER, AS_OF), app_county)
    assert len(s.students) == len(direct.students)
    assert len(s.findings) == len(direct.findings)
    assert sorted(p.name for p in (config.workspace / "uploads" / "current").iterdir()) == sorted(
        n for n, _ in files)
    with pytest.raises(XuejiError, match="不支持的文件类型"):
        Session.from_uploads(config, [("a.pdf", b"%PDF")])
    with pytest.raises(XuejiError, match="没有选择文件"):
        Session.from_uploads(config, [])


def test_reveal_is_logged_with_user_and_page(app_session):
    app_session.log_reveal("问题学籍", "学籍号 G1")
    log = app_session.store.access_log()
    assert list(log["user"]) == [APP_USER]
    assert list(log["action"]) == ["显示完整身份证件号"]
    assert "问题学籍" in log["detail"].iloc[0]


def test_server_listens_on_loopback_with_accounts_and_no_token(tmp_path):
    run = tmp_path / "run"
    srv = server(tmp_path / "ws", AS_OF, run, port=8877,
                 environ={"PATH": "/bin", ENV["user"]: "启动者", "JUPYTER_TOKEN": "t"})
    assert srv.url == "http://127.0.0.1:8877/" and HOST == "127.0.0.1"
    assert f"--Voila.ip={HOST}" in srv.argv and "--preheat_kernel=False" in srv.argv
    assert "--template=xueji" in srv.argv  # no CDN links (checked in the browser tests)
    assert any("XuejiIdentityProvider" in a for a in srv.argv)
    assert any("RoleAuthorizer" in a for a in srv.argv)
    assert not any("token" in a.lower() for a in srv.argv)
    template = Path(srv.env["JUPYTER_PATH"].split(os.pathsep)[0]) / "voila/templates/xueji"
    assert (template / "index.html.j2").is_file()
    # who works is never set at start: each kernel gets the logged-in person from the server
    assert ENV["user"] not in srv.env and "JUPYTER_TOKEN" not in srv.env
    assert srv.env[ENV["workspace"]] == str((tmp_path / "ws").resolve())
    assert srv.env["JUPYTER_CONFIG_DIR"] == str((run / "config").resolve())
    assert srv.page_url("pairs") == "http://127.0.0.1:8877/voila/render/pairs.ipynb"
    with pytest.raises(XuejiError, match="端口"):
        server(tmp_path, AS_OF, run, port=70000)
    with pytest.raises(XuejiError, match="TLS"):
        server(tmp_path, AS_OF, run, host="0.0.0.0")
    assert server(tmp_path, AS_OF, run, host="0.0.0.0", certfile="c.pem",
                  keyfile="k.pem").url == "https://0.0.0.0:8866/"
    with pytest.raises(XuejiError, match="缺少"):
        apps_dir(tmp_path)


def test_config_carries_role_and_school(tmp_path):
    config = AppConfig(tmp_path, "李老师", AS_OF, role="学校", school="1164000001")
    assert AppConfig.from_env(config.to_env()) == AppConfig(tmp_path.resolve(), "李老师", AS_OF,
                                                            role="学校", school="1164000001")
    assert AppConfig(tmp_path, "甲", AS_OF).role == "督查员"
    with pytest.raises(XuejiError, match="所属学校"):
        AppConfig(tmp_path, "李老师", AS_OF, role="学校")


def test_every_app_has_a_thin_notebook_with_documented_parameters():
    assert apps_dir() == APPS_DIR
    for stem in APPS:
        nb = json.loads((APPS_DIR / f"{stem}.ipynb").read_text(encoding="utf-8"))
        code = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        assert f"{stem}_app(config)" in code
        # a pre-heated kernel reads the workspace only once the page is requested
        assert code.index("wait_for_request()") < code.index("resolve_config(")
        params = papermill.inspect_notebook(str(APPS_DIR / f"{stem}.ipynb"))
        assert {k: v["inferred_type_name"] for k, v in params.items()} == {
            "workspace": "str", "user": "str", "as_of": "str", "profile": "str"}
        assert all(v["help"] for v in params.values())


def test_serve_refuses_a_bad_data_folder(tmp_path, capsys):
    code = cli.main(["serve", "--workspace", str(tmp_path / "ws"), "--user", "甲",
                     "--data", str(tmp_path / "nowhere")])
    assert code == 2
    assert "不存在" in capsys.readouterr().err


def test_serve_refuses_a_port_already_in_use(tmp_path, capsys):
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(XuejiError, match=f"端口 {port} 已被占用"):
            with Running(tmp_path, AS_OF, port=port):
                pass
        code = cli.main(["serve", "--workspace", str(tmp_path / "ws"), "--as-of", "2026-11-20",
                         "--port", str(port)])
    assert code == 2
    assert "已被占用" in capsys.readouterr().err


def test_serve_needs_an_account(tmp_path, capsys):
    (tmp_path / "ws").mkdir()
    code = cli.main(["serve", "--workspace", str(tmp_path / "ws"), "--as-of", "2026-11-20",
                     "--port", str(free_port())])
    assert code == 2
    assert "users add" in capsys.readouterr().err
