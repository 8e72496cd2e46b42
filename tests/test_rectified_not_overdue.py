"""A problem whose measures are all completed is not overdue and has no light (issue 25, the lead's decision).

The 整改时限 is the deadline for the rectification, not for its acceptance: once every measure of a problem is
done (at least one), the deadline no longer runs, whether the measures were completed in the ledger or entered
from a 台账 that marks the row done without a 验收负责人. The status stays 整改中 (nobody has verified it) and the
measures column shows n/n. Planning a further measure (二次整改) makes the deadline run again.

Before this, the 任务清单's row 状态=已完成 (no 验收负责人, 完成时间 2021-06-30) came in 整改中 and was listed
overdue by `status --overdue`, `due`, `summary`, `profile`, `sheet` and the web pages (the first test failed on the
old code on both stores)."""

from __future__ import annotations

import csv
import io

import office_ledgers as office
from test_import_layouts import _county

DONE, SECOND, THIRD = "XC2021-1-1", "XC2021-1-2", "XC2021-1-3"


def _task_list(ledger, tmp_path) -> None:
    _county(ledger)
    ledger("import", office.task_list(tmp_path / "任务清单.xlsx"), "--inspection", "XC2021-1", actor="录入员")


def _overdue_everywhere(ledger) -> dict[str, object]:
    """Where each reader is told a problem is overdue (or lit), as each command says it."""
    summary = ledger.json("summary")["total"]
    inspection = ledger.json("summary", "--inspection", "XC2021-1")["total"]
    sheet_rows = list(csv.DictReader(io.StringIO(ledger("status", "--format", "csv").stdout)))
    return {
        "show": [i for i in (DONE, SECOND, THIRD) if ledger.json("show", i)["overdue"]],
        "status --overdue": [r["id"] for r in ledger.json("status", "--overdue")],
        "status --light red": [r["id"] for r in ledger.json("status", "--light", "red")],
        "status csv": [r["id"] for r in sheet_rows if r["overdue"] == "yes"],
        "status json": [r["id"] for r in ledger.json("status") if r["overdue"]],
        "due": [r["id"] for r in ledger.json("due") if r["due"] == "deadline"],
        "summary": summary["overdue"],
        "summary --inspection": inspection["overdue"],
        "profile": ledger.json("profile", "县财政局党组")["total"]["overdue"],
    }


def test_a_row_marked_done_without_an_acceptance_is_not_overdue_anywhere(ledger, tmp_path):
    """Row 1 (状态 已完成, no 验收负责人, 完成时间 2021-06-30, long past) has its one measure completed: 整改中, 1/1,
    and no command lists or counts it overdue. Row 3 (整改中, 2021-09-30) is overdue everywhere; row 2 is 长期坚持."""
    _task_list(ledger, tmp_path)
    first = ledger.json("show", DONE)
    assert first["status"] == "in_progress" and [m["status"] for m in first["measures"]] == ["done"]
    assert _overdue_everywhere(ledger) == {
        "show": [THIRD], "status --overdue": [THIRD], "status --light red": [THIRD], "status csv": [THIRD],
        "status json": [THIRD], "due": [THIRD], "summary": 1, "summary --inspection": 1, "profile": 1,
    }
    row = next(r for r in csv.DictReader(io.StringIO(ledger("status", "--format", "csv").stdout)) if r["id"] == DONE)
    assert row["status"] == "in_progress" and row["measures"] == "1/1"  # the screen shows why: all measures done
    # the 台账 marks only row 3 逾期 (its 销号情况, the word status and due use)
    from openpyxl import load_workbook

    ledger("sheet", "--inspection", "XC2021-1", "--out", tmp_path / "台账.xlsx")
    cells = [str(c.value) for r in load_workbook(tmp_path / "台账.xlsx").worksheets[0].iter_rows() for c in r if c.value]
    assert sum("逾期" in c for c in cells) == 1, cells


