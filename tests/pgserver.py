"""A throw-away PostgreSQL server for the tests: initdb + pg_ctl in a temp dir.

One server per test session on a free port of 127.0.0.1 (fsync off: it only
has to survive client crashes, not power cuts); each test gets a fresh
database created from template0. initdb refuses to run as root, so as root the
server runs as the unprivileged `postgres` system user (created by Debian's
`postgresql` package).

Logins: `postgres` (superuser, trust) is what the ledger tests use; `strict`
must give the password STRICT_PASSWORD, for the refused-login tests.

Without the PostgreSQL binaries or psycopg the PostgreSQL tests skip with the
reason, unless LEDGER_TEST_REQUIRE_POSTGRES=1 (CI), where they fail.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

SUPERUSER = "postgres"
STRICT_USER = "strict"
STRICT_PASSWORD = "right-password"

_counter = itertools.count(1)


def find_bin_dir() -> Path | None:
    """The newest /usr/lib/postgresql/N/bin, or the folder of initdb on PATH."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
    )
    for folder in reversed(candidates):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    def __init__(self, bin_dir: Path, durable: bool = False):
        self.bin_dir = bin_dir
        self.durable = durable  # fsync on, as a real server would run (the benchmarks)
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="ledger-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.run_as: list[str] = []
        self.uid: int | None = None
        if os.geteuid() == 0:
            try:
                entry = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root and there is no `postgres` system user to run the server as") from None
            self.uid, gid = entry.pw_uid, entry.pw_gid
            os.chown(self.root, self.uid, gid)
            self.run_as = ["runuser", "-u", "postgres", "--"] if shutil.which("runuser") else [
                "setpriv", f"--reuid={self.uid}", f"--regid={gid}", "--init-groups", "--",
            ]
        self.started = False

    def _run(self, *args: str) -> None:
        result = subprocess.run([*self.run_as, *args], capture_output=True, text=True, timeout=120, cwd=self.root)
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(args[:2])} failed: {result.stderr.strip()[-2000:]}\n{log}")

    def start(self) -> None:
        self._run(
            str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
            "-E", "UTF8", "--locale=C", "--no-instructions",
        )
        (self.data / "pg_hba.conf").write_text(
            f"host all {STRICT_USER} 127.0.0.1/32 scram-sha-256\n"
            "host all all 127.0.0.1/32 trust\n"
            "local all all trust\n"
        )
        settings = f"-p {self.port} -h 127.0.0.1 -k {self.root} -c max_connections=200 -c log_min_messages=fatal "
        settings += "-c shared_buffers=128MB" if self.durable else "-F -c shared_buffers=64MB -c synchronous_commit=off -c full_page_writes=off"
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", settings, "-w", "-t", "60", "start")
        self.started = True
        with self.connect() as con:
            con.execute(f"CREATE ROLE {STRICT_USER} LOGIN PASSWORD '{STRICT_PASSWORD}'")

    def stop(self) -> None:
        if self.started:
            subprocess.run(
                [*self.run_as, str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"],
                capture_output=True, timeout=60, cwd=self.root,
            )
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)

    def connect(self, dbname: str = "postgres"):  # type: ignore[no-untyped-def]
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname=dbname, autocommit=True)

    def url(self, dbname: str, user: str = SUPERUSER, password: str | None = None) -> str:
        auth = f"{user}:{password}" if password is not None else user
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, owner: str = SUPERUSER) -> str:
        name = f"ledger_test_{os.getpid()}_{next(_counter)}"
        with self.connect() as con:
            con.execute(f"CREATE DATABASE {name} OWNER {owner} TEMPLATE template0")
        return name

    def drop_database(self, name: str) -> None:
        with self.connect() as con:
            con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _unavailable(reason: str) -> None:
    if os.environ.get("LEDGER_TEST_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL is required here (LEDGER_TEST_REQUIRE_POSTGRES=1) but {reason}")
    pytest.skip(f"PostgreSQL tests skipped: {reason} (scripts/install-postgres installs it)")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed (pip install -e '.[test]')")
    bin_dir = find_bin_dir()
    if bin_dir is None:
        _unavailable("the PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    assert bin_dir is not None
    try:
        server = PgServer(bin_dir)
        server.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        _unavailable(f"the throw-away server did not start: {e}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_database(pg_server: PgServer) -> Iterator[str]:
    """A fresh, empty database on the session's server; yields its URL."""
    name = pg_server.create_database()
    try:
        yield pg_server.url(name)
    finally:
        pg_server.drop_database(name)
