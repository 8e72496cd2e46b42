"""`ledger audit --verify [--checkpoint FILE|TEXT|FOLDER …]`: prove the history was not rewritten."""

from __future__ import annotations

from typing import Any

from commands.options import LedgerContext, echo, render_record


def verify_ledger(state: LedgerContext, checkpoint: tuple[str, ...] | str | None, fmt: str, public_key: str | None = None, fingerprints: tuple[str, ...] = ()) -> None:
    """Exit 0 with the count and head, or exit 4 naming the first bad sequence number or checkpoint."""
    from ledger.checkpoint import parse_checkpoints, trust_of
    from ledger.integrity import ledger_meta, snapshot, verify_store

    config = state.config
    given = (checkpoint,) if isinstance(checkpoint, str) else tuple(checkpoint or ())
    checkpoints = [cp for value in given for cp in parse_checkpoints(value)]
    trust = trust_of(config, public_key, fingerprints)
    summary, _ = verify_store(config.store, trusted=trust.key, also_at=[cp.sequence for cp in checkpoints])
    record: dict[str, Any] = {"verified": True, **summary.record()}
    head = f"{summary.algorithm}:{summary.head_digest.hex()}"
    lines = [f"chain verified: {summary.count} events, head {summary.head_seq} {head}"]
    if summary.checkpoints:
        lines.append(f"checkpoints recorded in the ledger: {summary.checkpoints}, each matches its history")
    if checkpoints:
        with snapshot(config.store) as con:
            ledger_id = ledger_meta(con).get("ledger_id", "")
        record["checkpoints"] = check_all(checkpoints, summary, ledger_id, trust, lines)
        if len(checkpoints) == 1:  # the single-checkpoint shape, as before
            record["checkpoint"] = record["checkpoints"][0]
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


def check_all(checkpoints: list[Any], summary: Any, ledger_id: str, trust: Any, lines: list[str]) -> list[dict[str, Any]]:
    """Check each checkpoint's signature and history; raise on the first that fails, naming it."""
    from ledger.checkpoint import check_signature
    from ledger.errors import TamperingFound
    from ledger.integrity import check_checkpoint

    results = []
    for cp in checkpoints:
        signature_note = check_signature(cp, trust)
        try:
            note = check_checkpoint(summary, summary.digests_at.get(cp.sequence), cp, ledger_id)
        except TamperingFound as e:
            raise TamperingFound(f"checkpoint {cp.source} (sequence {cp.sequence}, {cp.time}): {str(e).removeprefix('tampering found: ')}") from None
        results.append({"source": cp.source, "sequence": cp.sequence, "time": cp.time, "head": cp.head, "result": note, "signature": signature_note})
        prefix = "checkpoint" if len(checkpoints) == 1 else f"checkpoint {cp.source}"
        lines += [f"{prefix}: {note}", f"{prefix}: {signature_note}"]
    return results
