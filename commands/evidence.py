"""Tamper evidence: `keygen`, `checkpoint`, `export`, `verify-export`, `import-log`, and evidence files (`ledger evidence …`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from commands.options import LedgerContext, echo, output_options, pass_ledger, render_record, render_rows, write_options


@click.command()
@click.option("--cipher", is_flag=True, help="Instead: print a new AES key for sensitive fields (set it in the environment variable ledger.yaml names).")
@output_options
@pass_ledger
def keygen(state: LedgerContext, cipher: bool, fmt: str) -> None:
    """Make the Ed25519 key pair that signs checkpoints (private key file mode 0600)."""
    if cipher:
        from ledger.confidential import new_cipher_key

        key_env = state.config.section("sensitive")["key_env"]
        record = {"key_env": key_env, "key": new_cipher_key()}
        echo(render_record(record, fmt, f"{record['key']}\n(set {key_env} to this value; keep it secret: without it sensitive fields cannot be read)"))
        return
    from ledger.checkpoint import generate_keys

    state.actor()  # authority check
    record = generate_keys(state.config)
    lines = [
        f"private key: {record['private_key']} (mode 0600; keep it secret)",
        f"public key:  {record['public_key']}",
        f"fingerprint: {record['fingerprint']}",
    ]
    echo(render_record(record, fmt, "\n".join(lines)))


@click.command()
@write_options
@pass_ledger
def checkpoint(state: LedgerContext, at: Any, actor: str | None, fmt: str) -> None:
    """Verify the chain, sign its head and record the signed checkpoint; print it as a block."""
    from ledger.checkpoint import format_checkpoint_block, record_checkpoint

    if at is not None:
        raise click.UsageError("--at: a checkpoint is always made now")
    who = state.actor(actor)
    record = record_checkpoint(state.app, state.config, who)
    echo(render_record(record, fmt, format_checkpoint_block(record)))


@click.command()
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="The JSON-lines file to write.")
@click.option("--since", type=click.IntRange(min=0), default=0, help="Only events with this sequence number or later.")
@output_options
@pass_ledger
def export(state: LedgerContext, out: str, since: int, fmt: str) -> None:
    """Write the complete event log with every hash, one JSON object per line (verified first)."""
    from ledger.export import export_store

    record = export_store(state.config.store, Path(out), since=since)
    echo(render_record(record, fmt, f"exported {record['events']} events to {out}; head {record['head_seq']} {record['hash']}:{record['head_digest']}"))


@click.command("verify-export")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--checkpoint", default=None, metavar="FILE|TEXT", help="Also prove the export holds the history this signed checkpoint covered.")
@click.option("--public-key", default=None, metavar="FILE|KEY", help="The ledger's public key (default: the ledger.yaml one if there is one, else the key in the checkpoint).")
@click.option("--evidence", "evidence_dir", default=None, metavar="DIR", help="Also check the evidence files the exported events name: DIR holds them (named by digest, or by their name).")
@output_options
def verify_export(file: str, checkpoint: str | None, public_key: str | None, evidence_dir: str | None, fmt: str) -> None:
    """Verify an export on a machine without the store (exit 4 when it does not verify)."""
    from ledger.checkpoint import check_signature, parse_checkpoint, trusted_key
    from ledger.config import load_config
    from ledger.chain import ChainSummary
    from ledger.export import read_export
    from ledger.integrity import check_checkpoint

    cp = parse_checkpoint(checkpoint) if checkpoint else None
    header, trailer, digest_at, _ = read_export(Path(file), watch=cp.sequence if cp else None)
    record: dict[str, Any] = {"verified": True, "file": file, "ledger_id": header.get("ledger_id"), "hash": header.get("hash"), "since": header.get("since"), **{k: trailer[k] for k in ("events", "head_seq", "head_digest")}}
    lines = [f"export verified: {trailer['events']} events, head {trailer['head_seq']} {header.get('hash')}:{trailer['head_digest']}"]
    if cp is not None:
        config = None if public_key else load_config(required=False)
        signature_note = check_signature(cp, trusted_key(config if config and config.path else None, public_key))
        summary = ChainSummary(str(header.get("hash")), int(trailer["events"]), int(trailer["head_seq"]), bytes.fromhex(trailer["head_digest"]))
        if cp.sequence < int(header.get("base_seq", 0)):
            from ledger.errors import InvalidInput

            raise InvalidInput(f"--checkpoint covers events up to {cp.sequence}, before this partial export begins: export with --since {cp.sequence} or less")
        note = check_checkpoint(summary, digest_at, cp, str(header.get("ledger_id")))
        record["checkpoint"] = {"sequence": cp.sequence, "time": cp.time, "result": note, "signature": signature_note}
        lines += [f"checkpoint: {note}", f"checkpoint: {signature_note}"]
    if not header.get("since"):  # a complete export: every act's signature, offline
        from ledger.signatures import export_rows, verify_event_rows

        acts = verify_event_rows(export_rows(Path(file)), str(header.get("ledger_id")))
        record["acts"] = acts.record()
        lines.append(acts.line())
    if evidence_dir is not None:
        from ledger.attachments import verify_folder

        manifests = list(_export_manifests(Path(file)))
        checked = verify_folder(manifests, Path(evidence_dir))
        record["evidence"] = checked
        lines.append(f"evidence: {checked['files']} attached files present in {evidence_dir} with matching digests")
    echo(render_record(record, fmt, "\n".join(lines)))


def _export_manifests(path: Path) -> Any:
    """The evidence manifests of the events in an export (JSON lines, each event's state as JSON)."""
    import base64
    import json

    with path.open(encoding="utf-8") as f:
        for line in f:
            event = json.loads(line)
            if "seq" not in event or "topic" not in event:
                continue  # the header and end lines
            text = event.get("state")
            raw = text.encode("utf-8") if text is not None else base64.b64decode(event.get("state_b64", ""))
            if b'"attachments"' not in raw:
                continue
            for manifest in json.loads(raw).get("attachments") or ():
                yield {"seq": event["seq"], **manifest}


@click.command("import-log")
@click.argument("file", type=click.Path(dir_okay=False))
@write_options
@pass_ledger
def import_log(state: LedgerContext, file: str, at: Any, actor: str | None, fmt: str) -> None:
    """Restore an export into an empty store (verified first; the chain head is unchanged)."""
    from ledger.export import import_log as restore

    state.actor(actor)  # authority check: restoring is a write
    record = restore(state.app, Path(file))
    echo(render_record(record, fmt, f"imported {record['events']} events; head {record['head_seq']} {record['head_digest']}"))


@click.group()
def evidence() -> None:
    """Evidence files (佐证材料) attached to acts with --attach: list, get, verify."""


@evidence.command("list")
@click.argument("problem_id", metavar="[PROBLEM]", required=False)
@output_options
@pass_ledger
def evidence_list(state: LedgerContext, problem_id: str | None, fmt: str) -> None:
    """Every attached file (of one problem, if given): event, name, size, digest."""
    from ledger.attachments import attached

    wanted = None
    if problem_id:
        wanted = str(state.app.get_problem(problem_id).id)
    rows = [r for r in attached(state.config.store) if wanted is None or _same(r["aggregate"], wanted)]
    if not rows and fmt == "table":
        echo("no evidence files attached")
        return
    echo(render_rows(rows, fmt, ["seq", "event", "actor", "name", "size", "hash", "digest"]))


def _same(a: str, b: str) -> bool:
    from uuid import UUID

    try:
        return UUID(a) == UUID(b)
    except ValueError:
        return False


@evidence.command("get")
@click.argument("digest")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="Where to write the file.")
@output_options
@pass_ledger
def evidence_get(state: LedgerContext, digest: str, out: str, fmt: str) -> None:
    """Write the kept bytes of the file with DIGEST (checked against the digest first)."""
    from ledger.attachments import attached, digest_of, fetch
    from ledger.errors import TamperingFound, UnknownID

    wanted = digest.strip().lower()
    named = next((r for r in attached(state.config.store) if r["digest"] == wanted), None)
    if named is None:
        raise UnknownID("evidence file", digest)
    data = fetch(state.config.store, wanted)
    if data is None:
        raise TamperingFound(f"evidence file {named['name']} ({wanted}) attached to event {named['seq']} has vanished from the store")
    if digest_of(data, named["hash"]) != wanted:
        raise TamperingFound(f"evidence file {named['name']} ({wanted}) attached to event {named['seq']} has changed: its bytes no longer match")
    try:
        Path(out).write_bytes(data)
    except OSError as e:
        from ledger.errors import InvalidInput

        raise InvalidInput(f"--out: cannot write {out}: {e.strerror or e}") from None
    echo(render_record({"name": named["name"], "digest": wanted, "size": len(data), "out": out}, fmt, f"wrote {named['name']} ({len(data)} bytes) to {out}"))


@evidence.command("verify")
@output_options
@pass_ledger
def evidence_verify(state: LedgerContext, fmt: str) -> None:
    """Check every attached file's kept bytes against its recorded digest (exit 4 naming a changed or vanished file)."""
    from ledger.attachments import verify_kept

    counts = verify_kept(state.config.store)
    echo(render_record({"verified": True, **counts}, fmt, f"evidence verified: {counts['files']} attachments, {counts['distinct']} distinct files, every one present and unchanged"))


COMMANDS = [keygen, checkpoint, export, verify_export, import_log, evidence]
