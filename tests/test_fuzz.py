"""Fuzzing with hypothesis: no text a user can type, paste or import crashes the text cleaner,
the ordinals, the document model, the Word writer or the text importer, and every Word file
written opens in LibreOffice.

"Any text" means all of Unicode, lone surrogates included, and on purpose the characters
that break things: C0/C1 controls, NUL, U+FFFE/U+FFFF, bidirectional overrides and right-to-
left scripts, zero-width and combining characters, emoji sequences, line and paragraph
separators, measure tokens ({{measure:N}}, known and unknown), the importer's own ordinals
(一、（一）一是), and texts of 100,000 characters.

Deterministic in CI: derandomize=True (the examples follow from the test's source, so every
run tries the same ones) and database=None (no example database is written into the
checkout). The whole file runs in well under a minute; LibreOffice is run five times.
"""

import io
import re
import unicodedata
import zipfile
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from docx import Document as open_docx
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reports.document.model import Document, Kind, Paragraph, Role, Run, compose_document
from reports.document.numbering import (
    DIGITS,
    chinese_number,
    heading_ordinal,
    item_ordinal,
    section_ordinal,
)
from reports.document.text import clean_text
from reports.document.tokens import TOKEN_RE, MeasureInfo, token
from reports.word.importing import ImportRefused, parse_text
from reports.word.pdf import convert_docx_to_pdf, pdf_available
from reports.word.writer import write_document

FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

# The characters most likely to break a text pipeline, each on purpose.
NASTY = [
    "\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\x9f",  # C0, DEL, C1
    "\ud800", "\udbff", "\udc00", "\udfff",  # lone surrogates
    "\ufffe", "\uffff", "\ufdd0", "\U0010ffff",  # non-characters
    "\u202a", "\u202b", "\u202d", "\u202e", "\u2066", "\u2069", "\u200e", "\u200f",  # bidi controls
    "\u200b", "\u200c", "\u200d", "\ufeff", "\u2060",  # zero-width
    "\u0301", "\u0308", "\u20dd",  # combining marks
    "\r", "\n", "\r\n", "\t", "\u2028", "\u2029", "\u3000", " ",  # breaks and spaces
    "مرحبا", "שלום", "\u0627\u0644\u0639\u0631\u0628\u064a\u0629",  # right-to-left scripts
    "😀", "👨‍👩‍👧‍👦", "🇨🇳", "🏳️‍🌈", "\U0001f9d1\U0001f3fd\u200d\U0001f4bb",  # emoji and sequences
    "𠀀", "𪚥", "\U00031350",  # CJK beyond the BMP
    "一、", "（一）", "一是", "1.", "【】", "XX次", "*", "×××", "〔〕", "。", "；",  # the report's own marks
    "｛学习会议｝", "{{measure:1}}", "{{measure:999999999999999999}}", "{{measure:", "}}",  # measure tokens
    "<script>alert(1)</script>", "&amp;", "]]>", "\"'", "\\",  # markup
    "学习贯彻习近平新时代中国特色社会主义思想", "履行全面从严治党主体责任",
]

any_character = st.characters(exclude_categories=())  # every code point, lone surrogates included
nasty_text = st.one_of(
    st.text(any_character, max_size=200),
    st.lists(st.sampled_from(NASTY), max_size=40).map("".join),
    st.lists(st.one_of(st.sampled_from(NASTY), st.text(any_character, max_size=5)), max_size=30).map("".join),
)
LONG = ("学习贯彻😀\u202e\x01\ud800一、（一）一是{{measure:1}}\r\n" * 5000)[:100_000]
assert len(LONG) == 100_000

# XML 1.0: what a .docx may contain.
XML_CHAR = re.compile("^[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*$")


# ---- The text cleaner (reports/document/text.py) ------------------------------------------------------