def test_completing_the_last_measure_stops_the_deadline_and_a_new_measure_starts_it_again(ledger, tmp_path):
    """The same rule for acts in the ledger: 孙丽 completes row 3's measure, so it is not overdue; a further measure
    planned (二次整改) makes it overdue again, until that one is done too."""
    _task_list(ledger, tmp_path)
    [measure] = ledger.json("show", THIRD)["measures"]
    ledger("done", THIRD, measure["id"], "--evidence", "岗位风险点清单", actor="郑敏")
    assert _overdue_everywhere(ledger)["status --overdue"] == []
    assert ledger.json("summary")["total"]["overdue"] == 0
    again = ledger("plan", THIRD, "补充排查新设岗位风险点", actor="郑敏").stdout.strip()
    assert ledger.json("show", THIRD)["overdue"] is True
    assert [r["id"] for r in ledger.json("status", "--overdue")] == [THIRD]
    ledger("done", THIRD, again, "--evidence", "补充清单", actor="郑敏")
    assert ledger.json("show", THIRD)["overdue"] is False and ledger.json("summary")["total"]["overdue"] == 0


def test_the_web_pages_light_a_rectified_problem_as_none(ledger, tmp_path, monkeypatch):
    """The problem list's lights and the overview's red count follow the same rule as `due`."""
    from test_web import client_for, get_json

    _task_list(ledger, tmp_path)
    client = client_for(ledger, monkeypatch)
    assert [p["id"] for p in get_json(client, "/problems?light=red")] == [THIRD]
    assert DONE in [p["id"] for p in get_json(client, "/problems?light=none")]
    assert get_json(client, "/")["total"]["red"] == 1
    page = client.get("/problems").text
    assert f'data-id="{DONE}" data-light="none"' in page and f'data-id="{THIRD}" data-light="red"' in page


def test_is_overdue_and_overdue_sql_agree():
    """Hypothesis over status, deadline and measures (none, some done, all done): the Python rule every view uses
    and the SQL every count and listing uses say the same, on a real SQLite table of the read model's columns."""
    import sqlite3
    from datetime import date

    from hypothesis import given, settings, strategies as st

    from projections.deadlines import days_left, is_overdue, overdue_sql, unrectified_sql
    from ledger.vocabulary import STATUSES

    today = date(2024, 6, 30)
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE ledger_problems (status TEXT, deadline TEXT, measures_done INTEGER, measures_total INTEGER)")

    @settings(max_examples=300, deadline=None)
    @given(status=st.sampled_from(sorted(STATUSES)),
           deadline=st.one_of(st.none(), st.just(""), st.dates(min_value=date(2024, 6, 1), max_value=date(2024, 7, 31))),
           measures=st.lists(st.sampled_from(("planned", "done")), max_size=4))
    def check(status, deadline, measures):
        view = {"status": status, "deadline": deadline.isoformat() if isinstance(deadline, date) else deadline,
                "measures": [{"status": m} for m in measures]}
        db.execute("DELETE FROM ledger_problems")
        db.execute("INSERT INTO ledger_problems VALUES (?, ?, ?, ?)", (status, view["deadline"], measures.count("done"), len(measures)))
        [(by_sql,)] = db.execute(f"SELECT COUNT(*) FROM ledger_problems p WHERE {overdue_sql()}", (today.isoformat(),)).fetchall()
        [(watched,)] = db.execute(f"SELECT COUNT(*) FROM ledger_problems p WHERE {unrectified_sql()}").fetchall()
        assert bool(by_sql) == is_overdue(view, today)
        assert bool(watched) == (days_left(view, today) is not None)
        if measures and all(m == "done" for m in measures):
            assert not is_overdue(view, today) and days_left(view, today) is None

    check()


def test_a_problem_sent_back_is_watched_again_once_its_rework_is_planned(ledger, tmp_path):
    """As README says: 差 sends row 1 back (二次整改, 整改中, every measure still done): no light until the rework's
    measure is planned; then it is overdue (its 2021-06-30 deadline long past)."""
    _task_list(ledger, tmp_path)
    ledger("verify", DONE, "--grade", "bad", "--note", "学习研讨记录不全", actor="吴志强")
    view = ledger.json("show", DONE)
    assert (view["status"], view["reworks"], view["overdue"]) == ("in_progress", 1, False)
    ledger("plan", DONE, "补齐研讨记录，重新组织专题研讨", actor="孙丽")
    assert ledger.json("show", DONE)["overdue"] is True and DONE in [r["id"] for r in ledger.json("status", "--overdue")]
