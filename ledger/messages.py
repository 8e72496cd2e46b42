"""Messages by key: each line the product shows is a template written once, where it arises.

`t("unknown {kind} ID: {ident}", kind=..., ident=...)` is a `Message`: a str that reads in English (so logs,
JSON and `str(error)` are unchanged) and keeps its template and values, so the interface renders it in the
reader's language with `render(message, lang)`. The template is the gettext msgid; its Chinese is the msgstr
in ledger/locale/zh/LC_MESSAGES/ledger.po (extracted and checked by Babel: see docs/messages.md).

A value may itself be a Message, an error carrying one, or a word of the vocabulary (anything with a
`label(lang)` method): each is rendered in the same language. Other values (names, IDs, quoted text, numbers)
are shown as they are.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

LANGS = ("zh", "en")
DOMAIN = "ledger"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def reader_language(option: str | None, configured: Callable[[], Any]) -> str:
    """The reader's language, one rule for every command and the web view: the option given (`--lang`), else
    LEDGER_LANG, else `configured()` (ledger.yaml's `language:`), else zh. (A page asks its request first: web/.)"""
    if option in LANGS:
        return option  # type: ignore[return-value]
    env = os.environ.get("LEDGER_LANG", "").strip().lower()[:2]
    if env in LANGS:
        return env
    chosen = configured()
    return chosen if chosen in LANGS else "zh"


class Message(str):
    """A message in English that knows its template and values, to be rendered in another language."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, /, **params: Any) -> "Message":
        text = template.format(**{k: _english(v) for k, v in params.items()}) if params else template
        self = super().__new__(cls, text)
        self.template = template
        self.params = params
        return self

    def __str__(self) -> "Message":  # type: ignore[override]
        return self  # str(error) keeps the message, so a handler can still render it

    def __reduce__(self) -> Any:
        return (_rebuild, (self.template, self.params))

    def render(self, lang: str, plain: Callable[[str], str] | None = None) -> str:
        """In `lang`; `plain` words a value that is plain text (an outside library's message) in it, if given."""
        template = catalogue(lang).gettext(self.template) if lang != "en" else self.template
        if not self.params:
            return template
        return template.format(**{k: _rendered(v, lang, plain) for k, v in self.params.items()})


def _rebuild(template: str, params: dict[str, Any]) -> Message:
    return Message(template, **params)


def t(template: str, /, **params: Any) -> Message:
    """The message `template` with `params`: English now, the reader's language at the interface."""
    return Message(template, **params)


class Plural(Message):
    """A message with a singular and a plural English form, chosen by a count ("1 unit", "2 units"): gettext's
    ngettext picks the form of another language from the catalogue (Chinese has one)."""

    singular: str
    plural: str
    count: int

    def __new__(cls, singular: str, plural: str, count: int, /, **params: Any) -> "Plural":
        self = super().__new__(cls, singular if count == 1 else plural, **params)
        self.singular, self.plural, self.count = singular, plural, count
        return self

    def __reduce__(self) -> Any:
        return (_rebuild_plural, (self.singular, self.plural, self.count, self.params))

    def render(self, lang: str, plain: Callable[[str], str] | None = None) -> str:
        if lang == "en":
            return super().render(lang, plain)
        template = catalogue(lang).ngettext(self.singular, self.plural, self.count)
        return template.format(**{k: _rendered(v, lang, plain) for k, v in self.params.items()})


def _rebuild_plural(singular: str, plural: str, count: int, params: dict[str, Any]) -> Plural:
    return Plural(singular, plural, count, **params)


def tn(singular: str, plural: str, count: int, /, **params: Any) -> Plural:
    """`t` with an English plural: `tn("{n} unit", "{n} units", n, n=n)` (Babel extracts both forms)."""
    return Plural(singular, plural, count, **params)


class Field(str):
    """A field's name as the ledger spells it (title, lead, unit…): in Chinese, the vocabulary's word for it."""

    def __new__(cls, name: Any = "") -> Any:
        if isinstance(name, Message):  # already worded ("--value for deadline"): kept as the message it is
            return name
        return super().__new__(cls, name)

    def label(self, lang: str) -> str:
        from ledger import vocabulary

        return vocabulary.field_word(str.__str__(self)).of(lang)


class Data(str):
    """A value whose str is the English that data carries (JSON, CSV, a message's str: never changed), and whose
    `label(lang)` is how a screen shows it, in Chinese or in English: the two Englishes may differ."""

    def label(self, lang: str) -> str:
        return str.__str__(self)


class Stored(Data):
    """A stored value in a message: as stored in data, by its word on screen (`label`: the vocabulary's Chinese
    or English word, a Word)."""

    def __new__(cls, value: str, word: Any) -> "Stored":
        self = super().__new__(cls, value)
        self.word = word
        return self

    def label(self, lang: str) -> str:
        return str(self.word.of(lang))


def field_value(field: str, value: Any) -> Any:
    """A field's value in a message: a word of the vocabulary (a problem's type, an inspection's kind, a source)
    as Stored, shown by its word; any other value as it is."""
    from ledger import vocabulary

    words = vocabulary.FIELD_VALUES.get(field)
    if words is not None and isinstance(value, str) and value:
        return Stored(value, vocabulary.word_of(words, value))
    return value


class either(tuple):
    """Choices a message offers: "a, b or c" in English, "a、b 或 c" in Chinese (each choice shown as it is typed)."""

    def label(self, lang: str) -> str:
        items = [v.label(lang) if callable(getattr(v, "label", None)) else str(v) for v in self]
        if len(items) < 2:
            return "".join(items)
        if lang == "zh":
            return "、".join(items[:-1]) + " 或 " + items[-1]
        return ", ".join(items[:-1]) + " or " + items[-1]


class choices(tuple):
    """The values an input accepts (a vocabulary table: value → Chinese word): as typed in English ("registered,
    in_progress"); in Chinese each by its word with the value to type ("已登记（registered）、整改中（in_progress）")."""

    def __new__(cls, table: Any) -> "choices":
        return tuple.__new__(cls, [(key, str(getattr(word, "zh", word))) for key, word in table.items()])

    def label(self, lang: str) -> str:
        if lang == "zh":
            return "、".join(f"{word}（{key}）" if word != key else key for key, word in self)
        return ", ".join(key for key, _ in self)


def field_choices(names: Any) -> choices:
    """Fields an input accepts, as `choices`: in Chinese each by its word with the name to type (问题类别（category）)."""
    return choices({name: Field(name).label("zh") for name in names})


class joined(Data):
    """Messages shown one after another: "a; b" in English, "a；b" in Chinese (a str: the English)."""

    def __new__(cls, parts: Any, sep: str = "; ", zh_sep: str = "；") -> "joined":
        parts = list(parts)
        self = super().__new__(cls, sep.join(_data(p) for p in parts))
        self.parts, self.sep, self.zh_sep = parts, sep, zh_sep
        return self

    def label(self, lang: str) -> str:
        return (self.zh_sep if lang == "zh" else self.sep).join(render(p, lang) for p in self.parts)


def _data(value: Any) -> str:
    """`value` in the English that data carries (a message's str): a Stored value as stored."""
    if isinstance(value, (list, tuple)) and not callable(getattr(value, "label", None)):
        return render(value, "en")
    return str(_english(value))


def _message_of(error: Any) -> Any:
    if isinstance(error, BaseException) and len(error.args) == 1:
        return error.args[0]
    return error


def _head(message: Any) -> str | None:
    """The value a message names first ("{what}: …"), or None."""
    if isinstance(message, Message):
        first, sep, _ = message.template.partition(": ")
        if sep and first[:1] == "{" and first[-1:] == "}" and first[1:-1] in message.params:
            return first[1:-1]
    return None


def headed(error: Any, head: Any) -> Message:
    """The same message naming `head` as its place: "--checkpoint: X" told of a file becomes "FILE: X"."""
    message = _message_of(error)
    key = _head(message)
    if key is not None:
        return Message(message.template, **{**message.params, key: head})
    return t("{head}: {message}", head=head, message=message)


class headless(str):
    """A message without the place it names first ("--checkpoint: X" → "X"), in the reader's language."""

    def __new__(cls, error: Any) -> "headless":
        message = _message_of(error)
        self = super().__new__(cls, _without_head(message, "en"))
        self.message = message
        return self

    def label(self, lang: str) -> str:
        return _without_head(self.message, lang)


def _without_head(message: Any, lang: str) -> str:
    text = render(message, lang)
    key = _head(message)
    if key is not None:
        shown = render(message.params[key], lang)
        for sep in ("：", ": "):
            if text.startswith(shown + sep):
                return text[len(shown) + len(sep):]
    return text


def _english(value: Any) -> Any:
    if isinstance(value, Message) or isinstance(value, BaseException):
        return str(value)
    if isinstance(value, Data):  # an English sentence reads a stored value's English word (巡察 → inspection): its JSON field keeps the value
        return value.label("en")
    label = getattr(value, "label", None)
    if callable(label) and not isinstance(value, type):
        return label("en")
    if type(value) is list:  # as render() joins a list in any other language
        return ", ".join(str(_english(v)) for v in value)
    return value


# The operating system's words for why a file could not be used (an OSError's strerror), as messages.
OS_ERRORS = {
    "No such file or directory": t("No such file or directory"), "Permission denied": t("Permission denied"),
    "Is a directory": t("Is a directory"), "Not a directory": t("Not a directory"),
    "Read-only file system": t("Read-only file system"), "No space left on device": t("No space left on device"),
    "File exists": t("File exists"),
}


def _rendered(value: Any, lang: str, plain: Callable[[str], str] | None) -> Any:
    if isinstance(value, (Message, BaseException, list, tuple)) or callable(getattr(value, "label", None)):
        return render(value, lang, plain)
    if isinstance(value, str) and value in OS_ERRORS:
        return OS_ERRORS[value].render(lang)
    if plain is not None and isinstance(value, str) and lang != "en":
        return plain(value)
    return value


def render(value: Any, lang: str, plain: Callable[[str], str] | None = None) -> str:
    """`value` as the reader sees it in `lang`: a Message translated, an error by its message, text as it is."""
    if isinstance(value, Message):
        return value.render(lang, plain)
    if isinstance(value, BaseException):
        if len(value.args) == 1 and isinstance(value.args[0], Message):
            return value.args[0].render(lang, plain)
        text = str(value)
        return plain(text) if plain is not None and lang != "en" else text
    label = getattr(value, "label", None)
    if callable(label) and not isinstance(value, type):
        return label(lang)
    if isinstance(value, (list, tuple)):
        return ("、" if lang == "zh" else ", ").join(render(v, lang, plain) for v in value)
    return str(value)


# -- the catalogues -------------------------------------------------------------------------------------------


def speak_in_libraries(lang: str) -> None:
    """Make libraries that word their messages with stdlib gettext (click's usage errors) speak `lang`, from the
    same catalogue: gettext's global domain is this one, its language `lang` (gettext reads LANGUAGE)."""
    import gettext

    if lang != "en":
        catalogue(lang)  # compiled, if it was not
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = lang

_catalogues: dict[str, Any] = {}


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    return po_path(lang).with_suffix(".mo")


def catalogue(lang: str) -> Any:
    """The gettext catalogue of `lang`, compiled from its .po file when the .mo is missing or older."""
    found = _catalogues.get(lang)
    if found is not None:
        return found
    import gettext

    po, mo = po_path(lang), mo_path(lang)
    if not po.exists():
        found = gettext.NullTranslations()
    else:
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            data = compile_catalogue(po)
            try:
                tmp = mo.with_name(f".{mo.name}.{os.getpid()}")
                tmp.write_bytes(data)
                os.replace(tmp, mo)
            except OSError:  # an installed, read-only package: use the compiled bytes in memory
                import io

                found = gettext.GNUTranslations(io.BytesIO(data))
        if found is None:
            # Through gettext's own cache: click's strings, read from the same file by gettext's global domain
            # (speak_in_libraries), then reuse this parse instead of a second one (about 5 ms of start-up).
            found = gettext.translation(DOMAIN, str(LOCALE_DIR), languages=[lang])
    _catalogues[lang] = found
    return found


def compile_catalogue(po: Path) -> bytes:
    """The .mo bytes of a .po file (Babel's reader and writer)."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(po, "rb") as f:
        cat = read_po(f)
    out = io.BytesIO()
    write_mo(out, cat)
    return out.getvalue()