@FUZZ
@given(nasty_text, st.booleans())
@example(LONG, True)
@example(LONG, False)
def test_clean_text_leaves_only_storable_printable_text(text, multiline):
    cleaned, removed = clean_text(text, multiline=multiline)
    assert isinstance(cleaned, str) and removed >= 0
    cleaned.encode("utf-8")  # no lone surrogate: PostgreSQL and UTF-8 files take it
    assert "\x00" not in cleaned  # PostgreSQL refuses NUL in text
    assert XML_CHAR.match(cleaned), "only characters XML 1.0 (and so Word) allows"
    assert not re.search("[\u202a-\u202e\u2066-\u2069\u200b\ufeff]", cleaned), "no bidi overrides or zero-width spaces"
    assert "\r" not in cleaned and "\u2028" not in cleaned and "\u2029" not in cleaned
    if not multiline:
        assert "\n" not in cleaned
    assert cleaned == cleaned.strip()
    again, removed_again = clean_text(cleaned, multiline=multiline)
    assert removed_again == 0, "a second pass finds nothing more to remove"
    assert clean_text(again, multiline=multiline)[0] == again, "cleaning settles"


INVISIBLE = ("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
             "\u2060\u2061\u2062\u2063\u2064\u3164\ufeff\uffa0")


@pytest.mark.parametrize("character", list(INVISIBLE))
def test_text_of_invisible_characters_only_is_empty(character):
    """What prints as nothing is nothing: a title, reason or comment of such characters is empty,
    and so refused where it is required."""
    assert clean_text(f" {character}{character}\u3000", multiline=False)[0] == ""
    assert clean_text(f"甲{character}乙") == ("甲乙", 1)


@FUZZ
@given(st.text(st.characters(categories=["L", "N", "P", "Zs"], exclude_characters="\u3000 " + INVISIBLE),
               min_size=1, max_size=100))
def test_clean_text_keeps_ordinary_text(text):
    """Letters, digits and punctuation are never removed: cleaning loses no text (the Hangul
    fillers are letters by their category, but print as nothing)."""
    cleaned, removed = clean_text(text, multiline=False)
    assert removed == 0
    assert cleaned == unicodedata.normalize("NFC", text).strip()


# ---- The ordinals (reports/document/numbering.py) -----------------------------------------------------


def test_every_ordinal_from_1_to_29999_is_distinct_and_made_of_chinese_numerals():
    seen = {}
    for n in range(1, 30_000):
        text = chinese_number(n)
        assert text and set(text) <= set(DIGITS + "十百千万"), n
        assert text not in seen, f"{n} and {seen.get(text)} both read {text}"
        seen[text] = n
        assert section_ordinal(n) == text + "、"
        assert heading_ordinal(n) == f"（{text}）"
        assert item_ordinal(n) == text + "是"
    assert [chinese_number(n) for n in (1, 10, 11, 20, 99, 100, 105, 110, 1000, 1010, 9999)] == [
        "一", "十", "十一", "二十", "九十九", "一百", "一百零五", "一百一十", "一千", "一千零一十", "九千九百九十九"]


@FUZZ
@given(st.one_of(st.integers(), st.floats(allow_nan=True), st.text(max_size=5), st.none(), st.decimals(allow_nan=False)))
def test_chinese_number_refuses_anything_but_1_to_99999999_with_a_value_error(value):
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 99_999_999:
        assert chinese_number(value)
    else:
        with pytest.raises(ValueError):
            chinese_number(value)


# ---- The document model (reports/document/model.py) ------------------------------------------------

MEASURE_IDS = [1, 2, 3]


