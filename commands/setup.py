"""`ledger init`: create ledger.yaml and the store."""

from __future__ import annotations

import time
from pathlib import Path

import click

from commands.i18n import Command
from commands.options import LedgerContext, echo, output_options, pass_ledger, render_record
from ledger.messages import joined, t, tn


@click.command(cls=Command)
@click.option("--admin-key", default=None, metavar="PATH", help="The administrator's private key: used if it exists, else created there (default: keys/admin-LEDGER_ID.pem under the user's config folder).")
@output_options
@pass_ledger
def init(state: LedgerContext, admin_key: str | None, fmt: str) -> None:
    """Create ledger.yaml (if absent) and the store it names, in the current folder.

    Never overwrites: an existing ledger.yaml is kept as it is, and an existing
    store is left untouched. A new ledger is founded by its administrator (the
    acting name): their public key is recorded in the ledger's first event and
    its fingerprint printed, for the supervising office to keep.
    """
    from ledger.config import CONFIG_NAME, SAMPLE, load_config

    if admin_key is not None:
        _check_admin_key(Path(admin_key))  # before anything is made: a wrong file leaves nothing behind
    path = Path(state.config_path) if state.config_path else Path.cwd() / CONFIG_NAME
    created_config = False
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("x", encoding="utf-8") as f:  # "x": never overwrite, even in a race
                f.write(SAMPLE)
            created_config = True
        except FileExistsError:
            pass
    store_before: set[str] = set()
    try:
        config = load_config(path)
        store_before = _store_files(config)
        created_store, upgraded, tree_built = _create_store(config)
        founded = _found(config, state.typed_name(), admin_key)
    except BaseException:
        # Nothing half-made stays: the ledger.yaml and the SQLite files this run created go again.
        if created_config:
            path.unlink(missing_ok=True)
            if "config" in locals():
                for made in _store_files(config) - store_before:
                    _remove(Path(made))
        raise
    record = {
        "config": str(path),
        "config_created": created_config,
        "store": config.store,
        "store_created": created_store,
        "store_upgraded": bool(upgraded),
        "tree_built": tree_built,
        **founded,
    }
    lines = [
        t("created {path}", path=path) if created_config else t("kept existing {path}", path=path),
        t("created store {store}", store=config.store) if created_store else t("kept existing store {store}", store=config.store),
    ]
    if upgraded:
        lines.append(t("upgraded the store to schema {SCHEMA_VERSION}: {upgraded}", SCHEMA_VERSION=SCHEMA_VERSION, upgraded=joined(upgraded)))
    if tree_built is not None:
        lines.append(tn("upgraded the store: built the Merkle tree over its {tree_built} event (earlier checkpoints still verify)", "upgraded the store: built the Merkle tree over its {tree_built} events (earlier checkpoints still verify)", tree_built, tree_built=tree_built))
    if founded.get("founded"):
        lines.append(t("administrator {administrator}: key {admin_key}", administrator=founded['administrator'], admin_key=founded['admin_key']))
        lines.append(t("administrator key fingerprint: {admin_fingerprint} (give it to the supervising office to keep)", admin_fingerprint=founded['admin_fingerprint']))
    else:
        lines.append(t("administrator {administrator} (fingerprint {admin_fingerprint})", administrator=founded['administrator'], admin_fingerprint=founded['admin_fingerprint']))
    if founded.get("founding_recorded") and not founded.get("founded"):
        lines.append(t("recorded the founding event (the administrator's public key) in the ledger"))
    if founded.get("todo"):
        lines.append(t("note: {todo}", todo=founded['todo']))
    echo(render_record(record, fmt, lines))


def _check_admin_key(path: Path) -> None:
    """An --admin-key that exists must be a private key this ledger can use (exit 2 naming what is wrong)."""
    from ledger import identity
    from ledger.errors import InvalidInput, NotAuthorised

    if not path.exists() and not path.is_symlink():
        return  # made there by init
    try:
        identity.load_private_key(path, "--admin-key")
    except NotAuthorised as e:
        raise InvalidInput(str(e)) from None


def _store_files(config: object) -> set[str]:
    """The SQLite store's files and evidence folder as they are now (nothing for a PostgreSQL store)."""
    from ledger.store import is_url

    store = config.store  # type: ignore[attr-defined]
    if is_url(store):
        return set()
    return {name for name in (store, store + "-wal", store + "-shm", store + "-journal", store + ".evidence") if Path(name).exists()}


def _remove(path: Path) -> None:
    import shutil

    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _found(config: object, administrator: str, admin_key: str | None) -> dict[str, object]:
    """Found the ledger once (the application's act: `RectificationLedger.found`); its record, as JSON prints it."""
    from composition import open_ledger

    app = open_ledger(config)
    try:
        return app.found(administrator=administrator, admin_key=admin_key).record
    finally:
        app.close()


def _create_store(config: object) -> tuple[bool, list[str], int | None]:
    """Create the schema once (a second `init` racing this one just waits); (created, upgraded, events put in a new tree)."""
    import sqlite3

    from eventsourcing.persistence import IntegrityError, OperationalError

    from composition import open_ledger
    from ledger.errors import StoreError
    from ledger.store import check_sqlite_store, is_url, parse_pg_url, probe_pg_store, refuse_foreign_file

    from ledger.chain import check_algorithm

    check_algorithm(config.data["hash"])  # type: ignore[attr-defined]  # before anything is created
    store = config.store  # type: ignore[attr-defined]
    existed = False
    if is_url(store):
        existed = probe_pg_store(parse_pg_url(store))[1]
    else:
        try:
            check_sqlite_store(store)
            existed = True
        except StoreError:
            refuse_foreign_file(store)
    for attempt in range(20):
        try:
            app = open_ledger(config, create=True)
            break
        except (OperationalError, IntegrityError, sqlite3.OperationalError):
            time.sleep(0.1 * (attempt + 1))
    else:
        raise StoreError(t("could not create the store {store}: it stayed locked", store=store))
    try:
        upgraded, tree_built = _write_meta(app, config)
    finally:
        app.close()
    return not existed, upgraded, tree_built


def _write_meta(app: object, config: object) -> tuple[list[str], int | None]:
    """Identify this ledger once and bring an older store up to this version; (what upgrading did, events put in a new tree)."""
    from ledger.chain import check_algorithm
    from projections.upgrade import bring_up_to_date

    return bring_up_to_date(app, check_algorithm(config.data["hash"]))  # type: ignore[attr-defined]


from ledger.schema import STORE_SCHEMA_VERSION as SCHEMA_VERSION  # noqa: E402 - said once, beside the schema check


COMMANDS = [init]
