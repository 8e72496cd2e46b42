"""Rebuilding the read models from the event log alone.

Every `--as-of` goes through here (`ledger replay` checks the stored read
models aggregate by aggregate instead: projections.read_model_check): the
stored events are read in
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
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterator
from uuid import UUID

from ledger.errors import TamperingFound
from projections.tables import DEADLINE_INDEX, SCHEMA, SQLITE_TRIGGERS, write_views
from ledger.messages import t

BATCH = 5000
ROWS_EVERY = 1000  # aggregates viewed, or rows written, between two reports of progress


def iter_stored(app: Any, *, ids: list[UUID] | None = None, batch: int = BATCH, progress: Any = None) -> Iterator[tuple[int, Any]]:
    """(global sequence number, StoredEvent) in log order, read in one snapshot.

    `progress(done, total)` is told once a batch, never per event: the position reached of
    the last one, or with `ids`, the events read of those aggregates' count."""
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
        last = read = total = 0
        if progress is not None:
            c.execute(f"SELECT COUNT(*) FROM {table} WHERE 1 = 1{where}" if where else f"SELECT COALESCE(MAX({position}), 0) FROM {table}", params)
            total = int(c.fetchone()[0])
            progress(0, total)
        while True:
            c.execute(
                f"SELECT {position}, originator_id, originator_version, topic, state FROM {table} "
                f"WHERE {position} > {mark}{where} ORDER BY {position} LIMIT {mark}",
                [last, *params, batch],
            )
            rows = c.fetchall()
            if not rows:
                if progress is not None:
                    progress(total, total)
                return
            if progress is not None:
                read += len(rows)
                progress(min(read if where else rows[-1][0], total), total)
            for row in rows:
                ident = uuids.get(row[1])
                if ident is None:
                    ident = uuids[row[1]] = stored_uuid(row[0], row[1])
                if type(row[2]) is not int or type(row[3]) is not str or not isinstance(row[4], (bytes, memoryview)):
                    unreadable(row[0], t("has a column of the wrong type"))
                yield row[0], StoredEvent(originator_id=ident, originator_version=row[2], topic=row[3], state=bytes(row[4]))
            last = rows[-1][0]


def stored_uuid(seq: int, value: Any) -> UUID:
    """The aggregate UUID of a stored row, only in the spelling the store writes (see ledger.chain)."""
    if isinstance(value, UUID):
        return value
    if type(value) is str and len(value) == 32 and value == value.lower():
        try:
            return UUID(hex=value)
        except ValueError:
            pass
    unreadable(seq, t("has a re-spelled originator_id {value!r}", value=value))
    raise AssertionError  # unreachable


def unreadable(seq: int, why: str) -> None:
    from ledger.errors import TamperingFound

    raise TamperingFound(seq, t("cannot be read back ({why}): run `ledger audit --verify`", why=why))


def decode(to_domain_event: Any, seq: int, stored: Any) -> Any:
    """The domain event of a stored one; an undecodable event is tampering, named, not a traceback."""
    try:
        return to_domain_event(stored)
    except TamperingFound as e:  # ledger.topics.ForeignTopic: a topic no event of the ledger has (nothing was imported)
        raise TamperingFound(seq, getattr(e, "detail", str(e))) from None
    except Exception as e:  # noqa: BLE001 - whatever the library raises on forged bytes
        unreadable(seq, t("{name__} decoding it", name__=type(e).__name__))


def apply(event: Any, seq: int, aggregate: Any) -> Any:
    try:
        return event.mutate(aggregate)
    except Exception as e:  # noqa: BLE001 - an event that does not fit its aggregate's history
        unreadable(seq, t("{name__} applying it to its aggregate", name__=type(e).__name__))


def iter_events(app: Any, **kwargs: Any) -> Iterator[tuple[int, Any]]:
    """(global sequence number, domain event) in log order."""
    to_domain_event = app.mapper.to_domain_event
    for seq, stored in iter_stored(app, **kwargs):
        yield seq, decode(to_domain_event, seq, stored)


