"""What the overdue rule of issue 25 costs the whole-ledger `summary` (same-run ratio).

A problem whose measures are all done is not overdue (projections.deadlines.unrectified_sql reads
measures_done / measures_total). The (status, deadline, category, parent) index no longer holds all the
whole-ledger overdue count reads: each open problem past its deadline is looked up in its row for the two
counts. This bench builds the read model's real tables and index in a SQLite file (PROBLEMS problems,
views of about 1.5 KB, a third open and past their deadline), then times projections.summary.TOTALS_SQL
against the same query with the rule before issue 25 (status and deadline only), median of --runs.

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

BEFORE = "p.status IN ('registered', 'in_progress') AND p.deadline IS NOT NULL AND p.deadline <> ''"


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


def timed(con: sqlite3.Connection, sql: str, runs: int) -> tuple[float, int]:
    con.execute(sql, ("2026-01-01",)).fetchall()  # warm
    times, overdue = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        rows = con.execute(sql, ("2026-01-01",)).fetchall()
        times.append(time.perf_counter() - start)
        overdue = sum(r[6] for r in rows)
    return statistics.median(times), overdue


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--problems", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        con = build(Path(folder) / "read.db", args.problems)
        before_sql = TOTALS_SQL.replace(unrectified_sql(prefix=""), BEFORE.replace("p.", ""))
        assert before_sql != TOTALS_SQL
        before, before_n = timed(con, before_sql, args.runs)
        after, after_n = timed(con, TOTALS_SQL, args.runs)
        print(f"| problems | overdue before | overdue now | whole summary query before | now | ratio |")
        print(f"|---|---|---|---|---|---|")
        print(f"| {args.problems:,} | {before_n:,} | {after_n:,} | {before * 1000:.1f} ms | {after * 1000:.1f} ms | {after / before:.2f}× |")


if __name__ == "__main__":
    main()
