"""`ledger doctor`: what this ledger's set-up means for its trustworthiness."""

from __future__ import annotations

from typing import Any

import click

from commands.options import LedgerContext, echo, output_options, pass_ledger, render_rows


@click.command()
@output_options
@pass_ledger
def doctor(state: LedgerContext, fmt: str) -> None:
    """Check identities, the hash chain, the signing key and the cipher key; exit 1 on an error."""
    rows = list(_checks(state.config))
    echo(render_rows(rows, fmt, ["check", "status", "detail"]))
    if any(r["status"] == "error" for r in rows):
        raise SystemExit(1)


def _checks(config: Any) -> Any:
    from ledger import authority, confidential
    from ledger.checkpoint import private_key_path, public_key_path
    from ledger.errors import LedgerError
    from ledger.integrity import ledger_meta, snapshot, verify_store

    yield {"check": "config", "status": "ok", "detail": str(config.path)}
    try:
        listed = authority.people(config)
        if listed is None:
            yield {"check": "identities", "status": "warn", "detail": "single-user mode: no people listed in ledger.yaml, so anyone may run any command"}
        else:
            by_role = {r: sorted(n for n, roles in listed.items() if r in roles) for r in authority.ROLES}
            yield {"check": "identities", "status": "ok", "detail": "; ".join(f"{r}: {', '.join(ns) or '-'}" for r, ns in by_role.items())}
            required = int(config.section("signoff")["required_signers"])
            if len(by_role["signer"]) < required:
                yield {"check": "sign-off", "status": "error", "detail": f"signoff.required_signers is {required} but only {len(by_role['signer'])} people have the signer role"}
    except LedgerError as e:
        yield {"check": "identities", "status": "error", "detail": str(e)}
    required = config.section("signoff")["required_signers"]
    yield {"check": "sign-off", "status": "ok" if required >= 1 else "error", "detail": f"{required} signer(s) needed to close a problem"}
    try:
        with snapshot(config.store) as con:
            recorded = ledger_meta(con).get("hash_algorithm", "sha256")
        wanted = str(config.data["hash"]).strip().lower()
        if wanted != recorded:
            yield {"check": "hash", "status": "warn", "detail": f"ledger.yaml says {wanted}, but this ledger was created with {recorded}: {recorded} is used (it cannot change)"}
        else:
            yield {"check": "hash", "status": "ok", "detail": recorded}
        from ledger.checkpoint import trusted_key

        summary, _ = verify_store(config.store, trusted=trusted_key(config))
        yield {"check": "chain", "status": "ok", "detail": f"{summary.count} events verified, head {summary.head_seq}; {summary.checkpoints} recorded checkpoint(s) match"}
    except LedgerError as e:
        yield {"check": "chain", "status": "error", "detail": str(e)}
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
            yield {"check": "signing key", "status": status, "detail": f"{key} (mode {mode:o}{'' if status == 'ok' else ': readable by others, chmod 600'})"}
    else:
        yield {"check": "signing key", "status": "warn", "detail": f"none at {key}: run `ledger keygen` before checkpoints or publishing"}
    pub = public_key_path(config)
    yield {"check": "public key", "status": "ok" if pub.is_file() else "warn", "detail": str(pub) if pub.is_file() else f"none at {pub}"}
    try:
        aes = confidential.cipher(config, required=False)
        env = confidential.key_env(config)
        yield {"check": "cipher key", "status": "ok" if aes else "warn", "detail": f"{env} is set" if aes else f"{env} is not set: sensitive fields read as [encrypted]"}
    except LedgerError as e:
        yield {"check": "cipher key", "status": "error", "detail": str(e)}


COMMANDS = [doctor]
