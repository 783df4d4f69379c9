"""The board (督办): every overseen body × the four quarters of a year and its annual report, on
time, late or missing.

The cells are computed from the reports on every request; a group row of a drill-down reads the
counts kept for its subtree (reports.tracking.tallies).
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Max, Min, OuterRef, QuerySet, Subquery

from reports.labels import period_key, quarter_name
from reports.models import (
    APPROVED_STATUSES,
    MAX_WARNING_DAYS,
    DueDate,
    Organization,
    Reminder,
    Report,
    ReportEvent,
    SubtreeBodies,
    SubtreeReports,
)
from reports.review.chain import Step, chains, current
from reports.tracking import ledger, tallies
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
from reports.tracking.reminders import reminded_today
from reports.tracking.scope import drill_level, overseen, overseen_roots, reporting_bodies, with_bodies_below

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
        # reminders, reminders.owed_kind); the overseer grants an extension instead. Nor twice a day:
        # the cell shows 已催报 with today's date.
        return (self.timeliness == OVERDUE and not self.closed
                and not reminded_today(self.last_reminder, self.today))

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
    approved: int = 0  # what the quarter's .zip download holds (审定, 签收ed or not)
    accepted: int = 0  # of which 签收ed by the supervising body

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

    def add(self, state, submitted, approved, soon=False, accepted=False):
        setattr(self, state, getattr(self, state) + 1)
        self.submitted += submitted
        self.approved += approved
        self.due_soon += soon
        self.accepted += accepted

    def fill(self, *, submitted, on_time, approved, accepted, warned, today):
        """The totals of a GroupRow from the database's counts (counts_per_child): the bodies not
        submitted are overdue past the due date, else pending, and due soon when warned."""
        missing = self.bodies - submitted
        self.submitted, self.on_time, self.late = submitted, on_time, submitted - on_time
        self.overdue, self.pending = (missing, 0) if today > self.due else (0, missing)
        self.due_soon = warned if self.pending else 0
        self.approved, self.accepted = approved + accepted, accepted

    def merge(self, other):
        """Adds another set of bodies' totals for the same quarter (the board's header row)."""
        for name in ("bodies", "submitted", "on_time", "late", "overdue", "pending", "due_soon", "approved", "accepted"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class GroupRow:
    """A row of the board for a body that has bodies below it (a city, a 派驻纪检监察组, …): the
    totals per quarter of the reporting bodies in its subtree, from the tallies kept for it."""

    organization: Organization
    bodies: int
    quarters: list


@dataclass
class Board:
    year: int
    today: date
    rows: list = field(default_factory=list)
    quarters: list = field(default_factory=list)
    # A board of more than BOARD_GROUP_THRESHOLD bodies drills down the tree: a page shows the
    # bodies directly below one body (`group`), those with bodies below them as GroupRows
    # (`groups`) and the others as rows of cells; `trail` is the way down to it (the breadcrumb).
    groups: list = field(default_factory=list)
    group: Organization | None = None
    grouped: bool = False
    trail: list = field(default_factory=list)


# A board of more bodies than this drills down the tree level by level: 60 bodies × 4 quarters is
# about what can be read at a glance on one screen, and the page's size and time grow with every
# row shown (docs/PERFORMANCE.md).
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


def build_board(user: AbstractBaseUser, year: int, today: date, *, group_id: int | None = None) -> Board:
    """The overseen bodies × the four quarters of `year` and the annual report, with totals.

    Up to BOARD_GROUP_THRESHOLD bodies, the board holds every one of them, by name (with a group's
    id, only the bodies below that body). Beyond, it opens at the overseer's own level and goes down
    one level per click: the page of a body (`group_id`, or the overseer's body) holds the bodies
    directly below it; one that has bodies below it is a GroupRow with the counts kept for its
    subtree (counts_per_child), the others are rows of cells. Its cost follows the rows it shows,
    not the bodies below them.

    A fixed number of queries whatever the number of bodies, the depth of the tree and the length of
    the review chains.
    """
    drill = drill_level(user, group_id)
    scope = overseen(user)
    dues = due_dates(year)
    result = Board(year=year, today=today)
    level = drill.body
    # Whether there are more than the threshold, not how many: a count that stops there.
    result.grouped = scope[:BOARD_GROUP_THRESHOLD + 1].count() > BOARD_GROUP_THRESHOLD
    result.group = drill.group
    if not result.grouped:
        # As on the drill-down pages, a supervising body that bodies report to is no row of its own.
        bodies = reporting_bodies().filter(pk__in=drill.within(scope).values("pk"))
        return _with_cells(result, user, list(bodies.order_by("name")), dues, year, today)

    # One level of the tree: the bodies directly below `level` (the roots themselves on a superuser's
    # or a several-body overseer's first page).
    children = drill.children()
    result.trail = drill.trail()
    with_children = with_bodies_below(children)
    leaves = [body for body in children if body.id not in with_children]
    if result.group is not None and reporting_bodies().filter(pk=level.pk).exists():
        leaves.insert(0, level)  # the body itself reports: its own row comes first
    groups = [body for body in children if body.id in with_children]
    counted = counts_per_child(groups, year, today, dues)
    _with_cells(result, user, sorted(leaves, key=lambda body: (body != level, natural_key(body.name))), dues, year,
                today)
    for body in sorted(groups, key=lambda body: natural_key(body.name)):
        result.groups.append(GroupRow(body, *counted[body.id]))
    for index, stats in enumerate(result.quarters):
        for row in result.groups:
            stats.merge(row.quarters[index])
    return result


def counts_per_child(groups: list[Organization], year: int, today: date, dues) -> dict[int, tuple[int, list]]:
    """{body id: (reporting bodies, [QuarterStats per period])} for these bodies that have bodies
    below them: each one's whole subtree, read from the tallies kept for it (tallies), not counted
    from the bodies and reports below. Two queries, whatever the number of bodies below.

    即将到期 counts the pending bodies whose supervising body's warning days cover the days left:
    the tallies keep their bodies and submissions per warning days, and today decides which count."""
    if not groups:
        return {}
    ids = [body.id for body in groups]
    days_left = {quarter: (dues[quarter] - today).days for quarter in PERIODS}
    warned = {quarter: days for quarter, days in days_left.items() if 0 <= days <= MAX_WARNING_DAYS}
    bodies = defaultdict(lambda: {"n": 0, **{quarter: 0 for quarter in warned}})
    for node, warning, n in SubtreeBodies.objects.filter(node_id__in=ids).values_list("node_id", "warning_days",
                                                                                      "bodies"):
        counted = bodies[node]
        counted["n"] += n
        for quarter, days in warned.items():
            counted[quarter] += n if warning >= days else 0
    reports = defaultdict(lambda: {"submitted": 0, "on_time": 0, "approved": 0, "accepted": 0, "warned": 0})
    for row in SubtreeReports.objects.filter(node_id__in=ids, year=year).values(
            "node_id", "quarter", "warning_days", "submitted", "on_time", "approved", "accepted"):
        done = reports[(row["node_id"], row["quarter"])]
        for name in ("submitted", "on_time", "approved", "accepted"):
            done[name] += row[name]
        if row["quarter"] in warned and row["warning_days"] >= warned[row["quarter"]]:
            done["warned"] += row["submitted"]
    result = {}
    for pk in ids:
        counted = bodies[pk]
        quarters = _quarter_stats(dues, counted["n"])
        for stats in quarters:
            done = reports[(pk, stats.quarter)]
            stats.fill(submitted=done["submitted"], on_time=done["on_time"], approved=done["approved"],
                       accepted=done["accepted"],
                       warned=counted[stats.quarter] - done["warned"] if stats.quarter in warned else 0, today=today)
        result[pk] = (counted["n"], quarters)
    return result


def _with_cells(result, user, bodies, dues, year, today):
    """Rows of cells for these bodies: their reports with first submission and last return, the
    deadlines, the review chains, the reminders and the problem counts, in a fixed number of queries."""
    ids = [body.id for body in bodies]
    reports = {
        (report.organization_id, report.quarter): report
        for report in with_last_return(Report.objects.filter(organization_id__in=ids, year=year))
        .select_related("quality")
        .only("id", "organization_id", "year", "quarter", "status", "title", "review_step", "late_reason",
              "first_submitted_at", "quality__previous_share", "quality__peer_share", "quality__figures",
              "quality__explained")
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
                      made.due_soon, accepted=report is not None and report.status == Report.Status.ACCEPTED)
        result.rows.append(Row(body, cells, *problems.get(body.id, (0, 0))))
    return result


def with_last_return(reports: QuerySet[Report]) -> QuerySet[Report]:
    """The reports annotated with `last_return`, the action of the last event that sent them back
    to their drafters (RETURNS), None if none did: whether a returned report came back from above."""
    last = (ReportEvent.objects.filter(report=OuterRef("pk"), action__in=RETURNS)
            .order_by("-created_at", "-id").values("action")[:1])
    return reports.annotate(last_return=Subquery(last))


def _reporting_years(user: AbstractBaseUser, **up_to) -> list[int]:
    """The first and last years (or the last up to a year, with year__lte=…) in which the overseen
    bodies have reports or due dates are set; three queries, two on the counts kept (tallies)."""
    dues = DueDate.objects.filter(**up_to).order_by().aggregate(first=Min("year"), last=Max("year"))
    reports = tallies.report_years(overseen_roots(user), **up_to)
    return [year for year in (*reports, *dues.values()) if year is not None]


def board_years(user: AbstractBaseUser, today: date) -> list[int]:
    """The years the year selector offers: every year from the first with reports of the
    overseen bodies or due dates set to the last (and the current one), newest first, none
    skipped: a year in which nobody reported is a year to see."""
    years = [*_reporting_years(user), today.year]
    return list(range(max(years), min(years) - 1, -1))


def default_board_year(user: AbstractBaseUser, today: date) -> int:
    """The year the board and its selector open on: the latest up to the current one that has
    reports of the overseen bodies or due dates, so that a new installation (or January, before
    the year's first report) does not open on an empty, all-red year; the current year if none."""
    return max(_reporting_years(user, year__lte=today.year), default=today.year)
