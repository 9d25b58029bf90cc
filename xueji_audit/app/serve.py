"""Starting and stopping the county server: Voila under Jupyter Server's identity machinery
(:mod:`xueji_audit.server.voila_app`), one per workspace.

- Named accounts log in (:mod:`xueji_audit.server.users`); there is no token, so nothing secret
  is in a URL, the process list, ``voila.log`` or a kernel's environment.
- Loopback only unless TLS is on (a certificate given, or a self-signed one; see
  :mod:`xueji_audit.server.tls`).
- The workspace is locked against a second server (:mod:`xueji_audit.server.lock`); the server's
  own files (kernel connection files, configuration) live in ``工作区/.server-run`` (0700),
  removed when it stops and cleared when it starts again.
- Pages are not pre-heated: each page visit starts its kernel (a few seconds), and the server
  answers as soon as Voila listens. Kernels of closed pages are shut down, idle ones culled, and
  their number bounded (:mod:`xueji_audit.server.kernels`).
- :meth:`Running.stop` sends Voila SIGTERM (it shuts down every kernel), then kills anything
  of the server still alive; Voila also gets SIGTERM if ``serve`` itself dies.
"""
from __future__ import annotations

import ctypes
import datetime as dt
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.error import URLError

import psutil

from ..errors import XuejiError
from ..profile import DEFAULT_PROFILE
from ..resources import apps_notebooks_dir, templates_dir
from ..server.lock import WorkspaceLock
from ..server.users import UserStore
from .config import ENV
from .display import APPS

HOST = "127.0.0.1"
DEFAULT_PORT = 8866
APPS_DIR_ENV = "XUEJI_APPS_DIR"
TEMPLATES = templates_dir()
"""Holds ``voila/templates/xueji``: the app pages' template, with no links leaving the machine."""
RUN_DIR = ".server-run"
CULL_IDLE = 30 * 60
CULL_INTERVAL = 60
MAX_KERNELS = 30
PER_USER = 4
STOP_GRACE = 20.0


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


@dataclass(frozen=True)
class Server:
    """The command line and environment of one Voila server."""

    argv: list[str]
    env: dict[str, str]
    url: str

    def page_url(self, stem: str = "loader") -> str:
        return f"{self.url}voila/render/{stem}.ipynb"


def server(workspace: str | Path, as_of: dt.date, run_dir: str | Path, *,
           profile: str = DEFAULT_PROFILE, host: str = HOST, port: int = DEFAULT_PORT,
           certfile: str = "", keyfile: str = "", apps: str | Path | None = None,
           cull_idle: int = CULL_IDLE, cull_interval: int = CULL_INTERVAL,
           max_kernels: int = MAX_KERNELS, per_user: int = PER_USER,
           environ: dict[str, str] | None = None) -> Server:
    """The Voila server for ``workspace``; ``run_dir`` is its private folder. Nothing is
    started here. Listening beyond the loopback needs ``certfile``."""
    if not 0 < int(port) < 65536:
        raise XuejiError(f"端口「{port}」无效，应为 1–65535。")
    if not is_loopback(host) and not certfile:
        raise XuejiError(f"在「{host}」上对局域网开放须使用 TLS：请用 --cert/--key 给出证书"
                         f"（xueji-audit serve 不给证书时会生成自签名证书）。")
    workspace, run_dir = Path(workspace).resolve(), Path(run_dir).resolve()
    folder = apps_dir(apps)
    env = {k: v for k, v in (os.environ if environ is None else environ).items()
           if not k.startswith(("XUEJI_", "JUPYTER_", "VOILA_"))}
    env.update({ENV["workspace"]: str(workspace), ENV["as_of"]: as_of.isoformat(),
                ENV["profile"]: str(profile or DEFAULT_PROFILE),
                "JUPYTER_CONFIG_DIR": str(run_dir / "config"),
                "JUPYTER_RUNTIME_DIR": str(run_dir / "runtime"),
                "JUPYTER_DATA_DIR": str(run_dir / "data"),
                "JUPYTER_PATH": str(TEMPLATES)})
    argv = [sys.executable, "-m", "xueji_audit.server.voila_app", str(folder), "--no-browser",
            f"--port={int(port)}", f"--Voila.ip={host}", "--Voila.port_retries=0",
            "--show_tracebacks=False", "--theme=light", "--template=xueji",
            "--preheat_kernel=False",
            "--VoilaConfiguration.multi_kernel_manager_class="
            "xueji_audit.server.kernels.ScopedKernelManager",
            "--Voila.identity_provider_class=xueji_audit.server.identity.XuejiIdentityProvider",
            "--Voila.authorizer_class=xueji_audit.server.authorizer.RoleAuthorizer",
            f"--XuejiIdentityProvider.workspace={workspace}",
            f"--Voila.connection_dir_root={run_dir / 'runtime'}",
            f"--MappingKernelManager.cull_idle_timeout={int(cull_idle)}",
            f"--MappingKernelManager.cull_interval={int(cull_interval)}",
            "--MappingKernelManager.cull_connected=True",
            f"--ScopedKernelManager.max_kernels={int(max_kernels)}",
            f"--ScopedKernelManager.per_user={int(per_user)}"]
    if certfile:
        argv += [f"--XuejiVoila.certfile={Path(certfile).resolve()}",
                 f"--XuejiVoila.keyfile={Path(keyfile).resolve() if keyfile else ''}"]
    scheme = "https" if certfile else "http"
    shown = HOST if is_loopback(host) else host
    return Server(argv, env, f"{scheme}://{shown}:{int(port)}/")


