"""Hostile input on every write command: one clear line, the documented exit code, nothing written.

Each case of the table is an input once found to end in a traceback or to be
accepted as nonsense (issue 11); the grammar is `ledger/values.py`, the dates-in-
order rules are in `ledger/domain.py`.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from conftest import Ledger, configure

INSPECTION = [
    "add-inspection", "XC1", "--name", "县委第一巡察组巡察县交通运输局党组", "--organisation", "县交通运输局党组",
    "--group", "县委第一巡察组", "--kind", "regular", "--start", "2020-01-01", "--end", "2020-01-10",
    "--feedback", "2020-01-15", "--at", "2020-01-15",
]


def head(ledger: Ledger) -> tuple[int, bytes | None]:
    """(events, chain head digest): a refused command changes neither."""
    con = sqlite3.connect(ledger.folder / "ledger.db")
    try:
        count = con.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0]
        row = con.execute("SELECT digest FROM ledger_chain ORDER BY seq DESC LIMIT 1").fetchone()
        return count, (bytes(row[0]) if row else None)
    finally:
        con.close()


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """XC1-1 closed on 2020-03-01; XC1-2 assigned with M1 planned; XC1-3 long-term, signed off as ongoing."""
    folder = tmp_path_factory.mktemp("hostile")
    ledger = Ledger(folder)
    ledger("init")
    ledger(*INSPECTION)
    for title, kind in (("关于“学习不深入”的问题", "deadline"), ("关于“制度不健全”的问题", "deadline"), ("关于“长期坚持”的问题", "long-term")):
        ledger("add-problem", "--inspection", "XC1", "--category", "政治站位方面", "--title", title, "--type", kind, "--at", "2020-01-16")
    for pid in ("XC1-1", "XC1-2", "XC1-3"):
        ledger("assign", pid, "--lead", "杨荣", "--unit", "办公室", "--person", "王琎", "--at", "2020-01-17")
        ledger("plan", pid, "制定学习计划", "--at", "2020-01-17")
    for pid in ("XC1-1", "XC1-3"):
        ledger("done", pid, "M1", "--at", "2020-02-01", actor="王琎")
        ledger("verify", pid, "--grade", "good", "--at", "2020-02-15", actor="巡察办")
        ledger("close", pid, "--at", "2020-03-01", actor="领导小组")
    return folder


@pytest.fixture
def hostile(scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Ledger:
    """A fresh copy of the scenario's folder for each case."""
    import shutil

    folder = tmp_path / "ledger"
    shutil.copytree(scenario, folder)
    monkeypatch.chdir(folder)
    monkeypatch.delenv("LEDGER_STORE", raising=False)
    return Ledger(folder)


P = ["add-problem", "--inspection", "XC1", "--category", "c", "--title", "t"]
DONE = ["done", "XC1-2", "M1", "--at", "2020-02-01"]
ASSIGN = ["assign", "XC1-2", "--lead", "l", "--unit", "u", "--person", "p"]

