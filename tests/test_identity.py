"""Authenticated acts: people and roles in the ledger, every act signed, the bypasses of issue 15 closed.

Each attack is written as it was tried against the old code (a typed name, an
edited or other ledger.yaml, a bulk path, a copied or forged signature) and
must now fail: refused with exit 1 and nothing written, or found by
`audit --verify` with exit 4 naming the event. On both stores.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import INSPECTION, Ledger, ledger_executable
from ledger.actor import Actor

ADMIN = "clerk"  # the fixture's `ledger init` runs as clerk: the administrator
PEOPLE = {
    "王琎": ["registrar"],
    "张三": ["responsible"],
    "李四": ["verifier"],
    "杨荣": ["signer"],
    "赵六": ["registrar"],  # a clerk (联络员) who enters paper signatures
}
PROBLEM = ["add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", "学习不深入", "--deadline", "2020-06-30", "--at", "2020-01-15"]


def keys_dir() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "rectification-ledger" / "keys"


def enrol(ledger: Ledger, people: dict[str, list[str]] = PEOPLE) -> None:
    for name, roles in people.items():
        ledger("person", "keygen", name, actor=ADMIN)
        args = ["person", "add", name, "--public-key", str(keys_dir() / f"{name}.pem.pub")]
        for role in roles:
            args += ["--role", role]
        ledger(*args, actor=ADMIN)


def events(ledger: Ledger) -> int:
    return int(ledger.query("SELECT COUNT(*) FROM stored_events")[0][0])


@pytest.fixture
def signed(ledger: Ledger) -> Ledger:
    """A ledger with people enrolled, XC2019-1 registered and one problem, every act signed."""
    enrol(ledger)
    ledger(*INSPECTION, actor="王琎")
    assert ledger.out(*PROBLEM, actor="王琎") == "XC2019-1-1"
    return ledger


def through_verification(ledger: Ledger, ident: str = "XC2019-1-1") -> None:
    ledger("assign", ident, "--lead", "刘局长", "--unit", "办公室", "--person", "张三", "--at", "2020-01-16", actor="王琎")
    ledger("plan", ident, "制定学习计划", "--at", "2020-01-17", actor="张三")
    ledger("done", ident, "M1", "--at", "2020-02-01", actor="张三")
    ledger("verify", ident, "--grade", "good", "--at", "2020-02-05", actor="李四")


def verify(ledger: Ledger, expect: int = 0) -> Any:
    return ledger("audit", "--verify", expect=expect)


def open_app(ledger: Ledger) -> Any:
    from composition import open_ledger
    from ledger.config import load_config

    os.environ["LEDGER_STORE"] = ledger.store or ""
    try:
        return open_ledger(load_config(ledger.folder / "ledger.yaml"))
    finally:
        del os.environ["LEDGER_STORE"]


def signer_for(name: str, meaning: str, principal: str | None = None) -> Any:
    from ledger import identity

    key = identity.load_private_key(keys_dir() / f"{name}.pem")
    return identity.Signer(name=name, private_key=key, raw_public=identity.raw_public_of(key), meaning=meaning, principal=principal)


# -- the bypasses of the issue -------------------------------------------------


def test_other_config_and_a_typed_name_cannot_sign_off(signed: Ledger, tmp_path: Path) -> None:
    """`LEDGER_CONFIG=other.yaml LEDGER_ACTOR=路人 ledger close …` signed a problem off."""
    through_verification(signed)
    other = tmp_path / "other.yaml"
    store = signed.store or str(signed.folder / "ledger.db")
    other.write_text(f"store: {store}\n", encoding="utf-8")
    before = events(signed)
    result = signed.runner.invoke(
        __import__("commands.cli", fromlist=["cli"]).cli,
        ["close", "XC2019-1-1"],
        env={"LEDGER_CONFIG": str(other), "LEDGER_ACTOR": "路人", "LEDGER_STORE": signed.store},
    )
    assert result.exit_code == 1, result.output
    assert "路人 is not enrolled" in result.stderr
    assert events(signed) == before
    # Nor with a key of someone else, nor as the signer without the signer's key.
    result = signed("close", "XC2019-1-1", "--key", str(keys_dir() / "王琎.pem"), actor="杨荣", expect=1)
    assert "is not the key enrolled for 杨荣" in result.stderr
    os.rename(keys_dir() / "杨荣.pem", keys_dir() / "杨荣.moved")
    result = signed("close", "XC2019-1-1", actor="杨荣", expect=1)
    assert "no private key for 杨荣" in result.stderr
    assert events(signed) == before
    result = signed("close", "XC2019-1-1", "--key", str(keys_dir() / "杨荣.moved"), actor="杨荣")
    assert "signed off" in result.stdout
    assert "signatures verified" in verify(signed).stdout


def test_the_attack_through_the_installed_executable(signed: Ledger, tmp_path: Path) -> None:
    through_verification(signed)
    other = tmp_path / "other.yaml"
    other.write_text(f"store: {signed.store or signed.folder / 'ledger.db'}\n", encoding="utf-8")
    env = {**os.environ, "LEDGER_CONFIG": str(other), "LEDGER_ACTOR": "路人", "LEDGER_LANG": "en"}
    env.pop("LEDGER_STORE", None)
    if signed.store:
        env["LEDGER_STORE"] = signed.store
    before = events(signed)
    run = subprocess.run([ledger_executable(), "close", "XC2019-1-1"], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    assert "路人 is not enrolled" in run.stderr and "Traceback" not in run.stderr
    assert events(signed) == before
    env["LEDGER_CONFIG"] = str(signed.folder / "ledger.yaml")
    run = subprocess.run([ledger_executable(), "doctor"], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert "every act is signed" in run.stdout


def test_import_cannot_plan_measures_for_a_registrar_without_the_role(signed: Ledger, tmp_path: Path) -> None:
    """`import` recorded MeasurePlanned under a registrar who may not run `plan`."""
    feedback = tmp_path / "fb.yaml"
    feedback.write_text(
        "inspection:\n  code: XC2020-2\n  name: 第二轮\n  organisation: 县水利局党组\n  group: 县委第二巡察组\n  kind: regular\n"
        "  start: 2020-03-01\n  end: 2020-03-20\n  feedback: 2020-04-01\n"
        "problems:\n  - number: 1\n    category: 政治站位方面\n    title: 学习不深入\n    measures:\n      - text: 制定学习计划\n",
        encoding="utf-8",
    )
    before = events(signed)
    result = signed("import", str(feedback), actor="王琎", expect=1)
    assert "may not record MeasurePlanned" in result.stderr
    assert events(signed) == before
    # Someone holding both roles may import it, and every event it writes is signed.
    signed("person", "add", "王琎", "--role", "responsible", actor=ADMIN)
    assert "imported 1 problem" in signed.out("import", str(feedback), actor="王琎")
    assert "signatures verified" in verify(signed).stdout


def test_import_respects_actor_is_login_on_postgresql(ledger: Ledger, tmp_path: Path) -> None:
    """On PostgreSQL with policy.actor_is_login, `import` wrote events under a name that was not the login."""
    if ledger.kind != "postgresql":
        pytest.skip("the policy only applies where there is a database login")
    config = ledger.folder / "ledger.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("actor_is_login: false", "actor_is_login: true"), encoding="utf-8")
    feedback = tmp_path / "fb.yaml"
    feedback.write_text(
        "inspection:\n  code: XC2020-2\n  name: 第二轮\n  organisation: 县水利局党组\n  group: 县委第二巡察组\n  kind: regular\n"
        "  start: 2020-03-01\n  end: 2020-03-20\n  feedback: 2020-04-01\nproblems:\n  - number: 1\n    category: 政治站位方面\n    title: 学习不深入\n",
        encoding="utf-8",
    )
    before = events(ledger)
    result = ledger("import", str(feedback), actor="clerk", expect=1)
    assert "actor-is-login" in result.stderr
    assert events(ledger) == before
    ledger("import", str(feedback), actor="postgres")


def test_migrate_and_publish_need_the_role(signed: Ledger) -> None:
    """`migrate --to` by an unlisted person copied the ledger; `publish --no-sign` had no check."""
    if signed.kind == "sqlite":  # migrate copies a SQLite ledger
        result = signed("migrate", "--to", "postgresql://nobody@127.0.0.1:9/none", actor="路人", expect=1)
        assert "路人 is not enrolled" in result.stderr
    result = signed("publish", "--inspection", "XC2019-1", "--no-sign", actor="路人", expect=1)
    assert "路人 is not enrolled" in result.stderr
    result = signed("publish", "--inspection", "XC2019-1", "--no-sign", actor="张三", expect=1)
    assert "张三 may not run `ledger publish`" in result.stderr
    assert "整改" in signed.out("publish", "--inspection", "XC2019-1", "--no-sign", actor="杨荣")


def test_invisible_characters_do_not_make_another_person(ledger: Ledger) -> None:
    """In single-user mode `销号人` and `销号人` + a zero-width space were two people."""
    ledger(*INSPECTION, actor="销号人")
    ledger(*PROBLEM, actor="销号人")
    ledger("assign", "XC2019-1-1", "--lead", "l", "--unit", "u", "--person", "p", "--at", "2020-01-16", actor="销号人")
    ledger("plan", "XC2019-1-1", "m", "--at", "2020-01-17", actor="销号人")
    ledger("done", "XC2019-1-1", "M1", "--at", "2020-02-01", actor="销号人")
    result = ledger("verify", "XC2019-1-1", "--grade", "good", "--at", "2020-02-05", actor="销号人\u200b", expect=2)
    assert "U+200B" in result.stderr and "invisible" in result.stderr
    # Composed and decomposed spellings are the same person (NFC), so the separate-verifier rule holds.
    ledger(*PROBLEM, actor="\u00e9")
    ledger("assign", "XC2019-1-2", "--lead", "l", "--unit", "u", "--person", "p", "--at", "2020-01-16", actor="\u00e9")
    ledger("plan", "XC2019-1-2", "m", "--at", "2020-01-17", actor="\u00e9")
    ledger("done", "XC2019-1-2", "M1", "--at", "2020-02-01", actor="\u00e9")
    result = ledger("verify", "XC2019-1-2", "--grade", "good", "--at", "2020-02-05", actor="e\u0301", expect=1)
    assert "separate-verifier" in result.stderr


def test_person_names_are_checked_on_enrolment(ledger: Ledger) -> None:
    result = ledger("person", "keygen", "杨\u200b荣", actor=ADMIN, expect=2)
    assert "U+200B" in result.stderr
    result = ledger("person", "keygen", "a/b", actor=ADMIN, expect=2)
    assert "may not contain" in result.stderr


# -- ledger.yaml is no authority ---------------------------------------------------


def test_changing_ledger_yaml_changes_nobodys_authority(signed: Ledger) -> None:
    config = signed.folder / "ledger.yaml"
    original = config.read_text(encoding="utf-8")
    config.write_text(original + "\npeople:\n  - name: 路人\n    roles: [signer]\n", encoding="utf-8")
    result = signed("status", expect=2)
    assert "'people' is no longer read" in result.stderr and "ledger person list" in result.stderr
    result = signed("close", "XC2019-1-1", actor="路人", expect=2)
    assert events(signed) > 0
    config.write_text(original, encoding="utf-8")
    # And removing someone from a list that is not read takes nothing away: roles live in the ledger.
    through_verification(signed)
    signed("close", "XC2019-1-1", actor="杨荣")


def test_person_import_moves_the_yaml_list_once(ledger: Ledger) -> None:
    config = ledger.folder / "ledger.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\npeople:\n  - name: 王琎\n    roles: [registrar]\n  - name: 杨荣\n    roles: [signer]\n", encoding="utf-8")
    ledger(*INSPECTION, actor="王琎")  # trial mode with a yaml list: names checked, not authenticated
    ledger("person", "keygen", "王琎", actor=ADMIN)
    shown = ledger("person", "import", "--keys", str(keys_dir()), actor=ADMIN).stdout
    assert "enrolled 王琎: registrar" in shown and "杨荣: signer (no key yet" in shown
    result = ledger("person", "list", actor=ADMIN, expect=2)  # the list is still in ledger.yaml
    assert "'people' is no longer read" in result.stderr
    config.write_text(config.read_text(encoding="utf-8").split("\npeople:")[0] + "\n", encoding="utf-8")
    listed = {p["name"]: p for p in ledger.json("person", "list", actor=ADMIN)}
    assert listed["王琎"]["fingerprint"] != "(no key)" and listed["杨荣"]["fingerprint"] == "(no key)"
    ledger(*PROBLEM, actor="王琎")
    result = ledger("person", "import", actor=ADMIN, expect=2)
    assert "lists no people" in result.stderr
    assert "1 unsigned act from before enrolment" in verify(ledger).stdout


def test_only_the_administrator_enrols(ledger: Ledger) -> None:
    enrol(ledger, {"王琎": ["registrar"]})
    ledger("person", "keygen", "路人", actor=ADMIN)
    pub = str(keys_dir() / "路人.pem.pub")
    result = ledger("person", "add", "路人", "--role", "signer", "--public-key", pub, "--admin-key", str(keys_dir() / "王琎.pem"), actor="王琎", expect=1)
    assert "not this ledger's administrator key" in result.stderr
    admin_keys = list(keys_dir().glob("admin-*.pem"))
    os.rename(admin_keys[0], admin_keys[0].with_suffix(".away"))
    result = ledger("person", "add", "路人", "--role", "signer", "--public-key", pub, actor=ADMIN, expect=1)
    assert "no administrator key" in result.stderr


# -- signatures and their verification ---------------------------------------------


def test_a_revoked_persons_later_act_is_refused_and_a_forged_one_found(signed: Ledger) -> None:
    through_verification(signed)
    signed("person", "revoke", "杨荣", "--role", "signer", actor=ADMIN)
    before = events(signed)
    result = signed("close", "XC2019-1-1", actor="杨荣", expect=1)
    assert "杨荣 may not run `ledger close`" in result.stderr
    assert events(signed) == before
    # 杨荣 still has the key: an act written straight into the store with it is found.
    app = open_app(signed)
    try:
        app.sign_off("XC2019-1-1", actor=Actor(name="杨荣", signer=signer_for("杨荣", "close")))
    finally:
        app.close()
    result = verify(signed, expect=4)
    assert f"event {before + 1}" in result.stderr and "did not hold the role signer" in result.stderr


def test_a_signature_copied_to_another_event_fails(signed: Ledger) -> None:
    from ledger import identity

    signed(*PROBLEM, actor="王琎")
    through_verification(signed)
    seq_of_verify = events(signed)
    # Copy 李四's VerificationRecorded signature onto a verification of problem 2 written around the checks.
    stored = signed.query("SELECT state FROM stored_events ORDER BY " + ("notification_id" if signed.store else "rowid"))
    verification = json.loads(bytes(stored[seq_of_verify - 1][0]))
    assert verification["act_signature"]["signer"] == "李四"
    original_sign = identity.sign_events

    def copying(events_: Any, signer: Any, ledger_id: str, transcoder: Any) -> None:
        for e in events_:
            object.__setattr__(e, "act_signature", dict(verification["act_signature"]))

    ledger = signed
    ledger("assign", "XC2019-1-2", "--lead", "l", "--unit", "u", "--person", "张三", "--at", "2020-01-16", actor="王琎")
    ledger("plan", "XC2019-1-2", "m", "--at", "2020-01-17", actor="张三")
    ledger("done", "XC2019-1-2", "M1", "--at", "2020-02-01", actor="张三")
    identity.sign_events = copying
    app = open_app(ledger)
    try:
        app.verify("XC2019-1-2", grade="good", actor=Actor(name="李四", signer=signer_for("李四", "verify")), at=None)
    finally:
        identity.sign_events = original_sign
        app.close()
    result = verify(ledger, expect=4)
    forged = events(ledger)
    assert f"event {forged}" in result.stderr and "does not verify" in result.stderr


def test_an_unsigned_act_after_enrolment_is_tampering(signed: Ledger) -> None:
    from eventsourcing.application import Application

    app = open_app(signed)
    try:
        problem = app.get_problem("XC2019-1-1")
        problem.assign(lead="l", unit="u", person="p", deadline=None, actor="王琎", at=problem.registered_at)
        before = app.signed_mode()
        Application.save(app, problem)  # around the ledger's own save: no signature
    finally:
        app.close()
    assert before
    result = verify(signed, expect=4)
    assert "is not signed, though people were enrolled before it" in result.stderr


def test_an_edited_signed_event_is_found_even_with_the_chain_rebuilt(signed: Ledger) -> None:
    """A signed event whose content changes no longer verifies, whatever the chain says."""
    from ledger.signatures import verify_acts
    from ledger.errors import TamperingFound

    position = "notification_id" if signed.store else "rowid"
    rows = signed.query(f"SELECT {position}, state FROM stored_events ORDER BY {position}")
    seq, state = rows[-1]
    data = json.loads(bytes(state))
    data["title"] = "学习很深入"
    ledger_id = signed.query("SELECT value FROM ledger_meta WHERE key = 'ledger_id'")[0][0]
    new = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if signed.store:
        signed.query(f"UPDATE stored_events SET state = ? WHERE {position} = ?", (new, seq))
    else:
        import sqlite3

        con = sqlite3.connect(signed.folder / "ledger.db")
        con.execute(f"UPDATE stored_events SET state = ? WHERE {position} = ?", (new, seq))
        con.commit()
        con.close()
    with pytest.raises(TamperingFound, match=f"event {seq} .*does not verify"):
        verify_acts(signed.store or str(signed.folder / "ledger.db"), ledger_id)


def test_trial_mode_says_acts_are_unauthenticated(ledger: Ledger) -> None:
    ledger(*INSPECTION)
    assert "trial mode" in verify(ledger).stdout
    doctor = {r["check"]: r for r in ledger.json("doctor")}
    assert doctor["acts"]["status"] == "warn" and "unauthenticated" in doctor["acts"]["detail"]
    result = ledger("publish", "--inspection", "XC2019-1", "--no-sign")
    assert "unauthenticated" in result.stderr
    enrol(ledger, {"王琎": ["registrar"]})
    # Enrolment ends trial mode for good, even when everyone is revoked again.
    ledger("person", "revoke", "王琎", actor=ADMIN)
    result = ledger(*PROBLEM, actor="clerk", expect=1)
    assert "clerk is not enrolled" in result.stderr
    assert "1 unsigned act from before enrolment" in verify(ledger).stdout


# -- paper signatures entered by a clerk -------------------------------------------


def test_a_clerk_enters_a_paper_sign_off(signed: Ledger, tmp_path: Path) -> None:
    through_verification(signed)
    paper = tmp_path / "销号审批表.pdf"
    paper.write_bytes("%PDF-1.4 signed by 杨荣".encode("utf-8"))
    result = signed("close", "XC2019-1-1", "--for", "杨荣", actor="赵六", expect=2)
    assert "--attach" in result.stderr
    result = signed("close", "XC2019-1-1", "--for", "杨荣", "--attach", str(paper), actor="赵六")
    assert "signed off" in result.stdout
    rows = signed.json("history", "XC2019-1-1")
    last = rows[-1]
    assert last["actor"] == "杨荣" and last["signed_by"] == "赵六" and last["entered_for"] == "杨荣"
    assert "entered and signed by 赵六" in last["details"] and "销号审批表.pdf" in last["details"]
    trail = signed.json("audit")
    assert trail[-1]["signed_by"] == "赵六"
    assert "1 entered for someone else" in verify(signed).stdout
    report = signed.out("publish", "--inspection", "XC2019-1", "--no-sign", actor="赵六")
    assert "XC2019-1-1的对账销号由杨荣在纸质文件上签署，赵六代为录入并电子签名，附销号审批表.pdf" in report
    # The Word report names both people too, in the body before the signature (落款).
    from docx import Document

    signed("publish", "--inspection", "XC2019-1", "--format", "docx", "--out", "report.docx", "--no-sign", actor="赵六")
    paragraphs = [p.text for p in Document(str(signed.folder / "report.docx")).paragraphs]
    entry = next(i for i, text in enumerate(paragraphs) if "由杨荣在纸质文件上签署，赵六代为录入并电子签名，附销号审批表.pdf" in text)
    assert paragraphs[entry].startswith("XC2019-1-1的对账销号")
    assert any(text.strip() for text in paragraphs[entry + 1 :]), "the signature (落款) follows the proxy entries"


def test_a_word_report_without_proxy_entries_names_nobody_twice(signed: Ledger) -> None:
    from docx import Document

    through_verification(signed)
    signed("close", "XC2019-1-1", actor="杨荣")
    signed("publish", "--inspection", "XC2019-1", "--format", "docx", "--out", "plain.docx", "--no-sign", actor="王琎")
    text = "\n".join(p.text for p in Document(str(signed.folder / "plain.docx")).paragraphs)
    assert "代为录入" not in text and "XC2019" not in text.split("\n")[0]


def test_checkpoints_and_publishing_are_signed_acts_too(signed: Ledger) -> None:
    signed("keygen", actor="王琎")
    signed("checkpoint", actor="路人", expect=1)
    signed("checkpoint", actor="王琎")
    signed("publish", "--inspection", "XC2019-1", "--out", "report.md", actor="王琎")
    trail = signed.json("audit")
    assert [r["event"] for r in trail[-2:]] == ["Recorded", "Recorded"]
    assert all(r["signed_by"] == "王琎" for r in trail[-2:])
    assert "signatures verified" in signed.out("audit", "--verify", "--checkpoint", "report.md")


def test_a_policy_in_the_ledger_forbids_proxy_sign_off(signed: Ledger, tmp_path: Path) -> None:
    through_verification(signed)
    paper = tmp_path / "p.pdf"
    paper.write_bytes(b"paper")
    signed("person", "policy", "--proxy-signoff", "forbidden", actor=ADMIN)
    before = events(signed)
    result = signed("close", "XC2019-1-1", "--for", "杨荣", "--attach", str(paper), actor="赵六", expect=1)
    assert "policy forbids" in result.stderr
    assert events(signed) == before
    app = open_app(signed)
    try:
        app.sign_off("XC2019-1-1", actor=Actor(name="杨荣", signer=signer_for("赵六", "close", principal="杨荣")))
    finally:
        app.close()
    result = verify(signed, expect=4)
    assert "policy forbade" in result.stderr


# -- evidence files ----------------------------------------------------------------


def test_attached_files_are_fingerprinted_kept_and_checked(signed: Ledger, tmp_path: Path) -> None:
    import hashlib

    plan = tmp_path / "学习计划.pdf"
    plan.write_bytes(b"%PDF-1.4 learning plan")
    signed("assign", "XC2019-1-1", "--lead", "l", "--unit", "u", "--person", "张三", "--at", "2020-01-16", actor="王琎")
    signed("plan", "XC2019-1-1", "制定学习计划", "--at", "2020-01-17", actor="张三")
    signed("done", "XC2019-1-1", "M1", "--evidence", "学习计划", "--attach", str(plan), "--at", "2020-02-01", actor="张三")
    digest = hashlib.sha256(plan.read_bytes()).hexdigest()
    listed = signed.json("evidence", "list", "XC2019-1-1")
    assert [(r["name"], r["size"], r["digest"]) for r in listed] == [("学习计划.pdf", len(plan.read_bytes()), digest)]
    assert signed.json("evidence", "verify")["files"] == 1
    out = tmp_path / "copy.pdf"
    signed("evidence", "get", digest, "--out", str(out))
    assert out.read_bytes() == plan.read_bytes()
    result = signed("done", "XC2019-1-1", "M9", "--attach", str(tmp_path / "missing.pdf"), actor="张三", expect=2)
    assert "cannot read" in result.stderr
    # Swap the kept bytes: evidence verify names the file.
    if signed.store:
        signed.query("UPDATE ledger_evidence SET content = ? WHERE digest = ?", (b"swapped", digest))
    else:
        (signed.folder / "ledger.db.evidence" / digest).write_bytes(b"swapped")
    result = signed("evidence", "verify", expect=4)
    assert "学习计划.pdf" in result.stderr and "has changed" in result.stderr
    if signed.store:
        signed.query("DELETE FROM ledger_evidence WHERE digest = ?", (digest,))
    else:
        (signed.folder / "ledger.db.evidence" / digest).unlink()
    result = signed("evidence", "verify", expect=4)
    assert "学习计划.pdf" in result.stderr and "vanished" in result.stderr


def test_verify_export_checks_the_evidence_folder(signed: Ledger, tmp_path: Path) -> None:
    import hashlib

    plan = tmp_path / "学习计划.pdf"
    plan.write_bytes(b"plan bytes")
    signed("assign", "XC2019-1-1", "--lead", "l", "--unit", "u", "--person", "张三", "--at", "2020-01-16", actor="王琎")
    signed("plan", "XC2019-1-1", "m", "--at", "2020-01-17", actor="张三")
    signed("done", "XC2019-1-1", "M1", "--attach", str(plan), "--at", "2020-02-01", actor="张三")
    export = tmp_path / "log.jsonl"
    signed("export", "--out", str(export))
    folder = tmp_path / "evidence"
    folder.mkdir()
    result = signed("verify-export", str(export), "--evidence", str(folder), expect=4)
    assert "学习计划.pdf" in result.stderr
    (folder / "学习计划.pdf").write_bytes(b"other bytes")
    result = signed("verify-export", str(export), "--evidence", str(folder), expect=4)
    assert "does not match" in result.stderr
    (folder / "学习计划.pdf").unlink()
    (folder / hashlib.sha256(b"plan bytes").hexdigest()).write_bytes(b"plan bytes")
    shown = signed.out("verify-export", str(export), "--evidence", str(folder))
    assert "1 attached file present" in shown and "signatures verified" in shown


# -- the documented layout, checked without this program ----------------------------


@pytest.mark.sqlite_only
def test_signatures_verify_from_the_documented_layout_alone(signed: Ledger) -> None:
    """docs/tamper-evidence.md "Signed acts", re-implemented with sqlite3, json, base64, hashlib and cryptography."""
    import base64
    import hashlib
    import sqlite3
    import uuid

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    through_verification(signed)
    con = sqlite3.connect(signed.folder / "ledger.db")
    ledger_id = con.execute("SELECT value FROM ledger_meta WHERE key = 'ledger_id'").fetchone()[0]
    noted = con.execute("SELECT value FROM ledger_meta WHERE key = 'administrator_key'").fetchone()[0]
    rows = con.execute("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid").fetchall()
    con.close()
    keys: dict[str, bytes] = {}
    checked = 0
    for _seq, originator_id, version, topic, state in rows:
        data = json.loads(state)
        sig = data["act_signature"]
        if topic.endswith("Authority.LedgerFounded"):
            # The founding event's rules: version 1, this ledger, the key init noted, its own fingerprint.
            assert _seq == 1 and version == 1 and data["ledger_id"] == ledger_id and data["public_key"] == noted
            keys[data["administrator"]] = base64.b64decode(data["public_key"])
            founding = hashlib.sha256(keys[data["administrator"]]).hexdigest()[:40]
            assert data["fingerprint"] == " ".join(founding[i : i + 4] for i in range(0, 40, 4))
        if topic.endswith("Authority.PersonEnrolled"):
            keys[data["name"]] = base64.b64decode(data["public_key"])
        raw = keys[sig["signer"]]
        digest = hashlib.sha256(raw).hexdigest()[:40]
        assert sig["key"] == " ".join(digest[i : i + 4] for i in range(0, 40, 4))
        content = json.dumps({k: v for k, v in data.items() if k != "act_signature"}, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        message = (
            "rectification-ledger act v1\n"
            f"ledger: {ledger_id}\naggregate: {uuid.UUID(str(originator_id))}\nversion: {version}\ntopic: {topic}\n"
            f"meaning: {sig['meaning']}\nsigner: {sig['signer']}\nfor: {sig['for'] or ''}\nkey: {sig['key']}\ntime: {sig['time']}\ncontent: "
        ).encode("utf-8") + content + b"\n"
        Ed25519PublicKey.from_public_bytes(raw).verify(base64.b64decode(sig["value"]), message)
        checked += 1
    assert checked == len(rows) > 10


# -- names and keys ---------------------------------------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_person_names_are_one_spelling_or_refused(text: str) -> None:
    import unicodedata

    from ledger.errors import InvalidInput
    from ledger.values import person_name

    try:
        name = person_name(text)
    except InvalidInput:
        return
    assert name == unicodedata.normalize("NFC", name) == person_name(name)
    assert person_name(unicodedata.normalize("NFD", name)) == name
    assert not any(unicodedata.category(c) in ("Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp") for c in name)


def test_a_passphrase_protected_key_and_ledger_key(ledger: Ledger, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LEDGER_KEY_PASSPHRASE", "正确的口令")
    shown = ledger("person", "keygen", "王琎", "--out", str(tmp_path / "w.pem"), actor=ADMIN).stdout
    assert "passphrase-protected" in shown
    assert (tmp_path / "w.pem").stat().st_mode & 0o777 == 0o600
    assert b"ENCRYPTED" in (tmp_path / "w.pem").read_bytes()
    ledger("person", "add", "王琎", "--role", "registrar", "--public-key", str(tmp_path / "w.pem.pub"), actor=ADMIN)
    monkeypatch.setenv("LEDGER_KEY", str(tmp_path / "w.pem"))
    ledger(*INSPECTION, actor="王琎")
    monkeypatch.setenv("LEDGER_KEY_PASSPHRASE", "错误的口令")
    result = ledger(*PROBLEM, actor="王琎", expect=1)
    assert "wrong passphrase" in result.stderr
    monkeypatch.delenv("LEDGER_KEY_PASSPHRASE")
    result = ledger(*PROBLEM, actor="王琎", expect=1)
    assert "passphrase-protected" in result.stderr
    assert "signatures verified" in verify(ledger).stdout


def test_a_new_key_replaces_the_old_one(signed: Ledger, tmp_path: Path) -> None:
    old = tmp_path / "old.pem"
    os.rename(keys_dir() / "王琎.pem", old)
    os.rename(keys_dir() / "王琎.pem.pub", tmp_path / "old.pem.pub")
    signed("person", "keygen", "王琎", actor=ADMIN)
    signed("person", "add", "王琎", "--public-key", str(keys_dir() / "王琎.pem.pub"), actor=ADMIN)
    result = signed(*PROBLEM, "--key", str(old), actor="王琎", expect=1)
    assert "is not the key enrolled for 王琎" in result.stderr
    signed(*PROBLEM, actor="王琎")
    people = {p["name"]: p for p in signed.json("person", "list")}
    assert people["王琎"]["status"] == "active" and "registrar since" in people["王琎"]["roles"]
    # One key, one person.
    result = signed("person", "add", "路人", "--role", "signer", "--public-key", str(keys_dir() / "杨荣.pem.pub"), actor=ADMIN, expect=2)
    assert "already enrolled for 杨荣" in result.stderr
    assert "signatures verified" in verify(signed).stdout


def test_signatures_survive_export_and_import_log(signed: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    through_verification(signed)
    export = tmp_path / "log.jsonl"
    signed("export", "--out", str(export))
    copy = tmp_path / "copy"
    copy.mkdir()
    monkeypatch.chdir(copy)
    other = Ledger(copy)
    other("init", actor="someone")
    printed = signed.json("init")["admin_fingerprint"]
    assert f"key fingerprint {printed}" in signed.out("verify-export", str(export), "--admin-fingerprint", printed)
    result = signed("verify-export", str(export), "--admin-fingerprint", "0000" * 10, expect=4)
    assert "not the one whose fingerprint was given" in result.stderr
    other("import-log", str(export), actor="someone")
    shown = other.out("audit", "--verify")
    assert "signatures verified" in shown
    # The restored ledger is no longer in trial mode: its people are the ones enrolled in it.
    result = other("close", "XC2019-1-1", actor="someone", expect=1)
    assert "someone is not enrolled" in result.stderr
    other("close", "XC2019-1-1", actor="杨荣")


def test_migrate_by_someone_allowed_carries_signatures_and_evidence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pg_database: str) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LEDGER_STORE", raising=False)
    led = Ledger(tmp_path)
    led("init")
    enrol(led)
    led(*INSPECTION, actor="王琎")
    led(*PROBLEM, actor="王琎")
    led("assign", "XC2019-1-1", "--lead", "l", "--unit", "u", "--person", "张三", "--at", "2020-01-16", actor="王琎")
    led("plan", "XC2019-1-1", "m", "--at", "2020-01-17", actor="张三")
    (tmp_path / "计划.pdf").write_bytes(b"the plan")
    led("done", "XC2019-1-1", "M1", "--attach", str(tmp_path / "计划.pdf"), "--at", "2020-02-01", actor="张三")
    result = led("migrate", "--to", pg_database, actor="张三", expect=1)
    assert "张三 may not run `ledger migrate`" in result.stderr
    out = led.json("migrate", "--to", pg_database, actor="王琎")
    assert out["verified"] is True and out["evidence_files"] == 1
    on_pg = Ledger(tmp_path, pg_database)
    assert "signatures verified" in on_pg.out("audit", "--verify")
    assert on_pg.json("evidence", "verify")["files"] == 1
    on_pg("verify", "XC2019-1-1", "--grade", "good", "--at", "2020-02-05", actor="路人", expect=1)
    on_pg("verify", "XC2019-1-1", "--grade", "good", "--at", "2020-02-05", actor="李四")


def test_actor_is_login_holds_beside_signatures(ledger: Ledger) -> None:
    if ledger.kind != "postgresql":
        pytest.skip("the policy only applies where there is a database login")
    enrol(ledger, {"postgres": ["registrar"], "王琎": ["registrar"]})
    config = ledger.folder / "ledger.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("actor_is_login: false", "actor_is_login: true"), encoding="utf-8")
    before = events(ledger)
    result = ledger(*INSPECTION, actor="王琎", expect=1)  # the right key, but not the database login
    assert "actor-is-login" in result.stderr
    assert events(ledger) == before
    ledger(*INSPECTION, actor="postgres")
    assert "signatures verified" in verify(ledger).stdout


# -- the founding event (LedgerFounded), recorded by `ledger init` ----------------------


def _store_events(ledger: Ledger) -> list[tuple[Any, ...]]:
    from integrity_helpers import events as stored

    return stored(ledger)


def test_init_records_the_founding_event_as_the_genesis(ledger: Ledger) -> None:
    from ledger import identity

    (seq, _oid, version, topic, state), = _store_events(ledger)
    assert seq == 1 and version == 1 and topic.endswith(":Authority.LedgerFounded")
    data = json.loads(bytes(state))
    key = identity.load_private_key(next(keys_dir().glob("admin-*.pem")))
    assert data["public_key"] == identity.b64(identity.raw_public_of(key))
    assert data["administrator"] == ADMIN and data["act_signature"]["signer"] == ADMIN and data["act_signature"]["meaning"] == "init"
    # A second init records nothing more.
    again = ledger.json("init")
    assert again["founding_event"] is True and again["founded"] is False
    assert len(_store_events(ledger)) == 1
    printed = again["admin_fingerprint"]
    shown = ledger.out("audit", "--verify", "--admin-fingerprint", printed)
    assert f"founding: event 1, administrator {ADMIN}, key fingerprint {printed}" in shown
    # Trial mode as before: typed names act, unsigned; the founding event is no act.
    ledger(*INSPECTION, actor="anyone")
    acts = ledger.json("audit", "--verify")["acts"]
    assert acts["trial_mode"] is True and acts["unsigned"] == 1 and acts["signed"] == 1
    assert acts["founding"]["seq"] == 1


def _forge_founding(ledger: Ledger) -> Any:
    """An insider replaces the administrator's key in the founding event, self-signs it with their own and rebuilds the chain."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from integrity_helpers import position, recompute_chain
    from ledger import identity

    seq, oid, version, topic, state = _store_events(ledger)[0]
    data = json.loads(bytes(state))
    mine = Ed25519PrivateKey.generate()
    raw = identity.raw_public_of(mine)
    data["public_key"], data["fingerprint"] = identity.b64(raw), identity.fingerprint(raw)
    sig = dict(data["act_signature"], key=identity.fingerprint(raw))
    message = identity.signed_message(
        ledger_id=data["ledger_id"], aggregate=str(oid), version=version, topic=topic, meaning=sig["meaning"], signer=sig["signer"],
        principal=None, key=sig["key"], time=sig["time"], content=identity.content_of_state(data),
    )
    data["act_signature"] = dict(sig, value=identity.b64(mine.sign(message)))
    new = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if ledger.store:
        ledger.query(f"UPDATE stored_events SET state = ? WHERE {position(ledger)} = ?", (new, seq))
    else:
        ledger.execute(f"UPDATE stored_events SET state = X'{new.hex()}' WHERE rowid = {seq}")
    recompute_chain(ledger)
    return raw


