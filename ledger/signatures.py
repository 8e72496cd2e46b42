"""Verifying every act's signature and the signer's authority at that moment.

A step of `audit --verify` of its own, after the hash chain: it reads the
stored events raw (no domain classes), in log order, and replays the
Authority aggregate's events from their JSON as it goes, so "held the role at
that moment" means: granted by an earlier event in the log and not revoked
since. Events written while nobody was enrolled are counted as unsigned; an
unsigned event after the first enrolment, a signature that does not verify
(forged, or copied from another event), a key not enrolled for the signer, or
a signer without the role is tampering (exit 4) naming the event.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any, Iterator
from uuid import UUID

from ledger.errors import TamperingFound
from ledger.messages import joined, t, tn


@dataclass
class ActsReport:
    signed: int = 0
    unsigned: int = 0
    proxies: int = 0
    people: int = 0
    founded: bool = False
    administrator: str = ""
    admin_fingerprint: str = ""
    founding_seq: int = 0

    @property
    def trial(self) -> bool:
        return self.people == 0

    def record(self) -> dict[str, Any]:
        return {
            "signed": self.signed, "unsigned": self.unsigned, "proxy_entries": self.proxies, "people_enrolled": self.people, "trial_mode": self.trial,
            "founding": {"seq": self.founding_seq, "administrator": self.administrator, "fingerprint": self.admin_fingerprint} if self.founded else None,
        }

    def founding_line(self) -> str:
        if not self.founded:
            return t("founding: no founding event in the log (a ledger made before founding events: `ledger init` records it)")
        return t("founding: event {founding_seq}, administrator {administrator}, key fingerprint {admin_fingerprint}, self-signed and verified", founding_seq=self.founding_seq, administrator=self.administrator, admin_fingerprint=self.admin_fingerprint)

    def line(self) -> str:
        if self.trial:
            detail = tn("trial mode: nobody is enrolled, so the {unsigned} act is unauthenticated (a typed name); enrol people with `ledger person add` to sign every act", "trial mode: nobody is enrolled, so the {unsigned} acts are unauthenticated (typed names); enrol people with `ledger person add` to sign every act", self.unsigned, unsigned=self.unsigned)
            return t("acts: {detail}", detail=detail)
        parts = [tn("{signed} signature verified, the signer held the role at that moment", "{signed} signatures verified, each signer held the role at that moment", self.signed, signed=self.signed)]
        if self.proxies:
            parts.append(t("{proxies} entered for someone else (--for)", proxies=self.proxies))
        if self.unsigned:
            parts.append(tn("{unsigned} unsigned act from before enrolment", "{unsigned} unsigned acts from before enrolment", self.unsigned, unsigned=self.unsigned))
        return t("acts: {detail}", detail=joined(parts))


@dataclass
class _People:
    admin: str = ""
    admin_key: str = ""
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    policy: dict[str, str] = field(default_factory=dict)
    ever: bool = False


def _state_bytes(seq: Any, state: Any) -> bytes:
    """A stored state as bytes; one re-typed in the store (TEXT, a number) is tampering named by its event, not a TypeError."""
    if not isinstance(state, (bytes, memoryview)):
        raise TamperingFound(int(seq), t("cannot be read back (has a column of the wrong type): run `ledger audit --verify`"))
    return bytes(state)


def _raw_events(store: str) -> Iterator[tuple[int, str, int, str, bytes]]:
    from ledger.integrity import snapshot
    from ledger.store import is_url

    position = "notification_id" if is_url(store) else "rowid"
    with snapshot(store) as con:
        cursor = con.cursor()
        cursor.execute(f"SELECT {position}, originator_id, originator_version, topic, state FROM stored_events ORDER BY {position}")
        for seq, originator_id, version, topic, state in cursor:
            yield int(seq), str(originator_id), int(version), str(topic), _state_bytes(seq, state)



# What marks an event as possibly signed (verify_event_rows decodes those): its state holds the signature's key,
# or a JSON escape that could spell it, or it is the authority's. As bytes, for the store to test.
_SIGNATURE_KEY, _ESCAPE = b"act_signature", b"\\u"


@dataclass
class _Skipped:
    """The events a store left out of the signature check because they cannot be signed (no signature key, no escape,
    not the authority's): how many (once the candidates are read), and the first after a given position (unsigned
    after an enrolment is tampering)."""

    total: int  # every event of the log
    first_after: Any  # (seq) -> (seq, event name) | None
    read: int = 0  # candidates read so far

    @property
    def count(self) -> int:
        return self.total - self.read


def _candidates(con: Any, store: str) -> tuple[Iterator[tuple[int, str, int, str, bytes]], _Skipped]:
    """The events of the log that may carry a signature, in log order, read in one pass; and the rest, counted in the store.

    The byte tests run inside the database (instr / position), so an unsigned ledger's million events are
    not copied into Python only to be found unsigned (issue 24: `audit --verify` speed)."""
    from ledger.authority import AUTHORITY_ID
    from ledger.store import is_url

    if is_url(store):
        position = "notification_id"
        may_sign = (f"(originator_id = '{AUTHORITY_ID}'::uuid OR position('\\x{_SIGNATURE_KEY.hex()}'::bytea in state) > 0"
                    f" OR position('\\x{_ESCAPE.hex()}'::bytea in state) > 0)")
    else:
        position = "rowid"
        # Any spelling of the authority's id that UUID() reads (case, dashes, braces, urn:) holds its 32 hex digits.
        # A state of another type than BLOB is read too, to be named (_state_bytes).
        may_sign = (f"(typeof(state) <> 'blob' OR instr(replace(lower(CAST(originator_id AS TEXT)), '-', ''), '{AUTHORITY_ID.hex}') > 0"
                    f" OR instr(CAST(state AS BLOB), X'{_SIGNATURE_KEY.hex()}') > 0 OR instr(CAST(state AS BLOB), X'{_ESCAPE.hex()}') > 0)")
    cursor = con.cursor()
    cursor.execute("SELECT count(*) FROM stored_events")
    skipped = _Skipped(int(cursor.fetchone()[0]), None)

    def first_after(seq: int) -> tuple[int, str] | None:
        found = con.cursor()
        found.execute(f"SELECT {position}, topic FROM stored_events WHERE {position} > {int(seq)} AND NOT {may_sign} ORDER BY {position} LIMIT 1")
        row = found.fetchone()
        return (int(row[0]), str(row[1]).rsplit(".", 1)[-1]) if row is not None else None

    skipped.first_after = first_after

    def rows() -> Iterator[tuple[int, str, int, str, bytes]]:
        cursor.execute(f"SELECT {position}, originator_id, originator_version, topic, state FROM stored_events WHERE {may_sign} ORDER BY {position}")
        for seq, originator_id, version, topic, state in cursor:
            skipped.read += 1
            yield int(seq), str(originator_id), int(version), str(topic), _state_bytes(seq, state)

    return rows(), skipped


def _verify(raw_key_b64: str, signature: str, message: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(raw_key_b64, validate=True))
        key.verify(base64.b64decode(signature, validate=True), message)
        return True
    except (InvalidSignature, ValueError, TypeError):
        return False


def _message(ledger_id: str, aggregate: str, version: int, topic: str, sig: dict[str, Any], state: dict[str, Any]) -> bytes:
    from ledger.identity import content_of_state, signed_message

    return signed_message(
        ledger_id=ledger_id, aggregate=aggregate, version=version, topic=topic,
        meaning=str(sig.get("meaning", "")), signer=str(sig.get("signer", "")), principal=sig.get("for") or None,
        key=str(sig.get("key", "")), time=str(sig.get("time", "")), content=content_of_state(state),
    )


def _apply_authority(known: _People, name: str, state: dict[str, Any]) -> None:
    who = state.get("name")
    if name == "PersonEnrolled":
        known.people[who] = {"key": state.get("public_key"), "fingerprint": state.get("fingerprint"), "roles": set(state.get("roles") or ()), "active": True}
        known.ever = True
    elif name == "KeyEnrolled":
        known.people[who].update(key=state.get("public_key"), fingerprint=state.get("fingerprint"), active=True)
    elif name == "RoleGranted":
        known.people[who]["roles"].add(state.get("role"))
    elif name == "RoleRevoked":
        known.people[who]["roles"].discard(state.get("role"))
    elif name == "PersonRevoked":
        known.people[who].update(key=None, fingerprint=None, roles=set(), active=False)
    elif name == "PolicySet":
        known.policy[str(state.get("name"))] = str(state.get("value"))


def verify_acts(store: str, ledger_id: str, admin_fingerprints: frozenset[str] = frozenset(), progress: Any = None) -> ActsReport:
    """Check every signature in the store's log; TamperingFound names the first bad event.

    The founding event's key must be the one `ledger init` noted in ledger_meta,
    and (if given) one of `admin_fingerprints`, the fingerprint kept since init.
    """
    from ledger.integrity import snapshot

    with snapshot(store) as con:
        cursor = con.cursor()
        cursor.execute("SELECT value FROM ledger_meta WHERE key = 'administrator_key'")
        row = cursor.fetchone()
        total = 0
        if progress is not None:
            from ledger.store import is_url

            cursor.execute(f"SELECT COALESCE(MAX({'notification_id' if is_url(store) else 'rowid'}), 0) FROM stored_events")
            total = int(cursor.fetchone()[0])
        noted = str(row[0]) if row else None
        rows, skipped = _candidates(con, store)
        return verify_event_rows(rows, ledger_id, noted_key=noted, admin_fingerprints=admin_fingerprints, progress=progress, total=total, skipped=skipped)


def export_rows(path: Any) -> Iterator[tuple[int, str, int, str, bytes]]:
    """(seq, originator_id, version, topic, state) of each event line of an export (ledger.export)."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            event = json.loads(line)
            if "seq" not in event or "topic" not in event:
                continue  # the header and end lines
            text = event.get("state")
            raw = text.encode("utf-8") if text is not None else base64.b64decode(event.get("state_b64", ""))
            yield int(event["seq"]), str(event["originator_id"]), int(event["originator_version"]), str(event["topic"]), raw


