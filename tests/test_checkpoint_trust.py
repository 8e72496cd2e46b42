"""Holes 2–5: checkpoints in the log, key trust, export headers, read-only stores.

Each attack here was run against the code before its fix (commit 1d8cab9)
and succeeded there (exit 0, or exit 4 for a clean read-only copy).
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import INSPECTION, Ledger, ledger_executable
from tests.integrity_helpers import edit_state, recompute_chain, truncate_tree, verify_fails


def add(ledger, n: int, prefix: str = "p") -> None:
    for i in range(n):
        ledger("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", f"{prefix}{i}", "--at", "2020-01-15")


@pytest.fixture
def signed(inspected):
    add(inspected, 3)
    inspected("keygen")
    (inspected.folder / "may.checkpoint").write_text(inspected.out("checkpoint") + "\n", encoding="utf-8")
    add(inspected, 2, "later")
    return inspected


# -- hole 2: checkpoints recorded in the store -------------------------------------------------


def test_rewrite_and_recompute_is_caught_by_the_checkpoint_in_the_store(signed):
    edit_state(signed, 4, b"p1", b"pX")  # 1 is the founding event, 2 the inspection, 3.. the problems
    recompute_chain(signed)
    line = verify_fails(signed)
    assert "the checkpoint recorded as event 6" in line and "covers events up to 5" in line
    for command in (["replay"], ["audit", "--verify", "--format", "json"]):
        result = signed(*command, expect=4)
        assert "checkpoint recorded as event 6" in result.stderr
    assert "checkpoint recorded as event 6" in signed("doctor", "--format", "json", expect=4).stdout


def test_a_forged_checkpoint_event_in_the_store_is_caught(signed):
    edit_state(signed, 6, b'"sequence":5', b'"sequence":4')
    recompute_chain(signed)
    assert "signature does not match" in verify_fails(signed, seq=6)


def signing_a_wrong_tree(monkeypatch, forge: str):
    """The key holder signs the true head with a tree of his own making (size or root), e.g. to prove forged events."""
    import ledger.integrity as integrity

    real = integrity.verify_store

    def lying(*args, **kwargs):
        summary, seen = real(*args, **kwargs)
        if forge == "root":
            summary.tree_root = hashlib.sha256(b"another history").digest()
        else:
            summary.tree_size -= 1
        return summary, seen

    context = monkeypatch.context()
    context.__enter__().setattr(integrity, "verify_store", lying)
    return context


@pytest.mark.parametrize("forge", ["root", "size"])
def test_a_recorded_checkpoint_signing_a_wrong_tree_is_caught(signed, monkeypatch, forge):
    context = signing_a_wrong_tree(monkeypatch, forge)
    try:
        signed("checkpoint")  # event 9, covering events up to 8; the head it signs is true
    finally:
        context.__exit__(None, None, None)
    line = verify_fails(signed)
    assert "the checkpoint recorded as event 9" in line and "tree" in line, line
    # The checkpoint recorded as event 6 still proves events up to 5: they part after it.
    assert "first bad sequence number 6 (or a later one up to 8)" in line, line
    assert "checkpoint recorded as event 9" in signed("replay", expect=4).stderr
    assert "checkpoint recorded as event 9" in signed("doctor", "--format", "json", expect=4).stdout


def signed_block(ledger, sequence: int, tree_size: int, tree_root: str) -> str:
    """A block signed with the ledger's own key over the true head at `sequence` and the given tree."""
    from cryptography.hazmat.primitives import serialization

    from ledger.checkpoint import SignedCheckpoint, format_checkpoint_block, raw_public

    key = serialization.load_pem_private_key((ledger.folder / "ledger-signing.key").read_bytes(), password=None)
    ledger_id = ledger.query("SELECT value FROM ledger_meta WHERE key = 'ledger_id'")[0][0]
    head = bytes(ledger.query(f"SELECT digest FROM ledger_chain WHERE seq = {sequence}")[0][0]).hex()
    unsigned = SignedCheckpoint(ledger_id, sequence, "sha256", head, "2020-06-30T00:00:00Z", raw_public(key.public_key()), b"", tree_size, tree_root)
    signature = key.sign(unsigned.message())
    record = SignedCheckpoint(**{**unsigned.__dict__, "signature": signature}).record()
    return format_checkpoint_block(record)


