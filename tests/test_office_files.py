"""Office files: a round's xlsx 台账 in, the 台账 out as xlsx and Word, the Word 公文 report,
--format xlsx on read commands, and CSV as Excel/WPS save it (GBK, BOM, Chinese headings).

Every produced file is opened with openpyxl / python-docx and its structure checked;
withheld text is looked for in every part of the zip, not only in what the libraries show.
"""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from conftest import run_executable
from ledger import vocabulary
from guard_helpers import close_problem
from round_workbook import CATEGORIES, PROBLEMS, ROUND, UNITS, expected_measures, write_round_workbook

REPO = Path(__file__).resolve().parent.parent
ROUND_XLSX = REPO / "examples" / "round.xlsx"
SHEET_COLUMNS = ["序号", "问题类别", "反馈问题", "整改措施", "责任领导", "责任单位", "责任人", "整改时限", "完成情况", "销号情况"]
WITHHELD_TITLE = "关于“公务用车管理不严格”的问题"  # XC2020-12-1-6, withheld whole
WITHHELD_MEASURES = ("建立公务用车使用登记制度。", "对车辆使用情况开展自查。")
WITHHELD_M1 = "对2018年以来项目资金开展专项清查。"  # XC2020-12-2-4 M1

# 销号情况 of a problem not yet signed off: its status word (the vocabulary's)
OPEN_WORDS = tuple(vocabulary.STATUSES[s].zh for s in ("registered", "in_progress", "verified"))


def zip_text(path: Path) -> str:
    """Every part of an Office file, as text: what any reader of the file could see.

    Character references (openpyxl writes &#21439; for 县) are resolved, so text is found however it is spelled."""
    import html

    with zipfile.ZipFile(path) as z:
        raw = "".join(z.read(name).decode("utf-8", "replace") for name in z.namelist())
    return raw + html.unescape(raw)


def measure_count(problem_index: int) -> int:
    return len(PROBLEMS[problem_index][3])


# -- the done-when: a round in from one xlsx, out as 台账 xlsx/docx, figures agreeing ------------


@pytest.fixture
def round_ledger(ledger):
    records = ledger.json("import", ROUND_XLSX)
    assert [r["inspection"] for r in records] == [u[0] for u in UNITS]
    assert all(r["added"] == 10 and r["inspection_added"] for r in records)
    assert sum(r["measures"] for r in records) == expected_measures()
    for ident in ("XC2020-12-1-1", "XC2020-12-1-2", "XC2020-12-1-5", "XC2020-12-2-3"):
        close_problem(ledger, ident)
    ledger("withhold", "XC2020-12-1-6", "--reason", "open-case")
    ledger("withhold", "XC2020-12-2-4", "--reason", "privacy", "--field", "M1")
    return ledger


def test_round_workbook_imports_every_unit_problem_and_measure(round_ledger):
    ledger = round_ledger
    view = ledger.json("show", "XC2020-12-2-4")
    assert view["category"] == "全面从严治党方面"  # merged over four problems
    assert [m["text"] for m in view["measures"]] == list(PROBLEMS[3][3])
    assert view["measures"][0]["due"] == "2020-09-30" and view["measures"][1]["due"] is None
    assert view["deadline"] == "2020-12-31"  # typed as text
    assert ledger.json("show", "XC2020-12-3-3")["deadline"] == "2020-10-31"  # a real date cell
    inspection = ledger.json("show", "XC2020-12-3")
    assert inspection["organisation"] == "县卫生健康局党组" and inspection["start"] == "2020-04-09"
    assert inspection["end"] == "2020-05-27" and inspection["feedback"] == "2020-07-08" and inspection["kind"] == "regular"
    again = ledger.json("import", ROUND_XLSX)
    assert all(r["added"] == 0 and r["skipped"] == 10 for r in again)


