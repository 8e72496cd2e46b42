"""屡查屡犯: `similar` (earlier problems like this one) and `link` (a later problem is an earlier one found again)."""

from __future__ import annotations

from typing import Any

import click

from commands.asof import as_of_option
from commands.options import DATE, IntRange, Choice, LONG_TEXT, NAME, OPTIONAL_LONG_TEXT, PROBLEM_ID, SHORT_TEXT, LedgerContext, attach_option, echo, output_options, pass_ledger, render_record, render_rows, write_options
from commands.i18n import Command
from ledger.errors import InvalidInput, UnknownID
from ledger import vocabulary
from ledger.messages import Field, choices, joined, t, tn

COLUMNS = ("id", "score", "inspection", "organisation", "round", "status", "title", "shared")


def _matching(state: LedgerContext) -> Any:
    from projections.similarity import Matching

    return Matching.from_config(state.config)


@click.command(cls=Command)
@click.argument("problem_id", metavar="ID", type=PROBLEM_ID, required=False)
@click.option("--text", type=SHORT_TEXT, default=None, help="Compare this text instead of a registered problem.")
@click.option("--limit", type=IntRange(1, 1000), default=10, show_default=True, help="At most this many.")
@click.option(
    "--scope",
    type=Choice(["all", "organisation", "round"]),
    default="all",
    show_default=True,
    help="all: every earlier inspection; organisation: of the same inspected organisation; round: other units of the same round (shared problems).",
)
@click.option("--organisation", type=NAME, default=None, help="With --text: the organisation (for --scope organisation).")
@output_options
@pass_ledger
def similar(state: LedgerContext, problem_id: str | None, text: str | None, limit: int, scope: str, organisation: str | None, fmt: str) -> None:
    """Earlier problems like problem ID (or --text), best first, with a score from 0 to 1 and the words they share."""
    from projections.recurrence import like, subject_of, text_subject

    if (problem_id is None) == (text is None):
        raise click.UsageError(t("give a problem ID or --text, not both"))
    if problem_id is None and scope == "round":
        raise click.UsageError(t("--scope round needs a problem ID (its inspection's round)"))
    if problem_id is None and scope == "organisation" and organisation is None:
        raise click.UsageError(t("--scope organisation with --text needs --organisation"))
    app = state.app
    matching = _matching(state)
    style = app.recorder.placeholder
    with app.recorder.reading() as c:
        if problem_id is not None:
            subject = subject_of(c, problem_id, style)
            if subject is None:
                raise UnknownID("problem", problem_id)
            if scope == "round" and not subject.round:
                raise InvalidInput(t("{problem_id}: its inspection {inspection} belongs to no round: use --scope all or organisation", problem_id=problem_id, inspection=subject.inspection))
        else:
            subject = text_subject(text or "", organisation)
        found = like(c, subject, matching, style=style, scope=scope, limit=limit)
    if fmt not in ("json",):
        found = [{**r, "score": f"{r['score']:.2f}", "shared": "、".join(r["shared"])} for r in found]
    if not found and fmt == "table":
        from commands import i18n

        echo(i18n.translate(t("no earlier problem scores {threshold:.2f} or more", threshold=matching.threshold), i18n.current()))
        return
    echo(render_rows(found, fmt, COLUMNS))


KINDS = {"recurrence": "recurrence", "same-kind": "same-kind", "屡查屡犯": "recurrence", "重犯": "recurrence", "同类": "same-kind", "同类问题": "same-kind"}


@click.command(cls=Command)
@click.argument("new_id", metavar="NEW", type=PROBLEM_ID)
@click.argument("old_id", metavar="OLD", type=PROBLEM_ID)
@click.option("--as", "kind", default=None, metavar="KIND", help="recurrence (the earlier problem found again) | same-kind.")
@click.option("--reject", is_flag=True, help="OLD is not like NEW: never offer it again.")
@click.option("--note", type=OPTIONAL_LONG_TEXT, default="", help="Why (e.g. the earlier feedback's wording).")
@write_options
@pass_ledger
def link(state: LedgerContext, new_id: str, old_id: str, kind: str | None, reject: bool, note: str, at: Any, actor: str | None, fmt: str) -> None:
    """Link problem NEW to the earlier problem OLD (--as recurrence|same-kind), or --reject the suggestion.

    A recurrence of a signed-off problem counts as a relapse of it (relapses +1, for good).
    """
    if reject == (kind is not None):
        raise click.UsageError(t("give exactly one of --as KIND or --reject"))
    who = state.actor(actor, act="recurrence-link")
    if reject:
        rejected = state.app.reject_like(new_id, old_id, note=note, actor=who, at=at)
        problem = rejected.problem
        record = {"id": problem.display_id, "event": rejected.event, "problem": old_id}
        echo(render_record(record, fmt, t("{display_id}: {old_id} rejected as like it; not offered again", display_id=problem.display_id, old_id=old_id)))
        return
    chosen = KINDS.get(kind.strip().lower() if kind else "")
    if chosen is None:
        linkable = {k: vocabulary.LINK_KINDS[k] for k in dict.fromkeys(KINDS.values())}
        raise InvalidInput(t("{what}: '{value}' is not one of {choices}", what=Field("--as"), value=kind, choices=choices(linkable)))
    linked = state.app.link(new_id, old_id, kind=chosen, note=note, actor=who, at=at)
    new, old, relapse = linked.new, linked.old, linked.relapse
    record = {"id": new.display_id, "event": "Linked", "problem": old.display_id, "as": chosen, "relapse": relapse, "relapses": old.relapses}
    if chosen == "recurrence" and relapse:
        message = t("{display_id}: linked as a recurrence of {display_id2}, which relapsed (relapses: {relapses})", display_id=new.display_id, display_id2=old.display_id, relapses=old.relapses)
    elif chosen == "recurrence":
        message = t("{display_id}: linked as a recurrence of {display_id2} (not signed off: no relapse counted)", display_id=new.display_id, display_id2=old.display_id)
    else:
        message = t("{display_id}: linked as the same kind as {display_id2}", display_id=new.display_id, display_id2=old.display_id)
    echo(render_record(record, fmt, message))


