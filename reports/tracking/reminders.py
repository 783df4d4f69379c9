"""催报: the e-mail an overseer sends to a body whose report is overdue, at most one a day; and
the reminders that go by themselves (send_due_reminders, run hourly from cron): 即将到期 within the
warning days before the due date, 逾期 on the day after it."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from reports.errors import Refusal
from reports.labels import day_name, period_name
from reports.models import Membership, Organization, Reminder, Submission
from reports.review import notices
from reports.tracking.deadlines import (
    PERIODS,
    REPORTING_TZ,
    Deadline,
    deadlines_for,
    due_dates,
    local_date,
    period_submitted,
    year_deadlines,
)
from reports.tracking.scope import overseen


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


def reminded_today(reminder: Reminder | None, today: date) -> bool:
    """A body is reminded of a period at most once a day (Beijing date): a double click, or two
    overseers at once, must not send two e-mails, and the board offers no second 催报."""
    return reminder is not None and local_date(reminder.sent_at) == today


def send_reminder(*, user: AbstractBaseUser, organization: Organization, year: int, quarter: int, today: date) -> Reminder:
    """Send the 催报 e-mail to the body's drafters and record it; refuse with a ReminderRefused
    when the body is not overseen by the user, the report has been submitted, the quarter is not
    yet due, the body was already reminded of it today (a double click, or two overseers at
    once, must not send two e-mails), or no drafter has an e-mail address. Returns the Reminder."""
    if quarter not in PERIODS:
        raise ReminderRefused(_("季度应为 1 至 4，或年度报告。"))
    if not overseen(user).filter(pk=organization.id).exists():
        # Not named: a body outside the user's range does not exist for them (see reports.access).
        raise NotOverseen(not_overseen_message())
    period = period_name(year, quarter)
    if period_submitted(organization.id, year, quarter):
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
        if reminded_today(earlier, today):
            raise AlreadyReminded(
                _("今天%(time)s已经催报过%(body)s%(period)s的报告，每天最多催报一次。")
                % {
                    "time": earlier.sent_at.astimezone(REPORTING_TZ).strftime("%H:%M"),
                    "body": organization.name,
                    "period": period,
                }
            )
        if not notices.members(organization.id, Membership.Role.DRAFTER):
            raise NoRecipients(_("该单位还没有起草人，无法催报。请联系管理员为该单位设置起草人。"))
        # Under an extension the body is asked for its report by the extended date, not the old one.
        deadline = deadlines_for([organization.id], year, quarter)[organization.id]
        asked_by = deadline.extended_until if deadline.extended(today) else due
        addresses = notices.remind(organization=organization, year=year, quarter=quarter, due_date=asked_by, sender=user)
        return Reminder.objects.create(
            organization=organization, year=year, quarter=quarter, sent_by=user, recipients=", ".join(addresses)
        )


# An OVERDUE reminder goes out on the day after the due date, or on a later run when the command
# did not run that day (cron stopped, the server off over a holiday), but no later than this many
# days after the due date: installing the system, or starting cron again after months, must not
# mail drafters about periods long past. The overseers' board still shows those, and 催报 by hand.
OVERDUE_CATCH_UP_DAYS = 7


@dataclass(frozen=True)
class OwedReminder:
    """The automatic reminder a body is owed today for one period."""

    organization: Organization
    year: int
    quarter: int | None
    kind: str
    due: date


def owed_kind(deadline: Deadline, today: date) -> str | None:
    """The automatic reminder a period not yet submitted calls for today, if any. None once input
    has closed (截止填报): the drafters could not do what a 催报 asks, and only the overseer can
    reopen it, by an extension."""
    if deadline.due_soon(today):
        return Reminder.Kind.DUE_SOON
    if deadline.due < today <= deadline.due + timedelta(days=OVERDUE_CATCH_UP_DAYS) and not deadline.closed(today):
        return Reminder.Kind.OVERDUE
    return None


def bodies_with_drafters() -> list[Organization]:
    """The bodies an automatic reminder can reach: those with at least one active drafter."""
    return list(Organization.objects.filter(
        memberships__role=Membership.Role.DRAFTER, memberships__user__is_active=True).distinct())


def _day(today: date) -> Q:
    """Reminders sent on a Beijing date."""
    start = datetime.combine(today, time.min, tzinfo=REPORTING_TZ)
    return Q(sent_at__gte=start, sent_at__lt=start + timedelta(days=1))


def owed_reminders(now: datetime) -> list[OwedReminder]:
    """What send_due_reminders would send at `now`, read in a fixed number of queries whatever the
    number of bodies: for each reporting body not reminded of anything today, the reminder owed
    for the period due first among those of this year and last year that it has not submitted,
    and that it has not had yet."""
    today = local_date(now)
    bodies = {body.pk: body for body in bodies_with_drafters()}
    years = (today.year - 1, today.year)
    submitted = set(Submission.objects.filter(report__organization_id__in=bodies, report__year__in=years)
                    .values_list("report__organization_id", "report__year", "report__quarter"))
    reminded_today = set(Reminder.objects.filter(_day(today), organization_id__in=bodies)
                         .values_list("organization_id", flat=True))
    had = set(Reminder.objects.filter(organization_id__in=bodies, year__in=years).exclude(kind=Reminder.Kind.MANUAL)
              .values_list("organization_id", "year", "quarter", "kind"))
    waiting = [pk for pk in bodies if pk not in reminded_today]
    if not waiting:
        return []
    owed = []
    for year in years:
        for (organization_id, quarter), deadline in year_deadlines(waiting, year).items():
            kind = owed_kind(deadline, today)
            if (kind is None or (organization_id, year, quarter) in submitted
                    or (organization_id, year, quarter, kind) in had):
                continue
            owed.append(OwedReminder(bodies[organization_id], year, quarter, kind, deadline.due))
    first = {}  # one reminder a body a day: the period due first; the next run tomorrow sends the next
    for reminder in sorted(owed, key=lambda item: item.due):
        first.setdefault(reminder.organization.pk, reminder)
    return sorted(first.values(), key=lambda item: item.organization.name)


def send_due_reminders(now: datetime) -> list[Reminder]:
    """Send the reminders that go by themselves (owed_reminders) to the drafters, as a notice and
    an e-mail, and record each as a Reminder; returns those sent by this call. Safe to run every
    hour, and twice at once: each kind goes once per body and period, ever, and a body hears at
    most one reminder a day, an overseer's 催报 included."""
    sent = []
    for owed in owed_reminders(now):
        reminder = send_owed(owed, now)
        if reminder is not None:
            sent.append(reminder)
    return sent


