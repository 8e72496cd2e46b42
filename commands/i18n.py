"""The message catalogue: what the screen says in Chinese (the default) or English.

Translation happens only at the interface boundary — table headings and
status words when a table is printed, and error lines in the CLI's error
handler — so the domain keeps its stable English rule ids and JSON keeps
English keys and values. A message with no entry here is printed in English
rather than failing.

The language: the global `--lang`, else LEDGER_LANG, else `language:` in
ledger.yaml, else zh.
"""

from __future__ import annotations

import functools
import os
import re
from typing import Any, Callable, Sequence

from ledger import vocabulary
from ledger.messages import Field, Message, render

LANGS = ("zh", "en")

_remembered: tuple[str | None, str | None] | None = None
_resolved: dict[tuple[str | None, str | None, str], str] = {}
_config_of_command: Callable[[], Any] | None = None


def remember(option: str | None, config_path: str | None, config: Callable[[], Any] | None = None) -> None:
    """The running command's --lang and --config, and how it loads ledger.yaml (set by the `ledger` group)."""
    global _remembered, _config_of_command
    _remembered = (option, config_path)
    _config_of_command = config  # the command's own loaded configuration: read once
    _resolved.clear()  # each command reads its own ledger.yaml afresh


def resolve_lang(option: str | None, config_path: str | None) -> str:
    if option in LANGS:
        return option  # type: ignore[return-value]
    env = os.environ.get("LEDGER_LANG", "").strip().lower()
    key = (option, config_path or os.environ.get("LEDGER_CONFIG"), env)
    if key in _resolved:
        return _resolved[key]
    lang = "zh"
    if env[:2] in LANGS:
        lang = env[:2]
    else:
        try:
            if _config_of_command is not None:
                lang = _config_of_command().data.get("language", "zh")
            else:
                from ledger.config import load_config

                lang = load_config(config_path, required=False).data.get("language", "zh")
        except Exception:  # a broken ledger.yaml is reported by the command itself
            lang = "zh"
    _resolved[key] = lang
    return lang


def current() -> str:
    """The language of the running command (zh when nothing says otherwise)."""
    option, config_path = _remembered or (None, None)
    return resolve_lang(option, config_path)


# -- words in tables -----------------------------------------------------------

HEADINGS = {
    "id": "编号", "inspection": "巡察", "overdue": "逾期", "measures": "措施", "relapses": "反弹", "escalation": "督办", "due": "事项", "date": "日期",
    "days_left": "剩余天数", "days_late": "逾期天数", "suggest": "建议督办", "seq": "序号", "at": "发生时间",
    "recorded_at": "记录时间", "actor": "操作人", "event": "事件", "details": "详情", "text": "内容",
    "evidence": "佐证材料", "grade": "等次", "result": "结果", "note": "备注", "reason": "理由", "by": "经办人",
    "signed_off": "销号日期", "point": "回头看节点", "review_date": "回头看日期", "state": "情况", "reviews": "回头看",
    "missed": "错过", "code": "编号", "registered_at": "登记时间",
    "registered_by": "登记人", "parent": "上级问题", "extended_to": "延期至", "done by": "完成人", "level": "级别",
    "progress": "进展", "meaning": "含义", "outcome": "结果", "field": "字段", "was": "原值", "now": "现值",
    "to": "延期至", "previous": "原时限", "decision": "审批", "requested_by": "申请人", "decided_by": "审批人",
    "value": "值", "key": "项目", "subject": "对象", "correction": "更正",
    "reworks": "二次整改", "registered": "登记", "refined into": "细化为", "withheld": "不予公开", "population": "总体",
    "drawn": "抽中", "draw": "抽查", "seed": "种子", "size": "数量",
    "light": "预警", "check": "检查项", "detail": "详情", "roles": "角色", "fingerprint": "密钥指纹",
    "enrolled_at": "登记时间", "revoked_at": "撤销时间", "score": "相似度", "shared": "相同词语",
    "links": "关联问题", "as": "关联类型", "problem": "问题编号", "linked": "关联问题", "direction": "先后", "relapse": "计为反弹",
    "completed": "已完成整改", "ongoing": "基本完成", "extended": "申请延期", "open": "未完成", "relapsed": "反弹",
    "reopened": "重新打开", "recurrences": "屡查屡犯", "found_again": "再次发现", "rate": "整改完成率", "problems": "反馈问题",
    **vocabulary.zh(vocabulary.FIELDS),  # an inspection's and a problem's fields: 巡察类型 is not 问题类别
}

STATUS_WORDS = vocabulary.zh(vocabulary.STATUSES)

# Event names as `history` and `audit` print them (JSON and CSV keep the English names).
EVENT_WORDS = vocabulary.zh(vocabulary.EVENTS)

# Words inside the details of an act (projections.history.act_note).
_ACT_NOTE = [
    (re.compile(r"signed on paper by (.+?), entered and signed by ([^;\]]+)"), r"\1纸质签字，\2代为录入并签名"),
    (re.compile(r"signed by ([^;\]]+)"), r"\1签名"),
    (re.compile(r"attached: "), "附件："),
]


# Keys inside the details of an act ("lead=…; unit=…") that HEADINGS does not name.
DETAIL_KEYS = {
    "measure_id": "措施编号", "rules": "制度", "funds": "资金", "accountable": "问责", "clues": "线索", "passed": "通过",
    "approved": "批准", "child": "细化问题", "fields": "字段", "old": "原值", "new": "现值", "administrator": "管理员",
    "ledger_id": "台账编号", "public_key": "公钥", "fingerprint": "密钥指纹", "roles": "角色", "role": "角色",
    "verification": "核查", "sequence": "序号", "time": "时间", "head": "链头", "algorithm": "算法",
    "signature": "签名", "tree_size": "树大小", "tree_root": "树根", "deadline": "整改时限", "due": "时限",
    "number": "序号", "name": "姓名", "link": "关联类型",
}
_DETAIL = re.compile(r"(^|; )([a-z_]+)=([^;\[]*)")


def _details_words(text: str) -> str:
    def pair(m: re.Match[str]) -> str:
        key, value = m[2], m[3]
        words = VALUE_WORDS.get(key)
        if isinstance(words, dict):
            value = words.get(value.strip(), value.strip()) + (" " if value.endswith(" ") else "")
        elif callable(words) and key in ("status", "roles"):
            value = words(value.strip()) + (" " if value.endswith(" ") else "")
        elif value.strip() in ("True", "False"):  # approved=True, passed=False
            value = ("是" if value.strip() == "True" else "否") + (" " if value.endswith(" ") else "")
        return f"{m[1]}{DETAIL_KEYS.get(key) or HEADINGS.get(key, key)}={value}"

    text = _DETAIL.sub(pair, text)
    for pattern, replacement in _ACT_NOTE:
        text = pattern.sub(replacement, text)
    return text


def _field_words(text: str) -> str:
    """A corrected field's name: description → 描述, M2.due → M2.时限."""
    head, dot, tail = text.partition(".")
    if dot:
        return f"{head}.{vocabulary.label(vocabulary.MEASURE_FIELDS, tail, 'zh')}"
    return HEADINGS.get(text, text)


def _correction_words(text: str) -> str:
    """An audit row's links: corrects #3 → 更正 #3; corrected by #9 (title), #12 (M1.due) → 被 #9（标题）、#12（M1.时限）更正."""
    parts = []
    for part in text.split("; "):
        if part.startswith("corrects "):
            part = "更正 " + part[len("corrects "):]
        elif part.startswith("corrected by "):
            items = re.findall(r"(#\d+) \(([^)]*)\)", part)
            part = "被 " + "、".join(f"{seq}（{_field_words(field)}）" for seq, field in items) + " 更正"
        parts.append(part)
    return "；".join(parts)


VALUE_WORDS: dict[str, Any] = {
    "event": EVENT_WORDS,
    "field": _field_words,
    "correction": _correction_words,
    "subject": {"people (人员与权限)": "人员与权限"},
    "details": _details_words,
    "meaning": vocabulary.zh(vocabulary.MEANINGS),
    "outcome": STATUS_WORDS,  # a sign-off's outcome is the status it gave
    "measure": vocabulary.zh(vocabulary.MEASURE_STATES),
    "level": vocabulary.zh(vocabulary.ESCALATION_LEVELS),
    "escalation": vocabulary.zh(vocabulary.ESCALATION_LEVELS),  # a problem's level so far (`status`, `due`)
    "light": vocabulary.zh(vocabulary.LIGHTS),
    "status": lambda text: _status_words(text),  # a problem's, a doctor check's, a person's
    "roles": lambda text: _held_roles(text),
    "fingerprint": {"(no key)": "（无密钥）"},
    "check": lambda text: CHECK_WORDS.get(text, text),
    "detail": lambda text: _detail_words(text),
    "type": vocabulary.zh(vocabulary.PROBLEM_TYPES),
    "kind": vocabulary.zh(vocabulary.INSPECTION_KINDS),
    "decision": vocabulary.zh(vocabulary.DECISIONS),
    "link": vocabulary.zh(vocabulary.LINK_KINDS),
    "as": vocabulary.zh(vocabulary.LINK_KINDS),
    "direction": {"earlier": "以前的问题", "later": "再次发现"},
    "grade": vocabulary.zh(vocabulary.GRADES),
    "result": {
        **vocabulary.zh(vocabulary.REVIEW_RESULTS), "passed": "通过", "failed": "未通过",
        "matched": "一致", "missing": "台账缺少", "extra": "清单外", "changed": "有出入",
    },
    "due": {"deadline": "整改时限", "progress": "进展报告"},
    "state": {"complete": "已完成", "due": "到期", "missed": "已错过", "upcoming": "未到期"},
}

# Columns whose long text (and heading) wraps, so a table fits a 120-column terminal.
WRAP = {
    "title": 16, "category": 8, "text": 30, "details": 16, "note": 16, "description": 24, "reason": 16,
    "name": 20, "organisation": 12, "group": 10, "unit": 8, "person": 6, "evidence": 16, "escalation": 7,
    "suggest": 10, "recorded_at": 20, "at": 20, "type": 9, "status": 11, "overdue": 4, "measures": 5,
    "relapses": 4, "days_left": 5, "days_late": 5, "actor": 10, "event": 12, "subject": 10, "correction": 14,
    "reviews": 7, "missed": 6, "signed_off": 10, "review_date": 11, "point": 5, "state": 8, "result": 8,
    "due": 8, "detail": 72,
}


def heading(column: str, lang: str) -> str:
    return HEADINGS.get(column, column) if lang == "zh" else column


# Columns whose English word comes from the vocabulary too (most English words are the stored value itself).
EN_WORDS: dict[str, dict[str, vocabulary.Word]] = {"source": vocabulary.SOURCES, "reason": vocabulary.WITHHOLD_REASONS}


def value_word(column: str, value: Any, lang: str) -> Any:
    if column == "suggest" and isinstance(value, str):  # `due`'s "warning (告诫书)" (its JSON): the level's word alone
        return vocabulary.label(vocabulary.ESCALATION_LEVELS, value.split(" ", 1)[0], lang)
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
    "reviews": ("回头看", "reviews (look-back)"),
    "signatures": ("待第二人签字（双审核）", "signatures awaiting a second signer"),
    "sensitive": ("敏感内容（ledger reveal 查看）", "sensitive (ledger reveal)"),
    "links": ("关联问题（屡查屡犯、同类问题）", "linked problems (recurrence, same kind)"),
    "rejected": ("已排除的相似问题", "rejected as not alike"),
    "corrections": ("更正", "corrections"),
}
SUB_HEADINGS = {
    "requested": "申请时间", "asked for": "延期至", "deadline was": "原时限", "decided by": "审批人", "decided": "审批时间",
    "done by": "完成人", "due": "时限", "text": "内容", "id": "编号", "at": "时间", "by": "经办人",
    "direction": "先后", "relapse": "计为反弹",
}


def section_title(key: str, lang: str) -> str:
    zh, en = SECTIONS[key]
    return (zh + "：") if lang == "zh" else (en + ":")


# Who "by" is depends on the table.
BY = {
    "extensions": "申请人", "verifications": "核查人", "signoffs": "签字人", "signatures": "签字人", "escalations": "督办人",
    "reviews": "核查人", "progress": "报告人", "corrections": "更正人",
}


def sub_heading(section: str, column: str, lang: str) -> str:
    """A heading of one of `show`'s sub-tables."""
    if lang != "zh":
        return column
    if column == "by" and section in BY:
        return BY[section]
    return SUB_HEADINGS.get(column) or HEADINGS.get(column, column)


def status_word(status: str, lang: str) -> str:
    return str(vocabulary.label(vocabulary.STATUSES, status, lang))


def max_widths(columns: Sequence[str]) -> list[int | None]:
    return [WRAP.get(c) for c in columns]


# -- messages --------------------------------------------------------------------

PREFIX = {"zh": "ledger: 错误: ", "en": "ledger: error: "}

KINDS = {"problem": "问题", "inspection": "巡察", "measure": "整改措施", "round": "轮次", "organisation": "被巡察单位"}

_STATUS_IN_TEXT = {**STATUS_WORDS}

