"""A report's Word file edited as Word and WPS save a leader's changes: tracked insertions and
deletions, comments, text retyped without Track Changes (for tests/test_import_review.py and the
pages and browser tests that upload such a file)."""

import copy
import io
import itertools
import zipfile

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
WHEN = "2024-04-12T09:30:00Z"
LEADER = "李建国"
COMMENTS_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
COMMENTS_CONTENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"


def run_text(run):
    return "".join(t.text or "" for t in run.iter(f"{W}t", f"{W}delText"))


class LeaderEdit:
    """Our export of a report, edited as Word saves a leader's changes."""

    def __init__(self, data: bytes):
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            self.members = {info.filename: package.read(info) for info in package.infolist()}
        self.document = etree.fromstring(self.members["word/document.xml"])
        self.body = self.document.find(f"{W}body")
        self.ids = itertools.count(1)
        self.comments = []

    # Finding and splitting runs, as Word splits them where an edit starts or ends

    def paragraph(self, contains):
        for p in self.body.iter(f"{W}p"):
            if contains in "".join(run_text(r) for r in p.iter(f"{W}r")):
                return p
        raise AssertionError(f"no paragraph holds {contains!r}")

    def runs(self, text, within=None):
        """The plain runs that hold exactly `text` (the one inside `within`), split off their neighbours."""
        within = within or text
        p = self.paragraph(within)
        full = "".join(run_text(r) for r in self._plain(p))
        start = full.index(within) + within.index(text)
        end = start + len(text)
        self._split(p, start)
        self._split(p, end)
        covered, offset = [], 0
        for r in self._plain(p):
            length = len(run_text(r))
            if start <= offset < end:
                covered.append(r)
            offset += length
        return covered

    def _plain(self, p):
        return [r for r in p if r.tag == f"{W}r" and r.find(f"{W}t") is not None]

    def _split(self, p, at):
        offset = 0
        for r in self._plain(p):
            text = run_text(r)
            if offset < at < offset + len(text):
                tail = copy.deepcopy(r)
                self._set(r, text[: at - offset])
                self._set(tail, text[at - offset:])
                r.addnext(tail)
                return
            offset += len(text)

    @staticmethod
    def _set(run, text):
        element = run.find(f"{W}t")
        element.text = text
        element.set(XML_SPACE, "preserve")

    def _revision(self, tag, author):
        element = etree.Element(f"{W}{tag}")
        element.set(f"{W}id", str(next(self.ids)))
        element.set(f"{W}author", author)
        element.set(f"{W}date", WHEN)
        return element

    def _new_run(self, like, text):
        run = copy.deepcopy(like)
        for child in list(run):
            if child.tag != f"{W}rPr":
                run.remove(child)
        t = etree.SubElement(run, f"{W}t")
        t.text = text
        t.set(XML_SPACE, "preserve")
        return run

    # Tracked changes

    def delete(self, text, author=LEADER, within=None):
        runs = self.runs(text, within)
        deletion = self._revision("del", author)
        runs[0].addprevious(deletion)
        for r in runs:
            deletion.append(r)
            r.find(f"{W}t").tag = f"{W}delText"
        return deletion

    def insert_after(self, text, new, author=LEADER):
        runs = self.runs(text)
        insertion = self._revision("ins", author)
        insertion.append(self._new_run(runs[-1], new))
        runs[-1].addnext(insertion)
        return insertion

    def insert_before(self, text, new, author=LEADER):
        runs = self.runs(text)
        insertion = self._revision("ins", author)
        insertion.append(self._new_run(runs[0], new))
        runs[0].addprevious(insertion)
        return insertion

    def replace(self, old, new, author=LEADER, within=None):
        """Select `old`, type `new`: Word writes the deletion, then the insertion."""
        deletion = self.delete(old, author, within)
        insertion = self._revision("ins", author)
        insertion.append(self._new_run(deletion[0], new))
        deletion.addnext(insertion)

    def new_paragraph_after(self, text, new, author=LEADER):
        """Enter at the end of the paragraph holding `text`, then type `new`: the paragraph's own mark
        is the inserted one, the new paragraph keeps the old mark (ECMA-376 17.13.5.16)."""
        p = self.paragraph(text)
        added = etree.Element(f"{W}p")
        ppr = p.find(f"{W}pPr")
        if ppr is not None:
            added.append(copy.deepcopy(ppr))
            rpr = ppr.find(f"{W}rPr")
            if rpr is None:
                rpr = etree.SubElement(ppr, f"{W}rPr")
            rpr.append(self._revision("ins", author))
        insertion = self._revision("ins", author)
        insertion.append(self._new_run(list(p.iter(f"{W}r"))[-1], new))
        added.append(insertion)
        p.addnext(added)

    def join_with_next(self, text, author=LEADER):
        """Delete the mark of the paragraph holding `text`: it runs on into the next one."""
        ppr = self.paragraph(text).find(f"{W}pPr")
        rpr = ppr.find(f"{W}rPr")
        if rpr is None:
            rpr = etree.SubElement(ppr, f"{W}rPr")
        rpr.append(self._revision("del", author))

    def delete_paragraph(self, text, author=LEADER):
        """Select a whole paragraph and delete it: its runs and its mark."""
        p = self.paragraph(text)
        whole = "".join(run_text(r) for r in self._plain(p))
        self.delete(whole, author)
        ppr = p.find(f"{W}pPr")
        rpr = ppr.find(f"{W}rPr")
        if rpr is None:
            rpr = etree.SubElement(ppr, f"{W}rPr")
        rpr.append(self._revision("del", author))

    # Edits without Track Changes

    def retype(self, old, new, within=None):
        runs = self.runs(old, within)
        self._set(runs[0], new)
        for r in runs[1:]:
            r.getparent().remove(r)

    def add_paragraph_after(self, text, new):
        p = self.paragraph(text)
        added = copy.deepcopy(p)
        for r in self._plain(added)[1:]:
            added.remove(r)
        self._set(self._plain(added)[0], new)
        p.addnext(added)

    # Comments

    def comment(self, start, end, text, author=LEADER, reference_only=False):
        """A comment on the text from `start` to `end` (each in a run of its own after splitting)."""
        comment_id = str(1000 + len(self.comments))  # clear of the ids a 审阅稿 already uses
        first, last = self.runs(start)[0], self.runs(end)[-1]
        if not reference_only:
            range_start = etree.Element(f"{W}commentRangeStart")
            range_start.set(f"{W}id", comment_id)
            first.addprevious(range_start)
            range_end = etree.Element(f"{W}commentRangeEnd")
            range_end.set(f"{W}id", comment_id)
            last.addnext(range_end)
            last = range_end
        reference = etree.Element(f"{W}r")
        style = etree.SubElement(etree.SubElement(reference, f"{W}rPr"), f"{W}rStyle")
        style.set(f"{W}val", "CommentReference")
        etree.SubElement(reference, f"{W}commentReference").set(f"{W}id", comment_id)
        last.addnext(reference)
        self.comments.append((comment_id, author, text))

    def as_review_copy(self, current, previous, author):
        """What a 审阅稿 shows of a part the last round changed: the round before's text deleted, the
        current one inserted, both in the name of whoever made the 审阅稿."""
        run = self.runs(current)[0]
        deletion = self._revision("del", author)
        old = self._new_run(run, previous)
        old.find(f"{W}t").tag = f"{W}delText"
        deletion.append(old)
        run.addprevious(deletion)
        insertion = self._revision("ins", author)
        deletion.addnext(insertion)
        insertion.append(run)

    def unanchored_comment(self, text, author=LEADER):
        self.comments.append((str(1000 + len(self.comments)), author, text))

    def save(self) -> bytes:
        members = dict(self.members)
        members["word/document.xml"] = etree.tostring(self.document, xml_declaration=True, encoding="UTF-8",
                                                      standalone=True)
        existing = members.get("word/comments.xml")
        if self.comments:
            root = etree.fromstring(existing) if existing else etree.Element(f"{W}comments", nsmap={"w": W_NS})
            for comment_id, author, text in self.comments:
                comment = etree.SubElement(root, f"{W}comment")
                for name, value in (("id", comment_id), ("author", author), ("date", WHEN), ("initials", author[:1])):
                    comment.set(f"{W}{name}", value)
                for number, line in enumerate(text.split("\n")):
                    p = etree.SubElement(comment, f"{W}p")
                    etree.SubElement(etree.SubElement(p, f"{W}pPr"), f"{W}pStyle").set(f"{W}val", "CommentText")
                    if number == 0:
                        ref = etree.SubElement(p, f"{W}r")
                        etree.SubElement(ref, f"{W}annotationRef")
                    etree.SubElement(etree.SubElement(p, f"{W}r"), f"{W}t").text = line
            members["word/comments.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        if self.comments and not existing:
            rels = etree.fromstring(members["word/_rels/document.xml.rels"])
            relationship = etree.SubElement(rels, "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship")
            relationship.set("Id", "rId90")
            relationship.set("Type", COMMENTS_TYPE)
            relationship.set("Target", "comments.xml")
            members["word/_rels/document.xml.rels"] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8",
                                                                     standalone=True)
            types = etree.fromstring(members["[Content_Types].xml"])
            override = etree.SubElement(types, "{http://schemas.openxmlformats.org/package/2006/content-types}Override")
            override.set("PartName", "/word/comments.xml")
            override.set("ContentType", COMMENTS_CONTENT)
            members["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True)
        stream = io.BytesIO()
        with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as package:
            for name, data in members.items():
                package.writestr(name, data)
        return stream.getvalue()


