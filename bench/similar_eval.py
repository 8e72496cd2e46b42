"""How well `ledger similar` finds a problem fed back again in other words (issue 26).

    .venv/bin/python bench/similar_eval.py [--threshold 0.3]

tests/data/similar_eval.yaml holds ~40 pairs (a problem fed back in 2021 and the same problem,
reworded, fed back to the same organisation in 2024), ~40 unrelated 2024 problems and ~40 other
2021 problems in the same words (background the earlier problem must be told apart from). This
script imports the 2021 lists (one inspection per organisation) and then the 2024 lists into a
fresh ledger with the installed `ledger import`, then asks, for every 2024 problem, what
`ledger similar ID` answers (the same query, in-process, so thresholds can be swept). It prints:

- recurrences found first: the share of reworded problems whose earlier problem is listed first
  (want ≥ 80 %), and listed at all;
- unrelated given a suggestion: the share of unrelated problems given any suggestion (want ≤ 20 %);
- the same two figures at other thresholds, and the misses by name.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

DATA = REPO / "tests" / "data" / "similar_eval.yaml"
LEDGER = str(Path(sys.executable).parent / "ledger")
HEADER = ["inspection", "inspection_name", "organisation", "group", "kind", "start", "end", "feedback", "number", "category", "title"]


def write_lists(folder: Path, data: dict) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """The 2021 and 2024 feedback lists as CSV; (later id → earlier id, later id → text, unrelated ids)."""
    codes = {org: n for n, org in enumerate(data["organisations"], 1)}
    numbers: dict[str, int] = {}

    def row(year: int, org: str, title: str) -> tuple[list[str], str]:
        code = f"XC{year}-{codes[org]}"
        numbers[code] = numbers.get(code, 0) + 1
        first = numbers[code] == 1
        head = [code, f"{org}{year}年巡察", org, "县委巡察组", "regular", f"{year}-03-01", f"{year}-04-01", f"{year}-05-01"] if first else [code] + [""] * 7
        return [*head, str(numbers[code]), "反馈问题", title], f"{code}-{numbers[code]}"

    earlier_rows, later_rows = [], []
    pairs: dict[str, str] = {}
    texts: dict[str, str] = {}
    unrelated: list[str] = []
    earlier_id = {}
    for pair in data["pairs"]:
        r, ident = row(2021, pair["organisation"], pair["earlier"])
        earlier_rows.append(r)
        earlier_id[id(pair)] = ident
    for item in data.get("background", []):
        earlier_rows.append(row(2021, item["organisation"], item["title"])[0])
    for pair in data["pairs"]:
        r, ident = row(2024, pair["organisation"], pair["later"])
        later_rows.append(r)
        pairs[ident] = earlier_id[id(pair)]
        texts[ident] = pair["later"]
    for item in data["unrelated"]:
        r, ident = row(2024, item["organisation"], item["title"])
        later_rows.append(r)
        unrelated.append(ident)
        texts[ident] = item["title"]
    for name, rows in (("2021.csv", earlier_rows), ("2024.csv", later_rows)):
        with open(folder / name, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(HEADER)
            # rows of one inspection together, its header row first
            for code in sorted({r[0] for r in rows}):
                writer.writerows(r for r in rows if r[0] == code)
    return pairs, texts, unrelated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threshold", type=float, default=None, help="the threshold reported (default: ledger.yaml's default)")
    args = parser.parse_args()
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="similar-eval-") as tmp:
        folder = Path(tmp)
        pairs, texts, unrelated = write_lists(folder, data)
        env_run = {"cwd": folder, "capture_output": True, "text": True, "check": True}
        subprocess.run([LEDGER, "init"], **env_run)
        subprocess.run([LEDGER, "--actor", "bench", "import", "2021.csv"], **env_run)
        subprocess.run([LEDGER, "--actor", "bench", "import", "2024.csv"], **env_run)

        from dataclasses import replace

        from composition import open_ledger
        from ledger.config import load_config
        from projections.recurrence import like, subject_of
        from projections.similarity import Matching

        config = load_config(folder / "ledger.yaml")
        base = Matching.from_config(config)
        chosen = base.threshold if args.threshold is None else args.threshold
        app = open_ledger(config)
        answers: dict[str, list[dict]] = {}
        try:
            everything = replace(base, threshold=0.0)
            with app.recorder.reading() as c:
                for ident in [*pairs, *unrelated]:
                    answers[ident] = like(c, subject_of(c, ident, "?"), everything, limit=10)
        finally:
            app.close()

    def figures(threshold: float) -> tuple[float, float, float, list[str], list[str]]:
        first = anywhere = 0
        missed = []
        for ident, earlier in pairs.items():
            listed = [r["id"] for r in answers[ident] if r["score"] >= threshold]
            first += bool(listed) and listed[0] == earlier
            anywhere += earlier in listed
            if not listed or listed[0] != earlier:
                top = next((f"{r['id']} {r['score']:.2f}" for r in answers[ident] if r["score"] >= threshold), "nothing")
                mine = next((r["score"] for r in answers[ident] if r["id"] == earlier), 0.0)
                missed.append(f"{texts[ident]}: first {top}; its earlier problem {earlier} scored {mine:.2f}")
        noisy = [i for i in unrelated if any(r["score"] >= threshold for r in answers[i])]
        noise = [f"{texts[i]}: {answers[i][0]['id']} {answers[i][0]['score']:.2f}" for i in noisy]
        return first / len(pairs), anywhere / len(pairs), len(noisy) / len(unrelated), missed, noise

    print(f"{len(pairs)} reworded recurrences, {len(unrelated)} unrelated new problems, "
          f"{len(pairs) + len(data.get('background', []))} earlier problems ({DATA.relative_to(REPO)})\n")
    print("| threshold | recurrences found first | found in the list | unrelated given a suggestion |")
    print("|---|---|---|---|")
    for t in sorted({0.2, 0.25, 0.3, 0.35, 0.4, 0.5, chosen}):
        f, a, n, _, _ = figures(t)
        mark = " (default)" if t == chosen else ""
        print(f"| {t:.2f}{mark} | {f:.0%} | {a:.0%} | {n:.0%} |")
    f, a, n, missed, noise = figures(chosen)
    print(f"\nAt {chosen:.2f}: found first {f:.0%} (want ≥ 80 %: {'met' if f >= 0.8 else 'NOT met'}), "
          f"unrelated given a suggestion {n:.0%} (want ≤ 20 %: {'met' if n <= 0.2 else 'NOT met'})")
    if missed:
        print("\nRecurrences not found first:")
        print("\n".join(f"- {m}" for m in missed))
    if noise:
        print("\nUnrelated problems given a suggestion:")
        print("\n".join(f"- {m}" for m in noise))


if __name__ == "__main__":
    main()
