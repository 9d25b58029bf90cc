"""Writing the demo county as real exports look: title rows, aliases, mixed date and code forms,
GBK CSV, one roster workbook per school — and the planted bad input the loader must report.

Files are byte-identical for the same county: workbook timestamps and zip entry dates are fixed.
"""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from ..ingest import DEMO_MARKER
from ..output import write_csv
from .build import DemoCounty, generate_tables
from .schools import COUNTY, grade_label

STUDENT_HEADERS = (
    ("学籍号", "全国学籍号*"), ("姓名", "姓名*"), ("性别", "性别*"), ("出生日期", "出生日期*"),
    ("身份证件类型", "证件类型"), ("身份证件号", "身份证件号码"), ("学校标识码", "学校代码"),
    ("学校名称", "学校名称"), ("年级", "年级*"), ("班级", "班级名称"), ("学籍状态", "学籍状态*"),
    ("入学年月", "入学年月"), ("民族", "民族"), ("国籍/地区", "国籍/地区"), ("户口所在地", "户口所在地"),
    ("现住址", "现住址"), ("联系电话", "联系电话"), ("是否留守儿童", "是否留守儿童"),
    ("是否进城务工人员随迁子女", "是否进城务工人员随迁子女"), ("曾用名", "曾用名"),
    ("成员1姓名", "成员1姓名"), ("成员1关系", "成员1关系"), ("成员1身份证件号", "成员1身份证件号"),
    ("成员1联系电话", "成员1联系电话"), ("成员2姓名", "成员2姓名"), ("成员2身份证件号", "成员2身份证件号"),
    ("建籍日期", "学籍建立日期"), ("最后核查日期", "最后核查日期"), ("死亡日期", "死亡日期"),
    ("休学日期", "休学日期"), ("离校日期", "离校日期"), ("毕业日期", "毕业日期"),
    ("随班就读", "随班就读"), ("残疾类型", "残疾类型"),
)
STUDENT_XLSX = f"学生信息/{COUNTY}中小学生学籍信息.xlsx"
STUDENT_CSV = "学生信息/高中学生学籍信息.csv"
FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def _blank(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT


def _ymd(d, form: int) -> str:
    d = pd.Timestamp(d)
    return (d.strftime("%Y%m%d"), d.strftime("%Y-%m-%d"), f"{d.year}/{d.month}/{d.day}",
            d.strftime("%Y-%m-%d"))[form]


def _student_cells(reg: pd.DataFrame, as_xlsx: bool) -> list[list]:
    """Export cells of student records (text, with the variety of real exports)."""
    rows = []
    records = reg[[c for c, _ in STUDENT_HEADERS] + ["_messy"]].to_dict("records")
    for k, rec in enumerate(records):
        out = []
        for col, _ in STUDENT_HEADERS:
            v = rec.get(col)
            if _blank(v):
                out.append(None)
                continue
            if col == "出生日期":
                v = v.to_pydatetime() if (as_xlsx and k % 4 == 3) else _ymd(v, k % 3)
            elif col in ("建籍日期", "最后核查日期"):
                v = v.to_pydatetime() if as_xlsx else _ymd(v, 1)
            elif col in ("死亡日期", "休学日期", "离校日期", "毕业日期"):
                v = _ymd(v, 2)
            elif col == "入学年月":
                v = pd.Timestamp(v).strftime("%Y%m")
            elif col == "性别":
                v = {"男": "1", "女": "2"}[v] if k % 5 == 0 else v
            elif col == "身份证件类型":
                v = "1" if (v == "居民身份证" and k % 3 == 0) else v
            elif col == "年级":
                g = int(v)
                v = f"初{'一二三'[g - 7]}" if (7 <= g <= 9 and k % 4 == 0) else grade_label([g])[0]
            elif col == "学籍状态":
                v = "在读" if (v == "在校" and k % 7 == 0) else v
            elif col == "姓名" and k % 97 == 5:
                v = f" {v} "
            elif col == "现住址" and k % 89 == 3 and as_xlsx:
                v = v[:8] + "\n" + v[8:]
            elif col == "身份证件号":
                v = _messy_id(v, rec["_messy"], as_xlsx, k)
            out.append(v)
        rows.append(out)
    return rows


def _messy_id(v: str, messy, as_xlsx: bool, k: int):
    if messy == "lower_x":
        return v[:-1] + "x"
    if messy == "fullwidth":
        return v.translate(FULLWIDTH)
    if messy == "excel_number":
        return float(v)
    if messy == "excel_sci":
        return f"{float(v):.5E}".replace("E+", "E+")
    return f"{v} " if k % 151 == 7 else v


def _fix_zip(path: Path, stamp: str) -> None:
    """Fixed entry dates and document timestamps, so the same county gives the same bytes."""
    src = zipfile.ZipFile(path)
    items = [(i.filename, src.read(i.filename)) for i in src.infolist()]
    src.close()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in items:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(),
                              data)
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, data)
    path.write_bytes(buf.getvalue())


