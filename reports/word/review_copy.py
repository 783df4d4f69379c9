"""The 审阅稿: the report's latest submission as its Word file, laid out exactly as the normal export
(reports/word/writer.py), with what changed since the version it is reviewed against as Word's
tracked changes (修订, which a reader accepts or rejects one by one in Word or WPS) and the
reviewers' comments of the round as Word comments (批注) on the text they are about.

python-docx writes neither, so both are OOXML written here into the writer's body:
- a change is a run inside `w:ins` or `w:del` (its text as `w:delText`), each with `w:id`,
  `w:author` and `w:date`; a paragraph that is new or gone also has its paragraph mark marked
  (`w:pPr/w:rPr/w:ins`, `w:del`), so that accepting the change removes or keeps it whole;
- a comment is a `w:comment` of the part word/comments.xml, anchored in the text by
  `w:commentRangeStart` and `w:commentRangeEnd` around the runs of its part and a run holding
  `w:commentReference` after them.
Paragraphs are matched and changed paragraphs compared character by character as on the review
page (reports/document/diffing.py): Chinese has no spaces, so 二是 → 三是 marks one character.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import count
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

from reports.document.diffing import DELETE, EQUAL, INSERT, diff_paragraphs, diff_text
from reports.document.model import Document, Kind, Paragraph
from reports.document.parts import OWN_PARTS
from reports.document.snapshots import plain_paragraphs, snapshot_document
from reports.labels import person_name
from reports.review.comments import current_document
from reports.review.versions import review_base, submissions
from reports.word.writer import (
    ExtraPart,
    FileProperties,
    Span,
    docx_filename,
    merged_spans,
    printed_spans,
    report_properties,
    title_lines,
    write_document,
)

if TYPE_CHECKING:
    from reports.models import Report

COMMENTS_PART = "word/comments.xml"
COMMENTS_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
COMMENTS_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
TITLE_REF = OWN_PARTS[Kind.TITLE][0]  # the title's part: where a comment on the whole report is anchored
COMMENT_PT = 10.5  # 五号: a comment is read in the margin, not printed with the text
CHANGE_TAGS = {INSERT: "w:ins", DELETE: "w:del"}


@dataclass(frozen=True)
class Revision:
    """Who made the changes the file marks, and when: the latest submission's sender and time."""

    author: str
    date: datetime | None = None


@dataclass(frozen=True)
class Note:
    """A reviewer's comment as the file shows it."""

    text: str
    author: str
    date: datetime | None = None
    ref: str = ""  # the part it is about ("item-12"); "" for the whole report
    place: str = ""  # where the reviewer saw that part ("一、主要做法 （一） 二是")


@dataclass(frozen=True)
class _Shown:
    """A paragraph as the 审阅稿 prints it: its Word paragraphs' runs, each run marked with its
    change, and the change of its paragraph mark ("" unless it is new or gone)."""

    paragraph: Paragraph
    lines: list
    mark: str = ""