@st.composite
def plain_reports(draw, text=nasty_text, max_sections=3):
    """A report as plain objects (what compose_document takes), every text drawn from `text`,
    with measure tokens of known and unknown measures mixed in."""
    ids = iter(range(1, 10_000))

    def body():
        parts = draw(st.lists(st.one_of(text, st.sampled_from([token(i) for i in (*MEASURE_IDS, 77)])), max_size=4))
        return "".join(parts)

    report = SimpleNamespace(
        title=draw(text), addressee=draw(text), opening=body(), closing=draw(text), signature_name=draw(text),
        signature_date=draw(st.none() | st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))),
        items_layout=draw(st.sampled_from(["inline", "paragraphs"])),
        status=draw(st.sampled_from(["draft", "submitted", "returned", "approved"])),
        signature_layout=draw(st.sampled_from(["sealed", "unsealed"])),
    )
    sections, headings, items = [], [], []
    for s_position in range(1, draw(st.integers(0, max_sections)) + 1):
        section = SimpleNamespace(id=next(ids), title=draw(text), lead=body(), position=s_position)
        sections.append(section)
        for h_position in range(1, draw(st.integers(0, 2)) + 1):
            heading = SimpleNamespace(id=next(ids), section_id=section.id, title=draw(text), lead=body(), position=h_position)
            headings.append(heading)
            for i_position in range(1, draw(st.integers(0, 3)) + 1):
                items.append(SimpleNamespace(id=next(ids), section_id=section.id, heading_id=heading.id,
                                             text=body(), position=i_position))
        for i_position in range(1, draw(st.integers(0, 2)) + 1):
            items.append(SimpleNamespace(id=next(ids), section_id=section.id, heading_id=None, text=body(),
                                         position=i_position))
    measures = {
        measure_id: MeasureInfo(measure_id, draw(text), draw(text),
                                draw(st.none() | st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2)))
        for measure_id in MEASURE_IDS
    }
    # Headings and items in any order: compose_document sorts them by position.
    headings = draw(st.permutations(headings))
    items = draw(st.permutations(items))
    return report, sections, headings, items, measures


def compose(data):
    report, sections, headings, items, measures = data
    return compose_document(report, sections, headings, items, measures)


@FUZZ
@given(plain_reports())
def test_the_document_model_composes_any_text(data):
    report, sections, headings, items, measures = data
    document = compose(data)
    assert isinstance(document, Document)
    assert document.paragraphs[0].kind == Kind.TITLE
    for paragraph in document.paragraphs:
        assert isinstance(paragraph, Paragraph) and all(isinstance(run, Run) for run in paragraph.runs)
        assert all(isinstance(run.text, str) for run in paragraph.runs)
    # Numbering follows position: 一、二、… for sections, one ordinal run per item.
    section_ordinals = [p.runs[0].text for p in document.paragraphs if p.kind == Kind.SECTION]
    assert section_ordinals == [section_ordinal(n) for n in range(1, len(sections) + 1)]
    item_ordinals = [run for p in document.paragraphs for run in p.runs if run.kind == "ordinal" and run.ref.startswith("item-")]
    assert len(item_ordinals) == len(items)
    # In body text every measure token became the value (or 未填写) of its measure: no run of
    # body text holds one (titles, the closing and the signature are plain text, printed as typed;
    # the run after a measure is its unit, printed as the catalogue has it).
    for paragraph in document.paragraphs:
        if paragraph.kind not in (Kind.ADDRESSEE, Kind.OPENING, Kind.HEADING, Kind.BODY, Kind.ITEM):
            continue
        previous = None
        for run in paragraph.runs:
            if run.kind == "text" and run.role == Role.BODY and not (previous and previous.kind == "measure"):
                assert not TOKEN_RE.search(run.text), f"a token left in {run!r}"
            previous = run
    assert document.signature_indents  # the signature's layout computes for any text
    assert document.is_final == (report.status == "approved")


# ---- The Word writer (reports/word/writer.py) ------------------------------------------------


def assert_opens(docx_bytes, document):
    """A valid package: python-docx reads it back, with one paragraph per printed line."""
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as package:
        assert package.testzip() is None
        assert "word/document.xml" in package.namelist()
    word = open_docx(io.BytesIO(docx_bytes))
    assert len(word.paragraphs) >= len(document.paragraphs) - 1  # the title may take several lines


@FUZZ
@given(plain_reports())
@example((SimpleNamespace(title="长" * 3000, addressee=LONG, opening=LONG, closing="", signature_name="😀" * 500,
                          signature_date=None, items_layout="inline", status="draft", signature_layout="unsealed"),
          [], [], [], {}))
def test_the_word_writer_writes_any_text(data):
    document = compose(data)
    assert_opens(write_document(document), document)


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(list(vars(Kind)[k] for k in vars(Kind) if k.isupper())), nasty_text),
                min_size=1, max_size=12),
       st.booleans(), st.booleans())
