"""Taking in an inspection's feedback list: `import`, and checking it against the ledger: `reconcile` (对账)."""

from __future__ import annotations

import json
from typing import Any, Callable

import click

from commands import i18n
from commands.i18n import Command
from commands.options import DATETIME, LedgerContext, NAME, echo, key_option, output_options, pass_ledger, render_record, render_rows
from ledger import values, vocabulary
from ledger.messages import Field, joined, t, tn

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


@click.command("import", cls=Command)
@click.argument("file", type=click.Path(dir_okay=False))
@file_options
@click.option("--inspection", "inspection_code", default=None, metavar="CODE", help="Attach the rows to this inspection, registered earlier (a '台账' without inspection columns).")
@click.option("--inspection-by", "split_by", default=None, metavar="COLUMN", help="With --inspection: one inspection under it per value of this column (a group-wide '台账' by '所属责任公司').")
@click.option("--columns", "columns", default=None, metavar="HEADING=field,…", help="How to read headings the ledger does not know (field, or extra to keep the column as it is); adds to import.columns in ledger.yaml.")
@click.option("--preview", is_flag=True, help="Write nothing: show how each column is read, the first rows as they would be recorded, and what would be refused.")
@click.option("--at", type=DATETIME, default=None, help="When the problems were fed back (default: the inspection's feedback date).")
@click.option("--actor", "actor", type=NAME, default=None, help="Who is acting (overrides the global --actor / LEDGER_ACTOR).")
@key_option
@output_options
@pass_ledger
def import_(
    state: LedgerContext, file: str, sheet: str | None, encoding: str | None, inspection_code: str | None, split_by: str | None,
    columns: str | None, preview: bool, at: Any, actor: str | None, fmt: str,
) -> None:
    """Import feedback lists (an xlsx '台账', CSV or YAML; see docs/import.md).

    The whole file is checked first; any bad row rejects it, naming the line
    (or sheet and row). A '台账' may hold several inspections (a round); all
    go in together or none does. Importing the same file again adds nothing.
    Headings the ledger does not know are kept with each problem as extra columns.
    """
    from ledger.feedback import read_feedback_lists
    from ledger.importing import few_collections

    options = _read_options(state, file, inspection_code, split_by, columns)
    if preview:
        _preview(state, file, sheet, encoding, options, at, actor, fmt)
        return
    who = state.actor(actor, act="feedback-import")
    with few_collections():
        lists = read_feedback_lists(file, progress=_progress(t("checking the feedback list"), fmt), sheet=sheet, encoding=encoding, options=options)
        results = state.app.import_feedback(lists, actor=who, at=at, progress=_progress(t("recording the problems"), fmt))
    kept = _kept_columns(lists)
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
        if result.completed:  # rows the file marks done, entered as acts from it (docs/import.md, Progress)
            record["entered_done"], record["entered_accepted"], record["entered_sent_back"] = result.completed, result.accepted, result.sent_back
        if kept:
            record["kept_columns"] = "、".join(kept) if fmt in ("table", "csv") else kept
        if fmt == "json":
            record["added_ids"] = result.added
        records.append(record)
        if result.nothing_new:
            messages.append(tn("{file}: nothing new: inspection {inspection} and its {n} problem are already in the ledger", "{file}: nothing new: inspection {inspection} and its {n} problems are already in the ledger", len(result.skipped), file=file, inspection=result.inspection, n=len(result.skipped)))
        else:
            counts = dict(file=file, problems=tn("{n} problem", "{n} problems", len(result.added), n=len(result.added)),
                          measures=tn("{n} measure", "{n} measures", result.measures, n=result.measures), inspection=result.inspection, skipped=len(result.skipped))
            if result.inspection_added and result.skipped:
                messages.append(t("{file}: imported {problems} ({measures}) into {inspection} (new inspection); {skipped} already present, skipped", **counts))
            elif result.inspection_added:
                messages.append(t("{file}: imported {problems} ({measures}) into {inspection} (new inspection)", **counts))
            elif result.skipped:
                messages.append(t("{file}: imported {problems} ({measures}) into {inspection}; {skipped} already present, skipped", **counts))
            else:
                messages.append(t("{file}: imported {problems} ({measures}) into {inspection}", **counts))
    for result in results:
        if result.completed and fmt == "table":
            messages.append(tn("{file}: {n} problem the file marks done entered from it as completed by the people it names ({accepted} also accepted as the file records): each act names the file and its row", "{file}: {n} problems the file marks done entered from it as completed by the people it names ({accepted} also accepted as the file records): each act names the file and its row", result.completed, file=file, n=result.completed, accepted=result.accepted))
        if result.sent_back and fmt == "table":
            messages.append(t("{file}: {n} of them graded {poor} or {bad} by the file's acceptance: sent back for a second rectification", file=file, n=result.sent_back, poor=vocabulary.GRADES["poor"], bad=vocabulary.GRADES["bad"]))
    if kept and fmt == "table":
        messages.append(t("{file}: kept as extra columns with each problem: {columns}", file=file, columns="、".join(kept)))
    emit_import_output(records, messages, fmt, kept=bool(kept) or any(r.completed for r in results))
    from commands.recurrence import warn_earlier

    warn_earlier(state, [i for result in results for i in result.added])


