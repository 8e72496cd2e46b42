"""A problem's life: assign, plan, done, verify, close, review, reopen, correct."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import click

from commands.i18n import Command
from commands.options import AMOUNT, COUNT, ChoiceOf, DATE, LONG_TEXT, LedgerContext, NAME, OPTIONAL_LONG_TEXT, PROBLEM_ID, SHORT_TEXT, attach_option, echo, pass_ledger, render_record, write_options
from ledger import values, vocabulary
from ledger.messages import Field, t


def _report(done: Any, fmt: str, message: str, **extra: Any) -> None:
    """The line (or record) of what an act did, from the application's result."""
    problem = done.problem
    record = {"id": problem.display_id, "event": done.event, "status": problem.status, **extra}
    echo(render_record(record, fmt, t("{display_id}: {message} (status: {status})", display_id=problem.display_id, message=message, status=problem.status)))


@click.command(cls=Command)
@click.argument("problem_id", metavar="ID", type=PROBLEM_ID)
@click.option("--lead", type=NAME, required=True, help="Responsible leader.")
@click.option("--unit", type=NAME, required=True, help="Responsible unit.")
@click.option("--person", type=NAME, required=True, help="Responsible person.")
@click.option("--deadline", type=DATE, default=None, help="Deadline for this assignment.")
@write_options
@pass_ledger
def assign(state: LedgerContext, problem_id: str, lead: str, unit: str, person: str, deadline: Any, at: Any, actor: str | None, fmt: str) -> None:
    """Assign (or reassign) a problem to the people responsible."""
    done = state.app.assign(
        problem_id,
        lead=lead,
        unit=unit,
        person=person,
        deadline=deadline,
        actor=state.actor(actor, act="assignment"),
        at=at,
    )
    # The audit trail's own sentence for the act (projections/audit.py), so the two never word it apart.
    _report(done, fmt, t("assigned to {person} ({unit}), responsible leader {lead}{deadline}", person=person, unit=unit, lead=lead,
                         deadline=t(", deadline {deadline}", deadline=deadline) if deadline else ""))


@click.command(cls=Command)
@click.argument("problem_id", metavar="ID", type=PROBLEM_ID)
@click.argument("text", type=LONG_TEXT)
@click.option("--due", type=DATE, default=None, help="When the measure is due.")
@write_options
@pass_ledger
def plan(state: LedgerContext, problem_id: str, text: str, due: Any, at: Any, actor: str | None, fmt: str) -> None:
    """Plan a rectification measure for a problem; prints the measure's ID."""
    done = state.app.plan_measure(problem_id, text=text, due=due, actor=state.actor(actor, act="measure-plan"), at=at)
    record = {"id": done.problem.display_id, "measure": done.measure, "event": done.event, "status": done.problem.status}
    echo(render_record(record, fmt, done.measure))


@click.command(cls=Command)
@click.argument("problem_id", metavar="ID", type=PROBLEM_ID)
@click.argument("measure_id", metavar="MEASURE_ID", type=SHORT_TEXT)
@click.option("--evidence", type=SHORT_TEXT, multiple=True, help="Evidence reference; repeat for several.")
@click.option("--rules", type=COUNT, default=0, help="Rules made or revised, a count.")
@click.option("--funds", type=AMOUNT, default="0", help="Funds returned or recovered, in yuan.")
@click.option(
    "--accountable",
    multiple=True,
    help="People held accountable: N, or KIND=N with KIND discipline|admonition|organisational (repeatable).",
)
@click.option("--clues", type=COUNT, default=0, help="Clues transferred, a count.")
@attach_option
@write_options
@pass_ledger
def done(state: LedgerContext, problem_id: str, measure_id: str, evidence: tuple[str, ...], rules: int, funds: Decimal, accountable: tuple[str, ...], clues: int, at: Any, actor: str | None, fmt: str) -> None:
    """Record a planned measure as completed, with its evidence and outcomes."""
    done = state.app.complete_measure(
        problem_id,
        measure_id,
        evidence=list(evidence),
        outcomes=values.MeasureOutcomes(rules=rules, funds=funds, accountable=values.parse_accountable(accountable), clues=clues),
        actor=state.actor(actor, act="measure"),
        at=at,
    )
    measure = done.problem.measure(measure_id)["id"]
    _report(done, fmt, t("measure {measure} done", measure=measure), measure=measure)


@click.command(cls=Command)
@click.argument("problem_id", metavar="ID", type=PROBLEM_ID)
@click.option(
    "--grade",
    type=ChoiceOf(values.grade, "GRADE", vocabulary.GRADES),
    required=True,
    help="good | fair | poor | bad (poor and bad send it back for rework).",
)
@click.option("--note", type=OPTIONAL_LONG_TEXT, default="", help="What the verification found.")
@attach_option
@write_options
@pass_ledger
def verify(state: LedgerContext, problem_id: str, grade: str, note: str, at: Any, actor: str | None, fmt: str) -> None:
    """Record a verification of a problem's rectification."""
    done = state.app.verify(problem_id, grade=grade, note=note, actor=state.actor(actor, act="verification"), at=at)
    word = vocabulary.GRADES[grade]  # the grade's word in the reader's language, as `show` and `audit` print it
    if grade in values.PASSING_GRADES:
        message = t("verification graded {grade}: passed", grade=word)
    else:
        message = t("verification graded {grade}: failed, back for rework", grade=word)
    _report(done, fmt, message, grade=grade)


