"""A git merge driver for the message catalogue: both sides' translations kept, never a conflict marker.

Two branches that add messages both change ledger/locale/zh/LC_MESSAGES/ledger.po, and the entries
they add sit side by side, so a line merge conflicts. This merges by message instead, three ways: every
msgid of either side; its Chinese the side's that changed it from the common base (ours when both did), or
the side that has one. (Taking ours first lost a rewording made on main when main was merged into a branch,
and a fast-forward then carried the old words back.) `scripts/messages.py` then re-extracts from the merged
code (dropping what neither side's code still says).

Set up once per clone (the lead's and the helpers' worktrees share it):
    git config merge.po.name "message catalogue"
    git config merge.po.driver ".venv/bin/python scripts/po_merge.py %O %A %B"
    echo 'ledger/locale/**/*.po merge=po' >> "$(git rev-parse --git-common-dir)/info/attributes"
"""

from __future__ import annotations

import sys


def main(base: str, ours: str, theirs: str) -> int:
    from babel.messages.pofile import read_po, write_po

    def read(path: str):  # type: ignore[no-untyped-def]
        with open(path, "rb") as f:
            return read_po(f, locale="zh_Hans_CN", domain="ledger")

    mine, other, common = read(ours), read(theirs), read(base)
    for message in other:
        if not message.id:
            continue
        here = mine.get(message.id)
        before = common.get(message.id)
        if here is None:
            mine.add(message.id, message.string, locations=message.locations, flags=message.flags)
        elif not here.string and message.string:
            here.string = message.string
        elif before is not None and here.string == before.string and message.string != before.string and message.string:
            here.string = message.string  # changed on their side only
    with open(ours, "wb") as f:
        write_po(f, mine, width=0, omit_header=False, sort_output=False, include_previous=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
