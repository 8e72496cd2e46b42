"""People, their keys and their authority, recorded in the ledger itself; signed acts.

`ledger init` founds the ledger: an `Authority` aggregate (a fixed ID) whose
first event, LedgerFounded, carries the administrator's Ed25519 public key.
The administrator then enrols people (PersonEnrolled, KeyEnrolled) and grants
or revokes roles (RoleGranted, RoleRevoked, PersonRevoked) with events signed
by that key. ledger.yaml is no authority once anyone is enrolled.

Every event written while a `Signer` is set carries a `signature` attribute in
its stored state (so the hash chain covers it). The signed message binds the
ledger ID, the aggregate ID and version, the event's topic, the meaning (the
command), the signer, the person acted for (proxy entry), the key fingerprint,
the signing time and the event's canonical content; see docs/tamper-evidence.md
("Signed acts") for the exact bytes.

cryptography is imported only when a key is used, to keep start-up fast.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from uuid import UUID, uuid5

from ledger.vocabulary import POLICIES as VOCABULARY_POLICIES, POLICY_VALUES, ROLES, word_of

from eventsourcing.domain import Aggregate, event

from ledger.errors import ConfigError, InvalidInput, NotAuthorised

from ledger.authority import AUTHORITY_ID  # noqa: E402 - one Authority aggregate per ledger
from ledger.messages import Stored, joined, t

assert AUTHORITY_ID == uuid5(UUID("7d1c3f0e-5b8a-4c55-9a51-2f6a3b9e1c44"), "authority")
PREAMBLE = "rectification-ledger act v1\n"
PASSPHRASE_ENV = "LEDGER_KEY_PASSPHRASE"
APP_DIR = "rectification-ledger"

# Policies the administrator may record (name → allowed values).
POLICIES = {"proxy_signoff": ("allowed", "forbidden")}


# The administrator's acts in words: one sentence each, said by the act's own line and by the audit trail.
def enrolled_words(name: str, roles: list[str], key: Any = "") -> Any:
    if not roles:
        return t("enrolled {name} with no role{key}", name=name, key=key)
    return t("enrolled {name} as {roles}{key}", name=name, roles=joined([word_of(ROLES, r) for r in roles], ", ", "、"), key=key)


def role_revoked_words(name: str, role: str) -> Any:
    return t("revoked {name}'s role {role}", name=name, role=word_of(ROLES, role))


def person_revoked_words(name: str) -> Any:
    return t("revoked {name}: every role and key", name=name)


def policy_words(name: str, value: str) -> Any:
    """The policy set: its name and value as stored in data, by their words on screen (代录销号、禁止)."""
    return t("policy {policy} set to {value}", policy=Stored(name, word_of(VOCABULARY_POLICIES, name)), value=Stored(value, word_of(POLICY_VALUES, value)))


class Authority(Aggregate):
    """Who may act in this ledger, with which key and roles, since when."""

    @staticmethod
    def create_id(**_: Any) -> UUID:
        return AUTHORITY_ID

    @event("LedgerFounded")
    def __init__(self, ledger_id: str, administrator: str, public_key: str, fingerprint: str, actor: str, at: datetime) -> None:
        self.ledger_id = ledger_id
        self.administrator = administrator
        self.admin_key = public_key
        self.admin_fingerprint = fingerprint
        self.founded_at = at
        self.people: dict[str, dict[str, Any]] = {}
        self.policy: dict[str, str] = {}

    @property
    def enrolled_ever(self) -> bool:
        """True once anyone has been enrolled: trial mode is over for good."""
        return bool(self.people)

    def person(self, name: str) -> dict[str, Any] | None:
        return self.people.get(name)

    def roles_of(self, name: str) -> set[str]:
        p = self.people.get(name)
        return set(p["roles"]) if p and p["active"] else set()

    # -- the administrator's acts (rules checked here, state changed by the events below)

    def add_person(self, *, name: str, roles: list[str], public_key: str | None, fingerprint: str | None, actor: str, at: datetime) -> list[str]:
        """Enrol `name`, or give an enrolled person a new key and more roles; what was done, in words."""
        done: list[str] = []
        if public_key is not None:
            holder = next((n for n, p in self.people.items() if p["public_key"] == public_key and n != name), None)
            if holder is not None:
                raise InvalidInput(t("--public-key: that key is already enrolled for {holder}: each person needs their own key", holder=holder))
        current = self.people.get(name)
        if current is None or not current["active"]:
            if public_key is None and current is not None:
                raise InvalidInput(t("{name} was revoked: re-enrolling needs a new --public-key", name=name))
            self._enrolled(name=name, roles=sorted(set(roles)), public_key=public_key, fingerprint=fingerprint, actor=actor, at=at)
            return [enrolled_words(name, sorted(set(roles)))]
        if public_key is not None and public_key != current["public_key"]:
            self._key_enrolled(name=name, public_key=public_key, fingerprint=fingerprint, actor=actor, at=at)
            done.append(t("enrolled a new key for {name} ({fingerprint})", name=name, fingerprint=fingerprint))
        for role in sorted(set(roles) - set(current["roles"])):
            self._granted(name=name, role=role, actor=actor, at=at)
            done.append(t("granted {name} the role {role}", name=name, role=ROLES.get(role, role)))
        if not done:
            raise InvalidInput(t("{name} is already enrolled with that key and those roles: nothing to change", name=name))
        return done

    def revoke(self, *, name: str, role: str | None, actor: str, at: datetime) -> str:
        current = self.people.get(name)
        if current is None or not current["active"]:
            raise InvalidInput(t("{name} is not enrolled (see `ledger person list`)", name=name))
        if role is None:
            self._person_revoked(name=name, actor=actor, at=at)
            return person_revoked_words(name)
        if role not in current["roles"]:
            raise InvalidInput(t("{name} does not hold the role {role}", name=name, role=ROLES.get(role, role)))
        self._role_revoked(name=name, role=role, actor=actor, at=at)
        return role_revoked_words(name, role)

    def set_policy(self, *, name: str, value: str, actor: str, at: datetime) -> None:
        if name not in POLICIES or value not in POLICIES[name]:
            raise InvalidInput(t("policy {name}={value}: known policies: {known}", name=name, value=value,
                                 known="; ".join(f"{k}: {'|'.join(v)}" for k, v in POLICIES.items())))
        if self.policy.get(name) == value:
            raise InvalidInput(t("policy {policy} is already {value}", policy=Stored(name, word_of(VOCABULARY_POLICIES, name)), value=Stored(value, word_of(POLICY_VALUES, value))))
        self._policy_set(name=name, value=value, actor=actor, at=at)

    @event("PersonEnrolled")
    def _enrolled(self, name: str, roles: list[str], public_key: str | None, fingerprint: str | None, actor: str, at: datetime) -> None:
        self.people[name] = {
            "name": name,
            "public_key": public_key,
            "fingerprint": fingerprint,
            "roles": {r: at for r in roles},
            "enrolled_at": at,
            "active": True,
            "revoked_at": None,
        }

    @event("KeyEnrolled")
    def _key_enrolled(self, name: str, public_key: str, fingerprint: str, actor: str, at: datetime) -> None:
        self.people[name].update(public_key=public_key, fingerprint=fingerprint, active=True, revoked_at=None)

    @event("RoleGranted")
    def _granted(self, name: str, role: str, actor: str, at: datetime) -> None:
        self.people[name]["roles"][role] = at

    @event("RoleRevoked")
    def _role_revoked(self, name: str, role: str, actor: str, at: datetime) -> None:
        self.people[name]["roles"].pop(role, None)

    @event("PersonRevoked")
    def _person_revoked(self, name: str, actor: str, at: datetime) -> None:
        self.people[name].update(roles={}, public_key=None, fingerprint=None, active=False, revoked_at=at)

    @event("PolicySet")
    def _policy_set(self, name: str, value: str, actor: str, at: datetime) -> None:
        self.policy[name] = value


# -- keys ----------------------------------------------------------------------


def config_dir() -> Path:
    """The user's configuration folder for the ledger ($XDG_CONFIG_HOME, else ~/.config)."""
    base = os.environ.get("XDG_CONFIG_HOME", "").strip()
    root = Path(base) if base else Path.home() / ".config"
    return root / APP_DIR


