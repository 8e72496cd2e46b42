"""`ledger doctor`: what this ledger's set-up means for its trustworthiness."""

from __future__ import annotations

from typing import Any

import click

from commands.options import LedgerContext, echo, output_options, pass_ledger, render_rows
from commands.i18n import Command
from ledger import vocabulary
from ledger.messages import t, tn


@click.command(cls=Command)
@output_options
@pass_ledger
def doctor(state: LedgerContext, fmt: str) -> None:
    """Check identities, the hash chain, the derived tables, evidence, the signing key and the cipher key; exit 4 on tampering, 1 on another error."""
    identity_rows = list(_identity_checks(state, fmt))
    enrolled = any(r["check"] == "acts" and r["status"] == "ok" for r in identity_rows)
    # One row per check: when too few people may sign, that row is the sign-off check's (not a second "ok" row).
    signers_short = any(r["check"] == "sign-off" for r in identity_rows)
    rows = identity_rows + list(_checks(state.config, enrolled=enrolled, fmt=fmt, app=lambda: state.app, signers_short=signers_short))
    tampered = any(r.pop("tampering", False) for r in rows)
    echo(render_rows(rows, fmt, ["check", "status", "detail"]))
    if tampered:
        raise SystemExit(4)
    if any(r["status"] == "error" for r in rows):
        raise SystemExit(1)


def _failed(check: str, e: Exception) -> dict[str, Any]:
    """An error row; tampering found makes `doctor` exit 4, as every command does."""
    from ledger.errors import TamperingFound

    return {"check": check, "status": "error", "detail": str(e), "tampering": isinstance(e, TamperingFound)}


def _checks(config: Any, *, enrolled: bool = False, fmt: str | None = None, app: Any = None, signers_short: bool = False) -> Any:
    from ledger import authority, confidential
    from ledger.checkpoint import private_key_path, public_key_path
    from ledger.errors import LedgerError
    from composition import store_schema
    from ledger.integrity import ledger_meta, snapshot, verify_store

    yield {"check": "config", "status": "ok", "detail": str(config.path)}
    try:
        listed = {} if enrolled else authority.people(config)
        if enrolled:
            pass  # the people enrolled in the ledger were shown above; ledger.yaml's list is not read
        elif listed is None:
            yield {"check": "identities", "status": "warn", "detail": t("single-user mode: no people listed in ledger.yaml, so anyone may run any command")}
        else:
            by_role = {r: sorted(n for n, roles in listed.items() if r in roles) for r in authority.ROLES}
            yield {"check": "identities", "status": "ok", "detail": "; ".join(f"{r}: {', '.join(ns) or '-'}" for r, ns in by_role.items())}
            required = int(config.section("signoff")["required_signers"])
            if len(by_role["signer"]) < required:
                signers_short = True
                yield {"check": "sign-off", "status": "error", "detail": tn("signoff.required_signers is {required} but only {n_signer} person has the {role} role", "signoff.required_signers is {required} but only {n_signer} people have the {role} role", len(by_role['signer']), required=required, n_signer=len(by_role['signer']), role=vocabulary.ROLES["signer"])}
    except LedgerError as e:
        yield {"check": "identities", "status": "error", "detail": str(e)}
    required = config.section("signoff")["required_signers"]
    if not signers_short:
        yield {"check": "sign-off", "status": "ok" if required >= 1 else "error", "detail": tn("{required} signer needed to close a problem", "{required} signers needed to close a problem", required, required=required)}
    try:
        with snapshot(config.store) as con:
            recorded = ledger_meta(con).get("hash_algorithm", "sha256")
        wanted = str(config.data["hash"]).strip().lower()
        if wanted != recorded:
            yield {"check": "hash", "status": "warn", "detail": t("ledger.yaml says {wanted}, but this ledger was created with {recorded}: {recorded} is used (it cannot change)", wanted=wanted, recorded=recorded)}
        else:
            yield {"check": "hash", "status": "ok", "detail": recorded}
        from ledger.checkpoint import trusted_key

        from commands.progress import progress

        with progress(t("verifying the chain and the tree"), fmt) as report:
            summary, _ = verify_store(config.store, schema=store_schema(), trusted=trusted_key(config), progress=report)
        yield {"check": "chain", "status": "ok", "detail": t(
            "{count} verified, head {head_seq}; {checkpoints}", head_seq=summary.head_seq,
            count=tn("{n} event", "{n} events", summary.count, n=summary.count),
            checkpoints=tn("{n} recorded checkpoint matches", "{n} recorded checkpoints match", summary.checkpoints, n=summary.checkpoints),
        )}
    except LedgerError as e:
        yield _failed("chain", e)
    else:
        if app is not None:
            from projections.read_model_check import derived_tables_step

            try:
                yield {"check": "derived tables", "status": "ok", "detail": derived_tables_step(app(), config).params["detail"]}
            except LedgerError as e:
                yield _failed("derived tables", e)
        from projections.verification import evidence_step

        try:
            yield {"check": "evidence", "status": "ok", "detail": evidence_step(config.store, {}).params["detail"]}
        except LedgerError as e:
            yield _failed("evidence", e)
    key = private_key_path(config)
    if key.is_file():
        from ledger.checkpoint import load_private_key

        mode = key.stat().st_mode & 0o777
        status = "ok" if mode & 0o077 == 0 else "warn"
        try:
            load_private_key(config)  # an empty or damaged key file is not a key
        except LedgerError as e:
            yield {"check": "signing key", "status": "error", "detail": str(e)}
        else:
            yield {"check": "signing key", "status": status, "detail": (t("{key} (mode {mode:o})", key=key, mode=mode) if status == "ok" else t("{key} (mode {mode:o}: readable by others, chmod 600)", key=key, mode=mode))}
    else:
        yield {"check": "signing key", "status": "warn", "detail": t("none at {key}: run `ledger keygen` before checkpoints or publishing", key=key)}
    pub = public_key_path(config)
    yield {"check": "public key", "status": "ok" if pub.is_file() else "warn", "detail": str(pub) if pub.is_file() else t("none at {pub}", pub=pub)}
    try:
        aes = confidential.cipher(config, required=False)
        env = confidential.key_env(config)
        yield {"check": "cipher key", "status": "ok" if aes else "warn", "detail": t("{env} is set", env=env) if aes else t("{env} is not set: sensitive fields read as [encrypted]", env=env)}
    except LedgerError as e:
        yield {"check": "cipher key", "status": "error", "detail": str(e)}


