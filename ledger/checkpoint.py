"""Signed checkpoints: a published, signed statement "this ledger had this head".

A checkpoint is {ledger id, sequence number, hash algorithm, head digest,
time}, signed with the ledger's Ed25519 key and recorded as an event (a
`Checkpoint` aggregate of its own, so problem views are untouched). Printed as
a short text block, it can go at the end of a published report; months later
`ledger audit --verify --checkpoint` proves that the ledger still holds exactly
the history the block covered, with only the public key.

The signed message is the UTF-8 text

    rectification-ledger checkpoint v1\\n
    ledger: <ledger id>\\n
    sequence: <n>\\n
    hash: <sha256|sm3>\\n
    head: <digest of event n, lower-case hex>\\n
    time: <UTC, ISO 8601>\\n

and the block carries the fields, the signer's public key (raw 32 bytes,
base64), its fingerprint (first 20 bytes of SHA-256 of the raw key, hex) and
the signature (base64).

Since the Merkle tree (ledger.merkle), a checkpoint also signs the tree's
size (number of events up to <n>) and root: the message then starts with
`rectification-ledger checkpoint v2` and ends with

    tree-size: <number of leaves>\n
    tree-root: <root, lower-case hex>\n

A block without these two lines is a v1 checkpoint and verifies as before.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from eventsourcing.domain import Aggregate, event

from ledger.errors import ConfigError, InvalidInput, StoreError, TamperingFound
from ledger.messages import t

BEGIN = "-----BEGIN LEDGER CHECKPOINT-----"
END = "-----END LEDGER CHECKPOINT-----"
PREAMBLE = "rectification-ledger checkpoint v1\n"
FIELDS = ("ledger", "sequence", "hash", "head", "time")
PREAMBLE_TREE = "rectification-ledger checkpoint v2\n"
TREE_FIELDS = ("tree-size", "tree-root")
# v3 (the version `ledger checkpoint` makes): the v2 fields and the key's fingerprint line, all signed.
PREAMBLE_V3 = "rectification-ledger checkpoint v3\n"
VERSION = 3


class Checkpoint(Aggregate):
    """A signed checkpoint, recorded in the ledger it describes."""

    @event("Recorded")
    def __init__(self, ledger_id: str, sequence: int, algorithm: str, head: str, time: str, public_key: str, fingerprint: str, signature: str, actor: str, at: datetime, tree_size: int | None = None, tree_root: str | None = None, checkpoint_version: int | None = None) -> None:
        self.ledger_id = ledger_id
        self.sequence = sequence
        self.algorithm = algorithm
        self.head = head
        self.time = time
        self.public_key = public_key
        self.fingerprint = fingerprint
        self.signature = signature
        self.actor = actor
        self.at = at
        self.tree_size = tree_size
        self.tree_root = tree_root
        self.checkpoint_version = checkpoint_version  # 3: the fingerprint is signed too (None: v1/v2, read from the fields)


# -- keys ----------------------------------------------------------------------


def private_key_path(config: Any) -> Path:
    return config.resolve_path(str(config.section("signing")["private_key"]))


def public_key_path(config: Any) -> Path:
    given = str(config.section("signing").get("public_key") or "")
    if given:
        return config.resolve_path(given)
    path = private_key_path(config)
    return path.with_name(path.name + ".pub")


def fingerprint(raw_public: bytes) -> str:
    digest = hashlib.sha256(raw_public).hexdigest()[:40]
    return " ".join(digest[i : i + 4] for i in range(0, 40, 4))


def raw_public(public_key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_line(raw: bytes) -> str:
    return f"ed25519 {base64.b64encode(raw).decode('ascii')}"


def generate_keys(config: Any) -> dict[str, Any]:
    """Write a new Ed25519 key pair; never overwrites an existing private key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path, pub_path = private_key_path(config), public_key_path(config)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InvalidInput(t("a signing key already exists at {path}: not overwriting it (move it away first)", path=path)) from None
    raw = raw_public(key.public_key())
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(path, 0o600)  # whatever the umask
        pub_path.write_text(public_key_line(raw) + "\n", encoding="ascii")
    except OSError as e:
        # A full disk must not leave an empty or half key file behind that looks like a key.
        for leftover in (path, pub_path):
            try:
                leftover.unlink()
            except OSError:
                pass
        raise StoreError(t("cannot write the signing key pair at {path}: {value}; nothing was kept", path=path, value=e.strerror or e)) from None
    return {"private_key": str(path), "public_key_file": str(pub_path), "public_key": public_key_line(raw), "fingerprint": fingerprint(raw)}


