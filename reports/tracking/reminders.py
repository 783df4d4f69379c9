"""催报: the e-mail an overseer sends to a body whose report is overdue, at most one a day."""

from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from reports.errors import Refusal
from reports.labels import day_name, period_name
from reports.models import Organization, Reminder, Submission
from reports.review import notices
from reports.tracking.deadlines import PERIODS, REPORTING_TZ, due_dates, local_date
from reports.tracking.scope import overseen_ids


class ReminderRefused(Refusal):
    """A 催报 that is not sent; `message` says why, in words for the overseer."""


class NotOverseen(ReminderRefused):
    code = "not_overseen"


def not_overseen_message() -> str:
    return _("该单位不存在或不在您的督办范围内，没有发送催报邮件。")


class AlreadySubmitted(ReminderRefused):
    code = "already_submitted"


class NotYetDue(ReminderRefused):
    code = "not_yet_due"


class AlreadyReminded(ReminderRefused):
    code = "already_reminded"


class NoRecipients(ReminderRefused):
    code = "no_recipients"


def send_reminder(*, user: AbstractBaseUser, organization: Organization, year: int, quarter: int, today: date) -> Reminder:
    """Send the 催报 e-mail to the body's drafters and record it; refuse with a ReminderRefused
    when the body is not overseen by the user, the report has been submitted, the quarter is not
    yet due, the body was already reminded of it today (a double click, or two overseers at
    once, must not send two e-mails), or no drafter has an e-mail address. Returns the Reminder."""
    if quarter not in PERIODS:
        raise ReminderRefused(_("季度应为 1 至 4，或年度报告。"))
    if organization.id not in overseen_ids(user):
        # Not named: a body outside the user's range does not exist for them (see reports.access).
        raise NotOverseen(not_overseen_message())
    period = period_name(year, quarter)
    if Submission.objects.filter(
        report__organization=organization, report__year=year, report__quarter=quarter
    ).exists():
        raise AlreadySubmitted(_("%(body)s%(period)s的报告已经报送，无需催报。") % {"body": organization.name, "period": period})
    due = due_dates(year)[quarter]
    if today <= due:
        raise NotYetDue(
            _("%(period)s的报告%(due)s截止，尚未逾期，不能催报。")
            % {"period": period, "due": day_name(due)}
        )
    with transaction.atomic():
        # The body's row lock makes the check below and the new Reminder one step: of two requests
        # at once, the second waits and then sees the first one's Reminder.
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        earlier = Reminder.objects.filter(organization=organization, year=year, quarter=quarter).order_by("-sent_at").first()
        if earlier is not None and local_date(earlier.sent_at) == today:
            raise AlreadyReminded(
                _("今天%(time)s已经催报过%(body)s%(period)s的报告，每天最多催报一次。")
                % {
                    "time": earlier.sent_at.astimezone(REPORTING_TZ).strftime("%H:%M"),
                    "body": organization.name,
                    "period": period,
                }
            )
        addresses = notices.remind(organization=organization, year=year, quarter=quarter, due_date=due, sender=user)
        if not addresses:
            raise NoRecipients(_("该单位没有设置邮箱的起草人，无法发送催报邮件。请联系管理员为起草人设置邮箱。"))
        return Reminder.objects.create(
            organization=organization, year=year, quarter=quarter, sent_by=user, recipients=", ".join(addresses)
        )
