"""Copying a SQLite ledger onto a shared PostgreSQL server (`ledger migrate`), and checking the copy.

The events are copied in their order at the positions they hold in the source
(not numbered again by the server's sequence), through the PostgreSQL
recorder, so whatever it does in the insert transaction (read models, hash
chain, Merkle tree) happens on the target as it did on the source, and gives
the same links and nodes. ledger_meta (the hash algorithm) goes first; the
other tables the recorder does not fill (read models written with views) are
copied row for row after the events. At the end every event with its position
and every `ledger_*` table is compared with the source; any difference fails
the command and empties the target again.

Each batch of events is its own transaction, so a migration that is killed
leaves a target holding a prefix of the source's events: running the command
again checks that prefix and carries on from there. Where the kill landed
cannot change the copy: a position the server's sequence handed out to a
rolled-back batch is never used by it. One stopped with Ctrl-C empties the
target before it exits.
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any, Callable, Iterator, Sequence
from uuid import UUID

from ledger.errors import LedgerError, StoreError
from ledger.messages import t, tn

BATCH = 1000

# A test names a point where the migration stops dead, as a kill -9 would:
# LEDGER_TEST_FAULT=in-batch:N (inside the Nth batch's transaction, after its
# positions are taken), after-batch:N (between batches), after-events (before the
# tables), after-table:N (one of FAULT_POINTS). Read once per run; unset, each
# point is a call that does nothing.
FAULT_ENV = "LEDGER_TEST_FAULT"
FAULT_POINTS = ("in-batch", "after-batch", "after-events", "after-table")


def _fault_point() -> Callable[[str, int], None]:
    wanted = os.environ.get(FAULT_ENV, "")
    if not wanted:
        return lambda point, n=1: None
    name, _, count = wanted.partition(":")
    at = int(count) if count.isdigit() else 1  # a test checks the exit status (137): a misspelt point fails it

    def stop(point: str, n: int = 1) -> None:
        if point == name and n == at:
            os._exit(137)  # no clean-up, no rollback sent: as SIGKILL

    return stop


def migrate_store(source: str, target: str, app: Any, progress: Any = None) -> dict[str, int]:
    """Copy the SQLite ledger `source` into `app`'s (PostgreSQL) store at `target` and verify it; the counts copied.

    `app` is the application over the target, with its read side (its recorder writes what any insert does).
    """
    from ledger.store import describe_store

    with app.recorder.reading() as c:
        c.execute("SELECT COUNT(*) FROM stored_events")
        existing = int(c.fetchone()[0])
    if existing == 1 and not _holds_prefix(source, app, existing):
        from ledger.export import only_founded

        with app.recorder.reading() as c:
            if only_founded(c, app.recorder.placeholder):
                existing = 0  # only the founding event of a `ledger init` run on the target: emptied below
    if existing and not _holds_prefix(source, app, existing):
        raise StoreError(tn("{describe_store} already holds {existing} event of another ledger: migrate only into an empty store", "{describe_store} already holds {existing} events of another ledger: migrate only into an empty store", existing, describe_store=describe_store(target), existing=existing))
    if not existing:
        _empty(app)  # e.g. ledger_meta of a `ledger init` run on the target
    with app.recorder.datastore.transaction(commit=True) as c:
        for statement in app.read_side.schema.after_upgrade:  # as `ledger init` makes them: the schema check wants the store init makes
            c.execute(statement)
    try:
        counts = _copy_and_verify(source, app, skip=existing, progress=progress)
        counts["evidence_files"] = _copy_evidence(source, target, app)
        return counts
    except (LedgerError, KeyboardInterrupt):
        _empty(app)  # a copy that does not verify, or was stopped, is no use to anyone
        raise


def _copy_evidence(source: str, target: str, app: Any) -> int:
    """The kept bytes of attached evidence files, from the folder beside the SQLite file into the server's table."""
    from ledger.attachments import attached, digest_of, fetch, keep_files

    contents = {}
    for item in attached(source):
        if item["digest"] in contents:
            continue
        data = fetch(source, item["digest"])
        if data is None or digest_of(data, item["hash"]) != item["digest"]:
            raise StoreError(t("evidence file {name} ({digest}) of event {seq} is missing or changed beside {source}: run `ledger evidence verify`", name=item['name'], digest=item['digest'], seq=item['seq'], source=source))
        contents[item["digest"]] = ({k: item[k] for k in ("name", "size", "hash", "digest")}, data)
    if contents:
        keep_files(app, target, list(contents.values()))
    return len(contents)


def _source_events(con: sqlite3.Connection) -> Iterator[list[tuple[int, Any]]]:
    from eventsourcing.persistence import StoredEvent

    cursor = con.execute("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid")
    while True:
        rows = cursor.fetchmany(BATCH)
        if not rows:
            return
        yield [
            (r[0], StoredEvent(originator_id=UUID(r[1]), originator_version=r[2], topic=r[3], state=bytes(r[4])))
            for r in rows
        ]


# Kept by triggers as ledger_problems is copied: copying it as well would count twice.
DERIVED_TABLES = ("ledger_category_totals",)


