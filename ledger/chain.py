"""The hash chain: every stored event linked to the one before it, in global order.

An auditor can reproduce it without this program. For the event with global
sequence number n (its notification id: the SQLite rowid of `stored_events`)
whose predecessor in the log has sequence number p (0 for the first event):

    digest(n) = H( digest(p)                      32 bytes; 32 zero bytes when p = 0
                 ‖ n                              8 bytes, unsigned big-endian
                 ‖ originator_id                  16 bytes, the aggregate's UUID
                 ‖ originator_version             8 bytes, unsigned big-endian
                 ‖ len(topic) ‖ topic             4 bytes big-endian length, then UTF-8
                 ‖ len(state) ‖ state )           4 bytes big-endian length, then the
                                                  stored bytes exactly as stored

A transaction that writes derived rows (the read models `ledger_problems` and
`ledger_inspections`) commits their digests too: the link of its last event is

    digest(n) = H( digest(p) ‖ event_bytes(n) ‖ R(n) )   R(n): 32 bytes, the digest of the
                                                           row set recorded at n (below)

and every other link is as above (R empty). The row digests are kept in
`ledger_row_digests(seq, tbl, key, ord, digest)`, seq = n: digest = H(row form),
the row form being the UTF-8 JSON array [table, column values…] (`row_form`);
`ord` the row's place among that table's rows written in the transaction; and

    R(n) = H( for each entry at n, by table (UTF-8 bytes) then ord:
              len(tbl) ‖ tbl ‖ len(key) ‖ key ‖ ord ‖ digest )   4-byte big-endian lengths and ord

so an edited, added or removed digest breaks the chain at n (docs/tamper-evidence.md).

H is SHA-256 (FIPS 180-4) or SM3 (GB/T 32905-2016), chosen when the ledger is
created and recorded in `ledger_meta` (key `hash_algorithm`); both give 32
bytes. The links live in `ledger_chain(seq, prev, digest)`, written in the same
transaction as the events; `prev` is UNIQUE, so two events can never claim the
same predecessor (the chain cannot fork), and a link cannot lag its event.

Including the sequence number, the aggregate ID and version means that moving
an event (to another position or aggregate) changes its digest, not only
editing its bytes. SQL here is plain and uses the recorder's placeholder, so
another store's recorder can reuse it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import struct
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Sequence
from uuid import UUID

from ledger.errors import ConfigError, TamperingFound
from ledger.messages import either, t

ALGORITHMS = ("sha256", "sm3")
DEFAULT_ALGORITHM = "sha256"
DIGEST_SIZE = 32
GENESIS = bytes(DIGEST_SIZE)
BATCH = 20_000

CHAIN_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS ledger_chain (
        seq INTEGER PRIMARY KEY,
        prev INTEGER NOT NULL UNIQUE,
        digest BLOB NOT NULL
    )""",
    # The digest of every derived row written, at the sequence number of its transaction's last event
    # (whose link covers them, R(n) above); history kept, so the latest per (tbl, key) is the row's own.
    """CREATE TABLE IF NOT EXISTS ledger_row_digests (
        seq INTEGER NOT NULL,
        tbl TEXT NOT NULL,
        key TEXT NOT NULL,
        ord INTEGER NOT NULL,
        digest BLOB NOT NULL,
        PRIMARY KEY (seq, tbl, key)
    )""",
    "CREATE INDEX IF NOT EXISTS ledger_row_digests_by_key ON ledger_row_digests (tbl, key, seq)",
]
ROW_DIGESTS = "ledger_row_digests"

_U64 = struct.Struct(">Q")
_U32 = struct.Struct(">I")


class _SM3:
    """SM3 through the `cryptography` package, shaped like a hashlib object."""

    def __init__(self, data: bytes = b"") -> None:
        from cryptography.hazmat.primitives import hashes

        self._h = hashes.Hash(hashes.SM3())
        if data:
            self._h.update(data)

    def update(self, data: bytes) -> None:
        self._h.update(data)

    def digest(self) -> bytes:
        return self._h.finalize()


def hasher(algorithm: str) -> Callable[[bytes], Any]:
    """A constructor `H(data)` with `.digest()`, for a chain algorithm name."""
    if algorithm == "sha256":
        return hashlib.sha256
    if algorithm == "sm3":
        if "sm3" in hashlib.algorithms_available:
            try:
                hashlib.new("sm3")
                return functools.partial(hashlib.new, "sm3")  # no Python frame per call: verification hashes millions
            except ValueError:  # listed but disabled by the OpenSSL policy
                pass
        return _SM3
    raise ConfigError(t("unknown hash algorithm '{algorithm}' (use {ALGORITHMS})", algorithm=algorithm, ALGORITHMS=either(ALGORITHMS)))


def check_algorithm(value: Any) -> str:
    name = str(value).strip().lower().replace("-", "")
    if name not in ALGORITHMS:
        raise ConfigError(t("'hash' must be {ALGORITHMS}, not {value!r}", ALGORITHMS=either(ALGORITHMS), value=value))
    return name


class NonCanonical(TamperingFound):
    """A stored value is not in the one form the ledger writes: a re-encoded event."""


