"""The Word file read back as XML: page, grid, styles, fonts, footers (GB/T 9704)."""

import io
import re
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document as read_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Twips

from reports.document.model import Document, Kind, Paragraph, Run, build_document
from reports.models import Report
from reports.word.writer import render_docx, title_lines, write_document

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture
def sample_docx(demo):
    return render_docx(demo)


def xml_parts(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist() if name.endswith(".xml")}


def test_page_is_a4_with_the_standard_margins_and_a_lines_grid(sample_docx):
    section = read_docx(io.BytesIO(sample_docx)).sections[0]
    measured = [round(value / Mm(1), 1) for value in (section.page_width, section.page_height, section.top_margin,
                                                      section.bottom_margin, section.left_margin, section.right_margin)]
    assert measured == [210.0, 297.0, 37.0, 35.0, 28.0, 26.0]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert (grid.get(qn("w:type")), grid.get(qn("w:linePitch"))) == ("lines", "579")
    assert grid.get(qn("w:charSpace")) is None


def test_each_level_has_its_named_style_with_an_outline_level(demo, sample_docx):
    word = read_docx(io.BytesIO(sample_docx))
    model = build_document(demo)
    style_names = {Kind.TITLE: "公文标题", Kind.OPENING: "正文", Kind.SECTION: "一级标题", Kind.HEADING: "二级标题",
                   Kind.BODY: "正文", Kind.SIGNATURE: "署名", Kind.DATE: "成文日期"}
    expected = []
    for paragraph in model.paragraphs:
        lines = title_lines(paragraph.text) if paragraph.kind == Kind.TITLE else [paragraph.text]
        expected += [(style_names[paragraph.kind], line) for line in lines]
    assert [(p.style.name, p.text) for p in word.paragraphs] == expected

    def outline(style):
        level = style.element.pPr.find(qn("w:outlineLvl"))
        return None if level is None else int(level.get(qn("w:val")))

    # The two heading levels a report has show in the navigation pane; nothing else does.
    assert {p.style.name: outline(p.style) for p in word.paragraphs} == {
        "公文标题": None, "正文": None, "一级标题": 0, "二级标题": 1, "署名": None, "成文日期": None}


def test_every_run_names_its_east_asian_font_and_no_theme_font_is_left(sample_docx):
    word = read_docx(io.BytesIO(sample_docx))
    expected = {"公文标题": {"方正小标宋简体"}, "一级标题": {"黑体"}, "二级标题": {"楷体_GB2312", "仿宋_GB2312"},
                "正文": {"仿宋_GB2312"}, "署名": {"仿宋_GB2312"}, "成文日期": {"仿宋_GB2312"}}
    for paragraph in word.paragraphs:
        fonts = {run._element.rPr.rFonts.get(qn("w:eastAsia")) for run in paragraph.runs}
        assert fonts <= expected[paragraph.style.name], paragraph.text[:20]
        for run in paragraph.runs:
            assert run._element.rPr.rFonts.get(qn("w:ascii")) == "Times New Roman"
            size = run.font.size.pt
            spacing = run._element.rPr.find(qn("w:spacing"))
            # 16 pt runs are tightened by 0.25 pt so that 28 characters fill a line.
            assert (spacing is not None and spacing.get(qn("w:val")) == "-5") == (size == 16)
    heading = next(p for p in word.paragraphs if p.style.name == "二级标题")
    # The ordinal and title in 楷体, then the run-in text in 仿宋 (runs printed alike are merged).
    assert [run._element.rPr.rFonts.get(qn("w:eastAsia")) for run in heading.runs[:2]] == ["楷体_GB2312", "仿宋_GB2312"]
    assert heading.runs[0].text == "（一）深化理论学习，把准正确方向。"
    title = word.paragraphs[0]
    assert title.runs[0].font.size.pt == 22 and not title.runs[0].font.bold
    assert title.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    for name, xml in xml_parts(sample_docx).items():
        if name.startswith("word/") and "theme" not in name:
            assert not re.search(r'w:(ascii|hAnsi|eastAsia|cs)Theme=', xml), name
    settings = xml_parts(sample_docx)["word/settings.xml"]
    assert 'w:eastAsia="zh-CN"' in settings and "ja-JP" not in settings
    assert 'w:eastAsia="zh-CN"' in xml_parts(sample_docx)["word/styles.xml"]


