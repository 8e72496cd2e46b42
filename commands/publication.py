"""Publication (整改情况公布): `summary`, `publish`, and `withhold` (不予公开)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from commands import i18n
from commands.asof import as_of_option
from commands.options import Choice, CODE, PROBLEM_ID, SHORT_TEXT, ChoiceOf, LedgerContext, attach_option, echo, heading_widths, key_option, output_options, pass_ledger, quiet_option, render_record, render_rows, text_cells, write_options
from commands.i18n import Command, WordedOption
from ledger import values, vocabulary
from ledger.errors import InvalidInput
from ledger.messages import Field, choices, t, tn


def _reason(value: str) -> str:
    text = value.strip().lower()
    if text in values.WITHHOLD_REASONS:
        return text
    for key, label in values.WITHHOLD_REASONS.items():
        if value.strip() == label:
            return key
    raise InvalidInput(t("reason: '{value}' is not one of {WITHHOLD_REASONS}", value=value, WITHHOLD_REASONS=choices(vocabulary.WITHHOLD_REASONS)))


@click.command(cls=Command)
@click.argument("problem_id", metavar="ID", type=PROBLEM_ID)
@click.option(
    "--reason",
    type=ChoiceOf(_reason, "REASON", vocabulary.WITHHOLD_REASONS),
    required=True,
    help="state-secret | open-case | privacy | sensitive.",
)
@click.option(
    "--field",
    "fields",
    type=SHORT_TEXT,
    multiple=True,
    cls=WordedOption,
    help=t("What to withhold (repeatable; default: the whole problem): {parts}.", parts=choices(vocabulary.WITHHOLDABLE)),
)
@attach_option
@write_options
@pass_ledger
def withhold(state: LedgerContext, problem_id: str, reason: str, fields: tuple[str, ...], at: Any, actor: str | None, fmt: str) -> None:
    """Keep a problem (or some of its fields) out of the public report; it still counts in every total."""
    problem = state.app.withhold(problem_id, reason=reason, fields=list(fields), actor=state.actor(actor, act="withholding"), at=at).problem
    latest = problem.withheld[-1]
    record = {"id": problem.display_id, "event": "Withheld", "reason": reason, "fields": latest["fields"]}
    echo(render_record(record, fmt, t("{display_id}: {fields} withheld from publication ({reason})", display_id=problem.display_id, fields=[vocabulary.WITHHELD_PARTS.get(f) or Field(f) for f in latest['fields']], reason=vocabulary.WITHHOLD_REASONS.get(reason, reason))))


def _check_inspection(reader: Any, code: str) -> dict[str, Any]:
    from projections.publication import check_inspection

    return check_inspection(reader, code)


@click.command(cls=Command)
@click.option("--inspection", default=None, metavar="CODE", help="Only this inspection (default: the whole ledger).")
@click.option("--round", "round_name", default=None, metavar="NAME", help="One row per inspected unit of this round, and the total.")
@click.option("--propagated", "propagated_id", default=None, metavar="ID", help="Instead: the units problem ID was sent to for self-check, and what each answered.")
@as_of_option
@click.option("--lang", type=Choice(["zh", "en"]), default=None, help="Headings in Chinese or English (default: the global --lang).")
@click.option("--from-export", "from_export", default=None, metavar="FILE", type=click.Path(dir_okay=False), help="Recompute one inspection's figures from its proven export (`export --inspection`), without the store.")
@click.option("--public-key", default=None, metavar="FILE|KEY", help="With --from-export: the ledger's public key the export's checkpoint must be signed by.")
@click.option("--fingerprint", "fingerprints", multiple=True, metavar="HEX", help="With --from-export: trust the key with this published fingerprint (repeatable).")
@output_options
@pass_ledger
def summary(state: LedgerContext, inspection: str | None, round_name: str | None, propagated_id: str | None, as_of: Any, lang: str | None, from_export: str | None, public_key: str | None, fingerprints: tuple[str, ...], fmt: str) -> None:
    """Problems per category (problems; completed; basically done, continuing; extended; not yet done; overdue; relapsed; completion rate) and the headline figures."""
    from projections.replay import StateReader, check_as_of
    from projections.summary import FIGURE_HEADERS, HEADERS, KEYS, RECURRENCE_HEADERS, figure_rows, recurrence_rows, summarise, table_rows

    check_as_of(as_of)
    lang = lang or state.lang
    if propagated_id is not None:
        if inspection is not None or round_name is not None or from_export is not None:
            raise click.UsageError(t("--propagated cannot be combined with --inspection, --round or --from-export"))
        _propagated_summary(state, propagated_id, as_of, fmt)
        return
    if round_name is not None:
        if inspection is not None:
            raise click.UsageError(t("--round and --inspection cannot be combined: a round summary covers all its inspections"))
        _round_summary(state, round_name, as_of, lang, fmt)
        return
    if from_export is not None:
        result = _summary_from_export(from_export, inspection, as_of, public_key, fingerprints)
    else:
        with StateReader(state.app, as_of, inspection=inspection) as r:
            if inspection is not None:
                _check_inspection(r, inspection)
            result = summarise(r.cursor, today=r.today, inspection=inspection, style=r.style)
    if fmt == "json":
        echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    headers = [HEADERS[lang][k] for k in KEYS]
    rows = table_rows(result, lang)
    figures = figure_rows(result, lang)
    figure_headers = list(FIGURE_HEADERS[lang])
    tables = [(headers, rows), (figure_headers, figures)]
    if result.get("recurrences"):
        tables.append((list(RECURRENCE_HEADERS[lang]), recurrence_rows(result)))
    _echo_tables(fmt, tables)


def _echo_tables(fmt: str, tables: list[tuple[list[str], list[list[Any]]]]) -> None:
    """Several tables one after another: csv separated by an empty line, the others by a blank line."""
    if fmt == "csv":
        import csv
        import io

        from commands.options import csv_row

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for n, (headers, rows) in enumerate(tables):
            if n:
                writer.writerow([])
            writer.writerow(csv_row(headers))
            writer.writerows(map(csv_row, rows))
        echo(out.getvalue().rstrip("\n"))
        return
    import tabulate

    tablefmt = {"table": "simple", "markdown": "github"}.get(fmt, fmt)
    for n, (headers, rows) in enumerate(tables):
        if n:
            echo("")
        if fmt != "table":
            echo(tabulate.tabulate(text_cells(rows, tablefmt), headers=text_cells([headers], tablefmt)[0], tablefmt=tablefmt, disable_numparse=True))
            continue
        # On screen, long headings and names wrap so the table fits a 120-column terminal.
        # A count's heading stays whole up to 18 columns (基本完成、持续整改), so a heading reads as one word.
        widths = [44, 16] if len(headers) == 2 else [16] + [max(10, min(18, _width(h))) for h in headers[1:]]
        # A heading wraps between words: an English one at a space, a Chinese one before its unit (完善和新建制度 / （项）).
        headers = [h.replace("（", "\n（", 1) if _width(h) > w else h for h, w in zip(headers, widths)]
        padding, tabulate.MIN_PADDING = tabulate.MIN_PADDING, 0
        try:
            echo(tabulate.tabulate(rows, headers=headers, tablefmt=tablefmt, disable_numparse=True, maxcolwidths=widths, maxheadercolwidths=heading_widths(headers, widths)))
        finally:
            tabulate.MIN_PADDING = padding


def _width(text: str) -> int:
    """Display width on a terminal: a CJK character takes two columns."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _propagated_summary(state: LedgerContext, problem_id: str, as_of: Any, fmt: str) -> None:
    """举一反三: who problem ID was sent to for self-check, and what each answered."""
    from ledger.errors import UnknownID
    from projections.recurrence import PROPAGATED_COLUMNS, propagated
    from projections.replay import StateReader

    parts = values.split_problem_id(problem_id)
    if parts is None:
        raise UnknownID("problem", problem_id)
    wanted = values.problem_display_id(*parts)
    with StateReader(state.app, as_of) as r:
        found = propagated(r.cursor, wanted, today=r.today, style=r.style)
    if found is None:
        raise UnknownID("problem", problem_id)
    if fmt == "json":
        echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    rows = render_rows(found["rows"], fmt, PROPAGATED_COLUMNS)
    if fmt != "table":
        echo(rows)
        return
    total = found["total"]
    head = tn(
        "{display_id} {title}: sent for self-check to {sent} unit; not found {not_found}, found and rectifying {rectifying}, "
        "found and signed off {closed}, no answer yet {waiting} (overdue {overdue})",
        "{display_id} {title}: sent for self-check to {sent} units; not found {not_found}, found and rectifying {rectifying}, "
        "found and signed off {closed}, no answer yet {waiting} (overdue {overdue})",
        total["sent"], display_id=found["source"], title=found["title"], **total,
    )
    echo(i18n.translate(head, i18n.current()))
    if found["rows"]:
        echo(rows)