def _canonical_id(seq: int, originator_id: Any) -> bytes:
    """16 bytes of the aggregate UUID; only the spelling the store itself writes is accepted.

    SQLite keeps it as TEXT of 32 lower-case hex digits (uuid.hex), PostgreSQL
    as a `uuid` (a UUID here). Any other spelling (upper case, dashes, braces,
    a BLOB) names the same UUID to a hash but not to the application, which
    looks the text up exactly: it is refused as tampering.
    """
    if isinstance(originator_id, UUID):
        return originator_id.bytes
    if type(originator_id) is str and len(originator_id) == 32 and originator_id == originator_id.lower():
        try:
            return bytes.fromhex(originator_id)
        except ValueError:
            pass
    raise NonCanonical(seq, t("has a re-spelled originator_id {show} (not 32 lower-case hex digits)", show=_show(originator_id)))


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def event_bytes(seq: int, originator_id: Any, version: int, topic: str, state: bytes) -> bytes:
    """The bytes of one stored event that every integrity structure covers.

    seq ‖ originator_id ‖ originator_version ‖ len(topic) ‖ topic ‖ len(state) ‖ state,
    as in the module docstring. The chain hashes them after the previous
    digest; anything else that commits to an event (a tree, a signature) must
    use these same bytes, so there is one definition of what an event is.

    Each column must hold exactly the type and spelling the ledger writes
    (originator_id: see `_canonical_id`; originator_version an INTEGER;
    topic TEXT; state a BLOB), so every value the application reads is the
    value covered: anything else raises NonCanonical naming the event.
    """
    oid = _canonical_id(seq, originator_id)
    if type(version) is not int or not 0 <= version < 2**64:
        raise NonCanonical(seq, t("has an originator_version stored as {show} (not an integer)", show=_show(version)))
    if type(topic) is not str:
        raise NonCanonical(seq, t("has a topic stored as {name__}, not text", name__=type(topic).__name__))
    if isinstance(state, memoryview):
        state = bytes(state)
    if type(state) is not bytes:
        raise NonCanonical(seq, t("has a state stored as {name__}, not bytes (BLOB)", name__=type(state).__name__))
    try:
        topic_bytes = topic.encode("utf-8")
    except UnicodeEncodeError:
        raise NonCanonical(seq, t("has a topic that is not valid Unicode text")) from None
    return b"".join(
        (
            _U64.pack(seq),
            oid,
            _U64.pack(version),
            _U32.pack(len(topic_bytes)),
            topic_bytes,
            _U32.pack(len(state)),
            state,
        )
    )


def link_digest(h: Callable[[bytes], Any], prev_digest: bytes, seq: int, originator_id: Any, version: int, topic: str, state: bytes, rows: bytes = b"") -> bytes:
    """digest(n) of the module docstring; `rows`: R(n) when derived rows were recorded at n."""
    return h(prev_digest + event_bytes(seq, originator_id, version, topic, state) + rows).digest()


def sql(statement: str, style: str) -> str:
    return statement if style == "?" else statement.replace("?", style)


