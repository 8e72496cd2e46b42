"""`ledger replay`: rebuild every read model from the event log alone and compare."""

from __future__ import annotations

import time
from typing import Any

import click

from commands.options import IntRange, LedgerContext, echo, output_options, pass_ledger, render_record
from commands.i18n import Command
from ledger.errors import LedgerError
from ledger.messages import t, tn


class ReadModelMismatch(LedgerError):
    """The stored read models differ from a replay of the events: edited by hand, tampering (exit 4)."""

    exit_code = 4


def _verify_events(store: str, trusted: Any) -> None:
    """The chain, the recorded checkpoints and every act's signature: what replay rebuilds from is the recorded history."""
    from composition import store_schema
    from ledger.integrity import verify_store
    from projections.verification import verify_acts_step

    verify_store(store, schema=store_schema(), trusted=trusted)
    verify_acts_step(store, {})


class _Alongside:
    """Run `function(*args, **kwargs)` in a forked process; `result()` re-raises its LedgerError."""

    def __init__(self, function: Any, *args: Any, **kwargs: Any) -> None:
        import multiprocessing

        try:
            context = multiprocessing.get_context("fork")
        except ValueError:  # no fork on this platform: run it here
            self.process = None
            self.error: LedgerError | None = None
            try:
                function(*args, **kwargs)
            except LedgerError as e:
                self.error = e
            return
        self.receiver, sender = context.Pipe(duplex=False)
        self.process = context.Process(target=_run_and_send, args=(function, args, kwargs, sender), daemon=True)
        self.process.start()
        sender.close()

    def result(self) -> None:
        if self.process is None:
            if self.error is not None:
                raise self.error
            return
        try:
            status, payload = self.receiver.recv()
        except EOFError:
            status, payload = "error", f"the verifying process stopped (exit code {self.process.exitcode})"
        finally:
            self.process.join()
            self.process = None
            self.error = None
        if status == "ok":
            return
        from ledger.errors import StoreError, TamperingFound

        if status == "tampering":
            raise TamperingFound(payload)
        raise StoreError(payload) if status == "error" else LedgerError(payload)


def _run_and_send(function: Any, args: Any, kwargs: Any, sender: Any) -> None:
    from ledger.errors import TamperingFound

    try:
        function(*args, **kwargs)
        sender.send(("ok", None))
    except TamperingFound as e:
        sender.send(("tampering", e.finding))
    except BaseException as e:  # noqa: BLE001 - reported by the parent as one line
        sender.send(("error", str(e) or type(e).__name__))
    finally:
        sender.close()


@click.command(cls=Command)
@click.option(
    "--jobs",
    type=IntRange(1, 64),
    default=None,
    help="Processes that rebuild in parallel, each a share of the aggregates (default: one per idle CPU on a large ledger).",
)
@output_options
@pass_ledger
def replay(state: LedgerContext, jobs: int | None, fmt: str) -> None:
    """Verify the events, rebuild every derived table from them alone, compare with the stored ones, report the speed."""
    from commands.progress import progress
    from ledger.checkpoint import trusted_key
    from projections.read_model_check import check_read_models

    started = time.perf_counter()
    # The events are the truth replay rebuilds from: prove they are the recorded ones
    # (chain and recorded checkpoints), in a process of its own while the rebuild runs.
    verification = _Alongside(_verify_events, state.config.store, trusted_key(state.config))
    try:
        with progress(t("rebuilding the derived tables"), fmt) as report:
            result = check_read_models(state.app, state.config, jobs, progress=report)
    except LedgerError:
        verification.result()  # tampering found by the chain explains a failed rebuild better
        raise
    verification.result()
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
    values = dict(events=tn("{n:,} event", "{n:,} events", result.events, n=result.events),
                  aggregates=tn("{n:,} aggregate", "{n:,} aggregates", result.aggregates, n=result.aggregates),
                  seconds=elapsed, rate=rate, processes=tn("{jobs} process", "{jobs} processes", result.jobs, jobs=result.jobs))
    if difference is None:
        message = t("replayed {events} ({aggregates}) in {seconds:.3f}s, {rate} events/s ({processes}); derived tables match", **values)
    else:
        message = t("replayed {events} ({aggregates}) in {seconds:.3f}s, {rate} events/s ({processes}); derived tables DIFFER", **values)
    echo(render_record(record, fmt, message))
    if difference is not None:
        raise ReadModelMismatch(t("the derived tables differ from the events: {difference}", difference=difference))


COMMANDS = [replay]
