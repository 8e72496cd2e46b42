"""An inspection's feedback list (反馈问题清单) read from YAML or CSV, checked whole.

`read_feedback_list()` checks every row before anything is written and reports
the first bad one as `FILE: line N: field: what is wrong`. The schema is
described in docs/import.md; examples are under examples/.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ledger import values
from ledger.errors import InvalidInput

INSPECTION_KEYS = ("code", "name", "organisation", "group", "kind", "start", "end", "feedback", "round")
PROBLEM_KEYS = (
    "number", "category", "title", "description", "type", "deadline", "source",
    "lead", "unit", "person", "measures",
)
MEASURE_KEYS = ("text", "due")
TOP_KEYS = ("inspection", "categories", "problems")


@dataclass
class InspectionSpec:
    code: str
    name: str
    organisation: str
    group: str
    kind: str
    start: date
    end: date
    feedback: date | None
    line: int
    round: str = ""  # noqa: A003 - the round (轮次) the inspection belongs to; optional

    def fields(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in INSPECTION_KEYS if k != "code"}


@dataclass(slots=True)  # a list of 50,000 problems is held while it is imported
class MeasureSpec:
    text: str
    due: date | None
    line: int


@dataclass(slots=True)
class ProblemSpec:
    number: int
    category: str
    title: str
    description: str
    type: str
    deadline: date | None
    source: str
    lead: str | None
    unit: str | None
    person: str | None
    line: int
    measures: list[MeasureSpec] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)  # field → its line, where known


@dataclass
class FeedbackList:
    path: str
    inspection: InspectionSpec
    problems: list[ProblemSpec]
    categories: list[str] | None = None
    unit: str = "line"  # how errors name a place: a file's line, or a sheet's row


def place(path: str, unit: str, line: int | None) -> str:
    """`FILE: line N`, or for a workbook `FILE: sheet NAME, row N`."""
    if not line:
        return path
    return f"{path}{', ' if unit == 'row' else ': '}{unit} {line}"


class _Where:
    """Names the file and line (or sheet and row) in every error, and each column as the file spells it."""

    def __init__(self, path: str, unit: str = "line"):
        self.path = path
        self.unit = unit
        self.labels: dict[str, str] = {}  # the name a message starts with → the file's heading

    def error(self, line: int | None, message: str) -> InvalidInput:
        return InvalidInput(f"{place(self.path, self.unit, line)}: {self._relabel(message)}")

    def _relabel(self, message: str) -> str:
        if not self.labels or ": " not in message:
            return message
        prefix, rest = message.split(": ", 1)
        names = prefix.split(", ")
        if not all(n in self.labels for n in names):
            return message
        return ", ".join(self.labels[n] for n in names) + ": " + rest

    def check(self, line: int | None, parse: Callable[[], Any]) -> Any:
        try:
            return parse()
        except InvalidInput as e:
            raise self.error(line, str(e)) from None


# -- checking one record, whatever the file format -----------------------------


# Fields holding a person's, unit's or organisation's name, and fields of free text.
NAME_FIELDS = ("organisation", "group", "lead", "unit", "person")
LONG_FIELDS = ("description", "measure text")


def _text(where: _Where, line: int, value: Any, name: str, *, required: bool) -> str:
    """A text cell, checked by the one grammar of typed values (ledger.values)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise where.error(line, f"{name}: is required and must not be empty")
        return ""
    if isinstance(value, (dict, list)):
        raise where.error(line, f"{name}: must be text, not a {'mapping' if isinstance(value, dict) else 'list'}")
    if isinstance(value, bool):
        raise where.error(line, f"{name}: must be text, not {str(value).lower()}")
    text = str(value)
    if name in LONG_FIELDS:
        return where.check(line, lambda: values.long_text(text, name, required=required))
    # One line: a spreadsheet cell's line breaks and tabs become spaces.
    text = " ".join(text.replace("\t", " ").replace("\r\n", " ").replace("\n", " ").split(" "))
    parse = values.name if name in NAME_FIELDS else values.short_text
    return where.check(line, lambda: parse(text, name) if required or text.strip() else "")


def _date(where: _Where, line: int, value: Any, name: str, *, required: bool) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise where.error(line, f"{name}: is required")
        return None
    return where.check(line, lambda: values.parse_date(value, name))


