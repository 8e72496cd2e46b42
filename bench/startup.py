"""Start-up of read and write commands, this tree against another (e.g. main), interleaved in the same run.

Run: .venv/bin/python bench/startup.py OLD_TREE [ROUNDS]   (default 15 rounds)
     (make OLD_TREE with `git worktree add --detach /tmp/old main`)

Issue 30 wants start-up of read and write commands within 5 % of before. Each command runs from each
tree's sources in its own process, old and new alternating (which goes first alternates too), on one small ledger made once (a write
command adds a problem and is followed by nothing else); the figures are each side's median wall and CPU time.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from tabulate import tabulate

from timing import ledger_argv, measure

HERE = Path(__file__).resolve().parent.parent

READS = [("status",), ("show", "XC2019-1-1"), ("summary",), ("history", "XC2019-1-1")]
WRITE = ("add-problem", "--inspection", "XC2019-1", "--category", "作风", "--title", "会议多")


def run(tree: Path, folder: Path, *args: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system) of `ledger ARGS` from `tree`'s sources; CPU time is less
    disturbed by other work on a shared machine than wall time."""
    env = {**os.environ, "LEDGER_ACTOR": "bench", "LEDGER_LANG": "en", "PYTHONDONTWRITEBYTECODE": ""}
    done = measure(ledger_argv(tree, *args), cwd=folder, env=env, what=f"{tree}: ledger {' '.join(args)}")
    return done.wall, done.cpu


def modules_loaded(tree: Path, folder: Path, *args: str) -> set[str]:
    """The modules a command has imported when it ends (less noisy than time on a shared machine)."""
    code = (
        f"import sys, atexit; sys.path.insert(0, {str(tree)!r}); "
        "atexit.register(lambda: sys.__stderr__.write('\\nMODULES ' + ' '.join(sorted(sys.modules)) + '\\n')); "
        f"from commands.cli import main; sys.argv = ['ledger', *{list(args)!r}]; main()"
    )
    env = {**os.environ, "LEDGER_ACTOR": "bench", "LEDGER_LANG": "en"}
    done = subprocess.run([sys.executable, "-c", code], cwd=folder, env=env, capture_output=True, text=True)
    line = [x for x in done.stderr.splitlines() if x.startswith("MODULES ")][-1]
    return set(line.split()[1:])


def main() -> None:
    old = Path(sys.argv[1]).resolve()
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    trees = {"old": old, "new": HERE}
    for tree in trees.values():
        subprocess.run([sys.executable, "-m", "compileall", "-q", *(str(tree / p) for p in ("ledger", "commands", "projections", "composition") if (tree / p).is_dir())], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        run(HERE, folder, "init")
        run(HERE, folder, "add-inspection", "XC2019-1", "--name", "县委第一巡察组巡察县民政局党组", "--organisation", "县民政局党组",
            "--group", "县委第一巡察组", "--kind", "regular", "--start", "2019-10-28", "--end", "2019-11-18", "--feedback", "2020-01-14")
        run(HERE, folder, *WRITE)
        differ = {}
        for args in [*READS, WRITE]:
            old_set, new_set = modules_loaded(old, folder, *args), modules_loaded(HERE, folder, *args)
            differ[args[0]] = (len(old_set), len(new_set), sorted(new_set - old_set), sorted(old_set - new_set))
        times: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for round_no in range(rounds):
            for args in [*READS, WRITE]:
                for side in (("old", "new") if round_no % 2 == 0 else ("new", "old")):  # neither side always runs first
                    times.setdefault((" ".join(args[:2] if args is not WRITE else args[:1]), side), []).append(run(trees[side], folder, *args))
    rows = []
    for command in dict.fromkeys(k[0] for k in times):
        cells = [f"`{command}`"]
        for which in (0, 1):  # wall, CPU
            before = statistics.median(t[which] for t in times[(command, "old")])
            after = statistics.median(t[which] for t in times[(command, "new")])
            cells += [f"{before * 1000:.0f} ms", f"{after * 1000:.0f} ms", f"{after / before:.2f}×"]
        rows.append(tuple(cells))
    headers = ["command", "wall before", "wall after", "÷", "CPU before", "CPU after", "÷"]
    print(tabulate(rows, headers=headers, tablefmt="github", colalign=("left",) + ("right",) * 6))
    print()
    for command, (before, after, added, gone) in differ.items():
        print(f"{command}: {before} → {after} modules; added {', '.join(added) or 'none'}; gone {', '.join(gone) or 'none'}")


if __name__ == "__main__":
    main()
