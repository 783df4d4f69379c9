"""Who oversees what: the bodies below an overseer's own, which the board and the summary cover.

Whether a user may open the 督办 pages at all is reports.access.is_overseer."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet

from reports.models import Membership, Organization


def overseen_roots(user: AbstractBaseUser) -> set[int]:
    """The bodies in which the user is an overseer (for a superuser, the roots of the tree)."""
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return set(Organization.objects.filter(parent__isnull=True).values_list("id", flat=True))
    return set(Membership.objects.filter(user=user, role=Membership.Role.OVERSEER).values_list("organization_id", flat=True))


def overseen(user: AbstractBaseUser) -> QuerySet[Organization]:
    """The bodies BELOW the bodies in which the user is an overseer (not those bodies themselves:
    the supervising body does not report to itself); for a superuser every body that has a parent.
    An overseen body that is itself below another overseen body is kept. A query over index ranges
    of the tree's paths (reports.tree), not a list of ids: a province has tens of thousands."""
    if not user.is_authenticated:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.filter(parent__isnull=False)
    return Organization.objects.under(overseen_roots(user), include_roots=False)


def overseen_ids(user: AbstractBaseUser) -> set[int]:
    """overseen(user) as a set of ids, for the pages that show each body."""
    return set(overseen(user).values_list("id", flat=True))
