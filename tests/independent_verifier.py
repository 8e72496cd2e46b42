"""An export and checkpoint verifier written only from docs/tamper-evidence.md.

It imports nothing from the ledger: Python's hashlib and json, and the
`cryptography` package (Ed25519, SM3). It is what an auditor could write to
check the ledger's output without trusting the ledger's own program: the
chain, the export's spelling rule, checkpoint blocks and signed end lines under
the one trust rule, and every act's signer, meaning and roles against the
tables it reads from the document's markdown (`doc_tables`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class Refused(Exception):
    """The export or block does not verify."""


LAYOUT = (
    "digest(n) = H(digest(prev) [32 bytes, zeros for the first] || u64be(n) || originator_id [16 bytes] "
    "|| u64be(originator_version) || u32be(len(topic)) || topic [UTF-8] || u32be(len(state)) || state)"
)
HEADER_KEYS = {"format", "version", "ledger_id", "created_at", "hash", "since", "base_seq", "base_digest", "layout"}
EVENT_KEYS = {"seq", "prev", "originator_id", "originator_version", "topic", "digest"}
END_KEYS = {"end", "events", "head_seq", "head_digest", "header_digest", "public_key", "signature"}
HEX64 = re.compile(r"[0-9a-f]{64}\Z")
HEX32 = re.compile(r"[0-9a-f]{32}\Z")


def H(algorithm: str, data: bytes) -> bytes:
    if algorithm == "sha256":
        return hashlib.sha256(data).digest()
    if algorithm == "sm3":
        h = hashes.Hash(hashes.SM3())
        h.update(data)
        return h.finalize()
    raise Refused(f"unknown hash {algorithm!r}")


def _object(line: str) -> dict[str, Any]:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise Refused("duplicate key")
        return dict(pairs)

    try:
        value = json.loads(line, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as e:
        raise Refused(f"not JSON: {e}") from None
    if not isinstance(value, dict):
        raise Refused("not an object")
    return value


def _int(value: Any) -> bool:
    return type(value) is int and value >= 0


def ed25519_key(text: str) -> bytes:
    parts = text.split()
    if len(parts) != 2 or parts[0] != "ed25519":
        raise Refused("public key is not 'ed25519 BASE64'")
    raw = base64.b64decode(parts[1], validate=True)
    if len(raw) != 32:
        raise Refused("public key is not 32 bytes")
    return raw


def fingerprint_hex(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:40]


def canonical_line(line: str) -> None:
    """The document's one spelling rule: the line is what re-serialising its parsed object gives."""
    if json.dumps(_object(line), ensure_ascii=False, separators=(",", ":")) != line:
        raise Refused("a line is not written as ledger writes it (spacing or \\u escapes)")


def trusted(raw: bytes, trusted_key: bytes | None, fingerprint: str | None, what: str) -> None:
    """The document's one trust rule: a signature counts only if made by a trusted key (or one with the pinned fingerprint)."""
    if trusted_key is not None:
        if raw != trusted_key:
            raise Refused(f"{what} signed by another key")
    elif fingerprint is not None:
        if "".join(fingerprint.replace(":", "").split()).lower() != fingerprint_hex(raw):
            raise Refused(f"{what}: key is not the pinned one")
    else:
        raise Refused("signature valid, key not trusted")


