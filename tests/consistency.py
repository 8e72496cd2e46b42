"""Checks that a store is whole after concurrent writers or a crash: every
problem has exactly one read-model row and it equals a full replay of the
problem's events; `ledger replay` and `ledger audit --verify` agree where this
build has them."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from conftest import Ledger
from projections.tables import dumps
from projections.views import inspection_view, problem_view


def open_app(ledger: Ledger) -> Any:
    from composition import ledger_over
    from ledger.store import store_env

    return ledger_over(env=store_env(ledger.store or str(ledger.folder / "ledger.db"), create=False))


def read_models_equal_replay(ledger: Ledger) -> int:
    """Asserts it; returns the number of problems."""
    registered = {
        (r[0].hex if isinstance(r[0], UUID) else r[0])
        for r in ledger.query("SELECT originator_id FROM stored_events WHERE topic LIKE '%Problem.Registered'")
    }
    rows = ledger.query("SELECT id, data FROM ledger_problems")
    assert len(rows) == len(registered), f"{len(rows)} read-model rows for {len(registered)} problems"
    app = open_app(ledger)
    try:
        for ident, data in rows:
            code, number = ident.rsplit("-", 1)
            replayed = app.get_problem(ident)
            assert json.loads(dumps(problem_view(replayed))) == json.loads(data), ident
        for code, data in ledger.query("SELECT code, data FROM ledger_inspections"):
            assert json.loads(dumps(inspection_view(app.get_inspection(code)))) == json.loads(data), code
    finally:
        app.close()
    return len(rows)


def missing_checks(ledger: Ledger) -> list[str]:
    """Runs `replay` and `audit --verify` when present; names those this build lacks."""
    missing = []
    result = ledger("audit", "--verify", expect=None)
    if "not available in this build" in result.stderr:
        missing.append("audit --verify (hash chain)")
    else:
        assert result.exit_code == 0, result.stderr + result.stdout
    result = ledger("replay", expect=None)
    if "No such command" in result.stderr:
        missing.append("replay")
    else:
        assert result.exit_code == 0, result.stderr + result.stdout
    return missing
