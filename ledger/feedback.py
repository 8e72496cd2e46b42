"""An inspection's feedback list (反馈问题清单) read from YAML or CSV, checked whole.

`read_feedback_list()` checks every row before anything is written and reports
the first bad one as `FILE: line N: field: what is wrong`. The schema is
described in docs/import.md; examples are under examples/.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ledger import values, vocabulary
from ledger.errors import InvalidInput
from ledger.messages import Field, Message, choices, field_choices, joined, t, tn

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
    # A 台账's columns the ledger has no field for, heading → cell, kept with the problem as the file had them.
    extra: dict[str, str] = field(default_factory=dict)
    # What the file says was done (是否整改完成, 整改完成时间, 进展情况, 验收负责人): field → cell.
    state: dict[str, str] = field(default_factory=dict)
    done: bool = False  # the file marks the row done (是否整改完成=是, 状态=已完成, or an 整改完成时间 alone)
    done_on: date | None = None  # the 整改完成时间 it gives
    grade: str | None = None  # the acceptance's grade the file gives (验收结果), as the ledger's grade word


@dataclass
class FeedbackList:
    path: str
    inspection: InspectionSpec
    problems: list[ProblemSpec]
    categories: list[str] | None = None
    unit: str = "line"  # how errors name a place: a file's line, or a sheet's row
    columns: list[Any] = field(default_factory=list)  # how each heading was read (CSV, xlsx): ColumnReading
    registered: bool = False  # the inspection is already in the ledger (--inspection): never created by the import
    fingerprint: str = ""  # SHA-256 of the file's bytes: named by every act entered from it


def place(path: str, unit: str, line: int | None) -> str:
    """`FILE: line N`, or for a workbook `FILE: sheet NAME, row N` (a workbook's path is `FILE: sheet NAME`)."""
    file, _, sheet = path.partition(": sheet ")
    if not line:
        return t("{file}: sheet {sheet}", file=file, sheet=sheet) if sheet else path
    if sheet:
        return t("{file}: sheet {sheet}, row {row}", file=file, sheet=sheet, row=line)
    return t("{file}: {unit} {line}", file=file, unit=t("row") if unit == "row" else t("line"), line=line)


def line_word(unit: str, line: int) -> str:
    """`line N` of a file, `row N` of a sheet."""
    return t("row {row}", row=line) if unit == "row" else t("line {line}", line=line)


class _Where:
    """Names the file and line (or sheet and row) in every error, and each column as the file spells it."""

    def __init__(self, path: str, unit: str = "line"):
        self.path = path
        self.unit = unit
        self.labels: dict[str, str] = {}  # the name a message starts with → the file's heading

    def error(self, line: int | None, message: str) -> InvalidInput:
        return InvalidInput(t("{place}: {error}", place=place(self.path, self.unit, line), error=self._relabel(message)))

    def _relabel(self, message: str) -> str:
        if not self.labels:
            return message
        if isinstance(message, Message):  # "{name}: …": the field named as the file's heading names it
            first = message.template.partition(": ")[0]
            if first.startswith("{") and first.endswith("}") and first[1:-1] in message.params:
                key = first[1:-1]
                names = str(message.params[key]).split(", ")
                if all(n in self.labels for n in names):
                    return Message(message.template, **{**message.params, key: ", ".join(self.labels[n] for n in names)})
            return message
        if ": " not in message:
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
            raise where.error(line, t("{name}: is required and must not be empty", name=Field(name)))
        return ""
    if isinstance(value, (dict, list)):
        raise where.error(line, (t("{name}: must be text, not a mapping", name=Field(name)) if isinstance(value, dict) else t("{name}: must be text, not a list", name=Field(name))))
    if isinstance(value, bool):
        raise where.error(line, t("{name}: must be text, not {lower}", name=Field(name), lower=str(value).lower()))
    if isinstance(value, (bytes, bytearray)):  # YAML !!binary: never stored as the text "b'…'"
        raise where.error(line, t("{name}: must be text, not binary data", name=Field(name)))
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
            raise where.error(line, t("{name}: is required", name=Field(name)))
        return None
    return where.check(line, lambda: values.parse_date(value, name))


def _inspection(where: _Where, data: dict[str, Any], lines: dict[str, int], line: int) -> InspectionSpec:
    for key in data:
        if key not in INSPECTION_KEYS:
            raise where.error(lines.get(key, line), t("{field}: unknown field '{key}' (fields: {INSPECTION_KEYS})", field=Field("inspection"), key=key, INSPECTION_KEYS=field_choices(INSPECTION_KEYS)))

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
        raise where.error(at("end"), t("{field}: {end} is before start {start}", field=Field("end"), end=spec.end, start=spec.start))
    if spec.feedback is not None and spec.feedback < spec.start:
        raise where.error(at("feedback"), t("{field}: {feedback} is before start {start}", field=Field("feedback"), feedback=spec.feedback, start=spec.start))
    return spec


def _number(where: _Where, line: int, value: Any) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise where.error(line, t("{field}: is required (the problem's number in the feedback list)", field=Field("number")))
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise where.error(line, t("{field}: '{value}' is not a whole number", field=Field("number"), value=value))
    return where.check(line, lambda: values.parse_count(value, "number", maximum=values.MAX_NUMBER, minimum=1))


def _problem(where: _Where, data: dict[str, Any], lines: dict[str, int], line: int) -> ProblemSpec:
    for key in data:
        if key not in PROBLEM_KEYS:
            raise where.error(lines.get(key, line), t("unknown field '{key}' (fields: {PROBLEM_KEYS})", key=key, PROBLEM_KEYS=field_choices(PROBLEM_KEYS)))

    def at(key: str) -> int:
        return lines.get(key, line)

    type_text = _text(where, at("type"), data.get("type"), "type", required=False) or "deadline"
    source_text = _text(where, at("source"), data.get("source"), "source", required=False) or "巡察"
    # Whoever the list names is recorded: a 台账 often names the leader and the unit without a person.
    people = {k: _text(where, at(k), data.get(k), k, required=False) for k in ("lead", "unit", "person")}
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
        raise where.error(line, t("{field}: each measure must be text or a mapping with text and due", field=Field("measures")))
    for key in data:
        if key not in MEASURE_KEYS:
            raise where.error(lines.get(key, line), t("{field}: unknown field '{key}' (fields: text, due)", field=Field("measure"), key=key))
    return MeasureSpec(
        text=_text(where, lines.get("text", line), data.get("text"), "measure text", required=True),
        due=_date(where, lines.get("due", line), data.get("due"), "due", required=False),
        line=line,
    )


def _check_whole(where: _Where, result: FeedbackList) -> FeedbackList:
    if not result.problems:
        raise where.error(None, t("lists no problems"))
    seen: dict[int, int] = {}
    for p in result.problems:
        if p.number in seen:
            raise where.error(p.lines.get("number", p.line), t("{field}: {number} is listed twice (also on line {value})", field=Field("number"), number=p.number, value=seen[p.number]))
        seen[p.number] = p.line
        if result.categories is not None and p.category not in result.categories:
            raise where.error(p.lines.get("category", p.line), t("{field}: '{category}' is not one of the listed categories ({categories})", field=Field("category"), category=p.category, categories=joined(result.categories, ", ", "、")))
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
        def get_single_node(self) -> Any:
            from ledger.config import refuse_alias_bomb

            node = super().get_single_node()
            if node is not None:  # a list's own nodes, and a million more through aliases at most
                refuse_alias_bomb(node, self.distinct + 1_000_000, t("the YAML file"))
            return node

        def compose_node(self, parent: Any, index: Any) -> Any:
            self.distinct = getattr(self, "distinct", 0) + 1
            return super().compose_node(parent, index)

    def construct_map(loader: Any, node: Any) -> Any:
        data = _Map()
        yield data
        data.line = node.start_mark.line + 1
        data.key_lines = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key in data:
                raise yaml.constructor.ConstructorError(
                    None, None, t("'{key}' is given twice", key=key), key_node.start_mark
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
        raise where.error(None, t("not valid YAML (nested too deeply)")) from None
    except yaml.YAMLError as e:
        from ledger.config import yaml_problem

        line, column, reason = yaml_problem(e, text)
        if isinstance(getattr(e, "problem", None), Message):  # the ledger's own: a key given twice
            raise where.error(line, reason) from None
        if column is None:
            raise where.error(line, t("not valid YAML: {reason}", reason=reason)) from None
        raise where.error(line, t("not valid YAML at column {column}: {reason}", column=column, reason=reason)) from None
    if not isinstance(doc, dict):
        raise where.error(None, t("must be a mapping with 'inspection' and 'problems'"))
    for key in doc:
        if key not in TOP_KEYS:
            raise where.error(doc.key_lines.get(key), t("unknown section '{key}' (sections: {TOP_KEYS})", key=key, TOP_KEYS=', '.join(TOP_KEYS)))
    header = doc.get("inspection")
    if not isinstance(header, dict):
        raise where.error(doc.key_lines.get("inspection"), t("{field}: a mapping with the inspection's code, name, … is required", field=Field("inspection")))
    inspection = _inspection(where, header, header.key_lines, header.line)
    categories = doc.get("categories")
    if categories is not None:
        if not isinstance(categories, list) or not all(isinstance(c, str) and c.strip() for c in categories):
            raise where.error(doc.key_lines.get("categories"), t("{field}: must be a list of category names", field=Field("categories")))
        categories = [_text(where, doc.key_lines.get("categories"), c, "category", required=True) for c in categories]
    items = doc.get("problems")
    if not isinstance(items, list):
        raise where.error(doc.key_lines.get("problems"), t("{field}: a list of problems is required", field=Field("problems")))
    problems = []
    for i, item in enumerate(progress(items)):
        line = items.item_lines[i]
        if not isinstance(item, dict):
            raise where.error(line, t("{field}: each problem must be a mapping (number, category, title, …)", field=Field("problems")))
        spec = _problem(where, {k: v for k, v in item.items() if k != "measures"}, item.key_lines, line)
        measures = item.get("measures")
        if measures is not None:
            if not isinstance(measures, list):
                raise where.error(item.key_lines.get("measures", line), t("{field}: must be a list", field=Field("measures")))
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
# What a 台账 says was done: read as the clerk's entries from the file (ledger/importing.py), and kept as text too.
STATE_COLUMNS = ("done", "done_on", "progress", "verifier", "grade")
FIELDS = (*CSV_COLUMNS, *STATE_COLUMNS)
# The headings offices give these columns in their 台账 and 清单 (Excel/WPS), as normalised by _normal_heading.
# A heading marked 1 is generic: where the file has a more specific heading for the same field, that one is read
# and the generic column is kept as an extra column (类型 beside 整改类型, 问题编号 beside 序号, 类别 beside 问题类别).
_HEADINGS: dict[str, tuple[str, ...]] = {
    "inspection": ("巡察", "巡视", "巡察编号", "巡视编号", "巡察代码", "巡视代码", "巡察编码", "巡视编码"),
    "inspection_name": ("巡察名称", "巡视名称", "巡察项目", "巡视项目"),
    "organisation": ("被巡察单位", "被巡视单位", "被巡察党组织", "被巡视党组织", "被巡察对象", "被巡视对象", "被审计单位"),
    "group": ("巡察组", "巡视组", "审计组"),
    "kind": ("巡察类型", "巡视类型", "巡察方式", "巡视方式", "巡察类别", "巡视类别"),
    "start": ("进驻时间", "进驻日期", "开始时间", "开始日期", "进驻"),
    "end": ("结束时间", "结束日期", "撤离时间", "离场时间", "结束"),
    "feedback": ("反馈时间", "反馈日期", "反馈"),
    "round": ("轮次", "巡察轮次", "巡视轮次"),
    "number": ("序号", "问题序号", "序列号"),
    "category": ("问题类别", "问题分类", "主要方面", "突出问题", "问题方面", "问题领域", "整改方面", "反馈意见类别", "板块", "问题大类"),
    "title": (
        "反馈问题", "存在问题", "具体问题", "问题简述", "发现的问题", "问题名称", "问题标题", "主要问题", "问题概述",
        "问题摘要", "反馈意见", "巡察发现问题", "巡视发现问题", "审计发现问题", "整改任务", "整改事项", "任务名称",
        "责任事项", "问题清单",
    ),
    "description": (
        "问题描述", "具体表现", "问题的具体内容", "问题具体内容", "问题详情", "问题内容", "问题表现", "具体内容",
        "问题详细描述", "问题具体表现", "主要表现",
    ),
    "type": ("整改类型", "整改方式", "整改周期", "整改性质", "整改分类"),
    "deadline": (
        "整改时限", "完成时限", "整改期限", "完成期限", "计划完成时间", "目标设定完成时间", "预计完成时间",
        "整改完成时限", "时限要求", "完成时间节点", "计划完成时限",
    ),
    "source": ("问题来源", "发现渠道", "问题发现渠道"),
    "lead": ("责任领导", "分管领导", "牵头领导", "整改责任领导", "责任校领导", "分管负责人", "牵头负责人"),
    "unit": (
        "责任单位", "责任部门", "牵头单位", "责任股室", "牵头部门", "整改责任单位", "整改责任部门", "责任处室",
        "牵头处室", "承办单位", "主责部门", "责任科室", "牵头责任单位", "牵头责任部门",
    ),
    "person": ("责任人", "具体责任人", "整改责任人", "具体负责人", "经办人"),
    "measure": (
        "整改措施", "措施", "整改计划及措施", "整改举措", "整改措施具体内容", "整改计划", "整改方案", "具体措施",
        "整改措施及时限",
    ),
    "measure_due": ("措施时限", "措施完成时限"),
    "done": ("是否整改完成", "完成情况", "整改状态", "整改完成情况", "是否完成", "是否销号", "销号情况"),
    "done_on": ("整改完成时间", "实际完成时间", "办结时间", "销号时间", "完成日期"),
    "progress": ("进展情况", "整改进展", "整改进展情况", "整改落实情况", "目前进展", "推进情况", "落实情况"),
    "verifier": ("验收负责人", "验收人", "验收责任人"),
    "grade": ("验收结果", "验收等次", "验收评价", "验收情况", "验收等级"),
}


_GENERIC: dict[str, str] = {
    "类别": "category", "方面": "category", "问题类型": "type", "类型": "type", "问题": "title", "任务": "title",
    "编号": "number", "问题编号": "number", "来源": "source", "状态": "done", "整改情况": "done",
    "完成时间": "done_on", "所属责任公司": "unit", "责任公司": "unit", "所属单位": "unit",
}
CSV_ALIASES: dict[str, str] = {h: f for f, headings in _HEADINGS.items() for h in headings}
CSV_INSPECTION = ("inspection", "inspection_name", "organisation", "group", "kind", "start", "end", "feedback", "round")
# The name each check's message starts with → its column.
_MESSAGE_NAMES = {
    "inspection code": "inspection", "name": "inspection_name", "measure text": "measure", "due": "measure_due",
    **{c: c for c in CSV_COLUMNS}, **{c: c for c in STATE_COLUMNS},
}
# A heading's words that say nothing about its field: 整改时限（说明）, 问题类别*, 完成时限(必填).
_HEADING_TAIL = re.compile(r"(\((?:[^()]*)\)|说明|必填|选填|\*)+$")


def column_named(feedback: "FeedbackList", name: str) -> Any:
    """Field `name` (of an inspection or problem) as a refusal names it: its column as the file headed it (the
    clerk's own word, in either language), else the field's word in the reader's language (a YAML list's key)."""
    column = _MESSAGE_NAMES.get(name, name)
    for reading in feedback.columns:
        if reading is not None and reading.field == column:
            return reading.heading
    return ImportField(column) if column in FIELDS else Field(name)


class ImportField(str):
    """An import field's name (done_on, verifier…): in Chinese, the vocabulary's word for it (是否整改完成 …)."""

    def label(self, lang: str) -> str:
        from ledger import vocabulary

        return str(vocabulary.label(vocabulary.IMPORT_FIELDS, str.__str__(self), lang))


def _normal_heading(name: str) -> str:
    """A heading as typed → one spelling: full/half width folded (（）→()), spaces and line breaks removed."""
    return "".join(unicodedata.normalize("NFKC", str(name)).split())


def _table_field(norm: str) -> tuple[str, int] | None:
    """(field, specificity) of a normalised heading in the table: a specific heading 4, a generic one 2; one
    less when a tail such as （万元）, （一季度）, 说明 or * had to be dropped for the heading to be known."""
    for tail, text in enumerate((norm, _HEADING_TAIL.sub("", norm))):
        if text.lower() in CSV_COLUMNS or text.lower() in STATE_COLUMNS:
            return text.lower(), 4 - tail
        if text in CSV_ALIASES:
            return CSV_ALIASES[text], 4 - tail
        if text in _GENERIC:
            return _GENERIC[text], 2 - tail
    return None


def _heading_key(name: str) -> str:
    """A heading as typed (spaces, line breaks, a trailing * for required) → its column key."""
    found = _table_field(_normal_heading(name))
    return found[0] if found else _normal_heading(name).lower()


@dataclass
class ReadOptions:
    """How a CSV or xlsx 台账 is read beyond its headings: given by `ledger import` options and ledger.yaml."""

    inspection: InspectionSpec | None = None  # --inspection CODE: the rows belong to this registered inspection
    split_by: str | None = None  # --inspection-by HEADING: one inspection under it per value of this column
    columns: dict[str, str] = field(default_factory=dict)  # normalised heading → field, or "extra" ("keep")
    said: str = "--columns"  # where `columns` came from, for the preview


@dataclass
class ColumnReading:
    """How one of the file's columns is read: its heading as spelled, the field (None: kept as an extra column), why
    (a word the preview words: heading, generic heading, unknown, split, inspection, the option that said it; or a message)."""

    heading: str
    field: str | None
    why: str


def parse_column_map(text: str, what: str = "--columns") -> dict[str, str]:
    """'HEADING=field,…' (or a mapping from ledger.yaml) → normalised heading → field; `extra` keeps a column as it is."""
    pairs = text.items() if isinstance(text, dict) else [p.partition("=")[::2] for p in str(text).replace("，", ",").split(",") if p.strip()]
    found: dict[str, str] = {}
    for heading, name in pairs:
        heading, name = _normal_heading(heading), str(name or "").strip().lower()
        if not heading or not name:
            raise InvalidInput(t("{what}: each entry is HEADING=field (fields: {FIELDS}, or extra)", what=what, FIELDS=choices(vocabulary.IMPORT_FIELDS)))
        if name not in FIELDS and name != "extra":
            raise InvalidInput(t("{what}: unknown field '{name}' for column '{heading}' (fields: {FIELDS}, or extra)", what=what, name=Field(name), heading=heading, FIELDS=choices(vocabulary.IMPORT_FIELDS)))
        found[heading] = name
    return found


def _columns(where: _Where, header_line: int, header: list[str], options: ReadOptions) -> list[ColumnReading | None]:
    """How each heading is read. An unknown heading is kept as an extra column, never refused; of two headings
    for one field the more specific is read (the other kept); the required columns must be there."""
    readings: list[ColumnReading | None] = []
    best: dict[str, tuple[int, int]] = {}  # field → (specificity, index)
    seen: dict[str, str] = {}
    split = _normal_heading(options.split_by) if options.split_by else None
    for i, name in enumerate(header):
        spelled = str(name).strip()
        if not spelled:
            readings.append(None)  # an unnamed, empty column (Excel often has one at the end)
            continue
        norm = _normal_heading(spelled)
        if norm in seen:
            raise where.error(header_line, t("column '{spelled}' is given twice (also as '{value}')", spelled=spelled, value=seen[norm]))
        seen[norm] = spelled
        if split is not None and norm == split:
            readings.append(ColumnReading(spelled, None, "split"))
            continue
        if norm in options.columns:
            chosen = options.columns[norm]
            readings.append(ColumnReading(spelled, None if chosen == "extra" else chosen, options.said))
            rank = 5
        else:
            found = _table_field(norm)
            if found is None:
                readings.append(ColumnReading(spelled, None, "unknown"))
                continue
            chosen, rank = found
            readings.append(ColumnReading(spelled, chosen, "heading" if rank > 2 else "generic heading"))
        if options.inspection is not None and chosen in CSV_INSPECTION:
            readings[-1] = ColumnReading(spelled, None, "inspection")  # the header comes from the ledger; kept as text
            continue
        if readings[-1].field is None:
            continue
        if chosen in best:
            other_rank, other = best[chosen]
            if other_rank == rank == 5:
                raise where.error(header_line, t("column '{spelled}' is given twice (also as '{heading}')", spelled=spelled, heading=readings[other].heading))  # type: ignore[union-attr]
            loser = other if other_rank < rank else i  # of two alike (整改进展（一季度）, （二季度）) the first is read
            readings[loser] = ColumnReading(readings[loser].heading, None, t("'{heading}' is read as {field}", heading=readings[i if loser == other else other].heading, field=ImportField(chosen)))  # type: ignore[union-attr]
            if loser == i:
                continue
        best[chosen] = (rank, i)
    fields = {r.field: r.heading for r in readings if r and r.field}
    if "done_on" in fields and "deadline" not in fields and readings[[r.heading if r else None for r in readings].index(fields["done_on"])].why == "generic heading":  # type: ignore[union-attr]
        # 完成时间 beside no deadline column is the planned date (a 巡察整改任务清单: a date, or 长期坚持).
        at = [r.heading if r else None for r in readings].index(fields["done_on"])
        readings[at] = ColumnReading(fields["done_on"], "deadline", t("generic heading (the file has no other deadline column)"))
        fields["deadline"] = fields.pop("done_on")
    if split is not None and not any(r and r.why == "split" for r in readings):
        raise where.error(header_line, t("--inspection-by: the file has no column '{split_by}' (columns: {value})", split_by=options.split_by, value=joined([r.heading for r in readings if r], ", ", "、")))
    needed = ["title"] + (["inspection"] if options.inspection is None else [])
    for need in needed:
        if need not in fields:  # the column by its heading word in the reader's language (问题标题 / title)
            if need == "inspection":
                raise where.error(header_line, t("column '{column}' is missing: name the inspection the rows belong to with --inspection CODE (registered with `ledger add-inspection`)", column=ImportField(need)))
            raise where.error(header_line, t("column '{column}' is missing", column=ImportField(need)))
    where.labels = {m: fields[c] for m, c in _MESSAGE_NAMES.items() if c in fields}
    return readings


def _month_end(year: int, month: int) -> date:
    import calendar

    return date(year, month, calendar.monthrange(year, month)[1])


_MONTH = re.compile(r"(\d{4})\s*(?:年|[-/.])\s*(\d{1,2})\s*月?(?:底|末|份)?")
_YEAR_END = re.compile(r"(\d{4})\s*年\s*(?:底|末|年底|年末)")
LONG_TERM = ("长期坚持", "长期", "持续整改", "长期整改", "常态化", "持续推进")
IMMEDIATE = ("立行立改", "立即整改", "即知即改", "已立行立改")


def office_deadline(value: Any, what: str) -> tuple[date | None, str | None]:
    """A deadline as offices type it → (date, the type it implies): 2019年2月 (the month's end), 2021年底,
    长期坚持 / 长期 (long-term, no deadline), 立行立改 (immediate), or any date values.parse_date reads."""
    try:
        return values.parse_date(value, what), None  # the common case first: a date as the ledger reads dates
    except InvalidInput:
        pass
    text = unicodedata.normalize("NFKC", str(value)).strip() if not isinstance(value, date) else value
    if isinstance(text, str):
        plain = "".join(text.split())
        if plain in LONG_TERM:
            return None, "long-term"
        if plain in IMMEDIATE:
            return None, "immediate"
        found = _YEAR_END.fullmatch(plain)
        if found:
            return values.parse_date(f"{found[1]}-12-31", what), None
        found = _MONTH.fullmatch(plain)
        if found and 1 <= int(found[2]) <= 12:
            return values.parse_date(_month_end(int(found[1]), int(found[2])).isoformat(), what), None
    return values.parse_date(text, what), None


_SHORT_LONG = {"短期": "deadline", "中期": "deadline", "长期": "long-term"}


# How a 台账 says a row is done or not (是否整改完成, 完成情况, 状态); any other words (基本完成, 部分完成) say neither.
DONE_WORDS = ("是", "已完成", "已整改", "完成", "已完成整改", "整改完成", "已整改完成", "已办结", "办结", "已落实", "已销号", "√", "yes", "done")
NOT_DONE_WORDS = ("否", "未完成", "整改中", "正在整改", "未整改", "进行中", "推进中", "正在推进", "未销号", "×", "no")


# A 台账's acceptance grade (验收结果 …) → the ledger's grade. The ledger's own words (好 较好 一般 差) as they are;
# the four-level words offices also use read by what they say: 优秀 好, 良好 较好, 合格 较好 (it passed, and 较好 is
# the lowest passing grade: 一般 would send it back), 不合格 差; 通过 / 已验收 say it passed, without a grade: 较好.
ACCEPTANCE_GRADES: dict[str, str] = {
    **{word.zh: grade for grade, word in vocabulary.GRADES.items()},
    **{grade: grade for grade in vocabulary.GRADES},
    "优秀": "good", "良好": "fair", "合格": "fair", "不合格": "bad",
    "通过": "fair", "验收通过": "fair", "已验收": "fair", "不通过": "bad", "未通过": "bad", "验收不通过": "bad",
}


def acceptance_grade(text: str) -> str | None:
    """The ledger's grade for a 验收结果 cell as typed (spaces, full width, upper case), or None when it is no grade word."""
    return ACCEPTANCE_GRADES.get("".join(unicodedata.normalize("NFKC", text).split()).lower())


def _read_done(where: "_Where", line: int, spec: ProblemSpec) -> None:
    """Whether the file marks the row done, and when: read into spec.done and spec.done_on (ledger/importing.py
    enters them as acts). 整改完成时间 alone marks it done; a row marked not done that gives one is refused."""
    said = "".join(unicodedata.normalize("NFKC", spec.state.get("done", "")).split()).lower()
    if spec.state.get("done_on"):
        day, _ = where.check(line, lambda: office_deadline(spec.state["done_on"], "done_on"))
        if day is None:
            raise where.error(line, t("{field}: '{value}' is not a date: a completion time is the day it was done", field=Field("done_on"), value=spec.state["done_on"]))
        spec.done_on = day
    if said in NOT_DONE_WORDS:
        if spec.done_on is not None:
            raise where.error(line, t("{field}: the row says '{said}' (not done) but gives a completion time {day}", field=Field("done"), said=spec.state["done"], day=spec.done_on))
        _read_grade(where, line, spec)
        return
    spec.done = said in DONE_WORDS or (not said and spec.done_on is not None)
    if spec.state.get("verifier"):
        spec.state["verifier"] = where.check(line, lambda: values.person_name(spec.state["verifier"], "verifier"))
    if spec.done and not spec.person:
        raise where.error(line, t("{field}: the row is marked done but names no one responsible: whose completion it is must be known", field=Field("person")))
    _read_grade(where, line, spec)


def _read_grade(where: "_Where", line: int, spec: ProblemSpec) -> None:
    """The file's 验收结果 into spec.grade: a grade word (ACCEPTANCE_GRADES), on a row marked done, with a 验收负责人."""
    said_grade = spec.state.get("grade")
    if said_grade:
        spec.grade = acceptance_grade(said_grade)
        if spec.grade is None:
            raise where.error(line, t("{field}: '{value}' is not an acceptance grade (one of {words})", field=Field("grade"), value=said_grade.strip(), words="、".join(w for w in ACCEPTANCE_GRADES if not w.isascii())))
        if not spec.done:
            raise where.error(line, t("{field}: the row is not marked done, so it cannot have been accepted ('{value}')", field=Field("grade"), value=said_grade.strip()))
        if not spec.state.get("verifier"):
            raise where.error(line, t("{field}: the row gives an acceptance grade ('{value}') but no verifier: whose acceptance it is must be known", field=Field("grade"), value=said_grade.strip()))


@functools.lru_cache(maxsize=256)  # a column holds a few values, met on every row
def office_type(text: str) -> str | None:
    """A problem type as offices write it, or None when the cell says something else (a 问题类型 such as 财务管理)."""
    plain = "".join(unicodedata.normalize("NFKC", text).split())
    if plain in _SHORT_LONG:
        return _SHORT_LONG[plain]
    if plain in LONG_TERM:
        return "long-term"
    if plain in IMMEDIATE:
        return "immediate"
    try:
        return values.problem_type(plain)
    except InvalidInput:
        return None


@functools.lru_cache(maxsize=256)
def office_source(text: str) -> str | None:
    """The source a free-text 问题来源 names (国资委全面审计 → 审计), or None."""
    try:
        return values.source(text)
    except InvalidInput:
        pass
    for name in ("巡视", "巡察", "审计", "督察", "检视", "自查"):
        if name in text:
            return name
    return None


def _number_or_none(text: str) -> int | None:
    if text.isascii() and text.isdigit() and not text.startswith("0"):
        number = int(text)
        return number if number <= values.MAX_NUMBER else None
    try:
        return values.parse_count(text, "number", maximum=values.MAX_NUMBER, minimum=1)
    except InvalidInput:
        return None


_CODE_PART = re.compile(r"[^A-Za-z0-9_.\u4e00-\u9fff]+")


def split_code(base: str, value: str) -> str:
    """The code of the inspection one value of the --inspection-by column gets: CODE-华东公司."""
    return f"{base}-{_CODE_PART.sub('', value)[:60] or 'x'}"


def _read_rows(
    where: _Where,
    header_line: int,
    header: list[str],
    rows: Iterable[tuple[int, list[str]]],
    progress: Callable[[Any], Any],
    continued: set[int] = frozenset(),  # type: ignore[assignment]
    options: ReadOptions | None = None,
) -> list[FeedbackList]:
    """The shared path of CSV and xlsx: rows of text cells → one feedback list per inspection.

    A row without a number (or one in `continued`, merged into the row above) continues the
    problem above with one more measure; a row naming another inspection code starts that inspection
    (or, with --inspection-by, another value of that column).
    """
    options = options or ReadOptions()
    readings = _columns(where, header_line, header, options)
    columns = [r.field if r else None for r in readings]
    spelled = {r.field: r.heading for r in readings if r and r.field}
    extras = [(i, r.heading) for i, r in enumerate(readings) if r and r.field is None and r.why != "split"]
    split_at = next((i for i, r in enumerate(readings) if r and r.why == "split"), None)
    unheaded = [i for i, r in enumerate(readings) if r is None]  # looked at per row: once here
    lists: list[FeedbackList] = []
    by_code: dict[str, FeedbackList] = {}
    header_values: dict[str, str] = {}
    problem_cells: dict[str, str] = {}
    raw_numbers: dict[int, str] = {}  # id(spec) → the file's 序号
    fill: dict[str, str] = {}  # values merged down (exported as blanks): the category, the --inspection-by column
    number_given = "number" in spelled
    types_read = 0
    for line, row in progress(rows):
        if len(row) > len(columns) and any(str(c).strip() for c in row[len(columns):]):
            raise where.error(line, t("has {cells} but the header names {columns}", cells=tn("{n} cell", "{n} cells", len(row), n=len(row)), columns=tn("{n} column", "{n} columns", len(columns), n=len(columns))))
        for i in unheaded:
            if i < len(row) and str(row[i]).strip():
                raise where.error(line, t("'{value}' is in a column without a heading", value=row[i]))
        cells = {c: (str(row[i]).strip() if i < len(row) else "") for i, c in enumerate(columns) if c}
        kept = {h: str(row[i]).strip() for i, h in extras if i < len(row) and str(row[i]).strip()}
        if not any(cells.values()) and not kept and not (split_at is not None and split_at < len(row) and str(row[split_at]).strip()):
            continue
        problem_fields = [c for c in cells if c in PROBLEM_KEYS and cells[c]]
        measure = _text(where, line, cells.get("measure"), "measure", required=False)
        title_repeated = not cells.get("title") or cells.get("title") == problem_cells.get("title")
        continuation = line in continued or (not cells.get("number") and title_repeated)
        if continuation and lists and lists[-1].problems:
            for c in problem_fields:  # cells repeated on each measure row are fine; different ones are not
                if c != "category" and cells[c] != problem_cells.get(c, ""):
                    raise where.error(line, t("{c}: a continuation row (no {get}) holds only a measure; '{value}' differs from the problem above", c=c, get=spelled.get('number', 'number'), value=cells[c]))
            if options.inspection is None:
                for c in CSV_INSPECTION:
                    if cells.get(c) and cells[c] != header_values.get(c, ""):
                        raise where.error(line, t("{c}: '{value}' differs from the problem above ('{get}')", c=c, value=cells[c], get=header_values.get(c, '')))
            spec = lists[-1].problems[-1]
            for h, v in kept.items():  # nothing is lost: a different extra cell on a measure row is added
                if v not in spec.extra.get(h, "").split("；"):
                    spec.extra[h] = f"{spec.extra[h]}；{v}" if spec.extra.get(h) else v
            if measure:
                spec.measures.append(_measure(where, {"text": measure, "due": cells.get("measure_due") or None}, {}, line))
            elif cells.get("measure_due"):
                raise where.error(line, t("{field}: given without a measure", field=Field("measure_due")))
            continue
        if continuation and not problem_fields and not measure:
            continue
        if continuation:
            raise where.error(line, t("{field}: a continuation row (no number) must follow a problem's row", field=Field("measure")))
        # Which inspection the row belongs to.
        if options.inspection is not None:
            base = options.inspection
            code, header_spec = base.code, base
            if split_at is not None:
                value = (str(row[split_at]).strip() if split_at < len(row) else "") or fill.get("split", "")
                if not value:
                    raise where.error(line, t("{heading}: is empty, so the row belongs to no inspection (--inspection-by)", heading=readings[split_at].heading))  # type: ignore[union-attr]
                fill["split"] = value
                code = split_code(base.code, value)
                organisation = _text(where, line, value, "organisation", required=True)
                header_spec = InspectionSpec(
                    code=code, name=f"{base.name}（{organisation}）", organisation=organisation, group=base.group,
                    kind=base.kind, start=base.start, end=base.end, feedback=base.feedback, line=line, round=base.round,
                )
            if code not in by_code:
                by_code[code] = FeedbackList(where.path, header_spec, [], unit=where.unit, columns=readings, registered=split_at is None)  # type: ignore[arg-type]
                lists.append(by_code[code])
            if lists[-1] is not by_code[code]:  # rows of one unit need not be together: move it last
                lists.remove(by_code[code])
                lists.append(by_code[code])
        else:
            given = {c: cells[c] for c in CSV_INSPECTION if cells.get(c)}
            code = given.get("inspection", "")
            if not lists or (code and code != header_values.get("inspection")):
                if lists:
                    missing = [c for c in ("inspection_name", "organisation", "group", "kind", "start", "end") if not given.get(c)]
                    if missing:
                        raise where.error(line, t("{value}: is required: inspection '{code}' differs from the row above, so this row starts another inspection and must give its header", value=missing[0], code=code))
                data = {CSV_COLUMNS[c]: v for c, v in given.items()}
                lists.append(FeedbackList(where.path, _inspection(where, data, {}, line), [], unit=where.unit, columns=readings))
                header_values = given
            else:
                for c, v in given.items():
                    if header_values.get(c, "") != v:
                        raise where.error(line, t("{c}: '{v}' differs from the first row of inspection {get} ('{get2}')", c=c, v=v, get=header_values.get('inspection'), get2=header_values.get(c, '')))
        if "category" in spelled:
            cells["category"] = cells["category"] or fill.get("category", "")  # a category merged down over its problems
            fill["category"] = cells["category"]
        data = {c: cells[c] for c in cells if c in PROBLEM_KEYS}
        raw_number = data.get("number", "")
        number = _number_or_none(raw_number) if raw_number else None
        data["number"] = str(number or 1)
        data.setdefault("category", "")
        data["category"] = data["category"] or "未分类"
        deadline_text, type_text, source_text = data.pop("deadline", ""), data.pop("type", ""), data.pop("source", "")
        spec = _problem(where, data, {}, line)
        header_now = lists[-1].inspection
        spec.source = office_source(f"{header_now.name}{header_now.group}") or spec.source  # a 巡视's list is 巡视's
        if deadline_text:
            day, implied = where.check(line, lambda: office_deadline(deadline_text, "deadline"))
            spec.deadline = day
            if implied:
                spec.type = implied
        if type_text:
            kind = office_type(type_text)
            if kind is None:  # a 问题类型 such as 财务管理, or 常规 (the inspection's kind): kept as written
                spec.extra[spelled["type"]] = type_text
            else:
                spec.type = kind
                types_read += 1
        if source_text:
            named = office_source(source_text)
            spec.source = named or spec.source
            if named != source_text:
                spec.extra[spelled["source"]] = source_text  # 国资委全面审计: read as 审计, kept as written
        for c in STATE_COLUMNS:
            if cells.get(c):
                spec.state[c] = cells[c]
                spec.extra[spelled[c]] = cells[c]  # the file's own words stay with the problem
        if spec.state:
            _read_done(where, line, spec)
        spec.extra.update(kept)
        raw_numbers[id(spec)] = raw_number
        if measure:
            spec.measures.append(_measure(where, {"text": measure, "due": cells.get("measure_due") or None}, {}, line))
        elif cells.get("measure_due"):
            raise where.error(line, t("{field}: given without a measure", field=Field("measure_due")))
        lists[-1].problems.append(spec)
        problem_cells = {c: cells[c] for c in cells if c in PROBLEM_KEYS}
    if not lists:
        raise where.error(None, t("has a header but no rows"))
    if "type" in spelled and not types_read:  # no cell was a rectification type: say so in the reading
        at = next(i for i, r in enumerate(readings) if r and r.field == "type")
        readings[at] = ColumnReading(spelled["type"], None, t("no cell is a rectification type (immediate, deadline or long-term)"))
    seen: dict[str, int] = {}
    for feedback in lists:
        code = feedback.inspection.code
        if options.inspection is None:
            if code in seen:
                raise where.error(feedback.inspection.line, t("{field}: {code} appears again after another inspection (also from {earlier}): keep an inspection's rows together", field=Field("inspection"), code=code, earlier=line_word(where.unit, seen[code])))
            seen[code] = feedback.inspection.line
        _number_by_row(feedback, raw_numbers, spelled.get("number", "序号"), number_given)
        _check_whole(where, feedback)
    # Each problem's own columns in the file's order (they were gathered field by field).
    position = {r.heading: i for i, r in enumerate(readings) if r}
    for feedback in lists:
        for p in feedback.problems:
            if len(p.extra) > 1:
                p.extra = dict(sorted(p.extra.items(), key=lambda item: position.get(item[0], len(position))))
    return lists


def _number_by_row(feedback: FeedbackList, raw: dict[int, str], heading: str, given: bool) -> None:
    """The file's 序号 where each is a whole number met once; else (repeated, 1-1, 一, or no 序号 column) the
    problems are numbered by row, 1, 2, 3 …, and the file's 序号 is kept with each as it was."""
    numbers = [p.number for p in feedback.problems]
    if given and all(raw.get(id(p)) and _number_or_none(raw[id(p)]) for p in feedback.problems) and len(set(numbers)) == len(numbers):
        return
    for i, p in enumerate(feedback.problems, 1):
        p.number = i
        if raw.get(id(p)):
            p.extra = {heading: raw[id(p)], **p.extra}


def _read_csv(where: _Where, text: str, progress: Callable[[Any], Any], options: ReadOptions) -> list[FeedbackList]:
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
                raise where.error(state["end"] + 1, t("not valid CSV (a quote opened in this row is never closed)")) from None
            raise where.error(state["end"] + 1, t("not valid CSV ({e})", e=e)) from None

    found = rows()
    header_line, header, body = _find_header(where, found, options, empty=t("is empty: the first row must name the columns"))
    return _read_rows(where, header_line, header, _Sized(body, text.count("\n")), progress, options=options)


# Rows looked at for the header: title rows and fill-in lines (填报单位（盖章）：…  填报时间：…) come before it.
HEADER_WITHIN = 20


def _known(cell: Any, options: ReadOptions) -> bool:
    norm = _normal_heading(cell) if str(cell or "").strip() else ""
    return bool(norm) and (norm in options.columns or _table_field(norm) is not None)


def _find_header(
    where: _Where, rows: Iterator[tuple[int, list[Any]]], options: ReadOptions, *, empty: str
) -> tuple[int, list[str], Iterator[tuple[int, list[Any]]]]:
    """The header row and the rows after it. The header is the first row naming at least two known columns
    (else, as before, the first row naming two columns at all); a row under it naming columns where the
    header has a group heading (责任主体 over 责任领导 / 责任单位 / 责任人) makes a two-row header."""
    import itertools

    seen: list[tuple[int, list[Any]]] = []
    at = None
    for line, row in rows:
        seen.append((line, row))
        if sum(1 for c in row if _known(c, options)) >= 2:
            at = len(seen) - 1
            break
        if len(seen) >= HEADER_WITHIN:
            break
    if at is None:  # no row of known headings: the first row naming two columns, as before
        at = next((i for i, (_, row) in enumerate(seen) if sum(1 for c in row if str(c or "").strip()) >= 2), None)
        if at is None:
            if not seen:
                raise where.error(None, empty)
            at = 0
    header_line, top = seen[at]
    rest = itertools.chain(seen[at + 1:], rows)
    following = next(rest, None)
    header = [str(c or "").strip() for c in top]
    if following is not None:
        below = [str(c or "").strip() for c in following[1]]
        under_known = any(b and i < len(top) and _known(top[i], options) for i, b in enumerate(below))
        if any(_known(b, options) for b in below) and not under_known:
            width = max(len(header), len(below))
            header = [(below[i] if i < len(below) and below[i] else (header[i] if i < len(header) else "")) for i in range(width)]
        else:
            rest = itertools.chain([following], rest)
    return header_line, header, rest


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


def _unsafe_xml(path: Path, error: BaseException) -> InvalidInput:
    """One line, in the ledger's own words, for a file that is no readable workbook: broken, or XML declaring
    entities (the billion laughs, XXE). The libraries' own English (zipfile, openpyxl, the XML parser) is not shown."""
    import zipfile

    from defusedxml import DefusedXmlException

    if isinstance(error.__context__, (SyntaxError, DefusedXmlException)) and not isinstance(error, (SyntaxError, DefusedXmlException)):
        error = error.__context__  # openpyxl re-raised the XML parser's error as its own
    if isinstance(error, DefusedXmlException):
        return InvalidInput(t("{path}: not a readable xlsx workbook (its XML declares entities or a DTD, which a workbook never needs; refused as unsafe)", path=path))
    if isinstance(error, SyntaxError):  # xml.etree's ParseError and lxml's XMLSyntaxError both are
        reason = t("its XML is not well-formed")
    elif isinstance(error, zipfile.BadZipFile):
        reason = t("not a zip archive, as every xlsx file is")
    elif isinstance(error, KeyError):
        reason = t("a part every workbook holds is missing")
    elif isinstance(error, OSError):
        return InvalidInput(t("{path}: cannot read ({value})", path=path, value=error.strerror or type(error).__name__))
    else:  # openpyxl's InvalidFileException, a ValueError of a damaged part
        reason = t("its content is damaged")
    return InvalidInput(t("{path}: not a readable xlsx workbook ({reason})", path=path, reason=reason))


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

    too_big = t("reaches past row {rows:,} or column {columns} (no feedback list is that large: delete the stray cells, or split the sheet)", rows=MAX_ROWS, columns=MAX_COLUMNS)
    merges = []
    formula = False
    with zipfile.ZipFile(path) as z, z.open(worksheet_path.lstrip("/")) as xml:
        for _, element in iterparse(xml):
            tag = element.tag
            if tag.endswith("}row"):
                cells = list(element)
                if cells and (beyond(cells[-1].get("r", "")) or int(element.get("r") or 0) > MAX_ROWS):
                    raise where.error(None, t("cell {get} {too_big}", get=cells[-1].get('r'), too_big=too_big))
                if formula:  # only rows holding a formula are looked at cell by cell
                    for c in cells:
                        f, v = c.find("{*}f"), c.find("{*}v")
                        if f is not None and (v is None or v.text is None) and c.find("{*}is") is None:
                            raise where.error(None, t("cell {get} holds a formula ({value}) without the value Excel saves with it: open and save the file in Excel or WPS, or paste the values", get=c.get('r'), value=f.text or 'shared'))
                    formula = False
                element.clear()
            elif tag.endswith("}f"):
                formula = True
            elif tag.endswith("}mergeCell") and element.get("ref"):
                bounds = range_boundaries(element.get("ref"))
                if bounds[2] > MAX_COLUMNS or bounds[3] > MAX_ROWS:
                    raise where.error(None, t("merged range {get} {too_big}", get=element.get('ref'), too_big=too_big))
                merges.append(bounds)
            elif tag.endswith("}dimension") and element.get("ref") and any(beyond(r) for r in element.get("ref").split(":")):
                raise where.error(None, t("its dimension {get} {too_big}", get=element.get('ref'), too_big=too_big))
    return _SheetScan(merges)  # type: ignore[arg-type]


def _read_xlsx(path: Path, sheet: str | None, progress: Callable[[Any], Any], options: ReadOptions) -> list[FeedbackList]:
    """A worksheet of the 台账 (first sheet, or `sheet`), merged cells read as the 台账 means them."""
    import zipfile

    from defusedxml import DefusedXmlException
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (SyntaxError, DefusedXmlException, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as e:
        raise _unsafe_xml(path, e) from None
    try:
        if sheet is None:
            ws = book.worksheets[0]
        elif sheet in book.sheetnames:
            ws = book[sheet]
        else:
            raise InvalidInput(t("--sheet: {path} has no sheet '{sheet}' (sheets: {sheetnames})", path=path, sheet=sheet, sheetnames=', '.join(book.sheetnames)))
        where = _Where(f"{path}: sheet {ws.title}", unit="row")
        if not hasattr(ws, "iter_rows") or not hasattr(ws, "_worksheet_path"):
            raise where.error(None, t("is not a worksheet (a chart sheet?): name the ledger's sheet with --sheet"))
        merges = _scan_sheet(path, where, ws._worksheet_path).merges
        ws.reset_dimensions()  # rows as the file holds them, not padded to what its dimension claims
        rows = [(r, list(values)) for r, values in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1)]
    except (SyntaxError, DefusedXmlException, zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise _unsafe_xml(path, e) from None
    finally:
        book.close()
    width = max((len(v) for _, v in rows), default=0)
    merged_from = _merged_cells(where, merges, len(rows), width)

    def value(r: int, c: int) -> Any:
        found = rows[r - 1][1] if 0 < r <= len(rows) else []
        return found[c - 1] if c - 1 < len(found) else None
    header_line, header, after = _find_header(where, ((r, vals) for r, vals in rows), options, empty=t("is empty: a row must name the columns"))
    first_body = next(after, (len(rows) + 1, None))[0]
    keys = [_heading_key(h) if h else None for h in header]
    key_col = {k: i + 1 for i, k in enumerate(keys) if k}
    body: list[tuple[int, list[str]]] = []
    continued: set[int] = set()
    for r, _ in rows[first_body - 1:]:
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
    return _read_rows(where, header_line, header, body, progress, continued, options)




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
                        raise where.error(r, t("merged ranges overlap at column {c} (a workbook Excel would not open)", c=c))
                    merged_from[(r, c)] = (min_row, min_col)
    return merged_from


# -- any file --------------------------------------------------------------------------

ENCODINGS_TRIED = ("utf-8", "gb18030")


def decode_text(where: _Where, raw: bytes, encoding: str | None = None) -> str:
    """Text from bytes as Excel/WPS save them: UTF-8 (with or without BOM), else GB18030 (GBK), or `encoding`."""
    import codecs

    if encoding:
        try:
            info = codecs.lookup(encoding)
        except (LookupError, ValueError, TypeError):
            info = None
        # rot13, base64, hex, zlib … are codecs but not text encodings: bytes.decode refuses them
        if info is None or not getattr(info, "_is_text_encoding", True):
            raise InvalidInput(t("--encoding: '{shown}' is not a known text encoding (e.g. utf-8, gb18030, gbk)", shown=values.shown(encoding)))
        name = info.name
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
        raise where.error(line, t("is not {encoding} text", encoding=encoding))
    raise where.error(line, t("is neither UTF-8 nor GB18030/GBK text (save it as 'CSV UTF-8', or give --encoding)"))


def read_feedback_lists(
    path: str | Path,
    progress: Callable[[Any], Any] = lambda items: items,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    options: ReadOptions | None = None,
) -> list[FeedbackList]:
    """Read and check the whole file: one list per inspection it holds (YAML: one).

    Raises InvalidInput naming the file, line (or sheet and row) and field."""
    where = _Where(str(path))
    file = Path(path)
    suffix = file.suffix.lower()
    options = options or ReadOptions()
    if suffix in (".yaml", ".yml") and (options.inspection is not None or (options.columns and options.said == "--columns")):
        raise InvalidInput(t("{path}: a YAML list names its inspection and fields itself: --inspection, --inspection-by and --columns are for CSV and xlsx", path=path))
    if sheet is not None and suffix != ".xlsx":
        raise InvalidInput(t("--sheet: only an .xlsx workbook has sheets, not {path}", path=path))
    if suffix in (".xlsx", ".xlsm"):
        if encoding:
            raise InvalidInput(t("--encoding: an .xlsx workbook carries its own encoding ({path})", path=path))
        if not file.is_file():
            raise InvalidInput(t("{path}: cannot read (no such file)", path=path))
        return _fingerprinted(_read_xlsx(file, sheet, progress, options), file.read_bytes())
    if suffix == ".xls":
        raise InvalidInput(t("{path}: the old .xls format is not read: save it as .xlsx (an Excel workbook) or CSV", path=path))
    if suffix not in (".yaml", ".yml", ".csv"):
        raise InvalidInput(t("{path}: unknown file type '{value}': use .xlsx, .csv, .yaml or .yml", path=path, value=suffix or '(none)'))
    from ledger.inputs import MAX_LIST_BYTES, read_regular

    try:
        file.stat()
    except OSError as e:
        raise InvalidInput(t("{path}: cannot read ({value})", path=path, value=e.strerror or e)) from None
    raw = read_regular(file, "FILE", MAX_LIST_BYTES)
    text = decode_text(where, raw, encoding)
    if suffix == ".csv":
        return _fingerprinted(_read_csv(where, text, progress, options), raw)
    return _fingerprinted([_read_yaml(where, text, progress)], raw)


def _fingerprinted(lists: list[FeedbackList], raw: bytes) -> list[FeedbackList]:
    import hashlib

    digest = hashlib.sha256(raw).hexdigest()
    for feedback in lists:
        feedback.fingerprint = digest
    return lists


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
            raise InvalidInput(t("{path}: holds no inspection {code} (it holds {value})", path=path, code=code, value=', '.join((f.inspection.code for f in lists))))
    if len(lists) > 1:
        raise InvalidInput(t("{path}: holds {n_lists} inspections ({value}): name one with --inspection", path=path, n_lists=len(lists), value=', '.join((f.inspection.code for f in lists))))
    return lists[0]
