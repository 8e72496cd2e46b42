"""The audit trail: every event in log order, in plain words, corrections beside what they correct.

Built from the event log alone (nothing from the read models but the list of an
inspection's problems, to select their events). A correction row names the
event that set the value it corrects ("corrects #12"), and that event's row
names its corrections ("corrected by #45").
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from ledger.values import CORRECTABLE_INSPECTION_FIELDS, CORRECTABLE_PROBLEM_FIELDS
from ledger.vocabulary import SUBJECTS, Word
from projections.history import field_named, act_fields, act_note, describe, details, event_name, corrected_value, with_note
from projections.views import plain
from ledger.messages import Data, Message, Stored, joined, render, t, tn

COLUMNS = ("seq", "recorded_at", "at", "actor", "subject", "event", "details", "correction")


def _stored(table: dict[str, Word], value: Any) -> Any:
    """A stored value as a sentence shows it: as stored in the English that JSON and CSV carry, by the
    vocabulary's word on screen (an unknown value as it is)."""
    if not isinstance(value, str):
        return value
    return Stored(value, table.get(value) or Word(value, value))


# Words an English sentence of the trail has long carried in Chinese (its JSON keeps them: JSON values never
# change); on an English screen they read in English.
_REWORK = Stored("二次整改", Word("二次整改", "rework"))
_LOOK_BACK = Stored("回头看", Word("整改回头看", "after sign-off"))  # the review (an event), not the inspection kind
_PEOPLE = Stored("people (人员与权限)", SUBJECTS["people"])


