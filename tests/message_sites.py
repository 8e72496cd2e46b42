"""Message sites left as raw text in the source: tests/test_messages.py fails when it finds one with English words.

A site is a raise of a user-facing error (or a helper that makes one), or an echo of a fixed or
formatted string. Its message template is read from the AST: literal text kept, each `{…}` replaced
by a sample value. The sample is tried with a few kinds of values (a name, a number), since the
catalogue's patterns ask for words or digits in places.
"""

from __future__ import annotations

import ast
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("ledger", "commands", "projections")

# Errors whose first argument is the whole message.
WHOLE = {
    "InvalidInput", "ConfigError", "StoreError", "ConflictError", "NotAuthorised", "LedgerError", "ReadModelMismatch",
    "UsageError", "BadParameter", "ClickException", "ValueError",
}
# Message fragments that are worded into a message by the raise that catches them (`… ({e})`).
FRAGMENT = {"ValueError"}
ECHO = {"echo", "secho"}

# Sample values for a `{…}`: a name (matches \S+, \w+, .+) and a number (\d+). CJK, so a sample is never
# mistaken for an untranslated English word.
SAMPLES = ("甲1", "7")


# Sites whose values come from a short fixed list, a sample can only be one of them: the message as printed.
FILLED = {
    ("commands/cli.py", "an aggregate's stored events are not consecutive"): [
        "tampering found: an aggregate's stored events are not consecutive (version 3 where version 2 was expected): an event was deleted or reordered",
        "tampering found: an aggregate's stored events are not consecutive: an event was deleted or reordered",
    ],
    ("commands/reading.py", "no problems match"): ["no problems match", "no problems match as of 2020-09-15T23:59:59+00:00 (recorded time)"],
    ("commands/asof.py", " as at "): ["no problems match as at 2020-09-15T23:59:59+00:00 (by the dates acts happened)"],
    ("commands/asof.py", " as of "): ["unknown problem ID: XC-1 as of 2020-09-15T23:59:59+00:00 (recorded time)"],
    ("commands/lifecycle.py", "\x00: verification "): [
        "XC-1: verification good (好) passed (status: verified)",
        "XC-1: verification poor (一般) failed: back for 二次整改 (status: in_progress)",
    ],
    ("commands/deadlines.py", "\x00: extension \x00; deadline"): [
        "XC-1: extension approved; deadline 2020-06-30",
        "XC-1: extension refused; deadline 2020-03-31",
    ],
}


@dataclass(frozen=True)
class Site:
    file: str
    line: int
    kind: str  # raise / rule / tamper / echo / status / note / detail / fragment / row
    template: str  # literal text, a {} for each value

    def samples(self) -> list[str]:
        for (file, start), filled in FILLED.items():
            if self.file == file and self.template.startswith(start):
                return filled
        holes = self.template.count("\x00")
        if holes <= 4:
            choices = itertools.product(SAMPLES, repeat=holes)
        else:
            choices = [(s,) * holes for s in SAMPLES]
        found = []
        for values in choices:
            text = self.template
            for v in values:
                text = text.replace("\x00", v, 1)
            found.append(text)
        return found

    def __str__(self) -> str:
        return f"{self.file}:{self.line} [{self.kind}] {self.template.replace(chr(0), '{}')}"


