"""A leader's edited Word file → suggestions and comments on the report's parts (nothing is written).

The base is what the leader was sent: the report's latest submission (the report as it stands
when it was never submitted). The file's body is read as marked characters (marks.py); its text
before the leader's changes (deleted text in, inserted text out) is aligned with the base's
paragraphs, then characters (alignment.py). The base knows which part every character prints in
(reports.document.parts), so each character of the file lands in a part:

- an aligned one in the part of the base character it stands for;
- an inserted one in the part before it in its paragraph, or, at the very start of a paragraph,
  in the paragraph's first part; a whole new paragraph goes to the part before it.

Each part's text after the changes is compared with the part as printed; a part that differs is
one suggestion, `tracked` when a revision mark changed it (not only an edit made without Track
Changes). Ordinals (一、 （一） 一是) are printed from the order of the parts, not typed: a leader
who deletes an item and renumbers the rest changes them, so they are no part's text and a change
to them alone is no suggestion.

A 审阅稿 carries tracked changes of its own (the last round against the one before): an author
whose revisions, accepted, give the base's text is taken as having written them into the file
before the leader read it (`ReviewReading.accepted_authors`), so they are not the leader's.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from reports.access import EDITABLE_STATUSES
from reports.document.model import Document, build_document
from reports.document.parts import LINE_FIELDS, TextPart, run_keys, text_parts
from reports.document.snapshots import snapshot_document
from reports.document.text import without_forbidden
from reports.labels import person_name
from reports.review.suggestions import suggestable_ref
from reports.review.versions import round_label
from reports.word.importing.errors import CORRUPT, ImportRefused
from reports.word.importing.patterns import BOUNDARY, CLOSING_QUOTES, CN, LEVEL1_RE, LEVEL2_RE, fold
from reports.word.importing.review.alignment import Alignment
from reports.word.importing.review.errors import (
    MIN_PARTS_FOUND,
    NOT_THIS_REPORT,
    NOTHING_READ,
    TOO_MUCH_TEXT,
    ReviewFileRefused,
    refused_as_review,
)
from reports.word.importing.review.marks import START, Char, MarkedFile, read_marked

if TYPE_CHECKING:
    from reports.models import Report, Submission

logger = logging.getLogger(__name__)

# The fields whose paragraphs are lines of one text (parts.py joins them with "\n"); an item, a
# title, a name is one line, however many paragraphs the leader made of it.
# A part is found in the file when this share of its characters stands there as it was.
FOUND_SHARE = 0.8
# A paragraph without revision marks stands for text of the report when at least this share of
# its characters is the report's own; otherwise it is something the leader added, placed nowhere.
PLACED_SHARE = 0.5
ITEM_ORDINAL_RE = re.compile(rf"\s*({CN})\s*是")
SENTENCE_ENDS = set(BOUNDARY) | set(CLOSING_QUOTES)
# The text a file may hold (deleted text included): a few times the report's, and some more for
# a short report. A leader rewrites, but a file far longer than the report is another document.
MAX_TEXT_TIMES, MAX_TEXT_MORE = 3, 20_000
UNPLACED = ("", "unplaced")  # the key of text placed nowhere, where a comment may stand


@dataclass(frozen=True)
class FileSuggestion:
    """One part's change in the file: all of its insertions, deletions and unmarked edits together."""

    part: str  # the part's label: "一、（一）二是"
    before: str  # the part as printed in the base, without its ordinal
    after: str  # as the leader left it ("" when it was deleted whole)
    author: str  # the revisions' w:author, several joined with "、"; "" for an edit without marks
    tracked: bool  # a revision mark changed it (else only the file's text differs)
    ref: str  # the part of the editor: "item-12", "heading-5", "title" …
    field: str  # what of it: "text", "title", "lead" …

    def as_json(self) -> dict:
        return {"part": self.part, "before": self.before, "after": self.after, "author": self.author,
                "tracked": self.tracked}


