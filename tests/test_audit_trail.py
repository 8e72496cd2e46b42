"""`ledger audit`: every event in log order, in plain words, corrections beside what they correct."""

from __future__ import annotations

import pytest

from datetime import datetime, timezone

from conftest import run_executable


def _two_inspections(ledger):
    ledger("add-inspection", "XC2020-2", "--name", "乙", "--organisation", "县水利局党组", "--group", "县委第二巡察组",
           "--kind", "regular", "--start", "2020-03-01", "--end", "2020-04-01", "--at", "2020-04-02")
    ledger("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", "关于“甲”的问题", "--at", "2020-01-15")
    ledger("add-problem", "--inspection", "XC2020-2", "--category", "作风建设方面", "--title", "关于“乙”的问题", "--at", "2020-04-03")
    ledger("assign", "XC2019-1-1", "--lead", "杨荣", "--unit", "办公室", "--person", "王琎", actor="主任")
    ledger("plan", "XC2019-1-1", "制定学习计划", actor="王琎")
    ledger("correct", "XC2019-1-1", "--field", "title", "--value", "关于“甲甲”的问题", "--reason", "录入错误")
    ledger("correct", "XC2019-1-1", "--field", "M1.text", "--value", "制定年度学习计划", "--reason", "表述不准", actor="王琎")
    return ledger


def test_every_event_in_log_order_with_times_actor_and_words(inspected):
    ledger = _two_inspections(inspected)
    rows = ledger.json("audit")
    assert [r["seq"] for r in rows] == sorted(r["seq"] for r in rows)
    assert len(rows) == ledger.json("replay")["events"] == 9  # the founding event `ledger init` recorded, then the acts
    assert [r["event"] for r in rows] == [
        "LedgerFounded", "Registered", "Registered", "Registered", "Registered", "Assigned", "MeasurePlanned", "Corrected", "Corrected",
    ]
    assert rows[0]["actor"] == "clerk" and rows[0]["seq"] == 1  # the administrator (the fixture's init)
    first = rows[1]
    assert first["subject"] == "XC2019-1" and first["at"] == "2020-01-14T00:00:00Z"
    assert first["recorded_at"].startswith(str(datetime.now(timezone.utc).year))
    assert "县委第一巡察组 inspected 县交通运输局党组 from 2019-10-28 to 2019-11-18" in first["details"]
    assign = rows[5]
    assert assign["actor"] == "主任" and assign["subject"] == "XC2019-1-1"
    assert assign["details"] == "assigned to 王琎 (办公室), responsible leader 杨荣"


def test_corrections_are_shown_beside_what_they_correct(inspected):
    ledger = _two_inspections(inspected)
    rows = {r["seq"]: r for r in ledger.json("audit", "--problem", "XC2019-1-1")}
    registered = next(r for r in rows.values() if r["event"] == "Registered")
    planned = next(r for r in rows.values() if r["event"] == "MeasurePlanned")
    title_fix, text_fix = [r for r in rows.values() if r["event"] == "Corrected"]
    assert title_fix["correction"] == f"corrects #{registered['seq']}"
    assert registered["correction"] == f"corrected by #{title_fix['seq']} (title)"
    assert text_fix["correction"] == f"corrects #{planned['seq']}"
    assert "关于“甲”的问题 → 关于“甲甲”的问题" in title_fix["details"] and "录入错误" in title_fix["details"]
    table = ledger.out("audit", "--problem", "XC2019-1-1")
    assert f"corrects #{registered['seq']}" in table


def test_every_correctable_inspection_field_points_back_to_the_registration(inspected):
    """The round (轮次) too: the trail knows the fields a registration sets from the one list `correct` takes."""
    ledger = _two_inspections(inspected)
    ledger("correct", "XC2020-2", "--field", "round", "--value", "十届县委第十二轮巡察", "--reason", "补录轮次")
    ledger("correct", "XC2020-2", "--field", "group", "--value", "县委第三巡察组", "--reason", "录入错误")
    rows = ledger.json("audit")
    registered = next(r for r in rows if r["event"] == "Registered" and r["subject"] == "XC2020-2")
    round_fix, group_fix = [r for r in rows if r["event"] == "Corrected" and r["subject"] == "XC2020-2"]
    assert round_fix["correction"] == group_fix["correction"] == f"corrects #{registered['seq']}"
    assert registered["correction"] == f"corrected by #{round_fix['seq']} (round), #{group_fix['seq']} (group)"


