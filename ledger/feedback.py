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
from typing import Any, Callable

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


@dataclass
class MeasureSpec:
    text: str
    due: date | None
    line: int


@dataclass
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


class _Where:
    """Names the file and line in every error."""

    def __init__(self, path: str):
        self.path = path

    def error(self, line: int | None, message: str) -> InvalidInput:
        where = f"{self.path}: line {line}" if line else self.path
        return InvalidInput(f"{where}: {message}")

    def check(self, line: int | None, parse: Callable[[], Any]) -> Any:
        try:
            return parse()
        except InvalidInput as e:
            raise self.error(line, str(e)) from None


# -- checking one record, whatever the file format -----------------------------


def _text(where: _Where, line: int, value: Any, name: str, *, required: bool) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise where.error(line, f"{name}: is required and must not be empty")
        return ""
    if isinstance(value, (dict, list)):
        raise where.error(line, f"{name}: must be text, not a {'mapping' if isinstance(value, dict) else 'list'}")
    return " ".join(str(value).split()) if name != "description" else str(value).strip()


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
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())):
        raise where.error(line, f"number: '{value}' is not a whole number")
    number = int(value)
    if number < 1:
        raise where.error(line, f"number: {number} must be 1 or more")
    return number


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
        categories = [c.strip() for c in categories]
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


# -- CSV ---------------------------------------------------------------------------

# Column → field; Chinese 台账 headings are accepted too.
CSV_COLUMNS = {
    "inspection": "code", "inspection_name": "name", "organisation": "organisation", "group": "group",
    "kind": "kind", "start": "start", "end": "end", "feedback": "feedback", "round": "round",
    "number": "number", "category": "category", "title": "title", "description": "description",
    "type": "type", "deadline": "deadline", "source": "source",
    "lead": "lead", "unit": "unit", "person": "person", "measure": "measure", "measure_due": "measure_due",
}
CSV_ALIASES = {
    "巡察": "inspection", "序号": "number", "类别": "category", "问题": "title", "问题描述": "description",
    "类型": "type", "整改时限": "deadline", "来源": "source", "责任领导": "lead", "责任单位": "unit",
    "责任人": "person", "整改措施": "measure", "措施时限": "measure_due", "轮次": "round",
}
CSV_INSPECTION = ("inspection", "inspection_name", "organisation", "group", "kind", "start", "end", "feedback", "round")


def _read_csv(where: _Where, text: str, progress: Callable[[Any], Any]) -> FeedbackList:
    import io

    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    previous_end = 0
    try:
        for row in reader:
            rows.append((previous_end + 1, row))
            previous_end = reader.line_num
    except csv.Error as e:
        raise where.error(previous_end + 1, f"not valid CSV ({e})") from None
    rows = [(n, r) for n, r in rows if any(c.strip() for c in r)]
    if not rows:
        raise where.error(None, "is empty: the first row must name the columns")
    header_line, header = rows[0]
    columns: list[str] = []
    for name in header:
        key = name.strip().lower().replace(" ", "_")
        key = CSV_ALIASES.get(name.strip(), key)
        if key not in CSV_COLUMNS:
            raise where.error(header_line, f"unknown column '{name}' (columns: {', '.join(CSV_COLUMNS)})")
        if key in columns:
            raise where.error(header_line, f"column '{name}' is given twice")
        columns.append(key)
    for needed in ("inspection", "number", "category", "title"):
        if needed not in columns:
            raise where.error(header_line, f"column '{needed}' is missing")
    inspection: InspectionSpec | None = None
    header_values: dict[str, str] = {}
    problems: list[ProblemSpec] = []
    for line, row in progress(rows[1:]):
        if len(row) > len(columns):
            raise where.error(line, f"has {len(row)} cells but the header names {len(columns)} columns")
        cells = {c: (row[i].strip() if i < len(row) else "") for i, c in enumerate(columns)}
        given = {c: cells[c] for c in CSV_INSPECTION if cells.get(c)}
        if inspection is None:
            data = {CSV_COLUMNS[c]: v for c, v in given.items()}
            inspection = _inspection(where, data, {}, line)
            header_values = given
        else:
            for c, v in given.items():
                if header_values.get(c, "") != v:
                    raise where.error(line, f"{c}: '{v}' differs from the first row ('{header_values.get(c, '')}'): one inspection per file")
        problem_fields = [c for c in columns if c in PROBLEM_KEYS and c != "measures" and cells[c]]
        measure = _text(where, line, cells.get("measure"), "measure", required=False)
        if not cells["number"] and not cells["title"]:
            if problem_fields:
                raise where.error(line, f"{problem_fields[0]}: a continuation row (no number, no title) holds only a measure")
            if not measure:
                continue
            if not problems:
                raise where.error(line, "measure: a continuation row (no number) must follow a problem's row")
            problems[-1].measures.append(_measure(where, {"text": measure, "due": cells.get("measure_due") or None}, {}, line))
            continue
        data = {c: cells[c] for c in columns if c in PROBLEM_KEYS}
        spec = _problem(where, data, {}, line)
        if measure:
            spec.measures.append(_measure(where, {"text": measure, "due": cells.get("measure_due") or None}, {}, line))
        elif cells.get("measure_due"):
            raise where.error(line, "measure_due: given without a measure")
        problems.append(spec)
    if inspection is None:
        raise where.error(None, "has a header but no rows")
    return _check_whole(where, FeedbackList(where.path, inspection, problems))


def read_feedback_list(path: str | Path, progress: Callable[[Any], Any] = lambda items: items) -> FeedbackList:
    """Read and check the whole file; raise InvalidInput naming file, line and field."""
    where = _Where(str(path))
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as e:
        raise InvalidInput(f"{path}: cannot read ({e.strerror or e})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise where.error(line, "is not UTF-8 text (save it as UTF-8, e.g. 'CSV UTF-8')") from None
    suffix = file.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return _read_yaml(where, text, progress)
    if suffix == ".csv":
        return _read_csv(where, text, progress)
    raise InvalidInput(f"{path}: unknown file type '{suffix or '(none)'}': use .yaml, .yml or .csv")

