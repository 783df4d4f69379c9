"""What awaits a user: reports to review (a reviewer) and reports returned for revision (a drafter)."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Q, QuerySet

from reports.access import memberships
from reports.models import Membership, Report


def awaiting_reports(user: AbstractBaseUser) -> QuerySet[Report]:
    roles = memberships(user)
    to_review = [org for org, role in roles if role == Membership.Role.REVIEWER]
    to_revise = [org for org, role in roles if role == Membership.Role.DRAFTER]
    if not (to_review or to_revise):
        return Report.objects.none()
    return Report.objects.filter(
        Q(organization_id__in=to_review, status=Report.Status.SUBMITTED)
        | Q(organization_id__in=to_revise, status=Report.Status.RETURNED)
    ).select_related("organization")


def awaiting_count(user: AbstractBaseUser) -> int:
    return awaiting_reports(user).count()