def test_round_sheets_agree_with_summary(round_ledger, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    ledger = round_ledger
    for code, *_ in UNITS:
        total = ledger.json("summary", "--inspection", code)["total"]
        xlsx, docx = tmp_path / f"{code}.xlsx", tmp_path / f"{code}.docx"
        assert "wrote" in ledger.out("sheet", "--inspection", code, "--out", xlsx)
        ledger("sheet", "--inspection", code, "--out", docx)

        ws = load_workbook(xlsx).active
        assert [c.value for c in ws[3]] == SHEET_COLUMNS
        assert "整改台账" in ws["A1"].value and "A1:J1" in {str(r) for r in ws.merged_cells.ranges}
        body = list(ws.iter_rows(min_row=4, max_row=ws.max_row - 1, values_only=True))
        numbers = [r[0] for r in body if r[0] is not None]
        states = [r[9] for r in body if r[9] is not None]
        assert numbers == list(range(1, 11)) and len(numbers) == total["problems"]
        assert sum(s.startswith("已销号") for s in states) == total["completed"]
        assert sum(s.startswith("基本完成") for s in states) == total["ongoing"]
        assert sum(s.startswith(OPEN_WORDS) for s in states) == total["open"]
        assert total["problems"] == total["completed"] + total["ongoing"] + total["open"]
        rate = "—" if total["rate"] is None else f"{total['rate']:.1f}%"
        footer = ws.cell(row=ws.max_row, column=1).value
        assert footer.startswith("合计：") and f"反馈问题{total['problems']}个，已完成整改{total['completed']}个" in footer and rate in footer
        # Each problem's own cells are merged over its measure rows; the measure cells are not.
        merged = {str(r) for r in ws.merged_cells.ranges}
        row = 4
        for n in range(1, 11):
            rows = 1 if (code, n) == ("XC2020-12-1", 6) else measure_count(n - 1)
            if rows > 1:
                for letter in "ABCEFGHJ":
                    assert f"{letter}{row}:{letter}{row + rows - 1}" in merged
                assert not any(r.startswith(f"D{row}:") or r.startswith(f"I{row}:") for r in merged)
            row += rows
        assert row == ws.max_row  # then the totals row
        # Printing: A4 landscape, one page wide, header row repeated, wrapped cells, widths set.
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
        assert ws.print_title_rows.replace("$", "") == "3:3"
        # The footer's page numbers have room below the table (LibreOffice cut them in half at 0.1 in).
        assert ws.oddFooter.center.text and ws.page_margins.bottom - ws.page_margins.footer >= 0.3
        assert all(ws.column_dimensions[letter].width >= 8 for letter in "ABCDEFGHIJ")
        assert ws.column_dimensions["D"].width > ws.column_dimensions["A"].width
        assert ws["D4"].alignment.wrap_text and ws["C4"].alignment.wrap_text
        assert ws["A3"].font.bold

        document = Document(docx)
        section = document.sections[0]
        assert section.page_width > section.page_height and abs(section.page_width.mm - 297) < 0.5
        table = document.tables[0]
        assert [c.text for c in table.rows[0].cells] == SHEET_COLUMNS
        assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader")  # repeated on every page
        assert len(table.rows) == 1 + len(body)
        assert {r.cells[0].text for r in table.rows[1:]} == {str(n) for n in range(1, 11)}
        closed_rows = {r.cells[0].text for r in table.rows[1:] if r.cells[9].text.startswith("已销号")}
        assert len(closed_rows) == total["completed"]
        continued = table._tbl.xpath(".//w:tc[w:tcPr/w:vMerge[not(@w:val) or @w:val='continue']]")
        assert len(continued) == 8 * (len(body) - 10)  # eight merged columns over every extra measure row
        assert any("合计：" in p.text for p in document.paragraphs)


def _docx_text(path: Path) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(path).paragraphs)


