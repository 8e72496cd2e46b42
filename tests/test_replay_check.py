"""`ledger replay` checks the stored read models aggregate by aggregate, in one or several processes.

Whatever the number of processes, it must find every kind of difference and
name the same one: the difference of the aggregate that appears first in the log.
"""

from __future__ import annotations

import pytest

from conftest import run_executable

PROBLEM = ["add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--at", "2020-01-15"]


@pytest.fixture
def several(inspected):
    for n in range(1, 8):
        inspected(*PROBLEM, "--title", f"关于“问题{n}”的问题")
    inspected("assign", "XC2019-1-2", "--lead", "局长", "--unit", "办公室", "--person", "张三")
    return inspected


@pytest.mark.parametrize("jobs", ["1", "2", "3"])
def test_replay_matches_in_any_number_of_processes(several, jobs):
    record = several.json("replay", "--jobs", jobs)
    events = several.query("SELECT COUNT(*) FROM stored_events")[0][0]
    assert record["matches"] is True and record["difference"] is None
    assert (record["events"], record["aggregates"], record["jobs"]) == (events, 9, int(jobs))  # the Authority, the inspection, 7 problems


@pytest.mark.parametrize("jobs", ["1", "2", "3"])
def test_replay_names_the_earliest_difference_whatever_the_processes(several, jobs):
    several.execute(
        "UPDATE ledger_problems SET status = 'closed' WHERE id = 'XC2019-1-6'",
        "UPDATE ledger_problems SET unit = '别处' WHERE id = 'XC2019-1-2'",
        "UPDATE ledger_problems SET data = replace(data, '问题4', '问题九') WHERE id = 'XC2019-1-4'",
    )
    result = several("replay", "--jobs", jobs, expect=4)
    assert "ledger_problems: XC2019-1-2 unit differs: stored '别处', replay '办公室'" in result.stderr
    several.execute("UPDATE ledger_problems SET unit = '办公室' WHERE id = 'XC2019-1-2'")
    assert "XC2019-1-4 data differs at title" in several("replay", "--jobs", jobs, expect=4).stderr


def test_replay_finds_rows_no_event_creates_and_wrong_positions(several):
    several.execute("UPDATE ledger_problems SET position = 99 WHERE id = 'XC2019-1-5'")
    assert "ledger_problems: XC2019-1-5 position differs: stored 99, replay 5" in several("replay", "--jobs", "2", expect=4).stderr
    several.execute("UPDATE ledger_problems SET position = 5 WHERE id = 'XC2019-1-5'")
    several.execute(
        "INSERT INTO ledger_problems (id, inspection, number, position, category, unit, status, type, deadline, relapses, "
        "rules, funds_fen, accountable, clues, data) VALUES ('XC2019-1-50', 'XC2019-1', 50, 50, '政治站位方面', NULL, "
        "'closed', 'deadline', NULL, 0, 0, 0, 0, 0, '{}')"
    )
    result = several("replay", "--jobs", "2", expect=4)
    assert "ledger_problems: XC2019-1-50 is in the stored derived tables but no event creates it" in result.stderr
    several.execute("DELETE FROM ledger_problems WHERE id = 'XC2019-1-50'")
    assert several.json("replay", "--jobs", "2")["matches"] is True


def test_replay_from_the_installed_executable_in_parallel(several):
    done = run_executable("replay", "--jobs", "2", cwd=several.folder, env=several.env)
    assert done.returncode == 0, done.stderr
    assert "(2 processes); derived tables match" in done.stdout
    bad = run_executable("replay", "--jobs", "0", cwd=several.folder, env=several.env)
    assert bad.returncode == 2 and "--jobs" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_difference_names_the_column_in_words_in_either_language(several, jobs):
    """A Chinese finding named the column by its code (ledger_problems：XC2019-1-6 的 status 不一致); it names it by
    its word, as the tables head it (状态), and a column no table shows by a word of its own; English keeps words."""
    several.execute("UPDATE ledger_problems SET status = 'closed' WHERE id = 'XC2019-1-6'")
    zh = several("--lang", "zh", "replay", "--jobs", jobs, expect=4).stderr
    assert "XC2019-1-6 的状态不一致：" in zh and "status" not in zh, zh
    assert "XC2019-1-6 status differs: stored 'closed', replay 'registered'" in several("replay", "--jobs", jobs, expect=4).stderr
    verified = several("--lang", "zh", "audit", "--verify", expect=4).stderr
    assert "的状态不一致" in verified and "status" not in verified, verified
    several.execute("UPDATE ledger_problems SET status = 'registered', funds_fen = 5 WHERE id = 'XC2019-1-6'")
    zh = several("--lang", "zh", "replay", "--jobs", jobs, expect=4).stderr
    assert "XC2019-1-6 的清退追回资金（分）不一致：存储值 5，由事件重建为 0" in zh and "funds_fen" not in zh, zh
    assert "XC2019-1-6 funds (fen) differs: stored 5, replay 0" in several("--lang", "en", "replay", expect=4).stderr
    several.execute("UPDATE ledger_problems SET funds_fen = 0, position = 99 WHERE id = 'XC2019-1-6'")
    zh = several("--lang", "zh", "replay", "--jobs", jobs, expect=4).stderr
    assert "XC2019-1-6 的排序位置不一致" in zh and "position" not in zh, zh
    several.execute("UPDATE ledger_problems SET position = 6, data = replace(data, '问题6', '问题九') WHERE id = 'XC2019-1-6'")
    zh = several("--lang", "zh", "replay", "--jobs", jobs, expect=4).stderr
    assert "XC2019-1-6 的数据不一致：问题标题：存储值 " in zh and "data" not in zh and "title" not in zh, zh
    assert "XC2019-1-6 data differs at title: stored " in several("replay", "--jobs", jobs, expect=4).stderr
