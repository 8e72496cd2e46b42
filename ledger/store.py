"""Store selection: which eventsourcing persistence module, and where.

The ledger's application recorders extend eventsourcing's SQLite and
PostgreSQL recorders so that whatever must never lag the events is written in
the same database transaction as them: the hash chain (`ledger.chain`), and
every `InTransactionWriter` the recorder is constructed with (the read models,
the similarity index, the Merkle tree: chosen by the composition root,
`composition/`). A reader never sees one without the other. The write side
defines the hook; it never imports the read side.

A store is a SQLite file path (the default, embedded) or a URL
`postgresql://user[:password]@host:port/db` (a shared server for many offices).
On PostgreSQL every stored event row also carries `login`, the database login
the server authenticated (filled in by the server, not the client), beside the
`actor` the command claimed.
"""

from __future__ import annotations

import getpass
import os
import re
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder

from ledger.chain import CHAIN_SCHEMA, append_links
from ledger.errors import ConfigError, StoreError
from ledger.messages import t

SQLITE_LOCK_TIMEOUT_SECONDS = 30

# SQLite's page cache while a transaction is held open (negative: KiB), see held_transaction.
HELD_CACHE_KIB = -32768

# What a writer called inside the transaction that inserts events, after the
# events and before their chain links, does: write(cursor, stored_events, positions, kwargs, placeholder).
# `positions` are the events' global sequence numbers, in the order of
# `stored_events`; `kwargs` are those given to `insert_events` (e.g. views=…).
# A writer of derived rows returns them, (table, key, row form) in the order written
# (ledger.chain.row_form): their digests are committed with the events, covered by the chain.
WriteInTransaction = Callable[[Any, Sequence[StoredEvent], Sequence[int], dict[str, Any], str], "Sequence[tuple[str, str, bytes]] | None"]


@dataclass(frozen=True)
class InTransactionWriter:
    """Something written in every insert transaction, all or nothing with the events, and the tables it keeps."""

    name: str
    write: WriteInTransaction
    schema: tuple[str, ...] = ()  # CREATE … IF NOT EXISTS statements, written for SQLite
    sqlite_schema: tuple[str, ...] = ()  # SQLite only (e.g. triggers)
    pg_schema: tuple[str, ...] = ()  # PostgreSQL only


def writers_schema(writers: Sequence[InTransactionWriter]) -> list[str]:
    """The writers' DDL common to both stores, SQLite spelling."""
    return [statement for w in writers for statement in w.schema]


def writers_store_specific(writers: Sequence[InTransactionWriter], kind: str) -> list[str]:
    """The writers' DDL for one store kind only ("sqlite" or "postgresql")."""
    return [statement for w in writers for statement in (w.sqlite_schema if kind == "sqlite" else w.pg_schema)]


def lock_timeout() -> int:
    """How long a writer waits for another writer's lock before exit 3 (LEDGER_LOCK_TIMEOUT, seconds)."""
    value = os.environ.get("LEDGER_LOCK_TIMEOUT", "").strip()
    if not value:
        return SQLITE_LOCK_TIMEOUT_SECONDS
    if not value.isdigit() or int(value) < 1:
        raise ConfigError(t("LEDGER_LOCK_TIMEOUT must be a whole number of seconds (1 or more), not {value!r}", value=value))
    return int(value)


class LedgerRecorderMixin:
    """What every ledger recorder does in the transaction that stores events.

    Store-specific recorders (SQLite here) call `_after_insert` from their
    `_insert_events`, with the cursor of the open transaction.
    """

    placeholder = "?"

    # The cursor of a transaction held open by `held_transaction`, else None.
    _held: Any = None

    # Given to the constructor (by `application_recorder`), in the order they run.
    writers: tuple[InTransactionWriter, ...] = ()

    def _after_insert(self, c: Any, stored_events: Sequence[StoredEvent], notification_ids: Sequence[int] | None, kwargs: dict[str, Any]) -> None:
        if not notification_ids or len(notification_ids) != len(stored_events):
            raise StoreError(t("the store did not report the positions of new events: cannot extend the hash chain"))
        rows: list[tuple[str, str, bytes]] = []
        for writer in self.writers:
            rows += writer.write(c, stored_events, notification_ids, kwargs, self.placeholder) or ()
        # Linked last: the link of the last event covers the digests of the derived rows just written.
        append_links(c, stored_events, notification_ids, self.placeholder, rows, copied=bool(kwargs.get("copied")))

    # The global sequence number of events is `rowid` on SQLite and
    # `notification_id` on PostgreSQL: code that must name it uses this.
    position_column = "rowid"

    def select_logins(self, positions: Sequence[int]) -> dict[int, str]:
        """The authenticated database login of each event (a server store only; SQLite has none)."""
        return {}


