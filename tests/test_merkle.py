"""The Merkle tree over the log: kept in the insert transaction, checked by audit --verify,
signed in checkpoints, consistency proofs between checkpoints and one inspection's proven export."""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import INSPECTION, run_executable
from guard_helpers import FEEDBACK_YAML, close_problem
from ledger.chain import hasher
from ledger.merkle import (
    MERKLE_SCHEMA,
    Frontier,
    StoredTree,
    event_leaf,
    largest_power_below,
    leaf_hash,
    node_hash,
    stored_size,
    verify_consistency,
    verify_inclusion,
)

SHA = hashlib.sha256
KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="  # 32 bytes, base64: the cipher key for sensitive fields


def mth(leaves: list[bytes], h=SHA) -> bytes:
    """RFC 6962 §2.1 as written: the reference the stored tree is held to."""
    if not leaves:
        return h(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = largest_power_below(len(leaves))
    return node_hash(h, mth(leaves[:k], h), mth(leaves[k:], h))


def memory_tree(leaves: list[bytes], h=SHA) -> StoredTree:
    con = sqlite3.connect(":memory:")
    con.execute(MERKLE_SCHEMA[0])
    con.execute("CREATE TABLE ledger_meta (key TEXT PRIMARY KEY, value TEXT)")
    frontier = Frontier(h)
    for leaf in leaves:
        con.executemany("INSERT INTO ledger_merkle VALUES (?, ?, ?)", frontier.add(leaf))
    return StoredTree(con.cursor(), algorithm="sha256" if h is SHA else "sm3")


# -- the hashing and the proofs, against the RFC -------------------------------------------


# Certificate Transparency's reference vectors (leaf inputs and the roots of the first 1..8).
CT_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def test_roots_match_the_certificate_transparency_vectors():
    leaves = [leaf_hash(SHA, bytes.fromhex(x)) for x in CT_LEAVES]
    tree = memory_tree(leaves)
    assert [tree.root(n).hex() for n in range(1, 9)] == CT_ROOTS
    assert tree.root(0) == SHA(b"").digest()


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=140), st.data())
def test_proofs_verify_and_any_change_fails(n, data):
    leaves = [leaf_hash(SHA, i.to_bytes(4, "big")) for i in range(n)]
    tree = memory_tree(leaves)
    root = tree.root(n)
    assert root == mth(leaves)
    i = data.draw(st.integers(0, n - 1))
    path = tree.inclusion(i, n)
    assert verify_inclusion(SHA, i, n, leaves[i], path, root)
    assert not verify_inclusion(SHA, i, n, leaf_hash(SHA, b"other"), path, root)
    if path:
        j = data.draw(st.integers(0, len(path) - 1))
        bad = list(path)
        bad[j] = bytes([bad[j][0] ^ 1]) + bad[j][1:]
        assert not verify_inclusion(SHA, i, n, leaves[i], bad, root)
        assert not verify_inclusion(SHA, i, n, leaves[i], path[:-1], root)
    m = data.draw(st.integers(1, n))
    proof = tree.consistency(m, n)
    assert verify_consistency(SHA, m, n, tree.root(m), root, proof)
    if 0 < m < n:
        j = data.draw(st.integers(0, len(proof) - 1))
        bad = list(proof)
        bad[j] = bytes([bad[j][0] ^ 1]) + bad[j][1:]
        assert not verify_consistency(SHA, m, n, tree.root(m), root, bad)
        assert not verify_consistency(SHA, m, n, root, root, proof)
        assert not verify_consistency(SHA, m, n, tree.root(m), tree.root(m), proof)
        assert not verify_consistency(SHA, m, n, tree.root(m), root, proof + [root])


# -- edge cases named after the transparency-dev/merkle test data (written here from their meaning) ----------

EMPTY = SHA(b"").digest()  # MTH({}), the empty tree's root
SHORT = b"not a digest"  # 12 bytes: no SHA-256 or SM3 digest has that length


def test_consistency_with_both_sizes_zero_and_roots_that_do_not_match_is_refused():
    """consistency/additional/roots-do-not-match-and-sizes-are-zero: sizes 0 and 0, the empty root, another root."""
    assert not verify_consistency(SHA, 0, 0, EMPTY, SHORT, [])
    assert not verify_consistency(SHA, 0, 0, EMPTY, SHA(b"x").digest(), [])


