"""`ledger replay`: check the stored read models against the events, one aggregate at a time.

Events are read in aggregate order (originator ID, then version) through the
event table's primary key, so each aggregate is rebuilt, turned into its view
and compared with its stored row before the next one starts: memory stays
flat however long the log is. The ID space is split into ranges checked by
separate processes (aggregate IDs are uuid5 hashes, so ranges are even).

Besides every row's columns and data, the check covers what depends on more
than one aggregate: each row's `position` (order of first appearance in the
log), rows no event creates, and the per-category totals (which must equal a
recount of the problems just checked).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Sequence
from uuid import UUID

from projections.replay import apply, decode, no_gc, stored_uuid, unreadable
from projections.tables import PROBLEM_COLUMNS, TOTALS_COLUMNS, dumps, placeholder, problem_row, stored_problem_columns
from ledger.chain import default_jobs  # one rule for replay and audit --verify
from ledger.messages import t, tn
from projections.words import Column, DataPath

BATCH = 2000  # events per query, and aggregates per comparison query

# Fewer events than this are checked in the calling process: starting workers would cost more.
PARALLEL_FROM = 50_000


# What each read model holds, keyed by its first column, in a comparable order.
COMPARED = {
    "ledger_inspections": ("code", "SELECT code, position, data FROM ledger_inspections ORDER BY position"),
    "ledger_problems": (
        "id",
        "SELECT id, inspection, number, position, category, unit, status, type, deadline, relapses, "
        "rules, funds_fen, accountable, clues, data, title, person, measures_done, measures_total, escalation "
        "FROM ledger_problems ORDER BY position",
    ),
    "ledger_category_totals": (
        "category",
        f"SELECT {', '.join(TOTALS_COLUMNS)} FROM ledger_category_totals WHERE problems > 0 ORDER BY category",
    ),
}


def _json_difference(stored: Any, rebuilt: Any, path: tuple[str, ...] = ()) -> str:
    if isinstance(stored, dict) and isinstance(rebuilt, dict):
        for key in list(stored) + [k for k in rebuilt if k not in stored]:
            if key not in rebuilt:
                return t("{path}: stored has it, replay does not", path=DataPath((*path, key)))
            if key not in stored:
                return t("{path}: replay has it, stored does not", path=DataPath((*path, key)))
            if stored[key] != rebuilt[key]:
                return _json_difference(stored[key], rebuilt[key], (*path, key))
    if isinstance(stored, list) and isinstance(rebuilt, list) and len(stored) == len(rebuilt):
        for i, (a, b) in enumerate(zip(stored, rebuilt)):
            if a != b:
                return _json_difference(a, b, (*path, str(i)))
    return t("{path}: stored {stored}, replay {rebuilt}", path=DataPath(path or ("value",)), stored=json.dumps(stored, ensure_ascii=False), rebuilt=json.dumps(rebuilt, ensure_ascii=False))


def _row_difference(table: str, key: Any, names: Sequence[str], stored: Sequence[Any], rebuilt: Sequence[Any]) -> str | None:
    """A sentence naming the first column that differs between a stored and a rebuilt row."""
    for name, a, b in zip(names, stored, rebuilt):
        if a == b:
            continue
        if name == "data":
            try:
                return t("{table}: {key} data differs at {where}", table=table, key=key, where=_json_difference(json.loads(a), json.loads(b)))
            except (TypeError, ValueError):  # stored as something that is not JSON text
                pass
        return t("{table}: {key} {name} differs: stored {a!r}, replay {b!r}", table=table, key=key, name=Column(name), a=a, b=b)
    return None


@dataclass
class Difference:
    first_seq: int  # the first event of the aggregate that differs: the earliest is reported
    text: str


@dataclass
class RangeResult:
    events: int = 0
    aggregates: int = 0
    # (first event's position in the log, key) of every rebuilt read-model row, per table
    problems: list[tuple[int, str]] = field(default_factory=list)
    inspections: list[tuple[int, str]] = field(default_factory=list)
    difference: Difference | None = None

    def differ(self, first_seq: int, text: str) -> None:
        if self.difference is None or first_seq < self.difference.first_seq:
            self.difference = Difference(first_seq, text)


def id_ranges(jobs: int, uuid_type: bool) -> list[tuple[Any, Any]]:
    """`jobs` [low, high) ranges of aggregate IDs covering them all (None: unbounded)."""
    bounds: list[Any] = [None]
    for k in range(1, jobs):
        value = k * (1 << 128) // jobs
        bounds.append(UUID(int=value) if uuid_type else f"{value:032x}")
    bounds.append(None)
    return list(zip(bounds[:-1], bounds[1:]))


def _aggregates(rows: Iterable[Sequence[Any]]) -> Iterator[list[tuple[int, Any]]]:
    """Rows of (position, originator_id, originator_version, topic, state) in ID and version order →
    [(position, StoredEvent), ...] of each aggregate; a column of the wrong type is tampering."""
    from eventsourcing.persistence import StoredEvent

    current: Any = None
    events: list[tuple[int, Any]] = []
    ident: UUID | None = None
    for row in rows:
        if row[1] != current:
            if events:
                yield events
            current, events = row[1], []
            ident = stored_uuid(row[0], row[1])
        if type(row[2]) is not int or type(row[3]) is not str or not isinstance(row[4], (bytes, memoryview)):
            unreadable(row[0], t("has a column of the wrong type"))
        events.append((row[0], StoredEvent(originator_id=ident, originator_version=row[2], topic=row[3], state=bytes(row[4]))))
    if events:
        yield events


def iter_aggregate_events(app: Any, low: Any, high: Any) -> Iterator[list[tuple[int, Any]]]:
    """[(position, StoredEvent), ...] of each aggregate in the range, aggregates in ID order."""
    recorder = app.recorder
    with recorder.reading() as c:
        yield from _aggregates(_range_rows(recorder, c, low, high))


def _range_rows(recorder: Any, c: Any, low: Any, high: Any) -> Iterator[Sequence[Any]]:
    """The range's event rows in ID and version order, read a page of BATCH at a time."""
    position = getattr(recorder, "position_column", "rowid")
    mark = getattr(recorder, "placeholder", "?")
    table = recorder.events_table_name
    upper = f" AND originator_id < {mark}" if high is not None else ""
    columns = f"{position}, originator_id, originator_version, topic, state"
    after: tuple[Any, int] | None = None
    while True:
        if after is None:
            where = f"originator_id >= {mark}" if low is not None else "1 = 1"
            params: list[Any] = [low] if low is not None else []
        else:
            where = f"(originator_id, originator_version) > ({mark}, {mark})"
            params = list(after)
        if high is not None:
            params.append(high)
        c.execute(
            f"SELECT {columns} FROM {table} WHERE {where}{upper} "
            f"ORDER BY originator_id, originator_version LIMIT {mark}",
            [*params, BATCH],
        )
        rows = c.fetchall()
        if not rows:
            break
        yield from rows
        after = (rows[-1][1], rows[-1][2])


