"""The per-category totals behind the whole-ledger summary (ledger_category_totals).

Triggers keep them on every write to ledger_problems, on both stores. These
tests check them against counts worked out by hand, across category
corrections (a problem moving between categories, and its category's order),
an upgrade of a store made before the totals existed, and tampering.
"""

from __future__ import annotations

from ledger.schema import STORE_SCHEMA_VERSION


PROBLEM = ["add-problem", "--inspection", "XC2019-1", "--title", "关于“某某”的问题", "--at", "2020-01-15"]


def categories(ledger) -> list[tuple[str, int]]:
    return [(row["category"], row["problems"]) for row in ledger.json("summary")["rows"]]


def test_totals_follow_new_problems_and_corrected_categories(inspected):
    for category in ("甲方面", "乙方面", "甲方面"):
        inspected(*PROBLEM, "--category", category)
    assert categories(inspected) == [("甲方面", 2), ("乙方面", 1)]

    # Problem 1 moves to a new category: it now comes first, and 甲方面 sorts by its problem 3.
    inspected("correct", "XC2019-1-1", "--field", "category", "--value", "丙方面", "--reason", "归类有误")
    assert categories(inspected) == [("丙方面", 1), ("乙方面", 1), ("甲方面", 1)]

    # 乙方面 loses its only problem: its row disappears from the summary.
    inspected("correct", "XC2019-1-2", "--field", "category", "--value", "甲方面", "--reason", "归类有误")
    assert categories(inspected) == [("丙方面", 1), ("甲方面", 2)]
    assert inspected.query("SELECT problems FROM ledger_category_totals WHERE category = '乙方面'") == [(0,)]

    inspected("replay")  # the stored totals equal the ones rebuilt from the events


def test_totals_count_status_relapse_and_figures(inspected):
    pid = inspected.out(*PROBLEM, "--category", "甲方面")
    inspected(*PROBLEM, "--category", "甲方面")
    inspected("assign", pid, "--lead", "局长", "--unit", "办公室", "--person", "张三", "--deadline", "2020-03-31")
    mid = inspected.out("plan", pid, "建立制度", actor="张三")
    inspected("done", pid, mid, "--rules", "2", "--funds", "1234.50", "--clues", "1", actor="张三")
    inspected("verify", pid, "--grade", "good", actor="巡察办")
    inspected("close", pid, actor="主要负责人")
    row = inspected.json("summary")["rows"][0]
    assert (row["problems"], row["completed"], row["open"], row["relapsed"]) == (2, 1, 1, 0)
    inspected("review", pid, "--relapsed", "--note", "回头看发现反弹", actor="巡察办")
    summary = inspected.json("summary")
    row = summary["rows"][0]
    assert (row["problems"], row["completed"], row["open"], row["relapsed"]) == (2, 0, 2, 1)
    assert summary["figures"]["rules"] == 2 and summary["figures"]["funds"] == "1234.50"
    assert inspected.query(
        "SELECT problems, completed, ongoing, relapsed, rules, funds_fen, clues FROM ledger_category_totals"
    ) == [(2, 0, 0, 1, 2, 123450, 1)]


def drop_totals(ledger) -> None:
    """Make the store look like one created before the totals existed."""
    if ledger.kind == "sqlite":
        drops = [f"DROP TRIGGER ledger_totals_{op}" for op in ("insert", "update", "delete")]
    else:
        drops = ["DROP TRIGGER ledger_totals ON ledger_problems", "DROP FUNCTION ledger_totals()"]
    ledger.execute(*drops, "DROP TABLE ledger_category_totals", "UPDATE ledger_meta SET value = '1' WHERE key = 'schema_version'")


def test_a_store_from_before_the_totals_still_summarises_and_init_adds_them(inspected):
    for category in ("甲方面", "乙方面", "甲方面"):
        inspected(*PROBLEM, "--category", category)
    before = inspected.json("summary")
    drop_totals(inspected)
    inspected(*PROBLEM, "--category", "乙方面")  # written without triggers
    expected = [("甲方面", 2), ("乙方面", 2)]
    assert categories(inspected) == expected  # counted over the problems instead
    inspected("replay")

    assert f"upgraded the store to schema {STORE_SCHEMA_VERSION}: per-category totals recounted" in inspected.out("init")  # creates the totals and counts what is there
    assert inspected.query("SELECT value FROM ledger_meta WHERE key = 'schema_version'") == [(STORE_SCHEMA_VERSION,)]
    assert inspected.query("SELECT category, problems FROM ledger_category_totals ORDER BY first_seen") == expected
    assert categories(inspected) == expected
    assert inspected.json("summary")["figures"] == before["figures"]
    inspected(*PROBLEM, "--category", "丙方面")
    assert categories(inspected) == expected + [("丙方面", 1)]
    assert inspected.json("init")["store_upgraded"] is False  # a second init counts nothing twice
    assert categories(inspected) == expected + [("丙方面", 1)]
    inspected("replay")


def test_replay_names_a_tampered_category_total(inspected):
    inspected(*PROBLEM, "--category", "甲方面")
    inspected.execute("UPDATE ledger_category_totals SET problems = 5 WHERE category = '甲方面'")
    result = inspected("replay", expect=4)
    assert "ledger_category_totals: 甲方面 problems differs: stored 5, replay 1" in result.stderr


def test_verification_recounts_the_totals_as_the_triggers_count_them(inspected):
    """`audit --verify` recounts the totals by the checked rows' columns (VERIFY_TOTALS, issue 24 speed), not by
    matching each row's JSON five times (COUNT_TOTALS): the same figures over refinements, an extension and a
    relapse, and a total edited by hand is still found, naming the column."""
    from projections.tables import COUNT_TOTALS, VERIFY_TOTALS

    parent = inspected.out(*PROBLEM, "--category", "甲方面")
    inspected("add-problem", "--parent", parent, "--title", "关于“学习计划缺失”的问题", "--at", "2020-01-16")
    extended = inspected.out(*PROBLEM, "--category", "甲方面")
    inspected("assign", extended, "--lead", "局长", "--unit", "办公室", "--person", "张三", "--deadline", "2020-03-31")
    inspected("extend", extended, "--to", "2020-12-31", "--reason", "工程需跨年度实施", actor="张三")
    inspected("approve-extension", extended, actor="县委巡察办主任")
    relapsed = inspected.out(*PROBLEM, "--category", "乙方面")
    inspected("assign", relapsed, "--lead", "局长", "--unit", "办公室", "--person", "张三", "--deadline", "2020-03-31")
    mid = inspected.out("plan", relapsed, "建立制度", actor="张三")
    inspected("done", relapsed, mid, "--rules", "1", actor="张三")
    inspected("verify", relapsed, "--grade", "good", actor="巡察办")
    inspected("close", relapsed, actor="主要负责人")
    inspected("review", relapsed, "--relapsed", "--note", "回头看发现反弹", actor="巡察办")

    def counted(statement: str) -> list[tuple]:
        return sorted(tuple(int(v) if not isinstance(v, str) else v for v in row) for row in inspected.query(statement))

    assert counted(VERIFY_TOTALS) == counted(COUNT_TOTALS)
    assert [row[:6] for row in counted(VERIFY_TOTALS)] == [("乙方面", 1, 0, 0, 1, 0), ("甲方面", 2, 0, 0, 0, 1)]
    inspected("audit", "--verify")
    inspected.execute("UPDATE ledger_category_totals SET extended = 0 WHERE category = '甲方面'")
    refused = inspected("audit", "--verify", expect=4)
    assert "ledger_category_totals" in refused.stderr and "extended" in refused.stderr
