"""PDF through LibreOffice, where it is installed (the PDF button is hidden where it is not)."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

TIMEOUT_SECONDS = 90


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
    """.docx bytes → PDF bytes. Each call has its own LibreOffice profile, so parallel
    conversions do not fight over one; nothing stays on disk afterwards."""
    program = soffice()
    if program is None:
        raise PdfUnavailable("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory(prefix="jibao-pdf-") as work:
        source = Path(work) / "report.docx"
        source.write_bytes(data)
        env = {**os.environ, "FONTCONFIG_FILE": fontconfig_file(), "HOME": work}
        command = [program, f"-env:UserInstallation=file://{work}/profile", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", work, str(source)]
        completed = subprocess.run(command, env=env, capture_output=True, timeout=TIMEOUT_SECONDS)
        target = Path(work) / "report.pdf"
        if completed.returncode != 0 or not target.exists():
            raise PdfUnavailable(completed.stderr.decode("utf-8", "replace")[-500:])
        return target.read_bytes()
