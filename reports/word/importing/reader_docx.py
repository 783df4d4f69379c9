"""A .docx → blocks: paragraphs in reading order, each with its style's role, outline level,
automatic number and fonts; each table as one block of its cells, each text box or shape as one
block of its text (the parser lists them as not imported: they are no body text).

Read straight from the XML (parsed without DTDs, see package.py) rather than through
python-docx: the numbering, text boxes and run fonts needed here are below its API anyway.
"""

import re

from reports.document.text import clean_text
from reports.word.importing.blocks import BODY, BOX, H2, ONE_LINE_ROLES, STYLE_ROLES, TABLE, TITLE, Block, join_soft
from reports.word.importing.errors import CORRUPT, TOO_MANY_PARAGRAPHS, TOO_MUCH_TEXT, ImportRefused
from reports.word.importing.package import Package
from reports.word.importing.wordnumbering import Numbering
from reports.word.styles import OWN_STYLE_NAMES

MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
TEXTPATH = "{urn:schemas-microsoft-com:vml}textpath"
PAGE_BREAK = "\f"  # w:br w:type="page" or "column" inside a paragraph's runs
TITLE_STYLE_NAMES = {"title", "标题"}
HEADING_STYLE_RE = re.compile(r"(?:heading|标题)\s*([1-9])")


class _Names:
    """Tag names in the document's WordprocessingML namespace (transitional or strict)."""

    def __init__(self, w):
        self.w = w
        for tag in ("p", "r", "t", "tab", "ptab", "br", "cr", "noBreakHyphen", "pPr", "rPr", "pStyle", "rStyle",
                    "numPr", "numId", "ilvl", "outlineLvl", "rFonts", "vanish", "txbxContent", "drawing", "pict",
                    "object", "body", "style", "name", "basedOn", "val", "tbl", "tr", "tc", "type", "color"):
            setattr(self, tag, f"{w}{tag}")
        # Not text: properties, deleted and moved-away revisions, the other branch of an
        # alternate content, and the parts of a table or section that hold no paragraphs.
        self.skip = {f"{w}{tag}" for tag in ("pPr", "rPr", "del", "moveFrom", "sectPr", "sdtPr", "tblPr", "tblGrid",
                                              "trPr", "tcPr", "proofErr", "bookmarkStart", "bookmarkEnd")}
        self.skip.add(f"{MC}Fallback")
        self.boxes = {self.drawing, self.pict, self.object, f"{MC}AlternateContent"}


class _Styles:
    def __init__(self, root, n):
        self.n, self.styles, self.default = n, {}, None
        if root is None:
            return
        for style in root.iter(n.style):
            style_id = style.get(f"{n.w}styleId")
            name = style.find(n.name)
            based = style.find(n.basedOn)
            ppr = style.find(n.pPr)
            rpr = style.find(n.rPr)
            self.styles[style_id] = {
                "name": (name.get(n.val) if name is not None else style_id or "").strip(),
                "based": based.get(n.val) if based is not None else None,
                "outline": _val(ppr, n.outlineLvl, n) if ppr is not None else None,
                "num": _num(ppr, n) if ppr is not None else None,
                "font": _font(rpr, n) if rpr is not None else None,
            }
            if style.get(f"{n.w}type") == "paragraph" and style.get(f"{n.w}default") in ("1", "true"):
                self.default = style_id
        self.own = any(style["name"] in OWN_STYLE_NAMES for style in self.styles.values())

    def get(self, style_id, key):
        """A style's property, inherited through basedOn (with a guard against loops)."""
        seen = set()
        while style_id in self.styles and style_id not in seen:
            seen.add(style_id)
            value = self.styles[style_id][key]
            if value is not None:
                return value
            style_id = self.styles[style_id]["based"]
        return None

    def name(self, style_id):
        return self.styles.get(style_id, {}).get("name", "")

    def builtin(self, style_id):
        """(role, outline) that a built-in style gives, or one it is based on: Word's (any
        language: zh-CN Word names its styles in English, ids 1, 2, a3 …), LibreOffice's and WPS's
        Title and Heading N. A Title is the title even when it carries an outline level."""
        seen = set()
        while style_id in self.styles and style_id not in seen:
            seen.add(style_id)
            name = " ".join(self.styles[style_id]["name"].lower().split())
            if name in TITLE_STYLE_NAMES:
                return TITLE, None
            heading = HEADING_STYLE_RE.fullmatch(name)
            if heading:
                return None, int(heading[1]) - 1
            style_id = self.styles[style_id]["based"]
        return None, None


def _val(parent, tag, n):
    element = parent.find(tag) if parent is not None else None
    return element.get(n.val) if element is not None else None


def _num(ppr, n):
    numpr = ppr.find(n.numPr)
    if numpr is None:
        return None
    return _val(numpr, n.numId, n), _val(numpr, n.ilvl, n)


