"""Registering what the inspection fed back: `add-inspection`, `add-problem`."""

from __future__ import annotations

from typing import Any

import click

from commands.options import CODE, DATE, NAME, OPTIONAL_LONG_TEXT, PROBLEM_NUMBER, SHORT_TEXT, ChoiceOf, LedgerContext, echo, pass_ledger, render_record, write_options
from ledger import values
from ledger.messages import t


@click.command("add-inspection")
@click.argument("code", type=CODE)
@click.option("--name", type=SHORT_TEXT, required=True, help="Name of the round, e.g. 县委第一巡察组巡察县交通运输局党组.")
@click.option("--organisation", type=NAME, required=True, help="The inspected organisation (被巡察党组织).")
@click.option("--group", type=NAME, required=True, help="The inspection group (巡视组/巡察组).")
@click.option(
    "--kind",
    type=ChoiceOf(values.inspection_kind, "KIND"),
    required=True,
    help="regular 常规 | special 专项 | look-back 回头看 | escalated 提级 | mobile 机动.",
)
@click.option("--start", type=DATE, required=True, help="First day on site (进驻).")
@click.option("--end", type=DATE, required=True, help="Last day on site.")
@click.option("--feedback", type=DATE, default=None, help="Date the feedback (反馈) was given.")
@click.option("--round", "round_name", type=SHORT_TEXT, default=None, metavar="NAME", help="The round (轮次) it belongs to, e.g. 十届县委第十二轮巡察.")
@write_options
@pass_ledger
def add_inspection(state: LedgerContext, code: str, name: str, organisation: str, group: str, kind: str, start: Any, end: Any, feedback: Any, round_name: str | None, at: Any, actor: str | None, fmt: str) -> None:
    """Register an inspection round (巡视/巡察) under CODE, e.g. XC2019-1."""
    who = state.actor(actor, act="inspection-registration")
    done = state.app.add_inspection(
        code=code,
        name=name,
        organisation=organisation,
        group=group,
        kind=kind,
        start=start,
        end=end,
        feedback=feedback,
        round=round_name or "",
        actor=who,
        at=at,
    )
    inspection = done.inspection
    record = {"code": inspection.code, "event": done.event, "round": inspection.round or None}
    echo(render_record(record, fmt, t("registered inspection {code}", code=inspection.code)))


@click.command("add-problem")
@click.option("--inspection", type=CODE, default=None, metavar="CODE", help="The inspection that fed the problem back (required unless --parent).")
@click.option("--category", type=SHORT_TEXT, default=None, help="Category (类别), e.g. 政治站位方面 (required unless --parent).")
@click.option("--title", type=SHORT_TEXT, required=True, help='Title, e.g. 关于"思想认识不深刻"的问题.')
@click.option("--description", type=OPTIONAL_LONG_TEXT, default="", help="What the inspection found.")
@click.option(
    "--type",
    "problem_type",
    type=ChoiceOf(values.problem_type, "TYPE"),
    default="deadline",
    show_default=True,
    help="immediate 立行立改 | deadline 限期整改 | long-term 长期坚持.",
)
@click.option("--deadline", type=DATE, default=None, help="Rectification deadline (整改时限).")
@click.option("--number", type=PROBLEM_NUMBER, default=None, help="Number within the inspection (default: the next free one).")
@click.option(
    "--source",
    type=ChoiceOf(values.source, "SOURCE"),
    default="巡察",
    show_default=True,
    help="巡视 | 巡察 | 审计 | 督察 | 检视 | 自查.",
)
@click.option(
    "--parent",
    default=None,
    metavar="ID",
    help="Register a finer problem (细化) under this fed-back problem; --inspection and --category default to the parent's.",
)
@write_options
@pass_ledger
def add_problem(state: LedgerContext, inspection: str | None, category: str | None, title: str, description: str, problem_type: str, deadline: Any, number: int | None, source: str, parent: str | None, at: Any, actor: str | None, fmt: str) -> None:
    """Register a problem fed back by an inspection (or, with --parent, a finer one under it); prints its ID."""
    who = state.actor(actor, act="problem-registration")
    if parent is None and inspection is None:
        raise click.UsageError(t("Missing option '--inspection'."))
    if parent is None and category is None:
        raise click.UsageError(t("Missing option '--category'."))
    problem = state.app.add_problem(
        inspection=inspection,
        parent=parent,
        category=category,
        title=title,
        description=description,
        type=problem_type,
        source=source,
        deadline=deadline,
        number=number,
        actor=who,
        at=at,
    ).problem
    record = {"id": problem.display_id, "inspection": problem.inspection, "number": problem.number, "status": problem.status, "parent": problem.parent or None}
    echo(render_record(record, fmt, problem.display_id))
    if parent is None:  # a refinement is the same problem in finer parts, not a new finding
        from commands.recurrence import warn_earlier

        warn_earlier(state, [problem.display_id])


COMMANDS = [add_inspection, add_problem]
