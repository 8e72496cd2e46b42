"""The parsing of user-typed values, and the vocabulary's tables in the shape input parsing uses.

Every word itself is in ledger/vocabulary.py.

Kept free of heavy imports: the CLI uses it to validate options before any
store is opened.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Mapping, NamedTuple

from ledger import vocabulary
from ledger.errors import InvalidInput
from ledger.messages import Field, Stored, choices, joined, t

# canonical value -> Chinese word (ledger/vocabulary.py, the one vocabulary); each table also accepts
# its word as input, and the words older versions printed (INPUT_WORDS).
PROBLEM_TYPES = vocabulary.zh(vocabulary.PROBLEM_TYPES)
INSPECTION_KINDS = vocabulary.zh(vocabulary.INSPECTION_KINDS)
SOURCES = {value: word.en for value, word in vocabulary.SOURCES.items()}
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
    **{word.en: value for value, word in vocabulary.SOURCES.items()},  # the words an English screen shows
}
GRADES = vocabulary.zh(vocabulary.GRADES)
PASSING_GRADES = ("good", "fair")
# The fields `correct` may change: an inspection's, a problem's (and a measure's M<n>.text, M<n>.due).
CORRECTABLE_INSPECTION_FIELDS = ("name", "organisation", "group", "kind", "start", "end", "feedback", "round")
CORRECTABLE_PROBLEM_FIELDS = ("category", "title", "description", "type", "source", "deadline")
CORRECTABLE_MEASURE_FIELDS = ("text", "due")  # named M<n>.text, M<n>.due
# A problem's correctable fields as `correct --field` takes them, the measure's included.
CORRECTABLE_PROBLEM_FIELD_NAMES = (*CORRECTABLE_PROBLEM_FIELDS, *(f"M<n>.{f}" for f in CORRECTABLE_MEASURE_FIELDS))
# Signed off (销号; a long-term problem's is "ongoing", still watched): no more work until it is reopened.
SIGNED_OFF_STATUSES = ("closed", "ongoing")
# 自查未发现: a problem sent for self-check (举一反三) that the unit, with evidence, did not find. Done in a
# state of its own: not signed off (never a relapse), neither open nor overdue, and no more work until reopened.
NOT_FOUND = "not_found"
# A reopening's cause (Reopened.cause, vocabulary.REOPEN_CAUSES): a relapse a 整改回头看 found. Reopenings
# recorded before the cause existed said it in English in their reason, after this prefix (kept as recorded).
RELAPSE_IN_REVIEW = "relapse"
OLD_RELAPSE_REASON = "relapse found in review: "
STATUSES = vocabulary.zh(vocabulary.STATUSES)
ACCOUNTABILITY_KINDS = vocabulary.zh(vocabulary.ACCOUNTABILITY_KINDS)
# Words typed in files and on the command line before the vocabulary chose one (still accepted as input).
INPUT_WORDS = {
    "kind": {"常规": "regular", "专项": "special", "提级": "escalated", "机动": "mobile"},
    "status": {"已核查": "verified", "已完成整改": "closed"},
}
REVIEW_RESULTS = ("holds", "relapsed")


def _choose(table: dict[str, str], value: str, what: str, older: dict[str, str] | None = None, shown: dict[str, str] | None = None) -> str:
    text = value.strip()
    lowered = text.lower().replace("_", "-")
    if lowered in table:
        return lowered
    for key, label in table.items():
        if text == label:
            return key
    if older and text in older:
        return older[text]
    # each choice as JSON and --help spell it, with its word in Chinese (`shown`: when `table`'s keys are spelt otherwise)
    raise InvalidInput(t("{what}: '{value}' is not one of {choices}", what=Field(what), value=value, choices=choices(shown or table)))


def choose(table: dict[str, Any], value: str, what: str) -> str:
    """`value` (a stored value or its Chinese word) as the stored value of `table` (a vocabulary table)."""
    return _choose({key: getattr(word, "zh", word) for key, word in table.items()}, value, what)


def problem_type(value: str) -> str:
    return _choose(PROBLEM_TYPES, value, "type")


def inspection_kind(value: str) -> str:
    return _choose(INSPECTION_KINDS, value, "kind", INPUT_WORDS["kind"])


def grade(value: str) -> str:
    return _choose(GRADES, value, "grade")


def status(value: str) -> str:
    text = value.strip().lower().replace("-", "_")
    if text in STATUSES:
        return text
    older = {w: k.replace("_", "-") for w, k in INPUT_WORDS["status"].items()}
    return _choose({k.replace("_", "-"): v for k, v in STATUSES.items()}, value, "status", older, shown=STATUSES).replace("-", "_")


def source(value: str) -> str:
    text = value.strip()
    if text in SOURCES:
        return text
    if text.lower() in SOURCE_ALIASES:
        return SOURCE_ALIASES[text.lower()]
    # Stored in Chinese: an English line lists each as typed with its English word, "巡视 (central inspection)"
    listed = [Stored(v, vocabulary.Word(v, f"{v} ({word.en})")) for v, word in vocabulary.SOURCES.items()]
    raise InvalidInput(t("source: '{value}' is not one of {choices}", value=value, choices=joined(listed, ", ", "、")))


# -- the grammar of every value a user can type ----------------------------------
#
# Options (commands/options.py), import files (ledger/feedback.py) and
# ledger.yaml (ledger/config.py) all parse through these functions, so a
# value refused in one place is refused everywhere.

# Dates the ledger accepts: anything a rectification could concern, and no
# date a computer calendar cannot represent in every time zone.
MIN_DATE = date(1950, 1, 1)
MAX_DATE = date(2099, 12, 31)
# Counts (rules made, clues, people held accountable) and problem numbers.
MAX_COUNT = 1_000_000
MAX_NUMBER = 999_999
# A span of days (`due --within`, the web's ?within=): from 1950 to 2099 and back, the ledger's whole calendar.
MAX_DAYS = 55_000
# A page of a list (the web's ?page=): far beyond any ledger's last page, and within SQLite's integers.
MAX_PAGE = 1_000_000
# Yuan, below 10^13 (ten trillion): stored as whole fen in a 64-bit integer.
MAX_YUAN = Decimal(10) ** 13
# Longest text accepted, in characters.
MAX_NAME = 200
MAX_SHORT_TEXT = 1_000
MAX_LONG_TEXT = 50_000

_DATE_FORMS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"),
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?"),
)
DATE_SPELLINGS = "YYYY-MM-DD, 2020-1-5, 2020/9/30, 2020.9.30 or 2020年9月30日"
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*(Z|[+-]\d{2}:?\d{2})?", re.IGNORECASE)


def _ascii_digits(text: str) -> str:
    """Full-width digits and punctuation (１２．５, ／) as typed by Chinese input methods, in ASCII."""
    return unicodedata.normalize("NFKC", text)


def _date_part(text: str) -> tuple[date, str] | None:
    """The date at the start of `text` and what follows it, or None."""
    for form in _DATE_FORMS:
        match = form.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return date(year, month, day), text[match.end():]
            except ValueError:
                return None
    return None


def _check_date_range(day: date, value: Any, what: str) -> date:
    if not MIN_DATE <= day <= MAX_DATE:
        raise InvalidInput(t("{what}: '{value}' is out of range ({MIN_DATE} to {MAX_DATE})", what=Field(what), value=value, MIN_DATE=MIN_DATE, MAX_DATE=MAX_DATE))
    return day


def parse_date(value: str | date, what: str = "date") -> date:
    """A calendar date as offices type it; refused outside MIN_DATE..MAX_DATE."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return _check_date_range(value, value, what)
    text = _ascii_digits(str(value)).strip()
    found = _date_part(text)
    if found is None or found[1].strip():
        raise InvalidInput(t("{what}: '{shown}' is not a valid date ({DATE_SPELLINGS})", what=Field(what), shown=_shown(value), DATE_SPELLINGS=DATE_SPELLINGS))
    return _check_date_range(found[0], value, what)