def _red(color):
    """Whether a run's w:color is a red (the 发文机关标志's 红色, GB/T 9704 §7.2.4): FF0000 and its kin."""
    if not color or len(color) != 6:
        return False
    try:
        red, green, blue = (int(color[at:at + 2], 16) for at in (0, 2, 4))
    except ValueError:
        return False
    return red >= 0xB0 and green < 0x60 and blue < 0x60


def _font(rpr, n):
    fonts = rpr.find(n.rFonts)
    if fonts is None:
        return None
    return fonts.get(f"{n.w}eastAsia") or fonts.get(f"{n.w}ascii") or fonts.get(f"{n.w}hAnsi")


# Paragraphs in the main document, tables and text boxes included. A real report has fewer than
# a thousand; ten times as many still read and parse in a fraction of a second, and a file with
# more is no report (or one built to cost work): it is refused as soon as the count is passed.
MAX_PARAGRAPHS = 10_000
# Characters of text, for the same reason: one element can hold a great deal of it. A real report
# has some tens of thousands; this is some 600 pages.
MAX_CHARACTERS = 1_000_000


class _Reader:
    def __init__(self, package):
        self.events = package.iterparse(package.main, ("start", "end"))
        root = next(self.events, (None, None))[1] if self.events is not None else None
        if root is None or not root.tag.endswith("}document"):
            raise ImportRefused(CORRUPT, "corrupt")
        w = root.tag[: root.tag.index("}") + 1]
        self.n = n = _Names(w)
        styles_part, numbering_part = package.related(package.main, "styles"), package.related(package.main, "numbering")
        self.styles = _Styles(package.xml(styles_part) if styles_part else None, n)
        self.numbering = Numbering(package.xml(numbering_part) if numbering_part else None, w)
        self.blocks, self.characters = [], 0
        self.red_characters, self.red = 0, False

    def read(self):
        """Each child of the body is read as soon as its end is parsed, then dropped: memory holds
        one paragraph or table at a time, and counting stops a file that holds too many."""
        n, depth, body, paragraphs = self.n, 1, None, 0  # depth: elements open, the root's included
        for event, element in self.events:
            if event == "start":
                depth += 1
                if depth == 2 and element.tag == n.body:
                    body = element
                continue
            if element.tag == n.p:
                paragraphs += 1
                if paragraphs > MAX_PARAGRAPHS:
                    raise ImportRefused(TOO_MANY_PARAGRAPHS, "too_many_paragraphs")
            if depth == 3 and body is not None:
                if element.tag == n.p:
                    self._paragraph(element)
                elif element.tag == n.tbl:
                    self._table(element)
                elif element.tag not in n.skip:
                    self._container(element)  # content controls …
                body.clear()
            elif depth == 2:
                body = None
            depth -= 1
        return self.blocks

    def _container(self, element):
        for child in element:
            if child.tag == self.n.p:
                self._paragraph(child)
            elif child.tag == self.n.tbl:
                self._table(child)
            elif child.tag not in self.n.skip:
                self._container(child)  # content controls, custom XML

    def _table(self, table):
        """One block for the table: its rows of cell texts (a cell's paragraphs joined by line breaks;
        a table inside a cell read into that cell's text)."""
        n, rows, boxes = self.n, [], []
        for row in self._own(table, n.tr):
            cells = []
            for cell in self._own(row, n.tc):
                cells.append("\n".join(self._texts(cell, boxes)))
            if any(cells):
                rows.append(cells)
        if rows:
            self.blocks.append(Block(" ".join(cell for cell in rows[0] if cell), role=TABLE, cells=rows))
        for box in boxes:
            self._box(box)

    def _texts(self, element, boxes):
        """The plain text of each paragraph in `element` (a cell, a box) that has any."""
        texts = []
        for paragraph in element.iter(self.n.p):
            runs = []
            self._inline(paragraph, runs, boxes)
            text, _removed = clean_text("".join(text for text, _font in runs))
            if text:
                texts.append(text)
        return texts

    def _own(self, element, tag):
        """The table's rows, or the row's cells: its `tag` children, through content controls,
        never those of a table nested inside."""
        for child in element:
            if child.tag == tag:
                yield child
            elif child.tag not in self.n.skip and child.tag != self.n.tbl:
                yield from self._own(child, tag)

    def _box(self, box):
        """A text box or shape: one block of its text, whatever paragraphs it holds."""
        if box.tag == TEXTPATH:
            text, _removed = clean_text(box.get("string", ""))
            if text:
                self.blocks.append(Block(text, role=BOX))
            return
        texts = self._texts(box, [])
        if texts:
            self.blocks.append(Block(" ".join(texts), role=BOX))

    def _paragraph(self, p):
        n, styles = self.n, self.styles
        ppr = p.find(n.pPr)
        style_id = _val(ppr, n.pStyle, n) or styles.default
        role = STYLE_ROLES.get(styles.name(style_id))
        if role == BODY and not styles.own:
            role = None  # 正文 in someone else's file says nothing
        builtin_role, builtin_outline = styles.builtin(style_id) if role is None else (None, None)
        role = role or builtin_role
        outline = _val(ppr, n.outlineLvl, n) if ppr is not None else None
        outline = outline if outline is not None else styles.get(style_id, "outline")
        if role == TITLE:
            outline = None  # zh-CN Word's 标题 carries outline level 0: still the title, no section
        elif outline is None:
            outline = builtin_outline
        num = (_num(ppr, n) if ppr is not None else None) or styles.get(style_id, "num")
        prefix, bullet = self.numbering.label(num[0], num[1]) if num else ("", False)

        runs, boxes = [], []
        self.red_characters = 0
        self._inline(p, runs, boxes)
        visible = sum(len(text.strip()) for text, _font in runs)
        self.red = bool(visible) and self.red_characters * 2 > visible  # most of it printed in red
        paragraph_font = styles.get(style_id, "font")
        texts = [(text, font or paragraph_font) for text, font in runs]
        text = prefix + "".join(text for text, _font in texts)
        if role in ONE_LINE_ROLES:
            texts = [(t.replace("\n", ""), f) for t, f in texts]
            text = text.replace("\n", "")
        for chunk_index, chunk in enumerate(text.split(PAGE_BREAK)):
            # A page break inside a paragraph ends it; the next page starts a new one.
            chunk, _removed = clean_text(chunk, multiline=True)
            if chunk:
                self._emit(chunk, role, outline, prefix if chunk_index == 0 else "",
                           texts if chunk_index == 0 else [(chunk, None)], bullet)
        for box in boxes:
            self._box(box)

    def _emit(self, text, role, outline, prefix, texts, bullet):
        outline = int(outline) if outline is not None and str(outline).isdigit() and int(outline) < 9 else None
        font = next((font for t, font in texts if t.strip()), None)
        lines = [text] if role in ONE_LINE_ROLES else join_soft(text.split("\n"))
        split = _font_split(prefix, texts) if len(lines) == 1 and role in (None, H2) else None
        for index, line in enumerate(lines):
            if index == 0:
                self.blocks.append(Block(line, role=role, outline=outline, font=font, split=split, bullet=bullet,
                                         red=self.red))
            else:  # a soft break that starts a new paragraph: plain text of the same kind
                self.blocks.append(Block(line, role=BODY if role else None))

    def _inline(self, element, runs, boxes):
        n = self.n
        for child in element:
            if child.tag == n.r:
                self._run(child, runs, boxes)
            elif child.tag not in n.skip:
                self._inline(child, runs, boxes)  # hyperlinks, insertions, fields, content controls

    def _run(self, r, runs, boxes):
        n = self.n
        rpr = r.find(n.rPr)
        if rpr is not None and rpr.find(n.vanish) is not None and _val(rpr, n.vanish, n) not in ("0", "false"):
            return  # hidden text does not print
        font = None
        if rpr is not None:
            font = _font(rpr, n) or self.styles.get(_val(rpr, n.rStyle, n), "font")
        parts = []
        for child in r:
            tag = child.tag
            if tag == n.t:
                parts.append(child.text or "")
                self.characters += len(parts[-1])
                if self.characters > MAX_CHARACTERS:
                    raise ImportRefused(TOO_MUCH_TEXT, "too_much_text")
            elif tag in (n.tab, n.ptab):
                parts.append("\t")
            elif tag == n.br and child.get(n.type) in ("page", "column"):
                parts.append(PAGE_BREAK)
            elif tag in (n.br, n.cr):
                parts.append("\n")  # a soft line break (Shift+Enter), inside the paragraph
            elif tag == n.noBreakHyphen:
                parts.append("-")
            elif tag in n.boxes:
                self._find_boxes(child, boxes)
        text = "".join(parts)
        runs.append((text, font))
        if rpr is not None and _red(_val(rpr, n.color, n)):
            self.red_characters += len(text.strip())

    def _find_boxes(self, element, boxes):
        for child in element:
            if child.tag == self.n.txbxContent:
                boxes.append(child)
            elif child.tag == TEXTPATH and child.get("string", "").strip():
                boxes.append(child)  # WordArt: a 草稿 or 内部资料 stamp's text is an attribute
            elif child.tag != f"{MC}Fallback":
                self._find_boxes(child, boxes)


def _font_split(prefix, texts):
    """Where a run-in heading's own runs end: the leading runs in one font, when text in
    another font follows (our 二级标题: 楷体 title, then 仿宋 body). None when the font never changes."""
    leading = [(t, f) for t, f in texts if t.strip()]
    if not leading:
        return None
    first_font = leading[0][1]
    offset = len(prefix)
    started = False
    for text, font in texts:
        if text.strip():
            if started and font != first_font:
                return offset + _leading_space(texts, offset, prefix)
            started = True
        offset += len(text)
    return None


def _leading_space(texts, offset, prefix):
    # clean_text strips the paragraph's leading blanks; shift the split by as many.
    whole = prefix + "".join(t for t, _f in texts)
    return -(len(whole) - len(whole.lstrip()))


def read_docx(data: bytes) -> list[Block]:
    """The .docx's bytes → blocks. Raises ImportRefused for anything that is not a safe .docx."""
    return _Reader(Package(data)).read()
