"""Running the report notebooks: papermill executes a notebook with parameters (the workspace
to read first) into the output folder, nbconvert turns the result into an HTML report without
code cells and without anything loaded from a network (our ``xueji`` nbconvert template).
"""
from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import XuejiError
from ..output import atomic_path
from ..resources import notebooks_dir, templates_dir

NOTEBOOK_DIR = notebooks_dir()
REPORTS: dict[str, str] = {
    "01_findings": "问题学籍总览",
    "02_duplicates": "疑似重复学生",
    "03_chains": "转学链与人籍一致",
    "04_bulletin": "月度通报",
    "05_cases": "案件与表单",
}
"""Report name (the notebook's file stem) → Chinese title (the HTML file's name)."""
_BOOL = {"true": True, "false": False, "1": True, "0": False, "是": True, "否": False}


@dataclass(frozen=True)
class ReportFiles:
    name: str
    notebook: Path
    html: Path


def notebook_path(name: str) -> Path:
    """The notebook of a report, by full name (``01_findings``), number (``01``) or title."""
    for stem, title in REPORTS.items():
        if name in (stem, stem[:2], stem[3:], title):
            return NOTEBOOK_DIR / f"{stem}.ipynb"
    raise XuejiError(f"没有名为「{name}」的报告。可选：" + "、".join(
        f"{stem}（{title}）" for stem, title in REPORTS.items()) + "，或 all 表示全部。")


def report_parameters(name: str) -> dict[str, dict]:
    """papermill's view of the notebook's ``parameters`` cell: name → default, type, help."""
    import papermill

    return papermill.inspect_notebook(str(notebook_path(name)))


def convert_parameters(name: str, values: dict[str, str]) -> dict[str, object]:
    """Text values (from ``-p key=value``) converted to the parameter's declared type;
    an unknown name or a bad value raises XuejiError in Chinese."""
    declared = report_parameters(name)
    out: dict[str, object] = {}
    for key, text in values.items():
        if key not in declared:
            raise XuejiError(f"报告「{name}」没有参数「{key}」。可用参数：" + "、".join(declared))
        kind = declared[key]["inferred_type_name"]
        if kind == "bool":
            if text.strip().lower() not in _BOOL:
                raise XuejiError(f"参数「{key}」应为 True 或 False，而不是「{text}」。")
            out[key] = _BOOL[text.strip().lower()]
        elif kind == "int":
            try:
                out[key] = int(text)
            except ValueError:
                raise XuejiError(f"参数「{key}」应为整数，而不是「{text}」。") from None
        else:
            out[key] = text
    return out


def _kit_errors() -> set[str]:
    """Names of every :class:`XuejiError` class (their messages are meant for the user)."""
    seen, todo = set(), [XuejiError]
    while todo:
        cls = todo.pop()
        seen.add(cls.__name__)
        todo += cls.__subclasses__()
    return seen


def to_html(notebook: Path, html: Path, title: str) -> Path:
    """Write the executed ``notebook`` as HTML without code cells, prompts or stderr output."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    nb.metadata["title"] = title
    exporter = HTMLExporter(template_name="xueji",
                            extra_template_basedirs=[str(templates_dir() / "nbconvert")],
                            exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    with atomic_path(html) as tmp:
        tmp.write_text(body, encoding="utf-8")
    return html


def run_report(name: str, workspace: str | Path, out_dir: str | Path,
               parameters: dict[str, object] | None = None) -> ReportFiles:
    """Execute report ``name`` on the ``workspace`` into ``out_dir`` (``NAME.ipynb`` and
    ``TITLE.html``); ``parameters`` override the notebook's defaults."""
    import papermill
    from jupyter_client.manager import KernelManager

    src = notebook_path(name)
    stem = src.stem
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    params = {"workspace": str(Path(workspace).resolve())} | dict(parameters or {})
    executed = out / f"{stem}.ipynb"
    with tempfile.TemporaryDirectory(prefix="xueji-kernel-") as sockets:
        # local sockets between papermill and the kernel: nothing listens on the network
        km = KernelManager(kernel_name="python3", transport="ipc", ip=f"{sockets}/kernel")
        try:
            papermill.execute_notebook(str(src), str(executed), parameters=params,
                                       kernel_name="python3", progress_bar=False,
                                       cwd=str(out), language="python", km=km)
        except papermill.PapermillExecutionError as exc:
            if exc.ename in _kit_errors():  # the kit's own message, e.g. a stale workspace
                raise XuejiError(f"报告「{REPORTS[stem]}」未生成：{exc.evalue}") from None
            raise XuejiError(f"报告「{REPORTS[stem]}」运行出错：{exc.ename}: {exc.evalue}"
                             f"（详见 {executed}）") from None
        finally:
            if km.has_kernel:
                km.shutdown_kernel()
    html = to_html(executed, out / f"{stem}_{REPORTS[stem]}.html", REPORTS[stem])
    return ReportFiles(stem, executed, html)


def run_reports(names: list[str], workspace: str | Path, out_dir: str | Path,
                parameters: dict[str, str] | None = None, echo=print) -> list[ReportFiles]:
    """Run several reports (``all`` for every one) on ``workspace``; ``parameters`` are text
    values applied to each report that declares them. A report run with ``reveal_pii`` shows
    full ID numbers: the notebook writes that to the access log (and refuses without a user)."""
    stems = list(REPORTS) if names == ["all"] else [notebook_path(n).stem for n in names]
    declared = {stem: report_parameters(stem) for stem in stems}
    given = dict(parameters or {})
    unknown = [k for k in given if not any(k in d for d in declared.values())]
    if unknown:
        raise XuejiError(f"报告没有参数「{'、'.join(unknown)}」。可用参数：" + "、".join(
            dict.fromkeys(k for d in declared.values() for k in d)))
    converted = {stem: convert_parameters(stem, {k: v for k, v in given.items()
                                                  if k in declared[stem]}) for stem in stems}
    done = []
    for stem in stems:
        files = run_report(stem, workspace, out_dir, converted[stem])
        echo(f"  {REPORTS[stem]}：{files.html}")
        sys.stdout.flush()
        done.append(files)
    return done
