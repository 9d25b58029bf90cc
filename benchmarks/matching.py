"""Benchmark of duplicate-student matching, and of Splink 5 (DuckDB) on the same records.

Usage::

    .venv/bin/python benchmarks/matching.py [--students 100000 1000000] [--no-splink]
                                            [--splink-students 100000 300000]
                                            [--seed 7] [--noise gentle|heavy] [--workdir DIR]

For each size a demo county is generated (not timed; ``--noise heavy``: duplicates with 2–5
corruptions each, and twins, triplets, siblings a year apart and namesake groups as decoys) and its 学生 table and planted truth are
saved as parquet. Each matcher then runs in a fresh subprocess that reports its wall time and
peak resident set size (``ru_maxrss``); the parent scores the clusters against the truth:
pairwise precision, recall, F1, and the pairs completeness of the candidate pairs.

Splink (the optional ``bench`` extra) runs ``benchmarks/splink_run.py``, set up as its
documentation recommends (see that module): name (simplified + pinyin columns derived first),
birth date, ID number (15-digit form), sex, guardian ID and school; λ from deterministic rules,
u by random sampling, m by EM, predict and connected components at probability 0.95. Splink
runs only at the sizes in ``--splink-students`` (default: all sizes), to keep the run bounded.
The table gives both walls, peaks, scores and ``speedup`` (Splink wall / ours); the 1-minute
load average is printed before each matcher, since the machine is shared.

Targets on the 2-core reference machine: F1 ≥ 0.99 and above Splink's; 1M students in ≤ 60 s
and ≤ 6 GB peak; at least 3× faster than Splink in the same run.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

from xueji_audit.matching.evaluate import cluster_pairs, pair_set, scores

AS_OF = "2026-11-20"

_OURS = """
import json, resource, sys, time
import pandas as pd
from xueji_audit.matching import find_duplicates
df = pd.read_parquet(sys.argv[1])
t = time.perf_counter()
r = find_duplicates(df)
wall = time.perf_counter() - t
r.clusters.to_parquet(sys.argv[2])
print(json.dumps({"wall": wall, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                  / 1024, "candidate_pairs": r.stats["candidate_pairs"],
                  "seconds": r.stats["seconds"]}))
"""

_SPLINK = Path(__file__).with_name("splink_run.py")


def prepare(students: int, seed: int, workdir: Path, noise: str = "gentle"
            ) -> tuple[Path, set, set]:
    """Generate (or reuse) the demo county of ``students``; return the table path and truth."""
    from xueji_audit.demo import generate_tables
    tag = f"{students}_{seed}_{noise}"
    table = workdir / f"students_{tag}.parquet"
    dups = workdir / f"dups_{tag}.parquet"
    decoys = workdir / f"decoys_{tag}.parquet"
    if not table.exists():
        county = generate_tables(students, seed=seed, as_of=pd.Timestamp(AS_OF).date(),
                                 noise=noise)
        st = county.tables["students"]
        st.to_parquet(table)
        t = county.truth
        t_dups, t_decoys = ((t["duplicates"], t["decoys"]) if isinstance(t, dict)
                            else (t.duplicates, t.decoys))
        t_dups.to_parquet(dups)
        t_decoys.to_parquet(decoys)
    d = pd.read_parquet(decoys)
    return (table, cluster_pairs(pd.read_parquet(dups), key_col="学籍号"),
            pair_set(d["学籍号_a"].astype(str), d["学籍号_b"].astype(str)))


def run(code: str | Path, table: Path, out: Path) -> dict:
    """Run a matcher (code string or script path) in a fresh process; its JSON stats."""
    cmd = [str(code)] if isinstance(code, Path) else ["-c", code]
    proc = subprocess.run([sys.executable, *cmd, str(table), str(out)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"}
    stats = json.loads(proc.stdout.strip().splitlines()[-1])
    return stats


def score(out: Path, truth: set, decoys: set) -> dict:
    c = pd.read_parquet(out)
    return scores(cluster_pairs(c, key_col="学籍号"), truth, decoys)


def blocking(table: Path, truth: set) -> dict:
    from xueji_audit.matching.evaluate import blocking_quality
    from xueji_audit.matching.students import STUDENT_SPEC, student_table
    return blocking_quality(student_table(pd.read_parquet(table)), STUDENT_SPEC, truth)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--noise", choices=("gentle", "heavy"), default="gentle",
                    help="the demo's duplicates: gentle, or heavy (2-5 corruptions, decoys)")
    ap.add_argument("--no-splink", action="store_true")
    ap.add_argument("--splink-students", type=int, nargs="+",
                    help="sizes at which Splink also runs (default: all)")
    ap.add_argument("--workdir", type=Path)
    args = ap.parse_args(argv)
    tmp = tempfile.TemporaryDirectory() if args.workdir is None else None
    workdir = args.workdir or Path(tmp.name)
    workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in args.students:
        table, truth, decoys = prepare(n, args.seed, workdir, args.noise)
        print(f"load average before xueji-audit at {n}: {os.getloadavg()}", flush=True)
        ours = run(_OURS, table, workdir / "ours.parquet")
        if "error" not in ours:
            ours.update(score(workdir / "ours.parquet", truth, decoys))
            ours.update(blocking(table, truth))
        rows.append({"students": n, "matcher": "xueji-audit", **ours})
        print(json.dumps(rows[-1], ensure_ascii=False, default=str), flush=True)
        if not args.no_splink and (args.splink_students is None or n in args.splink_students):
            print(f"load average before Splink at {n}: {os.getloadavg()}", flush=True)
            sp = run(_SPLINK, table, workdir / "splink.parquet")
            if "error" not in sp:
                sp.update(score(workdir / "splink.parquet", truth, decoys))
            if "wall" in sp and "wall" in ours:
                sp["speedup"] = sp["wall"] / ours["wall"]
            rows.append({"students": n, "matcher": "splink-5-duckdb", **sp})
            print(json.dumps(rows[-1], ensure_ascii=False, default=str), flush=True)
    cols = ["students", "matcher", "wall", "peak_mb", "candidate_pairs", "pairs_completeness",
            "precision", "recall", "f1", "decoys_matched", "speedup", "error"]
    table = pd.DataFrame(rows)
    print(table[[c for c in cols if c in table.columns]].to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
