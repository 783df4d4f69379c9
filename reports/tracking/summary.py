"""统计数汇总: the measures of the overseen bodies' reports added up per quarter, for the page and
the .xlsx. The sums of 签收ed reports, what the page shows by default, are read from the sums kept
below each body (tallies), recounted after each 签收 and 撤销签收: a 签收ed report is locked, so
such a sum cannot disagree with the reports it comes from. Counting the reports not yet 签收ed as
well, whose figures may still change, the sums are added up from MeasureValue on each request. How
many reports and bodies a sum covers is read from the board's counts kept per subtree.

Only 已签收 (accepted) reports count by default: the supervising body has taken them in, and they
are locked. `include_unaccepted=True` (the page's ?all=1) counts the others that are on their way
as well, marked as such: approved ones waiting for 签收 and submitted ones still under review;
either may yet be returned and its figures changed. Drafts and returned reports never count.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from reports import tree
from reports.labels import quarter_name
from reports.models import MeasureValue, Organization, Report
from reports.tracking import tallies
from reports.tracking.board import natural_key
from reports.tracking.deadlines import QUARTER_NUMBERS
from reports.tracking.scope import Level, overseen, overseen_roots, with_bodies_below

ACCEPTED = Report.Status.ACCEPTED
UNACCEPTED_STATUSES = (Report.Status.APPROVED, Report.Status.SUBMITTED)
# A figure that comes from a report not yet 签收ed (a value left empty is no figure: it adds nothing).
UNACCEPTED_FIGURE = ~Q(report__status=ACCEPTED) & Q(value__isnull=False)


def counted_statuses(include_unaccepted: bool = False) -> list[Report.Status]:
    return [ACCEPTED, *UNACCEPTED_STATUSES] if include_unaccepted else [ACCEPTED]


def scope_note(include_unaccepted: bool = False) -> str:
    return _("统计已签收和未签收（已审定、审核中）的报告") if include_unaccepted else _("仅统计已签收的报告")


def unaccepted_note(count: int) -> str:
    return _("含未签收报告 %(count)d 份") % {"count": count}


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
    # The quarters whose figure includes a report not yet 签收ed (only when those are counted).
    unaccepted: set = field(default_factory=set)

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

    @property
    def cells(self):
        """(figure, whether it includes a report not yet 签收ed) for each quarter, as the page shows them."""
        return [(self.quarters[quarter], quarter in self.unaccepted) for quarter in QUARTER_NUMBERS]

    @property
    def includes_unaccepted(self):
        return bool(self.unaccepted)


@dataclass
class BodyMeasureRow(MeasureSum):
    body: str = ""


@dataclass
class ReportCount:
    """How many reports a quarter's figures come from, and how many of them are not yet 签收ed."""

    counted: int = 0
    unaccepted: int = 0


def bodies_with_values(user: AbstractBaseUser, measure_id: int, year: int, include_unaccepted: bool = False, *,
                       body_ids) -> QuerySet[Organization]:
    """The overseen bodies that gave a counted value of this measure in the year, by name: the
    rows of the measure's drill-down, paged in SQL so that a page costs its rows, not the tree."""
    values = counted_values(user, year, include_unaccepted, body_ids=body_ids).filter(measure_id=measure_id)
    return Organization.objects.filter(id__in=values.values("report__organization_id")).order_by("name")


def values_by_body(user: AbstractBaseUser, measure_id: int, year: int, bodies: list[Organization],
                   include_unaccepted: bool = False) -> list[BodyMeasureRow]:
    """One row per body (in the order given) with its value of the measure for each quarter. One query."""
    rows = {body.id: BodyMeasureRow(measure_id, "", "", body=body.name) for body in bodies}
    values = (
        counted_values(user, year, include_unaccepted, body_ids=set(rows))
        .filter(measure_id=measure_id)
        .values_list("report__organization_id", "report__quarter", "value", "report__status")
        .order_by()
    )
    for body_id, quarter, value, status in values:
        rows[body_id].quarters[quarter] = value
        if status != ACCEPTED and value is not None:
            rows[body_id].unaccepted.add(quarter)
    return list(rows.values())


