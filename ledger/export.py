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
from typing import Any, Iterator

from ledger.chain import GENESIS, Link, walk
from ledger.errors import InvalidInput, StoreError, TamperingFound

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
    record["digest"] = link.digest.hex()
    return record


def export_store(path: str, out: Path, *, since: int = 0) -> dict[str, Any]:
    """Verify the store while writing its log to `out` (atomically); the end record."""
    import sqlite3

    from ledger.chain import recorded_algorithm, walk_store
    from ledger.integrity import ledger_meta, snapshot

    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with snapshot(path) as con, tmp.open("w", encoding="utf-8", newline="\n") as f:
            meta = ledger_meta(con)
            algorithm = recorded_algorithm(con.cursor())
            base_seq, base_digest, count, end = 0, GENESIS, 0, None
            header_written = False
            for link in walk_store(con.cursor(), con.cursor(), algorithm=algorithm):
                if link.seq < since:
                    base_seq, base_digest = link.seq, link.digest
                    continue
                if not header_written:
                    f.write(_line(_header(meta, algorithm, since, base_seq, base_digest)))
                    header_written = True
                f.write(_line(event_line(link)))
                count += 1
                end = link
            if not header_written:
                f.write(_line(_header(meta, algorithm, since, base_seq, base_digest)))
            head_seq, head_digest = (end.seq, end.digest) if end else (base_seq, base_digest)
            trailer = {"end": True, "events": count, "head_seq": head_seq, "head_digest": head_digest.hex()}
            f.write(_line(trailer))
        os.replace(tmp, out)
    except sqlite3.DatabaseError as e:
        raise TamperingFound(f"the store file {path} is damaged or truncated ({e})") from None
    except OSError as e:
        raise InvalidInput(f"--out: cannot write {out}: {e}") from None
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


