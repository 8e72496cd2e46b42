"""Roles per write command, 双审核 with two signers, and encrypted sensitive fields."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from tests.conftest import INSPECTION

PEOPLE = """
people:
  - name: reg
    roles: [registrar]
  - name: resp
    roles: [责任人]
  - name: ver
    roles: [verifier]
  - name: sig1
    roles: [signer]
  - name: sig2
    roles: [signer]
  - name: aud
    roles: [auditor]
"""


def configure(ledger, text: str) -> None:
    """Append settings; a section given again replaces the sample's (a key given twice is refused)."""
    from conftest import configure as configure_file

    configure_file(ledger.folder, text)


def event_count(ledger) -> int:
    return ledger.query("SELECT COUNT(*) FROM stored_events")[0][0]


def lifecycle(ledger, signers=("sig1",)) -> None:
    ledger(*INSPECTION, actor="reg")
    ledger("add-problem", "--inspection", "XC2019-1", "--category", "c", "--title", "t", "--at", "2020-01-15", actor="reg")
    ledger("assign", "XC2019-1-1", "--lead", "王", "--unit", "办公室", "--person", "李", "--at", "2020-01-16", actor="reg")
    ledger("plan", "XC2019-1-1", "学习计划", "--at", "2020-01-17", actor="resp")
    ledger("done", "XC2019-1-1", "M1", "--evidence", "会议记录", "--at", "2020-02-01", actor="resp")
    ledger("verify", "XC2019-1-1", "--grade", "good", "--at", "2020-02-10", actor="ver")


# Every write command, with arguments that parse, and someone without its role.
WRITES = [
    (INSPECTION, "aud"),
    (["add-problem", "--inspection", "XC2019-1", "--category", "c", "--title", "t"], "ver"),
    (["assign", "XC2019-1-1", "--lead", "l", "--unit", "u", "--person", "p"], "ver"),
    (["plan", "XC2019-1-1", "x"], "reg"),
    (["done", "XC2019-1-1", "M1"], "ver"),
    (["verify", "XC2019-1-1", "--grade", "good"], "resp"),
    (["close", "XC2019-1-1"], "ver"),
    (["review", "XC2019-1-1", "--holds", "--note", "n"], "sig1"),
    (["reopen", "XC2019-1-1", "--reason", "r"], "reg"),
    (["correct", "XC2019-1-1", "--field", "title", "--value", "v", "--reason", "r"], "resp"),
    (["checkpoint"], "resp"),
    (["import-log", "missing.jsonl"], "ver"),
    (["confide", "XC2019-1-1", "--field", "whistleblower", "--value", "x"], "aud"),
    (["keygen"], "sig1"),
]


def test_every_registered_write_command_is_covered():
    from commands.cli import cli, register_commands
    from ledger.authority import ACTS

    register_commands()
    writes = {name for name, cmd in cli.commands.items() if any(p.name == "actor" for p in cmd.params)}
    tested = {args[0] for args, _ in WRITES}
    assert writes - {"add-inspection"} <= tested | {act.meaning for act in ACTS.values()}
    assert {"add-problem", "close", "verify", "done", "checkpoint", "import-log"} <= writes


@pytest.mark.parametrize("args,who", WRITES, ids=[a[0] for a, _ in WRITES])
def test_write_commands_refuse_the_wrong_role(ledger, args, who):
    configure(ledger, PEOPLE)
    before = event_count(ledger)
    result = ledger(*args, actor=who, expect=1)
    assert f"{who} may not run `ledger {args[0]}`" in result.stderr
    stranger = ledger(*args, actor="nobody", expect=1)
    assert "not listed under people" in stranger.stderr
    assert event_count(ledger) == before
    assert not (ledger.folder / "ledger-signing.key").exists()


def test_the_right_roles_run_the_whole_lifecycle(ledger):
    configure(ledger, PEOPLE)
    lifecycle(ledger)
    ledger("close", "XC2019-1-1", "--at", "2020-02-11", actor="sig1")
    assert ledger.json("show", "XC2019-1-1")["status"] == "closed"
    assert re.search(r"^identities +ok ", ledger.out("doctor"), re.M)


def test_single_user_mode_is_reported(ledger):
    assert "single-user mode" in ledger.out("doctor")


def test_bad_people_list_is_a_config_error(ledger):
    configure(ledger, "people:\n  - name: x\n    roles: [boss]\n")
    result = ledger("add-inspection", *INSPECTION[1:], expect=2)
    assert "unknown role 'boss'" in result.stderr


