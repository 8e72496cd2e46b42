"""The population of a reverse-check draw (台账销号反向核查): an inspection's signed-off problems."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any


def signed_off_population(c: Any, code: str, style: str = "?") -> dict[str, datetime | None]:
    """ID → when it was last signed off, for the inspection's signed-off problems (closed or ongoing), in number order."""
    statement = "SELECT id, data FROM ledger_problems WHERE inspection = ? AND status IN ('closed', 'ongoing') ORDER BY number"
    c.execute(statement if style == "?" else statement.replace("?", style), (code,))
    found: dict[str, datetime | None] = {}
    for ident, data in c.fetchall():
        signoffs = json.loads(data).get("signoffs") or []
        found[ident] = datetime.fromisoformat(signoffs[-1]["at"].replace("Z", "+00:00")) if signoffs else None
    return found
