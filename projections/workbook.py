"""Writing xlsx workbooks (openpyxl): any listing as a table, and the standard 台账.

Column widths are counted in display cells (a CJK character is two, as
`wcwidth` counts them), long texts wrap, headers are bold, and the first
rows stay put when scrolling. Imported only by the commands that write xlsx.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any, Sequence

from ledger.errors import InvalidInput
from ledger.messages import t

MAX_WIDTH = 60  # wider cells wrap
_WHOLE = re.compile(r"-?(0|[1-9]\d{0,14})")
_DECIMAL = re.compile(r"-?(0|[1-9]\d{0,14})\.\d{1,6}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def display_width(text: str) -> int:
    """The widest line of `text` in terminal cells (CJK counts two)."""
    from wcwidth import wcswidth

    return max((max(wcswidth(line), len(line)) for line in str(text).splitlines() or [""]), default=0)


def typed(text: str) -> Any:
    """A cell's text as Excel should hold it: whole numbers, decimals and ISO dates become values."""
    if _WHOLE.fullmatch(text):
        return int(text)
    if _DECIMAL.fullmatch(text):
        return float(text)
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return text
    return text


def as_text(cell: Any) -> Any:
    """Keep a text cell a string cell: openpyxl would store a text starting with '=' as a live formula."""
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell


def _style_header(ws: Any, row: int, count: int) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin")
    for c in range(1, count + 1):
        cell = ws.cell(row=row, column=c)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)


def set_widths(ws: Any, widths: dict[int, int]) -> None:
    from openpyxl.utils import get_column_letter

    for c, w in widths.items():
        ws.column_dimensions[get_column_letter(c)].width = min(MAX_WIDTH, max(6, w + 2))


def save(book: Any, path: str | Path, option: str = "--out") -> None:
    try:
        book.save(str(path))
    except OSError as e:
        raise InvalidInput(t("{option}: cannot write {path}: {value}", option=option, path=path, value=e.strerror or e)) from None


def write_tables(path: str | Path, tables: Sequence[list[list[str]]], title: str = "ledger") -> None:
    """Tables (each: a header row, then rows of text) one under another on one sheet, a blank row between."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    book = Workbook()
    ws = book.active
    ws.title = title[:31]
    widths: dict[int, int] = {}
    row = 1
    for table in tables:
        if not table:
            continue
        header, *body = table
        for c, text in enumerate(header, 1):
            as_text(ws.cell(row=row, column=c, value=text))
            widths[c] = max(widths.get(c, 0), display_width(text))
        _style_header(ws, row, len(header))
        if row == 1:
            ws.freeze_panes = "A2"
        row += 1
        for values in body:
            for c, text in enumerate(values, 1):
                value = typed(text)
                cell = as_text(ws.cell(row=row, column=c, value=value))
                if isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
                if isinstance(value, str) and (display_width(value) > MAX_WIDTH or "\n" in value):
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                widths[c] = max(widths.get(c, 0), 10 if isinstance(value, date) else display_width(text))
            row += 1
        row += 1
    set_widths(ws, widths)
    _print_landscape(ws, title_rows="1:1")
    save(book, path)


def _print_landscape(ws: Any, title_rows: str) -> None:
    """A4 landscape, one page wide (as many pages long as it takes), the header row on every page."""
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.print_title_rows = title_rows
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    # The footer (page numbers) sits 0.25 in from the edge: at openpyxl's 0.5 in it would have
    # 0.1 in of the 0.6 in bottom margin, and LibreOffice cuts the line in half.
    ws.page_margins.header = ws.page_margins.footer = 0.25
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _lines(text: Any, chars: float) -> int:
    """How many lines `text` takes in a column `chars` CJK characters wide."""
    import math

    return sum(max(1, math.ceil(display_width(line) / 2 / chars)) for line in str(text).splitlines() or [""])


def _merge(ws: Any, first_row: int, first_column: int, last_row: int, last_column: int) -> None:
    """Merge cells, without openpyxl's check against every earlier range (quadratic; ours never overlap)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.cell_range import CellRange

    ref = f"{get_column_letter(first_column)}{first_row}:{get_column_letter(last_column)}{last_row}"
    ws.merged_cells.ranges.add(CellRange(ref))  # (a MergedCellRange would also re-read every border)


CENTRED = ("序号", "责任领导", "责任单位", "责任人", "整改时限", "完成情况", "销号情况")


