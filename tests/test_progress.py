"""Long work shows its progress on a terminal, and Ctrl-C stops it cleanly (issue 29).

Every long command runs as the installed executable with standard error on a
pseudo-terminal (python's pty module) and must draw click's bar there; on a
pipe, with --format json or with --quiet it draws nothing. Interruption tests
pause the work at a test-settable point (LEDGER_TEST_PAUSE, commands/progress.py)
in the middle of writing, send SIGINT there, and find nothing half-written.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import Ledger, ledger_executable

REPO = Path(__file__).resolve().parent.parent
ROUND = "十届县委第十二轮巡察"
ORGANISATIONS = 12  # about 3,100 events: past the first progress report (every 2,000 events, 1,000 for migrate)


def _env(folder: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update({"LEDGER_CONFIG": str(folder / "ledger.yaml"), "LEDGER_ACTOR": "clerk", "LEDGER_LANG": "en"}, **extra)
    return env


def on_terminal(args: list[str], folder: Path, **extra: str) -> tuple[int, str, str]:
    """Run `ledger ARGS` with standard error on a pseudo-terminal: (exit code, stdout, what the terminal showed)."""
    primary, secondary = pty.openpty()
    process = subprocess.Popen([ledger_executable(), *args], cwd=folder, env=_env(folder, **extra), stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=secondary, close_fds=True)
    os.close(secondary)
    shown = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([primary], [], [], 0.1)
        if ready:
            try:
                data = os.read(primary, 65536)
            except OSError:  # the terminal closed: the process is gone
                break
            if not data:
                break
            shown += data
        elif process.poll() is not None:
            break
    os.close(primary)
    out = process.stdout.read().decode()  # type: ignore[union-attr]
    process.wait(timeout=60)
    return process.returncode, out, shown.decode(errors="replace")


def on_pipe(args: list[str], folder: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ledger_executable(), *args], cwd=folder, env=_env(folder, **extra), capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite ledger of about 3,100 events, one inspection in a round, and an export of it."""
    folder = tmp_path_factory.mktemp("big")
    (folder / "ledger.yaml").write_text("store: ledger.db\n", encoding="utf-8")
    assert on_pipe(["init"], folder).returncode == 0
    sys.path.insert(0, str(REPO / "bench"))
    import generate

    generate.generate(str(folder / "ledger.db"), ORGANISATIONS)
    done = on_pipe(["add-inspection", "XC2019-1", "--name", "县委第一巡察组巡察县交通运输局党组", "--organisation", "县交通运输局党组",
                    "--group", "县委第一巡察组", "--kind", "regular", "--round", ROUND, "--start", "2019-10-28", "--end", "2019-11-18",
                    "--feedback", "2020-01-14", "--at", "2020-01-14"], folder)
    assert done.returncode == 0, done.stderr
    assert on_pipe(["export", "--out", "all.jsonl"], folder).returncode == 0
    return folder


def _fresh(tmp_path: Path, name: str = "restored") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "ledger.yaml").write_text("store: ledger.db\n", encoding="utf-8")
    assert on_pipe(["init"], folder).returncode == 0
    return folder


TODAY = "today"  # put for today's date when run: a bare date of today reads "now"

# (arguments, the bar's label): every command that grows with the ledger.
LONG_COMMANDS = [
    (["audit", "--verify"], "verifying the chain and the tree"),
    (["audit", "--verify", "--jobs", "2"], "verifying the chain and the tree"),
    (["replay"], "rebuilding the derived tables"),
    (["replay", "--jobs", "2"], "rebuilding the derived tables"),
    (["export", "--out", "again.jsonl", "--force"], "verifying and writing the events"),  # run twice: --force replaces
    (["verify-export", "all.jsonl"], "verifying the export"),
    (["evidence", "verify"], "checking the evidence files"),
    (["sheet", "--inspection", "P00001-1", "--out", "台账.xlsx", "--force"], "writing the ledger sheet"),
    (["publish", "--round", ROUND, "--no-sign"], "reading the round"),
    (["doctor"], "verifying the chain and the tree"),
    # the as-of rebuild tells the bar how far it has read (projections.replay.iter_stored)
    (["sheet", "--inspection", "P00001-1", "--out", "台账.xlsx", "--force", "--as-of", TODAY], "writing the ledger sheet"),
    (["publish", "--round", ROUND, "--no-sign", "--as-of", TODAY], "reading the round"),
]


