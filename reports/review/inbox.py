"""What awaits a user: reports to review (a reviewer), reports returned for revision (a drafter)
and reports 报送ed for 签收 (an overseer of the body they are sent to)."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from reports.access import memberships, supervised_ids
from reports.models import Membership, Report, ReportEvent
from reports.review import chain
from reports.tracking.deadlines import local_date


def awaiting_reports(user: AbstractBaseUser) -> QuerySet[Report]:
    """The reports waiting for this user, each with `waiting_since`: the time of its last step
    (submitted, passed on, returned, approved), from which it has waited for them. A submitted
    report waits for whoever holds the step it is at (reports.review.chain), 代审 included."""
    roles = memberships(user)
    to_review = chain.waiting_condition(user, local_date(timezone.now())) if user.is_authenticated else None
    to_revise = [org for org, role in roles if role == Membership.Role.DRAFTER]
    to_accept = supervised_ids(user)
    waiting = Q(organization_id__in=to_revise, status=Report.Status.RETURNED) \
        | Q(organization_id__in=to_accept, status=Report.Status.APPROVED)
    if to_review is not None:
        waiting |= to_review
    reports = Report.objects.filter(waiting) if (to_review or to_revise or to_accept) else Report.objects.none()
    last_step = ReportEvent.objects.filter(report=OuterRef("pk")).order_by("-created_at", "-id").values("created_at")[:1]
    return reports.select_related("organization").annotate(waiting_since=Subquery(last_step))


def awaiting_count(user: AbstractBaseUser) -> int:
    return awaiting_reports(user).count()
