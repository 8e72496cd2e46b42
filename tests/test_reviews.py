"""回头看 across the whole lifecycle: review points after sign-off, holds, relapse, reopen, close again."""

from __future__ import annotations

from guard_helpers import FEEDBACK_YAML, close_problem

ID = "XC2020-2-1"


def _review(ledger, as_of, *extra):
    rows = {r["id"]: r for r in ledger.json("reviews", "--as-of", as_of, *extra)}
    return rows.get(ID)


def test_review_points_relapse_and_a_second_closure(ledger):
    ledger("import", FEEDBACK_YAML)
    assert _review(ledger, "2020-09-01") is None  # not signed off yet: nothing to review
    close_problem(ledger, ID, close_at="2020-08-10")
    # points: 90 days (2020-11-08) and 180 days (2021-02-06); window 30 days
    row = _review(ledger, "2020-09-01")
    assert (row["point"], row["review_date"], row["state"]) == ("90d", "2020-11-08", "upcoming")
    assert _review(ledger, "2020-09-01", "--due") is None
    assert _review(ledger, "2020-11-10", "--due")["state"] == "due"
    assert _review(ledger, "2020-12-09", "--due")["state"] == "missed"
    ledger("review", ID, "--holds", "--note", "制度执行良好", "--at", "2020-11-12", actor="巡察办")
    row = _review(ledger, "2020-11-20")
    assert (row["point"], row["state"], row["reviews"], row["missed"]) == ("180d", "upcoming", 1, 0)
    assert _review(ledger, "2021-02-07", "--due")["state"] == "due"
    # the 180-day review finds the problem back: reopened, relapse counted
    out = ledger.out("review", ID, "--relapsed", "--note", "研讨发言又照本宣科", "--at", "2021-02-08", actor="巡察办")
    assert "relapsed, reopened (relapses: 1)" in out
    assert _review(ledger, "2021-02-09") is None  # open again: not listed for review
    status = next(r for r in ledger.json("status") if r["id"] == ID)
    assert status["status"] == "in_progress" and status["relapses"] == 1
    assert "relapses     1" in ledger.out("show", ID)
    assert "reviews (after sign-off)" in ledger.out("show", ID) and "整改回头看" in ledger.out("--lang", "zh", "show", ID) and "研讨发言又照本宣科" in ledger.out("show", ID)
    # new work, verified and signed off again: the review points start over from the new sign-off
    ledger("plan", ID, "建立研讨发言审核制度", "--at", "2021-02-10")
    ledger("done", ID, "M3", "--at", "2021-03-01", actor="孙丽")
    ledger("verify", ID, "--grade", "good", "--at", "2021-03-05", actor="巡察办")
    ledger("close", ID, "--at", "2021-03-10", actor="局长")
    row = _review(ledger, "2021-03-20")
    assert (row["signed_off"], row["review_date"], row["state"], row["reviews"], row["relapses"]) == ("2021-03-10", "2021-06-08", "upcoming", 0, 1)
    # relapses stay visible forever
    assert next(r for r in ledger.json("status") if r["id"] == ID)["relapses"] == 1
    events = [r["event"] for r in ledger.json("history", ID)]
    assert events.count("ReviewRecorded") == 2 and events.count("Reopened") == 1 and events.count("SignedOff") == 2


def test_missed_points_are_counted_and_a_late_review_still_counts(ledger):
    ledger("import", FEEDBACK_YAML)
    close_problem(ledger, ID, close_at="2020-08-10")
    row = _review(ledger, "2021-04-01")
    assert (row["point"], row["state"], row["missed"]) == ("90d", "missed", 2)
    ledger("review", ID, "--holds", "--note", "迟到的回头看", "--at", "2021-04-01")
    row = _review(ledger, "2021-04-02")
    assert (row["point"], row["state"], row["missed"]) == ("180d", "missed", 1)
    ledger("review", ID, "--holds", "--note", "second", "--at", "2021-04-02")
    assert _review(ledger, "2021-04-03")["state"] == "complete"
    assert _review(ledger, "2021-04-03", "--due") is None


def test_early_review_outside_the_window_does_not_count(ledger):
    ledger("import", FEEDBACK_YAML)
    close_problem(ledger, ID, close_at="2020-08-10")
    ledger("review", ID, "--holds", "--note", "too early", "--at", "2020-08-20")  # 10 days after
    assert _review(ledger, "2020-11-10")["state"] == "due"
    ledger("review", ID, "--holds", "--note", "in window", "--at", "2020-10-20")  # 19 days before the point
    assert _review(ledger, "2020-11-10")["point"] == "180d"


def test_review_points_follow_the_policy(ledger):
    (ledger.folder / "ledger.yaml").write_text("watch:\n  review_points_days: [30]\n  review_window_days: 5\n", encoding="utf-8")
    ledger("import", FEEDBACK_YAML)
    close_problem(ledger, ID, close_at="2020-08-10")
    assert _review(ledger, "2020-09-09")["state"] == "due"
    assert _review(ledger, "2020-09-15")["state"] == "missed"
    ledger("review", ID, "--holds", "--note", "ok", "--at", "2020-09-10")
    assert _review(ledger, "2020-09-15")["state"] == "complete"


def test_review_and_reopen_still_need_a_closed_problem(ledger):
    ledger("import", FEEDBACK_YAML)
    assert "review-after-closure" in ledger("review", ID, "--holds", "--note", "x", expect=1).stderr
    assert "reopen-after-closure" in ledger("reopen", ID, "--reason", "x", expect=1).stderr
    assert "no reviews to list" in ledger.out("reviews", "--as-of", "2020-09-01")
