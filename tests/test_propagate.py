"""举一反三 (同类同改): `propagate` sends a problem to other units for self-check, each answers with measures
or with `not-found` and its evidence, and `summary --propagated` says who answered what (issue 26).

Store-level tests run on SQLite and PostgreSQL (the `ledger` fixture). The units, titles and notes are
written for these tests in the way 巡察 feedback and self-check requests are worded; none is copied.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

import pytest

from conftest import configure, run_executable
from guard_helpers import close_problem

ROUND = "2024年第一轮"
SOURCE = "XC2024-1-1"
TITLE = "关于“以加班费名义违规发放津贴补贴”的问题"


def _inspection(ledger, code, organisation, start="2024-03-01", feedback="2024-05-20", round_name=ROUND, end=None):
    extra = ["--round", round_name] if round_name else []
    ledger("add-inspection", code, "--name", f"县委巡察组巡察{organisation}", "--organisation", organisation, "--group", "县委第一巡察组",
           "--kind", "regular", "--start", start, "--end", end or feedback, "--feedback", feedback, "--at", start, *extra)


def _events(ledger) -> int:
    return int(ledger.query("SELECT COUNT(*) FROM stored_events")[0][0])


def _problems(ledger) -> list[str]:
    return sorted(r[0] for r in ledger.query("SELECT id FROM ledger_problems"))


@pytest.fixture
def round_of_three(ledger):
    """县财政局, 县水利局 and 县交通运输局 inspected in one round; the problem fed back to 县财政局."""
    _inspection(ledger, "XC2024-1", "县财政局党组")
    _inspection(ledger, "XC2024-2", "县水利局党组", feedback="2024-05-22")
    _inspection(ledger, "XC2024-3", "县交通运输局党组", feedback="2024-05-25")
    ledger("add-problem", "--inspection", "XC2024-1", "--category", "全面从严治党方面", "--title", TITLE,
           "--description", "2023年以加班费名义向机关干部发放补贴12.6万元", "--at", "2024-05-20")
    return ledger


def _evidence(ledger, name="自查报告.txt"):
    path = ledger.folder / name
    path.write_text("对2023年以来津贴补贴发放凭证逐笔核对，未发现以加班费等名义发放补贴的情况。", encoding="utf-8")
    return path


def test_propagate_to_every_other_unit_of_the_round_links_both_sides(round_of_three):
    ledger = round_of_three
    done = ledger.json("propagate", SOURCE, "--round", ROUND, "--deadline", "2024-08-31", "--note", "对照检查是否存在以各种名义发放津贴补贴", "--at", "2024-05-26")
    assert [(s["id"], s["organisation"]) for s in done["sent"]] == [("XC2024-2-1", "县水利局党组"), ("XC2024-3-1", "县交通运输局党组")]
    assert done["skipped"] == [] and done["deadline"] == "2024-08-31"
    for target in ("XC2024-2-1", "XC2024-3-1"):
        view = ledger.json("show", target)
        assert (view["title"], view["category"], view["source"], view["deadline"], view["status"]) == (TITLE, "全面从严治党方面", "自查", "2024-08-31", "registered")
        assert [(k["problem"], k["as"], k["direction"]) for k in view["links"]] == [(SOURCE, "self-check", "sent-from")]
        assert [e["event"] for e in ledger.json("history", target)] == ["Registered", "SelfCheckRequested"]
    source = ledger.json("show", SOURCE)
    assert [(k["problem"], k["direction"]) for k in source["links"]] == [("XC2024-2-1", "sent-to"), ("XC2024-3-1", "sent-to")]
    assert source["source"] == "巡察" and source["relapses"] == 0
    # the words on each side, in Chinese and in English
    shown = ledger.out("--lang", "zh", "show", "XC2024-2-1")
    assert "举一反三自查" in shown and "自查来源" in shown and SOURCE in shown
    assert "下发自查至" in ledger.out("--lang", "zh", "show", SOURCE)
    assert "sent-from" in ledger.out("--lang", "en", "show", "XC2024-2-1")
    history = ledger.out("--lang", "zh", "history", SOURCE, "--format", "markdown")
    assert "举一反三下发自查" in history and "XC2024-3-1" in history
    audit = ledger.out("--lang", "zh", "audit", "--problem", "XC2024-2-1", "--format", "markdown")
    assert "收到举一反三自查" in audit and f"收到 {SOURCE} 的举一反三自查要求，整改时限 2024-08-31" in audit, audit
    trail = ledger.json("audit", "--problem", SOURCE)
    assert trail[-1]["details"] == "sent for self-check to another unit as XC2024-3-1, deadline 2024-08-31; note: 对照检查是否存在以各种名义发放津贴补贴"
    # the read models equal their replay
    ledger("replay")


def test_propagating_twice_adds_nothing_and_a_new_unit_only_gets_it_once(round_of_three):
    ledger = round_of_three
    ledger("propagate", SOURCE, "--round", ROUND, "--at", "2024-05-26")
    before, problems = _events(ledger), _problems(ledger)
    refused = ledger("propagate", SOURCE, "--round", ROUND, "--at", "2024-05-27", expect=1).stderr
    assert "XC2024-2 XC2024-2-1" in refused and len(refused.strip().splitlines()) == 1 and "Traceback" not in refused
    assert ledger("propagate", SOURCE, "--to", "县水利局党组", "--at", "2024-05-27", expect=1).stderr
    assert (_events(ledger), _problems(ledger)) == (before, problems)
    # a unit added to the round later gets it; the others are named as sent before, not sent again
    _inspection(ledger, "XC2024-4", "县审计局党组")
    done = ledger.json("propagate", SOURCE, "--round", ROUND, "--at", "2024-05-28")
    assert [s["id"] for s in done["sent"]] == ["XC2024-4-1"]
    assert [s["id"] for s in done["skipped"]] == ["XC2024-2-1", "XC2024-3-1"]
    assert _problems(ledger) == sorted(problems + ["XC2024-4-1"])
    _inspection(ledger, "XC2024-5", "县统计局党组")
    said = ledger.out("--lang", "en", "propagate", SOURCE, "--round", ROUND, "--at", "2024-05-28").splitlines()
    assert said == [
        f"{SOURCE}: sent to 1 unit for self-check: 县统计局党组 XC2024-5-1",
        "already sent before, not again: 县水利局党组 XC2024-2-1, 县交通运输局党组 XC2024-3-1, 县审计局党组 XC2024-4-1",
    ], said


def test_to_an_organisation_finds_its_inspection_in_the_sources_round(round_of_three):
    ledger = round_of_three
    _inspection(ledger, "XC2023-9", "县水利局党组", round_name="2023年第二轮")  # the same unit in another round: not chosen
    done = ledger.json("propagate", SOURCE, "--to", "县水利局党组", "--deadline", "2024-08-31", "--at", "2024-05-26")
    assert [s["id"] for s in done["sent"]] == ["XC2024-2-1"]
    # an inspection code names the inspection outright, and the round may be another than the source's
    done = ledger.json("propagate", SOURCE, "--round", "2023年第二轮", "--to", "XC2023-9", "--at", "2024-05-26")
    assert [s["id"] for s in done["sent"]] == ["XC2023-9-1"]


@pytest.mark.parametrize(
    "argv, code, said",
    [
        (["propagate", "XC2024-1-9", "--round", ROUND], 1, "XC2024-1-9"),
        (["propagate", SOURCE, "--to", "县公安局党组"], 2, "县公安局党组"),
        (["propagate", SOURCE, "--round", "2030年第九轮"], 2, "2030年第九轮"),
        (["propagate", SOURCE, "--to", "县财政局党组"], 2, "县财政局党组"),
        (["propagate", SOURCE, "--to", "XC2024-1"], 2, "XC2024-1"),
        (["propagate", SOURCE, "--round", ROUND, "--deadline", "2024-05-21"], 2, "2024-05-22"),
        (["propagate", SOURCE, "--round", ROUND, "--deadline", "2024-13-01"], 2, "--deadline"),
        (["propagate", SOURCE], 2, "--round"),
        (["propagate", SOURCE, "--round", ROUND, "--at", "2024-03-15"], 1, "before the problem was registered"),
    ],
    ids=["unknown-id", "unknown-org", "unknown-round", "own-unit", "own-inspection", "deadline-before-feedback", "bad-date", "no-target", "before-the-source"],
)
def test_bad_propagations_are_one_line_and_write_nothing(round_of_three, argv, code, said):
    ledger = round_of_three
    before, problems = _events(ledger), _problems(ledger)
    result = ledger(*argv, expect=code)
    lines = result.stderr.strip().splitlines()
    assert lines and said in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert len([line for line in lines if line.startswith("ledger:") or line.startswith("Error")]) == 1, result.stderr
    assert (_events(ledger), _problems(ledger)) == (before, problems)


def test_a_source_in_no_round_names_what_is_missing(ledger):
    _inspection(ledger, "XC2024-1", "县财政局党组", round_name=None)
    _inspection(ledger, "XC2024-2", "县水利局党组")
    ledger("add-problem", "--inspection", "XC2024-1", "--category", "作风方面", "--title", TITLE, "--at", "2024-05-20")
    refused = ledger("propagate", SOURCE, "--to", "县水利局党组", expect=2).stderr
    assert "XC2024-1" in refused and "--round" in refused
    ledger("propagate", SOURCE, "--to", "县水利局党组", "--round", ROUND)


def test_all_or_nothing_when_one_units_problem_cannot_be_registered(round_of_three):
    """XC2024-3 started after the act's date: its problem is refused, so XC2024-2's is not written either."""
    ledger = round_of_three
    _inspection(ledger, "XC2024-4", "县审计局党组", start="2024-05-27", feedback="2024-05-28")
    before, problems = _events(ledger), _problems(ledger)
    refused = ledger("propagate", SOURCE, "--round", ROUND, "--at", "2024-05-26", expect=1).stderr
    assert "XC2024-4-1" in refused, refused
    assert (_events(ledger), _problems(ledger)) == (before, problems)


@pytest.mark.sqlite_only
def test_all_or_nothing_when_the_store_fails_on_the_second_unit(round_of_three):
    """The store refuses the second unit's row inside the write: the first unit's problem and the source's
    link are rolled back with it (one transaction), and the planted trigger is named."""
    ledger = round_of_three
    before, problems = _events(ledger), _problems(ledger)
    ledger.execute("CREATE TRIGGER planted BEFORE INSERT ON ledger_problems WHEN NEW.id = 'XC2024-3-1' BEGIN SELECT RAISE(ABORT, 'refused'); END")
    result = ledger("propagate", SOURCE, "--round", ROUND, "--at", "2024-05-26", expect=None)
    assert result.exit_code != 0 and "Traceback" not in result.stderr, result.stderr
    assert (_events(ledger), _problems(ledger)) == (before, problems)
    assert "links" not in ledger.json("show", SOURCE)
    # without the planted trigger the same act writes both units' problems
    ledger.execute("DROP TRIGGER planted")
    ledger("propagate", SOURCE, "--round", ROUND, "--at", "2024-05-26")
    assert _problems(ledger) == sorted(problems + ["XC2024-2-1", "XC2024-3-1"])


def test_not_found_needs_evidence_and_leaves_a_done_state_of_its_own(round_of_three):
    ledger = round_of_three
    ledger("propagate", SOURCE, "--round", ROUND, "--deadline", "2024-06-30", "--at", "2024-05-26")
    before = _events(ledger)
    # without evidence, or on a problem never sent for self-check: refused, nothing written
    assert "--attach" in ledger("not-found", "XC2024-2-1", "--note", "已自查", "--at", "2024-06-10", expect=2).stderr
    assert "ledger propagate" in ledger("not-found", SOURCE, "--note", "已自查", "--attach", _evidence(ledger), "--at", "2024-06-10", expect=1).stderr
    assert _events(ledger) == before
    done = ledger.json("not-found", "XC2024-2-1", "--note", "逐笔核对2023年以来发放凭证", "--attach", _evidence(ledger), "--at", "2024-06-10")
    assert (done["status"], done["source"]) == ("not_found", SOURCE)
    view = ledger.json("show", "XC2024-2-1")
    assert view["status"] == "not_found" and view["self_check"]["note"] == "逐笔核对2023年以来发放凭证"
    assert view["overdue"] is False and view["relapses"] == 0  # past its deadline (2024-06-30), yet not overdue
    assert ledger.json("show", "XC2024-3-1")["overdue"] is True  # no answer: overdue
    history = ledger.json("history", "XC2024-2-1")
    assert history[-1]["event"] == "SelfCheckNotFound" and history[-1]["attachments"][0]["name"] == "自查报告.txt"
    assert "自查未发现" in ledger.out("--lang", "zh", "show", "XC2024-2-1") and "报告自查未发现" in ledger.out("--lang", "zh", "history", "XC2024-2-1", "--format", "markdown")
    # answered once; no more work on it until it is reopened; reopening is no relapse
    assert "already answered" in ledger("--lang", "en", "not-found", "XC2024-2-1", "--note", "再次", "--attach", _evidence(ledger), expect=1).stderr
    assert "reopen" in ledger("plan", "XC2024-2-1", "制定制度", expect=1).stderr
    assert "before the self-check answer" in ledger("--lang", "en", "reopen", "XC2024-2-1", "--reason", "复查", "--at", "2024-06-05", expect=1).stderr
    assert ledger.json("reopen", "XC2024-2-1", "--reason", "审计发现2023年12月仍有发放")["relapses"] == 0
    assert ledger.json("show", "XC2024-2-1")["status"] == "in_progress"


def test_not_found_is_neither_open_nor_overdue_in_summary(round_of_three):
    ledger = round_of_three
    ledger("propagate", SOURCE, "--round", ROUND, "--deadline", "2024-06-30", "--at", "2024-05-26")
    ledger("not-found", "XC2024-2-1", "--note", "逐笔核对", "--attach", _evidence(ledger), "--at", "2024-06-10")
    total = ledger.json("summary")["total"]
    assert (total["problems"], total["open"], total["overdue"], total["not_found"]) == (2, 2, 1, 1)
    unit = ledger.json("summary", "--inspection", "XC2024-2")
    assert unit["rows"] == [] and (unit["total"]["problems"], unit["total"]["open"], unit["total"]["not_found"]) == (0, 0, 1)
    rows = {r["inspection"]: r for r in ledger.json("summary", "--round", ROUND)["rows"]}
    assert (rows["XC2024-2"]["problems"], rows["XC2024-2"]["open"], rows["XC2024-3"]["open"]) == (0, 0, 1)
    assert ledger.json("profile", "县水利局党组")["total"]["problems"] == 0
    # the unit's public report neither lists nor counts it; the unit that has not answered lists it
    assert TITLE not in ledger.out("publish", "--inspection", "XC2024-2", "--no-sign")
    assert "反馈问题0个" in ledger.out("publish", "--inspection", "XC2024-2", "--no-sign")
    assert TITLE in ledger.out("publish", "--inspection", "XC2024-3", "--no-sign")
    assert ledger.json("due", "--as-of", "2024-07-15") and "XC2024-2-1" not in [r["id"] for r in ledger.json("due", "--as-of", "2024-07-15")]
    # a later problem linked as a recurrence of it is no relapse (it was never signed off)
    _inspection(ledger, "XC2025-2", "县水利局党组", start="2025-03-01", feedback="2025-05-20", round_name="2025年第一轮")
    later = ledger.out("add-problem", "--inspection", "XC2025-2", "--category", "作风方面", "--title", "以各种名义违规发放补贴", "--at", "2025-03-10")
    assert ledger.json("link", later, "XC2024-2-1", "--as", "recurrence")["relapse"] is False


def test_summary_round_counts_each_units_not_found_in_json_table_and_csv(round_of_three):
    """A unit's 自查未发现 is on its row of `summary --round` and summed in the total, as in `summary`'s total."""
    ledger = round_of_three
    ledger("propagate", SOURCE, "--round", ROUND, "--deadline", "2024-06-30", "--at", "2024-05-26")
    ledger("not-found", "XC2024-2-1", "--note", "逐笔核对", "--attach", _evidence(ledger), "--at", "2024-06-10")
    result = ledger.json("summary", "--round", ROUND)
    assert {r["inspection"]: r["not_found"] for r in result["rows"]} == {"XC2024-1": 0, "XC2024-2": 1, "XC2024-3": 0}
    assert result["total"]["not_found"] == 1 == ledger.json("summary")["total"]["not_found"]
    table = ledger.out("--lang", "zh", "summary", "--round", ROUND).splitlines()
    header = next(line for line in table if "被巡察单位" in line)
    assert "自查未发现" in header
    rows = list(csv.reader(io.StringIO(ledger.out("--lang", "en", "summary", "--round", ROUND, "--format", "csv"))))
    column = rows[0].index("not found")
    assert {r[0]: r[column] for r in rows[1:]} == {"县财政局党组": "0", "县水利局党组": "1", "县交通运输局党组": "0", "total": "1"}


def test_similar_offers_a_problem_sent_for_self_check_once_as_its_source(round_of_three):
    """The copies `propagate` made are linked to their source and, through it, to each other: `similar` and
    the warnings offer the family once, as the source (a copy of the asking unit's own stays: its earlier problem)."""
    ledger = round_of_three
    ledger("propagate", SOURCE, "--round", ROUND, "--deadline", "2024-06-30", "--at", "2024-05-26")
    assert ledger.json("similar", "XC2024-2-1", "--scope", "round") == []
    assert ledger.json("similar", "XC2024-3-1", "--scope", "round") == []
    assert [r["id"] for r in ledger.json("similar", "--text", TITLE)] == [SOURCE]
    assert [r["id"] for r in ledger.json("similar", "--text", TITLE, "--scope", "organisation", "--organisation", "县交通运输局党组")] == ["XC2024-3-1"]
    _inspection(ledger, "XC2025-2", "县水利局党组", start="2025-03-01", feedback="2025-05-20", round_name="2025年第一轮")
    later = ledger("add-problem", "--inspection", "XC2025-2", "--category", "作风方面", "--title", "以加班费名义违规发放津贴补贴", "--at", "2025-03-10")
    assert sorted(r["id"] for r in ledger.json("similar", later.stdout.strip())) == ["XC2024-1-1", "XC2024-2-1"]
    assert "县水利局党组 found again: XC2024-2-1" in later.stderr and "XC2024-1-1 县财政局党组" in later.stderr
    assert "XC2024-3-1" not in later.stderr


def test_summary_propagated_says_who_answered_what(round_of_three):
    ledger = round_of_three
    _inspection(ledger, "XC2024-4", "县审计局党组")
    ledger("propagate", SOURCE, "--round", ROUND, "--deadline", "2024-06-30", "--at", "2024-05-26")
    ledger("not-found", "XC2024-2-1", "--note", "逐笔核对", "--attach", _evidence(ledger), "--at", "2024-06-10")
    ledger("assign", "XC2024-3-1", "--lead", "周局长", "--unit", "财务股", "--person", "吴会计", "--at", "2024-06-01")
    close_problem(ledger, "XC2024-4-1", done_at="2024-06-05", verify_at="2024-06-08", close_at="2024-06-12")
    found = ledger.json("summary", "--propagated", SOURCE)
    assert found["source"] == SOURCE and found["title"] == TITLE
    answers = {r["organisation"]: (r["problem"], r["answer"], r["overdue"]) for r in found["rows"]}
    assert answers == {
        "县水利局党组": ("XC2024-2-1", "not_found", False),
        "县交通运输局党组": ("XC2024-3-1", "rectifying", True),
        "县审计局党组": ("XC2024-4-1", "closed", False),
    }
    assert found["total"] == {"sent": 3, "waiting": 0, "rectifying": 1, "closed": 1, "not_found": 1, "overdue": 1}
    zh = ledger.out("--lang", "zh", "summary", "--propagated", SOURCE)
    assert "举一反三下发3个单位自查" in zh and "自查未发现" in zh and "发现问题、正在整改" in zh and "答复情况" in zh
    en = ledger.out("--lang", "en", "summary", "--propagated", SOURCE)
    assert "sent for self-check to 3 units" in en and "found, rectifying" in en and "not found" in en
    csv = ledger.out("summary", "--propagated", SOURCE, "--format", "csv").splitlines()
    assert csv[0].startswith("organisation,inspection,problem,answer") and len(csv) == 4
    # a problem sent nowhere: no rows; an unknown one: one line, exit 1
    assert ledger.json("summary", "--propagated", "XC2024-2-1")["total"]["sent"] == 0
    assert "XC2024-1-7" in ledger("summary", "--propagated", "XC2024-1-7", expect=1).stderr
    assert "--propagated" in ledger("summary", "--propagated", SOURCE, "--inspection", "XC2024-1", expect=2).stderr


def test_propagate_is_a_registrars_act_and_not_found_a_responsible_persons(round_of_three):
    ledger = round_of_three
    configure(ledger.folder, "people:\n  - name: 王琎\n    roles: [registrar]\n  - name: 张三\n    roles: [responsible]\n")
    before = _events(ledger)
    assert "needs the role registrar" in ledger("--lang", "en", "propagate", SOURCE, "--round", ROUND, actor="张三", expect=1).stderr
    assert _events(ledger) == before
    ledger("propagate", SOURCE, "--round", ROUND, actor="王琎")
    refused = ledger("--lang", "en", "not-found", "XC2024-2-1", "--note", "逐笔核对", "--attach", _evidence(ledger), actor="王琎", expect=1).stderr
    assert "responsible" in refused
    ledger("not-found", "XC2024-2-1", "--note", "逐笔核对", "--attach", _evidence(ledger), actor="张三")


def test_signed_propagation_and_answer_verify(ledger):
    from test_identity import enrol

    enrol(ledger, {"王琎": ["registrar"], "张三": ["responsible"]})
    for code, organisation in (("XC2024-1", "县财政局党组"), ("XC2024-2", "县水利局党组")):
        ledger("add-inspection", code, "--name", f"巡察{organisation}", "--organisation", organisation, "--group", "县委第一巡察组",
               "--kind", "regular", "--start", "2024-03-01", "--end", "2024-04-30", "--feedback", "2024-05-20", "--round", ROUND, actor="王琎")
    ledger("add-problem", "--inspection", "XC2024-1", "--category", "作风方面", "--title", TITLE, "--at", "2024-05-20", actor="王琎")
    ledger("propagate", SOURCE, "--round", ROUND, "--at", "2024-05-26", actor="王琎")
    ledger("not-found", "XC2024-2-1", "--note", "逐笔核对", "--attach", _evidence(ledger), "--at", "2024-06-10", actor="张三")
    verified = ledger.out("audit", "--verify")
    assert "signatures verified" in verified, verified
    acts = {(e["event"], e.get("meaning"), e.get("signed_by")) for e in ledger.json("history", "XC2024-2-1")}
    assert ("SelfCheckRequested", "propagate", "王琎") in acts and ("SelfCheckNotFound", "not-found", "张三") in acts, acts


def test_the_installed_executable_propagates_and_answers_in_chinese_and_english(round_of_three):
    ledger = round_of_three
    env = {**ledger.env, "LEDGER_LANG": "zh"}
    done = run_executable("propagate", SOURCE, "--to", "县水利局党组", "--to", "县交通运输局党组", "--deadline", "2024-08-31", "--at", "2024-05-26", cwd=ledger.folder, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{SOURCE}：已举一反三下发2个单位自查：县水利局党组 XC2024-2-1, 县交通运输局党组 XC2024-3-1"
    again = run_executable("propagate", SOURCE, "--to", "县水利局党组", cwd=ledger.folder, env=env)
    assert again.returncode == 1 and "已下发所列全部单位自查" in again.stderr and len(again.stderr.strip().splitlines()) == 1
    answered = run_executable("--lang", "en", "not-found", "XC2024-2-1", "--note", "checked", "--attach", _evidence(ledger), "--at", "2024-06-10", cwd=ledger.folder, env=env)
    assert answered.returncode == 0 and answered.stdout.strip() == "XC2024-2-1: answered, its self-check found nothing (status: not_found)", answered
    table = run_executable("summary", "--propagated", SOURCE, cwd=ledger.folder, env=env)
    assert table.returncode == 0 and "自查未发现1个" in table.stdout and "尚未答复1个" in table.stdout, table.stdout
    bad = run_executable("propagate", SOURCE, "--to", "县公安局党组", cwd=ledger.folder, env=env)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "县公安局党组" in bad.stderr


def test_the_web_problem_pages_show_the_link_on_both_sides(round_of_three, monkeypatch):
    from test_web import client_for

    ledger = round_of_three
    ledger("propagate", SOURCE, "--round", ROUND, "--at", "2024-05-26")
    ledger("not-found", "XC2024-2-1", "--note", "逐笔核对2023年以来发放凭证", "--attach", _evidence(ledger), "--at", "2024-06-10")
    client = client_for(ledger, monkeypatch)
    source = client.get(f"/problems/{SOURCE}").text
    assert "下发自查至" in source and 'href="/problems/XC2024-2-1"' in source and 'href="/problems/XC2024-3-1"' in source
    target = client.get("/problems/XC2024-2-1").text
    assert "自查来源" in target and f'href="/problems/{SOURCE}"' in target and "举一反三自查" in target
    assert "自查未发现" in target and "逐笔核对2023年以来发放凭证" in target
    unit = client.get(f"/units/{quote('县水利局党组')}").text
    assert "举一反三自查" in unit and "自查来源" in unit
    # the overview counts it as none of the unit's problems, as summary does
    from test_web import get_json

    rows = {r["code"]: r for r in get_json(client, "/")["inspections"]}
    assert (rows["XC2024-2"]["problems"], rows["XC2024-2"]["open"], rows["XC2024-3"]["open"]) == (0, 0, 1)


def test_summary_propagated_as_of_an_earlier_moment(round_of_three):
    ledger = round_of_three
    ledger("propagate", SOURCE, "--to", "县水利局党组", "--at", "2024-05-26")
    between = ledger.json("summary", "--propagated", SOURCE)["total"]
    ledger("not-found", "XC2024-2-1", "--note", "逐笔核对", "--attach", _evidence(ledger), "--at", "2024-06-10")
    assert between == {"sent": 1, "waiting": 1, "rectifying": 0, "closed": 0, "not_found": 0, "overdue": 0}
    assert ledger.json("summary", "--propagated", SOURCE, "--as-at", "2024-06-01")["total"]["waiting"] == 1
    assert ledger.json("summary", "--propagated", SOURCE)["total"]["not_found"] == 1


def test_what_is_withheld_of_the_source_is_withheld_of_each_copy(round_of_three):
    """A source withheld from publication (在办案件) must not be printed by the other units' reports."""
    ledger = round_of_three
    ledger("withhold", SOURCE, "--reason", "open-case", "--field", "title", "--at", "2024-05-21")
    ledger("withhold", SOURCE, "--reason", "privacy", "--field", "description", "--at", "2024-05-22")
    ledger("propagate", SOURCE, "--to", "县水利局党组", "--at", "2024-05-26")
    copy = ledger.json("show", "XC2024-2-1")
    assert [(w["reason"], w["fields"]) for w in copy["withheld"]] == [("open-case", ["title"]), ("privacy", ["description"])]
    report = ledger.out("publish", "--inspection", "XC2024-2", "--no-sign")
    assert TITLE not in report and "12.6万元" not in report, report
    assert [e["event"] for e in ledger.json("history", "XC2024-2-1")] == ["Registered", "SelfCheckRequested", "Withheld", "Withheld"]


def test_every_form_counts_a_not_found_copy_by_one_rule(round_of_three):
    """Review of issue 30, finding 21: `sheet` listed the 自查未发现 copy as a row while its totals said 反馈问题N个
    without it; `publish` left it out; `profile` counted it in its categories. The rule (docs/relapse.md): it is
    none of the unit's 反馈问题 — in no row, no count but `not_found`; the 台账's totals line says it apart."""
    from openpyxl import load_workbook

    ledger = round_of_three
    ledger("add-problem", "--inspection", "XC2024-2", "--category", "基层党建方面", "--title", "关于“三会一课落实不到位”的问题", "--at", "2024-05-22")
    ledger("propagate", SOURCE, "--round", ROUND, "--deadline", "2024-06-30", "--at", "2024-05-26")
    copy = next(s["problem"] for s in ledger.json("summary", "--propagated", SOURCE)["rows"] if s["inspection"] == "XC2024-2")
    ledger("not-found", copy, "--note", "逐笔核对", "--attach", _evidence(ledger), "--at", "2024-06-10")
    problems = ledger.json("summary", "--inspection", "XC2024-2")["total"]["problems"]
    assert problems == 1
    ledger("sheet", "--inspection", "XC2024-2", "--out", "台账.xlsx")
    rows = [r for r in load_workbook(ledger.folder / "台账.xlsx").active.iter_rows(values_only=True) if any(v is not None for v in r)]
    numbered = [r for r in rows if isinstance(r[0], int)]
    assert len(numbered) == problems and TITLE not in str(numbered), numbered
    totals = next(str(r[0]) for r in rows if str(r[0]).startswith("合计"))
    assert f"反馈问题{problems}个" in totals and "自查未发现的问题1个，不计入反馈问题" in totals, totals
    report = ledger.out("publish", "--inspection", "XC2024-2", "--no-sign")
    assert f"反馈问题{problems}个" in report and TITLE not in report
    profile = ledger.json("profile", "县水利局党组")
    assert profile["total"]["problems"] == problems == sum(c["XC2024-2"] for c in profile["categories"]), profile["categories"]
    assert ledger.json("summary", "--round", ROUND)["rows"][1]["problems"] == problems
