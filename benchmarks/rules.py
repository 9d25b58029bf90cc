"""Speed of the rule engine: every student rule over 1,000,000 students and the business rules
over 500,000 businesses with 2,000,000 steps.

Synthetic tables are built directly with numpy (valid IDs with a sprinkling of planted
problems, realistic dates) and written as Parquet; a fresh process (which did not generate
them) reads them and runs every rule of the ``ningxia-xiji`` profile ``--repeats`` times; it
prints the median wall time per rule family, the total and its peak RSS.

    flock /work/heavy.lock .venv/bin/python benchmarks/rules.py [--students 1000000] \
        [--businesses 500000]
"""
from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

from xueji_audit.audit import _missing_reason, _tables
from xueji_audit.demo.names import draw_given, draw_surnames
from xueji_audit.profile import load_profile
from xueji_audit.rules import CATALOGUE, Context
from xueji_audit.workspace.snapshot import read_parquet

AS_OF = pd.Timestamp("2026-11-20")
WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])


def _digits_to_text(d: np.ndarray) -> np.ndarray:
    """An N × k array of code points → N strings of length k."""
    return np.ascontiguousarray(d.astype(np.uint32)).view(f"U{d.shape[1]}").ravel()


def _ids(rng, births: pd.DatetimeIndex, male: np.ndarray) -> np.ndarray:
    n = len(births)
    region = 640000 + rng.integers(100, 600, n)
    ymd = births.year * 10000 + births.month * 100 + births.day
    seq = rng.integers(0, 500, n) * 2 + male  # 17th digit odd for 男
    digits = np.zeros((n, 18), dtype=np.int64)
    for k, (num, width) in enumerate(((region, 6), (ymd, 8), (seq, 3))):
        start = (0, 6, 14)[k]
        for j in range(width):
            digits[:, start + j] = num // 10 ** (width - 1 - j) % 10
    check = np.frombuffer(b"10X98765432", dtype=np.uint8)[(digits[:, :17] @ WEIGHTS) % 11]
    codes = digits + 48
    codes[:, 17] = check
    return _digits_to_text(codes)


