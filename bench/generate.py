"""Generate a province-scale ledger in bulk, in-process.

Each inspected organisation is one inspection with PROBLEMS problems of about
ten events each (registered, assigned, three measures planned and done,
verified, signed off; every third problem still in progress). One
organisation — its inspection, problems and all their events — is saved in one
transaction through the ledger's own application (so read models, and the
hash chain where the build has one, are written exactly as by the commands).

Re-running continues where a previous run stopped (organisations already in
the store are skipped), so a killed run can simply be run again.

    python bench/generate.py --store ledger.db --organisations 1000
    python bench/generate.py --store postgresql://user@host:5432/db --organisations 100
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eventsourcing.application import AggregateNotFoundError  # noqa: E402

from composition import ledger_over  # noqa: E402
from ledger.application import RectificationLedger  # noqa: E402
from ledger.domain import Inspection, Problem, inspection_uuid  # noqa: E402
from ledger.store import store_env  # noqa: E402
from ledger.values import MeasureOutcomes  # noqa: E402

PROBLEMS = 30
CATEGORIES = ("政治站位方面", "党的领导方面", "全面从严治党方面", "选人用人方面", "基层党建方面", "意识形态方面")
UNITS = ("办公室", "财务股", "人事股", "党建办", "法规股", "综合股")
POLICY = {"separate_verifier": True, "separate_signer": True}


def open_app(store: str) -> RectificationLedger:
    return ledger_over(env=store_env(store, create=True), policy=POLICY)


def code_of(k: int) -> str:
    return f"P{k:05d}-1"


def organisation(k: int, problems: int = PROBLEMS) -> tuple[Inspection, list[Problem]]:
    """One inspected organisation with its problems, as unsaved aggregates."""
    base = datetime(2020, 1, 14, 9, tzinfo=timezone.utc) + timedelta(minutes=k)
    inspection = Inspection.register(
        code=code_of(k), name=f"市委第{k % 9 + 1}巡察组巡察第{k}单位党组", organisation=f"第{k}单位党组",
        group=f"市委第{k % 9 + 1}巡察组", kind="regular", start=date(2019, 10, 28), end=date(2019, 11, 18),
        feedback=date(2020, 1, 14), actor="巡察办", at=base,
    )
    found = []
    for n in range(1, problems + 1):
        at = base + timedelta(days=1, seconds=n)
        p = Problem.register(
            inspection=inspection, number=n, category=CATEGORIES[n % len(CATEGORIES)], title=f"问题{n}：整改不到位",
            description="", type="deadline", source="巡察", deadline=date(2020, 3, 31), actor="巡察办", at=at,
        )
        p.assign(lead="王局长", unit=UNITS[n % len(UNITS)], person=f"责任人{n % 7}", deadline=date(2020, 3, 31), actor="巡察办", at=at + timedelta(days=1))
        for m in range(3):
            p.plan_measure(text=f"整改措施{m + 1}", due=date(2020, 3, 1), actor="责任人", at=at + timedelta(days=2))
        if n % 3 == 0:  # still in progress
            p.complete_measure(measure_id="M1", evidence=["e.pdf"], outcomes=MeasureOutcomes(rules=1), actor="责任人", at=at + timedelta(days=3))
        else:
            for m in range(3):
                p.complete_measure(measure_id=f"M{m + 1}", evidence=[f"证明{m}.pdf"], outcomes=MeasureOutcomes(rules=1, funds=Decimal("100.50")), actor="责任人", at=at + timedelta(days=3))
            p.verify(grade="good", note="核查属实", actor="核查组", at=at + timedelta(days=4), policy=POLICY)
            p.sign_off(note="销号", actor="巡察办主任", at=at + timedelta(days=5), policy=POLICY)
        found.append(p)
    return inspection, found


def events_per_organisation(problems: int = PROBLEMS) -> int:
    inspection, found = organisation(0, problems)
    return 1 + sum(p.version for p in found)


def generate(store: str, organisations: int, problems: int = PROBLEMS, start: int = 0, quiet: bool = True) -> int:
    """Saves organisations start..start+organisations-1 (skipping those present); returns events written."""
    app = open_app(store)
    written = 0
    try:
        for k in range(start, start + organisations):
            try:
                app.repository.get(inspection_uuid(code_of(k)))
                continue  # saved by an earlier (perhaps killed) run
            except AggregateNotFoundError:
                pass
            inspection, found = organisation(k, problems)
            app._save(inspection, *found)  # one transaction per organisation
            written += 1 + sum(p.version for p in found)
            if not quiet and k % 100 == 0:
                print(f"  {k}/{organisations}", file=sys.stderr, flush=True)
    finally:
        app.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", required=True)
    parser.add_argument("--organisations", type=int, default=1000)
    parser.add_argument("--problems", type=int, default=PROBLEMS)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--progress", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("LEDGER_ACTOR", "bench")
    t = time.perf_counter()
    n = generate(args.store, args.organisations, args.problems, args.start, quiet=not args.progress)
    print(f"{n} events in {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
