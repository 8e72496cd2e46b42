"""The application service: each act is one method doing get → call → save.

Each method takes the Actor (ledger.actor) the interface built, and returns a
small result (below) that the interface prints from. Saving passes the new
read-model views along with the events, so the recorder writes both in one
transaction. What the read side provides (its views, the in-transaction writers
and their tables) is given to the constructor as a `ReadSide` by the
composition root (`composition/`): the write side never imports the read side.
A concurrent change to the same aggregate surfaces as an
IntegrityError: the act is re-run against the fresh state (rules re-checked) a
bounded number of times, then reported as a conflict (exit 3).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Callable, NamedTuple, Sequence, TypeVar

from eventsourcing.application import AggregateNotFoundError, Application, Repository
from eventsourcing.persistence import (
    IntegrityError,
    JSONTranscoder,
    OperationalError,
    PersistenceError,
    Transcoding,
)

from ledger.errors import ConflictError, InvalidInput, LedgerError, NotAuthorised, RuleViolation, StoreError, UnknownID
from ledger.ids import inspection_uuid, problem_uuid, utc_now
from ledger.schema import StoreSchema
from ledger.values import MeasureOutcomes, split_problem_id
from ledger.messages import Field, t

if TYPE_CHECKING:
    from ledger.actor import Actor
    from ledger.domain import Inspection, Problem

T = TypeVar("T")


def as_actor(actor: Any) -> Any:
    """ledger.actor.as_actor, imported when an act is done (read commands never build the Actor class)."""
    from ledger.actor import as_actor as made

    return made(actor)

MAX_ATTEMPTS = 8


# -- what each act returns: the interface prints from these, it never re-derives them ----------
# NamedTuples, not dataclasses: a read command imports this module too, and a dataclass costs ~1 ms to build.


class Recorded(NamedTuple):
    """An act on a problem: the problem as saved, and the event the act recorded."""

    problem: Any
    event: str


class MeasurePlanned(NamedTuple):
    problem: Any
    event: str
    measure: str


class SignOff(NamedTuple):
    """`event` is SignatureRecorded when more signers are needed (双审核), else SignedOff."""

    problem: Any
    event: str
    signatures: int
    required: int

    @property
    def closed(self) -> bool:
        return self.event == "SignedOff"


class InspectionRecorded(NamedTuple):
    inspection: Any
    event: str


class LinkRecorded(NamedTuple):
    """A later problem linked to an earlier one; `relapse`: the earlier one relapsed by it."""

    new: Any
    old: Any
    relapse: bool


class Propagation(NamedTuple):
    """举一反三: the source problem, the problems registered for the units' self-check (one each, in the
    order the units were named), and the units it had been sent to before: (inspection, that problem)."""

    source: Any
    sent: list[Any]
    skipped: list[tuple[str, str]]
    organisations: dict[str, str]  # inspection code → the unit it inspected, for every unit named


class SampleDrawn(NamedTuple):
    """A recorded draw (台账销号反向核查): its seed, size, population and the IDs drawn, in draw order."""

    draw: Any


class AuthorityChanged(NamedTuple):
    """People, keys, roles or policy changed by the administrator; `done`: what was done, line by line."""

    authority: Any
    done: list[str]


class CheckpointRecorded(NamedTuple):
    """A signed checkpoint recorded as an event: its record (what JSON prints) and its text block (what a supervisor keeps)."""

    record: dict[str, Any]
    block: str


class LogRestored(NamedTuple):
    """An export restored into an empty store: events written, the chain head, evidence files kept (`record`, as JSON prints it)."""

    record: dict[str, Any]


class InspectionExported(NamedTuple):
    """One inspection's events written with their inclusion proofs; `record` says whether a checkpoint was made for them."""

    record: dict[str, Any]


class Founded(NamedTuple):
    """`ledger init`'s founding: `record` says whether the founding event is recorded, by whom, and what to do if not."""

    record: dict[str, Any]


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class _CheckedRepository(Repository):  # type: ignore[misc, type-arg]
    """eventsourcing's repository; events that cannot be rebuilt into their aggregate are tampering, not a traceback."""

    def get(self, aggregate_id: Any, **kwargs: Any) -> Any:
        try:
            return super().get(aggregate_id, **kwargs)
        except (AggregateNotFoundError, LedgerError, PersistenceError):
            raise
        except Exception as e:  # noqa: BLE001 - what forged or re-typed stored events make the library raise
            from ledger.errors import TamperingFound

            raise TamperingFound(
                t("the stored events of aggregate {aggregate_id} cannot be rebuilt ({name__}): the store was altered; run `ledger audit --verify` and `ledger replay` to find the event", aggregate_id=aggregate_id, name__=type(e).__name__)
            ) from None


def _no_views(aggregates: Sequence[Any]) -> list[tuple[str, dict[str, Any]]]:
    return []


@dataclass(frozen=True)
class ReadSide:
    """What the write side is given of the read side, by the composition root.

    `schema`: the in-transaction writers the recorder calls (and the tables
    `ledger init` makes for them); `views_for(aggregates)`: the read-model rows
    the saved aggregates need, passed to those writers with the events.
    `ReadSide()` is none at all: for an application that only decodes events.
    """

    schema: StoreSchema = field(default_factory=StoreSchema)
    views_for: Callable[[Sequence[Any]], list[tuple[str, dict[str, Any]]]] = _no_views