def write_sheet(path: str | Path, sheet: Any) -> None:
    """The 台账 as xlsx: title rows, bold repeated header, problem cells merged over their measures, A4 landscape."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
    from openpyxl.utils import get_column_letter

    from projections.sheet import COLUMNS, MEASURE_COLUMNS, column_widths

    widths = column_widths(sheet)  # in CJK characters, from the content
    book = Workbook()
    ws = book.active
    ws.title = "台账"
    n = len(COLUMNS)
    last = get_column_letter(n)
    thin = Side(style="thin")
    box = Border(top=thin, bottom=thin, left=thin, right=thin)
    body_font = Font(name="宋体", size=10.5)
    line_height = 14.5  # points per line of 10.5 pt text
    for name, horizontal in (("台账居中", "center"), ("台账居左", "left")):
        style = NamedStyle(name=name, font=body_font, border=box)
        style.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=True)
        book.add_named_style(style)

    ws.append([sheet.title])
    as_text(ws["A1"])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(name="黑体", size=16)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[1].height = 32
    ws.append([sheet.subtitle])
    as_text(ws["A2"])
    ws.merge_cells(f"A2:{last}2")
    ws["A2"].font = Font(name="宋体", size=10.5)
    ws["A2"].alignment = Alignment(horizontal="right", vertical="center")
    ws.append(list(COLUMNS))
    for c in range(1, n + 1):
        cell = ws.cell(row=3, column=c)
        cell.font = Font(name="黑体", size=10.5, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = box
    ws.row_dimensions[3].height = 30

    row = 4
    for problem in sheet.problems:
        first = row
        needed = 0  # lines the problem's own cells need, spread over its rows
        for c, name in enumerate(COLUMNS, 1):
            if name not in MEASURE_COLUMNS:
                needed = max(needed, _lines(problem.cells[name], widths[name]))
        for measure in problem.measures:
            lines = 1
            for c, name in enumerate(COLUMNS, 1):
                value = measure[name] if name in MEASURE_COLUMNS else (problem.cells[name] if row == first else None)
                cell = ws.cell(row=row, column=c, value=value)
                if cell.data_type == "f":  # text written as text, never a formula
                    cell.data_type = "s"
                if name in MEASURE_COLUMNS:
                    lines = max(lines, _lines(value, widths[name]))
            ws.row_dimensions[row].height = lines * line_height + 4
            row += 1
        span = row - first
        total = sum(ws.row_dimensions[r].height for r in range(first, row))
        if needed * line_height + 4 > total:  # the merged cells need more room than the measures give
            extra = (needed * line_height + 4 - total) / span
            for r in range(first, row):
                ws.row_dimensions[r].height += extra
        for c, name in enumerate(COLUMNS, 1):
            style = "台账居中" if name in CENTRED else "台账居左"
            for r in range(first, row):
                ws.cell(row=r, column=c).style = style  # one named style: setting font, border … per cell is slow
            if name not in MEASURE_COLUMNS and span > 1:
                _merge(ws, first, c, row - 1, c)
    as_text(ws.cell(row=row, column=1, value=sheet.totals))
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n)
    ws.cell(row=row, column=1).font = body_font
    ws.cell(row=row, column=1).alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    ws.row_dimensions[row].height = _lines(sheet.totals, sum(widths.values())) * line_height + 6

    for c, name in enumerate(COLUMNS, 1):
        ws.column_dimensions[get_column_letter(c)].width = widths[name] * 2 + 1
    ws.freeze_panes = "A4"
    _print_landscape(ws, title_rows="3:3")
    if sheet.others:
        _others_worksheet(book, sheet, box, body_font)
    save(book, path)


def _others_worksheet(book: Any, sheet: Any, box: Any, body_font: Any) -> None:
    """The 台账's own columns (kept with each problem as the file had them) on a worksheet of their own, by 序号,
    each under its heading: the office's columns back, beside the standard 台账 (which keeps to one A4 width)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from projections.sheet import OTHER

    ws = book.create_sheet(OTHER)
    headings = ["序号", "反馈问题", *sheet.others]
    ws.append(headings)
    for c in range(1, len(headings) + 1):
        cell = ws.cell(row=1, column=c)
        cell.font = Font(name="黑体", size=10.5, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = box
    for problem in sheet.problems:
        ws.append([problem.cells["序号"], problem.cells["反馈问题"], *(problem.others.get(h, "") for h in sheet.others)])
        for cell in ws[ws.max_row]:
            if cell.data_type == "f":  # text written as text, never a formula
                cell.data_type = "s"
            cell.font, cell.border = body_font, box
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    for c, heading in enumerate(headings, 1):
        widest = max([display_width(str(heading))] + [display_width(str(ws.cell(row=r, column=c).value or "")) for r in range(2, ws.max_row + 1)])
        ws.column_dimensions[get_column_letter(c)].width = min(40, max(6, widest + 2))
    ws.freeze_panes = "C2"
    _print_landscape(ws, title_rows="1:1")
