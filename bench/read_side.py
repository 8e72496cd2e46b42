"""Read-side speed: are `status` and `summary` flat as the log grows, how fast is `replay`,
and how fast does the web view (`ledger serve`) answer its overview?

    .venv/bin/python bench/read_side.py                 # 10k and 300k events
    .venv/bin/python bench/read_side.py --sizes 10000   # just the small one

Builds one ledger per size in a temporary folder (in-process, through the
application API `RectificationLedger`, several aggregates per save), each with
inspections of 100 problems taken through their whole life (assign, two
measures, verify, sign-off, some reviews, some left open), then times the
installed `ledger` executable in a subprocess (median of --runs runs, wall
clock, including interpreter start-up) and prints a markdown table. The web
view's pages are timed in-process (Starlette's TestClient against the app
`ledger serve` runs: server time, no network, median of --runs requests after
one warm-up request).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PROBLEMS_PER_INSPECTION = 100
CATEGORIES = ["政治站位方面", "依法严惩方面", "综合治理方面", "组织领导方面", "作风建设方面", "党风廉政方面"]
SAVE_BATCH = 50


def ledger_executable() -> str:
    candidate = Path(sys.executable).parent / "ledger"
    return str(candidate) if candidate.exists() else "ledger"


def build(folder: Path, target_events: int) -> tuple[int, int, str]:
    """A ledger of about `target_events` events; returns (events, problems, a middle inspection code)."""
    from composition import ledger_over
    from ledger.config import load_config
    from ledger.domain import Inspection, Problem
    from ledger.store import store_env
    from ledger.values import MeasureOutcomes

    subprocess.run([ledger_executable(), "init"], cwd=folder, check=True, capture_output=True)
    config = load_config(folder / "ledger.yaml")
    app = ledger_over(env=store_env(config.store, create=False), policy=config.policy)
    events = problems = 0
    clock = datetime(2015, 1, 1, tzinfo=timezone.utc)
    codes = []
    i = 0
    while events < target_events:
        i += 1
        code = f"XC{2015 + i // 1000}-{i}"
        codes.append(code)
        start = clock.date()
        inspection = Inspection.register(
            code=code, name=f"第{i}轮巡察", organisation=f"单位{i}党组", group="县委第一巡察组", kind="regular",
            start=start, end=start + timedelta(days=20), feedback=start + timedelta(days=40),
            actor="办公室", at=clock + timedelta(days=40),
        )
        pending: list = [inspection]
        events += 1
        base = clock + timedelta(days=41)
        for n in range(1, PROBLEMS_PER_INSPECTION + 1):
            at = base + timedelta(minutes=n)
            kind = "long-term" if n % 10 == 0 else "deadline"
            p = Problem.register(
                inspection=inspection, number=n, category=CATEGORIES[n % len(CATEGORIES)],
                title=f"关于“问题{n}”的问题", description="", type=kind, source="巡察",
                deadline=(base + timedelta(days=60)).date() if kind == "deadline" else None, actor="办公室", at=at,
            )
            p.assign(lead="局长", unit=f"股室{n % 7}", person=f"责任人{n % 13}", deadline=None, actor="办公室", at=at)
            if n % 9 != 0:  # most are worked through; some stay open
                for m in (1, 2):
                    p.plan_measure(text=f"整改措施{m}：完善制度，加强监督。", due=None, actor=f"责任人{n % 13}", at=at + timedelta(days=1))
                for m in ("M1", "M2"):
                    p.complete_measure(
                        measure_id=m, evidence=[f"存档{code}-{n}/{m}"],
                        outcomes=MeasureOutcomes(
                            rules=1 if m == "M1" else 0, funds=Decimal(n % 5) * Decimal("1000.50"),
                            accountable={"discipline": 1} if n % 17 == 0 else {}, clues=1 if n % 23 == 0 else 0,
                        ),
                        actor=f"责任人{n % 13}", at=at + timedelta(days=20),
                    )
                p.verify(grade="good", note="", actor="巡察办", at=at + timedelta(days=30), policy=app.policy)
                p.sign_off(note="", actor="主要负责人", at=at + timedelta(days=35), policy=app.policy)
                if n % 4 == 0:
                    p.record_review(result="relapsed" if n % 20 == 0 else "holds", note="回头看", actor="巡察办", at=at + timedelta(days=120))
            events += len(p.pending_events)
            problems += 1
            pending.append(p)
            if len(pending) >= SAVE_BATCH:
                app._save(*pending)
                pending = []
        if pending:
            app._save(*pending)
        clock += timedelta(hours=6)
    app.close()
    return events, problems, codes[len(codes) // 2]


def timed(folder: Path, args: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = subprocess.run([ledger_executable(), *args], cwd=folder, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        if result.returncode != 0:
            raise SystemExit(f"ledger {' '.join(args)} failed: {result.stderr}")
    return statistics.median(times)


WEB_PAGES = {"overview": "/", "overview_json": "/?format=json", "problems_one": "/problems?inspection={code}", "summary_page": "/summary"}


def web_timings(folder: Path, code: str, runs: int) -> dict[str, float]:
    """Median seconds per page of the web view over the ledger in `folder`."""
    import warnings

    warnings.simplefilter("ignore", DeprecationWarning)
    from starlette.testclient import TestClient

    from composition import web_app
    from ledger.config import load_config

    client = TestClient(web_app(load_config(folder / "ledger.yaml")))
    out = {}
    for name, path in WEB_PAGES.items():
        url = path.format(code=code)
        assert client.get(url).status_code == 200, url  # warm-up: templates compiled, files cached
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, url
        out[name] = statistics.median(times)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 300_000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            folder = Path(tmp) / str(size)
            folder.mkdir()
            started = time.perf_counter()
            events, problems, code = build(folder, size)
            built = time.perf_counter() - started
            print(f"built {events:,} events ({problems:,} problems) in {built:.1f}s", file=sys.stderr, flush=True)
            replay = json.loads(subprocess.run(
                [ledger_executable(), "replay", "--format", "json"], cwd=folder, capture_output=True, text=True, check=True
            ).stdout)
            assert replay["matches"], replay
            rows.append({
                "events": events,
                "problems": problems,
                "status": timed(folder, ["status", "--inspection", code, "--format", "json"], args.runs),
                "summary_one": timed(folder, ["summary", "--inspection", code], args.runs),
                "summary_all": timed(folder, ["summary"], args.runs),
                "version": timed(folder, ["--version"], args.runs),
                "replay_s": replay["seconds"],
                "replay_rate": replay["events_per_second"],
                **web_timings(folder, code, args.runs),
            })
    print(f"| events | problems | `status --inspection X` | `summary --inspection X` | `summary` (whole) | `--version` (start-up) | `replay` | replay rate (whole check) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['events']:,} | {r['problems']:,} | {r['status'] * 1000:.0f} ms | {r['summary_one'] * 1000:.0f} ms | "
            f"{r['summary_all'] * 1000:.0f} ms | {r['version'] * 1000:.0f} ms | {r['replay_s']:.1f} s | {r['replay_rate']:,} events/s |"
        )
    print()
    print("| events | web `/` (overview) | web `/?format=json` | web `/problems?inspection=X` | web `/summary` |")
    print("|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['events']:,} | {r['overview'] * 1000:.1f} ms | {r['overview_json'] * 1000:.1f} ms | "
            f"{r['problems_one'] * 1000:.1f} ms | {r['summary_page'] * 1000:.1f} ms |"
        )


if __name__ == "__main__":
    main()
