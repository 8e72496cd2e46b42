"""The CLI's language: the running command's, and its error and note lines; the words of tables are
projections.words (shared with the web view).

Translation happens only at the interface boundary — table headings and
status words when a table is printed, and error lines in the CLI's error
handler — so the domain keeps its stable English rule ids and JSON keeps
English keys and values.

The language: the global `--lang` (read before click parses the command line),
else LEDGER_LANG, else `language:` in ledger.yaml, else zh. Also here: click's
usage errors framed as keyed messages, and `--help` in the reader's language.
"""

from __future__ import annotations

import inspect
import os
from typing import Any, Callable, Iterable, Iterator

import click

from ledger.messages import Message, choices, either, reader_language, t

LANGS = ("zh", "en")

_remembered: tuple[str | None, str | None] | None = None
_resolved: dict[tuple[str | None, str | None, str], str] = {}
_config_of_command: Callable[[], Any] | None = None


def remember(option: str | None, config_path: str | None, config: Callable[[], Any] | None = None) -> None:
    """The running command's --lang and --config, and how it loads ledger.yaml (set by the `ledger` group)."""
    global _remembered, _config_of_command
    _remembered = (option, config_path)
    _config_of_command = config  # the command's own loaded configuration: read once
    _resolved.clear()  # each command reads its own ledger.yaml afresh


def resolve_lang(option: str | None, config_path: str | None) -> str:
    if option in LANGS:
        return option  # type: ignore[return-value]
    env = os.environ.get("LEDGER_LANG", "").strip().lower()
    key = (option, config_path or os.environ.get("LEDGER_CONFIG"), env)
    if key in _resolved:
        return _resolved[key]

    def configured() -> Any:
        try:
            if _config_of_command is not None:
                return _config_of_command().data.get("language", "zh")
            from ledger.config import load_config

            return load_config(config_path, required=False).data.get("language", "zh")
        except Exception:  # a broken ledger.yaml is reported by the command itself
            return "zh"

    lang = reader_language(option, configured)  # the rule the web view follows too
    _resolved[key] = lang
    return lang


def current() -> str:
    """The language of the running command (zh when nothing says otherwise)."""
    option, config_path = _remembered or (None, None)
    return resolve_lang(option, config_path)


from projections.words import (  # noqa: F401 - the words of tables, as the CLI's modules name them
    EVENT_WORDS,
    HEADINGS,
    SECTIONS,
    STATUS_WORDS,
    heading,
    max_widths,
    section_title,
    status_word,
    sub_heading,
    translate,
    value_word,
)

PREFIX = {"zh": "ledger：错误：", "en": "ledger: error: "}

NOTE_PREFIX = {"zh": "ledger：提示：", "en": "ledger: note: "}


def note_line(message: str) -> str:
    """A note on standard error, in the command's language."""
    lang = current()
    return NOTE_PREFIX[lang] + translate(message, lang)


def error_line(message: str, lang: str | None = None) -> str:
    chosen = lang or current()
    text = translate(message, chosen)
    return PREFIX[chosen] + (" ".join(text.split()) if isinstance(message, Message) else text)


def usage_message(error: Any) -> Any:
    """click's usage error as a keyed message. click frames a missing parameter and a suggestion itself, with
    English punctuation ("'--level'." and a space before "Did you mean"): those two are worded here instead."""
    if isinstance(error, click.MissingParameter) and not error.message:
        hint = error.param_hint if error.param_hint is not None else (error.param.get_error_hint(error.ctx) if error.param else None)
        if hint is not None and not isinstance(hint, str):
            hint = " / ".join(repr(x) for x in hint)
        kind = error.param_type or (error.param.param_type_name if error.param else None)
        if hint:
            if kind == "argument":
                missing = t("Missing argument {hint}.", hint=hint)
            elif kind == "option":
                missing = t("Missing option {hint}.", hint=hint)
            else:
                missing = t("Missing parameter {hint}.", hint=hint)
            extra = error.param.type.get_missing_message(param=error.param, ctx=error.ctx) if error.param else None
            return t("{missing} {extra}", missing=missing, extra=extra) if extra else missing
    if isinstance(error, click.NoSuchOption) and error.possibilities:
        return t("{message} Did you mean {possibilities}?", message=error.message,
                 possibilities=either(repr(p) for p in sorted(error.possibilities)))
    return error.format_message()


