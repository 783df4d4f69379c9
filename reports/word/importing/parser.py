"""Blocks → the report's structure: title, addressee, opening, sections with headings and
items, closing, signature and date; then counts → measures and the blanks still to fill.

Signals, strongest first: our own style names (`Block.role`), Word's outline level, the text
pattern (一、 （一） 一是 1. （1）), the font. Ordinals must come in sequence: "三、" right after
"一、" is text, not a section, and so is "二是" not preceded by "一是".
"""

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from reports.document.numbering import MAX_REPORT_PARTS
from reports.word.importing import frame
from reports.word.importing.blocks import (
    ADDRESSEE,
    ATTACHMENTS,
    BODY,
    CLOSING,
    DATE,
    H1,
    H2,
    ITEM,
    SIGNATURE,
    TITLE,
    Block,
    is_heading_line,
    starts_structure,
    title_like,
)
from reports.word.importing.counts import MeasureCatalogue, placeholders_in
from reports.word.importing.errors import TOO_MANY_PARTS, ImportRefused
from reports.word.importing.patterns import (
    CLAUSE_PUNCTUATION,
    CLOSING_RE,
    LEVEL1_RE,
    LEVEL2_RE,
    LEVEL3_RE,
    LEVEL4_RE,
    SHI_ORDINAL_RE,
    SHI_RE,
    TITLE_BEFORE_ITEMS_RE,
    TITLE_END_RE,
    TITLE_IN_OPENING_RE,
    attachment_number,
    cn_int,
    fold,
    heading_number,
    parse_date,
)
from reports.word.importing.result import ParsedHeading, ParsedReport, ParsedSection

SECTION_TITLE_MAX = 50
HEADING_TITLE_MAX = 100
TAIL_LINE_MAX = 30
TITLE_TRAILING = "。.．"

# The kind of a section, from its title; tried in this order (下一步工作打算 has 工作 in it).
KINDS = [
    ("next_steps", ("下一步",)),
    ("problems", ("问题", "不足", "差距", "短板")),
    ("next_steps", ("打算", "计划", "措施", "思路", "努力方向", "工作安排")),
    ("practices", ("做法", "主要工作", "工作开展", "开展情况", "落实情况", "履行情况", "工作情况", "成效", "举措", "进展")),
]


def section_kind(title: str) -> str:
    for kind, words in KINDS:
        if any(word in title for word in words):
            return kind
    return "other"


class _Budget:
    """Sections, headings and items counted as they are found: past what a report holds, the
    input is refused there, before the rest of it is worked through."""

    def __init__(self):
        self.left = MAX_REPORT_PARTS

    def take(self, count=1):
        self.left -= count
        if self.left < 0:
            raise ImportRefused(TOO_MANY_PARTS, "too_many_parts")


class _Part:
    """A section's own text, or a heading's: its lead, then its items."""

    def __init__(self, budget):
        self.budget = budget
        self.lead, self.items = [], []
        self.numbered = None  # "3" or "4" once items come from 1. or （1） lists
        self.next_shi = 1
        self.at_start = self.mid_paragraph = 0  # where items after the first began

    def add_item(self, text, at_start):
        self.budget.take()
        if self.items:
            if at_start:
                self.at_start += 1
            else:
                self.mid_paragraph += 1
        self.items.append(text.strip())

    def extend(self, text):
        """Text that is no item: the lead before the first item, else more of the last item."""
        text = text.strip()
        if not text:
            return
        if self.items:
            self.items[-1] = f"{self.items[-1]}\n{text}" if self.items[-1] else text
        else:
            self.lead.append(text)

    def feed(self, text, *, role=None, starts_paragraph=True, bullet=False):
        text = text.strip()
        folded = fold(text)
        if role == ITEM or bullet:
            self._item_paragraph(text, folded)
            return
        numbered = LEVEL3_RE.match(folded) or LEVEL4_RE.match(folded)
        if numbered:
            level = "3" if LEVEL3_RE.match(folded) else "4"
            if level == "4" and self.numbered == "3":
                self.extend(text)  # a （1） point inside a 1. item stays part of it
            else:
                self.numbered = self.numbered or level
                self.add_item(text[numbered.end():], starts_paragraph)
            return
        if self.numbered:
            # Inside a 1. list, 一是/二是 are the item's own points.
            self.extend(text)
            return
        cuts, expected = [], self.next_shi
        for match in SHI_RE.finditer(folded):
            number = cn_int(match[1])
            restart = number == 1 and match.start() == 0 and starts_paragraph
            if number == expected or restart:
                cuts.append((match.start(), match.end()))
                expected = number + 1
                if len(cuts) > self.budget.left:
                    self.budget.take(len(cuts))
        self.next_shi = expected
        self.extend(text[: cuts[0][0]] if cuts else text)
        for index, (start, end) in enumerate(cuts):
            stop = cuts[index + 1][0] if index + 1 < len(cuts) else len(text)
            self.add_item(text[end:stop], starts_paragraph and start == 0)

    def _item_paragraph(self, text, folded):
        """A paragraph that is one item (our 条目 style, a Word bullet): strip its ordinal."""
        match = SHI_ORDINAL_RE.match(folded)
        if match and cn_int(match[1]):
            self.next_shi = cn_int(match[1]) + 1
        else:
            match = LEVEL3_RE.match(folded) or LEVEL4_RE.match(folded)
        self.add_item(text[match.end():] if match else text, True)

    def lead_text(self):
        return "\n".join(self.lead) or None


