"""`ledger due`, `escalate` and `progress` with a fixed clock (`--as-of`)."""

from __future__ import annotations

import json
import re

from guard_helpers import FEEDBACK_YAML, close_problem


def _due(ledger, *args):
    return {r["id"]: r for r in ledger.json("due", *args) if r["due"] == "deadline"}


def test_due_lists_days_left_and_days_late(ledger):
    ledger("import", FEEDBACK_YAML)
    # deadlines: 1 → 2020-09-30, 2 → 2020-10-31, 3 → 2020-07-31, 4 → none (long-term)
    rows = _due(ledger, "--as-of", "2020-07-28")
    assert rows["XC2020-2-3"]["days_left"] == 3 and rows["XC2020-2-3"]["overdue"] is False
    assert set(rows) == {"XC2020-2-3"}
    rows = _due(ledger, "--as-of", "2020-08-05", "--within", "8w")
    assert rows["XC2020-2-3"]["days_late"] == 5 and rows["XC2020-2-3"]["overdue"] is True
    assert rows["XC2020-2-1"]["days_left"] == 56
    assert "XC2020-2-2" not in rows  # 87 days ahead
    assert set(_due(ledger, "--as-of", "2020-08-05", "--within", "100d")) == {"XC2020-2-1", "XC2020-2-2", "XC2020-2-3"}
    # the overdue come first, then the nearest deadline
    listed = [r["id"] for r in ledger.json("due", "--as-of", "2020-10-05", "--within", "30")]
    assert listed[:3] == ["XC2020-2-3", "XC2020-2-1", "XC2020-2-2"]
    assert "nothing overdue or due within 7 days of 2020-07-03" in ledger.out("due", "--as-of", "2020-07-03")


def test_due_filters_by_unit_and_ignores_rectified(ledger):
    ledger("import", FEEDBACK_YAML)
    assert set(_due(ledger, "--as-of", "2020-12-01", "--unit", "财务股")) == {"XC2020-2-2"}
    close_problem(ledger, "XC2020-2-2", done_at="2020-09-01", verify_at="2020-09-02", close_at="2020-09-03")
    assert "XC2020-2-2" not in _due(ledger, "--as-of", "2020-12-01")
    # a verified (rectified, not yet signed off) problem is not overdue either
    ledger("assign", "XC2020-2-3", "--lead", "周建国", "--unit", "办公室", "--person", "孙丽", "--at", "2020-07-10")
    ledger("plan", "XC2020-2-3", "收回公车钥匙", "--at", "2020-07-10")
    ledger("done", "XC2020-2-3", "M1", "--at", "2020-07-20", actor="孙丽")
    ledger("verify", "XC2020-2-3", "--grade", "fair", "--at", "2020-07-25", actor="巡察办")
    assert "XC2020-2-3" not in _due(ledger, "--as-of", "2020-12-01")


def test_due_check_exits_1_only_when_overdue(ledger):
    ledger("import", FEEDBACK_YAML)
    ok = ledger("due", "--check", "--as-of", "2020-07-28")  # due soon, none late
    assert ok.exit_code == 0
    late = ledger("due", "--check", "--as-of", "2020-08-01", expect=1)
    assert "XC2020-2-3" in late.stdout and "1 problem overdue as of 2020-08-01" in late.stderr


def test_escalation_goes_only_up_and_shows_in_status_and_show(ledger):
    ledger("import", FEEDBACK_YAML)
    ledger("escalate", "XC2020-2-3", "--level", "notice", "--note", "督办〔2020〕3号", "--at", "2020-08-02")
    again = ledger("escalate", "XC2020-2-3", "--level", "督办通知书", expect=1)
    assert "escalation can only go up" in again.stderr and "[rule: escalation-only-up]" in again.stderr
    ledger("escalate", "XC2020-2-3", "--level", "告诫书", "--at", "2020-08-20")
    assert "can only go up" in ledger("escalate", "XC2020-2-3", "--level", "reminder", expect=1).stderr
    assert "is not one of" in ledger("escalate", "XC2020-2-3", "--level", "shout", expect=2).stderr
    row = next(r for r in ledger.json("status") if r["id"] == "XC2020-2-3")
    assert row["escalation"] == "warning"
    assert "warning" in ledger.out("status", "--format", "csv").splitlines()[3]
    shown = ledger.out("show", "XC2020-2-3")
    assert "escalation   warning\n" in shown and "督办〔2020〕3号" in shown  # English: the vocabulary's English word
    assert re.search(r"^督办 +告诫书$", ledger.out("--lang", "zh", "show", "XC2020-2-3"), re.M)
    view = ledger.json("show", "XC2020-2-3")
    assert [e["level"] for e in view["escalations"]] == ["notice", "warning"]
    events = [r["event"] for r in ledger.json("history", "XC2020-2-3")]
    assert events.count("Escalated") == 2


