"""The 公文 out (issue 25): `publish --format docx` read back against GB/T 9704-2012 — the document grid for
28 characters a line, Chinese punctuation in Chinese text, titles never quoted twice, no python-docx template
leftovers (core properties, thumbnail, MS Mincho, en-US), and one precision for 整改完成率."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from projections.publication import chinese_punctuation

CSV = (
    "巡察编号,巡察名称,被巡察单位,巡察组,巡察类型,进驻时间,结束时间,反馈时间,序号,问题类别,反馈问题,整改时限,责任领导,责任单位,责任人,整改措施\n"
    "XC2022-3,县委第三巡察组对县教育局党组的巡察,县教育局党组,县委第三巡察组,常规,2022-03-01,2022-04-15,2022-06-01,"
    "1,党的建设方面,“三会一课”落实不到位,2030-12-31,王海,机关党委,陈静,\"建立台账,每月检查;(按季度通报)\"\n"
    ",,,,,,,,2,党的建设方面,\"“主题党日”流于形式,内容单一(部分支部)\",2030-12-31,王海,机关党委,陈静,丰富活动形式\n"
)


@pytest.fixture
def report(ledger, tmp_path) -> Path:
    path = tmp_path / "清单.csv"
    path.write_text(CSV, encoding="utf-8")
    ledger("import", path)
    out = tmp_path / "公布.docx"
    ledger("publish", "--inspection", "XC2022-3", "--format", "docx", "--out", out, "--no-sign")
    return out


def test_the_docx_has_the_grid_for_28_characters_a_line(report):
    xml = zipfile.ZipFile(report).read("word/document.xml").decode()
    grid = re.search(r'<w:docGrid [^>]*/>', xml)[0]
    assert 'w:type="linesAndChars"' in grid
    pitch = 156 * 1440 / 25.4 / 28 / 20  # pt per character on the 156 mm line
    char_space = int(re.search(r'w:charSpace="(-?\d+)"', grid)[1])
    assert abs(16 + char_space / 4096 - pitch) < 0.001  # 三号 16 pt plus charSpace = the pitch of 28 a line
    assert 28 * (16 + char_space / 4096) <= 156 * 72 / 25.4 < 29 * (16 + char_space / 4096)


def test_no_template_leftovers_and_chinese_language(report):
    from docx import Document

    document = Document(str(report))
    props = document.core_properties
    assert props.author != "python-docx" and "python-docx" not in (props.comments or "")
    assert props.created.year >= 2024 and props.language == "zh-CN"
    names = zipfile.ZipFile(report).namelist()
    assert not any("thumbnail" in n for n in names)
    for part in ("word/fontTable.xml", "word/styles.xml"):
        text = zipfile.ZipFile(report).read(part).decode()
        assert "ＭＳ 明朝" not in text and "MS Mincho" not in text
        assert "en-US" not in text


def test_titles_are_never_quoted_twice_and_punctuation_is_chinese(report):
    from docx import Document

    text = "\n".join(p.text for p in Document(str(report)).paragraphs)
    assert "““" not in text and "””" not in text
    assert "关于“‘三会一课’落实不到位”的问题" in text  # a quotation inside a quotation: single quotes (GB/T 15834)
    assert "关于“‘主题党日’流于形式，内容单一（部分支部）”的问题" in text
    assert not re.search(r"[\u4e00-\u9fff][,;:?!][\u4e00-\u9fff]", text)


@pytest.mark.parametrize(
    "given, wanted",
    [
        ("建立台账,每月检查;按季度通报", "建立台账，每月检查；按季度通报"),
        ("是否完成?是!", "是否完成？是！"),
        ("会议(扩大)", "会议（扩大）"),
        ("2020:1, a, b, 10:30", "2020:1, a, b, 10:30"),  # between digits and Latin letters: as typed
        ("比例为3:1", "比例为3:1"),  # a digit after it: not between Chinese characters
    ],
)
def test_chinese_punctuation(given, wanted):
    assert chinese_punctuation(given) == wanted
