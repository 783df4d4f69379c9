"""The demo's evidence files, drawn here so that the demo needs no binary files in the repository:
a photo of a meeting and one-page PDFs (a notice, a sign-in sheet), with their captions in Chinese
when a CJK font is installed (the LibreOffice fonts of scripts/system-packages.sh), without otherwise."""

import io
from functools import cache
from pathlib import Path

FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
)


@cache
def _font_file():
    return next((path for path in FONT_FILES if Path(path).exists()), None)


def _font(size):
    from PIL import ImageFont

    path = _font_file()
    return ImageFont.truetype(path, size) if path else None


def photo(caption: str) -> bytes:
    """A JPEG "photo" of a meeting room: a table, people as circles, a banner with the caption."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (960, 640), (226, 232, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 960, 120], fill=(153, 27, 27))
    font = _font(40)
    if font:
        draw.text((480, 60), caption, fill=(254, 243, 199), font=font, anchor="mm")
    draw.rounded_rectangle([160, 330, 800, 470], radius=30, fill=(120, 85, 60))
    for index in range(6):
        x = 200 + index * 112
        for y in (280, 520):
            draw.ellipse([x - 28, y - 28, x + 28, y + 28], fill=(30, 41, 59))
    output = io.BytesIO()
    image.save(output, "JPEG", quality=85)
    return output.getvalue()


def pdf(title: str, lines: list[str]) -> bytes:
    """A one-page A4 PDF: a title and a few lines, as a scanned notice or sign-in sheet reads."""
    from PIL import Image, ImageDraw

    page = Image.new("RGB", (1240, 1754), "white")  # A4 at 150 dpi
    draw = ImageDraw.Draw(page)
    title_font, body_font = _font(56), _font(36)
    if title_font:
        draw.text((620, 220), title, fill="black", font=title_font, anchor="mm")
        for number, line in enumerate(lines):
            draw.text((160, 380 + number * 80), line, fill="black", font=body_font)
    else:
        for number in range(len(lines) + 1):
            draw.line([160, 220 + number * 80, 1080, 220 + number * 80], fill="black", width=4)
    output = io.BytesIO()
    page.save(output, "PDF", resolution=150)
    return output.getvalue()


def demo_file(entry: dict) -> tuple[str, bytes]:
    """(file name, bytes) of a fixture's evidence entry: {"file": "photo"|"pdf", "title", "lines"}."""
    if entry["file"] == "photo":
        return f"{entry['title']}.jpg", photo(entry.get("caption", entry["title"]))
    return f"{entry['title']}.pdf", pdf(entry["title"], entry.get("lines", []))
