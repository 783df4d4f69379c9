"""代审: a reviewer on leave names a colleague to decide their review steps for some days.

The substitute must be a member of a body in which the reviewer reviews, so that they can open
its reports; the decisions they take are recorded in their own name, on behalf of the reviewer
(ReportEvent.on_behalf_of), and shown so on every page and in the trail. A substitution is kept
when it ends: ending it early sets its last day to yesterday, or removes it if it has not begun.
"""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from reports.errors import Refusal
from reports.models import Membership, ReviewStep, Substitution

# Long enough for any leave; a longer absence is a change of who reviews, made in the admin.
MAX_DAYS = 92


class SubstitutionRefused(Refusal):
    code = "substitution_refused"


def review_bodies(user: AbstractBaseUser) -> set[int]:
    """The bodies in which the user decides a review step: as 审核人 or named in a step."""
    reviewing = set(Membership.objects.filter(user=user, role=Membership.Role.REVIEWER)
                    .values_list("organization_id", flat=True))
    named = set(ReviewStep.objects.filter(members=user).values_list("organization_id", flat=True))
    return reviewing | named


def candidates(user: AbstractBaseUser, bodies: set[int] | None = None) -> QuerySet:
    """Who may stand in: the active members of the bodies the user reviews in (`bodies`, if the
    caller has them), but the user."""
    bodies = review_bodies(user) if bodies is None else bodies
    return (get_user_model().objects.filter(is_active=True, memberships__organization_id__in=bodies)
            .exclude(pk=user.pk).distinct().order_by("username"))


def name_substitute(*, absent: AbstractBaseUser, substitute_id: int | None, starts: date | None, ends: date | None,
                    today: date) -> Substitution:
    if not review_bodies(absent):
        raise SubstitutionRefused(_("您不在任何审核环节中，无需设置代审。"))
    substitute = candidates(absent).filter(pk=substitute_id).first() if substitute_id else None
    if substitute is None:
        raise SubstitutionRefused(_("请选择本单位的一位同事作为代审人。"))
    if starts is None or ends is None:
        raise SubstitutionRefused(_("请填写代审的开始和结束日期。"))
    if starts < today:
        raise SubstitutionRefused(_("开始日期不能早于今天。"))
    if ends < starts:
        raise SubstitutionRefused(_("结束日期不能早于开始日期。"))
    if (ends - starts).days + 1 > MAX_DAYS:
        raise SubstitutionRefused(_("代审最长 %(days)d 天；更长时间的调整请联系管理员修改审核流程。") % {"days": MAX_DAYS})
    return Substitution.objects.create(absent=absent, substitute=substitute, starts=starts, ends=ends)


def end_substitution(*, absent: AbstractBaseUser, substitution_id: int, today: date) -> None:
    """End one of the user's own substitutions now: the days already passed stay on record."""
    substitution = Substitution.objects.filter(pk=substitution_id, absent=absent, ends__gte=today).first()
    if substitution is None:
        raise SubstitutionRefused(_("这项代审已结束或不存在。"))
    if substitution.starts >= today:
        substitution.delete()
    else:
        Substitution.objects.filter(pk=substitution.pk).update(ends=today - timedelta(days=1))


def standing_for(user: AbstractBaseUser, today: date) -> QuerySet[Substitution]:
    """The substitutions in which the user stands in for someone today (shown on their 待办)."""
    return Substitution.objects.filter(substitute=user, starts__lte=today, ends__gte=today).select_related("absent")
