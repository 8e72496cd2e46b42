"""`ledger audit --verify [--checkpoint FILE|TEXT|FOLDER …]`: prove the history was not rewritten."""

from __future__ import annotations

from commands.options import LedgerContext, echo, render_record
from ledger.messages import t


def verify_ledger(state: LedgerContext, checkpoint: tuple[str, ...] | str | None, fmt: str, public_key: str | None = None, fingerprints: tuple[str, ...] = (), admin_fingerprints: tuple[str, ...] = (), jobs: int | None = 1, full: bool = False) -> None:
    """Exit 0 with the count and head, or exit 4 naming the first bad sequence number or checkpoint."""
    from composition import open_ledger, store_schema
    from projections.verification import verification

    from commands import i18n
    from commands.progress import progress

    with progress(t("verifying the chain and the tree"), fmt) as report:
        record, lines = verification(state.config, checkpoint, public_key, fingerprints, admin_fingerprints, jobs, progress=report, app=lambda: state.app,
                                     schema=store_schema(), full=full, open_app=lambda: open_ledger(state.config))
    lang = i18n.current()
    echo(render_record(record, fmt, "\n".join(i18n.translate(line, lang) for line in lines)))
