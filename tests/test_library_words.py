"""No library's English inside a Chinese line (issue 30): a broken ledger.yaml or YAML feedback list, a file that
is no workbook, a ledger.yaml that is not UTF-8 — each is one line in the ledger's own keyed words, naming the
file, the line and the column, in either language. PyYAML's, zipfile's, openpyxl's and the XML parser's own
sentences ("found character '\\t' that cannot start any token", "File is not a zip file") are not shown."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from conftest import run_executable

BASE = "store: ledger.db\nlanguage: zh\n"

# (what is appended to a valid ledger.yaml, line, column, the Chinese reason, the English reason)
BROKEN_YAML = [
    ("policy:\n\tseparate_verifier: true\n", 4, 1, "有制表符（YAML 只能用空格缩进）", "a tab (YAML indents with spaces)"),
    ('audit_note: "unclosed\n', 3, 13, "此处开始的引号没有闭合", "a quoted value begins here and is never closed"),
    ("lights: {green_days: 30\n", 3, 9, "此处开始的括号没有闭合", "a bracket opens here and is never closed"),
    ("lights: *nowhere\n", 3, 9, "别名（*名称）没有对应的锚点（&名称）", "an alias (*name) that no anchor (&name) defines"),
    ("store2: !!python/object:os.system x\n", 3, 9, "有本文件不能使用的标签（!…）", "a tag (!…) this file may not use"),
    ("lights: a: b\n", 3, 10, "此处不能有 ':'", "a ':' that cannot stand here"),
    ("- listed\n", 3, 1, "此处的缩进或结构不对", "the indentation or the structure does not fit here"),
    ("note: \x07\n", 3, 7, "有 YAML 不允许的字符（U+0007）", "a character YAML does not allow (U+0007)"),
]


def _english_words(line: str, *allowed: str) -> set[str]:
    """Runs of three or more Latin letters in a Chinese line, but for the names it may quote."""
    for name in allowed:
        line = line.replace(name, " ")
    return set(re.findall(r"[A-Za-z]{3,}", line)) - {"YAML", "xlsx", "XML", "ledger", "zip", "chmod"}


@pytest.mark.parametrize("added, line, column, zh, en", BROKEN_YAML, ids=[b[4][:24] for b in BROKEN_YAML])
def test_a_broken_ledger_yaml_is_one_keyed_line_naming_line_and_column(tmp_path: Path, added, line, column, zh, en) -> None:
    config = tmp_path / "ledger.yaml"
    config.write_text(BASE + added, encoding="utf-8")
    env = {"LEDGER_CONFIG": str(config)}
    shown = run_executable("--lang", "zh", "status", cwd=tmp_path, env=env)
    assert shown.returncode == 2 and shown.stderr.count("\n") == 1 and "Traceback" not in shown.stderr, shown.stderr
    assert shown.stderr.strip() == f"ledger：错误：{config} 第 {line} 行第 {column} 列不是有效的 YAML：" + shown.stderr.strip().split("：", 3)[3]
    assert zh in shown.stderr and not _english_words(shown.stderr, str(config)), shown.stderr
    english = run_executable("--lang", "en", "status", cwd=tmp_path, env=env)
    assert english.returncode == 2 and f"{config} is not valid YAML at line {line}, column {column}: {en}" in english.stderr, english.stderr


def test_a_ledger_yaml_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    config = tmp_path / "ledger.yaml"
    config.write_bytes(BASE.encode() + b"# \xff\xfe\n")
    shown = run_executable("--lang", "zh", "status", cwd=tmp_path, env={"LEDGER_CONFIG": str(config)})
    assert shown.returncode == 2 and shown.stderr.strip() == f"ledger：错误：{config} 不是 UTF-8 文字（第 3 行）", shown.stderr
    english = run_executable("--lang", "en", "status", cwd=tmp_path, env={"LEDGER_CONFIG": str(config)})
    assert english.stderr.strip() == f"ledger: error: {config} is not UTF-8 text (line 3)", english.stderr


def test_a_broken_yaml_feedback_list_is_keyed_too(ledger, tmp_path: Path) -> None:
    bad = tmp_path / "list.yaml"
    bad.write_text("inspection:\n  code: XC2020-9\n\tproblems: []\n", encoding="utf-8")
    zh = ledger("--lang", "zh", "import", bad, expect=2).stderr.strip()
    assert zh == f"ledger：错误：{bad}：第 3 行：第 1 列不是有效的 YAML：有制表符（YAML 只能用空格缩进）", zh
    en = ledger("import", bad, expect=2).stderr.strip()
    assert en == f"ledger: error: {bad}: line 3: not valid YAML at column 1: a tab (YAML indents with spaces)", en


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, text in members.items():
            z.writestr(name, text)
    return path


def test_a_file_that_is_no_workbook_is_one_keyed_line_with_no_library_english(ledger, tmp_path: Path) -> None:
    """Among them a workbook whose [Content_Types].xml is broken: lxml's XMLSyntaxError was a traceback."""
    not_zip = tmp_path / "a.xlsx"
    not_zip.write_text("名称,编号\n", encoding="utf-8")
    files = {
        not_zip: "不是 zip 压缩包（xlsx 文件都是 zip 压缩包）",
        _zip(tmp_path / "b.xlsx", {"readme.txt": "hello"}): "缺少每个工作簿都有的组成部分",
        _zip(tmp_path / "c.xlsx", {"[Content_Types].xml": "<Types"}): "其 XML 格式不正确",
    }
    for path, reason in files.items():
        done = run_executable("--lang", "zh", "import", path, cwd=ledger.folder, env=ledger.env)
        assert done.returncode == 2 and "Traceback" not in done.stderr and done.stderr.count("\n") == 1, done.stderr[-1500:]
        assert done.stderr.strip() == f"ledger：错误：{path}：不是可读取的 xlsx 工作簿（{reason}）", done.stderr
        assert not _english_words(done.stderr, str(path)), done.stderr
    english = ledger("import", tmp_path / "c.xlsx", expect=2).stderr
    assert "c.xlsx: not a readable xlsx workbook (its XML is not well-formed)" in english, english


def test_english_words_passed_into_chinese_lines_are_messages_of_their_own(ledger, tmp_path: Path) -> None:
    """'no reviews {value}' was given 'due or missed' / 'to list' as English text, so the Chinese line read
    截至 …，没有due or missed的整改回头看; a YAML list's 'must be text, not a {value}' said 'mapping'."""
    for args, english in ((("reviews", "--due"), "no reviews due or missed as of "), (("reviews",), "no reviews to list as of ")):
        zh = ledger("--lang", "zh", *args).stdout
        assert "整改回头看" in zh and not _english_words(zh), zh
        assert ledger(*args).stdout.startswith(english)
    bad = tmp_path / "list.yaml"
    bad.write_text("inspection:\n  code: XC2020-9\n  name: {a: 1}\n  organisation: 县林业局党组\n  group: 县委第九巡察组\n  kind: regular\n"
                   "  start: 2020-04-07\n  end: 2020-05-22\n  feedback: 2020-07-03\nproblems: []\n", encoding="utf-8")
    zh = ledger("--lang", "zh", "import", bad, expect=2).stderr
    assert "必须是文字，不能是映射" in zh and not _english_words(zh, str(bad)), zh
