"""Verifying a SQLite store's hash chain, alone or against a signed checkpoint.

The store is read raw (no event decoding) with its own read-only connection,
in one read transaction so that the events and the chain are one snapshot
even while others append. A damaged or truncated file is tampering evidence
too (exit 4), named with the last sequence number that did verify.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ledger.chain import ChainSummary, Link, recorded_algorithm, summarise, walk_store
from ledger.errors import StoreError, TamperingFound


@contextmanager
def snapshot(path: str) -> Iterator[Any]:
    """A read-only connection in one read transaction (SQLite file or PostgreSQL URL)."""
    from ledger.store import is_url

    if is_url(path):
        with pg_snapshot(path) as con:
            yield con
        return
    if not Path(path).is_file():
        raise StoreError(f"no ledger store at {path}: run `ledger init` first")
    from ledger.store import connect_read_only

    try:
        con, _ = connect_read_only(path, isolation_level=None)
    except sqlite3.OperationalError as e:  # permissions, a folder in its place: not evidence of tampering
        raise StoreError(f"the store {path} cannot be opened ({e})") from None
    except sqlite3.Error as e:
        raise TamperingFound(f"the store file {path} is damaged or truncated ({e})") from None
    try:
        con.execute("BEGIN")
        yield con
    finally:
        con.close()


def ledger_meta(con: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in con.execute("SELECT key, value FROM ledger_meta").fetchall()}


@contextmanager
def pg_snapshot(url: str) -> Iterator[Any]:
    """A REPEATABLE READ, read-only transaction: events and chain as one snapshot."""
    import psycopg

    from ledger.store import parse_pg_url, pg_error_line

    location = parse_pg_url(url)
    try:
        con = psycopg.connect(**location.conninfo())
    except psycopg.Error as e:
        raise StoreError(f"cannot use the PostgreSQL store {location}: {pg_error_line(e)}") from None
    try:
        con.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        con.read_only = True
        yield con
    finally:
        con.close()


class RecordedCheckpoints:
    """The signed checkpoints the log itself holds, checked against the history it holds now.

    Someone who rewrites an event and recomputes every later link makes a
    chain that verifies; but each `Checkpoint.Recorded` event already in the
    log signed the head digest at its sequence number, and that digest
    changes. Collected during the walk; `check` runs after it, when every
    stored digest has been proven (so a digest can be looked up, not kept).
    """

    def __init__(self) -> None:
        self.found: list[tuple[int, bytes]] = []  # (sequence number of the event, its state)

    def watch(self, links: Iterable[Link]) -> Iterator[Link]:
        from ledger.checkpoint import RECORDED_TOPIC

        for link in links:
            if link.topic == RECORDED_TOPIC:
                self.found.append((link.seq, link.state))
            yield link

    def check(self, digests_at: Callable[[list[int]], dict[int, bytes]], ledger_id: str, algorithm: str, trusted: bytes | None) -> int:
        """Raise TamperingFound naming the first checkpoint the history no longer matches; the number checked."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        from ledger.checkpoint import fingerprint, from_recorded

        parsed = []
        for event_seq, state in self.found:
            try:
                cp = from_recorded(state)
            except (ValueError, KeyError, TypeError) as e:
                raise TamperingFound(event_seq, f"is a recorded checkpoint that cannot be read ({e})") from None
            except Exception as e:  # noqa: BLE001 - e.g. ConfigError from a garbled key
                raise TamperingFound(event_seq, f"is a recorded checkpoint that cannot be read ({e})") from None
            try:
                Ed25519PublicKey.from_public_bytes(cp.public_key).verify(cp.signature, cp.message())
            except (InvalidSignature, ValueError):
                raise TamperingFound(event_seq, "is a recorded checkpoint whose signature does not match its contents") from None
            if trusted is not None and cp.public_key != trusted:
                raise TamperingFound(
                    event_seq, f"is a checkpoint signed by key {fingerprint(cp.public_key)}, not by this ledger's key {fingerprint(trusted)}"
                )
            if cp.ledger != ledger_id or cp.hash != algorithm:
                raise TamperingFound(event_seq, f"is a checkpoint of ledger {cp.ledger} ({cp.hash}), not of this one")
            if not 0 <= cp.sequence < event_seq:
                raise TamperingFound(event_seq, f"is a checkpoint claiming events up to {cp.sequence}, which it cannot cover")
            parsed.append((event_seq, cp))
        digests = digests_at(sorted({cp.sequence for _, cp in parsed if cp.sequence}))
        matched = 0  # every event up to here is proven by a matching checkpoint
        for event_seq, cp in sorted(parsed, key=lambda pair: pair[1].sequence):
            if cp.sequence == 0:
                continue
            digest = digests.get(cp.sequence)
            if digest is None or digest.hex() != cp.head:
                where = f"event {cp.sequence}" if matched + 1 == cp.sequence else f"events {matched + 1}..{cp.sequence}"
                first = matched + 1
                raise TamperingFound(
                    f"first bad sequence number {first}{'' if first == cp.sequence else f' (or a later one up to {cp.sequence})'}: "
                    f"the checkpoint recorded as event {event_seq} (signed {cp.time}) covers events up to {cp.sequence}, "
                    f"and the history differs from it in {where} (rewritten, links recomputed)"
                )
            matched = max(matched, cp.sequence)
        return len(parsed)


