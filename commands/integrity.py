"""`ledger audit --verify [--checkpoint FILE|TEXT|FOLDER …]`: prove the history was not rewritten."""

from __future__ import annotations

from typing import Any

from commands.options import LedgerContext, echo, render_record


def verify_ledger(state: LedgerContext, checkpoint: tuple[str, ...] | str | None, fmt: str, public_key: str | None = None, fingerprints: tuple[str, ...] = ()) -> None:
    """Exit 0 with the count and head, or exit 4 naming the first bad sequence number or checkpoint."""
    from projections.verification import verification

    record, lines = verification(state.config, checkpoint, public_key, fingerprints)
    lines += _verify_acts(state.config.store, record)
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