def test_a_replaced_administrator_key_in_the_founding_event_is_exit_4(signed: Ledger) -> None:
    from integrity_helpers import verify_fails
    from ledger import identity

    printed = signed.json("init")["admin_fingerprint"]
    assert "signatures verified" in verify(signed).stdout
    raw = _forge_founding(signed)
    line = verify_fails(signed, seq=1)
    assert "(LedgerFounded) carries the administrator key" in line and "not the key noted when the ledger was made" in line
    # A forger who also rewrites ledger_meta is caught by the fingerprint the supervising office kept since init.
    signed.execute(f"UPDATE ledger_meta SET value = '{identity.b64(raw)}' WHERE key = 'administrator_key'")
    line = verify_fails(signed, "--admin-fingerprint", printed, seq=1)
    assert "not the one whose fingerprint was given" in line


def test_a_founding_event_removed_or_copied_from_another_ledger_is_exit_4(ledger: Ledger) -> None:
    from integrity_helpers import position, recompute_chain, verify_fails

    printed = ledger.json("init")["admin_fingerprint"]
    ledger(*INSPECTION)
    # Another ledger's ID in the founding event (a founding copied over), the chain recomputed.
    seq, _oid, _v, _topic, state = _store_events(ledger)[0]
    data = json.loads(bytes(state))
    data["ledger_id"] = "00000000-0000-4000-8000-000000000000"
    copied = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if ledger.store:
        ledger.query(f"UPDATE stored_events SET state = ? WHERE {position(ledger)} = ?", (copied, seq))
    else:
        ledger.execute(f"UPDATE stored_events SET state = X'{copied.hex()}' WHERE rowid = {seq}")
    recompute_chain(ledger)
    assert "not this ledger" in verify_fails(ledger, seq=1)
    # The founding event removed: the chain names it, even recomputed …
    ledger.execute(f"DELETE FROM stored_events WHERE {position(ledger)} = 1", "DELETE FROM ledger_chain WHERE seq = 1")
    recompute_chain(ledger)
    assert "event 1 is missing" in verify_fails(ledger, seq=1)
    # … and a log renumbered without it (it would read like a ledger from before founding events) has no
    # founding event for the fingerprint the supervising office kept.
    from ledger.errors import TamperingFound
    from ledger.signatures import verify_event_rows

    ledger_id = ledger.query("SELECT value FROM ledger_meta WHERE key = 'ledger_id'")[0][0]
    rest = [(n, str(o), int(v), str(t), bytes(st_)) for n, (_, o, v, t, st_) in enumerate(_store_events(ledger), 1)]
    assert verify_event_rows(iter(rest), ledger_id).founded is False
    with pytest.raises(TamperingFound, match="holds no founding event"):
        verify_event_rows(iter(rest), ledger_id, admin_fingerprints=frozenset({printed.replace(" ", "")}))


