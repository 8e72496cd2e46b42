"""`ledger init`: create ledger.yaml and the store."""

from __future__ import annotations

import time
from pathlib import Path

import click

from commands.options import LedgerContext, echo, output_options, pass_ledger, render_record


@click.command()
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
        f"{'created' if created_config else 'kept existing'} {path}",
        f"{'created' if created_store else 'kept existing'} store {config.store}",
    ]
    if upgraded:
        lines.append(f"upgraded the store to schema {SCHEMA_VERSION}: {'; '.join(upgraded)}")
    if tree_built is not None:
        lines.append(f"upgraded the store: built the Merkle tree over its {tree_built} events (earlier checkpoints still verify)")
    if founded.get("founded"):
        lines.append(f"administrator {founded['administrator']}: key {founded['admin_key']}")
        lines.append(f"administrator key fingerprint: {founded['admin_fingerprint']} (give it to the supervising office to keep)")
    else:
        lines.append(f"administrator {founded['administrator']} (fingerprint {founded['admin_fingerprint']})")
    if founded.get("founding_recorded") and not founded.get("founded"):
        lines.append("recorded the founding event (the administrator's public key) in the ledger")
    if founded.get("todo"):
        lines.append(f"note: {founded['todo']}")
    echo(render_record(record, fmt, "\n".join(lines)))


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
    """Found the ledger once: the administrator's key pair, noted in ledger_meta and recorded as LedgerFounded.

    A new ledger's founding event is its first event (the genesis), signed by
    the administrator's key. A ledger made before founding events existed gets
    it now, at the end of its log, if the administrator's key is at hand;
    otherwise the result says what to run. Trial mode is unchanged: nobody is
    enrolled, acts stay unsigned.
    """
    from composition import open_ledger
    from ledger import identity

    app = open_ledger(config)
    try:
        authority = app.authority()
        if authority is not None:
            return {"founded": False, "founding_event": True, "administrator": authority.administrator, "admin_fingerprint": authority.admin_fingerprint}
        noted = identity.noted_administrator(app)
        path = Path(admin_key) if admin_key else identity.default_admin_key(app.ledger_id())
        if noted is None:
            if app.policy.get("actor_is_login") and app.login is not None and administrator != app.login:
                from ledger.errors import NotAuthorised

                raise NotAuthorised(
                    f"policy.actor_is_login: the database login is '{app.login}': the administrator who founds this ledger "
                    f"must act as {app.login} (run `ledger init` as {app.login}); the store is made, nothing else written"
                )
            if not path.is_file():
                identity.write_key_pair(path)
            raw = identity.raw_public_of(identity.load_private_key(path, "--admin-key"))
            identity.note_administrator(app, administrator, raw)
            noted = identity.noted_administrator(app)  # another `init` at the same moment may have noted its own
            assert noted is not None
            created = noted[1] == raw
        else:
            created = False
        name, raw = noted
        if not path.is_file():
            return {
                "founded": False, "founding_event": False, "administrator": name, "admin_fingerprint": identity.fingerprint(raw),
                "todo": f"the founding event is not recorded yet: the administrator's key (fingerprint {identity.fingerprint(raw)}) "
                f"is not at {path}: run `ledger init --admin-key PATH` with it (or it is recorded with the first `ledger person add`)",
            }
        key = identity.load_private_key(path, "--admin-key")
        if identity.raw_public_of(key) != raw:
            return {
                "founded": False, "founding_event": False, "administrator": name, "admin_fingerprint": identity.fingerprint(raw),
                "todo": f"the founding event is not recorded yet: {path} is not the administrator key noted for this ledger "
                f"(fingerprint {identity.fingerprint(raw)}): run `ledger init --admin-key PATH` with that key",
            }
        if app.policy.get("actor_is_login") and app.login is not None and name != app.login:
            from ledger.errors import NotAuthorised

            raise NotAuthorised(
                f"policy.actor_is_login: the database login is '{app.login}', but the administrator noted for this ledger is {name}: "
                f"the founding event is not recorded (run `ledger init` as {app.login}, or set actor_is_login: false for it)"
            )
        recorded, now = identity.record_founding(app, name, key, raw)
        founded = {
            "founded": created, "founding_event": True, "founding_recorded": now,
            "administrator": recorded.administrator, "admin_fingerprint": recorded.admin_fingerprint,
        }
        if created:
            founded["admin_key"] = str(path)
        return founded
    finally:
        app.close()


