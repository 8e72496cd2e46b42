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
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from ledger.chain import ChainSummary, Link, _Differs, _Pass, fast_pass, recorded_algorithm, walk_store
from ledger.errors import StoreError, TamperingFound
from ledger.messages import t

if TYPE_CHECKING:
    from ledger.schema import StoreSchema


@contextmanager
def snapshot(path: str) -> Iterator[Any]:
    """A read-only connection in one read transaction (SQLite file or PostgreSQL URL)."""
    from ledger.store import is_url

    if is_url(path):
        with pg_snapshot(path) as con:
            yield con
        return
    if not Path(path).is_file():
        raise StoreError(t("no ledger store at {path}: run `ledger init` first", path=path))
    from ledger.store import connect_read_only

    try:
        con, _ = connect_read_only(path, isolation_level=None)
    except sqlite3.OperationalError as e:  # permissions, a folder in its place: not evidence of tampering
        raise StoreError(t("the store {path} cannot be opened ({e})", path=path, e=e)) from None
    except sqlite3.Error as e:
        raise TamperingFound(t("the store file {path} is damaged or truncated ({e})", path=path, e=e)) from None
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
        raise StoreError(t("cannot use the PostgreSQL store {location}: {pg_error_line}", location=location, pg_error_line=pg_error_line(e))) from None
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

    def check(
        self,
        digests_at: Callable[[list[int]], dict[int, bytes]],
        ledger_id: str,
        algorithm: str,
        trusted: bytes | None,
        *,
        trees_at: Callable[[list[int]], dict[int, tuple[int, bytes]]] | None = None,
        tree_stored: bool = True,
    ) -> int:
        """Raise TamperingFound naming the first checkpoint the history no longer matches; the number checked."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        from ledger.checkpoint import fingerprint, from_recorded

        parsed = []
        for event_seq, state in self.found:
            try:
                cp = from_recorded(state)
            except (ValueError, KeyError, TypeError) as e:
                raise TamperingFound(event_seq, t("is a recorded checkpoint that cannot be read ({e})", e=e)) from None
            except Exception as e:  # noqa: BLE001 - e.g. ConfigError from a garbled key
                raise TamperingFound(event_seq, t("is a recorded checkpoint that cannot be read ({e})", e=e)) from None
            try:
                Ed25519PublicKey.from_public_bytes(cp.public_key).verify(cp.signature, cp.message())
            except (InvalidSignature, ValueError):
                raise TamperingFound(event_seq, t("is a recorded checkpoint whose signature does not match its contents")) from None
            if trusted is not None and cp.public_key != trusted:
                raise TamperingFound(
                    event_seq, t("is a checkpoint signed by key {fingerprint}, not by this ledger's key {fingerprint2}", fingerprint=fingerprint(cp.public_key), fingerprint2=fingerprint(trusted))
                )
            if cp.ledger != ledger_id or cp.hash != algorithm:
                raise TamperingFound(event_seq, t("is a checkpoint of ledger {ledger} ({hash}), not of this one", ledger=cp.ledger, hash=cp.hash))
            if not 0 <= cp.sequence < event_seq:
                raise TamperingFound(event_seq, t("is a checkpoint claiming events up to {sequence}, which it cannot cover", sequence=cp.sequence))
            parsed.append((event_seq, cp))
        signs_tree = [(event_seq, cp) for event_seq, cp in parsed if cp.tree_size is not None]
        if signs_tree and not tree_stored:
            event_seq, cp = signs_tree[0]
            raise TamperingFound(
                t("the checkpoint recorded as event {event_seq} (signed {time}) signs the Merkle tree of events up to {sequence}, but the store has no tree table (ledger_merkle): the tree was dropped", event_seq=event_seq, time=cp.time, sequence=cp.sequence)
            )
        digests = digests_at(sorted({cp.sequence for _, cp in parsed if cp.sequence}))
        trees = trees_at(sorted({cp.sequence for _, cp in signs_tree})) if trees_at is not None else {}
        matched = 0  # every event up to here is proven by a matching checkpoint
        for event_seq, cp in sorted(parsed, key=lambda pair: pair[1].sequence):
            if cp.sequence == 0:
                continue
            digest = digests.get(cp.sequence)
            first = matched + 1
            named = (
                f"first bad sequence number {first}{'' if first == cp.sequence else f' (or a later one up to {cp.sequence})'}: "
                f"the checkpoint recorded as event {event_seq} (signed {cp.time}) covers events up to {cp.sequence}"
            )
            if digest is None or digest.hex() != cp.head:
                where = f"event {cp.sequence}" if first == cp.sequence else f"events {first}..{cp.sequence}"
                raise TamperingFound(t("{named}, and the history differs from it in {where} (rewritten, links recomputed)", named=named, where=where))
            tree = trees.get(cp.sequence)
            if cp.tree_size is not None and tree is not None and (tree[0], tree[1].hex()) != (cp.tree_size, cp.tree_root):
                raise TamperingFound(
                    t("{named} and signs tree size {tree_size} root {tree_root}, but those events give tree size {value} root {hex} (the signed tree is not this history's)", named=named, tree_size=cp.tree_size, tree_root=cp.tree_root, value=tree[0], hex=tree[1].hex())
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


def verify_store(path: str, *, schema: StoreSchema, watch: int | None = None, trusted: bytes | None = None, also_at: Iterable[int] = (), jobs: int | None = 1, progress: Any = None) -> tuple[ChainSummary, bytes | None]:
    """Recompute the whole chain and the tree, and check every checkpoint recorded in the store.

    `schema` is what `ledger init` makes (from the composition root): anything
    else in the store's catalog, or anything of it missing or altered, is tampering.

    Returns the summary and the digest at sequence number `watch`; in
    `summary.digests_at` and `summary.trees_at` the digests and tree heads
    (size, root) at `also_at`, from the same snapshot. `trusted` is the
    ledger's public key if the verifier has one: recorded checkpoints must
    then be signed by it. `jobs` processes share the fast pass (None: one per
    CPU on a large ledger); whatever it is, anything found is named by the
    same careful check, so the result and the message do not depend on it.
    `progress(done, total)`, if given, is told how many events are checked, a page at a time.
    """
    from ledger.store import is_url

    if is_url(path):
        return _verify_postgres(path, schema, watch, trusted, also_at, jobs, progress)
    try:
        with snapshot(path) as con:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "ledger_chain" not in tables:
                if {"stored_events", "ledger_meta"} <= tables:
                    raise TamperingFound(t("the store {path} has no hash chain table (ledger_chain): dropped, or made before the chain existed", path=path))
                raise StoreError(t("{path} is not an initialised ledger store: run `ledger init`", path=path))
            algorithm = recorded_algorithm(con.cursor())
            tree_stored = "ledger_merkle" in tables
            rows_stored = _rows_stored("ledger_row_digests" in tables, con, path)
            try:
                found = _pass(path, con, algorithm, "?", "rowid", tree_stored, jobs, progress, rows_stored)
            except (_Differs, sqlite3.DatabaseError):
                found = _careful(con, algorithm, "?", "rowid", tree_stored, path, rows_stored)
            concluded = _conclude(con, "?", "rowid", algorithm, found, tree_stored, watch, trusted, also_at)
            from ledger.schema import check_sqlite_schema

            check_sqlite_schema(con, path, schema)  # after the chain: a dropped chain or tree table is named as such
            return concluded
    except sqlite3.DatabaseError as e:
        raise TamperingFound(t("the store file {path} is damaged or truncated ({e})", path=path, e=e)) from None


def _rows_stored(present: bool, con: Any, where: str) -> bool:
    """Whether the store keeps derived-row digests; a store of the current schema without the table had it dropped."""
    from ledger.schema import _current

    if not present and _current(con):
        raise TamperingFound(t("the store {where} has no derived-row digest table (ledger_row_digests) although it is of the current schema: the table was dropped", where=where))
    return present


def _pass(path: str, con: Any, algorithm: str, style: str, position: str, tree_stored: bool, jobs: int | None, progress: Any = None, rows_stored: bool = False) -> _Pass:
    """The fast pass, in this process or shared by `jobs` forked ones (raises _Differs as fast_pass does)."""
    from ledger.chain import PARALLEL_FROM, default_jobs

    if jobs is None:
        cursor = con.cursor()
        cursor.execute(f"SELECT COALESCE(MAX({position}), 0) FROM stored_events")
        jobs = default_jobs() if int(cursor.fetchone()[0]) >= PARALLEL_FROM else 1
    if jobs > 1:
        return _parallel_pass(path, con, algorithm, style, position, tree_stored, jobs, progress, rows_stored)
    return fast_pass(con, algorithm, style, position, tree_stored, progress=progress, rows_stored=rows_stored)


def _parallel_pass(path: str, con: Any, algorithm: str, style: str, position: str, tree_stored: bool, jobs: int, progress: Any = None, rows_stored: bool = False) -> _Pass:
    """The fast pass split at multiples of 2**SLICE_BITS events, each share checked by a forked process.

    Each worker opens its own read-only snapshot and checks its units against
    the stored link before them (`ledger.chain.slice_pass`); this process then
    makes and compares the tree nodes above the units, checks that nothing is
    stored beyond, and folds the root. Any difference anywhere: _Differs, and
    the caller's careful check names the first bad event in log order.
    """
    from array import array

    import ledger.chain as chain
    from ledger.merkle import NODE

    bits = chain.SLICE_BITS
    cursor = con.cursor()
    cursor.execute(f"SELECT {position} FROM stored_events ORDER BY {position}")
    positions = array("q", (row[0] for row in cursor.fetchall()))
    size = len(positions)
    unit = 1 << bits
    units = [(first, min(unit, size - first), positions[first - 1] if first else chain.LOWEST, positions[min(first + unit, size) - 1]) for first in range(0, size, unit)]
    jobs = min(jobs, len(units))
    if jobs < 2:
        return fast_pass(con, algorithm, style, position, tree_stored, progress=progress, rows_stored=rows_stored)
    shares = [units[k * len(units) // jobs : (k + 1) * len(units) // jobs] for k in range(jobs)]
    slices = _run_slices(path, algorithm, style, position, tree_stored, shares, bits, progress, size, rows_stored)
    h = chain.hasher(algorithm)
    result = _Pass(positions=positions)
    stack: list[bytes] = []  # roots of the pending complete subtrees above the units, the lowest last
    made: list[tuple[int, int, bytes]] = []
    k = 0
    for part in slices:
        result.recorded += part.recorded
        result.topics |= part.topics
        result.count += part.count
        for node in part.roots:
            index, level = k, bits
            while index & 1:
                node = h(NODE + stack.pop() + node).digest()
                index >>= 1
                level += 1
                made.append((level, index, node))
            stack.append(node)
            k += 1
    last = slices[-1]
    result.head_seq, result.head_digest = last.head_seq, last.head_digest
    if result.count != size:
        raise _Differs
    other = con.cursor()
    if rows_stored:
        chain._all_row_sets_used(other, sum(part.row_entries for part in slices))
    other.execute(chain.sql("SELECT 1 FROM ledger_chain WHERE seq > ? OR seq < 1 LIMIT 1", style), (result.head_seq,))
    if other.fetchone() is not None:
        raise _Differs
    if tree_stored:
        other.execute(chain.sql("SELECT level, idx, hash FROM ledger_merkle WHERE level > ? ORDER BY level, idx", style), (bits,))
        if other.fetchall() != sorted(made):
            raise _Differs
        other.execute("SELECT count(*) FROM ledger_merkle")
        if other.fetchone()[0] != sum(size >> level for level in range(size.bit_length())):
            raise _Differs
    root = None
    for node in reversed(stack + last.pending):  # the lowest pending subtree is the rightmost
        root = node if root is None else h(NODE + node + root).digest()
    result.tree_size, result.tree_root = size, root if root is not None else h(b"").digest()
    return result


def _run_slices(path: str, algorithm: str, style: str, position: str, tree_stored: bool, shares: list[Any], bits: int, progress: Any = None, size: int = 0, rows_stored: bool = False) -> list[Any]:
    """Each share's slice_pass in a forked process of its own, in order; _Differs if any did not vouch for its share.

    With `progress`, the workers add the events they have checked to a shared counter the parent reports while it waits."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    checked = context.Value("q", 0, lock=False) if progress is not None else None
    if progress is not None:
        progress(0, size)
    workers = []
    for share in shares:
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_slice_in_worker, args=(path, algorithm, style, position, tree_stored, share, bits, sender, checked, rows_stored), daemon=True)
        process.start()
        sender.close()
        workers.append((process, receiver))
    results, vouched = [], True
    for process, receiver in workers:
        try:
            while checked is not None and not receiver.poll(0.2):
                progress(checked.value, size)
            outcome, value = receiver.recv()
        except EOFError:  # the worker died without a word
            outcome, value = "differs", None
        receiver.close()
        process.join()
        vouched = vouched and outcome == "ok"
        results.append(value)
    if not vouched:
        raise _Differs
    return results


