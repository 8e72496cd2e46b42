"""Many offices writing at once, on both stores: nothing lost, nothing doubled."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from conftest import REPO, Ledger, run_executable
from consistency import missing_checks, read_models_equal_replay

WORKERS = 4
COMMANDS = 250
SHARED = 4  # problems every writer plans measures on

WRITER = Path(__file__).resolve().parent / "concurrent_writer.py"


def start_writers(ledger: Ledger, go: Path) -> list[subprocess.Popen[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_") or k == "LEDGER_LANG"}
    env.update(ledger.env)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(REPO / "tests")])
    return [
        subprocess.Popen(
            [sys.executable, str(WRITER), str(w), str(COMMANDS), str(go)],
            cwd=ledger.folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for w in range(WORKERS)
    ]


@pytest.mark.slow
def test_four_writers_250_commands_each_on_the_same_problems(inspected: Ledger, tmp_path: Path) -> None:
    for n in range(1, SHARED + 1):
        inspected("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", f"共同{n}", "--at", "2020-01-15")
    go = tmp_path / "go"
    writers = start_writers(inspected, go)
    go.write_text("go")
    summaries = []
    for w in writers:
        out, err = w.communicate(timeout=900)
        assert w.returncode == 0, err
        summaries.append(json.loads(out))
    failed = [f for s in summaries for f in s["failed"]]
    assert not failed, failed[:5]
    assert sum(s["ok"] for s in summaries) == WORKERS * COMMANDS

    adds = WORKERS * len([i for i in range(COMMANDS) if i % 5 == 0])
    plans = WORKERS * COMMANDS - adds
    # No event lost or duplicated.
    topics = Counter(t.rsplit(".", 1)[-1] for (t,) in inspected.query("SELECT topic FROM stored_events"))
    assert topics["Registered"] == 1 + SHARED + adds
    assert topics["MeasurePlanned"] == plans
    assert topics["LedgerFounded"] == 1  # `ledger init`'s founding event
    assert sum(topics.values()) == 1 + 1 + SHARED + adds + plans
    # Every measure text exactly once, on the problem it was meant for.
    status = {p["id"]: p for p in inspected.json("status")}
    texts = Counter()
    for n in range(1, SHARED + 1):
        view = inspected.json("show", f"XC2019-1-{n}")
        ids = [m["id"] for m in view["measures"]]
        assert ids == [f"M{k}" for k in range(1, len(ids) + 1)]
        texts.update((n, m["text"]) for m in view["measures"])
    expected = Counter(
        (i % 4 + 1, f"w{w}-{i}") for w in range(WORKERS) for i in range(COMMANDS) if i % 5 != 0
    )
    assert texts == expected
    # Problem numbers unique and without gaps.
    numbers = sorted(int(i.rsplit("-", 1)[1]) for i in status)
    assert numbers == list(range(1, SHARED + adds + 1))
    titles = Counter(p["title"] for p in status.values())
    assert all(c == 1 for c in titles.values())
    # Read models equal a full replay; chain and replay agree where present.
    assert read_models_equal_replay(inspected) == SHARED + adds
    missing = missing_checks(inspected)
    if missing:
        pytest.skip(f"all else held; not checked, missing in this build: {', '.join(missing)}")


def hold_write_lock(ledger: Ledger):  # type: ignore[no-untyped-def]
    """Another writer in the middle of a long transaction."""
    if ledger.kind == "sqlite":
        con = sqlite3.connect(ledger.folder / "ledger.db", isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
        return con
    import psycopg

    from ledger.store import parse_pg_url

    con = psycopg.connect(**parse_pg_url(ledger.store).conninfo())  # type: ignore[arg-type]
    con.execute("LOCK TABLE stored_events IN EXCLUSIVE MODE")
    return con


def test_a_command_blocked_by_another_writer_exits_3_and_succeeds_on_retry(inspected: Ledger) -> None:
    add = ["add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", "t", "--at", "2020-01-15"]
    env = {**inspected.env, "LEDGER_LOCK_TIMEOUT": "1"}
    con = hold_write_lock(inspected)
    try:
        result = run_executable(*add, cwd=inspected.folder, env=env)
    finally:
        con.rollback()
        con.close()
    assert result.returncode == 3, (result.returncode, result.stderr)
    assert result.stderr.count("\n") == 1 and "try again" in result.stderr and "Traceback" not in result.stderr
    assert inspected.query("SELECT COUNT(*) FROM ledger_problems") == [(0,)]
    retry = run_executable(*add, cwd=inspected.folder, env=env)
    assert retry.returncode == 0, retry.stderr
    assert retry.stdout.strip() == "XC2019-1-1"


def test_bad_lock_timeout_is_a_config_error(inspected: Ledger) -> None:
    result = run_executable("status", cwd=inspected.folder, env={**inspected.env, "LEDGER_LOCK_TIMEOUT": "soon"})
    assert result.returncode == 2 and "LEDGER_LOCK_TIMEOUT" in result.stderr
