"""The ledger's one vocabulary: every state, kind and act it names, with its Chinese and English word.

Each table maps the stored value (what JSON, the event log and `--status` etc. use; it never changes)
to a `Word`. Every screen — the CLI's tables and lines, the web pages, the 台账, the report, the
docs' tables — takes its word for a value from here, so one state reads one word everywhere.

A count in a report ("已完成整改N个", seeds/004) is a figure's phrasing, not a problem's status word:
those phrasings live with the report. Plain data only: imported by `ledger --help` (start-up time).
"""

from __future__ import annotations

from operator import itemgetter


class Word(tuple):  # type: ignore[type-arg]
    """One value's words: `zh` (the default screen language) and `en`. A plain tuple (immutable, cheap to import)."""

    __slots__ = ()

    def __new__(cls, zh: str, en: str) -> "Word":
        return tuple.__new__(cls, (zh, en))

    def __getnewargs__(self) -> tuple[str, str]:  # pickled inside a message from another process (audit --verify --jobs)
        return (self[0], self[1])

    zh = property(itemgetter(0))
    en = property(itemgetter(1))

    def of(self, lang: str) -> str:
        return self[0] if lang == "zh" else self[1]  # type: ignore[no-any-return]

    label = of  # a word given to a message, t("… {grade}", grade=Word), renders in the message's language


def label(table: dict[str, Word], value: object, lang: str) -> object:
    """`value`'s word in `lang` from `table`; an unknown value (an old store's, a typed one) unchanged."""
    word = table.get(value) if isinstance(value, str) else None
    return value if word is None else word.of(lang)


def word_of(table: dict[str, Word], value: str) -> Word:
    """`value`'s Word in `table`, to be shown in a message's language; an unknown value is its own word."""
    return table.get(value) or Word(value, value)


def zh(table: dict[str, Word]) -> dict[str, str]:
    """value → Chinese word, the shape older code and input parsing (a label is accepted as input) use."""
    return {value: word.zh for value, word in table.items()}


# A problem's status (Problem.status). 已销号: signed off (对账销号) as done; the report's count of such
# problems keeps its own phrase "已完成整改N个". 已验收: a passing 核查验收, waiting for its sign-off.
STATUSES = {
    "registered": Word("已登记", "registered"),
    "in_progress": Word("整改中", "in_progress"),
    "verified": Word("已验收", "verified"),
    "closed": Word("已销号", "closed"),
    "ongoing": Word("基本完成、持续整改", "ongoing"),
    # 举一反三: sent to this unit for self-check, and its self-check (with evidence) did not find it.
    "not_found": Word("自查未发现", "not found"),
}

# Every event kind of the ledger's aggregates (ledger/domain.py, ledger/identity.py, ledger/checkpoint.py),
# by its name. English screens print the name itself (as JSON and csv do), so a reader can grep one for the other.
EVENTS = {
    # Inspection and Problem
    "Registered": Word("登记", "Registered"),
    "Corrected": Word("更正", "Corrected"),
    "Assigned": Word("责任到人", "Assigned"),
    "MeasurePlanned": Word("制定整改措施", "MeasurePlanned"),
    "MeasureCompleted": Word("完成整改措施", "MeasureCompleted"),
    "VerificationRecorded": Word("核查验收", "VerificationRecorded"),
    "SignatureRecorded": Word("销号签字（双审核）", "SignatureRecorded"),
    "SignedOff": Word("对账销号", "SignedOff"),
    "ReviewRecorded": Word("整改回头看", "ReviewRecorded"),  # after sign-off; 回头看 alone is an inspection's kind
    "Reopened": Word("重新打开", "Reopened"),
    "Escalated": Word("督办", "Escalated"),
    "ProgressRecorded": Word("进展报告", "ProgressRecorded"),
    "Withheld": Word("不予公开", "Withheld"),
    "SensitiveRecorded": Word("登记敏感内容", "SensitiveRecorded"),
    "ChildAdded": Word("登记细化问题", "ChildAdded"),
    "ExtensionRequested": Word("申请延期", "ExtensionRequested"),
    "ExtensionDecided": Word("延期审批", "ExtensionDecided"),
    "Linked": Word("关联以前的问题", "Linked"),
    "FoundAgain": Word("再次发现", "FoundAgain"),
    "LikeRejected": Word("排除相似问题", "LikeRejected"),
    "Propagated": Word("举一反三下发自查", "Propagated"),
    "SelfCheckRequested": Word("收到举一反三自查", "SelfCheckRequested"),
    "SelfCheckNotFound": Word("报告自查未发现", "SelfCheckNotFound"),
    # SampleDraw
    "Drawn": Word("抽查抽样", "Drawn"),
    # Checkpoint
    "Recorded": Word("记录检查点", "Recorded"),
    # Authority (people and roles)
    "LedgerFounded": Word("创建台账", "LedgerFounded"),
    "PersonEnrolled": Word("登记人员", "PersonEnrolled"),
    "KeyEnrolled": Word("登记密钥", "KeyEnrolled"),
    "RoleGranted": Word("授予角色", "RoleGranted"),
    "RoleRevoked": Word("撤销角色", "RoleRevoked"),
    "PersonRevoked": Word("撤销人员", "PersonRevoked"),
    "PolicySet": Word("设定代录规则", "PolicySet"),
}