def row_form(table: str, values: Sequence[Any]) -> bytes:
    """The canonical form of one derived row, whose digest is committed: UTF-8 JSON [table, value, …].

    Columns in the table's documented order (`position` left out: its order is checked apart);
    no spaces; text escaped as RFC 8785 (JCS) escapes it, integers in decimal, NULL as null.
    A value of any other type (REAL, BLOB) has no form: TypeError (a stored one is tampering).
    """
    return json.dumps([table, *values], ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def row_set_digest(h: Callable[[bytes], Any], entries: Iterable[tuple[str, str, int, bytes]]) -> bytes:
    """R(n) of the entries (tbl, key, ord, digest) recorded at one sequence number."""
    parts: list[bytes] = []
    for tbl, key, order, digest in sorted(entries, key=lambda e: (e[0].encode("utf-8"), e[2])):
        tb, kb = tbl.encode("utf-8"), key.encode("utf-8")
        parts += (_U32.pack(len(tb)), tb, _U32.pack(len(kb)), kb, _U32.pack(order), digest)
    return h(b"".join(parts)).digest()


ROW_SETS = "SELECT seq, tbl, key, ord, digest FROM ledger_row_digests WHERE seq > ? AND seq <= ? ORDER BY seq"


def read_row_sets(cursor: Any, style: str, h: Callable[[bytes], Any], after: int, last: int, entries: dict[int, list[Any]] | None = None) -> tuple[dict[int, bytes], int]:
    """{n: R(n)} of the digests recorded after `after` up to `last`, and how many entries; NonCanonical on a value of another type.

    `entries`, if given, is filled with each n's (tbl, key, ord, digest) by table and ord."""
    cursor.execute(sql(ROW_SETS, style), (after, last))
    grouped: dict[int, list[tuple[str, str, int, bytes]]] = {}
    rows = cursor.fetchall()
    for seq, tbl, key, order, digest in rows:
        if isinstance(digest, memoryview):
            digest = bytes(digest)
        if type(seq) is not int or type(tbl) is not str or type(key) is not str or type(order) is not int or type(digest) is not bytes or len(digest) != DIGEST_SIZE or not 0 <= order < 2**32:
            raise NonCanonical(seq if type(seq) is int else 0, t("has a derived-row digest not stored as (integer, text, text, integer, 32-byte BLOB)"))
        grouped.setdefault(seq, []).append((tbl, key, order, digest))
    if entries is not None:
        entries.update({seq: sorted(group, key=lambda e: (e[0].encode("utf-8"), e[2])) for seq, group in grouped.items()})
    return {seq: row_set_digest(h, group) for seq, group in grouped.items()}, len(rows)


def _row_set_stream(cursor: Any, style: str, h: Callable[[bytes], Any], batch: int) -> Iterator[tuple[int, bytes, tuple[Any, ...]]]:
    """(n, R(n), its entries) of every recorded row set, in order of n, read a range of sequence numbers at a time."""
    after = LOWEST
    cursor.execute("SELECT max(seq) FROM ledger_row_digests")
    top = cursor.fetchone()[0]
    if top is None:
        return
    if type(top) is not int:
        raise NonCanonical(0, t("has a derived-row digest not stored as (integer, text, text, integer, 32-byte BLOB)"))
    while after < top:
        cursor.execute(sql("SELECT seq FROM ledger_row_digests WHERE seq > ? ORDER BY seq LIMIT 1 OFFSET ?", style), (after, batch))
        row = cursor.fetchone()
        last = int(row[0]) if row is not None else top
        found: dict[int, list[Any]] = {}
        sets, _ = read_row_sets(cursor, style, h, after, last, found)
        for seq in sorted(sets):
            yield seq, sets[seq], tuple(found[seq])
        after = last


IN_BATCH = 500  # sequence numbers per IN (…) list


def check_links(cursor: Any, style: str, shown: list[tuple[int, Any]]) -> None:
    """Each of these events' links against the stored chain, the same findings as `walk` (for a reading command's
    few events, ledger.signatures.verify_shown; and the link covering one derived row's digest): its bytes after
    its predecessor's stored digest, with the row digests recorded at it, must hash to its own stored digest.
    `shown`: (seq, event) with the stored `originator_id`, `originator_version`, `topic` and `state`."""
    from ledger.schema import has_table

    h = hasher(recorded_algorithm(cursor))
    seqs = [seq for seq, _ in shown]
    links = {int(r[0]): (r[1], r[2]) for r in in_batches(cursor, style, "SELECT seq, prev, digest FROM ledger_chain WHERE seq IN ({})", seqs)}
    prevs = sorted({p for p, _ in links.values() if type(p) is int and p > 0})
    before = {int(r[0]): r[1] for r in in_batches(cursor, style, "SELECT seq, digest FROM ledger_chain WHERE seq IN ({})", prevs)}
    before[0] = GENESIS
    entries: dict[int, list[tuple[str, str, int, bytes]]] = {}
    if has_table(cursor, "ledger_row_digests", postgres=style != "?"):
        for seq, tbl, key, order, digest in in_batches(cursor, style, "SELECT seq, tbl, key, ord, digest FROM ledger_row_digests WHERE seq IN ({})", seqs):
            if type(seq) is not int or type(order) is not int or not isinstance(digest, (bytes, memoryview)):
                raise NonCanonical(seq if type(seq) is int else 0, t("has a derived-row digest not stored as (integer, text, text, integer, 32-byte BLOB)"))
            entries.setdefault(seq, []).append((str(tbl), str(key), order, bytes(digest)))
    for seq, event in shown:
        link = links.get(seq)
        if link is None:
            raise TamperingFound(seq, t("is stored but has no chain link (inserted after the fact)"))
        prev, digest = link[0], before.get(link[0]) if type(link[0]) is int else None
        if isinstance(digest, memoryview):
            digest = bytes(digest)
        own = bytes(link[1]) if isinstance(link[1], (bytes, memoryview)) else None
        if own is None or len(own) != DIGEST_SIZE or (digest is not None and (type(digest) is not bytes or len(digest) != DIGEST_SIZE)):
            raise NonCanonical(seq, t("has a chain link not stored as (integer, integer, 32-byte BLOB)"))
        if digest is None:
            raise TamperingFound(int(prev) if type(prev) is int else seq, t("is missing from the store with its chain link (deleted)"))
        rows = row_set_digest(h, entries[seq]) if seq in entries else b""
        if link_digest(h, digest, seq, event.originator_id, event.originator_version, event.topic, event.state, rows) != own:
            if rows:
                raise TamperingFound(seq, t("does not match its recorded hash (the event, or the derived-row digests recorded with it, edited, moved or reordered)"))
            raise TamperingFound(seq, t("does not match its recorded hash (edited, moved or reordered)"))


def in_batches(cursor: Any, style: str, statement: str, values: list[Any]) -> list[Any]:
    """The rows of `statement` (its `IN ({})` filled with `style` marks) for every value, IN_BATCH values a query."""
    found: list[Any] = []
    for start in range(0, len(values), IN_BATCH):
        part = values[start : start + IN_BATCH]
        cursor.execute(statement.format(", ".join(style for _ in part)), part)
        found += cursor.fetchall()
    return found


def insert_rows(cursor: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], style: str = "?") -> None:
    """Append rows (a list or a generator) to a table inside the caller's transaction:
    one executemany on SQLite, one COPY on PostgreSQL (a bulk load writes a chain link
    and about two tree nodes an event; row-by-row INSERTs to a server cost 5-10x the COPY)."""
    names = ", ".join(columns)
    if style == "?":
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' for _ in columns)})", rows)
        return
    with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


