"""Messages and audit-trail cells in the page's language: the web view's one source of them.

A keyed message (ledger/messages.py), or an error carrying one, is rendered from the gettext catalogue;
the words of table cells come from projections.words, as the CLI's do.
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
    from projections import words

    return words.translate(text, lang)


def cell(value: Any, column: str, lang: str = "zh") -> Any:
    """An audit-trail cell (details, correction) in `lang`."""
    from projections import words

    return words.value_word(column, value, lang)