def test_consistency_from_an_empty_tree_is_refused():
    """consistency/additional/size1-is-zero-and-size2-is-not-zero: as the reference does, m = 0 is not proven."""
    leaves = [leaf_hash(SHA, i.to_bytes(4, "big")) for i in range(3)]
    assert not verify_consistency(SHA, 0, 1, EMPTY, SHORT, [])
    assert not verify_consistency(SHA, 0, 1, EMPTY, leaves[0], [])
    assert not verify_consistency(SHA, 0, 3, EMPTY, memory_tree(leaves).root(3), [])


def test_inclusion_with_an_empty_root_and_leaf_is_refused():
    """inclusion/single-entry/empty-root-and-leaf: index 0 of a tree of 1, root and leaf both empty, no path."""
    assert not verify_inclusion(SHA, 0, 1, b"", [], b"")


@pytest.mark.parametrize("algorithm", ["sha256", "sm3"])
def test_every_hash_must_have_the_digest_length(algorithm):
    h = SHA if algorithm == "sha256" else hasher(algorithm)
    leaves = [leaf_hash(h, i.to_bytes(4, "big")) for i in range(5)]
    tree = memory_tree(leaves, h)
    root, old = tree.root(5), tree.root(3)
    path, proof = tree.inclusion(1, 5), tree.consistency(3, 5)
    assert verify_inclusion(h, 1, 5, leaves[1], path, root) and verify_consistency(h, 3, 5, old, root, proof)
    for cut in (SHORT, root + b"\x00", root[:-1]):
        assert not verify_inclusion(h, 0, 1, cut, [], cut)  # a one-leaf tree: the leaf is the root
        assert not verify_inclusion(h, 1, 5, leaves[1], [*path[:-1], cut], root)
        assert not verify_consistency(h, 3, 3, cut, cut, [])  # equal sizes: the roots are compared only
        assert not verify_consistency(h, 3, 5, old, root, [*proof[:-1], cut])


# -- the stored tree ------------------------------------------------------------------------


def add(ledger, n: int, prefix: str = "p", inspection: str = "XC2019-1") -> None:
    for i in range(n):
        ledger("add-problem", "--inspection", inspection, "--category", "政治站位方面", "--title", f"{prefix}{i}", "--at", "2020-01-15")


def stored_leaves(ledger) -> list[bytes]:
    position = "rowid" if ledger.kind == "sqlite" else "notification_id"
    h = hasher("sha256")
    rows = ledger.query(f"SELECT {position}, originator_id, originator_version, topic, state FROM stored_events ORDER BY {position}")
    return [event_leaf(h, int(s), o, int(v), t, bytes(st_)) for s, o, v, t, st_ in rows]


def test_tree_is_written_with_the_events(inspected):
    add(inspected, 6)
    leaves = stored_leaves(inspected)
    rows = {(int(l_), int(i)): bytes(h) for l_, i, h in inspected.query("SELECT level, idx, hash FROM ledger_merkle")}
    assert len(rows) < 2 * len(leaves)
    assert [rows[(0, i)] for i in range(len(leaves))] == leaves
    data = inspected.json("audit", "--verify")
    assert data["tree_size"] == len(leaves) == 8  # the founding event, the inspection, 6 problems
    assert data["tree_root"] == mth(leaves).hex()


TREE_EDITS = {
    "edited": ["UPDATE ledger_merkle SET hash = (SELECT hash FROM ledger_merkle WHERE level = 0 AND idx = 0) WHERE level = 0 AND idx = 1"],
    "edited-node": ["UPDATE ledger_merkle SET hash = (SELECT hash FROM ledger_merkle WHERE level = 0 AND idx = 0) WHERE level = 2 AND idx = 0"],
    "deleted": ["DELETE FROM ledger_merkle WHERE level = 1 AND idx = 1"],
    "extra": ["INSERT INTO ledger_merkle (level, idx, hash) SELECT 0, 99, hash FROM ledger_merkle WHERE level = 0 AND idx = 0"],
    "extra-high": ["INSERT INTO ledger_merkle (level, idx, hash) SELECT 40, 0, hash FROM ledger_merkle WHERE level = 0 AND idx = 0"],
    "emptied": ["DELETE FROM ledger_merkle"],
    # The store's metadata says it has a tree: dropping or cutting it short is tampering, not "made before the tree".
    "dropped": ["DROP TABLE ledger_merkle"],
    "truncated": ["DELETE FROM ledger_merkle WHERE (idx + 1) * (CAST(1 AS BIGINT) << CAST(level AS INTEGER)) > 4"],
}


