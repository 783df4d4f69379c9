"""Measuring a Word file as a reader sees it: LibreOffice renders it, pdftotext gives boxes."""

import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from reports.word.pdf import convert_docx_to_pdf

XHTML = "{http://www.w3.org/1999/xhtml}"
MM_PER_PT = 25.4 / 72


@dataclass
class Word:
    """What pdftotext takes for a word: text between gaps (a tab, a space), in mm as Line."""

    text: str
    left: float
    right: float


@dataclass
class Line:
    text: str
    left: float  # mm from the page's left edge
    right: float
    top: float  # mm from the page's top edge
    bottom: float
    words: list = field(default_factory=list)


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list

    def body(self, top=37 - 1, bottom=297 - 35 + 1):
        """The lines inside the type area (not the header's mark, not the page number)."""
        return [line for line in self.lines if line.top >= top and line.bottom <= bottom]


def render_pdf(docx_bytes):
    return convert_docx_to_pdf(docx_bytes)


def measure(pdf_bytes):
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "report.pdf"
        source.write_bytes(pdf_bytes)
        target = Path(work) / "boxes.html"
        subprocess.run(["pdftotext", "-bbox-layout", str(source), str(target)], check=True, timeout=60)
        tree = ElementTree.parse(target)
    pages = []
    for number, page in enumerate(tree.iter(f"{XHTML}page"), 1):
        lines = []
        for line in page.iter(f"{XHTML}line"):
            words = [Word(word.text or "", float(word.get("xMin")) * MM_PER_PT, float(word.get("xMax")) * MM_PER_PT)
                     for word in line.iter(f"{XHTML}word")]
            lines.append(Line(
                text="".join(word.text for word in words),
                left=float(line.get("xMin")) * MM_PER_PT,
                right=float(line.get("xMax")) * MM_PER_PT,
                top=float(line.get("yMin")) * MM_PER_PT,
                bottom=float(line.get("yMax")) * MM_PER_PT,
                words=words,
            ))
        pages.append(Page(number, float(page.get("width")) * MM_PER_PT, float(page.get("height")) * MM_PER_PT, lines))
    return pages


def png_pages(pdf_bytes, target_prefix, first=1, last=2, resolution=80):
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "report.pdf"
        source.write_bytes(pdf_bytes)
        subprocess.run(["pdftoppm", "-png", "-r", str(resolution), "-f", str(first), "-l", str(last),
                        str(source), str(target_prefix)], check=True, timeout=60)


def width(text):
    """Width in characters: half-width digits and Latin letters count half; Chinese text,
    quotes, dashes and ellipses (set in the Chinese face) count one."""
    return sum(0.5 if ord(ch) < 0x2000 else 1 for ch in text)
