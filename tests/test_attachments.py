"""The 附件说明 (GB/T 9704 7.3.4): the report's evidence named below the body when the report asks
for it, numbered when there are several, in the order the evidence panel lists them; from the one
document model on the report page, in the editor and in the Word file."""

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document as read_docx
from docx.oxml.ns import qn
from PIL import Image

from reports.document.model import Document, Kind, Paragraph, Run, build_document, place_attachments
from reports.evidence import attach
from reports.models import Item
from reports.word.importing.parser import ATTACHMENTS_NOT_IMPORTED
from reports.word.writer import GRID_CHAR, LINE_TWIPS, render_docx
from tests.test_importer import word_file

pytestmark = pytest.mark.django_db

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def png(shade):
    output = io.BytesIO()
    Image.new("RGB", (8, 8), (shade % 256, 40, 90)).save(output, "PNG")
    return output.getvalue()


@pytest.fixture
def draft(report_factory, tree, measure_factory):
    report = report_factory(tree["cppcc"], closing="特此报告。", sections=[
        ("主要做法", "practices", ["召开学习会议。", "开展谈心谈话。"]),
        ("存在的主要问题", "problems", ["学用结合不够紧密。"]),
    ])
    measure_factory(report, "学习会议", value=Decimal(3))
    return report


def items(report):
    return [f"item-{pk}" for pk in Item.objects.filter(section__report=report).order_by("section__position", "position")
            .values_list("pk", flat=True)]


def upload(report, drafter, *entries):
    """Attach a small PNG for each (target, title), in this order."""
    for target, title in entries:
        attach.attach(report, target=target, name="照片.png", data=png(len(title) * 7 + sum(map(ord, title))),
                      actor=drafter, title=title)


def listing(report):
    report.refresh_from_db()
    return [p for p in build_document(report).paragraphs if p.kind == Kind.ATTACHMENTS]


def evidence_queries(queries):
    return [query["sql"] for query in queries if "reports_evidence" in query["sql"]]


# The document model --------------------------------------------------------------------------


def test_no_list_and_no_query_for_it_unless_the_report_asks(draft, drafter):
    upload(draft, drafter, ("", "学习通知"))
    with CaptureQueriesContext(connection) as queries:
        document = build_document(draft)
    assert not [p for p in document.paragraphs if p.kind == Kind.ATTACHMENTS]
    assert "附件" not in document.text
    assert not evidence_queries(queries)


def test_a_single_file_is_named_without_a_number_nor_final_punctuation(draft, drafter):
    draft.lists_attachments = True
    draft.save()
    upload(draft, drafter, ("", "学习通知。"))
    document = build_document(draft)
    kinds = [p.kind for p in document.paragraphs]
    assert kinds[-4:] == [Kind.CLOSING, Kind.ATTACHMENTS, Kind.SIGNATURE, Kind.DATE]
    (note,) = listing(draft)
    assert note.text == "附件：学习通知"
    assert [run.kind for run in note.runs] == ["text", "text"]
    assert document.attachment_number_width == 0 and document.attachment_indents == (2, 5, 5)


def test_several_files_are_numbered_in_the_order_their_claims_print(draft, drafter):
    """The report as a whole, the items in print order, the measures; files of a claim in the order
    they were uploaded; a file whose claim is gone (its item deleted) last."""
    draft.lists_attachments = True
    draft.save()
    first, second, third = items(draft)
    measure = f"measure-{draft.measure_values.get().measure_id}"
    upload(draft, drafter, (third, "已删除条目的材料"), (measure, "会议签到表"), (second, "谈话记录"), ("", "学习通知"),
           (first, "会议照片"), (first, "会议纪要"))
    Item.objects.filter(pk=third.removeprefix("item-")).delete()
    assert [p.text for p in listing(draft)] == [
        "附件：1.学习通知", "2.会议照片", "3.会议纪要", "4.谈话记录", "5.会议签到表", "6.已删除条目的材料",
    ]
    assert [run.kind for run in listing(draft)[1].runs] == ["ordinal", "text"]
    assert all(run.ref == "" for p in listing(draft) for run in p.runs)  # nothing in it is an editable part


def test_the_list_stands_after_the_body_whatever_of_the_tail_is_there():
    body = Paragraph(Kind.BODY, (Run("正文。"),))
    document = place_attachments(Document([body, Paragraph(Kind.DATE, (Run("2023年4月10日"),))]), ["甲"])
    assert [p.kind for p in document.paragraphs] == [Kind.BODY, Kind.ATTACHMENTS, Kind.DATE]
    document = place_attachments(Document([body]), ["甲", "乙"])
    assert [p.text for p in document.paragraphs] == ["正文。", "附件：1.甲", "2.乙"]