@pytest.mark.parametrize("edit", sorted(TREE_EDITS))
def test_an_insider_editing_the_tree_is_caught(inspected, edit):
    add(inspected, 6)
    inspected.out("audit", "--verify")
    inspected.execute(*TREE_EDITS[edit])
    result = inspected("audit", "--verify", expect=4)
    assert "ledger_merkle" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "ledger_merkle" in inspected("doctor", "--format", "json", expect=4).stdout


@pytest.mark.parametrize("size, missing", [(8, (3, 0)), (7, (1, 2))])
def test_a_write_onto_a_tree_missing_its_right_edge_is_refused(inspected, size, missing):
    """The next leaves hang on the right edge (one node per set bit of the size),
    read in one query: a node missing there stops the write, naming it."""
    add(inspected, size - 2)
    inspected.execute("DELETE FROM ledger_merkle WHERE level = %d AND idx = %d" % missing)
    before = inspected.query("SELECT COUNT(*) FROM stored_events")
    result = inspected("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", "next", expect=4)
    assert f"ledger_merkle) lacks node level {missing[0]} index {missing[1]}" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert inspected.query("SELECT COUNT(*) FROM stored_events") == before


def test_a_dropped_tree_is_caught_by_the_checkpoints_that_signed_it(signed):
    # The forger also deletes the metadata that says the store has a tree; the recorded v2 checkpoints signed its roots.
    signed.execute("DROP TABLE ledger_merkle", "DELETE FROM ledger_meta WHERE key = 'merkle_tree'")
    result = signed("audit", "--verify", expect=4)
    assert "ledger_merkle" in result.stderr and "checkpoint recorded as event" in result.stderr, result.stderr


# -- checkpoints sign the tree ------------------------------------------------------------------


@pytest.fixture
def signed(inspected):
    add(inspected, 3)
    inspected("keygen")
    (inspected.folder / "may.txt").write_text("五月报告\n" + inspected.out("checkpoint") + "\n", encoding="utf-8")
    add(inspected, 4, "later")
    (inspected.folder / "june.txt").write_text(inspected.out("checkpoint") + "\n", encoding="utf-8")
    return inspected


def block_fields(path: Path) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in path.read_text(encoding="utf-8").splitlines() if ": " in line)


def test_checkpoint_signs_the_tree_size_and_root(signed):
    may = block_fields(signed.folder / "may.txt")
    leaves = stored_leaves(signed)
    assert int(may["tree-size"]) == 5 and may["tree-root"] == mth(leaves[:5]).hex()
    out = signed.out("audit", "--verify", "--checkpoint", "may.txt")
    assert "holds the history" in out
    # The tree lines are signed: dropping or changing them breaks the signature.
    text = (signed.folder / "may.txt").read_text(encoding="utf-8")
    stripped = "\n".join(line for line in text.splitlines() if not line.startswith("tree-"))
    assert "signature does not match" in signed("audit", "--verify", "--checkpoint", stripped, expect=4).stderr
    other = text.replace(f"tree-size: {may['tree-size']}", "tree-size: 3")
    assert "signature does not match" in signed("audit", "--verify", "--checkpoint", other, expect=4).stderr


def v1_block(folder: Path, sequence: int, head: str, ledger_id: str) -> str:
    """A checkpoint as the version before the tree made it (no tree lines, v1 message)."""
    from cryptography.hazmat.primitives import serialization

    from ledger.checkpoint import fingerprint, format_checkpoint_block, message, public_key_line, raw_public

    key = serialization.load_pem_private_key((folder / "ledger-signing.key").read_bytes(), password=None)
    time = "2020-05-31T00:00:00Z"
    signature = key.sign(message(ledger_id, sequence, "sha256", head, time))
    raw = raw_public(key.public_key())
    return format_checkpoint_block({
        "ledger": ledger_id, "sequence": sequence, "hash": "sha256", "head": head, "time": time,
        "public_key": public_key_line(raw), "fingerprint": fingerprint(raw), "signature": base64.b64encode(signature).decode(),
    })