def _slice_in_worker(path: str, algorithm: str, style: str, position: str, tree_stored: bool, share: Any, bits: int, sender: Any, checked: Any = None, rows_stored: bool = False) -> None:
    from ledger.chain import slice_pass

    try:
        with snapshot(path) as con:
            sender.send(("ok", slice_pass(con, algorithm, style, position, tree_stored, share, bits, checked=checked, rows_stored=rows_stored)))
    except BaseException:  # noqa: BLE001 - whatever it is, the parent's careful check names it
        sender.send(("differs", None))
    finally:
        sender.close()


def _careful(con: Any, algorithm: str, style: str, position: str, tree_stored: bool, where: str, rows_stored: bool = False) -> _Pass:
    """The reference check, event by event: run when the fast pass meets anything it does not vouch for.

    It names the first bad event or tree node (TamperingFound). If it finds
    nothing, the store is sound but not laid out as the ledger writes it (for
    instance tree rows re-inserted in another order): its result stands.
    """
    from array import array

    from ledger.checkpoint import RECORDED_TOPIC
    from ledger.merkle import TreeCheck, checked

    found = _Pass(positions=array("q"))
    links = walk_store(con.cursor(), con.cursor(), algorithm=algorithm, style=style, position=position, cursor_rows=con.cursor() if rows_stored else None)
    check = TreeCheck(con.cursor() if tree_stored else None, algorithm, style)
    heads: list[tuple[int, bytes]] = []
    try:
        for link in checked(links, check, lambda size, root, _: heads.append((size, root))):
            found.count += 1
            found.head_seq, found.head_digest = link.seq, link.digest
            found.positions.append(link.seq)
            found.topics.add(link.topic)
            if link.topic == RECORDED_TOPIC:
                found.recorded.append((link.seq, link.state))
    except sqlite3.DatabaseError as e:
        raise TamperingFound(t("the store file {where} is damaged or truncated after sequence number {head_seq} ({e})", where=where, head_seq=found.head_seq, e=e)) from None
    found.tree_size, found.tree_root = heads[-1]
    return found


