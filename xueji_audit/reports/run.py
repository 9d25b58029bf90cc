"""Running the report notebooks: papermill executes a notebook with parameters into the output
folder, nbconvert turns the result into an HTML report without code cells.
"""
from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import XuejiError
from ..resources import notebooks_dir

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
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    html.write_text(body, encoding="utf-8")
    return html


def run_report(name: str, data_dir: str | Path, out_dir: str | Path,
               parameters: dict[str, object] | None = None) -> ReportFiles:
    """Execute report ``name`` on ``data_dir`` into ``out_dir`` (``NAME.ipynb`` and
    ``TITLE.html``); ``parameters`` override the notebook's defaults."""
    import papermill
    from jupyter_client.manager import KernelManager

    src = notebook_path(name)
    stem = src.stem
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    params = {"data_dir": str(Path(data_dir).resolve()) if str(data_dir) else ""}
    params |= dict(parameters or {})
    executed = out / f"{stem}.ipynb"
    with tempfile.TemporaryDirectory(prefix="xueji-kernel-") as sockets:
        # local sockets between papermill and the kernel: nothing listens on the network
        km = KernelManager(kernel_name="python3", transport="ipc", ip=f"{sockets}/kernel")
        try:
            papermill.execute_notebook(str(src), str(executed), parameters=params,
                                       kernel_name="python3", progress_bar=False,
                                       cwd=str(out), language="python", km=km)
        except papermill.PapermillExecutionError as exc:
            raise XuejiError(f"报告「{REPORTS[stem]}」运行出错：{exc.ename}: {exc.evalue}"
                             f"（详见 {executed}）") from None
        finally:
            if km.has_kernel:
                km.shutdown_kernel()
    html = to_html(executed, out / f"{stem}_{REPORTS[stem]}.html", REPORTS[stem])
    return ReportFiles(stem, executed, html)


def run_reports(names: list[str], data_dir: str | Path, out_dir: str | Path,
                parameters: dict[str, str] | None = None, echo=print,
                log_reveal: Callable[[ReportFiles], object] | None = None) -> list[ReportFiles]:
    """Run several reports (``all`` for every one); ``parameters`` are text values applied to
    each report that declares them. A report run with ``reveal_pii`` shows full ID numbers:
    it is refused unless ``log_reveal`` is given, which is called with each such report."""
    stems = list(REPORTS) if names == ["all"] else [notebook_path(n).stem for n in names]
    declared = {stem: report_parameters(stem) for stem in stems}
    given = dict(parameters or {})
    unknown = [k for k in given if not any(k in d for d in declared.values())]
    if unknown:
        raise XuejiError(f"报告没有参数「{'、'.join(unknown)}」。可用参数：" + "、".join(
            dict.fromkeys(k for d in declared.values() for k in d)))
    converted = {stem: convert_parameters(stem, {k: v for k, v in given.items()
                                                  if k in declared[stem]}) for stem in stems}
    if log_reveal is None and any(c.get("reveal_pii") for c in converted.values()):
        raise XuejiError("显示完整证件号的报告须记入访问日志：请用 --store 指定案件库文件"
                         "（并用 --user 指定操作人）。")
    done = []
    for stem in stems:
        files = run_report(stem, data_dir, out_dir, converted[stem])
        if converted[stem].get("reveal_pii"):
            log_reveal(files)
        echo(f"  {REPORTS[stem]}：{files.html}")
        sys.stdout.flush()
        done.append(files)
    return done