def _split_title(text, start, split):
    """A heading paragraph → (title without its final 。, the run-in text after it)."""
    if split is not None and split > start:
        title, rest = text[start:split], text[split:]
    else:
        folded = fold(text)
        end = TITLE_END_RE.search(folded, start) or TITLE_BEFORE_ITEMS_RE.search(folded, start)
        title, rest = (text[start: end.end()], text[end.end():]) if end else (text[start:], "")
    return title.strip().rstrip(TITLE_TRAILING), rest.strip()


# A face that marks a heading in files without our styles: 黑体 level 1, 楷体 level 2.
FONT_HINTS = {H1: ("黑", "Hei"), H2: ("楷", "Kai")}


def _heading(block, expected, *, role, pattern, outline, longest):
    """(title, rest) when the block is a heading of this level, numbered `expected`; else None."""
    if block.role not in (None, role):
        return None
    folded = fold(block.text)
    match = pattern.match(folded)
    if block.role == role:
        start = match.end() if match else 0
    elif match and (heading_number(match) == expected or block.outline == outline):
        start = match.end()
    elif match or starts_structure(folded):
        return None
    elif block.outline == outline or (
        block.font and any(hint in block.font for hint in FONT_HINTS[role]) and (block.split or len(folded) <= 30)
    ):
        start = 0
    else:
        return None
    title, rest = _split_title(block.text, start, block.split)
    if block.role != role and (not title or len(title) > longest):
        return None  # a long "一、……" sentence is text, not a heading
    return title, rest


def _free(block):
    """A short paragraph without a style of ours: it may be the date, signature or closing."""
    return block.role is None and len(block.text.strip()) <= TAIL_LINE_MAX


def _signature_like(blocks):
    folded = fold(blocks[-1].text).strip()
    if len(blocks) < 2 or CLAUSE_PUNCTUATION & set(folded) or starts_structure(folded) or SHI_ORDINAL_RE.match(folded):
        return False
    # A short line right under a heading is that heading's text, not a signature.
    before = blocks[-2]
    return not (before.role is None and is_heading_line(fold(before.text)))


ATTACHMENTS_NOT_IMPORTED = _("附件说明未导入（佐证材料请在报告中上传）")


def _take_attachments(blocks, report):
    """The 附件说明 (附件：1.名称 2.名称 …, GB/T 9704 7.3.4) names files, not what the report says:
    its lines are no items. Taken out, with a note, when it is in our style or stands after the body
    with only the signature and date below it."""
    kept = [block for block in blocks if block.role != ATTACHMENTS]
    taken = [block for block in blocks if block.role == ATTACHMENTS]
    for start in range(len(kept) - 1, 0, -1):
        end = _note_end(kept, start)
        if end is not None:
            if _only_tail(kept[end:]):
                taken += kept[start:end]
                del kept[start:end]
            break
    if len(kept) < len(blocks):
        blocks[:] = kept
        report.notes.append(ATTACHMENTS_NOT_IMPORTED)
        # Listed before the 附件 pages, which follow the signature and date.
        pages = next((at for at, found in enumerate(report.not_imported) if found["kind"] == frame.ATTACHMENT),
                     len(report.not_imported))
        report.not_imported[pages:pages] = [frame.entry(frame.ATTACHMENT, block.text) for block in taken]


def _note_end(blocks, start):
    """Where the 附件说明 that blocks[start] opens ("附件：…") ends; None when it opens none."""
    number, end = _attachment_line(blocks[start], None), start + 1
    if number is None:
        return None
    while end < len(blocks) and (following := _attachment_line(blocks[end], number)) is not None:
        number, end = following, end + 1
    return end


def _attachment_line(block, previous):
    return attachment_number(fold(block.text), previous) if block.role in (None, BODY) else None


def _only_tail(blocks):
    return len(blocks) <= 2 and all(block.role in (SIGNATURE, DATE) or _free(block) for block in blocks)


def _take_tail(blocks, report):
    """Date, signature and closing, taken from the end (they print in that order, reversed)."""
    while blocks:
        block = blocks[-1]
        folded = fold(block.text).strip()
        if report.date is None and report.signature is None and report.closing is None and (
            block.role == DATE or (_free(block) and parse_date(folded))
        ):
            report.date = parse_date(folded)
        elif report.signature is None and report.closing is None and (
            block.role == SIGNATURE or (_free(block) and _signature_like(blocks))
        ):
            report.signature = block.text.strip()
        elif report.closing is None and (block.role == CLOSING or (_free(block) and CLOSING_RE.fullmatch(folded))):
            report.closing = block.text.strip()
        else:
            return
        blocks.pop()