_INSPECTION_SQL = "SELECT code, data FROM ledger_inspections WHERE code IN ({marks})"


def _compare_batch(
    cursor: Any, style: str, pending: list[tuple[str, int, str, tuple[Any, ...]]], result: RangeResult, columns: tuple[str, ...] = PROBLEM_COLUMNS
) -> None:
    """Compare rebuilt rows (kind, first_seq, key, row) with the stored ones, one query per table."""
    problem_sql = f"SELECT {', '.join(columns)} FROM ledger_problems WHERE id IN ({{marks}})"
    kept = [PROBLEM_COLUMNS.index(c) for c in columns]
    for kind, table, sql, names in (
        ("problem", "ledger_problems", problem_sql, columns),
        ("inspection", "ledger_inspections", _INSPECTION_SQL, ("code", "data")),
    ):
        mine = [(seq, key, row if kind != "problem" or len(kept) == len(row) else tuple(row[i] for i in kept)) for k, seq, key, row in pending if k == kind]
        if not mine:
            continue
        cursor.execute(placeholder(sql.format(marks=", ".join("?" for _ in mine)), style), [key for _, key, _ in mine])
        stored = {r[0]: tuple(r) for r in cursor.fetchall()}
        for seq, key, row in mine:
            theirs = stored.get(key)
            if theirs is None:
                result.differ(seq, t("{table}: {key} is missing from the stored derived tables", table=table, key=key))
                continue
            difference = _row_difference(table, key, names, theirs, row)
            if difference is not None:
                result.differ(seq, difference)


