"""Bad inputs found by issue 24 (items 6, 7, 8, 9 and 13), each written as the attack first.

Every one ends in one line naming what was wrong, the documented exit code, nothing written,
no traceback and no hang: devices, FIFOs and oversized files are refused before they are read,
YAML aliases are bounded, only text encodings are encodings, numbers too large for the store
are refused as input, one text grammar holds for every field and file name, and `init` leaves
nothing behind when it fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import Ledger, configure, ledger_executable
from test_hostile_input import head, hostile, scenario  # noqa: F401 - fixtures

DEVICE = "/dev/zero"


def one_line(result, code: int, message: str) -> None:
    text = result.stderr if hasattr(result, "stderr") else ""
    assert result.exit_code == code if hasattr(result, "exit_code") else result.returncode == code, (text, getattr(result, "stdout", ""))
    assert "Traceback" not in text + (result.stdout or "")
    assert message in text, text
    assert len(text.strip().splitlines()) == 1, text
    assert len(text) < 600, text[:300]


def run(folder: Path, *args: str, timeout: float = 30, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The installed `ledger`, with a time limit: a read that never ends fails the test instead of hanging it."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    full.update({"LEDGER_ACTOR": "clerk", "LEDGER_LANG": "en", "LEDGER_CONFIG": str(folder / "ledger.yaml")})
    full.update(env or {})
    started = time.monotonic()
    done = subprocess.run([ledger_executable(), *args], cwd=folder, env=full, capture_output=True, text=True, timeout=timeout)
    assert time.monotonic() - started < timeout
    return done


def refused(done: subprocess.CompletedProcess[str], code: int, message: str) -> None:
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stdout + done.stderr
    assert message in done.stderr, done.stderr
    errors = [line for line in done.stderr.strip().splitlines() if not line.startswith("ledger: note:")]  # trial mode's note
    assert len(errors) == 1, done.stderr
    assert len(done.stderr) < 600, done.stderr[:300]


# -- item 6: regular files only, with a size limit; YAML aliases bounded ---------------------------


@pytest.fixture
def fifo(hostile: Ledger) -> Path:
    path = hostile.folder / "pipe.csv"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("args, message", [
    (["progress", "XC1-3", "已学习", "--attach", DEVICE], "not a regular file"),
    (["progress", "XC1-3", "已学习", "--attach", "pipe.csv"], "not a regular file"),
    (["import", "zero.csv"], "not a regular file"),
    (["import", "zero.yaml"], "not a regular file"),
    (["import", "pipe.csv"], "not a regular file"),
    (["person", "add", "张三", "--role", "registrar", "--public-key", DEVICE], "not a regular file"),
    (["person", "add", "张三", "--role", "registrar", "--public-key", "pipe.csv"], "not a regular file"),
    (["audit", "--verify", "--checkpoint", "pipe.csv"], "not a regular file"),
    (["verify-consistency", "pipe.csv", "--from", "pipe.csv", "--to", "pipe.csv"], "not a regular file"),
])
def test_devices_and_fifos_are_refused_in_bounded_time(hostile: Ledger, fifo: Path, args: list[str], message: str) -> None:
    (hostile.folder / "zero.csv").symlink_to(DEVICE)
    (hostile.folder / "zero.yaml").symlink_to(DEVICE)
    before = head(hostile)
    refused(run(hostile.folder, *args), 2, message)
    assert head(hostile) == before


def test_a_narrative_file_that_is_a_device_is_refused(hostile: Ledger, fifo: Path) -> None:
    for target in (DEVICE, "pipe.csv"):
        configure(hostile.folder, f"publication:\n  responsibility: {target}\n")
        refused(run(hostile.folder, "publish", "--inspection", "XC1"), 2, "not a regular file")


def test_an_oversized_evidence_file_is_refused_before_it_is_read(hostile: Ledger) -> None:
    from ledger.inputs import MAX_EVIDENCE_BYTES

    big = hostile.folder / "scan.pdf"
    with big.open("wb") as f:  # sparse: no disk used
        f.truncate(MAX_EVIDENCE_BYTES + 1)
    before = head(hostile)
    refused(run(hostile.folder, "progress", "XC1-3", "已学习", "--attach", "scan.pdf"), 2, "at most")
    assert head(hostile) == before


def bomb(levels: int = 7) -> str:
    """A YAML value a few hundred bytes long that expands to 9**levels strings (a billion-laughs)."""
    parts = ['&l0 ["laugh","laugh","laugh","laugh","laugh","laugh","laugh","laugh","laugh"]']
    parts += [f"&l{n} [" + ",".join([f"*l{n - 1}"] * 9) + "]" for n in range(1, levels)]
    return "[" + ", ".join(parts) + "]"


def test_a_yaml_alias_bomb_in_ledger_yaml_is_one_short_line(hostile: Ledger) -> None:
    configure(hostile.folder, f"publication:\n  title: {bomb()}\n")
    refused(run(hostile.folder, "status"), 2, "alias")


def test_a_yaml_alias_bomb_in_an_imported_list_is_one_short_line(hostile: Ledger) -> None:
    (hostile.folder / "list.yaml").write_text(f"inspection: {{code: XC9, name: {bomb()}}}\nproblems: []\n", encoding="utf-8")
    before = head(hostile)
    refused(run(hostile.folder, "import", "list.yaml"), 2, "alias")
    assert head(hostile) == before


# -- item 7: tracebacks on inputs ---------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["rot13", "base64", "hex", "zlib", "uu", "bz2"])
def test_only_text_encodings_are_encodings(hostile: Ledger, encoding: str) -> None:
    (hostile.folder / "list.csv").write_text("问题类别,反馈问题\n政治站位方面,学习不深入\n", encoding="utf-8")
    before = head(hostile)
    one_line(hostile("import", "list.csv", "--encoding", encoding, expect=None), 2, "not a known text encoding")
    assert head(hostile) == before


def test_a_huge_due_window_is_refused(hostile: Ledger) -> None:
    one_line(hostile("due", "--within", "99999999999d", expect=None), 2, "--within")


def test_a_checkpoint_with_a_26_digit_sequence_is_refused(hostile: Ledger) -> None:
    hostile("keygen")
    block = hostile("checkpoint").stdout
    import re

    forged = re.sub(r"(sequence:\s*)\d+", r"\g<1>12345678901234567890123456", block)
    (hostile.folder / "forged.txt").write_text(forged, encoding="utf-8")
    result = hostile("audit", "--verify", "--checkpoint", "forged.txt", expect=None)
    one_line(result, 2, "sequence")


def test_deeply_nested_json_given_to_verify_consistency_is_refused(hostile: Ledger) -> None:
    hostile("keygen")
    (hostile.folder / "cp1.txt").write_text(hostile("checkpoint").stdout, encoding="utf-8")
    hostile("progress", "XC1-3", "已学习")
    (hostile.folder / "cp2.txt").write_text(hostile("checkpoint").stdout, encoding="utf-8")
    hostile("prove-consistency", "--from", "cp1.txt", "--to", "cp2.txt", "--out", "p.json")
    text = (hostile.folder / "p.json").read_text(encoding="utf-8")
    deep = "[" * 200_000 + "]" * 200_000
    (hostile.folder / "deep.json").write_text(text.replace('"proof":', '"deep": ' + deep + ', "proof":', 1), encoding="utf-8")
    result = hostile("verify-consistency", "deep.json", "--from", "cp1.txt", "--to", "cp2.txt", expect=None)
    assert result.exit_code in (2, 4), result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr[:300]
    (hostile.folder / "deep2.json").write_text(deep, encoding="utf-8")
    one_line(hostile("verify-consistency", "deep2.json", "--from", "cp1.txt", "--to", "cp2.txt", expect=None), 2, "deep2.json")


# -- item 8: init leaves nothing behind when it fails ------------------------------------------


@pytest.mark.parametrize("store_kind", ["sqlite", "postgresql"])
def test_init_with_a_file_that_is_no_key_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest, store_kind: str) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LEDGER_CONFIG", raising=False)
    store = request.getfixturevalue("pg_database") if store_kind == "postgresql" else None
    if store:
        monkeypatch.setenv("LEDGER_STORE", store)
    else:
        monkeypatch.delenv("LEDGER_STORE", raising=False)
    notes = tmp_path / "notes.txt"
    notes.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    ledger = Ledger(tmp_path, store)
    result = ledger("init", "--admin-key", str(notes), expect=None)
    one_line(result, 2, "--admin-key")
    assert "passphrase" not in result.stderr
    assert "not a private key" in result.stderr and "PEM" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    if store:
        tables = ledger.query("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
        assert tables == [], tables


# -- item 9: one text grammar -----------------------------------------------------------------


@pytest.mark.parametrize("args, message", [
    (["assign", "XC1-2", "--lead", "杨\u2028荣", "--unit", "u", "--person", "p"], "U+2028"),
    (["assign", "XC1-2", "--lead", "l", "--unit", "办\ue000公室", "--person", "p"], "U+E000"),
    (["assign", "XC1-2", "--lead", "l", "--unit", "办公\u2029室", "--person", "p"], "U+2029"),
    (["add-problem", "--inspection", "XC1", "--category", "c", "--title", "学习\u200d不深入"], "U+200D"),
    (["add-problem", "--inspection", "XC1", "--category", "c", "--title", "\ufeff学习不深入"], "U+FEFF"),
    (["add-problem", "--inspection", "XC1", "--category", "c", "--title", "学习\u2060不深入"], "U+2060"),
    (["add-problem", "--inspection", "XC1", "--category", "c", "--title", "学\u00ad习"], "U+00AD"),
    (["add-problem", "--inspection", "XC1", "--category", "政治\ue001", "--title", "t"], "U+E001"),
    (["plan", "XC1-2", "措施\u2028二"], "U+2028"),
])
def test_one_text_grammar_for_every_option(hostile: Ledger, args: list[str], message: str) -> None:
    before = head(hostile)
    one_line(hostile(*args, expect=None), 2, message)
    assert head(hostile) == before


@pytest.mark.parametrize("name, message", [("invoice\u202efdp.exe", "U+202E"), ("a\nb.pdf", "U+000A"), ("报告\u200b.pdf", "U+200B")])
def test_evidence_file_names_follow_the_grammar(hostile: Ledger, name: str, message: str) -> None:
    (hostile.folder / name).write_bytes(b"%PDF-1.4\n")
    before = head(hostile)
    one_line(hostile("progress", "XC1-3", "已学习", "--attach", name, expect=None), 2, message)
    assert head(hostile) == before


@pytest.mark.parametrize("title, message", [("!!binary aGVsbG8=", "must be text"), ("学习\u200d不深入", "U+200D")])
def test_imported_yaml_text_follows_the_grammar(hostile: Ledger, title: str, message: str) -> None:
    (hostile.folder / "list.yaml").write_text(
        "inspection:\n  code: XC9\n  name: 县委第九巡察组巡察县文旅局党组\n  organisation: 县文旅局党组\n  group: 县委第九巡察组\n"
        "  kind: regular\n  start: 2020-01-01\n  end: 2020-01-10\n  feedback: 2020-01-15\n"
        f"problems:\n  - number: 1\n    category: 政治站位方面\n    title: {title}\n",
        encoding="utf-8",
    )
    before = head(hostile)
    one_line(hostile("import", "list.yaml", expect=None), 2, message)
    assert head(hostile) == before


def test_the_grammar_on_postgresql_too(inspected: Ledger) -> None:
    one_line(inspected("add-problem", "--inspection", "XC2019-1", "--category", "c", "--title", "学习\u200d不深入", expect=None), 2, "U+200D")
    (inspected.folder / "a\u202etxt.pdf").write_bytes(b"x")
    inspected("add-problem", "--inspection", "XC2019-1", "--category", "c", "--title", "t", "--at", "2020-01-15")
    one_line(inspected("progress", "XC2019-1-1", "p", "--attach", "a\u202etxt.pdf", expect=None), 2, "U+202E")
    assert inspected.query("SELECT COUNT(*) FROM stored_events")[0][0] == 3


# -- item 13: smaller holes --------------------------------------------------------------------


def test_ledger_lang_fr_is_refused_like_lang_fr(hostile: Ledger) -> None:
    done = run(hostile.folder, "status", env={"LEDGER_LANG": "fr"})
    refused(done, 2, "LEDGER_LANG")


@pytest.mark.parametrize("how", ["option", "env"])
def test_a_missing_key_file_is_refused_in_trial_mode(hostile: Ledger, how: str) -> None:
    before = head(hostile)
    args = ["progress", "XC1-3", "已学习"]
    env = {}
    if how == "option":
        args += ["--key", "/nonexistent/key.pem"]
    else:
        env["LEDGER_KEY"] = "/nonexistent/key.pem"
    refused(run(hostile.folder, *args, env=env), 2, "/nonexistent/key.pem")
    assert head(hostile) == before


@pytest.mark.parametrize("text, message", [
    ("store: 5\n", "store"),
    ("lights:\n  green_days: 10\n  yellow_days: 20\n", "yellow_days"),
])
def test_bad_settings_are_refused(hostile: Ledger, text: str, message: str) -> None:
    configure(hostile.folder, text)
    refused(run(hostile.folder, "status"), 2, message)


def test_an_empty_checkpoint_is_refused(hostile: Ledger) -> None:
    """'' is no checkpoint: it used to be read as the current folder, and verified whatever blocks lay there."""
    hostile("keygen")
    hostile("checkpoint", "--out", "kept.checkpoint")
    one_line(hostile("audit", "--verify", "--checkpoint", "", expect=None), 2, "--checkpoint")


def test_person_import_with_a_missing_keys_folder_is_refused(hostile: Ledger) -> None:
    configure(hostile.folder, "people:\n  - name: 张三\n    roles: [registrar]\n")
    before = head(hostile)
    one_line(hostile("person", "import", "--keys", "/nonexistent", expect=None), 2, "/nonexistent")
    assert head(hostile) == before


def test_reconcile_an_unknown_inspection(hostile: Ledger) -> None:
    (hostile.folder / "list.csv").write_text(
        "巡察编号,巡察名称,被巡察单位,巡察组,巡察类型,进驻时间,结束时间,序号,问题类别,反馈问题\n"
        "NOPE,县委第九巡察组巡察县文旅局党组,县文旅局党组,县委第九巡察组,常规,2020-01-01,2020-01-10,1,政治站位方面,学习不深入\n",
        encoding="utf-8",
    )
    result = hostile("reconcile", "list.csv", "--inspection", "NOPE", expect=None)
    assert "unknown inspection" in result.stderr, (result.stdout, result.stderr)
    assert result.exit_code == 1


def test_a_garbled_admin_fingerprint_is_exit_2_like_a_garbled_fingerprint(hostile: Ledger) -> None:
    one_line(hostile("audit", "--verify", "--fingerprint", "zz", expect=None), 2, "zz")
    one_line(hostile("audit", "--verify", "--admin-fingerprint", "zz", expect=None), 2, "zz")
