"""`ledger person …`: people, their keys and roles, enrolled in the ledger by its administrator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from commands import i18n
from commands.i18n import WordedOption
from commands.options import Choice, LedgerContext, Screen, echo, format_option, listing_options, pass_ledger, render_record
from ledger import values, vocabulary
from ledger.errors import InvalidInput
from ledger.messages import Field, choices, joined, t


def _role(value: str) -> str:
    from ledger.authority import ROLE_ALIASES, ROLES

    role = ROLE_ALIASES.get(str(value).strip())
    if role is None:
        raise InvalidInput(t("{what}: '{value}' is not one of {choices}", what=Field("--role"), value=value, choices=choices(ROLES)))
    return role


def _authority(state: LedgerContext) -> Any:
    """The stored Authority, or one founded now from the administrator `ledger init` noted (saved with the first enrolment)."""
    from ledger.identity import founding

    return founding(state.app)


def _as_admin(state: LedgerContext, admin_key: str | None, meaning: str) -> Any:
    """The administrator as the Actor of `ledger person …` (their key checked now, before anything is done)."""
    from ledger.identity import administrator

    return administrator(_authority(state), admin_key, meaning)


admin_key_option = click.option(
    "--admin-key", default=None, metavar="PATH", help="The administrator's private key (default: the one `ledger init` made for this ledger)."
)


@click.group(cls=i18n.Group)
def person() -> None:
    """People, their keys and their roles, recorded in the ledger (signed by its administrator)."""


@person.command()
@click.argument("name")
@click.option("--out", default=None, metavar="PATH", help="Where to write the private key (default: keys/NAME.pem under the user's config folder); the public key goes beside it (.pub).")
@format_option
def keygen(name: str, out: str | None, fmt: str) -> None:
    """Make an Ed25519 key pair for NAME (private key mode 0600; passphrase from LEDGER_KEY_PASSPHRASE if set)."""
    from ledger.identity import default_person_key, write_key_pair

    from commands.options import check_out_file

    who = values.person_name(name, "NAME")
    path = Path(out) if out else default_person_key(who)
    for each in (path, path.with_name(path.name + ".pub")):  # keys are never replaced: no --force
        check_out_file(str(each), is_key=True)
    record = {"name": who, **write_key_pair(path)}
    lines = [
        (t("private key: {private_key} (mode 0600, passphrase-protected; keep it secret)", private_key=record['private_key']) if record['passphrase'] else t("private key: {private_key} (mode 0600; keep it secret)", private_key=record['private_key'])),
        t("public key:  {public_key_file}", public_key_file=record['public_key_file']),
        t("fingerprint: {fingerprint}", fingerprint=record['fingerprint']),
        t("(the administrator enrols it: ledger person add {who} --role ROLE --public-key {public_key_file})", who=who, public_key_file=record['public_key_file']),
    ]
    echo(render_record(record, fmt, lines))


def _role_words(roles: list[str]) -> Any:
    return joined([vocabulary.word_of(vocabulary.ROLES, r) for r in roles], ", ", "、")


@person.command()
@click.argument("name")
@click.option("--role", "roles", multiple=True, cls=WordedOption, help=t("A role to grant ({roles}); repeatable.", roles=choices(vocabulary.ROLES)))
@click.option("--public-key", "public_key", default=None, metavar="FILE", help="NAME's public key file (from `ledger person keygen`; default: keys/NAME.pem.pub under the user's config folder, if there).")
@admin_key_option
@format_option
@pass_ledger
def add(state: LedgerContext, name: str, roles: tuple[str, ...], public_key: str | None, admin_key: str | None, fmt: str) -> None:
    """Enrol NAME with roles and a public key, or grant an enrolled person more roles or a new key."""
    from ledger.identity import b64, default_person_key, fingerprint, read_public_key

    who = values.person_name(name, "NAME")
    wanted = [_role(r) for r in roles]
    if public_key is None:
        beside = default_person_key(who).with_name(f"{who}.pem.pub")
        if beside.is_file() and (state.app.authority() is None or (state.app.authority().person(who) or {}).get("public_key") is None):
            public_key = str(beside)
    raw = read_public_key(public_key) if public_key else None
    admin = _as_admin(state, admin_key, "person add")
    changed = state.app.enrol(
        name=who, roles=wanted, public_key=b64(raw) if raw else None, fingerprint=fingerprint(raw) if raw else None, actor=admin,
    )
    authority, done = changed.authority, changed.done
    record = {"name": who, "roles": sorted(authority.roles_of(who)), "fingerprint": authority.person(who)["fingerprint"], "done": done}
    echo(render_record(record, fmt, done))


@person.command()
@click.argument("name")
@click.option("--role", default=None, help="Revoke only this role (default: the key and every role).")
@admin_key_option
@format_option
@pass_ledger
def revoke(state: LedgerContext, name: str, role: str | None, admin_key: str | None, fmt: str) -> None:
    """Revoke a role of NAME, or NAME altogether; their earlier acts stay valid."""
    who = values.person_name(name, "NAME")
    admin = _as_admin(state, admin_key, "person revoke")
    changed = state.app.revoke_person(name=who, role=_role(role) if role else None, actor=admin)
    echo(render_record({"name": who, "roles": sorted(changed.authority.roles_of(who))}, fmt, changed.done[0]))


@person.command("list")
@listing_options
@pass_ledger
def list_(state: LedgerContext, fmt: str, screen: Screen) -> None:
    """Who could do what, with which key, since when (from the ledger's own events).

    By name; on a terminal 30 people unless --limit N or --all.
    """
    from projections.views import plain

    authority = _authority(state)
    rows = []
    for name, p in sorted(authority.people.items()):
        rows.append(
            {
                "name": name,
                "roles": joined([t("{role} since {date}", role=vocabulary.ROLES.get(r, r), date=plain(at)) for r, at in sorted(p["roles"].items())], ", ", "；") or "-",
                "fingerprint": p["fingerprint"] or "(no key)",
                "enrolled_at": plain(p["enrolled_at"]),
                "status": "active" if p["active"] else t("revoked {date}", date=plain(p["revoked_at"])),
            }
        )
    if not rows and fmt == "table":
        echo(i18n.translate(t("nobody is enrolled: trial mode (typed names, unsigned acts). Administrator: {administrator} ({admin_fingerprint})", administrator=authority.administrator, admin_fingerprint=authority.admin_fingerprint), i18n.current()))
        return
    shown, total = screen.cut(rows)
    screen.show(shown, fmt, ["name", "roles", "fingerprint", "enrolled_at", "status"], total)


@person.command("import")
@click.option("--keys", "keys_dir", default=None, metavar="DIR", help="A folder of public keys named NAME.pem.pub or NAME.pub to enrol with the people.")
@admin_key_option
@format_option
@pass_ledger
def import_(state: LedgerContext, keys_dir: str | None, admin_key: str | None, fmt: str) -> None:
    """Move `people:` from ledger.yaml into the ledger, once; afterwards that key in ledger.yaml is refused."""
    from ledger.authority import people
    from ledger.identity import b64, fingerprint, read_public_key

    if keys_dir is not None and not Path(keys_dir).is_dir():
        raise InvalidInput(t("--keys: {keys_dir} is not a folder of public keys", keys_dir=keys_dir))
    listed = people(state.config)
    if not listed:
        raise InvalidInput(t("{path} lists no people: nothing to import (enrol people with `ledger person add`)", path=state.config.path))
    admin = _as_admin(state, admin_key, "person import")
    if _authority(state).enrolled_ever:
        raise InvalidInput(t("people are already enrolled in this ledger: `person import` runs once; use `ledger person add`"))
    enrolling, done = [], []
    for raw_name, roles in listed.items():
        name = values.person_name(raw_name, "people: name")
        raw = None
        if keys_dir:
            for candidate in (Path(keys_dir) / f"{name}.pem.pub", Path(keys_dir) / f"{name}.pub"):
                if candidate.is_file():
                    raw = read_public_key(str(candidate))
                    break
        enrolling.append((name, sorted(roles), b64(raw) if raw else None, fingerprint(raw) if raw else None))
        done.append({"name": name, "roles": sorted(roles), "key": fingerprint(raw) if raw else None})
    state.app.enrol_people(enrolling, actor=admin)
    lines = [
        t("enrolled {name}: {roles}", name=d["name"], roles=_role_words(d["roles"])) if d["key"]
        else t("enrolled {name}: {roles} (no key yet: `ledger person add NAME --public-key FILE`)", name=d["name"], roles=_role_words(d["roles"]))
        for d in done
    ]
    lines.append(t("now remove 'people:' from {path}: it is refused from now on", path=state.config.path))
    echo(render_record({"imported": done}, fmt, lines))


@person.command()
@click.option("--proxy-signoff", type=Choice(list(vocabulary.POLICY_VALUES), named=vocabulary.POLICY_VALUES), required=True, help="May a clerk enter a sign-off (close) signed on paper by someone else (--for)?")
@admin_key_option
@format_option
@pass_ledger
def policy(state: LedgerContext, proxy_signoff: str, admin_key: str | None, fmt: str) -> None:
    """Record the ledger's identity policy (an event signed by the administrator)."""
    from ledger import identity

    admin = _as_admin(state, admin_key, "person policy")
    state.app.set_policy(name="proxy_signoff", value=proxy_signoff, actor=admin)
    echo(render_record({"proxy_signoff": proxy_signoff}, fmt, identity.policy_words("proxy_signoff", proxy_signoff)))


COMMANDS = [person]
