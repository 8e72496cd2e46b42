"""Earlier problems like a given one (屡查屡犯), read from the stored similarity index.

`similar` and the warning at `add-problem`/`import` read through here: the
subject problem (or a text), the candidates found by projections.similarity,
kept to the chosen scope and to earlier inspections, with what the reader
needs beside each (inspection, organisation, round, status).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from projections.similarity import Matching, find_similar, has_index, indexed_text

SCOPES = ("all", "organisation", "round")


@dataclass
class Subject:
    id: str | None
    inspection: str | None
    organisation: str | None
    round: str | None
    start: str | None
    position: int | None
    text: str
    skip: set[str]  # linked already or rejected: never offered again


def _sql(statement: str, style: str) -> str:
    return statement if style == "?" else statement.replace("?", style)


def any_problem_outside(cursor: Any, inspections: list[str], *, style: str = "?") -> bool:
    """Whether any problem belongs to an inspection other than these (else none can be an earlier one of another inspection)."""
    cursor.execute(
        _sql(f"SELECT 1 FROM ledger_problems WHERE inspection NOT IN ({', '.join('?' for _ in inspections)}) LIMIT 1", style),
        inspections,
    )
    return cursor.fetchone() is not None


INSPECTION_FIELDS = ("organisation", "round", "start")


def _field(name: str, style: str) -> str:
    """SQL reading one key of an inspection's JSON view (cheaper than decoding each view here)."""
    return f"json_extract(data, '$.{name}')" if style == "?" else f"(data::json ->> '{name}')"


def _inspection_data(cursor: Any, codes: set[str], style: str) -> dict[str, dict[str, Any]]:
    """code → {organisation, round, start} of these inspections."""
    if not codes:
        return {}
    ordered = sorted(codes)
    fields = ", ".join(_field(f, style) for f in INSPECTION_FIELDS)
    cursor.execute(_sql(f"SELECT code, {fields} FROM ledger_inspections WHERE code IN ({', '.join('?' for _ in ordered)})", style), ordered)
    return {r[0]: dict(zip(INSPECTION_FIELDS, tuple(r)[1:])) for r in cursor.fetchall()}


def subject_of(cursor: Any, problem_id: str, style: str) -> Subject | None:
    """The problem as a subject to compare, or None if there is no such problem."""
    cursor.execute(_sql("SELECT id, inspection, position, data FROM ledger_problems WHERE id = ?", style), (problem_id,))
    row = cursor.fetchone()
    if row is None:
        return None
    view = json.loads(row[3])
    inspection = _inspection_data(cursor, {row[1]}, style).get(row[1], {})
    skip = {link["problem"] for link in view.get("links", [])} | {r["problem"] for r in view.get("rejected", [])}
    return Subject(
        id=row[0], inspection=row[1], organisation=inspection.get("organisation"), round=inspection.get("round"),
        start=inspection.get("start"), position=int(row[2]), text=indexed_text(view), skip=skip,
    )


def text_subject(text: str, organisation: str | None = None, round_name: str | None = None) -> Subject:
    return Subject(id=None, inspection=None, organisation=organisation, round=round_name, start=None, position=None, text=text, skip=set())


def like(cursor: Any, subject: Subject, matching: Matching, *, style: str = "?", scope: str = "all", limit: int = 10) -> list[dict[str, Any]]:
    """Earlier problems like the subject, best first: records with id, score, inspection, organisation, round, status, title, shared."""
    if not has_index(cursor, style):
        return []
    inspections: dict[str, dict[str, Any]] = {}

    def keep(ids: list[str]) -> set[str]:
        # A problem's id is its inspection's code, a hyphen and its number: the scope is judged
        # by the inspections alone, a few rows, before any problem row is read.
        codes = {i.rsplit("-", 1)[0] for i in ids}
        inspections.update(_inspection_data(cursor, codes - set(inspections), style))
        return {i for i in ids if _in_scope(i.rsplit("-", 1)[0], inspections.get(i.rsplit("-", 1)[0], {}), subject, scope)}

    found = find_similar(
        cursor, subject.text, matching, style=style,
        exclude=lambda p: p == subject.id or p in subject.skip, keep=keep, limit=limit,
    )
    if not found:
        return []
    ids = [c.id for c in found]
    cursor.execute(_sql(f"SELECT id, status, title FROM ledger_problems WHERE id IN ({', '.join('?' for _ in ids)})", style), ids)
    rows = {r[0]: (r[1], r[2]) for r in cursor.fetchall()}
    out = []
    for candidate in found:
        code = candidate.id.rsplit("-", 1)[0]
        data = inspections.get(code, {})
        status, title = rows.get(candidate.id, (None, None))
        out.append({
            "id": candidate.id, "score": candidate.score, "inspection": code, "organisation": data.get("organisation"),
            "round": data.get("round"), "status": status, "title": title, "shared": candidate.shared,
        })
    return out


def _in_scope(code: str, inspection: dict[str, Any], subject: Subject, scope: str) -> bool:
    if subject.inspection is not None:
        if code == subject.inspection:
            return False  # its own inspection's problems are siblings, not earlier findings
        # Earlier: an inspection that started before the subject's did (another unit's inspected the same
        # days is of the same round, not earlier); with --scope round (共性问题) those are what is asked for.
        if scope != "round" and (inspection.get("start") or "") >= (subject.start or ""):
            return False
    if scope == "organisation":
        return subject.organisation is not None and inspection.get("organisation") == subject.organisation
    if scope == "round":
        return subject.round is not None and inspection.get("round") == subject.round
    return True


def recurrences(cursor: Any, *, style: str = "?", inspection: str | None = None, inspections: list[str] | None = None) -> list[dict[str, Any]]:
    """屡查屡犯 per unit and round: confirmed recurrences (a later problem linked to an earlier one), by the later one's inspection."""
    from projections.similarity import LINKS, has_links

    if not has_links(cursor, style):
        return []
    codes = [inspection] if inspection is not None else inspections
    where, params = "", []
    if codes is not None:
        if not codes:
            return []
        where = f" AND p.inspection IN ({', '.join('?' for _ in codes)})"
        params = list(codes)
    cursor.execute(
        _sql(
            f"SELECT p.inspection, COUNT(*) FROM {LINKS} l JOIN ledger_problems p ON p.id = l.new "
            f"WHERE l.link = 'recurrence'{where} GROUP BY p.inspection",
            style,
        ),
        params,
    )
    counted = [(r[0], int(r[1])) for r in cursor.fetchall()]
    data = _inspection_data(cursor, {c for c, _ in counted}, style)
    by_unit: dict[tuple[str, str], int] = {}
    for code, n in counted:
        key = (data.get(code, {}).get("organisation") or "", data.get(code, {}).get("round") or "")
        by_unit[key] = by_unit.get(key, 0) + n
    return [{"organisation": o, "round": r or None, "recurrences": n} for (o, r), n in sorted(by_unit.items())]
