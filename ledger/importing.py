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
from ledger.messages import t


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
    from ledger.ids import utc_now

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


def present_titles(app: Any, code: str) -> dict[int, dict[str, Any]]:
    """number → category and title of the problems the ledger holds for `code` (what an import compares)."""
    with app.recorder.reading() as c:
        c.execute("SELECT * FROM ledger_problems WHERE 1 = 0")
        columns = {d[0] for d in getattr(c, "sqlite_cursor", c).description or ()}
        if "title" in columns:  # schema 4: plain columns, no view to decode
            c.execute(app._sql("SELECT number, category, title FROM ledger_problems WHERE inspection = ?"), (code,))
            return {int(r[0]): {"category": r[1], "title": r[2]} for r in c.fetchall()}
    return {n: {"category": v["category"], "title": v["title"]} for n, v in present_problems(app, code).items()}


def _line_error(feedback: FeedbackList, line: int, error: LedgerError) -> InvalidInput:
    return InvalidInput(t("{place}: {error}", place=place(feedback.path, feedback.unit, line), error=error))


def _entered_from(feedback: FeedbackList, spec: ProblemSpec) -> str:
    """Where an act entered from a file comes from: the file, its fingerprint and the row."""
    from pathlib import Path

    file, _, sheet = feedback.path.partition(": sheet ")
    where = f"工作表“{sheet}”第{spec.line}行" if sheet else f"第{spec.line}行"
    return f"录自《{Path(file).name}》{where}，文件 SHA-256 {feedback.fingerprint}"


def _build_problem(parent: Any, spec: ProblemSpec, actor: str, at: datetime, feedback: FeedbackList | None = None) -> Any:
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
        columns=spec.extra,
    )
    if spec.lead or spec.unit or spec.person:  # a 台账 may name the leader and unit without a person
        problem.assign(lead=spec.lead or "", unit=spec.unit or "", person=spec.person or "", deadline=None, actor=actor, at=at)
    for measure in spec.measures:
        problem.plan_measure(text=measure.text, due=measure.due, actor=actor, at=at)
    if feedback is not None and spec.state.get("progress"):
        # The file's 进展情况 as the clerk's entry now, naming the file and row: never as someone's own report.
        from ledger.ids import utc_now

        problem.record_progress(text=f"{spec.state['progress']}（{_entered_from(feedback, spec)}）", actor=actor, at=max(at, utc_now()))
    return problem


def import_feedback(
    app: Any,
    feedback: FeedbackList,
    *,
    actor: Any,
    at: datetime | None = None,
    progress: Callable[[Any], Any] = lambda items: items,
) -> ImportResult:
    return import_feedback_lists(app, [feedback], actor=actor, at=at, progress=progress)[0]


def import_feedback_lists(
    app: Any,
    lists: list[FeedbackList],
    *,
    actor: Any,
    at: datetime | None = None,
    progress: Callable[[Any], Any] = lambda items: items,
    dry_run: bool = False,
) -> list[ImportResult]:
    """Every inspection of one file (a round's 台账 may hold several), saved in one transaction.

    `dry_run` (`import --preview`): everything is read, compared and built (every rule checked) as for
    the import, and nothing is saved.

    What the ledger already holds is read first; then the problems are built and
    saved BATCH at a time inside one held transaction (every save's checks and
    signing as usual): memory stays bounded however long the list, and a bad row
    anywhere still leaves nothing behind.
    """

    from ledger.actor import as_actor

    who = as_actor(actor)  # an Actor (ledger.actor), or a plain name: its events' actor is who.name
    if dry_run:
        plans = [_plan_list(app, feedback, who.name, at) for feedback in lists]
        dropped = _Dropped(app, who)
        return [_build_list(app, plan, who.name, progress, dropped) for plan in plans]

    def attempt() -> list[ImportResult]:
        plans = [_plan_list(app, feedback, who.name, at) for feedback in lists]
        batch = _Batch(app, who)
        with app.recorder.held_transaction():
            results = [_build_list(app, plan, who.name, progress, batch) for plan in plans]
            batch.save()
        return results

    return app._with_retry(attempt)


# Problems built and saved at a time inside the import's one transaction.
BATCH = 500


class _Batch:
    """Aggregates waiting to be saved, with their read-model views."""

    def __init__(self, app: Any, actor: Any) -> None:
        self.app = app
        self.actor = actor
        self.aggregates: list[Any] = []
        self.views: list[tuple[str, dict[str, Any]]] = []

    def add(self, aggregate: Any) -> None:
        self.aggregates.append(aggregate)
        self.views += self.app.views_for([aggregate])
        if len(self.aggregates) >= BATCH:
            self.save()

    def save(self) -> None:
        if self.aggregates:
            self.app.save(*self.aggregates, views=self.views, actor=self.actor)
            self.aggregates, self.views = [], []


class _Dropped(_Batch):
    """A batch that is never saved: `import --preview`."""

    def add(self, aggregate: Any) -> None:
        pass

    def save(self) -> None:
        pass


@dataclass
class _Plan:
    feedback: FeedbackList
    moment: datetime
    parent: Any
    inspection_added: bool
    present: dict[int, dict[str, Any]]


def _plan_list(app: Any, feedback: FeedbackList, actor: str, at: datetime | None) -> _Plan:
    """Read what the ledger holds of one inspection's list; its Inspection, new (unsaved) or stored."""
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
                    t("{place}: inspection {code} is already in the ledger with {name} '{getattr}', not '{value}' (see `ledger reconcile`)", place=place(feedback.path, feedback.unit, header.line), code=header.code, name=name, getattr=getattr(parent, name), value=value)
                )
    elif feedback.registered:
        raise InvalidInput(t("--inspection: unknown inspection {code} (register it with `ledger add-inspection` first)", code=header.code))
    else:
        try:
            parent = Inspection.register(code=header.code, actor=actor, at=moment, **header.fields())
        except LedgerError as e:
            raise _line_error(feedback, header.line, e) from None
        inspection_added = True
    return _Plan(feedback, moment, parent, inspection_added, present_titles(app, header.code))


def _build_list(app: Any, plan: _Plan, actor: str, progress: Callable[[Any], Any], batch: _Batch) -> ImportResult:
    """Check one inspection's list against what the ledger held and build what is new into `batch`."""
    feedback, header = plan.feedback, plan.feedback.inspection
    if plan.inspection_added:
        batch.add(plan.parent)
    added, skipped, measures = [], [], 0
    for spec in progress(feedback.problems):
        ident = f"{header.code}-{spec.number}"
        known = plan.present.get(spec.number)
        if known is not None:
            for name in ("category", "title"):
                if known[name] != getattr(spec, name):
                    raise InvalidInput(
                        t("{place}: {name}: {ident} is already in the ledger with {name} '{value}', not '{getattr}' (see `ledger reconcile`)", place=place(feedback.path, feedback.unit, spec.line), name=name, ident=ident, value=known[name], getattr=getattr(spec, name))
                    )
            skipped.append(ident)
            continue
        try:
            problem = _build_problem(plan.parent, spec, actor, plan.moment, feedback)
        except LedgerError as e:
            raise _line_error(feedback, spec.line, e) from None
        batch.add(problem)
        added.append(ident)
        measures += len(spec.measures)
    return ImportResult(header.code, plan.inspection_added, added, skipped, measures)
