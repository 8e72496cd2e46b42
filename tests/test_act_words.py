"""Acts on people, withholdings, corrections and decisions read the vocabulary's words in each language
(issue 30: one word for one thing; a review on the demo ledger found these lines raw English under zh)."""

from __future__ import annotations

import re

import pytest

from conftest import Ledger
from test_identity import ADMIN, enrol, keys_dir, signed  # noqa: F401  (signed: a fixture)

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_enrolling_and_granting_say_the_role_in_the_readers_language(ledger: Ledger) -> None:
    ledger("person", "keygen", "审计甲", actor=ADMIN)
    pub = str(keys_dir() / "审计甲.pem.pub")
    zh = ledger("--lang", "zh", "person", "add", "审计甲", "--role", "auditor", "--public-key", pub, actor=ADMIN).stdout
    assert "审计人员" in zh and "auditor" not in zh and "enrolled" not in zh, zh
    en = ledger("--lang", "en", "person", "add", "审计甲", "--role", "verifier", actor=ADMIN).stdout
    assert "granted 审计甲 the role verifier" in en and not CJK.sub("", en.replace("审计甲", "")) != en.replace("审计甲", ""), en
    zh = ledger("--lang", "zh", "person", "revoke", "审计甲", "--role", "verifier", actor=ADMIN).stdout
    assert "验收人" in zh and "verifier" not in zh, zh
    # the role words of earlier versions are still accepted
    ledger("person", "add", "审计甲", "--role", "验收", actor=ADMIN)


def test_a_refusal_names_roles_in_the_readers_language(signed: Ledger) -> None:  # noqa: F811
    zh = signed("--lang", "zh", "assign", "XC2019-1-1", "--lead", "刘局长", "--unit", "办公室", "--person", "张三", actor="李四", expect=1).stderr
    assert "登记员" in zh and "验收人" in zh and "registrar" not in zh and "verifier" not in zh, zh
    en = signed("--lang", "en", "assign", "XC2019-1-1", "--lead", "刘局长", "--unit", "办公室", "--person", "张三", actor="李四", expect=1).stderr
    assert "registrar" in en and "verifier" in en and not CJK.search(en.replace("李四", "")), en


def test_withholding_a_measure_or_the_whole_problem_reads_its_words(inspected: Ledger) -> None:
    ledger = inspected
    ledger("add-problem", "--inspection", "XC2019-1", "--category", "作风", "--title", "会议过多", "--at", "2020-01-15")
    zh = ledger("--lang", "zh", "withhold", "XC2019-1-1", "--reason", "privacy", "--field", "description").stdout
    assert "问题描述" in zh and "个人隐私" in zh and "description" not in zh and "privacy" not in zh, zh
    en = ledger("--lang", "en", "withhold", "XC2019-1-1", "--reason", "open-case", "--field", "measures").stdout
    assert "every measure" in en and "open case" in en and not CJK.search(en), en
    history = "".join(ledger("--lang", "zh", "history", "XC2019-1-1").stdout.split())  # the table wraps details
    assert "个人隐私" in history and "问题描述" in history and "privacy" not in history, history


def test_a_correction_says_the_field_and_its_values_in_chinese(inspected: Ledger) -> None:
    ledger = inspected
    ledger("add-problem", "--inspection", "XC2019-1", "--category", "作风", "--title", "会议过多", "--at", "2020-01-15")
    zh = ledger("--lang", "zh", "correct", "XC2019-1-1", "--field", "title", "--value", "会议过多过滥", "--reason", "笔误").stdout
    assert "问题标题已更正" in zh, zh
    ledger("correct", "XC2019-1-1", "--field", "type", "--value", "immediate", "--reason", "立行立改")
    history = "".join(ledger("--lang", "zh", "history", "XC2019-1-1").stdout.split())  # the table wraps details
    assert "立行立改" in history and "immediate" not in history.replace("--", ""), history
    en = ledger("--lang", "en", "history", "XC2019-1-1", "--format", "json").stdout
    assert "type: deadline → immediate" in en, en


def test_a_refused_extension_says_so(inspected: Ledger) -> None:
    ledger = inspected
    ledger("add-problem", "--inspection", "XC2019-1", "--category", "作风", "--title", "会议过多", "--deadline", "2020-03-01", "--at", "2020-01-15")
    ledger("extend", "XC2019-1-1", "--to", "2020-06-30", "--reason", "需协调多个部门", "--at", "2020-02-20")
    zh = ledger("--lang", "zh", "approve-extension", "XC2019-1-1", "--refuse", "--at", "2020-02-21", actor="分管领导").stdout
    assert "未批准" in zh and "refused" not in zh, zh
    history = "".join(ledger("--lang", "zh", "history", "XC2019-1-1").stdout.split())  # the table wraps details
    assert "延期申请未批准" in history and "批准=否" not in history, history
    assert "approved=False" in ledger("--lang", "en", "history", "XC2019-1-1", "--format", "json").stdout