@dataclass(frozen=True)
class FileComment:
    part: str  # the label of the part where its range starts (or its reference stands)
    text: str
    author: str
    ref: str
    field: str

    def as_json(self) -> dict:
        return {"part": self.part, "text": self.text, "author": self.author}


@dataclass(frozen=True)
class Unmatched:
    """What the file holds that lands in no part: added text, a new item, a comment placed nowhere."""

    text: str
    reason: str
    author: str = ""  # of a comment or of the revision that added it, when known

    def as_json(self) -> dict:
        return {"text": self.text, "reason": self.reason}


@dataclass
class ReviewReading:
    report: Report
    base_label: str  # "第2次提交", or "当前文本" for a report never submitted
    base: Submission | None  # the submission the file was compared with
    suggestions: list[FileSuggestion] = field(default_factory=list)  # in print order
    comments: list[FileComment] = field(default_factory=list)  # in the file's order
    unmatched: list[Unmatched] = field(default_factory=list)  # in the file's order
    # Authors whose revisions were already in the file when the leader got it (a 审阅稿's).
    accepted_authors: tuple[str, ...] = ()
    # Comments the report has already, which the file shows (a 审阅稿 carries the round's): not new.
    repeated: list[FileComment] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "report": self.report.pk,
            "base": self.base_label,
            "suggestions": [suggestion.as_json() for suggestion in self.suggestions],
            "comments": [comment.as_json() for comment in self.comments],
            "unmatched": [item.as_json() for item in self.unmatched],
        }


def read_review(report: Report, data: bytes) -> ReviewReading:
    """The leader's .docx (our export or the 审阅稿, edited in Word or WPS) read against the report's
    latest submission. Raises ReviewFileRefused for anything that is not this report's Word file.

    A report being revised (returned, or a draft since its last submission) may have been sent to
    the leader as it now stands, not as it was submitted: then the file is read against both, and
    the text it matches better is its base (the drafter's own edits are not the leader's)."""
    latest = report.submissions.order_by("-number").first()
    candidates = [(snapshot_document(latest), round_label(latest), latest)] if latest else []
    if latest is None or report.status in EDITABLE_STATUSES:
        current = build_document(report)
        if not candidates or current.text != candidates[0][0].text:
            candidates.append((current, _("当前文本"), None))
    readings, refusal = [], None
    for document, label, submission in candidates:
        try:
            readings.append(_read_against(report, document, label, submission, data))
        except ReviewFileRefused as refused:
            refusal = refusal or refused
    if not readings:
        raise refusal
    reading = min(readings, key=_distance)
    _set_apart_repeated(reading, report)
    return reading


def _distance(reading: ReviewReading) -> int:
    """How far the file is from the base it was read against: what the leader's marks do not
    explain (changes found by comparing the text, text placed nowhere). The first base wins a tie."""
    return sum(not suggestion.tracked for suggestion in reading.suggestions) + len(reading.unmatched)


def _read_against(report, document, label, submission, data) -> ReviewReading:
    base = _Base(document)
    reading = ReviewReading(report, label, submission)
    try:
        marked = read_marked(data, max_characters=MAX_TEXT_TIMES * len(base.keys) + MAX_TEXT_MORE)
        _Reading(base, marked).into(reading)
    except ImportRefused as refused:
        if refused.code == "too_much_text":
            raise ReviewFileRefused(TOO_MUCH_TEXT, "too_much_text") from None
        raise refused_as_review(refused) from None
    except ReviewFileRefused:
        raise
    except Exception:
        # A file that passed the checks but trips the reader is still the user's file, not our
        # error page: log it for us, tell them it cannot be read.
        logger.exception("could not read a reviewed .docx")
        raise ReviewFileRefused(CORRUPT, "unreadable") from None
    return reading


