"""Who acts is an explicit value, and permissions are keyed by domain act.

The application is driven directly here, with an Actor (ledger/actor.py) and no click: each act is one
method returning a result, a role that does not allow an event's act is refused, and an event of a kind
that no act records is refused, whoever writes it.
"""

from __future__ import annotations

import ast
import dataclasses
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from ledger.actor import Actor
from composition import open_ledger
from ledger.config import Config
from ledger.errors import NotAuthorised

REPO = Path(__file__).resolve().parent.parent
AT = datetime(2020, 1, 14, 9, tzinfo=timezone.utc)

CLERK = Actor("王琎", roles=frozenset({"registrar"}))
WORKER = Actor("张三", roles=frozenset({"responsible"}))
VERIFIER = Actor("李四", roles=frozenset({"verifier"}))
SIGNER = Actor("杨荣", roles=frozenset({"signer"}))
SECOND_SIGNER = Actor("赵六", roles=frozenset({"signer"}))
AUDITOR = Actor("孙审", roles=frozenset({"auditor"}))


def _app(tmp_path: Path, **signoff: int):
    config = Config(path=tmp_path / "ledger.yaml")
    config.data["store"] = str(tmp_path / "ledger.db")
    config.data.setdefault("signoff", {}).update(signoff)
    return open_ledger(config, create=True)


@pytest.fixture
def app(tmp_path: Path):
    instance = _app(tmp_path)
    yield instance
    instance.close()


def _registered(app, actor: Actor = CLERK) -> str:
    app.add_inspection(
        code="XC2019-1", name="县委第一巡察组巡察县交通运输局党组", organisation="县交通运输局党组", group="县委第一巡察组",
        kind="regular", start=date(2019, 10, 28), end=date(2019, 11, 18), feedback=date(2020, 1, 14), round="",
        actor=actor, at=AT,
    )
    return app.add_problem(inspection="XC2019-1", category="政治站位方面", title='关于"思想认识不深刻"的问题', actor=actor, at=AT).problem.display_id


def _verified(app) -> str:
    ident = _registered(app)
    app.assign(ident, lead="王局长", unit="办公室", person="张三", deadline=date(2020, 6, 30), actor=CLERK, at=AT + timedelta(days=1))
    measure = app.plan_measure(ident, text="制定学习计划", due=None, actor=WORKER, at=AT + timedelta(days=2)).measure
    app.complete_measure(ident, measure, evidence=["学习记录"], actor=WORKER, at=AT + timedelta(days=10))
    app.verify(ident, grade="good", actor=VERIFIER, at=AT + timedelta(days=20))
    return ident


def _events(app) -> int:
    return app.recorder.max_notification_id() or 0


# -- every event kind belongs to an act ------------------------------------------------------------


def test_every_event_class_has_an_act_with_a_required_role():
    from ledger.authority import ACTS, ADMINISTRATION, EVENT_ACTS, ROLES
    from ledger.topics import event_topics

    kinds = {topic.split(":", 1)[1] for topic in event_topics()}
    kinds = {k for k in kinds if k.rsplit(".", 1)[-1] not in ("Event", "Created")}
    assert len(kinds) >= 31
    missing = sorted(kinds - set(EVENT_ACTS))
    assert not missing, f"event kinds without an act (they would be refused): {missing}"
    for kind in kinds:
        act = EVENT_ACTS[kind]
        if act == ADMINISTRATION:
            assert kind.startswith("Authority.")
            continue
        assert act in ACTS, (kind, act)
        assert ACTS[act].roles and set(ACTS[act].roles) <= set(ROLES), (kind, act)


def test_every_act_is_signed_with_its_own_meaning():
    """The meaning signed into events names one act: verification maps it back."""
    from ledger.authority import ACTS, act_of_meaning

    meanings = [act.meaning for act in ACTS.values()]
    assert len(meanings) == len(set(meanings))
    assert all(act_of_meaning(ACTS[name].meaning) == name for name in ACTS)



