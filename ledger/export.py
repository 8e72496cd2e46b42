"""Export for auditors: the complete event log with every hash, as JSON lines.

Readable without this program. Line 1 is a header, then one line per event in
sequence order, then an end line:

    {"format": "rectification-ledger export", "version": 1, "ledger_id": …,
     "created_at": …, "hash": "sha256"|"sm3", "since": S,
     "base_seq": P, "base_digest": hex,            the link before the first event here
     "layout": …}                                  the digest's byte layout (ledger.chain)
    {"seq": n, "prev": p, "originator_id": hex, "originator_version": v,
     "topic": …, "state": text | "state_b64": base64, "digest": hex}
    {"end": true, "events": N, "head_seq": n, "head_digest": hex}

"state" is the stored bytes as UTF-8 text (they are JSON); bytes that are not
UTF-8 are given as "state_b64". The output is deterministic, so export →
import-log → export is byte-identical.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
from pathlib import Path
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

from ledger.chain import GENESIS, Link, insert_rows, walk
from ledger.errors import InvalidInput, LedgerError, StoreError, TamperingFound
from ledger.progress import reporting
from ledger.messages import t, tn

FORMAT = "rectification-ledger export"
LAYOUT = (
    "digest(n) = H(digest(prev) [32 bytes, zeros for the first] || u64be(n) || originator_id [16 bytes] "
    "|| u64be(originator_version) || u32be(len(topic)) || topic [UTF-8] || u32be(len(state)) || state)"
)


def _line(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"


def event_line(link: Link) -> dict[str, Any]:
    record: dict[str, Any] = {
        "seq": link.seq,
        "prev": link.prev,
        "originator_id": link.originator_id if isinstance(link.originator_id, str) else link.originator_id.hex,
        "originator_version": link.originator_version,
        "topic": link.topic,
    }
    try:
        record["state"] = link.state.decode("utf-8")
    except UnicodeDecodeError:
        record["state_b64"] = base64.b64encode(link.state).decode("ascii")
    if link.entries:  # the digests of the derived rows committed with this event, which its link covers
        record["rows"] = [[tbl, key, order, digest.hex()] for tbl, key, order, digest in link.entries]
    record["digest"] = link.digest.hex()
    return record


EXPORT_PREAMBLE = "rectification-ledger export v1\n"


def end_message(ledger_id: str, header_digest: str, events: int, head_seq: int, head_digest: str) -> bytes:
    """What an export's signature covers (UTF-8), so the header and the head are bound to the key."""
    body = f"ledger: {ledger_id}\nheader: {header_digest}\nevents: {events}\nhead_seq: {head_seq}\nhead: {head_digest}\n"
    return (EXPORT_PREAMBLE + body).encode("utf-8")


