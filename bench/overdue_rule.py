"""What the overdue rule of issue 25 costs the whole-ledger `summary`, the overview and `due` (same-run ratios).

A problem whose measures are all done is not overdue (projections.deadlines.unrectified_sql reads
measures_done / measures_total). Since schema 8 the overdue index holds both counts beside (status, deadline,
category, parent), so the whole-ledger overdue count and `due`'s count read the index alone; the overview's
per-inspection lights read the rows. This bench builds the
read model's real tables and indexes in a SQLite file (PROBLEMS problems, views of about 1.5 KB, a third open
and past their deadline), then times each real query against the same query with the rule before issue 25
(status and deadline only), median of --runs.

    .venv/bin/python bench/overdue_rule.py [--problems 100000] [--runs 7]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from projections.deadlines import unrectified_sql  # noqa: E402
from projections.summary import TOTALS_SQL  # noqa: E402
from projections.tables import DEADLINE_INDEX, SCHEMA  # noqa: E402

def before(prefix: str = "p.") -> str:
    return f"{prefix}status IN ('registered', 'in_progress') AND {prefix}deadline IS NOT NULL AND {prefix}deadline <> ''"


def build(path: Path, problems: int) -> sqlite3.Connection:
    con = sqlite3.connect(path)
    for statement in SCHEMA:
        con.execute(statement)
    con.execute(DEADLINE_INDEX)
    rows = []
    for i in range(problems):
        status = ("in_progress", "closed", "verified")[i % 3]  # a third open, all past 2024-09
        done, total = (i // 3) % 3, 2  # of the open ones: none, one or both of two measures done
        rows.append((f"X{i // 100}-{i % 100 + 1}", f"X{i // 100}", i % 100 + 1, i, f"类别{i % 6}", "办公室", status, "deadline",
                     f"2024-0{1 + i % 9}-30", 0, 0, 0, 0, 0, "关于“…”的问题", "孙丽", done, total, None, None, '{"text":"' + "问" * 500 + '"}'))
    con.executemany("INSERT INTO ledger_problems (id, inspection, number, position, category, unit, status, type, deadline, relapses, "
                    "rules, funds_fen, accountable, clues, title, person, measures_done, measures_total, escalation, parent, data) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute("INSERT INTO ledger_category_totals SELECT category, COUNT(*), 0, 0, 0, 0, 0, 0, 0, 0, MIN(position) FROM ledger_problems GROUP BY category")
    con.commit()
    return con


def timed(con: sqlite3.Connection, sql: str, params: list, runs: int) -> tuple[float, list]:
    rows = con.execute(sql, params).fetchall()  # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        rows = con.execute(sql, params).fetchall()
        times.append(time.perf_counter() - start)
    return statistics.median(times), rows


def main() -> None:
    from projections.overview import _SQL as OVERVIEW_SQL
    from projections.tables import COUNTED_PARAMS

    parser = argparse.ArgumentParser()
    parser.add_argument("--problems", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    today = "2026-01-01"
    due_sql = f"SELECT COUNT(*) FROM ledger_problems p WHERE {unrectified_sql()} AND p.deadline <= ?"
    queries = {
        "whole summary (overdue by category)": (TOTALS_SQL, [today], ""),
        "overview (per inspection, lights)": (OVERVIEW_SQL, [*COUNTED_PARAMS, today, today, "2026-01-11", "2026-01-11", "2026-01-21"], "p."),
        "due (deadlines listed)": (due_sql, ["2026-01-08"], "p."),
    }
    with tempfile.TemporaryDirectory() as folder:
        con = build(Path(folder) / "read.db", args.problems)
        print(f"{args.problems:,} problems, a third open and past their deadline")
        print("| query | before | now | ratio |")
        print("|---|---|---|---|")
        for name, (sql, params, prefix) in queries.items():
            old_sql = sql.replace(unrectified_sql(prefix=prefix), before(prefix))
            assert old_sql != sql
            old, _ = timed(con, old_sql, params, args.runs)
            new, _ = timed(con, sql, params, args.runs)
            print(f"| {name} | {old * 1000:.1f} ms | {new * 1000:.1f} ms | {new / old:.2f}× |")


if __name__ == "__main__":
    main()
