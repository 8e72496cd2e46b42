"""Issue 31: one trust rule for every signed thing a verifier reads, and the points docs/tamper-evidence.md left silent.

The trust rule: a checkpoint block (given, kept, embedded in an inspection export, either side of a consistency
proof) and an export's signed end line count only when signed by a trusted key: the ledger's `.pub`, `--public-key`,
or a key whose fingerprint is pinned with `--fingerprint`. Validly signed by any other key: exit 4.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import INSPECTION, run_executable

# These run the installed `ledger` in a folder without ledger.yaml: an auditor's machine.


def run(folder: Path, *args: object, expect: int = 0) -> str:
    done = run_executable(*args, cwd=folder, env={"HOME": str(folder), "XDG_CONFIG_HOME": str(folder), "LEDGER_LANG": "en"})
    assert done.returncode == expect, (args, done.stdout, done.stderr)
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("ledger")
    (folder / "ledger.yaml").write_text("hash: sha256\n", encoding="utf-8")
    run(folder, "init")
    run(folder, *INSPECTION)
    for title in ("思想认识不深刻", "整改台账不完整"):
        run(folder, "add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", title, "--at", "2020-01-15")
    run(folder, "keygen")
    run(folder, "checkpoint", "--out", "may.checkpoint")
    run(folder, "add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", "later", "--at", "2020-01-16")
    run(folder, "checkpoint", "--out", "june.checkpoint")
    run(folder, "prove-consistency", "--from", "may.checkpoint", "--to", "june.checkpoint", "--out", "p.json")
    run(folder, "export", "--out", "log.jsonl")
    run(folder, "export", "--out", "tail.jsonl", "--since", "4")
    run(folder, "export", "--out", "late.jsonl", "--since", "6")  # after may.checkpoint's events (up to 4) and its own event (5)
    run(folder, "export", "--inspection", "XC2019-1", "--out", "xc.jsonl")
    away = tmp_path_factory.mktemp("auditor")  # no ledger.yaml, no .pub: only what is handed over
    for name in ("may.checkpoint", "june.checkpoint", "p.json", "log.jsonl", "tail.jsonl", "late.jsonl", "xc.jsonl", "ledger-signing.key.pub"):
        (away / name).write_bytes((folder / name).read_bytes())
    block = (folder / "may.checkpoint").read_text(encoding="utf-8")
    printed = next(line.split(": ", 1)[1] for line in block.splitlines() if line.startswith("fingerprint: "))
    return {"folder": folder, "away": away, "fingerprint": printed}


OTHER = "0123 4567 89ab cdef 0123 4567 89ab cdef 0123 4567"


def test_verify_consistency_takes_a_pinned_fingerprint(made):
    away, printed = made["away"], made["fingerprint"]
    proof = ("p.json", "--from", "may.checkpoint", "--to", "june.checkpoint")
    assert "key not trusted" in run(away, "verify-consistency", *proof, expect=4)
    assert "consistency verified" in run(away, "verify-consistency", *proof, "--fingerprint", printed)
    assert "consistency verified" in run(away, "verify-consistency", *proof, "--fingerprint", printed.replace(" ", "").upper())
    assert "not by a key whose fingerprint was given" in run(away, "verify-consistency", *proof, "--fingerprint", OTHER, expect=4)
    assert "not a key fingerprint" in run(away, "verify-consistency", *proof, "--fingerprint", "zz", expect=2)


def test_summary_from_export_takes_a_pinned_fingerprint(made):
    away, printed = made["away"], made["fingerprint"]
    assert "key not trusted" in run(away, "summary", "--from-export", "xc.jsonl", expect=4)
    assert json.loads(run(away, "summary", "--from-export", "xc.jsonl", "--fingerprint", printed, "--format", "json"))["rows"][0]["problems"] == 3
    run(away, "summary", "--from-export", "xc.jsonl", "--fingerprint", OTHER, expect=4)


def test_an_export_signed_by_an_untrusted_key_is_refused_like_a_block(made):
    """Before: exit 0 with a note, while a block by an untrusted key was exit 4."""
    away, printed = made["away"], made["fingerprint"]
    assert "key not trusted" in run(away, "verify-export", "log.jsonl", expect=4)
    assert "signed by the trusted key" in run(away, "verify-export", "log.jsonl", "--fingerprint", printed)
    assert "signed by the trusted key" in run(away, "verify-export", "log.jsonl", "--public-key", "ledger-signing.key.pub")
    # Unsigned: nothing claims an author, so nothing to trust; only a trusted checkpoint vouches for it.
    lines = (away / "log.jsonl").read_text(encoding="utf-8").split("\n")
    end = json.loads(lines[-2])
    unsigned = {k: v for k, v in end.items() if k not in ("public_key", "signature")}
    (away / "unsigned.jsonl").write_text("\n".join([*lines[:-2], json.dumps(unsigned, separators=(",", ":")), ""]), encoding="utf-8")
    assert "not signed" in run(away, "verify-export", "unsigned.jsonl")
    assert "signature valid, by the key with the pinned fingerprint" in run(away, "verify-export", "unsigned.jsonl", "--checkpoint", "may.checkpoint", "--fingerprint", printed)


@pytest.mark.parametrize("respell", ["spaces", "escapes"])
def test_a_full_export_line_in_another_spelling_is_refused(made, respell):
    """One rule for both kinds of export: each line exactly as written (no spaces, non-ASCII as itself). Before: exit 0."""
    away, printed = made["away"], made["fingerprint"]
    lines = (away / "log.jsonl").read_text(encoding="utf-8").split("\n")
    n = next(i for i, line in enumerate(lines) if "思想认识不深刻" in line)
    parsed = json.loads(lines[n])
    lines[n] = json.dumps(parsed) if respell == "spaces" else json.dumps(parsed, separators=(",", ":"))  # ensure_ascii: \u escapes
    assert json.loads(lines[n]) == parsed  # the same values, only spelled otherwise
    (away / f"{respell}.jsonl").write_text("\n".join(lines), encoding="utf-8")
    assert f"line {n + 1} of" in run(away, "verify-export", f"{respell}.jsonl", "--fingerprint", printed, expect=4)


def test_the_exit_codes_the_document_gives(made):
    away, printed = made["away"], made["fingerprint"]
    assert "does not hold the founding event" in run(away, "verify-export", "tail.jsonl", "--fingerprint", printed, "--admin-fingerprint", printed, expect=2)
    # may.checkpoint covers events up to 4 (founding, inspection, two problems); tail.jsonl starts after 3.
    run(away, "verify-export", "tail.jsonl", "--fingerprint", printed, "--checkpoint", "may.checkpoint")
    assert "before this partial export begins" in run(away, "verify-export", "late.jsonl", "--fingerprint", printed, "--checkpoint", "may.checkpoint", expect=2)
    run(away, "verify-export", "late.jsonl", "--fingerprint", printed, "--checkpoint", "june.checkpoint")
    for bad in ("zz", "0123"):
        assert "not a key fingerprint" in run(away, "verify-export", "log.jsonl", "--fingerprint", bad, expect=2)
    assert "--public-key" in run(away, "verify-export", "log.jsonl", "--public-key", "ed25519 AAAA", expect=2)
