"""Drafting one 核查单 per child for a large case: N .docx + N .pdf, the 汇总表 and the merged
PDF (``reports.cases.draft_logged``, what ``xueji-audit forms`` and the 案件办理 page run).

Usage::

    .venv/bin/python benchmarks/forms.py [--children 500] [--runs 3]

The case store (one case of N synthetic children, each with an ID-01 finding), their register
rows (Parquet) and the organisation settings are made first, in this process (not timed). Each
draft then runs in a fresh process that did not make them, so its peak resident set size
(``ru_maxrss`` of that child) is its own. Prints each run and the medians.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DRAFT = """
import json, resource, sys, time
import pandas as pd
from xueji_audit.cases import CaseStore
from xueji_audit.profile import load_profile
from xueji_audit.reports.cases import draft_logged
folder, out = sys.argv[1], sys.argv[2]
t = time.perf_counter()
students = pd.read_parquet(folder + "/students.parquet")
with CaseStore(folder + "/cases.sqlite") as store:
    paths = draft_logged(store, 1, "核查单", on="2026-11-20", calendar=load_profile().calendar(),
                         out_dir=out, user="基准测试", students=students)
wall = time.perf_counter() - t
print(json.dumps({"wall": wall, "files": len(paths),
                  "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2}))
"""


def make_case(folder: Path, children: int) -> None:
    """A store with one case of ``children`` children, their register rows and the settings."""
    import pandas as pd

    from xueji_audit.cases import CaseStore, organisation
    from xueji_audit.ids import check_digit
    from xueji_audit.profile import load_profile

    first17 = [f"640426{2012 + k % 6}{1 + k % 12:02d}{1 + k % 28:02d}{k % 1000:03d}"
               for k in range(children)]
    ids = [f + check_digit(f) for f in first17]
    xjh = ["G" + i for i in ids]
    names = [f"学生{chr(0x4E00 + k % 2000)}{chr(0x4E00 + (k * 7) % 2000)}" for k in range(children)]
    findings = pd.DataFrame({"rule_id": "ID-01", "rule_name": "证件号错误", "severity": "高",
                             "学籍号": xjh, "姓名": names, "学校标识码": "2164040001",
                             "班级": "三年级(1)班", "detail": "校验位错误",
                             "basis": "通知2016 附件1"})
    students = pd.DataFrame({"学籍号": xjh, "姓名": names, "性别": "男",
                             "出生日期": pd.Timestamp("2015-01-01"), "民族": "汉族",
                             "身份证件号": ids, "学校名称": "清川县第一小学", "年级": 3,
                             "班级": "三年级(1)班"})
    students.to_parquet(folder / "students.parquet")
    organisation.set_part(folder, "技术部门", unit="清川县教育体育局教育信息技术中心",
                          person="杨主任", phone="0954-7010001")
    with CaseStore(folder / "cases.sqlite") as store:
        cid = store.open_case("核查", "身份证件号问题核查", findings, deadline_workdays=10,
                              user="基准测试", on=dt.date(2026, 11, 20),
                              calendar=load_profile().calendar())
        store.assign(cid, "清川县第一小学", user="基准测试", on=dt.date(2026, 11, 20))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--children", type=int, default=500)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="xueji-bench-forms-"))
    try:
        t = time.perf_counter()
        make_case(base, args.children)
        print(f"case of {args.children} children made in {time.perf_counter() - t:.1f} s")
        runs = []
        for r in range(args.runs):
            out = base / f"out{r}"
            res = subprocess.run([sys.executable, "-c", DRAFT, str(base), str(out)], check=True,
                                 capture_output=True, text=True)
            runs.append(json.loads(res.stdout.strip().splitlines()[-1]))
            print(f"run {r + 1}: {runs[-1]['wall']:.1f} s, peak {runs[-1]['peak_gb']:.2f} GB, "
                  f"{runs[-1]['files']} files", flush=True)
        print(f"drafting {args.children} 核查单 (docx + pdf each, 汇总表, merged PDF): median "
              f"{statistics.median(r['wall'] for r in runs):.1f} s wall, "
              f"{statistics.median(r['peak_gb'] for r in runs):.2f} GB peak")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
