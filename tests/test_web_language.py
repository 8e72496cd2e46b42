"""The web view in the reader's language (issue 30): every page in English holds no Chinese but the ledger's own
data (names, titles, quoted text) and the published document; in Chinese no English words but codes and data.

The language: ?lang=en|zh (kept in the page's links and forms), else the browser's Accept-Language, else
`ledger serve`'s (--lang, LEDGER_LANG, ledger.yaml's `language:`).
"""

from __future__ import annotations

import html
import json
import re
from urllib.parse import quote, unquote

import pytest

from conftest import configure
from integrity_helpers import edit_state
from test_authority_signoff_sensitive import KEY
from test_web import CODE, _every_page, client_for
from test_withholding import withheld  # noqa: F401  (the fixture)
from web_ledgers import enter_lit_ledger

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# Chinese: CJK ideographs, CJK and full-width punctuation (a colon "：" on an English page is Chinese too).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
ENGLISH = re.compile(r"[A-Za-z]{2,}")


def _without(html: str, *patterns: str) -> str:
    for pattern in patterns:
        html = re.sub(pattern, " ", html, flags=re.S)
    return html


def _chrome(html: str) -> str:
    """The page without what is not the view's own words: the other language's link in the language switch (a
    language is named in itself, marked with its lang), the published document's Markdown source, and
    the checkpoint's own text."""
    return _without(html, r'<(a|strong) [^>]*lang="(?:zh-CN|en)"[^>]*>.*?</\1>', r'<pre class="source">.*?</pre>')


def _data_runs(values: list[str]) -> set[str]:
    """Every run of Chinese in the ledger's data: the CLI's JSON holds no Chinese but data (names, titles, notes)."""
    return {run for text in values for run in CJK.findall(text)}


def _json_texts(client, urls) -> list[str]:
    out = []
    for url in urls:
        if "/reports/" in url and "format=" in url:
            continue  # the published document: its Chinese is the 公文's own words, not data
        answer = client.get(url + ("&" if "?" in url else "?") + "format=json")
        out.append(json.dumps(answer.json(), ensure_ascii=False))
    return out


def _chinese_left(html: str, data: set[str]) -> list[str]:
    return [run for run in CJK.findall(_chrome(html)) if run not in data]


# Words a Chinese page may show in Latin letters: codes (HTTP methods, formats, the hash algorithm's name)
# besides the data's own (IDs, file names, digests). Commands and options are inside <code>.
CODES = {"HTML", "Markdown", "JSON", "markdown", "html", "text", "json", "zh", "en", "GET", "HEAD", "HTTP", "sha256", "sm3", "token", "ID", "CODE"}


def _vocabulary_words() -> set[str]:
    from ledger import vocabulary

    words = set()
    for table in vocabulary.TABLES.values():
        for key, word in table.items():
            words |= set(ENGLISH.findall(str(key))) | set(ENGLISH.findall(word.en))
    return words


def _english_left(html: str, allowed: set[str]) -> list[str]:
    # Codes: commands in <code>, file paths, hex digests and key fingerprints (groups of hex digits), the value
    # to type after a choice's word (已销号（closed）), quoted input (a refusal quotes what it was given) and a query's parameters (?problem=).
    text = _without(_chrome(html), r"<code[^>]*>.*?</code>", r"<[^>]+>", r"&#39;[^&]*&#39;", r"&\w+;", r"(?:/[\w.+-]+){2,}",
                    r"\b[0-9a-f]{2,}\b", r"（[\w-]+）", r"[?&]\w+=")
    return [w for w in ENGLISH.findall(text) if w not in allowed]


def _ascii_data(texts: list[str]) -> set[str]:
    """Latin words inside the data's values (IDs, dates, file names, digests, keys' fingerprints), leaving out
    English sentences the JSON carries (an act's details) and any stored word of the vocabulary."""
    words: set[str] = set()

    def walk(value, key=""):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and key not in ("details", "correction", "result", "signature", "error", "event", "ciphertext",
                                                    "status", "type", "kind", "source", "outcome", "as", "direction"):
            if " " not in value.strip() or CJK.search(value):  # a value, not an English sentence
                words.update(ENGLISH.findall(value))

    for text in texts:
        walk(json.loads(text))
    return words - _vocabulary_words()


