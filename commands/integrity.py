"""`ledger audit --verify [--checkpoint FILE|TEXT]`: prove the history was not rewritten."""

from __future__ import annotations

from commands.options import LedgerContext, echo, render_record


def verify_ledger(state: LedgerContext, checkpoint: str | None, fmt: str) -> None:
    """Exit 0 with the count and head, or exit 4 naming the first bad sequence number."""
    from projections.verification import verification

    record, lines = verification(state.config, checkpoint)
    echo(render_record(record, fmt, "\n".join(lines)))