def _create_store(config: object) -> tuple[bool, list[str], int | None]:
    """Create the schema once (a second `init` racing this one just waits); (created, upgraded, events put in a new tree)."""
    import sqlite3

    from eventsourcing.persistence import IntegrityError, OperationalError

    from composition import open_ledger
    from ledger.errors import StoreError
    from ledger.store import check_sqlite_store, is_url, parse_pg_url, probe_pg_store

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
            if Path(store).exists() and Path(store).stat().st_size > 0:
                # A file that is not an (initialised) ledger: creating tables in it
                # is all right only if it is an empty SQLite database.
                try:
                    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
                    names = con.execute("SELECT name FROM sqlite_master").fetchall()
                    con.close()
                except sqlite3.DatabaseError:
                    raise StoreError(f"{store} exists and is not a SQLite database: not touching it") from None
                if names and not any(n[0] == "stored_events" for n in names):
                    raise StoreError(f"{store} is a SQLite database of something else: not touching it")
    for attempt in range(20):
        try:
            app = open_ledger(config, create=True)
            break
        except (OperationalError, IntegrityError, sqlite3.OperationalError):
            time.sleep(0.1 * (attempt + 1))
    else:
        raise StoreError(f"could not create the store {store}: it stayed locked")
    try:
        upgraded, tree_built = _write_meta(app, config)
    finally:
        app.close()
    return not existed, upgraded, tree_built


def _write_meta(app: object, config: object) -> tuple[list[str], int | None]:
    """Identify this ledger once: its ID, when it was created, its hash algorithm; (what upgrading did, events put in a new tree)."""
    import uuid
    from datetime import datetime, timezone

    from ledger.chain import check_algorithm

    algorithm = check_algorithm(config.data["hash"])  # type: ignore[attr-defined]

    mark = app.recorder.placeholder  # type: ignore[attr-defined]
    with app.recorder.datastore.transaction(commit=True) as c:  # type: ignore[attr-defined]
        for key, value in (
            ("ledger_id", str(uuid.uuid4())),
            ("created_at", datetime.now(timezone.utc).isoformat(timespec="seconds")),
            ("schema_version", SCHEMA_VERSION),
            ("hash_algorithm", algorithm),
        ):
            c.execute(f"INSERT INTO ledger_meta (key, value) VALUES ({mark}, {mark}) ON CONFLICT (key) DO NOTHING", (key, value))
        upgraded, built = _upgrade(c, mark), _build_tree(c, mark, app.recorder.position_column)  # type: ignore[attr-defined]
        indexed = _fill_similarity_index(c, mark)
        if indexed:
            upgraded.append(f"similarity index built over {indexed} problems")
        for statement in app.read_side.schema.after_upgrade:  # type: ignore[attr-defined]
            c.execute(statement)  # after the upgrade: the overdue index needs the `parent` column
        # From now on the store has its Merkle tree: verification refuses a store whose tree table is gone.
        c.execute(f"INSERT INTO ledger_meta (key, value) VALUES ({mark}, {mark}) ON CONFLICT (key) DO NOTHING", ("merkle_tree", "rfc9162"))
        return upgraded, built


def _fill_similarity_index(c: object, mark: str) -> int:
    """A store made before the similarity index (`ledger similar`): index its problems once; how many."""
    from projections.similarity import DOCS, rebuild_index

    factory = getattr(c, "row_factory", None)
    if mark != "?":  # PostgreSQL: rows as tuples here, as the write path reads them
        from psycopg.rows import tuple_row

        c.row_factory = tuple_row  # type: ignore[attr-defined]
    try:
        c.execute(f"SELECT (SELECT COUNT(*) FROM ledger_problems), (SELECT COUNT(*) FROM {DOCS})")  # type: ignore[attr-defined]
        problems, indexed = (int(v) for v in tuple(c.fetchone()))  # type: ignore[attr-defined]
        if not problems or indexed:
            return 0
        if mark != "?":
            c.execute("LOCK TABLE stored_events IN EXCLUSIVE MODE")  # type: ignore[attr-defined]
        return rebuild_index(c, mark)
    finally:
        if mark != "?":
            c.row_factory = factory  # type: ignore[attr-defined]


def _build_tree(c: object, mark: str, position: str) -> int | None:
    """A store made before the Merkle tree: build it over the existing events in one pass (None if nothing to do)."""
    from ledger.merkle import build_tree, stored_size

    factory = getattr(c, "row_factory", None)
    if mark != "?":  # PostgreSQL: rows as tuples here; hold writers off while building (SQLite: the meta INSERT took the write lock)
        from psycopg.rows import tuple_row

        c.row_factory = tuple_row  # type: ignore[attr-defined]
    try:
        if stored_size(c) > 0:
            return None
        if mark != "?":
            c.execute("LOCK TABLE stored_events IN EXCLUSIVE MODE")  # type: ignore[attr-defined]
        return build_tree(c, mark, position=position) or None
    finally:
        if mark != "?":
            c.row_factory = factory  # type: ignore[attr-defined]


