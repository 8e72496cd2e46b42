"""Evidence files (佐证材料): fingerprinted into the act, bytes kept content-addressed.

`--attach FILE` puts {name, size, hash, digest} of the file in the event (so
the chain and the act's signature cover it) and keeps the bytes under their
digest (the ledger's hash algorithm, lower-case hex): in the folder
`<store>.evidence/` beside a SQLite store, in the table `ledger_evidence` of a
PostgreSQL store (so every office sees them). A file's bytes are never
replaced: the same digest is the same bytes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator

from ledger.errors import InvalidInput, TamperingFound
from ledger.messages import t

PG_TABLE = """CREATE TABLE IF NOT EXISTS ledger_evidence (
    digest TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    size BIGINT NOT NULL,
    content BYTEA NOT NULL
)"""


def evidence_folder(store: str) -> Path:
    return Path(store + ".evidence")


def algorithm_of(app: Any) -> str:
    from ledger.chain import recorded_algorithm

    with app.recorder.reading() as c:
        return recorded_algorithm(c)


def digest_of(data: bytes, algorithm: str) -> str:
    from ledger.chain import hasher

    return hasher(algorithm)(data).digest().hex()


def read_files(app: Any, paths: tuple[str, ...] | list[str]) -> list[tuple[dict[str, Any], bytes]]:
    """Each file's manifest (what the act's events carry) and its bytes."""
    from ledger import values
    from ledger.inputs import MAX_EVIDENCE_BYTES, read_regular

    algorithm = algorithm_of(app)
    contents = []
    for given in paths:
        path = Path(given)
        # The file's name is shown in every listing and report: the one text grammar holds for it too.
        name = values.name(path.name, f"--attach: the file name {values.shown(path.name)}")
        data = read_regular(path, "--attach", MAX_EVIDENCE_BYTES)
        manifest = {"name": name, "size": len(data), "hash": algorithm, "digest": digest_of(data, algorithm)}
        contents.append((manifest, data))
    return contents


def keep_files(app: Any, store: str, contents: list[tuple[dict[str, Any], bytes]]) -> None:
    """Keep the bytes under their digests (called as the act is saved, after every check passed)."""
    from ledger.store import is_url

    if is_url(store):
        mark = app.recorder.placeholder
        with app.recorder.datastore.transaction(commit=True) as c:
            c.execute(PG_TABLE)
            for manifest, data in contents:
                c.execute(
                    f"INSERT INTO ledger_evidence (digest, name, size, content) VALUES ({mark}, {mark}, {mark}, {mark}) ON CONFLICT (digest) DO NOTHING",
                    (manifest["digest"], manifest["name"], manifest["size"], data),
                )
    else:
        folder = evidence_folder(store)
        folder.mkdir(parents=True, exist_ok=True)
        for manifest, data in contents:
            target = folder / manifest["digest"]
            if target.is_file() and target.stat().st_size == len(data):
                continue
            tmp = folder / f".{manifest['digest']}.{os.getpid()}"
            tmp.write_bytes(data)
            os.replace(tmp, target)


def keep_files_in(c: Any, mark: str, app: Any, store: str, contents: list[tuple[dict[str, Any], bytes]]) -> None:
    """As keep_files, inside the caller's transaction `c` (PostgreSQL: the same commit as the events)."""
    if mark != "?":
        c.execute(PG_TABLE)
        for manifest, data in contents:
            c.execute(
                f"INSERT INTO ledger_evidence (digest, name, size, content) VALUES ({mark}, {mark}, {mark}, {mark}) ON CONFLICT (digest) DO NOTHING",
                (manifest["digest"], manifest["name"], manifest["size"], data),
            )
        return
    keep_files(app, store, contents)  # the folder beside the file; an orphan file if the commit then fails is harmless (content-addressed)


def fetch(store: str, digest: str) -> bytes | None:
    """The kept bytes under `digest`, or None."""
    from ledger.store import is_url

    if is_url(store):
        from ledger.integrity import pg_snapshot

        with pg_snapshot(store) as con:
            from ledger.schema import has_table

            if not has_table(con, "ledger_evidence", postgres=True):
                return None
            row = con.execute("SELECT content FROM ledger_evidence WHERE digest = %s", (digest,)).fetchone()
            return bytes(row[0]) if row else None
    path = evidence_folder(store) / digest
    return path.read_bytes() if path.is_file() else None


_ATTACHMENTS_KEY, _ESCAPE = b'"attachments"', b"\\u"