def check_range(app: Any, low: Any, high: Any, progress: Any = None, total: int = 0) -> RangeResult:
    """Rebuild every aggregate in [low, high), comparing each read-model row with the stored one.

    `progress(events rebuilt, total)` is told after each comparison batch: a callback, or a shared
    counter (a worker's, with `.value`) the parent reports."""
    if callable(progress):
        progress(0, total)
    with no_gc(), app.recorder.reading() as stored:
        return check_aggregates(app, stored, iter_aggregate_events(app, low, high), progress, total)


def check_aggregates(app: Any, stored: Any, groups: Any, progress: Any = None, total: int = 0) -> RangeResult:
    """Rebuild each aggregate of `groups` ([(position, StoredEvent), ...] each), comparing its row with the one `stored` reads."""
    try:
        return _check_each(app, stored, groups, progress, total)
    finally:
        # A generator left suspended by an error would close its read transaction only when
        # collected, after the store is closed: a second error, a traceback. Close it now.
        close = getattr(groups, "close", None)
        if close is not None:
            close()


def _check_each(app: Any, stored: Any, groups: Any, progress: Any, total: int) -> RangeResult:
    from ledger.domain import Inspection, Problem
    from projections.views import inspection_view, problem_view

    to_domain_event = app.mapper.to_domain_event
    style = app.recorder.placeholder
    result = RangeResult()
    pending: list[tuple[str, int, str, tuple[Any, ...]]] = []
    columns = stored_problem_columns(stored)
    for events in groups:
        aggregate = None
        for seq, event in events:
            aggregate = apply(decode(to_domain_event, seq, event), seq, aggregate)
        result.events += len(events)
        result.aggregates += 1
        first_seq = events[0][0]  # version 1: where the aggregate first appears in the log
        if isinstance(aggregate, Problem):
            row = problem_row(problem_view(aggregate))
            result.problems.append((first_seq, row[0]))
            pending.append(("problem", first_seq, row[0], row))
        elif isinstance(aggregate, Inspection):
            view = inspection_view(aggregate)
            result.inspections.append((first_seq, view["code"]))
            pending.append(("inspection", first_seq, view["code"], (view["code"], dumps(view))))
        if len(pending) >= BATCH:
            _compare_batch(stored, style, pending, result, columns)
            pending = []
            if progress is not None:
                _tell(progress, result.events, total)
    if pending:
        _compare_batch(stored, style, pending, result, columns)
    return result


def _tell(progress: Any, done: int, total: int) -> None:
    if callable(progress):
        progress(done, total)
    else:  # a worker's share of a counter: what it has added so far is `done`
        progress[1].value += done - progress[0]
        progress[0] = done


def _check_range_in_worker(config: Any, low: Any, high: Any, connection: Any, counter: Any = None) -> None:
    from ledger.application import ReadSide, open_ledger

    try:
        app = open_ledger(config, read_side=ReadSide())  # reads the stored rows and events only: nothing is saved
        try:
            connection.send(("ok", check_range(app, low, high, [0, counter] if counter is not None else None)))
        finally:
            app.close()
    except BaseException as e:  # noqa: BLE001 - reported by the parent as one line
        from ledger.errors import TamperingFound

        if isinstance(e, TamperingFound):
            connection.send(("tampering", e.finding))
        else:
            connection.send(("error", f"{type(e).__name__}: {e}"))
    finally:
        connection.close()




def _merge(results: list[RangeResult]) -> RangeResult:
    total = RangeResult()
    for r in results:
        total.events += r.events
        total.aggregates += r.aggregates
        total.problems.extend(r.problems)
        total.inspections.extend(r.inspections)
        if r.difference is not None:
            total.differ(r.difference.first_seq, r.difference.text)
    return total


def _check_positions(cursor: Any, result: RangeResult) -> str | None:
    """Each stored row's position is its rank by first appearance; no stored row lacks events."""
    for table, key, rebuilt in (
        ("ledger_inspections", "code", result.inspections),
        ("ledger_problems", "id", result.problems),
    ):
        rebuilt.sort()
        expected = {k: n for n, (_, k) in enumerate(rebuilt, 1)}
        cursor.execute(f"SELECT {key}, position FROM {table} ORDER BY position")
        for k, position in cursor.fetchall():
            if k not in expected:
                return t("{table}: {key} is in the stored derived tables but no event creates it", table=table, key=k)
            if position != expected[k]:
                return t("{table}: {key} position differs: stored {a!r}, replay {b!r}", table=table, key=k, a=position, b=expected[k])
    return None


