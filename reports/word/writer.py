"""The document model as a Word file laid out to GB/T 9704 (党政机关公文格式).

Page: A4, margins 37/28/35/26 mm, 22 lines of 28 characters: exact 579-twip lines on a
`lines` grid, and −0.25 pt character spacing on 16 pt runs (28 × 16 pt is 2 mm wider than
the type area). Every style and run names its East Asian font (python-docx sets only the
Latin one) and no theme font is left, so Word and WPS cannot fall back to a Japanese face.
Named styles (公文标题, 一级标题, 二级标题 …: reports/word/styles.py) carry outline levels, so the
navigation pane works and the importer reads our files back by style.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from copy import deepcopy
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from docx import Document as new_word_document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor, Twips
from docx.text.paragraph import Paragraph
from lxml import etree

from reports.document.model import Document, Kind, Role, build_document, text_width
from reports.document.model import Paragraph as DocumentParagraph
from reports.document.text import without_forbidden
from reports.word.styles import STYLE_OF_KIND, STYLES

if TYPE_CHECKING:
    from reports.models import Report

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

LINE_TWIPS = 579  # 22 × 579 twips fill the 225 mm type area; 580 gives LibreOffice only 21 lines
BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
PAGE_NUMBER_PT = 14  # 4号
CHAR_SPACING = -5  # twentieths of a point: −0.25 pt, so that 28 characters fill 156 mm
GRID_CHAR = BODY_PT * 20 + CHAR_SPACING  # twips: what a character of 3号 advances, a 28th of the line
LATIN_FONT = "Times New Roman"
FONTS = {
    Role.TITLE: "方正小标宋简体",
    Role.HEADING1: "黑体",
    Role.HEADING2: "楷体_GB2312",
    Role.BODY: "仿宋_GB2312",
}
PAGE_NUMBER_FONT = "宋体"

TITLE_LINE_WIDTH = 20  # characters of 2号 in 156 mm (22 pt ≈ 7.8 mm)
# A title is cut where a reader pauses: after the body's name and period, before 履行/关于.
TITLE_BREAK_AFTER = ("季度", "年度", "年", "党组", "党委", "委员会", "关于")
TITLE_BREAK_BEFORE = ("履行", "关于", "落实", "情况报告", "工作情况")
# Words a title line never ends inside ("回行时要做到词意完整", GB/T 9704 §7.3.1): a balanced cut
# through 全面 reads worse than a less balanced one at a pause.
TITLE_PERIOD_RE = re.compile(r"(?:19|20)[0-9]{2}年(?:第[一二三四]季度|度|上半年)?")
TITLE_WORDS = ("全面从严治党", "主体责任", "监督责任", "党风廉政建设", "情况报告", "工作情况", "履行", "落实", "季度", "年度",
               "党组", "党委", "委员会", "常委会", "纪委监委", "纪检监察组")


# Title lines ---------------------------------------------------------------------------------


def title_lines(title: str, width: int = TITLE_LINE_WIDTH) -> list[str]:
    """Cut a title into balanced lines of at most `width` characters: a trapezoid or diamond,
    never one character alone, never inside a number, a period (2023年第一季度) or a word of
    TITLE_WORDS when a cut elsewhere will do (with one line more if need be), preferring natural
    pauses."""
    title = title.strip()
    if text_width(title) <= width:
        return [title]
    count = int(-(-text_width(title) // width))  # lines needed
    best = _best_cut(title, count, width)
    if best is not None and best[1] and count < 3:
        # Only by cutting a word: one line more may keep them whole.
        more = _best_cut(title, count + 1, width)
        if more is not None and more[0] < best[0]:
            best = more
    if best is None:  # nothing fits the rules (a very long unbroken title): cut by width
        lines, line = [], ""
        for ch in title:
            if text_width(line + ch) > width:
                lines.append(line)
                line = ""
            line += ch
        return lines + [line]
    return best[2]


def _best_cut(title, count, width):
    """(score, words broken, lines) of the best cut into `count` lines, None if none fits."""
    words = _word_spans(title)
    best = None
    for cuts in _cut_choices(title, count):
        lines = [title[a:b] for a, b in zip((0, *cuts), (*cuts, len(title)), strict=True)]
        widths = [text_width(line) for line in lines]
        if max(widths) > width or min(len(line) for line in lines) < 2:
            continue
        spread = max(widths) - min(widths)
        pauses = sum(_is_pause(title, cut) for cut in cuts)
        broken = sum(any(start < cut < end for start, end in words) for cut in cuts)
        # Words whole; balanced; then natural pauses; a first line no longer than the second (正梯形).
        score = 20 * broken + spread - 5 * pauses + (0.5 if widths[0] > widths[-1] else 0)
        if best is None or score < best[0]:
            best = (score, broken, lines)
    return best


def _cut_choices(title, count):
    positions = [i for i in range(2, len(title) - 1) if not (title[i - 1].isdigit() and title[i].isdigit())]
    if count == 2:
        return ([p] for p in positions)
    if count == 3:
        return ([a, b] for a in positions for b in positions if b > a + 1)
    return ()  # four lines or more: title_lines cuts by width


def _is_pause(title, cut):
    return title[:cut].endswith(TITLE_BREAK_AFTER) or title[cut:].startswith(TITLE_BREAK_BEFORE)


def _word_spans(title):
    """(start, end) of the title's periods and TITLE_WORDS: where a line must not end."""
    spans = [match.span() for match in TITLE_PERIOD_RE.finditer(title)]
    for word in TITLE_WORDS:
        start = title.find(word)
        while start != -1:
            spans.append((start, start + len(word)))
            start = title.find(word, start + 1)
    return spans


