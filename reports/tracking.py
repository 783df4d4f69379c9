"""督办: which bodies an overseer follows, when their reports are due, who is on time, late or
missing, and the 催报 e-mail. Plain functions; the pages are in views/tracking_pages.py.

Timeliness is judged on the date of a report's FIRST submission (Submission.number == 1) in
Beijing time: a report returned for revision and submitted again was still reported when it was
first sent. Nothing here is stored; the board is computed from the reports on every request.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Min, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import notices
from .models import DueDate, Membership, Organization, Reminder, Report, Submission
from .numbering import quarter_label

QUARTER_NUMBERS = (1, 2, 3, 4)
# Due dates are dates in Beijing time whatever the server's or the user's time zone: a report
# submitted at 23:30 on the due date in Beijing is on time, even though it is the 10th in UTC
# only until 16:00.
REPORTING_TZ = ZoneInfo("Asia/Shanghai")

ON_TIME, LATE, OVERDUE, PENDING = "on_time", "late", "overdue", "pending"
TIMELINESS_LABELS = {
    ON_TIME: gettext_lazy("按时"),
    LATE: gettext_lazy("迟报"),
    OVERDUE: gettext_lazy("逾期未报"),
    PENDING: gettext_lazy("未到期"),
}


# ---- Due dates ---------------------------------------------------------------------------


def quarter_end(year, quarter):
    month = quarter * 3
    return date(year, month, calendar.monthrange(year, month)[1])


def default_due_date(year, quarter):
    """The quarter's last day plus JIBAO_DEFAULT_DUE_DAYS (Q1 2023 with 10 days → 2023-04-10)."""
    return quarter_end(year, quarter) + timedelta(days=settings.JIBAO_DEFAULT_DUE_DAYS)


def due_dates(year):
    """{quarter: due date} for the four quarters: the date set in the admin, else the default.
    One query for the year's DueDate rows."""
    dates = {quarter: default_due_date(year, quarter) for quarter in QUARTER_NUMBERS}
    dates.update(DueDate.objects.filter(year=year).values_list("quarter", "due_date"))
    return dates


def timeliness(first_submitted_on, due, today):
    """on_time (submitted on or before the due date), late (submitted after it), overdue
    (not submitted and the due date has passed), pending (not submitted, not yet due)."""
    if first_submitted_on is not None:
        return ON_TIME if first_submitted_on <= due else LATE
    return OVERDUE if today > due else PENDING


def local_date(moment):
    """The Beijing date of an aware datetime."""
    return moment.astimezone(REPORTING_TZ).date() if moment is not None else None


# ---- Who oversees what --------------------------------------------------------------------


def overseen_ids(user):
    """The ids of the bodies BELOW the bodies in which the user is an overseer (not those bodies
    themselves: the supervising body does not report to itself); for a superuser every body that
    has a parent. The number of queries follows the depth of the tree, not the number of bodies."""
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return set(Organization.objects.filter(parent__isnull=False).values_list("id", flat=True))
    roots = set(
        Membership.objects.filter(user=user, role=Membership.Role.OVERSEER).values_list("organization_id", flat=True)
    )
    if not roots:
        return set()
    # Start from the children, so that an overseen body that is itself below another overseen
    # body is kept, and the top bodies are not.
    children = set(Organization.objects.filter(parent_id__in=roots).values_list("id", flat=True))
    return Organization.objects.descendant_ids(children)


def overseen_bodies(user):
    """The bodies the user follows as an overseer, ordered by name."""
    return Organization.objects.filter(id__in=overseen_ids(user)).order_by("name")


