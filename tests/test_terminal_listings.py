"""Listings on a terminal answer at once (issue 27): the most urgent first, a default number of rows and a closing
line on a pseudo-terminal; every row through the pager with --all; complete when piped, with --out or as csv/json.

The installed `ledger` runs on a real pseudo-terminal (python's pty module) and on a real pipe.
"""

from __future__ import annotations

import csv
import io
import os
import pty
import re
import select
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import ledger_executable, run_executable

PROBLEMS = 45
TODAY = date.today()


def _deadline(n: int) -> date | None:
    """Red, yellow, green, far off or none, mixed through the register so that register order is not urgency order."""
    kind = n % 5
    if kind == 0:
        return None  # long-term: no deadline
    if kind == 1:
        return date(2020, 9, 30) - timedelta(days=n)  # overdue: red, the later numbers the more overdue
    if kind == 2:
        return TODAY + timedelta(days=1 + n % 7)  # yellow (10 days or fewer)
    if kind == 3:
        return TODAY + timedelta(days=12 + n % 7)  # green (20 days or fewer)
    return TODAY + timedelta(days=200 + n)  # far off: no light


def _feedback_list(path: Path) -> None:
    lines = [
        "inspection:",
        "  code: XC2021-3",
        "  name: 县委第三巡察组对县农业农村局党组的巡察",
        "  organisation: 县农业农村局党组",
        "  group: 县委第三巡察组",
        "  kind: regular",
        "  start: 2020-04-07",
        "  end: 2020-05-22",
        "  feedback: 2020-07-03",
        "problems:",
    ]
    categories = ("党的领导方面", "全面从严治党方面", "基层党建方面")
    for n in range(1, PROBLEMS + 1):
        deadline = _deadline(n)
        lines += [
            f"  - number: {n}",
            f"    category: {categories[n % 3]}",
            f"    title: 关于“惠农资金发放台账第{n}项不规范”的问题",
            f"    type: {'long-term' if deadline is None else 'deadline'}",
            *([f"    deadline: {deadline.isoformat()}"] if deadline else []),
            "    lead: 周建国",
            f"    unit: {('办公室', '财务股', '农经股')[n % 3]}",
            "    person: 孙丽",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite ledger of 45 problems with red, yellow, green, far-off and no deadlines, in register order mixed."""
    here = tmp_path_factory.mktemp("listings")
    env = {"LEDGER_LANG": "en"}
    assert run_executable("init", cwd=here, env=env).returncode == 0
    _feedback_list(here / "feedback.yaml")
    done = run_executable("import", "feedback.yaml", cwd=here, env=env)
    assert done.returncode == 0, done.stderr
    return here


def on_terminal(*args: str, cwd: Path, env: dict[str, str] | None = None, columns: int = 120, timeout: float = 60) -> tuple[str, int]:
    """(what the terminal showed, exit code) of the installed `ledger` run on a pseudo-terminal."""
    import fcntl
    import struct
    import termios

    full_env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_") or k == "LEDGER_LANG"}
    full_env.update({"LEDGER_ACTOR": "clerk", "TERM": "xterm", **(env or {})})
    pid, fd = pty.fork()
    if pid == 0:  # the child: its standard input and output are the terminal
        os.chdir(cwd)
        os.execve(ledger_executable(), [ledger_executable(), *args], full_env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    out = b""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 1)
        if not ready:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO: the child has closed the terminal
            break
        if not data:
            break
        out += data
    else:
        os.kill(pid, 9)
        pytest.fail(f"ledger {' '.join(args)} did not finish in {timeout} s on a terminal")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return out.decode("utf-8").replace("\r\n", "\n"), os.waitstatus_to_exitcode(status)


ROW = re.compile(r"^(XC2021-3-\d+)\s", re.MULTILINE)


def shown_ids(text: str) -> list[str]:
    return ROW.findall(text)


def urgency_order() -> list[str]:
    """The order a leader wants: open problems with a deadline by deadline (red, yellow, green, far off), then the rest."""
    dated = sorted((d, n) for n in range(1, PROBLEMS + 1) if (d := _deadline(n)) is not None)
    rest = [n for n in range(1, PROBLEMS + 1) if _deadline(n) is None]
    return [f"XC2021-3-{n}" for _, n in dated] + [f"XC2021-3-{n}" for n in rest]


def test_status_on_a_terminal_shows_the_most_urgent_rows_and_says_how_to_see_the_rest(folder: Path) -> None:
    text, code = on_terminal("status", cwd=folder)
    assert code == 0, text
    assert shown_ids(text) == urgency_order()[:30]
    assert text.rstrip("\n").splitlines()[-1] == "15 more not shown (30 of 45): --limit N shows N, --all shows every one"


@pytest.mark.language
def test_the_closing_line_reads_in_chinese(folder: Path) -> None:
    text, code = on_terminal("status", "--limit", "4", cwd=folder, env={"LEDGER_LANG": "zh"})
    assert code == 0, text
    assert shown_ids(text) == urgency_order()[:4]
    assert text.rstrip("\n").splitlines()[-1] == "另有 41 条未显示（共 45 条，已显示 4 条）：--limit N 显示 N 条，--all 显示全部"


def test_limit_chooses_how_many_and_no_closing_line_when_all_fit(folder: Path) -> None:
    text, code = on_terminal("status", "--limit", "100", cwd=folder)
    assert code == 0, text
    assert shown_ids(text) == urgency_order()
    assert "more not shown" not in text
    text, code = on_terminal("status", "--overdue", cwd=folder)  # filters still apply: the 9 red ones, most overdue first
    assert shown_ids(text) == urgency_order()[:9] and "more not shown" not in text


def test_limit_and_all_together_are_refused(folder: Path) -> None:
    text, code = on_terminal("status", "--limit", "3", "--all", cwd=folder)
    assert code == 2
    assert "--limit and --all do not go together" in text
    assert "Traceback" not in text


def test_piped_the_listing_is_complete_in_register_order(folder: Path) -> None:
    done = run_executable("status", cwd=folder)
    assert done.returncode == 0, done.stderr
    assert shown_ids(done.stdout) == [f"XC2021-3-{n}" for n in range(1, PROBLEMS + 1)]
    assert "more not shown" not in done.stdout + done.stderr


def test_csv_and_json_on_a_terminal_are_complete(folder: Path) -> None:
    text, code = on_terminal("status", "--format", "csv", cwd=folder)
    assert code == 0, text
    rows = list(csv.reader(io.StringIO(text)))
    assert [r[0] for r in rows[1:]] == [f"XC2021-3-{n}" for n in range(1, PROBLEMS + 1)]
    text, code = on_terminal("status", "--format", "json", cwd=folder)
    assert code == 0 and text.count('"id": "XC2021-3-') == PROBLEMS


def test_out_on_a_terminal_writes_every_row(folder: Path, tmp_path: Path) -> None:
    target = tmp_path / "status.txt"
    text, code = on_terminal("status", "--out", str(target), cwd=folder)
    assert code == 0, text
    assert shown_ids(target.read_text(encoding="utf-8")) == [f"XC2021-3-{n}" for n in range(1, PROBLEMS + 1)]


def _recording_pager(tmp_path: Path, command: str = "cat") -> tuple[str, Path]:
    record = tmp_path / "paged.txt"
    script = tmp_path / "pager.sh"
    script.write_text(f"#!/bin/sh\n{command} > '{record}'\n", encoding="utf-8")
    script.chmod(0o755)
    return str(script), record


def test_all_on_a_terminal_goes_through_the_pager_most_urgent_first(folder: Path, tmp_path: Path) -> None:
    pager, record = _recording_pager(tmp_path)
    text, code = on_terminal("status", "--all", cwd=folder, env={"PAGER": pager})
    assert code == 0, text
    paged = record.read_text(encoding="utf-8")
    assert shown_ids(paged) == urgency_order()
    assert "more not shown" not in paged
    assert shown_ids(text) == []  # the table went to the pager, not past it


def test_a_pager_quit_after_the_first_lines_ends_the_command_quietly(folder: Path, tmp_path: Path) -> None:
    pager, record = _recording_pager(tmp_path, "head -n 3")  # the reader quits at once (q in less)
    text, code = on_terminal("audit", "--all", cwd=folder, env={"PAGER": pager})
    assert code == 0, text
    assert "Traceback" not in text and "Error" not in text
    assert len(record.read_text(encoding="utf-8").splitlines()) == 3


def test_the_paged_table_is_formatted_a_chunk_at_a_time() -> None:
    """The first screen is out before the last row is formatted: a piece is ready after one chunk of rows."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from commands.options import table_pieces

    taken = 0

    def rows():  # counts what the formatter has asked for
        nonlocal taken
        for n in range(1, 1000):  # ids no wider than the first chunk's (a wider cell later widens the columns from there on)
            taken += 1
            yield {"id": f"XC2021-3-{n}", "title": "惠农资金" * (n % 9), "status": "in_progress"}

    pieces = table_pieces(rows(), "table", ["id", "title", "status"], chunk=100)
    first = next(pieces)
    assert taken <= 101
    assert shown_ids(first)[:2] == ["XC2021-3-1", "XC2021-3-2"]
    rest = list(pieces)
    lines = "\n".join([first, *rest]).splitlines()
    assert len(shown_ids("\n".join(lines))) == 999
    # Later chunks line up under the first chunk's header: every id starts in column 0 and the status column
    # starts where the header's does.
    header = lines[0]
    status_at = header.index("status")
    assert all(line[status_at:].startswith("in_progress") for line in lines if ROW.match(line) and "惠农" not in line)


def test_the_pager_gets_every_chunk_line_by_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks joined for the pager: no line of one chunk glued to the next one's."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import click

    from commands import options

    paged: list[str] = []
    monkeypatch.setattr(click, "echo_via_pager", lambda pieces: paged.extend(pieces))
    rows = ({"id": f"XC2021-3-{n}", "status": "closed"} for n in range(1, 451))
    options.page(options.table_pieces(rows, "table", ["id", "status"], chunk=100))
    assert len(paged) == 5
    lines = "".join(paged).splitlines()
    assert [line.split()[0] for line in lines[2:]] == [f"XC2021-3-{n}" for n in range(1, 451)]
    assert all(len(line.split()) == 2 for line in lines[2:])


def test_trails_on_a_terminal_are_newest_first_and_cut(folder: Path) -> None:
    text, code = on_terminal("audit", "--limit", "5", cwd=folder)
    assert code == 0, text
    seqs = [int(m) for m in re.findall(r"^(\d+)  ", text, flags=re.MULTILINE)]
    piped = run_executable("audit", "--format", "csv", cwd=folder)
    every = [int(r[0]) for r in list(csv.reader(io.StringIO(piped.stdout)))[1:]]
    assert seqs == sorted(every, reverse=True)[:5]
    assert f"{len(every) - 5} more not shown (5 of {len(every)})" in text
    text, code = on_terminal("history", "XC2021-3-7", cwd=folder)
    seqs = [int(m) for m in re.findall(r"^(\d+)  ", text, flags=re.MULTILINE)]
    assert code == 0 and seqs == sorted(seqs, reverse=True) and len(seqs) >= 2


def test_due_on_a_terminal_is_cut_most_urgent_first(folder: Path) -> None:
    text, code = on_terminal("due", "--within", "30", "--limit", "3", cwd=folder)
    assert code == 0, text
    assert shown_ids(text) == urgency_order()[:3]
    assert "more not shown (3 of 36)" in text  # 9 red, 9 yellow, 9 green; 9 long-term without progress
    piped = run_executable("due", "--within", "30", cwd=folder)
    assert len(shown_ids(piped.stdout)) == 36
    # The summary counts the whole ledger, not the rows shown.
    # The day the ledger counts on is the day the command ran: a run across midnight counts on the next one.
    summaries = {f"as of {day}: 9 overdue, 18 due within 30 days, 9 long-term without recent progress" for day in (TODAY, date.today())}
    assert any(s in text for s in summaries) and any(s in piped.stdout for s in summaries)


def test_help_says_so() -> None:
    done = subprocess.run([ledger_executable(), "status", "--help"], capture_output=True, text=True, env={**os.environ, "LEDGER_LANG": "en"})
    assert "--limit N" in done.stdout and "--all" in done.stdout and "most urgent first" in done.stdout


def test_status_on_a_terminal_on_each_store(ledger, tmp_path: Path) -> None:
    """The two-step most-urgent query (keys from the deadline index, then the rows) on SQLite and PostgreSQL."""
    _feedback_list(tmp_path / "feedback.yaml")
    ledger("import", str(tmp_path / "feedback.yaml"))
    for limit, want in (("12", urgency_order()[:12]), ("40", urgency_order()[:40]), ("1000", urgency_order())):
        text, code = on_terminal("status", "--limit", limit, cwd=tmp_path, env=ledger.env)
        assert code == 0, text
        assert shown_ids(text) == want, (limit, text)
    text, code = on_terminal("status", "--inspection", "XC2021-3", "--unit", "财务股", "--limit", "5", cwd=tmp_path, env=ledger.env)
    financial = [i for i in urgency_order() if int(i.rsplit("-", 1)[1]) % 3 == 1]
    assert code == 0 and shown_ids(text) == financial[:5]
    assert f"{len(financial) - 5} more not shown (5 of {len(financial)})" in text
    text, code = on_terminal("due", "--within", "30", "--limit", "2", cwd=tmp_path, env=ledger.env)
    assert code == 0 and shown_ids(text) == urgency_order()[:2]
    assert "34 more not shown (2 of 36)" in text
    assert any(f"as of {day}: 9 overdue, 18 due within 30 days" in text for day in (TODAY, date.today()))  # across midnight too


def test_the_newest_trail_rows_keep_their_correction_notes(inspected, tmp_path: Path) -> None:
    inspected("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", "关于“学习不深入”的问题", "--at", "2020-01-14")
    inspected("correct", "XC2019-1-1", "--field", "title", "--value", "关于“学习不够深入”的问题", "--reason", "录入错误")
    every = inspected.json("audit")
    registered = next(r["seq"] for r in every if r["event"] == "Registered" and r["subject"] == "XC2019-1-1")
    corrected = every[-1]["seq"]
    text, code = on_terminal("audit", "--limit", "1", cwd=tmp_path, env=inspected.env)
    assert code == 0, text
    assert re.findall(r"^(\d+)  ", text, flags=re.MULTILINE) == [str(corrected)]
    assert f"corrects #{registered}" in text
    text, code = on_terminal("audit", cwd=tmp_path, env=inspected.env)
    assert code == 0, text
    assert "corrected by" in text and f"#{corrected} (title)" in text  # wrapped in its column


def _heading_lines(text: str) -> list[str]:
    """The lines of a table's heading: those above its rule of dashes."""
    lines = text.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("----"))
    start = max(i for i in range(rule) if not lines[i].strip() or i == 0) if rule else 0
    return [line for line in lines[start:rule] if line.strip()]


