"""Deadlines and the watch after closure: what `due` and `reviews` list, and the 红黄绿 lights.

The same functions feed the CLI (`ledger due`, `ledger reviews`) and the web
view, so a problem's light on a page is the one `due` implies.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from ledger import vocabulary
from ledger.messages import t

# Not yet rectified: the deadline runs, and a problem past it is overdue (a verified, closed or
# ongoing one is not). Not "not signed off" (ledger.values.SIGNED_OFF_STATUSES): a verified problem is that too.
UNRECTIFIED_STATUSES = ("registered", "in_progress")

# The 整改时限 is the deadline for the rectification, not for its acceptance (issue 25): a problem whose measures
# are all completed (at least one) waits for 核查验收, and its deadline no longer runs, whether the measures were
# completed in the ledger or entered from a 台账. It stays 整改中; a measure planned later (二次整改) starts it again.
# Every listing and count of overdue problems and every light goes through is_watched / unrectified_sql.


def watched_row(status: str, measures_done: int, measures_total: int) -> bool:
    """Its deadline (if it has one) runs: not yet rectified, and some measure still to do (or none planned);
    from the read model's columns (status, measures_done, measures_total)."""
    return status in UNRECTIFIED_STATUSES and not (measures_total > 0 and measures_done == measures_total)


def is_watched(view: dict[str, Any]) -> bool:
    """watched_row of a problem view."""
    measures = view.get("measures") or []
    return watched_row(view["status"], sum(1 for m in measures if m["status"] == "done"), len(measures))


def unrectified_sql(prefix: str = "p.") -> str:
    """SQL: a problem whose deadline runs (is_watched) and which has one (the words are constants: no parameters)."""
    states = ", ".join(f"'{s}'" for s in UNRECTIFIED_STATUSES)
    return (
        f"{prefix}status IN ({states}) AND {prefix}deadline IS NOT NULL AND {prefix}deadline <> '' "
        f"AND ({prefix}measures_total = 0 OR {prefix}measures_done < {prefix}measures_total)"
    )


def signed_off_sql(prefix: str = "p.", signed: bool = True) -> str:
    """SQL: a signed-off problem (ledger.values.SIGNED_OFF_STATUSES); with signed=False, one not signed off."""
    from ledger.values import SIGNED_OFF_STATUSES

    return f"{prefix}status {'' if signed else 'NOT '}IN ({', '.join(repr(s) for s in SIGNED_OFF_STATUSES)})"


def overdue_sql(prefix: str = "p.") -> str:
    """SQL: an overdue problem, as is_overdue; one parameter, today as an ISO date."""
    return f"{unrectified_sql(prefix)} AND {prefix}deadline < ?"


def is_overdue(view: dict[str, Any], today: date) -> bool:
    """Past its deadline and its deadline still runs (is_watched): verified, closed, ongoing or with every measure done are not overdue."""
    deadline = view.get("deadline")
    return bool(deadline) and is_watched(view) and deadline < today.isoformat()

# red: past its deadline; yellow: lights.yellow_days or fewer left; green:
# lights.green_days or fewer left; None: further off, no deadline, rectified or every measure done.
LIGHTS = ("red", "yellow", "green")
LIGHT_LABELS: dict[str | None, str] = {**vocabulary.zh(vocabulary.LIGHTS), None: "无"}


def day_of(moment: str) -> date:
    """The UTC calendar day of a stored time stamp."""
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).date()


def days_left(view: dict[str, Any], today: date) -> int | None:
    """Days to an open problem's deadline (negative when late); None when it has none or its deadline no longer runs."""
    if not view.get("deadline") or not is_watched(view):
        return None
    return (date.fromisoformat(view["deadline"]) - today).days


def light_for_days(days: int | None, policy: Any) -> str | None:
    if days is None:
        return None
    if days < 0:
        return "red"
    if days <= policy.yellow_days:
        return "yellow"
    if days <= policy.green_days:
        return "green"
    return None


def light(view: dict[str, Any], today: date, policy: Any) -> str | None:
    """The problem's warning light by days to its deadline (thresholds: ledger.yaml `lights:`)."""
    return light_for_days(days_left(view, today), policy)