def _save(wb: Workbook, path: Path, stamp: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    _fix_zip(path, stamp)
    return path


def _csv(path: Path, header: list[str], rows: list[list], encoding: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows([["" if _blank(v) else v for v in r] for r in rows])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def _sheet(wb: Workbook, title: str, header, rows, titles=()) -> int:
    """Write one sheet; returns the Excel row number of the header."""
    ws = wb.create_sheet(title)
    for t in titles:
        ws.append([t])
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    return len(titles) + 1


DEMO_NOTE = """本文件夹是 xueji-audit demo-data 自动生成的合成示范县数据（督查基准日 {as_of}，随机种子 {seed}），
不是真实学籍：姓名、身份证件号、学籍号、电话等均为虚构。由本文件夹督查得出的报告、页面和文书都标注「示范数据」。
truth/ 文件夹是埋设问题的标准答案，供测试使用。
"""


def write_county(county: DemoCounty, out_dir) -> list[Path]:
    """Write the export files and ``truth/`` into ``out_dir``; returns the files written."""
    out = Path(out_dir)
    stamp = pd.Timestamp(county.as_of).strftime("%Y-%m-%dT09:12:00Z")
    reg = county.register
    sch = county.schools_internal
    high = set(sch.loc[sch["学段"] == "高中", "学校标识码"])
    in_csv = reg["学校标识码"].isin(high).to_numpy()
    files, rejects = [], []

    wb = Workbook()
    wb.remove(wb.active)
    main = reg[~in_csv]
    cells = _student_cells(main, True)
    mid = len(cells) // 2
    cells = cells[:mid] + [[None] * len(STUDENT_HEADERS)] * 2 + cells[mid:]
    hdr = _sheet(wb, "学生信息", [h for _, h in STUDENT_HEADERS], cells,
                 (f"{COUNTY}中小学生学籍信息",
                  f"导出时间：{pd.Timestamp(county.as_of).strftime('%Y-%m-%d')} 09:12"))
    for pos, m in enumerate(main["_messy"].to_numpy()):
        if m == "excel_number":
            row = hdr + 1 + pos + (2 if pos >= mid else 0)
            rejects.append({"file": STUDENT_XLSX, "sheet": "学生信息", "row": row,
                            "学籍号": main["学籍号"].iloc[pos], "kind": m})
    files.append(_save(wb, out / STUDENT_XLSX, stamp))

    hs = reg[in_csv]
    cells = _student_cells(hs, False)
    cut = min(3, len(cells))
    cells = cells[:cut] + [[""] * len(STUDENT_HEADERS)] + cells[cut:]
    cells.append(["合计", f"共{len(hs)}人"] + [""] * (len(STUDENT_HEADERS) - 2))
    for pos, m in enumerate(hs["_messy"].to_numpy()):
        if m == "excel_sci":
            rejects.append({"file": STUDENT_CSV, "sheet": "", "row": 2 + pos + (1 if pos >= cut else 0),
                            "学籍号": hs["学籍号"].iloc[pos], "kind": m})
    rejects.append({"file": STUDENT_CSV, "sheet": "", "row": len(cells) + 1, "学籍号": "",
                    "kind": "totals_row"})
    files.append(_csv(out / STUDENT_CSV, [h for _, h in STUDENT_HEADERS], cells, "gbk"))

    files += _write_business(county, out, stamp)
    files += _write_rosters(county, out, stamp)
    county.truth["rejects"] = pd.DataFrame(rejects, columns=["file", "sheet", "row", "学籍号", "kind"])
    files += _write_truth(county, out, files)
    marker = out / DEMO_MARKER
    marker.write_text(DEMO_NOTE.format(as_of=county.as_of, seed=county.seed), encoding="utf-8")
    return files + [marker]


def _write_business(county: DemoCounty, out: Path, stamp: str) -> list[Path]:
    t = county.tables
    ch = t["changes"]
    rows = []
    for k, rec in enumerate(ch.to_dict("records")):
        row = []
        for c in ch.columns:
            v = rec[c]
            if _blank(v):
                row.append("")
            elif c in ("发起日期", "办结日期"):
                row.append(pd.Timestamp(v).strftime("%Y-%m-%d %H:%M:%S"))
            elif c in ("原年级", "转入年级"):
                row.append(grade_label([int(v)])[0] if k % 2 else str(int(v)))
            else:
                row.append(v)
        rows.append(row)
    files = [_csv(out / "学籍异动/学籍异动业务.csv", list(ch.columns), rows, "gbk")]
    wb = Workbook()
    wb.remove(wb.active)
    steps = t["steps"]
    _sheet(wb, "异动环节", steps.columns, [[None if _blank(v) else (v.to_pydatetime() if isinstance(
        v, pd.Timestamp) else int(v) if c == "环节序号" else v) for c, v in zip(steps.columns, r, strict=True)]
        for r in steps.itertuples(index=False)])
    files.append(_save(wb, out / "学籍异动/异动环节.xlsx", stamp))
    wb = Workbook()
    wb.remove(wb.active)
    s = t["schools"]
    _sheet(wb, "学校", s.columns, s.astype(object).to_numpy().tolist(), (f"{COUNTY}学校名录",))
    files.append(_save(wb, out / "学校/学校基本信息.xlsx", stamp))
    m = t["modifications"]
    rows = [[f"{v.year}/{v.month}/{v.day}" if isinstance(v, pd.Timestamp) else v for v in r]
            for r in m.itertuples(index=False)]
    files.append(_csv(out / "信息变更/信息变更记录.csv", list(m.columns), rows, "utf-8-sig"))
    return files


def _write_rosters(county: DemoCounty, out: Path, stamp: str) -> list[Path]:
    ro = county.tables["rosters"]
    names = county.tables["schools"].set_index("学校标识码")["学校名称"]
    files = []
    for code, g in ro.groupby("学校标识码", sort=True):
        wb = Workbook()
        wb.remove(wb.active)
        birth = g["出生日期"].notna().any()
        for klass, c in g.groupby("班级", sort=False):
            cols = ["学校标识码", "班级", "姓名", "性别"] + (["出生日期"] if birth else []) + ["核对日期"]
            cols += ["离校日期"] if c["离校日期"].notna().any() else []
            rows = [[None if _blank(v) else (v.to_pydatetime() if isinstance(v, pd.Timestamp) else v)
                     for v in r] for r in c[cols].astype(object).itertuples(index=False)]
            _sheet(wb, klass, cols, rows, (f"{klass}在校学生名单",))
        files.append(_save(wb, out / "在校名单" / f"{names[code]}.xlsx", stamp))
    return files


def _write_truth(county: DemoCounty, out: Path, files: list[Path]) -> list[Path]:
    written = []
    for key in ("findings", "duplicates", "decoys", "edges", "rejects", "roster_variants"):
        written.append(write_csv(county.truth[key], out / "truth" / f"{key}.csv"))
    f = county.truth["findings"]
    manifest = {
        "seed": county.seed, "as_of": str(county.as_of),
        "counts": {k: int(len(v)) for k, v in county.tables.items()},
        "findings_per_rule": {k: int(v) for k, v in f[f["kind"] == "planted"]["rule_id"]
                              .value_counts().sort_index().items()},
        "duplicate_clusters": int(county.truth["duplicates"]["cluster_id"].nunique()),
        "files": [p.relative_to(out).as_posix() for p in files],
    }
    path = out / "truth" / "manifest.json"
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8-sig")
    return written + [path]


def generate(out_dir, students: int = 20000, seed: int = 0, *, as_of,
             noise: str = "gentle") -> DemoCounty:
    """Generate the county for the audit date ``as_of`` and write it into ``out_dir``."""
    county = generate_tables(students, seed, as_of=as_of, noise=noise)
    write_county(county, out_dir)
    return county
