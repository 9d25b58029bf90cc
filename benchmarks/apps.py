"""Speed benchmark of the Voila apps in a real browser (Debian Chromium via Playwright).

Usage::

    .venv/bin/python benchmarks/apps.py [--students 20000] [--runs 5] [--pairs 20]

Generates the demo county (20,000 students by default, as ``make demo``) and loads it into a
workspace (both timed, not part of the targets), starts the apps as ``xueji-audit serve`` does,
then measures in a headless browser at 1366×768:

* first page: from the request of each app page to its main control being usable, ``--runs``
  rounds over the five pages after one warm-up round, ``--pause`` seconds apart, logged in as
  a 督查员 (every page request starts its kernel — pages are not pre-heated, see
  ``docs/deploy.md`` — which imports the kit, reads the workspace and renders the widgets);
* pair review: from a click on 确认重复 to the next pair shown (kernel round trip, store
  write, rendering), over ``--pairs`` consecutive pairs, and the kernel-side time of the same
  decision measured in-process.

Prints medians (and min–max). Targets on the 2-core reference machine: first page ≤ 5 s;
reviewing a pair ≤ 300 ms.
"""
from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

AS_OF = dt.date(2026, 11, 20)  # the benchmark county's audit date

OUTSIDE = re.compile(r"^https?://(?!127\.0\.0\.1[:/])")  # Voila's template links a CDN font
MAIN_CONTROL = {"loader": ("button", "上传并督查"), "findings": ("button", "下一页"),
                "pairs": ("button", "确认重复"), "chains": ("button", "查找"),
                "cases": ("button", "立案")}


def _median(values: list[float]) -> str:
    return (f"median {statistics.median(values):7.3f} s  (min {min(values):.3f}, "
            f"max {max(values):.3f}, n={len(values)})")


USER, PASSWORD = "基准测试", "benchmark-password"


def logged_in(browser, srv) -> dict:
    """The cookies of a browser that logged in (reused by every measured context)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(srv.url + "login")
    page.fill("#username", USER)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/voila/render/"), timeout=120_000)
    state = context.storage_state()
    context.close()
    return state


def first_pages(browser, srv, runs: int, pause: float) -> dict[str, list[float]]:
    from xueji_audit.app.browser import VIEWPORT

    state = logged_in(browser, srv)
    out: dict[str, list[float]] = {stem: [] for stem in MAIN_CONTROL}
    for round_ in range(runs + 1):  # round 0 warms up: not counted
        for stem, (role, name) in MAIN_CONTROL.items():
            context = browser.new_context(viewport=VIEWPORT, storage_state=state)
            context.route(OUTSIDE, lambda route: route.abort())
            page = context.new_page()
            t = time.perf_counter()
            page.goto(srv.page_url(stem), wait_until="commit", timeout=120_000)
            page.get_by_role(role, name=name).wait_for(state="visible", timeout=120_000)
            if round_:
                out[stem].append(time.perf_counter() - t)
            context.close()
        time.sleep(pause)  # the closed pages' kernels are shut down meanwhile
    return out


def pair_clicks(browser, srv, n: int) -> list[float]:
    from xueji_audit.app.browser import VIEWPORT

    context = browser.new_context(viewport=VIEWPORT, storage_state=logged_in(browser, srv))
    context.route(OUTSIDE, lambda route: route.abort())
    page = context.new_page()
    page.goto(srv.page_url("pairs"), timeout=120_000)
    button = page.get_by_role("button", name="确认重复")
    button.wait_for(state="visible", timeout=120_000)
    position = page.get_by_text(re.compile(r"^第 \d+ / \d+ 对$"))
    times = []
    for _ in range(n):
        before = position.inner_text()
        t = time.perf_counter()
        button.click()
        page.wait_for_function(
            "(old) => [...document.querySelectorAll('.widget-label')]"
            ".some(e => /^第 \\d+ \\/ \\d+ 对$/.test(e.textContent) && e.textContent !== old)",
            arg=before, timeout=30_000, polling="raf")
        times.append(time.perf_counter() - t)
    context.close()
    return times


def kernel_side(config, n: int) -> list[float]:
    from xueji_audit.widgets.pairs import PairReviewer

    from xueji_audit.app import Session

    session = Session.open(config)
    reviewer = PairReviewer(session)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        reviewer.reject.click()
        times.append(time.perf_counter() - t)
    session.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--pause", type=float, default=15.0,
                        help="seconds between rounds of page requests (kernels re-heat)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from xueji_audit.app import AppConfig, Session
    from xueji_audit.app.browser import launch
    from xueji_audit.app.serve import Running
    from xueji_audit.demo import generate
    from xueji_audit.server.users import UserStore

    base = Path(tempfile.mkdtemp(prefix="bench-apps-"))
    try:
        t = time.perf_counter()
        generate(base / "data", students=args.students, seed=args.seed, as_of=AS_OF)
        print(f"demo county of {args.students:,} students generated in "
              f"{time.perf_counter() - t:.1f} s (not counted)")
        config = AppConfig(base / "workspace", USER, AS_OF)
        t = time.perf_counter()
        session = Session.build(config, base / "data")
        print(f"loaded and audited in {time.perf_counter() - t:.1f} s (not counted): "
              f"{len(session.students):,} students, {len(session.findings):,} findings, "
              f"{len(session.result.duplicates.pairs):,} pairs")
        session.close()
        UserStore(config.workspace).add(USER, "督查员", PASSWORD)
        with Running(config.workspace, AS_OF, log=base / "voila.log") as srv, \
                sync_playwright() as p:
            browser = launch(p)
            print(f"first page usable (request → main control visible), {args.runs} runs each:")
            for stem, values in first_pages(browser, srv, args.runs, args.pause).items():
                print(f"  {stem:<9} {_median(values)}")
            print(f"pair review in the browser (click 确认重复 → next pair shown), "
                  f"{args.pairs} pairs:")
            print(f"  browser   {_median(pair_clicks(browser, srv, args.pairs))}")
            browser.close()
        print("pair review in the kernel (PairReviewer.reject.click(), decision + next pair):")
        print(f"  kernel    {_median(kernel_side(config, args.pairs))}")
        print("targets: first page ≤ 5 s; reviewing a pair ≤ 0.300 s")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
