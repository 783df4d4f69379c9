"""The 年度报告, started from the year's four quarters: what was reported once a quarter is not
typed again for the year.

- 主要做法 (and any other typed part): the quarters' headings with the same or nearly the same
  title are one heading; under it each item of every quarter, in quarter order, kept once when
  two quarters wrote the same words (a count written as the same measure prints the year's sum);
- the measures: each one's values added up over the quarters;
- 存在的主要问题: the ledger's entries of the year, each with its status;
- 下一步的打算: the last quarter's (Q4's) plans.

Only approved quarterly reports count: a draft may still change. The draft is then edited, reviewed
and approved like any report.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from reports.document.text import alike, clause, folded
from reports.drafting.starting import (
    bulk_create_started,
    create_report_row,
    create_started,
    standard_opening,
    standard_title,
)
from reports.errors import Refusal
from reports.labels import ANNUAL, QUARTER_NUMBERS, quarter_name, report_words
from reports.models import (
    APPROVED_STATUSES,
    GENERATED_SECTION_KINDS,
    Heading,
    Item,
    MeasureValue,
    Organization,
    Problem,
    Report,
    Section,
)

# Two headings are one when their titles share this much (加强理论武装 and 加强理论学习), or when one
# title begins with the whole of the other (深化理论学习 and 深化理论学习，把准正确方向).
SAME_HEADING = 0.8
SHORTEST_PREFIX = 4  # characters: a title of two or three (学习) is too general to stand for a longer one


class NothingToAssemble(Refusal):
    code = "no_quarters"


@dataclass
class Block:
    """A heading of the annual draft (or a section's own items, title None), its items once each."""

    title: str | None
    leads: list = field(default_factory=list)
    items: list = field(default_factory=list)
    _seen: set = field(default_factory=set)

    def add_lead(self, lead: str) -> None:
        if lead.strip() and folded(lead) not in {folded(text) for text in self.leads}:
            self.leads.append(lead.strip())

    def add_item(self, text: str) -> None:
        key = folded(text)
        if key and key not in self._seen:
            self._seen.add(key)
            self.items.append(text)


@dataclass
class Part:
    """A section of the annual draft: its kind and title, its own items, its headings merged."""

    kind: str
    title: str
    own: Block = field(default_factory=lambda: Block(None))
    headings: list = field(default_factory=list)

    def heading(self, title: str) -> Block:
        for block in self.headings:
            if same_heading(block.title, title):
                return block
        block = Block(title.strip())
        self.headings.append(block)
        return block


def same_heading(a: str, b: str) -> bool:
    shorter, longer = sorted((folded(a), folded(b)), key=len)
    return alike(a, b, SAME_HEADING) or (len(shorter) >= SHORTEST_PREFIX and longer.startswith(shorter))


def approved_quarters(organization: Organization, year: int) -> list[Report]:
    return list(Report.objects.filter(organization=organization, year=year, quarter__in=QUARTER_NUMBERS,
                                      status__in=APPROVED_STATUSES).order_by("quarter"))


def missing_quarters(quarters: list[Report]) -> list[int]:
    present = {report.quarter for report in quarters}
    return [quarter for quarter in QUARTER_NUMBERS if quarter not in present]


def merged_parts(quarters: list[Report]) -> list[Part]:
    """The typed sections of the quarters (all but 存在的主要问题 and 下一步的打算, which come from the
    ledger and the last quarter), one per kind and title, in the order first seen. Four queries."""
    sections = list(Section.objects.filter(report__in=quarters).exclude(
        kind__in=[Section.Kind.PROBLEMS, Section.Kind.NEXT_STEPS, *GENERATED_SECTION_KINDS])
        .order_by("report__quarter", "position"))
    headings = list(Heading.objects.filter(section__in=sections).order_by("position"))
    items = list(Item.objects.filter(section__in=sections).order_by("position"))
    parts, part_of = [], {}
    for section in sections:
        part = next((p for p in parts if p.kind == section.kind and
                     (section.kind == Section.Kind.PRACTICES or same_heading(p.title, section.title))), None)
        if part is None:
            part = Part(section.kind, section.title)
            parts.append(part)
        part_of[section.id] = part
        part.own.add_lead(section.lead)
    order = {section.id: index for index, section in enumerate(sections)}
    block_of = {}
    for heading in sorted(headings, key=lambda h: (order[h.section_id], h.position)):
        block = part_of[heading.section_id].heading(heading.title)
        block.add_lead(heading.lead)
        block_of[heading.id] = block
    for item in sorted(items, key=lambda i: (order[i.section_id], i.heading_id is not None, i.position)):
        block = block_of[item.heading_id] if item.heading_id else part_of[item.section_id].own
        block.add_item(item.text)
    return parts


def summed_measures(quarters: list[Report]) -> dict[int, Decimal | None]:
    """{measure id: the year's sum}: each measure used in a quarter, its values added up (None when
    no quarter has a value for it). One query."""
    sums = {}
    for measure_id, value in MeasureValue.objects.filter(report__in=quarters).values_list("measure_id", "value"):
        if value is None:
            sums.setdefault(measure_id, None)
        else:
            sums[measure_id] = (sums.get(measure_id) or Decimal(0)) + value
    return sums


def year_problems(organization: Organization, year: int) -> list[str]:
    """The ledger's entries of the year (found in it, or named by one of its quarters), each with
    its status as the report prints it: 委员队伍建设有待加强（整改中）。"""
    problems = (Problem.objects.filter(organization=organization)
                .filter(Q(found_year=year) | Q(mentions__report__year=year, mentions__report__quarter__isnull=False))
                .distinct().order_by("found_year", "found_quarter", "id"))
    return [f"{clause(problem.text)}（{report_words(Problem.Status(problem.status).label)}）。" for problem in problems]


def last_plans(quarters: list[Report]) -> list[str]:
    last = quarters[-1]
    return list(Item.objects.filter(section__report=last, section__kind=Section.Kind.NEXT_STEPS)
                .exclude(text="").order_by("section__position", "heading__position", "position")
                .values_list("text", flat=True))


@transaction.atomic
def assemble_annual(*, user: AbstractBaseUser, organization: Organization, year: int) -> Report:
    """The body's 年度报告 for `year`, drafted from its approved quarterly reports; NothingToAssemble
    when it has none, ReportExists when the annual report is there already."""
    quarters = approved_quarters(organization, year)
    if not quarters:
        raise NothingToAssemble(_("%(year)s年还没有已审定的季度报告，无法汇总。可以先从标准框架开始。") % {"year": year})
    last = quarters[-1]
    report = create_report_row(
        organization=organization, year=year, quarter=ANNUAL,
        title=standard_title(organization, year, ANNUAL), opening=standard_opening(organization, year, ANNUAL),
        addressee=last.addressee, closing=last.closing, signature_name=last.signature_name or organization.name,
        items_layout=last.items_layout, signature_layout=last.signature_layout, created_by=user, updated_by=user,
    )
    parts = merged_parts(quarters)
    practices = [part for part in parts if part.kind == Section.Kind.PRACTICES] or [Part(Section.Kind.PRACTICES, "主要做法")]
    others = [part for part in parts if part.kind != Section.Kind.PRACTICES]
    problems = Part(Section.Kind.PROBLEMS, "存在的主要问题")
    for text in year_problems(organization, year):
        problems.own.add_item(text)
    plans = Part(Section.Kind.NEXT_STEPS, "下一步的打算")
    for text in last_plans(quarters):
        plans.own.add_item(text)

    items = []
    for position, part in enumerate([*practices, *others, problems, plans], 1):
        section = create_started(Section, report=report, kind=part.kind, title=part.title,
                                 lead="\n".join(part.own.leads), position=position)
        items += [Item(section=section, text=text, position=index) for index, text in enumerate(part.own.items, 1)]
        for heading_position, block in enumerate(part.headings, 1):
            heading = create_started(Heading, section=section, title=block.title, lead="\n".join(block.leads),
                                     position=heading_position)
            items += [Item(section=section, heading=heading, text=text, position=index)
                      for index, text in enumerate(block.items, 1)]
    bulk_create_started(Item, items)
    MeasureValue.objects.bulk_create(MeasureValue(report=report, measure_id=measure_id, value=value)
                                     for measure_id, value in summed_measures(quarters).items())
    return report


def quarter_list(quarters: list[int]) -> str:
    """Quarters named in a message, in the reader's language: 第一季度、第二季度."""
    return pgettext("alternatives", "、").join(quarter_name(quarter) for quarter in quarters)