def word_date(moment: datetime) -> str:
    """ISO 8601 in UTC without fractions, as Word writes w:date: 2026-12-01T10:00:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def initials(name: str) -> str:
    """What Word shows beside a comment: the first letter of each word of the author's name
    ("Zhang San" → ZS); a Chinese name, written without spaces, gives its surname."""
    return "".join(word[0] for word in name.split()).upper()[:9]


# The text and its changes --------------------------------------------------------------------


def _characters(paragraph, change=""):
    """The paragraph as printed, one span a character: its typeface and part kept."""
    return [Span(ch, span.font, span.ref, change) for span in printed_spans(paragraph) for ch in span.text]


def _compared(before, after):
    """`after` character by character against `before`: the equal and inserted characters as
    `after` prints them, the deleted ones as `before` printed them (typeface and part)."""
    old, new = _characters(before), _characters(after)
    spans, at_old, at_new = [], 0, 0
    for op, text in diff_text("".join(span.text for span in old), "".join(span.text for span in new)):
        size = len(text)
        if op == EQUAL:
            spans += new[at_new:at_new + size]
            at_old, at_new = at_old + size, at_new + size
        elif op == INSERT:
            spans += [replace(span, change=INSERT) for span in new[at_new:at_new + size]]
            at_new += size
        else:
            spans += [replace(span, change=DELETE) for span in old[at_old:at_old + size]]
            at_old += size
    return spans


def _title_lines(characters):
    """The title's characters cut into the lines the title prints as once its changes are
    accepted (title_lines); a deleted character stays on the line where it stood."""
    deleted_only = all(span.change == DELETE for span in characters)  # a title gone: cut as it was

    def counted(span):
        return deleted_only or span.change != DELETE

    widths = [len(line) for line in title_lines("".join(span.text for span in characters if counted(span)))]
    lines, filled = [[]], 0
    for span in characters:
        if counted(span):
            if filled >= widths[len(lines) - 1] and len(lines) < len(widths):
                lines.append([])
                filled = 0
            filled += 1
        lines[-1].append(span)
    return [merged_spans(line, by_part=True) for line in lines]


def _shown(paragraph, characters, mark=""):
    if paragraph.kind == Kind.TITLE:
        return _Shown(paragraph, _title_lines(characters), mark)
    return _Shown(paragraph, [merged_spans(characters, by_part=True)], mark)


def _shown_paragraphs(document: Document, base: Document | None) -> list[_Shown]:
    """`document`'s paragraphs, and where they stood the ones `base` had and it has not, with
    the changes from `base` marked (none when `base` is None)."""
    if base is None:
        return [_shown(paragraph, _characters(paragraph)) for paragraph in document.paragraphs]
    shown = []
    for row in diff_paragraphs(plain_paragraphs(base), plain_paragraphs(document)):
        paragraph = row["paragraph"]
        if not row["changed"]:
            shown.append(_shown(paragraph, _characters(paragraph)))
        elif row.get("removed"):
            shown.append(_shown(paragraph, _characters(paragraph, DELETE), DELETE))
        elif "before" in row:
            shown.append(_shown(paragraph, _compared(row["before"]["paragraph"], paragraph)))
        else:
            shown.append(_shown(paragraph, _characters(paragraph, INSERT), INSERT))
    return shown


# The OOXML -----------------------------------------------------------------------------------


def _annotation(tag, number, author, moment):
    element = OxmlElement(tag)
    element.set(qn("w:id"), str(number))
    element.set(qn("w:author"), author)
    if moment is not None:
        element.set(qn("w:date"), word_date(moment))
    return element


def _mark_run(run, change, number, revision):
    wrapper = _annotation(CHANGE_TAGS[change], number, revision.author, revision.date)
    run.addprevious(wrapper)
    wrapper.append(run)
    if change == DELETE:  # deleted text is w:delText: a w:t inside w:del makes the file invalid
        for text in run.findall(qn("w:t")):
            deleted = OxmlElement("w:delText")
            deleted.text = text.text
            if text.get(qn("xml:space")):
                deleted.set(qn("xml:space"), text.get(qn("xml:space")))
            text.addprevious(deleted)
            run.remove(text)


def _mark_paragraph(paragraph, change, number, revision):
    properties = paragraph.find(qn("w:pPr"))
    if properties is None:
        properties = OxmlElement("w:pPr")
        paragraph.insert(0, properties)
    mark = properties.find(qn("w:rPr"))
    if mark is None:  # last of what the writer puts in w:pPr: only w:sectPr and w:pPrChange may follow
        mark = OxmlElement("w:rPr")
        properties.append(mark)
    mark.insert(0, _annotation(CHANGE_TAGS[change], number, revision.author, revision.date))


def _marker(tag, number):
    element = OxmlElement(tag)
    element.set(qn("w:id"), str(number))
    return element


def _reference(number):
    run = OxmlElement("w:r")
    run.append(_marker("w:commentReference", number))
    return run


def _outer(run):
    """The run, or the w:ins / w:del holding it: what a comment's range marks stand beside."""
    parent = run.getparent()
    return parent if parent.tag in (qn("w:ins"), qn("w:del")) else run


