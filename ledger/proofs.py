"""Proof files over the Merkle tree (ledger.merkle), checkable without the store.

Two formats, both UTF-8 JSON written in one canonical form (keys in the
documented order, no spaces, hex in lower case, one object per line, each line
ending in "\\n"); a reader re-serialises what it parsed and refuses any file
whose bytes differ, so no byte can change without the verification failing.

* A consistency proof (`ledger prove-consistency`): one line,

    {"format": "rectification-ledger consistency proof", "version": 1,
     "ledger": ID, "hash": "sha256"|"sm3",
     "old": {"sequence": s, "tree_size": m, "tree_root": hex},
     "new": {"sequence": s, "tree_size": n, "tree_root": hex},
     "proof": [hex, ...]}                   RFC 6962 PROOF(m, D[n])

* An inspection export (`ledger export --inspection CODE`): a header line,

    {"format": "rectification-ledger inspection export", "version": 1,
     "ledger_id": ID, "hash": …, "inspection": CODE, "checkpoint": {…}}

  where "checkpoint" is the signed checkpoint the proofs lead to (its fields
  as `ledger checkpoint --format json` prints them), then one line per event
  of the inspection in log order,

    {"seq": n, "leaf_index": i, "originator_id": 32 hex, "originator_version": v,
     "topic": …, "state": text | "state_b64": base64, "proof": [hex, ...]}

  (the proof is RFC 6962 PATH(i, D[tree_size])), and an end line
  {"end": true, "events": N}.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ledger.chain import hasher
from ledger.errors import InvalidInput, StoreError, TamperingFound
from ledger.merkle import event_leaf, root_from_inclusion, verify_consistency
from ledger.messages import headed, headless, t, tn

CONSISTENCY_FORMAT = "rectification-ledger consistency proof"
INSPECTION_FORMAT = "rectification-ledger inspection export"
CHECKPOINT_KEYS = ("ledger", "sequence", "hash", "head", "time", "tree_size", "tree_root", "public_key", "fingerprint", "signature")


def canonical(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(t("duplicate key {key!r}", key=key))
        result[key] = value
    return result


def parse_line(line: str) -> Any:
    """A JSON line that must be in canonical form; ValueError otherwise."""
    try:
        obj = json.loads(line, object_pairs_hook=_no_duplicates)
    except RecursionError:  # [[[[…]]]] nested past Python's limit
        raise ValueError(t("its JSON is nested too deeply")) from None
    if canonical(obj) != line:
        raise ValueError(t("not in canonical form (spacing, key order, escapes or line end differ)"))
    return obj


def hex_digest(value: Any, what: str) -> bytes:
    if not isinstance(value, str) or len(value) != 64 or value != value.lower():
        raise ValueError(t("{what} is not 64 lower-case hex digits", what=what))
    return bytes.fromhex(value)


def _keys(obj: Any, keys: tuple[str, ...], what: str) -> None:
    if not isinstance(obj, dict) or tuple(obj) != keys:
        raise ValueError(t("{what} must have exactly the keys {keys} in that order", what=what, keys=', '.join(keys)))


def _count(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(t("{what} is not a whole number", what=what))
    return value


# -- checkpoints ------------------------------------------------------------------


def tree_head(cp: Any, name: str) -> tuple[int, bytes]:
    if getattr(cp, "tree_size", None) is None:
        raise InvalidInput(t("{name}: the checkpoint of {time} predates the Merkle tree (no tree-size/tree-root): it cannot be proven consistent", name=name, time=cp.time))
    if int(cp.tree_size) == 0:  # RFC 9162 defines no proof from the empty tree; the reference verifiers refuse m = 0
        raise InvalidInput(t("{name}: the checkpoint of {time} covers no events (tree size 0): there is nothing to prove consistent", name=name, time=cp.time))
    return int(cp.tree_size), bytes.fromhex(cp.tree_root)


def read_checkpoint(source: str, name: str) -> Any:
    """A checkpoint from a file or report, byte for byte as `ledger checkpoint` prints it.

    A damaged block is tampering (exit 4), no block at all is exit 2. The
    block must be in its canonical form (field order, spacing, the fingerprint
    of its key), so that no byte of it can change unnoticed.
    """
    from ledger.checkpoint import BEGIN, END, format_checkpoint_block, parse_checkpoint

    from ledger.inputs import read_regular

    text = source
    if BEGIN not in text:
        try:
            exists = Path(source).expanduser().exists()
        except (OSError, ValueError):  # not a file: the block's own text, damaged
            exists = False
        if exists:
            text = read_regular(Path(source).expanduser(), name).decode("utf-8", errors="replace")
    try:
        cp = parse_checkpoint(source)
    except InvalidInput as e:
        if "CHECKPOINT-----" in text or "LEDGER CHECKPOINT" in text:
            raise TamperingFound(t("{name} {source}: the checkpoint block is damaged ({removeprefix})", name=name, source=source, removeprefix=headless(e))) from None
        raise InvalidInput(headed(e, name)) from None
    start = text.index(BEGIN)
    block = text[start : text.index(END, start) + len(END)]
    if block != format_checkpoint_block(cp.record()):
        raise TamperingFound(t("{name} {source}: the checkpoint block is altered (not as it was printed: spacing, order, key or fingerprint lines differ)", name=name, source=source))
    return cp


def check_signatures(checkpoints: list[tuple[str, Any]], trusted: Any) -> list[str]:
    """Each checkpoint signed by a trusted key (`Trust`, or a raw key); the notes. No trusted key: exit 4 (key not trusted)."""
    from ledger.checkpoint import check_signature

    notes = []
    for name, cp in checkpoints:
        try:
            notes.append(t("{name}: {note}", name=name, note=check_signature(cp, trusted)))
        except TamperingFound as e:
            raise TamperingFound(t("{name}: {finding}", name=name, finding=e.finding)) from None
    return notes


# -- consistency proofs ---------------------------------------------------------------


def prove_consistency(app: Any, old: Any, new: Any, ledger_id: str) -> dict[str, Any]:
    """The proof that `new`'s tree extends `old`'s, from the stored tree (which must agree with both)."""
    from ledger.merkle import StoredTree

    old_size, old_root = tree_head(old, "--from")
    new_size, new_root = tree_head(new, "--to")
    for name, cp in (("--from", old), ("--to", new)):
        if cp.ledger != ledger_id:
            raise InvalidInput(t("{name}: the checkpoint is for ledger {ledger}, but this is ledger {ledger_id}", name=name, ledger=cp.ledger, ledger_id=ledger_id))
    if old_size > new_size or old.sequence > new.sequence:
        raise InvalidInput(tn("--from covers {old_size} event, --to only {new_size}: give the older checkpoint as --from", "--from covers {old_size} events, --to only {new_size}: give the older checkpoint as --from", old_size, old_size=old_size, new_size=new_size))
    recorder = app.recorder
    with recorder.reading() as c:
        tree = StoredTree(c, recorder.placeholder)
        if tree.algorithm != new.hash or tree.algorithm != old.hash:
            raise InvalidInput(t("the checkpoints use {hash}/{hash2}, but this ledger's tree uses {algorithm}", hash=old.hash, hash2=new.hash, algorithm=tree.algorithm))
        for name, size, root in (("--from", old_size, old_root), ("--to", new_size, new_root)):
            if size > tree.size:
                raise TamperingFound(tn("{name}: the checkpoint's tree has {size} event, but the store's only {size2} (history truncated)", "{name}: the checkpoint's tree has {size} events, but the store's only {size2} (history truncated)", size, name=name, size=size, size2=tree.size))
            if tree.root(size) != root:
                raise TamperingFound(tn("{name}: the store's tree of {size} event does not have the checkpoint's root (history rewritten since)", "{name}: the store's tree of {size} events does not have the checkpoint's root (history rewritten since)", size, name=name, size=size))
        proof = tree.consistency(old_size, new_size)
    return {
        "format": CONSISTENCY_FORMAT,
        "version": 1,
        "ledger": ledger_id,
        "hash": new.hash,
        "old": {"sequence": old.sequence, "tree_size": old_size, "tree_root": old_root.hex()},
        "new": {"sequence": new.sequence, "tree_size": new_size, "tree_root": new_root.hex()},
        "proof": [p.hex() for p in proof],
    }


def write_atomically(out: Path, text: str) -> None:
    import os

    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8", newline="\n")
        os.replace(tmp, out)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise InvalidInput(t("cannot write {out}: {value}", out=out, value=e.strerror or e)) from None


def _read_bytes(path: Path) -> bytes:
    from ledger.inputs import read_regular

    return read_regular(path, "PROOF")


def read_consistency_proof(path: Path) -> dict[str, Any]:
    """Parse a proof file strictly: exit 2 if it is not a proof at all, exit 4 if it is a damaged one."""
    data = _read_bytes(path)
    # A damaged proof is tampering (exit 4), anything else is the wrong file (exit 2): no
    # single changed byte can remove all three marks.
    looks_like = (
        b"rectification-ledger consistency" in data
        or b"consistency proof" in data
        or (b'"old":{"sequence":' in data and b'"proof":[' in data)
    )
    try:
        text = data.decode("utf-8")
        if text.count("\n") != 1:
            raise ValueError(t("a proof is exactly one line ending in a line feed"))
        obj = parse_line(text)
        if not isinstance(obj, dict) or obj.get("format") != CONSISTENCY_FORMAT:
            raise LookupError
        _keys(obj, ("format", "version", "ledger", "hash", "old", "new", "proof"), "the proof")
        if obj["version"] != 1:
            raise ValueError(t("version {version!r} is not supported", version=obj['version']))
        if not isinstance(obj["ledger"], str) or obj["hash"] not in ("sha256", "sm3"):
            raise ValueError(t("ledger or hash is garbled"))
        for side in ("old", "new"):
            _keys(obj[side], ("sequence", "tree_size", "tree_root"), f'"{side}"')
            _count(obj[side]["sequence"], f"{side}.sequence")
            _count(obj[side]["tree_size"], f"{side}.tree_size")
            hex_digest(obj[side]["tree_root"], f"{side}.tree_root")
        if not isinstance(obj["proof"], list):
            raise ValueError(t("\"proof\" is not a list"))
        for i, p in enumerate(obj["proof"]):
            hex_digest(p, f"proof[{i}]")
    except LookupError:
        if looks_like:
            raise TamperingFound(t("{path}: the consistency proof is damaged (its format line was altered)", path=path)) from None
        raise InvalidInput(t("{path} is not a consistency proof (no '{CONSISTENCY_FORMAT}' format)", path=path, CONSISTENCY_FORMAT=CONSISTENCY_FORMAT)) from None
    except (ValueError, UnicodeDecodeError) as e:
        if looks_like:
            raise TamperingFound(t("{path}: the consistency proof is damaged ({e})", path=path, e=e)) from None
        raise InvalidInput(t("{path} is not a consistency proof ({e})", path=path, e=e)) from None
    return obj


def check_consistency(proof: dict[str, Any], old: Any, new: Any, where: str) -> str:
    """Raise TamperingFound unless the proof shows that checkpoint `new` extends checkpoint `old`."""
    old_size, old_root = tree_head(old, "--from")
    new_size, new_root = tree_head(new, "--to")
    if old.ledger != new.ledger:
        raise TamperingFound(t("the checkpoints are of different ledgers ({ledger} and {ledger2})", ledger=old.ledger, ledger2=new.ledger))
    if old.hash != new.hash or proof["hash"] != new.hash:
        raise TamperingFound(t("{where}: hash algorithms differ (proof {hash}, checkpoints {hash2}/{hash3})", where=where, hash=proof['hash'], hash2=old.hash, hash3=new.hash))
    if proof["ledger"] != new.ledger:
        raise TamperingFound(t("{where}: the proof is for ledger {ledger}, the checkpoints for {ledger2}", where=where, ledger=proof['ledger'], ledger2=new.ledger))
    for side, cp, size, root in (("old", old, old_size, old_root), ("new", new, new_size, new_root)):
        claimed = proof[side]
        if (claimed["sequence"], claimed["tree_size"], claimed["tree_root"]) != (cp.sequence, size, root.hex()):
            name = "--from" if side == "old" else "--to"
            raise TamperingFound(t("{where}: the proof's {side} tree (size {tree_size}) is not the {name} checkpoint's (size {size} root {hex})", where=where, side=t("old") if side == "old" else t("new"), tree_size=claimed['tree_size'], name=name, size=size, hex=root.hex()))
    if old.sequence > new.sequence or old_size > new_size:
        raise TamperingFound(t("the --from checkpoint (events up to {sequence}) is later than the --to checkpoint (up to {sequence2})", sequence=old.sequence, sequence2=new.sequence))
    h = hasher(new.hash)
    path = [bytes.fromhex(p) for p in proof["proof"]]
    if not verify_consistency(h, old_size, new_size, old_root, new_root, path):
        raise TamperingFound(tn("{where}: the proof does not show that the tree of {new_size} event extends the tree of {old_size} (proof or checkpoints altered, or history rewritten)", "{where}: the proof does not show that the tree of {new_size} events extends the tree of {old_size} (proof or checkpoints altered, or history rewritten)", new_size, where=where, new_size=new_size, old_size=old_size))
    return t("the ledger of {time} (events up to {sequence}, tree size {new_size}) extends the ledger of {time2} (events up to {sequence2}, tree size {old_size})", time=new.time, sequence=new.sequence, new_size=new_size, time2=old.time, sequence2=old.sequence, old_size=old_size)


# -- inspection exports ------------------------------------------------------------------


CHECKPOINT_TOPIC = "ledger.checkpoint:Checkpoint.Recorded"
DRAW_TOPIC = "ledger.domain:SampleDraw.Drawn"


def _state_json(state: Any) -> dict[str, Any]:
    try:
        return json.loads(bytes(state))
    except (ValueError, UnicodeDecodeError):
        return {}


def inspection_aggregates(c: Any, app: Any, code: str) -> list[Any]:
    """The aggregates of one inspection: itself, its problems (measures, verification, sign-off are their events), its sample draws."""
    from ledger.ids import inspection_uuid, problem_uuid

    recorder = app.recorder
    mark, position = recorder.placeholder, recorder.position_column
    c.execute(f"SELECT number FROM ledger_problems WHERE inspection = {mark}", (code,))
    ids = [inspection_uuid(code)] + [problem_uuid(code, int(row[0])) for row in c.fetchall()]
    c.execute(f"SELECT originator_id, state FROM stored_events WHERE topic = {mark} ORDER BY {position}", (DRAW_TOPIC,))
    for oid, state in c.fetchall():
        if _state_json(state).get("inspection") == code:
            ids.append(oid)
    return ids


def _stored_id(oid: Any, position: str) -> Any:
    from uuid import UUID

    if position == "rowid":  # SQLite keeps the UUID as 32 hex digits
        return oid.hex if isinstance(oid, UUID) else str(oid)
    return oid if isinstance(oid, UUID) else UUID(str(oid))


def latest_checkpoint(c: Any, app: Any) -> dict[str, Any] | None:
    recorder = app.recorder
    mark, position = recorder.placeholder, recorder.position_column
    c.execute(f"SELECT state FROM stored_events WHERE topic = {mark} ORDER BY {position} DESC LIMIT 1", (CHECKPOINT_TOPIC,))
    row = c.fetchone()
    if row is None:
        return None
    state = _state_json(row[0])
    if state.get("tree_size") is None:
        return None
    return ({"version": 3} if state.get("checkpoint_version") == 3 else {}) | {
        "ledger": state["ledger_id"], "sequence": state["sequence"], "hash": state["algorithm"], "head": state["head"],
        "time": state["time"], "tree_size": state["tree_size"], "tree_root": state["tree_root"],
        "public_key": state["public_key"], "fingerprint": state["fingerprint"], "signature": state["signature"],
    }


def export_inspection(app: Any, code: str, out: Path, actor: Callable[[], Any]) -> dict[str, Any]:
    """Write one inspection's events with an inclusion proof each against the latest checkpoint.

    The latest recorded checkpoint is used when it already covers all of the
    inspection's events; otherwise a fresh one is made and recorded first
    (which needs the signing key, like `ledger checkpoint`).
    """
    from ledger.ids import inspection_uuid
    from ledger.merkle import StoredTree, leaf_indexes

    recorder = app.recorder
    mark, position = recorder.placeholder, recorder.position_column
    with recorder.reading() as c:
        c.execute(f"SELECT 1 FROM stored_events WHERE originator_id = {mark} LIMIT 1", (_stored_id(inspection_uuid(code), position),))
        if c.fetchone() is None:
            from ledger.errors import UnknownID

            raise UnknownID("inspection", code)
        ids = [_stored_id(i, position) for i in inspection_aggregates(c, app, code)]
        c.execute(
            f"SELECT MAX({position}) FROM stored_events WHERE originator_id IN ({', '.join(mark for _ in ids)})", ids
        )
        last = int(c.fetchone()[0])
        cp = latest_checkpoint(c, app)
    made = False
    if cp is None or int(cp["sequence"]) < last:
        cp = app.record_checkpoint(actor=actor()).record
        made = True
    with recorder.reading() as c:
        c.execute("SELECT value FROM ledger_meta WHERE key = 'ledger_id'")
        ledger_id = str(c.fetchone()[0])
        tree = StoredTree(c, mark)
        size = int(cp["tree_size"])
        if tree.root(size).hex() != cp["tree_root"]:
            raise TamperingFound(tn("the store's tree of {size} event does not have the root of the checkpoint of {time} (history rewritten since)", "the store's tree of {size} events does not have the root of the checkpoint of {time} (history rewritten since)", size, size=size, time=cp['time']))
        c.execute(
            f"SELECT {position}, originator_id, originator_version, topic, state FROM stored_events "
            f"WHERE originator_id IN ({', '.join(mark for _ in ids)}) AND {position} <= {mark} ORDER BY {position}",
            [*ids, int(cp["sequence"])],
        )
        rows = c.fetchall()
        indexes = leaf_indexes(c, {int(r[0]) for r in rows}, mark, position=position, upto=int(cp["sequence"]))
        header = {
            "format": INSPECTION_FORMAT, "version": 1, "ledger_id": ledger_id, "hash": cp["hash"], "inspection": code,
            "checkpoint": {k: cp[k] for k in (("version",) if cp.get("version") == 3 else ()) + CHECKPOINT_KEYS},
        }
        lines = [canonical(header)]
        for seq, oid, version, topic, state in rows:
            index = indexes[int(seq)]
            record: dict[str, Any] = {
                "seq": int(seq), "leaf_index": index, "originator_id": oid.hex if not isinstance(oid, str) else oid,
                "originator_version": int(version), "topic": str(topic),
            }
            state = bytes(state)
            try:
                record["state"] = state.decode("utf-8")
            except UnicodeDecodeError:
                record["state_b64"] = base64.b64encode(state).decode("ascii")
            record["proof"] = [p.hex() for p in tree.inclusion(index, size)]
            lines.append(canonical(record))
        lines.append(canonical({"end": True, "events": len(rows)}))
    write_atomically(out, "".join(lines))
    return {"out": str(out), "inspection": code, "events": len(rows), "checkpoint_made": made, "checkpoint": cp}


def _looks_like_inspection_export(first: bytes) -> bool:
    # No single changed byte can remove all three marks: a damaged export is still recognised (exit 4).
    return (
        b"rectification-ledger inspection" in first
        or b"inspection export" in first
        or (b'"inspection":' in first and b'"checkpoint":{"' in first)
    )


def _header_of(data: bytes) -> bytes:
    """Line 1; if it is not JSON (a byte of it turned into a line break), lines 1 and 2 joined as they were."""
    lines = data.split(b"\n", 2)
    try:
        json.loads(lines[0])
        return lines[0]
    except (ValueError, RecursionError):
        return b"".join(lines[:2])


def is_inspection_export(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            first = f.readline(1 << 16)
            second = f.readline(1 << 16)
    except OSError:
        return False
    return _looks_like_inspection_export(_header_of(first + second))


@dataclass
class ExportedEvent:
    seq: int
    leaf_index: int
    originator_id: str
    originator_version: int
    topic: str
    state: bytes


EVENT_KEYS_TEXT = ("seq", "leaf_index", "originator_id", "originator_version", "topic", "state", "proof")
EVENT_KEYS_B64 = ("seq", "leaf_index", "originator_id", "originator_version", "topic", "state_b64", "proof")


def _checkpoint_from(record: Any) -> Any:
    from ledger.checkpoint import SignedCheckpoint, parse_public_key, public_key_line

    versioned = isinstance(record, dict) and "version" in record
    version = record["version"] if versioned else None
    _keys(record, (("version",) if versioned else ()) + CHECKPOINT_KEYS, '"checkpoint"')
    if versioned and (type(version) is not int or version != 3):
        raise ValueError(t("the checkpoint's version {version!r} is not 3", version=version))
    signature = base64.b64decode(record["signature"], validate=True)
    raw = parse_public_key(record["public_key"], "the checkpoint's public_key")
    if record["public_key"] != public_key_line(raw) or record["signature"] != base64.b64encode(signature).decode("ascii"):
        raise ValueError(t("the checkpoint's public_key or signature is not written as `ledger checkpoint` writes it"))
    hex_digest(record["head"], "checkpoint.head")
    hex_digest(record["tree_root"], "checkpoint.tree_root")
    return SignedCheckpoint(
        str(record["ledger"]), _count(record["sequence"], "checkpoint.sequence"), str(record["hash"]), record["head"],
        str(record["time"]), raw, signature, _count(record["tree_size"], "checkpoint.tree_size"), record["tree_root"],
        printed_fingerprint=record["fingerprint"] if version == 3 else None, version=version,
    )


def read_inspection_export(path: Path) -> tuple[dict[str, Any], Any, list[ExportedEvent]]:
    """Parse and verify every inclusion proof against the embedded checkpoint's root (not its signature)."""
    from ledger.checkpoint import fingerprint
    from ledger.errors import ConfigError

    data = _read_bytes(path)
    if not _looks_like_inspection_export(_header_of(data)):
        raise InvalidInput(t("{path} is not an inspection export (no '{INSPECTION_FORMAT}' header on line 1)", path=path, INSPECTION_FORMAT=INSPECTION_FORMAT))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise TamperingFound(t("{path}: the inspection export is not UTF-8 text (damaged)", path=path)) from None
    pieces = text.split("\n")  # only "\n" ends a line (JSON text may hold U+2028 and the like)
    lines = [piece + "\n" for piece in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])
    events: list[ExportedEvent] = []
    try:
        header = parse_line(lines[0])
        _keys(header, ("format", "version", "ledger_id", "hash", "inspection", "checkpoint"), "the header")
        if header["format"] != INSPECTION_FORMAT or header["version"] != 1:
            raise ValueError(t("format or version is not supported"))
        cp = _checkpoint_from(header["checkpoint"])
        if header["checkpoint"]["fingerprint"] != fingerprint(cp.public_key):
            raise ValueError(t("the checkpoint's fingerprint is not that of its public key"))
        if header["ledger_id"] != cp.ledger or header["hash"] != cp.hash:
            raise ValueError(t("the header's ledger_id or hash differs from its checkpoint's"))
        if not isinstance(header["inspection"], str) or not header["inspection"]:
            raise ValueError(t("the inspection code is missing"))
        h = hasher(cp.hash)
        root = bytes.fromhex(cp.tree_root)
        if len(lines) < 2:
            raise ValueError(t("no end line (truncated)"))
        end = parse_line(lines[-1])
        _keys(end, ("end", "events"), t("the end line"))
        if end["end"] is not True or end["events"] != len(lines) - 2:
            raise ValueError(tn("the end line counts {events} event, the file holds {n} (lines removed or added)", "the end line counts {events} events, the file holds {n} (lines removed or added)", end['events'], events=end['events'], n=len(lines) - 2))
        previous = (-1, -1)
        for number, line in enumerate(lines[1:-1], start=2):
            e = parse_line(line)
            _keys(e, EVENT_KEYS_TEXT if isinstance(e, dict) and "state" in e else EVENT_KEYS_B64, f"line {number}")
            seq, index = _count(e["seq"], f"line {number} seq"), _count(e["leaf_index"], f"line {number} leaf_index")
            version = _count(e["originator_version"], f"line {number} originator_version")
            if seq <= previous[0] or index <= previous[1]:
                raise ValueError(t("line {number}: events are not in log order", number=number))
            previous = (seq, index)
            oid = e["originator_id"]
            if not isinstance(oid, str) or len(oid) != 32 or oid != oid.lower():
                raise ValueError(t("line {number}: originator_id is not 32 lower-case hex digits", number=number))
            bytes.fromhex(oid)
            if not isinstance(e["topic"], str):
                raise ValueError(t("line {number}: topic is not text", number=number))
            state = e["state"].encode("utf-8") if "state" in e else base64.b64decode(e["state_b64"], validate=True)
            if "state_b64" in e and base64.b64encode(state).decode("ascii") != e["state_b64"]:
                raise ValueError(t("line {number}: state_b64 is not canonical base64", number=number))
            if not isinstance(e["proof"], list):
                raise ValueError(t("line {number}: proof is not a list", number=number))
            path_hashes = [hex_digest(p, f"line {number} proof") for p in e["proof"]]
            leaf = event_leaf(h, seq, oid, version, e["topic"], state)
            if root_from_inclusion(h, index, cp.tree_size, leaf, path_hashes) != root:
                raise TamperingFound(t("{path}: event {seq} (line {number}) is not in the checkpoint's tree: its bytes or its proof were altered", path=path, seq=seq, number=number))
            events.append(ExportedEvent(seq, index, oid, version, e["topic"], state))
    except (ValueError, TypeError, ConfigError, InvalidInput) as e:
        raise TamperingFound(t("{path}: the inspection export is damaged ({e})", path=path, e=e)) from None
    _check_scope(path, header["inspection"], events)
    return header, cp, events


