"""Speed of 屡查屡犯 matching (issue 26): `similar` and `add-problem` (with its check) on a big ledger
beside the interpreter-plus-imports floor, and `import` against the ledger without the index.

    .venv/bin/python bench/similar_scale.py                       # 115,000 problems, 50,000 import rows, 5 runs
    .venv/bin/python bench/similar_scale.py --problems 20000 --import-rows 10000 --runs 3   # a few minutes
    .venv/bin/python bench/similar_scale.py --baseline /work/main/.venv/bin/ledger         # "today's" import

The big ledger is made with `ledger import` of feedback lists whose titles are built from the
phrases offices use (an area such as 专项资金 or 公务用车 and a finding such as 管理不规范 or
审核把关不严, with a unit's detail), ~30 problems per inspection, one inspection per unit and year,
so the terms' document frequencies look like a real register's. Every command is timed as the
installed executable (wall time, median of --runs) in the same run as the floor (bench/scale.py's
FLOOR). `import` of --import-rows rows into a fresh ledger is timed with this tree's `ledger` and
with --baseline (another checkout's executable, e.g. main's), alternated, on the same lists: the
bench's usual list (tests/big_feedback.py) and one of realistic titles.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from scale import FLOOR, compile_like_an_install, ledger_executable, run  # noqa: E402
from signing import median_run as median_wall_cpu  # noqa: E402  (wall and the child's CPU time)

AREAS = (
    "专项资金", "公务用车", "政府采购", "津贴补贴", "公务接待", "财务报销", "国有资产", "工程项目", "办公用房", "干部档案",
    "党费收缴", "发展党员", "三会一课", "意识形态", "选人用人", "合同管理", "扶贫资金", "安全生产", "信访工作", "行政执法",
    "非税收入", "政务公开", "会议费培训费", "内部审计", "统计数据", "村级财务", "惠民补贴", "公务卡", "机关食堂", "兼职取酬",
    "礼品礼金", "八项规定精神", "党风廉政建设", "基层党组织", "巡察整改", "重大事项决策", "预算执行", "债务风险", "招标投标", "项目审批",
)
FINDINGS = (
    "管理不规范", "监管不到位", "审核把关不严", "制度执行不严格", "责任落实不到位", "存在违规问题", "整改不彻底", "流于形式",
    "工作推进缓慢", "底数不清", "程序不规范", "使用效益不高", "存在廉洁风险", "问题仍有发生", "机制不健全", "台账不完善",
)
DETAILS = ("", "", "，个别股室存在变通执行现象", "，下属单位问题突出", "，抽查发现多处问题", "，群众反映较多", "，屡有发生")
HEADER = ["inspection", "inspection_name", "organisation", "group", "kind", "start", "end", "feedback", "number", "category", "title"]


def title(rng: random.Random) -> str:
    return f"{rng.choice(AREAS)}{rng.choice(FINDINGS)}{rng.choice(DETAILS)}"


def write_register(folder: Path, problems: int, per_file: int = 20000, per_inspection: int = 30) -> list[Path]:
    """Feedback lists of `problems` problems: unit k inspected in year 2012 + (k mod 12); files of per_file rows."""
    rng = random.Random(26)
    files: list[Path] = []
    rows: list[list[str]] = []
    inspections = (problems + per_inspection - 1) // per_inspection
    units = max(1, inspections // 10)
    made = 0
    for k in range(inspections):
        unit, year = k % units, 2012 + k // units
        code = f"R{year}-{unit:04d}"
        for n in range(1, min(per_inspection, problems - made) + 1):
            head = [code, f"第{unit}单位{year}年巡察", f"第{unit}单位党组", "县委巡察组", "regular", f"{year}-03-01", f"{year}-04-01", f"{year}-05-01"]
            rows.append([*(head if n == 1 else [code] + [""] * 7), str(n), "反馈问题", title(rng)])
            made += 1
        if len(rows) >= per_file or made == problems:
            path = folder / f"register-{len(files) + 1}.csv"
            with open(path, "w", encoding="utf-8", newline="") as f:
                writer = csv.writer(f)
                writer.writerow(HEADER)
                writer.writerows(rows)
            files.append(path)
            rows = []
    return files


def timed_import(exe: str, listing: Path, folder: Path) -> tuple[float, float]:
    """(wall, the child's CPU time: user + system) of `exe import listing` into a fresh ledger."""
    import resource

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    wall, code, _, err = run([exe, "init"], folder)
    assert code == 0, err
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, code, _, err = run([exe, "import", str(listing)], folder)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert code == 0, err
    shutil.rmtree(folder, ignore_errors=True)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--problems", type=int, default=115_000)
    parser.add_argument("--import-rows", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", default=None, help="another `ledger` executable to time `import` against (e.g. main's)")
    parser.add_argument("--workdir", default=None, help="keep the big ledger here (reused when present)")
    parser.add_argument("--import-only", action="store_true", help="only the import timings (no big ledger, no similar)")
    parser.add_argument("--query-only", action="store_true", help="only similar and add-problem on the big ledger (no import timings)")
    parser.add_argument("--import-runs", type=int, default=2, help="imports of each list by each executable, alternated")
    args = parser.parse_args()
    compile_like_an_install()
    exe = ledger_executable()
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="similar-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    big = work / f"big-{args.problems}"
    rows: list[tuple[str, str, str, str]] = []

    def note(measure: str, value: str, against: str = "", target: str = "", met: str = "") -> None:
        rows.append((measure, value, against, target, met))
        print(" | ".join((measure, value, against, target, met)), file=sys.stderr, flush=True)

    if not args.import_only:
        measure_queries(args, exe, work, big, note)
    if not args.query_only:
        measure_imports(args, exe, work, note)
    print("\n| measure | median | against | target | met |\n|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)


def measure_queries(args: Any, exe: str, work: Path, big: Path, note: Any) -> None:
    """`similar` and `add-problem` on the big ledger (made first unless --workdir holds it), against the floor."""
    if not (big / "ledger.db").exists():
        big.mkdir(parents=True, exist_ok=True)
        files = write_register(big, args.problems)
        assert run([exe, "init"], big)[1] == 0
        start = time.perf_counter()
        for listing in files:
            wall, code, _, err = run([exe, "import", listing.name], big)
            assert code == 0, err
        note(f"building the big ledger ({len(files)} imports)", f"{time.perf_counter() - start:.1f} s")
    import sqlite3

    con = sqlite3.connect(big / "ledger.db")
    problems = con.execute("SELECT COUNT(*) FROM ledger_problems").fetchone()[0]
    # A row lists the problems of one write that have its term, apart by spaces.
    postings = con.execute("SELECT COALESCE(SUM(LENGTH(problem) - LENGTH(REPLACE(problem, ' ', '')) + 1), 0) FROM ledger_similar_terms").fetchone()[0]
    latest = [r[0] for r in con.execute(
        "SELECT id FROM ledger_problems WHERE inspection = (SELECT inspection FROM ledger_problems ORDER BY position DESC LIMIT 1) ORDER BY number"
    )]
    last_code = latest[0].rsplit("-", 1)[0]
    con.close()
    size = f"{problems:,} problems, {postings:,} postings"
    # Wall time drifts with the machine's load (other work on two cores); the child's CPU time much less:
    # both are printed, each against the floor measured the same way, right beside.
    env = {"LEDGER_ACTOR": "bench"}
    floor = median_wall_cpu(lambda i: FLOOR, work, args.runs)
    note("interpreter + imports floor", f"{floor[0]:.3f} s wall, {floor[1]:.3f} s CPU")
    rng = random.Random(7)
    for label, argv_for in (
        ("similar ID", lambda i: [exe, "similar", latest[i % len(latest)]]),
        ("similar --text", lambda i: [exe, "similar", "--text", title(rng)]),
        ("add-problem (with the check)", lambda i: [exe, "add-problem", "--inspection", last_code, "--category", "反馈问题", "--title", title(rng)]),
    ):
        result = median_wall_cpu(argv_for, big, args.runs, env)
        wall, cpu = result[0] / floor[0], result[1] / floor[1]
        note(f"{label}, {size}", f"{result[0]:.3f} s wall, {result[1]:.3f} s CPU", f"{wall:.2f}× floor (wall), {cpu:.2f}× (CPU)",
             "≤ 1.5× floor", "yes" if max(wall, cpu) <= 1.5 else ("CPU only" if cpu <= 1.5 else "NO"))
    floor_again = median_wall_cpu(lambda i: FLOOR, work, args.runs)
    note("interpreter + imports floor, again", f"{floor_again[0]:.3f} s wall, {floor_again[1]:.3f} s CPU")


def measure_imports(args: Any, exe: str, work: Path, note: Any) -> None:
    """`import` of --import-rows rows into a fresh ledger, this tree's executable and --baseline's alternated."""
    from big_feedback import write_big_csv

    lists = work / "lists"
    lists.mkdir(exist_ok=True)
    write_big_csv(lists / "bench.csv", args.import_rows)
    realistic = write_register(lists, args.import_rows, per_file=args.import_rows)[0]
    for name, listing in (("tests/big_feedback.py list", lists / "bench.csv"), ("realistic titles", realistic)):
        mine, theirs = [], []
        for _ in range(args.import_runs if args.baseline else 1):
            mine.append(timed_import(exe, listing, work / "import-mine"))
            if args.baseline:
                theirs.append(timed_import(args.baseline, listing, work / "import-baseline"))
        m = (statistics.median(w for w, _ in mine), statistics.median(c for _, c in mine))
        label = f"import {args.import_rows:,} rows ({name})"
        if theirs:
            t = (statistics.median(w for w, _ in theirs), statistics.median(c for _, c in theirs))
            wall, cpu = m[0] / t[0], m[1] / t[1]
            note(label, f"{m[0]:.1f} s wall, {m[1]:.1f} s CPU", f"{wall:.2f}× baseline (wall, {t[0]:.1f} s), {cpu:.2f}× (CPU, {t[1]:.1f} s)",
                 "≤ 1.2× baseline", "yes" if max(wall, cpu) <= 1.2 else ("CPU only" if cpu <= 1.2 else "NO"))
        else:
            note(label, f"{m[0]:.1f} s wall, {m[1]:.1f} s CPU", "no --baseline given")


if __name__ == "__main__":
    main()
