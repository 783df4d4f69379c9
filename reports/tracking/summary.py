"""统计数汇总: the measures of the overseen bodies' reports added up per quarter, for the page and
the .xlsx. Derived on every request from MeasureValue, never stored, so a sum cannot disagree
with the reports it comes from.

Only approved reports count by default: a submitted report may still be returned and its figures
changed. `include_submitted=True` counts submitted ones as well. Drafts and returned reports never
count.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Max, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from reports.labels import quarter_name
from reports.models import APPROVED_STATUSES, MeasureValue, Organization, Report
from reports.tracking.deadlines import QUARTER_NUMBERS
from reports.tracking.scope import overseen_ids


def counted_statuses(include_submitted: bool = False) -> list[Report.Status]:
    statuses = list(APPROVED_STATUSES)
    if include_submitted:
        statuses.append(Report.Status.SUBMITTED)
    return statuses


def scope_note(include_submitted: bool = False) -> str:
    return _("统计已审定和已提交的报告") if include_submitted else _("仅统计已审定的报告")


def as_number(value: Decimal | None) -> int | float | None:
    """Decimal('3.00') → 3, Decimal('2.50') → 2.5, None stays None: a figure for a spreadsheet
    cell or a chart, as the drafter typed it."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass
class MeasureSum:
    """One measure's figures per quarter (a sum over bodies, or one body's value)."""

    measure_id: int
    name: str
    unit: str
    # The body a measure of its own belongs to; None for a measure common to all bodies.
    owner: str | None = None
    quarters: dict = field(default_factory=lambda: dict.fromkeys(QUARTER_NUMBERS))

    @property
    def label(self):
        return f"{self.name}（{self.owner}）" if self.owner else self.name

    @property
    def values(self):
        return [self.quarters[quarter] for quarter in QUARTER_NUMBERS]

    @property
    def total(self):
        """全年累计: the quarters that have a figure, added up; None when none has."""
        present = [value for value in self.values if value is not None]
        return sum(present, Decimal(0)) if present else None


@dataclass
class BodyMeasureRow(MeasureSum):
    body: str = ""


def bodies_with_values(user: AbstractBaseUser, measure_id: int, year: int, include_submitted: bool = False, *,
                       body_ids: set[int]) -> QuerySet[Organization]:
    """The overseen bodies that gave a counted value of this measure in the year, by name: the
    rows of the measure's drill-down, paged in SQL so that a page costs its rows, not the tree."""
    values = counted_values(user, year, include_submitted, body_ids=body_ids).filter(measure_id=measure_id)
    return Organization.objects.filter(id__in=values.values("report__organization_id")).order_by("name")


def values_by_body(user: AbstractBaseUser, measure_id: int, year: int, bodies: list[Organization],
                   include_submitted: bool = False) -> list[BodyMeasureRow]:
    """One row per body (in the order given) with its value of the measure for each quarter. One query."""
    rows = {body.id: BodyMeasureRow(measure_id, "", "", body=body.name) for body in bodies}
    values = (
        counted_values(user, year, include_submitted, body_ids=set(rows))
        .filter(measure_id=measure_id)
        .values_list("report__organization_id", "report__quarter", "value")
        .order_by()
    )
    for body_id, quarter, value in values:
        rows[body_id].quarters[quarter] = value
    return list(rows.values())


def counted_values(user: AbstractBaseUser, year: int, include_submitted: bool = False, *,
                   body_ids: set[int] | None = None) -> QuerySet[MeasureValue]:
    """The MeasureValues that count: those of the overseen bodies' counted quarterly reports of
    the year (an annual report's figures are its quarters' again: counting them would count twice).
    `body_ids` spares a page that already has overseen_ids(user) from computing it again."""
    return MeasureValue.objects.filter(
        report__organization_id__in=overseen_ids(user) if body_ids is None else body_ids,
        report__year=year,
        report__quarter__isnull=False,
        report__status__in=counted_statuses(include_submitted),
    )


def measure_sums(user: AbstractBaseUser, year: int, include_submitted: bool = False, *,
                 body_ids: set[int] | None = None) -> list[MeasureSum]:
    """Each measure used in the counted reports with its sum across bodies per quarter, ordered
    by name. One aggregate query (GROUP BY measure, quarter), whatever the number of bodies;
    name, unit and owner come along in the same query (they depend on the measure)."""
    rows = (
        counted_values(user, year, include_submitted, body_ids=body_ids)
        .values("measure", "measure__name", "measure__unit", "measure__organization__name", "report__quarter")
        .annotate(total=Sum("value"))
        .order_by()
    )
    sums = {}
    for row in rows:
        entry = sums.setdefault(
            row["measure"],
            MeasureSum(row["measure"], row["measure__name"], row["measure__unit"], row["measure__organization__name"]),
        )
        entry.quarters[row["report__quarter"]] = row["total"]
    return sorted(sums.values(), key=lambda entry: (entry.name, entry.unit, entry.owner or "", entry.measure_id))


