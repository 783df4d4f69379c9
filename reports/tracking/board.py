"""The board (督办): every overseen body × the four quarters of a year and its annual report, on
time, late or missing.

Nothing here is stored; the board is computed from the reports on every request.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Max, Min, OuterRef, QuerySet, Subquery

from reports.labels import period_key, quarter_name
from reports.models import APPROVED_STATUSES, DueDate, Organization, Reminder, Report, ReportEvent, Submission
from reports.review.chain import Step, chains, current
from reports.tracking import ledger
from reports.tracking.deadlines import (
    LATE,
    ON_TIME,
    OVERDUE,
    PENDING,
    PERIODS,
    Deadline,
    due_dates,
    local_date,
    timeliness,
    year_deadlines,
)
from reports.tracking.extensions import may_grant
from reports.tracking.scope import overseen_ids

# The events that send a report back to its drafters: by the body itself (a step returns it, or
# the last step reopens it after 审定) or from above (上级退回, before 签收).
RETURNS = (ReportEvent.Action.RETURN, ReportEvent.Action.REOPEN, ReportEvent.Action.SEND_BACK)


@dataclass
class Cell:
    organization: Organization
    year: int
    quarter: int
    report: Report | None
    submitted_on: date | None
    due: date
    timeliness: str
    last_reminder: Reminder | None
    deadline: Deadline | None = None
    # The step of the body's review chain a submitted report waits at, when the chain has more
    # than one (with one, "submitted" says it all).
    step: Step | None = None
    may_extend: bool = False  # the user may grant 准予延期 (extensions.may_grant)
    today: date | None = None

    @property
    def closed(self):
        """截止填报: input closed and nothing submitted; only an extension opens it again."""
        return self.submitted_on is None and self.deadline is not None and self.deadline.closed(self.today)

    @property
    def extended_until(self):
        """The date of the extension that keeps an unsubmitted report open today, else None."""
        if self.submitted_on is None and self.deadline is not None and self.deadline.extended(self.today):
            return self.deadline.extended_until
        return None

    @property
    def due_soon(self):
        return due_soon(self.timeliness, self.deadline, self.today)

    @property
    def returned_from_above(self):
        """Whether a returned report was sent back by the supervising body (上级退回) rather than
        by its own body; read from the `last_return` annotation of build_board."""
        return (self.report is not None and self.report.status == Report.Status.RETURNED
                and getattr(self.report, "last_return", None) == ReportEvent.Action.SEND_BACK)

    @property
    def can_remind(self):
        # Not once input has closed: the drafters could not do what a 催报 asks (as the automatic
        # reminders, reminders.owed_kind); the overseer grants an extension instead.
        return self.timeliness == OVERDUE and not self.closed

    @property
    def can_extend(self):
        return self.closed and self.may_extend


def due_soon(state: str, deadline: Deadline | None, today: date) -> bool:
    """即将到期: not submitted, not yet due, and within the warning days before the due date."""
    return state == PENDING and deadline is not None and deadline.due_soon(today)


@dataclass
class Row:
    organization: Organization
    cells: list
    open_problems: int = 0  # its 问题整改台账 entries not yet closed
    overdue_problems: int = 0  # of which past their 整改时限


@dataclass
class QuarterStats:
    """One quarter's totals over some bodies: all of them, one group's, or the bodies shown."""

    quarter: int
    due: date
    bodies: int = 0
    submitted: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    pending: int = 0
    due_soon: int = 0  # of the pending ones, within the warning days before the due date
    approved: int = 0  # what the quarter's .zip download holds

    @property
    def label(self):
        return quarter_name(self.quarter)

    @property
    def key(self):
        return period_key(self.quarter)

    @property
    def submitted_percent(self):
        return percent(self.submitted, self.bodies)

    @property
    def on_time_percent(self):
        return percent(self.on_time, self.bodies)

    @property
    def submitted_share(self):
        return share_text(self.submitted_percent)

    @property
    def on_time_share(self):
        return share_text(self.on_time_percent)

    @property
    def worst(self):
        """The timeliness that colours a group's cell: overdue before late before pending."""
        for state in (OVERDUE, LATE, PENDING):
            if getattr(self, state):
                return state
        return ON_TIME

    @property
    def not_yet_due(self):
        """The pending bodies that are not yet due soon (未到期 beside 即将到期)."""
        return self.pending - self.due_soon

    def add(self, state, submitted, approved, soon=False):
        setattr(self, state, getattr(self, state) + 1)
        self.submitted += submitted
        self.approved += approved
        self.due_soon += soon


