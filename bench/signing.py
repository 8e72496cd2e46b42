"""Start-up cost of signing: a signed write command beside the interpreter-plus-imports floor.

    .venv/bin/python bench/signing.py [--runs 9]

Makes a throw-away ledger (keys under a throw-away XDG_CONFIG_HOME), then times,
in the same run: the floor (bench/scale.py's FLOOR), `add-problem` in trial mode
(unsigned), and `add-problem` and `escalate` with people enrolled (the key
loaded, the enrolment checked, the event signed). The rule: a write command
stays within 1.5x the floor.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scale import FLOOR, fmt_time, ledger_executable, median_run, run  # noqa: E402

INSPECTION = ["add-inspection", "XC1", "--name", "n", "--organisation", "o", "--group", "g", "--kind", "regular",
              "--start", "2020-01-01", "--end", "2020-01-10", "--feedback", "2020-01-12", "--at", "2020-01-12"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    exe = ledger_executable()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        config_home = work / "config"
        os.environ["XDG_CONFIG_HOME"] = str(config_home)

        def ok(argv: list[str], actor: str) -> None:
            wall, code, _, err = run([exe, *argv], work, {"LEDGER_ACTOR": actor})
            assert code == 0, (argv, err)

        ok(["init"], "admin")
        ok(INSPECTION, "clerk")
        rows = []
        floor = median_run(lambda i: FLOOR, work, args.runs)
        rows.append(("interpreter + imports floor", floor))
        rows.append(("add-problem, trial mode (unsigned)", median_run(lambda i: [exe, "add-problem", "--inspection", "XC1", "--category", "c", "--title", f"u{i}"], work, args.runs, {"LEDGER_ACTOR": "clerk"})))
        ok(["person", "keygen", "王琎"], "admin")
        ok(["person", "add", "王琎", "--role", "registrar"], "admin")
        rows.append(("add-problem, signed", median_run(lambda i: [exe, "add-problem", "--inspection", "XC1", "--category", "c", "--title", f"s{i}"], work, args.runs, {"LEDGER_ACTOR": "王琎"})))
        rows.append(("escalate, signed", median_run(lambda i: [exe, "escalate", f"XC1-{i + 1}", "--level", "notice"], work, args.runs, {"LEDGER_ACTOR": "王琎"})))
        rows.append(("floor again", median_run(lambda i: FLOOR, work, args.runs)))
        floor_s = min(r[1][0] for r in rows if r[0].startswith(("interpreter", "floor")) and not isinstance(r[1], str))
        print(f"| command | median of {args.runs} | × floor |")
        print("|---|---|---|")
        for name, result in rows:
            ratio = "" if isinstance(result, str) else f"{result[0] / floor_s:.2f}"
            print(f"| {name} | {fmt_time(result)} | {ratio} |")


if __name__ == "__main__":
    main()
