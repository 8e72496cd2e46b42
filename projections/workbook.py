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
        raise InvalidInput(f"{option}: cannot write {path}: {e.strerror or e}") from None


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
            ws.cell(row=row, column=c, value=text)
            widths[c] = max(widths.get(c, 0), display_width(text))
        _style_header(ws, row, len(header))
        if row == 1:
            ws.freeze_panes = "A2"
        row += 1
        for values in body:
            for c, text in enumerate(values, 1):
                value = typed(text)
                cell = ws.cell(row=row, column=c, value=value)
                if isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
                if isinstance(value, str) and (display_width(value) > MAX_WIDTH or "\n" in value):
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                widths[c] = max(widths.get(c, 0), 10 if isinstance(value, date) else display_width(text))
            row += 1
        row += 1
    set_widths(ws, widths)
    save(book, path)
