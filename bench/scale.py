"""Scale benchmarks: prints a markdown table of every speed target, measured in one run (no timed tests anywhere).

    .venv/bin/python bench/scale.py --sizes 10000,100000     # ledgers of 10k and 100k events, 5 runs each
    .venv/bin/python bench/scale.py --quick                  # small sizes: a few minutes, to check the script
    .venv/bin/python bench/scale.py --workdir /var/tmp/ledger-bench   # keep the generated ledgers

Ledgers are generated in bulk in-process (bench/generate.py: one organisation
= one inspection × 30 problems × ~9 events per transaction, through the
ledger's own application, read models included). Commands are timed as the
installed `ledger` executable, wall time, median of --runs runs; peak memory is
the child's maximum resident set size. PostgreSQL runs on a throw-away local
server (tests/pgserver.py, fsync on) when the binaries are installed.

Every target is a ratio measured in this same run (ratios survive a loaded
machine better than times): each target row prints its target and whether it
is met ("yes", "NO", or "not measured" with the reason).
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


def compile_like_an_install() -> None:
    """Byte-compile the ledger's own modules, as `pip install` does for an installed package: an editable
    install under PYTHONDONTWRITEBYTECODE would otherwise recompile them on every command timed (about
    40 ms here), which the floor's libraries, compiled at install, never do."""
    import compileall

    for package in ("ledger", "commands", "projections"):
        compileall.compile_dir(str(Path(__file__).resolve().parent.parent / package), quiet=1)


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