def _identity_checks(state: LedgerContext, fmt: str | None = None) -> Any:
    """Who may act, from the ledger itself: trial mode, or the people enrolled and their roles."""
    from ledger.authority import ROLES
    from ledger.errors import LedgerError

    try:
        app = state.app
        authority = app.authority()
    except LedgerError as e:
        yield _failed("acts", e)
        return
    if authority is None or not authority.enrolled_ever:
        from ledger.identity import fingerprint, noted_administrator

        noted = noted_administrator(app)
        admin = t("no administrator yet: run `ledger init` once")
        if authority is not None:
            admin = t("administrator {name} (key fingerprint {fingerprint}, founding event recorded)", name=authority.administrator, fingerprint=authority.admin_fingerprint)
        elif noted is not None:
            admin = t("administrator {name} (key fingerprint {fingerprint}; no founding event yet: run `ledger init`)", name=noted[0], fingerprint=fingerprint(noted[1]))
        yield {
            "check": "acts",
            "status": "warn",
            "detail": t("trial mode: nobody is enrolled in this ledger, so its acts are unauthenticated (typed names, unsigned); enrol people with `ledger person add` (this ends trial mode for good); {admin}", admin=admin),
        }
        return
    active = {n: p for n, p in authority.people.items() if p["active"]}
    by_role = {r: sorted(n for n, p in active.items() if r in p["roles"]) for r in ROLES}
    yield {"check": "acts", "status": "ok", "detail": tn("every act is signed: {n_active} person enrolled by the administrator {administrator} ({admin_fingerprint})", "every act is signed: {n_active} people enrolled by the administrator {administrator} ({admin_fingerprint})", len(active), n_active=len(active), administrator=authority.administrator, admin_fingerprint=authority.admin_fingerprint)}
    yield {"check": "identities", "status": "ok", "detail": "; ".join(f"{r}: {', '.join(ns) or '-'}" for r, ns in by_role.items())}
    try:
        from ledger.signatures import verify_acts

        from commands.progress import progress

        with progress(t("checking the signatures"), fmt) as report:
            acts = verify_acts(state.config.store, app.ledger_id(), progress=report)
        yield {"check": "signatures", "status": "ok", "detail": acts.line().params["detail"]}
    except LedgerError as e:
        yield _failed("signatures", e)
    keyless = sorted(n for n, p in active.items() if not p["public_key"])
    if keyless:
        yield {"check": "keys", "status": "warn", "detail": t("enrolled without a key, so they cannot act yet: {keyless}", keyless=', '.join(keyless))}
    required = int(state.config.section("signoff")["required_signers"])
    if len(by_role["signer"]) < required:
        yield {"check": "sign-off", "status": "error", "detail": tn("signoff.required_signers is {required} but only {n_signer} enrolled person has the {role} role", "signoff.required_signers is {required} but only {n_signer} enrolled people have the {role} role", len(by_role['signer']), required=required, n_signer=len(by_role['signer']), role=vocabulary.ROLES["signer"])}


COMMANDS = [doctor]
