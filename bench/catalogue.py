"""The message catalogue's cost to a command that prints one message in Chinese.

    .venv/bin/python bench/catalogue.py [--runs 15]

Each run is a fresh interpreter (the catalogue is built once per command) that translates one message:
a refusal that matches early, a confirmation, a tampering finding read in pieces, and one the catalogue
does not know. Timed in the same run: the catalogue as shipped (each pattern compiled when a message holds
its required text) and the same catalogue compiled whole before the first message (how it was built before).
Printed: the median milliseconds of each and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

MESSAGES = {
    "unknown ID": "unknown problem ID: XC2019-1-99",
    "confirmation": "XC2019-1-1: measure M1 done (status: in_progress)",
    "tampering": "tampering found: first bad sequence number 7: event 7 does not match its recorded hash (edited, moved or reordered)",
    "unknown text": "x.csv: line 2: something the catalogue never heard of",
}

CHILD = r"""
import re, sys, time
sys.path.insert(0, {repo!r})
from commands import i18n
if {eager}:
    lazy = i18n._Lazy
    class Eager(lazy):
        def __init__(self, pattern, flags=0):
            super().__init__(pattern, flags)
            self.required, self._compiled = "", re.compile(pattern, flags)
    i18n._Lazy = Eager
start = time.perf_counter()
i18n.translate({message!r}, "zh")
print(time.perf_counter() - start)
"""


def timed(message: str, eager: bool) -> float:
    code = CHILD.format(repo=str(REPO), eager=eager, message=message)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return float(out) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    print(f"{'message':<14}{'whole (ms)':>12}{'as needed (ms)':>16}{'ratio':>8}")
    for name, message in MESSAGES.items():
        whole, needed = [], []
        for _ in range(runs):  # interleaved, so load drifts alike for both
            whole.append(timed(message, eager=True))
            needed.append(timed(message, eager=False))
        w, n = statistics.median(whole), statistics.median(needed)
        print(f"{name:<14}{w:>12.1f}{n:>16.1f}{n / w:>8.2f}")


if __name__ == "__main__":
    main()