def _comments_part(notes, numbers):
    comments = parse_xml(f"<w:comments {nsdecls('w')}/>")
    for note, number in zip(notes, numbers, strict=True):
        comment = _annotation("w:comment", number, note.author, note.date)
        comment.set(qn("w:initials"), initials(note.author))
        for line_number, line in enumerate(note.text.splitlines() or [""]):
            paragraph = OxmlElement("w:p")
            properties = OxmlElement("w:pPr")
            # Normal's exact 3号 lines are the page's; a margin note reads at 五号, single spaced.
            spacing = OxmlElement("w:spacing")
            spacing.set(qn("w:line"), "240")
            spacing.set(qn("w:lineRule"), "auto")
            properties.append(spacing)
            alignment = OxmlElement("w:jc")
            alignment.set(qn("w:val"), "left")
            properties.append(alignment)
            paragraph.append(properties)
            if line_number == 0:
                reference = OxmlElement("w:r")
                reference.append(OxmlElement("w:annotationRef"))
                paragraph.append(reference)
            run = OxmlElement("w:r")
            run_properties = OxmlElement("w:rPr")
            for tag in ("w:sz", "w:szCs"):
                size = OxmlElement(tag)
                size.set(qn("w:val"), str(round(COMMENT_PT * 2)))
                run_properties.append(size)
            run.append(run_properties)
            text = OxmlElement("w:t")
            text.set(qn("xml:space"), "preserve")
            text.text = line
            run.append(text)
            paragraph.append(run)
            comment.append(paragraph)
        comments.append(comment)
    return etree.tostring(comments, encoding="UTF-8", standalone=True)


def _note_text(note, present):
    if note.ref and note.ref not in present and note.place:
        return _("%(place)s：%(text)s") % {"place": note.place, "text": note.text}
    return note.text


def _paragraph_of(run):
    return next(run.iterancestors(qn("w:p")))


def _part_ranges(written):
    """{ref: (first run, last run)} of each part in the text: from its first to its last run that
    is not deleted, with the deleted text of the part just before or after them in the same
    paragraph (a part moved elsewhere does not stretch its range over what lies between)."""
    runs = [(run, span) for record in written for run, span in record.runs]
    kept = {}
    for index, (_run, span) in enumerate(runs):
        if span.ref and span.change != DELETE:
            start, _end = kept.get(span.ref, (index, index))
            kept[span.ref] = (start, index)

    def extends(index, step):
        neighbour = index + step
        return (0 <= neighbour < len(runs) and runs[neighbour][1].ref == runs[index][1].ref
                and runs[neighbour][1].change == DELETE
                and _paragraph_of(runs[neighbour][0]) is _paragraph_of(runs[index][0]))

    ranges = {}
    for ref, (start, end) in kept.items():
        while extends(start, -1):
            start -= 1
        while extends(end, 1):
            end += 1
        ranges[ref] = (runs[start][0], runs[end][0])
    return ranges


def _anchor(word, written, notes, numbers):
    """Each note's range around the runs of its part (_part_ranges); a note on the whole report,
    or on a part no longer in the text, around the title. Returns the parts in the text."""
    ranges = _part_ranges(written)
    anchors = {}
    for note, number in zip(notes, numbers, strict=True):
        anchors.setdefault(note.ref if note.ref in ranges else TITLE_REF, []).append(number)
    for ref, anchored in anchors.items():
        starts = [_marker("w:commentRangeStart", number) for number in anchored]
        # Every range ends before any reference mark: the marks stand outside all the ranges.
        following = [_marker("w:commentRangeEnd", number) for number in anchored]
        following += [_reference(number) for number in anchored]
        if ref in ranges:
            first, last = ranges[ref]
            for start in starts:
                _outer(first).addprevious(start)
            tail = _outer(last)
        else:  # no title text to stand around (an empty title): a point where the text starts
            paragraph = word.find(qn("w:body")).find(qn("w:p"))
            if paragraph is None:
                continue
            tail = paragraph.find(qn("w:pPr"))
            following = starts + following
            if tail is None:
                tail = following.pop(0)
                paragraph.insert(0, tail)
        for element in following:
            tail.addnext(element)
            tail = element
    return ranges.keys()


