"""Offices' own 台账 in (issue 25): each layout imports as a clerk has it, with at most --inspection CODE
(and --inspection-by for a group-wide file). The files are made by tests/office_ledgers.py in the layouts
offices use, with invented rows. Each test failed on the code before issue 25 (every one of these files was
refused at its first unknown heading: '集团', '突出问题', '主要方面', '责任主体', '填报单位（盖章）：…')."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import office_ledgers as office
from conftest import configure, run_executable
from guard_helpers import event_count, problem_count


def _inspection(ledger, code: str, *, name: str, organisation: str, group: str, kind: str, start: str, end: str, feedback: str,
                actor: str | None = None) -> None:
    ledger("add-inspection", code, "--name", name, "--organisation", organisation, "--group", group, "--kind", kind,
           "--start", start, "--end", end, "--feedback", feedback, **({"actor": actor} if actor else {}))


def _audit(ledger) -> None:
    _inspection(ledger, "SJ2023", name="2023年度远航集团审计整改", organisation="远航集团", group="集团审计部", kind="special",
                start="2023-01-05", end="2023-02-28", feedback="2023-03-15")


def _county(ledger) -> None:
    _inspection(ledger, "XC2021-1", name="县委第一巡察组对县财政局党组的巡察", organisation="县财政局党组", group="县委第一巡察组",
                kind="regular", start="2020-11-02", end="2020-12-30", feedback="2021-03-01")


def test_soe_audit_ledger_with_repeated_numbers_imports_into_a_registered_inspection(ledger, tmp_path):
    _audit(ledger)
    path = office.soe_audit_ledger(tmp_path / "审计整改台账.xlsx")
    record = ledger.json("import", path, "--inspection", "SJ2023")
    assert record["added"] == 6 and record["inspection"] == "SJ2023" and not record["inspection_added"]
    assert "集团" in record["kept_columns"] and "提示问题金额（万元）" in record["kept_columns"]
    # 序号 1,2,3,3,5,6 in the file: numbered by row, the file's 序号 kept as it was
    fourth = ledger.json("show", "SJ2023-4")
    assert fourth["title"] == "差旅费报销审核不严" and fourth["columns"]["序号"] == "3"
    first = ledger.json("show", "SJ2023-1")
    assert first["source"] == "审计" and first["columns"]["问题来源"] == "国资委全面审计"  # kept as text
    assert first["category"] == "采购管理" and first["columns"]["问题类型"] == "管理类"  # not read as the rectification type
    assert first["type"] == "deadline" and first["deadline"] == "2023-12-31"  # 目标设定完成时间
    assert first["assignee"]["lead"] == "刘建华" and first["assignee"]["person"] == "许文"
    assert first["columns"]["提示问题金额（万元）"] == "356.2" and first["columns"]["集团"] == "远航集团"
    shown = ledger.out("show", "SJ2023-1")
    assert "提示问题金额（万元）" in shown and "356.2" in shown
    # re-importing the same file adds nothing
    again = ledger.json("import", path, "--inspection", "SJ2023")
    assert again["added"] == 0 and again["skipped"] == 6


def test_the_same_list_as_gbk_csv_gives_the_same_problems(ledger, tmp_path):
    _audit(ledger)
    ledger("import", office.soe_audit_csv(tmp_path / "审计整改台账.csv"), "--inspection", "SJ2023")
    from_csv = [ledger.json("show", f"SJ2023-{n}") for n in range(1, 7)]
    record = ledger.json("import", office.soe_audit_ledger(tmp_path / "审计整改台账.xlsx"), "--inspection", "SJ2023")
    assert record["added"] == 0 and record["skipped"] == 6  # the xlsx holds the same problems
    assert [v["columns"]["序号"] for v in from_csv] == ["1", "2", "3", "3", "5", "6"]


def test_a_group_wide_ledger_splits_into_one_inspection_per_company(ledger, tmp_path):
    _audit(ledger)
    path = office.group_wide_ledger(tmp_path / "集团审计整改台账.xlsx")
    records = ledger.json("import", path, "--inspection", "SJ2023", "--inspection-by", "所属责任公司")
    assert len(records) == 9 and sum(r["added"] for r in records) == 9 * 28
    assert {r["inspection"] for r in records} == {f"SJ2023-{c}" for c in office.COMPANIES}
    header = ledger.json("show", "SJ2023-华南物流公司")
    assert header["organisation"] == "华南物流公司" and header["start"] == "2023-01-05"
    again = ledger.json("import", path, "--inspection", "SJ2023", "--inspection-by", "所属责任公司")
    assert sum(r["added"] for r in again) == 0


def test_oa_inspection_ledger_with_merged_title_and_merged_down_categories(ledger, tmp_path):
    _inspection(ledger, "XS2018", name="省委第三巡视组对省发展改革委党组的巡视", organisation="省发展改革委党组", group="省委第三巡视组",
                kind="regular", start="2018-09-03", end="2018-11-02", feedback="2018-12-20")
    ledger("import", office.oa_ledger(tmp_path / "巡视整改台账.xlsx"), "--inspection", "XS2018")
    views = [ledger.json("show", f"XS2018-{n}") for n in range(1, 6)]
    assert [v["category"] for v in views] == ["一、落实全面从严治党主体责任不到位"] * 3 + ["二、执行中央八项规定精神不严格"] * 2
    assert views[0]["deadline"] == "2019-02-28"  # " 2019年2月": the month's end
    assert views[1]["deadline"] == "2019-03-31"  # 2019年3月底
    assert views[2]["type"] == "long-term" and views[2]["deadline"] is None  # 长期坚持
    assert views[3]["type"] == "immediate"  # 立行立改
    assert views[0]["assignee"]["unit"] == "办公厅" and views[0]["assignee"]["person"] == ""  # 牵头部门; no person
    assert views[0]["source"] == "巡视"  # a 巡视's list


def test_task_list_with_title_row_status_and_long_term(ledger, tmp_path):
    _county(ledger)
    ledger("import", office.task_list(tmp_path / "巡察整改任务清单.xlsx"), "--inspection", "XC2021-1")
    first, second, third = (ledger.json("show", f"XC2021-1-{n}") for n in (1, 2, 3))
    assert first["category"] == second["category"] == "党的领导"  # 主要方面 merged down
    assert first["title"] == "理论学习不深入" and first["description"] == "中心组学习以读文件为主，研讨不足"
    assert first["deadline"] == "2021-06-30" and second["type"] == "long-term" and second["deadline"] is None
    assert third["type"] == "deadline" and first["columns"]["原因分析"] == "重视不够"
    assert first["columns"]["状态"] == "已完成"


def test_two_row_header_and_fill_in_line(ledger, tmp_path):
    _county(ledger)
    ledger("import", office.two_row_header(tmp_path / "两行表头.xlsx"), "--inspection", "XC2021-1")
    view = ledger.json("show", "XC2021-1-2")
    assert view["assignee"] == {"lead": "王海", "unit": "机关党委", "person": "", "deadline": None}
    _inspection(ledger, "XC2021-2", name="县委第二巡察组对县住建局党组的巡察", organisation="县住建局党组", group="县委第二巡察组",
                kind="regular", start="2021-01-04", end="2021-02-26", feedback="2021-04-20")
    ledger("import", office.fill_in_line(tmp_path / "填报.xlsx"), "--inspection", "XC2021-2")
    assert ledger.json("show", "XC2021-2-1")["deadline"] == "2021-12-31"  # 2021年底
    assert ledger.json("show", "XC2021-2-2")["deadline"] == "2021-09-30"  # 2021年9月


def test_preview_writes_nothing_and_shows_the_reading(ledger, tmp_path):
    _audit(ledger)
    before = event_count(ledger)
    path = office.soe_audit_ledger(tmp_path / "审计整改台账.xlsx")
    shown = ledger.json("import", path, "--inspection", "SJ2023", "--preview")
    assert shown["written"] is False and shown["refused"] is None
    reading = {c["heading"]: c["field"] for c in shown["columns"]}
    assert reading["问题简述"] == "title" and reading["集团"] is None and reading["问题分类"] == "category"
    assert reading["问题编号"] is None  # 序号 is the more specific number column
    assert shown["rows"][0]["title"] == "部分工程项目未按规定履行招标程序" and len(shown["rows"]) == 5
    text = ledger.out("import", path, "--inspection", "SJ2023", "--preview")
    assert "kept as an extra column" in text and "nothing would be refused" in text
    # a refusal is shown, not raised, and still nothing is written
    refused = ledger.json("import", path, "--preview")
    assert "column 'inspection'" in refused["refused"] and "--inspection CODE" in refused["refused"]
    assert event_count(ledger) == before and problem_count(ledger) == 0


def test_a_chinese_preview_reads_in_chinese_and_its_json_keeps_the_english(ledger, tmp_path):
    """How each column is read, and the rows as recorded, on a Chinese screen: no English word but the file's own."""
    import re

    _audit(ledger)
    path = office.soe_audit_ledger(tmp_path / "审计整改台账.xlsx")
    text = ledger.out("--lang", "zh", "import", path, "--inspection", "SJ2023", "--preview")
    reading = text.split("各列的读法：", 1)[1].split("\n\n", 1)[0]
    assert "表头" in reading and "读作" in reading and "依据" in reading and "问题标题" in reading, reading
    assert re.findall(r"[A-Za-z]{2,}", reading) == [], reading
    rows = text.split("前几行将登记为", 1)[1].split("\n\n", 1)[0]
    assert "责任领导/单位/人" in rows and "assignee" not in rows and "kept" not in rows, rows
    shown = ledger.json("--lang", "zh", "import", path, "--inspection", "SJ2023", "--preview")
    whys = [c["why"] for c in shown["columns"]]
    assert any(" is read as " in w for w in whys) and not any("已知表头" in w or "读作" in w for w in whys), whys


