"""What a file can be the evidence of: the claims of a report, each named as its reader finds it.

A claim is named by a target string, as a comment names its part: "" the report as a whole,
"item-12" an item, "measure-3" a measure's value (the catalogue's measure, so the evidence stays
when the value is typed again), "problem-5" a ledger entry's 整改情况. The claims come in the order
the report prints them; evidence whose claim is gone (an item deleted since) keeps a claim of its
own, so that no upload is ever hidden from the people who can delete it.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from reports.document.model import Document, build_document
from reports.document.text import shortened
from reports.drafting.checks import part_places
from reports.models import Evidence, Item, Measure, MeasureValue, Problem, Report
from reports.tracking import carried, ledger

WHOLE = ""
EXCERPT = 24
KINDS = ("item", "measure", "problem")


@dataclass(frozen=True)
class Claim:
    target: str
    place: str  # where it is: 整份报告, 一、主要做法 （一） 二是, 统计数, 问题整改
    text: str = ""  # what it says, shortened

    @property
    def kind(self) -> str:
        return self.target.partition("-")[0] if self.target else "report"

    @property
    def label(self) -> str:
        return f"{self.place}：{self.text}" if self.text else self.place

    @property
    def anchor(self) -> str:
        return f"evidence-{self.target or 'report'}"


def parse(target: str) -> tuple[str, int] | None:
    """("item", 12) for "item-12", ("report", 0) for the whole report, None for anything else."""
    if target == WHOLE:
        return "report", 0
    kind, _sep, number = target.partition("-")
    if kind in KINDS and number.isdigit() and not number.startswith("0"):
        return kind, int(number)
    return None


def report_claims(report: Report, document: Document | None = None) -> list[Claim]:
    """Every claim the report makes now that a file can support, in print order."""
    document = document or build_document(report)
    places = part_places(document)
    items = {f"item-{item.pk}": item.text for item in Item.objects.filter(section__report=report)}
    claims = [Claim(WHOLE, _("整份报告"))]
    seen = set()
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            if run.ref in items and run.ref not in seen:
                seen.add(run.ref)
                claims.append(Claim(run.ref, places.get(run.ref) or _("条目"), shortened(_plain(items[run.ref]), EXCERPT)))
    values = MeasureValue.objects.filter(report=report).select_related("measure").order_by("measure__name", "id")
    claims += [Claim(f"measure-{value.measure_id}", _("统计数"), str(value.measure)) for value in values]
    problems = [row.problem for row in carried.rectified(report)]
    if not report.annual:
        problems += list(ledger.found_now(report).exclude(id__in=[problem.pk for problem in problems]).order_by("id"))
    claims += [Claim(f"problem-{problem.pk}", _("问题整改"), shortened(problem.text, EXCERPT)) for problem in problems]
    return claims


def _plain(text: str) -> str:
    from reports.document.tokens import TOKEN_RE

    return TOKEN_RE.sub("□", text)


def described(target: str) -> Claim:
    """The claim a target names, read from its item, measure or entry wherever it is: for
    evidence whose claim this report no longer makes, and for another report's claims."""
    parsed = parse(target)
    kind, number = parsed if parsed else ("", 0)
    if kind == "report":
        return Claim(WHOLE, _("整份报告"))
    if kind == "measure":
        measure = Measure.objects.filter(pk=number).first()
        return Claim(target, _("统计数"), str(measure) if measure else "")
    if kind == "problem":
        problem = Problem.objects.filter(pk=number).first()
        return Claim(target, _("问题整改"), shortened(problem.text, EXCERPT) if problem else "")
    item = Item.objects.filter(pk=number).first() if kind == "item" else None
    if item is None:
        return Claim(target, _("已删除的条目"))
    return Claim(target, _("条目"), shortened(_plain(item.text), EXCERPT))


@dataclass
class Group:
    claim: Claim
    evidence: list[Evidence]


def grouped(report: Report, evidence: list[Evidence], claims: list[Claim] | None = None,
            *, empty: bool = False) -> list[Group]:
    """The report's evidence by claim, in print order; `empty` keeps the claims without any."""
    claims = report_claims(report) if claims is None else claims
    by_target: dict[str, list[Evidence]] = {}
    for item in evidence:
        by_target.setdefault(item.target, []).append(item)
    groups = [Group(claim, by_target.pop(claim.target, [])) for claim in claims]
    groups += [Group(described(target), items) for target, items in by_target.items()]
    return [group for group in groups if empty or group.evidence]
