"""Who may do what (21 CFR Part 11 §11.10(g) authority checks).

ledger.yaml may list people with their roles. When it does, every write
command checks the actor's roles against `COMMAND_ROLES`; a write command not
in the table needs registrar. Without the list the ledger runs in single-user
mode (`ledger doctor` says so). Names are asserted by --actor / LEDGER_ACTOR
or the OS user: this is authority, not authentication.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID


from ledger.errors import ConfigError, NotAuthorised

ROLES = {
    "registrar": "登记",
    "responsible": "责任人",
    "verifier": "验收",
    "signer": "销号审批",
    "auditor": "审计",
}
ROLE_ALIASES = {**{r: r for r in ROLES}, **{zh: r for r, zh in ROLES.items()}}

# command name → roles any one of which allows it.
COMMAND_ROLES: dict[str, tuple[str, ...]] = {
    "add-inspection": ("registrar",),
    "add-problem": ("registrar",),
    "import": ("registrar",),
    "import-log": ("registrar", "auditor"),
    "correct": ("registrar",),
    "confide": ("registrar",),
    "assign": ("registrar", "responsible"),
    "plan": ("responsible",),
    "done": ("responsible",),
    "progress": ("responsible",),
    "extend": ("responsible",),
    "approve-extension": ("signer",),
    "verify": ("verifier",),
    "review": ("verifier",),
    "escalate": ("registrar", "verifier"),
    "withhold": ("registrar", "signer"),
    "close": ("signer",),
    "reopen": ("verifier", "signer"),
    "sample": ("auditor",),
    "checkpoint": ("registrar", "signer", "auditor"),
    "publish": ("registrar", "signer"),
    "keygen": ("registrar", "auditor"),
    # Reading sensitive fields is restricted too, though it writes nothing.
    "reveal": ("verifier", "signer", "auditor"),
    # Only `sheet --internal` asks: the 台账 with withheld text, for insiders.
    "sheet": ("registrar", "verifier", "signer", "auditor"),
}
DEFAULT_ROLES = ("registrar",)

# The ID of the ledger's Authority aggregate (ledger.identity): uuid5(ledger.ids.NAMESPACE, "authority").
# Kept here so that looking for it does not import the aggregate's module (start-up time).
AUTHORITY_ID = UUID("e789fc1c-384e-5f4a-ae77-abb4feefca10")

# event (aggregate.Event qualname) → the command that records it on its own.
# Whatever command writes an event (import writes Registered, Assigned and
# MeasurePlanned), its actor must also hold a role for this command, so a
# bulk path never lets anyone do what they may not do one act at a time.
EVENT_COMMANDS: dict[str, str] = {
    "Inspection.Registered": "add-inspection",
    "Inspection.Corrected": "correct",
    "Problem.Registered": "add-problem",
    "Problem.Assigned": "assign",
    "Problem.MeasurePlanned": "plan",
    "Problem.MeasureCompleted": "done",
    "Problem.VerificationRecorded": "verify",
    "Problem.SignatureRecorded": "close",
    "Problem.SignedOff": "close",
    "Problem.ReviewRecorded": "review",
    "Problem.Reopened": "reopen",
    "Problem.Corrected": "correct",
    "Problem.Escalated": "escalate",
    "Problem.ProgressRecorded": "progress",
    "Problem.Withheld": "withhold",
    "Problem.SensitiveRecorded": "confide",
    "SampleDraw.Drawn": "sample",
    "Checkpoint.Recorded": "checkpoint",
}
# Commands that may write an event other than their own (the event's command's roles are checked too).
WRITES_ALSO: dict[str, set[str]] = {
    "import": {"add-inspection", "add-problem", "assign", "plan"},
    "review": {"reopen"},
    "publish": {"checkpoint"},
}


def event_command(qualname: str) -> str | None:
    return EVENT_COMMANDS.get(qualname)


def may_write(meaning: str, qualname: str) -> bool:
    """Whether the command `meaning` ever writes this event (unknown events: yes, roles decide)."""
    native = EVENT_COMMANDS.get(qualname)
    return native is None or native == meaning or native in WRITES_ALSO.get(meaning, set())


def event_refusal(actor: str, roles: set[str], qualname: str) -> str | None:
    """Why `actor` with `roles` may not record this event, or None."""
    native = EVENT_COMMANDS.get(qualname)
    if native is None or roles & set(required_roles(native)):
        return None
    wanted = " or ".join(f"{r} ({ROLES[r]})" for r in required_roles(native))
    return f"{actor} may not record {qualname.rsplit('.', 1)[-1]} (what `ledger {native}` records): it needs the role {wanted}"


def people(config: Any) -> dict[str, set[str]] | None:
    """name → roles, or None in single-user mode. Raises ConfigError on a bad list."""
    given = config.data.get("people")
    if given is None:
        return None
    if not isinstance(given, list):
        raise ConfigError("'people' must be a list of {name: …, roles: […]}")
    found: dict[str, set[str]] = {}
    for i, entry in enumerate(given, 1):
        if not isinstance(entry, dict) or set(entry) - {"name", "roles"}:
            raise ConfigError(f"people entry {i} must be a mapping with 'name' and 'roles' only")
        name = str(entry.get("name") or "").strip()
        if not name:
            raise ConfigError(f"people entry {i} has no name")
        if name in found:
            raise ConfigError(f"people: '{name}' is listed twice")
        roles = entry.get("roles") or []
        if isinstance(roles, str):
            roles = [roles]
        if not isinstance(roles, list):
            raise ConfigError(f"people: roles of '{name}' must be a list")
        unknown = [str(r) for r in roles if str(r).strip() not in ROLE_ALIASES]
        if unknown:
            raise ConfigError(f"people: unknown role {unknown[0]!r} for '{name}' (roles: {', '.join(ROLES)})")
        found[name] = {ROLE_ALIASES[str(r).strip()] for r in roles}
    return found


def required_roles(command_name: str) -> tuple[str, ...]:
    return COMMAND_ROLES.get(command_name, DEFAULT_ROLES)


def check_authority(config: Any, actor: str, command_name: str) -> set[str] | None:
    """Refuse (exit 1) unless `actor` holds a role that allows `command_name`; their roles (None: anyone)."""
    listed = people(config)
    if listed is None:
        return None
    needed = required_roles(command_name)
    if actor not in listed:
        raise NotAuthorised(f"{actor} is not listed under people in ledger.yaml: may not run `ledger {command_name}`")
    if not listed[actor] & set(needed):
        wanted = " or ".join(f"{r} ({ROLES[r]})" for r in needed)
        has = ", ".join(sorted(listed[actor])) or "no roles"
        raise NotAuthorised(f"{actor} may not run `ledger {command_name}`: it needs the role {wanted}; {actor} has {has}")
    return set(listed[actor])


def signers(config: Any) -> set[str] | None:
    """Names holding the signer role, or None in single-user mode."""
    listed = people(config)
    return None if listed is None else {n for n, r in listed.items() if "signer" in r}


# -- the tables docs/tamper-evidence.md prints, rendered from the definitions above (scripts/doc_tables.py) ----------

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
    def roles(command: str) -> str:
        return " or ".join(f"`{r}` ({ROLES[r]})" for r in required_roles(command))

    lines = [DOC_BEGIN, "", "**Who may sign each act** (`COMMAND_ROLES`): the acting person must hold one of these roles.", ""]
    lines += ["| act (`meaning`) | roles, any one of |", "|---|---|"]
    lines += [f"| `{command}` | {roles(command)} |" for command in COMMAND_ROLES]
    lines += [f"| any other act | {roles('')} |", ""]
    topics = _event_topics()
    lines += [
        "**Which events each act may record** (`EVENT_COMMANDS`, `WRITES_ALSO`): an event signed with a meaning not",
        "listed for it is refused; the acting person needs a role for the meaning *and* for the event's own act.",
        "",
        "| event topic | its own act | meanings it may be signed with |",
        "|---|---|---|",
    ]
    for qualname, topic in topics.items():
        if qualname.startswith("Authority."):
            continue
        native = EVENT_COMMANDS.get(qualname)
        if native is None:
            lines.append(f"| `{topic}` | (none) | any act: the meaning's roles decide |")
            continue
        meanings = [native] + sorted(c for c, also in WRITES_ALSO.items() if native in also)
        lines.append(f"| `{topic}` | `{native}` | {', '.join(f'`{m}`' for m in meanings)} |")
    lines += [
        "",
        "**People and roles** (the Authority aggregate): signed by the administrator; the meaning is the administrator's",
        "command and is not checked.",
        "",
        "| event topic |",
        "|---|",
    ]
    lines += [f"| `{topic}` |" for qualname, topic in topics.items() if qualname.startswith("Authority.")]
    return "\n".join([*lines, "", DOC_END])


def document_with_tables(text: str) -> str:
    """`text` (docs/tamper-evidence.md) with the generated tables put between their markers."""
    start, end = text.index(DOC_BEGIN), text.index(DOC_END) + len(DOC_END)
    return text[:start] + document_tables() + text[end:]