def test_columns_option_and_ledger_yaml_map_headings(ledger, tmp_path):
    _county(ledger)
    path = tmp_path / "清单.csv"
    path.write_text("编号,问题反映,整改办法,办结期限\n1,关于“会议过多”的问题,精简会议,2021年10月\n", encoding="utf-8")
    refused = ledger("import", path, "--inspection", "XC2021-1", expect=2).stderr
    assert "column 'title' is missing" in refused
    ledger("import", path, "--inspection", "XC2021-1", "--columns", "问题反映=title,整改办法=measure")
    view = ledger.json("show", "XC2021-1-1")
    assert view["title"] == "关于“会议过多”的问题" and view["measures"][0]["text"] == "精简会议"
    assert view["columns"]["办结期限"] == "2021年10月"  # unknown: kept, not refused
    configure(ledger.folder, "import:\n  columns:\n    问题反映: title\n    办结期限: deadline\n")
    path.write_text("编号,问题反映,办结期限\n2,关于“文件过多”的问题,2021年11月\n", encoding="utf-8")
    ledger("import", path, "--inspection", "XC2021-1")
    assert ledger.json("show", "XC2021-1-2")["deadline"] == "2021-11-30"
    assert "unknown field 'titel'" in ledger("import", path, "--inspection", "XC2021-1", "--columns", "问题反映=titel", expect=2).stderr


