"""Chinese on screen by default; English with --lang en, LEDGER_LANG=en or `language: en`.

These tests run without the suite's LEDGER_LANG=en (marker `language`). JSON
keys and values are the same in every language.
"""

from __future__ import annotations

import json

import pytest
import wcwidth

from commands.i18n import translate
from ledger.messages import t
from conftest import run_executable

pytestmark = pytest.mark.language

LONG = "关于“党组理论学习中心组学习制度落实不到位、学习内容针对性不强、学习形式单一、学用结合不紧密”的问题"


def problem(ledger, title: str = "关于“思想认识不深刻”的问题") -> str:
    return ledger.out("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", title, "--at", "2020-01-15")


def width(text: str) -> int:
    return max(wcwidth.wcswidth(line) for line in text.splitlines())


def test_headings_status_words_and_errors_are_chinese_by_default(inspected, monkeypatch):
    monkeypatch.delenv("LEDGER_LANG", raising=False)
    pid = problem(inspected)
    inspected("assign", pid, "--lead", "杨荣", "--unit", "办公室", "--person", "王琎", "--deadline", "2020-03-31")
    status = inspected.out("status")
    assert status.splitlines()[0].split()[:5] == ["编号", "问题类别", "问题标题", "整改类型", "状态"]
    assert "整改中" in status and "限期整改" in status and "in_progress" not in status
    summary = inspected.out("summary")
    assert "反馈问题" in summary and "申请延期" in summary and "合计" in summary

    unknown = inspected("show", "XC2019-1-99", expect=1)
    assert unknown.stderr == "ledger：错误：未知的问题编号：XC2019-1-99\n"
    rule = inspected("close", pid, actor="主要负责人", expect=1)
    assert rule.stderr.startswith(f"ledger：错误：{pid}：销号前须有") and "[规则：sign-off-after-passing-verification]" in rule.stderr
    usage = inspected("assign", pid, "--lead", "杨荣", expect=2)
    assert usage.stderr.startswith("ledger：错误：缺少选项 '--unit'") and "assign --help`）" in usage.stderr
    confirm = inspected.out("assign", pid, "--lead", "杨荣", "--unit", "办公室", "--person", "李明")
    assert confirm == f"{pid}：责任到人：李明（办公室），责任领导 杨荣（状态：整改中）"  # the audit trail's words


def test_english_with_the_option_the_environment_or_the_config(inspected, monkeypatch):
    monkeypatch.delenv("LEDGER_LANG", raising=False)
    pid = problem(inspected)
    assert inspected.out("--lang", "en", "status").splitlines()[0].split()[:5] == ["id", "category", "title", "type", "status"]
    assert inspected("--lang", "en", "show", "XC2019-1-99", expect=1).stderr == "ledger: error: unknown problem ID: XC2019-1-99\n"

    monkeypatch.setenv("LEDGER_LANG", "en")
    assert "registered" in inspected.out("status") and "已登记" not in inspected.out("status")
    assert inspected("--lang", "zh", "show", "XC2019-1-99", expect=1).stderr.startswith("ledger：错误：")  # the option wins

    monkeypatch.delenv("LEDGER_LANG")
    config = inspected.folder / "ledger.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("language: zh", "language: en"), encoding="utf-8")
    assert inspected.out("status").splitlines()[0].startswith("id")
    assert inspected("show", "XC2019-1-99", expect=1).stderr.startswith("ledger: error: unknown problem ID")
    assert "registered" in inspected.out("status", "--format", "json")  # JSON: English values anyway
    config.write_text(config.read_text(encoding="utf-8").replace("language: en", "language: fr"), encoding="utf-8")
    bad = inspected("status", expect=2)
    # A ledger.yaml that names no language we speak is refused in the default language.
    assert "'language' 须为 zh 或 en，不能是 'fr'" in bad.stderr and bad.stderr.count("\n") == 1
    del pid


def test_json_is_the_same_in_every_language(inspected, monkeypatch):
    monkeypatch.delenv("LEDGER_LANG", raising=False)
    pid = problem(inspected)
    for command in (["status"], ["show", pid], ["summary"], ["due", "--as-of", "2020-06-01"], ["history", pid]):
        zh = json.loads(inspected(*command, "--format", "json").stdout)
        en = json.loads(inspected("--lang", "en", *command, "--format", "json").stdout)
        assert zh == en, command


