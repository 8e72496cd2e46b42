"""The web view speaks the CLI's words (issue 30): every label on a page is the one its command prints for the
same thing, in each language, and the problem page shows what `ledger show` shows (the deadline history, the
整改回头看 rows, escalations, progress), cell for cell.

The CLI side is read from the CLI's real output (CliRunner), never from a list copied here.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

import pytest

from test_web import client_for
from web_ledgers import day, enter_lit_ledger

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

LANGS = ("zh", "en")
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)?")


@pytest.fixture
def worked(ledger, monkeypatch):
    """The lit ledger with a problem through every act `show` has a table for."""
    ids = enter_lit_ledger(ledger)
    red, closed, long_term = ids[0], ids[-1], ids[6]
    ledger("extend", red, "--to", day(30), "--reason", "需经局党组会议研究", "--at", day(-9), actor="办公室负责人")
    ledger("approve-extension", red, "--refuse", "--note", "理由不充分", "--at", day(-8), actor="县委巡察工作领导小组")
    ledger("extend", red, "--to", day(40), "--reason", "补充材料后再次申请", "--at", day(-7), actor="办公室负责人")
    ledger("approve-extension", red, "--note", "同意延期", "--at", day(-6), actor="县委巡察工作领导小组")
    ledger("escalate", red, "--level", "notice", "--note", "按期督办", "--at", day(-5), actor="县委巡察办")
    ledger("progress", long_term, "支部活动已按月开展", "--at", day(-4), actor="党建办负责人")
    ledger("review", closed, "--relapsed", "--note", "回头看发现台账又未更新", "--at", day(-3), actor="县委巡察办")
    ledger("withhold", ids[1], "--field", "description", "--reason", "privacy")
    ledger("correct", ids[2], "--field", "title", "--value", "关于“公务接待超标准超范围”的问题", "--reason", "录入遗漏")
    later = enter_lit_ledger(ledger, "XC2026-2")  # a later inspection: a recurrence of a signed-off problem, a rejected likeness
    ledger("link", later[0], closed, "--as", "recurrence", "--note", "同一问题再次出现")
    ledger("link", later[1], red, "--reject", "--note", "不是同一问题")
    return ledger, ids, client_for(ledger, monkeypatch)


# -- the CLI's output, read as a reader reads it ------------------------------------------


def _columns(line: str, spans: list[tuple[int, int]]) -> list[str]:
    """`line` cut at the display columns of a table's rule (a Chinese character is two columns wide)."""
    from wcwidth import wcwidth

    cells, at = [""] * len(spans), 0
    for ch in line:
        for i, (a, b) in enumerate(spans):
            if at >= a and (at < b or i + 1 == len(spans)) or (i + 1 < len(spans) and b <= at < spans[i + 1][0] and ch != " "):
                cells[i] += ch
                break
        at += max(wcwidth(ch), 1)
    return [c.strip() for c in cells]


def _show(ledger, ident: str, lang: str) -> tuple[list[str], list[tuple[str, list[str], list[list[str]]]]]:
    """`ledger show`'s fact labels, and each sub-table: (title without its colon, headings, rows of cells)."""
    text = ledger("--lang", lang, "show", ident).stdout
    blocks = text.split("\n\n")
    facts = [re.split(r"\s{2,}", line.strip())[0] for line in blocks[0].splitlines() if line and not line[0].isspace()]
    sections = []
    for block in blocks[1:]:
        lines = block.strip("\n").splitlines()
        if len(lines) < 3 or not set(lines[2]) <= {"-", " "}:
            continue  # not a table (the sensitive fields' list)
        spans = [m.span() for m in re.finditer(r"-+", lines[2])]
        cut = lambda line: _columns(line, spans)  # noqa: E731
        rows: list[list[str]] = []
        for line in lines[3:]:
            cells = cut(line)
            if rows and not cells[0] and not line[: spans[0][1]].strip():  # a wrapped row's next line
                rows[-1] = [a + b for a, b in zip(rows[-1], cells)]
            else:
                rows.append(cells)
        sections.append((lines[0].rstrip(":："), cut(lines[1]), rows))
    return facts, sections