def _conclude(con: Any, style: str, position: str, algorithm: str, found: _Pass, tree_stored: bool, watch: int | None, trusted: bytes | None, also_at: Iterable[int]) -> tuple[ChainSummary, bytes | None]:
    """After the pass: every topic one of the ledger's events, the tree where the metadata says, the recorded checkpoints match, and the heads asked for."""
    _check_topics(con, style, position, found.topics)
    meta = ledger_meta(con)
    if not tree_stored and meta.get("merkle_tree"):
        raise TamperingFound(
            t("the store's Merkle tree table (ledger_merkle) is gone although the store's metadata says it has one (ledger_meta merkle_tree = {merkle_tree}): the tree was dropped", merkle_tree=meta['merkle_tree'])
        )
    trees = _tree_heads(con, style, position, algorithm, found, tree_stored)
    summary = ChainSummary(algorithm, found.count, found.head_seq, found.head_digest)
    summary.tree_size, summary.tree_root = found.tree_size, found.tree_root
    recorded = RecordedCheckpoints()
    recorded.found = found.recorded
    summary.checkpoints = recorded.check(_chain_digests(con, style), meta.get("ledger_id", ""), algorithm, trusted, trees_at=trees, tree_stored=tree_stored)
    wanted = sorted(set(also_at) | ({watch} if watch is not None else set()))
    summary.digests_at = _chain_digests(con, style)(wanted)
    summary.trees_at = trees(wanted)
    if watch is not None:
        summary.tree_at = summary.trees_at.get(watch)
    return summary, summary.digests_at.get(watch) if watch is not None else None


