"""The stored read models: tables kept beside the events, in the same store.

They are written in the same database transaction as the events they reflect
(see `ledger.store`), so they can never lag or diverge; `ledger replay`
rebuilds them from the events alone and compares.

SQL here uses `?` placeholders; `placeholder()` adapts it for other stores.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Iterable, Sequence
from ledger.chain import row_form
from ledger.messages import t

from projections.deadlines import signed_off_sql

# Status and deadline first: counting overdue problems reads only the open ones past their deadline;
# with category and parent (schema 5) the whole-ledger summary counts them from the index alone.
# Not in SCHEMA: `ledger init` makes it after upgrading, since an older store lacks `parent` until
# then (PostgreSQL checks the columns even when an index of that name exists).
# Schema 8: the measure counts too, so whether a problem's deadline still runs (issue 25: every measure done stops
# it) is read from the index alone by the whole-ledger summary and `due`'s count (bench/overdue_rule.py).
DEADLINE_INDEX = "CREATE INDEX IF NOT EXISTS ledger_problems_by_deadline ON ledger_problems (status, deadline, category, parent, measures_done, measures_total)"

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS ledger_inspections (
        code TEXT PRIMARY KEY,
        position INTEGER NOT NULL,
        data TEXT NOT NULL
    )""",
    # `data` (the JSON view) last: SQLite reads the columns before a long value without reading
    # through it, so listings of the other columns stay quick (an upgraded store has them after it).
    """CREATE TABLE IF NOT EXISTS ledger_problems (
        id TEXT PRIMARY KEY,
        inspection TEXT NOT NULL,
        number INTEGER NOT NULL,
        position INTEGER NOT NULL,
        category TEXT NOT NULL,
        unit TEXT,
        status TEXT NOT NULL,
        type TEXT NOT NULL,
        deadline TEXT,
        relapses INTEGER NOT NULL,
        rules INTEGER NOT NULL,
        funds_fen INTEGER NOT NULL,
        accountable INTEGER NOT NULL,
        clues INTEGER NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        person TEXT,
        measures_done INTEGER NOT NULL DEFAULT 0,
        measures_total INTEGER NOT NULL DEFAULT 0,
        escalation TEXT,
        parent TEXT,
        data TEXT NOT NULL,
        UNIQUE (inspection, number)
    )""",
    "CREATE INDEX IF NOT EXISTS ledger_problems_by_status ON ledger_problems (status)",
    "CREATE INDEX IF NOT EXISTS ledger_problems_by_category ON ledger_problems (category)",
    "CREATE INDEX IF NOT EXISTS ledger_problems_by_unit ON ledger_problems (unit)",
    "CREATE INDEX IF NOT EXISTS ledger_problems_by_position ON ledger_problems (position)",
    # Covers the overview's per-inspection counts and lights (projections.overview) without reading the views.
    "CREATE INDEX IF NOT EXISTS ledger_problems_by_inspection ON ledger_problems (inspection, status, deadline)",
    # Per-category totals of ledger_problems, kept by triggers on every write to it
    # (SQLITE_TRIGGERS / PG_TRIGGERS), so the whole-ledger summary reads a few rows
    # however many problems there are. first_seen orders categories as the register does.
    """CREATE TABLE IF NOT EXISTS ledger_category_totals (
        category TEXT PRIMARY KEY,
        problems INTEGER NOT NULL,
        completed INTEGER NOT NULL,
        ongoing INTEGER NOT NULL,
        relapsed INTEGER NOT NULL,
        extended INTEGER NOT NULL DEFAULT 0,
        rules INTEGER NOT NULL,
        funds_fen INTEGER NOT NULL,
        accountable INTEGER NOT NULL,
        clues INTEGER NOT NULL,
        first_seen INTEGER
    )""",
    """CREATE TABLE IF NOT EXISTS ledger_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
]

READ_MODEL_TABLES = ("ledger_inspections", "ledger_problems")

# Where a problem sits in the register: its inspection's position, then its number.
_REGISTER_KEY = "COALESCE((SELECT position FROM ledger_inspections WHERE code = {row}.inspection), 0) * 1000000000 + {row}.number"

_FIRST_SEEN = (
    "(SELECT MIN(COALESCE(i.position, 0) * 1000000000 + p.number) FROM ledger_problems p "
    "LEFT JOIN ledger_inspections i ON i.code = p.inspection WHERE p.category = {row}.category)"
)


TOTALS_COLUMNS = (
    "category", "problems", "completed", "ongoing", "relapsed", "extended", "rules", "funds_fen", "accountable", "clues",
    "first_seen",
)


# A refined problem's view (细化) names its parent; only official (fed-back) problems
# are counted as problems, since they are the unit of 对账. The figures (rules, funds,
# people, clues) count every problem's measures, the refined ones' included. The
# mark cannot occur inside a JSON string value: its quotes would be escaped there.
CHILD_MARK = '"parent":"'
CHILD_PATTERN = f"%{CHILD_MARK}%"
EXTENDED_PATTERN = '%"extended_to":"%'

# How `summary` and the web overview count problems (p = a ledger_problems row): official
# problems, completed, ongoing (基本完成), extended (申请延期整改) and open, in that order;
# every fed-back problem is in exactly one of the last four. Its parameters are COUNTED_PARAMS.
COUNTED_SQL = """SUM(CASE WHEN p.data NOT LIKE ? THEN 1 ELSE 0 END),
       SUM(CASE WHEN p.data NOT LIKE ? AND p.status = 'closed' THEN 1 ELSE 0 END),
       SUM(CASE WHEN p.data NOT LIKE ? AND p.status = 'ongoing' THEN 1 ELSE 0 END),
       SUM(CASE WHEN p.data NOT LIKE ? AND """ + signed_off_sql(signed=False) + """ AND p.data LIKE ? THEN 1 ELSE 0 END),
       SUM(CASE WHEN p.data NOT LIKE ? AND """ + signed_off_sql(signed=False) + """ AND p.data NOT LIKE ? THEN 1 ELSE 0 END)"""
COUNTED_PARAMS = [CHILD_PATTERN] * 4 + [EXTENDED_PATTERN, CHILD_PATTERN, EXTENDED_PATTERN]


def is_official(row: str) -> str:
    """SQL: the row is an official problem, not a refinement (a literal pattern: for SQL run without parameters)."""
    return f"{row}.data NOT LIKE '{CHILD_PATTERN}'"


def _counted(row: str) -> dict[str, str]:
    """What one ledger_problems row adds to each summed column of its category's totals."""
    official = is_official(row)
    return {
        "problems": f"CASE WHEN {official} THEN 1 ELSE 0 END",
        "completed": f"CASE WHEN {official} AND {row}.status = 'closed' THEN 1 ELSE 0 END",
        "ongoing": f"CASE WHEN {official} AND {row}.status = 'ongoing' THEN 1 ELSE 0 END",
        "relapsed": f"CASE WHEN {official} AND {row}.relapses > 0 THEN 1 ELSE 0 END",
        # Not done, with an approved extension in force (申请延期整改): kept here, not counted
        # per summary, so the whole-ledger summary never reads the problems' data.
        "extended": (
            f"CASE WHEN {official} AND {signed_off_sql(f'{row}.', signed=False)} "
            f"AND {row}.data LIKE '{EXTENDED_PATTERN}' THEN 1 ELSE 0 END"
        ),
        **{c: f"{row}.{c}" for c in ("rules", "funds_fen", "accountable", "clues")},
    }