def export_store(path: str, out: Path, *, since: int = 0, signing_key: Any = None, progress: Any = None) -> dict[str, Any]:
    """Verify the store while writing its log to `out` (atomically); the end record.

    `progress(seq, last seq)` is told every PROGRESS_EVERY events; an interruption leaves no file behind.

    The end line carries the digest of the header line, and, with the
    ledger's signing key, a signature over the header digest and the head.
    """
    from ledger.chain import hasher
    import sqlite3

    from ledger.chain import recorded_algorithm, walk_store
    from ledger.integrity import ledger_meta, snapshot

    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with snapshot(path) as con, tmp.open("w", encoding="utf-8", newline="\n") as f:
            from ledger.store import is_url

            style, position = ("%s", "notification_id") if is_url(path) else ("?", "rowid")
            meta = ledger_meta(con)
            algorithm = recorded_algorithm(con.cursor())
            base_seq, base_digest, count, end = 0, GENESIS, 0, None
            header_line = ""
            total = 0
            if progress is not None:
                cursor = con.cursor()
                cursor.execute(f"SELECT COALESCE(MAX({position}), 0) FROM stored_events")
                total = int(cursor.fetchone()[0])
            from ledger.schema import has_table

            rows_stored = has_table(con, "ledger_row_digests", postgres=style != "?")
            links = walk_store(con.cursor(), con.cursor(), algorithm=algorithm, style=style, position=position, cursor_rows=con.cursor() if rows_stored else None)
            if progress is not None:
                links = reporting(links, progress, total, reached=lambda _, link: link.seq)
            for link in links:
                if link.seq < since:
                    base_seq, base_digest = link.seq, link.digest
                    continue
                if not header_line:
                    header_line = _line(_header(meta, algorithm, since, base_seq, base_digest))
                    f.write(header_line)
                f.write(_line(event_line(link)))
                count += 1
                end = link
            if not header_line:
                header_line = _line(_header(meta, algorithm, since, base_seq, base_digest))
                f.write(header_line)
            head_seq, head_digest = (end.seq, end.digest) if end else (base_seq, base_digest)
            header_digest = hasher(algorithm)(header_line[:-1].encode("utf-8")).digest().hex()
            trailer: dict[str, Any] = {"end": True, "events": count, "head_seq": head_seq, "head_digest": head_digest.hex(), "header_digest": header_digest}
            if signing_key is not None:
                from ledger.checkpoint import public_key_line, raw_public

                message = end_message(meta.get("ledger_id", ""), header_digest, count, head_seq, head_digest.hex())
                trailer["public_key"] = public_key_line(raw_public(signing_key.public_key()))
                trailer["signature"] = base64.b64encode(signing_key.sign(message)).decode("ascii")
            f.write(_line(trailer))
        os.replace(tmp, out)
    except sqlite3.DatabaseError as e:
        raise TamperingFound(t("the store file {path} is damaged or truncated ({e})", path=path, e=e)) from None
    except OSError as e:
        raise InvalidInput(t("--out: cannot write {out}: {e}", out=out, e=e)) from None
    finally:
        if tmp.exists():
            tmp.unlink()
    return {"out": str(out), "hash": algorithm, **trailer}


def _header(meta: dict[str, str], algorithm: str, since: int, base_seq: int, base_digest: bytes) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": 1,
        "ledger_id": meta.get("ledger_id", ""),
        "created_at": meta.get("created_at", ""),
        "hash": algorithm,
        "since": since,
        "base_seq": base_seq,
        "base_digest": base_digest.hex(),
        "layout": LAYOUT,
    }


# Every key a header or an end line may have; any other is refused (exports are read by machines).
HEADER_KEYS = {"format", "version", "ledger_id", "created_at", "hash", "since", "base_seq", "base_digest", "layout"}
END_KEYS = {"end", "events", "head_seq", "head_digest", "header_digest", "public_key", "signature"}


class _DuplicateKey(Exception):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(repr(key))
        out[key] = value
    return out


