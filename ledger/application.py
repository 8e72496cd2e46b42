"""The application service: each command method does get → call → save.

Saving passes the new read-model views along with the events, so the
recorder writes both in one transaction. What the read side provides (its
views, the in-transaction writers and their tables) is given to the
constructor as a `ReadSide` by the composition root (`composition/`): the
write side never imports the read side. A concurrent change to the same
aggregate surfaces as an IntegrityError: the command is re-run against the
fresh state (rules re-checked) a bounded number of times, then reported as a
conflict (exit 3).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Sequence, TypeVar

from eventsourcing.application import AggregateNotFoundError, Application, Repository
from eventsourcing.persistence import (
    IntegrityError,
    JSONTranscoder,
    OperationalError,
    PersistenceError,
    Transcoding,
)

from ledger.errors import ConflictError, InvalidInput, LedgerError, RuleViolation, StoreError, UnknownID
from ledger.ids import inspection_uuid, problem_uuid, utc_now
from ledger.schema import StoreSchema
from ledger.values import split_problem_id
from ledger.messages import t

if TYPE_CHECKING:
    from ledger.domain import Inspection, Problem

T = TypeVar("T")

MAX_ATTEMPTS = 8


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

    def __init__(self, env: dict[str, str], policy: dict[str, Any] | None = None, *, read_side: ReadSide) -> None:
        self.read_side = read_side  # before super().__init__: the recorder it makes creates the writers' tables
        super().__init__(env=env)
        self.policy = dict(policy or {})
        # The database login the server authenticated (PostgreSQL), else None.
        self.login: str | None = env.get("LEDGER_LOGIN") or None
        # Who signs what this command writes (ledger.identity.Signer); None in trial mode.
        self.signer: Any = None
        # Evidence files (ledger.attachments manifests) that this command's events carry.
        self.attachments: list[dict[str, Any]] = []
        self.attachment_bytes: tuple[str, list[Any]] | None = None
        # (name, roles) of whoever acts, when roles are known: each event written is checked against them.
        self.acting: tuple[str, set[str]] | None = None
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
        repository = super().construct_repository()
        repository.__class__ = _CheckedRepository
        return repository

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

    def _save(self, *aggregates: Any) -> None:
        self.save(*aggregates, views=self.views_for(aggregates))

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """Every write passes here: sign each event (or refuse an unsigned act once people are enrolled)."""
        self._check_actor_is_login(objs)
        pending = [e for o in objs if o is not None for e in getattr(o, "_pending_events", ())]
        if pending:
            if self.acting is not None:
                from ledger.authority import event_refusal
                from ledger.errors import NotAuthorised

                name, roles = self.acting
                for domain_event in pending:
                    refusal = event_refusal(name, roles, type(domain_event).__qualname__)
                    if refusal:
                        raise NotAuthorised(refusal + ": nothing written")
            administering = [e for e in pending if type(e).__qualname__.startswith("Authority.")]
            if administering and (self.signer is None or not self.signer.meaning.startswith(("person", "init"))):
                from ledger.errors import NotAuthorised

                raise NotAuthorised(t("only the administrator, with the administrator's key, changes who may act: nothing written"))
            for domain_event in pending:
                if self.attachments:
                    object.__setattr__(domain_event, "attachments", [dict(a) for a in self.attachments])
            if self.signer is not None:
                from ledger.identity import sign_events

                sign_events(pending, self.signer, self.ledger_id(), self.mapper.transcoder)
            elif self.signed_mode():
                from ledger.errors import NotAuthorised

                raise NotAuthorised(t("people are enrolled in this ledger, so every act must be signed: nothing written"))
            if self.attachment_bytes is not None:
                from ledger.attachments import keep_files

                keep_files(self, *self.attachment_bytes)
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

    def _check_actor_is_login(self, aggregates: Any) -> None:
        """policy.actor_is_login: on a server store, nobody may act under another name."""
        if not self.policy.get("actor_is_login") or self.login is None:
            return
        for aggregate in aggregates:
            for pending in getattr(aggregate, "_pending_events", ()):
                actor = getattr(pending, "actor", None)
                if self.signer is not None:  # proxy entry: the one who enters it is the login
                    actor = self.signer.name
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

    def add_inspection(self, *, code: str, actor: str, at: datetime | None = None, **fields: Any) -> Inspection:
        def attempt() -> Inspection:
            try:
                existing = self.repository.get(inspection_uuid(code))
            except AggregateNotFoundError:
                existing = None
            if existing is not None:

                raise RuleViolation("inspection-code-unique", code, t("an inspection with this code already exists"))
            from ledger.domain import Inspection  # the event classes are built only when a command writes

            inspection = Inspection.register(code=code, actor=actor, at=at or utc_now(), **fields)
            self._save(inspection)
            return inspection

        return self._with_retry(attempt)

    def correct_inspection(self, code: str, *, field: str, value: Any, reason: str, actor: str, at: datetime | None = None) -> Inspection:
        def attempt() -> Inspection:
            inspection = self.get_inspection(code)
            inspection.correct(field, value, reason, actor, at or utc_now())
            self._save(inspection)
            return inspection

        return self._with_retry(attempt)

    # -- problems ------------------------------------------------------------

    def add_problem(
        self,
        *,
        inspection: str,
        category: str,
        title: str,
        description: str = "",
        type: str = "deadline",  # noqa: A002
        source: str = "巡察",
        deadline: date | None = None,
        number: int | None = None,
        parent: str | None = None,
        actor: str,
        at: datetime | None = None,
    ) -> Problem:
        """With `parent`, a finer problem (细化) under that fed-back problem of the same inspection."""
        moment = at or utc_now()

        def attempt() -> Problem:
            owner = self.get_inspection(inspection)
            refined = self.get_problem(parent) if parent else None
            if refined is not None and refined.inspection != owner.code:
                raise RuleViolation(
                    "refine-within-inspection", refined.display_id, t("belongs to {inspection}, not {code}", inspection=refined.inspection, code=owner.code)
                )
            wanted = number if number is not None else self.next_problem_number(inspection)
            if number is not None:
                try:
                    self.repository.get(problem_uuid(inspection, wanted))
                except AggregateNotFoundError:
                    pass
                else:

                    raise RuleViolation(
                        "number-unique", f"{inspection}-{wanted}", t("problem number {wanted} is already taken in {inspection}", wanted=wanted, inspection=inspection)
                    )
            from ledger.domain import Problem

            problem = Problem.register(
                inspection=owner,
                parent=refined,
                number=wanted,
                category=category,
                title=title,
                description=description,
                type=type,
                source=source,
                deadline=deadline,
                actor=actor,
                at=moment,
            )
            if refined is None:
                self._save(problem)
            else:
                refined.add_child(child=problem.display_id, actor=actor, at=moment)
                self._save(refined, problem)
            return problem

        return self._with_retry(attempt)

    def change_problem(self, problem_id: str, change: Callable[[Problem], T]) -> tuple[Problem, T]:
        """get → call → save, re-run on a concurrent change."""

        def attempt() -> tuple[Problem, T]:
            problem = self.get_problem(problem_id)
            result = change(problem)
            self._save(problem)
            return problem, result

        return self._with_retry(attempt)

    def assign(self, problem_id: str, *, lead: str, unit: str, person: str, deadline: date | None, actor: str, at: datetime | None = None) -> Problem:
        moment = at or utc_now()
        return self.change_problem(
            problem_id,
            lambda p: p.assign(lead=lead, unit=unit, person=person, deadline=deadline, actor=actor, at=moment),
        )[0]

    def plan_measure(self, problem_id: str, *, text: str, due: date | None, actor: str, at: datetime | None = None) -> tuple[Problem, str]:
        moment = at or utc_now()
        return self.change_problem(problem_id, lambda p: p.plan_measure(text=text, due=due, actor=actor, at=moment))

    def complete_measure(
        self,
        problem_id: str,
        measure_id: str,
        *,
        evidence: list[str] | tuple[str, ...] = (),
        rules: int = 0,
        funds: Decimal = Decimal(0),
        accountable: dict[str, int] | None = None,
        clues: int = 0,
        actor: str,
        at: datetime | None = None,
    ) -> Problem:
        moment = at or utc_now()
        return self.change_problem(
            problem_id,
            lambda p: p.complete_measure(
                measure_id=measure_id,
                evidence=list(evidence),
                rules=rules,
                funds=funds,
                accountable=dict(accountable or {}),
                clues=clues,
                actor=actor,
                at=moment,
            ),
        )[0]

    def verify(self, problem_id: str, *, grade: str, note: str = "", actor: str, at: datetime | None = None) -> Problem:
        moment = at or utc_now()
        return self.change_problem(
            problem_id, lambda p: p.verify(grade=grade, note=note, actor=actor, at=moment, policy=self.policy)
        )[0]

    def sign_off(self, problem_id: str, *, note: str = "", actor: str, at: datetime | None = None) -> Problem:
        moment = at or utc_now()

        def sign(p: Problem) -> str:
            children = {c: self.get_problem(c).status for c in p.children}
            return p.sign_off(note=note, actor=actor, at=moment, policy=self.policy, children=children)

        return self.change_problem(problem_id, sign)[0]

    def request_extension(self, problem_id: str, *, to: date, reason: str, actor: str, at: datetime | None = None) -> Problem:
        moment = at or utc_now()
        return self.change_problem(
            problem_id, lambda p: p.request_extension(to=to, reason=reason, actor=actor, at=moment)
        )[0]

    def decide_extension(self, problem_id: str, *, approve: bool, note: str = "", actor: str, at: datetime | None = None) -> Problem:
        moment = at or utc_now()
        return self.change_problem(
            problem_id, lambda p: p.decide_extension(approve=approve, note=note, actor=actor, at=moment)
        )[0]

    def record_review(self, problem_id: str, *, result: str, note: str, actor: str, at: datetime | None = None) -> Problem:
        moment = at or utc_now()
        return self.change_problem(
            problem_id, lambda p: p.record_review(result=result, note=note, actor=actor, at=moment)
        )[0]

    def reopen(self, problem_id: str, *, reason: str, actor: str, at: datetime | None = None) -> Problem:
        moment = at or utc_now()
        return self.change_problem(problem_id, lambda p: p.reopen(reason=reason, actor=actor, at=moment))[0]

    def correct_problem(self, problem_id: str, *, field: str, value: Any, reason: str, actor: str, at: datetime | None = None) -> Problem:
        moment = at or utc_now()
        return self.change_problem(
            problem_id, lambda p: p.correct(field=field, value=value, reason=reason, actor=actor, at=moment)
        )[0]

    def withhold(self, problem_id: str, *, reason: str, fields: list[str], actor: str, at: datetime | None = None) -> Problem:
        moment = at or utc_now()
        return self.change_problem(
            problem_id, lambda p: p.withhold(reason=reason, fields=fields, actor=actor, at=moment)
        )[0]

    def confide(self, problem_id: str, *, field: str, ciphertext: str, actor: str, at: datetime | None = None) -> Problem:
        moment = at or utc_now()
        return self.change_problem(
            problem_id, lambda p: p.confide(field=field, ciphertext=ciphertext, actor=actor, at=moment)
        )[0]

    def link(self, new_id: str, old_id: str, *, kind: str, note: str = "", actor: str, at: datetime | None = None) -> tuple[Problem, Problem]:
        """Link a later problem to an earlier one (both saved in one transaction); (new, old)."""
        moment = at or utc_now()

        def attempt() -> tuple[Problem, Problem]:
            new, old = self.get_problem(new_id), self.get_problem(old_id)
            new.link_earlier(old, kind=kind, note=note, actor=actor, at=moment)
            self._save(new, old)
            return new, old

        return self._with_retry(attempt)

    def reject_like(self, new_id: str, old_id: str, *, note: str = "", actor: str, at: datetime | None = None) -> Problem:
        moment = at or utc_now()

        def attempt() -> Problem:
            new, old = self.get_problem(new_id), self.get_problem(old_id)
            new.reject_like(old, note=note, actor=actor, at=moment)
            self._save(new)
            return new

        return self._with_retry(attempt)


def open_ledger(config: Any, *, read_side: ReadSide, create: bool = False) -> RectificationLedger:
    """The application over the store that `config` names (`composition.open_ledger` gives it the read side)."""
    from ledger.store import describe_store, store_env

    env = store_env(config.store, create=create)
    try:
        policy = {**config.policy, "required_signers": config.section("signoff")["required_signers"]}
        return RectificationLedger(env=env, policy=policy, read_side=read_side)
    except (PersistenceError, sqlite3.Error, OSError) as e:
        raise StoreError(t("cannot open the store {describe_store}: {e}", describe_store=describe_store(config.store), e=e)) from None


def parse_field_value(field: str, value: str) -> Any:
    """Turn a `correct --value` into the type the field holds."""
    from ledger import values

    name = field.rsplit(".", 1)[-1]
    if name in ("deadline", "due", "start", "end", "feedback"):
        if value.strip().lower() in ("", "none") and name in ("deadline", "due", "feedback"):
            return None
        return values.parse_date(value, f"--value for {field}")
    if name == "type":
        return values.problem_type(value)
    if name == "kind":
        return values.inspection_kind(value)
    if name == "source":
        return values.source(value)
    if name == "round":
        return values.short_text(value, f"--value for {field}")
    if name in ("description", "text"):
        return values.long_text(value, f"--value for {field}")
    if name in ("organisation", "group"):
        return values.name(value, f"--value for {field}")
    return values.short_text(value, f"--value for {field}")