def _inspection(where: _Where, data: dict[str, Any], lines: dict[str, int], line: int) -> InspectionSpec:
    for key in data:
        if key not in INSPECTION_KEYS:
            raise where.error(lines.get(key, line), f"inspection: unknown field '{key}' (fields: {', '.join(INSPECTION_KEYS)})")

    def at(key: str) -> int:
        return lines.get(key, line)

    code = _text(where, at("code"), data.get("code"), "inspection code", required=True)
    code = where.check(at("code"), lambda: values.inspection_code(code))
    kind_text = _text(where, at("kind"), data.get("kind"), "kind", required=True)
    spec = InspectionSpec(
        code=code,
        name=_text(where, at("name"), data.get("name"), "name", required=True),
        organisation=_text(where, at("organisation"), data.get("organisation"), "organisation", required=True),
        group=_text(where, at("group"), data.get("group"), "group", required=True),
        kind=where.check(at("kind"), lambda: values.inspection_kind(kind_text)),
        start=_date(where, at("start"), data.get("start"), "start", required=True),  # type: ignore[arg-type]
        end=_date(where, at("end"), data.get("end"), "end", required=True),  # type: ignore[arg-type]
        feedback=_date(where, at("feedback"), data.get("feedback"), "feedback", required=False),
        line=line,
        round=_text(where, at("round"), data.get("round"), "round", required=False),
    )
    if spec.end < spec.start:
        raise where.error(at("end"), f"end: {spec.end} is before start {spec.start}")
    if spec.feedback is not None and spec.feedback < spec.start:
        raise where.error(at("feedback"), f"feedback: {spec.feedback} is before start {spec.start}")
    return spec


def _number(where: _Where, line: int, value: Any) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise where.error(line, "number: is required (the problem's number in the feedback list)")
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise where.error(line, f"number: '{value}' is not a whole number")
    return where.check(line, lambda: values.parse_count(value, "number", maximum=values.MAX_NUMBER, minimum=1))


def _problem(where: _Where, data: dict[str, Any], lines: dict[str, int], line: int) -> ProblemSpec:
    for key in data:
        if key not in PROBLEM_KEYS:
            raise where.error(lines.get(key, line), f"unknown field '{key}' (fields: {', '.join(PROBLEM_KEYS)})")

    def at(key: str) -> int:
        return lines.get(key, line)

    type_text = _text(where, at("type"), data.get("type"), "type", required=False) or "deadline"
    source_text = _text(where, at("source"), data.get("source"), "source", required=False) or "巡察"
    people = {k: _text(where, at(k), data.get(k), k, required=False) for k in ("lead", "unit", "person")}
    given = [k for k, v in people.items() if v]
    if given and len(given) < 3:
        missing = [k for k in ("lead", "unit", "person") if not people[k]]
        raise where.error(at(given[0]), f"{', '.join(missing)}: responsible people need lead, unit and person together")
    return ProblemSpec(
        number=_number(where, at("number"), data.get("number")),
        category=_text(where, at("category"), data.get("category"), "category", required=True),
        title=_text(where, at("title"), data.get("title"), "title", required=True),
        description=_text(where, at("description"), data.get("description"), "description", required=False),
        type=where.check(at("type"), lambda: values.problem_type(type_text)),
        deadline=_date(where, at("deadline"), data.get("deadline"), "deadline", required=False),
        source=where.check(at("source"), lambda: values.source(source_text)),
        lead=people["lead"] or None,
        unit=people["unit"] or None,
        person=people["person"] or None,
        line=line,
        lines=dict(lines),
    )


def _measure(where: _Where, data: Any, lines: dict[str, int], line: int) -> MeasureSpec:
    if isinstance(data, str):
        data, lines = {"text": data}, {}
    if not isinstance(data, dict):
        raise where.error(line, "measures: each measure must be text or a mapping with text and due")
    for key in data:
        if key not in MEASURE_KEYS:
            raise where.error(lines.get(key, line), f"measure: unknown field '{key}' (fields: text, due)")
    return MeasureSpec(
        text=_text(where, lines.get("text", line), data.get("text"), "measure text", required=True),
        due=_date(where, lines.get("due", line), data.get("due"), "due", required=False),
        line=line,
    )


