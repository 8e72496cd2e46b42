"""One vocabulary (ledger/vocabulary.py): every state, kind and act has a Chinese and an English word, and the
same state reads the same word on every screen — `status`, `show`, `history`, `audit`, `close`'s line, the web
list and problem page, the 台账 and the report — in each language."""

from __future__ import annotations

import inspect
import re
import warnings

import pytest

from ledger import vocabulary

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
INSPECTION = "XC2019-1"

# Words the screens used before one was chosen: none may come back as a status or an event's word.
RETIRED = ("已核查", "交办（责任到人）", "重新整改", "销号签署", "制定措施", "完成措施", "敏感信息（加密）", "计划中")


def _event_names() -> set[str]:
    """The name of every event class of every aggregate of the ledger (as the event log stores it)."""
    from eventsourcing.domain import CanMutateAggregate

    import ledger.checkpoint
    import ledger.domain
    import ledger.identity

    names = set()
    for module in (ledger.domain, ledger.checkpoint, ledger.identity):
        for owner in vars(module).values():
            if not inspect.isclass(owner) or owner.__module__ != module.__name__:
                continue
            for cls in vars(owner).values():
                qualname = getattr(cls, "__qualname__", "")
                if inspect.isclass(cls) and issubclass(cls, CanMutateAggregate) and qualname.startswith(owner.__name__ + "."):
                    names.add(qualname.rsplit(".", 1)[-1])
    return names - {"Event", "Created"}


def test_every_event_kind_has_a_word_and_no_word_names_a_missing_one():
    names = _event_names()
    assert len(names) >= 29, names  # 29 event kinds today: Inspection, Problem, SampleDraw, Checkpoint, Authority
    assert names - set(vocabulary.EVENTS) == set(), "event kinds with no word"
    assert set(vocabulary.EVENTS) - names == set(), "words for event kinds the ledger does not have"


@pytest.mark.parametrize("table", sorted(vocabulary.TABLES))
def test_every_value_has_a_chinese_and_an_english_word(table):
    words = vocabulary.TABLES[table]
    assert words
    for value, word in words.items():
        assert CJK.search(word.zh), (table, value, word)
        assert word.en and not CJK.search(word.en), (table, value, word)
    # one word, one value: two values reading alike could not be told apart
    assert len({w.zh for w in words.values()}) == len(words), table
    assert len({w.en for w in words.values()}) == len(words), table


def test_tables_the_code_keeps_are_the_vocabularys():
    """values.py, authority.py, watch.py and the CLI's tables are the vocabulary's words, not copies of their own."""
    from commands import i18n
    from ledger import authority, values, watch

    assert values.STATUSES == i18n.STATUS_WORDS == vocabulary.zh(vocabulary.STATUSES)
    assert i18n.EVENT_WORDS == vocabulary.zh(vocabulary.EVENTS)
    assert authority.ROLES == vocabulary.zh(vocabulary.ROLES)
    assert watch.ESCALATION_LEVELS == vocabulary.zh(vocabulary.ESCALATION_LEVELS)
    assert values.INSPECTION_KINDS == vocabulary.zh(vocabulary.INSPECTION_KINDS)
    # an inspection's kind and a problem's category are different columns, and read so
    assert i18n.HEADINGS["kind"] == "巡察类型" and i18n.HEADINGS["category"] == "问题类别"


def test_older_words_are_still_accepted_as_input():
    """A file or a command line typed with the words older versions printed still reads."""
    from ledger import values

    assert values.inspection_kind("常规") == "regular" and values.inspection_kind("常规巡察") == "regular"
    assert values.status("已完成整改") == "closed" and values.status("已销号") == "closed"
    assert values.status("已核查") == "verified" and values.status("已验收") == "verified"


# -- the same state, the same word, on every screen ---------------------------------------------------------------


