"""A problem's or inspection's events in plain words: what `history` prints."""

from __future__ import annotations

from typing import Any

from ledger.messages import Data, Stored, joined, t
from projections.views import plain

# Event attributes that are not details of the act itself.
_ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic", "actor", "at", "act_signature", "attachments"}


def _taken_from_file(domain_event: Any) -> tuple[str, int] | None:
    """The 台账 and row an act entered for someone was taken from by `ledger import` (ledger.importing.file_row_of)."""
    from ledger.importing import file_row_of

    note = getattr(domain_event, "note", None)
    texts = [str(x) for x in getattr(domain_event, "evidence", None) or ()] + ([str(note)] if note else [])
    return file_row_of({"attachments": getattr(domain_event, "attachments", None) or (), "texts": texts})


def act_note(domain_event: Any) -> str:
    """Who signed the act (and for whom, when a clerk entered a paper signature) and its evidence files:
    a message (" [signed by 王琎]"), shown in the reader's language; "" for an unsigned act without files."""
    parts = []
    sig = getattr(domain_event, "act_signature", None)
    if isinstance(sig, dict):
        taken = _taken_from_file(domain_event) if sig.get("for") else None
        if taken is not None:
            parts.append(t("{principal}'s act {entered}, entered and signed by {signer}", principal=sig["for"], signer=sig.get("signer"),
                           entered=t("entered from the file 《{name}》, row {row}", name=taken[0], row=taken[1])))
        elif sig.get("for"):
            parts.append(t("signed on paper by {principal}, entered and signed by {signer}", principal=sig["for"], signer=sig.get("signer")))
        else:
            parts.append(t("signed by {signer}", signer=sig.get("signer")))
    files = getattr(domain_event, "attachments", None) or ()
    if files:
        named = [t("{name} ({hash}:{digest}…)", name=f.get("name"), hash=f.get("hash"), digest=str(f.get("digest"))[:12]) for f in files]
        parts.append(t("attached: {files}", files=joined(named, ", ", "、")))
    return t(" [{parts}]", parts=joined(parts)) if parts else ""


class Details(Data):
    """An act's details, `key=value; …` in English (as JSON and CSV carry them), with its pairs kept so a
    screen words the keys and values in its own language (projections.words.details_words)."""

    def __new__(cls, pairs: list[tuple[str, Any]], event: str = "") -> "Details":
        self = super().__new__(cls, "; ".join(f"{k}={_describe_value(v)}" for k, v in pairs))
        self.pairs = pairs
        self.event = event  # whose details: a key may name different things in different acts
        return self

    def label(self, lang: str) -> str:
        from projections.words import details_words  # English too: a source is stored in Chinese

        return details_words(self.pairs, lang, self.event)


def act_fields(domain_event: Any) -> dict[str, Any]:
    """The signature and attachments of an event, for json/csv rows (empty for an unsigned act)."""
    found: dict[str, Any] = {}
    sig = getattr(domain_event, "act_signature", None)
    if isinstance(sig, dict):
        found["signed_by"] = sig.get("signer")
        if sig.get("for"):
            found["entered_for"] = sig.get("for")
        found["meaning"] = sig.get("meaning")
    files = getattr(domain_event, "attachments", None)
    if files:
        found["attachments"] = [dict(f) for f in files]
    return found


def event_name(domain_event: Any) -> str:
    return type(domain_event).__name__


def _describe_value(value: Any) -> str:
    value = plain(value)
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    return str(value)


def details(domain_event: Any) -> dict[str, Any]:
    return {k: plain(v) for k, v in vars(domain_event).items() if k not in _ENVELOPE}


def describe(domain_event: Any) -> str:
    """The act in words, e.g. `grade=good; note=…`; a correction shows old → new."""
    data = details(domain_event)
    name = event_name(domain_event)
    if name == "Corrected":
        return t("{field}: {old} → {new} (reason: {reason})", field=field_named(data["field"]), old=corrected_value(data["field"], data["old"]),
                 new=corrected_value(data["field"], data["new"]), reason=data["reason"])
    # A decision's False is what was decided (a refused extension): kept; other empty values are left out.
    pairs = [(k, v) for k, v in data.items() if not (v in (None, "", [], {}, 0, "0.00") and k not in ("passed", "approved"))]
    return Details(pairs, name)


def field_named(field: str) -> Stored:
    """A field in a sentence of the trail: its name in data (JSON, CSV), its word on screen (projections.words.field_word:
    问题类别 / category, 措施M2 时限 / measure M2 due date, 全部措施 / every measure)."""
    from projections.words import field_word

    return Stored(field, field_word(field))


def corrected_value(field: str, value: Any) -> Any:
    """A corrected field's old or new value: in Chinese the vocabulary's word for a kind, type, source or
    status, "—" for none; in English data as stored (JSON and csv), on an English screen by its English word."""
    from ledger import vocabulary
    from ledger.messages import field_value

    text = _describe_value(value)
    if value is None or value == "":
        return vocabulary.Word("—", text)
    shown = field_value(field, value)  # a word of vocabulary.FIELD_VALUES: stored in data, its word on screen
    return shown if isinstance(shown, Stored) else text


def with_note(details: Any, note: Any) -> Any:
    """An act's details followed by who signed it: one cell, each part in the reader's language."""
    return t("{details}{note}", details=details, note=note) if note else details


def history_rows(events: list[tuple[int, Any]]) -> list[dict[str, Any]]:
    """Rows of `history`; an event whose state was rewritten in the store (a field missing or of another type)
    is exit 4 naming it, as in the audit trail."""
    from projections.audit import in_words  # the trail's sentences (it imports this module)

    rows = []
    at = 0
    try:
        for seq, domain_event in events:
            at = seq
            rows.append(
                {
                    "seq": seq,
                    "at": plain(getattr(domain_event, "at", None) or domain_event.timestamp),
                    "recorded_at": plain(domain_event.timestamp),
                    "actor": getattr(domain_event, "actor", ""),
                    "event": event_name(domain_event),
                    "details": with_note(in_words(domain_event), act_note(domain_event)),
                    "data": details(domain_event),
                    **act_fields(domain_event),
                }
            )
    except (AttributeError, TypeError, KeyError, ValueError, OverflowError) as e:
        from ledger.errors import TamperingFound

        raise TamperingFound(at, t("cannot be read back ({name__} reading it): run `ledger audit --verify`", name__=type(e).__name__)) from None
    return rows
