"""`ledger replay`: rebuild every read model from the event log alone and compare."""

from __future__ import annotations

import time
from typing import Any

import click

from commands.options import LedgerContext, echo, output_options, pass_ledger, render_record
from ledger.errors import LedgerError


class ReadModelMismatch(LedgerError):
    """The stored read models differ from a replay of the events."""


@click.command()
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes that rebuild in parallel, each a share of the aggregates (default: one per CPU on a large ledger).",
)
@output_options
@pass_ledger
def replay(state: LedgerContext, jobs: int | None, fmt: str) -> None:
    """Verify the events, rebuild every read model from them alone, compare with the stored ones, report the speed."""
    from ledger.checkpoint import trusted_key
    from ledger.integrity import verify_store
    from projections.read_model_check import check_read_models

    started = time.perf_counter()
    # The events are the truth replay rebuilds from: first prove they are the recorded ones.
    verify_store(state.config.store, trusted=trusted_key(state.config))
    result = check_read_models(state.app, state.config, jobs)
    elapsed = time.perf_counter() - started
    difference = result.difference
    record = {
        "events": result.events,
        "aggregates": result.aggregates,
        "jobs": result.jobs,
        "seconds": round(elapsed, 3),
        "events_per_second": int(result.events / elapsed) if elapsed > 0 else None,
        "matches": difference is None,
        "difference": difference,
    }
    rate = f"{record['events_per_second']:,}" if record["events_per_second"] is not None else "n/a"
    message = (
        f"replayed {result.events:,} events ({result.aggregates:,} aggregates) in {elapsed:.3f}s, "
        f"{rate} events/s ({result.jobs} process{'es' if result.jobs > 1 else ''}); read models "
        + ("match" if difference is None else "DIFFER")
    )
    echo(render_record(record, fmt, message))
    if difference is not None:
        raise ReadModelMismatch(f"read models differ from the events: {difference}")


COMMANDS = [replay]
