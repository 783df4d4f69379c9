"""The report's quality check: one list of findings for the drafter's panel, the submission, the
reviewer, the overseer and `manage.py check_report`.

A finding names its place as the reader names it (reports.document.parts: "一、（一）二是",
"成文日期"). `blocking` findings are what the check panel has always refused a submission for
(a placeholder, an empty figure, a missing date…: reports.drafting.checks); the others are
warnings the drafter weighs (a period that is not the report's own).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reports.document.model import Document, build_document
from reports.document.parts import OWN_PARTS, text_parts
from reports.drafting import checks
from reports.models import Report

COPIED_PREVIOUS, COPIED_PEER = "copied_previous", "copied_peer"
STALE_PERIOD, PLACEHOLDER, MISSING_MEASURE, MISSING_DATE = "stale_period", "placeholder", "missing_measure", "missing_date"
EMPTY, PLAN_UNANSWERED, EVIDENCE_MISSING, MEASURE_OUTLIER = "empty", "plan_unanswered", "evidence_missing", "measure_outlier"
# The order findings are listed in (within a kind, the order of the text): what was copied first,
# as the reader of a copied report wants to know it before the blanks.
ORDER = (COPIED_PREVIOUS, COPIED_PEER, STALE_PERIOD, PLACEHOLDER, MISSING_MEASURE, EMPTY, MISSING_DATE,
         PLAN_UNANSWERED, EVIDENCE_MISSING, MEASURE_OUTLIER)
# The fields each kind of finding prints in the stable JSON, after "kind" and "part".
JSON_FIELDS = {
    COPIED_PREVIOUS: ("similarity", "source"),
    COPIED_PEER: ("similarity",),
    STALE_PERIOD: ("text",),
    PLACEHOLDER: ("text",),
    MISSING_MEASURE: ("measure",),
    EMPTY: (),
    MISSING_DATE: (),
    PLAN_UNANSWERED: ("text",),
    EVIDENCE_MISSING: ("measure",),
    MEASURE_OUTLIER: ("measure", "value", "reference"),
}
# The report's own parts by their ref in the document: (field, label); the signature's two by field.
OWN_FIELDS = {ref: (own_field, label) for ref, own_field, label in OWN_PARTS.values() if ref != "signature"}
SIGNATURE_LABELS = {own_field: label for ref, own_field, label in OWN_PARTS.values() if ref == "signature"}


@dataclass(frozen=True)
class Finding:
    kind: str
    blocking: bool
    message: str  # for the pages, in the reader's language
    part: str = ""  # "一、（一）二是"; "" for the report as a whole (a figure of the panel)
    ref: str = ""  # the editor's part, for a link
    text: str = ""
    measure: str = ""
    similarity: float | None = None
    source: str = ""
    value: object = None
    reference: object = None
    extra: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        data = {"kind": self.kind}
        if self.part:
            data["part"] = self.part
        for name in JSON_FIELDS[self.kind]:
            data[name] = getattr(self, name)
        data["blocking"] = self.blocking
        return data


@dataclass
class Quality:
    report: Report
    findings: list[Finding]

    @property
    def blocking(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.blocking]

    @property
    def warnings(self) -> list[Finding]:
        return [finding for finding in self.findings if not finding.blocking]

    def as_json(self) -> dict:
        return {"report": self.report.pk, "blocking": len(self.blocking), "warnings": len(self.warnings),
                "findings": [finding.as_json() for finding in self.findings]}


class _Labels:
    """Where a problem of reports.drafting.checks stands, as a part's label."""

    def __init__(self, document: Document):
        self.parts = {part.key: part for part in text_parts(document, empty=True)}
        self.first = {}
        for part in self.parts.values():
            self.first.setdefault(part.ref, part)

    def of(self, problem: checks.Problem) -> str:
        if problem.ref in OWN_FIELDS:
            return OWN_FIELDS[problem.ref][1]
        if problem.ref == "signature":
            return SIGNATURE_LABELS.get(problem.field, SIGNATURE_LABELS["signature_name"])
        part = self.parts.get((problem.ref, problem.field)) or self.first.get(problem.ref)
        return part.label if part else ""


def _kind_of(problem: checks.Problem) -> str:
    if problem.kind == checks.EMPTY and problem.field == "signature_date":
        return MISSING_DATE
    return {
        checks.PLACEHOLDER: PLACEHOLDER, checks.MEASURE_MISSING: MISSING_MEASURE, checks.EMPTY: EMPTY,
        checks.OTHER_PERIOD: STALE_PERIOD, checks.PLAN_UNANSWERED: PLAN_UNANSWERED,
        checks.EVIDENCE_MISSING: EVIDENCE_MISSING,
    }[problem.kind]


def _finding(problem: checks.Problem, labels: _Labels, *, blocking: bool) -> Finding:
    kind = _kind_of(problem)
    in_text = problem.ref not in (checks.MEASURES_REF, checks.PLANS_REF, checks.EVIDENCE_REF)
    measure = problem.subject if kind in (MISSING_MEASURE, EVIDENCE_MISSING) else ""
    text = problem.subject if kind in (PLACEHOLDER, STALE_PERIOD, PLAN_UNANSWERED) else ""
    return Finding(kind, blocking, str(problem.message), part=labels.of(problem) if in_text else "",
                   ref=problem.ref if in_text else "", text=text, measure=measure)


def check_report(report: Report, document: Document | None = None) -> Quality:
    """Everything the check finds in the report as it now stands."""
    document = document or build_document(report)
    labels = _Labels(document)
    findings = ([_finding(problem, labels, blocking=True) for problem in checks.find_problems(report, document)]
                + [_finding(problem, labels, blocking=False) for problem in checks.find_warnings(report, document)])
    rank = {kind: index for index, kind in enumerate(ORDER)}
    findings.sort(key=lambda finding: rank[finding.kind])  # stable: each kind keeps the text's order
    return Quality(report, findings)