def verify_event_rows(rows: Any, ledger_id: str, *, noted_key: str | None = None, admin_fingerprints: frozenset[str] = frozenset(), progress: Any = None, total: int = 0, skipped: _Skipped | None = None) -> ActsReport:
    """Check every signature of these events, in log order; TamperingFound names the first bad event.

    `skipped`: the events left out of `rows` because they cannot be signed (_candidates): counted as unsigned,
    and tampering if one comes after the first enrolment.

    `progress(seq, total)` is told every ledger.progress.PROGRESS_EVERY events (`total`: the last sequence number)."""
    from ledger.identity import fingerprint

    from ledger.authority import act_of_meaning, event_act, may_write, required_roles, wanted_roles
    from ledger.authority import AUTHORITY_ID

    authority_id = str(AUTHORITY_ID)
    authority_by_spelling: dict[str, bool] = {}  # each aggregate's id is parsed once, not once per event
    known = _People()
    report = ActsReport()
    if progress is not None:
        from ledger.progress import reporting

        rows = reporting(rows, progress, total, reached=lambda _, row: row[0])
    left_out: tuple[int, str] | None = None  # the first event left out (unsigned) after the first enrolment
    for seq, originator_id, version, topic, raw in rows:
        if left_out is not None and left_out[0] < seq:
            raise _unsigned_after_enrolment(*left_out)
        qualname = topic.split(":", 1)[-1]
        name = qualname.rsplit(".", 1)[-1]
        is_authority = authority_by_spelling.get(originator_id)
        if is_authority is None:
            is_authority = authority_by_spelling[originator_id] = _same_id(originator_id, authority_id)
        if not is_authority and b"act_signature" not in raw and b"\\u" not in raw:
            # No signature key, not even spelled with escapes: an unsigned act, whatever else the bytes hold
            # (the chain covers them; replay reads them). Decoding it would tell nothing more.
            state, sig = None, None
        else:
            try:
                state = json.loads(raw)
            except ValueError:
                raise TamperingFound(seq, t("is not readable JSON: its signature cannot be checked")) from None
            sig = state.get("act_signature") if isinstance(state, dict) else None
        if sig is None:
            if is_authority:
                raise TamperingFound(seq, t("({name}) changes who may act but is not signed by the administrator", name=_event_word(name)))
            if known.ever:
                raise _unsigned_after_enrolment(seq, name)
            report.unsigned += 1
            continue
        if not isinstance(sig, dict):
            raise TamperingFound(seq, t("has a malformed signature"))
        message = _message(ledger_id, originator_id, version, topic, sig, state)
        signer = sig.get("signer")
        if is_authority:
            if name == "LedgerFounded":
                if report.founded or version != 1:
                    raise TamperingFound(seq, t("(LedgerFounded, version {version}) founds the ledger a second time: a replaced administrator", version=version))
                if state.get("ledger_id") != ledger_id:
                    raise TamperingFound(seq, t("(LedgerFounded) founds the ledger {get}, not this ledger {ledger_id}: copied from another ledger", get=state.get('ledger_id'), ledger_id=ledger_id))
                known.admin, known.admin_key = str(state.get("administrator")), str(state.get("public_key"))
                try:
                    printed = fingerprint(base64.b64decode(known.admin_key, validate=True))
                except ValueError:
                    raise TamperingFound(seq, t("(LedgerFounded) carries a malformed administrator key")) from None
                if noted_key is not None and noted_key != known.admin_key:
                    raise TamperingFound(
                        seq, t("(LedgerFounded) carries the administrator key {printed}, not the key noted when the ledger was made ({printed2}): a replaced administrator", printed=printed, printed2=_printed(noted_key))
                    )
                if admin_fingerprints and printed.replace(" ", "") not in admin_fingerprints:
                    raise TamperingFound(seq, t("(LedgerFounded) carries the administrator key {printed}, not the one whose fingerprint was given: a replaced administrator", printed=printed))
                if str(state.get("fingerprint")) != printed or sig.get("key") != printed:
                    raise TamperingFound(seq, t("(LedgerFounded) names a fingerprint that is not its key's"))
                report.founded, report.founding_seq, report.administrator, report.admin_fingerprint = True, seq, known.admin, printed
            if signer != known.admin or not known.admin_key:
                raise TamperingFound(seq, t("({name}) is signed by {signer}, not by the administrator {value}", name=_event_word(name), signer=signer, value=known.admin or '(none founded)'))
            if not _verify(known.admin_key, str(sig.get("value", "")), message):
                raise TamperingFound(seq, t("({name}) carries a signature that does not verify with the administrator's key (forged, or copied from another event)", name=_event_word(name)))
            ever = known.ever
            _apply_authority(known, name, state)
            if known.ever and not ever and skipped is not None:
                left_out = skipped.first_after(seq)
            report.signed += 1
            continue
        person = known.people.get(signer)
        if person is None or not person["active"] or not person["key"]:
            raise TamperingFound(seq, t("({name}) is signed by {signer}, who was not enrolled with a key at that moment", name=_event_word(name), signer=signer))
        if sig.get("key") != person["fingerprint"]:
            raise TamperingFound(seq, t("({name}) is signed with key {get}, not the key enrolled for {signer}", name=_event_word(name), get=sig.get('key'), signer=signer))
        if not _verify(person["key"], str(sig.get("value", "")), message):
            raise TamperingFound(seq, t("({name}) carries a signature by {signer} that does not verify (forged, altered, or copied from another event)", name=_event_word(name), signer=signer))
        meaning = str(sig.get("meaning", ""))
        principal = sig.get("for") or None
        acting = principal or signer
        if principal is not None:
            other = known.people.get(principal)
            if other is None or not other["active"]:
                raise TamperingFound(seq, t("({name}) was entered for {principal}, who was not enrolled at that moment", name=_event_word(name), principal=principal))
            if meaning == "close" and known.policy.get("proxy_signoff") == "forbidden":
                raise TamperingFound(seq, t("({name}) is a sign-off entered by {signer} for {principal}, which the ledger's policy forbade at that moment", name=_event_word(name), signer=signer, principal=principal))
            report.proxies += 1
        if "actor" in state and state["actor"] != acting:
            raise TamperingFound(seq, t("({name}) names {actor} as actor but was signed as {acting}'s act", name=_event_word(name), actor=state['actor'], acting=acting))
        if not may_write(meaning, qualname):
            raise TamperingFound(seq, t("({name}) is signed with the meaning `{meaning}`, which never records this event", name=_event_word(name), meaning=meaning))
        roles = known.people[acting]["roles"]
        for act in {act_of_meaning(meaning), event_act(qualname)}:  # may_write: both are acts
            if not roles & set(required_roles(str(act))):
                wanted = wanted_roles(str(act))
                raise TamperingFound(seq, t("({name}) was recorded as {acting}'s act, but {acting} did not hold the role {wanted} at that moment", name=_event_word(name), acting=acting, wanted=wanted))
        report.signed += 1
    if left_out is not None:
        raise _unsigned_after_enrolment(*left_out)
    if skipped is not None:
        report.unsigned += skipped.count
    if admin_fingerprints and not report.founded:
        raise TamperingFound(t("the log holds no founding event (LedgerFounded), so no administrator key to compare with the fingerprint given: it was removed"))
    report.people = sum(1 for p in known.people.values() if p["active"]) if known.ever else 0
    if known.ever and report.people == 0:
        report.people = len(known.people)  # everyone revoked: still not trial mode
    return report


