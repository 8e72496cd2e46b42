"""Sensitive fields: `confide` records one encrypted, `reveal` reads them with the key."""

from __future__ import annotations

from typing import Any

import click

from commands.options import LONG_TEXT, PROBLEM_ID, SHORT_TEXT, LedgerContext, echo, output_options, pass_ledger, render_record, render_rows, write_options
from commands.i18n import Command
from ledger.messages import Field, t


@click.command(cls=Command)
@click.argument("problem_id", metavar="ID", type=PROBLEM_ID)
@click.option("--field", type=SHORT_TEXT, required=True, help="whistleblower | case-details.")
@click.option("--value", type=LONG_TEXT, required=True, help="The value; stored encrypted, never in summaries or publications.")
@write_options
@pass_ledger
def confide(state: LedgerContext, problem_id: str, field: str, value: str, at: Any, actor: str | None, fmt: str) -> None:
    """Record a sensitive field of a problem, encrypted at rest (key from the environment)."""
    from ledger.confidential import field_name

    name = field_name(field)
    who = state.actor(actor, act="confidential-record")
    done = state.app.confide(problem_id, field=name, value=value, actor=who, at=at)  # encrypted first: no key, nothing written
    problem = done.problem
    record = {"id": problem.display_id, "event": done.event, "field": name}
    echo(render_record(record, fmt, t("{display_id}: {name} recorded (encrypted)", display_id=problem.display_id, name=Field(name))))


@click.command(cls=Command)
@click.argument("problem_id", metavar="ID")
@output_options
@pass_ledger
def reveal(state: LedgerContext, problem_id: str, fmt: str) -> None:
    """Show a problem's sensitive fields: decrypted with the key, else "[encrypted]"."""
    from ledger.confidential import decrypt

    state.actor(act="sensitive-reading")  # authority check: reading these is restricted
    problem = state.app.get_problem(problem_id)
    rows = [
        {"field": name, "value": decrypt(state.config, entry["ciphertext"], f"{problem.display_id} {name}"), "by": entry["by"], "at": entry["at"].isoformat()}
        for name, entry in sorted(getattr(problem, "sensitive", {}).items())
    ]
    echo(render_rows(rows, fmt, ["field", "value", "by", "at"]))


COMMANDS = [confide, reveal]