# The algorithm a ledger records at `init`; also a subquery where a write reads it with something else.
RECORDED_ALGORITHM = "SELECT value FROM ledger_meta WHERE key = 'hash_algorithm'"


def recorded_algorithm(cursor: Any) -> str:
    """The algorithm this ledger was created with (sha256 for ledgers older than the chain)."""
    cursor.execute(RECORDED_ALGORITHM)
    row = cursor.fetchone()
    return algorithm_named(row[0] if row else None)


def algorithm_named(value: Any) -> str:
    """ledger_meta's hash_algorithm value, or the algorithm of ledgers older than the chain when there is none."""
    return DEFAULT_ALGORITHM if value is None else str(value)


def append_links(cursor: Any, stored_events: Sequence[Any], positions: Sequence[int], style: str = "?", rows: Sequence[tuple[str, str, bytes]] = (), copied: bool = False) -> None:
    """Link newly inserted events to the chain, inside the inserting transaction.

    The caller's transaction already holds the write lock (SQLite: the event
    INSERT came first), so the head read here is the real head. `rows`: the
    derived rows the transaction wrote, (table, key, row form) in write order:
    their digests are recorded at the last event and its link covers them.
    `copied` (`ledger migrate`): the digests were copied with the events; the links cover those.
    """
    # The algorithm and the head in one query: a round trip saved on every write to a server store.
    cursor.execute(
        f"SELECT ({RECORDED_ALGORITHM}), "
        "(SELECT seq FROM ledger_chain ORDER BY seq DESC LIMIT 1), (SELECT digest FROM ledger_chain ORDER BY seq DESC LIMIT 1)"
    )
    algorithm, head_seq, head_digest = cursor.fetchone()
    h = hasher(algorithm_named(algorithm))
    prev_seq, prev_digest = (int(head_seq), bytes(head_digest)) if head_seq is not None else (0, GENESIS)
    last = max(positions)
    sets: dict[int, bytes] = {}
    if rows:
        entries: list[tuple[str, str, int, bytes]] = []
        places: dict[tuple[str, str], int] = {}
        counts: dict[str, int] = {}
        for table, key, form in rows:
            digest = h(form).digest()
            place = places.get((table, key))
            if place is not None:  # written twice in one transaction: the later row stands, in the first one's place
                entries[place] = (*entries[place][:3], digest)
                continue
            places[(table, key)] = len(entries)
            entries.append((table, key, counts.get(table, 0), digest))
            counts[table] = counts.get(table, 0) + 1
        sets[last] = row_set_digest(h, entries)
        try:
            insert_rows(cursor, ROW_DIGESTS, ("seq", "tbl", "key", "ord", "digest"), [(last, *e) for e in entries], style)
        except Exception as e:
            if "no such table" in str(e) or type(e).__name__ == "UndefinedTable":
                from ledger.errors import StoreError

                raise StoreError(t("the store was made by an earlier version of the ledger: run `ledger init` to upgrade it")) from None
            raise
    elif copied:
        sets, _ = read_row_sets(cursor, style, h, min(positions) - 1, last)
    links = []
    for stored, seq in sorted(zip(stored_events, positions), key=lambda pair: pair[1]):
        covered = event_bytes(seq, stored.originator_id, stored.originator_version, stored.topic, stored.state)
        digest = h(prev_digest + covered + sets.get(seq, b"")).digest()
        links.append((seq, prev_seq, digest))
        prev_seq, prev_digest = seq, digest
    insert_rows(cursor, "ledger_chain", ("seq", "prev", "digest"), links, style)


@dataclass(frozen=True)
class Link:
    """One verified event of the log, with its chain link."""

    seq: int
    prev: int
    digest: bytes
    originator_id: str
    originator_version: int
    topic: str
    state: bytes
    covered: bytes = b""  # event_bytes of the event, computed once for every structure that checks it
    rows: bytes = b""  # R(n), the digest of the derived rows recorded at this event (empty: none)
    entries: tuple[tuple[str, str, int, bytes], ...] = ()  # those rows' (tbl, key, ord, digest)