# XML helpers ---------------------------------------------------------------------------------


def _set_fonts(rpr, east_asia, latin=LATIN_FONT):
    """Name the East Asian and Latin fonts explicitly and drop any theme font, which would win."""
    fonts = _child(rpr, "w:rFonts")
    for attribute in list(fonts.attrib):
        if attribute.endswith("Theme") or attribute.endswith("theme"):
            del fonts.attrib[attribute]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)
    # "—", quotes and "…" take the Chinese face.
    fonts.set(qn("w:hint"), "eastAsia")


def _set_language(rpr):
    _child(rpr, "w:lang", val="en-US", eastAsia="zh-CN")


# The order of the children of w:pPr and w:rPr is fixed by the schema; Word rejects a file
# (or ignores a property) when it is not kept, so new children go in their place.
PPR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
    "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd "
    "snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
).split()
RPR_ORDER = (
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid "
    "vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl cs "
    "em lang eastAsianLayout specVanish oMath"
).split()
ORDERS = {qn("w:pPr"): PPR_ORDER, qn("w:rPr"): RPR_ORDER}


def _child(parent, tag, **attributes):
    """The child `tag` of a w:pPr or w:rPr (made in its schema place if missing), with attributes."""
    element = parent.find(qn(tag))
    if element is None:
        element = OxmlElement(tag)
        order = ORDERS.get(parent.tag)
        local = tag.split(":")[1]
        later = set(order[order.index(local) + 1:]) if order and local in order else set()
        successor = next((child for child in parent if child.tag.split("}")[-1] in later), None)
        if successor is not None:
            successor.addprevious(element)
        else:
            parent.append(element)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), str(value))
    return element


def _run_format(run, *, font, size, spacing=True, bold=False, color=None):
    run.font.size = Pt(size)
    run.font.bold = bold
    if color:
        run.font.color.rgb = color
    rpr = run._element.get_or_add_rPr()
    _set_fonts(rpr, font)
    if spacing and size == BODY_PT:
        _child(rpr, "w:spacing", val=CHAR_SPACING)


def _page_field(paragraph, *, font, size):
    """A PAGE field (python-docx has no field API): begin, instruction, separate, result, end."""
    def run_with(element):
        run = paragraph.add_run()
        _run_format(run, font=font, size=size, spacing=False)
        run._element.append(element)
        return run

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    run_with(instruction)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    shown = paragraph.add_run("1")
    _run_format(shown, font=font, size=size, spacing=False)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


