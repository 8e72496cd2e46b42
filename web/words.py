"""Messages and audit-trail cells in the page's language: the web view's one source of them.

For now they come from the CLI's catalogue (commands/i18n.py), imported when
a page first needs them; this is the one module of web/ that imports
commands/. When messages are keys rendered at the boundary (ledger/messages.py,
issue 30), only this file changes.
"""

from __future__ import annotations

from typing import Any


def message(text: Any, lang: str = "zh") -> str:
    """A message (an error, a verification line) in `lang`."""
    from commands import i18n

    return i18n.translate(str(text), lang)


def cell(value: Any, column: str, lang: str = "zh") -> Any:
    """An audit-trail cell (details, correction) in `lang`."""
    from commands import i18n

    return i18n.value_word(column, value, lang)
