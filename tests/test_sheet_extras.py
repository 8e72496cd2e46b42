"""The 台账 out (`sheet`) for problems from an office's own 台账 (issue 25): the file's other columns come back
(a worksheet of their own in xlsx, a table after the 台账 in docx, by 序号), and the cells read with Chinese
punctuation in Chinese text (the report's chinese_punctuation, not a second one). Both failed on the old code."""

from __future__ import annotations

import office_ledgers as office
from test_gongwen import CSV
from test_import_layouts import _audit


def test_the_sheet_carries_the_files_own_columns(ledger, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    _audit(ledger)
    ledger("import", office.soe_audit_ledger(tmp_path / "审计整改台账.xlsx"), "--inspection", "SJ2023")
    xlsx, docx = tmp_path / "台账.xlsx", tmp_path / "台账.docx"
    ledger("sheet", "--inspection", "SJ2023", "--out", xlsx)
    ledger("sheet", "--inspection", "SJ2023", "--out", docx)
    book = load_workbook(xlsx)
    assert book.sheetnames == ["台账", "原台账其他列"]
    rows = list(book["原台账其他列"].iter_rows(values_only=True))
    heading = list(rows[0])
    assert heading[:2] == ["序号", "反馈问题"] and "集团" in heading and "提示问题金额（万元）" in heading
    assert heading.count("序号") == 1  # the file's 序号 is the sheet's own 序号 column
    first = dict(zip(heading, rows[1]))
    assert first["序号"] == "1" and first["集团"] == "远航集团" and first["提示问题金额（万元）"] == "356.2"
    assert [r[0] for r in rows[1:]] == ["1", "2", "3", "3", "5", "6"]
    tables = Document(str(docx)).tables
    assert len(tables) == 2 and [c.text for c in tables[1].rows[0].cells] == ["序号", "反馈问题", "原台账其他列"]
    assert "集团：远航集团" in tables[1].rows[1].cells[2].text and "提示问题金额（万元）：356.2" in tables[1].rows[1].cells[2].text


def test_a_sheet_without_such_columns_is_as_before_and_its_cells_have_chinese_punctuation(ledger, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    path = tmp_path / "清单.csv"
    path.write_text(CSV, encoding="utf-8")
    ledger("import", path)
    xlsx, docx = tmp_path / "台账.xlsx", tmp_path / "台账.docx"
    ledger("sheet", "--inspection", "XC2022-3", "--out", xlsx)
    ledger("sheet", "--inspection", "XC2022-3", "--out", docx)
    book = load_workbook(xlsx)
    assert book.sheetnames == ["台账"]
    cells = [c for row in book["台账"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "“主题党日”流于形式，内容单一（部分支部）" in cells and "建立台账，每月检查；（按季度通报）" in cells
    assert not any("," in c or ";" in c or "(" in c for c in cells if "主题党日" in c or "建立台账" in c)
    document = Document(str(docx))
    assert len(document.tables) == 1
    texts = [c.text for row in document.tables[0].rows for c in row.cells]
    assert "“主题党日”流于形式，内容单一（部分支部）" in texts and "建立台账，每月检查；（按季度通报）" in texts


def test_a_mark_beside_a_bracket_is_chinese_too():
    """chinese_punctuation turned ( ) into （） only after the other marks, so a mark before a bracket
    (每月检查;(按季度通报)) stayed half-width in the report and the 台账."""
    from projections.publication import chinese_punctuation

    assert chinese_punctuation("建立台账,每月检查;(按季度通报)") == "建立台账，每月检查；（按季度通报）"
    assert chinese_punctuation("(扩大),会议") == "（扩大），会议"
    assert chinese_punctuation("see (a, b); 10:30") == "see (a, b); 10:30"