def counted_values(user: AbstractBaseUser, year: int, include_unaccepted: bool = False, *,
                   body_ids=None) -> QuerySet[MeasureValue]:
    """The MeasureValues that count: those of the overseen bodies' counted quarterly reports of
    the year (an annual report's figures are its quarters' again: counting them would count twice).
    `body_ids` (ids, or a query of bodies such as scope.overseen(user)) spares a page that already
    has the scope from building it again."""
    return MeasureValue.objects.filter(
        report__organization__in=overseen(user) if body_ids is None else body_ids,
        report__year=year,
        report__quarter__isnull=False,
        report__status__in=counted_statuses(include_unaccepted),
    )


def measure_sums(user: AbstractBaseUser, year: int, include_unaccepted: bool = False, *,
                 body_ids=None, level: Level | None = None) -> list[MeasureSum]:
    """Each measure used in the counted reports with its sum across bodies per quarter, ordered
    by name. One aggregate query (GROUP BY measure, quarter), whatever the number of bodies;
    name, unit and owner come along in the same query (they depend on the measure), and so does
    the number of reports not yet 签收ed in each sum.

    With the page's `level` (whose overseen bodies are `body_ids`) and only 签收ed reports counted,
    the sums kept below its bodies (tallies) are read instead, and only a group's own figures are
    added up: two queries of a row per measure and quarter, whatever lies below. A 签收ed report is
    locked, so the sums kept say what adding up would."""
    fields = ("measure", "measure__name", "measure__unit", "measure__organization__name", "report__quarter")
    if level is not None and not include_unaccepted:
        own = [] if level.group is None else [level.group.pk]
        rows = [*({**row, "report__quarter": row["quarter"], "unaccepted": 0}
                  for row in tallies.measure_totals(level.tally_nodes(), year)),
                *(counted_values(user, year, body_ids=own).values(*fields).annotate(total=Sum("value"), unaccepted=Value(0))
                  .order_by() if own else [])]
    else:
        rows = (
            counted_values(user, year, include_unaccepted, body_ids=body_ids)
            .values(*fields)
            .annotate(total=Sum("value"), unaccepted=Count("id", filter=UNACCEPTED_FIGURE))
            .order_by()
        )
    sums = {}
    for row in rows:
        entry = sums.setdefault(
            row["measure"],
            MeasureSum(row["measure"], row["measure__name"], row["measure__unit"], row["measure__organization__name"]),
        )
        _add(entry, row["report__quarter"], row["total"])
        if row["unaccepted"]:
            entry.unaccepted.add(row["report__quarter"])
    return sorted(sums.values(), key=lambda entry: (entry.name, entry.unit, entry.owner or "", entry.measure_id))


def _add(entry: MeasureSum, quarter: int, total: Decimal | None) -> None:
    """A sum into a quarter of the entry, which may already hold another part of it (a group's own
    figures beside those kept below it); a sum of empty figures is no figure."""
    if total is not None:
        entry.quarters[quarter] = total + (entry.quarters[quarter] or 0)


@dataclass
class ChildSum(MeasureSum):
    """A row of 按下级单位: one measure's figures per quarter for a body directly below the page's
    level, summed over its whole subtree (or the level's own figures, 本级)."""

    organization: Organization | None = None
    bodies: int = 0  # the reporting bodies of its subtree, counted as the board counts them
    has_below: bool = False  # its row links one level down
    own: bool = False  # the level's own figures, not a child's