def _check_whole(where: _Where, result: FeedbackList) -> FeedbackList:
    if not result.problems:
        raise where.error(None, "lists no problems")
    seen: dict[int, int] = {}
    for p in result.problems:
        if p.number in seen:
            raise where.error(p.lines.get("number", p.line), f"number: {p.number} is listed twice (also on line {seen[p.number]})")
        seen[p.number] = p.line
        if result.categories is not None and p.category not in result.categories:
            raise where.error(p.lines.get("category", p.line), f"category: '{p.category}' is not one of the listed categories ({', '.join(result.categories)})")
    return result


# -- YAML ------------------------------------------------------------------------


class _Map(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers its line and each key's line."""

    line = 0
    key_lines: dict[str, int] = {}


class _List(list):  # type: ignore[type-arg]
    line = 0
    item_lines: list[int] = []


def _loader() -> Any:
    import yaml

    class LineLoader(yaml.SafeLoader):
        pass

    def construct_map(loader: Any, node: Any) -> Any:
        data = _Map()
        yield data
        data.line = node.start_mark.line + 1
        data.key_lines = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key in data:
                raise yaml.constructor.ConstructorError(
                    None, None, f"'{key}' is given twice", key_node.start_mark
                )
            data[key] = loader.construct_object(value_node, deep=True)
            data.key_lines[key] = key_node.start_mark.line + 1

    def construct_seq(loader: Any, node: Any) -> Any:
        data = _List()
        yield data
        data.line = node.start_mark.line + 1
        data.item_lines = [n.start_mark.line + 1 for n in node.value]
        data.extend(loader.construct_object(n, deep=True) for n in node.value)

    def construct_timestamp(loader: Any, node: Any) -> str:
        # Dates stay text here and are checked field by field, with their line.
        return str(node.value)

    LineLoader.add_constructor("tag:yaml.org,2002:map", construct_map)
    LineLoader.add_constructor("tag:yaml.org,2002:timestamp", construct_timestamp)
    LineLoader.add_constructor("tag:yaml.org,2002:seq", construct_seq)
    return LineLoader


def _read_yaml(where: _Where, text: str, progress: Callable[[Any], Any]) -> FeedbackList:
    import yaml

    try:
        doc = yaml.load(text, Loader=_loader())  # noqa: S506 - a SafeLoader subclass
    except RecursionError:
        raise where.error(None, "not valid YAML (nested too deeply)") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        problem = getattr(e, "problem", None) or getattr(e, "context", None) or "invalid"
        raise where.error(mark.line + 1 if mark else None, f"not valid YAML ({problem})") from None
    if not isinstance(doc, dict):
        raise where.error(None, "must be a mapping with 'inspection' and 'problems'")
    for key in doc:
        if key not in TOP_KEYS:
            raise where.error(doc.key_lines.get(key), f"unknown section '{key}' (sections: {', '.join(TOP_KEYS)})")
    header = doc.get("inspection")
    if not isinstance(header, dict):
        raise where.error(doc.key_lines.get("inspection"), "inspection: a mapping with the inspection's code, name, … is required")
    inspection = _inspection(where, header, header.key_lines, header.line)
    categories = doc.get("categories")
    if categories is not None:
        if not isinstance(categories, list) or not all(isinstance(c, str) and c.strip() for c in categories):
            raise where.error(doc.key_lines.get("categories"), "categories: must be a list of category names")
        categories = [_text(where, doc.key_lines.get("categories"), c, "category", required=True) for c in categories]
    items = doc.get("problems")
    if not isinstance(items, list):
        raise where.error(doc.key_lines.get("problems"), "problems: a list of problems is required")
    problems = []
    for i, item in enumerate(progress(items)):
        line = items.item_lines[i]
        if not isinstance(item, dict):
            raise where.error(line, "problems: each problem must be a mapping (number, category, title, …)")
        spec = _problem(where, {k: v for k, v in item.items() if k != "measures"}, item.key_lines, line)
        measures = item.get("measures")
        if measures is not None:
            if not isinstance(measures, list):
                raise where.error(item.key_lines.get("measures", line), "measures: must be a list")
            for j, m in enumerate(measures):
                mline = measures.item_lines[j]
                spec.measures.append(_measure(where, m, getattr(m, "key_lines", {}), mline))
        problems.append(spec)
    return _check_whole(where, FeedbackList(where.path, inspection, problems, categories))


# -- CSV and xlsx: one row model ------------------------------------------------------

# Column → field.
CSV_COLUMNS = {
    "inspection": "code", "inspection_name": "name", "organisation": "organisation", "group": "group",
    "kind": "kind", "start": "start", "end": "end", "feedback": "feedback", "round": "round",
    "number": "number", "category": "category", "title": "title", "description": "description",
    "type": "type", "deadline": "deadline", "source": "source",
    "lead": "lead", "unit": "unit", "person": "person", "measure": "measure", "measure_due": "measure_due",
}
# The headings offices give these columns in their 台账 (Excel/WPS), accepted as well.
CSV_ALIASES = {
    **dict.fromkeys(("巡察", "巡视", "巡察编号", "巡视编号", "巡察代码"), "inspection"),
    **dict.fromkeys(("巡察名称", "巡视名称"), "inspection_name"),
    **dict.fromkeys(("被巡察单位", "被巡视单位", "被巡察党组织", "被巡视党组织"), "organisation"),
    **dict.fromkeys(("巡察组", "巡视组"), "group"),
    **dict.fromkeys(("巡察类型", "巡视类型", "巡察方式"), "kind"),
    **dict.fromkeys(("进驻时间", "进驻日期", "开始时间", "开始日期"), "start"),
    **dict.fromkeys(("结束时间", "结束日期", "撤离时间"), "end"),
    **dict.fromkeys(("反馈时间", "反馈日期"), "feedback"),
    **dict.fromkeys(("序号", "问题序号", "问题编号"), "number"),
    **dict.fromkeys(("类别", "问题类别", "方面"), "category"),
    **dict.fromkeys(("问题", "反馈问题", "存在问题", "具体问题"), "title"),
    **dict.fromkeys(("问题描述", "具体表现"), "description"),
    **dict.fromkeys(("类型", "整改类型"), "type"),
    **dict.fromkeys(("整改时限", "完成时限"), "deadline"),
    **dict.fromkeys(("来源", "问题来源"), "source"),
    **dict.fromkeys(("责任领导", "分管领导"), "lead"),
    **dict.fromkeys(("责任单位", "责任部门", "牵头单位", "责任股室"), "unit"),
    **dict.fromkeys(("责任人", "具体责任人"), "person"),
    **dict.fromkeys(("整改措施", "措施"), "measure"),
    **dict.fromkeys(("措施时限", "措施完成时限"), "measure_due"),
    **dict.fromkeys(("轮次", "巡察轮次", "巡视轮次"), "round"),
}
CSV_INSPECTION = ("inspection", "inspection_name", "organisation", "group", "kind", "start", "end", "feedback", "round")
# The name each check's message starts with → its column.
_MESSAGE_NAMES = {
    "inspection code": "inspection", "name": "inspection_name", "measure text": "measure", "due": "measure_due",
    **{c: c for c in CSV_COLUMNS},
}


def _heading_key(name: str) -> str:
    """A heading as typed (spaces, line breaks, a trailing * for required) → its column key."""
    text = "".join(str(name).split()).rstrip("*＊")
    return CSV_ALIASES.get(text, text.lower())


def _columns(where: _Where, header_line: int, header: list[str]) -> list[str | None]:
    columns: list[str | None] = []
    spelled: dict[str, str] = {}
    for name in header:
        if not str(name).strip():
            columns.append(None)  # an unnamed, empty column (Excel often has one at the end)
            continue
        key = _heading_key(name)
        if key not in CSV_COLUMNS:
            raise where.error(header_line, f"unknown column '{name}' (columns: {', '.join(CSV_COLUMNS)}, or their 台账 headings: see docs/import.md)")
        if key in spelled:
            raise where.error(header_line, f"column '{name}' is given twice (also as '{spelled[key]}')")
        spelled[key] = str(name).strip()
        columns.append(key)
    for needed in ("inspection", "number", "category", "title"):
        if needed not in spelled:
            zh = next(zh for zh, k in CSV_ALIASES.items() if k == needed)
            raise where.error(header_line, f"column '{needed}' ({zh}) is missing")
    where.labels = {m: spelled[c] for m, c in _MESSAGE_NAMES.items() if c in spelled}
    return columns


def _read_rows(
    where: _Where,
    header_line: int,
    header: list[str],
    rows: Iterable[tuple[int, list[str]]],
    progress: Callable[[Any], Any],
    continued: set[int] = frozenset(),  # type: ignore[assignment]
) -> list[FeedbackList]:
    """The shared path of CSV and xlsx: rows of text cells → one feedback list per inspection.

    A row without a number (or one in `continued`, merged into the row above) continues the
    problem above with one more measure; a row naming another inspection code starts that inspection.
    """
    columns = _columns(where, header_line, header)
    spelled = dict(zip(columns, header))
    lists: list[FeedbackList] = []
    header_values: dict[str, str] = {}
    problem_cells: dict[str, str] = {}
    for line, row in progress(rows):
        if len(row) > len(columns) and any(str(c).strip() for c in row[len(columns):]):
            raise where.error(line, f"has {len(row)} cells but the header names {len(columns)} columns")
        for i, c in enumerate(columns):
            if c is None and i < len(row) and str(row[i]).strip():
                raise where.error(line, f"'{row[i]}' is in a column without a heading")
        cells = {c: (str(row[i]).strip() if i < len(row) else "") for i, c in enumerate(columns) if c}
        problem_fields = [c for c in cells if c in PROBLEM_KEYS and cells[c]]
        measure = _text(where, line, cells.get("measure"), "measure", required=False)
        continuation = line in continued or (not cells["number"] and (not cells["title"] or cells["title"] == problem_cells.get("title")))
        if continuation and lists and lists[-1].problems:
            for c in problem_fields:  # cells repeated on each measure row are fine; different ones are not
                if cells[c] != problem_cells.get(c, ""):
                    raise where.error(line, f"{c}: a continuation row (no {spelled['number'] if 'number' in spelled else 'number'}) holds only a measure; '{cells[c]}' differs from the problem above")
            for c in CSV_INSPECTION:
                if cells.get(c) and cells[c] != header_values.get(c, ""):
                    raise where.error(line, f"{c}: '{cells[c]}' differs from the problem above ('{header_values.get(c, '')}')")
            if measure:
                lists[-1].problems[-1].measures.append(_measure(where, {"text": measure, "due": cells.get("measure_due") or None}, {}, line))
            elif cells.get("measure_due"):
                raise where.error(line, "measure_due: given without a measure")
            continue
        if not any(cells.values()):
            continue
        if continuation and not problem_fields and not measure:
            continue
        if continuation:
            raise where.error(line, "measure: a continuation row (no number) must follow a problem's row")
        given = {c: cells[c] for c in CSV_INSPECTION if cells.get(c)}
        code = given.get("inspection", "")
        if not lists or (code and code != header_values.get("inspection")):
            if lists:
                missing = [c for c in ("inspection_name", "organisation", "group", "kind", "start", "end") if not given.get(c)]
                if missing:
                    raise where.error(line, f"{missing[0]}: is required: inspection '{code}' differs from the row above, so this row starts another inspection and must give its header")
            data = {CSV_COLUMNS[c]: v for c, v in given.items()}
            lists.append(FeedbackList(where.path, _inspection(where, data, {}, line), [], unit=where.unit))
            header_values = given
        else:
            for c, v in given.items():
                if header_values.get(c, "") != v:
                    raise where.error(line, f"{c}: '{v}' differs from the first row of inspection {header_values.get('inspection')} ('{header_values.get(c, '')}')")
        data = {c: cells[c] for c in cells if c in PROBLEM_KEYS}
        spec = _problem(where, data, {}, line)
        if measure:
            spec.measures.append(_measure(where, {"text": measure, "due": cells.get("measure_due") or None}, {}, line))
        elif cells.get("measure_due"):
            raise where.error(line, "measure_due: given without a measure")
        lists[-1].problems.append(spec)
        problem_cells = {c: cells[c] for c in cells if c in PROBLEM_KEYS}
    if not lists:
        raise where.error(None, "has a header but no rows")
    seen: dict[str, int] = {}
    for feedback in lists:
        code = feedback.inspection.code
        if code in seen:
            raise where.error(feedback.inspection.line, f"inspection: {code} appears again after another inspection (also from {where.unit} {seen[code]}): keep an inspection's rows together")
        seen[code] = feedback.inspection.line
        _check_whole(where, feedback)
    return lists


def _read_csv(where: _Where, text: str, progress: Callable[[Any], Any]) -> list[FeedbackList]:
    import io

    # strict: a quote never closed is an error, not a cell swallowing the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    state = {"end": 0}

    def rows() -> Iterator[tuple[int, list[str]]]:
        """The non-blank rows with their first line's number, read as they are checked (never all at once)."""
        try:
            for row in reader:
                start, state["end"] = state["end"] + 1, reader.line_num
                if any(c.strip() for c in row):
                    yield start, row
        except csv.Error as e:
            if "unexpected end of data" in str(e):
                raise where.error(state["end"] + 1, "not valid CSV (a quote opened in this row is never closed)") from None
            raise where.error(state["end"] + 1, f"not valid CSV ({e})") from None

    found = rows()
    first = next(found, None)
    if first is None:
        raise where.error(None, "is empty: the first row must name the columns")
    header_line, header = first
    return _read_rows(where, header_line, header, _Sized(found, text.count("\n")), progress)


class _Sized:
    """Rows read lazily, with a length for the progress bar (the file's lines: rows hold at most that many)."""

    def __init__(self, rows: Iterator[tuple[int, list[str]]], length: int) -> None:
        self.rows, self.length = rows, length

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        return self.rows

    def __len__(self) -> int:
        return self.length


# -- xlsx ---------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    """An xlsx cell as the text the CSV path reads: real dates become ISO dates, 3.0 becomes 3."""
    from datetime import datetime

    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# A 台账 is a few thousand rows of a few dozen columns; a sheet reaching past these is refused before
# it is read (a 12 KB file with one cell at XFD1048576 would otherwise be read as a billion empty cells).
MAX_ROWS = 100_000
MAX_COLUMNS = 128


@dataclass
class _SheetScan:
    merges: list[tuple[int, int, int, int]]  # (min_col, min_row, max_col, max_row), as in the file


def _unsafe_xml(path: Path, error: Exception) -> InvalidInput:
    """One line for XML a workbook should never hold: broken, or declaring entities (the billion laughs, XXE)."""
    from defusedxml import DefusedXmlException

    if isinstance(error, DefusedXmlException):
        return InvalidInput(f"{path}: not a readable xlsx workbook (its XML declares entities or a DTD, which a workbook never needs; refused as unsafe)")
    return InvalidInput(f"{path}: not a readable xlsx workbook (its XML is not well-formed: {error})")


def _scan_sheet(path: Path, where: _Where, worksheet_path: str) -> _SheetScan:
    """One safe pass over the sheet's XML before openpyxl reads it: its extent, merged ranges and formulas.

    Refuses a sheet reaching past MAX_ROWS or MAX_COLUMNS, a merged range doing so, and a formula cell
    without the value Excel saves with it (read as empty, a formula deadline would silently vanish).
    Merged ranges are read here as well: openpyxl checks each against all before it (quadratic; minutes
    for a 台账 of a few thousand problems), and its read-only mode, used for speed, skips them."""
    import re
    import zipfile

    from defusedxml.ElementTree import iterparse
    from openpyxl.utils.cell import column_index_from_string, range_boundaries

    ref = re.compile(r"([A-Z]{1,3})([0-9]+)$")

    def beyond(cell: str) -> bool:
        found = ref.match(cell or "")
        return bool(found) and (int(found[2]) > MAX_ROWS or column_index_from_string(found[1]) > MAX_COLUMNS)

    too_big = f"reaches past row {MAX_ROWS:,} or column {MAX_COLUMNS} (a 台账 is smaller: delete the stray cells, or split the sheet)"
    merges = []
    formula = False
    with zipfile.ZipFile(path) as z, z.open(worksheet_path.lstrip("/")) as xml:
        for _, element in iterparse(xml):
            tag = element.tag
            if tag.endswith("}row"):
                cells = list(element)
                if cells and (beyond(cells[-1].get("r", "")) or int(element.get("r") or 0) > MAX_ROWS):
                    raise where.error(None, f"cell {cells[-1].get('r')} {too_big}")
                if formula:  # only rows holding a formula are looked at cell by cell
                    for c in cells:
                        f, v = c.find("{*}f"), c.find("{*}v")
                        if f is not None and (v is None or v.text is None) and c.find("{*}is") is None:
                            raise where.error(None, f"cell {c.get('r')} holds a formula ({f.text or 'shared'}) without the value Excel saves with it: open and save the file in Excel or WPS, or paste the values")
                    formula = False
                element.clear()
            elif tag.endswith("}f"):
                formula = True
            elif tag.endswith("}mergeCell") and element.get("ref"):
                bounds = range_boundaries(element.get("ref"))
                if bounds[2] > MAX_COLUMNS or bounds[3] > MAX_ROWS:
                    raise where.error(None, f"merged range {element.get('ref')} {too_big}")
                merges.append(bounds)
            elif tag.endswith("}dimension") and element.get("ref") and any(beyond(r) for r in element.get("ref").split(":")):
                raise where.error(None, f"its dimension {element.get('ref')} {too_big}")
    return _SheetScan(merges)  # type: ignore[arg-type]


def _read_xlsx(path: Path, sheet: str | None, progress: Callable[[Any], Any]) -> list[FeedbackList]:
    """A worksheet of the 台账 (first sheet, or `sheet`), merged cells read as the 台账 means them."""
    import zipfile
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (ParseError, DefusedXmlException) as e:
        raise _unsafe_xml(path, e) from None
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as e:
        if isinstance(e.__context__, (ParseError, DefusedXmlException)):
            raise _unsafe_xml(path, e.__context__) from None
        raise InvalidInput(f"{path}: not a readable xlsx workbook ({e})") from None
    try:
        if sheet is None:
            ws = book.worksheets[0]
        elif sheet in book.sheetnames:
            ws = book[sheet]
        else:
            raise InvalidInput(f"--sheet: {path} has no sheet '{sheet}' (sheets: {', '.join(book.sheetnames)})")
        where = _Where(f"{path}: sheet {ws.title}", unit="row")
        if not hasattr(ws, "iter_rows") or not hasattr(ws, "_worksheet_path"):
            raise where.error(None, "is not a worksheet (a chart sheet?): name the 台账's sheet with --sheet")
        merges = _scan_sheet(path, where, ws._worksheet_path).merges
        ws.reset_dimensions()  # rows as the file holds them, not padded to what its dimension claims
        rows = [(r, list(values)) for r, values in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1)]
    except (ParseError, DefusedXmlException) as e:
        raise _unsafe_xml(path, e) from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise InvalidInput(f"{path}: not a readable xlsx workbook ({e})") from None
    finally:
        book.close()
    width = max((len(v) for _, v in rows), default=0)
    merged_from = _merged_cells(where, merges, len(rows), width)

    def value(r: int, c: int) -> Any:
        found = rows[r - 1][1] if 0 < r <= len(rows) else []
        return found[c - 1] if c - 1 < len(found) else None
    # The header is the first row naming at least two columns: a title row (merged across) comes before it.
    header_at = next((i for i, (r, vals) in enumerate(rows) if sum(1 for v in vals if _cell_text(v).strip()) >= 2), None)
    if header_at is None:
        raise where.error(None, "is empty: a row must name the columns")
    header_line, header_values = rows[header_at]
    header = [_cell_text(v).strip() for v in header_values]
    keys = [_heading_key(h) if h else None for h in header]
    key_col = {k: i + 1 for i, k in enumerate(keys) if k}
    body: list[tuple[int, list[str]]] = []
    continued: set[int] = set()
    for r, _ in rows[header_at + 1:]:
        # A number or title cell merged down from the row above: this row is one more measure of that problem.
        is_continued = any(
            (r, key_col[k]) in merged_from and merged_from[(r, key_col[k])][0] < r for k in ("number", "title") if k in key_col
        )
        cells = []
        for c in range(1, width + 1):
            origin = merged_from.get((r, c))
            if origin is None:
                cells.append(_cell_text(value(r, c)))
            elif is_continued and origin[0] < r:
                cells.append("")  # the problem's own cell, already read on its first row
            else:
                cells.append(_cell_text(value(*origin)))  # e.g. a category merged over several problems
        if is_continued:
            continued.add(r)
        if any(c.strip() for c in cells):
            body.append((r, cells))
    return _read_rows(where, header_line, header, body, progress, continued)




