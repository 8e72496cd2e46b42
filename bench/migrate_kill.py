"""Kill `ledger migrate` and run it again, many times: how many resumed migrations verify (issue 28).

One SQLite ledger is made once (bench/generate.py, several batches of
ledger.migration.BATCH events). Each round migrates it into a fresh database
on a throw-away PostgreSQL server (tests/pgserver.py, fsync on), in real
`ledger` processes:

* the first run is stopped dead at a random point: half the rounds with SIGKILL
  after a random delay (anywhere in the run, as a user's kill -9 or a power cut
  of the client would land), half at a random named fault point of
  ledger/migration.py (LEDGER_TEST_FAULT: inside a batch's transaction after
  its positions are taken, between batches, between the events and the
  tables, among the tables), which a timer rarely hits exactly;
* then, one time in three, the resumed run is killed again the same way;
* then the command runs to the end; the round counts as verified when it exits
  0 saying "verified" and `ledger audit --verify` passes on the target.

Usage: .venv/bin/python bench/migrate_kill.py [--rounds 50] [--organisations 10] [--seed N]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

FAULTS = ("in-batch", "after-batch", "after-events", "after-table")


def executable() -> str:
    found = Path(sys.executable).parent / "ledger"
    return str(found) if found.exists() else "ledger"


def env_for(folder: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(LEDGER_CONFIG=str(folder / "ledger.yaml"), LEDGER_ACTOR="clerk", LEDGER_LANG="en", **extra)
    return env


def migrate(folder: Path, url: str, **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [executable(), "migrate", "--to", url], cwd=folder, env=env_for(folder, **extra),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def killed_run(folder: Path, url: str, rng: random.Random, batches: int, full_seconds: float) -> str:
    """One run stopped dead; returns how."""
    if rng.random() < 0.5:
        delay = rng.uniform(0, full_seconds)
        process = migrate(folder, url)
        try:
            process.wait(timeout=delay)
            return f"finished before the kill at {delay:.2f}s"
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.communicate()
            return f"SIGKILL at {delay:.2f}s"
    point = rng.choice(FAULTS)
    fault = point if point == "after-events" else f"{point}:{rng.randint(1, batches if 'batch' in point else 3)}"
    process = migrate(folder, url, LEDGER_TEST_FAULT=fault)
    process.communicate()
    return f"{fault} (exit {process.returncode})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--organisations", type=int, default=10)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    rng = random.Random(seed)

    import generate
    from pgserver import PgServer, find_bin_dir

    from ledger.migration import BATCH

    bin_dir = find_bin_dir()
    if bin_dir is None:
        print("PostgreSQL binaries not installed: bash scripts/install-postgres", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="migrate-kill-"))
    server = PgServer(bin_dir, durable=True)
    server.start()
    try:
        source = work / "source"
        source.mkdir()
        subprocess.run([executable(), "init"], cwd=source, env=env_for(source), check=True, capture_output=True)
        subprocess.run(
            [sys.executable, str(REPO / "bench" / "generate.py"), "--store", str(source / "ledger.db"), "--organisations", str(args.organisations)],
            check=True, capture_output=True,
        )
        events = 1 + args.organisations * generate.events_per_organisation()
        batches = -(-events // BATCH)
        started = time.monotonic()
        first = migrate(source, server.url(server.create_database()))
        out, err = first.communicate()
        full_seconds = time.monotonic() - started
        if first.returncode != 0:
            print(f"an uninterrupted migration failed: {err.strip()}", file=sys.stderr)
            return 1
        print(f"seed {seed}; {events} events in {batches} batches; an uninterrupted migration takes {full_seconds:.1f}s")
        verified = stopped = 0
        for n in range(1, args.rounds + 1):
            name = server.create_database()
            url = server.url(name)
            how = [killed_run(source, url, rng, batches, full_seconds)]
            if rng.random() < 1 / 3:
                how.append(killed_run(source, url, rng, batches, full_seconds))
            final = migrate(source, url)
            out, err = final.communicate()
            ok = final.returncode == 0 and "verified" in out
            if ok:
                audit = subprocess.run([executable(), "audit", "--verify"], cwd=source, env=env_for(source, LEDGER_STORE=url), capture_output=True, text=True)
                ok = audit.returncode == 0
                err = audit.stderr
            verified += ok
            stopped += any("SIGKILL" in h or "exit 137" in h for h in how)  # a late kill or a point past the copy stops nothing
            server.drop_database(name)
            print(f"round {n:2}: {' then '.join(how)}: {'verified' if ok else 'FAILED: ' + err.strip()}", flush=True)
        print(f"{verified} of {args.rounds} resumed migrations verified (and passed audit --verify on the target); {stopped} of the {args.rounds} were stopped at least once")
        return 0 if verified == args.rounds else 1
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
