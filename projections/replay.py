"""Rebuilding the read models from the event log alone.

`replay` and every `--as-of` go through here: the stored events are read in
notification (log) order in batches, decoded by the application's mapper,
applied to aggregates held in a dict, and the views of the resulting
aggregates are written, in order of first appearance, into an in-memory
SQLite database with the same schema as the stored read models. The same
query code then reads either database, so the current state and a past state
are computed by one code path.

As-of semantics: `--as-of T` keeps the events *recorded* at or before T (the
event timestamp), i.e. what the ledger knew at T. An act entered later with a
back-dated `--at` is not part of the state as of T, even if its `at` is earlier:
the audit question is "what did the ledger say then?".
"""

from __future__ import annotations

import gc
import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterator
from uuid import UUID

from projections.tables import SCHEMA, SQLITE_TRIGGERS, write_views

BATCH = 5000


def iter_stored(app: Any, *, ids: list[UUID] | None = None, batch: int = BATCH) -> Iterator[tuple[int, Any]]:
    """(global sequence number, StoredEvent) in log order, read in one snapshot."""
    from eventsourcing.persistence import StoredEvent

    recorder = app.recorder
    table = recorder.events_table_name
    # The global sequence number is `rowid` on SQLite, `notification_id` on PostgreSQL.
    position = getattr(recorder, "position_column", "rowid")
    mark = getattr(recorder, "placeholder", "?")
    where = ""
    params: list[Any] = []
    if ids is not None:
        if not ids:
            return
        where = f" AND originator_id IN ({', '.join(mark for _ in ids)})"
        params = [i.hex if position == "rowid" else i for i in ids]
    uuids: dict[Any, UUID] = {}  # one UUID object per aggregate, not one per event
    with recorder.reading() as c:
        last = 0
        while True:
            c.execute(
                f"SELECT {position}, originator_id, originator_version, topic, state FROM {table} "
                f"WHERE {position} > {mark}{where} ORDER BY {position} LIMIT {mark}",
                [last, *params, batch],
            )
            rows = c.fetchall()
            if not rows:
                return
            for row in rows:
                ident = uuids.get(row[1])
                if ident is None:
                    ident = uuids[row[1]] = row[1] if isinstance(row[1], UUID) else UUID(row[1])
                yield row[0], StoredEvent(originator_id=ident, originator_version=row[2], topic=row[3], state=bytes(row[4]))
            last = rows[-1][0]


def iter_events(app: Any, **kwargs: Any) -> Iterator[tuple[int, Any]]:
    """(global sequence number, domain event) in log order."""
    to_domain_event = app.mapper.to_domain_event
    for seq, stored in iter_stored(app, **kwargs):
        yield seq, to_domain_event(stored)


@dataclass
class Rebuilt:
    """Aggregates rebuilt from events, in order of first appearance."""

    aggregates: dict[UUID, Any] = field(default_factory=dict)
    events: int = 0
    last_seq: int = 0

    def views(self) -> list[tuple[str, dict[str, Any]]]:
        from projections.views import read_model_views

        return read_model_views(self.aggregates.values())


