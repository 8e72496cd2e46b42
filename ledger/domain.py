"""Aggregates and events of the rectification ledger.

Two aggregates: an Inspection (one 巡视/巡察 of one organisation; several
inspections of one campaign form a round, 轮次) and a Problem it fed back.
Each public method checks the lifecycle rules and raises `RuleViolation`
before anything happens; the private `@event` methods only change state, so
replaying the stored events never re-checks rules against today's clock or
today's policy.

Every event carries `actor` (who) and `at` (when the act really happened,
UTC); the event's own `timestamp` is when it was recorded.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from ledger.errors import InvalidInput, RuleViolation
from ledger.ids import inspection_uuid, problem_uuid, utc_now
from ledger.values import (
    CORRECTABLE_INSPECTION_FIELDS,
    CORRECTABLE_MEASURE_FIELDS,
    CORRECTABLE_PROBLEM_FIELD_NAMES,
    CORRECTABLE_PROBLEM_FIELDS,
    MAX_NUMBER,
    PASSING_GRADES,
    MeasureOutcomes,
    NOT_FOUND,
    RELAPSE_IN_REVIEW,
    SIGNED_OFF_STATUSES,
    moment_text,
    problem_display_id,
)
from ledger import vocabulary
from ledger.messages import Field, choices, field_choices, field_value, joined, t


def _check_not_future(at: datetime, subject: str) -> None:
    if at > utc_now():
        raise InvalidInput(t("{subject}: --at {moment_text} is in the future", subject=subject, moment_text=moment_text(at)))


def local_day(at: datetime) -> date:
    """The calendar day an act happened on, in this machine's time zone (as --at was typed)."""
    return at.astimezone().date()


class Inspection(Aggregate):
    """A 巡视/巡察 of one organisation: who inspected whom, when, and in which round (轮次)."""

    @staticmethod
    def create_id(code: str, **_: Any) -> UUID:
        return inspection_uuid(code)

    @classmethod
    def register(
        cls,
        *,
        code: str,
        name: str,
        organisation: str,
        group: str,
        kind: str,
        start: date,
        end: date,
        feedback: date | None,
        actor: str,
        at: datetime,
        round: str = "",  # noqa: A002 - the domain's word (轮次)
    ) -> Inspection:
        _check_not_future(at, code)
        cls._check_dates(code, start, end, feedback)
        today = local_day(utc_now())
        for label, day in (("start", start), ("feedback", feedback)):
            if day is not None and day > today:
                raise RuleViolation("no-future-acts", code, t("{label} {day} is in the future", label=label, day=day))
        return cls(
            code=code,
            name=name,
            organisation=organisation,
            group=group,
            kind=kind,
            start=start,
            end=end,
            feedback=feedback,
            actor=actor,
            at=at,
            round=round,
        )

    @staticmethod
    def _check_dates(code: str, start: date, end: date, feedback: date | None) -> None:
        if end < start:
            raise RuleViolation(
                "dates-in-order", code, t("end {end} is before start {start}", end=end, start=start)
            )
        if feedback is not None and feedback < start:
            raise RuleViolation(
                "dates-in-order", code, t("feedback {feedback} is before start {start}", feedback=feedback, start=start)
            )

    @event("Registered")
    def __init__(
        self,
        code: str,
        name: str,
        organisation: str,
        group: str,
        kind: str,
        start: date,
        end: date,
        feedback: date | None,
        actor: str,
        at: datetime,
        round: str = "",  # noqa: A002 - absent from events recorded before rounds existed
    ) -> None:
        self.code = code
        self.round = round
        self.name = name
        self.organisation = organisation
        self.group = group
        self.kind = kind
        self.start = start
        self.end = end
        self.feedback = feedback
        self.registered_at = at
        self.registered_by = actor
        self.corrections: list[dict[str, Any]] = []

    def correct(self, field: str, value: Any, reason: str, actor: str, at: datetime) -> None:
        if field not in CORRECTABLE_INSPECTION_FIELDS:
            raise InvalidInput(
                t("{code}: field '{field}' cannot be corrected (inspection fields: {INSPECTION_FIELDS})", code=self.code, field=Field(field), INSPECTION_FIELDS=field_choices(CORRECTABLE_INSPECTION_FIELDS))
            )
        _check_not_future(at, self.code)
        if field in ("start", "end", "feedback"):
            dates = {f: getattr(self, f) for f in ("start", "end", "feedback")}
            dates[field] = value
            self._check_dates(self.code, dates["start"], dates["end"], dates["feedback"])
            if field in ("start", "feedback") and value is not None and value > local_day(utc_now()):
                raise RuleViolation("no-future-acts", self.code, t("{field} {value} is in the future", field=Field(field), value=value))
        old = getattr(self, field)
        if old == value:
            raise RuleViolation("correction-changes-something", self.code, t("{field} is already {value}", field=Field(field), value=field_value(field, value)))
        self._corrected(field=field, old=old, new=value, reason=reason, actor=actor, at=at)

    @event("Corrected")
    def _corrected(self, field: str, old: Any, new: Any, reason: str, actor: str, at: datetime) -> None:
        setattr(self, field, new)
        self.corrections.append(
            {"field": field, "old": old, "new": new, "reason": reason, "by": actor, "at": at}
        )


