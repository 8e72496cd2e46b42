"""Fast rule tests: the lifecycle rules driven through the application, in memory.

As eventsourcing's own examples test their applications (bankaccounts): the real
RectificationLedger on eventsourcing's POPO recorder, no store file, no CLI. Each
act goes get → call → save through the application's methods; a refused act
raises a typed error naming its rule and saves nothing. The CLI tests beside
these (test_lifecycle.py, test_extensions.py, test_deadlines.py, …) drive the
same rules through `ledger` and the stores.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.application import ReadSide, RectificationLedger
from ledger.errors import LedgerError, RuleViolation, UnknownID
from ledger.values import SIGNED_OFF_STATUSES, MeasureOutcomes

CLERK, WORKER, VERIFIER, SIGNER = "巡察办干事", "王琎", "巡察办", "县委书记"
START = datetime(2020, 1, 14, 9, tzinfo=timezone.utc)


class Ledger:
    """The application in memory, with a clock that moves an hour per act."""

    def __init__(self, **policy: object) -> None:
        # the rules alone: no read models (ReadSide() decodes only), so nothing but the aggregates is kept
        self.app = RectificationLedger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, policy={"required_signers": 1, **policy}, read_side=ReadSide())
        self.now = START

    def tick(self, hours: int = 1) -> datetime:
        self.now += timedelta(hours=hours)
        return self.now

    def inspection(self, code: str = "XC2019-1") -> str:
        self.app.add_inspection(
            code=code, name="县委第一巡察组巡察县交通运输局党组", organisation="县交通运输局党组", group="县委第一巡察组",
            kind="regular", start=date(2019, 10, 28), end=date(2019, 11, 18), feedback=date(2020, 1, 14),
            actor=CLERK, at=self.tick(),
        )
        return code

    def problem(self, inspection: str = "XC2019-1", **fields: object) -> str:
        fields = {"category": "政治站位方面", "title": "关于“思想认识不深刻”的问题", **fields}
        return self.app.add_problem(inspection=inspection, actor=CLERK, at=self.tick(), **fields).problem.display_id

    def assigned(self, deadline: date | None = date(2020, 3, 31), **fields: object) -> str:
        pid = self.problem(**fields)
        self.app.assign(pid, lead="局长", unit="办公室", person=WORKER, deadline=deadline, actor=CLERK, at=self.tick())
        return pid

    def worked(self, **fields: object) -> str:
        """Assigned, one measure planned and completed by the worker."""
        pid = self.assigned(**fields)
        self.app.plan_measure(pid, text="修订学习制度", due=None, actor=WORKER, at=self.tick())
        self.app.complete_measure(pid, "M1", evidence=["学习制度.pdf"], actor=WORKER, at=self.tick())
        return pid

    def verified(self, **fields: object) -> str:
        pid = self.worked(**fields)
        self.app.verify(pid, grade="good", actor=VERIFIER, at=self.tick())
        return pid

    def closed(self, **fields: object) -> str:
        pid = self.verified(**fields)
        self.app.sign_off(pid, actor=SIGNER, at=self.tick())
        return pid

    def status(self, pid: str) -> str:
        return self.app.get_problem(pid).status

    def refused(self, rule: str, act, *args: object, **kwargs: object) -> None:
        """The act is refused under `rule`, and nothing of it is saved."""
        before = self.app.get_problem(args[0]).version if args else None  # a problem's act: its ID first
        with pytest.raises(RuleViolation) as refusal:
            act(*args, actor=kwargs.pop("actor", CLERK), at=self.tick(), **kwargs)
        assert refusal.value.rule == rule, refusal.value
        if before is not None:
            assert self.app.get_problem(args[0]).version == before


@pytest.fixture
def ledger() -> Ledger:
    made = Ledger()
    made.inspection()
    return made


def test_the_application_runs_in_memory():
    app = Ledger().app
    assert type(app.recorder).__module__ == "eventsourcing.popo"


# -- registration --------------------------------------------------------------------


def test_registration(ledger):
    assert [ledger.problem(), ledger.problem()] == ["XC2019-1-1", "XC2019-1-2"]
    assert ledger.status("XC2019-1-1") == "registered"
    ledger.refused("inspection-code-unique", ledger.app.add_inspection, code="XC2019-1", name="n", organisation="o",
                   group="g", kind="regular", start=date(2019, 10, 28), end=date(2019, 11, 18), feedback=None)
    ledger.refused("dates-in-order", ledger.app.add_inspection, code="XC2", name="n", organisation="o", group="g",
                   kind="regular", start=date(2019, 11, 18), end=date(2019, 10, 28), feedback=None)
    ledger.refused("no-future-acts", ledger.app.add_inspection, code="XC3", name="n", organisation="o", group="g",
                   kind="regular", start=date(2099, 1, 1), end=date(2099, 2, 1), feedback=None)
    ledger.refused("number-unique", ledger.app.add_problem, inspection="XC2019-1", number=2, category="c", title="t")
    ledger.refused("deadline-after-registration", ledger.app.add_problem, inspection="XC2019-1", category="c", title="t",
                   deadline=date(2019, 12, 31))
    with pytest.raises(UnknownID):
        ledger.problem(inspection="XC-NONE")


def test_a_refined_problem_takes_its_parents_inspection_and_category(ledger):
    parent = ledger.problem(category="作风建设方面")
    child = ledger.app.add_problem(parent=parent, title="细化：学习制度不落实", actor=CLERK, at=ledger.tick()).problem
    assert (child.inspection, child.category, child.parent) == ("XC2019-1", "作风建设方面", parent)
    assert ledger.app.get_problem(parent).children == [child.display_id]
    ledger.inspection("XC2019-2")
    ledger.refused("refine-within-inspection", ledger.app.add_problem, inspection="XC2019-2", parent=parent, title="t")


# -- assignment and measures ----------------------------------------------------------------


def test_assignment_starts_the_work_and_sets_the_deadline(ledger):
    pid = ledger.assigned(deadline=date(2020, 4, 30))
    problem = ledger.app.get_problem(pid)
    assert (problem.status, problem.assignee["person"], problem.current_deadline) == ("in_progress", WORKER, date(2020, 4, 30))


def test_measures(ledger):
    pid = ledger.problem()
    ledger.app.plan_measure(pid, text="修订学习制度", due=date(2020, 2, 28), actor=CLERK, at=ledger.tick())
    ledger.refused("assign-before-work", ledger.app.complete_measure, pid, "M1")
    ledger.app.assign(pid, lead="局长", unit="办公室", person=WORKER, deadline=None, actor=CLERK, at=ledger.tick())
    outcomes = MeasureOutcomes(rules=2, funds=Decimal("1000.50"), accountable={"discipline": 1}, clues=1)
    ledger.app.complete_measure(pid, "M1", evidence=["制度.pdf"], outcomes=outcomes, actor=WORKER, at=ledger.tick())
    measure = ledger.app.get_problem(pid).measure("M1")
    assert (measure["status"], measure["rules"], measure["funds"], measure["accountable"], measure["clues"]) == (
        "done", 2, Decimal("1000.50"), {"discipline": 1}, 1)
    ledger.refused("measure-done-once", ledger.app.complete_measure, pid, "M1", actor=WORKER)
    with pytest.raises(UnknownID):
        ledger.app.complete_measure(pid, "M9", actor=WORKER, at=ledger.tick())


# -- verification (核查验收) and rework (二次整改) ----------------------------------------------


def test_a_failed_verification_sends_it_back_for_rework_and_a_passed_one_verifies(ledger):
    pid = ledger.worked()
    ledger.refused("separate-verifier", ledger.app.verify, pid, grade="good", actor=WORKER)
    ledger.app.verify(pid, grade="poor", note="整改不到位", actor=VERIFIER, at=ledger.tick())
    problem = ledger.app.get_problem(pid)
    assert (problem.status, problem.reworks) == ("in_progress", 1)
    ledger.refused("sign-off-after-passing-verification", ledger.app.sign_off, pid, actor=SIGNER)
    ledger.app.plan_measure(pid, text="再次整改", due=None, actor=WORKER, at=ledger.tick())
    ledger.refused("verify-after-measures", ledger.app.verify, pid, grade="good", actor=VERIFIER)
    ledger.app.complete_measure(pid, "M2", actor=WORKER, at=ledger.tick())
    ledger.app.verify(pid, grade="fair", actor=VERIFIER, at=ledger.tick())
    assert ledger.status(pid) == "verified"


def test_nothing_to_verify_before_a_measure_is_done(ledger):
    pid = ledger.assigned()
    ledger.refused("verify-after-measures", ledger.app.verify, pid, grade="good", actor=VERIFIER)


# -- sign-off (对账销号) -------------------------------------------------------------------


def test_sign_off_by_someone_who_did_not_do_the_work(ledger):
    pid = ledger.verified()
    ledger.refused("separate-signer", ledger.app.sign_off, pid, actor=WORKER)
    ledger.app.sign_off(pid, note="同意销号", actor=SIGNER, at=ledger.tick())
    assert ledger.status(pid) == "closed"
    ledger.refused("sign-off-once", ledger.app.sign_off, pid, actor=SIGNER)
    ledger.refused("reopen-before-new-work", ledger.app.plan_measure, pid, text="t", due=None)


def test_a_long_term_problem_is_signed_off_as_ongoing(ledger):
    assert ledger.status(ledger.closed(type="long-term")) == "ongoing"


def test_a_parent_is_signed_off_after_its_refinements(ledger):
    parent = ledger.worked()
    child = ledger.app.add_problem(parent=parent, title="细化", actor=CLERK, at=ledger.tick()).problem.display_id
    ledger.app.verify(parent, grade="good", actor=VERIFIER, at=ledger.tick())
    ledger.refused("children-signed-off-first", ledger.app.sign_off, parent, actor=SIGNER)
    ledger.app.assign(child, lead="局长", unit="办公室", person=WORKER, deadline=None, actor=CLERK, at=ledger.tick())
    ledger.app.plan_measure(child, text="t", due=None, actor=WORKER, at=ledger.tick())
    ledger.app.complete_measure(child, "M1", actor=WORKER, at=ledger.tick())
    ledger.app.verify(child, grade="good", actor=VERIFIER, at=ledger.tick())
    ledger.app.sign_off(child, actor=SIGNER, at=ledger.tick())
    ledger.app.sign_off(parent, actor=SIGNER, at=ledger.tick())
    assert ledger.status(parent) == "closed"


def test_two_signatures_when_the_policy_asks_for_two():
    ledger = Ledger(required_signers=2)
    ledger.inspection()
    pid = ledger.verified()
    ledger.app.sign_off(pid, actor=SIGNER, at=ledger.tick())
    assert ledger.status(pid) == "verified"
    ledger.app.sign_off(pid, actor="纪委书记", at=ledger.tick())
    assert ledger.status(pid) == "closed"


# -- after closure: 回头看, relapse (反弹) and reopening ------------------------------------------


def test_reopen_and_relapse(ledger):
    pid = ledger.worked()
    ledger.refused("reopen-after-closure", ledger.app.reopen, pid, reason="反弹", actor=VERIFIER)
    ledger.refused("review-after-closure", ledger.app.record_review, pid, result="holds", note="n", actor=VERIFIER)
    ledger.app.verify(pid, grade="good", actor=VERIFIER, at=ledger.tick())
    ledger.app.sign_off(pid, actor=SIGNER, at=ledger.tick())
    ledger.app.record_review(pid, result="holds", note="整改到位", actor=VERIFIER, at=ledger.tick())
    assert (ledger.status(pid), ledger.app.get_problem(pid).relapses) == ("closed", 0)
    ledger.app.record_review(pid, result="relapsed", note="问题反弹", actor=VERIFIER, at=ledger.tick())
    assert (ledger.status(pid), ledger.app.get_problem(pid).relapses) == ("in_progress", 1)
    ledger.app.plan_measure(pid, text="再整改", due=None, actor=WORKER, at=ledger.tick())
    ledger.app.complete_measure(pid, "M2", actor=WORKER, at=ledger.tick())
    ledger.app.verify(pid, grade="good", actor=VERIFIER, at=ledger.tick())
    ledger.app.sign_off(pid, actor=SIGNER, at=ledger.tick())
    ledger.app.reopen(pid, reason="巡察回头看发现反弹", actor=VERIFIER, at=ledger.tick())
    assert (ledger.status(pid), ledger.app.get_problem(pid).relapses) == ("in_progress", 2)


# -- deadlines: extensions (申请延期整改) and overdue --------------------------------------------


def test_extension_request_and_decision(ledger):
    ledger.refused("extend-a-deadline", ledger.app.request_extension, ledger.assigned(deadline=None), to=date(2020, 6, 30), reason="r")
    pid = ledger.assigned(deadline=date(2020, 3, 31))
    ledger.refused("extend-a-deadline", ledger.app.request_extension, pid, to=date(2020, 3, 31), reason="r", actor=WORKER)
    ledger.app.request_extension(pid, to=date(2020, 6, 30), reason="涉及历史遗留问题", actor=WORKER, at=ledger.tick())
    ledger.refused("one-extension-request-at-a-time", ledger.app.request_extension, pid, to=date(2020, 7, 31), reason="r", actor=WORKER)
    ledger.refused("separate-approver", ledger.app.decide_extension, pid, approve=True, actor=WORKER)
    ledger.app.decide_extension(pid, approve=False, note="理由不充分", actor=VERIFIER, at=ledger.tick())
    assert ledger.app.get_problem(pid).current_deadline == date(2020, 3, 31)
    ledger.refused("decide-a-requested-extension", ledger.app.decide_extension, pid, approve=True, actor=VERIFIER)
    ledger.app.request_extension(pid, to=date(2020, 6, 30), reason="补充材料", actor=WORKER, at=ledger.tick())
    ledger.app.decide_extension(pid, approve=True, actor=VERIFIER, at=ledger.tick())
    problem = ledger.app.get_problem(pid)
    assert (problem.current_deadline, problem.extended_to) == (date(2020, 6, 30), date(2020, 6, 30))


def test_overdue_is_past_the_deadline_in_force_and_not_yet_rectified(ledger):
    from projections.deadlines import days_left, is_overdue
    from projections.views import problem_view

    def view(pid: str) -> dict:
        return problem_view(ledger.app.get_problem(pid))

    pid = ledger.assigned(deadline=date(2020, 3, 31))
    assert not is_overdue(view(pid), date(2020, 3, 31))
    assert is_overdue(view(pid), date(2020, 4, 1)) and days_left(view(pid), date(2020, 4, 1)) == -1
    ledger.app.request_extension(pid, to=date(2020, 6, 30), reason="r", actor=WORKER, at=ledger.tick())
    ledger.app.decide_extension(pid, approve=True, actor=VERIFIER, at=ledger.tick())
    assert not is_overdue(view(pid), date(2020, 4, 1))
    assert is_overdue(view(pid), date(2020, 7, 1))
    ledger.app.plan_measure(pid, text="t", due=None, actor=WORKER, at=ledger.tick())
    ledger.app.complete_measure(pid, "M1", actor=WORKER, at=ledger.tick())
    ledger.app.verify(pid, grade="good", actor=VERIFIER, at=ledger.tick())
    assert not is_overdue(view(pid), date(2020, 7, 1)), "a verified problem is rectified: not overdue"
    assert days_left(view(pid), date(2020, 7, 1)) is None
    assert not is_overdue(view(ledger.problem()), date(2099, 1, 1)), "no deadline, never overdue"


# -- any sequence of acts: the status is the simple model's ------------------------------------

ACTS = ("assign", "plan", "complete", "verify good", "verify poor", "sign off", "review holds", "review relapsed", "reopen")


def model_step(status: str, measures: list[str], act: str) -> tuple[bool, str]:
    """(allowed, status after) by the rules in their plainest form, for a deadline problem worked by one person."""
    signed = status in SIGNED_OFF_STATUSES
    if act == "assign":
        return not signed, "in_progress" if status == "registered" else status
    if act == "plan":
        return not signed, "in_progress" if status == "verified" else status
    if act == "complete":
        return (not signed and status != "registered" and "planned" in measures), "in_progress" if status == "verified" else status
    if act.startswith("verify"):
        allowed = not signed and bool(measures) and all(m == "done" for m in measures)
        return allowed, "verified" if act == "verify good" else "in_progress"
    if act == "sign off":
        return status == "verified", "closed"
    if act == "review holds":
        return signed, status
    return signed, "in_progress"  # review relapsed, reopen


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(ACTS), max_size=25))
def test_after_any_sequence_of_acts_the_status_is_the_models(acts):
    ledger = Ledger()
    ledger.inspection()
    pid = ledger.problem(deadline=date(2020, 3, 31))
    app = ledger.app
    status, measures = "registered", []
    for act in acts:
        allowed, after = model_step(status, measures, act)
        next_planned = measures.index("planned") + 1 if "planned" in measures else len(measures) + 1  # none: an unknown measure
        run = {
            "assign": lambda: app.assign(pid, lead="局长", unit="办公室", person=WORKER, deadline=None, actor=CLERK, at=ledger.tick()),
            "plan": lambda: app.plan_measure(pid, text="措施", due=None, actor=WORKER, at=ledger.tick()),
            "complete": lambda: app.complete_measure(pid, f"M{next_planned}", actor=WORKER, at=ledger.tick()),
            "verify good": lambda: app.verify(pid, grade="good", actor=VERIFIER, at=ledger.tick()),
            "verify poor": lambda: app.verify(pid, grade="poor", actor=VERIFIER, at=ledger.tick()),
            "sign off": lambda: app.sign_off(pid, actor=SIGNER, at=ledger.tick()),
            "review holds": lambda: app.record_review(pid, result="holds", note="n", actor=VERIFIER, at=ledger.tick()),
            "review relapsed": lambda: app.record_review(pid, result="relapsed", note="n", actor=VERIFIER, at=ledger.tick()),
            "reopen": lambda: app.reopen(pid, reason="反弹", actor=VERIFIER, at=ledger.tick()),
        }[act]
        version = app.get_problem(pid).version
        try:
            run()
        except LedgerError as refusal:
            assert not allowed, f"{act} refused in {status} although the rules allow it: {refusal}"
            assert app.get_problem(pid).version == version, "a refused act saved something"
            continue
        assert allowed, f"{act} accepted in {status} although the rules forbid it"
        status = after
        if act == "plan":
            measures.append("planned")
        elif act == "complete":
            measures[measures.index("planned")] = "done"
        assert app.get_problem(pid).status == status, (acts, act)


# -- sensitive fields: encrypted by the application, not by the interface ------------------------------


def test_confide_encrypts_with_the_configured_key_and_without_one_saves_nothing(monkeypatch):
    from ledger.config import Config
    from ledger.confidential import decrypt, new_cipher_key
    from ledger.errors import ConfigError

    ledger = Ledger()
    ledger.app.config = Config(path=None)  # what open_ledger gives the application
    ledger.inspection()
    pid = ledger.assigned()
    monkeypatch.delenv("LEDGER_CIPHER_KEY", raising=False)
    before = ledger.app.get_problem(pid).version
    with pytest.raises(ConfigError):
        ledger.app.confide(pid, field="whistleblower", value="张三", actor=CLERK, at=ledger.tick())
    assert ledger.app.get_problem(pid).version == before and not getattr(ledger.app.get_problem(pid), "sensitive", {})

    monkeypatch.setenv("LEDGER_CIPHER_KEY", new_cipher_key())
    ledger.app.confide(pid, field="whistleblower", value="张三", actor=CLERK, at=ledger.tick())
    stored = ledger.app.get_problem(pid).sensitive["whistleblower"]["ciphertext"]
    assert "张三" not in stored and decrypt(ledger.app.config, stored, pid) == "张三"
