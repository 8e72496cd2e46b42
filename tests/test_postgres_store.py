"""What only the PostgreSQL store has: the authenticated login, server errors, migration onto it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from conftest import INSPECTION, Ledger, run_executable
from pgserver import STRICT_PASSWORD, STRICT_USER, PgServer, free_port

ADD = ["add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", "学习不深入", "--at", "2020-01-15"]


def one_line_error(result, *, code: int = 1) -> str:  # type: ignore[no-untyped-def]
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ledger: error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def folder_with_config(tmp_path: Path, store: str) -> Path:
    (tmp_path / "ledger.yaml").write_text(f"store: {store}\n", encoding="utf-8")
    return tmp_path


# -- the authenticated login -------------------------------------------------


def test_every_event_records_the_server_login_beside_the_claimed_actor(pg_server: PgServer, pg_database: str, tmp_path: Path) -> None:
    with pg_server.connect() as con:
        con.execute("CREATE ROLE office_a LOGIN")
        con.execute(f"GRANT ALL ON DATABASE {pg_database.rsplit('/', 1)[1]} TO office_a")
    led = Ledger(tmp_path, pg_database)
    led("init")
    with pg_server.connect(pg_database.rsplit("/", 1)[1]) as con:
        con.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO office_a")
        con.execute("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO office_a")
    led(*INSPECTION, actor="张三")
    as_a = Ledger(tmp_path, pg_server.url(pg_database.rsplit("/", 1)[1], user="office_a"))
    as_a(*ADD, actor="李四")
    rows = led.query("SELECT notification_id, login FROM stored_events ORDER BY notification_id")
    assert [login for _, login in rows] == ["postgres", "postgres", "office_a"]  # the founding event (init), then the acts
    # The claimed actor stays in the event; the login sits beside it.
    history = led.json("history", "XC2019-1-1")
    assert history[-1]["actor"] == "李四"


def test_a_client_cannot_forge_the_login(pg_server: PgServer, ledger: Ledger) -> None:
    if ledger.kind != "postgresql":
        pytest.skip("SQLite has no database logins")
    ledger(*INSPECTION)
    db = ledger.store.rsplit("/", 1)[1]  # type: ignore[union-attr]
    with pg_server.connect(db) as con:
        con.execute(
            "INSERT INTO stored_events (originator_id, originator_version, topic, state, login) "
            "VALUES (gen_random_uuid(), 1, 't', 'x', 'someone_else')"
        )
    assert {login for (login,) in ledger.query("SELECT login FROM stored_events")} == {"postgres"}


def test_actor_is_login_policy_refuses_acting_as_someone_else(ledger: Ledger) -> None:
    if ledger.kind != "postgresql":
        pytest.skip("the policy only applies where there is a database login")
    ledger(*INSPECTION, actor="postgres")
    config = ledger.folder / "ledger.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("actor_is_login: false", "actor_is_login: true"), encoding="utf-8")
    result = ledger(*ADD, actor="clerk", expect=1)
    assert "actor-is-login" in result.stderr and "postgres" in result.stderr
    assert ledger.query("SELECT COUNT(*) FROM stored_events") == [(2,)]  # the founding event and the inspection
    assert ledger.out(*ADD, actor="postgres") == "XC2019-1-1"


def open_app(ledger: Ledger) -> Any:
    """The ledger's application, opened as a command opens it (on the store the fixture chose)."""
    from composition import open_ledger
    from ledger.config import load_config

    os.environ["LEDGER_STORE"] = ledger.store or ""
    try:
        return open_ledger(load_config(ledger.folder / "ledger.yaml"))
    finally:
        del os.environ["LEDGER_STORE"]


def test_recorder_reports_logins_by_position(ledger: Ledger) -> None:
    ledger(*INSPECTION)
    app = open_app(ledger)
    try:
        logins = app.recorder.select_logins([1])
    finally:
        app.close()
    assert logins == ({1: "postgres"} if ledger.kind == "postgresql" else {})


# -- a server that cannot be used: one line, exit 1 ---------------------------


