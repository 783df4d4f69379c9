"""PDF through LibreOffice, where it is installed (the PDF button is hidden where it is not)."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

TIMEOUT_SECONDS = 90
PER_DOCUMENT_SECONDS = 10


class PdfUnavailable(Exception):
    pass


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_available() -> bool:
    return soffice() is not None


def fontconfig_file() -> str:
    """The project's font aliases (仿宋_GB2312 → an open face), so the PDF keeps the layout."""
    return str(Path(settings.BASE_DIR) / "fonts" / "fonts.conf")


def convert_docx_to_pdf(data: bytes) -> bytes:
    """.docx bytes → PDF bytes."""
    return convert_many([data])[0]


def convert_many(documents: list[bytes]) -> list[bytes]:
    """Several .docx → their PDFs, in order, from one LibreOffice process: starting LibreOffice
    takes about two seconds, converting a report a fifth of one, so a batch pays the start once.
    Each call has its own LibreOffice profile, so parallel conversions do not fight over one;
    nothing stays on disk afterwards."""
    program = soffice()
    if program is None:
        raise PdfUnavailable("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory(prefix="jibao-pdf-") as work:
        sources = []
        for number, data in enumerate(documents, 1):
            source = Path(work) / f"{number}.docx"
            source.write_bytes(data)
            sources.append(source)
        env = {**os.environ, "FONTCONFIG_FILE": fontconfig_file(), "HOME": work}
        command = [program, f"-env:UserInstallation=file://{work}/profile", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", str(Path(work) / "pdf"), *map(str, sources)]
        completed = subprocess.run(command, env=env, capture_output=True,
                                   timeout=TIMEOUT_SECONDS + PER_DOCUMENT_SECONDS * len(documents))
        targets = [Path(work) / "pdf" / f"{source.stem}.pdf" for source in sources]
        if completed.returncode != 0 or not all(target.exists() for target in targets):
            raise PdfUnavailable(completed.stderr.decode("utf-8", "replace")[-500:] or "LibreOffice wrote no PDF")
        return [target.read_bytes() for target in targets]