class LedgerSQLiteRecorder(LedgerRecorderMixin, SQLiteApplicationRecorder):
    """eventsourcing's SQLite recorder, plus the ledger's read models."""

    def __init__(self, datastore: Any, *, writers: Sequence[InTransactionWriter] = (), **kwargs: Any) -> None:
        self.writers = tuple(writers)  # before super().__init__: it asks for the tables to create
        super().__init__(datastore, **kwargs)

    def construct_create_table_statements(self) -> list[str]:
        return (
            super().construct_create_table_statements()
            + list(CHAIN_SCHEMA)
            + writers_schema(self.writers)
            + writers_store_specific(self.writers, "sqlite")
        )

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        if not stored_events:  # as eventsourcing's stock recorder: nothing to do
            return []
        if self._held is not None:
            return self._insert_events(self._held, stored_events, **kwargs)
        return super().insert_events(stored_events, **kwargs)

    @contextmanager
    def held_transaction(self) -> Iterator[None]:
        """Every save inside goes into ONE transaction, committed at the end (rolled back on any error).

        A big import writes in bounded batches this way and is still all or nothing.
        """
        if self._held is not None:
            raise StoreError(t("a transaction is already held open"))
        with self.datastore.transaction(commit=True) as c:
            # A long transaction writes each table and index a batch at a time: with SQLite's
            # default 2 MB page cache its dirty pages are spilled to the WAL again and again.
            c.execute("PRAGMA cache_size")
            cache = c.fetchone()[0]
            c.execute(f"PRAGMA cache_size = {HELD_CACHE_KIB}")
            self._held = c
            try:
                yield
            finally:
                self._held = None
                c.execute(f"PRAGMA cache_size = {int(cache)}")

    def _insert_events(self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        notification_ids = super()._insert_events(c, stored_events, **kwargs)
        self._after_insert(c, stored_events, notification_ids, kwargs)
        return notification_ids

    @contextmanager
    def reading(self) -> Iterator[Any]:
        """A cursor in a read transaction (a consistent snapshot)."""
        with self.datastore.transaction(commit=False) as c:
            yield c


class Row(tuple):  # type: ignore[type-arg]
    """A result row readable by index and by column name, like sqlite3.Row."""

    names: dict[str, int]

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self.names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self.names)


def hybrid_row(cursor: Any) -> Any:
    """psycopg row factory giving `Row`s, so SQL written for SQLite reads the same."""
    names = {d.name: i for i, d in enumerate(cursor.description or ())}

    def make(values: Sequence[Any]) -> Row:
        row = Row(values)
        row.names = names
        return row

    return make


# SQLite DDL words that PostgreSQL spells differently. SCHEMA is written for
# SQLite; this keeps one schema for both stores.
_PG_DDL = (
    (re.compile(r"\bINTEGER\s+PRIMARY\s+KEY\s+AUTOINCREMENT\b", re.I), "BIGSERIAL PRIMARY KEY"),
    (re.compile(r"\bAUTOINCREMENT\b", re.I), ""),
    (re.compile(r"\bINTEGER\b", re.I), "BIGINT"),
    (re.compile(r"\bBLOB\b", re.I), "BYTEA"),
    (re.compile(r"\bREAL\b", re.I), "DOUBLE PRECISION"),
)


def pg_ddl(statement: str) -> str:
    for pattern, replacement in _PG_DDL:
        statement = pattern.sub(replacement, statement)
    return statement


def _pg_recorder_base() -> type:
    try:
        from eventsourcing.postgres import PostgresApplicationRecorder
    except ImportError:  # psycopg not installed
        raise StoreError(
            t("PostgreSQL support is not installed: pip install 'rectification-ledger[postgresql]'")
        ) from None
    return PostgresApplicationRecorder


# Who wrote each event, as the server authenticated it; a trigger overwrites
# whatever a client might send, so the column cannot be forged from outside.
_PG_LOGIN_DDL = (
    "ALTER TABLE {table} ADD COLUMN IF NOT EXISTS login TEXT NOT NULL DEFAULT session_user",
    """CREATE OR REPLACE FUNCTION ledger_stamp_login() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN NEW.login := session_user; RETURN NEW; END; $$""",
    "DROP TRIGGER IF EXISTS ledger_stamp_login ON {table}",
    "CREATE TRIGGER ledger_stamp_login BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION ledger_stamp_login()",
)




