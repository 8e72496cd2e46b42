"""The read-only web view in-process (Starlette's TestClient), on SQLite and PostgreSQL.

Each page's `?format=json` must be exactly the matching CLI command's JSON; the
lights must be the ones `due` implies; nothing but GET and HEAD is answered;
the store is opened read-only; withheld and sensitive text reaches no page.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from urllib.parse import quote

import pytest

from conftest import REPO, configure
from web_ledgers import EXPECTED_LIGHTS, LIT, enter_lit_ledger

CODE = "XC2026-1"

# Starlette's TestClient still runs on httpx, and says so.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def client_for(ledger, monkeypatch, token=None, lang="zh-CN,zh;q=0.9"):
    """A client of the view over `ledger`, whose browser asks for `lang` (Accept-Language; None: asks for none,
    so the page is in `ledger serve`'s language, LEDGER_LANG=en in the tests)."""
    import warnings

    with warnings.catch_warnings():  # Starlette's TestClient still runs on httpx, and says so
        warnings.simplefilter("ignore", DeprecationWarning)
        from starlette.testclient import TestClient

    from composition import web_app
    from ledger.config import load_config

    if ledger.store:
        monkeypatch.setenv("LEDGER_STORE", ledger.store)
    return TestClient(web_app(load_config(ledger.folder / "ledger.yaml"), token=token), headers={"Accept-Language": lang} if lang else {})


def get_json(client, url):
    response = client.get(url + ("&" if "?" in url else "?") + "format=json")
    assert response.status_code == 200, (url, response.text)
    return response.json()


@pytest.fixture
def lit(ledger, monkeypatch):
    ids = enter_lit_ledger(ledger)
    ledger("keygen")
    ledger("checkpoint")
    return ledger, ids, client_for(ledger, monkeypatch)


def test_every_page_json_is_the_cli_json(lit):
    ledger, ids, client = lit
    assert get_json(client, "/problems") == ledger.json("status")
    filters = [("inspection", CODE), ("category", "选人用人方面"), ("unit", "财务股"), ("status", "closed"), ("light", "red"),
               ("light", "yellow"), ("light", "green"), ("light", "none")]
    for name, value in filters:
        assert get_json(client, f"/problems?{name}={quote(value)}") == ledger.json("status", f"--{name}", value), name
    both = get_json(client, f"/problems?unit={quote('人事股')}&light=green")
    assert [p["id"] for p in both] == [ids[3], ids[4]]
    for ident in ids:
        assert get_json(client, f"/problems/{ident}") == ledger.json("show", ident)
        assert get_json(client, f"/audit?problem={ident}") == ledger.json("audit", "--problem", ident)
    assert get_json(client, f"/audit?inspection={CODE}") == ledger.json("audit", "--inspection", CODE)
    assert get_json(client, "/due") == ledger.json("due")
    assert get_json(client, "/due?within=20") == ledger.json("due", "--within", "20")
    assert get_json(client, f"/due?unit={quote('财务股')}&within=30") == ledger.json("due", "--unit", "财务股", "--within", "30")
    assert get_json(client, "/summary") == ledger.json("summary")
    assert get_json(client, f"/summary?inspection={CODE}") == ledger.json("summary", "--inspection", CODE)
    for fmt in ("markdown", "html", "text"):
        page = client.get(f"/reports/{CODE}?format={fmt}")
        assert page.status_code == 200
        assert page.text == ledger("publish", "--inspection", CODE, "--no-sign", "--format", fmt).stdout
    checkpoint = get_json(client, "/verify")
    block = client.get("/verify").text
    assert "BEGIN LEDGER CHECKPOINT" in block
    latest = ledger.query("SELECT COUNT(*) FROM stored_events")[0][0]
    cli = ledger.json("audit", "--verify", "--checkpoint", _block_of(block))
    assert cli["checkpoint"]["sequence"] == latest - 1
    for cp in (cli["checkpoint"], *cli["checkpoints"]):  # the page names the checkpoint and key in words, not a path
        cp["source"] = "the latest checkpoint recorded in the ledger"
        cp["signature"] = re.sub(r" \([^()]*\.pub\)$", " (the ledger's public key)", cp["signature"])
    assert checkpoint == cli


def _block_of(page: str) -> str:
    import html

    start = page.index("-----BEGIN LEDGER CHECKPOINT-----")
    end = page.index("-----END LEDGER CHECKPOINT-----") + len("-----END LEDGER CHECKPOINT-----")
    return html.unescape(page[start:end])


def test_lights_match_due_and_the_overview_counts_them(lit):
    ledger, ids, client = lit
    views = get_json(client, "/problems")
    pages = {light: [p["id"] for p in get_json(client, f"/problems?light={light}")] for light in ("red", "yellow", "green", "none")}
    expected = {light: [i for i, e in zip(ids, EXPECTED_LIGHTS) if (e or "none") == light] for light in pages}
    assert pages == expected
    assert sorted(sum(pages.values(), [])) == sorted(v["id"] for v in views)
    # `due --within green_days` lists exactly the lit problems, each with the same light.
    due = [r for r in ledger.json("due", "--within", "20") if r["due"] == "deadline"]
    assert {r["id"]: r["light"] for r in due} == {i: e for i, e in zip(ids, EXPECTED_LIGHTS) if e}
    assert all(r["overdue"] == (r["light"] == "red") for r in due)
    overview = get_json(client, "/")
    [row] = overview["inspections"]
    assert {k: row[k] for k in ("red", "yellow", "green")} == {k: len(pages[k]) for k in ("red", "yellow", "green")}
    assert overview["total"]["red"] == 1 and overview["lights"] == {"green_days": 20, "yellow_days": 10}
    html = client.get("/problems").text
    for ident, light in zip(ids, EXPECTED_LIGHTS):
        assert f'data-id="{ident}" data-light="{light or "none"}"' in html


def test_lights_thresholds_come_from_ledger_yaml(lit, monkeypatch):
    ledger, ids, _ = lit
    configure(ledger.folder, "lights:\n  green_days: 5\n  yellow_days: 3\n")
    client = client_for(ledger, monkeypatch)
    assert [p["id"] for p in get_json(client, "/problems?light=green")] == [ids[1]]
    assert get_json(client, "/problems?light=yellow") == []
    assert {r["id"]: r["light"] for r in ledger.json("due", "--within", "30") if r["due"] == "deadline"}[ids[1]] == "green"
    configure(ledger.folder, "lights:\n  green_days: 5\n  yellow_days: 9\n")
    result = ledger("due", expect=2)
    assert "lights.yellow_days" in result.stderr


def test_overview_matches_summary_per_inspection(lit):
    ledger, ids, client = lit
    ledger("add-inspection", "XC2026-2", "--name", "县委第三巡察组对县教育局党组的巡察", "--organisation", "县教育局党组",
           "--group", "县委第三巡察组", "--kind", "special", "--start", "2025-01-02", "--end", "2025-02-01")
    overview = get_json(client, "/")
    assert [r["code"] for r in overview["inspections"]] == [CODE, "XC2026-2"]
    for row in overview["inspections"]:
        total = ledger.json("summary", "--inspection", row["code"])["total"]
        assert {k: row[k] for k in ("problems", "completed", "ongoing", "extended", "open", "rate")} == {k: total[k] for k in ("problems", "completed", "ongoing", "extended", "open", "rate")}
    assert overview["total"]["problems"] == len(LIT) and overview["total"]["completed"] == 1


PAGES = ["/", "/problems", f"/problems/{CODE}-1", f"/audit?problem={CODE}-1", "/due", "/summary", "/reports",
         f"/reports/{CODE}", "/verify", "/static/style.css", "/no-such-page"]


def test_only_get_and_head_are_answered(lit):
    ledger, ids, client = lit
    before = ledger.query("SELECT COUNT(*) FROM stored_events")[0][0]
    for path in PAGES:
        for method in ("POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND"):
            response = client.request(method, path)
            assert response.status_code == 405, (method, path, response.status_code)
            assert response.headers["allow"] == "GET, HEAD"
        if path != "/no-such-page":
            assert client.head(path).status_code == 200, path
    assert ledger.query("SELECT COUNT(*) FROM stored_events")[0][0] == before


def test_the_view_opens_the_store_read_only(lit):
    ledger, ids, client = lit
    recorder = client.app.app.state.view.ledger.recorder if hasattr(client.app, "app") else None
    if recorder is None:  # behind the token guard
        pytest.fail("the application is not reachable")
    before = ledger.query("SELECT COUNT(*) FROM ledger_problems")[0][0]
    with pytest.raises(Exception) as caught:
        with recorder.reading() as c:
            c.execute("DELETE FROM ledger_problems")
    assert "read" in str(caught.value).lower()  # sqlite: readonly database; postgresql: read-only transaction
    assert ledger.query("SELECT COUNT(*) FROM ledger_problems")[0][0] == before


def test_html_pages_are_chinese_and_link_from_the_overview(lit):
    ledger, ids, client = lit
    home = client.get("/")
    assert home.status_code == 200 and '<html lang="zh-CN">' in home.text
    for link in ("/problems", "/due", "/summary", "/reports", "/verify"):
        assert f'href="{link}"' in home.text
    expected = {"/": "整改总览", "/problems": "问题清单", f"/problems/{CODE}-1": "完整记录", "/due": "督办清单",
                "/summary": "整改情况统计", "/reports": "整改情况公布", f"/reports/{CODE}": "整改情况公布", "/verify": "哈希链验证通过",
                f"/audit?inspection={CODE}": "审计记录"}
    for path, text in expected.items():
        page = client.get(path)
        assert page.status_code == 200 and text in page.text, path
        assert "http://" not in page.text.replace("http://www.w3.org", "") and "https://" not in page.text, path
    assert client.get("/problems/XC2026-1-99").status_code == 404
    assert "unknown problem" in client.get("/problems/XC2026-1-99?format=json").json()["error"]
    assert client.get("/problems?status=dismissed").status_code == 400


def test_correction_is_shown_beside_what_it_corrects(lit):
    ledger, ids, client = lit
    ledger("correct", ids[0], "--field", "title", "--value", "关于“学习教育流于形式”的问题", "--reason", "录入错误")
    page = client.get(f"/problems/{ids[0]}").text
    assert "学习流于形式" in page and "学习教育流于形式" in page and "录入错误" in page
    trail = get_json(client, f"/audit?problem={ids[0]}")
    registered = next(r for r in trail if r["event"] == "Registered")
    corrected = next(r for r in trail if r["event"] == "Corrected")
    assert corrected["correction"] == f"corrects #{registered['seq']}"
    assert registered["correction"] == f"corrected by #{corrected['seq']} (title)"
    assert f'id="event-{corrected["seq"]}" class="correction"' in page


def test_token_is_required_when_given(lit, monkeypatch):
    ledger, ids, _ = lit
    client = client_for(ledger, monkeypatch, token="s3cret-token-2026")
    assert client.get("/").status_code == 401
    assert client.get("/?format=json").status_code == 401
    assert client.get("/", headers={"X-Ledger-Token": "wrong-token"}).status_code == 401
    assert client.get("/", headers={"Authorization": "Bearer s3cret-token-2026".encode("utf-8").decode("latin-1")}).status_code == 200
    assert client.post("/", headers={"X-Ledger-Token": "wrong"}).status_code == 405
    landing = client.get(f"/problems?unit={quote('财务股')}&token={quote('s3cret-token-2026')}", follow_redirects=False)
    assert landing.status_code == 303 and "token" not in landing.headers["location"]
    assert "httponly" in landing.headers["set-cookie"].lower() and "samesite=strict" in landing.headers["set-cookie"].lower()
    assert client.get(landing.headers["location"]).status_code == 200  # the cookie now carries it
    assert client.get(f"/?token=nope", follow_redirects=False).status_code == 200  # cookie still set from before
    client.cookies.clear()
    assert client.get(f"/?token=nope", follow_redirects=False).status_code == 401


def test_serve_refuses_other_hosts_without_a_token(ledger, tmp_path):
    result = ledger("serve", "--host", "0.0.0.0", expect=2)
    assert "not a loopback address" in result.stderr and "--token" in result.stderr and result.stderr.count("\n") == 1
    assert "at least 8" in ledger("serve", "--host", "0.0.0.0", "--token", "short", expect=2).stderr
    assert "printable ASCII" in ledger("serve", "--host", "0.0.0.0", "--token", "令牌令牌令牌令牌", expect=2).stderr
    empty = tmp_path / "empty-token"
    empty.write_text("\n", encoding="utf-8")
    assert "holds no token" in ledger("serve", "--host", "0.0.0.0", "--token-file", empty, expect=2).stderr
    assert "not both" in ledger("serve", "--token", "abcdefgh1", "--token-file", empty, expect=2).stderr


def test_cli_start_up_does_not_import_the_web_stack():
    code = "import sys, commands.cli; print(sorted({m.split('.')[0] for m in sys.modules} & {'starlette', 'jinja2', 'uvicorn', 'web', 'httpx'}))"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# -- withheld and sensitive text ------------------------------------------------------

from test_withholding import _assert_hidden, withheld  # noqa: E402,F401  (the fixture)
from test_authority_signoff_sensitive import KEY  # noqa: E402

CORRECTED_SECRET = "关于“举报线索核查不及时”的问题"


def _every_page(client, problem_ids, codes):
    urls = ["/", "/problems", "/due?within=55000", "/summary", "/reports", "/verify"]
    for light in ("red", "yellow", "green", "none"):
        urls.append(f"/problems?light={light}")
    for ident in problem_ids:
        urls += [f"/problems/{ident}", f"/audit?problem={ident}"]
    for code in codes:
        urls += [f"/problems?inspection={code}", f"/audit?inspection={code}", f"/summary?inspection={code}",
                 f"/reports/{code}", f"/reports/{code}?format=markdown", f"/reports/{code}?format=html", f"/reports/{code}?format=text"]
    from urllib.parse import quote

    for inspection in client.get("/?format=json").json()["inspections"]:
        urls.append(f"/units/{quote(inspection['organisation'])}")  # the unit across rounds (issue 26)
    for url in dict.fromkeys(urls):
        for suffix in ("", "&format=json" if "?" in url else "?format=json"):
            if "/reports/" in url and "format=" in url and suffix:
                continue
            response = client.get(url + suffix)
            assert response.status_code == 200, (url + suffix, response.text[:300])
            yield url + suffix, response.text


def test_withheld_and_sensitive_text_appear_on_no_page(withheld, monkeypatch):
    ledger, secrets = withheld
    ledger("correct", "XC2019-1-3", "--field", "title", "--value", CORRECTED_SECRET, "--reason", "补充")
    monkeypatch.setenv("LEDGER_CIPHER_KEY", KEY)
    ledger("confide", "XC2019-1-4", "--field", "whistleblower", "--value", "张举报")
    ciphertext = next(r for r in ledger.json("audit", "--problem", "XC2019-1-4") if r["event"] == "SensitiveRecorded")["data"]["ciphertext"]
    client = client_for(ledger, monkeypatch)
    ids = [p["id"] for p in ledger.json("status")]
    pages = 0
    for url, text in _every_page(client, ids, ["XC2019-1"]):
        pages += 1
        _assert_hidden(text, [*secrets, CORRECTED_SECRET], url)
        assert "张举报" not in text and ciphertext not in text, url
    assert pages > 40
    # Counted everywhere all the same, and the rest is shown as the CLI shows it.
    assert get_json(client, "/summary") == ledger.json("summary")
    shown = {p["id"]: p for p in get_json(client, "/problems")}
    for cli_view in ledger.json("status"):
        if not cli_view["withheld"]:
            assert shown[cli_view["id"]] == cli_view
    assert shown["XC2019-1-3"]["title"] == "（依规不予公开）" and shown["XC2019-1-3"]["withheld"]
    assert "举报人" in client.get("/problems/XC2019-1-4").text  # the field's name (the vocabulary's word), never its value


def test_served_by_the_installed_executable_with_a_token(lit, tmp_path):
    import os
    import socket
    import time
    import urllib.error
    import urllib.request

    from conftest import ledger_executable

    ledger, ids, _ = lit
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token_file = tmp_path / "token"
    token_file.write_text("file-token-2026\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(ledger.env)
    process = subprocess.Popen([ledger_executable(), "serve", "--port", str(port), "--token-file", str(token_file), "--format", "json"],
                               cwd=ledger.folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        announced = json.loads("".join(iter(process.stdout.readline, "}\n")) + "}")
        assert announced["url"] == f"http://127.0.0.1:{port}/" and announced["token_required"] and announced["read_only"]
        for _ in range(100):
            try:
                urllib.request.urlopen(announced["url"], timeout=2)
            except urllib.error.HTTPError as e:
                assert e.code == 401
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("ledger serve did not answer")
        request = urllib.request.Request(announced["url"] + "?format=json", headers={"Authorization": "Bearer file-token-2026"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert json.loads(response.read())["total"]["problems"] == len(LIT)
        request = urllib.request.Request(announced["url"], method="POST", headers={"Authorization": "Bearer file-token-2026"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == 405
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_overview_groups_inspections_by_round_with_subtotals():
    from projections.overview import COUNTS, by_round

    def row(code, round_, problems, completed):
        return {"code": code, "round": round_, **dict.fromkeys(COUNTS, 0), "problems": problems, "completed": completed, "open": problems - completed}

    rows = [row("A", "第一轮", 10, 9), row("B", "第二轮", 4, 1), row("C", "第一轮", 6, 6), row("D", None, 1, 0)]
    groups = by_round(rows)
    assert [(key, [r["code"] for r in members]) for key, members, _ in groups] == [("第一轮", ["A", "C"]), ("第二轮", ["B"]), (None, ["D"])]
    first = groups[0][2]
    assert (first["problems"], first["completed"], first["open"], first["rate"]) == (16, 15, 1, 93.8)


def test_light_sql_agrees_with_the_light_of_each_view():
    """The SQL filters (status --light, the overview's counts) and projections.deadlines.light agree on every day,
    with or without measures, some or all done (all done: no light, issue 25)."""
    import sqlite3
    from datetime import date, timedelta

    from hypothesis import given, settings, strategies as st

    from ledger.watch import LightPolicy
    from projections.deadlines import light
    from projections.overview import _SQL as OVERVIEW_SQL, sql_params as overview_params
    from projections.status import _light_condition

    statuses = st.sampled_from(["registered", "in_progress", "verified", "closed", "ongoing"])
    measures = st.lists(st.sampled_from(("planned", "done")), max_size=3)
    problem = st.tuples(statuses, st.one_of(st.none(), st.integers(-40, 40)), measures)

    @settings(max_examples=150, deadline=None)
    @given(st.lists(problem, min_size=1, max_size=12), st.integers(0, 25), st.integers(0, 25), st.dates(date(2019, 1, 1), date(2030, 1, 1)))
    def check(problems, a, b, today):
        lights = LightPolicy(green_days=max(a, b), yellow_days=min(a, b))
        con = sqlite3.connect(":memory:")
        con.execute("CREATE TABLE ledger_problems (n INTEGER, inspection TEXT, status TEXT, deadline TEXT, "
                    "measures_done INTEGER, measures_total INTEGER, data TEXT DEFAULT '{}')")
        views = []
        for n, (status, offset, planned) in enumerate(problems):
            deadline = None if offset is None else (today + timedelta(days=offset)).isoformat()
            con.execute("INSERT INTO ledger_problems (n, inspection, status, deadline, measures_done, measures_total) VALUES (?, 'X', ?, ?, ?, ?)",
                        (n, status, deadline, planned.count("done"), len(planned)))
            views.append({"status": status, "deadline": deadline, "measures": [{"status": m} for m in planned]})
        expected = [light(v, today, lights) for v in views]
        for name in ("red", "yellow", "green", "none"):
            condition, params = _light_condition(name, today, lights)
            found = {r[0] for r in con.execute(f"SELECT n FROM ledger_problems WHERE {condition}", params)}
            assert found == {n for n, e in enumerate(expected) if (e or "none") == name}, name
        row = con.execute(OVERVIEW_SQL, overview_params(today, lights)).fetchone()
        assert list(row[6:]) == [expected.count("red"), expected.count("yellow"), expected.count("green")]

    check()


def test_overview_counts_as_summary_does_with_refinements_and_extensions(inspected, monkeypatch):
    """Refinements (细化) are not counted again and an approved extension (延期) is apart from 未完成, as in `summary`."""
    first = inspected.out("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", "关于“学习不深入”的问题", "--at", "2020-01-15")
    second = inspected.out("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", "关于“制度不健全”的问题", "--at", "2020-01-15")
    inspected("add-problem", "--parent", first, "--title", "关于“学习笔记缺失”的问题", "--at", "2020-01-16")
    inspected("assign", second, "--lead", "杨荣", "--unit", "办公室", "--person", "王琎", "--deadline", "2020-03-31", "--at", "2020-01-16")
    inspected("extend", second, "--to", "2020-06-30", "--reason", "涉及跨部门协调", "--at", "2020-03-20", actor="王琎")
    inspected("approve-extension", second, "--at", "2020-03-25", actor="县委巡察办")
    [row] = get_json(client_for(inspected, monkeypatch), "/")["inspections"]
    total = inspected.json("summary", "--inspection", "XC2019-1")["total"]
    keys = ("problems", "completed", "ongoing", "extended", "open", "rate")
    assert {k: row[k] for k in keys} == {k: total[k] for k in keys}
    assert (row["problems"], row["extended"], row["open"]) == (2, 1, 1)


def test_pages_word_the_trail_findings_and_errors_in_chinese_and_json_stays_english(lit):
    """The pages are Chinese: an audit row's sentence and links, the checkpoint's findings and an error;
    ?format=json stays the CLI's JSON, English sentences and all."""
    import re

    ledger, ids, client = lit
    ledger("correct", ids[0], "--field", "title", "--value", "关于“学习教育流于形式”的问题", "--reason", "录入错误")
    for url in (f"/problems/{ids[0]}", f"/audit?problem={ids[0]}"):
        page = client.get(url).text
        trail = page[page.index('id="trail"'):]
        cells = re.findall(r"<td>(.*?)</td>", trail, re.S)
        assert any(c.startswith("登记问题 1〔") for c in cells) and any("更正问题标题：" in c for c in cells), url
        assert "registered problem" not in trail and "corrects #" not in trail and "corrected by" not in trail, url
        assert re.search(r'被 <a href="#event-\d+">#\d+</a>（问题标题）更正', trail), url
    assert get_json(client, f"/audit?problem={ids[0]}")[0]["details"].startswith("registered problem 1 [")
    verify = client.get("/verify").text
    assert "台账保有" in verify and "签名有效" in verify and "holds the history" not in verify and "signature valid" not in verify
    missing = client.get("/problems/XC2026-1-99")
    assert missing.status_code == 404 and "未知的问题编号：XC2026-1-99" in missing.text and "unknown problem" not in missing.text


def test_every_refused_query_reads_in_chinese_on_the_page_and_in_english_in_json(lit):
    """A refusal the web view raises itself is worded from the message catalogue on the page (issue 30 saw
    "page: not a number" on the Chinese page); ?format=json keeps the CLI's English."""
    ledger, ids, client = lit
    refusals = {
        "/problems?page=abc": ("页码：不是数字", "page: not a number"),
        "/problems?status=gone": ("状态：", "is not one of"),
        "/due?within=soon": ("期限：", "is not a number of days"),
        "/audit": ("审计记录页需要 ?problem=编号", "the audit trail page needs"),
        "/reports/XC2019-1?format=pdf": ("不是可选值之一：markdown", "is not one of markdown"),
    }
    for url, (chinese_part, english) in refusals.items():
        page = client.get(url)
        assert page.status_code == 400, url
        assert chinese_part in page.text and english not in page.text, (url, page.text[-600:])
        json_url = url + ("&" if "?" in url else "?") + "format=json"
        if "format=" not in url:
            answer = client.get(json_url)
            assert answer.status_code == 400 and english in answer.json()["error"], json_url


def test_summary_page_heads_every_column_it_prints(inspected, monkeypatch):
    """One heading per cell, in the CLI's order: 申请延期整改 between 基本完成 and 未完成 (it was missing, so the
    counts sat under the wrong headings)."""
    import re

    from projections.summary import HEADERS, KEYS

    second = inspected.out("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", "关于“制度不健全”的问题", "--at", "2020-01-15")
    inspected("assign", second, "--lead", "杨荣", "--unit", "办公室", "--person", "王琎", "--deadline", "2020-03-31", "--at", "2020-01-16")
    inspected("extend", second, "--to", "2020-06-30", "--reason", "涉及跨部门协调", "--at", "2020-03-20", actor="王琎")
    inspected("approve-extension", second, "--at", "2020-03-25", actor="县委巡察办")
    client = client_for(inspected, monkeypatch)
    for url in ("/summary", "/summary?inspection=XC2019-1"):
        page = client.get(url).text
        table = page[page.index('id="summary"'):page.index("</table>", page.index('id="summary"'))]
        headings = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]
        assert headings == [HEADERS["zh"][k] for k in KEYS], url
        rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table[table.index("<tbody>"):], re.S)
        assert rows and all(len(re.findall(r"<td", r)) == len(headings) for r in rows), url
        cells = re.findall(r"<td[^>]*>(.*?)</td>", rows[0], re.S)
        assert cells[headings.index("申请延期整改")] == "1", url


@pytest.mark.parametrize("page", ["/problems", "/due", "/summary", "/audit"])
def test_an_unknown_inspection_is_a_404_on_every_page_in_the_readers_language(lit, page):
    """Review of issue 30, finding 23: /problems?inspection=NOPE answered 200 with an empty list ("no problem
    matches") where /summary?inspection=NOPE answered 404."""
    _, _, client = lit
    for lang, said, not_said in (("zh", "未知的巡察编号：NOPE", "unknown inspection"), ("en", "unknown inspection ID: NOPE", "未知")):
        answer = client.get(f"{page}?inspection=NOPE&lang={lang}")
        assert answer.status_code == 404 and said in answer.text and not_said not in answer.text, (page, lang, answer.status_code)
    as_json = client.get(f"{page}?inspection=NOPE&format=json")
    assert as_json.status_code == 404 and as_json.json() == {"error": "unknown inspection ID: NOPE"}
