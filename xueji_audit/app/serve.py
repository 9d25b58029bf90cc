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
from dataclasses import dataclass
from pathlib import Path

from ..errors import XuejiError
from .config import AppConfig
from .display import APPS

HOST = "127.0.0.1"
DEFAULT_PORT = 8866
APPS_DIR_ENV = "XUEJI_APPS_DIR"
POOL_SIZE = 1
"""Kernels kept ready per app page: started, imports done, waiting in ``wait_for_request()``
(the notebooks read the workspace only after it, so a page always shows the current data)."""


def apps_dir(path: str | Path | None = None) -> Path:
    """The folder of the app notebooks: ``path``, else ``$XUEJI_APPS_DIR``, else the
    project's ``notebooks/apps``."""
    folder = Path(path or os.environ.get(APPS_DIR_ENV)
                  or Path(__file__).resolve().parents[2] / "notebooks" / "apps")
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
    project = str(folder.resolve().parents[1])
    env = dict(os.environ if environ is None else environ)
    env.update(config.to_env())
    env["JUPYTER_CONFIG_DIR"] = str(Path(config_dir).resolve())
    env["PYTHONPATH"] = os.pathsep.join(p for p in (project, env.get("PYTHONPATH", "")) if p)
    argv = [sys.executable, "-m", "voila", str(folder), "--no-browser", f"--port={int(port)}",
            f"--Voila.ip={HOST}", "--show_tracebacks=False", "--theme=light",
            "--preheat_kernel=True", f"--pool_size={POOL_SIZE}",
            "--Voila.port_retries=0"]
    return Server(argv, env, f"http://{HOST}:{int(port)}/", token)


class Running:
    """A Voila server started in the background (for scripts, benchmarks and browser tests):
    ``with Running(config) as srv: …`` waits until it answers and stops it afterwards."""

    def __init__(self, config: AppConfig, *, port: int | None = None, timeout: float = 60.0,
                 log: str | Path | None = None):
        self.config, self.timeout = config, timeout
        self.port = port or free_port()
        self.private = tempfile.mkdtemp(prefix="xueji-serve-")
        self.log = Path(log) if log else Path(self.private) / "voila.log"
        self.server = server(config, self.private, port=self.port)
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(self.server.argv, env=self.server.env, stdout=out,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise XuejiError(f"应用服务未能启动（退出码 {self.process.returncode}）。")
            try:
                with socket.create_connection((HOST, self.port), timeout=0.5):
                    return self.server
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise XuejiError(f"应用服务 {self.timeout:.0f} 秒内没有响应。")

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        shutil.rmtree(self.private, ignore_errors=True)


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]
