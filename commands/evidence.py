"""Tamper evidence: `keygen`, `checkpoint`, `export`, `verify-export`, `import-log`, and evidence files (`ledger evidence …`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from commands import i18n
from ledger.errors import InvalidInput

from commands.options import IntRange, LedgerContext, check_out_file, echo, force_option, format_option, output_options, pass_ledger, render_record, render_rows, write_options
from commands.i18n import Command
from ledger.messages import headless, t, tn


@click.command(cls=Command)
@click.option("--cipher", is_flag=True, help="Instead: print a new AES key for sensitive fields (set it in the environment variable ledger.yaml names).")
@output_options
@pass_ledger
def keygen(state: LedgerContext, cipher: bool, fmt: str) -> None:
    """Make the Ed25519 key pair that signs checkpoints (private key file mode 0600)."""
    if cipher:
        from ledger.confidential import new_cipher_key

        key_env = state.config.section("sensitive")["key_env"]
        record = {"key_env": key_env, "key": new_cipher_key()}
        echo(render_record(record, fmt, t("{key}\n(set {key_env} to this value; keep it secret: without it sensitive fields cannot be read)", key=record['key'], key_env=key_env)))
        return
    from ledger.checkpoint import generate_keys

    state.actor(act="key-generation")  # authority check
    record = generate_keys(state.config)
    lines = [
        t("private key: {private_key} (mode 0600; keep it secret)", private_key=record['private_key']),
        t("public key:  {public_key}", public_key=record['public_key']),
        t("fingerprint: {fingerprint}", fingerprint=record['fingerprint']),
    ]
    echo(render_record(record, fmt, lines))


@click.command(cls=Command)
@click.option("--out", "out", default=None, type=click.Path(dir_okay=False), metavar="FILE", help="Also write the block to this file, for a supervisor to keep.")
@force_option
@write_options
@pass_ledger
def checkpoint(state: LedgerContext, out: str | None, force: bool, at: Any, actor: str | None, fmt: str) -> None:
    """Verify the chain, sign its head and record the signed checkpoint; print it as a block."""
    from ledger.errors import InvalidInput

    if at is not None:
        raise click.UsageError(t("--at: a checkpoint is always made now"))
    if out is not None:
        check_out_file(out, force=force)
    who = state.actor(actor, act="checkpoint")
    done = state.app.record_checkpoint(actor=who)
    record, block = done.record, done.block
    if out is not None:
        from ledger.outputs import write_output

        try:
            write_output(out, block + "\n", force=force)
        except InvalidInput as e:
            reason = headless(e)
            raise InvalidInput(t("--out: cannot write {out}: {reason} (the checkpoint is recorded in the ledger; print it with --format json)", out=out, reason=reason)) from None
    echo(render_record({**record, "out": out} if out else record, fmt, block))


@click.command(cls=Command)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), metavar="FILE", help="The JSON-lines file to write.")
@click.option("--since", type=IntRange(min=0), default=0, help="Only events with this sequence number or later.")
@click.option("--inspection", default=None, metavar="CODE", help="Instead: only this inspection's events, each with a Merkle inclusion proof against the latest checkpoint (made now if none covers them).")
@click.option("--evidence", "evidence_dir", default=None, metavar="DIR", help="Also write the evidence files the exported events name into DIR (a new or empty folder), each named by its digest.")
@force_option
@format_option
@pass_ledger
def export(state: LedgerContext, out: str, since: int, inspection: str | None, evidence_dir: str | None, force: bool, fmt: str) -> None:
    """Write the complete event log with every hash, one JSON object per line (verified first)."""
    from ledger.checkpoint import load_private_key, private_key_path
    from ledger.export import export_store
    from ledger.outputs import replacing

    check_out_file(out, force=force)
    if evidence_dir is not None:
        from ledger.outputs import check_output_folder

        check_output_folder(evidence_dir, config=state.config)
    if inspection is not None:
        if since:
            raise click.UsageError(t("--since and --inspection cannot be combined"))
        with replacing(out, force=force) as tmp:
            done = state.app.export_inspection(inspection, tmp, actor=lambda: state.actor(act="checkpoint")).record  # a checkpoint made first is that act
        done["out"] = out
        cp = done.pop("checkpoint")
        done["checkpoint"] = {k: cp[k] for k in ("sequence", "time", "tree_size", "tree_root")}
        note = t("made a new checkpoint") if done["checkpoint_made"] else t("the latest checkpoint")
        echo(render_record(done, fmt, tn("exported {events} event of {inspection} to {out}, proven against {note} of {time} (tree size {tree_size})", "exported {events} events of {inspection} to {out}, each proven against {note} of {time} (tree size {tree_size})", done['events'], events=done['events'], inspection=inspection, out=out, note=note, time=cp['time'], tree_size=cp['tree_size'])))
        return
    # Signed when the ledger's key is at hand, so the header and head are bound to it.
    from commands.progress import progress

    key = load_private_key(state.config) if private_key_path(state.config).is_file() else None
    with replacing(out, force=force) as tmp, progress(t("verifying and writing the events"), fmt) as report:
        record = export_store(state.config.store, tmp, since=since, signing_key=key, progress=report)
    head = dict(events=tn("{n} event", "{n} events", record["events"], n=record["events"]), out=out, seq=record["head_seq"], hash=record["hash"], digest=record["head_digest"])
    line = t("exported {events} to {out}; head {seq} {hash}:{digest}", **head)
    if evidence_dir is not None:
        from ledger.attachments import export_files

        record["evidence"] = export_files(state.config.store, list(_export_manifests(Path(out))), Path(evidence_dir))
        files = record["evidence"]["distinct"]
        line = t("exported {events} to {out}; head {seq} {hash}:{digest}; {files} written to {folder}",
                 **head, files=tn("{n} evidence file", "{n} evidence files", files, n=files), folder=evidence_dir)
    echo(render_record(record, fmt, line))


@click.command("verify-export", cls=Command)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--checkpoint", "checkpoints", multiple=True, metavar="FILE|FOLDER|TEXT", help="Also prove the export holds the history each signed checkpoint covered (repeatable).")
@click.option("--public-key", default=None, metavar="FILE|KEY", help="The key checkpoints and the export must be signed by (default: the ledger.yaml one if there is one).")
@click.option("--fingerprint", "fingerprints", multiple=True, metavar="HEX", help="Trust the key with this published fingerprint (repeatable).")
@click.option("--evidence", "evidence_dir", default=None, metavar="DIR", help="Also check the evidence files the exported events name: DIR holds them (named by digest, or by their name).")
@click.option("--admin-fingerprint", "admin_fingerprints", multiple=True, metavar="HEX", help="The administrator key fingerprint `ledger init` printed: the export's founding event must carry that key.")
@output_options
def verify_export(file: str, checkpoints: tuple[str, ...], public_key: str | None, fingerprints: tuple[str, ...], evidence_dir: str | None, admin_fingerprints: tuple[str, ...], fmt: str) -> None:
    """Verify an export on a machine without the store (exit 4 when it does not verify)."""
    from projections.verification import check_all
    from ledger.chain import ChainSummary
    from ledger.checkpoint import parse_checkpoints, trust_of
    from ledger.config import load_config
    from ledger.errors import InvalidInput
    from ledger.export import read_export
    from ledger.proofs import is_inspection_export

    config = None if public_key else load_config(required=False)
    trust = trust_of(config if config and config.path else None, public_key, fingerprints)
    if is_inspection_export(Path(file)):
        if len(checkpoints) > 1:
            raise InvalidInput(t("an inspection export is proven against one checkpoint: give one --checkpoint"))
        _verify_inspection_export(file, checkpoints[0] if checkpoints else None, trust, fmt)
        return
    from commands.progress import progress

    given = [cp for value in checkpoints for cp in parse_checkpoints(value)]
    with progress(t("verifying the export"), fmt) as report:
        exported = read_export(Path(file), also_at=[cp.sequence for cp in given], trust=trust, progress=report)
    header, trailer = exported.header, exported.trailer
    record: dict[str, Any] = {"verified": True, "file": file, "ledger_id": header.get("ledger_id"), "hash": header.get("hash"), "since": header.get("since"), **{k: trailer[k] for k in ("events", "head_seq", "head_digest")}}
    lines = [tn("export verified: {events} event, head {head_seq} {get}:{head_digest}", "export verified: {events} events, head {head_seq} {get}:{head_digest}", int(trailer['events']), events=trailer['events'], head_seq=trailer['head_seq'], get=header.get('hash'), head_digest=trailer['head_digest'])]
    record["signed"] = exported.signature_note
    lines.append(t("export: {signature_note}", signature_note=exported.signature_note))
    if exported.checkpoints:
        lines.append(t("checkpoints recorded in the export: {checkpoints}, each matches its history", checkpoints=exported.checkpoints))
    if given:
        summary = ChainSummary(str(header.get("hash")), int(trailer["events"]), int(trailer["head_seq"]), bytes.fromhex(trailer["head_digest"]))
        summary.digests_at = exported.digests_at
        for cp in given:
            if 0 < cp.sequence < int(header.get("base_seq", 0)):
                raise InvalidInput(t("--checkpoint {source} covers events up to {sequence}, before this partial export begins: export with --since {sequence} or less", source=cp.source, sequence=cp.sequence))
        record["checkpoints"] = check_all(given, summary, str(header.get("ledger_id")), trust, lines)
        if len(given) == 1:
            record["checkpoint"] = record["checkpoints"][0]
    if not header.get("since"):  # a complete export: every act's signature, offline
        from ledger.signatures import export_rows, verify_event_rows

        from ledger.checkpoint import normalise_fingerprint

        pinned = frozenset(normalise_fingerprint(f, "--admin-fingerprint") for f in admin_fingerprints)
        with progress(t("checking the signatures"), fmt) as report:
            acts = verify_event_rows(export_rows(Path(file)), str(header.get("ledger_id")), admin_fingerprints=pinned, progress=report, total=int(trailer["head_seq"]))
        record["acts"] = acts.record()
        lines += [acts.founding_line(), acts.line()]
    elif admin_fingerprints:
        raise InvalidInput(t("--admin-fingerprint: a partial export (--since) does not hold the founding event"))
    if evidence_dir is not None:
        from ledger.attachments import verify_folder

        manifests = list(_export_manifests(Path(file)))
        checked = verify_folder(manifests, Path(evidence_dir))
        record["evidence"] = checked
        lines.append(tn("evidence: {files} attached file present in {evidence_dir} with a matching digest", "evidence: {files} attached files present in {evidence_dir} with matching digests", checked['files'], files=checked['files'], evidence_dir=evidence_dir))
    echo(render_record(record, fmt, lines))


def _verify_inspection_export(file: str, checkpoint: str | None, trust: Any, fmt: str) -> None:
    """Every event's inclusion proof against the export's checkpoint, which must be signed by a trusted key."""
    from ledger.proofs import verified_inspection_export

    header, embedded, events, notes = verified_inspection_export(Path(file), trust, checkpoint)
    record = {
        "verified": True, "file": file, "inspection": header["inspection"], "events": len(events), "ledger_id": header["ledger_id"],
        "checkpoint": {"sequence": embedded.sequence, "time": embedded.time, "tree_size": embedded.tree_size, "tree_root": embedded.tree_root}, "signatures": notes,
    }
    lines = [t("inspection export verified: {events} of {inspection}, each in the tree of {tree} signed at {time}", events=tn("{n} event", "{n} events", len(events), n=len(events)), inspection=header['inspection'], tree=tn("{n} event", "{n} events", embedded.tree_size, n=embedded.tree_size), time=embedded.time), *notes]
    echo(render_record(record, fmt, lines))


def _export_manifests(path: Path) -> Any:
    """The evidence manifests of the events in an export (each event's state as JSON)."""
    from ledger.export import export_manifests

    return export_manifests(path)


@click.command("import-log", cls=Command)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--evidence", "evidence_dir", default=None, metavar="DIR", help="The evidence files the export names (the folder `ledger export --evidence DIR` wrote): each is checked against its digest and kept in this store.")
@write_options
@pass_ledger
def import_log(state: LedgerContext, file: str, evidence_dir: str | None, at: Any, actor: str | None, fmt: str) -> None:
    """Restore an export into an empty store (verified first; the chain head is unchanged), with its evidence files."""
    from commands.progress import progress

    state.actor(actor, act="log-import")  # authority check: restoring is a write
    if evidence_dir is not None and not Path(evidence_dir).is_dir():
        raise InvalidInput(t("--evidence: {evidence_dir} is not a folder", evidence_dir=evidence_dir))
    with progress(t("verifying the export"), fmt) as checking, progress(t("writing the events"), fmt) as writing:
        record = state.app.restore_log(file, evidence=Path(evidence_dir) if evidence_dir else None, checking=checking, writing=writing).record
    head = dict(events=tn("{n} event", "{n} events", record["events"], n=record["events"]), seq=record["head_seq"], digest=record["head_digest"])
    line = t("imported {events}; head {seq} {digest}", **head)
    if record["evidence_files"]:
        files = record["evidence_files"]
        line = t("imported {events}; head {seq} {digest}; kept {files}, each matching its digest", **head, files=tn("{n} evidence file", "{n} evidence files", files, n=files))
    echo(render_record(record, fmt, line))


@click.group(cls=i18n.Group)
def evidence() -> None:
    """Evidence files attached to acts with --attach: list, get, verify."""


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
        echo(i18n.translate(t("no evidence files attached"), i18n.current()))
        return
    columns = ["seq", "event", "actor", "name", "size", "hash", "digest"]
    lang = i18n.current()  # a file's size (大小), not a count (数量) as a sample's size is; data keeps the key `size`
    headers = [i18n.heading("file_size" if c == "size" else c, lang) for c in columns] if fmt not in ("csv", "json") and lang == "zh" else None
    echo(render_rows(rows, fmt, columns, headers))


def _same(a: str, b: str) -> bool:
    from uuid import UUID

    try:
        return UUID(a) == UUID(b)
    except ValueError:
        return False


@evidence.command("get")
@click.argument("digest")
@click.option("--out", required=True, type=click.Path(dir_okay=False), metavar="FILE", help="Where to write the file.")
@force_option
@format_option
@pass_ledger
def evidence_get(state: LedgerContext, digest: str, out: str, force: bool, fmt: str) -> None:
    """Write the kept bytes of the file with DIGEST (checked against the digest first)."""
    from ledger.attachments import attached, digest_of, fetch
    from ledger.errors import TamperingFound, UnknownID
    from ledger.outputs import write_output

    check_out_file(out, force=force)
    wanted = digest.strip().lower()
    named = next((r for r in attached(state.config.store) if r["digest"] == wanted), None)
    if named is None:
        raise UnknownID("evidence file", digest)
    data = fetch(state.config.store, wanted)
    if data is None:
        raise TamperingFound(t("evidence file {name} ({wanted}) attached to event {seq} has vanished from the store", name=named['name'], wanted=wanted, seq=named['seq']))
    if digest_of(data, named["hash"]) != wanted:
        raise TamperingFound(t("evidence file {name} ({wanted}) attached to event {seq} has changed: its bytes no longer match", name=named['name'], wanted=wanted, seq=named['seq']))
    write_output(out, data, force=force)
    echo(render_record({"name": named["name"], "digest": wanted, "size": len(data), "out": out}, fmt, tn("wrote {name} ({n_data} byte) to {out}", "wrote {name} ({n_data} bytes) to {out}", len(data), name=named['name'], n_data=len(data), out=out)))


@evidence.command("verify")
@output_options
@pass_ledger
def evidence_verify(state: LedgerContext, fmt: str) -> None:
    """Check every attached file's kept bytes against its recorded digest (exit 4 naming a changed or vanished file)."""
    from commands.progress import progress
    from ledger.attachments import verify_kept

    with progress(t("checking the evidence files"), fmt) as report:
        counts = verify_kept(state.config.store, progress=report)
    from projections.verification import evidence_counts

    echo(render_record({"verified": True, **counts}, fmt, t("evidence verified: {detail}", detail=evidence_counts(counts))))


COMMANDS = [keygen, checkpoint, export, verify_export, import_log, evidence]