def parse_datetime(value: str | datetime, what: str = "--at") -> datetime:
    """A date, or a date and time (HH:MM[:SS], optional Z or ±HH:MM); naive means this machine's local time. UTC out."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = _ascii_digits(str(value)).strip()
        found = _date_part(text)
        wrong = InvalidInput(
            t("{what}: '{shown}' is not a valid date-time (a date such as 2020-09-30, or 2020-09-30T14:30)", what=Field(what), shown=_shown(value))
        )
        if found is None:
            raise wrong
        day, rest = found
        rest = rest.strip()
        hour = minute = second = micro = 0
        zone = None
        if rest:
            if rest[0] in "Tt":
                rest = rest[1:]
            match = _TIME.fullmatch(rest.strip())
            if not match:
                raise wrong
            hour, minute = int(match.group(1)), int(match.group(2))
            second = int(match.group(3) or 0)
            micro = int((match.group(4) or "0").ljust(6, "0"))
            zone = match.group(5)
        try:
            moment = datetime(day.year, day.month, day.day, hour, minute, second, micro)
        except ValueError:
            raise wrong from None
        if zone:
            if zone.upper() == "Z":
                tz = timezone.utc
            else:
                digits = zone[1:].replace(":", "")
                hours, minutes = int(digits[:2]), int(digits[2:])
                if hours > 23 or minutes > 59:
                    raise wrong
                offset = timedelta(hours=hours, minutes=minutes)
                tz = timezone(offset if zone[0] == "+" else -offset)
            moment = moment.replace(tzinfo=tz)
    _check_date_range(moment.date(), value, what)
    try:
        if moment.tzinfo is None:
            moment = moment.astimezone()  # local time
        return moment.astimezone(timezone.utc)
    except (OverflowError, ValueError, OSError):
        raise InvalidInput(t("{what}: '{value}' is out of range ({MIN_DATE} to {MAX_DATE})", what=Field(what), value=value, MIN_DATE=MIN_DATE, MAX_DATE=MAX_DATE)) from None


def is_bare_date(value: str) -> bool:
    """True when `value` is a date without a time of day."""
    found = _date_part(_ascii_digits(str(value)).strip())
    return found is not None and not found[1].strip()


def moment_text(moment: datetime | date | None) -> str:
    """A time stamp as messages print it: to the second, without microseconds."""
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        return moment.replace(microsecond=0).isoformat()
    return moment.isoformat()


_AMOUNT = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?")


def parse_amount(value: str | Decimal | int, what: str = "--funds") -> Decimal:
    """Yuan, e.g. 12000.50 or 12,000.50, with at most two decimal places (fen)."""
    if isinstance(value, bool):
        raise InvalidInput(t("{what}: '{value}' is not an amount of yuan", what=Field(what), value=value))
    if isinstance(value, (Decimal, int)):
        amount = Decimal(value)
        if not amount.is_finite() or amount < 0 or amount >= MAX_YUAN or amount != amount.quantize(Decimal("0.01")):
            raise InvalidInput(t("{what}: '{value}' is not an amount of yuan below {MAX_YUAN:,} with at most two decimals", what=Field(what), value=value, MAX_YUAN=MAX_YUAN))
        return amount
    text = _ascii_digits(str(value)).strip()
    if text.endswith("元"):
        text = text[:-1].strip()
    match = _AMOUNT.fullmatch(text)
    if not match:
        if re.fullmatch(r"\d[\d,]*\.\d{3,}", text):
            raise InvalidInput(t("{what}: '{shown}' has more than two decimal places (fen)", what=Field(what), shown=_shown(value)))
        raise InvalidInput(
            t("{what}: '{shown}' is not an amount of yuan (digits, optionally grouped 12,000.50, at most two decimals)", what=Field(what), shown=_shown(value))
        )
    amount = Decimal(text.replace(",", ""))
    if amount >= MAX_YUAN:
        raise InvalidInput(t("{what}: '{shown}' is too large (below {MAX_YUAN:,} yuan)", what=Field(what), shown=_shown(value), MAX_YUAN=MAX_YUAN))
    return amount


def parse_days(value: str | int) -> int:
    """A span of days, 7, 7d or 2w, at most MAX_DAYS: `due --within` and the web's ?within= alike."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_DAYS:
        return value
    match = re.fullmatch(r"\s*(\d+)\s*([dw]?)\s*", str(value).lower())
    if not match:
        raise InvalidInput(t("'{value}' is not a number of days (e.g. 7, 7d or 2w)", value=_shown(value)))
    digits = match.group(1).lstrip("0")
    if len(digits) > len(str(MAX_DAYS)) or int(digits or "0") * (7 if match.group(2) == "w" else 1) > MAX_DAYS:
        raise InvalidInput(t("'{value}' is too many days (at most {days}, about 150 years)", value=_shown(value), days=MAX_DAYS))
    return int(digits or "0") * (7 if match.group(2) == "w" else 1)