COMMANDS = [similar, link]


# Lines the warning prints at most (an import of a whole round may find many).
WARN_LINES = 20
# New problems an import checks at most (each check is a query: ~2 ms on a quiet machine at 115k problems);
# the rest are named as not checked, for `ledger similar`.
CHECKED_AT_MOST = 2000


def warn_earlier(state: LedgerContext, ids: list[str]) -> None:
    """On stderr: the likely earlier problems of each new problem, its own organisation's apart from other units'.

    A warning, never a refusal: the problems are registered already. Silent when the
    ledger holds no problem of another inspection, or on a store made before the index.
    """
    from commands import i18n
    from projections.recurrence import any_problem_outside, like, subject_of
    from projections.similarity import has_index

    if not ids:
        return
    app = state.app
    style = app.recorder.placeholder
    matching = None
    lines: list[str] = []
    more = unchecked = 0
    with app.recorder.reading() as c:
        if not has_index(c, style):
            return
        if not any_problem_outside(c, sorted({i.rsplit("-", 1)[0] for i in ids}), style=style):
            return
        matching = _matching(state)
        unchecked = max(0, len(ids) - CHECKED_AT_MOST)
        for problem_id in ids[:CHECKED_AT_MOST]:
            subject = subject_of(c, problem_id, style)
            if subject is None:
                continue
            found = like(c, subject, matching, style=style, limit=6)
            if not found:
                continue
            if len(lines) >= WARN_LINES:
                more += 1
                continue
            own = [t("{problem} ({score:.2f})", problem=r["id"], score=r["score"]) for r in found if r["organisation"] == subject.organisation][:3]
            other = [t("{problem} {organisation} ({score:.2f})", problem=r["id"], organisation=r["organisation"], score=r["score"])
                     for r in found if r["organisation"] != subject.organisation][:3]
            if own:  # the list in the reader's punctuation: "a (0.26), b" / "a（0.26）、b"
                lines.append(t("{problem_id} may be an earlier problem of {organisation} found again: {own}", problem_id=problem_id, organisation=subject.organisation, own=joined(own, ", ", "、")))
            if other:
                lines.append(t("{problem_id} is like earlier problems of other units: {other}", problem_id=problem_id, other=joined(other, ", ", "、")))
    lang = i18n.current()
    for line in lines:
        click.echo(i18n.NOTE_PREFIX[lang] + i18n.translate(line, lang), err=True)
    if more:
        click.echo(i18n.NOTE_PREFIX[lang] + i18n.translate(tn("{more} more new problem is like earlier ones", "{more} more new problems are like earlier ones", more, more=more), lang), err=True)
    if unchecked:
        click.echo(i18n.NOTE_PREFIX[lang] + i18n.translate(tn("{unchecked} new problem was not checked for earlier ones (from {value}): `ledger similar ID` checks one", "{unchecked} new problems were not checked for earlier ones (from {value}): `ledger similar ID` checks one", unchecked, unchecked=unchecked, value=ids[CHECKED_AT_MOST]), lang), err=True)
    if lines:
        click.echo(i18n.NOTE_PREFIX[lang] + i18n.translate(t("see `ledger similar ID`; then `ledger link NEW OLD --as recurrence` or `--reject`"), lang), err=True)


PROFILE_COLUMNS = ("round", "inspection", "start", "problems", "completed", "ongoing", "extended", "open", "overdue",
                   "relapsed", "reopened", "recurrences", "found_again", "rate")
LINK_COLUMNS = ("problem", "title", "as", "direction", "linked", "relapse")


