"""The standard 台账 (rectification ledger sheet) of one inspection, as rows ready to write.

One row per measure; the problem's own cells (序号, 问题类别, 反馈问题, 责任领导,
责任单位, 责任人, 整改时限, 销号情况) span its measure rows. The public sheet
leaves out withheld text exactly as the public report does (projections.publication):
a withheld problem shows its number, category, deadline and state, and WITHHELD
in place of its title and measures; withheld fields and measures are replaced
one by one. The internal sheet keeps everything and says so in its title.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ledger.values import NOT_FOUND, SIGNED_OFF_STATUSES
from ledger import vocabulary
from projections.publication import WITHHELD, _withheld_fields, _word, chinese_punctuation, figures_paragraph, report_date

COLUMNS = ("序号", "问题类别", "反馈问题", "整改措施", "责任领导", "责任单位", "责任人", "整改时限", "完成情况", "销号情况")
# A 台账's own columns the ledger has no field for (kept with each problem as the file had them): after the
# 台账's table, a table of their own (a worksheet in xlsx), by 序号, only when some problem has them.
OTHER = "原台账其他列"
# Per measure; every other column is the problem's and spans its rows.
MEASURE_COLUMNS = ("整改措施", "完成情况")
# Widths in CJK characters (with the cell's padding), for xlsx columns and docx cells.
# Together about 80 characters: an A4 landscape page at 10.5 pt.
# 整改时限, 完成情况 and 销号情况 hold a date as reports print it (2020年10月31日) on a line of its own.
WIDTHS = {"序号": 3.5, "问题类别": 5.5, "反馈问题": 10, "整改措施": 14, "责任领导": 5.5, "责任单位": 5.5, "责任人": 4, "整改时限": 11, "完成情况": 10.5, "销号情况": 10.5}

# Widths from the content (column_widths): at least the heading (on one line up to four characters) and MIN_WIDTH, at most
# MAX_WIDTHS (the rest wraps), all of them together at most PAGE_WIDTH (the text columns give way first).
MIN_WIDTH = 3.5
PAGE_WIDTH = sum(WIDTHS.values())
MAX_WIDTHS = {"反馈问题": 20, "整改措施": 24, "问题类别": 10}
MAX_WIDTH = 12
# A width unit is PAGE_WIDTH's share of the 267 mm line (3.34 mm); a 10.5 pt character takes 3.70 mm of it.
CHAR = 10.5 * 25.4 / 72 / (267 / PAGE_WIDTH)
WRAPPING = ("反馈问题", "整改措施", "问题类别", "责任单位")


def _chars(value: Any) -> float:
    """The widest line of a cell, in CJK characters (a digit or Latin letter half of one)."""
    import unicodedata

    def width(line: str) -> float:
        wide = [unicodedata.east_asian_width(ch) in "WF" for ch in line]
        # a quarter more at each change between Chinese and Latin text: the space Word and LibreOffice put there
        return sum(1 if w else 0.5 for w in wide) + 0.25 * sum(a != b for a, b in zip(wide, wide[1:]))

    lines = str(value).splitlines() if value not in (None, "") else []
    return max((width(line) for line in lines), default=0)


def column_widths(sheet: "Sheet") -> dict[str, float]:
    """Each column's width in CJK characters (with the cell's padding), from what it holds."""
    import math

    widest = {name: 0.0 for name in COLUMNS}
    for problem in sheet.problems:
        for name in COLUMNS:
            if name in MEASURE_COLUMNS:
                for measure in problem.measures:
                    widest[name] = max(widest[name], _chars(measure[name]))
            else:
                widest[name] = max(widest[name], _chars(problem.cells[name]))
    # A heading of up to four characters on one line (责任领导, never 责任领 / 导), a longer one on two.
    floor = {name: max(MIN_WIDTH, (len(name) if len(name) <= 4 else math.ceil(len(name) / 2)) * CHAR + 1.5) for name in COLUMNS}
    widths = {name: min(MAX_WIDTHS.get(name, MAX_WIDTH), max(floor[name], widest[name] * CHAR + 1.5)) for name in COLUMNS}
    # Wider than the page: the text columns give way first (they wrap), each by its share of room above
    # its floor; dates and names only when that is not enough.
    for giving in (WRAPPING, COLUMNS):
        excess = sum(widths.values()) - PAGE_WIDTH
        room = {name: widths[name] - floor[name] for name in giving}
        total = sum(room.values())
        if excess > 0 and total > 0:
            for name in giving:
                widths[name] -= min(excess, total) * room[name] / total
    return widths


# 销号情况: the problem's status by the vocabulary's word (已登记, 整改中, 已验收, 已销号 …): one state, one word,
# as `status`, the web view and the report print it.
SIGNOFF_STATES = vocabulary.zh(vocabulary.STATUSES)


@dataclass
class SheetProblem:
    cells: dict[str, Any]  # the problem's own columns
    measures: list[dict[str, str]] = field(default_factory=list)  # 整改措施, 完成情况 per measure row
    others: dict[str, str] = field(default_factory=dict)  # its 台账's own columns (OTHER), heading → cell


@dataclass
class Sheet:
    title: str
    subtitle: str
    problems: list[SheetProblem]
    totals: str  # the same figures as `summary` and the report's 三、整改成效
    internal: bool
    others: list[str] = field(default_factory=list)  # the headings of the 台账's own columns (OTHER), in order

    @property
    def row_count(self) -> int:
        return sum(len(p.measures) for p in self.problems)


def _local_day(moment: str | None) -> str:
    if not moment:
        return ""
    return report_date(datetime.fromisoformat(moment.replace("Z", "+00:00")).astimezone().date())


def _measure_state(m: dict[str, Any]) -> str:
    if m["status"] == "done":
        return f"{vocabulary.MEASURE_STATES['done'].zh}\n{_local_day(m.get('completed_at'))}"
    return vocabulary.MEASURE_STATES["planned"].zh + (f"，时限\n{report_date(m['due'])}" if m.get("due") else "")


def _signoff_state(view: dict[str, Any]) -> str:
    state = SIGNOFF_STATES.get(view["status"], view["status"])
    closing = [s for s in view.get("signoffs") or [] if s.get("outcome") == view["status"]]
    if view["status"] in SIGNED_OFF_STATUSES and closing:
        state += f"\n{_local_day(closing[-1]['at'])}"
    elif view.get("self_check"):
        state += f"\n{_local_day(view['self_check']['at'])}"
    elif view.get("extended_to"):  # an approved extension: a fact beside the status word, never a state of its own
        state += f"\n延期至{report_date(view['extended_to'])}"
    if view.get("overdue"):
        state += "\n" + vocabulary.COUNTS["overdue"].zh  # 逾期, as status, due and the summaries say it
    return state


def sheet_problem(view: dict[str, Any], number: int, *, internal: bool) -> SheetProblem:
    hidden = set() if internal else _withheld_fields(view)
    whole = "problem" in hidden
    assignee = view.get("assignee") or {}
    kept = view.get("columns") or {}
    own_number = next((k for k in kept if "".join(k.split()) == "序号"), None)
    if kept:  # problems from an office's own 台账: its 序号 as the file had it (repeated, 1-1, 一 …)
        number = kept.get(own_number) or view["number"]
    cells = {
        "序号": number,
        "问题类别": chinese_punctuation(view["category"]),
        "反馈问题": WITHHELD if whole or "title" in hidden else chinese_punctuation(view["title"]),
        "责任领导": "" if whole else assignee.get("lead") or "",
        "责任单位": "" if whole else assignee.get("unit") or "",
        "责任人": "" if whole else assignee.get("person") or "",
        "整改时限": report_date(view["deadline"]) if view.get("deadline") else "",
        "销号情况": _signoff_state(view),
    }
    problem = SheetProblem(cells)
    if not hidden:  # anything withheld: none of the file's own cells in the public sheet (they may repeat it)
        problem.others = {k: chinese_punctuation(str(v)) for k, v in kept.items() if k != own_number and str(v).strip()}
    if whole:
        problem.measures.append({"整改措施": WITHHELD, "完成情况": ""})
        return problem
    for m in view["measures"]:
        withheld = "measures" in hidden or m["id"] in hidden
        text = WITHHELD if withheld else chinese_punctuation(m["text"])
        # a withheld measure's due date is withheld with its text (review 30d item 22)
        problem.measures.append({"整改措施": text, "完成情况": _measure_state({**m, "due": None} if withheld else m)})
    if not problem.measures:
        problem.measures.append({"整改措施": "", "完成情况": ""})
    return problem


def build_sheet(
    *, inspection: dict[str, Any], problems: list[dict[str, Any]], summary: dict[str, Any], day: date, internal: bool,
) -> Sheet:
    """The 台账's rows: a Chinese document, its dates Chinese (2020年4月15日) whatever the screen's language."""
    word = _word(inspection)
    title = f"{inspection['organisation']}{word}反馈问题整改台账"
    sources = {v.get("source") for v in problems}
    if len(sources) == 1 and sources & {"审计", "督察", "检视", "自查"}:  # titled by the problems' source: 审计整改台账
        title = f"{inspection['organisation']}{sources.pop()}整改台账"
    if internal:
        title += "（内部资料，含不予公开内容）"
    subtitle = f"{inspection['group']}（{inspection['code']}）　截至{report_date(day)}"
    # 自查未发现 (docs/relapse.md, "Counting"): a copy sent to this unit for self-check that it did not find is none of its
    # 反馈问题: no row, as `publish` lists it not and every summary counts it not; the totals say how many apart.
    not_found = sum(1 for v in problems if v["status"] == NOT_FOUND and not v.get("parent"))
    problems = [v for v in problems if v["status"] != NOT_FOUND]
    rows = [sheet_problem(view, n, internal=internal) for n, view in enumerate(problems, start=1)]
    measures = sum(len(v["measures"]) for v in problems)
    done = sum(1 for v in problems for m in v["measures"] if m["status"] == "done")
    apart = f"另有举一反三下发自查、{vocabulary.STATUSES[NOT_FOUND].zh}的问题{not_found}个，不计入反馈问题。" if not_found else ""
    totals = f"合计：{figures_paragraph(summary)}整改措施{measures}项，已完成{done}项。{apart}"
    from projections.views import merge_headings

    others: list[str] = []
    for row in rows:  # each problem's in its file's order, the file's order kept across them
        merge_headings(others, row.others)
    return Sheet(title, subtitle, rows, totals, internal, others)