def _round_summary(state: LedgerContext, name: str, as_of: Any, lang: str, fmt: str) -> None:
    from projections.replay import StateReader
    from projections.rounds import summarise_round, table_headers, table_rows

    with StateReader(state.app, as_of) as r:
        result = summarise_round(r.cursor, name.strip(), today=r.today, style=r.style)
    if fmt == "json":
        echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    if fmt == "table":
        echo(name.strip())
    _echo_tables(fmt, [(table_headers(lang), table_rows(result, lang))])


def _summary_from_export(file: str, inspection: str | None, as_of: Any, public_key: str | None = None, fingerprints: tuple[str, ...] = ()) -> dict[str, Any]:
    """The figures of the exported inspection, replayed from its proven events alone."""
    from datetime import date
    from pathlib import Path

    from ledger.checkpoint import trust_of
    from ledger.config import load_config
    from ledger.errors import InvalidInput
    from ledger.proofs import replay_inspection, verified_inspection_export
    from projections.replay import Rebuilt, materialise
    from projections.summary import summarise

    if as_of is not None:
        raise InvalidInput(t("--as-of cannot be combined with --from-export: the export is the state at its checkpoint"))
    config = None if public_key else load_config(required=False)
    trust = trust_of(config if config and config.path else None, public_key, fingerprints)
    header, _, events, _ = verified_inspection_export(Path(file), trust)
    code = header["inspection"]
    if inspection is not None and inspection != code:
        raise InvalidInput(t("--inspection {inspection}: {file} is the export of inspection {code}", inspection=inspection, file=file, code=code))
    rebuilt = Rebuilt(aggregates=replay_inspection(events), events=len(events))
    con = materialise(rebuilt)
    try:
        return summarise(con.cursor(), today=date.today(), inspection=code, style="?")
    finally:
        con.close()


