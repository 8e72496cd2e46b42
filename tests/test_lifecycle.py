"""Every lifecycle command and every rule, through the CLI on a real SQLite file."""

from __future__ import annotations

import json
import sqlite3

import pytest

PROBLEM = ["add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", "关于“思想认识不深刻”的问题", "--at", "2020-01-15"]


def event_count(ledger) -> int:
    return ledger.query("SELECT COUNT(*) FROM stored_events")[0][0]


def assigned(ledger, *extra: str) -> str:
    pid = ledger.out(*PROBLEM, *extra)
    ledger("assign", pid, "--lead", "杨荣", "--unit", "办公室", "--person", "王琎", "--at", "2020-01-16")
    return pid


def worked(ledger, *extra: str) -> str:
    """A problem with one completed measure, done by 王琎."""
    pid = assigned(ledger, *extra)
    mid = ledger.out("plan", pid, "制定学习计划", "--at", "2020-01-20")
    ledger("done", pid, mid, "--evidence", "学习计划.pdf", "--at", "2020-03-10", actor="王琎")
    return pid


def verified(ledger, *extra: str) -> str:
    pid = worked(ledger, *extra)
    ledger("verify", pid, "--grade", "good", "--at", "2020-04-10", actor="巡察办")
    return pid


# -- registration ---------------------------------------------------------------


def test_add_problem_prints_the_id_and_numbers_in_sequence(inspected):
    assert inspected.out(*PROBLEM) == "XC2019-1-1"
    assert inspected.json(*PROBLEM)["id"] == "XC2019-1-2"
    assert inspected.out(*PROBLEM, "--number", "7") == "XC2019-1-7"
    assert inspected.out(*PROBLEM) == "XC2019-1-8"


def test_duplicate_number_is_refused_and_nothing_written(inspected):
    inspected(*PROBLEM, "--number", "3")
    before = event_count(inspected)
    result = inspected(*PROBLEM, "--number", "3", expect=1)
    assert "number 3 is already taken" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert event_count(inspected) == before


def test_unknown_inspection_is_refused(inspected):
    result = inspected("add-problem", "--inspection", "NOPE", "--category", "c", "--title", "t", expect=1)
    assert "unknown inspection ID: NOPE" in result.stderr


def test_duplicate_inspection_code_is_refused(inspected):
    from tests.conftest import INSPECTION

    result = inspected(*INSPECTION, expect=1)
    assert "already exists" in result.stderr


def test_inspection_dates_must_be_in_order(ledger):
    result = ledger("add-inspection", "X1", "--name", "n", "--organisation", "o", "--group", "g", "--kind", "专项",
                    "--start", "2024-05-10", "--end", "2024-05-01", expect=1)
    assert "end 2024-05-01 is before start 2024-05-10" in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["--deadline", "2024-02-30"], "not a valid date"),
        (["--deadline", "tomorrow"], "not a valid date"),
        (["--type", "someday"], "is not one of"),
        (["--source", "rumour"], "is not one of"),
        (["--number", "0"], "0"),
        (["--at", "2090-01-01"], "in the future"),
            (["--at", "2999-01-01"], "out of range"),
        (["--at", "yesterday"], "not a valid date-time"),
    ],
)
def test_bad_values_are_one_line_errors_with_nothing_written(inspected, args, message):
    before = event_count(inspected)
    result = inspected(*PROBLEM[:-2], *args, expect=None)
    assert result.exit_code in (1, 2)
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert event_count(inspected) == before


def test_deadline_before_registration_is_refused(inspected):
    result = inspected(*PROBLEM, "--deadline", "2020-01-01", expect=1)
    assert "deadline-after-registration" in result.stderr


def test_chinese_vocabulary_is_accepted(inspected):
    pid = inspected.out(*PROBLEM, "--type", "长期坚持", "--source", "审计")
    view = inspected.json("show", pid)
    assert (view["type"], view["source"]) == ("long-term", "审计")


def test_traditional_chinese_text_round_trips_unchanged(inspected):
    title = "關於“思想認識不深刻”的問題\u3000（繁體）"
    pid = inspected.out("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", title, "--at", "2020-01-15")
    assert inspected.json("show", pid)["title"] == title


# -- assignment -----------------------------------------------------------------


def test_assign_and_reassign_keeps_history(inspected):
    pid = assigned(inspected)
    inspected("assign", pid, "--lead", "陈光明", "--unit", "安全股", "--person", "李明", "--deadline", "2020-06-30", "--at", "2020-02-01")
    view = inspected.json("show", pid)
    assert view["status"] == "in_progress"
    assert view["assignee"] == {"lead": "陈光明", "unit": "安全股", "person": "李明", "deadline": "2020-06-30"}
    assert [a["person"] for a in view["assignments"]] == ["王琎", "李明"]
    assert view["deadline"] == "2020-06-30"


