"""Current status of problems, read from the stored read model (no replay)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from projections.deadlines import overdue_sql, unrectified_sql, watched_row
from projections.tables import placeholder, problem_filters
from projections.views import INSPECTION_DEFAULTS, merge_headings, own_columns, with_overdue
from ledger.messages import t


def problem_query(
    *,
    style: str = "?",
    today: date,
    inspection: str | None = None,
    category: str | None = None,
    unit: str | None = None,
    status: str | None = None,
    overdue: bool = False,
    ids: list[str] | None = None,
    inspections: list[str] | None = None,
    light: str | None = None,
    lights: Any = None,
    select: str = "p.data",
    order: str | None = "register",
    limit: int | None = None,
    offset: int | None = None,
    band: str | None = None,
    keys: list[int] | None = None,
) -> tuple[str, list[Any]]:
    """The query for problem views in register order (inspection order, then number).

    `order` "urgency": open problems with a deadline first, earliest deadline first (red, then
    yellow, then green: the lights are bands of days to the deadline), then the rest in register
    order; None: no order (for a count). `limit`: at most that many rows (after the first `offset`). `band` "warned" or "rest":
    only the open problems with a deadline, or only the others; `keys`: only these entry keys (KEY).

    `light` (red, yellow, green or none) keeps the problems with that light under the `lights` thresholds.
    `select` is what each row holds: the JSON view, or STATUS_SELECT (the flat status rows).
    """
    where, params = problem_filters(inspection=inspection, category=category, unit=unit, status=status, ids=ids)
    if inspections is not None:  # a round's inspections
        where += (" AND " if where else " WHERE ") + f"p.inspection IN ({', '.join('?' for _ in inspections)})"
        params.extend(inspections)
    if overdue:
        where += (" AND " if where else " WHERE ") + overdue_sql(prefix="")
        params.append(today.isoformat())
    if band is not None:
        where += (" AND " if where else " WHERE ") + (f"({_WARNED})" if band == "warned" else f"NOT ({_WARNED})")
    if keys is not None:
        where += (" AND " if where else " WHERE ") + (f"{entry_key(style)} IN ({', '.join('?' for _ in keys)})" if keys else "1 = 0")
        params.extend(keys)
    if light is not None:
        condition, values = _light_condition(light, today, lights)
        where += (" AND " if where else " WHERE ") + condition
        params.extend(values)
    sql = (
        f"SELECT {select} FROM ledger_problems p "
        "LEFT JOIN ledger_inspections i ON i.code = p.inspection"
        + where.replace(" inspection =", " p.inspection =")
        + (ORDERS[order].format(key=entry_key(style)) if order else "")
        + (f" LIMIT {int(limit)}" if limit is not None else "")
        + (f" OFFSET {int(offset)}" if offset is not None else "")
    )
    return placeholder(sql, style), params


_WARNED = unrectified_sql()
ORDERS = {
    "register": " ORDER BY i.position, p.number",
    # Ties on a deadline go in the order the problems were entered ({key}).
    "urgency": f" ORDER BY CASE WHEN {_WARNED} THEN 0 ELSE 1 END, CASE WHEN {_WARNED} THEN p.deadline END, "
               f"CASE WHEN {_WARNED} THEN {{key}} END, i.position, p.number",
    "deadline": " ORDER BY p.deadline, {key}",
}


def entry_key(style: str) -> str:
    """The column in the order problems were entered: SQLite's rowid (in every index, so the most urgent are found
    from the (status, deadline) index alone, without reading a row), PostgreSQL's position."""
    return "p.rowid" if style == "?" else "p.position"