def _merged_cells(where: _Where, merges: list[tuple[int, int, int, int]], height: int, width: int) -> dict[tuple[int, int], tuple[int, int]]:
    """(row, column) of each merged cell below or right of its range's first → that first cell.

    Each range is clipped to the cells the sheet holds (a range may run past them), and ranges may not
    overlap (Excel never writes that): the map is never larger than the sheet itself."""
    merged_from: dict[tuple[int, int], tuple[int, int]] = {}
    for min_col, min_row, max_col, max_row in merges:
        for r in range(min_row, min(max_row, height) + 1):
            for c in range(min_col, min(max_col, width) + 1):
                if (r, c) != (min_row, min_col):
                    if (r, c) in merged_from:
                        raise where.error(r, f"merged ranges overlap at column {c} (a workbook Excel would not open)")
                    merged_from[(r, c)] = (min_row, min_col)
    return merged_from


# -- any file --------------------------------------------------------------------------

ENCODINGS_TRIED = ("utf-8", "gb18030")


def decode_text(where: _Where, raw: bytes, encoding: str | None = None) -> str:
    """Text from bytes as Excel/WPS save them: UTF-8 (with or without BOM), else GB18030 (GBK), or `encoding`."""
    import codecs

    if encoding:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            raise InvalidInput(f"--encoding: '{encoding}' is not a known text encoding (e.g. utf-8, gb18030, gbk)") from None
        tried = ["utf-8-sig" if name == "utf-8" else name]
    elif raw.startswith(codecs.BOM_UTF8):
        tried = ["utf-8-sig"]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        tried = ["utf-16"]
    else:
        tried = list(ENCODINGS_TRIED)
    first_error: UnicodeDecodeError | None = None
    for name in tried:
        try:
            return raw.decode(name)
        except UnicodeDecodeError as e:
            first_error = first_error or e
    assert first_error is not None
    line = raw[: first_error.start].count(b"\n") + 1
    if encoding:
        raise where.error(line, f"is not {encoding} text")
    raise where.error(line, "is neither UTF-8 nor GB18030/GBK text (save it as 'CSV UTF-8', or give --encoding)")


