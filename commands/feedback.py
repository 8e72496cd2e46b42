"""Taking in an inspection's feedback list: `import`, and checking it against the ledger: `reconcile` (对账)."""

from __future__ import annotations

import json
from typing import Any, Callable

import click

from commands import i18n
from commands.options import DATETIME, LedgerContext, NAME, echo, key_option, output_options, pass_ledger, render_record, render_rows
from ledger import values

# Files with at least this many rows show a progress bar (on a terminal only).
PROGRESS_FROM = 200


def _progress(label: str, fmt: str | None = None) -> Callable[[Any], Any]:
    """An iterator wrapper that shows the shared progress bar (commands/progress.py) on a terminal, else does nothing."""

    def wrap(items: Any) -> Any:
        from commands import progress

        if len(items) < PROGRESS_FROM:
            return items
        return progress.wrap(items, label, fmt)

    return wrap


def file_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """--sheet and --encoding: where the rows are in a workbook, and how a CSV file's bytes are text."""
    f = click.option("--encoding", default=None, metavar="NAME", help="The CSV file's encoding (default: UTF-8 with or without BOM, else GB18030/GBK).")(f)
    return click.option("--sheet", default=None, metavar="NAME", help="The xlsx worksheet to read (default: the first).")(f)


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@file_options
@click.option("--at", type=DATETIME, default=None, help="When the problems were fed back (default: the inspection's feedback date).")
@click.option("--actor", "actor", type=NAME, default=None, help="Who is acting (overrides the global --actor / LEDGER_ACTOR).")
@key_option
@output_options
@pass_ledger
def import_(state: LedgerContext, file: str, sheet: str | None, encoding: str | None, at: Any, actor: str | None, fmt: str) -> None:
    """Import feedback lists (xlsx 台账, CSV or YAML, see docs/import.md).

    The whole file is checked first; any bad row rejects it, naming the line
    (or sheet and row). A 台账 may hold several inspections (a round); all
    go in together or none does. Importing the same file again adds nothing.
    """
    from ledger.feedback import read_feedback_lists
    from ledger.importing import import_feedback_lists

    who = state.actor(actor)
    lists = read_feedback_lists(file, progress=_progress("checking the feedback list", fmt), sheet=sheet, encoding=encoding)
    results = import_feedback_lists(state.app, lists, actor=who, at=at, progress=_progress("recording the problems", fmt))
    records, messages = [], []
    for result in results:
        record = {
            "file": file,
            "inspection": result.inspection,
            "inspection_added": result.inspection_added,
            "added": len(result.added),
            "skipped": len(result.skipped),
            "measures": result.measures,
        }
        if fmt == "json":
            record["added_ids"] = result.added
        records.append(record)
        if result.nothing_new:
            messages.append(f"{file}: nothing new: inspection {result.inspection} and its {len(result.skipped)} problems are already in the ledger")
        else:
            messages.append(
                f"{file}: imported {len(result.added)} problems ({result.measures} measures) into {result.inspection}"
                + (" (new inspection)" if result.inspection_added else "")
                + (f"; {len(result.skipped)} already present, skipped" if result.skipped else "")
            )
    emit_import_output(records, messages, fmt)
    from commands.recurrence import warn_earlier

    warn_earlier(state, [i for result in results for i in result.added])


def emit_import_output(records: list[dict[str, Any]], messages: list[str], fmt: str) -> None:
    if len(records) == 1:
        echo(render_record(records[0], fmt, messages[0]))
    elif fmt == "json":
        echo(json.dumps(records, ensure_ascii=False, indent=2))
    elif fmt == "table":
        from commands import i18n

        lang = i18n.current()
        echo("\n".join(i18n.translate(m, lang) for m in messages))
    else:
        echo(render_rows(records, fmt, list(records[0])))


RECONCILE_COLUMNS = ("result", "id", "category", "title", "status", "details")