CASES = [
    # dates out of range: once tracebacks
    (ASSIGN + ["--at", "0001-01-01"], 2, "out of range"),
    (ASSIGN + ["--at", "9999-12-31T23:59-05:00"], 2, "out of range"),
    (["status", "--as-of", "0001-01-01"], 2, "out of range"),
    (["status", "--as-of", "9999-12-31T23:59-05:00"], 2, "out of range"),
    (["status", "--as-at", "0001-01-01"], 2, "out of range"),
    (P + ["--deadline", "9999-12-31"], 2, "out of range"),
    (["add-inspection", "XC9", "--name", "n", "--organisation", "o", "--group", "g", "--kind", "regular", "--start", "9999-01-01", "--end", "9999-01-10"], 2, "out of range"),
    (["add-inspection", "XC9", "--name", "n", "--organisation", "o", "--group", "g", "--kind", "regular", "--start", "2090-01-01", "--end", "2090-01-10"], 1, "in the future"),
    (ASSIGN + ["--at", "2020-02-30"], 2, "not a valid date-time"),
    (ASSIGN + ["--at", "2020-01-20T25:00"], 2, "not a valid date-time"),
    # amounts
    (DONE + ["--funds", "1e30"], 2, "not an amount of yuan"),
    (DONE + ["--funds", "1e309"], 2, "not an amount of yuan"),
    (DONE + ["--funds", "12345678901234567890123456789"], 2, "too large"),
    (DONE + ["--funds", "1,2,3"], 2, "not an amount of yuan"),
    (DONE + ["--funds", "NaN"], 2, "not an amount of yuan"),
    (DONE + ["--funds", "-5"], 2, "not an amount of yuan"),
    (DONE + ["--funds", "0.001"], 2, "more than two decimal places"),
    # counts of 2^63 and more
    (DONE + ["--rules", str(2**63)], 2, "too large"),
    (DONE + ["--clues", str(2**63)], 2, "too large"),
    (DONE + ["--accountable", f"admonition={2**63}"], 2, "too large"),
    (DONE + ["--accountable", str(2**64)], 2, "too large"),
    (DONE + ["--rules", "-1"], 2, "must not be negative"),
    (DONE + ["--rules", "1.5"], 2, "not a whole number"),
    (P + ["--number", str(2**63)], 2, "too large"),
    (P + ["--number", str(2**63 - 1)], 2, "too large"),
    (P + ["--number", "0"], 2, "1 or more"),
    (["sample", "--inspection", "XC1", "--size", str(2**63)], 2, "too large"),
    (["sample", "--inspection", "XC1", "--size", "1", "--seed", str(2**64)], 2, "too large"),
    # text: invisible, control characters, bidi overrides
    (["add-problem", "--inspection", "XC1", "--category", "c", "--title", "\u200b"], 2, "must not be empty"),
    (["add-problem", "--inspection", "XC1", "--category", "\u200b\u2060 ", "--title", "t"], 2, "must not be empty"),
    (["add-problem", "--inspection", "XC1", "--category", "c", "--title", "visible\rHIDDEN"], 2, "control character U+000D"),
    (["add-problem", "--inspection", "XC1", "--category", "c", "--title", "bell\x07"], 2, "control character U+0007"),
    (["add-problem", "--inspection", "XC1", "--category", "c", "--title", "a\u202eb"], 2, "U+202E"),
    (["add-problem", "--inspection", "XC1", "--category", "c", "--title", "t", "--description", "nul\x00"], 2, "NUL character"),
    (["assign", "XC1-2", "--lead", "\u200b", "--unit", "u", "--person", "p"], 2, "--lead"),
    (["assign", "XC1-2", "--lead", "l", "--unit", "u", "--person", "p\u200b"], 2, "invisible character"),
    (["plan", "XC1-2", "  \u3000 "], 2, "must not be empty"),
    (["progress", "XC1-3", "\x1b[2Jcleared"], 2, "control character U+001B"),
    (["review", "XC1-1", "--holds", "--note", "\u200b"], 2, "must not be empty"),
    (["reopen", "XC1-1", "--reason", "\x00"], 2, "NUL character"),
    (["correct", "XC1-2", "--field", "title", "--value", "\u200b", "--reason", "r"], 2, "must not be empty"),
    (["correct", "XC1-2", "--field", "title", "--value", "x\ry", "--reason", "r"], 2, "control character"),
    (["withhold", "XC1-2", "--reason", "privacy", "--field", "\x07"], 2, "control character"),
    (["--actor", "", "assign", "XC1-2", "--lead", "l", "--unit", "u", "--person", "p"], 2, "--actor"),
    (["--actor", "\u200b", "assign", "XC1-2", "--lead", "l", "--unit", "u", "--person", "p"], 2, "--actor"),
    (["assign", "XC1-2", "--lead", "l", "--unit", "u", "--person", "p", "--actor", ""], 2, "--actor"),
    (["add-problem", "--inspection", "XC1", "--category", "c", "--title", "长" * 1001], 2, "at most 1000"),
    # acts dated before what they follow
    (P + ["--at", "2019-12-01"], 1, "before inspection XC1 started"),
    (["reopen", "XC1-1", "--reason", "r", "--at", "2020-02-20"], 1, "before the sign-off"),
    (["review", "XC1-1", "--holds", "--note", "n", "--at", "2020-02-20"], 1, "before the sign-off"),
    (["review", "XC1-1", "--relapsed", "--note", "n", "--at", "2020-02-20"], 1, "before the sign-off"),
    (["sample", "--inspection", "XC1", "--size", "1", "--at", "2020-02-20"], 1, "before the sign-off"),
    (["progress", "XC1-3", "p", "--at", "2020-02-20"], 1, "before the sign-off"),
    (["assign", "XC1-2", "--lead", "l", "--unit", "u", "--person", "p", "--at", "2090-01-01"], 2, "in the future"),
    # one review result only; a measure of another problem is not this one's
    (["review", "XC1-1", "--holds", "--relapsed", "--note", "n"], 2, "exactly one of --holds or --relapsed"),
    (["review", "XC1-1", "--note", "n"], 2, "exactly one of --holds or --relapsed"),
    (["done", "XC1-2", "XC1-1/M1", "--at", "2020-02-01"], 1, "unknown measure ID"),
    # arguments that are not text, and output files that cannot be written (read commands too)
    (["status", "--unit", "\udcff"], 2, "not valid UTF-8"),
    (["history", "\udcff"], 2, "not valid UTF-8"),
    (["import", "a\x00b"], 2, "NUL"),
    (["export", "--out", ""], 2, "not a file name"),
    (["export", "--out", "x" * 300], 2, "not a file name"),
    (["publish", "--inspection", "XC1", "--out", "."], 2, "not a file name"),
    (["--config", "x" * 5000, "status"], 2, "cannot be used"),
]


