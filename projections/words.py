"""Words on screen in Chinese or English, shared by the CLI and the web view: table headings, the words of
values in tables (from the vocabulary), and keyed messages (ledger.messages) rendered in the reader's language.
Plain text (a name, an ID, quoted text, an outside library's own words) is shown as it is: nothing is translated
by reading it. The language itself is the interface's to choose (commands.i18n, the web view's `lang`).
"""

from __future__ import annotations

from typing import Any, Sequence

from ledger import vocabulary
from ledger.messages import Data, Message, render

# -- words in tables -----------------------------------------------------------

HEADINGS = {
    "id": "编号", "inspection": "巡察", "overdue": "逾期", "measures": "措施", "relapses": "反弹", "escalation": "督办", "due": "事项", "date": "日期",
    "days_left": "剩余天数", "days_late": "逾期天数", "suggest": "建议督办", "seq": "序号", "at": "发生时间",
    "recorded_at": "记录时间", "actor": "操作人", "event": "事件", "details": "详情", "text": "内容",
    "evidence": "佐证材料", "grade": "等次", "result": "结果", "note": "备注", "reason": "理由", "by": "经办人",
    "signed_off": "销号日期", "point": "整改回头看节点", "review_date": "整改回头看日期", "state": "情况", "reviews": "整改回头看",
    "missed": "错过", "code": "编号", "registered_at": "登记时间",
    "registered_by": "登记人", "parent": "上级问题", "extended_to": "延期至", "done by": "完成人", "level": "级别",
    "progress": "进展", "meaning": "含义", "outcome": "结果", "field": "字段", "was": "原值", "now": "现值",
    "to": "延期至", "previous": "原时限", "decision": "审批", "requested_by": "申请人", "decided_by": "审批人",
    "value": "值", "key": "项目", "subject": "对象", "correction": "更正",
    "reworks": "二次整改", "registered": "登记", "refined into": "细化为", "withheld": "不予公开", "population": "总体",
    "drawn": "抽中", "draw": "抽查", "seed": "种子", "size": "数量", "file_size": "大小（字节）", "hash": "哈希算法", "digest": "摘要",
    "light": "预警", "check": "检查项", "detail": "详情", "roles": "角色", "fingerprint": "密钥指纹",
    "enrolled_at": "登记时间", "revoked_at": "撤销时间", "score": "相似度", "shared": "相同词语",
    "links": "关联问题", "as": "关联类型", "problem": "问题编号", "linked": "关联问题", "direction": "先后", "relapse": "计为反弹",
    "heading": "表头", "read as": "读作", "why": "依据", "assignee": "责任领导/单位/人", "kept": "附加列", "acts": "将录入的操作", "file says": "文件所记",
    "reopened": "重新打开", "recurrences": "屡查屡犯", "found_again": "再次发现",
    "answer": "答复情况", "not_found": "自查未发现", "sent": "下发单位", "answered_at": "答复时间", "self_check": "自查答复",
    **vocabulary.zh(vocabulary.FIELDS),  # an inspection's and a problem's fields: 巡察类型 is not 问题类别
    **vocabulary.zh(vocabulary.COUNTS),  # a summary's counts, as every summary form heads them
}

STATUS_WORDS = vocabulary.zh(vocabulary.STATUSES)

# Event names as `history` and `audit` print them (JSON and CSV keep the English names).
EVENT_WORDS = vocabulary.zh(vocabulary.EVENTS)

# Keys inside the details of an act ("lead=…; unit=…") that HEADINGS does not name.
DETAIL_KEYS = {
    "measure_id": "措施编号", "rules": "制度", "funds": "资金", "accountable": "问责", "clues": "线索", "passed": "通过",
    "approved": "批准", "child": "细化问题", "fields": "字段", "old": "原值", "new": "现值", "administrator": "管理员",
    "ledger_id": "台账编号", "public_key": "公钥", "fingerprint": "密钥指纹", "roles": "角色", "role": "角色",
    "verification": "核查", "sequence": "序号", "time": "时间", "head": "链头", "algorithm": "算法",
    "signature": "签名", "tree_size": "树大小", "tree_root": "树根", "deadline": "整改时限", "due": "时限",
    "number": "序号", "name": "姓名", "link": "关联类型", "ciphertext": "密文", "drawn_ids": "抽中问题", "checkpoint_version": "检查点版本",
    "cause": "原因",
}


