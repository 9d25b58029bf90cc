"""Kernels that know who opened them, and never more of them than the machine can hold.

Voila starts one kernel per page visit. :class:`ScopedKernelManager` (Jupyter Server's
``AsyncMappingKernelManager``, named to Voila as its ``multi_kernel_manager_class``) gives each
kernel the logged-in person's name, role and school in its environment — taken from the
request that opened the page (:data:`CURRENT`, set by the page handler), never from the command
line — and records the kernel's owner so that only that person may talk to it
(:mod:`.authorizer`). It bounds memory: a person's oldest page kernel is shut down when they open
more than :attr:`per_user` pages, and a page beyond :attr:`max_kernels` in all is refused with a
Chinese message. Idle kernels are culled by the manager's own culler (``cull_idle_timeout``).
"""
from __future__ import annotations

import contextvars

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Dict, Integer

from ..app.config import ENV
from .users import Account

CURRENT: contextvars.ContextVar[Account | None] = contextvars.ContextVar("xueji_account",
                                                                        default=None)
"""The account whose page request is being served (set by the page handler)."""
DROPPED_ENV = ("VOILA_REQUEST_URL", "QUERY_STRING", "HTTP_COOKIE", "JUPYTER_TOKEN",
               "VOILA_PREHEAT_TOKEN")
"""Request details a kernel does not need (a URL may carry secrets)."""


class ServerBusy(web.HTTPError):
    def __init__(self, limit: int):
        super().__init__(503, reason="Server busy")
        self.message = f"服务器已打开 {limit} 个页面，已达上限；请关闭不用的页面，或稍后再试。"


def identity_env(account: Account) -> dict[str, str]:
    """The kernel environment naming who works in it."""
    return {ENV["user"]: account.name, ENV["role"]: account.role, ENV["school"]: account.school}


class ScopedKernelManager(AsyncMappingKernelManager):
    max_kernels = Integer(30, config=True, help="Page kernels in all; more are refused.")
    per_user = Integer(4, config=True, help="Page kernels per person; the oldest goes first.")
    owners = Dict(help="kernel id → account name, oldest first")

    async def start_kernel(self, *, kernel_id=None, path=None, env=None, **kwargs) -> str:
        account = CURRENT.get()
        if account is None:
            raise web.HTTPError(403, reason="Not logged in")
        mine = [k for k, owner in self.owners.items() if owner == account.name]
        for old in mine[: max(0, len(mine) - self.per_user + 1)]:
            await self.shutdown_kernel(old)
        if len(self.list_kernel_ids()) >= self.max_kernels:
            raise ServerBusy(self.max_kernels)
        env = {k: v for k, v in (env or {}).items() if k not in DROPPED_ENV}
        env.update(identity_env(account))
        kid = await super().start_kernel(kernel_id=kernel_id, path=path, env=env, **kwargs)
        self.owners[kid] = account.name
        return kid

    async def shutdown_kernel(self, kernel_id, *args, **kwargs):
        self.owners.pop(kernel_id, None)
        return await super().shutdown_kernel(kernel_id, *args, **kwargs)

    def owner(self, kernel_id: str) -> str | None:
        return self.owners.get(kernel_id)
