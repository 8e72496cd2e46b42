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

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS ledger_inspections (
        code TEXT PRIMARY KEY,
        position INTEGER NOT NULL,
        data TEXT NOT NULL
    )""",
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
        data TEXT NOT NULL,
        UNIQUE (inspection, number)
    )""",
    "CREATE INDEX IF NOT EXISTS ledger_problems_by_status ON ledger_problems (status)",
    "CREATE INDEX IF NOT EXISTS ledger_problems_by_category ON ledger_problems (category)",
    "CREATE INDEX IF NOT EXISTS ledger_problems_by_unit ON ledger_problems (unit)",
    "CREATE INDEX IF NOT EXISTS ledger_problems_by_position ON ledger_problems (position)",
    """CREATE TABLE IF NOT EXISTS ledger_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
]

READ_MODEL_TABLES = ("ledger_inspections", "ledger_problems")

PROBLEM_COLUMNS = (
    "id", "inspection", "number", "category", "unit", "status", "type", "deadline",
    "relapses", "rules", "funds_fen", "accountable", "clues", "data",
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


def write_views(cursor: Any, views: Iterable[tuple[str, dict[str, Any]]], style: str = "?") -> None:
    """Upsert ("problem" | "inspection", view) pairs, inside the caller's transaction.

    One `executemany` per table: a bulk import writes thousands of rows, and
    row-at-a-time round trips dominate on a server store.
    """
    problems: list[tuple[Any, ...]] = []
    inspections: list[tuple[Any, ...]] = []
    for kind, view in views:
        if kind == "problem":
            problems.append(problem_row(view))
        elif kind == "inspection":
            inspections.append((view["code"], dumps(view)))
        else:  # pragma: no cover - a programming error, not a user's
            raise ValueError(f"unknown read model {kind!r}")
    # Positions are per table, so writing one table before the other keeps each order.
    if inspections:
        cursor.executemany(placeholder(_UPSERT_INSPECTION, style), inspections)
    if problems:
        cursor.executemany(placeholder(_UPSERT_PROBLEM, style), problems)


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
