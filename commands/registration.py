"""Registering what the inspection fed back: `add-inspection`, `add-problem`."""

from __future__ import annotations

from typing import Any

import click

from commands.i18n import Command
from commands.options import CODE, DATE, NAME, OPTIONAL_LONG_TEXT, PROBLEM_NUMBER, SHORT_TEXT, ChoiceOf, LedgerContext, echo, pass_ledger, render_record, write_options
from ledger import values, vocabulary
from ledger.messages import t


@click.command("add-inspection", cls=Command)
@click.argument("code", type=CODE)
@click.option("--name", type=SHORT_TEXT, required=True, help="Name of the inspection, e.g. '县委第一巡察组巡察县交通运输局党组'.")
@click.option("--organisation", type=NAME, required=True, help="The inspected organisation.")
@click.option("--group", type=NAME, required=True, help="The inspection group.")
@click.option(
    "--kind",
    type=ChoiceOf(values.inspection_kind, "KIND", vocabulary.INSPECTION_KINDS),
    required=True,
    help="regular | special | look-back | escalated | mobile.",
)
@click.option("--start", type=DATE, required=True, help="First day on site.")
@click.option("--end", type=DATE, required=True, help="Last day on site.")
@click.option("--feedback", type=DATE, default=None, help="Date the feedback was given.")
@click.option("--round", "round_name", type=SHORT_TEXT, default=None, metavar="NAME", help="The round it belongs to, e.g. '十届县委第十二轮巡察'.")
@write_options
@pass_ledger
def add_inspection(state: LedgerContext, code: str, round_name: str | None, at: Any, actor: str | None, fmt: str, **fields: Any) -> None:
    """Register an inspection round under CODE, e.g. XC2019-1."""
    # fields: name, organisation, group, kind, start, end, feedback, as the options parsed them (the domain checks them)
    who = state.actor(actor, act="inspection-registration")
    done = state.app.add_inspection(code=code, round=round_name or "", actor=who, at=at, **fields)
    inspection = done.inspection
    record = {"code": inspection.code, "event": done.event, "round": inspection.round or None}
    echo(render_record(record, fmt, t("registered inspection {code}", code=inspection.code)))


@click.command("add-problem", cls=Command)
@click.option("--inspection", type=CODE, default=None, metavar="CODE", help="The inspection that fed the problem back (required unless --parent).")
@click.option("--category", type=SHORT_TEXT, default=None, help="Category, e.g. '政治站位方面' (required unless --parent).")
@click.option("--title", type=SHORT_TEXT, required=True, help="Title, e.g. '关于“思想认识不深刻”的问题'.")
@click.option("--description", type=OPTIONAL_LONG_TEXT, default="", help="What the inspection found.")
@click.option(
    "--type",
    type=ChoiceOf(values.problem_type, "TYPE", vocabulary.PROBLEM_TYPES),
    default="deadline",
    show_default=True,
    help="immediate | deadline | long-term.",
)
@click.option("--deadline", type=DATE, default=None, help="Rectification deadline.")
@click.option("--number", type=PROBLEM_NUMBER, default=None, help="Number within the inspection (default: the next free one).")
@click.option(
    "--source",
    type=ChoiceOf(values.source, "SOURCE"),
    default="巡察",
    show_default=True,
    help="Where the problem came from: '巡视', '巡察', '审计', '督察', '检视' or '自查' (the value stored).",
)
@click.option(
    "--parent",
    default=None,
    metavar="ID",
    help="Register a finer problem under this fed-back problem; --inspection and --category default to the parent's.",
)
@write_options
@pass_ledger
def add_problem(state: LedgerContext, inspection: str | None, category: str | None, parent: str | None, at: Any, actor: str | None, fmt: str, **fields: Any) -> None:
    """Register a problem fed back by an inspection (or, with --parent, a finer one under it); prints its ID."""
    # fields: title, description, type, deadline, number, source, as the options parsed them
    who = state.actor(actor, act="problem-registration")
    if parent is None and inspection is None:
        raise click.UsageError(t("Missing option '--inspection'."))
    if parent is None and category is None:
        raise click.UsageError(t("Missing option '--category'."))
    problem = state.app.add_problem(inspection=inspection, category=category, parent=parent, actor=who, at=at, **fields).problem
    record = {"id": problem.display_id, "inspection": problem.inspection, "number": problem.number, "status": problem.status, "parent": problem.parent or None}
    echo(render_record(record, fmt, problem.display_id))
    if parent is None:  # a refinement is the same problem in finer parts, not a new finding
        from commands.recurrence import warn_earlier

        warn_earlier(state, [problem.display_id])


COMMANDS = [add_inspection, add_problem]
