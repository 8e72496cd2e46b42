"""Progress bars for long work: click's bar on standard error, only when it is a terminal.

Nothing is drawn on a pipe, with `--format json` or with `--quiet`. The work
itself (ledger/, projections/) knows nothing of click: it calls a plain
`progress(done, total)` every so many items, or never when given None.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import click

from commands.options import QUIET

# For tests that interrupt long work in its middle: "LABEL=FILE" pauses the work labelled LABEL
# at its first report of progress past nothing, after creating FILE, for up to a minute.
PAUSE_ENV = "LEDGER_TEST_PAUSE"
PAUSE_SECONDS = 60.0

Progress = Callable[[int, int], None]

_drawing: list[Any] = []  # the bar on screen: a new one ends it first, so bars never share a line


def shown(fmt: str | None = None) -> bool:
    """Whether a bar may be drawn: standard error is a terminal, the output is not json, no --quiet."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.meta.get(QUIET):
        return False
    if fmt == "json":
        return False
    stream = sys.stderr
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _pause_file(label: str) -> str | None:
    wanted = os.environ.get(PAUSE_ENV, "")
    name, _, path = wanted.partition("=")
    return path if name and name == label and path else None


class _Bar:
    """The callback given to the work: draws (or only pauses, in a test) as it is told how far it is."""

    def __init__(self, label: str, draw: bool, pause: str | None) -> None:
        self.label = label
        self.draw = draw
        self.pause = pause
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.pause is not None and done > 0:
            self._wait()
        if not self.draw:
            return
        total = max(int(total), 1)
        done = min(max(int(done), 0), total)
        if self.bar is None:
            from commands import i18n

            for other in list(_drawing):
                other.close(True)
            text = i18n.translate(self.label, i18n.current())
            self.bar = click.progressbar(length=total, label=text, file=sys.stderr, show_percent=True, show_pos=False, show_eta=True)
            self.bar.__enter__()
            _drawing.append(self)
        self.bar.length = total
        if done > self.bar.pos:
            self.bar.update(done - self.bar.pos)

    def _wait(self) -> None:
        path, self.pause = self.pause, None
        with open(path, "w", encoding="utf-8") as f:  # type: ignore[arg-type]
            f.write(self.label)
        until = time.monotonic() + PAUSE_SECONDS
        while time.monotonic() < until:
            time.sleep(0.02)

    def close(self, finished: bool) -> None:
        if self.bar is None:
            return
        if finished:
            self.bar.update(self.bar.length - self.bar.pos)
        self.bar.__exit__(None, None, None)  # ends the bar's line, so a message after it starts clean
        self.bar, self.draw = None, False
        if self in _drawing:
            _drawing.remove(self)


@contextmanager
def progress(label: str, fmt: str | None = None) -> Iterator[Progress | None]:
    """A callback for work labelled `label` (English, translated on screen), or None when nothing is to be drawn."""
    draw = shown(fmt)
    pause = _pause_file(label)
    if not draw and pause is None:
        yield None
        return
    bar = _Bar(label, draw, pause)
    finished = False
    try:
        yield bar
        finished = True
    finally:
        bar.close(finished)


def stepped(label: str, work: Callable[[], Any], fmt: str | None = None) -> Any:
    """`work()` under a bar of one step: what is being done, shown while it is done."""
    with progress(label, fmt) as report:
        if report is not None:
            report(0, 1)
        return work()


def wrap(items: Any, label: str, fmt: str | None = None, every: int = 100) -> Iterator[Any]:
    """Iterate `items` (with a length) reporting progress every `every` items."""
    with progress(label, fmt) as report:
        if report is None:
            yield from items
            return
        from ledger.progress import reporting

        yield from reporting(items, report, len(items), every=every)
