"""Writing a checked feedback list into the ledger: all or nothing, and idempotent.

Every new aggregate is built (and its rules checked) first, then all are saved
in ONE `save()` call, which the store writes in one transaction with their
read models: a bad row leaves nothing behind. A problem already present with
the same number, category and title is skipped; one present with different
content fails the import (`ledger reconcile` explains the differences).
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterator

from ledger.errors import InvalidInput, LedgerError
from ledger.feedback import FeedbackList, ProblemSpec, column_named, place
from ledger import vocabulary
from ledger.messages import Field, Message, field_value, t
from ledger.values import PASSING_GRADES


@dataclass
class ImportResult:
    inspection: str
    inspection_added: bool
    added: list[str]
    skipped: list[str]
    measures: int
    # `import --preview`: each new problem's acts beyond its registration (what the file says was done):
    # (event name, whose act, entered by, when, an acceptance's grade or None).
    acts: dict[str, list[tuple[str, str, str, datetime, str | None]]] | None = None
    completed: int = 0  # new problems the file marks done: their measures completed for the person it names
    accepted: int = 0  # of those, with the file's 验收负责人's passing acceptance
    sent_back: int = 0  # of those, with an acceptance graded 一般 or 差 (验收结果): back for 二次整改

    @property
    def nothing_new(self) -> bool:
        return not self.inspection_added and not self.added


@contextmanager
def few_collections() -> Iterator[None]:
    """An import keeps the rows it reads and the problems it records until it ends: the collector's passes
    over the older generations would only rescan them (about an eighth of the CPU time of importing 50,000
    titles, bench/similar_scale.py). They run ~70 times less often while it lasts, as before after it."""
    import gc

    before = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


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


def _line_error(feedback: FeedbackList, line: int, error: LedgerError) -> LedgerError:
    from ledger.errors import NotAuthorised

    kind = NotAuthorised if isinstance(error, NotAuthorised) else InvalidInput  # a refusal stays a refusal (exit 1)
    said = error.args[0] if len(error.args) == 1 and isinstance(error.args[0], Message) else error
    return kind(t("{place}: {error}", place=place(feedback.path, feedback.unit, line), error=_headed(said, feedback)))


def _headed(message: Any, feedback: FeedbackList) -> Any:
    """A rule's refusal of a row, each field it names as the file headed its column (完成时限, not 整改时限)."""
    if isinstance(message, Field) and feedback.columns:
        return column_named(feedback, str.__str__(message))
    if isinstance(message, Message) and message.params:
        return Message(message.template, **{k: _headed(v, feedback) for k, v in message.params.items()})
    return message


def _entered_from(feedback: FeedbackList, spec: ProblemSpec) -> str:
    """Where an act entered from a file comes from: the file, its fingerprint and the row (read back by file_row_of)."""
    from pathlib import Path

    file, _, sheet = feedback.path.partition(": sheet ")
    where = f"工作表“{sheet}”第{spec.line}行" if sheet else f"第{spec.line}行"
    return f"录自《{Path(file).name}》{where}，文件 SHA-256 {feedback.fingerprint}"


def file_row_of(entry: dict[str, Any]) -> tuple[str, int] | None:
    """(file name, row) of an act `ledger import` entered from a 台账 (a proxy entry: its texts and attachments), as
    _entered_from wrote them; only when that very file (the SHA-256 its text names) is attached to the act. None for
    an act entered from anything else (a paper signed by hand, entered with --for)."""
    for attached in entry.get("attachments") or ():
        if attached.get("hash") != "sha256":
            continue
        start, end = f"录自《{attached.get('name')}》", f"，文件 SHA-256 {attached.get('digest')}"
        for text in entry.get("texts") or ():
            if start in text and end in text.split(start, 1)[1]:
                where = text.split(start, 1)[1].split(end, 1)[0]  # 工作表“台账”第5行, or 第5行
                row = where[where.rfind("第") + 1 : -1] if where.endswith("行") and "第" in where else ""
                if row.isdigit():
                    return str(attached["name"]), int(row)
    return None


# A row the file marks done but whose 整改措施 it does not list: the one measure its completion is of.
UNLISTED_MEASURE = "台账记为已完成整改，未列具体措施"


