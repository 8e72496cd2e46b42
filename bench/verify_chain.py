"""How fast `ledger audit --verify` recomputes the hash chain on SQLite.

Builds ledgers of N events (stored through the ledger's own recorder, so the
chain is written exactly as in use), then times verification and prints a
table. Usage: .venv/bin/python bench/verify_chain.py [N ...]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from uuid import uuid4

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eventsourcing.persistence import StoredEvent  # noqa: E402

from ledger.integrity import verify_store  # noqa: E402


def build(folder: Path, n: int, algorithm: str) -> str:
    from click.testing import CliRunner

    from commands.cli import cli

    (folder / "ledger.yaml").write_text(f"hash: {algorithm}\n", encoding="utf-8")
    env = {"LEDGER_CONFIG": str(folder / "ledger.yaml"), "LEDGER_ACTOR": "bench"}
    CliRunner().invoke(cli, ["init"], env=env, catch_exceptions=False)
    from ledger.application import open_ledger
    from ledger.config import load_config

    app = open_ledger(load_config(folder / "ledger.yaml"))
    state = (b'{"actor":"bench","at":{"_type_":"datetime_iso","_data_":"2020-01-15T00:00:00+00:00"},'
             b'"title":"' + "关于思想认识不深刻的问题".encode() * 8 + b'","timestamp":"2020-01-15T00:00:00+00:00"}')
    batch = 1000
    for start in range(0, n, batch):
        oid = uuid4()
        events = [StoredEvent(oid, v + 1, "ledger.domain:Problem.Corrected", state) for v in range(min(batch, n - start))]
        app.recorder.insert_events(events)
    app.close()
    return str(folder / "ledger.db")


def main(sizes: list[int]) -> None:
    import tabulate

    rows = []
    for algorithm in ("sha256", "sm3"):
        for n in sizes:
            with tempfile.TemporaryDirectory() as tmp:
                store = build(Path(tmp), n, algorithm)
                size_mb = os.path.getsize(store) / 1e6
                started = time.perf_counter()
                summary, _ = verify_store(store)
                seconds = time.perf_counter() - started
                assert summary.count == n
                rows.append([algorithm, n, f"{size_mb:.1f}", f"{seconds:.2f}", f"{n / seconds:,.0f}"])
    print(tabulate.tabulate(rows, headers=["hash", "events", "store MB", "verify s", "events/s"], disable_numparse=True))


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100_000, 300_000])
