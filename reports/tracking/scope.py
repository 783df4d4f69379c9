"""Who oversees what: the bodies below an overseer's own, which the board and the summary cover.

Whether a user may open the 督办 pages at all is reports.access.is_overseer."""

from django.contrib.auth.base_user import AbstractBaseUser

from reports.models import Membership, Organization


def overseen_ids(user: AbstractBaseUser) -> set[int]:
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
