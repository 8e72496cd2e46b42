"""A writer process for the concurrency tests: runs write commands through the
real CLI entry point, one after another, each opening the store afresh as a
separate `ledger` invocation would (in-process only to spare 1,000 interpreter
start-ups). A command that exits 3 (conflict) is run again, a bounded number
of times. Prints a JSON summary.

    python concurrent_writer.py WORKER COUNT GO_FILE
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import time

from commands.cli import cli

MAX_RETRIES = 50


def command(worker: int, i: int) -> list[str]:
    if i % 5 == 0:  # new problems, numbered automatically: numbers must stay unique
        return ["add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", f"w{worker}-{i}", "--at", "2020-01-15"]
    # measures on the same four problems as every other writer
    return ["plan", f"XC2019-1-{i % 4 + 1}", f"w{worker}-{i}", "--at", "2020-01-16"]


def run(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            cli.main(args=argv, prog_name="ledger")
            code = 0
        except SystemExit as e:
            code = int(e.code or 0)
    return code, err.getvalue().strip()


def main() -> None:
    worker, count, go = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    os.environ["LEDGER_ACTOR"] = f"office{worker}"
    while not os.path.exists(go):  # start together
        time.sleep(0.01)
    summary = {"worker": worker, "ok": 0, "conflicts": 0, "failed": []}
    for i in range(count):
        argv = command(worker, i)
        for _ in range(MAX_RETRIES):
            code, err = run(argv)
            if code != 3:
                break
            summary["conflicts"] += 1
            time.sleep(0.01 * (worker + 1))
        if code == 0:
            summary["ok"] += 1
        else:
            summary["failed"].append([argv, code, err])
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