GRADES = {
    "good": Word("好", "good"),
    "fair": Word("较好", "fair"),
    "poor": Word("一般", "poor"),
    "bad": Word("差", "bad"),
}

# Inspection kind (巡察类型): the inspection's, never to be confused with a problem's category (问题类别).
INSPECTION_KINDS = {
    "regular": Word("常规巡察", "regular"),
    "special": Word("专项巡察", "special"),
    "look-back": Word("回头看", "look-back"),
    "escalated": Word("提级巡察", "escalated"),
    "mobile": Word("机动巡察", "mobile"),
}

PROBLEM_TYPES = {
    "immediate": Word("立行立改", "immediate"),
    "deadline": Word("限期整改", "deadline"),
    "long-term": Word("长期坚持", "long-term"),
}

# A problem's source: the stored value is the Chinese word itself.
SOURCES = {
    "巡视": Word("巡视", "central inspection"),
    "巡察": Word("巡察", "inspection"),
    "审计": Word("审计", "audit"),
    "督察": Word("督察", "supervision"),
    "检视": Word("检视", "self-review"),
    "自查": Word("自查", "self-check"),
}

# A person's role: who they are, not the act (登记 is the act Registered, 审计 a source, 责任人 a problem's field).
ROLES = {
    "registrar": Word("登记员", "registrar"),
    "responsible": Word("整改责任人", "responsible"),
    "verifier": Word("验收人", "verifier"),
    "signer": Word("销号审批人", "signer"),
    "auditor": Word("审计人员", "auditor"),
}
# The words roles had before (still accepted in ledger.yaml and --role).
OLDER_ROLE_WORDS = {"登记": "registrar", "验收": "verifier", "销号审批": "signer", "审计": "auditor", "责任人": "responsible"}

ESCALATION_LEVELS = {
    "notice": Word("督办通知书", "notice"),
    "reminder": Word("提醒书", "reminder"),
    "warning": Word("告诫书", "warning"),
    "accountability": Word("问责书", "accountability"),
}

# How a problem is linked to an earlier one.
LINK_KINDS = {
    "recurrence": Word("屡查屡犯", "recurrence"),
    "same-kind": Word("同类问题", "same-kind"),
    "self-check": Word("举一反三自查", "self-check"),
}

# Which way a link points, seen from the problem that shows it.
LINK_DIRECTIONS = {
    "earlier": Word("以前的问题", "earlier"),
    "later": Word("以后的问题", "later"),  # 再次发现 is the act (FoundAgain)
    "sent-to": Word("下发自查至", "sent-to"),
    "sent-from": Word("自查来源", "sent-from"),
}

# How a unit answered a problem sent to it for self-check (`summary --propagated`).
SELF_CHECK_ANSWERS = {
    "waiting": Word("尚未答复", "no answer yet"),
    "rectifying": Word("发现问题、正在整改", "found, rectifying"),
    "closed": Word("发现问题、已整改销号", "found, signed off"),
    "not_found": STATUSES["not_found"],  # the status it leaves: one word beside it on a row, in each language
}

# A `doctor` check's state.
CHECK_STATES = {
    "ok": Word("正常", "ok"),
    "warn": Word("注意", "warn"),
    "error": Word("错误", "error"),
}

# A measure's state.
MEASURE_STATES = {
    "planned": Word("正在整改", "planned"),
    "done": Word("已完成", "done"),
}