def most_urgent(cursor: Any, *, limit: int, **query: Any) -> list[tuple[str, list[Any]]]:
    """The queries for the `limit` most urgent problems (order "urgency"), each reading no more rows than it shows.

    First the keys of the open problems with the earliest deadlines, from an index; then, if they are
    fewer than `limit`, the first of the others in register order. A whole-table sort would read every
    problem's row (its view included) to show thirty.
    """
    style = query.get("style", "?")
    select = query.pop("select")
    cursor.execute(*problem_query(**query, select=entry_key(style), order="deadline", band="warned", limit=limit))
    keys = [row[0] for row in cursor.fetchall()]
    found = [problem_query(**query, select=select, order="urgency", keys=keys)] if keys else []
    if len(keys) < limit:
        found.append(problem_query(**query, select=select, order="register", band="rest", limit=limit - len(keys)))
    return found


def kept_columns(cursor: Any, *, style: str, **query: Any) -> list[str]:
    """The headings of a 台账's own columns (kept as the file had them) that the selected problems carry, in the
    order first met: the columns a csv listing adds. Only the views holding some are decoded."""
    sql, params = problem_query(**query, style=style, select="p.data", order=None)
    mark = "?" if style == "?" else style
    # a mapping (earlier imports) or [heading, cell] pairs in the file's order
    cursor.execute(f"SELECT q.data FROM ({sql}) q WHERE q.data LIKE {mark} OR q.data LIKE {mark}", [*params, '%"columns":{%', '%"columns":[[%'])
    raw = getattr(cursor, "sqlite_cursor", cursor)
    found: list[str] = []
    while True:
        rows = raw.fetchmany(500)
        if not rows:
            return found
        for (data,) in rows:
            merge_headings(found, own_columns(json.loads(data)))


def count_problems(cursor: Any, sql: str, params: list[Any]) -> int:
    """How many rows a problem_query(order=None) selecting COUNT(*) counts."""
    cursor.execute(sql, params)
    return int(cursor.fetchone()[0])


LIGHT_CHOICES = ("red", "yellow", "green", "none")


def _light_condition(light: str, today: date, lights: Any) -> tuple[str, list[Any]]:
    """SQL for one light, the same days as projections.deadlines.light."""
    from projections.deadlines import light_bounds

    start, yellow_end, green_end = light_bounds(today, lights)
    warned = unrectified_sql(prefix="")
    if light == "red":
        return f"({warned} AND deadline < ?)", [start]
    if light == "yellow":
        return f"({warned} AND deadline >= ? AND deadline <= ?)", [start, yellow_end]
    if light == "green":
        return f"({warned} AND deadline > ? AND deadline <= ?)", [yellow_end, green_end]
    if light == "none":
        return f"(NOT ({warned}) OR deadline > ?)", [green_end]
    raise ValueError(t("not a light: {light}", light=light))


