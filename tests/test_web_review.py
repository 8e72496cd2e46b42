"""The web view against a hostile review's findings (numbers out of range, pages past the last, …)."""

from __future__ import annotations

import pytest

from test_web import client_for
from test_relapse import two_rounds  # noqa: F401 - the fixture
from web_ledgers import enter_lit_ledger

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def lit(ledger, monkeypatch):
    ids = enter_lit_ledger(ledger)
    return ledger, ids, client_for(ledger, monkeypatch)


def test_numbers_out_of_range_are_refused_with_400_as_the_cli_refuses_them(lit):
    """?page=2**63 made SQLite refuse the OFFSET (500) and ?within=3000000 overflowed a date (500): each is a 400
    page in the page's language, and ?within= has `due --within`'s bound (values.MAX_DAYS), in its words."""
    from ledger.values import MAX_DAYS

    ledger, _, client = lit
    refusals = {
        "/problems?page=9223372036854775808": ("页码：", "is too large"),
        "/problems?page=1000001": ("页码：", "is too large"),
        "/problems?page=0": ("页码：", "must be 1 or more"),
        "/problems?page=-3": ("页码：", "must be 1 or more"),
        "/due?within=3000000": ("期限：", f"at most {MAX_DAYS}"),
        f"/due?within={MAX_DAYS + 1}": ("期限：", f"at most {MAX_DAYS}"),
        "/due?within=99999999999999999999999": ("期限：", f"at most {MAX_DAYS}"),
        "/due?within=8000w": ("期限：", f"at most {MAX_DAYS}"),
    }
    for url, (chinese_part, english) in refusals.items():
        page = client.get(url)
        assert page.status_code == 400, (url, page.status_code)
        assert chinese_part in page.text and english not in page.text, (url, page.text[-600:])
        answer = client.get(url + "&format=json")
        assert answer.status_code == 400 and english in answer.json()["error"], url
    assert f"at most {MAX_DAYS}" in ledger("due", "--within", str(MAX_DAYS + 1), expect=2).stderr
    assert client.get(f"/due?within={MAX_DAYS}&format=json").json() == ledger.json("due", "--within", str(MAX_DAYS))
    assert client.get("/due?within=2w&format=json").json() == ledger.json("due", "--within", "2w")


