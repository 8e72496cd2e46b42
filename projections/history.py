"""A problem's or inspection's events in plain words: what `history` prints."""

from __future__ import annotations

from typing import Any

from projections.views import plain

# Event attributes that are not details of the act itself.
_ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic", "actor", "at", "act_signature", "attachments"}


def act_note(domain_event: Any) -> str:
    """Who signed the act (and for whom, when a clerk entered a paper signature) and its evidence files."""
    parts = []
    sig = getattr(domain_event, "act_signature", None)
    if isinstance(sig, dict):
        if sig.get("for"):
            parts.append(f"signed on paper by {sig['for']}, entered and signed by {sig.get('signer')}")
        else:
            parts.append(f"signed by {sig.get('signer')}")
    files = getattr(domain_event, "attachments", None) or ()
    if files:
        parts.append("attached: " + ", ".join(f"{f.get('name')} ({f.get('hash')}:{str(f.get('digest'))[:12]}…)" for f in files))
    return f" [{'; '.join(parts)}]" if parts else ""


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
    if event_name(domain_event) == "Corrected":
        return f"{data['field']}: {_describe_value(data['old'])} → {_describe_value(data['new'])} (reason: {data['reason']})"
    parts = []
    for key, value in data.items():
        if value in (None, "", [], {}, 0, "0.00") and key not in ("passed",):
            continue
        parts.append(f"{key}={_describe_value(value)}")
    return "; ".join(parts)


def history_rows(events: list[tuple[int, Any]]) -> list[dict[str, Any]]:
    rows = []
    for seq, domain_event in events:
        rows.append(
            {
                "seq": seq,
                "at": plain(getattr(domain_event, "at", None) or domain_event.timestamp),
                "recorded_at": plain(domain_event.timestamp),
                "actor": getattr(domain_event, "actor", ""),
                "event": event_name(domain_event),
                "details": describe(domain_event) + act_note(domain_event),
                "data": details(domain_event),
                **act_fields(domain_event),
            }
        )
    return rows