def test_an_event_kind_without_an_act_is_refused(app):
    """The attack: on old main an event kind missing from the table was written (checked with app.acting set)."""
    from ledger.domain import Problem

    unlisted = type("Unlisted", (Problem.Event,), {"__qualname__": "Problem.Unlisted", "__module__": __name__})
    ident = _registered(app)
    before = _events(app)
    for actor in (WORKER, Actor("张三"), None):  # with roles, without (trial mode), with none given at all
        problem = app.get_problem(ident)
        problem.trigger_event(unlisted)
        with pytest.raises(NotAuthorised, match="no act of the ledger records it"):
            app.save(problem, actor=actor)
        assert _events(app) == before
    assert app.get_problem(ident).version == problem.version - 1


def test_an_event_kind_dropped_from_the_table_is_refused_not_allowed(app, monkeypatch):
    """Take an event kind out of EVENT_ACTS: its act is refused even to a role that may do it."""
    from ledger import authority

    ident = _registered(app)
    monkeypatch.delitem(authority.EVENT_ACTS, "Problem.Escalated")
    before = _events(app)
    with pytest.raises(NotAuthorised, match="may not record Escalated: no act"):
        app.escalate(ident, level="notice", actor=CLERK, at=AT + timedelta(days=1))
    assert _events(app) == before
    monkeypatch.undo()
    assert app.escalate(ident, level="notice", actor=CLERK, at=AT + timedelta(days=1)).event == "Escalated"


# -- acts through the application, with an Actor -------------------------------------------------


def test_a_problem_lives_through_the_application_with_actors(app):
    ident = _verified(app)
    done = app.sign_off(ident, note="对账销号", actor=SIGNER, at=AT + timedelta(days=21))
    assert (done.event, done.closed, done.problem.status) == ("SignedOff", True, "closed")
    from projections.replay import iter_events

    history = [e for _, e in iter_events(app, ids=[app.get_problem(ident).id])]
    assert [getattr(e, "actor", None) for e in history][-1] == "杨荣"


def test_two_signers_the_result_says_a_signature_was_recorded(tmp_path):
    """双审核: close's line came from re-reading the status in the CLI; the result says what happened."""
    app = _app(tmp_path, required_signers=2)
    try:
        ident = _verified(app)
        first = app.sign_off(ident, actor=SIGNER, at=AT + timedelta(days=21))
        assert (first.event, first.closed, first.signatures, first.required) == ("SignatureRecorded", False, 1, 2)
        assert first.problem.status == "verified"
        second = app.sign_off(ident, actor=SECOND_SIGNER, at=AT + timedelta(days=22))
        assert (second.event, second.closed, second.problem.status) == ("SignedOff", True, "closed")
    finally:
        app.close()


@pytest.mark.parametrize(
    "act, actor",
    [
        ("sign_off", Actor("钱七", roles=frozenset({"responsible", "registrar"}))),
        ("sign_off", VERIFIER),
        ("verify", SIGNER),
        ("escalate", WORKER),
        ("progress", AUDITOR),
    ],
)
def test_a_role_that_does_not_allow_the_act_is_refused_and_nothing_written(app, act, actor):
    ident = _verified(app)
    before = _events(app)
    moment = AT + timedelta(days=21)
    calls = {
        "sign_off": lambda: app.sign_off(ident, actor=actor, at=moment),
        "verify": lambda: app.verify(ident, grade="good", actor=actor, at=moment),
        "escalate": lambda: app.escalate(ident, level="notice", actor=actor, at=moment),
        "progress": lambda: app.record_progress(ident, text="进展", actor=actor, at=moment),
    }
    with pytest.raises(NotAuthorised, match=f"{actor.name} may not record .*: it needs the role"):
        calls[act]()
    assert _events(app) == before


def test_a_refined_problem_takes_its_parents_inspection_and_category(app):
    parent = _registered(app)
    child = app.add_problem(parent=parent, title="细化问题一", actor=CLERK, at=AT).problem
    assert (child.inspection, child.category, child.parent) == ("XC2019-1", "政治站位方面", parent)
    assert app.get_problem(parent).children == [child.display_id]