def _proxy_lines(state: LedgerContext, inspection: str) -> list[str]:
    """One sentence per act a clerk entered for someone (--for), naming both people; none in trial mode. An act taken
    from a 台账 by `ledger import` says the file and row it came from, not a paper signature."""
    from ledger import vocabulary
    from ledger.ids import problem_uuid
    from ledger.importing import file_row_of
    from ledger.signatures import proxy_entries
    from ledger.values import problem_display_id
    from projections.status import problem_numbers

    if not state.app.signed_mode():
        return []
    app = state.app
    with app.recorder.reading() as c:
        numbers = problem_numbers(c, inspection, style=app.recorder.placeholder)
    ids = {str(problem_uuid(inspection, n)): problem_display_id(inspection, n) for n in numbers}
    if not ids:
        return []
    lines = []
    for e in proxy_entries(state.config.store, set(ids)):
        ident = next((v for k, v in ids.items() if k.replace("-", "") == str(e["aggregate"]).replace("-", "")), e["aggregate"])
        files = "、".join(f"{a['name']}（{a['hash']}:{a['digest'][:16]}…）" for a in e["attachments"])
        act = vocabulary.label(vocabulary.EVENTS, e["event"], "zh")  # the 公文 is Chinese: the act's one word
        taken = file_row_of(e)
        if taken is not None:
            entered = t("entered from the file 《{name}》, row {row}", name=taken[0], row=taken[1])
            lines.append(i18n.translate(t("{ident}'s {act} ({principal}) was {entered}; entered and signed by {signer}, attached {files}.", ident=ident,
                                          act=vocabulary.word_of(vocabulary.EVENTS, e["event"]), principal=e["for"], entered=entered, signer=e["entered_by"], files=files), i18n.current()))
            continue
        lines.append(f"{ident}的{act}由{e['for']}在纸质文件上签署，{e['entered_by']}代为录入并电子签名" + (f"，附{files}" if files else "") + "。")
    return lines


def _with_proxy_note(state: LedgerContext, document: str, fmt: str, inspection: str) -> str:
    """Name both people where a clerk entered what someone signed on paper (--for); nothing otherwise."""
    lines = _proxy_lines(state, inspection)
    if not lines:
        return document
    if fmt == "html":
        import html

        block = "<p class=\"proxy-entries\">" + "<br>".join(html.escape(line) for line in lines) + "</p>"
        return document.replace("</body>", block + "\n</body>", 1)
    return document.rstrip("\n") + "\n\n" + "\n".join(("- " if fmt == "markdown" else "") + line for line in lines) + "\n"


def _with_proxy_blocks(state: LedgerContext, blocks: list[tuple[str, str]], inspection: str) -> list[tuple[str, str]]:
    """The Word report's paragraphs with the proxy entries after the body, before the signature (落款)."""
    lines = _proxy_lines(state, inspection)
    if not lines:
        return blocks
    end = len(blocks)
    while end > 0 and blocks[end - 1][0] == "sign":
        end -= 1
    return blocks[:end] + [("p", line) for line in lines] + blocks[end:]


