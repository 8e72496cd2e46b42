"""What `ledger show` shows of a problem, in the reader's language: its facts and its sub-tables (the deadline
history, measures, verifications, sign-offs, escalations, progress, 整改回头看, links, corrections).

One definition for both interfaces: the CLI prints these as terminal tables, the web view's problem page as
HTML tables, so a label or a value reads the same word on both (issue 30). Every label is projections.words';
every value's word the vocabulary's.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

from ledger import vocabulary
from ledger.messages import Data, Field, render, t
from projections import words
from projections.words import cell


def facts(view: dict[str, Any], lang: str) -> list[tuple[str, Any]]:
    """A problem's facts as `show` lists them: (heading key, the value's word in `lang`)."""
    zh = lang == "zh"
    assignee = view.get("assignee") or {}
    escalation = view.get("escalation")
    listed = [
        ("id", view["id"]),
        ("inspection", view["inspection"]),
        ("number", view["number"]),
        ("category", view["category"]),
        ("title", view["title"]),
        ("description", view["description"]),
        ("type", vocabulary.label(vocabulary.PROBLEM_TYPES, view["type"], lang)),
        ("source", words.value_word("source", view["source"], lang)),
        ("status", words.status_word(view["status"], lang)),
        ("deadline", view["deadline"]),
        ("overdue", words.value_word("overdue", view["overdue"], lang)),
        ("relapses", view["relapses"]),
        ("reworks", view["reworks"]),
        ("escalation", vocabulary.label(vocabulary.ESCALATION_LEVELS, escalation, lang) if escalation else None),
        ("lead", assignee.get("lead")),
        ("unit", assignee.get("unit")),
        ("person", assignee.get("person")),
        ("registered", f"{view['registered_at']}，{view['registered_by']}" if zh else f"{view['registered_at']} by {view['registered_by']}"),
    ]
    for heading, value in (view.get("columns") or {}).items():  # a 台账's own columns, as the file had them
        listed.append((heading, value))
    if view.get("parent"):
        listed.insert(4, ("parent", f"{view['parent']}（细化自该问题）" if zh else f"{view['parent']} (a refinement of it)"))
    if view.get("children"):
        listed.insert(4, ("refined into", ("、" if zh else ", ").join(view["children"])))
    for w in view.get("withheld") or []:  # insiders see the text, marked as not for publication
        fields = [vocabulary.WITHHELD_PARTS.get(f) or Field(f) for f in w["fields"]]
        reason = vocabulary.WITHHOLD_REASONS.get(w["reason"], w["reason"])
        listed.append(("withheld", render(t("{fields} ({reason}) since {at} by {by}", fields=fields, reason=reason, at=w["at"], by=w["by"]), lang)))
    answer = view.get("self_check")
    if answer:  # 自查未发现: who answered, when, what the self-check covered (its files: `history`)
        word = words.status_word(answer["result"], lang)
        note = _word(answer["note"], lang)
        listed.append(("self_check", f"{word}，{answer['at']}，{answer['by']}：{note}" if zh else f"{word} {answer['at']} by {answer['by']}: {note}"))
    return [(key, cell(_word(value, lang))) for key, value in listed]


class SubTable(NamedTuple):
    """One of `show`'s sub-tables: the view's key, its columns (heading key, the value-word column or None),
    one entry's cells, and the terminal's column widths (None: as wide as they come)."""

    key: str
    columns: list[tuple[str, str | None]]
    row_of: Callable[[dict[str, Any]], list[Any]]
    widths: list[int | None] | None = None


def _corrected(field: str, value: Any) -> Any:
    from projections.history import corrected_value

    return value if isinstance(value, Data) else corrected_value(field, value)  # withheld text stays the marker


SUB_TABLES = [
    SubTable("extensions",
             [("requested", None), ("by", None), ("deadline was", None), ("asked for", None), ("reason", None), ("decision", "decision"),
              ("decided by", None), ("decided", None), ("note", None)],
             lambda e: [e["requested_at"], e["requested_by"], e["previous"], e["to"], e["reason"], e["decision"], e["decided_by"], e["decided_at"], e["note"]],
             [None, 10, None, None, 24, None, 10, None, 16]),
    SubTable("measures",
             [("id", None), ("text", None), ("status", "measure"), ("due", None), ("evidence", None), ("done by", None)],
             lambda m: [m["id"], m["text"], m["status"], m["due"], list(m["evidence"]), m["completed_by"]],
             [None, 48, None, None, 24, None]),  # long measure texts wrap
    SubTable("verifications",
             [("at", None), ("by", None), ("grade", "grade"), ("result", "result"), ("note", None)],
             lambda v: [v["at"], v["by"], v["grade"], "passed" if v["passed"] else "failed", v["note"]]),
    SubTable("signatures",  # every signature of a dual sign-off, with its standing (every_signature)
             [("at", None), ("by", None), ("meaning", "meaning"), ("standing", "standing"), ("note", None)],
             lambda s: [s["at"], s["by"], s["meaning"], s.get("standing", AWAITING), s["note"]],
             [None, None, None, 36, 24]),
    SubTable("signoffs",
             [("at", None), ("by", None), ("meaning", "meaning"), ("outcome", "outcome"), ("note", None)],
             lambda s: [s["at"], s["by"], s["meaning"], s["outcome"], s["note"]]),
    SubTable("escalations",
             [("at", None), ("by", None), ("level", "level"), ("note", None)],
             lambda e: [e["at"], e["by"], e["level"], e["note"]]),
    SubTable("progress", [("at", None), ("by", None), ("progress", None)], lambda e: [e["at"], e["by"], e["text"]]),
    SubTable("reviews",
             [("at", None), ("by", None), ("result", "result"), ("note", None)],
             lambda r: [r["at"], r["by"], r["result"], r["note"]]),
    SubTable("links",
             [("problem", None), ("as", "as"), ("direction", "direction"), ("relapse", "relapse"), ("at", None), ("by", None), ("note", None)],
             lambda k: [k["problem"], k["as"], k["direction"], k.get("relapse", False), k["at"], k["by"], k["note"]]),
    SubTable("rejected",
             [("problem", None), ("at", None), ("by", None), ("note", None)],
             lambda r: [r["problem"], r["at"], r["by"], r["note"]]),
    SubTable("corrections",
             [("at", None), ("by", None), ("field", "field"), ("was", None), ("now", None), ("reason", None)],
             lambda c: [c["at"], c["by"], c["field"], _corrected(c["field"], c["old"]), _corrected(c["field"], c["new"]), c["reason"]]),
]


AWAITING = t("awaiting a second signer")


def every_signature(app: Any, view: dict[str, Any]) -> list[dict[str, Any]]:
    """Every signature of a dual sign-off (双审核) on this problem, read from its own events up to the version `view`
    shows (as of a moment too), each with its standing: awaiting a second signer, counted in the sign-off of <at>,
    or lapsed by a later act before a second signer signed. The view keeps only those awaiting (its stored rows are
    digested: unchanged), so without this the first signer vanished from `show` once the second one closed it."""
    if not view.get("verifications"):  # a signature is on a passing verification: none, nothing to read
        return []
    from ledger.ids import problem_uuid
    from projections.replay import apply, verified_events
    from projections.views import plain

    version = view.get("version")
    aggregate: Any = None
    found: list[dict[str, Any]] = []
    awaiting: list[dict[str, Any]] = []
    # Checked as history checks what it prints: these signatures are shown as signed.
    for seq, event in verified_events(app, [problem_uuid(view["inspection"], view["number"])]):
        if version is not None and event.originator_version > version:
            break
        aggregate = apply(event, seq, aggregate)
        name = type(event).__name__
        if name == "SignatureRecorded":
            entry = {"at": plain(event.at), "by": event.actor, "meaning": event.meaning, "note": event.note, "standing": AWAITING}
            found.append(entry)
            awaiting.append(entry)
        elif awaiting and not aggregate.pending_signatures:  # the domain's own rule says they no longer wait
            at = plain(getattr(event, "at", None) or event.timestamp)
            if name == "SignedOff":
                standing = t("counted in the sign-off of {at}", at=at)
            else:
                standing = t("lapsed: {act} at {at}, before a second signer signed", act=vocabulary.EVENTS.get(name, name), at=at)
            for entry in awaiting:
                entry["standing"] = standing
            awaiting = []
    return found


def with_every_signature(app: Any, view: dict[str, Any]) -> dict[str, Any]:
    """`view` for `show`'s tables (the CLI's and the web page's): its signatures all of them (every_signature). Its
    JSON keeps the stored view's."""
    return {**view, "signatures": every_signature(app, view)}


