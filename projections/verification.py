"""Verifying the chain, alone or against a signed checkpoint: what `audit --verify` reports.

Also finds the latest checkpoint recorded in the ledger itself, so that a
reader (the web view's verification page) can check the chain against it
without a published report at hand.
"""

from __future__ import annotations

from typing import Any


def verification(config: Any, checkpoint: str | None = None) -> tuple[dict[str, Any], list[str]]:
    """(the record `audit --verify --format json` prints, its lines as text); raises TamperingFound."""
    from ledger.checkpoint import check_signature, parse_checkpoint, trusted_key
    from ledger.integrity import check_checkpoint, ledger_meta, snapshot, verify_store

    cp = parse_checkpoint(checkpoint) if checkpoint else None
    summary, digest_at = verify_store(config.store, watch=cp.sequence if cp else None)
    record: dict[str, Any] = {"verified": True, **summary.record()}
    head = f"{summary.algorithm}:{summary.head_digest.hex()}"
    lines = [f"chain verified: {summary.count} events, head {summary.head_seq} {head}"]
    if cp is not None:
        signature_note = check_signature(cp, trusted_key(config))
        with snapshot(config.store) as con:
            ledger_id = ledger_meta(con).get("ledger_id", "")
        note = check_checkpoint(summary, digest_at, cp, ledger_id)
        record["checkpoint"] = {"sequence": cp.sequence, "time": cp.time, "head": cp.head, "result": note, "signature": signature_note}
        lines += [f"checkpoint: {note}", f"checkpoint: {signature_note}"]
    return record, lines


CHECKPOINT_TOPIC = "ledger.checkpoint:Checkpoint%"


def latest_checkpoint(app: Any) -> dict[str, Any] | None:
    """The last checkpoint recorded in the ledger: its block's fields, who recorded it and when; None if none."""
    from ledger.checkpoint import format_checkpoint_block
    from projections.views import plain

    recorder = app.recorder
    position = getattr(recorder, "position_column", "rowid")
    mark = getattr(recorder, "placeholder", "?")
    with recorder.reading() as c:
        c.execute(
            f"SELECT {position}, originator_id, originator_version, topic, state FROM {recorder.events_table_name} "
            f"WHERE topic LIKE {mark} ORDER BY {position} DESC LIMIT 1",
            [CHECKPOINT_TOPIC],
        )
        row = c.fetchone()
    if row is None:
        return None
    from uuid import UUID

    from eventsourcing.persistence import StoredEvent

    ident = row[1] if isinstance(row[1], UUID) else UUID(row[1])
    event = app.mapper.to_domain_event(StoredEvent(originator_id=ident, originator_version=row[2], topic=row[3], state=bytes(row[4])))
    record = {
        "ledger": event.ledger_id,
        "sequence": event.sequence,
        "hash": event.algorithm,
        "head": event.head,
        "time": event.time,
        "public_key": event.public_key,
        "fingerprint": event.fingerprint,
        "signature": event.signature,
    }
    return {
        **record,
        "recorded_seq": row[0],
        "recorded_by": getattr(event, "actor", ""),
        "recorded_at": plain(event.timestamp),
        "block": format_checkpoint_block(record),
    }
