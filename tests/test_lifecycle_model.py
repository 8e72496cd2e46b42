"""Property test: random command sequences against a simple model of the rules.

Checks after every step that the ledger accepted exactly what the model allows,
that no forbidden state is reached, and that the stored read model equals the
state rebuilt from the events alone.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from composition import open_ledger
from ledger.config import Config
from ledger.domain import Problem
from ledger.values import SIGNED_OFF_STATUSES
from ledger.errors import LedgerError
from projections.views import problem_view

WORKER, VERIFIER, SIGNER = "王琎", "巡察办", "领导小组"
ACTORS = st.sampled_from([WORKER, VERIFIER, SIGNER])


class ModelProblem:
    def __init__(self, kind: str):
        self.kind = kind
        self.status = "registered"
        self.measures: list[str] = []  # "planned" | "done"
        self.doers: set[str] = set()
        self.relapses = 0
        self.verified_since_work = False
        self.deadline: date | None = None  # in force: the assignment's, or an approved extension's
        self.pending: date | None = None  # an extension asked for, not yet decided
        self.requester: str | None = None


ASSIGNED_DEADLINE = date(2020, 3, 31)


class LedgerLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="ledger-model-"))
        config = Config(path=self.folder / "ledger.yaml")
        self.app = open_ledger(config, create=True)
        self.clock = datetime(2020, 1, 14, tzinfo=timezone.utc)
        self.app.add_inspection(
            code="XC", name="n", organisation="o", group="g", kind="regular",
            start=date(2019, 10, 28), end=date(2019, 11, 18), feedback=date(2020, 1, 14),
            actor="clerk", at=self.tick(),
        )
        self.model: dict[str, ModelProblem] = {}

    def teardown(self) -> None:
        self.app.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def tick(self) -> datetime:
        self.clock += timedelta(hours=1)
        return self.clock

    def attempt(self, allowed: bool, action) -> bool:
        """Run `action`; it must succeed exactly when the model allows it."""
        try:
            action()
        except LedgerError as e:
            assert not allowed, f"refused although allowed: {e}"
            return False
        assert allowed, "accepted although the rules forbid it"
        return True

    def ids(self) -> list[str]:
        return sorted(self.model)

    # -- commands ---------------------------------------------------------------

    @initialize(kind=st.sampled_from(["immediate", "deadline", "long-term"]))
    def first_problem(self, kind):
        self.add_problem(kind)

    @precondition(lambda self: len(self.model) < 3)
    @rule(kind=st.sampled_from(["immediate", "deadline", "long-term"]))
    def add_problem(self, kind):
        problem = self.app.add_problem(inspection="XC", category="政治站位方面", title="t", type=kind, actor="clerk", at=self.tick()).problem
        self.model[problem.display_id] = ModelProblem(kind)

    # -- commands: each takes a problem and tries the act -------------------------

    def do_assign(self, pid):
        m = self.model[pid]
        allowed = m.status not in SIGNED_OFF_STATUSES
        if self.attempt(allowed, lambda: self.app.assign(pid, lead="l", unit="u", person=WORKER, deadline=ASSIGNED_DEADLINE, actor="clerk", at=self.tick())):
            m.deadline = ASSIGNED_DEADLINE  # a later assignment supersedes an earlier extension
            if m.status == "registered":
                m.status = "in_progress"

    def do_extend(self, pid, actor, days):
        m = self.model[pid]
        to = (m.deadline or ASSIGNED_DEADLINE) + timedelta(days=days)
        allowed = m.status not in SIGNED_OFF_STATUSES and m.pending is None and m.deadline is not None and to > m.deadline
        if self.attempt(allowed, lambda: self.app.request_extension(pid, to=to, reason="理由", actor=actor, at=self.tick())):
            m.pending, m.requester = to, actor

    def do_decide(self, pid, actor, approve):
        m = self.model[pid]
        allowed = m.pending is not None and actor != m.requester and (not approve or m.status not in SIGNED_OFF_STATUSES)
        if self.attempt(allowed, lambda: self.app.decide_extension(pid, approve=approve, actor=actor, at=self.tick())):
            if approve:
                m.deadline = m.pending
            m.pending = m.requester = None

    def do_plan(self, pid):
        m = self.model[pid]
        allowed = m.status not in SIGNED_OFF_STATUSES
        if self.attempt(allowed, lambda: self.app.plan_measure(pid, text="措施", due=None, actor="clerk", at=self.tick())):
            m.measures.append("planned")
            if m.status == "verified":
                m.status = "in_progress"

    def do_done(self, pid, index, actor):
        m = self.model[pid]
        exists = index < len(m.measures)
        allowed = exists and m.status not in SIGNED_OFF_STATUSES and m.status != "registered" and m.measures[index] == "planned"
        if self.attempt(allowed, lambda: self.app.complete_measure(pid, f"M{index + 1}", evidence=["e"], actor=actor, at=self.tick())):
            m.measures[index] = "done"
            m.doers.add(actor)
            if m.status == "verified":
                m.status = "in_progress"

    def do_verify(self, pid, actor, grade):
        m = self.model[pid]
        allowed = (
            m.status not in SIGNED_OFF_STATUSES
            and "done" in m.measures
            and (all(x == "done" for x in m.measures) or m.kind == "long-term")
            and actor not in m.doers
        )
        if self.attempt(allowed, lambda: self.app.verify(pid, grade=grade, actor=actor, at=self.tick())):
            m.status = "verified" if grade in ("good", "fair") else "in_progress"

    def do_close(self, pid, actor):
        m = self.model[pid]
        allowed = m.status == "verified" and actor not in m.doers
        if self.attempt(allowed, lambda: self.app.sign_off(pid, actor=actor, at=self.tick())):
            m.status = "ongoing" if m.kind == "long-term" else "closed"

    def do_review(self, pid, relapsed):
        m = self.model[pid]
        allowed = m.status in SIGNED_OFF_STATUSES
        result = "relapsed" if relapsed else "holds"
        if self.attempt(allowed, lambda: self.app.record_review(pid, result=result, note="回头看", actor=VERIFIER, at=self.tick())):
            if relapsed:
                m.status = "in_progress"
                m.relapses += 1

    def do_reopen(self, pid):
        m = self.model[pid]
        allowed = m.status in SIGNED_OFF_STATUSES
        if self.attempt(allowed, lambda: self.app.reopen(pid, reason="反弹", actor=VERIFIER, at=self.tick())):
            m.status = "in_progress"
            m.relapses += 1

    # -- rules: any act on any problem by anyone ---------------------------------

    def pick(self, data):
        return data.draw(st.sampled_from(self.ids()))

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def assign(self, data):
        self.do_assign(self.pick(data))

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def plan(self, data):
        pid = self.pick(data)
        if len(self.model[pid].measures) < 3:  # keep sequences short enough to reach sign-off
            self.do_plan(pid)

    @precondition(lambda self: self.model)
    @rule(data=st.data(), actor=ACTORS)
    def done(self, data, actor):
        pid = self.pick(data)
        index = data.draw(st.integers(min_value=0, max_value=len(self.model[pid].measures)))
        self.do_done(pid, index, actor)

    @precondition(lambda self: self.model)
    @rule(data=st.data(), actor=ACTORS, grade=st.sampled_from(["good", "fair", "poor", "bad"]))
    def verify(self, data, actor, grade):
        self.do_verify(self.pick(data), actor, grade)

    @precondition(lambda self: self.model)
    @rule(data=st.data(), actor=ACTORS)
    def close(self, data, actor):
        self.do_close(self.pick(data), actor)

    @precondition(lambda self: self.model)
    @rule(data=st.data(), relapsed=st.booleans())
    def review(self, data, relapsed):
        self.do_review(self.pick(data), relapsed)

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def reopen(self, data):
        self.do_reopen(self.pick(data))

    @precondition(lambda self: self.model)
    @rule(data=st.data(), actor=ACTORS, days=st.integers(min_value=-10, max_value=90))
    def extend(self, data, actor, days):
        self.do_extend(self.pick(data), actor, days)

    @precondition(lambda self: self.model)
    @rule(data=st.data(), actor=ACTORS, approve=st.booleans())
    def decide_extension(self, data, actor, approve):
        self.do_decide(self.pick(data), actor, approve)

    @precondition(lambda self: self.model)
    @rule(data=st.data(), right_person=st.integers(min_value=0, max_value=4), passing=st.integers(min_value=0, max_value=3))
    def advance(self, data, right_person, passing):
        """The natural next step for a problem, usually by the right person: reaches deep states."""
        pid = self.pick(data)
        m = self.model[pid]
        wrong = right_person == 0
        planned = [i for i, x in enumerate(m.measures) if x == "planned"]
        if m.status == "registered":
            self.do_assign(pid)
        elif m.status == "in_progress" and not m.measures:
            self.do_plan(pid)
        elif m.status == "in_progress" and planned:
            self.do_done(pid, planned[0], VERIFIER if wrong else WORKER)
        elif m.status == "in_progress":
            self.do_verify(pid, WORKER if wrong else VERIFIER, "good" if passing else "poor")
        elif m.status == "verified":
            if passing == 0 and len(m.measures) < 3:
                self.do_plan(pid)  # new work after verification
            else:
                self.do_close(pid, WORKER if wrong else SIGNER)
        else:
            self.do_review(pid, relapsed=bool(passing % 2))

    # -- invariants ---------------------------------------------------------------

    @invariant()
    def state_matches_the_model_and_the_events(self):
        with self.app.recorder.reading() as c:
            c.execute("SELECT id, data FROM ledger_problems")
            stored = {row[0]: json.loads(row[1]) for row in c.fetchall()}
        assert set(stored) == set(self.model)
        for pid, m in self.model.items():
            view = stored[pid]
            assert view["status"] == m.status
            assert view["relapses"] == m.relapses
            assert [x["status"] for x in view["measures"]] == m.measures
            # the deadline in force: an extension counts only once approved
            assert view["deadline"] == (m.deadline.isoformat() if m.deadline else None)
            pending = [e for e in view.get("extensions", []) if e["decision"] == "pending"]
            assert [e["to"] for e in pending] == ([m.pending.isoformat()] if m.pending else [])
            # rebuilt from the events alone, the problem is what the read model says
            rebuilt: Problem = self.app.get_problem(pid)
            assert problem_view(rebuilt) == view
            # forbidden states: closed without a passing verification after the last measure
            if view["status"] in SIGNED_OFF_STATUSES:
                last = view["verifications"][-1]
                assert last["passed"]
                done_at = [x["completed_at"] for x in view["measures"] if x["status"] == "done"]
                assert done_at and last["at"] >= max(done_at)
                assert view["signoffs"][-1]["by"] not in {x["completed_by"] for x in view["measures"]}


LedgerLifecycle.TestCase.settings = settings(max_examples=150, stateful_step_count=60, deadline=None)
TestLedgerLifecycle = LedgerLifecycle.TestCase