# (pattern over the whole English line, Chinese template or function of the match).
CATALOGUE: list[tuple[str, Any]] = [
    (r"(.+) \(see `(.+) --help`\)", lambda m: f"{translate(m[1], 'zh')}（见 `{m[2]} --help`）"),
    (r"unknown round ID: (.+?) \(rounds: (.+)\)",
     lambda m: f"未知的轮次：{m[1]}（已有轮次：{'尚无' if m[2] == 'none yet' else m[2]}）"),
    (r"unknown (problem|inspection|measure|round) ID: (.+)", lambda m: f"未知的{KINDS[m[1]]}编号：{m[2]}"),
    (r"unknown organisation ID: (.+)", "没有对“{0}”的巡察"),
    (r"no ledger\.yaml here or in any parent folder: run `ledger init` first",
     "当前文件夹及上级文件夹中没有 ledger.yaml：请先运行 `ledger init`"),
    (r"(.+): needs a passing verification \(good or fair\) recorded after its last completed measure \[rule: ([\w-]+)\]",
     "{0}：销号前须有在最后一项整改措施完成之后通过的核查验收（好或较好）[规则: {1}]"),
    (r"(.+): is (\w+): cannot (.+) until it is reopened \(ledger reopen\) \[rule: ([\w-]+)\]",
     lambda m: f"{m[1]}：状态为{_STATUS_IN_TEXT.get(m[2], m[2])}，须先重新打开（ledger reopen）[规则: {m[4]}]"),
    (r"(.+): is not assigned yet: assign it before completing measures \[rule: ([\w-]+)\]",
     "{0}：尚未责任到人：请先分配（ledger assign）再完成整改措施 [规则: {1}]"),
    (r"(.+): (.+) completed a measure of this problem and may not verify it \[rule: ([\w-]+)\]",
     "{0}：{1}完成过本问题的整改措施，不得核查验收 [规则: {2}]"),
    (r"(.+): (.+) completed a measure of this problem and may not sign it off \[rule: ([\w-]+)\]",
     "{0}：{1}完成过本问题的整改措施，不得销号 [规则: {2}]"),
    (r"(.+): is already (\w+) \[rule: sign-off-once\]",
     lambda m: f"{m[1]}：已经是{_STATUS_IN_TEXT.get(m[2], m[2])}状态 [规则: sign-off-once]"),
    (r"(.+): its refined problems are not all signed off yet: (.+) \[rule: ([\w-]+)\]",
     "{0}：细化问题尚未全部销号：{1} [规则: {2}]"),
    (r"(.+): has no deadline to extend: assign one first \[rule: ([\w-]+)\]",
     "{0}：没有可延期的整改时限：请先设定 [规则: {1}]"),
    (r"(.+): new deadline (\S+) is not later than the current one \((\S+)\) \[rule: ([\w-]+)\]",
     "{0}：申请的新时限 {1} 不晚于现有时限（{2}）[规则: {3}]"),
    (r"(.+): already has an extension to (\S+) awaiting a decision \(ledger approve-extension\) \[rule: ([\w-]+)\]",
     "{0}：已有延期至 {1} 的申请待审批（ledger approve-extension）[规则: {2}]"),
    (r"(.+): has no extension request awaiting a decision \[rule: ([\w-]+)\]",
     "{0}：没有待审批的延期申请 [规则: {1}]"),
    (r"(.+): (.+) requested this extension and may not decide it \[rule: ([\w-]+)\]",
     "{0}：{1}是延期申请人，不得审批本申请 [规则: {2}]"),
    (r"(.+): is itself a refinement of (.+): register (.+) under (.+) instead \[rule: ([\w-]+)\]",
     "{0}：本身是 {1} 的细化问题：请将 {2} 登记在 {3} 之下 [规则: {4}]"),
    (r"(.+): an inspection with this code already exists \[rule: ([\w-]+)\]", "{0}：该巡察编号已存在 [规则: {1}]"),
    (r"(.+): problem number (\d+) is already taken in (.+) \[rule: ([\w-]+)\]", "{0}：{2} 中已有第 {1} 号问题 [规则: {3}]"),
    (r"(.+): (.+) is before registration on (\S+) \[rule: ([\w-]+)\]",
     lambda m: f"{m[1]}：{re.sub(r'^(deadline|due date) ', lambda d: '整改时限 ' if d[1] == 'deadline' else '措施时限 ', m[2])} 早于登记日期 {m[3]} [规则: {m[4]}]"),
    (r"(?!Invalid value for )(.+)(?<!: is required and) must not be empty", "{0} 不能为空"),
    (r"changed concurrently by someone else: try again", "他人同时修改了同一记录：请重试"),
    (r"the store is busy with another writer: try again", "存储正被其他写入占用：请重试"),
    (r"tampering found: (.+)", "发现篡改：{0}"),
    (r"config file not found: (.+)", "找不到配置文件：{0}"),
    (r"(.+) is not listed under people in ledger\.yaml: may not run `ledger (.+)`",
     "{0} 不在 ledger.yaml 的 people 名单中：无权运行 `ledger {1}`"),
    (r"(.+) may not run `ledger (.+)`: it needs the role (.+); (.+) has (.+)",
     "{0} 无权运行 `ledger {1}`：需要角色 {2}；{3} 现有角色 {4}"),
    (r"(.+): '(.*)' is not a valid date \(YYYY-MM-DD\)", "{0}：'{1}' 不是有效日期（YYYY-MM-DD）"),
    (r"Missing option '(.+)'\.(.*)", "缺少选项 '{0}'{1}"),
    (r"Missing argument '(.+)'\.(.*)", "缺少参数 '{0}'{1}"),
    (r"No such option: (\S+) Did you mean (\S+)\?(.*)", "没有这个选项：{0}，是否要用 {1}？{2}"),
    (r"No such option: (\S+) \(Possible options: (.+)\)(.*)", "没有这个选项：{0}（可能是：{1}）{2}"),
    (r"No such option: (\S+)(.*)", "没有这个选项：{0}{1}"),
    (r"No such option '(.+?)'\. Did you mean '(.+?)'\?(.*)", "没有这个选项 '{0}'，是否要用 '{1}'？{2}"),
    (r"No such option '(.+?)'\.(.*)", "没有这个选项 '{0}'{1}"),
    # click's own complaints about a value or the arguments
    (r"Got unexpected extra arguments? \((.+)\)(.*)", "多余的参数（{0}）{1}"),
    (r"Option '(.+)' requires an argument\.(.*)", "选项 '{0}' 须带一个值{1}"),
    (r"Option '(.+)' requires (\d+) arguments\.(.*)", "选项 '{0}' 须带 {1} 个值{2}"),
    (r"Option '(.+)' does not take a value\.(.*)", "选项 '{0}' 不带值{1}"),
    (r"(?!Invalid value for )(.+) is not in the range (.+?)\.", "{0} 不在范围 {1} 之内"),
    (r"'(.*)' is not a valid (integer|float|boolean)( range)?\.",
     lambda m: f"'{m[1]}' 不是有效的{ {'integer': '整数', 'float': '数', 'boolean': '布尔值'}[m[2]]}"),
    (r"ledger: aborted", "ledger: 已取消"),
    (r"No such command '(.+)'\.(.*)", "没有这个命令：'{0}'{1}"),
    (r"Invalid value for '(.+?)': (.+)", lambda m: f"选项 '{m[1]}' 的值无效：{_tail(m[2]) or m[2]}"),
    # Confirmations of write commands.
    (r"registered inspection (.+)", "已登记巡察 {0}"),
    (r"(.+): assigned to (.+) \((.+)\), lead (.+) \(status: (\w+)\)",
     lambda m: f"{m[1]}：已分配给{m[2]}（{m[3]}），责任领导{m[4]}（状态：{_STATUS_IN_TEXT.get(m[5], m[5])}）"),
    (r"(.+): measure (\w+) done \(status: (\w+)\)",
     lambda m: f"{m[1]}：整改措施 {m[2]} 已完成（状态：{_STATUS_IN_TEXT.get(m[3], m[3])}）"),
    (r"(.+): verification (\w+) \((.+)\) passed \(status: (\w+)\)",
     lambda m: f"{m[1]}：核查验收 {m[3]}，通过（状态：{_STATUS_IN_TEXT.get(m[4], m[4])}）"),
    (r"(.+): verification (\w+) \((.+)\) failed: back for 二次整改 \(status: (\w+)\)",
     lambda m: f"{m[1]}：核查验收 {m[3]}，未通过：退回二次整改（状态：{_STATUS_IN_TEXT.get(m[4], m[4])}）"),
    (r"(.+): signed off as (.+) \(status: (\w+)\)",
     lambda m: f"{m[1]}：已销号，{m[2]}（状态：{_STATUS_IN_TEXT.get(m[3], m[3])}）"),
    (r"(.+): extension to (\S+) requested; the deadline stays (\S+) until it is approved \(ledger approve-extension\)",
     "{0}：已申请延期至 {1}；批准前整改时限仍为 {2}（ledger approve-extension）"),
    (r"(.+): extension approved; deadline (\S+)", "{0}：延期已批准；整改时限 {1}"),
    (r"(.+): extension refused; deadline (\S+)", "{0}：延期未批准；整改时限仍为 {1}"),
    (r"wrote (.+?): (\d+) problems, (\d+) measure rows( \(internal: withheld text included\))?",
     lambda m: f"已写入 {m[1]}：问题 {m[2]} 个，整改措施 {m[3]} 行" + ("（内部资料：含不予公开内容）" if m[4] else "")),
    (r"wrote (.+)", "已写入 {0}"),
    (r"(.+): imported (\d+) problems \((\d+) measures\) into ([^\s;]+)( \(new inspection\))?(.*)",
     lambda m: f"{m[1]}：已导入问题 {m[2]} 个（整改措施 {m[3]} 项）到 {m[4]}" + ("（新登记巡察）" if m[5] else "")
     + re.sub(r"; (\d+) already present, skipped", r"；\1 个已存在，跳过", m[6])),
    (r"(.+): nothing new: inspection (\S+) and its (\d+) problems are already in the ledger",
     "{0}：没有新内容：巡察 {1} 及其 {2} 个问题已在台账中"),
    (r"no problems match", "没有符合条件的问题"),
    (r"([\d,]+) more not shown \(([\d,]+) of ([\d,]+)\): --limit N shows N, --all shows every one",
     "另有 {0} 条未显示（共 {2} 条，已显示 {1} 条）：--limit N 显示 N 条，--all 显示全部"),
    (r"--limit and --all do not go together: give one", "--limit 与 --all 不能同时使用：只给其中一个"),
    (r"no samples drawn", "尚未抽查"),
    # audit --verify, verify-export
    (r"chain verified: (\d+) events, head (\d+) (\S+)", "哈希链验证通过：共 {0} 个事件，链头为第 {1} 个事件 {2}"),
    (r"checkpoints recorded in the (ledger|export): (\d+), each matches its history",
     lambda m: f"{'台账' if m[1] == 'ledger' else '导出文件'}中记录的检查点 {m[2]} 个，均与其历史一致"),
    (r"acts: (\d+) signatures verified, each signer held the role at that moment(.*)",
     lambda m: f"操作：{m[1]} 个签名验证通过，签名人当时均具有相应角色" + re.sub(
         r"; (\d+) unsigned acts from before enrolment", r"；另有 \1 个登记人员之前的未签名操作",
         re.sub(r"; (\d+) entered for someone else \(--for\)", r"；其中 \1 个为代为录入（--for）", m[2]))),
    (r"acts: trial mode: nobody is enrolled, so the (\d+) acts are unauthenticated \(typed names\); "
     r"enrol people with `ledger person add` to sign every act",
     "操作：试用模式：尚未登记人员，{0} 个操作未经认证（输入的姓名）；用 `ledger person add` 登记人员后每项操作都会签名"),
    (r"(checkpoint(?: .+)?): holds the history of the checkpoint of (\S+) \(events up to (\d+)\)",
     lambda m: f"{m[1].replace('checkpoint', '检查点', 1)}：台账保有 {m[2]} 检查点的历史（至第 {m[3]} 个事件）"),
    (r"(checkpoint(?: .+)?): checkpoint of an empty ledger", lambda m: f"{m[1].replace('checkpoint', '检查点', 1)}：空台账的检查点"),
    (r"(checkpoint(?: .+)?): signature valid, by the trusted key (.+) \((.+)\)",
     lambda m: f"{m[1].replace('checkpoint', '检查点', 1)}：签名有效，签名密钥 {m[2]} 可信（{_trust_words(m[3])}）"),
    (r"(checkpoint(?: .+)?): signature valid, by the key with the pinned fingerprint (.+)",
     lambda m: f"{m[1].replace('checkpoint', '检查点', 1)}：签名有效，密钥指纹与指定的 {m[2]} 一致"),
]

_ACTS = {"verification": "核查验收", "sign-off": "销号", "assignment": "责任到人", "measure": "整改措施", "registration": "登记",
         "extension request": "延期申请", "review": "回头看", "escalation": "督办", "reopening": "重新打开"}

_OS_ERRORS = {
    "No such file or directory": "文件或文件夹不存在", "Permission denied": "没有权限", "Is a directory": "这是一个文件夹",
    "Not a directory": "不是文件夹", "Read-only file system": "文件系统只读", "No space left on device": "磁盘空间不足",
    "File exists": "文件已存在",
}


def _os_error(text: str) -> str:
    return _OS_ERRORS.get(text, text)