def test_a_round_from_one_xlsx_comes_out_as_sheets_and_a_round_summary_that_agree(round_ledger, tmp_path):
    """The issue's done-when: three units × ten problems in from examples/round.xlsx (its 轮次 column),
    out as each unit's 台账 xlsx and docx and as the round summary (table, xlsx, report, Word report),
    every figure read back from the files and checked against `summary --format json`."""
    from docx import Document
    from openpyxl import load_workbook

    ledger = round_ledger
    # One approved extension (申请延期整改), so the round has every kind of count.
    person = ledger.json("show", "XC2020-12-3-2")["assignee"]["person"]
    ledger("extend", "XC2020-12-3-2", "--to", "2021-06-30", "--reason", "工程需跨年度实施", actor=person)
    ledger("approve-extension", "XC2020-12-3-2", actor="县委巡察办主任")

    assert {ledger.json("show", code)["round"] for code, *_ in UNITS} == {ROUND}  # from the 轮次 column
    result = ledger.json("summary", "--round", ROUND, "--format", "json")
    assert [(r["inspection"], r["unit"]) for r in result["rows"]] == [(code, org) for code, org, *_ in UNITS]
    counts = ("problems", "completed", "ongoing", "extended", "open")
    figures = ("rules", "funds", "accountable", "clues")
    assert [tuple(r[k] for k in counts) for r in result["rows"]] == [(10, 2, 1, 0, 7), (10, 1, 0, 0, 9), (10, 0, 0, 1, 9)]

    for row in result["rows"]:
        code = row["inspection"]
        own = ledger.json("summary", "--inspection", code, "--format", "json")
        assert {k: own["total"][k] for k in counts} == {k: row[k] for k in counts}
        assert own["figures"] == {k: row[k] for k in figures}
        xlsx, docx = tmp_path / f"{code}.xlsx", tmp_path / f"{code}.docx"
        ledger("sheet", "--inspection", code, "--out", xlsx)
        ledger("sheet", "--inspection", code, "--out", docx)
        ws = load_workbook(xlsx).active
        body = list(ws.iter_rows(min_row=4, max_row=ws.max_row - 1, values_only=True))
        states = [r[9] for r in body if r[9] is not None]
        table = Document(docx).tables[0]
        docx_states = [r.cells[9].text for r in table.rows[1:]]
        docx_states = [s for i, s in enumerate(docx_states) if i == 0 or table.rows[i + 1].cells[0].text != table.rows[i].cells[0].text]
        for listed in (states, docx_states):
            assert len(listed) == row["problems"]
            assert sum(s.startswith("已销号") for s in listed) == row["completed"]
            assert sum(s.startswith("基本完成") for s in listed) == row["ongoing"]
            # An approved extension reads the problem's status word with the new deadline beside it (整改中 / 延期至…),
            # counted apart from the open ones as the summary counts it.
            assert sum(s.startswith(OPEN_WORDS) and "\n延期至" in s for s in listed) == row["extended"]
            assert sum(s.startswith(OPEN_WORDS) and "\n延期至" not in s for s in listed) == row["open"]
        footer = ws.cell(row=ws.max_row, column=1).value
        assert f"反馈问题{row['problems']}个，已完成整改{row['completed']}个" in footer
        assert footer in _docx_text(docx)

    # The round summary as a workbook: one row per unit and the total, the same numbers as the JSON.
    out = tmp_path / "round.xlsx"
    ledger("summary", "--round", ROUND, "--format", "xlsx", "--out", out)
    rows = [r for r in load_workbook(out).active.iter_rows(values_only=True) if any(v is not None for v in r)]
    assert len(rows) == 1 + len(UNITS) + 1
    for got, want in zip(rows[1:], result["rows"] + [dict(result["total"], unit="total")]):
        assert got[0] == want["unit"] and list(got[1:6]) == [want[k] for k in counts]
        assert got[6] == f"{want['rate']:.1f}%"
    total = result["total"]
    assert [total[k] for k in counts] == [sum(r[k] for r in result["rows"]) for k in counts] == [30, 3, 1, 1, 25]

    # The round's public summary, as markdown and as a Word 公文: the same sentences, the JSON's figures.
    md = tmp_path / "round.md"
    ledger("publish", "--round", ROUND, "--out", md, "--no-sign")
    word = tmp_path / "round.docx"
    ledger("publish", "--round", ROUND, "--format", "docx", "--out", word, "--no-sign")
    head = (
        f"{ROUND}共巡察3个单位（党组织），反馈问题{total['problems']}个。截至目前，已完成整改{total['completed']}个，"
        f"基本完成、持续整改{total['ongoing']}个，申请延期整改{total['extended']}个，未完成{total['open']}个，"
        f"整改完成率{total['rate']:.1f}%。"
    )
    for text in (md.read_text(encoding="utf-8"), _docx_text(word)):
        assert head in text
        for r in result["rows"]:
            assert f"{r['unit']}：反馈问题{r['problems']}个，已完成整改{r['completed']}个，基本完成、持续整改{r['ongoing']}个，" \
                   f"申请延期整改{r['extended']}个，未完成{r['open']}个，整改完成率{r['rate']:.1f}%。" in text
    assert Document(word).paragraphs[0].text == f"关于{ROUND}整改情况的通报"


def test_sheet_dates_are_chinese_whatever_the_screens_language(round_ledger, tmp_path):
    """The 台账 is a Chinese document: --lang en wrote ISO dates into it."""
    from docx import Document
    from openpyxl import load_workbook

    ledger = round_ledger
    deadline, done, closed = "2020年10月31日", "已完成\n2020年8月1日", "已销号\n2020年8月10日"
    for lang in ("zh", "en"):
        xlsx, docx = tmp_path / f"{lang}.xlsx", tmp_path / f"{lang}.docx"
        ledger("--lang", lang, "sheet", "--inspection", "XC2020-12-1", "--out", xlsx)
        ledger("--lang", lang, "sheet", "--inspection", "XC2020-12-1", "--out", docx)
        ws = load_workbook(xlsx).active
        assert (ws["H4"].value, ws["I4"].value, ws["J4"].value) == (deadline, done, closed)  # problem 1, measure 1
        assert "截至" in ws["A2"].value and "年" in ws["A2"].value
        cells = Document(docx).tables[0].rows[1].cells
        assert (cells[7].text, cells[8].text, cells[9].text) == (deadline, done, closed)


