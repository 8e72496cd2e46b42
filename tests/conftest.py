"""Shared fixtures: a fresh ledger folder on a real store, and a CLI runner.

The `ledger` fixture (and so `inspected`) runs every test twice: on a SQLite
file and on a fresh database of a throw-away PostgreSQL server
(tests/pgserver.py). A test that reads or damages the SQLite file itself is
marked `@pytest.mark.sqlite_only`.
"""

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

pytest_plugins = ["pgserver"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "language: runs with the user's language settings (no LEDGER_LANG=en)")


@pytest.fixture(autouse=True)
def english_on_screen(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests assert English messages: LEDGER_LANG=en in os.environ, so subprocesses inherit it too.

    Tests marked `language` start without it and choose the language themselves.
    """
    if request.node.get_closest_marker("language"):
        monkeypatch.delenv("LEDGER_LANG", raising=False)
    else:
        monkeypatch.setenv("LEDGER_LANG", "en")
    # The last command run in this process (CliRunner) is remembered with its --lang: a test calling the CLI's
    # functions directly must not read in the language an earlier test's command chose.
    i18n = sys.modules.get("commands.i18n")
    if i18n is not None:
        monkeypatch.setattr(i18n, "_remembered", None)
        i18n._resolved.clear()

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "seeds"


class Ledger:
    """Runs `ledger` commands in one folder through click's CliRunner."""

    def __init__(self, folder: Path, store: str | None = None):
        self.folder = folder
        self.runner = CliRunner()
        # None: the SQLite file ledger.yaml names; else a postgresql:// URL.
        self.store = store
        self.kind = "postgresql" if store else "sqlite"

    @property
    def env(self) -> dict[str, str]:
        """LEDGER_* variables for running the installed executable on this ledger."""
        env = {"LEDGER_CONFIG": str(self.folder / "ledger.yaml")}
        if self.store:
            env["LEDGER_STORE"] = self.store
        return env

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows of a `?`-placeholder query, straight from the store (either kind)."""
        if self.store is None:
            import sqlite3

            con = sqlite3.connect(self.folder / "ledger.db")
            try:
                return [tuple(r) for r in con.execute(sql, params).fetchall()]
            finally:
                con.close()
        import psycopg

        from ledger.store import parse_pg_url

        with psycopg.connect(**parse_pg_url(self.store).conninfo()) as con:
            cursor = con.execute(sql.replace("%", "%%").replace("?", "%s"), params)
            return [tuple(r) for r in cursor.fetchall()] if cursor.description else []

    def execute(self, *statements: str) -> None:
        """Run statements on the store itself and commit them (a plain SQL client, not the ledger)."""
        if self.store is None:
            import sqlite3

            con = sqlite3.connect(self.folder / "ledger.db")
            try:
                for statement in statements:
                    con.execute(statement)
                con.commit()
            finally:
                con.close()
        else:
            for statement in statements:
                self.query(statement)

    def __call__(self, *args: Any, actor: str = "clerk", expect: int | None = 0, input: str | None = None) -> Any:
        argv = [str(a) for a in args]
        env = {"LEDGER_ACTOR": actor, "LEDGER_CONFIG": str(self.folder / "ledger.yaml"), "LEDGER_STORE": self.store}
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


STORES = ["sqlite", "postgresql"]


@pytest.fixture(autouse=True)
def _private_config_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keys go under a throw-away config folder, never the real home."""
    home = tmp_path_factory.mktemp("config-home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    for name in ("LEDGER_KEY", "LEDGER_KEY_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(params=STORES)
def store_kind(request: pytest.FixtureRequest) -> str:
    """Which store a test runs on: every store-level test runs on both."""
    if request.param == "postgresql" and request.node.get_closest_marker("sqlite_only"):
        pytest.skip("reads or damages the SQLite file itself")
    return str(request.param)


@pytest.fixture
def ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest, store_kind: str) -> Ledger:
    """An initialised, empty ledger in its own folder (the working directory), on each store."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LEDGER_STORE", raising=False)
    monkeypatch.delenv("LEDGER_CONFIG", raising=False)
    store = request.getfixturevalue("pg_database") if store_kind == "postgresql" else None
    instance = Ledger(tmp_path, store)
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
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_") or k == "LEDGER_LANG"}
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


def configure(folder: Path, text: str) -> None:
    """Add settings to ledger.yaml; a top-level section given in `text` replaces the file's own.

    (ledger.yaml refuses a key given twice, so appending a second `publication:` is an error.)
    """
    import re

    path = Path(folder) / "ledger.yaml"
    current = path.read_text(encoding="utf-8")
    for key in re.findall(r"^([A-Za-z_]+):", text, flags=re.MULTILINE):
        current = re.sub(rf"^{key}:.*\n(?:(?:[ #].*)?\n)*", "", current, flags=re.MULTILINE)
    path.write_text(current.rstrip("\n") + "\n" + text.lstrip("\n"), encoding="utf-8")
