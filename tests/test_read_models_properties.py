"""Properties of the read side, over random command sequences on a real SQLite store.

1. The read models kept incrementally (written with each save) equal a full
   replay of the event log, whatever commands ran (including refused ones).
2. The state `--as-of T` equals the state the ledger held at T: after every
   command the stored read models are snapshotted, and a rebuild from only the
   events recorded up to that moment must give exactly the snapshot.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composition import ledger_over
from ledger.application import RectificationLedger
from ledger.errors import LedgerError
from ledger.store import sqlite_env
from ledger.values import MeasureOutcomes
from projections.summary import summarise
import projections.summary as summary_module
from composition import store_schema
from ledger.integrity import verify_store
from projections.read_model_check import COMPARED, check_by_digests, check_read_models
from projections.replay import as_of_connection, materialise, rebuild

CODE = "XC2020-1"

advance = st.tuples(st.just("advance"), st.integers(1, 3), st.sampled_from(["holds", "relapsed"]))

others = st.one_of(
        st.tuples(st.just("add"), st.sampled_from(["甲方面", "乙方面"]), st.sampled_from(["deadline", "long-term"])),
        st.tuples(st.just("add"), st.sampled_from(["甲方面", "乙方面", "丙方面"]), st.sampled_from(["deadline", "long-term", "immediate"])),
        st.tuples(st.just("assign"), st.integers(1, 4), st.sampled_from(["张三", "李四"])),
        st.tuples(st.just("plan"), st.integers(1, 4), st.text("措施整改制度", min_size=1, max_size=6)),
        st.tuples(st.just("done"), st.integers(1, 4), st.integers(1, 3), st.integers(0, 2), st.integers(0, 99999)),
        st.tuples(st.just("verify"), st.integers(1, 4), st.sampled_from(["good", "fair", "poor", "bad"])),
        st.tuples(st.just("close"), st.integers(1, 4)),
        st.tuples(st.just("review"), st.integers(1, 4), st.sampled_from(["holds", "relapsed"])),
        st.tuples(st.just("reopen"), st.integers(1, 4)),
        st.tuples(st.just("correct"), st.integers(1, 4), st.sampled_from(["title", "category"]), st.text("改正后", min_size=1, max_size=4)),
        st.tuples(st.just("withhold"), st.integers(1, 4), st.sampled_from(["problem", "title", "measures", "M1"])),
        st.tuples(st.just("inspection"), st.sampled_from(["name", "group"]), st.text("新名称", min_size=1, max_size=4)),
)

# Half the steps advance a problem along its life, so sequences reach closure and relapse.
commands = st.lists(
    st.booleans().flatmap(lambda b: advance if b else others),
    min_size=10,
    max_size=50,
)


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def run(app: RectificationLedger, step: tuple) -> None:
    kind, *args = step
    pid = f"{CODE}-{args[0]}" if kind not in ("add", "inspection") else None
    if kind == "advance":
        advance_problem(app, pid, args[1])
    elif kind == "add":
        app.add_problem(inspection=CODE, category=args[0], title="关于“某”的问题", type=args[1], actor="clerk")
    elif kind == "assign":
        app.assign(pid, lead="领导", unit="办公室", person=args[1], deadline=None, actor="clerk")
    elif kind == "plan":
        app.plan_measure(pid, text=args[1], due=None, actor="张三")
    elif kind == "done":
        app.complete_measure(pid, f"M{args[1]}", outcomes=MeasureOutcomes(rules=args[2], funds=Decimal(args[3]) / 100, clues=args[2], accountable={"discipline": args[2]} if args[2] else {}), actor="张三")
    elif kind == "verify":
        app.verify(pid, grade=args[1], actor="巡察办")
    elif kind == "close":
        app.sign_off(pid, actor="主要负责人")
    elif kind == "review":
        app.record_review(pid, result=args[1], note="回头看", actor="巡察办")
    elif kind == "reopen":
        app.reopen(pid, reason="反弹", actor="巡察办")
    elif kind == "correct":
        app.correct_problem(pid, field=args[1], value=args[2], reason="更正", actor="clerk")
    elif kind == "withhold":
        app.withhold(pid, reason="privacy", fields=[args[1]], actor="clerk")
    elif kind == "inspection":
        app.correct_inspection(CODE, field=args[0], value=args[1], reason="更正", actor="clerk")


def advance_problem(app: RectificationLedger, pid: str, choice: str) -> None:
    """The next sensible step of a problem's life, so random sequences reach deep states."""
    problem = app.get_problem(pid)
    if problem.status == "registered":
        app.assign(pid, lead="领导", unit="办公室", person="张三", deadline=None, actor="clerk")
    elif problem.status == "in_progress":
        planned = [m for m in problem.measures if m["status"] == "planned"]
        if planned:
            app.complete_measure(pid, planned[0]["id"], outcomes=MeasureOutcomes(rules=1, funds=Decimal("12.34")), actor="张三")
        elif not problem.measures or problem.verifications and problem.verifications[-1]["at"] >= problem.last_completed_at:
            app.plan_measure(pid, text="整改措施", due=None, actor="张三")
        else:
            app.verify(pid, grade="poor" if choice == "poor" else "good", actor="巡察办")
    elif problem.status == "verified":
        app.sign_off(pid, actor="主要负责人")
    else:
        app.record_review(pid, result="relapsed" if choice == "relapsed" else "holds", note="回头看", actor="巡察办")