def test_lines_are_exactly_579_twips_and_body_paragraphs_indent_two_characters(sample_docx):
    styles = xml_parts(sample_docx)["word/styles.xml"]
    assert re.search(r'<w:spacing w:after="0" w:line="579" w:lineRule="exact"/>', styles)
    word = read_docx(io.BytesIO(sample_docx))
    body = word.styles["正文"].element.pPr.find(qn("w:ind"))
    assert (body.get(qn("w:firstLineChars")), body.get(qn("w:firstLine"))) == ("200", "640")
    assert word.styles["公文标题"].element.pPr.find(qn("w:snapToGrid")).get(qn("w:val")) == "0"


def test_page_numbers_right_on_odd_left_on_even_with_a_page_field(sample_docx):
    word = read_docx(io.BytesIO(sample_docx))
    assert word.settings.odd_and_even_pages_header_footer
    section = word.sections[0]
    for footer, alignment in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        paragraph = footer.paragraphs[0]
        assert paragraph.alignment == alignment
        xml = paragraph._element.xml
        assert "PAGE" in "".join(t.text for t in paragraph._element.iter(qn("w:instrText")))
        assert xml.count('w:fldCharType="begin"') == 1 and xml.count('w:fldCharType="end"') == 1
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        for run in paragraph.runs:
            assert run._element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体" and run.font.size.pt == 14
    assert round(section.footer_distance / Mm(1), 1) == 24.5


@pytest.mark.parametrize(("status", "mark"), [("draft", "草稿"), ("returned", "草稿"), ("submitted", "送审稿"), ("approved", "")])
def test_each_version_carries_its_stamp_and_an_approved_report_none(demo, status, mark):
    """草稿 while it is written, 送审稿 once sent for review (a leader printing it to read is
    not holding a draft any more), nothing once approved."""
    Report.objects.filter(pk=demo.pk).update(status=status)
    demo.refresh_from_db()
    word = read_docx(io.BytesIO(render_docx(demo)))
    assert word.sections[0].header.paragraphs[0].text == mark
    assert word.sections[0].even_page_header.paragraphs[0].text == mark
    body = "".join(p.text for p in word.paragraphs)
    assert "草稿" not in body and "送审稿" not in body


def test_measure_values_print_as_numbers(sample_docx):
    text = "\n".join(p.text for p in read_docx(io.BytesIO(sample_docx)).paragraphs)
    assert "学习会议3次，集体交流研讨2次" in text and "廉政谈话26人次" in text and "包括10件提案" in text
    assert "{{measure" not in text


@pytest.mark.parametrize(
    "title, expected",
    [
        ("市政协党组2023年第一季度履行全面从严治党主体责任情况报告",
         ["市政协党组2023年第一季度", "履行全面从严治党主体责任情况报告"]),
        # Balanced would cut 全|面; the title cuts after the period instead.
        ("市政协党组2026年度履行全面从严治党主体责任情况报告",
         ["市政协党组2026年度", "履行全面从严治党主体责任情况报告"]),
        ("中共某某市委员会办公室党组2023年第一季度履行全面从严治党主体责任情况报告",
         ["中共某某市委员会办公室党组2023年第一季度", "履行全面从严治党主体责任情况报告"]),
        # Two lines would cut a word or the period: three keep them whole.
        ("市纪委监委驻市教育局纪检监察组2023年第一季度履行全面从严治党监督责任情况报告",
         ["市纪委监委驻市教育局", "纪检监察组2023年第一季度", "履行全面从严治党监督责任情况报告"]),
        ("短标题", ["短标题"]),
    ],
)
def test_titles_are_cut_at_a_pause_into_balanced_lines(title, expected):
    assert title_lines(title) == expected


