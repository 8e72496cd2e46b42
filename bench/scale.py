"""Province-scale benchmarks: prints a markdown table (no timed tests anywhere).

    .venv/bin/python bench/scale.py                 # 10k, 300k and 1M events, 5 runs each
    .venv/bin/python bench/scale.py --quick         # small sizes, to check the script itself
    .venv/bin/python bench/scale.py --workdir /var/tmp/ledger-bench   # keep the generated ledgers

Ledgers are generated in bulk in-process (bench/generate.py: one organisation
= one inspection × 30 problems × ~9 events per transaction, through the
ledger's own application, read models included). Commands are timed as the
installed `ledger` executable, wall time, median of --runs runs; peak memory is
the child's maximum resident set size. PostgreSQL runs on a throw-away local
server (tests/pgserver.py, fsync on) when the binaries are installed.
Commands this build lacks are reported as "n/a (command missing)".
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests"))

import generate  # noqa: E402

FLOOR = [sys.executable, "-c", "import click, yaml, tabulate, eventsourcing.application"]
MISSING = "n/a (command missing)"


def ledger_executable() -> str:
    candidate = Path(sys.executable).parent / "ledger"
    return str(candidate) if candidate.exists() else (shutil.which("ledger") or "ledger")


# A small launcher times the command and reads its peak memory: a child's
# maximum RSS includes the image it was forked from, and this script is bigger
# than the commands it measures.
LAUNCHER = r"""
import os, sys, time
t = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
sys.stderr.write("\nBENCH %f %d\n" % (time.perf_counter() - t, usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int, int, str]:
    """(wall seconds, exit code, peak RSS in MB, stderr) of one command."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    full_env.update(env or {})
    full_env.setdefault("LEDGER_ACTOR", "bench")
    exe = argv[0] if os.path.isabs(argv[0]) else (shutil.which(argv[0]) or argv[0])
    child = subprocess.run(
        [sys.executable, "-S", "-c", LAUNCHER, exe, *argv[1:]],
        cwd=cwd, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    err, _, last = child.stderr.rstrip("\n").rpartition("\nBENCH ")
    wall, rss = last.split()
    return float(wall), child.returncode, int(rss) // 1024, err


def median_run(argv_for: Callable[[int], list[str]], cwd: Path, runs: int, env: dict[str, str] | None = None) -> tuple[float, int] | str:
    """Median wall time and max peak RSS, or MISSING / an error text."""
    times, peaks = [], []
    for i in range(runs):
        wall, code, peak, err = run(argv_for(i), cwd, env)
        if code != 0:
            if "No such command" in err or "not available in this build" in err:
                return MISSING
            return f"error: {err.strip().splitlines()[-1] if err.strip() else code}"
        times.append(wall)
        peaks.append(peak)
    return statistics.median(times), max(peaks)


def organisations_for(events: int) -> int:
    return math.ceil(events / generate.events_per_organisation())


def make_ledger(folder: Path, events: int, store: str | None = None) -> tuple[int, float]:
    """An initialised ledger with about `events` events; (events, seconds to load them)."""
    folder.mkdir(parents=True, exist_ok=True)
    env = {"LEDGER_STORE": store} if store else {}
    if not (folder / "ledger.yaml").exists() or store:
        wall, code, _, err = run([ledger_executable(), "init"], folder, env)
        assert code == 0, err
    target = store or str(folder / "ledger.db")
    start = time.perf_counter()
    written = generate.generate(target, organisations_for(events))
    return written, time.perf_counter() - start


def count_events(folder: Path) -> int:
    con = sqlite3.connect(folder / "ledger.db")
    try:
        return int(con.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0])
    finally:
        con.close()


def raw_sqlite_floor(source: Path, scratch: Path) -> float:
    """events/s of plain sqlite3 inserting the same rows, one transaction per organisation."""
    per = generate.events_per_organisation()
    src = sqlite3.connect(source)
    rows = src.execute("SELECT originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid").fetchall()
    src.close()
    scratch.unlink(missing_ok=True)
    con = sqlite3.connect(scratch, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute(
        "CREATE TABLE stored_events (originator_id TEXT, originator_version INTEGER, topic TEXT, state BLOB, "
        "PRIMARY KEY (originator_id, originator_version))"
    )
    start = time.perf_counter()
    for i in range(0, len(rows), per):
        con.execute("BEGIN")
        con.executemany("INSERT INTO stored_events VALUES (?, ?, ?, ?)", rows[i : i + per])
        con.execute("COMMIT")
    seconds = time.perf_counter() - start
    con.close()
    scratch.unlink(missing_ok=True)
    return len(rows) / seconds


def ready_to_close(folder: Path, how_many: int) -> list[str]:
    """Problems verified and waiting for sign-off, made in-process (not timed)."""
    from datetime import date, timedelta
    from decimal import Decimal

    from ledger.domain import utc_now

    app = generate.open_app(str(folder / "ledger.db"))
    ids = []
    try:
        code = generate.code_of(0)
        for _ in range(how_many):
            now = utc_now() - timedelta(minutes=5)
            p = app.add_problem(inspection=code, category="政治站位方面", title="待销号", actor="巡察办", at=now)
            pid = p.display_id
            app.assign(pid, lead="王局长", unit="办公室", person="责任人", deadline=None, actor="巡察办", at=now)
            app.plan_measure(pid, text="措施", due=date(2030, 1, 1), actor="责任人", at=now)
            app.complete_measure(pid, "M1", evidence=["e"], rules=0, funds=Decimal(0), actor="责任人", at=now)
            app.verify(pid, grade="good", actor="核查组", at=now)
            ids.append(pid)
    finally:
        app.close()
    return ids


def taskwarrior(workdir: Path, tasks: int, runs: int) -> dict[str, Any] | str:
    task = shutil.which("task")
    if not task:
        return "n/a (taskwarrior not installed: apt-get install -y taskwarrior)"
    home = workdir / "taskwarrior"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    (home / ".taskrc").write_text(f"data.location={home / 'data'}\nconfirmation=off\nverbose=nothing\nhooks=off\n")
    env = {"HOME": str(home), "TASKRC": str(home / ".taskrc")}
    data = [
        {"description": f"问题{i}：整改不到位", "status": "pending", "project": f"P{i // 30:05d}", "entry": "20200115T000000Z", "uuid": None}
        for i in range(tasks)
    ]
    import uuid

    for d in data:
        d["uuid"] = str(uuid.uuid4())
    (home / "import.json").write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in data))
    wall, code, _, err = run([task, "rc.confirmation=off", "import", str(home / "import.json")], home, env)
    if code != 0:
        return f"error: task import: {err.strip()[-200:]}"
    add = median_run(lambda i: [task, "add", f"新问题{i}", "project:P99999"], home, runs, env)
    listing = median_run(lambda i: [task, "rc.verbose=nothing", "list"], home, runs, env)
    return {"add": add, "list": listing}


def fmt_time(value: tuple[float, int] | str) -> str:
    return value if isinstance(value, str) else f"{value[0]:.3f} s"


def fmt_peak(value: tuple[float, int] | str) -> str:
    return "" if isinstance(value, str) else f"{value[1]} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,300000,1000000", help="ledger sizes in events (the middle one is 'big')")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pg-events", type=int, default=100000, help="events to bulk-load into PostgreSQL")
    parser.add_argument("--tasks", type=int, default=30000, help="Taskwarrior tasks (and problems to compare with)")
    parser.add_argument("--workdir", default=None, help="where the ledgers are generated (kept if given)")
    parser.add_argument("--quick", action="store_true", help="--sizes 2000,10000,20000 --runs 3 --pg-events 5000 --tasks 2000")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.runs, args.pg_events, args.tasks = "2000,10000,20000", 3, 5000, 2000
    sizes = [int(s) for s in args.sizes.split(",")]
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="ledger-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    exe = ledger_executable()
    rows: list[list[str]] = []
    note = lambda *r: (rows.append([str(x) for x in r]), print(" | ".join(str(x) for x in r), file=sys.stderr, flush=True))  # noqa: E731

    floor = median_run(lambda i: FLOOR, workdir, args.runs)
    note("interpreter + imports floor", "-", fmt_time(floor), "", fmt_peak(floor))
    floor_s = floor[0] if not isinstance(floor, str) else float("nan")

    # -- generate, measuring the bulk load --------------------------------------
    folders: dict[int, Path] = {}
    for size in sizes:
        folder = workdir / f"sqlite-{size}"
        if (folder / "ledger.db").exists() and count_events(folder) >= size * 0.99:
            folders[size] = folder
            continue
        shutil.rmtree(folder, ignore_errors=True)
        written, seconds = make_ledger(folder, size)
        folders[size] = folder
        note("bulk load, ledger on SQLite", f"{written:,} events", f"{written / seconds:,.0f} events/s", "", "")
    big = sizes[1] if len(sizes) > 1 else sizes[0]
    note("bulk load, raw sqlite3 inserts (floor)", f"{count_events(folders[big]):,} events",
         f"{raw_sqlite_floor(folders[big] / 'ledger.db', workdir / 'raw.db'):,.0f} events/s", "", "")

    try:
        from pgserver import PgServer, find_bin_dir

        bin_dir = find_bin_dir()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL binaries not installed")
        server = PgServer(bin_dir, durable=True)
        server.start()
        try:
            url = server.url(server.create_database())
            written, seconds = make_ledger(workdir / "pg", args.pg_events, store=url)
            note("bulk load, ledger on PostgreSQL (fsync on)", f"{written:,} events", f"{written / seconds:,.0f} events/s", "", "")
            pg_status = median_run(lambda i: [exe, "status", "--inspection", generate.code_of(1)], workdir / "pg", args.runs, {"LEDGER_STORE": url})
            note("status --inspection (one of 30 problems), PostgreSQL", f"{written:,} events", fmt_time(pg_status), "", fmt_peak(pg_status))
            pg_add = median_run(lambda i: [exe, "add-problem", "--inspection", generate.code_of(1), "--category", "c", "--title", f"t{i}"], workdir / "pg", args.runs, {"LEDGER_STORE": url})
            note("add-problem, PostgreSQL", f"{written:,} events", fmt_time(pg_add), "", fmt_peak(pg_add))
        finally:
            server.stop()
    except Exception as e:  # noqa: BLE001 - the table says why
        note("bulk load, ledger on PostgreSQL", "-", f"n/a ({e})".splitlines()[0], "", "")

    # -- single commands on the big ledger ------------------------------------
    for size in sizes[1:]:
        folder = folders[size]
        # The floor again, right beside: the machine's load drifts during a long run.
        floor_here = median_run(lambda i: FLOOR, workdir, args.runs)
        floor_s = floor_here[0] if not isinstance(floor_here, str) else float("nan")
        note("interpreter + imports floor", f"beside {size:,}", fmt_time(floor_here), "", fmt_peak(floor_here))
        add = median_run(lambda i: [exe, "add-problem", "--inspection", generate.code_of(0), "--category", "政治站位方面", "--title", f"新问题{i}"], folder, args.runs)
        ratio = f"{add[0] / floor_s:.2f}× floor (target ≤ 1.5×)" if not isinstance(add, str) else ""
        note("add-problem", f"{size:,} events", fmt_time(add), ratio, fmt_peak(add))
        ready = ready_to_close(folder, args.runs)
        close = median_run(lambda i: [exe, "close", ready[i], "--note", "销号"], folder, args.runs, {"LEDGER_ACTOR": "巡察办主任"})
        ratio = f"{close[0] / floor_s:.2f}× floor (target ≤ 1.5×)" if not isinstance(close, str) else ""
        note("close", f"{size:,} events", fmt_time(close), ratio, fmt_peak(close))

    # -- reading at every size --------------------------------------------------
    first: dict[str, float] = {}
    for size in sizes:
        folder = folders[size]
        for label, argv in (
            ("status --inspection (30 problems)", [exe, "status", "--inspection", generate.code_of(1)]),
            ("status (every problem, csv)", [exe, "status", "--format", "csv"]),
            ("summary", [exe, "summary"]),
        ):
            result = median_run(lambda i: argv, folder, args.runs)
            verdict = ""
            if not isinstance(result, str):
                first.setdefault(label, result[0])
                if size == sizes[-1] and size != sizes[0]:
                    verdict = f"{result[0] / first[label]:.2f}× the {sizes[0]:,} time (target ≤ 1.2×)"
                elif size == big:
                    verdict = "target ≤ 0.5 s"
            note(label, f"{size:,} events", fmt_time(result), verdict, fmt_peak(result))
        for label, argv in (
            ("audit --verify", [exe, "audit", "--verify"]),
            ("replay (one process per CPU)", [exe, "replay"]),
            ("replay --jobs 1", [exe, "replay", "--jobs", "1"]),
        ):
            result = median_run(lambda i: argv, folder, max(1, args.runs // 2))
            rate = result if isinstance(result, str) else f"{count_events(folder) / result[0]:,.0f} events/s"
            target = "target ≥ 100k/s" if label.startswith("audit") else "target ≥ 50k/s"
            note(label, f"{size:,} events", rate, target, fmt_peak(result))

    # -- beside Taskwarrior -----------------------------------------------------
    tw = taskwarrior(workdir, args.tasks, args.runs)
    problems_folder = next((folders[s] for s in sizes if s >= args.tasks * 8), folders[big])
    with sqlite3.connect(problems_folder / "ledger.db") as con:
        problems = con.execute("SELECT COUNT(*) FROM ledger_problems").fetchone()[0]
    if isinstance(tw, str):
        note("Taskwarrior", f"{args.tasks:,} tasks", tw, "", "")
    else:
        note("task add", f"{args.tasks:,} tasks", fmt_time(tw["add"]), "", fmt_peak(tw["add"]))
        note("task list", f"{args.tasks:,} tasks", fmt_time(tw["list"]), "", fmt_peak(tw["list"]))
    add = median_run(lambda i: [exe, "add-problem", "--inspection", generate.code_of(2), "--category", "c", "--title", f"tw{i}"], problems_folder, args.runs)
    note("add-problem (beside task add)", f"{problems:,} problems", fmt_time(add), "", fmt_peak(add))
    status = median_run(lambda i: [exe, "status"], problems_folder, args.runs)
    note("status, every problem (beside task list)", f"{problems:,} problems", fmt_time(status), "", fmt_peak(status))

    import tabulate

    print(f"\nMachine: {machine()}\nDate: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC\n"
          f"Command: .venv/bin/python bench/scale.py {' '.join(sys.argv[1:])}\nRuns per figure: {args.runs} (median)\n")
    print(tabulate.tabulate(rows, headers=["measure", "size", "median", "against", "peak RSS"], tablefmt="github", disable_numparse=True))
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024 // 1024
    except (OSError, ValueError, IndexError):
        mem = 0
    return (f"{cpu}, {os.cpu_count()} cores, {mem} GB RAM; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")


if __name__ == "__main__":
    main()
