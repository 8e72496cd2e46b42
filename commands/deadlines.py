"""Guarding against slippage: `due`, `escalate` (督办), `progress` (长期坚持) and `reviews` (回头看)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

import click

from commands.options import attach_option, DATE, ChoiceOf, LedgerContext, echo, output_options, pass_ledger, render_record, render_rows, write_options
from ledger import values


class DaysType(click.ParamType):
    """A span of days: 7, 7d or 2w."""

    name = "DAYS"

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        if isinstance(value, int):
            return value
        match = re.fullmatch(r"\s*(\d+)\s*([dw]?)\s*", str(value).lower())
        if not match:
            self.fail(f"'{value}' is not a number of days (e.g. 7, 7d or 2w)", param, ctx)
        return int(match.group(1)) * (7 if match.group(2) == "w" else 1)


def _level_choice(value: str) -> str:
    from ledger.watch import escalation_level

    return escalation_level(value)


def _day(moment: str) -> date:
    """The UTC calendar day of a stored time stamp."""
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).date()


def _views(state: LedgerContext, as_of: date, **filters: Any) -> list[dict[str, Any]]:
    from projections.status import load_problems

    app = state.app
    with app.recorder.reading() as c:
        return load_problems(c, style=app.recorder.placeholder, today=as_of, **filters)


DUE_COLUMNS = ("id", "due", "title", "unit", "person", "date", "days_left", "days_late", "escalation", "suggest")


def due_rows(views: list[dict[str, Any]], as_of: date, within: int, policy: Any) -> list[dict[str, Any]]:
    """Deadlines overdue or coming due, then long-term problems whose progress report is overdue."""
    from ledger.watch import ESCALATION_LEVELS, next_level

    deadlines, progress = [], []
    for v in views:
        assignee = v.get("assignee") or {}
        base = {"id": v["id"], "title": v["title"], "unit": assignee.get("unit"), "person": assignee.get("person"), "escalation": v.get("escalation")}
        if v["deadline"] and v["status"] in ("registered", "in_progress"):
            days = (date.fromisoformat(v["deadline"]) - as_of).days
            if days < 0:
                late = -days
                suggest = next_level(v.get("escalation")) if late > policy.escalate_after_days_late else None
                deadlines.append({**base, "due": "deadline", "date": v["deadline"], "days_left": None, "days_late": late, "overdue": True, "suggest": f"{suggest} ({ESCALATION_LEVELS[suggest]})" if suggest else None, "suggest_level": suggest})
            elif days <= within:
                deadlines.append({**base, "due": "deadline", "date": v["deadline"], "days_left": days, "days_late": None, "overdue": False, "suggest": None, "suggest_level": None})
        if v["type"] == "long-term" and v["status"] != "closed":
            reported = [e["at"] for e in v.get("progress") or []] + [s["at"] for s in v["signoffs"]] + [v["registered_at"]]
            last = max(_day(t) for t in reported)
            next_due = last + timedelta(days=policy.progress_interval_days)
            if next_due < as_of:
                progress.append({**base, "due": "progress", "date": next_due.isoformat(), "last_progress": last.isoformat(), "days_left": None, "days_late": (as_of - next_due).days, "overdue": True, "suggest": None, "suggest_level": None})
    deadlines.sort(key=lambda r: (-(r["days_late"] or 0), r["days_left"] or 0, r["id"]))
    progress.sort(key=lambda r: (-r["days_late"], r["id"]))
    return deadlines + progress


@click.command()
@click.option("--within", type=DaysType(), default=None, help="Also list deadlines this many days ahead (7, 7d, 2w; default from ledger.yaml, 7).")
@click.option("--unit", default=None, help="Only problems assigned to this unit (责任单位).")
@click.option("--inspection", default=None, metavar="CODE", help="Only this inspection's problems.")
@click.option("--as-of", "as_of", type=DATE, default=None, help="Count days against this date instead of today.")
@click.option("--check", is_flag=True, help="Exit 1 when any deadline is overdue (for a daily cron job).")
@output_options
@pass_ledger
def due(state: LedgerContext, within: int | None, unit: str | None, inspection: str | None, as_of: date | None, check: bool, fmt: str) -> None:
    """What is overdue or coming due, with days left or late, and the escalation to consider.

    Also lists long-term problems (长期坚持) whose last progress report is
    older than the policy interval.
    """
    from ledger.watch import watch_policy

    policy = watch_policy(state.config)
    today = as_of or date.today()
    span = policy.due_within_days if within is None else within
    rows = due_rows(_views(state, today, unit=unit, inspection=inspection), today, span, policy)
    overdue = [r for r in rows if r["due"] == "deadline" and r["overdue"]]
    if not rows and fmt == "table":
        echo(f"nothing overdue or due within {span} days of {today}")
    else:
        echo(render_rows(rows, fmt, DUE_COLUMNS))
        if fmt == "table":
            stale = sum(1 for r in rows if r["due"] == "progress")
            echo(f"\nas of {today}: {len(overdue)} overdue, {len(rows) - len(overdue) - stale} due within {span} days, {stale} long-term without recent progress")
    if check and overdue:
        click.echo(f"ledger: due: {len(overdue)} problem(s) overdue as of {today}", err=True)
        click.get_current_context().exit(1)


@click.command()
@click.argument("problem_id", metavar="ID")
@click.option("--level", type=ChoiceOf(_level_choice, "LEVEL"), required=True, help="notice 督办通知书 | reminder 提醒书 | warning 告诫书 | accountability 问责书 (only up).")
@click.option("--note", default="", help="E.g. the document's number, or what it demands.")
@write_options
@pass_ledger
def escalate(state: LedgerContext, problem_id: str, level: str, note: str, at: Any, actor: str | None, fmt: str) -> None:
    """Record an escalation (督办) of a problem; levels only go up."""
    from ledger.domain import utc_now
    from ledger.watch import ESCALATION_LEVELS

    moment = at or utc_now()
    who = state.actor(actor)
    problem, _ = state.app.change_problem(problem_id, lambda p: p.escalate(level=level, note=note.strip(), actor=who, at=moment))
    record = {"id": problem.display_id, "event": "Escalated", "level": level, "status": problem.status}
    echo(render_record(record, fmt, f"{problem.display_id}: escalated to {level} ({ESCALATION_LEVELS[level]})"))


@click.command()
@click.argument("problem_id", metavar="ID")
@click.argument("text")
@attach_option
@write_options
@pass_ledger
def progress(state: LedgerContext, problem_id: str, text: str, at: Any, actor: str | None, fmt: str) -> None:
    """Record a progress report on a problem, e.g. a long-term one (长期坚持)."""
    from ledger.domain import utc_now

    moment = at or utc_now()
    who = state.actor(actor)
    entry = values.required_text(text, "progress text")
    problem, _ = state.app.change_problem(problem_id, lambda p: p.record_progress(text=entry, actor=who, at=moment))
    record = {"id": problem.display_id, "event": "ProgressRecorded", "status": problem.status, "entries": len(problem.progress)}
    echo(render_record(record, fmt, f"{problem.display_id}: progress recorded (status: {problem.status})"))


REVIEW_COLUMNS = ("id", "title", "status", "signed_off", "point", "review_date", "state", "reviews", "missed", "relapses")


def review_row(view: dict[str, Any], as_of: date, policy: Any) -> dict[str, Any]:
    """Where a signed-off problem stands against the review points (回头看)."""
    closed_on = _day(view["signoffs"][-1]["at"])
    reviews = sorted(_day(r["at"]) for r in view.get("reviews") or [] if _day(r["at"]) >= closed_on)
    window = timedelta(days=policy.review_window_days)
    state, point_days, point_date, missed = "complete", None, None, 0
    for days in policy.review_points_days:
        when = closed_on + timedelta(days=days)
        # A review counts for a point from `window` days before it on.
        found = next((r for r in reviews if r >= when - window), None)
        if found is not None:
            reviews.remove(found)
            continue
        if as_of > when + window:
            missed += 1
        if point_days is None:
            point_days, point_date = days, when
            state = "missed" if as_of > when + window else "due" if as_of >= when else "upcoming"
    return {
        "id": view["id"],
        "title": view["title"],
        "status": view["status"],
        "signed_off": closed_on.isoformat(),
        "point": f"{point_days}d" if point_days else None,
        "review_date": point_date.isoformat() if point_date else None,
        "state": state,
        "reviews": sum(1 for r in view.get("reviews") or [] if _day(r["at"]) >= closed_on),
        "missed": missed,
        "relapses": view["relapses"],
    }


@click.command()
@click.option("--due", "only_due", is_flag=True, help="Only problems whose review is due or missed.")
@click.option("--inspection", default=None, metavar="CODE", help="Only this inspection's problems.")
@click.option("--as-of", "as_of", type=DATE, default=None, help="Count days against this date instead of today.")
@output_options
@pass_ledger
def reviews(state: LedgerContext, only_due: bool, inspection: str | None, as_of: date | None, fmt: str) -> None:
    """Signed-off problems against the review points after closure (回头看, ledger.yaml watch.review_points_days)."""
    from ledger.watch import watch_policy

    policy = watch_policy(state.config)
    today = as_of or date.today()
    rows = [
        review_row(v, today, policy)
        for v in _views(state, today, inspection=inspection)
        if v["status"] in ("closed", "ongoing") and v["signoffs"]
    ]
    if only_due:
        rows = [r for r in rows if r["state"] in ("due", "missed")]
    if not rows and fmt == "table":
        echo(f"no reviews {'due or missed' if only_due else 'to list'} as of {today}")
    else:
        echo(render_rows(rows, fmt, REVIEW_COLUMNS))


COMMANDS = [due, escalate, progress, reviews]
