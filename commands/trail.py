"""`ledger audit` listing: the whole trail of who did what, when and why."""

from __future__ import annotations

from datetime import date
from typing import Any

from commands import i18n
from commands.options import LedgerContext, Screen, echo, render_rows
from ledger import values
from ledger.errors import InvalidInput, UnknownID
from ledger.messages import t


def _selected_ids(state: LedgerContext, inspection: str | None, problem: str | None) -> list[Any] | None:
    """The aggregates whose events are wanted; None for all."""
    from ledger.ids import problem_uuid

    if problem is not None:
        parts = values.split_problem_id(problem)
        if parts is None:
            raise UnknownID("problem", problem)
        if inspection is not None and parts[0] != inspection.strip():
            raise InvalidInput(t("--problem {problem} is not a problem of --inspection {inspection}", problem=problem, inspection=inspection))
        state.app.get_problem(problem)  # unknown IDs are reported, not shown as an empty trail
        return [problem_uuid(*parts)]
    if inspection is not None:
        from projections.status import inspection_aggregate_ids

        code = inspection.strip()
        state.app.get_inspection(code)
        with state.app.recorder.reading() as c:
            return inspection_aggregate_ids(c, code, style=state.app.recorder.placeholder)
    return None


def show_audit_trail(
    state: LedgerContext,
    *,
    inspection: str | None,
    problem: str | None,
    since: date | None,
    until: date | None,
    actor: str | None,
    fmt: str,
    screen: Screen | None = None,
) -> None:
    """Print every selected event in log order with its sequence number, times, actor and details."""
    from projections.audit import COLUMNS, trail_tail
    from projections.replay import iter_events, verified_events

    if since and until and until < since:
        raise InvalidInput(t("--until {until} is before --since {since}", until=until, since=since))
    ids = _selected_ids(state, inspection, problem)
    newest = screen is not None and screen.urgent_first and screen.limit is not None
    # A problem's or inspection's events are checked (chain link, signature) before any is printed.
    events = iter_events(state.app) if ids is None else verified_events(state.app, ids)
    rows, total = trail_tail(events, since=since, until=until, actor=actor,
                             last=screen.limit if newest else None)
    if not rows and fmt == "table":
        echo(i18n.translate(t("no events match"), i18n.current()))
        return
    if screen is None:
        unchecked = _check_printed(state, rows, ids)
        echo(render_rows(rows, fmt, COLUMNS))
        _say_unchecked(*unchecked)
        return
    if screen.urgent_first:  # newest first; on a terminal only the newest `limit` were worded
        rows.reverse()
        rows = rows[: screen.limit] if screen.limit is not None else rows
    else:
        rows, total = screen.cut(rows)
    unchecked = _check_printed(state, rows, ids)
    screen.show(rows, fmt, COLUMNS, total)
    _say_unchecked(*unchecked)


def _check_printed(state: LedgerContext, rows: list[dict[str, Any]], ids: list[Any] | None) -> tuple[int, int]:
    """The whole log's trail: the events about to be printed, checked as a problem's are (chain link, signature), up
    to CHECKED_ROWS of them (a terminal's 30: all); (checked, unchecked). A selection's were checked when read."""
    from projections.read_model_check import CHECKED_ROWS
    from projections.replay import verify_printed

    if ids is not None:
        return len(rows), 0
    seqs = [int(r["seq"]) for r in rows]
    verify_printed(state.app, seqs[:CHECKED_ROWS])
    return min(len(seqs), CHECKED_ROWS), max(0, len(seqs) - CHECKED_ROWS)


def _say_unchecked(checked: int, unchecked: int) -> None:
    if unchecked:
        import click

        click.echo(i18n.note_line(t("{checked} events listed were checked (chain link and signature), the other {unchecked} were not: `ledger audit --verify` checks every event",
                                    checked=checked, unchecked=unchecked)), err=True)
