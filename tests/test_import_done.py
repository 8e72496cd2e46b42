"""A 台账 in mid-rectification comes in honestly (issue 25): rows the file marks done (是否整改完成=是, 状态=已完成,
整改完成时间, 验收负责人) come in as acts entered by the importing clerk from the named file (its fingerprint kept as
evidence, the row named), on behalf of the person the row names, in the `--for` form when people are enrolled,
at the time the file gives. Such a row is not open or overdue afterwards; a row 整改中 stays open.

Before this, every one of these rows came in 整改中 and overdue (the first two tests failed on the old code)."""

from __future__ import annotations

import hashlib
import json

import pytest

import office_ledgers as office
from conftest import run_executable
from guard_helpers import event_count
from test_identity import ADMIN, enrol
from test_import_layouts import _audit


def _soe(ledger, tmp_path, actor: str = "clerk"):
    path = office.soe_audit_ledger(tmp_path / "审计整改台账.xlsx")
    record = ledger.json("import", path, "--inspection", "SJ2023", actor=actor)
    assert record["added"] == 6 and record["entered_done"] == 2 and record["entered_accepted"] == 2
    return path


def test_rows_marked_done_come_in_completed_and_accepted_entered_from_the_file(ledger, tmp_path):
    """Rows 1 and 4 say 是否整改完成=是, 整改完成时间 2023-11-20, 验收负责人 周明: each comes in with its measure
    completed for its 整改责任人 on 2023-11-20 and a passing acceptance for 周明, each naming the clerk, the file,
    its SHA-256 and the row, the file attached. Neither is overdue; the other four (否) stay 整改中 and overdue."""
    _audit(ledger)
    path = _soe(ledger, tmp_path, actor="录入员")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    first = ledger.json("show", "SJ2023-1")
    assert first["status"] == "verified" and first["overdue"] is False
    measure = first["measures"][0]
    assert measure["status"] == "done" and measure["completed_by"] == "许文" and measure["completed_at"] == "2023-11-20T00:00:00Z"
    assert measure["evidence"] == [f"由录入员录自《审计整改台账.xlsx》工作表“台账”第2行，文件 SHA-256 {digest}"]
    [accepted] = first["verifications"]
    assert accepted["by"] == "周明" and accepted["grade"] == "fair" and accepted["passed"]
    assert f"第2行，文件 SHA-256 {digest}" in accepted["note"] and "由录入员" in accepted["note"]
    assert ledger.json("show", "SJ2023-4")["status"] == "verified"
    for n in (2, 3, 5, 6):
        view = ledger.json("show", f"SJ2023-{n}")
        assert view["status"] == "in_progress" and view["overdue"] is True and view["measures"][0]["status"] == "planned"
    overdue = ledger.json("status", "--overdue")
    assert sorted(r["id"] for r in overdue) == ["SJ2023-2", "SJ2023-3", "SJ2023-5", "SJ2023-6"]
    # the file itself is the paper: attached to each act entered from it, bytes kept, checked by audit --verify
    attached = ledger.query("SELECT state FROM stored_events WHERE topic LIKE '%MeasureCompleted' OR topic LIKE '%VerificationRecorded'")
    manifests = [json.loads(bytes(s))["attachments"] for (s,) in attached]
    assert len(manifests) == 4 and all(m == [{"name": "审计整改台账.xlsx", "size": path.stat().st_size, "hash": "sha256", "digest": digest}] for m in manifests)
    ledger("audit", "--verify")
    # re-importing the same file adds nothing: no problem, no act
    before = event_count(ledger)
    assert ledger.json("import", path, "--inspection", "SJ2023", actor="录入员")["added"] == 0
    assert event_count(ledger) == before