def test_filters(inspected):
    ledger = _two_inspections(inspected)
    only_first = ledger.json("audit", "--inspection", "XC2019-1")
    assert {r["subject"] for r in only_first} == {"XC2019-1", "XC2019-1-1"}
    assert {r["subject"] for r in ledger.json("audit", "--inspection", "XC2020-2")} == {"XC2020-2", "XC2020-2-1"}
    assert {r["actor"] for r in ledger.json("audit", "--actor", "王琎")} == {"王琎"}
    today = datetime.now(timezone.utc).date().isoformat()
    assert len(ledger.json("audit", "--since", today, "--until", today)) == 9
    assert ledger.json("audit", "--until", "2000-01-01") == []
    assert ledger.out("audit", "--actor", "nobody") == "no events match"
    csv = ledger.out("audit", "--format", "csv").splitlines()
    assert csv[0] == "seq,recorded_at,at,actor,subject,event,details,correction" and len(csv) == 10


def test_bad_filters_are_one_line_errors(inspected):
    assert "unknown problem ID: XC2019-1-7" in inspected("audit", "--problem", "XC2019-1-7", expect=1).stderr
    assert "unknown inspection ID: NOPE" in inspected("audit", "--inspection", "NOPE", expect=1).stderr
    result = inspected("audit", "--since", "2020-02-01", "--until", "2020-01-01", expect=2)
    assert "--until 2020-01-01 is before --since 2020-02-01" in result.stderr
    assert "Traceback" not in inspected("audit", "--since", "yesterday", expect=2).stderr


@pytest.mark.sqlite_only  # reads or edits the SQLite file itself
def test_installed_executable_prints_the_trail_and_replays(inspected):
    result = run_executable("audit", "--format", "json", cwd=inspected.folder)
    assert result.returncode == 0, result.stderr
    result = run_executable("replay", cwd=inspected.folder)
    assert result.returncode == 0 and "replayed 2 events" in result.stdout


# Every sentence of the trail, pinned in both languages: the words are keyed messages (ledger.po), built once.
SENTENCES = [
    ("Registered",
     "registered inspection XC2019-1 «县委第一巡察组巡察县交通运输局党组»: 县委第一巡察组 inspected 县交通运输局党组 from 2019-10-28 to 2019-11-18 (regular), feedback given 2020-01-14",
     "登记巡察 XC2019-1《县委第一巡察组巡察县交通运输局党组》：县委第一巡察组巡察县交通运输局党组，2019-10-28 至 2019-11-18（常规巡察），2020-01-14 反馈"),
    ("Registered",
     "registered problem 1 [政治站位方面] 关于“思想认识不深刻”的问题; type immediate, source 巡察, deadline 2020-03-31; description: 学习流于形式",
     "登记问题 1〔政治站位方面〕关于“思想认识不深刻”的问题；立行立改，来源：巡察，整改时限 2020-03-31；问题描述：学习流于形式"),
    ("Assigned", "assigned to 王琎 (办公室), responsible leader 局长, deadline 2020-03-31", "责任到人：王琎（办公室），责任领导 局长，整改时限 2020-03-31"),
    ("MeasurePlanned", "planned measure M1: 修订学习制度 (due 2020-03-01)", "制定整改措施 M1：修订学习制度（时限 2020-03-01）"),
    ("MeasureCompleted",
     "completed measure M1; evidence: 学习制度.pdf, 会议记录.docx; outcomes: rules 2, funds 1500.00 yuan, accountable discipline 1, unspecified 2, clues 3",
     "完成整改措施 M1；佐证材料：学习制度.pdf、会议记录.docx；成效：完善和新建制度 2 项，清退、追回资金 1500.00 元，问责、处理 党纪政务处分 1 人、未分类 2 人，移交问题线索 3 件"),
    ("VerificationRecorded", "verification graded poor: failed, back for 二次整改; note: 措施不实", "核查验收评为“一般”：未通过，退回二次整改；说明：措施不实"),
    ("MeasurePlanned", "planned measure M2: 再次整改", "制定整改措施 M2：再次整改"),
    ("MeasureCompleted", "completed measure M2", "完成整改措施 M2"),
    ("VerificationRecorded", "verification graded good: passed", "核查验收评为“好”：通过"),
    ("SignedOff", "signed off (approval) as closed; note: 同意销号", "对账销号（批准）：已销号；说明：同意销号"),
    ("ReviewRecorded", "review (回头看): holds; note: 整改到位", "整改回头看：整改到位；说明：整改到位"),
    ("Reopened", "reopened: 问题反弹", "重新打开：问题反弹"),
    ("Corrected", "corrected type: immediate → long-term; reason: 录入错误", "更正整改类型：立行立改 → 长期坚持；理由：录入错误"),
    ("Corrected", "corrected M1.due: 2020-03-01 → 2020-03-15; reason: 录入错误", "更正措施M1 时限：2020-03-01 → 2020-03-15；理由：录入错误"),
    ("Corrected", "corrected description: 学习流于形式 → —; reason: 重复", "更正问题描述：学习流于形式 → —；理由：重复"),
    ("Withheld", "withheld from publication: title, problem (reason: state-secret)", "不予公开：问题标题、全部内容（理由：国家秘密）"),
    ("Corrected", "corrected kind: regular → special; reason: 录入错误", "更正巡察类型：常规巡察 → 专项巡察；理由：录入错误"),
]


