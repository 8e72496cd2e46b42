"""Helpers shared by the import, deadline, review and sampling tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
FEEDBACK_YAML = EXAMPLES / "feedback.yaml"
FEEDBACK_CSV = EXAMPLES / "feedback.csv"


def event_count(ledger) -> int:
    """Events in the ledger's store (SQLite or PostgreSQL)."""
    return ledger.query("SELECT COUNT(*) FROM stored_events")[0][0]


def problem_count(ledger) -> int:
    return ledger.query("SELECT COUNT(*) FROM ledger_problems")[0][0]


def close_problem(ledger, ident: str, *, done_at: str = "2020-08-01", verify_at: str = "2020-08-05", close_at: str = "2020-08-10") -> None:
    """Complete every planned measure, verify (another person) and sign off (a third)."""
    view = ledger.json("show", ident)
    if view["status"] == "registered":
        ledger("assign", ident, "--lead", "周建国", "--unit", "办公室", "--person", "孙丽", "--at", done_at)
    if not view["measures"]:
        ledger("plan", ident, "整改措施", "--at", done_at)
        view = ledger.json("show", ident)
    for m in view["measures"]:
        if m["status"] != "done":
            ledger("done", ident, m["id"], "--evidence", "会议纪要", "--at", done_at, actor="孙丽")
    ledger("verify", ident, "--grade", "good", "--at", verify_at, actor="巡察办")
    ledger("close", ident, "--at", close_at, actor="局长")
