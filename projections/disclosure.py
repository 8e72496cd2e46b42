"""What a reader outside the office may see: problem views and events with withheld text removed.

A problem (or some of its fields) withheld from publication (`ledger withhold`)
keeps being counted everywhere, but its text is replaced by WITHHELD; the
ciphertext of sensitive fields (`ledger confide`) is never shown at all. The
web view passes every view and event through here; the CLI shows insiders
everything.
"""

from __future__ import annotations

import copy
from typing import Any, Iterable, Iterator

from ledger.messages import Stored
from ledger.vocabulary import Word
from projections import publication

# The withheld marker as data (JSON, a message's str: the 公文's （依规不予公开）), and by its word on a page in
# the page's language (ledger.messages.Stored).
WITHHELD = Stored(publication.WITHHELD, Word(publication.WITHHELD, "(withheld under the rules)"))

ENCRYPTED = Stored("[encrypted]", Word("（已加密）", "[encrypted]"))  # a confided field's ciphertext, never shown
_NOTES = ("note", "reason", "text")  # free text of acts on a wholly withheld problem


def hidden_fields(view: dict[str, Any]) -> set[str]:
    return {f for w in view.get("withheld") or [] for f in w["fields"]}


def _measure_hidden(measure_id: str, hidden: set[str]) -> bool:
    return bool({"problem", "measures", measure_id} & hidden)


def _field_hidden(field: str, hidden: set[str]) -> bool:
    """Whether a correctable field (title, description, M2.text, …) is withheld."""
    if "problem" in hidden or field in hidden:
        return True
    head = field.split(".", 1)[0]
    return head.startswith("M") and head[1:].isdigit() and _measure_hidden(head, hidden)


def public_view(view: dict[str, Any]) -> dict[str, Any]:
    """The problem view with every withheld text replaced; unchanged when nothing is withheld."""
    hidden = hidden_fields(view)
    if not hidden:
        return view
    out = copy.deepcopy(view)
    whole = "problem" in hidden
    for key in ("title", "description"):
        if (whole or key in hidden) and out.get(key):
            out[key] = WITHHELD
    for m in out.get("measures") or []:
        if _measure_hidden(m["id"], hidden):
            m["text"] = WITHHELD
            m["evidence"] = [WITHHELD for _ in m.get("evidence") or []]
            if m.get("due"):  # its dates are its content too (review 30d item 22): hidden as its corrections are
                m["due"] = WITHHELD
    for c in out.get("corrections") or []:
        if _field_hidden(c["field"], hidden):
            c["old"] = c["new"] = WITHHELD
            if whole:
                c["reason"] = WITHHELD
    if whole:
        if out.get("columns"):  # a 台账's own columns: the problem's text as the office's file had it
            out["columns"] = {k: WITHHELD if v not in (None, "") else v for k, v in out["columns"].items()}
        for key in ("extensions", "verifications", "signoffs", "signatures", "reviews", "reopenings", "escalations", "progress", "links", "rejected"):
            for entry in out.get(key) or []:
                for note in _NOTES:
                    if entry.get(note):
                        entry[note] = WITHHELD
    return out


def _redactions(event: Any, hidden: set[str]) -> dict[str, Any]:
    name = type(event).__name__
    if name == "SensitiveRecorded":
        return {"ciphertext": ENCRYPTED}
    if not hidden or name == "Withheld":
        return {}
    whole = "problem" in hidden
    changes: dict[str, Any] = {}
    if name == "Registered" and hasattr(event, "number"):
        for key in ("title", "description"):
            if (whole or key in hidden) and getattr(event, key, None):
                changes[key] = WITHHELD
    elif name == "MeasurePlanned" and _measure_hidden(event.measure_id, hidden):
        changes["text"] = WITHHELD
        if getattr(event, "due", None):
            changes["due"] = None  # the sentence leaves the date out (its text already reads as withheld)
    elif name == "MeasureCompleted" and _measure_hidden(event.measure_id, hidden):
        changes["evidence"] = [WITHHELD for _ in event.evidence or []]
    elif name == "Corrected" and _field_hidden(event.field, hidden):
        changes.update(old=WITHHELD, new=WITHHELD)
    if whole:
        for note in _NOTES:
            if getattr(event, note, None) and note not in changes:
                changes[note] = WITHHELD
    return changes


def public_events(events: Iterable[tuple[int, Any]], hidden: dict[Any, set[str]]) -> Iterator[tuple[int, Any]]:
    """(seq, event) with withheld text replaced; `hidden` maps an aggregate id to its withheld fields."""
    for seq, event in events:
        changes = _redactions(event, hidden.get(event.originator_id, set()))
        if changes:
            event = copy.copy(event)
            for key, value in changes.items():
                object.__setattr__(event, key, value)  # events are frozen; this is a private copy
        yield seq, event


def public_trail(app: Any, views: list[dict[str, Any]], ids: list[Any]) -> list[dict[str, Any]]:
    """The audit trail of the aggregates `ids` as a reader outside the office may see it: `views`' withheld text and every
    sensitive field hidden, every event's chain link and signature checked first (the web never shows a forged act as signed)."""
    from ledger.ids import problem_uuid
    from projections.audit import trail_rows
    from projections.replay import verified_events

    hidden = {problem_uuid(v["inspection"], v["number"]): hidden_fields(v) for v in views}
    return trail_rows(public_events(verified_events(app, ids), hidden))
