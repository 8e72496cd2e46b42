"""Reading the ledger: `show`, `status`, `history`."""

from __future__ import annotations

import json
from typing import Any

import click

from commands.asof import as_of_option
from commands.i18n import Command
from commands.options import Choice, STREAMED_FORMATS, ChoiceOf, LedgerContext, Screen, cell, echo, echo_csv_batches, echo_rows, listing_options, output_options, pass_ledger, render_rows
from ledger import values, vocabulary
from ledger.errors import UnknownID
from ledger.messages import t

# --light takes a light's name or word, or none (no light: signed off, or no deadline).
LIGHT_CHOICES = {**vocabulary.LIGHTS, "none": vocabulary.Word("无预警", "none")}


def _canonical_problem_id(text: str) -> str | None:
    parts = values.split_problem_id(text)
    return values.problem_display_id(*parts) if parts else None


def _show_table(view: dict[str, Any]) -> str:
    """A problem as `show` prints it: its facts, then each sub-table (projections.show, as the web page shows them)."""
    import tabulate

    from commands import i18n
    from projections import show as shown

    lang = i18n.current()
    parts = [
        tabulate.tabulate(
            [[i18n.heading(k, lang), cell(v)] for k, v in shown.facts(view, lang)],
            tablefmt="plain", disable_numparse=True, maxcolwidths=[None, 96],
        )
    ]
    for table in shown.SUB_TABLES:
        confided = shown.sensitive(view, lang) if table.key == "corrections" else None
        if confided:
            parts.append("\n" + i18n.section_title("sensitive", lang) + "\n" + "\n".join(f"{field}  {marker}" for field, marker in confided.rows))
        if not view.get(table.key):
            continue
        part = shown.section(table, view[table.key], lang)
        options = {"maxcolwidths": table.widths} if table.widths else {}
        parts.append("\n" + i18n.section_title(table.key, lang) + "\n" + tabulate.tabulate(part.rows, headers=part.headings, disable_numparse=True, **options))
    return "\n".join(parts)


INSPECTION_FACTS = ("code", "name", "organisation", "group", "kind", "round", "start", "end", "feedback", "registered_at", "registered_by")


def _inspection_table(inspection: dict[str, Any]) -> str:
    """An inspection as `show` prints it: one fact a line, in the order a clerk reads them, then its corrections."""
    import tabulate

    from commands import i18n

    lang = i18n.current()
    keys = [k for k in INSPECTION_FACTS if k in inspection] + [k for k in inspection if k not in INSPECTION_FACTS and k != "corrections"]
    facts = [[i18n.heading(k, lang), cell(i18n.value_word(k, inspection[k], lang))] for k in keys]
    parts = [tabulate.tabulate(facts, tablefmt="plain", disable_numparse=True, maxcolwidths=[None, 96])]
    if inspection.get("corrections"):
        from projections import show as shown

        part = next(shown.section(table, inspection["corrections"], lang) for table in shown.SUB_TABLES if table.key == "corrections")
        parts.append("\n" + i18n.section_title("corrections", lang) + "\n" + tabulate.tabulate(part.rows, headers=part.headings, disable_numparse=True))
    return "\n".join(parts)


@click.command(cls=Command)
@click.argument("problem_id", metavar="ID")
@as_of_option
@output_options
@pass_ledger
def show(state: LedgerContext, problem_id: str, as_of: Any, fmt: str) -> None:
    """Show one problem: its state, assignee, measures, verifications and sign-offs."""
    from projections.replay import StateReader, check_as_of
    from projections.status import find_problem, load_inspection, with_relapse_facts

    check_as_of(as_of)
    with StateReader(state.app, as_of, problem=problem_id) as r:
        view = find_problem(r.cursor, problem_id, style=r.style, today=r.today)
        inspection = None if view else load_inspection(r.cursor, problem_id.strip(), style=r.style)
        if as_of is None and (view or inspection):  # the stored row, checked before it is printed (--as-of: from the events)
            from projections.read_model_check import check_shown_row

            check_shown_row(state.app, r.cursor, *(("ledger_problems", view["id"]) if view else ("ledger_inspections", inspection["code"])))
        shown = view
        if view and fmt == "table":  # JSON: the stored view

            def earlier(ident: str) -> Any:  # as of a moment only this problem was rebuilt: its earlier one as of then
                with StateReader(state.app, as_of, problem=ident) as other:
                    return find_problem(other.cursor, ident, style=other.style, today=other.today)

            shown = with_relapse_facts(r.cursor, view, style=r.style, earlier=earlier if as_of is not None else None)
    if view is None and inspection is None:
        from commands.asof import describe_moment

        raise UnknownID("problem", t("{ident}{moment}", ident=problem_id, moment=describe_moment(as_of)))
    if view is None:
        if fmt == "json":
            echo(json.dumps(inspection, ensure_ascii=False, indent=2))
        elif fmt == "table":
            echo(_inspection_table(inspection))
        else:
            echo(render_rows([inspection], fmt, [k for k in inspection if k != "corrections"]))
        return
    if fmt == "json":
        echo(json.dumps(view, ensure_ascii=False, indent=2))
    elif fmt == "table":
        from projections.show import with_every_signature

        echo(_show_table(with_every_signature(state.app, shown)))  # the first of two signers too, after the sign-off
    else:
        from projections.status import STATUS_COLUMNS, status_row

        echo(render_rows([status_row(view)], fmt, STATUS_COLUMNS))


