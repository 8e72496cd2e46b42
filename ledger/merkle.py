"""The Merkle tree over the event log (RFC 6962 / RFC 9162 hashing).

The leaves are the stored events in global order (leaf index 0 is the first
event); a leaf's data is `ledger.chain.event_bytes` of its event, the same
bytes the hash chain covers. With H the ledger's hash algorithm (SHA-256 or
SM3, recorded at init):

    leaf hash   = H(0x00 ‖ event_bytes)
    node hash   = H(0x01 ‖ left ‖ right)
    MTH({})     = H()                           the empty tree
    MTH(D[n])   = H(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n]))   k the largest power of 2 < n

Every complete subtree is stored once, when its last leaf arrives, in
`ledger_merkle(level, idx, hash)`: the node at `level` L and index `idx` i
covers leaves [i·2^L, (i+1)·2^L). Level 0 holds the leaf hashes. The rows are
written in the same transaction as the events, so the root of any earlier
size and every proof are a few lookups away (at most two rows per event).

Proofs are RFC 6962 §2.1.1 (inclusion, "audit path") and §2.1.2
(consistency), verified as in RFC 9162 §2.1.3.2 and §2.1.4.2.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Sequence

from ledger.chain import RECORDED_ALGORITHM, algorithm_named, event_bytes, hasher, insert_rows, recorded_algorithm, sql
from ledger.errors import StoreError, TamperingFound
from ledger.messages import t, tn

MERKLE_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS ledger_merkle (
        level INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        hash BLOB NOT NULL,
        PRIMARY KEY (level, idx)
    )""",
]

LEAF = b"\x00"
NODE = b"\x01"
PAGE = 20_000


def leaf_hash(h: Callable[[bytes], Any], data: bytes) -> bytes:
    return h(LEAF + data).digest()


def node_hash(h: Callable[[bytes], Any], left: bytes, right: bytes) -> bytes:
    return h(NODE + left + right).digest()


def event_leaf(h: Callable[[bytes], Any], seq: int, originator_id: Any, version: int, topic: Any, state: Any) -> bytes:
    return leaf_hash(h, event_bytes(seq, originator_id, version, topic, state))


def largest_power_below(n: int) -> int:
    """The largest power of 2 strictly smaller than n (n ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


class Frontier:
    """The right edge of a growing tree: one pending left subtree per set bit of the size.

    `add` returns the nodes completed by a new leaf, (level, idx, hash), the
    leaf first; nodes of each level come out in index order.
    """

    def __init__(self, h: Callable[[bytes], Any], size: int = 0, pending: dict[int, bytes] | None = None):
        self.h = h
        self.size = size
        self.pending = dict(pending or {})

    def add(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        h, index, level = leaf, self.size, 0
        done = [(0, index, leaf)]
        while index & 1:
            h = node_hash(self.h, self.pending.pop(level), h)
            index >>= 1
            level += 1
            done.append((level, index, h))
        self.pending[level] = h
        self.size += 1
        return done

    def root(self) -> bytes:
        result: bytes | None = None
        for level in sorted(self.pending):
            result = self.pending[level] if result is None else node_hash(self.h, self.pending[level], result)
        return result if result is not None else self.h(b"").digest()


# -- written in the insert transaction ---------------------------------------------


_LAST_LEAF = "SELECT MAX(idx) FROM ledger_merkle WHERE level = 0"


def _size_after(last_leaf: Any) -> int:
    """The tree's size from the index of its last leaf (None: no leaf yet)."""
    return 0 if last_leaf is None else int(last_leaf) + 1


def stored_size(cursor: Any) -> int:
    cursor.execute(_LAST_LEAF)
    row = cursor.fetchone()
    return _size_after(None if row is None else row[0])


def _missing_node(level: int, idx: int) -> TamperingFound:
    return TamperingFound(t("the Merkle tree (ledger_merkle) lacks node level {level} index {idx}", level=level, idx=idx))


def _node(cursor: Any, style: str, level: int, idx: int) -> bytes:
    cursor.execute(sql("SELECT hash FROM ledger_merkle WHERE level = ? AND idx = ?", style), (level, idx))
    row = cursor.fetchone()
    if row is None:
        raise _missing_node(level, idx)
    return bytes(row[0])


