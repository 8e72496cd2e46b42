"""Hostile xlsx files (issue 24, items 6, 7 and 13): each is one line, exit 2, in bounded time and memory.

Each workbook is a small valid 台账 written by openpyxl whose sheet XML is then edited as an
attacker (or a careless tool) would: a cell at XFD1048576, a merged range to the sheet's end,
broken XML, a DTD entity, an external entity, a formula whose value was never saved.
"""

from __future__ import annotations

import re
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ledger_executable, run_executable

HEADINGS = ["巡察编号", "巡察名称", "被巡察单位", "巡察组", "巡察类型", "进驻时间", "结束时间", "反馈时间", "序号", "问题类别", "反馈问题", "整改时限"]
ROW = ["XC2021-1", "县委第一巡察组对县财政局党组的巡察", "县财政局党组", "县委第一巡察组", "常规", "2021-03-01", "2021-04-15", "2021-05-10"]


def _workbook(path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = "台账"
    ws.append(HEADINGS)
    ws.append([*ROW, 1, "党的领导方面", "关于“理论学习走过场”的问题", "2021-09-30"])
    ws.append([None] * 8 + [2, "党的领导方面", "关于“重大事项不报告”的问题", "2021-10-31"])
    book.save(path)
    return path


def _edit_sheet(path: Path, edit, member: str = "xl/worksheets/sheet1.xml") -> Path:
    """Rewrite one member of the workbook's zip with `edit(text) -> text`."""
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename == member:
                data = edit(data.decode("utf-8")).encode("utf-8")
            z.writestr(info, data)
    return path


def _far_cell(text: str) -> str:
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    text = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', text)
    return text.replace("</sheetData>", far + "</sheetData>")


def _far_merge(text: str) -> str:
    merge = '<mergeCells count="1"><mergeCell ref="T80:XFD1048576"/></mergeCells>'
    return re.sub(r"(</sheetData>|<sheetData/>)", r"\1" + merge, text, count=1)


def _far_cell_without_dimension(text: str) -> str:
    return _far_cell(text).replace('<dimension ref="A1:XFD1048576"/>', "")


def _broken(text: str) -> str:
    return text.replace("</sheetData>", "<row r='9'><c r='A9'></sheetData>")


def _cell(text: str, ref: str, content: str) -> str:
    """Replace cell `ref`'s element with an inline string holding `content` (raw XML)."""
    return re.sub(rf'<c r="{ref}"[^>]*>.*?</c>', f'<c r="{ref}" t="inlineStr"><is><t>{content}</t></is></c>', text, count=1)


def _dtd_entity(text: str) -> str:
    laughs = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    return laughs + _cell(text, "J2", "&c;")


def _xxe(text: str) -> str:
    return '<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/hostname">]>' + _cell(text, "J2", "&x;")


ATTACKS = {
    "far-cell": (_far_cell, r"XFD1048576|row 1048576|1048576"),
    "far-cell-no-dimension": (_far_cell_without_dimension, r"XFD1048576|1048576"),
    "far-merge": (_far_merge, r"T80:XFD1048576"),
    "broken-xml": (_broken, r"not a readable xlsx|not well-formed|XML"),
    "dtd-entity": (_dtd_entity, r"entit|DTD"),
    "xxe": (_xxe, r"entit|DTD"),
}


def _limited(memory_mb: int):
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))

    return limit


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_hostile_xlsx_is_one_line_exit_2_in_bounded_time_and_memory(tmp_path, attack):
    """The installed `ledger`, under a 1 GB address-space limit and a 60 s timeout: one line on stderr, exit 2,
    no traceback, nothing written (the old code grew without limit, or printed a ParseError traceback)."""
    edit, wanted = ATTACKS[attack]
    folder = tmp_path / "ledger"
    folder.mkdir()
    assert run_executable("init", cwd=folder).returncode == 0
    path = _edit_sheet(_workbook(tmp_path / "台账.xlsx"), edit)
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_") or k == "LEDGER_LANG"}
    env.update(LEDGER_ACTOR="clerk", LEDGER_LANG="en")
    result = subprocess.run(
        [ledger_executable(), "import", str(path)], cwd=folder, env=env, capture_output=True, text=True,
        timeout=60, preexec_fn=_limited(1024),
    )
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-2000:]
    assert re.search(wanted, lines[0]), lines[0]
    assert "hostname" not in result.stdout + result.stderr
    status = run_executable("status", "--format", "json", cwd=folder)
    assert status.returncode == 0 and "XC2021-1" not in status.stdout


def test_a_formula_without_a_saved_value_is_refused_naming_the_cell(ledger, tmp_path):
    """A deadline typed as a formula and never calculated (a file written by a tool, not saved by Excel):
    the old code read it as empty and dropped the deadline silently."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = "台账"
    ws.append(HEADINGS)
    ws.append([*ROW, 1, "党的领导方面", "关于“理论学习走过场”的问题", "=DATE(2021,9,30)"])
    path = tmp_path / "公式.xlsx"
    book.save(path)
    result = ledger("import", path, expect=2)
    assert "L2" in result.stderr and "formula" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "XC2021-1" not in ledger.out("status")


def test_a_formula_with_a_saved_value_is_read_as_that_value(ledger, tmp_path):
    """What Excel saves: the formula and its last value; the value is what the 台账 shows, and is read."""
    path = _edit_sheet(
        _workbook(tmp_path / "公式.xlsx"),
        lambda t: re.sub(r'<c r="L2"[^>]*>.*?</c>', '<c r="L2" t="str"><f>TEXT(DATE(2021,9,30),"yyyy-mm-dd")</f><v>2021-09-30</v></c>', t, count=1),
    )
    ledger("import", path)
    assert ledger.json("show", "XC2021-1-1")["deadline"] == "2021-09-30"