def default_person_key(name: str) -> Path:
    return config_dir() / "keys" / f"{name}.pem"


def default_admin_key(ledger_id: str) -> Path:
    return config_dir() / "keys" / f"admin-{ledger_id}.pem"


def fingerprint(raw_public: bytes) -> str:
    """First 20 bytes of SHA-256 of the raw 32-byte key, hex in groups of 4 (as for checkpoints)."""
    digest = hashlib.sha256(raw_public).hexdigest()[:40]
    return " ".join(digest[i : i + 4] for i in range(0, 40, 4))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def write_key_pair(path: Path) -> dict[str, Any]:
    """A new Ed25519 key pair: private key PEM (mode 0600, never overwritten), public key beside it (.pub)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    passphrase = os.environ.get(PASSPHRASE_ENV, "")
    encryption = serialization.BestAvailableEncryption(passphrase.encode("utf-8")) if passphrase else serialization.NoEncryption()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InvalidInput(t("a key already exists at {path}: not overwriting it (move it away first)", path=path)) from None
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    os.chmod(path, 0o600)
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pub = path.with_name(path.name + ".pub")
    pub.write_text(f"ed25519 {b64(raw)}\n", encoding="ascii")
    return {"private_key": str(path), "public_key_file": str(pub), "public_key": b64(raw), "fingerprint": fingerprint(raw), "passphrase": bool(passphrase)}


# An unencrypted PKCS#8 Ed25519 private key is these 16 DER bytes and the 32-byte seed.
_PKCS8_ED25519 = bytes.fromhex("302e020100300506032b657004220420")


def load_private_key(path: Path, what: str = "--key") -> Any:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ledger.inputs import MAX_KEY_BYTES, read_regular

    if path.exists():  # a device, a FIFO or a huge file is bad input (exit 2), never read
        data = read_regular(path, what, MAX_KEY_BYTES)
    else:
        raise NotAuthorised(t("{what}: cannot read the private key {path}: No such file or directory", what=what, path=path))
    if b"-----BEGIN" not in data or b"PRIVATE KEY-----" not in data:
        raise NotAuthorised(t("{what}: {path} is not a private key: it holds no PEM private key block (-----BEGIN PRIVATE KEY-----), as `ledger person keygen` writes", what=what, path=path))
    seed = _plain_pkcs8_seed(data)
    if seed is not None:  # the common case, without importing cryptography's serialization (start-up time)
        return Ed25519PrivateKey.from_private_bytes(seed)
    from cryptography.hazmat.primitives import serialization

    passphrase = os.environ.get(PASSPHRASE_ENV, "")
    try:
        key = serialization.load_pem_private_key(data, password=passphrase.encode("utf-8") if passphrase else None)
    except TypeError:
        raise NotAuthorised(t("{what}: {path} is passphrase-protected: set {PASSPHRASE_ENV}", what=what, path=path, PASSPHRASE_ENV=PASSPHRASE_ENV)) from None
    except ValueError:
        if passphrase and b"ENCRYPTED" in data:
            raise NotAuthorised(t("{what}: {path} is not a private key this ledger can use (wrong passphrase in {PASSPHRASE_ENV}?)", what=what, path=path, PASSPHRASE_ENV=PASSPHRASE_ENV)) from None
        raise NotAuthorised(t("{what}: {path} is not a private key this ledger can use: its PEM block is damaged or of another format", what=what, path=path)) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise NotAuthorised(t("{what}: {path} is not an Ed25519 private key", what=what, path=path))
    return key


def _plain_pkcs8_seed(data: bytes) -> bytes | None:
    lines = data.strip().splitlines()
    if len(lines) < 3 or lines[0] != b"-----BEGIN PRIVATE KEY-----" or lines[-1] != b"-----END PRIVATE KEY-----":
        return None
    try:
        der = base64.b64decode(b"".join(lines[1:-1]), validate=True)
    except ValueError:
        return None
    return der[16:] if len(der) == 48 and der.startswith(_PKCS8_ED25519) else None


def raw_public_of(private_key: Any) -> bytes:
    return bytes(private_key.public_key().public_bytes_raw())


def read_public_key(path: str) -> bytes:
    """A public key file: `ed25519 <base64>` (as keygen writes) or a PEM public key; the raw 32 bytes."""
    from ledger.inputs import MAX_KEY_BYTES, read_regular_text

    text = read_regular_text(path, "--public-key", MAX_KEY_BYTES, "ascii").strip()
    if text.startswith("-----BEGIN"):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            key = serialization.load_pem_public_key(text.encode("ascii"))
        except ValueError:
            raise InvalidInput(t("--public-key: {path} is not a public key", path=path)) from None
        if not isinstance(key, Ed25519PublicKey):
            raise InvalidInput(t("--public-key: {path} is not an Ed25519 public key", path=path))
        return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    parts = text.split()
    if len(parts) == 2 and parts[0] == "ed25519":
        try:
            raw = base64.b64decode(parts[1], validate=True)
        except ValueError:
            raw = b""
        if len(raw) == 32:
            return raw
    raise InvalidInput(t("--public-key: {path} is not an Ed25519 public key ('ed25519 <base64>' or PEM)", path=path))


# -- signing -------------------------------------------------------------------


@dataclass
class Signer:
    """Who signs the events of this command, with which key, meaning what."""

    name: str
    private_key: Any
    raw_public: bytes
    meaning: str
    principal: str | None = None  # proxy entry: the person whose paper signature is entered

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.raw_public)


def canonical(obj: Any) -> bytes:
    """The canonical JSON of a decoded event state: sorted keys, no spaces, UTF-8, not ASCII-escaped."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def signed_message(*, ledger_id: str, aggregate: UUID | str, version: int, topic: str, meaning: str, signer: str, principal: str | None, key: str, time: str, content: bytes) -> bytes:
    head = (
        PREAMBLE
        + f"ledger: {ledger_id}\n"
        + f"aggregate: {UUID(str(aggregate))}\n"
        + f"version: {int(version)}\n"
        + f"topic: {topic}\n"
        + f"meaning: {meaning}\n"
        + f"signer: {signer}\n"
        + f"for: {principal or ''}\n"
        + f"key: {key}\n"
        + f"time: {time}\n"
        + "content: "
    )
    return head.encode("utf-8") + content + b"\n"