def test_due_suggests_the_next_level_after_the_policy_threshold(ledger):
    ledger("import", FEEDBACK_YAML)
    # deadline 2020-07-31; default threshold: more than 7 days late
    assert _due(ledger, "--as-of", "2020-08-07")["XC2020-2-3"]["suggest_level"] is None
    assert _due(ledger, "--as-of", "2020-08-08")["XC2020-2-3"]["suggest_level"] == "notice"
    ledger("escalate", "XC2020-2-3", "--level", "notice", "--at", "2020-08-08")
    assert _due(ledger, "--as-of", "2020-08-09")["XC2020-2-3"]["suggest_level"] == "reminder"
    ledger("escalate", "XC2020-2-3", "--level", "accountability", "--at", "2020-08-09")
    assert _due(ledger, "--as-of", "2020-08-10")["XC2020-2-3"]["suggest_level"] is None
    (ledger.folder / "ledger.yaml").write_text("watch:\n  escalate_after_days_late: 30\n", encoding="utf-8")
    ledger("add-problem", "--inspection", "XC2020-2", "--category", "党的领导方面", "--title", "t", "--deadline", "2020-08-01", "--at", "2020-07-10")
    assert _due(ledger, "--as-of", "2020-08-25")["XC2020-2-5"]["suggest_level"] is None
    assert _due(ledger, "--as-of", "2020-09-01")["XC2020-2-5"]["suggest_level"] == "notice"


def test_closed_problems_are_not_escalated(ledger):
    ledger("import", FEEDBACK_YAML)
    close_problem(ledger, "XC2020-2-1")
    assert "reopen-before-new-work" in ledger("escalate", "XC2020-2-1", "--level", "notice", expect=1).stderr


def test_long_term_items_report_progress_and_stay_ongoing(ledger):
    ledger("import", FEEDBACK_YAML)
    ident = "XC2020-2-4"
    close_problem(ledger, ident, done_at="2020-08-01", verify_at="2020-08-05", close_at="2020-08-10")
    view = ledger.json("show", ident)
    assert view["status"] == "ongoing"
    assert "status       ongoing\n" in ledger.out("show", ident)
    assert re.search(r"^状态 +基本完成、持续整改$", ledger.out("--lang", "zh", "show", ident), re.M)
    # interval 90 days from the sign-off: stale from 2020-11-09 on
    stale = lambda as_of: [r for r in ledger.json("due", "--as-of", as_of) if r["due"] == "progress"]  # noqa: E731
    assert stale("2020-11-08") == []
    rows = stale("2020-11-12")
    assert [r["id"] for r in rows] == [ident] and rows[0]["days_late"] == 4 and rows[0]["last_progress"] == "2020-08-10"
    ledger("progress", ident, "第三季度通报各支部党建工作", "--at", "2020-11-01")
    assert stale("2020-11-12") == []
    assert stale("2021-02-01")[0]["last_progress"] == "2020-11-01"
    assert [p["text"] for p in ledger.json("show", ident)["progress"]] == ["第三季度通报各支部党建工作"]
    assert ledger.json("show", ident)["status"] == "ongoing"
    # stale progress alone does not fail the daily check
    assert ledger("due", "--check", "--as-of", "2020-08-20", "--unit", "机关党委").exit_code == 0


def test_progress_is_refused_on_closed_problems(ledger):
    ledger("import", FEEDBACK_YAML)
    close_problem(ledger, "XC2020-2-1")
    assert "progress-while-not-closed" in ledger("progress", "XC2020-2-1", "x", expect=1).stderr
    assert "must not be empty" in ledger("progress", "XC2020-2-2", "  ", expect=2).stderr


def test_watch_policy_is_checked(ledger):
    (ledger.folder / "ledger.yaml").write_text("watch:\n  review_points_days: [180, 90]\n", encoding="utf-8")
    assert "increasing order" in ledger("due", expect=2).stderr
    (ledger.folder / "ledger.yaml").write_text("watch:\n  progress_interval_days: soon\n", encoding="utf-8")
    assert "must be a whole number" in ledger("due", expect=2).stderr
    (ledger.folder / "ledger.yaml").write_text("watch:\n  remind: true\n", encoding="utf-8")
    assert "unknown key 'watch.remind'" in ledger("due", expect=2).stderr
    assert "is not a number of days" in ledger("due", "--within", "soon", expect=2).stderr


def test_sample_config_documents_the_watch_policy(ledger):
    text = (ledger.folder / "ledger.yaml").read_text(encoding="utf-8")
    assert "review_points_days: [90, 180]" in text and "escalate_after_days_late: 7" in text
    from ledger.config import DEFAULTS, SAMPLE
    import yaml

    assert yaml.safe_load(SAMPLE)["watch"] == DEFAULTS["watch"]
    assert json.loads(json.dumps(DEFAULTS["watch"]))["review_points_days"] == [90, 180]