def load_problems(
    cursor: Any,
    *,
    style: str = "?",
    today: date,
    inspection: str | None = None,
    category: str | None = None,
    unit: str | None = None,
    status: str | None = None,
    overdue: bool = False,
    ids: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Problem views in register order (inspection order, then number), with `overdue` for `today`."""
    sql, params = problem_query(
        style=style, today=today, inspection=inspection, category=category, unit=unit, status=status, overdue=overdue, ids=ids
    )
    return list(iter_problems(cursor, sql=sql, params=params, today=today))


def iter_problems(cursor: Any, *, sql: str, params: list[Any], today: date) -> Any:
    """The views one at a time, so that a province-size listing never holds them all."""
    cursor.execute(sql, params)
    # eventsourcing's SQLite cursor wrapper has only fetchone/fetchall.
    raw = getattr(cursor, "sqlite_cursor", cursor)
    while True:
        rows = raw.fetchmany(500)
        if not rows:
            return
        for row in rows:
            yield with_overdue(json.loads(row[0]), today)


def problem_page(cursor: Any, *, page: int, size: int, style: str = "?", today: date, lights: Any = None, **filters: Any) -> tuple[list[dict[str, Any]], bool]:
    """Page `page` (from 1) of the filtered problem views in register order, `size` a page; (views, whether more follow)."""
    sql, params = problem_query(style=style, today=today, lights=lights, limit=size + 1, offset=(page - 1) * size, **filters)
    views = list(iter_problems(cursor, sql=sql, params=params, today=today))
    return views[:size], len(views) > size


def problem_count(cursor: Any, *, style: str = "?", today: date, lights: Any = None, **filters: Any) -> int:
    """How many problem views `problem_page` pages through (the same filters)."""
    sql, params = problem_query(style=style, today=today, lights=lights, select="COUNT(*)", order=None, **filters)
    cursor.execute(sql, params)
    return int(cursor.fetchone()[0])


# The problem columns a list is filtered by (the web view's choices), and the query for their values.
_VALUES_OF = {
    column: f"SELECT DISTINCT {column} FROM ledger_problems WHERE {column} IS NOT NULL ORDER BY {column}"
    for column in ("category", "unit")
}


def problem_field_values(cursor: Any, column: str) -> list[str]:
    """The distinct values of `column` (category or unit) over all problems, sorted."""
    cursor.execute(_VALUES_OF[column])
    return [row[0] for row in cursor.fetchall()]


def problem_numbers(cursor: Any, inspection: str, *, style: str = "?") -> list[int]:
    """The numbers of an inspection's problems, in order."""
    cursor.execute(placeholder("SELECT number FROM ledger_problems WHERE inspection = ? ORDER BY number", style), (inspection,))
    return [int(row[0]) for row in cursor.fetchall()]


def inspection_aggregate_ids(cursor: Any, inspection: str, *, style: str = "?") -> list[Any]:
    """The aggregates of an inspection's record: the inspection, then each of its problems in order."""
    from ledger.ids import inspection_uuid, problem_uuid

    return [inspection_uuid(inspection)] + [problem_uuid(inspection, n) for n in problem_numbers(cursor, inspection, style=style)]


def find_problem(cursor: Any, typed: str, *, style: str = "?", today: date) -> dict[str, Any] | None:
    """The problem whose ID is `typed` as a reader typed it (spaces, full-width forms…), or None."""
    from ledger.values import problem_display_id, split_problem_id

    parts = split_problem_id(typed)
    return load_problem(cursor, problem_display_id(*parts), style=style, today=today) if parts else None


def load_problem(cursor: Any, problem_id: str, *, style: str = "?", today: date) -> dict[str, Any] | None:
    cursor.execute(placeholder("SELECT data FROM ledger_problems WHERE id = ?", style), (problem_id,))
    row = cursor.fetchone()
    return with_overdue(json.loads(row[0]), today) if row else None


def with_relapse_facts(cursor: Any, view: dict[str, Any], *, style: str = "?", earlier: Any = None) -> dict[str, Any]:
    """`view` with each recurrence link to an earlier problem saying whether it counted as a relapse (计为反弹), as the
    earlier problem records it: a confirmed recurrence of a signed-off problem is a relapse of the OLD problem (its
    FoundAgain entry decides, from its status then). The later side's own Linked entry does not carry the fact, so it
    read 否 where the other side read 是; now a link reads one fact from both sides. `earlier(id)`: the earlier
    problem's view where `cursor` does not hold it (a state rebuilt as of a moment for one problem)."""
    links = view.get("links")
    if not links or not any(k.get("direction") == "earlier" and "relapse" not in k for k in links):
        return view
    out = []
    for link in links:
        if link.get("direction") == "earlier" and "relapse" not in link:
            found = load_problem(cursor, link["problem"], style=style, today=date.today())
            if found is None and earlier is not None:
                found = earlier(link["problem"])
            theirs = next((k for k in (found or {}).get("links", ()) if k["problem"] == view["id"] and k["direction"] == "later"), None)
            if theirs is not None:
                link = {**link, "relapse": bool(theirs.get("relapse"))}
        out.append(link)
    return {**view, "links": out}


def load_inspection(cursor: Any, code: str, *, style: str = "?") -> dict[str, Any] | None:
    cursor.execute(placeholder("SELECT data FROM ledger_inspections WHERE code = ?", style), (code,))
    row = cursor.fetchone()
    return {**INSPECTION_DEFAULTS, **json.loads(row[0])} if row else None


def stored_inspections(cursor: Any) -> list[dict[str, Any]]:
    """The inspection views in register order, as stored (the web view's lists and JSON)."""
    cursor.execute("SELECT data FROM ledger_inspections ORDER BY position")
    return [json.loads(row[0]) for row in cursor.fetchall()]


def load_inspections(cursor: Any, *, style: str = "?", round: str | None = None) -> list[dict[str, Any]]:  # noqa: A002
    """Inspection views in register order; with `round`, only that round's (轮次)."""
    found = [{**INSPECTION_DEFAULTS, **view} for view in stored_inspections(cursor)]
    return found if round is None else [i for i in found if i["round"] == round]


STATUS_COLUMNS = ("id", "category", "title", "type", "status", "unit", "person", "deadline", "overdue", "measures", "relapses", "escalation")


def status_row(view: dict[str, Any]) -> dict[str, Any]:
    """The flat row `ledger status` prints for one problem."""
    assignee = view.get("assignee") or {}
    done = sum(1 for m in view["measures"] if m["status"] == "done")
    return {
        "id": view["id"],
        "category": view["category"],
        "title": view["title"],
        "type": view["type"],
        "status": view["status"],
        "unit": assignee.get("unit"),
        "person": assignee.get("person"),
        "deadline": view["deadline"],
        "overdue": view["overdue"],
        "measures": f"{done}/{len(view['measures'])}",
        "relapses": view["relapses"],
        "escalation": view.get("escalation"),
    }


# The status rows straight from the read model's columns (schema 4): no JSON view is decoded.
STATUS_SELECT = (
    "p.id, p.category, p.title, p.type, p.status, p.unit, p.person, p.deadline, "
    "p.measures_done, p.measures_total, p.relapses, p.escalation"
)


def has_status_columns(cursor: Any) -> bool:
    """Whether the store's ledger_problems has the status-row columns (a store not yet upgraded by `init` lacks them)."""
    from projections.tables import STATUS_ROW_COLUMNS, stored_problem_columns

    return set(STATUS_ROW_COLUMNS) <= set(stored_problem_columns(cursor))


def iter_status_rows(cursor: Any, *, sql: str, params: list[Any], today: date) -> Any:
    """status_row() of each problem selected with STATUS_SELECT, one at a time, from plain columns."""
    cursor.execute(sql, params)
    raw = getattr(cursor, "sqlite_cursor", cursor)
    today_text = today.isoformat()
    while True:
        rows = raw.fetchmany(2000)
        if not rows:
            return
        for r in rows:
            deadline, state = r[7], r[4]
            yield {
                "id": r[0], "category": r[1], "title": r[2], "type": r[3], "status": state, "unit": r[5], "person": r[6],
                "deadline": deadline,
                # as projections.deadlines.is_overdue
                "overdue": bool(deadline) and watched_row(state, r[8], r[9]) and deadline < today_text,
                "measures": f"{r[8]}/{r[9]}", "relapses": r[10], "escalation": r[11],
            }


def status_text_select(today: date) -> str:
    """STATUS_SELECT with every value as csv prints it (cell()): overdue as yes/no, measures as done/total.

    A csv listing then writes the database's rows as they come, with no Python per value.
    `today` is a date, so its text is only digits and dashes.
    """
    return (
        "p.id, p.category, p.title, p.type, p.status, p.unit, p.person, p.deadline, "
        f"CASE WHEN {unrectified_sql()} AND p.deadline < '{today.isoformat()}' THEN 'yes' ELSE 'no' END, "
        "CAST(p.measures_done AS TEXT) || '/' || CAST(p.measures_total AS TEXT), p.relapses, p.escalation"
    )


def iter_row_batches(cursor: Any, *, sql: str, params: list[Any], size: int = 2000) -> Any:
    """The query's rows, a batch at a time."""
    cursor.execute(sql, params)
    raw = getattr(cursor, "sqlite_cursor", cursor)
    while True:
        rows = raw.fetchmany(size)
        if not rows:
            return
        yield rows