# The document ---------------------------------------------------------------------------------


def _styles(word):
    # The template's Word 2010 copy of the styles (stylesWithEffects.xml) still names theme
    # fonts; Word reads styles.xml, so the copy is dropped rather than kept out of step.
    for rel_id, rel in list(word.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            word.part.drop_rel(rel_id)
    styles = word.styles
    # Document defaults: no theme fonts, Chinese language, no space after, exact lines.
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, FONTS[Role.BODY])
    _set_language(rpr)
    _child(rpr, "w:sz", val=BODY_PT * 2)
    _child(rpr, "w:szCs", val=BODY_PT * 2)
    ppr_default = defaults.find(qn("w:pPrDefault"))
    if ppr_default is not None:
        ppr = ppr_default.find(qn("w:pPr"))
        _child(ppr, "w:spacing", after=0, line=LINE_TWIPS, lineRule="exact")
    for fonts in styles.element.iter(qn("w:rFonts")):  # the template's own styles too
        for attribute in list(fonts.attrib):
            if attribute.endswith("Theme"):
                del fonts.attrib[attribute]

    normal = styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _set_fonts(normal.element.get_or_add_rPr(), FONTS[Role.BODY])
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Twips(LINE_TWIPS)
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.widow_control = False  # a widow line would leave a page one line short of 22
    # No extra gap between Chinese and Latin/digits ("2023年", not "2023 年"): it would break
    # the 28-character line and official templates turn it off.
    normal_ppr = normal.element.get_or_add_pPr()
    _child(normal_ppr, "w:autoSpaceDE", val=0)
    _child(normal_ppr, "w:autoSpaceDN", val=0)
    # Word's default (标点溢出边界: a line-final "。" may hang in the margin), stated outright
    # because LibreOffice reads this flag inverted: without it LibreOffice hangs the "。" and
    # then drops it from the page; with it, LibreOffice keeps it inside by moving a character.
    _child(normal_ppr, "w:overflowPunct", val=1)

    def add(name, *, font=FONTS[Role.BODY], size=BODY_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, outline=None,
            keep_next=False, snap=True):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        style.font.size = Pt(size)
        rpr = style.element.get_or_add_rPr()
        _set_fonts(rpr, font)
        if size == BODY_PT:
            _child(rpr, "w:spacing", val=CHAR_SPACING)
        paragraph = style.paragraph_format
        paragraph.alignment = align
        paragraph.keep_with_next = keep_next
        ppr = style.element.get_or_add_pPr()
        if indent:
            # Two characters: firstLineChars for Word/WPS, firstLine in twips as the fallback.
            _child(ppr, "w:ind", firstLineChars=200, firstLine=BODY_PT * 20 * 2)
        if not snap:
            _child(ppr, "w:snapToGrid", val=0)
        if outline is not None:
            _child(ppr, "w:outlineLvl", val=outline)
        return style

    # How each style prints (GB/T 9704); a style not named here is body text: 仿宋, justified,
    # its first line indented two characters.
    formats = {
        Kind.TITLE: dict(font=FONTS[Role.TITLE], size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
                         keep_next=True, snap=False),
        Kind.ADDRESSEE: dict(indent=False, align=WD_ALIGN_PARAGRAPH.LEFT),
        Kind.SECTION: dict(font=FONTS[Role.HEADING1], keep_next=True),
        Kind.HEADING: dict(font=FONTS[Role.HEADING2]),
        Kind.ATTACHMENTS: dict(indent=False),  # its indents are the paragraph's: _attachment_format
        Kind.SIGNATURE: dict(indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT),
        Kind.DATE: dict(indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT),
    }
    for style in STYLES:
        add(style.name, outline=style.outline, **formats.get(style.kind, {}))
    for name in ("Header", "Footer"):
        _set_fonts(styles[name].element.get_or_add_rPr(), PAGE_NUMBER_FONT)


