"""The sample report opened by a real client (LibreOffice) and measured with pdftotext:
22 lines a page, 28 characters a line, the margins and page numbers of GB/T 9704."""

import re
from datetime import date

import pytest

from reports.document.model import Kind, build_document
from reports.word.writer import render_docx, title_lines
from tests.pdf_layout import measure, png_pages, render_pdf, width

LINE_PITCH_MM = 579 / 20 * 25.4 / 72  # 10.21 mm
CHAR_MM = 156 / 28  # one character of the type area
PAGE_NUMBER = re.compile(r"^—\s*(\d+)\s*—$")


_RENDERED = {}


@pytest.fixture
def rendered(demo):
    """The sample, approved and dated, rendered once and measured by every test of this module
    (LibreOffice takes a few seconds; the figures do not change between tests)."""
    if not _RENDERED:
        from reports.models import Report

        Report.objects.filter(pk=demo.pk).update(status="approved", signature_date=date(2023, 4, 10))
        demo.refresh_from_db()
        pdf = render_pdf(render_docx(demo))
        _RENDERED.update(pdf=pdf, pages=measure(pdf), document=build_document(demo))
    return _RENDERED


def body_lines(page):
    return [line for line in page.body() if not PAGE_NUMBER.match(line.text.replace(" ", ""))]


def text_lines(rendered, page):
    """Body lines at 3号 in the running text: not the 2号 title, not the signature block."""
    document = rendered["document"]
    title = set(title_lines(document.paragraphs[0].text))
    block = {p.text for p in document.paragraphs if p.kind in (Kind.SIGNATURE, Kind.DATE)}
    return [line for line in body_lines(page) if line.text not in title and line.text not in block]


def test_every_full_page_has_22_lines_on_the_grid(rendered):
    pages = rendered["pages"]
    assert len(pages) >= 3
    title_count = len(title_lines(rendered["document"].paragraphs[0].text))
    for page in pages[:-1]:
        lines = text_lines(rendered, page)
        slots = round((lines[-1].top - lines[0].top) / LINE_PITCH_MM) + 1
        if page.number == 1:
            # The 2号 title's lines and the blank line under it take the first slots.
            assert title_count + 1 + slots == 22, slots
            assert len(lines) == slots
        else:
            assert slots == 22 and len(lines) == 22, (page.number, slots, len(lines))
        for previous, line in zip(lines, lines[1:], strict=False):
            gap = (line.top - previous.top) / LINE_PITCH_MM
            assert abs(gap - round(gap)) < 0.08, (page.number, line.text)


def test_lines_hold_28_characters_and_never_more(rendered):
    widths = []
    for page in rendered["pages"]:
        for line in body_lines(page):
            assert width(line.text) <= 28, line.text
            if line.right > 183 and line.left < 29:  # a full line: from margin to margin
                widths.append((width(line.text), line.text))
    assert len(widths) > 60
    # A full line holds 28 characters. One may hold 27 when the next "。" may not start a
    # line and takes its character along; with digits, a number and its unit stay together
    # ("2次"), which can leave up to two characters of room to spread.
    for w, text in widths:
        assert w >= (27 if all(ord(ch) >= 0x2000 for ch in text) else 26), text
    assert sum(w == 28 for w, _text in widths) / len(widths) > 0.8


def test_the_left_edge_is_28_mm_and_first_lines_indent_two_characters(rendered):
    lefts = [round(line.left, 1) for page in rendered["pages"] for line in text_lines(rendered, page)]
    flush = [left for left in lefts if left < 30]
    indented = [left for left in lefts if 30 <= left < 45]
    assert flush and all(abs(left - 28) <= 1 for left in flush)
    assert indented and all(abs(left - (28 + 2 * CHAR_MM)) <= 1 for left in indented)


def test_page_numbers_sit_below_the_type_area_right_on_odd_left_on_even(rendered):
    for page in rendered["pages"]:
        numbers = [line for line in page.lines if PAGE_NUMBER.match(line.text.replace(" ", ""))]
        assert len(numbers) == 1, page.number
        number = numbers[0]
        assert int(PAGE_NUMBER.match(number.text.replace(" ", "")).group(1)) == page.number
        assert number.top > 297 - 35
        if page.number % 2:
            assert abs(number.right - (210 - 26 - 14 * 25.4 / 72)) < 1.5, number
        else:
            assert abs(number.left - (28 + 14 * 25.4 / 72)) < 1.5, number


def test_the_pdf_text_is_the_document_text_in_order(rendered):
    printed = "".join(line.text for page in rendered["pages"] for line in body_lines(page))
    expected = "".join(paragraph.text for paragraph in rendered["document"].paragraphs)
    assert printed.replace(" ", "") == expected.replace(" ", "")


def test_the_first_two_pages_as_pictures(rendered, artifacts_dir):
    png_pages(rendered["pdf"], artifacts_dir / "sample-docx", first=1, last=2)
    assert (artifacts_dir / "sample-docx-1.png").exists() and (artifacts_dir / "sample-docx-2.png").exists()
