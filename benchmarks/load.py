"""Speed benchmark of the loader: a 1,000,000-row 学生 .xlsx and a 1,000,000-row GBK .csv.

Usage::

    .venv/bin/python benchmarks/load.py [--rows 1000000] [--csv-runs 3] [--xlsx-runs 1]
                                        [--workdir DIR] [--keep]

The files are generated (synthetic data, ~25 columns of the 学生 table, IDs as text, a title row
above the header) into a temporary folder — or ``--workdir``, where an existing file of the right
size is reused — and are *not* part of the measured time. Each load runs ``load_file`` in a fresh
subprocess, which reports its wall time, CPU time and peak resident set size (``ru_maxrss``), so
the figures of one run do not leak into the next. Each run and the median over the runs are
printed; on a shared machine the CPU seconds are the steadier figure.

Targets on the 2-core reference machine: xlsx ≤ 25 s, csv ≤ 5 s, peak RSS ≤ 3 GB.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

COLUMNS = (
    "学籍号", "姓名", "性别", "出生日期", "身份证件类型", "身份证件号", "学校标识码", "学校名称",
    "年级", "班级", "学籍状态", "入学年月", "民族", "国籍/地区", "户口所在地", "现住址", "联系电话",
    "是否留守儿童", "是否进城务工人员随迁子女", "成员1姓名", "成员1关系", "成员1身份证件号",
    "建籍日期", "最后核查日期", "班内学号",
)
TITLE = "示范县2026年秋季学期学生名单（导出时间：2026-11-20 09:00）"
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董")
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂子轩涵浩宇欣怡梓晨")
GRADES = ("一年级", "二年级", "三年级", "四年级", "五年级", "六年级", "七年级", "八年级", "九年级")
DIGITS = "零一二三四五六七八九"
_RUNNER = """
import json, os, resource, sys, time
from xueji_audit.ingest import load_file
c0, t0 = os.times(), time.perf_counter()
res = load_file(sys.argv[1])
dt, c1 = time.perf_counter() - t0, os.times()
rows = sum(len(df) for df in res.tables.values())
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
cpu = c1.user + c1.system - c0.user - c0.system
print(json.dumps({"seconds": dt, "cpu": cpu, "peak_bytes": peak, "rows": rows}))
"""


def synthetic_students(n: int, seed: int = 7) -> pd.DataFrame:
    """``n`` synthetic 学生 rows, every cell text, built with numpy (no per-row loop)."""
    rng = np.random.default_rng(seed)
    birth = pd.Timestamp("2008-01-01") + pd.to_timedelta(rng.integers(0, 12 * 365, n), "D")
    area = pd.Series(rng.choice(["110105", "320102", "440305", "510104"], n))
    ymd = pd.Series(birth.strftime("%Y%m%d"))
    seq = pd.Series(rng.integers(0, 1000, n)).astype(str).str.zfill(3)
    sexd = rng.integers(0, 2, n)
    idno = area + ymd + seq.str[:2] + pd.Series(sexd).astype(str) + pd.Series(
        rng.choice(list("0123456789X"), n))
    surname = pd.Series(rng.choice(SURNAMES, n))
    name = surname + pd.Series(rng.choice(GIVEN, n)) + pd.Series(rng.choice(GIVEN + [""], n))
    grade = rng.integers(0, 9, n)
    school = pd.Series(rng.integers(0, 500, n)).astype(str).str.zfill(4)
    cls = pd.Series(rng.integers(1, 9, n)).astype(str)
    grade_name = pd.Series(np.array(GRADES)[grade])
    phone = "13" + pd.Series(rng.integers(0, 10**9, n)).astype(str).str.zfill(9)
    parent = pd.Series(rng.choice(SURNAMES, n)) + pd.Series(rng.choice(GIVEN, n))
    return pd.DataFrame({
        "学籍号": "G" + idno,
        "姓名": name,
        "性别": np.where(sexd == 1, "男", "女"),
        "出生日期": birth.strftime("%Y-%m-%d"),
        "身份证件类型": "居民身份证",
        "身份证件号": idno,
        "学校标识码": "21" + area.str[:4] + school,
        "学校名称": "示范县第" + school + "小学",
        "年级": grade_name,
        "班级": grade_name + "(" + cls + ")班",
        "学籍状态": rng.choice(["在校", "在校", "在校", "休学", "转出"], n),
        "入学年月": (2026 - grade).astype(str) + "09",
        "民族": rng.choice(["汉族", "回族", "壮族", "满族"], n),
        "国籍/地区": "中国",
        "户口所在地": rng.choice(["北京市东城区", "江苏省南京市", "广东省深圳市"], n),
        "现住址": "示范县" + school + "路" + cls + "号",
        "联系电话": phone,
        "是否留守儿童": rng.choice(["是", "否"], n),
        "是否进城务工人员随迁子女": rng.choice(["是", "否"], n),
        "成员1姓名": parent,
        "成员1关系": rng.choice(["父亲", "母亲"], n),
        "成员1身份证件号": area + "19800101" + seq + "1",
        "建籍日期": (2026 - grade).astype(str) + "-09-15",
        "最后核查日期": "2026-09-20",
        "班内学号": pd.Series(rng.integers(1, 60, n)).astype(str),
    }, columns=list(COLUMNS))


def _col_letter(j: int) -> str:
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


def write_xlsx(df: pd.DataFrame, path: Path, chunk: int = 100_000) -> None:
    """Write ``df`` under a title row as Excel itself does: a shared-strings table (UTF-8) and
    every cell a text cell (``t="s"``).

    openpyxl (even write-only) needs ~4 minutes for a million rows and writes every CJK character
    as a ``&#NNNNN;`` reference inside inline strings — a file ten times larger than Excel's and
    much slower to read, so not a realistic export. This minimal writer builds the cell XML column
    by column with vectorised string operations.
    """
    from xml.sax.saxutils import escape

    header = [TITLE], list(df.columns)
    strings: dict[str, int] = {}
    codes = {}
    for col in df.columns:
        uniq, inverse = np.unique(df[col].to_numpy(dtype=str), return_inverse=True)
        for u in uniq:
            strings.setdefault(u, len(strings))
        remap = np.array([strings[u] for u in uniq])
        codes[col] = remap[inverse]
    for row in header:
        for v in row:
            strings.setdefault(v, len(strings))
    letters = [_col_letter(j) for j in range(len(df.columns))]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, text in _PARTS.items():
            zf.writestr(name, text)
        with zf.open("xl/sharedStrings.xml", "w") as fh:
            fh.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{_NS}" '
                     f'count="{len(strings)}" uniqueCount="{len(strings)}">'.encode())
            fh.write("".join(f"<si><t>{escape(s)}</t></si>" for s in strings).encode())
            fh.write(b"</sst>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
            fh.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
                     f'xmlns="{_NS}"><sheetData>'.encode())
            for r, row in enumerate(header, start=1):
                cells = "".join(f'<c r="{letters[j]}{r}" t="s"><v>{strings[v]}</v></c>'
                                for j, v in enumerate(row))
                fh.write(f'<row r="{r}">{cells}</row>'.encode())
            for start in range(0, len(df), chunk):
                stop = min(start + chunk, len(df))
                rn = pd.Series(np.arange(start + 3, stop + 3)).astype(str)
                xml = '<row r="' + rn + '">'
                for j, col in enumerate(df.columns):
                    v = pd.Series(codes[col][start:stop]).astype(str)
                    xml = xml + f'<c r="{letters[j]}' + rn + '" t="s"><v>' + v + "</v></c>"
                fh.write(("".join(xml + "</row>")).encode())
            fh.write(b"</sheetData></worksheet>")


_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_PARTS = {
    "[Content_Types].xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{_PKG}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        "</Types>"),
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_NS}" xmlns:r="{_REL}">'
        '<sheets><sheet name="学生名单" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"),
}


def write_gbk_csv(df: pd.DataFrame, path: Path) -> None:
    """Write ``df`` as a GBK CSV, as Excel on Chinese Windows saves it."""
    df.to_csv(path, index=False, encoding="gbk")


def ensure_files(workdir: Path, rows: int) -> tuple[Path, Path]:
    """Generate (or reuse) the two benchmark files in ``workdir``."""
    xlsx, csv = workdir / f"students_{rows}.xlsx", workdir / f"students_{rows}_gbk.csv"
    if not (xlsx.exists() and csv.exists()):
        df = synthetic_students(rows)
        write_gbk_csv(df, csv)
        write_xlsx(df, xlsx)
    return xlsx, csv


def measure(path: Path, runs: int) -> dict:
    """Load ``path`` ``runs`` times, each in a fresh interpreter; return the medians."""
    results = []
    repo = Path(__file__).resolve().parents[1]
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", _RUNNER, str(path)], cwd=repo,
                             capture_output=True, text=True, check=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {
        "runs": runs,
        "seconds": statistics.median(r["seconds"] for r in results),
        "cpu": statistics.median(r["cpu"] for r in results),
        "peak_gb": statistics.median(r["peak_bytes"] for r in results) / 1e9,
        "rows": results[0]["rows"],
        "per_run": [(round(r["seconds"], 2), round(r["cpu"], 2), round(r["peak_bytes"] / 1e9, 2))
                    for r in results],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--csv-runs", type=int, default=3)
    ap.add_argument("--xlsx-runs", type=int, default=1)
    ap.add_argument("--workdir", type=Path, help="reuse/generate the files here (kept)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="xueji-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        xlsx, csv = ensure_files(workdir, args.rows)
        for label, path, runs, target in (("csv (GBK)", csv, args.csv_runs, 5.0),
                                          ("xlsx", xlsx, args.xlsx_runs, 25.0)):
            if runs < 1:
                continue
            m = measure(path, runs)
            ok = m["seconds"] <= target and m["peak_gb"] <= 3.0
            for k, (wall, cpu, peak) in enumerate(m["per_run"], start=1):
                print(f"{label:10s} run {k}: {wall:.2f} s wall, {cpu:.2f} s CPU, "
                      f"peak RSS {peak:.2f} GB")
            print(f"{label:10s} rows={m['rows']:,} median of {m['runs']}: {m['seconds']:.2f} s "
                  f"(CPU {m['cpu']:.2f} s), peak RSS {m['peak_gb']:.2f} GB "
                  f"[target ≤ {target:.0f} s, ≤ 3 GB: {'OK' if ok else 'MISSED'}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