def test_a_kept_checkpoint_signing_a_wrong_tree_is_caught(signed):
    data = signed.json("audit", "--verify")
    seq, size, root = data["head_seq"], data["tree_size"], data["tree_root"]
    assert "holds the history" in signed.out("audit", "--verify", "--checkpoint", signed_block(signed, seq, size, root))
    for tree_size, tree_root in ((size - 1, root), (size, hashlib.sha256(b"another history").hexdigest())):
        line = verify_fails(signed, "--checkpoint", signed_block(signed, seq, tree_size, tree_root))
        assert f"signs tree size {tree_size} root {tree_root}" in line and f"give tree size {size} root {root}" in line, line


# -- hole 3: whose key signed the block --------------------------------------------------------


def forged_block(ledger, tmp_path: Path) -> str:
    """An attacker's block: his own key and signature, with the genuine fingerprint line copied in."""
    genuine = (ledger.folder / "may.checkpoint").read_text(encoding="utf-8")
    other = Ledger(tmp_path / "attacker")
    (tmp_path / "attacker").mkdir()
    other("init")
    other("keygen")
    theirs = other.out("checkpoint")
    fingerprint_line = next(l for l in genuine.splitlines() if l.startswith("fingerprint:"))
    return "\n".join(fingerprint_line if l.startswith("fingerprint:") else l for l in theirs.splitlines())


def test_resigned_block_with_a_copied_fingerprint_line_is_refused(signed, tmp_path):
    block = forged_block(signed, tmp_path)
    outside = tmp_path / "verifier"
    outside.mkdir()
    export = outside / "e.jsonl"
    signed("export", "--out", export)
    # No .pub at hand: the fingerprint line must match the key in the block.
    result = signed("verify-export", export, "--checkpoint", block, expect=4)
    assert "is not the fingerprint of its public key" in result.stderr


def test_block_with_its_own_key_is_not_trusted_unless_pinned(signed, tmp_path):
    genuine = (signed.folder / "may.checkpoint").read_text(encoding="utf-8")
    fingerprint = next(l for l in genuine.splitlines() if l.startswith("fingerprint:")).split(":", 1)[1].strip()
    export = tmp_path / "e.jsonl"
    signed("export", "--out", export)
    (signed.folder / "ledger-signing.key.pub").rename(tmp_path / "kept.pub")
    result = signed("audit", "--verify", "--checkpoint", "may.checkpoint", expect=4)
    assert "signature valid, key not trusted" in result.stderr
    assert "signature valid, key not trusted" in signed("verify-export", export, "--checkpoint", genuine, expect=4).stderr
    assert "pinned fingerprint" in signed.out("audit", "--verify", "--checkpoint", "may.checkpoint", "--fingerprint", fingerprint)
    assert "pinned fingerprint" in signed.out("verify-export", export, "--checkpoint", genuine, "--fingerprint", fingerprint.upper().replace(" ", ""))
    assert "trusted key" in signed.out("audit", "--verify", "--checkpoint", "may.checkpoint", "--public-key", tmp_path / "kept.pub")
    wrong = "0" * 40
    assert "not by a key whose fingerprint was given" in signed("audit", "--verify", "--checkpoint", "may.checkpoint", "--fingerprint", wrong, expect=4).stderr
    assert "not a key fingerprint" in signed("audit", "--verify", "--checkpoint", "may.checkpoint", "--fingerprint", "abc", expect=2).stderr


def test_altered_fingerprint_line_is_refused(signed):
    genuine = (signed.folder / "may.checkpoint").read_text(encoding="utf-8")
    altered = genuine.replace("fingerprint: ", "fingerprint: 0000 ", 1).replace(genuine.split("fingerprint: ")[1][:5], "", 1)
    assert "fingerprint" in signed("audit", "--verify", "--checkpoint", altered, expect=4).stderr