def test_two_signers_are_needed_to_close(ledger):
    configure(ledger, PEOPLE + "signoff:\n  required_signers: 2\n")
    lifecycle(ledger)
    first = ledger.out("close", "XC2019-1-1", "--note", "单位主要负责人", "--at", "2020-02-11", actor="sig1")
    assert "signature 1 of 2 recorded" in first
    view = ledger.json("show", "XC2019-1-1")
    assert view["status"] == "verified" and [s["by"] for s in view["signatures"]] == ["sig1"]
    assert "signatures (dual review):" in ledger.out("show", "XC2019-1-1")  # the first signer, awaiting the second (test_dual_signoff_show)
    again = ledger("close", "XC2019-1-1", "--at", "2020-02-12", actor="sig1", expect=1)
    assert "different-signers" in again.stderr
    assert ledger.json("show", "XC2019-1-1")["status"] == "verified"
    ledger("close", "XC2019-1-1", "--note", "上级分管领导", "--at", "2020-02-12", actor="sig2")
    view = ledger.json("show", "XC2019-1-1")
    assert view["status"] == "closed" and view["signoffs"][-1]["by"] == "sig2"
    assert view["signoffs"][-1]["meaning"] == "approval"


def test_doctor_flags_too_few_signers(ledger):
    configure(ledger, "people:\n  - name: a\n    roles: [signer]\nsignoff:\n  required_signers: 2\n")
    result = ledger("doctor", expect=1)
    assert "only 1 people have the signer role" in result.stdout


KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="  # 32 bytes, base64
OTHER = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="


@pytest.fixture
def problem(inspected):
    inspected("add-problem", "--inspection", "XC2019-1", "--category", "c", "--title", "t", "--at", "2020-01-15")
    return inspected


@pytest.mark.sqlite_only  # reads or edits the SQLite file itself
def test_sensitive_field_is_encrypted_at_rest(problem, monkeypatch):
    monkeypatch.setenv("LEDGER_CIPHER_KEY", KEY)
    problem("confide", "XC2019-1-1", "--field", "举报人", "--value", "张举报", "--at", "2020-01-16")
    out = problem.out("reveal", "XC2019-1-1")
    assert "whistleblower" in out and "张举报" in out
    raw = (problem.folder / "ledger.db").read_bytes()
    assert "张举报".encode() not in raw and "张举报".encode("unicode_escape") not in raw
    view = problem.json("show", "XC2019-1-1")
    assert view["sensitive_fields"] == ["whistleblower"] and "张举报" not in str(view)
    assert "[encrypted]" in problem.out("show", "XC2019-1-1")
    # Without the key: "[encrypted]", and the rest of the ledger works.
    monkeypatch.delenv("LEDGER_CIPHER_KEY")
    assert "[encrypted]" in problem.out("reveal", "XC2019-1-1")
    problem("assign", "XC2019-1-1", "--lead", "王", "--unit", "办公室", "--person", "李", "--at", "2020-01-16")
    problem.out("audit", "--verify")
    # A wrong key: one clear line, no garbage.
    monkeypatch.setenv("LEDGER_CIPHER_KEY", OTHER)
    wrong = problem("reveal", "XC2019-1-1", expect=2)
    assert "wrong key" in wrong.stderr and "Traceback" not in wrong.stderr and wrong.stdout == ""


def test_missing_or_malformed_key_writes_nothing(problem, monkeypatch):
    monkeypatch.delenv("LEDGER_CIPHER_KEY", raising=False)
    result = problem("confide", "XC2019-1-1", "--field", "case-details", "--value", "案情", expect=2)
    assert "LEDGER_CIPHER_KEY" in result.stderr and "Traceback" not in result.stderr
    monkeypatch.setenv("LEDGER_CIPHER_KEY", "not a key")
    result = problem("confide", "XC2019-1-1", "--field", "case-details", "--value", "案情", expect=2)
    assert "not a base64 AES key" in result.stderr
    assert problem.json("show", "XC2019-1-1")["sensitive_fields"] == []
    assert problem("confide", "XC2019-1-1", "--field", "salary", "--value", "x", expect=2).stderr.count("\n") == 1


def test_keygen_cipher_prints_a_usable_key(problem, monkeypatch):
    key = problem.out("keygen", "--cipher").splitlines()[0]
    monkeypatch.setenv("LEDGER_CIPHER_KEY", key)
    problem("confide", "XC2019-1-1", "--field", "case-details", "--value", "细节", "--at", "2020-01-16")
    assert "细节" in problem.out("reveal", "XC2019-1-1")


def test_doctor_shows_the_sign_off_check_once_when_too_few_may_sign(ledger):
    """Review of issue 30, finding 10: the error row and an "ok" row for the same check, labelled alike."""
    configure(ledger, "people:\n  - name: a\n    roles: [signer]\nsignoff:\n  required_signers: 2\n")
    rows = json.loads(ledger("doctor", "--format", "json", expect=1).stdout)
    assert [(r["check"], r["status"]) for r in rows if r["check"] == "sign-off"] == [("sign-off", "error")]
    shown = ledger("--lang", "zh", "doctor", expect=1).stdout
    assert shown.count("销号签字") == 1, shown