def _set_apart_repeated(reading: ReviewReading, report: Report) -> None:
    """The file's comments that are the report's own already: a 审阅稿 shows the round's comments
    in the name they were made in, some with a note of where or when before them (review_copy)."""
    known = [(comment.text, {comment.author_name, person_name(comment.author) if comment.author else ""} - {""})
             for comment in report.comments.select_related("author")]
    if not known:
        return
    new = []
    for comment in reading.comments:
        if any(comment.text.endswith(text) and (not names or comment.author in names) for text, names in known):
            reading.repeated.append(comment)
        else:
            new.append(comment)
    reading.comments = new


class _Base:
    """The base document's text, and for each character the part it prints in."""

    def __init__(self, document: Document):
        self.parts = text_parts(document)
        real = {part.key for part in self.parts}
        self.paragraphs: list[str] = []
        self.keys: list = []  # per offset of the joined text: a part key (None at a paragraph's end)
        self.ordinal: list[bool] = []
        self.loose: dict = {}  # key → text of the paragraphs in no part, each a part of its own here
        for index, (paragraph, keys) in enumerate(zip(document.paragraphs, run_keys(document), strict=True)):
            pieces = []
            for run, key in zip(paragraph.runs, keys, strict=True):
                text = without_forbidden(run.text)
                if key is None or key not in real:
                    key = ("", f"paragraph-{index}")
                    self.loose[key] = self.loose.get(key, "") + text
                pieces.append(text)
                self.keys += [key] * len(text)
                self.ordinal += [run.kind == "ordinal" and key in real] * len(text)
            self.paragraphs.append("".join(pieces))
            self.keys.append(None)
            self.ordinal.append(False)
        self.sizes = Counter(key for key, ordinal in zip(self.keys, self.ordinal, strict=True) if key and not ordinal)


def _before(char: Char, accepted) -> bool:
    """In the text the leader was given: not inserted (or inserted before), not deleted by the leader."""
    return (char.inserted is None or char.inserted in accepted) and (char.deleted is None or char.deleted not in accepted)


def _after(char: Char) -> bool:
    return char.deleted is None


def _accepted_authors(chars, base_paragraphs) -> frozenset:
    """The authors whose revisions were in the file before the leader's: accepting them makes more of
    the file's paragraphs the base's (a 审阅稿's marks against the round before). Everyone else is a
    reviewer. Each author is weighed on the paragraphs they marked only, so many authors cost little."""
    wanted = set(base_paragraphs)
    paragraphs: dict[int, list[Char]] = {}
    marked: dict[str, dict[int, None]] = {}  # author → the paragraphs they marked, in order
    for char in chars:
        paragraphs.setdefault(char.paragraph, []).append(char)
        for author in (char.inserted, char.deleted):
            if author is not None:
                marked.setdefault(author, {})[char.paragraph] = None

    def score(indices, accepted):
        found = 0
        for index in indices:
            text = "".join(char.text for char in paragraphs[index] if not char.is_mark and _before(char, accepted))
            found += len(text) if text in wanted else 0
        return found

    accepted = frozenset()
    for author, indices in marked.items():
        if score(indices, accepted | {author}) > score(indices, accepted):
            accepted |= {author}
    return accepted


@dataclass(slots=True)
class _Placed:
    """A character of the file in the text before and/or after the leader's changes."""

    char: Char
    before: bool
    after: bool
    key: tuple | None = None  # the part it lands in
    anchored: bool = False  # aligned with a character of the base
    exact: bool = False  # … and the same character
    ordinal: bool = False  # aligned with an ordinal of the base
    line: int = 0  # the paragraph of the text after the changes it stands in
    excluded: bool = False  # in a paragraph placed nowhere

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def author(self) -> str:
        return (self.char.deleted if self.before else self.char.inserted) or ""


