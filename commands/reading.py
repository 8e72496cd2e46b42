"""Reading the ledger: `show`, `status`, `history`."""

from __future__ import annotations

import json
from typing import Any

import click

from commands.asof import as_of_option
from commands.options import STREAMED_FORMATS, ChoiceOf, LedgerContext, cell, echo, echo_csv_batches, echo_rows, output_options, pass_ledger, render_rows
from ledger import values
from ledger.errors import UnknownID


def _canonical_problem_id(text: str) -> str | None:
    parts = values.split_problem_id(text)
    return values.problem_display_id(*parts) if parts else None


def _escalation_label(level: str | None) -> str | None:
    from ledger.watch import ESCALATION_LEVELS

    return f"{level} ({ESCALATION_LEVELS[level]})" if level else None


def _show_table(view: dict[str, Any]) -> str:
    import tabulate

    assignee = view.get("assignee") or {}
    facts = [
        ("id", view["id"]),
        ("inspection", view["inspection"]),
        ("number", view["number"]),
        ("category", view["category"]),
        ("title", view["title"]),
        ("description", view["description"]),
        ("type", f"{view['type']} ({values.PROBLEM_TYPES[view['type']]})"),
        ("source", view["source"]),
        ("status", f"{view['status']} ({values.STATUSES[view['status']]})"),
        ("deadline", view["deadline"]),
        ("overdue", view["overdue"]),
        ("relapses", view["relapses"]),
        ("reworks", view["reworks"]),
        ("escalation", _escalation_label(view.get("escalation"))),
        ("lead", assignee.get("lead")),
        ("unit", assignee.get("unit")),
        ("person", assignee.get("person")),
        ("registered", f"{view['registered_at']} by {view['registered_by']}"),
    ]
    if view.get("parent"):
        facts.insert(4, ("parent", f"{view['parent']} (细化 refinement of)"))
    if view.get("children"):
        facts.insert(4, ("refined into", ", ".join(view["children"])))
    for w in view.get("withheld") or []:  # insiders see the text, marked as not for publication
        facts.append(("withheld", f"{', '.join(w['fields'])} ({w['reason']}) since {w['at']} by {w['by']}"))
    from commands import i18n

    lang = i18n.current()
    parts = [
        tabulate.tabulate(
            [[i18n.heading(k, lang), cell(v)] for k, v in facts], tablefmt="plain", disable_numparse=True, maxcolwidths=[None, 96]
        )
    ]
    if view.get("extensions"):
        rows = [
            [e["requested_at"], e["requested_by"], e["previous"], e["to"], e["reason"], e["decision"], e["decided_by"], e["decided_at"], e["note"]]
            for e in view["extensions"]
        ]
        parts.append(
            "\nextensions (申请延期整改; the deadline history):\n"
            + tabulate.tabulate(
                [[cell(c) for c in r] for r in rows],
                headers=["requested", "by", "deadline was", "asked for", "reason", "decision", "decided by", "decided", "note"],
                disable_numparse=True,
                maxcolwidths=[None, 10, None, None, 24, None, 10, None, 16],
            )
        )
    if view["measures"]:
        rows = [
            [m["id"], m["text"], m["status"], m["due"], "; ".join(m["evidence"]), m["completed_by"]]
            for m in view["measures"]
        ]
        parts.append(
            "\nmeasures:\n"
            + tabulate.tabulate(
                [[cell(c) for c in r] for r in rows],
                headers=["id", "text", "status", "due", "evidence", "done by"],
                disable_numparse=True,
                maxcolwidths=[None, 48, None, None, 24, None],  # long measure texts wrap
            )
        )
    if view["verifications"]:
        rows = [[v["at"], v["by"], v["grade"], "passed" if v["passed"] else "failed", v["note"]] for v in view["verifications"]]
        parts.append("\nverifications:\n" + tabulate.tabulate(rows, headers=["at", "by", "grade", "result", "note"], disable_numparse=True))
    if view["signoffs"]:
        rows = [[s["at"], s["by"], s["meaning"], s["outcome"], s["note"]] for s in view["signoffs"]]
        parts.append("\nsign-offs:\n" + tabulate.tabulate(rows, headers=["at", "by", "meaning", "outcome", "note"], disable_numparse=True))
    if view.get("escalations"):
        rows = [[e["at"], e["by"], _escalation_label(e["level"]), e["note"]] for e in view["escalations"]]
        parts.append("\nescalations:\n" + tabulate.tabulate(rows, headers=["at", "by", "level", "note"], disable_numparse=True))
    if view.get("progress"):
        rows = [[e["at"], e["by"], e["text"]] for e in view["progress"]]
        parts.append("\nprogress:\n" + tabulate.tabulate(rows, headers=["at", "by", "progress"], disable_numparse=True))
    if view.get("reviews"):
        rows = [[r["at"], r["by"], r["result"], r["note"]] for r in view["reviews"]]
        parts.append("\nreviews (回头看):\n" + tabulate.tabulate(rows, headers=["at", "by", "result", "note"], disable_numparse=True))
    if view.get("signatures"):
        rows = [[s["at"], s["by"], s["meaning"], s["note"]] for s in view["signatures"]]
        parts.append("\nsignatures awaiting a second signer (双审核):\n" + tabulate.tabulate(rows, headers=["at", "by", "meaning", "note"], disable_numparse=True))
    if view.get("sensitive_fields"):
        parts.append("\nsensitive (ledger reveal):\n" + "\n".join(f"{f}  [encrypted]" for f in view["sensitive_fields"]))
    if view["corrections"]:
        rows = [[c["at"], c["by"], c["field"], cell(c["old"]), cell(c["new"]), c["reason"]] for c in view["corrections"]]
        parts.append("\ncorrections:\n" + tabulate.tabulate(rows, headers=["at", "by", "field", "was", "now", "reason"], disable_numparse=True))
    return "\n".join(parts)