def _check_topics(con: Any, style: str, position: str, topics: set[Any]) -> None:
    """TamperingFound naming the first event whose topic is not one of the ledger's event classes (nothing is imported)."""
    from ledger.topics import event_topics

    known = event_topics()
    foreign = sorted(str(topic) for topic in topics if topic not in known)
    if not foreign:
        return
    cursor = con.cursor()
    cursor.execute(f"SELECT min({position}) FROM stored_events WHERE topic = {style}", (foreign[0],))
    seq = cursor.fetchone()[0]
    raise TamperingFound(seq or 0, t("has the topic {topic}, which is not one of the ledger's event classes", topic=repr(foreign[0][:200])))


def _tree_heads(con: Any, style: str, position: str, algorithm: str, found: _Pass, tree_stored: bool) -> Callable[[list[int]], dict[int, tuple[int, bytes]]]:
    """(size, root) of the tree at each sequence number asked for, from the verified stored tree (else recomputed)."""
    from bisect import bisect_right

    from ledger.merkle import StoredTree, recomputed_roots

    def lookup(seqs: list[int]) -> dict[int, tuple[int, bytes]]:
        sizes = {seq: bisect_right(found.positions, seq) for seq in seqs if seq >= 0}
        if not sizes:
            return {}
        if tree_stored:
            tree = StoredTree(con.cursor(), style, algorithm)
            return {seq: (size, tree.root(size)) for seq, size in sizes.items()}
        roots = recomputed_roots(con.cursor(), style, algorithm, set(sizes.values()), position=position)
        return {seq: (size, roots[size]) for seq, size in sizes.items()}

    return lookup