class RectificationLedger(Application):
    """The write side of the ledger."""

    name = "RectificationLedger"

    def __init__(
        self, env: dict[str, str], policy: dict[str, Any] | None = None, store: str | None = None, *, read_side: ReadSide, config: Any = None,
    ) -> None:
        self.read_side = read_side  # before super().__init__: the recorder it makes creates the writers' tables
        super().__init__(env=env)
        self.policy = dict(policy or {})
        # The database login the server authenticated (PostgreSQL), else None.
        self.login: str | None = env.get("LEDGER_LOGIN") or None
        # Where evidence files attached to acts are kept (the store's location, as configured).
        self.store = store
        # The ledger's configuration (ledger.config.Config): its signing key, cipher key and trusted keys, for the
        # acts that need them (checkpoint, confide); None for an application that records no such act.
        self.config = config
        self._authority: Any = None
        self._ledger_id: str | None = None

    def construct_mapper(self) -> Any:
        """Topics resolve only against the ledger's own event classes (ledger.topics): nothing else is imported."""
        from ledger.topics import LedgerMapper

        return LedgerMapper(transcoder=self.construct_transcoder())

    def construct_recorder(self) -> Any:
        """eventsourcing's recorder for the store, constructed with the read side's in-transaction writers."""
        from ledger.store import application_recorder

        return application_recorder(self.factory, self.read_side.schema.writers)

    def views_for(self, aggregates: Sequence[Any]) -> list[tuple[str, dict[str, Any]]]:
        """The read-model rows for saved aggregates."""
        return self.read_side.views_for(aggregates)

    def construct_repository(self) -> Any:
        """eventsourcing's repository as its Application constructs it (the same settings), of the checked kind."""
        from eventsourcing.utils import strtobool

        size = self.env.get(self.AGGREGATE_CACHE_MAXSIZE)
        return _CheckedRepository(
            event_store=self.events,
            snapshot_store=self.snapshots,
            cache_maxsize=int(size) if size else None,
            fastforward=strtobool(self.env.get(self.AGGREGATE_CACHE_FASTFORWARD, "y")),
            fastforward_skipping=strtobool(self.env.get(self.AGGREGATE_CACHE_FASTFORWARD_SKIPPING, "n")),
            deepcopy_from_cache=strtobool(self.env.get(self.DEEPCOPY_FROM_AGGREGATE_CACHE, "y")),
        )

    def construct_env(self, name: str, env: Any = None) -> Any:
        """Only the settings the ledger passes: never the process environment.

        eventsourcing would read COMPRESSOR_TOPIC, CIPHER_TOPIC,
        PERSISTENCE_MODULE, POSTGRES_SCHEMA, … from os.environ, so a stray
        variable could change how events are stored.
        """
        from eventsourcing.utils import Environment

        return Environment(name, dict(env or {}))

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    # -- saving ------------------------------------------------------------

    def _save(self, *aggregates: Any, actor: Actor | str | None = None) -> None:
        self.save(*aggregates, views=self.views_for(aggregates), actor=actor)

    def save(self, *objs: Any, actor: Actor | str | None = None, entered: dict[int, Actor] | None = None, **kwargs: Any) -> Any:
        """Every write passes here: each event checked against the actor's act and roles, then signed.

        An event of a kind no act records is refused; once people are enrolled, an act
        without the actor's signature is refused (the actor is given, never remembered).
        `entered`: id(event) → the Actor of an event that is another act than `actor`'s, entered in the same
        save (an import's completions and acceptances from the file, ledger.signing.paper_actor).
        """
        who = as_actor(actor)
        entered = entered or {}
        self._check_actor_is_login(objs, who, entered)
        pending = [e for o in objs if o is not None for e in getattr(o, "_pending_events", ())]
        if pending:
            from ledger.authority import event_refusal

            whose = {id(e): entered.get(id(e), who) for e in pending}
            for domain_event in pending:
                w = whose[id(domain_event)]
                name = w.name if w is not None else str(getattr(domain_event, "actor", "") or "?")
                refusal = event_refusal(name, w.roles if w is not None else None, type(domain_event).__qualname__)
                if refusal:
                    raise NotAuthorised(refusal + ": nothing written")
            for domain_event in pending:  # what `audit --verify` would call a forgery is never signed
                w = whose[id(domain_event)]
                if w is not None and w.signer is not None and not w.administering:
                    from ledger.authority import may_write

                    qualname = type(domain_event).__qualname__
                    if not may_write(w.signer.meaning, qualname):
                        event = qualname.rsplit(".", 1)[-1]
                        raise NotAuthorised(t("`ledger {command}` never records {value}: nothing written", command=w.signer.meaning, value=event))
            administering = [e for e in pending if type(e).__qualname__.startswith("Authority.")]
            if administering and (who is None or not who.administering):
                raise NotAuthorised(t("only the administrator, with the administrator's key, changes who may act: nothing written"))
            actors = list({id(w): w for w in whose.values()}.values())
            for domain_event in pending:
                w = whose[id(domain_event)]
                if w is not None and w.evidence:
                    object.__setattr__(domain_event, "attachments", w.attachments)
            for w in actors:
                if w is not None and w.signer is not None:
                    from ledger.identity import sign_events

                    sign_events([e for e in pending if whose[id(e)] is w], w.signer, self.ledger_id(), self.mapper.transcoder)
                elif self.signed_mode():
                    raise NotAuthorised(t("people are enrolled in this ledger, so every act must be signed: nothing written"))
            files = {m["digest"]: (m, data) for w in actors if w is not None for m, data in w.evidence}
            if files:
                from ledger.attachments import keep_files

                if self.store is None:  # open_ledger gives it; an application made by hand must too
                    raise TypeError("RectificationLedger(store=…) is needed to keep evidence files")
                keep_files(self, self.store, list(files.values()))
        return super().save(*objs, **kwargs)

    # -- identity ------------------------------------------------------------

    def authority(self) -> Any:
        """The ledger's Authority aggregate (people, keys, roles), or None before `ledger init` founded it."""
        if self._authority is None:
            from ledger.authority import AUTHORITY_ID

            try:
                self._authority = self.repository.get(AUTHORITY_ID)
            except AggregateNotFoundError:
                return None
        return self._authority

    def signed_mode(self) -> bool:
        authority = self.authority()
        return authority is not None and authority.enrolled_ever

    def ledger_id(self) -> str:
        if self._ledger_id is None:
            with self.recorder.reading() as c:
                c.execute("SELECT value FROM ledger_meta WHERE key = 'ledger_id'")
                row = c.fetchone()
            self._ledger_id = str(row[0]) if row else ""
        return self._ledger_id

    def _check_actor_is_login(self, aggregates: Any, who: Actor | None, entered: dict[int, Actor] | None = None) -> None:
        """policy.actor_is_login: on a server store, nobody may act under another name."""
        if not self.policy.get("actor_is_login") or self.login is None:
            return
        for aggregate in aggregates:
            for pending in getattr(aggregate, "_pending_events", ()):
                actor = getattr(pending, "actor", None)
                if who is not None and who.signer is not None:  # proxy entry: the one who enters it is the login
                    actor = who.signer.name
                elif who is not None and entered and id(pending) in entered:  # entered from a file by `who`
                    actor = who.name
                if actor is not None and actor != self.login:
                    raise RuleViolation(
                        "actor-is-login", str(actor),
                        t("the database login is '{login}': acting as someone else is not allowed", login=self.login),
                    )

    def _with_retry(self, attempt: Callable[[], T]) -> T:
        """Run get → call → save again when someone else saved first."""
        for _ in range(MAX_ATTEMPTS):
            try:
                return attempt()
            except IntegrityError:
                continue
            except OperationalError as e:
                if "locked" in str(e) or "busy" in str(e) or "lock timeout" in str(e):
                    raise ConflictError(t("the store is busy with another writer: try again")) from None
                raise StoreError(t("store error: {e}", e=e)) from None
            except (PersistenceError, sqlite3.Error) as e:
                self._refuse_planted_schema()
                raise StoreError(t("store error: {e}", e=e)) from None
        self._refuse_planted_schema()  # a planted trigger that aborts every write is not a concurrent change
        raise ConflictError(t("changed concurrently by someone else: try again"))

    def _refuse_planted_schema(self) -> None:
        from ledger.schema import check_store_schema

        with self.recorder.reading() as c:
            check_store_schema(c, postgres=self.recorder.placeholder != "?", where="", schema=self.read_side.schema)

    # -- lookups -------------------------------------------------------------

    def get_inspection(self, code: str) -> Inspection:
        try:
            return self.repository.get(inspection_uuid(code))
        except AggregateNotFoundError:
            raise UnknownID("inspection", code) from None

    def get_problem(self, problem_id: str) -> Problem:
        parts = split_problem_id(problem_id)
        if parts is None:
            raise UnknownID("problem", problem_id)
        try:
            return self.repository.get(problem_uuid(*parts))
        except AggregateNotFoundError:
            raise UnknownID("problem", problem_id) from None

    def next_problem_number(self, code: str) -> int:
        if not hasattr(self.recorder, "reading"):  # in memory (eventsourcing's POPO recorder: rule tests), no read model
            number = 1
            while problem_uuid(code, number) in self.repository:
                number += 1
            return number
        with self.recorder.reading() as c:
            c.execute(
                self._sql("SELECT COALESCE(MAX(number), 0) FROM ledger_problems WHERE inspection = ?"),
                (code,),
            )
            row = c.fetchone()
        return int(row[0]) + 1

    def _sql(self, statement: str) -> str:
        style = getattr(self.recorder, "placeholder", "?")
        return statement if style == "?" else statement.replace("?", style)

    # -- inspections -----------------------------------------------------------

    def add_inspection(self, *, code: str, actor: Actor | str, at: datetime | None = None, **fields: Any) -> InspectionRecorded:
        who = as_actor(actor)

        def attempt() -> InspectionRecorded:
            try:
                existing = self.repository.get(inspection_uuid(code))
            except AggregateNotFoundError:
                existing = None
            if existing is not None:

                raise RuleViolation("inspection-code-unique", code, t("an inspection with this code already exists"))
            from ledger.domain import Inspection  # the event classes are built only when a command writes

            inspection = Inspection.register(code=code, actor=who.name, at=at or utc_now(), **fields)
            self._save(inspection, actor=who)
            return InspectionRecorded(inspection, "InspectionRegistered")

        return self._with_retry(attempt)

    def correct_inspection(self, code: str, *, field: str, value: Any, reason: str, actor: Actor | str, at: datetime | None = None) -> InspectionRecorded:
        who = as_actor(actor)

        def attempt() -> InspectionRecorded:
            inspection = self.get_inspection(code)
            inspection.correct(field, value, reason, who.name, at or utc_now())
            self._save(inspection, actor=who)
            return InspectionRecorded(inspection, "Corrected")

        return self._with_retry(attempt)

    # -- problems ------------------------------------------------------------

    def add_problem(
        self,
        *,
        inspection: str | None = None,
        category: str | None = None,
        title: str,
        description: str = "",
        type: str = "deadline",  # noqa: A002
        source: str = "巡察",
        deadline: date | None = None,
        number: int | None = None,
        parent: str | None = None,
        actor: Actor | str,
        at: datetime | None = None,
    ) -> Recorded:
        """With `parent`, a finer problem (细化) under that fed-back problem: its inspection and category by default."""
        moment = at or utc_now()
        who = as_actor(actor)
        if parent is None and (inspection is None or category is None):
            raise TypeError("add_problem: an inspection and a category, or a parent to take them from")

        def attempt() -> Recorded:
            refined = self.get_problem(parent) if parent else None
            code = inspection or refined.inspection  # type: ignore[union-attr]
            owner = self.get_inspection(code)
            if refined is not None and refined.inspection != owner.code:
                raise RuleViolation(
                    "refine-within-inspection", refined.display_id, t("belongs to {inspection}, not {code}", inspection=refined.inspection, code=owner.code)
                )
            wanted = number if number is not None else self.next_problem_number(code)
            if number is not None:
                try:
                    self.repository.get(problem_uuid(code, wanted))
                except AggregateNotFoundError:
                    pass
                else:

                    raise RuleViolation(
                        "number-unique", f"{code}-{wanted}", t("problem number {wanted} is already taken in {inspection}", wanted=wanted, inspection=code)
                    )
            from ledger.domain import Problem

            problem = Problem.register(
                inspection=owner,
                parent=refined,
                number=wanted,
                category=category or refined.category,  # type: ignore[union-attr]
                title=title,
                description=description,
                type=type,
                source=source,
                deadline=deadline,
                actor=who.name,
                at=moment,
            )
            if refined is None:
                self._save(problem, actor=who)
            else:
                refined.add_child(child=problem.display_id, actor=who.name, at=moment)
                self._save(refined, problem, actor=who)
            return Recorded(problem, "Registered")

        return self._with_retry(attempt)

    def change_problem(self, problem_id: str, change: Callable[[Problem], T], *, actor: Actor | str | None = None) -> tuple[Problem, T]:
        """get → call → save, re-run on a concurrent change."""

        def attempt() -> tuple[Problem, T]:
            problem = self.get_problem(problem_id)
            result = change(problem)
            self._save(problem, actor=actor)
            return problem, result

        return self._with_retry(attempt)

    def _act(self, problem_id: str, event: str, actor: Actor | str, change: Callable[[Problem, str], Any]) -> Recorded:
        """One act on one problem: `change(problem, the actor's name)`, saved as `actor`'s; what it recorded."""
        who = as_actor(actor)
        problem, _ = self.change_problem(problem_id, lambda p: change(p, who.name), actor=who)
        return Recorded(problem, event)

    def assign(self, problem_id: str, *, lead: str, unit: str, person: str, deadline: date | None, actor: Actor | str, at: datetime | None = None) -> Recorded:
        moment = at or utc_now()
        return self._act(problem_id, "Assigned", actor, lambda p, name: p.assign(lead=lead, unit=unit, person=person, deadline=deadline, actor=name, at=moment))

    def plan_measure(self, problem_id: str, *, text: str, due: date | None, actor: Actor | str, at: datetime | None = None) -> MeasurePlanned:
        moment = at or utc_now()
        who = as_actor(actor)
        problem, measure = self.change_problem(problem_id, lambda p: p.plan_measure(text=text, due=due, actor=who.name, at=moment), actor=who)
        return MeasurePlanned(problem, "MeasurePlanned", measure)

    def complete_measure(
        self,
        problem_id: str,
        measure_id: str,
        *,
        evidence: list[str] | tuple[str, ...] = (),
        outcomes: MeasureOutcomes = MeasureOutcomes(),
        actor: Actor | str,
        at: datetime | None = None,
    ) -> Recorded:
        moment = at or utc_now()
        return self._act(
            problem_id,
            "MeasureCompleted",
            actor,
            lambda p, name: p.complete_measure(measure_id=measure_id, evidence=list(evidence), outcomes=outcomes, actor=name, at=moment),
        )

    def verify(self, problem_id: str, *, grade: str, note: str = "", actor: Actor | str, at: datetime | None = None) -> Recorded:
        moment = at or utc_now()
        return self._act(problem_id, "VerificationRecorded", actor, lambda p, name: p.verify(grade=grade, note=note, actor=name, at=moment, policy=self.policy))

    def sign_off(self, problem_id: str, *, note: str = "", actor: Actor | str, at: datetime | None = None) -> SignOff:
        """对账销号: a signature (more signers needed, 双审核) or the sign-off itself, as the result says."""
        moment = at or utc_now()
        who = as_actor(actor)

        def sign(p: Problem) -> str:
            children = {c: self.get_problem(c).status for c in p.children}
            return p.sign_off(note=note, actor=who.name, at=moment, policy=self.policy, children=children)

        problem, outcome = self.change_problem(problem_id, sign, actor=who)
        required = int(self.policy.get("required_signers", 1))
        if outcome == "verified":  # a signature recorded: a different signer must sign to close
            return SignOff(problem, "SignatureRecorded", len(problem.pending_signatures), required)
        return SignOff(problem, "SignedOff", required, required)

    def request_extension(self, problem_id: str, *, to: date, reason: str, actor: Actor | str, at: datetime | None = None) -> Recorded:
        moment = at or utc_now()
        return self._act(problem_id, "ExtensionRequested", actor, lambda p, name: p.request_extension(to=to, reason=reason, actor=name, at=moment))

    def decide_extension(self, problem_id: str, *, approve: bool, note: str = "", actor: Actor | str, at: datetime | None = None) -> Recorded:
        moment = at or utc_now()
        return self._act(problem_id, "ExtensionDecided", actor, lambda p, name: p.decide_extension(approve=approve, note=note, actor=name, at=moment))

    def record_review(self, problem_id: str, *, result: str, note: str, actor: Actor | str, at: datetime | None = None) -> Recorded:
        moment = at or utc_now()
        return self._act(problem_id, "ReviewRecorded", actor, lambda p, name: p.record_review(result=result, note=note, actor=name, at=moment))

    def reopen(self, problem_id: str, *, reason: str, actor: Actor | str, at: datetime | None = None) -> Recorded:
        moment = at or utc_now()
        return self._act(problem_id, "Reopened", actor, lambda p, name: p.reopen(reason=reason, actor=name, at=moment))

    def escalate(self, problem_id: str, *, level: str, note: str = "", actor: Actor | str, at: datetime | None = None) -> Recorded:
        """督办: levels only go up."""
        moment = at or utc_now()
        return self._act(problem_id, "Escalated", actor, lambda p, name: p.escalate(level=level, note=note, actor=name, at=moment))

    def record_progress(self, problem_id: str, *, text: str, actor: Actor | str, at: datetime | None = None) -> Recorded:
        moment = at or utc_now()
        return self._act(problem_id, "ProgressRecorded", actor, lambda p, name: p.record_progress(text=text, actor=name, at=moment))

    def correct_problem(self, problem_id: str, *, field: str, value: Any, reason: str, actor: Actor | str, at: datetime | None = None) -> Recorded:
        moment = at or utc_now()
        return self._act(problem_id, "Corrected", actor, lambda p, name: p.correct(field=field, value=value, reason=reason, actor=name, at=moment))

    def withhold(self, problem_id: str, *, reason: str, fields: list[str], actor: Actor | str, at: datetime | None = None) -> Recorded:
        moment = at or utc_now()
        return self._act(problem_id, "Withheld", actor, lambda p, name: p.withhold(reason=reason, fields=fields, actor=name, at=moment))

    def confide(self, problem_id: str, *, field: str, value: str, actor: Actor | str, at: datetime | None = None) -> Recorded:
        """A sensitive field, stored encrypted with the configured key (no key: refused before anything is read)."""
        from ledger.confidential import encrypt

        ciphertext = encrypt(self._configured("confide"), value)
        moment = at or utc_now()
        return self._act(problem_id, "SensitiveRecorded", actor, lambda p, name: p.confide(field=field, ciphertext=ciphertext, actor=name, at=moment))

    def link(self, new_id: str, old_id: str, *, kind: str, note: str = "", actor: Actor | str, at: datetime | None = None) -> LinkRecorded:
        """Link a later problem to an earlier one (both saved in one transaction)."""
        moment = at or utc_now()
        who = as_actor(actor)

        def attempt() -> LinkRecorded:
            new, old = self.get_problem(new_id), self.get_problem(old_id)
            new.link_earlier(old, kind=kind, note=note, actor=who.name, at=moment)
            self._save(new, old, actor=who)
            return LinkRecorded(new, old, bool((old.linked_to(new.display_id) or {}).get("relapse")))

        return self._with_retry(attempt)

    def reject_like(self, new_id: str, old_id: str, *, note: str = "", actor: Actor | str, at: datetime | None = None) -> Recorded:
        moment = at or utc_now()
        who = as_actor(actor)

        def attempt() -> Recorded:
            new, old = self.get_problem(new_id), self.get_problem(old_id)
            new.reject_like(old, note=note, actor=who.name, at=moment)
            self._save(new, actor=who)
            return Recorded(new, "LikeRejected")

        return self._with_retry(attempt)

    # -- 举一反三 (同类同改): sending a problem to other units for self-check ---------------------------

    def propagate(
        self, source_id: str, *, to: Sequence[str] = (), round_name: str | None = None, deadline: date | None = None,
        note: str = "", inspections: Callable[[Any, str], list[dict[str, Any]]], actor: Actor | str, at: datetime | None = None,
    ) -> Propagation:
        """Register the source problem in each chosen unit's inspection (source 自查), linked to it, all in one transaction.

        The units: with `to`, each named organisation's (or inspection code's) inspection of the round;
        without, every other unit's inspection of the round. The round: `round_name`, else the source's.
        `inspections(cursor, placeholder)`: the read side's list of inspections (code, organisation, round),
        read afresh on every attempt. A unit the problem was sent to before is skipped; if every one was, nothing is written.
        """
        moment = at or utc_now()
        who = as_actor(actor)

        def attempt() -> Propagation:
            from ledger.domain import Problem

            source = self.get_problem(source_id)
            own = self.get_inspection(source.inspection)
            with self.recorder.reading() as c:
                known = list(inspections(c, self.recorder.placeholder))
            targets, skipped = [], []
            units = units_for_self_check(own, known, to, round_name)
            for unit in units:
                already = source.sent_for_self_check_to(unit["code"])
                if already is not None:
                    skipped.append((unit["code"], already))
                    continue
                inspection = self.get_inspection(unit["code"])
                if deadline is not None and inspection.feedback is not None and deadline < inspection.feedback:
                    raise InvalidInput(t("--deadline {deadline} is before the feedback date of {code} ({feedback})", deadline=deadline, code=inspection.code, feedback=inspection.feedback))
                targets.append(inspection)
            if not targets:
                raise RuleViolation(
                    "propagate-once", source.display_id,
                    t("was already sent for self-check to every unit named ({value}): nothing written", value=", ".join(f"{code} {problem}" for code, problem in skipped)),
                )
            sent = []
            for inspection in targets:
                problem = Problem.register(
                    inspection=inspection, number=self.next_problem_number(inspection.code), category=source.category,
                    title=source.title, description=source.description, type=source.type, source="自查",
                    deadline=deadline, actor=who.name, at=moment,
                )
                source.propagate_to(problem, deadline=deadline, note=note, actor=who.name, at=moment)
                _withhold_as(source, problem, actor=who.name, at=moment)
                sent.append(problem)
            self._save(source, *sent, actor=who)
            return Propagation(source, sent, skipped, {u["code"]: u["organisation"] for u in units})

        return self._with_retry(attempt)

    def answer_not_found(self, problem_id: str, *, note: str = "", actor: Actor | str, at: datetime | None = None) -> Recorded:
        """自查未发现: the unit's self-check did not find the problem sent to it; the act must carry its evidence."""
        moment = at or utc_now()
        who = as_actor(actor)
        if who is None or not who.evidence:
            raise InvalidInput(t("--attach: a self-check that found nothing is answered with its evidence (the self-check record): attach it"))
        return self._act(problem_id, "SelfCheckNotFound", who, lambda p, name: p.answer_not_found(note=note, actor=name, at=moment))

    # -- reverse checks (台账销号反向核查) -----------------------------------------

    def draw_sample(
        self, inspection: str, *, size: int, seed: int, population: Callable[[Any, str], dict[str, datetime | None]],
        actor: Actor | str, at: datetime | None = None,
    ) -> SampleDrawn:
        """Draw `size` of the inspection's signed-off problems with `seed`, and record the draw.

        `population(cursor, placeholder)`: the read side's query of the inspection's signed-off problems
        (projections.sampling.signed_off_population), read afresh on every attempt.
        """
        who = as_actor(actor)
        self.get_inspection(inspection)  # unknown inspection: one clear line

        def attempt() -> Any:
            from ledger.domain import SampleDraw

            with self.recorder.reading() as c:
                found = population(c, self.recorder.placeholder)
            draw = SampleDraw.draw(
                inspection=inspection, seed=seed, size=size, population=list(found), actor=who.name, at=at or utc_now(),
                signed_off={k: v for k, v in found.items() if v is not None},
            )
            self.save(draw, actor=who)
            return draw

        return SampleDrawn(self._with_retry(attempt))

    # -- acts on the whole ledger ----------------------------------------------------

    def _configured(self, act: str) -> Any:
        if self.config is None:  # open_ledger gives it; an application made by hand must too
            raise TypeError(f"RectificationLedger(config=…) is needed to {act}")
        return self.config

    def record_checkpoint(self, *, actor: Actor | str) -> CheckpointRecorded:
        """Verify the chain, sign its head with the ledger's key and record the checkpoint (`checkpoint`, `publish`)."""
        from ledger.checkpoint import format_checkpoint_block, record_checkpoint

        record = record_checkpoint(self, self._configured("sign a checkpoint"), actor)
        return CheckpointRecorded(record, format_checkpoint_block(record))

    def import_feedback(
        self, lists: list[Any], *, actor: Actor | str, at: datetime | None = None, progress: Callable[[Any], Any] = lambda items: items,
        dry_run: bool = False,
    ) -> list[Any]:
        """Every inspection of a feedback file, in one transaction (ledger.importing: one ImportResult each);
        `dry_run` (`import --preview`): every rule checked, nothing saved."""
        from ledger.importing import import_feedback_lists

        return import_feedback_lists(self, lists, actor=actor, at=at, progress=progress, dry_run=dry_run)

    def restore_log(self, path: Any, *, evidence: Any = None, checking: Any = None, writing: Any = None) -> LogRestored:
        """An export written back into this empty store, verified first, with its evidence files (`import-log`)."""
        from pathlib import Path

        from ledger.export import import_log

        return LogRestored(import_log(self, Path(path), store=self.store or "", evidence=evidence, checking=checking, writing=writing))

    def export_inspection(self, code: str, out: Any, *, actor: Callable[[], Actor]) -> InspectionExported:
        """One inspection's events, each with an inclusion proof against the latest checkpoint; `actor` is asked
        for only when a checkpoint must be made first (that act is `checkpoint`'s)."""
        from ledger.proofs import export_inspection

        return InspectionExported(export_inspection(self, code, out, actor))

    def found(self, *, administrator: str, admin_key: str | None) -> Founded:
        """Found the ledger once: the administrator's key pair, noted in ledger_meta and recorded as LedgerFounded.

        A new ledger's founding event is its first event (the genesis), signed by
        the administrator's key. A ledger made before founding events existed gets
        it now, at the end of its log, if the administrator's key is at hand;
        otherwise the result says what to run. Trial mode is unchanged: nobody is
        enrolled, acts stay unsigned.
        """
        from pathlib import Path

        from ledger import identity

        authority = self.authority()
        if authority is not None:
            return Founded({"founded": False, "founding_event": True, "administrator": authority.administrator, "admin_fingerprint": authority.admin_fingerprint})
        noted = identity.noted_administrator(self)
        path = Path(admin_key) if admin_key else identity.default_admin_key(self.ledger_id())
        if noted is None:
            if self.policy.get("actor_is_login") and self.login is not None and administrator != self.login:
                raise NotAuthorised(
                    t("policy.actor_is_login: the database login is '{login}': the administrator who founds this ledger must act as {login} (run `ledger init` as {login}); the store is made, nothing else written", login=self.login)
                )
            if not path.is_file():
                identity.write_key_pair(path)
            raw = identity.raw_public_of(identity.load_private_key(path, "--admin-key"))
            identity.note_administrator(self, administrator, raw)
            noted = identity.noted_administrator(self)  # another `init` at the same moment may have noted its own
            assert noted is not None
            created = noted[1] == raw
        else:
            created = False
        name, raw = noted
        if not path.is_file():
            return Founded({
                "founded": False, "founding_event": False, "administrator": name, "admin_fingerprint": identity.fingerprint(raw),
                "todo": t("the founding event is not recorded yet: the administrator's key (fingerprint {fingerprint}) is not at {path}: run `ledger init --admin-key PATH` with it (or it is recorded with the first `ledger person add`)",
                          fingerprint=identity.fingerprint(raw), path=path),
            })
        key = identity.load_private_key(path, "--admin-key")
        if identity.raw_public_of(key) != raw:
            return Founded({
                "founded": False, "founding_event": False, "administrator": name, "admin_fingerprint": identity.fingerprint(raw),
                "todo": t("the founding event is not recorded yet: {path} is not the administrator key noted for this ledger (fingerprint {fingerprint}): run `ledger init --admin-key PATH` with that key",
                          path=path, fingerprint=identity.fingerprint(raw)),
            })
        if self.policy.get("actor_is_login") and self.login is not None and name != self.login:
            raise NotAuthorised(
                t("policy.actor_is_login: the database login is '{login}', but the administrator noted for this ledger is {name}: the founding event is not recorded (run `ledger init` as {login}, or set actor_is_login: false for it)", login=self.login, name=name)
            )
        recorded, now = identity.record_founding(self, name, key, raw)
        founded: dict[str, Any] = {
            "founded": created, "founding_event": True, "founding_recorded": now,
            "administrator": recorded.administrator, "admin_fingerprint": recorded.admin_fingerprint,
        }
        if created:
            founded["admin_key"] = str(path)
        return Founded(founded)

    # -- people (the administrator's acts) -----------------------------------------

    def _administer(self, actor: Actor, change: Callable[[Any], list[str]]) -> AuthorityChanged:
        """get (or found) the Authority → call → save, signed by the administrator `actor`."""
        from ledger.identity import founding

        def attempt() -> AuthorityChanged:
            self._authority = None  # read afresh: someone may have saved since
            authority = founding(self)
            done = change(authority)
            self.save(authority, actor=actor)
            self._authority = authority
            return AuthorityChanged(authority, done)

        return self._with_retry(attempt)

    def enrol(self, *, name: str, roles: list[str], public_key: str | None, fingerprint: str | None, actor: Actor) -> AuthorityChanged:
        """Enrol a person with roles and a key, or grant an enrolled person more roles or a new key."""

        def change(authority: Any) -> list[str]:
            current = authority.person(name)
            if public_key is None and (current is None or not current["active"]):
                raise InvalidInput(t("--public-key: enrolling {who} needs their public key file (ledger person keygen {who})", who=name))
            if not roles and (current is None or not current["active"]):
                raise InvalidInput(t("--role: give {who} at least one role", who=name))
            return list(authority.add_person(name=name, roles=roles, public_key=public_key, fingerprint=fingerprint, actor=authority.administrator, at=utc_now()))

        return self._administer(actor, change)

    def revoke_person(self, *, name: str, role: str | None, actor: Actor) -> AuthorityChanged:
        return self._administer(actor, lambda a: [a.revoke(name=name, role=role, actor=a.administrator, at=utc_now())])

    def enrol_people(self, people: list[tuple[str, list[str], str | None, str | None]], *, actor: Actor) -> AuthorityChanged:
        """`person import`: (name, roles, public key, fingerprint) each, once, before anyone is enrolled."""

        def change(authority: Any) -> list[str]:
            if authority.enrolled_ever:
                raise InvalidInput(t("people are already enrolled in this ledger: `person import` runs once; use `ledger person add`"))
            now = utc_now()
            for name, roles, public_key, fingerprint in people:
                authority.add_person(name=name, roles=roles, public_key=public_key, fingerprint=fingerprint, actor=authority.administrator, at=now)
            return [name for name, *_ in people]

        return self._administer(actor, change)

    def set_policy(self, *, name: str, value: str, actor: Actor) -> AuthorityChanged:
        def change(authority: Any) -> list[str]:
            authority.set_policy(name=name, value=value, actor=authority.administrator, at=utc_now())
            return []

        return self._administer(actor, change)