def test_the_word_writer_takes_any_document(paragraphs, final, sealed):
    """Documents that compose_document would never make (any kind in any order, several
    titles, raw text in every run): the writer still writes them."""
    document = Document(
        paragraphs=[Paragraph(Kind.TITLE, (Run("标题"),))] + [Paragraph(kind, (Run(text),)) for kind, text in paragraphs],
        mark="" if final else "草稿", sealed=sealed,
    )
    assert_opens(write_document(document), document)


@pytest.mark.parametrize("title", ["报告\x01标题", "报告\ud800标题", "报告\ufffe标题"])
def test_the_word_writer_takes_a_title_with_control_characters(title):
    """A title that did not come through the editor (a management command, a data load) still prints."""
    report = SimpleNamespace(title=title, addressee="", opening="", closing="", signature_name="", signature_date=None,
                             items_layout="inline", status="draft", signature_layout="sealed")
    document = compose_document(report, [], [], [], {})
    assert_opens(write_document(document), document)


def test_what_the_text_cleaner_removes_never_reaches_a_word_file_and_the_rest_does():
    """One rule for both: a text that did not come through the editor prints as if it had."""
    bmp = [chr(code) for code in range(0x10000)]
    removed = "".join(ch for ch in bmp if clean_text(f"甲{ch}乙")[1])
    assert all(ch in removed for ch in bmp if not XML_CHAR.match(ch)), "whatever XML 1.0 forbids is removed"
    # Line breaks (\r, U+2028 …) and characters NFC rewrites are neither removed nor kept as they are.
    kept = "".join(ch for ch in bmp if clean_text(f"甲{ch}乙") == (f"甲{ch}乙", 0) and ch not in "\t\n")
    document = Document(paragraphs=[
        Paragraph(Kind.TITLE, (Run("标题"),)), Paragraph(Kind.BODY, (Run(f"甲{removed}乙"),)),
        Paragraph(Kind.BODY, (Run(kept),)),
    ])
    word = open_docx(io.BytesIO(write_document(document)))
    assert [paragraph.text for paragraph in word.paragraphs] == ["标题", "甲乙", kept]


def test_invisible_characters_take_no_room_in_the_title():
    title = "市政协党组关于第一季度履行主体责任的报告"
    assert len(title) == 20  # exactly one line of 2号
    document = Document(paragraphs=[Paragraph(Kind.TITLE, (Run(f"{title[:10]}\u200b\u200b\x01\x01{title[10:]}"),))])
    word = open_docx(io.BytesIO(write_document(document)))
    assert [paragraph.text for paragraph in word.paragraphs] == [title]


# ---- LibreOffice opens what the writer writes ------------------------------------------------


@settings(FUZZ, max_examples=5)
@given(plain_reports(max_sections=2))
@example((SimpleNamespace(title="长文", addressee="", opening=LONG, closing="特此报告。", signature_name="右到左 שלום 😀",
                          signature_date=date(2023, 4, 10), items_layout="paragraphs", status="approved",
                          signature_layout="sealed"), [], [], [], {}))
def test_libreoffice_opens_every_written_file(data):
    assert pdf_available(), "LibreOffice (soffice) is needed: scripts/system-packages.sh installs it"
    document = compose(data)
    pdf = convert_docx_to_pdf(write_document(document))
    assert pdf.startswith(b"%PDF") and b"%%EOF" in pdf[-1024:]


# ---- The text importer (reports/importing) ---------------------------------------------------

report_like_text = st.lists(
    st.tuples(st.sampled_from(["", "一、", "二、", "（一）", "（二）", "一是", "二是", "1.", "特此报告。", "2023年4月10日"]),
              nasty_text),
    max_size=25,
).map(lambda lines: "\n".join(mark + text for mark, text in lines))


@FUZZ
@given(st.one_of(nasty_text, report_like_text))
@example(LONG)
def test_the_text_importer_reads_any_text_or_refuses_it_by_name(text):
    try:
        parsed = parse_text(text)
    except ImportRefused as refused:
        assert str(refused.message)
        return
    structure = parsed.structure()
    # Whatever was read can be stored: no forbidden character reaches the draft.
    for value in _strings(structure):
        value.encode("utf-8")
        assert XML_CHAR.match(value)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, (list, tuple)):
        for inner in value:
            yield from _strings(inner)