def test_server_down_is_one_clear_line(tmp_path: Path) -> None:
    folder = folder_with_config(tmp_path, f"postgresql://postgres@127.0.0.1:{free_port()}/ledger")
    line = one_line_error(run_executable("status", cwd=folder))
    assert "cannot use the PostgreSQL store" in line and "refused" in line.lower()


def test_refused_login_is_one_clear_line_without_the_password(pg_server: PgServer, pg_database: str, tmp_path: Path) -> None:
    Ledger(tmp_path, pg_database)("init")
    db = pg_database.rsplit("/", 1)[1]
    folder = folder_with_config(tmp_path, pg_server.url(db, user=STRICT_USER, password="wrong-password"))
    line = one_line_error(run_executable(*ADD, cwd=folder))
    assert "password authentication failed" in line
    assert "wrong-password" not in line
    # The right password gets in (and fails only on what the login may do).
    folder2 = tmp_path / "right"
    folder2.mkdir()
    folder_with_config(folder2, pg_server.url(db, user=STRICT_USER, password=STRICT_PASSWORD))
    result = run_executable("status", cwd=folder2)
    assert "password authentication failed" not in result.stderr


def test_unknown_login_and_missing_database(pg_server: PgServer, tmp_path: Path) -> None:
    folder = folder_with_config(tmp_path, pg_server.url("postgres", user="nobody_here"))
    assert "nobody_here" in one_line_error(run_executable("status", cwd=folder))
    folder_with_config(tmp_path, pg_server.url("no_such_db"))
    assert "no_such_db" in one_line_error(run_executable("status", cwd=tmp_path))


def test_uninitialised_database_asks_for_init(pg_server: PgServer, pg_database: str, tmp_path: Path) -> None:
    folder = folder_with_config(tmp_path, pg_database)
    assert "run `ledger init`" in one_line_error(run_executable("status", cwd=folder))


def test_bad_store_urls_are_config_errors(tmp_path: Path) -> None:
    folder = folder_with_config(tmp_path, "mysql://u@h/db")
    assert "not supported" in one_line_error(run_executable("status", cwd=folder), code=2)
    folder_with_config(tmp_path, "postgresql://u@h:99999999/db")
    one_line_error(run_executable("status", cwd=tmp_path), code=2)


# -- migrate ---------------------------------------------------------------------


@pytest.fixture
def sqlite_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Ledger:
    monkeypatch.chdir(tmp_path)
    led = Ledger(tmp_path)
    led("init")
    led(*INSPECTION)
    for n in range(1, 6):
        led("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", f"问题{n}", "--at", "2020-01-15")
    led("assign", "XC2019-1-2", "--lead", "王局长", "--unit", "办公室", "--person", "赵六", "--deadline", "2020-03-31", "--at", "2020-01-16")
    led("plan", "XC2019-1-2", "制定学习计划", "--at", "2020-01-17")
    led("done", "XC2019-1-2", "M1", "--evidence", "计划.pdf", "--rules", "2", "--at", "2020-02-01", actor="赵六")
    return led


def test_migrate_copies_everything_and_the_copy_works(sqlite_ledger: Ledger, pg_database: str) -> None:
    before = {cmd: sqlite_ledger.json(cmd) for cmd in ("status",)}
    history = sqlite_ledger.json("history", "XC2019-1-2")
    out = sqlite_ledger.json("migrate", "--to", pg_database)
    assert out["events"] == 10 and out["verified"] is True  # the founding event and 9 acts
    on_pg = Ledger(sqlite_ledger.folder, pg_database)
    assert on_pg.json("status") == before["status"]
    assert on_pg.json("history", "XC2019-1-2") == history
    meta = dict(on_pg.query("SELECT key, value FROM ledger_meta"))
    assert meta == dict(sqlite_ledger.query("SELECT key, value FROM ledger_meta"))
    # Positions continue after the copied ones; numbering continues too.
    assert on_pg.out("add-problem", "--inspection", "XC2019-1", "--category", "c", "--title", "t", "--at", "2020-02-02") == "XC2019-1-6"
    assert on_pg.query("SELECT MAX(notification_id) FROM stored_events") == [(11,)]
    # The chain, when this build has one, verifies on the copy.
    result = on_pg("audit", "--verify", expect=None)
    if "not available in this build" not in result.stderr:
        assert result.exit_code == 0, result.stderr