ON_ENGLISH_SCREENS = {
    1: "registered problem 1 [政治站位方面] 关于“思想认识不深刻”的问题; type immediate, source inspection, deadline 2020-03-31; description: 学习流于形式",
    # each figure by the vocabulary's name, as the summary heads it (JSON keeps "rules 2", as recorded)
    4: "completed measure M1; evidence: 学习制度.pdf, 会议记录.docx; outcomes: rules made or revised 2, funds returned or recovered 1500.00 yuan, "
       "people held accountable discipline 1, unspecified 2, clues transferred 3",
    5: "verification graded poor: failed, back for rework; note: 措施不实",
    10: "review (after sign-off): holds; note: 整改到位",
    13: "corrected measure M1 due date: 2020-03-01 → 2020-03-15; reason: 录入错误",
    15: "withheld from publication: title, the whole problem (reason: state secret)",
}


def _founding_event():
    """The Authority's first event (who administers the ledger), as `ledger init` records it."""
    from datetime import datetime, timezone

    from ledger.identity import Authority

    authority = Authority(ledger_id="L1", administrator="管理员", public_key="AAAA", fingerprint="ab12", actor="管理员", at=datetime.now(timezone.utc))
    return authority.collect_events()[0]


def test_every_sentence_of_the_trail_in_both_languages():
    """Each act's sentence, with every optional part, reads as pinned in English (JSON) and Chinese (screen)."""
    from datetime import date
    from decimal import Decimal

    from ledger.messages import render
    from ledger.values import MeasureOutcomes
    from projections.audit import trail_rows
    from test_rules_in_memory import CLERK, SIGNER, VERIFIER, WORKER, Ledger

    ledger = Ledger()
    app, at = ledger.app, ledger.tick
    ledger.inspection()
    pid = ledger.problem(deadline=date(2020, 3, 31), description="学习流于形式", type="immediate")
    app.assign(pid, lead="局长", unit="办公室", person=WORKER, deadline=date(2020, 3, 31), actor=CLERK, at=at())
    app.plan_measure(pid, text="修订学习制度", due=date(2020, 3, 1), actor=WORKER, at=at())
    outcomes = MeasureOutcomes(rules=2, funds=Decimal("1500.00"), accountable={"discipline": 1, "unspecified": 2}, clues=3)
    app.complete_measure(pid, "M1", evidence=["学习制度.pdf", "会议记录.docx"], outcomes=outcomes, actor=WORKER, at=at())
    app.verify(pid, grade="poor", note="措施不实", actor=VERIFIER, at=at())
    app.plan_measure(pid, text="再次整改", due=None, actor=WORKER, at=at())
    app.complete_measure(pid, "M2", actor=WORKER, at=at())
    app.verify(pid, grade="good", actor=VERIFIER, at=at())
    app.sign_off(pid, note="同意销号", actor=SIGNER, at=at())
    app.record_review(pid, result="holds", note="整改到位", actor=VERIFIER, at=at())
    app.reopen(pid, reason="问题反弹", actor=VERIFIER, at=at())
    app.correct_problem(pid, field="type", value="long-term", reason="录入错误", actor=CLERK, at=at())
    app.correct_problem(pid, field="M1.due", value=date(2020, 3, 15), reason="录入错误", actor=CLERK, at=at())
    app.correct_problem(pid, field="description", value="", reason="重复", actor=CLERK, at=at())
    app.withhold(pid, reason="state-secret", fields=["title", "problem"], actor=CLERK, at=at())
    app.correct_inspection("XC2019-1", field="kind", value="special", reason="录入错误", actor=CLERK, at=at())
    events = [(n.id, app.mapper.to_domain_event(n)) for n in app.recorder.select_notifications(start=1, limit=100)]

    rows = trail_rows(events)
    english = [ON_ENGLISH_SCREENS.get(i, en) for i, (_, en, _) in enumerate(SENTENCES)]
    assert [(r["event"], str(r["details"]), render(r["details"], "zh")) for r in rows] == [(e, english[i], zh) for i, (e, _, zh) in enumerate(SENTENCES)]
    # An English sentence, on screen and in JSON alike, has no Chinese words but names and quoted text (巡察 reads
    # "inspection", 国家秘密 "state secret"): the act's data keeps the values as they were stored.
    assert [render(r["details"], "en") for r in rows] == english
    assert render(trail_rows([(1, _founding_event())])[0]["subject"], "en") == "people"