def plain_words(domain_event: Any, is_problem: bool) -> Message | str:
    """The act in a sentence an auditor can read: a keyed message (ledger.po), shown in the reader's language
    on screen; JSON and CSV keep its English."""
    from ledger.vocabulary import (
        ACCOUNTABILITY_KINDS, FIGURES, GRADES, INSPECTION_KINDS, MEANINGS, PROBLEM_TYPES, REOPEN_CAUSES, REVIEW_RESULTS, SOURCES, STATUSES, WITHHOLD_REASONS,
    )

    d = details(domain_event)
    name = event_name(domain_event)

    def note() -> Any:
        return t("; note: {note}", note=d["note"]) if d.get("note") else ""

    def deadline() -> Any:
        return t(", deadline {deadline}", deadline=d["deadline"]) if d.get("deadline") else ""

    if name == "Registered" and not is_problem:
        feedback = t(", feedback given {feedback}", feedback=d["feedback"]) if d.get("feedback") else ""
        return t("registered inspection {code} «{name}»: {group} inspected {organisation} from {start} to {end} ({kind}){feedback}",
                 code=d["code"], name=d["name"], group=d["group"], organisation=d["organisation"], start=d["start"], end=d["end"],
                 kind=_stored(INSPECTION_KINDS, d["kind"]), feedback=feedback)
    if name == "Registered":
        description = t("; description: {description}", description=d["description"]) if d.get("description") else ""
        return t("registered problem {number} [{category}] {title}; type {type}, source {source}{deadline}{description}",
                 number=d["number"], category=d["category"], title=d["title"], type=_stored(PROBLEM_TYPES, d["type"]),
                 source=_stored(SOURCES, d["source"]), deadline=deadline(), description=description)
    if name == "Assigned":
        return t("assigned to {person} ({unit}), responsible leader {lead}{deadline}", person=d["person"], unit=d["unit"], lead=d["lead"],
                 deadline=deadline())
    if name == "MeasurePlanned":
        due = t(" (due {due})", due=d["due"]) if d.get("due") else ""
        return t("planned measure {measure_id}: {text}{due}", measure_id=d["measure_id"], text=d["text"], due=due)
    if name == "MeasureCompleted":
        evidence = t("; evidence: {evidence}", evidence=joined(d["evidence"], ", ", "、")) if d.get("evidence") else ""
        outcomes: list[Message] = []
        # Each figure by the vocabulary's name on screen (as the summary heads it); its key in JSON and CSV.
        if d.get("rules"):
            outcomes.append(t("{figure} {rules}", figure=Stored("rules", FIGURES["rules"]), rules=d["rules"]))
        if d.get("funds") not in (None, "0.00"):
            outcomes.append(t("{figure} {funds} yuan", figure=Stored("funds", FIGURES["funds"]), funds=d["funds"]))
        if d.get("accountable"):
            held = [t("{accountability_kind} {people}", accountability_kind=_stored(ACCOUNTABILITY_KINDS, k), people=n)
                    for k, n in d["accountable"].items()]
            outcomes.append(t("{figure} {people}", figure=Stored("accountable", FIGURES["accountable"]), people=joined(held, ", ", "、")))
        if d.get("clues"):
            outcomes.append(t("{figure} {clues}", figure=Stored("clues", FIGURES["clues"]), clues=d["clues"]))
        achieved = t("; outcomes: {outcomes}", outcomes=joined(outcomes, ", ", "，")) if outcomes else ""
        return t("completed measure {measure_id}{evidence}{outcomes}", measure_id=d["measure_id"], evidence=evidence, outcomes=achieved)
    if name == "VerificationRecorded":
        grade = _stored(GRADES, d["grade"])
        if d["passed"]:
            return t("verification graded {grade}: passed{note}", grade=grade, note=note())
        return t("verification graded {grade}: failed, back for {rework}{note}", grade=grade, rework=_REWORK, note=note())
    if name == "SignedOff":
        return t("signed off ({meaning}) as {outcome}{note}", meaning=_stored(MEANINGS, d["meaning"]),
                 outcome=_stored(STATUSES, d["outcome"]), note=note())
    if name == "ReviewRecorded":
        return t("review ({look_back}): {result}{note}", look_back=_LOOK_BACK, result=_stored(REVIEW_RESULTS, d["result"]), note=note())
    if name == "Reopened":
        from ledger.values import OLD_RELAPSE_REASON, RELAPSE_IN_REVIEW

        cause, reason = d.get("cause"), d["reason"]
        if not cause and reason.startswith(OLD_RELAPSE_REASON):  # recorded before the cause existed: its English reads the same
            cause, reason = RELAPSE_IN_REVIEW, reason[len(OLD_RELAPSE_REASON):]
        if cause in REOPEN_CAUSES:  # data carries the cause's English, a screen its word
            word = REOPEN_CAUSES[cause]
            return t("reopened: {cause}: {reason}", cause=Stored(word.en, word), reason=reason)
        return t("reopened: {reason}", reason=reason)
    if name == "Corrected":
        old, new = (corrected_value(d["field"], v) if v not in (None, "") else "—" for v in (d["old"], d["new"]))
        return t("corrected {field}: {old} → {new}; reason: {reason}", field=field_named(d["field"]), old=old, new=new, reason=d["reason"])
    if name == "Withheld":
        return t("withheld from publication: {fields} (reason: {reason})", fields=joined([field_named(f) for f in d["fields"]], ", ", "、"),
                 reason=_stored(WITHHOLD_REASONS, d["reason"]))
    if name == "Propagated":  # 举一反三
        return t("sent for self-check to another unit as {problem}{deadline}{note}", problem=d["problem"], deadline=deadline(), note=note())
    if name == "SelfCheckRequested":
        return t("sent here for self-check from {problem}{deadline}{note}", problem=d["problem"], deadline=deadline(), note=note())
    if name == "SelfCheckNotFound":
        return t("self-check answered: not found{note}", note=note())
    sentence = _later_act(name, d, note)
    if sentence is None:
        return describe(domain_event)  # a kind the vocabulary does not know yet: key=value
    return _Said(describe(domain_event), sentence)


def in_words(domain_event: Any) -> Any:
    """`history`'s details: the trail's sentence on screen; its data (JSON, CSV) the `key=value` history has always carried."""
    data = describe(domain_event)
    sentence = plain_words(domain_event, hasattr(domain_event, "number"))  # a problem's registration has a number
    if not isinstance(sentence, Message):  # already kept its data (_Said), or a kind without a sentence
        return sentence
    return _HistorySaid(data, sentence)


def sentence_data(details: Any) -> Any:
    """`history`'s details as the audit trail's CSV carries them: the trail's sentence, in its data English
    (`history --format csv` and `audit --format csv` give one form for one event; history's JSON keeps `key=value`)."""
    if isinstance(details, _HistorySaid):  # the trail's own sentence (a later act's _Said is the trail's data too)
        return details.sentence
    if type(details) is Message and details.params:  # the sentence and who signed it
        return Message(details.template, **{k: sentence_data(v) for k, v in details.params.items()})
    return details