def application_recorder(factory: Any, writers: Sequence[InTransactionWriter]) -> Any:
    """The recorder eventsourcing's `factory` would make (APPLICATION_RECORDER_TOPIC), constructed with `writers`.

    As eventsourcing's SQLite and PostgreSQL factories do, then `create_table`
    when CREATE_TABLE says so: the writers' tables are made with the events'.
    Without a recorder topic (the in-memory POPO store of the fast tests) there
    is no SQL to write in: the factory's own recorder.
    """
    from eventsourcing.utils import resolve_topic

    topic = factory.env.get(factory.APPLICATION_RECORDER_TOPIC)
    if not topic:
        return factory.application_recorder()
    recorder = resolve_topic(topic)(datastore=factory.datastore, writers=writers)
    if factory.env_create_table():
        recorder.create_table()
    return recorder


def is_url(store: str) -> bool:
    return "://" in store


PG_SCHEMES = ("postgresql", "postgres")
PG_CONNECT_TIMEOUT_SECONDS = 5


@dataclass
class PgLocation:
    user: str
    password: str
    host: str
    port: int
    dbname: str

    def __str__(self) -> str:
        # Never show the password.
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.dbname}"

    def conninfo(self) -> dict[str, Any]:
        return {
            "user": self.user, "password": self.password or None, "host": self.host,
            "port": self.port, "dbname": self.dbname, "connect_timeout": PG_CONNECT_TIMEOUT_SECONDS,
        }


def parse_pg_url(store: str) -> PgLocation:
    """`postgresql://user[:password]@host[:port]/db`; the password may also come from PGPASSWORD."""
    from urllib.parse import unquote, urlsplit

    try:
        parts = urlsplit(store)
        port = parts.port or 5432
    except ValueError as e:
        raise ConfigError(t("store URL is not valid: {e}", e=e)) from None
    if parts.scheme not in PG_SCHEMES:
        raise ConfigError(t("store '{scheme}://…' is not supported; use a SQLite file path or postgresql://user@host:port/db", scheme=parts.scheme))
    dbname = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not dbname or "/" in dbname:
        raise ConfigError(t("store URL must look like postgresql://user@host:port/db"))
    user = unquote(parts.username or "") or os.environ.get("PGUSER") or getpass.getuser()
    password = unquote(parts.password or "") or os.environ.get("PGPASSWORD", "")
    return PgLocation(user=user, password=password, host=parts.hostname, port=port, dbname=dbname)


def pg_error_line(e: BaseException) -> str:
    """The first line of a server or connection error, without libpq's noise."""
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    # libpq prefixes: 'connection failed: connection to server at "…" (…), port N failed: FATAL:  …'
    if "failed: " in text:
        text = text.rsplit("failed: ", 1)[-1]
    return " ".join(text.replace("FATAL:", "").split())


def check_pg_store(location: PgLocation, *, create: bool) -> str:
    """Connect once to say clearly why a server cannot be used; returns the login.

    The connection pool would only report a time-out, not the reason (server
    down, login refused, no such database).
    """
    login, initialised = probe_pg_store(location)
    if not create and not initialised:
        raise StoreError(t("{location} is not an initialised ledger store: run `ledger init`", location=location))
    return login


def probe_pg_store(location: PgLocation) -> tuple[str, bool]:
    """(the authenticated login, whether the ledger's tables exist)."""
    try:
        import psycopg
    except ImportError:
        _pg_recorder_base()
        raise
    try:
        with psycopg.connect(**location.conninfo()) as con:
            row = con.execute(
                "SELECT session_user, to_regclass('stored_events') IS NOT NULL, "
                "to_regclass('ledger_problems') IS NOT NULL, to_regclass('ledger_meta') IS NOT NULL"
            ).fetchone()
    except psycopg.Error as e:
        raise StoreError(t("cannot use the PostgreSQL store {location}: {pg_error_line}", location=location, pg_error_line=pg_error_line(e))) from None
    assert row is not None
    return str(row[0]), all(row[1:])


def postgres_env(location: PgLocation, *, create: bool) -> dict[str, str]:
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": location.dbname,
        "POSTGRES_HOST": location.host,
        "POSTGRES_PORT": str(location.port),
        "POSTGRES_USER": location.user,
        "POSTGRES_PASSWORD": location.password,
        "POSTGRES_CONNECT_TIMEOUT": str(PG_CONNECT_TIMEOUT_SECONDS),
        "POSTGRES_LOCK_TIMEOUT": str(lock_timeout()),
        "POSTGRES_POOL_SIZE": "1",
        "CREATE_TABLE": "y" if create else "n",
        "APPLICATION_RECORDER_TOPIC": "ledger.pgstore:LedgerPostgresRecorder",
    }