def _take_head(blocks, report):
    """Title (one or more paragraphs) and addressee at the top; returns where the rest starts."""
    index, title = 0, []
    while index < len(blocks) and (
        blocks[index].role == TITLE
        # A paragraph with an outline level is a heading, however title-like its text.
        or (blocks[index].role is None and blocks[index].outline is None and title_like(blocks[index].text))
    ):
        title.append(blocks[index].text.strip())
        index += 1
    report.title = "".join(title)
    if index < len(blocks):
        block = blocks[index]
        folded = fold(block.text).strip()
        if block.role == ADDRESSEE or (
            block.role is None and len(folded) <= TAIL_LINE_MAX and folded.endswith(":") and "。" not in folded
        ):
            report.addressee = block.text.strip()
            index += 1
    return index


def _first_heading(blocks):
    """Where the first section starts: the first 一、 (or, if there is none, the first （一）)."""
    for finder in (lambda b: _heading(b, 1, role=H1, pattern=LEVEL1_RE, outline=0, longest=SECTION_TITLE_MAX),
                   lambda b: _heading(b, 1, role=H2, pattern=LEVEL2_RE, outline=1, longest=HEADING_TITLE_MAX)):
        for index, block in enumerate(blocks):
            if finder(block):
                return index
    return min(1, len(blocks))  # no structure at all: the first paragraph opens, the rest is one section


def parse_blocks(blocks: Iterable[Block]) -> ParsedReport:
    blocks = [block for block in blocks if block.text.strip()]
    report = ParsedReport()
    # The page's frame, the 附件 pages, tables and boxes first (reports.word.importing.frame):
    # what is left is the title, the body, the signature and the date.
    frame.take_record(blocks, report)
    frame.take_attachment_pages(blocks, report)
    frame.take_frame(blocks, report)
    table_measures = frame.take_tables_and_boxes(blocks, report)
    _take_attachments(blocks, report)
    report.not_imported = frame.in_page_order(report.not_imported)
    _take_tail(blocks, report)
    start = _take_head(blocks, report)
    body = blocks[start:]
    first = _first_heading(body)
    opening = [block.text.strip() for block in body[:first]]
    report.opening = "\n".join(opening) or None
    if not report.title and report.opening:
        found = TITLE_IN_OPENING_RE.search(report.opening)
        report.title = found[1] if found else ""

    sections, parts, part, section, budget = [], [], None, None, _Budget()
    for block in body[first:]:
        h1 = _heading(block, len(sections) + 1, role=H1, pattern=LEVEL1_RE, outline=0,
                      longest=SECTION_TITLE_MAX)
        if h1:
            budget.take()
            section = ParsedSection(kind=section_kind(h1[0]), title=h1[0])
            part = _Part(budget)
            sections.append(section)
            parts.append((section, part, []))
            if h1[1]:
                part.feed(h1[1], starts_paragraph=False)
            continue
        if section is None:  # headings or text without any 一、: one untitled section holds them
            budget.take()
            section, part = ParsedSection(kind="other", title=""), _Part(budget)
            sections.append(section)
            parts.append((section, part, []))
        h2 = _heading(block, len(section.headings) + 1, role=H2, pattern=LEVEL2_RE, outline=1,
                      longest=HEADING_TITLE_MAX)
        if h2:
            budget.take()
            heading, part = ParsedHeading(title=h2[0]), _Part(budget)
            section.headings.append(heading)
            parts[-1][2].append((heading, part))
            if h2[1]:
                part.feed(h2[1], starts_paragraph=False)
            continue
        part.feed(block.text, role=block.role if block.role != BODY else None,
                  starts_paragraph=block.starts_paragraph, bullet=block.bullet)

    all_parts = []
    for section, own, headings in parts:
        section.lead, section.items = own.lead_text(), own.items
        all_parts.append(own)
        for heading, heading_part in headings:
            heading.lead, heading.items = heading_part.lead_text(), heading_part.items
            all_parts.append(heading_part)
    report.sections = sections
    paragraphs = any(block.role == ITEM for block in blocks) or (
        sum(p.at_start for p in all_parts) > sum(p.mid_paragraph for p in all_parts)
    )
    report.items_layout = "paragraphs" if paragraphs else "inline"
    _find_counts(report, table_measures)
    return report


def _find_counts(report, table_measures=()):
    """Counts → measures and named tokens, in the order they print, then those of a table of
    counts (the text's count of the same name and unit takes the table's value); then the blanks left."""
    catalogue = MeasureCatalogue()
    report.opening = catalogue.tokenise(report.opening)
    for section in report.sections:
        section.lead = catalogue.tokenise(section.lead)
        section.items = [catalogue.tokenise(item) for item in section.items]
        for heading in section.headings:
            heading.lead = catalogue.tokenise(heading.lead)
            heading.items = [catalogue.tokenise(item) for item in heading.items]
    for name, unit, value in table_measures:
        catalogue.add(name, unit, value)
    report.measures = catalogue.measures

    texts = [report.title, report.addressee, report.opening]
    for section in report.sections:
        texts += [section.title, section.lead, *section.items]
        for heading in section.headings:
            texts += [heading.title, heading.lead, *heading.items]
    texts += [report.closing, report.signature]
    report.placeholders = [found for text in texts for found in placeholders_in(text)]

