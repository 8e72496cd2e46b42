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


def test_issuer_date_and_contacts_are_placed_as_the_standard_says(ledger, tmp_path):
    """GB/T 9704-2012 7.3.5.2 and 7.3.6: one empty line after the body, the issuer (署名), the date under it with
    its first character two characters right of the issuer's, the date two characters from the right; 联系人
    and 联系电话 as a 附注 in parentheses, two characters in, on the line after the date (not as a signature)."""
    from docx import Document

    from conftest import configure

    configure(ledger.folder, "publication:\n  contact: 李明\n  phone: 0000-1234567\n")
    path = tmp_path / "清单.csv"
    path.write_text(CSV, encoding="utf-8")
    ledger("import", path)
    out = tmp_path / "公布.docx"
    ledger("publish", "--inspection", "XC2022-3", "--format", "docx", "--out", out, "--no-sign")
    paragraphs = Document(str(out)).paragraphs
    texts = [p.text for p in paragraphs]
    at = texts.index("县教育局党组")
    assert texts[at - 1] == "" and texts[at - 2].startswith("欢迎广大干部群众")
    issuer, day, note = paragraphs[at], paragraphs[at + 1], paragraphs[at + 2]
    assert note.text == "（联系人：李明，联系电话：0000-1234567）"
    assert note.paragraph_format.first_line_indent.pt == 32
    width = lambda t: sum(1 if ord(c) > 0x2e80 else 0.5 for c in t)  # noqa: E731
    char = 16
    assert day.paragraph_format.right_indent.pt == 2 * char
    issuer_start = 28 - issuer.paragraph_format.right_indent.pt / char - width(issuer.text)
    day_start = 28 - day.paragraph_format.right_indent.pt / char - width(day.text)
    assert day_start - issuer_start == 2


def test_the_sheets_rows_never_split_across_pages(ledger, tmp_path):
    path = tmp_path / "清单.csv"
    path.write_text(CSV, encoding="utf-8")
    ledger("import", path)
    out = tmp_path / "台账.docx"
    ledger("sheet", "--inspection", "XC2022-3", "--out", out)
    xml = zipfile.ZipFile(out).read("word/document.xml").decode()
    rows = re.findall(r"<w:tr\b.*?</w:tr>", xml, flags=re.DOTALL)
    body = [r for r in rows if "关于" in r or "“" in r]
    assert body and all("<w:cantSplit/>" in r for r in body)
    props = zipfile.ZipFile(out).read("docProps/core.xml").decode()
    assert "python-docx" not in props
