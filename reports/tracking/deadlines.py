"""When a quarter's reports are due, and whether a report came on time: dates in Beijing time.

Timeliness is judged on the date of a report's FIRST submission (Submission.number == 1) in
Beijing time: a report returned for revision and submitted again was still reported when it was
first sent.
"""

import calendar
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext_lazy

from reports.labels import ANNUAL, PERIODS, QUARTER_NUMBERS  # noqa: F401 - others import QUARTER_NUMBERS from here
from reports.models import DueDate

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
