"""Schemas 4 and 5: the columns `status` lists, and a refined problem's parent, are kept in
ledger_problems (no JSON view decoded per row).

On both stores: the listing read from the columns equals the one computed from each problem's
view; `ledger init` adds and fills the columns of an older store in one pass (until then reads
work from the views and writes stop with one line asking for `init`); `replay` checks the columns
like every other, so a tampered one is named.
"""

from __future__ import annotations

from ledger.schema import STORE_SCHEMA_VERSION

import csv
import io
import time
from datetime import datetime, timezone

from projections.status import STATUS_COLUMNS, status_row

PROBLEM = ["add-problem", "--inspection", "XC2019-1", "--category", "甲方面", "--at", "2020-01-15"]
NEW_COLUMNS = ("title", "person", "measures_done", "measures_total", "escalation")


def worked(ledger) -> None:
    """Problems with and without assignee, measures (some done) and an escalation."""
    first = ledger.out(*PROBLEM, "--title", "关于“甲”的问题")
    ledger(*PROBLEM, "--title", "关于“乙”的问题, with a comma")
    ledger("assign", first, "--lead", "局长", "--unit", "办公室", "--person", "张三", "--deadline", "2020-03-31")
    mid = ledger.out("plan", first, "建立制度", actor="张三")
    ledger.out("plan", first, "再建立制度", actor="张三")
    ledger("done", first, mid, actor="张三")
    ledger("escalate", first, "--level", "notice", "--note", "督办〔2020〕3号", "--at", "2020-08-02")


def listing_from_views(ledger) -> list[list[str]]:
    """The csv rows as computed from every problem's full view (what `status` printed before schema 4)."""
    from commands.options import cell

    views = ledger.json("status")
    return [list(STATUS_COLUMNS)] + [[str(cell(status_row(v)[c])) for c in STATUS_COLUMNS] for v in views]


def listing(ledger, *args: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(ledger("status", "--format", "csv", *args).stdout)))


def test_listing_from_the_columns_equals_the_one_from_the_views(inspected):
    worked(inspected)
    rows = listing(inspected)
    assert rows == listing_from_views(inspected)
    assert rows[1][STATUS_COLUMNS.index("measures")] == "1/2" and rows[1][STATUS_COLUMNS.index("person")] == "张三"
    assert rows[1][STATUS_COLUMNS.index("escalation")] == "notice"
    assert inspected.query("SELECT title, person, measures_done, measures_total, escalation FROM ledger_problems ORDER BY number") == [
        ("关于“甲”的问题", "张三", 1, 2, "notice"),
        ("关于“乙”的问题, with a comma", None, 0, 0, None),
    ]
    time.sleep(1.1)  # --as-of is to the second: a second after the last event
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    assert listing(inspected, "--as-of", now) == rows  # --as-of rebuilds the columns from the events
    assert "张三" in inspected.out("status")  # the table
    inspected("replay")


# The overdue index of schemas 1 to 4, without `parent`.
OLD_DEADLINE_INDEX = "CREATE INDEX ledger_problems_by_deadline ON ledger_problems (status, deadline, category)"


def make_schema(ledger, version: str, dropped: tuple[str, ...]) -> None:
    """Make the store look like one created by an earlier schema (SQLite 3.35+ drops columns too)."""
    ledger.execute(
        "DROP INDEX ledger_problems_by_deadline",
        *(f"ALTER TABLE ledger_problems DROP COLUMN {c}" for c in dropped),
        OLD_DEADLINE_INDEX,
        f"UPDATE ledger_meta SET value = '{version}' WHERE key = 'schema_version'",
    )


def make_schema_3(ledger) -> None:
    make_schema(ledger, "3", (*NEW_COLUMNS, "parent"))


def deadline_index(ledger) -> str:
    """The overdue index's columns, as the store describes them."""
    if ledger.kind == "sqlite":
        return ", ".join(r[0] for r in ledger.query("SELECT name FROM pragma_index_info('ledger_problems_by_deadline')"))
    return ledger.query("SELECT indexdef FROM pg_indexes WHERE indexname = 'ledger_problems_by_deadline'")[0][0]


def test_a_schema_3_store_is_read_until_init_upgrades_it_in_one_pass(inspected):
    worked(inspected)
    expected = listing(inspected)
    make_schema_3(inspected)
    assert listing(inspected) == expected  # read from the views meanwhile
    assert inspected.out("status").count("XC2019-1-") == 2
    inspected("replay")  # checks the columns the store has

    refused = inspected(*PROBLEM, "--title", "新问题", expect=None)
    assert refused.exit_code != 0
    assert refused.stderr.strip().splitlines() == [
        "ledger: error: the store was made by an earlier version of the ledger: run `ledger init` to upgrade it"
    ]
    assert inspected.query("SELECT COUNT(*) FROM ledger_problems") == [(2,)]  # nothing written
    assert inspected.json("audit", "--verify")["events"] == inspected.query("SELECT COUNT(*) FROM stored_events")[0][0]

    assert f"upgraded the store to schema {STORE_SCHEMA_VERSION}: status and parent columns filled for 2 problems" in inspected.out("init")
    assert inspected.query("SELECT value FROM ledger_meta WHERE key = 'schema_version'") == [(STORE_SCHEMA_VERSION,)]
    assert listing(inspected) == expected
    assert inspected.json("init")["store_upgraded"] is False  # a second init does nothing again
    inspected("replay")
    inspected(*PROBLEM, "--title", "新问题")
    assert listing(inspected)[-1][:3] == ["XC2019-1-3", "甲方面", "新问题"]
    inspected("replay")