def content_of_state(state: dict[str, Any]) -> bytes:
    """The signed content: the decoded stored state without its `signature`."""
    return canonical({k: v for k, v in state.items() if k != "act_signature"})


def sign_events(events: list[Any], signer: Signer, ledger_id: str, transcoder: Any) -> None:
    """Give each pending event its `signature` attribute (and the act's attachments)."""
    from eventsourcing.utils import get_topic

    time = datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")
    key = signer.fingerprint
    for domain_event in events:
        state = {k: v for k, v in vars(domain_event).items() if k not in ("originator_id", "originator_version", "act_signature")}
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        content = canonical(json.loads(transcoder.encode(state)))
        topic = get_topic(type(domain_event))
        message = signed_message(
            ledger_id=ledger_id,
            aggregate=domain_event.originator_id,
            version=domain_event.originator_version,
            topic=topic,
            meaning=signer.meaning,
            signer=signer.name,
            principal=signer.principal,
            key=key,
            time=time,
            content=content,
        )
        signature = {
            "v": 1,
            "meaning": signer.meaning,
            "signer": signer.name,
            "for": signer.principal,
            "key": key,
            "time": time,
            "value": b64(signer.private_key.sign(message)),
        }
        object.__setattr__(domain_event, "act_signature", signature)


def note_administrator(app: Any, name: str, raw_public: bytes) -> None:
    """Keep the administrator's name and public key in ledger_meta until the founding event is written."""
    mark = app.recorder.placeholder
    with app.recorder.datastore.transaction(commit=True) as c:
        for key, value in (("administrator", name), ("administrator_key", b64(raw_public))):
            c.execute(f"INSERT INTO ledger_meta (key, value) VALUES ({mark}, {mark}) ON CONFLICT (key) DO NOTHING", (key, value))


