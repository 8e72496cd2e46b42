"""The README runs exactly as written.

Every line starting with `ledger` inside the README's ```bash blocks (with its
`\\` continuation lines, and each `&& ledger …` part) runs, in order, in one fresh
folder, through the installed `ledger` executable, and must exit 0, or N where
the line ends with `# exits N`. `export NAME=value` lines set the environment
of the lines after them; `mkdir X && cd X` makes the fresh folder X inside a
copy of the repository's examples, as a reader following the README does.
Reference syntax with [brackets] lives in ```text blocks, which are not run.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, ledger_executable

README = REPO / "README.md"


def bash_lines(text: str) -> list[tuple[int, str]]:
    """(line number, logical line) of every ```bash block, continuation lines joined."""
    lines: list[tuple[int, str]] = []
    inside = False
    pending: tuple[int, str] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith("```"):
            inside = stripped == "```bash"
            continue
        if not inside:
            continue
        if pending is not None:
            start, so_far = pending
            joined = so_far + " " + stripped
        else:
            start, joined = number, stripped
        if joined.endswith("\\"):
            pending = (start, joined[:-1].rstrip())
            continue
        pending = None
        if joined:
            lines.append((start, joined))
    return lines


def steps(text: str) -> list[tuple[int, str, list[str], int]]:
    """(line, kind, argv, expected exit) for each step: kind is 'ledger', 'export' or 'mkdir'."""
    out = []
    for number, line in bash_lines(text):
        expected = 0
        found = re.search(r"#\s*exits\s+(\d+)", line)
        if found:
            expected = int(found.group(1))
        words = shlex.split(line, comments=True)
        if not words:
            continue
        parts: list[list[str]] = [[]]
        for word in words:
            if word == "&&":
                parts.append([])
            else:
                parts[-1].append(word)
        for part in parts:
            if not part:
                continue
            if part[0] == "ledger":
                out.append((number, "ledger", part[1:], expected))
            elif part[0] == "export":
                out.append((number, "export", part[1:], 0))
            elif part[0] == "mkdir":
                out.append((number, "mkdir", part[1:], 0))
    return out


def command_name(argv: list[str]) -> str | None:
    """The command of `ledger [--actor X] [--config Y] COMMAND …`."""
    words = iter(argv)
    for word in words:
        if word in ("--actor", "--config"):
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def test_the_readme_has_runnable_ledger_lines() -> None:
    found = steps(README.read_text(encoding="utf-8"))
    commands = {command_name(argv) for _, kind, argv, _ in found if kind == "ledger"}
    # The walkthrough shows the whole life of a problem, not a few commands.
    for command in ("init", "add-inspection", "add-problem", "import", "assign", "plan", "done", "verify", "close",
                    "review", "reopen", "correct", "sample", "escalate", "progress", "publish", "keygen", "checkpoint",
                    "audit", "export", "verify-export", "replay", "doctor"):
        assert command in commands, f"the README's bash blocks never run `ledger {command}`"


def test_no_reference_syntax_in_bash_blocks() -> None:
    for number, line in bash_lines(README.read_text(encoding="utf-8")):
        code = line.split("#", 1)[0]
        if code.lstrip().startswith("ledger"):
            assert not re.search(r"\[[^\]]*\]|…|\|", code.replace("||", "")), f"README line {number} is reference syntax: {line}"


def test_the_readme_walkthrough_runs_as_written(tmp_path: Path) -> None:
    """Run with the installed executable, as a new user would."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "examples", root / "examples")
    folder = root
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "home" / ".config"), TZ="Asia/Shanghai")
    (tmp_path / "home").mkdir()
    ran = 0
    for number, kind, argv, expected in steps(README.read_text(encoding="utf-8")):
        if kind == "mkdir":
            folder = root / argv[-1]
            folder.mkdir(parents=True, exist_ok=True)
            continue
        if kind == "export":
            for assignment in argv:
                name, _, value = assignment.partition("=")
                env[name] = value
            continue
        result = subprocess.run(
            [ledger_executable(), *argv], cwd=folder, env=env, capture_output=True, text=True, timeout=120
        )
        ran += 1
        assert result.returncode == expected, (
            f"README line {number}: ledger {' '.join(argv)} exited {result.returncode}, wanted {expected}\n"
            f"stdout: {result.stdout[-2000:]}\nstderr: {result.stderr[-2000:]}"
        )
        assert "Traceback" not in result.stderr
    assert ran >= 40
    # After keygen, the report published again carries the checkpoint that `audit --verify --checkpoint` checked.
    report = (root / "my-ledger" / "report.md").read_text(encoding="utf-8")
    assert "checkpoint" in report.lower()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("```bash\nledger a \\\n  --b c   # exits 1\n```\n", [(2, "ledger", ["a", "--b", "c"], 1)]),
        ("```text\nledger status [--x]\n```\n", []),
        ("```bash\nledger export --out x && ledger verify-export x\n```\n", [(2, "ledger", ["export", "--out", "x"], 0), (2, "ledger", ["verify-export", "x"], 0)]),
    ],
)
def test_the_readme_reader_itself(text: str, expected: list) -> None:
    assert steps(text) == expected