class _Reading:
    def __init__(self, base: _Base, marked: MarkedFile):
        self.base = base
        self.marked = marked
        self.accepted = _accepted_authors(marked.chars, self.base.paragraphs)
        self.placed: list[_Placed | None] = []  # per char of marked.chars; None: in neither text
        for char in marked.chars:
            before, after = _before(char, self.accepted), _after(char)
            self.placed.append(_Placed(char, before, after) if before or after else None)
        self.unmatched: list[tuple[int, Unmatched]] = []  # with where they stand, to be sorted

    # Where each character lands ------------------------------------------------------------------

    def _align(self):
        texts, current, at = [], [], []  # the file's paragraphs before the changes; offset → index
        for index, placed in enumerate(self.placed):
            if placed is None or not placed.before:
                continue
            at.append(index)
            if placed.char.is_mark:
                texts.append("".join(current))
                current = []
            else:
                current.append(placed.char.text)
        alignment = Alignment(self.base.paragraphs, texts)
        for offset, base_offset in alignment.mapping.items():
            placed = self.placed[at[offset]]
            if placed.char.is_mark or base_offset >= len(self.base.keys) or self.base.keys[base_offset] is None:
                continue
            placed.key, placed.anchored = self.base.keys[base_offset], True
            placed.exact = offset in alignment.exact
            placed.ordinal = self.base.ordinal[base_offset]
        self.found = Counter(self.base.keys[alignment.mapping[offset]] for offset in alignment.exact
                             if self.base.keys[alignment.mapping[offset]] is not None
                             and not self.base.ordinal[alignment.mapping[offset]])
        text = [placed for placed in self.placed if placed is not None and placed.before and not placed.char.is_mark]
        self.own_share = sum(placed.exact for placed in text) / len(text) if text else 0

    def _unplaced_paragraphs(self):
        """Paragraphs without a revision mark that are mostly not the base's: text the leader added
        without Track Changes, placed in no part."""
        by_paragraph: dict[int, list[tuple[int, _Placed]]] = {}
        for index, placed in enumerate(self.placed):
            if placed is not None:
                by_paragraph.setdefault(placed.char.paragraph, []).append((index, placed))
        for chars in by_paragraph.values():
            text = [placed for _index, placed in chars if not placed.char.is_mark]
            shown = "".join(placed.char.text for placed in text).strip()
            if not shown or any(placed.changed for _index, placed in chars):
                continue
            if sum(placed.exact for placed in text) < PLACED_SHARE * len(text):
                for _index, placed in chars:
                    placed.key, placed.anchored, placed.excluded = None, False, True
                self._unmatched(chars[0][0], shown, _("无法对应到报告中的任何部分"))

    def _land(self):
        """Each character not aligned with the base into the part before it in its paragraph, else
        the paragraph's first part, else (a new paragraph) the part before it in the file."""
        live = [(index, placed) for index, placed in enumerate(self.placed) if placed is not None and not placed.excluded]
        previous_here, previous_any, paragraph = None, None, None
        following: dict[int, tuple] = {}
        later_here, later_paragraph = None, None
        for index, placed in reversed(live):
            if placed.char.paragraph != later_paragraph:
                later_here, later_paragraph = None, placed.char.paragraph
            if placed.anchored:
                later_here = placed.key
            following[index] = later_here
        first_key = next((placed.key for _index, placed in live if placed.anchored), None)
        for index, placed in live:
            if placed.char.paragraph != paragraph:
                previous_here, paragraph = None, placed.char.paragraph
            if placed.anchored:
                previous_here = previous_any = placed.key
                continue
            placed.key = previous_here or following[index] or previous_any or first_key
        line = 0
        for _index, placed in live:
            placed.line = line
            if placed.char.is_mark and placed.after:
                line += 1

    def _check_found(self):
        parts = [part for part in self.base.parts if self.base.sizes[part.key]]
        found = sum(self.found[part.key] >= FOUND_SHARE * self.base.sizes[part.key] for part in parts)
        if found < MIN_PARTS_FOUND * len(parts) or self.own_share < MIN_PARTS_FOUND:
            if not any(placed is not None and placed.char.text.strip() for placed in self.placed):
                raise ReviewFileRefused(NOTHING_READ, "empty")
            raise ReviewFileRefused(NOT_THIS_REPORT % {"parts": len(parts), "found": found}, "not_this_report")

    # What each part became ----------------------------------------------------------------------

    def into(self, reading: ReviewReading):
        self._align()
        self._check_found()
        self._unplaced_paragraphs()
        self._land()
        per_part: dict[tuple, list[tuple[int, _Placed]]] = {}
        for index, placed in enumerate(self.placed):
            if placed is not None and placed.key is not None:
                per_part.setdefault(placed.key, []).append((index, placed))
        for part in self.base.parts:
            suggestion = self._suggestion(part, per_part.get(part.key, []))
            if suggestion is None:
                continue
            if suggestable_ref(part.ref):
                reading.suggestions.append(suggestion)
            else:  # nobody could accept it: the part is printed from the ledger or the plans
                first = min(index for index, _placed in per_part[part.key])
                self._unmatched(first, suggestion.after or suggestion.before,
                                _("%(part)s由问题整改台账或工作打算清单生成，请在那里修改") % {"part": part.label},
                                suggestion.author)
        for key, before in self.base.loose.items():
            self._loose(before, per_part.get(key, []))
        labels = {part.key: part for part in self.base.parts}
        reading.comments.extend(self._comments(labels))
        for index, text in self.marked.outside:
            self._unmatched(index, text, _("表格或文本框中的文字，无法对应到报告中的任何部分"))
        reading.unmatched.extend(item for _index, item in sorted(self.unmatched, key=lambda pair: pair[0]))
        reading.accepted_authors = tuple(sorted(self.accepted))

    def _unmatched(self, index, text, reason, author=""):
        self.unmatched.append((index, Unmatched(text, reason, author)))

    def _suggestion(self, part: TextPart, chars: list[tuple[int, _Placed]]) -> FileSuggestion | None:
        ordinal_chars = {index for index, placed in chars if placed.ordinal}
        shown = [(index, placed) for index, placed in chars if placed.after and not placed.char.is_mark]
        if part.ordinal:
            shown, stripped = _without_ordinal(part, chars, shown)
            ordinal_chars |= stripped
        shown, added = self._new_parts(shown)
        ordinal_chars |= added
        after = _text(shown, lines=part.field in LINE_FIELDS)
        if after == without_forbidden(part.text):
            return None
        revisions = [placed for index, placed in chars if placed.changed and index not in ordinal_chars]
        authors = list(dict.fromkeys(placed.author for placed in revisions if placed.author))
        return FileSuggestion(part.label, part.text, after, "、".join(authors), bool(revisions), part.ref, part.field)

    def _new_parts(self, shown):
        """A new item ("四是……"), heading or section the leader added at the end of a part: it is
        no change of the part, and nothing here can add it (the drafter does, in the editor)."""
        tail = len(shown)
        while tail > 0 and not shown[tail - 1][1].anchored:
            tail -= 1
        if tail == len(shown):
            return shown, set()
        text = fold("".join(placed.char.text for _index, placed in shown))
        for start in range(max(tail, 1), len(shown)):
            opens_line = shown[start][1].line != shown[start - 1][1].line
            reason = None
            if text[start - 1] in SENTENCE_ENDS or opens_line:
                if ITEM_ORDINAL_RE.match(text, start):
                    reason = _("新增条目：请在编辑器中添加")
            if opens_line and reason is None:
                if LEVEL2_RE.match(text, start):
                    reason = _("新增小标题：请在编辑器中添加")
                elif LEVEL1_RE.match(text, start):
                    reason = _("新增部分：请在编辑器中添加")
            if reason is not None:
                new = shown[start:]
                authors = dict.fromkeys(placed.author for _index, placed in new if placed.author)
                self._unmatched(new[0][0], _text(new, lines=True), reason, "、".join(authors))
                return shown[:start], {index for index, _placed in new}
        return shown, set()

    def _loose(self, before, chars):
        """Text of the base in no part (the 附件说明, printed from the evidence): a change there cannot
        be suggested, only reported."""
        shown = [(index, placed) for index, placed in chars if placed.after and not placed.char.is_mark]
        after = _text(shown, lines=False)
        if after != before:
            authors = dict.fromkeys(placed.author for _index, placed in chars if placed.changed and placed.author)
            where = chars[0][0] if chars else len(self.placed)
            self._unmatched(where, after or before, _("附件说明按证明材料生成，不能在此修改；请修改证明材料"), "、".join(authors))

    # Comments -----------------------------------------------------------------------------------

    def _comments(self, parts):
        anchors: dict[str, tuple[int, str]] = {}
        for comment_id, index, kind in self.marked.anchors:
            if comment_id not in anchors or (kind == START and anchors[comment_id][1] != START):
                anchors[comment_id] = (index, kind)
        placed_comments = []
        for comment in self.marked.comments:
            if not comment.text:
                continue
            index, kind = anchors.get(comment.id, (None, None))
            key = self._comment_key(index, kind) if index is not None else None
            part = parts.get(key)
            if part is None:
                if key is None:
                    reason = _("批注没有标在报告正文的文字上，无法对应到某一处")
                elif key == UNPLACED:
                    reason = _("批注标在无法对应到报告的文字上")
                else:
                    reason = _("批注标在附件说明上，无法对应到报告中的某一处")
                self._unmatched(len(self.placed) if index is None else index, comment.text, reason, comment.author)
                continue
            placed_comments.append((index, FileComment(part.label, comment.text, comment.author, part.ref, part.field)))
        return [comment for _index, comment in sorted(placed_comments, key=lambda pair: pair[0])]

    def _comment_key(self, index, kind):
        """The part of the text a comment's range starts at (forward in its paragraph, else back);
        for a comment with only a reference, the text just before it (else after)."""
        chars = self.placed
        if index >= len(chars):
            index = len(chars) - 1
        paragraph = self.marked.chars[index].paragraph

        def keyed(i):
            placed = chars[i]
            return placed.key if placed is not None and not placed.char.is_mark else None

        forward = range(index, len(chars))
        backward = range(index - 1, -1, -1)
        for direction in ((forward, backward) if kind == START else (backward, forward)):
            for i in direction:
                if self.marked.chars[i].paragraph != paragraph:
                    break
                if chars[i] is not None and chars[i].excluded:
                    return UNPLACED
                key = keyed(i)
                if key is not None:
                    return key
        return None