def _check_totals(cursor: Any, style: str) -> str | None:
    """The stored category totals equal a recount of the (just checked) problem rows."""
    from projections.summary import has_totals
    from projections.tables import COUNT_TOTALS, VERIFY_TOTALS

    if not has_totals(cursor, style):
        return None  # a store made before them: `ledger init` adds them
    table = "ledger_category_totals"
    cursor.execute(COMPARED[table][1])
    stored = {r[0]: tuple(r) for r in cursor.fetchall()}
    cursor.execute(VERIFY_TOTALS if "parent" in stored_problem_columns(cursor) else COUNT_TOTALS)
    # PostgreSQL sums integers as numeric: compare as int.
    counted = {r[0]: (r[0], *(int(v) for v in tuple(r)[1:])) for r in cursor.fetchall()}
    for category in sorted(set(stored) | set(counted)):
        if category not in stored:
            return t("{table}: {key} is missing from the stored derived tables", table=table, key=category)
        if category not in counted:
            return t("{table}: {key} is in the stored derived tables but no problem is in it", table=table, key=category)
        difference = _row_difference(table, category, TOTALS_COLUMNS, stored[category], counted[category])
        if difference is not None:
            return difference
    return None


def _check_similarity(cursor: Any, style: str) -> str | None:
    """The similarity index (`ledger similar`) equals one rebuilt from the (just checked) problem rows."""
    from projections.similarity import check_index, has_index

    return check_index(cursor, style) if has_index(cursor, style) else None


# Tables derived from the checked read models (not from one aggregate's events): name → check(cursor, style),
# each returning what differs or None. Run after the rows, positions and totals are checked.
def _check_links(cursor: Any, style: str) -> str | None:
    """The links between problems (屡查屡犯) equal those of the (just checked) problem rows."""
    from projections.similarity import check_links, has_links

    return check_links(cursor, style) if has_links(cursor, style) else None


DERIVED_CHECKS = {"similarity_index": _check_similarity, "problem_links": _check_links}


@dataclass
class CheckResult:
    events: int
    aggregates: int
    jobs: int
    difference: str | None


def check_read_models(app: Any, config: Any, jobs: int | None = None, progress: Any = None) -> CheckResult:
    """Rebuild every aggregate from its events and compare with the stored read models.

    `progress(events rebuilt, total)` is told every BATCH aggregates (from the workers too)."""
    recorder = app.recorder
    position = getattr(recorder, "position_column", "rowid")
    with recorder.reading() as c:
        c.execute(f"SELECT COALESCE(MAX({position}), 0) FROM {recorder.events_table_name}")
        size = int(c.fetchone()[0])
    if jobs is None:
        jobs = default_jobs() if size >= PARALLEL_FROM else 1
    uuid_type = position != "rowid"
    ranges = id_ranges(jobs, uuid_type)
    if jobs == 1:
        results = [check_range(app, *ranges[0], progress=progress, total=size)]
    else:
        results = _run_workers(config, ranges, progress, size)
    merged = _merge(results)
    with no_gc(), recorder.reading() as c:
        difference = merged.difference.text if merged.difference else None
        difference = difference or _check_positions(c, merged) or _check_totals(c, recorder.placeholder)
        for check in DERIVED_CHECKS.values():
            difference = difference or check(c, recorder.placeholder)
    return CheckResult(events=merged.events, aggregates=merged.aggregates, jobs=jobs, difference=difference)


def _run_workers(config: Any, ranges: list[tuple[Any, Any]], progress: Any = None, size: int = 0) -> list[RangeResult]:
    import multiprocessing

    from ledger.errors import StoreError

    context = multiprocessing.get_context("fork")
    counter = context.Value("q", 0, lock=False) if progress is not None else None
    if progress is not None:
        progress(0, size)
    workers = []
    for low, high in ranges:
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_check_range_in_worker, args=(config, low, high, sender, counter), daemon=True)
        process.start()
        sender.close()
        workers.append((process, receiver))
    results: list[RangeResult] = []
    errors: list[str] = []
    tampering: list[str] = []
    for process, receiver in workers:
        try:
            while counter is not None and not receiver.poll(0.2):
                progress(counter.value, size)
            status, payload = receiver.recv()
        except EOFError:
            status, payload = "error", f"a replay worker stopped (exit code {process.exitcode})"
        process.join()
        if status == "ok":
            results.append(payload)
        elif status == "tampering":
            tampering.append(payload)
        else:
            errors.append(payload)
    if tampering:
        from ledger.errors import TamperingFound

        raise TamperingFound(min(tampering, key=str))
    if errors:
        raise StoreError(t("replay failed: {value}", value=errors[0]))
    return results