# What follows "subject: " or "where: " in many messages (the part before is kept as it is, or read by HEADS):
# rules' explanations, values' complaints, files' and options' troubles.
TAILS: list[tuple[str, Any]] = [
    # 屡查屡犯: links between a later problem and an earlier one
    (r"cannot be linked to itself", "不能与自身关联"),
    (r"and (\S+) were fed back by the same inspection: link a problem found again by a later one",
     "与 {0} 由同一次巡察反馈：只能关联后一次巡察再次发现的问题"),
    (r"was registered before (\S+): give the later problem first \(ledger link NEW OLD\)",
     "登记早于 {0}：请先写后发现的问题（ledger link 新问题 旧问题）"),
    (r"is already linked to (\S+): a link is never undone", "已与 {0} 关联：关联不可撤销"),
    (r"is already linked to (\S+)", "已与 {0} 关联"),
    (r"(\S+) was rejected as like it: nothing written", "{0} 已被排除为不相似：未写入任何内容"),
    (r"(\S+) was already rejected as like it", "{0} 已被排除为不相似"),
    (r"its inspection (\S+) belongs to no round: use --scope all or organisation", "其巡察 {0} 不属于任何轮次：请用 --scope all 或 organisation"),
    (r"(.+) is not recurrence or same-kind", "{0} 不是 recurrence（屡查屡犯）或 same-kind（同类问题）"),
    # lifecycle rules
    (r"(\S+) (\S+) is in the future", "{0} {1} 晚于当前时间"),
    (r"end (\S+) is before start (\S+)", "结束时间 {0} 早于进驻时间 {1}"),
    (r"feedback (\S+) is before start (\S+)", "反馈时间 {0} 早于进驻时间 {1}"),
    (r"(\S+) is before start (\S+)", "{0} 早于进驻时间 {1}"),
    (r"problem numbers run from 1 to (\d+): give a free --number", "问题序号须在 1 至 {0} 之间：请用 --number 给出未用的序号"),
    (r"registered on (\S+), before inspection (\S+) started \((\S+)\)", "登记日期 {0} 早于巡察 {1} 进驻日期（{2}）"),
    (r"--at (\S+) is before the problem was registered \((\S+)\)", "--at {0} 早于问题登记时间（{1}）"),
    (r"(.+) dated (\S+) is before the (.+) it follows \((\S+)\)",
     lambda m: f"{_ACTS.get(m[1], m[1])}日期 {m[2]} 早于此前的{_ACTS.get(m[3], m[3])}（{m[4]}）"),
    (r"(deadline|due date) (\S+) is before registration on (\S+)",
     lambda m: f"{'整改时限' if m[1] == 'deadline' else '措施时限'} {m[2]} 早于登记日期 {m[3]}"),
    (r"measure (\w+) is already done", "整改措施 {0} 已经完成"),
    (r"measure (\w+) cannot be completed before it was planned \((\S+)\)", "整改措施 {0} 不能早于其制定时间（{1}）完成"),
    (r"has no completed measure to verify", "没有已完成的整改措施可供核查验收"),
    (r"measures still open: (.+)", "仍有未完成的整改措施：{0}"),
    (r"verification dated (\S+) is before the last completed measure \((\S+)\)", "核查验收日期 {0} 早于最后一项整改措施的完成时间（{1}）"),
    (r"sign-off dated (\S+) is before the verification \((\S+)\)", "销号日期 {0} 早于核查验收（{1}）"),
    (r"decision dated (\S+) is before the request \((\S+)\)", "审批日期 {0} 早于延期申请（{1}）"),
    (r"the draw dated (\S+) is before the sign-off of (\S+) \((\S+)\)", "抽查日期 {0} 早于 {1} 的销号（{2}）"),
    (r"is (\w+): only closed problems are reviewed",
     lambda m: f"状态为{_STATUS_IN_TEXT.get(m[1], m[1])}：只有已销号的问题才能回头看"),
    (r"is (\w+): only closed problems can be reopened",
     lambda m: f"状态为{_STATUS_IN_TEXT.get(m[1], m[1])}：只有已销号的问题才能重新打开"),
    (r"is (\w+): reopen it before changing its type",
     lambda m: f"状态为{_STATUS_IN_TEXT.get(m[1], m[1])}：须先重新打开（ledger reopen）才能改变类型"),
    (r"is already at (\w+) \((.+)\): escalation can only go up to a higher level than that", "已是{1}：督办只能升到更高一级"),
    (r"is closed: progress is reported on open and long-term \(ongoing\) problems", "已销号：只对未完成和长期坚持（持续整改）的问题报告进展"),
    (r"(.+) already withheld", "{0} 已经不予公开"),
    (r"(.+) has already signed; (\d+) different signers must sign \(双审核\)", "{0} 已经签字；须由 {1} 个不同的人签字（双审核）"),
    (r"has no signed-off problems to sample", "没有已销号的问题可供抽查"),
    (r"sample size (\d+) must be between 1 and (\d+) \(signed-off problems\)", "抽查数量 {0} 须在 1 至 {1} 之间（已销号问题数）"),
    (r"the database login is '(.+)': acting as someone else is not allowed", "数据库登录名为 '{0}'：不得以他人名义操作"),
    (r"the database login is '(.+)': the administrator who founds this ledger must act as (.+) \(run `ledger init` as (.+)\); "
     r"the store is made, nothing else written",
     "数据库登录名为 '{0}'：创建本台账的管理员须以 {1} 的身份操作（请以 {2} 的身份运行 `ledger init`）；存储已建立，未写入其他内容"),
    (r"the database login is '(.+)', but the administrator noted for this ledger is (.+): the founding event is not recorded "
     r"\(run `ledger init` as (.+), or set actor_is_login: false for it\)",
     "数据库登录名为 '{0}'，而本台账记下的管理员是 {1}：未记录创建台账事件（请以 {2} 的身份运行 `ledger init`，或为此设置 actor_is_login: false）"),
    (r"belongs to (\S+), not (\S+)", "属于 {0}，不属于 {1}"),
    (r"([A-Za-z_][\w.]*) is already (?!in the ledger)(.+)", lambda m: f"{_field_words(m[1])}已经是 {m[2]}：更正须有所改变"),
    (r"field '(.+)' cannot be corrected \((.+)\)",
     lambda m: f"字段 '{m[1]}' 不能更正（可更正：{m[2].replace('inspection fields: ', '巡察的字段：').replace('fields: ', '字段：')}）"),
    (r"measure field '(.+)' cannot be corrected \((.+)\)", "整改措施的字段 '{0}' 不能更正（可更正：{1}）"),
    (r"'(.+)' cannot be withheld \((.+)\)", "'{0}' 不能设为不予公开（可选：{1}）"),
    # values
    (r"'(.*)' is not one of (.+?)\.?", "'{0}' 不是可选值之一：{1}"),
    (r"'(.*)' is out of range \((\S+) to (\S+)\)", "'{0}' 超出范围（{1} 至 {2}）"),
    (r"'(.*)' is not a valid date \(.+\)", "'{0}' 不是有效日期（可写作 2020-09-30、2020-9-30、2020/9/30、2020.9.30 或 2020年9月30日）"),
    (r"'(.*)' is not a valid date-time \(.+\)", "'{0}' 不是有效的日期时间（如 2020-09-30 或 2020-09-30T14:30）"),
    (r"'(.*)' has more than two decimal places \(fen\)", "'{0}' 超过两位小数（分）"),
    (r"'(.*)' is too large \(below (.+) yuan\)", "'{0}' 太大（须小于 {1} 元）"),
    (r"'(.*)' is not an amount of yuan.*", "'{0}' 不是以元计的金额（数字，可用 12,000.50 分组，最多两位小数）"),
    (r"'(.*)' is not a whole number", "'{0}' 不是整数"),
    (r"'(.*)' is too large \(at most (.+)\)", "'{0}' 太大（最多 {1}）"),
    (r"'(.*)' must be (\S+) or more", "'{0}' 须不小于 {1}"),
    (r"(\d+) (\w+) is too large \(at most (\d+)\)", "{1} {0} 人太多（最多 {2}）"),
    (r"'(.*)' must be letters, digits, '\.', '_' or '-' \(at most 64\)", "'{0}' 只能由字母、数字、'.'、'_' 或 '-' 组成（最多 64 个）"),
    (r"must be text(, not .+)?", "须为文字"),
    (r"must not be empty", "不能为空"),
    (r"is required and must not be empty", "必须填写，不能为空"),
    (r"is required", "必须填写"),
    (r"is required \(the problem's number in the feedback list\)", "必须填写（问题在反馈清单中的序号）"),
    (r"is (\d+) characters long \(at most (\d+)\)", "长度为 {0} 个字符（最多 {1} 个）"),
    (r"a name is required", "须填写姓名"),
    (r"longer than (\d+) characters", "超过 {0} 个字符"),
    (r"contains the control character (U\+\w+)", "含有控制字符 {0}"),
    (r"contains (U\+\w+), a character that changes or hides how the text reads", "含有会改变或隐藏文字显示方式的字符 {0}"),
    (r"contains the invisible character (U\+\w+), not allowed in a name", "含有不可见字符 {0}，姓名中不允许"),
    (r"(.+) contains an invisible or control character \((U\+\w+)\)", "{0} 含有不可见字符或控制字符（{1}）"),
    (r"(.+) may not contain '/' or '\\'", "{0} 不能含有 '/' 或 '\\'"),
    (r"(.+) contains two spaces in a row", "{0} 含有两个连续的空格"),
    (r"'(.*)' is not a number of days \(e\.g\. 7, 7d or 2w\)", "'{0}' 不是天数（如 7、7d 或 2w）"),
    (r"contains (U\+\w+), an invisible, private-use or separator character no text may hold", "含有不可见字符、私用字符或分隔符 {0}，任何文字都不允许"),
    (r"'(.*)' is too many days \(at most (\d+), about 150 years\)", "'{0}' 天数过多（最多 {1} 天，约 150 年）"),
    # regular files only, with a size limit (ledger/inputs.py)
    (r"(.+) is not a regular file \(a device, pipe or folder is not read\)", "{0} 不是普通文件（不读取设备、管道或文件夹）"),
    (r"(.+) is (.+): at most (.+) is read", "{0} 大小为 {1}：最多只读取 {2}"),
    (r"(.+) is more than (.+): at most (.+) is read", "{0} 超过 {1}：最多只读取 {2}"),
    (r"(.+) is not (.+) text", "{0} 不是 {1} 文字"),
    (r"no private key file at (.+)", "{0} 处没有私钥文件"),
    (r"(.+) is not a private key: it holds no PEM private key block \(-----BEGIN PRIVATE KEY-----\), as `ledger person keygen` writes",
     "{0} 不是私钥：其中没有 `ledger person keygen` 写出的那种 PEM 私钥块（-----BEGIN PRIVATE KEY-----）"),
    (r"(.+) is not a private key this ledger can use: its PEM block is damaged or of another format", "{0} 不是本台账可用的私钥：其 PEM 块已损坏或属于其他格式"),
    (r"(.+) is not a folder of public keys", "{0} 不是存放公钥的文件夹"),
    (r"an empty value is neither a checkpoint block nor a file or folder", "空值既不是检查点，也不是文件或文件夹"),
    (r"(.+): the sequence (\d+) is too large to be a sequence number", "{0}：序号 {1} 过大，不可能是序号"),
    (r"its YAML aliases \(\*name\) expand to more than (.+) values: refused \(an alias bomb\?\)", "其 YAML 别名（*name）展开后超过 {0} 个值：拒绝（别名炸弹？）"),
    (r"'(.+)' must be a file path or postgresql:// URL written as text, not (.+)", "'{0}' 须为以文字写出的文件路径或 postgresql:// URL，不能是 {1}"),
    (r"a (list|mapping) of (\d+) items", lambda m: f"含 {m[2]} 项的{'列表' if m[1] == 'list' else '映射'}"),
    (r"LEDGER_LANG: '(.*)' is not one of zh, en", "LEDGER_LANG：'{0}' 不是 zh 或 en"),
    (r"must be text, not binary data", "须为文字，不能是二进制数据"),
    # files, options, stores, keys
    (r"cannot write (.+?): (.+)", lambda m: f"无法写入 {m[1]}：{_os_error(m[2])}"),
    (r"cannot read \(no such file\)", "无法读取（文件不存在）"),
    (r"cannot read \((.+)\)", lambda m: f"无法读取（{_os_error(m[1])}）"),
    (r"cannot read (.+?): (.+)", lambda m: f"无法读取 {m[1]}：{_os_error(m[2])}"),
    (r"unknown file type '(.+)': use \.xlsx, \.csv, \.yaml or \.yml", "未知的文件类型 '{0}'：请使用 .xlsx、.csv、.yaml 或 .yml"),
    (r"the old \.xls format is not read: save it as \.xlsx \(Excel 工作簿\) or CSV", "不能读取旧的 .xls 格式：请另存为 .xlsx（Excel 工作簿）或 CSV"),
    (r"not a readable xlsx workbook \(its XML declares entities or a DTD, which a workbook never needs; refused as unsafe\)",
     "不是可读取的 xlsx 工作簿（其 XML 声明了实体或 DTD，工作簿从不需要这些，出于安全拒绝读取）"),
    (r"not a readable xlsx workbook \(its XML is not well-formed: (.+)\)", "不是可读取的 xlsx 工作簿（其 XML 格式不正确：{0}）"),
    (r"(cell|merged range|its dimension) (\S+) reaches past row ([\d,]+) or column (\d+) \(a 台账 is smaller: delete the stray cells, or split the sheet\)",
     lambda m: f"{ {'cell': '单元格', 'merged range': '合并区域', 'its dimension': '工作表范围'}[m[1]]} {m[2]} 超出第 {m[3]} 行或第 {m[4]} 列（台账不会这么大：请删除多余的单元格，或拆分工作表）"),
    (r"cell (\S+) holds a formula \((.*)\) without the value Excel saves with it: open and save the file in Excel or WPS, or paste the values",
     "单元格 {0} 是公式（{1}），但没有 Excel 保存的计算结果：请在 Excel 或 WPS 中打开并保存该文件，或粘贴为数值"),
    (r"merged ranges overlap at column (\d+) \(a workbook Excel would not open\)", "合并区域在第 {0} 列重叠（Excel 无法打开这样的工作簿）"),
    (r"not a readable xlsx workbook \((.+)\)", "不是可读取的 xlsx 工作簿（{0}）"),
    (r"unknown column '(.+)' \(columns: .+\)", "未知的列 '{0}'（列名见 docs/import.md，可用英文列名或台账表头）"),
    (r"column '(.+)' is given twice \(also as '(.+)'\)", "列 '{0}' 重复（又写作 '{1}'）"),
    (r"column '(.+)' \((.+)\) is missing", "缺少列 '{0}'（{1}）"),
    (r"has (\d+) cells but the header names (\d+) columns", "有 {0} 个单元格，但表头只有 {1} 列"),
    (r"is not (\S+) text", "不是 {0} 编码的文字"),
    (r"is neither UTF-8 nor GB18030/GBK text \(save it as 'CSV UTF-8', or give --encoding\)",
     "既不是 UTF-8 也不是 GB18030/GBK 编码的文字（请另存为“CSV UTF-8”，或用 --encoding 指定编码）"),
    (r"'(.+)' is not a known text encoding \(e\.g\. utf-8, gb18030, gbk\)", "'{0}' 不是已知的文字编码（如 utf-8、gb18030、gbk）"),
    (r"has no sheet '(.+)' \(sheets: (.+)\)", "没有工作表 '{0}'（工作表：{1}）"),
    (r"(.+) has no sheet '(.+)' \(sheets: (.+)\)", "{0} 中没有工作表 '{1}'（工作表：{2}）"),
    (r"only an \.xlsx workbook has sheets, not (.+)", "只有 .xlsx 工作簿才有工作表，{0} 不是"),
    (r"lists no problems", "没有列出任何问题"),
    (r"has a header but no rows", "只有表头，没有数据行"),
    (r"is empty: the first row must name the columns", "是空的：第一行须为列名"),
    # import of an office's own 台账 (issue 25): --inspection, --inspection-by, --columns, --preview
    (r"'(.+)' must map headings to fields, e\.g\. \{牵头部门: unit, 提示问题金额（万元）: extra\}", "'{0}' 须把表头对应到字段，如 {{牵头部门: unit, 提示问题金额（万元）: extra}}"),
    (r"--inspection-by: the file has no column '(.+)' \(columns: (.+)\)", "--inspection-by：文件中没有列 '{0}'（文件的列：{1}）"),
    (r"a YAML list names its inspection and fields itself: --inspection, --inspection-by and --columns are for CSV and xlsx",
     "YAML 清单自带巡察和字段：--inspection、--inspection-by 和 --columns 只用于 CSV 和 xlsx"),
    (r"each entry is HEADING=field \(fields: (.+), or extra\)", "每项写作 表头=字段（字段：{0}，或 extra 表示原样保留）"),
    (r"unknown field '(.+)' for column '(.+)' \(fields: (.+), or extra\)", "列 '{1}' 对应的字段 '{0}' 未知（字段：{2}，或 extra 表示原样保留）"),
    (r"column '(.+)' \((.+)\) is missing: name the inspection the rows belong to with --inspection CODE \(registered with `ledger add-inspection`\)",
     "缺少列 '{0}'（{1}）：请用 --inspection 编号 指明这些行所属的巡察（先用 `ledger add-inspection` 登记）"),
    (r"(.+): is empty, so the row belongs to no inspection \(--inspection-by\)", "{0}：为空，该行不属于任何巡察（--inspection-by）"),
    (r"--inspection: unknown inspection (.+) \(register it with `ledger add-inspection` first\)", "--inspection：未知的巡察 {0}（请先用 `ledger add-inspection` 登记）"),
    (r"--inspection-by: give the inspection the units belong under with --inspection CODE", "--inspection-by：请用 --inspection 编号 指明这些单位所属的巡察"),
    (r"(.+): preview, nothing written", "{0}：预览，未写入任何内容"),
    (r"how each column is read:", "各列的读法："),
    (r"kept as an extra column", "作为附加列原样保留"),
    (r"nothing would be refused", "没有会被拒绝的内容"),
    (r"would be refused: (.+)", lambda m: f"将被拒绝：{translate(m[1], 'zh')}"),
    (r"the first rows as they would be recorded \((\d+) problems in (\d+) inspections\):", "前几行将登记为（共 {1} 个巡察、{0} 个问题）："),
    (r"(.+): kept as extra columns with each problem: (.+)", "{0}：以下列作为附加列随每个问题保留：{1}"),
    (r"generic heading \(the file has no other deadline column\)", "通用表头（文件中没有其他整改时限列）"),
    (r"generic heading", "通用表头"),
    (r"no cell is 立行立改, 限期整改 or 长期坚持", "没有单元格是立行立改、限期整改或长期坚持"),
    (r"'(.+)' is read as (\w+)", "已按 '{0}' 读作 {1}"),
    (r"is empty: a row must name the columns", "是空的：须有一行列名"),
    (r"a continuation row \(no (.+)\) holds only a measure; '(.*)' differs from the problem above",
     "续行（没有{0}）只能填写整改措施；'{1}' 与上面的问题不同"),
    (r"holds no inspection (\S+) \(it holds (.+)\)", "其中没有巡察 {0}（其中有 {1}）"),
    (r"holds (\d+) inspections \((.+)\): name one with --inspection", "含有 {0} 个巡察（{1}）：请用 --inspection 指定一个"),
    (r"write the 台账 to an \.xlsx or \.docx file, not '(.+)'", "台账须写入 .xlsx 或 .docx 文件，不能写入 '{0}'"),
    (r"--format docx writes a Word document: give --out FILE\.docx", "--format docx 生成 Word 文档：请给出 --out 文件名.docx"),
    (r"--format (\w+) writes a workbook, not text: give --out FILE\.(\w+)", "--format {0} 生成工作簿而不是文字：请给出 --out 文件名.{1}"),
    (r"an xlsx workbook's file name ends in \.xlsx, not '(.+)'", "xlsx 工作簿的文件名须以 .xlsx 结尾，不能是 '{0}'"),
    (r"(.+) is named as a workbook: add --format xlsx", "{0} 是工作簿文件名：请加上 --format xlsx"),
    (r"'(.+)' is not a file name that can be written", "'{0}' 不是可写入的文件名"),
    (r"give either --inspection CODE or --round NAME", "请给出 --inspection 巡察编号 或 --round 轮次名称（二者选一）"),
    (r"--round and --inspection cannot be combined: a round summary covers all its inspections",
     "--round 与 --inspection 不能同时使用：轮次汇总涵盖该轮的全部巡察"),
    (r"(\S+) and (\S+) cannot be combined", "{0} 与 {1} 不能同时使用"),
    (r"--as-of cannot be combined with --from-export: the export is the state at its checkpoint",
     "--as-of 不能与 --from-export 同时使用：导出文件即其检查点时的状态"),
    (r"give exactly one of --holds or --relapsed", "请在 --holds 与 --relapsed 中选择一个"),
    (r"give --as-of \(recorded time\) or --as-at \(when acts happened\), not both", "--as-of（记录时间）与 --as-at（发生时间）只能给出一个"),
    (r"(\S+) is not a problem of --inspection (\S+)", "{0} 不是 --inspection {1} 的问题"),
    (r"--until (\S+) is before --since (\S+)", "--until {0} 早于 --since {1}"),
    (r"no signing key at (.+): run `ledger keygen` first", "{0} 处没有签名密钥：请先运行 `ledger keygen`"),
    (r"a (?:signing )?key (?:pair )?already exists at (.+): not overwriting it \(move it away first\)", "{0} 处已有密钥：不会覆盖（请先移走）"),
    (r"no ledger store at (.+): run `ledger init` first", "{0} 处没有台账存储：请先运行 `ledger init`"),
    (r"(.+) is not an initialised ledger store: run `ledger init`", "{0} 不是已初始化的台账存储：请运行 `ledger init`"),
    (r"(.+) is not a readable ledger store \((.+)\)", "{0} 不是可读取的台账存储（{1}）"),
    (r"cannot open the store (.+?): (.+)", "无法打开存储 {0}：{1}"),
    (r"store error: (.+)", lambda m: f"存储错误：{_inner(m[1])}"),
    (r"(.+) is not enrolled in this ledger \(see `ledger person list`\): may not run `ledger (.+)`",
     "{0} 未在本台账登记（见 `ledger person list`）：无权运行 `ledger {1}`"),
    (r"(.+) has no key enrolled: the administrator must run `(.+)`", "{0} 没有登记密钥：须由管理员运行 `{1}`"),
    (r"no private key for (.+) at (.+): give --key PATH or set LEDGER_KEY", "{1} 处没有 {0} 的私钥：请用 --key 给出路径或设置 LEDGER_KEY"),
    (r"people are enrolled in this ledger, so every act must be signed: nothing written", "本台账已登记人员，每项操作都须签名：未写入任何内容"),
    (r"only the administrator, with the administrator's key, changes who may act: nothing written",
     "只有管理员（使用管理员密钥）才能变更人员与权限：未写入任何内容"),
    (r"no actor given and no OS user name: use --actor or LEDGER_ACTOR", "没有给出操作人，也没有系统用户名：请用 --actor 或 LEDGER_ACTOR"),
    (r"'(.+)' is not a format: use table, json, csv, markdown(.*) or a tabulate format",
     lambda m: f"'{m[1]}' 不是输出格式：请用 table、json、csv、markdown"
     f"{m[2].replace(', ', '、').replace(' (with --out)', '（须与 --out 同用）')} 或 tabulate 的格式"),
    # feedback lists (import, reconcile): what a row or a field says wrong
    (r"responsible people need lead, unit and person together", "责任领导、责任单位、责任人须一并填写"),
    (r"unknown field '(.+)' \(fields: (.+)\)", "未知的字段 '{0}'（可用：{1}）"),
    (r"unknown section '(.+)' \(sections: (.+)\)", "未知的部分 '{0}'（可用：{1}）"),
    (r"(\S+) is listed twice \(also on line (\d+)\)", "{0} 重复（第 {1} 行也有）"),
    (r"'(.+)' is not one of the listed categories \((.+)\)", "'{0}' 不在列出的问题类别中（{1}）"),
    (r"'(.*)' differs from the problem above \('(.*)'\)", "'{0}' 与上面的问题不同（'{1}'）"),
    (r"'(.*)' differs from the first row of inspection (\S+) \('(.*)'\)", "'{0}' 与巡察 {1} 第一行不同（'{2}'）"),
    (r"given without a measure", "填写了措施时限却没有整改措施"),
    (r"a continuation row \(no number\) must follow a problem's row", "续行（没有序号）须跟在问题所在行之后"),
    (r"'(.*)' is in a column without a heading", "'{0}' 所在的列没有表头"),
    (r"is required: inspection '(.+)' differs from the row above, so this row starts another inspection and must give its header",
     "必须填写：巡察 '{0}' 与上一行不同，本行开始另一个巡察，须填写巡察的表头各列"),
    (r"(\S+) appears again after another inspection \(also from (.+)\): keep an inspection's rows together",
     "{0} 在另一个巡察之后再次出现（又见 {1}）：同一巡察的行须连在一起"),
    (r"each measure must be text or a mapping with text and due", "每项整改措施须为文字，或含 text 与 due 的映射"),
    (r"must be a list( of category names)?", "须为列表"),
    (r"a list of problems is required", "须有问题列表"),
    (r"each problem must be a mapping \(number, category, title, …\)", "每个问题须为映射（number、category、title …）"),
    (r"a mapping with the inspection's code, name, … is required", "须为含巡察编号、名称等的映射"),
    (r"must be a mapping with 'inspection' and 'problems'", "须为含 inspection 与 problems 的映射"),
    (r"is not a worksheet \(a chart sheet\?\): name the 台账's sheet with --sheet", "不是工作表（图表？）：请用 --sheet 指定台账所在的工作表"),
    (r"an \.xlsx workbook carries its own encoding \((.+)\)", "xlsx 工作簿自带编码（{0}）"),
    (r"inspection (\S+) is already in the ledger with (\w+) '(.*)', not '(.*)' \(see `ledger reconcile`\)",
     lambda m: f"巡察 {m[1]} 已在台账中，其{HEADINGS.get(m[2], m[2])}为 '{m[3]}'，而不是 '{m[4]}'（见 `ledger reconcile`）"),
    (r"(\S+) is already in the ledger with (\w+) '(.*)', not '(.*)' \(see `ledger reconcile`\)",
     lambda m: f"{m[1]} 已在台账中，其{HEADINGS.get(m[2], m[2])}为 '{m[3]}'，而不是 '{m[4]}'（见 `ledger reconcile`）"),
    (r"problem number (\d+) is already taken in (\S+)", "{1} 中已有第 {0} 号问题"),
    # people and keys
    (r"unknown role (.+) \(roles: (.+)\)", "未知的角色 {0}（角色：{1}）"),
    (r"give (.+) at least one role", "请至少给 {0} 一个角色"),
    (r"enrolling (.+) needs their public key file \(ledger person keygen (.+)\)", "登记 {0} 需要其公钥文件（ledger person keygen {1}）"),
    (r"that key is already enrolled for (.+): each person needs their own key", "该密钥已登记给 {0}：每人须有自己的密钥"),
    (r"(.+) was revoked: re-enrolling needs a new --public-key", "{0} 已被撤销：重新登记须提供新的 --public-key"),
    (r"(.+) is already enrolled with that key and those roles: nothing to change", "{0} 已用该密钥和这些角色登记：无需更改"),
    (r"(.+) is not enrolled \(see `ledger person list`\)", "{0} 未登记（见 `ledger person list`）"),
    (r"(.+) does not hold the role (.+)", "{0} 没有角色 {1}"),
    (r"policy (\S+) is already (.+)", "规则 {0} 已经是 {1}"),
    (r"(.+) is passphrase-protected: set (\S+)", "{0} 有口令保护：请设置 {1}"),
    (r"(.+) is not a private key this ledger can use \(wrong passphrase in (\S+)\?\)", "{0} 不是本台账能用的私钥（{1} 中的口令不对？）"),
    (r"(.+) is not an Ed25519 (private|public) key(.*)",
     lambda m: f"{m[1]} 不是 Ed25519 {'私钥' if m[2] == 'private' else '公钥'}{m[3].replace(' or ', ' 或 ')}"),
    (r"(.+) is not a (readable )?public key(.*)", "{0} 不是可读取的公钥{2}"),
    (r"no administrator key at (.+): only the administrator \((.+)\) may run `ledger (.+)` \(give --admin-key PATH\)",
     "{0} 处没有管理员密钥：只有管理员（{1}）才能运行 `ledger {2}`（请用 --admin-key 给出路径）"),
    (r"(.+) is not this ledger's administrator key \(fingerprint (.+)\)", "{0} 不是本台账的管理员密钥（密钥指纹 {1}）"),
    (r"people are already enrolled in this ledger: `person import` runs once; use `ledger person add`",
     "本台账已登记人员：`person import` 只运行一次；请用 `ledger person add`"),
    (r"(.+) lists no people: nothing to import \(enrol people with `ledger person add`\)",
     "{0} 没有列出人员：无可导入（请用 `ledger person add` 登记人员）"),
    (r"entering a paper signature needs people enrolled in the ledger \(ledger person add\)", "代录纸质签字须先在台账中登记人员（ledger person add）"),
    (r"that is you; act in your own name without --for", "这就是你本人：请不用 --for，以自己的名义操作"),
    (r"(.+) is not enrolled in this ledger", "{0} 未在本台账登记"),
    (r"attach the paper that was signed \(--attach FILE\)", "请附上签字的纸质文件（--attach 文件）"),
    (r"this ledger's policy forbids entering a sign-off for someone else \(proxy_signoff: forbidden\)",
     "本台账的规则不允许代他人录入销号（proxy_signoff: forbidden）"),
    (r"the key (.+) \(fingerprint (.+)\) is not the key enrolled for (.+) \((.+)\): nothing written",
     "密钥 {0}（指纹 {1}）不是 {2} 登记的密钥（{3}）：未写入任何内容"),
    # exports, checkpoints
    (r"(.+) is not a ledger export \((.+)\)", "{0} 不是台账导出文件（{1}）"),
    (r"(.+) names (\d+) evidence file\(s\): give --evidence DIR, the folder `ledger export --evidence DIR` wrote \(nothing written\)",
     "{0} 列有 {1} 个佐证材料文件：请用 --evidence DIR 给出 `ledger export --evidence DIR` 写出的文件夹（未写入任何内容）"),
    (r"--evidence: (.+) exists and is not an empty folder: not mixing files into it", "--evidence：{0} 已存在且不是空文件夹：不会把文件混入其中"),
    (r"a partial export \(--since\) does not hold the founding event", "部分导出（--since）不含创建台账事件"),
    (r"(.+) is a partial export \(--since (.+)\): only a complete export can be imported", "{0} 是部分导出（--since {1}）：只能导入完整的导出文件"),
    (r"the store is not empty: import-log restores only into a new, empty ledger \(`ledger init` in a new folder\)",
     "存储不是空的：import-log 只能恢复到新建的空台账（在新文件夹中运行 `ledger init`）"),
    (r"a checkpoint is always made now", "检查点总是以当前时间生成"),
    (r"(.+) already exists: not overwriting a kept checkpoint", "{0} 已存在：不覆盖保存的检查点"),
    # the one rule for every --out (ledger/outputs.py)
    (r"(.+) already exists: not overwriting it \(give --force to replace it\)", "{0} 已存在：不会覆盖（如要替换请加 --force）"),
    (r"(.+) is the ledger's own (.+): never written over",
     lambda m: f"{m[1]} 是台账自己的{ {'store': '存储文件', 'store journal': '存储日志文件', 'key': '密钥', 'configuration (ledger.yaml)': '配置文件（ledger.yaml）'}.get(m[2], m[2]) }：绝不覆盖"),
    (r"(.+) is inside the ledger's (keys|kept evidence) folder: never written into",
     lambda m: f"{m[1]} 在台账的{'密钥' if m[2] == 'keys' else '佐证材料保存'}文件夹内：绝不写入"),
    (r"--force replaces an --out file: give --out FILE", "--force 用于替换 --out 文件：请给出 --out FILE"),
    (r"(.+) holds (\d+) checkpoint blocks: give one", "{0} 含有 {1} 个检查点：请只给一个"),
    (r"no file in the folder (.+) holds a checkpoint block", "文件夹 {0} 中没有含检查点的文件"),
    (r"'(.+)' is not a key fingerprint \(40 hex digits, as `ledger keygen` prints\)", "'{0}' 不是密钥指纹（40 位十六进制数字，如 `ledger keygen` 所示）"),
    # ledger.yaml
    (r"no (\S+) here or in any parent folder: run `ledger init` first", "当前文件夹及上级文件夹中没有 {0}：请先运行 `ledger init`"),
    (r"config file (.+) cannot be used: (.+)", lambda m: f"配置文件 {m[1]} 无法使用：{_os_error(m[2])}"),
    (r"'(.+)' must be in increasing order without repeats", "'{0}' 须递增且不重复"),
    (r"'(.+)' must be a list of whole numbers of days from 1 to 3650, not (.+)", "'{0}' 须为 1 至 3650 天的整数列表，不能是 {1}"),
    (r"'(.+)' must be a list of whole numbers of days, each 1 or more", "'{0}' 须为天数的整数列表，每个不小于 1"),
    (r"'(.+)' must not be negative", "'{0}' 不能为负数"),
    (r"'(.+)' must be 1 or more", "'{0}' 须不小于 1"),
    (r"'(.+)' must not be more than '(.+)'", "'{0}' 不能大于 '{1}'"),
    (r"'(.+)' must be a list of \{name: …, roles: \[…\]\}", "'{0}' 须为 {{name: …, roles: […]}} 的列表"),
    (r"(\S+) entry (\d+) must be a mapping with 'name' and 'roles' only", "{0} 第 {1} 项须为只含 'name' 和 'roles' 的映射"),
    (r"(\S+) entry (\d+) has no name", "{0} 第 {1} 项没有姓名"),
    (r"'(.+)' is listed twice", "'{0}' 重复列出"),
    (r"roles of '(.+)' must be a list( of role names)?", "'{0}' 的角色须为角色名列表"),
    (r"unknown role (.+) for '(.+)' \(roles: (.+)\)", "'{1}' 的角色 {0} 未知（角色：{2}）"),
    (r"'(.+)' is given twice", "'{0}' 重复给出"),
    (r"a key must be plain text", "键须为纯文字"),
    (r"cannot read (\S+): (.+)", lambda m: f"无法读取 {m[1]}：{_os_error(m[2])}"),
    (r"PostgreSQL support is not installed: pip install '(.+)'", "未安装 PostgreSQL 支持：pip install '{0}'"),
    (r"store URL is not valid: (.+)", "存储地址无效：{0}"),
    (r"store '(.+)' is not supported; use a SQLite file path or postgresql://user@host:port/db",
     "不支持存储 '{0}'：请用 SQLite 文件路径或 postgresql://用户@主机:端口/数据库"),
    (r"store URL must look like postgresql://user@host:port/db", "存储地址须形如 postgresql://用户@主机:端口/数据库"),
    (r"cannot use the PostgreSQL store (.+?): (.+)", "无法使用 PostgreSQL 存储 {0}：{1}"),
    (r"(.+) is read-only: the ledger needs to write to the file and its folder \((.+)\)", "{0} 是只读的：台账须能写入该文件及其所在文件夹（{1}）"),
    (r"(.+) is not a readable ledger store \(its schema is damaged\)", "{0} 不是可读取的台账存储（其结构已损坏）"),
    (r"LEDGER_LOCK_TIMEOUT must be a whole number of seconds \(1 or more\), not (.+)", "LEDGER_LOCK_TIMEOUT 须为不小于 1 的整数秒，不能是 {0}"),
    (r"the store (.+) cannot be opened \((.+)\)", "无法打开存储 {0}（{1}）"),
    (r"(.+) exists and is not a SQLite database: not touching it", "{0} 已存在且不是 SQLite 数据库：不动它"),
    (r"(.+) is a SQLite database of something else: not touching it", "{0} 是别的用途的 SQLite 数据库：不动它"),
    (r"could not create the store (.+): it stayed locked", "无法创建存储 {0}：一直被锁定"),
    (r"the store was made before the Merkle tree: run `ledger init` to upgrade it", "该存储建于默克尔树之前：请运行 `ledger init` 升级"),
    (r"the store was made by an earlier version of the ledger: run `ledger init` to upgrade it", "该存储由较早版本的台账程序建立：请运行 `ledger init` 升级"),
    (r"the store has events but no Merkle tree yet: run `ledger init` to upgrade it", "存储中有事件但还没有默克尔树：请运行 `ledger init` 升级"),
    (r"'(.+)' must be the name of an environment variable, not (.+)", "'{0}' 须为环境变量名，不能是 {1}"),
    (r"(.+) is nested too deeply", "{0} 嵌套过深"),
    (r"unknown hash algorithm '(.+)' \(use (.+)\)", "未知的哈希算法 '{0}'（可用 {1}）"),
    (r"unknown key '(.+)' \(known: (.+)\)", "未知的设置项 '{0}'（可用：{1}）"),
    (r"'(.+)' must be true or false, not (.+)", "'{0}' 须为 true 或 false，不能是 {1}"),
    (r"'(.+)' must be a whole number from (\d+) to (\d+), not (.+)", "'{0}' 须为 {1} 至 {2} 的整数，不能是 {3}"),
    (r"'(.+)' must be a number from 0 to 1, not (.+)", "'{0}' 须为 0 至 1 之间的数，不能是 {1}"),
    (r"'(.+)' must be a list of words, not (.+)", "'{0}' 须为词语列表，不能是 {1}"),
    (r"'(.+)' must be a list of groups such as (\S+), not (.+)", "'{0}' 须为同义词组的列表，如 {1}，不能是 {2}"),
    (r"'(.+)' group (\d+) must name two or more words, such as (\S+), not (.+)", "'{0}' 第 {1} 组须有两个或更多词语，如 {2}，不能是 {3}"),
    (r"'(.+)' must be a date such as (\S+), not (.+)", "'{0}' 须为日期（如 {1}），不能是 {2}"),
    (r"'(.+)' must be text, not (.+)", "'{0}' 须为文字，不能是 {1}"),
    (r"'(.+)' must be a mapping, not (.+)", "'{0}' 须为映射（键: 值），不能是 {1}"),
    (r"'(.+)' must be (\S+) or (\S+), not (.+)", "'{0}' 须为 {1} 或 {2}，不能是 {3}"),
    (r"(.+) is not valid YAML(.*)", "{0} 不是有效的 YAML{1}"),
    (r"not valid YAML \((.+)\)", "不是有效的 YAML（{0}）"),
    (r"not valid CSV \((.+)\)", "不是有效的 CSV（{0}）"),
    (r"(.+) must hold a mapping of settings", "{0} 须为设置项的映射"),
    (r"'(.+)' must be (.+), not (.+)", lambda m: f"'{m[1]}' 须为 {m[2].replace(' or ', ' 或 ')}，不能是 {m[3]}"),  # last: the general form
]