@pytest.fixture
def rich(withheld, monkeypatch):
    """The example ledger (measures, verifications, sign-offs, withholdings), with a correction, an encrypted
    field, a link between problems and a signed checkpoint, so every part of every page is shown."""
    ledger, _secrets = withheld
    ledger("correct", "XC2019-1-2", "--field", "title", "--value", "关于“三重一大”制度执行不严的问题", "--reason", "录入错误")
    monkeypatch.setenv("LEDGER_CIPHER_KEY", KEY)
    ledger("confide", "XC2019-1-4", "--field", "whistleblower", "--value", "张举报")
    ledger("keygen")
    ledger("checkpoint")
    ids = [p["id"] for p in ledger.json("status")]
    monkeypatch.setattr("web.app.PAGE_SIZE", 4)  # the problem list in pages, with links both ways
    return ledger, ids


def _pages(client, ids):
    urls = [url for url, _ in _every_page(client, ids, ["XC2019-1"]) if "format=" not in url]
    urls += ["/problems?page=2", "/problems?page=3", f"/problems?status=closed&inspection=XC2019-1", "/due?within=0"]
    return list(dict.fromkeys(urls))


def _error_pages(client):
    """The view's refusals, each a page of its own: (url, method, status)."""
    return [
        ("/problems/XC2019-1-99", "GET", 404), ("/no/such/page", "GET", 404), ("/problems?page=abc", "GET", 400),
        ("/problems?status=gone", "GET", 400), ("/problems?light=purple", "GET", 400), ("/due?within=soon", "GET", 400),
        ("/audit", "GET", 400), ("/reports/XC2019-1?format=pdf", "GET", 400), ("/units/nobody", "GET", 404),
        (f"/units/{quote('县不存在局')}", "GET", 404),
        ("/", "POST", 405), ("/problems?lang=fr", "GET", 400),
    ]


def test_every_page_in_english_holds_no_chinese_but_the_ledgers_data(rich, monkeypatch):
    ledger, ids = rich
    client = client_for(ledger, monkeypatch, lang="en-GB,en;q=0.9")
    urls = _pages(client, ids)
    data = _data_runs(_json_texts(client, urls))
    assert "县委第一巡察组" in "".join(data)  # the demo ledger's names are Chinese: the check strips them, not skips
    seen = 0
    for url in urls:
        page = client.get(url)
        assert page.status_code == 200, url
        assert '<html lang="en">' in page.text, url
        left = _chinese_left(page.text, data)
        assert not left, (url, left)
        seen += 1
    for url, method, status in _error_pages(client):
        page = client.request(method, url)
        assert page.status_code == status, url
        left = _chinese_left(page.text, data | _data_runs([unquote(url)]))  # the address it names
        assert '<html lang="en">' in page.text and not left, (url, left)
    assert seen > 30


def test_every_page_in_chinese_holds_no_english_but_codes_and_data(rich, monkeypatch):
    ledger, ids = rich
    client = client_for(ledger, monkeypatch)  # zh-CN
    urls = _pages(client, ids)
    allowed = CODES | _ascii_data(_json_texts(client, urls))
    assert "closed" not in allowed and "Registered" not in allowed  # a stored word on a Chinese page is a finding
    for url in urls:
        page = client.get(url)
        assert page.status_code == 200 and '<html lang="zh-CN">' in page.text, url
        left = _english_left(page.text, allowed)
        assert not left, (url, left)
    for url, method, status in _error_pages(client):
        page = client.request(method, url)
        assert page.status_code == status and '<html lang="zh-CN">' in page.text, url
        left = _english_left(page.text, allowed | set(ENGLISH.findall(url.split("?")[0])))  # the address it names
        assert not left, (url, left)


def test_the_checks_can_fail(rich, monkeypatch):
    """A Chinese word left in an English page, and an English word in a Chinese one, are found."""
    ledger, ids = rich
    client = client_for(ledger, monkeypatch, lang="en")
    texts = _json_texts(client, _pages(client, ids))
    data = _data_runs(texts)
    page = client.get("/problems").text
    assert _chinese_left(page, data) == []
    assert _chinese_left(page.replace("problems</h1>", "问题清单</h1>"), data) == ["问题清单"]
    assert _chinese_left(page.replace("problems</h1>", "problems：</h1>"), data) == ["："]
    zh = client_for(ledger, monkeypatch).get("/problems").text
    allowed = CODES | _ascii_data(texts)
    assert _english_left(zh, allowed) == []
    assert _english_left(zh.replace("已销号", "closed"), allowed) != []