# A key that names something else in one act: a policy's name, an inspection's name (not a person's).
ACT_DETAIL_KEYS = {("PolicySet", "name"): "规则", ("PolicySet", "value"): "取值", ("Registered", "name"): "名称"}


def details_words(pairs: list[tuple[str, Any]], lang: str, event: str = "") -> str:
    """An act's details (projections.history.Details) in `lang`: each key by its heading, each value by its word."""
    from projections.history import _describe_value

    if event == "Reopened":
        pairs = _reopening_pairs(pairs)
    if lang != "zh":  # the keys as stored; a value by its English word where that is not the stored value
        return "; ".join(f"{key}={_describe_value(vocabulary.label(EN_WORDS[key], value, lang) if key in EN_WORDS else value)}" for key, value in pairs)
    out = []
    for key, value in pairs:
        words = DETAIL_VALUE_WORDS.get(key) or VALUE_WORDS.get(key)
        if isinstance(value, dict) and isinstance(words, dict):  # counts by kind: {discipline: 1} → {党纪政务处分: 1}
            value = {words.get(k, k): v for k, v in value.items()}
        shown = _describe_value(value)
        if isinstance(value, Data):  # a stored marker (the web's [encrypted]): by its word
            shown = value.label(lang)
        elif isinstance(value, bool):
            shown = "是" if value else "否"
        elif isinstance(value, list) and isinstance(words, dict):
            shown = "、".join(str(words.get(str(v), v)) for v in value)
        elif isinstance(words, dict):
            shown = words.get(shown, shown)
        elif callable(words) and key in ("status", "roles", "field", "fields"):
            shown = "、".join(words(str(v)) for v in value) if isinstance(value, list) else words(shown)
        out.append(f"{ACT_DETAIL_KEYS.get((event, key)) or DETAIL_KEYS.get(key) or HEADINGS.get(key, key)}={shown}")
    return "；".join(out)  # a Chinese line, Chinese punctuation