def _add_to_totals(row: str, least: str) -> str:
    """Count one ledger_problems row into its category's totals."""
    t = "ledger_category_totals"
    counted = _counted(row)
    return (
        f"INSERT INTO {t} ({', '.join(TOTALS_COLUMNS)}) "
        f"VALUES ({row}.category, {', '.join(counted.values())}, {_REGISTER_KEY.format(row=row)}) "
        "ON CONFLICT (category) DO UPDATE SET "
        + ", ".join(f"{c} = {t}.{c} + excluded.{c}" for c in counted)
        + f", first_seen = {least}(COALESCE({t}.first_seen, excluded.first_seen), excluded.first_seen)"
    )


def _take_from_totals(row: str) -> str:
    """Count one ledger_problems row out of its category's totals."""
    return (
        "UPDATE ledger_category_totals SET "
        + ", ".join(f"{c} = {c} - {amount}" for c, amount in _counted(row).items())
        + f" WHERE category = {row}.category"
    )


def _refind_first_seen(row: str, moved: str = "") -> str:
    """Only when the category's first problem left it (rare: a corrected category, or a delete)."""
    t = "ledger_category_totals"
    return (
        f"UPDATE {t} SET first_seen = {_FIRST_SEEN.format(row=row)} "
        f"WHERE category = {row}.category{moved} AND first_seen = {_REGISTER_KEY.format(row=row)}"
    )


_MOVED = " AND OLD.category <> NEW.category"

# The same maintenance in each store's trigger language. An UPDATE counts the
# old row out and the new one in (the category may have been corrected).
SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS ledger_totals_insert AFTER INSERT ON ledger_problems BEGIN "
    f"{_add_to_totals('NEW', 'MIN')}; END",
    "CREATE TRIGGER IF NOT EXISTS ledger_totals_update AFTER UPDATE ON ledger_problems BEGIN "
    f"{_take_from_totals('OLD')}; {_add_to_totals('NEW', 'MIN')}; {_refind_first_seen('OLD', _MOVED)}; END",
    "CREATE TRIGGER IF NOT EXISTS ledger_totals_delete AFTER DELETE ON ledger_problems BEGIN "
    f"{_take_from_totals('OLD')}; {_refind_first_seen('OLD')}; END",
]