def test_a_signed_import_enters_the_files_acts_for_the_people_it_names(ledger, tmp_path):
    """People enrolled: the completion is signed by the clerk for 许文 / 杜婷 (--for), the acceptance for 周明, as
    `done --for` and `verify --for` would be; the import's own events are the clerk's. audit --verify counts them
    as entered for someone else, and no event claims to be signed by the person it names."""
    from ledger.signatures import proxy_entries

    enrol(ledger, {"录入员": ["registrar", "responsible"], "许文": ["responsible"], "杜婷": ["responsible"], "周明": ["verifier"]})
    _inspection_signed(ledger)
    _soe(ledger, tmp_path, actor="录入员")
    assert ledger.json("show", "SJ2023-1")["status"] == "verified"
    store = ledger.store or str(ledger.folder / "ledger.db")
    entries = proxy_entries(store)
    assert sorted((e["event"], e["for"], e["entered_by"]) for e in entries) == [
        ("MeasureCompleted", "杜婷", "录入员"), ("MeasureCompleted", "许文", "录入员"),
        ("VerificationRecorded", "周明", "录入员"), ("VerificationRecorded", "周明", "录入员"),
    ]
    assert all(e["attachments"][0]["name"] == "审计整改台账.xlsx" for e in entries)
    report = ledger.json("audit", "--verify", actor=ADMIN)
    assert report["acts"]["proxy_entries"] == 4
    signers = {json.loads(bytes(s))["act_signature"]["signer"] for (s,) in ledger.query("SELECT state FROM stored_events WHERE topic LIKE '%Problem%'")}
    assert signers == {"录入员"}  # nobody named by the file signed anything in the ledger


def _inspection_signed(ledger) -> None:
    ledger("add-inspection", "SJ2023", "--name", "2023年度远航集团审计整改", "--organisation", "远航集团", "--group", "集团审计部",
           "--kind", "special", "--start", "2023-01-05", "--end", "2023-02-28", "--feedback", "2023-03-15", actor="录入员")


def test_a_signed_import_naming_someone_not_enrolled_is_refused_and_writes_nothing(ledger, tmp_path):
    """The 验收负责人 周明 is not enrolled: his acceptance cannot be entered for him, so the file is refused in one
    line naming him, exit 1, nothing written (as `verify --for 周明` is)."""
    enrol(ledger, {"录入员": ["registrar", "responsible"], "许文": ["responsible"], "杜婷": ["responsible"]})
    _inspection_signed(ledger)
    before = event_count(ledger)
    path = office.soe_audit_ledger(tmp_path / "审计整改台账.xlsx")
    result = ledger("import", path, "--inspection", "SJ2023", actor="录入员", expect=1)
    assert "周明 is not enrolled" in result.stderr and "Traceback" not in result.stderr
    assert "sheet 台账, row 2:" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    chinese = ledger("--lang", "zh", "import", path, "--inspection", "SJ2023", actor="录入员", expect=1).stderr
    assert "工作表" in chinese and "周明 未在本台账登记" in chinese and "is not enrolled" not in chinese
    assert event_count(ledger) == before


def test_a_task_list_marked_done_without_an_acceptance_has_its_measures_completed_and_stays_to_be_verified(ledger, tmp_path):
    """The 任务清单's 状态 已完成 names no 验收负责人 and no 整改完成时间: the measure is completed for its 责任人 now
    (when it is entered); nobody accepted it on paper, so it stays 整改中 for the ledger's own 核查验收.
    A row 整改中 stays open with its measure planned."""
    from test_import_layouts import _county

    _county(ledger)
    ledger("import", office.task_list(tmp_path / "任务清单.xlsx"), "--inspection", "XC2021-1", actor="录入员")
    first, second = ledger.json("show", "XC2021-1-1"), ledger.json("show", "XC2021-1-2")
    assert [m["status"] for m in first["measures"]] == ["done"] and first["measures"][0]["completed_by"] == "孙丽"
    assert first["verifications"] == [] and first["status"] == "in_progress"
    assert [m["status"] for m in second["measures"]] == ["planned"]


