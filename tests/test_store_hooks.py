"""The write side's in-transaction hook: writers given by the composition root, called in the insert transaction, all or nothing."""

from __future__ import annotations

import pytest


def test_the_write_side_is_given_its_writers_not_assigned_them():
    """No hook is filled by assignment at run time: the recorder's writers are what its constructor was given."""
    from composition import in_transaction_writers
    from ledger.store import LedgerRecorderMixin, LedgerSQLiteRecorder

    assert LedgerRecorderMixin.writers == () and "writers" not in vars(LedgerSQLiteRecorder)
    assert [w.name for w in in_transaction_writers()] == ["read_models", "similarity_index", "problem_links", "merkle_tree"]


@pytest.fixture
def extra_writer(monkeypatch):
    """One more in-transaction writer, added in the composition root with one line, as an index over the log would be."""
    import composition
    from ledger.store import InTransactionWriter

    calls: list[list[int]] = []

    def writer(cursor, stored_events, positions, kwargs, placeholder):
        calls.append(list(positions))
        cursor.executemany(
            f"INSERT INTO test_hook_log (seq) VALUES ({placeholder})", [(p,) for p in positions]
        )
        if any(e.topic.endswith("Problem.Registered") and b"boom" in e.state for e in stored_events):
            raise RuntimeError("writer failed")

    wired = composition.in_transaction_writers
    hook = InTransactionWriter("test_hook", writer, ("CREATE TABLE IF NOT EXISTS test_hook_log (seq INTEGER PRIMARY KEY)",))
    monkeypatch.setattr(composition, "in_transaction_writers", lambda: (*wired(), hook))
    return calls


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
