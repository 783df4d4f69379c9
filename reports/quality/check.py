"""The report's quality check: one list of findings for the drafter's panel, the submission, the
reviewer, the overseer and `manage.py check_report`.

A finding names its place as the reader names it (reports.document.parts: "一、（一）二是",
"成文日期"). `blocking` findings are what the check panel has always refused a submission for
(a placeholder, an empty figure, a missing date…: reports.drafting.checks); the others are
warnings the drafter weighs: text copied from an earlier report or another body's
(reports.quality.copies), a period or a date that is not the report's own, and figures far from
usual or breaking a rule (reports.quality.figures), which are submitted only with a 说明.

The whole check takes a constant number of queries, however many reports there are to compare with.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from reports.document.model import Document, build_document
from reports.document.parts import OWN_PARTS, text_parts
from reports.drafting import checks
from reports.models import CopiedShares, Report
from reports.quality import copies, figures
from reports.quality.figures import plain_number

COPIED_PREVIOUS, COPIED_PEER = "copied_previous", "copied_peer"
STALE_PERIOD, STALE_DATE = "stale_period", "stale_date"
PLACEHOLDER, MISSING_MEASURE, MISSING_DATE = "placeholder", "missing_measure", "missing_date"
EMPTY, PLAN_UNANSWERED, EVIDENCE_MISSING = "empty", "plan_unanswered", "evidence_missing"
MEASURE_OUTLIER, MEASURE_RULE = "measure_outlier", "measure_rule"
# The order findings are listed in (within a kind, the order of the text): what was copied first,
# as the reader of a copied report wants to know it before the blanks.
ORDER = (COPIED_PREVIOUS, COPIED_PEER, STALE_PERIOD, STALE_DATE, PLACEHOLDER, MISSING_MEASURE, EMPTY, MISSING_DATE,
         PLAN_UNANSWERED, EVIDENCE_MISSING, MEASURE_OUTLIER, MEASURE_RULE)
# The fields each kind of finding prints in the stable JSON, after "kind" and "part".
JSON_FIELDS = {
    COPIED_PREVIOUS: ("similarity", "source"),
    COPIED_PEER: ("similarity",),
    STALE_PERIOD: ("text",),
    STALE_DATE: ("text",),
    PLACEHOLDER: ("text",),
    MISSING_MEASURE: ("measure",),
    EMPTY: (),
    MISSING_DATE: (),
    PLAN_UNANSWERED: ("text",),
    EVIDENCE_MISSING: ("measure",),
    MEASURE_OUTLIER: ("measure", "value", "reference"),
    MEASURE_RULE: ("measure", "text", "value", "reference"),
}
# The figures a submission asks a 说明 for.
EXPLAINED_KINDS = (MEASURE_OUTLIER, MEASURE_RULE)
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
    excerpt: str = ""  # the text around it, for the panel
    measure_id: int | None = None
    copy: copies.Copy | None = None  # what a copied part is like: for the overseer only, never the drafter
    figure: figures.Figure | None = None  # a figure to explain, with its 说明 if given

    @property
    def explained(self) -> bool:
        return self.figure is not None and self.figure.explained

    def as_json(self) -> dict:
        data = {"kind": self.kind}
        if self.part:
            data["part"] = self.part
        for name in JSON_FIELDS[self.kind]:
            data[name] = getattr(self, name)
        data["blocking"] = self.blocking
        return data


@dataclass
class Quality(CopiedShares):
    report: Report
    findings: list[Finding]
    comparison: copies.Comparison

    @property
    def previous_share(self) -> float:
        """The share of the written text (in characters) copied from the body's earlier reports."""
        return self.comparison.share(copies.PREVIOUS)

    @property
    def peer_share(self) -> float:
        return self.comparison.share(copies.PEER)

    @property
    def copies(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.kind in (COPIED_PREVIOUS, COPIED_PEER)]

    @property
    def dated(self) -> list[Finding]:
        """Text naming another period, or a date before this one's."""
        return [finding for finding in self.findings if finding.kind in (STALE_PERIOD, STALE_DATE)]

    @property
    def figures(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.kind in EXPLAINED_KINDS]

    @property
    def to_explain(self) -> list[dict]:
        """One row a measure to explain (an outlier may break a rule too): what is wrong, its 说明."""
        rows = {}
        for finding in self.figures:
            row = rows.setdefault(finding.measure_id, {"measure_id": finding.measure_id, "name": finding.measure,
                                                       "value_id": finding.figure.value.pk, "messages": [],
                                                       "note": finding.figure.value.note})
            row["messages"].append(finding.message)
        return list(rows.values())

    @property
    def unexplained(self) -> list[Finding]:
        return [finding for finding in self.figures if not finding.explained]

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
        checks.OTHER_PERIOD: STALE_PERIOD, checks.EARLIER_DATE: STALE_DATE, checks.PLAN_UNANSWERED: PLAN_UNANSWERED,
        checks.EVIDENCE_MISSING: EVIDENCE_MISSING,
    }[problem.kind]