@pytest.mark.parametrize("args,label", LONG_COMMANDS, ids=[" ".join(a[:2]) + (" as-of" if "--as-of" in a else "") for a, _ in LONG_COMMANDS])
def test_a_long_command_shows_its_bar_on_a_terminal_and_nothing_on_a_pipe(big: Path, args: list[str], label: str) -> None:
    from datetime import date

    args = [date.today().isoformat() if a == TODAY else a for a in args]
    code, out, shown = on_terminal(args, big)
    assert code == 0, shown
    assert label in shown and "100%" in shown, shown  # what it is doing, how far
    assert label not in out  # the bar is on standard error only
    piped = on_pipe(args, big)
    assert piped.returncode == 0, piped.stderr
    assert label not in piped.stderr and "%" not in piped.stderr and "\r" not in piped.stderr, piped.stderr
    assert piped.stdout == out or args[0] in ("replay", "doctor", "publish") or "--as-of" in args  # same output (replay times itself; doctor/publish name times)


@pytest.mark.parametrize("extra", [["--quiet"], ["--format", "json"]], ids=["quiet", "json"])
@pytest.mark.parametrize("args,label", [LONG_COMMANDS[0], LONG_COMMANDS[2], LONG_COMMANDS[4], LONG_COMMANDS[9]], ids=["audit", "replay", "export", "doctor"])
def test_no_bar_with_quiet_or_json_even_on_a_terminal(big: Path, args: list[str], label: str, extra: list[str]) -> None:
    code, _, shown = on_terminal([*args, *extra], big)
    assert code == 0, shown
    assert label not in shown and "%" not in shown, shown


def test_the_bar_speaks_chinese_by_default(big: Path) -> None:
    code, _, shown = on_terminal(["audit", "--verify"], big, LEDGER_LANG="zh")
    assert code == 0 and "正在验证哈希链和默克尔树" in shown and "verifying" not in shown, shown


def test_publish_takes_quiet_too(big: Path) -> None:
    code, _, shown = on_terminal(["publish", "--round", ROUND, "--no-sign", "--quiet"], big)
    assert code == 0 and "reading the round" not in shown, shown


# -- Ctrl-C in the middle ---------------------------------------------------------------------


