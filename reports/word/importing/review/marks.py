"""A leader's edited .docx as marked text: every character of the body with the revisions around
it (w:ins, w:del and the moves, as Word and WPS write them), each paragraph's mark, and where
each comment is anchored.

The file is opened by package.py (sniffing, zip-bomb and XML limits) and its main part read
streamed, one body child at a time; revisions are counted as they are parsed, so a file with
thousands of them is refused after reading only as far as the limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reports.document.text import clean_text
from reports.word.importing.errors import CORRUPT, TOO_MANY_PARAGRAPHS, TOO_MUCH_TEXT, ImportRefused
from reports.word.importing.package import Package
from reports.word.importing.reader_docx import MAX_CHARACTERS, MAX_PARAGRAPHS
from reports.word.importing.review.errors import MAX_REVISIONS, TOO_MANY_REVISIONS, ReviewFileRefused

MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
START, REFERENCE = "start", "reference"
# w:br of these types breaks the page or column, not the line: no text.
PAGE_BREAKS = ("page", "column")


@dataclass(slots=True)
class Char:
    """One character of the body, or a paragraph's mark (text "")."""

    text: str
    paragraph: int  # the w:p it stands in, counted through the body
    inserted: str | None = None  # the author of the insertion around it (w:ins, w:moveTo); None: not inserted
    deleted: str | None = None  # the author of its deletion (w:del, w:moveFrom)

    @property
    def is_mark(self) -> bool:
        return not self.text


@dataclass(frozen=True)
class WordComment:
    id: str
    author: str
    text: str  # its paragraphs one a line


@dataclass
class MarkedFile:
    chars: list[Char] = field(default_factory=list)
    # (comment id, index into chars where it stands, START or REFERENCE), in document order
    anchors: list[tuple[str, int, str]] = field(default_factory=list)
    comments: list[WordComment] = field(default_factory=list)  # as comments.xml lists them
    # The text of tables and text boxes, which hold no part, with the index into chars where it stands.
    outside: list[tuple[int, str]] = field(default_factory=list)
    revisions: int = 0


class _Names:
    def __init__(self, w):
        self.w = w
        for tag in ("p", "r", "t", "delText", "tab", "ptab", "br", "cr", "noBreakHyphen", "pPr", "rPr", "vanish", "ins",
                    "moveFrom", "moveTo", "commentRangeStart", "commentReference", "comment", "tbl", "sdt",
                    "sdtContent", "customXml", "body", "txbxContent", "drawing", "pict", "object", "author", "id",
                    "val", "type"):
            setattr(self, tag, f"{w}{tag}")
        self.dele = f"{w}del"  # `del` is a keyword
        self.revisions = {self.ins, self.dele, self.moveFrom, self.moveTo}
        # Not text: properties, proofing and bookmark marks, the other branch of an alternate content.
        self.skip = {f"{w}{tag}" for tag in ("pPr", "rPr", "sectPr", "sdtPr", "sdtEndPr", "proofErr", "bookmarkStart",
                                              "bookmarkEnd", "commentRangeEnd", "moveFromRangeStart", "moveFromRangeEnd",
                                              "moveToRangeStart", "moveToRangeEnd")}
        self.skip.add(f"{MC}Fallback")
        self.boxes = {self.drawing, self.pict, self.object, f"{MC}AlternateContent"}


