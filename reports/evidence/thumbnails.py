"""A small picture of a file, for the lists that show evidence: an image scaled down, or a PDF's
first page drawn by poppler's pdftoppm (the same poppler the tests measure Word files with). A
file that cannot be drawn has no thumbnail; the list shows its kind instead."""

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from reports.evidence.kinds import PDF, Kind

SIZE = 240  # pixels of the longer side: sharp at the lists' 120 CSS pixels on a high-density screen
PDFTOPPM_SECONDS = 20


def thumbnail(data: bytes, kind: Kind) -> bytes | None:
    """PNG bytes of the thumbnail, or None when the file has none."""
    if kind.image:
        return _scaled(data)
    if kind == PDF:
        return _first_page(data)
    return None


def _scaled(data):
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (SIZE, SIZE))  # a JPEG decodes at a fraction of its size: fast for a 20 MB photo
        small = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
        small.thumbnail((SIZE, SIZE))
        output = io.BytesIO()
        small.save(output, "PNG", optimize=True)
        return output.getvalue()


def _first_page(data):
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        return None
    with tempfile.TemporaryDirectory(prefix="jibao-thumb-") as folder:
        source = Path(folder) / "file.pdf"
        source.write_bytes(data)
        try:
            subprocess.run([pdftoppm, "-png", "-f", "1", "-l", "1", "-singlefile", "-scale-to", str(SIZE),
                            str(source), str(Path(folder) / "page")],
                           check=True, capture_output=True, timeout=PDFTOPPM_SECONDS)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            return None  # a PDF poppler cannot draw is still evidence; it is only shown without a picture
        page = Path(folder) / "page.png"
        return page.read_bytes() if page.exists() else None
