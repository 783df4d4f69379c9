from django.utils.functional import SimpleLazyObject


def awaiting(request):
    """What the navigation bar shows: the count of what awaits the user, and whether they
    oversee bodies. Lazy, so pages that do not show the bar run no query for it."""
    from reports.access import memberships
    from reports.models import Membership
    from reports.review.inbox import awaiting_count

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "awaiting_count": SimpleLazyObject(lambda: awaiting_count(user)),
        "is_overseer": SimpleLazyObject(
            lambda: user.is_superuser or any(role == Membership.Role.OVERSEER for _org, role in memberships(user))
        ),
    }