def test_replay_names_a_tampered_status_column(inspected):
    worked(inspected)
    for column, value, stored in (  # an English screen names the column in words ("measures done")
        ("title", "'改过的标题'", "'改过的标题'"),
        ("measures_done", "2", "2"),
        ("person", "'李四'", "'李四'"),
        ("escalation", "NULL", "None"),
        ("parent", "'XC2019-1-2'", "'XC2019-1-2'"),
    ):
        original = inspected.query(f"SELECT {column} FROM ledger_problems WHERE id = 'XC2019-1-1'")[0][0]
        inspected.execute(f"UPDATE ledger_problems SET {column} = {value} WHERE id = 'XC2019-1-1'")
        result = inspected("replay", expect=4)
        assert f"ledger_problems: XC2019-1-1 {column.replace('_', ' ')} differs: stored {stored}, replay {original!r}" in result.stderr
        restored = "NULL" if original is None else repr(original)
        inspected.execute(f"UPDATE ledger_problems SET {column} = {restored} WHERE id = 'XC2019-1-1'")
    inspected("replay")


def overdue_family(ledger) -> tuple[str, str]:
    """A fed-back problem and its refinement, both open and past their deadlines."""
    parent = ledger.out(*PROBLEM, "--title", "关于“甲”的问题")
    child = ledger.out("add-problem", "--parent", parent, "--title", "细化问题", "--at", "2020-01-16")
    for pid in (parent, child):
        ledger("assign", pid, "--lead", "局长", "--unit", "办公室", "--person", "张三", "--deadline", "2020-03-31", "--at", "2020-01-17")
    return parent, child


def test_the_whole_summary_counts_overdue_problems_from_the_index_alone(inspected):
    """Refinements are not counted again, and telling them apart reads no JSON view (schema 5)."""
    from projections.summary import TOTALS_SQL

    parent, child = overdue_family(inspected)
    assert inspected.query("SELECT id, parent FROM ledger_problems ORDER BY number") == [(parent, None), (child, parent)]
    for args in ((), ("--inspection", "XC2019-1")):
        total = inspected.json("summary", *args)["total"]
        assert (total["problems"], total["open"], total["overdue"]) == (1, 1, 1), args
    assert deadline_index(inspected).endswith("parent, measures_done, measures_total)" if inspected.kind != "sqlite" else "parent, measures_done, measures_total")
    if inspected.kind == "sqlite":
        plan = " | ".join(r[3] for r in inspected.query("EXPLAIN QUERY PLAN " + TOTALS_SQL, ("2026-01-01",)))
        # the index alone finds the open problems past their deadline and their measure counts (issue 25: every
        # measure done is not overdue, schema 8): no row, no JSON view read
        assert "USING COVERING INDEX ledger_problems_by_deadline" in plan, plan


def test_a_schema_4_store_gets_the_parent_column_and_index_from_init(inspected):
    parent, child = overdue_family(inspected)
    expected = inspected.json("summary")
    make_schema(inspected, "4", ("parent",))
    assert inspected.json("summary") == expected  # told apart by the JSON views meanwhile
    inspected("replay")
    refused = inspected(*PROBLEM, "--title", "新问题", expect=None)
    assert refused.exit_code != 0 and "run `ledger init` to upgrade it" in refused.stderr

    assert f"upgraded the store to schema {STORE_SCHEMA_VERSION}: status and parent columns filled for 2 problems" in inspected.out("init")
    assert inspected.query("SELECT id, parent FROM ledger_problems ORDER BY number") == [(parent, None), (child, parent)]
    assert "parent" in deadline_index(inspected)
    assert inspected.json("summary") == expected
    inspected("replay")
    inspected(*PROBLEM, "--title", "新问题")
    assert inspected.json("summary")["total"]["problems"] == 2


def test_the_table_wraps_exactly_as_tabulate_does_with_every_cell_wrapped():
    """render_rows hands tabulate only the cells too wide for their column: the text is the same. (A cell holding
    Chinese wraps by its own rule, keeping codes whole: tests/test_table_wrapping.py.)"""
    import tabulate

    from commands import i18n
    from commands.options import cell, heading_widths, render_rows, room_for_headings

    texts = [
        "", "短", "关于“甲”的问题", "党的领导方面", "责任人1", "  leading space", "trailing ", "a\tb", "two\nlines",
        "averyveryverylongasciiwordwithoutspaces", "中文中文中文中文中文中文", "mixed 中文 and ascii words", "\u200b零宽",
        "x" * 16, "x" * 17, "张三", 0, 12, 12345678901234567890, None,
    ]
    from wcwidth import wcwidth

    texts = [t for t in texts if not (isinstance(t, str) and any(wcwidth(ch) == 2 for ch in t) and len(t) > 3)]
    rows = [dict.fromkeys(STATUS_COLUMNS, t) for t in texts] + [dict(zip(STATUS_COLUMNS, texts))]
    lang = i18n.current()
    headers = [i18n.heading(c, lang) for c in STATUS_COLUMNS]
    widths = room_for_headings(headers, i18n.max_widths(STATUS_COLUMNS), STATUS_COLUMNS)  # whole-word headings' room
    assert any(w and len(str(t)) > w for t in texts for w in widths)  # some cells do need wrapping
    padding, tabulate.MIN_PADDING = tabulate.MIN_PADDING, 0
    try:
        expected = tabulate.tabulate(
            [[cell(i18n.value_word(c, r.get(c), lang)) for c in STATUS_COLUMNS] for r in rows],
            headers=headers, tablefmt="simple", disable_numparse=True,
            maxcolwidths=widths, maxheadercolwidths=heading_widths(headers, widths),  # headings wrap between words
        )
    finally:
        tabulate.MIN_PADDING = padding
    assert render_rows(rows, "table", STATUS_COLUMNS) == expected
