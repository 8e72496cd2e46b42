"""What a reading command prints as signed or stored must be checked before it is printed (review 30d, items 1, 22).

Each attack is an insider's edit of the store with a plain SQL client, on both stores: an event's content
changed in stored_events (the signature no longer verifies), with or without every later chain link
recomputed; a derived row's status forged, with or without its digest forged to match. `history`,
`audit --problem`/`--inspection`, the web's problem and trail pages, `show` and `status` must not print the
forgery as if it were sound: exit 4 naming the event or the field, or (the web) an error page.
"""

from __future__ import annotations

import json

import pytest

from conftest import INSPECTION, run_executable
from integrity_helpers import events, recompute_chain
from test_identity import PROBLEM, _replace_state, enrol, through_verification

TRUE_DEADLINE, FORGED_DEADLINE = "2020-06-30", "2029-06-30"


def one_line(result) -> str:
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip() and "note:" not in line]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def signed(ledger):
    """People enrolled, XC2019-1 and its problem 1 (deadline 2020-06-30) registered by 王琎, taken to verification."""
    enrol(ledger)
    ledger(*INSPECTION, actor="王琎")
    ledger(*PROBLEM, actor="王琎")
    through_verification(ledger)
    return ledger


def _registration(ledger) -> int:
    """The sequence number of XC2019-1-1's registration (the event carrying its deadline)."""
    for seq, _, _, topic, state in events(ledger):
        if topic.endswith("Problem.Registered") and TRUE_DEADLINE.encode() in bytes(state):
            return int(seq)
    raise AssertionError("no registration")


def _forge_deadline(ledger, rechain: bool) -> int:
    seq = _registration(ledger)
    state = dict((int(s), bytes(st)) for s, _, _, _, st in events(ledger))[seq]
    _replace_state(ledger, seq, state.replace(TRUE_DEADLINE.encode(), FORGED_DEADLINE.encode()))
    if rechain:  # a careful forger: every later link recomputed, so only the signature tells
        recompute_chain(ledger)
    return seq


READERS = [("history", "XC2019-1-1"), ("audit", "--problem", "XC2019-1-1"), ("audit", "--inspection", "XC2019-1"),
           ("history", "XC2019-1-1", "--format", "json"), ("audit", "--problem", "XC2019-1-1", "--format", "csv"),
           ("audit",), ("audit", "--format", "json")]


def test_the_readers_print_a_sound_ledger_as_signed(signed):
    for command in READERS:
        result = signed(*command)
        assert FORGED_DEADLINE not in result.stdout
    assert "signed by 王琎" in signed("history", "XC2019-1-1").stdout


@pytest.mark.parametrize("rechain", [False, True], ids=["edited", "edited-and-rechained"])
def test_a_forged_event_is_never_printed_as_signed(signed, rechain):
    """Review 30d item 1: the deadline of a signed registration changed in stored_events; `audit --verify` exits 4
    (so does every reader now), naming the event, and nothing of it is printed."""
    seq = _forge_deadline(signed, rechain)
    verified = one_line(signed("audit", "--verify", expect=4))
    assert f"event {seq}" in verified
    for command in READERS:
        result = signed(*command, expect=4)
        line = one_line(result)
        assert f"first bad sequence number {seq}: event {seq}" in line, (command, line)
        assert ("does not verify" in line) if rechain else ("does not match its recorded hash" in line), line
        assert FORGED_DEADLINE not in result.stdout and "王琎" not in result.stdout


def test_the_installed_history_refuses_a_forged_event(signed):
    seq = _forge_deadline(signed, rechain=True)
    done = run_executable("history", "XC2019-1-1", cwd=signed.folder, env=signed.env)
    assert done.returncode == 4, done.stderr
    assert f"event {seq}" in done.stderr and FORGED_DEADLINE not in done.stdout and "Traceback" not in done.stderr


