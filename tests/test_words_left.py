"""Words the third review left (issue 30): one word for one thing, in the reader's language, in every form.

Each test was seen failing on the code before its fix. The ledger data is written for these tests in the way
offices word it; none is copied from a report.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import Ledger, run_executable
from guard_helpers import close_problem

DATA = Path(__file__).resolve().parent / "data"
RELAPSE_NOTE = "研讨发言又照本宣科"


def _relapsed(inspected: Ledger) -> str:
    inspected("add-problem", "--inspection", "XC2019-1", "--category", "作风建设方面", "--title", "研讨发言照本宣科", "--at", "2020-01-14")
    close_problem(inspected, "XC2019-1-1")
    inspected("review", "XC2019-1-1", "--relapsed", "--note", RELAPSE_NOTE, "--at", "2020-11-12", actor="巡察办")
    return "XC2019-1-1"


# -- 1. a reopening's cause is a code, worded on screen; old reopenings keep their English ------------------


def test_a_relapse_found_in_review_reads_in_the_readers_language(inspected):
    ident = _relapsed(inspected)
    reopening = inspected.json("show", ident)["reopenings"][0]
    assert reopening["cause"] == "relapse" and reopening["reason"] == RELAPSE_NOTE  # data: a code and the note
    zh_audit = inspected.out("--lang", "zh", "audit", "--format", "markdown")
    zh_history = inspected.out("--lang", "zh", "history", ident, "--format", "markdown")
    for screen in (zh_audit, zh_history):
        assert "relapse" not in screen and "整改回头看发现反弹" in screen and RELAPSE_NOTE in screen
    assert "reopened: relapse found in review: " + RELAPSE_NOTE in inspected.out("audit", "--format", "markdown")
    assert "relapse found in review" in inspected.out("history", ident, "--format", "markdown")
    trail = inspected.json("audit")
    assert trail[-1]["details"] == "reopened: relapse found in review: " + RELAPSE_NOTE  # JSON: the English sentence


@pytest.fixture
def relapsed_before_cause(tmp_path, monkeypatch) -> Ledger:
    """A store made by commit 31c3877 (before Reopened.cause): XC2019-1-1 closed, then reopened by a 回头看
    that found a relapse, its reason "relapse found in review: 研讨发言又照本宣科"."""
    shutil.copy(DATA / "relapse-before-cause" / "ledger.db", tmp_path / "ledger.db")
    (tmp_path / "ledger.yaml").write_text("store: ledger.db\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LEDGER_STORE", raising=False)
    return Ledger(tmp_path)


def test_an_old_reopening_keeps_its_data_and_reads_by_its_word(relapsed_before_cause):
    old = relapsed_before_cause
    before = old.json("show", "XC2019-1-1")
    assert before["reopenings"] == [{"at": "2020-11-12T00:00:00Z", "by": "巡察办", "reason": "relapse found in review: " + RELAPSE_NOTE}]
    assert old.json("audit")[-1]["details"] == "reopened: relapse found in review: " + RELAPSE_NOTE
    done = run_executable("audit", "--verify", cwd=old.folder)
    assert done.returncode == 0, done.stderr
    old("replay")
    assert old.json("show", "XC2019-1-1") == before  # replay rebuilds the same view
    assert run_executable("audit", "--verify", cwd=old.folder).returncode == 0
    for screen in (old.out("--lang", "zh", "audit", "--format", "markdown"), old.out("--lang", "zh", "history", "XC2019-1-1", "--format", "markdown")):
        assert "relapse" not in screen and "整改回头看发现反弹" in screen and RELAPSE_NOTE in screen