def test_headings_as_offices_type_them(ledger, tmp_path):
    """Full-width and half-width, spaces and line breaks, （）and (), a trailing * or 说明: one heading."""
    _county(ledger)
    path = tmp_path / "表头.csv"
    path.write_text('序 号,"问题\n类别*","反馈问题（必填）",整改时限(说明),"责任\u3000单位",类型\n'
                    "1,作风方面,关于“督查过多”的问题,2021-12-31,办公室,常规\n", encoding="utf-8")
    shown = ledger.json("import", path, "--inspection", "XC2021-1", "--preview")
    reading = {c["heading"]: c["field"] for c in shown["columns"]}
    assert reading == {"序 号": "number", "问题\n类别*": "category", "反馈问题（必填）": "title", "整改时限(说明)": "deadline",
                       "责任\u3000单位": "unit", "类型": None}  # 类型 beside --inspection: the inspection's kind, kept as text
    ledger("import", path, "--inspection", "XC2021-1")
    view = ledger.json("show", "XC2021-1-1")
    assert view["category"] == "作风方面" and view["type"] == "deadline" and view["columns"]["类型"] == "常规"


def test_the_installed_ledger_imports_a_gbk_csv_with_inspection(tmp_path):
    folder = tmp_path / "l"
    folder.mkdir()
    assert run_executable("init", cwd=folder).returncode == 0
    assert run_executable("add-inspection", "SJ2023", "--name", "审计整改", "--organisation", "远航集团", "--group", "集团审计部",
                          "--kind", "special", "--start", "2023-01-05", "--end", "2023-02-28", "--feedback", "2023-03-15", cwd=folder).returncode == 0
    path = office.soe_audit_csv(tmp_path / "台账.csv")
    done = run_executable("import", path, "--inspection", "SJ2023", "--format", "json", cwd=folder)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["added"] == 6