def record_founding(app: Any, name: str, private_key: Any, raw_public: bytes) -> tuple[Any, bool]:
    """Write LedgerFounded (signed by the administrator's key) unless the ledger has it; (the Authority, written now)."""
    from eventsourcing.persistence import IntegrityError

    authority = Authority(
        ledger_id=app.ledger_id(), administrator=name, public_key=b64(raw_public), fingerprint=fingerprint(raw_public),
        actor=name, at=datetime.now(timezone.utc),
    )
    from ledger.actor import Actor
    from ledger.authority import ADMINISTRATION

    founder = Actor(name=name, act=ADMINISTRATION, signer=Signer(name=name, private_key=private_key, raw_public=raw_public, meaning="init"))
    try:
        app.save(authority, actor=founder)
    except IntegrityError:  # another `init` founded it at the same moment
        app._authority = None
        stored = app.authority()
        assert stored is not None
        return stored, False
    app._authority = authority
    return authority, True


def noted_administrator(app: Any) -> tuple[str, bytes] | None:
    with app.recorder.reading() as c:
        c.execute("SELECT key, value FROM ledger_meta WHERE key IN ('administrator', 'administrator_key')")
        found = {str(k): str(v) for k, v in c.fetchall()}
    if "administrator" not in found or "administrator_key" not in found:
        return None
    return found["administrator"], base64.b64decode(found["administrator_key"])