def check_checkpoint(summary: ChainSummary, digest_at: bytes | None, cp: Any, ledger_id: str) -> str:
    """Raise TamperingFound unless the verified chain still holds the history `cp` covered."""
    if cp.ledger != ledger_id:
        raise TamperingFound(t("the checkpoint is for ledger {ledger}, but this is ledger {ledger_id}", ledger=cp.ledger, ledger_id=ledger_id))
    if cp.hash != summary.algorithm:
        raise TamperingFound(t("the checkpoint uses {hash}, but this ledger's chain uses {algorithm}", hash=cp.hash, algorithm=summary.algorithm))
    if cp.sequence > summary.head_seq:
        raise TamperingFound(
            t("the checkpoint covers events up to {sequence}, but the ledger now ends at {head_seq} (history truncated)", sequence=cp.sequence, head_seq=summary.head_seq)
        )
    if cp.sequence == 0:
        return t("checkpoint of an empty ledger")
    if digest_at is None:
        raise TamperingFound(t("first bad sequence number {sequence}: the event the checkpoint covered is no longer in the ledger", sequence=cp.sequence))
    if digest_at.hex() != cp.head:
        raise TamperingFound(
            t("history up to sequence number {sequence} differs from the checkpoint of {time} (rewritten since)", sequence=cp.sequence, time=cp.time)
        )
    head = summary.trees_at.get(cp.sequence) if getattr(cp, "tree_size", None) is not None else None
    if head is not None:
        size, root = head
        if (size, root.hex()) != (cp.tree_size, cp.tree_root):
            raise TamperingFound(
                t("the checkpoint of {time} signs tree size {tree_size} root {tree_root}, but the events up to {sequence} give tree size {size} root {hex}", time=cp.time, tree_size=cp.tree_size, tree_root=cp.tree_root, sequence=cp.sequence, size=size, hex=root.hex())
            )
    return t("holds the history of the checkpoint of {time} (events up to {sequence})", time=cp.time, sequence=cp.sequence)


# The column types the ledger creates on PostgreSQL: a column re-typed (say originator_id as text, so that
# 32 hex digits hash like the UUID while the application no longer finds the events) is tampering.
# (Other columns re-typed are caught value by value: a text state is not bytes, and so on.)
PG_COLUMN_TYPES = {"originator_id": "uuid"}


def _check_column_types(con: Any) -> None:
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'stored_events' AND table_schema = current_schema()"
    ).fetchall()
    found = {str(name): str(kind) for name, kind in rows}
    for column, kind in PG_COLUMN_TYPES.items():
        if column in found and found[column] != kind:
            first = con.execute("SELECT min(notification_id) FROM stored_events").fetchone()[0]
            raise TamperingFound(first or 0, t("is stored in a column re-typed: stored_events.{column} is {value}, not {kind} as the ledger creates it", column=column, value=found[column], kind=kind))


def _verify_postgres(url: str, schema: StoreSchema, watch: int | None, trusted: bytes | None, also_at: Iterable[int], jobs: int | None = 1, progress: Any = None) -> tuple[ChainSummary, bytes | None]:
    import psycopg

    from ledger.schema import has_table

    with pg_snapshot(url) as con:
        try:
            if not has_table(con, "stored_events", postgres=True):
                raise StoreError(t("{url} is not an initialised ledger store: run `ledger init`", url=url))
            if not has_table(con, "ledger_chain", postgres=True):
                raise TamperingFound(t("the store {url} has no hash chain table (ledger_chain)", url=url))
            algorithm = recorded_algorithm(con.cursor())
            tree_stored = has_table(con, "ledger_merkle", postgres=True)
            rows_stored = _rows_stored(has_table(con, "ledger_row_digests", postgres=True), con, url)
            _check_column_types(con)
            try:
                passed = _pass(url, con, algorithm, "%s", "notification_id", tree_stored, jobs, progress, rows_stored)
            except _Differs:
                passed = _careful(con, algorithm, "%s", "notification_id", tree_stored, url, rows_stored)
            concluded = _conclude(con, "%s", "notification_id", algorithm, passed, tree_stored, watch, trusted, also_at)
            from ledger.schema import check_pg_schema

            check_pg_schema(con.cursor(), url, schema)  # after the chain: a dropped chain or tree table is named as such
            return concluded
        except psycopg.Error as e:
            raise StoreError(t("cannot read the PostgreSQL store: {e}", e=e)) from None
