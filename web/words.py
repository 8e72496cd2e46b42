"""Messages and audit-trail cells in the page's language: the web view's one source of them.

A keyed message (ledger/messages.py), or an error carrying one, is rendered
from the gettext catalogue. Plain text that is not yet a keyed message (an
audit row's cells, lines some verification steps still build as text) comes
from the CLI's catalogue (commands/i18n.py), imported when a page first needs
it: this is the one module of web/ that imports commands/, and the only file
to change when those are keys too.
"""

from __future__ import annotations

from typing import Any


def message(value: Any, lang: str = "zh") -> str:
    """A message (an error, a verification line) in `lang`, on one line."""
    from ledger.messages import Message

    if isinstance(value, (Message, BaseException)):
        from ledger.messages import render

        text = render(value, lang, lambda plain: _plain(plain, lang))
    else:
        text = _plain(str(value), lang)
    return " ".join(str(text).split())


def _plain(text: str, lang: str) -> str:
    from commands import i18n

    return i18n.translate(text, lang)


def cell(value: Any, column: str, lang: str = "zh") -> Any:
    """An audit-trail cell (details, correction) in `lang`."""
    from commands import i18n

    return i18n.value_word(column, value, lang)
