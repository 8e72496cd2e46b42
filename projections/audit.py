"""The audit trail: every event in log order, in plain words, corrections beside what they correct.

Built from the event log alone (nothing from the read models but the list of an
inspection's problems, to select their events). A correction row names the
event that set the value it corrects ("corrects #12"), and that event's row
names its corrections ("corrected by #45").
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from projections.history import _describe_value, act_fields, act_note, describe, details, event_name
from projections.views import plain
from ledger.messages import t

COLUMNS = ("seq", "recorded_at", "at", "actor", "subject", "event", "details", "correction")

# Fields an event sets, so a later correction of that field can point back to it.
_INSPECTION_FIELDS = ("name", "organisation", "group", "kind", "start", "end", "feedback")
_PROBLEM_FIELDS = ("category", "title", "description", "type", "source", "deadline")


def _v(value: Any) -> str:
    return _describe_value(value) if value not in (None, "") else "—"


def plain_words(domain_event: Any, is_problem: bool, lang: str = "en") -> str:
    """The act in a sentence an auditor can read (in Chinese with lang "zh"; JSON and csv keep English)."""
    if lang == "zh":
        return _plain_words_zh(domain_event, is_problem)
    d = details(domain_event)
    name = event_name(domain_event)
    if name == "Registered" and not is_problem:
        text = (
            f"registered inspection {d['code']} «{d['name']}»: {d['group']} inspected {d['organisation']} "
            f"from {d['start']} to {d['end']} ({d['kind']})"
        )
        return text + (f", feedback given {d['feedback']}" if d.get("feedback") else "")
    if name == "Registered":
        text = f"registered problem {d['number']} [{d['category']}] {d['title']}; type {d['type']}, source {d['source']}"
        if d.get("deadline"):
            text += f", deadline {d['deadline']}"
        if d.get("description"):
            text += f"; description: {d['description']}"
        return text
    if name == "Assigned":
        text = f"assigned to {d['person']} ({d['unit']}), responsible leader {d['lead']}"
        return text + (f", deadline {d['deadline']}" if d.get("deadline") else "")
    if name == "MeasurePlanned":
        return f"planned measure {d['measure_id']}: {d['text']}" + (f" (due {d['due']})" if d.get("due") else "")
    if name == "MeasureCompleted":
        parts = [f"completed measure {d['measure_id']}"]
        if d.get("evidence"):
            parts.append("evidence: " + ", ".join(d["evidence"]))
        outcomes = []
        if d.get("rules"):
            outcomes.append(f"rules {d['rules']}")
        if d.get("funds") not in (None, "0.00"):
            outcomes.append(f"funds {d['funds']} yuan")
        if d.get("accountable"):
            outcomes.append("accountable " + ", ".join(f"{k} {n}" for k, n in d["accountable"].items()))
        if d.get("clues"):
            outcomes.append(f"clues {d['clues']}")
        if outcomes:
            parts.append("outcomes: " + ", ".join(outcomes))
        return "; ".join(parts)
    if name == "VerificationRecorded":
        text = f"verification graded {d['grade']}: {'passed' if d['passed'] else 'failed, back for 二次整改'}"
        return text + (f"; note: {d['note']}" if d.get("note") else "")
    if name == "SignedOff":
        text = f"signed off ({d['meaning']}) as {d['outcome']}"
        return text + (f"; note: {d['note']}" if d.get("note") else "")
    if name == "ReviewRecorded":
        return f"review (回头看): {d['result']}; note: {d['note']}"
    if name == "Reopened":
        return f"reopened: {d['reason']}"
    if name == "Corrected":
        return f"corrected {d['field']}: {_v(d['old'])} → {_v(d['new'])}; reason: {d['reason']}"
    if name == "Withheld":
        return f"withheld from publication: {', '.join(d['fields'])} (reason: {d['reason']})"
    return describe(domain_event)


def _field_zh(field: str) -> str:
    """category → 问题类别; M2.due → M2 时限 (the vocabulary's words: the values are stored in English)."""
    from ledger import vocabulary

    head, dot, tail = field.partition(".")
    if dot:
        return f"{head} {vocabulary.label(vocabulary.MEASURE_FIELDS, tail, 'zh')}"
    return str(vocabulary.label(vocabulary.FIELDS, field, "zh") if field in vocabulary.FIELDS else vocabulary.label(vocabulary.WITHHELD_PARTS, field, "zh"))


def _plain_words_zh(domain_event: Any, is_problem: bool) -> str:
    from ledger.vocabulary import (
        ACCOUNTABILITY_KINDS, EVENTS, GRADES, INSPECTION_KINDS, MEANINGS, PROBLEM_TYPES, REVIEW_RESULTS, STATUSES, WITHHOLD_REASONS,
        label,
    )

    d = details(domain_event)
    name = event_name(domain_event)
    note = f"；说明：{d['note']}" if d.get("note") else ""
    if name == "Registered" and not is_problem:
        text = (
            f"登记巡察 {d['code']}《{d['name']}》：{d['group']}巡察{d['organisation']}，"
            f"{d['start']} 至 {d['end']}（{label(INSPECTION_KINDS, d['kind'], 'zh')}）"
        )
        return text + (f"，{d['feedback']} 反馈" if d.get("feedback") else "")
    if name == "Registered":
        text = f"登记问题 {d['number']}〔{d['category']}〕{d['title']}；{label(PROBLEM_TYPES, d['type'], 'zh')}，来源：{d['source']}"
        if d.get("deadline"):
            text += f"，整改时限 {d['deadline']}"
        if d.get("description"):
            text += f"；问题描述：{d['description']}"
        return text
    if name == "Assigned":
        text = f"{EVENTS['Assigned'].zh}：{d['person']}（{d['unit']}），责任领导 {d['lead']}"
        return text + (f"，整改时限 {d['deadline']}" if d.get("deadline") else "")
    if name == "MeasurePlanned":
        return f"{EVENTS['MeasurePlanned'].zh} {d['measure_id']}：{d['text']}" + (f"（时限 {d['due']}）" if d.get("due") else "")
    if name == "MeasureCompleted":
        parts = [f"{EVENTS['MeasureCompleted'].zh} {d['measure_id']}"]
        if d.get("evidence"):
            parts.append("佐证材料：" + "、".join(d["evidence"]))
        outcomes = []
        if d.get("rules"):
            outcomes.append(f"建立完善制度 {d['rules']} 项")
        if d.get("funds") not in (None, "0.00"):
            outcomes.append(f"清退、追回资金 {d['funds']} 元")
        if d.get("accountable"):
            outcomes.append("问责 " + "、".join(f"{label(ACCOUNTABILITY_KINDS, k, 'zh')} {n} 人" for k, n in d["accountable"].items()))
        if d.get("clues"):
            outcomes.append(f"移交问题线索 {d['clues']} 条")
        if outcomes:
            parts.append("成效：" + "，".join(outcomes))
        return "；".join(parts)
    if name == "VerificationRecorded":
        return f"{EVENTS['VerificationRecorded'].zh}评为“{label(GRADES, d['grade'], 'zh')}”：{'通过' if d['passed'] else '未通过，退回二次整改'}" + note
    if name == "SignedOff":
        return f"{EVENTS['SignedOff'].zh}（{label(MEANINGS, d['meaning'], 'zh')}）：{label(STATUSES, d['outcome'], 'zh')}" + note
    if name == "ReviewRecorded":
        return f"{EVENTS['ReviewRecorded'].zh}：{label(REVIEW_RESULTS, d['result'], 'zh')}" + note
    if name == "Reopened":
        return f"{EVENTS['Reopened'].zh}：{d['reason']}"
    if name == "Corrected":
        old, new = d["old"], d["new"]
        words = {"type": PROBLEM_TYPES, "kind": INSPECTION_KINDS}.get(d["field"])
        if words:
            old, new = label(words, old, "zh"), label(words, new, "zh")
        return f"更正{_field_zh(d['field'])}：{_v(old)} → {_v(new)}；理由：{d['reason']}"
    if name == "Withheld":
        return f"{EVENTS['Withheld'].zh}：{'、'.join(_field_zh(f) for f in d['fields'])}（理由：{label(WITHHOLD_REASONS, d['reason'], 'zh')}）"
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
                fields: tuple[str, ...] = _PROBLEM_FIELDS
            else:
                subjects[key] = domain_event.code
                fields = _INSPECTION_FIELDS
            for f in fields:
                last_set[(key, f)] = seq
        elif name == "MeasurePlanned":
            last_set[(key, f"{domain_event.measure_id}.text")] = seq
            last_set[(key, f"{domain_event.measure_id}.due")] = seq
        elif name == "Corrected":
            original = last_set.get((key, domain_event.field))
            if original is not None:
                correction = f"corrects #{original}"
                corrected_by.setdefault(original, []).append(f"#{seq} ({domain_event.field})")
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
            "details": plain_words(domain_event, key in problems, lang) + act_note(domain_event),
            "correction": correction,
            "data": details(domain_event),
            **act_fields(domain_event),
        }
        later = corrected_by.get(seq)
        if later:
            note = "corrected by " + ", ".join(later)
            row["correction"] = f"{row['correction']}; {note}" if row["correction"] else note
        rows.append(row)
    return rows, total