def verify_printed(app: Any, seqs: list[int]) -> None:
    """The events at these sequence numbers (the rows a listing of the whole log prints), checked as verified_events
    checks a selection's: read again by their numbers, their chain links and signatures."""
    from eventsourcing.persistence import StoredEvent

    from ledger.chain import in_batches
    from ledger.signatures import verify_shown

    if not seqs:
        return
    recorder = app.recorder
    position = getattr(recorder, "position_column", "rowid")
    with recorder.reading() as c:
        rows = in_batches(c, getattr(recorder, "placeholder", "?"), f"SELECT {position}, originator_id, originator_version, topic, state "
                           f"FROM {recorder.events_table_name} WHERE {position} IN ({{}})", sorted(set(seqs)))
    stored = []
    for row in rows:
        if type(row[2]) is not int or type(row[3]) is not str or not isinstance(row[4], (bytes, memoryview)):
            unreadable(row[0], t("has a column of the wrong type"))
        stored.append((int(row[0]), StoredEvent(originator_id=stored_uuid(row[0], row[1]), originator_version=row[2], topic=row[3], state=bytes(row[4]))))
    verify_shown(recorder, stored)


def verified_events(app: Any, ids: list[UUID]) -> list[tuple[int, Any]]:
    """(global sequence number, domain event) of the aggregates `ids` in log order, each event's chain link and
    signature checked (ledger.signatures.verify_shown) before anything is decoded: what a reading command
    prints as signed is signed. TamperingFound names the first bad event."""
    from ledger.signatures import verify_shown

    stored = list(iter_stored(app, ids=ids))
    verify_shown(app.recorder, stored)
    to_domain_event = app.mapper.to_domain_event
    return [(seq, decode(to_domain_event, seq, event)) for seq, event in stored]


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
def _closing(generator: Any) -> Iterator[None]:
    """Close a reading generator on an error now, not when collected after the store is closed (a second error)."""
    try:
        yield
    finally:
        generator.close()


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


def rebuild(app: Any, *, until: datetime | None = None, ids: list[UUID] | None = None, by_at: bool = False, progress: Any = None) -> Rebuilt:
    """Every aggregate (or those in `ids`) from the events alone (only those recorded at or before `until`).

    With `by_at`, `until` cuts by when each act happened (its `at`) instead: each
    aggregate keeps its events up to the first one dated after `until`.
    `progress(done, total)` is told once a batch of events read (see `iter_stored`).
    """
    result = Rebuilt()
    aggregates = result.aggregates
    cut: set[UUID] = set()  # aggregates with a later event skipped: keep their prefix only
    events = iter_events(app, ids=ids, progress=progress)
    with no_gc(), _closing(events):
        for seq, event in events:
            result.events += 1
            result.last_seq = seq
            key = event.originator_id
            try:
                when = getattr(event, "at", None) or event.timestamp if by_at else event.timestamp
            except AttributeError:  # a stored state whose time key was re-spelled: named, not a traceback
                unreadable(seq, t("has no recorded time"))
            if until is not None and (key in cut or when > until):
                cut.add(key)
                continue
            aggregates[key] = apply(event, seq, aggregates.get(key))
    if until is not None:
        result.events = sum(a.version for a in aggregates.values())
    return result


