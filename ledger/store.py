"""Store selection: which eventsourcing persistence module, and where.

The ledger's application recorder extends eventsourcing's SQLite recorder so
that the read models (`projections.tables`) are written in the same database
transaction as the events: a reader never sees one without the other.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder

from ledger.chain import CHAIN_SCHEMA, append_links
from ledger.errors import StoreError
from projections.tables import SCHEMA, write_views

SQLITE_LOCK_TIMEOUT_SECONDS = 30


class LedgerRecorderMixin:
    """What every ledger recorder does in the transaction that stores events.

    Store-specific recorders (SQLite here) call `_after_insert` from their
    `_insert_events`, with the cursor of the open transaction.
    """

    placeholder = "?"

    def _after_insert(self, c: Any, stored_events: Sequence[StoredEvent], notification_ids: Sequence[int] | None, kwargs: dict[str, Any]) -> None:
        write_views(c, kwargs.get("views", ()), self.placeholder)
        self._link_events(c, stored_events, notification_ids)

    def _link_events(self, c: Any, stored_events: Sequence[StoredEvent], notification_ids: Sequence[int] | None) -> None:
        """Extend the hash chain (ledger.chain) in the same transaction as the events."""
        if not notification_ids or len(notification_ids) != len(stored_events):
            raise StoreError("the store did not report the positions of new events: cannot extend the hash chain")
        append_links(c, stored_events, notification_ids, self.placeholder)


class LedgerSQLiteRecorder(LedgerRecorderMixin, SQLiteApplicationRecorder):
    """eventsourcing's SQLite recorder, plus the ledger's read models."""

    def construct_create_table_statements(self) -> list[str]:
        return super().construct_create_table_statements() + list(SCHEMA) + list(CHAIN_SCHEMA)

    def _insert_events(self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        notification_ids = super()._insert_events(c, stored_events, **kwargs)
        self._after_insert(c, stored_events, notification_ids, kwargs)
        return notification_ids

    @contextmanager
    def reading(self) -> Iterator[Any]:
        """A cursor in a read transaction (a consistent snapshot)."""
        with self.datastore.transaction(commit=False) as c:
            yield c

    def select_events_with_positions(self, originator_id: UUID) -> list[tuple[int, StoredEvent]]:
        """One aggregate's events with their global sequence numbers."""
        with self.reading() as c:
            c.execute(
                "SELECT rowid, originator_id, originator_version, topic, state "
                f"FROM {self.events_table_name} WHERE originator_id = ? ORDER BY originator_version",
                (originator_id.hex,),
            )
            return [
                (
                    row["rowid"],
                    StoredEvent(
                        originator_id=UUID(row["originator_id"]),
                        originator_version=row["originator_version"],
                        topic=row["topic"],
                        state=row["state"],
                    ),
                )
                for row in c.fetchall()
            ]


def is_url(store: str) -> bool:
    return "://" in store


def sqlite_env(path: str, *, create: bool) -> dict[str, str]:
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": path,
        "SQLITE_LOCK_TIMEOUT": str(SQLITE_LOCK_TIMEOUT_SECONDS),
        "CREATE_TABLE": "y" if create else "n",
        "APPLICATION_RECORDER_TOPIC": "ledger.store:LedgerSQLiteRecorder",
    }


def check_sqlite_store(path: str) -> None:
    """Fail with one clear line if `path` is not an initialised ledger."""
    if not Path(path).is_file():
        raise StoreError(f"no ledger store at {path}: run `ledger init` first")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            con.close()
    except sqlite3.DatabaseError as e:
        raise StoreError(f"{path} is not a readable ledger store ({e})") from None
    if not {"stored_events", "ledger_problems", "ledger_meta"} <= tables:
        raise StoreError(f"{path} is not an initialised ledger store: run `ledger init`")


def store_env(store: str, *, create: bool) -> dict[str, str]:
    if is_url(store):
        scheme = store.split("://", 1)[0]
        raise StoreError(f"store '{scheme}://…' is not supported; use a SQLite file path")
    if not create:
        check_sqlite_store(store)
    else:
        Path(store).parent.mkdir(parents=True, exist_ok=True)
    return sqlite_env(store, create=create)

