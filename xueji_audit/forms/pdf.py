"""Render a form's PDF with weasyprint from ``templates/<kind>.html`` (shared ``forms.css``,
an embedded Noto CJK font). Jinja runs with StrictUndefined and HTML autoescaping."""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .data import TEMPLATE_DIR


def html_text(kind: str, context: dict, template_dir: str | Path = TEMPLATE_DIR) -> str:
    """The filled HTML of ``kind``."""
    env = Environment(loader=FileSystemLoader(str(template_dir)), undefined=StrictUndefined,
                      autoescape=True)
    return env.get_template(f"{kind}.html").render(**context)


def render_pdf(kind: str, context: dict, path: str | Path,
               template_dir: str | Path = TEMPLATE_DIR) -> Path:
    """Write the PDF of ``kind`` filled with ``context`` at ``path``."""
    from weasyprint import HTML

    path = Path(path)
    HTML(string=html_text(kind, context, template_dir),
         base_url=str(Path(template_dir))).write_pdf(path)
    return path
