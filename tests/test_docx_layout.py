"""Reports opened by a real client (LibreOffice) and measured with pdftotext: 22 lines a page,
28 characters a line, the margins and page numbers of GB/T 9704. The sample; the demo's 2022
annual report, assembled from its quarters; a quarter that prints the generated parts
上季度问题整改情况 and 上季度工作打算落实情况; and the sample listing its evidence as 附件."""

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
# Each document, and the fewest full-width lines it must have for the line checks to mean something.
DOCUMENTS = {"sample": 60, "annual": 8, "carried": 3, "attachments": 60}
LEVEL_1 = re.compile(r"^[一二三四五六七八九十]+、")


def _report(demo, name):
    from django.contrib.auth import get_user_model

    from reports.models import Report
    from reports.tracking import carried

    if name == "sample":
        report = demo
    elif name == "attachments":
        report = _with_attachments(demo)
    elif name == "annual":
        report = Report.objects.get(organization=demo.organization, year=2022, quarter=None)
    else:  # the government's 2023 Q2 draft, its second plan answered too
        report = Report.objects.get(organization__name="市政府党组", year=2023, quarter=2)
        carried.answer_plan(report, 2, actor=get_user_model().objects.get(username="drafter3"), answer="not_done",
                            note="专项整治方案已起草，待党组会议审议")
    Report.objects.filter(pk=report.pk).update(status="approved", signature_date=date(2023, 4, 10))
    report.refresh_from_db()
    return report


# The sample's evidence in the order its claims print (the report as a whole, an item, a measure),
# uploaded the other way round; the second name is long enough to wrap.
ATTACHMENTS = [
    ("", "2023年第一季度党组会议纪要"),
    ("item", "市政协党组理论学习中心组专题学习研讨会议记录及参会人员签到表"),
    ("measure", "廉政谈话记录"),
]
NAMES_PER_LINE = 28 - 6  # the names start six characters in: 附件：1. after two characters of indent


def _with_attachments(report):
    from django.contrib.auth import get_user_model

    from reports.evidence.attach import attach

    drafter = get_user_model().objects.get(username="drafter")
    report.evidence.all().delete()  # whatever the demo uploaded: these three are the list
    report.closing = "特此报告。"
    report.lists_attachments = True
    report.save()
    targets = {"": "", "item": f"item-{report.sections.first().items.order_by('position').first().pk}",
               "measure": f"measure-{report.measure_values.order_by('id').first().measure_id}"}
    for number, (claim, title) in reversed(list(enumerate(ATTACHMENTS, 1))):
        attach(report, target=targets[claim], name=f"附件{number}.txt", data=f"佐证材料{number}".encode(), actor=drafter,
               title=title)
    return report


@pytest.fixture(params=list(DOCUMENTS))
def rendered(demo, request):
    return _rendered(demo, request.param)


