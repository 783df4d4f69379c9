"""A report with its 佐证材料 as one .zip: the Word file at the top, then a folder per claim in the
order the report prints them, each file under its title:

    市政协党组2023年第一季度报告.docx
    佐证材料/01 整份报告/会议通知.pdf
    佐证材料/02 一、主要做法 （一） 二是：组织召开理论学习中心组学习会议…/照片.jpg

The files are copied into the archive a megabyte at a time and the archive's bytes handed on after
each: the download starts once the Word file is written, and memory holds one chunk of a file,
however large the evidence is.
"""

import zipfile
from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from reports.document.text import shortened
from reports.evidence.attach import report_evidence
from reports.evidence.claims import Claim, grouped
from reports.evidence.kinds import KINDS
from reports.evidence.store import open_file
from reports.models import Evidence, Report
from reports.word.archive import _Sink, unique_name
from reports.word.writer import docx_filename, render_docx, safe_filename

CHUNK_BYTES = 1024 * 1024
# Their bytes are compressed already: deflating them again costs time and saves nothing.
COMPRESSED_KINDS = {"jpeg", "png", "pdf", "docx", "xlsx", "ofd"}
# Cut so that a path stays well under Windows' 260 characters once extracted into a folder of
# the user's own (C:\Users\…\Downloads\…\): root, folder and file name together ≈ 150.
FOLDER_LABEL_LENGTH = 40
FILE_STEM_LENGTH = 80


def folder_name(position: int, claim: Claim, width: int = 2) -> str:
    """The claim's folder, "02 一、主要做法 （一） 二是：组织召开……": numbered so that the folders sort in
    print order. Trailing dots and spaces go: Windows drops them, and two names would then clash."""
    label = safe_filename(shortened(claim.label, FOLDER_LABEL_LENGTH)).rstrip(". ")
    return f"{position:0{width}d} {label}"


def file_name(evidence: Evidence, taken: set[str]) -> str:
    stem = safe_filename(evidence.title[:FILE_STEM_LENGTH]).rstrip(". ") or _("文件")
    return unique_name(stem, KINDS[evidence.file.kind].extension, taken)


def evidence_paths(report: Report, folder: str = "") -> list[tuple[str, Evidence]]:
    """(name in the archive, evidence) for each file of the report, claim by claim in print order."""
    evidence = report_evidence(report)
    if not evidence:
        return []  # a report without evidence builds no document for its claims
    groups = grouped(report, evidence)
    width = max(2, len(str(len(groups))))
    root = f"{folder}{_('佐证材料')}"
    paths = []
    for position, group in enumerate(groups, 1):
        claim_folder = f"{root}/{folder_name(position, group.claim, width)}"
        taken: set[str] = set()
        paths += [(f"{claim_folder}/{file_name(item, taken)}", item) for item in group.evidence]
    return paths


def _entry(name: str, evidence: Evidence) -> zipfile.ZipInfo:
    uploaded = timezone.localtime(evidence.uploaded_at)
    info = zipfile.ZipInfo(name, date_time=uploaded.timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED if evidence.file.kind in COMPRESSED_KINDS else zipfile.ZIP_DEFLATED
    info.file_size = evidence.file.size  # zipfile decides from it whether the entry needs zip64
    return info


def write_file(archive: zipfile.ZipFile, sink: _Sink, name: str, evidence: Evidence) -> Iterator[bytes]:
    """Copy the evidence's bytes from the storage into the archive, yielding after each chunk."""
    with open_file(evidence.file) as source, archive.open(_entry(name, evidence), "w") as target:
        while chunk := source.read(CHUNK_BYTES):
            target.write(chunk)
            yield sink.drain()
    yield sink.drain()


def write_evidence(archive: zipfile.ZipFile, sink: _Sink, report: Report, folder: str = "") -> Iterator[bytes]:
    for name, evidence in evidence_paths(report, folder):
        yield from write_file(archive, sink, name, evidence)


def stream_report_zip(report: Report) -> Iterator[bytes]:
    """Yield the bytes of a .zip holding the report's Word file and its evidence."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(docx_filename(report), render_docx(report))
        yield sink.drain()
        yield from write_evidence(archive, sink, report)
    yield sink.drain()


def report_zip_filename(report: Report) -> str:
    return docx_filename(report).removesuffix(".docx") + ".zip"