def test_assign_unknown_problem_exits_1(inspected):
    result = inspected("assign", "XC2019-1-99", "--lead", "a", "--unit", "b", "--person", "c", expect=1)
    assert result.stderr.strip() == "ledger: error: unknown problem ID: XC2019-1-99"


def test_missing_option_is_a_usage_error(inspected):
    pid = inspected.out(*PROBLEM)
    result = inspected("assign", pid, "--lead", "a", expect=2)
    assert "--unit" in result.stderr and len(result.stderr.strip().splitlines()) == 1


# -- measures ---------------------------------------------------------------------


def test_plan_and_done_with_outcomes(inspected):
    pid = assigned(inspected)
    assert inspected.out("plan", pid, "完善制度", "--due", "2020-03-01") == "M1"
    assert inspected.out("plan", pid, "追回资金") == "M2"
    inspected("done", pid, "M1", "--evidence", "制度.pdf", "--evidence", "会议纪要", "--rules", "2", actor="王琎")
    inspected("done", pid, "m2", "--funds", "12000.50", "--accountable", "admonition=2", "--accountable", "1", "--clues", "1", actor="王琎")
    view = inspected.json("show", pid)
    m1, m2 = view["measures"]
    assert (m1["status"], m1["evidence"], m1["due"]) == ("done", ["制度.pdf", "会议纪要"], "2020-03-01")
    assert m2["funds"] == "12000.50" and m2["accountable"] == {"admonition": 2, "unspecified": 1}
    assert view["figures"]["rules"] == 2 and view["figures"]["funds"] == "12000.50"
    assert view["figures"]["accountable"] == 3 and view["figures"]["clues"] == 1


def test_measure_done_twice_or_unknown_is_refused(inspected):
    pid = worked(inspected)
    assert "already done" in inspected("done", pid, "M1", actor="王琎", expect=1).stderr
    assert "unknown measure ID: XC2019-1-1/M9" in inspected("done", pid, "M9", expect=1).stderr


def test_done_before_assignment_is_refused(inspected):
    pid = inspected.out(*PROBLEM)
    inspected("plan", pid, "text")
    assert "assign-before-work" in inspected("done", pid, "M1", expect=1).stderr


@pytest.mark.parametrize("funds", ["-5", "abc", "1.005"])
def test_bad_funds_are_refused(inspected, funds):
    pid = assigned(inspected)
    inspected("plan", pid, "text")
    result = inspected("done", pid, "M1", "--funds", funds, expect=2)
    assert "--funds" in result.stderr


# -- verification and sign-off ----------------------------------------------------


def test_full_lifecycle_to_closed(inspected):
    pid = verified(inspected)
    assert inspected.json("show", pid)["status"] == "verified"
    inspected("close", pid, "--note", "整改一个销号一个", "--at", "2020-04-20", actor="县委巡察工作领导小组")
    view = inspected.json("show", pid)
    assert view["status"] == "closed"
    assert view["signoffs"][0]["by"] == "县委巡察工作领导小组"
    assert view["signoffs"][0]["meaning"] == "approval"


def test_long_term_problem_signs_off_as_ongoing(inspected):
    pid = verified(inspected, "--type", "long-term")
    inspected("close", pid, actor="领导小组")
    assert inspected.json("show", pid)["status"] == "ongoing"


def test_sign_off_needs_a_passing_verification(inspected):
    pid = worked(inspected)
    result = inspected("close", pid, actor="领导小组", expect=1)
    assert "sign-off-after-passing-verification" in result.stderr


def test_failed_verification_sends_it_back_for_rework(inspected):
    pid = worked(inspected)
    inspected("verify", pid, "--grade", "一般", "--note", "流于形式", "--at", "2020-04-10", actor="巡察办")
    view = inspected.json("show", pid)
    assert (view["status"], view["reworks"]) == ("in_progress", 1)
    assert "sign-off-after-passing-verification" in inspected("close", pid, actor="领导小组", expect=1).stderr


def test_new_measure_after_verification_requires_a_new_verification(inspected):
    pid = verified(inspected)
    inspected("plan", pid, "补充措施", "--at", "2020-04-11")
    inspected("done", pid, "M2", "--at", "2020-04-12", actor="王琎")
    assert inspected.json("show", pid)["status"] == "in_progress"
    assert "sign-off-after-passing-verification" in inspected("close", pid, actor="领导小组", expect=1).stderr
    inspected("verify", pid, "--grade", "fair", "--at", "2020-04-13", actor="巡察办")
    inspected("close", pid, "--at", "2020-04-14", actor="领导小组")
    assert inspected.json("show", pid)["status"] == "closed"


