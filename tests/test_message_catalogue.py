"""Every message the ledger can put on screen has a Chinese rendering in the catalogue (commands/i18n.py).

The sites are found in the source (tests/message_sites.py): raises of user-facing errors, lifecycle rules,
tampering findings, feedback-list rows, fragments worded into a message, confirmations and echoed lines.
A site passes when some sample of its message is changed by the catalogue and keeps no run of three English
words outside `commands`, --options, 'quoted values' and file names.
"""

from __future__ import annotations

import pytest

from message_sites import in_chinese, message_sites

# Sites that stay as written, and why. Keyed by (file, the template's start).
STAYS: dict[tuple[str, str], str] = {
    # internal faults, never a user's doing: a programming error surfaces as a traceback on purpose
    ("projections/tables.py", "unknown read model"): "a caller passed a read model the code does not have",
    ("projections/status.py", "not a light"): "a caller passed a light the code does not have",
    # both stores' guard (SQLite and PostgreSQL): held_transaction is entered only by ledger/importing.py, once per
    # attempt and never nested, and its `finally` clears the hold even when an attempt fails and is retried
    ("ledger/store.py", "a transaction is already held open"): "held_transaction entered inside itself: a programming error",
}


def _stays(site) -> bool:
    return any(site.file == f and site.template.startswith(start) for f, start in STAYS)


def test_the_sites_are_found():
    sites = message_sites()
    kinds = {s.kind for s in sites}
    assert {"raise", "rule", "tamper", "row", "fragment", "echo", "status"} <= kinds, kinds
    assert len(sites) > 400
    # the checker can fail: an English line the catalogue never heard of is not in Chinese
    from message_sites import Site

    assert not in_chinese(Site("x.py", 1, "raise", "the frobnicator \x00 is not wound up"))
    assert in_chinese(Site("x.py", 1, "raise", "unknown problem ID: \x00"))
    assert not in_chinese(Site("x.py", 1, "echo", "no problems match"))  # known, but echoed as written
    assert not in_chinese(Site("x.py", 1, "status", "\x00: frobbed (status: \x00)"))  # one English word is English too


def test_every_message_has_a_chinese_rendering():
    missing = [str(s) for s in message_sites() if not _stays(s) and not in_chinese(s)]
    assert not missing, f"{len(missing)} message sites print English under zh:\n" + "\n".join(missing)


@pytest.mark.parametrize("key", sorted(STAYS))
def test_each_allowed_site_still_exists(key):
    file, start = key
    assert any(s.file == file and s.template.startswith(start) for s in message_sites()), key


def test_the_catalogues_shortcut_never_changes_a_translation():
    """Each pattern is tried only on a text holding its required plain text: the same answers as trying them all."""
    from commands import i18n

    samples = [text for site in message_sites() for text in site.samples()]
    samples += ["Invalid value for '--port': 99999 is not in the range 1<=x<=65535.", "No such option '--nope'. Did you mean '--nop'?"]
    i18n._tail.cache_clear()
    shortcut = [i18n.translate(text, "zh") for text in samples]
    patterns = [p for p, _ in i18n._COMPILED + i18n._TAILS + i18n._HEADS]
    required = [p.required for p in patterns]
    assert all(required), [p.pattern for p in patterns if not p.required]  # every pattern has text to look for
    try:
        for p in patterns:
            p.required = ""
        i18n._tail.cache_clear()
        assert [i18n.translate(text, "zh") for text in samples] == shortcut
    finally:
        for p, text in zip(patterns, required):
            p.required = text
        i18n._tail.cache_clear()
    assert i18n._required_text(r"(.+) is not a folder") == " is not a folder"
    assert i18n._required_text(r"(.+) mode (\d+)(: readable)?\)") == " mode "
    assert i18n._required_text(r"(\d+) files? verified") == " verified"  # the s may be absent
    assert i18n._required_text(r"a|b") == ""