# A 整改回头看's result.
REVIEW_RESULTS = {
    "holds": Word("整改到位", "holds"),
    "relapsed": Word("反弹", "relapsed"),
}

# Why a problem was reopened, when the ledger itself reopened it (Reopened.cause; a clerk's reopening has none).
REOPEN_CAUSES = {
    "relapse": Word("整改回头看发现反弹", "relapse found in review"),
}

# What a sign-off signature means (21 CFR Part 11 §11.50).
MEANINGS = {
    "approval": Word("批准", "approval"),
    "review": Word("审核", "review"),
    "responsibility": Word("负责", "responsibility"),
}

# An extension request's decision.
DECISIONS = {
    "pending": Word("待审批", "pending"),
    "approved": Word("已批准", "approved"),
    "refused": Word("未批准", "refused"),
}

# Deadline warning lights.
LIGHTS = {
    "red": Word("红灯", "red"),
    "yellow": Word("黄灯", "yellow"),
    "green": Word("绿灯", "green"),
}

WITHHOLD_REASONS = {
    "state-secret": Word("国家秘密", "state secret"),
    "open-case": Word("在办案件", "open case"),
    "privacy": Word("个人隐私", "privacy"),
    "sensitive": Word("敏感事项", "sensitive matter"),
}

ACCOUNTABILITY_KINDS = {
    "discipline": Word("党纪政务处分", "discipline"),
    "admonition": Word("诫勉谈话", "admonition"),
    "organisational": Word("组织处理", "organisational"),
    "referred": Word("交由纪委监委调查", "referred"),
    "criticism": Word("批评教育", "criticism"),
    "unspecified": Word("未分类", "unspecified"),
}

# The fields of an inspection and a problem, as a column heading, a corrected field or an import
# refusal names them. `kind` (巡察类型) and `category` (问题类别) are different columns of an import file.
FIELDS = {
    "name": Word("名称", "name"),
    "organisation": Word("被巡察单位", "organisation"),
    "group": Word("巡察组", "group"),
    "kind": Word("巡察类型", "kind"),
    "start": Word("进驻日期", "start"),
    "end": Word("结束日期", "end"),
    "feedback": Word("反馈日期", "feedback"),
    "round": Word("轮次", "round"),
    "number": Word("序号", "number"),
    "category": Word("问题类别", "category"),
    "title": Word("问题标题", "title"),
    "description": Word("问题描述", "description"),
    "type": Word("整改类型", "type"),
    "source": Word("问题来源", "source"),
    "deadline": Word("整改时限", "deadline"),
    "status": Word("状态", "status"),
    "lead": Word("责任领导", "lead"),
    "unit": Word("责任单位", "unit"),
    "person": Word("责任人", "person"),
}

# The fields an import reads a 台账's column as (docs/import.md; `--columns 'HEADING=field'` names them in English).
# A field both tables name reads FIELDS' word (one word per field).
IMPORT_FIELDS = {
    "inspection": Word("巡察编号", "inspection"),
    "inspection_name": Word("巡察名称", "inspection_name"),
    **{f: FIELDS[f] for f in ("organisation", "group", "kind", "start", "end", "feedback", "round", "number",
                              "category", "title", "description", "type", "deadline", "source", "lead", "unit", "person")},
    "measure": Word("整改措施", "measure"),
    "measure_due": Word("措施时限", "measure_due"),
    "done": Word("是否整改完成", "done"),
    "done_on": Word("整改完成时间", "done_on"),
    "progress": Word("进展情况", "progress"),
    "verifier": Word("验收负责人", "verifier"),
    "grade": Word("验收结果", "grade"),
}

# A measure's fields (a correction names "M2.due"; on screen "措施M2 时限" / "measure M2 due date": field_word).
MEASURE_FIELDS = {
    "text": Word("内容", "text"),
    "due": Word("时限", "due date"),
}

# What may be withheld from publication besides the fields above.
WITHHELD_PARTS = {
    "problem": Word("全部内容", "the whole problem"),
    "measures": Word("全部措施", "every measure"),
}

def field_word(name: str) -> Word:
    """A field's word as every screen names it — a correction's act line, `show`, `history`, `audit`, the web's
    corrections table and a refusal: 整改类型 / type, 措施M1 时限 / measure M1 due date, 举报人 / whistleblower.
    (A withholding's parts, 全部措施, are WITHHELD_PARTS': "measures" is also a feedback file's key.)"""
    for table in (FIELDS, SENSITIVE_FIELDS):
        if name in table:
            return table[name]
    measure, dot, part = name.partition(".")
    if dot and part in MEASURE_FIELDS:
        word = MEASURE_FIELDS[part]
        return Word(f"措施{measure} {word.zh}", f"measure {measure} {word.en}")
    return Word(name, name)