def test_verification_dated_before_the_measure_is_refused(inspected):
    pid = worked(inspected)
    result = inspected("verify", pid, "--grade", "good", "--at", "2020-03-01", actor="巡察办", expect=1)
    assert "verification-after-measure" in result.stderr


def test_verification_with_open_measures_is_refused(inspected):
    pid = worked(inspected)
    inspected("plan", pid, "another")
    assert "measures still open: M2" in inspected("verify", pid, "--grade", "good", actor="巡察办", expect=1).stderr


def test_verifier_and_signer_must_differ_from_who_did_the_work(inspected):
    pid = worked(inspected)
    assert "separate-verifier" in inspected("verify", pid, "--grade", "good", actor="王琎", expect=1).stderr
    inspected("verify", pid, "--grade", "good", actor="巡察办")
    assert "separate-signer" in inspected("close", pid, actor="王琎", expect=1).stderr


def test_separation_policy_can_be_turned_off(inspected):
    (inspected.folder / "ledger.yaml").write_text(
        "store: ledger.db\npolicy:\n  separate_verifier: false\n  separate_signer: false\n", encoding="utf-8"
    )
    pid = worked(inspected)
    inspected("verify", pid, "--grade", "good", actor="王琎")
    inspected("close", pid, actor="王琎")
    assert inspected.json("show", pid)["status"] == "closed"


def test_grades_in_chinese_and_bad_grade(inspected):
    pid = worked(inspected)
    assert inspected("verify", pid, "--grade", "excellent", actor="x", expect=2).stderr.count("\n") == 1
    inspected("verify", pid, "--grade", "较好", actor="巡察办")
    assert inspected.json("show", pid)["verifications"][0]["grade"] == "fair"


# -- after closure ------------------------------------------------------------------


def closed(ledger) -> str:
    pid = verified(ledger)
    ledger("close", pid, "--at", "2020-04-20", actor="领导小组")
    return pid


def test_no_new_measure_on_a_closed_problem(inspected):
    pid = closed(inspected)
    assert "reopen-before-new-work" in inspected("plan", pid, "more", expect=1).stderr
    assert "sign-off-once" in inspected("close", pid, actor="领导小组", expect=1).stderr


def test_review_holds_then_relapse_reopens_and_counts_forever(inspected):
    pid = closed(inspected)
    inspected("review", pid, "--holds", "--note", "回头看：整改到位", "--at", "2020-07-20", actor="巡察组")
    assert inspected.json("show", pid)["status"] == "closed"
    inspected("review", pid, "--relapsed", "--note", "回潮：学习流于形式", "--at", "2020-10-20", actor="巡察组")
    view = inspected.json("show", pid)
    assert (view["status"], view["relapses"]) == ("in_progress", 1)
    assert [r["result"] for r in view["reviews"]] == ["holds", "relapsed"]
    # fixed again and closed again: the relapse stays counted
    inspected("plan", pid, "二次整改", "--at", "2020-10-21")
    inspected("done", pid, "M2", "--at", "2020-10-25", actor="王琎")
    inspected("verify", pid, "--grade", "good", "--at", "2020-10-26", actor="巡察办")
    inspected("close", pid, "--at", "2020-10-27", actor="领导小组")
    assert inspected.json("show", pid)["relapses"] == 1
    inspected("reopen", pid, "--reason", "群众反映再次出现", actor="纪委")
    assert inspected.json("show", pid)["relapses"] == 2


def test_review_and_reopen_need_a_closed_problem(inspected):
    pid = worked(inspected)
    assert "review-after-closure" in inspected("review", pid, "--holds", "--note", "n", expect=1).stderr
    assert "reopen-after-closure" in inspected("reopen", pid, "--reason", "r", expect=1).stderr
    assert "--holds or --relapsed" in inspected("review", pid, "--note", "n", expect=2).stderr


def test_reopen_requires_a_reason(inspected):
    pid = closed(inspected)
    assert "--reason" in inspected("reopen", pid, expect=2).stderr
    assert "must not be empty" in inspected("reopen", pid, "--reason", "  ", expect=2).stderr


# -- corrections ----------------------------------------------------------------------


def test_correction_keeps_the_original_visible(inspected):
    pid = inspected.out(*PROBLEM)
    inspected("correct", pid, "--field", "title", "--value", "关于“责任意识不够强”的问题", "--reason", "录入错误")
    view = inspected.json("show", pid)
    assert view["title"] == "关于“责任意识不够强”的问题"
    assert view["corrections"][0]["old"] == "关于“思想认识不深刻”的问题"
    history = inspected.json("history", pid)
    assert [h["event"] for h in history] == ["Registered", "Corrected"]
    assert history[0]["data"]["title"] == "关于“思想认识不深刻”的问题"
    assert "→" in history[1]["details"] and "录入错误" in history[1]["details"]