# -- the derived rows a signed or published figure rests on, checked in the same snapshot ----------

REGISTERED_PROBLEM = "ledger.domain:Problem.Registered"


def _scope_groups(app: Any, cursor: Any, ids: list[Any]) -> Iterator[list[tuple[int, Any]]]:
    """[(position, StoredEvent), ...] of each aggregate in `ids`, read through `cursor` (its snapshot)."""
    yield from _aggregates(_scope_rows(app.recorder, cursor, ids))


def _scope_rows(recorder: Any, cursor: Any, ids: list[Any]) -> Iterator[Sequence[Any]]:
    """The event rows of the aggregates in `ids`, in ID and version order (pages of whole aggregates)."""
    position = getattr(recorder, "position_column", "rowid")
    mark = getattr(recorder, "placeholder", "?")
    keys = sorted({i.hex if position == "rowid" else i for i in ids})
    for start in range(0, len(keys), BATCH):
        part = keys[start : start + BATCH]
        cursor.execute(
            f"SELECT {position}, originator_id, originator_version, topic, state FROM {recorder.events_table_name} "
            f"WHERE originator_id IN ({', '.join(mark for _ in part)}) ORDER BY originator_id, originator_version",
            part,
        )
        yield from cursor.fetchall()


def check_inspection_rows(app: Any, cursor: Any, code: str) -> str | None:
    """The stored rows of one inspection and its problems against its events, read through `cursor`; the first difference.

    Its problems are found both ways: the stored rows of the inspection, and the events
    that register a problem of it (so a stored row deleted by hand is missed, not skipped).
    The order of the rows (their positions) must be the order the events first appear in.
    """
    from ledger.ids import inspection_uuid

    recorder = app.recorder
    position = getattr(recorder, "position_column", "rowid")
    style = getattr(recorder, "placeholder", "?")
    cursor.execute(placeholder("SELECT id, position FROM ledger_problems WHERE inspection = ?", style), (code,))
    stored = {str(r[0]): r[1] for r in cursor.fetchall()}
    registered = json.dumps({"inspection": code}, ensure_ascii=False, separators=(",", ":"))[1:-1].encode()
    if position == "rowid":
        cursor.execute(
            f"SELECT DISTINCT originator_id FROM {recorder.events_table_name} WHERE topic = ? AND instr(state, ?) > 0",
            (REGISTERED_PROBLEM, registered),
        )
    else:
        cursor.execute(
            f"SELECT DISTINCT originator_id FROM {recorder.events_table_name} WHERE topic = %s AND position(%s::bytea IN state) > 0",
            (REGISTERED_PROBLEM, registered),
        )
    ids = [inspection_uuid(code)] + [stored_uuid(0, r[0]) for r in cursor.fetchall()]
    ids += [_problem_uuid(key) for key in stored]
    with no_gc():
        result = check_aggregates(app, cursor, _scope_groups(app, cursor, [i for i in ids if i is not None]))
    if result.difference is not None:
        return result.difference.text
    cursor.execute(placeholder("SELECT id, inspection FROM ledger_problems WHERE id IN ({})".format(", ".join("?" for _ in result.problems) or "NULL"), style), [k for _, k in result.problems])
    in_scope = {str(r[0]) for r in cursor.fetchall() if r[1] == code}
    for key in sorted(set(stored) - in_scope):
        return t("{table}: {key} is in the stored derived tables but no event creates it", table="ledger_problems", key=key)
    by_events = [k for _, k in sorted(result.problems) if k in in_scope]
    by_position = sorted(in_scope, key=lambda k: stored[k])
    for mine, theirs in zip(by_events, by_position):
        if mine != theirs:
            return t("{table}: {key} position differs: stored {a!r}, replay places {mine} there", table="ledger_problems", key=theirs, a=stored[theirs], mine=mine)
    return None


def _problem_uuid(key: str) -> Any:
    from ledger.ids import problem_uuid
    from ledger.values import split_problem_id

    parts = split_problem_id(key)
    return problem_uuid(*parts) if parts is not None else None


# -- the derived rows against the digests the chain covers (`audit --verify`, `doctor`, `/verify`) ----------