def test_progress_words_that_contradict_or_lack_a_person_are_refused_naming_the_column(ledger, tmp_path):
    _audit(ledger)
    import csv

    def write(rows):
        path = tmp_path / "台账.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([["序号", "问题简述", "整改责任人", "是否整改完成", "整改完成时间"], *rows])
        return path

    before = event_count(ledger)
    said = ledger("import", write([[1, "备用金挂账", "杜婷", "否", "2023-06-30"]]), "--inspection", "SJ2023", expect=2).stderr
    assert "line 2: 是否整改完成: the row says '否' (not done) but gives a completion time 2023-06-30" in said
    nobody = ledger("import", write([[1, "备用金挂账", "", "是", "2023-06-30"]]), "--inspection", "SJ2023", expect=2).stderr
    assert "line 2: 整改责任人: the row is marked done but names no one responsible" in nobody
    bad_day = ledger("import", write([[1, "备用金挂账", "杜婷", "是", "2023-02-30"]]), "--inspection", "SJ2023", expect=2).stderr
    assert "line 2: 整改完成时间:" in bad_day
    early = ledger("import", write([[1, "备用金挂账", "杜婷", "是", "2023-03-01"]]), "--inspection", "SJ2023", expect=2).stderr
    assert "line 2:" in early and "before the problem was registered" in early
    assert event_count(ledger) == before


def test_the_installed_ledger_imports_a_done_row_and_verifies(tmp_path):
    folder = tmp_path / "l"
    folder.mkdir()
    assert run_executable("init", cwd=folder).returncode == 0
    assert run_executable("add-inspection", "SJ2023", "--name", "审计整改", "--organisation", "远航集团", "--group", "集团审计部",
                          "--kind", "special", "--start", "2023-01-05", "--end", "2023-02-28", "--feedback", "2023-03-15", cwd=folder).returncode == 0
    done = run_executable("import", office.soe_audit_csv(tmp_path / "台账.csv"), "--inspection", "SJ2023", cwd=folder)
    assert done.returncode == 0, done.stderr
    shown = run_executable("show", "SJ2023-1", "--format", "json", cwd=folder)
    assert json.loads(shown.stdout)["status"] == "verified"
    assert run_executable("audit", "--verify", cwd=folder).returncode == 0


def test_preview_shows_what_acts_each_row_would_bring_in_the_readers_language(ledger, tmp_path):
    """`import --preview` writes nothing and shows, for each row, the acts it would bring (whose, entered by whom,
    dated when), and its column table in the reader's language: Chinese headings and field words by default
    (表头 / 读作 / 依据, 整改完成时间 read as 整改完成时间), English ones under --lang en (heading / read as / why, done_on)."""
    _audit(ledger)
    path = office.soe_audit_ledger(tmp_path / "审计整改台账.xlsx")
    before = event_count(ledger)
    data = ledger.json("import", path, "--inspection", "SJ2023", "--preview", actor="录入员")
    first = data["rows"][0]
    assert [(a["event"], a["actor"], a["entered_by"], a["at"][:10]) for a in first["acts"]][:2] == [
        ("MeasureCompleted", "许文", "录入员", "2023-11-20"), ("VerificationRecorded", "周明", "录入员", first["acts"][1]["at"][:10]),
    ]
    assert [a["event"] for a in data["rows"][1]["acts"]] == ["ProgressRecorded"]  # 否: only the file's 进展 text
    zh = ledger("--lang", "zh", "import", path, "--inspection", "SJ2023", "--preview", actor="录入员").stdout
    lines = {line.split()[0]: line.split()[1:] for line in zh.splitlines() if line.split()}
    assert lines["表头"] == ["读作", "依据"]
    assert lines["整改完成时间"] == ["整改完成时间", "已知表头"] and lines["验收负责人"] == ["验收负责人", "已知表头"]
    assert lines["集团"] == ["作为附加列原样保留", "未知表头"]
    assert lines["编号"][-3:] == ["文件所记", "附加列", "将录入的操作"]
    assert "完成整改措施：许文（录入员代为" in zh and "done_on" not in zh and "verifier" not in zh and "read as" not in zh
    en = ledger("--lang", "en", "import", path, "--inspection", "SJ2023", "--preview", actor="录入员").stdout
    lines = {line.split()[0]: line.split()[1:] for line in en.splitlines() if line.split()}
    assert lines["heading"] == ["read", "as", "why"]
    assert lines["整改完成时间"] == ["done_on", "known", "heading"] and lines["验收负责人"] == ["verifier", "known", "heading"]
    assert "MeasureCompleted for 许文," in en and "已知表头" not in en and "读作" not in en
    assert event_count(ledger) == before


