"""An independent verifier of consistency proofs and inspection exports.

Written only from docs/tamper-evidence.md ("The Merkle tree" section and the
checkpoint section), with hashlib and cryptography: nothing from ledger/.
Every function raises Refused with the reason when something does not verify.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
import uuid

NAMESPACE = uuid.UUID("7d1c3f0e-5b8a-4c55-9a51-2f6a3b9e1c44")
BEGIN = "-----BEGIN LEDGER CHECKPOINT-----"
END = "-----END LEDGER CHECKPOINT-----"
BLOCK_FIELDS = ("ledger", "sequence", "hash", "head", "time", "tree-size", "tree-root", "public-key", "fingerprint", "signature")
CHECKPOINT_KEYS = ("ledger", "sequence", "hash", "head", "time", "tree_size", "tree_root", "public_key", "fingerprint", "signature")


class Refused(Exception):
    pass


def H(algorithm: str, data: bytes) -> bytes:
    if algorithm == "sha256":
        return hashlib.sha256(data).digest()
    if algorithm == "sm3":
        from cryptography.hazmat.primitives import hashes

        h = hashes.Hash(hashes.SM3())
        h.update(data)
        return h.finalize()
    raise Refused(f"unknown hash {algorithm!r}")


def node(alg: str, left: bytes, right: bytes) -> bytes:
    return H(alg, b"\x01" + left + right)


def leaf(alg: str, seq: int, originator_id: str, version: int, topic: str, state: bytes) -> bytes:
    t = topic.encode("utf-8")
    data = struct.pack(">Q", seq) + bytes.fromhex(originator_id) + struct.pack(">Q", version) + struct.pack(">I", len(t)) + t + struct.pack(">I", len(state)) + state
    return H(alg, b"\x00" + data)


def canonical_line(line: str) -> dict:
    def pairs(items):
        seen = {}
        for k, v in items:
            if k in seen:
                raise Refused(f"duplicate key {k}")
            seen[k] = v
        return seen

    try:
        obj = json.loads(line, object_pairs_hook=pairs)
    except ValueError as e:
        raise Refused(f"not JSON: {e}") from None
    if json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n" != line:
        raise Refused("not canonical")
    return obj


def lower_hex(value, size: int = 32) -> bytes:
    if not isinstance(value, str) or len(value) != 2 * size or value != value.lower():
        raise Refused(f"not {2 * size} lower-case hex digits: {value!r}")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise Refused(f"not hex: {value!r}") from None


def keys(obj, names: tuple) -> None:
    if not isinstance(obj, dict) or tuple(obj) != names:
        raise Refused(f"keys are not {names}")


# -- checkpoints ----------------------------------------------------------------


def fingerprint(raw: bytes) -> str:
    digest = hashlib.sha256(raw).hexdigest()[:40]
    return " ".join(digest[i : i + 4] for i in range(0, 40, 4))


def check_checkpoint(fields: dict, trusted_key: bytes) -> None:
    """fields: [version 3,] ledger, sequence, hash, head, time, tree_size, tree_root, public_key, fingerprint, signature."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    algo, _, b64 = str(fields["public_key"]).partition(" ")
    if algo != "ed25519":
        raise Refused("not an ed25519 key")
    raw = base64.b64decode(b64, validate=True)
    if base64.b64encode(raw).decode() != b64:
        raise Refused("public key is not canonical base64")
    if raw != trusted_key:
        raise Refused("signed by another key")
    if fields["fingerprint"] != fingerprint(raw):
        raise Refused("fingerprint is not the key's")
    signed = (("ledger", "ledger"), ("sequence", "sequence"), ("hash", "hash"), ("head", "head"), ("time", "time"), ("tree-size", "tree_size"), ("tree-root", "tree_root"))
    if fields.get("version") == 3:  # v3 also signs the fingerprint line
        signed += (("fingerprint", "fingerprint"),)
    message = f"rectification-ledger checkpoint v{3 if fields.get('version') == 3 else 2}\n" + "".join(f"{name}: {fields[key]}\n" for name, key in signed)
    signature = base64.b64decode(fields["signature"], validate=True)
    if base64.b64encode(signature).decode() != fields["signature"]:
        raise Refused("signature is not canonical base64")
    try:
        Ed25519PublicKey.from_public_bytes(raw).verify(signature, message.encode("utf-8"))
    except InvalidSignature:
        raise Refused("checkpoint signature does not verify") from None


