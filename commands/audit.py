"""`ledger audit`: the audit trail (who did what, when and why), and its verification."""

from __future__ import annotations

from typing import Any

import click

from commands import i18n
from commands.options import IntRange, DATE, DATETIME, LedgerContext, Screen, listing_options, pass_ledger
from commands.i18n import Command
from ledger.errors import LedgerError
from ledger.messages import t


@click.command(cls=Command)
@click.option("--inspection", default=None, metavar="CODE", help="Only events of this inspection and its problems.")
@click.option("--problem", default=None, metavar="ID", help="Only events of this problem.")
@click.option("--since", type=DATE, default=None, help="Only events recorded on or after this date.")
@click.option("--until", type=DATE, default=None, help="Only events recorded on or before this date.")
@click.option("--actor", "by_actor", default=None, metavar="NAME", help="Only events by this actor.")
@click.option("--verify", is_flag=True, help="Recompute the hash chain from the first event and check it.")
@click.option("--checkpoint", "checkpoints", multiple=True, metavar="FILE|FOLDER|TEXT", help="With --verify: also prove the ledger still holds the history each signed checkpoint covered (a block, a report, or a folder of them; repeatable).")
@click.option("--public-key", default=None, metavar="FILE|KEY", help="With --checkpoint: the key checkpoints must be signed by (default: the ledger's .pub file).")
@click.option("--fingerprint", "fingerprints", multiple=True, metavar="HEX", help="With --checkpoint: trust the key with this fingerprint (as published; repeatable).")
@click.option("--admin-fingerprint", "admin_fingerprints", multiple=True, metavar="HEX", help="With --verify: the administrator key fingerprint `ledger init` printed; the founding event must carry that key.")
@click.option("--jobs", type=IntRange(1, 64), default=None, help="With --verify: processes that check the chain and tree in parallel, each a slice of the log (default: one per idle CPU on a large ledger).")
@click.option("--full", is_flag=True, help="With --verify: rebuild every derived row from the events, as `replay` does, instead of comparing it with the digest the chain committed.")
@listing_options
@pass_ledger
def audit(state: LedgerContext, inspection: str | None, problem: str | None, since: Any, until: Any, by_actor: str | None, verify: bool, checkpoints: tuple[str, ...], public_key: str | None, fingerprints: tuple[str, ...], admin_fingerprints: tuple[str, ...], jobs: int | None, full: bool, fmt: str, screen: Screen) -> None:
    """Every event in log order: who did what, when and why (or --verify the chain).

    On a terminal: newest first, 30 events unless --limit N or --all.
    """
    if admin_fingerprints and not verify:
        raise click.UsageError(t("--admin-fingerprint goes with --verify"))
    if jobs is not None and not verify:
        raise click.UsageError(t("--jobs goes with --verify"))
    if full and not verify:
        raise click.UsageError(t("--full goes with --verify"))
    if admin_fingerprints:  # garbled is bad input (exit 2), as for --fingerprint, not a replaced administrator
        from ledger.checkpoint import normalise_fingerprint

        admin_fingerprints = tuple(normalise_fingerprint(f, "--admin-fingerprint") for f in admin_fingerprints)
    if verify or checkpoints:
        try:
            from commands.integrity import verify_ledger
        except ImportError:
            raise LedgerError(t("audit --verify is not available in this build")) from None
        verify_ledger(state, checkpoint=checkpoints, fmt=fmt, public_key=public_key, fingerprints=fingerprints, admin_fingerprints=admin_fingerprints, jobs=jobs, full=full)
        return
    try:
        from commands.trail import show_audit_trail
    except ImportError:
        raise LedgerError(t("the audit trail is not available in this build")) from None
    show_audit_trail(state, inspection=inspection, problem=problem, since=since, until=until, actor=by_actor, fmt=fmt, screen=screen)
    if not state.app.signed_mode():
        click.echo(i18n.note_line(t("nobody is enrolled in this ledger (trial mode): the actors above are typed names, not authenticated")), err=True)


COMMANDS = [audit]
