"""The CLI's language: the running command's, and its error and note lines; the words of tables are
projections.words (shared with the web view).

Translation happens only at the interface boundary — table headings and
status words when a table is printed, and error lines in the CLI's error
handler — so the domain keeps its stable English rule ids and JSON keeps
English keys and values.

The language: the global `--lang`, else LEDGER_LANG, else `language:` in
ledger.yaml, else zh.
"""

from __future__ import annotations

import os
from typing import Any, Callable

from ledger.messages import Message, either, t

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
    lang = "zh"
    if env[:2] in LANGS:
        lang = env[:2]
    else:
        try:
            if _config_of_command is not None:
                lang = _config_of_command().data.get("language", "zh")
            else:
                from ledger.config import load_config

                lang = load_config(config_path, required=False).data.get("language", "zh")
        except Exception:  # a broken ledger.yaml is reported by the command itself
            lang = "zh"
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

PREFIX = {"zh": "ledger: 错误: ", "en": "ledger: error: "}

NOTE_PREFIX = {"zh": "ledger: 提示: ", "en": "ledger: note: "}


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
    import click

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
