"""The review's word findings of issue 30 (part A): one word for one thing on every screen, in each language.

Each test reads the screens a clerk reads — the act's own line, `show`, `history`, `audit`, `--help`, `doctor`,
the web view's problem page — and fails when one of them names the same thing with another word.
"""

from __future__ import annotations

import html
import re

import pytest

from test_language import problem
from test_web import client_for
from test_identity import signed  # noqa: F401  (the fixture)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def store_kind() -> str:
    """Words do not depend on the store: these screens are read on SQLite (the store-level tests run on both)."""
    return "sqlite"


def _table_rows(page: str, table_id: str) -> list[list[str]]:
    """The cells of a web page's table, as text."""
    start = page.index(f'id="{table_id}"')
    body = page[start:page.index("</table>", start)]
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def _one_line(text: str) -> str:
    """A markdown table's text with its cells' wrapping undone."""
    return re.sub(r"\s+", " ", text)


# (field, new value) → the field's word and its old → new values' words, per language.
CORRECTIONS = [("type", "immediate"), ("source", "审计"), ("M1.due", "2020-05-31")]
WORDS = {
    "zh": {"type": ("整改类型", "限期整改", "立行立改"), "source": ("问题来源", "巡察", "审计"),
           "M1.due": ("措施M1 时限", "2020-04-30", "2020-05-31")},
    "en": {"type": ("type", "deadline", "immediate"), "source": ("source", "inspection", "audit"),
           "M1.due": ("measure M1 due date", "2020-04-30", "2020-05-31")},
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_corrections_field_and_values_read_one_word_on_every_screen(inspected, monkeypatch, lang):
    """Review 30d items 2 and 5: the act line said "M1.时限", `audit` "M1 时限", the web page "M1.due" and
    "deadline | immediate" (codes) on a Chinese page, "巡察 | 审计" on an English one."""
    monkeypatch.delenv("LEDGER_LANG", raising=False)
    pid = problem(inspected)
    inspected("plan", pid, "修订学习制度", "--due", "2020-04-30", "--at", "2020-01-17")
    said = {}
    for field, value in CORRECTIONS:
        said[field] = inspected.out("--lang", lang, "correct", pid, "--field", field, "--value", value, "--reason", "录入错误")
    shown = inspected.out("--lang", lang, "show", pid)
    history = _one_line(inspected.out("--lang", lang, "history", pid, "--format", "markdown"))
    trail = _one_line(inspected.out("--lang", lang, "audit", "--problem", pid, "--format", "markdown"))
    page = client_for(inspected, monkeypatch).get(f"/problems/{pid}?lang={lang}").text
    web_rows = {row[2]: row[3:5] for row in _table_rows(page, "corrections")[1:]}

    for field, _ in CORRECTIONS:
        word, old, new = WORDS[lang][field]
        assert said[field].startswith(f"{pid}：{word}已更正" if lang == "zh" else f"{pid}: {word} corrected"), said[field]
        assert re.search(rf"{re.escape(word)}\s+{re.escape(old)}\s+{re.escape(new)}\s", shown), (word, shown)
        sentence = f"更正{word}：{old} → {new}" if lang == "zh" else f"corrected {word}: {old} → {new}"
        assert sentence in trail and sentence in history, (sentence, trail)
        assert web_rows.get(word) == [old, new], (word, web_rows)
    # The corrected record names its correction by the same word, with no stray space around it.
    by = "被 #{}（措施M1 时限）更正" if lang == "zh" else "corrected by #{} (measure M1 due date)"
    assert re.search(re.escape(by).replace(r"\{\}", r"\d+"), trail), trail
    # Data keeps the field's name and the stored values.
    data = inspected.json("audit", "--problem", pid)
    assert [row["data"]["field"] for row in data if row["event"] == "Corrected"] == ["type", "source", "M1.due"]


CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def _help(ledger, lang: str, *command: str) -> str:
    """A help page with its lines joined (Chinese help wraps anywhere, even inside a word)."""
    text = ledger.out("--lang", lang, *command, "--help")
    return "".join(line.strip() for line in text.splitlines()) if lang == "zh" else " ".join(text.split())


def test_role_and_field_words_in_help_are_the_vocabularys(ledger):
    """Review 30d items 3, 4: `person add --help` said "责任人 responsible" (the role is 整改责任人); `correct --help`
    said "type（类型）、source（来源）" where the act line says 整改类型/问题来源, and an inspection's fields had no word."""
    from ledger import values, vocabulary

    roles = _help(ledger, "zh", "person", "add")
    for role, word in vocabulary.ROLES.items():
        assert f"{word.zh}（{role}）" in roles, (role, roles)
    fields = _help(ledger, "zh", "correct")
    for field in (*values.CORRECTABLE_PROBLEM_FIELDS, *values.CORRECTABLE_INSPECTION_FIELDS, "M<n>.due", "M<n>.text"):
        assert f"{vocabulary.field_word(field).zh}（{field}）" in fields, (field, fields)
    assert "措施M<n> 时限（M<n>.due）" in fields
    withheld = _help(ledger, "zh", "withhold")  # the parts its refusal lists, each by its word
    for part in ("problem", "title", "description", "measures"):
        assert f"{vocabulary.WITHHOLDABLE[part].zh}（{part}）" in withheld, (part, withheld)
    for command in (("person", "add"), ("correct",), ("withhold",)):
        assert not CJK.search(_help(ledger, "en", *command).replace("'台账'", "")), command


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_accountable_help_lists_the_kinds_its_refusal_accepts(inspected, lang):
    """Review 30d item 11: `done --help` listed three kinds of accountability; the refusal (and docs/json.md) six."""
    from ledger import vocabulary

    pid = problem(inspected)
    inspected("plan", pid, "修订学习制度", "--at", "2020-01-16")
    refused = inspected("--lang", lang, "done", pid, "M1", "--accountable", "cousin=1", expect=2).stderr
    helped = _help(inspected, lang, "done")
    for kind, word in vocabulary.ACCOUNTABILITY_KINDS.items():
        shown = f"{word.zh}（{kind}）" if lang == "zh" else kind
        assert shown in refused and shown in helped, (shown, refused, helped)
    listed = re.escape("、".join(f"{w.zh}（{k}）" for k, w in vocabulary.ACCOUNTABILITY_KINDS.items()) if lang == "zh"
                       else ", ".join(vocabulary.ACCOUNTABILITY_KINDS))
    assert re.search(listed, helped) and re.search(listed, " ".join(refused.split()) if lang == "en" else refused), (helped, refused)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_doctor_names_the_signer_role_by_its_word(ledger, lang):
    """Review 30d item 3: doctor said "只有 0 人具有销号审批（signer）角色" (the role is 销号审批人)."""
    from conftest import configure

    configure(ledger.folder, "people:\n  - name: a\n    roles: [signer]\nsignoff:\n  required_signers: 2\n")
    said = " ".join(ledger("--lang", lang, "doctor", expect=1).stdout.split())
    wanted = "只有 1 人具有销号审批人角色" if lang == "zh" else "only 1 person has the signer role"
    assert wanted in said, said


def _trail_row(ledger, lang: str, event: str) -> str:
    """The details of the last audit-trail row of `event`, on screen in `lang`."""
    rows = [line.split("|") for line in ledger.out("--lang", lang, "audit", "--all", "--format", "markdown").splitlines()[2:]]
    return [r[7].strip() for r in rows if r[6].strip() in (event, __import__("ledger.vocabulary").vocabulary.EVENTS[event].zh)][-1]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_people_act_reads_one_sentence_in_its_line_and_in_audit(ledger, lang):
    """Review 30d items 6, 13: `person policy` said "proxy entry of sign-off is forbidden", `audit` "policy
    proxy_signoff set to forbidden"; `person add` said "enrolled X with auditor", `audit` "enrolled X as auditor"."""
    from test_identity import ADMIN, keys_dir

    ledger("person", "keygen", "审计甲", actor=ADMIN)
    for act, event in ((("person", "policy", "--proxy-signoff", "forbidden"), "PolicySet"),
                       (("person", "add", "审计甲", "--role", "auditor", "--public-key", str(keys_dir() / "审计甲.pem.pub")), "PersonEnrolled"),
                       (("person", "revoke", "审计甲", "--role", "auditor"), "RoleRevoked")):
        said = ledger("--lang", lang, *act, actor=ADMIN).stdout.strip()
        trail = _trail_row(ledger, lang, event)
        assert trail.startswith(said), (said, trail)
    assert said and (("审计人员" in said and "auditor" not in said) if lang == "zh" else "revoked 审计甲's role auditor" == said), said
    policy = _trail_row(ledger, lang, "PolicySet")
    assert policy.startswith("设定规则代录销号：禁止" if lang == "zh" else "policy proxy entry of sign-off set to forbidden"), policy
    again = " ".join(ledger("--lang", lang, "person", "policy", "--proxy-signoff", "forbidden", actor=ADMIN, expect=2).stderr.split())
    assert ("规则代录销号已经是禁止" if lang == "zh" else "policy proxy entry of sign-off is already forbidden") in again, again
    enrolled = _trail_row(ledger, lang, "PersonEnrolled")
    assert enrolled.startswith("登记人员 审计甲，角色：审计人员" if lang == "zh" else "enrolled 审计甲 as auditor"), enrolled


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_choice_refusal_reads_the_one_form(ledger, lang):
    """Review 30d items 6, 7: `person policy --proxy-signoff maybe` listed "'allowed' 或 'forbidden'" and
    `link --as cousin` "不是 recurrence（屡查屡犯）或 same-kind（同类问题）"; the form of every other choice refusal is
    "--as：'cousin' 不是可选值之一：屡查屡犯（recurrence）、同类问题（same-kind）"."""
    from test_identity import ADMIN

    ledger(*__import__("conftest").INSPECTION)
    ledger("add-problem", "--inspection", "XC2019-1", "--category", "作风", "--title", "会议过多", "--at", "2020-01-15")
    ledger("add-problem", "--inspection", "XC2019-1", "--category", "作风", "--title", "会议仍多", "--at", "2020-01-15")
    zh = lang == "zh"
    refusals = {
        ("person", "policy", "--proxy-signoff", "maybe"):
            "'maybe' 不是可选值之一：允许（allowed）、禁止（forbidden）" if zh else "'maybe' is not one of allowed, forbidden",
        ("link", "XC2019-1-2", "XC2019-1-1", "--as", "cousin"):
            "--as：'cousin' 不是可选值之一：屡查屡犯（recurrence）、同类问题（same-kind）" if zh else "--as: 'cousin' is not one of recurrence, same-kind",
        ("confide", "XC2019-1-1", "--field", "nope", "--value", "x"):
            "--field：'nope' 不是可选值之一：举报人（whistleblower）、案情（case-details）" if zh else "--field: 'nope' is not one of whistleblower, case-details",
    }
    for command, wanted in refusals.items():
        said = " ".join(ledger("--lang", lang, *command, actor=ADMIN, expect=2).stderr.split())
        assert wanted in said, (command, said)


def test_a_link_refusal_is_one_english_sentence(inspected):
    """Review 30d item 12: "Ten-13: and Ten-7 were fed back by the same inspection" (a sentence without its subject)."""
    for title in ("会议过多", "会议仍多"):
        inspected("add-problem", "--inspection", "XC2019-1", "--category", "作风", "--title", title, "--at", "2020-01-15")
    en = " ".join(inspected("--lang", "en", "link", "XC2019-1-2", "XC2019-1-1", "--as", "recurrence", expect=1).stderr.split())
    assert "XC2019-1-2: fed back by the same inspection as XC2019-1-1: link a problem found again by a later one" in en, en
    zh = " ".join(inspected("--lang", "zh", "link", "XC2019-1-2", "XC2019-1-1", "--as", "recurrence", expect=1).stderr.split())
    assert "XC2019-1-2：与 XC2019-1-1 由同一次巡察反馈" in zh, zh


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_missing_column_is_named_by_its_heading_word_in_the_readers_language(ledger, tmp_path, lang):
    """Review 30d item 16: "缺少列 'title'（反馈问题）" named the column by its code, and the English line
    "column 'title' (反馈问题) is missing" held Chinese; 'inspection'（巡察）disagreed with the vocabulary's 巡察编号."""
    from ledger import vocabulary

    no_title = tmp_path / "no-title.csv"
    no_title.write_text("序号,整改措施\n1,建立制度\n", encoding="utf-8")
    no_inspection = tmp_path / "no-inspection.csv"
    no_inspection.write_text("序号,问题标题\n1,会议过多\n", encoding="utf-8")
    for path, field in ((no_title, "title"), (no_inspection, "inspection")):
        said = " ".join(ledger("--lang", lang, "import", str(path), expect=2).stderr.split())
        word = vocabulary.IMPORT_FIELDS[field]
        assert (f"缺少列“{word.zh}”" if lang == "zh" else f"column '{word.en}' is missing") in said, said
        if lang == "en":
            assert not CJK.search(said.replace(str(path), "")), said
    assert vocabulary.IMPORT_FIELDS["inspection"].zh == "巡察编号"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_checkpoint_and_sample_acts_have_a_subject_word(ledger, lang):
    """Review 30d item 17: `audit` showed a raw UUID as the subject of a checkpoint and a sample draw, where people
    events read 人员与权限 / people. On screen their word; in data (JSON) the ID as ever."""
    from guard_helpers import FEEDBACK_YAML, close_problem
    from ledger import vocabulary

    ledger("import", FEEDBACK_YAML)
    close_problem(ledger, "XC2020-2-1")
    ledger("sample", "--inspection", "XC2020-2", "--size", "1", "--seed", "7")
    ledger("keygen")
    ledger("checkpoint")
    rows = [line.split("|") for line in ledger.out("--lang", lang, "audit", "--all", "--format", "markdown").splitlines()[2:]]
    subjects = {r[6].strip(): r[5].strip() for r in rows}
    words = {"zh": {"Drawn": "抽查", "Recorded": "检查点"}, "en": {"Drawn": "sample draw", "Recorded": "checkpoint"}}[lang]
    for event, word in words.items():
        shown = subjects[vocabulary.EVENTS[event].of(lang)]
        assert shown == word, (event, shown)
    data = {r["event"]: r["subject"] for r in ledger.json("audit", "--all")}
    assert re.fullmatch(r"[0-9a-f-]{36}", data["Drawn"]) and re.fullmatch(r"[0-9a-f-]{36}", data["Recorded"]), data


@pytest.mark.parametrize("argv", [("audit", "--verify", "--jobs", "0"), ("serve", "--port", "99999")])
def test_a_range_refusal_has_no_full_stop_before_its_hint(ledger, argv):
    """Review 30d item 20: "0 不在范围 1<=x<=64 之内。（见" — click's full stop before the hint, unlike every other refusal."""
    zh = ledger("--lang", "zh", *argv, expect=2).stderr.strip()
    assert re.search(r"不在范围 \S+ 之内（见 `\S+ \S+ --help`）$", zh) and "。（" not in zh, zh
    en = ledger("--lang", "en", *argv, expect=2).stderr.strip()
    assert re.search(r"is not in the range \S+ \(see `\S+ \S+ --help`\)$", en), en


def test_the_proxy_signoff_refusal_names_the_policy_by_its_words(signed, tmp_path):
    """The refusal named the policy by its code under zh ("（proxy_signoff: forbidden）"), where `person policy`
    and `audit` say 代录销号：禁止."""
    from test_identity import ADMIN, through_verification

    through_verification(signed)
    paper = tmp_path / "p.pdf"
    paper.write_bytes(b"paper")
    signed("person", "policy", "--proxy-signoff", "forbidden", actor=ADMIN)
    close = ("close", "XC2019-1-1", "--for", "杨荣", "--attach", str(paper))
    zh = " ".join(signed("--lang", "zh", *close, actor="赵六", expect=1).stderr.split())
    assert "本台账的规则不允许代他人录入销号（代录销号：禁止）" in zh, zh
    en = " ".join(signed("--lang", "en", *close, actor="赵六", expect=1).stderr.split())
    assert "for someone else (proxy entry of sign-off: forbidden)" in en, en