# The same on a pseudo-terminal (120 columns, 40 lines) as standard input and output, the way a
# person at a terminal runs the command; the parent drains what is printed and counts its lines.
TERMINAL_LAUNCHER = r"""
import fcntl, os, struct, sys, termios, time
master, slave = os.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
t = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.close(master)
    os.dup2(slave, 0)
    os.dup2(slave, 1)
    os.execv(sys.argv[1], sys.argv[1:])
os.close(slave)
lines = 0
while True:
    try:
        data = os.read(master, 65536)
    except OSError:  # EIO: the child closed the terminal
        break
    if not data:
        break
    lines += data.count(b"\n")
_, status, usage = os.wait4(pid, 0)
sys.stderr.write("\nBENCH %f %d %d\n" % (time.perf_counter() - t, usage.ru_maxrss, lines))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_on_terminal(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int, int, int, str]:
    """(wall seconds, exit code, peak RSS in MB, lines printed, stderr) of one command on a pseudo-terminal."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    full_env.update(env or {})
    full_env.setdefault("LEDGER_ACTOR", "bench")
    full_env.setdefault("TERM", "xterm")
    child = subprocess.run(
        [sys.executable, "-S", "-c", TERMINAL_LAUNCHER, argv[0], *argv[1:]],
        cwd=cwd, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    err, _, last = child.stderr.rstrip("\n").rpartition("\nBENCH ")
    wall, rss, lines = last.split()
    return float(wall), child.returncode, int(rss) // 1024, int(lines), err


def median_on_terminal(argv: list[str], cwd: Path, runs: int) -> tuple[float, int, int] | str:
    """Median wall time, max peak RSS and the lines printed, on a pseudo-terminal; or an error text."""
    times, peaks, lines = [], [], 0
    for _ in range(runs):
        wall, code, peak, lines, err = run_on_terminal(argv, cwd)
        if code != 0:
            return f"error: {err.strip().splitlines()[-1] if err.strip() else code}"
        times.append(wall)
        peaks.append(peak)
    return statistics.median(times), max(peaks), lines


def piped_lines(argv: list[str], cwd: Path) -> tuple[float, int, int] | str:
    """(wall seconds, peak RSS in MB, lines) of a command whose standard output is a pipe read to the end."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.setdefault("LEDGER_ACTOR", "bench")
    child = subprocess.Popen([sys.executable, "-S", "-c", LAUNCHER, argv[0], *argv[1:]], cwd=cwd, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines = 0
    assert child.stdout is not None and child.stderr is not None
    while chunk := child.stdout.read(1 << 16):
        lines += chunk.count(b"\n")
    err = child.stderr.read().decode("utf-8", "replace")
    if child.wait() != 0:
        return f"error: {err.strip().splitlines()[-1] if err.strip() else child.returncode}"
    wall, rss = err.rstrip("\n").rpartition("\nBENCH ")[2].split()
    return float(wall), int(rss) // 1024, lines


def listings_on_terminal(t: "Table", exe: str, folder: Path, problems: int, tw: dict[str, Any] | str, runs: int) -> None:
    """Issue 27: `ledger status` on a terminal (the most urgent 30 and a closing line) beside `task list` of as many
    tasks, its peak memory, and the same listing piped as csv, complete."""
    problems = count_problems(folder)  # now: earlier rows of a full run add problems to this ledger
    size = f"{problems:,} problems"
    shown = median_on_terminal([exe, "status"], folder, runs)
    if isinstance(shown, str):
        t.unmeasured("status on a terminal (most urgent 30)", size, shown, "≤ 0.5× task list")
    else:
        t.note("status on a terminal (most urgent 30), lines printed", size, f"{shown[2]} lines", "", "30 rows and a closing line", "")
        if isinstance(tw, str) or isinstance(tw["list"], str):
            t.unmeasured("status on a terminal ÷ task list", size, str(tw if isinstance(tw, str) else tw["list"]), "≤ 0.5× task list")
        else:
            ratio = shown[0] / tw["list"][0]
            t.note("status on a terminal (most urgent 30), beside task list", size, fmt_time(shown),
                   f"{ratio:.2f}× task list ({fmt_time(tw['list'])})", "≤ 0.5× task list", ratio <= 0.5, fmt_peak(shown))
        t.note("status on a terminal, peak memory", size, f"{shown[1]} MB", "", "≤ 60 MB", shown[1] <= 60)
    for label, argv in (("due on a terminal (most urgent 30)", [exe, "due"]), ("reviews on a terminal (most urgent 30)", [exe, "reviews"])):
        other = median_on_terminal(argv, folder, max(1, min(runs, 3)))
        if isinstance(other, str):
            t.unmeasured(label, size, other, "")
        else:
            t.note(label, size, fmt_time(other), f"{other[2]} lines", peak=fmt_peak(other))
    piped = piped_lines([exe, "status", "--format", "csv"], folder)
    if isinstance(piped, str):
        t.unmeasured("status --format csv, piped (every problem)", size, piped, "complete")
    else:
        complete = piped[2] == problems + 1
        t.note("status --format csv, piped (every problem)", size, f"{piped[0]:.3f} s", f"{piped[2] - 1:,} rows of {problems:,}",
               "complete", complete, f"{piped[1]} MB")


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
            p = app.add_problem(inspection=code, category="政治站位方面", title="待销号", actor="巡察办", at=now).problem
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
    env = {"HOME": str(home), "TASKRC": str(home / ".taskrc")}
    if (home / f"imported-{tasks}").exists():  # kept by an earlier run with --workdir: the import takes minutes
        listing = median_run(lambda i: [task, "rc.verbose=nothing", "list"], home, runs, env)
        return {"add": "n/a (not run on a kept task list)", "list": listing}
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    (home / ".taskrc").write_text(f"data.location={home / 'data'}\nconfirmation=off\nverbose=nothing\nhooks=off\n")
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
    listing = median_run(lambda i: [task, "rc.verbose=nothing", "list"], home, runs, env)
    (home / f"imported-{tasks}").touch()
    add = median_run(lambda i: [task, "add", f"新问题{i}", "project:P99999"], home, runs, env)
    return {"add": add, "list": listing}


def fmt_time(value: tuple[float, int] | str) -> str:
    return value if isinstance(value, str) else f"{value[0]:.3f} s"


def fmt_peak(value: tuple[float, int] | str) -> str:
    return "" if isinstance(value, str) else f"{value[1]} MB"


def raw_read_decode_rate(folder: Path) -> tuple[int, float]:
    """(events, events/s) of reading every event row in replay's order and decoding it, nothing else.

    The floor `replay` stands on: plain sqlite3 reading the rows through the
    primary key (aggregate order), and the ledger's own mapper turning each into
    a domain event. Measured in-process, so it includes no start-up.
    """
    from eventsourcing.persistence import StoredEvent
    from uuid import UUID

    app = generate.open_app(str(folder / "ledger.db"))
    to_domain_event = app.mapper.to_domain_event
    con = sqlite3.connect(f"file:{folder / 'ledger.db'}?mode=ro", uri=True)
    count = 0
    try:
        start = time.perf_counter()
        cursor = con.execute("SELECT originator_id, originator_version, topic, state FROM stored_events ORDER BY originator_id, originator_version")
        while rows := cursor.fetchmany(2000):
            for row in rows:
                to_domain_event(StoredEvent(originator_id=UUID(hex=row[0]), originator_version=row[1], topic=row[2], state=row[3]))
            count += len(rows)
        seconds = time.perf_counter() - start
    finally:
        con.close()
        app.close()
    return count, count / seconds


def raw_insert_seconds(source: Path, scratch: Path, per_transaction: int | None) -> tuple[int, float]:
    """(events, seconds) of plain sqlite3 inserting `source`'s event rows, `per_transaction` a transaction (None: one)."""
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
    step = per_transaction or len(rows) or 1
    start = time.perf_counter()
    for i in range(0, len(rows), step):
        con.execute("BEGIN")
        con.executemany("INSERT INTO stored_events VALUES (?, ?, ?, ?)", rows[i : i + step])
        con.execute("COMMIT")
    seconds = time.perf_counter() - start
    con.close()
    for suffix in ("", "-wal", "-shm"):
        Path(str(scratch) + suffix).unlink(missing_ok=True)
    return len(rows), seconds


def measure_import(workdir: Path, rows: int) -> tuple[tuple[float, int] | str, int, float]:
    """`ledger import` of a `rows`-problem feedback list into a fresh ledger: (time and peak, events, raw insert seconds)."""
    from big_feedback import write_big_csv

    folder = workdir / f"import-{rows}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    write_big_csv(folder / "list.csv", rows)
    wall, code, _, err = run([ledger_executable(), "init"], folder)
    assert code == 0, err
    wall, code, peak, err = run([ledger_executable(), "import", "list.csv"], folder)
    if code != 0:
        return f"error: {err.strip().splitlines()[-1] if err.strip() else code}", 0, float("nan")
    events, raw_seconds = raw_insert_seconds(folder / "ledger.db", workdir / "raw-import.db", None)  # the import is one transaction
    shutil.rmtree(folder, ignore_errors=True)
    return (wall, peak), events, raw_seconds


class Table:
    """The rows printed at the end; each target row says its target and whether it is met."""

    HEADERS = ["measure", "size", "median", "against", "target", "met", "peak RSS"]

    def __init__(self) -> None:
        self.rows: list[list[str]] = []

    def note(self, measure: str, size: str, median: str, against: str = "", target: str = "", met: bool | str | None = None, peak: str = "") -> None:
        verdict = "" if met is None else (met if isinstance(met, str) else ("yes" if met else "NO"))
        row = [measure, size, median, against, target, verdict, peak]
        self.rows.append(row)
        print(" | ".join(row), file=sys.stderr, flush=True)

    def unmeasured(self, measure: str, size: str, why: str, target: str) -> None:
        self.note(measure, size, f"n/a ({why})", "", target, "not measured")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="ledger sizes in events, smallest first (the last one is 'big')")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bulk-events", type=int, default=30000, help="events bulk-loaded afresh into SQLite, raw sqlite3 and PostgreSQL")
    parser.add_argument("--import-rows", type=int, default=50000, help="problems in the feedback list imported")
    parser.add_argument("--tasks", type=int, default=None, help="Taskwarrior tasks (default: as many as the big ledger's problems)")
    parser.add_argument("--workdir", default=None, help="where the ledgers are generated (kept if given)")
    parser.add_argument("--listings", action="store_true", help="only the big ledger's listings on a terminal beside Taskwarrior (issue 27): minutes, not an hour")
    parser.add_argument("--quick", action="store_true", help="--sizes 2000,10000 --runs 3 --bulk-events 3000 --import-rows 2000: a few minutes")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.runs, args.bulk_events, args.import_rows = "2000,10000", 3, 3000, 2000
    sizes = sorted(int(s) for s in args.sizes.split(","))
    small, big = sizes[0], sizes[-1]
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="ledger-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    compile_like_an_install()
    exe = ledger_executable()
    t = Table()

    floor = median_run(lambda i: FLOOR, workdir, args.runs)
    t.note("interpreter + imports floor", "-", fmt_time(floor), peak=fmt_peak(floor))

    # -- the ledgers commands are timed on (kept between runs with --workdir) ------
    folders: dict[int, Path] = {}
    for size in sizes:
        folder = workdir / f"sqlite-{size}"
        if not ((folder / "ledger.db").exists() and count_events(folder) >= size * 0.99):
            shutil.rmtree(folder, ignore_errors=True)
            written, seconds = make_ledger(folder, size)
            t.note("bulk load, ledger on SQLite (ledger for the commands)", f"{written:,} events", f"{written / seconds:,.0f} events/s")
        folders[size] = folder

    if args.listings:
        problems = count_problems(folders[big])
        tw = taskwarrior(workdir, args.tasks or problems, args.runs)
        if not isinstance(tw, str):
            t.note("task list", f"{args.tasks or problems:,} tasks", fmt_time(tw["list"]), peak=fmt_peak(tw["list"]))
        listings_on_terminal(t, exe, folders[big], problems, tw, args.runs)
        print_table(t, args)
        return

    # -- bulk load: the same rows through the ledger, raw sqlite3 and PostgreSQL, afresh --
    bulk_folder = workdir / "bulk"
    shutil.rmtree(bulk_folder, ignore_errors=True)
    written, seconds = make_ledger(bulk_folder, args.bulk_events)
    sqlite_rate = written / seconds
    t.note("bulk load, ledger on SQLite", f"{written:,} events", f"{sqlite_rate:,.0f} events/s")
    events, raw_seconds = raw_insert_seconds(bulk_folder / "ledger.db", workdir / "raw.db", generate.events_per_organisation())
    raw_rate = events / raw_seconds
    t.note("bulk load, raw sqlite3 inserts of the same rows", f"{events:,} events", f"{raw_rate:,.0f} events/s")
    t.note("bulk load, ledger ÷ raw sqlite3", f"{written:,} events", f"{sqlite_rate / raw_rate:.2f}×", "", "≥ 0.3×", sqlite_rate / raw_rate >= 0.3)
    shutil.rmtree(bulk_folder, ignore_errors=True)

    # A write command on SQLite beside the same command on PostgreSQL (ledgers of the same size).
    sqlite_add_folder = workdir / "pg-twin"
    shutil.rmtree(sqlite_add_folder, ignore_errors=True)
    make_ledger(sqlite_add_folder, args.bulk_events)
    try:
        from pgserver import PgServer, find_bin_dir

        bin_dir = find_bin_dir()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL binaries not installed: bash scripts/install-postgres")
        server = PgServer(bin_dir, durable=True)
        server.start()
        try:
            url = server.url(server.create_database())
            shutil.rmtree(workdir / "pg", ignore_errors=True)
            pg_written, pg_seconds = make_ledger(workdir / "pg", args.bulk_events, store=url)
            pg_rate = pg_written / pg_seconds
            t.note("bulk load, ledger on PostgreSQL (fsync on)", f"{pg_written:,} events", f"{pg_rate:,.0f} events/s")
            t.note("bulk load, PostgreSQL ÷ SQLite", f"{pg_written:,} events", f"{pg_rate / sqlite_rate:.2f}×", "", "≥ 0.7×", pg_rate / sqlite_rate >= 0.7)
            pg_status = median_run(lambda i: [exe, "status", "--inspection", generate.code_of(1)], workdir / "pg", args.runs, {"LEDGER_STORE": url})
            t.note("status --inspection (30 problems), PostgreSQL", f"{pg_written:,} events", fmt_time(pg_status), peak=fmt_peak(pg_status))
            # Alternate the two stores run by run, so that a change of load hits both alike.
            pg_times: list[float] = []
            sqlite_times: list[float] = []
            for i in range(args.runs):
                argv = [exe, "add-problem", "--inspection", generate.code_of(1), "--category", "c", "--title", f"t{i}"]
                for folder_, env_, times in ((workdir / "pg", {"LEDGER_STORE": url}, pg_times), (sqlite_add_folder, None, sqlite_times)):
                    wall, code, _, err = run(argv, folder_, env_)
                    if code != 0:
                        raise RuntimeError(f"add-problem failed: {err.strip()[-200:]}")
                    times.append(wall)
            pg_add, sqlite_add = statistics.median(pg_times), statistics.median(sqlite_times)
            t.note("add-problem, SQLite", f"{written:,} events", f"{sqlite_add:.3f} s")
            t.note("add-problem, PostgreSQL", f"{pg_written:,} events", f"{pg_add:.3f} s", f"{pg_add / sqlite_add:.2f}× SQLite", "≤ 1.3× SQLite", pg_add / sqlite_add <= 1.3)
        finally:
            server.stop()
    except Exception as e:  # noqa: BLE001 - the table says why
        why = str(e).splitlines()[0] if str(e) else type(e).__name__
        t.unmeasured("bulk load, PostgreSQL ÷ SQLite", f"{args.bulk_events:,} events", why, "≥ 0.7×")
        t.unmeasured("add-problem, PostgreSQL", f"{args.bulk_events:,} events", why, "≤ 1.3× SQLite")
    shutil.rmtree(sqlite_add_folder, ignore_errors=True)

    # -- import of a feedback list ------------------------------------------------
    imported, import_events, import_raw = measure_import(workdir, args.import_rows)
    if isinstance(imported, str):
        t.unmeasured("import (feedback list)", f"{args.import_rows:,} rows", imported, "≥ 0.3× raw insert rate")
    else:
        ratio = import_raw / imported[0]
        t.note("raw sqlite3 insert of the imported events (one transaction)", f"{import_events:,} events", f"{import_raw:.3f} s")
        t.note("import (feedback list, one transaction)", f"{args.import_rows:,} rows", f"{imported[0]:.3f} s",
               f"{ratio:.2f}× raw insert rate", "≥ 0.3× raw insert rate", ratio >= 0.3, fmt_peak(imported))
        t.note("import, peak memory", f"{args.import_rows:,} rows", f"{imported[1]} MB", "", "≤ 150 MB", imported[1] <= 150)

    # -- single commands on the big ledger ------------------------------------
    folder = folders[big]
    # The floor again, right beside: the machine's load drifts during a long run.
    floor_here = median_run(lambda i: FLOOR, workdir, args.runs)
    floor_s = floor_here[0] if not isinstance(floor_here, str) else float("nan")
    t.note("interpreter + imports floor", f"beside {big:,}", fmt_time(floor_here), peak=fmt_peak(floor_here))
    add = median_run(lambda i: [exe, "add-problem", "--inspection", generate.code_of(0), "--category", "政治站位方面", "--title", f"新问题{i}"], folder, args.runs)
    if isinstance(add, str):
        t.unmeasured("add-problem", f"{big:,} events", add, "≤ 1.5× floor")
    else:
        t.note("add-problem", f"{big:,} events", fmt_time(add), f"{add[0] / floor_s:.2f}× floor", "≤ 1.5× floor", add[0] / floor_s <= 1.5, fmt_peak(add))
    ready = ready_to_close(folder, args.runs)
    close = median_run(lambda i: [exe, "close", ready[i], "--note", "销号"], folder, args.runs, {"LEDGER_ACTOR": "巡察办主任"})
    if isinstance(close, str):
        t.unmeasured("close", f"{big:,} events", close, "≤ 1.5× floor")
    else:
        t.note("close", f"{big:,} events", fmt_time(close), f"{close[0] / floor_s:.2f}× floor", "≤ 1.5× floor", close[0] / floor_s <= 1.5, fmt_peak(close))

    # -- reading at every size --------------------------------------------------
    first: dict[str, tuple[float, int]] = {}
    for size in sizes:
        folder = folders[size]
        problems = count_problems(folder)
        for label, argv in (
            ("status --inspection (30 problems)", [exe, "status", "--inspection", generate.code_of(1)]),
            ("summary --inspection (30 problems)", [exe, "summary", "--inspection", generate.code_of(1)]),
            ("summary (whole ledger)", [exe, "summary"]),
            ("status (every problem, csv)", [exe, "status", "--format", "csv"]),
            ("status (every problem, json)", [exe, "status", "--format", "json"]),
        ):
            result = median_run(lambda i: argv, folder, args.runs)
            if isinstance(result, str):
                t.unmeasured(label, f"{size:,} events", result, "")
                continue
            first.setdefault(label, result)
            if label.startswith("status (every"):
                # The target is for 115k problems (a 1M-event ledger, not built here): the time above
                # the start-up floor is scaled linearly to 115k problems, the floor added once.
                scaled = floor_s + max(result[0] - floor_s, 0.0) * 115_000 / problems
                t.note(label, f"{size:,} events, {problems:,} problems", fmt_time(result), f"≈ {scaled:.2f} s at 115k problems (scaled)",
                       "≤ 0.5 s at 115k problems" if size == big else "", (scaled <= 0.5) if size == big else None, fmt_peak(result))
                if size == big and size != small:
                    growth = result[1] / first[label][1]
                    t.note(f"{label}, peak memory", f"{small:,} → {big:,} events", f"{first[label][1]} → {result[1]} MB",
                           f"{growth:.2f}× the {small:,} peak", "flat (≤ 1.2×)", growth <= 1.2)
            elif size == big and size != small:
                growth = result[0] / first[label][0]
                t.note(label, f"{size:,} events", fmt_time(result), f"{growth:.2f}× the {small:,} time", "≤ 1.2× (flat)", growth <= 1.2, fmt_peak(result))
            else:
                t.note(label, f"{size:,} events", fmt_time(result), peak=fmt_peak(result))
        events = count_events(folder)
        verify = median_run(lambda i: [exe, "audit", "--verify"], folder, max(1, args.runs // 2))
        if isinstance(verify, str):
            t.unmeasured("audit --verify", f"{size:,} events", verify, "≥ 100k events/s")
        else:
            rate = events / verify[0]
            t.note("audit --verify", f"{size:,} events", f"{rate:,.0f} events/s", "", "≥ 100k events/s" if size == big else "",
                   (rate >= 100_000) if size == big else None, fmt_peak(verify))
        replay = median_run(lambda i: [exe, "replay"], folder, max(1, args.runs // 2))
        if not isinstance(replay, str):
            t.note("replay (one process per CPU)", f"{size:,} events", f"{events / replay[0]:,.0f} events/s", peak=fmt_peak(replay))
        replay1 = median_run(lambda i: [exe, "replay", "--jobs", "1"], folder, max(1, args.runs // 2))
        decoded, decode_rate = raw_read_decode_rate(folder)
        t.note("raw read and decode of the same rows (in-process)", f"{decoded:,} events", f"{decode_rate:,.0f} events/s")
        if isinstance(replay1, str):
            t.unmeasured("replay --jobs 1", f"{size:,} events", replay1, "≥ 0.5× raw read and decode")
        else:
            rate = events / replay1[0]
            t.note("replay --jobs 1", f"{size:,} events", f"{rate:,.0f} events/s", f"{rate / decode_rate:.2f}× raw read and decode",
                   "≥ 0.5× raw read and decode" if size == big else "", (rate / decode_rate >= 0.5) if size == big else None, fmt_peak(replay1))

    # -- beside Taskwarrior -----------------------------------------------------
    problems_folder = folders[big]
    problems = count_problems(problems_folder)
    tasks = args.tasks or problems
    tw = taskwarrior(workdir, tasks, args.runs)
    add = median_run(lambda i: [exe, "add-problem", "--inspection", generate.code_of(2), "--category", "c", "--title", f"tw{i}"], problems_folder, args.runs)
    status = median_run(lambda i: [exe, "status"], problems_folder, args.runs)
    if isinstance(tw, str):
        t.unmeasured("status as a table ÷ task list", f"{problems:,} problems", tw, "≤ 1.0× task list")
    else:
        t.note("task add", f"{tasks:,} tasks", fmt_time(tw["add"]), peak=fmt_peak(tw["add"]))
        t.note("task list", f"{tasks:,} tasks", fmt_time(tw["list"]), peak=fmt_peak(tw["list"]))
        t.note("add-problem (beside task add)", f"{problems:,} problems", fmt_time(add), peak=fmt_peak(add))
        if isinstance(status, str) or isinstance(tw["list"], str):
            t.unmeasured("status, every problem as a table (beside task list)", f"{problems:,} problems", str(status), "≤ 1.0× task list")
        else:
            ratio = status[0] / tw["list"][0]
            t.note("status, every problem as a table, not on a terminal (beside task list)", f"{problems:,} problems", fmt_time(status),
                   f"{ratio:.2f}× task list of {tasks:,}", "≤ 1.0× task list (30k)", ratio <= 1.0, fmt_peak(status))
    listings_on_terminal(t, exe, problems_folder, problems, tw, args.runs)
    print_table(t, args)
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)


def print_table(t: Table, args: Any) -> None:
    import tabulate

    print(f"\nMachine: {machine()}; load average {os.getloadavg()[0]:.1f} at the end\n"
          f"Date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC\n"
          f"Command: .venv/bin/python bench/scale.py {' '.join(sys.argv[1:])}\nRuns per figure: {args.runs} (median)\n")
    print(tabulate.tabulate(t.rows, headers=Table.HEADERS, tablefmt="github", disable_numparse=True))


def count_problems(folder: Path) -> int:
    with sqlite3.connect(folder / "ledger.db") as con:
        return int(con.execute("SELECT COUNT(*) FROM ledger_problems").fetchone()[0])


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