def test_the_sheet_of_an_imported_audit_ledger_keeps_the_files_numbers_and_is_titled_by_source(ledger, tmp_path):
    from openpyxl import load_workbook

    _audit(ledger)
    ledger("import", office.soe_audit_ledger(tmp_path / "审计整改台账.xlsx"), "--inspection", "SJ2023")
    out = tmp_path / "台账.xlsx"
    ledger("sheet", "--inspection", "SJ2023", "--out", out)
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][0] == "远航集团审计整改台账"
    numbers = [r[0] for r in rows[3:9]]
    assert [str(n) for n in numbers] == ["1", "2", "3", "3", "5", "6"]


def test_progress_from_the_file_is_the_clerks_entry_naming_the_file_and_row(ledger, tmp_path):
    """进展情况 comes in as a progress act of the clerk who imported it, naming the file, its SHA-256 and the row:
    never as the responsible person's own report. The rest of the progress columns are kept as text."""
    import hashlib

    _inspection(ledger, "XS2018", name="省委第三巡视组对省发展改革委党组的巡视", organisation="省发展改革委党组", group="省委第三巡视组",
                kind="regular", start="2018-09-03", end="2018-11-02", feedback="2018-12-20")
    path = office.oa_ledger(tmp_path / "巡视整改台账.xlsx")
    ledger("import", path, "--inspection", "XS2018", actor="录入员")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    progress = ledger.json("show", "XS2018-2")["progress"]
    assert len(progress) == 1 and progress[0]["by"] == "录入员"
    assert progress[0]["text"] == f"已完成3个支部换届（录自《巡视整改台账.xlsx》工作表“Sheet1”第4行，文件 SHA-256 {digest}）"
    assert ledger.json("show", "XS2018-3")["progress"] == []  # no 进展情况 in its row


def test_a_signed_import_records_the_files_progress_and_verifies(ledger, tmp_path):
    """With people enrolled, a registrar's import of a 台账 with 进展情况 is signed as an import and writes the
    progress acts too; the signatures verify (an import's events are its inspection, problems, assignments,
    measures and the file's progress, never refused half-way nor reported as forged)."""
    from test_identity import ADMIN, enrol

    enrol(ledger, {"录入员": ["registrar", "responsible"]})  # an import plans measures: the responsible role too
    _inspection(ledger, "XS2018", name="省委第三巡视组对省发展改革委党组的巡视", organisation="省发展改革委党组", group="省委第三巡视组",
                kind="regular", start="2018-09-03", end="2018-11-02", feedback="2018-12-20", actor="录入员")
    path = office.oa_ledger(tmp_path / "巡视整改台账.xlsx")
    ledger("import", path, "--inspection", "XS2018", actor="录入员")
    assert len(ledger.json("show", "XS2018-2")["progress"]) == 1
    ledger("audit", "--verify", actor=ADMIN)
