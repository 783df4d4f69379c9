"""Blocks: the logical paragraphs the parser reads, whatever they came from.

A Word paragraph, or a line of pasted text, becomes one or more blocks. A block carries what
its source says about it, strongest first: `role` from our own style names, `outline` (Word's
outline level), `font` (黑体 suggests a level-1 heading, 楷体 a level-2 one) and `split`, where
the runs of a run-in heading end and the body text begins.
"""

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from reports.document.model import Kind
from reports.document.numbering import chinese_number
from reports.word.importing.patterns import (
    CLAUSE_PUNCTUATION,
    LEVEL1_RE,
    LEVEL2_RE,
    LEVEL3_RE,
    LEVEL4_RE,
    SHI_ORDINAL_RE,
    attachment_number,
    cn_int,
    ends_sentence,
    fold,
    parse_date,
)
from reports.word.styles import STYLES

# Roles: what a block's own file says it is. The values are kept in the session between upload
# and confirmation (Block.to_json), so they stay as they are.
TITLE, ADDRESSEE, BODY, H1, H2, ITEM, CLOSING, ATTACHMENTS, SIGNATURE, DATE = (
    "title", "addressee", "body", "h1", "h2", "item", "closing", "attachments", "signature", "date",
)
# What a Word file holds beside its paragraphs of body text: a table (its `cells`, row by row), and
# the text of a text box or shape (a 草稿 or 内部资料 stamp, a 密级 mark). Never sections or items.
TABLE, BOX = "table", "box"
ROLE_OF_KIND = {
    Kind.TITLE: TITLE, Kind.ADDRESSEE: ADDRESSEE, Kind.BODY: BODY, Kind.SECTION: H1, Kind.HEADING: H2,
    Kind.ITEM: ITEM, Kind.CLOSING: CLOSING, Kind.ATTACHMENTS: ATTACHMENTS, Kind.SIGNATURE: SIGNATURE, Kind.DATE: DATE,
}
# The role of a paragraph in one of the styles our Word export writes (reports/word/styles.py).
STYLE_ROLES = {style.name: ROLE_OF_KIND[style.kind] for style in STYLES}
# A paragraph of these roles is one line, whatever soft breaks it holds.
ONE_LINE_ROLES = {TITLE, ADDRESSEE, H1, H2, CLOSING, ATTACHMENTS, SIGNATURE, DATE}
HEADING_LINE_MAX = 30


@dataclass
class Block:
    text: str
    role: str | None = None
    outline: int | None = None
    font: str | None = None
    split: int | None = None  # run-in heading: where the heading's own runs end
    starts_paragraph: bool = True
    bullet: bool = False
    cells: list | None = None  # a TABLE's rows, each a list of its cells' texts
    red: bool = False  # printed in red: above the title, the 发文机关标志

    def to_json(self):
        """Compact: only what differs from the defaults (blocks are kept in the session)."""
        defaults = {name: field.default for name, field in self.__dataclass_fields__.items()}
        return {key: value for key, value in asdict(self).items() if key == "text" or value != defaults[key]}

    @classmethod
    def from_json(cls, data):
        return cls(**{key: data[key] for key in cls.__dataclass_fields__ if key in data})


def starts_structure(folded: str) -> bool:
    """A line that begins a new paragraph whatever came before: an ordinal, or a date line."""
    return bool(
        LEVEL1_RE.match(folded) or LEVEL2_RE.match(folded) or LEVEL3_RE.match(folded)
        or LEVEL4_RE.match(folded) or parse_date(folded)
    )


def is_heading_line(folded: str) -> bool:
    """An ordinal and a short title with nothing after it: a line that stands alone."""
    if len(folded) > HEADING_LINE_MAX or "。" in folded:
        return False
    return bool(LEVEL1_RE.match(folded) or LEVEL2_RE.match(folded))


def next_item(previous: str, line: str) -> bool:
    """Whether `line` starts the item after one in `previous` (二是 after 一是): items one a line
    without a full stop are still items, not a wrapped line."""
    match = SHI_ORDINAL_RE.match(line)
    number = cn_int(match[1]) if match else None
    return bool(number and number > 1 and f"{chinese_number(number - 1)}是" in previous)


def join_wrapped(lines: Iterable[str]) -> list[str]:
    """Lines → paragraphs: a line that does not end a sentence continues on the next one
    (a PDF's line breaks, Word's soft breaks), unless the next begins a new part (一、（一）1.)
    or the line itself is a heading standing alone. Returns the paragraphs' texts."""
    lines = [line.strip() for line in lines if line.strip()]
    paragraphs = []
    attachment = None  # the place in the 附件说明 of the paragraph before, when it is one of its lines
    for index, line in enumerate(lines):
        folded = fold(line)
        if paragraphs and _continues(fold(paragraphs[-1]), folded, attachment, lines[index + 1:]):
            paragraphs[-1] += line
            continue
        attachment = attachment_number(folded, attachment)
        paragraphs.append(line)
    return paragraphs


def _continues(previous: str, line: str, attachment: int | None, following: list[str]) -> bool:
    """Whether `line` (folded) wraps on from the paragraph before (folded)."""
    if ends_sentence(previous) or is_heading_line(previous) or starts_structure(line) or next_item(previous, line):
        return False
    if attachment is not None:
        # The 附件说明's names end without punctuation: what the date follows (or nothing) is the
        # signature under them, not a long name wrapping on.
        return bool(following) and not parse_date(fold(following[0]))
    return True


def join_soft(lines: Iterable[str]) -> list[str]:
    """The lines of one Word paragraph, cut by soft line breaks (Shift+Enter) → paragraphs. A soft
    break is a line break inside the paragraph, not the end of one: a heading broken by hand stays
    one heading. Only a line that begins a new part of its own (一、（一）1.（1） or a date) starts
    a paragraph, and so does 一是 under a heading that stands alone (二、存在的主要问题)."""
    paragraphs = []
    for line in (line.strip() for line in lines):
        if not line:
            continue
        folded = fold(line)
        after_heading = paragraphs and is_heading_line(fold(paragraphs[-1])) and SHI_ORDINAL_RE.match(folded)
        if paragraphs and not starts_structure(folded) and not after_heading:
            paragraphs[-1] += line
        else:
            paragraphs.append(line)
    return paragraphs


def text_blocks(text: str) -> list[Block]:
    """Pasted or .txt text → blocks: the title lines at the top, then wrapped lines joined."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    blocks = []
    # A title is one or more short lines without clause punctuation before anything else;
    # its lines join with nothing between them (Chinese needs no spaces).
    title = []
    while lines and title_like(lines[0]):
        title.append(lines.pop(0))
    if title:
        blocks.append(Block("".join(title), role=TITLE))
    blocks += [Block(paragraph) for paragraph in join_wrapped(lines)]
    return blocks


def title_like(line: str) -> bool:
    folded = fold(line)
    return (
        len(line) <= 60
        and not CLAUSE_PUNCTUATION & set(folded)
        and not starts_structure(folded)
    )
