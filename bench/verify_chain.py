"""How fast `ledger audit --verify` recomputes the hash chain and the Merkle tree on SQLite.

Builds ledgers of N events (stored through the ledger's own recorder, so the
chain and the tree are written exactly as in use), then, in the same run:

* raw read of the same rows: plain sqlite3 reading exactly the rows
  verification reads (every event, every chain link, every tree node) in keyset
  pages in one read transaction, touching every column of every row and doing
  nothing else (the floor any verification stands on); also the event rows alone;
* verify: `verify_store`, what `audit --verify` runs: the chain recomputed, every
  leaf and node of the tree recomputed and compared with the stored ones, every
  recorded checkpoint checked; with the default jobs of `audit --verify` (one
  process per CPU from 50,000 events) and with `--jobs 1` beside it; as events/s
  and as a ratio to the raw read of the same rows (target ≥ 0.6×), and to the
  event rows alone (for comparison);
* write commands (`add-problem`, the installed executable, median of 5) against
  the interpreter-plus-imports floor of bench/scale.py (target ≤ 1.5×).

Usage: .venv/bin/python bench/verify_chain.py [N ...]     (default 100000)
       .venv/bin/python bench/verify_chain.py --full [--no-rebuild] [N ...]
           `audit --verify` with every check (schema, derived tables by their committed digests,
           evidence: issue 24) on a bench/generate.py ledger of about N events, against the raw read
           of the same rows (events, links, tree nodes, row digests, derived rows); beside it
           `audit --verify --full`, which rebuilds every aggregate (once; --no-rebuild skips it)
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator
from uuid import uuid4

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from eventsourcing.persistence import StoredEvent  # noqa: E402

from composition import store_schema  # noqa: E402
from ledger.chain import PARALLEL_FROM, default_jobs  # noqa: E402
from ledger.integrity import verify_store  # noqa: E402

PAGE = 20_000


def build(folder: Path, n: int, algorithm: str) -> str:
    from click.testing import CliRunner

    from commands.cli import cli

    (folder / "ledger.yaml").write_text(f"hash: {algorithm}\n", encoding="utf-8")
    env = {"LEDGER_CONFIG": str(folder / "ledger.yaml"), "LEDGER_ACTOR": "bench"}
    CliRunner().invoke(cli, ["init"], env=env, catch_exceptions=False)
    CliRunner().invoke(cli, ["add-inspection", "XC1", "--name", "n", "--organisation", "o", "--group", "g", "--kind", "regular",
                             "--start", "2019-10-28", "--end", "2019-11-18", "--feedback", "2020-01-14", "--at", "2020-01-14"], env=env, catch_exceptions=False)
    from composition import open_ledger
    from ledger.config import load_config

    app = open_ledger(load_config(folder / "ledger.yaml"))
    state = (b'{"actor":"bench","at":{"_type_":"datetime_iso","_data_":"2020-01-15T00:00:00+00:00"},'
             b'"title":"' + "关于思想认识不深刻的问题".encode() * 8 + b'","timestamp":"2020-01-15T00:00:00+00:00"}')
    batch = 1000
    with sqlite3.connect(folder / "ledger.db") as con:  # the founding event and the inspection
        existing = con.execute("SELECT count(*) FROM stored_events").fetchone()[0]
    for start in range(0, n - existing, batch):
        oid = uuid4()
        events = [StoredEvent(oid, v + 1, "ledger.domain:Problem.Corrected", state) for v in range(min(batch, n - existing - start))]
        app.recorder.insert_events(events)
    app.close()
    return str(folder / "ledger.db")


def _pages(con: sqlite3.Connection, statement: str) -> Iterator[list[tuple]]:
    after = -(2**63)
    while True:
        rows = con.execute(statement, (after, PAGE)).fetchall()
        if rows:
            yield rows
        if len(rows) < PAGE:
            return
        after = rows[-1][0]


EVENTS = "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events WHERE rowid > ? ORDER BY rowid LIMIT ?"
LINKS = "SELECT seq, prev, digest FROM ledger_chain WHERE seq > ? ORDER BY seq LIMIT ?"
NODES = "SELECT rowid, level, idx, hash FROM ledger_merkle WHERE rowid > ? ORDER BY rowid LIMIT ?"
# What `audit --verify` also reads since the row digests (issue 24): every recorded digest and every derived row.
ROW_DIGESTS = "SELECT rowid, seq, tbl, key, ord, digest FROM ledger_row_digests WHERE rowid > ? ORDER BY rowid LIMIT ?"
PROBLEM_ROWS = "SELECT rowid, * FROM ledger_problems WHERE rowid > ? ORDER BY rowid LIMIT ?"
INSPECTION_ROWS = "SELECT rowid, * FROM ledger_inspections WHERE rowid > ? ORDER BY rowid LIMIT ?"


def raw_read(store: str, tables: tuple[str, ...] = (EVENTS, LINKS, NODES)) -> int:
    """Read the rows verification reads with plain sqlite3 and touch every column, nothing else.

    The same rows: every event, every chain link and every tree node (verification
    reads all three), in keyset pages of PAGE rows, in one read transaction; each
    row's columns are unpacked into Python variables. `raw_read(store, (EVENTS,))`
    is the event rows alone.
    """
    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True, isolation_level=None)
    con.execute("BEGIN")
    count = 0
    for statement in tables:
        for rows in _pages(con, statement):
            for row in rows:
                for _value in row:
                    pass
            if statement is EVENTS:
                count += len(rows)
    con.close()
    return count


def cpu_of(fn, *args) -> float:
    """CPU seconds of this process running fn(*args) (one process: no workers)."""
    started = time.process_time()
    fn(*args)
    return time.process_time() - started


def best_of(runs: int, fn, *args):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - started)
    return min(times), result


def main(sizes: list[int]) -> None:
    import tabulate

    from scale import FLOOR, compile_like_an_install, ledger_executable, median_run

    compile_like_an_install()

    rows = []
    for algorithm in ("sha256", "sm3"):
        for n in sizes:
            with tempfile.TemporaryDirectory() as tmp:
                store = build(Path(tmp), n, algorithm)
                size_mb = os.path.getsize(store) / 1e6
                events_s, count = best_of(5, raw_read, store, (EVENTS,))
                raw_s, _ = best_of(5, raw_read, store)
                one_s, (one, _) = best_of(5, lambda: verify_store(store, schema=store_schema(), jobs=1))
                verify_s, (summary, _) = best_of(5, lambda: verify_store(store, schema=store_schema(), jobs=None))  # audit --verify's default
                assert summary.count == one.count == count == n and summary.tree_size == n and summary.tree_root == one.tree_root
                jobs = default_jobs() if n >= PARALLEL_FROM else 1
                rows.append([algorithm, f"{n:,}", f"{size_mb:.1f}", f"{n / events_s:,.0f}", f"{n / raw_s:,.0f}",
                             f"{one_s:.2f} s, {n / one_s:,.0f} ev/s", f"{raw_s / one_s:.2f}×",
                             f"{jobs}", f"{verify_s:.2f} s, {n / verify_s:,.0f} ev/s", f"{raw_s / verify_s:.2f}× (target ≥ 0.6×)", f"{events_s / verify_s:.2f}×"])
                if algorithm == "sha256" and n == sizes[-1]:
                    folder = Path(tmp)
                    floor = median_run(lambda i: FLOOR, folder, 5)
                    add = median_run(lambda i: [ledger_executable(), "add-problem", "--inspection", "XC1", "--category", "c", "--title", f"t{i}"], folder, 5,
                                     {"LEDGER_CONFIG": str(folder / "ledger.yaml")})
                    writes = (floor, add, n)
    print(tabulate.tabulate(rows, headers=["hash", "events", "store MB", "raw read, events only (ev/s)", "raw read, same rows (ev/s)",
                                      "verify --jobs 1", "--jobs 1 / same rows", "default jobs", "verify, default jobs",
                                      "verify (default jobs) / raw read of the same rows", "verify (default jobs) / events only"], disable_numparse=True))
    print(f"\nCPUs: {os.cpu_count()}; load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    floor, add, n = writes
    if isinstance(floor, str) or isinstance(add, str):
        print(f"\nwrite command: {add} / floor {floor}")
    else:
        print(f"\nadd-problem on {n:,} events: {add[0] * 1000:.0f} ms; interpreter + imports floor {floor[0] * 1000:.0f} ms; "
              f"{add[0] / floor[0]:.2f}× floor (target ≤ 1.5×)")


def full_audit(sizes: list[int], rebuild: bool = True) -> None:
    """`audit --verify` as a user runs it (chain, tree, signatures, schema, derived tables, evidence) on a ledger of real acts.

    The ledger is made by bench/generate.py (inspections of 30 problems, about ten events
    each: every aggregate rebuilds as in use); the raw read of the same rows as above is the
    floor, in the same run; `verify_store` alone (the chain and tree) beside it.
    """
    import tabulate

    from generate import PROBLEMS, generate

    from ledger.config import load_config
    from composition import open_ledger
    from projections.verification import verification

    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            (folder / "ledger.yaml").write_text("hash: sha256\n", encoding="utf-8")
            from click.testing import CliRunner

            from commands.cli import cli

            CliRunner().invoke(cli, ["init"], env={"LEDGER_CONFIG": str(folder / "ledger.yaml"), "LEDGER_ACTOR": "bench"}, catch_exceptions=False)
            store = str(folder / "ledger.db")
            per_organisation = 1 + PROBLEMS * 10
            generate(store, max(1, n // per_organisation))
            config = load_config(folder / "ledger.yaml")
            # The same rows `audit --verify` reads: events, links, tree nodes, row digests and the derived rows.
            raw_s, count = best_of(3, raw_read, store, (EVENTS, LINKS, NODES, ROW_DIGESTS, PROBLEM_ROWS, INSPECTION_ROWS))
            chain_s, _ = best_of(3, lambda: verify_store(store, schema=store_schema(), jobs=None))

            def audit_verify() -> dict:
                app = open_ledger(config)
                try:
                    return verification(config, jobs=None, app=lambda: app, schema=store_schema(), open_app=lambda: open_ledger(config))[0]
                finally:
                    app.close()

            full_s, record = best_of(3, audit_verify)
            assert record["derived_tables"] == "match"

            def audit_verify_full() -> dict:
                app = open_ledger(config)
                try:
                    return verification(config, jobs=None, app=lambda: app, schema=store_schema(), full=True)[0]
                finally:
                    app.close()

            # CPU time of one process (--jobs 1) beside the raw read's: on a busy machine wall times swing by half
            # from run to run, CPU times far less.
            def audit_verify_one() -> dict:
                app = open_ledger(config)
                try:
                    return verification(config, jobs=1, app=lambda: app, schema=store_schema())[0]
                finally:
                    app.close()

            raw_cpu = min(cpu_of(raw_read, store, (EVENTS, LINKS, NODES, ROW_DIGESTS, PROBLEM_ROWS, INSPECTION_ROWS)) for _ in range(3))
            one_cpu = min(cpu_of(audit_verify_one) for _ in range(2))
            rebuild_s, _ = best_of(1, audit_verify_full) if rebuild else (None, None)
            load = os.getloadavg()[0]
            rows.append([f"{count:,}", f"{count / raw_s:,.0f}", f"{chain_s:.2f} s, {count / chain_s:,.0f} ev/s",
                         f"{full_s:.2f} s, {count / full_s:,.0f} ev/s (target ≥ 100,000)", f"{raw_s / full_s:.2f}×",
                         f"{one_cpu:.2f} s, {count / one_cpu:,.0f} ev/s; raw read {raw_cpu:.2f} s, {raw_cpu / one_cpu:.2f}×",
                         f"{rebuild_s:.2f} s, {count / rebuild_s:,.0f} ev/s" if rebuild_s else "not run", f"{load:.2f}"])
    print()
    print(tabulate.tabulate(rows, headers=["events (generate.py)", "raw read, same rows (ev/s)", "chain and tree (verify_store)",
                                           "audit --verify, every check (row digests)", "audit --verify / raw read",
                                           "CPU of audit --verify --jobs 1 (÷ raw read's CPU)",
                                           "audit --verify --full (rebuild)", "load average (1 min)"], disable_numparse=True))
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--full"]:
        rest = sys.argv[2:]
        full_audit([int(a) for a in rest if a != "--no-rebuild"] or [100_000], rebuild="--no-rebuild" not in rest)
    else:
        main([int(a) for a in sys.argv[1:]] or [100_000])