def _trust_words(source: str) -> str:
    """Where a trusted key came from, as a checkpoint's note names it (a path stays as it is)."""
    return {"the ledger's public key": "本台账的公钥"}.get(source, source)


def translate_lines(message: str, lang: str) -> str:
    """A command's message a line at a time; a checkpoint block in it stays exactly as signed and printed."""
    if isinstance(message, Message):
        return message.render(lang, lambda text: _plain(text, lang))
    out, inside = [], False
    for line in message.split("\n"):
        if line.startswith("-----BEGIN "):
            inside = True
        out.append(line if inside else translate(line, lang))
        if line.startswith("-----END "):
            inside = False
    return "\n".join(out)


def _inner(text: str) -> str:
    """A worded-in reason (`… (REASON)`) in Chinese when the catalogue knows it, else as it is."""
    return _tail(text) or text


_SIDES = {"old": "旧", "new": "新"}

# What an event of the log was found to be ("first bad sequence number N: event N FINDING").
FINDINGS: list[tuple[str, Any]] = [
    (r"has a re-spelled originator_id (.+) \(not 32 lower-case hex digits\)", "的 originator_id 被改写为 {0}（不是 32 位小写十六进制数字）"),
    (r"has an originator_version stored as (.+) \(not an integer\)", "的 originator_version 存为 {0}（不是整数）"),
    (r"has a topic stored as (\S+), not text", "的 topic 存为 {0}，不是文字"),
    (r"has a state stored as (\S+), not bytes \(BLOB\)", "的 state 存为 {0}，不是字节（BLOB）"),
    (r"has a topic that is not valid Unicode text", "的 topic 不是有效的 Unicode 文字"),
    (r"is stored but has no chain link \(inserted after the fact\)", "已存储但没有哈希链链接（事后插入）"),
    (r"is stored before the first event \(a sequence number below 1: inserted after the fact\)", "存储在第一个事件之前（序号小于 1：事后插入）"),
    (r"is stored in a column re-typed: stored_events\.(\w+) is (.+), not (.+) as the ledger creates it",
     "存储在类型被改动的列中：stored_events.{0} 为 {1}，而不是台账建表时的 {2}"),
    (r"is missing from the store \(deleted\)", "在存储中缺失（被删除）"),
    (r"is missing from the store with its chain link \(deleted\)", "连同其哈希链链接在存储中缺失（被删除）"),
    (r"has a chain link not stored as \(integer, integer, 32-byte BLOB\)", "的哈希链链接不是按（整数，整数，32 字节 BLOB）存储"),
    (r"links to (\S+), not to the event before it \((\S+)\)", "链接到 {0}，而不是它之前的事件（{1}）"),
    (r"does not match its recorded hash \(edited, moved or reordered\)", "与其记录的哈希不符（被编辑、移动或重新排序）"),
    (r"cannot be read back as an event of this ledger \((.+)\)", lambda m: f"无法读回为本台账的事件（{_inner(m[1])}）"),
    (r"cannot be read back \((\w+) reading its evidence\): run `ledger audit --verify`", "无法读回（读取其佐证材料时出现 {0}）：请运行 `ledger audit --verify`"),
    (r"cannot be read back \((\w+) reading it\): run `ledger audit --verify`", "无法读回（读取时出现 {0}）：请运行 `ledger audit --verify`"),
    (r"cannot be read back \((.+)\): run `ledger audit --verify`", lambda m: f"无法读回（{_inner(m[1])}）：请运行 `ledger audit --verify`"),
    # a stored event that names a class the ledger does not have (ledger.topics): nothing was imported
    (r"has the topic (.+), which is not one of the ledger's event classes", "的 topic 为 {0}，不是本台账的事件类（未导入任何模块）"),
    (r"names the aggregate class (.+), not (\S+) whose event it is", "所指的聚合类为 {0}，而不是它所属的 {1}"),
    (r"has an actor of ([\d,]+) characters: the ledger never writes one longer than ([\d,]+)", "的操作人长达 {0} 个字符：台账从不写入超过 {1} 个字符的操作人"),
    (r"is a checkpoint signed by key (.+), not by this ledger's key (.+)", "是由密钥 {0} 签名的检查点，而不是本台账的密钥 {1}"),
    (r"is a checkpoint of ledger (\S+) \((.+)\), not of this one", "是台账 {0}（{1}）的检查点，不是本台账的"),
    (r"is a checkpoint claiming events up to (\S+), which it cannot cover", "是声称涵盖至第 {0} 个事件的检查点，而它不可能涵盖这些事件"),
    (r"is a recorded checkpoint that cannot be read \((.+)\)", lambda m: f"是无法读取的已记录检查点（{_inner(m[1])}）"),
    (r"is a recorded checkpoint whose signature does not match its contents", "是签名与内容不符的已记录检查点"),
    (r"has a malformed signature", "的签名格式不对"),
    # the founding event (LedgerFounded): a second one, one copied from another ledger, a replaced administrator key
    (r"\(LedgerFounded, version (\S+)\) founds the ledger a second time: a replaced administrator",
     "（创建台账，版本 {0}）再次创建本台账：管理员被替换"),
    (r"\(LedgerFounded\) founds the ledger (\S+), not this ledger (\S+): copied from another ledger",
     "（LedgerFounded）创建的是台账 {0}，不是本台账 {1}：从其他台账复制而来"),
    (r"\(LedgerFounded\) carries the administrator key (.+), not the key noted when the ledger was made \((.+)\): a replaced administrator",
     "（LedgerFounded）所载的管理员密钥为 {0}，不是创建台账时记下的密钥（{1}）：管理员被替换"),
    (r"\(LedgerFounded\) carries the administrator key (.+), not the one whose fingerprint was given: a replaced administrator",
     "（LedgerFounded）所载的管理员密钥为 {0}，不是给定指纹的密钥：管理员被替换"),
    (r"\(LedgerFounded\) names a fingerprint that is not its key's", "（LedgerFounded）所记的指纹不是其密钥的指纹"),
    (r"\(LedgerFounded\) carries a malformed administrator key", "（LedgerFounded）所载的管理员密钥格式不对"),
    (r"is not readable JSON: its signature cannot be checked", "不是可读取的 JSON：无法检查其签名"),
    (r"\((.+?)\) is signed by (.+), who was not enrolled with a key at that moment", "（{0}）由 {1} 签名，而其当时没有登记密钥"),
    (r"\((.+?)\) is signed with key (.+), not the key enrolled for (.+)", "（{0}）用密钥 {1} 签名，不是 {2} 登记的密钥"),
    (r"\((.+?)\) carries a signature by (.+) that does not verify \(forged, altered, or copied from another event\)",
     "（{0}）带有 {1} 的签名，但签名验证不通过（伪造、改动或从其他事件复制）"),
    (r"\((.+?)\) names (.+) as actor but was signed as (.+)'s act", "（{0}）的操作人是 {1}，签名却是 {2} 的操作"),
    (r"\((.+?)\) is signed with the meaning `(.+)`, which never records this event", "（{0}）签名的含义为 `{1}`，而此类事件从不以该含义记录"),
    (r"\((.+?)\) changes who may act but is not signed by the administrator", "（{0}）变更了人员与权限，却不是管理员签名"),
    (r"\((.+?)\) is not signed, though people were enrolled before it: an act written around the ledger's checks",
     "（{0}）没有签名，而此前已登记人员：是绕过台账检查写入的操作"),
    (r"\((.+?)\) is signed by (.+), not by the administrator (.+)", "（{0}）由 {1} 签名，不是管理员 {2}"),
    (r"\((.+?)\) carries a signature that does not verify with the administrator's key \(forged, or copied from another event\)",
     "（{0}）的签名用管理员密钥验证不通过（伪造，或从其他事件复制）"),
    (r"\((.+?)\) was entered for (.+), who was not enrolled at that moment", "（{0}）代 {1} 录入，而其当时未登记"),
    (r"\((.+?)\) is a sign-off entered by (.+) for (.+), which the ledger's policy forbade at that moment",
     "（{0}）是 {1} 代 {2} 录入的销号，而台账规则当时不允许代录销号"),
    (r"\((.+?)\) was recorded as (.+)'s act, but (.+) did not hold the role (.+) at that moment",
     "（{0}）记录为 {1} 的操作，但 {2} 当时没有角色 {3}"),
]
_FINDINGS: list[tuple[Any, Any]] = []