def test_a_tampered_ledger_reads_in_each_language(ledger, monkeypatch):
    """The verification page's finding, on a ledger changed behind its back (SQLite or PostgreSQL)."""
    enter_lit_ledger(ledger)
    ids = [p["id"] for p in ledger.json("status")]
    before = client_for(ledger, monkeypatch, lang="en").get("/verify").text
    assert "the hash chain verifies" in before
    _tamper(ledger)
    en = client_for(ledger, monkeypatch, lang="en").get("/verify")
    zh = client_for(ledger, monkeypatch, lang="zh").get("/verify")
    assert "signs of tampering found" in en.text and "tampering found" in en.text and not CJK.search(_chrome(_only_verdict(en.text)))
    assert "发现篡改迹象" in zh.text and "发现篡改" in _only_verdict(zh.text) and "tampering" not in zh.text
    assert ids


def _only_verdict(html: str) -> str:
    return html[html.index('id="verdict"'):html.index("</div>", html.index('id="verdict"'))]


def _tamper(ledger) -> None:
    from integrity_helpers import position

    pos = position(ledger)
    (state,) = ledger.query(f"SELECT state FROM stored_events WHERE {pos} = 1")[0]
    state = bytes(state)
    digits = re.search(rb"20\d\d-\d\d-\d\d", state).group(0)
    edit_state(ledger, 1, digits, digits[:-1] + (b"1" if digits[-1:] != b"1" else b"2"))


def test_the_language_is_chosen_by_lang_then_the_browser_then_serve(ledger, monkeypatch):
    enter_lit_ledger(ledger)
    default = client_for(ledger, monkeypatch, lang=None)  # the tests' LEDGER_LANG=en: `ledger serve`'s language
    assert '<html lang="en">' in default.get("/").text
    monkeypatch.delenv("LEDGER_LANG")
    assert '<html lang="zh-CN">' in client_for(ledger, monkeypatch, lang=None).get("/").text  # ledger.yaml says none: zh
    configure(ledger.folder, "language: en\n")
    assert '<html lang="en">' in client_for(ledger, monkeypatch, lang=None).get("/").text
    monkeypatch.setenv("LEDGER_LANG", "zh")
    assert '<html lang="zh-CN">' in client_for(ledger, monkeypatch, lang=None).get("/").text
    browser = client_for(ledger, monkeypatch, lang="fr-FR,fr;q=0.9,en;q=0.8,zh;q=0.7")  # the first it asks for of zh, en
    home = browser.get("/")
    assert '<html lang="en">' in home.text
    assert home.headers["content-language"] == "en" and home.headers["vary"] == "Accept-Language"
    assert '<html lang="zh-CN">' in client_for(ledger, monkeypatch, lang="zh-TW;q=0.9,en;q=0.5").get("/").text
    assert '<html lang="zh-CN">' in client_for(ledger, monkeypatch, lang="en;q=0,zh;q=0.1").get("/").text
    assert '<html lang="zh-CN">' in client_for(ledger, monkeypatch, lang="de").get("/").text  # neither: serve's
    assert '<html lang="zh-CN">' in browser.get("/?lang=zh").text  # ?lang= before the browser
    refused = browser.get("/?lang=fr")
    assert refused.status_code == 400 and "lang: 'fr' is not one of zh, en" in html.unescape(refused.text)
    assert browser.get("/?lang=fr&format=json").json() == {"error": "lang: 'fr' is not one of zh, en"}
    assert "语言：'fr' 不是可选值之一：zh、en" in html.unescape(client_for(ledger, monkeypatch).get("/?lang=fr").text)