@pytest.mark.parametrize("rechain", [False, True], ids=["edited", "edited-and-rechained"])
def test_the_web_never_shows_a_forged_event_as_signed(signed, monkeypatch, rechain):
    from test_web import client_for

    client = client_for(signed, monkeypatch)
    assert client.get("/problems/XC2019-1-1").status_code == 200
    seq = _forge_deadline(signed, rechain)
    for url in ("/problems/XC2019-1-1", "/audit?problem=XC2019-1-1", "/audit?inspection=XC2019-1"):
        page = client.get(url)
        assert page.status_code == 500, (url, page.status_code)
        assert FORGED_DEADLINE not in page.text and f"{seq}" in page.text, url
    for url in ("/audit?problem=XC2019-1-1", "/audit?inspection=XC2019-1"):  # the trail's JSON (the problem's is its row)
        data = client.get(url + "&format=json")
        assert data.status_code == 500 and f"event {seq}" in data.json()["error"], url


def test_an_act_copied_onto_another_problem_event_is_named(signed):
    """A signature copied from one of the problem's events onto another (and re-chained): the reader names it."""
    rows = [r for r in events(signed) if r[3].startswith("ledger.domain:Problem.")]
    first, last = json.loads(bytes(rows[-2][4])), json.loads(bytes(rows[-1][4]))
    last["act_signature"] = first["act_signature"]
    _replace_state(signed, rows[-1][0], json.dumps(last, ensure_ascii=False, separators=(",", ":")).encode())
    recompute_chain(signed)
    line = one_line(signed("history", "XC2019-1-1", expect=4))
    assert f"event {rows[-1][0]}" in line


def test_history_in_trial_mode_checks_the_links(ledger):
    """Nobody enrolled: no signature to check, the chain link still is."""
    ledger(*INSPECTION)
    ledger(*PROBLEM)
    seq = _registration(ledger)
    assert "signed by" not in ledger("history", "XC2019-1-1").stdout
    _forge_deadline(ledger, rechain=False)
    assert f"event {seq}" in one_line(ledger("history", "XC2019-1-1", expect=4))


# -- item 1, second half: a derived row forged by hand ---------------------------------------------------------

FORGED_STATUS = "UPDATE ledger_problems SET status = 'closed' WHERE id = 'XC2019-1-1'"
FORGED_DATA = "UPDATE ledger_problems SET data = replace(data, '\"status\":\"verified\"', '\"status\":\"closed\"') WHERE id = 'XC2019-1-1'"


def _forge_digest(ledger, table: str, key: str) -> None:
    """The row's latest committed digest replaced by the digest of its forged form (the chain not recomputed)."""
    from ledger.chain import hasher, row_form
    from projections.read_model_check import DIGESTED

    key_column, columns = DIGESTED[table]
    row = ledger.query(f"SELECT {', '.join(columns)} FROM {table} WHERE {key_column} = ?", (key,))[0]
    digest = hasher("sha256")(row_form(table, row)).digest()
    seq = ledger.query("SELECT max(seq) FROM ledger_row_digests WHERE tbl = ? AND key = ?", (table, key))[0][0]
    if ledger.store:
        ledger.query("UPDATE ledger_row_digests SET digest = ? WHERE seq = ? AND tbl = ? AND key = ?", (digest, seq, table, key))
    else:
        ledger.execute(f"UPDATE ledger_row_digests SET digest = X'{digest.hex()}' WHERE seq = {seq} AND tbl = '{table}' AND key = '{key}'")


@pytest.mark.parametrize("forged", ["status", "status-and-data", "with-its-digest"])
def test_show_names_the_field_of_a_forged_row(signed, forged):
    """Review 30d item 1: `update ledger_problems set status='closed'` then `show` printed closed, exit 0."""
    assert '"status":"verified"' in signed.query("SELECT data FROM ledger_problems WHERE id = 'XC2019-1-1'")[0][0]
    signed.execute(FORGED_STATUS, *([FORGED_DATA] if forged != "status" else []))
    if forged == "with-its-digest":
        _forge_digest(signed, "ledger_problems", "XC2019-1-1")
    for fmt in ("table", "json", "csv"):
        result = signed("show", "XC2019-1-1", "--format", fmt, expect=4)
        line = one_line(result)
        assert "ledger_problems: XC2019-1-1 status differs" in line, line
        assert result.stdout == ""


def test_show_of_an_inspection_checks_its_row(signed):
    signed("show", "XC2019-1")
    signed.execute("UPDATE ledger_inspections SET data = replace(data, '县交通运输局党组', '县财政局党组') WHERE code = 'XC2019-1'")
    line = one_line(signed("show", "XC2019-1", expect=4))
    assert "ledger_inspections: XC2019-1 data differs" in line