def test_status_csv_carries_the_files_own_columns(ledger, tmp_path):
    """`status --format csv` adds each column the 台账 had beyond the ledger's fields, under its heading (json
    carries them as `columns`); a ledger without such problems prints the same columns as before."""
    import csv as csv_module
    import io

    _audit(ledger)
    plain = ledger("status", "--format", "csv").stdout.splitlines()[0]
    assert plain == "id,category,title,type,status,unit,person,deadline,overdue,measures,relapses,escalation"
    _soe(ledger, tmp_path)
    rows = list(csv_module.DictReader(io.StringIO(ledger("status", "--format", "csv").stdout)))
    assert rows[0]["id"] == "SJ2023-1" and rows[0]["集团"] == "远航集团" and rows[0]["提示问题金额（万元）"] == "356.2"
    assert rows[3]["序号"] == "3" and rows[4]["提示问题金额（万元）"] == ""
    assert rows[0]["status"] == "verified" and rows[1]["overdue"] == "yes"
    overdue = list(csv_module.DictReader(io.StringIO(ledger("status", "--overdue", "--format", "csv").stdout)))
    assert [r["id"] for r in overdue] == ["SJ2023-2", "SJ2023-3", "SJ2023-5", "SJ2023-6"] and overdue[0]["集团"] == "远航集团"
    assert ledger.json("status")[0]["columns"]["集团"] == "远航集团"


def test_a_trial_ledger_listing_people_checks_those_the_file_names(ledger, tmp_path):
    """Trial mode with `people:` in ledger.yaml: the 验收负责人 周明 is not listed, so his acceptance cannot be
    entered from the file (as `verify --actor 周明` is refused): the file is refused, naming him, nothing written."""
    from conftest import configure

    configure(ledger.folder, "people:\n  - name: clerk\n    roles: [registrar, responsible]\n  - name: 许文\n    roles: [responsible]\n"
                             "  - name: 杜婷\n    roles: [responsible]\n")
    _audit(ledger)
    before = event_count(ledger)
    path = office.soe_audit_ledger(tmp_path / "审计整改台账.xlsx")
    said = ledger("import", path, "--inspection", "SJ2023", expect=1).stderr
    assert "row 2: 周明 is not listed under people in ledger.yaml" in said
    assert event_count(ledger) == before
    configure(ledger.folder, "people:\n  - name: clerk\n    roles: [registrar, responsible]\n  - name: 许文\n    roles: [responsible]\n"
                             "  - name: 杜婷\n    roles: [responsible]\n  - name: 周明\n    roles: [verifier]\n")
    assert ledger.json("import", path, "--inspection", "SJ2023")["entered_accepted"] == 2


