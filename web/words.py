"""Messages and audit-trail cells in the page's language: the web view's one source of them.

Both are projections.words' (the CLI's): a keyed message (ledger/messages.py), or an error carrying one, is
rendered from the gettext catalogue by `translate`; the words of table cells are `value_word`'s.
"""

from __future__ import annotations

from typing import Any


def message(value: Any, lang: str = "zh") -> str:
    """A message (an error, a verification line) in `lang`, on one line (a page's line does not wrap as a terminal's)."""
    from projections.words import translate

    return " ".join(str(translate(value, lang)).split())


def cell(value: Any, column: str, lang: str = "zh") -> Any:
    """A table cell (an audit trail's details, a list's word) in `lang`, as the CLI's tables show it."""
    from projections import words

    return words.cell(words.value_word(column, value, lang))