def load_private_key(config: Any) -> Any:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = private_key_path(config)
    if not path.is_file():
        raise ConfigError(t("no signing key at {path}: run `ledger keygen` first", path=path))
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError, OSError) as e:
        raise ConfigError(t("{path} is not a readable Ed25519 private key ({e})", path=path, e=e)) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(t("{path} is not an Ed25519 private key", path=path))
    return key


def parse_public_key(text: str, where: str) -> bytes:
    """Raw 32-byte key from "ed25519 BASE64", bare base64, or a PEM public key."""
    text = text.strip()
    if text.startswith("-----BEGIN PUBLIC KEY-----"):
        from cryptography.hazmat.primitives import serialization

        try:
            return raw_public(serialization.load_pem_public_key(text.encode("ascii")))
        except (ValueError, TypeError) as e:
            raise ConfigError(t("{where} is not a readable public key ({e})", where=where, e=e)) from None
    value = text.split()[-1] if text else ""
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise ConfigError(t("{where} is not an Ed25519 public key (want 'ed25519 BASE64')", where=where))
    return raw


def load_public_key(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(t("cannot read public key {path}: {e}", path=path, e=e)) from None
    return parse_public_key(text, str(path))


# -- the checkpoint ---------------------------------------------------------------


@dataclass(frozen=True)
class SignedCheckpoint:
    ledger: str
    sequence: int
    hash: str
    head: str
    time: str
    public_key: bytes
    signature: bytes
    tree_size: int | None = None
    tree_root: str | None = None
    printed_fingerprint: str | None = None  # the block's `fingerprint:` line, if it had one
    source: str = ""  # where the block was read (for messages)
    version: int | None = None  # 3 for a v3 block (its `version: 3` line); None: v1 or v2, told by the tree fields

    def message(self) -> bytes:
        if self.version == 3:  # a line missing from a v3 block is signed as empty: the signature then fails
            tree_size = "" if self.tree_size is None else self.tree_size
            return message(self.ledger, self.sequence, self.hash, self.head, self.time, tree_size, self.tree_root or "", self.printed_fingerprint or "")  # type: ignore[arg-type]
        return message(self.ledger, self.sequence, self.hash, self.head, self.time, self.tree_size, self.tree_root)

    def record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"version": 3} if self.version == 3 else {}
        record |= {
            "ledger": self.ledger,
            "sequence": self.sequence,
            "hash": self.hash,
            "head": self.head,
            "time": self.time,
        }
        if self.tree_size is not None:
            record.update(tree_size=self.tree_size, tree_root=self.tree_root)
        record.update(
            public_key=public_key_line(self.public_key),
            fingerprint=fingerprint(self.public_key),
            signature=base64.b64encode(self.signature).decode("ascii"),
        )
        return record


def message(
    ledger: str, sequence: int, algorithm: str, head: str, time: str, tree_size: int | None = None, tree_root: str | None = None, fingerprint_line: str | None = None
) -> bytes:
    """The signed text: v1 (no tree), v2 (tree size and root), v3 (and the key's fingerprint, as printed)."""
    body = "".join(f"{k}: {v}\n" for k, v in zip(FIELDS, (ledger, sequence, algorithm, head, time)))
    if tree_size is None:
        return (PREAMBLE + body).encode("utf-8")
    body += f"tree-size: {tree_size}\ntree-root: {tree_root}\n"
    if fingerprint_line is None:
        return (PREAMBLE_TREE + body).encode("utf-8")
    return (PREAMBLE_V3 + body + f"fingerprint: {fingerprint_line}\n").encode("utf-8")


RECORDED_TOPIC = "ledger.checkpoint:Checkpoint.Recorded"


def from_recorded(state: bytes) -> SignedCheckpoint:
    """The signed checkpoint a stored `Checkpoint.Recorded` event holds (its JSON state); ValueError if garbled."""
    import json

    data = json.loads(state)
    if not isinstance(data, dict):
        raise ValueError(t("not an object"))
    sequence = data["sequence"]
    if type(sequence) is not int:
        raise ValueError(t("sequence is not an integer"))
    fields = [data[k] for k in ("ledger_id", "algorithm", "head", "time", "public_key", "fingerprint", "signature")]
    if not all(type(v) is str for v in fields):
        raise ValueError(t("a field is not text"))
    ledger_id, algorithm, head, time, public_key, printed, signature = fields
    raw = parse_public_key(public_key, t("the recorded checkpoint's public key"))
    if printed != fingerprint(raw):
        raise ValueError(t("its fingerprint is not that of its key"))
    tree_size, tree_root = data.get("tree_size"), data.get("tree_root")
    if tree_size is not None and (type(tree_size) is not int or type(tree_root) is not str):
        raise ValueError(t("tree_size or tree_root is garbled"))
    version = data.get("checkpoint_version")
    if version not in (None, 3) or (version == 3 and tree_size is None):
        raise ValueError(t("checkpoint_version {version!r} is not one this ledger writes", version=version))
    return SignedCheckpoint(
        ledger_id, sequence, algorithm, head, time, raw, base64.b64decode(signature, validate=True), tree_size, tree_root, printed_fingerprint=printed, version=version
    )


