"""Tools of an insider with write access to the store (either kind), for the tampering tests."""

from __future__ import annotations

from typing import Any

from ledger.chain import GENESIS, hasher, link_digest


def position(ledger: Any) -> str:
    return "notification_id" if ledger.store else "rowid"


def events(ledger: Any) -> list[tuple[Any, ...]]:
    pos = position(ledger)
    return ledger.query(f"SELECT {pos}, originator_id, originator_version, topic, state FROM stored_events ORDER BY {pos}")


def recompute_chain(ledger: Any) -> None:
    """What a careful forger does after editing events: recompute every link from the documented layout."""
    prev = GENESIS
    h = hasher("sha256")
    updates = []
    for seq, oid, version, topic, state in events(ledger):
        if isinstance(oid, str) and len(oid) != 32:
            oid = oid.replace("-", "").lower()
        prev = link_digest(h, prev, seq, oid if not isinstance(oid, str) else oid.lower(), version, topic, bytes(state))
        updates.append((prev, seq))
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
