"""`publish --format docx`: the 署名 and date never land alone on the last page (issue 25). The body's last
paragraph keeps with them and is kept whole (keep-with-next, keep-lines), so a page break before the signature
block takes it along; the block's own paragraphs are kept whole too. Rendered with LibreOffice before and after
(a body one paragraph short of a page: the block stood alone on page 3 before, with its paragraph after)."""

from __future__ import annotations

from test_gongwen import CSV


def test_the_last_body_paragraph_keeps_with_the_signature_block(ledger, tmp_path):
    from docx import Document

    path = tmp_path / "清单.csv"
    path.write_text(CSV, encoding="utf-8")
    ledger("import", path)
    out = tmp_path / "公布.docx"
    ledger("publish", "--inspection", "XC2022-3", "--format", "docx", "--out", out, "--no-sign")
    paragraphs = Document(str(out)).paragraphs
    texts = [p.text for p in paragraphs]
    at = texts.index("县教育局党组")
    last_body = paragraphs[at - 2]
    assert last_body.text.startswith("欢迎广大干部群众")
    assert last_body.paragraph_format.keep_with_next and last_body.paragraph_format.keep_together
    assert all(p.paragraph_format.keep_together for p in paragraphs[at:at + 2])
    # only the last body paragraph: the others break across pages as they fall
    assert not any(p.paragraph_format.keep_together for p in paragraphs[: at - 2] if p.text)


def test_a_report_without_a_signature_keeps_nothing_extra():
    from projections.word import report_document

    document = report_document([("title", "关于巡察整改进展情况的通报"), ("p", "正文。")])
    assert not any(p.paragraph_format.keep_together for p in document.paragraphs)