def test_the_web_problem_page_checks_its_row(signed, monkeypatch):
    from test_web import client_for

    client = client_for(signed, monkeypatch, lang="en")
    assert client.get("/problems/XC2019-1-1?format=json").json()["status"] == "verified"
    signed.execute(FORGED_STATUS, FORGED_DATA)
    for url in ("/problems/XC2019-1-1", "/problems/XC2019-1-1?format=json", "/problems", "/problems?inspection=XC2019-1"):
        page = client.get(url)
        assert page.status_code == 500 and "XC2019-1-1 status differs" in page.text, url


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "markdown"])
def test_status_never_lists_a_forged_row(signed, fmt):
    """Review 30d item 1: `update ledger_problems set status='closed'` then `status` listed closed, exit 0."""
    signed("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", "第二个问题", "--at", "2020-01-15", actor="王琎")
    assert "closed" not in signed("status", "--format", fmt).stdout
    signed.execute(FORGED_STATUS, FORGED_DATA)
    result = signed("status", "--format", fmt, expect=4)
    assert "ledger_problems: XC2019-1-1 status differs" in one_line(result)
    assert "closed" not in result.stdout


def test_a_long_listing_checks_its_first_rows_and_says_the_rest_were_not(signed, monkeypatch):
    """Past CHECKED_ROWS (2,000; here 1, a batch of 1) the rows are listed unchecked, and the listing says so on
    stderr with the way to check them all; a forged row among the checked ones is still exit 4."""
    import projections.read_model_check as check

    for title in ("第二个问题", "第三个问题"):
        signed("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", title, "--at", "2020-01-15", actor="王琎")
    monkeypatch.setattr(check, "CHECKED_ROWS", 1)
    monkeypatch.setattr(check, "CHECK_BATCH", 1)
    sound = signed("status", "--format", "csv")
    assert "1 rows listed were checked" in sound.stderr and "the other 2 were not: `ledger audit --verify`" in sound.stderr
    signed.execute("UPDATE ledger_problems SET status = 'closed' WHERE id = 'XC2019-1-3'")
    assert "the other 2 were not" in signed("status", "--format", "csv").stderr  # beyond the checked rows, and said so
    signed.execute(FORGED_STATUS)
    assert "XC2019-1-1 status differs" in one_line(signed("status", "--format", "csv", expect=4))
    monkeypatch.setattr(check, "CHECKED_ROWS", 2000)
    assert "were not" not in signed("status", "--inspection", "XC2019-1", "--format", "csv", expect=4).stderr


# -- item 22: a withheld measure's dates are withheld everywhere a public reader looks ----------------------------

DUE, CORRECTED_DUE = "2020-04-17", "2020-04-24"


def _date_forms(day: str) -> list[str]:
    y, m, d = (int(x) for x in day.split("-"))
    return [day, f"{y}年{m}月{d}日", f"{y}.{m:02d}.{d:02d}", f"{y}/{m}/{d}", f"{m}月{d}日"]


@pytest.fixture
def withheld_measure(ledger):
    ledger(*INSPECTION)
    ledger(*PROBLEM)
    ledger("assign", "XC2019-1-1", "--lead", "刘局长", "--unit", "办公室", "--person", "张三", "--at", "2020-01-16")
    ledger("plan", "XC2019-1-1", "约谈举报涉及人员", "--due", DUE, "--at", "2020-01-17")
    ledger("plan", "XC2019-1-1", "制定学习计划", "--due", "2020-05-29", "--at", "2020-01-17")
    ledger("correct", "XC2019-1-1", "--field", "M1.due", "--value", CORRECTED_DUE, "--reason", "录入错误")
    ledger("withhold", "XC2019-1-1", "--reason", "privacy", "--field", "M1")
    return ledger