def ledger_meta(cursor: Any, style: str = "?") -> dict[str, str]:
    cursor.execute("SELECT key, value FROM ledger_meta")
    return {str(k): str(v) for k, v in cursor.fetchall()}


def record_checkpoint(app: Any, config: Any, actor: Any) -> dict[str, Any]:
    """Verify the chain, sign its head, and record the checkpoint as an event.

    For `publish` and `ledger checkpoint`: returns the checkpoint's record
    (format it with `format_checkpoint_block`). Raises TamperingFound rather
    than sign a history that does not verify.
    """
    from ledger.actor import as_actor
    from ledger.integrity import verify_store

    who = as_actor(actor)  # an Actor (ledger.actor), or a plain name

    key = load_private_key(config)
    summary, _ = verify_store(config.store, schema=app.read_side.schema, trusted=trusted_key(config))
    with app.recorder.reading() as c:
        meta = ledger_meta(c)
    now = datetime.now(timezone.utc)
    time = now.isoformat(timespec="seconds").replace("+00:00", "Z")
    head = summary.head_digest.hex()
    ledger_id = meta.get("ledger_id", "")
    raw = raw_public(key.public_key())
    tree_size = summary.tree_size
    tree_root = summary.tree_root.hex() if summary.tree_root is not None else None
    version = VERSION if tree_size is not None and VERSION == 3 else None
    unsigned = SignedCheckpoint(ledger_id, summary.head_seq, summary.algorithm, head, time, raw, b"", tree_size, tree_root, fingerprint(raw), version=version)
    cp = SignedCheckpoint(**{**unsigned.__dict__, "signature": key.sign(unsigned.message())})
    record = cp.record()
    app.save(
        Checkpoint(
            ledger_id=ledger_id,
            sequence=cp.sequence,
            algorithm=cp.hash,
            head=head,
            time=time,
            public_key=record["public_key"],
            fingerprint=record["fingerprint"],
            signature=record["signature"],
            actor=who.name,
            at=now,
            tree_size=tree_size,
            tree_root=tree_root,
            checkpoint_version=version,
        ),
        actor=who,
    )
    return record


def format_checkpoint_block(cp: dict[str, Any]) -> str:
    """The text block printed at the end of a published report."""
    lines = [BEGIN] + (["version: 3"] if cp.get("version") == 3 else [])
    lines += [f"{k}: {cp[k]}" for k in FIELDS]
    if cp.get("tree_size") is not None:
        lines += [f"tree-size: {cp['tree_size']}", f"tree-root: {cp['tree_root']}"]
    lines += [
        f"public-key: {cp['public_key']}",
        f"fingerprint: {cp['fingerprint']}",
        f"signature: {cp['signature']}",
        END,
    ]
    return "\n".join(lines)


_BLOCK = re.compile(re.escape(BEGIN) + r"(.*?)" + re.escape(END), re.S)
BLOCK_KEYS = ("version", *FIELDS, *TREE_FIELDS, "public-key", "fingerprint", "signature")


def parse_checkpoint(text_or_file: str) -> SignedCheckpoint:
    """The one checkpoint in a file (e.g. a whole published report) or a block's text."""
    found = parse_checkpoints(text_or_file)
    if len(found) > 1:
        raise InvalidInput(t("{what}: {text_or_file} holds {n_found} checkpoint blocks: give one", what="--checkpoint", text_or_file=text_or_file, n_found=len(found)))
    return found[0]


