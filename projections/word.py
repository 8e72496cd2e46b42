"""Word documents (python-docx): the public report in 公文 layout, and the 台账 as a table.

The report follows GB/T 9704-2012: A4; margins top 37 mm, bottom 35 mm, left
28 mm, right 26 mm; title 方正小标宋简体 二号 (22 pt) centred; body 仿宋_GB2312
三号 (16 pt) with a two-character first-line indent; 一、 headings 黑体, (一)
headings 楷体_GB2312; lines exactly 28 pt apart; page numbers "— 1 —" in 宋体
四号 (14 pt), odd pages on the right and even pages on the left, one character
in from the edge. Chinese font names go in w:eastAsia (Word picks the font of
CJK text from it), the Latin ones in w:ascii/w:hAnsi.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Iterator
from xml.sax.saxutils import escape

from ledger.errors import InvalidInput
from ledger.messages import t

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONTS = {"h1": "黑体", "h2": "楷体_GB2312"}
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TITLE_PT, BODY_PT, PAGE_NUMBER_PT, LINE_PT = 22, 16, 14, 28


def set_fonts(run: Any, east_asian: str, size: float | None = None, *, latin: str = LATIN_FONT, bold: bool | None = None) -> None:
    """Name the run's fonts for Latin and for CJK text (w:eastAsia), and its size."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = latin
    rfonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), east_asian)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold


def _style_defaults(document: Any, east_asian: str, size: float) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style = document.styles["Normal"]
    style.font.name = LATIN_FONT
    style.font.size = Pt(size)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)


def _exact_lines(paragraph: Any, points: float = LINE_PT) -> None:
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    fmt = paragraph.paragraph_format
    fmt.line_spacing = Pt(points)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)


def _page_number(paragraph: Any, align: Any, indent: str) -> None:
    """"— N —" with N from a PAGE field, so Word and LibreOffice number every page themselves."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    paragraph.alignment = align
    setattr(paragraph.paragraph_format, indent, Pt(PAGE_NUMBER_PT))

    def run(text: str = "") -> Any:
        r = paragraph.add_run(text)
        set_fonts(r, PAGE_NUMBER_FONT, PAGE_NUMBER_PT, latin=PAGE_NUMBER_FONT)
        return r

    run("— ")
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        r = run()
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            r._element.append(instr)
        elif kind == "text":
            r.text = text
        else:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            r._element.append(fld)
    run(" —")


def _page_numbers(document: Any, section: Any) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT, "right_indent")
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT, "left_indent")


def _a4(section: Any, *, landscape: bool, margins_mm: dict[str, float]) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    width, height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = width, height
    section.top_margin = Mm(margins_mm["top"])
    section.bottom_margin = Mm(margins_mm["bottom"])
    section.left_margin = Mm(margins_mm["left"])
    section.right_margin = Mm(margins_mm["right"])
    section.footer_distance = Mm(margins_mm.get("footer", 25))


# GB/T 9704-2012: 28 characters a line of 三号 (16 pt) on the 156 mm type area, 22 lines on its 225 mm.
TYPE_WIDTH_MM, TYPE_HEIGHT_MM, CHARS_PER_LINE, LINES_PER_PAGE = 156, 225, 28, 22
TWIPS_PER_MM = 1440 / 25.4


def document_grid(section: Any, *, font_pt: float = BODY_PT) -> tuple[int, int]:
    """A line grid of LINES_PER_PAGE lines, and the body's characters narrowed so CHARS_PER_LINE fit a line.

    A character grid (w:docGrid linesAndChars) was tried: LibreOffice then gave many characters two cells
    mid-paragraph (14 a line, a 7-page report on 12 pages). Narrowing each 三号 character by what it exceeds
    the pitch (16 pt against 15.79 pt) in the Normal style sets 28 a line in Word and LibreOffice alike.
    Returns (linePitch in twips, the squeeze in twentieths of a point)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    pitch_pt = TYPE_WIDTH_MM * TWIPS_PER_MM / CHARS_PER_LINE / 20
    line_pitch = round(TYPE_HEIGHT_MM * TWIPS_PER_MM / LINES_PER_PAGE)
    sect = section._sectPr
    for old in sect.findall(qn("w:docGrid")):
        sect.remove(old)
    grid = OxmlElement("w:docGrid")
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(line_pitch))
    sect.append(grid)
    squeeze = math.floor((pitch_pt - font_pt) * 20)  # twentieths of a point, rounded down
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(squeeze))
    rpr = section.part.document.styles["Normal"].element.get_or_add_rPr()
    for old in rpr.findall(qn("w:spacing")):
        rpr.remove(old)
    rpr.append(spacing)
    return line_pitch, squeeze


