"""The 审阅稿 (reports/word/review_copy.py): the latest submission as its Word file, the changes since
the round before as tracked changes (w:ins, w:del) and the round's comments as Word comments, read
back from the XML; then opened by LibreOffice, which shows the changes."""

import io
import os
import re
import subprocess
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from docx import Document as read_docx
from lxml import etree

from reports.document.model import Document, Kind, Paragraph, Role, Run
from reports.document.snapshots import snapshot_document
from reports.models import Comment, Heading, Item, Membership
from reports.review import workflow
from reports.review.comments import add_comment
from reports.word.pdf import convert_docx_to_pdf, pdf_available, soffice
from reports.word.review_copy import Note, Revision, render_review_docx, review_docx, word_date
from reports.word.writer import FONTS, title_lines, write_document
from tests.fixtures import LATE_REASON

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
COMMENTS_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"


def w(name):
    return f"{{{W}}}{name}"


def parts(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def body_of(data):
    return etree.fromstring(parts(data)["word/document.xml"])


def changes(root, tag):
    """[(text, author, date, id)] of every w:ins or w:del that holds runs, in document order."""
    found = []
    for element in root.iter(w(tag)):
        if element.getparent().tag == w("rPr"):  # a paragraph mark, not text
            continue
        text = "".join(element.xpath(".//w:t/text()|.//w:delText/text()", namespaces=NS))
        found.append((text, element.get(w("author")), element.get(w("date")), element.get(w("id"))))
    return found


def paragraph_marks(root, tag):
    """The text of each paragraph whose mark is inserted or deleted."""
    return ["".join(p.xpath(".//w:t/text()|.//w:delText/text()", namespaces=NS))
            for p in root.iter(w("p")) if p.find(f"w:pPr/w:rPr/w:{tag}", NS) is not None]


def ranges(root):
    """{comment id: (accepted text, deleted text)} inside each comment's range, across paragraphs;
    each range's reference mark after its end, outside every range."""
    open_ranges, found = {}, {}
    for element in root.iter():
        if element.tag == w("commentRangeStart"):
            open_ranges[element.get(w("id"))] = ["", ""]
        elif element.tag == w("commentRangeEnd"):
            found[element.get(w("id"))] = tuple(open_ranges.pop(element.get(w("id"))))
        elif element.tag == w("commentReference"):
            assert element.get(w("id")) in found and not open_ranges
        elif element.tag in (w("t"), w("delText")):
            for texts in open_ranges.values():
                texts[element.tag == w("delText")] += element.text or ""
    assert not open_ranges, "every range ends"
    return found


def comments_of(data):
    root = etree.fromstring(parts(data)["word/comments.xml"])
    return {c.get(w("id")): {"author": c.get(w("author")), "date": c.get(w("date")), "initials": c.get(w("initials")),
                             "text": "\n".join("".join(p.xpath(".//w:t/text()", namespaces=NS))
                                               for p in c.findall("w:p", NS))}
            for c in root.findall("w:comment", NS)}


def part_text(document, ref):
    return "".join(run.text for paragraph in document.paragraphs for run in paragraph.runs if run.ref == ref)


def accepted_text(root):
    """The text as it reads with every change accepted."""
    return "".join(root.xpath("//w:body//w:t/text()", namespaces=NS))


# ---- A report through two rounds -------------------------------------------------------------


@pytest.fixture
def people(drafter, reviewer):
    drafter.first_name, reviewer.first_name = "李明", "王芳"
    drafter.save()
    reviewer.save()
    return drafter, reviewer


def two_rounds(report_factory, measure_factory, tree, people, layout):
    """Submitted, returned with comments, edited and submitted again; then commented on again."""
    drafter, reviewer = people
    report = report_factory(tree["cppcc"], items_layout=layout, sections=[
        ("主要做法", "practices", [("深化理论学习", ["认真学习党的理论。", "深入基层调研。", "开展专题研讨3次。"])]),
        ("存在的主要问题", "problems", ["学习不够深入。"]),
    ])
    measure_factory(report, "学习会议", value=Decimal("3"))
    heading = Heading.objects.get(section__report=report)
    changed, _kept, deleted = Item.objects.filter(heading=heading).order_by("position")
    workflow.submit(report, actor=drafter, late_reason=LATE_REASON)
    add_comment(user=reviewer, report=report, text="整体偏短，请充实。")
    workflow.perform("return", report, actor=reviewer, comment="请写明学习的内容。", at_ref=f"item-{changed.pk}")

    changed.text = "认真学习党的创新理论。"
    changed.save()
    deleted.delete()
    problems = report.sections.get(kind="problems")
    added = Item.objects.create(section=problems, text="整改落实不够到位。", position=2)
    heading.title = "强化理论武装"
    heading.save()
    workflow.submit(report, actor=drafter)

    report.refresh_from_db()
    latest = report.submissions.get(number=2)
    on_item = add_comment(user=reviewer, report=report, text="“创新理论”请写全称。\n并注明学习次数。",
                          ref=f"item-{changed.pk}", place="一、（一）一是")
    on_heading = add_comment(user=reviewer, report=report, text="小标题可再凝练。", ref=f"heading-{heading.pk}",
                             place="一、（一）")
    on_report = add_comment(user=reviewer, report=report, text="修改基本到位。")
    gone = Comment.objects.create(report=report, submission=latest, ref="item-999999", place="二、三是",
                                  author=reviewer, text="此条已删去？")
    return {"report": report, "latest": latest, "changed": changed, "added": added, "heading": heading,
            "on_item": on_item, "on_heading": on_heading, "on_report": on_report, "gone": gone}


# The changes, character by character, as the review page marks them (reports.document.diffing).
INSERTED = ["强", "武装", "创新", "二是整改落实不够到位。"]
DELETED = ["深", "学习", "三是开展专题研讨3次。"]


@pytest.mark.parametrize("layout", ["paragraphs", "inline"])
def test_the_review_copy_tracks_the_changes_and_carries_the_comments(client, report_factory, measure_factory, tree,
                                                                    people, layout):
    _drafter, reviewer = people
    world = two_rounds(report_factory, measure_factory, tree, people, layout)
    report, latest = world["report"], world["latest"]
    client.force_login(reviewer)
    response = client.get(reverse("reports:export_review_docx", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert "%EF%BC%88%E5%AE%A1%E9%98%85%E7%A8%BF%EF%BC%89.docx" in response["Content-Disposition"]  # （审阅稿）.docx
    data = response.content
    # A valid package, whose comments python-docx finds where Word looks for them.
    assert {(c.author, c.text) for c in read_docx(io.BytesIO(data)).comments} == {
        ("王芳", "“创新理论”请写全称。\n并注明学习次数。"), ("王芳", "小标题可再凝练。"), ("王芳", "修改基本到位。"),
        ("王芳", "二、三是：此条已删去？"), ("王芳", "（第1次提交时）请写明学习的内容。"),
        ("王芳", "（第1次提交时）整体偏短，请充实。")}
    root = body_of(data)

    # Exactly the changes, each by the person who submitted them, when they did.
    when = word_date(latest.submitted_at)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", when)
    inserted, deleted = changes(root, "ins"), changes(root, "del")
    assert [text for text, *_ in inserted] == INSERTED
    assert [text for text, *_ in deleted] == DELETED
    assert {(author, date) for _text, author, date, _id in inserted + deleted} == {("李明", when)}
    assert not root.xpath("//w:del//w:t", namespaces=NS), "deleted text is w:delText"
    assert not root.xpath("//w:ins//w:delText", namespaces=NS)
    # A paragraph of its own that is new or gone has its mark marked too; inline, items share one.
    if layout == "paragraphs":
        assert paragraph_marks(root, "ins") == ["二是整改落实不够到位。"]
        assert paragraph_marks(root, "del") == ["三是开展专题研讨3次。"]
    else:
        assert paragraph_marks(root, "ins") == paragraph_marks(root, "del") == []
    # Accepting every change gives the submission's text, and nothing is left out.
    current = snapshot_document(latest)
    assert accepted_text(root) == "".join(paragraph.text for paragraph in current.paragraphs)

    # A changed character keeps the typeface its run has: the heading's in 楷体, the item's in 仿宋.
    fonts = {text: element.find(".//w:rFonts", NS).get(w("eastAsia"))
             for element in root.xpath("//w:ins/w:r|//w:del/w:r", namespaces=NS)
             for text in ["".join(element.xpath(".//w:t/text()|.//w:delText/text()", namespaces=NS))]}
    assert fonts == {"强": FONTS[Role.HEADING2], "武装": FONTS[Role.HEADING2], "深": FONTS[Role.HEADING2],
                     "学习": FONTS[Role.HEADING2], "创新": FONTS[Role.BODY], "二是整改落实不够到位。": FONTS[Role.BODY],
                     "三是开展专题研讨3次。": FONTS[Role.BODY]}

    # The comments of this round, by their authors, each around exactly the text of its part.
    comments = comments_of(data)
    by_text = {comment["text"]: (number, comment) for number, comment in comments.items()}
    assert set(by_text) == {"“创新理论”请写全称。\n并注明学习次数。", "小标题可再凝练。", "修改基本到位。",
                            "二、三是：此条已删去？", "（第1次提交时）请写明学习的内容。", "（第1次提交时）整体偏短，请充实。"}
    for key in ("on_item", "on_heading", "on_report"):
        number, comment = by_text[world[key].text]
        assert (comment["author"], comment["date"]) == ("王芳", word_date(world[key].created_at))
        assert comment["initials"] == "王"  # a Chinese name's surname
    anchored = ranges(root)
    item, heading = f"item-{world['changed'].pk}", f"heading-{world['heading'].pk}"
    assert anchored[by_text[world["on_item"].text][0]] == (part_text(current, item), "")
    assert anchored[by_text[world["on_item"].text][0]][0] == "一是认真学习党的创新理论。"
    # The heading's range holds its own text (and what was deleted of it), not the items after it.
    assert anchored[by_text["小标题可再凝练。"][0]] == (part_text(current, heading), "深学习")
    assert part_text(current, heading) == ("（一）强化理论武装" + ("。" if layout == "inline" else ""))
    # On the whole report, and on a part the text no longer has: at the title.
    assert anchored[by_text["修改基本到位。"][0]] == (current.paragraphs[0].text, "")
    assert anchored[by_text["二、三是：此条已删去？"][0]] == (current.paragraphs[0].text, "")
    # Each range has one reference mark (ranges() checks it stands after the range).
    references = [element.get(w("id")) for element in root.iter(w("commentReference"))]
    assert sorted(references) == sorted(comments)
    # The comments on the round before, which the changes answer, are there too, saying so, at their parts.
    assert anchored[by_text["（第1次提交时）请写明学习的内容。"][0]] == (part_text(current, item), "")
    assert anchored[by_text["（第1次提交时）整体偏短，请充实。"][0]] == (current.paragraphs[0].text, "")

    # The ids of all annotations differ; the comments part is related and typed.
    ids = [element.get(w("id")) for element in root.iter(w("ins"), w("del"))] + list(comments)
    assert len(ids) == len(set(ids))
    package = parts(data)
    assert COMMENTS_TYPE in package["[Content_Types].xml"].decode()
    assert b'PartName="/word/comments.xml"' in package["[Content_Types].xml"]
    relationships = etree.fromstring(package["word/_rels/document.xml.rels"])
    assert [(r.get("Type"), r.get("Target")) for r in relationships if r.get("Target") == "comments.xml"] == [
        (COMMENTS_RELATIONSHIP, "comments.xml")]
    assert len({r.get("Id") for r in relationships}) == len(relationships)

    # The normal export of the same report marks nothing and has no comments.
    plain = client.get(reverse("reports:export_docx", args=[report.pk])).content
    plain_root = body_of(plain)
    assert not list(plain_root.iter(w("ins"), w("del"), w("commentRangeStart"), w("commentReference")))
    assert "word/comments.xml" not in parts(plain)


def test_the_review_copy_is_the_normal_export_plus_its_marks(report_factory, measure_factory, tree, people):
    """The same styles, page and header; unchanged paragraphs written exactly as the export writes them."""
    world = two_rounds(report_factory, measure_factory, tree, people, "paragraphs")
    data = render_review_docx(world["report"])
    plain = write_document(snapshot_document(world["latest"]))
    review_parts, plain_parts = parts(data), parts(plain)
    for name in ("word/styles.xml", "word/header1.xml", "word/footer1.xml", "word/numbering.xml"):
        assert review_parts[name] == plain_parts[name], name
    # The settings differ in one thing: the 审阅稿 opens with Track Changes on, in its place in the sequence.
    tracked = etree.fromstring(review_parts["word/settings.xml"])
    switch = tracked.find("w:trackRevisions", NS)
    assert switch is not None and etree.QName(switch.getnext()).localname == "defaultTabStop"
    assert etree.fromstring(plain_parts["word/settings.xml"]).find("w:trackRevisions", NS) is None
    tracked.remove(switch)
    assert etree.tostring(tracked) == etree.tostring(etree.fromstring(plain_parts["word/settings.xml"]))
    assert set(review_parts) - set(plain_parts) == {"word/comments.xml"}
    review_root, plain_root = body_of(data), body_of(plain)
    assert review_root.find("w:body/w:sectPr", NS) is not None
    assert etree.tostring(review_root.find("w:body/w:sectPr", NS)) == etree.tostring(plain_root.find("w:body/w:sectPr", NS))
    untouched = [etree.tostring(p) for p in review_root.iter(w("p"))
                 if not p.xpath(".//w:ins|.//w:del|.//w:commentRangeStart|.//w:commentRangeEnd", namespaces=NS)]
    plain_paragraphs = {etree.tostring(p) for p in plain_root.iter(w("p"))}
    assert untouched and all(p in plain_paragraphs for p in untouched)


def test_a_first_submission_has_comments_but_no_revisions(client, report_factory, measure_factory, tree, people):
    drafter, reviewer = people
    report = report_factory(tree["cppcc"], sections=[("主要做法", "practices", [("学习", ["认真学习。"])])])
    measure_factory(report, "学习会议", value=Decimal("1"))
    item = Item.objects.get(section__report=report)
    workflow.submit(report, actor=drafter, late_reason=LATE_REASON)
    workflow.perform("return", report, actor=reviewer, comment="请写明学习的内容。", at_ref=f"item-{item.pk}")
    # The drafter reads the returned round: its comment at its item, nothing marked.
    client.force_login(drafter)
    data = client.get(reverse("reports:export_review_docx", args=[report.pk])).content
    root = body_of(data)
    assert not list(root.iter(w("ins"), w("del")))
    (number, comment), = comments_of(data).items()
    assert (comment["text"], comment["author"]) == ("请写明学习的内容。", "王芳")
    assert ranges(root)[number] == ("一是认真学习。", "")


def test_the_button_is_on_the_review_page_once_submitted(client, report_factory, measure_factory, tree, people):
    drafter, reviewer = people
    report = report_factory(tree["cppcc"], sections=[("主要做法", "practices", [("学习", ["认真学习。"])])])
    measure_factory(report, "学习会议", value=Decimal("1"))
    client.force_login(reviewer)
    url = reverse("reports:export_review_docx", args=[report.pk])
    assert url not in client.get(reverse("reports:review", args=[report.pk])).content.decode()
    # Asked for all the same, it is the report as it stands, with nothing to mark.
    data = client.get(url).content
    assert not list(body_of(data).iter(w("ins"), w("del"))) and "word/comments.xml" not in parts(data)
    workflow.submit(report, actor=drafter, late_reason=LATE_REASON)
    page = client.get(reverse("reports:review", args=[report.pk])).content.decode()
    button = re.search(rf'<a [^>]*href="{re.escape(url)}"[^>]*>([^<]*)</a>', page)
    assert button and button.group(1) == "下载审阅稿（.docx）"
    assert 'title="修改以修订标记显示，批注以 Word 批注显示"' in button.group(0)


def test_others_cannot_download_the_review_copy(client, report_factory, tree, make_user):
    report = report_factory(tree["cppcc"])
    client.force_login(make_user(organization=tree["congress"], role=Membership.Role.DRAFTER))
    assert client.get(reverse("reports:export_review_docx", args=[report.pk])).status_code == 404


def test_a_title_cut_into_lines_keeps_its_changes_on_the_line_they_are_on():
    def document(title):
        return Document([Paragraph(Kind.TITLE, (Run(title, Role.TITLE, ref="title"),), "title"),
                         Paragraph(Kind.BODY, (Run("正文。", ref="opening"),), "opening")])

    old = "中共某某市政协党组2023年第一季度履行全面从严治党主体责任情况报告"
    new = "中共某某市政协党组2023年第二季度履行全面从严治党主体责任情况的报告"
    data = review_docx(document(new), document(old), [Note("标题太长。", "王芳", ref="title")],
                       revision=Revision("李明"))
    root = body_of(data)
    title = [p for p in root.iter(w("p")) if p.find("w:pPr/w:pStyle", NS).get(w("val")) == "公文标题"]
    assert len(title_lines(new)) == 2
    assert ["".join(p.xpath(".//w:t/text()", namespaces=NS)) for p in title] == title_lines(new)
    assert [text for text, *_ in changes(root, "ins")] == ["二", "的"]
    assert [text for text, *_ in changes(root, "del")] == ["一"]
    assert {author for _text, author, date, _id in changes(root, "ins")} == {"李明"}
    # The comment's range runs over the title's lines.
    (number, (text, deleted)), = ranges(root).items()
    assert (text, deleted) == (new, "一")


# ---- LibreOffice opens it and shows the changes ------------------------------------------------


def test_libreoffice_shows_the_inserted_and_the_deleted_text(report_factory, measure_factory, tree, people):
    assert pdf_available(), "LibreOffice (soffice) is needed: scripts/system-packages.sh installs it"
    world = two_rounds(report_factory, measure_factory, tree, people, "paragraphs")
    pdf = convert_docx_to_pdf(render_review_docx(world["report"]))
    assert pdf.startswith(b"%PDF")
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "review.pdf"
        source.write_bytes(pdf)
        text = subprocess.run(["pdftotext", "-layout", str(source), "-"], capture_output=True, check=True,
                              timeout=60).stdout.decode()
    flat = re.sub(r"\s+", "", text)
    # Inserted and deleted text both print, the deleted struck through where it stood.
    assert "认真学习党的创新理论。" in flat
    assert "（一）深强化理论学习武装" in flat
    assert "三是开展专题研讨3次。" in flat
    assert "二是整改落实不够到位。" in flat
    assert "送审稿" in flat  # the header's stamp, as in the normal export


ODF = {"text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
       "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
       "dc": "http://purl.org/dc/elements/1.1/"}


def odf(name):
    prefix, local = name.split(":")
    return f"{{{ODF[prefix]}}}{local}"


def as_libreoffice_reads_it(data):
    """The file saved by LibreOffice as OpenDocument: its own model of the changes and comments."""
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "review.docx"
        source.write_bytes(data)
        subprocess.run([soffice(), f"-env:UserInstallation=file://{work}/profile", "--headless", "--norestore",
                        "--convert-to", "odt", "--outdir", work, str(source)],
                       env={**os.environ, "HOME": work}, capture_output=True, check=True, timeout=120)
        with zipfile.ZipFile(Path(work) / "review.odt") as package:
            return etree.fromstring(package.read("content.xml"))


def odt_marks(content):
    """(comments {text: (author, text in its range)}, inserted texts, deleted texts) as LibreOffice has them."""
    text_body = content.find(".//office:text", ODF)
    deleted = ["".join(region.find("text:deletion", ODF).xpath(".//text()[not(ancestor::office:change-info)]",
                                                               namespaces=ODF))
               for region in text_body.iterfind("text:tracked-changes/text:changed-region", ODF)
               if region.find("text:deletion", ODF) is not None]
    comments, open_comments, open_insertions, inserted = {}, {}, {}, []

    def add(text):
        for collected in (*open_comments.values(), *open_insertions.values()):
            collected.append(text or "")

    def walk(element):
        if element.tag == odf("office:annotation"):
            author = element.findtext("dc:creator", namespaces=ODF)
            note = "\n".join("".join(p.itertext()) for p in element.iterfind("text:p", ODF))
            open_comments[element.get(odf("office:name"))] = collected = []
            comments[note] = (author, collected)
            return
        if element.tag == odf("office:annotation-end"):
            open_comments.pop(element.get(odf("office:name")))
        elif element.tag == odf("text:change-start"):
            open_insertions[element.get(odf("text:change-id"))] = []
        elif element.tag == odf("text:change-end"):
            inserted.append("".join(open_insertions.pop(element.get(odf("text:change-id")))))
        elif element.tag == odf("text:tracked-changes"):
            return
        add(element.text)
        for child in element:
            walk(child)
            add(child.tail)

    walk(text_body)
    return {note: (author, "".join(texts)) for note, (author, texts) in comments.items()}, inserted, deleted


def test_libreoffice_reads_the_changes_and_the_comments_as_written(report_factory, measure_factory, tree, people):
    assert pdf_available(), "LibreOffice (soffice) is needed: scripts/system-packages.sh installs it"
    world = two_rounds(report_factory, measure_factory, tree, people, "inline")
    comments, inserted, deleted = odt_marks(as_libreoffice_reads_it(render_review_docx(world["report"])))
    assert inserted == INSERTED
    assert deleted == DELETED
    current = snapshot_document(world["latest"])
    title = current.paragraphs[0].text
    assert comments == {
        "“创新理论”请写全称。\n并注明学习次数。": ("王芳", "一是认真学习党的创新理论。"),
        "小标题可再凝练。": ("王芳", "（一）强化理论武装。"),
        "修改基本到位。": ("王芳", title),
        "二、三是：此条已删去？": ("王芳", title),
        "（第1次提交时）请写明学习的内容。": ("王芳", "一是认真学习党的创新理论。"),
        "（第1次提交时）整体偏短，请充实。": ("王芳", title),
    }


def test_the_attachments_keep_their_tabs_and_an_empty_title_still_holds_the_comments():
    from reports.document.model import attachment_paragraphs

    def document(title, attachments):
        return Document([Paragraph(Kind.TITLE, (Run(title, Role.TITLE, ref="title"),), "title"),
                         Paragraph(Kind.BODY, (Run("正文。", ref="opening"),), "opening"),
                         *attachment_paragraphs(attachments)])

    data = review_docx(document("", ["甲材料", "丙材料"]), document("", ["甲材料", "乙材料", "丁材料"]),
                       [Note("总体可以。", "王芳")], revision=Revision("李明"))
    root = body_of(data)
    assert [text for text, *_ in changes(root, "del")] == ["乙", "3.丁材料"]
    assert [text for text, *_ in changes(root, "ins")] == ["丙"]
    # The removed attachment's tab is deleted with it, as a w:tab inside the deleted run.
    (gone,) = [p for p in root.iter(w("p")) if p.find("w:pPr/w:rPr/w:del", NS) is not None]
    assert gone.xpath("w:del/w:r/w:tab", namespaces=NS)
    # No title text: the comment is a point at the start of the text.
    assert list(ranges(root).values()) == [("", "")]
    first = root.find("w:body/w:p", NS)
    assert [child.tag for child in first][1:4] == [w("commentRangeStart"), w("commentRangeEnd"), w("r")]