# Each derived table whose rows' digests are committed: its key column and the columns of its row form
# (ledger.chain.row_form), as projections.tables writes them; `position` is checked apart.
DIGESTED = {
    "ledger_inspections": ("code", ("code", "data")),
    "ledger_problems": ("id", PROBLEM_COLUMNS),
}

_LATEST = {
    "?": "SELECT tbl, key, max(seq), digest FROM ledger_row_digests GROUP BY tbl, key",
    "%s": "SELECT DISTINCT ON (tbl, key) tbl, key, seq, digest FROM ledger_row_digests ORDER BY tbl, key, seq DESC",
}
_FIRST = {
    "?": "SELECT tbl, key, min(seq), ord FROM ledger_row_digests GROUP BY tbl, key",
    "%s": "SELECT DISTINCT ON (tbl, key) tbl, key, seq, ord FROM ledger_row_digests ORDER BY tbl, key, seq",
}


class _NoDigests(Exception):
    """Rows written before the digests existed (a store upgraded from an earlier version): rebuild instead."""


def check_by_digests(app: Any, cursor: Any) -> str | None:
    """Every derived row against the latest digest the chain committed for it; the first difference, or None.

    Each row of DIGESTED is read once and its row form hashed: a row with no digest, a digest with no
    row, or a digest that differs is a difference, named (table, row, column) by rebuilding that one
    aggregate from its events. Positions must be the order the rows were first written in (the
    sequence number their digest was first recorded at, then their place in that write); the category
    totals a recount of the problems, the similarity index and links as from the problems. Raises
    _NoDigests when a row has none at all (written before the digests: the caller rebuilds everything).
    """
    from ledger.chain import hasher, recorded_algorithm, row_form
    from ledger.schema import has_table

    style = app.recorder.placeholder
    if not has_table(cursor, "ledger_row_digests", postgres=style != "?"):
        raise _NoDigests
    h = hasher(recorded_algorithm(cursor))
    cursor.execute(_LATEST[style])
    latest = {(r[0], r[1]): bytes(r[3]) for r in cursor.fetchall()}
    cursor.execute(_FIRST[style])
    first = {(r[0], r[1]): (r[2], r[3]) for r in cursor.fetchall()}
    present = set(stored_problem_columns(cursor))
    upgraded = _upgraded(cursor)
    for table, (_, columns) in DIGESTED.items():
        if not set(columns) <= present | {"code", "data"}:
            raise _NoDigests  # a store not yet upgraded: `ledger init` adds the columns
        cursor.execute(f"SELECT {', '.join(columns)}, position FROM {table}")
        stored = cursor.fetchall()
        positions: dict[str, Any] = {}
        differs: list[str] = []
        missing: list[str] = []  # rows with no digest committed
        for row in stored:
            key = row[0]
            positions[key] = row[-1]
            digest = latest.get((table, key))
            if digest is None:
                if upgraded:
                    raise _NoDigests
                missing.append(key)
                continue
            try:
                mine = h(row_form(table, tuple(row[:-1]))).digest()
            except (TypeError, ValueError):
                mine = None  # a value of a type the ledger never writes
            if mine != digest:
                differs.append(key)
        for key in sorted(str(k) for k in missing):
            return _name_row(app, cursor, table, key, t("{table}: {key} has no digest committed for it (written by hand)", table=table, key=key))
        for key in sorted(str(k) for k in differs):
            return _name_row(app, cursor, table, key)
        for (t_, key) in sorted(latest):
            if t_ == table and key not in positions:
                return t("{table}: {key} is missing from the stored derived tables", table=table, key=key)
        ranked = sorted(positions, key=lambda k: first[(table, k)])  # every row has a digest by now
        for n, key in enumerate(ranked, 1):
            if positions[key] != n:
                return t("{table}: {key} position differs: stored {a!r}, replay {b!r}", table=table, key=key, a=positions[key], b=n)
    difference = _check_totals(cursor, style)
    for check in DERIVED_CHECKS.values():
        difference = difference or check(cursor, style)
    return difference


def _upgraded(cursor: Any) -> bool:
    """Whether the store was upgraded from a schema without digests (`ledger init` notes when): rows written before have none."""
    cursor.execute("SELECT 1 FROM ledger_meta WHERE key = 'digests_since'")
    return cursor.fetchone() is not None