# Fonts python-docx's template lists for Japanese text; a Chinese 公文 names its own.
_TEMPLATE_FONTS = ("ＭＳ 明朝", "MS Mincho", "ＭＳ ゴシック", "MS Gothic")


def _without_template_leftovers(document: Any, title: str) -> None:
    """No trace of python-docx's template: its core properties (author python-docx, created 2013, its
    description), its thumbnail, its Japanese fonts, and text tagged en-US (zh-CN instead)."""
    import re
    from datetime import datetime, timezone

    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml.ns import qn

    props = document.core_properties
    now = datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None)
    props.author, props.last_modified_by, props.comments, props.keywords, props.subject = "", "", "", "", ""
    props.title, props.language, props.revision = title, "zh-CN", 1
    props.created = props.modified = now
    package = document.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[rid]
    for rel in document.part.rels.values():
        if rel.reltype == RT.FONT_TABLE and not rel.is_external:
            part = rel.target_part
            xml = part.blob.decode("utf-8")
            for name in _TEMPLATE_FONTS:
                xml = re.sub(rf'<w:font w:name="{re.escape(name)}">.*?</w:font>\s*', "", xml, flags=re.DOTALL)
            part._blob = xml.encode("utf-8")
    for lang in document.styles.element.iter(qn("w:lang")):
        for attr in ("w:val", "w:eastAsia"):
            if lang.get(qn(attr)):
                lang.set(qn(attr), "zh-CN")
    for fonts in document.styles.element.iter(qn("w:rFonts")):
        for attr, value in list(fonts.attrib.items()):
            if value in _TEMPLATE_FONTS:
                del fonts.attrib[attr]


def save(document: Any, path: str | Path) -> None:
    try:
        document.save(str(path))
    except OSError as e:
        raise InvalidInput(t("--out: cannot write {path}: {value}", path=path, value=e.strerror or e)) from None