def parse_checkpoints(text_or_path: str) -> list[SignedCheckpoint]:
    """Every checkpoint block in a block's text, a file (a report), or the files of a folder."""
    if not text_or_path.strip():  # '' would be read as the current folder
        raise InvalidInput(t("{what}: an empty value is neither a checkpoint block nor a file or folder", what="--checkpoint"))
    if BEGIN in text_or_path:
        return _blocks(text_or_path, t("the block given"))
    path = Path(text_or_path).expanduser()
    try:
        folder = path.is_dir()
    except (OSError, ValueError):  # a damaged block's text is no file name either (too long, a NUL byte)
        folder = False
    if folder:
        found = []
        from ledger.inputs import MAX_TEXT_BYTES

        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            try:
                if child.stat().st_size > MAX_TEXT_BYTES:
                    continue  # too large to be a report holding a block
                text = child.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue  # not a text file: cannot hold a block
            if BEGIN in text:
                found += _blocks(text, str(child))
        if not found:
            raise InvalidInput(t("{what}: no file in the folder {path} holds a checkpoint block", what="--checkpoint", path=path))
        return found
    from ledger.inputs import read_regular

    try:
        exists = path.exists()
    except (OSError, ValueError):
        exists = False
    try:
        if exists:  # a device, a FIFO or an oversized file is refused, not read
            text = read_regular(path, "--checkpoint").decode("utf-8")
        else:
            text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError) as e:
        shown = text_or_path if len(text_or_path) <= 80 else text_or_path[:77] + "…"
        if isinstance(e, UnicodeDecodeError):
            raise InvalidInput(t("{what}: {shown!r} is not a checkpoint block, and the file of that name is not UTF-8 text", what="--checkpoint", shown=shown)) from None
        # the system's reason ("No such file or directory"), worded by the catalogue; never a Python class name
        reason = (e.strerror if isinstance(e, OSError) else None) or t("not a file name")
        raise InvalidInput(t("{what}: {shown!r} is not a checkpoint block, nor a file or folder that can be read ({reason})", what="--checkpoint", shown=shown, reason=reason)) from None
    return _blocks(text, str(path))


def _blocks(text: str, source: str) -> list[SignedCheckpoint]:
    found = _BLOCK.findall(text)
    if not found:
        raise InvalidInput(t("{what}: no '{BEGIN}' … '{END}' block found in {source}", what="--checkpoint", BEGIN=BEGIN, END=END, source=source))
    many = len(found) > 1
    return [_block(body, f"{source}#{n}" if many else source) for n, body in enumerate(found, 1)]


def _block(body: str, source: str) -> SignedCheckpoint:
    fields: dict[str, str] = {}
    for line in body.strip().splitlines():
        name, sep, value = line.partition(":")
        key = name.strip().lower()
        if not sep or key not in BLOCK_KEYS:
            raise InvalidInput(t("{what}: {source}: the block has a line that is not one of its fields: {value!r}", what="--checkpoint", source=source, value=line.strip()[:40]))
        if key in fields:
            raise InvalidInput(t("{what}: {source}: the block gives '{key}' twice", what="--checkpoint", source=source, key=key))
        fields[key] = value.strip()
    missing = [k for k in (*FIELDS, "public-key", "signature") if k not in fields]
    if missing:
        raise InvalidInput(t("{what}: {source}: the block lacks {missing}", what="--checkpoint", source=source, missing=', '.join(missing)))
    if not fields["sequence"].isascii() or not fields["sequence"].isdigit() or (fields["sequence"] != "0" and fields["sequence"].startswith("0")):
        raise InvalidInput(t("{what}: {source}: the sequence is garbled", what="--checkpoint", source=source))
    if len(fields["sequence"]) > 18:  # a store's sequence numbers are 64-bit
        raise InvalidInput(t("{what}: {source}: the sequence {value} is too large to be a sequence number", what="--checkpoint", source=source, value=fields['sequence'][:30]))
    try:
        signature = base64.b64decode(fields["signature"], validate=True)
    except ValueError:
        raise InvalidInput(t("{what}: {source}: the signature is garbled", what="--checkpoint", source=source)) from None
    try:
        raw = parse_public_key(fields["public-key"], "the checkpoint's public-key")
    except ConfigError as e:
        raise InvalidInput(t("{what}: {source}: {e}", what="--checkpoint", source=source, e=e)) from None
    tree_size, tree_root = None, None
    if any(k in fields for k in TREE_FIELDS):
        tree_root = fields.get("tree-root", "")
        try:
            tree_size = int(fields.get("tree-size", "")[:19])
            if tree_size < 0 or len(fields.get("tree-size", "")) > 18 or len(bytes.fromhex(tree_root)) != 32:
                raise ValueError
        except ValueError:
            raise InvalidInput(t("{what}: {source}: the tree-size or tree-root is garbled", what="--checkpoint", source=source)) from None
    version = None
    if "version" in fields:
        if fields["version"] != "3":
            raise InvalidInput(t("{what}: {source}: version {version!r} is not a checkpoint version this ledger reads (3)", what="--checkpoint", source=source, version=fields['version']))
        version = 3  # without its tree or fingerprint lines it no longer matches its signature
    return SignedCheckpoint(
        fields["ledger"], int(fields["sequence"]), fields["hash"], fields["head"], fields["time"], raw, signature,
        tree_size, tree_root, printed_fingerprint=fields.get("fingerprint"), source=source, version=version,
    )


