"""Batches of Word files: every approved report of a quarter as one .zip, streamed.

Each file is written into the archive as soon as it is made, so the download starts at once
and memory holds one report at a time, however many bodies there are.
"""

import io
import zipfile
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from reports.models import Report
from reports.word.writer import render_docx, safe_filename


class _Sink(io.RawIOBase):
    """A write-only stream that hands out what was written since the last call."""

    def __init__(self):
        self._chunks = []

    def writable(self):
        return True

    def write(self, data):
        self._chunks.append(bytes(data))
        return len(data)

    def drain(self):
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def archive_name(report: Report, taken: set[str]) -> str:
    """The body's name as the file name, made unique within the archive."""
    base = safe_filename(report.organization.name)
    name, number = f"{base}.docx", 2
    while name in taken:
        name, number = f"{base}（{number}）.docx", number + 1
    taken.add(name)
    return name


def approved_reports(visible_reports: QuerySet[Report], year: int, quarter: int) -> QuerySet[Report]:
    return (
        visible_reports.filter(year=year, quarter=quarter, status=Report.Status.APPROVED)
        .select_related("organization")
        .order_by("organization__name")
    )


def stream_zip(reports: Iterable[Report]) -> Iterator[bytes]:
    """Yield the bytes of a .zip holding one .docx per report, named by its body."""
    sink = _Sink()
    taken = set()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for report in reports:
            archive.writestr(archive_name(report, taken), render_docx(report))
            yield sink.drain()
    yield sink.drain()