def test_the_fingerprint_line_is_inside_the_signature(signed):
    genuine = (signed.folder / "may.checkpoint").read_text(encoding="utf-8")
    assert genuine.splitlines()[1] == "version: 3"
    line = next(l for l in genuine.splitlines() if l.startswith("fingerprint: "))
    # Spelled otherwise, it still names the block's key, but it is not the line that was signed.
    respelled = genuine.replace(line, "fingerprint: " + line.removeprefix("fingerprint: ").replace(" ", "").upper())
    assert "signature does not match" in signed("audit", "--verify", "--checkpoint", respelled, expect=4).stderr
    for cut in ("version: 3\n", line + "\n"):  # read as a v2 block, or without the signed line
        assert "signature does not match" in signed("audit", "--verify", "--checkpoint", genuine.replace(cut, ""), expect=4).stderr
    assert "holds the history" in signed.out("audit", "--verify", "--checkpoint", genuine)
    # The checkpoint recorded in the store signs its fingerprint too: a recorded one re-spelled is caught.
    edit_state_all(signed, line.removeprefix("fingerprint: ").encode(), line.removeprefix("fingerprint: ").replace(" ", "").encode())
    recompute_chain(signed)
    assert "recorded checkpoint" in verify_fails(signed, seq=6)


def edit_state_all(ledger, old: bytes, new: bytes) -> None:
    from tests.integrity_helpers import position

    pos = position(ledger)
    for seq, state in ledger.query(f"SELECT {pos}, state FROM stored_events"):
        if old in bytes(state):
            edit_state(ledger, seq, old, new)


def test_old_checkpoints_still_verify(signed, monkeypatch):
    """v1 (before the tree) and v2 (tree, fingerprint not signed) blocks, kept and recorded, verify as before."""
    import ledger.checkpoint as checkpoint

    monkeypatch.setattr(checkpoint, "VERSION", 2)  # as the version before v3 signed
    v2 = signed.out("checkpoint")  # recorded as event 7, covering events up to 6
    monkeypatch.setattr(checkpoint, "VERSION", 3)
    assert "version:" not in v2 and "tree-root:" in v2
    data = signed.json("audit", "--verify")
    assert data["checkpoints_in_log"] == 2
    assert "holds the history" in signed.out("audit", "--verify", "--checkpoint", v2)
    from tests.test_merkle import v1_block

    ledger_id = signed.query("SELECT value FROM ledger_meta WHERE key = 'ledger_id'")[0][0]
    head = bytes(signed.query("SELECT digest FROM ledger_chain WHERE seq = 4")[0][0]).hex()
    assert "holds the history" in signed.out("audit", "--verify", "--checkpoint", v1_block(signed.folder, 4, head, ledger_id))
    # The independent verifier (written from the document) reads all three versions.
    from tests.independent_verifier import parse_blocks, verify_block

    trusted = base64.b64decode((signed.folder / "ledger-signing.key.pub").read_text().split()[1])
    for text in (v2, v1_block(signed.folder, 4, head, ledger_id), (signed.folder / "may.checkpoint").read_text(encoding="utf-8")):
        (block,) = parse_blocks(text)
        verify_block(block, trusted_key=trusted)
    (block,) = parse_blocks(v2.replace("tree-size: ", "version: 3\ntree-size: "))
    with pytest.raises(Exception, match="signature invalid"):
        verify_block(block, trusted_key=trusted)


def test_several_checkpoints_files_and_folders(signed, tmp_path):
    signed("checkpoint", "--out", "june.checkpoint")
    folder = tmp_path / "kept"
    folder.mkdir()
    shutil.copy(signed.folder / "may.checkpoint", folder / "may.txt")
    shutil.copy(signed.folder / "june.checkpoint", folder / "june.txt")
    (folder / "notes.txt").write_text("no block here\n", encoding="utf-8")
    data = signed.json("audit", "--verify", "--checkpoint", folder, "--checkpoint", "may.checkpoint")
    assert [c["sequence"] for c in data["checkpoints"]] == [8, 5, 5]
    assert "already exists" in signed("checkpoint", "--out", "june.checkpoint", expect=2).stderr
    # One that no longer matches is named.
    (folder / "june.txt").write_text((folder / "june.txt").read_text().replace("sequence: 8", "sequence: 7"), encoding="utf-8")
    result = signed("audit", "--verify", "--checkpoint", folder, expect=4)
    assert "june.txt" in result.stderr


# -- hole 4: the export header ----------------------------------------------------------------