def summary_by_grouping(cursor, today) -> dict:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(summary_module, "has_totals", lambda *args: False)
        return summarise(cursor, today=today)


def snapshot(cursor) -> dict:
    out = {}
    for table, (_, sql) in COMPARED.items():
        cursor.execute(sql)
        out[table] = [tuple(r) for r in cursor.fetchall()]
    return out


def fresh_ledger(folder: Path) -> RectificationLedger:
    app = ledger_over(env=sqlite_env(str(folder / "ledger.db"), create=True))
    app.add_inspection(
        code=CODE, name="巡察", organisation="某局党组", group="县委第二巡察组", kind="regular",
        start=datetime(2020, 3, 1).date(), end=datetime(2020, 4, 1).date(), feedback=None, actor="clerk",
    )
    for category in ("甲方面", "乙方面"):
        app.add_problem(inspection=CODE, category=category, title="关于“某”的问题", actor="clerk")
    return app


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=commands)
def test_incremental_read_models_equal_a_full_replay(steps, monkeypatch):
    import eventsourcing.domain

    monkeypatch.setattr(eventsourcing.domain, "datetime_now_with_tzinfo", Clock())
    with tempfile.TemporaryDirectory() as folder:
        app = fresh_ledger(Path(folder))
        try:
            for step in steps:
                try:
                    run(app, step)
                except LedgerError:
                    pass  # refused by a rule: nothing written
            rebuilt = materialise(rebuild(app))
            with app.recorder.reading() as c:
                assert snapshot(c) == snapshot(rebuilt.cursor())
                # `ledger replay`'s aggregate-at-a-time check agrees.
                assert check_read_models(app, None, jobs=1).difference is None
                # Every row matches the digest the chain committed for it (`audit --verify`), and the chain holds.
                assert check_by_digests(app, c) is None
                verify_store(str(Path(folder) / "ledger.db"), schema=store_schema())
                # The category totals kept by triggers give the summary a GROUP BY over every problem gives.
                today = datetime.now().date()
                assert summarise(c, today=today) == summary_by_grouping(c, today)
        finally:
            app.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=commands)
def test_as_of_equals_the_state_built_from_the_events_up_to_then(steps, monkeypatch):
    import eventsourcing.domain

    clock = Clock()
    monkeypatch.setattr(eventsourcing.domain, "datetime_now_with_tzinfo", clock)
    with tempfile.TemporaryDirectory() as folder:
        app = fresh_ledger(Path(folder))
        try:
            moments = []
            for step in steps:
                try:
                    run(app, step)
                except LedgerError:
                    pass
                moment = clock.now + timedelta(milliseconds=500)  # after this step, before the next
                with app.recorder.reading() as c:
                    moments.append((moment, snapshot(c)))
            for moment, expected in moments:
                past = as_of_connection(app, moment)
                assert snapshot(past.cursor()) == expected
                past.close()
            before = as_of_connection(app, datetime(2000, 1, 1, tzinfo=timezone.utc))
            assert snapshot(before.cursor()) == {t: [] for t in COMPARED}
        finally:
            app.close()


@pytest.mark.sqlite_only  # reads or edits the SQLite file itself
def test_replay_names_the_first_difference_after_tampering(inspected):
    inspected("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", "关于“甲”的问题")
    inspected("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", "关于“乙”的问题")
    assert "derived tables match" in inspected.out("replay")
    import sqlite3

    con = sqlite3.connect(inspected.folder / "ledger.db")
    con.execute("UPDATE ledger_problems SET status = 'closed' WHERE id = 'XC2019-1-2'")
    con.commit()
    result = inspected("replay", expect=4)
    assert "XC2019-1-2 status differs: stored 'closed', replay 'registered'" in result.stderr
    assert "events" in result.stdout
    con.execute("UPDATE ledger_problems SET status = 'registered', data = replace(data, '“乙”', '“丙”') WHERE id = 'XC2019-1-2'")
    con.commit()
    result = inspected("replay", expect=4)
    assert "XC2019-1-2 data differs at title" in result.stderr
    con.execute("DELETE FROM ledger_problems WHERE id = 'XC2019-1-1'")
    con.commit()
    con.close()
    assert "XC2019-1-1 is missing" in inspected("replay", expect=4).stderr


def test_replay_reports_count_time_and_rate_as_json(inspected):
    record = inspected.json("replay")
    assert record["events"] == 2 and record["matches"]  # the founding event and the inspection is True and record["difference"] is None
    assert record["events_per_second"] > 0 and record["seconds"] >= 0


def test_as_of_in_the_future_is_refused(inspected):
    result = inspected("status", "--as-of", "2090-01-01", expect=2)
    assert "--as-of" in result.stderr and "future" in result.stderr