@dataclass
class ChainSummary:
    algorithm: str
    count: int = 0
    head_seq: int = 0
    head_digest: bytes = GENESIS
    checkpoints: int = 0  # signed checkpoints recorded in the log, each checked against it
    digests_at: dict[int, bytes] = field(default_factory=dict)  # verified digests asked for (`also_at`)
    # The Merkle tree (ledger.merkle) as recomputed: its size and root, and at the watched event.
    tree_size: int | None = None
    tree_root: bytes | None = None
    tree_at: tuple[int, bytes] | None = None
    trees_at: dict[int, tuple[int, bytes]] = field(default_factory=dict)  # (size, root) at the sequence numbers asked for

    def record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "algorithm": self.algorithm,
            "events": self.count,
            "head_seq": self.head_seq,
            "head_digest": self.head_digest.hex(),
            "checkpoints_in_log": self.checkpoints,
        }
        if self.tree_root is not None:
            record.update(tree_size=self.tree_size, tree_root=self.tree_root.hex())
        return record


def _pages(cursor: Any, statement: str, style: str, batch: int) -> Iterator[tuple[Any, ...]]:
    """Rows of `statement` (ordered by its first column, `> ?` on it) in keyset pages."""
    after = LOWEST
    while True:
        cursor.execute(sql(statement, style), (after, batch))
        rows = cursor.fetchall()
        if not rows:
            return
        yield from rows
        after = rows[-1][0]
        if len(rows) < batch:
            return


EVENTS_PAGE = "SELECT {pos}, originator_id, originator_version, topic, state FROM {table} WHERE {pos} > ? ORDER BY {pos} LIMIT ?"
CHAIN_PAGE = "SELECT seq, prev, digest FROM ledger_chain WHERE seq > ? ORDER BY seq LIMIT ?"


def walk(
    events: Iterator[tuple[Any, ...]],
    chain: Iterator[tuple[Any, ...]],
    algorithm: str,
    *,
    base_seq: int = 0,
    base_digest: bytes = GENESIS,
    row_sets: Iterator[tuple[int, bytes, tuple[Any, ...]]] | None = None,
) -> Iterator[Link]:
    """Recompute the chain over two ordered streams and yield each verified link.

    `events` yields (seq, originator_id, version, topic, state[, R, entries]) and `chain`
    (seq, prev, digest); `row_sets` (n, R(n), entries) of the derived-row digests recorded,
    in order of n. Raises TamperingFound at the first bad sequence
    number: an edited, deleted, inserted or moved event, or a broken link.
    """
    h = hasher(algorithm)
    prev_seq, prev_digest = base_seq, base_digest
    e = next(events, None)
    k = next(chain, None)
    sets = row_sets if row_sets is not None else iter(())
    r = next(sets, None)
    while e is not None or k is not None:
        if k is None:
            raise TamperingFound(e[0], t("is stored but has no chain link (inserted after the fact)"))
        if e is None:
            missing = int(k[1]) if int(k[1]) != prev_seq else int(k[0])
            raise TamperingFound(missing, t("is missing from the store (deleted)"))
        if type(k[0]) is not int or type(k[1]) is not int or not isinstance(k[2], (bytes, memoryview)) or len(k[2]) != DIGEST_SIZE:
            raise NonCanonical(k[0] if type(k[0]) is int else (e[0] if e else 0), t("has a chain link not stored as (integer, integer, 32-byte BLOB)"))
        seq, link_seq = int(e[0]), int(k[0])
        if min(seq, link_seq) < 1:
            raise TamperingFound(min(seq, link_seq), t("is stored before the first event (a sequence number below 1: inserted after the fact)"))
        if seq < link_seq:
            raise TamperingFound(seq, t("is stored but has no chain link (inserted after the fact)"))
        if seq > link_seq:
            raise TamperingFound(link_seq, t("is missing from the store (deleted)"))
        if int(k[1]) != prev_seq:
            if int(k[1]) > prev_seq:
                raise TamperingFound(int(k[1]), t("is missing from the store with its chain link (deleted)"))
            raise TamperingFound(seq, t("links to {value}, not to the event before it ({prev_seq})", value=k[1], prev_seq=prev_seq))
        if r is not None and r[0] < seq:
            raise TamperingFound(r[0], t("has derived-row digests recorded but no event (the event deleted, or the digests inserted after the fact)"))
        rows, entries = (e[5], e[6]) if len(e) > 5 else (b"", ())
        if r is not None and r[0] == seq:
            rows, entries, r = r[1], r[2], next(sets, None)
        state = e[4]
        covered = event_bytes(seq, e[1], e[2], e[3], state)
        digest = h(prev_digest + covered + rows).digest()
        if digest != bytes(k[2]):
            if rows:
                raise TamperingFound(seq, t("does not match its recorded hash (the event, or the derived-row digests recorded with it, edited, moved or reordered)"))
            raise TamperingFound(seq, t("does not match its recorded hash (edited, moved or reordered)"))
        yield Link(seq, prev_seq, digest, e[1] if isinstance(e[1], str) else e[1].hex, e[2], e[3], bytes(state), covered, rows, entries)
        prev_seq, prev_digest = seq, digest
        e = next(events, None)
        k = next(chain, None)
    if r is not None:
        raise TamperingFound(r[0], t("has derived-row digests recorded but no event (the event deleted, or the digests inserted after the fact)"))


