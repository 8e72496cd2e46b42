"""Extract the product's messages and keep the Chinese catalogue in step (Babel).

    python scripts/messages.py            # update ledger/locale/zh/LC_MESSAGES/ledger.po from the source, compile it
    python scripts/messages.py --check    # exit 1 naming every message without a Chinese rendering (tests run this)

Every `t("…")` in ledger/, commands/, projections/ and web/ is a message (its template is the msgid, in English),
and so is every `{% trans %}` block and `_("…")` of web/templates/ (Jinja2's extractor); a word of the vocabulary is one too. Babel reads them from the source, so a message is written once, where it
arises; the .po file under version control holds its Chinese.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("ledger", "commands", "projections", "web")
PO = REPO / "ledger" / "locale" / "zh" / "LC_MESSAGES" / "ledger.po"


# The web view's templates: {% trans %} blocks and _("…") (jinja2.ext.i18n; a block's lines trimmed into one
# message, as web/app.py renders it). Their values are %(name)s, gettext's own placeholders.
TEMPLATES = ("web", [("templates/**.html", "jinja2.ext:babel_extract")], {"templates/**.html": {"trimmed": "true"}})


def extracted() -> dict[str, list[tuple[str, int]]]:
    """msgid -> where it is written (file, line), from every `t(...)` in the packages and every message of the
    web view's templates."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    found: dict[str, list[tuple[str, int]]] = {}
    sources = [(package, [("**.py", "python")], {}, {"t": None, "tn": (1, 2)}) for package in PACKAGES]
    sources.append((*TEMPLATES, DEFAULT_KEYWORDS))
    for package, methods, options, keywords in sources:
        for filename, lineno, message, _comments, _context in extract_from_dir(
            REPO / package, method_map=methods, options_map=options, keywords=keywords, comment_tags=()
        ):
            if isinstance(message, tuple) and not all(message):
                message = message[0]  # a plural (a template's {% pluralize %}, a tn(…)) keeps its (singular, plural) pair, as click's ngettext
            if message:
                found.setdefault(message, []).append((f"{package}/{filename}", lineno))
    return found


# click's own messages that reach a user: usage and parameter errors, and the words of a help page.
CLICK_FILES = ("exceptions.py", "parser.py", "types.py", "core.py", "formatting.py", "decorators.py")
CLICK_HELP = {"Positional arguments", "(dynamic)"}  # not on any of the ledger's help pages
CLICK_COMPUTED = ("required",)  # click translates these by a computed msgid (`_(extra["required"])`): no literal to extract


def extracted_click() -> dict[str, list[tuple[str, int]]]:
    """click's error messages (its gettext msgids): rendered through the same catalogue (see ledger.messages)."""
    import click
    from babel.messages.extract import extract_from_file

    found: dict[str, list[tuple[str, int]]] = {}
    folder = Path(click.__file__).parent
    for name in CLICK_FILES:
        for lineno, message, _comments, _context in extract_from_file(
            "python", folder / name, keywords={"_": None, "ngettext": (1, 2)}, comment_tags=()
        ):
            if isinstance(message, tuple) and not all(message):
                continue
            key = message[0] if isinstance(message, tuple) else message
            if key and key not in CLICK_HELP and "Deprecation" not in message and "defined twice" not in message:
                found.setdefault(message, []).append((f"click/{name}", lineno))
    for message in CLICK_COMPUTED:
        found.setdefault(message, []).append(("click/core.py", 0))
    return found  # type: ignore[return-value]  (a plural message's key is its (singular, plural) pair)


def extracted_help() -> dict[str, list[tuple[str, int]]]:
    """Each command's summary, and a `commands.help.Spoken` command's help and options' help (commands/i18n.py)."""
    from commands.cli import cli, register_commands
    from commands.i18n import help_messages

    register_commands()
    found: dict[str, list[tuple[str, int]]] = {}
    for msgid, where in help_messages(cli):
        if msgid and (where, 0) not in found.setdefault(msgid, []):
            found[msgid].append((where, 0))
    return found


def read() -> object:
    from babel.messages.pofile import read_po

    with open(PO, "rb") as f:
        return read_po(f, locale="zh_Hans_CN", domain="ledger")


def missing(catalogue: object, messages: dict[str, list[tuple[str, int]]]) -> list[str]:
    out = []
    for msgid in messages:
        entry = catalogue.get(msgid)  # type: ignore[attr-defined]
        strings = entry.string if entry is not None and isinstance(entry.string, tuple) else (entry.string if entry else "",)
        if entry is None or not all(strings) or entry.fuzzy:
            out.append(msgid)
    return out


def update() -> None:
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    messages = {**extracted_help(), **extracted(), **extracted_click()}
    old = read() if PO.exists() else Catalog(locale="zh_Hans_CN", domain="ledger")
    # The header's date kept and no line numbers: the catalogue changes only when a message does.
    new = Catalog(locale="zh_Hans_CN", domain="ledger", project="rectification-ledger", charset="utf-8",
                  creation_date=getattr(old, "creation_date", None))
    for msgid, where in sorted(messages.items(), key=lambda kv: (kv[1][0][0].startswith("click/"), kv[1][0])):
        entry = old.get(msgid)  # type: ignore[attr-defined]
        text = "".join(msgid) if isinstance(msgid, tuple) else msgid
        empty = ("",) if isinstance(msgid, tuple) else ""
        new.add(msgid, entry.string if entry is not None else empty, locations=where,
                flags=("python-format",) if "{" in text or "%(" in text else ())
    PO.parent.mkdir(parents=True, exist_ok=True)
    with open(PO, "wb") as f:
        write_po(f, new, width=0, omit_header=False, sort_output=False, include_previous=False, include_lineno=False)
    from ledger.messages import compile_catalogue, mo_path

    mo_path("zh").write_bytes(compile_catalogue(PO))
    gone = [m for m in old if m.id and m.id not in messages]  # type: ignore[attr-defined]
    print(f"{len(messages)} messages, {len(missing(new, messages))} without Chinese, {len(gone)} dropped")


def check() -> int:
    messages = {**extracted_help(), **extracted(), **extracted_click()}
    lacking = missing(read(), messages)
    for msgid in lacking:
        file, line = messages[msgid][0]
        print(f"{file}:{line}: no Chinese for {msgid!r}")
    return 1 if lacking else 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(check() if "--check" in sys.argv else update())
