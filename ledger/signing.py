"""Who is acting: the one check every write passes before anything is written.

Trial mode (nobody enrolled in the ledger): the typed name is the actor, and
ledger.yaml's `people:` is checked if present. Once anyone is enrolled: the
actor must hold the private key enrolled for that name, and (they, or with
`--for` the person whose paper signature is entered) a role allowing the act
now. The result is an Actor (ledger.actor) that the interface passes to the
application method; the application signs every event the act writes with it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ledger.actor import Actor
from ledger.errors import InvalidInput, NotAuthorised
from ledger.messages import t


def _proxy_signoff_forbidden() -> Any:
    """The refusal, naming the policy and its value by their words (代录销号：禁止) as `person policy` sets them."""
    from ledger.messages import Stored
    from ledger.vocabulary import POLICIES, POLICY_VALUES

    return t("this ledger's policy forbids entering a sign-off for someone else ({policy}: {value})",
             policy=Stored("proxy_signoff", POLICIES["proxy_signoff"]), value=Stored("forbidden", POLICY_VALUES["forbidden"]))


def authenticate(
    app: Any,
    config: Any,
    name: str,
    act: str,
    *,
    key: str | None = None,
    proxy: str | None = None,
    attach: tuple[str, ...] = (),
) -> Actor:
    """The Actor of `act` for the typed `name`; raises NotAuthorised (exit 1) before anything is written.

    `key`: the private key's path (else LEDGER_KEY, else the person's default key file);
    `proxy`: --for, the person whose paper signature is entered; `attach`: evidence files.
    """
    from ledger.authority import ACTS, check_authority, held_roles, required_roles, wanted_roles

    command = ACTS[act].meaning
    authority = app.authority()
    attach = tuple(attach or ())
    if authority is None or not authority.enrolled_ever:
        if proxy:
            raise InvalidInput(t("--for: entering a paper signature needs people enrolled in the ledger (ledger person add)"))
        # Nothing is signed in trial mode, but a key named that is not there is a mistake said now, not ignored.
        where = "--key" if key else "LEDGER_KEY"
        given = key or os.environ.get("LEDGER_KEY", "").strip()
        if given and not Path(given).is_file():
            raise InvalidInput(t("{where}: no private key file at {given}", where=where, given=given))
        roles = check_authority(config, name, act)
        return Actor(name=name, act=act, roles=None if roles is None else frozenset(roles), evidence=_evidence(app, attach))

    from ledger import identity, values

    person = authority.person(name)
    if person is None or not person["active"]:
        raise NotAuthorised(t("{name} is not enrolled in this ledger (see `ledger person list`): may not run `ledger {command}`", name=name, command=command))
    if not person["public_key"]:
        raise NotAuthorised(t("{name} has no key enrolled: the administrator must run `ledger person add {name} --public-key FILE`", name=name))
    given = key or os.environ.get("LEDGER_KEY", "").strip()
    path = Path(given) if given else identity.default_person_key(name)
    if not path.is_file():
        raise NotAuthorised(t("no private key for {name} at {path}: give --key PATH or set LEDGER_KEY", name=name, path=path))
    private_key = identity.load_private_key(path)
    raw = identity.raw_public_of(private_key)
    if identity.b64(raw) != person["public_key"]:
        raise NotAuthorised(
            t("the key {path} (fingerprint {fingerprint}) is not the key enrolled for {name} ({fingerprint2}): nothing written", path=path, fingerprint=identity.fingerprint(raw), name=name, fingerprint2=person['fingerprint'])
        )
    acting, principal = name, None
    if proxy:
        principal = values.person_name(proxy, "--for")
        if principal == name:
            raise InvalidInput(t("--for: that is you; act in your own name without --for"))
        other = authority.person(principal)
        if other is None or not other["active"]:
            raise NotAuthorised(t("--for: {principal} is not enrolled in this ledger", principal=principal))
        if not attach:
            raise InvalidInput(t("--for: attach the paper that was signed (--attach FILE)"))
        if act == "sign-off" and authority.policy.get("proxy_signoff") == "forbidden":
            raise NotAuthorised(_proxy_signoff_forbidden())
        acting = principal
    needed = required_roles(act)
    held = authority.roles_of(acting)
    if not held & set(needed):
        wanted, has = wanted_roles(act), held_roles(held)
        raise NotAuthorised(t("{acting} may not run `ledger {command}`: it needs the role {wanted}; {acting} has {has}", acting=acting, command=command, wanted=wanted, has=has))
    signer = identity.Signer(name=name, private_key=private_key, raw_public=raw, meaning=command, principal=principal)
    return Actor(name=acting, act=act, roles=frozenset(held), signer=signer, evidence=_evidence(app, attach))


def _evidence(app: Any, paths: tuple[str, ...]) -> tuple[tuple[dict[str, Any], bytes], ...]:
    if not paths:
        return ()
    from ledger.attachments import read_files

    return tuple(read_files(app, paths))


def paper_actor(app: Any, clerk: Actor, person: str, act: str, evidence: tuple[tuple[dict[str, Any], bytes], ...], config: Any = None) -> Actor:
    """The Actor of an act a file records as `person`'s (a 台账's 整改责任人 completing, its 验收负责人 accepting),
    entered by `clerk` from that file, the file being the paper: the `--for` form, checked as `--for` is.

    Trial mode (nothing signed): the person's typed name, as every trial act, with the file attached; when
    ledger.yaml lists `people:`, the person must be listed with a role for `act`, as for their own command.
    Signed: signed by the clerk for `person`, who must be enrolled and hold a role for `act`; refused otherwise.
    """
    from ledger.authority import ACTS, check_authority, held_roles, required_roles, wanted_roles

    if clerk.signer is None:
        roles = check_authority(config, person, act) if config is not None else None
        return Actor(name=person, act=act, roles=None if roles is None else frozenset(roles), evidence=evidence)
    from ledger import identity

    authority = app.authority()
    command = ACTS[act].meaning
    other = authority.person(person) if authority is not None else None
    if other is None or not other["active"]:
        raise NotAuthorised(t("{person} is not enrolled in this ledger: what the file records as theirs (`ledger {command}`) is entered for them, so enrol them first (ledger person add)", person=person, command=command))
    if act == "sign-off" and authority.policy.get("proxy_signoff") == "forbidden":
        raise NotAuthorised(_proxy_signoff_forbidden())
    held = authority.roles_of(person)
    if not held & set(required_roles(act)):
        raise NotAuthorised(t("{acting} may not run `ledger {command}`: it needs the role {wanted}; {acting} has {has}", acting=person, command=command, wanted=wanted_roles(act), has=held_roles(held)))
    principal = None if person == clerk.signer.name else person  # the clerk's own act, entered from the file
    signer = identity.Signer(name=clerk.signer.name, private_key=clerk.signer.private_key, raw_public=clerk.signer.raw_public, meaning=command, principal=principal)
    return Actor(name=person, act=act, roles=frozenset(held), signer=signer, evidence=evidence)