def _states(ledger) -> dict[str, str]:
    """A problem in each status, entered through the CLI: status → its ID."""
    def add(title: str, *extra: str) -> str:
        return ledger.out("add-problem", "--inspection", INSPECTION, "--category", "政治站位方面", "--title", title,
                          "--at", "2020-01-15", *extra)

    def worked(pid: str) -> None:
        ledger("assign", pid, "--lead", "杨荣", "--unit", "办公室", "--person", "王琎", "--deadline", "2030-03-31", "--at", "2020-01-16")
        ledger("plan", pid, "修订学习制度", "--at", "2020-01-17")
        ledger("done", pid, "M1", "--at", "2020-02-01", actor="王琎")
        ledger("verify", pid, "--grade", "good", "--at", "2020-02-05", actor="巡察办")

    ids = {"registered": add("关于“学习不深入”的问题")}
    ids["in_progress"] = add("关于“制度不健全”的问题")
    ledger("assign", ids["in_progress"], "--lead", "杨荣", "--unit", "办公室", "--person", "王琎", "--deadline", "2030-03-31", "--at", "2020-01-16")
    ledger("extend", ids["in_progress"], "--to", "2030-06-30", "--reason", "制度需经党组会审议", "--at", "2020-01-19", actor="王琎")
    ids["verified"] = add("关于“执行不到位”的问题")
    worked(ids["verified"])
    ids["closed"] = add("关于“思想认识不深刻”的问题")
    worked(ids["closed"])
    ids["ongoing"] = add("关于“长效机制不完善”的问题", "--type", "long-term")
    worked(ids["ongoing"])
    # 自查未发现: another unit's problem sent here for self-check (举一反三), answered with evidence
    ledger("correct", INSPECTION, "--field", "round", "--value", "2019年第四轮", "--reason", "补录轮次", "--at", "2020-01-15")
    ledger("add-inspection", "XC2019-2", "--name", "县委第二巡察组巡察县水利局党组", "--organisation", "县水利局党组",
           "--group", "县委第二巡察组", "--kind", "regular", "--start", "2019-10-28", "--end", "2019-11-18",
           "--feedback", "2020-01-14", "--round", "2019年第四轮")
    source = ledger.out("add-problem", "--inspection", "XC2019-2", "--category", "作风方面", "--title", "关于“违规发放津贴补贴”的问题",
                        "--at", "2020-01-15")
    ledger("propagate", source, "--to", "县交通运输局党组", "--deadline", "2030-03-31", "--at", "2020-01-15")
    ids["not_found"] = ledger.json("show", source)["links"][0]["problem"]
    (ledger.folder / "自查记录.txt").write_text("逐笔核对2019年津贴补贴发放凭证，未发现违规发放", encoding="utf-8")
    ledger("not-found", ids["not_found"], "--note", "逐笔核对发放凭证", "--attach", ledger.folder / "自查记录.txt", "--at", "2020-01-20")
    return ids


def _row_cell(markdown: str, pid: str, heading: str) -> str:
    """The cell under `heading` in the row of `pid` of a markdown table."""
    lines = [line for line in markdown.splitlines() if line.startswith("|")]
    headings = [c.strip() for c in lines[0].strip("|").split("|")]
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0] == pid:
            return cells[headings.index(heading)]
    raise AssertionError(f"{pid} not in\n{markdown}")


def _fact(text: str, heading: str) -> str:
    """A fact line of `show`: the text after its heading."""
    for line in text.splitlines():
        if line.startswith(heading + " ") or line.startswith(heading + "\t"):
            return line[len(heading):].strip()
    raise AssertionError(f"no {heading} in\n{text}")


def _web(ledger, monkeypatch):
    with warnings.catch_warnings():  # Starlette's TestClient still runs on httpx, and says so
        warnings.simplefilter("ignore", DeprecationWarning)
        from starlette.testclient import TestClient

    from ledger.config import load_config
    from composition import web_app

    if ledger.store:
        monkeypatch.setenv("LEDGER_STORE", ledger.store)
    # A Chinese reader's browser (the tests' LEDGER_LANG=en would otherwise make the pages English).
    return TestClient(web_app(load_config(ledger.folder / "ledger.yaml")), headers={"Accept-Language": "zh-CN,zh;q=0.9"})


