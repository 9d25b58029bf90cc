"""The committed report notebooks: clean (no outputs, no papermill traces, no code defined
in cells), with the documented parameters as papermill sees them."""
import ast
import json
from pathlib import Path

import papermill
import pytest

from xueji_audit.reports.run import NOTEBOOK_DIR, REPORTS

NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb")) + sorted(NOTEBOOK_DIR.glob("apps/*.ipynb"))
COMMON = {"workspace": "str", "school": "str", "reveal_pii": "bool", "user": "str",
          "as_of": "str", "output_dir": "str"}
EXTRA = {"04_bulletin": {"month": "str", "region": "str"}, "05_cases": {"draft": "bool"}}


def test_every_report_has_its_notebook():
    assert {p.stem for p in NOTEBOOKS} >= set(REPORTS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_is_clean(path: Path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert "papermill" not in nb["metadata"]
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    for cell in nb["cells"]:
        meta = cell.get("metadata", {})
        assert "papermill" not in meta and "execution" not in meta
        assert "injected-parameters" not in meta.get("tags", [])
        if cell["cell_type"] != "code":
            continue
        assert cell["outputs"] == [] and cell["execution_count"] is None
        tree = ast.parse("".join(cell["source"]))
        defined = [n for n in ast.walk(tree)
                   if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
                                 | ast.Lambda)]
        assert defined == [], f"{path.name}: cell defines code; move it into xueji_audit"


@pytest.mark.parametrize("stem", list(REPORTS))
def test_papermill_lists_documented_parameters(stem):
    params = papermill.inspect_notebook(str(NOTEBOOK_DIR / f"{stem}.ipynb"))
    expected = COMMON | EXTRA.get(stem, {})
    assert {k: v["inferred_type_name"] for k, v in params.items()} == expected
    assert all(v["help"].strip() for v in params.values())
    assert params["reveal_pii"]["default"] == "False"
    # no demo data and no date is ever a default: an empty workspace is refused by the report
    assert params["workspace"]["default"] == '""' and params["as_of"]["default"] == '""'