@pytest.mark.sqlite_only  # turns the store back into one made before the tree
def test_init_upgrades_an_older_store_and_old_checkpoints_still_verify(inspected):
    add(inspected, 3)
    inspected("keygen")
    # A store as the version before the tree left it: no tree table, no metadata saying it has one.
    inspected.execute("DROP TABLE ledger_merkle", "DELETE FROM ledger_meta WHERE key = 'merkle_tree'")
    ledger_id = inspected.query("SELECT value FROM ledger_meta WHERE key = 'ledger_id'")[0][0]
    head = bytes(inspected.query("SELECT digest FROM ledger_chain WHERE seq = 4")[0][0]).hex()
    old_block = v1_block(inspected.folder, 4, head, ledger_id)
    assert "run `ledger init` to upgrade" in inspected("add-problem", "--inspection", "XC2019-1", "--category", "c", "--title", "t", expect=1).stderr
    # Verifies as it is (a read-only archive need not be upgraded); the tree is recomputed.
    assert inspected.json("audit", "--verify")["tree_root"] == mth(stored_leaves(inspected)).hex()
    assert "holds the history" in inspected.out("audit", "--verify", "--checkpoint", old_block)
    before = inspected.query("SELECT COUNT(*) FROM stored_events")[0][0]
    out = inspected.out("init")
    assert f"built the Merkle tree over its {before} events" in out
    assert inspected.query("SELECT value FROM ledger_meta WHERE key = 'merkle_tree'") == [("rfc9162",)]
    assert inspected.json("audit", "--verify")["tree_size"] == before
    assert "holds the history" in inspected.out("audit", "--verify", "--checkpoint", old_block)
    (inspected.folder / "now.txt").write_text(inspected.out("checkpoint") + "\n", encoding="utf-8")
    assert "holds the history" in inspected.out("audit", "--verify", "--checkpoint", "now.txt")
    add(inspected, 2, "after")
    assert inspected.json("audit", "--verify")["tree_root"] == mth(stored_leaves(inspected)).hex()
    assert "upgraded" not in inspected.out("init")


# -- consistency proofs ---------------------------------------------------------------------------


def test_consistency_proof_verifies_with_neither_store_nor_export(signed, tmp_path):
    signed("prove-consistency", "--from", "may.txt", "--to", "june.txt", "--out", "proof.json")
    office = tmp_path / "xunchaban"  # keeps only the checkpoints, the proof and the public key
    office.mkdir()
    for name in ("may.txt", "june.txt", "proof.json", "ledger-signing.key.pub"):
        (office / name).write_bytes((signed.folder / name).read_bytes())
    result = run_executable("verify-consistency", "proof.json", "--from", "may.txt", "--to", "june.txt", "--public-key", "ledger-signing.key.pub", "--format", "json", cwd=office, env={"HOME": str(office), "XDG_CONFIG_HOME": str(office)})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["verified"] is True
    # The other way round does not prove anything.
    back = run_executable("verify-consistency", "proof.json", "--from", "june.txt", "--to", "may.txt", "--public-key", "ledger-signing.key.pub", cwd=office, env={"HOME": str(office)})
    assert back.returncode == 4 and "tampering found" in back.stderr
    # Not a proof at all: exit 2.
    notproof = run_executable("verify-consistency", "may.txt", "--from", "may.txt", "--to", "june.txt", "--public-key", "ledger-signing.key.pub", cwd=office, env={"HOME": str(office)})
    assert notproof.returncode == 2 and "not a consistency proof" in notproof.stderr


@pytest.mark.sqlite_only  # the proof files are the same on both stores; SQLite is enough for the byte fuzzing
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_changed_byte_of_the_proof_or_a_checkpoint_fails(signed, data):
    folder = signed.folder
    if not (folder / "proof.json").exists():
        signed("prove-consistency", "--from", "may.txt", "--to", "june.txt", "--out", "proof.json")
    target = data.draw(st.sampled_from(["proof.json", "may.txt", "june.txt"]))
    original = (folder / target).read_bytes()
    if target == "proof.json":
        start, end = 0, len(original) - 1  # every byte but the final line feed … which is checked too:
    else:  # the signed fields of the block, and its key and signature
        text = original.decode("utf-8")
        start = text.index("ledger: ")
        end = len(text[: text.index("fingerprint: ")].encode("utf-8"))
        start = len(text[:start].encode("utf-8"))
        sig = text.index("signature: ") + len("signature: ")
        if data.draw(st.booleans()):
            start, end = len(text[:sig].encode()), len(text[: text.index("\n", sig)].encode())
    at = data.draw(st.integers(start, end - 1))
    new = data.draw(st.integers(0, 255).filter(lambda b: b != original[at]))
    changed = original[:at] + bytes([new]) + original[at + 1 :]
    try:
        (folder / target).write_bytes(changed)
        result = signed("verify-consistency", "proof.json", "--from", "may.txt", "--to", "june.txt", expect=None)
    finally:
        (folder / target).write_bytes(original)
    assert result.exit_code == 4, (target, at, new, result.stdout, result.stderr)
    assert "tampering found" in result.stderr


