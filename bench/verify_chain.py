"""How fast `ledger audit --verify` recomputes the hash chain and the Merkle tree on SQLite.

Builds ledgers of N events (stored through the ledger's own recorder, so the
chain and the tree are written exactly as in use), then, in the same run:

* raw read: plain sqlite3 reading the same event rows in the same keyset pages,
  doing nothing with them (the floor any verification stands on);
* verify: the chain recomputed and every stored tree node checked (what
  `audit --verify` does), as events/s and as a ratio to the raw read
  (target ≥ 0.6×);
* write commands (`add-problem`, the installed executable, median of 5) against
  the interpreter-plus-imports floor of bench/scale.py (target ≤ 1.5×).

Usage: .venv/bin/python bench/verify_chain.py [N ...]     (default 100000)
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from uuid import uuid4

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from eventsourcing.persistence import StoredEvent  # noqa: E402

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
    from ledger.application import open_ledger
    from ledger.config import load_config

    app = open_ledger(load_config(folder / "ledger.yaml"))
    state = (b'{"actor":"bench","at":{"_type_":"datetime_iso","_data_":"2020-01-15T00:00:00+00:00"},'
             b'"title":"' + "关于思想认识不深刻的问题".encode() * 8 + b'","timestamp":"2020-01-15T00:00:00+00:00"}')
    batch = 1000
    for start in range(0, n - 1, batch):
        oid = uuid4()
        events = [StoredEvent(oid, v + 1, "ledger.domain:Problem.Corrected", state) for v in range(min(batch, n - 1 - start))]
        app.recorder.insert_events(events)
    app.close()
    return str(folder / "ledger.db")


def raw_read(store: str) -> int:
    """Read every event row as verification does (keyset pages, one read transaction), and nothing else."""
    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True, isolation_level=None)
    con.execute("BEGIN")
    count, after = 0, -1
    while True:
        rows = con.execute(
            "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events WHERE rowid > ? ORDER BY rowid LIMIT ?", (after, PAGE)
        ).fetchall()
        count += len(rows)
        if len(rows) < PAGE:
            break
        after = rows[-1][0]
    con.close()
    return count


def best_of(runs: int, fn, *args):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - started)
    return min(times), result


def main(sizes: list[int]) -> None:
    import tabulate

    from scale import FLOOR, ledger_executable, median_run

    rows = []
    for algorithm in ("sha256", "sm3"):
        for n in sizes:
            with tempfile.TemporaryDirectory() as tmp:
                store = build(Path(tmp), n, algorithm)
                size_mb = os.path.getsize(store) / 1e6
                raw_s, count = best_of(3, raw_read, store)
                verify_s, (summary, _) = best_of(3, verify_store, store)
                assert summary.count == count == n and summary.tree_size == n
                ratio = (n / verify_s) / (n / raw_s)
                rows.append([algorithm, f"{n:,}", f"{size_mb:.1f}", f"{n / raw_s:,.0f}", f"{verify_s:.2f}", f"{n / verify_s:,.0f}",
                             f"{ratio:.2f}× (target ≥ 0.6×)"])
                if algorithm == "sha256" and n == sizes[-1]:
                    folder = Path(tmp)
                    floor = median_run(lambda i: FLOOR, folder, 5)
                    add = median_run(lambda i: [ledger_executable(), "add-problem", "--inspection", "XC1", "--category", "c", "--title", f"t{i}"], folder, 5,
                                     {"LEDGER_CONFIG": str(folder / "ledger.yaml")})
                    writes = (floor, add, n)
    print(tabulate.tabulate(rows, headers=["hash", "events", "store MB", "raw read events/s", "verify s", "verify events/s", "verify / raw read"], disable_numparse=True))
    floor, add, n = writes
    if isinstance(floor, str) or isinstance(add, str):
        print(f"\nwrite command: {add} / floor {floor}")
    else:
        print(f"\nadd-problem on {n:,} events: {add[0] * 1000:.0f} ms; interpreter + imports floor {floor[0] * 1000:.0f} ms; "
              f"{add[0] / floor[0]:.2f}× floor (target ≤ 1.5×)")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100_000])
