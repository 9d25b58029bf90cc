"""environment.yml and pyproject.toml list the same dependencies with the same versions."""
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# conda-forge name -> the pip requirement name it stands for, where the two differ
CONDA_TO_PIP = {"dask": "dask[dataframe,distributed]"}


def _split(req: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+(?:\[[^\]]+\])?)\s*(.*?)\s*$", req)
    assert m, req
    return m.group(1).lower(), m.group(2).replace(" ", "")


def _pyproject() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = meta["dependencies"] + meta["optional-dependencies"]["test"]
    return dict(_split(r) for r in reqs)


def _environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for req in dep["pip"]:
                if not req.startswith("-e"):
                    name, spec = _split(req)
                    out[name] = spec
            continue
        name, spec = _split(dep)
        if name in ("python", "pip"):
            continue
        out[CONDA_TO_PIP.get(name, name)] = spec
    return out


def test_environment_lists_every_pyproject_dependency_and_nothing_else():
    py, env = _pyproject(), _environment()
    assert sorted(set(py) - set(env)) == [], "in pyproject.toml but not environment.yml"
    assert sorted(set(env) - set(py)) == [], "in environment.yml but not pyproject.toml"


def test_versions_agree():
    py, env = _pyproject(), _environment()
    assert {k: env[k] for k in py} == py


def test_environment_python_matches_requires_python():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert f"python{meta['requires-python']}" in env["dependencies"]


def test_every_subpackage_and_resource_folder_is_installed():
    """The explicit package list of pyproject.toml names every subpackage of the checkout, and
    the design card's top-level folders are mapped into the package."""
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    listed = set(tool["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts)
             for p in (ROOT / "xueji_audit").rglob("__init__.py")}
    mapped = tool["setuptools"]["package-dir"]
    assert mapped == {"xueji_audit.widgets": "widgets", "xueji_audit.notebooks": "notebooks",
                      "xueji_audit.templates": "templates"}
    assert listed == found | set(mapped)
