"""Soak benchmark of the county server: simulated staff opening and leaving pages.

Usage::

    flock /work/heavy.lock .venv/bin/python benchmarks/serve_soak.py [--minutes 10] [--users 20]
        [--students 20000] [--idle-minutes 2]

Generates a demo county and audits it into a workspace (not timed), creates ``--users``
accounts (half 学校 clerks of different schools, the rest 督查员 / 县级管理员 / 只读), starts
the server as ``xueji-audit serve`` does on 127.0.0.1, and lets each simulated person, for
``--minutes``: log in, open one of the pages their role may open (the request runs the whole
page: kernel start, notebook, widgets), stay 5–20 s, and leave — four times in five the way a
closing tab does (the page's shutdown request), once in five by just going away (the idle
culler, ``--idle-minutes``, has to clean up). Meanwhile the server's processes are sampled
every 2 s. Then SIGTERM, and a check that no process of the server is left.

Prints: pages opened, median and p95 page time, peak and final RSS of the server (Voila and
its kernels), peak kernels, kernels at the end (after everyone left and the culler ran), and
the processes left after SIGTERM (should be 0).
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

AS_OF = dt.date(2026, 11, 20)
PASSWORD = "soak-password-1"


def _people(n: int, schools: list[str]) -> list[tuple[str, str, str]]:
    roles = ["督查员", "县级管理员", "只读"]
    people = []
    for k in range(n):
        if k % 2 == 0:
            people.append((f"学校{k:02d}", "学校", schools[(k // 2) % len(schools)]))
        else:
            people.append((f"县里{k:02d}", roles[(k // 2) % len(roles)], ""))
    return people


def _person(base_url: str, name: str, role: str, deadline: float, rng: random.Random,
            times: list[float], errors: list[str], lock: threading.Lock) -> None:
    from xueji_audit.server.authorizer import pages_for
    from xueji_audit.server.client import Client

    client = Client(base_url, timeout=600)
    if client.login(name, PASSWORD).status != 302:
        errors.append(f"{name}: login failed")
        return
    pages = pages_for(role)
    while time.monotonic() < deadline:
        reply = client.open_page(rng.choice(pages))
        with lock:
            if reply.status == 200 and reply.kernel_id:
                times.append(reply.seconds)
            else:
                errors.append(f"{name}: {reply.status} {reply.body[:80]!r}")
        time.sleep(rng.uniform(5, 20))
        if reply.kernel_id and rng.random() < 0.8:
            client.close_page(reply.kernel_id)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--idle-minutes", type=float, default=2.0)
    parser.add_argument("--max-pages", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import psutil

    from xueji_audit.app.serve import Running
    from xueji_audit.demo import generate
    from xueji_audit.server.users import UserStore
    from xueji_audit.workspace import Workspace, build_workspace

    base = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    try:
        t = time.perf_counter()
        generate(base / "data", students=args.students, seed=args.seed, as_of=AS_OF)
        build_workspace(base / "data", base / "ws", as_of=AS_OF, user="基准测试").close()
        ws = Workspace.open(base / "ws")
        schools = sorted(ws.students["学校标识码"].astype(str).unique())
        ws.close()
        people = _people(args.users, schools)
        users = UserStore(base / "ws")
        for name, role, school in people:
            users.add(name, role, PASSWORD, school)
        print(f"county of {args.students:,} students audited, {len(people)} accounts made in "
              f"{time.perf_counter() - t:.0f} s (not counted)")
        running = Running(base / "ws", AS_OF, cull_idle=int(args.idle_minutes * 60),
                          cull_interval=10, max_kernels=args.max_pages)
        samples: list[tuple[float, int]] = []
        times: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        with running as srv:
            print(f"server up in {running.started_in:.1f} s")
            stop = threading.Event()

            def sample() -> None:
                while not stop.is_set():
                    procs = running.processes()
                    rss = 0
                    for p in procs:
                        try:
                            rss += p.memory_info().rss
                        except psutil.Error:
                            pass
                    samples.append((rss, max(0, len(procs) - 1)))
                    stop.wait(2)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            rng = random.Random(args.seed)
            deadline = time.monotonic() + args.minutes * 60
            threads = [threading.Thread(target=_person, args=(
                srv.url, name, role, deadline, random.Random(rng.random()), times, errors, lock))
                for name, role, _ in people]
            for th in threads:
                th.start()
                time.sleep(0.5)
            for th in threads:
                th.join()
            settle = time.monotonic() + args.idle_minutes * 60 + 30
            while time.monotonic() < settle and len(running.processes()) > 1:
                time.sleep(2)  # the culler takes the abandoned pages' kernels
            kernels_end = len(running.processes()) - 1
            stop.set()
            sampler.join()
            tree = running.processes()
        running_after = [p for p in tree if p.is_running() and
                         p.status() != psutil.STATUS_ZOMBIE]
        ordered = sorted(times)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else float("nan")
        gib = 1024 ** 3
        print(f"{len(people)} people for {args.minutes:g} min: {len(times)} pages opened, "
              f"{len(errors)} refused or failed")
        if times:
            print(f"page time: median {statistics.median(times):.1f} s, p95 {p95:.1f} s, "
                  f"max {max(times):.1f} s")
        print(f"server RSS: peak {max(s[0] for s in samples) / gib:.2f} GiB, "
              f"at the end {samples[-1][0] / gib:.2f} GiB; kernels: peak "
              f"{max(s[1] for s in samples)}, at the end {kernels_end}")
        print(f"processes of the server left after SIGTERM: {len(running_after)}")
        for line in errors[:10]:
            print("  ", line)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