@pytest.mark.parametrize("args, code, message", CASES, ids=[" ".join(c[0])[:60] for c in CASES])
def test_hostile_input_is_one_line_and_writes_nothing(hostile: Ledger, args: list[str], code: int, message: str) -> None:
    before = head(hostile)
    result = hostile(*args, expect=None)
    assert result.exit_code == code, (result.exit_code, result.stderr, result.stdout)
    assert "Traceback" not in result.stderr + result.stdout
    assert message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert head(hostile) == before


def test_the_long_form_measure_id_of_the_problem_itself_still_works(hostile: Ledger) -> None:
    record = hostile.json("done", "XC1-2", "xc1-2/m1", "--at", "2020-02-01", actor="王琎")
    assert record["measure"] == "M1"


def test_the_largest_problem_number_leaves_the_next_automatic_one_working(hostile: Ledger) -> None:
    assert hostile.out(*P, "--number", "999999", "--at", "2020-01-16") == "XC1-999999"
    result = hostile(*P, "--at", "2020-01-16", expect=1)  # once: every later automatic number crashed
    assert "problem numbers run from 1 to 999999" in result.stderr
    assert hostile.out(*P, "--number", "5", "--at", "2020-01-16") == "XC1-5"


def test_text_is_stored_normalised(hostile: Ledger) -> None:
    # NFD e + combining acute is stored as NFC é; runs of spaces in a one-line field collapse.
    pid = hostile.out("add-problem", "--inspection", "XC1", "--category", " 政治  站位 ", "--title", "cafe\u0301", "--at", "2020-01-16")
    view = hostile.json("show", pid)
    assert view["title"] == "caf\u00e9" and view["category"] == "政治 站位"


