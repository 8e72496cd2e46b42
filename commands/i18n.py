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

import os
import re
from typing import Any, Callable, Sequence

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
    "id": "编号", "inspection": "巡察", "number": "序号", "category": "类别", "title": "问题", "type": "类型",
    "status": "状态", "unit": "责任单位", "lead": "责任领导", "person": "责任人", "deadline": "整改时限",
    "overdue": "逾期", "measures": "措施", "relapses": "反弹", "escalation": "督办", "due": "事项", "date": "日期",
    "days_left": "剩余天数", "days_late": "逾期天数", "suggest": "建议督办", "seq": "序号", "at": "发生时间",
    "recorded_at": "记录时间", "actor": "操作人", "event": "事件", "details": "详情", "text": "内容",
    "evidence": "佐证材料", "grade": "等次", "result": "结果", "note": "备注", "reason": "理由", "by": "经办人",
    "signed_off": "销号日期", "point": "回头看节点", "review_date": "回头看日期", "state": "情况", "reviews": "回头看",
    "missed": "错过", "name": "名称", "organisation": "被巡察单位", "group": "巡察组", "kind": "类别", "start": "进驻",
    "end": "结束", "feedback": "反馈", "round": "轮次", "code": "编号", "registered_at": "登记时间",
    "registered_by": "登记人", "parent": "上级问题", "extended_to": "延期至", "done by": "完成人", "level": "级别",
    "progress": "进展", "meaning": "含义", "outcome": "结果", "field": "字段", "was": "原值", "now": "现值",
    "to": "延期至", "previous": "原时限", "decision": "审批", "requested_by": "申请人", "decided_by": "审批人",
    "value": "值", "key": "项目", "source": "来源", "description": "描述", "subject": "对象", "correction": "更正",
    "reworks": "二次整改", "registered": "登记", "refined into": "细化为", "withheld": "不予公开", "population": "总体",
    "drawn": "抽中", "draw": "抽查", "seed": "种子", "size": "数量",
}

STATUS_WORDS = {
    "registered": "已登记",
    "in_progress": "整改中",
    "verified": "已核查",
    "closed": "已销号",
    "ongoing": "基本完成、持续整改",
}

# Event names as `history` and `audit` print them (JSON and CSV keep the English names).
EVENT_WORDS = {
    "Registered": "登记", "Assigned": "责任到人", "ChildAdded": "登记细化问题", "Corrected": "更正",
    "Drawn": "抽查抽样", "Escalated": "督办", "ExtensionRequested": "申请延期", "ExtensionDecided": "延期审批",
    "MeasurePlanned": "制定整改措施", "MeasureCompleted": "完成整改措施", "VerificationRecorded": "核查验收",
    "SignatureRecorded": "签字（双审核）", "SignedOff": "销号", "Reopened": "重新打开", "ReviewRecorded": "回头看",
    "ProgressRecorded": "报告进展", "Withheld": "不予公开", "SensitiveRecorded": "登记敏感内容",
    "Recorded": "记录检查点", "LedgerFounded": "创建台账", "KeyEnrolled": "登记密钥", "PersonEnrolled": "登记人员",
    "PersonRevoked": "撤销人员", "RoleGranted": "授予角色", "RoleRevoked": "撤销角色", "PolicySet": "设定代录规则",
}

# Words inside the details of an act (projections.history.act_note).
_ACT_NOTE = [
    (re.compile(r"signed on paper by (.+?), entered and signed by ([^;\]]+)"), r"\1纸质签字，\2代为录入并签名"),
    (re.compile(r"signed by ([^;\]]+)"), r"\1签名"),
    (re.compile(r"attached: "), "附件："),
]


def _details_words(text: str) -> str:
    for pattern, replacement in _ACT_NOTE:
        text = pattern.sub(replacement, text)
    return text


def _field_words(text: str) -> str:
    """A corrected field's name: description → 描述, M2.due → M2.时限."""
    head, dot, tail = text.partition(".")
    if dot:
        return f"{head}.{ {'text': '内容', 'due': '时限'}.get(tail, tail)}"
    return HEADINGS.get(text, text)