class ExportReader:
    """Reads and checks an export file: its header, its events in order, its end line."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self._file = path.open(encoding="utf-8")
        except OSError as e:
            raise InvalidInput(f"cannot read {path}: {e.strerror or e}") from None
        try:
            self.header = self._next_json(1)
        except TamperingFound:  # line 1 is not even JSON: some other file, not a damaged export
            raise InvalidInput(f"{path} is not a ledger export (no '{FORMAT}' header on line 1)") from None
        if not isinstance(self.header, dict) or self.header.get("format") != FORMAT:
            raise InvalidInput(f"{path} is not a ledger export (no '{FORMAT}' header on line 1)")
        if self.header.get("version") != 1:
            raise InvalidInput(f"{path}: export version {self.header.get('version')} is not supported")
        self.trailer: dict[str, Any] | None = None
        self.lineno = 1

    def _next_json(self, lineno: int) -> Any:
        try:
            line = self._file.readline()
        except UnicodeDecodeError:
            raise TamperingFound(f"line {lineno} of {self.path} is not UTF-8 text (damaged export)") from None
        if not line:
            return None
        try:
            return json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            raise TamperingFound(f"line {lineno} of {self.path} is not valid JSON (damaged export)") from None

    def events(self) -> Iterator[dict[str, Any]]:
        while True:
            self.lineno += 1
            obj = self._next_json(self.lineno)
            if obj is None:
                return
            if not isinstance(obj, dict):
                raise TamperingFound(f"line {self.lineno} of {self.path} is not an event object (damaged export)")
            if obj.get("end") is True:
                self.trailer = obj
                if self._file.readline():
                    raise TamperingFound(f"{self.path} has lines after its end line (damaged export)")
                return
            yield obj

    def close(self) -> None:
        self._file.close()


def _state(event: dict[str, Any]) -> bytes:
    if "state" in event:
        return str(event["state"]).encode("utf-8")
    return base64.b64decode(event["state_b64"])


def read_export(path: Path, *, watch: int | None = None, keep: bool = False) -> tuple[dict[str, Any], dict[str, Any], bytes | None, list[Link]]:
    """Verify an export: (header, end record, digest at `watch`, links if `keep`)."""
    reader = ExportReader(path)
    try:
        header = reader.header
        algorithm = str(header.get("hash"))
        try:
            base_seq, base_digest = int(header["base_seq"]), bytes.fromhex(header["base_digest"])
        except (KeyError, TypeError, ValueError):
            raise TamperingFound(f"{path}: the header's base_seq/base_digest are missing or garbled") from None
        first, second = itertools.tee(reader.events())

        def events() -> Iterator[tuple[Any, ...]]:
            for e in first:
                try:
                    yield (int(e["seq"]), str(e["originator_id"]), int(e["originator_version"]), str(e["topic"]), _state(e))
                except (KeyError, TypeError, ValueError):
                    raise TamperingFound(f"{path}: event line {e.get('seq', '?')} lacks a field or is garbled") from None

        def chain() -> Iterator[tuple[Any, ...]]:
            for e in second:
                try:
                    yield (int(e["seq"]), int(e["prev"]), bytes.fromhex(e["digest"]))
                except (KeyError, TypeError, ValueError):
                    raise TamperingFound(f"{path}: event line {e.get('seq', '?')} lacks a field or is garbled") from None

        seen = base_digest if watch is not None and watch == base_seq else None
        links: list[Link] = []
        count, last = 0, None
        for link in walk(events(), chain(), algorithm, base_seq=base_seq, base_digest=base_digest):
            count += 1
            last = link
            if watch is not None and link.seq == watch:
                seen = link.digest
            if keep:
                links.append(link)
        trailer = reader.trailer
        head_seq, head_digest = (last.seq, last.digest) if last else (base_seq, base_digest)
        if trailer is None:
            raise TamperingFound(f"{path} is truncated after sequence number {head_seq}: no end line")
        if trailer.get("events") != count or trailer.get("head_seq") != head_seq or trailer.get("head_digest") != head_digest.hex():
            raise TamperingFound(f"{path}: the end line does not match the events (events removed or added at the end)")
        return header, trailer, seen, links
    finally:
        reader.close()


def import_log(app: Any, path: Path) -> dict[str, Any]:
    """Restore a complete export into an empty store, in one transaction (SQLite)."""
    from projections.tables import write_views

    header, trailer, _, links = read_export(path, keep=True)
    if int(header["base_seq"]) != 0:
        raise InvalidInput(f"{path} is a partial export (--since {header.get('since')}): only a complete export can be imported")
    recorder = app.recorder
    with recorder.datastore.transaction(commit=True) as c:
        c.execute("SELECT COUNT(*) FROM stored_events")
        if int(c.fetchone()[0]):
            raise StoreError("the store is not empty: import-log restores only into a new, empty ledger (`ledger init` in a new folder)")
        for key in ("ledger_id", "created_at"):
            c.execute("UPDATE ledger_meta SET value = ? WHERE key = ?", (str(header[key]), key))
        c.execute("INSERT INTO ledger_meta (key, value) VALUES ('hash_algorithm', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", (header["hash"],))
        for link in links:
            # SQLite: the rowid is the event's global sequence number.
            c.execute(
                "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?, ?)",
                (link.seq, link.originator_id, link.originator_version, link.topic, link.state),
            )
            c.execute("INSERT INTO ledger_chain (seq, prev, digest) VALUES (?, ?, ?)", (link.seq, link.prev, link.digest))
        write_views(c, _views(app, links), recorder.placeholder)
    return {"file": str(path), "events": trailer["events"], "head_seq": trailer["head_seq"], "head_digest": trailer["head_digest"]}


def _views(app: Any, links: list[Link]) -> list[tuple[str, dict[str, Any]]]:
    """Read-model views of every problem and inspection, in order of first event."""
    from eventsourcing.persistence import StoredEvent
    from uuid import UUID

    from ledger.domain import Inspection, Problem
    from projections.views import inspection_view, problem_view

    aggregates: dict[str, Any] = {}
    for link in links:
        stored = StoredEvent(originator_id=UUID(link.originator_id), originator_version=link.originator_version, topic=link.topic, state=link.state)
        domain_event = app.mapper.to_domain_event(stored)
        aggregates[link.originator_id] = domain_event.mutate(aggregates.get(link.originator_id))
    views = []
    for aggregate in aggregates.values():
        if isinstance(aggregate, Problem):
            views.append(("problem", problem_view(aggregate)))
        elif isinstance(aggregate, Inspection):
            views.append(("inspection", inspection_view(aggregate)))
    return views
