"""Signed checkpoints across later appends and rewrites; export → verify-export → import-log."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from ledger.chain import GENESIS, hasher, link_digest, read_row_sets
from ledger.merkle import build_tree
from tests.conftest import INSPECTION, Ledger, run_executable

# These tests change the SQLite file itself with plain SQL.
pytestmark = pytest.mark.sqlite_only


def add(ledger, n: int, prefix: str = "p") -> None:
    for i in range(n):
        ledger("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", f"{prefix}{i}", "--at", "2020-01-15")


@pytest.fixture
def signed(inspected):
    add(inspected, 3)
    inspected("keygen")
    block = inspected.out("checkpoint")
    (inspected.folder / "may-report.txt").write_text("整改情况报告 …\n\n" + block + "\n", encoding="utf-8")
    return inspected


def rewrite_history(path: Path, seq: int, old: bytes, new: bytes) -> None:
    """What a careful forger does: edit an event and recompute every later link."""
    con = sqlite3.connect(path)
    with con:
        (state,) = con.execute("SELECT state FROM stored_events WHERE rowid = ?", (seq,)).fetchone()
        con.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (state.replace(old, new), seq))
        prev_seq, prev = 0, GENESIS
        sets, _ = read_row_sets(con.cursor(), "?", hasher("sha256"), 0, 2**62)  # the derived-row digests each link covers
        for s, oid, v, topic, st in con.execute("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid").fetchall():
            prev = link_digest(hasher("sha256"), prev, s, oid, v, topic, st, sets.get(s, b""))
            con.execute("UPDATE ledger_chain SET digest = ? WHERE seq = ?", (prev, s))
        # … and the Merkle tree, whose layout is documented too.
        con.execute("DELETE FROM ledger_merkle")
        build_tree(con.cursor())
    con.close()


def test_keygen_key_is_private_and_not_overwritten(inspected):
    out = inspected.out("keygen")
    key = inspected.folder / "ledger-signing.key"
    assert key.stat().st_mode & 0o777 == 0o600
    assert "public key:  ed25519 " in out and "fingerprint:" in out
    assert "already exists" in inspected("keygen", expect=2).stderr


def test_checkpoint_without_a_key_is_a_clear_error(inspected):
    result = inspected("checkpoint", expect=2)
    assert "run `ledger keygen` first" in result.stderr


def test_checkpoint_is_an_event_and_leaves_problem_views_alone(signed):
    before = signed.json("status")
    data = signed.json("audit", "--verify")
    assert data["events"] == 6  # the founding event, inspection, 3 problems, the checkpoint
    assert signed.json("status") == before


def test_checkpoint_still_valid_after_later_appends(signed):
    add(signed, 4, "later")
    out = signed.out("audit", "--verify", "--checkpoint", "may-report.txt")
    assert "holds the history of the checkpoint" in out and "(events up to 5)" in out
    text = (signed.folder / "may-report.txt").read_text(encoding="utf-8")
    block = text[text.index("-----BEGIN"):]
    assert "holds the history" in signed.out("audit", "--verify", "--checkpoint", block)


def test_rewritten_history_with_a_recomputed_chain_is_caught(signed):
    add(signed, 2, "later")
    rewrite_history(signed.folder / "ledger.db", 3, b"p0", b"pX")
    # The chain alone is consistent again, but the checkpoint recorded in the ledger is not fooled …
    result = signed("audit", "--verify", expect=4)
    assert "the checkpoint recorded as event 6" in result.stderr and "events 1..5" in result.stderr
    # … nor is the copy kept outside.
    result = signed("audit", "--verify", "--checkpoint", "may-report.txt", expect=4)
    assert "differs from" in result.stderr


def test_truncated_history_is_caught_by_the_checkpoint(signed):
    con = sqlite3.connect(signed.folder / "ledger.db")
    with con:
        con.execute("DELETE FROM stored_events WHERE rowid >= 3")
        con.execute("DELETE FROM ledger_chain WHERE seq >= 3")
        con.execute("DELETE FROM ledger_merkle WHERE (idx + 1) << level > 2")  # the tree's nodes past event 2
    con.close()
    # The digests of the derived rows the removed events wrote are still recorded: named first.
    assert "has derived-row digests recorded but no event" in signed("audit", "--verify", expect=4).stderr
    signed.execute("DELETE FROM ledger_row_digests WHERE seq >= 3")
    # The derived tables still hold what the removed events made: verification names that next.
    assert "no event creates it" in signed("audit", "--verify", expect=4).stderr
    # Removed from them too (a careful insider), only the checkpoint knows the history was longer.
    signed.execute("DELETE FROM ledger_problems", "DELETE FROM ledger_category_totals", "DELETE FROM ledger_similar_docs",
                   "DELETE FROM ledger_similar_terms", "DELETE FROM ledger_similar_df")
    signed.out("audit", "--verify")
    result = signed("audit", "--verify", "--checkpoint", "may-report.txt", expect=4)
    assert "history truncated" in result.stderr


def test_altered_block_or_other_key_is_caught(signed, tmp_path):
    text = (signed.folder / "may-report.txt").read_text(encoding="utf-8")
    forged = text.replace("sequence: 5", "sequence: 4")
    assert "signature does not match" in signed("audit", "--verify", "--checkpoint", forged, expect=4).stderr
    other = Ledger(tmp_path / "other")
    (tmp_path / "other").mkdir()
    other("init")
    other("keygen")
    foreign = other.out("checkpoint")
    assert "not by this ledger's key" in signed("audit", "--verify", "--checkpoint", foreign, expect=4).stderr


def test_verification_needs_only_the_public_key(signed):
    (signed.folder / "ledger-signing.key").unlink()
    assert "signature valid" in signed.out("audit", "--verify", "--checkpoint", "may-report.txt")


def test_garbled_checkpoint_argument_is_one_clear_line(signed):
    result = signed("audit", "--verify", "--checkpoint", "no-such-file.txt", expect=2)
    assert "Traceback" not in result.stderr and "not a checkpoint block" in result.stderr


def test_export_import_export_is_byte_identical(signed, tmp_path):
    signed("assign", "XC2019-1-1", "--lead", "王", "--unit", "办公室", "--person", "李", "--at", "2020-01-16")
    first = signed.folder / "first.jsonl"
    signed("export", "--out", first)
    head = signed.json("audit", "--verify")
    lines = first.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["format"] == "rectification-ledger export"
    assert all("digest" in json.loads(line) for line in lines[1:-1])
    assert json.loads(lines[-1])["head_digest"] == head["head_digest"]

    folder = tmp_path / "restored"
    folder.mkdir()
    restored = Ledger(folder)
    restored("init")
    restored("import-log", first)
    second = folder / "second.jsonl"
    restored("export", "--out", second)
    # Byte-identical but for the signature: the restored ledger's folder has no signing key.
    *body1, end1 = first.read_bytes().splitlines()
    *body2, end2 = second.read_bytes().splitlines()
    assert body1 == body2
    unsigned = {k: v for k, v in json.loads(end1).items() if k not in ("public_key", "signature")}
    assert json.loads(end2) == unsigned and "signature" in json.loads(end1)
    assert restored.json("audit", "--verify") == head
    assert restored.json("show", "XC2019-1-1")["assignee"]["person"] == "李"
    assert restored.json("status") == signed.json("status")
    # The restored ledger is the same ledger: the May checkpoint verifies against it.
    # (its folder has no .pub: the key is given, as an auditor would)
    pub = signed.folder / "ledger-signing.key.pub"
    assert "holds the history" in restored.out("audit", "--verify", "--checkpoint", signed.folder / "may-report.txt", "--public-key", pub)
    # It keeps working: new events extend the same chain.
    restored("add-problem", "--inspection", "XC2019-1", "--category", "c", "--title", "new", "--at", "2020-01-15")
    assert restored.json("audit", "--verify")["events"] == head["events"] + 1


def test_import_refuses_a_non_empty_store(signed):
    signed("export", "--out", "e.jsonl")
    result = signed("import-log", "e.jsonl", expect=1)
    assert "not empty" in result.stderr


def test_verify_export_on_a_machine_without_the_store(signed, tmp_path):
    add(signed, 2, "later")
    signed("export", "--out", "e.jsonl")
    elsewhere = tmp_path / "auditor"
    elsewhere.mkdir()
    (elsewhere / "e.jsonl").write_bytes((signed.folder / "e.jsonl").read_bytes())
    (elsewhere / "may-report.txt").write_bytes((signed.folder / "may-report.txt").read_bytes())
    pub = (signed.folder / "ledger-signing.key.pub").read_text().strip()
    ok = run_executable("verify-export", "e.jsonl", "--checkpoint", "may-report.txt", "--public-key", pub, cwd=elsewhere)
    assert ok.returncode == 0, ok.stderr
    assert "export verified: 8 events" in ok.stdout and "holds the history" in ok.stdout

    lines = (elsewhere / "e.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (elsewhere / "cut.jsonl").write_text("".join(lines[:-2]), encoding="utf-8")
    cut = run_executable("verify-export", "cut.jsonl", cwd=elsewhere)
    assert cut.returncode == 4 and "truncated" in cut.stderr and "Traceback" not in cut.stderr

    edited = "".join(lines).replace("later0", "later9")  # inside the escaped state text
    assert edited != "".join(lines)
    (elsewhere / "edited.jsonl").write_text(edited, encoding="utf-8")
    bad = run_executable("verify-export", "edited.jsonl", cwd=elsewhere)
    assert bad.returncode == 4 and "first bad sequence number" in bad.stderr


def test_partial_export_verifies_from_its_base(signed):
    add(signed, 2, "later")
    signed("export", "--out", "part.jsonl", "--since", "4")
    lines = (signed.folder / "part.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[1])["seq"] == 4 and json.loads(lines[0])["base_seq"] == 3
    out = signed.out("verify-export", "part.jsonl", "--checkpoint", "may-report.txt")
    assert "holds the history" in out
