"""Bringing a store made by an earlier version up to this one (`ledger init`), and identifying a new one.

The read models gain columns, recounted totals and indexes that a replay of the
events would give them; every value is written by the same functions as every
save (projections.tables), so `replay` checks them like any other row.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from ledger.messages import t, tn
from ledger.schema import STORE_SCHEMA_VERSION as SCHEMA_VERSION


# What each schema version (SCHEMA_VERSION) added, and an upgrade makes:
# 2: per-category totals (ledger_category_totals) kept by triggers.
# 3: the totals count refined problems (细化) under their parent, not as problems of their own,
#    and keep the extended ones (申请延期整改) in a new column.
# 4: ledger_problems carries the columns `status` lists (title, person, measures done/total,
#    escalation), so a full listing never decodes the problems' JSON views.
# 5: ledger_problems.parent (a refined problem's parent, NULL otherwise), also in the overdue index
#    (status, deadline, category, parent): the whole-ledger summary counts overdue problems from it.
# 6: the similarity index (ledger_similar_docs, _terms, _df) and the confirmed links between problems
#    (ledger_problem_links), written in the event transaction (`ledger similar`, `ledger link`).
# 7: the digests of the derived rows each write commits with its events (ledger_row_digests, covered
#    by the chain). An upgraded store's rows written before have none: they are checked by rebuilding.
# 8: the similarity postings one row per term and write (a list of problems), read through an index on
#    the term, instead of one row per term and problem clustered by term (an import writes a tenth of
#    the rows); the rows of 6 and 7 are rewritten (renew_old_postings).
#    The overdue index also holds the measure counts (every measure done stops the deadline, issue 25):
#    dropped on upgrade, made again by bring_up_to_date.

# The totals triggers of an earlier schema, replaced on upgrade.
SQLITE_OLD_TRIGGERS = ("ledger_totals_insert", "ledger_totals_update", "ledger_totals_delete")

# Problems whose status-row columns are filled per statement when upgrading (bounded memory).
UPGRADE_BATCH = 2000


def upgrade_read_models(c: Any, mark: str) -> list[str]:
    """Bring a store made by an earlier version up to SCHEMA_VERSION (its new tables exist by now, empty); what was done."""
    c.execute("SELECT value FROM ledger_meta WHERE key = 'schema_version'")
    row = c.fetchone()
    version = str(row["value"]) if row is not None else SCHEMA_VERSION
    if version not in ("1", "2", "3", "4", "5", "6", "7"):
        return []
    # 8: the overdue index of an earlier schema lacks the measure counts: dropped here, made again by bring_up_to_date.
    c.execute("DROP INDEX IF EXISTS ledger_problems_by_deadline")
    if version == "7":  # 8's postings are rewritten by bring_up_to_date (renew_old_postings)
        c.execute(f"UPDATE ledger_meta SET value = {mark} WHERE key = 'schema_version'", (SCHEMA_VERSION,))
        return []
    # 7: the digest table exists by now; the rows written before have none, so verification rebuilds them.
    c.execute(
        f"INSERT INTO ledger_meta (key, value) VALUES ('digests_since', (SELECT CAST(COALESCE(MAX(seq), 0) AS TEXT) FROM ledger_chain)) ON CONFLICT (key) DO NOTHING"
    )
    if version == "6":
        c.execute(f"UPDATE ledger_meta SET value = {mark} WHERE key = 'schema_version'", (SCHEMA_VERSION,))
        return [t("derived-row digests are committed from the next write on (rows written before are checked by rebuilding them)")]
    if mark != "?":  # PostgreSQL: hold writers off while upgrading (SQLite: the meta INSERT took the write lock)
        c.execute("LOCK TABLE stored_events IN EXCLUSIVE MODE")
    done = []
    if version in ("1", "2"):
        _recount_totals(c, mark)
        done.append(t("per-category totals recounted (refined problems count under their parent)"))
    if version != "5":
        filled = _fill_added_columns(c, mark)
        done.append(tn("status and parent columns filled for {filled} problem", "status and parent columns filled for {filled} problems", filled, filled=filled))
    # 6's similarity index is filled by bring_up_to_date (index_unindexed_problems), for every earlier version.
    c.execute(f"UPDATE ledger_meta SET value = {mark} WHERE key = 'schema_version'", (SCHEMA_VERSION,))
    return done


def _recount_totals(c: Any, mark: str) -> None:
    from projections.summary import has_totals
    from projections.tables import PG_TRIGGERS, RECOUNT_TOTALS, SQLITE_TRIGGERS

    if mark != "?":
        triggers = list(PG_TRIGGERS)
    else:
        triggers = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_OLD_TRIGGERS] + list(SQLITE_TRIGGERS)
    if not has_totals(c, mark):  # the table exists by now: only its `extended` column may be missing
        c.execute("ALTER TABLE ledger_category_totals ADD COLUMN extended INTEGER NOT NULL DEFAULT 0")
    for statement in triggers + RECOUNT_TOTALS:
        c.execute(statement)


def _fill_added_columns(c: Any, mark: str) -> int:
    """Add the columns of schemas 4 and 5 and fill them from each problem's stored view, in one pass; how many problems.

    Written by the same function as every save (projections.tables.added_values), so
    `replay` checks them like any other column. Pages of UPGRADE_BATCH problems keep memory flat.
    """
    import json

    from projections.tables import ADDED_COLUMNS, ADDED_DDL, added_values, stored_problem_columns

    present = set(stored_problem_columns(c))
    for column, statement in zip(ADDED_COLUMNS, ADDED_DDL):
        if column not in present:
            c.execute(statement)
    # The per-category totals triggers fire on UPDATE too; these columns do not change any total.
    update = f"UPDATE ledger_problems SET {', '.join(f'{col} = {mark}' for col in ADDED_COLUMNS)} WHERE id = {mark}"
    filled, after = 0, ""
    while True:
        c.execute(f"SELECT id, data FROM ledger_problems WHERE id > {mark} ORDER BY id LIMIT {UPGRADE_BATCH}", (after,))
        rows = c.fetchall()
        if not rows:
            return filled
        c.executemany(update, [(*added_values(json.loads(r["data"])), r["id"]) for r in rows])
        filled += len(rows)
        after = rows[-1]["id"]


def bring_up_to_date(app: Any, algorithm: str) -> tuple[list[str], int | None]:
    """Identify the ledger once (its ID, when it was created, its hash algorithm) and upgrade a store of an earlier schema.

    What `ledger init` does to the store, in one transaction: the read models' new columns filled, the
    totals recounted, the Merkle tree and the similarity index built where the store predates them, then
    what the composition root makes after an upgrade. Returns (what upgrading did, the events a new tree was
    built over, or None).
    """
    import uuid
    from datetime import datetime, timezone

    mark = app.recorder.placeholder
    with app.recorder.datastore.transaction(commit=True) as c:
        for key, value in (
            ("ledger_id", str(uuid.uuid4())),
            ("created_at", datetime.now(timezone.utc).isoformat(timespec="seconds")),
            ("schema_version", SCHEMA_VERSION),
            ("hash_algorithm", algorithm),
        ):
            c.execute(f"INSERT INTO ledger_meta (key, value) VALUES ({mark}, {mark}) ON CONFLICT (key) DO NOTHING", (key, value))
        upgraded, built = upgrade_read_models(c, mark), build_missing_tree(c, mark, app.recorder.position_column)
        renewed = renew_old_postings(c, mark)
        if renewed is not None:
            upgraded.append(tn("similarity index rewritten over {renewed} problem", "similarity index rewritten over {renewed} problems", renewed, renewed=renewed))
        indexed = index_unindexed_problems(c, mark)
        if indexed:
            upgraded.append(tn("similarity index built over {indexed} problem", "similarity index built over {indexed} problems", indexed, indexed=indexed))
        for statement in app.read_side.schema.after_upgrade:
            c.execute(statement)  # after the upgrade: the overdue index needs the `parent` column
        # From now on the store has its Merkle tree: verification refuses a store whose tree table is gone.
        c.execute(f"INSERT INTO ledger_meta (key, value) VALUES ({mark}, {mark}) ON CONFLICT (key) DO NOTHING", ("merkle_tree", "rfc9162"))
        return upgraded, built


def index_unindexed_problems(c: Any, mark: str) -> int:
    """A store made before the similarity index (`ledger similar`): index its problems once; how many."""
    from projections.similarity import DOCS, rebuild_index

    with _tuple_rows(c, mark):
        c.execute(f"SELECT (SELECT COUNT(*) FROM ledger_problems), (SELECT COUNT(*) FROM {DOCS})")
        problems, indexed = (int(v) for v in tuple(c.fetchone()))
        if not problems or indexed:
            return 0
        if mark != "?":
            c.execute("LOCK TABLE stored_events IN EXCLUSIVE MODE")
        return rebuild_index(c, mark)


@contextmanager
def _tuple_rows(c: Any, mark: str) -> Iterator[None]:
    """PostgreSQL: rows as tuples inside, as the write path reads them; the cursor's own row factory back after."""
    factory = getattr(c, "row_factory", None)
    if mark != "?":
        from psycopg.rows import tuple_row

        c.row_factory = tuple_row
    try:
        yield
    finally:
        if mark != "?":
            c.row_factory = factory