def test_names_compare_after_normalisation(hostile: Ledger) -> None:
    configure(hostile.folder, "people:\n  - name: \"Jose\u0301\"\n    roles: [responsible]\n")
    # The actor typed in the composed form is the person listed in the decomposed form.
    hostile("assign", "XC1-2", "--lead", "l", "--unit", "u", "--person", "p", "--at", "2020-01-18", actor="Jos\u00e9")


@pytest.mark.parametrize(
    "text, message",
    [
        ("publication: {date: 2020-13-01}\n", "publication.date"),
        ("publication: {title: [1, 2]}\n", "'publication.title' must be text"),
        ("signoff: {required_signers: 0}\n", "'signoff.required_signers' must be a whole number from 1"),
        ("signoff: {required_signers: -3}\n", "'signoff.required_signers' must be a whole number from 1"),
        ("signoff: {required_signers: 99999999999999999999999}\n", "'signoff.required_signers'"),
        ("store: a.db\nstore: b.db\n", "'store' is given twice"),
        ("policy:\n  separate_signer: true\n  separate_signer: false\n", "'separate_signer' is given twice"),
        ("watch: {review_points_days: [180, 90]}\n", "increasing order"),
        ("watch: {due_within_days: 1.5}\n", "'watch.due_within_days' must be a whole number"),
        ("hash: md5\n", "'hash' must be sha256 or sm3"),
        ("sensitive: {key_env: 'A B'}\n", "environment variable"),
        ("people:\n  - {name: \"\u200b\", roles: [signer]}\n", "invisible character"),
        ("people:\n  - {name: a, roles: [signer]}\n  - {name: \"a \", roles: [signer]}\n", "listed twice"),
        ("publication: {title: " + "[" * 5000 + "]" * 5000 + "}\n", "nested too deeply"),
        ("publication: {contact: \"a\\rb\"}\n", "control character"),
    ],
)
def test_bad_ledger_yaml_is_refused_at_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ledger.yaml").write_text(text, encoding="utf-8")
    from click.testing import CliRunner

    from commands.cli import cli

    for command in (["status"], ["doctor"], ["add-inspection", "X", "--name", "n", "--organisation", "o", "--group", "g", "--kind", "regular", "--start", "2020-01-01", "--end", "2020-01-02"]):
        result = CliRunner().invoke(cli, command, env={"LEDGER_CONFIG": None, "LEDGER_ACTOR": "clerk"})
        assert result.exit_code == 2, (command, result.stderr)
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_office_dates_in_ledger_yaml_and_options(hostile: Ledger) -> None:
    configure(hostile.folder, "publication:\n  date: 2020年9月30日\n")
    out = hostile.out("publish", "--inspection", "XC1", "--no-sign")
    assert "2020年9月30日" in out or "2020-09-30" in out
    for spelling in ("2020-1-20", "2020/1/20", "2020.1.20", "2020年1月20日", "２０２０年１月２０日"):
        view = hostile.json("show", hostile.out(*P, "--deadline", spelling, "--at", "2020/1/16"))
        assert view["deadline"] == "2020-01-20"


# -- import files ------------------------------------------------------------------

