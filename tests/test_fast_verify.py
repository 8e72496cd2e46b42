"""`audit --verify` reads the store in one fast streaming pass and falls back to the careful,
event-by-event check whenever the fast pass meets anything it does not vouch for.

The fast pass must never accept what the careful check refuses: every tampering below
must make it defer (and the careful check then names it), on both stores.
"""

from __future__ import annotations

import pytest

import ledger.chain as chain
import ledger.integrity as integrity
from composition import store_schema
from ledger.errors import TamperingFound


def add(ledger, n: int) -> None:
    for i in range(n):
        ledger("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", f"p{i}", "--at", "2020-01-15")


def store_of(ledger) -> str:
    return ledger.store or str(ledger.folder / "ledger.db")


def pos(ledger) -> str:
    return "notification_id" if ledger.store else "rowid"


# Each: statements run by an insider with a plain SQL client ({pos} is the sequence number column).
MUTATIONS = {
    "state-byte": ["UPDATE stored_events SET state = state || 'x' WHERE {pos} = 3"],
    "version": ["UPDATE stored_events SET originator_version = originator_version + 10 WHERE {pos} = 4"],
    "topic": ["UPDATE stored_events SET topic = topic || 'x' WHERE {pos} = 2"],
    "event-deleted": ["DELETE FROM stored_events WHERE {pos} = 5"],
    "event-moved": ["UPDATE stored_events SET {pos} = 100 WHERE {pos} = 7"],
    "digest": ["UPDATE ledger_chain SET digest = (SELECT digest FROM ledger_chain WHERE seq = 1) WHERE seq = 2"],
    "prev": ["UPDATE ledger_chain SET prev = 50 WHERE seq = 3"],
    "link-deleted": ["DELETE FROM ledger_chain WHERE seq = 7"],
    "link-extra": ["INSERT INTO ledger_chain (seq, prev, digest) SELECT 100, 8, digest FROM ledger_chain WHERE seq = 8"],  # after the head
    "leaf": ["UPDATE ledger_merkle SET hash = (SELECT hash FROM ledger_merkle WHERE level = 0 AND idx = 0) WHERE level = 0 AND idx = 5"],
    "node": ["UPDATE ledger_merkle SET hash = (SELECT hash FROM ledger_merkle WHERE level = 0 AND idx = 0) WHERE level = 1 AND idx = 1"],
    "node-deleted": ["DELETE FROM ledger_merkle WHERE level = 2 AND idx = 0"],
    "node-extra": ["INSERT INTO ledger_merkle (level, idx, hash) SELECT 1, 50, hash FROM ledger_merkle WHERE level = 0 AND idx = 0"],
    "node-relabelled": ["UPDATE ledger_merkle SET idx = 60 WHERE level = 0 AND idx = 6"],
    "nodes-swapped": [
        "UPDATE ledger_merkle SET idx = 99 WHERE level = 0 AND idx = 1",
        "UPDATE ledger_merkle SET idx = 1 WHERE level = 0 AND idx = 2",
        "UPDATE ledger_merkle SET idx = 2 WHERE level = 0 AND idx = 99",
    ],
    "event-before-the-first": [
        "INSERT INTO stored_events (originator_id, originator_version, topic, state, {pos}) "
        "SELECT originator_id, originator_version + 100, topic, state, -1 FROM stored_events WHERE {pos} = 2",
        "INSERT INTO ledger_chain (seq, prev, digest) SELECT -1, -2, digest FROM ledger_chain WHERE seq = 2",
    ],
}


def mutation(ledger, name: str) -> list[str]:
    """The statements of MUTATIONS[name] for this store (a copy: the table is shared by the tests)."""
    statements = list(MUTATIONS[name])
    if name == "event-before-the-first" and ledger.store:  # PostgreSQL's table also has the login column
        columns = "originator_id, originator_version, topic, state, login, {pos}"
        statements[0] = statements[0].replace("originator_id, originator_version, topic, state, {pos}", columns).replace("state, -1", "state, login, -1")
    return [s.format(pos=pos(ledger)) for s in statements]


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_the_fast_pass_defers_on_every_tampering(inspected, name, monkeypatch):
    add(inspected, 6)
    assert integrity.verify_store(store_of(inspected), schema=store_schema())[0].count == 8  # the founding event, the inspection, 6 problems
    inspected.execute(*mutation(inspected, name))
    deferred = []
    careful = integrity._careful
    monkeypatch.setattr(integrity, "_careful", lambda *a: deferred.append(a) or careful(*a))
    with pytest.raises(TamperingFound):
        integrity.verify_store(store_of(inspected), schema=store_schema())
    assert deferred, "the fast pass vouched for a tampered store"
    result = inspected("audit", "--verify", expect=4)
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.sqlite_only  # SQLite keeps rows in insertion (rowid) order; the fast pass relies on it
def test_tree_rows_stored_in_another_order_still_verify(inspected, monkeypatch):
    add(inspected, 6)
    before = integrity.verify_store(store_of(inspected), schema=store_schema())[0]
    inspected.execute(
        "CREATE TABLE kept AS SELECT level, idx, hash FROM ledger_merkle ORDER BY level DESC, idx DESC",
        "DELETE FROM ledger_merkle",
        "INSERT INTO ledger_merkle (level, idx, hash) SELECT level, idx, hash FROM kept",
        "DROP TABLE kept",
    )
    deferred = []
    careful = integrity._careful
    monkeypatch.setattr(integrity, "_careful", lambda *a: deferred.append(a) or careful(*a))
    after = integrity.verify_store(store_of(inspected), schema=store_schema())[0]
    assert deferred  # not as the ledger writes it: checked the careful way, and sound
    assert (after.count, after.head_digest, after.tree_size, after.tree_root) == (before.count, before.head_digest, before.tree_size, before.tree_root)