def _cli_headings(ledger, lang: str, *args: str) -> list[str]:
    """The headings of a CLI table (its first table), each without spaces (a wrapped heading's lines joined)."""
    lines = ledger("--lang", lang, *args).stdout.splitlines()
    rule = next(i for i, line in enumerate(lines) if line and set(line) <= {"-", " "})
    spans = [m.span() for m in re.finditer(r"-+", lines[rule])]
    heads = [""] * len(spans)
    top = max((i + 1 for i, line in enumerate(lines[:rule]) if not line.strip()), default=0)  # below a title line
    for line in lines[top:rule]:
        for i, piece in enumerate(_columns(line, spans)):
            heads[i] += "".join(piece.split())
    return heads  # squeezed: a heading wrapped at any letter reads whole


# -- the page, read the same way ------------------------------------------------------------


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _table(page: str, ident: str) -> tuple[list[str], list[list[str]]]:
    found = re.search(rf'<table[^>]*id="{ident}"[^>]*>(.*?)</table>', page, re.S)
    assert found, f"no table #{ident}"
    body = found.group(1)
    heads = [_text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", re.search(r"<thead>(.*?)</thead>", body, re.S).group(1), re.S)]
    rows = [[_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in re.findall(r"<tr[^>]*>(.*?)</tr>", re.search(r"<tbody>(.*?)</tbody>", body, re.S).group(1), re.S)]
    return heads, rows


def _facts(page: str) -> list[str]:
    found = re.search(r'<table[^>]*id="facts"[^>]*>(.*?)</table>', page, re.S)
    assert found
    return [_text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", found.group(1), re.S)]


def _sections(page: str) -> dict[str, tuple[list[str], list[list[str]]]]:
    """Each sub-table of the problem page under its <h2> title."""
    out = {}
    for title, ident in re.findall(r'<h2>(.*?)</h2>\s*<table class="grid"[^>]*id="([\w-]+)"', page, re.S):
        out[_text(title)] = _table(page, ident)
    return out


def _squeezed(cells: list[str]) -> list[str]:
    return ["".join(c.split()) for c in cells]


@pytest.mark.parametrize("lang", LANGS)
def test_problem_page_labels_its_facts_as_show_does(worked, lang):
    ledger, ids, client = worked
    for ident in (ids[0], ids[1], ids[-1]):  # extended and escalated; withheld; relapsed in review
        facts, _ = _show(ledger, ident, lang)
        page = client.get(f"/problems/{ident}?lang={lang}").text
        shown = _facts(page)
        assert shown, ident
        assert [f for f in shown if f not in facts] == [], (ident, lang, facts)
    page = client.get(f"/problems/{ids[1]}?lang={lang}").text
    withheld = {"zh": "不予公开", "en": "withheld"}[lang]  # one word, in the CLI's case: not the event's "Withheld"
    assert withheld in _facts(page)
    relapses = {"zh": "反弹", "en": "relapses"}[lang]  # the field's heading, not the summary's count "relapsed"
    assert relapses in _facts(client.get(f"/problems/{ids[-1]}?lang={lang}").text)


@pytest.mark.parametrize("lang", LANGS)
def test_problem_page_shows_every_table_of_show_cell_for_cell(worked, lang):
    ledger, ids, client = worked
    seen = set()
    for ident in [*ids, "XC2026-2-1", "XC2026-2-2"]:
        _, sections = _show(ledger, ident, lang)
        page = _sections(client.get(f"/problems/{ident}?lang={lang}").text)
        for title, heads, rows in sections:
            seen.add(title)
            assert title in page, f"{ident} ({lang}): the web page lacks `show`'s table {title!r}; it has {list(page)}"
            web_heads, web_rows = page[title]
            assert web_heads == heads, (ident, title)
            assert [_squeezed(r) for r in web_rows] == [_squeezed(r) for r in rows], (ident, title)
    expected = {
        "zh": {"延期申请（整改时限变更记录）", "整改回头看", "督办", "进展报告", "整改措施", "核查验收", "对账销号", "更正",
               "关联问题（屡查屡犯、同类问题、举一反三）", "已排除的相似问题"},
        "en": {"extensions (the deadline history)", "reviews (after sign-off)", "escalations", "progress", "measures", "verifications", "sign-offs", "corrections",
               "linked problems (recurrence, same kind, self-check)", "rejected as not alike"},
    }[lang]
    assert expected <= seen, expected - seen  # the ledger went through every one of them


@pytest.mark.parametrize("lang", LANGS)
def test_problem_page_words_the_extension_history_and_review(worked, lang):
    ledger, ids, client = worked
    red, closed = ids[0], ids[-1]
    page = _sections(client.get(f"/problems/{red}?lang={lang}").text)
    extensions = next(rows for title, (heads, rows) in page.items() if title.startswith(("延期申请", "extensions")))
    refused, approved = {"zh": ("未批准", "已批准"), "en": ("refused", "approved")}[lang]
    assert [r[1] for r in extensions] == ["办公室负责人", "办公室负责人"]
    assert refused in extensions[0] and approved in extensions[1] and day(40) in extensions[1]
    review = next(rows for title, (heads, rows) in _sections(client.get(f"/problems/{closed}?lang={lang}").text).items() if title.startswith(("整改回头看", "reviews")))
    assert {"zh": "反弹", "en": "relapsed"}[lang] in review[0]


@pytest.mark.parametrize("lang", LANGS)
def test_problem_page_times_read_as_shows(worked, lang):
    """A time reads on the page as `show` and `audit` print it (one spelling, UTC with Z), never +00:00."""
    ledger, ids, client = worked
    for ident in (ids[0], ids[-1]):
        cli = ledger("--lang", lang, "show", ident).stdout + ledger("--lang", lang, "audit", "--problem", ident, "--all").stdout
        page = client.get(f"/problems/{ident}?lang={lang}").text
        times = set(TIME.findall(_text(page)))
        assert times, ident
        assert times <= set(TIME.findall(cli)), (ident, times - set(TIME.findall(cli)))
        assert "+00:00" not in page


@pytest.mark.parametrize("lang", LANGS)
def test_list_due_summary_and_profile_head_their_columns_as_the_cli(worked, lang):
    from projections.words import heading

    ledger, ids, client = worked
    # problems: `status`'s headings (and the light and days left it counts with, as `due` heads them)
    web = lambda heads: ["".join(h.split()) for h in heads]  # noqa: E731  (compared without spaces)
    status = _cli_headings(ledger, lang, "status", "--all")
    due = _cli_headings(ledger, lang, "due", "--all", "--within", "60")
    heads, _ = _table(client.get(f"/problems?lang={lang}").text, "problems")
    assert [h for h in web(heads) if h not in status + due] == [], (heads, status, due)
    heads, rows = _table(client.get(f"/due?within=60&lang={lang}").text, "due")
    assert [h for h in web(heads) if h not in due] == [], (heads, due)
    # a long-term problem's overdue progress report is `due`'s "progress"
    progress = ledger.json("due", "--all", "--within", "60")
    if any(r["due"] == "progress" for r in progress):
        assert any(heading("progress", lang) in r or {"zh": "进展报告", "en": "progress"}[lang] in r for r in rows)
    # summary: the categories' table and the figures' table
    text = ledger("--lang", lang, "summary").stdout
    figures_line = text.split("\n\n")[1].splitlines()[0]
    heads, _ = _table(client.get(f"/summary?lang={lang}").text, "figures")
    assert heads == re.split(r"\s{2,}", figures_line.strip())
    heads, _ = _table(client.get(f"/summary?lang={lang}").text, "summary")
    assert web(heads) == _cli_headings(ledger, lang, "summary")
    # profile: `profile`'s headings
    cli = _cli_headings(ledger, lang, "profile", "县财政局党组")
    heads, _ = _table(client.get(f"/units/{quote('县财政局党组')}?lang={lang}").text, "profile")
    assert [h for h in web(heads) if h not in cli] == [], (heads, cli)


def test_a_wholly_withheld_problem_shows_no_extension_reason_or_note(worked):
    """The deadline history is on the page now: its free text is withheld with the problem, as every note is."""
    ledger, ids, client = worked
    red = ids[0]
    secrets = ["需经局党组会议研究", "理由不充分", "补充材料后再次申请", "同意延期", "按期督办"]
    assert all(s in ledger("show", red).stdout for s in secrets)  # insiders see it
    ledger("withhold", red, "--reason", "open-case")
    for lang in LANGS:
        for url in (f"/problems/{red}?lang={lang}", f"/problems/{red}?lang={lang}&format=json", f"/audit?problem={red}&lang={lang}"):
            text = client.get(url).text
            assert [s for s in secrets if s in text] == [], url
        assert {"zh": "（依规不予公开）", "en": "(withheld under the rules)"}[lang] in _sections(client.get(f"/problems/{red}?lang={lang}").text)[
            {"zh": "延期申请（整改时限变更记录）", "en": "extensions (the deadline history)"}[lang]][1][0]


@pytest.mark.parametrize("lang", LANGS)
def test_verification_page_says_what_audit_verify_says(worked, lang):
    """The page's verdict is `audit --verify`'s own lines (events, as the CLI counts them), not a sentence of its own."""
    ledger, _, client = worked
    ledger("keygen")
    ledger("checkpoint")
    page = client.get(f"/verify?lang={lang}").text
    block = html.unescape(re.search(r'<pre class="source">(.*?)</pre>', page, re.S).group(1))  # the latest checkpoint, as the page checks it
    (ledger.folder / "latest.checkpoint").write_text(block, encoding="utf-8")
    cli = [line for line in ledger("--lang", lang, "audit", "--verify", "--checkpoint", ledger.folder / "latest.checkpoint").stdout.splitlines() if line.strip()]
    found = re.search(r'<ul class="lines" id="verified">(.*?)</ul>', page, re.S)
    assert found, "the verification page lists no line of audit --verify"
    shown = [_text(li) for li in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)]
    key = {"zh": "本台账的公钥", "en": "the ledger's public key"}[lang]  # the page names no path on the server
    cli = [re.sub(r"([（(])[^（）()]*\.pub([）)])", rf"\g<1>{key}\g<2>", line) for line in cli]
    assert _squeezed(shown) == _squeezed([line.replace("`", "") for line in cli])  # a `command` is <code> on the page
    covers = re.search(r'<table class="facts" id="checkpoint">(.*?)</table>', page, re.S).group(1)
    assert {"zh": "个事件", "en": "event "}[lang] in _text(covers) and "record no" not in covers


@pytest.mark.parametrize("lang", LANGS)
def test_encrypted_fields_read_as_show_lists_them(worked, monkeypatch, lang):
    from test_authority_signoff_sensitive import KEY

    ledger, ids, client = worked
    monkeypatch.setenv("LEDGER_CIPHER_KEY", KEY)
    ledger("confide", ids[3], "--field", "whistleblower", "--value", "张某某")
    blocks = ledger("--lang", lang, "show", ids[3]).stdout.split("\n\n")
    title, *lines = next(b for b in blocks if b.startswith(("敏感内容", "sensitive"))).strip().splitlines()
    page = client.get(f"/problems/{ids[3]}?lang={lang}").text
    assert "张某某" not in page
    found = re.search(r'<h2>((?:(?!</h2>).)*)</h2>\s*<table class="facts" id="sensitive">(.*?)</table>', page, re.S)
    assert found, "no list of the encrypted fields"
    assert _squeezed([_text(found.group(1))]) == _squeezed([title.rstrip(":：").replace("`", "")])  # the command as <code>
    rows = [[_text(c) for c in re.findall(r"<t[hd]>(.*?)</t[hd]>", row)] for row in re.findall(r"<tr>(.*?)</tr>", found.group(2))]
    assert rows == [re.split(r"\s{2,}", line.strip()) for line in lines]


def test_a_wholly_withheld_problems_own_columns_are_withheld_on_the_page(ledger, tmp_path, monkeypatch):
    """The problem page lists a 台账's own columns as `show` does: a wholly withheld problem's are withheld too
    (their values on the page and in its JSON)."""
    import office_ledgers as office
    from test_import_layouts import _audit

    _audit(ledger)
    ledger("import", office.soe_audit_ledger(tmp_path / "审计整改台账.xlsx"), "--inspection", "SJ2023")
    columns = {k: str(v) for k, v in ledger.json("show", "SJ2023-1")["columns"].items() if v not in (None, "")}
    client = client_for(ledger, monkeypatch)
    facts = lambda lang: dict(zip(_facts(client.get(f"/problems/SJ2023-1?lang={lang}").text), re.findall(  # noqa: E731
        r"<td>(.*?)</td>", re.search(r'id="facts"[^>]*>(.*?)</table>', client.get(f"/problems/SJ2023-1?lang={lang}").text, re.S).group(1), re.S)))
    assert {k: _text(facts("zh")[k]) for k in columns} == columns  # the page lists them, as show does
    ledger("withhold", "SJ2023-1", "--reason", "open-case")
    for lang, marker in (("zh", "（依规不予公开）"), ("en", "(withheld under the rules)")):
        assert {_text(facts(lang)[k]) for k in columns} == {marker}
    assert set(client.get("/problems/SJ2023-1?format=json").json()["columns"].values()) == {"（依规不予公开）"}