class _Said(Data):
    """An act worded as a sentence on screen whose data (JSON, CSV) keeps the `key=value` it has always carried."""

    def __new__(cls, data: str, sentence: Message) -> "_Said":
        self = super().__new__(cls, str.__str__(data))
        self.sentence = sentence
        return self

    def __reduce__(self) -> Any:
        return (_Said, (str.__str__(self), self.sentence))

    def label(self, lang: str) -> str:
        return render(self.sentence, lang)


class _HistorySaid(_Said):
    """`history`'s details of an act whose trail sentence is a sentence in the trail's data too."""

    def __reduce__(self) -> Any:
        return (_HistorySaid, (str.__str__(self), self.sentence))


def _later_act(name: str, d: dict[str, Any], note: Any) -> Message | None:
    """The sentence of an act added after the trail's first sentences; values by the vocabulary's words."""
    from ledger import identity
    from ledger.vocabulary import DECISIONS, ESCALATION_LEVELS, LINK_KINDS, MEANINGS, ROLES, SENSITIVE_FIELDS, word_of

    def key() -> Any:
        return t(" (key {fingerprint})", fingerprint=d["fingerprint"]) if d.get("fingerprint") else ""

    if name == "SignatureRecorded":
        return t("signed ({meaning}), awaiting a second signer{note}", meaning=word_of(MEANINGS, d["meaning"]), note=note())
    if name == "Escalated":
        return t("escalated: {level}{note}", level=word_of(ESCALATION_LEVELS, d["level"]), note=note())
    if name == "ProgressRecorded":
        return t("progress reported: {text}", text=d["text"])
    if name == "SensitiveRecorded":
        return t("sensitive content recorded, encrypted: {field}", field=word_of(SENSITIVE_FIELDS, d["field"]))
    if name == "ChildAdded":
        return t("refined into problem {child}", child=d["child"])
    if name == "ExtensionRequested":
        return t("extension requested: deadline {previous} → {to}; reason: {reason}", previous=d["previous"], to=d["to"], reason=d["reason"])
    if name == "ExtensionDecided":
        return t("extension {decision}{note}", decision=DECISIONS["approved" if d["approved"] else "refused"], note=note())
    if name == "Linked":
        return t("linked to the earlier problem {problem} ({link}){note}", problem=d["problem"], link=word_of(LINK_KINDS, d["link"]), note=note())
    if name == "FoundAgain":
        return t("found again as {problem} ({link}){note}", problem=d["problem"], link=word_of(LINK_KINDS, d["link"]), note=note())
    if name == "LikeRejected":
        return t("{problem} rejected as not alike{note}", problem=d["problem"], note=note())
    if name == "Drawn":
        return tn("drew {size} of the {population} problem of {inspection} for a spot check (seed {seed}): {drawn}", "drew {size} of the {population} problems of {inspection} for a spot check (seed {seed}): {drawn}", len(d["population"]), size=d["size"],
                 population=len(d["population"]), inspection=d["inspection"], seed=d["seed"], drawn=joined(d["drawn_ids"], ", ", "、"))
    if name == "Recorded":
        return t("checkpoint recorded at event #{sequence}: chain head {head}…{key}", sequence=d["sequence"], head=str(d["head"])[:16], key=key())
    if name == "LedgerFounded":
        return t("ledger {ledger_id} founded, administered by {administrator}{key}", ledger_id=d["ledger_id"], administrator=d["administrator"], key=key())
    if name == "PersonEnrolled":
        return identity.enrolled_words(d["name"], d.get("roles") or [], key())
    if name == "KeyEnrolled":
        return t("enrolled a key for {name}{key}", name=d["name"], key=key())
    if name == "RoleGranted":
        return t("granted {name} the role {role}", name=d["name"], role=word_of(ROLES, d["role"]))
    if name == "RoleRevoked":
        return identity.role_revoked_words(d["name"], d["role"])
    if name == "PersonRevoked":
        return identity.person_revoked_words(d["name"])
    if name == "PolicySet":
        return identity.policy_words(d["name"], d["value"])
    return None


def _subject_of(domain_event: Any, key: Any) -> str:
    """A subject without a code of its own: the ledger's people (the Authority aggregate); a checkpoint or a sample
    draw by its word on screen, its ID in data (JSON, CSV)."""
    owner = type(domain_event).__qualname__.partition(".")[0]
    if owner == "Authority":
        return _PEOPLE
    if owner in _OWN_SUBJECTS:
        return Stored(str(key), SUBJECTS[_OWN_SUBJECTS[owner]])
    return str(key)