CSV_HEADER = "inspection,inspection_name,organisation,group,kind,start,end,feedback,number,category,title,measure\n"
CSV_ROW = "XC5,n,o,g,regular,2020/1/1,2020年1月10日,2020.1.15,{number},c,{title},m\n"
YAML_HEAD = "inspection: {code: XC6, name: n, organisation: o, group: g, kind: regular, start: 2020-1-1, end: 2020/1/10}\nproblems:\n"


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("quote.csv", CSV_HEADER + 'XC5,n,o,g,regular,2020-01-01,2020-01-10,2020-01-15,1,c,"t unterminated,m\nXC5,,,,,,,,2,c,t2,m\n', "line 2: not valid CSV (a quote opened in this row is never closed)"),
        ("cr.csv", CSV_HEADER + CSV_ROW.format(number=1, title='"t\rHIDDEN"'), "control character U+000D"),
        ("zw.csv", CSV_HEADER + CSV_ROW.format(number=1, title="\u200b"), "title: must not be empty"),
        ("deep.yaml", YAML_HEAD + "  - {number: 1, category: c, title: " + "[" * 5000 + "]" * 5000 + "}\n", "nested too deeply"),
        ("huge.yaml", YAML_HEAD + "  - {number: 99999999999999999999999, category: c, title: t}\n", "too large"),
        ("bool.yaml", YAML_HEAD + "  - {number: true, category: c, title: t}\n", "not a whole number"),
        ("date.yaml", YAML_HEAD + "  - {number: 1, category: c, title: t, deadline: 0001-01-01}\n", "out of range"),
        ("nul.yaml", YAML_HEAD + "  - {number: 1, category: c, title: t, description: \"a\\0b\"}\n", "control character U+0000"),
        ("early.yaml", YAML_HEAD.replace("start: 2020-1-1", "start: 2020-1-1, feedback: 2020-1-15") + "  - {number: 1, category: c, title: t}\n", None),
    ],
)
def test_hostile_import_files(hostile: Ledger, name: str, text: str, message: str | None) -> None:
    path = hostile.folder / name
    path.write_bytes(text.encode("utf-8"))
    before = head(hostile)
    if message is None:  # office date spellings import
        hostile("import", name)
        assert hostile.json("show", "XC6")["start"] == "2020-01-01"
        return
    result = hostile("import", name, expect=None)
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert head(hostile) == before


@pytest.mark.parametrize("number", [2**63, 2**63 - 1, 10**40])
def test_a_huge_number_in_the_file_is_kept_as_the_files_own_and_the_problem_numbered_by_row(hostile: Ledger, number: int) -> None:
    """Offices' 序号 columns hold anything (issue 25): a number too large for an ID never overflows; the
    problem is numbered by its row and the file's 序号 is kept as it was written."""
    (hostile.folder / "big.csv").write_text(CSV_HEADER + CSV_ROW.format(number=number, title="t"), encoding="utf-8")
    hostile("import", "big.csv")
    assert hostile.json("show", "XC5-1")["columns"]["number"] == str(number)


def test_import_registered_before_the_inspection_started_is_refused(hostile: Ledger) -> None:
    (hostile.folder / "f.yaml").write_text(YAML_HEAD + "  - {number: 1, category: c, title: t}\n", encoding="utf-8")
    before = head(hostile)
    result = hostile("import", "f.yaml", "--at", "2019-12-01", expect=None)
    assert result.exit_code == 2 and "before inspection XC6 started" in result.stderr
    assert head(hostile) == before


# -- exit codes and messages ---------------------------------------------------------------


def test_ledger_alone_prints_the_help_as_help(hostile: Ledger) -> None:
    result = hostile(expect=0)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Usage: ") and "Commands:" in lines and len(lines) > 20


def test_import_log_of_a_file_that_is_not_an_export_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    ledger = Ledger(tmp_path)
    ledger("init")
    (tmp_path / "notes.jsonl").write_text("hello\n", encoding="utf-8")
    result = ledger("import-log", "notes.jsonl", expect=2)
    assert "is not a ledger export" in result.stderr