def attached(store: str) -> Iterator[dict[str, Any]]:
    """Every evidence file named by an event: seq, aggregate, event, actor and the manifest, in log order."""
    from ledger.integrity import snapshot
    from ledger.store import is_url

    # Only the events whose state may name evidence leave the database (the key, or a JSON escape that could
    # spell it; a state of the wrong type, to be named): a million events are not copied into Python to be skipped.
    key, escape = _ATTACHMENTS_KEY.hex(), _ESCAPE.hex()
    if is_url(store):
        position = "notification_id"
        may_name = f"position('\\x{key}'::bytea in state) > 0 OR position('\\x{escape}'::bytea in state) > 0"
    else:
        position = "rowid"
        may_name = f"typeof(state) <> 'blob' OR instr(state, X'{key}') > 0 OR instr(state, X'{escape}') > 0"
    with snapshot(store) as con:
        cursor = con.cursor()
        cursor.execute(f"SELECT {position}, originator_id, topic, state FROM stored_events WHERE {may_name} ORDER BY {position}")
        for seq, originator_id, topic, state in cursor:
            if not isinstance(state, (bytes, memoryview)):  # a state re-typed in the store: named, not a TypeError
                raise TamperingFound(int(seq), t("cannot be read back (has a column of the wrong type): run `ledger audit --verify`"))
            raw = bytes(state)
            if _ATTACHMENTS_KEY not in raw and _ESCAPE not in raw:
                continue
            try:
                data = json.loads(raw)
                manifests = data.get("attachments") or ()
                if not isinstance(manifests, list) or not all(isinstance(m, dict) and {"name", "hash", "digest", "size"} <= m.keys() for m in manifests):
                    raise TypeError("not evidence manifests")
            except (ValueError, AttributeError, TypeError) as e:
                raise TamperingFound(int(seq), t("cannot be read back ({name__} reading its evidence): run `ledger audit --verify`", name__=type(e).__name__)) from None
            for manifest in manifests:
                yield {
                    "seq": int(seq),
                    "aggregate": str(originator_id),
                    "event": str(topic).rsplit(".", 1)[-1],
                    "actor": data.get("actor", ""),
                    **manifest,
                }


def verify_kept(store: str, progress: Any = None) -> dict[str, int]:
    """Raise TamperingFound naming the first evidence file whose bytes changed or vanished.

    `progress(done, total)`, if given, is told as each file is reached."""
    checked: dict[str, bool] = {}
    files = 0
    items = list(attached(store)) if progress is not None else attached(store)
    if progress is not None:
        progress(0, len(items))  # type: ignore[arg-type]
    for item in items:
        if progress is not None and files:
            progress(files, len(items))  # type: ignore[arg-type]
        files += 1
        digest = item["digest"]
        if digest in checked:
            continue
        kept_bytes(store, item)
        checked[digest] = True
    return {"files": files, "distinct": len(checked)}


def kept_bytes(store: str, item: dict[str, Any]) -> bytes:
    """The kept bytes of one attached file, refused as tampering when they vanished or no longer match."""
    digest = item["digest"]
    data = fetch(store, digest)
    if data is None:
        raise TamperingFound(t("evidence file {name} ({hash}:{digest}) attached to event {seq} has vanished from the store", name=item['name'], hash=item['hash'], digest=digest, seq=item['seq']))
    if digest_of(data, item["hash"]) != digest or len(data) != int(item["size"]):
        raise TamperingFound(t("evidence file {name} ({hash}:{digest}) attached to event {seq} has changed: its bytes no longer match", name=item['name'], hash=item['hash'], digest=digest, seq=item['seq']))
    return data


def export_files(store: str, manifests: list[dict[str, Any]], folder: Path) -> dict[str, int]:
    """For `export --evidence DIR`: each named file's kept bytes, checked, written to DIR under its digest."""
    folder.mkdir(parents=True, exist_ok=True)
    written: set[str] = set()
    for item in manifests:
        digest = item["digest"]
        if digest in written:
            continue
        data = kept_bytes(store, item)
        (folder / digest).write_bytes(data)
        written.add(digest)
    return {"files": len(manifests), "distinct": len(written)}


def verify_folder(manifests: list[dict[str, Any]], folder: Path) -> dict[str, int]:
    """For `verify-export --evidence DIR`: each manifest's file, by digest or by name, with matching bytes."""
    if not folder.is_dir():
        raise InvalidInput(t("--evidence: {folder} is not a folder", folder=folder))
    seen = 0
    for item in manifests:
        candidates = [folder / item["digest"], folder / item["name"]]
        found = next((p for p in candidates if p.is_file()), None)
        if found is None:
            raise TamperingFound(t("evidence file {name} ({hash}:{digest}) of event {seq} is not in {folder}", name=item['name'], hash=item['hash'], digest=item['digest'], seq=item['seq'], folder=folder))
        data = found.read_bytes()
        if digest_of(data, item["hash"]) != item["digest"]:
            raise TamperingFound(t("evidence file {found} does not match the digest recorded in event {seq} ({hash}:{digest})", found=found, seq=item['seq'], hash=item['hash'], digest=item['digest']))
        seen += 1
    return {"files": seen}