def _check_scope(path: Path, code: str, events: list[ExportedEvent]) -> None:
    """The inspection itself is there, and each aggregate's versions run 1, 2, 3, … without a gap."""
    from ledger.ids import inspection_uuid

    if inspection_uuid(code).hex not in {e.originator_id for e in events}:
        raise TamperingFound(t("{path}: the events of inspection {code} itself are missing (the export was cut or its inspection code changed)", path=path, code=code))
    versions: dict[str, int] = {}
    for e in events:
        expected = versions.get(e.originator_id, 0) + 1
        if e.originator_version != expected:
            raise TamperingFound(t("{path}: event {seq} is version {originator_version} of aggregate {originator_id}, expected {expected} (an event was left out)", path=path, seq=e.seq, originator_version=e.originator_version, originator_id=e.originator_id, expected=expected))
        versions[e.originator_id] = expected


def verified_inspection_export(path: Path, trusted: Any, checkpoint: str | None = None) -> tuple[dict[str, Any], Any, list[ExportedEvent], list[str]]:
    """Every inclusion proof, the export's checkpoint signed (by the trusted key), and the same as `checkpoint` if given."""
    header, embedded, events = read_inspection_export(path)
    checkpoints = [("the export's checkpoint", embedded)]
    if checkpoint:
        given = read_checkpoint(checkpoint, "--checkpoint")
        same_checkpoint(embedded, given)
        checkpoints.append(("--checkpoint", given))
    return header, embedded, events, check_signatures(checkpoints, trusted)