@dataclass
class GroupRow:
    """A row of the board's first page when it has many bodies: the bodies that share one parent
    (a 派驻纪检监察组, a county, …) with their totals per quarter."""

    organization: Organization
    bodies: int
    quarters: list


@dataclass
class Board:
    year: int
    today: date
    rows: list = field(default_factory=list)
    quarters: list = field(default_factory=list)
    # When the overseer follows more than BOARD_GROUP_THRESHOLD bodies in several groups, the board
    # opens on one row per group (`groups`) and shows the bodies of one group at a time (`group`).
    groups: list = field(default_factory=list)
    group: Organization | None = None
    grouped: bool = False


# A board of more bodies than this opens on its groups: 60 bodies × 4 quarters is about what can
# be read at a glance on one screen, and the page's size and time grow with every row shown
# (docs/PERFORMANCE.md).
BOARD_GROUP_THRESHOLD = 60


def percent(part: int, whole: int) -> int | None:
    """A share as a whole percentage rounded half up (1/8 → 13, where round() would give 12),
    None when there is nothing to share."""
    return (200 * part + whole) // (2 * whole) if whole else None


def share_text(value: int | None) -> str:
    """A percentage as shown: "67%", or "—" when there was nothing to share."""
    return "—" if value is None else f"{value}%"


