"""When a quarter's reports are due, and whether a report came on time: dates in Beijing time.

Timeliness is judged on the date of a report's FIRST submission (Submission.number == 1) in
Beijing time: a report returned for revision and submitted again was still reported when it was
first sent.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.access import supervising_body_ids
from reports.errors import Refusal
from reports.labels import ANNUAL, PERIODS, QUARTER_NUMBERS  # noqa: F401 - others import QUARTER_NUMBERS from here
from reports.models import DueDate, Extension, Organization, Submission

# Due dates are dates in Beijing time whatever the server's or the user's time zone: a report
# submitted at 23:30 on the due date in Beijing is on time, even though it is the 10th in UTC
# only until 16:00.
REPORTING_TZ = ZoneInfo("Asia/Shanghai")

# The warning days of a body with no supervising body above it (Organization.warning_days' default).
DEFAULT_WARNING_DAYS = 3

ON_TIME, LATE, OVERDUE, PENDING = "on_time", "late", "overdue", "pending"
TIMELINESS_LABELS = {
    ON_TIME: gettext_lazy("按时"),
    LATE: gettext_lazy("迟报"),
    OVERDUE: gettext_lazy("逾期未报"),
    PENDING: gettext_lazy("未到期"),
}


def quarter_end(year: int, quarter: int | None) -> date:
    """The period's last day: the quarter's, or the year's for an annual report."""
    month = 12 if quarter is ANNUAL else quarter * 3
    return date(year, month, calendar.monthrange(year, month)[1])


def default_due_date(year: int, quarter: int | None) -> date:
    """The quarter's last day plus JIBAO_DEFAULT_DUE_DAYS (Q1 2023 with 10 days → 2023-04-10); the
    year's last day plus JIBAO_ANNUAL_DUE_DAYS for an annual report (2023 with 31 days → 2024-01-31)."""
    days = settings.JIBAO_ANNUAL_DUE_DAYS if quarter is ANNUAL else settings.JIBAO_DEFAULT_DUE_DAYS
    return quarter_end(year, quarter) + timedelta(days=days)


def due_dates(year: int) -> dict[int | None, date]:
    """{quarter: due date} for the four quarters and the annual report (None): the date set in the
    admin, else the default. One query for the year's DueDate rows."""
    dates = {quarter: default_due_date(year, quarter) for quarter in PERIODS}
    dates.update(DueDate.objects.filter(year=year).values_list("quarter", "due_date"))
    return dates


def timeliness(first_submitted_on: date | None, due: date, today: date) -> str:
    """on_time (submitted on or before the due date), late (submitted after it), overdue
    (not submitted and the due date has passed), pending (not submitted, not yet due)."""
    if first_submitted_on is not None:
        return ON_TIME if first_submitted_on <= due else LATE
    return OVERDUE if today > due else PENDING


def local_date(moment: datetime | None) -> date | None:
    """The Beijing date of an aware datetime."""
    return moment.astimezone(REPORTING_TZ).date() if moment is not None else None


@dataclass(frozen=True)
class Deadline:
    """One body's deadline for one period, as its supervising body set it: the due date, the grace
    period after it, whether input closes then, and the extension (准予延期) granted, if any."""

    due: date
    grace_days: int = 0
    closes_input: bool = False
    warning_days: int = 0
    extended_until: date | None = None
    extension_reason: str = ""

    @property
    def last_open_day(self) -> date:
        """The last day on which a body that has not submitted may still fill in and submit."""
        open_until = self.due + timedelta(days=self.grace_days)
        return max(open_until, self.extended_until) if self.extended_until else open_until

    def late(self, today: date) -> bool:
        """Whether a first submission today comes after the due date (and needs a 迟报说明)."""
        return today > self.due

    def closed(self, today: date) -> bool:
        return self.closes_input and today > self.last_open_day

    def extended(self, today: date) -> bool:
        """Whether an extension is what keeps input open today."""
        return (self.closes_input and self.extended_until is not None
                and self.due + timedelta(days=self.grace_days) < today <= self.extended_until)

    def due_soon(self, today: date) -> bool:
        """即将到期: within the warning days before the due date, the due date included."""
        return self.due - timedelta(days=self.warning_days) <= today <= self.due

    def closed_message(self) -> str:
        return _("已截止，请联系督办单位：填报期已于 %(day)s 结束，不能再填写或提交。如需补报，请督办单位准予延期。") % {
            "day": self.last_open_day.strftime("%Y-%m-%d")}