@click.command(cls=Command)
@click.option("--inspection", default=None, metavar="CODE", help="Only this inspection's problems.")
@click.option("--category", default=None, help="Only this category.")
@click.option("--unit", default=None, help="Only problems assigned to this unit.")
@click.option(
    "--status",
    "status_filter",
    type=ChoiceOf(values.status, "STATUS", vocabulary.STATUSES),
    default=None,
    help="registered | in_progress | verified | closed | ongoing.",
)
@click.option("--overdue", is_flag=True, help="Only problems past their deadline and not yet rectified.")
@click.option("--round", "round_name", default=None, metavar="NAME", help="Only the problems of this round's inspections.")
@click.option(
    "--light",
    type=ChoiceOf(lambda value: values.choose(LIGHT_CHOICES, value, "--light"), "LIGHT", LIGHT_CHOICES),
    default=None,
    help="Only problems with this warning light (thresholds in ledger.yaml `lights:`).",
)
@as_of_option
@listing_options
@pass_ledger
def status(state: LedgerContext, inspection: str | None, category: str | None, unit: str | None, status_filter: str | None, overdue: bool, round_name: str | None, light: str | None, as_of: Any, fmt: str, screen: Screen) -> None:
    """List problems with their current status (from the derived tables, no replay).

    On a terminal: the most urgent first (red, yellow, green by deadline, then the rest
    in register order), 30 of them unless --limit N or --all. Piped, with --out or as
    csv/json: every problem in register order.
    """
    from projections.replay import StateReader, check_as_of
    from projections.status import (
        STATUS_COLUMNS, STATUS_SELECT, count_problems, has_status_columns, iter_problems, iter_row_batches, iter_status_rows, kept_columns,
        most_urgent, problem_query, status_row, status_text_select,
    )

    check_as_of(as_of)
    lights = None
    if light is not None:
        from ledger.watch import light_policy

        lights = light_policy(state.config)
    with StateReader(state.app, as_of, inspection=inspection) as r:
        inspections = None
        if round_name is not None:
            from projections.rounds import round_inspections

            inspections = [i["code"] for i in round_inspections(r.cursor, round_name.strip(), style=r.style)]
        # json gives every problem's full view; the other formats its flat row, read from
        # the read model's own columns (a store not yet upgraded: from each view).
        chosen = dict(
            style=r.style, today=r.today, inspection=inspection, category=category,
            unit=unit, status=status_filter, overdue=overdue, inspections=inspections, light=light, lights=lights,
        )
        # csv of problems from an office's own 台账: its other columns too (from each view, not the flat rows)
        kept = kept_columns(r.cursor, **chosen) if fmt == "csv" else []
        flat = fmt != "json" and not kept and has_status_columns(r.cursor)
        select = (status_text_select(r.today) if fmt == "csv" else STATUS_SELECT) if flat else "p.data"
        total = None
        if screen.terminal and screen.limit is not None:  # only the rows shown are read, and a count
            total = count_problems(r.cursor, *problem_query(**chosen, select="COUNT(*)", order=None))
            queries = most_urgent(r.cursor, limit=screen.limit, select=select, **chosen)
        else:
            queries = [problem_query(**chosen, select=select, order="urgency" if screen.urgent_first else "register", limit=screen.limit)]
        sql, params = queries[0]
        # The stored rows printed are checked against their committed digests, a batch before it is printed, up to
        # CHECKED_ROWS of them (--as-of: rebuilt from the events).
        shown = _shown_rows(state.app, r.cursor) if as_of is None else None
        checked = shown.rows if shown is not None else (lambda records: records)
        if kept:  # problems from an office's own 台账: its other columns too, each under its heading
            problems = checked(view for sql, params in queries for view in iter_problems(r.cursor, sql=sql, params=params, today=r.today))
            own = [h for h in kept if h not in STATUS_COLUMNS]
            echo_rows(({**status_row(v), **{h: (v.get("columns") or {}).get(h) for h in own}} for v in problems), fmt, (*STATUS_COLUMNS, *own))
            _say_unchecked(shown)
            return
        if flat and fmt == "csv":
            batches = iter_row_batches(r.cursor, sql=sql, params=params)
            echo_csv_batches(shown.batches(batches) if shown is not None else batches, STATUS_COLUMNS)
            _say_unchecked(shown)
            return
        if flat:
            records = checked(row for sql, params in queries for row in iter_status_rows(r.cursor, sql=sql, params=params, today=r.today))
        else:
            problems = checked(view for sql, params in queries for view in iter_problems(r.cursor, sql=sql, params=params, today=r.today))
            records = problems if fmt == "json" else (status_row(v) for v in problems)
        if fmt in STREAMED_FORMATS:
            echo_rows(records, fmt, STATUS_COLUMNS)
            _say_unchecked(shown)
            return
        if screen.pager:
            first = next(records, None)
            if first is not None:
                import itertools

                screen.show(itertools.chain([first], records), fmt, STATUS_COLUMNS)
                _say_unchecked(shown)
                return
            rows: list[dict[str, Any]] = []
        else:
            rows = list(records)  # only the flat rows are kept, not every problem's full view
    if not rows and fmt == "table":
        from commands import i18n
        from commands.asof import describe_moment

        echo(i18n.translate(t("no problems match{moment}", moment=describe_moment(as_of)), i18n.current()))
        return
    screen.show(rows, fmt, STATUS_COLUMNS, total)
    _say_unchecked(shown)