class Running:
    """The server started in the background: ``with Running(workspace, as_of) as srv: …``
    returns once it answers (pages start their kernels when opened) and stops it afterwards.
    Voila's own output goes to ``log`` (0600; default ``工作区/voila.log``)."""

    def __init__(self, workspace: str | Path, as_of: dt.date, *, log: str | Path | None = None,
                 timeout: float = 60.0, **options):
        self.workspace, self.timeout = Path(workspace), timeout
        self.run_dir = self.workspace / RUN_DIR
        self.log = Path(log) if log else self.workspace / "voila.log"
        options.setdefault("port", free_port())
        self.port = int(options["port"])
        self.server = server(self.workspace, as_of, self.run_dir, **options)
        self.process: subprocess.Popen | None = None
        self.lock = WorkspaceLock(self.workspace)
        self.started_in: float | None = None
        """Seconds from start until the server answered."""

    def __enter__(self) -> Server:
        if not port_is_free(self.port, self.server.argv):
            raise XuejiError(f"端口 {self.port} 已被占用；请用 --port 换一个端口。")
        if not self.workspace.is_dir():
            raise XuejiError(f"工作区「{self.workspace}」不存在：请先用 xueji-audit audit 建立。")
        if not UserStore(self.workspace).list():
            raise XuejiError("工作区还没有账号：请先用 xueji-audit users add 姓名 --role 督查员 "
                             f"--workspace {self.workspace} 建立至少一个账号。")
        lock_fd = self.lock.__enter__()
        try:
            make_private(self.workspace)
            shutil.rmtree(self.run_dir, ignore_errors=True)  # left by a server that was killed
            for sub in ("config", "runtime"):
                (self.run_dir / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(self.run_dir, 0o700)
            fd = os.open(self.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            os.fchmod(fd, 0o600)
            start = time.monotonic()
            with os.fdopen(fd, "ab") as out:
                self.process = subprocess.Popen(
                    self.server.argv, env=self.server.env, stdout=out, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, start_new_session=True, pass_fds=(lock_fd,),
                    preexec_fn=_die_with_parent)
            self._wait_until_up()
            self.started_in = time.monotonic() - start
        except BaseException:
            self.__exit__()
            raise
        return self.server

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + self.timeout
        context = ssl._create_unverified_context()  # our own certificate, on our own port
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise XuejiError(f"应用服务未能启动（退出码 {self.process.returncode}），"
                                 f"详见日志 {self.log}。")
            try:
                with urllib.request.urlopen(self.server.url + "login", timeout=2,
                                            context=context) as resp:
                    if resp.status == 200:
                        return
            except (URLError, OSError):
                pass
            time.sleep(0.1)
        raise XuejiError(f"应用服务 {self.timeout:.0f} 秒内未能启动，详见日志 {self.log}。")

    def wait(self) -> int:
        """Block until the server stops; its exit code."""
        return self.process.wait()

    def processes(self) -> list[psutil.Process]:
        """Voila and every process under it (the page kernels)."""
        if self.process is None:
            return []
        try:
            root = psutil.Process(self.process.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def stop(self) -> None:
        """SIGTERM to Voila (it shuts down its kernels), then SIGKILL to whatever of the
        server is still alive after :data:`STOP_GRACE` seconds; removes the private folder."""
        if self.process is not None and self.process.poll() is None:
            every = self.processes()
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_GRACE)
            except subprocess.TimeoutExpired:
                pass
            _, alive = psutil.wait_procs(every, timeout=2)
            for proc in alive:
                try:
                    proc.kill()
                except psutil.NoSuchProcess:
                    pass
            psutil.wait_procs(alive, timeout=5)
            self.process.wait()
        shutil.rmtree(self.run_dir, ignore_errors=True)

    def __exit__(self, *exc) -> None:
        try:
            self.stop()
        finally:
            self.lock.__exit__()


class Stopped(KeyboardInterrupt):
    """SIGTERM, SIGHUP or SIGINT reached ``serve``."""


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within: SIGTERM, SIGHUP and SIGINT raise :class:`Stopped` — SIGINT too when the shell
    started ``serve`` in the background with SIGINT ignored — so the server is stopped and
    cleaned up however it is asked to end."""
    def stop(signum, _frame):
        raise Stopped(signum)

    wanted = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
    before = {s: signal.signal(s, stop) for s in wanted}
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)


def make_private(folder: Path) -> None:
    """``folder`` and everything under it readable by its owner only (0700 / 0600)."""
    os.chmod(folder, 0o700)
    for root, dirs, files in os.walk(folder):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o700, follow_symlinks=False)
        for f in files:
            path = os.path.join(root, f)
            if not os.path.islink(path):
                os.chmod(path, 0o600)


def _die_with_parent() -> None:
    """In the Voila child: files it and its kernels create are private (umask 077), and it
    gets SIGTERM when ``serve`` dies, however ``serve`` dies (Linux prctl)."""
    os.umask(0o077)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def is_loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1")


def port_is_free(port: int, argv: list[str] | None = None) -> bool:
    host = next((a.split("=", 1)[1] for a in argv or [] if a.startswith("--Voila.ip=")), HOST)
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]
