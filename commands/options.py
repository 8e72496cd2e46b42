"""Options and output shared by every command.

`output_options` gives every command the same `--format`; `write_options`
gives every write command `--at` and `--actor`. Rendering goes through
tabulate (tables, markdown and any tabulate format), csv and json.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from typing import Any, Callable, NoReturn, Iterable, Iterator, Sequence

import click

from ledger import values
from ledger.errors import InvalidInput
from ledger.messages import t
from projections.words import cell  # a table cell, as the web view's tables show it too

BASIC_FORMATS = ("table", "json", "csv", "markdown")
OFFICE_FORMATS = ("xlsx",)


# tabulate formats that write a cell's text into markup unescaped: not offered (issue 24, text is written as text).
RAW_FORMATS = frozenset({"unsafehtml", "latex_raw"})
# Formats read by a markup renderer (Markdown, wiki, AsciiDoc): a cell's | would open a column, its < a tag.
MARKUP_FORMATS = frozenset({"github", "pipe", "jira", "textile", "moinmoin", "mediawiki", "asciidoc"})


def tabulate_formats() -> list[str]:
    import tabulate

    return [f for f in tabulate.tabulate_formats if f not in RAW_FORMATS]


def text_cells(rows: Sequence[Sequence[Any]], tablefmt: str) -> Sequence[Sequence[Any]]:
    """Rows whose text cells cannot make another row, column, formula or tag in `tablefmt`.

    tsv has no quoting: a tab or line break inside a field is a space, and a field that would start
    a spreadsheet formula is escaped as in csv. Markup formats get | < > escaped and one line per cell.
    """
    if tablefmt == "tsv":
        def one(v: Any) -> Any:
            return csv_text(v.replace("\t", " ").replace("\r", " ").replace("\n", " ")) if type(v) is str else v
    elif tablefmt in MARKUP_FORMATS:
        def one(v: Any) -> Any:
            if type(v) is not str:
                return v
            return v.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("\r", " ").replace("\n", " ")
    else:
        return rows
    return [[one(v) for v in row] for row in rows]


class FormatType(click.ParamType):
    """table | json | csv | markdown, or any tabulate format (github, html, …); xlsx where a file is written."""

    name = "format"

    def __init__(self, office: bool = False):
        self.office = office

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        text = str(value).strip().lower()
        if text in BASIC_FORMATS or text in tabulate_formats() or (self.office and text in OFFICE_FORMATS):
            return text
        if self.office:
            fail(self, t("'{value}' is not a format: use table, json, csv, markdown, xlsx (with --out) or a tabulate format", value=value), param, ctx)
        fail(self, t("'{value}' is not a format: use table, json, csv, markdown or a tabulate format", value=value), param, ctx)


def fail(kind: click.ParamType, error: Any, param: Any, ctx: Any, head: str | None = None) -> NoReturn:
    """Refuse an option's value with `error` in the reader's language; click names the option, so a message
    that starts with it (`head`: "--title: …") loses that part (None: whatever precedes the first colon)."""
    from commands import i18n

    lang = i18n.current()
    text = i18n.translate(error, lang)
    for colon in ("：", ": "):
        before, found, after = text.partition(colon)
        if found and (before == head if head is not None else " " not in before.strip()):
            text = after
            break
    kind.fail(text, param, ctx)


class ValueType(click.ParamType):
    """A typed value parsed by `ledger.values`, the one grammar of user input.

    A refusal is a usage error (exit 2) naming the option; every command
    option goes through one of these, so no command can forget a check.
    """

    def __init__(self, parse: Callable[[Any, str], Any], name: str):
        self.parse = parse
        self.name = name

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        what = ("--" + param.name.replace("_", "-")) if param is not None and param.param_type_name == "option" else (param.human_readable_name if param is not None else self.name)
        try:
            return self.parse(value, what)
        except InvalidInput as e:
            fail(self, e, param, ctx, head=what)


class Choice(click.Choice):
    """click's Choice, refusing a value in the one form of every choice refusal: "'x' is not one of a, b" /
    "'x' 不是可选值之一：允许（allowed）、禁止（forbidden）" (`named`: the choices' vocabulary table, if they have words)."""

    def __init__(self, choices: Any, named: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(choices, **kwargs)
        self.named = named

    def get_invalid_choice_message(self, value: Any, ctx: Any) -> str:
        from commands import i18n
        from ledger.messages import choices

        refusal = t("'{value}' is not one of {choices}", value=value, choices=choices(self.named or {c: c for c in self.choices}))
        return i18n.translate(refusal, i18n.current())  # type: ignore[no-any-return]


class IntRange(click.IntRange):
    """click's IntRange, refusing text that is no number in the ledger's words (click names its own type,
    "integer range", in English whatever the language)."""

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, str):
            try:
                int(value.strip())
            except ValueError:
                fail(self, t("'{value}' is not a whole number", value=value), param, ctx)
        return super().convert(value, param, ctx)


class ChoiceOf(click.ParamType):
    """A vocabulary term, in English or Chinese, normalised by `ledger.values`; `words`, its vocabulary table
    (a Chinese --help lists the choices by the vocabulary's words)."""

    def __init__(self, parse: Callable[[str], str], name: str, words: Any = None):
        self.parse = parse
        self.name = name
        self.words = words

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        try:
            return self.parse(value)
        except InvalidInput as e:
            fail(self, e, param, ctx)


def _count(maximum: int, minimum: int = 0) -> ValueType:
    return ValueType(lambda v, what: values.parse_count(v, what, maximum=maximum, minimum=minimum), "N")


DATE = ValueType(values.parse_date, "DATE")
DATETIME = ValueType(values.parse_datetime, "DATETIME")
AMOUNT = ValueType(values.parse_amount, "YUAN")
COUNT = _count(values.MAX_COUNT)
PROBLEM_NUMBER = _count(values.MAX_NUMBER, minimum=1)
SAMPLE_SIZE = _count(values.MAX_NUMBER, minimum=1)
SEED = _count(2**63 - 1)
NAME = ValueType(values.name, "NAME")
SHORT_TEXT = ValueType(values.short_text, "TEXT")
LONG_TEXT = ValueType(values.long_text, "TEXT")
OPTIONAL_TEXT = ValueType(lambda v, what: values.short_text(v, what, required=False), "TEXT")
OPTIONAL_LONG_TEXT = ValueType(lambda v, what: values.long_text(v, what, required=False), "TEXT")
CODE = ValueType(lambda v, what: values.inspection_code(v), "CODE")
PROBLEM_ID = ValueType(values.problem_id, "ID")


def check_out_file(out: str, what: str = "--out", *, force: bool = False, is_key: bool = False) -> Any:
    """The one rule for every --out (ledger/outputs.py), checked before anything is done: a path to write.

    Refused: a name that cannot be a file; the store, its journal/WAL/SHM, its evidence, a key or
    ledger.yaml (by real path and inode, --force or not); an existing file without --force.
    """
    from ledger.outputs import check_output

    return check_output(out, force=force, config=_config_or_none(), what=what, is_key=is_key)


def _config_or_none() -> Any:
    """This command's ledger.yaml, or the defaults where there is none (what the store's name would be)."""
    from ledger.config import load_config
    from ledger.errors import ConfigError

    ctx = click.get_current_context(silent=True)
    state = ctx.find_object(LedgerContext) if ctx is not None else None
    try:
        if state is not None:
            try:
                return state.config
            except ConfigError:
                return load_config(state.config_path, required=False) if state.config_path is None else None
        return load_config(required=False)
    except ConfigError:
        return None


def force_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """--force: replace an existing --out file (never the store, its evidence, a key or ledger.yaml)."""
    return click.option(
        "--force", "force", is_flag=True, default=False, help="Replace the --out file if it exists (never the store, its evidence or a key)."
    )(f)


QUIET = "ledger.quiet"  # set in click's context meta by --quiet; read by commands/progress.py


def quiet_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """--quiet: no progress bar (every command has it, through the shared option decorators)."""

    def remember(ctx: click.Context, param: Any, value: bool) -> None:
        if value:
            ctx.meta[QUIET] = True

    return click.option("--quiet", "-q", is_flag=True, expose_value=False, callback=remember, help="No progress bar on the terminal.")(f)


def format_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """--format for a command that records or writes something itself: its output is a report of what it did."""
    f = quiet_option(f)
    return click.option(
        "--format",
        "fmt",
        type=FormatType(),
        default="table",
        show_default=True,
        help="Output format: table, json, csv, markdown, or any tabulate format.",
    )(f)


def _remember(key: str) -> Callable[..., Any]:
    def callback(ctx: click.Context, param: Any, value: Any) -> Any:
        if value not in (None, ()):
            ctx.meta[f"ledger.{key}"] = value
        return value

    return callback


def key_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """--key: the acting person's private key (else LEDGER_KEY, else their default key file)."""
    return click.option(
        "--key",
        "key_path",
        default=None,
        metavar="PATH",
        expose_value=False,
        callback=_remember("key"),
        help="The acting person's private key (env LEDGER_KEY; default: keys/NAME.pem under the user's config folder).",
    )(f)


def proxy_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """--for NAME: enter a paper signature of NAME (the act is NAME's, entered and signed by the actor)."""
    return click.option(
        "--for",
        "proxy",
        default=None,
        metavar="NAME",
        expose_value=False,
        callback=_remember("for"),
        help="Enter what NAME signed on paper: recorded as NAME's act, entered and signed by you (needs --attach of the paper).",
    )(f)


def attach_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """--attach FILE (repeatable): evidence files (佐证材料) fingerprinted into the event, bytes kept."""
    return click.option(
        "--attach",
        "attach",
        multiple=True,
        metavar="FILE",
        expose_value=False,
        callback=_remember("attach"),
        help="An evidence file to fingerprint into the act and keep; repeat for several.",
    )(f)

def output_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """--format and --out for a read command: any format to standard output or a file, and xlsx to a file.

    The listing is rendered once, by the command itself; xlsx is its csv text
    turned into a workbook here, so every read command has it the same way.
    """

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        out = kwargs.pop("out", None)
        force = kwargs.pop("force", False)
        fmt = kwargs.get("fmt")
        if out is None:
            if fmt in OFFICE_FORMATS:
                raise InvalidInput(t("--format {fmt} writes a workbook, not text: give --out FILE.{fmt}", fmt=fmt))
            if force:
                raise click.UsageError(t("--force replaces an --out file: give --out FILE"))
            return f(*args, **kwargs)
        return _to_file(f, args, kwargs, out, force)

    wrapper = force_option(wrapper)
    wrapper = quiet_option(wrapper)
    wrapper = click.option(
        "--out",
        "out",
        default=None,
        metavar="FILE",
        help="Write the output to this file instead of standard output (needed by --format xlsx).",
    )(wrapper)
    return click.option(
        "--format",
        "fmt",
        type=FormatType(office=True),
        default="table",
        show_default=True,
        help="Output format: table, json, csv, markdown, xlsx (with --out), or any tabulate format.",
    )(wrapper)


DEFAULT_LIMIT = 30  # rows a listing shows on a terminal, as `gh issue list` does


class Screen:
    """How a listing is shown, decided once here for every listing command.

    On a terminal (standard output a TTY, which `--out` never is, and the table format) a
    listing shows the most urgent rows first and stops after DEFAULT_LIMIT (or `--limit N`),
    ending with a line saying how many more there are; `--all` shows every row through the
    user's pager. Piped, to a file, or as csv/json it is complete, in its usual order, streamed
    (`--limit N` still cuts it to N rows).
    """

    def __init__(self, terminal: bool, limit: int | None, everything: bool):
        self.terminal = terminal
        self.pager = terminal and everything
        self.limit = None if everything else (limit if limit is not None else (DEFAULT_LIMIT if terminal else None))

    @property
    def urgent_first(self) -> bool:
        return self.terminal

    def cut(self, rows: Iterable[Any]) -> tuple[list[Any], int]:
        """(the rows shown, how many there are in all): the rest are counted, not kept."""
        import itertools

        it = iter(rows)
        shown = list(it if self.limit is None else itertools.islice(it, self.limit))
        return shown, len(shown) + sum(1 for _ in it)

    def newest(self, rows: Iterable[Any]) -> tuple[list[Any], int]:
        """Like cut, of rows given oldest first, shown newest first: only the last `limit` are kept."""
        import collections

        if self.limit is None:
            shown = list(rows)
            shown.reverse()
            return shown, len(shown)
        kept: collections.deque[Any] = collections.deque(maxlen=self.limit)
        total = 0
        for row in rows:
            kept.append(row)
            total += 1
        return list(reversed(kept)), total

    def show(self, rows: Iterable[dict[str, Any]], fmt: str, columns: Sequence[str], total: int | None = None, headers: Sequence[str] | None = None) -> None:
        """Print the listing: through the pager (`--all` on a terminal), else as one text, then the closing line."""
        if self.pager:
            page(table_pieces(rows, fmt, columns, headers))
            return
        shown = rows if isinstance(rows, list) else list(rows)
        echo(render_rows(shown, fmt, columns, headers))
        self.closing(len(shown), total)

    def closing(self, shown: int, total: int | None) -> None:
        """On a terminal, when rows were left out: how many, and how to see them."""
        if not self.terminal or total is None or total <= shown:
            return
        from commands import i18n

        echo(i18n.translate(t("{n:,} more not shown ({shown:,} of {total:,}): --limit N shows N, --all shows every one", n=total - shown, shown=shown, total=total), i18n.current()))


def listing_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """output_options, plus --limit N and --all, for a listing: the command is given `screen`, a Screen."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import sys

        limit, everything = kwargs.pop("limit", None), kwargs.pop("everything", False)
        if limit is not None and everything:
            raise click.UsageError(t("--limit and --all do not go together: give one"))
        # Inside output_options: with --out, standard output is the text being caught, not a TTY.
        terminal = kwargs.get("fmt") == "table" and sys.stdout.isatty()
        return f(*args, screen=Screen(terminal, limit, everything), **kwargs)

    wrapper = click.option(
        "--all", "everything", is_flag=True,
        help="On a terminal: every row, most urgent first, through the pager ($PAGER, else less -FRX).",
    )(wrapper)
    wrapper = click.option(
        "--limit", type=IntRange(min=1), default=None, metavar="N",
        help=f"Show N rows (on a terminal the default is {DEFAULT_LIMIT}, most urgent first; piped, to a file or as csv/json: every row).",
    )(wrapper)
    return output_options(wrapper)


def page(pieces: Iterable[str]) -> None:
    """Text through the user's pager a piece at a time, as git does: $PAGER, else less -FRX."""
    import os

    if not os.environ.get("PAGER", "").strip() and os.environ.get("TERM") not in ("dumb", "emacs"):
        os.environ["PAGER"] = "less -FRX"  # quit if one screen, keep colours, leave the text on screen
    click.echo_via_pager(_joined(pieces))


def _joined(pieces: Iterable[str]) -> Iterator[str]:
    """The pieces, each but the last ending in a newline (echo_via_pager adds the final one)."""
    previous = None
    for piece in pieces:
        if previous is not None:
            yield previous + "\n"
        previous = piece
    if previous is not None:
        yield previous


def table_pieces(rows: Iterable[dict[str, Any]], fmt: str, columns: Sequence[str], headers: Sequence[str] | None = None, chunk: int = 200) -> Iterator[str]:
    """A table a chunk of rows at a time, so the first screen is out before the last row is formatted.

    Each chunk is laid out by tabulate; after the first, its columns are made at least as wide as
    those already shown (blank headers of those widths, their lines dropped), so they line up.
    """
    import itertools

    it = iter(rows)
    widths: list[int] | None = None
    first = True
    while True:
        batch = list(itertools.islice(it, chunk))
        if not batch and not first:
            return
        lines = render_rows(batch, fmt, columns, headers, min_widths=widths).split("\n")
        rule = next((i for i, line in enumerate(lines) if line and set(line) <= {"-", " "}), None)
        if rule is not None:
            found = [len(dashes) for dashes in lines[rule].split()]
            widths = found if widths is None else [max(a, b) for a, b in zip(widths, found)]
        yield "\n".join(lines if first or rule is None else lines[rule + 1:])
        first = False
        if len(batch) < chunk:
            return


def _to_file(f: Callable[..., Any], args: Any, kwargs: dict[str, Any], out: str, force: bool) -> Any:
    """Run the command with its output caught, then write it to `out` (xlsx: as a workbook)."""
    import contextlib

    from pathlib import Path

    from ledger.outputs import replacing, write_output

    fmt = kwargs["fmt"]
    suffix = Path(out).suffix.lower()
    if fmt == "xlsx" and suffix != ".xlsx":
        raise InvalidInput(t("--out: an xlsx workbook's file name ends in .xlsx, not '{name}'", name=Path(out).name))
    if fmt != "xlsx" and suffix == ".xlsx":
        raise InvalidInput(t("--out: {name} is named as a workbook: add --format xlsx", name=Path(out).name))
    check_out_file(out, force=force)
    if fmt == "xlsx":
        kwargs["fmt"] = "csv"
    caught = io.StringIO()
    exit_code = 0
    _escape_csv[0] = fmt != "xlsx"  # the workbook's cells are string cells: no quote to hide a formula
    try:
        with contextlib.redirect_stdout(caught):
            f(*args, **kwargs)
    except click.exceptions.Exit as e:  # e.g. `due --check` finding overdue items: the listing is still written
        exit_code = e.exit_code
    finally:
        _escape_csv[0] = True
    text = caught.getvalue()
    if fmt == "xlsx":
        from projections.workbook import write_tables

        command = click.get_current_context().command.name or "ledger"
        with replacing(out, force=force) as tmp:
            write_tables(tmp, _csv_tables(text), title=command)
    else:
        # A BOM lets Excel/WPS open a UTF-8 CSV with its Chinese intact.
        write_output(out, text, force=force, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
    from commands import i18n

    click.echo(i18n.translate(t("wrote {out}", out=out), i18n.current()))
    if exit_code:
        click.get_current_context().exit(exit_code)


def _csv_tables(text: str) -> list[list[list[str]]]:
    """csv text → tables (a blank line separates them, as `summary` prints its two)."""
    tables: list[list[list[str]]] = [[]]
    for row in csv.reader(io.StringIO(text)):
        if not any(c.strip() for c in row):
            if tables[-1]:
                tables.append([])
            continue
        tables[-1].append(row)
    return [t for t in tables if t]


def write_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """--at (when the act really happened), --actor, --key and --for for a write command."""
    f = proxy_option(key_option(f))
    f = click.option(
        "--at",
        type=DATETIME,
        default=None,
        help="When the act really happened, if earlier than now (ISO date or date-time, local time).",
    )(f)
    f = click.option(
        "--actor",
        "actor",
        type=NAME,
        default=None,
        help="Who is acting (overrides the global --actor / LEDGER_ACTOR).",
    )(f)
    return format_option(f)


# OWASP CSV injection: a text field starting with one of these is read as a formula by spreadsheets.
FORMULA_STARTS = frozenset("=+-@\t\r")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
# A field that may start like a formula: a trigger after a comma or line end, perhaps inside a quote.
# The pattern starts with the trigger's character class, which the regex engine scans for in C.
_MAYBE_FORMULA = re.compile(r'[=+@\t\r-](?:(?<=[,\n].)|(?<=[,\n]".))')


def _maybe_formula(text: str, start: int) -> bool:
    """Whether some csv field of text[start:] may start like a formula (never False when one does)."""
    first = text[start : start + 2]
    return first[:1] in FORMULA_STARTS or (first[:1] == '"' and first[1:] in FORMULA_STARTS) or _MAYBE_FORMULA.search(text, start) is not None


# Off while a listing is rendered as csv only to become an xlsx workbook (its cells are string cells).
_escape_csv = [True]


def csv_text(value: Any) -> Any:
    """A csv field as text: a text starting with = + - @ tab or CR gets a leading single quote.

    Numbers stay as they are: an int or a text that is a plain (negative) number is data, not a formula.
    """
    if type(value) is str and value[:1] in FORMULA_STARTS and _escape_csv[0] and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_row(row: Sequence[Any]) -> Sequence[Any]:
    """A csv row with its text fields escaped (the row itself when none needs it)."""
    if not _escape_csv[0] or not any(type(v) is str and v[:1] in FORMULA_STARTS for v in row):
        return row
    return [csv_text(v) for v in row]




STREAMED_FORMATS = ("csv", "json")


def rendered_pieces(rows: Iterable[dict[str, Any]], fmt: str, columns: Sequence[str], headers: Sequence[str] | None = None) -> Iterator[str]:
    """csv or json text a piece at a time (a record, or 500 csv lines); joined, the whole text and a newline.

    json is an array with one record a line: Python's json encodes with C only without
    indenting, and a record a line is what grep, diff and `jq -c` readers want of a long listing.
    """
    if fmt == "json":  # json keeps every key
        parts: list[str] = []
        count = 0
        for row in rows:
            parts.append(("[\n  " if count == 0 else ",\n  ") + json.dumps(row, ensure_ascii=False))
            count += 1
            if len(parts) == 200:  # a write per 200 records, not per record
                yield "".join(parts)
                parts = []
        yield "".join(parts) + ("[]\n" if count == 0 else "\n]\n")
        return
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(csv_row(list(headers or columns)))
    for n, row in enumerate(rows, 1):
        writer.writerow(csv_row([cell(row.get(c)) for c in columns]))
        if n % 500 == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def render_rows(rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[str], headers: Sequence[str] | None = None, min_widths: Sequence[int] | None = None) -> str:
    """A list of records in the chosen format (json keeps every key).

    `min_widths`: a table's columns at least this wide, under blank headers (a later chunk of a paged table).
    """
    if fmt in STREAMED_FORMATS:
        return "".join(rendered_pieces(rows, fmt, columns, headers)).rstrip("\n")
    import tabulate

    from commands import i18n

    lang = i18n.current()
    table = [[cell(i18n.value_word(c, row.get(c), lang)) for c in columns] for row in rows]
    tablefmt = {"table": "simple", "markdown": "github"}.get(fmt, fmt)
    shown = list(headers) if headers else [i18n.heading(c, lang) for c in columns]
    # Long texts wrap on screen (a 120-column terminal); documents keep whole lines.
    widths = i18n.max_widths(columns) if fmt == "table" and table else None
    if widths is not None:  # every chunk of a paged table alike
        widths = room_for_headings(shown, widths, columns)
    if min_widths is not None:
        shown = [" " * w for w in min_widths]
    if widths is None:
        table, shown = text_cells(table, tablefmt), text_cells([shown], tablefmt)[0]
        return tabulate.tabulate(table, headers=shown, tablefmt=tablefmt, disable_numparse=True)
    cell_widths: list[int | None] | None = widths
    wrap = getattr(tabulate, "_wrap_text_to_colwidths", None)
    if wrap is not None:
        _wrap_long_cells(table, widths, wrap, getattr(tabulate, "wcwidth", None))
        cell_widths = None  # wrapped already: tabulate need not look at every cell again
    padding, tabulate.MIN_PADDING = tabulate.MIN_PADDING, 0  # the 2-space separators already part the columns
    try:
        return tabulate.tabulate(
            table, headers=shown, tablefmt=tablefmt, disable_numparse=True, maxcolwidths=cell_widths,
            maxheadercolwidths=None if min_widths is not None else heading_widths(shown, widths),
        )
    finally:
        tabulate.MIN_PADDING = padding


# The text columns that give back the room English headings' whole words take (widest first, each down to
# its floor), so that a listing still fits a 120-column terminal.
GIVING_ROOM = {"unit": 6, "title": 10, "description": 12, "text": 14, "details": 10, "note": 10, "name": 12}


def room_for_headings(headings: Sequence[str], widths: Sequence[int | None], columns: Sequence[str]) -> list[int | None]:
    """`widths` with the room the headings need beyond them taken from the text columns (GIVING_ROOM); unchanged
    when every heading fits (the Chinese ones: they may wrap between characters)."""
    out = list(widths)
    extra = sum((h or 0) - (w or 0) for h, w in zip(heading_widths(headings, widths), widths))
    for column, floor in GIVING_ROOM.items():
        if extra <= 0:
            break
        if column in columns and out[columns.index(column)] is not None:
            i = columns.index(column)
            take = min(extra, max(0, out[i] - floor))  # type: ignore[operator]
            if take and (out[i] - take) % 2 and out[i] - take > floor:  # type: ignore[operator]
                take += 1  # an even width: a column of Chinese text wastes no cell
            out[i] -= take  # type: ignore[operator]
            extra -= take
    return out


def heading_widths(headings: Sequence[str], widths: Sequence[int | None]) -> list[int | None]:
    """Each column's heading limit, widened to the heading's longest Latin word: an English heading wraps only
    between words ("days / left"), never inside one ("over / due"); a Chinese heading may wrap between characters."""
    out: list[int | None] = []
    for text, width in zip(headings, widths):
        words = [w for w in str(text).split() if w.isascii()]
        out.append(None if width is None else max([width, *(len(w) for w in words)]))
    return out


def _wrap_long_cells(table: list[list[Any]], widths: Sequence[int | None], wrap: Any, wcwidth: Any) -> None:
    """Wrap, in place, the cells wider than their column's limit, exactly as tabulate's maxcolwidths does.

    tabulate wraps every cell of a limited column (a text wrapper per cell: most of the time of a
    long listing); a one-line cell that already fits comes out of it unchanged (a number as its
    text, which prints the same), so only the others are handed to tabulate's own wrapping.
    """
    limited = [(i, w) for i, w in enumerate(widths) if w is not None]
    wrapped: dict[tuple[Any, int], Any] = {}  # categories, units and people repeat down a listing: wrap each once
    for row in table:
        for i, width in limited:
            value = row[i]
            text = value if type(value) is str else str(value) if type(value) is int else None
            if text is not None and (
                text == ""
                or (
                    text.isprintable() and text.strip() == text
                    and (len(text) <= width // 2 or (len(text) <= width and text.isascii())
                         or (wcwidth is not None and 0 <= wcwidth.wcswidth(text) <= width))
                )
            ):
                continue
            key = (value, width)
            done = wrapped.get(key)
            if done is None:
                if text is not None and len(text) > LINEAR_WRAP_FROM:
                    done = wrapped[key] = _wrap_linear(text, width)
                elif text is not None and wcwidth is not None and text.isprintable() and any(wcwidth.wcwidth(ch) == 2 for ch in text):
                    done = wrapped[key] = _wrap_words(text, width, wcwidth.wcwidth)
                else:
                    done = wrapped[key] = wrap([[value]], [width], numparses=[False])[0][0]
            row[i] = done


# tabulate's wrapping takes time growing with the square of a cell's length (50,000 characters:
# seconds; a 2 MB value written into a tampered store: past any patience); longer cells are cut
# into lines of the column's width in one pass, every character kept.
LINEAR_WRAP_FROM = 2_000


# Chinese text wraps between any two characters, but a code inside it (XC2019-1, a date, a key fingerprint's
# group) only where it has a space; tabulate's wrapping (textwrap's) sees a Chinese sentence as one long word
# and cuts it anywhere, codes included. Punctuation that closes stays with the character before it, and
# punctuation that opens with the one after (no line starts with ）or ，).
OPENING = "（【“‘《〔「『(["
CLOSING = "）】”’》〕」』，。、；：！？,.;:!?)]"


def _wrap_words(text: str, width: int, char_width: Callable[[str], int]) -> str:
    """`text` (holding wide characters, no line breaks) in lines of at most `width` display cells: a word
    (between spaces) that fits on a line of its own is moved whole, as textwrap moves it; a longer one (a
    Chinese sentence) fills the line, cut between characters but not inside a code."""

    def size(piece: str) -> int:
        return sum(max(char_width(ch), 0) for ch in piece)

    lines: list[str] = []
    line, used = "", 0
    for word in text.split():
        if line and used + 1 + size(word) <= width:
            line, used = line + " " + word, used + 1 + size(word)
            continue
        if not line and size(word) <= width:
            line, used = word, size(word)
            continue
        if size(word) <= width:  # not on this line, whole on the next
            lines.append(line)
            line, used = word, size(word)
            continue
        if line and used + 1 < width:
            line, used = line + " ", used + 1
        for token in _pieces(word, char_width):
            wide = size(token)
            if used + wide > width and line.strip():
                lines.append(line.rstrip())
                line, used = "", 0
            while wide > width - used:  # longer than a whole line: cut after its last hyphen that fits, else at the width
                fits, filled = 0, 0
                for ch in token:
                    filled += max(char_width(ch), 0)
                    if filled > width - used:
                        break
                    fits += 1
                hyphen = token.rfind("-", 0, fits)
                cut = max(hyphen + 1 if hyphen > 0 else fits, 1)
                lines.append((line + token[:cut]).rstrip())
                line, used = "", 0
                token = token[cut:]
                wide = size(token)
            line, used = line + token, used + wide
    lines.append(line.rstrip())
    return "\n".join(lines)


def _pieces(word: str, char_width: Callable[[str], int]) -> list[str]:
    """A word cut where a line may break: before each wide character and around each run of narrow ones,
    opening punctuation kept with what follows it and closing punctuation with what precedes it."""
    pieces: list[str] = []
    i, n = 0, len(word)
    while i < n:
        j = i
        while j < n and word[j] in OPENING:
            j += 1
        if j < n:
            if char_width(word[j]) == 2:
                j += 1
            else:  # a run of narrow characters: a code, a number, a Latin word
                while j < n and char_width(word[j]) != 2 and (word[j] not in CLOSING or word[j] in ".:-"):
                    j += 1
        while j < n and word[j] in CLOSING:
            j += 1
        j = max(j, i + 1)
        pieces.append(word[i:j])
        i = j
    return pieces


def _wrap_linear(text: str, width: int) -> str:
    try:
        from wcwidth import wcwidth
    except ImportError:  # pragma: no cover - tabulate installs it with its widechars extra
        wcwidth = None
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line: list[str] = []
        used = 0
        for ch in paragraph:
            w = max(wcwidth(ch), 0) if wcwidth is not None else 1
            if used + w > width and line:
                lines.append("".join(line))
                line, used = [], 0
            line.append(ch)
            used += w
        lines.append("".join(line))
    return "\n".join(lines)


def echo_rows(rows: Iterable[dict[str, Any]], fmt: str, columns: Sequence[str]) -> None:
    """Print csv or json a record at a time (a province-size listing is never all in memory).

    The text is exactly `render_rows`'s; other formats need every row to size the columns.
    """
    for piece in rendered_pieces(rows, fmt, columns):
        click.echo(piece, nl=False)


def echo_csv_batches(batches: Iterable[Sequence[Sequence[Any]]], columns: Sequence[str]) -> None:
    """Print csv of rows whose values are already as csv prints them (text, numbers, None for empty), a batch at a time."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(csv_row(list(columns)))
    for batch in batches:
        start = out.tell()
        writer.writerows(batch)
        # Most batches hold no field starting like a formula: one regular-expression scan of the text
        # says so; only a batch where it may (a field start, quoted or not) is written again field by field.
        text = out.getvalue()
        if _escape_csv[0] and _maybe_formula(text, start):
            out.seek(start)
            out.truncate()
            writer.writerows(map(csv_row, batch))
            text = out.getvalue()
        click.echo(text, nl=False)
        out.seek(0)
        out.truncate()
    click.echo(out.getvalue(), nl=False)


def render_record(record: dict[str, Any], fmt: str, message: str | Sequence[str] | None = None) -> str:
    """One record: json as an object, table as `message` (or its lines, each a message; else key/value rows)."""
    if fmt == "json":
        return json.dumps(record, ensure_ascii=False, indent=2)
    if fmt == "table" and message is not None:
        from commands import i18n

        lang = i18n.current()
        if isinstance(message, (list, tuple)):  # lines, each a message of its own
            return "\n".join(i18n.translate(line, lang) for line in message)
        return i18n.translate(message, lang)
    if fmt == "table":
        import tabulate

        from commands import i18n

        lang = i18n.current()
        rows = [[i18n.heading(k, lang), cell(i18n.value_word(k, v, lang))] for k, v in record.items()]
        return tabulate.tabulate(rows, tablefmt="plain", disable_numparse=True)
    return render_rows([record], fmt, list(record))


def echo(text: str) -> None:
    click.echo(text)


def pass_ledger(f: Callable[..., Any]) -> Callable[..., Any]:
    """Give the command the shared LedgerContext as its first argument."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        return f(ctx.find_object(LedgerContext), *args, **kwargs)

    return wrapper


class LedgerContext:
    """What the global options choose: the config, the actor, and the opened ledger."""

    def __init__(self, config_path: str | None, actor: str | None, lang: str | None = None):
        self.config_path = config_path
        self.global_actor = actor
        self.chosen_lang = lang
        self._config: Any = None
        self._app: Any = None

    @property
    def lang(self) -> str:
        """zh or en: --lang, else LEDGER_LANG, else ledger.yaml's language, else zh."""
        from commands.i18n import resolve_lang

        return resolve_lang(self.chosen_lang, self.config_path)

    @property
    def config(self) -> Any:
        if self._config is None:
            from ledger.config import load_config

            self._config = load_config(self.config_path)
        return self._config

    @property
    def app(self) -> Any:
        if self._app is None:
            from composition import open_ledger

            self._app = open_ledger(self.config)
            if self.config.data.get("people") is not None and self._app.signed_mode():
                from ledger.identity import people_in_config_refused

                people_in_config_refused(self.config)
        return self._app

    def typed_name(self, override: str | None = None) -> str:
        given = override if override is not None else self.global_actor
        name = values.name(given, "--actor") if given is not None else ""
        if not name:
            import getpass

            try:
                name = values.name(getpass.getuser(), t("OS user name"))
            except Exception:  # no usable user name in this environment
                name = ""
        if not name:
            raise InvalidInput(t("--actor: no actor given and no OS user name: use --actor or LEDGER_ACTOR"))
        return values.person_name(name, "--actor")

    def actor(self, override: str | None = None, *, act: str) -> Any:
        """The Actor (ledger.actor) of `act`, after checking who may do it: passed to the application's method.

        Once people are enrolled in the ledger, the actor must hold the private
        key enrolled for that name and a role allowing the act now; the
        application then signs every event written. Before (trial mode) the
        names are only typed, and ledger.yaml's `people:` is checked if present.
        --key, --for and --attach are read here, from the command's options.
        """
        from ledger.signing import authenticate

        name = self.typed_name(override)
        ctx = click.get_current_context(silent=True)
        given = ctx.meta if ctx is not None else {}
        return authenticate(
            self.app, self.config, name, act,
            key=given.get("ledger.key"), proxy=given.get("ledger.for"), attach=tuple(given.get("ledger.attach") or ()),
        )

    def close(self) -> None:
        if self._app is not None:
            self._app.close()
            self._app = None