# One act of each kind, as its aggregate's event class records it (values in the offices' wording).
_ACTS = {
    "code": "XC2019-1", "name": "王琎", "organisation": "县交通运输局党组", "group": "县委第一巡察组",
    "kind": "regular", "start": "2019-10-28", "end": "2019-11-18", "feedback": "2020-01-14", "round": "",
    "inspection": "XC2019-1", "number": 1, "category": "政治站位方面", "title": "关于“思想认识不深刻”的问题", "description": "",
    "type": "deadline", "source": "巡察", "deadline": "2020-03-31", "parent": "", "columns": None,
    "field": "title", "old": "关于“甲”的问题", "new": "关于“甲甲”的问题", "reason": "需要更多时间",
    "lead": "杨荣", "unit": "办公室", "person": "王琎", "measure_id": "M1", "text": "制定学习计划", "due": None,
    "evidence": ["学习制度.pdf"], "rules": 0, "funds": "0.00", "accountable": {}, "clues": 0,
    "grade": "good", "passed": True, "note": "同意", "meaning": "approval", "verification": 1, "outcome": "closed",
    "result": "holds", "cause": None, "level": "warning", "fields": ["title"], "ciphertext": "v1:AAAA", "child": "XC2019-1-2",
    "to": "2027-12-31", "previous": "2027-06-30", "approved": True, "problem": "XC2018-3-2", "link": "recurrence",
    "seed": 20200114, "size": 2, "drawn_ids": ["XC2019-1-1", "XC2019-1-3"], "population": ["XC2019-1-1", "XC2019-1-2", "XC2019-1-3"],
    "ledger_id": "L1", "sequence": 12, "algorithm": "sha256", "head": "9f2c" * 16, "time": "2020-01-14T09:00:00Z",
    "public_key": "AAAA", "fingerprint": "ab12cd34", "signature": "c2ln", "tree_size": 12, "tree_root": "77" * 32, "checkpoint_version": 2,
    "administrator": "管理员", "roles": ["verifier", "signer"], "role": "verifier", "value": "forbidden",
}


def _one_act_of_each_kind(**changed):
    """(seq, event) of every kind in vocabulary.EVENTS, a problem's registration first (so its acts read as a problem's)."""
    import inspect
    from datetime import date
    from uuid import uuid4

    from eventsourcing.utils import get_topic

    from ledger.checkpoint import Checkpoint
    from ledger.domain import Inspection, Problem, SampleDraw
    from ledger.identity import Authority
    from ledger.vocabulary import EVENTS

    at = datetime(2020, 1, 14, 9, tzinfo=timezone.utc)
    ids = {a: uuid4() for a in (Inspection, Problem, SampleDraw, Checkpoint, Authority)}
    kinds = [(Problem, "Registered"), (Inspection, "Registered")] + [
        (next(a for a in ids if isinstance(getattr(a, n, None), type)), n) for n in EVENTS if n != "Registered"]
    values = {**_ACTS, **changed}
    events = []
    for seq, (aggregate, name) in enumerate(kinds, start=1):
        cls = getattr(aggregate, name)
        wanted = [p for p in inspect.signature(cls).parameters if p not in ("self", "originator_id", "originator_version", "timestamp")]
        fields = {p: values[p] for p in wanted if p not in ("actor", "at", "originator_topic")}
        if "originator_topic" in wanted:  # a created aggregate's first event
            fields["originator_topic"] = get_topic(aggregate)
        for p in ("start", "end", "feedback", "deadline", "to", "previous"):
            if isinstance(fields.get(p), str):
                fields[p] = date.fromisoformat(fields[p])
        if aggregate is Inspection and name == "Registered":
            fields["name"] = "县委第一巡察组巡察县交通运输局党组"
        if name == "PolicySet":
            fields["name"] = "proxy_signoff"
        if name == "SensitiveRecorded":
            fields["field"] = "whistleblower"
        events.append((seq, cls(originator_id=ids[aggregate], originator_version=seq, timestamp=at, actor="王琎", at=at, **fields)))
    assert {type(e).__name__ for _, e in events} == set(EVENTS)
    return events


