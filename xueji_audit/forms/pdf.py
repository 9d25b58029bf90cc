"""Render a form's PDF with weasyprint from ``templates/<kind>.html`` (shared ``forms.css``,
an embedded Noto CJK font). Jinja runs with StrictUndefined and HTML autoescaping."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ..output import atomic_path
from .data import TEMPLATE_DIR


def html_text(kind: str, context: dict, template_dir: str | Path = TEMPLATE_DIR) -> str:
    """The filled HTML of ``kind``."""
    env = Environment(loader=FileSystemLoader(str(template_dir)), undefined=StrictUndefined,
                      autoescape=True)
    return env.get_template(f"{kind}.html").render(**context)


@cache
def _fonts():
    """One font configuration for every form of the process: the embedded CJK font is loaded
    once, not once per document (hundreds of forms would each hold their own copy)."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def render_document(kind: str, context: dict, template_dir: str | Path = TEMPLATE_DIR):
    """The laid-out weasyprint document of ``kind`` (its pages can join a merged PDF)."""
    from weasyprint import HTML

    return HTML(string=html_text(kind, context, template_dir),
                base_url=str(Path(template_dir))).render(font_config=_fonts())


def write_document(document, path: str | Path) -> Path:
    """Write a rendered document (or one made of several documents' pages) as a PDF, atomically."""
    path = Path(path)
    with atomic_path(path) as tmp:
        document.write_pdf(tmp)
    return path


def merge(documents: list, path: str | Path) -> Path:
    """One PDF of every page of ``documents`` in order (for printing a case's forms at once)."""
    pages = [page for d in documents for page in d.pages]
    return write_document(documents[0].copy(pages), path)


def render_pdf(kind: str, context: dict, path: str | Path,
               template_dir: str | Path = TEMPLATE_DIR) -> Path:
    """Write the PDF of ``kind`` filled with ``context`` at ``path``."""
    return write_document(render_document(kind, context, template_dir), path)