def test_proof_file_must_be_canonical(signed):
    signed("prove-consistency", "--from", "may.txt", "--to", "june.txt", "--out", "proof.json")
    path = signed.folder / "proof.json"
    obj = json.loads(path.read_text(encoding="utf-8"))
    for text in (json.dumps(obj) + "\n", path.read_text(encoding="utf-8").rstrip("\n"), path.read_text(encoding="utf-8").replace(obj["new"]["tree_root"], obj["new"]["tree_root"].upper())):
        path.write_text(text, encoding="utf-8")
        assert signed("verify-consistency", "proof.json", "--from", "may.txt", "--to", "june.txt", expect=4).stderr


def test_prove_refuses_a_rewritten_store(signed):
    # The node that is the whole tree of May's 4 events.
    signed.execute("UPDATE ledger_merkle SET hash = (SELECT hash FROM ledger_merkle WHERE level = 0 AND idx = 0) WHERE level = 2 AND idx = 0")
    result = signed("prove-consistency", "--from", "may.txt", "--to", "june.txt", "--out", "proof.json", expect=4)
    assert "does not have the checkpoint's root" in result.stderr
    assert not (signed.folder / "proof.json").exists()


# -- one inspection, proven ---------------------------------------------------------------------


@pytest.fixture
def two_inspections(ledger, monkeypatch):
    """XC2020-2 (closed problems, a sample draw, an encrypted field) beside XC2019-1."""
    monkeypatch.setenv("LEDGER_CIPHER_KEY", KEY)
    ledger(*INSPECTION)
    add(ledger, 2, "other")
    ledger("import", FEEDBACK_YAML)
    for n in (1, 2, 3):
        close_problem(ledger, f"XC2020-2-{n}")
    ledger("sample", "--inspection", "XC2020-2", "--size", "2", "--seed", "7")
    ledger("confide", "XC2020-2-4", "--field", "举报人", "--value", "张举报", "--at", "2020-08-01")
    ledger("reopen", "XC2020-2-1", "--reason", "反弹", "--at", "2020-09-01")
    add(ledger, 1, "late")  # another inspection's event after them
    ledger("keygen")
    return ledger


def test_inspection_export_proves_its_figures_without_other_events(two_inspections, tmp_path):
    ledger = two_inspections
    out = ledger.json("export", "--inspection", "XC2020-2", "--out", "xc.jsonl")
    assert out["checkpoint_made"] is True
    lines = (ledger.folder / "xc.jsonl").read_text(encoding="utf-8").splitlines()
    header, events = json.loads(lines[0]), [json.loads(x) for x in lines[1:-1]]
    texts = " ".join(e.get("state", "") for e in events)
    assert "XC2019-1" not in texts and "other0" not in texts  # nothing of the other inspection
    assert "张举报" not in texts and "ciphertext" in texts  # the confidential field stays encrypted
    assert any("SampleDraw" in e["topic"] for e in events) and any(e["topic"].endswith("Reopened") for e in events)
    ids = {r[0] if isinstance(r[0], str) else r[0].hex for r in ledger.query("SELECT originator_id FROM stored_events")}
    assert {e["originator_id"] for e in events} < {i.replace("-", "") for i in ids}
    assert header["checkpoint"]["tree_size"] == ledger.json("audit", "--verify")["tree_size"] - 1  # all but the checkpoint event itself
    # A second export reuses that checkpoint: nothing new to cover.
    assert ledger.json("export", "--inspection", "XC2020-2", "--out", "again.jsonl")["checkpoint_made"] is False
    # Verified and summarised on a machine with only the file and the public key.
    office = tmp_path / "jiwei"
    office.mkdir()
    for name in ("xc.jsonl", "ledger-signing.key.pub"):
        (office / name).write_bytes((ledger.folder / name).read_bytes())
    block = "-----BEGIN LEDGER CHECKPOINT-----\n" + "\n".join(
        f"{k.replace('_', '-')}: {v}" for k, v in header["checkpoint"].items()  # version 3 first, then the block's lines
    ) + "\n-----END LEDGER CHECKPOINT-----\n"
    (office / "report.md").write_text("# 整改情况\n\n" + block, encoding="utf-8")
    env = {"HOME": str(office), "XDG_CONFIG_HOME": str(office), "LEDGER_LANG": "en"}
    verified = run_executable("verify-export", "xc.jsonl", "--checkpoint", "report.md", "--public-key", "ledger-signing.key.pub", "--format", "json", cwd=office, env=env)
    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout)["events"] == len(events)
    figures = run_executable("summary", "--from-export", "xc.jsonl", "--public-key", "ledger-signing.key.pub", "--format", "json", cwd=office, env=env)
    assert figures.returncode == 0, figures.stderr
    assert json.loads(figures.stdout) == ledger.json("summary", "--inspection", "XC2020-2")
    assert json.loads(figures.stdout)["total"]["relapsed"] == 1
    (office / "other.pub").write_text("ed25519 " + base64.b64encode(bytes(range(32))).decode() + "\n", encoding="ascii")
    forged_key = run_executable("summary", "--from-export", "xc.jsonl", "--public-key", "other.pub", cwd=office, env=env)
    assert forged_key.returncode == 4 and "tampering found" in forged_key.stderr