def _html_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.language
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("store_kind", ["sqlite"], indirect=True)
def test_each_status_reads_one_word_on_every_screen(inspected, monkeypatch, tmp_path):
    import openpyxl

    ledger = inspected
    ids = _states(ledger)
    closed_line = ledger("close", ids["closed"], "--at", "2020-02-10", actor="主要负责人").stdout.strip()
    ongoing_line = ledger("--lang", "en", "close", ids["ongoing"], "--at", "2020-02-10", actor="主要负责人").stdout.strip()
    assert {v: ledger.json("show", pid)["status"] for v, pid in ids.items()} == {v: v for v in ids}

    for lang in ("zh", "en"):
        argv = ("--lang", lang)
        words = {state: vocabulary.STATUSES[state].of(lang) for state in ids}
        others = set(vocabulary.zh(vocabulary.STATUSES).values()) | set(RETIRED) if lang == "zh" else set()
        status = ledger.out(*argv, "status", "--format", "markdown")
        heading = "状态" if lang == "zh" else "status"
        for state, pid in ids.items():
            assert _row_cell(status, pid, heading) == words[state], ("status", lang, state)
            show = ledger.out(*argv, "show", pid)
            assert _fact(show, heading) == words[state], ("show", lang, state, show)
            if lang == "en":
                assert not CJK.search(_fact(show, "type") + _fact(show, "status")), show
        # the sign-off: its event's word in history and audit, and the status it gave in audit's sentence
        for state in ("closed", "ongoing"):
            pid = ids[state]
            event = vocabulary.EVENTS["SignedOff"].of(lang)
            history = ledger.out(*argv, "history", pid, "--format", "markdown")
            assert event in [c.strip() for c in history.splitlines()[-1].strip("|").split("|")], ("history", lang, history)
            audit = ledger.out(*argv, "audit", "--problem", pid, "--format", "markdown")
            signed = audit.splitlines()[-1]
            assert event in signed, ("audit", lang, signed)
            if lang == "zh":
                assert f"{event}（批准）：{words[state]}" in signed, signed
                assert not any(w in signed for w in others - {words[state], event}), signed
            for retired in RETIRED:
                assert retired not in history + audit
    # close's own line says the status word, in Chinese by default, and in English with --lang en
    assert closed_line.endswith(f"（状态：{vocabulary.STATUSES['closed'].zh}）"), closed_line
    assert vocabulary.EVENTS["SignedOff"].zh in closed_line and not any(w in closed_line for w in RETIRED + ("已完成整改",)), closed_line
    assert ongoing_line.endswith("(status: ongoing)") and not CJK.search(ongoing_line), ongoing_line

    # the web list and the problem page (Chinese pages): the same words as `ledger status`
    client = _web(ledger, monkeypatch)
    page = client.get("/problems").text
    for state, pid in ids.items():
        row = re.search(rf'<tr[^>]*>(?:(?!</tr>).)*?{re.escape(pid)}(?:(?!</tr>).)*</tr>', page, re.S)
        assert row, pid
        cells = re.findall(r'<span class="status status-(\w+)">([^<]*)</span>', row[0])
        assert cells == [(state, vocabulary.STATUSES[state].zh)], (state, cells)
        problem_page = client.get(f"/problems/{pid}").text
        facts = _html_text(problem_page[problem_page.index('id="facts"'):problem_page.index("</table>")])
        assert f"状态 {vocabulary.STATUSES[state].zh}" in facts, (state, facts)
        assert not any(w in problem_page for w in RETIRED), state
    trail = _html_text(client.get(f"/problems/{ids['ongoing']}").text)
    for event in ("Assigned", "MeasurePlanned", "MeasureCompleted", "VerificationRecorded", "SignedOff"):
        assert vocabulary.EVENTS[event].zh in trail, event
    assert f"{vocabulary.EVENTS['SignedOff'].zh}（批准）：{vocabulary.STATUSES['ongoing'].zh}" in trail
    # every event on the audit page reads its word (ExtensionRequested showed raw on this Chinese page)
    audit_page = client.get(f"/audit?inspection={INSPECTION}").text
    events = re.findall(r'<td class="who" title="(\w+)">([^<]*)</td>', audit_page)
    assert {name for name, _ in events} >= {"Registered", "Assigned", "ExtensionRequested", "SignedOff"}, events
    assert all(shown == vocabulary.EVENTS[name].zh for name, shown in events), events
    options = dict(re.findall(r'<option value="(\w+)"[^>]*>([^<]+)</option>', page[page.index('name="status"'):]))
    assert {k: options[k] for k in ids} == vocabulary.zh(vocabulary.STATUSES)

    # the 台账: 销号情况 is the problem's status word, signed off or not (未销号 and 已验收，待销号 were other words)
    xlsx = tmp_path / "台账.xlsx"
    ledger("sheet", "--inspection", INSPECTION, "--out", xlsx)
    sheet = openpyxl.load_workbook(xlsx).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    top = next(i for i, r in enumerate(rows) if "销号情况" in r)
    column, title_column = rows[top].index("销号情况"), rows[top].index("反馈问题")
    states = {r[title_column]: str(r[column]).split("\n")[0] for r in rows[top + 1:] if r[title_column]}
    by_title = {ledger.json("show", pid)["title"]: state for state, pid in ids.items()}
    for title, state in by_title.items():
        if state == "not_found":  # none of the unit's 反馈问题: no row; its totals line says it by the same word
            totals = next(str(r[0]) for r in rows if str(r[0]).startswith("合计"))
            assert title not in states and f"{vocabulary.STATUSES[state].zh}的问题1个" in totals, totals
            continue
        written = states[title]
        assert written == vocabulary.STATUSES[state].zh, (state, written)
        assert not any(w in written for w in RETIRED + ("已完成整改", "未销号", "待销号")), written

    # the report: a count keeps the report's phrase (已完成整改N个, seeds/004); no other word for a state
    report = ledger.out("publish", "--inspection", INSPECTION, "--no-sign")
    assert "已完成整改1个" in report and "基本完成、持续整改1个" in report, report
    assert not any(w in report for w in RETIRED), report