def test_pages_join_up(inspected, monkeypatch):
    """Pages smaller than the ledger: the tree and the chain carry over from page to page."""
    add(inspected, 12)
    whole = integrity.verify_store(store_of(inspected), schema=store_schema())[0]
    for page in (1, 2, 3, 5):
        monkeypatch.setattr(chain, "FAST_PAGE", page)
        deferred = []
        careful = integrity._careful
        monkeypatch.setattr(integrity, "_careful", lambda *a: deferred.append(a) or careful(*a))
        paged = integrity.verify_store(store_of(inspected), schema=store_schema())[0]
        monkeypatch.setattr(integrity, "_careful", careful)
        assert not deferred
        assert (paged.count, paged.head_digest, paged.tree_size, paged.tree_root) == (whole.count, whole.head_digest, whole.tree_size, whole.tree_root)


def sharing(monkeypatch) -> list[int]:
    """Count the times the pass was shared between processes (so a test knows the parallel path ran)."""
    shared: list[int] = []
    run = integrity._run_slices
    monkeypatch.setattr(integrity, "_run_slices", lambda *a: shared.append(len(a[5])) or run(*a))
    return shared


def test_slices_join_up(inspected, monkeypatch):
    """Slices of 1, 2, 4, 8 events over 2 and 3 processes: the chain, the tree and its root as from one pass."""
    add(inspected, 12)
    whole = integrity.verify_store(store_of(inspected), schema=store_schema())[0]
    shared = sharing(monkeypatch)
    for bits in (0, 1, 2, 3):
        monkeypatch.setattr(chain, "SLICE_BITS", bits)
        for jobs in (2, 3):
            deferred = []
            careful = integrity._careful
            monkeypatch.setattr(integrity, "_careful", lambda *a: deferred.append(a) or careful(*a))
            split = integrity.verify_store(store_of(inspected), schema=store_schema(), jobs=jobs, also_at=[4, 9])[0]
            monkeypatch.setattr(integrity, "_careful", careful)
            assert not deferred, f"slices of {2**bits} over {jobs} processes did not join up"
            assert (split.count, split.head_digest, split.tree_size, split.tree_root) == (whole.count, whole.head_digest, whole.tree_size, whole.tree_root)
    assert len(shared) == 8 and set(shared) == {2, 3}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_tampering_is_named_the_same_whatever_the_jobs(inspected, name, monkeypatch):
    """`audit --verify --jobs 2` with small slices: the same exit 4 and message as --jobs 1, from the careful check."""
    add(inspected, 6)
    inspected.execute(*mutation(inspected, name))
    monkeypatch.setattr(chain, "SLICE_BITS", 1)  # slices of 2 events: every mutation above lands inside a worker's share
    shared = sharing(monkeypatch)
    deferred = []
    careful = integrity._careful
    monkeypatch.setattr(integrity, "_careful", lambda *a: deferred.append(a) or careful(*a))
    one = inspected("audit", "--verify", "--jobs", "1", expect=4)
    two = inspected("audit", "--verify", "--jobs", "2", expect=4)
    assert shared == [2], "--jobs 2 did not share the pass"
    assert len(deferred) == 2, "a pass vouched for a tampered store"
    assert one.stderr == two.stderr and "Traceback" not in two.stderr and len(two.stderr.strip().splitlines()) == 1
    assert one.stdout == two.stdout


def test_jobs_goes_with_verify(inspected):
    result = inspected("audit", "--jobs", "2", expect=2)
    assert "--jobs goes with --verify" in result.stderr


def test_the_installed_executable_takes_jobs(inspected):
    """The `ledger` executable: --jobs 2 says what --jobs 1 says, on a sound and on a tampered store."""
    from conftest import run_executable

    env = {"LEDGER_CONFIG": str(inspected.folder / "ledger.yaml")} | ({"LEDGER_STORE": inspected.store} if inspected.store else {})
    add(inspected, 3)
    one = run_executable("audit", "--verify", "--jobs", "1", cwd=inspected.folder, env=env)
    two = run_executable("audit", "--verify", "--jobs", "2", cwd=inspected.folder, env=env)
    assert one.returncode == two.returncode == 0 and one.stdout == two.stdout and "chain verified: 5 events" in two.stdout, (one, two)
    assert run_executable("audit", "--verify", "--jobs", "0", cwd=inspected.folder, env=env).returncode == 2
    inspected.execute(*mutation(inspected, "state-byte"))
    one = run_executable("audit", "--verify", "--jobs", "1", cwd=inspected.folder, env=env)
    two = run_executable("audit", "--verify", "--jobs", "2", cwd=inspected.folder, env=env)
    assert one.returncode == two.returncode == 4 and one.stderr == two.stderr and "first bad sequence number 3:" in two.stderr, (one, two)


def test_the_default_processes_are_one_per_idle_cpu(monkeypatch):
    """`audit --verify` and `replay` share their work among the CPUs others leave idle, at least one, at most 8:
    on a busy 2-CPU machine two processes were slower than one (11.0 s against 6.6 s at 867,043 events)."""
    import os

    from ledger.chain import default_jobs

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    for load, jobs in ((0.0, 2), (0.9, 2), (1.2, 1), (5.1, 1)):
        monkeypatch.setattr(os, "getloadavg", lambda load=load: (load, load, load))
        assert default_jobs() == jobs, load
    monkeypatch.setattr(os, "cpu_count", lambda: 32)
    monkeypatch.setattr(os, "getloadavg", lambda: (3.5, 0.0, 0.0))
    assert default_jobs() == 8

    def no_load_average():
        raise OSError("not available")

    monkeypatch.setattr(os, "getloadavg", no_load_average)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert default_jobs() == 4
