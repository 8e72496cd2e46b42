"""The overview of a ledger: per inspection, how many problems, how far rectified, and the lights.

One SQL aggregation over the problems' read model (`ledger_problems`), so it
costs the same whatever the length of the history. The light counts use the
same thresholds and days as `projections.deadlines.light`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from projections.deadlines import light_bounds, unrectified_sql
from projections.summary import rate
from projections.tables import CHILD_PATTERN, COUNTED_PARAMS, COUNTED_SQL, placeholder

# As `summary` counts them: official (fed-back) problems only, refinements (细化) not again;
# an open problem whose extension (申请延期整改) was approved counts as extended, not open.
# The lights count the same problems (red is `summary`'s overdue): a refinement's light is on its own page, not
# counted again beside its parent's.
COUNTS = ("problems", "completed", "ongoing", "extended", "open", "red", "yellow", "green")

_OPEN = unrectified_sql()

_SQL = f"""
SELECT p.inspection,
       {COUNTED_SQL},
       SUM(CASE WHEN p.data NOT LIKE ? AND {_OPEN} AND p.deadline < ? THEN 1 ELSE 0 END),
       SUM(CASE WHEN p.data NOT LIKE ? AND {_OPEN} AND p.deadline >= ? AND p.deadline <= ? THEN 1 ELSE 0 END),
       SUM(CASE WHEN p.data NOT LIKE ? AND {_OPEN} AND p.deadline > ? AND p.deadline <= ? THEN 1 ELSE 0 END)
FROM ledger_problems p
GROUP BY p.inspection
"""


def _inspections(cursor: Any, style: str) -> list[tuple[str, dict[str, Any]]]:
    import json

    cursor.execute(placeholder("SELECT code, data FROM ledger_inspections ORDER BY position", style))
    return [(row[0], json.loads(row[1])) for row in cursor.fetchall()]


def sql_params(today: date, lights: Any) -> list[Any]:
    """_SQL's parameters: the counts', then each light's (official problems only) with its bounds."""
    start, yellow_end, green_end = light_bounds(today, lights)
    return [*COUNTED_PARAMS, CHILD_PATTERN, start, CHILD_PATTERN, start, yellow_end, CHILD_PATTERN, yellow_end, green_end]


def overview(cursor: Any, *, style: str = "?", today: date, lights: Any) -> dict[str, Any]:
    """{"as_of", "lights", "inspections": [...], "total"}: per inspection 反馈问题, 已完成整改, 基本完成、持续整改, 申请延期整改, 未完成, 整改完成率 (vocabulary.COUNTS) and lights."""
    cursor.execute(placeholder(_SQL, style), sql_params(today, lights))
    counts = {row[0]: [int(v or 0) for v in row[1:]] for row in cursor.fetchall()}
    from projections.summary import not_found_counts, take_not_found

    not_found = not_found_counts(cursor, "inspection", style=style)
    rows = []
    total = dict.fromkeys(COUNTS, 0)
    for code, view in _inspections(cursor, style):
        numbers = dict(zip(COUNTS, counts.get(code, [0] * len(COUNTS))))
        if code in not_found:  # 自查未发现: not a problem of the unit, counted apart (projections.summary)
            take_not_found(numbers, not_found[code])
            numbers.pop("not_found")
        for k in COUNTS:
            total[k] += numbers[k]
        rows.append({
            # Inspections of one round (轮次) are grouped on the overview, with the round's subtotal.
            "round": view.get("round"),
            "code": code, "name": view["name"], "organisation": view["organisation"], "group": view["group"],
            "kind": view["kind"], "feedback": view.get("feedback"),
            **numbers, "rate": rate(numbers["completed"], numbers["problems"]),
        })
    return {
        "as_of": today.isoformat(),
        "lights": {"green_days": lights.green_days, "yellow_days": lights.yellow_days},
        "inspections": rows,
        "total": {**total, "rate": rate(total["completed"], total["problems"])},
    }


def by_round(rows: list[dict[str, Any]]) -> list[tuple[Any, list[dict[str, Any]], dict[str, Any]]]:
    """(round or None, its inspections, their subtotal) in order of first appearance."""
    groups: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row.get("round"), []).append(row)
    out = []
    for key, members in groups.items():
        subtotal = {k: sum(r[k] for r in members) for k in COUNTS}
        subtotal["rate"] = rate(subtotal["completed"], subtotal["problems"])
        out.append((key, members, subtotal))
    return out