def normalise_fingerprint(value: str, where: str = "--fingerprint") -> str:
    """A fingerprint as 40 lower-case hex digits, however it was spaced or cased."""
    text = "".join(value.split()).replace(":", "").lower()
    if len(text) != 40 or any(c not in "0123456789abcdef" for c in text):
        raise InvalidInput(t("{where}: '{value}' is not a key fingerprint (40 hex digits, as `ledger keygen` prints)", where=where, value=value))
    return text


@dataclass(frozen=True)
class Trust:
    """The keys a verifier trusts: a public key, and/or pinned fingerprints."""

    key: bytes | None = None
    fingerprints: frozenset[str] = frozenset()
    source: str = ""


class KeyNotTrusted(TamperingFound):
    """A validly signed block, by a key the verifier was not told to trust."""


def check_signature(cp: SignedCheckpoint, trust: Trust | bytes | None) -> str:
    """Raise unless `cp` is validly signed by a trusted key; a sentence saying which key it was."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if not isinstance(trust, Trust):
        trust = Trust(key=trust, source=t("the ledger's public key")) if trust is not None else Trust()
    name = cp.source or t("the checkpoint")
    printed = fingerprint(cp.public_key)
    if cp.printed_fingerprint is not None:
        try:
            claimed = normalise_fingerprint(cp.printed_fingerprint, "fingerprint")
        except InvalidInput:
            claimed = ""
        if claimed != printed.replace(" ", ""):
            raise TamperingFound(t("{name}: its fingerprint line ({printed_fingerprint}) is not the fingerprint of its public key ({printed})", name=name, printed_fingerprint=cp.printed_fingerprint, printed=printed))
    try:
        Ed25519PublicKey.from_public_bytes(cp.public_key).verify(cp.signature, cp.message())
    except (InvalidSignature, ValueError):
        raise TamperingFound(t("{name}: the checkpoint's signature does not match its contents (the block was altered)", name=name)) from None
    if trust.key is not None:
        if trust.key != cp.public_key:
            whose = t("this ledger's key") if trust.source.endswith(".pub") else t("the trusted key")
            raise TamperingFound(t("{name}: the checkpoint was signed by key {printed}, not by {whose} {fingerprint} ({source})", name=name, printed=printed, whose=whose, fingerprint=fingerprint(trust.key), source=trust.source))
        return t("signature valid, by the trusted key {printed} ({source})", printed=printed, source=trust.source)
    if trust.fingerprints:
        if printed.replace(" ", "") not in trust.fingerprints:
            raise TamperingFound(t("{name}: the checkpoint was signed by key {printed}, not by a key whose fingerprint was given (--fingerprint)", name=name, printed=printed))
        return t("signature valid, by the key with the pinned fingerprint {printed}", printed=printed)
    raise KeyNotTrusted(
        t("{name}: signature valid, key not trusted: the block carries its own key ({printed}); give the ledger's public key (--public-key) or pin that fingerprint (--fingerprint) after comparing it with the published one", name=name, printed=printed)
    )


def trust_of(config: Any, public_key: str | None = None, fingerprints: tuple[str, ...] = ()) -> Trust:
    """What the verifier trusts: --public-key, else the ledger's .pub file; plus any pinned fingerprints."""
    pinned = frozenset(normalise_fingerprint(f) for f in fingerprints)
    if public_key:
        return Trust(trusted_key(None, public_key), pinned, "--public-key")
    key = trusted_key(config) if config is not None else None
    return Trust(key, pinned, str(public_key_path(config)) if key is not None else "")


def trusted_key(config: Any, given: str | None = None) -> bytes | None:
    """The verifier's public key: given on the command line, else the ledger's .pub file, else None."""
    if given:
        path = Path(given).expanduser()
        return load_public_key(path) if path.is_file() else parse_public_key(given, "--public-key")
    if config is None:
        return None
    path = public_key_path(config)
    return load_public_key(path) if path.is_file() else None