def light_bounds(today: date, policy: Any) -> tuple[str, str, str]:
    """(today, last yellow day, last green day) as ISO dates, for SQL over the read model."""
    return (
        today.isoformat(),
        (today + timedelta(days=policy.yellow_days)).isoformat(),
        (today + timedelta(days=policy.green_days)).isoformat(),
    )


def load_views(reader: Any, **filters: Any) -> list[dict[str, Any]]:
    """The problem views `due` and `reviews` work on, through a StateReader-like (cursor, style, today)."""
    from projections.status import load_problems

    return load_problems(reader.cursor, style=reader.style, today=reader.today, **filters)


def due_views(reader: Any, *, within: int, unit: str | None = None, inspection: str | None = None) -> list[dict[str, Any]]:
    """Only the problems `due_rows` can list: open with a deadline at most `within` days ahead, or long-term not closed.

    Read from the read model with SQL, so `due` costs what it lists, not the whole register.
    """
    import json

    from projections.tables import placeholder
    from projections.views import with_overdue

    sql = (
        "SELECT p.data FROM ledger_problems p LEFT JOIN ledger_inspections i ON i.code = p.inspection "
        f"WHERE (({unrectified_sql()} AND p.deadline <= ?) "
        "OR (p.type = 'long-term' AND p.status <> 'closed'))"
    )
    params: list[Any] = [(reader.today + timedelta(days=within)).isoformat()]
    for column, value in (("unit", unit), ("inspection", inspection)):
        if value is not None:
            sql += f" AND p.{column} = ?"
            params.append(value)
    reader.cursor.execute(placeholder(sql + " ORDER BY i.position, p.number", reader.style), params)
    return [with_overdue(json.loads(row[0]), reader.today) for row in reader.cursor.fetchall()]


def signed_off_views(reader: Any, *, inspection: str | None = None) -> Any:
    """The views of the signed-off problems (closed or ongoing) in register order, one at a time: what `reviews` reads."""
    import json

    from projections.tables import placeholder
    from projections.views import with_overdue

    sql = (
        "SELECT p.data FROM ledger_problems p LEFT JOIN ledger_inspections i ON i.code = p.inspection "
        f"WHERE {signed_off_sql()}" + (" AND p.inspection = ?" if inspection is not None else "")
        + " ORDER BY i.position, p.number"
    )
    reader.cursor.execute(placeholder(sql, reader.style), [inspection] if inspection is not None else [])
    raw = getattr(reader.cursor, "sqlite_cursor", reader.cursor)  # eventsourcing's wrapper has no fetchmany
    while rows := raw.fetchmany(500):
        for row in rows:
            yield with_overdue(json.loads(row[0]), reader.today)


def due_views_shown(reader: Any, *, within: int, limit: int, unit: str | None = None, inspection: str | None = None) -> tuple[list[dict[str, Any]], int, int]:
    """What `due` shows on a terminal, reading no more than it shows: (views, deadlines listed in all, of them overdue).

    The views are the `limit` open problems with the earliest deadlines within the span (found from the
    (status, deadline) index) and every long-term problem not closed (for the progress rows); the two
    numbers are counted in SQL, so the closing and summary lines hold for the whole ledger.
    """
    import json

    from projections.status import entry_key
    from projections.tables import placeholder
    from projections.views import with_overdue

    filters, chosen = "", []
    for column, value in (("unit", unit), ("inspection", inspection)):
        if value is not None:
            filters += f" AND p.{column} = ?"
            chosen.append(value)
    warned = f"{unrectified_sql()} AND p.deadline <= ?" + filters
    window = [(reader.today + timedelta(days=within)).isoformat(), *chosen]

    def rows(sql: str, params: list[Any]) -> list[Any]:
        reader.cursor.execute(placeholder(sql, reader.style), params)
        return reader.cursor.fetchall()

    listed, overdue = rows(
        f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN p.deadline < ? THEN 1 ELSE 0 END), 0) FROM ledger_problems p WHERE {warned}",
        [reader.today.isoformat(), *window],
    )[0]
    found = rows(f"SELECT p.id, p.data FROM ledger_problems p WHERE {warned} ORDER BY p.deadline, {entry_key(reader.style)} LIMIT {int(limit)}", window)
    seen = {row[0] for row in found}
    found += [
        row for row in rows(
            "SELECT p.id, p.data FROM ledger_problems p LEFT JOIN ledger_inspections i ON i.code = p.inspection "
            f"WHERE p.type = 'long-term' AND p.status <> 'closed'{filters} ORDER BY i.position, p.number",
            chosen,
        )
        if row[0] not in seen
    ]
    return [with_overdue(json.loads(row[1]), reader.today) for row in found], int(listed), int(overdue)