def _as_from_a_terminal() -> None:
    """Ctrl-C as a terminal's user sends it: the child starts with SIGINT at its default, whatever the test run
    inherited (a run started in the background by a non-interactive shell has SIGINT ignored, and so would the child)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupt_in_the_middle(args: list[str], folder: Path, label: str, tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    """Start `ledger ARGS`, wait until the work labelled `label` has done some of its work and paused, send SIGINT."""
    marker = tmp_path / "paused"
    process = subprocess.Popen([ledger_executable(), *args], cwd=folder, env=_env(folder, LEDGER_TEST_PAUSE=f"{label}={marker}", **extra),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_as_from_a_terminal)
    deadline = time.monotonic() + 120
    while not marker.exists():
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"ledger {' '.join(args)} ended ({process.returncode}) before its pause point: {err}")
        assert time.monotonic() < deadline, "the pause point was never reached"
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    return subprocess.CompletedProcess(args, process.returncode, out, err)


def _stopped_cleanly(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 130, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert lines == ["ledger: interrupted; nothing half-written is kept"], result.stderr
    assert "Traceback" not in result.stderr


def test_ctrl_c_in_export_leaves_no_file(big: Path, tmp_path: Path) -> None:
    out = tmp_path / "stopped.jsonl"
    result = interrupt_in_the_middle(["export", "--out", str(out)], big, "verifying and writing the events", tmp_path)
    _stopped_cleanly(result)
    assert list(tmp_path.iterdir()) == [tmp_path / "paused"]  # neither the export nor its temporary file


def test_ctrl_c_in_export_keeps_an_earlier_file_as_it_was(big: Path, tmp_path: Path) -> None:
    out = tmp_path / "kept.jsonl"
    out.write_text("an earlier export\n", encoding="utf-8")
    result = interrupt_in_the_middle(["export", "--out", str(out), "--force"], big, "verifying and writing the events", tmp_path)
    _stopped_cleanly(result)
    assert out.read_text(encoding="utf-8") == "an earlier export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.jsonl", "paused"]


def test_ctrl_c_in_import_log_rolls_the_restore_back(big: Path, tmp_path: Path) -> None:
    target = _fresh(tmp_path)
    restored = Ledger(target)
    before = restored.query("SELECT COUNT(*) FROM stored_events"), restored.query("SELECT key, value FROM ledger_meta ORDER BY key")
    result = interrupt_in_the_middle(["import-log", str(big / "all.jsonl")], target, "writing the events", tmp_path)
    _stopped_cleanly(result)
    after = restored.query("SELECT COUNT(*) FROM stored_events"), restored.query("SELECT key, value FROM ledger_meta ORDER BY key")
    assert after == before  # the founding event of `init` only, the meta as it was
    assert on_pipe(["audit", "--verify"], target).returncode == 0
    again = on_pipe(["import-log", str(big / "all.jsonl")], target)  # and the restore can simply be run again
    assert again.returncode == 0, again.stderr
    assert on_pipe(["audit", "--verify"], target).returncode == 0


def test_ctrl_c_in_migrate_leaves_the_target_empty(big: Path, tmp_path: Path, pg_database: str) -> None:
    result = interrupt_in_the_middle(["migrate", "--to", pg_database], big, "copying the events", tmp_path)
    _stopped_cleanly(result)
    on_pg = Ledger(big, pg_database)
    assert on_pg.query("SELECT COUNT(*) FROM stored_events") == [(0,)]  # the copied batches were taken back out
    assert on_pg.query("SELECT COUNT(*) FROM ledger_chain") == [(0,)]
    assert on_pipe(["audit", "--verify"], big).returncode == 0  # the source is untouched
    again = on_pipe(["migrate", "--to", pg_database, "--format", "json"], big)
    assert again.returncode == 0, again.stderr


def test_import_shows_its_bar_on_a_terminal_standard_error(tmp_path: Path) -> None:
    """`import` had a bar when standard output was a terminal; now it follows the same rule as the rest."""
    from big_feedback import write_big_csv

    folder = _fresh(tmp_path, "imported")
    write_big_csv(folder / "big.csv", 300)
    code, out, shown = on_terminal(["import", "big.csv"], folder)
    assert code == 0, shown
    assert "checking the feedback list" in shown and "recording the problems" in shown and "100%" in shown, shown
    assert "imported 300 problems" in out
    code, _, shown = on_terminal(["import", "big.csv", "--format", "json"], folder)  # again: nothing new, and no bar in json
    assert code == 0 and "%" not in shown, shown


# -- the work itself tells how far it is: a plain callback, once a batch ----------------------

PROBLEM = ["add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--at", "2020-01-15"]


def _reports(inspected: Any, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> tuple[list[tuple[int, int]], Any]:
    from composition import open_ledger
    from ledger.config import load_config
    from projections.replay import rebuild

    told: list[tuple[int, int]] = []
    monkeypatch.setenv("LEDGER_STORE", inspected.store or "")
    app = open_ledger(load_config(inspected.folder / "ledger.yaml"))
    return told, rebuild(app, progress=lambda done, total: told.append((done, total)), **kwargs)


@pytest.mark.parametrize("scoped", [False, True], ids=["whole", "scoped"])
def test_the_rebuild_tells_how_far_it_has_read_once_a_batch(inspected: Any, scoped: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """`sheet` and `publish --round` draw what the as-of rebuild reports: from 0 to all of it, in batches, never per event."""
    from datetime import datetime, timezone

    import projections.replay as replay

    for n in range(1, 6):
        inspected(*PROBLEM, "--title", f"关于“问题{n}”的问题")
    inspected("assign", "XC2019-1-2", "--lead", "局长", "--unit", "办公室", "--person", "张三")
    monkeypatch.setitem(replay.iter_stored.__kwdefaults__, "batch", 4)  # a few events a batch, as 5,000 are of a province's
    kwargs: dict[str, Any] = {"until": datetime.now(timezone.utc)}
    if scoped:
        from ledger.ids import inspection_uuid, problem_uuid

        kwargs["ids"] = [inspection_uuid("XC2019-1")] + [problem_uuid("XC2019-1", n) for n in range(1, 6)]
    told, rebuilt = _reports(inspected, monkeypatch, **kwargs)
    if scoped:
        total = rebuilt.events  # nothing was cut: every event of the inspection and its problems was read
        assert total == sum(a.version for a in rebuilt.aggregates.values()) and total > 4
    else:
        total = inspected.query("SELECT MAX(rowid) FROM stored_events")[0][0] if inspected.store is None else \
            inspected.query("SELECT MAX(notification_id) FROM stored_events")[0][0]
    assert told[0] == (0, total) and told[-1] == (total, total), told
    done = [d for d, t in told]
    assert done == sorted(done) and all(t == total for _, t in told)
    batches = -(-rebuilt.events // 4) if scoped else None
    assert len(told) <= -(-total // 4) + 2 and (batches is None or len(told) == batches + 2), told  # once a batch
    assert any(0 < d < total for d in done), told  # the bar moves while the work is done


def test_the_as_of_state_is_the_same_whether_or_not_a_bar_is_told(inspected: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Told how far it is, the as-of state is built in batches: the rows (and their order) must be the very same."""
    from datetime import datetime, timezone

    import projections.replay as replay
    from composition import open_ledger
    from ledger.config import load_config

    for n in range(1, 8):
        inspected(*PROBLEM, "--title", f"关于“问题{n}”的问题")
    inspected(*INSPECTION_2)
    inspected("add-problem", "--inspection", "XC2019-2", "--category", "政治站位方面", "--at", "2020-01-15", "--title", "关于“问题八”的问题")
    inspected("assign", "XC2019-1-2", "--lead", "局长", "--unit", "办公室", "--person", "张三")
    monkeypatch.setattr(replay, "ROWS_EVERY", 2)
    monkeypatch.setitem(replay.iter_stored.__kwdefaults__, "batch", 3)
    monkeypatch.setenv("LEDGER_STORE", inspected.store or "")
    app = open_ledger(load_config(inspected.folder / "ledger.yaml"))
    now = datetime.now(timezone.utc)
    told: list[tuple[int, int]] = []
    plain = list(replay.as_of_connection(app, now).iterdump())
    barred = list(replay.as_of_connection(app, now, progress=lambda d, t: told.append((d, t))).iterdump())
    assert barred == plain and any("XC2019-2-1" in line for line in plain)
    assert told[0] == (0, 1000) and told[-1] == (1000, 1000) and [d for d, _ in told] == sorted(d for d, _ in told), told
    assert len(told) > 6  # reading, viewing and writing each told more than once


INSPECTION_2 = ["add-inspection", "XC2019-2", "--name", "县委第二巡察组巡察县教育局党组", "--organisation", "县教育局党组",
                "--group", "县委第二巡察组", "--kind", "regular", "--start", "2019-10-28", "--end", "2019-11-18",
                "--feedback", "2020-01-14", "--at", "2020-01-14"]