def _shown_rows(app: Any, cursor: Any) -> Any:
    """A checker of the stored rows a listing prints (projections.read_model_check.ShownRows), reading through a second
    cursor of the listing's snapshot."""
    from projections.read_model_check import ShownRows

    if hasattr(cursor, "sqlite_cursor"):
        second = cursor.sqlite_cursor.connection.cursor()
    else:  # psycopg: rows readable by index, as the first cursor's
        from ledger.store import hybrid_row

        second = cursor.connection.cursor(row_factory=hybrid_row)
    return ShownRows(app, second)


def _say_unchecked(shown: Any) -> None:
    if shown is not None and shown.unchecked:
        from commands import i18n

        click.echo(i18n.note_line(t("{checked} rows listed were checked against the digests the chain committed for them, the other {unchecked} were not: `ledger audit --verify` checks every row",
                                    checked=shown.checked, unchecked=shown.unchecked)), err=True)


@click.command(cls=Command)
@click.argument("target", metavar="ID")
@listing_options
@pass_ledger
def history(state: LedgerContext, target: str, fmt: str, screen: Screen) -> None:
    """Every event of a problem (or inspection), oldest first: who did what, when.

    On a terminal: newest first, 30 events unless --limit N or --all.
    """
    from ledger.ids import inspection_uuid
    from projections.history import history_rows
    from projections.replay import verified_events

    app = state.app
    events = []
    ident = _canonical_problem_id(target)
    if ident:
        try:
            events = verified_events(app, [app.get_problem(ident).id])
        except UnknownID:
            events = []
    if not events:
        events = verified_events(app, [inspection_uuid(target.strip())])
    if not events:
        raise UnknownID("problem", target)
    rows = history_rows(events)
    if fmt == "json":
        rows, _ = screen.cut(rows)
        echo(json.dumps([{k: r[k] for k in ("seq", "at", "recorded_at", "actor", "event", "details", "data", "signed_by", "entered_for", "meaning", "attachments") if k in r} for r in rows], ensure_ascii=False, indent=2))
        return
    if fmt == "csv":  # the details column as `audit --format csv` gives it for the same event: the sentence
        from projections.audit import sentence_data

        rows = [{**r, "details": sentence_data(r["details"])} for r in rows]
    shown, total = screen.newest(rows) if screen.urgent_first else screen.cut(rows)
    screen.show(shown, fmt, ["seq", "at", "recorded_at", "actor", "event", "details"], total)


COMMANDS = [show, status, history]