def _chain_digests(con: Any, style: str) -> Callable[[list[int]], dict[int, bytes]]:
    def lookup(seqs: list[int]) -> dict[int, bytes]:
        out: dict[int, bytes] = {}
        cursor = con.cursor()
        for start in range(0, len(seqs), 500):
            part = seqs[start : start + 500]
            marks = ", ".join(style for _ in part)
            cursor.execute(f"SELECT seq, digest FROM ledger_chain WHERE seq IN ({marks})", part)
            out.update({int(r[0]): bytes(r[1]) for r in cursor.fetchall()})
        return out

    return lookup


def verify_store(path: str, *, watch: int | None = None, trusted: bytes | None = None, also_at: Iterable[int] = ()) -> tuple[ChainSummary, bytes | None]:
    """Recompute the whole chain and check every checkpoint recorded in it.

    Returns the summary and the digest at sequence number `watch` (and in
    `summary.digests_at`, the digests at `also_at`, from the same snapshot). `trusted`
    is the ledger's public key if the verifier has one: recorded checkpoints
    must then be signed by it.
    """
    from ledger.store import is_url

    if is_url(path):
        return _verify_postgres(path, watch, trusted, also_at)
    last_good = 0
    try:
        with snapshot(path) as con:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "ledger_chain" not in tables:
                if {"stored_events", "ledger_meta"} <= tables:
                    raise TamperingFound(f"the store {path} has no hash chain table (ledger_chain): dropped, or made before the chain existed")
                raise StoreError(f"{path} is not an initialised ledger store: run `ledger init`")
            algorithm = recorded_algorithm(con.cursor())
            recorded = RecordedCheckpoints()
            links = walk_store(con.cursor(), con.cursor(), algorithm=algorithm)

            def tracked() -> Iterator[Any]:
                nonlocal last_good
                for link in links:
                    last_good = link.seq
                    yield link

            summary, seen = summarise(recorded.watch(tracked()), algorithm, watch=watch)
            summary.checkpoints = recorded.check(_chain_digests(con, "?"), ledger_meta(con).get("ledger_id", ""), algorithm, trusted)
            summary.digests_at = _chain_digests(con, "?")(sorted(set(also_at)))
            return summary, seen
    except sqlite3.DatabaseError as e:
        raise TamperingFound(
            f"the store file {path} is damaged or truncated after sequence number {last_good} ({e})"
        ) from None


def check_checkpoint(summary: ChainSummary, digest_at: bytes | None, cp: Any, ledger_id: str) -> str:
    """Raise TamperingFound unless the verified chain still holds the history `cp` covered."""
    if cp.ledger != ledger_id:
        raise TamperingFound(f"the checkpoint is for ledger {cp.ledger}, but this is ledger {ledger_id}")
    if cp.hash != summary.algorithm:
        raise TamperingFound(f"the checkpoint uses {cp.hash}, but this ledger's chain uses {summary.algorithm}")
    if cp.sequence > summary.head_seq:
        raise TamperingFound(
            f"the checkpoint covers events up to {cp.sequence}, but the ledger now ends at {summary.head_seq} (history truncated)"
        )
    if cp.sequence == 0:
        return "checkpoint of an empty ledger"
    if digest_at is None:
        raise TamperingFound(f"first bad sequence number {cp.sequence}: the event the checkpoint covered is no longer in the ledger")
    if digest_at.hex() != cp.head:
        raise TamperingFound(
            f"history up to sequence number {cp.sequence} differs from the checkpoint of {cp.time} (rewritten since)"
        )
    return f"holds the history of the checkpoint of {cp.time} (events up to {cp.sequence})"


def _verify_postgres(url: str, watch: int | None, trusted: bytes | None, also_at: Iterable[int]) -> tuple[ChainSummary, bytes | None]:
    import psycopg

    with pg_snapshot(url) as con:
        try:
            found = con.execute("SELECT to_regclass('ledger_chain') IS NOT NULL, to_regclass('stored_events') IS NOT NULL").fetchone()
            if not found[1]:
                raise StoreError(f"{url} is not an initialised ledger store: run `ledger init`")
            if not found[0]:
                raise TamperingFound(f"the store {url} has no hash chain table (ledger_chain)")
            algorithm = recorded_algorithm(con.cursor(), "%s")
            links = walk_store(con.cursor(), con.cursor(), algorithm=algorithm, style="%s", position="notification_id")
            recorded = RecordedCheckpoints()
            summary, seen = summarise(recorded.watch(links), algorithm, watch=watch)
            summary.checkpoints = recorded.check(_chain_digests(con, "%s"), ledger_meta(con).get("ledger_id", ""), algorithm, trusted)
            summary.digests_at = _chain_digests(con, "%s")(sorted(set(also_at)))
            return summary, seen
        except psycopg.Error as e:
            raise StoreError(f"cannot read the PostgreSQL store: {e}") from None