def _assert_no_date(text: str, where: str) -> None:
    for day in (DUE, CORRECTED_DUE):
        for form in _date_forms(day):
            assert form not in text, f"the withheld measure's date {form} appears in {where}"


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_a_withheld_measure_shows_its_dates_nowhere_on_the_web(withheld_measure, monkeypatch, lang):
    """Review 30d item 22: the page hid the M1.due correction but showed the dates in the measures table and the
    MeasurePlanned row of the trail."""
    from test_web import client_for

    client = client_for(withheld_measure, monkeypatch, lang=lang)
    for url in ("/problems/XC2019-1-1", "/problems/XC2019-1-1?format=json", "/audit?problem=XC2019-1-1",
                "/audit?problem=XC2019-1-1&format=json", "/audit?inspection=XC2019-1", "/reports/XC2019-1", "/due"):
        page = client.get(url)
        assert page.status_code == 200, (url, page.text[-300:])
        _assert_no_date(page.text, url)
    assert "2020-05-29" in client.get("/problems/XC2019-1-1").text  # M2, published, keeps its date


def test_a_withheld_measure_shows_its_dates_nowhere_a_public_reader_looks(withheld_measure):
    import openpyxl

    ledger = withheld_measure
    for fmt in ("markdown", "html", "text"):
        _assert_no_date(ledger("publish", "--inspection", "XC2019-1", "--format", fmt).stdout, f"publish --format {fmt}")
    for fmt in ("table", "json"):
        _assert_no_date(ledger("summary", "--inspection", "XC2019-1", "--format", fmt).stdout, f"summary --format {fmt}")
    ledger("sheet", "--inspection", "XC2019-1", "--out", ledger.folder / "台账.xlsx")
    book = openpyxl.load_workbook(ledger.folder / "台账.xlsx")
    cells = " ".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None)
    _assert_no_date(cells, "the 台账")
    # Insiders (show, history, audit) keep the text and the dates, marked as withheld.
    assert CORRECTED_DUE in ledger("show", "XC2019-1-1").stdout and DUE in ledger("history", "XC2019-1-1").stdout


def test_the_whole_trail_checks_its_first_events_and_says_the_rest_were_not(signed, monkeypatch):
    """`audit` (the whole log) checks the events it prints, up to CHECKED_ROWS (here 3), and says how many it did not."""
    import projections.read_model_check as check

    monkeypatch.setattr(check, "CHECKED_ROWS", 3)
    total = len(signed.json("audit"))
    result = signed("audit", "--format", "csv")
    assert f"3 events listed were checked (chain link and signature), the other {total - 3} were not" in result.stderr
    seq = _forge_deadline(signed, rechain=True)  # the problem's registration: among the first three? no, later
    assert seq > 3
    assert "were not" in signed("audit", "--format", "csv").stderr  # beyond the checked events, and said so
    monkeypatch.setattr(check, "CHECKED_ROWS", 2000)
    assert f"event {seq}" in one_line(signed("audit", "--format", "csv", expect=4))


def test_a_sound_signed_ledger_with_checkpoints_reads_back(signed):
    """Checkpoint events and people events in the whole trail check as `audit --verify` checks them: exit 0."""
    signed("keygen", actor="王琎")
    signed("checkpoint", actor="王琎")
    signed("person", "revoke", "张三", "--role", "responsible")
    signed("audit", "--verify")
    assert ",Recorded," in signed("audit", "--format", "csv").stdout
    signed("audit", "--inspection", "XC2019-1")


def test_a_row_written_before_the_digests_is_rebuilt_by_show_and_left_unchecked_by_a_listing(signed):
    """A store `ledger init` upgraded (digests_since noted) holds rows with no digest yet: `show` rebuilds the one row
    from its events (a forgery is still named), `status` leaves it unchecked and says so."""
    signed.execute("INSERT INTO ledger_meta (key, value) VALUES ('digests_since', '0')")
    signed.execute("DELETE FROM ledger_row_digests WHERE key = 'XC2019-1-1'")  # as if written before the digests:
    recompute_chain(signed)  # its links then covered no row digest (show checks the links of the events it reads)
    signed("show", "XC2019-1-1")
    assert "the other 1 were not" in signed("status", "--format", "csv").stderr
    signed.execute(FORGED_STATUS, FORGED_DATA)
    assert "ledger_problems: XC2019-1-1 status differs" in one_line(signed("show", "XC2019-1-1", expect=4))
    assert "the other 1 were not" in signed("status", "--format", "csv").stderr
