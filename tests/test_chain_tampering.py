"""The hash chain: every kind of change made to the SQLite file with plain SQL is caught."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ledger.chain import GENESIS, _SM3, hasher, link_digest

# These tests change the SQLite file itself with plain SQL.
pytestmark = pytest.mark.sqlite_only


def populate(ledger) -> None:
    for title in ("关于“思想认识不深刻”的问题", "second", "third"):
        ledger("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", title, "--at", "2020-01-15")
    ledger("assign", "XC2019-1-1", "--lead", "王", "--unit", "办公室", "--person", "李", "--at", "2020-01-16")


def db(ledger) -> Path:
    return ledger.folder / "ledger.db"


def execute(ledger, *statements: tuple) -> None:
    con = sqlite3.connect(db(ledger))
    with con:
        for statement in statements:
            con.execute(*statement)
    con.close()


def rows(ledger, statement: str) -> list:
    con = sqlite3.connect(db(ledger))
    try:
        return con.execute(statement).fetchall()
    finally:
        con.close()


def verify_fails(ledger, seq: int | None = None) -> str:
    result = ledger("audit", "--verify", expect=4)
    assert "Traceback" not in result.stderr
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1
    if seq is not None:
        assert f"first bad sequence number {seq}:" in line, line
    return line


@pytest.fixture
def chained(inspected):
    populate(inspected)
    return inspected


def test_verify_reports_count_head_and_digest(chained):
    out = chained.out("audit", "--verify")
    assert out.startswith("chain verified: 6 events, head 6 sha256:")  # the founding event `ledger init` recorded, then 5 acts
    data = chained.json("audit", "--verify")
    assert data["events"] == 6 and data["head_seq"] == 6
    (digest,) = rows(chained, "SELECT digest FROM ledger_chain WHERE seq = 6")[0]
    assert data["head_digest"] == bytes(digest).hex()


def test_chain_is_reproducible_from_the_documented_layout(chained):
    """An auditor's own SHA-256 over the documented bytes gives the stored digests."""
    import hashlib
    import struct

    prev = bytes(32)
    for seq, oid, version, topic, state in rows(chained, "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid"):
        topic_b = topic.encode()
        data = prev + struct.pack(">Q", seq) + bytes.fromhex(oid) + struct.pack(">Q", version) + struct.pack(">I", len(topic_b)) + topic_b + struct.pack(">I", len(state)) + state
        # The derived rows this event's transaction wrote: R(n) over their recorded digests, after the event.
        entries = rows(chained, f"SELECT tbl, key, ord, digest FROM ledger_row_digests WHERE seq = {seq} ORDER BY tbl, ord")
        if entries:
            data += hashlib.sha256(b"".join(
                struct.pack(">I", len(t.encode())) + t.encode() + struct.pack(">I", len(k.encode())) + k.encode() + struct.pack(">I", o) + d for t, k, o, d in entries
            )).digest()
        prev = hashlib.sha256(data).digest()
        assert rows(chained, f"SELECT digest FROM ledger_chain WHERE seq = {seq}")[0][0] == prev


def test_edited_event_is_caught(chained):
    (state,) = rows(chained, "SELECT state FROM stored_events WHERE rowid = 4")[0]
    execute(chained, ("UPDATE stored_events SET state = ? WHERE rowid = 4", (state.replace(b"second", b"SECOND"),)))
    verify_fails(chained, 4)


def test_deleted_event_is_caught(chained):
    execute(chained, ("DELETE FROM stored_events WHERE rowid = 3",))
    verify_fails(chained, 3)


def test_deleted_event_with_its_link_is_caught(chained):
    execute(chained, ("DELETE FROM stored_events WHERE rowid = 3",), ("DELETE FROM ledger_chain WHERE seq = 3",))
    verify_fails(chained, 3)


def test_deleted_last_link_is_caught(chained):
    execute(chained, ("DELETE FROM ledger_chain WHERE seq = 6",))
    verify_fails(chained, 6)


