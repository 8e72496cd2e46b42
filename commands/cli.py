"""The `ledger` executable: global options, error handling, command registry."""

from __future__ import annotations

import sys
from typing import Any

import click

from commands.i18n import Spoken, error_line
from commands.options import Choice, LedgerContext
from ledger.errors import LedgerError
from ledger.messages import Data, Field, Message, choices, render, speak_in_libraries, t

EXIT_USAGE = 2


def _one_line(message: str) -> str:
    if isinstance(message, Message):
        return message  # made one line as it is rendered (error_line)
    return " ".join(str(message).split())


class _Clause(Data):
    """A usage error followed by its hint, without a full stop of its own: "… 之内（见 …）", "… 1<=x<=64 (see …)"
    (click ends some of its messages with one)."""

    def __new__(cls, message: Any) -> "_Clause":
        self = super().__new__(cls, str(message).rstrip("."))
        self.message = message
        return self

    def label(self, lang: str) -> str:
        return " ".join(render(self.message, lang).split()).rstrip("。.")


STORE_LIBRARIES = ("eventsourcing.", "sqlite3", "psycopg")


def _from_store(error: BaseException) -> bool:
    return any(cls.__module__.startswith(STORE_LIBRARIES) for cls in type(error).__mro__)


def _unreadable_argument(args: list[Any]) -> str | None:
    """An argument that is not text at all (bytes that are not UTF-8, a NUL): refused before any command runs."""
    for number, arg in enumerate(args, 1):
        text = str(arg)
        if "\x00" in text:
            return t("argument {number} contains a NUL character", number=number)
        if any("\ud800" <= ch <= "\udfff" for ch in text):
            return t("argument {number} is not valid UTF-8 text", number=number)
    return None


def _broken_history(error: BaseException) -> str | None:
    """What is wrong when an aggregate's stored events cannot be folded: one was deleted or reordered."""
    name = type(error).__name__
    if name == "OriginatorVersionError":
        numbers = [a for a in error.args if isinstance(a, int)]
        detail = f" (version {numbers[0]} where version {numbers[1]} was expected)" if len(numbers) == 2 else ""
        return t("an aggregate's stored events are not consecutive{detail}: an event was deleted or reordered", detail=detail)
    if isinstance(error, AssertionError):
        frame = error.__traceback__
        while frame is not None and frame.tb_next is not None:
            frame = frame.tb_next
        if frame is not None and "eventsourcing" in frame.tb_frame.f_code.co_filename:
            return t("an aggregate's history does not start with its creation event: an event was deleted")
    return None


class _Interrupted(Exception):
    """Ctrl-C inside a command, carried past click (which would print a blank line and call it aborted)."""


def _interrupted() -> None:
    """One line and exit 130; the writers have already taken back what they began (a transaction, a temporary file)."""
    from commands import i18n

    click.echo(i18n.translate(t("ledger: interrupted; nothing half-written is kept"), i18n.current()), err=True)
    sys.exit(130)