def test_sheet_docx_rows_written_as_xml_read_back_as_written(tmp_path):
    """The 台账's body rows are written as w:tr XML: what python-docx reads back is the text as given,
    markup characters and line breaks included, each problem's cells merged over its measure rows."""
    from docx import Document

    from projections.sheet import COLUMNS, Sheet, SheetProblem
    from projections.word import write_sheet_docx

    tricky = "关于“<b>&amp;”的问题 \"引号\" 'x'"
    one = SheetProblem({"序号": 1, "问题类别": "作风方面", "反馈问题": tricky, "责任领导": "", "责任单位": "办公室",
                        "责任人": "孙丽", "整改时限": "2020年12月31日", "销号情况": "已销号\n2020年8月10日"})
    one.measures += [{"整改措施": "一是修订制度；\n二是建立台账。", "完成情况": "已完成\n2020年8月1日"}, {"整改措施": "\t复查", "完成情况": ""}]
    two = SheetProblem({**one.cells, "序号": 2, "反馈问题": "关于“文山会海”的问题"}, [{"整改措施": "精简会议", "完成情况": "正在整改"}])
    path = tmp_path / "t.docx"
    write_sheet_docx(path, Sheet("标题", "副标题", [one, two], "合计：…", False))
    table = Document(path).tables[0]
    assert [c.text for c in table.rows[0].cells] == list(COLUMNS)
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert rows[0] == ["1", "作风方面", tricky, "一是修订制度；\n二是建立台账。", "", "办公室", "孙丽", "2020年12月31日", "已完成\n2020年8月1日", "已销号\n2020年8月10日"]
    assert rows[1][3:4] == ["\t复查"] and rows[1][2] == tricky  # the merged cell reads as the cell above
    assert rows[2][:4] == ["2", "作风方面", "关于“文山会海”的问题", "精简会议"]
    continued = table._tbl.xpath(".//w:tc[w:tcPr/w:vMerge[not(@w:val) or @w:val='continue']]")
    assert len(continued) == 8  # problem 1's eight own cells over its second row; problem 2 has one row


def test_public_files_leave_withheld_text_out_and_internal_keeps_it(round_ledger, tmp_path):
    ledger = round_ledger
    one, two = tmp_path / "one", tmp_path / "two"
    for folder, code in ((one, "XC2020-12-1"), (two, "XC2020-12-2")):
        folder.mkdir()
        ledger("sheet", "--inspection", code, "--out", folder / "台账.xlsx")
        ledger("sheet", "--inspection", code, "--out", folder / "台账.docx")
        ledger("publish", "--inspection", code, "--format", "docx", "--out", folder / "report.docx", "--no-sign")
    for name in ("台账.xlsx", "台账.docx", "report.docx"):
        text = zip_text(one / name)
        assert WITHHELD_TITLE not in text and not any(m in text for m in WITHHELD_MEASURES), name
        assert "（依规不予公开）" in text and "关于“项目资金管理不规范”的问题" in text
        text = zip_text(two / name)
        assert WITHHELD_M1 not in text, name
        assert WITHHELD_TITLE in text  # the same title is not withheld in another unit
    assert "清退违规发放的补贴。" in zip_text(two / "台账.xlsx")  # only M1 of that problem is withheld
    internal = tmp_path / "internal.xlsx"
    assert "internal" in ledger.out("sheet", "--inspection", "XC2020-12-1", "--out", internal, "--internal")
    text = zip_text(internal)
    assert WITHHELD_TITLE in text and all(m in text for m in WITHHELD_MEASURES) and "内部资料" in text


def test_internal_sheet_needs_an_insider_role(ledger, tmp_path):
    path = ledger.folder / "ledger.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "people:\n  - name: reg\n    roles: [registrar, responsible]\n  - name: resp\n    roles: [responsible]\n  - name: aud\n    roles: [auditor]\n",
        encoding="utf-8",
    )
    ledger("import", REPO / "examples" / "feedback.yaml", actor="reg")  # its planned measures need responsible too
    refused = ledger("sheet", "--inspection", "XC2020-2", "--out", tmp_path / "x.xlsx", "--internal", actor="resp", expect=1)
    assert "resp may not run `ledger sheet`" in refused.stderr and not (tmp_path / "x.xlsx").exists()
    ledger("sheet", "--inspection", "XC2020-2", "--out", tmp_path / "x.xlsx", actor="resp")  # the public one
    ledger("sheet", "--inspection", "XC2020-2", "--out", tmp_path / "y.xlsx", "--internal", actor="aud")


def test_sheet_refuses_other_files_and_unknown_inspections(ledger, tmp_path):
    ledger("import", REPO / "examples" / "feedback.yaml")
    assert "write the ledger sheet to an .xlsx or .docx file" in ledger("sheet", "--inspection", "XC2020-2", "--out", tmp_path / "t.pdf", expect=2).stderr
    assert "XC9" in ledger("sheet", "--inspection", "XC9", "--out", tmp_path / "t.xlsx", expect=1).stderr
    assert not (tmp_path / "t.xlsx").exists()


# -- the Word report in 公文 layout ------------------------------------------------------------------