def test_ten_files_or_more_leave_room_for_two_digits():
    document = place_attachments(Document([]), [f"材料{n}" for n in range(12)])
    assert document.paragraphs[9].text == "10.材料9"
    assert document.attachment_number_width == 1.5 and document.attachment_indents == (2, 5, 6.5)
    assert place_attachments(Document([]), ["甲", "乙"]).attachment_indents == (2, 5, 6)


def test_the_list_costs_one_query_and_a_constant_few_however_many_files(draft, drafter):
    def count(report):
        report.refresh_from_db()
        with CaptureQueriesContext(connection) as queries:
            build_document(report)
        return len(queries), len(evidence_queries(queries))

    without = count(draft)
    draft.lists_attachments = True
    draft.save()
    assert count(draft) == (without[0] + 1, 1)  # no files: one query to find none
    first, second, _third = items(draft)
    upload(draft, drafter, ("", "学习通知"), (first, "会议照片"))
    few = count(draft)
    upload(draft, drafter, *((target, f"材料{n}") for n in range(12) for target in (first, second, "")))
    assert count(draft) == few
    assert len(listing(draft)) == 38


# The pages -----------------------------------------------------------------------------------


@pytest.fixture
def listed(draft, drafter):
    draft.lists_attachments = True
    draft.save()
    first, _second, _third = items(draft)
    upload(draft, drafter, (first, "会议照片"), ("", "学习通知"))
    return draft


def attachment_paragraphs(html):
    return re.findall(r'<(?:p|div) class="doc doc-attachments"([^>]*)>(.*?)</(?:p|div)>', html, re.S)


def plain(html):
    return re.sub(r"<[^>]+>", "", html)


def test_the_report_page_shows_the_list_above_the_signature(client, listed, drafter):
    client.force_login(drafter)
    html = client.get(reverse("reports:detail", args=[listed.pk])).content.decode()
    found = attachment_paragraphs(html)
    assert [plain(text) for _attributes, text in found] == ["附件：1.学习通知", "2.会议照片"]
    assert all('style="--number: 1.0"' in attributes for attributes, _text in found)
    assert html.index("doc-closing") < html.index("doc-attachments") < html.index("doc-signature")
    # The whole report's evidence has its chip elsewhere, never on a line of the list.
    assert all("evidence-chip" not in text for _attributes, text in found)


def test_the_editor_shows_the_list_in_the_tail_as_no_part_to_edit(client, listed, drafter):
    client.force_login(drafter)
    html = client.get(reverse("reports:edit", args=[listed.pk])).content.decode()
    tail = html[html.index('data-ref="tail"'):]
    found = attachment_paragraphs(tail)
    assert [plain(text) for _attributes, text in found] == ["附件：1.学习通知", "2.会议照片"]
    assert all("<a " not in text and "hx-get" not in text for _attributes, text in found)


def test_the_import_preview_says_the_attachments_were_not_imported(client, drafter):
    client.force_login(drafter)
    data = word_file(["一、主要做法", "召开学习会议。", "特此报告。", "附件：1.学习通知", "2.会议照片", "市政协党组",
                      "2023年4月10日"])
    response = client.post(reverse("reports:import"), {"file": SimpleUploadedFile("报告.docx", data, content_type=DOCX_TYPE)})
    assert response.status_code == 302
    html = client.get(response.url).content.decode()
    assert str(ATTACHMENTS_NOT_IMPORTED) in html
    # Named in the list of what was not imported, never in the report's text.
    listed = html[html.index('data-testid="import-not-imported"'):]
    assert "学习通知" in listed and "会议照片" in listed
    sheet = html[:html.index('data-testid="import-not-imported"')]
    assert "学习通知" not in sheet and "会议照片" not in sheet


# The Word file -------------------------------------------------------------------------------


def test_the_word_file_sets_the_list_in_its_style_on_a_hanging_indent(listed):
    word = read_docx(io.BytesIO(render_docx(listed)))
    notes = [p for p in word.paragraphs if p.style.name == "附件说明"]
    assert [p.text for p in notes] == ["附件：1.\t学习通知", "2.\t会议照片"]
    first, second = (p.paragraph_format for p in notes)
    assert first.space_before.twips == LINE_TWIPS and second.space_before is None  # one blank line above
    names = 6 * GRID_CHAR  # 附件：1. two characters in: the names six in
    for fmt, starts in ((first, 2), (second, 5)):
        assert fmt.left_indent.twips == names and fmt.first_line_indent.twips == (starts * GRID_CHAR) - names
        assert [stop.position.twips for stop in fmt.tab_stops] == [names]
    ind = notes[0]._p.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:leftChars")) is None  # Word's character unit would not meet the tab stop
    elements = [p._p for p in word.paragraphs]
    following = word.paragraphs[elements.index(notes[-1]._p) + 1]
    assert following.style.name == "署名"
