"""The 台账 as a Word table (`ledger sheet --out 台账.docx`): body rows written as XML, against python-docx's cell API.

    .venv/bin/python bench/sheet_docx.py                    # 500, 1,000 and 5,000 problems
    .venv/bin/python bench/sheet_docx.py --sizes 500 1000   # skip the slow baseline at 5,000

Builds a 台账 of N problems with three measures each (every problem's cells merged over
its three rows), then times, in the same run: `projections.word.sheet_document` (the body
as w:tr XML, parsed in batches) and, as the baseline, the same table filled through
python-docx's rows, cells and paragraphs (the way `sheet` wrote it before). Both documents
are saved and read back with python-docx to check they hold the same cell texts and the
same merges. Prints a markdown table: seconds to build and save each, and the ratio.
With --ledger N, also times the installed `ledger sheet` end to end (start-up, reading the
store, building, saving) on a generated ledger of one inspection with N problems
(bench/generate.py: three measures each), as docx and as xlsx.
The target: a 5,000-problem 台账 well under 10 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def make_sheet(n: int) -> Any:
    from projections.sheet import Sheet, SheetProblem

    problems = []
    for i in range(1, n + 1):
        cells = {
            "序号": i, "问题类别": "党的建设方面", "反馈问题": f"关于“第{i}项学习贯彻上级决策部署不到位”的问题",
            "责任领导": "周建国", "责任单位": "办公室", "责任人": "孙丽", "整改时限": "2020年12月31日",
            "销号情况": "已销号\n2020年8月10日" if i % 3 else "整改中",
        }
        problem = SheetProblem(cells)
        for m in range(1, 4):
            problem.measures.append({"整改措施": f"{m}. 修订理论学习中心组学习制度，每季度专题研讨不少于一次，形成研讨纪要。", "完成情况": "已完成\n2020年8月1日"})
        problems.append(problem)
    return Sheet("县水利局党组巡察反馈问题整改台账", "县委第一巡察组（XC2020-12-1）　截至2020年9月15日", problems, "合计：反馈问题…", False)


def baseline_document(sheet: Any) -> Any:
    """The table filled through python-docx's API, as `sheet` did before (title, styles and header as now)."""
    from docx import Document
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    from projections.sheet import COLUMNS, MEASURE_COLUMNS, WIDTHS
    from projections.word import BODY_FONT, _a4, _cell_text, _narrow_cell_margins, _repeat_header, _style_defaults, _table_style

    document = Document()
    _a4(document.sections[0], landscape=True, margins_mm={"top": 20, "bottom": 20, "left": 15, "right": 15, "footer": 10})
    _style_defaults(document, BODY_FONT, 10.5)
    body_style = _table_style(document, "台账正文", BODY_FONT, 10.5)
    heading_style = _table_style(document, "台账表头", "黑体", 10.5)
    total = sum(WIDTHS.values())
    widths = [Mm(267 * WIDTHS[c] / total) for c in COLUMNS]
    table = document.add_table(rows=1 + sheet.row_count, cols=len(COLUMNS))
    rows = iter(list(table.rows))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _narrow_cell_margins(table)
    for c, column in enumerate(table.columns):
        column.width = widths[c]
    centre, left, middle = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_CELL_VERTICAL_ALIGNMENT.CENTER
    header = next(rows)
    _repeat_header(header)
    for c, name in enumerate(COLUMNS):
        header.cells[c].width = widths[c]
        header.cells[c].vertical_alignment = middle
        _cell_text(header.cells[c], name, heading_style, centre)
    for problem in sheet.problems:
        span = len(problem.measures)
        for i, measure in enumerate(problem.measures):
            cells = next(rows).cells
            for c, name in enumerate(COLUMNS):
                cell = cells[c]
                cell.width = widths[c]
                cell.vertical_alignment = middle
                if name in MEASURE_COLUMNS:
                    _cell_text(cell, measure[name], body_style, left if name == "整改措施" else centre)
                    continue
                if i == 0:
                    _cell_text(cell, problem.cells[name], body_style, left if name in ("问题类别", "反馈问题") else centre)
                if span > 1:
                    cell._tc.vMerge = "restart" if i == 0 else "continue"
    return document


def content(path: Path) -> list[tuple[tuple[str, ...], ...]]:
    """Each cell as python-docx reads the saved file: text, merge, width, vertical alignment, paragraph style, alignment."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.table import _Cell

    def attr(parent: Any, path: str) -> str:
        found = parent.find(path, {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}) if parent is not None else None
        return "" if found is None else (found.get(qn("w:val")) or found.get(qn("w:w")) or "continue")

    table = Document(str(path)).tables[0]
    return [
        tuple(
            (_Cell(tc, None).text, attr(tc.tcPr, "w:vMerge"), attr(tc.tcPr, "w:tcW"), attr(tc.tcPr, "w:vAlign"),
             attr(tc.p_lst[0].pPr, "w:pStyle"), attr(tc.p_lst[0].pPr, "w:jc"))
            for tc in tr.tc_lst
        )
        for tr in table._tbl.tr_lst
    ]


def timed(build: Any, sheet: Any, path: Path) -> float:
    start = time.perf_counter()
    build(sheet).save(str(path))
    return time.perf_counter() - start


def main() -> None:
    import tabulate

    from projections.word import sheet_document

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 1000, 5000])
    parser.add_argument("--ledger", type=int, default=0, metavar="N", help="also time `ledger sheet` on a ledger of N problems")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for n in args.sizes:
            sheet = make_sheet(n)
            fast, slow = Path(folder) / f"xml-{n}.docx", Path(folder) / f"api-{n}.docx"
            xml_s = timed(sheet_document, sheet, fast)
            api_s = timed(baseline_document, sheet, slow)
            same = content(fast) == content(slow)
            rows.append([f"{n:,}", f"{sheet.row_count:,}", f"{api_s:.2f}", f"{xml_s:.2f}", f"{api_s / xml_s:.1f}×", "yes" if same else "NO"])
            print(f"{n:,} problems done", file=sys.stderr)
    print(tabulate.tabulate(rows, headers=["problems", "measure rows", "python-docx API s", "XML rows s", "speed-up", "same table"], tablefmt="github", disable_numparse=True))
    if args.ledger:
        print()
        print(end_to_end(args.ledger))


def end_to_end(n: int) -> str:
    """`ledger sheet` through the installed executable on a generated ledger of one inspection with n problems."""
    import os
    import subprocess

    import tabulate

    sys.path.insert(0, str(REPO / "bench"))
    from generate import code_of, generate

    executable = str(Path(sys.executable).parent / "ledger")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([executable, "init"], cwd=folder, env=env, check=True, capture_output=True)
        generate(str(Path(folder) / "ledger.db"), 1, problems=n)
        for suffix in ("docx", "xlsx"):
            start = time.perf_counter()
            done = subprocess.run([executable, "sheet", "--inspection", code_of(0), "--out", f"台账.{suffix}"], cwd=folder, env=env, capture_output=True, text=True)
            seconds = time.perf_counter() - start
            assert done.returncode == 0, done.stderr
            rows.append([f"ledger sheet --out 台账.{suffix}", f"{n:,}", f"{seconds:.2f}"])
    return tabulate.tabulate(rows, headers=["command", "problems", "s (wall, incl. start-up)"], tablefmt="github", disable_numparse=True)


if __name__ == "__main__":
    main()