def verify_export(data: bytes, *, trusted_key: bytes | None = None, fingerprint: str | None = None) -> dict[str, Any]:
    """Check every line of an export; returns the header, head, and every digest by sequence number."""
    if not data.endswith(b"\n"):
        raise Refused("the last line does not end in \\n")
    text = data.decode("utf-8")  # UnicodeDecodeError: not UTF-8
    lines = text[:-1].split("\n")
    if any(line.endswith("\r") for line in lines):
        raise Refused("a line ends in \\r\\n")
    if len(lines) < 2:
        raise Refused("no end line")
    for line in lines:
        canonical_line(line)
    header = _object(lines[0])
    if set(header) != HEADER_KEYS or header["format"] != "rectification-ledger export" or header["version"] != 1:
        raise Refused("not a version 1 export header")
    if header["layout"] != LAYOUT or header["hash"] not in ("sha256", "sm3"):
        raise Refused("layout or hash altered")
    if not (_int(header["since"]) and _int(header["base_seq"]) and HEX64.match(str(header["base_digest"]))):
        raise Refused("garbled base")
    algorithm = header["hash"]
    prev_seq, prev_digest = header["base_seq"], bytes.fromhex(header["base_digest"])
    digests = {prev_seq: prev_digest}
    row_digests: dict[tuple[str, str], bytes] = {}  # the latest committed digest of each derived row
    recorded_checkpoints = []
    for line in lines[1:-1]:
        e = _object(line)
        extra = set(e) - EVENT_KEYS - {"rows"}
        if not EVENT_KEYS <= set(e) or extra not in ({"state"}, {"state_b64"}):
            raise Refused(f"event keys {sorted(e)}")
        seq = e["seq"]
        if not (_int(seq) and _int(e["prev"]) and _int(e["originator_version"]) and e["originator_version"] < 2**64):
            raise Refused(f"event {seq}: a number is not an integer")
        if type(e["originator_id"]) is not str or not HEX32.match(e["originator_id"]) or type(e["topic"]) is not str:
            raise Refused(f"event {seq}: originator_id or topic not as written")
        if not HEX64.match(str(e["digest"])):
            raise Refused(f"event {seq}: digest not lower-case hex")
        if "state" in e:
            if type(e["state"]) is not str:
                raise Refused(f"event {seq}: state is not text")
            state = e["state"].encode("utf-8")
        else:
            state = base64.b64decode(e["state_b64"], validate=True)
            if base64.b64encode(state).decode() != e["state_b64"]:
                raise Refused(f"event {seq}: state_b64 not canonical")
            try:
                state.decode("utf-8")
                raise Refused(f"event {seq}: UTF-8 state given as state_b64")
            except UnicodeDecodeError:
                pass
        if e["prev"] != prev_seq or seq <= prev_seq:
            raise Refused(f"event {seq}: does not link to {prev_seq}")
        topic = e["topic"].encode("utf-8")
        covered = (
            prev_digest
            + struct.pack(">Q", seq)
            + bytes.fromhex(e["originator_id"])
            + struct.pack(">Q", e["originator_version"])
            + struct.pack(">I", len(topic)) + topic
            + struct.pack(">I", len(state)) + state
        )
        if "rows" in e:  # the derived rows this event's transaction wrote: R(n) follows the event's bytes
            covered += row_set_digest(algorithm, e["rows"], seq)
            for table, key, _, digest_hex in e["rows"]:
                row_digests[(table, key)] = bytes.fromhex(digest_hex)
        digest = H(algorithm, covered)
        if digest.hex() != e["digest"]:
            raise Refused(f"event {seq}: digest does not match")
        if e["topic"] == "ledger.checkpoint:Checkpoint.Recorded":
            recorded_checkpoints.append((seq, json.loads(state)))
        prev_seq, prev_digest = seq, digest
        digests[seq] = digest
    end = _object(lines[-1])
    if end.get("end") is not True or not set(end) <= END_KEYS:
        raise Refused("not an end line")
    if end["events"] != len(lines) - 2 or end["head_seq"] != prev_seq or end["head_digest"] != prev_digest.hex():
        raise Refused("end line does not match the events")
    header_digest = H(algorithm, lines[0].encode("utf-8")).hex()
    if "header_digest" in end and end["header_digest"] != header_digest:
        raise Refused("header altered")
    signed_by = None
    if "signature" in end or "public_key" in end:
        raw = ed25519_key(end["public_key"])
        message = (
            "rectification-ledger export v1\n"
            f"ledger: {header['ledger_id']}\nheader: {end['header_digest']}\nevents: {end['events']}\n"
            f"head_seq: {end['head_seq']}\nhead: {end['head_digest']}\n"
        ).encode("utf-8")
        try:
            Ed25519PublicKey.from_public_bytes(raw).verify(base64.b64decode(end["signature"], validate=True), message)
        except InvalidSignature:
            raise Refused("export signature invalid") from None
        trusted(raw, trusted_key, fingerprint, "export")
        signed_by = raw
    for seq, cp in recorded_checkpoints:
        message = checkpoint_message(
            cp["ledger_id"], cp["sequence"], cp["algorithm"], cp["head"], cp["time"], cp.get("tree_size"), cp.get("tree_root"), cp.get("checkpoint_version"), cp["fingerprint"]
        )
        raw = ed25519_key(cp["public_key"])
        try:
            Ed25519PublicKey.from_public_bytes(raw).verify(base64.b64decode(cp["signature"], validate=True), message)
        except InvalidSignature:
            raise Refused(f"recorded checkpoint {seq}: signature invalid") from None
        if cp["ledger_id"] != header["ledger_id"] or not cp["sequence"] < seq:
            raise Refused(f"recorded checkpoint {seq}: not of this ledger")
        if cp["sequence"] in digests and digests[cp["sequence"]].hex() != cp["head"]:
            raise Refused(f"recorded checkpoint {seq}: history differs")
    return {"header": header, "head_seq": prev_seq, "head_digest": prev_digest.hex(), "digests": digests, "signed_by": signed_by, "row_digests": row_digests}


