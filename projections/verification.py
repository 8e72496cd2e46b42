"""Verifying the chain, alone or against a signed checkpoint: what `audit --verify` reports.

Also finds the latest checkpoint recorded in the ledger itself, so that a
reader (the web view's verification page) can check the chain against it
without a published report at hand.
"""

from __future__ import annotations

from typing import Any
from ledger.messages import Message, t, tn


def verification(
    config: Any,
    checkpoint: tuple[str, ...] | str | None = None,
    public_key: str | None = None,
    fingerprints: tuple[str, ...] = (),
    admin_fingerprints: tuple[str, ...] = (),
    jobs: int | None = 1,
    progress: Any = None,
    app: Any = None,
    *,
    schema: Any,
    full: bool = False,
    open_app: Any = None,
    key_source: str | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """(the record `audit --verify --format json` prints, its lines as text); raises TamperingFound.

    `checkpoint` is one or more checkpoint texts, files or folders; each is
    checked against the recomputed history and against a trusted key.
    `jobs`: processes sharing the chain and tree check (None: one per idle CPU on a
    large ledger); the result and any message are the same whatever it is.
    `progress(done, total)` is told how far the chain and tree check is.
    `app` (a function giving the ledger open on the same store, called once the
    chain verified): the events just proven are also rebuilt into every derived
    table and compared with the stored rows, and the kept evidence files checked.
    `checkpoint` may also hold checkpoints already read (ledger.checkpoint.SignedCheckpoint, naming their source);
    `key_source` names where the trusted key is in place of its path (the web view shows no server path).
    `schema` (ledger.schema.StoreSchema): what `ledger init` makes, the store's catalog is checked against it.
    The derived rows are compared with the digests the chain committed for them; `full`: rebuilt instead.
    `open_app` (a function opening the ledger anew, as the composition root does): on a large ledger with idle
    CPUs the derived-table and evidence steps then run in a process of their own beside the chain check, and
    report after it in the same order (a tampered chain is still what is named first).
    """
    from dataclasses import replace

    from ledger.checkpoint import parse_checkpoints, trust_of
    from ledger.integrity import ledger_meta, snapshot, verify_store

    given = (checkpoint,) if isinstance(checkpoint, str) else tuple(checkpoint or ())
    checkpoints = [cp for value in given for cp in (parse_checkpoints(value) if isinstance(value, str) else [value])]  # texts, or read ones
    trust = trust_of(config, public_key, fingerprints)
    if key_source is not None:  # the web's: where the trusted key is, in words (no server path on a page)
        trust = replace(trust, source=key_source)
    # On a large ledger the signature step (its own snapshot, as when run after) runs beside the chain check.
    shares = _shares_work(config.store, jobs)
    acts_step = _alongside(lambda: _acts_found(config.store, admin_fingerprints), lambda record: verify_acts_step(config.store, record, admin_fingerprints)) if shares else None
    # The derived rows (by their digests) and the evidence, beside the chain too: what the chain then proves
    # is what they were compared with (the digests are in the chain); reported after it, as when run after.
    rows_step = None
    if shares and app is not None and open_app is not None and not full:
        rows_step = _alongside(lambda: _rows_found(config, open_app), lambda record: rows_and_evidence(app(), config, record, jobs))

    def abandon() -> None:
        for step in (acts_step, rows_step):
            if step is not None:
                step(abandon=True)

    try:
        summary, _ = verify_store(config.store, schema=schema, trusted=trust.key, also_at=[cp.sequence for cp in checkpoints], jobs=jobs, progress=progress)
    except BaseException:
        abandon()
        raise
    record: dict[str, Any] = {"verified": True, **summary.record()}
    head = f"{summary.algorithm}:{summary.head_digest.hex()}"
    lines = [tn("chain verified: {count} event, head {head_seq} {head}", "chain verified: {count} events, head {head_seq} {head}", summary.count, count=summary.count, head_seq=summary.head_seq, head=head)]
    if summary.checkpoints:
        lines.append(t("checkpoints recorded in the ledger: {checkpoints}, each matches its history", checkpoints=summary.checkpoints))
    if checkpoints:
        with snapshot(config.store) as con:
            ledger_id = ledger_meta(con).get("ledger_id", "")
        try:
            record["checkpoints"] = check_all(checkpoints, summary, ledger_id, trust, lines)
        except BaseException:
            abandon()
            raise
        if len(checkpoints) == 1:  # the single-checkpoint shape, as before
            record["checkpoint"] = record["checkpoints"][0]
    try:
        if acts_step is None:
            lines += verify_acts_step(config.store, record, admin_fingerprints)
        else:
            lines += acts_step(record)
    except BaseException:
        if rows_step is not None:
            rows_step(abandon=True)
        raise
    if rows_step is not None:
        lines += rows_step(record)
    elif app is not None:
        lines += rows_and_evidence(app(), config, record, jobs, full)
    return record, lines


def rows_and_evidence(app: Any, config: Any, record: dict[str, Any], jobs: int | None, full: bool = False) -> list[str]:
    """The derived-table step, then the evidence step: their lines; TamperingFound naming the first difference."""
    from projections.read_model_check import derived_tables_step

    lines = [derived_tables_step(app, config, jobs, full=full)]
    record["derived_tables"] = "match"
    lines.append(evidence_step(config.store, record))
    return lines


def _rows_found(config: Any, open_app: Any) -> tuple[dict[str, Any], list[str]]:
    """The derived-table and evidence steps on a ledger opened here (in a process of its own): (record part, lines)."""
    app = open_app()
    try:
        record: dict[str, Any] = {}
        return record, rows_and_evidence(app, config, record, 1)
    finally:
        app.close()


def evidence_step(store: str, record: dict[str, Any]) -> str:
    """Every kept evidence file against the digest its event recorded, as `ledger evidence verify` does (exit 4 naming a changed or vanished one)."""
    from ledger.attachments import verify_kept

    counts = verify_kept(store)
    record["evidence"] = counts
    return t("evidence verified: {detail}", detail=evidence_counts(counts))


def evidence_counts(counts: dict[str, Any]) -> Message:
    """"2 attachments, 1 distinct file, every one present and unchanged" (`audit --verify`, `evidence verify`)."""
    files, distinct = counts["files"], counts["distinct"]
    return t(
        "{files}, {distinct}, every one present and unchanged",
        files=tn("{n} attachment", "{n} attachments", files, n=files),
        distinct=tn("{n} distinct file", "{n} distinct files", distinct, n=distinct),
    )


def _shares_work(store: str, jobs: int | None) -> bool:
    """Whether `jobs` means more than one process for this ledger (None: one per idle CPU from PARALLEL_FROM events)."""
    from ledger.chain import PARALLEL_FROM, default_jobs
    from ledger.integrity import snapshot
    from ledger.store import is_url

    if jobs is not None:
        return jobs > 1
    if default_jobs() < 2:
        return False
    try:
        with snapshot(store) as con:
            cursor = con.cursor()
            cursor.execute(f"SELECT COALESCE(MAX({'notification_id' if is_url(store) else 'rowid'}), 0) FROM stored_events")
            return int(cursor.fetchone()[0]) >= PARALLEL_FROM
    except Exception:  # noqa: BLE001 - an unreadable store: the chain check names what is wrong, in this process
        return False


def _alongside(work: Any, fallback: Any) -> Any:
    """Start `work()` ((record part, lines)) in a forked process; the returned function, collect(record), gives its
    lines and adds its record part, or raises its refusal (the same TamperingFound, same text, as in this
    process); when anything else went wrong there (the process died, the store could not be read) it runs
    `fallback(record)` here, so the error reads as it always does. collect(abandon=True) stops the process."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_in_worker, args=(work, sender), daemon=True)
    process.start()
    sender.close()

    def collect(record: dict[str, Any] | None = None, abandon: bool = False) -> list[str]:
        from ledger.errors import TamperingFound

        if abandon:
            process.kill()
            process.join()
            receiver.close()
            return []
        try:
            outcome, value = receiver.recv()
        except EOFError:
            outcome, value = "failed", None
        receiver.close()
        process.join()
        if outcome == "tampered":
            seq, message = value
            error = TamperingFound(message)
            error.seq = seq
            raise error
        record = record if record is not None else {}
        if outcome != "ok":
            return fallback(record)  # type: ignore[no-any-return]
        found, lines = value
        record.update(found)
        return lines  # type: ignore[no-any-return]

    return collect


def _in_worker(work: Any, sender: Any) -> None:
    from ledger.errors import TamperingFound

    try:
        sender.send(("ok", work()))
    except TamperingFound as e:
        sender.send(("tampered", (e.seq, e.finding)))
    except BaseException:  # noqa: BLE001 - the parent runs the step itself and reports as usual
        sender.send(("failed", None))
    finally:
        sender.close()


def _acts_found(store: str, admin_fingerprints: tuple[str, ...]) -> tuple[dict[str, Any], list[str]]:
    """The signature step (in a process of its own): (record part, lines)."""
    record: dict[str, Any] = {}
    lines = verify_acts_step(store, record, admin_fingerprints)
    return {"acts": record["acts"]}, lines


def verify_acts_step(store: str, record: dict[str, Any], admin_fingerprints: tuple[str, ...] = ()) -> list[str]:
    """The signature step: the founding event, every act signed by someone holding the role then (exit 4 naming the event)."""
    from ledger.integrity import ledger_meta, snapshot
    from ledger.signatures import verify_acts

    with snapshot(store) as con:
        ledger_id = ledger_meta(con).get("ledger_id", "")
    pinned = frozenset("".join(f.split()).lower() for f in admin_fingerprints)
    acts = verify_acts(store, ledger_id, pinned)
    record["acts"] = acts.record()
    return [acts.founding_line(), acts.line()]


def check_all(checkpoints: list[Any], summary: Any, ledger_id: str, trust: Any, lines: list[str]) -> list[dict[str, Any]]:
    """Check each checkpoint's signature and history; raise on the first that fails, naming it."""
    from ledger.checkpoint import check_signature
    from ledger.errors import TamperingFound
    from ledger.integrity import check_checkpoint

    results = []
    for cp in checkpoints:
        signature_note = check_signature(cp, trust)
        try:
            note = check_checkpoint(summary, summary.digests_at.get(cp.sequence), cp, ledger_id)
        except TamperingFound as e:
            raise TamperingFound(t("checkpoint {source} (sequence {sequence}, {time}): {removeprefix}", source=cp.source, sequence=cp.sequence, time=cp.time, removeprefix=e.finding)) from None
        results.append({"source": cp.source, "sequence": cp.sequence, "time": cp.time, "head": cp.head, "result": note, "signature": signature_note})
        prefix = t("checkpoint") if len(checkpoints) == 1 else t("checkpoint {source}", source=cp.source)
        lines += [t("{prefix}: {note}", prefix=prefix, note=note), t("{prefix}: {note}", prefix=prefix, note=signature_note)]
    return results


CHECKPOINT_TOPIC = "ledger.checkpoint:Checkpoint%"


def latest_checkpoint(app: Any) -> dict[str, Any] | None:
    """The last checkpoint recorded in the ledger: its block's fields, who recorded it and when; None if none."""
    from ledger.checkpoint import format_checkpoint_block
    from projections.views import plain

    recorder = app.recorder
    position = getattr(recorder, "position_column", "rowid")
    mark = getattr(recorder, "placeholder", "?")
    with recorder.reading() as c:
        c.execute(
            f"SELECT {position}, originator_id, originator_version, topic, state FROM {recorder.events_table_name} "
            f"WHERE topic LIKE {mark} ORDER BY {position} DESC LIMIT 1",
            [CHECKPOINT_TOPIC],
        )
        row = c.fetchone()
    if row is None:
        return None
    from uuid import UUID

    from eventsourcing.persistence import StoredEvent

    ident = row[1] if isinstance(row[1], UUID) else UUID(row[1])
    event = app.mapper.to_domain_event(StoredEvent(originator_id=ident, originator_version=row[2], topic=row[3], state=bytes(row[4])))
    record = ({"version": 3} if getattr(event, "checkpoint_version", None) == 3 else {}) | {
        "ledger": event.ledger_id,
        "sequence": event.sequence,
        "hash": event.algorithm,
        "head": event.head,
        "time": event.time,
        "public_key": event.public_key,
        "fingerprint": event.fingerprint,
        "signature": event.signature,
        # A checkpoint signed with the Merkle tree's size and root (v2) carries them in its block.
        "tree_size": getattr(event, "tree_size", None),
        "tree_root": getattr(event, "tree_root", None),
    }
    return {
        **record,
        "recorded_seq": row[0],
        "recorded_by": getattr(event, "actor", ""),
        "recorded_at": plain(event.timestamp),
        "block": format_checkpoint_block(record),
    }