def rewrite_export(path: Path, header_change: dict, *, keep_signature: bool = False, resign_header: bool = True) -> None:
    """An insider's forgery: change the header, recompute every digest an unkeyed reader could check."""
    import hashlib

    lines = [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines()]
    lines[0].update(header_change)
    header_line = json.dumps(lines[0], ensure_ascii=False, separators=(",", ":"))
    end = lines[-1]
    if resign_header:
        end["header_digest"] = hashlib.sha256(header_line.encode()).hexdigest()
    if not keep_signature:
        end.pop("signature", None)
        end.pop("public_key", None)
    body = [header_line] + [json.dumps(l, ensure_ascii=False, separators=(",", ":")) for l in lines[1:]]
    path.write_text("\n".join(body) + "\n", encoding="utf-8")


def test_export_header_is_covered(signed, tmp_path):
    export = tmp_path / "e.jsonl"
    signed("export", "--out", export)
    assert "signed by the trusted key" in signed.out("verify-export", export)
    original = export.read_text(encoding="utf-8")
    # Header changed, header digest not recomputed: caught by anyone.
    rewrite_export(export, {"created_at": "2019-01-01T00:00:00+00:00"}, keep_signature=True, resign_header=False)
    assert "header_digest differs" in signed("verify-export", export, expect=4).stderr
    # Recomputed but the signature kept: the signature does not match.
    export.write_text(original, encoding="utf-8")
    rewrite_export(export, {"created_at": "2019-01-01T00:00:00+00:00"}, keep_signature=True)
    assert "signature does not match" in signed("verify-export", export, expect=4).stderr
    # Signature stripped too: refused against a trusted checkpoint (another ledger's id)…
    export.write_text(original, encoding="utf-8")
    rewrite_export(export, {"ledger_id": "00000000-0000-0000-0000-000000000000"})
    result = signed("verify-export", export, "--checkpoint", "may.checkpoint", expect=4)
    # (the checkpoint recorded among the exported events already says so, before the one given)
    assert "is for ledger" in result.stderr or "is a checkpoint of ledger" in result.stderr
    # …and import-log refuses any export that does not verify.
    restored = Ledger(tmp_path / "r")
    (tmp_path / "r").mkdir()
    restored("init")
    assert "later0" in original
    export.write_text(original.replace("later0", "laterX", 1), encoding="utf-8")
    assert "first bad sequence number" in restored("import-log", export, expect=4).stderr
    (tmp_path / "not.jsonl").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert "is not a ledger export" in restored("import-log", tmp_path / "not.jsonl", expect=2).stderr
    (tmp_path / "empty.jsonl").write_text("", encoding="utf-8")
    assert "is not a ledger export" in restored("verify-export", tmp_path / "empty.jsonl", expect=2).stderr


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "edit",
    [
        lambda e: e.update(originator_version=str(e["originator_version"])),
        lambda e: e.update(originator_id=e["originator_id"].upper()),
        lambda e: e.update(extra=1),
        lambda e: e.update(state_b64=__import__("base64").b64encode(e.pop("state").encode()).decode()),
    ],
    ids=["version-as-text", "id-upper", "unknown-key", "state-as-b64"],
)
def test_export_re_encodings_are_refused(signed, tmp_path, edit):
    export = tmp_path / "e.jsonl"
    signed("export", "--out", export)
    lines = [json.loads(l) for l in export.read_text(encoding="utf-8").splitlines()]
    edit(lines[2])
    export.write_text("\n".join(json.dumps(l, ensure_ascii=False, separators=(",", ":")) for l in lines) + "\n", encoding="utf-8")
    result = signed("verify-export", export, expect=4)
    assert "Traceback" not in result.stderr
    text = export.read_text(encoding="utf-8").replace('"seq":2,', '"seq":2,"seq":2,', 1)
    export.write_text(text, encoding="utf-8")
    signed("verify-export", export, expect=4)


# -- hole 5: read-only stores --------------------------------------------------------------------

READ_COMMANDS = [["audit", "--verify"], ["status"], ["replay"], ["doctor"], ["audit"], ["summary"], ["history", "XC2019-1-1"], ["show", "XC2019-1-1"]]