def _name_row(app: Any, cursor: Any, table: str, key: str, otherwise: str | None = None) -> str:
    """What differs in one derived row, named by rebuilding its aggregate from its events (table, row, column)."""
    from ledger.ids import inspection_uuid

    ident = inspection_uuid(key) if table == "ledger_inspections" else _problem_uuid(key)
    if ident is not None:
        with no_gc():
            result = check_aggregates(app, cursor, _scope_groups(app, cursor, [ident]))
        if result.difference is not None:
            return result.difference.text
        if result.aggregates:
            return otherwise or t("{table}: {key} differs from the digest the chain committed for it", table=table, key=key)
    return t("{table}: {key} is in the stored derived tables but no event creates it", table=table, key=key)


def derived_tables_step(app: Any, config: Any, jobs: int | None = None, *, full: bool = False) -> str:
    """Every derived table against the events: a line saying so, or TamperingFound naming table, row and column.

    By the digests the chain committed (one read of every row); `full`, or a store with rows written
    before the digests, by rebuilding every aggregate from its events (what `replay` does)."""
    from projections.replay import derived_rows_differ

    if not full:
        try:
            with no_gc(), app.recorder.reading() as c:
                difference = check_by_digests(app, c)
                c.execute("SELECT count(*) FROM ledger_problems")
                problems = int(c.fetchone()[0])
                c.execute("SELECT count(*) FROM ledger_inspections")
                inspections = int(c.fetchone()[0])
        except _NoDigests:
            pass
        else:
            if difference is not None:
                raise derived_rows_differ(difference)
            detail = tn("{rows} row, matching the digest the chain committed for it", "{rows} rows, each matches the digest the chain committed for it", problems + inspections, rows=problems + inspections)
            return t("derived tables: {detail}", detail=detail)
    result = check_read_models(app, config, jobs)
    if result.difference is not None:
        raise derived_rows_differ(result.difference)
    detail = t("{aggregates} rebuilt from {events}, every row matches", aggregates=tn("{n} aggregate", "{n} aggregates", result.aggregates, n=result.aggregates), events=tn("{n} event", "{n} events", result.events, n=result.events))
    return t("derived tables: {detail}", detail=detail)


# -- one derived row a reading command prints (`show`, the web's problem page), checked before it is printed -------


def check_shown_row(app: Any, cursor: Any, table: str, key: str) -> None:
    """One stored row a reading command prints (`show`, the web's problem page), checked as check_shown_rows does."""
    check_shown_rows(app, cursor, table, [key])


def check_shown_rows(app: Any, cursor: Any, table: str, keys: list[str], rebuild: bool = True) -> int:
    """Stored rows against the latest digest the chain committed for each, and those digests against the links that
    cover them (ledger.chain.check_links), read through `cursor` (the snapshot the rows are printed from).

    TamperingFound (exit 4) naming the column that differs, found by rebuilding that one aggregate from its
    events; a row and digest forged together break the covering link, and are named the same way (or, when
    the rebuilt row agrees, by that link's event). A few queries and a hash a row.

    A row written before the digests (a store `ledger init` upgraded, not written since) has none: it is
    rebuilt from its events, or with `rebuild=False` (a listing: a rebuild a row would cost far more) left
    unchecked. Returns how many rows were left unchecked."""
    from types import SimpleNamespace

    from ledger.chain import check_links, hasher, in_batches, recorded_algorithm, row_form
    from ledger.errors import TamperingFound
    from ledger.schema import has_table
    from projections.replay import derived_rows_differ

    if not keys:
        return 0
    recorder = app.recorder
    style = recorder.placeholder
    key_column, columns = DIGESTED[table]
    if not has_table(cursor, "ledger_row_digests", postgres=style != "?") or not set(columns) <= set(stored_problem_columns(cursor)) | {"code", "data"}:
        if not rebuild:
            return len(keys)
        for key in keys:  # a store not yet upgraded: against the events
            _raise_rebuilt(app, cursor, table, key)
        return 0
    rows = {r[0]: tuple(r) for r in in_batches(cursor, style, f"SELECT {', '.join(columns)} FROM {table} WHERE {key_column} IN ({{}})", list(keys))}
    latest: dict[str, tuple[int, Any]] = {}
    for key, seq, digest in in_batches(cursor, style, f"SELECT key, seq, digest FROM ledger_row_digests WHERE tbl = '{table}' AND key IN ({{}})", list(rows)):
        if key not in latest or seq > latest[key][0]:
            latest[key] = (seq, digest)
    h = hasher(recorded_algorithm(cursor))
    upgraded: bool | None = None
    unchecked = 0
    for key, row in rows.items():
        if key not in latest:
            upgraded = _upgraded(cursor) if upgraded is None else upgraded
            if upgraded:  # written before the digests: against the events
                if rebuild:
                    _raise_rebuilt(app, cursor, table, key)
                else:
                    unchecked += 1
                continue
            raise derived_rows_differ(_name_row(app, cursor, table, key, t("{table}: {key} has no digest committed for it (written by hand)", table=table, key=key)))
        try:
            mine = h(row_form(table, row)).digest()
        except (TypeError, ValueError):
            mine = None  # a value of a type the ledger never writes
        digest = latest[key][1]
        if mine != (bytes(digest) if isinstance(digest, (bytes, memoryview)) else None):
            raise derived_rows_differ(_name_row(app, cursor, table, key))
    covering: dict[int, list[str]] = {}
    for key, (seq, _) in latest.items():
        covering.setdefault(seq, []).append(key)
    position = getattr(recorder, "position_column", "rowid")
    found = {r[0]: SimpleNamespace(originator_id=r[1], originator_version=r[2], topic=r[3], state=r[4]) for r in in_batches(
        cursor, style, f"SELECT {position}, originator_id, originator_version, topic, state FROM {recorder.events_table_name} WHERE {position} IN ({{}})", sorted(covering))}
    for seq in sorted(covering):
        if seq not in found:
            raise TamperingFound(seq, t("has derived-row digests recorded but no event (the event deleted, or the digests inserted after the fact)"))
    try:
        check_links(cursor, style, sorted(found.items()))
    except TamperingFound as e:
        for key in covering.get(e.seq or 0, []):  # a row forged with its digest: name the column
            _raise_rebuilt(app, cursor, table, key)
        raise
    return unchecked