def test_lang_is_kept_in_the_pages_links_and_forms(ledger, monkeypatch):
    enter_lit_ledger(ledger)
    client = client_for(ledger, monkeypatch)  # a Chinese browser reading the English pages by ?lang=en
    home = client.get("/?lang=en").text
    links = re.findall(r'href="(/[^"]*)"', home)
    inner = [link for link in links if not link.startswith("/static/") and "lang=zh" not in link]
    assert inner and all("lang=en" in link for link in inner), [link for link in inner if "lang=en" not in link]
    assert 'href="/?lang=zh"' in home  # the other language, the same page
    for link in dict.fromkeys(inner):
        page = client.get(link.replace("&amp;", "&"))
        assert page.status_code == 200 and '<html lang="en">' in page.text, link
    problems = client.get(f"/problems?lang=en&unit={quote('财务股')}").text
    assert '<input type="hidden" name="lang" value="en">' in problems
    assert f'href="/?lang=zh"' not in problems and "unit=%E8%B4%A2%E5%8A%A1%E8%82%A1&amp;lang=zh" in problems
    plain = client.get("/").text  # no ?lang=: the links carry none, the browser's language stays the reader's
    assert not [link for link in re.findall(r'href="(/[^"]*)"', plain) if "lang=" in link and "lang=en" not in link]
    assert 'href="/?lang=en"' in plain and 'href="/problems"' in plain
    assert '<input type="hidden" name="lang"' not in client.get("/problems").text


def test_the_published_report_stays_the_document_in_an_english_page(ledger, monkeypatch):
    enter_lit_ledger(ledger)
    monkeypatch.delenv("LEDGER_LANG")  # `ledger serve` in Chinese: the published report is the Chinese 公文
    client = client_for(ledger, monkeypatch, lang="en")
    page = client.get(f"/reports/{CODE}")
    assert '<html lang="en">' in page.text and "Below is the output of" in page.text
    document = client.get(f"/reports/{CODE}?format=markdown").text
    assert document == ledger("publish", "--inspection", CODE, "--no-sign", "--format", "markdown").stdout
    assert CJK.search(document)  # still the Chinese document, whatever the page around it


def test_the_guards_answer_in_the_readers_language(ledger, monkeypatch):
    """The token's 401 and the read-only 405 come before any page: a page of their own, in the reader's language."""
    enter_lit_ledger(ledger)
    for lang, html_lang, words in (("en", "en", "access token required"), ("zh-CN", "zh-CN", "需要访问令牌")):
        guarded = client_for(ledger, monkeypatch, token="s3cret-token-2026", lang=lang)
        refused = guarded.get("/problems")
        assert refused.status_code == 401 and f'<html lang="{html_lang}">' in refused.text and words in refused.text
        assert (CJK.search(refused.text) is None) == (lang == "en")
        posted = guarded.post("/")
        assert posted.status_code == 405 and f'<html lang="{html_lang}">' in posted.text
        assert (CJK.search(posted.text) is None) == (lang == "en")
    assert "需要访问令牌" in client_for(ledger, monkeypatch, token="s3cret-token-2026", lang="en").get("/?lang=zh").text


def test_withheld_text_reads_in_the_pages_language_and_json_keeps_its_marker(rich, monkeypatch):
    """What is withheld is marked （依规不予公开） in the data (JSON's values, the 公文, the 台账); a page says it in its
    reader's language — the facts, the measures, their evidence and the trail's sentences alike — and so does the
    English sentence of the trail's JSON."""
    ledger, ids = rich
    en = client_for(ledger, monkeypatch, lang="en")
    for url in ("/problems/XC2019-1-3", "/audit?problem=XC2019-1-3", "/problems/XC2019-1-7", "/problems"):
        page = en.get(url).text
        assert "依规不予公开" not in page and "(withheld under the rules)" in page, url
    zh = client_for(ledger, monkeypatch).get("/problems/XC2019-1-3").text
    assert "（依规不予公开）" in zh and "withheld" not in zh
    view = en.get("/problems/XC2019-1-3?format=json").json()
    assert view["title"] == "（依规不予公开）" and view["measures"][0]["text"] == "（依规不予公开）"
    trail = en.get("/audit?problem=XC2019-1-3&format=json").json()
    assert "] (withheld under the rules); type deadline" in trail[0]["details"]  # an English sentence, in English words


def test_an_encrypted_fields_record_reads_in_the_pages_language(rich, monkeypatch):
    """A confided field's record shows no ciphertext, and says so in the page's language ([encrypted] was English
    on the Chinese audit trail); JSON keeps its marker."""
    ledger, ids = rich
    zh = client_for(ledger, monkeypatch).get("/audit?problem=XC2019-1-4").text
    assert "登记敏感内容（已加密）" in zh and "encrypted" not in zh and "密文" not in zh
    en = client_for(ledger, monkeypatch, lang="en").get("/audit?problem=XC2019-1-4").text
    assert "sensitive content recorded, encrypted" in en and "ciphertext=" not in en
    trail = client_for(ledger, monkeypatch).get("/audit?problem=XC2019-1-4&format=json").json()
    assert [r["data"]["ciphertext"] for r in trail if r["event"] == "SensitiveRecorded"] == ["[encrypted]"]


