"""What the reading commands' checks cost (docs/tamper-evidence.md, "What a reading command checks before it prints").

    .venv/bin/python bench/shown_checks.py --ledger /var/tmp/trust5-bench/sqlite-1000000/ledger.yaml
    .venv/bin/python bench/shown_checks.py --ledger LEDGER.yaml --problem XC2019-1-1

With --ledger (a ledger.yaml; bench/scale.py makes a 1M-event one): the stored-row check of `show` (one row),
a terminal's `status` (30 rows), the 2,000 rows `status` checks at most, and every row (what checking a whole
province's listing would cost), each the median of several runs in one process. With --problem: that problem's
events read and decoded, beside read, checked (chain links and signatures) and decoded (`history`).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def median_ms(work, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ledger", required=True, help="the ledger.yaml of the ledger to read")
    parser.add_argument("--problem", default=None, help="a problem whose history's check is timed")
    args = parser.parse_args()

    from composition import ledger_over
    from ledger.config import load_config
    from ledger.store import store_env
    from projections.read_model_check import CHECKED_ROWS, check_shown_rows
    from projections.replay import iter_events, iter_stored, verified_events

    config = load_config(args.ledger)
    app = ledger_over(env=store_env(config.store, create=False), policy=config.policy)
    if args.problem:
        ident = app.get_problem(args.problem).id
        events = len(list(iter_stored(app, ids=[ident])))
        plain = median_ms(lambda: list(iter_events(app, ids=[ident])), 20)
        checked = median_ms(lambda: verified_events(app, [ident]), 20)
        print(f"| history {args.problem} ({events} events): read and decoded | {plain:.1f} ms |")
        print(f"| the same, each event's chain link and signature checked first | {checked:.1f} ms |")
        return
    with app.recorder.reading() as c:
        c.execute("SELECT id FROM ledger_problems ORDER BY position")
        ids = [r[0] for r in c.fetchall()]
        middle = len(ids) // 2
        for label, keys, runs in (("one row (`show`)", ids[middle:middle + 1], 30), ("30 rows (`status` on a terminal)", ids[middle:middle + 30], 20),
                                  (f"{CHECKED_ROWS:,} rows (the most `status` checks)", ids[middle:middle + CHECKED_ROWS], 5),
                                  (f"every row ({len(ids):,})", ids, 1)):
            print(f"| stored rows checked against their digests and covering links: {label} | {median_ms(lambda: check_shown_rows(app, c, 'ledger_problems', keys), runs):.1f} ms |")


if __name__ == "__main__":
    main()
