"""Render a form's ``.docx`` from its docxtpl template in ``templates/`` (Jinja StrictUndefined:
a placeholder missing from the context is an error, never an empty field)."""
from __future__ import annotations

from pathlib import Path

from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined

from ..output import atomic_path
from .data import TEMPLATE_DIR


def render_docx(kind: str, context: dict, path: str | Path,
                template_dir: str | Path = TEMPLATE_DIR) -> Path:
    """Fill ``<template_dir>/<kind>.docx`` with ``context`` and save it at ``path``."""
    tpl = DocxTemplate(str(Path(template_dir) / f"{kind}.docx"))
    tpl.render(context, jinja_env=Environment(undefined=StrictUndefined, autoescape=True),
               autoescape=True)
    path = Path(path)
    with atomic_path(path) as tmp:
        tpl.save(tmp)
    return path