def emit_import_output(records: list[dict[str, Any]], messages: list[str], fmt: str, *, kept: bool = False) -> None:
    if len(records) == 1 and not kept:
        echo(render_record(records[0], fmt, messages[0]))
    elif fmt == "json":
        echo(json.dumps(records if len(records) > 1 else records[0], ensure_ascii=False, indent=2))
    elif fmt == "table":
        lang = i18n.current()
        echo("\n".join(i18n.translate(m, lang) for m in messages))
    else:
        echo(render_rows(records, fmt, list(records[0])))


def _kept_columns(lists: list[Any]) -> list[str]:
    """The file's headings kept as extra columns (not read into a field), in the file's order."""
    readings = lists[0].columns if lists else []
    return [r.heading for r in readings if r is not None and r.field is None and r.why != "split"]


def _read_options(state: LedgerContext, file: str, inspection_code: str | None, split_by: str | None, columns: str | None) -> Any:
    """--inspection (its header from the ledger), --inspection-by and the column map (ledger.yaml, then --columns)."""
    from ledger.errors import InvalidInput
    from ledger.feedback import InspectionSpec, ReadOptions, parse_column_map

    if split_by is not None and inspection_code is None:
        raise InvalidInput(t("--inspection-by: give the inspection the units belong under with --inspection CODE"))
    configured = dict(state.config.section("import").get("columns") or {})
    given = parse_column_map(columns) if columns else {}
    options = ReadOptions(split_by=split_by, columns={**configured, **given}, said="--columns" if given else "ledger.yaml import.columns")
    if inspection_code is not None:
        code = values.inspection_code(inspection_code)
        found = state.app.get_inspection(code)
        options.inspection = InspectionSpec(
            code=code, name=found.name, organisation=found.organisation, group=found.group, kind=found.kind,
            start=found.start, end=found.end, feedback=found.feedback, line=0, round=getattr(found, "round", "") or "",
        )
    return options


PREVIEW_ROWS = 5


def _why(why: Any) -> Any:
    """Why a column is read as it is, as a keyed message (the reading keeps a short code, or a message already)."""
    if not isinstance(why, str) or hasattr(why, "template"):
        return why
    return {
        "heading": t("known heading"), "generic heading": t("generic heading"), "unknown": t("unknown heading"),
        "split": t("splits the file into inspections (--inspection-by)"), "inspection": t("the inspection's, taken from the ledger (--inspection)"),
        "--columns": t("as --columns says"), "ledger.yaml import.columns": t("as ledger.yaml import.columns says"),
    }.get(why, why)


def _act_words(act: tuple[str, str, str, Any, str | None]) -> Any:
    """One act a row would bring, as a keyed message: whose it is, who enters it, the day it is dated (and an
    acceptance's grade, a failing one saying it sends the problem back)."""
    from ledger.values import PASSING_GRADES

    name, actor, by, at, grade = act
    event, day = vocabulary.EVENTS[name], at.date().isoformat()
    if actor == by:
        said = t("{event} by {actor}, {day}", event=event, actor=actor, day=day)
    else:
        said = t("{event} for {actor}, entered by {by}, {day}", event=event, actor=actor, by=by, day=day)
    if grade is None:
        return said
    if grade in PASSING_GRADES:
        return t("{act}, graded {grade}", act=said, grade=vocabulary.GRADES[grade])
    return t("{act}, graded {grade}: sent back for a second rectification", act=said, grade=vocabulary.GRADES[grade])


