"""Starting a quarter's report: from the standard skeleton or as a copy of an earlier quarter."""

from collections.abc import Iterable
from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from reports.labels import period_text
from reports.models import Heading, Item, MeasureValue, Organization, Report, Section
from reports.tracking import deadlines

SKELETON_SECTIONS = [
    (Section.Kind.PRACTICES, "主要做法"),
    (Section.Kind.PROBLEMS, "存在的主要问题"),
    (Section.Kind.NEXT_STEPS, "下一步的打算"),
]


def standard_title(organization: Organization, year: int, quarter: int) -> str:
    return f"{organization.name}{period_text(year, quarter)}履行全面从严治党主体责任情况报告"


def standard_opening(organization: Organization, year: int, quarter: int) -> str:
    return f"按要求，现将{organization.name}{period_text(year, quarter)}履行全面从严治党主体责任情况报告如下。"


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def next_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter + 1) if quarter < 4 else (year + 1, 1)


def default_quarter(today: date) -> tuple[int, int]:
    """The quarter a drafter most likely means: in the first month of a quarter reports on the
    quarter just ended are being written (they are due about ten days after it ends)."""
    quarter = (today.month - 1) // 3 + 1
    if today.month in (1, 4, 7, 10):
        return previous_quarter(today.year, quarter)
    return today.year, quarter


class ReportExists(Exception):
    """The body already has a report for this quarter: `report`, to be opened instead."""

    def __init__(self, report):
        super().__init__(report)
        self.report = report


def moved_to_period(text: str, *, old: tuple[int, int], new: tuple[int, int]) -> str:
    """A title or opening written for one quarter, for another: 2023年第一季度 → 2023年第二季度."""
    return text.replace(period_text(*old), period_text(*new))


def existing_report(*, organization: Organization, year: int, quarter: int) -> Report | None:
    """The body's report for the quarter, if it has one: a body has one report a quarter."""
    return Report.objects.filter(organization=organization, year=year, quarter=quarter).first()


# What a report starts with (its skeleton, the copied or imported parts) is recorded in the edit
# trail with this reason: the timeline shows the start as one entry, not one "新增" a part.
STARTED = "started"


def create_started(model: type[Section] | type[Heading], **fields: object) -> Section | Heading:
    """A section or heading made with the report."""
    part = model(**fields)
    part._change_reason = STARTED
    part.save()
    return part


def bulk_create_started(model: type[Section] | type[Item], parts: Iterable) -> list:
    """Parts made with the report, in one insert, each with its record in the edit trail (the
    base against which a later change is shown)."""
    return bulk_create_with_history(list(parts), model, default_change_reason=STARTED)


def create_report_row(*, organization: Organization, year: int, quarter: int, **fields: object) -> Report:
    """The Report row of the body's quarter, or ReportExists with the one already there.

    Every way of making a report (starting, copying, importing) creates its row here. A
    colleague's request may create the same quarter between the check and the insert: the
    unique constraint refuses the second row, and that too is ReportExists, not an error. The
    insert has a savepoint of its own, so the caller's transaction goes on to raise it."""
    existing = existing_report(organization=organization, year=year, quarter=quarter)
    if existing is not None:
        raise ReportExists(existing)
    try:
        with transaction.atomic():
            report = Report(organization=organization, year=year, quarter=quarter, **fields)
            report._change_reason = STARTED
            report.save(force_insert=True)
            _compare_after_commit(report)
            return report
    except IntegrityError:
        existing = existing_report(organization=organization, year=year, quarter=quarter)
        if existing is not None:
            raise ReportExists(existing) from None
        raise


def _compare_after_commit(report):
    # Imported here: the quality check reads this module (next_quarter).
    from reports.quality.jobs import refresh_after_commit

    refresh_after_commit(report.pk)