def parse_block(text: str) -> dict:
    """A v2 block in its canonical form (the document's "read a block only in its canonical form")."""
    start = text.find(BEGIN)
    if start < 0 or text.find(BEGIN, start + 1) >= 0:
        raise Refused("no single checkpoint block")
    end = text.find(END, start)
    if end < 0:
        raise Refused("block not closed")
    lines = text[start : end + len(END)].split("\n")
    fields: dict = {}
    if len(lines) > 1 and lines[1] == "version: 3":  # a v3 block: then the v2 lines
        fields["version"] = 3
        lines = lines[:1] + lines[2:]
    if len(lines) != len(BLOCK_FIELDS) + 2 or lines[0] != BEGIN or lines[-1] != END:
        raise Refused("block has the wrong lines")
    for name, line in zip(BLOCK_FIELDS, lines[1:-1]):
        if not line.startswith(name + ": "):
            raise Refused(f"expected {name}")
        fields[name.replace("-", "_")] = line[len(name) + 2 :]
    for name in ("sequence", "tree_size"):
        if not fields[name].isdigit() or str(int(fields[name])) != fields[name]:
            raise Refused(f"{name} is not a number")
        fields[name] = int(fields[name])
    lower_hex(fields["tree_root"])
    return fields


# -- proofs -------------------------------------------------------------------------


def root_from_inclusion(alg: str, index: int, size: int, r: bytes, path: list) -> bytes:
    if not 0 <= index < size:
        raise Refused("leaf index outside the tree")
    if any(len(x) != 32 for x in [r, *path]):
        raise Refused("a hash is not 32 bytes")
    fn, sn = index, size - 1
    for p in path:
        if sn == 0:
            raise Refused("inclusion path too long")
        if fn % 2 == 1 or fn == sn:
            r = node(alg, p, r)
            if fn % 2 == 0:
                while fn != 0 and fn % 2 == 0:
                    fn //= 2
                    sn //= 2
        else:
            r = node(alg, r, p)
        fn //= 2
        sn //= 2
    if sn != 0:
        raise Refused("inclusion path too short")
    return r


def consistent(alg: str, m: int, n: int, old_root: bytes, new_root: bytes, proof: list) -> bool:
    # The document: m = 0 is refused; every hash is a digest of 32 bytes.
    if not 0 < m <= n or any(len(x) != 32 for x in [old_root, new_root, *proof]):
        return False
    if m == n:
        return not proof and old_root == new_root
    path = list(proof)
    if m & (m - 1) == 0:
        path = [old_root] + path
    if not path:
        return False
    fn, sn = m - 1, n - 1
    while fn % 2 == 1:
        fn //= 2
        sn //= 2
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr = node(alg, c, fr)
            sr = node(alg, c, sr)
            if fn % 2 == 0:
                while fn != 0 and fn % 2 == 0:
                    fn //= 2
                    sn //= 2
        else:
            sr = node(alg, sr, c)
        fn //= 2
        sn //= 2
    return fr == old_root and sr == new_root and sn == 0