def _east_asian(run) -> str:
    from docx.oxml.ns import qn

    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def test_docx_report_is_laid_out_as_a_gongwen_and_says_what_the_markdown_says(round_ledger, tmp_path):
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING

    ledger = round_ledger
    out = tmp_path / "report.docx"
    assert f"wrote {out}" in ledger.out("publish", "--inspection", "XC2020-12-1", "--format", "docx", "--out", out, "--no-sign")
    markdown = ledger.out("publish", "--inspection", "XC2020-12-1", "--no-sign")
    document = Document(out)
    section = document.sections[0]
    assert abs(section.page_width.mm - 210) < 0.2 and abs(section.page_height.mm - 297) < 0.2
    for side, mm in (("top", 37), ("bottom", 35), ("left", 28), ("right", 26)):
        assert abs(getattr(section, f"{side}_margin").mm - mm) < 0.1, side
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    # The same blocks, in the same order, as the markdown report.
    expected = [line.lstrip("#").strip() for line in markdown.split("\n\n") if line.strip()]
    expected.insert(len(expected) - 1, "县水利局党组")  # the docx alone carries the 公文's 署名, above the date
    # The title's explicit line breaks (between words, GB/T 9704 7.3.1) are the docx's alone.
    assert [p.text.replace("\n", "") for p in paragraphs] == expected
    title = paragraphs[0]
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert _east_asian(title.runs[0]) == "方正小标宋简体" and title.runs[0].font.size.pt == 22
    fonts = {p.text: (_east_asian(p.runs[0]), p.runs[0].font.size.pt) for p in paragraphs[1:]}
    assert fonts["一、巡察反馈意见整改落实情况"] == ("黑体", 16)  # no narratives here: no empty 一、党组织… heading
    assert fonts["（一）党的领导方面"] == ("楷体_GB2312", 16)
    assert fonts["1.关于“学习贯彻上级决策部署不到位”的问题。"] == ("仿宋_GB2312", 16)
    assert fonts["6.（依规不予公开）"] == ("仿宋_GB2312", 16)
    for p in paragraphs[1:]:
        assert p.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY and p.paragraph_format.line_spacing.pt == 28
    three = next(p.text for p in paragraphs if p.text.startswith("反馈问题"))
    total = ledger.json("summary", "--inspection", "XC2020-12-1")["total"]
    assert f"反馈问题{total['problems']}个，已完成整改{total['completed']}个，基本完成、持续整改{total['ongoing']}个" in three
    # Page numbers: a PAGE field between dashes, odd pages right and even pages left.
    with zipfile.ZipFile(out) as z:
        footers = [z.read(n).decode() for n in z.namelist() if n.startswith("word/footer")]
        settings = z.read("word/settings.xml").decode()
    assert len(footers) >= 2 and all("PAGE" in f and "— " in f and " —" in f for f in footers)
    assert "evenAndOddHeaders" in settings
    assert section.footer.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert section.even_page_footer.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT


def test_docx_report_needs_a_docx_file(ledger, tmp_path):
    ledger("import", REPO / "examples" / "feedback.yaml")
    err = ledger("publish", "--inspection", "XC2020-2", "--format", "docx", expect=2).stderr
    assert "--format docx writes a Word document: give --out FILE.docx" in err
    ledger("publish", "--inspection", "XC2020-2", "--format", "docx", "--out", tmp_path / "r.md", expect=2)
    assert not (tmp_path / "r.md").exists()


def test_signed_docx_report_carries_the_checkpoint(ledger, tmp_path):
    from docx import Document

    ledger("import", REPO / "examples" / "feedback.yaml")
    ledger("keygen")
    out = tmp_path / "signed.docx"
    ledger("publish", "--inspection", "XC2020-2", "--format", "docx", "--out", out)
    from ledger.checkpoint import BEGIN, END

    text = "\n".join(p.text for p in Document(out).paragraphs)
    block = text[text.index(BEGIN): text.index(END) + len(END)]
    # The block as printed in the Word file is a checkpoint an auditor can check the ledger against.
    assert "checkpoint: " in ledger.out("audit", "--verify", "--checkpoint", block)


# -- --format xlsx --out on read commands -----------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["status"],
        ["status", "--inspection", "XC2020-12-2"],
        ["summary"],
        ["audit", "--inspection", "XC2020-12-3"],
        ["history", "XC2020-12-1-1"],
        ["due", "--as-of", "2020-10-01"],
        ["reviews"],
    ],
    ids=lambda a: " ".join(a),
)
def test_read_commands_write_xlsx(round_ledger, tmp_path, argv):
    import csv
    import io

    from openpyxl import load_workbook

    ledger = round_ledger
    out = tmp_path / "out.xlsx"
    assert f"wrote {out}" in ledger.out(*argv, "--format", "xlsx", "--out", out)
    ws = load_workbook(out).active
    listed = [r for r in csv.reader(io.StringIO(ledger.out(*argv, "--format", "csv"))) if r]
    rows = [[("" if v is None else v) for v in r] for r in ws.iter_rows(values_only=True) if any(v is not None for v in r)]
    assert len(rows) == len(listed)
    assert [str(v) for v in rows[0]] == listed[0] and ws["A1"].font.bold
    for got, want in zip(rows, listed):
        assert len(got) >= len(want)
        for v, w in zip(got, want):
            if isinstance(v, datetime):  # an ISO date became a real date cell
                assert v.date().isoformat() == w
            elif isinstance(v, (int, float)):  # numbers became numbers
                assert float(w) == v
            else:
                assert str(v) == w
    assert all(ws.column_dimensions[chr(65 + i)].width for i in range(len(listed[0])))


