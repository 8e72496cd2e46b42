"""Merkle proofs: `prove-consistency` (needs the store) and `verify-consistency` (needs only the files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from commands.options import LedgerContext, check_out_file, echo, force_option, format_option, output_options, pass_ledger, render_record
from commands.i18n import Command
from ledger.messages import t, tn


@click.command("prove-consistency", cls=Command)
@click.option("--from", "old", required=True, metavar="FILE", help="The earlier checkpoint (a checkpoint file or a report ending in one).")
@click.option("--to", "new", required=True, metavar="FILE", help="The later checkpoint.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), metavar="FILE", help="The proof file to write.")
@click.option("--public-key", default=None, metavar="FILE|KEY", help="The key both checkpoints must be signed by (default: the ledger's .pub).")
@click.option("--fingerprint", "fingerprints", multiple=True, metavar="HEX", help="Trust the key with this published fingerprint (repeatable).")
@force_option
@format_option
@pass_ledger
def prove_consistency(state: LedgerContext, old: str, new: str, out: str, public_key: str | None, fingerprints: tuple[str, ...], force: bool, fmt: str) -> None:
    """Prove from the store that the ledger at --to extends the ledger at --from (nothing rewritten between)."""
    from ledger.checkpoint import trust_of
    from ledger.outputs import write_output
    from ledger.proofs import canonical, check_signatures, prove_consistency as prove, read_checkpoint

    check_out_file(out, force=force)
    trust = trust_of(state.config, public_key, fingerprints)
    old_cp, new_cp = read_checkpoint(old, "--from"), read_checkpoint(new, "--to")
    check_signatures([("--from", old_cp), ("--to", new_cp)], trust)
    proof = prove(state.app, old_cp, new_cp, state.app.ledger_id())
    write_output(out, canonical(proof), force=force)
    record = {"out": out, "old_tree_size": proof["old"]["tree_size"], "new_tree_size": proof["new"]["tree_size"], "hashes": len(proof["proof"])}
    echo(render_record(record, fmt, t("wrote {out}: tree of {new_tree} extends tree of {old_tree_size} ({hashes})", out=out, new_tree=tn("{n} event", "{n} events", record['new_tree_size'], n=record['new_tree_size']), old_tree_size=record['old_tree_size'], hashes=tn("{n} hash", "{n} hashes", record['hashes'], n=record['hashes']))))


@click.command("verify-consistency", cls=Command)
@click.argument("proof_file", metavar="PROOF", type=click.Path(dir_okay=False))
@click.option("--from", "old", required=True, metavar="FILE", help="The earlier checkpoint the supervisor kept.")
@click.option("--to", "new", required=True, metavar="FILE", help="The later checkpoint.")
@click.option("--public-key", default=None, metavar="FILE|KEY", help="The ledger's public key (default: the ledger.yaml one if there is one).")
@click.option("--fingerprint", "fingerprints", multiple=True, metavar="HEX", help="Trust the key with this published fingerprint (repeatable).")
@output_options
def verify_consistency(proof_file: str, old: str, new: str, public_key: str | None, fingerprints: tuple[str, ...], fmt: str) -> None:
    """Verify, with neither store nor export, that the ledger at --to extends the ledger at --from (exit 4 if not)."""
    from ledger.checkpoint import trust_of
    from ledger.config import load_config
    from ledger.proofs import check_consistency, check_signatures, read_checkpoint, read_consistency_proof

    config: Any = None if public_key else load_config(required=False)
    trust = trust_of(config if config and config.path else None, public_key, fingerprints)  # bad values: exit 2 before any file is read
    proof = read_consistency_proof(Path(proof_file))
    old_cp, new_cp = read_checkpoint(old, "--from"), read_checkpoint(new, "--to")
    notes = check_signatures([("--from", old_cp), ("--to", new_cp)], trust)
    result = check_consistency(proof, old_cp, new_cp, proof_file)
    record = {"verified": True, "result": result, "signatures": notes}
    echo(render_record(record, fmt, [t("consistency verified: {result}", result=result), *notes]))


COMMANDS = [prove_consistency, verify_consistency]