PG_TRIGGERS = [
    "CREATE OR REPLACE FUNCTION ledger_totals() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {_take_from_totals('OLD')}; END IF; "
    f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {_add_to_totals('NEW', 'LEAST')}; END IF; "
    f"IF TG_OP = 'UPDATE' THEN {_refind_first_seen('OLD', _MOVED)}; END IF; "
    f"IF TG_OP = 'DELETE' THEN {_refind_first_seen('OLD')}; END IF; "
    "RETURN NULL; END; $$",
    "DROP TRIGGER IF EXISTS ledger_totals ON ledger_problems",
    "CREATE TRIGGER ledger_totals AFTER INSERT OR UPDATE OR DELETE ON ledger_problems FOR EACH ROW EXECUTE FUNCTION ledger_totals()",
]

# Every category's totals counted over ledger_problems, in ledger_category_totals' column order.
COUNT_TOTALS = (
    "SELECT p.category, "
    + ", ".join(f"SUM({_counted('p')[c]})" for c in ("problems", "completed", "ongoing", "relapsed", "extended"))
    + ", SUM(p.rules), SUM(p.funds_fen), SUM(p.accountable), SUM(p.clues), "
    "MIN(COALESCE(i.position, 0) * 1000000000 + p.number) "
    "FROM ledger_problems p LEFT JOIN ledger_inspections i ON i.code = p.inspection GROUP BY p.category"
)

# The same recount for verification, once the problem rows are checked (their digests, or a rebuild): a
# refinement by its `parent` column (schema 5), and each row's data searched at most once, for an extension of
# a problem not signed off. COUNT_TOTALS matches the JSON up to five times a row (3 s at 100k problems, 0.4 s so).
VERIFY_TOTALS = (
    "SELECT p.category, SUM(p.official), "
    + ", ".join(f"SUM(CASE WHEN {condition} THEN p.official ELSE 0 END)" for condition in ("p.status = 'closed'", "p.status = 'ongoing'", "p.relapses > 0", "p.extended = 1"))
    + ", SUM(p.rules), SUM(p.funds_fen), SUM(p.accountable), SUM(p.clues), "
    "MIN(COALESCE(i.position, 0) * 1000000000 + p.number) "
    "FROM (SELECT category, status, relapses, rules, funds_fen, accountable, clues, inspection, number, "
    "CASE WHEN parent IS NULL THEN 1 ELSE 0 END AS official, "
    f"CASE WHEN {signed_off_sql('', signed=False)} AND data LIKE '{EXTENDED_PATTERN}' THEN 1 ELSE 0 END AS extended "
    "FROM ledger_problems) p LEFT JOIN ledger_inspections i ON i.code = p.inspection GROUP BY p.category"
)

# Recount every category from ledger_problems (a store made before the totals existed).
RECOUNT_TOTALS = [
    "DELETE FROM ledger_category_totals",
    f"INSERT INTO ledger_category_totals ({', '.join(TOTALS_COLUMNS)}) " + COUNT_TOTALS,
]

# Columns added by schema 4 so that listing every problem (`status`) reads plain columns,
# not each problem's JSON view; `ledger init` adds and fills them in an older store.
STATUS_ROW_COLUMNS = ("title", "person", "measures_done", "measures_total", "escalation")
STATUS_ROW_DDL = (
    "ALTER TABLE ledger_problems ADD COLUMN title TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE ledger_problems ADD COLUMN person TEXT",
    "ALTER TABLE ledger_problems ADD COLUMN measures_done INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE ledger_problems ADD COLUMN measures_total INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE ledger_problems ADD COLUMN escalation TEXT",
)

# Schema 5: the refined problem's parent (NULL for a fed-back problem), so that counting official
# problems needs no look inside the JSON view. `ledger init` adds and fills it with the status columns.
ADDED_COLUMNS = (*STATUS_ROW_COLUMNS, "parent")
ADDED_DDL = (*STATUS_ROW_DDL, "ALTER TABLE ledger_problems ADD COLUMN parent TEXT")


PROBLEM_COLUMNS = (
    "id", "inspection", "number", "category", "unit", "status", "type", "deadline",
    "relapses", "rules", "funds_fen", "accountable", "clues", "data",
    *ADDED_COLUMNS,
)


