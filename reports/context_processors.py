from django.utils.functional import SimpleLazyObject


def awaiting(request):
    """What the navigation bar shows: the count of what awaits the user, of their unread 通知,
    and whether they may open the 督办 pages. Lazy, so pages that do not show the bar run no
    query for it."""
    from reports.access import is_overseer
    from reports.models import Notice
    from reports.review.inbox import awaiting_count

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "awaiting_count": SimpleLazyObject(lambda: awaiting_count(user)),
        # The same predicate as the pages' own check, so the bar never links to a 403.
        "is_overseer": SimpleLazyObject(lambda: is_overseer(user)),
        "unread_notices": SimpleLazyObject(lambda: Notice.objects.filter(user=user, read_at__isnull=True).count()),
    }