class LedgerGroup(Spoken, click.Group):
    """Turns every user mistake into one line on stderr and an exit code.

    0 ok · 1 rule violation, unknown ID or store problem · 2 usage or config ·
    3 conflict (changed concurrently: retry) · 4 tampering found.

    Commands are loaded when named (click's lazy subcommands): see COMMAND_MODULES.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMAND_MODULES) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            _load(COMMAND_MODULES[cmd_name])
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise _Interrupted() from None

    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> Any:  # type: ignore[override]
        extra.pop("standalone_mode", None)
        from commands import i18n

        argv = sys.argv[1:] if args is None else list(args)
        # --lang and --config read before click parses: its own errors (no such command, a missing option) and
        # --help are told before the group's callback runs; else LEDGER_LANG or ledger.yaml, else zh.
        lang = i18n.option_before_command([str(a) for a in argv], "--lang")
        i18n.remember(lang if lang in i18n.LANGS else None, i18n.option_before_command([str(a) for a in argv], "--config"))
        speak_in_libraries(i18n.current())
        unreadable = _unreadable_argument(argv)
        if unreadable:
            click.echo(error_line(unreadable), err=True)
            sys.exit(EXIT_USAGE)
        try:
            result = super().main(args=args, prog_name=prog_name or "ledger", standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as e:
            # `ledger` alone: the help, as --help prints it, not squeezed into an error line.
            click.echo(e.ctx.get_help() if e.ctx else e.format_message())
            sys.exit(0)
        except click.UsageError as e:
            command = e.ctx.command_path if e.ctx else "ledger"
            click.echo(error_line(t("{format_message} (see `{command} --help`)", format_message=_Clause(_one_line(i18n.usage_message(e))), command=command)), err=True)
            sys.exit(EXIT_USAGE)
        except click.ClickException as e:
            click.echo(error_line(_one_line(e.format_message())), err=True)
            sys.exit(e.exit_code)
        except _Interrupted:
            _interrupted()
        except click.Abort as e:
            if isinstance(e.__cause__, KeyboardInterrupt):
                _interrupted()
            from commands import i18n

            click.echo(i18n.translate(t("ledger: aborted"), i18n.current()), err=True)
            sys.exit(1)
        except LedgerError as e:
            click.echo(error_line(_one_line(str(e))), err=True)
            sys.exit(e.exit_code)
        except UnicodeDecodeError:
            # Inputs reach commands as text, and files are read with their own checks:
            # undecodable bytes here come from damaged stored text.
            click.echo(error_line(t("store error: stored text is not valid UTF-8 (a damaged store file?)")), err=True)
            sys.exit(1)
        except Exception as e:
            broken = _broken_history(e)
            if broken:
                click.echo(error_line(t("tampering found: {broken}: run `ledger audit --verify` to find the event", broken=broken)), err=True)
                sys.exit(4)
            # A store failure no command foresaw (damaged file, disk full, lost
            # server): still one line, never a traceback.
            if not _from_store(e):
                raise
            click.echo(error_line(t("store error: {value}", value=_one_line(str(e)) or type(e).__name__)), err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            _interrupted()
        sys.exit(result if isinstance(result, int) else 0)


class _VersionLine(str):
    """click's --version line (its msgid): click fills it in with %, and it is worded then, in the reader's language
    (click's own default is worded once, when this module is imported)."""

    def __mod__(self, values: Any) -> str:  # type: ignore[override]
        from gettext import gettext as _

        return _(str.__str__(self)) % values


@click.group(cls=LedgerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    envvar="LEDGER_CONFIG",
    default=None,
    metavar="PATH",
    help="ledger.yaml to use (env LEDGER_CONFIG; default: ./ledger.yaml, searched upward).",
)
@click.option(
    "--actor",
    envvar="LEDGER_ACTOR",
    default=None,
    help="Who is acting, recorded on every event (env LEDGER_ACTOR; default: the OS user).",
)
@click.option(
    "--lang",
    type=Choice(["zh", "en"]),
    default=None,
    help="Language on screen: zh (default) or en (env LEDGER_LANG; ledger.yaml language:). JSON is always English.",
)
@click.version_option(package_name="rectification-ledger", prog_name="ledger", message=_VersionLine("%(prog)s, version %(version)s"))
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, actor: str | None, lang: str | None) -> None:
    """An append-only, event-sourced ledger of inspection rectification work:
    problems fed back, measures taken, verification, sign-off, and the watch
    against relapse.

    Every act is a permanent, attributable event; status, history and
    summaries are computed from those events.
    """
    import os

    from commands import i18n

    env = os.environ.get("LEDGER_LANG", "").strip()
    if lang is None and env and env[:2].lower() not in ("zh", "en"):  # refused like --lang fr, not silently ignored
        raise click.UsageError(t("{what}: '{value}' is not one of {choices}", what=Field("LEDGER_LANG"), value=env[:20], choices=choices({"zh": "zh", "en": "en"})))
    state = LedgerContext(config_path, actor, lang)
    i18n.remember(lang, config_path, lambda: state.config)
    speak_in_libraries(i18n.current())  # click's own errors about this command's options, in its language
    ctx.obj = state
    ctx.call_on_close(state.close)


# The module of each command: running one command imports only its module (start-up time is a feature);
# `ledger --help` and register_commands() import them all. tests/test_cli_surface.py keeps this in step with each module's COMMANDS.
COMMAND_MODULES: dict[str, str] = {
    "init": "setup",
    **dict.fromkeys(["add-inspection", "add-problem"], "registration"),
    **dict.fromkeys(["assign", "plan", "done", "verify", "close", "review", "reopen", "correct"], "lifecycle"),
    **dict.fromkeys(["show", "status", "history"], "reading"),
    "audit": "audit",
    **dict.fromkeys(["import", "reconcile"], "feedback"),
    **dict.fromkeys(["due", "escalate", "progress", "reviews", "extend", "approve-extension"], "deadlines"),
    **dict.fromkeys(["sample", "samples"], "sampling"),
    **dict.fromkeys(["summary", "publish", "withhold"], "publication"),
    "sheet": "sheet",
    "replay": "maintenance",
    **dict.fromkeys(["keygen", "checkpoint", "export", "verify-export", "import-log", "evidence"], "evidence"),
    **dict.fromkeys(["prove-consistency", "verify-consistency"], "proofs"),
    **dict.fromkeys(["confide", "reveal"], "confidential"),
    "doctor": "doctor",
    "migrate": "migrate",
    "person": "people",
    "serve": "serve",
    **dict.fromkeys(["similar", "link", "profile", "propagate", "not-found"], "recurrence"),
}


def _load(module_name: str) -> None:
    import importlib

    module = importlib.import_module(f"commands.{module_name}")
    for command in module.COMMANDS:
        if command.name not in cli.commands:
            cli.add_command(command)


def register_commands() -> None:
    """Import every command module (for code that walks `cli.commands`)."""
    for module_name in dict.fromkeys(COMMAND_MODULES.values()):
        _load(module_name)


def main() -> None:
    cli.main(prog_name="ledger")
