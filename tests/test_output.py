"""Output files: UTF-8 with BOM, formula injection escaped, dates plain."""
import pandas as pd
from openpyxl import load_workbook

from xueji_audit.output import escape_formula, write_csv, write_xlsx


def test_csv_has_bom_and_escapes_formulas(tmp_path):
    df = pd.DataFrame({"姓名": ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "张三"],
                       "n": [1, 2, 3, 4, 5]})
    path = write_csv(df, tmp_path / "out.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
    assert back["姓名"].tolist() == ["'=HYPERLINK(\"x\")", "'+1", "'-2", "'@SUM(A1)", "张三"]
    assert back["n"].tolist() == ["1", "2", "3", "4", "5"]


def test_xlsx_cells_are_text_not_formulas(tmp_path):
    df = pd.DataFrame({"detail": ["=1+1", "正常"]})
    path = write_xlsx(df, tmp_path / "out.xlsx")
    ws = load_workbook(path).active
    assert ws["A2"].value == "'=1+1" and ws["A2"].data_type == "s"
    assert ws["A3"].value == "正常"


def test_escape_leaves_other_values():
    assert escape_formula("学籍号") == "学籍号"
    assert escape_formula(3) == 3
    assert escape_formula("-") == "'-"