@click.command()
@click.argument("problem_id", metavar="ID")
@as_of_option
@output_options
@pass_ledger
def show(state: LedgerContext, problem_id: str, as_of: Any, fmt: str) -> None:
    """Show one problem: its state, assignee, measures, verifications and sign-offs."""
    from projections.replay import StateReader, check_as_of
    from projections.status import load_inspection, load_problem

    check_as_of(as_of)
    ident = _canonical_problem_id(problem_id)
    with StateReader(state.app, as_of, problem=problem_id) as r:
        view = load_problem(r.cursor, ident, style=r.style, today=r.today) if ident else None
        inspection = None if view else load_inspection(r.cursor, problem_id.strip(), style=r.style)
    if view is None and inspection is None:
        from commands.asof import describe_moment

        raise UnknownID("problem", f"{problem_id}{describe_moment(as_of)}")
    if view is None:
        if fmt == "json":
            echo(json.dumps(inspection, ensure_ascii=False, indent=2))
        else:
            echo(render_rows([inspection], "table" if fmt == "table" else fmt, [k for k in inspection if k != "corrections"]))
        return
    if fmt == "json":
        echo(json.dumps(view, ensure_ascii=False, indent=2))
    elif fmt == "table":
        echo(_show_table(view))
    else:
        from projections.status import STATUS_COLUMNS, status_row

        echo(render_rows([status_row(view)], fmt, STATUS_COLUMNS))


@click.command()
@click.option("--inspection", default=None, metavar="CODE", help="Only this inspection's problems.")
@click.option("--category", default=None, help="Only this category (类别).")
@click.option("--unit", default=None, help="Only problems assigned to this unit (责任单位).")
@click.option(
    "--status",
    "status_filter",
    type=ChoiceOf(values.status, "STATUS"),
    default=None,
    help="registered | in_progress | verified | closed | ongoing.",
)
@click.option("--overdue", is_flag=True, help="Only problems past their deadline and not yet rectified.")
@click.option("--round", "round_name", default=None, metavar="NAME", help="Only the problems of this round's inspections (轮次).")
@click.option(
    "--light",
    type=click.Choice(["red", "yellow", "green", "none"]),
    default=None,
    help="Only problems with this warning light (红黄绿, thresholds in ledger.yaml `lights:`).",
)
@as_of_option
@output_options
@pass_ledger
def status(state: LedgerContext, inspection: str | None, category: str | None, unit: str | None, status_filter: str | None, overdue: bool, round_name: str | None, light: str | None, as_of: Any, fmt: str) -> None:
    """List problems with their current status (from the read model, no replay)."""
    from projections.replay import StateReader, check_as_of
    from projections.status import (
        STATUS_COLUMNS, STATUS_SELECT, has_status_columns, iter_problems, iter_row_batches, iter_status_rows, problem_query,
        status_row, status_text_select,
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
        flat = fmt != "json" and has_status_columns(r.cursor)
        select = (status_text_select(r.today) if fmt == "csv" else STATUS_SELECT) if flat else "p.data"
        sql, params = problem_query(
            style=r.style, today=r.today, inspection=inspection, category=category,
            unit=unit, status=status_filter, overdue=overdue, inspections=inspections, light=light, lights=lights,
            select=select,
        )
        if flat and fmt == "csv":
            echo_csv_batches(iter_row_batches(r.cursor, sql=sql, params=params), STATUS_COLUMNS)
            return
        if flat:
            records = iter_status_rows(r.cursor, sql=sql, params=params, today=r.today)
        else:
            problems = iter_problems(r.cursor, sql=sql, params=params, today=r.today)
            records = problems if fmt == "json" else (status_row(v) for v in problems)
        if fmt in STREAMED_FORMATS:
            echo_rows(records, fmt, STATUS_COLUMNS)
            return
        rows = list(records)  # only the flat rows are kept, not every problem's full view
    if not rows and fmt == "table":
        from commands import i18n
        from commands.asof import describe_moment

        echo(i18n.translate("no problems match", i18n.current()) + describe_moment(as_of))
        return
    echo(render_rows(rows, fmt, STATUS_COLUMNS))


@click.command()
@click.argument("target", metavar="ID")
@output_options
@pass_ledger
def history(state: LedgerContext, target: str, fmt: str) -> None:
    """Every event of a problem (or inspection), oldest first: who did what, when."""
    from ledger.domain import inspection_uuid
    from projections.history import history_rows

    app = state.app
    events = []
    ident = _canonical_problem_id(target)
    if ident:
        try:
            events = app.history(app.get_problem(ident).id)
        except UnknownID:
            events = []
    if not events:
        events = app.history(inspection_uuid(target.strip()))
    if not events:
        raise UnknownID("problem", target)
    rows = history_rows(events)
    if fmt == "json":
        echo(json.dumps([{k: r[k] for k in ("seq", "at", "recorded_at", "actor", "event", "details", "data", "signed_by", "entered_for", "meaning", "attachments") if k in r} for r in rows], ensure_ascii=False, indent=2))
        return
    echo(render_rows(rows, fmt, ["seq", "at", "recorded_at", "actor", "event", "details"]))


COMMANDS = [show, status, history]
