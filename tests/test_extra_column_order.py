"""A 台账's own columns come back in the file's order (issue 25): `show` (table and json), `status --format csv`
and json, the sheet's 原台账其他列 worksheet and the docx table after the 台账. Before this they came out sorted by
heading (the read model's JSON sorts keys) after the progress and type columns: the test failed on the old code.
Problems imported before keep their columns as they were stored (their views do not change)."""

from __future__ import annotations

import csv
import io

import office_ledgers as office
from test_import_layouts import _audit


def _file_order(kept) -> list[str]:
    """The headings of `kept` in the order the SOE 台账 has them."""
    return [h for h in office.SOE_HEADINGS if h in kept]


def test_extra_columns_come_out_in_the_files_order(ledger, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    _audit(ledger)
    ledger("import", office.soe_audit_ledger(tmp_path / "审计整改台账.xlsx"), "--inspection", "SJ2023")
    view = ledger.json("show", "SJ2023-1")
    kept = list(view["columns"])
    assert kept == _file_order(kept) and kept[:3] == ["序号", "集团", "问题来源"] and len(kept) > 10
    # the table: one line per column, in the same order
    shown = [line.split()[0] for line in ledger("--lang", "zh", "show", "SJ2023-1").stdout.splitlines() if line.split() and line.split()[0] in kept]
    shown = shown[-len(kept):]  # the file's own columns come last, after the problem's fields (序号 and 问题来源 are fields' words too)
    assert list(dict.fromkeys(shown)) == kept
    header = next(csv.reader(io.StringIO(ledger("status", "--format", "csv").stdout)))
    own = header[header.index("escalation") + 1 :]
    assert own == _file_order(own) and own[0] == "序号"
    assert list(ledger.json("status")[0]["columns"]) == kept
    xlsx, docx = tmp_path / "台账.xlsx", tmp_path / "台账.docx"
    ledger("sheet", "--inspection", "SJ2023", "--out", xlsx)
    ledger("sheet", "--inspection", "SJ2023", "--out", docx)
    heading = [h for h in next(load_workbook(xlsx)["原台账其他列"].iter_rows(values_only=True))][2:]
    assert heading == _file_order(heading) and heading[0] == "集团"
    cell = Document(str(docx)).tables[1].rows[1].cells[2].text
    said = [part.split("：")[0] for part in cell.split("；") if "：" in part]
    assert said == _file_order(said) and said[0] == "集团"
    ledger("replay")  # the views rebuilt from the events hold the same order
    ledger("audit", "--verify")


def test_a_problem_stored_with_its_columns_as_a_mapping_reads_and_replays_as_before(ledger, tmp_path, monkeypatch):
    """An earlier import's Registered event holds the columns as a mapping: under this code its view is the one
    stored then (sorted by the read model), so a store written before replays and verifies unchanged, and reads."""
    import importlib

    domain = importlib.import_module("ledger.domain")
    _audit(ledger)
    monkeypatch.setattr(domain, "stored_columns", dict)  # the events as the earlier import recorded them
    ledger("import", office.soe_audit_ledger(tmp_path / "审计整改台账.xlsx"), "--inspection", "SJ2023")
    [(data,)] = ledger.query("SELECT data FROM ledger_problems WHERE id = 'SJ2023-1'")
    assert '"columns":{' in data
    monkeypatch.undo()
    ledger("replay")  # rebuilt by this code from the mapping events: the same views
    ledger("audit", "--verify")
    kept = list(ledger.json("show", "SJ2023-1")["columns"])
    assert kept == sorted(kept) and "集团" in kept  # as stored then
    header = next(csv.reader(io.StringIO(ledger("status", "--format", "csv").stdout)))
    assert "集团" in header
    assert ledger.json("show", "SJ2023-2")["columns"]["集团"] == "远航集团"