def _ordinal_re(ordinal: str):
    folded = fold(ordinal)
    if folded.endswith("是"):
        return ITEM_ORDINAL_RE
    return LEVEL2_RE if folded.startswith("(") else LEVEL1_RE


def _without_ordinal(part: TextPart, chars, shown):
    """The part's characters after the changes without its ordinal, whatever it was renumbered to:
    what stands from the base's ordinal on (kept or deleted) and reads as an ordinal of its kind."""
    start = next((index for index, placed in chars if placed.ordinal), None)
    head = [(index, placed) for index, placed in shown if start is not None and index < start]
    rest = shown[len(head):]
    match = _ordinal_re(part.ordinal).match(fold("".join(placed.char.text for _index, placed in rest)))
    if match:
        cut = match.end()
        return head + rest[cut:], {index for index, _placed in rest[:cut]}
    # Nothing reads as an ordinal any more: leave out what was the ordinal, keep what the leader wrote.
    return [(index, placed) for index, placed in shown if not placed.ordinal], set()


def _text(chars, *, lines: bool) -> str:
    """Characters as a part's text: its paragraphs in the file one a line (a lead, the opening), or
    run together (an item, a title: one line however the file breaks it)."""
    paragraphs: dict[int, list[str]] = {}
    for _index, placed in chars:
        paragraphs.setdefault(placed.line, []).append(placed.char.text)
    pieces = ["".join(texts).strip() for texts in paragraphs.values()]
    return ("\n" if lines else "").join(piece for piece in pieces if piece)
