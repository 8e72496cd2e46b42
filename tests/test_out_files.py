"""One rule for every `--out` (issue 24, item 4).

No command writes over the store, its journal/WAL/SHM, the kept evidence or a
key, by name, through a symlink or a hard link; an existing file is replaced
only with `--force`; the file is written beside its final name and renamed,
so a failure leaves nothing half-written.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from conftest import Ledger

SETUP = [
    ["add-inspection", "XC1", "--name", "县委第一巡察组巡察县交通运输局党组", "--organisation", "县交通运输局党组",
     "--group", "县委第一巡察组", "--kind", "regular", "--start", "2020-01-01", "--end", "2020-01-10",
     "--feedback", "2020-01-15", "--at", "2020-01-15"],
    ["add-problem", "--inspection", "XC1", "--category", "政治站位方面", "--title", "关于“学习不深入”的问题", "--at", "2020-01-16"],
    ["assign", "XC1-1", "--lead", "杨荣", "--unit", "办公室", "--person", "王琎", "--at", "2020-01-17"],
]


def fingerprints(folder: Path) -> dict[str, str]:
    """Every file under the folder (the store, its evidence, keys, ledger.yaml) by content."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.fixture(scope="module")
def kept(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ledger with a signing key, two checkpoints and one kept evidence file."""
    folder = tmp_path_factory.mktemp("out-files")
    old = Path.cwd()
    os.chdir(folder)
    try:
        ledger = Ledger(folder)
        ledger("init")
        for args in SETUP:
            ledger(*args)
        (folder / "方案.txt").write_text("整改方案\n", encoding="utf-8")
        ledger("plan", "XC1-1", "制定学习计划", "--at", "2020-01-17")
        ledger("progress", "XC1-1", "已学习", "--attach", "方案.txt", "--at", "2020-01-18")
        (folder / "方案.txt").unlink()
        ledger("keygen")
        ledger("checkpoint", "--out", "cp1.txt")
        ledger("progress", "XC1-1", "已学习", "--at", "2020-01-20")
        ledger("checkpoint", "--out", "cp2.txt")
    finally:
        os.chdir(old)
    return folder


@pytest.fixture
def folder(kept: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import shutil

    copy = tmp_path / "ledger"
    shutil.copytree(kept, copy, symlinks=True)
    monkeypatch.chdir(copy)
    monkeypatch.delenv("LEDGER_STORE", raising=False)
    return copy


def evidence_digest(folder: Path) -> str:
    return next(p.name for p in (folder / "ledger.db.evidence").iterdir())


# Every command that writes a file named by --out; OUT is replaced by the target.
WRITERS = [
    ["export", "--out", "OUT"],
    ["export", "--inspection", "XC1", "--out", "OUT"],
    ["evidence", "get", "DIGEST", "--out", "OUT"],
    ["status", "--out", "OUT"],
    ["summary", "--out", "OUT"],
    ["history", "XC1-1", "--out", "OUT"],
    ["due", "--out", "OUT"],
    ["publish", "--inspection", "XC1", "--no-sign", "--out", "OUT"],
    ["publish", "--inspection", "XC1", "--out", "OUT"],
    ["keygen", "--cipher", "--out", "OUT"],
    ["prove-consistency", "--from", "cp1.txt", "--to", "cp2.txt", "--out", "OUT"],
    ["verify-consistency", "proof.json", "--from", "cp1.txt", "--to", "cp2.txt", "--out", "OUT"],
    ["checkpoint", "--out", "OUT"],
    ["person", "keygen", "张三", "--out", "OUT"],
]

TARGETS = ["ledger.db", "ledger.db-wal", "ledger.db-journal", "ledger-signing.key", "ledger-signing.key.pub", "EVIDENCE", "ledger.yaml"]


def _args(command: list[str], target: str, folder: Path) -> list[str]:
    digest = evidence_digest(folder)
    target = target.replace("EVIDENCE", f"ledger.db.evidence/{digest}")
    return [a.replace("OUT", target).replace("DIGEST", digest) for a in command]


def _refused(ledger: Ledger, folder: Path, args: list[str]) -> None:
    before = fingerprints(folder)
    names = sorted(p.name for p in folder.iterdir())
    result = ledger(*args, expect=None)
    assert result.exit_code == 2, (args, result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert fingerprints(folder) == before, args
    assert sorted(p.name for p in folder.iterdir()) == names, "a temporary file was left behind"


@pytest.mark.parametrize("command", WRITERS, ids=[" ".join(c[:2]) for c in WRITERS])
@pytest.mark.parametrize("target", TARGETS)
def test_no_out_writes_over_the_store_its_evidence_or_a_key(folder: Path, command: list[str], target: str) -> None:
    if command[0] == "verify-consistency":
        Ledger(folder)("prove-consistency", "--from", "cp1.txt", "--to", "cp2.txt", "--out", "proof.json")
    ledger = Ledger(folder)
    _refused(ledger, folder, _args(command, target, folder))
    with_force = _args(command, target, folder)
    if command[0] != "person":  # keys are never overwritten, --force or not
        with_force.append("--force")
    _refused(ledger, folder, with_force)


@pytest.mark.parametrize("command", WRITERS + [["sheet", "--inspection", "XC1", "--out", "OUT"]], ids=[" ".join(c[:2]) for c in WRITERS] + ["sheet"])
def test_no_out_writes_through_a_symlink_or_hard_link_to_the_store(folder: Path, command: list[str]) -> None:
    ledger = Ledger(folder)
    if command[0] == "verify-consistency":
        ledger("prove-consistency", "--from", "cp1.txt", "--to", "cp2.txt", "--out", "proof.json")
    suffix = ".xlsx" if command[0] == "sheet" else ".txt"
    (folder / f"link{suffix}").symlink_to(folder / "ledger.db")
    os.link(folder / "ledger.db", folder / f"hard{suffix}")
    for name in (f"link{suffix}", f"hard{suffix}"):
        args = _args(command, name, folder)
        _refused(ledger, folder, args)
        if command[0] != "person":
            _refused(ledger, folder, args + ["--force"])


def test_an_existing_file_is_replaced_only_with_force(folder: Path) -> None:
    ledger = Ledger(folder)
    report = folder / "report.md"
    report.write_text("kept\n", encoding="utf-8")
    _refused(ledger, folder, ["publish", "--inspection", "XC1", "--no-sign", "--out", "report.md"])
    assert report.read_text(encoding="utf-8") == "kept\n"
    ledger("publish", "--inspection", "XC1", "--no-sign", "--out", "report.md", "--force")
    assert "XC1" in report.read_text(encoding="utf-8") or "巡察" in report.read_text(encoding="utf-8")
    table = folder / "status.csv"
    table.write_text("kept\n", encoding="utf-8")
    _refused(ledger, folder, ["status", "--format", "csv", "--out", "status.csv"])
    ledger("status", "--format", "csv", "--out", "status.csv", "--force")
    assert "XC1-1" in table.read_text(encoding="utf-8-sig")


def test_a_failed_write_leaves_neither_a_half_file_nor_a_temporary_one(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The workbook writer fails half-way: the old file stays as it was, no temporary file is left."""
    import projections.workbook as workbook

    ledger = Ledger(folder)
    old = folder / "status.xlsx"
    old.write_bytes(b"the earlier workbook")

    def failing_save(book: object, path: object, option: str = "--out") -> None:
        Path(str(path)).write_bytes(b"PK half")
        raise workbook.InvalidInput("--out: cannot write status.xlsx: No space left on device")

    monkeypatch.setattr(workbook, "save", failing_save)
    names = sorted(p.name for p in folder.iterdir())
    result = ledger("status", "--format", "xlsx", "--out", "status.xlsx", "--force", expect=2)
    assert "No space left" in result.stderr
    assert old.read_bytes() == b"the earlier workbook"
    assert sorted(p.name for p in folder.iterdir()) == names


def test_out_keeps_the_users_file_mode(folder: Path) -> None:
    """The temporary file is private while written; the report ends with the mode any new file gets."""
    Ledger(folder)("summary", "--out", "summary.md")
    mask = os.umask(0)
    os.umask(mask)
    assert (folder / "summary.md").stat().st_mode & 0o777 == 0o666 & ~mask


@pytest.mark.parametrize("store_kind", ["postgresql"])
def test_on_postgresql_the_key_and_ledger_yaml_are_kept_too(ledger: Ledger) -> None:
    for args in SETUP:
        ledger(*args)
    ledger("keygen")
    (ledger.folder / "key-link.md").symlink_to(ledger.folder / "ledger-signing.key")
    for target in ("ledger-signing.key", "ledger.yaml", "key-link.md"):
        for force in ([], ["--force"]):
            _refused(ledger, ledger.folder, ["status", "--out", target, *force])
            _refused(ledger, ledger.folder, ["publish", "--inspection", "XC1", "--no-sign", "--out", target, *force])


@pytest.mark.parametrize("inside", ["ledger.db.evidence/copy", "ledger.db.evidence", "KEYS/copy"])
def test_export_evidence_never_writes_into_the_kept_evidence_or_the_keys(folder: Path, inside: str) -> None:
    """`export --evidence DIR` writes files into DIR: the same rule as every --out holds for it."""
    from ledger.identity import config_dir

    target = inside.replace("KEYS", str(config_dir() / "keys"))
    keys_before = fingerprints(config_dir()) if config_dir().is_dir() else {}
    _refused(Ledger(folder), folder, ["export", "--out", "copy.json", "--evidence", target])
    assert not Path(target).exists() or (folder / target).resolve() == (folder / "ledger.db.evidence").resolve()
    assert (fingerprints(config_dir()) if config_dir().is_dir() else {}) == keys_before
