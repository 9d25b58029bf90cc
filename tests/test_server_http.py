"""The county server by HTTP, as browsers and a hostile neighbour use it (issues 14 and 18).

One server on a copy of the demo workspace with four accounts; each test logs in as a person
(or not at all) and checks what the server answers and what happens to its kernels.
"""
from __future__ import annotations

import asyncio
import os
import re
import stat
import time
import urllib.parse

import psutil
import pytest
from conftest import AS_OF, copy_workspace
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

from xueji_audit.app.display import APPS
from xueji_audit.app.serve import Running
from xueji_audit.cases import CaseStore
from xueji_audit.errors import XuejiError
from xueji_audit.server.client import Client
from xueji_audit.server.lock import WorkspaceBusyError
from xueji_audit.server.users import UserStore
from xueji_audit.workspace import Workspace

PASSWORD = "示范密码-123"
PEOPLE = {"张督查": ("督查员", ""), "李老师": ("学校", "SCHOOL"), "王只读": ("只读", ""),
          "赵锁定": ("县级管理员", "")}


@pytest.fixture(scope="module")
def served(tmp_path_factory, _app_workspace):
    workspace = copy_workspace(_app_workspace, tmp_path_factory.mktemp("srv") / "ws")
    school = Workspace.open(workspace).students["学校标识码"].iloc[0]
    users = UserStore(workspace)
    for name, (role, sch) in PEOPLE.items():
        users.add(name, role, PASSWORD, school if sch else "")
    running = Running(workspace, AS_OF, per_user=2, max_kernels=6)
    with running as srv:
        yield running, srv, school


def _client(srv, name: str | None = None) -> Client:
    client = Client(srv.url)
    if name:
        assert client.login(name, PASSWORD).status == 302
    return client


def _kernels(running) -> list[psutil.Process]:
    return running.processes()[1:]