def walk_store(cursor_events: Any, cursor_chain: Any, *, algorithm: str, style: str = "?", position: str = "rowid", table: str = "stored_events", batch: int = BATCH, cursor_rows: Any = None) -> Iterator[Link]:
    """`walk` over a store: two cursors (one per stream), read raw in pages; a third for the derived-row digests, if the store keeps them."""
    events = _pages(cursor_events, EVENTS_PAGE.format(pos=position, table=table), style, batch)
    chain = _pages(cursor_chain, CHAIN_PAGE, style, batch)
    sets = _row_set_stream(cursor_rows, style, hasher(algorithm), batch) if cursor_rows is not None else None
    return walk(events, chain, algorithm, row_sets=sets)


def summarise(links: Iterator[Link], algorithm: str, *, watch: int | None = None) -> tuple[ChainSummary, bytes | None]:
    """Consume verified links; also return the digest at sequence number `watch`."""
    summary = ChainSummary(algorithm)
    seen: bytes | None = None
    count = 0
    link = None
    for link in links:
        count += 1
        if watch is not None and link.seq == watch:
            seen = link.digest
    if link is not None:
        summary.head_seq, summary.head_digest = link.seq, link.digest
    summary.count = count
    return summary, seen


# -- the one streaming pass --------------------------------------------------------------

FAST_PAGE = 20_000  # events per page: memory stays flat (as the careful pass, ledger.chain.BATCH)
LOWEST = -(2**63)  # keyset pages start below any position a row can have (an insider may insert at 0 or below)


class _Differs(Exception):
    """The fast pass met something it does not vouch for: the careful pass names it."""


@dataclass
class _Pass:
    count: int = 0
    head_seq: int = 0
    head_digest: bytes = GENESIS
    tree_size: int = 0
    tree_root: bytes = b""
    recorded: list[tuple[int, bytes]] = field(default_factory=list)  # (sequence number, state) of Checkpoint.Recorded events
    positions: Any = None  # array of every event's sequence number, in order: leaf index i is positions[i]
    topics: set[Any] = field(default_factory=set)  # every distinct topic met (each must be one of the ledger's events)


class _Recompute:
    """The chain links, leaves and tree nodes recomputed over events in log order, a page of rows at a time.

    Per event: one pass over the covered bytes for the chain and one for the
    leaf, and on average one node hash (a stack of pending subtree roots). What
    it carries from page to page: the last link, the tree's size and pending
    roots. `top`: the highest level it climbs to (a slice's unit); None, to the top.
    """

    def __init__(self, algorithm: str, top: int | None = None) -> None:
        from ledger.checkpoint import RECORDED_TOPIC
        from ledger.merkle import LEAF, NODE

        self.h = hasher(algorithm)
        self.top = 64 if top is None else top  # no tree of 2**64 leaves
        self.leaf, self.node, self.recorded_topic = LEAF, NODE, RECORDED_TOPIC
        self.prev_seq, self.prev_digest = 0, GENESIS
        self.size = 0  # leaves so far: the next leaf's index
        self.stack: list[bytes] = []  # roots of the pending complete subtrees, the lowest level last
        self.recorded: list[tuple[int, bytes]] = []  # (sequence number, state) of Checkpoint.Recorded events
        self.topics: dict[Any, bytes] = {}
        self.ids: dict[Any, bytes] = {}

    def page(self, rows: Sequence[tuple[Any, ...]], sets: dict[int, bytes] | None = None) -> tuple[list[tuple[int, int, bytes]], list[tuple[int, int, bytes]]]:
        """(links, made) for rows of (seq, originator_id, version, topic, state): each row's (seq, prev, digest),
        and (level, idx, hash) of every leaf and node in the order the ledger appends them. `sets`: R(n) of the
        derived-row digests recorded in these rows' range, each of which must be an event's. _Differs on a row
        it cannot vouch for (a value of another type, a bad ID)."""
        h, leaf, node_prefix, recorded_topic, top = self.h, self.leaf, self.node, self.recorded_topic, self.top
        pack_head = _HEAD.pack
        pack_len = _U32.pack
        topics, ids = self.topics, self.ids
        topics_get, ids_get = topics.get, ids.get
        push, pop = self.stack.append, self.stack.pop
        add_recorded = self.recorded.append
        prev_seq, prev_digest, size = self.prev_seq, self.prev_digest, self.size
        links: list[tuple[int, int, bytes]] = []
        made: list[tuple[int, int, bytes]] = []
        add_link, add_made = links.append, made.append
        used = 0
        try:
            for seq, oid, version, topic, state in rows:
                topic_bytes = topics_get(topic)
                if topic_bytes is None:
                    if type(topic) is not str:
                        raise _Differs
                    topic_bytes = topics[topic] = topic.encode("utf-8")
                oid_bytes = ids_get(oid)
                if oid_bytes is None:
                    oid_bytes = ids[oid] = _canonical_id(seq, oid)
                covered = pack_head(seq, oid_bytes, version, len(topic_bytes)) + topic_bytes + pack_len(len(state)) + state
                if sets and seq in sets:
                    prev_digest = h(prev_digest + covered + sets[seq]).digest()
                    used += 1
                else:
                    prev_digest = h(prev_digest + covered).digest()
                add_link((seq, prev_seq, prev_digest))
                prev_seq = seq
                if topic == recorded_topic:
                    add_recorded((seq, bytes(state)))
                node = h(leaf + covered).digest()
                add_made((0, size, node))
                if size & 1:  # this leaf completes one or more subtrees
                    index, level = size, 0
                    while index & 1 and level < top:
                        node = h(node_prefix + pop() + node).digest()
                        index >>= 1
                        level += 1
                        add_made((level, index, node))
                push(node)
                size += 1
        except (TypeError, ValueError, OverflowError, struct.error, TamperingFound):
            raise _Differs from None
        if sets and used != len(sets):  # a row set recorded where no event is
            raise _Differs
        self.prev_seq, self.prev_digest, self.size = prev_seq, prev_digest, size
        return links, made