def _preview(state: LedgerContext, file: str, sheet: str | None, encoding: str | None, options: Any, at: Any, actor: str | None, fmt: str) -> None:
    """import --preview: how each column is read, the first rows as recorded, what would be refused. Writes nothing."""
    from ledger.errors import LedgerError
    from ledger.feedback import ImportField, read_feedback_lists
    from ledger.messages import joined

    lang = i18n.current()
    refused, lists, results = None, [], []
    try:
        lists = read_feedback_lists(file, sheet=sheet, encoding=encoding, options=options)
        results = state.app.import_feedback(lists, actor=state.actor(actor, act="feedback-import"), at=at, dry_run=True)
    except LedgerError as e:
        refused = e
    acts = {ident: a for r in results for ident, a in (r.acts or {}).items()}
    readings = [r for r in (lists[0].columns if lists else []) if r is not None]
    columns = [{"heading": r.heading, "field": r.field, "why": str(i18n.translate(_why(r.why), "en"))} for r in readings]
    rows = []
    for feedback in lists:
        for spec in feedback.problems[:PREVIEW_ROWS]:
            ident = f"{feedback.inspection.code}-{spec.number}"
            assignee = "/".join(x for x in (spec.lead, spec.unit, spec.person) if x)
            row = {
                "id": ident, "category": spec.category, "title": spec.title,
                "type": spec.type, "deadline": spec.deadline.isoformat() if spec.deadline else None, "source": spec.source,
                "assignee": assignee or None, "measures": len(spec.measures),
                "state": joined([f"{ImportField(k).label(lang if fmt != 'json' else 'en')}={v}" for k, v in spec.state.items()]) if spec.state else None,
                "kept": dict(spec.extra) if fmt == "json" else (len(spec.extra) or None),
            }
            if fmt == "json":
                row["acts"] = [{"event": n, "actor": a, "entered_by": b, "at": w, **({"grade": g} if g else {})} for n, a, b, w, g in acts.get(ident, [])]
            else:
                row["acts"] = joined([_act_words(a) for a in acts.get(ident, [])], "; ") if acts.get(ident) else None
                row["file says"] = row.pop("state")
            rows.append(row)
    summary = [
        {"inspection": f.inspection.code, "new inspection": not f.registered and not any(r.inspection == f.inspection.code and not r.inspection_added for r in results),
         "problems": len(f.problems), "measures": sum(len(p.measures) for p in f.problems)}
        for f in lists
    ]
    if fmt == "json":
        shown = str(i18n.translate(refused, "en")) if refused is not None else None
        echo(json.dumps({"file": file, "written": False, "columns": columns, "inspections": summary, "rows": rows, "refused": shown}, ensure_ascii=False, indent=2, default=str))
        return
    out = [i18n.translate(t("{file}: preview, nothing written", file=file), lang), ""]
    if columns:
        out.append(i18n.translate(t("how each column is read:"), lang))
        out.append(render_rows(
            [{"heading": r.heading, "read as": ImportField(r.field) if r.field else t("kept as an extra column"), "why": _why(r.why)} for r in readings],
            "table", ["heading", "read as", "why"],
        ))
        out.append("")
    if rows:
        total = sum(s["problems"] for s in summary)
        out.append(i18n.translate(t("the first rows as they would be recorded ({problems} in {inspections}):", problems=tn("{n} problem", "{n} problems", total, n=total), inspections=tn("{n} inspection", "{n} inspections", len(summary), n=len(summary))), lang))
        out.append(render_rows(rows, "table", ["id", "category", "title", "type", "deadline", "source", "assignee", "measures", "file says", "kept", "acts"]))
        out.append("")
    out.append(i18n.translate(t("would be refused: {refused}", refused=refused) if refused is not None else t("nothing would be refused"), lang))
    echo("\n".join(out))


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
            rows.append({"result": "missing", "id": ident, "category": spec.category, "title": spec.title, "status": None, "details": t("listed, not in the ledger")})
            continue
        # Keyed (a screen words them in its language); each reads as its English in JSON and csv.
        changes = [
            t("{field}: ledger '{ledger}', list '{listed}'", field=Field(name), ledger=view[name], listed=getattr(spec, name))
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
                "details": joined(changes),
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
                "details": t("in the ledger, not on the list"),
            }
        )
    return rows


@click.command(cls=Command)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--inspection", default=None, metavar="CODE", help="The ledger's inspection to compare with (default: the list's own code).")
@file_options
@output_options
@pass_ledger
def reconcile(state: LedgerContext, file: str, inspection: str | None, sheet: str | None, encoding: str | None, fmt: str) -> None:
    """Compare the official feedback list with the ledger; exit 1 on any mismatch.

    Every listed problem must be in the ledger with the same category and
    title, and the ledger must hold nothing the list lacks.
    """
    from ledger.feedback import read_feedback_list
    from ledger.importing import present_problems

    wanted = values.inspection_code(inspection) if inspection else None
    feedback = read_feedback_list(file, progress=_progress(t("checking the feedback list"), fmt), sheet=sheet, encoding=encoding, code=wanted)
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
            # each status in the reader's language, by the vocabulary's word ("整改中 3、已登记 1" / "in_progress 3, registered 1")
            states = [t("{status} {n}", status=vocabulary.STATUSES.get(s, s), n=n) for s, n in by_status.items()]
            tally = dict(code=code, file=file, **{k: counts[k] for k in ("matched", "missing", "extra", "changed")})
            if states:
                line = t("{code} against {file}: matched {matched} · missing {missing} · extra {extra} · changed {changed} ({states})", **tally, states=states)
            else:
                line = t("{code} against {file}: matched {matched} · missing {missing} · extra {extra} · changed {changed}", **tally)
            echo("\n" + i18n.translate(line, i18n.current()))
    if mismatch:
        if fmt == "table":
            click.echo(i18n.translate(t("ledger: reconcile: the ledger does not match the feedback list"), i18n.current()), err=True)
        click.get_current_context().exit(1)


def _known_inspection(state: LedgerContext, code: str) -> None:
    """An inspection the ledger does not hold is an unknown ID (exit 1), not a list of 'missing' rows."""
    from ledger.errors import UnknownID
    from projections.status import load_inspection

    with state.app.recorder.reading() as c:
        if load_inspection(c, code, style=state.app.recorder.placeholder) is None:
            raise UnknownID("inspection", code)


COMMANDS = [import_, reconcile]