def test_a_policy_reads_its_words(ledger: Ledger) -> None:
    zh = ledger("--lang", "zh", "person", "policy", "--proxy-signoff", "forbidden", actor=ADMIN).stdout
    assert "禁止" in zh and "forbidden" not in zh, zh
    audit = "".join(ledger("--lang", "zh", "audit", "--all").stdout.split())  # the table wraps details
    assert "设定规则代录销号：禁止" in audit and "proxy_signoff" not in audit, audit


def test_init_says_what_it_kept_in_the_readers_language(ledger: Ledger) -> None:
    zh = ledger("--lang", "zh", "init", actor=ADMIN).stdout.replace(str(ledger.folder), "")
    assert "已有的存储" in zh and "kept" not in zh and "created" not in zh, zh
    assert "kept existing store" in ledger("--lang", "en", "init", actor=ADMIN).stdout


def test_a_bad_corrected_value_names_the_field_in_the_readers_language(inspected: Ledger) -> None:
    inspected("add-problem", "--inspection", "XC2019-1", "--category", "作风", "--title", "会议过多", "--at", "2020-01-15")
    zh = inspected("--lang", "zh", "correct", "XC2019-1-1", "--field", "deadline", "--value", "soon", "--reason", "x", expect=2).stderr
    assert "整改时限" in zh and "for deadline" not in zh, zh
    en = inspected("--lang", "en", "correct", "XC2019-1-1", "--field", "deadline", "--value", "soon", "--reason", "x", expect=2).stderr
    assert "--value for deadline: 'soon'" in en, en


def test_checkpoint_lines_of_a_verification_read_in_chinese(inspected: Ledger) -> None:
    inspected("keygen")
    inspected("checkpoint", "--out", "cp.txt")
    zh = inspected("--lang", "zh", "audit", "--verify", "--checkpoint", "cp.txt").stdout
    assert "检查点：台账保有" in zh and "检查点：签名有效" in zh, zh
    assert "holds the history" not in zh and "signature valid" not in zh, zh
    en = inspected("--lang", "en", "audit", "--verify", "--checkpoint", "cp.txt").stdout
    assert "checkpoint: holds the history" in en and "checkpoint: signature valid" in en, en


def test_show_words_a_correction_a_withholding_and_a_sensitive_field(inspected: Ledger) -> None:
    ledger = inspected
    ledger("add-problem", "--inspection", "XC2019-1", "--category", "作风", "--title", "会议过多", "--at", "2020-01-15")
    ledger("correct", "XC2019-1-1", "--field", "type", "--value", "immediate", "--reason", "立行立改")
    ledger("withhold", "XC2019-1-1", "--reason", "open-case", "--field", "measures")
    zh = ledger("--lang", "zh", "show", "XC2019-1-1").stdout
    assert "限期整改" in zh and "立行立改" in zh and "deadline" not in zh and "immediate" not in zh, zh
    assert "全部措施（在办案件）" in zh, zh
    en = ledger("--lang", "en", "show", "XC2019-1-1").stdout
    assert "every measure (open case) since" in en and not CJK.search(en.replace("会议过多", "").replace("作风", "").replace("立行立改", "").replace("XC2019-1", "")), en


def test_escalating_again_and_withholding_again_name_the_level_and_part_in_one_language(inspected: Ledger) -> None:
    ledger = inspected
    ledger("add-problem", "--inspection", "XC2019-1", "--category", "作风", "--title", "会议过多", "--deadline", "2020-03-01", "--at", "2020-01-15")
    ledger("escalate", "XC2019-1-1", "--level", "reminder", "--at", "2020-03-05")
    en = ledger("--lang", "en", "escalate", "XC2019-1-1", "--level", "notice", "--at", "2020-03-06", expect=1).stderr
    assert "is already at reminder:" in en and not CJK.search(en), en
    zh = ledger("--lang", "zh", "escalate", "XC2019-1-1", "--level", "notice", "--at", "2020-03-06", expect=1).stderr
    assert "已是提醒书" in zh, zh
    ledger("withhold", "XC2019-1-1", "--reason", "state-secret")
    zh = ledger("--lang", "zh", "withhold", "XC2019-1-1", "--reason", "state-secret", expect=1).stderr
    assert "全部内容 已经不予公开" in zh and "problem" not in zh, zh
    en = ledger("--lang", "en", "withhold", "XC2019-1-1", "--reason", "state-secret", expect=1).stderr
    assert "the whole problem already withheld" in en, en


def test_audit_of_a_checkpoint_and_evidence_list_headings_read_in_chinese(inspected: Ledger) -> None:
    inspected("keygen")
    inspected("checkpoint", "--out", "cp.txt")
    audit = "".join(inspected("--lang", "zh", "audit", "--all").stdout.split())  # the table wraps details
    assert "记录检查点，至第" in audit and "checkpoint_version" not in audit and "链头" in audit, audit
    (inspected.folder / "方案.txt").write_text("整改方案\n", encoding="utf-8")
    inspected("add-problem", "--inspection", "XC2019-1", "--category", "作风", "--title", "会议过多", "--at", "2020-01-15")
    inspected("progress", "XC2019-1-1", "已学习", "--attach", str(inspected.folder / "方案.txt"), "--at", "2020-01-18")
    listing = inspected("--lang", "zh", "evidence", "list").stdout
    assert "摘要" in listing and "哈希算法" in listing and "digest" not in listing, listing