def same_checkpoint(embedded: Any, given: Any) -> None:
    if (given.ledger, given.sequence, given.hash, given.tree_size, given.tree_root) != (
        embedded.ledger, embedded.sequence, embedded.hash, embedded.tree_size, embedded.tree_root
    ):
        raise TamperingFound(
            t("the export's proofs lead to the checkpoint of {time} (tree size {tree_size} root {tree_root}), not to the given checkpoint of {time2} (tree size {tree_size2} root {tree_root2})", time=embedded.time, tree_size=embedded.tree_size, tree_root=embedded.tree_root, time2=given.time, tree_size2=given.tree_size, tree_root2=given.tree_root)
        )


def replay_inspection(events: list[ExportedEvent]) -> Any:
    """The exported events decoded and applied, as an in-memory read model (the --as-of way)."""
    from uuid import UUID

    from eventsourcing.persistence import StoredEvent

    from ledger.application import ReadSide, RectificationLedger

    app = RectificationLedger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, read_side=ReadSide())  # decodes only: nothing is saved
    aggregates: dict[Any, Any] = {}
    try:
        for e in events:
            stored = StoredEvent(originator_id=UUID(e.originator_id), originator_version=e.originator_version, topic=e.topic, state=e.state)
            event = app.mapper.to_domain_event(stored)
            aggregates[event.originator_id] = event.mutate(aggregates.get(event.originator_id))
    except Exception as exc:  # a proven event this build cannot decode
        raise StoreError(t("cannot replay the exported events: {name__}: {exc}", name__=type(exc).__name__, exc=exc)) from None
    finally:
        app.close()
    return aggregates