@pytest.mark.parametrize("columns", [120, 160])
@pytest.mark.parametrize("args", [("status",), ("due", "--within", "30"), ("profile", "县农业农村局党组")])
def test_english_headings_wrap_only_between_words_on_a_terminal(folder: Path, args: tuple[str, ...], columns: int) -> None:
    """Review of issue 30, finding 18: "over/due", "measu/res", "rela/pses", "escalat/ion" were headings cut inside a word."""
    from projections.words import HEADINGS, heading

    text, code = on_terminal(*args, cwd=folder, columns=columns)
    assert code == 0, text
    words = {w for key in HEADINGS for w in heading(key, "en").split()}  # every English heading's words
    shown = " ".join(_heading_lines(text)).split()
    assert not [w for w in shown if w not in words and any(w in k and w != k for k in words)], _heading_lines(text)
    for whole in ("overdue", "done", "relapses", "escalation") if args[0] == "status" else ():
        assert whole in shown, _heading_lines(text)


def test_every_english_heading_of_a_wrapped_column_keeps_its_words_whole() -> None:
    """Every column the renderer wraps (projections.words.WRAP), headed in English: each word of its heading whole."""
    from commands import i18n
    from commands.options import render_rows
    from projections.words import WRAP, heading

    i18n.remember("en", None)
    try:
        text = render_rows([{c: "x" for c in WRAP}], "table", list(WRAP))
    finally:
        i18n.remember(None, None)
    shown = set(" ".join(_heading_lines(text)).split())
    missing = [(c, word) for c in WRAP for word in heading(c, "en").split() if word not in shown]
    assert not missing, _heading_lines(text)