def load_frontier(cursor: Any, style: str, h: Callable[[bytes], Any], size: int) -> Frontier:
    # One query for the right edge (a node per set bit of the size): a round trip
    # each would be ~20 on a server store at a million events, on every write.
    wanted = {level: (size >> level) - 1 for level in range(size.bit_length()) if size >> level & 1}
    if not wanted:
        return Frontier(h, size, {})
    where = " OR ".join("(level = ? AND idx = ?)" for _ in wanted)
    cursor.execute(sql(f"SELECT level, idx, hash FROM ledger_merkle WHERE {where}", style), [v for pair in wanted.items() for v in pair])
    found = {(int(level), int(idx)): bytes(hash_) for level, idx, hash_ in cursor.fetchall()}
    pending = {}
    for level, idx in wanted.items():
        if (level, idx) not in found:
            raise _missing_node(level, idx)
        pending[level] = found[(level, idx)]
    return Frontier(h, size, pending)


def append_leaves(cursor: Any, stored_events: Sequence[Any], positions: Sequence[int], style: str = "?", *, position: str = "rowid", table: str = "stored_events") -> None:
    """Add newly inserted events to the tree, inside the inserting transaction (which holds the write lock)."""
    ordered = sorted(zip(stored_events, positions), key=lambda pair: pair[1])
    try:  # the algorithm and the size in one query (a round trip saved on a server store)
        cursor.execute(f"SELECT ({RECORDED_ALGORITHM}), ({_LAST_LEAF})")
        algorithm, last = cursor.fetchone()
        size = _size_after(last)
    except Exception as e:  # the store's own error type (sqlite3, psycopg)
        if "ledger_merkle" not in str(e):
            raise
        raise StoreError(t("the store was made before the Merkle tree: run `ledger init` to upgrade it")) from None
    if size == 0 and ordered:
        cursor.execute(sql(f"SELECT 1 FROM {table} WHERE {position} < ? LIMIT 1", style), (ordered[0][1],))
        if cursor.fetchone() is not None:
            raise StoreError(t("the store has events but no Merkle tree yet: run `ledger init` to upgrade it"))
    h = hasher(algorithm_named(algorithm))
    frontier = load_frontier(cursor, style, h, size)
    rows = []
    for stored, seq in ordered:
        leaf = event_leaf(h, seq, stored.originator_id, stored.originator_version, stored.topic, stored.state)
        rows.extend(frontier.add(leaf))
    insert_rows(cursor, "ledger_merkle", ("level", "idx", "hash"), rows, style)


def build_tree(cursor: Any, style: str = "?", *, position: str = "rowid", table: str = "stored_events") -> int:
    """Build the tree of a store that has events but no tree (an upgrade), in one pass; the number of leaves."""
    if stored_size(cursor) > 0:
        return 0
    h = hasher(recorded_algorithm(cursor))
    frontier = Frontier(h)
    after = -1
    while True:
        cursor.execute(
            sql(f"SELECT {position}, originator_id, originator_version, topic, state FROM {table} WHERE {position} > ? ORDER BY {position} LIMIT ?", style),
            (after, PAGE),
        )
        events = cursor.fetchall()
        if not events:
            break
        rows = []
        for seq, oid, version, topic, state in events:
            rows.extend(frontier.add(event_leaf(h, int(seq), oid, int(version), topic, state)))
        insert_rows(cursor, "ledger_merkle", ("level", "idx", "hash"), rows, style)
        after = events[-1][0]
    return frontier.size


def recomputed_roots(cursor: Any, style: str, algorithm: str, sizes: set[int], *, position: str = "rowid", table: str = "stored_events") -> dict[int, bytes]:
    """MTH of the first `size` events for each size, recomputed from the events (a store without its tree)."""
    h = hasher(algorithm)
    frontier = Frontier(h)
    roots = {0: h(b"").digest()} if 0 in sizes else {}
    biggest, after = max(sizes, default=0), -(2**63)
    while frontier.size < biggest:
        cursor.execute(sql(f"SELECT {position}, originator_id, originator_version, topic, state FROM {table} WHERE {position} > ? ORDER BY {position} LIMIT ?", style), (after, PAGE))
        events = cursor.fetchall()
        if not events:
            break
        for seq, oid, version, topic, state in events:
            frontier.add(event_leaf(h, int(seq), oid, int(version), topic, bytes(state)))
            if frontier.size in sizes:
                roots[frontier.size] = frontier.root()
        after = events[-1][0]
    return roots


# -- reading: roots and proofs from the stored nodes ---------------------------------