def _withhold_as(source: Any, copy: Any, *, actor: str, at: datetime) -> None:
    """What of the source is withheld from publication (不予公开) is withheld of its copy too: the other unit's
    report must not print what this one's may not (measures are not copied, so their withholding is not)."""
    done: set[str] = set()
    for decision in getattr(source, "withheld", ()):
        fields = [f for f in decision["fields"] if f in ("problem", "title", "description") and f not in done]
        if "problem" in done or not fields:
            continue
        copy.withhold(reason=decision["reason"], fields=fields, actor=actor, at=at)
        done.update(fields)


def units_for_self_check(own: Any, known: list[dict[str, Any]], to: Sequence[str], round_name: str | None) -> list[dict[str, Any]]:
    """The inspections a problem of inspection `own` is sent to for self-check (举一反三), or a refusal naming what is missing.

    The round is `round_name`, else `own`'s. With `to`: each named organisation's inspection of that round
    (or the inspection named by its code); without: every inspection of the round but those of `own`'s unit.
    """
    name = (round_name or "").strip() or (own.round or "")
    if not name:
        raise InvalidInput(t("{code} belongs to no round: name the round whose units self-check (--round ROUND)", code=own.code))
    in_round = [i for i in known if (i.get("round") or "") == name]
    if not in_round:
        rounds = sorted({str(i["round"]) for i in known if i.get("round")})
        raise InvalidInput(t("--round: no inspection belongs to round {round} (rounds: {value})", round=name, value=", ".join(rounds) or t("none yet")))
    others = [i for i in in_round if i["organisation"] != own.organisation]
    if not to:
        if not others:
            raise InvalidInput(t("round {round} has no unit but {organisation}, the source problem's own", round=name, organisation=own.organisation))
        return others
    chosen: list[dict[str, Any]] = []
    for wanted in (w.strip() for w in to):
        matches = [i for i in in_round if i["code"] == wanted] or [i for i in in_round if i["organisation"] == wanted]
        if wanted == own.organisation or any(i["organisation"] == own.organisation for i in matches):
            raise InvalidInput(t("--to {organisation}: that is the source problem's own unit: a problem is sent to other units", organisation=wanted))
        if not matches:
            units = ", ".join(sorted({str(i["organisation"]) for i in others})) or t("none")
            raise InvalidInput(t("--to {organisation}: no inspection of it in round {round} (its other units: {value})", organisation=wanted, round=name, value=units))
        if len(matches) > 1:
            raise InvalidInput(t("--to {organisation}: inspected more than once in round {round} ({value}): name the inspection by its code", organisation=wanted, round=name, value=", ".join(i["code"] for i in matches)))
        if matches[0] not in chosen:
            chosen.append(matches[0])
    return chosen