_SCHEMA_KINDS = {
    "trigger": "触发器", "rule": "规则", "policy": "行级安全策略", "table with row security": "启用行级安全的表", "view": "视图",
    "function": "函数", "index": "索引", "table": "表", "type": "类型", "sequence": "序列",
}


def _store_words(text: str) -> str:
    """"the store PATH" / "the store" in Chinese."""
    return "存储 " + text.removeprefix("the store ") + " " if text.startswith("the store ") else "存储"


def _finding(seq: str, text: str) -> str | None:
    if not _FINDINGS:
        _FINDINGS.extend((_Lazy(p, re.DOTALL), t) for p, t in FINDINGS)
    found = _apply(_FINDINGS, text)
    if found is None:
        return None
    found = re.sub(r"^（(\w+)）", lambda m: f"（{EVENT_WORDS.get(m[1], m[1])}）", found)  # the event's kind, as history names it
    return f"事件 {seq}" + ("" if found[0] == "（" else " ") + found


# Checkpoints, proofs, exports, the hash chain and the Merkle tree, evidence files, sensitive fields, migrate,
# serve, and lines some commands print. Tried before CATALOGUE, whose patterns are more general.
CATALOGUE_FIRST: list[tuple[str, Any]] = [
    # a reading at a moment: "… as of T (recorded time)" / "… as at T (by the dates acts happened)"
    (r"(.+) as of (\S+) \(recorded time\)", lambda m: f"{translate(m[1], 'zh')}（截至记录时间 {m[2]}）"),
    (r"(.+) as at (\S+) \(by the dates acts happened\)", lambda m: f"{translate(m[1], 'zh')}（按操作发生日期，截至 {m[2]}）"),
    # tampering: what was found
    (r"tampering found: (.+)", lambda m: f"发现篡改：{_inner(m[1])}"),
    (r"first bad sequence number (-?\d+): event (-?\d+) (.+)",
     lambda m: (lambda f: f and f"第一个出错的序号 {m[1]}：{f}")(_finding(m[2], m[3]))),
    (r"first bad sequence number (\d+): the event the checkpoint covered is no longer in the ledger", "第一个出错的序号 {0}：检查点涵盖的事件已不在台账中"),
    (r"first bad sequence number (\d+)(?: \(or a later one up to (\d+)\))?: the checkpoint recorded as event (\d+) \(signed (\S+)\) "
     r"covers events up to (\d+)",
     lambda m: f"第一个出错的序号 {m[1]}" + (f"（或其后直至 {m[2]} 的某一个）" if m[2] else "")
     + f"：记录为事件 {m[3]} 的检查点（签署于 {m[4]}）涵盖至第 {m[5]} 个事件"),
    (r"(.+), and the history differs from it in (.+) \(rewritten, links recomputed\)",
     lambda m: f"{_inner(m[1])}，而历史在{_events_words(m[2])}与之不同（被改写，链接被重算）"),
    (r"(.+) and signs tree size (\d+) root (\S+), but those events give tree size (\d+) root (\S+) \(the signed tree is not this history's\)",
     lambda m: f"{_inner(m[1])}，签署的树大小为 {m[2]}、树根为 {m[3]}，而这些事件给出的树大小为 {m[4]}、树根为 {m[5]}（签署的树不是本历史的树）"),
    # the Merkle tree dropped, the founding event removed
    (r"the store's Merkle tree table \(ledger_merkle\) is gone although the store's metadata says it has one "
     r"\(ledger_meta merkle_tree = (.+)\): the tree was dropped",
     "存储的默克尔树表（ledger_merkle）已不存在，而存储的元数据记载有该表（ledger_meta merkle_tree = {0}）：树被删除"),
    (r"the checkpoint recorded as event (\d+) \(signed (\S+)\) signs the Merkle tree of events up to (\d+), "
     r"but the store has no tree table \(ledger_merkle\): the tree was dropped",
     "记录为事件 {0} 的检查点（签署于 {1}）签署了至第 {2} 个事件的默克尔树，而存储中没有树表（ledger_merkle）：树被删除"),
    (r"the log holds no founding event \(LedgerFounded\), so no administrator key to compare with the fingerprint given: it was removed",
     "日志中没有创建台账事件（LedgerFounded），因而没有可与给定指纹比对的管理员密钥：该事件被删除"),
    (r"the stored events of aggregate (\S+) cannot be rebuilt \((.+)\): the store was altered; run `ledger audit --verify` and `ledger replay` to find the event",
     lambda m: f"聚合 {m[1]} 的存储事件无法重建（{_inner(m[2])}）：存储已被改动；请运行 `ledger audit --verify` 和 `ledger replay` 找出该事件"),
    (r"(.+): run `ledger audit --verify` to find the event", lambda m: f"{_inner(m[1])}：请运行 `ledger audit --verify` 找出该事件"),
    (r"an aggregate's stored events are not consecutive(?: \(version (\d+) where version (\d+) was expected\))?: an event was deleted or reordered",
     lambda m: "某个聚合的存储事件不连续" + (f"（应为第 {m[2]} 版，实为第 {m[1]} 版）" if m[1] else "") + "：有事件被删除或重新排序"),
    (r"an aggregate's history does not start with its creation event: an event was deleted", "某个聚合的历史不是从其创建事件开始：有事件被删除"),
    (r"stored text is not valid UTF-8 \(a damaged store file\?\)", "存储的文字不是有效的 UTF-8（存储文件损坏？）"),
    (r"argument (\d+) contains a NUL character", "第 {0} 个参数含有 NUL 字符"),
    (r"argument (\d+) is not valid UTF-8 text", "第 {0} 个参数不是有效的 UTF-8 文字"),
    (r"evidence file (.+) \((.+)\) attached to event (\d+) has vanished from the store", "事件 {2} 所附佐证材料 {0}（{1}）已从存储中消失"),
    (r"evidence file (.+) \((.+)\) attached to event (\d+) has changed: its bytes no longer match", "事件 {2} 所附佐证材料 {0}（{1}）已被改变：字节与记录不符"),
    (r"evidence file (.+) \((.+)\) of event (\d+) is missing or changed beside (.+): run `ledger evidence verify`",
     "事件 {2} 的佐证材料 {0}（{1}）在 {3} 旁缺失或已改变：请运行 `ledger evidence verify`"),
    (r"evidence file (.+) \((.+)\) of event (\d+) is not in (.+)", "事件 {2} 的佐证材料 {0}（{1}）不在 {3} 中"),
    (r"evidence file (.+) does not match the digest recorded in event (\d+) \((.+)\)", "佐证材料 {0} 与事件 {1} 中记录的摘要（{2}）不符"),
    # checkpoints given or kept
    (r"signature valid, key not trusted: the block carries its own key \((.+)\); give the ledger's public key \(--public-key\) "
     r"or pin that fingerprint \(--fingerprint\) after comparing it with the published one",
     "签名有效，但密钥不可信：检查点块自带密钥（{0}）；请给出本台账的公钥（--public-key），或与公布的指纹核对后指定该指纹（--fingerprint）"),
    (r"its fingerprint line \((.+)\) is not the fingerprint of its public key \((.+)\)", "其指纹行（{0}）不是其公钥的指纹（{1}）"),
    (r"the checkpoint's signature does not match its contents \(the block was altered\)", "检查点的签名与其内容不符（检查点块被改动）"),
    (r"the checkpoint was signed by key (.+), not by a key whose fingerprint was given \(--fingerprint\)", "检查点由密钥 {0} 签名，不是给定指纹（--fingerprint）的密钥"),
    (r"the checkpoint was signed by key (.+), not by this ledger's key (.+) \((.+)\)", "检查点由密钥 {0} 签名，不是本台账的密钥 {1}（{2}）"),
    (r"the checkpoint was signed by key (.+), not by the trusted key (.+) \((.+)\)", "检查点由密钥 {0} 签名，不是可信的密钥 {1}（{2}）"),
    (r"the checkpoint was signed by key (.+), not by (.+)", "检查点由密钥 {0} 签名，不是 {1}"),
    (r"the checkpoint is for ledger (\S+), but this is ledger (\S+)", "该检查点属于台账 {0}，而这是台账 {1}"),
    (r"the checkpoint uses (\S+), but this ledger's chain uses (\S+)", "检查点使用 {0}，而本台账的哈希链使用 {1}"),
    (r"the checkpoint covers events up to (\d+), but the ledger now ends at (\d+) \(history truncated\)", "检查点涵盖至第 {0} 个事件，而台账现在止于第 {1} 个（历史被截断）"),
    (r"history up to sequence number (\d+) differs from the checkpoint of (\S+) \(rewritten since\)", "至序号 {0} 的历史与 {1} 的检查点不同（此后被改写）"),
    (r"the checkpoint of (\S+) signs tree size (\d+) root (\S+), but the events up to (\d+) give tree size (\d+) root (\S+)",
     "{0} 的检查点签署的树大小为 {1}、树根为 {2}，而至第 {3} 个事件的事件给出的树大小为 {4}、树根为 {5}"),
    (r"the checkpoint block is altered \(not as it was printed: spacing, order, key or fingerprint lines differ\)",
     "检查点块被改动（与打印出来的不同：空格、顺序、密钥行或指纹行不同）"),
    (r"the checkpoint block is damaged \((.+)\)", lambda m: f"检查点块已损坏（{_inner(m[1])}）"),
    (r"no '(.+)' … '(.+)' block found in (.+)", "{2} 中没有 '{0}' … '{1}' 检查点块"),
    (r"not a checkpoint block and not a readable file or folder \((.+)\)", "既不是检查点块，也不是可读取的文件或文件夹（{0}）"),
    (r"the block has a line that is not one of its fields: (.+)", "检查点块中有一行不是它的字段：{0}"),
    (r"the block gives '(.+)' twice", "检查点块两次给出 '{0}'"),
    (r"the block lacks (.+)", "检查点块缺少 {0}"),
    (r"the sequence is garbled", "序号已损坏"),
    (r"the signature is garbled", "签名已损坏"),
    (r"the tree-size or tree-root is garbled", "tree-size 或 tree-root 已损坏"),
    (r"not an object", "不是 JSON 对象"),
    (r"sequence is not an integer", "sequence 不是整数"),
    (r"a field is not text", "有字段不是文字"),
    (r"its fingerprint is not that of its key", "其指纹不是其公钥的指纹"),
    (r"tree_size or tree_root is garbled", "tree_size 或 tree_root 已损坏"),
    (r"cannot write the signing key pair at (.+?): (.+); nothing was kept", lambda m: f"无法在 {m[1]} 写入签名密钥对：{_os_error(m[2])}；未保留任何内容"),
    (r"(.+) is not a readable Ed25519 private key \((.+)\)", "{0} 不是可读取的 Ed25519 私钥（{1}）"),
    (r"(.+) is not an Ed25519 public key \(want '(.+)'\)", "{0} 不是 Ed25519 公钥（应为 '{1}'）"),
    (r"cannot read public key (.+?): (.+)", lambda m: f"无法读取公钥 {m[1]}：{_os_error(m[2])}"),
    (r"unknown role (.+) for '(.+)' \(roles: (.+)\)", "'{1}' 的角色 {0} 未知（角色：{2}）"),  # before "unknown role … (roles: …)"
    (r"--checkpoint (\S+) covers events up to (\d+), before this partial export begins: export with --since (\d+) or less",
     "--checkpoint {0} 只涵盖至第 {1} 个事件，早于本部分导出的起点：请用 --since {2} 或更小的值导出"),
    (r"an inspection export is proven against one checkpoint: give one --checkpoint", "巡察导出文件依据一个检查点证明：请只给一个 --checkpoint"),
    (r"cannot write (.+?): (.+) \(the checkpoint is recorded in the ledger; print it with --format json\)",
     lambda m: f"无法写入 {m[1]}：{_os_error(m[2])}（检查点已记录在台账中；可用 --format json 打印）"),
    # proofs
    (r"the checkpoint of (\S+) predates the Merkle tree \(no tree-size/tree-root\): it cannot be proven consistent",
     "{0} 的检查点早于默克尔树（没有 tree-size/tree-root）：无法为它证明一致性"),
    (r"the checkpoint of (\S+) covers no events \(tree size 0\): there is nothing to prove consistent",
     "{0} 的检查点不涵盖任何事件（树大小为 0）：没有可证明一致性的内容"),
    (r"--from covers (\d+) events, --to only (\d+): give the older checkpoint as --from", "--from 涵盖 {0} 个事件，--to 只有 {1} 个：请把较早的检查点作为 --from"),
    (r"the checkpoints use (\S+)/(\S+), but this ledger's tree uses (\S+)", "检查点使用 {0}/{1}，而本台账的默克尔树使用 {2}"),
    (r"the checkpoints are of different ledgers \((\S+) and (\S+)\)", "两个检查点属于不同的台账（{0} 与 {1}）"),
    (r"hash algorithms differ \(proof (\S+), checkpoints (\S+)/(\S+)\)", "哈希算法不同（证明 {0}，检查点 {1}/{2}）"),
    (r"the proof is for ledger (\S+), the checkpoints for (\S+)", "证明属于台账 {0}，检查点属于台账 {1}"),
    (r"the --from checkpoint \(events up to (\d+)\) is later than the --to checkpoint \(up to (\d+)\)", "--from 检查点（至第 {0} 个事件）晚于 --to 检查点（至第 {1} 个）"),
    (r"the proof's (\w+) tree \(size (\d+)\) is not the (\S+) checkpoint's \(size (\d+) root (\S+)\)",
     lambda m: f"证明中的{_SIDES.get(m[1], m[1])}树（大小 {m[2]}）与 {m[3]} 检查点的树（大小 {m[4]}，树根 {m[5]}）不符"),
    (r"the proof does not show that the tree of (\d+) events extends the tree of (\d+) \(proof or checkpoints altered, or history rewritten\)",
     "证明不能表明 {0} 个事件的树是 {1} 个事件的树的延伸（证明或检查点被改动，或历史被改写）"),
    (r"signed by key (.+), not by the key of the other checkpoint (.+)", "由密钥 {0} 签名，不是另一个检查点的密钥 {1}"),
    (r"the checkpoint's tree has (\d+) events, but the store's only (\d+) \(history truncated\)", "检查点的树有 {0} 个事件，而存储中只有 {1} 个（历史被截断）"),
    (r"the store's tree of (\d+) events does not have the checkpoint's root \(history rewritten since\)", "存储中 {0} 个事件的树没有检查点的树根（此后历史被改写）"),
    (r"the store's tree of (\d+) events does not have the root of the checkpoint of (\S+) \(history rewritten since\)",
     "存储中 {0} 个事件的树没有 {1} 检查点的树根（此后历史被改写）"),
    (r"the consistency proof is damaged \(its format line was altered\)", "一致性证明已损坏（其格式行被改动）"),
    (r"the consistency proof is damaged \((.+)\)", lambda m: f"一致性证明已损坏（{_inner(m[1])}）"),
    (r"(.+) is not a consistency proof \(no '(.+)' format\)", "{0} 不是一致性证明（没有 '{1}' 格式）"),
    (r"(.+) is not a consistency proof \((.+)\)", lambda m: f"{m[1]} 不是一致性证明（{_inner(m[2])}）"),
    (r"not in canonical form \(spacing, key order, escapes or line end differ\)", "不是规范格式（空格、键的顺序、转义或行尾不同）"),
    (r"(.+) is not 64 lower-case hex digits", "{0} 不是 64 位小写十六进制数字"),
    (r"(\S+) is not 32 lower-case hex digits", "{0} 不是 32 位小写十六进制数字"),
    (r"(.+) must have exactly the keys (.+) in that order", "{0} 须依次恰好含有键 {1}"),
    (r"a proof is exactly one line ending in a line feed", "证明须恰好是以换行符结尾的一行"),
    (r"version (.+) is not supported", "不支持版本 {0}"),
    (r"version (.+) is not a checkpoint version this ledger reads \((.+)\)", "版本 {0} 不是本台账能读取的检查点版本（{1}）"),
    (r"checkpoint_version (.+) is not one this ledger writes", "checkpoint_version {0} 不是本台账写出的版本"),
    (r"the checkpoint's version (.+) is not (\d+)", "检查点的版本 {0} 不是 {1}"),
    (r"format or version is not supported", "不支持该格式或版本"),
    (r"ledger or hash is garbled", "ledger 或 hash 已损坏"),
    (r"(\"?\w+\"?) is not a list", "{0} 不是列表"),
    (r"(\w+) is not text", "{0} 不是文字"),
    (r"(\S+) is not canonical base64", "{0} 不是规范的 base64"),
    (r"(\S+) is not a whole number", "{0} 不是整数"),
    (r"events are not in log order", "事件没有按日志顺序排列"),
    (r"the checkpoint's public_key or signature is not written as `ledger checkpoint` writes it",
     "检查点的 public_key 或 signature 与 `ledger checkpoint` 写出的格式不同"),
    (r"the checkpoint's fingerprint is not that of its public key", "检查点的指纹不是其公钥的指纹"),
    (r"the header's ledger_id or hash differs from its checkpoint's", "表头的 ledger_id 或 hash 与其检查点的不同"),
    (r"the inspection code is missing", "缺少巡察编号"),
    (r"no end line \(truncated\)", "没有结束行（被截断）"),
    (r"the end line counts (\d+) events, the file holds (\d+) \(lines removed or added\)", "结束行记有 {0} 个事件，文件中却有 {1} 个（有行被删除或添加）"),
    (r"(.+) is not an inspection export \(no '(.+)' header on line 1\)", "{0} 不是巡察导出文件（第 1 行没有 '{1}' 表头）"),
    (r"the inspection export is not UTF-8 text \(damaged\)", "巡察导出文件不是 UTF-8 文字（已损坏）"),
    (r"the inspection export is damaged \((.+)\)", lambda m: f"巡察导出文件已损坏（{_inner(m[1])}）"),
    (r"the events of inspection (\S+) itself are missing \(the export was cut or its inspection code changed\)",
     "巡察 {0} 本身的事件缺失（导出文件被截短或巡察编号被改动）"),
    (r"event (\d+) is version (\d+) of aggregate (\S+), expected (\d+) \(an event was left out\)", "事件 {0} 是聚合 {2} 的第 {1} 版，应为第 {3} 版（有事件被遗漏）"),
    (r"event (\d+) \(line (\d+)\) is not in the checkpoint's tree: its bytes or its proof were altered", "事件 {0}（第 {1} 行）不在检查点的树中：其字节或证明被改动"),
    (r"the export's proofs lead to the checkpoint of (\S+) \(tree size (\d+) root (\S+)\), not to the given checkpoint of (\S+) \(tree size (\d+) root (\S+)\)",
     "导出文件的证明指向 {0} 的检查点（树大小 {1}，树根 {2}），而不是给定的 {3} 的检查点（树大小 {4}，树根 {5}）"),
    (r"cannot replay the exported events: (.+?): (.+)", "无法重放导出的事件：{0}：{1}"),
    (r"(.+) is the export of inspection (\S+)", "{0} 是巡察 {1} 的导出文件"),
    # exports
    (r"(.+) is not a ledger export \(no '(.+)' header on line 1\)", "{0} 不是台账导出文件（第 1 行没有 '{1}' 表头）"),
    (r"(.+) is not a ledger export \(line 1 is not a JSON header\)", "{0} 不是台账导出文件（第 1 行不是 JSON 表头）"),
    (r"export version (.+) is not supported", "不支持导出文件版本 {0}"),
    (r"the event line of sequence number (\d+) has keys (.+), not those of an export", "序号 {0} 的事件行含有键 {1}，不是导出文件的键"),
    (r"the event line of sequence number (\d+) has a number that is not a plain integer", "序号 {0} 的事件行中有数字不是普通整数"),
    (r"the event line of sequence number (\d+) has a garbled topic or digest", "序号 {0} 的事件行的 topic 或 digest 已损坏"),
    (r"the event line of sequence number (\d+) has a state that is not text", "序号 {0} 的事件行的 state 不是文字"),
    (r"the event line of sequence number (\d+) has a garbled state_b64", "序号 {0} 的事件行的 state_b64 已损坏"),
    (r"the event line of sequence number (\d+) gives UTF-8 text as state_b64 \(not as export writes it\)",
     "序号 {0} 的事件行以 UTF-8 文字给出 state_b64（与导出文件的写法不同）"),
    (r"the event line of sequence number (\d+) has a state that is not valid Unicode", "序号 {0} 的事件行的 state 不是有效的 Unicode"),
    (r"the end line's signature, public_key or header_digest is missing or garbled", "结束行的 signature、public_key 或 header_digest 缺失或已损坏"),
    (r"the export was signed by key (.+), not by the trusted key (.+)", "导出文件由密钥 {0} 签名，不是可信的密钥 {1}"),
    (r"the export was signed by key (.+), not by a key whose fingerprint was given", "导出文件由密钥 {0} 签名，不是给定指纹的密钥"),
    (r"the export's signature does not match its header and head \(forged or altered\)", "导出文件的签名与其表头和链头不符（伪造或改动）"),
    (r"the store file (.+) is damaged or truncated after sequence number (\d+) \((.+)\)", "存储文件 {0} 在序号 {1} 之后已损坏或被截断（{2}）"),
    (r"the store file (.+) is damaged or truncated \((.+)\)", "存储文件 {0} 已损坏或被截断（{1}）"),
    (r"line (\d+) of (.+) does not end in a single \\n \(damaged or re-encoded export\)", "{1} 第 {0} 行不是以单个 \\n 结尾（导出文件已损坏或被重新编码）"),
    (r"line (\d+) of (.+) is not written as `ledger export` writes it \(spacing or \\u escapes differ: re-encoded export\)",
     "{1} 第 {0} 行不是 `ledger export` 写出的样子（空格或 \\u 转义不同：导出文件被重新编码）"),
    (r"line (\d+) of (.+) is not UTF-8 text \(damaged export\)", "{1} 第 {0} 行不是 UTF-8 文字（导出文件已损坏）"),
    (r"line (\d+) of (.+) is not valid JSON \(damaged export\)", "{1} 第 {0} 行不是有效的 JSON（导出文件已损坏）"),
    (r"line (\d+) of (.+) gives the key (.+) twice \(damaged or forged export\)", "{1} 第 {0} 行两次给出键 {2}（导出文件已损坏或伪造）"),
    (r"line (\d+) of (.+) is not an event object \(damaged export\)", "{1} 第 {0} 行不是事件对象（导出文件已损坏）"),
    (r"(.+) has lines after its end line \(damaged export\)", "{0} 在结束行之后还有内容（导出文件已损坏）"),
    (r"the header has keys no export writes: (.+)", "表头含有导出文件不会写的键：{0}"),
    (r"the end line has keys no export writes: (.+)", "结束行含有导出文件不会写的键：{0}"),
    (r"the header's hash (\S+) is not sha256 or sm3", "表头的 hash {0} 不是 sha256 或 sm3"),
    (r"the header's since/base_seq/base_digest are missing or garbled", "表头的 since/base_seq/base_digest 缺失或已损坏"),
    (r"the header's ledger_id, created_at or layout is missing or altered", "表头的 ledger_id、created_at 或 layout 缺失或被改动"),
    (r"(.+) is truncated after sequence number (\d+): no end line", "{0} 在序号 {1} 之后被截断：没有结束行"),
    (r"the end line does not match the events \(events removed or added at the end\)", "结束行与事件不符（末尾有事件被删除或添加）"),
    (r"the header line is not the one the end line covers \(header_digest differs: the header was altered\)",
     "表头行不是结束行所涵盖的那一行（header_digest 不同：表头被改动）"),
    # the hash chain, the Merkle tree, the store
    (r"the store (.+) has no hash chain table \(ledger_chain\)(: dropped, or made before the chain existed)?",
     lambda m: f"存储 {m[1]} 没有哈希链表（ledger_chain）" + ("：已被删除，或建于哈希链之前" if m[2] else "")),
    (r"the Merkle tree \(ledger_merkle\) lacks node level (\d+) index (\d+)(?: \(event (\d+)\): the tree table was edited)?",
     lambda m: f"默克尔树（ledger_merkle）缺少第 {m[1]} 层第 {m[2]} 号节点" + (f"（事件 {m[3]}）：树表被编辑" if m[3] else "")),
    (r"the Merkle tree \(ledger_merkle\) has node level (\d+) index (\d+) beyond the (\d+) events: the tree table was edited",
     "默克尔树（ledger_merkle）有超出 {2} 个事件范围的第 {0} 层第 {1} 号节点：树表被编辑"),
    (r"the Merkle tree \(ledger_merkle\) leaf (\d+) \(event (\d+)\) does not match the events: the tree table was edited",
     "默克尔树（ledger_merkle）第 {0} 号叶子（事件 {1}）与事件不符：树表被编辑"),
    (r"the Merkle tree \(ledger_merkle\) node level (\d+) index (\d+) does not match the events: the tree table was edited",
     "默克尔树（ledger_merkle）第 {0} 层第 {1} 号节点与事件不符：树表被编辑"),
    (r"the Merkle tree \(ledger_merkle\) (.+) does not match the events: the tree table was edited", "默克尔树（ledger_merkle）{0} 与事件不符：树表被编辑"),
    (r"the tree has (\d+) leaves, fewer than (\d+)", "默克尔树只有 {0} 个叶子，少于 {1} 个"),
    (r"leaf (\d+) is not in a tree of (\d+) leaves", "第 {0} 号叶子不在 {1} 个叶子的树中"),
    (r"a tree of (\d+) leaves cannot be a prefix of one of (\d+)", "{0} 个叶子的树不可能是 {1} 个叶子的树的前缀"),
    (r"the store did not report the positions of new events: cannot extend the hash chain", "存储没有报告新事件的位置：无法延伸哈希链"),
    (r"(.+) is not a readable ledger store \(its schema is damaged\)", "{0} 不是可读取的台账存储（其结构已损坏）"),
    (r"cannot read the PostgreSQL store: (.+)", "无法读取 PostgreSQL 存储：{0}"),
    (r"read models differ from the events: (.+)", lambda m: f"读取模型与事件不一致：{_inner(m[1])}"),
    (r"derived tables: (\d+) aggregates rebuilt from (\d+) events, every row matches", "派生表：由 {1} 个事件重建 {0} 个聚合，每一行均一致"),
    (r"the derived tables differ from the events: (.+)", lambda m: f"派生表与事件不一致：{_inner(m[1])}"),
    (r"the event of aggregate (\S+) version (\d+) (.+)", lambda m: _finding(f"（聚合 {m[1]} 第 {m[2]} 版）", m[3])),
    # the store's schema (ledger.schema): what `ledger init` makes, and nothing else
    (r"(.+) has an? (.+?) (\S+)(?: on (\S+))? that `ledger init` does not make: a schema object planted in the store",
     lambda m: f"{_store_words(m[1])}有 `ledger init` 不会建立的{_SCHEMA_KINDS.get(m[2], m[2])} {m[3]}" + (f"（在 {m[4]} 上）" if m[4] else "") + "：被植入存储的结构对象"),
    (r"(.+) lacks the (.+?) (\S+) that `ledger init` makes: dropped",
     lambda m: f"{_store_words(m[1])}缺少 `ledger init` 建立的{_SCHEMA_KINDS.get(m[2], m[2])} {m[3]}：已被删除"),
    (r"(.+) has the (.+?) (\S+) defined otherwise than `ledger init` makes it: altered",
     lambda m: f"{_store_words(m[1])}的{_SCHEMA_KINDS.get(m[2], m[2])} {m[3]} 与 `ledger init` 建立的定义不同：已被改动"),
    (r"the audit trail is not available in this build", "此版本不提供审计记录"),
    (r"audit --verify is not available in this build", "此版本不提供 audit --verify"),
    # migrate
    (r"the store is already (.+): migrate copies a SQLite ledger", "存储已经是 {0}：migrate 只复制 SQLite 台账"),
    (r"--to must be a postgresql://user@host:port/db URL", "--to 须为形如 postgresql://用户@主机:端口/数据库 的地址"),
    (r"(.+) already holds (\d+) events of another ledger: migrate only into an empty store", "{0} 中已有另一个台账的 {1} 个事件：只能迁移到空的存储"),
    (r"verification failed: the target holds more events than the source", "校验失败：目标存储中的事件比源存储多"),
    (r"verification failed: table (\S+) differs on the target \((\d+) rows here, (\d+) there\)", "校验失败：目标存储的表 {0} 不同（此处 {1} 行，目标 {2} 行）"),
    (r"verification failed: event (\S+) v(\d+) differs on the target", "校验失败：事件 {0} 第 {1} 版在目标存储中不同"),
    (r"copied (\d+) events and (\d+) read-model rows to (.+); verified", "已将 {0} 个事件和 {1} 行读取模型复制到 {2}；校验通过"),
    # sensitive fields (confide / reveal)
    (r"'(.*)' is not a sensitive field \(use (.+)\)", lambda m: f"'{m[1]}' 不是敏感字段（可用 {m[2].replace(' or ', ' 或 ')}）"),
    (r"migration to (.+?) failed: (.+)", lambda m: f"迁移到 {m[1]} 失败：{_inner(m[2])}"),
    (r"exported (\d+) events to (.+); head (\d+) (\S+)", "已将 {0} 个事件导出到 {1}；链头为第 {2} 个事件 {3}"),
    (r"imported (\d+) events; head (\d+) (\S+)", "已导入 {0} 个事件；链头为第 {1} 个事件 {2}"),
    (r"the key in (\S+) is not a base64 AES key of 16, 24 or 32 bytes", "{0} 中的密钥不是 16、24 或 32 字节的 base64 AES 密钥"),
    (r"sensitive fields need the AES key in the environment variable (\S+) \(make one with `ledger keygen --cipher`\)",
     "敏感字段需要环境变量 {0} 中的 AES 密钥（用 `ledger keygen --cipher` 生成）"),
    (r"cannot decrypt (.+) with the key in (\S+): wrong key \(or the value was damaged\)", "无法用 {1} 中的密钥解密 {0}：密钥不对（或内容已损坏）"),
    # serve
    (r"give --token or --token-file, not both", "--token 与 --token-file 只能给出一个"),
    (r"--host (\S+) is not a loopback address: serving beyond this machine requires --token or --token-file",
     "--host {0} 不是本机回环地址：向本机以外提供服务须有 --token 或 --token-file"),
    (r"(.+) holds no token on its first line", "{0} 第一行没有令牌"),
    (r"--token must be at least (\d+) characters", "--token 至少须有 {0} 个字符"),
    (r"--token must be printable ASCII without spaces \(it travels in HTTP headers\)", "--token 须为不含空格的可打印 ASCII 字符（它在 HTTP 头中传递）"),
    (r"cannot listen on (.+) \((.+)\)", lambda m: f"无法在 {m[1]} 上监听（{_os_error(m[2])}）"),
    (r"cannot read (.+) \((\w+)\)", "无法读取 {0}（{1}）"),
    # people, keys, ledger.yaml, values
    (r"this ledger has no administrator yet \(it was made before people were kept in the ledger\): run `ledger init` once to make one",
     "本台账尚无管理员（建于台账保存人员之前）：请运行一次 `ledger init` 设立管理员"),
    (r"'people' is no longer read: this ledger's people and roles are enrolled in the ledger itself \(see `ledger person list`\); "
     r"remove the 'people' key from ledger\.yaml",
     "不再读取 'people'：本台账的人员与角色登记在台账本身中（见 `ledger person list`）；请从 ledger.yaml 中删除 'people' 键"),
    (r"cannot read the private key (.+?): (.+)", lambda m: f"无法读取私钥 {m[1]}：{_os_error(m[2])}"),
    (r"policy: proxy entry of sign-off is (\S+)", lambda m: f"规则：代录销号为{ {'allowed': '允许', 'forbidden': '不允许'}.get(m[1], ' ' + m[1])}"),
    (r"nobody is enrolled: trial mode \(typed names, unsigned acts\)\. Administrator: (.+) \((.+)\)",
     "尚未登记人员：试用模式（输入的姓名，未签名的操作）。管理员：{0}（{1}）"),
    (r"contains the control character (U\+\w+) \(only newline and tab are allowed\)", "含有控制字符 {0}（只允许换行符和制表符）"),
    (r"must not be empty \(it holds only invisible characters\)", "不能为空（只含不可见字符）"),
    (r"is required and must not be empty", "必须填写，不能为空"),
    (r"nested too deeply", "嵌套过深"),
    (r"a quote opened in this row is never closed", "本行有引号未闭合"),
    (r"not valid (YAML|CSV) \((.+)\)", lambda m: f"不是有效的 {m[1]}（{_inner(m[2])}）"),
    (r"(.+) is not a folder", "{0} 不是文件夹"),
    (r"'(.*)' is not one of the listed categories \((.+)\)", "'{0}' 不在列出的问题类别中（{1}）"),  # before TAILS' "is not one of"
    (r"(.+) is not a problem of --inspection (\S+)", "{0} 不是 --inspection {1} 的问题"),
    (r"(.+): (.+) withheld from publication \((.+)\)", "{0}：{1} 不予公开（{2}）"),
    # lines of reports a command prints (render_record translates its message a line at a time)
    (r"consistency verified: (.+)", lambda m: f"一致性验证通过：{_inner(m[1])}"),
    (r"the ledger of (\S+) \(events up to (\d+), tree size (\d+)\) extends the ledger of (\S+) \(events up to (\d+), tree size (\d+)\)",
     "{0} 的台账（至第 {1} 个事件，树大小 {2}）是 {3} 的台账（至第 {4} 个事件，树大小 {5}）的延伸"),
    (r"export verified: (\d+) events, head (\d+) (\S+)", "导出文件验证通过：共 {0} 个事件，链头为第 {1} 个事件 {2}"),
    (r"export: (.+)", lambda m: f"导出文件：{_inner(m[1])}"),
    (r"signed by the trusted key (.+)", "由可信的密钥 {0} 签名"),
    (r"signature valid, by the trusted key (.+) \((.+)\)", lambda m: f"签名有效，签名密钥 {m[1]} 可信（{_trust_words(m[2])}）"),
    (r"signature valid, by the key with the pinned fingerprint (.+)", "签名有效，密钥指纹与指定的 {0} 一致"),
    (r"holds the history of the checkpoint of (\S+) \(events up to (\d+)\)", "台账保有 {0} 检查点的历史（至第 {1} 个事件）"),
    (r"signature valid, key not trusted \((.+)\): give --public-key or --fingerprint to prove who made it",
     "签名有效，但密钥不可信（{0}）：请给出 --public-key 或 --fingerprint 以证明是谁生成的"),
    (r"evidence: (\d+) attached files present in (.+) with matching digests", "佐证材料：{1} 中有全部 {0} 个附件，摘要均一致"),
    (r"inspection export verified: (\d+) events of (\S+), each in the tree of (\d+) events signed at (\S+)",
     "巡察导出文件验证通过：{1} 的 {0} 个事件均在 {3} 签署的 {2} 个事件的树中"),
    (r"private key: (.+) \(mode 0600(, passphrase-protected)?; keep it secret\)",
     lambda m: f"私钥：{m[1]}（权限 0600" + ("，有口令保护" if m[2] else "") + "；请妥善保密）"),
    (r"public key:  (.+)", "公钥：{0}"),
    (r"fingerprint: (.+)", "密钥指纹：{0}"),
    (r"\(the administrator enrols it: ledger person add (.+) --role ROLE --public-key (.+)\)",
     "（由管理员登记：`ledger person add {0} --role 角色 --public-key {1}`）"),
    (r"\(set (\S+) to this value; keep it secret: without it sensitive fields cannot be read\)", "（请将 {0} 设为此值，并妥善保密：没有它就无法读取敏感字段）"),
    (r"enrolled (.+?): (.+?)( \(no key yet: ledger person add NAME --public-key FILE\))?",
     lambda m: f"已登记 {m[1]}：{m[2]}" + ("（尚无密钥：ledger person add 姓名 --public-key 文件）" if m[3] else "")),
    (r"now remove 'people:' from (.+): it is refused from now on", "现在请从 {0} 中删除 'people:'：此后不再接受"),
    (r"revoked (.+): key and every role", "已撤销 {0}：密钥及全部角色"),
    (r"revoked the role (\S+) of (.+)", "已撤销 {1} 的角色 {0}"),
    (r"(.+) may not record (\w+) \(what `ledger (.+)` records\): it needs the role (.+)",
     lambda m: f"{m[1]} 无权记录 {m[2]}（`ledger {m[3]}` 记录的事件）：需要角色 {m[4].replace(' or ', ' 或 ')}"),
    (r"serving (.+) read-only at (\S+) \(Ctrl-C to stop\)", "以只读方式在 {1} 提供 {0}（按 Ctrl-C 停止）"),
    (r"every request needs the token: open (\S+)\?token=<token> once, or send 'Authorization: Bearer <token>'",
     "每个请求都须带令牌：打开一次 {0}?token=<令牌>，或发送 'Authorization: Bearer <令牌>'"),
    (r"loopback only: no token needed", "仅限本机回环地址：无需令牌"),
    (r"(created|kept existing) (store )?(.+)",
     lambda m: ("已创建" if m[1] == "created" else "保留现有的") + ("存储 " if m[2] else " ") + m[3]),
    (r"upgraded the store to schema (\S+): (.+)",
     lambda m: f"已将存储升级到第 {m[1]} 版结构：" + "；".join(_inner(done) for done in m[2].split("; "))),
    (r"per-category totals recounted \(refined problems count under their parent\)", "重新统计各类别合计（细化问题计入其上级问题）"),
    (r"status and parent columns filled for (\d+) problems", "为 {0} 个问题填写状态列和上级问题列"),
    (r"similarity index built over (\d+) problems", "为 {0} 个问题建立相似问题索引"),
    # 屡查屡犯: similar and link
    (r"(\S+) may be an earlier problem of (.+) found again: (.+)", "{0} 可能是{1}以前的问题再次出现（屡查屡犯）：{2}"),
    (r"(\S+) is like earlier problems of other units: (.+)", "{0} 与其他单位以前的问题相似：{1}"),
    (r"(\d+) more new problems are like earlier ones", "另有 {0} 个新问题与以前的问题相似"),
    (r"(\d+) new problems were not checked for earlier ones \(from (\S+)\): `ledger similar ID` checks one",
     "另有 {0} 个新问题（自 {1} 起）未与以前的问题比对：可用 `ledger similar 编号` 逐个比对"),
    (r"see `ledger similar ID`; then `ledger link NEW OLD --as recurrence` or `--reject`",
     "用 `ledger similar 编号` 查看；确认后用 `ledger link 新问题 旧问题 --as recurrence` 关联，或用 `--reject` 排除"),
    (r"no earlier problem scores ([\d.]+) or more", "没有相似度达到 {0} 的以前问题"),
    (r"no inspection of '(.+)' \(organisations: (.+)\)", lambda m: f"没有对“{m[1]}”的巡察（被巡察单位：{'尚无' if m[2] == 'none yet' else m[2]}）"),
    (r"(\S+): (\S+) rejected as like it; not offered again", "{0}：已排除 {1}，不再提示"),
    (r"(\S+): linked as a recurrence of (\S+), which relapsed \(relapses: (\d+)\)",
     "{0}：已关联为 {1} 再次出现（屡查屡犯），{1} 计为反弹（反弹 {2} 次）"),
    (r"(\S+): linked as a recurrence of (\S+) \(not signed off: no relapse counted\)",
     "{0}：已关联为 {1} 再次出现（屡查屡犯）（{1} 尚未销号，不计反弹）"),
    (r"(\S+): linked as the same kind as (\S+)", "{0}：已关联为 {1} 的同类问题"),
    (r"give a problem ID or --text, not both", "请给出问题编号或 --text，二者选一"),
    (r"--scope round needs a problem ID \(its inspection's round\)", "--scope round 须给出问题编号（按其巡察的轮次）"),
    (r"--scope organisation with --text needs --organisation", "--text 与 --scope organisation 同用时须给出 --organisation"),
    (r"give exactly one of --as KIND or --reject", "请在 --as 类型 与 --reject 中选择一个"),
    (r"(\S+): (.+) is missing from the stored similarity index", "{0}：存储的相似问题索引中缺少 {1}"),
    (r"(\S+): (\S+) is in the stored links but no event links them", "{0}：存储的问题关联中有 {1}，但没有事件建立这一关联"),
    (r"(\S+): (.+) is in the stored similarity index but no problem has that id", "{0}：存储的相似问题索引中有 {1}，但没有这个编号的问题"),
    (r"(\S+): (\S+) text differs: stored (.+), replay (.+)", "{0}：{1} 的文本不同：存储为 {2}，重放为 {3}"),
    (r"(\S+): term (.+) lists (\S+), whose text does not hold it", "{0}：词 {1} 列出了 {2}，但其文本中没有这个词"),
    (r"(\S+): term (.+) is missing (\S+)", "{0}：词 {1} 缺少 {2}"),
    (r"(\S+): term (.+) document frequency differs: stored (\d+), replay (\d+)", "{0}：词 {1} 的文档频次不同：存储为 {2}，重放为 {3}"),
    (r"(\S+): the count of problems indexed differs: stored (\d+), replay (\d+)", "{0}：已索引的问题数不同：存储为 {1}，重放为 {2}"),
    (r"recorded the founding event \(the administrator's public key\) in the ledger", "已在台账中记录创建台账事件（管理员的公钥）"),
    (r"note: (.+)", lambda m: f"提示：{_inner(m[1])}"),
    (r"the founding event is not recorded yet: the administrator's key \(fingerprint ([^)]+)\) is not at (.+): "
     r"run `ledger init --admin-key PATH` with it \(or it is recorded with the first `ledger person add`\)",
     "尚未记录创建台账事件：管理员密钥（指纹 {0}）不在 {1}：请用该密钥运行 `ledger init --admin-key PATH`（或在第一次 `ledger person add` 时记录）"),
    (r"the founding event is not recorded yet: (.+) is not the administrator key noted for this ledger \(fingerprint ([^)]+)\): "
     r"run `ledger init --admin-key PATH` with that key",
     "尚未记录创建台账事件：{0} 不是本台账记下的管理员密钥（指纹 {1}）：请用该密钥运行 `ledger init --admin-key PATH`"),
    (r"founding: event (\S+), administrator (.+), key fingerprint (.+), self-signed and verified",
     "创建台账：事件 {0}，管理员 {1}，密钥指纹 {2}，自签名且验证通过"),
    (r"founding: no founding event in the log \(a ledger made before founding events: `ledger init` records it\)",
     "创建台账：日志中没有创建台账事件（台账建于引入创建台账事件之前：运行 `ledger init` 即可记录）"),
    (r"upgraded the store: built the Merkle tree over its (\d+) events \(earlier checkpoints still verify\)",
     "已升级存储：为其 {0} 个事件建立默克尔树（此前的检查点仍可验证）"),
    (r"administrator key fingerprint: (.+) \(give it to the supervising office to keep\)", "管理员密钥指纹：{0}（请交监督部门保存）"),
    (r"administrator (\S+): key (.+)", "管理员 {0}：密钥 {1}"),
    (r"administrator (\S+) \(fingerprint (.+)\)", "管理员 {0}（密钥指纹 {1}）"),
    # lifecycle confirmations framed by `ID: … (status: …)`
    (r"(.+): review: relapsed, reopened \(relapses: (\d+)\) \(status: (\w+)\)",
     lambda m: f"{m[1]}：回头看：反弹，已重新打开（反弹 {m[2]} 次）（状态：{_STATUS_IN_TEXT.get(m[3], m[3])}）"),
    (r"(.+): signature (\d+) of (\d+) recorded; a different signer must sign to close \(status: (\w+)\)",
     lambda m: f"{m[1]}：已记录第 {m[2]} 个签字（共须 {m[3]} 个）；须由另一位签字人签字才能销号（状态：{_STATUS_IN_TEXT.get(m[4], m[4])}）"),
    (r"(.+): review: holds \(status: (\w+)\)", lambda m: f"{m[1]}：回头看：整改到位（状态：{_STATUS_IN_TEXT.get(m[2], m[2])}）"),
    (r"(.+): reopened \(relapses: (\d+)\) \(status: (\w+)\)",
     lambda m: f"{m[1]}：已重新打开（反弹 {m[2]} 次）（状态：{_STATUS_IN_TEXT.get(m[3], m[3])}）"),
    (r"(.+): ([\w.]+) corrected \(status: (\w+)\)", lambda m: f"{m[1]}：{_field_words(m[2])}已更正（状态：{_STATUS_IN_TEXT.get(m[3], m[3])}）"),
    (r"(.+): ([\w.]+) corrected", lambda m: f"{m[1]}：{_field_words(m[2])}已更正"),
    (r"(.+): progress recorded \(status: (\w+)\)", lambda m: f"{m[1]}：已报告进展（状态：{_STATUS_IN_TEXT.get(m[2], m[2])}）"),
    (r"(.+): escalated to (\w+) \((.+)\)", "{0}：已督办（{2}）"),
    (r"(.+): ([\w-]+) recorded \(encrypted\)", lambda m: f"{m[1]}：{ {'whistleblower': '举报人', 'case-details': '案情'}.get(m[2], m[2])}已加密记录"),
    # replay and the read models
    (r"replayed ([\d,]+) events \(([\d,]+) aggregates\) in ([\d.]+)s, (\S+) events/s \((\d+) process(?:es)?\); read models (match|DIFFER)",
     lambda m: f"已重放 {m[1]} 个事件（{m[2]} 个聚合），用时 {m[3]} 秒，每秒 {m[4].replace('n/a', '—')} 个事件（{m[5]} 个进程）；读取模型"
     + ("一致" if m[6] == "match" else "不一致")),
    (r"(\S+): (.+) is missing from the stored read model", "{0}：存储的读取模型中缺少 {1}"),
    (r"(\S+): (.+) data differs at (.+)", lambda m: f"{m[1]}：{m[2]} 的数据在 {_inner(m[3])} 处不同"),
    (r"(\S+): (.+) (\S+) differs: stored (.+), replay (.+)", "{0}：{1} 的 {2} 不同：存储为 {3}，重放为 {4}"),
    (r"(.+): stored has it, replay does not", "{0}：存储中有，重放中没有"),
    (r"(.+): replay has it, stored does not", "{0}：重放中有，存储中没有"),
    (r"(.+): stored (.+), replay (.+)", "{0}：存储为 {1}，重放为 {2}"),
    (r"has a column of the wrong type", "有一列的类型不对"),
    (r"has no recorded time", "没有记录时间"),
    (r"has a re-spelled originator_id (.+)", "originator_id 被改写为 {0}"),
    (r"(\w+) decoding it", "解码时出错：{0}"),
    (r"(\w+) applying it to its aggregate", "应用到其聚合时出错：{0}"),
    (r"the verifying process stopped \(exit code (.+)\)", "验证进程已停止（退出码 {0}）"),
    # lines some commands print
    (r"ledger: interrupted; nothing half-written is kept", "ledger: 已中断；写了一半的内容不会保留"),
    # progress bars' labels (commands/progress.py)
    (r"verifying the chain and the tree", "正在验证哈希链和默克尔树"),
    (r"checking the signatures", "正在核验签名"),
    (r"rebuilding the read models", "正在重建读模型"),
    (r"verifying and writing the events", "正在验证并写出事件"),
    (r"verifying the export", "正在验证导出文件"),
    (r"writing the events", "正在写入事件"),
    (r"copying the events", "正在复制事件"),
    (r"checking the evidence files", "正在核对佐证材料"),
    (r"writing the 台账", "正在生成台账"),
    (r"reading the round", "正在汇总本轮情况"),
    (r"checking the feedback list", "正在检查反馈清单"),
    (r"recording the problems", "正在登记问题"),
    (r"nothing overdue or due within (\d+) days of (\S+)", "截至 {1}，没有逾期或 {0} 天内到期的问题"),
    (r"ledger: due: (\d+) problem\(s\) overdue as of (\S+)", "ledger: due: 截至 {1}，{0} 个问题逾期"),
    (r"(\n?)as of (\S+): (\d+) overdue, (\d+) due within (\d+) days, (\d+) long-term without recent progress",
     "{0}截至 {1}：逾期 {2} 个，{4} 天内到期 {3} 个，长期坚持但近期没有进展 {5} 个"),
    (r"no reviews due or missed as of (\S+)", "截至 {0}，没有到期或错过的回头看"),
    (r"no reviews to list as of (\S+)", "截至 {0}，没有可列出的回头看"),
    (r"no evidence files attached", "没有附佐证材料"),
    (r"evidence verified: (\d+) attachments, (\d+) distinct files, every one present and unchanged", "佐证材料验证通过：附件 {0} 个，不同文件 {1} 个，均在且未改变"),
    (r"exported (\d+) events of (\S+) to (.+), each proven against (the latest checkpoint|made a new checkpoint|\S+) of (\S+) \(tree size (\d+)\)",
     lambda m: f"已将 {m[2]} 的 {m[1]} 个事件导出到 {m[3]}，每个事件均依据"
     f"{ {'the latest checkpoint': '最新的', 'made a new checkpoint': '新生成的'}.get(m[4], m[4])} {m[5]} 检查点证明（树大小 {m[6]}）"),
    (r"wrote (.+): tree of (\d+) events extends tree of (\d+) \((\d+) hashes\)", "已写入 {0}：{1} 个事件的树是 {2} 个事件的树的延伸（{3} 个哈希）"),
    (r"ledger: reconcile: the ledger does not match the feedback list", "ledger: reconcile: 台账与反馈清单不一致"),
    (r"\n(\S+) against (.+): matched (\d+) · missing (\d+) · extra (\d+) · changed (\d+)(?: \((.+)\))?",
     lambda m: f"\n{m[1]} 对照 {m[2]}：一致 {m[3]} · 台账缺少 {m[4]} · 清单外 {m[5]} · 有出入 {m[6]}" + (f"（{m[7].replace(', ', '，')}）" if m[7] else "")),
    (r"(\n?)draw (\S+): seed (\S+), (\d+) of (\d+) signed-off problems of (\S+), drawn by (.+) \(recorded\)",
     "{0}抽查 {1}：种子 {2}，从 {5} 的 {4} 个已销号问题中抽取 {3} 个，抽查人 {6}（已记录）"),
    (r"no events match", "没有符合条件的事件"),
]