def _unsigned_after_enrolment(seq: int, name: str) -> TamperingFound:
    return TamperingFound(seq, t("({name}) is not signed, though people were enrolled before it: an act written around the ledger's checks", name=_event_word(name)))


def _event_word(name: str) -> Any:
    """An event kind as a screen says it (更正 / Corrected), or its name when the ledger has no such kind."""
    from ledger.vocabulary import EVENTS

    return EVENTS.get(name, name)


def proxy_entries(store: str, aggregates: set[str] | None = None) -> list[dict[str, Any]]:
    """Acts a clerk entered for someone who signed on paper (--for): seq, aggregate, event, for whom, by whom, files."""
    found = []
    for seq, originator_id, _version, topic, raw in _raw_events(store):
        if b'"for":"' not in raw and b'"for": "' not in raw:
            continue
        state = json.loads(raw)
        sig = state.get("act_signature")
        if not isinstance(sig, dict) or not sig.get("for"):
            continue
        if aggregates is not None and not any(_same_id(originator_id, a) for a in aggregates):
            continue
        found.append(
            {
                "seq": seq,
                "aggregate": originator_id,
                "event": topic.rsplit(".", 1)[-1],
                "for": sig["for"],
                "entered_by": sig.get("signer"),
                "attachments": state.get("attachments") or [],
                # what the act says of itself: where `ledger import` names the file and row it was taken from
                "texts": [str(x) for x in state.get("evidence") or []] + ([str(state["note"])] if state.get("note") else []),
            }
        )
    return found


