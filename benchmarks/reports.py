"""Speed benchmark of the report notebooks: every report on one demo county.

Usage::

    .venv/bin/python benchmarks/reports.py [--students 50000] [--seed 0] [--keep DIR]

Generates the demo county (timed separately, not part of the target), then runs
``xueji-audit report all`` on it — papermill executes each notebook in its own kernel and
nbconvert writes the HTML — and prints the wall time of each report and of all of them,
the size of each HTML file and the peak resident set size of the kernels.

Target on the 2-core reference machine: all reports on a 50,000-student county ≤ 3 min.
"""
from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import tempfile
import time
from pathlib import Path

AS_OF = dt.date(2026, 11, 20)  # the benchmark county's audit date


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", metavar="DIR", help="write data and reports here and keep them")
    args = parser.parse_args()

    from xueji_audit.demo import generate
    from xueji_audit.reports.run import REPORTS, run_report

    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-reports-"))
    try:
        t0 = time.perf_counter()
        generate(base / "data", students=args.students, seed=args.seed, as_of=AS_OF)
        print(f"demo county of {args.students:,} students generated in "
              f"{time.perf_counter() - t0:.1f} s (not counted)")
        total = time.perf_counter()
        for stem in REPORTS:
            t = time.perf_counter()
            files = run_report(stem, base / "data", base / "reports")
            size = files.html.stat().st_size / 1e6
            print(f"  {stem:<14} {time.perf_counter() - t:6.1f} s   HTML {size:5.1f} MB")
        elapsed = time.perf_counter() - total
        kernels = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 ** 2
        print(f"all reports: {elapsed:.1f} s (target ≤ 180 s), "
              f"peak RSS of a kernel {kernels:.2f} GB")
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