def natural_key(name: str) -> list[tuple[int, int | str]]:
    """Sorts 第2派驻组 before 第10派驻组: the digit runs compare as numbers."""
    return [(0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", name) if part]


def _quarter_stats(dues, bodies):
    """A column for each quarter, and one for the annual report (年度报告), with its own due date."""
    return [QuarterStats(quarter=quarter, due=dues[quarter], bodies=bodies) for quarter in PERIODS]


def build_board(user: AbstractBaseUser, year: int, today: date, *, body_ids: set[int] | None = None,
                group_id: int | None = None) -> Board:
    """Every overseen body (by name) × the four quarters of `year`, with per-quarter totals.

    Bodies are grouped by their parent. Past BOARD_GROUP_THRESHOLD bodies in more than one group,
    the board without `group_id` holds one GroupRow per group and no body rows; with the id of one
    of the groups it holds that group's bodies. A small board holds every body (or one group's,
    when asked).

    A fixed number of queries whatever the number of bodies and the length of their review
    chains: the bodies, the groups, the due dates and deadlines (year_deadlines), the year's
    reports with their first submission and last return, the review chains, and the year's
    reminders; the cells are then put together in Python. `body_ids` spares a page that has already
    computed overseen_ids(user) from computing it again.
    """
    if body_ids is None:
        body_ids = overseen_ids(user)
    bodies = list(Organization.objects.filter(id__in=body_ids).order_by("name"))
    dues = due_dates(year)
    members = {}
    for body in bodies:
        members.setdefault(body.parent_id, []).append(body)
    result = Board(year=year, today=today, grouped=len(bodies) > BOARD_GROUP_THRESHOLD and len(members) > 1)
    if group_id in members:
        result.group = Organization.objects.get(pk=group_id)
        bodies = members[group_id]
    elif result.grouped:
        return _group_summary(result, members, dues, year, today)

    ids = [body.id for body in bodies]
    reports = {
        (report.organization_id, report.quarter): report
        for report in with_last_return(with_first_submission(Report.objects.filter(organization_id__in=ids, year=year)))
        .only("id", "organization_id", "year", "quarter", "status", "title", "review_step", "late_reason")
    }
    deadlines = year_deadlines(ids, year)
    steps = chains(ids)
    # Newest first, so the first one seen for a (body, quarter) is the last one sent.
    last_reminders = {}
    for reminder in Reminder.objects.filter(organization_id__in=ids, year=year).order_by("-sent_at", "-id"):
        last_reminders.setdefault((reminder.organization_id, reminder.quarter), reminder)

    problems = ledger.problem_counts(ids, today)
    result.quarters = _quarter_stats(dues, len(bodies))
    for body in bodies:
        cells = []
        may_extend = may_grant(user, body.id)
        chain = steps[body.id]
        for stats in result.quarters:
            quarter = stats.quarter
            report = reports.get((body.id, quarter))
            submitted_on = local_date(report.first_submitted_at) if report else None
            state = timeliness(submitted_on, dues[quarter], today)
            waiting_at = (current(report, chain) if report and report.status == Report.Status.SUBMITTED
                          and len(chain) > 1 else None)
            made = Cell(body, year, quarter, report, submitted_on, dues[quarter], state,
                        last_reminders.get((body.id, quarter)), deadline=deadlines.get((body.id, quarter)),
                        step=waiting_at, may_extend=may_extend, today=today)
            cells.append(made)
            stats.add(state, submitted_on is not None, report is not None and report.status in APPROVED_STATUSES,
                      made.due_soon)
        result.rows.append(Row(body, cells, *problems.get(body.id, (0, 0))))
    return result


def with_first_submission(reports: QuerySet[Report]) -> QuerySet[Report]:
    """The reports annotated with `first_submitted_at`, the moment of their first submission.

    The earliest-numbered submission, read through the (report, number, submitted_at) index:
    MIN() over a join grouped by report, or `number = 1` (which SQLite answers through the unique
    index and then the row), made SQLite read every frozen snapshot, which holds the whole text;
    the covering index answers without touching them (docs/PERFORMANCE.md)."""
    first = Submission.objects.filter(report=OuterRef("pk")).order_by("number").values("submitted_at")[:1]
    return reports.annotate(first_submitted_at=Subquery(first)).order_by()


def with_last_return(reports: QuerySet[Report]) -> QuerySet[Report]:
    """The reports annotated with `last_return`, the action of the last event that sent them back
    to their drafters (RETURNS), None if none did: whether a returned report came back from above."""
    last = (ReportEvent.objects.filter(report=OuterRef("pk"), action__in=RETURNS)
            .order_by("-created_at", "-id").values("action")[:1])
    return reports.annotate(last_return=Subquery(last))


def _group_summary(result, members, dues, year, today):
    """The board's first page for many bodies: the totals of every group and of all bodies, from
    the reports' status and first submission and the bodies' deadlines only (no cells, no reminders)."""
    ids = [body.id for group in members.values() for body in group]
    deadlines = year_deadlines(ids, year)
    reports = {
        (organization_id, quarter): (status, first_submitted_at)
        for organization_id, quarter, status, first_submitted_at in with_first_submission(
            Report.objects.filter(organization_id__in=ids, year=year)
        ).values_list("organization_id", "quarter", "status", "first_submitted_at")
    }
    groups = Organization.objects.in_bulk(members.keys())
    result.quarters = _quarter_stats(dues, len(ids))
    for group_id, bodies in members.items():
        row = GroupRow(groups[group_id], len(bodies), _quarter_stats(dues, len(bodies)))
        for body in bodies:
            for stats, overall in zip(row.quarters, result.quarters, strict=True):
                status, first_submitted_at = reports.get((body.id, stats.quarter), (None, None))
                submitted_on = local_date(first_submitted_at)
                state = timeliness(submitted_on, dues[stats.quarter], today)
                approved = status in APPROVED_STATUSES
                soon = due_soon(state, deadlines.get((body.id, stats.quarter)), today)
                stats.add(state, submitted_on is not None, approved, soon)
                overall.add(state, submitted_on is not None, approved, soon)
        result.groups.append(row)
    result.groups.sort(key=lambda row: natural_key(row.organization.name))
    return result


def _reporting_years(body_ids: set[int], **up_to) -> list[int]:
    """The first and last years (or the last up to a year, with year__lte=…) in which these
    bodies have reports or due dates are set; two aggregate queries."""
    span = {"first": Min("year"), "last": Max("year")}
    reports = Report.objects.filter(organization_id__in=body_ids, **up_to).order_by().aggregate(**span)
    dues = DueDate.objects.filter(**up_to).order_by().aggregate(**span)
    return [year for year in (*reports.values(), *dues.values()) if year is not None]


def board_years(user: AbstractBaseUser, today: date, *, body_ids: set[int] | None = None) -> list[int]:
    """The years the year selector offers: every year from the first with reports of the
    overseen bodies or due dates set to the last (and the current one), newest first, none
    skipped: a year in which nobody reported is a year to see."""
    if body_ids is None:
        body_ids = overseen_ids(user)
    years = [*_reporting_years(body_ids), today.year]
    return list(range(max(years), min(years) - 1, -1))


def default_board_year(user: AbstractBaseUser, today: date, *, body_ids: set[int] | None = None) -> int:
    """The year the board and its selector open on: the latest up to the current one that has
    reports of the overseen bodies or due dates, so that a new installation (or January, before
    the year's first report) does not open on an empty, all-red year; the current year if none."""
    if body_ids is None:
        body_ids = overseen_ids(user)
    return max(_reporting_years(body_ids, year__lte=today.year), default=today.year)