def sqlite_env(path: str, *, create: bool) -> dict[str, str]:
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": path,
        "SQLITE_LOCK_TIMEOUT": str(lock_timeout()),
        "CREATE_TABLE": "y" if create else "n",
        "APPLICATION_RECORDER_TOPIC": "ledger.store:LedgerSQLiteRecorder",
    }


def writable(path: str) -> bool:
    """Whether the ledger can write the SQLite file and its folder (the -wal and -shm files live there)."""
    folder = Path(path).resolve().parent
    return os.access(path, os.W_OK) and os.access(folder, os.W_OK)


def read_only_uri(path: str, mode: str = "ro") -> str:
    """A SQLite URI opening `path` read-only: `mode=ro`, or `immutable=1` (read-only media)."""
    from urllib.parse import quote

    query = "mode=ro" if mode == "ro" else "mode=ro&immutable=1"
    return f"file:{quote(str(Path(path).resolve()))}?{query}"


def connect_read_only(path: str, **kwargs: Any) -> tuple[sqlite3.Connection, str]:
    """A read-only connection that works on read-only media too; (connection, its URI).

    `mode=ro` still needs the -shm file beside a WAL database; where even that
    cannot be created (a read-only mount or folder) the file is opened
    `immutable=1`: SQLite then takes no locks and reads the file as it is.
    """
    last: Exception | None = None
    for mode in ("ro", "immutable"):
        uri = read_only_uri(path, mode)
        try:
            con = sqlite3.connect(uri, uri=True, **kwargs)
        except sqlite3.Error as e:
            last = e
            continue
        try:
            con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            return con, uri
        except sqlite3.OperationalError as e:  # cannot open -shm/-wal: try immutable
            con.close()
            last = e
    assert last is not None
    raise last


def check_sqlite_store(path: str) -> None:
    """Fail with one clear line if `path` is not an initialised ledger."""
    if not Path(path).is_file():
        raise StoreError(t("no ledger store at {path}: run `ledger init` first", path=path))
    try:
        con, _ = connect_read_only(path)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            con.close()
    except sqlite3.DatabaseError as e:
        if "readonly" in str(e) or not os.access(path, os.W_OK) or not os.access(Path(path).parent, os.W_OK):
            raise StoreError(t("{path} is read-only: the ledger needs to write to the file and its folder ({e})", path=path, e=e)) from None
        raise StoreError(t("{path} is not a readable ledger store ({e})", path=path, e=e)) from None
    except UnicodeDecodeError:  # a damaged schema page: its text is not even UTF-8
        raise StoreError(t("{path} is not a readable ledger store (its schema is damaged)", path=path)) from None
    if not {"stored_events", "ledger_problems", "ledger_meta"} <= tables:
        raise StoreError(t("{path} is not an initialised ledger store: run `ledger init`", path=path))


def refuse_foreign_file(path: str) -> None:
    """Before `ledger init` creates tables in an existing file that is not an (initialised) ledger:
    all right only if it is empty or an empty SQLite database, else StoreError."""
    if not Path(path).exists() or Path(path).stat().st_size == 0:
        return
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        names = con.execute("SELECT name FROM sqlite_master").fetchall()
        con.close()
    except sqlite3.DatabaseError:
        raise StoreError(t("{store} exists and is not a SQLite database: not touching it", store=path)) from None
    if names and not any(n[0] == "stored_events" for n in names):
        raise StoreError(t("{store} is a SQLite database of something else: not touching it", store=path))


def describe_store(store: str) -> str:
    """The store for messages (a URL without its password)."""
    if is_url(store):
        try:
            return str(parse_pg_url(store))
        except ConfigError:
            return store.split("://", 1)[0] + "://…"
    return store


def store_env(store: str, *, create: bool) -> dict[str, str]:
    if is_url(store):
        location = parse_pg_url(store)
        env = postgres_env(location, create=create)
        env["LEDGER_LOGIN"] = check_pg_store(location, create=create)
        return env
    if not create:
        check_sqlite_store(store)
        if not writable(store):
            # Read-only media (an auditor's archived copy): every read works, writes fail cleanly.
            _, uri = connect_read_only(store)
            return sqlite_env(uri, create=False)
    else:
        Path(store).parent.mkdir(parents=True, exist_ok=True)
    return sqlite_env(store, create=create)

