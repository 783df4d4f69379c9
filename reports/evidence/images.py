"""Images as evidence carry no metadata: a phone's photo of a meeting has the GPS position of the
room in its EXIF block. They are re-encoded from their pixels alone, turned upright first (the
orientation is itself EXIF), so that what is stored is what the photo shows and nothing more."""

import io

from reports.evidence.kinds import JPEG, Kind

JPEG_QUALITY = 90


def without_metadata(data: bytes, kind: Kind) -> bytes:
    """The image's pixels, upright, re-encoded as the same kind without EXIF, XMP or text chunks."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as image:
        upright = ImageOps.exif_transpose(image)
        mode = "RGB" if kind == JPEG else ("RGBA" if upright.mode not in ("RGB", "L") else upright.mode)
        pixels = upright.convert(mode)
        # A new image has no info at all: nothing of the original but its pixels is written.
        clean = Image.new(mode, pixels.size)
        clean.paste(pixels)
        output = io.BytesIO()
        if kind == JPEG:
            clean.save(output, "JPEG", quality=JPEG_QUALITY, optimize=True)
        else:
            clean.save(output, "PNG", optimize=True)
        return output.getvalue()