def verify_consistency_file(proof_bytes: bytes, old_text: str, new_text: str, trusted_key: bytes) -> str:
    old, new = parse_block(old_text), parse_block(new_text)
    for cp in (old, new):
        check_checkpoint(cp, trusted_key)
    text = proof_bytes.decode("utf-8")
    if not text.endswith("\n") or text.count("\n") != 1:
        raise Refused("a proof is one line")
    proof = canonical_line(text)
    keys(proof, ("format", "version", "ledger", "hash", "old", "new", "proof"))
    if proof["format"] != "rectification-ledger consistency proof" or proof["version"] != 1:
        raise Refused("not a consistency proof")
    if not (proof["ledger"] == old["ledger"] == new["ledger"]) or not (proof["hash"] == old["hash"] == new["hash"]):
        raise Refused("ledger or hash differ")
    for side, cp in (("old", old), ("new", new)):
        keys(proof[side], ("sequence", "tree_size", "tree_root"))
        if (proof[side]["sequence"], proof[side]["tree_size"], proof[side]["tree_root"]) != (cp["sequence"], cp["tree_size"], cp["tree_root"]):
            raise Refused(f"{side} does not match its checkpoint")
    hashes = [lower_hex(p) for p in proof["proof"]]
    alg = proof["hash"]
    if not consistent(alg, old["tree_size"], new["tree_size"], bytes.fromhex(old["tree_root"]), bytes.fromhex(new["tree_root"]), hashes):
        raise Refused("the proof does not show consistency")
    return f"{new['tree_size']} extends {old['tree_size']}"


def verify_inspection_export(data: bytes, trusted_key: bytes) -> dict:
    """Returns the header and the events when everything in the file verifies."""
    text = data.decode("utf-8")
    pieces = text.split("\n")
    if pieces[-1] != "" or len(pieces) < 3:
        raise Refused("lines do not all end in a line feed, or no end line")
    lines = [p + "\n" for p in pieces[:-1]]
    header = canonical_line(lines[0])
    keys(header, ("format", "version", "ledger_id", "hash", "inspection", "checkpoint"))
    if header["format"] != "rectification-ledger inspection export" or header["version"] != 1:
        raise Refused("not an inspection export")
    cp = header["checkpoint"]
    keys(cp, (("version",) if "version" in cp else ()) + CHECKPOINT_KEYS)
    if "version" in cp and (type(cp["version"]) is not int or cp["version"] != 3):
        raise Refused("unknown checkpoint version")
    if header["ledger_id"] != cp["ledger"] or header["hash"] != cp["hash"]:
        raise Refused("header differs from its checkpoint")
    check_checkpoint(cp, trusted_key)
    alg, size, root = cp["hash"], cp["tree_size"], lower_hex(cp["tree_root"])
    end = canonical_line(lines[-1])
    keys(end, ("end", "events"))
    if end["end"] is not True or end["events"] != len(lines) - 2:
        raise Refused("end line count is wrong")
    events, last_seq, last_index, versions = [], -1, -1, {}
    for line in lines[1:-1]:
        e = canonical_line(line)
        field = "state" if "state" in e else "state_b64"
        keys(e, ("seq", "leaf_index", "originator_id", "originator_version", "topic", field, "proof"))
        if e["seq"] <= last_seq or e["leaf_index"] <= last_index:
            raise Refused("not in log order")
        last_seq, last_index = e["seq"], e["leaf_index"]
        lower_hex(e["originator_id"], 16)
        if field == "state":
            state = e["state"].encode("utf-8")
        else:
            state = base64.b64decode(e["state_b64"], validate=True)
            if base64.b64encode(state).decode() != e["state_b64"]:
                raise Refused("state_b64 not canonical")
        lf = leaf(alg, e["seq"], e["originator_id"], e["originator_version"], e["topic"], state)
        if root_from_inclusion(alg, e["leaf_index"], size, lf, [lower_hex(p) for p in e["proof"]]) != root:
            raise Refused(f"event {e['seq']} is not in the signed tree")
        expected = versions.get(e["originator_id"], 0) + 1
        if e["originator_version"] != expected:
            raise Refused(f"event {e['seq']}: a version was left out")
        versions[e["originator_id"]] = expected
        events.append(e)
    if uuid.uuid5(NAMESPACE, f"inspection:{header['inspection']}").hex not in versions:
        raise Refused("the inspection's own events are missing")
    return {"header": header, "events": events}