@pytest.mark.parametrize("version, message", [(1, "does not start with its creation event"), (2, "not consecutive")])
def test_a_deleted_event_is_named_clearly(hostile: Ledger, version: int, message: str) -> None:
    from ledger.domain import problem_uuid

    con = sqlite3.connect(hostile.folder / "ledger.db")
    # XC1-2's creation event, or its second event (the assignment)
    deleted = con.execute(
        "DELETE FROM stored_events WHERE originator_id = ? AND originator_version = ?", (problem_uuid("XC1", 2).hex, version)
    ).rowcount
    con.commit()
    con.close()
    assert deleted == 1
    for command in (["replay"], ["plan", "XC1-2", "another measure"]):
        result = hostile(*command, expect=None)
        # replay may name the deleted event from the chain first; either way it is tampering, said clearly
        assert result.exit_code == 4 and "tampering found" in result.stderr, (command, result.stderr)
        said = ("is missing from the store", "cannot be rebuilt", message)
        assert any(words in result.stderr for words in said), (command, result.stderr)
        assert "(3, 2)" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_messages_print_timestamps_without_microseconds(hostile: Ledger) -> None:
    result = hostile("reopen", "XC1-1", "--reason", "r", "--at", "2020-02-20T10:00:00.123456", expect=1)
    assert ".123456" not in result.stderr and "2020-02-20T10:00:00" in result.stderr


def test_keygen_on_a_full_disk_keeps_no_key_file(hostile: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os

    real_fdopen = os.fdopen

    class FullDisk:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: FullDisk(real_fdopen(fd, *a, **k)))
    result = hostile("keygen", expect=1)
    assert "No space left on device" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (hostile.folder / "ledger-signing.key").exists()
    monkeypatch.setattr(os, "fdopen", real_fdopen)
    (hostile.folder / "ledger-signing.key").write_bytes(b"")  # an empty key file left by an older version
    doctor = hostile("doctor", "--format", "json", expect=1)
    checks = {c["check"]: c["status"] for c in json.loads(doctor.stdout)}
    assert checks["signing key"] == "error"


def test_funds_in_wan_yuan_are_rounded_as_reports_print_them(hostile: Ledger) -> None:
    hostile("done", "XC1-2", "M1", "--funds", "12000.50", "--at", "2020-02-01", actor="王琎")
    summary = hostile.out("summary", "--inspection", "XC1", "--lang", "en")
    assert "| 1.20" in summary.replace("  ", " ") or " 1.20" in summary
    assert "1.20005" not in summary


def test_as_at_shows_the_state_by_the_dates_acts_happened(hostile: Ledger) -> None:
    # Everything was entered today, dated 2020: --as-of a 2020 day sees nothing, --as-at sees the acts.
    assert "as of 2020-01-20" in hostile.out("status", "--as-of", "2020-01-20") and "(recorded time)" in hostile.out("status", "--as-of", "2020-01-20")
    rows = {r["id"]: r["status"] for r in hostile.json("status", "--as-at", "2020-01-20")}
    assert rows == {"XC1-1": "in_progress", "XC1-2": "in_progress", "XC1-3": "in_progress"}
    rows = {r["id"]: r["status"] for r in hostile.json("status", "--as-at", "2020/3/1")}
    assert rows["XC1-1"] == "closed" and rows["XC1-3"] == "ongoing"
    assert "as at 2019-12-31" in hostile.out("status", "--as-at", "2019-12-31") and "by the dates acts happened" in hostile.out("status", "--as-at", "2019-12-31")
    assert hostile("status", "--as-at", "2020-01-20", "--as-of", "2020-01-20", expect=2)


def test_a_printable_text_holds_no_character_the_text_grammar_refuses() -> None:
    """ledger.values._text skips its per-character checks for a printable text: every
    code point str.isprintable() accepts must pass them, in every kind of text."""
    import sys

    from ledger import values
    from ledger.errors import InvalidInput

    refused = []
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        if not ch.isprintable():
            continue
        for kind in ("name", "short", "long"):
            try:
                values._refuse_characters(ch, "x", kind)
            except InvalidInput:
                refused.append((hex(code), kind))
    assert refused == []
    # and the checks the shortcut skips still refuse (one of each)
    for ch, kind in (("\x07", "short"), ("\u202e", "short"), ("\ud800", "long"), ("\uffff", "short"), ("\u200b", "name")):
        assert not ch.isprintable()
        with pytest.raises(InvalidInput):
            values._refuse_characters(f"a{ch}b", "x", kind)
