"""Plain-value views of aggregates: what `show`, `status` and the read models hold.

A view is JSON-ready (strings, numbers, lists, dicts). It is computed from the
aggregate's state, both when events are saved (the stored read model) and when
history is replayed (`replay`, `--as-of`), so the two can be compared exactly.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any


_AS_IS = (str, int, float, bool, type(None))


def plain(value: Any) -> Any:
    """Convert dates, Decimals, sets and tuples to JSON-ready values."""
    # Most values are already plain: test for them first (replay computes a view per problem).
    if isinstance(value, _AS_IS):
        return value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return _utc_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.quantize(_FEN), "f")
    return value


_FEN = Decimal("0.01")


def _utc_text(moment: datetime) -> str:
    if moment.utcoffset() is not None and not moment.utcoffset():
        text = moment.isoformat(timespec="seconds")  # already UTC: no conversion needed
    else:
        text = moment.astimezone(timezone.utc).isoformat(timespec="seconds")
    return text.replace("+00:00", "Z")


def inspection_view(inspection: Any) -> dict[str, Any]:
    # Keys added after the first release appear only when set, so a store's
    # earlier read models still equal their replay (readers fill the defaults:
    # projections.status.with_defaults).
    optional = {"round": inspection.round} if getattr(inspection, "round", "") else {}
    return plain(
        {
            **optional,
            "code": inspection.code,
            "name": inspection.name,
            "organisation": inspection.organisation,
            "group": inspection.group,
            "kind": inspection.kind,
            "start": inspection.start,
            "end": inspection.end,
            "feedback": inspection.feedback,
            "registered_at": inspection.registered_at,
            "registered_by": inspection.registered_by,
            "corrections": inspection.corrections,
        }
    )


def _figures(measures: list[dict[str, Any]]) -> dict[str, Any]:
    done = [m for m in measures if m["status"] == "done"]
    accountable: dict[str, int] = {}
    for m in done:
        for kind, n in m["accountable"].items():
            accountable[kind] = accountable.get(kind, 0) + int(n)
    return {
        "rules": sum(int(m["rules"]) for m in done),
        "funds": sum((Decimal(m["funds"]) for m in done), Decimal(0)),
        "accountable": sum(accountable.values()),
        "accountable_by_kind": accountable,
        "clues": sum(int(m["clues"]) for m in done),
    }


def problem_view(problem: Any) -> dict[str, Any]:
    assignee = problem.assignee
    # As for inspections: refinement and extensions appear only when present.
    optional: dict[str, Any] = {}
    if getattr(problem, "parent", ""):
        optional["parent"] = problem.parent
    if problem.children:
        optional["children"] = list(problem.children)
    if getattr(problem, "columns", None):
        # a 台账's own columns: [heading, cell] pairs in the file's order (a mapping, sorted, for earlier imports)
        columns = dict(problem.columns)
        optional["columns"] = [[h, c] for h, c in columns.items()] if getattr(problem, "columns_in_order", False) else columns
    if problem.extensions:
        optional["extensions"] = problem.extensions
        if problem.extended_to is not None:
            optional["extended_to"] = problem.extended_to
    if problem.links:
        optional["links"] = problem.links
    if problem.rejected:
        optional["rejected"] = problem.rejected
    if problem.self_check is not None:
        optional["self_check"] = problem.self_check  # 自查未发现: who answered, when, why
    return plain(
        {
            **optional,
            "id": problem.display_id,
            "inspection": problem.inspection,
            "number": problem.number,
            "category": problem.category,
            "title": problem.title,
            "description": problem.description,
            "type": problem.type,
            "source": problem.source,
            "status": problem.status,
            "deadline": problem.current_deadline,
            "relapses": problem.relapses,
            "reworks": problem.reworks,
            "assignee": (
                {k: assignee[k] for k in ("lead", "unit", "person", "deadline")} if assignee else None
            ),
            "assignments": problem.assignments,
            "measures": problem.measures,
            "verifications": problem.verifications,
            "signoffs": problem.signoffs,
            "signatures": problem.pending_signatures,
            # Names only: values stay encrypted in the events, never in read models.
            "sensitive_fields": sorted(getattr(problem, "sensitive", {})),
            "reviews": problem.reviews,
            "reopenings": problem.reopenings,
            "corrections": problem.corrections,
            "escalation": problem.escalation,
            "escalations": problem.escalations,
            "progress": problem.progress,
            "withheld": getattr(problem, "withheld", []),
            "figures": _figures(problem.measures),
            "registered_at": problem.registered_at,
            "registered_by": problem.registered_by,
            "version": problem.version,
        }
    )


# What a reader sees for the keys a stored view carries only when set.
PROBLEM_DEFAULTS: dict[str, Any] = {"parent": None, "children": [], "extensions": [], "extended_to": None}
INSPECTION_DEFAULTS: dict[str, Any] = {"round": None}


def own_columns(view: dict[str, Any]) -> dict[str, str]:
    """A stored view's 台账 columns, heading → cell, in the file's order ([heading, cell] pairs, or a mapping)."""
    columns = view.get("columns") or {}
    return {h: c for h, c in columns} if isinstance(columns, list) else dict(columns)


def merge_headings(found: list[str], headings: Any) -> None:
    """Add one problem's own headings (in its file's order) to `found`: each new one just after the heading before it
    there, so the headings of many problems (each with only its non-empty cells) keep the file's order."""
    seen = set(found)
    before = -1
    for heading in headings:
        if heading in seen:
            before = found.index(heading)
            continue
        before += 1
        found.insert(before, heading)
        seen.add(heading)


def with_overdue(view: dict[str, Any], today: date) -> dict[str, Any]:
    """The view as readers get it: every key present, `columns` a mapping in the file's order, and `overdue` judged on `today`."""
    view = {**PROBLEM_DEFAULTS, **view}
    from projections.deadlines import is_overdue

    if isinstance(view.get("columns"), list):
        view["columns"] = own_columns(view)

    view["overdue"] = is_overdue(view, today)
    return view


def read_model_views(aggregates: Any) -> list[tuple[str, dict[str, Any]]]:
    """("problem" | "inspection", view) for the aggregates that have a read model.

    Other aggregates (sample draws, checkpoints) live in the event log only.
    """
    from ledger.domain import Inspection, Problem

    out: list[tuple[str, dict[str, Any]]] = []
    for aggregate in aggregates:
        if isinstance(aggregate, Problem):
            out.append(("problem", problem_view(aggregate)))
        elif isinstance(aggregate, Inspection):
            out.append(("inspection", inspection_view(aggregate)))
    return out
