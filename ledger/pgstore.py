"""eventsourcing's PostgreSQL application recorder, extended as the SQLite one is (ledger/store.py).

A module of its own, imported only when a store's settings name it (APPLICATION_RECORDER_TOPIC,
`ledger.store.pg_env`): SQLite-only installs and CLI start-up never import psycopg.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, Sequence

from eventsourcing.persistence import StoredEvent

from ledger.store import _pg_recorder_base

PostgresApplicationRecorder = _pg_recorder_base()  # psycopg missing: one clear line (StoreError), not an ImportError

from eventsourcing.persistence import InterfaceError, OperationalError  # noqa: E402
from eventsourcing.postgres import PostgresAggregateRecorder as aggregate_recorder  # noqa: E402
from eventsourcing.utils import retry  # noqa: E402
from psycopg.sql import SQL, Identifier  # noqa: E402

from ledger.chain import CHAIN_SCHEMA, insert_rows  # noqa: E402
from ledger.errors import StoreError  # noqa: E402
from ledger.messages import t  # noqa: E402
from ledger.store import _PG_LOGIN_DDL, InTransactionWriter, LedgerRecorderMixin, hybrid_row, pg_ddl, writers_schema, writers_store_specific  # noqa: E402


class LedgerPostgresRecorder(LedgerRecorderMixin, PostgresApplicationRecorder):  # type: ignore[misc]
    """eventsourcing's PostgreSQL recorder, plus the ledger's read models."""

    placeholder = "%s"
    position_column = "notification_id"

    def __init__(self, datastore: Any, *, writers: Sequence[InTransactionWriter] = (), **kwargs: Any) -> None:
        # The same table name as on SQLite, so SQL written for one store reads the other.
        kwargs["events_table_name"] = "stored_events"
        super().__init__(datastore, **kwargs)
        self.writers = tuple(writers)
        table = self.events_table_name
        self.sql_create_statements.extend(SQL(pg_ddl(s)) for s in [*CHAIN_SCHEMA, *writers_schema(self.writers)])  # type: ignore[attr-defined]
        self.sql_create_statements.extend(SQL(s) for s in writers_store_specific(self.writers, "postgresql"))  # type: ignore[attr-defined]
        self.sql_create_statements.extend(SQL(s.replace("{table}", table)) for s in _PG_LOGIN_DDL)  # type: ignore[attr-defined]
        # eventsourcing's INSERT, with the events passed in binary (%b): as text,
        # psycopg dumps and the server parses each event as a record literal,
        # 3x the time of the whole statement in binary (bench/scale.py bulk load).
        self.insert_events_statement = SQL(
            "INSERT INTO {schema}.{table} AS t (originator_id, originator_version, topic, state) "
            "SELECT originator_id, originator_version, topic, state FROM unnest(%b::{schema}.{stored_event_type}[]) "
            "RETURNING notification_id"
        ).format(
            schema=Identifier(self.datastore.schema),
            table=Identifier(self.events_table_name),
            stored_event_type=Identifier(self.stored_event_type_name),
        )

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        if not stored_events:
            return []
        if self._held is not None:  # inside held_transaction: no retry, the caller's transaction decides
            return self._insert_with(self._held, stored_events, **kwargs)
        return self._insert_in_own_transaction(stored_events, **kwargs)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def _insert_in_own_transaction(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        # As eventsourcing's, but not in pipeline mode: the read models and
        # the chain are written after the events in the same transaction,
        # and thousands of statements queued in a pipeline that is never
        # drained can stall a bulk import.
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as c:
            return self._insert_with(c, stored_events, **kwargs)

    def _insert_stored_events(self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        # eventsourcing's lock timeout, table lock and NOTIFY, sent as one
        # statement (a round trip, not three, on every write), then its INSERT.
        c.execute(SQL("; ").join([*self.lock_table_statements, SQL("NOTIFY {0}").format(Identifier(self.channel_name))]))
        aggregate_recorder._insert_stored_events(self, c, stored_events, **kwargs)

    def _insert_with(self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        self._insert_events(c, stored_events, **kwargs)
        self._insert_stored_events(c, stored_events, **kwargs)  # locks the events table first
        return self._fetch_ids_after_insert_events(c, stored_events, **kwargs)

    def insert_events_at(self, stored_events: Sequence[StoredEvent], positions: Sequence[int]) -> None:
        """Write another store's events at the positions they hold there (`ledger migrate`).

        Positions drawn from the sequence are not given back when the transaction
        is rolled back or killed, and a link's digest covers its position: a copy
        numbered by the sequence would differ from its source after any lost batch.
        The chain, tree and read models are written in the same transaction, as for
        any insert; the sequence is moved past the copied positions for later writes.
        """
        if self._held is None:
            with self.held_transaction():
                return self.insert_events_at(stored_events, positions)
        c = self._held
        c.execute(SQL("; ").join(self.lock_table_statements))
        rows = [(p, e.originator_id, e.originator_version, e.topic, e.state) for e, p in zip(stored_events, positions, strict=True)]
        insert_rows(c, self.events_table_name, ("notification_id", "originator_id", "originator_version", "topic", "state"), rows, self.placeholder)
        c.execute("SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), %s)", (self.events_table_name, max(positions)))
        factory = c.row_factory
        c.row_factory = hybrid_row
        try:
            self._after_insert(c, stored_events, list(positions), {"copied": True})  # the digests came with them
        finally:
            c.row_factory = factory

    @contextmanager
    def held_transaction(self) -> Iterator[None]:
        """Every save inside goes into ONE transaction, committed at the end (rolled back on any error)."""
        if self._held is not None:
            raise StoreError(t("a transaction is already held open"))
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as c:
            self._held = c
            try:
                yield
            finally:
                self._held = None

    def _fetch_ids_after_insert_events(self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        # Runs inside the insert transaction, right after the events (and
        # under the events table lock, so writers are serialised).
        notification_ids = super()._fetch_ids_after_insert_events(c, stored_events, **kwargs)
        factory = c.row_factory
        c.row_factory = hybrid_row
        try:
            self._after_insert(c, stored_events, notification_ids, kwargs)
        finally:
            c.row_factory = factory
        return notification_ids

    def select_logins(self, positions: Sequence[int]) -> dict[int, str]:
        with self.reading() as c:
            c.execute(
                "SELECT notification_id, login FROM stored_events WHERE notification_id = ANY(%s)",
                (list(positions),),
            )
            return {row[0]: row[1] for row in c.fetchall()}

    @contextmanager
    def reading(self) -> Iterator[Any]:
        """A cursor in a read transaction (a consistent snapshot)."""
        with self.datastore.transaction(commit=False) as c:
            c.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            c.row_factory = hybrid_row
            yield c