def test_migrate_refuses_a_store_that_holds_other_events(sqlite_ledger: Ledger, pg_database: str, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    on_pg = Ledger(other, pg_database)
    on_pg("init")
    on_pg(*INSPECTION, actor="someone")
    result = sqlite_ledger("migrate", "--to", pg_database, expect=1)
    assert "already holds 2 events of another ledger" in result.stderr  # its founding event and an act
    assert on_pg.query("SELECT COUNT(*) FROM stored_events") == [(2,)]


def test_migrating_again_only_verifies(sqlite_ledger: Ledger, pg_database: str) -> None:
    sqlite_ledger("migrate", "--to", pg_database)
    assert sqlite_ledger.json("migrate", "--to", pg_database)["verified"] is True
    assert Ledger(sqlite_ledger.folder, pg_database).query("SELECT COUNT(*) FROM stored_events") == [(10,)]


def test_migrate_into_an_initialised_empty_store(sqlite_ledger: Ledger, pg_database: str, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    Ledger(other, pg_database)("init")  # its own founding event only: replaced by the source's history
    assert sqlite_ledger.json("migrate", "--to", pg_database)["events"] == 10


def test_migrate_errors_are_one_line(sqlite_ledger: Ledger, pg_database: str, tmp_path: Path) -> None:
    assert "--to must be a postgresql" in sqlite_ledger("migrate", "--to", "elsewhere.db", expect=2).stderr
    result = run_executable("migrate", "--to", f"postgresql://postgres@127.0.0.1:{free_port()}/x", cwd=sqlite_ledger.folder)
    assert "refused" in one_line_error(result).lower()
    on_pg = Ledger(tmp_path, pg_database)
    assert "already" in on_pg("migrate", "--to", pg_database, expect=2).stderr


def test_migrate_json_record(sqlite_ledger: Ledger, pg_database: str) -> None:
    out = json.loads(sqlite_ledger("migrate", "--to", pg_database, "--format", "json").stdout)
    assert out["target"] == pg_database and out["rows"] >= 7


# -- one schema for both stores ------------------------------------------------------


def test_sqlite_ddl_is_translated_for_postgresql() -> None:
    from ledger.store import pg_ddl

    assert pg_ddl("CREATE TABLE t (seq INTEGER PRIMARY KEY AUTOINCREMENT, h BLOB NOT NULL, n integer, x REAL)") == (
        "CREATE TABLE t (seq BIGSERIAL PRIMARY KEY, h BYTEA NOT NULL, n BIGINT, x DOUBLE PRECISION)"
    )
    assert pg_ddl("CREATE INDEX IF NOT EXISTS i ON t (n)") == "CREATE INDEX IF NOT EXISTS i ON t (n)"


def test_rows_read_by_index_and_by_name_on_both_stores(ledger: Ledger) -> None:
    ledger(*INSPECTION)
    app = open_app(ledger)
    try:
        with app.recorder.reading() as c:
            c.execute(f"SELECT code, position FROM ledger_inspections WHERE code = {app.recorder.placeholder}", ("XC2019-1",))
            row = c.fetchone()
        assert row[0] == row["code"] == "XC2019-1" and row[1] == row["position"] == 1  # the first inspection
        from projections.replay import iter_events

        assert [p for p, _ in iter_events(app, ids=[__import__("ledger.domain").domain.inspection_uuid("XC2019-1")])] == [2]  # event 1 is the founding event
    finally:
        app.close()


# -- gaps in the sequence: a transaction rolled back after taking positions ----------


def test_gaps_left_by_rolled_back_writes_verify_round_trip_and_migrate(tmp_path: Path, pg_server: PgServer) -> None:
    """PostgreSQL does not give back sequence values of a rolled-back transaction: the positions of a
    correct ledger can have gaps, and nothing that checks or copies a ledger may take them for damage."""
    from eventsourcing.persistence import StoredEvent

    from consistency import open_app, read_models_equal_replay

    first = tmp_path / "on-server"
    first.mkdir()
    on_pg = Ledger(first, pg_server.url(pg_server.create_database()))
    on_pg("init")
    on_pg(*INSPECTION)
    on_pg("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", "学习不深入", "--at", "2020-01-15")
    on_pg("keygen")
    (first / "before.txt").write_text(on_pg.out("checkpoint") + "\n", encoding="utf-8")
    ((taken_id, taken_version, topic, state),) = on_pg.query(
        "SELECT originator_id, originator_version, topic, state FROM stored_events ORDER BY notification_id DESC LIMIT 1"
    )
    app = open_app(on_pg)
    try:
        # A write refused by the store (a version already taken: what a concurrent writer meets), and a
        # batch rolled back by its caller (a refused import): each had drawn positions before it ended.
        with pytest.raises(Exception):
            app.recorder.insert_events([StoredEvent(originator_id=taken_id, originator_version=taken_version, topic=topic, state=bytes(state))])
        with pytest.raises(RuntimeError), app.recorder.held_transaction():
            app.recorder.insert_events([StoredEvent(originator_id=taken_id, originator_version=taken_version + 1, topic=topic, state=bytes(state))] * 1)
            raise RuntimeError("refused after the events were inserted")
    finally:
        app.close()
    for n in range(2, 4):
        on_pg("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", f"问题{n}", "--at", "2020-01-16")
    (first / "after.txt").write_text(on_pg.out("checkpoint") + "\n", encoding="utf-8")
    positions = [p for (p,) in on_pg.query("SELECT notification_id FROM stored_events ORDER BY notification_id")]
    assert positions[-1] - positions[0] + 1 - len(positions) == 2, positions  # two positions lost, one per rolled-back write

    on_pg("audit", "--verify")
    on_pg("replay")
    # Checkpoints on either side of the gaps: the tree's size is the count of events, not the last position.
    on_pg("prove-consistency", "--from", first / "before.txt", "--to", first / "after.txt", "--out", first / "proof.json")
    on_pg("verify-consistency", first / "proof.json", "--from", first / "before.txt", "--to", first / "after.txt")
    exported = tmp_path / "log.jsonl"
    on_pg("export", "--out", exported)

    def log_of(export: Path) -> list[Any]:
        """An export's lines, its end line without the signature (the copies have no signing key)."""
        lines = [json.loads(line) for line in export.read_text(encoding="utf-8").splitlines()]
        for key in ("public_key", "signature"):
            lines[-1].pop(key, None)
        return lines

    def restored(folder: Path, store: str | None) -> Ledger:
        folder.mkdir()
        led = Ledger(folder, store)
        led("init")
        led("import-log", exported)
        led("audit", "--verify")
        again = folder / "again.jsonl"
        led("export", "--out", again)
        assert log_of(again) == log_of(exported)  # the same positions, links, bytes
        return led

    restored(tmp_path / "server-copy", pg_server.url(pg_server.create_database()))
    on_sqlite = restored(tmp_path / "file-copy", None)
    assert [p for (p,) in on_sqlite.query("SELECT rowid FROM stored_events ORDER BY rowid")] == positions

    # A SQLite ledger with the gaps, moved to a server: the same log again.
    target = pg_server.url(pg_server.create_database())
    assert on_sqlite.json("migrate", "--to", target)["verified"] is True
    migrated = Ledger(on_sqlite.folder, target)
    migrated("audit", "--verify")
    migrated("replay")
    read_models_equal_replay(migrated)
    moved = tmp_path / "moved.jsonl"
    migrated("export", "--out", moved)
    assert log_of(moved) == log_of(exported)
    # Writes after the copy are numbered after its last position.
    migrated("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", "问题4", "--at", "2020-01-17")
    assert migrated.query("SELECT MAX(notification_id) FROM stored_events") == [(positions[-1] + 1,)]
    migrated("audit", "--verify")
