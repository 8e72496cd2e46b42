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
@output_options
@pass_ledger
def replay(state: LedgerContext, fmt: str) -> None:
    """Rebuild every read model from the events alone, compare with the stored ones, report the speed."""
    from projections.replay import first_difference, materialise, rebuild

    app = state.app
    started = time.perf_counter()
    rebuilt = rebuild(app)
    decoded = time.perf_counter() - started
    connection = materialise(rebuilt)
    try:
        with app.recorder.reading() as c:
            difference = first_difference(c, connection, app.recorder.placeholder)
    finally:
        connection.close()
    elapsed = time.perf_counter() - started
    record = {
        "events": rebuilt.events,
        "aggregates": len(rebuilt.aggregates),
        "seconds": round(elapsed, 3),
        "events_per_second": int(rebuilt.events / decoded) if decoded > 0 else None,
        "matches": difference is None,
        "difference": difference,
    }
    rate = f"{record['events_per_second']:,}" if record["events_per_second"] is not None else "n/a"
    message = (
        f"replayed {rebuilt.events:,} events ({len(rebuilt.aggregates):,} aggregates) in {elapsed:.3f}s, "
        f"decoded at {rate} events/s; read models "
        + ("match" if difference is None else "DIFFER")
    )
    echo(render_record(record, fmt, message))
    if difference is not None:
        raise ReadModelMismatch(f"read models differ from the events: {difference}")


COMMANDS = [replay]