def test_tables_fit_a_120_column_terminal(inspected, monkeypatch):
    monkeypatch.delenv("LEDGER_LANG", raising=False)
    for _ in range(3):
        pid = problem(inspected, LONG)
        inspected("assign", pid, "--lead", "党组书记、局长", "--unit", "机关党支部（办公室）", "--person", "欧阳晓明", "--deadline", "2020-03-31")
        inspected("escalate", pid, "--level", "accountability", "--note", "县纪委监委问责书〔2020〕第12号")
    for lang in ("zh", "en"):
        for command in (["status"], ["due", "--as-of", "2020-06-01"], ["history", pid], ["audit"], ["summary"]):
            text = inspected("--lang", lang, *command).stdout
            assert width(text) <= 120, (lang, command, width(text))
    assert "学用结合不紧密" in inspected.out("status").replace("\n", "").replace(" ", "")  # wrapped, not cut


def test_plain_text_is_shown_as_it_is_and_messages_by_their_key():
    """No text is translated by reading it: plain text (a name, an outside library's words) stays as it is;
    a keyed message is rendered from the catalogue."""
    assert translate("unknown problem ID: X-1", "zh") == "unknown problem ID: X-1"  # the words, but not a message
    assert translate(t("unknown {kind} ID: {ident}", kind=t("problem"), ident="X-1"), "zh") == "未知的问题编号：X-1"
    assert translate(t("unknown {kind} ID: {ident}", kind=t("problem"), ident="X-1"), "en") == "unknown problem ID: X-1"
    pasted = "x.csv: line 2: 反馈问题: " + ": ".join(["甲"] * 200) + " no such thing"
    assert translate(pasted, "zh") == pasted


def test_the_installed_executable_speaks_chinese_unless_told(inspected, monkeypatch):
    monkeypatch.delenv("LEDGER_LANG", raising=False)
    zh = run_executable("show", "XC2019-1-99", cwd=inspected.folder, env=inspected.env)
    assert zh.returncode == 1 and zh.stderr == "ledger：错误：未知的问题编号：XC2019-1-99\n"
    en = run_executable("show", "XC2019-1-99", cwd=inspected.folder, env={**inspected.env, "LEDGER_LANG": "en"})
    assert en.returncode == 1 and en.stderr == "ledger: error: unknown problem ID: XC2019-1-99\n"


def _busy_problem(ledger) -> str:
    """A problem with every one of `show`'s sub-tables: extension, measures, verification, sign-off, escalation,
    progress, correction."""
    pid = problem(ledger)
    ledger("assign", pid, "--lead", "杨荣", "--unit", "办公室", "--person", "王琎", "--deadline", "2020-03-31", "--at", "2020-01-16")
    ledger("plan", pid, "修订学习制度", "--at", "2020-01-17")
    ledger("escalate", pid, "--level", "notice", "--note", "督办〔2020〕1号", "--at", "2020-01-18")
    ledger("extend", pid, "--to", "2020-06-30", "--reason", "制度需经党组会审议", "--at", "2020-01-19", actor="王琎")
    ledger("approve-extension", pid, "--note", "同意", "--at", "2020-01-20", actor="主要负责人")
    ledger("progress", pid, "已起草制度初稿", "--at", "2020-01-21", actor="王琎")
    ledger("correct", pid, "--field", "description", "--value", "学习流于形式", "--reason", "补充描述")
    ledger("done", pid, "M1", "--at", "2020-02-01", actor="王琎")
    ledger("verify", pid, "--grade", "good", "--at", "2020-02-05", actor="巡察办")
    ledger("close", pid, "--at", "2020-02-10", actor="主要负责人")
    return pid