def materialise(rebuilt: Rebuilt, progress: Any = None) -> sqlite3.Connection:
    """The rebuilt read models in an in-memory database with the stored schema.

    `progress(done, total)` is told every ROWS_EVERY aggregates viewed and every ROWS_EVERY rows written."""
    con = sqlite3.connect(":memory:")
    from projections.similarity import LINKS_SCHEMA, write_links
    from projections.views import read_model_views

    for statement in [*SCHEMA, DEADLINE_INDEX, *SQLITE_TRIGGERS, *LINKS_SCHEMA]:
        con.execute(statement)
    with no_gc():
        if progress is None:
            views = rebuilt.views()
            write_views(con.cursor(), views)
        else:  # the same views and rows, in batches (each table's rows keep their order)
            aggregates = list(rebuilt.aggregates.values())
            half = max(len(aggregates), 1)  # viewing the aggregates, then writing their rows: about as long
            views = []
            every = ROWS_EVERY
            for start in range(0, len(aggregates), every):
                views += read_model_views(aggregates[start : start + every])
                progress(min(start + every, half), 2 * half)
            for start in range(0, len(views), every):
                write_views(con.cursor(), views[start : start + every])
                progress(half + half * min(start + every, len(views)) // len(views), 2 * half)
            progress(2 * half, 2 * half)
        write_links(con.cursor(), views)  # counted by summary and publish as of then too
    con.commit()
    return con


def _share(progress: Any, start: int, size: int) -> Any:
    """`progress` told in thousandths, a part of the work taking `size` of them from `start`."""
    return lambda done, total: progress(start + size * done // max(total, 1), 1000)


def as_of_connection(app: Any, moment: datetime, ids: list[UUID] | None = None, *, by_at: bool = False, progress: Any = None) -> sqlite3.Connection:
    """The read models as of `moment` (or as at it, `by_at`); with `ids`, only those aggregates (relative order is kept).

    `progress` is told in thousandths: reading the events about half the time, writing the rows the other half."""
    if progress is None:
        return materialise(rebuild(app, until=moment, ids=ids, by_at=by_at))
    rebuilt = rebuild(app, until=moment, ids=ids, by_at=by_at, progress=_share(progress, 0, 500))
    return materialise(rebuilt, _share(progress, 500, 500))


def scope_ids(app: Any, *, inspection: str | None = None, problem: str | None = None) -> list[UUID] | None:
    """The aggregates a scoped as-of query needs: an inspection and its problems, or one problem."""
    from ledger.ids import inspection_uuid, problem_uuid
    from ledger.values import split_problem_id

    if problem is not None:
        ids = [inspection_uuid(problem.strip())]  # `show` also shows an inspection by its code
        parts = split_problem_id(problem)
        if parts is not None:
            ids += [inspection_uuid(parts[0]), problem_uuid(*parts)]
        return ids
    if inspection is None:
        return None
    from projections.status import inspection_aggregate_ids

    with app.recorder.reading() as c:
        return inspection_aggregate_ids(c, inspection, style=app.recorder.placeholder)


# -- reading the current state or the state as of a moment -------------------------


class StateReader:
    """A cursor over the read models: the stored ones, or ones rebuilt as of a moment.

    `today` is the day overdue is judged on: the as-of day for a past state.
    `progress(done, total)` is told how far the rebuild (as of a moment) or the check of every row is.
    """

    def __init__(self, app: Any, as_of: datetime | None = None, *, inspection: str | None = None, problem: str | None = None, checked: bool = False, progress: Any = None):
        self.app = app
        self.progress = progress
        self.as_of = as_of
        self.scope = {"inspection": inspection, "problem": problem}
        # What is signed or published reads the stored rows only once they are proven
        # against the events, in the same snapshot (an inspection's) or the same run.
        self.checked = checked
        self._context: Any = None
        self._connection: sqlite3.Connection | None = None

    def __enter__(self) -> "StateReader":
        from datetime import date

        if self.as_of is None:
            self.style = self.app.recorder.placeholder
            self.today = date.today()
            if self.checked and self.scope["inspection"] is None:
                check_all_rows(self.app, self.progress)
            self._context = self.app.recorder.reading()
            self.cursor = self._context.__enter__()
            if self.checked and self.scope["inspection"] is not None:
                try:
                    check_rows(self.app, self.cursor, self.scope["inspection"])
                except BaseException:
                    self._context.__exit__(None, None, None)
                    raise
        else:
            self.style = "?"
            self.today = self.as_of.astimezone().date()
            by_at = type(self.as_of).__name__ == "AsAt"  # --as-at (commands.asof.AsAt)
            self._connection = as_of_connection(self.app, self.as_of, scope_ids(self.app, **self.scope), by_at=by_at, progress=self.progress)
            self.cursor = self._connection.cursor()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._context is not None:
            self._context.__exit__(*exc)
        if self._connection is not None:
            self._connection.close()


def derived_rows_differ(difference: str) -> Exception:
    from ledger.errors import TamperingFound

    return TamperingFound(t("the derived tables differ from the events: {difference}", difference=difference))


def check_rows(app: Any, cursor: Any, inspection: str) -> None:
    """One inspection's stored rows against its events, through `cursor`; TamperingFound naming the first difference."""
    from projections.read_model_check import check_inspection_rows

    difference = check_inspection_rows(app, cursor, inspection)
    if difference is not None:
        raise derived_rows_differ(difference)


def check_all_rows(app: Any, progress: Any = None) -> None:
    """Every stored row (and the category totals) against the events."""
    from projections.read_model_check import check_read_models

    difference = check_read_models(app, None, jobs=1, progress=progress).difference
    if difference is not None:
        raise derived_rows_differ(difference)


def check_as_of(as_of: datetime | None) -> None:
    from ledger.ids import utc_now
    from ledger.errors import InvalidInput

    if as_of is not None and as_of > utc_now():
        from ledger.values import moment_text

        option = "--as-at" if type(as_of).__name__ == "AsAt" else "--as-of"
        raise InvalidInput(t("{option} {moment_text} is in the future", option=option, moment_text=moment_text(as_of)))
