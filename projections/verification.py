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
    `schema` (ledger.schema.StoreSchema): what `ledger init` makes, the store's catalog is checked against it.
    The derived rows are compared with the digests the chain committed for them; `full`: rebuilt instead.
    `open_app` (a function opening the ledger anew, as the composition root does): on a large ledger with idle
    CPUs the derived-table and evidence steps then run in a process of their own beside the chain check, and
    report after it in the same order (a tampered chain is still what is named first).
    """
    from ledger.checkpoint import parse_checkpoints, trust_of
    from ledger.integrity import ledger_meta, snapshot, verify_store

    given = (checkpoint,) if isinstance(checkpoint, str) else tuple(checkpoint or ())
    checkpoints = [cp for value in given for cp in parse_checkpoints(value)]
    trust = trust_of(config, public_key, fingerprints)
    # On a large ledger the signature step (its own snapshot, as when run after) runs beside the chain check.
    shares = _shares_work(config.store, jobs)
    acts_step = _acts_alongside(config.store, admin_fingerprints) if shares else None
    # The derived rows (by their digests) and the evidence, beside the chain too: what the chain then proves
    # is what they were compared with (the digests are in the chain); reported after it, as when run after.
    rows_step = _rows_alongside(config, open_app) if shares and app is not None and open_app is not None and not full else None

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
    lines = [t("chain verified: {count} events, head {head_seq} {head}", count=summary.count, head_seq=summary.head_seq, head=head)]
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
            lines += acts_step(record=record)
    except BaseException:
        if rows_step is not None:
            rows_step(abandon=True)
        raise
    if rows_step is not None:
        lines += rows_step(record=record, app=app, jobs=jobs)
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


def _rows_alongside(config: Any, open_app: Any) -> Any:
    """Start the derived-table and evidence steps in a forked process, on a ledger it opens itself (`open_app`);
    the returned function collects their lines, or their refusal (the same TamperingFound), or runs them here
    when anything else went wrong there (so an error reads as it always does)."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_rows_in_worker, args=(config, open_app, sender), daemon=True)
    process.start()
    sender.close()

    def collect(record: dict[str, Any] | None = None, app: Any = None, jobs: int | None = None, abandon: bool = False) -> list[str]:
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
            return rows_and_evidence(app(), config, record, jobs)
        found, lines = value
        record.update(found)
        return lines

    return collect


def _rows_in_worker(config: Any, open_app: Any, sender: Any) -> None:
    from ledger.errors import TamperingFound

    try:
        app = open_app()
        try:
            record: dict[str, Any] = {}
            lines = rows_and_evidence(app, config, record, 1)
        finally:
            app.close()
        sender.send(("ok", (record, lines)))
    except TamperingFound as e:
        sender.send(("tampered", (e.seq, e.finding)))
    except BaseException:  # noqa: BLE001 - the parent runs the steps itself and reports as usual
        sender.send(("failed", None))
    finally:
        sender.close()


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


def _acts_alongside(store: str, admin_fingerprints: tuple[str, ...]) -> Any:
    """Start the signature step in a forked process; the returned function collects its lines (or its refusal).

    The refusal is the same TamperingFound, same text, as in this process; anything
    else that went wrong there (the process died, the store could not be read) runs
    the step again here, so its error reads as it always does.
    """
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_acts_in_worker, args=(store, admin_fingerprints, sender), daemon=True)
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
        if outcome != "ok":
            return verify_acts_step(store, record if record is not None else {}, admin_fingerprints)
        acts_record, acts_lines = value
        if record is not None:
            record["acts"] = acts_record
        return acts_lines

    return collect


def _acts_in_worker(store: str, admin_fingerprints: tuple[str, ...], sender: Any) -> None:
    from ledger.errors import TamperingFound

    try:
        record: dict[str, Any] = {}
        lines = verify_acts_step(store, record, admin_fingerprints)
        sender.send(("ok", (record["acts"], lines)))
    except TamperingFound as e:
        sender.send(("tampered", (e.seq, e.finding)))
    except BaseException:  # noqa: BLE001 - the parent runs the step itself and reports as usual
        sender.send(("failed", None))
    finally:
        sender.close()


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
