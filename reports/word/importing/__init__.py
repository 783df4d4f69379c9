"""Importing existing reports: a .docx or plain text → the report's structure → a draft.

    parsed = parse_docx(data)            # or parse_text(text), or parse_file(name, data)
    parsed.as_dict()                     # the stable JSON shape (README, import_report --dry-run)
    report = create_report(parsed, organization=…, year=…, quarter=…, user=…)

Bad input raises ImportRefused with a message for the drafter; nothing is created then.
An existing report for the quarter raises ReportExists (the one of reports.drafting.starting).
"""

import logging

from reports.drafting.starting import ReportExists
from reports.word.importing.blocks import Block
from reports.word.importing.create import create_report
from reports.word.importing.errors import CORRUPT, MAX_UPLOAD_BYTES, ImportRefused
from reports.word.importing.parser import parse_blocks
from reports.word.importing.reader_docx import read_docx
from reports.word.importing.reader_text import decode_text, read_text
from reports.word.importing.result import ParsedHeading, ParsedReport, ParsedSection

logger = logging.getLogger(__name__)


def read_blocks(name: str, data: bytes) -> list[Block]:
    """A file's blocks: .txt as UTF-8 text, anything else must be a .docx."""
    if name.lower().endswith(".txt"):
        return read_text(decode_text(data))
    try:
        return read_docx(data)
    except ImportRefused:
        raise
    except Exception:
        # A file that passed the checks but trips the reader (XML of an unexpected shape) is
        # still the user's file, not our error page: log it for us, tell them it cannot be read.
        logger.exception("could not read an uploaded .docx")
        raise ImportRefused(CORRUPT, "unreadable") from None


def parse_text(text: str) -> ParsedReport:
    return parse_blocks(read_text(text))


def parse_docx(data: bytes) -> ParsedReport:
    return parse_blocks(read_blocks("document.docx", data))


def parse_file(name: str, data: bytes) -> ParsedReport:
    return parse_blocks(read_blocks(name, data))


__all__ = [
    "Block", "ImportRefused", "MAX_UPLOAD_BYTES", "ParsedHeading", "ParsedReport", "ParsedSection", "ReportExists",
    "create_report", "parse_blocks", "parse_docx", "parse_file", "parse_text", "read_blocks",
]