def _width(text: str) -> float:
    """Characters a line of text takes on the grid: a Chinese character one, a digit or Latin letter half."""
    import unicodedata

    return sum(1 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


TITLE_CHARS = int(TYPE_WIDTH_MM * 72 / 25.4 // TITLE_PT)  # 2号 characters on the 156 mm line: 20
# Where a title may break (GB/T 9704-2012 7.3.1: 回行时词意完整, 梯形或菱形), best first: 0 after 关于, before
# 关于, after 对…的, after ） or ”, after 巡察组 and its kin; 1 before the words a title is made of. Nowhere else,
# unless no split at these fits (then 5, anywhere between two Chinese characters).
_TITLE_BEFORE = ("巡察", "巡视", "反馈", "整改", "情况", "通报", "报告", "审计", "专项", "落实", "进展", "工作", "问题")
_TITLE_INSIDE = ("巡察组", "巡视组", "巡察办", "巡视办", "巡察工作", "巡视工作", "整改工作", "工作组", "问题清单", "情况的")


def _occurrences(text: str, word: str) -> Iterator[int]:
    at = text.find(word)
    while at >= 0:
        yield at
        at = text.find(word, at + 1)


def _title_breaks(title: str) -> dict[int, int]:
    """Possible breaks in the title: position (a line ends before it) → how good (lower is better)."""
    breaks: dict[int, int] = {}
    inside = {i for word in _TITLE_INSIDE for j in _occurrences(title, word) for i in range(j + 1, j + len(word))}
    after_dui = False
    for i in range(1, len(title)):
        head, rest = title[:i], title[i:]
        if head.endswith("对"):
            after_dui = True
        if rest[0] in "，。、；：）”’》" or head[-1] in "（“‘《":
            continue  # never a line starting with closing punctuation or ending with an opening one
        if i in inside:
            continue  # inside 巡察组, 整改工作 …
        if head.endswith("关于") or rest.startswith("关于") or head[-1] in "）”》":
            breaks[i] = 0
        elif after_dui and head.endswith("的"):
            breaks[i] = 0
        elif head.endswith(("巡察组", "巡视组", "督导组", "审计组", "工作组")):
            breaks[i] = 0
        elif rest.startswith(_TITLE_BEFORE):
            breaks[i] = 1
        elif "\u4e00" <= head[-1] <= "\u9fff" and "\u4e00" <= rest[0] <= "\u9fff":
            breaks[i] = 5
        elif "\u4e00" <= head[-1] <= "\u9fff":
            breaks[i] = 6  # before a number or a Latin word (2022年|2022年…), never inside one
        elif "\u4e00" <= rest[0] <= "\u9fff":
            breaks[i] = 7  # after one (2022|年): the last of these
    return breaks


def title_lines(title: str, chars: int = TITLE_CHARS) -> list[str]:
    """The title in lines of at most `chars` characters, broken between words so the lines form a 梯形
    (each line longer, or each shorter, than the one before) or a 菱形 (longest in the middle)."""
    import itertools

    if _width(title) <= chars:
        return [title]
    breaks = _title_breaks(title)
    good = sorted(at for at, weight in breaks.items() if weight <= 1)  # a title has a handful of these
    best: tuple[float, list[str]] | None = None
    least = math.ceil(_width(title) / chars)
    for count in range(least, least + 2):
        if math.comb(len(good), count - 1) > 20000:  # no real title; the even split below
            break
        for cut in itertools.combinations(good, count - 1):
            edges = (0, *cut, len(title))
            lines = [title[a:b] for a, b in zip(edges, edges[1:])]
            widths = [_width(line) for line in lines]
            if max(widths) > chars:
                continue
            rising = all(a <= b for a, b in zip(widths, widths[1:]))
            falling = all(a >= b for a, b in zip(widths, widths[1:]))
            top = widths.index(max(widths))
            diamond = all(a <= b for a, b in zip(widths[:top + 1], widths[1:top + 1])) and all(
                a >= b for a, b in zip(widths[top:], widths[top + 1:]))
            shape = 0 if rising or falling or diamond else 50  # an hourglass last of all
            score = shape + 10 * sum(breaks[c] for c in cut) + (max(widths) - min(widths)) + 20 * (count - least)
            if best is None or score < best[0]:
                best = (score, lines)
        if best is not None and best[0] < 50:
            break
    if best is not None:
        return best[1]
    # No split at word boundaries fits: lines of even length, each ending at the nearest place a line may end.
    lines, rest = [], title
    while _width(rest) > chars:
        goal = _width(rest) / math.ceil(_width(rest) / chars)
        offset, width, spots = len(title) - len(rest), 0.0, []
        for at in range(1, len(rest)):
            width += _width(rest[at - 1])
            if width > chars:
                break
            if offset + at in breaks:
                spots.append((abs(width - goal) + (2 if breaks[offset + at] >= 7 else 0), at))
        # No place a line may end fits (a long number or code): cut where the line is full, so it still fits.
        at = min(spots)[1] if spots else max(1, at - 1)
        lines.append(rest[:at])
        rest = rest[at:]
    return lines + [rest]


def _off_grid(paragraph: Any) -> None:
    """The title's characters at their own 2号 width: off the body's 28-a-line grid, without its squeeze."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    paragraph._p.get_or_add_pPr().insert_element_before(snap, "w:spacing", "w:ind", "w:jc")


def _unsqueezed(run: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), "0")  # not the Normal style's squeeze for the body's grid
    run._element.get_or_add_rPr().insert_element_before(  # in the schema's order, which Word holds to
        spacing, "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd",
        "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath")


def _signature(blocks: list[tuple[str, str]], issuer: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The body, and its end as GB/T 9704-2012 7.3.5.2 and 7.3.6 place it for a document without a seal:
    the issuer (署名) one empty line after the body, the date (成文日期) under it, its first character two
    characters right of the issuer's, and the date two characters from the right; 联系人 and 联系电话 as a
    附注 in parentheses on the line after the date, two characters in."""
    end = len(blocks)
    while end > 0 and blocks[end - 1][0] == "sign":
        end -= 1
    signs = [t for _, t in blocks[end:]]
    if not signs:
        return blocks, []
    day, notes = signs[-1], [t for t in signs[:-1] if t.startswith(("联系人", "联系电话"))]
    others = [("sign-left", t) for t in signs[:-1] if t not in notes]
    tail: list[tuple[str, str]] = [("blank", "")]
    if issuer:
        issuer_right = max(2.0, 4 + _width(day) - _width(issuer))
        tail.append((f"sign-right:{issuer_right}", issuer))
        tail.append((f"sign-right:{issuer_right + _width(issuer) - 2 - _width(day)}", day))
    else:
        tail.append(("sign-right:4", day))
    if notes:
        tail.append(("note", "（" + "，".join(notes) + "）"))
    return blocks[:end] + others, tail


def report_document(blocks: list[tuple[str, str]], checkpoint: str | None = None, issuer: str = "") -> Any:
    """The report's blocks (projections.publication.build) as a 公文-style Word document."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    from projections.publication import chinese_punctuation

    document = Document()
    section = document.sections[0]
    _a4(section, landscape=False, margins_mm=MARGINS_MM)
    _style_defaults(document, BODY_FONT, BODY_PT)
    document_grid(section)
    _page_numbers(document, section)
    _without_template_leftovers(document, next((t for k, t in blocks if k == "title"), ""))
    indent = Pt(2 * BODY_PT)  # two characters
    body, tail = _signature(blocks, issuer)
    last = len(body) + len(tail) - 1
    for at, (kind, text) in enumerate(body + tail):
        text = chinese_punctuation(text)
        if kind == "blank":  # only before the 署名: the empty line, 署名, date and 附注 stay on one page
            blank = document.add_paragraph()
            _exact_lines(blank)
            blank.paragraph_format.keep_with_next = True
            continue
        if kind.startswith("sign-right:") or kind == "note":
            p = document.add_paragraph()
            _exact_lines(p)
            p.paragraph_format.keep_with_next = at < last
            p.paragraph_format.keep_together = True
            if kind == "note":
                p.paragraph_format.first_line_indent = indent
            else:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                p.paragraph_format.right_indent = Pt(float(kind.split(":", 1)[1]) * BODY_PT)
            set_fonts(p.add_run(text), BODY_FONT, BODY_PT)
            continue
        if kind == "sign-left":
            kind = "p"
        p = document.add_paragraph()
        if kind == "title":
            _exact_lines(p, 36)  # 二号 lines need more than 28 pt
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _off_grid(p)
            run = p.add_run()
            set_fonts(run, TITLE_FONT, TITLE_PT)
            _unsqueezed(run)
            for i, line in enumerate(title_lines(text)):
                if i:
                    run.add_break()  # an explicit break between words, never the renderer's own inside one
                run.add_text(line)
            blank = document.add_paragraph()
            _exact_lines(blank)
            continue
        _exact_lines(p)
        if kind == "sign":
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            p.paragraph_format.right_indent = Pt(4 * BODY_PT)
            set_fonts(p.add_run(text), BODY_FONT, BODY_PT)
            continue
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        p.paragraph_format.first_line_indent = indent
        if kind in HEADING_FONTS:
            p.paragraph_format.keep_with_next = True
        if tail and at == len(body) - 1:
            # The 署名 and date never stand alone on the last page (GB/T 9704-2012 7.3.5.2): the body's last
            # paragraph, whole, goes with them.
            p.paragraph_format.keep_with_next = True
            p.paragraph_format.keep_together = True
        set_fonts(p.add_run(text), HEADING_FONTS.get(kind, BODY_FONT), BODY_PT)
    if checkpoint:
        document.add_paragraph()
        for line in checkpoint.splitlines():
            p = document.add_paragraph()
            _exact_lines(p, 12)
            set_fonts(p.add_run(line), "宋体", 9, latin="Courier New")
    return document


def write_report(path: str | Path, blocks: list[tuple[str, str]], checkpoint: str | None = None, issuer: str = "") -> None:
    save(report_document(blocks, checkpoint, issuer), path)


def _repeat_header(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _headed_table(document: Any, names: Any, widths: list[Any], heading_style: Any, middle: bool = False) -> Any:
    """A fixed-width, centred table with one header row (repeated on each page) naming `names`."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    table = document.add_table(rows=1, cols=len(names))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _narrow_cell_margins(table)
    for c, column in enumerate(table.columns):
        column.width = widths[c]  # w:gridCol, which LibreOffice reads
    header = table.rows[0]
    _repeat_header(header)
    for c, name in enumerate(names):
        header.cells[c].width = widths[c]
        if middle:
            header.cells[c].vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        _cell_text(header.cells[c], name, heading_style, WD_ALIGN_PARAGRAPH.CENTER)
    return table


def _narrow_cell_margins(table: Any, twips: int = 57) -> None:
    """1 mm left and right inside each cell (Word's default is 1.9 mm): narrow columns keep their words."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        m = OxmlElement(f"w:{side}")
        m.set(qn("w:w"), str(twips))
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    table._tbl.tblPr.append(margins)


def _table_style(document: Any, name: str, east_asian: str, size: float) -> Any:
    """A paragraph style for table cells: set once, not on each of thousands of cells."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.font.name = LATIN_FONT
    style.font.size = Pt(size)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)
    fmt = style.paragraph_format
    fmt.line_spacing = Pt(size * 1.45)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(0)
    # No extra space between CJK and Latin text or digits: a date (2020年10月31日) keeps to one line.
    ppr = style.element.get_or_add_pPr()
    for name in ("w:autoSpaceDE", "w:autoSpaceDN"):
        setting = OxmlElement(name)
        setting.set(qn("w:val"), "0")
        ppr.insert_element_before(setting, "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:jc")
    return style


def _cell_text(cell: Any, text: Any, style: Any, align: Any) -> None:
    p = cell.paragraphs[0]
    p._p.get_or_add_pPr().style = style.style_id  # (Paragraph.style looks the style up among all, each time)
    p.alignment = align
    if text not in (None, ""):
        p.add_run(str(text))


_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BREAKS = re.compile(r"(\r\n|\n|\r|\t)")


def _run_xml(text: Any) -> str:
    """One w:r holding `text` as python-docx's run.text writes it: line breaks as w:br, tabs as w:tab."""
    if text in (None, ""):
        return ""
    parts = []
    for piece in _BREAKS.split(_XML_UNSAFE.sub("", str(text))):
        if piece == "\t":
            parts.append("<w:tab/>")
        elif piece in ("\n", "\r", "\r\n"):
            parts.append("<w:br/>")
        elif piece:
            parts.append(f'<w:t xml:space="preserve">{escape(piece)}</w:t>')
    return "<w:r>" + "".join(parts) + "</w:r>"


def _cell_xml(text: Any, width: int, style_id: str, align: str, merge: str | None) -> str:
    """A w:tc: its width, its place in a vertical merge (restart / continue), centred vertically, one paragraph."""
    vmerge = "" if merge is None else ('<w:vMerge w:val="restart"/>' if merge == "restart" else "<w:vMerge/>")
    cell = f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{vmerge}<w:vAlign w:val="center"/></w:tcPr>'
    if merge == "continue":  # covered by the cell above: an empty paragraph, as Word writes it
        return cell + "<w:p/></w:tc>"
    return cell + f'<w:p><w:pPr><w:pStyle w:val="{escape(style_id, {chr(34): "&quot;"})}"/><w:jc w:val="{align}"/></w:pPr>{_run_xml(text)}</w:p></w:tc>'


def _body_rows(sheet: Any, twips: list[int], style_id: str) -> Iterator[str]:
    """Each measure row of the 台账 as w:tr XML; the problem's own cells merged (w:vMerge) over its measure rows."""
    from projections.sheet import COLUMNS, MEASURE_COLUMNS

    for problem in sheet.problems:
        span = len(problem.measures)
        for i, measure in enumerate(problem.measures):
            cells = []
            for c, name in enumerate(COLUMNS):
                if name in MEASURE_COLUMNS:
                    cells.append(_cell_xml(measure[name], twips[c], style_id, "left" if name == "整改措施" else "center", None))
                    continue
                merge = None if span == 1 else ("restart" if i == 0 else "continue")
                text = problem.cells[name] if i == 0 else None
                cells.append(_cell_xml(text, twips[c], style_id, "left" if name in ("问题类别", "反馈问题") else "center", merge))
            yield "<w:tr><w:trPr><w:cantSplit/></w:trPr>" + "".join(cells) + "</w:tr>"  # a row never splits across pages


def sheet_document(sheet: Any) -> Any:
    """The 台账 as one Word table on A4 landscape pages, the header row repeated on each page."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.shared import Mm, Pt

    from projections.sheet import COLUMNS, PAGE_WIDTH, column_widths

    size = 10.5
    document = Document()
    section = document.sections[0]
    _without_template_leftovers(document, sheet.title)
    _a4(section, landscape=True, margins_mm={"top": 20, "bottom": 20, "left": 15, "right": 15, "footer": 10})
    _style_defaults(document, BODY_FONT, size)
    _page_numbers(document, section)
    body_style = _table_style(document, "台账正文", BODY_FONT, size)
    heading_style = _table_style(document, "台账表头", "黑体", size)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _exact_lines(title, 30)
    set_fonts(title.add_run(sheet.title), TITLE_FONT, 18)
    sub = document.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _exact_lines(sub, 20)
    set_fonts(sub.add_run(sheet.subtitle), BODY_FONT, size)

    usable = 297 - 15 - 15
    chars = column_widths(sheet)  # from the content; together at most the page (PAGE_WIDTH characters)
    widths = [Mm(usable * chars[c] / PAGE_WIDTH) for c in COLUMNS]
    table = _headed_table(document, COLUMNS, widths, heading_style, middle=True)
    # The body as XML text, parsed in batches: python-docx's row and cell objects cost a walk of
    # the table per access, which a 台账 of thousands of measures cannot afford.
    twips = [int(w.twips) for w in widths]
    tbl = table._tbl
    batch: list[str] = []

    def flush() -> None:
        if batch:
            parsed = parse_xml(f"<w:tbl {nsdecls('w')}>" + "".join(batch) + "</w:tbl>")
            tbl.extend(list(parsed))
            batch.clear()

    for row in _body_rows(sheet, twips, body_style.style_id):
        batch.append(row)
        if len(batch) == 500:
            flush()
    flush()
    totals = document.add_paragraph()
    _exact_lines(totals, 18)
    totals.paragraph_format.space_before = Pt(6)
    set_fonts(totals.add_run(sheet.totals), BODY_FONT, size)
    if sheet.others:
        _others_table(document, sheet, usable, body_style, heading_style, size)
    return document


def _others_table(document: Any, sheet: Any, usable: float, body_style: Any, heading_style: Any, size: float) -> None:
    """The 台账's own columns (kept with each problem as the file had them) after the 台账, by 序号: each problem's
    as "heading：cell" in one cell, as many as the file had, the standard table keeping to the page."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.shared import Mm, Pt

    from projections.sheet import OTHER

    heading = document.add_paragraph()
    heading.paragraph_format.space_before = Pt(12)
    heading.paragraph_format.keep_with_next = True
    set_fonts(heading.add_run(OTHER), "黑体", size)
    widths = [Mm(14), Mm(60), Mm(usable - 74)]
    table = _headed_table(document, ("序号", "反馈问题", OTHER), widths, heading_style)
    twips = [int(w.twips) for w in widths]
    rows = []
    for problem in sheet.problems:
        shown = "；".join(f"{k}：{v}" for k, v in problem.others.items())
        cells = [_cell_xml(problem.cells["序号"], twips[0], body_style.style_id, "center", None),
                 _cell_xml(problem.cells["反馈问题"], twips[1], body_style.style_id, "left", None),
                 _cell_xml(shown, twips[2], body_style.style_id, "left", None)]
        rows.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>" + "".join(cells) + "</w:tr>")
    for start in range(0, len(rows), 500):
        parsed = parse_xml(f"<w:tbl {nsdecls('w')}>" + "".join(rows[start:start + 500]) + "</w:tbl>")
        table._tbl.extend(list(parsed))


def write_sheet_docx(path: str | Path, sheet: Any) -> None:
    save(sheet_document(sheet), path)