def parse_count(value: str | int, what: str, maximum: int = MAX_COUNT, minimum: int = 0) -> int:
    """A whole number from `minimum` to `maximum`."""
    if isinstance(value, bool):
        raise InvalidInput(t("{what}: '{value}' is not a whole number", what=Field(what), value=value))
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= len(str(maximum)):
        number = int(value)  # the common case (a 序号 of a feedback list read 50,000 times), read as below
    else:
        text = _ascii_digits(str(value)).strip()
        if not re.fullmatch(r"[+-]?\d+", text):
            raise InvalidInput(t("{what}: '{shown}' is not a whole number", what=Field(what), shown=_shown(value)))
        if len(text.lstrip("+-0")) > len(str(maximum)):
            raise InvalidInput(t("{what}: '{shown}' is too large (at most {maximum})", what=Field(what), shown=_shown(value), maximum=maximum))
        number = int(text)
    if number < minimum:
        raise InvalidInput(t("{what}: '{shown}' must be {minimum} or more", what=Field(what), shown=_shown(value), minimum=minimum) if minimum else t("{what}: '{shown}' must not be negative", what=Field(what), shown=_shown(value)))
    if number > maximum:
        raise InvalidInput(t("{what}: '{shown}' is too large (at most {maximum})", what=Field(what), shown=_shown(value), maximum=maximum))
    return number


