"""The store opened read-only: the web view can read events and read models, never write.

SQLite is opened through a `file:…?mode=ro` URI (the database engine itself
refuses writes); PostgreSQL through a READ ONLY, REPEATABLE READ transaction
per request. Both give the same duck type as the application's recorder
(`reading()`, `placeholder`, `position_column`, `events_table_name`), so the
projections run on it unchanged, and a mapper that decodes events like the
application's.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from ledger.errors import StoreError
from ledger.messages import t


class ReadOnlySQLite:
    placeholder = "?"
    position_column = "rowid"
    events_table_name = "stored_events"

    def __init__(self, path: str):
        from ledger.store import check_sqlite_store

        check_sqlite_store(path)
        self.uri = Path(path).resolve().as_uri() + "?mode=ro"

    def connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.uri, uri=True, isolation_level=None, check_same_thread=False)

    @contextmanager
    def reading(self) -> Iterator[Any]:
        """A cursor in one read transaction (a consistent snapshot)."""
        con = self.connect()
        try:
            con.execute("BEGIN")
            yield con.cursor()
        finally:
            con.close()


class ReadOnlyPostgres:
    placeholder = "%s"
    position_column = "notification_id"
    events_table_name = "stored_events"

    def __init__(self, url: str):
        from ledger.store import check_pg_store, parse_pg_url

        self.location = parse_pg_url(url)
        check_pg_store(self.location, create=False)

    @contextmanager
    def reading(self) -> Iterator[Any]:
        import psycopg

        from ledger.store import hybrid_row, pg_error_line

        try:
            con = psycopg.connect(**self.location.conninfo())
        except psycopg.Error as e:
            raise StoreError(t("cannot use the PostgreSQL store {location}: {pg_error_line}", location=self.location, pg_error_line=pg_error_line(e))) from None
        try:
            con.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            con.read_only = True
            with con.transaction():
                with con.cursor(row_factory=hybrid_row) as c:
                    yield c
        finally:
            con.close()


def _mapper() -> Any:
    """A mapper with the application's own transcodings (no store is opened for it)."""
    from eventsourcing.persistence import JSONTranscoder

    from ledger.application import RectificationLedger
    from ledger.topics import LedgerMapper

    transcoder = JSONTranscoder()
    RectificationLedger.register_transcodings(object.__new__(RectificationLedger), transcoder)
    return LedgerMapper(transcoder=transcoder)


class ReadOnlyLedger:
    """What the projections need of the application (`recorder`, `mapper`), without a way to write."""

    def __init__(self, store: str):
        from ledger.store import is_url

        self.recorder: Any = ReadOnlyPostgres(store) if is_url(store) else ReadOnlySQLite(store)
        self.mapper = _mapper()

    def close(self) -> None:
        pass