@pytest.mark.parametrize("changed", [{}, {"approved": False, "roles": [], "note": "", "fingerprint": None, "passed": False}])
def test_every_kind_of_act_reads_as_a_sentence_in_both_languages(changed):
    """No act falls back to key=value on a screen, and no Python value (True, None, [..]) reaches one; JSON keeps its details."""
    import re

    from ledger.messages import render
    from projections.audit import trail_rows
    from projections.history import describe, history_rows

    events = _one_act_of_each_kind(**changed)
    rows = trail_rows(events)
    assert len(rows) == len(events)
    for (_, event), row in zip(events, rows):
        for lang in ("zh", "en"):
            shown = render(row["details"], lang)
            assert "=" not in shown, (row["event"], lang, shown)
            assert not re.search(r"\b(True|False|None)\b|\[\]|\{\}|\['|'\]", shown), (row["event"], lang, shown)
            for value in row["data"].values():  # a list as Python prints it ([verifier, signer])
                if isinstance(value, list) and value:
                    assert "[" + ", ".join(map(str, value)) not in shown, (row["event"], lang, shown)
        assert render(row["details"], "zh") != render(row["details"], "en"), row["event"]  # worded in each language
        if "=" in str(row["details"]):  # a kind JSON has always carried as key=value keeps it
            assert str(row["details"]) == str(describe(event))
    # `history` shows the same sentences; its JSON keeps the key=value it always carried
    for (_, event), row, line in zip(events, history_rows(events), rows):
        assert str(row["details"]) == str(describe(event))
        for lang in ("zh", "en"):
            assert render(row["details"], lang) == render(line["details"], lang), (row["event"], lang)


def test_the_later_acts_in_words(inspected):
    """An extension asked and refused, a refinement, an escalation, progress and a rejected likeness:
    `ledger audit` words each in Chinese and English on screen, and its JSON keeps key=value."""
    ledger = inspected
    for title in ("关于“甲”的问题", "关于“乙”的问题"):
        ledger("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", title, "--at", "2020-01-15")
    ledger("assign", "XC2019-1-1", "--lead", "杨荣", "--unit", "办公室", "--person", "王琎", "--deadline", "2020-06-30", actor="主任")
    ledger("extend", "XC2019-1-1", "--to", "2020-12-31", "--reason", "需要更多时间", actor="王琎")
    ledger("approve-extension", "XC2019-1-1", "--refuse", "--note", "理由不充分", actor="主任")
    ledger("add-problem", "--parent", "XC2019-1-1", "--title", "关于“甲”的问题之一", "--at", "2020-01-16")
    ledger("escalate", "XC2019-1-1", "--level", "warning", "--note", "进度滞后", actor="主任")
    ledger("progress", "XC2019-1-1", "已完成学习制度初稿", actor="王琎")
    ledger("link", "XC2019-1-2", "XC2019-1-1", "--reject", "--note", "不是同类问题")
    zh = ledger.out("--lang", "zh", "audit", "--inspection", "XC2019-1", "--format", "tsv")
    en = ledger.out("--lang", "en", "audit", "--inspection", "XC2019-1", "--format", "tsv")
    for said in ("申请延期：整改时限 2020-06-30 → 2020-12-31；理由：需要更多时间", "延期申请未批准；说明：理由不充分", "细化为问题 XC2019-1-3",
                 "督办：告诫书；说明：进度滞后", "报告进展：已完成学习制度初稿", "排除相似问题 XC2019-1-1；说明：不是同类问题"):
        assert said in zh, said
    for said in ("extension requested: deadline 2020-06-30 → 2020-12-31; reason: 需要更多时间", "extension refused; note: 理由不充分",
                 "refined into problem XC2019-1-3", "escalated: warning; note: 进度滞后", "progress reported: 已完成学习制度初稿",
                 "XC2019-1-1 rejected as not alike; note: 不是同类问题"):
        assert said in en, said
    for shown in (zh, en):
        assert "approved=" not in shown and "False" not in shown and "level=" not in shown
    data = {r["event"]: r["details"] for r in ledger.json("audit", "--inspection", "XC2019-1")}
    assert data["ExtensionDecided"] == "approved=False; note=理由不充分"
    assert data["ExtensionRequested"] == "to=2020-12-31; reason=需要更多时间; previous=2020-06-30"
    assert data["ChildAdded"] == "child=XC2019-1-3"