def students(n: int, rng) -> pd.DataFrame:
    """n students of 400 schools × 12 grades × classes of ~45, 2 % with planted problems;
    names drawn as the demo county's are (surnames by frequency, 1–2 given characters)."""
    births = pd.DatetimeIndex(pd.Timestamp("2008-09-01") + pd.to_timedelta(
        rng.integers(0, 12 * 365, n), unit="D"))
    male = rng.integers(0, 2, n)
    ids = _ids(rng, births, male).astype(object)
    bad = rng.random(n) < 0.01
    ids[bad] = [s[:17] + "0" if s[17] != "0" else s[:17] + "1" for s in ids[bad]]
    xjh = np.char.add("G", ids.astype(str)).astype(object)
    temp = rng.random(n) < 0.01
    xjh[temp] = [f"L640522{k:012d}" for k in np.flatnonzero(temp)]
    dup = rng.integers(0, n, n // 500)
    ids[dup[1:]] = ids[dup[:-1]]
    sy = 2026 - (births.month < 9).astype(int) * 0
    grade = np.clip(sy - births.year - 5 - (births.month >= 9), 1, 12) + rng.choice(
        [0, 0, 0, 0, 0, 0, 0, 0, 0, -2], n)
    grade = np.clip(grade, 1, 12)
    school = rng.integers(0, 400, n)
    klass = rng.integers(1, 23, n)
    status = rng.choice(["在校", "休学", "转出", "毕业", "退学", "死亡"], n,
                        p=[0.95, 0.01, 0.015, 0.02, 0.0025, 0.0025])
    stage = np.where(grade >= 10, 10, np.where(grade >= 7, 7, 1))  # 入学年月: entry of the stage
    entry = pd.DatetimeIndex(pd.to_datetime(dict(year=2026 - (grade - stage), month=9, day=1)))
    s = pd.DataFrame({
        "学籍号": pd.array(xjh, dtype="string"),
        "姓名": pd.array(draw_surnames(rng, n) + draw_given(rng, male == 1), dtype="string"),
        "性别": pd.array(np.where(male == 1, "男", "女"), dtype="string"),
        "出生日期": births,
        "身份证件类型": pd.array(np.full(n, "居民身份证"), dtype="string"),
        "身份证件号": pd.array(ids, dtype="string"),
        "学校标识码": pd.array(np.char.add("64052", (10000 + school).astype(str)), dtype="string"),
        "年级": pd.array(grade, dtype="Int64"),
        "班级": pd.array(np.char.add(np.char.add(grade.astype(str), "年级("),
                                   np.char.add(klass.astype(str), ")班")), dtype="string"),
        "学籍状态": pd.array(status, dtype="string"),
        "入学年月": entry,
        "建籍日期": entry + pd.to_timedelta(rng.integers(0, 64, n), unit="D"),
        "最后核查日期": AS_OF - pd.to_timedelta(rng.integers(0, 84, n), unit="D"),
        "死亡日期": pd.Series(AS_OF - pd.to_timedelta(rng.integers(0, 400, n), unit="D")).where(
            status == "死亡"),
        "休学日期": pd.Series(AS_OF - pd.to_timedelta(rng.integers(0, 600, n), unit="D")).where(
            status == "休学"),
        "毕业日期": pd.Series(pd.Timestamp("2026-07-01"), index=range(n)).where(status == "毕业"),
    })
    return s


def business(s: pd.DataFrame, n: int, steps_per: int, rng) -> dict[str, pd.DataFrame]:
    """n businesses of random students with ``steps_per`` steps each, plus modifications."""
    who = rng.integers(0, len(s), n)
    kind = rng.choice(["转学", "跨省转学", "毕业后跨省就学", "休学", "复学", "死亡", "毕业回退"],
                      n, p=[0.5, 0.15, 0.05, 0.1, 0.1, 0.05, 0.05])
    start = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 1050, n), unit="D") \
        + pd.to_timedelta(rng.integers(0, 86400, n), unit="s")
    state = rng.choice(["在办", "核办通过", "核办不通过", "撤销"], n, p=[0.1, 0.8, 0.05, 0.05])
    grade = s["年级"].to_numpy()[who]
    changes = pd.DataFrame({
        "业务编号": pd.array(np.char.add("YW", np.arange(n).astype(str)), dtype="string"),
        "业务类型": pd.array(kind, dtype="string"),
        "学籍号": s["学籍号"].array.take(who),
        "姓名": s["姓名"].array.take(who),
        "转出学校标识码": s["学校标识码"].array.take(who),
        "转入学校标识码": s["学校标识码"].array.take(rng.integers(0, len(s), n)),
        "原年级": pd.array(grade, dtype="Int64"),
        "转入年级": pd.array(grade + rng.choice([0] * 19 + [1], n), dtype="Int64"),
        "发起日期": start,
        "业务状态": pd.array(state, dtype="string"),
        "办结日期": pd.Series(start + pd.to_timedelta(rng.integers(1, 40, n), unit="D")).where(
            state != "在办"),
        "证明材料": pd.array(rng.choice(["有", "无"], n, p=[0.97, 0.03]), dtype="string"),
    })
    m = n * steps_per
    b = np.repeat(np.arange(n), steps_per)
    seq = np.tile(np.arange(1, steps_per + 1), n)
    arrived = start[b] + pd.to_timedelta((seq - 1) * 3, unit="D")
    handled = pd.Series(arrived + pd.to_timedelta(rng.integers(0, 15, m), unit="D"))
    names = np.array(["转入校审核", "转入地县核办", "转出校审核", "调档"])[(seq - 1) % 4]
    steps = pd.DataFrame({
        "业务编号": changes["业务编号"].array.take(b),
        "环节序号": pd.array(seq, dtype="Int64"),
        "环节名称": pd.array(names, dtype="string"),
        "处理单位": pd.array(np.char.add("单位", (b % 900).astype(str)), dtype="string"),
        "到达日期": arrived,
        "处理日期": handled.where(rng.random(m) > 0.03),
        "处理结果": pd.array(np.full(m, "通过"), dtype="string"),
    })
    k = n // 5
    mods = pd.DataFrame({
        "学籍号": s["学籍号"].array.take(rng.integers(0, len(s), k)),
        "变更项目": pd.array(rng.choice(["姓名", "身份证件号", "民族"], k), dtype="string"),
        "原值": pd.array(np.full(k, "旧"), dtype="string"),
        "新值": pd.array(np.full(k, "新"), dtype="string"),
        "变更日期": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 600, k), "D"),
        "证明材料": pd.array(rng.choice(["有", "无"], k), dtype="string"),
    })
    return {"changes": changes, "steps": steps, "modifications": mods}