def test_show_sub_tables_and_event_names_are_chinese_by_default(inspected, monkeypatch):
    import re

    from commands.i18n import EVENT_WORDS, SECTIONS

    monkeypatch.delenv("LEDGER_LANG", raising=False)
    pid = _busy_problem(inspected)
    shown = inspected.out("show", pid)
    for key in ("extensions", "measures", "verifications", "signoffs", "escalations", "progress", "corrections"):
        assert SECTIONS[key][0] + "：" in shown, key
    for word in ("已批准", "已完成", "好", "通过", "批准", "已销号", "督办通知书", "签字人", "核查人", "申请人", "原值", "现值"):
        assert word in shown, word
    # No English word left: what is Latin is the ledger's own ids (XC…, M1), ISO moments (T, Z) and the actor's name.
    assert set(re.findall(r"[A-Za-z_]{2,}", shown)) <= {"XC", "clerk"}, set(re.findall(r"[A-Za-z_]{2,}", shown))

    english = inspected.out("--lang", "en", "show", pid)
    for key in ("extensions", "measures", "verifications", "signoffs", "escalations", "progress", "corrections"):
        assert SECTIONS[key][1] + ":" in english, key
    assert "approved" in english and "passed" in english and "approval" in english and "已销号" not in english

    for command in (["history", pid], ["audit", "--problem", pid]):
        for lang, names in (("zh", set(EVENT_WORDS.values())), ("en", set(EVENT_WORDS))):
            rows = json.loads(inspected(*command, "--format", "json").stdout)
            listed = inspected("--lang", lang, *command, "--format", "markdown").stdout.splitlines()[2:]
            column = [line.split("|")[5 if command[0] == "history" else 6].strip() for line in listed]
            assert column == [(EVENT_WORDS[r["event"]] if lang == "zh" else r["event"]) for r in rows], (lang, command)
            assert set(column) <= names
        assert {r["event"] for r in json.loads(inspected(*command, "--format", "json").stdout)} <= set(EVENT_WORDS)  # JSON: English
    history = inspected.out("history", pid, "--format", "markdown")
    assert "责任领导 杨荣" in history and "核查验收评为“好”" in history and "lead=" not in history  # the trail's sentences
    english = inspected.out("--lang", "en", "history", pid, "--format", "markdown")
    assert "responsible leader 杨荣" in english and "verification graded good" in english and "=" not in english.replace("==", "")
    assert "lead=杨荣" in inspected.out("--lang", "en", "history", pid, "--format", "json")  # JSON keeps key=value
    assert "responsible leader 杨荣" in inspected.out("--lang", "en", "history", pid, "--format", "csv")  # CSV: as audit's CSV


# -- refusals: Chinese by default, English under --lang en -----------------------------------------

ZH_CSV = (
    "巡察编号,巡察名称,被巡察单位,巡察组,巡察类型,进驻时间,结束时间,序号,问题类别,反馈问题,整改时限\n"
    "XC2021-1,县委第一巡察组对县财政局党组的巡察,县财政局党组,县委第一巡察组,常规,2021-03-01,2021-04-15,1,党的领导方面,关于“学习不深入”的问题,{deadline}\n"
)