@pytest.mark.language
@pytest.mark.parametrize("store_kind", ["sqlite"], indirect=True)
def test_escalation_levels_read_the_vocabularys_word_in_status_and_due(inspected):
    """A problem's escalation and the level `due` suggests: the level's word in each language, never the bare
    English value on a Chinese screen nor a Chinese gloss on an English one."""
    ledger = inspected
    pid = ledger.out("add-problem", "--inspection", INSPECTION, "--category", "作风方面", "--title", "关于“文山会海”的问题", "--at", "2020-01-15")
    ledger("assign", pid, "--lead", "杨荣", "--unit", "办公室", "--person", "王琎", "--deadline", "2020-03-31", "--at", "2020-01-16")
    ledger("escalate", pid, "--level", "notice", "--note", "督办〔2020〕1号", "--at", "2020-04-02")
    for lang in ("zh", "en"):
        status = ledger.out("--lang", lang, "status", "--format", "markdown")
        assert _row_cell(status, pid, "督办" if lang == "zh" else "escalation") == vocabulary.ESCALATION_LEVELS["notice"].of(lang)
        due = ledger.out("--lang", lang, "due", "--as-of", "2020-12-01", "--format", "markdown")
        suggest = _row_cell(due, pid, "建议督办" if lang == "zh" else "suggest")
        assert suggest == vocabulary.ESCALATION_LEVELS["reminder"].of(lang), (lang, due)
    assert ledger.json("due", "--as-of", "2020-12-01")[0]["suggest"] == "reminder (提醒书)"  # JSON: unchanged


