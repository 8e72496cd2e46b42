"""The write side's in-transaction hook: writers registered once, called in the insert transaction, all or nothing."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ledger import store

REPO = Path(__file__).resolve().parent.parent


def test_only_the_wiring_module_of_the_write_side_imports_the_read_side():
    offenders = []
    for path in sorted((REPO / "ledger").glob("*.py")):
        if path.name in ("wiring.py", "__main__.py"):  # the wiring, and `python -m ledger` (the CLI)
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names] if isinstance(node, ast.Import) else []
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("projections", "commands")]
    assert offenders == []


@pytest.fixture
def extra_writer():
    """A second in-transaction writer, registered with one line, as an index over the log would be."""
    calls: list[list[int]] = []

    def writer(cursor, stored_events, positions, kwargs, placeholder):
        calls.append(list(positions))
        cursor.executemany(
            f"INSERT INTO test_hook_log (seq) VALUES ({placeholder})", [(p,) for p in positions]
        )
        if any(e.topic.endswith("Problem.Registered") and b"boom" in e.state for e in stored_events):
            raise RuntimeError("writer failed")

    store.register_in_transaction_writer("test_hook", writer, schema=["CREATE TABLE IF NOT EXISTS test_hook_log (seq INTEGER PRIMARY KEY)"])
    yield calls
    del store.IN_TRANSACTION_WRITERS["test_hook"]


def test_registered_writer_runs_in_the_insert_transaction(ledger, extra_writer):
    ledger("init")  # creates the registered table in an existing store
    from tests.conftest import INSPECTION

    ledger(*INSPECTION)
    ledger("add-problem", "--inspection", "XC2019-1", "--category", "c", "--title", "t", "--at", "2020-01-15")
    assert [r[0] for r in ledger.query("SELECT seq FROM test_hook_log ORDER BY seq")] == [seq for batch in extra_writer for seq in batch]
    before = ledger.query("SELECT COUNT(*) FROM stored_events")[0][0]
    with pytest.raises(RuntimeError):
        ledger("add-problem", "--inspection", "XC2019-1", "--category", "c", "--title", "boom", "--at", "2020-01-15")
    # All or nothing: neither the event, nor its chain link, nor its read model, nor the writer's row.
    assert ledger.query("SELECT COUNT(*) FROM stored_events")[0][0] == before
    assert ledger.query("SELECT COUNT(*) FROM ledger_chain")[0][0] == before
    assert ledger.query("SELECT COUNT(*) FROM test_hook_log")[0][0] == before - 1  # the founding event came before the writer
    assert ledger.query("SELECT COUNT(*) FROM ledger_problems")[0][0] == 1
    ledger("audit", "--verify")
