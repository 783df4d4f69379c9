"""Batches of Word files: every approved report of a quarter as one .zip, streamed (with each
report's 佐证材料 when asked: reports/word/evidence_archive.py).

Each file is written into the archive as soon as it is made, so the download starts at once
and memory holds one report at a time, however many bodies there are.
"""

import io
import zipfile
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from reports.models import APPROVED_STATUSES, Report
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


def unique_name(stem: str, extension: str, taken: set[str]) -> str:
    """`stem.extension`, or `stem（2）.extension` and on when that is taken within its folder;
    compared as Windows compares names (case aside), where a clash would overwrite on extracting."""
    name, number = f"{stem}.{extension}", 2
    while name.casefold() in taken:
        name, number = f"{stem}（{number}）.{extension}", number + 1
    taken.add(name.casefold())
    return name


def archive_name(report: Report, taken: set[str]) -> str:
    """The body's name as the file name, made unique within the archive."""
    return unique_name(safe_filename(report.organization.name), "docx", taken)


def approved_reports(visible_reports: QuerySet[Report], year: int, quarter: int) -> QuerySet[Report]:
    return (
        visible_reports.filter(year=year, quarter=quarter, status__in=APPROVED_STATUSES)
        .select_related("organization")
        .order_by("organization__name")
    )


def stream_zip(reports: Iterable[Report], *, evidence: bool = False) -> Iterator[bytes]:
    """Yield the bytes of a .zip holding one .docx per report, named by its body; with `evidence`,
    each report's 佐证材料 beside it in a folder of the same name (`<body>/佐证材料/…`)."""
    # Imported here: the evidence archive builds on this module's sink and names.
    from reports.word.evidence_archive import write_evidence

    sink = _Sink()
    taken = set()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for report in reports:
            name = archive_name(report, taken)
            archive.writestr(name, render_docx(report))
            yield sink.drain()
            if evidence:
                yield from write_evidence(archive, sink, report, folder=name.removesuffix(".docx") + "/")
    yield sink.drain()
