"""Timing a command in a process of its own, for the benches that compare this tree with another (startup.py, import_headings.py).

`measure` runs a command and waits for it with os.wait4, so the figures are the child's own: wall time,
CPU time (user + system, less disturbed by other work on a shared machine) and peak RSS.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple, Sequence


class Measured(NamedTuple):
    wall: float  # seconds
    cpu: float  # seconds, user + system
    max_rss_mb: int
    stdout: bytes


def ledger_argv(tree: Path, *args: str) -> list[str]:
    """`ledger ARGS` run from `tree`'s sources (not the installed package)."""
    code = f"import sys; sys.path.insert(0, {str(tree)!r}); from commands.cli import main; sys.argv = ['ledger', *{list(args)!r}]; main()"
    return [sys.executable, "-c", code]


def measure(argv: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None, what: str = "") -> Measured:
    """Run `argv` to its end; a failure ends the bench with its stderr (`what` names it)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:  # files, not pipes: a long output never blocks the child
        start = time.perf_counter()
        child = subprocess.Popen(list(argv), cwd=cwd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4: Popen must not wait again
        if status != 0:
            err.seek(0)
            raise SystemExit(f"{what or ' '.join(argv)} failed: {err.read().decode(errors='replace')[-2000:]}")
        out.seek(0)
        return Measured(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, out.read())