def option_before_command(args: list[str], name: str) -> str | None:
    """The value of the `ledger` group's own option `name` (--lang, --config) in `args`, read before click parses them,
    so that click's errors about the command line (no such command, --help) are in the language asked for."""
    given = None
    takes_value = ("--lang", "--config", "--actor")
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            break
        head, eq, value = arg.partition("=")
        if head in takes_value:
            if not eq:
                i += 1
                value = args[i] if i < len(args) else ""
            if head == name:
                given = value
        elif not arg.startswith("-"):
            break  # the command's name: what follows is the command's own
        i += 1
    return given


# -- `--help` in the reader's language --------------------------------------------------------------------------
#
# click words its own parts of a help page (Usage:, Options, Commands, "Show this message and exit.") with stdlib
# gettext, so they come from the ledger's catalogue (ledger.messages.speak_in_libraries). A command's own help is
# keyed by its English text, as a message's template is: the first paragraph of its docstring is its summary in
# `ledger --help`; a `Command`'s whole docstring and its options' help are messages too. scripts/messages.py
# extracts them from the commands themselves (`help_messages`); their Chinese is in the same .po file.
# Chinese lines are wrapped by display width (wcwidth: a Chinese character takes two columns); English help is
# laid out by click exactly as before.


def help_text(command: click.Command) -> str:
    """A command's help as click shows it (the docstring up to a form feed)."""
    return inspect.cleandoc(command.help).partition("\f")[0] if command.help else ""


def summary_text(command: click.Command) -> str:
    """A command's summary: its short help, else the first paragraph of its help, on one line."""
    if command.short_help:
        return " ".join(inspect.cleandoc(command.short_help).split())
    return " ".join(help_text(command).split("\n\n")[0].split())


def _spoken(text: str) -> str:
    """`text` (an English msgid) in the running command's language; as it is where the catalogue lacks it."""
    lang = current()
    if lang == "en" or not text:
        return text
    from ledger.messages import catalogue

    return catalogue(lang).gettext(text)  # type: ignore[no-any-return]


def _wide(text: str) -> bool:
    import unicodedata

    return any(unicodedata.east_asian_width(ch) in "WF" for ch in text)


