"""The chain's fast pass and slice pass of this tree against another checkout's, on the same store.

For a change to ledger/chain.py: both versions run interleaved in one process over
the same ledger of N events (built as bench/verify_chain.py builds it), best of 7
each, timed in CPU time of this process (wall time on a shared machine varies more
than the difference looked for); their results must be equal.

Usage: .venv/bin/python bench/verify_chain_ab.py OTHER_CHECKOUT [N]     (default 100000)
       e.g. git worktree add /tmp/main-tree main --detach; .venv/bin/python bench/verify_chain_ab.py /tmp/main-tree
"""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "tests")]

from verify_chain import build  # noqa: E402

import ledger.chain as this  # noqa: E402


def other_chain(checkout: Path):
    spec = importlib.util.spec_from_file_location("other_chain", checkout / "ledger" / "chain.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["other_chain"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def main(checkout: Path, n: int) -> None:
    other = other_chain(checkout)
    for algorithm in ("sha256", "sm3"):
        with tempfile.TemporaryDirectory() as tmp:
            store = build(Path(tmp), n, algorithm)
            con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
            positions = [r[0] for r in con.execute("SELECT rowid FROM stored_events ORDER BY rowid")]
            bits, size = this.SLICE_BITS, len(positions)
            unit = 1 << bits
            units = [(f, min(unit, size - f), positions[f - 1] if f else this.LOWEST, positions[min(f + unit, size) - 1]) for f in range(0, size, unit)]
            best: dict[tuple[str, str], float] = {}
            found: dict[tuple[str, str], tuple] = {}
            for _ in range(7):
                for name, chain in (("other", other), ("this", this)):
                    start = time.process_time()
                    passed = chain.fast_pass(con, algorithm, "?", "rowid", True)
                    best["fast", name] = min(best.get(("fast", name), float("inf")), time.process_time() - start)
                    found["fast", name] = (passed.count, passed.head_digest, passed.tree_root, passed.recorded, list(passed.positions))
                    start = time.process_time()
                    part = chain.slice_pass(con, algorithm, "?", "rowid", True, units, bits)
                    best["slice", name] = min(best.get(("slice", name), float("inf")), time.process_time() - start)
                    found["slice", name] = (part.count, part.head_digest, part.roots, part.pending, part.recorded)
            con.close()
            for kind in ("fast", "slice"):
                assert found[kind, "other"] == found[kind, "this"], f"{kind}_pass: the two versions differ"
                was, now = best[kind, "other"], best[kind, "this"]
                print(f"{algorithm} {n:,} events {kind}_pass: other {was:.3f} s ({n / was:,.0f} ev/s), "
                      f"this {now:.3f} s ({n / now:,.0f} ev/s), this/other {now / was:.3f}; same results")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 100_000)
