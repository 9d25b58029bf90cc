"""What a logged-in person may reach on the server, decided in one place.

:class:`RoleAuthorizer` is Jupyter Server's ``Authorizer`` for the Voila app: the only resource
a person may use is the kernel of a page they opened themselves (its websocket and model); the
contents, files, terminals, sessions and every other Jupyter API are refused to everyone, so a
page is the only thing anyone can run. Which pages a role may open is :data:`PAGES`.
"""
from __future__ import annotations

from jupyter_server.auth.authorizer import Authorizer

from .users import COUNTY, INSPECTOR, READER, ROLES

PAGES: dict[str, frozenset[str]] = {
    "loader": frozenset({INSPECTOR, COUNTY}),
    "findings": frozenset(ROLES),
    "pairs": frozenset({INSPECTOR, COUNTY, READER}),
    "chains": frozenset({INSPECTOR, COUNTY, READER}),
    "cases": frozenset(ROLES),
}
"""App page (notebook stem) → the roles that may open it. A 学校 account works on its own
school's findings and cases only: the data page, the county-wide duplicate pairs and the
transfer chains (which cross schools) are not for it."""


def may_open(role: str, stem: str) -> bool:
    return role in PAGES.get(stem, frozenset())


def pages_for(role: str) -> list[str]:
    return [stem for stem in PAGES if may_open(role, stem)]


class RoleAuthorizer(Authorizer):
    """Only the owner of a page kernel may use it; nothing else is authorised."""

    def is_authorized(self, handler, user, action: str, resource: str) -> bool:
        if resource != "kernels" or user is None:
            return False
        kernel_id = (handler.path_kwargs or {}).get("kernel_id") or (handler.path_args or [None])[0]
        owner = getattr(handler.kernel_manager, "owner", lambda _k: None)(kernel_id)
        return owner is not None and owner == user.username