class ExportReader:
    """Reads and checks an export file: its header, its events in order, its end line."""

    def __init__(self, path: Path):
        self.path = path
        self.bad_ending = self.respelled = False
        from ledger.inputs import MAX_EXPORT_BYTES, open_regular

        fd, _ = open_regular(path, "export", MAX_EXPORT_BYTES)  # a regular file: a device or FIFO is not read
        self._file = os.fdopen(fd, "rb")  # lines exactly as written, each decoded on its own
        try:
            self.header = self._next_json(1)
        except TamperingFound:  # line 1 unreadable: not an export at all (a wrong file), not a damaged one
            self._file.close()
            raise InvalidInput(t("{path} is not a ledger export (line 1 is not a JSON header)", path=path)) from None
        if not isinstance(self.header, dict) or self.header.get("format") != FORMAT:
            raise InvalidInput(t("{path} is not a ledger export (no '{FORMAT}' header on line 1)", path=path, FORMAT=FORMAT))
        if self.header.get("version") != 1:
            raise InvalidInput(t("{path}: export version {get} is not supported", path=path, get=self.header.get('version')))
        self.header_line = self.last_line
        if self.bad_ending:
            raise TamperingFound(t("line 1 of {path} does not end in a single \\n (damaged or re-encoded export)", path=path))
        if self.respelled:
            raise TamperingFound(self._respelled(1))
        unknown = set(self.header) - HEADER_KEYS
        if unknown:
            raise TamperingFound(t("{path}: the header has keys no export writes: {unknown}", path=path, unknown=', '.join(sorted(unknown))))
        self.trailer: dict[str, Any] | None = None
        self.lineno = 1

    def _respelled(self, lineno: int) -> str:
        return t("line {lineno} of {path} is not written as `ledger export` writes it (spacing or \\u escapes differ: re-encoded export)", lineno=lineno, path=self.path)

    def _next_json(self, lineno: int) -> Any:
        raw = self._file.readline()
        if not raw:
            return None
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise TamperingFound(t("line {lineno} of {path} is not UTF-8 text (damaged export)", lineno=lineno, path=self.path)) from None
        self.last_line = line[:-1]
        try:
            value = json.loads(line, object_pairs_hook=_no_duplicates)
        except (json.JSONDecodeError, RecursionError):
            raise TamperingFound(t("line {lineno} of {path} is not valid JSON (damaged export)", lineno=lineno, path=self.path)) from None
        except _DuplicateKey as e:
            raise TamperingFound(t("line {lineno} of {path} gives the key {e} twice (damaged or forged export)", lineno=lineno, path=self.path, e=e)) from None
        if line.endswith("\n") and not line.endswith("\r\n") and _line(value) != line:
            # One rule with inspection exports and proofs: each line exactly as written (no spaces, no \u escapes).
            if lineno == 1:  # judged once the header is known to be an export's
                self.respelled = True
            else:
                raise TamperingFound(self._respelled(lineno))
        if not line.endswith("\n") or line.endswith("\r\n"):
            if lineno == 1:  # judged once the header is known to be an export's
                self.bad_ending = True
            else:
                raise TamperingFound(t("line {lineno} of {path} does not end in a single \\n (damaged or re-encoded export)", lineno=lineno, path=self.path))
        return value

    def events(self) -> Iterator[dict[str, Any]]:
        while True:
            self.lineno += 1
            obj = self._next_json(self.lineno)
            if obj is None:
                return
            if not isinstance(obj, dict):
                raise TamperingFound(t("line {lineno} of {path} is not an event object (damaged export)", lineno=self.lineno, path=self.path))
            if obj.get("end") is True:
                self.trailer = obj
                if self._file.readline():
                    raise TamperingFound(t("{path} has lines after its end line (damaged export)", path=self.path))
                return
            yield obj

    def tell(self) -> int:
        return self._file.tell()

    def close(self) -> None:
        self._file.close()


EVENT_KEYS = {"seq", "prev", "originator_id", "originator_version", "topic", "digest"}


def _strict_int(value: Any) -> bool:
    return type(value) is int and value >= 0


def _is_hex(value: Any, size: int) -> bool:
    return type(value) is str and len(value) == 2 * size and all(c in "0123456789abcdef" for c in value)


