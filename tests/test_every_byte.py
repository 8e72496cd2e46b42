"""Done-when of issue 10: consistency and inclusion proofs verify without the store and fail when
ANY byte of the proof, a checkpoint or the scoped export is changed: every byte, each flipped one bit.

In-process (the functions `verify-consistency` and `verify-export` run), so that every byte can be
tried; tests/test_merkle.py and tests/test_independent_merkle.py run the executable on a sample.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from ledger.errors import TamperingFound
from ledger.proofs import check_consistency, check_signatures, read_checkpoint, read_consistency_proof, verified_inspection_export

pytestmark = pytest.mark.sqlite_only  # the files are the same whichever store wrote them


def add(ledger, n: int, prefix: str, inspection: str = "XC2019-1") -> None:
    for i in range(n):
        ledger("add-problem", "--inspection", inspection, "--category", "政治站位方面", "--title", f"{prefix}{i}", "--at", "2020-01-15")


@pytest.fixture
def files(inspected):
    add(inspected, 2, "p")
    inspected("keygen")
    (inspected.folder / "may.txt").write_text(inspected.out("checkpoint") + "\n", encoding="utf-8")
    inspected("add-inspection", "XC2020-9", "--name", "n", "--organisation", "o", "--group", "g", "--kind", "regular",
              "--start", "2020-01-01", "--end", "2020-01-20", "--feedback", "2020-02-01", "--at", "2020-02-01")
    add(inspected, 3, "q", "XC2020-9")
    (inspected.folder / "june.txt").write_text(inspected.out("checkpoint") + "\n", encoding="utf-8")
    inspected("prove-consistency", "--from", "may.txt", "--to", "june.txt", "--out", "proof.json")
    inspected("export", "--inspection", "XC2019-1", "--out", "xc.jsonl")
    key = base64.b64decode((inspected.folder / "ledger-signing.key.pub").read_text(encoding="ascii").split()[-1])
    return inspected.folder, key


def consistency(folder: Path, key: bytes, proof: bytes, old: bytes, new: bytes) -> None:
    for name, data in (("p.json", proof), ("old.txt", old), ("new.txt", new)):
        (folder / name).write_bytes(data)
    parsed = read_consistency_proof(folder / "p.json")
    old_cp, new_cp = read_checkpoint(str(folder / "old.txt"), "--from"), read_checkpoint(str(folder / "new.txt"), "--to")
    check_signatures([("--from", old_cp), ("--to", new_cp)], key)
    check_consistency(parsed, old_cp, new_cp, "p.json")


def flips(data: bytes):
    """Each byte with its lowest bit flipped, and each byte turned into a line break."""
    for at in range(len(data)):
        yield at, data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]
        if data[at] != 0x0A:
            yield at, data[:at] + b"\n" + data[at + 1 :]


def test_every_byte_of_a_consistency_proof_and_its_checkpoints(files, tmp_path):
    folder, key = files
    proof, old, new = ((folder / n).read_bytes() for n in ("proof.json", "may.txt", "june.txt"))
    consistency(tmp_path, key, proof, old, new)
    accepted = []
    for which in range(3):
        original = (proof, old, new)[which]
        for at, changed in flips(original.rstrip(b"\n")):  # the final line feed of a kept block is not part of it
            given = [proof, old, new]
            given[which] = changed + original[len(original.rstrip(b"\n")) :]
            try:
                consistency(tmp_path, key, *given)
            except TamperingFound:
                continue
            accepted.append((("proof", "old", "new")[which], at))
    assert accepted == []


def test_every_byte_of_a_scoped_export_and_its_checkpoint(files, tmp_path):
    folder, key = files
    export, block = (folder / "xc.jsonl").read_bytes(), (folder / "june.txt").read_text(encoding="utf-8")
    (tmp_path / "x.jsonl").write_bytes(export)
    verified_inspection_export(tmp_path / "x.jsonl", key, block)
    accepted = []
    for at, changed in flips(export):
        (tmp_path / "x.jsonl").write_bytes(changed)
        try:
            verified_inspection_export(tmp_path / "x.jsonl", key, block)
        except TamperingFound:
            continue
        accepted.append(("export", at))
    (tmp_path / "x.jsonl").write_bytes(export)
    text = block.rstrip("\n").encode("utf-8")
    for at, changed in flips(text):
        try:
            verified_inspection_export(tmp_path / "x.jsonl", key, changed.decode("utf-8", errors="replace"))
        except TamperingFound:
            continue
        accepted.append(("checkpoint", at))
    assert accepted == []


def test_a_damaged_block_given_as_text_is_not_a_traceback(files):
    folder, _ = files
    inspected_block = (folder / "june.txt").read_text(encoding="utf-8")
    damaged = "," + inspected_block[1:]  # its BEGIN line damaged: no longer a block, and no file name either (too long)
    from click.testing import CliRunner

    from commands.cli import cli

    for args in (["verify-export", str(folder / "xc.jsonl")], ["audit", "--verify"]):
        result = CliRunner().invoke(cli, [*args, "--checkpoint", damaged], env={"LEDGER_CONFIG": str(folder / "ledger.yaml")})
        assert result.exit_code in (2, 4), (result.exit_code, result.exception, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert "Traceback" not in result.output
