"""What the progress bar costs (issue 29): the long work with and without its progress callback, and before it existed.

Builds one ledger of about N events (bench/generate.py: real inspections and problems), then, in the same
run, times each piece of long work in fresh processes, interleaved, best of R:

* old: the code before progress reporting (a source tree given with --old, e.g.
  `git archive <commit> | tar -x -C /tmp/old`), with no callback;
* new: this tree's code with no callback (a pipe, --format json, --quiet);
* new + bar: this tree's code with a callback that does what the bar's does each
  report (the drawing is click's and happens a few times a second at most).

The work: `verify_store` (audit --verify, doctor) with --jobs 1 and the default
jobs, `export_store` (export), `check_read_models` (replay, publish --round) and
`as_of_connection` (sheet and publish --round with --as-of: `--work as-of`). Target: new and
new + bar within 2 % of old.

On a busy machine the timings of whole runs vary by more than 2 %; the last line
therefore also measures the bar itself, noise-free: the real bar of
commands/progress.py drawing on a pseudo-terminal, per report, times the reports
each piece of work made, as a share of its old time.

Usage: .venv/bin/python bench/progress_cost.py --old /tmp/old [--events 100000] [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

PROBE = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
import ledger
assert ledger.__file__.startswith(sys.argv[1]), ledger.__file__
work, store, with_bar = sys.argv[2], sys.argv[3], sys.argv[4] == "1"
calls = []
def report(done, total):
    calls.append((done, total))
kwargs = {"progress": report} if with_bar else {}
started = time.perf_counter()
if work.startswith("verify"):
    from ledger.integrity import verify_store
    try:  # a tree with the composition root: the schema check is given what `ledger init` makes
        from composition import store_schema
        kwargs["schema"] = store_schema()
    except ImportError:
        pass
    verify_store(store, jobs=1 if work == "verify-1" else None, **kwargs)
elif work == "export":
    from pathlib import Path
    from ledger.export import export_store
    export_store(store, Path(store).with_name("out.jsonl"), **kwargs)
elif work == "replay":
    from pathlib import Path
    from composition import open_ledger
    from ledger.config import load_config
    from projections.read_model_check import check_read_models
    config = load_config(Path(store).with_name("ledger.yaml"))
    app = open_ledger(config)
    check_read_models(app, config, None, **kwargs)
elif work == "as-of":  # sheet --as-of, publish --round --as-of
    from datetime import datetime, timezone
    from pathlib import Path
    from composition import open_ledger
    from ledger.config import load_config
    from projections.replay import as_of_connection
    app = open_ledger(load_config(Path(store).with_name("ledger.yaml")))
    as_of_connection(app, datetime.now(timezone.utc), **kwargs).close()
print(json.dumps({"seconds": time.perf_counter() - started, "reports": len(calls)}))
"""


def timed(tree: Path, work: str, store: str, with_bar: bool) -> tuple[float, int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env["LEDGER_CONFIG"] = str(Path(store).with_name("ledger.yaml"))
    done = subprocess.run([sys.executable, "-c", PROBE, str(tree), work, store, "1" if with_bar else "0"],
                          capture_output=True, text=True, env=env, cwd=Path(store).parent, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["seconds"], result["reports"]


def bar_cost(reports: int = 2000) -> float:
    """Seconds per report of the real bar (commands/progress.py), drawing on a pseudo-terminal."""
    import pty
    import threading
    import time

    from commands import progress

    primary, secondary = pty.openpty()
    drain = threading.Thread(target=lambda: [os.read(primary, 65536) for _ in iter(int, 1)], daemon=True)
    drain.start()
    saved = sys.stderr
    sys.stderr = open(secondary, "w", encoding="utf-8", closefd=False)
    try:
        started = time.perf_counter()
        with progress.progress("verifying the chain and the tree") as report:
            assert report is not None
            for done in range(reports):
                report(done, reports)
        return (time.perf_counter() - started) / reports
    finally:
        sys.stderr = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", required=True, help="a source tree of the code before progress reporting")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--work", default="verify-1,verify,export,replay")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE.parent))
    sys.path.insert(0, str(HERE))
    import generate

    new = HERE.parent
    with tempfile.TemporaryDirectory() as tmp:
        store = str(Path(tmp) / "ledger.db")
        (Path(tmp) / "ledger.yaml").write_text("store: ledger.db\n", encoding="utf-8")
        env = {**os.environ, "LEDGER_CONFIG": str(Path(tmp) / "ledger.yaml"), "LEDGER_ACTOR": "bench"}
        subprocess.run([str(Path(sys.executable).parent / "ledger"), "init"], env=env, capture_output=True, check=True)
        os.environ.setdefault("LEDGER_ACTOR", "bench")
        generate.generate(store, max(1, args.events // generate.events_per_organisation()))
        print(f"{args.events:,} events; CPUs {os.cpu_count()}; best of {args.runs}, interleaved")
        print(f"{'work':<10} {'old s':>8} {'new s':>8} {'new+bar s':>10} {'new/old':>8} {'bar/old':>8} {'reports':>8}")
        per_report = bar_cost()
        shares = []
        for work in args.work.split(","):
            best = {"old": float("inf"), "new": float("inf"), "bar": float("inf")}
            reports = 0
            for _ in range(args.runs):
                best["old"] = min(best["old"], timed(Path(args.old), work, store, False)[0])
                best["new"] = min(best["new"], timed(new, work, store, False)[0])
                seconds, reports = timed(new, work, store, True)
                best["bar"] = min(best["bar"], seconds)
            shares.append(f"{work} {reports * per_report / best['old'] * 100:.3f} %")
            print(f"{work:<10} {best['old']:>8.3f} {best['new']:>8.3f} {best['bar']:>10.3f} {best['new'] / best['old']:>8.3f} {best['bar'] / best['old']:>8.3f} {reports:>8}")
        print(f"the bar itself: {per_report * 1e6:.0f} µs a report on a pseudo-terminal; reports × that / old time: {', '.join(shares)}")
        print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