_HEAD = struct.Struct(">Q16sQI")  # seq, originator_id, version, len(topic): as event_bytes
CHAIN_RANGE = "SELECT seq, prev, digest FROM ledger_chain WHERE seq > ? AND seq <= ? ORDER BY seq"
NODES_OF_LEVEL = "SELECT level, idx, hash FROM ledger_merkle WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx"


def _compare_links(cursor: Any, style: str, after: int, last: int, links: list[tuple[int, int, bytes]]) -> None:
    """The stored links after position `after` up to `last` are exactly these: else _Differs."""
    cursor.execute(sql(CHAIN_RANGE, style), (after, last))
    if cursor.fetchall() != links:
        raise _Differs


def _compare_nodes(cursor: Any, style: str, made: list[tuple[int, int, bytes]], first: int, size: int) -> None:
    """The stored leaves and nodes made from leaves first..size-1 are exactly these, level by level: else _Differs."""
    made.sort()  # by level, then index
    stored: list[Any] = []
    for level in range(made[-1][0] + 1):
        cursor.execute(sql(NODES_OF_LEVEL, style), (level, first >> level, size >> level))
        stored += cursor.fetchall()
    if stored != made:
        raise _Differs


def _row_sets_of(cursor: Any, style: str, h: Any, after: int, last: int) -> tuple[dict[int, bytes], int]:
    """read_row_sets for a fast pass: anything it cannot read is _Differs (the careful pass names it)."""
    try:
        return read_row_sets(cursor, style, h, after, last)
    except TamperingFound:
        raise _Differs from None


def _all_row_sets_used(cursor: Any, used: int) -> None:
    """Every recorded derived-row digest was in the range of the events checked: else _Differs."""
    cursor.execute("SELECT count(*) FROM ledger_row_digests")
    if cursor.fetchone()[0] != used:
        raise _Differs


def fast_pass(con: Any, algorithm: str, style: str, position: str, tree_stored: bool, table: str = "stored_events", progress: Any = None, rows_stored: bool = False) -> _Pass:
    """Recompute chain links, leaf hashes and the tree in one streaming pass (_Recompute), comparing stored rows in bulk.

    The stored links of a page are compared as one list, each level's stored nodes
    as one concatenation. Raises _Differs on anything it cannot vouch for: the
    careful pass (`walk` and `TreeCheck`) then names it exactly.
    `progress(done, total)`, if given, is told after each page (total: the highest position).
    """
    from array import array
    from operator import itemgetter

    events_sql = sql(EVENTS_PAGE.format(pos=position, table=table), style)
    # SQLite: the ledger appends nodes in the order _Recompute makes them, so they are compared in stored order.
    nodes_sql = "SELECT level, idx, hash FROM ledger_merkle WHERE rowid > ? ORDER BY rowid LIMIT ?"
    nodes_last = "SELECT max(rowid) FROM (SELECT rowid FROM ledger_merkle WHERE rowid > ? ORDER BY rowid LIMIT ?)"
    events_cursor, other = con.cursor(), con.cursor()
    run = _Recompute(algorithm)
    positions = array("q")  # every event's sequence number, in order: leaf index i is positions[i]
    after = tree_after = LOWEST
    total = 0
    entries = 0  # derived-row digests met
    if progress is not None:
        other.execute(f"SELECT COALESCE(MAX({position}), 0) FROM {table}")
        total = int(other.fetchone()[0])
        progress(0, total)
    while True:
        events_cursor.execute(events_sql, (after, FAST_PAGE))
        rows = events_cursor.fetchall()
        if not rows:
            break
        first_size = run.size
        last = rows[-1][0] if len(rows) == FAST_PAGE else 2**63 - 1  # the last page: every digest recorded after it too
        sets, count = _row_sets_of(other, style, run.h, after, last) if rows_stored else ({}, 0)
        entries += count
        links, made = run.page(rows, sets)
        if rows[0][0] < 1:  # a row slipped in before the first event
            raise _Differs
        last = rows[-1][0]
        _compare_links(other, style, after, last, links)
        if tree_stored and style == "?":
            other.execute(nodes_sql, (tree_after, len(made)))
            if other.fetchall() != made:
                raise _Differs
            other.execute(nodes_last, (tree_after, len(made)))
            tree_after = other.fetchone()[0]
        elif tree_stored:
            _compare_nodes(other, style, made, first_size, run.size)
        positions.extend(map(itemgetter(0), rows))
        after = last
        if progress is not None:
            progress(run.size, total)
        if len(rows) < FAST_PAGE:
            break
    size, h = run.size, run.h
    if rows_stored:
        _all_row_sets_used(other, entries)
    # Nothing stored beyond what was recomputed: no later chain link, no extra tree node.
    other.execute(sql("SELECT 1 FROM ledger_chain WHERE seq > ? OR seq < 1 LIMIT 1", style), (run.prev_seq,))
    if other.fetchone() is not None:
        raise _Differs
    if tree_stored:
        other.execute("SELECT count(*) FROM ledger_merkle")
        expected = sum(size >> level for level in range(size.bit_length()))
        if other.fetchone()[0] != expected:
            raise _Differs
    root = None
    for node in reversed(run.stack):  # the lowest pending subtree is the rightmost
        root = node if root is None else h(run.node + node + root).digest()
    return _Pass(
        count=size, head_seq=run.prev_seq, head_digest=run.prev_digest, tree_size=size,
        tree_root=root if root is not None else h(b"").digest(), recorded=run.recorded, positions=positions, topics=set(run.topics),
    )