def open_ledger(config: Any, *, read_side: ReadSide, create: bool = False) -> RectificationLedger:
    """The application over the store that `config` names (`composition.open_ledger` gives it the read side)."""
    from ledger.store import describe_store, store_env

    env = store_env(config.store, create=create)
    try:
        policy = {**config.policy, "required_signers": config.section("signoff")["required_signers"]}
        return RectificationLedger(env=env, policy=policy, store=config.store, read_side=read_side, config=config)
    except (PersistenceError, sqlite3.Error, OSError) as e:
        raise StoreError(t("cannot open the store {describe_store}: {e}", describe_store=describe_store(config.store), e=e)) from None


def parse_field_value(field: str, value: str) -> Any:
    """Turn a `correct --value` into the type the field holds."""
    from ledger import values

    name = field.rsplit(".", 1)[-1]
    what = t("--value for {field}", field=Field(field))  # the option and the field, in the reader's words
    if name in ("deadline", "due", "start", "end", "feedback"):
        if value.strip().lower() in ("", "none") and name in ("deadline", "due", "feedback"):
            return None
        return values.parse_date(value, what)
    if name == "type":
        return values.problem_type(value)
    if name == "kind":
        return values.inspection_kind(value)
    if name == "source":
        return values.source(value)
    if name == "round":
        return values.short_text(value, what)
    if name in ("description", "text"):
        return values.long_text(value, what)
    if name in ("organisation", "group"):
        return values.name(value, what)
    return values.short_text(value, what)
