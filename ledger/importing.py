"""Writing a checked feedback list into the ledger: all or nothing, and idempotent.

Every new aggregate is built (and its rules checked) first, then all are saved
in ONE `save()` call, which the store writes in one transaction with their
read models: a bad row leaves nothing behind. A problem already present with
the same number, category and title is skipped; one present with different
content fails the import (`ledger reconcile` explains the differences).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from ledger.errors import InvalidInput, LedgerError
from ledger.feedback import FeedbackList, ProblemSpec, place


@dataclass
class ImportResult:
    inspection: str
    inspection_added: bool
    added: list[str]
    skipped: list[str]
    measures: int

    @property
    def nothing_new(self) -> bool:
        return not self.inspection_added and not self.added


def registration_moment(feedback: FeedbackList, at: datetime | None) -> datetime:
    """When the problems were fed back: --at, else the feedback date, else now."""
    from ledger import values
    from ledger.domain import utc_now

    if at is not None:
        return at
    if feedback.inspection.feedback is not None:
        return values.parse_datetime(feedback.inspection.feedback.isoformat())
    return utc_now()


def present_problems(app: Any, code: str) -> dict[int, dict[str, Any]]:
    """number → stored view of the problems the ledger holds for `code`."""
    with app.recorder.reading() as c:
        c.execute(app._sql("SELECT number, data FROM ledger_problems WHERE inspection = ?"), (code,))
        return {int(number): json.loads(data) for number, data in c.fetchall()}


def _line_error(feedback: FeedbackList, line: int, error: LedgerError) -> InvalidInput:
    return InvalidInput(f"{place(feedback.path, feedback.unit, line)}: {error}")


def _build_problem(parent: Any, spec: ProblemSpec, actor: str, at: datetime) -> Any:
    from ledger.domain import Problem

    problem = Problem.register(
        inspection=parent,
        number=spec.number,
        category=spec.category,
        title=spec.title,
        description=spec.description,
        type=spec.type,
        source=spec.source,
        deadline=spec.deadline,
        actor=actor,
        at=at,
    )
    if spec.person:
        problem.assign(lead=spec.lead, unit=spec.unit, person=spec.person, deadline=None, actor=actor, at=at)
    for measure in spec.measures:
        problem.plan_measure(text=measure.text, due=measure.due, actor=actor, at=at)
    return problem


def import_feedback(
    app: Any,
    feedback: FeedbackList,
    *,
    actor: str,
    at: datetime | None = None,
    progress: Callable[[Any], Any] = lambda items: items,
) -> ImportResult:
    return import_feedback_lists(app, [feedback], actor=actor, at=at, progress=progress)[0]


def import_feedback_lists(
    app: Any,
    lists: list[FeedbackList],
    *,
    actor: str,
    at: datetime | None = None,
    progress: Callable[[Any], Any] = lambda items: items,
) -> list[ImportResult]:
    """Every inspection of one file (a round's 台账 may hold several), saved in one transaction."""

    def attempt() -> list[ImportResult]:
        aggregates: list[Any] = []
        views: list[tuple[str, dict[str, Any]]] = []
        results = [_build_list(app, feedback, actor, at, progress, aggregates, views) for feedback in lists]
        if aggregates:
            app.save(*aggregates, views=views)  # one transaction: all or nothing
        return results

    return app._with_retry(attempt)


def _build_list(
    app: Any,
    feedback: FeedbackList,
    actor: str,
    at: datetime | None,
    progress: Callable[[Any], Any],
    aggregates: list[Any],
    views: list[tuple[str, dict[str, Any]]],
) -> ImportResult:
    """Check one inspection's list against the ledger and build what is new into `aggregates`."""
    from eventsourcing.application import AggregateNotFoundError

    from ledger.domain import Inspection, inspection_uuid

    moment = registration_moment(feedback, at)
    header = feedback.inspection
    try:
        parent = app.repository.get(inspection_uuid(header.code))
    except AggregateNotFoundError:
        parent = None
    inspection_added = False
    if parent is not None:
        for name, value in header.fields().items():
            if getattr(parent, name) != value:
                raise InvalidInput(
                    f"{place(feedback.path, feedback.unit, header.line)}: inspection {header.code} is already in the ledger "
                    f"with {name} '{getattr(parent, name)}', not '{value}' (see `ledger reconcile`)"
                )
    else:
        try:
            parent = Inspection.register(code=header.code, actor=actor, at=moment, **header.fields())
        except LedgerError as e:
            raise _line_error(feedback, header.line, e) from None
        aggregates.append(parent)
        views += app.views_for([parent])
        inspection_added = True
    present = present_problems(app, header.code)
    added, skipped, measures = [], [], 0
    for spec in progress(feedback.problems):
        ident = f"{header.code}-{spec.number}"
        known = present.get(spec.number)
        if known is not None:
            for name in ("category", "title"):
                if known[name] != getattr(spec, name):
                    raise InvalidInput(
                        f"{place(feedback.path, feedback.unit, spec.line)}: {name}: {ident} is already in the ledger with "
                        f"{name} '{known[name]}', not '{getattr(spec, name)}' (see `ledger reconcile`)"
                    )
            skipped.append(ident)
            continue
        try:
            problem = _build_problem(parent, spec, actor, moment)
        except LedgerError as e:
            raise _line_error(feedback, spec.line, e) from None
        aggregates.append(problem)
        views += app.views_for([problem])
        added.append(ident)
        measures += len(spec.measures)
    return ImportResult(header.code, inspection_added, added, skipped, measures)