class StoredTree:
    """Roots and proofs of any size up to the stored one, from a cursor."""

    def __init__(self, cursor: Any, style: str = "?", algorithm: str | None = None):
        self.cursor = cursor
        self.style = style
        self.algorithm = algorithm or recorded_algorithm(cursor)
        self.h = hasher(self.algorithm)
        self.size = stored_size(cursor)
        self._cache: dict[tuple[int, int], bytes] = {}

    def node(self, level: int, idx: int) -> bytes:
        key = (level, idx)
        if key not in self._cache:
            self._cache[key] = _node(self.cursor, self.style, level, idx)
        return self._cache[key]

    def mth(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) for end ≤ the stored size."""
        n = end - start
        if n == 0:
            return self.h(b"").digest()
        if n & (n - 1) == 0 and start % n == 0:
            return self.node(n.bit_length() - 1, start // n)
        k = largest_power_below(n)
        return node_hash(self.h, self.mth(start, start + k), self.mth(start + k, end))

    def _check_size(self, size: int) -> None:
        if size > self.size:
            raise StoreError(tn("the tree has {size} leaf, fewer than {size2}", "the tree has {size} leaves, fewer than {size2}", self.size, size=self.size, size2=size))

    def root(self, size: int) -> bytes:
        self._check_size(size)
        return self.mth(0, size)

    def inclusion(self, index: int, size: int) -> list[bytes]:
        """PATH(index, D[size]) of RFC 6962 §2.1.1, leaf's sibling first."""
        self._check_size(size)
        if not 0 <= index < size:
            raise StoreError(tn("leaf {index} is not in a tree of {size} leaf", "leaf {index} is not in a tree of {size} leaves", size, index=index, size=size))
        path: list[bytes] = []
        start, end = 0, size
        while end - start > 1:
            k = largest_power_below(end - start)
            if index - start < k:
                path.append(self.mth(start + k, end))
                end = start + k
            else:
                path.append(self.mth(start, start + k))
                start += k
        path.reverse()
        return path

    def consistency(self, old: int, new: int) -> list[bytes]:
        """PROOF(old, D[new]) of RFC 6962 §2.1.2."""
        self._check_size(new)
        if not 0 <= old <= new:
            raise StoreError(tn("a tree of {old} leaf cannot be a prefix of one of {new}", "a tree of {old} leaves cannot be a prefix of one of {new}", old, old=old, new=new))
        if old == 0 or old == new:
            return []
        proof: list[bytes] = []
        start, end, m, whole = 0, new, old, True
        while m != end - start:
            k = largest_power_below(end - start)
            if m <= k:
                proof.append(self.mth(start + k, end))
                end = start + k
            else:
                proof.append(self.mth(start, start + k))
                start += k
                m -= k
                whole = False
        if not whole:
            proof.append(self.mth(start, end))
        proof.reverse()
        return proof


# -- verification without the store ---------------------------------------------------


