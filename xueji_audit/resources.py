"""Where the kit's own files are: the report and app notebooks, and the form and page templates.

The repository keeps them in the top-level folders ``notebooks/`` and ``templates/`` (and the
app components in ``widgets/``); ``pyproject.toml`` maps these folders into the distribution as
``xueji_audit.notebooks``, ``xueji_audit.templates`` and ``xueji_audit.widgets``, so an editable
checkout and a normal install find them the same way, through :mod:`importlib.resources`.
"""
from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path


def _folder(package: str) -> Path:
    with as_file(files(package)) as path:  # a real folder for both kinds of install
        return Path(path)


def notebooks_dir() -> Path:
    """The report notebooks (``01_findings.ipynb`` …), with the app pages under ``apps/``."""
    return _folder("xueji_audit.notebooks")


def apps_notebooks_dir() -> Path:
    """The Voila app pages (``loader.ipynb`` …)."""
    return notebooks_dir() / "apps"


def templates_dir() -> Path:
    """The form templates (``核查单.docx`` / ``.html`` …) and the Voila page template under
    ``voila/templates/xueji``."""
    return _folder("xueji_audit.templates")