def _finding(problem: checks.Problem, labels: _Labels, *, blocking: bool) -> Finding:
    kind = _kind_of(problem)
    in_text = problem.ref not in (checks.MEASURES_REF, checks.PLANS_REF, checks.EVIDENCE_REF)
    measure = problem.subject if kind in (MISSING_MEASURE, EVIDENCE_MISSING) else ""
    text = problem.subject if kind in (PLACEHOLDER, STALE_PERIOD, STALE_DATE, PLAN_UNANSWERED) else ""
    return Finding(kind, blocking, str(problem.message), part=labels.of(problem) if in_text else "",
                   ref=problem.ref if in_text else "", text=text, measure=measure, excerpt=problem.excerpt,
                   measure_id=problem.measure_id)


def _copied(copy: copies.Copy) -> Finding:
    percent = round(copy.similarity * 100)
    if copy.kind == copies.PREVIOUS:
        message = _("%(place)s：与%(period)s报告的文字 %(percent)d%% 相同") % {
            "place": copy.part.label, "period": copy.source.period, "percent": percent}
        return Finding(COPIED_PREVIOUS, False, message, part=copy.part.label, ref=copy.part.ref,
                       similarity=round(copy.similarity, 2), source=copy.source.period, copy=copy)
    message = _("%(place)s：与本期其他单位报告的文字 %(percent)d%% 相同") % {"place": copy.part.label, "percent": percent}
    return Finding(COPIED_PEER, False, message, part=copy.part.label, ref=copy.part.ref,
                   similarity=round(copy.similarity, 2), copy=copy)


def _figure(figure: figures.Figure) -> Finding:
    value, measure = figure.value, figure.value.measure
    numbers = {"name": measure.name, "value": plain_number(value.value), "reference": plain_number(figure.reference),
               "unit": measure.unit}
    if figure.kind == figures.RULE:
        rule = figure.rule
        numbers.update(operator=rule.get_operator_display(), other=rule.right.name)
        message = _("统计数“%(name)s”（%(value)s）应 %(operator)s “%(other)s”（%(reference)s），请核对或说明") % numbers
        return Finding(MEASURE_RULE, False, message, text=str(rule), measure=measure.name, measure_id=measure.pk,
                       value=numbers["value"], reference=numbers["reference"], figure=figure)
    if figure.last_year:
        message = _("统计数“%(name)s”为 %(value)s%(unit)s，去年同期为 %(reference)s%(unit)s，请核对或说明") % numbers
    else:
        message = _("统计数“%(name)s”为 %(value)s%(unit)s，本单位以往通常为 %(reference)s%(unit)s，请核对或说明") % numbers
    return Finding(MEASURE_OUTLIER, False, message, measure=measure.name, measure_id=measure.pk,
                   value=numbers["value"], reference=numbers["reference"], figure=figure)


def check_report(report: Report, document: Document | None = None, *, measure_values=None,
                 stock: copies.StockPhrases | None = None) -> Quality:
    """Everything the check finds in the report as it now stands. Pass the `document` and the
    report's MeasureValues (with their measures) if the page has them already."""
    document = document or build_document(report)
    if measure_values is None:
        measure_values = list(report.measure_values.select_related("measure"))
    labels = _Labels(document)
    comparison = copies.compare(report, document, stock=stock)
    findings = ([_copied(copy) for copy in comparison.copies]
                + [_finding(problem, labels, blocking=True)
                   for problem in checks.find_problems(report, document, measure_values=measure_values)]
                + [_finding(problem, labels, blocking=False) for problem in checks.find_warnings(report, document)]
                + [_figure(figure) for figure in figures.to_explain(report, measure_values)])
    rank = {kind: index for index, kind in enumerate(ORDER)}
    findings.sort(key=lambda finding: rank[finding.kind])  # stable: each kind keeps the text's order
    return Quality(report, findings, comparison)
