"""`ledger sheet`: the standard 台账 of an inspection, as an xlsx workbook or a Word table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from commands.asof import as_of_option
from commands.options import LedgerContext, check_out_file, echo, force_option, format_option, pass_ledger, render_record
from commands.i18n import Command
from ledger.errors import InvalidInput
from ledger.messages import t, tn

SHEET_FORMATS = (".xlsx", ".docx")


def load_sheet(state: LedgerContext, inspection: str, as_of: Any, internal: bool, progress: Any = None) -> Any:
    """The 台账 rows of `inspection` as they stood at `as_of` (default now); `progress(done, total)` of the rebuild."""
    from datetime import date

    from projections.publication import check_inspection, withheld_now
    from projections.replay import StateReader, check_as_of
    from projections.sheet import build_sheet
    from projections.status import load_problems
    from projections.summary import summarise

    check_as_of(as_of)
    with StateReader(state.app, as_of, inspection=inspection, checked=True, progress=progress) as r:
        found = check_inspection(r, inspection)
        problems = load_problems(r.cursor, style=r.style, today=r.today, inspection=inspection)
        result = summarise(r.cursor, today=r.today, inspection=inspection, style=r.style)
        today = r.today
    if as_of is not None and not internal:
        # A decision to withhold binds every public sheet, including one of an earlier state.
        withheld = withheld_now(state.app, inspection)
        problems = [dict(v, withheld=withheld.get(v["id"], [])) for v in problems]
    day = today if isinstance(today, date) else date.today()
    return build_sheet(inspection=found, problems=problems, summary=result, day=day, internal=internal)


@click.command(cls=Command)
@click.option("--inspection", required=True, metavar="CODE", help="The inspection whose '台账' is written.")
@click.option("--out", "out", required=True, metavar="FILE", help="An .xlsx file (a workbook) or a .docx file (a Word table).")
@click.option(
    "--internal",
    is_flag=True,
    help="Keep the text of withheld problems (for internal use; needs the registrar, verifier, signer or auditor role).",
)
@force_option
@as_of_option
@format_option
@pass_ledger
def sheet(state: LedgerContext, inspection: str, out: str, internal: bool, force: bool, as_of: Any, fmt: str) -> None:
    """Write the standard '台账': one row per measure, each problem's cells merged over its measures.

    The columns offices print ('序号' … '完成情况', '销号情况'); A4 landscape. Withheld
    problems are left out as `publish` leaves them out, unless --internal.
    """
    suffix = Path(out).suffix.lower()
    if suffix not in SHEET_FORMATS:
        raise InvalidInput(t("--out: write the ledger sheet to an .xlsx or .docx file, not '{name}'", name=Path(out).name))
    check_out_file(out, force=force)
    if internal:
        state.actor(act="internal-sheet")  # authority check: the withheld text is for insiders only
    from commands.progress import progress
    from ledger.outputs import replacing

    with progress(t("writing the ledger sheet"), fmt) as report:  # the rows (rebuilt with --as-of), then the file: its last twentieth
        rows = None
        if report is not None:
            report(0, 1)
            rows = lambda done, total: report(done, total + total // 20 + 1)  # noqa: E731
        result = load_sheet(state, inspection.strip(), as_of, internal, progress=rows)
        with replacing(out, force=force) as tmp:
            if suffix == ".xlsx":
                from projections.workbook import write_sheet

                write_sheet(tmp, result)
            else:
                from projections.word import write_sheet_docx

                write_sheet_docx(tmp, result)
    record = {"file": out, "inspection": inspection.strip(), "problems": len(result.problems), "rows": result.row_count, "internal": internal}
    problems, rows = len(result.problems), result.row_count
    counts = dict(
        out=out, problems=tn("{n} problem", "{n} problems", problems, n=problems),
        rows=tn("{n} measure row", "{n} measure rows", rows, n=rows),
    )
    if internal:
        message = t("wrote {out}: {problems}, {rows} (internal: withheld text included)", **counts)
    else:
        message = t("wrote {out}: {problems}, {rows}", **counts)
    echo(render_record(record, fmt, message))


COMMANDS = [sheet]