def root_from_inclusion(h: Callable[[bytes], Any], index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes | None:
    """RFC 9162 §2.1.3.2: the root the path leads to, or None if the path cannot be right."""
    if not 0 <= index < size or not _digests(h, [leaf, *path]):
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(h, p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(h, r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def verify_inclusion(h: Callable[[bytes], Any], index: int, size: int, leaf: bytes, path: Sequence[bytes], root: bytes) -> bool:
    return _digests(h, [root]) and root_from_inclusion(h, index, size, leaf, path) == root


def _digests(h: Callable[[bytes], Any], hashes: Sequence[Any]) -> bool:
    """Each one a digest of `h`'s length (32 bytes for SHA-256 and SM3): an empty or cut hash proves nothing."""
    size = len(h(b"").digest())
    return all(isinstance(x, bytes) and len(x) == size for x in hashes)


def verify_consistency(h: Callable[[bytes], Any], old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2, plus equal sizes; m = 0 is refused, as the RFC's reference verifiers do (nothing to prove)."""
    if not 0 < old <= new or not _digests(h, [old_root, new_root, *proof]):
        return False
    if old == new:
        return not proof and old_root == new_root
    path = list(proof)
    if old & (old - 1) == 0:
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(h, c, fr)
            sr = node_hash(h, c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(h, sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0


# -- checking the stored tree while the chain is verified ----------------------------


class TreeCheck:
    """Recompute the tree from verified events and compare every stored node, in one pass.

    Each level of `ledger_merkle` is read in index order on its own keyset
    pages; the recomputed nodes of a level come out in that same order.
    """

    def __init__(self, cursor: Any, algorithm: str, style: str = "?", *, watch: int | None = None):
        self.cursor = cursor
        self.style = style
        self.frontier = Frontier(hasher(algorithm))
        self.levels: dict[int, Iterator[tuple[int, bytes]]] = {}
        self.watch = watch
        self.at_watch: tuple[int, bytes] | None = (0, self.frontier.root()) if watch == 0 else None

    def _level(self, level: int) -> Iterator[tuple[int, bytes]]:
        after = -1
        statement = sql("SELECT idx, hash FROM ledger_merkle WHERE level = ? AND idx > ? ORDER BY idx LIMIT ?", self.style)
        while True:
            self.cursor.execute(statement, (level, after, PAGE))
            rows = self.cursor.fetchall()
            for idx, value in rows:
                yield int(idx), bytes(value)
            if len(rows) < PAGE:
                return
            after = rows[-1][0]

    def _stored(self, level: int) -> tuple[int, bytes] | None:
        stream = self.levels.get(level)
        if stream is None:
            stream = self.levels[level] = self._level(level)
        return next(stream, None)

    def add(self, seq: int, originator_id: Any, version: int, topic: Any, state: Any, covered: bytes = b"") -> None:
        h = self.frontier.h
        leaf = h(LEAF + covered).digest() if covered else event_leaf(h, seq, originator_id, version, topic, state)
        done = self.frontier.add(leaf)
        if self.cursor is None:  # a store made before the tree: recompute only
            done = []
        for level, idx, value in done:
            stream = self.levels.get(level)
            if stream is None:
                stream = self.levels[level] = self._level(level)
            stored = next(stream, None)
            if stored is None or stored[0] != idx:
                raise TamperingFound(t("the Merkle tree (ledger_merkle) lacks node level {level} index {idx} (event {seq}): the tree table was edited", level=level, idx=idx, seq=seq))
            if stored[1] != value:
                what = f"leaf {idx} (event {seq})" if level == 0 else f"node level {level} index {idx}"
                raise TamperingFound(t("the Merkle tree (ledger_merkle) {what} does not match the events: the tree table was edited", what=what))
        if self.watch is not None and seq == self.watch:
            self.at_watch = (self.frontier.size, self.frontier.root())

    def finish(self) -> tuple[int, bytes]:
        """After the last event: no stored node may be left over; (size, root)."""
        if self.cursor is None:
            return self.frontier.size, self.frontier.root()
        for level in range(max(self.frontier.size.bit_length(), 1) + 1):
            extra = self._stored(level)
            if extra is not None:
                raise TamperingFound(tn("the Merkle tree (ledger_merkle) has node level {level} index {value} beyond the {size} event: the tree table was edited", "the Merkle tree (ledger_merkle) has node level {level} index {value} beyond the {size} events: the tree table was edited", self.frontier.size, level=level, value=extra[0], size=self.frontier.size))
        self.cursor.execute(sql("SELECT level, idx FROM ledger_merkle WHERE level > ? LIMIT 1", self.style), (self.frontier.size.bit_length(),))
        row = self.cursor.fetchone()
        if row is not None:
            raise TamperingFound(tn("the Merkle tree (ledger_merkle) has node level {level} index {value} beyond the {size} event: the tree table was edited", "the Merkle tree (ledger_merkle) has node level {level} index {value} beyond the {size} events: the tree table was edited", self.frontier.size, level=row[0], value=row[1], size=self.frontier.size))
        return self.frontier.size, self.frontier.root()


def checked(links: Iterator[Any], check: TreeCheck, summary_hook: Callable[[int, bytes, tuple[int, bytes] | None], None]) -> Iterator[Any]:
    """Pass verified chain links through, checking the tree as they go; report the tree head at the end."""
    for link in links:
        check.add(link.seq, link.originator_id, link.originator_version, link.topic, link.state, link.covered)
        yield link
    size, root = check.finish()
    summary_hook(size, root, check.at_watch)


def leaf_indexes(cursor: Any, wanted: set[int], style: str = "?", *, position: str = "rowid", table: str = "stored_events", upto: int | None = None) -> dict[int, int]:
    """Leaf index of each wanted sequence number: its place in the log (positions need not be contiguous)."""
    found: dict[int, int] = {}
    index, after = 0, -1
    while len(found) < len(wanted):
        cursor.execute(sql(f"SELECT {position} FROM {table} WHERE {position} > ? ORDER BY {position} LIMIT ?", style), (after, PAGE))
        rows = cursor.fetchall()
        for (seq,) in rows:
            if int(seq) in wanted:
                found[int(seq)] = index
            index += 1
        if len(rows) < PAGE or (upto is not None and int(rows[-1][0]) >= upto):
            break
        after = rows[-1][0]
    return found


def write_tree(cursor: Any, stored_events: Sequence[Any], positions: Sequence[int], kwargs: dict[str, Any], style: str) -> None:
    """The in-transaction writer (ledger.store's hook) that extends the tree."""
    append_leaves(cursor, stored_events, positions, style, position="rowid" if style == "?" else "notification_id")