def founding(app: Any) -> Any:
    """The ledger's Authority: the stored one, or (before the first enrolment) a new one founded from ledger_meta, unsaved."""
    stored = app.authority()
    if stored is not None:
        return stored
    noted = noted_administrator(app)
    if noted is None:
        raise NotAuthorised(t("this ledger has no administrator yet (it was made before people were kept in the ledger): run `ledger init` once to make one"))
    name, raw = noted
    return Authority(ledger_id=app.ledger_id(), administrator=name, public_key=b64(raw), fingerprint=fingerprint(raw), actor=name, at=datetime.now(timezone.utc))


def administrator(authority: Any, key_path: str | None, meaning: str) -> Any:
    """The administrator as the Actor of `ledger person …` (`meaning`: the command), signing with their key."""
    from ledger.actor import Actor
    from ledger.authority import ADMINISTRATION

    return Actor(name=authority.administrator, act=ADMINISTRATION, signer=admin_signer(authority, key_path, meaning))


def admin_signer(authority: Any, key_path: str | None, meaning: str) -> Signer:
    """The administrator's Signer, from --admin-key or the default location for this ledger."""
    path = Path(key_path) if key_path else default_admin_key(authority.ledger_id)
    if not path.is_file():
        raise NotAuthorised(t("no administrator key at {path}: only the administrator ({administrator}) may run `ledger {meaning}` (give --admin-key PATH)", path=path, administrator=authority.administrator, meaning=meaning))
    key = load_private_key(path, "--admin-key")
    raw = raw_public_of(key)
    if b64(raw) != authority.admin_key:
        raise NotAuthorised(t("--admin-key: {path} is not this ledger's administrator key (fingerprint {admin_fingerprint})", path=path, admin_fingerprint=authority.admin_fingerprint))
    return Signer(name=authority.administrator, private_key=key, raw_public=raw, meaning=meaning)


def people_in_config_refused(config: Any) -> None:
    """Once people are enrolled in the ledger, `people:` in ledger.yaml is an error, not an authority."""
    if config.data.get("people") is not None:
        raise ConfigError(
            t("{path}: 'people' is no longer read: this ledger's people and roles are enrolled in the ledger itself (see `ledger person list`); remove the 'people' key from ledger.yaml", path=config.path)
        )