def latest_counted_year(body_ids: set[int], include_submitted: bool = False) -> int | None:
    """The last year in which any of these bodies has a report the sums count, None if none:
    where the summary opens when no year is asked for, rather than on an empty current year."""
    return (
        Report.objects.filter(organization_id__in=body_ids, status__in=counted_statuses(include_submitted))
        .order_by()
        .aggregate(latest=Max("year"))["latest"]
    )


def report_counts(user: AbstractBaseUser, year: int, include_submitted: bool = False, *,
                  body_ids: set[int] | None = None) -> dict[int, int]:
    """{quarter: number of reports counted}: how complete each quarter's sums are. One query."""
    counts = dict.fromkeys(QUARTER_NUMBERS, 0)
    counts.update(
        Report.objects.filter(
            organization_id__in=overseen_ids(user) if body_ids is None else body_ids,
            year=year, quarter__isnull=False, status__in=counted_statuses(include_submitted)
        )
        .values_list("quarter")
        .annotate(count=Count("id"))
        .order_by()
    )
    return counts


def measure_rows_by_body(user: AbstractBaseUser, year: int, include_submitted: bool = False, *,
                         body_ids: set[int] | None = None) -> list[BodyMeasureRow]:
    """Body × measure, with the body's value for each quarter: the detail behind the sums.
    One query; ordered by body, then measure."""
    rows = (
        counted_values(user, year, include_submitted, body_ids=body_ids)
        .values(
            "report__organization__name", "measure", "measure__name", "measure__unit", "report__quarter", "value",
        )
        .order_by()
    )
    found = {}
    for row in rows:
        key = (row["report__organization__name"], row["measure"])
        entry = found.setdefault(
            key,
            BodyMeasureRow(
                row["measure"], row["measure__name"], row["measure__unit"],
                # A body's own measure needs no owner beside the body's own name.
                None, body=row["report__organization__name"],
            ),
        )
        entry.quarters[row["report__quarter"]] = row["value"]
    return sorted(found.values(), key=lambda entry: (entry.body, entry.name, entry.unit, entry.measure_id))


# ---- The workbook -------------------------------------------------------------------------

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E5E7EB")
TITLE_FONT = Font(bold=True, size=14)


def _quarter_headers():
    return [quarter_name(quarter) for quarter in QUARTER_NUMBERS] + [_("全年累计")]


def write_sheet(sheet, title, headers, rows, widths):
    """A title row, a bold frozen header, then rows of text and numbers (numbers as numbers)."""
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = TITLE_FONT
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 24
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        sheet.append(row)
        # Text is text: openpyxl would store a typed name beginning with "=" as a formula, which
        # the overseer's spreadsheet program would then run.
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"  # title and header stay in view while scrolling


def summary_workbook(user: AbstractBaseUser, year: int, include_submitted: bool = False) -> Workbook:
    """Sheet 汇总: one row per measure with its quarterly sums and the year's total; sheet
    分单位明细: the same per body. Figures are numeric cells (int when whole)."""
    note = scope_note(include_submitted)
    body_ids = overseen_ids(user)
    workbook = Workbook()

    summary = workbook.active
    summary.title = _("汇总")
    write_sheet(
        summary,
        _("%(year)s年统计数汇总（%(note)s）") % {"year": year, "note": note},
        [_("统计指标"), pgettext("measure unit", "单位"), *_quarter_headers()],
        [
            [entry.label, entry.unit, *map(as_number, entry.values), as_number(entry.total)]
            for entry in measure_sums(user, year, include_submitted, body_ids=body_ids)
        ],
        [36, 8, 12, 12, 12, 12, 12],
    )

    detail = workbook.create_sheet(_("分单位明细"))
    write_sheet(
        detail,
        _("%(year)s年统计数分单位明细（%(note)s）") % {"year": year, "note": note},
        [_("填报单位"), _("统计指标"), pgettext("measure unit", "单位"), *_quarter_headers()],
        [
            [entry.body, entry.label, entry.unit, *map(as_number, entry.values), as_number(entry.total)]
            for entry in measure_rows_by_body(user, year, include_submitted, body_ids=body_ids)
        ],
        [24, 36, 8, 12, 12, 12, 12, 12],
    )
    if detail.max_row > 2:
        detail.auto_filter.ref = f"A2:{get_column_letter(detail.max_column)}{detail.max_row}"
    return workbook