def test_an_act_rewritten_so_it_cannot_be_worded_is_tampering_in_history_and_audit(inspected):
    """A withholding's fields rewritten in the store to a number (the problem still rebuilds), the chain
    recomputed: its sentence cannot be made, and `history` names the event (exit 4, no traceback) as `audit` does."""
    from tests.integrity_helpers import edit_state, events, recompute_chain

    ledger = inspected
    ledger("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", "关于“甲”的问题", "--at", "2020-01-15")
    ledger("withhold", "XC2019-1-1", "--reason", "privacy", "--field", "title")
    seq = events(ledger)[-1][0]
    edit_state(ledger, seq, b'"title"', b'7')
    recompute_chain(ledger)
    for command in (["history", "XC2019-1-1"], ["audit", "--problem", "XC2019-1-1"]):
        result = ledger("--lang", "en", *command, expect=4)
        assert f"first bad sequence number {seq}: event {seq} cannot be read back (" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def test_history_and_audit_csv_give_one_details_form_for_one_event(inspected):
    """Review of issue 30, finding 24: for the same event `history --format csv` gave key=value details and
    `audit --format csv` the trail's sentence. Both CSVs now carry the audit trail's form (its JSON's, unchanged);
    history's JSON keeps the key=value it has always carried."""
    import csv
    import io

    from guard_helpers import close_problem

    ledger = inspected
    add = ["add-problem", "--inspection", "XC2019-1", "--category", "作风建设方面", "--deadline", "2020-06-30", "--at", "2020-01-15"]
    first = ledger.out(*add, "--title", "关于“公务接待不规范”的问题")
    second = ledger.out(*add, "--title", "关于“会议室管理不严”的问题")
    close_problem(ledger, first, done_at="2020-03-01", verify_at="2020-03-05", close_at="2020-03-10")
    ledger("correct", second, "--field", "deadline", "--value", "2020-07-31", "--reason", "录入错误", "--at", "2020-01-20")
    ledger("escalate", second, "--level", "notice", "--note", "请加快整改", "--at", "2020-08-01")
    ledger("withhold", second, "--reason", "privacy", "--field", "description", "--at", "2020-08-02")
    ledger("add-inspection", "XC2021-2", "--name", "县委第二巡察组巡察县交通运输局党组", "--organisation", "县交通运输局党组",
           "--group", "县委第二巡察组", "--kind", "look-back", "--start", "2021-03-01", "--end", "2021-04-01", "--feedback", "2021-05-01",
           "--at", "2021-05-01")
    later = ledger.out("add-problem", "--inspection", "XC2021-2", "--category", "作风建设方面", "--title", "公务接待仍不规范", "--at", "2021-05-02")
    ledger("link", later, first, "--as", "recurrence", "--note", "回潮")

    def details(*args):
        rows = list(csv.DictReader(io.StringIO(ledger.out(*args, "--format", "csv"))))
        return {r["seq"]: r["details"] for r in rows}

    for ident in (first, second, later):
        history, audit = details("history", ident), details("audit", "--problem", ident, "--all")
        assert history and history == {seq: audit[seq] for seq in history}, ident
    history = details("history", first)
    assert any(d.startswith("registered problem 1 [作风建设方面]") for d in history.values()), history
    assert ledger.json("history", first)[0]["details"].startswith("inspection=XC2019-1; number=1;")  # JSON unchanged