def _printed(raw_b64: str) -> str:
    from ledger.identity import fingerprint

    try:
        return fingerprint(base64.b64decode(raw_b64, validate=True))
    except ValueError:
        return "(malformed)"


def _same_id(stored: str, wanted: str) -> bool:
    try:
        return UUID(stored) == UUID(wanted)
    except ValueError:
        return False


# -- what a reading command prints, checked before it is printed -----------------------------------------

def verify_shown(recorder: Any, shown: list[tuple[int, Any]]) -> None:
    """The events a reading command is about to print (`history`, `audit --problem`/`--inspection`, the web's
    problem and trail pages), checked as `audit --verify` checks them; TamperingFound names the first bad one.

    Each one's chain link: its stored bytes after its predecessor's stored digest, with the row digests
    recorded at it, hash to its own stored digest (ledger.chain.link_digest). And each signature, by
    verify_event_rows itself, the ledger's people events before it replayed alongside (who held which key
    and role then). `shown`: (seq, StoredEvent) as projections.replay.iter_stored read them, the very bytes
    that are decoded and printed. A history rewritten and re-chained with every later link is what the
    signatures (and signed checkpoints) catch; a problem's tens of events cost milliseconds."""
    if not shown:
        return
    from ledger.authority import AUTHORITY_ID
    from ledger.chain import check_links

    position = getattr(recorder, "position_column", "rowid")
    style = getattr(recorder, "placeholder", "?")
    shown = sorted(shown, key=lambda e: e[0])
    with recorder.reading() as c:
        c.execute("SELECT key, value FROM ledger_meta WHERE key IN ('ledger_id', 'administrator_key')")
        meta = {str(r[0]): str(r[1]) for r in c.fetchall()}
        check_links(c, style, shown)
        c.execute(
            f"SELECT {position}, originator_id, originator_version, topic, state FROM stored_events "
            f"WHERE originator_id = {style} AND {position} <= {style} ORDER BY {position}",
            (AUTHORITY_ID.hex if position == "rowid" else AUTHORITY_ID, shown[-1][0]),
        )
        people = [(int(seq), str(oid), int(version), str(topic), _state_bytes(seq, state)) for seq, oid, version, topic, state in c.fetchall()]
    printed = {seq for seq, _ in shown}
    rows = [row for row in people if row[0] not in printed]
    rows += [(seq, str(e.originator_id), e.originator_version, e.topic, bytes(e.state)) for seq, e in shown]
    rows.sort(key=lambda row: row[0])
    verify_event_rows(iter(rows), meta.get("ledger_id", ""), noted_key=meta.get("administrator_key"))