@transaction.atomic
def start_report(*, user: AbstractBaseUser, organization: Organization, year: int, quarter: int,
                 copy_from: Report | None = None) -> Report:
    """Create the body's report for the quarter; raises ReportExists rather than duplicate one,
    and PeriodClosed (reports.tracking.deadlines) when the body's input for it is closed.

    A copy takes all text and structure of `copy_from` (same body) and the same measures
    without values; the period in the title and opening is moved to the new quarter.
    """
    if copy_from is not None and copy_from.organization_id != organization.id:
        raise ValueError("copy_from must be a report of the same body")
    if existing_report(organization=organization, year=year, quarter=quarter) is None:
        deadlines.check_open(organization.id, year, quarter, deadlines.local_date(timezone.now()))
    if copy_from is None:
        report = create_report_row(
            organization=organization,
            year=year,
            quarter=quarter,
            title=standard_title(organization, year, quarter),
            opening=standard_opening(organization, year, quarter),
            signature_name=organization.name,
            created_by=user,
            updated_by=user,
        )
        bulk_create_started(Section, (
            Section(report=report, kind=kind, title=title, position=position)
            for position, (kind, title) in enumerate(SKELETON_SECTIONS, 1)
        ))
        return report
    return _copy(copy_from, user=user, year=year, quarter=quarter)


def _copy(source, *, user, year, quarter):
    periods = {"old": (source.year, source.quarter), "new": (year, quarter)}
    report = create_report_row(
        organization=source.organization,
        year=year,
        quarter=quarter,
        title=moved_to_period(source.title, **periods),
        addressee=source.addressee,
        opening=moved_to_period(source.opening, **periods),
        closing=source.closing,
        signature_name=source.signature_name,
        items_layout=source.items_layout,
        signature_layout=source.signature_layout,
        lists_attachments=source.lists_attachments,  # the body's choice; the files are the new quarter's own
        created_by=user,
        updated_by=user,
    )
    sections = list(source.sections.all())
    headings = list(Heading.objects.filter(section__report=source))
    items = list(Item.objects.filter(section__report=source))
    new_sections = {}
    for section in sections:
        new_sections[section.id] = create_started(
            Section, report=report, kind=section.kind, title=section.title, lead=section.lead, position=section.position
        )
    new_headings = {}
    for heading in headings:
        new_headings[heading.id] = create_started(
            Heading, section=new_sections[heading.section_id], title=heading.title, lead=heading.lead,
            position=heading.position,
        )
    bulk_create_started(Item, (
        Item(
            section=new_sections[item.section_id],
            heading=new_headings.get(item.heading_id),
            text=item.text,
            position=item.position,
        )
        for item in items
    ))
    MeasureValue.objects.bulk_create(
        MeasureValue(report=report, measure_id=measure_id, value=None)
        for measure_id in source.measure_values.values_list("measure_id", flat=True)
    )
    return report


def previous_report(report: Report) -> Report | None:
    """The same body's report of the quarter before (last year's Q4 before a Q1); an annual report
    has none (it is assembled from its quarters instead)."""
    if report.annual:
        return None
    year, quarter = previous_quarter(report.year, report.quarter)
    return Report.objects.filter(organization_id=report.organization_id, year=year, quarter=quarter).first()


def section_texts(report: Report, kind: str) -> list[str]:
    """The leads and items of the report's sections of `kind`, as plain texts in print order
    (measures shown by name): what a later quarter reads of them. Two queries, three with measures."""
    from reports.document.tokens import TOKEN_RE, tokens_to_names

    leads = [lead for lead in Section.objects.filter(report=report, kind=kind).order_by("position")
             .values_list("lead", flat=True) if lead.strip()]
    items = Item.objects.filter(section__report=report, section__kind=kind).order_by(
        "section__position", "heading__position", "position"
    )
    texts = leads + [text for text in items.values_list("text", flat=True) if text.strip()]
    if any(TOKEN_RE.search(text) for text in texts):
        names = dict(report.measure_values.values_list("measure_id", "measure__name"))
        texts = [tokens_to_names(text, names) for text in texts]
    return texts


def previous_problems(report: Report) -> tuple[Report | None, list[str]]:
    """The previous quarter's 存在的主要问题 of the same body, as plain texts, so that this
    quarter's practices and next steps can answer them."""
    previous = previous_report(report)
    if previous is None:
        return None, []
    return previous, section_texts(previous, Section.Kind.PROBLEMS)
