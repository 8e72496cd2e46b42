"""`ledger init` on a file that is not a ledger: refused in one line, the file left exactly as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from conftest import run_executable


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path


def test_init_refuses_a_file_that_is_not_a_sqlite_database(folder: Path) -> None:
    store = folder / "ledger.db"
    store.write_text("整改台账 2020（草稿）\n", encoding="utf-8")
    before = store.read_bytes()
    done = run_executable("init", cwd=folder)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "is not a SQLite database: not touching it" in done.stderr, done.stderr
    assert store.read_bytes() == before


def test_init_refuses_a_sqlite_database_of_something_else(folder: Path) -> None:
    store = folder / "ledger.db"
    con = sqlite3.connect(store)
    con.execute("CREATE TABLE 会议记录 (日期 TEXT, 内容 TEXT)")
    con.execute("INSERT INTO 会议记录 VALUES ('2020-01-14', '巡察反馈会')")
    con.commit()
    con.close()
    before = store.read_bytes()
    done = run_executable("init", cwd=folder)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "is a SQLite database of something else: not touching it" in done.stderr, done.stderr
    assert store.read_bytes() == before


def test_init_makes_a_ledger_in_an_empty_file(folder: Path) -> None:
    store = folder / "ledger.db"
    store.touch()
    assert run_executable("init", cwd=folder).returncode == 0
    assert run_executable("audit", "--verify", cwd=folder).returncode == 0
