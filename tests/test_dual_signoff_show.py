"""With two signers required (双审核), `show` and the web problem page keep the first signer after the sign-off.

The first signer's act is a SignatureRecorded event; the view keeps only signatures still awaiting a second signer,
so once the second signer closed the problem the first one was gone from `show` (only `history` and `audit` kept
it). `show` now lists every signature of the problem from its own events, each saying whether it awaits a second
signer, counted in the sign-off of <time>, or lapsed. The people and notes are made up as a county bureau's
对账销号 would be worded: the unit's head (单位主要负责人) signs first, the leader in charge above (上级分管领导) second.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import INSPECTION, configure, run_executable

PEOPLE = """
people:
  - name: 县委巡察办王芳
    roles: [registrar]
  - name: 局办公室李明
    roles: [责任人]
  - name: 县纪委赵强
    roles: [verifier]
  - name: 局党组书记张华
    roles: [signer]
  - name: 县政府分管副县长刘伟
    roles: [signer]
signoff:
  required_signers: 2
"""
P = "XC2019-1-1"
FIRST, SECOND = "局党组书记张华", "县政府分管副县长刘伟"
FIRST_NOTE, SECOND_NOTE = "单位主要负责人审核同意销号", "上级分管领导审核同意"


def _verified(ledger, verify_at: str = "2020-02-10") -> None:
    configure(ledger.folder, PEOPLE)
    ledger(*INSPECTION, actor="县委巡察办王芳")
    ledger("add-problem", "--inspection", "XC2019-1", "--category", "政治建设方面", "--title", "关于“理论学习不深入”的问题",
           "--at", "2020-01-15", actor="县委巡察办王芳")
    ledger("assign", P, "--lead", "张华", "--unit", "局办公室", "--person", "李明", "--at", "2020-01-16", actor="县委巡察办王芳")
    ledger("plan", P, "制定党组理论学习中心组年度学习计划", "--at", "2020-01-17", actor="局办公室李明")
    ledger("done", P, "M1", "--evidence", "学习计划印发文件", "--at", "2020-02-01", actor="局办公室李明")
    ledger("verify", P, "--grade", "good", "--at", verify_at, actor="县纪委赵强")


@pytest.fixture
def dual(ledger):
    """Both signers signed: the problem is closed."""
    _verified(ledger)
    assert "1 of 2" in ledger.out("close", P, "--note", FIRST_NOTE, "--at", "2020-02-11", actor=FIRST)
    ledger("close", P, "--note", SECOND_NOTE, "--at", "2020-02-12", actor=SECOND)
    return ledger


class _Printed:
    """A screen already printed (the installed executable's), read by test_web_words' reader of `show`'s tables."""

    def __init__(self, text: str):
        self.stdout = text

    def __call__(self, *args: object) -> "_Printed":
        return self


def _tables(screen: str, lang: str) -> dict[str, list[dict[str, str]]]:
    """`show`'s sub-tables, each a list of rows keyed by heading (a wrapped cell's lines joined, spaces squeezed)."""
    from test_web_words import _show

    _, sections = _show(_Printed(screen), P, lang)
    return {title: [dict(zip(heads, ["".join(c.split()) for c in row])) for row in rows] for title, heads, rows in sections}


def _squeezed(text: str) -> str:
    return "".join(text.split())


TITLES = {"zh": ("销号签字（双审核）", "对账销号"), "en": ("signatures (dual review)", "sign-offs")}
BY = {"zh": "签字人", "en": "by"}
STANDING = {"zh": "签字状态", "en": "standing"}
NOTE = {"zh": "备注", "en": "note"}
COUNTED = {"zh": "已计入2020-02-12T00:00:00Z的对账销号", "en": "counted in the sign-off of 2020-02-12T00:00:00Z"}
AWAITING = {"zh": "待第二人签字", "en": "awaiting a second signer"}


def _signers(tables: dict[str, list[dict[str, str]]], title: str, lang: str) -> list[tuple[str, ...]]:
    return [(r[BY[lang]], r.get(STANDING[lang], ""), r[NOTE[lang]]) for r in tables.get(title, [])]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_show_lists_both_signers_after_the_second_closes(dual, lang):
    signatures, signoffs = TITLES[lang]
    for screen in (dual("--lang", lang, "show", P).stdout,
                   run_executable("--lang", lang, "show", P, cwd=dual.folder, env=dual.env).stdout):
        tables = _tables(screen, lang)
        assert _signers(tables, signatures, lang) == [(FIRST, _squeezed(COUNTED[lang]), FIRST_NOTE)], screen
        assert [r[BY[lang]] for r in tables[signoffs]] == [SECOND], screen  # the closing signer's act is the sign-off
        assert list(tables).index(signatures) < list(tables).index(signoffs)  # in the order they signed


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_show_says_a_first_signature_awaits_the_second(ledger, lang):
    _verified(ledger)
    ledger("close", P, "--note", FIRST_NOTE, "--at", "2020-02-11", actor=FIRST)
    tables = _tables(ledger("--lang", lang, "show", P).stdout, lang)
    assert _signers(tables, TITLES[lang][0], lang) == [(FIRST, _squeezed(AWAITING[lang]), FIRST_NOTE)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_signature_a_new_verification_voided_is_shown_lapsed(ledger, lang):
    _verified(ledger)
    ledger("close", P, "--note", FIRST_NOTE, "--at", "2020-02-11", actor=FIRST)
    ledger("verify", P, "--grade", "fair", "--note", "复核后降为较好", "--at", "2020-02-13", actor="县纪委赵强")
    ledger("close", P, "--note", SECOND_NOTE, "--at", "2020-02-14", actor=SECOND)  # 1 of 2 again: the first lapsed
    assert ledger.json("show", P)["status"] == "verified"
    lapsed = {"zh": "已失效：2020-02-13T00:00:00Z已有核查验收，先于第二人签字",
              "en": "lapsed: VerificationRecorded at 2020-02-13T00:00:00Z, before a second signer signed"}[lang]
    tables = _tables(ledger("--lang", lang, "show", P).stdout, lang)
    assert _signers(tables, TITLES[lang][0], lang) == [(FIRST, _squeezed(lapsed), FIRST_NOTE), (SECOND, _squeezed(AWAITING[lang]), SECOND_NOTE)]
    # the act that voided it is named as `history` names it (its English column is the event's name, as JSON's)
    if lang == "zh":
        assert "核查验收" in ledger("--lang", lang, "history", P, "--all").stdout
    else:
        assert "VerificationRecorded" in [e["event"] for e in ledger.json("history", P, "--all")]


def test_show_as_at_a_moment_between_the_signatures_shows_the_first_awaiting(dual):
    """The signatures are read up to the version of the problem `show` prints: as at a past moment too."""
    tables = _tables(dual("show", P, "--as-at", "2020-02-11T12:00:00+08:00").stdout, "en")
    assert _signers(tables, TITLES["en"][0], "en") == [(FIRST, _squeezed(AWAITING["en"]), FIRST_NOTE)]
    assert TITLES["en"][1] not in tables


def test_show_json_is_unchanged(dual):
    view = dual.json("show", P)
    assert view["signatures"] == [] and [s["by"] for s in view["signoffs"]] == [SECOND]
    assert "standing" not in str(view)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_web_problem_page_lists_both_signers(dual, monkeypatch, lang):
    from test_web import client_for
    from test_web_words import _sections, _show

    client = client_for(dual, monkeypatch)
    page = _sections(client.get(f"/problems/{P}?lang={lang}").text)
    signatures, signoffs = TITLES[lang]
    tables = {title: [dict(zip(heads, [_squeezed(c) for c in row])) for row in rows] for title, (heads, rows) in page.items()}
    assert _signers(tables, signatures, lang) == [(FIRST, _squeezed(COUNTED[lang]), FIRST_NOTE)]
    assert [r[BY[lang]] for r in tables[signoffs]] == [SECOND]
    _, cli = _show(dual, P, lang)  # cell for cell as `show` prints it
    assert {title: [[_squeezed(c) for c in r] for r in rows] for title, _, rows in cli}[signatures] == [[_squeezed(c) for c in r] for r in page[signatures][1]]


def test_a_withheld_problems_first_signature_note_is_withheld_on_the_page(dual, monkeypatch):
    from test_web import client_for

    dual("withhold", P, "--reason", "privacy", actor=FIRST)
    page = client_for(dual, monkeypatch).get(f"/problems/{P}?lang=zh").text
    assert FIRST in page and FIRST_NOTE not in page and SECOND_NOTE not in page
    assert _signers(_tables(dual("--lang", "zh", "show", P).stdout, "zh"), TITLES["zh"][0], "zh")[0][2] == FIRST_NOTE  # insiders see it


def test_an_unreadable_first_signature_is_tampering_for_show_and_the_page(dual, monkeypatch):
    """The signatures are read from the events: a SignatureRecorded whose stored state was overwritten (the chain
    recomputed, as a careful forger would) is exit 4 naming its sequence number, not a traceback nor a table."""
    from integrity_helpers import events, position, recompute_chain
    from test_web import client_for

    seq = next(row[0] for row in events(dual) if row[3].endswith("SignatureRecorded"))
    if dual.store:
        dual.query(f"UPDATE stored_events SET state = ? WHERE {position(dual)} = ?", (b"not an event", seq))
    else:
        dual.execute(f"UPDATE stored_events SET state = X'{b'not an event'.hex()}' WHERE rowid = {seq}")
    recompute_chain(dual)
    result = dual("show", P, expect=4)
    assert f"first bad sequence number {seq}" in result.stderr and "Traceback" not in result.stderr and FIRST not in result.stdout
    page = client_for(dual, monkeypatch).get(f"/problems/{P}?lang=en")
    assert page.status_code == 500 and f"first bad sequence number {seq}" in page.text and FIRST not in page.text  # the error page


# -- the rule, for any order of acts ---------------------------------------------------------------

ACTS = ["sign 张华", "sign 刘伟", "sign 陈静"] * 3 + ["verify good", "verify poor", "work", "reopen"]  # signatures most often


def _enter(app, act: str, at) -> None:
    from ledger.errors import LedgerError

    kind, _, arg = act.partition(" ")
    try:
        if kind == "sign":
            app.sign_off(P, note=f"{arg}审核", actor=arg, at=at)
        elif kind == "verify":
            app.verify(P, grade=arg, actor="县纪委赵强", at=at)
        elif kind == "work":
            measure = app.plan_measure(P, text="补充整改措施", due=None, actor="局办公室李明", at=at)
            app.complete_measure(P, measure.measure, evidence=["会议记录"], actor="局办公室李明", at=at)
        elif kind == "reopen":
            app.reopen(P, reason="回头看发现反弹", actor="县委巡察办王芳", at=at)
    except LedgerError:
        pass  # refused by the rules: nothing recorded


@pytest.mark.sqlite_only
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(required=st.sampled_from([2, 3]), acts=st.lists(st.sampled_from(ACTS), max_size=14))
def test_every_signature_is_listed_once_with_the_standing_the_domain_gives_it(tmp_path_factory, required, acts):
    """Whatever the order of signatures, verifications, new work and reopenings: `show` lists each SignatureRecorded
    once, in order; those awaiting are exactly the view's pending ones; each sign-off counted required-1 of them."""
    from datetime import date, datetime, timedelta, timezone

    from composition import open_ledger
    from ledger.config import Config
    from ledger.messages import render
    from projections.replay import StateReader, iter_events
    from projections.show import every_signature
    from projections.status import find_problem

    folder = tmp_path_factory.mktemp("dual")
    app = open_ledger(Config(path=folder / "ledger.yaml"), create=True)
    try:
        app.policy["required_signers"] = required
        clock = iter(datetime(2020, 1, 14, tzinfo=timezone.utc) + timedelta(hours=h) for h in range(100))
        app.add_inspection(code="XC2019-1", name="县委第一巡察组巡察县交通运输局党组", organisation="县交通运输局党组", group="县委第一巡察组",
                           kind="regular", start=date(2019, 10, 28), end=date(2019, 11, 18), feedback=date(2020, 1, 14), actor="县委巡察办王芳", at=next(clock))
        app.add_problem(inspection="XC2019-1", category="政治建设方面", title="关于“理论学习不深入”的问题", actor="县委巡察办王芳", at=next(clock))
        app.assign(P, lead="张华", unit="局办公室", person="李明", deadline=date(2020, 3, 31), actor="县委巡察办王芳", at=next(clock))
        for act in ["work", "verify good", *acts]:
            _enter(app, act, next(clock))
        with StateReader(app) as r:
            view = find_problem(r.cursor, P, style=r.style, today=r.today)
        listed = every_signature(app, view)
        event(f"{len(view['signoffs'])} sign-offs, {len(listed)} signatures")
        recorded = [e for _, e in iter_events(app) if type(e).__name__ == "SignatureRecorded"]
        assert [(s["by"], s["note"]) for s in listed] == [(e.actor, e.note) for e in recorded]
        awaiting = [(s["by"], s["at"]) for s in listed if render(s["standing"], "en") == "awaiting a second signer"]
        assert awaiting == [(s["by"], s["at"]) for s in view["signatures"]]
        for signoff in view["signoffs"]:
            counted = [s for s in listed if render(s["standing"], "en") == f"counted in the sign-off of {signoff['at']}"]
            assert len(counted) == required - 1 and signoff["by"] not in [s["by"] for s in counted]
        counted_in = {f"counted in the sign-off of {signoff['at']}" for signoff in view["signoffs"]}
        for s in listed:  # every one of the three standings, a counted one naming a sign-off there is
            standing = render(s["standing"], "en")
            assert standing == "awaiting a second signer" or standing in counted_in or standing.startswith("lapsed: "), standing
    finally:
        app.close()