class _Reader:
    def __init__(self, package: Package, max_characters: int):
        self.package, self.max_characters = package, max_characters
        self.events = package.iterparse(package.main, ("start", "end"))
        root = next(self.events, (None, None))[1] if self.events is not None else None
        if root is None or not root.tag.endswith("}document"):
            raise ImportRefused(CORRUPT, "corrupt")
        self.n = _Names(root.tag[: root.tag.index("}") + 1])
        self.file = MarkedFile()
        self.paragraphs = 0  # w:p read, tables' included (the importer's limit)
        self.body_paragraphs = 0

    def read(self) -> MarkedFile:
        n, depth, body = self.n, 1, None
        for event, element in self.events:
            if event == "start":
                depth += 1
                if element.tag in n.revisions:
                    self.file.revisions += 1
                    if self.file.revisions > MAX_REVISIONS:
                        raise ReviewFileRefused(TOO_MANY_REVISIONS, "too_many_revisions")
                if depth == 2 and element.tag == n.body:
                    body = element
                continue
            if element.tag == n.p:
                self.paragraphs += 1
                if self.paragraphs > MAX_PARAGRAPHS:
                    raise ImportRefused(TOO_MANY_PARAGRAPHS, "too_many_paragraphs")
            if depth == 3 and body is not None:
                self._block(element)
                body.clear()  # one body child in memory at a time
            elif depth == 2:
                body = None
            depth -= 1
        self._comments()
        return self.file

    def _block(self, element):
        n = self.n
        tag = element.tag
        if tag == n.p:
            self._paragraph(element)
        elif tag == n.tbl:
            self._outside(element)
        elif tag == n.commentRangeStart:
            self.file.anchors.append((element.get(n.id, ""), len(self.file.chars), START))
        elif tag in (n.sdt, n.sdtContent, n.customXml):
            for child in element:
                self._block(child)

    def _paragraph(self, p):
        n, index = self.n, self.body_paragraphs
        self.body_paragraphs += 1
        self._inline(p, index, None, None)
        inserted = deleted = None
        ppr = p.find(n.pPr)
        rpr = ppr.find(n.rPr) if ppr is not None else None
        if rpr is not None:
            for child in rpr:
                if child.tag in (n.ins, n.moveTo):
                    inserted = child.get(n.author, "")
                elif child.tag in (n.dele, n.moveFrom):
                    deleted = child.get(n.author, "")
        self.file.chars.append(Char("", index, inserted, deleted))

    def _inline(self, element, index, inserted, deleted):
        n = self.n
        for child in element:
            tag = child.tag
            if tag == n.r:
                self._run(child, index, inserted, deleted)
            elif tag in (n.ins, n.moveTo):
                self._inline(child, index, child.get(n.author, ""), deleted)
            elif tag in (n.dele, n.moveFrom):
                self._inline(child, index, inserted, child.get(n.author, ""))
            elif tag == n.commentRangeStart:
                self.file.anchors.append((child.get(n.id, ""), len(self.file.chars), START))
            elif tag not in n.skip:
                self._inline(child, index, inserted, deleted)  # hyperlinks, fields, content controls, smart tags

    def _run(self, r, index, inserted, deleted):
        n = self.n
        rpr = r.find(n.rPr)
        if rpr is not None:
            vanish = rpr.find(n.vanish)
            if vanish is not None and vanish.get(n.val) not in ("0", "false"):
                return  # hidden text does not print
        chars = self.file.chars
        for child in r:
            tag = child.tag
            if tag in (n.t, n.delText):
                text = child.text or ""
                chars.extend(Char(ch, index, inserted, deleted) for ch in text)
                if len(chars) > self.max_characters:
                    raise ImportRefused(TOO_MUCH_TEXT, "too_much_text")
            elif tag in (n.tab, n.ptab):
                chars.append(Char("\t", index, inserted, deleted))
            elif (tag == n.br and child.get(n.type) not in PAGE_BREAKS) or tag == n.cr:
                chars.append(Char("\n", index, inserted, deleted))
            elif tag == n.noBreakHyphen:
                chars.append(Char("-", index, inserted, deleted))
            elif tag == n.commentReference:
                self.file.anchors.append((child.get(n.id, ""), len(chars), REFERENCE))
            elif tag in n.boxes:
                self._boxes(child)

    def _boxes(self, element):
        for child in element:
            if child.tag == self.n.txbxContent:
                self._outside(child)
            elif child.tag != f"{MC}Fallback":  # the same box again, for older readers
                self._boxes(child)

    def _outside(self, element):
        """Text that stands in no part (a table, a text box): kept to be reported, not placed."""
        n = self.n
        lines = []
        for p in element.iter(n.p):
            lines.append("".join(t.text or "" for t in p.iter(n.t)))
        text, _removed = clean_text("\n".join(lines))
        if text:
            self.file.outside.append((len(self.file.chars), text))

    def _comments(self):
        name = self.package.related(self.package.main, "comments")
        root = self.package.xml(name) if name else None
        if root is None:
            return
        w = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else self.n.w
        for comment in root.iter(f"{w}comment"):
            lines = []
            for p in comment.iter(f"{w}p"):
                parts = []
                for element in p.iter():
                    if element.tag == f"{w}t":
                        parts.append(element.text or "")
                    elif element.tag in (f"{w}br", f"{w}cr"):
                        parts.append("\n")
                    elif element.tag == f"{w}tab":
                        parts.append("\t")
                lines.append("".join(parts))
            text, _removed = clean_text("\n".join(lines))
            self.file.comments.append(WordComment(comment.get(f"{w}id", ""), comment.get(f"{w}author", "").strip(), text))


def read_marked(data: bytes, *, max_characters: int = MAX_CHARACTERS) -> MarkedFile:
    """The .docx's bytes → its body as marked characters and its comments. Raises ImportRefused
    (package.py's and the importer's limits, `max_characters` of text, deleted text included) or
    ReviewFileRefused (too many revisions)."""
    return _Reader(Package(data), max_characters).read()