def stored_problem_columns(cursor: Any) -> tuple[str, ...]:
    """PROBLEM_COLUMNS that the store's ledger_problems has (a store not yet upgraded lacks the newest)."""
    cursor.execute("SELECT * FROM ledger_problems WHERE 1 = 0")
    description = getattr(cursor, "sqlite_cursor", cursor).description or ()
    present = {d[0] for d in description}
    return tuple(c for c in PROBLEM_COLUMNS if c in present)


def added_values(view: dict[str, Any]) -> tuple[Any, ...]:
    """The ADDED_COLUMNS of one problem view."""
    return (*status_row_values(view), view.get("parent") or None)


def status_row_values(view: dict[str, Any]) -> tuple[Any, ...]:
    """The STATUS_ROW_COLUMNS of one problem view."""
    measures = view["measures"]
    return (
        view["title"],
        (view.get("assignee") or {}).get("person"),
        sum(1 for m in measures if m["status"] == "done"),
        len(measures),
        view.get("escalation"),
    )


def placeholder(sql: str, style: str) -> str:
    return sql if style == "?" else sql.replace("?", style)


def dumps(view: dict[str, Any]) -> str:
    return json.dumps(view, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def problem_row(view: dict[str, Any]) -> tuple[Any, ...]:
    figures = view["figures"]
    assignee = view.get("assignee") or {}
    return (
        view["id"],
        view["inspection"],
        view["number"],
        view["category"],
        assignee.get("unit"),
        view["status"],
        view["type"],
        view["deadline"],
        view["relapses"],
        figures["rules"],
        int(Decimal(figures["funds"]) * 100),
        figures["accountable"],
        figures["clues"],
        dumps(view),
        *added_values(view),
    )


_UPSERT_PROBLEM = (
    f"INSERT INTO ledger_problems ({', '.join(PROBLEM_COLUMNS)}, position) "
    f"VALUES ({', '.join('?' for _ in PROBLEM_COLUMNS)}, "
    "(SELECT COALESCE(MAX(position), 0) + 1 FROM ledger_problems)) "
    "ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in PROBLEM_COLUMNS if c != "id")
)

_UPSERT_INSPECTION = (
    "INSERT INTO ledger_inspections (code, data, position) VALUES (?, ?, "
    "(SELECT COALESCE(MAX(position), 0) + 1 FROM ledger_inspections)) "
    "ON CONFLICT (code) DO UPDATE SET data = excluded.data"
)


def write_views(cursor: Any, views: Iterable[tuple[str, dict[str, Any]]], style: str = "?") -> list[tuple[str, str, bytes]]:
    """Upsert ("problem" | "inspection", view) pairs, inside the caller's transaction; the rows written.

    One `executemany` per table: a bulk import writes thousands of rows, and
    row-at-a-time round trips dominate on a server store. Returns (table, key,
    row form) of each row as written (`position` apart), inspections first, in
    write order: the recorder commits their digests with the events (ledger.chain).
    """
    problems: list[tuple[Any, ...]] = []
    inspections: list[tuple[Any, ...]] = []
    for kind, view in views:
        if kind == "problem":
            problems.append(problem_row(view))
        elif kind == "inspection":
            inspections.append((view["code"], dumps(view)))
        else:  # pragma: no cover - a programming error, not a user's
            raise ValueError(t("unknown read model {kind!r}", kind=kind))
    written = [("ledger_inspections", row[0], row_form("ledger_inspections", row)) for row in inspections]
    written += [("ledger_problems", row[0], row_form("ledger_problems", row)) for row in problems]
    # Positions are per table, so writing one table before the other keeps each order.
    if inspections:
        cursor.executemany(placeholder(_UPSERT_INSPECTION, style), inspections)
    if problems:
        try:
            cursor.executemany(placeholder(_UPSERT_PROBLEM, style), problems)
        except Exception as e:
            if "no column named" in str(e) or type(e).__name__ == "UndefinedColumn":
                from ledger.errors import StoreError

                raise StoreError(t("the store was made by an earlier version of the ledger: run `ledger init` to upgrade it")) from None
            raise
    return written


def write_read_models(cursor: Any, stored_events: Sequence[Any], positions: Sequence[int], kwargs: dict[str, Any], style: str) -> list[tuple[str, str, bytes]]:
    """The store's in-transaction hook (see `composition`): the views the saving command passed; the rows written."""
    return write_views(cursor, kwargs.get("views", ()), style)


def problem_filters(
    *,
    inspection: str | None = None,
    category: str | None = None,
    unit: str | None = None,
    status: str | None = None,
    ids: Sequence[str] | None = None,
) -> tuple[str, list[Any]]:
    clauses, params = [], []
    for column, value in (("inspection", inspection), ("category", category), ("unit", unit), ("status", status)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if ids is not None:
        clauses.append(f"id IN ({', '.join('?' for _ in ids)})" if ids else "1 = 0")
        params.extend(ids)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params