def renew_old_postings(c: Any, mark: str) -> int | None:
    """A store of schema 6 or 7 keeps one posting per row, clustered by term: rewritten in 8's form (None if not such a store)."""
    from projections.similarity import POSTINGS, renew_postings

    with _tuple_rows(c, mark):
        if mark == "?":
            c.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (POSTINGS,))
            row = c.fetchone()
            old = row is not None and "WITHOUT ROWID" in str(row[0]).upper()
        else:
            c.execute("SELECT to_regclass(%s) IS NOT NULL", (f"{POSTINGS}_pkey",))
            old = bool(c.fetchone()[0])
        if not old:
            return None
        if mark != "?":
            c.execute("LOCK TABLE stored_events IN EXCLUSIVE MODE")
        return renew_postings(c, mark)


def build_missing_tree(c: Any, mark: str, position: str) -> int | None:
    """A store made before the Merkle tree: build it over the existing events in one pass (None if nothing to do)."""
    from ledger.merkle import build_tree, stored_size

    factory = getattr(c, "row_factory", None)
    if mark != "?":  # PostgreSQL: rows as tuples here; hold writers off while building (SQLite: the meta INSERT took the write lock)
        from psycopg.rows import tuple_row

        c.row_factory = tuple_row
    try:
        if stored_size(c) > 0:
            return None
        if mark != "?":
            c.execute("LOCK TABLE stored_events IN EXCLUSIVE MODE")
        return build_tree(c, mark, position=position) or None
    finally:
        if mark != "?":
            c.row_factory = factory