# What `withhold --field` takes, as its help and its refusal list it (a measure by its ID: M<n>).
WITHHOLDABLE = {
    "problem": WITHHELD_PARTS["problem"], "title": FIELDS["title"], "description": FIELDS["description"],
    "measures": WITHHELD_PARTS["measures"], "M<n>": Word("M<n>", "M<n>"),
}

# The words of a field's stored values, where a field's value is a word (a correction's old and new value).
FIELD_VALUES = {"type": PROBLEM_TYPES, "kind": INSPECTION_KINDS, "source": SOURCES, "status": STATUSES}

# The ledger's identity policies (`person policy`) and their values.
POLICIES = {
    "proxy_signoff": Word("代录销号", "proxy entry of sign-off"),
}
POLICY_VALUES = {
    "allowed": Word("允许", "allowed"),
    "forbidden": Word("禁止", "forbidden"),
}

# A problem's sensitive fields (`confide`), recorded encrypted.
SENSITIVE_FIELDS = {
    "whistleblower": Word("举报人", "whistleblower"),
    "case-details": Word("案情", "case-details"),
}

# A summary's counts, in every form that counts problems (summary, summary --round, profile, the web overview,
# the report's table): one word each. A count of a state reads that state's word (基本完成、持续整改, 反弹);
# the count of signed-off problems keeps the report's phrase 已完成整改 (seeds/004), not the status 已销号.
COUNTS = {
    "problems": Word("反馈问题", "problems"),
    "completed": Word("已完成整改", "completed"),
    "ongoing": Word("基本完成、持续整改", "basically done, continuing"),
    "extended": Word("申请延期整改", "extended"),
    "open": Word("未完成", "not yet done"),
    "overdue": Word("逾期", "overdue"),
    "relapsed": Word("反弹", "relapsed"),
    "rate": Word("整改完成率", "completion rate"),
}

# What an act of the audit trail is about when it is no inspection or problem (its data keeps the ID).
SUBJECTS = {
    "people": Word("人员与权限", "people"),
    "checkpoint": Word("检查点", "checkpoint"),
    "sample": Word("抽查", "sample draw"),
}

# The headline figures of a rectification (整改成效), one name each wherever they are counted: summary, summary
# --round, the web summary, the audit trail's completed measure, --help and the report (seeds/004's "完善和新建制度N项").
# The unit a figure is counted in is the heading's (projections.summary.figure_heading), not part of its name.
FIGURES = {
    "rules": Word("完善和新建制度", "rules made or revised"),
    "funds": Word("清退、追回资金", "funds returned or recovered"),
    "accountable": Word("问责、处理", "people held accountable"),
    "clues": Word("移交问题线索", "clues transferred"),
}

# Every table, by what it names (tests/test_vocabulary.py walks them).
TABLES = {
    "status": STATUSES,
    "event": EVENTS,
    "grade": GRADES,
    "inspection kind": INSPECTION_KINDS,
    "problem type": PROBLEM_TYPES,
    "source": SOURCES,
    "role": ROLES,
    "escalation level": ESCALATION_LEVELS,
    "link kind": LINK_KINDS,
    "link direction": LINK_DIRECTIONS,
    "self-check answer": SELF_CHECK_ANSWERS,
    "check state": CHECK_STATES,
    "measure state": MEASURE_STATES,
    "review result": REVIEW_RESULTS,
    "reopen cause": REOPEN_CAUSES,
    "meaning": MEANINGS,
    "decision": DECISIONS,
    "light": LIGHTS,
    "withhold reason": WITHHOLD_REASONS,
    "accountability kind": ACCOUNTABILITY_KINDS,
    "field": FIELDS,
    "measure field": MEASURE_FIELDS,
    "import field": IMPORT_FIELDS,
    "withheld part": WITHHELD_PARTS,
    "policy": POLICIES,
    "policy value": POLICY_VALUES,
    "sensitive field": SENSITIVE_FIELDS,
    "count": COUNTS,
    "subject": SUBJECTS,
    "figure": FIGURES,
}
