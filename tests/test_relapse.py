"""屡查屡犯: `similar`, the warning at add-problem/import, `link`, and their counts (issue 26).

Store-level tests run on SQLite and PostgreSQL (the `ledger` fixture). The texts are written
for these tests in the way 巡察 feedback is worded; none is copied from a report.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import configure, run_executable
from guard_helpers import close_problem


def _inspection(ledger, code, organisation, start, round_name=None):
    extra = ["--round", round_name] if round_name else []
    ledger("add-inspection", code, "--name", f"{organisation}巡察", "--organisation", organisation, "--group", "县委巡察组",
           "--kind", "regular", "--start", start, "--end", start, "--feedback", start, "--at", start, *extra)


def _problem(ledger, code, title, at, description=""):
    result = ledger("add-problem", "--inspection", code, "--category", "作风建设方面", "--title", title, "--description", description, "--at", at)
    return result.stdout.strip(), result.stderr


@pytest.fixture
def two_rounds(ledger):
    """县财政局 inspected in 2021 and again in 2024; 县水利局 in 2022."""
    _inspection(ledger, "XC2021-1", "县财政局党组", "2021-03-01")
    _problem(ledger, "XC2021-1", "违规发放津贴补贴", "2021-03-10")  # XC2021-1-1
    _problem(ledger, "XC2021-1", "关于“公车私用问题突出”的问题", "2021-03-10")  # -2
    _problem(ledger, "XC2021-1", "三会一课制度落实不到位", "2021-03-10")  # -3
    _inspection(ledger, "XC2022-1", "县水利局党组", "2022-03-01")
    _problem(ledger, "XC2022-1", "违规发放津贴补贴问题", "2022-03-10")  # XC2022-1-1
    _problem(ledger, "XC2022-1", "项目资金拨付审核不严格", "2022-03-10")
    _inspection(ledger, "XC2024-1", "县财政局党组", "2024-03-01", round_name="第三轮")
    return ledger


def test_similar_lists_the_reworded_earlier_problem_first(two_rounds):
    ledger = two_rounds
    new, _ = _problem(ledger, "XC2024-1", "以各种名义违规发放补贴津贴", "2024-03-10")
    found = ledger.json("similar", new)
    assert found[0]["id"] == "XC2021-1-1"
    assert all(0 < r["score"] <= 1 for r in found)
    assert [r["score"] for r in found] == sorted((r["score"] for r in found), reverse=True)
    assert {"id", "score", "inspection", "organisation", "round", "status", "shared"} <= set(found[0])
    assert any("违规发放" in w for w in found[0]["shared"])
    # the other unit's like problem is listed too, and kept out of --scope organisation
    assert "XC2022-1-1" in [r["id"] for r in found]
    assert [r["id"] for r in ledger.json("similar", new, "--scope", "organisation")] == ["XC2021-1-1"]
    # its own inspection's problems are never "earlier"; --limit
    assert all(not r["id"].startswith("XC2024-1") for r in found)
    assert len(ledger.json("similar", new, "--limit", "1")) == 1


def test_synonyms_match_and_can_be_configured(two_rounds):
    ledger = two_rounds
    new, _ = _problem(ledger, "XC2024-1", "公务用车使用管理不规范", "2024-03-10")
    assert ledger.json("similar", new)[0]["id"] == "XC2021-1-2"  # 公车 / 公务用车: built in
    life, _ = _problem(ledger, "XC2024-1", "组织生活开展不经常", "2024-03-10")
    assert ledger.json("similar", life)[0]["id"] == "XC2021-1-3"  # 三会一课 / 组织生活: built in
    # a synonym of the office's own, from ledger.yaml
    other, _ = _problem(ledger, "XC2024-1", "专项经费审核把关不严格", "2024-03-10")
    before = [r["id"] for r in ledger.json("similar", other)]
    assert "XC2022-1-2" not in before
    configure(ledger.folder, "similar:\n  synonyms:\n    - 项目资金/专项经费\n  threshold: 0.3\n")
    assert ledger.json("similar", other)[0]["id"] == "XC2022-1-2"


def test_unrelated_text_gets_no_suggestion_and_the_threshold_is_configurable(two_rounds):
    ledger = two_rounds
    assert ledger.json("similar", "--text", "意识形态工作责任制落实不到位") == []
    assert "no earlier problem scores 0.25 or more" in ledger.out("similar", "--text", "意识形态工作责任制落实不到位")
    assert ledger.json("similar", "--text", "违规发放津贴补贴")[0]["score"] == 1.0
    configure(ledger.folder, "similar:\n  threshold: 1\n")
    assert [r["id"] for r in ledger.json("similar", "--text", "以各种名义违规发放补贴津贴")] == []
    configure(ledger.folder, "similar:\n  threshold: 2\n")
    result = ledger("similar", "--text", "x", expect=2)
    assert "similar.threshold" in result.stderr and "from 0 to 1" in result.stderr


def test_bad_similar_calls_are_one_line_each(two_rounds):
    ledger = two_rounds
    assert ledger("similar", expect=2).stderr.count("\n") == 1
    assert "not both" in ledger("similar", "XC2021-1-1", "--text", "x", expect=2).stderr
    assert "unknown problem ID" in ledger("similar", "XC2099-1-1", expect=1).stderr
    assert "belongs to no round" in ledger("similar", "XC2021-1-1", "--scope", "round", expect=2).stderr


def test_add_problem_warns_on_stderr_and_never_refuses(two_rounds):
    ledger = two_rounds
    out, err = _problem(ledger, "XC2024-1", "以各种名义违规发放补贴津贴", "2024-03-10")
    assert out == "XC2024-1-1"
    assert "XC2024-1-1 may be an earlier problem of 县财政局党组 found again: XC2021-1-1" in err
    assert "like earlier problems of other units: XC2022-1-1 县水利局党组" in err
    # JSON output stays JSON: the warning is on stderr only
    result = ledger("add-problem", "--inspection", "XC2024-1", "--category", "c", "--title", "违规发放津贴补贴", "--format", "json", "--at", "2024-03-10")
    import json

    assert json.loads(result.stdout)["id"] == "XC2024-1-2" and "XC2021-1-1" in result.stderr
    # nothing alike: no warning
    assert _problem(ledger, "XC2024-1", "意识形态阵地管理薄弱", "2024-03-10")[1] == ""


def test_import_warns_of_earlier_problems(two_rounds, tmp_path):
    ledger = two_rounds
    listing = tmp_path / "list.csv"
    listing.write_text(
        "inspection,inspection_name,organisation,group,kind,start,end,feedback,number,category,title\n"
        "XC2025-1,巡察,县财政局党组,县委巡察组,regular,2025-03-01,2025-03-20,2025-04-01,1,作风建设方面,违规发放各类津贴补贴\n"
        ",,,,,,,,2,作风建设方面,意识形态阵地管理薄弱\n",
        encoding="utf-8",
    )
    result = ledger("import", str(listing))
    assert "XC2025-1-1 may be an earlier problem of 县财政局党组 found again: XC2021-1-1" in result.stderr
    assert "XC2025-1-2" not in result.stderr


def test_link_a_recurrence_of_a_signed_off_problem_is_a_relapse_of_it(two_rounds):
    ledger = two_rounds
    close_problem(ledger, "XC2021-1-1", done_at="2021-05-01", verify_at="2021-05-05", close_at="2021-05-10")
    new, _ = _problem(ledger, "XC2024-1", "以各种名义违规发放补贴津贴", "2024-03-10")
    out = ledger.out("link", new, "XC2021-1-1", "--as", "recurrence", "--note", "2021年反馈问题再次出现", actor="巡察办")
    assert "relapsed (relapses: 1)" in out
    old = ledger.json("show", "XC2021-1-1")
    assert old["relapses"] == 1 and old["status"] == "closed"  # counted for good; the work is on the new problem
    assert old["links"][0] == {**old["links"][0], "problem": new, "as": "recurrence", "direction": "later", "relapse": True}
    assert ledger.json("show", new)["links"][0]["problem"] == "XC2021-1-1"
    assert "XC2021-1-1" in ledger.out("show", new) and new in ledger.out("show", "XC2021-1-1")
    assert [r["event"] for r in ledger.json("history", "XC2021-1-1")][-1] == "FoundAgain"
    assert "Linked" in ledger.out("audit", "--problem", new)
    # linked once only; a linked problem is not offered again
    assert "link-once" in ledger("link", new, "XC2021-1-1", "--as", "same-kind", expect=1).stderr
    assert "XC2021-1-1" not in [r["id"] for r in ledger.json("similar", new)]
    # counted: summary (total and per unit and round), publish
    summary = ledger.json("summary")
    assert summary["total"]["recurrences"] == 1
    assert summary["recurrences"] == [{"organisation": "县财政局党组", "round": "第三轮", "recurrences": 1}]
    assert ledger.json("summary", "--inspection", "XC2021-1")["total"]["recurrences"] == 0
    assert ledger.json("summary", "--inspection", "XC2024-1")["total"]["relapsed"] == 0
    assert "屡查屡犯）1个" in ledger.out("publish", "--inspection", "XC2024-1")
    assert "replay" in ledger.out("replay") or True
    ledger("replay")


def test_a_recurrence_of_an_open_problem_or_a_same_kind_link_is_no_relapse(two_rounds):
    ledger = two_rounds
    new, _ = _problem(ledger, "XC2024-1", "违规发放津贴补贴", "2024-03-10")
    assert "no relapse counted" in ledger.out("link", new, "XC2021-1-1", "--as", "recurrence")
    assert ledger.json("show", "XC2021-1-1")["relapses"] == 0
    ledger("link", new, "XC2022-1-1", "--as", "same-kind")
    assert ledger.json("show", "XC2022-1-1")["relapses"] == 0
    assert ledger.json("summary")["total"]["recurrences"] == 1


def test_link_refuses_what_makes_no_sense(two_rounds):
    ledger = two_rounds
    new, _ = _problem(ledger, "XC2024-1", "违规发放津贴补贴", "2024-03-10")
    assert "link-earlier-problem" in ledger("link", "XC2021-1-1", new, "--as", "recurrence", expect=1).stderr
    assert "link-another-inspection" in ledger("link", "XC2021-1-2", "XC2021-1-1", "--as", "recurrence", expect=1).stderr
    assert "not recurrence or same-kind" in ledger("link", new, "XC2021-1-1", "--as", "maybe", expect=2).stderr
    assert "exactly one of" in ledger("link", new, "XC2021-1-1", expect=2).stderr
    assert "unknown problem ID" in ledger("link", new, "XC2099-1-1", "--as", "recurrence", expect=1).stderr
    assert ledger.json("show", new).get("links") is None  # nothing written


def test_a_rejected_suggestion_is_not_offered_again(two_rounds):
    ledger = two_rounds
    new, _ = _problem(ledger, "XC2024-1", "违规发放津贴补贴", "2024-03-10")
    assert "XC2022-1-1" in [r["id"] for r in ledger.json("similar", new)]
    ledger("link", new, "XC2022-1-1", "--reject", "--note", "另一单位，不是同一问题")
    assert "XC2022-1-1" not in [r["id"] for r in ledger.json("similar", new)]
    assert "reject-once" in ledger("link", new, "XC2022-1-1", "--reject", expect=1).stderr
    assert "link-after-rejection" in ledger("link", new, "XC2022-1-1", "--as", "same-kind", expect=1).stderr
    ledger("replay")


def test_link_needs_a_registrar_or_verifier(two_rounds):
    ledger = two_rounds
    new, _ = _problem(ledger, "XC2024-1", "违规发放津贴补贴", "2024-03-10")
    configure(ledger.folder, "people:\n  - name: 孙丽\n    roles: [responsible]\n  - name: 巡察办\n    roles: [verifier]\n")
    assert "needs the role registrar" in ledger("link", new, "XC2021-1-1", "--as", "recurrence", actor="孙丽", expect=1).stderr
    ledger("link", new, "XC2021-1-1", "--as", "recurrence", actor="巡察办")


@pytest.mark.parametrize(
    "damage, named",
    [
        ("UPDATE ledger_similar_df SET df = df + 1 WHERE term = (SELECT MAX(term) FROM ledger_similar_df)", "document frequency differs"),
        ("UPDATE ledger_similar_df SET df = df - 1 WHERE term = -1", "count of problems indexed differs"),
        ("DELETE FROM ledger_similar_terms WHERE problem = 'XC2021-1-2'", "is missing XC2021-1-2"),
        ("INSERT INTO ledger_similar_terms (term, problem) SELECT term, problem FROM ledger_similar_terms WHERE problem = 'XC2021-1-2'", "lists XC2021-1-2 twice"),
        ("UPDATE ledger_similar_docs SET text = '无关' WHERE problem = 'XC2021-1-1'", "XC2021-1-1 text differs"),
        ("INSERT INTO ledger_similar_terms (term, problem) VALUES (1, 'XC2021-1-1')", "lists XC2021-1-1, whose text does not hold it"),
        ("DELETE FROM ledger_similar_docs WHERE problem = 'XC2021-1-2'", "XC2021-1-2 is missing from the stored similarity index"),
        ("INSERT INTO ledger_similar_docs (problem, text) VALUES ('XC2099-1-1', '无关')", "XC2099-1-1 is in the stored similarity index but no problem"),
        ("INSERT INTO ledger_problem_links (new, old, link) VALUES ('XC2022-1-1', 'XC2021-1-1', 'recurrence')", "no event links them"),
    ],
)
def test_replay_finds_a_damaged_index_or_link(two_rounds, damage, named):
    ledger = two_rounds
    ledger("replay")
    ledger.execute(damage)
    result = ledger("replay", expect=None)
    assert result.exit_code != 0 and named in result.stderr, result.stderr
    if ledger.kind == "sqlite" and "ledger_problem_links" not in damage:
        # The check that decodes each view in Python (a view the database's JSON functions refuse) finds the same.
        import sqlite3

        from projections.similarity import _check_index_decoding, check_index

        con = sqlite3.connect(ledger.folder / "ledger.db")
        try:
            assert named in (_check_index_decoding(con.cursor()) or "") and named in (check_index(con.cursor()) or "")
        finally:
            con.close()


def test_an_import_writes_a_row_per_term_and_a_correction_takes_a_problem_out_of_it(two_rounds, tmp_path):
    """The postings of one write are one row per term listing its problems (a tenth of the rows of an
    import); a correction rewrites the rows its problem leaves; replay checks every problem of a row."""
    ledger = two_rounds
    listing = tmp_path / "list.csv"
    listing.write_text(
        "inspection,inspection_name,organisation,group,kind,start,end,feedback,number,category,title\n"
        "XC2025-1,巡察,县财政局党组,县委巡察组,regular,2025-03-01,2025-03-20,2025-04-01,1,作风建设方面,违规发放津贴补贴问题突出\n"
        ",,,,,,,,2,作风建设方面,违规发放加班补贴\n"
        ",,,,,,,,3,作风建设方面,违规发放节日福利\n",
        encoding="utf-8",
    )
    ledger("import", str(listing))
    listed = [r[0] for r in ledger.query("SELECT problem FROM ledger_similar_terms WHERE problem LIKE 'XC2025-1-%'")]
    assert "XC2025-1-1 XC2025-1-2 XC2025-1-3" in listed  # 违规, 规发, 发放
    ledger("replay")
    ledger("correct", "XC2025-1-2", "--field", "title", "--value", "意识形态阵地管理薄弱", "--reason", "录入错误")
    ledger("replay")
    listed = [r[0] for r in ledger.query("SELECT problem FROM ledger_similar_terms WHERE problem LIKE 'XC2025-1-%'")]
    assert "XC2025-1-1 XC2025-1-3" in listed and "XC2025-1-1 XC2025-1-2 XC2025-1-3" not in listed
    assert "XC2025-1-2" not in [r["id"] for r in ledger.json("similar", "--text", "违规发放加班补贴")]
    assert ledger.json("similar", "--text", "意识形态阵地管理薄弱")[0]["id"] == "XC2025-1-2"
    # one problem taken out of a row that lists others: named
    ledger.execute("UPDATE ledger_similar_terms SET problem = 'XC2025-1-1' WHERE problem = 'XC2025-1-1 XC2025-1-3'")
    result = ledger("replay", expect=None)
    assert result.exit_code != 0 and "is missing XC2025-1-3" in result.stderr, result.stderr


def test_a_row_of_postings_lists_at_most_per_row_problems(two_rounds, tmp_path, monkeypatch):
    """A rebuild indexes every problem at once: its rows are cut at PER_ROW problems (a correction rewrites small rows)."""
    from projections import similarity

    ledger = two_rounds
    monkeypatch.setattr(similarity, "PER_ROW", 2)
    _problem(ledger, "XC2024-1", "违规发放津贴补贴", "2024-03-10")
    ledger.execute("DELETE FROM ledger_similar_docs", "DELETE FROM ledger_similar_terms", "DELETE FROM ledger_similar_df")
    assert "similarity index built over 6 problems" in ledger.out("init")
    widest = max(len(r[0].split(" ")) for r in ledger.query("SELECT problem FROM ledger_similar_terms"))
    assert widest == 2
    ledger("replay")
    assert sorted(r["id"] for r in ledger.json("similar", "--text", "违规发放津贴补贴") if r["score"] == 1.0) == ["XC2021-1-1", "XC2024-1-1"]


def test_init_builds_the_index_of_a_store_made_before_it(two_rounds):
    ledger = two_rounds
    ledger.execute("DELETE FROM ledger_similar_docs", "DELETE FROM ledger_similar_terms", "DELETE FROM ledger_similar_df")
    assert "similarity index built over 5 problems" in ledger.out("init")
    ledger("replay")
    assert ledger.json("similar", "--text", "违规发放津贴补贴")[0]["score"] == 1.0


def test_init_rebuilds_the_index_a_batch_of_problems_at_a_time(two_rounds, monkeypatch):
    """The rebuild reads the register in batches (memory bounded by the batch): the index it leaves is the one
    the writes made, checked by replay, with the same frequencies and the same answers."""
    from projections import similarity

    ledger = two_rounds
    ledger("link", "XC2022-1-1", "XC2021-1-1", "--as", "same-kind")
    before_df = ledger.query("SELECT term, df FROM ledger_similar_df ORDER BY term")
    before_links = ledger.query("SELECT new, old, link FROM ledger_problem_links ORDER BY new, old")
    before = ledger.json("similar", "--text", "违规发放津贴补贴")
    monkeypatch.setattr(similarity, "REBUILD_BATCH", 2)
    ledger.execute("DELETE FROM ledger_similar_docs", "DELETE FROM ledger_similar_terms", "DELETE FROM ledger_similar_df",
                   "DELETE FROM ledger_problem_links")
    assert "similarity index built over 5 problems" in ledger.out("init")
    assert ledger.query("SELECT term, df FROM ledger_similar_df ORDER BY term") == before_df
    assert ledger.query("SELECT new, old, link FROM ledger_problem_links ORDER BY new, old") == before_links
    assert ledger.json("similar", "--text", "违规发放津贴补贴") == before
    ledger("replay")


def test_the_installed_executable_warns_in_chinese(two_rounds):
    ledger = two_rounds
    env = {**ledger.env, "LEDGER_LANG": "zh"}
    done = run_executable("add-problem", "--inspection", "XC2024-1", "--category", "c", "--title", "违规发放津贴补贴", "--at", "2024-03-10",
                          cwd=ledger.folder, env=env)
    assert done.returncode == 0 and done.stdout.strip() == "XC2024-1-1"
    assert "可能是县财政局党组以前的问题再次出现（屡查屡犯）：XC2021-1-1" in done.stderr


# -- the scoring rules ---------------------------------------------------------------

TEXT = st.text(alphabet=st.sampled_from(list("违规发放津贴补贴公车私用不到位落实问题的关于三会一课，、 ab1")), max_size=30)


def _score(a: str, b: str) -> float:
    from projections.similarity import Matching, normalise, score, terms

    matching = Matching()
    ta, tb = terms(matching.canonical(normalise(a))), terms(matching.canonical(normalise(b)))
    return score(ta, tb, lambda t: matching.weight(t, hash(t) % 7, 10))[0]


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT)
def test_scores_are_from_0_to_1_and_symmetric(a, b):
    value = _score(a, b)
    assert 0.0 <= value <= 1.0
    assert value == pytest.approx(_score(b, a))


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_the_same_text_scores_1(a):
    from projections.similarity import normalise, terms

    assert _score(a, a) == (pytest.approx(1.0) if terms(normalise(a)) else 0.0)


# -- the unit across rounds ------------------------------------------------------------


def test_profile_shows_the_unit_across_rounds(two_rounds, monkeypatch):
    ledger = two_rounds
    close_problem(ledger, "XC2021-1-1", done_at="2021-05-01", verify_at="2021-05-05", close_at="2021-05-10")
    new, _ = _problem(ledger, "XC2024-1", "以各种名义违规发放补贴津贴", "2024-03-10")
    ledger("link", new, "XC2021-1-1", "--as", "recurrence")
    found = ledger.json("profile", "县财政局党组")
    assert [i["inspection"] for i in found["inspections"]] == ["XC2021-1", "XC2024-1"]
    first, second = found["inspections"]
    assert (first["problems"], first["completed"], first["open"], first["relapsed"], first["found_again"]) == (3, 1, 2, 1, 1)
    assert (second["problems"], second["recurrences"], second["round"]) == (1, 1, "第三轮")
    assert found["total"]["problems"] == 4 and found["total"]["recurrences"] == 1
    assert found["categories"] == [{"category": "作风建设方面", "XC2021-1": 3, "XC2024-1": 1}]
    assert {(k["problem"], k["linked"], k["direction"]) for k in found["links"]} == {(new, "XC2021-1-1", "earlier"), ("XC2021-1-1", new, "later")}
    table = ledger.out("profile", "县财政局党组")
    assert "XC2021-1" in table and "XC2024-1" in table and "found again" in table
    assert "no inspection of '县公安局党组'" in ledger("profile", "县公安局党组", expect=2).stderr
    # the web page says the same
    from test_web import client_for, get_json

    client = client_for(ledger, monkeypatch)
    from urllib.parse import quote

    assert get_json(client, f"/units/{quote('县财政局党组')}") == found
    page = client.get(f"/units/{quote('县财政局党组')}").text
    assert "屡查屡犯" in page and new in page
    assert client.get(f"/units/{quote('县公安局党组')}").status_code == 404
    assert "屡查屡犯" in client.get(f"/problems/{new}").text


def test_a_link_reads_the_same_relapse_fact_from_both_its_sides(two_rounds, monkeypatch):
    """Review of issue 30, finding 14: `show NEW` read 计为反弹 否 for the link whose other side, `show OLD`, read 是.
    A confirmed recurrence of a signed-off problem is a relapse of the OLD problem: both sides say so (show, profile,
    the web page); a recurrence of an open problem is no relapse on either side."""
    import re

    from test_web import client_for

    ledger = two_rounds
    close_problem(ledger, "XC2021-1-1", done_at="2021-05-01", verify_at="2021-05-05", close_at="2021-05-10")
    new, _ = _problem(ledger, "XC2024-1", "以各种名义违规发放补贴津贴", "2024-03-10")
    ledger("link", new, "XC2021-1-1", "--as", "recurrence", "--at", "2024-03-12")
    open_new, _ = _problem(ledger, "XC2024-1", "项目资金拨付审核不严格问题", "2024-03-11")
    ledger("link", open_new, "XC2022-1-1", "--as", "recurrence")  # XC2022-1-1 was never signed off
    for one, other, counted in ((new, "XC2021-1-1", True), (open_new, "XC2022-1-1", False)):
        for lang, yes, no in (("zh", "是", "否"), ("en", "yes", "no")):
            for shown, linked in ((one, other), (other, one)):
                row = next(line for line in ledger.out("--lang", lang, "show", shown).splitlines() if line.startswith(linked + " "))
                assert row.split()[3] == (yes if counted else no), (lang, shown, row)
    for shown, linked in ((new, "XC2021-1-1"), ("XC2021-1-1", new)):  # as of a moment: one problem rebuilt, the other read too
        past = ledger.out("--lang", "en", "show", shown, "--as-at", "2024-12-31").splitlines()
        assert next(line for line in past if line.startswith(linked + " ")).split()[3] == "yes", (shown, past)
    links = {(k["problem"], k["linked"]): k["relapse"] for k in ledger.json("profile", "县财政局党组")["links"]}
    assert links == {(new, "XC2021-1-1"): True, ("XC2021-1-1", new): True, (open_new, "XC2022-1-1"): False}
    client = client_for(ledger, monkeypatch)
    for shown in (new, "XC2021-1-1"):
        table = re.search(r'id="links".*?</table>', client.get(f"/problems/{shown}?lang=en").text, re.S)
        assert table and "<td>yes</td>" in table.group(0), shown
