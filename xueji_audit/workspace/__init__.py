"""The workspace: one folder holding an audit that every part of the kit reads.

A workspace holds the loaded data, the audit result (findings, rules run, duplicate pairs and
clusters, transfer chains), the duplicate decisions it respected, the profile and audit date it
was made with (:mod:`.manifest`), and the case store. :func:`build_workspace` makes it (load →
merge decisions once → audit → persist, :mod:`.build`); :meth:`Workspace.open` reads it
(:mod:`.core`). The CLI, the report notebooks, the app pages and the forms all read it; none of
them loads raw files or runs the rules on its own. Stored as Parquet tables and JSON (never a
pickle), in snapshots written atomically (:mod:`.snapshot`); clerk-facing files are written from
it by :mod:`.exports`.
"""
from .build import DEMO_MARKER, build_workspace, import_decisions, is_demo_folder
from .core import DEMO_BANNER, WORKSPACE_ENV, Workspace
from .manifest import (
    IncompatibleWorkspaceError,
    NoWorkspaceError,
    StaleWorkspaceError,
    TamperedWorkspaceError,
    WorkspaceError,
)

open_workspace = Workspace.open

__all__ = ["DEMO_BANNER", "DEMO_MARKER", "IncompatibleWorkspaceError", "NoWorkspaceError",
           "StaleWorkspaceError", "TamperedWorkspaceError", "WORKSPACE_ENV", "Workspace", "WorkspaceError",
           "build_workspace", "import_decisions", "is_demo_folder", "open_workspace"]
