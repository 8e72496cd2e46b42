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
from projections.history import _describe_value, act_fields, act_note, describe, details, event_name, with_note
from projections.views import plain
from ledger.messages import Field, joined, t

COLUMNS = ("seq", "recorded_at", "at", "actor", "subject", "event", "details", "correction")



# Each act's sentence as (English, Chinese) templates of named values, written once: the two languages
# differ in their words, not in what they say. A tail (", deadline …") is added only when its value is there.
# {act}: the vocabulary's word for the event (ledger.vocabulary.EVENTS), in Chinese.
_SENTENCES: dict[str, tuple[str, str]] = {
    "inspection": (
        "registered inspection {code} «{name}»: {group} inspected {organisation} from {start} to {end} ({kind})",
        "登记巡察 {code}《{name}》：{group}巡察{organisation}，{start} 至 {end}（{kind}）",
    ),
    "feedback": (", feedback given {feedback}", "，{feedback} 反馈"),
    "problem": (
        "registered problem {number} [{category}] {title}; type {type}, source {source}",
        "登记问题 {number}〔{category}〕{title}；{type}，来源：{source}",
    ),
    "deadline": (", deadline {deadline}", "，整改时限 {deadline}"),
    "description": ("; description: {description}", "；问题描述：{description}"),
    "assigned": ("assigned to {person} ({unit}), responsible leader {lead}", "{act}：{person}（{unit}），责任领导 {lead}"),
    "planned": ("planned measure {measure_id}: {text}", "{act} {measure_id}：{text}"),
    "due": (" (due {due})", "（时限 {due}）"),
    "completed": ("completed measure {measure_id}", "{act} {measure_id}"),
    "evidence": ("; evidence: {evidence}", "；佐证材料：{evidence}"),
    "outcomes": ("; outcomes: {outcomes}", "；成效：{outcomes}"),
    "rules": ("rules {rules}", "建立完善制度 {rules} 项"),
    "funds": ("funds {funds} yuan", "清退、追回资金 {funds} 元"),
    "accountable": ("accountable {people}", "问责 {people}"),
    "accountable_kind": ("{kind} {n}", "{kind} {n} 人"),
    "clues": ("clues {clues}", "移交问题线索 {clues} 条"),
    "passed": ("verification graded {grade}: passed", "{act}评为“{grade}”：通过"),
    "failed": ("verification graded {grade}: failed, back for 二次整改", "{act}评为“{grade}”：未通过，退回二次整改"),
    "signed": ("signed off ({meaning}) as {outcome}", "{act}（{meaning}）：{outcome}"),
    "review": ("review (回头看): {result}", "{act}：{result}"),
    "note": ("; note: {note}", "；说明：{note}"),
    "reopened": ("reopened: {reason}", "{act}：{reason}"),
    "corrected": ("corrected {field}: {old} → {new}; reason: {reason}", "更正{field}：{old} → {new}；理由：{reason}"),
    "withheld": ("withheld from publication: {fields} (reason: {reason})", "{act}：{fields}（理由：{reason}）"),
}
_LIST = (", ", "、")  # evidence, accountable kinds, withheld fields
_OUTCOMES = (", ", "，")


def _v(value: Any) -> str:
    return _describe_value(value) if value not in (None, "") else "—"


def _field_zh(field: str) -> str:
    """category → 问题类别; M2.due → M2 时限 (the vocabulary's words: the values are stored in English)."""
    from ledger import vocabulary

    head, dot, tail = field.partition(".")
    if dot:
        return f"{head} {vocabulary.label(vocabulary.MEASURE_FIELDS, tail, 'zh')}"
    return str(vocabulary.label(vocabulary.FIELDS, field, "zh") if field in vocabulary.FIELDS else vocabulary.label(vocabulary.WITHHELD_PARTS, field, "zh"))


