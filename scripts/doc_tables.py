"""Render the role and meaning tables of docs/tamper-evidence.md from ledger/authority.py.

    .venv/bin/python scripts/doc_tables.py          # rewrite the document's generated part
    .venv/bin/python scripts/doc_tables.py --check  # exit 1 if the document differs from the code

The tables are the code's one definition (`ACTS`, `EVENT_ACTS` and the ledger's event classes), rendered; tests/test_doc_tables.py fails when the document differs.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ledger.authority import ACTS, ADMINISTRATION, EVENT_ACTS, required_roles
from ledger.vocabulary import EVENTS, ROLES

DOC = Path(__file__).resolve().parent.parent / "docs" / "tamper-evidence.md"


DOC_BEGIN = "<!-- BEGIN GENERATED from ledger/authority.py by scripts/doc_tables.py: do not edit by hand -->"
DOC_END = "<!-- END GENERATED -->"


def _event_topics() -> dict[str, str]:
    """qualname → topic of every event class of the ledger's aggregates (imports them: for the document only)."""
    import inspect

    from eventsourcing.domain import CanMutateAggregate
    from eventsourcing.utils import get_topic

    import ledger.checkpoint
    import ledger.domain
    import ledger.identity

    found: dict[str, str] = {}
    for module in (ledger.domain, ledger.checkpoint, ledger.identity):
        for owner in vars(module).values():
            if not inspect.isclass(owner) or owner.__module__ != module.__name__:
                continue
            for cls in vars(owner).values():
                name = getattr(cls, "__qualname__", "")
                if inspect.isclass(cls) and issubclass(cls, CanMutateAggregate) and name.startswith(owner.__name__ + ".") and name.rsplit(".", 1)[-1] not in ("Event", "Created"):
                    found[name] = get_topic(cls)
    return found


def document_tables() -> str:
    """The role that may sign each act, the events and meanings each act may record, and the Authority's topics, as markdown."""
    def roles(act: str) -> str:
        return " or ".join(f"`{r}` ({ROLES[r].zh})" for r in required_roles(act))

    def signed(act: str) -> str:  # the meaning first: it is what the event carries
        return f"`{ACTS[act].meaning}` ({act})"

    lines = [DOC_BEGIN, "", "**Who may sign each act** (`ACTS`): the acting person must hold one of these roles.", ""]
    lines += ["| act (`meaning`) | roles, any one of |", "|---|---|"]
    lines += [f"| {signed(act)} | {roles(act)} |" for act in ACTS]
    lines += ["| any other act | none: refused |", ""]
    topics = _event_topics()
    lines += [
        "**Which events each act may record** (`EVENT_ACTS`, `Act.also`): an event signed with a meaning not",
        "listed for it is refused; the acting person needs a role for the meaning *and* for the event's own act.",
        "An event of a kind that no act records is refused when written.",
        "",
        "| event topic | as screens name it (ledger/vocabulary.py) | its own act | meanings it may be signed with |",
        "|---|---|---|---|",
    ]
    for qualname, topic in topics.items():
        own = EVENT_ACTS.get(qualname)
        if own == ADMINISTRATION:
            continue
        word = EVENTS[qualname.rsplit(".", 1)[-1]].zh
        if own is None:
            lines.append(f"| `{topic}` | {word} | (none) | none: refused |")
            continue
        acts = [own] + [name for name, act in ACTS.items() if own in act.also]
        lines.append(f"| `{topic}` | {word} | {signed(own)} | {', '.join(f'`{ACTS[a].meaning}`' for a in acts)} |")
    lines += [
        "",
        f"**People and roles** (the Authority aggregate; the act `{ADMINISTRATION}`): signed by the administrator; the",
        "meaning is the administrator's command and is not checked.",
        "",
        "| event topic | as screens name it |",
        "|---|---|",
    ]
    lines += [f"| `{topic}` | {EVENTS[qualname.rsplit('.', 1)[-1]].zh} |" for qualname, topic in topics.items() if EVENT_ACTS.get(qualname) == ADMINISTRATION]
    return "\n".join([*lines, "", DOC_END])


def document_with_tables(text: str) -> str:
    """`text` (docs/tamper-evidence.md) with the generated tables put between their markers."""
    start, end = text.index(DOC_BEGIN), text.index(DOC_END) + len(DOC_END)
    return text[:start] + document_tables() + text[end:]


if __name__ == "__main__":
    text = DOC.read_text(encoding="utf-8")
    wanted = document_with_tables(text)
    if "--check" in sys.argv[1:]:
        sys.exit(0 if wanted == text else "docs/tamper-evidence.md: the generated tables differ from ledger/authority.py (run scripts/doc_tables.py)")
    DOC.write_text(wanted, encoding="utf-8")
