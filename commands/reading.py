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
from ledger.messages import Data, Field, render, t
from projections.history import corrected_value

# --light takes a light's name or word, or none (no light: signed off, or no deadline).
LIGHT_CHOICES = {**vocabulary.LIGHTS, "none": vocabulary.Word("无预警", "none")}


def _canonical_problem_id(text: str) -> str | None:
    parts = values.split_problem_id(text)
    return values.problem_display_id(*parts) if parts else None


def _escalation_label(level: str | None, lang: str = "en") -> str | None:
    if not level:
        return None
    return str(vocabulary.label(vocabulary.ESCALATION_LEVELS, level, lang))


def _facts(view: dict[str, Any], lang: str) -> list[tuple[str, Any]]:
    from commands import i18n

    zh = lang == "zh"
    assignee = view.get("assignee") or {}
    kind, status = view["type"], view["status"]
    facts = [
        ("id", view["id"]),
        ("inspection", view["inspection"]),
        ("number", view["number"]),
        ("category", view["category"]),
        ("title", view["title"]),
        ("description", view["description"]),
        ("type", vocabulary.label(vocabulary.PROBLEM_TYPES, kind, lang)),
        ("source", i18n.value_word("source", view["source"], lang)),
        ("status", i18n.status_word(status, lang)),
        ("deadline", view["deadline"]),
        ("overdue", i18n.value_word("overdue", view["overdue"], lang)),
        ("relapses", view["relapses"]),
        ("reworks", view["reworks"]),
        ("escalation", _escalation_label(view.get("escalation"), lang)),
        ("lead", assignee.get("lead")),
        ("unit", assignee.get("unit")),
        ("person", assignee.get("person")),
        ("registered", f"{view['registered_at']}，{view['registered_by']}" if zh else f"{view['registered_at']} by {view['registered_by']}"),
    ]
    for heading, cell in (view.get("columns") or {}).items():  # a 台账's own columns, as the file had them
        facts.append((heading, cell))
    if view.get("parent"):
        facts.insert(4, ("parent", f"{view['parent']}（细化自该问题）" if zh else f"{view['parent']} (a refinement of it)"))
    if view.get("children"):
        facts.insert(4, ("refined into", ("、" if zh else ", ").join(view["children"])))
    for w in view.get("withheld") or []:  # insiders see the text, marked as not for publication
        fields = [vocabulary.WITHHELD_PARTS.get(f) or Field(f) for f in w["fields"]]
        reason = vocabulary.WITHHOLD_REASONS.get(w["reason"], w["reason"])
        facts.append(("withheld", render(t("{fields} ({reason}) since {at} by {by}", fields=fields, reason=reason, at=w["at"], by=w["by"]), lang)))
    answer = view.get("self_check")
    if answer:  # 自查未发现: who answered, when, what the self-check covered (its files: `history`)
        word = i18n.status_word(answer["result"], lang)
        facts.append(("self_check", f"{word}，{answer['at']}，{answer['by']}：{answer['note']}" if zh else f"{word} {answer['at']} by {answer['by']}: {answer['note']}"))
    return facts


# Each sub-table of `show`: its section, its columns (heading key, the value's word list in i18n or None).
_SUB_TABLES: list[tuple[str, list[tuple[str, str | None]], Any, list[int | None] | None]] = [
    ("extensions",
     [("requested", None), ("by", None), ("deadline was", None), ("asked for", None), ("reason", None), ("decision", "decision"),
      ("decided by", None), ("decided", None), ("note", None)],
     lambda e: [e["requested_at"], e["requested_by"], e["previous"], e["to"], e["reason"], e["decision"], e["decided_by"], e["decided_at"], e["note"]],
     [None, 10, None, None, 24, None, 10, None, 16]),
    ("measures",
     [("id", None), ("text", None), ("status", "measure"), ("due", None), ("evidence", None), ("done by", None)],
     lambda m: [m["id"], m["text"], m["status"], m["due"], "; ".join(m["evidence"]), m["completed_by"]],
     [None, 48, None, None, 24, None]),  # long measure texts wrap
    ("verifications",
     [("at", None), ("by", None), ("grade", "grade"), ("result", "result"), ("note", None)],
     lambda v: [v["at"], v["by"], v["grade"], "passed" if v["passed"] else "failed", v["note"]], None),
    ("signoffs",
     [("at", None), ("by", None), ("meaning", "meaning"), ("outcome", "outcome"), ("note", None)],
     lambda s: [s["at"], s["by"], s["meaning"], s["outcome"], s["note"]], None),
    ("escalations",
     [("at", None), ("by", None), ("level", "level"), ("note", None)],
     lambda e: [e["at"], e["by"], e["level"], e["note"]], None),
    ("progress", [("at", None), ("by", None), ("progress", None)], lambda e: [e["at"], e["by"], e["text"]], None),
    ("reviews",
     [("at", None), ("by", None), ("result", "result"), ("note", None)],
     lambda r: [r["at"], r["by"], r["result"], r["note"]], None),
    ("signatures",
     [("at", None), ("by", None), ("meaning", "meaning"), ("note", None)],
     lambda s: [s["at"], s["by"], s["meaning"], s["note"]], None),
    ("links",
     [("problem", None), ("as", "as"), ("direction", "direction"), ("relapse", "relapse"), ("at", None), ("by", None), ("note", None)],
     lambda k: [k["problem"], k["as"], k["direction"], k.get("relapse", False), k["at"], k["by"], k["note"]], None),
    ("rejected",
     [("problem", None), ("at", None), ("by", None), ("note", None)],
     lambda r: [r["problem"], r["at"], r["by"], r["note"]], None),
    ("corrections",
     [("at", None), ("by", None), ("field", "field"), ("was", None), ("now", None), ("reason", None)],
     lambda c: [c["at"], c["by"], c["field"], corrected_value(c["field"], c["old"]), corrected_value(c["field"], c["new"]), c["reason"]], None),
]