def test_the_problem_lists_pages_keep_language_and_filters(rich, monkeypatch):
    ledger, ids = rich
    client = client_for(ledger, monkeypatch)
    first = html.unescape(client.get("/problems?lang=en&inspection=XC2019-1").text)
    assert "page 1" in first and 'href="/problems?page=2&inspection=XC2019-1&lang=en">next page' in first
    second = html.unescape(client.get("/problems?page=2&inspection=XC2019-1&lang=en").text)
    assert 'href="/problems?page=1&inspection=XC2019-1&lang=en">previous page' in second and "next page" in second
    chinese = html.unescape(client.get("/problems?page=2").text)
    assert "第 2 页" in chinese and 'href="/problems?page=1">上一页' in chinese and 'href="/problems?page=3">下一页' in chinese


def test_a_plural_message_reads_in_each_language():
    """`{% pluralize %}` goes through the catalogue's ngettext: due within 1 day / 3 days (the overview's lights)."""
    from web.app import TEMPLATES

    due = TEMPLATES.env.from_string("{% trans light='red', days=n %}{{ light }} · due within {{ days }} day{% pluralize days %}{{ light }} · due within {{ days }} days{% endtrans %}")
    assert [due.render(lang="en", n=n) for n in (1, 3)] == ["red · due within 1 day", "red · due within 3 days"]
    assert [due.render(lang="zh", n=n) for n in (1, 3)] == ["red · 1天内到期", "red · 3天内到期"]


# What a template may show outside a message: the document's own format names, the language switch's names of
# the languages (each in itself), and punctuation.
TEMPLATE_WORDS = {"HTML", "Markdown", "English", "中文"}


def _words_outside_messages(source: str) -> list[str]:
    """The words a template writes as raw text, outside {% trans %}, _() and every expression: its markup (tags and
    their attributes) taken out, what is left must be no word of either language."""
    from jinja2 import nodes

    from web.app import TEMPLATES

    def texts(node):
        if isinstance(node, nodes.TemplateData):
            yield node.data
        elif isinstance(node, nodes.Expr):
            yield "\x00"  # a value: a message, a word of the vocabulary, data
        else:
            for child in node.iter_child_nodes():
                yield from texts(child)

    raw = "".join(texts(TEMPLATES.env.parse(source)))
    bare = re.sub(r"<[^>]*>", " ", raw)
    return [w for w in re.findall(r"[A-Za-z]+|[\u4e00-\u9fff]+", bare) if w not in TEMPLATE_WORDS]


def test_templates_hold_no_words_outside_messages():
    from web.app import HERE

    found = {path.name: _words_outside_messages(path.read_text(encoding="utf-8")) for path in sorted((HERE / "templates").glob("*.html"))}
    assert len(found) >= 14 and "problem.html" in found
    assert {name: words for name, words in found.items() if words} == {}


def test_the_template_check_can_fail():
    assert _words_outside_messages('<th class="n">{{ _("days left") }}</th><td title="{{ x }}">{{ y }}</td>') == []
    assert _words_outside_messages('<th>days left</th>') == ["days", "left"]
    assert _words_outside_messages('<th title="{{ x }}">剩余天数</th>{% if y %}—{% else %}无{% endif %}') == ["剩余天数", "无"]


def test_the_web_trail_is_headed_as_ledger_audit_heads_it(ledger, monkeypatch):
    """The same columns read the same words: the trail on a page and `ledger audit`'s table, in Chinese."""
    enter_lit_ledger(ledger)
    monkeypatch.setenv("LEDGER_LANG", "zh")
    cli = ledger("audit", "--problem", f"{CODE}-1").stdout.splitlines()[0].split()
    page = client_for(ledger, monkeypatch).get(f"/audit?problem={CODE}-1").text
    table = page[page.index('id="trail"'):page.index("</thead>", page.index('id="trail"'))]
    assert [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table)] == cli
