"""How long `ledger import` takes for feedback lists of growing size (prints a table).

Run: .venv/bin/python bench/import_feedback.py [SIZES…]   (default 1000 5000 10000)
Each size is imported into a fresh ledger (real SQLite file) through the
installed executable, then imported again (idempotent: nothing added).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tabulate import tabulate

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from big_feedback import write_big_csv  # noqa: E402

LEDGER = str(Path(sys.executable).parent / "ledger")


def timed(*args: str, cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run([LEDGER, *args], cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return elapsed


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 5000, 10000]
    rows = []
    for n in sizes:
        folder = Path(tempfile.mkdtemp(prefix="ledger-bench-"))
        try:
            write_big_csv(folder / "list.csv", n)
            timed("init", cwd=folder)
            first = timed("import", "list.csv", cwd=folder)
            again = timed("import", "list.csv", cwd=folder)
            check = subprocess.run([LEDGER, "reconcile", "list.csv"], cwd=folder, capture_output=True)
            start = time.perf_counter()
            subprocess.run([LEDGER, "reconcile", "list.csv"], cwd=folder, capture_output=True)
            reconcile = time.perf_counter() - start
            size_mb = (folder / "ledger.db").stat().st_size / 1e6
            rows.append([n, 3 * n + 1, f"{first:.2f}", f"{n / first:.0f}", f"{again:.2f}", f"{reconcile:.2f}", check.returncode, f"{size_mb:.1f}"])
        finally:
            shutil.rmtree(folder)
    print(tabulate(rows, headers=["problems", "events", "import s", "problems/s", "re-import s", "reconcile s", "reconcile exit", "db MB"]))


if __name__ == "__main__":
    main()
