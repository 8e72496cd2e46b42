"""Start-up cost of signing: a signed write command beside the interpreter-plus-imports floor.

    .venv/bin/python bench/signing.py [--runs 9]

Makes a throw-away ledger (keys under a throw-away XDG_CONFIG_HOME), then times,
in the same run: the floor (bench/scale.py's FLOOR), `add-problem` in trial mode
(unsigned), and `add-problem` and `escalate` with people enrolled (the key
loaded, the enrolment checked, the event signed). The rule: a write command
stays within 1.5x the floor.

The ledger's own modules are byte-compiled first, as `pip install` does for an
installed package: with PYTHONDONTWRITEBYTECODE set (or a read-only checkout) a
source checkout would otherwise recompile ~40 modules on every run, which the
floor's libraries (compiled at install) never do.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import statistics  # noqa: E402
import subprocess  # noqa: E402

from scale import FLOOR, compile_like_an_install, ledger_executable, run  # noqa: E402

# Wall time drifts with the machine's load; the child's CPU time (user + system) much less.
LAUNCHER = r"""
import os, sys, time
t = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
sys.stderr.write("\nBENCH %f %f\n" % (time.perf_counter() - t, usage.ru_utime + usage.ru_stime))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    full_env.update(env)
    child = subprocess.run([sys.executable, "-S", "-c", LAUNCHER, *argv], cwd=cwd, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err, _, last = child.stderr.rstrip("\n").rpartition("\nBENCH ")
    assert child.returncode == 0, (argv, err)
    wall, cpu = last.split()
    return float(wall), float(cpu)


def median_run(argv_for: Any, cwd: Path, runs: int, env: dict[str, str] | None = None) -> tuple[float, float]:
    results = [timed(argv_for(i), cwd, env or {}) for i in range(runs)]
    return statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)

INSPECTION = ["add-inspection", "XC1", "--name", "n", "--organisation", "o", "--group", "g", "--kind", "regular",
              "--start", "2020-01-01", "--end", "2020-01-10", "--feedback", "2020-01-12", "--at", "2020-01-12"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    exe = ledger_executable()
    compile_like_an_install()
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
        floors = [r[1] for r in rows if r[0].startswith(("interpreter", "floor"))]
        wall_floor, cpu_floor = min(f[0] for f in floors), min(f[1] for f in floors)
        print(f"| command | wall, median of {args.runs} | × floor | CPU time, median | × floor |")
        print("|---|---|---|---|---|")
        for name, (wall, cpu) in rows:
            print(f"| {name} | {wall:.3f} s | {wall / wall_floor:.2f} | {cpu:.3f} s | {cpu / cpu_floor:.2f} |")


if __name__ == "__main__":
    main()
