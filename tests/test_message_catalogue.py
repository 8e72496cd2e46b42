"""The old regex catalogue (commands/i18n.py), while it still words values that are plain text inside keyed
messages: its shortcut must never change a translation. Messages themselves are keyed (tests/test_messages.py)."""

from __future__ import annotations

from message_sites import message_sites

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