def _events_words(text: str) -> str:
    """"event 7" / "events 3..7" as a place in the history."""
    m = re.fullmatch(r"events? (\d+)(?:\.\.(\d+))?", text)
    if m is None:
        return " " + text + " "
    return f"事件 {m[1]}" + (f" 至 {m[2]} " if m[2] else " ")



# `doctor`: its checks, their states and the detail of each (a detail that is an error message reads as one).
CHECK_WORDS = {
    "acts": "操作签名", "config": "配置文件", "identities": "人员与角色", "sign-off": "销号签字", "hash": "哈希算法",
    "chain": "哈希链", "signing key": "签名密钥", "public key": "公钥", "cipher key": "加密密钥", "signatures": "签名",
    "keys": "密钥", "derived tables": "派生表", "evidence": "佐证材料",
}
CHECK_STATES = vocabulary.zh(vocabulary.CHECK_STATES)
_ROLE_WORDS = vocabulary.zh(vocabulary.ROLES)


def _admin_words(text: str) -> str:
    if text == "no administrator yet: run `ledger init` once":
        return "尚无管理员：请运行一次 `ledger init`"
    m = re.fullmatch(r"administrator (.+?)(?: \(key fingerprint ([^,;]+?)(, founding event recorded|; no founding event yet: run `ledger init`)?\))?", text)
    if m is None:
        return text
    founding = {", founding event recorded": "，已记录创建台账事件", "; no founding event yet: run `ledger init`": "；尚无创建台账事件：请运行 `ledger init`"}
    return f"管理员 {m[1]}" + (f"（密钥指纹 {m[2]}{founding.get(m[3] or '', '')}）" if m[2] else "")


