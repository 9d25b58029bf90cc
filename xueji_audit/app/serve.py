"""Starting the Voila apps: on 127.0.0.1 only, behind a token, with the app settings in the
environment of every kernel.

The token reaches Voila in a ``voila.json`` written (mode 0600) into a private configuration
folder named by ``JUPYTER_CONFIG_DIR``, not on the command line, where other users of the
machine could read it in the process list. A request without it is redirected to the
login page and never reaches an app; once a browser has used the token link, a cookie keeps it
signed in for the other app pages.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil

from ..errors import XuejiError
from ..resources import apps_notebooks_dir, templates_dir
from .config import AppConfig
from .display import APPS

HOST = "127.0.0.1"
DEFAULT_PORT = 8866
APPS_DIR_ENV = "XUEJI_APPS_DIR"
POOL_SIZE = 1
TEMPLATES = templates_dir()
"""Holds ``voila/templates/xueji``: the app pages' template, with no links leaving the machine."""
"""Kernels kept ready per app page: started, imports done, waiting in ``wait_for_request()``
(the notebooks read the workspace only after it, so a page always shows the current data)."""


def apps_dir(path: str | Path | None = None) -> Path:
    """The folder of the app notebooks: ``path``, else ``$XUEJI_APPS_DIR``, else the
    project's ``notebooks/apps``."""
    folder = Path(path or os.environ.get(APPS_DIR_ENV)
                  or apps_notebooks_dir())
    missing = [f"{stem}.ipynb" for stem in APPS if not (folder / f"{stem}.ipynb").is_file()]
    if missing:
        raise XuejiError(f"应用文件夹「{folder}」缺少 {'、'.join(missing)}；"
                         f"请在项目目录中运行，或用 --apps 指定 notebooks/apps。")
    return folder


def new_token() -> str:
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Server:
    """The command line and environment of one Voila server."""

    argv: list[str]
    env: dict[str, str]
    url: str
    token: str

    def page_url(self, stem: str = "loader") -> str:
        return f"{self.url}voila/render/{stem}.ipynb?token={self.token}"


def server(config: AppConfig, config_dir: str | Path, *, port: int = DEFAULT_PORT,
           token: str | None = None, apps: str | Path | None = None,
           environ: dict[str, str] | None = None) -> Server:
    """The Voila server for ``config``'s workspace; writes its ``voila.json`` (the token) into
    ``config_dir``, a private folder the caller removes afterwards. Nothing is started here."""
    if not 0 < int(port) < 65536:
        raise XuejiError(f"端口「{port}」无效，应为 1–65535。")
    token = token or new_token()
    settings = Path(config_dir) / "voila.json"
    fd = os.open(settings, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"Voila": {"token": token}}, fh)
    folder = apps_dir(apps)
    env = dict(os.environ if environ is None else environ)
    env.update(config.to_env())
    env["JUPYTER_CONFIG_DIR"] = str(Path(config_dir).resolve())
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(TEMPLATES), env.get("JUPYTER_PATH", ""))
                                          if p)
    argv = [sys.executable, "-m", "voila", str(folder), "--no-browser", f"--port={int(port)}",
            f"--Voila.ip={HOST}", "--show_tracebacks=False", "--theme=light", "--template=xueji",
            "--preheat_kernel=True", f"--pool_size={POOL_SIZE}",
            "--Voila.port_retries=0"]
    return Server(argv, env, f"http://{HOST}:{int(port)}/", token)


class Running:
    """A Voila server started in the background: ``with Running(config) as srv: …`` returns
    once every app page has a pre-heated kernel waiting (so the first request is served at full
    speed) and stops the server afterwards. Voila's own output goes to ``log``."""

    def __init__(self, config: AppConfig, *, port: int | None = None,
                 apps: str | Path | None = None, timeout: float = 180.0,
                 log: str | Path | None = None,
                 progress: Callable[[int, int], None] | None = None):
        self.config, self.timeout, self.progress = config, timeout, progress
        self.port = port or free_port()
        self.private = tempfile.mkdtemp(prefix="xueji-serve-")
        self.log = Path(log) if log else Path(self.private) / "voila.log"
        self.server = server(config, self.private, port=self.port, apps=apps)
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        if not port_is_free(self.port):
            shutil.rmtree(self.private, ignore_errors=True)
            raise XuejiError(f"端口 {self.port} 已被占用；请用 --port 换一个端口。")
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(self.server.argv, env=self.server.env, stdout=out,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        try:
            self._wait_until_heated()
        except BaseException:
            self.__exit__()
            raise
        return self.server

    def _wait_until_heated(self) -> None:
        wanted, shown = len(APPS) * POOL_SIZE, -1
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise XuejiError(f"应用服务未能启动（退出码 {self.process.returncode}），"
                                 f"详见日志 {self.log}。")
            ready = heated_kernels(self.process.pid, self.port)
            if ready != shown and self.progress is not None:
                self.progress(ready, wanted)
            shown = ready
            if ready >= wanted:
                return
            time.sleep(0.25)
        raise XuejiError(f"应用页面 {self.timeout:.0f} 秒内未准备好（{shown}/{wanted}），"
                         f"详见日志 {self.log}。")

    def wait(self) -> int:
        """Block until the server stops; its exit code."""
        return self.process.wait()

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        shutil.rmtree(self.private, ignore_errors=True)


def heated_kernels(pid: int, port: int) -> int:
    """How many kernels of the Voila server ``pid`` wait, pre-heated, for a page request.

    A pre-heated kernel runs the notebook up to ``wait_for_request()``, which holds a
    websocket open to the server's ``/voila/query/<kernel>`` until a request takes the kernel;
    the kernels' only connections to the server's own port are these.
    """
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return 0
    waiting = 0
    for child in children:
        try:
            waiting += sum(1 for c in child.net_connections(kind="tcp")
                           if c.status == psutil.CONN_ESTABLISHED and c.raddr
                           and c.raddr.port == port)
        except psutil.Error:  # a kernel that ended meanwhile
            continue
    return waiting


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]