def sums_per_child(user: AbstractBaseUser, year: int, measure: MeasureSum, level: Level,
                   include_unaccepted: bool = False, *, body_ids) -> list[ChildSum] | None:
    """The drill-down of one measure by the tree, as the board's (board.counts_per_child): a row per
    body directly below `level`, the ones with bodies below them first, each with its subtree's sum
    per quarter within `body_ids` (the overseen bodies of the level), and the level's own figures if
    it has any. None when no child has bodies below it: each body's own value (values_by_body) then
    says the same, a page at a time.

    Four queries whatever the number of bodies and the depth: the children, which of them have
    bodies below, the sums (SUM … GROUP BY the child's part of the path, quarter) and the reporting
    bodies per child (from the counts kept, tallies). Counting only 签收ed reports, five: the sums of
    the children with bodies below are read from the sums kept (tallies), and only the level's own
    figures and its other children's are added up. The rows add up to the measure's line of the
    page's table: every counted body of the level is the level itself or lies below one of its
    children."""
    children = level.children()
    below = with_bodies_below(children)
    if not below:
        return None
    rows = {body.path: ChildSum(measure.measure_id, measure.name, measure.unit, measure.owner, organization=body,
                                has_below=body.id in below) for body in children}
    own = None
    if level.body is not None:
        own = ChildSum(measure.measure_id, measure.name, measure.unit, measure.owner, organization=level.body, own=True)
    if include_unaccepted:
        key = tree.child_key(level.prefix, "report__organization__path")
        values = counted_values(user, year, include_unaccepted, body_ids=body_ids)
        entries = dict(rows)
        if own is not None:
            # The level's own reports have its path as their key: cut after the path, it is whole.
            entries[level.prefix] = own
    else:
        # Each child's own figures added up, and those below the children with bodies below them read.
        by_id = {row.organization.pk: row for row in rows.values()}
        for node, quarter, total in tallies.measure_totals(below, year, measure.measure_id):
            by_id[node].quarters[quarter] = total
        key = F("report__organization_id")
        mine = [*by_id] + ([level.body.pk] if own is not None else [])
        values = counted_values(user, year, body_ids=body_ids).filter(report__organization_id__in=mine)
        entries = dict(by_id)
        if own is not None:
            entries[level.body.pk] = own
    sums = (
        values.filter(measure_id=measure.measure_id)
        .annotate(key=key)
        .values("key", "report__quarter")
        .annotate(total=Sum("value"), unaccepted=Count("id", filter=UNACCEPTED_FIGURE))
        .order_by()
    )
    for row in sums:
        entry = entries.get(row["key"])
        if entry is None:
            continue
        _add(entry, row["report__quarter"], row["total"])
        if row["unaccepted"]:
            entry.unaccepted.add(row["report__quarter"])
    counted = tallies.reporting_counts(below)
    for row in rows.values():
        row.bodies = counted.get(row.organization.pk, 0)
    ordered = sorted(rows.values(), key=lambda row: (not row.has_below, natural_key(row.organization.name)))
    if own is not None and own.total is not None:
        ordered.insert(sum(row.has_below for row in ordered), own)  # 本级 heads the rows without a link
    return ordered


def latest_counted_year(nodes: list[int], include_unaccepted: bool = False) -> int | None:
    """The last year in which the subtrees of these bodies (Level.tally_nodes) have a report the
    sums count, None if none: where the summary opens when no year is asked for, rather than on an
    empty current year. One query on the counts kept (tallies)."""
    counted = Q(accepted__gt=0) | (Q(approved__gt=0) | Q(in_review__gt=0) if include_unaccepted else Q(pk__in=[]))
    return tallies.report_years(nodes, counted)[1]


def report_counts(nodes: list[int], year: int, include_unaccepted: bool = False) -> dict[int, ReportCount]:
    """{quarter: the reports counted, and of them not yet 签收ed}: how complete and how final each
    quarter's sums are, over the subtrees of these bodies (Level.tally_nodes). One query on the
    counts kept (tallies), which count the reporting bodies' reports, those whose figures are summed."""
    counts = {quarter: ReportCount() for quarter in QUARTER_NUMBERS}
    for quarter, row in tallies.period_totals(nodes, year).items():
        if quarter is None:
            continue
        unaccepted = row["approved"] + row["in_review"] if include_unaccepted else 0
        counts[quarter] = ReportCount(row["accepted"] + unaccepted, unaccepted)
    return counts


def measure_rows_by_body(user: AbstractBaseUser, year: int, include_unaccepted: bool = False, *,
                         body_ids=None):
    """Body × measure, with the body's value for each quarter: the detail behind the sums, one row
    at a time, by body and then measure. Ordered by the database and read in chunks, so that the
    workbook of a whole province never holds it in memory."""
    rows = (
        counted_values(user, year, include_unaccepted, body_ids=body_ids)
        .values_list("report__organization__name", "measure", "measure__name", "measure__unit", "report__quarter",
                     "value", "report__status")
        .order_by("report__organization__name", "measure__name", "measure__unit", "measure")
    )
    entry = None
    for body, measure_id, name, unit, quarter, value, status in rows.iterator(chunk_size=2000):
        if entry is None or (entry.body, entry.measure_id) != (body, measure_id):
            if entry is not None:
                yield entry
            entry = BodyMeasureRow(measure_id, name, unit, None, body=body)
        entry.quarters[quarter] = value
        if status != ACCEPTED and value is not None:
            entry.unaccepted.add(quarter)
    if entry is not None:
        yield entry


# ---- The workbook -------------------------------------------------------------------------

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E5E7EB")
TITLE_FONT = Font(bold=True, size=14)