def _with_checkpoint(state: LedgerContext, document: str, fmt: str, sign: bool | None) -> str:
    """Append a signed checkpoint of the ledger's head, so readers can check the report against it."""
    from ledger.checkpoint import private_key_path

    if sign is None:
        sign = private_key_path(state.config).is_file()
        if not sign:
            click.echo(i18n.note_line(t("no signing key, so the report carries no checkpoint (run `ledger keygen`)")), err=True)
    if not sign:
        return document
    block = state.app.record_checkpoint(actor=state.actor(act="publication")).block
    if fmt == "docx":
        return block
    if fmt == "html":
        import html

        return document.replace("</body>", f'<pre class="checkpoint">{html.escape(block)}</pre>\n</body>', 1)
    if fmt == "markdown":
        return document.rstrip("\n") + "\n\n```\n" + block + "\n```\n"
    return document.rstrip("\n") + "\n\n" + block + "\n"


@click.command(cls=Command)
@click.option("--inspection", type=CODE, default=None, metavar="CODE", help="The inspection whose rectification is published.")
@click.option("--round", "round_name", type=SHORT_TEXT, default=None, metavar="NAME", help="Publish the round's public summary instead of one inspection's report.")
@click.option(
    "--stage",
    type=Choice(["final", "progress"]),
    default="final",
    show_default=True,
    help="final: the report; progress: the interim report (e.g. at the end of the concentrated rectification).",
)
@click.option("--format", "fmt", type=Choice(["markdown", "html", "text", "docx"]), default="markdown", show_default=True, help="Output format (docx: a Word document in the official '公文' layout, needs --out).")
@click.option("--out", "out", default=None, metavar="FILE", help="Write to this file instead of standard output.")
@click.option("--force", "force", is_flag=True, default=False, help="Replace the --out file if it exists (never the store, its evidence or a key).")
@click.option(
    "--sign/--no-sign",
    "sign",
    default=None,
    help="Record a signed checkpoint and print it at the end (default: when a signing key exists).",
)
@key_option
@as_of_option
@quiet_option
@pass_ledger
def publish(state: LedgerContext, inspection: str | None, round_name: str | None, stage: str, fmt: str, out: str | None, force: bool, sign: bool | None, as_of: Any) -> None:
    """Write the public report of an inspection, or a round's summary; withheld items are counted but not printed."""
    from projections.publication import report, round_report
    from projections.replay import check_as_of

    lang = i18n.current()  # the screen's lines; the report is Chinese, its dates 2020年4月15日, whatever this is
    check_as_of(as_of)
    if (inspection is None) == (round_name is None):
        raise click.UsageError(t("give either --inspection CODE or --round NAME"))
    if out is not None:
        from commands.options import check_out_file

        check_out_file(out, force=force)
    state.actor(act="publication")  # who publishes, even unsigned (--no-sign), must be allowed to
    if not state.app.signed_mode():
        click.echo(i18n.note_line(t("nobody is enrolled in this ledger: the acts this report rests on are unauthenticated (typed names, unsigned)")), err=True)
    if fmt == "docx" and (out is None or Path(out).suffix.lower() != ".docx"):
        raise InvalidInput(t("--format docx writes a Word document: give --out FILE.docx"))
    if fmt == "docx":
        from projections.publication import report_blocks, round_report_blocks
        from projections.word import write_report

        issuer = ""  # 署名: the inspected organisation publishes its rectification; a round's summary, its authority
        if round_name is not None:
            from commands.progress import progress

            with progress(t("reading the round"), fmt) as report:
                blocks = round_report_blocks(state.app, state.config, name=round_name, as_of=as_of, stage=stage, progress=report)
            issuer = str(state.config.section("publication").get("authority") or "")
        else:
            blocks = report_blocks(state.app, state.config, inspection=inspection, as_of=as_of, stage=stage)
            blocks = _with_proxy_blocks(state, blocks, inspection.strip())  # type: ignore[union-attr]
            issuer = state.app.get_inspection(inspection.strip()).organisation  # type: ignore[union-attr]
        checkpoint = _with_checkpoint(state, "", fmt, sign) or None
        from ledger.outputs import replacing

        with replacing(out, force=force) as tmp:  # type: ignore[arg-type]
            write_report(tmp, blocks, checkpoint, issuer)
        echo(i18n.translate(t("wrote {out}", out=out), lang))
        return
    if round_name is not None:
        from commands.progress import progress

        with progress(t("reading the round"), fmt) as report:  # the rows checked against the events, or rebuilt with --as-of
            document = round_report(state.app, state.config, name=round_name, fmt=fmt, as_of=as_of, stage=stage, progress=report)
    else:
        document = report(state.app, state.config, inspection=inspection, fmt=fmt, as_of=as_of, stage=stage)
        document = _with_proxy_note(state, document, fmt, inspection.strip())
    document = _with_checkpoint(state, document, fmt, sign)
    if out is None:
        click.echo(document, nl=False)
        return
    from ledger.outputs import write_output

    write_output(out, document, force=force)
    echo(i18n.translate(t("wrote {out}", out=out), lang))


COMMANDS = [summary, publish, withhold]
