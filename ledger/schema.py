"""The store's schema is what `ledger init` makes, and nothing else.

A trigger, view or index planted beside the ledger's tables can change what the
ledger writes or reads without touching a recorded event (a trigger that marks
every updated problem closed, one that aborts every insert). The expected schema
is made from the same DDL the store runs: on SQLite in an in-memory database, on
PostgreSQL in a temporary schema of a transaction that is rolled back. Every
catalog entry of the store is then compared with it; anything else, missing or
different is tampering (TamperingFound), named.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ledger.errors import TamperingFound
from ledger.messages import t

if TYPE_CHECKING:
    from ledger.store import InTransactionWriter

# The schema version `ledger init` makes (commands/setup.py upgrades older stores to it).
STORE_SCHEMA_VERSION = "8"

# SQLite's own bookkeeping (ANALYZE statistics): made by the engine, not by a person.
_ENGINE_TABLES = re.compile(r"^sqlite_stat\d$")


@dataclass(frozen=True)
class StoreSchema:
    """What `ledger init` makes beside eventsourcing's events table and the chain (given by the composition root).

    `writers`: the in-transaction writers, whose tables the recorder creates;
    `after_upgrade`: what `ledger init` makes once an older store's tables are upgraded
    (the read side's overdue index, which needs a column an upgrade adds).
    """

    writers: tuple[InTransactionWriter, ...] = ()
    after_upgrade: tuple[str, ...] = ()


def has_table(db: Any, table: str, postgres: bool = False) -> bool:
    """Whether the store has `table` (a store made before it existed has not); `db`: a connection or a cursor."""
    cursor = db.cursor() if hasattr(db, "cursor") else db
    if postgres:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", (table,))
    else:
        cursor.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
    return bool(cursor.fetchone()[0])


def _sqlite_statements(schema: StoreSchema) -> list[str]:
    from ledger.store import LedgerSQLiteRecorder

    recorder = object.__new__(LedgerSQLiteRecorder)
    recorder.events_table_name = "stored_events"  # type: ignore[attr-defined]
    recorder.writers = schema.writers
    return [*recorder.construct_create_table_statements(), *schema.after_upgrade]


def _normal(sql: str | None) -> str:
    return " ".join((sql or "").split())


def sqlite_catalog(con: Any) -> dict[tuple[str, str], Any]:
    """(type, name) → what defines it: a table's columns (in any order), an index's table, columns and SQL, a trigger's or view's SQL."""
    cursor = con.cursor() if hasattr(con, "cursor") else con
    cursor.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")
    entries = cursor.fetchall()
    found: dict[tuple[str, str], Any] = {}
    for kind, name, table, sql in entries:
        if _ENGINE_TABLES.match(name):
            continue
        if kind == "table":
            cursor.execute(f"SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('{name}')")
            found[(kind, name)] = tuple(sorted(tuple(r) for r in cursor.fetchall()))
        elif kind == "index":
            cursor.execute(f"SELECT seqno, name FROM pragma_index_info('{name}')")
            found[(kind, name)] = (table, tuple(tuple(r) for r in cursor.fetchall()), _normal(sql))
        else:
            found[(kind, name)] = (table, _normal(sql))
    return found


def expected_sqlite(schema: StoreSchema) -> dict[tuple[str, str], Any]:
    """The catalog `ledger init` makes, from its own DDL run in an in-memory database (a few milliseconds)."""
    con = sqlite3.connect(":memory:")
    try:
        for statement in _sqlite_statements(schema):
            con.execute(statement)
        return sqlite_catalog(con)
    finally:
        con.close()


def check_sqlite_schema(con: Any, where: str, schema: StoreSchema) -> None:
    """TamperingFound naming the first catalog entry of the store that `ledger init` does not make, or makes otherwise."""
    compare(sqlite_catalog(con), expected_sqlite(schema), where, complete=_current(con), optional=_before_tree(con))


def _before_tree(con: Any) -> frozenset[tuple[str, str]]:
    """A store made before the Merkle tree (no `merkle_tree` in its metadata) lacks its table until `ledger init`."""
    cursor = con.cursor() if hasattr(con, "cursor") else con
    cursor.execute("SELECT 1 FROM ledger_meta WHERE key = 'merkle_tree'")
    if cursor.fetchone() is not None:
        return frozenset()
    return frozenset({("table", "ledger_merkle"), ("index", "sqlite_autoindex_ledger_merkle_1"), ("index", "ledger_merkle_pkey")})


def _current(con: Any) -> bool:
    """Whether the store says it is of the current schema version (an older one is upgraded by `ledger init`)."""
    cursor = con.cursor() if hasattr(con, "cursor") else con
    try:
        cursor.execute("SELECT value FROM ledger_meta WHERE key = 'schema_version'")
    except Exception:  # noqa: BLE001 - no meta table: a store of the first versions
        return False
    row = cursor.fetchone()
    return row is not None and str(row[0]) == STORE_SCHEMA_VERSION


# What an earlier schema made that this one does not (a store of that version keeps it until `ledger init`):
# schema 7's similarity postings were keyed by (term, problem); PostgreSQL names that key's index.
EARLIER = frozenset({("index", "ledger_similar_terms_pkey")})


def compare(found: dict[tuple[str, str], Any], expected: dict[tuple[str, str], Any], where: str, *, complete: bool = True, optional: frozenset[tuple[str, str]] = frozenset()) -> None:
    """Raise TamperingFound for the first difference (extra objects first: they are what acts).

    `complete` False (a store of an earlier schema version, before `ledger init` upgrades
    it): objects the current schema lacks are still tampering; missing or different ones are not.
    """
    store = f"the store {where}" if where else "the store"
    for key in sorted(found, key=lambda k: (_ORDER.index(k[0]) if k[0] in _ORDER else len(_ORDER), k)):
        if key not in expected and not (not complete and key in EARLIER):
            kind, name = key
            on = found[key][0] if kind in ("index", "trigger", "view", "rule", "policy") and isinstance(found[key], tuple) else ""
            raise TamperingFound(
                t("{store} has a {kind} {name}{value} that `ledger init` does not make: a schema object planted in the store", store=store, kind=SCHEMA_KIND_WORDS.get(kind, kind), name=name, value=(" on " + on) if on and on != name else "")
            )
    if not complete:
        return
    for key in sorted(expected):
        kind, name = key
        if key not in found:
            if key in optional:
                continue
            raise TamperingFound(t("{store} lacks the {kind} {name} that `ledger init` makes: dropped", store=store, kind=SCHEMA_KIND_WORDS.get(kind, kind), name=name))
        if expected[key] is not None and found[key] != expected[key]:
            raise TamperingFound(t("{store} has the {kind} {name} defined otherwise than `ledger init` makes it: altered", store=store, kind=SCHEMA_KIND_WORDS.get(kind, kind), name=name))


def check_store_schema(cursor: Any, *, postgres: bool, where: str, schema: StoreSchema) -> None:
    """The schema check of either store, through a cursor in a read transaction."""
    if postgres:
        check_pg_schema(cursor, where, schema)
    else:
        check_sqlite_schema(cursor, where, schema)


# What eventsourcing makes on PostgreSQL beside the ledger's own DDL (its events table's type,
# sequence and indexes), and the names PostgreSQL gives the constraints' indexes.
_PG_LIBRARY = {
    ("type", "stored_event_uuid"),
    ("sequence", "stored_events_notification_id_seq"),
    ("index", "stored_events_pkey"),
    ("index", "stored_events_notification_id_idx"),
    ("function", "es_insert_events_uuid"),
}
# The kinds of schema object, as a message names them.
SCHEMA_KIND_WORDS = {
    "trigger": t("trigger"), "rule": t("rule"), "policy": t("policy"), "table with row security": t("table with row security"),
    "view": t("view"), "function": t("function"), "index": t("index"), "table": t("table"), "type": t("type"),
    "sequence": t("sequence"),
}

# What acts is named first: a trigger before the function it runs.
_ORDER = ("trigger", "rule", "policy", "table with row security", "view", "function", "index", "table", "type", "sequence")
_PG_KINDS = {"r": "table", "i": "index", "S": "sequence", "v": "view", "m": "view", "c": "type", "f": "table", "p": "table", "I": "index"}


def _dollar_body(statement: str) -> str:
    return _normal(statement.split("$$")[1]) if "$$" in statement else ""


def expected_pg(schema: StoreSchema) -> dict[tuple[str, str], Any]:
    """The PostgreSQL catalog entries `ledger init` makes: names, with a table's column names and a function's body."""
    from ledger.attachments import PG_TABLE as PG_EVIDENCE_TABLE
    from ledger.store import _PG_LOGIN_DDL, writers_store_specific

    expected: dict[tuple[str, str], Any] = {}
    found = expected_sqlite(schema)
    for (kind, name), value in found.items():
        if kind == "table":
            expected[("table", name)] = frozenset(c[0] for c in value)
            if any(c[4] for c in value):  # a primary key: PostgreSQL's index of it
                expected[("index", f"{name}_pkey")] = None
        elif kind == "index" and not name.startswith("sqlite_autoindex_"):
            expected[("index", name)] = None
        elif kind == "index":  # a PRIMARY KEY or UNIQUE constraint's index, named as PostgreSQL names it
            table, columns, _ = value
            key = sorted(c[0] for c in found[("table", table)] if c[4])
            names = [c[1] for c in columns]
            if sorted(names) != key:
                expected[("index", f"{table}_{'_'.join(names)}_key")] = None
    expected[("table", "stored_events")] = expected[("table", "stored_events")] | {"notification_id", "login"}
    for key in _PG_LIBRARY:
        expected.setdefault(key, None)
    for statement in [*writers_store_specific(schema.writers, "postgresql"), *_PG_LOGIN_DDL]:
        function = re.match(r"CREATE OR REPLACE FUNCTION (\w+)\(", statement.strip())
        if function:
            expected[("function", function.group(1))] = _dollar_body(statement)
        trigger = re.match(r"CREATE TRIGGER (\w+) (.*) ON (\S+) (.*)", statement.strip())
        if trigger:
            on = trigger.group(3).replace("{table}", "stored_events")
            expected[("trigger", trigger.group(1))] = (on, trigger.group(4).split("EXECUTE FUNCTION ")[-1])
    # Made by the first evidence file attached (ledger.attachments), not by `ledger init`.
    expected[("table", "ledger_evidence")] = frozenset(_columns(PG_EVIDENCE_TABLE))
    expected[("index", "ledger_evidence_pkey")] = None
    return expected


PG_OPTIONAL = frozenset({("table", "ledger_evidence"), ("index", "ledger_evidence_pkey")})


def _columns(create_table: str) -> list[str]:
    body = create_table[create_table.index("(") + 1 : create_table.rindex(")")]
    return [line.split()[0] for line in body.split(",") if line.split() and line.split()[0].upper() not in ("PRIMARY", "UNIQUE")]


def pg_catalog(cursor: Any) -> dict[tuple[str, str], Any]:
    """The store's schema on PostgreSQL, in the shape of expected_pg (only what can act or hide is read)."""
    found: dict[tuple[str, str], Any] = {}
    cursor.execute(
        "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind <> 't'"
    )
    for name, kind in cursor.fetchall():
        found[(_PG_KINDS.get(kind, f"relation ({kind})"), str(name))] = None
    cursor.execute(
        "SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') "
        "AND a.attnum > 0 AND NOT a.attisdropped"
    )
    columns: dict[str, set[str]] = {}
    for table, column in cursor.fetchall():
        columns.setdefault(str(table), set()).add(str(column))
    for table, names in columns.items():
        found[("table", table)] = frozenset(names)
    cursor.execute(
        "SELECT p.proname, p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = current_schema()"
    )
    for name, source in cursor.fetchall():
        found[("function", str(name))] = _normal(source)
    cursor.execute(
        "SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND NOT t.tgisinternal"
    )
    for name, table, definition in cursor.fetchall():
        found[("trigger", str(name))] = (str(table), str(definition).split("EXECUTE FUNCTION ")[-1])
    cursor.execute("SELECT rulename, tablename FROM pg_rules WHERE schemaname = current_schema()")
    for name, table in cursor.fetchall():
        found[("rule", str(name))] = (str(table),)
    cursor.execute("SELECT policyname, tablename FROM pg_policies WHERE schemaname = current_schema()")
    for name, table in cursor.fetchall():
        found[("policy", str(name))] = (str(table),)
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relrowsecurity"
    )
    for (table,) in cursor.fetchall():
        found[("table with row security", str(table))] = (str(table),)
    return found


def check_pg_schema(cursor: Any, where: str, schema: StoreSchema) -> None:
    """As check_sqlite_schema, on PostgreSQL: tables, columns, indexes, views, triggers, functions, rules, policies."""
    compare(pg_catalog(cursor), expected_pg(schema), where, complete=_current(cursor), optional=PG_OPTIONAL | _before_tree(cursor))
