"""`ledger audit --verify [--checkpoint FILE|TEXT]`: prove the history was not rewritten."""

from __future__ import annotations

from typing import Any

from commands.options import LedgerContext, echo, render_record


def verify_ledger(state: LedgerContext, checkpoint: str | None, fmt: str) -> None:
    """Exit 0 with the count and head, or exit 4 naming the first bad sequence number."""
    from ledger.checkpoint import check_signature, parse_checkpoint, trusted_key
    from ledger.integrity import check_checkpoint, ledger_meta, snapshot, verify_store

    config = state.config
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
    lines += _verify_acts(config.store, record)
    echo(render_record(record, fmt, "\n".join(lines)))


def _verify_acts(store: str, record: dict[str, Any]) -> list[str]:
    """The signature step: every act signed by someone holding the role then (exit 4 naming the event)."""
    from ledger.integrity import ledger_meta, snapshot
    from ledger.signatures import verify_acts

    with snapshot(store) as con:
        ledger_id = ledger_meta(con).get("ledger_id", "")
    acts = verify_acts(store, ledger_id)
    record["acts"] = acts.record()
    return [acts.line()]
