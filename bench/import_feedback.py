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

LEDGER = str(Path(sys.executable).parent / "ledger")


def write_list(path: Path, n: int) -> None:
    lines = ["inspection,inspection_name,organisation,group,kind,start,end,feedback,number,category,title,type,deadline,lead,unit,person,measure,measure_due"]
    for i in range(1, n + 1):
        head = "BIG-1,大规模巡察,某局党组,第一巡察组,regular,2020-01-01,2020-02-01,2020-03-01" if i == 1 else ",,,,,,,"
        lines.append(f"{head},{i},类别{i % 7},关于“问题{i}”的问题,deadline,2020-12-31,领导{i % 13},单位{i % 17},责任人{i % 101},措施{i},2020-10-31")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


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
            write_list(folder / "list.csv", n)
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
