"""The server stays up and goes away cleanly (issue 14): ``serve`` started in the background
as a shell script would (``&``: SIGINT ignored), stopped by SIGINT, SIGTERM or even SIGKILL,
leaves no process, no private folder and no lock behind; idle kernels are culled; on the
network it speaks only TLS, with the fingerprint it printed.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import signal
import ssl
import subprocess
import sys
import time

import psutil
import pytest
from conftest import AS_OF, copy_workspace

from xueji_audit.app.serve import RUN_DIR, Running, free_port
from xueji_audit.server.client import Client
from xueji_audit.server.lock import FILE as LOCK_FILE
from xueji_audit.server.lock import WorkspaceBusyError, WorkspaceLock
from xueji_audit.server.tls import fingerprint, self_signed
from xueji_audit.server.users import UserStore

PASSWORD = "示范密码-123"


@pytest.fixture
def workspace(tmp_path, _app_workspace):
    ws = copy_workspace(_app_workspace, tmp_path / "ws")
    UserStore(ws).add("张督查", "督查员", PASSWORD)
    return ws


def _until(predicate, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _serve_in_background(workspace, out, *extra: str) -> int:
    """``xueji-audit serve … &`` from a non-interactive shell; the pid of ``serve``."""
    argv = [sys.executable, "-m", "xueji_audit.cli", "serve", "--workspace", str(workspace),
            "--as-of", AS_OF.isoformat(), "--port", str(free_port()), *extra]
    script = f"{shlex.join(argv)} > {shlex.quote(str(out))} 2>&1 & echo $!"
    pid = int(subprocess.run(["sh", "-c", script], capture_output=True, text=True,
                             check=True).stdout)
    assert _until(lambda: "按 Ctrl+C 停止" in out.read_text(encoding="utf-8"), 120), \
        out.read_text(encoding="utf-8")
    return pid


def _tree(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def _open_a_page(out, context=None) -> None:
    url = re.search(r"(https?://\S+/)\s", out.read_text(encoding="utf-8")).group(1)
    client = Client(url, context=context)
    assert client.login("张督查", PASSWORD).status == 302
    assert client.open_page("findings").kernel_id


def _lock_is_free(workspace) -> bool:
    try:
        with WorkspaceLock(workspace):
            return True
    except WorkspaceBusyError:
        return False


def _holders(path) -> list[str]:
    """The command lines of the processes that have ``path`` open."""
    out = []
    for p in psutil.process_iter():
        try:
            if any(f.path == str(path) for f in p.open_files()):
                out.append(" ".join(p.cmdline()))
        except psutil.Error:
            pass
    return out


def _gone(processes: list[psutil.Process]) -> bool:
    return not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in processes)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_a_signal_stops_the_server_and_every_kernel(workspace, tmp_path, signum):
    out = tmp_path / "serve.out"
    pid = _serve_in_background(workspace, out)
    _open_a_page(out)
    processes = _tree(pid)
    assert len(processes) == 3  # serve, Voila, the page's kernel
    os.kill(pid, signum)
    assert _until(lambda: _gone(processes), 60), [p.cmdline() for p in processes
                                                    if p.is_running()]
    # free again (the kernel lets go of a lock when the last holder's exit completes)
    assert _until(lambda: _lock_is_free(workspace), 30), _holders(workspace / LOCK_FILE)
    if signum == signal.SIGKILL:  # serve had no chance to clean up; Voila removed its kernels'
        assert not list((workspace / RUN_DIR).rglob("kernel-*.json"))  # connection files
    else:
        assert not (workspace / RUN_DIR).exists()
        assert "应用已停止" in out.read_text(encoding="utf-8")


def test_idle_kernels_are_culled(workspace):
    running = Running(workspace, AS_OF, cull_idle=2, cull_interval=1)
    with running as srv:
        client = Client(srv.url)
        client.login("张督查", PASSWORD)
        assert client.open_page("findings").kernel_id  # the tab never connects: left idle
        assert len(running.processes()) == 2
        assert _until(lambda: len(running.processes()) == 1, 60)


def test_on_the_network_only_tls_with_the_printed_fingerprint(workspace, tmp_path):
    out = tmp_path / "serve.out"
    pid = _serve_in_background(workspace, out, "--host", "0.0.0.0")
    try:
        text = out.read_text(encoding="utf-8")
        cert = workspace / ".tls" / "server.crt"
        assert f"证书 SHA-256 指纹：{fingerprint(cert)}" in text
        url = re.search(r"(https://\S+/)\s", text).group(1)
        port = int(url.rsplit(":", 1)[1].strip("/"))
        presented = ssl.get_server_certificate(("127.0.0.1", port))
        der = ssl.PEM_cert_to_DER_cert(presented)
        import hashlib
        assert ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest()) == fingerprint(cert)
        plain = Client(f"http://127.0.0.1:{port}/", timeout=10)
        with pytest.raises(Exception):  # noqa: B017 — a plain-text request gets no answer
            plain.request("login")
        context = ssl.create_default_context(cafile=str(cert))
        context.check_hostname = False
        secure = Client(f"https://127.0.0.1:{port}/", context=context)
        assert secure.login("张督查", PASSWORD).status == 302
        assert any(c.secure for c in secure.jar)
    finally:
        os.kill(pid, signal.SIGTERM)
        assert _until(lambda: not psutil.pid_exists(pid) or
                      psutil.Process(pid).status() == psutil.STATUS_ZOMBIE, 60)
    assert self_signed(workspace, [], dt.datetime(2026, 11, 20, tzinfo=dt.UTC))[0] == cert