def test_inserted_event_is_caught(chained):
    oid, version, topic, state = rows(chained, "SELECT originator_id, originator_version, topic, state FROM stored_events WHERE rowid = 5")[0]
    execute(chained, ("INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) VALUES (7, ?, ?, ?, ?)", (oid, version + 5, topic, state)))
    verify_fails(chained, 7)


def test_inserted_event_with_a_forged_link_is_caught(chained):
    oid, version, topic, state = rows(chained, "SELECT originator_id, originator_version, topic, state FROM stored_events WHERE rowid = 5")[0]
    execute(
        chained,
        ("INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) VALUES (7, ?, ?, ?, ?)", (oid, version + 5, topic, state)),
        ("INSERT INTO ledger_chain (seq, prev, digest) VALUES (7, 6, ?)", (bytes(32),)),
    )
    verify_fails(chained, 7)


def test_reordered_events_are_caught(chained):
    a = rows(chained, "SELECT originator_id, originator_version, topic, state FROM stored_events WHERE rowid = 2")[0]
    b = rows(chained, "SELECT originator_id, originator_version, topic, state FROM stored_events WHERE rowid = 3")[0]
    execute(
        chained,
        ("DELETE FROM stored_events WHERE rowid IN (2, 3)",),
        ("INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) VALUES (2, ?, ?, ?, ?)", b),
        ("INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) VALUES (3, ?, ?, ?, ?)", a),
    )
    verify_fails(chained, 2)


def test_changed_algorithm_in_meta_is_caught(chained):
    execute(chained, ("UPDATE ledger_meta SET value = 'sm3' WHERE key = 'hash_algorithm'",))
    verify_fails(chained, 1)


def test_truncated_file_is_caught(chained):
    for i in range(40):  # enough pages that a cut lands inside the data
        chained("add-problem", "--inspection", "XC2019-1", "--category", "c", "--title", f"t{i} " + "长" * 300, "--at", "2020-01-15")
    path = db(chained)
    size = path.stat().st_size
    with path.open("r+b") as f:
        f.truncate(size // 2)
    line = verify_fails(chained)
    assert "damaged or truncated" in line


def test_dropped_chain_table_is_caught(chained):
    execute(chained, ("DROP TABLE ledger_chain",))
    assert "no hash chain table" in verify_fails(chained)


def test_a_fork_is_impossible(chained):
    with pytest.raises(sqlite3.IntegrityError):
        execute(chained, ("INSERT INTO ledger_chain (seq, prev, digest) VALUES (99, 4, ?)", (bytes(32),)))


def test_sm3_standard_vector():
    assert hasher("sm3")(b"abc").digest().hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert _SM3(b"abc").digest().hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_sm3_ledger_records_its_algorithm_for_good(tmp_path, monkeypatch):
    from tests.conftest import INSPECTION, Ledger

    monkeypatch.chdir(tmp_path)
    (tmp_path / "ledger.yaml").write_text("hash: sm3\n", encoding="utf-8")
    ledger = Ledger(tmp_path)
    ledger("init")
    ledger(*INSPECTION)
    assert ledger.json("audit", "--verify")["algorithm"] == "sm3"
    oid, version, topic, state = rows(ledger, "SELECT originator_id, originator_version, topic, state FROM stored_events WHERE rowid = 1")[0]
    assert rows(ledger, "SELECT digest FROM ledger_chain WHERE seq = 1")[0][0] == link_digest(hasher("sm3"), GENESIS, 1, oid, version, topic, state)
    # Changing ledger.yaml afterwards changes nothing; doctor reports the mismatch.
    (tmp_path / "ledger.yaml").write_text("hash: sha256\n", encoding="utf-8")
    assert ledger.json("audit", "--verify")["algorithm"] == "sm3"
    assert "created with sm3" in ledger("doctor", expect=None).stdout


def test_unknown_algorithm_is_refused_before_anything_is_created(tmp_path, monkeypatch):
    from tests.conftest import Ledger

    monkeypatch.chdir(tmp_path)
    (tmp_path / "ledger.yaml").write_text("hash: md5\n", encoding="utf-8")
    result = Ledger(tmp_path)("init", expect=2)
    assert "'hash' must be sha256 or sm3" in result.stderr
    assert not (tmp_path / "ledger.db").exists()
