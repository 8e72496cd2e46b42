"""scripts/po_merge.py, git's merge driver for the catalogue, merges by message and three ways: a Chinese rendering
one side changed and the other did not is the changed one, whichever side git calls ours."""

from __future__ import annotations

import subprocess
import sys

from message_sites import REPO

HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'


def _po(entries: dict[str, str]) -> str:
    return HEADER + "".join(f'msgid "{k}"\nmsgstr "{v}"\n\n' for k, v in entries.items())


def _merged(tmp_path, base, ours, theirs) -> dict[str, str]:
    from babel.messages.pofile import read_po

    paths = []
    for name, entries in (("base", base), ("ours", ours), ("theirs", theirs)):
        path = tmp_path / f"{name}.po"
        path.write_text(_po(entries), encoding="utf-8")
        paths.append(str(path))
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "po_merge.py"), *paths], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with open(paths[1], "rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


def test_a_rendering_changed_on_one_side_is_kept_whichever_side_it_is(tmp_path):
    base = {"rule": "[规则: x]", "same": "同"}
    reworded = {"rule": "[规则：x]", "same": "同"}
    assert _merged(tmp_path, base, base, reworded)["rule"] == "[规则：x]"  # merging main's rewording into a branch
    assert _merged(tmp_path, base, reworded, base)["rule"] == "[规则：x]"


def test_messages_added_on_either_side_are_all_kept(tmp_path):
    merged = _merged(tmp_path, {"a": "甲"}, {"a": "甲", "b": "乙"}, {"a": "甲", "c": "丙", "d": ""})
    assert merged == {"a": "甲", "b": "乙", "c": "丙", "d": ""}
    assert _merged(tmp_path, {}, {"e": ""}, {"e": "戊"})["e"] == "戊"  # a rendering the other side wrote


def test_both_sides_changing_one_rendering_keep_ours(tmp_path):
    assert _merged(tmp_path, {"a": "甲"}, {"a": "甲一"}, {"a": "甲二"})["a"] == "甲一"