def _roles_words(text: str) -> str | None:
    """"registrar: 张三; signer: -" as doctor lists who holds each role."""
    parts = [p.partition(": ") for p in text.split("; ")]
    if not all(sep and role in _ROLE_WORDS for role, sep, _ in parts):
        return None
    return "；".join(f"{_ROLE_WORDS[role]}：{'无' if names == '-' else names.replace(', ', '、')}" for role, _, names in parts)


DOCTOR_DETAILS: list[tuple[str, Any]] = [
    (r"trial mode: nobody is enrolled in this ledger, so its acts are unauthenticated \(typed names, unsigned\); "
     r"enrol people with `ledger person add` \(this ends trial mode for good\); (.+)",
     lambda m: "试用模式：本台账尚未登记人员，操作未经认证（输入的姓名，未签名）；用 `ledger person add` 登记人员（试用模式随即永久结束）；"
     + _admin_words(m[1])),
    (r"single-user mode: no people listed in ledger\.yaml, so anyone may run any command", "单用户模式：ledger.yaml 中没有列出人员，任何人都可以运行任何命令"),
    (r"signoff\.required_signers is (\d+) but only (\d+) (?:enrolled )?people have the signer role", "signoff.required_signers 为 {0}，但只有 {1} 人具有销号审批（signer）角色"),
    (r"(\d+) signer\(s\) needed to close a problem", "销号须有 {0} 人签字"),
    (r"ledger\.yaml says (\S+), but this ledger was created with (\S+): (\S+) is used \(it cannot change\)", "ledger.yaml 设为 {0}，但本台账创建时使用 {1}：仍使用 {2}（不能更改）"),
    (r"(\d+) aggregates rebuilt from (\d+) events, every row matches", "由 {1} 个事件重建 {0} 个聚合，每一行均一致"),
    (r"(\d+) attachments, (\d+) distinct files, every one present and unchanged", "附件 {0} 个，不同文件 {1} 个，均在且未改变"),
    (r"(\d+) events verified, head (\d+); (\d+) recorded checkpoint\(s\) match", "{0} 个事件验证通过，链头为第 {1} 个事件；{2} 个已记录的检查点均一致"),
    (r"(.+) \(mode (\d+)(: readable by others, chmod 600)?\)", lambda m: f"{m[1]}（权限 {m[2]}" + ("：其他人可读，请 chmod 600" if m[3] else "") + "）"),
    (r"none at (.+): run `ledger keygen` before checkpoints or publishing", "{0} 处没有密钥：生成检查点或发布报告前请运行 `ledger keygen`"),
    (r"none at (.+)", "{0} 处没有"),
    (r"(\S+) is set", "已设置 {0}"),
    (r"(\S+) is not set: sensitive fields read as \[encrypted\]", "未设置 {0}：敏感字段显示为 [encrypted]"),
    (r"every act is signed: (\d+) people enrolled by the administrator (.+) \((.+)\)", "每项操作都有签名：管理员 {1}（{2}）已登记 {0} 人"),
    (r"enrolled without a key, so they cannot act yet: (.+)", lambda m: f"已登记但没有密钥，尚不能操作：{m[1].replace(', ', '、')}"),
    (r"(\d+) signatures verified, each signer held the role at that moment.*",
     lambda m: translate("acts: " + m[0], "zh").removeprefix("操作：")),
]
_DOCTOR: list[tuple[Any, Any]] = []