def _finisher(shown, notes, revision):
    def finish(word, written):
        marks = {id(item.paragraph): item.mark for item in shown}
        numbers = count()
        comment_numbers = [next(numbers) for _note in notes]  # ids are unique across all annotations
        for record in written:
            mark = marks.get(id(record.paragraph), "")
            for run, span in record.runs:
                if span.change:
                    _mark_run(run, span.change, next(numbers), revision)
            if mark:
                for paragraph in record.elements:
                    _mark_paragraph(paragraph, mark, next(numbers), revision)
        if not notes:
            return ()
        present = _anchor(word, written, notes, comment_numbers)
        texts = [replace(note, text=_note_text(note, present)) for note in notes]
        return (ExtraPart(COMMENTS_PART, COMMENTS_CONTENT_TYPE, COMMENTS_RELATIONSHIP,
                          _comments_part(texts, comment_numbers)),)

    return finish


def review_docx(document: Document, base: Document | None = None, notes: Sequence[Note] = (), *,
                revision: Revision | None = None, properties: FileProperties | None = None) -> bytes:
    """`document` as its Word file, with the changes from `base` as `revision`'s tracked changes
    (none when `base` is None) and `notes` as Word comments. It opens with Track Changes on: a
    leader's own edits come back marked, to be read as suggestions (reports/word/importing/review)."""
    revision = revision or Revision(_("起草人"))
    shown = _shown_paragraphs(document, base)
    by_id = {id(item.paragraph): item for item in shown}
    return write_document(document, properties=properties, paragraphs=[item.paragraph for item in shown],
                          lines=lambda paragraph: by_id[id(paragraph)].lines,
                          finish=_finisher(shown, list(notes), revision), track_changes=True)


def round_notes(comments: Iterable, latest=None) -> list[Note]:
    """Comments (reports.models.Comment, their authors and submissions loaded) as the file shows
    them; one made on an earlier round than `latest` says which."""
    notes = []
    for comment in comments:
        author = comment.author_name or (person_name(comment.author) if comment.author else _("审核人"))
        text = comment.text
        if latest is not None and comment.submission_id and comment.submission_id != latest.pk:
            text = _("（第%(number)d次提交时）%(text)s") % {"number": comment.submission.number, "text": text}
        notes.append(Note(text, author, comment.created_at, comment.ref, comment.place))
    return notes


def render_review_docx(report: Report) -> bytes:
    """The report's 审阅稿: its latest submission (the report as it stands when never submitted),
    the changes since the version it is reviewed against (reports.review.versions.review_base)
    tracked as made by whoever submitted it when they did, and the comments on that submission."""
    rounds = submissions(report)
    latest = rounds[0] if rounds else None
    base = review_base(report, rounds)
    revision = notes = None
    if latest is not None:
        author = person_name(latest.submitted_by) if latest.submitted_by else _("起草人")
        revision = Revision(author, latest.submitted_at)
        # This round's comments, and those the changes answer: the rounds since the base.
        since = base.number if base is not None else latest.number
        comments = (report.comments.filter(submission__number__gte=since).select_related("author", "submission")
                    .order_by("created_at", "id"))
        notes = round_notes(comments, latest=latest)
    return review_docx(current_document(report), snapshot_document(base) if base else None, notes or (),
                       revision=revision, properties=report_properties(report))


def review_docx_filename(report: Report) -> str:
    """`{title}（审阅稿）.docx`."""
    return docx_filename(report).removesuffix(".docx") + _("（审阅稿）") + ".docx"
