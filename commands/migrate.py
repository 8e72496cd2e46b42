"""`ledger migrate --to postgresql://…`: move a SQLite ledger onto a shared server.

How the copy is made, resumed and verified: ledger/migration.py.
"""

from __future__ import annotations

import click

from commands.options import key_option, LedgerContext, echo, output_options, pass_ledger, render_record
from commands.i18n import Command
from ledger.errors import InvalidInput, StoreError
from ledger.messages import t, tn


@click.command(cls=Command)
@click.option("--to", "target", required=True, metavar="URL", help="The empty PostgreSQL store: postgresql://user@host:port/db.")
@key_option
@output_options
@pass_ledger
def migrate(state: LedgerContext, target: str, fmt: str) -> None:
    """Copy this (SQLite) ledger into an empty PostgreSQL store and verify the copy.

    Afterwards point `store:` in ledger.yaml (or LEDGER_STORE) at the URL.
    """
    from eventsourcing.persistence import PersistenceError

    from ledger.store import describe_store, is_url, parse_pg_url

    source = state.config.store
    if is_url(source):
        raise InvalidInput(t("the store is already {describe_store}: migrate copies a SQLite ledger", describe_store=describe_store(source)))
    if not is_url(target):
        raise InvalidInput(t("--to must be a postgresql://user@host:port/db URL"))
    location = parse_pg_url(target)
    state.app  # noqa: B018 - fails with one line if the source is not a ledger
    state.actor(act="migration")  # copying the whole ledger is an act of someone allowed to
    from commands.progress import progress

    from composition import ledger_over
    from ledger.migration import migrate_store
    from ledger.store import store_env

    try:
        with progress(t("copying the events"), fmt) as report:
            app = ledger_over(store_env(target, create=True))  # the recorder writes read models, chain and tree as on any insert
            try:
                counts = migrate_store(source, target, app, report)
            finally:
                app.close()
    except PersistenceError as e:
        raise StoreError(t("migration to {location} failed: {e}", location=location, e=e)) from None
    record = {"source": source, "target": str(location), **counts, "verified": True}
    echo(render_record(record, fmt, t("copied {events} and {rows} to {location}; verified", events=tn("{n} event", "{n} events", counts['events'], n=counts['events']), rows=tn("{n} derived-table row", "{n} derived-table rows", counts['rows'], n=counts['rows']), location=location)))


COMMANDS = [migrate]