def stored_columns(columns: dict[str, str]) -> list[list[str]]:
    """A 台账's own columns as a Registered event holds them: [heading, cell] pairs in the file's order."""
    return [[heading, cell] for heading, cell in columns.items()]


class Problem(Aggregate):
    """A problem fed back by an inspection, and everything done about it."""

    @staticmethod
    def create_id(inspection: str, number: int, **_: Any) -> UUID:
        return problem_uuid(inspection, number)

    # -- registration ------------------------------------------------------

    @classmethod
    def register(
        cls,
        *,
        inspection: Inspection,
        number: int,
        category: str,
        title: str,
        description: str,
        type: str,  # noqa: A002 - the domain's word
        source: str,
        deadline: date | None,
        actor: str,
        at: datetime,
        parent: Problem | None = None,
        columns: dict[str, str] | None = None,  # in the file's order
    ) -> Problem:
        ident = problem_display_id(inspection.code, number)
        if parent is not None:
            parent.check_refinable(ident)
        _check_not_future(at, ident)
        if not 1 <= number <= MAX_NUMBER:
            raise RuleViolation("number-range", ident, t("problem numbers run from 1 to {MAX_NUMBER}: give a free --number", MAX_NUMBER=MAX_NUMBER))
        if local_day(at) < inspection.start:
            raise RuleViolation(
                "dates-in-order",
                ident,
                t("registered on {local_day}, before inspection {code} started ({start})", local_day=local_day(at), code=inspection.code, start=inspection.start),
            )
        if deadline is not None and deadline < at.date():
            raise RuleViolation(
                "deadline-after-registration",
                ident,
                t("{field} {value} is before registration on {date}", field=Field("deadline"), value=deadline, date=at.date()),
            )
        return cls(
            inspection=inspection.code,
            number=number,
            category=category,
            title=title,
            description=description,
            type=type,
            source=source,
            deadline=deadline,
            actor=actor,
            at=at,
            parent=parent.display_id if parent is not None else "",
            # Only when a 台账 had them, so that every other problem's event is as before; as [heading, cell] pairs,
            # so that the file's order survives the read model's JSON (events of earlier imports hold a mapping).
            **({"columns": stored_columns(columns)} if columns else {}),
        )

    @event("Registered")
    def __init__(
        self,
        inspection: str,
        number: int,
        category: str,
        title: str,
        description: str,
        type: str,  # noqa: A002
        source: str,
        deadline: date | None,
        actor: str,
        at: datetime,
        parent: str = "",  # absent from events recorded before refinement existed
        columns: list[list[str]] | dict[str, str] | None = None,  # a 台账's own columns ([heading, cell]…), as the file had them
    ) -> None:
        self.inspection = inspection
        self.parent = parent
        self.columns = dict(columns or {})
        self.columns_in_order = isinstance(columns, list)  # a mapping (earlier imports): its view stays as it was
        self.number = number
        self.category = category
        self.title = title
        self.description = description
        self.type = type
        self.source = source
        self.deadline = deadline
        self.registered_at = at
        self.registered_by = actor
        self.status = "registered"
        self.assignments: list[dict[str, Any]] = []
        self.measures: list[dict[str, Any]] = []
        self.verifications: list[dict[str, Any]] = []
        self.signoffs: list[dict[str, Any]] = []
        self.reviews: list[dict[str, Any]] = []
        self.reopenings: list[dict[str, Any]] = []
        self.corrections: list[dict[str, Any]] = []
        self.relapses = 0
        self.reworks = 0

    # -- derived facts -----------------------------------------------------

    @property
    def display_id(self) -> str:
        return problem_display_id(self.inspection, self.number)

    @property
    def assignee(self) -> dict[str, Any] | None:
        return self.assignments[-1] if self.assignments else None

    @property
    def current_deadline(self) -> date | None:
        """The latest of: an approved extension, an assignment's deadline; else the problem's."""
        assigned = next((a for a in reversed(self.assignments) if a.get("deadline")), None)
        extended = next((e for e in reversed(self.extensions) if e["decision"] == "approved"), None)
        if extended is not None and (assigned is None or extended["decided_at"] >= assigned["at"]):
            return extended["to"]
        return assigned["deadline"] if assigned is not None else self.deadline

    @property
    def completed_by(self) -> set[str]:
        return {m["completed_by"] for m in self.measures if m["status"] == "done"}

    @property
    def last_completed_at(self) -> datetime | None:
        times = [m["completed_at"] for m in self.measures if m["status"] == "done"]
        return max(times) if times else None

    def measure(self, measure_id: str) -> dict[str, Any]:
        wanted = measure_id.strip().upper()
        if "/" in wanted:  # accept the long form PROBLEM/M1, of this problem only
            owner, _, wanted = wanted.rpartition("/")
            if owner.strip() != self.display_id.upper():
                from ledger.errors import UnknownID

                raise UnknownID("measure", f"{self.display_id}/{measure_id}")
        for m in self.measures:
            if m["id"] == wanted:
                return m
        from ledger.errors import UnknownID

        raise UnknownID("measure", f"{self.display_id}/{measure_id}")

    # -- rule helpers ------------------------------------------------------

    def _rule(self, rule: str, message: str) -> RuleViolation:
        return RuleViolation(rule, self.display_id, message)

    def _check_at(self, at: datetime) -> None:
        _check_not_future(at, self.display_id)
        if at < self.registered_at:
            raise self._rule(
                "acts-after-registration",
                t("--at {moment_text} is before the problem was registered ({moment_text2})", moment_text=moment_text(at), moment_text2=moment_text(self.registered_at)),
            )

    def _check_after_closure_acts(self, at: datetime, act: str) -> None:
        """An act is never dated before the sign-off or reopening it follows."""
        candidates = [("sign-off", e["at"]) for e in self.signoffs[-1:]]
        candidates += [("reopening", e["at"]) for e in self.reopenings[-1:]]
        if self.self_check is not None:  # 自查未发现
            candidates.append(("self-check answer", self.self_check["at"]))
        last = max(candidates, key=lambda c: c[1], default=None)
        if last is not None and at < last[1]:
            raise self._rule(
                "dates-in-order",
                t("{act} dated {moment_text} is before the {value} it follows ({moment_text2})", act=act, moment_text=moment_text(at), value=last[0], moment_text2=moment_text(last[1])),
            )

    def _check_open(self, act: str) -> None:
        if self.status in SIGNED_OFF_STATUSES or self.status == NOT_FOUND:
            raise self._rule(
                "reopen-before-new-work",
                t("is {status}: cannot {act} until it is reopened (ledger reopen)", status=self.status, act=act),
            )

    # -- assignment ----------------------------------------------------------

    def assign(
        self, *, lead: str, unit: str, person: str, deadline: date | None, actor: str, at: datetime
    ) -> None:
        self._check_at(at)
        self._check_after_closure_acts(at, "the assignment")
        self._check_open(t("reassign it"))
        if deadline is not None and deadline < self.registered_at.date():
            raise self._rule(
                "deadline-after-registration",
                t("{field} {value} is before registration on {date}", field=Field("deadline"), value=deadline, date=self.registered_at.date()),
            )
        self._assigned(lead=lead, unit=unit, person=person, deadline=deadline, actor=actor, at=at)

    @event("Assigned")
    def _assigned(
        self, lead: str, unit: str, person: str, deadline: date | None, actor: str, at: datetime
    ) -> None:
        self.assignments.append(
            {"lead": lead, "unit": unit, "person": person, "deadline": deadline, "at": at, "by": actor}
        )
        if self.status == "registered":
            self.status = "in_progress"

    # -- measures -----------------------------------------------------------

    def plan_measure(self, *, text: str, due: date | None, actor: str, at: datetime) -> str:
        self._check_at(at)
        self._check_after_closure_acts(at, "the measure")
        self._check_open(t("plan a new measure"))
        if due is not None and due < self.registered_at.date():
            raise self._rule(
                "deadline-after-registration",
                t("due date {due} is before registration on {date}", due=due, date=self.registered_at.date()),
            )
        measure_id = f"M{len(self.measures) + 1}"
        self._measure_planned(measure_id=measure_id, text=text, due=due, actor=actor, at=at)
        return measure_id

    @event("MeasurePlanned")
    def _measure_planned(
        self, measure_id: str, text: str, due: date | None, actor: str, at: datetime
    ) -> None:
        self.measures.append(
            {
                "id": measure_id,
                "text": text,
                "due": due,
                "status": "planned",
                "planned_at": at,
                "planned_by": actor,
                "evidence": [],
                "rules": 0,
                "funds": Decimal(0),
                "accountable": {},
                "clues": 0,
                "completed_at": None,
                "completed_by": None,
            }
        )
        # New work means the last verification no longer covers everything.
        if self.status == "verified":
            self.status = "in_progress"

    def complete_measure(
        self,
        *,
        measure_id: str,
        evidence: list[str],
        outcomes: MeasureOutcomes = MeasureOutcomes(),
        actor: str,
        at: datetime,
    ) -> None:
        measure = self.measure(measure_id)
        self._check_at(at)
        self._check_after_closure_acts(at, "the completion")
        self._check_open(t("complete a measure"))
        if self.status == "registered":
            raise self._rule(
                "assign-before-work", t("is not assigned yet: assign it before completing measures")
            )
        if measure["status"] == "done":
            raise self._rule("measure-done-once", t("measure {id} is already done", id=measure['id']))
        if at < measure["planned_at"]:
            raise self._rule(
                "dates-in-order",
                t("measure {id} cannot be completed before it was planned ({moment_text})", id=measure['id'], moment_text=moment_text(measure['planned_at'])),
            )
        self._measure_completed(
            measure_id=measure["id"],
            evidence=list(evidence),
            **{**outcomes._asdict(), "accountable": dict(outcomes.accountable)},  # the event's fields
            actor=actor,
            at=at,
        )

    @event("MeasureCompleted")
    def _measure_completed(
        self,
        measure_id: str,
        evidence: list[str],
        rules: int,
        funds: Decimal,
        accountable: dict[str, int],
        clues: int,
        actor: str,
        at: datetime,
    ) -> None:
        measure = self.measure(measure_id)
        measure.update(
            status="done",
            evidence=list(evidence),
            rules=rules,
            funds=Decimal(funds),
            accountable=dict(accountable),
            clues=clues,
            completed_at=at,
            completed_by=actor,
        )
        if self.status == "verified":
            self.status = "in_progress"

    # -- verification (核查验收) ------------------------------------------------

    def verify(self, *, grade: str, note: str, actor: str, at: datetime, policy: dict[str, Any]) -> None:
        self._check_at(at)
        self._check_after_closure_acts(at, "the verification")
        self._check_open(t("verify it again"))
        done = [m for m in self.measures if m["status"] == "done"]
        # A refined problem's work may all be in its children (细化), which sign-off checks.
        if not done and not self.children:
            raise self._rule("verify-after-measures", t("has no completed measure to verify"))
        still_open = [m["id"] for m in self.measures if m["status"] != "done"]
        if still_open and self.type != "long-term":
            raise self._rule(
                "verify-after-measures", t("measures still open: {still_open}", still_open=joined(still_open, ", ", "、"))
            )
        last = self.last_completed_at
        if last is not None and at < last:
            raise self._rule(
                "verification-after-measure",
                t("verification dated {moment_text} is before the last completed measure ({moment_text2})", moment_text=moment_text(at), moment_text2=moment_text(last)),
            )
        if policy.get("separate_verifier", True) and actor in self.completed_by:
            raise self._rule(
                "separate-verifier",
                t("{actor} completed a measure of this problem and may not verify it", actor=actor),
            )
        self._verification_recorded(
            grade=grade, passed=grade in PASSING_GRADES, note=note, actor=actor, at=at
        )

    @event("VerificationRecorded")
    def _verification_recorded(self, grade: str, passed: bool, note: str, actor: str, at: datetime) -> None:
        self.verifications.append({"grade": grade, "passed": passed, "note": note, "by": actor, "at": at})
        if passed:
            self.status = "verified"
        else:
            # 一般/差: back for a second round of rectification (二次整改).
            self.status = "in_progress"
            self.reworks += 1

    # -- sign-off (对账销号) -----------------------------------------------------

    def sign_off(
        self, *, note: str, actor: str, at: datetime, policy: dict[str, Any], children: dict[str, str] | None = None
    ) -> str:
        """`children`: the status of each finer problem registered under this one (细化)."""
        self._check_at(at)
        self._check_after_closure_acts(at, "the sign-off")
        if self.status in SIGNED_OFF_STATUSES:
            raise self._rule("sign-off-once", t("is already {status}", status=self.status))
        unfinished = [c for c in self.children if (children or {}).get(c) not in SIGNED_OFF_STATUSES]
        if unfinished:
            raise self._rule(
                "children-signed-off-first",
                t("its refined problems are not all signed off yet: {unfinished}", unfinished=joined(unfinished, ", ", "、")),
            )
        last_verification = self.verifications[-1] if self.verifications else None
        last_measure = self.last_completed_at
        if (
            self.status != "verified"
            or last_verification is None
            or not last_verification["passed"]
            or (last_measure is not None and last_verification["at"] < last_measure)
        ):
            raise self._rule(
                "sign-off-after-passing-verification",
                t("needs a passing verification (good or fair) recorded after its last completed measure"),
            )
        if at < last_verification["at"]:
            raise self._rule(
                "dates-in-order",
                t("sign-off dated {moment_text} is before the verification ({moment_text2})", moment_text=moment_text(at), moment_text2=moment_text(last_verification['at'])),
            )
        if policy.get("separate_signer", True) and actor in self.completed_by:
            raise self._rule(
                "separate-signer",
                t("{actor} completed a measure of this problem and may not sign it off", actor=actor),
            )
        if not self._enough_signatures(note=note, actor=actor, at=at, required=int(policy.get("required_signers", 1))):
            return self.status
        outcome = "ongoing" if self.type == "long-term" else "closed"
        self._signed_off(outcome=outcome, note=note, meaning="approval", actor=actor, at=at)
        return outcome

    @event("SignedOff")
    def _signed_off(self, outcome: str, note: str, meaning: str, actor: str, at: datetime) -> None:
        self.signoffs.append({"outcome": outcome, "note": note, "meaning": meaning, "by": actor, "at": at})
        self.status = outcome

    # -- after closure: 整改回头看 and relapse ----------------------------------------

    def record_review(self, *, result: str, note: str, actor: str, at: datetime) -> None:
        self._check_at(at)
        self._check_after_closure_acts(at, "the review")
        if self.status not in SIGNED_OFF_STATUSES:
            raise self._rule("review-after-closure", t("is {status}: only signed-off problems are reviewed", status=self.status))
        self._review_recorded(result=result, note=note, actor=actor, at=at)
        if result == "relapsed":
            # The cause is a code, worded on screen in the reader's language; the reviewer's note is the reason.
            self._reopened(reason=note, actor=actor, at=at, cause=RELAPSE_IN_REVIEW)

    @event("ReviewRecorded")
    def _review_recorded(self, result: str, note: str, actor: str, at: datetime) -> None:
        self.reviews.append({"result": result, "note": note, "by": actor, "at": at})

    def reopen(self, *, reason: str, actor: str, at: datetime) -> None:
        self._check_at(at)
        self._check_after_closure_acts(at, "the reopening")
        if self.status not in SIGNED_OFF_STATUSES and self.status != NOT_FOUND:
            raise self._rule("reopen-after-closure", t("is {status}: only signed-off problems, or ones a self-check did not find, can be reopened", status=self.status))
        self._reopened(reason=reason, actor=actor, at=at)

    @event("Reopened")
    def _reopened(self, reason: str, actor: str, at: datetime, cause: str = "") -> None:
        # `cause` is absent from events recorded before it existed: a review's reopening then carried its
        # cause in English in the reason ("relapse found in review: …"), and keeps it so.
        reopening = {"reason": reason, "by": actor, "at": at}
        if cause:
            reopening["cause"] = cause
        self.reopenings.append(reopening)
        if self.status != NOT_FOUND:  # found after a self-check said not found: work to do, not a relapse
            self.relapses += 1
        self.status = "in_progress"

    # -- corrections -------------------------------------------------------

    def correct(self, *, field: str, value: Any, reason: str, actor: str, at: datetime) -> None:
        """Fix an earlier entry; the original stays in the history."""
        self._check_at(at)
        target, _, attribute = field.partition(".")
        if attribute:  # a measure's field: M1.text or M1.due
            measure = self.measure(target)
            if attribute not in CORRECTABLE_MEASURE_FIELDS:
                raise InvalidInput(t("{display_id}: measure field '{attribute}' cannot be corrected ({fields})", display_id=self.display_id, attribute=attribute,
                                     fields=choices(vocabulary.MEASURE_FIELDS)))
            old = measure[attribute]
            field = f"{measure['id']}.{attribute}"
        else:
            if field not in CORRECTABLE_PROBLEM_FIELDS:
                raise InvalidInput(
                    t("{display_id}: field '{field}' cannot be corrected (fields: {CORRECTABLE})", display_id=self.display_id, field=Field(field), CORRECTABLE=field_choices(CORRECTABLE_PROBLEM_FIELD_NAMES))
                )
            old = getattr(self, field)
        if isinstance(value, date) and value < self.registered_at.date():
            raise self._rule(
                "deadline-after-registration",
                t("{field} {value} is before registration on {date}", field=Field(field), value=value, date=self.registered_at.date()),
            )
        if field == "type" and self.status in SIGNED_OFF_STATUSES:
            raise self._rule("reopen-before-new-work", t("is {status}: reopen it before changing its type", status=self.status))
        if old == value:
            raise self._rule("correction-changes-something", t("{field} is already {value}", field=Field(field), value=field_value(field, value)))
        self._corrected(field=field, old=old, new=value, reason=reason, actor=actor, at=at)

    @event("Corrected")
    def _corrected(self, field: str, old: Any, new: Any, reason: str, actor: str, at: datetime) -> None:
        target, _, attribute = field.partition(".")
        if attribute:
            self.measure(target)[attribute] = new
        else:
            setattr(self, field, new)
        self.corrections.append(
            {"field": field, "old": old, "new": new, "reason": reason, "by": actor, "at": at}
        )

    # -- watching against slippage: escalation (督办) and progress (长期坚持) ------
    # Added after the core events; problems recorded before these existed have
    # none, hence the class-level empty defaults (never mutated in place).

    escalations = ()  # type: ignore[assignment]
    progress = ()  # type: ignore[assignment]

    @property
    def escalation(self) -> str | None:
        """The current escalation level (levels only go up)."""
        return self.escalations[-1]["level"] if self.escalations else None

    def escalate(self, *, level: str, note: str, actor: str, at: datetime) -> None:
        from ledger.watch import ESCALATION_LEVELS

        self._check_at(at)
        self._check_after_closure_acts(at, "the escalation")
        self._check_open(t("escalate it"))
        order = list(ESCALATION_LEVELS)
        current = self.escalation
        if current is not None and order.index(level) <= order.index(current):
            raise self._rule(
                "escalation-only-up",
                t("is already at {level}: escalation can only go up to a higher level than that", level=vocabulary.ESCALATION_LEVELS.get(current, current)),
            )
        self._escalated(level=level, note=note, actor=actor, at=at)

    @event("Escalated")
    def _escalated(self, level: str, note: str, actor: str, at: datetime) -> None:
        self.escalations = [*self.escalations, {"level": level, "note": note, "by": actor, "at": at}]

    def record_progress(self, *, text: str, actor: str, at: datetime) -> None:
        self._check_at(at)
        self._check_after_closure_acts(at, t("the progress report"))
        if self.status == "closed":
            raise self._rule(
                "progress-while-not-closed",
                t("is closed: progress is reported on open and long-term (ongoing) problems"),
            )
        self._progress_recorded(text=text, actor=actor, at=at)

    @event("ProgressRecorded")
    def _progress_recorded(self, text: str, actor: str, at: datetime) -> None:
        self.progress = [*self.progress, {"text": text, "by": actor, "at": at}]


    # -- withholding from publication (不予公开) ---------------------------------
    # Added after the core lifecycle: a problem, or some of its fields, may be
    # kept out of the public report for one of the reasons in WITHHOLD_REASONS.
    # It still counts in every total; only its text is not printed.

    WITHHOLDABLE = ("problem", "title", "description", "measures")

    def withhold(self, *, reason: str, fields: list[str], actor: str, at: datetime) -> None:
        from ledger.values import WITHHOLD_REASONS

        self._check_at(at)
        if reason not in WITHHOLD_REASONS:
            raise InvalidInput(t("--reason: '{reason}' is not one of {WITHHOLD_REASONS}", reason=reason, WITHHOLD_REASONS=choices(vocabulary.WITHHOLD_REASONS)))
        wanted = []
        for name in fields or ["problem"]:
            field = name.strip()
            if field not in self.WITHHOLDABLE:
                try:
                    field = self.measure(field)["id"]
                except Exception:
                    raise InvalidInput(
                        t("{display_id}: '{name}' cannot be withheld ({parts})", display_id=self.display_id, name=name,
                          parts=choices(vocabulary.WITHHOLDABLE))
                    ) from None
            if field not in wanted:
                wanted.append(field)
        already = {f for w in getattr(self, "withheld", []) for f in w["fields"]}
        if "problem" in already or set(wanted) <= already:
            raise self._rule("withhold-changes-something", t("{wanted} already withheld", wanted=[vocabulary.WITHHELD_PARTS.get(w) or Field(w) for w in wanted]))
        self._withheld(reason=reason, fields=wanted, actor=actor, at=at)

    @event("Withheld")
    def _withheld(self, reason: str, fields: list[str], actor: str, at: datetime) -> None:
        if not hasattr(self, "withheld"):
            self.withheld: list[dict[str, Any]] = []
        self.withheld.append({"reason": reason, "fields": list(fields), "by": actor, "at": at})

    # -- 双审核 (several signers) and sensitive fields ---------------------------
    # Added after the core events; attributes default for problems recorded earlier.

    @property
    def pending_signatures(self) -> list[dict[str, Any]]:
        """Signatures on the current passing verification, not yet closing the problem."""
        current = len(self.verifications)
        return [s for s in getattr(self, "signatures", []) if s["verification"] == current and self.status == "verified"]

    def _enough_signatures(self, *, note: str, actor: str, at: datetime, required: int) -> bool:
        """With `required` > 1, record this signature and say whether it completes the set."""
        if required <= 1:
            return True
        pending = self.pending_signatures
        if any(s["by"] == actor for s in pending):
            raise self._rule(
                "different-signers",
                t("{actor} has already signed; {required} different signers must sign (dual review)", actor=actor, required=required),
            )
        if len(pending) + 1 >= required:
            return True
        self._signature_recorded(meaning="approval", note=note, verification=len(self.verifications), actor=actor, at=at)
        return False

    @event("SignatureRecorded")
    def _signature_recorded(self, meaning: str, note: str, verification: int, actor: str, at: datetime) -> None:
        if not hasattr(self, "signatures"):
            self.signatures: list[dict[str, Any]] = []
        self.signatures.append({"meaning": meaning, "note": note, "verification": verification, "by": actor, "at": at})

    def confide(self, *, field: str, ciphertext: str, actor: str, at: datetime) -> None:
        """Record a sensitive field's value, already encrypted (see ledger.confidential)."""
        self._check_at(at)
        self._sensitive_recorded(field=field, ciphertext=ciphertext, actor=actor, at=at)

    @event("SensitiveRecorded")
    def _sensitive_recorded(self, field: str, ciphertext: str, actor: str, at: datetime) -> None:
        if not hasattr(self, "sensitive"):
            self.sensitive: dict[str, dict[str, Any]] = {}
        self.sensitive[field] = {"ciphertext": ciphertext, "by": actor, "at": at}


    # -- refinement (细化): finer problems under a fed-back one --------------------
    # Added after the core events: problems recorded earlier have no parent and no children.

    children = ()  # type: ignore[assignment]

    def check_refinable(self, child: str) -> None:
        """Whether a finer problem may be registered under this one."""
        if self.parent:
            raise self._rule(
                "refine-official-problems",
                t("is itself a refinement of {parent}: register {child} under {parent} instead", parent=self.parent, child=child),
            )
        self._check_open(t("refine it"))

    def add_child(self, *, child: str, actor: str, at: datetime) -> None:
        self._check_at(at)
        self.check_refinable(child)
        self._child_added(child=child, actor=actor, at=at)

    @event("ChildAdded")
    def _child_added(self, child: str, actor: str, at: datetime) -> None:
        self.children = [*self.children, child]

    # -- extensions (申请延期整改) -----------------------------------------------------
    # Requested by the responsible person, effective only once a signer approves.

    extensions = ()  # type: ignore[assignment]

    @property
    def pending_extension(self) -> dict[str, Any] | None:
        last = self.extensions[-1] if self.extensions else None
        return last if last is not None and last["decision"] == "pending" else None

    def request_extension(self, *, to: date, reason: str, actor: str, at: datetime) -> None:
        self._check_at(at)
        self._check_open(t("extend its deadline"))
        if self.pending_extension is not None:
            raise self._rule(
                "one-extension-request-at-a-time",
                t("already has an extension to {to} awaiting a decision (ledger approve-extension)", to=self.pending_extension['to']),
            )
        current = self.current_deadline
        if current is None:
            raise self._rule("extend-a-deadline", t("has no deadline to extend: assign one first"))
        if to <= current:
            raise self._rule("extend-a-deadline", t("new deadline {to} is not later than the current one ({current})", to=to, current=current))
        self._extension_requested(to=to, reason=reason, previous=current, actor=actor, at=at)

    @event("ExtensionRequested")
    def _extension_requested(self, to: date, reason: str, previous: date, actor: str, at: datetime) -> None:
        self.extensions = [
            *self.extensions,
            {
                "to": to, "previous": previous, "reason": reason, "requested_by": actor, "requested_at": at,
                "decision": "pending", "decided_by": None, "decided_at": None, "note": "",
            },
        ]

    def decide_extension(self, *, approve: bool, note: str, actor: str, at: datetime) -> None:
        self._check_at(at)
        pending = self.pending_extension
        if pending is None:
            raise self._rule("decide-a-requested-extension", t("has no extension request awaiting a decision"))
        if actor == pending["requested_by"]:
            raise self._rule(
                "separate-approver",
                t("{actor} requested this extension and may not decide it", actor=actor),
            )
        if at < pending["requested_at"]:
            raise self._rule(
                "dates-in-order",
                t("decision dated {isoformat} is before the request ({isoformat2})", isoformat=at.isoformat(), isoformat2=pending['requested_at'].isoformat()),
            )
        if approve:
            self._check_open(t("extend its deadline"))
        self._extension_decided(approved=approve, note=note, actor=actor, at=at)

    @event("ExtensionDecided")
    def _extension_decided(self, approved: bool, note: str, actor: str, at: datetime) -> None:
        last = dict(self.extensions[-1])
        last.update(decision="approved" if approved else "refused", decided_by=actor, decided_at=at, note=note)
        self.extensions = [*self.extensions[:-1], last]

    @property
    def extended_to(self) -> date | None:
        """The deadline an approved extension set, if the current deadline comes from one."""
        approved = [e for e in self.extensions if e["decision"] == "approved"]
        if not approved:
            return None
        return approved[-1]["to"] if self.current_deadline == approved[-1]["to"] else None


    # -- recurrence (屡查屡犯): a problem found again in a later inspection ------------------
    # Added after the core events: problems recorded earlier have no links.

    links = ()  # type: ignore[assignment]
    rejected = ()  # type: ignore[assignment]

    def linked_to(self, other: str) -> dict[str, Any] | None:
        return next((link for link in self.links if link["problem"] == other), None)

    def link_earlier(self, earlier: Problem, *, kind: str, note: str, actor: str, at: datetime) -> None:
        """Record that this problem is `earlier` found again (recurrence) or of the same kind (same-kind).

        A recurrence of a signed-off problem is a relapse of it: its relapses go up by one, for good.
        """
        self._check_at(at)
        earlier._check_at(at)
        if earlier.display_id == self.display_id:
            raise self._rule("link-another-problem", t("cannot be linked to itself"))
        if earlier.inspection == self.inspection:
            raise self._rule("link-another-inspection", t("fed back by the same inspection as {display_id}: link a problem found again by a later one", display_id=earlier.display_id))
        if earlier.registered_at > self.registered_at:
            raise self._rule(
                "link-earlier-problem",
                t("was registered before {display_id}: give the later problem first (ledger link NEW OLD)", display_id=earlier.display_id),
            )
        for mine, theirs in ((self, earlier.display_id), (earlier, self.display_id)):
            if mine.linked_to(theirs) is not None:
                raise self._rule("link-once", t("is already linked to {display_id}", display_id=earlier.display_id))
        if any(r["problem"] == earlier.display_id for r in self.rejected):
            raise self._rule("link-after-rejection", t("{display_id} was rejected as like it: nothing written", display_id=earlier.display_id))
        self._linked(problem=earlier.display_id, link=kind, note=note, actor=actor, at=at)
        earlier._found_again(problem=self.display_id, link=kind, note=note, actor=actor, at=at)

    # `link`: recurrence (屡查屡犯) or same-kind (同类问题).
    @event("Linked")
    def _linked(self, problem: str, link: str, note: str, actor: str, at: datetime) -> None:
        self.links = [*self.links, {"problem": problem, "as": link, "direction": "earlier", "note": note, "by": actor, "at": at}]

    @event("FoundAgain")
    def _found_again(self, problem: str, link: str, note: str, actor: str, at: datetime) -> None:
        relapse = link == "recurrence" and self.status in SIGNED_OFF_STATUSES
        entry = {"problem": problem, "as": link, "direction": "later", "note": note, "by": actor, "at": at, "relapse": relapse}
        self.links = [*self.links, entry]
        if relapse:
            self.relapses += 1

    def reject_like(self, earlier: Problem, *, note: str, actor: str, at: datetime) -> None:
        """Record that `earlier`, offered as like this problem, is not: it is not offered again."""
        self._check_at(at)
        if earlier.display_id == self.display_id:
            raise self._rule("link-another-problem", t("cannot be linked to itself"))
        if self.linked_to(earlier.display_id) is not None:
            raise self._rule("link-once", t("is already linked to {display_id}: a link is never undone", display_id=earlier.display_id))
        if any(r["problem"] == earlier.display_id for r in self.rejected):
            raise self._rule("reject-once", t("{display_id} was already rejected as like it", display_id=earlier.display_id))
        self._rejected(problem=earlier.display_id, note=note, actor=actor, at=at)

    @event("LikeRejected")
    def _rejected(self, problem: str, note: str, actor: str, at: datetime) -> None:
        self.rejected = [*self.rejected, {"problem": problem, "note": note, "by": actor, "at": at}]

    # -- 举一反三 (同类同改): a problem sent to other units for self-check (自查) -----------------
    # Added after the links: the source notes each problem it was sent as (Propagated), each unit's
    # problem where it came from (SelfCheckRequested); the unit answers with measures as usual, or
    # with evidence that its self-check found nothing (SelfCheckNotFound).

    self_check = None  # type: ignore[assignment]

    def sent_for_self_check_to(self, inspection: str) -> str | None:
        """The problem this one was already sent as to `inspection`'s unit, or None."""
        return next(
            (k["problem"] for k in self.links if k["as"] == "self-check" and k["direction"] == "sent-to" and k["problem"].rsplit("-", 1)[0] == inspection),
            None,
        )

    @property
    def self_check_source(self) -> str | None:
        """The problem this one was sent for self-check from, or None."""
        return next((k["problem"] for k in self.links if k["as"] == "self-check" and k["direction"] == "sent-from"), None)

    def propagate_to(self, target: Problem, *, deadline: date | None, note: str, actor: str, at: datetime) -> None:
        """Record that `target` (just registered in another unit's inspection) is this problem sent for self-check."""
        self._check_at(at)
        if target.inspection == self.inspection:
            raise self._rule("propagate-to-another-unit", t("cannot be sent for self-check to its own inspection"))
        already = self.sent_for_self_check_to(target.inspection)
        if already is not None:
            raise self._rule("propagate-once", t("was already sent to {inspection} as {display_id}", inspection=target.inspection, display_id=already))
        self._propagated(problem=target.display_id, deadline=deadline, note=note, actor=actor, at=at)
        target._self_check_requested(problem=self.display_id, deadline=deadline, note=note, actor=actor, at=at)

    @event("Propagated")
    def _propagated(self, problem: str, deadline: date | None, note: str, actor: str, at: datetime) -> None:
        entry = {"problem": problem, "as": "self-check", "direction": "sent-to", "note": note, "by": actor, "at": at, "deadline": deadline}
        self.links = [*self.links, entry]

    @event("SelfCheckRequested")
    def _self_check_requested(self, problem: str, deadline: date | None, note: str, actor: str, at: datetime) -> None:
        entry = {"problem": problem, "as": "self-check", "direction": "sent-from", "note": note, "by": actor, "at": at, "deadline": deadline}
        self.links = [*self.links, entry]

    def answer_not_found(self, *, note: str, actor: str, at: datetime) -> None:
        """自查未发现: the unit's self-check did not find the problem (the evidence is the act's attached files)."""
        self._check_at(at)
        self._check_after_closure_acts(at, t("the self-check answer"))
        if self.self_check_source is None:
            raise self._rule("not-found-after-self-check", t("was not sent for self-check (ledger propagate): only such a problem is answered as not found"))
        if self.status == NOT_FOUND:
            raise self._rule("answer-once", t("is already answered as not found after self-check"))
        self._check_open(t("answer it as not found"))
        if self.status == "verified" or any(m["status"] == "done" for m in self.measures):
            raise self._rule("not-found-before-measures", t("has completed measures: it was found; verify and sign it off instead"))
        self._self_check_not_found(note=note, actor=actor, at=at)

    @event("SelfCheckNotFound")
    def _self_check_not_found(self, note: str, actor: str, at: datetime) -> None:
        self.self_check = {"result": NOT_FOUND, "note": note, "by": actor, "at": at}
        self.status = NOT_FOUND