def test_correct_a_measure_and_an_inspection(inspected):
    pid = assigned(inspected)
    inspected("plan", pid, "错字")
    inspected("correct", pid, "--field", "M1.text", "--value", "正确的措施", "--reason", "错别字")
    assert inspected.json("show", pid)["measures"][0]["text"] == "正确的措施"
    inspected("correct", "XC2019-1", "--field", "feedback", "--value", "2020-01-15", "--reason", "日期核对")
    assert inspected.json("show", "XC2019-1")["feedback"] == "2020-01-15"


@pytest.mark.parametrize(
    "field, value, message, code",
    [
        ("number", "3", "cannot be corrected", 2),
        ("deadline", "2019-01-01", "deadline-after-registration", 1),
        ("type", "never", "is not one of", 2),
        ("title", "关于“思想认识不深刻”的问题", "correction-changes-something", 1),
    ],
)
def test_bad_corrections_are_refused(inspected, field, value, message, code):
    pid = inspected.out(*PROBLEM)
    assert message in inspected("correct", pid, "--field", field, "--value", value, "--reason", "r", expect=code).stderr


# -- reading ---------------------------------------------------------------------------


def test_status_filters_and_formats(inspected):
    a = assigned(inspected)
    b = inspected.out("add-problem", "--inspection", "XC2019-1", "--category", "综合治理方面", "--title", "关于“监管责任不到位”的问题", "--deadline", "2020-03-31", "--at", "2020-01-15")
    rows = inspected.json("status")
    assert [r["id"] for r in rows] == [a, b]
    assert rows[1]["overdue"] is True and rows[0]["overdue"] is False
    assert [r["id"] for r in inspected.json("status", "--overdue")] == [b]
    assert [r["id"] for r in inspected.json("status", "--category", "综合治理方面")] == [b]
    assert [r["id"] for r in inspected.json("status", "--unit", "办公室")] == [a]
    assert [r["id"] for r in inspected.json("status", "--status", "registered")] == [b]
    assert [r["id"] for r in inspected.json("status", "--inspection", "OTHER")] == []
    csv_out = inspected.out("status", "--format", "csv")
    assert csv_out.splitlines()[0].startswith("id,category,title")
    md = inspected.out("status", "--format", "markdown")
    assert md.splitlines()[1].startswith("|--")
    for key in ("id", "inspection", "number", "category", "title", "type", "status", "deadline", "overdue", "relapses", "assignee", "measures"):
        assert key in rows[0]


def test_status_table_aligns_wide_characters(inspected):
    assigned(inspected)
    inspected.out("add-problem", "--inspection", "XC2019-1", "--category", "组织领导方面", "--title", "short", "--at", "2020-01-15")
    from wcwidth import wcswidth

    lines = inspected.out("status").splitlines()
    type_column = lines[0].index("type")
    for line in lines[2:]:
        # the type value starts at the same display column on every row, whatever the CJK text before it
        assert wcswidth(line[: line.index(" deadline ") + 1]) == type_column


def test_show_json_has_the_contract_fields(inspected):
    pid = worked(inspected)
    view = inspected.json("show", pid)
    for key in ("id", "inspection", "number", "category", "title", "type", "status", "deadline", "overdue", "relapses", "assignee", "measures"):
        assert key in view
    assert set(view["measures"][0]) >= {"id", "text", "status", "evidence"}
    assert inspected("show", "XC2019-1-42", expect=1).stderr.strip() == "ledger: error: unknown problem ID: XC2019-1-42"


def test_history_lists_events_with_both_times(inspected):
    pid = worked(inspected)
    rows = inspected.json("history", pid)
    assert [r["event"] for r in rows] == ["Registered", "Assigned", "MeasurePlanned", "MeasureCompleted"]
    assert [r["seq"] for r in rows] == sorted(r["seq"] for r in rows)
    assert rows[0]["at"] == "2020-01-15T00:00:00Z" and rows[0]["recorded_at"] > "2026"
    assert rows[3]["actor"] == "王琎"
    for key in ("seq", "at", "recorded_at", "actor", "event", "details"):
        assert key in rows[0]
    assert "Registered" in inspected.out("history", pid)


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown"])
def test_every_write_command_accepts_every_format(inspected, fmt):
    pid = inspected("add-problem", "--inspection", "XC2019-1", "--category", "c", "--title", "t", "--format", fmt).stdout
    assert "XC2019-1-1" in pid
    out = inspected("assign", "XC2019-1-1", "--lead", "l", "--unit", "u", "--person", "p", "--format", fmt).stdout
    assert "XC2019-1-1" in out
    if fmt == "json":
        assert json.loads(out)["status"] == "in_progress"