class _Paper:
    """The acts a file records as someone's (a 整改责任人's completion, a 验收负责人's acceptance), entered by the
    importing clerk from the file (ledger.signing.paper_actor): the file is the paper, attached once."""

    def __init__(self, app: Any, clerk: Any, lists: list[FeedbackList], config: Any = None) -> None:
        self.app, self.clerk, self.config = app, clerk, config
        self.paths = {f.path.partition(": sheet ")[0] for f in lists if any(p.done for p in f.problems)}
        self._evidence: tuple[Any, ...] | None = None
        self._actors: dict[tuple[str, str], Any] = {}

    def actor(self, person: str, act: str) -> Any:
        from ledger.signing import paper_actor

        if self._evidence is None:
            from ledger.attachments import read_files

            self._evidence = tuple(read_files(self.app, sorted(self.paths)))
        if (person, act) not in self._actors:
            self._actors[(person, act)] = paper_actor(self.app, self.clerk, person, act, self._evidence, self.config)
        return self._actors[(person, act)]


def _build_problem(parent: Any, spec: ProblemSpec, actor: str, at: datetime, feedback: FeedbackList | None = None,
                   paper: _Paper | None = None, entered: dict[int, Any] | None = None) -> Any:
    """The problem as the row gives it; with `paper`, what the row says was done as acts entered from the file,
    each event's Actor put in `entered` (id(event) → Actor) for the save."""
    from ledger.domain import Problem
    from ledger.ids import utc_now

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
    if feedback is not None and spec.done:
        _enter_done(problem, spec, feedback, actor, at, paper, entered if entered is not None else {})
    if feedback is not None and spec.state.get("progress"):
        # The file's 进展情况 as the clerk's entry now, naming the file and row: never as someone's own report.
        problem.record_progress(text=f"{spec.state['progress']}（{_entered_from(feedback, spec)}）", actor=actor, at=max(at, utc_now()))
    return problem


def _enter_done(problem: Any, spec: ProblemSpec, feedback: FeedbackList, clerk: str, at: datetime, paper: _Paper | None, entered: dict[int, Any]) -> None:
    """A row marked done: each measure completed for its 整改责任人 on the file's 整改完成时间 (else now, when it is
    entered), and, with a 验收负责人, their acceptance entered for them now: graded as the file's 验收结果 (一般 and 差
    send it back for 二次整改, as in the ledger), or, where it gives none, passing as 较好, the lowest passing grade."""
    from ledger import values
    from ledger.ids import utc_now

    source = f"由{clerk}{_entered_from(feedback, spec)}"  # in trial mode too, where the act bears the person's name
    done_at = values.parse_datetime(spec.done_on.isoformat()) if spec.done_on is not None else max(at, utc_now())
    if not spec.measures:
        problem.plan_measure(text=UNLISTED_MEASURE, due=None, actor=clerk, at=at)

    def enter(act: str, person: str, action: Callable[[str], Any]) -> None:
        before = len(problem._pending_events)
        action(person)
        if paper is not None:
            who = paper.actor(person, act)
            for event in problem._pending_events[before:]:
                entered[id(event)] = who

    for measure in list(problem.measures):
        enter("measure", spec.person, lambda name, m=measure: problem.complete_measure(measure_id=m["id"], evidence=[source], actor=name, at=done_at))
    verifier = spec.state.get("verifier")
    if verifier:
        grade = spec.grade or "fair"
        if spec.grade is None:
            said = "台账未记验收等次，按通过记为较好"
        else:  # the file's word, and the ledger's grade where the file words it otherwise (良好 → 较好)
            cell, word = spec.state["grade"].strip(), vocabulary.GRADES[grade].zh
            said = f"台账记{next((c.heading for c in feedback.columns if c.field == 'grade'), '验收结果')}“{cell}”" + ("" if cell == word else f"，记为{word}")
        note = f"验收负责人{verifier}（{source}）；{said}"
        enter("verification", verifier, lambda name: problem.verify(grade=grade, note=note, actor=name, at=max(done_at, at, utc_now()), policy=paper.app.policy if paper is not None else {}))


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
    config: Any = None,
) -> list[ImportResult]:
    """Every inspection of one file (a round's 台账 may hold several), saved in one transaction.

    `dry_run` (`import --preview`): everything is read, compared and built (every rule checked) as for
    the import, and nothing is saved. `config` (ledger.yaml; default: the application's): its `people:` checked
    for the acts the file records as someone's, in trial mode.

    What the ledger already holds is read first; then the problems are built and
    saved BATCH at a time inside one held transaction (every save's checks and
    signing as usual): memory stays bounded however long the list, and a bad row
    anywhere still leaves nothing behind.
    """

    from ledger.actor import as_actor

    who = as_actor(actor)
    config = config if config is not None else getattr(app, "config", None)  # open_ledger gives the application it  # an Actor (ledger.actor), or a plain name: its events' actor is who.name
    if dry_run:
        plans = [_plan_list(app, feedback, who.name, at) for feedback in lists]
        dropped = _Dropped(app, who, _Paper(app, who, lists, config))
        results = [_build_list(app, plan, who.name, progress, dropped) for plan in plans]
        for result in results:
            result.acts = {ident: dropped.acts[ident] for ident in result.added if ident in dropped.acts}
        return results

    def attempt() -> list[ImportResult]:
        plans = [_plan_list(app, feedback, who.name, at) for feedback in lists]
        batch = _Batch(app, who, _Paper(app, who, lists, config))
        with app.recorder.held_transaction():
            results = [_build_list(app, plan, who.name, progress, batch) for plan in plans]
            batch.save()
        return results

    return app._with_retry(attempt)