class SampleDraw(Aggregate):
    """A random draw of signed-off problems for on-site re-checking (台账销号反向核查).

    Each draw is kept, so a sample cannot be redrawn quietly until a
    favourable one comes up. The draw is reproducible: `random.Random(seed)`
    sampling `size` from the recorded population, in its recorded order.
    """

    @classmethod
    def draw(
        cls, *, inspection: str, seed: int, size: int, population: list[str], actor: str, at: datetime,
        signed_off: dict[str, datetime] | None = None,
    ) -> SampleDraw:
        """`signed_off`: when each problem of the population was signed off; a draw is never dated before one."""
        _check_not_future(at, inspection)
        latest = max((signed_off or {}).items(), key=lambda item: item[1], default=None)
        if latest is not None and at < latest[1]:
            raise RuleViolation(
                "dates-in-order",
                inspection,
                t("the draw dated {moment_text} is before the sign-off of {value} ({moment_text2})", moment_text=moment_text(at), value=latest[0], moment_text2=moment_text(latest[1])),
            )
        if not population:
            raise RuleViolation("sample-from-closed", inspection, t("has no signed-off problems to sample"))
        if size < 1 or size > len(population):
            raise RuleViolation(
                "sample-size", inspection, t("sample size {size} must be between 1 and {n_population} (signed-off problems)", size=size, n_population=len(population))
            )
        return cls(
            inspection=inspection,
            seed=seed,
            size=size,
            drawn_ids=draw_sample(population, seed, size),
            population=list(population),
            actor=actor,
            at=at,
        )

    @event("Drawn")
    def __init__(self, inspection: str, seed: int, size: int, drawn_ids: list[str], population: list[str], actor: str, at: datetime) -> None:
        self.inspection = inspection
        self.seed = seed
        self.size = size
        self.drawn_ids = list(drawn_ids)
        self.population = list(population)
        self.drawn_by = actor
        self.drawn_at = at


def draw_sample(population: list[str], seed: int, size: int) -> list[str]:
    """The same (population, seed, size) always gives the same sample."""
    import random

    return random.Random(seed).sample(list(population), size)