def _ledger_tables(con: sqlite3.Connection) -> list[str]:
    return [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'ledger%' ORDER BY name")]


def _holds_prefix(source: str, app: Any, existing: int) -> bool:
    """Whether the target's events are the source's first `existing` events, at the same positions (an interrupted migration)."""
    con = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        with app.recorder.reading() as c:
            c.execute("SELECT notification_id, originator_id, originator_version, topic, state FROM stored_events ORDER BY notification_id")
            copied = (tuple(_plain(v) for v in row) for row in c)
            seen = 0
            for batch in _source_events(con):
                for position, e in batch:
                    if seen == existing:
                        return True
                    if next(copied, None) != (position, e.originator_id.hex, e.originator_version, e.topic, e.state):
                        return False
                    seen += 1
            return seen == existing
    finally:
        con.close()


def _copy_and_verify(source: str, app: Any, skip: int = 0, progress: Any = None) -> dict[str, int]:
    fault = _fault_point()
    con = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        con.execute("BEGIN")  # one consistent snapshot of the source
        total = int(con.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0]) if progress is not None else 0
        if progress is not None:
            progress(0, total)
        rows = 0
        if _count(app, "ledger_meta") == 0:  # the algorithm the recorder links with, before any event
            rows += _copy_table(con, app, "ledger_meta")
        # The derived-row digests before the events: each copied event's link covers those recorded with it.
        if "ledger_row_digests" in _ledger_tables(con) and _count(app, "ledger_row_digests") == 0:
            rows += _copy_table(con, app, "ledger_row_digests")
        events = batches = 0
        for batch in _source_events(con):
            if events + len(batch) <= skip:
                events += len(batch)
                continue
            batches += 1
            rest = batch[max(0, skip - events):]
            with app.recorder.held_transaction():
                app.recorder.insert_events_at([e for _, e in rest], [position for position, _ in rest])
                fault("in-batch", batches)
            fault("after-batch", batches)
            events += len(batch)
            if progress is not None:
                progress(events, total)
        fault("after-events")
        tables = 0
        for table in _ledger_tables(con):
            if table not in DERIVED_TABLES and _count(app, table) == 0:
                rows += _copy_table(con, app, table)
                tables += 1
                fault("after-table", tables)
        _verify(con, app)
        con.rollback()
    finally:
        con.close()
    return {"events": events, "rows": rows}


def _count(app: Any, table: str) -> int:
    with app.recorder.reading() as c:
        c.execute(f"SELECT COUNT(*) FROM {table}")
        return int(c.fetchone()[0])


def _columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in con.execute(f"PRAGMA table_info({table})")]


def _copy_table(con: sqlite3.Connection, app: Any, table: str) -> int:
    columns = _columns(con, table)
    # In the order written; a table WITHOUT ROWID (the similarity postings) in its key's order.
    without_rowid = "WITHOUT ROWID" in (con.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0] or "").upper()
    rows = con.execute(f"SELECT {', '.join(columns)} FROM {table}" + ("" if without_rowid else " ORDER BY rowid")).fetchall()
    if rows:
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('%s' for _ in columns)})"
        with app.recorder.datastore.transaction(commit=True) as c:
            c.executemany(sql, rows)
    return len(rows)


def _plain(value: Any) -> Any:
    if isinstance(value, (bytes, memoryview, bytearray)):
        return bytes(value)
    if isinstance(value, UUID):
        return value.hex
    return value


def _verify(con: sqlite3.Connection, app: Any) -> None:
    """Every event, in order and at its position, and every ledger_* table equal on both sides."""
    with app.recorder.reading() as c:
        c.execute("SELECT notification_id, originator_id, originator_version, topic, state FROM stored_events ORDER BY notification_id")
        copied = (tuple(_plain(v) for v in row) for row in c)
        for batch in _source_events(con):
            for position, e in batch:
                if next(copied, None) != (position, e.originator_id.hex, e.originator_version, e.topic, e.state):
                    raise LedgerError(t("verification failed: event {originator_id} v{originator_version} differs on the target", originator_id=e.originator_id, originator_version=e.originator_version))
        if next(copied, None) is not None:
            raise LedgerError(t("verification failed: the target holds more events than the source"))
        for table in _ledger_tables(con):
            columns = _columns(con, table)
            mine = sorted(tuple(_plain(v) for v in r) for r in con.execute(f"SELECT {', '.join(columns)} FROM {table}"))
            c.execute(f"SELECT {', '.join(columns)} FROM {table}")
            theirs = sorted(tuple(_plain(v) for v in r) for r in c.fetchall())
            if mine != theirs:
                raise LedgerError(tn("verification failed: table {table} differs on the target ({n_mine} row here, {n_theirs} there)", "verification failed: table {table} differs on the target ({n_mine} rows here, {n_theirs} there)", len(mine), table=table, n_mine=len(mine), n_theirs=len(theirs)))


def _empty(app: Any) -> None:
    """Leave the target as empty as it was found, so the command can simply be run again."""
    try:
        with app.recorder.datastore.transaction(commit=True) as c:
            c.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND (tablename LIKE 'ledger%' OR tablename = 'stored_events')")
            tables: Sequence[str] = [r["tablename"] for r in c.fetchall()]
            if tables:
                c.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY")
    except Exception:  # the original error is the one to report
        pass