def run_once(data: dict, profile, skip: set[str]) -> tuple[dict[str, float], dict[str, float], int]:
    """Wall and CPU time per family of one full run (fresh caches), number of findings."""
    tables, present = _tables(data)
    ctx = Context(tables, present, AS_OF, profile.calendar(), profile.calendar(True),
                  profile.term_calendar(), profile.age_cutoff, promotion=profile.promotion)
    times: dict[str, float] = defaultdict(float)
    cpu: dict[str, float] = defaultdict(float)
    found = 0
    gc.disable()  # as run_audit does
    for r in CATALOGUE.values():
        if r.family in skip or not profile.is_enabled(r.id) or _missing_reason(r, ctx):
            continue
        t0, c0 = time.perf_counter(), time.process_time()
        found += len(r.check(ctx.for_rule(profile.params_for(r.id))))
        times[r.family] += time.perf_counter() - t0
        cpu[r.family] += time.process_time() - c0
    gc.enable()
    return dict(times), dict(cpu), found


def generate(folder: Path, args) -> None:
    rng = np.random.default_rng(20261120)
    t0 = time.perf_counter()
    data = {"students": students(args.students, rng)}
    data.update(business(data["students"], args.businesses, args.steps_per_business, rng))
    for key, frame in data.items():
        frame.to_parquet(folder / f"{key}.parquet")
    print(f"built {args.students:,} students, {args.businesses:,} businesses, "
          f"{len(data['steps']):,} steps in {time.perf_counter() - t0:.1f} s (generator process)")


def measure(folder: Path, args) -> None:
    data = {p.stem: read_parquet(p) for p in sorted(folder.glob("*.parquet"))}  # as an audit
    skip = {f for f in args.skip.split(",") if f}
    profile = load_profile("ningxia-xiji")
    runs = [run_once(data, profile, skip) for _ in range(args.repeats)]
    families = [f for f in dict.fromkeys(r.family for r in CATALOGUE.values()) if f not in skip]
    ran = [r.id for r in CATALOGUE.values() if r.family not in skip]
    print(f"rules timed: {len(ran)} of {len(CATALOGUE)} (families skipped: "
          f"{', '.join(sorted(skip)) or 'none'})")
    print(f"{'family':<10} " + " ".join(f"wall{i + 1:>5}" for i in range(len(runs)))
          + "  median wall  median CPU (s)")
    for fam in [*families, "total"]:
        if fam == "total":
            ts, cs = [sum(r[0].values()) for r in runs], [sum(r[1].values()) for r in runs]
        else:
            ts, cs = [r[0].get(fam, 0.0) for r in runs], [r[1].get(fam, 0.0) for r in runs]
        print(f"{fam:<10} " + " ".join(f"{t:9.2f}" for t in ts)
              + f"  {statistics.median(ts):11.2f}  {statistics.median(cs):14.2f}")
    print(f"findings per run: {runs[0][2]:,}; load average: {os.getloadavg()[0]:.1f}")
    print(f"peak RSS (measuring process, read from Parquet): "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=1_000_000)
    ap.add_argument("--businesses", type=int, default=500_000)
    ap.add_argument("--steps-per-business", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip", default="duplicates,chains,rosters,roster_business",
                    help="rule families not timed here (matching, chains and 人籍一致 have their "
                         "own benchmarks: benchmarks/matching.py, benchmarks/chains.py; the "
                         "rosters families need a rosters table); '' for all")
    ap.add_argument("--data", type=Path, help="measure on this folder of Parquet files only")
    args = ap.parse_args()
    if args.data:
        measure(args.data, args)
        return
    with tempfile.TemporaryDirectory(prefix="xueji-bench-rules-") as tmp:
        generate(Path(tmp), args)
        cmd = [sys.executable, __file__, "--data", tmp, "--repeats", str(args.repeats),
               "--skip", args.skip]
        subprocess.run(cmd, check=True)


if __name__ == "__main__":
    main()
