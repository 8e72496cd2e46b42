"""Shared fixtures: a fresh ledger folder on a real SQLite file, and a CLI runner."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from commands.cli import cli

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "seeds"


class Ledger:
    """Runs `ledger` commands in one folder through click's CliRunner."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.runner = CliRunner()

    def __call__(self, *args: Any, actor: str = "clerk", expect: int | None = 0, input: str | None = None) -> Any:
        argv = [str(a) for a in args]
        env = {"LEDGER_ACTOR": actor, "LEDGER_CONFIG": str(self.folder / "ledger.yaml"), "LEDGER_STORE": None}
        result = self.runner.invoke(cli, argv, env=env, input=input, catch_exceptions=False)
        if expect is not None:
            assert result.exit_code == expect, (
                f"ledger {' '.join(argv)} exited {result.exit_code}, wanted {expect}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}"
            )
        return result

    def json(self, *args: Any, actor: str = "clerk") -> Any:
        return json.loads(self(*args, "--format", "json", actor=actor).stdout)

    def out(self, *args: Any, actor: str = "clerk") -> str:
        return self(*args, actor=actor).stdout.strip()


@pytest.fixture
def ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Ledger:
    """An initialised, empty ledger in its own folder (the working directory)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LEDGER_STORE", raising=False)
    monkeypatch.delenv("LEDGER_CONFIG", raising=False)
    instance = Ledger(tmp_path)
    instance("init")
    return instance


INSPECTION = [
    "add-inspection", "XC2019-1",
    "--name", "县委第一巡察组巡察县交通运输局党组",
    "--organisation", "县交通运输局党组",
    "--group", "县委第一巡察组",
    "--kind", "regular",
    "--start", "2019-10-28", "--end", "2019-11-18", "--feedback", "2020-01-14",
    "--at", "2020-01-14",
]


@pytest.fixture
def inspected(ledger: Ledger) -> Ledger:
    """A ledger holding inspection XC2019-1 (seeds/004)."""
    ledger(*INSPECTION)
    return ledger


def ledger_executable() -> str:
    """The installed `ledger` console script of this interpreter's environment."""
    candidate = Path(sys.executable).parent / "ledger"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("ledger")
    assert found, "the `ledger` executable is not installed (pip install -e .)"
    return found


def run_executable(*args: Any, cwd: Path, actor: str = "clerk", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    full_env["LEDGER_ACTOR"] = actor
    full_env.update(env or {})
    return subprocess.run(
        [ledger_executable(), *[str(a) for a in args]],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