@pytest.mark.language
@pytest.mark.parametrize("store_kind", ["sqlite"], indirect=True)
def test_a_refusal_names_the_inspections_kind_apart_from_a_problems_category(inspected, tmp_path):
    """`kind` (巡察类型) and `category` (问题类别) are different columns: a refusal of a bad kind, in an import
    file or a correction, names 巡察类型 (both read 类别 before, so the reader looked in the wrong column)."""
    from conftest import REPO

    bad = tmp_path / "bad.yaml"
    bad.write_text((REPO / "examples" / "xc2019-1.yaml").read_text(encoding="utf-8").replace("  kind: regular", "  kind: 年度"), encoding="utf-8")
    refused = inspected("import", bad, expect=2).stderr
    assert "：巡察类型：'年度' 不是可选值之一" in refused and "类别" not in refused.replace("问题类别", ""), refused
    corrected = inspected("correct", INSPECTION, "--field", "kind", "--value", "年度", "--reason", "核对", expect=2).stderr
    assert corrected.startswith("ledger：错误：巡察类型：'年度'"), corrected
    assert inspected.json("show", INSPECTION)["kind"] == "regular"  # nothing written


@pytest.mark.language
@pytest.mark.parametrize("store_kind", ["sqlite"], indirect=True)
def test_verify_and_escalate_lines_say_the_grade_and_level_in_the_readers_language(inspected):
    """`verify` and `escalate` confirm with the vocabulary's word: Chinese under zh (main printed
    "核查验收good（好）passed"), and English with no Chinese under --lang en ("verification good (好) passed")."""
    ledger = inspected
    pids = []
    for title in ("关于“学习不深入”的问题", "关于“制度不健全”的问题"):
        pid = ledger.out("add-problem", "--inspection", INSPECTION, "--category", "作风方面", "--title", title, "--at", "2020-01-15")
        ledger("assign", pid, "--lead", "杨荣", "--unit", "办公室", "--person", "王琎", "--deadline", "2030-03-31", "--at", "2020-01-16")
        ledger("plan", pid, "修订学习制度", "--at", "2020-01-17")
        ledger("done", pid, "M1", "--at", "2020-02-01", actor="王琎")
        pids.append(pid)
    zh = ledger("verify", pids[0], "--grade", "fair", "--at", "2020-02-05", actor="巡察办").stdout.strip()
    assert zh == f"{pids[0]}：核查验收评为“{vocabulary.GRADES['fair'].zh}”：通过（状态：{vocabulary.STATUSES['verified'].zh}）", zh
    en = ledger("--lang", "en", "verify", pids[1], "--grade", "bad", "--at", "2020-02-05", actor="巡察办").stdout.strip()
    assert en == f"{pids[1]}: verification graded bad: failed, back for rework (status: in_progress)", en
    assert not CJK.search(en)
    zh = ledger("escalate", pids[1], "--level", "reminder", "--at", "2020-02-06").stdout.strip()
    assert zh == f"{pids[1]}：已督办（{vocabulary.ESCALATION_LEVELS['reminder'].zh}）", zh
    en = ledger("--lang", "en", "escalate", pids[1], "--level", "warning", "--at", "2020-02-07").stdout.strip()
    assert en == f"{pids[1]}: escalated to warning", en


def test_a_refusal_reads_the_same_words_on_the_web_as_in_the_cli():
    """The web view's messages are the CLI's (projections.words.translate): a status named in a refusal is one word."""
    from ledger.errors import RuleViolation
    from ledger.messages import t
    from projections.words import translate
    from web.words import message

    refusal = RuleViolation("sign-off-once", "XC2019-1-1", t("is already {status}", status="closed"))
    for lang in ("zh", "en"):
        assert message(refusal, lang) == translate(refusal, lang)
    assert "已销号" in message(refusal, "zh") and "closed" not in message(refusal, "zh")


