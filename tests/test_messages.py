"""Messages by key (ledger/messages.py): each message is a template written once, where it arises, with its
Chinese in ledger/locale/zh/LC_MESSAGES/ledger.po; the interface renders it in the reader's language."""

from __future__ import annotations

import pickle
import re
import string
import subprocess
import sys

import pytest

from message_sites import REPO, english_words, message_sites

from ledger.errors import InvalidInput, RuleViolation, TamperingFound, UnknownID
from ledger.messages import Message, render, t

sys.path.insert(0, str(REPO / "scripts"))
import messages as catalogue_script  # noqa: E402


def _fields(template: str) -> set[str]:
    """A message's values: {name} in the code's messages, %(name)s in the web templates' (gettext's, as Jinja2 writes them)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None} | set(re.findall(r"%\((\w+)\)s", template))


@pytest.fixture(scope="module")
def zh():
    return catalogue_script.read()


@pytest.fixture(scope="module")
def extracted():
    return catalogue_script.extracted()


def test_every_message_in_the_source_has_chinese(zh, extracted):
    assert len(extracted) > 600
    assert catalogue_script.missing(zh, extracted) == []


def test_the_check_can_fail(zh, extracted):
    """A message whose Chinese is taken out is named by the check (and by `scripts/messages.py --check`)."""
    some = next(iter(extracted))
    entry = zh.get(some)
    saved = entry.string
    try:
        entry.string = ""
        assert catalogue_script.missing(zh, extracted) == [some]
    finally:
        entry.string = saved


def test_the_web_templates_messages_are_extracted_and_checked(zh, extracted):
    """Every {% trans %} block and _("…") of web/templates/ is a message of the catalogue: one without Chinese is
    named by the check, and a Chinese rendering naming a value its template has not is found."""
    from_templates = [m for m, where in extracted.items() if any(f.startswith("web/templates/") for f, _ in where)]
    # (the templates' labels are projections.words' headings, not messages of their own: some sixty messages remain)
    assert len(from_templates) > 50 and "full record" in from_templates
    some = "%(time)s (recorded by %(by)s as event %(seq)s)"
    assert some in from_templates and _fields(some) == {"time", "by", "seq"} == _fields(zh.get(some).string)
    plural = ("%(light)s · due within %(days)s day", "%(light)s · due within %(days)s days")
    assert plural in from_templates and zh.get(plural).string == ("%(light)s · %(days)s天内到期",)
    entry = zh.get("full record")
    saved = entry.string
    try:
        entry.string = ""
        assert catalogue_script.missing(zh, extracted) == ["full record"]
    finally:
        entry.string = saved


def test_the_script_checks_the_catalogue():
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "messages.py"), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_each_chinese_rendering_names_only_its_values_and_reads_in_chinese(zh, extracted):
    wrong = []
    for key in extracted:
        # a plural message (a template's {% pluralize %}) is its forms joined: each form's values and words count
        msgid, msgstr = (" ".join(v) if isinstance(v, tuple) else v for v in (key, zh.get(key).string))
        if not _fields(msgstr) <= _fields(msgid):  # Chinese may leave out a value it says otherwise (an English word)
            wrong.append(f"{msgid!r}: values {sorted(_fields(msgid))} but Chinese has {sorted(_fields(msgstr))}")
        bare = re.sub(r"\{[^{}]*\}|%\(\w+\)s|<[^>]+>", " ", msgstr)  # values and a template message's markup
        if english_words(bare):
            wrong.append(f"{msgid!r}: Chinese keeps English words: {msgstr!r}")
        if re.search(r"[\u4e00-\u9fff]", re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`", "", msgid)):
            wrong.append(f"{msgid!r}: the English holds Chinese words")
    assert not wrong, "\n".join(wrong)


def test_no_message_site_is_left_as_raw_english():
    """Every raise, rule, finding, confirmation and echoed line is a `t(...)` message; the old sites' finder
    (tests/message_sites.py) sees only literal text, so whatever it still finds with English words is unkeyed."""
    raw = [str(s) for s in message_sites() if english_words(s.template.replace("\x00", " "))]
    assert not raw, f"{len(raw)} message sites are still raw English:\n" + "\n".join(raw)


def test_the_raw_site_check_can_fail(tmp_path, monkeypatch):
    import message_sites as sites

    (tmp_path / "ledger").mkdir()
    (tmp_path / "ledger" / "x.py").write_text('def f(v):\n    raise InvalidInput(f"the frobnicator {v} is not wound up")\n')
    monkeypatch.setattr(sites, "REPO", tmp_path)
    found = [s for s in sites.message_sites() if english_words(s.template.replace("\x00", " "))]
    assert [s.file for s in found] == ["ledger/x.py"]


def test_a_message_reads_in_english_and_renders_in_chinese():
    m = t("unknown {kind} ID: {ident}", kind=t("problem"), ident="XC-1")
    assert m == "unknown problem ID: XC-1" and isinstance(m, str)
    assert render(m, "en") == "unknown problem ID: XC-1"
    assert render(m, "zh") == "未知的问题编号：XC-1"
    assert render("a plain text", "zh") == "a plain text"  # values and names are shown as they are


def test_an_error_keeps_its_message_through_str_and_pickle():
    error = UnknownID("measure", "XC-1-M9")
    assert isinstance(str(error), Message)
    assert render(error, "zh") == "未知的整改措施编号：XC-1-M9"
    again = pickle.loads(pickle.dumps(error.args[0]))
    assert isinstance(again, Message) and again.render("zh") == "未知的整改措施编号：XC-1-M9"


def test_nested_messages_render_in_one_language():
    inner = InvalidInput(t("unknown {kind} ID: {ident}", kind=t("inspection"), ident="XC2019"))
    rule = RuleViolation("x-y", "XC-1", t("is already {status}", status="closed"))
    assert render(rule, "en") == "XC-1: is already closed [rule: x-y]"
    assert render(rule, "zh").startswith("XC-1：已经是") and render(rule, "zh").endswith("[规则：x-y]")
    found = TamperingFound(7, t("is missing from the store (deleted)"))
    assert render(found, "zh") == "发现篡改：第一个出错的序号 7：事件 7 在存储中缺失（被删除）"
    assert render(found, "en") == "tampering found: first bad sequence number 7: event 7 is missing from the store (deleted)"
    assert render(t("{what}: {source}: {e}", what="--checkpoint", source="cp.txt", e=inner), "zh") == "--checkpoint：cp.txt：未知的巡察编号：XC2019"


def test_format_specs_and_conversions_survive_translation():
    m = t("{what}: '{value}' is not an amount of yuan below {MAX_YUAN:,} with at most two decimals",
          what="金额", value="x", MAX_YUAN=10**12)
    assert "1,000,000,000,000" in m and "1,000,000,000,000" in render(m, "zh")
    assert render(t("duplicate key {key!r}", key="a"), "zh") == "重复的键 'a'"