DUE_COLUMNS = ("id", "due", "title", "unit", "person", "date", "days_left", "days_late", "light", "escalation", "suggest")


def due_rows(views: list[dict[str, Any]], as_of: date, within: int, policy: Any, lights: Any) -> list[dict[str, Any]]:
    """Deadlines overdue or coming due, then long-term problems whose progress report is overdue."""
    from ledger.watch import ESCALATION_LEVELS, next_level

    deadlines, progress = [], []
    for v in views:
        assignee = v.get("assignee") or {}
        base = {"id": v["id"], "title": v["title"], "unit": assignee.get("unit"), "person": assignee.get("person"), "escalation": v.get("escalation")}
        days = days_left(v, as_of)
        if days is not None:
            if days < 0:
                late = -days
                suggest = next_level(v.get("escalation")) if late > policy.escalate_after_days_late else None
                deadlines.append({**base, "due": "deadline", "date": v["deadline"], "days_left": None, "days_late": late, "overdue": True, "light": light_for_days(days, lights), "suggest": f"{suggest} ({ESCALATION_LEVELS[suggest]})" if suggest else None, "suggest_level": suggest})
            elif days <= within:
                deadlines.append({**base, "due": "deadline", "date": v["deadline"], "days_left": days, "days_late": None, "overdue": False, "light": light_for_days(days, lights), "suggest": None, "suggest_level": None})
        if v["type"] == "long-term" and v["status"] != "closed":
            reported = [e["at"] for e in v.get("progress") or []] + [s["at"] for s in v["signoffs"]] + [v["registered_at"]]
            last = max(day_of(t) for t in reported)
            next_due = last + timedelta(days=policy.progress_interval_days)
            if next_due < as_of:
                progress.append({**base, "due": "progress", "date": next_due.isoformat(), "last_progress": last.isoformat(), "days_left": None, "days_late": (as_of - next_due).days, "overdue": True, "light": None, "suggest": None, "suggest_level": None})
    deadlines.sort(key=lambda r: (-(r["days_late"] or 0), r["days_left"] or 0, r["id"]))
    progress.sort(key=lambda r: (-r["days_late"], r["id"]))
    return deadlines + progress


REVIEW_COLUMNS = ("id", "title", "status", "signed_off", "point", "review_date", "state", "reviews", "missed", "relapses")


def review_row(view: dict[str, Any], as_of: date, policy: Any) -> dict[str, Any]:
    """Where a signed-off problem stands against the review points (整改回头看)."""
    closed_on = day_of(view["signoffs"][-1]["at"])
    reviews = sorted(day_of(r["at"]) for r in view.get("reviews") or [] if day_of(r["at"]) >= closed_on)
    window = timedelta(days=policy.review_window_days)
    state, point_days, point_date, missed = "complete", None, None, 0
    for days in policy.review_points_days:
        when = closed_on + timedelta(days=days)
        # A review counts for a point from `window` days before it on.
        found = next((r for r in reviews if r >= when - window), None)
        if found is not None:
            reviews.remove(found)
            continue
        if as_of > when + window:
            missed += 1
        if point_days is None:
            point_days, point_date = days, when
            state = "missed" if as_of > when + window else "due" if as_of >= when else "upcoming"
    return {
        "id": view["id"],
        "title": view["title"],
        "status": view["status"],
        "signed_off": closed_on.isoformat(),
        "point": t("{days}d", days=point_days) if point_days else None,  # "90d" in JSON and English, 90天 in Chinese
        "review_date": point_date.isoformat() if point_date else None,
        "state": state,
        "reviews": sum(1 for r in view.get("reviews") or [] if day_of(r["at"]) >= closed_on),
        "missed": missed,
        "relapses": view["relapses"],
    }