@click.command(cls=Command)
@click.argument("organisation", type=NAME)
@as_of_option
@output_options
@pass_ledger
def profile(state: LedgerContext, organisation: str, as_of: Any, fmt: str) -> None:
    """One inspected unit across rounds: each inspection's problems and where they stand, categories
    round by round, relapses, reopenings, and the problems found again."""
    import json

    from commands import i18n
    from projections.profile import organisations, profile as unit_profile
    from projections.replay import StateReader, check_as_of

    check_as_of(as_of)
    with StateReader(state.app, as_of) as r:
        found = unit_profile(r.cursor, organisation, today=r.today, style=r.style)
        known = organisations(r.cursor) if found is None else []
    if found is None:
        raise InvalidInput(t("no inspection of '{organisation}' (organisations: {value})", organisation=organisation, value=', '.join(known) or t("none yet")))
    if fmt == "json":
        echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    lang = i18n.current()
    rows = [{**row, "rate": "—" if row["rate"] is None else f"{row['rate']:.1f}%"} for row in found["inspections"]]
    total = {**found["total"], "round": "合计" if lang == "zh" else "total", "inspection": "", "start": ""}
    total["rate"] = "—" if total["rate"] is None else f"{total['rate']:.1f}%"
    parts = [organisation if fmt == "table" else "", render_rows([*rows, total], fmt, PROFILE_COLUMNS)]
    codes = [row["inspection"] for row in found["inspections"]]
    parts.append(render_rows(found["categories"], fmt, ["category", *codes]))
    if found["links"]:
        parts.append(render_rows(found["links"], fmt, LINK_COLUMNS))
    echo("\n\n".join(p for p in parts if p))


COMMANDS.append(profile)


@click.command(cls=Command)
@click.argument("problem_id", metavar="ID", type=PROBLEM_ID)
@click.option("--to", "to", type=NAME, multiple=True, metavar="ORGANISATION", help="A unit to send it to: its inspection in the round (or that inspection's code); repeat for several.")
@click.option("--round", "round_name", type=SHORT_TEXT, default=None, metavar="ROUND", help="The round whose units self-check: without --to, every unit of it but the problem's own (default round: the problem's).")
@click.option("--deadline", type=DATE, default=None, help="When the units must have answered (each problem's deadline).")
@click.option("--note", type=OPTIONAL_LONG_TEXT, default="", help="What to check for (the request's wording).")
@write_options
@pass_ledger
def propagate(state: LedgerContext, problem_id: str, to: tuple[str, ...], round_name: str | None, deadline: Any, note: str, at: Any, actor: str | None, fmt: str) -> None:
    """Send problem ID to other units for self-check; each gets a problem of its own linked to it, source self-check.

    Each unit answers it with measures as usual, or with `ledger not-found ID --attach FILE`.
    All units or none are written; a unit it was sent to before is skipped.
    """
    from projections.recurrence import round_inspections

    if not to and round_name is None:
        raise click.UsageError(t("give --to ORGANISATION (repeatable) or --round ROUND"))
    who = state.actor(actor, act="propagation")
    done = state.app.propagate(problem_id, to=to, round_name=round_name, deadline=deadline, note=note, inspections=round_inspections, actor=who, at=at)
    source = done.source.display_id
    sent = [{"id": p.display_id, "inspection": p.inspection, "organisation": done.organisations.get(p.inspection)} for p in done.sent]
    skipped = [{"id": problem, "inspection": code, "organisation": done.organisations.get(code)} for code, problem in done.skipped]
    record = {"id": source, "event": "Propagated", "deadline": deadline.isoformat() if deadline else None, "sent": sent, "skipped": skipped}
    lines = [tn("{display_id}: sent to {n} unit for self-check: {value}", "{display_id}: sent to {n} units for self-check: {value}", len(sent), display_id=source, n=len(sent), value=", ".join(f"{s['organisation']} {s['id']}" for s in sent))]
    if skipped:
        lines.append(t("already sent before, not again: {value}", value=", ".join(f"{s['organisation']} {s['id']}" for s in skipped)))
    echo(render_record(record, fmt, lines))


@click.command("not-found", cls=Command)
@click.argument("problem_id", metavar="ID", type=PROBLEM_ID)
@click.option("--note", type=LONG_TEXT, required=True, help="What the self-check covered and why nothing was found.")
@attach_option
@write_options
@pass_ledger
def not_found(state: LedgerContext, problem_id: str, note: str, at: Any, actor: str | None, fmt: str) -> None:
    """Answer a problem sent for self-check as not found, with its evidence (--attach, required).

    The problem is then done in a state of its own: neither open nor overdue, and not a relapse.
    """
    done = state.app.answer_not_found(problem_id, note=note, actor=state.actor(actor, act="self-check-answer"), at=at)
    problem = done.problem
    record = {"id": problem.display_id, "event": done.event, "status": problem.status, "source": problem.self_check_source}
    echo(render_record(record, fmt, t("{display_id}: answered, its self-check found nothing (status: {status})", display_id=problem.display_id, status=problem.status)))


COMMANDS += [propagate, not_found]