def _event_fields(path: Path, e: dict[str, Any]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """(event tuple, link tuple) of an event line, refusing any value not written exactly as `export` writes it."""
    seq = e.get("seq")
    name = seq if _strict_int(seq) else "?"
    keys = set(e)
    state_keys = keys - EVENT_KEYS - {"rows"}
    if not EVENT_KEYS <= keys or state_keys not in ({"state"}, {"state_b64"}):
        raise TamperingFound(t("{path}: the event line of sequence number {name} has keys {keys}, not those of an export", path=path, name=name, keys=sorted(keys)))
    if not (_strict_int(seq) and _strict_int(e["prev"]) and _strict_int(e["originator_version"])):
        raise TamperingFound(t("{path}: the event line of sequence number {name} has a number that is not a plain integer", path=path, name=name))
    if type(e["topic"]) is not str or not _is_hex(e["digest"], 32):
        raise TamperingFound(t("{path}: the event line of sequence number {name} has a garbled topic or digest", path=path, name=name))
    if "state" in e:
        if type(e["state"]) is not str:
            raise TamperingFound(t("{path}: the event line of sequence number {name} has a state that is not text", path=path, name=name))
        try:
            state = e["state"].encode("utf-8")
        except UnicodeEncodeError:
            raise TamperingFound(t("{path}: the event line of sequence number {name} has a state that is not valid Unicode", path=path, name=name)) from None
    else:
        raw = e["state_b64"]
        try:
            state = base64.b64decode(raw, validate=True) if type(raw) is str else None
        except ValueError:
            state = None
        if state is None or base64.b64encode(state).decode("ascii") != raw:
            raise TamperingFound(t("{path}: the event line of sequence number {name} has a garbled state_b64", path=path, name=name))
        try:
            state.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:  # text is always written as "state": one spelling per event
            raise TamperingFound(t("{path}: the event line of sequence number {name} gives UTF-8 text as state_b64 (not as export writes it)", path=path, name=name))
    entries: tuple[Any, ...] = ()
    if "rows" in e:
        given = e["rows"]
        if type(given) is not list or not given or not all(
            type(x) is list and len(x) == 4 and type(x[0]) is str and type(x[1]) is str and _strict_int(x[2]) and 0 <= x[2] < 2**32 and _is_hex(x[3], 32) for x in given
        ):
            raise TamperingFound(t("{path}: the event line of sequence number {name} has garbled derived-row digests", path=path, name=name))
        entries = tuple((x[0], x[1], x[2], bytes.fromhex(x[3])) for x in given)
    return (seq, e["originator_id"], e["originator_version"], e["topic"], state, entries), (seq, e["prev"], bytes.fromhex(e["digest"]))


@dataclass
class Exported:
    """A verified export."""

    header: dict[str, Any]
    trailer: dict[str, Any]
    links: list[Link]
    digests_at: dict[int, bytes]  # verified digests asked for (`also_at`)
    checkpoints: int  # signed checkpoints recorded among its events, each matching
    signature_note: str


def read_export(path: Path, *, also_at: Sequence[int] = (), keep: bool = False, trust: Any = None, progress: Any = None) -> Exported:
    """Verify an export: its header, every link, its end line, the checkpoints among its events, its signature.

    `progress(bytes read, file size)` is told every PROGRESS_EVERY events.

    Raises TamperingFound on the first thing that does not verify, InvalidInput
    if the file is not an export at all.
    """
    from ledger.chain import hasher
    from ledger.integrity import RecordedCheckpoints

    reader = ExportReader(path)
    try:
        header = reader.header
        algorithm = header.get("hash")
        if algorithm not in ("sha256", "sm3"):
            raise TamperingFound(t("{path}: the header's hash {algorithm!r} is not sha256 or sm3", path=path, algorithm=algorithm))
        base_seq, base_text = header.get("base_seq"), header.get("base_digest")
        if not _strict_int(base_seq) or not _is_hex(base_text, 32) or not _strict_int(header.get("since")):
            raise TamperingFound(t("{path}: the header's since/base_seq/base_digest are missing or garbled", path=path))
        if type(header.get("ledger_id")) is not str or type(header.get("created_at")) is not str or header.get("layout") != LAYOUT:
            raise TamperingFound(t("{path}: the header's ledger_id, created_at or layout is missing or altered", path=path))
        base_digest = bytes.fromhex(base_text)
        pairs = (_event_fields(path, e) for e in reader.events())
        first, second = itertools.tee(pairs)

        from ledger.chain import hasher, row_set_digest

        h = hasher(algorithm)

        def events() -> Iterator[tuple[Any, ...]]:
            for event, _ in first:
                yield (*event[:5], row_set_digest(h, event[5]) if event[5] else b"", event[5])

        def chain() -> Iterator[tuple[Any, ...]]:
            for _, link in second:
                yield link

        wanted = set(also_at)
        digests_at = {base_seq: base_digest} if base_seq in wanted else {}
        links: list[Link] = []
        count, last = 0, None
        recorded = RecordedCheckpoints()
        walked = recorded.watch(walk(events(), chain(), algorithm, base_seq=base_seq, base_digest=base_digest))
        if progress is not None:
            walked = reporting(walked, progress, path.stat().st_size, reached=lambda _, __: reader.tell())
        for link in walked:
            count += 1
            last = link
            if link.seq in wanted:
                digests_at[link.seq] = link.digest
            if keep:
                links.append(link)
        trailer = reader.trailer
        head_seq, head_digest = (last.seq, last.digest) if last else (base_seq, base_digest)
        if trailer is None:
            raise TamperingFound(t("{path} is truncated after sequence number {head_seq}: no end line", path=path, head_seq=head_seq))
        unknown = set(trailer) - END_KEYS
        if unknown:
            raise TamperingFound(t("{path}: the end line has keys no export writes: {unknown}", path=path, unknown=', '.join(sorted(unknown))))
        if trailer.get("events") != count or trailer.get("head_seq") != head_seq or trailer.get("head_digest") != head_digest.hex():
            raise TamperingFound(t("{path}: the end line does not match the events (events removed or added at the end)", path=path))
        header_digest = hasher(algorithm)(reader.header_line.encode("utf-8")).digest().hex()
        if "header_digest" in trailer and trailer["header_digest"] != header_digest:
            raise TamperingFound(t("{path}: the header line is not the one the end line covers (header_digest differs: the header was altered)", path=path))
        # Checkpoints recorded among the events: each must match this export's history
        # (those covering events before a partial export begins cannot be checked here).
        recorded.found = [(seq, state) for seq, state in recorded.found]
        checkable = _checkable(recorded, base_seq)
        # A complete export holds every event: the tree of any checkpoint among them can be recomputed and compared.
        complete = base_seq == 0 and header.get("since") == 0
        checked = checkable.check(
            lambda seqs: _digests_in(path, seqs, base_seq, base_digest),
            str(header["ledger_id"]),
            algorithm,
            getattr(trust, "key", None),
            trees_at=(lambda seqs: _tree_heads_in(path, seqs, algorithm)) if complete else None,
        )
        note = _check_export_signature(path, header, trailer, header_digest, trust)
        return Exported(header, trailer, links, digests_at, checked, note)
    finally:
        reader.close()


def _checkable(recorded: Any, base_seq: int) -> Any:
    from ledger.checkpoint import from_recorded
    from ledger.integrity import RecordedCheckpoints

    kept = RecordedCheckpoints()
    for seq, state in recorded.found:
        try:
            if 0 < from_recorded(state).sequence < base_seq:
                continue
        except Exception:  # noqa: BLE001 - unreadable: `check` names it
            pass
        kept.found.append((seq, state))
    return kept


def _digests_in(path: Path, seqs: list[int], base_seq: int, base_digest: bytes) -> dict[int, bytes]:
    """The digests at `seqs`, read again from the (already verified) export."""
    wanted = set(seqs)
    out = {base_seq: base_digest} if base_seq in wanted else {}
    if not wanted - set(out):
        return out
    with path.open(encoding="utf-8", newline="") as f:
        next(f)
        for line in f:
            record = json.loads(line)
            if record.get("seq") in wanted:
                out[record["seq"]] = bytes.fromhex(record["digest"])
    return out


def _tree_heads_in(path: Path, seqs: list[int], algorithm: str) -> dict[int, tuple[int, bytes]]:
    """(tree size, root) at `seqs`, recomputed from the (already verified) events of a complete export."""
    from ledger.chain import hasher
    from ledger.merkle import Frontier, event_leaf

    wanted, out = set(seqs), {}
    h = hasher(algorithm)
    frontier = Frontier(h)
    with path.open(encoding="utf-8", newline="") as f:
        next(f)
        for line in f:
            record = json.loads(line)
            if "seq" not in record or len(out) == len(wanted):  # the end line, or all found
                break
            (seq, oid, version, topic, state, _rows), _ = _event_fields(path, record)
            frontier.add(event_leaf(h, seq, oid, version, topic, state))
            if seq in wanted:
                out[seq] = (frontier.size, frontier.root())
    return out


def _check_export_signature(path: Path, header: dict[str, Any], trailer: dict[str, Any], header_digest: str, trust: Any) -> str:
    """Verify the end line's signature, if any; a sentence saying what was proven."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from ledger.checkpoint import fingerprint, parse_public_key, public_key_line

    signed = "signature" in trailer or "public_key" in trailer
    if not signed:
        return t("not signed (made without the signing key, or by an older version): only checkpoints can vouch for it")
    if "header_digest" not in trailer or type(trailer.get("signature")) is not str or type(trailer.get("public_key")) is not str:
        raise TamperingFound(t("{path}: the end line's signature, public_key or header_digest is missing or garbled", path=path))
    try:
        raw = parse_public_key(trailer["public_key"], "the export's public_key")
        if trailer["public_key"] != public_key_line(raw):  # one spelling, as written: any other byte is an alteration
            raise ValueError
        signature = base64.b64decode(trailer["signature"], validate=True)
        if base64.b64encode(signature).decode("ascii") != trailer["signature"]:  # unused bits set: another spelling
            raise ValueError
        message = end_message(str(header["ledger_id"]), header_digest, trailer["events"], trailer["head_seq"], trailer["head_digest"])
        Ed25519PublicKey.from_public_bytes(raw).verify(signature, message)
    except (InvalidSignature, ValueError, LedgerError):
        raise TamperingFound(t("{path}: the export's signature does not match its header and head (forged or altered)", path=path)) from None
    key = getattr(trust, "key", None)
    pinned = getattr(trust, "fingerprints", frozenset())
    printed = fingerprint(raw)
    if key is not None and key != raw:
        raise TamperingFound(t("{path}: the export was signed by key {printed}, not by the trusted key {fingerprint}", path=path, printed=printed, fingerprint=fingerprint(key)))
    if key is None and pinned and printed.replace(" ", "") not in pinned:
        raise TamperingFound(t("{path}: the export was signed by key {printed}, not by a key whose fingerprint was given", path=path, printed=printed))
    if key is None and not pinned:
        if trust is not None:  # one rule with checkpoint blocks: a signature by a key nobody trusts proves nothing
            from ledger.checkpoint import KeyNotTrusted

            raise KeyNotTrusted(t("{path}: signature valid, key not trusted ({printed}): give --public-key or --fingerprint to prove who made it", path=path, printed=printed))
        return t("signature valid, key not trusted ({printed}): give --public-key or --fingerprint to prove who made it", printed=printed)
    return t("signed by the trusted key {printed}", printed=printed)


def import_log(app: Any, path: Path, *, store: str = "", evidence: Path | None = None, checking: Any = None, writing: Any = None) -> dict[str, Any]:
    """Restore a complete export into an empty store, in one transaction (either store).

    The evidence files the exported events name are taken from `evidence` (a
    folder written by `export --evidence`), each checked against its recorded
    digest before anything is written, and kept in the store's evidence storage
    within the same transaction. An export naming files, restored without the
    folder, is refused: nothing is ever lost silently.
    `checking` and `writing`, `progress(done, total)` callbacks, are told how far the check and the write are;
    an interruption while writing rolls the one transaction back.
    """
    from uuid import UUID

    exported = read_export(path, keep=True, progress=checking)
    header, trailer, links = exported.header, exported.trailer, exported.links
    if int(header["base_seq"]) != 0:
        raise InvalidInput(t("{path} is a partial export (--since {get}): only a complete export can be imported", path=path, get=header.get('since')))
    manifests = list(export_manifests(path))
    files = _evidence_files(manifests, evidence, path)
    recorder = app.recorder
    mark = recorder.placeholder
    server = mark != "?"
    with recorder.datastore.transaction(commit=True) as c:
        if server:
            from ledger.store import hybrid_row

            c.row_factory = hybrid_row
            c.execute("LOCK TABLE stored_events IN EXCLUSIVE MODE")
        c.execute("SELECT COUNT(*) FROM stored_events")
        held = int(c.fetchone()[0])
        if held and not (held == 1 and only_founded(c, mark)):
            raise StoreError(t("the store is not empty: import-log restores only into a new, empty ledger (`ledger init` in a new folder)"))
        if held:  # the new ledger's own founding event: the restored ledger brings its own administrator
            for table in ("stored_events", "ledger_chain", "ledger_merkle", "ledger_row_digests"):
                c.execute(f"DELETE FROM {table}")
            c.execute("DELETE FROM ledger_meta WHERE key IN ('administrator', 'administrator_key')")
        for key in ("ledger_id", "created_at"):
            c.execute(f"UPDATE ledger_meta SET value = {mark} WHERE key = {mark}", (str(header[key]), key))
        c.execute(f"INSERT INTO ledger_meta (key, value) VALUES ('hash_algorithm', {mark}) ON CONFLICT (key) DO UPDATE SET value = excluded.value", (header["hash"],))
        # The event's global sequence number is its position: rowid (SQLite), notification_id (PostgreSQL).
        position = "notification_id" if server else "rowid"
        events = ((link.seq, UUID(hex=link.originator_id) if server else link.originator_id, link.originator_version, link.topic, link.state) for link in _reporting(links, writing))
        insert_rows(c, "stored_events", (position, "originator_id", "originator_version", "topic", "state"), events, mark)
        insert_rows(c, "ledger_chain", ("seq", "prev", "digest"), ((link.seq, link.prev, link.digest) for link in links), mark)
        insert_rows(c, "ledger_row_digests", ("seq", "tbl", "key", "ord", "digest"), ((link.seq, *entry) for link in links for entry in link.entries), mark)
        if server and links:  # later events are numbered after the restored ones
            c.execute("SELECT setval(pg_get_serial_sequence('stored_events', 'notification_id'), %s)", (links[-1].seq,))
        _write_registered(c, app, links, mark)  # read models, the Merkle tree
        _note_rows_without_digests(c, mark)
        _note_founding(c, links, mark)
        if files:
            from ledger.attachments import keep_files_in

            keep_files_in(c, mark, app, store, list(files.values()))
    return {
        "file": str(path), "events": trailer["events"], "head_seq": trailer["head_seq"], "head_digest": trailer["head_digest"],
        "evidence_files": len(files),
    }


def _note_rows_without_digests(c: Any, mark: str) -> None:
    """An export made before the row digests restores rows that have none: noted as an upgraded store is
    (`ledger_meta.digests_since`), so verification rebuilds them instead of comparing digests."""
    c.execute(
        "SELECT (SELECT count(*) FROM ledger_problems WHERE id NOT IN (SELECT key FROM ledger_row_digests WHERE tbl = 'ledger_problems')) "
        "+ (SELECT count(*) FROM ledger_inspections WHERE code NOT IN (SELECT key FROM ledger_row_digests WHERE tbl = 'ledger_inspections'))"
    )
    if int(c.fetchone()[0]):
        c.execute(
            "INSERT INTO ledger_meta (key, value) VALUES ('digests_since', (SELECT CAST(COALESCE(MAX(seq), 0) AS TEXT) FROM ledger_chain)) ON CONFLICT (key) DO NOTHING"
        )


def _reporting(links: list[Link], progress: Any) -> Any:
    """The links, telling `progress` how many are written every PROGRESS_EVERY."""
    if progress is None:
        return links
    return reporting(links, progress, len(links))


def export_manifests(path: Path) -> Iterator[dict[str, Any]]:
    """The evidence manifests the events of an export carry, each with its event's seq."""
    from ledger.signatures import export_rows

    for seq, _, _, _, raw in export_rows(path):
        if b'"attachments"' not in raw:
            continue
        for manifest in json.loads(raw).get("attachments") or ():
            yield {"seq": seq, **manifest}


def _evidence_files(manifests: list[dict[str, Any]], folder: Path | None, path: Path) -> dict[str, tuple[dict[str, Any], bytes]]:
    """digest → (manifest, bytes) of every file the export names, each checked; nothing is written before this passes."""
    if not manifests:
        return {}
    if folder is None:
        distinct = len({m["digest"] for m in manifests})
        raise InvalidInput(
            tn(
                "{path} names {distinct} evidence file: give --evidence DIR, the folder `ledger export --evidence DIR` wrote (nothing written)",
                "{path} names {distinct} evidence files: give --evidence DIR, the folder `ledger export --evidence DIR` wrote (nothing written)",
                distinct, path=path, distinct=distinct,
            )
        )
    from ledger.attachments import digest_of, verify_folder

    verify_folder(manifests, folder)
    files: dict[str, tuple[dict[str, Any], bytes]] = {}
    for item in manifests:
        if item["digest"] in files:
            continue
        found = next(p for p in (folder / item["digest"], folder / item["name"]) if p.is_file())
        data = found.read_bytes()
        if digest_of(data, item["hash"]) != item["digest"] or len(data) != int(item["size"]):  # read again: the bytes kept are the bytes checked
            raise TamperingFound(t("evidence file {found} does not match the digest recorded in event {seq} ({hash}:{digest})", found=found, seq=item['seq'], hash=item['hash'], digest=item['digest']))
        files[item["digest"]] = ({k: item[k] for k in ("name", "size", "hash", "digest")}, data)
    return files


def only_founded(c: Any, mark: str) -> bool:
    """Whether the store's one event is the founding event `ledger init` wrote (nothing else happened in it)."""
    from ledger.authority import AUTHORITY_ID

    c.execute("SELECT originator_id, originator_version, topic FROM stored_events")
    rows = c.fetchall()
    return len(rows) == 1 and str(rows[0][0]).replace("-", "") == AUTHORITY_ID.hex and int(rows[0][1]) == 1 and str(rows[0][2]).endswith(":Authority.LedgerFounded")


def _note_founding(c: Any, links: list[Link], mark: str) -> None:
    """ledger_meta notes the restored ledger's administrator, as `ledger init` noted it on the original."""
    import json

    for link in links:
        if link.topic.endswith(":Authority.LedgerFounded"):
            state = json.loads(link.state)
            for key, value in (("administrator", state.get("administrator")), ("administrator_key", state.get("public_key"))):
                c.execute(f"INSERT INTO ledger_meta (key, value) VALUES ({mark}, {mark}) ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, str(value)))
            return


def _write_registered(c: Any, app: Any, links: list[Link], style: str) -> None:
    """Everything the store's in-transaction writers keep (read models, …) for the restored events.

    The aggregates are rebuilt from the events; an event that cannot be decoded
    or applied (an export forged with recomputed digests) is tampering, named.
    """
    from uuid import UUID

    from eventsourcing.persistence import StoredEvent

    aggregates: dict[str, Any] = {}
    stored_events = []
    for link in links:
        try:
            stored = StoredEvent(originator_id=UUID(hex=link.originator_id), originator_version=link.originator_version, topic=link.topic, state=link.state)
            domain_event = app.mapper.to_domain_event(stored)
            aggregates[link.originator_id] = domain_event.mutate(aggregates.get(link.originator_id))
        except Exception as e:  # any failure to decode or apply is a forged or damaged event
            raise TamperingFound(link.seq, t("cannot be read back as an event of this ledger ({name__})", name__=type(e).__name__)) from None
        stored_events.append(stored)
    kwargs = {"views": app.views_for(list(aggregates.values()))}
    positions = [link.seq for link in links]
    for writer in app.read_side.schema.writers:
        writer.write(c, stored_events, positions, kwargs, style)