_STATES = {**STATUS_WORDS, **CHECK_STATES, "active": "有效"}


def _status_words(text: str) -> str:
    if text in _STATES:
        return _STATES[text]
    revoked = re.fullmatch(r"revoked (\S+)", text)
    return f"已撤销（{revoked[1]}）" if revoked else text


def _held_roles(text: str) -> str:
    """`person list`'s roles: "signer since 2020-01-01, verifier since …"."""
    return "；".join(re.sub(r"^(\w+) since (\S+)$", lambda m: f"{_ROLE_WORDS.get(m[1], m[1])}（{m[2]} 起）", part) for part in text.split(", "))


def _detail_words(text: str) -> str:
    if not _DOCTOR:
        _DOCTOR.extend((_Lazy(p, re.DOTALL), t) for p, t in DOCTOR_DETAILS)
    return _apply(_DOCTOR, text) or _roles_words(text) or translate(text, "zh")


# The place a message names, before its first ": " (a file's line, a sheet's row).
HEADS: list[tuple[str, str]] = [
    (r"line (\d+)", "第 {0} 行"),
    (r"(.+) at line (\d+)", "{0} 第 {1} 行"),
    (r"sheet (.+), row (\d+)", "工作表 {0} 第 {1} 行"),
    (r"sheet (.+)", "工作表 {0}"),
]

def _required_text(pattern: str) -> str:
    """The longest run of plain text every match of `pattern` contains (outside groups, classes and quantified
    characters); "" when there is none to rely on (a top-level alternation)."""
    best, run, depth, i = "", "", 0, 0
    while i < len(pattern):
        c, char = pattern[i], None
        if c == "\\":
            following = pattern[i + 1]
            char = following if depth == 0 and not following.isalnum() else None
            i += 2
        elif c == "[":
            i = pattern.index("]", i + 2 if pattern[i + 1:i + 2] in ("]", "^") else i + 1) + 1
        elif c in "()":
            depth += 1 if c == "(" else -1
            i += 1
        elif c in "*+?{":
            run = run[:-1]  # the character before a quantifier may be absent or repeated
            i = pattern.index("}", i) + 1 if c == "{" else i + 1
        elif c == "|" and depth == 0:
            return ""
        else:
            char = c if depth == 0 and c not in ".^$" else None
            i += 1
        if char is None:
            best, run = max(best, run, key=len), ""
        else:
            run += char
    return max(best, run, key=len)


class _Lazy:
    """A catalogue pattern compiled when first needed, and tried only on a text holding its required plain text:
    a command pays for the few patterns its message could match, not for compiling the whole catalogue."""

    __slots__ = ("pattern", "flags", "required", "_compiled")

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern, self.flags, self.required, self._compiled = pattern, flags, _required_text(pattern), None

    def fullmatch(self, text: str) -> re.Match[str] | None:
        if self.required not in text:
            return None
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return self._compiled.fullmatch(text)


_COMPILED: list[tuple[Any, Any]] | None = None
_TAILS: list[tuple[Any, Any]] = []
_HEADS: list[tuple[Any, Any]] = []
_RULE = re.compile(r"(.+?): (.+) \[rule: ([\w-]+)\]", re.DOTALL)


def _apply(patterns: list[tuple[Any, Any]], text: str) -> str | None:
    for pattern, template in patterns:
        m = pattern.fullmatch(text)
        if m is not None:
            return template(m) if callable(template) else template.format(*m.groups())
    return None


def _field_names(head: str) -> str | None:
    """A place that is a field's English name (or several: "lead, unit"), in Chinese."""
    if not re.fullmatch(r"[a-z_]+(, [a-z_]+)*", head):
        return None
    names = head.split(", ")
    if not all(n in DETAIL_KEYS or n in HEADINGS for n in names):
        return None
    return "、".join(DETAIL_KEYS.get(n) or HEADINGS[n] for n in names)


@functools.lru_cache(maxsize=512)
def _tail(text: str) -> str | None:
    """`text` in Chinese: a known message, or "where: message" with the message known (None: not known).

    Remembered, so a message with many ": " (a pasted title in it) costs each suffix once, not every split."""
    found = _apply(_COMPILED or [], text) or _apply(_TAILS, text)
    if found is not None:
        return found
    start = 0
    while (i := text.find(": ", start)) != -1:
        rest = _tail(text[i + 2:])
        if rest is not None:
            head = text[:i]
            return (_apply(_HEADS, head) or _field_names(head) or head) + "：" + rest
        start = i + 2
    return None


def _plain(text: str, lang: str) -> str:
    """A value worded into a keyed message that is plain text: a status word, or a message not yet keyed."""
    if lang == "zh" and text in STATUS_WORDS:
        return STATUS_WORDS[text]
    if lang == "zh" and isinstance(text, Field):
        return _field_names(text) or text
    return translate_lines(text, lang) if "\n" in text else translate(text, lang)


def translate(message: str, lang: str) -> str:
    """The message in `lang`; English when the catalogue has no entry for it."""
    global _COMPILED
    if isinstance(message, (Message, BaseException)):
        return render(message, lang, lambda text: _plain(text, lang))
    if lang != "zh":
        return message
    if _COMPILED is None:
        _TAILS.extend((_Lazy(p, re.DOTALL), t) for p, t in TAILS)
        _HEADS.extend((_Lazy(p), t) for p, t in HEADS)
        _COMPILED = [(_Lazy(p, re.DOTALL), t) for p, t in CATALOGUE_FIRST + CATALOGUE]
    found = _apply(_COMPILED, message)
    if found is not None:
        return found
    rule = _RULE.fullmatch(message)
    if rule is not None:  # a lifecycle rule: "subject: why [rule: id]"
        why = _tail(rule[2])
        if why is not None:
            return f"{rule[1]}：{why} [规则: {rule[3]}]"
    return _tail(message) or message


NOTE_PREFIX = {"zh": "ledger: 提示: ", "en": "ledger: note: "}
NOTES = {
    "no signing key, so the report carries no checkpoint (run `ledger keygen`)":
        "没有签名密钥，报告不带检查点（运行 `ledger keygen` 生成）",
    "nobody is enrolled in this ledger: the acts this report rests on are unauthenticated (typed names, unsigned)":
        "本台账尚未登记人员：报告所依据的操作未经认证（输入的姓名，未签名）",
    "nobody is enrolled in this ledger (trial mode): the actors above are typed names, not authenticated":
        "本台账尚未登记人员（试用模式）：以上操作人是输入的姓名，未经认证",
}


def note_line(message: str) -> str:
    """A note on standard error, in the command's language."""
    lang = current()
    return NOTE_PREFIX[lang] + (NOTES.get(message, message) if lang == "zh" else message)


def error_line(message: str, lang: str | None = None) -> str:
    chosen = lang or current()
    text = translate(message, chosen)
    return PREFIX[chosen] + (" ".join(text.split()) if isinstance(message, Message) else text)


def translating(echo: Callable[[str], None], lang: str) -> Callable[[str], None]:
    return lambda text: echo(translate(text, lang))
