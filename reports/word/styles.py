"""The paragraph styles of our Word files: what each is called, its outline level, and the
paragraphs (document Kinds) it carries.

The writer builds its styles from this table and names every paragraph's style through it;
the importer reads a paragraph's role back from the same names, so a file we wrote is read
by style, not guessed from its text. How each style prints (fonts, indents) is the writer's.
"""

from dataclasses import dataclass

from reports.document.model import Kind


@dataclass(frozen=True)
class ParagraphStyle:
    name: str
    # The paragraphs written in this style; the first is what the importer reads it as
    # (an opening and a lead both print as 正文: read back, 正文 is body text).
    kinds: tuple[str, ...]
    outline: int | None = None  # Word's outline level (0 is the top): the navigation pane shows these
    # A name other files use too (Word and WPS show their Normal style as 正文): its presence
    # does not tell that a file is one of ours.
    common: bool = False

    @property
    def kind(self) -> str:
        return self.kinds[0]


STYLES = (
    ParagraphStyle("公文标题", (Kind.TITLE,)),
    ParagraphStyle("主送机关", (Kind.ADDRESSEE,)),
    ParagraphStyle("正文", (Kind.BODY, Kind.OPENING), common=True),
    ParagraphStyle("一级标题", (Kind.SECTION,), outline=0),
    ParagraphStyle("二级标题", (Kind.HEADING,), outline=1),
    ParagraphStyle("条目", (Kind.ITEM,)),
    ParagraphStyle("结束语", (Kind.CLOSING,)),
    # A name a 公文 template of someone else may use too: it does not mark a file as ours.
    ParagraphStyle("附件说明", (Kind.ATTACHMENTS,), common=True),
    ParagraphStyle("署名", (Kind.SIGNATURE,)),
    ParagraphStyle("成文日期", (Kind.DATE,)),
)

STYLE_OF_KIND = {kind: style for style in STYLES for kind in style.kinds}
# Names only our own files use: when one is present, 正文 means body text for certain.
OWN_STYLE_NAMES = frozenset(style.name for style in STYLES if not style.common)