def test_init_records_the_founding_event_of_a_ledger_made_before_founding_events(ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ledger whose init only noted the administrator key (no LedgerFounded): the next init records it, or says what to do."""
    from integrity_helpers import position

    # As `ledger init` left a ledger before founding events: the key noted in ledger_meta, no event.
    ledger.execute(f"DELETE FROM stored_events WHERE {position(ledger)} = 1", "DELETE FROM ledger_chain", "DELETE FROM ledger_merkle")
    old = ledger
    old(*INSPECTION)
    assert [t for _, _, _, t, _ in _store_events(old)][0].endswith(":Inspection.Registered")
    assert "no founding event in the log" in old.out("audit", "--verify")
    # The administrator key moved away: init says what to run, writes nothing, still succeeds.
    key_file = next(keys_dir().glob("admin-*.pem"))
    moved = tmp_path / "admin.pem"
    os.rename(key_file, moved)
    result = old("init")
    assert "the founding event is not recorded yet" in result.stdout and "ledger init --admin-key PATH" in result.stdout
    assert len(_store_events(old)) == 1
    result = old("init", "--admin-key", str(moved))
    assert "recorded the founding event" in result.stdout
    found = _store_events(old)
    assert len(found) == 2 and found[1][3].endswith(":Authority.LedgerFounded")
    shown = old.out("audit", "--verify")
    assert f"founding: event {found[1][0]}," in shown and "trial mode" in shown
    # Then enrolment works as on a new ledger.
    from ledger import identity

    monkeypatch.setattr(identity, "default_admin_key", lambda ledger_id: moved)
    enrol(old, {"王琎": ["registrar"]})
    old(*PROBLEM, actor="王琎")
    assert "1 unsigned act from before enrolment" in old.out("audit", "--verify")


def test_migrate_into_a_target_that_init_founded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pg_database: str) -> None:
    """`ledger init` on the server first (its own founding event, nothing else): migrate replaces it with the source's history."""
    target = tmp_path / "target"
    target.mkdir()
    monkeypatch.chdir(target)
    monkeypatch.delenv("LEDGER_STORE", raising=False)
    Ledger(target, pg_database)("init", actor="someone")
    source = tmp_path / "source"
    source.mkdir()
    monkeypatch.chdir(source)
    led = Ledger(source)
    led("init")
    enrol(led, {"王琎": ["registrar"]})
    led(*INSPECTION, actor="王琎")
    out = led.json("migrate", "--to", pg_database, actor="王琎")
    assert out["verified"] is True and out["events"] == events(led)
    shown = Ledger(source, pg_database).out("audit", "--verify")
    assert f"founding: event 1, administrator {ADMIN}" in shown and "signatures verified" in shown
    # A target holding more than its founding event is still refused.
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.chdir(other)
    again = Ledger(other)
    again("init")
    result = again("migrate", "--to", pg_database, expect=None)
    assert result.exit_code != 0 and "already holds" in result.stderr


# -- authority and --at: judged when the act is recorded (log order) -------------------------


def test_backdating_never_restores_a_revoked_authority(signed: Ledger) -> None:
    from datetime import datetime, timezone

    through_verification(signed)
    signed("person", "revoke", "杨荣", "--role", "signer", actor=ADMIN)
    before = events(signed)
    # Dated the day after verification, long before the revocation: still refused.
    result = signed("close", "XC2019-1-1", "--at", "2020-02-06", actor="杨荣", expect=1)
    assert "杨荣 may not run `ledger close`" in result.stderr
    assert events(signed) == before
    # The same backdated sign-off written straight into the store with 杨荣's key: exit 4 naming it.
    app = open_app(signed)
    try:
        app.sign_off("XC2019-1-1", actor=Actor(name="杨荣", signer=signer_for("杨荣", "close")), at=datetime(2020, 2, 6, tzinfo=timezone.utc))
    finally:
        app.close()
    assert events(signed) == before + 1
    result = verify(signed, expect=4)
    assert f"first bad sequence number {before + 1}:" in result.stderr or f"event {before + 1} " in result.stderr
    assert "did not hold the role signer" in result.stderr


def test_a_role_granted_today_may_record_earlier_work(signed: Ledger) -> None:
    """The other side of the rule: --at says when the work happened; the signature, who vouches for it now."""
    through_verification(signed)
    signed("close", "XC2019-1-1", "--at", "2020-02-06", actor="赵六", expect=1)
    signed("person", "add", "赵六", "--role", "signer", actor=ADMIN)
    signed("close", "XC2019-1-1", "--at", "2020-02-06", actor="赵六")
    last = signed.json("history", "XC2019-1-1")[-1]
    assert last["actor"] == "赵六" and last["at"].startswith("2020-02-06")
    assert "signatures verified" in verify(signed).stdout


@pytest.mark.sqlite_only  # renumbers the SQLite file's rows as an insider would
def test_a_forged_act_moved_before_the_revocation_is_caught_by_a_later_checkpoint(signed: Ledger) -> None:
    """Log order decides authority, so a forger moves the act before the revocation and recomputes the chain: a checkpoint made after the revocation no longer matches."""
    import sqlite3

    from integrity_helpers import recompute_chain
    from ledger.signatures import verify_acts

    through_verification(signed)
    signed("keygen", actor="王琎")
    signed("person", "revoke", "杨荣", "--role", "signer", actor=ADMIN)
    revocation = events(signed)
    signed("checkpoint", "--out", "kept.txt", actor="王琎")
    app = open_app(signed)
    try:
        app.sign_off("XC2019-1-1", actor=Actor(name="杨荣", signer=signer_for("杨荣", "close")))
    finally:
        app.close()
    assert "did not hold the role signer" in verify(signed, expect=4).stderr
    db = signed.folder / "ledger.db"
    con = sqlite3.connect(db)
    rows = con.execute("SELECT originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid").fetchall()
    moved = rows[: revocation - 1] + [rows[-1]] + rows[revocation - 1 : -1]
    with con:
        con.execute("DELETE FROM stored_events")
        con.execute("DELETE FROM ledger_chain")
        for seq, row in enumerate(moved, 1):
            con.execute("INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?, ?)", (seq, *row))
            con.execute("INSERT INTO ledger_chain (seq, prev, digest) VALUES (?, ?, ?)", (seq, seq - 1, b"\0" * 32))
    con.close()
    recompute_chain(signed)
    ledger_id = signed.query("SELECT value FROM ledger_meta WHERE key = 'ledger_id'")[0][0]
    assert verify_acts(str(db), ledger_id).signed  # by log order alone the moved act now passes …
    result = verify(signed, expect=4)  # … but the checkpoint recorded after the revocation does not match
    assert "checkpoint" in result.stderr and "Traceback" not in result.stderr
    result = signed("audit", "--verify", "--checkpoint", "kept.txt", expect=4)
    assert "checkpoint" in result.stderr


# -- exports carry the evidence bytes; import-log restores them -------------------------


def _another_store(ledger: Ledger, request: pytest.FixtureRequest) -> str | None:
    """A second empty store of the same kind as `ledger`'s (a new server database, or None: a SQLite file)."""
    if ledger.store is None:
        return None
    server = request.getfixturevalue("pg_server")
    name = server.create_database()
    request.addfinalizer(lambda: server.drop_database(name))
    return str(server.url(name))


def test_export_and_import_log_carry_the_evidence_files(signed: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    import shutil

    through_verification(signed)
    paper = tmp_path / "销号审批表.pdf"
    paper.write_bytes("%PDF-1.4 signed by 杨荣".encode("utf-8"))
    signed("close", "XC2019-1-1", "--attach", str(paper), actor="杨荣")
    digest = signed.json("evidence", "list")[0]["digest"]
    export, kept = tmp_path / "log.jsonl", tmp_path / "evidence"
    out = signed.json("export", "--out", str(export), "--evidence", str(kept))
    assert out["evidence"] == {"files": 1, "distinct": 1}
    assert (kept / digest).read_bytes() == paper.read_bytes()
    result = signed("export", "--out", str(tmp_path / "again.jsonl"), "--evidence", str(kept), expect=2)
    assert "not an empty folder" in result.stderr and not (tmp_path / "again.jsonl").exists()
    assert "1 attached file present" in signed.out("verify-export", str(export), "--evidence", str(kept))

    copy = tmp_path / "copy"
    copy.mkdir()
    monkeypatch.chdir(copy)
    other = Ledger(copy, _another_store(signed, request))
    other("init", actor="someone")

    def untouched() -> None:
        assert events(other) == 1  # its founding event only
        assert other.json("evidence", "verify")["files"] == 0

    # Without the files: refused, nothing written.
    result = other("import-log", str(export), actor="someone", expect=2)
    assert "names 1 evidence file: give --evidence DIR" in result.stderr
    untouched()
    # A changed file: exit 4 naming it, nothing written.
    changed = tmp_path / "changed"
    shutil.copytree(kept, changed)
    (changed / digest).write_bytes(b"%PDF-1.4 another paper")
    result = other("import-log", str(export), "--evidence", str(changed), actor="someone", expect=4)
    assert "does not match the digest recorded in event" in result.stderr and digest in result.stderr
    untouched()
    # A missing file: exit 4 naming it, nothing written.
    empty = tmp_path / "empty"
    empty.mkdir()
    result = other("import-log", str(export), "--evidence", str(empty), actor="someone", expect=4)
    assert "销号审批表.pdf" in result.stderr and "is not in" in result.stderr
    untouched()
    # With the folder the export wrote: every event, every file, each checked.
    done = other.json("import-log", str(export), "--evidence", str(kept), actor="someone")
    assert done["evidence_files"] == 1 and done["events"] == events(signed)
    assert other.json("evidence", "verify")["files"] == 1
    other("evidence", "get", digest, "--out", str(tmp_path / "back.pdf"))
    assert (tmp_path / "back.pdf").read_bytes() == paper.read_bytes()
    shown = other.out("audit", "--verify")
    assert "signatures verified" in shown and f"administrator {ADMIN}" in shown
    # The restored ledger goes on: its people act, numbered after the restored events.
    other("reopen", "XC2019-1-1", "--reason", "回头看发现反弹", actor="李四")
    assert "signatures verified" in other.out("audit", "--verify")


def test_init_founds_as_the_database_login_under_actor_is_login(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pg_database: str) -> None:
    from ledger.config import SAMPLE

    monkeypatch.chdir(tmp_path)
    (tmp_path / "ledger.yaml").write_text(SAMPLE.replace("actor_is_login: false", "actor_is_login: true"), encoding="utf-8")
    led = Ledger(tmp_path, pg_database)
    result = led("init", actor="clerk", expect=1)
    assert "the database login is 'postgres'" in result.stderr and "Traceback" not in result.stderr
    assert events(led) == 0
    founded = led.json("init", actor="postgres")
    assert founded["founding_event"] is True and founded["administrator"] == "postgres"
    assert "founding: event 1, administrator postgres" in verify(led).stdout


# -- the rest of the "done when" list ------------------------------------------------------------


def test_another_config_listing_people_gives_nobody_authority(signed: Ledger, tmp_path: Path) -> None:
    """An insider's own ledger.yaml naming himself signer, pointed at the same store: refused, nothing written."""
    through_verification(signed)
    other = tmp_path / "mine.yaml"
    store = signed.store or str(signed.folder / "ledger.db")
    other.write_text(f"store: {store}\npeople:\n  - name: 路人\n    roles: [signer]\n", encoding="utf-8")
    before = events(signed)
    from commands.cli import cli

    result = signed.runner.invoke(cli, ["close", "XC2019-1-1"], env={"LEDGER_CONFIG": str(other), "LEDGER_ACTOR": "路人", "LEDGER_STORE": signed.store})
    assert result.exit_code == 2 and "'people' is no longer read" in result.stderr
    # Without the list, the typed name is simply not enrolled.
    other.write_text(f"store: {store}\n", encoding="utf-8")
    result = signed.runner.invoke(cli, ["close", "XC2019-1-1"], env={"LEDGER_CONFIG": str(other), "LEDGER_ACTOR": "路人", "LEDGER_STORE": signed.store})
    assert result.exit_code == 1 and "路人 is not enrolled" in result.stderr
    assert events(signed) == before


@pytest.mark.parametrize(
    "args",
    [
        ["correct", "XC2019-1-1", "--field", "title", "--value", "改", "--reason", "r"],
        ["checkpoint"],
        ["import-log", "log.jsonl"],
        ["import", "fb.yaml"],
        ["escalate", "XC2019-1-1", "--level", "notice"],
    ],
    ids=lambda a: a[0],
)
def test_every_write_path_refuses_a_typed_name(signed: Ledger, args: list[str]) -> None:
    (signed.folder / "fb.yaml").write_text("problems: []\n", encoding="utf-8")
    signed("export", "--out", str(signed.folder / "log.jsonl"))
    signed("keygen", actor="王琎")
    before = events(signed)
    result = signed(*args, actor="路人", expect=1)
    assert "路人 is not enrolled" in result.stderr and "Traceback" not in result.stderr
    assert events(signed) == before


def test_doctor_no_longer_says_all_is_well_after_an_act_written_around_the_checks(signed: Ledger) -> None:
    """The issue: after the bypass, `audit --verify` and `doctor` said all was well."""
    result = signed("doctor", "--format", "json", expect=None)  # warnings (no signing key) are not errors
    checks = {r["check"]: r for r in json.loads(result.stdout)}
    assert checks["signatures"]["status"] == "ok"
    _assign_around_the_checks(signed, "路人")
    result = signed("doctor", "--format", "json", expect=4)
    checks = {r["check"]: r for r in json.loads(result.stdout)}
    assert checks["signatures"]["status"] == "error" and "is not signed" in checks["signatures"]["detail"]
    assert "is not signed" in verify(signed, expect=4).stderr


def _assign_around_the_checks(ledger: Ledger, actor: str) -> None:
    """Assign XC2019-1-1 through the library's own save, around the ledger's checks (an insider with the code)."""
    from eventsourcing.application import Application

    app = open_app(ledger)
    try:
        problem = app.get_problem("XC2019-1-1")
        problem.assign(lead="l", unit="u", person="p", deadline=None, actor=actor, at=problem.registered_at)
        Application.save(app, problem)
    finally:
        app.close()


def _replace_state(ledger: Ledger, seq: int, new: bytes) -> None:
    """Rewrite one stored event's state in place (an insider with write access to the store)."""
    position = "notification_id" if ledger.store else "rowid"
    if ledger.store:
        ledger.query(f"UPDATE stored_events SET state = ? WHERE {position} = ?", (new, seq))
        return
    import sqlite3

    con = sqlite3.connect(ledger.folder / "ledger.db")
    con.execute(f"UPDATE stored_events SET state = ? WHERE {position} = ?", (new, seq))
    con.commit()
    con.close()


def test_a_signature_spelled_with_escapes_is_still_checked(ledger: Ledger) -> None:
    """The signature step skips decoding events that hold no signature key; a key spelled with \\u escapes
    (which the application reads as a signature) is not such an event: a forged signature in trial mode is found."""
    from integrity_helpers import recompute_chain

    ledger(*INSPECTION, actor="王琎")
    ledger(*PROBLEM, actor="王琎")
    position = "notification_id" if ledger.store else "rowid"
    seq, state = ledger.query(f"SELECT {position}, state FROM stored_events ORDER BY {position} DESC LIMIT 1")[0]
    raw = bytes(state)
    forged = {"signer": "王琎", "meaning": "add-problem", "key": "0000", "time": "2020-01-15T00:00:00+00:00", "value": "AAAA"}
    escaped = raw[:-1] + b',"act_signatur\\u0065":' + json.dumps(forged, ensure_ascii=False).encode("utf-8") + b"}"
    assert json.loads(escaped)["act_signature"] == forged  # what the application would read
    _replace_state(ledger, seq, escaped)
    recompute_chain(ledger)  # the chain and tree say nothing now: only the signature step can find it
    one = ledger("audit", "--verify", "--jobs", "1", expect=4)
    assert f"event {seq} " in one.stderr and "who was not enrolled" in one.stderr, one.stderr
    two = ledger("audit", "--verify", "--jobs", "2", expect=4)
    assert two.stderr == one.stderr


def test_jobs_check_signatures_beside_the_chain_and_say_the_same(signed: Ledger) -> None:
    """With more than one process the signature step runs beside the chain check: same lines, same record, same refusal."""
    one = signed("audit", "--verify", "--jobs", "1", "--format", "json")
    two = signed("audit", "--verify", "--jobs", "2", "--format", "json")
    assert json.loads(two.stdout) == json.loads(one.stdout) and json.loads(one.stdout)["acts"]["signed"] > 0
    assert signed("audit", "--verify", "--jobs", "2").stdout == signed("audit", "--verify", "--jobs", "1").stdout
    # An act written around the ledger's own save after enrolment: exit 4, whatever --jobs.
    _assign_around_the_checks(signed, "王琎")
    refused = signed("audit", "--verify", "--jobs", "1", expect=4)
    assert "is not signed, though people were enrolled before it" in refused.stderr
    assert signed("audit", "--verify", "--jobs", "2", expect=4).stderr == refused.stderr


def test_the_store_side_filter_reports_as_reading_every_event(signed: Ledger) -> None:
    """verify_acts lets the store leave out events that cannot be signed (issue 24, speed): the report is the one a
    read of every event gives, and an unsigned act after enrolment is still found at its own position."""
    from ledger.errors import TamperingFound
    from ledger.signatures import _raw_events, verify_acts, verify_event_rows

    through_verification(signed)
    store = signed.store or str(signed.folder / "ledger.db")
    app = open_app(signed)
    try:
        ledger_id = app.ledger_id()
    finally:
        app.close()
    assert verify_acts(store, ledger_id) == verify_event_rows(_raw_events(store), ledger_id)
    _assign_around_the_checks(signed, "王琎")
    signed("plan", "XC2019-1-1", "再制定一项措施", "--at", "2020-02-06", actor="张三")  # a signed act after the unsigned one
    with pytest.raises(TamperingFound) as filtered:
        verify_acts(store, ledger_id)
    with pytest.raises(TamperingFound) as every:
        verify_event_rows(_raw_events(store), ledger_id)
    assert str(filtered.value) == str(every.value) and "is not signed, though people were enrolled before it" in str(every.value)


def test_an_authority_event_with_its_id_respelled_is_still_checked(signed: Ledger) -> None:
    """The store-side filter keeps every spelling of the authority's id that UUID() reads: an unsigned grant under an
    upper-case, dash-less id is still the authority's, and still tampering."""
    if signed.store:
        pytest.skip("PostgreSQL stores ids as uuid: one spelling")
    from ledger.authority import AUTHORITY_ID
    from ledger.errors import TamperingFound
    from ledger.signatures import verify_acts

    store = str(signed.folder / "ledger.db")
    seq, state = signed.query("SELECT rowid, state FROM stored_events WHERE topic LIKE '%RoleGranted' OR topic LIKE '%PersonEnrolled' ORDER BY rowid DESC LIMIT 1")[0]
    data = json.loads(bytes(state))
    del data["act_signature"]
    con = sqlite3.connect(store)
    con.execute("UPDATE stored_events SET originator_id = ?, state = ? WHERE rowid = ?",
                ("{" + AUTHORITY_ID.hex.upper() + "}", json.dumps(data, ensure_ascii=False).encode("utf-8"), seq))
    con.commit()
    con.close()
    app = open_app(signed)
    try:
        ledger_id = app.ledger_id()
    finally:
        app.close()
    with pytest.raises(TamperingFound) as found:
        verify_acts(store, ledger_id)
    assert f"event {seq} " in str(found.value) and "changes who may act but is not signed" in str(found.value)


@pytest.mark.sqlite_only
def test_a_signed_events_state_retyped_as_text_is_named_by_doctor_not_a_traceback(signed: Ledger) -> None:
    """A signed ledger's event whose state an insider rewrote with SQL's replace() (which returns TEXT): `doctor`
    ended in `TypeError: string argument without an encoding` from the signature step; now every row is named, exit 4."""
    seq = signed.query("SELECT max(rowid) FROM stored_events")[0][0]
    with sqlite3.connect(signed.folder / "ledger.db") as con:
        con.execute("UPDATE stored_events SET state = replace(state, 'XC2019', 'XC2020') WHERE rowid = ?", (seq,))
    con.close()
    assert signed.query("SELECT typeof(state) FROM stored_events WHERE rowid = ?", (seq,)) == [("text",)]
    for command in (("doctor",), ("audit", "--verify"), ("audit", "--verify", "--jobs", "2")):
        result = signed(*command, expect=4)
        assert "Traceback" not in result.stdout + result.stderr and "TypeError" not in result.stdout + result.stderr, command


def test_a_signature_finding_names_the_event_by_its_word(signed: Ledger) -> None:
    """The signature step names an event kind as screens do: 更正 under zh where it printed the class name
    (Corrected) inside a Chinese line (found by the review); the English line keeps the name; the same from the
    process that checks signatures beside the chain (--jobs 2: its message crosses a process boundary)."""
    _assign_around_the_checks(signed, "王琎")
    zh = signed("--lang", "zh", "audit", "--verify", "--jobs", "1", expect=4).stderr
    assert "（责任到人）" in zh and "Assigned" not in zh, zh
    assert signed("--lang", "zh", "audit", "--verify", "--jobs", "2", expect=4).stderr == zh
    assert "(Assigned)" in signed("--lang", "en", "audit", "--verify", expect=4).stderr


def test_doctor_names_each_check_once_when_the_only_signer_is_revoked(signed: Ledger) -> None:
    """Review of issue 30, finding 10: two rows both labelled 销号签字 / sign-off, one 错误 and one 正常."""
    signed("person", "revoke", "杨荣", "--role", "signer", actor=ADMIN)
    rows = json.loads(signed("doctor", "--format", "json", expect=1).stdout)
    checks = [r["check"] for r in rows]
    assert len(checks) == len(set(checks)), checks
    assert [r["status"] for r in rows if r["check"] == "sign-off"] == ["error"]
    for lang in ("zh", "en"):
        shown = signed("--lang", lang, "doctor", expect=1).stdout
        labels = [line.split()[0] for line in shown.splitlines()[2:] if line.strip() and not line.startswith(" ")]
        assert len(labels) == len(set(labels)), shown
