"""Speed benchmark of transfer chains, step timing and roster reconciliation.

Usage::

    .venv/bin/python benchmarks/chains.py [--businesses 2000000] [--steps 8000000]
                                          [--register 1000000] [--roster 1000000]
                                          [--only chains|reconcile]

Two phases, each in a fresh subprocess that generates its synthetic tables first (numpy, not
timed) and then reports the wall time of the measured work and its peak resident set size
(``ru_maxrss``, which includes the generation):

``chains``     :func:`~xueji_audit.chains.build_chains` over the register and the businesses,
               the four CH checks, and :func:`~xueji_audit.timing.step_timing` over every step
               (the 寒暑假 calendar);
``reconcile``  :func:`~xueji_audit.reconcile.reconcile` of the rosters against the register and
               the four RJ checks.

Targets on the 2-core reference machine: chains ≤ 30 s, reconcile ≤ 60 s, peak RSS ≤ 6 GB.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys

_RUNNER = """
import json, resource, sys, time
sys.path.insert(0, {here!r})
import chains as bench
args = json.loads(sys.argv[1])
out = getattr(bench, "run_" + args.pop("phase"))(**args)
out["peak_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps(out))
"""

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董")
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂子轩涵浩宇欣怡梓晨")
TRAD = {"伟": "偉", "张": "張", "刘": "劉", "陈": "陳", "杨": "楊", "黄": "黃", "赵": "趙",
        "丽": "麗", "军": "軍", "涛": "濤", "刚": "剛"}


def register_table(n: int, seed: int = 11):
    """``n`` (≤ 1,825,000) register records in ~n/800 schools, 40-odd per class, 3% with an L number whose
    child also has a G record (same ID) — the pairs chains must join."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    idx = np.arange(n)
    # Unique structurally valid IDs: birth day from idx % 3650, sequence from idx // 3650.
    birth = pd.Timestamp("2010-01-01") + pd.to_timedelta(idx % 3650, "D")
    sex = rng.integers(0, 2, n)
    seq = idx // 3650
    body = ("640426" + pd.Series(birth.strftime("%Y%m%d")) + pd.Series(seq % 100).astype(str)
            .str.zfill(2) + pd.Series(2 * (seq // 100) + sex).astype(str))
    ids = _with_check(body)
    school = pd.Series(rng.integers(0, max(n // 800, 1), n)).astype(str).str.zfill(6)
    name = (pd.Series(rng.choice(SURNAMES, n)) + pd.Series(rng.choice(GIVEN, n))
            + pd.Series(rng.choice(GIVEN + [""], n)))
    xjh = "G" + ids
    l_rows = rng.random(n) < 0.03
    xjh[l_rows] = "L640426" + pd.Series(idx[l_rows]).astype(str).str.zfill(12).to_numpy()
    df = pd.DataFrame({
        "学籍号": xjh.astype("string"), "姓名": name.astype("string"),
        "性别": pd.Series(np.where(sex == 1, "男", "女")).astype("string"),
        "出生日期": birth, "身份证件类型": pd.Series(["居民身份证"] * n, dtype="string"),
        "身份证件号": ids.astype("string"), "学校标识码": ("64" + school + "01").astype("string"),
        "班级": (pd.Series(rng.integers(1, 7, n)).astype(str) + "年级("
               + pd.Series(rng.integers(1, 5, n)).astype(str) + ")班").astype("string"),
        "学籍状态": pd.Series(rng.choice(["在校"] * 22 + ["休学", "转出"], n),
                          dtype="string"),
        "入学年月": pd.Timestamp("2020-09-01"),
    })
    df.loc[l_rows, "学籍状态"] = "转出"
    pairs = df[l_rows].assign(学籍号="G" + df.loc[l_rows, "身份证件号"], 学籍状态="在校")
    return pd.concat([df, pairs], ignore_index=True)


def _with_check(body):
    import numpy as np

    from xueji_audit.ids import CHECK_CHARS, WEIGHTS

    d = np.frombuffer("".join(body).encode(), dtype=np.uint8).reshape(-1, 17) - 48
    s = (d.astype(np.int64) * WEIGHTS).sum(axis=1) % 11
    return body + np.array(list(CHECK_CHARS))[s]


def changes_and_steps(students, n_biz: int, n_steps: int, seed: int = 12):
    """``n_biz`` businesses of random register 学籍号 and ``n_steps`` approval steps."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    who = rng.integers(0, len(students), n_biz)
    kinds = np.array(["转学", "转学", "转学", "跨省转学", "休学", "复学", "死亡", "其他"])
    start = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 1400, n_biz), "D")
    schools = students["学校标识码"].unique()
    changes = pd.DataFrame({
        "业务编号": pd.Series(np.arange(n_biz)).astype(str).str.zfill(9).radd("YW")
        .astype("string"),
        "业务类型": pd.Series(rng.choice(kinds, n_biz), dtype="string"),
        "学籍号": students["学籍号"].to_numpy()[who],
        "转出学校标识码": pd.Series(rng.choice(schools, n_biz), dtype="string"),
        "转入学校标识码": pd.Series(rng.choice(schools, n_biz), dtype="string"),
        "发起日期": start,
        "业务状态": pd.Series(rng.choice(["核办通过"] * 8 + ["在办", "撤销"], n_biz),
                          dtype="string"),
        "办结日期": start + pd.to_timedelta(rng.integers(1, 40, n_biz), "D"),
    })
    b = rng.integers(0, n_biz, n_steps)
    arrived = changes["发起日期"].to_numpy()[b] + pd.to_timedelta(rng.integers(0, 30, n_steps),
                                                                 "D").to_numpy()
    handled = arrived + pd.to_timedelta(rng.integers(0, 25, n_steps), "D").to_numpy()
    handled[rng.random(n_steps) < 0.05] = np.datetime64("NaT")
    steps = pd.DataFrame({
        "业务编号": changes["业务编号"].to_numpy()[b],
        "环节序号": pd.array(rng.integers(1, 6, n_steps), dtype="Int64"),
        "环节名称": pd.Series(rng.choice(["转入校审核", "转入地县核办", "转出校审核", "调档"],
                                      n_steps), dtype="string"),
        "处理单位": changes["转入学校标识码"].to_numpy()[b],
        "到达日期": arrived, "处理日期": handled,
    })
    return changes, steps


def rosters_from(students, n_rows: int, seed: int = 13):
    """A roster per school: in-school children (5% with a traditional-character or homophone
    name, 2% seen at another school), 3% children without a record, up to ``n_rows`` rows."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    here = students[(students["学籍状态"] == "在校").to_numpy()]
    here = here.iloc[rng.permutation(len(here))[: int(n_rows * 0.97)]]
    name = here["姓名"].astype(str)
    trad = rng.random(len(here)) < 0.05
    name = name.where(~trad, name.str.translate(str.maketrans(TRAD)))
    school = here["学校标识码"].to_numpy().copy()
    moved = rng.random(len(here)) < 0.02
    school[moved] = rng.choice(students["学校标识码"].unique(), moved.sum())
    extra = n_rows - len(here)
    ghost = pd.DataFrame({
        "学校标识码": rng.choice(students["学校标识码"].unique(), extra),
        "班级": "1年级(1)班", "姓名": pd.Series(rng.choice(SURNAMES, extra)) + "某某",
        "性别": rng.choice(["男", "女"], extra)})
    r = pd.concat([pd.DataFrame({"学校标识码": school, "班级": here["班级"].to_numpy(),
                                 "姓名": name.to_numpy(), "性别": here["性别"].to_numpy()}),
                   ghost], ignore_index=True)
    r = r.astype("string")
    r["出生日期"] = pd.NaT
    r["离校日期"] = pd.NaT
    return r


def _context(tables, params=None):
    import pandas as pd

    from xueji_audit.rules.context import Context
    from xueji_audit.workdays import WorkCalendar

    cal = WorkCalendar()
    present = {k: frozenset(v.columns) for k, v in tables.items()}
    return Context(tables, present, pd.Timestamp("2026-11-20"), cal, cal, ((9, 1), (3, 1)),
                   (8, 31), dict(params or {}))


def run_chains(businesses: int, steps: int, register: int) -> dict:
    import datetime as dt
    import time

    from xueji_audit.chains import build_chains
    from xueji_audit.rules import chains as rules
    from xueji_audit.timing import step_timing
    from xueji_audit.workdays import WorkCalendar

    students = register_table(register)
    changes, st = changes_and_steps(students, businesses, steps)
    ctx = _context({"students": students, "changes": changes},
                   {"return_days": 180, "days": 365, "count": 3})
    t0 = time.perf_counter()
    built = build_chains(students, changes)
    ctx.shared.cache["chains"] = built
    counts = {f.__name__: len(f(ctx)) for f in (rules.ch01, rules.ch02, rules.ch03, rules.ch04)}
    t1 = time.perf_counter()
    timing = step_timing(st, dt.date(2026, 11, 20),
                         WorkCalendar(vacations=[("01-20", "02-19"), ("07-15", "08-31")]))
    t2 = time.perf_counter()
    return {"seconds": t2 - t0, "chains_seconds": t1 - t0, "timing_seconds": t2 - t1,
            "chain_rows": len(built.chain), "findings": counts,
            "overdue_steps": int(timing["overdue"].sum())}


def run_reconcile(register: int, roster: int) -> dict:
    import time

    from xueji_audit.reconcile import reconcile
    from xueji_audit.rules import rosters as rules

    students = register_table(register)
    r = rosters_from(students, roster)
    ctx = _context({"students": students, "rosters": r}, {"months": 3})
    t0 = time.perf_counter()
    res = reconcile(students, r)
    ctx.shared.cache["reconcile"] = res
    counts = {f.__name__: len(f(ctx)) for f in (rules.rj01, rules.rj02, rules.rj03, rules.rj04)}
    t1 = time.perf_counter()
    return {"seconds": t1 - t0, "pairs": len(res.pairs), "findings": counts}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--businesses", type=int, default=2_000_000)
    ap.add_argument("--steps", type=int, default=8_000_000)
    ap.add_argument("--register", type=int, default=1_000_000)
    ap.add_argument("--roster", type=int, default=1_000_000)
    ap.add_argument("--only", choices=("chains", "reconcile"))
    a = ap.parse_args(argv)
    from pathlib import Path

    runner = _RUNNER.format(here=str(Path(__file__).resolve().parent))
    phases = {"chains": {"businesses": a.businesses, "steps": a.steps, "register": a.register},
              "reconcile": {"register": a.register, "roster": a.roster}}
    limits = {"chains": 30, "reconcile": 60}
    ok = True
    for phase, args in phases.items():
        if a.only and phase != a.only:
            continue
        proc = subprocess.run([sys.executable, "-c", runner, json.dumps({"phase": phase, **args})],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return 1
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        gb = out["peak_bytes"] / 1e9
        good = out["seconds"] <= limits[phase] and gb <= 6
        ok &= good
        print(f"{phase}: {out['seconds']:.1f} s (target ≤ {limits[phase]} s), peak {gb:.2f} GB "
              f"(≤ 6 GB) {'OK' if good else 'OVER'}  {json.dumps(out, ensure_ascii=False)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