def _rendered(demo, name):
    """The report, approved and dated, rendered once and measured by every test of this module
    (LibreOffice takes a few seconds; the figures do not change between tests)."""
    if name not in _RENDERED:
        report = _report(demo, name)
        pdf = render_pdf(render_docx(report))
        _RENDERED[name] = dict(name=name, pdf=pdf, pages=measure(pdf), document=build_document(report))
    return _RENDERED[name]


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
    assert len(pages) >= (3 if rendered["name"] == "sample" else 1)
    title_count = len(title_lines(rendered["document"].paragraphs[0].text))
    for page, following in zip(pages, pages[1:], strict=False):
        lines = text_lines(rendered, page)
        slots = round((lines[-1].top - lines[0].top) / LINE_PITCH_MM) + 1
        # A level-1 heading is kept with two lines of its text: it may leave up to two slots empty
        # at the foot of the page before it, rather than stand alone there.
        short = 22 - (title_count + 1 if page.number == 1 else 0) - slots
        assert short == 0 or (short <= 2 and LEVEL_1.match(text_lines(rendered, following)[0].text)), (page.number, slots)
        # The 2号 title's lines and the blank line under it take page one's first slots.
        assert len(lines) == slots, (page.number, slots, len(lines))
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
    assert len(widths) > DOCUMENTS[rendered["name"]]
    # A full line holds 28 characters. One may hold 27 when the next "。" may not start a
    # line and takes its character along; with digits, a number and its unit stay together
    # ("2次"), which can leave up to two characters of room to spread.
    for w, text in widths:
        assert w >= (27 if all(ord(ch) >= 0x2000 for ch in text) else 26), text
    # Of the lines without half-width characters (a digit spreads its line), most hold exactly 28.
    full_width = [w for w, text in widths if all(ord(ch) >= 0x2000 for ch in text)]
    assert full_width and sum(w == 28 for w in full_width) / len(full_width) > 0.8


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
    name = rendered["name"]
    png_pages(rendered["pdf"], artifacts_dir / f"{name}-docx", first=1, last=min(2, len(rendered["pages"])))
    assert (artifacts_dir / f"{name}-docx-1.png").exists()


def test_the_generated_parts_print_as_parts(demo):
    """上季度问题整改情况 and 上季度工作打算落实情况 are level-1 parts like any other, their items run in."""
    rendered = _rendered(demo, "carried")
    printed = "".join(line.text for page in rendered["pages"] for line in body_lines(page)).replace(" ", "")
    assert "二、上季度问题整改情况一是针对“个别部门落实“一岗双责”还有差距”的问题" in printed
    assert "三、上季度工作打算落实情况一是“压紧压实各级责任，强化日常监督”部分落实" in printed
    assert "二是“健全作风建设长效机制，开展作风问题专项整治”未落实，专项整治方案已起草，待党组会议审议。" in printed


def test_the_attachments_stand_below_the_body_numbered_and_aligned(demo):
    """GB/T 9704 7.3.4: one blank line below the body, 附件： two characters in, 2. and 3. under 1.,
    a long name wrapping under its first character; then the signature."""
    rendered = _rendered(demo, "attachments")
    lines = [line for page in rendered["pages"] for line in body_lines(page)]
    edge = min(line.left for line in lines)  # the type area's left edge, as this client puts it
    first = next(index for index, line in enumerate(lines) if line.text.startswith("附件："))
    title_1, title_2, title_3 = (title for _claim, title in ATTACHMENTS)
    note = lines[first:first + 4]
    assert [line.text for line in note] == [f"附件：1.{title_1}", f"2.{title_2[:NAMES_PER_LINE]}",
                                            title_2[NAMES_PER_LINE:], f"3.{title_3}"]
    label, second, wrapped, third = note
    assert abs(label.left - (edge + 2 * CHAR_MM)) < 1
    # "附件：1." is one word to pdftotext: its "1." ends where "2." and "3." end, digits being of one width.
    numbers = [second.words[0], third.words[0]]
    assert [number.text for number in numbers] == ["2.", "3."]
    assert abs(label.words[0].right - numbers[0].right) < 0.2 and abs(numbers[0].right - numbers[1].right) < 0.2
    assert abs(numbers[0].left - numbers[1].left) < 0.2
    assert abs(numbers[0].left - (edge + 5 * CHAR_MM)) < 1  # under the 1., after 附件：
    names = [label.words[1].left, second.words[1].left, wrapped.left, third.words[1].left]
    assert max(names) - min(names) < 0.2, names  # every name, and the wrapped line, under 支 of the first
    body_end = lines[first - 1]
    assert body_end.text == "特此报告。"
    assert round((label.top - body_end.top) / LINE_PITCH_MM) == 2  # one blank line between
    signature = lines[first + 4]
    assert signature.text == next(p.text for p in rendered["document"].paragraphs if p.kind == Kind.SIGNATURE)
    assert signature.top > third.top
