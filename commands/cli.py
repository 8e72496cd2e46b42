"""The `ledger` executable: global options, error handling, command registry."""

from __future__ import annotations

import sys
from typing import Any

import click

from commands.options import LedgerContext
from ledger.errors import LedgerError

EXIT_USAGE = 2


def _one_line(message: str) -> str:
    return " ".join(str(message).split())


STORE_LIBRARIES = ("eventsourcing.", "sqlite3", "psycopg")


def _from_store(error: BaseException) -> bool:
    return any(cls.__module__.startswith(STORE_LIBRARIES) for cls in type(error).__mro__)


class LedgerGroup(click.Group):
    """Turns every user mistake into one line on stderr and an exit code.

    0 ok · 1 rule violation, unknown ID or store problem · 2 usage or config ·
    3 conflict (changed concurrently: retry) · 4 tampering found.
    """

    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> Any:  # type: ignore[override]
        extra.pop("standalone_mode", None)
        try:
            result = super().main(args=args, prog_name=prog_name or "ledger", standalone_mode=False, **extra)
        except click.UsageError as e:
            command = e.ctx.command_path if e.ctx else "ledger"
            click.echo(f"ledger: error: {_one_line(e.format_message())} (see `{command} --help`)", err=True)
            sys.exit(EXIT_USAGE)
        except click.ClickException as e:
            click.echo(f"ledger: error: {_one_line(e.format_message())}", err=True)
            sys.exit(e.exit_code)
        except click.Abort:
            click.echo("ledger: aborted", err=True)
            sys.exit(1)
        except LedgerError as e:
            click.echo(f"ledger: error: {_one_line(str(e))}", err=True)
            sys.exit(e.exit_code)
        except UnicodeDecodeError:
            # Inputs reach commands as text, and files are read with their own checks:
            # undecodable bytes here come from damaged stored text.
            click.echo("ledger: error: store error: stored text is not valid UTF-8 (a damaged store file?)", err=True)
            sys.exit(1)
        except Exception as e:
            # A store failure no command foresaw (damaged file, disk full, lost
            # server): still one line, never a traceback.
            if not _from_store(e):
                raise
            click.echo(f"ledger: error: store error: {_one_line(str(e)) or type(e).__name__}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("ledger: interrupted; nothing half-written is kept", err=True)
            sys.exit(130)
        sys.exit(result if isinstance(result, int) else 0)


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
@click.version_option(package_name="rectification-ledger", prog_name="ledger")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, actor: str | None) -> None:
    """An append-only, event-sourced ledger of inspection rectification work
    (巡视巡察整改): problems fed back, measures taken, verification, sign-off
    (对账销号), and the watch against relapse (防止回潮反弹).

    Every act is a permanent, attributable event; status, history and
    summaries are computed from those events.
    """
    state = LedgerContext(config_path, actor)
    ctx.obj = state
    ctx.call_on_close(state.close)


def register_commands() -> None:
    # One module per group of commands; add a new group's module here.
    from commands import (
        audit,
        confidential,
        deadlines,
        doctor,
        evidence,
        feedback,
        lifecycle,
        migrate,
        maintenance,
        people,
        publication,
        reading,
        registration,
        sampling,
        serve,
        setup,
        sheet,
    )

    for module in (
        setup, registration, lifecycle, reading, audit, feedback, deadlines, sampling,
        publication, sheet, maintenance, evidence, confidential, doctor, migrate, people, serve,
    ):
        for command in module.COMMANDS:
            cli.add_command(command)


register_commands()


def main() -> None:
    cli.main(prog_name="ledger")
