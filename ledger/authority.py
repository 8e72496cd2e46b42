"""Who may do what (21 CFR Part 11 §11.10(g) authority checks).

Permissions are keyed by domain act (`ACTS`: sign-off, verification, measure,
…), never by command; every event kind belongs to one act (`EVENT_ACTS`), and an
event of a kind that belongs to none is refused. Once people are enrolled in the
ledger their roles are its Authority's; before that (trial mode) ledger.yaml may
list people with roles, asserted by --actor / LEDGER_ACTOR or the OS user:
authority, not authentication. Without either, anyone may act (`ledger doctor` says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID


from ledger import vocabulary
from ledger.errors import ConfigError, NotAuthorised
from ledger.messages import choices, t

ROLES = vocabulary.zh(vocabulary.ROLES)
ROLE_ALIASES = {**{r: r for r in ROLES}, **{zh: r for r, zh in ROLES.items()}, **vocabulary.OLDER_ROLE_WORDS}

@dataclass(frozen=True)
class Act:
    """A domain act: the roles any one of which allows it, and the word signed into its events.

    `meaning` is the name of the command that performs the act: it is signed into every event
    (ledger.identity.signed_message) since the first signed ledgers, so it stays as it was.
    `also`: other acts whose events this one records (an import registers, assigns and plans).
    """

    roles: tuple[str, ...]
    meaning: str
    also: tuple[str, ...] = ()


# domain act → who may do it. Every write the ledger makes is one of these acts.
ACTS: dict[str, Act] = {
    "inspection-registration": Act(("registrar",), "add-inspection"),
    "problem-registration": Act(("registrar",), "add-problem"),
    # the file's 进展情况 comes in as progress entered by the importer (issue 25)
    "feedback-import": Act(("registrar",), "import", also=("inspection-registration", "problem-registration", "assignment", "measure-plan", "progress")),
    "log-import": Act(("registrar", "auditor"), "import-log"),
    "correction": Act(("registrar",), "correct"),
    "confidential-record": Act(("registrar",), "confide"),
    "assignment": Act(("registrar", "responsible"), "assign"),
    "measure-plan": Act(("responsible",), "plan"),
    "measure": Act(("responsible",), "done"),
    "progress": Act(("responsible",), "progress"),
    "extension-request": Act(("responsible",), "extend"),
    "extension-decision": Act(("signer",), "approve-extension"),
    "verification": Act(("verifier",), "verify"),
    "review": Act(("verifier",), "review", also=("reopening",)),  # 整改回头看 finding a relapse reopens the problem
    "escalation": Act(("registrar", "verifier"), "escalate"),
    "withholding": Act(("registrar", "signer"), "withhold"),
    "sign-off": Act(("signer",), "close"),
    "reopening": Act(("verifier", "signer"), "reopen"),
    "sampling": Act(("auditor",), "sample"),
    # 屡查屡犯: a later problem linked to an earlier one (Linked and FoundAgain in one act), or a suggestion rejected.
    "recurrence-link": Act(("registrar", "verifier"), "link"),
    # 举一反三: a problem sent to other units for self-check (each gets a problem registered, source 自查),
    # and a unit's answer that its self-check, with evidence, did not find it.
    "propagation": Act(("registrar",), "propagate", also=("problem-registration", "withholding")),  # a withheld source's copies are withheld too
    "self-check-answer": Act(("responsible",), "not-found"),
    "checkpoint": Act(("registrar", "signer", "auditor"), "checkpoint"),
    "publication": Act(("registrar", "signer"), "publish", also=("checkpoint",)),
    "key-generation": Act(("registrar", "auditor"), "keygen"),
    "migration": Act(("registrar",), "migrate"),
    # Reading sensitive fields is restricted too, though it writes nothing.
    "sensitive-reading": Act(("verifier", "signer", "auditor"), "reveal"),
    # Only `sheet --internal` asks: the 台账 with withheld text, for insiders.
    "internal-sheet": Act(("registrar", "verifier", "signer", "auditor"), "sheet"),
}
# People, keys and roles: the administrator's act, signed with the administrator's key (ledger.identity).
ADMINISTRATION = "administration"

# The ID of the ledger's Authority aggregate (ledger.identity): uuid5(ledger.ids.NAMESPACE, "authority").
# Kept here so that looking for it does not import the aggregate's module (start-up time).
AUTHORITY_ID = UUID("e789fc1c-384e-5f4a-ae77-abb4feefca10")

# event (aggregate.Event qualname) → the act that records it. Every event kind has one; an event of
# a kind not listed is refused, never written (tests/test_actor.py). Whatever act writes an event
# (an import writes Registered, Assigned and MeasurePlanned), its actor must also hold a role for
# the event's own act, so a bulk path never lets anyone do what they may not do one act at a time.
EVENT_ACTS: dict[str, str] = {
    "Inspection.Registered": "inspection-registration",
    "Inspection.Corrected": "correction",
    "Problem.Registered": "problem-registration",
    "Problem.Assigned": "assignment",
    "Problem.MeasurePlanned": "measure-plan",
    "Problem.MeasureCompleted": "measure",
    "Problem.VerificationRecorded": "verification",
    "Problem.SignatureRecorded": "sign-off",
    "Problem.SignedOff": "sign-off",
    "Problem.ReviewRecorded": "review",
    "Problem.Reopened": "reopening",
    "Problem.Corrected": "correction",
    "Problem.Escalated": "escalation",
    "Problem.ProgressRecorded": "progress",
    "Problem.Withheld": "withholding",
    "Problem.SensitiveRecorded": "confidential-record",
    "Problem.ChildAdded": "problem-registration",  # add-problem --parent: the refined problem notes its new child
    "Problem.ExtensionRequested": "extension-request",
    "Problem.ExtensionDecided": "extension-decision",
    "Problem.Linked": "recurrence-link",
    "Problem.FoundAgain": "recurrence-link",
    "Problem.LikeRejected": "recurrence-link",
    "Problem.Propagated": "propagation",
    "Problem.SelfCheckRequested": "propagation",
    "Problem.SelfCheckNotFound": "self-check-answer",
    "SampleDraw.Drawn": "sampling",
    "Checkpoint.Recorded": "checkpoint",
    "Authority.LedgerFounded": ADMINISTRATION,
    "Authority.PersonEnrolled": ADMINISTRATION,
    "Authority.KeyEnrolled": ADMINISTRATION,
    "Authority.RoleGranted": ADMINISTRATION,
    "Authority.RoleRevoked": ADMINISTRATION,
    "Authority.PersonRevoked": ADMINISTRATION,
    "Authority.PolicySet": ADMINISTRATION,
}


def event_act(qualname: str) -> str | None:
    """The act that records this event kind (None: no act does, and it is refused)."""
    return EVENT_ACTS.get(qualname)


def act_of_meaning(meaning: str) -> str | None:
    """The act whose events are signed with this meaning (the command's name), or None."""
    for name, act in ACTS.items():
        if act.meaning == meaning:
            return name
    return None


def may_write(meaning: str, qualname: str) -> bool:
    """Whether the act signed as `meaning` ever records this event (an event kind of no act: never)."""
    own, act = EVENT_ACTS.get(qualname), act_of_meaning(meaning)
    return own is not None and act is not None and (own == act or own in ACTS[act].also)


def wanted_roles(act: str) -> Any:
    """The roles allowing `act`, as a refusal names them in the reader's language, several joined by "or" (或)."""
    from ledger.messages import either

    return either(vocabulary.ROLES[r] for r in required_roles(act))


def held_roles(roles: Any) -> Any:
    """The roles someone holds, as a refusal names them (in the reader's language)."""
    return [vocabulary.ROLES.get(r, r) for r in sorted(roles)] or t("no roles")


def event_refusal(actor: str, roles: set[str] | frozenset[str] | None, qualname: str) -> str | None:
    """Why `actor` with `roles` (None: not known, anyone) may not record this event, or None."""
    own = EVENT_ACTS.get(qualname)
    name = qualname.rsplit(".", 1)[-1]
    if own is None:
        return t("{actor} may not record {value}: no act of the ledger records it", actor=actor, value=name)
    if own == ADMINISTRATION or roles is None or roles & set(required_roles(own)):
        return None
    return t("{actor} may not record {value} (what `ledger {native}` records): it needs the role {wanted}", actor=actor, value=name, native=ACTS[own].meaning, wanted=wanted_roles(own))


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
            raise ConfigError(t("people: unknown role {value!r} for '{name}' (roles: {ROLES})", value=unknown[0], name=name, ROLES=choices(ROLES)))
        found[name] = {ROLE_ALIASES[str(r).strip()] for r in roles}
    return found


def required_roles(act: str) -> tuple[str, ...]:
    """The roles any one of which allows `act`; an act not in ACTS is allowed to nobody."""
    found = ACTS.get(act)
    return found.roles if found is not None else ()


def check_authority(config: Any, actor: str, act: str) -> set[str] | None:
    """Refuse (exit 1) unless `actor` holds a role that allows `act`; their roles (None: anyone)."""
    listed = people(config)
    if listed is None:
        return None
    command = ACTS[act].meaning
    if actor not in listed:
        raise NotAuthorised(t("{actor} is not listed under people in ledger.yaml: may not run `ledger {command_name}`", actor=actor, command_name=command))
    if not listed[actor] & set(required_roles(act)):
        has = held_roles(listed[actor])
        raise NotAuthorised(t("{actor} may not run `ledger {command_name}`: it needs the role {wanted}; {actor} has {has}", actor=actor, command_name=command, wanted=wanted_roles(act), has=has))
    return set(listed[actor])


def signers(config: Any) -> set[str] | None:
    """Names holding the signer role, or None in single-user mode."""
    listed = people(config)
    return None if listed is None else {n for n, r in listed.items() if "signer" in r}