def row_set_digest(algorithm: str, rows: Any, seq: int) -> bytes:
    """R(n): H over the entries [table, key, ord, digest] by table (UTF-8 bytes), then ord."""
    if type(rows) is not list or not rows:
        raise Refused(f"event {seq}: rows is not a list of entries")
    entries = []
    for entry in rows:
        if type(entry) is not list or len(entry) != 4 or type(entry[0]) is not str or type(entry[1]) is not str or not _int(entry[2]) or not HEX64.match(str(entry[3])):
            raise Refused(f"event {seq}: a rows entry is not [table, key, ord, digest]")
        entries.append((entry[0].encode("utf-8"), entry[1].encode("utf-8"), entry[2], bytes.fromhex(entry[3])))
    data = b""
    for table, key, order, digest in sorted(entries, key=lambda x: (x[0], x[2])):
        data += struct.pack(">I", len(table)) + table + struct.pack(">I", len(key)) + key + struct.pack(">I", order) + digest
    return H(algorithm, data)


def row_digest(algorithm: str, table: str, values: list[Any]) -> bytes:
    """A derived row's digest: H of the UTF-8 JSON array [table, its columns in the documented order], no spaces."""
    for value in values:
        if value is not None and type(value) not in (int, str):
            raise Refused(f"{table}: a column holds a {type(value).__name__}, which the ledger never writes")
    return H(algorithm, json.dumps([table, *values], ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


# The columns of each derived table's row form, in order (docs/tamper-evidence.md, "Derived rows").
ROW_COLUMNS = {
    "ledger_inspections": ("code", "data"),
    "ledger_problems": (
        "id", "inspection", "number", "category", "unit", "status", "type", "deadline", "relapses", "rules", "funds_fen",
        "accountable", "clues", "data", "title", "person", "measures_done", "measures_total", "escalation", "parent",
    ),
}


def check_derived_rows(algorithm: str, row_digests: dict[tuple[str, str], bytes], stored: dict[str, list[tuple[Any, ...]]]) -> None:
    """Every stored derived row (its ROW_COLUMNS, key first) has exactly the latest digest the export committed, and none is missing."""
    seen = set()
    for table, rows in stored.items():
        for row in rows:
            key = row[0]
            seen.add((table, key))
            if row_digests.get((table, key)) != row_digest(algorithm, table, list(row)):
                raise Refused(f"{table}: {key} differs from its committed digest")
    for table, key in row_digests:
        if (table, key) not in seen:
            raise Refused(f"{table}: {key} has a committed digest but no row")


def checkpoint_message(
    ledger: str, sequence: int, algorithm: str, head: str, time: str, tree_size: object = None, tree_root: object = None, version: object = None, fingerprint: object = None
) -> bytes:
    body = f"ledger: {ledger}\nsequence: {sequence}\nhash: {algorithm}\nhead: {head}\ntime: {time}\n"
    if version == 3:  # v3: the tree and the fingerprint line, as printed, are signed
        tree = f"tree-size: {'' if tree_size is None else tree_size}\ntree-root: {tree_root or ''}\n"
        return ("rectification-ledger checkpoint v3\n" + body + tree + f"fingerprint: {fingerprint or ''}\n").encode("utf-8")
    if tree_size is None:  # v1: made before the Merkle tree
        return ("rectification-ledger checkpoint v1\n" + body).encode("utf-8")
    return ("rectification-ledger checkpoint v2\n" + body + f"tree-size: {tree_size}\ntree-root: {tree_root}\n").encode("utf-8")


def parse_blocks(text: str) -> list[dict[str, str]]:
    blocks = re.findall(r"-----BEGIN LEDGER CHECKPOINT-----(.*?)-----END LEDGER CHECKPOINT-----", text, re.S)
    out = []
    for body in blocks:
        fields: dict[str, str] = {}
        for line in body.strip().splitlines():
            name, sep, value = line.partition(":")
            name = name.strip().lower()
            if not sep or name in fields or name not in {"version", "ledger", "sequence", "hash", "head", "time", "tree-size", "tree-root", "public-key", "fingerprint", "signature"}:
                raise Refused(f"bad block line {line!r}")
            fields[name] = value.strip()
        if fields.get("version", "3") != "3":
            raise Refused("unknown checkpoint version")
        out.append(fields)
    return out


def verify_block(block: dict[str, str], *, trusted_key: bytes | None = None, fingerprint: str | None = None) -> None:
    """A block verifies only against a trusted key or a pinned fingerprint."""
    raw = ed25519_key(block["public-key"])
    if "fingerprint" in block and "".join(block["fingerprint"].split()).lower() != fingerprint_hex(raw):
        raise Refused("fingerprint line is not the key's")
    version = 3 if block.get("version") == "3" else None
    message = checkpoint_message(
        block["ledger"], int(block["sequence"]), block["hash"], block["head"], block["time"], block.get("tree-size"), block.get("tree-root"), version, block.get("fingerprint")
    )
    try:
        Ed25519PublicKey.from_public_bytes(raw).verify(base64.b64decode(block["signature"], validate=True), message)
    except InvalidSignature:
        raise Refused("checkpoint signature invalid") from None
    trusted(raw, trusted_key, fingerprint, "checkpoint")


def export_holds(verified: dict[str, Any], block: dict[str, str]) -> None:
    """The export holds the history the block covered."""
    sequence = int(block["sequence"])
    if block["ledger"] != verified["header"]["ledger_id"] or block["hash"] != verified["header"]["hash"]:
        raise Refused("checkpoint of another ledger")
    if sequence == 0:
        return
    digest = verified["digests"].get(sequence)
    if digest is None or digest.hex() != block["head"]:
        raise Refused("history differs from the checkpoint")


# -- signed acts, from the section "Signed acts" and its generated tables --------------------------------------

AUTHORITY = uuid.UUID("e789fc1c-384e-5f4a-ae77-abb4feefca10")


@dataclass
class Tables:
    """The document's tables: roles per act (`None` key: any other act), meanings per event topic (None: any act)."""

    roles: dict[str | None, set[str]]
    own_act: dict[str, str | None]
    meanings: dict[str, set[str] | None]
    authority_topics: set[str]


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def _ticked(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def doc_tables(markdown: str) -> Tables:
    """Read the generated tables of docs/tamper-evidence.md (the markdown, nothing of the ledger's code)."""
    body = markdown.split("<!-- BEGIN GENERATED", 1)[1].split("<!-- END GENERATED -->", 1)[0]
    tables: list[list[dict[str, str]]] = []  # each row by its column's heading, so added columns change nothing
    for block in re.split(r"\n\s*\n", body):
        rows = [line for line in block.splitlines() if line.startswith("|")]
        if rows:
            heads = _cells(rows[0])
            tables.append([dict(zip(heads, _cells(r))) for r in rows[2:]])  # past the heading and the |---| line
    acts, events, people = tables
    roles: dict[str | None, set[str]] = {}
    for row in acts:
        act, allowed = row["act (`meaning`)"], row["roles, any one of"]
        roles[None if act == "any other act" else _ticked(act)[0]] = set(_ticked(allowed))
    own: dict[str, str | None] = {}
    meanings: dict[str, set[str] | None] = {}
    for row in events:
        name = _ticked(row["event topic"])[0]
        own[name] = (_ticked(row["its own act"]) or [None])[0]
        allowed = _ticked(row["meanings it may be signed with"])
        meanings[name] = set(allowed) if allowed else None
    return Tables(roles, own, meanings, {_ticked(row["event topic"])[0] for row in people})


def spaced(fingerprint: str) -> str:
    return " ".join(fingerprint[i : i + 4] for i in range(0, 40, 4))


def act_message(ledger_id: str, originator_id: str, version: int, topic: str, sig: dict[str, Any], state: dict[str, Any]) -> bytes:
    content = json.dumps({k: v for k, v in state.items() if k != "act_signature"}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return (
        "rectification-ledger act v1\n"
        f"ledger: {ledger_id}\naggregate: {uuid.UUID(hex=originator_id)}\nversion: {version}\ntopic: {topic}\n"
        f"meaning: {sig['meaning']}\nsigner: {sig['signer']}\nfor: {sig.get('for') or ''}\nkey: {sig['key']}\n"
        f"time: {sig['time']}\ncontent: {content}\n"
    ).encode("utf-8")


def _signature_valid(key_b64: str, value: str, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(key_b64, validate=True)).verify(base64.b64decode(value, validate=True), message)
        return True
    except (InvalidSignature, ValueError):
        return False


def verify_acts(data: bytes, tables: Tables, *, admin_fingerprint: str | None = None) -> dict[str, int]:
    """Every act of a complete export: signed by whom the document says, with a meaning and roles the tables allow."""
    lines = data.decode("utf-8")[:-1].split("\n")
    ledger_id = _object(lines[0])["ledger_id"]
    admin, admin_key = None, None
    people: dict[str, dict[str, Any]] = {}
    policy: dict[str, str] = {}
    enrolled_ever = False
    counts = {"signed": 0, "unsigned": 0}
    for line in lines[1:-1]:
        e = _object(line)
        seq, topic, version = e["seq"], e["topic"], e["originator_version"]
        state = json.loads(e["state"] if "state" in e else base64.b64decode(e["state_b64"]))
        sig = state.get("act_signature") if isinstance(state, dict) else None
        name = topic.rsplit(".", 1)[-1]
        if uuid.UUID(hex=e["originator_id"]) == AUTHORITY:
            if topic not in tables.authority_topics or sig is None:
                raise Refused(f"event {seq}: an Authority event not signed, or of an unknown topic")
            message = act_message(ledger_id, e["originator_id"], version, topic, sig, state)
            if name == "LedgerFounded":
                printed = spaced(fingerprint_hex(base64.b64decode(state["public_key"], validate=True)))
                if admin is not None or version != 1 or state["ledger_id"] != ledger_id:
                    raise Refused(f"event {seq}: a second or foreign founding")
                if state["fingerprint"] != printed or sig["key"] != printed:
                    raise Refused(f"event {seq}: founding fingerprint is not its key's")
                if admin_fingerprint is not None and "".join(admin_fingerprint.split()).lower() != printed.replace(" ", ""):
                    raise Refused(f"event {seq}: not the administrator key whose fingerprint was given")
                admin, admin_key = state["administrator"], state["public_key"]
            if sig["signer"] != admin or admin_key is None or not _signature_valid(admin_key, sig["value"], message):
                raise Refused(f"event {seq}: not signed by the administrator")
            who = state.get("name")
            if name == "PersonEnrolled":
                people[who] = {"key": state["public_key"], "fingerprint": state["fingerprint"], "roles": set(state["roles"]), "active": True}
                enrolled_ever = True
            elif name == "KeyEnrolled":
                people[who].update(key=state["public_key"], fingerprint=state["fingerprint"], active=True)
            elif name == "RoleGranted":
                people[who]["roles"].add(state["role"])
            elif name == "RoleRevoked":
                people[who]["roles"].discard(state["role"])
            elif name == "PersonRevoked":
                people[who].update(key=None, fingerprint=None, roles=set(), active=False)
            elif name == "PolicySet":
                policy[state["name"]] = state["value"]
            counts["signed"] += 1
            continue
        if sig is None:
            if enrolled_ever:
                raise Refused(f"event {seq}: unsigned after people were enrolled")
            counts["unsigned"] += 1
            continue
        signer = people.get(sig["signer"])
        if signer is None or not signer["active"] or not signer["key"] or sig["key"] != signer["fingerprint"]:
            raise Refused(f"event {seq}: signer not enrolled with that key")
        if not _signature_valid(signer["key"], sig["value"], act_message(ledger_id, e["originator_id"], version, topic, sig, state)):
            raise Refused(f"event {seq}: act signature does not verify")
        acting = sig.get("for") or sig["signer"]
        if sig.get("for"):
            if not people.get(acting, {}).get("active"):
                raise Refused(f"event {seq}: entered for someone not enrolled")
            if sig["meaning"] == "close" and policy.get("proxy_signoff") == "forbidden":
                raise Refused(f"event {seq}: proxy sign-off forbidden")
        if "actor" in state and state["actor"] != acting:
            raise Refused(f"event {seq}: actor is not the acting person")
        allowed = tables.meanings.get(topic)
        if allowed is not None and sig["meaning"] not in allowed:
            raise Refused(f"event {seq}: meaning {sig['meaning']!r} never records {topic}")
        own = tables.own_act.get(topic) or sig["meaning"]
        for act in {sig["meaning"], own}:
            if not people[acting]["roles"] & tables.roles.get(act, tables.roles[None]):
                raise Refused(f"event {seq}: {acting} lacks the role for {act}")
        counts["signed"] += 1
    return counts
