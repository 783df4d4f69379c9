"""Reading a frozen submission back as a document: the same model the live report prints from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reports.document.diffing import diff_paragraphs
from reports.document.model import REVIEW_MARK, Document, Paragraph, Run

if TYPE_CHECKING:
    from reports.models import Submission


def snapshot_document(submission: Submission) -> Document:
    return Document(
        paragraphs=[
            Paragraph(paragraph["kind"], tuple(Run(**run) for run in paragraph["runs"]), paragraph["ref"])
            for paragraph in submission.paragraphs
        ],
        mark=REVIEW_MARK,  # what was sent for review, whatever became of the report since
    )


def plain_paragraphs(document: Document) -> list[dict]:
    """A document's paragraphs as the comparison takes them (reports.document.diffing)."""
    return [{"kind": p.kind, "ref": p.ref, "text": p.text, "paragraph": p} for p in document.paragraphs]


def compare(previous: Submission, current: Submission) -> list[dict]:
    """The current submission against the previous one: each paragraph with its segments."""
    return diff_paragraphs(plain_paragraphs(snapshot_document(previous)), plain_paragraphs(snapshot_document(current)))