def _word(value: Any, lang: str) -> Any:
    """A stored value named by a word (the withheld marker, a corrected kind's word) in `lang`; else as it is."""
    if isinstance(value, (vocabulary.Word, Data)):
        return value.label(lang)
    if isinstance(value, list):
        return [_word(v, lang) for v in value]
    return value


def shown(column: str | None, value: Any, lang: str) -> Any:
    """A sub-table's cell: a vocabulary word in `lang`, or the column's word for the value, as a table cell."""
    if isinstance(value, (vocabulary.Word, Data, list)):
        return cell(_word(value, lang))
    return cell(words.value_word(column, value, lang) if column else value)


class Section(NamedTuple):
    """A sub-table as a reader sees it: its key, its title, its columns' keys and headings, its rows of cells."""

    key: str
    title: str
    columns: list[str]
    headings: list[str]
    rows: list[list[Any]]


def section(table: SubTable, entries: list[dict[str, Any]], lang: str) -> Section:
    rows = [[shown(column, value, lang) for (_, column), value in zip(table.columns, table.row_of(e))] for e in entries]
    names = [name for name, _ in table.columns]
    return Section(table.key, words.section_name(table.key, lang), names, [words.sub_heading(table.key, n, lang) for n in names], rows)


def sensitive(view: dict[str, Any], lang: str) -> Section | None:
    """A problem's encrypted fields, each by its word and the marker in place of its value (`ledger reveal` shows
    them to whoever holds the key); None when it has none. `show` lists them before the corrections."""
    if not view.get("sensitive_fields"):
        return None
    encrypted = render(t("[encrypted]"), lang)
    rows = [[Field(f).label(lang), encrypted] for f in view["sensitive_fields"]]
    return Section("sensitive", words.section_name("sensitive", lang), ["field", "value"], [], rows)


def sections(view: dict[str, Any], lang: str) -> list[Section]:
    """Every sub-table `show` prints for this problem (or inspection: its corrections), in order, those with rows."""
    return [section(table, view[table.key], lang) for table in SUB_TABLES if view.get(table.key)]
