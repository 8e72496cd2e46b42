"""The verifier written only from docs/tamper-evidence.md agrees with the real `ledger` executable:
its consistency proofs and inspection exports verify, and altered copies do not."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

import independent_merkle as ind
from conftest import INSPECTION, run_executable


def ledger_run(folder: Path, *args, expect: int = 0) -> str:
    result = run_executable(*args, cwd=folder, env={"HOME": str(folder), "XDG_CONFIG_HOME": str(folder), "LEDGER_LANG": "en"})
    assert result.returncode == expect, (args, result.stdout, result.stderr)
    return result.stdout


@pytest.fixture(params=["sha256", "sm3"])
def made(tmp_path, request):
    folder = tmp_path / "office"
    folder.mkdir()
    (folder / "ledger.yaml").write_text(f"hash: {request.param}\n", encoding="utf-8")
    ledger_run(folder, "init")
    ledger_run(folder, "keygen")
    ledger_run(folder, *INSPECTION)
    for i in range(3):
        ledger_run(folder, "add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", f"问题{i}", "--at", "2020-01-15")
    (folder / "may.txt").write_text("报告\n\n" + ledger_run(folder, "checkpoint"), encoding="utf-8")
    ledger_run(folder, "add-inspection", "XC2020-9", "--name", "n", "--organisation", "o", "--group", "g", "--kind", "regular", "--start", "2020-01-01", "--end", "2020-01-20", "--feedback", "2020-02-01", "--at", "2020-02-01")
    for i in range(4):
        ledger_run(folder, "add-problem", "--inspection", "XC2020-9" if i % 2 else "XC2019-1", "--category", "c", "--title", f"后{i}", "--at", "2020-02-02")
    (folder / "june.txt").write_text(ledger_run(folder, "checkpoint"), encoding="utf-8")
    ledger_run(folder, "prove-consistency", "--from", "may.txt", "--to", "june.txt", "--out", "proof.json")
    ledger_run(folder, "export", "--inspection", "XC2019-1", "--out", "xc.jsonl")
    key = base64.b64decode((folder / "ledger-signing.key.pub").read_text(encoding="ascii").split()[-1])
    return folder, key


def test_independent_verifier_accepts_what_ledger_wrote(made):
    folder, key = made
    read = lambda name: (folder / name).read_text(encoding="utf-8")  # noqa: E731
    assert ind.verify_consistency_file((folder / "proof.json").read_bytes(), read("may.txt"), read("june.txt"), key)
    result = ind.verify_inspection_export((folder / "xc.jsonl").read_bytes(), key)
    titles = [json.loads(e["state"]).get("title") for e in result["events"] if "state" in e]
    assert "问题0" in titles and "后0" in titles and "后1" not in titles  # XC2020-9's problem is not there


def test_independent_verifier_refuses_altered_files(made):
    folder, key = made
    read = lambda name: (folder / name).read_text(encoding="utf-8")  # noqa: E731
    proof = (folder / "proof.json").read_bytes()
    # Every single byte of the proof, changed: refused by both verifiers.
    for at in range(0, len(proof), 7):
        changed = proof[:at] + bytes([proof[at] ^ 0x01]) + proof[at + 1 :]
        with pytest.raises((ind.Refused, UnicodeDecodeError)):
            ind.verify_consistency_file(changed, read("may.txt"), read("june.txt"), key)
    with pytest.raises(ind.Refused):
        ind.verify_consistency_file(proof, read("june.txt"), read("may.txt"), key)
    june = read("june.txt")
    root = june.split("tree-root: ")[1][:64]
    with pytest.raises(ind.Refused):
        ind.verify_consistency_file(proof, read("may.txt"), june.replace(root, root[:-1] + ("0" if root[-1] != "0" else "1")), key)
    export = (folder / "xc.jsonl").read_bytes()
    for at in range(0, len(export), 13):
        changed = export[:at] + bytes([export[at] ^ 0x01]) + export[at + 1 :]
        with pytest.raises((ind.Refused, UnicodeDecodeError, ValueError, KeyError, TypeError)):
            ind.verify_inspection_export(changed, key)
    # … and the executable agrees (a spread of positions: every start-up costs a second).
    for at in range(5, len(export), len(export) // 8):
        (folder / "bad.jsonl").write_bytes(export[:at] + bytes([export[at] ^ 0x01]) + export[at + 1 :])
        assert ledger_run(folder, "verify-export", "bad.jsonl", expect=4) == ""
