"""Guarding against slippage: `due`, `escalate` (督办), `progress` (长期坚持) and `reviews` (整改回头看)."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from commands import i18n
from commands.options import ChoiceOf, DATE, LONG_TEXT, fail, LedgerContext, OPTIONAL_LONG_TEXT, PROBLEM_ID, Screen, attach_option, echo, listing_options, pass_ledger, render_record, write_options
from commands.i18n import Command
from ledger import values, vocabulary
from ledger.messages import t, tn


class DaysType(click.ParamType):
    """A span of days: 7, 7d or 2w (ledger.values.parse_days: the web's ?within= has the same bound)."""

    name = "DAYS"

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        from ledger.errors import InvalidInput

        try:
            return values.parse_days(value)
        except InvalidInput as e:
            fail(self, e, param, ctx, head="")


def _level_choice(value: str) -> str:
    from ledger.watch import escalation_level

    return escalation_level(value)


@click.command(cls=Command)
@click.option("--within", type=DaysType(), default=None, help="Also list deadlines this many days ahead (7, 7d, 2w; default from ledger.yaml, 7).")
@click.option("--unit", default=None, help="Only problems assigned to this unit.")
@click.option("--inspection", default=None, metavar="CODE", help="Only this inspection's problems.")
@click.option("--as-of", "as_of", type=DATE, default=None, help="Count days against this date instead of today.")
@click.option("--check", is_flag=True, help="Exit 1 when any deadline is overdue (for a daily cron job).")
@listing_options
@pass_ledger
def due(state: LedgerContext, within: int | None, unit: str | None, inspection: str | None, as_of: date | None, check: bool, fmt: str, screen: Screen) -> None:
    """What is overdue or coming due, with days left or late, and the escalation to consider.

    Also lists long-term problems whose last progress report is
    older than the policy interval. Most urgent first (most days late, then
    fewest days left); on a terminal 30 rows unless --limit N or --all.
    """
    from ledger.watch import light_policy, watch_policy
    from projections.deadlines import DUE_COLUMNS, due_rows

    policy = watch_policy(state.config)
    today = as_of or date.today()
    span = policy.due_within_days if within is None else within
    from projections.deadlines import due_views, due_views_shown
    from projections.replay import StateReader

    listed: int | None = None
    with StateReader(state.app) as r:
        r.today = today
        if screen.terminal and screen.limit is not None:  # only the rows shown are read, and counts of the rest
            views, listed, late = due_views_shown(r, within=span, limit=screen.limit, unit=unit, inspection=inspection)
        else:
            views = due_views(r, within=span, unit=unit, inspection=inspection)
    rows = due_rows(views, today, span, policy, light_policy(state.config))
    stale = sum(1 for r in rows if r["due"] == "progress")
    if listed is None:
        late = sum(1 for r in rows if r["due"] == "deadline" and r["overdue"])
        listed = len(rows) - stale
    if not rows and fmt == "table":
        echo(i18n.translate(tn("nothing overdue or due within {span} day of {today}", "nothing overdue or due within {span} days of {today}", span, span=span, today=today), i18n.current()))
    else:
        shown, _ = screen.cut(rows)
        screen.show(shown, fmt, DUE_COLUMNS, listed + stale)
        if fmt == "table":
            echo(i18n.translate(tn("\nas of {today}: {late} overdue, {n} due within {span} day, {stale} long-term without recent progress", "\nas of {today}: {late} overdue, {n} due within {span} days, {stale} long-term without recent progress", span, today=today, late=late, n=listed - late, span=span, stale=stale), i18n.current()))
    if check and late:
        click.echo(i18n.translate(tn("ledger: due: {late} problem overdue as of {today}", "ledger: due: {late} problems overdue as of {today}", late, late=late, today=today), i18n.current()), err=True)
        click.get_current_context().exit(1)


@click.command(cls=Command)
@click.argument("problem_id", metavar="ID", type=PROBLEM_ID)
@click.option("--level", type=ChoiceOf(_level_choice, "LEVEL", vocabulary.ESCALATION_LEVELS), required=True, help="notice | reminder | warning | accountability (only up).")
@click.option("--note", type=OPTIONAL_LONG_TEXT, default="", help="E.g. the document's number, or what it demands.")
@write_options
@pass_ledger
def escalate(state: LedgerContext, problem_id: str, level: str, note: str, at: Any, actor: str | None, fmt: str) -> None:
    """Record an escalation of a problem; levels only go up."""
    done = state.app.escalate(problem_id, level=level, note=note, actor=state.actor(actor, act="escalation"), at=at)
    problem = done.problem
    record = {"id": problem.display_id, "event": done.event, "level": level, "status": problem.status}
    echo(render_record(record, fmt, t("{display_id}: escalated to {level}", display_id=problem.display_id, level=vocabulary.ESCALATION_LEVELS[level])))


@click.command(cls=Command)
@click.argument("problem_id", metavar="ID", type=PROBLEM_ID)
@click.argument("text", type=LONG_TEXT)
@attach_option
@write_options
@pass_ledger
def progress(state: LedgerContext, problem_id: str, text: str, at: Any, actor: str | None, fmt: str) -> None:
    """Record a progress report on a problem, e.g. a long-term one."""
    done = state.app.record_progress(problem_id, text=text, actor=state.actor(actor, act="progress"), at=at)
    problem = done.problem
    record = {"id": problem.display_id, "event": done.event, "status": problem.status, "entries": len(problem.progress)}
    echo(render_record(record, fmt, t("{display_id}: progress recorded (status: {status})", display_id=problem.display_id, status=problem.status)))


@click.command(cls=Command)
@click.option("--due", "only_due", is_flag=True, help="Only problems whose review is due or missed.")
@click.option("--inspection", default=None, metavar="CODE", help="Only this inspection's problems.")
@click.option("--as-of", "as_of", type=DATE, default=None, help="Count days against this date instead of today.")
@listing_options
@pass_ledger
def reviews(state: LedgerContext, only_due: bool, inspection: str | None, as_of: date | None, fmt: str, screen: Screen) -> None:
    """Signed-off problems against the review points after sign-off (ledger.yaml watch.review_points_days).

    On a terminal: missed first, then due, upcoming and complete, each by review date; 30 rows
    unless --limit N or --all.
    """
    import heapq

    from ledger.watch import watch_policy
    from projections.deadlines import REVIEW_COLUMNS, review_row, signed_off_views
    from projections.replay import StateReader

    policy = watch_policy(state.config)
    today = as_of or date.today()
    with StateReader(state.app) as r:
        r.today = today
        # One signed-off problem's view at a time: only the review rows are kept (or, on a terminal, the most urgent).
        found = (review_row(v, today, policy) for v in signed_off_views(r, inspection=inspection) if v["signoffs"])
        if only_due:
            found = (row for row in found if row["state"] in ("due", "missed"))
        if screen.urgent_first:
            total = 0

            def ranked() -> Any:
                nonlocal total
                for n, row in enumerate(found):
                    total = n + 1
                    yield (REVIEW_URGENCY.get(row["state"], len(REVIEW_URGENCY)), row["review_date"] or "9999", n), row

            if screen.limit is None:
                rows = [row for _, row in sorted(ranked(), key=lambda pair: pair[0])]
            else:  # register order within a state and date
                rows = [row for _, row in heapq.nsmallest(screen.limit, ranked(), key=lambda pair: pair[0])]
        else:
            rows = list(found)
            total = len(rows)
            rows, _ = screen.cut(rows)
    if not rows and fmt == "table":
        echo(i18n.translate((t("no reviews due or missed as of {today}", today=today) if only_due else t("no reviews to list as of {today}", today=today)), i18n.current()))
    else:
        screen.show(rows, fmt, REVIEW_COLUMNS, total)


REVIEW_URGENCY = {"missed": 0, "due": 1, "upcoming": 2, "complete": 3}


@click.command(cls=Command)
@click.argument("problem_id", metavar="ID")
@click.option("--to", "to", type=DATE, required=True, help="The deadline asked for (later than the current one).")
@click.option("--reason", required=True, help="Why the deadline cannot be met.")
@write_options
@pass_ledger
def extend(state: LedgerContext, problem_id: str, to: date, reason: str, at: Any, actor: str | None, fmt: str) -> None:
    """Request a later deadline; it takes effect only when a signer approves it."""
    done = state.app.request_extension(
        problem_id, to=to, reason=values.required_text(reason, "--reason"), actor=state.actor(actor, act="extension-request"), at=at
    )
    problem = done.problem
    record = {"id": problem.display_id, "event": done.event, "to": to.isoformat(), "deadline": _iso(problem.current_deadline), "status": problem.status}
    echo(render_record(record, fmt, t("{display_id}: extension to {to} requested; the deadline stays {iso} until it is approved (ledger approve-extension)", display_id=problem.display_id, to=to, iso=_iso(problem.current_deadline))))


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


@click.command("approve-extension", cls=Command)
@click.argument("problem_id", metavar="ID")
@click.option("--refuse", is_flag=True, help="Refuse the request instead: the deadline stays as it was.")
@click.option("--note", default="", help="A note on the decision.")
@write_options
@pass_ledger
def approve_extension(state: LedgerContext, problem_id: str, refuse: bool, note: str, at: Any, actor: str | None, fmt: str) -> None:
    """Approve (or --refuse) a problem's pending extension request; approved, it becomes the deadline."""
    done = state.app.decide_extension(problem_id, approve=not refuse, note=values.long_text(note, "--note", required=False), actor=state.actor(actor, act="extension-decision"), at=at)
    problem = done.problem
    decision = problem.extensions[-1]["decision"]
    record = {"id": problem.display_id, "event": done.event, "decision": decision, "deadline": _iso(problem.current_deadline), "status": problem.status}
    echo(render_record(record, fmt, t("{display_id}: extension {decision}; deadline {iso}", display_id=problem.display_id, decision=vocabulary.DECISIONS.get(decision, decision), iso=_iso(problem.current_deadline))))


COMMANDS = [due, escalate, progress, reviews, extend, approve_extension]