class HelpFormatter(click.HelpFormatter):
    """click's layout; a text with Chinese in it is wrapped by display width (click counts characters), and a
    Chinese heading ends in a Chinese colon (选项：)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None:
            from gettext import gettext as _

            word = _("Usage:")
            prefix = word if _wide(word) else None  # 用法：ledger …, no space after a Chinese colon
        super().write_usage(prog, args, prefix)

    def write_heading(self, heading: str) -> None:
        if not _wide(heading):
            return super().write_heading(heading)
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_text(self, text: str) -> None:
        if not _wide(text):
            return super().write_text(text)
        import wcwidth

        indent = " " * self.current_indent
        for number, paragraph in enumerate(text.split("\n\n")):
            if number:
                self.write("\n")
            if paragraph.startswith("\b\n"):  # click's mark for a paragraph kept as written
                self.write("".join(f"{indent}{line}\n" for line in paragraph[2:].splitlines()))
                continue
            lines = wcwidth.wrap(paragraph, max(self.width - self.current_indent, 11), initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False)
            self.write("".join(f"{line}\n" for line in lines))

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        if not any(_wide(second) for _, second in rows):
            return super().write_dl(rows, col_max, col_spacing)
        import wcwidth

        first_col = min(max((wcwidth.width(first) for first, _ in rows), default=0), col_max) + col_spacing
        text_width = max(self.width - first_col - 2, 10)
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if wcwidth.width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - wcwidth.width(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = [line for paragraph in second.split("\n\n") for line in wcwidth.wrap(paragraph, text_width, break_on_hyphens=False)] or [""]
            self.write(f"{lines[0]}\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n")


class HelpContext(click.Context):
    formatter_class = HelpFormatter


class Spoken:
    """A command or group whose help is told in the reader's language (mixed into click's classes)."""

    context_class = HelpContext

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)  # type: ignore[misc, no-any-return]
        except click.UsageError as e:
            if e.ctx is None:  # click's parser names no command ("--x requires an argument"): the help to see is this one's
                e.ctx = self.context_class(self, info_name=info_name, parent=parent)  # type: ignore[arg-type]
            raise

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        text = help_text(self)  # type: ignore[arg-type]
        if not text:
            return super().format_help_text(ctx, formatter)  # type: ignore[misc, no-any-return]
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(_spoken(text))

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from gettext import gettext as _

        records = []
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            record = param.get_help_record(ctx)
            if record is None or isinstance(param, click.Argument):
                continue
            names, text = record
            if param is self.get_help_option(ctx):  # type: ignore[attr-defined]
                text = _("Show this message and exit.")  # click keeps the option, worded in the first run's language
            own = getattr(param, "help", None) or ""
            if own and text.startswith(own):  # click adds "[default: …]" etc., already in the reader's language
                words = getattr(param.type, "words", None)
                lang = current()
                # a vocabulary option's choices by the vocabulary's words ("常规巡察（regular）、…"), never a second list
                message = getattr(param, "message", None)
                if message is not None:  # a help naming the vocabulary's words (WordedOption)
                    said = message.render(lang)
                else:
                    said = choices(words).label(lang) if words is not None and lang != "en" else _spoken(own)
                text = said + text[len(own):]
            records.append((names, text))
        if records:
            with formatter.section(_("Options")):
                formatter.write_dl(records)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from gettext import gettext as _

        listed = []
        for name in self.list_commands(ctx):  # type: ignore[attr-defined]
            command = self.get_command(ctx, name)  # type: ignore[attr-defined]
            if command is not None and not command.hidden:
                listed.append((name, command))
        if not listed:
            return
        limit = formatter.width - 6 - max(len(name) for name, _c in listed)
        rows = []
        for name, command in listed:
            summary = summary_text(command)
            spoken = _spoken(summary)
            rows.append((name, command.get_short_help_str(limit) if spoken == summary else spoken))
        with formatter.section(_("Commands")):
            formatter.write_dl(rows)


class WordedOption(click.Option):
    """An option whose help is a message naming the vocabulary's words — `help=t("… ({kinds})", kinds=choices(TABLE))`,
    the list its input accepts — rendered in the reader's language (click keeps only the help's English text)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        help = kwargs.get("help")
        super().__init__(*args, **kwargs)
        self.message = help if isinstance(help, Message) else None


class Command(Spoken, click.Command):
    """A command whose docstring and options' help are messages (commands a clerk uses first)."""


class Group(Spoken, click.Group):
    """A group of commands (`person`, `evidence`) listing them in the reader's language."""

    command_class = Command


def _commands(group: click.Group) -> Iterator[click.Command]:
    for command in group.commands.values():
        yield command
        if isinstance(command, click.Group):
            yield from _commands(command)


def help_messages(root: click.Group) -> Iterator[tuple[str, str]]:
    """(msgid, module file) of every summary, and of each Spoken command's help and options' help."""
    for command in [root, *_commands(root)]:
        module = inspect.getmodule(command.callback) if command.callback else None
        where = (module.__name__.replace(".", "/") + ".py") if module else "commands/cli.py"
        if command is not root:
            yield summary_text(command), where
        if isinstance(command, Spoken):
            yield help_text(command), where
            for param in command.params:
                if getattr(param, "help", None) and getattr(param.type, "words", None) is None and getattr(param, "message", None) is None:  # Babel extracts a WordedOption's t("…")
                    yield param.help, where