def _can_mount_read_only(tmp_path: Path) -> bool:
    if not shutil.which("unshare"):
        return False
    (tmp_path / "probe-a").mkdir()
    (tmp_path / "probe-b").mkdir()
    done = subprocess.run(["unshare", "-rm", "sh", "-c", f"mount --bind -o ro {tmp_path / 'probe-a'} {tmp_path / 'probe-b'}"], capture_output=True)
    return done.returncode == 0


@pytest.mark.sqlite_only
def test_read_only_mount_verifies_as_it_is(signed, tmp_path):
    """A clean copy on a read-only mount (bind-mounted read-only in a private mount namespace)."""
    if not _can_mount_read_only(tmp_path):
        pytest.skip("cannot make a read-only mount here (no unshare or user namespaces)")
    archive = tmp_path / "archive"
    archive.mkdir()
    for name in ("ledger.db", "ledger.yaml", "ledger-signing.key.pub", "may.checkpoint"):
        shutil.copy(signed.folder / name, archive / name)
    mount = tmp_path / "mnt"
    mount.mkdir()
    exe = ledger_executable()
    script = [f"mount --bind -o ro {archive} {mount}", f"cd {mount}", "touch probe 2>/dev/null && exit 99"]
    for args in READ_COMMANDS + [["audit", "--verify", "--checkpoint", "may.checkpoint"], ["export", "--out", str(tmp_path / "e.jsonl")]]:
        script.append(f"LEDGER_ACTOR=clerk LEDGER_LANG=en {exe} {' '.join(args)} >/dev/null || {{ echo FAILED {' '.join(args)} >&2; exit 1; }}")
    script.append(f"LEDGER_ACTOR=clerk {exe} add-problem --inspection XC2019-1 --category c --title t; echo write-exit=$?")
    done = subprocess.run(["unshare", "-rm", "sh", "-c", "\n".join(script)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "write-exit=1" in done.stdout and "Traceback" not in done.stderr


@pytest.mark.sqlite_only
def test_read_only_file_and_folder(signed, tmp_path):
    """chmod'ed read-only (meaningful when not root: root ignores file modes)."""
    archive = tmp_path / "ro"
    archive.mkdir()
    for name in ("ledger.db", "ledger.yaml", "ledger-signing.key.pub"):
        shutil.copy(signed.folder / name, archive / name)
    for p in archive.iterdir():
        p.chmod(0o444)
    archive.chmod(0o555)
    try:
        copy = Ledger(archive)
        for args in READ_COMMANDS:
            copy(*args)
    finally:
        archive.chmod(0o755)


def test_read_only_postgresql_login(signed, pg_server, request):
    if not signed.store:
        pytest.skip("a PostgreSQL login")
    from ledger.store import parse_pg_url

    location = parse_pg_url(signed.store)
    role = f"auditor_{location.dbname}"[:60]
    with pg_server.connect(location.dbname) as con:
        con.execute(f'CREATE ROLE "{role}" LOGIN')
        con.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"')
    try:
        url = pg_server.url(location.dbname, user=role)
        reader = Ledger(signed.folder, url)
        for args in READ_COMMANDS + [["audit", "--verify", "--checkpoint", "may.checkpoint"]]:
            reader(*args)
        assert "Traceback" not in reader("add-problem", "--inspection", "XC2019-1", "--category", "c", "--title", "t", expect=1).stderr
    finally:
        with pg_server.connect(location.dbname) as con:
            con.execute(f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{role}"')
        with pg_server.connect() as con:
            con.execute(f'DROP OWNED BY "{role}"') if False else None


# -- every kind of tampering, on both stores ----------------------------------------------------


@pytest.mark.parametrize("kind", ["edit", "delete", "delete-with-link", "insert", "move", "reorder", "truncate"])
def test_every_kind_of_tampering_on_both_stores(signed, kind):
    """The basic kinds, by plain SQL on either store: exit 4 naming the event or the checkpoint."""
    pos = "notification_id" if signed.store else "rowid"
    rows = signed.query(f"SELECT {pos}, originator_id, originator_version, topic, state FROM stored_events ORDER BY {pos}")
    if kind == "edit":
        edit_state(signed, 4, b"p1", b"pY")
        verify_fails(signed, seq=4)
    elif kind == "delete":
        signed.execute(f"DELETE FROM stored_events WHERE {pos} = 3")
        verify_fails(signed, seq=3)
    elif kind == "delete-with-link":
        signed.execute(f"DELETE FROM stored_events WHERE {pos} = 3", "DELETE FROM ledger_chain WHERE seq = 3")
        verify_fails(signed, seq=3)
    elif kind == "insert":
        seq, oid, version, topic, state = rows[-1]
        if signed.store:
            signed.query(f"INSERT INTO stored_events ({pos}, originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?, ?)", (seq + 1, oid, version + 1, topic, bytes(state)))
        else:
            signed.execute(f"INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) VALUES ({seq + 1}, '{oid}', {version + 1}, '{topic}', X'{bytes(state).hex()}')")
        verify_fails(signed, seq=seq + 1)
    elif kind == "move":  # an event moved to another aggregate
        other = rows[1][1]
        if signed.store:
            signed.query(f"UPDATE stored_events SET originator_id = ?, originator_version = 99 WHERE {pos} = 3", (other,))
        else:
            signed.execute(f"UPDATE stored_events SET originator_id = '{other}', originator_version = 99 WHERE rowid = 3")
        verify_fails(signed, seq=3)
    elif kind == "reorder":  # two events' contents swapped in the log
        (_, _, _, topic3, state3), (_, _, _, topic4, state4) = rows[2], rows[3]
        for seq, topic, state in ((3, topic4, state4), (4, topic3, state3)):
            if signed.store:
                signed.query(f"UPDATE stored_events SET topic = ?, state = ? WHERE {pos} = ?", (topic, bytes(state), seq))
            else:
                signed.execute(f"UPDATE stored_events SET topic = '{topic}', state = X'{bytes(state).hex()}' WHERE rowid = {seq}")
        verify_fails(signed, seq=3)
    else:  # the newest events, the recorded checkpoint among them, cut off: the kept block sees it
        signed.execute(f"DELETE FROM stored_events WHERE {pos} >= 5", "DELETE FROM ledger_chain WHERE seq >= 5")
        truncate_tree(signed, 4)
        # The chain alone is consistent; the derived rows of the cut events are not (issue 24).
        # (the cut events' committed row digests are left over first: the digest check names them)
        found = verify_fails(signed)
        assert "no event creates it" in found or "derived-row digests recorded but no event" in found, found
        signed.execute(f"DELETE FROM stored_events WHERE {pos} >= 4", "DELETE FROM ledger_chain WHERE seq >= 4",
                       "DELETE FROM ledger_row_digests WHERE seq >= 4")  # a careful insider cuts the digests too
        truncate_tree(signed, 3)
        assert "history truncated" in verify_fails(signed, "--checkpoint", "may.checkpoint")


def test_an_export_holding_a_checkpoint_that_signs_a_wrong_tree_is_refused(signed, monkeypatch, tmp_path):
    """The key holder's export: a recorded checkpoint signing the true head with another tree, every link valid."""
    import ledger.integrity as integrity

    forged = hashlib.sha256(b"another history").digest()
    real_verify, real_heads = integrity.verify_store, integrity._tree_heads

    def lying_verify(*args, **kwargs):
        summary, seen = real_verify(*args, **kwargs)
        summary.tree_root = forged
        return summary, seen

    def lying_heads(*args):
        lookup = real_heads(*args)
        return lambda seqs: {s: (v[0], forged) if s == 8 else v for s, v in lookup(seqs).items()}

    with monkeypatch.context() as m:
        m.setattr(integrity, "verify_store", lying_verify)
        signed("checkpoint")  # event 9, covering events up to 8, signing the forged root
        # Only so that `export` writes the file the key holder could write by hand: its store check is told the same lie.
        m.setattr(integrity, "verify_store", real_verify)
        m.setattr(integrity, "_tree_heads", lying_heads)
        signed("export", "--out", tmp_path / "e.jsonl")
    assert "checkpoint recorded as event 9" in verify_fails(signed)
    result = signed("verify-export", tmp_path / "e.jsonl", expect=4)
    assert "tree" in result.stderr and "Traceback" not in result.stderr, result.stderr