def plain_words(domain_event: Any, is_problem: bool, lang: str = "en") -> str:
    """The act in a sentence an auditor can read (in Chinese with lang "zh"; JSON and csv keep English)."""
    from ledger.vocabulary import (
        ACCOUNTABILITY_KINDS, EVENTS, GRADES, INSPECTION_KINDS, MEANINGS, PROBLEM_TYPES, REVIEW_RESULTS, STATUSES, WITHHOLD_REASONS,
        label,
    )

    zh = lang == "zh"
    d = details(domain_event)
    name = event_name(domain_event)
    act = EVENTS[name].zh if zh and name in EVENTS else ""

    def say(key: str, **values: Any) -> str:
        return _SENTENCES[key][zh].format(act=act, **values)

    def tail(key: str) -> str:  # the tail named as its value, when the value is there
        return say(key, **{key: d[key]}) if d.get(key) else ""

    def word(table: Any, value: Any) -> Any:  # a stored value in the reader's words
        return label(table, value, "zh") if zh else value

    def field_word(field: str) -> str:
        return _field_zh(field) if zh else field

    if name == "Registered" and not is_problem:
        return say("inspection", **{**d, "kind": word(INSPECTION_KINDS, d["kind"])}) + tail("feedback")
    if name == "Registered":
        return say("problem", **{**d, "type": word(PROBLEM_TYPES, d["type"])}) + tail("deadline") + tail("description")
    if name == "Assigned":
        return say("assigned", **d) + tail("deadline")
    if name == "MeasurePlanned":
        return say("planned", **d) + tail("due")
    if name == "MeasureCompleted":
        text = say("completed", measure_id=d["measure_id"])
        if d.get("evidence"):
            text += say("evidence", evidence=_LIST[zh].join(d["evidence"]))
        outcomes = []
        if d.get("rules"):
            outcomes.append(say("rules", rules=d["rules"]))
        if d.get("funds") not in (None, "0.00"):
            outcomes.append(say("funds", funds=d["funds"]))
        if d.get("accountable"):
            people = _LIST[zh].join(say("accountable_kind", kind=word(ACCOUNTABILITY_KINDS, k), n=n) for k, n in d["accountable"].items())
            outcomes.append(say("accountable", people=people))
        if d.get("clues"):
            outcomes.append(say("clues", clues=d["clues"]))
        return text + (say("outcomes", outcomes=_OUTCOMES[zh].join(outcomes)) if outcomes else "")
    if name == "VerificationRecorded":
        return say("passed" if d["passed"] else "failed", grade=word(GRADES, d["grade"])) + tail("note")
    if name == "SignedOff":
        return say("signed", meaning=word(MEANINGS, d["meaning"]), outcome=word(STATUSES, d["outcome"])) + tail("note")
    if name == "ReviewRecorded":
        return say("review", result=word(REVIEW_RESULTS, d["result"])) + tail("note")
    if name == "Reopened":
        return say("reopened", reason=d["reason"])
    if name == "Corrected":
        words = {"type": PROBLEM_TYPES, "kind": INSPECTION_KINDS}.get(d["field"])
        old, new = (_v(word(words, v) if words else v) for v in (d["old"], d["new"]))
        return say("corrected", field=field_word(d["field"]), old=old, new=new, reason=d["reason"])
    if name == "Withheld":
        fields = _LIST[zh].join(field_word(f) for f in d["fields"])
        return say("withheld", fields=fields, reason=word(WITHHOLD_REASONS, d["reason"]))
    return describe(domain_event)  # key=value: the interface's catalogue words the keys


def _subject_of(domain_event: Any, key: Any) -> str:
    """A subject without a code of its own: the ledger's people (the Authority aggregate), or the ID."""
    if type(domain_event).__qualname__.startswith("Authority."):
        return "people (人员与权限)"
    return str(key)


def trail_rows(
    events: Iterable[tuple[int, Any]],
    *,
    since: date | None = None,
    until: date | None = None,
    actor: str | None = None,
    lang: str = "en",
) -> list[dict[str, Any]]:
    """Rows of the audit trail, in log order, filtered by recorded date and actor; `details` in `lang`."""
    return trail_tail(events, since=since, until=until, actor=actor, lang=lang)[0]


def trail_tail(
    events: Iterable[tuple[int, Any]],
    *,
    since: date | None = None,
    until: date | None = None,
    actor: str | None = None,
    lang: str = "en",
    last: int | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """(rows of the trail as trail_rows, how many events were selected); with `last`, only the last that many rows.

    Every event is still read (a correction points back to the event it corrects), but only the kept
    ones are worded: on a terminal the newest thirty cost the reading of the log, not its rows.
    An event whose state was rewritten in the store (a field missing or of another type) is exit 4 naming it.
    """
    at = [0]  # the event being read or worded, for the message
    try:
        return _trail_tail(events, at, since=since, until=until, actor=actor, lang=lang, last=last)
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
    lang: str,
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
                corrected_by.setdefault(original, []).append(t("#{seq} ({field})", seq=seq, field=Field(domain_event.field)))
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
            "details": with_note(plain_words(domain_event, key in problems, lang), act_note(domain_event)),
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