# -- the same pass split over processes (`audit --verify --jobs`) ----------------------------

# Slices start at multiples of 2**SLICE_BITS events: every tree node up to that level lies wholly
# inside one slice, so each worker checks its own; the parent makes the few nodes above.
SLICE_BITS = 14
PARALLEL_FROM = 50_000  # events: below this, starting processes costs more than it saves (as `replay`)


def default_jobs() -> int:
    """One process per idle CPU (as `replay --jobs`), at most 8: on a busy machine more processes only queue for the
    same CPUs (867,043 events at load 4.4 on 2 CPUs: 11.0 s with 2 processes, 6.6 s with one; bench/verify_chain.py)."""
    import os

    cpus = os.cpu_count() or 1
    try:
        busy = int(os.getloadavg()[0])  # whole CPUs kept busy by others (this process is not running yet)
    except OSError:  # no load average on this platform
        busy = 0
    return max(1, min(cpus - busy, 8))


@dataclass
class _Slice:
    count: int = 0
    head_seq: int = 0
    head_digest: bytes = GENESIS
    roots: list[bytes] = field(default_factory=list)  # the root of each whole unit (2**bits events), in order
    pending: list[bytes] = field(default_factory=list)  # a last, partial unit's pending subtree roots, the lowest last
    recorded: list[tuple[int, bytes]] = field(default_factory=list)
    row_entries: int = 0  # derived-row digests met in the share's ranges
    topics: set[Any] = field(default_factory=set)


def slice_pass(con: Any, algorithm: str, style: str, position: str, tree_stored: bool, units: Sequence[tuple[int, int, int, int]], bits: int, table: str = "stored_events", checked: Any = None, rows_stored: bool = False) -> _Slice:
    """The pass of fast_pass (_Recompute) over some units of the log: (first leaf index, events, position before them, last position).

    Each unit starts at a multiple of 2**bits events. Its first link is checked
    against the stored link before it (each stored link must equal H(stored link
    before it ‖ event), so checking every link from its stored predecessor proves
    the chain whole); its leaves and the tree nodes up to level `bits` inside it
    are recomputed and compared with the stored rows. Raises _Differs on
    anything it does not vouch for: the parent then runs the careful check.
    `checked`, a shared counter, is added each unit's events once checked (the parent shows it as progress).
    """
    events_sql = sql(f"SELECT {position}, originator_id, originator_version, topic, state FROM {table} WHERE {position} > ? AND {position} <= ? ORDER BY {position}", style)
    events_cursor, other = con.cursor(), con.cursor()
    run = _Recompute(algorithm, top=bits)  # the climb stops at the unit's root
    result = _Slice(recorded=run.recorded)
    for n, (first, count, after, last) in enumerate(units):
        if n == 0 and first > 0:  # the stored link before the slice: checked by the slice before
            other.execute(sql("SELECT digest FROM ledger_chain WHERE seq = ?", style), (after,))
            found = other.fetchall()
            if len(found) != 1 or not isinstance(found[0][0], bytes) or len(found[0][0]) != DIGEST_SIZE:
                raise _Differs
            run.prev_seq, run.prev_digest = after, found[0][0]
        events_cursor.execute(events_sql, (after, last))
        rows = events_cursor.fetchall()
        if len(rows) != count or (first == 0 and rows[0][0] < 1):
            raise _Differs
        run.size, run.stack = first, []
        sets, entries = _row_sets_of(other, style, run.h, after, last) if rows_stored else ({}, 0)
        result.row_entries += entries
        links, made = run.page(rows, sets)
        _compare_links(other, style, after, last, links)
        if tree_stored:
            _compare_nodes(other, style, made, first, run.size)
        if count == 1 << bits:
            result.roots.append(run.stack[0])
        else:
            result.pending = run.stack
        result.count += count
        if checked is not None:
            checked.value += count
    result.head_seq, result.head_digest = run.prev_seq, run.prev_digest
    result.topics = set(run.topics)
    return result
