"""The independent verifier (written from docs/tamper-evidence.md alone) agrees with `ledger` on its real output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import independent_verifier as iv
from tests.conftest import INSPECTION, run_executable


def run(folder: Path, *args: object) -> str:
    done = run_executable(*args, cwd=folder, env={"HOME": str(folder), "XDG_CONFIG_HOME": str(folder)})
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(params=["sha256", "sm3"])
def made(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    (tmp_path / "ledger.yaml").write_text(f"hash: {request.param}\n", encoding="utf-8")
    run(tmp_path, "init")
    run(tmp_path, *INSPECTION)
    for title in ("思想认识不深刻", "second \u2028 line", "third"):
        run(tmp_path, "add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", title, "--at", "2020-01-15")
    run(tmp_path, "keygen")
    run(tmp_path, "checkpoint", "--out", "may.checkpoint")
    run(tmp_path, "assign", "XC2019-1-1", "--lead", "王", "--unit", "办公室", "--person", "李", "--at", "2020-01-16")
    run(tmp_path, "export", "--out", "log.jsonl")
    run(tmp_path, "export", "--out", "tail.jsonl", "--since", "3")
    return tmp_path


def trusted(folder: Path) -> bytes:
    return iv.ed25519_key((folder / "ledger-signing.key.pub").read_text(encoding="ascii").strip())


def test_independent_verifier_accepts_what_ledger_writes(made):
    head = json.loads(run(made, "audit", "--verify", "--format", "json"))
    verified = iv.verify_export((made / "log.jsonl").read_bytes(), trusted_key=trusted(made))
    assert verified["head_digest"] == head["head_digest"] and verified["head_seq"] == head["head_seq"]
    assert verified["signed_by"] == trusted(made)
    (block,) = iv.parse_blocks((made / "may.checkpoint").read_text(encoding="utf-8"))
    iv.verify_block(block, trusted_key=trusted(made))
    iv.verify_block(block, fingerprint=block["fingerprint"])
    iv.export_holds(verified, block)
    tail = iv.verify_export((made / "tail.jsonl").read_bytes())
    assert tail["header"]["base_seq"] == 2 and tail["head_digest"] == head["head_digest"]
    iv.export_holds(tail, block)
    with pytest.raises(iv.Refused, match="key not trusted"):
        iv.verify_block(block)


def test_independent_verifier_and_ledger_both_refuse_tampering(made):
    data = (made / "log.jsonl").read_bytes()
    lines = data.split(b"\n")
    forged = [
        data.replace("思想认识不深刻".encode(), "思想认识很深刻".encode(), 1),
        data.replace(lines[0], lines[0].replace(b'"since":0', b'"since":1'), 1),
        data.replace(b'"originator_version":1,', b'"originator_version":"1",', 1),
        data.replace(b"\n", b"\r\n"),
        b"\n".join(lines[:2] + lines[3:]),
    ]
    for n, bad in enumerate(forged):
        with pytest.raises((iv.Refused, ValueError, KeyError)):
            iv.verify_export(bad, trusted_key=trusted(made))
        path = made / f"forged{n}.jsonl"
        path.write_bytes(bad)
        done = run_executable("verify-export", path, cwd=made, env={"HOME": str(made)})
        assert done.returncode == 4, (n, done.stdout, done.stderr)