def test_no_title_line_is_one_character_or_too_long():
    for length in range(15, 60):
        title = "报" * length
        lines = title_lines(title)
        assert "".join(lines) == title
        assert all(2 <= len(line) <= 20 for line in lines), lines
        assert max(map(len, lines)) - min(map(len, lines)) <= 1


def test_sealed_signature_centred_over_a_date_four_characters_from_the_right(demo):
    from datetime import date

    demo.signature_date = date(2023, 4, 10)
    demo.save()
    word = read_docx(io.BytesIO(render_docx(demo)))
    name, day = word.paragraphs[-2], word.paragraphs[-1]
    assert (name.style.name, name.text, day.style.name, day.text) == ("署名", "市政协党组", "成文日期", "2023年4月10日")
    date_indent = int(day._element.pPr.find(qn("w:ind")).get(qn("w:right")))
    name_indent = int(name._element.pPr.find(qn("w:ind")).get(qn("w:right")))
    assert date_indent == 4 * 320
    # Centres line up: date is 6.5 characters wide ("2023" counts 2), the name 5.
    assert name_indent == round((4 + (6.5 - 5) / 2) * 320)


def test_download_has_a_utf8_file_name_and_opens(client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="drafter"))
    response = client.get(reverse("reports:export_docx", args=[demo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%E5%B8%82%E6%94%BF%E5%8D%8F" in disposition
    assert read_docx(io.BytesIO(response.content)).paragraphs[0].text.startswith("市政协党组")


def test_other_bodies_cannot_download(client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="drafter2"))
    assert client.get(reverse("reports:export_docx", args=[demo.pk])).status_code == 404


def test_export_command_writes_the_file(demo, tmp_path, capsys):
    target = tmp_path / "out.docx"
    call_command("export_report", str(demo.pk), "-o", str(target))
    assert read_docx(str(target)).paragraphs[0].style.name == "公文标题"
    assert "已导出" in capsys.readouterr().out


def test_the_zip_has_one_file_per_approved_report_named_by_body(client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="overseer"))
    response = client.get(reverse("reports:export_zip", args=[2023, 1]))
    assert response.status_code == 200 and response.streaming
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted(archive.namelist())
        assert names == ["市人大常委会党组.docx", "市政府党组.docx"]  # the 政协 report is still a draft
        for name in names:
            word = read_docx(io.BytesIO(archive.read(name)))
            assert word.paragraphs[0].style.name == "公文标题"
            assert word.sections[0].header.paragraphs[0].text == ""
    assert "filename*=utf-8''2023" in response["Content-Disposition"]


def test_unsealed_layout_puts_the_name_two_characters_in_and_the_date_two_to_its_right(demo):
    from datetime import date

    demo.signature_date = date(2023, 4, 10)
    demo.signature_layout = "unsealed"
    demo.save()
    word = read_docx(io.BytesIO(render_docx(demo)))
    name, day = word.paragraphs[-2], word.paragraphs[-1]
    name_indent = int(name._element.pPr.find(qn("w:ind")).get(qn("w:right")))
    date_indent = int(day._element.pPr.find(qn("w:ind")).get(qn("w:right")))
    assert name_indent == 2 * 320
    # The date (6.5 characters) starts 2 characters right of the name's start (5 characters,
    # ending 2 from the right): it would need 2 + 5 - 2 - 6.5 < 0 characters, so it sits flush right.
    assert date_indent == 0


def test_the_word_file_takes_the_signature_layout_from_the_document():
    """A document written as it is (the benchmark, a script) lays out its signature block as
    the page shows it (Document.sealed), not always as sealed."""
    paragraphs = [Paragraph(Kind.TITLE, (Run("标题"),)), Paragraph(Kind.SIGNATURE, (Run("市政协党组"),)),
                  Paragraph(Kind.DATE, (Run("2023年4月10日"),))]
    indents = []
    for sealed in (True, False):
        word = read_docx(io.BytesIO(write_document(Document(paragraphs, sealed=sealed))))
        name = word.paragraphs[-2]
        indents.append((int(name._element.pPr.find(qn("w:ind")).get(qn("w:right"))), name.paragraph_format.space_before))
    # Sealed: the name centred over a date 4 characters in, two blank lines above for the seal;
    # unsealed: the name 2 characters in, one blank line above.
    assert indents == [(round(4.75 * 320), Twips(2 * 579)), (2 * 320, Twips(579))]


def test_the_page_shows_the_signature_block_where_the_word_file_puts_it(client, demo):
    from datetime import date

    from django.contrib.auth import get_user_model

    demo.signature_date = date(2023, 4, 10)
    demo.save()
    client.force_login(get_user_model().objects.get(username="drafter"))
    page = client.get(reverse("reports:detail", args=[demo.pk])).content.decode()
    assert 'class="doc doc-signature" data-ref="signature" style="padding-right: 4.75em"' in page
    assert 'class="doc doc-date" data-ref="signature" style="padding-right: 4em"' in page


def test_the_pdf_comes_from_libreoffice_and_its_button_hides_without_it(client, demo, monkeypatch,
                                                                         django_capture_on_commit_callbacks):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="drafter"))
    detail = reverse("reports:detail", args=[demo.pk])
    pdf_url = reverse("reports:export_pdf", args=[demo.pk])
    assert f'action="{pdf_url}"' in client.get(detail).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(pdf_url, follow=True)
    job = page.context["job"]
    response = client.get(reverse("reports:export_job_file", args=[job.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "filename*=utf-8''" in response["Content-Disposition"] and ".pdf" in response["Content-Disposition"]

    monkeypatch.setattr("reports.word.pdf.soffice", lambda: None)
    assert pdf_url not in client.get(detail).content.decode()
    assert client.post(pdf_url).status_code == 404


def test_the_files_properties_are_the_reports_and_nothing_of_the_library_is_left(demo, sample_docx):
    """File → Properties in Word: the report's title, the body as author, the report's own dates;
    no "python-docx", no 2013 dates, no thumbnail of an empty page."""
    from datetime import UTC

    properties = read_docx(io.BytesIO(sample_docx)).core_properties
    assert properties.title == demo.title
    assert properties.author == properties.last_modified_by == demo.organization.name
    # Written as W3CDTF in UTC, to the second.
    as_written = lambda moment: moment.astimezone(UTC).replace(microsecond=0)  # noqa: E731
    assert properties.created == as_written(demo.created_at)
    assert properties.modified == as_written(demo.updated_at)
    parts = xml_parts(sample_docx)
    assert "python-docx" not in parts["docProps/core.xml"] and "2013-12-23" not in parts["docProps/core.xml"]
    with zipfile.ZipFile(io.BytesIO(sample_docx)) as archive:
        assert not [name for name in archive.namelist() if "thumbnail" in name]
        assert b"thumbnail" not in archive.read("_rels/.rels")


def test_the_font_table_lists_exactly_the_fonts_the_text_is_set_in(sample_docx):
    parts = xml_parts(sample_docx)
    listed = set(re.findall(r'<w:font w:name="([^"]+)"', parts["word/fontTable.xml"]))
    used = set()
    for name, xml in parts.items():
        if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", name):
            for fonts in re.findall(r"<w:rFonts ([^>]*)/>", xml):
                used |= set(re.findall(r'w:(?:ascii|hAnsi|eastAsia|cs)="([^"]+)"', fonts))
    assert {"仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体", "宋体", "Times New Roman"} <= used
    assert listed == used
