"""The ledger's vocabulary and the parsing of user-typed values.

Kept free of heavy imports: the CLI uses it to validate options before any
store is opened.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation

from ledger.errors import InvalidInput

# canonical value -> Chinese label; each table also accepts the label as input.
PROBLEM_TYPES = {"immediate": "立行立改", "deadline": "限期整改", "long-term": "长期坚持"}
INSPECTION_KINDS = {
    "regular": "常规",
    "special": "专项",
    "look-back": "回头看",
    "escalated": "提级",
    "mobile": "机动",
}
SOURCES = {
    "巡视": "central inspection",
    "巡察": "inspection",
    "审计": "audit",
    "督察": "supervision",
    "检视": "self-review (主题教育检视)",
    "自查": "self-check",
}
SOURCE_ALIASES = {
    "xunshi": "巡视",
    "inspection-tour": "巡视",
    "xuncha": "巡察",
    "inspection": "巡察",
    "audit": "审计",
    "supervision": "督察",
    "review": "检视",
    "主题教育检视": "检视",
    "self-check": "自查",
}
GRADES = {"good": "好", "fair": "较好", "poor": "一般", "bad": "差"}
PASSING_GRADES = ("good", "fair")
STATUSES = {
    "registered": "已登记",
    "in_progress": "整改中",
    "verified": "已验收",
    "closed": "已完成整改",
    "ongoing": "基本完成、持续整改",
}
ACCOUNTABILITY_KINDS = {
    "discipline": "党纪政务处分",
    "admonition": "诫勉谈话",
    "organisational": "组织处理",
    "unspecified": "未分类",
}
REVIEW_RESULTS = ("holds", "relapsed")


def _choose(table: dict[str, str], value: str, what: str) -> str:
    text = value.strip()
    lowered = text.lower().replace("_", "-")
    if lowered in table:
        return lowered
    for key, label in table.items():
        if text == label:
            return key
    choices = ", ".join(f"{k} ({v})" for k, v in table.items())
    raise InvalidInput(f"{what}: '{value}' is not one of {choices}")


def problem_type(value: str) -> str:
    return _choose(PROBLEM_TYPES, value, "type")


def inspection_kind(value: str) -> str:
    return _choose(INSPECTION_KINDS, value, "kind")


def grade(value: str) -> str:
    return _choose(GRADES, value, "grade")


def status(value: str) -> str:
    text = value.strip().lower().replace("-", "_")
    if text in STATUSES:
        return text
    return _choose({k.replace("_", "-"): v for k, v in STATUSES.items()}, value, "status").replace("-", "_")


def source(value: str) -> str:
    text = value.strip()
    if text in SOURCES:
        return text
    if text.lower() in SOURCE_ALIASES:
        return SOURCE_ALIASES[text.lower()]
    choices = ", ".join(SOURCES)
    raise InvalidInput(f"source: '{value}' is not one of {choices}")


def parse_date(value: str | date, what: str = "date") -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{what}: '{value}' is not a valid date (YYYY-MM-DD)") from None


def parse_datetime(value: str | datetime, what: str = "--at") -> datetime:
    """An ISO date or date-time; a naive one is in this machine's local time."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            text += "T00:00:00"
        try:
            if not re.match(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", text):
                raise ValueError
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInput(
                f"{what}: '{value}' is not a valid date-time (YYYY-MM-DD or YYYY-MM-DDTHH:MM)"
            ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # local time
    return moment.astimezone(timezone.utc)


def parse_amount(value: str | Decimal, what: str = "--funds") -> Decimal:
    """Yuan, as a Decimal with at most two decimal places."""
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise InvalidInput(f"{what}: '{value}' is not an amount of yuan") from None
    if not amount.is_finite() or amount < 0:
        raise InvalidInput(f"{what}: '{value}' must be a non-negative amount of yuan")
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(f"{what}: '{value}' has more than two decimal places (fen)")
    return amount


def parse_count(value: str | int, what: str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise InvalidInput(f"{what}: '{value}' is not a whole number") from None
    if number < 0:
        raise InvalidInput(f"{what}: '{value}' must not be negative")
    return number


def parse_accountable(values: list[str] | tuple[str, ...]) -> dict[str, int]:
    """`3` or `KIND=3` (kind: discipline, admonition, organisational, or the Chinese term)."""
    counts: dict[str, int] = {}
    for value in values:
        if "=" in value:
            kind_text, number_text = value.split("=", 1)
            kind = _choose(ACCOUNTABILITY_KINDS, kind_text, "--accountable kind")
        else:
            kind, number_text = "unspecified", value
        counts[kind] = counts.get(kind, 0) + parse_count(number_text, "--accountable")
    return {k: v for k, v in counts.items() if v}


INSPECTION_CODE = re.compile(r"[\w.]+(?:-[\w.]+)*")


def inspection_code(value: str) -> str:
    text = value.strip()
    if not INSPECTION_CODE.fullmatch(text) or len(text) > 64:
        raise InvalidInput(
            f"inspection code: '{value}' must be letters, digits, '.', '_' or '-' (at most 64)"
        )
    return text


def problem_display_id(code: str, number: int) -> str:
    return f"{code}-{number}"


def split_problem_id(value: str) -> tuple[str, int] | None:
    """'XC2020-1-3' -> ('XC2020-1', 3); None when it cannot be a problem ID."""
    text = value.strip()
    if "-" not in text:
        return None
    code, _, number = text.rpartition("-")
    if not number.isdigit() or not INSPECTION_CODE.fullmatch(code):
        return None
    return code, int(number)


def required_text(value: str | None, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"{what} must not be empty")
    return text


# Grounds for keeping an item out of the public report (不予公开), per DOMAIN.md.
WITHHOLD_REASONS = {
    "state-secret": "国家秘密",
    "open-case": "在办案件",
    "privacy": "个人隐私",
    "sensitive": "敏感事项",
}


# Characters a name may not contain: controls (Cc), format characters such as
# zero-width spaces and direction marks (Cf), separators other than a plain
# space (Zl, Zp, Zs other than U+0020), unassigned/private code points, and the
# path separators (a person's key file is named after them).
_NAME_FORBIDDEN_CATEGORIES = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def person_name(value: object, what: str = "name") -> str:
    """A person's name, NFC-normalised; refuses invisible or control characters.

    `销号人` and `销号人` + U+200B must never be two different people.
    """
    import unicodedata

    text = unicodedata.normalize("NFC", str(value if value is not None else "")).strip()
    if not text:
        raise InvalidInput(f"{what}: a name is required")
    for ch in text:
        category = unicodedata.category(ch)
        if category in _NAME_FORBIDDEN_CATEGORIES or (category == "Zs" and ch != " "):
            raise InvalidInput(f"{what}: {text!r} contains an invisible or control character (U+{ord(ch):04X})")
        if ch in "/\\":
            raise InvalidInput(f"{what}: {text!r} may not contain '/' or '\\'")
    if "  " in text:
        raise InvalidInput(f"{what}: {text!r} contains two spaces in a row")
    if len(text) > 100:
        raise InvalidInput(f"{what}: longer than 100 characters")
    return text
