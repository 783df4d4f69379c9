"""The faces a report is shown and printed in: the （一） headings' 楷体 at full size on screen and
in the PDF, and the screen fonts served from the application itself (static/vendor/fonts)."""

import base64
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from playwright.sync_api import expect

from reports.document.model import Document, Kind, Paragraph, Role, Run
from reports.word.writer import write_document
from tests.browser import log_in
from tests.pdf_layout import measure, render_pdf

HEADING_TEXT = "（一）深化理论学习，把准正确方向"

# The same words set in the sheet as a heading's 楷体 and as body text, each drawn by the browser
# (a screenshot) and measured: the share of columns that carry ink, and the ink's height. A face
# that draws its glyphs small within the em (the AR PL 楷体) leaves wide gaps: it looks spaced out.
PROBE_SCRIPT = """(text) => {
  const probe = document.createElement("div");
  probe.id = "font-probe";
  for (const role of ["heading2", "body"]) {
    const span = document.createElement("span");
    span.className = `run-${role}`;
    span.style.cssText = "display: inline-block; white-space: nowrap; text-indent: 0";
    span.textContent = text;
    probe.append(span, document.createElement("br"));
  }
  document.querySelector(".sheet").append(probe);
}"""
INK_SCRIPT = """async (png) => {
  const image = new Image();
  image.src = `data:image/png;base64,${png}`;
  await image.decode();
  const canvas = document.createElement("canvas");
  [canvas.width, canvas.height] = [image.width, image.height];
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const data = context.getImageData(0, 0, image.width, image.height).data;
  const columns = new Set();
  let top = -1, bottom = -1;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const i = (y * image.width + x) * 4;
      if (data[i] + data[i + 1] + data[i + 2] < 3 * 128) {
        columns.add(x);
        if (top < 0) top = y;
        bottom = y;
      }
    }
  }
  return {columns: columns.size / image.width, height: (bottom - top + 1) / image.height};
}"""


def _drawn(page, selector):
    png = page.locator(selector).screenshot()
    return page.evaluate(INK_SCRIPT, base64.b64encode(png).decode())


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_heading_kai_face_is_drawn_as_large_as_the_body_text(page, live_server, demo, artifacts_dir):
    log_in(page, live_server, "drafter")
    page.goto(f"{live_server.url}/reports/{demo.pk}/")
    expect(page.get_by_test_id("report-sheet")).to_be_visible()
    page.evaluate("document.fonts.ready")
    page.evaluate(PROBE_SCRIPT, HEADING_TEXT.replace("（一）", "").replace("，", ""))
    heading, body = _drawn(page, "#font-probe .run-heading2"), _drawn(page, "#font-probe .run-body")
    assert heading["columns"] >= 0.93 * body["columns"], (heading, body)
    assert heading["height"] >= 0.75 * body["height"], (heading, body)
    page.get_by_test_id("report-sheet").locator(".doc-heading").first.screenshot(path=artifacts_dir / "heading-kaiti.png")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_screen_fonts_come_from_the_application(page, live_server, demo):
    """Where the official faces are missing, the page's own webfonts stand in: served by the
    application (never a CDN), accepted by the browser as fonts."""
    fetched = []
    page.on("requestfinished", lambda request: fetched.append(request.url) if request.resource_type == "font" else None)
    log_in(page, live_server, "drafter")
    page.goto(f"{live_server.url}/reports/{demo.pk}/")
    expect(page.get_by_test_id("report-sheet")).to_be_visible()
    loaded = page.evaluate("""async () => {
      const faces = [['400 16pt "LXGW WenKai"', '深化理论学习'], ['700 22pt "Noto Serif SC"', '情况报告'],
                     ['400 16pt "Noto Serif SC"', '按要求']];
      const result = [];
      for (const [font, text] of faces) {
        const found = await document.fonts.load(font, text);
        result.push([font, found.length, found.every((face) => face.status === "loaded"), document.fonts.check(font, text)]);
      }
      return result;
    }""")
    for font, count, all_loaded, usable in loaded:
        assert count and all_loaded and usable, font
    assert fetched and all(url.startswith(f"{live_server.url}/static/vendor/fonts/") for url in fetched), fetched


def test_every_slice_the_stylesheet_names_is_vendored():
    stylesheet = Path(finders.find("vendor/fonts/webfonts.css"))
    urls = re.findall(r"url\('([^']+)'\)", stylesheet.read_text())
    assert len(urls) > 100
    missing = [url for url in urls if not (stylesheet.parent / url).is_file()]
    assert not missing
    for folder in {url.split("/")[0] for url in urls}:
        assert "SIL OPEN FONT LICENSE" in (stylesheet.parent / folder / "LICENSE.txt").read_text().upper()


def _drawn_lines(pdf_bytes, resolution=150):
    """Each line of the first page, top to bottom, as (text, share of its columns that carry ink,
    ink height in pt), drawn by poppler."""
    lines = measure(pdf_bytes)[0].lines
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "page.pdf"
        source.write_bytes(pdf_bytes)
        subprocess.run(["pdftoppm", "-gray", "-r", str(resolution), "-f", "1", "-l", "1", str(source),
                        str(Path(work) / "page")], check=True, timeout=60)
        raw = next(Path(work).glob("page*.pgm")).read_bytes()
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+\d+\s", raw)
    width, pixels = int(header[1]), raw[header.end():]

    def to_px(mm):
        return round(mm / 25.4 * resolution)

    drawn = []
    for line in sorted(lines, key=lambda line: line.top):
        left, right = to_px(line.left), to_px(line.right)
        rows = range(to_px(line.top) - 4, to_px(line.bottom) + 4)
        inked_rows = [y for y in rows if min(pixels[y * width + left:y * width + right]) < 128]
        inked_columns = [x for x in range(left, right) if min(pixels[y * width + x] for y in rows) < 128]
        drawn.append((line.text, len(inked_columns) / (right - left),
                      (inked_rows[-1] - inked_rows[0] + 1) / resolution * 72))
    return drawn


def test_the_pdf_prints_the_heading_kai_face_as_large_as_the_body_text():
    # The same words twice: as a heading in 楷体 (no run-in text), then as body text in 仿宋.
    document = Document(paragraphs=[
        Paragraph(Kind.TITLE, (Run("字体检查", Role.TITLE),)),
        Paragraph(Kind.HEADING, (Run("（一）", Role.HEADING2, kind="ordinal"), Run(HEADING_TEXT[3:], Role.HEADING2))),
        Paragraph(Kind.BODY, (Run(HEADING_TEXT, Role.BODY),)),
    ])
    heading, body = [line for line in _drawn_lines(render_pdf(write_document(document))) if line[0] == HEADING_TEXT]
    assert heading[1] >= 0.93 * body[1], (heading, body)
    assert heading[2] >= 0.75 * body[2], (heading, body)