@click.command(cls=Command)
@click.argument("problem_id", metavar="ID", type=PROBLEM_ID)
@click.option("--note", type=OPTIONAL_LONG_TEXT, default="", help="A note on the sign-off.")
@attach_option
@write_options
@pass_ledger
def close(state: LedgerContext, problem_id: str, note: str, at: Any, actor: str | None, fmt: str) -> None:
    """Sign a problem off; a long-term problem becomes ongoing (still watched)."""
    done = state.app.sign_off(problem_id, note=note, actor=state.actor(actor, act="sign-off"), at=at)
    if not done.closed:  # 双审核: a signature recorded, more signers needed
        _report(done, fmt, t("signature {signed} of {required} recorded; a different signer must sign to close", signed=done.signatures, required=done.required), signatures=done.signatures)
        return
    _report(done, fmt, t("signed off"))  # the line ends "(status: …)": one word for the status


@click.command(cls=Command)
@click.argument("problem_id", metavar="ID", type=PROBLEM_ID)
@click.option("--holds", is_flag=True, help="The rectification holds.")
@click.option("--relapsed", is_flag=True, help="The problem came back (a relapse): reopens it.")
@click.option("--note", type=LONG_TEXT, required=True, help="What the review after sign-off found.")
@attach_option
@write_options
@pass_ledger
def review(state: LedgerContext, problem_id: str, holds: bool, relapsed: bool, note: str, at: Any, actor: str | None, fmt: str) -> None:
    """Record a review of a signed-off problem: it holds, or it relapsed."""
    if holds == relapsed:
        raise click.UsageError(t("give exactly one of --holds or --relapsed"))
    result = "holds" if holds else "relapsed"
    done = state.app.record_review(problem_id, result=result, note=note, actor=state.actor(actor, act="review"), at=at)
    relapses = done.problem.relapses
    message = t("review: holds") if result == "holds" else t("review: relapsed, reopened (relapses: {relapses})", relapses=relapses)
    _report(done, fmt, message, result=result, relapses=relapses)


@click.command(cls=Command)
@click.argument("problem_id", metavar="ID", type=PROBLEM_ID)
@click.option("--reason", type=LONG_TEXT, required=True, help="Why it is reopened (e.g. the relapse found).")
@write_options
@pass_ledger
def reopen(state: LedgerContext, problem_id: str, reason: str, at: Any, actor: str | None, fmt: str) -> None:
    """Reopen a signed-off problem (a relapse); counted in relapses forever."""
    done = state.app.reopen(problem_id, reason=reason, actor=state.actor(actor, act="reopening"), at=at)
    _report(done, fmt, t("reopened (relapses: {relapses})", relapses=done.problem.relapses), relapses=done.problem.relapses)


# `correct --field`: the fields ledger/values.py lists, said once there.
CORRECTABLE_HELP = (
    f"Problem: {', '.join(values.CORRECTABLE_PROBLEM_FIELD_NAMES)}; inspection: {', '.join(values.CORRECTABLE_INSPECTION_FIELDS)}."
)


@click.command(cls=Command)
@click.argument("target", metavar="ID", type=PROBLEM_ID)
@click.option("--field", type=SHORT_TEXT, required=True, help=CORRECTABLE_HELP)
@click.option("--value", type=LONG_TEXT, required=True, help="The corrected value ('none' clears a date).")
@click.option("--reason", type=LONG_TEXT, required=True, help="Why the correction is needed.")
@write_options
@pass_ledger
def correct(state: LedgerContext, target: str, field: str, value: str, reason: str, at: Any, actor: str | None, fmt: str) -> None:
    """Correct an earlier entry of a problem or inspection; the original stays visible."""
    from ledger.application import parse_field_value

    why = reason
    field = field.strip()
    new = parse_field_value(field, value)
    who = state.actor(actor, act="correction")
    if field in values.CORRECTABLE_INSPECTION_FIELDS:
        corrected = state.app.correct_inspection(target, field=field, value=new, reason=why, actor=who, at=at)
        record = {"id": corrected.inspection.code, "event": corrected.event, "field": field}
        echo(render_record(record, fmt, t("{code}: {field} corrected", code=corrected.inspection.code, field=Field(field))))
        return
    done = state.app.correct_problem(target, field=field, value=new, reason=why, actor=who, at=at)
    _report(done, fmt, t("{field} corrected", field=Field(field)), field=field)


COMMANDS = [assign, plan, done, verify, close, review, reopen, correct]