def reconcile_rows(feedback: Any, code: str, present: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """matched / missing / extra / changed, in the list's order, extras last."""
    rows = []
    listed = set()
    for spec in feedback.problems:
        listed.add(spec.number)
        ident = f"{code}-{spec.number}"
        view = present.get(spec.number)
        if view is None:
            rows.append({"result": "missing", "id": ident, "category": spec.category, "title": spec.title, "status": None, "details": "listed, not in the ledger"})
            continue
        changes = [
            f"{name}: ledger '{view[name]}', list '{getattr(spec, name)}'"
            for name in ("category", "title")
            if view[name] != getattr(spec, name)
        ]
        rows.append(
            {
                "result": "changed" if changes else "matched",
                "id": ident,
                "category": view["category"],
                "title": view["title"],
                "status": view["status"],
                "status_label": values.STATUSES.get(view["status"], view["status"]),
                "relapses": view.get("relapses", 0),
                "details": "; ".join(changes),
            }
        )
    for number in sorted(n for n in present if n not in listed):
        view = present[number]
        if view.get("parent"):
            continue  # a refinement (细化) hangs under an official problem: matched through its parent

        rows.append(
            {
                "result": "extra",
                "id": view["id"],
                "category": view["category"],
                "title": view["title"],
                "status": view["status"],
                "status_label": values.STATUSES.get(view["status"], view["status"]),
                "relapses": view.get("relapses", 0),
                "details": "in the ledger, not on the list",
            }
        )
    return rows


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--inspection", default=None, metavar="CODE", help="The ledger's inspection to compare with (default: the list's own code).")
@file_options
@output_options
@pass_ledger
def reconcile(state: LedgerContext, file: str, inspection: str | None, sheet: str | None, encoding: str | None, fmt: str) -> None:
    """Compare the official feedback list with the ledger (对账); exit 1 on any mismatch.

    Every listed problem must be in the ledger with the same category and
    title, and the ledger must hold nothing the list lacks.
    """
    from ledger.feedback import read_feedback_list
    from ledger.importing import present_problems

    wanted = values.inspection_code(inspection) if inspection else None
    feedback = read_feedback_list(file, progress=_progress("checking the feedback list", fmt), sheet=sheet, encoding=encoding, code=wanted)
    code = wanted or feedback.inspection.code
    if wanted:  # named with --inspection: it must be one the ledger holds (a list's own absent inspection reads "missing")
        _known_inspection(state, code)
    rows = reconcile_rows(feedback, code, present_problems(state.app, code))
    counts = {k: sum(1 for r in rows if r["result"] == k) for k in ("matched", "missing", "extra", "changed")}
    by_status: dict[str, int] = {}
    for r in rows:
        if r["status"]:
            by_status[r["status"]] = by_status.get(r["status"], 0) + 1
    mismatch = any(counts[k] for k in ("missing", "extra", "changed"))
    if fmt == "json":
        echo(json.dumps({"inspection": code, "file": file, "counts": counts, "statuses": by_status, "ok": not mismatch, "rows": rows}, ensure_ascii=False, indent=2))
    else:
        echo(render_rows(rows, fmt, RECONCILE_COLUMNS))
        if fmt == "table":
            states = ", ".join(f"{values.STATUSES.get(s, s)} {n}" for s, n in by_status.items())
            echo(i18n.translate(
                f"\n{code} against {file}: matched {counts['matched']} · missing {counts['missing']} · "
                f"extra {counts['extra']} · changed {counts['changed']}" + (f" ({states})" if states else ""), i18n.current()
            ))
    if mismatch:
        if fmt == "table":
            click.echo(i18n.translate("ledger: reconcile: the ledger does not match the feedback list", i18n.current()), err=True)
        click.get_current_context().exit(1)


def _known_inspection(state: LedgerContext, code: str) -> None:
    """An inspection the ledger does not hold is an unknown ID (exit 1), not a list of 'missing' rows."""
    from ledger.errors import UnknownID
    from projections.status import load_inspection

    with state.app.recorder.reading() as c:
        if load_inspection(c, code, style=state.app.recorder.placeholder) is None:
            raise UnknownID("inspection", code)


COMMANDS = [import_, reconcile]