def _shown(words: Any, value: Any, lang: str) -> Any:
    """A sub-table's cell: a vocabulary word in `lang`, or the column's word for the value."""
    from commands import i18n

    if isinstance(value, (vocabulary.Word, Data)):  # a Stored value (projections.history.corrected_value) too
        return value.label(lang)
    return i18n.value_word(words, value, lang) if words else value


def _show_table(view: dict[str, Any]) -> str:
    import tabulate

    from commands import i18n

    lang = i18n.current()
    parts = [
        tabulate.tabulate(
            [[i18n.heading(k, lang), cell(v)] for k, v in _facts(view, lang)],
            tablefmt="plain", disable_numparse=True, maxcolwidths=[None, 96],
        )
    ]
    for key, columns, row_of, widths in _SUB_TABLES:
        if key == "corrections":
            if view.get("sensitive_fields"):
                encrypted = render(t("[encrypted]"), lang)
                parts.append("\n" + i18n.section_title("sensitive", lang) + "\n" + "\n".join(f"{Field(f).label(lang)}  {encrypted}" for f in view["sensitive_fields"]))
        entries = view.get(key)
        if not entries:
            continue
        rows = [
            [cell(_shown(words, value, lang)) for (_, words), value in zip(columns, row_of(e))]
            for e in entries
        ]
        headers = [i18n.sub_heading(key, name, lang) for name, _ in columns]
        options = {"maxcolwidths": widths} if widths else {}
        parts.append("\n" + i18n.section_title(key, lang) + "\n" + tabulate.tabulate(rows, headers=headers, disable_numparse=True, **options))
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
    for key, columns, row_of, _ in _SUB_TABLES:
        if key == "corrections" and inspection.get("corrections"):
            rows = [[cell(_shown(w, v, lang)) for (_, w), v in zip(columns, row_of(c))] for c in inspection["corrections"]]
            headers = [i18n.sub_heading(key, name, lang) for name, _ in columns]
            parts.append("\n" + i18n.section_title(key, lang) + "\n" + tabulate.tabulate(rows, headers=headers, disable_numparse=True))
    return "\n".join(parts)


@click.command(cls=Command)
@click.argument("problem_id", metavar="ID")
@as_of_option
@output_options
@pass_ledger
def show(state: LedgerContext, problem_id: str, as_of: Any, fmt: str) -> None:
    """Show one problem: its state, assignee, measures, verifications and sign-offs."""
    from projections.replay import StateReader, check_as_of
    from projections.status import find_problem, load_inspection

    check_as_of(as_of)
    with StateReader(state.app, as_of, problem=problem_id) as r:
        view = find_problem(r.cursor, problem_id, style=r.style, today=r.today)
        inspection = None if view else load_inspection(r.cursor, problem_id.strip(), style=r.style)
        if as_of is None and (view or inspection):  # the stored row, checked before it is printed (--as-of: from the events)
            from projections.read_model_check import check_shown_row

            check_shown_row(state.app, r.cursor, *(("ledger_problems", view["id"]) if view else ("ledger_inspections", inspection["code"])))
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
        echo(_show_table(view))
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
    shown, total = screen.newest(rows) if screen.urgent_first else screen.cut(rows)
    screen.show(shown, fmt, ["seq", "at", "recorded_at", "actor", "event", "details"], total)


COMMANDS = [show, status, history]
