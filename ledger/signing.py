"""Who is acting: the one check every write command passes before anything is written.

Trial mode (nobody enrolled in the ledger): the typed name is the actor, and
ledger.yaml's `people:` is checked if present. Once anyone is enrolled: the
actor must hold the private key enrolled for that name, and (they, or with
`--for` the person whose paper signature is entered) a role allowing the
command now. The application then signs every event the command writes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ledger.errors import InvalidInput, NotAuthorised
from ledger.messages import t


def authenticate(state: Any, name: str, command: str, options: dict[str, Any]) -> str:
    """The name the act is recorded under; raises NotAuthorised (exit 1) before anything is written."""
    from ledger.authority import ROLES, check_authority, required_roles

    app = state.app
    authority = app.authority()
    proxy = options.get("ledger.for")
    attach = tuple(options.get("ledger.attach") or ())
    if authority is None or not authority.enrolled_ever:
        if proxy:
            raise InvalidInput(t("--for: entering a paper signature needs people enrolled in the ledger (ledger person add)"))
        # Nothing is signed in trial mode, but a key named that is not there is a mistake said now, not ignored.
        given = options.get("ledger.key")
        where = "--key" if given else "LEDGER_KEY"
        given = given or os.environ.get("LEDGER_KEY", "").strip()
        if given and not Path(given).is_file():
            raise InvalidInput(t("{where}: no private key file at {given}", where=where, given=given))
        roles = check_authority(state.config, name, command)
        if roles is not None:
            app.acting = (name, roles)
        _keep_attachments(state, attach)
        return name

    from ledger import identity, values

    person = authority.person(name)
    if person is None or not person["active"]:
        raise NotAuthorised(t("{name} is not enrolled in this ledger (see `ledger person list`): may not run `ledger {command}`", name=name, command=command))
    if not person["public_key"]:
        raise NotAuthorised(t("{name} has no key enrolled: the administrator must run `ledger person add {name} --public-key FILE`", name=name))
    given = options.get("ledger.key") or os.environ.get("LEDGER_KEY", "").strip()
    path = Path(given) if given else identity.default_person_key(name)
    if not path.is_file():
        raise NotAuthorised(t("no private key for {name} at {path}: give --key PATH or set LEDGER_KEY", name=name, path=path))
    key = identity.load_private_key(path)
    raw = identity.raw_public_of(key)
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
        if command == "close" and authority.policy.get("proxy_signoff") == "forbidden":
            raise NotAuthorised(t("this ledger's policy forbids entering a sign-off for someone else (proxy_signoff: forbidden)"))
        acting = principal
    needed = required_roles(command)
    held = authority.roles_of(acting)
    if not held & set(needed):
        wanted = " or ".join(f"{r} ({ROLES[r]})" for r in needed)
        has = ", ".join(sorted(held)) or "no roles"
        raise NotAuthorised(t("{acting} may not run `ledger {command}`: it needs the role {wanted}; {acting} has {has}", acting=acting, command=command, wanted=wanted, has=has))
    app.acting = (acting, held)
    app.signer = identity.Signer(name=name, private_key=key, raw_public=raw, meaning=command, principal=principal)
    _keep_attachments(state, attach)
    return acting


def _keep_attachments(state: Any, paths: tuple[str, ...]) -> None:
    if not paths:
        return
    from ledger.attachments import read_files

    contents = read_files(state.app, paths)
    state.app.attachments = [manifest for manifest, _ in contents]
    state.app.attachment_bytes = (state.config.store, contents)