def test_a_page_past_the_last_says_which_is_the_last(lit, monkeypatch):
    """?page=999 said "No problem matches these filters" and linked to page 998, as empty: now 404, naming the
    last page and linking to it."""
    import web.app

    monkeypatch.setattr(web.app, "PAGE_SIZE", 2)
    ledger, ids, client = lit
    last = -(-len(ids) // 2)
    shown = client.get(f"/problems?page={last}")
    assert shown.status_code == 200 and ids[-1] in shown.text
    past = client.get("/problems?page=999&lang=en")
    assert past.status_code == 404
    assert f"There is no page 999: the last page is {last}." in past.text
    assert f'href="/problems?page={last}&amp;lang=en"' in past.text
    assert "page=998" not in past.text and "No problem matches" not in past.text
    assert "没有第 999 页" in client.get("/problems?page=999").text


def test_an_english_sentence_reads_the_english_words_of_stored_values(inspected, monkeypatch):
    """`audit --format json` and the web's ?format=json said "source 巡察", "corrected source: 巡察 → 审计" and a
    withheld title "（依规不予公开）" inside English sentences: they read the English words (the page already did);
    the JSON's data fields keep the stored values, and the Chinese page its Chinese."""
    ident = inspected.out("add-problem", "--inspection", "XC2019-1", "--category", "党的建设方面", "--title", "关于“三会一课”落实不到位的问题",
                          "--source", "巡察", "--at", "2020-01-15")
    inspected("correct", ident, "--field", "source", "--value", "审计", "--reason", "来源登记有误", "--at", "2020-01-16")
    inspected("withhold", ident, "--reason", "privacy", "--field", "title")
    trail = {row["event"]: row for row in inspected.json("--lang", "en", "audit", "--problem", ident)}
    assert "source inspection" in trail["Registered"]["details"] and "巡察" not in trail["Registered"]["details"]
    assert "corrected source: inspection → audit" in trail["Corrected"]["details"]
    assert trail["Registered"]["data"]["source"] == "巡察"  # data keeps what was stored
    client = client_for(inspected, monkeypatch)
    web = {row["event"]: row for row in client.get(f"/audit?problem={ident}&format=json").json()}
    assert "(withheld under the rules)" in web["Registered"]["details"] and "依规不予公开" not in web["Registered"]["details"]
    assert "corrected source: inspection → audit" in web["Corrected"]["details"]
    page = client.get(f"/audit?problem={ident}").text
    assert "（依规不予公开）" in page and "巡察 → 审计" in page


def test_the_verification_page_names_no_server_path_and_says_each_line_once(lit, monkeypatch):
    """/verify showed the key's path on the server, called the latest recorded checkpoint "the block given", and
    printed its checkpoint and signature lines twice (the verdict, then under the table)."""
    import re

    ledger, _, client = lit
    ledger("keygen")
    ledger("checkpoint")
    record = client.get("/verify?format=json").json()
    assert record["verified"] is True
    assert record["checkpoint"]["source"] == "the latest checkpoint recorded in the ledger"
    folder = str(ledger.folder)
    for lang in ("en", "zh"):
        page = client.get(f"/verify?lang={lang}").text
        assert folder not in page and ".pub" not in page and "the block given" not in page, lang
        seen = re.sub(r"<[^>]*>", "\n", page)
        lines = [line.strip() for line in seen.splitlines() if "签名有效" in line or "signature valid" in line]
        assert len(lines) == 1, (lang, lines)
    json_text = client.get("/verify?format=json").text
    assert folder not in json_text and "the block given" not in json_text


def test_the_summary_page_has_the_recurrence_table_summary_prints(two_rounds, monkeypatch):
    """`ledger summary` prints a third table, 屡查屡犯 by unit and round (its JSON's `recurrences`); /summary lacked it."""
    from guard_helpers import close_problem
    from test_relapse import _problem

    ledger = two_rounds
    close_problem(ledger, "XC2021-1-1", done_at="2021-05-01", verify_at="2021-05-05", close_at="2021-05-10")
    new, _ = _problem(ledger, "XC2024-1", "以各种名义违规发放补贴津贴", "2024-03-10")
    ledger("link", new, "XC2021-1-1", "--as", "recurrence", "--note", "2021年反馈问题再次出现", actor="巡察办")
    assert ledger.json("summary")["recurrences"] == [{"organisation": "县财政局党组", "round": "第三轮", "recurrences": 1}]
    cli = ledger.out("--lang", "zh", "summary")
    assert "屡查屡犯（个）" in cli
    page = client_for(ledger, monkeypatch).get("/summary").text
    table = page[page.index('id="recurrences"'):]
    table = table[:table.index("</table>")]
    for cell in ("被巡察单位", "轮次", "屡查屡犯（个）", "县财政局党组", "第三轮", ">1<"):
        assert cell in table, (cell, table)
    english = client_for(ledger, monkeypatch, lang="en").get("/summary").text
    assert "<th>organisation</th><th>round</th>" in english


def test_headings_fit_what_their_columns_hold(lit):
    """/problems headed "2259 days late" 剩余天数 (days left): days left and days late are two columns, headed as
    `due` heads them. /units headed a column per inspection 问题类别（按轮次）, and its links table (which lists
    举一反三 too) as 屡查屡犯、同类问题: now 按巡察, and as `show` heads that table."""
    import re
    from urllib.parse import quote

    from projections.words import heading, section_name

    ledger, _, client = lit
    due = {row["id"]: row for row in ledger.json("due")}
    late = [ident for ident, row in due.items() if row.get("days_late")]
    assert late
    page = client.get("/problems").text
    heads = re.findall(r"<th[^>]*>([^<]*)</th>", page[page.index('id="problems"'):])
    assert heads[-3:] == [heading("days_left", "zh"), heading("days_late", "zh"), heading("measures", "zh")], heads
    row = page[page.index(f'data-id="{late[0]}"'):]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row[:row.index("</tr>")], re.S)
    assert (cells[-3].strip(), cells[-2].strip()) == ("", str(due[late[0]]["days_late"])), cells
    unit = client.get(f"/units/{quote('县财政局党组')}").text
    assert "问题类别（按巡察）" in unit and "按轮次" not in unit
    english = client.get(f"/units/{quote('县财政局党组')}?lang=en").text
    assert "problem categories by inspection" in english
    if 'id="unit-links"' in unit:
        assert section_name("links", "zh") in unit


def test_the_overview_lights_count_the_problems_it_counts(inspected, monkeypatch):
    """The overview said "3 problems, red 4" (and 50 red where `summary` says 48 overdue): a refinement (细化) was
    lit beside its parent but not counted as a problem. Red is now `summary`'s overdue, per inspection and in all."""
    parent = inspected.out("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", "关于“学习不深入”的问题", "--at", "2020-01-15")
    inspected("assign", parent, "--lead", "杨荣", "--unit", "办公室", "--person", "王琎", "--deadline", "2020-03-31", "--at", "2020-01-16")
    child = inspected.out("add-problem", "--parent", parent, "--title", "关于“学习笔记缺失”的问题", "--at", "2020-01-16")
    inspected("assign", child, "--lead", "杨荣", "--unit", "办公室", "--person", "王琎", "--deadline", "2020-03-31", "--at", "2020-01-17")
    overdue = {p["id"] for p in inspected.json("status", "--overdue")}
    assert {parent, child} <= overdue  # both are late, each on its own page
    data = client_for(inspected, monkeypatch).get("/?format=json").json()
    [row] = data["inspections"]
    summary = inspected.json("summary", "--inspection", "XC2019-1")["total"]
    assert (row["problems"], row["red"]) == (summary["problems"], summary["overdue"]) == (1, 1)
    assert data["total"]["red"] == inspected.json("summary")["total"]["overdue"]
