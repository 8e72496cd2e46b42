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
from ledger.messages import t

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
    # 屡查屡犯: a later problem linked to an earlier one (or a suggestion rejected).
    "link": ("registrar", "verifier"),
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
    "Problem.ChildAdded": "add-problem",  # add-problem --parent: the refined problem notes its new child
    "Problem.ExtensionRequested": "extend",
    "Problem.ExtensionDecided": "approve-extension",
    # 屡查屡犯: `link` records Linked on the later problem and FoundAgain on the earlier in one act.
    "Problem.Linked": "link",
    "Problem.FoundAgain": "link",
    "Problem.LikeRejected": "link",
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
    return t("{actor} may not record {value} (what `ledger {native}` records): it needs the role {wanted}", actor=actor, value=qualname.rsplit('.', 1)[-1], native=native, wanted=wanted)


def people(config: Any) -> dict[str, set[str]] | None:
    """name → roles, or None in single-user mode. Raises ConfigError on a bad list."""
    given = config.data.get("people")
    if given is None:
        return None
    if not isinstance(given, list):
        raise ConfigError(t("'people' must be a list of {{name: …, roles: […]}}"))
    found: dict[str, set[str]] = {}
    for i, entry in enumerate(given, 1):
        if not isinstance(entry, dict) or set(entry) - {"name", "roles"}:
            raise ConfigError(t("people entry {i} must be a mapping with 'name' and 'roles' only", i=i))
        name = str(entry.get("name") or "").strip()
        if not name:
            raise ConfigError(t("people entry {i} has no name", i=i))
        if name in found:
            raise ConfigError(t("people: '{name}' is listed twice", name=name))
        roles = entry.get("roles") or []
        if isinstance(roles, str):
            roles = [roles]
        if not isinstance(roles, list):
            raise ConfigError(t("people: roles of '{name}' must be a list", name=name))
        unknown = [str(r) for r in roles if str(r).strip() not in ROLE_ALIASES]
        if unknown:
            raise ConfigError(t("people: unknown role {value!r} for '{name}' (roles: {ROLES})", value=unknown[0], name=name, ROLES=', '.join(ROLES)))
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
        raise NotAuthorised(t("{actor} is not listed under people in ledger.yaml: may not run `ledger {command_name}`", actor=actor, command_name=command_name))
    if not listed[actor] & set(needed):
        wanted = " or ".join(f"{r} ({ROLES[r]})" for r in needed)
        has = ", ".join(sorted(listed[actor])) or "no roles"
        raise NotAuthorised(t("{actor} may not run `ledger {command_name}`: it needs the role {wanted}; {actor} has {has}", actor=actor, command_name=command_name, wanted=wanted, has=has))
    return set(listed[actor])


def signers(config: Any) -> set[str] | None:
    """Names holding the signer role, or None in single-user mode."""
    listed = people(config)
    return None if listed is None else {n for n, r in listed.items() if "signer" in r}