def test_xlsx_needs_out_and_out_takes_every_format(round_ledger, tmp_path):
    ledger = round_ledger
    err = ledger("status", "--format", "xlsx", expect=2).stderr
    assert "--format xlsx writes a workbook, not text: give --out FILE.xlsx" in err
    assert "ends in .xlsx" in ledger("status", "--format", "xlsx", "--out", tmp_path / "s.csv", expect=2).stderr
    assert not (tmp_path / "s.csv").exists()
    ledger("status", "--format", "csv", "--out", tmp_path / "s.csv")
    raw = (tmp_path / "s.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.decode("utf-8-sig").strip() == ledger.out("status", "--format", "csv").strip()
    # A command's own exit status survives the file: due --check still exits 1 on overdue items.
    ledger("due", "--as-of", "2021-06-01", "--check", "--format", "xlsx", "--out", tmp_path / "due.xlsx", expect=1)
    assert (tmp_path / "due.xlsx").exists()


# -- CSV as Excel/WPS save it, and errors naming the file's own columns ------------------------------

ZH_HEADER = "巡察编号,巡察名称,被巡察单位,巡察组,巡察类型,进驻时间,结束时间,反馈时间,序号,问题类别,反馈问题,整改类型,整改时限,责任领导,责任单位,责任人,整改措施,措施时限\n"
ZH_ROWS = (
    "XC2021-1,县委第一巡察组对县财政局党组的巡察,县财政局党组,县委第一巡察组,常规,2021-03-01,2021-04-15,2021-06-01,"
    "1,党的领导方面,关于“学习不深入”的问题,限期整改,2021-09-30,张明,办公室,李华,修订学习制度。,2021-08-31\n"
    ",,,,,,,,,,,,,,,,建立学习台账。,\n"
    ",,,,,,,,2,全面从严治党方面,关于“资金管理不规范”的问题,立行立改,2021-07-31,王强,财务股,赵敏,清退违规补贴。,\n"
)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_csv_in_every_office_encoding_with_chinese_headings(ledger, tmp_path, encoding):
    path = tmp_path / f"{encoding}.csv"
    path.write_bytes((ZH_HEADER + ZH_ROWS).encode(encoding))
    record = ledger.json("import", path)
    assert record["added"] == 2 and record["measures"] == 3 and record["inspection_added"]
    view = ledger.json("show", "XC2021-1-1")
    assert view["assignee"]["person"] == "李华" and [m["text"] for m in view["measures"]] == ["修订学习制度。", "建立学习台账。"]
    assert ledger.json("show", "XC2021-1")["organisation"] == "县财政局党组"


def test_csv_encoding_given(ledger, tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes((ZH_HEADER + ZH_ROWS).encode("gbk"))
    assert ledger.json("import", path, "--encoding", "gbk")["added"] == 2
    err = ledger("import", path, "--encoding", "utf-8", expect=2).stderr
    assert "gbk.csv: line 1: is not utf-8 text" in err
    assert "--encoding: 'klingon' is not a known text encoding" in ledger("import", path, "--encoding", "klingon", expect=2).stderr


@pytest.mark.parametrize(
    "old, new, message",
    [
        (",2021-09-30,", ",2021-13-30,", "line 2: 整改时限: '2021-13-30' is not a valid date"),
        (",常规,", ",年度,", "line 2: 巡察类型: '年度' is not one of"),
        (",2021-04-15,", ",2021-02-15,", "line 2: 结束时间: 2021-02-15 is before start"),
        (",,,,,,,,,,,,,,,,建立学习台账。,", ",,,,,,,,,,,立行立改,,,,,建立学习台账。,", "line 3: 整改类型: a continuation row"),
    ],
)
def test_csv_errors_name_the_column_as_the_file_spells_it(ledger, tmp_path, old, new, message):
    text = ZH_HEADER + ZH_ROWS
    assert old in text
    path = tmp_path / "bad.csv"
    path.write_bytes(text.replace(old, new, 1).encode("gbk"))
    err = ledger("import", path, expect=2).stderr
    assert f"bad.csv: {message}" in err, err
    assert ledger.query("SELECT COUNT(*) FROM ledger_problems")[0][0] == 0


def test_a_missing_title_column_names_it_and_what_the_file_has(ledger, tmp_path):
    """An unknown heading is kept as an extra column (issue 25); the title column it may have meant is then missing."""
    path = tmp_path / "bad.csv"
    path.write_text(ZH_HEADER.replace("反馈问题", "问题反映") + ZH_ROWS, encoding="utf-8")
    assert "line 1: column 'title' is missing" in ledger("import", path, expect=2).stderr


# -- xlsx errors name the sheet, the row and the column -------------------------------------------


def _workbook(path: Path, rows: list[list], *, sheets: tuple[str, ...] = ("台账",)) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = sheets[0]
    for name in sheets[1:]:
        book.create_sheet(name)
    for name in sheets[:-1]:
        book[name].append(["填表说明：问题按巡察反馈意见逐条填写。"])
    for row in rows:
        book[sheets[-1]].append(row)
    book.save(path)
    return path


HEADINGS = ["巡察编号", "巡察名称", "被巡察单位", "巡察组", "巡察类型", "进驻时间", "结束时间", "反馈时间", "序号", "问题类别", "反馈问题", "整改时限", "整改措施"]
FIRST = ["XC2021-2", "对县审计局党组的巡察", "县审计局党组", "县委第二巡察组", "常规", datetime(2021, 3, 1), "2021-04-15", datetime(2021, 6, 1)]


def test_xlsx_error_names_sheet_row_and_heading(ledger, tmp_path):
    rows = [
        HEADINGS,
        FIRST + [1, "作风方面", "关于“文山会海”的问题", "2021-09-30", "精简会议"],
        [None] * 8 + [2, "作风方面", "关于“督查检查过多”的问题", "2021-13-01", "压减检查"],
    ]
    path = _workbook(tmp_path / "bad.xlsx", rows)
    err = ledger("import", path, expect=2).stderr
    assert "bad.xlsx: sheet 台账, row 3: 整改时限: '2021-13-01' is not a valid date" in err, err
    assert ledger.query("SELECT COUNT(*) FROM ledger_problems")[0][0] == 0


def test_a_stray_cell_far_out_is_refused_in_the_readers_language(ledger, tmp_path):
    """A cell typed far beyond the list (column 200) is one line naming it, in Chinese on a Chinese screen too."""
    rows = [HEADINGS, FIRST + [1, "作风方面", "关于“文山会海”的问题", "2021-09-30", "精简会议"], [None] * 199 + ["x"]]
    path = _workbook(tmp_path / "far.xlsx", rows)
    en = ledger("--lang", "en", "import", path, expect=2).stderr
    assert "its dimension A1:GR3 reaches past row 100,000 or column 128 (no feedback list is that large" in en and "台账 is" not in en, en
    zh = ledger("--lang", "zh", "import", path, expect=2).stderr
    assert "表格范围 A1:GR3 超出第 100,000 行或第 128 列（台账不会这么大" in zh and "delete the" not in zh, zh
    assert ledger.query("SELECT COUNT(*) FROM ledger_problems")[0][0] == 0


def test_xlsx_sheet_option(ledger, tmp_path):
    rows = [HEADINGS, FIRST + [1, "作风方面", "关于“文山会海”的问题", datetime(2021, 9, 30), "精简会议"]]
    path = _workbook(tmp_path / "book.xlsx", rows, sheets=("说明", "台账"))
    assert "sheet 说明" in ledger("import", path, expect=2).stderr  # the first sheet is read by default
    assert "--sheet: " in ledger("import", path, "--sheet", "Sheet9", expect=2).stderr
    assert "(sheets: 说明, 台账)" in ledger("import", path, "--sheet", "Sheet9", expect=2).stderr
    assert ledger.json("import", path, "--sheet", "台账")["added"] == 1
    assert ledger.json("show", "XC2021-2-1")["deadline"] == "2021-09-30"
    assert "only an .xlsx workbook has sheets" in ledger("import", REPO / "examples" / "feedback.csv", "--sheet", "x", expect=2).stderr


def test_xlsx_merged_problem_cells_are_one_problem_with_a_measure_per_row(ledger, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.append(HEADINGS)
    ws.append(FIRST + [1, "作风方面", "关于“文山会海”的问题", "2021-09-30", "精简会议"])
    ws.append([None] * 12 + ["压缩文件"])
    ws.append([None] * 12 + ["改进文风"])
    ws.append([None] * 8 + [2, None, "关于“督查检查过多”的问题", "2021-09-30", "压减检查"])
    for letter in "ABCDEFGH":
        ws.merge_cells(f"{letter}2:{letter}5")  # the inspection's header over all its rows
    for letter in "IKL":
        ws.merge_cells(f"{letter}2:{letter}4")  # problem 1 over its three measures
    ws.merge_cells("J2:J5")  # one category over both problems
    path = tmp_path / "merged.xlsx"
    book.save(path)
    record = ledger.json("import", path)
    assert record["added"] == 2 and record["measures"] == 4
    assert [m["text"] for m in ledger.json("show", "XC2021-2-1")["measures"]] == ["精简会议", "压缩文件", "改进文风"]
    assert ledger.json("show", "XC2021-2-2")["category"] == "作风方面"


def test_round_workbook_example_is_what_the_generator_writes(tmp_path):
    from openpyxl import load_workbook

    fresh = load_workbook(write_round_workbook(tmp_path / "round.xlsx")).active
    example = load_workbook(ROUND_XLSX).active
    assert [[c.value for c in r] for r in fresh.iter_rows()] == [[c.value for c in r] for r in example.iter_rows()]
    assert {str(r) for r in fresh.merged_cells.ranges} == {str(r) for r in example.merged_cells.ranges}
    assert len(CATEGORIES) == 3


def test_executable_imports_the_round_and_writes_the_sheets(tmp_path):
    assert run_executable("init", cwd=tmp_path).returncode == 0
    done = run_executable("import", ROUND_XLSX, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("imported 10 problems") == 3
    for suffix in ("xlsx", "docx"):
        made = run_executable("sheet", "--inspection", "XC2020-12-2", "--out", f"台账.{suffix}", cwd=tmp_path)
        assert made.returncode == 0, made.stderr
        assert zipfile.is_zipfile(tmp_path / f"台账.{suffix}")
    report = run_executable("publish", "--inspection", "XC2020-12-2", "--format", "docx", "--out", "report.docx", "--no-sign", cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    bad = run_executable("status", "--format", "xlsx", cwd=tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


# -- CSV and xlsx share one path: the same 台账 either way reads the same ----------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_texts = st.text(alphabet="整改措施制度学习台账清查文件会议abc123", min_size=1, max_size=12)
_problems = st.lists(
    st.tuples(st.sampled_from(CATEGORIES), _texts, st.lists(_texts, min_size=1, max_size=4), st.booleans()),
    min_size=1,
    max_size=6,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(problems=_problems)
def test_merged_xlsx_and_continuation_csv_read_the_same(tmp_path_factory, problems):
    """A 台账 written as xlsx with merged cells and as CSV with continuation rows gives the same list."""
    import csv

    from openpyxl import Workbook

    from ledger.feedback import read_feedback_lists

    folder = tmp_path_factory.mktemp("same")
    header = ["巡察编号", "巡察名称", "被巡察单位", "巡察组", "巡察类型", "进驻时间", "结束时间", "序号", "问题类别", "反馈问题", "责任人", "责任领导", "责任单位", "整改措施"]
    inspection = ["XC1", "名称", "单位", "巡察组", "常规", "2021-03-01", "2021-04-15"]
    rows: list[list] = []
    merges: list[tuple[int, int, int]] = []  # (column, first row, last row) in sheet rows
    for n, (category, title, measures, people) in enumerate(problems, 1):
        first = len(rows) + 2
        who = ["李华", "张明", "办公室"] if people else ["", "", ""]
        for m, text in enumerate(measures):
            if m == 0:
                rows.append((inspection if n == 1 else [""] * 7) + [str(n), category, f"关于“{title}{n}”的问题"] + who + [text])
            else:
                rows.append([""] * 13 + [text])
        if len(measures) > 1:
            merges += [(c, first, first + len(measures) - 1) for c in range(8, 14)]
    csv_path = folder / "list.csv"
    with csv_path.open("w", encoding="gbk", newline="") as f:
        csv.writer(f).writerows([header] + rows)
    book = Workbook()
    ws = book.active
    ws.append(header)
    for row in rows:
        ws.append([v or None for v in row])
    for c, a, b in merges:
        ws.merge_cells(start_row=a, start_column=c, end_row=b, end_column=c)
    xlsx_path = folder / "list.xlsx"
    book.save(xlsx_path)

    def content(lists):
        return [
            (f.inspection.fields(), [(p.number, p.category, p.title, p.lead, p.unit, p.person, [m.text for m in p.measures]) for p in f.problems])
            for f in lists
        ]

    from_csv, from_xlsx = read_feedback_lists(csv_path), read_feedback_lists(xlsx_path)
    assert content(from_csv) == content(from_xlsx)
    assert [len(p.measures) for p in from_xlsx[0].problems] == [len(m) for _, _, m, _ in problems]


def test_the_docs_say_the_documents_dates_are_chinese_in_either_language():
    """Review of issue 30, finding 19: docs/office-files.md said the 台账 and report print ISO dates under --lang en,
    where README and the product (test_sheet_dates_are_chinese_whatever_the_screens_language) print 2020年4月15日."""
    text = " ".join((REPO / "docs" / "office-files.md").read_text(encoding="utf-8").split())
    paragraph = text[text.index("Dates in the 台账"):].split(". ")[0]
    assert "whatever the screen's language" in paragraph and "under `--lang en`" in paragraph, paragraph
    assert "ISO (2020-04-15) under `--lang en`" not in text
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    assert "The documents are Chinese whatever the screen's language" in readme