def settings_for(organization_ids) -> dict[int, tuple[int, bool, int]]:
    """{body id: (grace days, closes input, warning days)} as each body's supervising body set
    them; the defaults for a body with none above it."""
    supervisors = supervising_body_ids(organization_ids)
    rows = dict((row[0], row[1:]) for row in Organization.objects.filter(
        pk__in={pk for pk in supervisors.values() if pk is not None}).values_list(
        "id", "grace_days", "closes_input", "warning_days"))
    return {organization_id: rows.get(supervisor_id, (0, False, DEFAULT_WARNING_DAYS))
            for organization_id, supervisor_id in supervisors.items()}


def _extensions(organization_ids, year, quarters):
    """{(body id, quarter): (until, reason)} of the latest extension granted, expired or not."""
    rows = Extension.objects.filter(organization_id__in=organization_ids, year=year)
    if quarters is not None:
        wanted = Q(quarter__in=[quarter for quarter in quarters if quarter is not None])
        rows = rows.filter(wanted | Q(quarter__isnull=True) if None in quarters else wanted)
    found = {}
    for organization_id, quarter, until, reason in rows.order_by("granted_at", "id").values_list(
            "organization_id", "quarter", "until", "reason"):
        found[(organization_id, quarter)] = (until, reason)
    return found


def year_deadlines(organization_ids, year: int) -> dict[tuple[int, int | None], Deadline]:
    """{(body id, period): Deadline} for the year's four quarters and annual report: a fixed number
    of queries (the due dates, the supervising bodies' settings, the extensions) for any number of
    bodies. The board reads it."""
    organization_ids = set(organization_ids)
    dues = due_dates(year)
    extended = _extensions(organization_ids, year, None)
    result = {}
    for organization_id, (grace, closes, warning) in settings_for(organization_ids).items():
        for quarter in PERIODS:
            until, reason = extended.get((organization_id, quarter), (None, ""))
            result[(organization_id, quarter)] = Deadline(dues[quarter], grace, closes, warning, until, reason)
    return result


def deadlines_for(organization_ids, year: int, quarter: int | None) -> dict[int, Deadline]:
    """Each body's Deadline for one period: a fixed number of queries for any number of bodies."""
    organization_ids = set(organization_ids)
    due = due_dates(year)[quarter]
    extended = _extensions(organization_ids, year, [quarter])
    result = {}
    for organization_id, (grace, closes, warning) in settings_for(organization_ids).items():
        until, reason = extended.get((organization_id, quarter), (None, ""))
        result[organization_id] = Deadline(due, grace, closes, warning, until, reason)
    return result


def deadline_for(report) -> Deadline:
    return deadlines_for([report.organization_id], report.year, report.quarter)[report.organization_id]


def input_closed(report, today: date) -> bool:
    """Whether the report's body may no longer fill it in: input closed and never submitted (a
    report that was submitted on time and returned stays open to its drafters). Kept on the
    report object, as the editor asks for each part it draws."""
    cached = getattr(report, "_jibao_closed", None)
    if cached is not None and cached[0] == today:
        return cached[1]
    deadline = deadline_for(report)
    closed = deadline.closed(today) and not report.submissions.exists()
    report._jibao_closed = (today, closed)
    return closed


def period_submitted(organization_id: int, year: int, quarter: int | None) -> bool:
    """Whether the body has submitted the period's report (once is enough: it was reported)."""
    return Submission.objects.filter(report__organization_id=organization_id, report__year=year,
                                     report__quarter=quarter).exists()


def late_submission(report, today: date) -> Deadline | None:
    """The Deadline a first submission today would be late against (it needs a 迟报说明), or None."""
    if report.submissions.exists():
        return None
    deadline = deadline_for(report)
    return deadline if deadline.late(today) else None


class PeriodClosed(Refusal):
    """A new report for a period whose input is closed for the body: there is nothing to start."""

    code = "closed"


def check_open(organization_id: int, year: int, quarter: int | None, today: date) -> None:
    """Refuse to start a report of a period whose input is closed for the body (PeriodClosed)."""
    deadline = deadlines_for([organization_id], year, quarter)[organization_id]
    if deadline.closed(today):
        raise PeriodClosed(deadline.closed_message())


def end_of_day(day: date) -> datetime:
    """The first moment after a Beijing date: a first submission before it was on that date or earlier."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=REPORTING_TZ)