class MeasureOutcomes(NamedTuple):
    """What a completed measure achieved (整改成效), as its MeasureCompleted event records it.

    A named tuple, not a dataclass: this module is imported at every start-up, dataclasses is not."""

    rules: int = 0  # rules made or revised (建章立制)
    funds: Decimal = Decimal(0)  # yuan returned or recovered (清退/追回资金)
    accountable: Mapping[str, int] = {}  # people held accountable, by kind (never changed: the event gets a copy)
    clues: int = 0  # problem clues transferred (移交问题线索)


def parse_accountable(values: list[str] | tuple[str, ...]) -> dict[str, int]:
    """`3` or `KIND=3` (kind: discipline, admonition, organisational, or the Chinese term)."""
    counts: dict[str, int] = {}
    for value in values:
        if "=" in value:
            kind_text, number_text = value.split("=", 1)
            kind = _choose(ACCOUNTABILITY_KINDS, kind_text, "--accountable")
        else:
            kind, number_text = "unspecified", value
        counts[kind] = counts.get(kind, 0) + parse_count(number_text, "--accountable")
        if counts[kind] > MAX_COUNT:
            raise InvalidInput(t("--accountable: {value} {kind} is too large (at most {MAX_COUNT})", value=counts[kind], kind=vocabulary.word_of(vocabulary.ACCOUNTABILITY_KINDS, kind), MAX_COUNT=MAX_COUNT))
    return {k: v for k, v in counts.items() if v}


INSPECTION_CODE = re.compile(r"[A-Za-z0-9_.\u4e00-\u9fff]+(?:-[A-Za-z0-9_.\u4e00-\u9fff]+)*")


def inspection_code(value: str) -> str:
    text = unicodedata.normalize("NFC", str(value)).strip()
    if not INSPECTION_CODE.fullmatch(text) or len(text) > 64:
        raise InvalidInput(
            t("inspection code: '{shown}' must be letters, digits, '.', '_' or '-' (at most 64)", shown=_shown(value))
        )
    return text


def problem_display_id(code: str, number: int) -> str:
    return f"{code}-{number}"


def split_problem_id(value: str) -> tuple[str, int] | None:
    """'XC2020-1-3' -> ('XC2020-1', 3); None when it cannot be a problem ID."""
    text = unicodedata.normalize("NFC", str(value)).strip()
    if "-" not in text:
        return None
    code, _, number = text.rpartition("-")
    if not re.fullmatch(r"\d{1,6}", number) or not INSPECTION_CODE.fullmatch(code) or len(code) > 64:
        return None
    return code, int(number)


def problem_id(value: Any, what: str = "ID") -> str:
    """A problem ID (or inspection code) as typed: one line of text; whether it exists is the ledger's question."""
    text = _text(value, what, kind="short", limit=200)
    return text


# -- text ------------------------------------------------------------------------