def send_owed(owed: OwedReminder, now: datetime) -> Reminder | None:
    """Record one owed reminder and send it once recorded; None when, checked again under the
    body's lock, it went out meanwhile, the body was reminded today, or has no drafter left."""
    organization = owed.organization
    try:
        with transaction.atomic():
            # As in send_reminder: the body's row lock makes the check and the new Reminder one
            # step against another run and an overseer's 催报 at the same moment.
            Organization.objects.select_for_update().filter(pk=organization.pk).first()
            if Reminder.objects.filter(
                _day(local_date(now)) | Q(year=owed.year, quarter=owed.quarter, kind=owed.kind), organization=organization
            ).exists():
                return None
            drafters = notices.members(organization.pk, Membership.Role.DRAFTER)
            if not drafters:
                return None
            reminder = Reminder.objects.create(
                organization=organization, year=owed.year, quarter=owed.quarter, kind=owed.kind,
                recipients=", ".join(user.email for user in drafters if user.email),
            )
            # sent_at is auto_now_add: set to the run's own moment, so that a replay (--now) is
            # recorded on the day it stands for, where the once-a-day check looks.
            Reminder.objects.filter(pk=reminder.pk).update(sent_at=now)
            reminder.sent_at = now
            # After the commit, and not under the lock: a slow mail server holds nobody up, and a
            # rolled-back Reminder sends nothing. Robust: a failure is logged, the other bodies
            # still hear theirs.
            transaction.on_commit(partial(notices.remind, organization=organization, year=owed.year,
                                          quarter=owed.quarter, due_date=owed.due, sender=None,
                                          due_soon=owed.kind == Reminder.Kind.DUE_SOON), robust=True)
    except IntegrityError:
        return None  # a run at the same moment recorded it first (Reminder's unique constraints)
    return reminder
