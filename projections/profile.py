"""A unit across rounds (`ledger profile ORGANISATION`, the web's /units/…): every inspection of one
inspected organisation, what each found and how it stands, the categories round by round, and the
problems found again (屡查屡犯) linking them.

Read from the stored read models (or an as-of rebuild): the organisation's inspections, then one
query over their problems.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from ledger.values import NOT_FOUND
from projections.summary import rate
from projections.deadlines import is_overdue
from projections.status import with_relapse_facts

COUNTS = ("problems", "completed", "ongoing", "extended", "open", "overdue", "relapsed", "reopened", "recurrences", "found_again")


def _sql(statement: str, style: str) -> str:
    return statement if style == "?" else statement.replace("?", style)


def organisations(cursor: Any) -> list[str]:
    """Every inspected organisation, in the order first inspected."""
    cursor.execute("SELECT data FROM ledger_inspections ORDER BY position")
    return list(dict.fromkeys(json.loads(r[0])["organisation"] for r in cursor.fetchall()))


def profile(cursor: Any, organisation: str, *, today: date, style: str = "?", disclose: Any = None) -> dict[str, Any] | None:
    """The unit's record across rounds, or None when no inspection is of that organisation.

    `disclose(view)`: what a reader may see of a problem (the web's public view hides withheld text).
    """
    cursor.execute("SELECT code, data FROM ledger_inspections ORDER BY position")
    inspections = [json.loads(r[1]) for r in cursor.fetchall()]
    mine = [i for i in inspections if i["organisation"] == organisation]
    if not mine:
        return None
    mine.sort(key=lambda i: (i["start"], i["code"]))
    codes = [i["code"] for i in mine]
    rows: dict[str, dict[str, Any]] = {
        i["code"]: {"inspection": i["code"], "round": i.get("round"), "start": i["start"], "name": i["name"], **dict.fromkeys(COUNTS, 0)}
        for i in mine
    }
    categories: dict[str, dict[str, int]] = {}
    links: list[dict[str, Any]] = []
    cursor.execute(_sql(f"SELECT data FROM ledger_problems WHERE inspection IN ({', '.join('?' for _ in codes)}) ORDER BY position", style), codes)
    for (data,) in (tuple(r) for r in cursor.fetchall()):
        view = json.loads(data)
        if disclose is not None:
            view = disclose(view)
        if view.get("parent"):
            continue  # a refinement (细化) is counted under its fed-back problem
        row = rows[view["inspection"]]
        status = view["status"]
        if status == NOT_FOUND:  # 自查未发现: its self-check did not find it: not a problem of the unit
            pass
        elif status == "closed":
            row["completed"] += 1
        elif status == "ongoing":
            row["ongoing"] += 1
        elif view.get("extended_to"):
            row["extended"] += 1
        else:
            row["open"] += 1
        row["problems"] += status != NOT_FOUND
        row["overdue"] += is_overdue(view, today)
        row["relapsed"] += view["relapses"] > 0
        row["reopened"] += bool(view["reopenings"])
        if view.get("links"):
            view = with_relapse_facts(cursor, view, style=style)  # a link reads one fact from both its sides
        for link in view.get("links", ()):
            if link["as"] == "recurrence":
                row["recurrences" if link["direction"] == "earlier" else "found_again"] += 1
            links.append({"problem": view["id"], "title": view["title"], "linked": link["problem"], "as": link["as"],
                          "direction": link["direction"], "relapse": link.get("relapse", False)})
        if status == NOT_FOUND:
            continue  # none of the unit's problems: not in its categories either (as its row counts it)
        label = view["category"]
        per_round = categories.setdefault(label, {})
        per_round[view["inspection"]] = per_round.get(view["inspection"], 0) + 1
    ordered = [rows[c] for c in codes]
    for row in ordered:
        row["rate"] = rate(row["completed"], row["problems"])
    total = {k: sum(r[k] for r in ordered) for k in COUNTS}
    total["rate"] = rate(total["completed"], total["problems"])
    return {
        "organisation": organisation,
        "inspections": ordered,
        "total": total,
        "categories": [{"category": c, **{code: n.get(code, 0) for code in codes}} for c, n in categories.items()],
        "links": links,
    }
