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


def test_the_docx_sets_28_characters_a_line_and_22_lines_a_page(report):
    document = zipfile.ZipFile(report)
    grid = re.search(r'<w:docGrid [^>]*/>', document.read("word/document.xml").decode())[0]
    # A line grid: a character grid (linesAndChars) makes LibreOffice give characters two cells mid-paragraph.
    assert 'w:type="lines"' in grid and "charSpace" not in grid
    assert round(225 * 1440 / 25.4 / int(re.search(r'w:linePitch="(\d+)"', grid)[1])) == 22
    normal = re.search(r'<w:style [^>]*w:styleId="Normal".*?</w:style>', document.read("word/styles.xml").decode(), re.S)[0]
    advance = 16 + int(re.search(r'<w:spacing w:val="(-?\d+)"/>', normal)[1]) / 20  # 三号 16 pt plus the squeeze
    assert 28 * advance <= 156 * 72 / 25.4 < 29 * advance


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
    # The empty line, 署名, date and 附注 stay on one page (the date once fell alone on a last page).
    assert all(p.paragraph_format.keep_with_next for p in (paragraphs[at - 1], issuer, day))
    assert not note.paragraph_format.keep_with_next


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


# Words a title's line never breaks inside (GB/T 9704-2012 7.3.1: 回行时词意完整).
TITLE_WORDS = ("关于", "巡察", "巡视", "反馈", "意见", "整改", "情况", "公布", "通报", "巡察组", "巡视组", "党组", "教育局",
               "县委", "落实", "进展", "三会一课", "委员会")


def _title_lines_in(path: Path) -> list[str]:
    from docx import Document

    title = Document(str(path)).paragraphs[0]
    assert not title.paragraph_format.first_line_indent
    return title.text.split("\n")


def _assert_a_trapezoid_or_diamond(lines: list[str], title: str) -> None:
    width = lambda t: sum(1 if ord(c) > 0x2e80 else 0.5 for c in t)  # noqa: E731
    assert "".join(lines) == title
    assert all(width(line) <= 20 for line in lines), lines  # 2号 on the 156 mm line: 20 characters
    at = 0
    for line in lines[:-1]:
        at += len(line)
        for word in TITLE_WORDS:
            start = title.find(word)
            while start >= 0:
                assert not start < at < start + len(word), f"{word!r} broken: {lines}"
                start = title.find(word, start + 1)
    assert not any(line.startswith(("的", "）", "”", "，")) for line in lines[1:]), lines
    widths = [width(line) for line in lines]
    top = widths.index(max(widths))
    rising = all(a <= b for a, b in zip(widths, widths[1:]))
    falling = all(a >= b for a, b in zip(widths, widths[1:]))
    diamond = widths[: top + 1] == sorted(widths[: top + 1]) and widths[top:] == sorted(widths[top:], reverse=True)
    assert rising or falling or diamond, lines


def test_the_title_breaks_between_words_as_a_trapezoid(report):
    lines = _title_lines_in(report)
    assert lines == ["县教育局党组关于县委第三巡察组", "巡察反馈意见整改情况的公布"]
    _assert_a_trapezoid_or_diamond(lines, "县教育局党组关于县委第三巡察组巡察反馈意见整改情况的公布")