# Problems built and saved at a time inside the import's one transaction.
BATCH = 500


class _Batch:
    """Aggregates waiting to be saved, with their read-model views."""

    def __init__(self, app: Any, actor: Any, paper: _Paper | None = None) -> None:
        self.app = app
        self.actor = actor
        self.paper = paper
        self.aggregates: list[Any] = []
        self.views: list[tuple[str, dict[str, Any]]] = []
        self.entered: dict[int, Any] = {}  # id(event) → the Actor of an act entered from the file

    def add(self, aggregate: Any) -> None:
        self.aggregates.append(aggregate)
        self.views += self.app.views_for([aggregate])
        if len(self.aggregates) >= BATCH:
            self.save()

    def save(self) -> None:
        if self.aggregates:
            self.app.save(*self.aggregates, views=self.views, actor=self.actor, entered=self.entered)
            self.aggregates, self.views, self.entered = [], [], {}


class _Dropped(_Batch):
    """A batch that is never saved: `import --preview`. It keeps what acts each problem would bring."""

    ACTS = ("MeasureCompleted", "VerificationRecorded", "ProgressRecorded")

    def __init__(self, app: Any, actor: Any, paper: _Paper | None = None) -> None:
        super().__init__(app, actor, paper)
        self.acts: dict[str, list[tuple[str, str, str, datetime, str | None]]] = {}

    def add(self, aggregate: Any) -> None:
        for event in getattr(aggregate, "_pending_events", ()):
            self.entered.pop(id(event), None)
            if type(event).__name__ in self.ACTS:  # every one entered by the importing clerk
                self.acts.setdefault(aggregate.display_id, []).append(
                    (type(event).__name__, event.actor, self.actor.entered_by, event.at, getattr(event, "grade", None)))

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
                    t("{place}: inspection {code} is already in the ledger with {name} '{getattr}', not '{value}' (see `ledger reconcile`)", place=place(feedback.path, feedback.unit, header.line), code=header.code,
                      name=column_named(feedback, name), getattr=field_value(name, getattr(parent, name)), value=field_value(name, value))
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
    added, skipped, measures, completed, accepted, sent_back = [], [], 0, 0, 0, 0
    for spec in progress(feedback.problems):
        ident = f"{header.code}-{spec.number}"
        known = plan.present.get(spec.number)
        if known is not None:
            for name in ("category", "title"):
                if known[name] != getattr(spec, name):
                    raise InvalidInput(
                        t("{place}: {name}: {ident} is already in the ledger with {name} '{value}', not '{getattr}' (see `ledger reconcile`)", place=place(feedback.path, feedback.unit, spec.line), name=column_named(feedback, name), ident=ident, value=known[name], getattr=getattr(spec, name))
                    )
            skipped.append(ident)
            continue
        try:
            problem = _build_problem(plan.parent, spec, actor, plan.moment, feedback, batch.paper, batch.entered)
        except LedgerError as e:
            raise _line_error(feedback, spec.line, e) from None
        batch.add(problem)
        added.append(ident)
        measures += len(spec.measures)
        completed += spec.done
        verified = bool(spec.done and spec.state.get("verifier"))
        accepted += verified and (spec.grade or "fair") in PASSING_GRADES
        sent_back += verified and (spec.grade or "fair") not in PASSING_GRADES
    return ImportResult(header.code, plan.inspection_added, added, skipped, measures, completed=completed, accepted=accepted, sent_back=sent_back)