def test_export_of_an_unknown_inspection_or_without_a_key(two_inspections):
    assert "unknown inspection" in two_inspections("export", "--inspection", "NOPE", "--out", "x.jsonl", expect=1).stderr
    (two_inspections.folder / "ledger-signing.key").unlink()
    assert "keygen" in two_inspections("export", "--inspection", "XC2020-2", "--out", "x.jsonl", expect=2).stderr
    assert not (two_inspections.folder / "x.jsonl").exists()


@pytest.mark.sqlite_only  # the export file is the same on both stores; SQLite is enough for the byte fuzzing
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_changed_byte_of_the_inspection_export_fails(inspected, data):
    ledger = inspected
    path = ledger.folder / "xc.jsonl"
    if not path.exists():
        add(ledger, 3)
        ledger("add-inspection", "XC2020-9", "--name", "n", "--organisation", "o", "--group", "g", "--kind", "regular", "--start", "2020-01-01", "--end", "2020-01-20", "--feedback", "2020-02-01", "--at", "2020-02-01")
        add(ledger, 2, "nine", inspection="XC2020-9")
        ledger("keygen")
        ledger("export", "--inspection", "XC2019-1", "--out", "xc.jsonl")
    original = path.read_bytes()
    at = data.draw(st.integers(0, len(original) - 1))
    new = data.draw(st.integers(0, 255).filter(lambda b: b != original[at]))
    try:
        path.write_bytes(original[:at] + bytes([new]) + original[at + 1 :])
        result = ledger("verify-export", "xc.jsonl", expect=None)
        summary = ledger("summary", "--from-export", "xc.jsonl", "--format", "json", expect=None)
    finally:
        path.write_bytes(original)
    assert (result.exit_code, summary.exit_code) == (4, 4), (at, new, result.stderr, summary.stderr)


def test_verify_export_against_another_checkpoint_fails(two_inspections):
    ledger = two_inspections
    ledger("export", "--inspection", "XC2020-2", "--out", "xc.jsonl")
    add(ledger, 1, "more")
    (ledger.folder / "later.txt").write_text(ledger.out("checkpoint"), encoding="utf-8")
    result = ledger("verify-export", "xc.jsonl", "--checkpoint", "later.txt", expect=4)
    assert "not to the given checkpoint" in result.stderr
    # Leaving out an event that later events of its problem follow (the sign-off before a
    # reopening) is caught, although every remaining proof is intact.
    lines = (ledger.folder / "xc.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    signoff = max(i for i, line in enumerate(lines) if "SignedOff" in line and '"XC2020-2-1"' not in line and json.loads(line)["originator_id"] == next(json.loads(x)["originator_id"] for x in lines if "Reopened" in x))
    cut = lines[:signoff] + lines[signoff + 1 : -1] + ['{"end":true,"events":%d}\n' % (len(lines) - 3)]
    (ledger.folder / "cut.jsonl").write_text("".join(cut), encoding="utf-8")
    assert "left out" in ledger("verify-export", "cut.jsonl", expect=4).stderr