def _reopening_pairs(pairs: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """A reopening recorded before its cause was a field said it in English in its reason: on screen it reads
    as a cause and the reviewer's note, as a reopening recorded since does (its data stays as recorded)."""
    from ledger.values import OLD_RELAPSE_REASON, RELAPSE_IN_REVIEW

    found = dict(pairs)
    reason = found.get("reason")
    if found.get("cause") or not isinstance(reason, str) or not reason.startswith(OLD_RELAPSE_REASON):
        return pairs
    rest = [(k, reason[len(OLD_RELAPSE_REASON):]) if k == "reason" else (k, v) for k, v in pairs]
    return [*rest, ("cause", RELAPSE_IN_REVIEW)]


def field_word(name: str) -> vocabulary.Word:
    """A field's word on every screen (a correction's, a withholding's): description → 问题描述, M2.due → 措施M2 时限 /
    measure M2 due date, measures → 全部措施, whistleblower → 举报人."""
    return vocabulary.WITHHELD_PARTS.get(name) or vocabulary.field_word(name)


def _field_words(text: str) -> str:
    return field_word(text).zh


VALUE_WORDS: dict[str, Any] = {
    "event": EVENT_WORDS,
    "field": _field_words,
    "subject": {"people (人员与权限)": "人员与权限"},
    "meaning": vocabulary.zh(vocabulary.MEANINGS),
    "outcome": STATUS_WORDS,  # a sign-off's outcome is the status it gave
    "measure": vocabulary.zh(vocabulary.MEASURE_STATES),
    "level": vocabulary.zh(vocabulary.ESCALATION_LEVELS),
    "escalation": vocabulary.zh(vocabulary.ESCALATION_LEVELS),  # a problem's level so far (`status`, `due`)
    "light": vocabulary.zh(vocabulary.LIGHTS),
    "status": lambda text: _status_words(text),  # a problem's, a doctor check's, a person's
    "fingerprint": {"(no key)": "（无密钥）"},
    "check": lambda text: CHECK_WORDS.get(text, text),
    "detail": lambda text: _detail_words(text),
    "type": vocabulary.zh(vocabulary.PROBLEM_TYPES),
    "kind": vocabulary.zh(vocabulary.INSPECTION_KINDS),
    "decision": vocabulary.zh(vocabulary.DECISIONS),
    "link": vocabulary.zh(vocabulary.LINK_KINDS),
    "as": vocabulary.zh(vocabulary.LINK_KINDS),
    "direction": vocabulary.zh(vocabulary.LINK_DIRECTIONS),
    "answer": vocabulary.zh(vocabulary.SELF_CHECK_ANSWERS),
    "grade": vocabulary.zh(vocabulary.GRADES),
    "accountable": vocabulary.zh(vocabulary.ACCOUNTABILITY_KINDS),
    "result": {
        **vocabulary.zh(vocabulary.REVIEW_RESULTS), "passed": "通过", "failed": "未通过",
        "matched": "一致", "missing": "台账缺少", "extra": "清单外", "changed": "有出入",
    },
    "due": {"deadline": "整改时限", "progress": "进展报告"},
    "state": {"complete": "已完成", "due": "到期", "missed": "已错过", "upcoming": "未到期"},
}

# Values inside an act's details worded apart from table columns (a withholding's reason, a person's roles).
DETAIL_VALUE_WORDS: dict[str, Any] = {
    "reason": vocabulary.zh(vocabulary.WITHHOLD_REASONS),  # only its codes: a free-text reason reads as typed
    "roles": vocabulary.zh(vocabulary.ROLES),
    "role": vocabulary.zh(vocabulary.ROLES),
    "fields": _field_words,
    "name": vocabulary.zh(vocabulary.POLICIES),  # a policy's; a person's or inspection's name reads as typed
    "value": vocabulary.zh(vocabulary.POLICY_VALUES),
    "cause": vocabulary.zh(vocabulary.REOPEN_CAUSES),
}

# Columns whose long text (and heading) wraps, so a table fits a 120-column terminal. `escalation` is as wide as
# its English heading and the longest Chinese level (督办通知书), neither cut in two.
WRAP = {
    "title": 16, "category": 8, "text": 30, "details": 16, "note": 16, "description": 24, "reason": 16,
    "name": 20, "organisation": 12, "group": 10, "unit": 8, "person": 6, "evidence": 16, "escalation": 10,
    "suggest": 10, "recorded_at": 20, "at": 20, "type": 9, "status": 11, "overdue": 4, "measures": 5,
    "relapses": 4, "days_left": 5, "days_late": 5, "actor": 10, "event": 12, "subject": 10, "correction": 14,
    "reviews": 10, "missed": 6, "signed_off": 10, "review_date": 11, "point": 10, "state": 8, "result": 8,
    "due": 8, "detail": 72, "file says": 20, "acts": 30,
}


# A heading's English where it is not its key's words ("signed_off" reads "signed off": see heading()).
# A narrow column of figures has a short word, so its heading is whole and `status` still fits a 120-column
# terminal: "measures" (done of planned, 1/2) reads "done".
EN_HEADINGS = {"self_check": "self-check", "file_size": "size (bytes)", "measures": "done"}


def heading(column: str, lang: str) -> str:
    """A table's heading: in Chinese HEADINGS' word; in English the key in words, never the raw key (JSON and
    CSV keep the keys)."""
    if lang == "zh":
        return HEADINGS.get(column, column)
    count = vocabulary.COUNTS.get(column)  # a count reads as every summary form heads it ("not yet done")
    if count is not None:
        return str(count.en)
    return EN_HEADINGS.get(column) or column.replace("_", " ")


# The stored read models' columns a finding names (a derived row that differs from the replay) and no table heads:
# by these words; every other column by its heading (状态, 整改时限 …). JSON keeps the column's name.
STORED_COLUMNS = {
    "position": vocabulary.Word("排序位置", "position"),
    "data": vocabulary.Word("数据", "data"),
    "assignee": vocabulary.Word("责任分工", "assignee"),  # inside data: {lead, unit, person, deadline}
    "rules": vocabulary.Word("完善制度数", "rules"),
    "funds_fen": vocabulary.Word("清退追回资金（分）", "funds (fen)"),
    "accountable": vocabulary.Word("问责人数", "people held accountable"),
    "clues": vocabulary.Word("移交线索数", "clues handed over"),
    "measures_done": vocabulary.Word("已完成措施数", "measures done"),
    "measures_total": vocabulary.Word("措施总数", "measures in all"),
    "first_seen": vocabulary.Word("首次出现位置", "first seen"),
}


class Column(Data):
    """A stored column named in a message: its name in data (str), its words on screen (label)."""

    def label(self, lang: str) -> str:
        name = str.__str__(self)
        word = STORED_COLUMNS.get(name)
        return word.of(lang) if word is not None else heading(name, lang)


class DataPath(Data):
    """A place inside a row's JSON data (assignee.unit, measures.0.text): its keys in data, each by its word on screen."""

    def __new__(cls, keys: Sequence[str]) -> "DataPath":
        self = super().__new__(cls, ".".join(keys))
        self.keys = tuple(keys)
        return self

    def __reduce__(self) -> Any:  # sent back from a replay worker
        return (DataPath, (self.keys,))

    def label(self, lang: str) -> str:
        return ".".join(key if key.isdigit() else Column(key).label(lang) for key in self.keys)


# Columns whose English word comes from the vocabulary too (most English words are the stored value itself).
EN_WORDS: dict[str, dict[str, vocabulary.Word]] = {
    "source": vocabulary.SOURCES, "reason": vocabulary.WITHHOLD_REASONS, "answer": vocabulary.SELF_CHECK_ANSWERS,
    "cause": vocabulary.REOPEN_CAUSES, "status": vocabulary.STATUSES,  # a problem's not_found reads "not found"
}


def value_word(column: str, value: Any, lang: str) -> Any:
    if isinstance(value, Message) or (callable(getattr(value, "label", None)) and isinstance(value, str)):
        return render(value, lang, lambda text: _plain(text, lang))  # a keyed message or a worded cell (an act's details)
    if column == "suggest" and isinstance(value, str):  # `due`'s "warning (告诫书)" (its JSON): the level's word alone
        return vocabulary.label(vocabulary.ESCALATION_LEVELS, value.split(" ", 1)[0], lang)
    if column == "field" and isinstance(value, str):
        return field_word(value).of(lang)
    if lang != "zh":
        return vocabulary.label(EN_WORDS[column], value, lang) if column in EN_WORDS else value
    if isinstance(value, bool):
        return "是" if value else "否"
    words = VALUE_WORDS.get(column)
    if callable(words) and isinstance(value, str):
        return words(value)
    if words and isinstance(value, str):
        return words.get(value, value)
    return value


# `show`'s sub-tables: (Chinese title, English title) and their columns (heading keys).
SECTIONS = {
    "extensions": ("延期申请（整改时限变更记录）", "extensions (the deadline history)"),
    "measures": ("整改措施", "measures"),
    "verifications": ("核查验收", "verifications"),
    "signoffs": ("对账销号", "sign-offs"),
    "escalations": ("督办", "escalations"),
    "progress": ("进展报告", "progress"),
    "reviews": (vocabulary.EVENTS["ReviewRecorded"].zh, "reviews (after sign-off)"),
    "signatures": (vocabulary.EVENTS["SignatureRecorded"].zh, "signatures (dual review)"),  # history's word for the act
    "sensitive": ("敏感内容（`ledger reveal` 查看）", "sensitive (`ledger reveal`)"),  # a command in backticks, as lines name one
    "links": ("关联问题（屡查屡犯、同类问题、举一反三）", "linked problems (recurrence, same kind, self-check)"),
    "self_check": ("自查答复", "self-check answer"),
    "rejected": ("已排除的相似问题", "rejected as not alike"),
    "corrections": ("更正", "corrections"),
}
SUB_HEADINGS = {
    "requested": "申请时间", "asked for": "延期至", "deadline was": "原时限", "decided by": "审批人", "decided": "审批时间",
    "done by": "完成人", "due": "时限", "text": "内容", "id": "编号", "at": "时间", "by": "经办人",
    "direction": "先后", "relapse": "计为反弹", "standing": "签字状态",
}


def section_name(key: str, lang: str) -> str:
    """A sub-table's title (a page's heading): 延期申请（整改时限变更记录） / extensions (the deadline history)."""
    zh, en = SECTIONS[key]
    return zh if lang == "zh" else en


def section_title(key: str, lang: str) -> str:
    """A sub-table's title as a terminal prints it above the table, with its colon."""
    return section_name(key, lang) + ("：" if lang == "zh" else ":")


# Who "by" is depends on the table.
BY = {
    "extensions": "申请人", "verifications": "核查人", "signoffs": "签字人", "signatures": "签字人", "escalations": "督办人",
    "reviews": "核查人", "progress": "报告人", "corrections": "更正人",
}


def sub_heading(section: str, column: str, lang: str) -> str:
    """A heading of one of `show`'s sub-tables."""
    if lang != "zh":
        return heading(column, lang)
    if column == "by" and section in BY:
        return BY[section]
    return SUB_HEADINGS.get(column) or HEADINGS.get(column, column)


def cell(value: Any) -> Any:
    """A value as a table cell: none is empty, a flag yes or no, a list joined (every table's rule, the CLI's and the web's)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return "; ".join(str(cell(v)) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={cell(v)}" for k, v in value.items())
    return value


def status_word(status: str, lang: str) -> str:
    return str(vocabulary.label(vocabulary.STATUSES, status, lang))


def max_widths(columns: Sequence[str]) -> list[int | None]:
    return [WRAP.get(c) for c in columns]


# -- messages --------------------------------------------------------------------

# `doctor`: its checks, their states and the detail of each (a detail that is an error message reads as one).
CHECK_WORDS = {
    "acts": "操作签名", "config": "配置文件", "identities": "人员与角色", "sign-off": "销号签字", "hash": "哈希算法",
    "chain": "哈希链", "signing key": "签名密钥", "public key": "公钥", "cipher key": "加密密钥", "signatures": "签名",
    "keys": "密钥", "derived tables": "派生表", "evidence": "佐证材料",
}
CHECK_STATES = vocabulary.zh(vocabulary.CHECK_STATES)
_ROLE_WORDS = vocabulary.zh(vocabulary.ROLES)


def _roles_words(text: str) -> str | None:
    """"registrar: 张三; signer: -" as doctor lists who holds each role."""
    parts = [p.partition(": ") for p in text.split("; ")]
    if not all(sep and role in _ROLE_WORDS for role, sep, _ in parts):
        return None
    return "；".join(f"{_ROLE_WORDS[role]}：{'无' if names == '-' else names.replace(', ', '、')}" for role, _, names in parts)


_STATES = {**STATUS_WORDS, **CHECK_STATES, "active": "有效"}


def _status_words(text: str) -> str:
    return _STATES.get(text, text)


def _detail_words(text: str) -> str:
    """A doctor row's detail that is plain text: who holds each role."""
    return _roles_words(text) or text


def _plain(text: str, lang: str) -> str:
    """A value worded into a message as plain text: a status word in the reader's language; else as it is
    (a name, an ID, quoted text, or an outside library's own words)."""
    if lang == "zh" and text in STATUS_WORDS:
        return STATUS_WORDS[text]
    return text


def translate(message: Any, lang: str) -> str:
    """`message` as the reader sees it in `lang`: a keyed message (or an error carrying one, or a word of the
    vocabulary) rendered from the catalogue (ledger.messages); plain text as it is."""
    if isinstance(message, (Message, BaseException)) or (callable(getattr(message, "label", None)) and not isinstance(message, type)):
        return render(message, lang, lambda text: _plain(text, lang))
    return message