def _texts(node: ast.AST) -> list[str]:
    """The templates an expression can give (an `a if c else b` gives both); [] when it is not text."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        parts = [""]
        for i, value in enumerate(node.values):
            after = node.values[i + 1] if i + 1 < len(node.values) else None
            if isinstance(value, ast.Constant):
                parts = [p + str(value.value) for p in parts]
            elif isinstance(value.value, ast.IfExp) and _texts(value.value.body) and _texts(value.value.orelse):
                parts = [p + t for p in parts for t in _texts(value.value.body) + _texts(value.value.orelse)]
            elif i == 0 and isinstance(after, ast.Constant) and str(after.value)[:1] in ("'", '"'):
                parts = [p + "ledger.yaml: " for p in parts]  # a place given as "FILE: " right before the quoted key
            else:
                parts = [p + "\x00" for p in parts]
        return parts
    if isinstance(node, ast.IfExp):
        return _texts(node.body) + _texts(node.orelse)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _texts(node.left), _texts(node.right)
        if left and right:
            return [a + b for a in left for b in right]
        if left:
            return [a + "\x00" for a in left]
        if right:
            return ["\x00" + b for b in right]
    return []


def _name(func: ast.AST) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _sites_in(path: Path) -> list[Site]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = str(path.relative_to(REPO))
    found: list[Site] = []

    def add(kind: str, node: ast.AST, templates: list[str]) -> None:
        found.extend(Site(rel, node.lineno, kind, t) for t in templates)

    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):  # a `doctor` row: its detail is printed through the catalogue
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and key.value == "detail" and value is not None:
                    add("detail", value, _texts(value))
            continue
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "message" for t in node.targets):
            if path.name == "lifecycle.py":  # handed to _report, which frames it
                add("status", node, [f"\x00: {t} (status: in_progress)" for t in _texts(node.value)])
            else:
                add("status", node, _texts(node.value))  # a command's message, printed through render_record
            continue
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.List) and any(
            isinstance(t, ast.Name) and t.id == "lines" for t in node.targets
        ):  # the lines of a report a command prints (through render_record's message)
            for element in node.value.elts:
                add("status", element, _texts(element))
            continue
        if isinstance(node, ast.Return) and isinstance(node.value, ast.JoinedStr) and path.parent.name in ("ledger", "commands"):
            add("fragment", node, _texts(node.value))  # a finding or note a command words into a line
            continue
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = _name(node.func)
        if name == "append" and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) and node.func.value.id == "lines":
            add("status", node, _texts(node.args[0]))
        elif name in WHOLE:
            add("fragment" if name in FRAGMENT else "raise", node, _texts(node.args[0]))
        elif name == "RuleViolation" and len(node.args) == 3:
            add("rule", node, [f"\x00: {t} [rule: x-y]" for t in _texts(node.args[2])])
        elif name == "_rule" and len(node.args) == 2:
            add("rule", node, [f"\x00: {t} [rule: x-y]" for t in _texts(node.args[1])])
        elif name in ("TamperingFound", "NonCanonical", "KeyNotTrusted"):
            if len(node.args) == 1:
                add("tamper", node, [f"tampering found: {t}" for t in _texts(node.args[0])])
            else:
                add("tamper", node, [f"tampering found: first bad sequence number 7: event 7 {t}" for t in _texts(node.args[1])])
        elif name == "_report" and len(node.args) == 4:  # a lifecycle act's confirmation: "ID: MESSAGE (status: …)"
            add("status", node, [f"\x00: {t} (status: in_progress)" for t in _texts(node.args[3])])
        elif name == "unreadable" and len(node.args) == 2:  # an event that cannot be read back
            add("tamper", node, [f"tampering found: first bad sequence number 7: event 7 cannot be read back ({t}): run `ledger audit --verify`"
                                 for t in _texts(node.args[1])])
        elif name == "differ" and len(node.args) == 2:  # how a stored read model differs from a replay
            add("raise", node, [f"the derived tables differ from the events: {t}" for t in _texts(node.args[1])])
        elif name == "error" and len(node.args) == 2:  # a feedback list's place and what is wrong there
            add("row", node, [f"x.csv: line 2: {t}" for t in _texts(node.args[1])])
        elif name in ECHO:
            arg = node.args[0]
            if isinstance(arg, ast.Call) and _name(arg.func) in ("translate", "error_line") and arg.args:
                add("status", node, _texts(arg.args[0]))  # translated as it prints
            elif isinstance(arg, ast.Call) and _name(arg.func) == "note_line" and arg.args:
                add("note", node, _texts(arg.args[0]))  # a note, from NOTES
            else:
                add("echo", node, _texts(arg))  # printed as written
        elif name == "render_record" and len(node.args) == 3:  # a write command's confirmation, translated as it prints
            add("status", node, _texts(node.args[2]))
    return found


def message_sites() -> list[Site]:
    sites: list[Site] = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            if path.name != "i18n.py":
                sites.extend(_sites_in(path))
    return sites


def english_words(line: str) -> list[str]:
    """Runs of three or more English words, leaving out `commands`, --options, 'quoted values', file names,
    [规则：rule-ids] and the PostgreSQL URL shape."""
    bare = re.sub(
        r"`[^`]*`|'[^']*'|\"[^\"]*\"|--[\w/-]+|\[规则：[\w-]+\]|\S+\.(?:xlsx|docx|csv|txt|xls|pdf|yaml|jsonl?)\b"
        r"|postgresql://\S+|https?://\S+|-----[A-Z ]+-----|[(（]ledger [^)）]*[)）]"
        r"|[\w<>.-]+(?:, [\w<>.-]+){2,}",  # a list of values as typed: fields, keys, codes
        " ",
        line,
    )
    bare = bare.replace(SAMPLES[0], " ")  # a value between words ("exported {n} events to {file}") does not part them
    return re.findall(r"[A-Za-z]+(?:[ ,;:]+[A-Za-z]+){2,}", bare)
