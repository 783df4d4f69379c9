"""准予延期: the body a report is 报送ed to lets a body whose input has closed (截止填报) fill in and
submit one period's report after all, until a date. Nothing ends an extension: it expires by
itself after its date, when reports.tracking.deadlines (which reads the latest one granted) closes
input again. Granting again replaces the date.
"""

from datetime import date, timedelta
from functools import partial

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from reports.access import supervised_ids
from reports.document.text import clean_text
from reports.errors import Refusal
from reports.labels import PERIODS, day_name, period_name, person_name
from reports.models import Extension, Membership, Organization
from reports.review import notices
from reports.review.comments import MAX_COMMENT
from reports.tracking.deadlines import period_submitted

# An extension is a few weeks' grace for a body that missed its deadline, not a new deadline for
# the next quarter: past three months the period's report would come after the next one's.
MAX_EXTENSION_DAYS = 90


class ExtensionRefused(Refusal):
    """An extension not granted; `message` says why, in words for the overseer."""


class NotSupervised(ExtensionRefused):
    code = "not_supervised"


class UntilNotAfterToday(ExtensionRefused):
    code = "until_not_after_today"


class UntilTooLate(ExtensionRefused):
    code = "until_too_late"


class ReasonRequired(ExtensionRefused):
    code = "reason_required"


class ReasonTooLong(ExtensionRefused):
    code = "reason_too_long"


class AlreadySubmitted(ExtensionRefused):
    code = "already_submitted"


def not_supervised_message() -> str:
    return _("该单位不存在或不在您的督办范围内，没有准予延期。")


def may_grant(user: AbstractBaseUser, organization_id: int) -> bool:
    """Who grants an extension: an overseer of the body the reports are 报送ed to, who 签收s them
    (not an overseer further up, nor a superuser: the deadline is the supervising body's own)."""
    return user.is_authenticated and organization_id in supervised_ids(user)


def grant_extension(*, user: AbstractBaseUser, organization: Organization, year: int, quarter: int | None,
                    until: date, reason: str, today: date) -> Extension:
    """Let the body report the period until `until` (included), and tell its drafters once it is
    recorded. Refused (ExtensionRefused, nothing written) when the body is not supervised by the
    user, the date is not after today or more than MAX_EXTENSION_DAYS after it, the reason is
    empty or too long, or the period's report has been submitted already."""
    if quarter not in PERIODS:
        raise ExtensionRefused(_("季度应为 1 至 4，或年度报告。"))
    if not may_grant(user, organization.pk):
        # Not named: a body outside the user's range does not exist for them (see reports.access).
        raise NotSupervised(not_supervised_message())
    if until <= today:
        raise UntilNotAfterToday(_("延期日期须晚于今天。"))
    latest = today + timedelta(days=MAX_EXTENSION_DAYS)
    if until > latest:
        raise UntilTooLate(_("延期日期最晚为今天之后 %(days)d 天（%(latest)s）。")
                           % {"days": MAX_EXTENSION_DAYS, "latest": day_name(latest)})
    reason, _removed = clean_text(reason)
    if not reason:
        raise ReasonRequired(_("请填写延期理由。"))
    if len(reason) > MAX_COMMENT:
        raise ReasonTooLong(_("延期理由最多 %(limit)d 个字符，现有 %(count)d 个。")
                            % {"limit": MAX_COMMENT, "count": len(reason)})
    with transaction.atomic():
        # As for 催报: the body's row lock makes the check and the new Extension one step against a
        # submission or another overseer's grant at the same moment.
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        if period_submitted(organization.pk, year, quarter):
            raise AlreadySubmitted(_("%(body)s%(period)s的报告已经报送，无需延期。")
                                   % {"body": organization.name, "period": period_name(year, quarter)})
        extension = Extension.objects.create(organization=organization, year=year, quarter=quarter, until=until,
                                             reason=reason, granted_by=user)
        # After the commit: a slow mail server holds no lock, and a rolled-back grant tells nobody.
        transaction.on_commit(partial(tell_drafters, extension), robust=True)
    return extension


def tell_drafters(extension: Extension) -> list[str]:
    """The body's drafters hear of the extension, as a notice and an e-mail; returns the addresses."""
    organization = extension.organization
    period = period_name(extension.year, extension.quarter)
    granted_by = extension.granted_by
    subject = _("【季报】准予延期：%(body)s%(period)s报告") % {"body": organization.name, "period": period}
    body = _("督办单位已准予%(body)s%(period)s履行全面从严治党主体责任情况报告延期报送，请于%(until)s前完成并提交。"
             "\n延期理由：%(reason)s") % {
        "body": organization.name, "period": period, "until": day_name(extension.until), "reason": extension.reason}
    if granted_by is not None:
        body += "\n\n" + _("批准人：%(who)s") % {"who": person_name(granted_by)}
    return notices.deliver(notices.members(organization.pk, Membership.Role.DRAFTER), subject, body,
                           notices.path("reports:list"))