@pytest.mark.parametrize(
    "title",
    [
        "中共某某县委员会关于县委第三巡察组对县教育局党组的巡察反馈意见整改落实情况的通报",
        "某某集团有限公司党委关于省委第二巡视组巡视反馈意见整改进展情况的公布",
        "县教育局党组关于“三会一课”落实不到位问题专项整改进展情况的通报",
        "县教育局党组关于巡察整改情况的通报",  # one line: no break at all
    ],
)
def test_a_configured_title_breaks_between_words(ledger, tmp_path, title):
    from conftest import configure

    configure(ledger.folder, f"publication:\n  title: {title}\n")
    path = tmp_path / "清单.csv"
    path.write_text(CSV, encoding="utf-8")
    ledger("import", path)
    out = tmp_path / "公布.docx"
    ledger("publish", "--inspection", "XC2022-3", "--format", "docx", "--out", out, "--no-sign")
    lines = _title_lines_in(out)
    least = -(-len(title) // 20)
    assert least <= len(lines) <= least + 1 and (len(title) > 20 or len(lines) == 1)  # a line more for whole words
    _assert_a_trapezoid_or_diamond(lines, title)


def test_missing_parts_leave_no_empty_heading_or_item(ledger, tmp_path):
    """No narratives, problems without a category, no measures: every heading printed has text under it,
    the sections are numbered on (一、二、…), and no numbered item is empty."""
    from docx import Document

    csv = (
        "巡察编号,巡察名称,被巡察单位,巡察组,巡察类型,进驻时间,结束时间,反馈时间,序号,问题类别,反馈问题,整改时限\n"
        "XC2022-4,县委第四巡察组对县卫健局党组的巡察,县卫健局党组,县委第四巡察组,常规,2022-03-01,2022-04-15,2022-06-01,"
        "1,,财务报销审核不严,2030-12-31\n"
    )
    path = tmp_path / "清单.csv"
    path.write_text(csv, encoding="utf-8")
    ledger("import", path)
    out = tmp_path / "公布.docx"
    ledger("publish", "--inspection", "XC2022-4", "--format", "docx", "--out", out, "--no-sign")
    paragraphs = [p for p in Document(str(out)).paragraphs[1:] if p.text.strip()]
    texts = [p.text for p in paragraphs]
    headings = [i for i, t in enumerate(texts) if re.match(r"^[一二三四五六七八九十]+、", t) or re.match(r"^（[一二三四五六七八九十]+）", t)]
    numbered = [texts[i][0] for i in headings if "、" in texts[i][:3]]
    assert numbered == list("一二三四")[: len(numbered)], texts
    assert texts[headings[0]] == "一、巡察反馈意见整改落实情况"
    for i in headings:  # a heading has text under it (a 一、 heading may have its first （一） under it)
        following = texts[i + 1] if i + 1 < len(texts) else ""
        assert following and not re.match(r"^[一二三四五六七八九十]+、", following), f"empty heading {texts[i]!r}"
        assert not (texts[i].startswith("（") and following.startswith("（")), f"empty heading {texts[i]!r}"
    assert "未分类" not in "".join(texts)  # no (一) heading for a list without categories
    assert not any(re.fullmatch(r"（[一二三四五六七八九十]+）|\d+\.。?|[一二三四]、.{0,2}", t) for t in texts)
    assert "下一步打算" not in "".join(texts) and "主体责任情况" not in "".join(texts)
    assert "1.关于“财务报销审核不严”的问题。" in texts


LONG = (
    "巡察编号,巡察名称,被巡察单位,巡察组,巡察类型,进驻时间,结束时间,反馈时间,序号,问题类别,反馈问题,整改时限,责任领导,责任单位,责任人,整改措施\n"
    "XC2022-5,县委第五巡察组对县住建局党组的巡察,县住建局党组,县委第五巡察组,常规,2022-03-01,2022-04-15,2022-06-01,"
    "1,落实全面从严治党主体责任方面,工程项目招投标管理不规范，部分项目存在先施工后招标、化整为零规避公开招标的情况,"
    "2030-12-31,赵立新,计划财务股、质量安全监督站,刘晓燕,"
    "\"对2019年以来全部工程项目招投标情况开展全面自查，逐项建立问题清单，明确整改责任人和整改时限，并由纪检组全程跟踪督办\"\n"
)


def _sheet_widths(ledger, tmp_path, code: str) -> tuple[dict[str, float], list[int]]:
    from openpyxl import load_workbook

    xlsx, docx = tmp_path / f"{code}.xlsx", tmp_path / f"{code}.docx"
    ledger("sheet", "--inspection", code, "--out", xlsx)
    ledger("sheet", "--inspection", code, "--out", docx)
    ws = load_workbook(xlsx).active
    header = [c.value for c in ws[3]]
    xlsx_widths = {name: ws.column_dimensions[chr(65 + i)].width for i, name in enumerate(header)}
    xml = zipfile.ZipFile(docx).read("word/document.xml").decode()
    grid = [int(w) for w in re.findall(r'<w:gridCol w:w="(\d+)"', xml)]
    return xlsx_widths, grid


def test_the_sheets_column_widths_come_from_the_content(ledger, tmp_path):
    for name, text in (("短.csv", CSV), ("长.csv", LONG)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        ledger("import", tmp_path / name)
    short, short_grid = _sheet_widths(ledger, tmp_path, "XC2022-3")
    long, long_grid = _sheet_widths(ledger, tmp_path, "XC2022-5")
    assert short != long and short_grid != long_grid  # not fixed
    # The columns holding longer text are wider, in the xlsx and in the docx alike.
    for column in ("问题类别", "责任单位"):
        assert long[column] > short[column], column
        at = list(short).index(column)
        assert long_grid[at] > short_grid[at], column
    assert short["责任领导"] == long["责任领导"] > 4 * 2 + 1  # 王海, 赵立新: the heading 责任领导 on one line
    # Bounded: never narrower than 3.5 characters (the heading on two lines), never wider than the page.
    for widths in (short, long):
        assert all(8 <= w <= 24 * 2 + 1 for w in widths.values()), widths
        assert widths["整改时限"] >= 7 * 2  # 2030年12月31日 on one line
    usable = (297 - 30) * 1440 / 25.4
    assert sum(long_grid) <= usable + len(long_grid) and sum(short_grid) <= usable + len(short_grid)


@pytest.mark.parametrize("title", ["巡察组" * 400, "某" * 2000, "关于" + "某" * 70 + "的通报"])
def test_a_title_without_word_boundaries_still_breaks_into_lines_that_fit(title):
    from projections.word import title_lines

    lines = title_lines(title)
    assert "".join(lines) == title and all(len(line) <= 20 for line in lines)
    assert len(lines) <= -(-len(title) // 18)


def test_a_title_of_numbers_and_characters_with_no_word_break_still_fits_its_lines():
    """Hypothesis found it: 2022年 seven times has no break between two Chinese characters; it went on one line."""
    from projections.word import title_lines

    for title in ("2022年" * 7, "关于" + "2022" * 12):
        lines = title_lines(title)
        assert "".join(lines) == title
        assert all(sum(1 if ord(c) > 0x2e80 else 0.5 for c in line) <= 20 for line in lines), lines
    assert title_lines("2022年" * 7)[0].endswith("年")  # after 年, not inside 2022 or before 年


def test_title_lines_keep_every_character_and_fit_the_line():
    from hypothesis import given, settings, strategies as st

    from projections.word import title_lines

    words = st.sampled_from(["关于", "县委", "第三巡察组", "对", "县教育局党组", "的", "巡察", "反馈意见", "整改", "落实",
                             "情况", "的通报", "“三会一课”", "（试行）", "2022年", "专项"])

    @settings(max_examples=200, deadline=None)
    @given(st.lists(words, min_size=1, max_size=30))
    def check(parts):
        title = "".join(parts)
        lines = title_lines(title)
        assert "".join(lines) == title
        assert all(sum(1 if ord(c) > 0x2e80 else 0.5 for c in line) <= 20 for line in lines), lines

    check()