def test_no_chinese_word_names_two_different_things():
    """回头看 was the look-back inspection kind and the review event, 责任人 the role and the problem's field,
    再次发现 the act and a link's direction. A word two tables share must name the same value (a field and its
    import column, the status not_found and the self-check answer not found, a count and the state it counts)."""
    named: dict[str, set[str]] = {}
    for table, words in vocabulary.TABLES.items():
        for value, word in words.items():
            named.setdefault(word.zh, set()).add(value)
    assert {zh: values for zh, values in named.items() if len(values) > 1} == {}
    assert vocabulary.INSPECTION_KINDS["look-back"].zh == "回头看" and vocabulary.EVENTS["ReviewRecorded"].zh == "整改回头看"


def test_a_fields_word_is_the_same_in_every_table_that_names_it():
    """IMPORT_FIELDS said 整改类型 / 问题来源 where FIELDS said 类型 / 来源."""
    for field, word in vocabulary.IMPORT_FIELDS.items():
        if field in vocabulary.FIELDS:
            assert word == vocabulary.FIELDS[field], field
    assert (vocabulary.FIELDS["type"].zh, vocabulary.FIELDS["source"].zh) == ("整改类型", "问题来源")


def test_every_summary_form_heads_each_count_with_one_word():
    """summary --inspection said 已完成整改 / 基本完成、持续整改 / 申请延期整改 where summary --round and profile
    said 已完成 / 基本完成 / 延期."""
    from commands import i18n
    from projections import rounds, summary

    for lang in ("zh", "en"):
        for key, word in vocabulary.COUNTS.items():
            forms = [summary.HEADERS[lang][key], i18n.heading(key, lang)]
            if key in rounds.HEADERS[lang]:
                forms.append(rounds.HEADERS[lang][key])
            assert set(forms) == {word.of(lang)}, (lang, key, forms)


def test_every_form_names_each_headline_figure_with_one_word():
    """Review of issue 30, findings 8 and 9: 完善和新建制度（项） in `summary`, 制度(项) in `summary --round`, 建立完善制度 in
    `audit`; "people held accountable" / "held to account" / "accountable"; the web headed the table 结果/result."""
    from decimal import Decimal

    from ledger.messages import render
    from projections import publication, rounds, summary
    from projections.audit import plain_words

    class MeasureCompleted:  # the event's fields, as the trail reads them
        def __init__(self) -> None:
            self.measure_id, self.evidence, self.rules, self.funds, self.clues = "M1", [], 2, Decimal("1500.00"), 3
            self.accountable = {"discipline": 1}

    figures = {"rules": 2, "funds": "15000.00", "accountable": 1, "clues": 3}
    for lang in ("zh", "en"):
        summarised = summary.figure_rows({"figures": figures}, lang)
        for key, word in vocabulary.FIGURES.items():
            name = word.of(lang)
            assert any(str(label).startswith(name) for label, _ in summarised), (lang, key, summarised)
            assert rounds.HEADERS[lang][key] == summary.figure_heading(key, lang)
            assert "(" not in rounds.HEADERS[lang][key] if lang == "zh" else True  # full-width parentheses in Chinese
        sentence = render(plain_words(MeasureCompleted(), True), lang)
        assert all(word.of(lang) in sentence for word in vocabulary.FIGURES.values()), sentence
    assert summary.figure_heading("rules", "zh") == "完善和新建制度（项）"
    assert summary.figure_heading("funds", "en") == "funds returned or recovered (10,000 yuan)"
    paragraph = publication.figures_paragraph({"total": {"problems": 1, "completed": 1, "ongoing": 0, "open": 0, "rate": 100.0},
                                               "figures": figures})
    assert all(word.zh in paragraph for word in vocabulary.FIGURES.values()), paragraph
    assert summary.FIGURE_HEADERS == {"zh": ("成效", "数量"), "en": ("figure", "value")}