def oversees_any(user):
    """May open the tracking pages: a superuser, or an overseer of a body that has bodies below."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(
        user=user, role=Membership.Role.OVERSEER, organization__children__isnull=False
    ).exists()


# ---- The board ----------------------------------------------------------------------------


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

    @property
    def status(self):
        return self.report.status if self.report else None

    @property
    def status_label(self):
        return self.report.get_status_display() if self.report else _("未起草")

    @property
    def timeliness_label(self):
        return TIMELINESS_LABELS[self.timeliness]

    @property
    def can_remind(self):
        return self.timeliness == OVERDUE


@dataclass
class Row:
    organization: Organization
    cells: list


@dataclass
class QuarterStats:
    quarter: int
    due: date
    bodies: int = 0
    submitted: int = 0
    on_time: int = 0
    approved: int = 0  # what the quarter's .zip download holds

    @property
    def label(self):
        return quarter_label(self.quarter)

    @property
    def submitted_percent(self):
        return percent(self.submitted, self.bodies)

    @property
    def on_time_percent(self):
        return percent(self.on_time, self.bodies)


@dataclass
class Board:
    year: int
    today: date
    rows: list = field(default_factory=list)
    quarters: list = field(default_factory=list)


def percent(part, whole):
    """A share as a whole percentage rounded half up (1/8 → 13, where round() would give 12),
    None when there is nothing to share."""
    return (200 * part + whole) // (2 * whole) if whole else None


def board(user, year, today, *, body_ids=None):
    """Every overseen body (by name) × the four quarters of `year`, with per-quarter totals.

    A fixed number of queries whatever the number of bodies: the bodies, the due dates, the
    year's reports with their first submission (one aggregate), and the year's reminders;
    the cells are then put together in Python. `body_ids` spares a page that has already
    computed overseen_ids(user) from computing it again.
    """
    if body_ids is None:
        body_ids = overseen_ids(user)
    bodies = list(Organization.objects.filter(id__in=body_ids).order_by("name"))
    dues = due_dates(year)
    ids = [body.id for body in bodies]

    reports = {
        (report.organization_id, report.quarter): report
        for report in Report.objects.filter(organization_id__in=ids, year=year)
        .only("id", "organization_id", "year", "quarter", "status", "title")
        .annotate(first_submitted_at=Min("submissions__submitted_at", filter=Q(submissions__number=1)))
        .order_by()
    }
    # Newest first, so the first one seen for a (body, quarter) is the last one sent.
    last_reminders = {}
    for reminder in Reminder.objects.filter(organization_id__in=ids, year=year).order_by("-sent_at", "-id"):
        last_reminders.setdefault((reminder.organization_id, reminder.quarter), reminder)

    stats = {quarter: QuarterStats(quarter=quarter, due=dues[quarter], bodies=len(bodies)) for quarter in QUARTER_NUMBERS}
    result = Board(year=year, today=today, quarters=list(stats.values()))
    for body in bodies:
        cells = []
        for quarter in QUARTER_NUMBERS:
            report = reports.get((body.id, quarter))
            submitted_on = local_date(report.first_submitted_at) if report else None
            state = timeliness(submitted_on, dues[quarter], today)
            cells.append(Cell(body, year, quarter, report, submitted_on, dues[quarter], state,
                              last_reminders.get((body.id, quarter))))
            if submitted_on is not None:
                stats[quarter].submitted += 1
            if state == ON_TIME:
                stats[quarter].on_time += 1
            if report is not None and report.status == Report.Status.APPROVED:
                stats[quarter].approved += 1
        result.rows.append(Row(body, cells))
    return result


def board_years(user, today, *, body_ids=None):
    """The years the year selector offers: those with reports of the overseen bodies or with due
    dates set, and always the current one; newest first."""
    if body_ids is None:
        body_ids = overseen_ids(user)
    # order_by(): the models' default ordering would otherwise join into the DISTINCT.
    years = set(Report.objects.filter(organization_id__in=body_ids).values_list("year", flat=True).order_by().distinct())
    years |= set(DueDate.objects.values_list("year", flat=True).order_by().distinct())
    years.add(today.year)
    return sorted(years, reverse=True)


# ---- 催报 ----------------------------------------------------------------------------------


class ReminderRefused(Exception):
    """A 催报 that is not sent; `message` says why, in words for the overseer."""

    code = "refused"

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class NotOverseen(ReminderRefused):
    code = "not_overseen"


def not_overseen_message():
    return _("该单位不存在或不在您的督办范围内，没有发送催报邮件。")


class AlreadySubmitted(ReminderRefused):
    code = "already_submitted"


class NotYetDue(ReminderRefused):
    code = "not_yet_due"


class NoRecipients(ReminderRefused):
    code = "no_recipients"


def send_reminder(*, user, organization, year, quarter, today):
    """Send the 催报 e-mail to the body's drafters and record it; refuse with a ReminderRefused
    when the body is not overseen by the user, the report has been submitted, the quarter is not
    yet due, or no drafter has an e-mail address. Returns the Reminder."""
    if quarter not in QUARTER_NUMBERS:
        raise ReminderRefused(_("季度应为 1 至 4。"))
    if organization.id not in overseen_ids(user):
        # Not named: a body outside the user's range does not exist for them (see permissions.py).
        raise NotOverseen(not_overseen_message())
    period = f"{year}年{quarter_label(quarter)}"
    if Submission.objects.filter(
        report__organization=organization, report__year=year, report__quarter=quarter
    ).exists():
        raise AlreadySubmitted(_("%(body)s%(period)s的报告已经报送，无需催报。") % {"body": organization.name, "period": period})
    due = due_dates(year)[quarter]
    if today <= due:
        raise NotYetDue(
            _("%(period)s的报告%(due)s截止，尚未逾期，不能催报。")
            % {"period": period, "due": f"{due.year}年{due.month}月{due.day}日"}
        )
    addresses = notices.remind(organization=organization, year=year, quarter=quarter, due_date=due, sender=user)
    if not addresses:
        raise NoRecipients(_("该单位没有设置邮箱的起草人，无法发送催报邮件。请联系管理员为起草人设置邮箱。"))
    return Reminder.objects.create(
        organization=organization, year=year, quarter=quarter, sent_by=user, recipients=", ".join(addresses)
    )