_OWN_SUBJECTS = {"Checkpoint": "checkpoint", "SampleDraw": "sample"}


def trail_rows(
    events: Iterable[tuple[int, Any]],
    *,
    since: date | None = None,
    until: date | None = None,
    actor: str | None = None,
) -> list[dict[str, Any]]:
    """Rows of the audit trail, in log order, filtered by recorded date and actor; `details` and `correction` are
    keyed messages (English as JSON and CSV carry them; rendered in the reader's language on screen)."""
    return trail_tail(events, since=since, until=until, actor=actor)[0]


def trail_tail(
    events: Iterable[tuple[int, Any]],
    *,
    since: date | None = None,
    until: date | None = None,
    actor: str | None = None,
    last: int | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """(rows of the trail as trail_rows, how many events were selected); with `last`, only the last that many rows.

    Every event is still read (a correction points back to the event it corrects), but only the kept
    ones are worded: on a terminal the newest thirty cost the reading of the log, not its rows.
    An event whose state was rewritten in the store (a field missing or of another type) is exit 4 naming it.
    """
    at = [0]  # the event being read or worded, for the message
    try:
        return _trail_tail(events, at, since=since, until=until, actor=actor, last=last)
    except (AttributeError, TypeError, KeyError, ValueError, OverflowError) as e:
        from ledger.errors import TamperingFound

        raise TamperingFound(at[0], t("cannot be read back ({name__} reading it): run `ledger audit --verify`", name__=type(e).__name__)) from None


def _trail_tail(
    events: Iterable[tuple[int, Any]],
    at: list[int],
    *,
    since: date | None,
    until: date | None,
    actor: str | None,
    last: int | None,
) -> tuple[list[dict[str, Any]], int]:
    import collections

    subjects: dict[Any, str] = {}
    problems: set[Any] = set()
    last_set: dict[tuple[Any, str], int] = {}
    kept: collections.deque[tuple[int, Any, str]] = collections.deque(maxlen=last)
    corrected_by: dict[int, list[str]] = {}
    total = 0
    for seq, domain_event in events:
        at[0] = seq
        key = domain_event.originator_id
        name = event_name(domain_event)
        correction = ""
        if name == "Registered":
            if hasattr(domain_event, "number"):
                problems.add(key)
                subjects[key] = f"{domain_event.inspection}-{domain_event.number}"
                fields: tuple[str, ...] = CORRECTABLE_PROBLEM_FIELDS
            else:
                subjects[key] = domain_event.code
                fields = CORRECTABLE_INSPECTION_FIELDS
            for f in fields:
                last_set[(key, f)] = seq
        elif name == "MeasurePlanned":
            last_set[(key, f"{domain_event.measure_id}.text")] = seq
            last_set[(key, f"{domain_event.measure_id}.due")] = seq
        elif name == "Corrected":
            original = last_set.get((key, domain_event.field))
            if original is not None:
                correction = t("corrects #{seq}", seq=original)
                corrected_by.setdefault(original, []).append(t("#{seq} ({field})", seq=seq, field=field_named(domain_event.field)))
            last_set[(key, domain_event.field)] = seq
        day = domain_event.timestamp.date()
        if (since and day < since) or (until and day > until) or (actor and getattr(domain_event, "actor", "") != actor):
            continue
        kept.append((seq, domain_event, correction))
        total += 1
    rows: list[dict[str, Any]] = []
    for seq, domain_event, correction in kept:
        at[0] = seq
        key = domain_event.originator_id
        recorded = domain_event.timestamp
        row = {
            "seq": seq,
            "recorded_at": plain(recorded),
            "at": plain(getattr(domain_event, "at", None) or recorded),
            "actor": getattr(domain_event, "actor", ""),
            "subject": subjects.get(key) or _subject_of(domain_event, key),
            "event": event_name(domain_event),
            "details": with_note(plain_words(domain_event, key in problems), act_note(domain_event)),
            "correction": correction,
            "data": details(domain_event),
            **act_fields(domain_event),
        }
        later = corrected_by.get(seq)
        if later:
            note = t("corrected by {corrections}", corrections=joined(later, ", ", "、"))
            row["correction"] = joined([row["correction"], note]) if row["correction"] else note
        rows.append(row)
    return rows, total
