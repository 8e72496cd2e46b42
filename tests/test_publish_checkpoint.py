"""`publish` signs a checkpoint of the ledger's head into the report, and the report verifies it."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import INSPECTION

pytestmark = pytest.mark.sqlite_only


def enter_one_problem(ledger):
    ledger(*INSPECTION)
    ledger("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", "关于“思想认识不深刻”的问题", "--at", "2020-01-15")


def test_publish_without_a_key_says_so_and_prints_no_checkpoint(ledger):
    enter_one_problem(ledger)
    result = ledger("publish", "--inspection", "XC2019-1")
    assert "BEGIN LEDGER CHECKPOINT" not in result.stdout
    assert "no signing key" in result.stderr


def test_published_report_carries_a_checkpoint_that_catches_a_later_rewrite(ledger):
    enter_one_problem(ledger)
    ledger("keygen")
    report = ledger.folder / "report.md"
    ledger("publish", "--inspection", "XC2019-1", "--out", report)
    text = report.read_text(encoding="utf-8")
    assert "-----BEGIN LEDGER CHECKPOINT-----" in text and "fingerprint:" in text
    # later appends keep the report valid
    ledger("add-problem", "--inspection", "XC2019-1", "--category", "c", "--title", "later")
    assert "signature valid" in ledger.out("audit", "--verify", "--checkpoint", report)
    # a rewrite of history before the checkpoint is caught
    con = sqlite3.connect(ledger.folder / "ledger.db")
    con.execute("UPDATE stored_events SET state = replace(state, '思想认识', '思想觉悟') WHERE rowid = 2")
    con.commit()
    con.close()
    result = ledger("audit", "--verify", "--checkpoint", report, expect=4)
    assert len(result.stderr.strip().splitlines()) == 1


def test_html_report_holds_the_checkpoint_inside_the_page(ledger):
    enter_one_problem(ledger)
    ledger("keygen")
    page = ledger("publish", "--inspection", "XC2019-1", "--format", "html").stdout
    assert page.index('<pre class="checkpoint">') < page.index("</body>")
    assert ledger("publish", "--inspection", "XC2019-1", "--no-sign").stdout.count("CHECKPOINT") == 0