def test_how_a_row_says_it_is_done_follows_one_rule():
    """Hypothesis over the done words and an optional 整改完成时间: a row is done when it says a done word, or says
    nothing and gives a day; a not-done word with a day is refused naming the column; any other words (基本完成)
    leave it open. The day read is the day given."""
    import tempfile
    from datetime import date
    from pathlib import Path

    from hypothesis import given, settings, strategies as st

    from ledger.errors import InvalidInput
    from ledger.feedback import DONE_WORDS, NOT_DONE_WORDS, read_feedback_lists

    head = "巡察编号,巡察名称,被巡察单位,巡察组,巡察类型,进驻时间,结束时间,反馈时间,序号,问题简述,整改责任人,是否整改完成,整改完成时间\n"
    folder = Path(tempfile.mkdtemp())

    @settings(max_examples=60, deadline=None)
    @given(word=st.sampled_from((*DONE_WORDS, *NOT_DONE_WORDS, "基本完成", "部分完成", "")),
           day=st.one_of(st.none(), st.dates(min_value=date(2023, 3, 15), max_value=date(2024, 12, 31))),
           spaced=st.booleans())
    def check(word, day, spaced):
        typed = f" {word.upper()} " if spaced else word  # as offices type it: spaces, upper case (YES)
        path = folder / "台账.csv"
        path.write_text(head + f"SJ1,审计整改,远航集团,集团审计部,专项,2023-01-05,2023-02-28,2023-03-15,1,备用金挂账,杜婷,{typed},"
                        f"{day.isoformat() if day else ''}\n", encoding="utf-8")
        if word in NOT_DONE_WORDS and day is not None:
            with pytest.raises(InvalidInput, match="是否整改完成"):
                read_feedback_lists(path)
            return
        [spec] = read_feedback_lists(path)[0].problems
        assert spec.done == (word in DONE_WORDS or (word == "" and day is not None))
        assert spec.done_on == day

    check()


def test_the_public_reports_note_says_an_act_taken_from_a_file_came_from_its_row_not_from_paper(ledger, tmp_path):
    """Acts entered from a 台账 were not signed on paper by the person they name: the report's note says
    录自台账文件《审计整改台账.xlsx》第2行 for them (en: entered from the file … row 2), and keeps 在纸质文件上签署 for
    an act entered with `--for` from a signed paper. On the old code every such act read 在纸质文件上签署."""
    enrol(ledger, {"录入员": ["registrar", "responsible", "verifier"], "许文": ["responsible"], "杜婷": ["responsible"], "周明": ["verifier"]})
    _inspection_signed(ledger)
    _soe(ledger, tmp_path, actor="录入员")
    report = ledger.out("--lang", "zh", "publish", "--inspection", "SJ2023", "--no-sign", actor="录入员")
    assert "SJ2023-1的完成整改措施（许文）录自台账文件《审计整改台账.xlsx》第2行，录入员代为录入并电子签名" in report
    assert "SJ2023-4的核查验收（周明）录自台账文件《审计整改台账.xlsx》第5行" in report
    assert "在纸质文件上签署" not in report
    # an act entered --for from a signed paper still says so
    [measure] = ledger.json("show", "SJ2023-2")["measures"]
    paper = tmp_path / "整改完成确认单.pdf"
    paper.write_bytes("%PDF-1.4 signed by 杜婷".encode("utf-8"))
    ledger("done", "SJ2023-2", measure["id"], "--for", "杜婷", "--attach", str(paper), "--evidence", "确认单", actor="录入员")
    report = ledger.out("--lang", "zh", "publish", "--inspection", "SJ2023", "--no-sign", actor="录入员")
    assert "SJ2023-2的完成整改措施由杜婷在纸质文件上签署，录入员代为录入并电子签名，附整改完成确认单.pdf" in report
    assert report.count("录自台账文件") == 4
    english = ledger.out("--lang", "en", "publish", "--inspection", "SJ2023", "--no-sign", actor="录入员")
    assert "entered from the file 《审计整改台账.xlsx》, row 2" in english and "录自台账文件" not in english
    # history says the same of each act
    details = [r["details"] for r in ledger.json("history", "SJ2023-1") if r.get("entered_for")]
    assert details and all("entered from the file 《审计整改台账.xlsx》, row 2" in d and "signed on paper" not in d for d in details)
    zh = "".join(ledger("--lang", "zh", "history", "SJ2023-1", actor="录入员").stdout.split())  # the table wraps details
    assert "许文的操作录自台账文件《审计整改台账.xlsx》第2行" in zh and "纸质签字" not in zh
    assert "杜婷纸质签字" in "".join(ledger("--lang", "zh", "history", "SJ2023-2", actor="录入员").stdout.split())