def read_feedback_lists(
    path: str | Path,
    progress: Callable[[Any], Any] = lambda items: items,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
) -> list[FeedbackList]:
    """Read and check the whole file: one list per inspection it holds (YAML: one).

    Raises InvalidInput naming the file, line (or sheet and row) and field."""
    where = _Where(str(path))
    file = Path(path)
    suffix = file.suffix.lower()
    if sheet is not None and suffix != ".xlsx":
        raise InvalidInput(f"--sheet: only an .xlsx workbook has sheets, not {path}")
    if suffix in (".xlsx", ".xlsm"):
        if encoding:
            raise InvalidInput(f"--encoding: an .xlsx workbook carries its own encoding ({path})")
        if not file.is_file():
            raise InvalidInput(f"{path}: cannot read (no such file)")
        return _read_xlsx(file, sheet, progress)
    if suffix == ".xls":
        raise InvalidInput(f"{path}: the old .xls format is not read: save it as .xlsx (Excel 工作簿) or CSV")
    if suffix not in (".yaml", ".yml", ".csv"):
        raise InvalidInput(f"{path}: unknown file type '{suffix or '(none)'}': use .xlsx, .csv, .yaml or .yml")
    try:
        raw = file.read_bytes()
    except OSError as e:
        raise InvalidInput(f"{path}: cannot read ({e.strerror or e})") from None
    text = decode_text(where, raw, encoding)
    if suffix == ".csv":
        return _read_csv(where, text, progress)
    return [_read_yaml(where, text, progress)]


def read_feedback_list(
    path: str | Path,
    progress: Callable[[Any], Any] = lambda items: items,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    code: str | None = None,
) -> FeedbackList:
    """The one inspection's list the file holds (or, of several, the one with `code`)."""
    lists = read_feedback_lists(path, progress, sheet=sheet, encoding=encoding)
    if code is not None:
        for feedback in lists:
            if feedback.inspection.code == code:
                return feedback
        if len(lists) > 1:
            raise InvalidInput(f"{path}: holds no inspection {code} (it holds {', '.join(f.inspection.code for f in lists)})")
    if len(lists) > 1:
        raise InvalidInput(f"{path}: holds {len(lists)} inspections ({', '.join(f.inspection.code for f in lists)}): name one with --inspection")
    return lists[0]