def _until(predicate, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _websocket_status(url: str, cookie: str = "") -> int:
    """The status of a websocket handshake (101 when it opens)."""
    async def attempt():
        headers = {"Cookie": cookie} if cookie else {}
        request = HTTPRequest(url.replace("http", "ws", 1), headers=headers)
        try:
            conn = await websocket_connect(request)
        except HTTPClientError as err:
            return err.code
        conn.close()
        return 101
    return asyncio.run(attempt())


def test_without_login_every_url_is_refused(served):
    running, srv, _ = served
    anyone = _client(srv)
    paths = ["", "voila/tree", "voila/static/voila.js", "voila/templates/xueji/conf.json",
             "voila/api/themes/theme-light-extension/index.css", "voila/labextensions/x.js",
             "voila/api/kernels", "api/kernels", "api/kernels/0000", "voila/files/loader.ipynb",
             "voila/api/contents", "api/contents", "api/terminals", "terminals/1",
             *[f"voila/render/{stem}.ipynb" for stem in APPS]]
    for path in paths:
        reply = anyone.request(path)
        assert reply.status in (302, 403, 404), path
        if reply.status == 302:
            assert reply.location.startswith("/login"), path
    assert anyone.request("voila/api/shutdown/0000", {"_xsrf": ""}).status == 403
    assert _websocket_status(srv.url + "api/kernels/00000000-0000-0000-0000-000000000000/"
                             "channels") in (403, 404)
    assert not _kernels(running)  # nothing was started for anyone


def test_the_login_page_is_chinese_and_five_wrong_passwords_lock_the_account(served):
    _, srv, _ = served
    client = _client(srv)
    page = client.request("login")
    assert page.status == 200 and "账号" in page.body and "密码" in page.body
    assert '<html lang="zh-CN">' in page.body and "登录" in page.body
    for _ in range(4):
        reply = client.login("赵锁定", "wrong-password")
        assert reply.status == 401 and "账号或密码不正确" in reply.body
    reply = client.login("赵锁定", "wrong-password")
    assert reply.status == 401 and "已锁定" in reply.body
    reply = client.login("赵锁定", PASSWORD)  # the right password no longer opens it
    assert reply.status == 401 and "已锁定" in reply.body
    assert client.request("voila/render/findings.ipynb").status == 302
    assert client.login("无此人", PASSWORD).status == 401


def test_logout_answers_with_the_login_page_and_ends_the_session(served):
    _, srv, _ = served
    client = _client(srv, "王只读")
    assert client.request("").status == 302
    reply = client.request("logout")
    assert reply.status == 200 and "已退出登录" in reply.body
    assert client.request("voila/render/findings.ipynb").location.startswith("/login")


def test_a_role_opens_only_its_pages(served):
    running, srv, _ = served
    clerk, reader = _client(srv, "李老师"), _client(srv, "王只读")
    for stem in ("loader", "pairs", "chains"):
        reply = clerk.open_page(stem)
        assert reply.status == 403 and "没有权限" in reply.body, stem
    assert reader.open_page("loader").status == 403
    assert clerk.open_page("../../etc/passwd").status in (403, 404)
    assert clerk.request("").location == "/voila/render/findings.ipynb"
    assert not _kernels(running)


def test_a_page_kernel_knows_its_person_and_closes_with_the_page(served):
    running, srv, _ = served
    inspector, reader = _client(srv, "张督查"), _client(srv, "王只读")
    page = inspector.open_page("findings")
    assert page.status == 200 and "<title>问题学籍 · 学籍专项督查</title>" in page.body
    assert '<h2 id="loading_text">正在打开页面' in page.body and "Executing" not in page.body
    kid = page.kernel_id
    kernels = _kernels(running)
    assert len(kernels) == 1
    env = kernels[0].environ()
    assert (env["XUEJI_USER"], env["XUEJI_ROLE"], env["XUEJI_SCHOOL"]) == ("张督查", "督查员", "")
    assert not any(k in env for k in ("VOILA_REQUEST_URL", "QUERY_STRING", "HTTP_COOKIE"))
    # another person cannot close it or read it; a request without _xsrf is refused
    assert reader.close_page(kid).status == 403
    assert reader.request(f"api/kernels/{kid}").status == 403
    assert inspector.close_page(kid, xsrf=False).status == 403
    assert len(_kernels(running)) == 1
    # the page's own shutdown request, as it is sent when the tab closes
    assert inspector.close_page(kid).status == 204
    assert _until(lambda: not _kernels(running))


def test_no_one_can_run_code_in_a_kernel_or_use_anothers(served, tmp_path):
    running, srv, _ = served
    inspector, clerk = _client(srv, "张督查"), _client(srv, "李老师")
    kid = inspector.open_page("cases").kernel_id
    channels = f"{srv.url}api/kernels/{kid}/channels"
    assert _websocket_status(channels) == 403
    assert _websocket_status(channels, clerk.cookie_header()) == 403
    marker = tmp_path / "ran"

    async def try_to_execute():
        request = HTTPRequest(channels.replace("http", "ws", 1),
                              headers={"Cookie": inspector.cookie_header()})
        conn = await websocket_connect(request)
        import json
        import uuid
        msg = {"header": {"msg_id": uuid.uuid4().hex, "msg_type": "execute_request",
                          "username": "x", "session": uuid.uuid4().hex, "version": "5.3",
                          "date": ""},
               "parent_header": {}, "metadata": {}, "channel": "shell",
               "content": {"code": f"open({str(marker)!r}, 'w').write('x')", "silent": False,
                           "store_history": False, "user_expressions": {},
                           "allow_stdin": False, "stop_on_error": True}}
        await conn.write_message(json.dumps(msg))
        replies = []
        try:
            while True:
                reply = await asyncio.wait_for(conn.read_message(), 8)
                if reply is None:
                    break
                replies.append(json.loads(reply).get("msg_type"))
        except (TimeoutError, ValueError):
            pass
        conn.close()
        return replies

    replies = asyncio.run(try_to_execute())
    assert "execute_reply" not in replies and not marker.exists()
    assert inspector.close_page(kid).status == 204


def test_a_person_holds_only_so_many_kernels(served):
    running, srv, _ = served
    reader = _client(srv, "王只读")
    ids = [reader.open_page(stem).kernel_id for stem in ("findings", "cases", "pairs")]
    assert all(ids) and len(set(ids)) == 3
    assert _until(lambda: len(_kernels(running)) == 2)  # per_user=2: the oldest was shut down
    assert reader.close_page(ids[0]).status == 403  # already gone, not the reader's any more
    for kid in ids[1:]:
        assert reader.close_page(kid).status == 204
    assert _until(lambda: not _kernels(running))


def test_the_pre_heat_socket_and_a_listed_kernel_give_a_neighbour_nothing(served):
    """Issue 18: another account on the machine took kernel ids from ``ps`` and connected to
    Voila's pre-heat socket. There is no such socket, the kernel refuses a stranger, and the
    kernel's connection file sits in a folder only the server's user can open."""
    running, srv, _ = served
    inspector = _client(srv, "张督查")
    kid = inspector.open_page("findings").kernel_id
    (kernel,) = _kernels(running)
    cmdline = " ".join(kernel.cmdline())
    assert kid in cmdline  # what a neighbour sees in ps
    assert _websocket_status(f"{srv.url}voila/query/{kid}") in (403, 404)
    assert _websocket_status(f"{srv.url}api/kernels/{kid}/channels") == 403
    connection = re.search(r"(\S+kernel-\S+\.json)", cmdline).group(1)
    folder = os.path.dirname(connection)
    while folder.startswith(str(running.workspace.resolve())):
        assert stat.S_IMODE(os.stat(folder).st_mode) & 0o077 == 0, folder
        folder = os.path.dirname(folder)
    assert "token" not in cmdline.lower()
    assert inspector.close_page(kid).status == 204


def test_workspace_files_are_private_and_the_log_holds_no_secret(served):
    running, _, _ = served
    ws = running.workspace
    assert stat.S_IMODE(os.stat(ws).st_mode) == 0o700
    for path in ws.rglob("*"):
        if path.is_file() and not path.is_symlink():
            assert stat.S_IMODE(os.stat(path).st_mode) & 0o077 == 0, path
    log = running.log.read_text(encoding="utf-8", errors="replace")
    assert "登录：张督查" in log
    assert PASSWORD not in log and "token=" not in log and "username-" not in log


def test_a_second_server_on_the_workspace_is_refused(served):
    running, _, _ = served
    with pytest.raises(WorkspaceBusyError, match="已有一个应用服务在运行"):
        with Running(running.workspace, AS_OF):
            pass
    with pytest.raises(XuejiError, match="TLS"):
        Running(running.workspace, AS_OF, host="0.0.0.0")


def test_a_clerk_reaches_no_other_schools_case_by_url_or_api(served):
    """Another school's case and the form drafted on it: no page, file or contents URL gives
    the clerk either (forms reach a browser only as the page's own download links)."""
    running, srv, school = served
    ws = running.workspace
    with Workspace.open(ws) as w:
        f = w.findings
        other = f[f["学校标识码"].notna() & (f["学校标识码"] != school) & f["姓名"].notna()].head(1)
        with CaseStore(ws / "cases.sqlite") as s:
            case_id = s.open_case("核查", "他校案件", other, deadline_workdays=5, user="张督查",
                                  on=AS_OF, calendar=w.profile.calendar())
    name = str(other["姓名"].iloc[0])
    folder = ws / "forms" / f"案件{case_id}"
    folder.mkdir(parents=True, mode=0o700)
    form = folder / f"核查单_案件{case_id}.docx"
    form.write_text(f"核查单 {name}", encoding="utf-8")
    form.chmod(0o600)
    clerk = _client(srv, "李老师")
    rel = form.relative_to(ws).as_posix()
    paths = [f"voila/files/{rel}", f"files/{rel}", f"voila/render/{rel}", f"api/contents/{rel}",
             f"voila/api/contents/{rel}", "api/contents/forms", "voila/tree/forms",
             "voila/files/cases.sqlite", "files/cases.sqlite", "api/contents/cases.sqlite",
             f"voila/render/../{rel}", f"voila/render/..%2F{rel}"]
    for path in paths:
        reply = clerk.request(urllib.parse.quote(path, safe="/%"))
        home = reply.status == 302 and reply.location == "/voila/render/findings.ipynb"
        assert reply.status in (403, 404) or home, (path, reply.status, reply.location)
        assert name not in reply.body and "他校案件" not in reply.body, path
    # the page's store refusing the case itself: tests/test_server_scope.py
