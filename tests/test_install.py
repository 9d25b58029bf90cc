"""A normal install: the wheel, installed into a fresh venv outside the checkout, carries its
notebooks, templates and widgets and runs ``audit``, ``report all``, ``forms`` and ``serve``."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from xueji_audit.app.serve import free_port
from xueji_audit.server.client import Client

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-20"


def _uv() -> list[str]:
    found = shutil.which("uv")
    return [found] if found else ["python3", "-m", "uv"]


def _env() -> dict[str, str]:
    """The environment without anything pointing into the checkout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "XUEJI_"))}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if not p.startswith(str(ROOT)))
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    base = tmp_path_factory.mktemp("install")
    subprocess.run([*_uv(), "build", "--wheel", "--quiet", "--out-dir", str(base / "dist"),
                    str(ROOT)], check=True, timeout=600, env=_env(), cwd=base)
    wheel = next((base / "dist").glob("*.whl"))
    subprocess.run([*_uv(), "venv", "--quiet", "--python", sys.executable, str(base / "venv")],
                   check=True, timeout=300, env=_env(), cwd=base)
    subprocess.run([*_uv(), "pip", "install", "--quiet", "--python",
                    str(base / "venv" / "bin" / "python"), str(wheel)],
                   check=True, timeout=900, env=_env(), cwd=base)
    work = base / "work"
    work.mkdir()
    return base, wheel, work


def _run(base: Path, work: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    done = subprocess.run([str(base / "venv" / "bin" / "xueji-audit"), *args], cwd=work,
                          env=_env(), capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    return done


def test_the_wheel_holds_the_notebooks_templates_and_widgets_inside_the_package(installed):
    base, wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for member in ("xueji_audit/notebooks/01_findings.ipynb",
                   "xueji_audit/notebooks/apps/loader.ipynb",
                   "xueji_audit/templates/核查单.docx",
                   "xueji_audit/templates/voila/templates/xueji/index.html.j2",
                   "xueji_audit/templates/nbconvert/xueji/index.html.j2",
                   "xueji_audit/widgets/apps.py", "xueji_audit/profiles/national-2025.toml"):
        assert member in names, member
    assert not any(n.startswith("widgets/") for n in names)  # no generic top-level package
    probe = subprocess.run(
        [str(base / "venv" / "bin" / "python"), "-c",
         "import importlib.util, xueji_audit, xueji_audit.widgets.apps; "
         "print(xueji_audit.__file__); print(importlib.util.find_spec('widgets'))"],
        cwd=installed[2], env=_env(), capture_output=True, text=True, check=True)
    where, widgets = probe.stdout.split()
    assert "site-packages" in where and str(ROOT) not in where and widgets == "None"


def test_audit_reports_and_forms_run_from_the_install(installed):
    base, _, work = installed
    _run(base, work, "demo-data", "--out", "data", "--students", "600", "--seed", "2",
         "--as-of", AS_OF)
    audit = _run(base, work, "audit", "data", "--workspace", "ws", "--as-of", AS_OF,
                 "--user", "甲")
    assert "示范数据" in audit.stdout and (work / "ws" / "督查结果" / "问题清单.csv").is_file()
    _run(base, work, "case", "open", "--workspace", "ws", "--kind", "核查", "--title", "核查",
         "--rule", "ID-01", "--as-of", AS_OF, "--user", "甲")
    _run(base, work, "case", "org", "--workspace", "ws", "--part", "技术部门", "--unit", "某县教育局技术科")
    _run(base, work, "forms", "1", "--kind", "核查单", "--workspace", "ws", "--as-of", AS_OF,
         "--user", "甲")
    assert (work / "ws" / "forms" / "案件1" / "核查单_案件1_合并打印.pdf").read_bytes()[:4] == b"%PDF"
    _run(base, work, "report", "all", "--workspace", "ws", "--out", "报告", "--as-of", AS_OF,
         "--user", "甲", timeout=900)
    assert len(list((work / "报告").glob("*.html"))) == 5


def test_serve_runs_from_the_install(installed):
    base, _, work = installed
    if not (work / "ws" / "manifest.json").is_file():
        pytest.fail("the audit test above builds the workspace served here")
    xa = str(base / "venv" / "bin" / "xueji-audit")
    subprocess.run([xa, "users", "add", "甲", "--role", "督查员", "--workspace", "ws"], cwd=work,
                   env=_env(), input="install-password\n", text=True, check=True, timeout=120)
    port = free_port()
    proc = subprocess.Popen([xa, "serve", "--workspace", "ws", "--port", str(port),
                             "--as-of", AS_OF], cwd=work, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        link, seen, deadline = None, [], time.monotonic() + 240
        while link is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line)
            found = re.search(r"(http://127\.0\.0\.1:\d+/)\s", line)
            link = found.group(1) if found else None
        assert link, "".join(seen)[-2000:]
        client = Client(link)
        assert client.login("甲", "install-password").status == 302
        page = client.open_page("loader")
        # the page ran in a kernel of the installed package: its text and its widgets are there
        assert page.status == 200 and "上传学籍系统导出的文件" in page.body
        assert "widget-view" in page.body
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