@contextmanager
def no_gc() -> Iterator[None]:
    """Nothing built in a replay is cyclic garbage; the collector would only rescan the growing dicts."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def rebuild(app: Any, *, until: datetime | None = None, ids: list[UUID] | None = None) -> Rebuilt:
    """Every aggregate (or those in `ids`) from the events alone (only those recorded at or before `until`)."""
    result = Rebuilt()
    aggregates = result.aggregates
    cut: set[UUID] = set()  # aggregates with a later event skipped: keep their prefix only
    with no_gc():
        for seq, event in iter_events(app, ids=ids):
            result.events += 1
            result.last_seq = seq
            key = event.originator_id
            if until is not None and (key in cut or event.timestamp > until):
                cut.add(key)
                continue
            aggregates[key] = event.mutate(aggregates.get(key))
    if until is not None:
        result.events = sum(a.version for a in aggregates.values())
    return result


def materialise(rebuilt: Rebuilt) -> sqlite3.Connection:
    """The rebuilt read models in an in-memory database with the stored schema."""
    con = sqlite3.connect(":memory:")
    for statement in [*SCHEMA, *SQLITE_TRIGGERS]:
        con.execute(statement)
    with no_gc():
        write_views(con.cursor(), rebuilt.views())
    con.commit()
    return con


def as_of_connection(app: Any, moment: datetime, ids: list[UUID] | None = None) -> sqlite3.Connection:
    """The read models as of `moment`; with `ids`, only those aggregates (relative order is kept)."""
    return materialise(rebuild(app, until=moment, ids=ids))


def scope_ids(app: Any, *, inspection: str | None = None, problem: str | None = None) -> list[UUID] | None:
    """The aggregates a scoped as-of query needs: an inspection and its problems, or one problem."""
    from ledger.domain import inspection_uuid, problem_uuid
    from ledger.values import split_problem_id

    if problem is not None:
        ids = [inspection_uuid(problem.strip())]  # `show` also shows an inspection by its code
        parts = split_problem_id(problem)
        if parts is not None:
            ids += [inspection_uuid(parts[0]), problem_uuid(*parts)]
        return ids
    if inspection is None:
        return None
    with app.recorder.reading() as c:
        c.execute(app._sql("SELECT number FROM ledger_problems WHERE inspection = ?"), (inspection,))
        numbers = [row[0] for row in c.fetchall()]
    return [inspection_uuid(inspection)] + [problem_uuid(inspection, n) for n in numbers]


# -- comparing with the stored read models ---------------------------------------

COMPARED = {
    "ledger_inspections": ("code", "SELECT code, position, data FROM ledger_inspections ORDER BY position"),
    "ledger_problems": (
        "id",
        "SELECT id, inspection, number, position, category, unit, status, type, deadline, relapses, "
        "rules, funds_fen, accountable, clues, data FROM ledger_problems ORDER BY position",
    ),
    "ledger_category_totals": (
        "category",
        "SELECT category, problems, completed, ongoing, relapsed, rules, funds_fen, accountable, clues, first_seen "
        "FROM ledger_category_totals WHERE problems > 0 ORDER BY category",
    ),
}


def _rows(cursor: Any, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    cursor.execute(sql)
    names = [n.strip() for n in sql.split("SELECT ", 1)[1].split(" FROM ", 1)[0].split(",")]
    return names, [tuple(r) for r in cursor.fetchall()]


def _first_json_difference(stored: Any, rebuilt: Any, path: str = "") -> str:
    if isinstance(stored, dict) and isinstance(rebuilt, dict):
        for key in list(stored) + [k for k in rebuilt if k not in stored]:
            if key not in rebuilt:
                return f"{path}{key}: stored has it, replay does not"
            if key not in stored:
                return f"{path}{key}: replay has it, stored does not"
            if stored[key] != rebuilt[key]:
                return _first_json_difference(stored[key], rebuilt[key], f"{path}{key}.")
    if isinstance(stored, list) and isinstance(rebuilt, list) and len(stored) == len(rebuilt):
        for i, (a, b) in enumerate(zip(stored, rebuilt)):
            if a != b:
                return _first_json_difference(a, b, f"{path}{i}.")
    return f"{path.rstrip('.') or 'value'}: stored {json.dumps(stored, ensure_ascii=False)}, replay {json.dumps(rebuilt, ensure_ascii=False)}"


def first_difference(stored_cursor: Any, rebuilt: sqlite3.Connection, style: str = "?") -> str | None:
    """A sentence naming the first difference between the stored and rebuilt read models."""
    from projections.summary import has_totals

    tables = [t for t in COMPARED if t != "ledger_category_totals" or has_totals(stored_cursor, style)]
    with no_gc():
        return _first_difference(stored_cursor, rebuilt, tables)


def _first_difference(stored_cursor: Any, rebuilt: sqlite3.Connection, tables: list[str]) -> str | None:
    for table in tables:
        key, sql = COMPARED[table]
        names, stored_rows = _rows(stored_cursor, sql)
        _, rebuilt_rows = _rows(rebuilt.cursor(), sql)
        stored_by_key = {r[0]: r for r in stored_rows}
        rebuilt_by_key = {r[0]: r for r in rebuilt_rows}
        for r in rebuilt_rows:
            if r[0] not in stored_by_key:
                return f"{table}: {r[0]} is missing from the stored read model"
        for r in stored_rows:
            if r[0] not in rebuilt_by_key:
                return f"{table}: {r[0]} is in the stored read model but no event creates it"
        for r in rebuilt_rows:
            s = stored_by_key[r[0]]
            for name, a, b in zip(names, s, r):
                if a == b:
                    continue
                if name == "data":
                    return f"{table}: {r[0]} data differs at {_first_json_difference(json.loads(a), json.loads(b))}"
                return f"{table}: {r[0]} {name} differs: stored {a!r}, replay {b!r}"
    return None


# -- reading the current state or the state as of a moment -------------------------


class StateReader:
    """A cursor over the read models: the stored ones, or ones rebuilt as of a moment.

    `today` is the day overdue is judged on: the as-of day for a past state.
    """

    def __init__(self, app: Any, as_of: datetime | None = None, *, inspection: str | None = None, problem: str | None = None):
        self.app = app
        self.as_of = as_of
        self.scope = {"inspection": inspection, "problem": problem}
        self._context: Any = None
        self._connection: sqlite3.Connection | None = None

    def __enter__(self) -> "StateReader":
        from datetime import date

        if self.as_of is None:
            self.style = self.app.recorder.placeholder
            self.today = date.today()
            self._context = self.app.recorder.reading()
            self.cursor = self._context.__enter__()
        else:
            self.style = "?"
            self.today = self.as_of.astimezone().date()
            self._connection = as_of_connection(self.app, self.as_of, scope_ids(self.app, **self.scope))
            self.cursor = self._connection.cursor()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._context is not None:
            self._context.__exit__(*exc)
        if self._connection is not None:
            self._connection.close()


def check_as_of(as_of: datetime | None) -> None:
    from ledger.domain import utc_now
    from ledger.errors import InvalidInput

    if as_of is not None and as_of > utc_now():
        raise InvalidInput(f"--as-of {as_of.isoformat()} is in the future")
