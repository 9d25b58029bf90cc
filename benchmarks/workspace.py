"""Building a workspace (load, audit with matching and chains, persist) and re-opening it.

Usage::

    .venv/bin/python benchmarks/workspace.py [--students 1000000] [--runs 3] [--seed 7]

The demo county is generated first, in its own process (not timed). Each build and each
re-open then runs in a fresh process that did not generate the data, so its peak resident set
size (``ru_maxrss`` of that child) is its own. A re-open is what a report or page does:
``Workspace.open`` (manifest, input fingerprints) and reading the findings, the register, the
duplicate pairs and the chains.

Target: re-opening takes under a tenth of the build.
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

AS_OF = "2026-11-20"  # the benchmark county's audit date

GENERATE = """
import datetime as dt, sys
from xueji_audit.demo import generate
generate(sys.argv[1], students=int(sys.argv[2]), seed=int(sys.argv[3]),
         as_of=dt.date.fromisoformat(sys.argv[4]))
"""
BUILD = """
import json, resource, sys, time
from xueji_audit.workspace import build_workspace
t = time.perf_counter()
ws = build_workspace(sys.argv[1], sys.argv[2], as_of=sys.argv[3], user="基准测试")
wall = time.perf_counter() - t
print(json.dumps({"wall": wall, "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2,
                  "students": len(ws.students), "findings": len(ws.findings)}))
"""
REOPEN = """
import json, resource, sys, time
from xueji_audit.workspace import Workspace
t = time.perf_counter()
ws = Workspace.open(sys.argv[1])
n = len(ws.findings) + len(ws.students) + len(ws.duplicates.pairs) + len(ws.chains.chain)
wall = time.perf_counter() - t
print(json.dumps({"wall": wall, "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2,
                  "rows": n}))
"""


def _child(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True,
                         text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it")
    args = parser.parse_args()
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-ws-"))
    data = base / "data"
    try:
        if not data.is_dir():
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", GENERATE, str(data), str(args.students),
                            str(args.seed), AS_OF], check=True)
            print(f"demo county of {args.students:,} students generated in "
                  f"{time.perf_counter() - t:.0f} s (not counted)")
        builds, opens = [], []
        for k in range(args.runs):
            ws = base / f"ws{k}"
            shutil.rmtree(ws, ignore_errors=True)
            b = _child(BUILD, str(data), str(ws), AS_OF)
            builds.append(b)
            print(f"  build {k + 1}: {b['wall']:.1f} s, peak {b['peak_gb']:.2f} GB "
                  f"({b['students']:,} students, {b['findings']:,} findings)", flush=True)
            o = _child(REOPEN, str(ws))
            opens.append(o)
            print(f"  re-open {k + 1}: {o['wall']:.2f} s, peak {o['peak_gb']:.2f} GB", flush=True)
        bw = statistics.median(b["wall"] for b in builds)
        ow = statistics.median(o["wall"] for o in opens)
        size = sum(p.stat().st_size for p in (base / "ws0").rglob("*") if p.is_file()) / 1e9
        print(f"build: median {bw:.1f} s, peak {max(b['peak_gb'] for b in builds):.2f} GB; "
              f"re-open: median {ow:.2f} s, peak {max(o['peak_gb'] for o in opens):.2f} GB; "
              f"workspace {size:.2f} GB on disk")
        print(f"re-open / build = {ow / bw:.3f} (target < 0.1: "
              f"{'met' if ow < bw / 10 else 'MISSED'}); measured {dt.date.today()}")
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