# Characters that show nothing: a text made only of these (and spaces) is empty.
_INVISIBLE_EXTRA = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u034f", "\u2800", "\u180e"}
# Bidirectional overrides make a text display other than it reads.
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def _invisible(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in ("Cf", "Zs", "Zl", "Zp", "Cc") or ch in _INVISIBLE_EXTRA


def _shown(value: Any) -> str:
    """A value as an error message may print it: control characters made visible, long text cut."""
    text = str(value)
    shown = "".join(ch if ch.isprintable() or ch == " " else f"\\u{ord(ch):04x}" for ch in text)
    return shown if len(shown) <= 80 else shown[:77] + "..."


shown = _shown

# Characters no text may hold, whatever the field or entry point: format characters (zero-width
# joiner, BOM, word joiner, soft hyphen …), private-use code points, line and paragraph separators.
_HIDDEN_CATEGORIES = ("Cf", "Co", "Zl", "Zp")


def _refuse_characters(text: str, what: str, kind: str, hidden: bool = True) -> None:
    """The one grammar of every text: refuse control characters (but newline and tab in long text),
    bidirectional overrides, surrogates and noncharacters, and (`hidden`) format, private-use and
    separator characters.

    Each of these is in a category str.isprintable() is False for (Cc, Cf, Cs, Co, Cn, Zl, Zp),
    so a printable text need not be looked at (tests/test_hostile_input.py holds them to it).
    `_text` calls it first without `hidden`, so that a text of zero-width spaces alone reads "empty".
    """
    allowed = "\n\t" if kind == "long" else ""
    for ch in text:
        category = unicodedata.category(ch)
        if hidden and category in _HIDDEN_CATEGORIES and ch not in _BIDI:
            raise InvalidInput(t("{what}: contains U+{ord:04X}, an invisible, private-use or separator character no text may hold", what=Field(what), ord=ord(ch)))
        if category == "Cc" and ch not in allowed:
            raise InvalidInput(
                t("{what}: contains the control character U+{ord:04X} (only newline and tab are allowed)", what=Field(what), ord=ord(ch))
                if kind == "long"
                else t("{what}: contains the control character U+{ord:04X}", what=Field(what), ord=ord(ch))
            )
        if ch in _BIDI or category == "Cs" or (ord(ch) & 0xFFFE) == 0xFFFE:
            raise InvalidInput(t("{what}: contains U+{ord:04X}, a character that changes or hides how the text reads", what=Field(what), ord=ord(ch)))
        if kind == "name" and category == "Cf":
            raise InvalidInput(t("{what}: contains the invisible character U+{ord:04X}, not allowed in a name", what=Field(what), ord=ord(ch)))


def _text(value: Any, what: str, *, kind: str, limit: int, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(t("{what}: must be text", what=Field(what)))
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n"))
    text = text.strip()
    if not text.isprintable():  # a printable text holds none of the characters _refuse_characters refuses
        _refuse_characters(text, what, kind, hidden=False)
    if kind != "long":
        # One line; a run of plain spaces is one (an ideographic space U+3000 is kept: it is part of the text).
        if "  " in text:
            text = re.sub(" {2,}", " ", text)
    if not any(not _invisible(ch) for ch in text):
        if required:
            raise InvalidInput(
                t("{what}: must not be empty (it holds only invisible characters)", what=Field(what)) if text else t("{what}: must not be empty", what=Field(what))
            )
        return ""
    if not text.isprintable():
        _refuse_characters(text, what, kind)
    if len(text) > limit:
        raise InvalidInput(t("{what}: is {n_text} characters long (at most {limit})", what=Field(what), n_text=len(text), limit=limit))
    return text


def name(value: Any, what: str) -> str:
    """A person's, unit's or organisation's name: one line, NFC, no control or invisible characters."""
    return _text(value, what, kind="name", limit=MAX_NAME)


def short_text(value: Any, what: str, *, required: bool = True) -> str:
    """A title, category, note or reference: one line, NFC, no control characters."""
    return _text(value, what, kind="short", limit=MAX_SHORT_TEXT, required=required)


def long_text(value: Any, what: str, *, required: bool = True) -> str:
    """A description or measure text: newlines and tabs allowed, no other control characters."""
    return _text(value, what, kind="long", limit=MAX_LONG_TEXT, required=required)


def required_text(value: str | None, what: str) -> str:
    return short_text(value, what)


# Grounds for keeping an item out of the public report (不予公开), per DOMAIN.md.
WITHHOLD_REASONS = vocabulary.zh(vocabulary.WITHHOLD_REASONS)


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
        raise InvalidInput(t("{what}: a name is required", what=Field(what)))
    for ch in text:
        category = unicodedata.category(ch)
        if category in _NAME_FORBIDDEN_CATEGORIES or (category == "Zs" and ch != " "):
            raise InvalidInput(t("{what}: {text!r} contains an invisible or control character (U+{ord:04X})", what=Field(what), text=text, ord=ord(ch)))
        if ch in "/\\":
            raise InvalidInput(t("{what}: {text!r} may not contain '/' or '\\'", what=Field(what), text=text))
    if "  " in text:
        raise InvalidInput(t("{what}: {text!r} contains two spaces in a row", what=Field(what), text=text))
    if len(text) > 100:
        raise InvalidInput(t("{what}: longer than 100 characters", what=Field(what)))
    return text
