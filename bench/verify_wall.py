"""Wall time of the installed `ledger audit --verify` (every check, default processes, and --jobs 1) on an existing
ledger, beside the raw read of the same rows in the same run (bench/verify_chain.py's raw_read), best of 2.

    .venv/bin/python bench/verify_wall.py FOLDER      # FOLDER holds ledger.yaml and ledger.db (bench/generate.py)

Issue 24's target: ≥ 100,000 events/s at 1M events. Run it on a quiet machine: the default splits the chain over
the idle CPUs and checks signatures, derived rows and evidence beside it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from verify_chain import EVENTS, INSPECTION_ROWS, LINKS, NODES, PROBLEM_ROWS, ROW_DIGESTS, raw_read  # noqa: E402

LEDGER = str(Path(sys.executable).parent / "ledger")


def best(fn, n: int = 2):
    times, out = [], None
    for _ in range(n):
        started = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - started)
    return min(times), out


def main(folder: str) -> None:
    store = os.path.join(folder, "ledger.db")
    env = {**os.environ, "LEDGER_CONFIG": os.path.join(folder, "ledger.yaml"), "LEDGER_LANG": "en"}
    raw, count = best(lambda: raw_read(store, (EVENTS, LINKS, NODES, ROW_DIGESTS, PROBLEM_ROWS, INSPECTION_ROWS)))
    print(f"raw read of the same rows: {raw:.2f} s, {count / raw:,.0f} events/s (load {os.getloadavg()[0]:.2f})", flush=True)
    for args in (["audit", "--verify"], ["audit", "--verify", "--jobs", "1"]):
        wall, done = best(lambda: subprocess.run([LEDGER, *args], env=env, capture_output=True, text=True))
        assert done.returncode == 0, done.stderr
        print(f"ledger {' '.join(args)}: {wall:.2f} s, {count / wall:,.0f} events/s, {raw / wall:.2f}× the raw read "
              f"(target ≥ 100,000 events/s at 1M) (load {os.getloadavg()[0]:.2f})", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
