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
    source = next((k["problem"] for k in view.get("links", []) if k["as"] == "self-check" and k["direction"] == "sent-from"), None)
    if source is not None:  # a self-check copy: the source's other copies are linked to it already, through the source
        cursor.execute(_sql("SELECT data FROM ledger_problems WHERE id = ?", style), (source,))
        found = cursor.fetchone()
        if found is not None:
            skip |= {k["problem"] for k in json.loads(found[0]).get("links", []) if k["as"] == "self-check" and k["direction"] == "sent-to"}
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
        allowed = {i for i in ids if _in_scope(i.rsplit("-", 1)[0], inspections.get(i.rsplit("-", 1)[0], {}), subject, scope)}
        # A problem sent to other units for self-check (举一反三) is offered once, as its source: the copies are
        # linked to it already. A copy in the subject's own unit stays: it is that unit's earlier problem.
        for copy, source in _self_check_sources(cursor, allowed, style).items():
            if source in allowed and inspections.get(copy.rsplit("-", 1)[0], {}).get("organisation") != subject.organisation:
                allowed.discard(copy)
        return allowed

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


def _self_check_sources(cursor: Any, ids: set[str], style: str) -> dict[str, str]:
    """copy → source, for those of the ids that are self-check copies (few: read by id, known by their view's link)."""
    if not ids:
        return {}
    ordered = sorted(ids)
    cursor.execute(
        _sql(f"SELECT id, data FROM ledger_problems WHERE id IN ({', '.join('?' for _ in ordered)}) AND data LIKE ?", style),
        [*ordered, '%"direction":"sent-from"%'],
    )
    sources = {}
    for problem, data in cursor.fetchall():
        source = next((k["problem"] for k in json.loads(data).get("links", []) if k["as"] == "self-check" and k["direction"] == "sent-from"), None)
        if source is not None:
            sources[problem] = source
    return sources


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


def round_inspections(cursor: Any, style: str = "?") -> list[dict[str, Any]]:
    """Every inspection's code, organisation and round: what `propagate` chooses the units of a round from."""
    cursor.execute(f"SELECT code, {_field('organisation', style)}, {_field('round', style)} FROM ledger_inspections ORDER BY position")
    return [{"code": r[0], "organisation": r[1], "round": r[2]} for r in cursor.fetchall()]


# 举一反三: how a unit answered a problem sent to it for self-check (vocabulary.SELF_CHECK_ANSWERS).
def self_check_answer(view: dict[str, Any]) -> str:
    from ledger.values import NOT_FOUND, SIGNED_OFF_STATUSES

    status = view["status"]
    if status == NOT_FOUND:
        return "not_found"
    if status in SIGNED_OFF_STATUSES:
        return "closed"
    if status != "registered" or view.get("measures"):
        return "rectifying"  # claimed (assigned) or measures planned: found, and being rectified
    return "waiting"


PROPAGATED_COLUMNS = ("organisation", "inspection", "problem", "answer", "status", "deadline", "overdue", "answered_at")
ANSWERS = ("waiting", "rectifying", "closed", "not_found")


def propagated(cursor: Any, source_id: str, *, today: Any, style: str = "?") -> dict[str, Any] | None:
    """Who problem `source_id` was sent to for self-check and what each answered; None if there is no such problem.

    {"source", "title", "rows": [{organisation, inspection, problem, answer, status, deadline, overdue, answered_at}],
     "total": {"sent", "waiting", "rectifying", "closed", "not_found", "overdue"}}
    """
    from projections.views import with_overdue

    cursor.execute(_sql("SELECT data FROM ledger_problems WHERE id = ?", style), (source_id,))
    row = cursor.fetchone()
    if row is None:
        return None
    source = json.loads(row[0])
    sent = [k for k in source.get("links", ()) if k["as"] == "self-check" and k["direction"] == "sent-to"]
    ids = [k["problem"] for k in sent]
    views: dict[str, dict[str, Any]] = {}
    if ids:
        cursor.execute(_sql(f"SELECT id, data FROM ledger_problems WHERE id IN ({', '.join('?' for _ in ids)})", style), ids)
        views = {r[0]: with_overdue(json.loads(r[1]), today) for r in cursor.fetchall()}
    units = _inspection_data(cursor, {i.rsplit("-", 1)[0] for i in ids}, style)
    rows = []
    for ident in ids:
        view = views.get(ident)
        if view is None:  # the read model lost it: `ledger replay` names it
            continue
        answer = self_check_answer(view)
        answered = (view.get("self_check") or {}).get("at")
        if answer == "closed":
            answered = (view.get("signoffs") or [{}])[-1].get("at")
        elif answer == "rectifying":
            answered = min([a["at"] for a in view.get("assignments", ())] + [m["planned_at"] for m in view.get("measures", ())], default=None)
        rows.append({
            "organisation": units.get(view["inspection"], {}).get("organisation"), "inspection": view["inspection"], "problem": ident,
            "answer": answer, "status": view["status"], "deadline": view["deadline"], "overdue": view["overdue"], "answered_at": answered,
        })
    total = {"sent": len(rows), **{a: sum(r["answer"] == a for r in rows) for a in ANSWERS}, "overdue": sum(bool(r["overdue"]) for r in rows)}
    return {"source": source["id"], "title": source["title"], "rows": rows, "total": total}