VALUE_WORDS: dict[str, Any] = {
    "event": EVENT_WORDS,
    "field": _field_words,
    "subject": {"people (人员与权限)": "人员与权限"},
    "details": _details_words,
    "meaning": {"approval": "批准", "review": "审核", "responsibility": "负责"},
    "outcome": {"closed": "已销号", "ongoing": "基本完成、持续整改"},
    "measure": {"planned": "正在整改", "done": "已完成"},
    "level": {"notice": "督办通知书", "reminder": "提醒书", "warning": "告诫书", "accountability": "问责书"},
    "status": STATUS_WORDS,
    "type": {"immediate": "立行立改", "deadline": "限期整改", "long-term": "长期坚持"},
    "decision": {"pending": "待审批", "approved": "已批准", "refused": "未批准"},
    "grade": {"good": "好", "fair": "较好", "poor": "一般", "bad": "差"},
    "result": {
        "holds": "整改到位", "relapsed": "反弹", "passed": "通过", "failed": "未通过",
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
    "due": 8,
}


def heading(column: str, lang: str) -> str:
    return HEADINGS.get(column, column) if lang == "zh" else column


def value_word(column: str, value: Any, lang: str) -> Any:
    if lang != "zh":
        return value
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
    "extensions": ("延期申请（整改时限变更记录）", "extensions (申请延期整改; the deadline history)"),
    "measures": ("整改措施", "measures"),
    "verifications": ("核查验收", "verifications"),
    "signoffs": ("销号", "sign-offs"),
    "escalations": ("督办", "escalations"),
    "progress": ("进展报告", "progress"),
    "reviews": ("回头看", "reviews (回头看)"),
    "signatures": ("待第二人签字（双审核）", "signatures awaiting a second signer (双审核)"),
    "sensitive": ("敏感内容（ledger reveal 查看）", "sensitive (ledger reveal)"),
    "corrections": ("更正", "corrections"),
}
SUB_HEADINGS = {
    "requested": "申请时间", "asked for": "延期至", "deadline was": "原时限", "decided by": "审批人", "decided": "审批时间",
    "done by": "完成人", "due": "时限", "text": "内容", "id": "编号", "at": "时间", "by": "经办人",
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
    return STATUS_WORDS.get(status, status) if lang == "zh" else status


def max_widths(columns: Sequence[str]) -> list[int | None]:
    return [WRAP.get(c) for c in columns]


# -- messages --------------------------------------------------------------------

PREFIX = {"zh": "ledger: 错误: ", "en": "ledger: error: "}

KINDS = {"problem": "问题", "inspection": "巡察", "measure": "整改措施", "round": "轮次"}

_STATUS_IN_TEXT = {**STATUS_WORDS}

# (pattern over the whole English line, Chinese template or function of the match).
CATALOGUE: list[tuple[str, Any]] = [
    (r"(.+) \(see `(.+) --help`\)", lambda m: f"{translate(m[1], 'zh')}（见 `{m[2]} --help`）"),
    (r"unknown (problem|inspection|measure|round) ID: (.+)", lambda m: f"未知的{KINDS[m[1]]}编号：{m[2]}"),
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
    (r"(.+): (.+) is before registration on (\S+) \[rule: ([\w-]+)\]", "{0}：{1} 早于登记日期 {2} [规则: {3}]"),
    (r"(.+) must not be empty", "{0} 不能为空"),
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
    (r"No such option: (\S+)(.*)", "没有这个选项：{0}{1}"),
    (r"No such command '(.+)'\.(.*)", "没有这个命令：'{0}'{1}"),
    (r"Invalid value for '(.+)': (.+)", "选项 '{0}' 的值无效：{1}"),
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
    (r"wrote (.+)", "已写入 {0}"),
    (r"no problems match", "没有符合条件的问题"),
]

_COMPILED: list[tuple[re.Pattern[str], Any]] | None = None


def translate(message: str, lang: str) -> str:
    """The message in `lang`; English when the catalogue has no entry for it."""
    global _COMPILED
    if lang != "zh":
        return message
    if _COMPILED is None:
        _COMPILED = [(re.compile(p, re.DOTALL), t) for p, t in CATALOGUE]
    for pattern, template in _COMPILED:
        m = pattern.fullmatch(message)
        if m is None:
            continue
        if callable(template):
            return template(m)
        return template.format(*m.groups())
    return message


def error_line(message: str, lang: str | None = None) -> str:
    chosen = lang or current()
    return PREFIX[chosen] + translate(message, chosen)


def translating(echo: Callable[[str], None], lang: str) -> Callable[[str], None]:
    return lambda text: echo(translate(text, lang))
