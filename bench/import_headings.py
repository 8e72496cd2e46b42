"""Import of a 50,000-row feedback list, this tree against another (e.g. main), in the same run.

Run: .venv/bin/python bench/import_headings.py OLD_TREE [ROWS] [ROUNDS] [--read-only]   (default 50000 rows, 2 rounds)
     (make OLD_TREE with `git worktree add --detach /tmp/old main`)

Issue 25 reads headings through a larger table (normalised, specific before generic, extra columns kept)
and numbers, dates and types as offices type them; issue 24 adds a safe pass over an xlsx sheet. Target:
the new import within 10 % of the old one's time, and at most 150 MB. Each import runs in its own process
into a fresh SQLite ledger, old and new alternating; the figures are each side's best time and peak RSS.
Two files: the English-headed CSV of tests/big_feedback.py, and the same rows under Chinese 台账 headings.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from tabulate import tabulate

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE / "tests"))
from big_feedback import HEADER, write_big_csv  # noqa: E402
from timing import ledger_argv, measure  # noqa: E402

ZH = {"inspection": "巡察编号", "inspection_name": "巡察名称", "organisation": "被巡察单位", "group": "巡察组", "kind": "巡察类型",
      "start": "进驻时间", "end": "结束时间", "feedback": "反馈时间", "number": "序号", "category": "问题类别", "title": "反馈问题",
      "type": "整改类型", "deadline": "整改时限", "lead": "责任领导", "unit": "责任单位", "person": "责任人", "measure": "整改措施",
      "measure_due": "措施时限"}


def run(tree: Path, folder: Path, *args: str) -> tuple[float, int]:
    """Seconds and peak RSS (MB) of `ledger ARGS` run from `tree`'s sources."""
    env = {**os.environ, "LEDGER_ACTOR": "bench", "LEDGER_LANG": "en"}
    done = measure(ledger_argv(tree, *args), cwd=folder, env=env, what=f"{tree}: ledger {' '.join(args)}")
    return done.wall, done.max_rss_mb


def read_only(tree: Path, file: Path) -> tuple[float, int]:
    """Seconds and peak RSS (MB) of reading and checking the file alone (what the heading matching changes)."""
    code = (
        f"import sys, time; sys.path.insert(0, {str(tree)!r}); from ledger.feedback import read_feedback_lists; "
        f"t = time.perf_counter(); read_feedback_lists({str(file)!r}); print(time.perf_counter() - t)"
    )
    done = measure([sys.executable, "-c", code], what=f"{tree}: reading {file.name}")
    return float(done.stdout), done.max_rss_mb


def main() -> None:
    old = Path(sys.argv[1]).resolve()
    given = [a for a in sys.argv[1:] if not a.startswith("--")]
    rows = int(given[1]) if len(given) > 1 else 50_000
    rounds = int(given[2]) if len(given) > 2 else 2
    work = Path(tempfile.mkdtemp(prefix="ledger-bench-headings-"))
    try:
        write_big_csv(work / "en.csv", rows)
        text = (work / "en.csv").read_text(encoding="utf-8")
        zh_header = ",".join(ZH[c] for c in HEADER.split(","))
        (work / "zh.csv").write_text(text.replace(HEADER, zh_header, 1), encoding="utf-8")
        reads: dict[tuple[str, str], tuple[float, int]] = {}
        for _ in range(3 * rounds):  # the read alone, many times: the machine is shared, the best run is the figure
            for file in ("en.csv", "zh.csv"):
                for side, tree in (("old", old), ("new", HERE)):
                    seconds, mb = read_only(tree, work / file)
                    was = reads.get((side, file), (float("inf"), 0))
                    reads[(side, file)] = (min(was[0], seconds), max(was[1], mb))
        print(tabulate(
            [[f, rows, f"{reads[('old', f)][0]:.2f}", f"{reads[('new', f)][0]:.2f}", f"{reads[('new', f)][0] / reads[('old', f)][0]:.3f}",
              reads[("old", f)][1], reads[("new", f)][1]] for f in ("en.csv", "zh.csv")],
            headers=["read and check only", "rows", "old s", "new s", "new/old", "old MB", "new MB"],
        ))
        print()
        if "--read-only" in sys.argv:
            return
        best: dict[tuple[str, str], tuple[float, int]] = {}
        for _ in range(rounds):
            for file in ("en.csv", "zh.csv"):
                for side, tree in (("old", old), ("new", HERE)):
                    folder = work / f"{side}-{file}"
                    shutil.rmtree(folder, ignore_errors=True)
                    folder.mkdir()
                    run(tree, folder, "init")
                    seconds, mb = run(tree, folder, "import", str(work / file))
                    was = best.get((side, file), (float("inf"), 0))
                    best[(side, file)] = (min(was[0], seconds), max(was[1], mb))
        table = []
        for file in ("en.csv", "zh.csv"):
            (o, om), (n, nm) = best[("old", file)], best[("new", file)]
            table.append([file, rows, f"{o:.2f}", f"{n:.2f}", f"{n / o:.3f}", om, nm, "met" if n <= 1.1 * o and nm <= 150 else "NOT met"])
        print(tabulate(table, headers=["file", "rows", "old s", "new s", "new/old", "old MB", "new MB", "≤1.10 and ≤150 MB"]))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