def test_a_sample_is_drawn_by_an_auditor_only(app):
    from projections.sampling import signed_off_population

    ident = _verified(app)
    app.sign_off(ident, actor=SIGNER, at=AT + timedelta(days=21))
    population = lambda c, style: signed_off_population(c, "XC2019-1", style)  # noqa: E731
    before = _events(app)
    with pytest.raises(NotAuthorised, match="王琎 may not record Drawn"):
        app.draw_sample("XC2019-1", size=1, seed=7, population=population, actor=CLERK)
    assert _events(app) == before
    drawn = app.draw_sample("XC2019-1", size=1, seed=7, population=population, actor=AUDITOR).draw
    assert (drawn.drawn_ids, drawn.drawn_by) == ([ident], "孙审")


def test_the_actor_is_a_value_and_the_application_keeps_none(app):
    with pytest.raises(dataclasses.FrozenInstanceError):
        CLERK.name = "路人"  # type: ignore[misc]
    _registered(app)
    for hidden in ("acting", "signer", "attachments", "attachment_bytes"):
        assert not hasattr(app, hidden), hidden


def test_the_interface_builds_the_actor_for_an_act(app, tmp_path):
    """Trial mode with people in ledger.yaml: authenticate gives the Actor with its roles, or refuses naming the command."""
    from ledger.signing import authenticate

    config = Config(path=tmp_path / "ledger.yaml")
    config.data["people"] = [{"name": "杨荣", "roles": ["signer"]}, {"name": "张三", "roles": ["responsible"]}]
    actor = authenticate(app, config, "杨荣", "sign-off")
    assert (actor.name, actor.act, actor.roles, actor.signer) == ("杨荣", "sign-off", frozenset({"signer"}), None)
    with pytest.raises(NotAuthorised, match=r"张三 may not run `ledger close`: it needs the role signer"):
        authenticate(app, config, "张三", "sign-off")


# -- no click inside ledger/ ------------------------------------------------------------------------


def test_nothing_in_ledger_imports_or_names_click():
    found = []
    for path in sorted((REPO / "ledger").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Name) and node.id == "click":
                names = ["click"]
            elif isinstance(node, ast.Attribute) and node.attr == "meta" and isinstance(node.value, ast.Name) and node.value.id == "ctx":
                names = ["click (ctx.meta)"]
            found += [f"{path.relative_to(REPO)}:{node.lineno}: {n}" for n in names if n.split(".")[0] == "click" or n.startswith("click (")]
    assert not found, found


def test_the_click_check_can_fail(tmp_path, monkeypatch):
    """The scan above finds an import of click (a file planted in a copy of ledger/)."""
    import shutil

    copy = tmp_path / "ledger"
    shutil.copytree(REPO / "ledger", copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "planted.py").write_text("import click\n", encoding="utf-8")
    monkeypatch.setattr(__import__(__name__), "REPO", tmp_path)
    with pytest.raises(AssertionError, match="planted.py"):
        test_nothing_in_ledger_imports_or_names_click()


def test_an_act_is_never_signed_with_a_meaning_that_does_not_record_its_events(app):
    """A signer whose meaning is `verify` cannot sign a sign-off: `audit --verify` would call it a forgery."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ledger.identity import Signer, raw_public_of

    ident = _verified(app)
    key = Ed25519PrivateKey.generate()
    signer = Signer(name="杨荣", private_key=key, raw_public=raw_public_of(key), meaning="verify")
    before = _events(app)
    with pytest.raises(NotAuthorised, match="`ledger verify` never records SignedOff"):
        app.sign_off(ident, actor=Actor("杨荣", roles=frozenset({"signer"}), signer=signer), at=AT + timedelta(days=21))
    assert _events(app) == before
    signed = Actor("杨荣", roles=frozenset({"signer"}), signer=dataclasses.replace(signer, meaning="close"))
    assert app.sign_off(ident, actor=signed, at=AT + timedelta(days=21)).closed
