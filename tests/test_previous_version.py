"""A ledger made by the previous version (tests/data/previous-version, made with commit 1d8cab9)
still opens, verifies, keeps its old checkpoints and exports valid, and takes new events."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import Ledger, run_executable

DATA = Path(__file__).resolve().parent / "data" / "previous-version"


@pytest.fixture
def previous(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Ledger:
    for name in ("ledger.db", "ledger-signing.key.pub", "previous.checkpoint", "previous.jsonl"):
        shutil.copy(DATA / name, tmp_path / name)
    (tmp_path / "ledger.yaml").write_text("store: ledger.db\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LEDGER_STORE", raising=False)
    return Ledger(tmp_path)


def test_previous_ledger_verifies_with_its_old_checkpoint(previous):
    data = previous.json("audit", "--verify", "--checkpoint", "previous.checkpoint")
    assert data["events"] == 5 and data["checkpoints_in_log"] == 1
    assert "holds the history" in data["checkpoint"]["result"]
    done = run_executable("audit", "--verify", "--checkpoint", "previous.checkpoint", cwd=previous.folder)
    assert done.returncode == 0, done.stderr
    exported = previous.json("verify-export", "previous.jsonl", "--checkpoint", "previous.checkpoint")
    assert exported["head_seq"] == 5 and "not signed" in exported["signed"]
    previous("replay")


def test_previous_ledger_upgrades_and_keeps_working(previous, tmp_path):
    upgraded = previous.json("init")
    # Made before founding events: init records one now, after its 5 events, with a new administrator key.
    assert upgraded["founded"] is True and upgraded["founding_recorded"] is True
    previous("add-problem", "--inspection", "XC2019-1", "--category", "c", "--title", "new", "--at", "2020-01-15")
    verified = previous.json("audit", "--verify", "--checkpoint", "previous.checkpoint")
    assert verified["events"] == 7 and verified["acts"]["founding"]["seq"] == 6 and verified["acts"]["trial_mode"] is True
    restored = Ledger(tmp_path / "restored")
    (tmp_path / "restored").mkdir()
    restored("init")
    restored("import-log", previous.folder / "previous.jsonl")
    assert restored.json("audit", "--verify")["head_seq"] == 5


SIMILARITY_TABLES = ("ledger_similar_docs", "ledger_similar_terms", "ledger_similar_df", "ledger_problem_links")
PROBLEM = ("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", "关于“会议记录不规范”的问题",
           "--type", "deadline", "--deadline", "2020-03-31", "--at", "2020-01-14")


def test_a_store_of_schema_5_verifies_asks_for_init_before_writing_and_upgrades(inspected):
    """A store made just before the similarity index (schema 5) is an older store, not a tampered one:
    it verifies as it is, a write asks for `ledger init` (writing nothing), and init builds the index."""
    inspected(*PROBLEM)
    inspected.execute(*(f"DROP TABLE {t}" for t in SIMILARITY_TABLES), "DROP TABLE ledger_row_digests", "UPDATE ledger_meta SET value = '5' WHERE key = 'schema_version'")
    from tests.integrity_helpers import recompute_chain_without_rows

    recompute_chain_without_rows(inspected)  # linked as a store of schema 5 was: without row digests
    assert inspected.json("audit", "--verify")["events"] == 3
    events = inspected.query("SELECT COUNT(*) FROM stored_events")
    refused = inspected(*PROBLEM, expect=1)
    assert "run `ledger init` to upgrade it" in refused.stderr and "no such table" not in refused.stderr
    assert inspected.query("SELECT COUNT(*) FROM stored_events") == events
    upgraded = inspected.out("init")
    assert "upgraded the store to schema 8" in upgraded and "similarity index built over 1 problem" in upgraded
    assert inspected.out(*PROBLEM) == "XC2019-1-2"
    assert inspected.json("audit", "--verify")["events"] == 4
    assert [r["id"] for r in inspected.json("similar", "XC2019-1-2", "--scope", "all")] == []  # nothing earlier: same inspection
    assert inspected.query("SELECT value FROM ledger_meta WHERE key = 'schema_version'") == [("8",)]


def test_a_store_of_schema_6_upgrades_and_its_rows_written_before_are_rebuilt(inspected):
    """A store made before the row digests (schema 6): verifies as it is (rebuilding), a write asks for
    `ledger init`; after it, the rows written before have no digests and are checked by rebuilding, still
    catching an edit; new writes commit theirs."""
    inspected(*PROBLEM)
    inspected.execute(
        "DROP TABLE ledger_row_digests", "UPDATE ledger_meta SET value = '6' WHERE key = 'schema_version'"
    )
    # (The links that covered digests now lack them: re-linked, as a store of schema 6 was written.)
    from tests.integrity_helpers import recompute_chain_without_rows

    recompute_chain_without_rows(inspected)
    assert "aggregates rebuilt" in inspected.out("audit", "--verify")
    refused = inspected(*PROBLEM, expect=1)
    assert "run `ledger init` to upgrade it" in refused.stderr
    assert "upgraded the store to schema 8" in inspected.out("init")
    assert inspected.out(*PROBLEM) == "XC2019-1-2"
    assert "aggregates rebuilt" in inspected.out("audit", "--verify")  # XC2019-1-1 has no digest: rebuilt
    assert inspected.query("SELECT key FROM ledger_row_digests WHERE tbl = 'ledger_problems'") == [("XC2019-1-2",)]
    inspected.execute("UPDATE ledger_problems SET status = 'closed' WHERE id = 'XC2019-1-1'")
    assert "ledger_problems: XC2019-1-1 status differs" in inspected("audit", "--verify", expect=4).stderr


def test_a_store_of_schema_7_works_and_init_rewrites_its_postings(inspected):
    """Schema 7 kept one posting per row, clustered by term: such a store verifies, is read and written as
    it is (a row of one problem is a list of one), and `ledger init` rewrites its postings in 8's form."""
    inspected(*PROBLEM)
    inspected("add-problem", "--inspection", "XC2019-1", "--category", "c", "--title", "会议记录不完整", "--at", "2020-01-15")
    postgres = inspected.kind == "postgresql"
    inspected.execute(
        "CREATE TABLE old_terms AS SELECT term, problem FROM ledger_similar_terms",
        "DROP TABLE ledger_similar_terms",
        "CREATE TABLE ledger_similar_terms (term BIGINT NOT NULL, problem TEXT NOT NULL, PRIMARY KEY (term, problem))" if postgres else
        "CREATE TABLE ledger_similar_terms (term INTEGER NOT NULL, problem TEXT NOT NULL, PRIMARY KEY (term, problem)) WITHOUT ROWID",
        "INSERT INTO ledger_similar_terms SELECT term, problem FROM old_terms",
        "DROP TABLE old_terms",
        "UPDATE ledger_meta SET value = '7' WHERE key = 'schema_version'",
    )
    assert inspected.query("SELECT COUNT(*) FROM ledger_similar_terms WHERE problem LIKE '% %'") == [(0,)]
    inspected.out("audit", "--verify")
    inspected("replay")
    assert inspected.json("similar", "--text", "会议记录不规范")[0]["id"] == "XC2019-1-1"
    assert inspected.out(*PROBLEM) == "XC2019-1-3"
    upgraded = inspected.out("--lang", "zh", "init")  # what was done, in the reader's language too
    assert "已将存储升级到第 8 版结构：已按新格式重写 3 个问题的相似问题索引" in upgraded, upgraded
    assert inspected.query("SELECT value FROM ledger_meta WHERE key = 'schema_version'") == [("8",)]
    assert inspected.query("SELECT COUNT(*) FROM ledger_similar_terms WHERE problem LIKE '% %'") != [(0,)]  # a row lists several
    inspected.out("audit", "--verify")
    inspected("replay")
    assert inspected.json("similar", "--text", "会议记录不规范")[0]["id"] in ("XC2019-1-1", "XC2019-1-3")
    assert "upgraded" not in inspected.out("init")  # once