def _raise_rebuilt(app: Any, cursor: Any, table: str, key: str) -> None:
    from projections.replay import derived_rows_differ

    difference = _rebuilt_difference(app, cursor, table, key)
    if difference is not None:
        raise derived_rows_differ(difference) from None


# A listing checks the first this many rows it prints (a terminal's 30, an inspection's, a round's: all of them);
# beyond, a row costs ~45 µs to check and a province's 115,000 would take 5.6 s, more than the listing itself
# (3.65 s -> 8.89 s for `status --format csv`), so the rest are printed unchecked and the listing says so
# (`ledger audit --verify` checks them all).
CHECKED_ROWS = 2000
CHECK_BATCH = 500


class ShownRows:
    """The stored rows a listing prints, checked (check_shown_rows) a batch at a time before the batch is printed,
    up to `limit` rows; `unchecked` counts the rows printed beyond. `cursor`: a second cursor in the listing's
    snapshot (the first one is being read)."""

    def __init__(self, app: Any, cursor: Any) -> None:
        self.app, self.cursor, self.limit, self.batch = app, cursor, CHECKED_ROWS, CHECK_BATCH
        self.checked = self.unchecked = 0

    def _check(self, keys: list[str]) -> None:
        for start in range(0, len(keys), self.batch):
            part = keys[start : start + self.batch]
            if self.checked + self.unchecked >= self.limit:
                self.unchecked += len(part)
                continue
            left = check_shown_rows(self.app, self.cursor, "ledger_problems", part, rebuild=False)
            self.checked += len(part) - left
            self.unchecked += left

    def rows(self, records: Iterable[dict[str, Any]], key: str = "id") -> Iterator[dict[str, Any]]:
        pending: list[dict[str, Any]] = []
        for record in records:
            pending.append(record)
            if len(pending) >= self.batch:
                self._check([str(r[key]) for r in pending])
                yield from pending
                pending = []
        if pending:
            self._check([str(r[key]) for r in pending])
            yield from pending

    def batches(self, batches: Iterable[Sequence[Any]], key: int = 0) -> Iterator[Sequence[Any]]:
        for batch in batches:
            self._check([str(row[key]) for row in batch])
            yield batch


def _rebuilt_difference(app: Any, cursor: Any, table: str, key: str) -> str | None:
    """What differs between one stored row and its aggregate rebuilt from its events, or None."""
    from ledger.ids import inspection_uuid

    ident = inspection_uuid(key) if table == "ledger_inspections" else _problem_uuid(key)
    if ident is None:
        return None
    with no_gc():
        result = check_aggregates(app, cursor, _scope_groups(app, cursor, [ident]))
    return result.difference.text if result.difference is not None else None
