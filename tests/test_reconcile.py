"""`ledger reconcile`: matched, and each kind of mismatch (missing, extra, changed), exit 1."""

from __future__ import annotations

from guard_helpers import FEEDBACK_CSV, FEEDBACK_YAML


def _variant(tmp_path, old, new, name="list.yaml"):
    text = FEEDBACK_YAML.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_matching_list_exits_0_with_states(ledger):
    ledger("import", FEEDBACK_YAML)
    out = ledger.out("reconcile", FEEDBACK_CSV)
    assert "matched 4 · missing 0 · extra 0 · changed 0" in out
    assert "(in_progress 3, registered 1)" in out  # each status in the reader's language: the vocabulary's word
    assert "（整改中 3、已登记 1）" in ledger.out("--lang", "zh", "reconcile", FEEDBACK_CSV)
    data = ledger.json("reconcile", FEEDBACK_YAML)
    assert data["ok"] is True and data["counts"] == {"matched": 4, "missing": 0, "extra": 0, "changed": 0}
    assert [r["status"] for r in data["rows"]] == ["in_progress", "in_progress", "registered", "in_progress"]


def test_missing_problem(ledger, tmp_path):
    ledger("import", FEEDBACK_YAML)
    longer = _variant(tmp_path, "problems:\n", "problems:\n  - number: 9\n    category: 党的领导方面\n    title: 关于“漏登”的问题\n")
    result = ledger("reconcile", longer, expect=1)
    assert "missing" in result.stdout and "XC2020-2-9" in result.stdout
    assert "matched 4 · missing 1 · extra 0 · changed 0" in result.stdout
    assert "does not match" in result.stderr


def test_whole_inspection_missing(ledger):
    result = ledger("reconcile", FEEDBACK_YAML, expect=1)
    assert "matched 0 · missing 4" in result.stdout


def test_extra_problem_in_the_ledger(ledger):
    ledger("import", FEEDBACK_YAML)
    ledger("add-problem", "--inspection", "XC2020-2", "--category", "党的领导方面", "--title", "关于“台账外”的问题", "--at", "2020-07-10")
    result = ledger("reconcile", FEEDBACK_YAML, expect=1)
    assert "extra" in result.stdout and "XC2020-2-5" in result.stdout
    assert "matched 4 · missing 0 · extra 1 · changed 0" in result.stdout


def test_changed_title_and_category(ledger, tmp_path):
    ledger("import", FEEDBACK_YAML)
    ledger("correct", "XC2020-2-2", "--field", "title", "--value", "关于“项目资金管理混乱”的问题", "--reason", "错登")
    ledger("correct", "XC2020-2-3", "--field", "category", "--value", "党的领导方面", "--reason", "错登")
    result = ledger("reconcile", FEEDBACK_YAML, "--format", "json", expect=1)
    import json

    data = json.loads(result.stdout)
    assert data["ok"] is False and data["counts"] == {"matched": 2, "missing": 0, "extra": 0, "changed": 2}
    changed = {r["id"]: r["details"] for r in data["rows"] if r["result"] == "changed"}
    assert changed["XC2020-2-2"] == "title: ledger '关于“项目资金管理混乱”的问题', list '关于“项目资金管理不规范”的问题'"
    assert changed["XC2020-2-3"].startswith("category: ledger '党的领导方面', list '全面从严治党方面'")


def test_inspection_option_compares_with_another_code(ledger):
    ledger("import", FEEDBACK_YAML)
    # an inspection the ledger does not hold is an unknown ID, not a list of missing rows (issue 24, item 13)
    assert "unknown inspection ID: XC2099-1" in ledger("reconcile", FEEDBACK_YAML, "--inspection", "XC2099-1", expect=1).stderr
    assert "matched 4" in ledger.out("reconcile", FEEDBACK_YAML, "--inspection", "XC2020-2")


def test_bad_list_is_an_input_error(ledger, tmp_path):
    bad = _variant(tmp_path, "    type: immediate\n", "    type: soon\n")
    assert "type: 'soon' is not one of" in ledger("reconcile", bad, expect=2).stderr


def test_the_details_read_in_chinese_and_json_keeps_them_in_english(ledger, tmp_path):
    ledger("import", FEEDBACK_YAML)
    ledger("correct", "XC2020-2-2", "--field", "title", "--value", "关于“项目资金管理混乱”的问题", "--reason", "错登")
    ledger("add-problem", "--inspection", "XC2020-2", "--category", "党的领导方面", "--title", "关于“台账外”的问题", "--at", "2020-07-10")
    zh = ledger("--lang", "zh", "reconcile", FEEDBACK_YAML, "--format", "markdown", expect=1).stdout
    assert "问题标题：台账为“关于“项目资金管理混乱”的问题”" in zh and "台账中有，清单中没有" in zh, zh
    assert "ledger '" not in zh and "not on the list" not in zh, zh
    en = ledger("--lang", "en", "reconcile", FEEDBACK_YAML, "--format", "csv", expect=1).stdout
    assert "title: ledger '关于“项目资金管理混乱”的问题'" in en and "in the ledger, not on the list" in en, en
