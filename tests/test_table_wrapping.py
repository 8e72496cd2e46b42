"""A narrow table column wraps Chinese text between characters, never inside a code: a key fingerprint's
groups, an ID (XC2019-1), a date stay whole on their line (issue 30: the fingerprint in the trail's
PersonEnrolled / LedgerFounded sentences broke as 'e' / 'b66）【…签名】' in an 80-column terminal)."""

from __future__ import annotations

import re

import pytest

from conftest import Ledger

FINGERPRINT = "6e39 8610 dff3 a7f8 a599 212f 6deb 284c 97ec eb66"
SENTENCES = [
    f"创建台账 2e144a04-e682-4b75-a0fa-75f64da9908e，管理员 县委巡察办（密钥 {FINGERPRINT}）【县委巡察办签名】",
    f"登记人员 县委巡察办，角色：验收人（密钥 {FINGERPRINT}）【县委巡察办签名】",
    "登记巡察 XC2019-1《县委第一巡察组巡察县交通运输局党组》：县委第一巡察组巡察县交通运输局党组，2019-10-28 至 2019-11-18（常规巡察），2020-01-14 反馈",
    f"enrolled 王琎 as registrar (key {FINGERPRINT}) [signed by 县委巡察办]",
]


def _cell_lines(table: str) -> list[str]:
    return [line.rstrip() for line in table.splitlines()[2:]]


@pytest.mark.parametrize("sentence", SENTENCES, ids=range(len(SENTENCES)))
def test_a_wrapped_cell_keeps_every_code_whole(sentence: str) -> None:
    from wcwidth import wcswidth

    from commands.options import render_rows

    table = render_rows([{"details": sentence}], "table", ["details"])
    lines = _cell_lines(table)
    assert all(wcswidth(line) <= 16 for line in lines), table
    assert "".join(lines).replace(" ", "") == sentence.replace(" ", ""), table  # nothing lost or added
    for code in re.findall(r"[0-9a-f]{4}(?= |）|\))|XC2019-1|\d{4}-\d\d-\d\d", sentence):
        assert any(code in line for line in lines), (code, table)
    assert not any(line.lstrip().startswith(("）", "，", "】", "：")) for line in lines), table  # no line starts with closing punctuation


def test_the_trail_shows_each_enrolled_key_in_whole_groups(ledger: Ledger) -> None:
    from test_identity import ADMIN, enrol

    enrol(ledger, {"王琎": ["registrar"], "杨荣": ["signer"], "县委巡察办主任": ["verifier"]})
    keys = [p["fingerprint"] for p in ledger.json("person", "list", actor=ADMIN)]
    for lang in ("zh", "en"):
        shown = ledger("--lang", lang, "audit", "--limit", "10").stdout
        for fingerprint in keys:
            for group in fingerprint.split():
                assert re.search(rf"(?<![0-9a-f]){group}(?![0-9a-f])", shown), (lang, fingerprint, shown)


def test_the_escalation_column_keeps_its_heading_and_its_level_whole(inspected: Ledger) -> None:
    """`due` and `status` headed the column 'escalat' / 'ion' and cut 督办通知书 as 督办通 / 知书 (a 7-cell column)."""
    inspected("add-problem", "--inspection", "XC2019-1", "--category", "作风", "--title", "会议过多", "--deadline", "2020-03-01", "--at", "2020-01-15")
    inspected("escalate", "XC2019-1-1", "--level", "notice", "--at", "2020-03-05")
    for command in (("due", "--as-of", "2020-06-01"), ("status",)):
        en = inspected("--lang", "en", *command).stdout.splitlines()
        assert re.search(r"(^|  )escalation(  |$)", en[0]), en[:3]
        assert any(re.search(r"(^|  )notice(  |$)", line) for line in en[2:]), en
        zh = inspected("--lang", "zh", *command).stdout
        assert "督办通知书" in zh, zh