def _quarter_headers():
    return [quarter_name(quarter) for quarter in QUARTER_NUMBERS] + [_("全年累计")]


def write_sheet(sheet, title, headers, rows, widths) -> int:
    """A title row, a bold frozen header, then rows of text and numbers (numbers as numbers), on a
    write-only sheet: each row goes to the file as it comes, so a province's detail (hundreds of
    thousands of rows) never sits in memory. Returns the number of rows written below the header."""
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"  # title and header stay in view while scrolling
    sheet.row_dimensions[1].height = 24
    title_cell = WriteOnlyCell(sheet, value=title)
    title_cell.font = TITLE_FONT
    title_cell.alignment = Alignment(horizontal="center", vertical="center")
    sheet.append([title_cell])
    sheet.merged_cells.add(f"A1:{get_column_letter(len(headers))}1")
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        sheet.append([_text_cell(sheet, value) if isinstance(value, str) else value for value in row])
        count += 1
    return count


def _text_cell(sheet, value: str) -> WriteOnlyCell:
    """Text is text: openpyxl would store a typed name beginning with "=" as a formula, which the
    overseer's spreadsheet program would then run."""
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def workbook_note(include_unaccepted: bool, counts: dict[int, ReportCount]) -> str:
    """What the sheets' title rows say they count."""
    if not include_unaccepted:
        return scope_note(False)
    return f"{scope_note(True)}，{unaccepted_note(sum(count.unaccepted for count in counts.values()))}"


def summary_workbook(user: AbstractBaseUser, year: int, include_unaccepted: bool = False,
                     level: Level | None = None) -> Workbook:
    """Sheet 汇总: one row per measure with its quarterly sums and the year's total; sheet
    分单位明细: the same per body. Figures are numeric cells (int when whole). Counting the reports
    not yet 签收ed, the title rows say how many there are and a last column marks the rows whose
    figures include them (a mark in a figure's cell would turn the number into text). With the
    `level` of a group (the page's ?group=), the group's subtree only, and the titles name it: a
    file passed on must say what it covers."""
    body_ids = overseen(user) if level is None else level.within(overseen(user))
    group = None if level is None else level.group
    nodes = overseen_roots(user) if level is None else level.tally_nodes()
    note = workbook_note(include_unaccepted, report_counts(nodes, year, include_unaccepted))
    marked = [_("含未签收报告")] if include_unaccepted else []
    workbook = Workbook(write_only=True)

    def mark(entry):
        return [_("是") if entry.includes_unaccepted else ""] if include_unaccepted else []

    summary = workbook.create_sheet(_("汇总"))
    write_sheet(
        summary,
        (_("%(year)s年统计数汇总（%(note)s）") % {"year": year, "note": note} if group is None else
         _("%(year)s年%(group)s所属单位统计数汇总（%(note)s）") % {"year": year, "group": group.name, "note": note}),
        [_("统计指标"), pgettext("measure unit", "单位"), *_quarter_headers(), *marked],
        (
            [entry.label, entry.unit, *map(as_number, entry.values), as_number(entry.total), *mark(entry)]
            for entry in measure_sums(user, year, include_unaccepted, body_ids=body_ids, level=level)
        ),
        [36, 8, 12, 12, 12, 12, 12, *([14] if marked else [])],
    )

    detail = workbook.create_sheet(_("分单位明细"))
    headers = [_("填报单位"), _("统计指标"), pgettext("measure unit", "单位"), *_quarter_headers(), *marked]
    # The filter is set before the rows are written (a write-only sheet writes it at the end): over
    # as many rows as there are, counted below.
    rows = write_sheet(
        detail,
        (_("%(year)s年统计数分单位明细（%(note)s）") % {"year": year, "note": note} if group is None else
         _("%(year)s年%(group)s所属单位统计数分单位明细（%(note)s）") % {"year": year, "group": group.name, "note": note}),
        headers,
        (
            [entry.body, entry.label, entry.unit, *map(as_number, entry.values), as_number(entry.total), *mark(entry)]
            for entry in measure_rows_by_body(user, year, include_unaccepted, body_ids=body_ids)
        ),
        [24, 36, 8, 12, 12, 12, 12, 12, *([14] if marked else [])],
    )
    if rows:
        detail.auto_filter.ref = f"A2:{get_column_letter(len(headers))}{rows + 2}"
    return workbook