def _page(word, *, mark):
    section = word.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(24.5)
    section.header_distance = Mm(15)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    for attribute in list(grid.attrib):
        del grid.attrib[attribute]
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_TWIPS))
    # Page numbers: right on odd pages, left on even pages (GB/T 9704 7.5).
    word.settings.odd_and_even_pages_header_footer = True
    # The template says East Asian theme text is Japanese: make it Chinese.
    theme_language = word.settings.element.find(qn("w:themeFontLang"))
    if theme_language is not None:
        theme_language.set(qn("w:eastAsia"), "zh-CN")
    for footer, align, side in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
                                (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left")):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.style = word.styles["Footer"]
        paragraph.alignment = align
        paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        indent = PAGE_NUMBER_PT * 20  # one character of 4号
        ppr = paragraph._element.get_or_add_pPr()
        _child(ppr, "w:ind", **{side: indent})
        _child(ppr, "w:snapToGrid", val=0)
        run = paragraph.add_run("— ")
        _run_format(run, font=PAGE_NUMBER_FONT, size=PAGE_NUMBER_PT, spacing=False)
        _page_field(paragraph, font=PAGE_NUMBER_FONT, size=PAGE_NUMBER_PT)
        run = paragraph.add_run(" —")
        _run_format(run, font=PAGE_NUMBER_FONT, size=PAGE_NUMBER_PT, spacing=False)
    for header in (section.header, section.even_page_header):
        header.is_linked_to_previous = False
        paragraph = header.paragraphs[0]
        if mark:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            run = paragraph.add_run(mark)
            _run_format(run, font=FONTS[Role.HEADING1], size=PAGE_NUMBER_PT, spacing=False, bold=True,
                        color=RGBColor(0xC0, 0x00, 0x00))


# Speed (docs/PERFORMANCE.md): the styled, empty document is built by python-docx once per
# process. Each file then copies the template's body element, fills it, and is written as the
# template's package with only word/document.xml replaced: opening and saving the package through
# python-docx for every file cost more than the report's own text (a bare python-docx script
# writing the text alone, the benchmark's floor, pays exactly that). Each run copies a
# run-properties element made once per typeface instead of setting every property through
# python-docx for every run.
DOCUMENT_PART = "word/document.xml"
CORE_PART = "docProps/core.xml"
FONT_TABLE_PART = "word/fontTable.xml"
CONTENT_TYPES_PART = "[Content_Types].xml"
DOCUMENT_RELATIONSHIPS_PART = "word/_rels/document.xml.rels"
SETTINGS_PART = "word/settings.xml"
# CT_Settings is a sequence: w:trackRevisions stands before these (ECMA-376 Part 1, 17.15.1.78).
AFTER_TRACK_REVISIONS = ("doNotTrackMoves", "doNotTrackFormatting", "documentProtection", "autoFormatOverride",
                         "styleLockTheme", "styleLockQFSet", "defaultTabStop")
# python-docx's template carries a thumbnail of an empty page, which file browsers would show.
THUMBNAIL_PART = "docProps/thumbnail.jpeg"
# Headers and footers (the 草稿 mark, the page numbers) are the template's, the same in every file.
FIXED_TEXT_PARTS = re.compile(r"word/(header|footer)\d*\.xml")
RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
CORE = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
FONT_ATTRIBUTES = tuple(qn(f"w:{name}") for name in ("ascii", "hAnsi", "eastAsia", "cs"))
_TEMPLATES = {}
_RUN_PROPERTIES = {}


@dataclass(frozen=True)
class FileProperties:
    """What Word shows under File → Properties (docProps/core.xml)."""

    title: str = ""
    author: str = ""  # the body that writes the report
    created: datetime | None = None
    modified: datetime | None = None


@dataclass(frozen=True)
class _Template:
    members: tuple  # (ZipInfo, bytes) of the package, in order; the document part's bytes unused
    document: object  # the parsed w:document, its body holding only the w:sectPr
    style_ids: dict  # Kind → the id of the paragraph style it is written in
    fixed_fonts: frozenset  # the fonts the headers and footers are set in
    font_entries: dict  # font name → the template font table's w:font element for it


def _fonts_named(element):
    """The fonts the w:rFonts elements under `element` name."""
    return {value for fonts in element.iter(qn("w:rFonts")) for attribute in FONT_ATTRIBUTES
            if (value := fonts.get(attribute))}


def _font_table(template, fonts):
    """A font table of exactly `fonts`: python-docx's lists Japanese and Office fonts the file never
    uses. A font it has keeps its entry; one it lacks gets the character set Word matches it by
    (86, GB 2312, for a Chinese face), so that a reader without it gets a Chinese substitute."""
    table = parse_xml(f"<w:fonts {nsdecls('w')}/>")
    for name in sorted(fonts):
        entry = template.font_entries.get(name)
        if entry is None:
            entry = OxmlElement("w:font")
            entry.set(qn("w:name"), name)
            _child(entry, "w:charset", val="86" if not name.isascii() else "00")
            _child(entry, "w:family", val="auto")
        table.append(deepcopy(entry))
    return etree.tostring(table, encoding="UTF-8", standalone=True)


def _w3cdtf(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _core_properties(properties):
    """docProps/core.xml for `properties`, in place of python-docx's ("python-docx", 2013-12-23)."""
    core = etree.Element(f"{{{CORE['cp']}}}coreProperties", nsmap=CORE)
    for tag, value in (("dc:title", properties.title), ("dc:creator", properties.author),
                       ("cp:lastModifiedBy", properties.author)):
        prefix, name = tag.split(":")
        etree.SubElement(core, f"{{{CORE[prefix]}}}{name}").text = value
    etree.SubElement(core, f"{{{CORE['cp']}}}revision").text = "1"
    for name, moment in (("created", properties.created), ("modified", properties.modified)):
        if moment is not None:
            element = etree.SubElement(core, f"{{{CORE['dcterms']}}}{name}")
            element.set(f"{{{CORE['xsi']}}}type", "dcterms:W3CDTF")
            element.text = _w3cdtf(moment)
    return etree.tostring(core, encoding="UTF-8", standalone=True)


def _without_thumbnail(members):
    """The package's members without the thumbnail and the relationship that names it."""
    kept = []
    for info, data in members:
        if info.filename == THUMBNAIL_PART:
            continue
        if info.filename == "_rels/.rels":
            relationships = etree.fromstring(data)
            for relationship in relationships.findall(f"{RELATIONSHIPS}Relationship"):
                if relationship.get("Target") == THUMBNAIL_PART:
                    relationships.remove(relationship)
            data = etree.tostring(relationships, encoding="UTF-8", standalone=True)
        kept.append((info, data))
    return tuple(kept)


def _styled_template(mark):
    """The styled, empty document with this stamp in its header ("" for none), made once."""
    if mark not in _TEMPLATES:
        word = new_word_document()
        _styles(word)
        _page(word, mark=mark)
        body = word._body._body
        for paragraph in list(word.paragraphs):  # the template's empty first paragraph
            body.remove(paragraph._element)
        stream = io.BytesIO()
        word.save(stream)
        with zipfile.ZipFile(stream) as package:
            members = _without_thumbnail(tuple((info, package.read(info)) for info in package.infolist()))
            document = parse_xml(package.read(DOCUMENT_PART))
            fixed_fonts = set()
            for name in package.namelist():
                if FIXED_TEXT_PARTS.fullmatch(name):
                    fixed_fonts |= _fonts_named(parse_xml(package.read(name)))
            font_entries = {entry.get(qn("w:name")): entry for entry in parse_xml(package.read(FONT_TABLE_PART))}
        style_ids = {kind: word.styles[style.name].style_id for kind, style in STYLE_OF_KIND.items()}
        _TEMPLATES[mark] = _Template(members, document, style_ids, frozenset(fixed_fonts), font_entries)
    return _TEMPLATES[mark]


def _package(template, document, properties, extra_parts=(), *, track_changes=False):
    """The template's package with `document` as its word/document.xml, the font table of the
    fonts it uses, `properties` as its core properties, and `extra_parts` added."""
    generated = {
        DOCUMENT_PART: lambda data: etree.tostring(document, encoding="UTF-8", standalone=True),
        FONT_TABLE_PART: lambda data: _font_table(template, _fonts_named(document) | template.fixed_fonts),
        CORE_PART: lambda data: _core_properties(properties),
    }
    if track_changes:
        generated[SETTINGS_PART] = _tracking_changes
    if extra_parts:
        generated[CONTENT_TYPES_PART] = lambda data: _with_overrides(data, extra_parts)
        generated[DOCUMENT_RELATIONSHIPS_PART] = lambda data: _with_relationships(data, extra_parts)
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as package:
        for info, data in template.members:
            if info.filename in generated:
                data = generated[info.filename](data)
            package.writestr(info, data)
        for part in extra_parts:
            package.writestr(part.name, part.data)
    return stream.getvalue()


def _tracking_changes(data):
    """The settings part with Track Changes on (w:trackRevisions), where the schema puts it."""
    settings = etree.fromstring(data)
    if settings.find(qn("w:trackRevisions")) is None:
        track = etree.Element(qn("w:trackRevisions"))
        later = next((child for child in settings if etree.QName(child).localname in AFTER_TRACK_REVISIONS), None)
        if later is not None:
            later.addprevious(track)
        else:
            settings.append(track)
    return etree.tostring(settings, encoding="UTF-8", standalone=True)


def _with_overrides(data, parts):
    """[Content_Types].xml naming the content type of each of `parts`."""
    types = etree.fromstring(data)
    for part in parts:
        override = etree.SubElement(types, f"{CONTENT_TYPES}Override")
        override.set("PartName", f"/{part.name}")
        override.set("ContentType", part.content_type)
    return etree.tostring(types, encoding="UTF-8", standalone=True)


def _with_relationships(data, parts):
    """The document part's relationships with one to each of `parts`, under ids not yet taken."""
    relationships = etree.fromstring(data)
    taken = {relationship.get("Id") for relationship in relationships}
    number = len(taken)
    for part in parts:
        number += 1
        while f"rId{number}" in taken:
            number += 1
        relationship = etree.SubElement(relationships, f"{RELATIONSHIPS}Relationship")
        relationship.set("Id", f"rId{number}")
        relationship.set("Type", part.relationship_type)
        relationship.set("Target", posixpath.relpath(part.name, posixpath.dirname(DOCUMENT_PART)))
    return etree.tostring(relationships, encoding="UTF-8", standalone=True)


def _run_properties(font, size, spacing):
    """The w:rPr that _run_format writes for this typeface, made once."""
    key = (font, size, spacing)
    if key not in _RUN_PROPERTIES:
        scratch = new_word_document().add_paragraph().add_run("x")
        _run_format(scratch, font=font, size=size, spacing=spacing)
        _RUN_PROPERTIES[key] = scratch._element.rPr
    return _RUN_PROPERTIES[key]


def _add_run(paragraph, text, properties):
    if any(ch in text for ch in "\t\n\r"):  # python-docx turns these into w:tab / w:br
        run = paragraph.add_run(text)
        run._element.insert(0, deepcopy(properties))
        return run._element
    run = OxmlElement("w:r")
    run.append(deepcopy(properties))
    element = OxmlElement("w:t")
    element.text = text
    if text != text.strip():
        element.set(qn("xml:space"), "preserve")
    run.append(element)
    paragraph._p.append(run)
    return run


@dataclass(frozen=True)
class Span:
    """A stretch of a paragraph printed in one typeface: one w:r. `ref` is the part it belongs to
    ("item-12"); `change` is the caller's mark on it (the 审阅稿's tracked changes), which the
    writer does not print but hands back with the run it wrote (Written)."""

    text: str
    font: str
    ref: str = ""
    change: str = ""


@dataclass
class Written:
    """What one paragraph of the document was written as: its w:p elements (the title one a
    line) and each w:r with the span it prints."""

    paragraph: DocumentParagraph
    elements: list = field(default_factory=list)
    runs: list = field(default_factory=list)  # [(w:r, Span)]


@dataclass(frozen=True)
class ExtraPart:
    """A part the package holds besides the template's, related from the document part."""

    name: str  # "word/comments.xml"
    content_type: str
    relationship_type: str
    data: bytes


def printed_spans(paragraph: DocumentParagraph) -> list[Span]:
    """Each run of `paragraph` as it prints: its typeface, its text without invisible characters,
    its part. In the 附件说明 a number is followed by the tab that takes the name to its column
    (_attachment_format)."""
    if paragraph.kind == Kind.ATTACHMENTS:
        return [Span(without_forbidden(run.text) + ("\t" if run.kind == "ordinal" else ""), FONTS[Role.BODY], run.ref)
                for run in paragraph.runs]
    return [Span(without_forbidden(run.text), FONTS.get(run.role, FONTS[Role.BODY]), run.ref) for run in paragraph.runs]


def merged_spans(spans: Iterable[Span], *, by_part: bool = False) -> list[Span]:
    """Adjacent spans printed alike (an ordinal, its text and a figure, all in 仿宋) as one run:
    the same print, a smaller file, and a typeface change only where the typeface changes.
    `by_part`: only spans of one part and one change, so that each run belongs to one part."""
    merged = []
    for span in spans:
        if not span.text:
            continue
        last = merged[-1] if merged else None
        if last is not None and last.font == span.font and (
                not by_part or (last.ref, last.change) == (span.ref, span.change)):
            merged[-1] = replace(last, text=last.text + span.text, ref=last.ref if last.ref == span.ref else "")
        else:
            merged.append(span)
    return merged


def printed_lines(paragraph: DocumentParagraph) -> list[list[Span]]:
    """The Word paragraphs a paragraph of the document prints as, each as its runs: the title
    cut into its lines (title_lines), any other paragraph one."""
    if paragraph.kind == Kind.TITLE:
        # Cut as it prints: an invisible character left in would take its share of a line.
        return [[Span(line, FONTS[Role.TITLE], paragraph.ref)] for line in title_lines(without_forbidden(paragraph.text))]
    return [merged_spans(printed_spans(paragraph))]


def write_document(document: Document, *, properties: FileProperties | None = None,
                   paragraphs: Sequence[DocumentParagraph] | None = None,
                   lines: Callable[[DocumentParagraph], list[list[Span]]] = printed_lines,
                   finish: Callable[[etree._Element, list[Written]], Iterable[ExtraPart]] | None = None,
                   track_changes: bool = False) -> bytes:
    """A Document (reports.document) → .docx bytes: an unfinished version carries its stamp (草稿,
    送审稿), and the signature block stands as the document's layout says (sealed or not).
    `properties` are what Word shows under File → Properties (empty when not given).

    For a file that shows more than the document (the 审阅稿, reports/word/review_copy.py):
    `paragraphs` are printed in place of the document's own, which still decide the layout (the
    signature's indents, the 附件说明's columns); `lines` gives the runs each prints as
    (printed_lines; only the title may have more than one line); `finish` is handed the
    w:document and what each paragraph became before the file is saved, may change them, and
    returns the parts to add to the package; `track_changes` opens the file with Track Changes on,
    so that whatever its reader changes is marked too."""
    template = _styled_template(document.mark)
    word = deepcopy(template.document)
    body = word.find(qn("w:body"))
    section_properties = body.find(qn("w:sectPr"))  # stays the body's last child
    title_properties = _run_properties(FONTS[Role.TITLE], TITLE_PT, False)

    def add_paragraph(kind, record):
        out = OxmlElement("w:p")
        out.get_or_add_pPr().style = template.style_ids[kind]
        section_properties.addprevious(out)
        record.elements.append(out)
        return Paragraph(out, None)

    def add_runs(out, spans, record, properties=None):
        for span in spans:
            run = _add_run(out, span.text, properties if properties is not None
                           else _run_properties(span.font, BODY_PT, True))
            record.runs.append((run, span))

    name_right, date_right = document.signature_indents
    char = BODY_PT * 20
    first_signature_line = True
    previous_kind = None
    written = []
    for paragraph in document.paragraphs if paragraphs is None else paragraphs:
        record = Written(paragraph)
        written.append(record)
        if paragraph.kind == Kind.TITLE:
            title = lines(paragraph)
            for number, spans in enumerate(title, 1):
                out = add_paragraph(paragraph.kind, record)
                add_runs(out, spans, record, title_properties)
                if number == len(title):
                    # GB/T 9704: one blank line between the title and what follows.
                    out.paragraph_format.space_after = Twips(LINE_TWIPS)
            previous_kind = paragraph.kind
            continue
        (spans,) = lines(paragraph)
        out = add_paragraph(paragraph.kind, record)
        ppr = out._element.get_or_add_pPr()
        add_runs(out, spans, record)
        if paragraph.kind == Kind.ATTACHMENTS:
            _attachment_format(out, document, first=previous_kind != Kind.ATTACHMENTS)
        elif paragraph.kind == Kind.SIGNATURE and first_signature_line:
            # Room above the name: the seal presses on name and date (sealed); a blank line (unsealed).
            out.paragraph_format.space_before = Twips(LINE_TWIPS * (2 if document.sealed else 1))
            _child(ppr, "w:ind", right=round(name_right * char), rightChars=round(name_right * 100))
            first_signature_line = False
        elif paragraph.kind == Kind.DATE:
            if previous_kind != Kind.SIGNATURE:
                out.paragraph_format.space_before = Twips(LINE_TWIPS * 2)
            _child(ppr, "w:ind", right=round(date_right * char), rightChars=round(date_right * 100))
        previous_kind = paragraph.kind

    extra_parts = tuple(finish(word, written)) if finish is not None else ()
    return _package(template, word, properties or FileProperties(), extra_parts, track_changes=track_changes)


def _attachment_format(out, document, *, first):
    """GB/T 9704 7.3.4: one blank line below the body, "附件：" two characters in, each number under
    "1." and each name (a long one wrapping too) under the first character of the first name.

    A hanging indent to the names, and a tab stop there for the tab after a number ("1." in Latin
    digits has no width of whole characters). In twips of the characters as they advance (GRID_CHAR),
    without Word's character units: "附件：" is three of them, so "1." starts where "2." does, and
    the tab stop, which has no character unit, is exactly where the wrapped lines start."""
    label, numbers, names = document.attachment_indents
    start = label if first else numbers  # where the paragraph's first line starts
    fmt = out.paragraph_format
    if first:
        fmt.space_before = Twips(LINE_TWIPS)
    if names > numbers:
        fmt.tab_stops.add_tab_stop(Twips(round(names * GRID_CHAR)))
    _child(out._element.get_or_add_pPr(), "w:ind", left=round(names * GRID_CHAR),
           hanging=round((names - start) * GRID_CHAR))


def report_properties(report: Report) -> FileProperties:
    """A report's file properties: its title, its body as author, when it was created and last changed."""
    # A report loaded with an earlier last change (the demo's, an import) was not created after it.
    return FileProperties(title=report.title, author=report.organization.name,
                          created=min(report.created_at, report.updated_at), modified=report.updated_at)


def render_docx(report: Report) -> bytes:
    """The report as .docx bytes: a draft carries a 草稿 stamp, a submitted one 送审稿, an approved
    report none. Its properties are the report's (report_properties)."""
    return write_document(build_document(report), properties=report_properties(report))


def safe_filename(text: str, fallback: str = "report") -> str:
    """`text` with the characters file systems refuse replaced, not too long for any of them."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", text.strip())[:150] or fallback


def docx_filename(report: Report) -> str:
    """`{title}.docx`."""
    return f"{safe_filename(report.title)}.docx"