# 2: per-category totals (ledger_category_totals) kept by triggers.
# 3: the totals count refined problems (细化) under their parent, not as problems of their own,
#    and keep the extended ones (申请延期整改) in a new column.
# 4: ledger_problems carries the columns `status` lists (title, person, measures done/total,
#    escalation), so a full listing never decodes the problems' JSON views.
# 5: ledger_problems.parent (a refined problem's parent, NULL otherwise), also in the overdue index
#    (status, deadline, category, parent): the whole-ledger summary counts overdue problems from it.
# 6: the similarity index (ledger_similar_docs, _terms, _df) and the confirmed links between problems
#    (ledger_problem_links), written in the event transaction (`ledger similar`, `ledger link`).
from ledger.schema import STORE_SCHEMA_VERSION as SCHEMA_VERSION  # noqa: E402 - said once, beside the schema check

# The totals triggers of an earlier schema, replaced on upgrade.
SQLITE_OLD_TRIGGERS = ("ledger_totals_insert", "ledger_totals_update", "ledger_totals_delete")

# Problems whose status-row columns are filled per statement when upgrading (bounded memory).
UPGRADE_BATCH = 2000


def _upgrade(c: object, mark: str) -> list[str]:
    """Bring a store made by an earlier version up to SCHEMA_VERSION (its new tables exist by now, empty); what was done."""
    c.execute("SELECT value FROM ledger_meta WHERE key = 'schema_version'")  # type: ignore[attr-defined]
    row = c.fetchone()  # type: ignore[attr-defined]
    version = str(row["value"]) if row is not None else SCHEMA_VERSION
    if version not in ("1", "2", "3", "4", "5"):
        return []
    if mark != "?":  # PostgreSQL: hold writers off while upgrading (SQLite: the meta INSERT took the write lock)
        c.execute("LOCK TABLE stored_events IN EXCLUSIVE MODE")  # type: ignore[attr-defined]
    done = []
    if version in ("1", "2"):
        _recount_totals(c, mark)
        done.append("per-category totals recounted (refined problems count under their parent)")
    if version != "5":
        filled = _fill_added_columns(c, mark)
        done.append(f"status and parent columns filled for {filled} problems")
        # The overdue index of an earlier schema lacks `parent`: dropped here, made again by _write_meta.
        c.execute("DROP INDEX IF EXISTS ledger_problems_by_deadline")  # type: ignore[attr-defined]
    # 6's similarity index is filled by _write_meta (_fill_similarity_index), for every earlier version.
    c.execute(f"UPDATE ledger_meta SET value = {mark} WHERE key = 'schema_version'", (SCHEMA_VERSION,))  # type: ignore[attr-defined]
    return done


def _recount_totals(c: object, mark: str) -> None:
    from projections.summary import has_totals
    from projections.tables import PG_TRIGGERS, RECOUNT_TOTALS, SQLITE_TRIGGERS

    if mark != "?":
        triggers = list(PG_TRIGGERS)
    else:
        triggers = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_OLD_TRIGGERS] + list(SQLITE_TRIGGERS)
    if not has_totals(c, mark):  # the table exists by now: only its `extended` column may be missing
        c.execute("ALTER TABLE ledger_category_totals ADD COLUMN extended INTEGER NOT NULL DEFAULT 0")  # type: ignore[attr-defined]
    for statement in triggers + RECOUNT_TOTALS:
        c.execute(statement)  # type: ignore[attr-defined]


def _fill_added_columns(c: object, mark: str) -> int:
    """Add the columns of schemas 4 and 5 and fill them from each problem's stored view, in one pass; how many problems.

    Written by the same function as every save (projections.tables.added_values), so
    `replay` checks them like any other column. Pages of UPGRADE_BATCH problems keep memory flat.
    """
    import json

    from projections.tables import ADDED_COLUMNS, ADDED_DDL, added_values, stored_problem_columns

    present = set(stored_problem_columns(c))
    for column, statement in zip(ADDED_COLUMNS, ADDED_DDL):
        if column not in present:
            c.execute(statement)  # type: ignore[attr-defined]
    # The per-category totals triggers fire on UPDATE too; these columns do not change any total.
    update = f"UPDATE ledger_problems SET {', '.join(f'{col} = {mark}' for col in ADDED_COLUMNS)} WHERE id = {mark}"
    filled, after = 0, ""
    while True:
        c.execute(f"SELECT id, data FROM ledger_problems WHERE id > {mark} ORDER BY id LIMIT {UPGRADE_BATCH}", (after,))  # type: ignore[attr-defined]
        rows = c.fetchall()  # type: ignore[attr-defined]
        if not rows:
            return filled
        c.executemany(update, [(*added_values(json.loads(r["data"])), r["id"]) for r in rows])  # type: ignore[attr-defined]
        filled += len(rows)
        after = rows[-1]["id"]


COMMANDS = [init]
