"""Tools of an insider with write access to the store (either kind), for the tampering tests."""

from __future__ import annotations

from typing import Any

from ledger.chain import GENESIS, hasher, link_digest
from ledger.merkle import build_tree


def position(ledger: Any) -> str:
    return "notification_id" if ledger.store else "rowid"


def events(ledger: Any) -> list[tuple[Any, ...]]:
    pos = position(ledger)
    return ledger.query(f"SELECT {pos}, originator_id, originator_version, topic, state FROM stored_events ORDER BY {pos}")


def row_sets(ledger: Any) -> dict[int, bytes]:
    """R(n) of the derived-row digests recorded at each n, from the documented layout."""
    from ledger.chain import row_set_digest

    grouped: dict[int, list[Any]] = {}
    for seq, tbl, key, order, digest in ledger.query("SELECT seq, tbl, key, ord, digest FROM ledger_row_digests"):
        grouped.setdefault(seq, []).append((tbl, key, order, bytes(digest)))
    return {seq: row_set_digest(hasher("sha256"), entries) for seq, entries in grouped.items()}


def recompute_chain_without_rows(ledger: Any) -> None:
    """Every link as a store made before the row digests wrote it (the event's bytes alone), and the tree as it is."""
    from ledger.chain import event_bytes

    prev, h, updates = GENESIS, hasher("sha256"), []
    for seq, oid, version, topic, state in events(ledger):
        prev = h(prev + event_bytes(seq, oid, version, topic, bytes(state))).digest()
        updates.append((prev, seq))
    mark = "%s" if ledger.store else "?"
    _update_links(ledger, updates, mark, rebuild_tree=False)


def _update_links(ledger: Any, updates: list[tuple[bytes, int]], mark: str, rebuild_tree: bool) -> None:
    if ledger.store is None:
        import sqlite3

        con = sqlite3.connect(ledger.folder / "ledger.db")
        with con:
            con.executemany("UPDATE ledger_chain SET digest = ? WHERE seq = ?", updates)
        con.close()
    else:
        import psycopg

        from ledger.store import parse_pg_url

        with psycopg.connect(**parse_pg_url(ledger.store).conninfo()) as con:
            con.cursor().executemany("UPDATE ledger_chain SET digest = %s WHERE seq = %s", updates)


def recompute_chain(ledger: Any) -> None:
    """What a careful forger does after editing events: recompute every link from the documented layout."""
    from ledger.chain import event_bytes

    prev = GENESIS
    h = hasher("sha256")
    updates = []
    sets = row_sets(ledger)
    for seq, oid, version, topic, state in events(ledger):
        if isinstance(oid, str) and len(oid) != 32:
            oid = oid.replace("-", "").lower()
        prev = h(prev + event_bytes(seq, oid if not isinstance(oid, str) else oid.lower(), version, topic, bytes(state)) + sets.get(seq, b"")).digest()
        updates.append((prev, seq))
    if ledger.store is None:
        import sqlite3

        con = sqlite3.connect(ledger.folder / "ledger.db")
        with con:
            con.executemany("UPDATE ledger_chain SET digest = ? WHERE seq = ?", updates)
            # … and the Merkle tree, whose layout is documented too.
            _rebuild(con.cursor(), "?", "rowid")
        con.close()
    else:
        import psycopg

        from ledger.store import parse_pg_url

        with psycopg.connect(**parse_pg_url(ledger.store).conninfo()) as con:
            con.cursor().executemany("UPDATE ledger_chain SET digest = %s WHERE seq = %s", updates)
            _rebuild(con.cursor(), "%s", "notification_id")


def _rebuild(cursor: Any, style: str, pos: str) -> None:
    from ledger.errors import TamperingFound

    cursor.execute("SAVEPOINT tree")
    try:
        cursor.execute("DELETE FROM ledger_merkle")
        build_tree(cursor, style, position=pos)
    except TamperingFound:  # a re-spelled row no tree can cover: keep the old tree; verification names the row
        cursor.execute("ROLLBACK TO SAVEPOINT tree")
    cursor.execute("RELEASE SAVEPOINT tree")


def truncate_tree(ledger: Any, size: int) -> None:
    """A careful truncation also drops the tree's nodes past the first `size` events."""
    ledger.execute(f"DELETE FROM ledger_merkle WHERE (idx + 1) * (CAST(1 AS BIGINT) << CAST(level AS INTEGER)) > {size}")


def edit_state(ledger: Any, seq: int, old: bytes, new: bytes) -> None:
    pos = position(ledger)
    (state,) = ledger.query(f"SELECT state FROM stored_events WHERE {pos} = ?", (seq,))[0]
    state = bytes(state)
    assert old in state
    ledger.query(f"UPDATE stored_events SET state = ? WHERE {pos} = ?", (state.replace(old, new), seq)) if ledger.store else ledger.execute(
        f"UPDATE stored_events SET state = X'{state.replace(old, new).hex()}' WHERE rowid = {seq}"
    )


def verify_fails(ledger: Any, *args: Any, seq: int | None = None) -> str:
    result = ledger("audit", "--verify", *args, expect=4)
    assert "Traceback" not in result.stderr
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1, line
    if seq is not None:
        assert f"first bad sequence number {seq}:" in line, line
    return line
