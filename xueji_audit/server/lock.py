"""One server per workspace: ``serve`` holds an exclusive lock on ``工作区/.server.lock``.

The lock is the kernel's (``flock``), so it goes with the last process holding it — however it
ends, even by ``kill -9`` — and a second ``serve`` on the same workspace is refused at once with
a Chinese message naming the process that holds it. The Voila process inherits the lock, so the
workspace stays locked as long as any part of the server runs.
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

from ..errors import XuejiError

FILE = ".server.lock"


class WorkspaceBusyError(XuejiError):
    """Another server already works on this workspace."""


class WorkspaceLock:
    """``with WorkspaceLock(folder) as fd:`` — ``fd`` is the locked file (pass it to children)."""

    def __init__(self, workspace: str | Path):
        self.path = Path(workspace) / FILE
        self.fd: int | None = None

    def __enter__(self) -> int:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode("ascii", "replace").strip() or "未知"
            os.close(fd)
            raise WorkspaceBusyError(
                f"工作区「{self.path.parent}」已有一个应用服务在运行（进程 {holder}）；"
                f"同一工作区只能启动一个 serve。请先停止它，或换一个工作区。") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self.fd = fd
        return fd

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