def _refusals(ledger, folder) -> list[tuple[list[str], int, str, str]]:
    """(argv, exit status, a fragment of the English message, a fragment of its Chinese text) for many kinds of refusal."""
    open_one = problem(ledger)
    ledger("plan", open_one, "修订学习制度", "--at", "2020-01-16")
    ledger("escalate", open_one, "--level", "warning", "--at", "2020-01-16")
    done = problem(ledger, "关于“责任意识不够强”的问题")
    ledger("assign", done, "--lead", "杨荣", "--unit", "办公室", "--person", "王琎", "--at", "2020-01-16")
    ledger("plan", done, "建立台账", "--at", "2020-01-16")
    ledger("done", done, "M1", "--at", "2020-01-20", actor="王琎")
    (folder / "list.txt").write_text("x", encoding="utf-8")
    (folder / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (folder / "bad-date.csv").write_text(ZH_CSV.format(deadline="2021-13-30"), encoding="utf-8")
    (folder / "bad-column.csv").write_text(ZH_CSV.replace("反馈问题", "某某说明").format(deadline="2021-09-30"), encoding="utf-8")
    (folder / "cp.txt").write_text("-----BEGIN LEDGER CHECKPOINT-----\nnonsense here\n-----END LEDGER CHECKPOINT-----\n", encoding="utf-8")
    (folder / "proof.json").write_text("{}\n", encoding="utf-8")
    (folder / "export.jsonl").write_text("x\n", encoding="utf-8")
    inspection = ["--name", "n", "--organisation", "o", "--group", "g", "--kind", "regular"]
    migrate = (
        (["migrate", "--to", "elsewhere.db"], 2, "--to must be a postgresql://user@host:port/db URL", "--to 须为形如 postgresql://")
        if ledger.kind == "sqlite"
        else (["migrate", "--to", "elsewhere.db"], 2, "migrate copies a SQLite ledger", "migrate 只复制 SQLite 台账")
    )
    return [
        # checkpoints, proofs, exports, migrate, sensitive fields, serve
        (["audit", "--verify", "--checkpoint", str(folder / "cp.txt")], 2, "the block has a line that is not one of its fields",
         "检查点块中有一行不是它的字段"),
        (["verify-consistency", str(folder / "proof.json"), "--from", str(folder / "cp.txt"), "--to", str(folder / "cp.txt")], 2,
         "is not a consistency proof (no 'rectification-ledger consistency proof' format)", "不是一致性证明（没有 'rectification-ledger consistency proof' 格式）"),
        (["verify-export", str(folder / "export.jsonl")], 2, "is not a ledger export (line 1 is not a JSON header)", "不是台账导出文件（第 1 行不是 JSON 表头）"),
        migrate,
        (["confide", open_one, "--field", "nope", "--value", "v"], 2, "--field: 'nope' is not one of whistleblower, case-details", "--field：'nope' 不是可选值之一：举报人（whistleblower）、案情（case-details）"),
        (["confide", open_one, "--field", "whistleblower", "--value", "v"], 2, "sensitive fields need the AES key", "敏感字段需要环境变量"),
        (["serve", "--token", "short"], 2, "--token must be at least 8 characters", "--token 至少须有 8 个字符"),
        (["serve", "--host", "0.0.0.0"], 2, "is not a loopback address", "不是本机回环地址"),
        # click's own complaints
        (["status", "--inpsection", "XC2019-1"], 2, "No such option '--inpsection'. Did you mean '--inspection'?",
         "没有这个选项 '--inpsection'。是否要用 '--inspection'？"),
        (["status", "extra"], 2, "Got unexpected extra argument (extra)", "多余的参数（extra）"),
        (["serve", "--port", "99999"], 2, "99999 is not in the range 1<=x<=65535", "99999 不在范围 1<=x<=65535 之内"),
        (["serve", "--token", "long-enough-token", "--token-file", str(folder / "list.txt")], 2, "give --token or --token-file, not both",
         "--token 与 --token-file 只能给出一个"),
        (["show", "XC2019-1-99"], 1, "unknown problem ID", "未知的问题编号"),
        (["show", "XC2019-1-99", "--as-of", "2020-01-01"], 1, "unknown problem ID: XC2019-1-99 as of 2020-01-01T23:59:59+00:00 (recorded time)",
         "未知的问题编号：XC2019-1-99（截至记录时间 2020-01-01T23:59:59+00:00）"),
        (["done", open_one, "M1"], 1, "is not assigned yet", "尚未责任到人"),
        (["close", done], 1, "needs a passing verification", "销号前须有"),
        (["done", done, "M1"], 1, "measure M1 is already done", "整改措施 M1 已经完成"),
        (["verify", open_one, "--grade", "good"], 1, "has no completed measure to verify", "没有已完成的整改措施"),
        (["extend", open_one, "--to", "2021-01-01", "--reason", "工程跨年"], 1, "has no deadline to extend", "没有可延期的整改时限"),
        (["approve-extension", done], 1, "has no extension request", "没有待审批的延期申请"),
        (["reopen", done, "--reason", "复查"], 1, "only signed-off problems, or ones a self-check did not find, can be reopened", "只有对账销号后或自查未发现的问题才能重新打开"),
        (["review", done, "--holds", "--note", "复查"], 1, "only signed-off problems are reviewed", "只有对账销号后的问题才能整改回头看"),
        (["escalate", open_one, "--level", "notice"], 1, "escalation can only go up", "督办只能升到更高一级"),
        (["correct", open_one, "--field", "title", "--value", "关于“思想认识不深刻”的问题", "--reason", "核对"], 1, "is already", "问题标题已经是 关于“思想认识不深刻”的问题：更正须有所改变"),
        (["add-inspection", "XC2019-1", *inspection, "--start", "2020-03-01", "--end", "2020-04-01"], 1, "already exists", "该巡察编号已存在"),
        (["add-inspection", "XC9", *inspection, "--start", "2020-03-01", "--end", "2020-02-01"], 1, "is before start", "早于进驻时间"),
        (["assign", open_one, "--lead", "a", "--unit", "b", "--person", "c", "--at", "2099-01-01"], 2, "is in the future", "晚于当前时间"),
        (["assign", open_one, "--lead", "a", "--unit", "b", "--person", "c", "--deadline", "2020/2/30"], 2, "is not a valid date", "不是有效日期"),
        (["done", done, "M9", "--funds", "abc"], 2, "is not an amount of yuan", "不是以元计的金额"),
        (["import", str(folder / "list.txt")], 2, "unknown file type", "未知的文件类型"),
        (["import", str(folder / "old.xls")], 2, "the old .xls format is not read", "不能读取旧的 .xls 格式"),
        (["import", str(folder / "missing.csv")], 2, "cannot read", "无法读取（文件或文件夹不存在）"),
        (["import", str(folder / "bad-date.csv")], 2, "line 2: 整改时限: '2021-13-30' is not a valid date", "第 2 行：整改时限：'2021-13-30' 不是有效日期"),
        (["import", str(folder / "bad-column.csv")], 2, "line 1: column 'title' is missing", "第 1 行：缺少列“问题标题”"),
        (["import", str(folder / "bad-date.csv"), "--inspection", "NOPE"], 1, "unknown inspection ID: NOPE", "未知的巡察编号：NOPE"),
        (["similar", "NOPE"], 1, "unknown problem ID: NOPE", "未知的问题编号：NOPE"),
        (["add-problem", "--inspection", "XC2019-1", "--category", "作风方面", "--title", " "], 2, "must not be empty", "不能为空"),
        (["sheet", "--inspection", "XC2019-1", "--out", str(folder / "t.pdf")], 2, "write the ledger sheet to an .xlsx or .docx file", "台账须写入"),
        (["publish", "--inspection", "XC2019-1", "--format", "docx", "--no-sign"], 2, "writes a Word document", "生成 Word 文档"),
        (["publish", "--no-sign"], 2, "give either --inspection CODE or --round NAME", "二者选一"),
        (["summary", "--round", "第十二轮", "--inspection", "XC2019-1"], 2, "cannot be combined", "不能同时使用"),
        (["summary", "--round", "没有这一轮"], 1, "unknown round ID: 没有这一轮 (rounds: none yet)", "未知的轮次：没有这一轮（已有轮次：尚无）"),
        (["status", "--format", "xlsx"], 2, "writes a workbook, not text", "生成工作簿"),
    ]


def _english_sentence(line: str) -> list[str]:
    """Runs of three or more English words, leaving out `commands`, --options, 'quoted values', [规则：rule-ids]
    and key fingerprints (groups of four hex digits: "da8f eeda" is a random key, not words)."""
    import re

    line = re.sub(r"(?:\b[0-9a-f]{4}\b\s*){2,}", " ", line)
    bare = re.sub(r"`[^`]*`|'[^']*'|--[\w-]+|\[规则：[\w-]+\]|\S+\.(?:xlsx|docx|csv|txt|xls|pdf)\b", " ", line)
    return re.findall(r"[A-Za-z]+(?:[ ,]+[A-Za-z]+){2,}", bare)


def test_refusals_speak_chinese_by_default_and_english_when_told(inspected, monkeypatch, tmp_path):
    monkeypatch.delenv("LEDGER_LANG", raising=False)
    cases = _refusals(inspected, tmp_path)
    for argv, status, english, chinese in cases:
        # (publish first notes, on a line of its own, that nobody is enrolled: in the same language)
        *notes, zh = inspected(*argv, expect=status).stderr.splitlines()
        assert zh.startswith("ledger：错误：") and all(n.startswith("ledger：提示：") for n in notes), (argv, zh, notes)
        assert chinese in zh, (argv, zh)
        for line in [zh, *notes]:
            assert not _english_sentence(line.removeprefix("ledger：错误：").removeprefix("ledger：提示：")), (argv, line)
        *notes, en = inspected("--lang", "en", *argv, expect=status).stderr.splitlines()
        assert en.startswith("ledger: error: ") and all(n.startswith("ledger: note: ") for n in notes), (argv, en, notes)
        assert english in en and chinese not in en and "规则" not in en, (argv, en)
    assert len(cases) >= 43


def test_show_inspection_one_fact_a_line_in_either_language(inspected, monkeypatch):
    monkeypatch.delenv("LEDGER_LANG", raising=False)
    inspected("correct", "XC2019-1", "--field", "round", "--value", "十届县委第十二轮巡察", "--reason", "补录轮次")
    zh = inspected.out("show", "XC2019-1").splitlines()
    assert [line.split()[0] for line in zh[:6]] == ["编号", "名称", "被巡察单位", "巡察组", "巡察类型", "轮次"]
    assert zh[4].split()[1] == "常规巡察" and "更正：" in zh and any("轮次" in line and "补录轮次" in line for line in zh)
    en = inspected.out("--lang", "en", "show", "XC2019-1").splitlines()
    assert [line.split()[0] for line in en[:6]] == ["code", "name", "organisation", "group", "kind", "round"]
    assert en[4].split()[1] == "regular" and "corrections:" in en


def test_import_confirmations_are_chinese_by_default(ledger, monkeypatch):
    from conftest import REPO

    monkeypatch.delenv("LEDGER_LANG", raising=False)
    lines = ledger.out("import", REPO / "examples" / "round.xlsx").splitlines()
    assert [line.split("：", 1)[1] for line in lines] == [
        f"已导入问题 10 个（整改措施 23 项）到 XC2020-12-{n}（新登记巡察）" for n in (1, 2, 3)
    ]
    again = ledger.out("--lang", "en", "import", REPO / "examples" / "round.xlsx").splitlines()
    assert all("nothing new: inspection XC2020-12-" in line for line in again) and len(again) == 3


def test_audit_verify_speaks_the_language(inspected, monkeypatch):
    monkeypatch.delenv("LEDGER_LANG", raising=False)
    problem(inspected)
    zh = inspected.out("audit", "--verify").splitlines()
    assert zh[0].startswith("哈希链验证通过：共 3 个事件") and any(line.startswith("操作：试用模式：尚未登记人员，2 个操作未经认证") for line in zh)
    assert zh[-1].startswith("佐证材料验证通过：附件 0 个")
    en = inspected.out("--lang", "en", "audit", "--verify").splitlines()
    assert en[0].startswith("chain verified: 3 events") and any(line.startswith("acts: trial mode") for line in en)
    assert en[-1].startswith("evidence verified: 0 attachments")
    assert inspected.json("audit", "--verify") == inspected.json("--lang", "en", "audit", "--verify")


def test_a_broken_ledger_yaml_is_refused_in_the_language(inspected, monkeypatch):
    from conftest import configure

    monkeypatch.delenv("LEDGER_LANG", raising=False)
    config = inspected.folder / "ledger.yaml"
    original = config.read_text(encoding="utf-8")
    config.write_text(original + "lights:\n  yellow_days: 30\n", encoding="utf-8")  # ledger.yaml has a lights section
    zh = inspected("status", expect=2).stderr
    assert zh.startswith("ledger：错误：") and "ledger.yaml 第 " in zh and "行：'lights' 重复给出" in zh and zh.count("\n") == 1
    en = inspected("--lang", "en", "status", expect=2).stderr
    assert "ledger.yaml at line " in en and ": 'lights' is given twice" in en
    config.write_text(original, encoding="utf-8")
    configure(inspected.folder, "lights:\n  green_days: 20\n  yellow_days: 30\n")
    zh = inspected("due", expect=2).stderr
    assert "'lights.yellow_days' 不能大于 'lights.green_days'" in zh and zh.count("\n") == 1, zh
    assert "'lights.yellow_days' must not be more than 'lights.green_days'" in inspected("--lang", "en", "due", expect=2).stderr


def test_proofs_and_tampering_speak_the_language(inspected, monkeypatch, tmp_path):
    """A consistency proof made, verified, and tampered with; a checkpoint block printed stays as signed."""
    monkeypatch.delenv("LEDGER_LANG", raising=False)
    inspected("keygen")
    problem(inspected)
    first = inspected.out("checkpoint", "--out", tmp_path / "c1.txt")
    problem(inspected, "关于“责任意识不够强”的问题")
    inspected("checkpoint", "--out", tmp_path / "c2.txt")
    # The printed block is the signed one, word for word, in any language (its fingerprint line is not translated).
    assert first.splitlines() == (tmp_path / "c1.txt").read_text(encoding="utf-8").splitlines()
    proof = tmp_path / "proof.json"
    assert "个事件的树是" in inspected.out("prove-consistency", "--from", tmp_path / "c1.txt", "--to", tmp_path / "c2.txt", "--out", proof)
    ok = inspected.out("verify-consistency", proof, "--from", tmp_path / "c1.txt", "--to", tmp_path / "c2.txt").splitlines()
    assert ok[0].startswith("一致性验证通过：") and all("签名有效" in line for line in ok[1:]) and len(ok) == 3, ok
    en = inspected.out("--lang", "en", "verify-consistency", proof, "--from", tmp_path / "c1.txt", "--to", tmp_path / "c2.txt")
    assert en.startswith("consistency verified: the ledger of ")
    swapped = ["verify-consistency", proof, "--from", tmp_path / "c2.txt", "--to", tmp_path / "c1.txt"]
    zh = inspected(*swapped, expect=4).stderr
    assert zh.startswith("ledger：错误：发现篡改：") and "证明中的旧树" in zh and not _english_sentence(zh), zh
    assert "tampering found: " in inspected("--lang", "en", *swapped, expect=4).stderr
    # A sensitive field given with a key that is not an AES key
    monkeypatch.setenv("LEDGER_CIPHER_KEY", "not-a-key")
    pid = problem(inspected, "关于“作风不实”的问题")
    confide = ["confide", pid, "--field", "whistleblower", "--value", "张某"]
    zh = inspected(*confide, expect=2).stderr
    assert "LEDGER_CIPHER_KEY 中的密钥不是 16、24 或 32 字节的 base64 AES 密钥" in zh, zh
    assert "is not a base64 AES key of 16, 24 or 32 bytes" in inspected("--lang", "en", *confide, expect=2).stderr


def test_doctor_speaks_the_language(inspected, monkeypatch):
    import re

    monkeypatch.delenv("LEDGER_LANG", raising=False)
    zh = inspected.out("doctor")
    assert zh.splitlines()[0].split() == ["检查项", "状态", "详情"], zh
    for words in ("哈希链", "签名密钥", "注意", "正常", "试用模式：本台账尚未登记人员", "处没有密钥：生成检查点或发布报告前请运行"):
        assert words in zh, words
    for line in zh.splitlines():
        # A key fingerprint (groups of four hex digits, perhaps wrapped across lines of the table) is not words.
        assert not _english_sentence(re.sub(r"(?:\b[0-9a-f]{1,4}\b\s*){2,}", "", line)), line
    assert width(zh) <= 120, width(zh)
    en = inspected.out("--lang", "en", "doctor")
    assert en.splitlines()[0].split() == ["check", "status", "detail"] and "trial mode: nobody is enrolled" in en
    assert inspected.json("doctor") == inspected.json("--lang", "en", "doctor")


def test_a_tampered_store_is_named_in_the_language(inspected, monkeypatch):
    """An edited event and a dropped Merkle node: exit 4 naming them, in Chinese by default."""
    from integrity_helpers import edit_state

    monkeypatch.delenv("LEDGER_LANG", raising=False)
    problem(inspected, "关于“学习不深入”的问题")
    # event 1 founds the ledger, 2 registers the inspection, 3 the problem
    edit_state(inspected, 3, "学习不深入".encode(), "学习很深入".encode())
    zh = inspected("audit", "--verify", expect=4).stderr
    assert zh.startswith("ledger：错误：发现篡改：第一个出错的序号 3：事件 3 ") and zh.count("\n") == 1, zh
    assert not _english_sentence(zh), zh
    en = inspected("--lang", "en", "audit", "--verify", expect=4).stderr
    assert en.startswith("ledger: error: tampering found: first bad sequence number 3: event 3 "), en


def test_the_founding_event_reads_in_the_language(inspected, monkeypatch):
    """audit --verify names the founding event (its key fingerprint printed in groups of four) in Chinese."""
    monkeypatch.delenv("LEDGER_LANG", raising=False)
    zh = inspected.out("audit", "--verify")
    assert "创建台账：事件 1，管理员 " in zh and "，自签名且验证通过" in zh, zh
    assert not any(_english_sentence(line) for line in zh.splitlines()), zh
    assert "founding: event 1, administrator " in inspected.out("--lang", "en", "audit", "--verify")


def test_audit_trail_sentences_are_chinese_on_screen_and_english_in_json_and_csv(inspected, monkeypatch):
    """`audit`'s details and corrections read in Chinese on screen; json and csv keep the English sentences."""
    import re

    monkeypatch.delenv("LEDGER_LANG", raising=False)
    pid = _busy_problem(inspected)
    inspected("review", pid, "--holds", "--note", "整改到位", "--at", "2020-05-01", actor="巡察办")
    inspected("correct", pid, "--field", "title", "--value", "关于“学习流于形式”的问题", "--reason", "录入错误")
    listed = inspected.out("audit", "--problem", pid, "--format", "markdown")
    rows = [line.split("|") for line in listed.splitlines()[2:]]
    details, corrections = [r[7].strip() for r in rows], [r[8].strip() for r in rows]
    for sentence in ("登记问题 1〔政治站位方面〕", "责任到人：王琎（办公室），责任领导 杨荣", "制定整改措施 M1：修订学习制度",
                     "完成整改措施 M1", "核查验收评为“好”：通过", "对账销号（批准）：已销号", "整改回头看：整改到位；说明：整改到位",
                     "更正问题描述：— → 学习流于形式；理由：补充描述", "更正问题标题：关于“思想认识不深刻”的问题 → 关于“学习流于形式”的问题"):
        assert any(sentence in d for d in details), sentence
    assert any(c.startswith("被 #") and c.endswith("更正") for c in corrections) and any(c.startswith("更正 #") for c in corrections)
    # No English word left: what is Latin is the ledger's own ids (XC…, M1), ISO moments (T, Z) and the actor's name.
    latin = set(re.findall(r"[A-Za-z_]{2,}", "\n".join(details + corrections)))
    assert latin <= {"XC", "clerk"}, latin

    english = inspected.out("--lang", "en", "audit", "--problem", pid, "--format", "markdown")
    assert "registered problem 1 [政治站位方面]" in english and "corrects #" in english and "登记问题" not in english
    as_json = json.loads(inspected("audit", "--problem", pid, "--format", "json").stdout)
    assert as_json == json.loads(inspected("--lang", "en", "audit", "--problem", pid, "--format", "json").stdout)
    assert as_json[0]["details"].startswith("registered problem 1 [政治站位方面]")
    assert "registered problem 1" in inspected.out("audit", "--problem", pid, "--format", "csv")


def test_english_screens_of_the_trail_and_history_hold_no_chinese_words_and_json_keeps_its_values(inspected):
    """`--lang en` audit and history word a source, a rework, a look-back and the people subject in English;
    their JSON's values and keys never change, and its English sentences read the same English words."""
    pid = _busy_problem(inspected)
    inspected("review", pid, "--holds", "--note", "ok", "--at", "2020-05-01", actor="巡察办")
    inspected("reopen", pid, "--reason", "relapse", "--at", "2020-05-02", actor="巡察办")
    inspected("plan", pid, "again", "--at", "2020-05-03", actor="王琎")
    inspected("done", pid, "M2", "--at", "2020-05-04", actor="王琎")
    inspected("verify", pid, "--grade", "poor", "--at", "2020-05-05", actor="巡察办")
    audit = inspected.out("--lang", "en", "audit", "--format", "markdown")
    for english in ("source inspection", "failed, back for rework", "review (after sign-off): holds", "| people "):
        assert english in audit, english
    for chinese in ("二次整改", "回头看", "人员与权限", "source 巡察"):
        assert chinese not in audit, chinese
    assert "source inspection" in inspected.out("--lang", "en", "history", pid, "--format", "markdown")

    rows = json.loads(inspected("--lang", "en", "audit", "--format", "json").stdout)
    details = [r["details"] for r in rows]
    # an English sentence reads the English words, in JSON too (the review of the web view); the values stay
    assert any("source inspection" in d for d in details) and any("back for rework" in d for d in details)
    assert any(d.startswith("review (after sign-off): holds") for d in details) and rows[0]["subject"] == "people (人员与权限)"
    assert not any("source 巡察" in d or "二次整改" in d or "回头看" in d for d in details)
    history = json.loads(inspected("--lang", "en", "history", pid, "--format", "json").stdout)
    assert "source=巡察" in history[0]["details"]


def test_an_acts_own_line_and_a_correction_name_fields_and_values_by_their_chinese_words(inspected, monkeypatch):
    """`approve-extension`, `correct`, `withhold` and the corrections in `show` and `history` said the stored
    English (approved, title, privacy, immediate → deadline) on a Chinese screen; their JSON still does."""
    monkeypatch.delenv("LEDGER_LANG", raising=False)
    pid = problem(inspected)
    inspected("assign", pid, "--lead", "杨荣", "--unit", "办公室", "--person", "王琎", "--deadline", "2020-03-31", "--at", "2020-01-16")
    inspected("extend", pid, "--to", "2020-06-30", "--reason", "制度需经党组会审议", "--at", "2020-01-19", actor="王琎")
    assert "延期申请已批准；整改时限 2020-06-30" in inspected.out("approve-extension", pid, "--at", "2020-01-20", actor="主要负责人")
    assert "整改类型已经是 限期整改" in inspected("correct", pid, "--field", "type", "--value", "deadline", "--reason", "录入错误", expect=1).stderr
    assert inspected.out("correct", pid, "--field", "type", "--value", "immediate", "--reason", "录入错误").startswith(f"{pid}：整改类型已更正")
    assert "问题标题不予公开（个人隐私）" in inspected.out("withhold", pid, "--reason", "privacy", "--field", "title")
    shown = inspected.out("show", pid)
    assert "限期整改" in shown.split("更正：", 1)[1] and "immediate" not in shown, shown
    assert "整改类型：限期整改 → 立行立改" in inspected.out("history", pid, "--format", "markdown")
    english = inspected.json("--lang", "en", "history", pid)
    assert any(r["details"].startswith("type: deadline → immediate") for r in english)
    inspected("plan", pid, "修订学习制度", "--at", "2020-01-21", actor="王琎")
    inspected("done", pid, "M1", "--accountable", "discipline=1", "--at", "2020-02-01", actor="王琎")
    assert "问责、处理 党纪政务处分 1 人" in inspected.out("history", pid, "--format", "markdown")  # the figure by its one name
    again = inspected.out("init")  # `init` in a made ledger says so in Chinese too
    assert "沿用已有的存储" in again and "kept existing" not in again, again
